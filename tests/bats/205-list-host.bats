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

@test "list hddbackends: our image back-ends in probe order with their capabilities" {
	vbm list hddbackends
	expect_status 0
	[ "${lines[0]}" = "Supported hard disk backends:" ]
	[ "${lines[1]}" = "Backend 0: id='VMDK' description='VMDK' capabilities=0x0a7f extensions='vmdk (HardDisk)' properties=(" ]
	expect_out "  name='BootSector' desc='' type=string flags=0x04 default='', "
	expect_out "Backend 1: id='VDI' description='VDI' capabilities=0x0e77 extensions='vdi (HardDisk)' properties=("
	expect_out "  name='AllocationBlockSize' desc='' type=int flags=0x04 default='1048576')"
	expect_out "Backend 2: id='VHD' description='VHD' capabilities=0x0a77 extensions='vhd (HardDisk)' properties=()"
	expect_out "Backend 3: id='RAW' description='RAW' capabilities=0x0262 extensions='iso (DVD),cdr (DVD),img (Floppy),ima (Floppy),dsk (Floppy),flp (Floppy),vfd (Floppy)' properties=()"
	[ "$(grep -c '^Backend ' <<<"$output")" -eq 4 ]
}

@test "list cpu-profiles: short, long and sorted forms" {
	vbm list cpu-profiles
	expect_status 0
	[ "${lines[0]}" = "#00: Intel 8086 [x86]" ]
	expect_out "#04: Intel 80486 [x86]"
	expect_out "#11: AMD Ryzen 7 1800X Eight-Core [AMD64]"
	[ "${#lines[@]}" -eq 12 ]
	vbm list --long --sorted cpu-profiles
	expect_status 0
	[ "${lines[0]}" = "CPU Profile #00:" ]
	[ "${lines[1]}" = "  Architecture: AMD64" ]
	[ "${lines[2]}" = "  Name:         AMD FX-8150 Eight-Core" ]
	[ "${lines[3]}" = "  Full Name:    AMD FX(tm)-8150 Eight-Core Processor" ]
	expect_out "  Full Name:    Intel 8086"
	# every listed profile is accepted by modifyvm --cpu-profile
	vbm createvm --name p --register
	vbm list cpu-profiles
	while IFS= read -r l; do
		name=${l#*: }
		name=${name% \[*}
		vbm modifyvm p --cpu-profile "$name"
		expect_status 0
	done <<<"$output"
}

@test "list usbhost: devices from sysfs, none capturable" {
	vbm list usbhost
	expect_status 0
	[ "${lines[0]}" = "Host USB Devices:" ]
	n=0
	for d in /sys/bus/usb/devices/*-*; do
		case $d in *:*) continue ;; esac
		[ -e "$d/idVendor" ] || continue
		[ "$(cat "$d/bDeviceClass")" = 09 ] && continue
		n=$((n + 1))
	done
	[ "$(grep -c '^UUID: ' <<<"$output")" -eq "$n" ]
	if [ "$n" -eq 0 ]; then
		[ "${lines[1]}" = "<none>" ]
	else
		[ "$(grep -c '^Current State:      Not supported$' <<<"$output")" -eq "$n" ]
	fi
}
