#!/usr/bin/env bats
# Settings versions: a file keeps its version unless a change needs a
# newer one; then VirtualBox keeps a copy of the old file beside it
# (<name>-<old version>.vbox) and writes the host suffix.  Defaults that
# depend on the version (NIC type and cable, VRDE, audio) decide what an
# old file needs to say.

load helpers
load vmconfig

U=d1d2d3d4-0000-4000-8000-000000000001
NAT1='<Hardware><Network><Adapter slot="0" enabled="true" MACAddress="080027000001" cable="true"><NAT/></Adapter></Network></Hardware>'

local_setup() {
	need_shared
}

ver_of() {
	grep -o '<VirtualBox [^>]*version="[^"]*"' "$1" | sed 's/.*version="//; s/"$//'
}

@test "a 1.12 Windows file gets 1.15 for a paravirt provider, with a backup" {
	reg_fixture v1.12-windows-OskarKozaczka-MS-DOS.vbox
	vbm modifyvm MS-DOS --paravirtprovider kvm
	expect_status 0
	[ "$(ver_of "$FX")" = "1.15-linux" ]
	cmp "$(fixture v1.12-windows-OskarKozaczka-MS-DOS.vbox)" \
		"${FX%.vbox}-1.12-windows.vbox"
	grep -q '<Paravirt provider="KVM"/>' "$FX"
	# the 1.12 USB element is written in the 1.14+ layout
	lacks '<USBController' "$FX"
	grep -q '<Controller name="OHCI" type="OHCI"/>' "$FX"
	vbm showvminfo MS-DOS --machinereadable
	expect_out 'paravirtprovider="kvm"'
	expect_out 'usb="on"'
	# a second change needs no new backup
	rm "${FX%.vbox}-1.12-windows.vbox"
	vbm modifyvm MS-DOS --memory 32
	expect_status 0
	[ ! -e "${FX%.vbox}-1.15-linux.vbox" ]
}

@test "changes an old version can say keep the version" {
	reg_fixture v1.16-linux-glugmpstme-nmos.vbox
	vbm modifyvm nmos --memory 1000 --cpus 3
	expect_status 0
	[ "$(ver_of "$FX")" = "1.16-linux" ]
	run diff "$(fixture v1.16-linux-glugmpstme-nmos.vbox)" "$FX"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 8 ]
	[ "${lines[3]}" = '>       <CPU count="3" executionCap="80">' ]
	[ "${lines[7]}" = '>       <Memory RAMSize="1000"/>' ]
	[ "$(ls "$(dirname "$FX")")" = "v1.16-linux-glugmpstme-nmos.vbox
v1.16-linux-glugmpstme-nmos.vbox-prev" ]
}

