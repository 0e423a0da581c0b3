#!/usr/bin/env bats
# list: facts about the host, read from the real host.

load helpers

@test "list hostonlyifs: no host-only driver, nothing listed, exit 0" {
	vbm list hostonlyifs
	expect_status 0
	[ -z "$stderr" ]
	if ! compgen -G '/sys/class/net/vboxnet*' >/dev/null; then
		[ -z "$output" ]
	fi
}

@test "list hostinfo" {
	vbm list hostinfo
	expect_status 0
	[ "${lines[0]}" = "Host Information:" ]
	[[ "${lines[1]}" =~ ^Host\ time:\ [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$ ]]
	n=$(getconf _NPROCESSORS_ONLN)
	expect_out "Processor online count: $n"
	expect_out "Operating system: Linux"
	expect_out "Operating system version: $(uname -r)"
	grep -q '^Processor supports PAE: \(yes\|no\)$' <<<"$output"
	grep -q '^Processor#0 speed: ' <<<"$output"
	grep -q '^Memory size: [0-9]* MByte$' <<<"$output"
	grep -q '^Memory available: [0-9]* MByte$' <<<"$output"
}

@test "list hostcpuids" {
	case $(uname -m) in x86_64|i?86) ;; *) skip "not x86" ;; esac
	vbm list hostcpuids
	expect_status 0
	[ "${lines[0]}" = "Host CPUIDs:" ]
	[ "${lines[1]}" = "Leaf no.  EAX      EBX      ECX      EDX" ]
	[[ "${lines[2]}" =~ ^00000000\ \ [0-9a-f]{8}\ [0-9a-f]{8}\ [0-9a-f]{8}\ [0-9a-f]{8}$ ]]
	grep -q '^80000000  ' <<<"$output"
}

@test "list bridgedifs: the host's Ethernet interfaces" {
	vbm list bridgedifs
	expect_status 0
	if [ -n "$output" ]; then
		[[ "${lines[0]}" == "Name:            "* ]]
		grep -q '^GUID:            [0-9a-f-]\{36\}$' <<<"$output"
		grep -q '^MediumType:      Ethernet$' <<<"$output"
		grep -q '^VBoxNetworkName: HostInterfaceNetworking-' <<<"$output"
	fi
}

@test "list screenshotformats, cloud lists, hostdvds, hostfloppies" {
	vbm list screenshotformats
	expect_status 0
	[ "$output" = "Supported 4 screen shot formats:
    BitmapFormat_BGR0 (0x30524742)
    BitmapFormat_BGRA (0x41524742)
    BitmapFormat_RGBA (0x41424752)
    BitmapFormat_PNG  (0x20474E50)" ]
	vbm list cloudproviders
	expect_status 0
	[ "$output" = "Supported 0 cloud providers:" ]
	vbm list cloudnets
	expect_status 0
	[ -z "$output" ]
	vbm list hostdvds
	expect_status 0
	vbm list hostfloppies
	expect_status 0
}

@test "list webcams needs the extension pack" {
	vbm list webcams
	expect_status 1
	expect_err "VBoxManage: error: No extension pack by the name 'Oracle VM VirtualBox Extension Pack' was found"
}

@test "list hostonlynets is not a Linux type" {
	vbm list hostonlynets
	expect_status 2
	expect_err 'VBoxManage: error: Unknown subcommand "hostonlynets".'
}
