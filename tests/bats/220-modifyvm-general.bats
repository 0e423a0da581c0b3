#!/usr/bin/env bats
# modifyvm: options applied left to right, repeated options, the first
# failure stops everything (file untouched), exit codes, error texts,
# legacy spellings, omission of values back at their defaults.

load helpers
load vmconfig

U=3b5e1c1a-1111-4222-8333-944455556666

local_setup() {
	need_shared
}

@test "Vagrant's customize sequence lands in the file and in showvminfo" {
	mkfile vag $U
	vbm modifyvm $U --memory 1024 --cpus 2 --vram 16 --rtcuseutc on \
		--natdnsproxy1 on --natdnshostresolver1 on --nic1 nat
	expect_status 0
	[ -z "$output" ]
	[ -z "$stderr" ]
	grep -q '<Memory RAMSize="1024"/>' "$VMF"
	grep -q '<CPU count="2"' "$VMF"
	grep -q '<Display VRAMSize="16"/>' "$VMF"
	grep -q '<RTC localOrUTC="UTC"/>' "$VMF"
	grep -q '<DNS use-proxy="true" use-host-resolver="true"/>' "$VMF"
	vbm showvminfo $U --machinereadable
	expect_out 'memory=1024'
	expect_out 'cpus=2'
	expect_out 'vram=16'
	expect_out 'rtcuseutc="on"'
	expect_out 'nic1="nat"'
	[ "$(mr macaddress1)" != "" ]
}

@test "option value forms: space, = and :" {
	mkfile forms $U
	vbm modifyvm forms --memory=640 --vram:12 --cpus 3
	expect_status 0
	vbm showvminfo forms --machinereadable
	expect_out 'memory=640'
	expect_out 'vram=12'
	expect_out 'cpus=3'
}

@test "repeated options: the last one wins" {
	mkfile rep $U
	vbm modifyvm rep --memory 512 --cpus 4 --memory 768 --cpus 2
	expect_status 0
	vbm showvminfo rep --machinereadable
	expect_out 'memory=768'
	expect_out 'cpus=2'
}

@test "the first failure stops: nothing is saved, later options ignored" {
	mkfile stop $U '' '<Hardware><Memory RAMSize="256"/></Hardware>'
	cp "$VMF" "$BATS_TEST_TMPDIR/before"
	vbm modifyvm stop --memory 700 --firmware xyz --cpus 3
	expect_status 1
	[ "$stderr" = "VBoxManage: error: Invalid --firmware argument 'xyz'" ]
	cmp "$VMF" "$BATS_TEST_TMPDIR/before"
	[ ! -e "$VMF-prev" ]
}

@test "range errors are API errors of SessionMachine, exit 1" {
	mkfile rng $U
	cp "$VMF" "$BATS_TEST_TMPDIR/before"
	vbm modifyvm rng --memory 2
	expect_status 1
	[ "${#stderr_lines[@]}" -eq 3 ] || [ "$(printf '%s\n' "$stderr" | wc -l)" -eq 3 ]
	expect_err "VBoxManage: error: Invalid RAM size: 2 MB (must be in range [4, 2097152] MB)"
	expect_err "VBoxManage: error: Details: code NS_ERROR_INVALID_ARG (0x80070057), component SessionMachine, interface IMachine, callee nsISupports"
	expect_err 'VBoxManage: error: Context: "COMSETTER(MemorySize)(ValueUnion.u32)" at line 2400 of file VBoxManageModifyVM.cpp'
	cmp "$VMF" "$BATS_TEST_TMPDIR/before"
	vbm modifyvm rng --cpus 65
	expect_status 1
	expect_err "VBoxManage: error: Invalid virtual CPU count: 65 (must be in range [1, 64])"
	vbm modifyvm rng --vram 300
	expect_status 1
	expect_err "VBoxManage: error: Invalid VRAM size: 300 MB (must be in range [1, 256] MB)"
	vbm modifyvm rng --cpu-execution-cap 0
	expect_status 1
	expect_err "VBoxManage: error: Invalid CPU execution cap value: 0 (must be in range [1, 100])"
}