@test "features raise the version to the one that introduced them" {
	# (not "i": bats' own helpers use that name without "local")
	local k=0 want opts u f row rows
	mapfile -t rows <<'EOF2'
1.12 --hpet on
1.12 --rtcuseutc on --nicbootprio1 1 --nicpromisc1 allow-all
1.12 --paravirtprovider legacy
1.13 --autostart-enabled on
1.13 --tracing-enabled on
1.14 --graphicscontroller vmsvga
1.14 --defaultfrontend headless
1.14 --usbohci on --usbrename OHCI Other
1.14 --longmode off
1.14 --nic1 natnetwork --nat-network1 nn
1.15 --usbxhci on
1.15 --paravirtprovider kvm
1.15 --cpuid-portability-level 1
1.15 --uart1 0x3f8 4 --uartmode1 tcpserver 5555
1.16 --cpu-profile 80386
1.16 --bios-apic x2apic
1.16 --spec-ctrl on
1.16 --ibpb-on-vm-exit on
1.16 --paravirtdebug enabled=1
1.16 --x2apic on
1.17 --vm-process-priority high
1.17 --nested-hw-virt on
1.17 --uart1 0x3f8 4 --uarttype1 16750
1.18 --virt-vmsave-vmload off
1.18 --nic1 cloud --cloud-network1 x
1.19 --iommu amd
1.19 --tpm-type 2.0
1.19 --audio-driver default
1.19 --nat-localhostreachable1 off
1.19 --recording on
EOF2
	for row in "${rows[@]}"; do
		want=${row%% *}
		opts=${row#* }
		k=$((k + 1))
		u=$(printf 'b1b2b3b4-0000-4000-8000-%012d' "$k")
		mkfile "t$k" "$u" '' "$NAT1" 1.12
		# shellcheck disable=SC2086
		vbm modifyvm "t$k" $opts
		expect_status 0
		[ "$(ver_of "$VMF")" = "$want-linux" ] ||
			{ echo "$opts: $(ver_of "$VMF"), want $want"; false; }
		if [ "$want" != 1.12 ]; then
			f="$VMS/t$k/t$k-1.12-linux.vbox"
			[ -f "$f" ] || { echo "$opts: no backup"; false; }
		fi
	done
}

@test "NIC defaults before 1.16: cable off and Am79C970A are not written" {
	mkfile old $U '' '<Hardware><Network><Adapter slot="0" enabled="true" MACAddress="080027000001" cable="true" type="Am79C973"><NAT/></Adapter></Network></Hardware>' 1.12
	vbm showvminfo old --machinereadable
	expect_out 'cableconnected1="on"'
	expect_out 'nictype1="Am79C973"'
	vbm modifyvm old --cableconnected1 off --nictype1 Am79C970A
	expect_status 0
	grep -q '<Adapter slot="0" enabled="true" MACAddress="080027000001">' "$VMF"
	vbm showvminfo old --machinereadable
	expect_out 'cableconnected1="off"'
	expect_out 'nictype1="Am79C970A"'
	[ "$(ver_of "$VMF")" = "1.12-linux" ]
}

@test "NIC defaults from 1.16: cable on and Am79C973 are not written" {
	mkfile new $U '' '<Hardware><Network><Adapter slot="0" enabled="true" MACAddress="080027000001" cable="false" type="82540EM"><NAT/></Adapter></Network></Hardware>' 1.16
	vbm modifyvm new --cableconnected1 on --nictype1 Am79C973
	expect_status 0
	grep -q '<Adapter slot="0" enabled="true" MACAddress="080027000001">' "$VMF"
	vbm showvminfo new --machinereadable
	expect_out 'cableconnected1="on"'
	expect_out 'nictype1="Am79C973"'
}

@test "VRDE: enabled by default before 1.16, disabled from 1.16" {
	mkfile oldv $U '' '<Hardware><RemoteDisplay enabled="false"/></Hardware>' 1.14
	vbm showvminfo oldv --machinereadable
	expect_out 'vrde="off"'
	vbm modifyvm oldv --vrde on
	expect_status 0
	lacks '<RemoteDisplay' "$VMF"
	vbm showvminfo oldv --machinereadable
	expect_out 'vrde="on"'
	mkfile newv c1c2c3c4-0000-4000-8000-000000000002 '' '<Hardware/>' 1.16
	vbm showvminfo newv --machinereadable
	expect_out 'vrde="off"'
	vbm modifyvm newv --vrde on
	expect_status 0
	grep -q '<RemoteDisplay enabled="true"/>' "$VMF"
}

@test "audio: enabled/in/out defaults by version" {
	mkfile olda $U '' '<Hardware><AudioAdapter driver="Pulse"/></Hardware>' 1.15
	vbm showvminfo olda --machinereadable
	expect_out 'audio="pulse"'
	expect_out 'audio_out="on"'
	expect_out 'audio_in="on"'
	vbm modifyvm olda --audio-in off
	expect_status 0
	grep -q '<AudioAdapter driver="Pulse" enabledIn="false"/>' "$VMF"
	mkfile newa c1c2c3c4-0000-4000-8000-000000000003 '' '<Hardware><AudioAdapter driver="Pulse"/></Hardware>' 1.17
	vbm showvminfo newa --machinereadable
	expect_out 'audio="none"'
	expect_out 'audio_out="off"'
	expect_out 'audio_in="off"'
	vbm modifyvm newa --audio-enabled on --audio-out on
	expect_status 0
	grep -q '<AudioAdapter driver="Pulse" enabled="true" enabledOut="true"/>' "$VMF"
}

@test "paravirt provider: Legacy by default before 1.16, Default after" {
	mkfile oldp $U '' '<Hardware/>' 1.15
	vbm showvminfo oldp --machinereadable
	expect_out 'paravirtprovider="legacy"'
	mkfile newp c1c2c3c4-0000-4000-8000-000000000004 '' '<Hardware/>' 1.16
	vbm showvminfo newp --machinereadable
	expect_out 'paravirtprovider="default"'
	vbm modifyvm newp --paravirtprovider legacy
	expect_status 0
	grep -q '<Paravirt provider="Legacy"/>' "$VMF"
}