@test "exit codes: unknown option 1, no option 2, missing value 1" {
	mkfile ex $U
	vbm modifyvm ex --bogus
	expect_status 1
	expect_err "VBoxManage: error: Unknown option: --bogus"
	expect_err "Usage - Change settings for a virtual machine that is stopped:"
	vbm modifyvm ex
	expect_status 2
	expect_err "VBoxManage: error: Not enough parameters"
	# without any argument: the usage, exit 1 (as for every command)
	vbm modifyvm
	expect_status 1
	vbm modifyvm ex --memory
	expect_status 1
	expect_err "VBoxManage: error: --memory: RTGetOpt: Command line option needs argument."
	vbm modifyvm ex --memory lots
	expect_status 1
	vbm modifyvm ex --pae maybe
	expect_status 1
}

@test "bad values of enumerations: VirtualBox's texts, exit 1" {
	mkfile bad $U
	local pair opt val
	for pair in "--firmware:xyz" "--graphicscontroller:cga" \
		"--chipset:i440" "--mouse:trackball" "--keyboard:dvorak" \
		"--bios-boot-menu:always" "--bios-apic:x3apic" \
		"--paravirt-provider:xen" "--iommu:arm" "--vm-process-priority:max" \
		"--audio-controller:gus" "--clipboard-mode:both" \
		"--drag-and-drop:both" "--nic1:token" "--nic-type1:ne9999" \
		"--tpm-type:3.0" "--nic-promisc1:some"; do
		opt=${pair%%:*}
		val=${pair#*:}
		vbm modifyvm bad "$opt" "$val"
		expect_status 1
		[ -n "$stderr" ]
	done
	vbm modifyvm bad --firmware xyz
	expect_err "VBoxManage: error: Invalid --firmware argument 'xyz'"
	vbm modifyvm bad --graphicscontroller cga
	expect_err "VBoxManage: error: Invalid --graphicscontroller argument 'cga'"
	vbm modifyvm bad --mouse trackball
	expect_err "VBoxManage: error: Invalid type 'trackball' specfied for pointing device"
	vbm modifyvm bad --paravirt-provider xen
	expect_err "VBoxManage: error: Invalid --paravirtprovider argument 'xen'"
	vbm modifyvm bad --nic1 token
	expect_err "VBoxManage: error: Invalid type 'token' specfied for NIC 1"
	vbm modifyvm bad --nic-type1 ne9999
	expect_err "VBoxManage: error: Invalid NIC type 'ne9999' specified for NIC 1"
}

@test "an unknown machine: VirtualBox's lookup error, exit 1" {
	vbm modifyvm nosuchvm --memory 512
	expect_status 1
	expect_err "VBoxManage: error: Could not find a registered machine named 'nosuchvm'"
	expect_err "VBoxManage: error: Details: code VBOX_E_OBJECT_NOT_FOUND (0x80bb0001), component VirtualBoxWrap, interface IVirtualBox, callee nsISupports"
}

@test "legacy spellings (inner hyphens removed) reach the same setting" {
	mkfile leg $U '' '<Hardware><Network><Adapter slot="0" enabled="true" MACAddress="080027000001"><NAT/></Adapter></Network><RemoteDisplay enabled="true"/></Hardware>'
	local legacy new val key want rows=0
	while read -r legacy new val key want; do
		[ -n "$legacy" ] || continue
		rows=$((rows + 1))
		vbm modifyvm leg "$legacy" "$val"
		expect_status 0
		vbm showvminfo leg --machinereadable
		[ "$(mr "$key")" = "$want" ] ||
			{ echo "$legacy: $key=$(mr "$key") want $want"; false; }
		# and back with the new spelling
		vbm modifyvm leg "$new" "$val"
		expect_status 0
	done <<'EOF2'
--snapshotfolder --snapshot-folder /var/tmp/snaps SnapFldr /var/tmp/snaps
--pagefusion --page-fusion on pagefusion on
--longmode --long-mode off longmode off
--triplefaultreset --triple-fault-reset on triplefaultreset on
--paravirtprovider --paravirt-provider kvm paravirtprovider kvm
--nestedpaging --nested-paging off nestedpaging off
--largepages --large-pages off largepages off
--vtxvpid --vtx-vpid off vtxvpid off
--vtxux --vtx-ux off vtxux off
--cpuexecutioncap --cpu-execution-cap 40 cpuexecutioncap 40
--rtcuseutc --rtc-use-utc on rtcuseutc on
--monitorcount --monitor-count 2 monitorcount 2
--accelerate3d --accelerate-3d on accelerate3d on
--biosbootmenu --bios-boot-menu disabled bootmenu disabled
--biosapic --bios-apic x2apic biosapic x2apic
--biossystemtimeoffset --bios-system-time-offset -5000 biossystemtimeoffset -5000
--guestmemoryballoon --guest-memory-balloon 64 GuestMemoryBalloon 64
--defaultfrontend --default-frontend headless defaultfrontend headless
--nictype1 --nic-type1 virtio nictype1 virtio
--cableconnected1 --cable-connected1 off cableconnected1 off
--nicspeed1 --nic-speed1 1000 nicspeed1 1000
--macaddress1 --mac-address1 0800271234AB macaddress1 0800271234AB
--audioin --audio-in on audio_in on
--audioout --audio-out off audio_out off
--draganddrop --drag-and-drop bidirectional draganddrop bidirectional
--vrdeport --vrde-port 5001 vrdeports 5001
--vrdeauthtype --vrde-auth-type external vrdeauthtype external
--teleporterport --teleporter-port 6000 teleporterport 6000
--usbxhci --usb-xhci on xhci on
--teleporteraddress --teleporter-address 10.0.0.1 teleporteraddress 10.0.0.1
EOF2
	# every row was run
	[ "$rows" -eq 30 ]
}

@test "options without a legacy spelling refuse the hyphen-less form" {
	mkfile noleg $U
	local o
	for o in --autostartdelay --vmprocesspriority --cpuprofile --nestedhwvirt; do
		vbm modifyvm noleg "$o" 1
		expect_status 1
		expect_err "VBoxManage: error: Unknown option: $o"
	done
}

@test "legacy NAT spellings: --natpf1 and --nat-pf1, --natnet1" {
	mkfile natleg $U '' '<Hardware><Network><Adapter slot="0" enabled="true" MACAddress="080027000001"><NAT/></Adapter></Network></Hardware>'
	vbm modifyvm natleg --natpf1 "ssh,tcp,127.0.0.1,2222,,22" \
		--nat-pf1 "web,tcp,,8080,,80" --natnet1 10.1.2.0/24
	expect_status 0
	vbm showvminfo natleg --machinereadable
	expect_out 'natnet1="10.1.2.0/24"'
	expect_out 'Forwarding(0)="ssh,tcp,127.0.0.1,2222,,22"'
	expect_out 'Forwarding(1)="web,tcp,,8080,,80"'
}

@test "a value back at its default is removed, emptied elements pruned" {
	mkfile dflt $U '' '<Hardware><Memory RAMSize="256"/></Hardware>'
	vbm modifyvm dflt --cpus 2 --rtc-use-utc on --hpet on
	expect_status 0
	grep -q '<CPU count="2"' "$VMF"
	grep -q '<RTC localOrUTC="UTC"/>' "$VMF"
	grep -q '<HPET enabled="true"/>' "$VMF"
	vbm modifyvm dflt --cpus 1 --rtc-use-utc off --hpet off
	expect_status 0
	lacks '<CPU' "$VMF"
	lacks '<RTC' "$VMF"
	lacks '<HPET' "$VMF"
	grep -q '<Memory RAMSize="256"/>' "$VMF"
}

@test "a change to a real 7.0 file touches only its own line" {
	reg_fixture v1.19-linux-Gug888-Born2beroot.vbox
	vbm modifyvm Born2beroot --memory 3000
	expect_status 0
	run diff "$(fixture v1.19-linux-Gug888-Born2beroot.vbox)" "$FX"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "31c31" ]
	[ "${lines[1]}" = '<       <Memory RAMSize="2048"/>' ]
	[ "${lines[3]}" = '>       <Memory RAMSize="3000"/>' ]
	[ "${#lines[@]}" -eq 4 ]
	# the previous version is kept as -prev
	cmp "$(fixture v1.19-linux-Gug888-Born2beroot.vbox)" "$FX-prev"
}

@test "a file from Windows is written with the Linux suffix, nothing else moves" {
	reg_fixture v1.15-windows-Bayons-Minix.vbox
	vbm modifyvm Minix --memory 96
	expect_status 0
	run diff "$(fixture v1.15-windows-Bayons-Minix.vbox)" "$FX"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 8 ]
	grep -q 'version="1.15-linux"' "$FX"
	grep -q '<Memory RAMSize="96" PageFusion="false"/>' "$FX"
}
