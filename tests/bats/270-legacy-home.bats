#!/usr/bin/env bats
# Pre-4.0 installations: a ~/.VirtualBox assembled from real 1.3 (VirtualBox
# 2.x), 1.10 (3.2) and 1.9 (written by 4.3) files.  They load and list as
# VirtualBox 4+ shows them; the first change writes an old file at 1.7 at
# least, keeping VirtualBox's backup; a 1.11 feature moves the machine's
# media into its own registry.

load helpers

F13M=v1.3-linux-massemanet-Machines-Windoze.xml
F13G=v1.3-linux-massemanet-VirtualBox.xml
WUUID=22dd8862-e13b-467d-3487-fbebda3f9fb3
DUUID=af4dca4f-cac6-4b79-02b5-81bef057c086

local_setup() {
	need_shared
	ST="$VB_BIN/../tests/tools/settings-tool"
	L="$HOME/.VirtualBox"
	mkdir -p "$L"
	# VirtualBox finds ~/.VirtualBox by itself; as root the home comes from
	# the account database, so there the test must name it.
	if [ "$(id -u)" -eq 0 ]; then
		export VBOX_USER_HOME="$L"
	else
		unset VBOX_USER_HOME
	fi
}

home13() {
	cp "$(fixture $F13G)" "$L/VirtualBox.xml"
	mkdir -p "$L/Machines/Windoze" "$L/VDI"
	cp "$(fixture $F13M)" "$L/Machines/Windoze/Windoze.xml"
	chmod u+w "$L/VirtualBox.xml" "$L/Machines/Windoze/Windoze.xml"
	: >"$L/VDI/Windoze.vdi"
}

@test "1.3 home: machines and extra data show as in VirtualBox 4+" {
	home13
	vbm list vms
	expect_status 0
	[ "$output" = "\"Windoze\" {$WUUID}" ]
	vbm getextradata Windoze enumerate
	expect_status 0
	[ "$output" = "Key: GUI/FirstRun, Value: yes" ]
	vbm getextradata "{$WUUID}" GUI/FirstRun
	[ "$output" = "Value: yes" ]
	vbm showvminfo Windoze --machinereadable
	expect_status 0
	expect_out 'name="Windoze"'
	expect_out 'memory=256'
	expect_out "\"IDE Controller-0-0\"=\"$L/VDI/Windoze.vdi\""
	expect_out '"IDE Controller-1-0"="emptydrive"'
	expect_out '"Floppy Controller-0-0"="emptydrive"'
	vbm list hdds
	expect_status 0
	expect_out "UUID:           $DUUID"
	expect_out "Location:       $L/VDI/Windoze.vdi"
	# reading changed nothing
	cmp "$(fixture $F13G)" "$L/VirtualBox.xml"
	cmp "$(fixture $F13M)" "$L/Machines/Windoze/Windoze.xml"
}

@test "1.3 machine: the first change writes 1.7 and keeps Windoze-1.3-linux.xml" {
	home13
	vbm setextradata Windoze qa/key "a value"
	expect_status 0
	m="$L/Machines/Windoze/Windoze.xml"
	cmp "$(fixture $F13M)" "$L/Machines/Windoze/Windoze-1.3-linux.xml"
	run "$ST" version "$m"
	[ "$output" = "1.7-linux" ]
	grep -q 'OSType="WindowsXP"' "$m"
	grep -q '<Display VRAMSize="8" monitorCount="1"/>' "$m"
	grep -q '<DVDDrive passthrough="false"/>' "$m"
	grep -q '<FloppyDrive enabled="true"/>' "$m"
	grep -q '<StorageController name="IDE Controller" type="PIIX4" PortCount="2">' "$m"
	grep -q "<Image uuid=\"{$DUUID}\"/>" "$m"
	run grep -c 'HardDiskAttachment\|IDEController\|SATAController' "$m"
	[ "$output" = 0 ]
	# everything else is what the 1.3 file said
	run "$ST" xmlcmp "$L/Machines/Windoze/Windoze-1.3-linux.xml" "$m" \
		--ignore 'ExtraDataItem[name=qa/key]'
	[ "$status" -eq 1 ]
	[[ "$output" == *"/VirtualBox/Machine[name=Windoze]: attribute OSType changed from \"winxp\" to \"WindowsXP\""* ]]
	vbm getextradata Windoze qa/key
	[ "$output" = "Value: a value" ]
	vbm list vms
	[ "$output" = "\"Windoze\" {$WUUID}" ]
	# the global file was not touched
	cmp "$(fixture $F13G)" "$L/VirtualBox.xml"
	# a second change does not make a second backup
	vbm setextradata Windoze qa/key2 x
	expect_status 0
	cmp "$(fixture $F13M)" "$L/Machines/Windoze/Windoze-1.3-linux.xml"
	set -- "$L"/Machines/Windoze/Windoze-1.*
	[ "$#" -eq 1 ]
}

@test "1.3 global file: written as 1.7 with a MediaRegistry, backup VirtualBox-1.3-linux.xml" {
	home13
	vbm setextradata global qa/g 1
	expect_status 0
	g="$L/VirtualBox.xml"
	cmp "$(fixture $F13G)" "$L/VirtualBox-1.3-linux.xml"
	run "$ST" version "$g"
	[ "$output" = "1.7-linux" ]
	grep -q "<MachineEntry uuid=\"{$WUUID}\" src=\"$L/Machines/Windoze/Windoze.xml\"/>" "$g"
	grep -q "<HardDisk uuid=\"{$DUUID}\" location=\"$L/VDI/Windoze.vdi\" format=\"VDI\" type=\"Normal\"/>" "$g"
	grep -q '<DHCPServer networkName="HostInterfaceNetworking-vboxnet0"' "$g"
	grep -q 'VRDEAuthLibrary="VRDPAuth"' "$g"
	run grep -c 'DiskRegistry\|defaultVDIFolder\|HWVirtExEnabled\|remoteDisplayAuthLibrary\|"Machines"' "$g"
	[ "$output" = 0 ]
	vbm getextradata global qa/g
	[ "$output" = "Value: 1" ]
	vbm list vms
	[ "$output" = "\"Windoze\" {$WUUID}" ]
}

@test "1.3 machine: a 1.11 feature moves its disk into its own media registry" {
	home13
	vbm modifyvm Windoze --chipset ich9
	expect_status 0
	m="$L/Machines/Windoze/Windoze.xml"
	run "$ST" version "$m"
	[ "$output" = "1.11-linux" ]
	cmp "$(fixture $F13M)" "$L/Machines/Windoze/Windoze-1.3-linux.xml"
	grep -q "<HardDisk uuid=\"{$DUUID}\" location=\"$L/VDI/Windoze.vdi\" format=\"VDI\" type=\"Normal\"/>" "$m"
	run grep -c "$DUUID" "$L/VirtualBox.xml"
	[ "$output" = 0 ]
	cmp "$(fixture $F13G)" "$L/VirtualBox-1.3-linux.xml"
	vbm list vms
	[ "$output" = "\"Windoze\" {$WUUID}" ]
}

@test "1.10 home (VirtualBox 3.2): legacy machine plus a missing one" {
	home13
	# the 3.2 global file, its paths moved into this test, with the 1.3
	# machine registered next to its own (missing) devvm
	sed -e "s|/home/jldugger/.VirtualBox|$L|g" \
	    -e "s|</MachineRegistry>|  <MachineEntry uuid=\"{$WUUID}\" src=\"Machines/Windoze/Windoze.xml\"/>\n    </MachineRegistry>|" \
	    -e "s|</HardDisks>|  <HardDisk uuid=\"{$DUUID}\" location=\"VDI/Windoze.vdi\" format=\"VDI\" type=\"Normal\"/>\n      </HardDisks>|" \
	    "$(fixture v1.10-linux-jldugger-VirtualBox.xml)" >"$L/VirtualBox.xml"
	cp "$L/VirtualBox.xml" "$BATS_TEST_TMPDIR/orig.xml"
	vbm list vms
	expect_status 0
	[ "${lines[0]}" = '"<inaccessible>" {954da2f2-e343-4a5c-9ef3-f9bef23c17d6}' ]
	[ "${lines[1]}" = "\"Windoze\" {$WUUID}" ]
	[ "${#lines[@]}" -eq 2 ]
	vbm getextradata Windoze GUI/FirstRun
	[ "$output" = "Value: yes" ]
	vbm getextradata global GUI/LastVMSelected
	[ "$output" = "Value: 954da2f2-e343-4a5c-9ef3-f9bef23c17d6" ]
	cmp "$BATS_TEST_TMPDIR/orig.xml" "$L/VirtualBox.xml"
	# a global change keeps 1.10 and writes what 4.0+ writes
	vbm setextradata global qa/x y
	expect_status 0
	run "$ST" version "$L/VirtualBox.xml"
	[ "$output" = "1.10-linux" ]
	[ ! -e "$L/VirtualBox-1.10-linux.xml" ]
	grep -q "src=\"$L/Machines/devvm/devvm.xml\"" "$L/VirtualBox.xml"
	grep -q "location=\"$L/VDI/Windoze.vdi\"" "$L/VirtualBox.xml"
	grep -q 'defaultMachineFolder="/.*/VirtualBox VMs" defaultHardDiskFormat="VDI" VRDEAuthLibrary="VRDPAuth" webServiceAuthLibrary="VRDPAuth" LogHistoryCount="3"/>' "$L/VirtualBox.xml"
	run grep -c 'defaultHardDiskFolder\|remoteDisplayAuthLibrary' "$L/VirtualBox.xml"
	[ "$output" = 0 ]
	run "$ST" xmlcmp "$BATS_TEST_TMPDIR/orig.xml" "$L/VirtualBox.xml" \
		--ignore 'ExtraDataItem[name=qa/x]' --ignore 'MachineEntry@src' \
		--ignore 'HardDisk@location' --ignore 'SystemProperties@defaultMachineFolder' \
		--ignore 'SystemProperties@defaultHardDiskFolder' \
		--ignore 'SystemProperties@remoteDisplayAuthLibrary' \
		--ignore 'SystemProperties@VRDEAuthLibrary'
	[ "$status" -eq 0 ] || { echo "$output"; false; }
}

@test "1.9 home written by VirtualBox 4.3: ten machines, one of them present" {
	T="$BATS_TEST_TMPDIR/root"
	sed -e "s|/home/chenyang|$T/home/chenyang|g" -e "s|/opt/vbox|$T/opt/vbox|g" \
	    "$(fixture v1.9-linux-xx7y7xx-VirtualBox.xml)" >"$L/VirtualBox.xml"
	mkdir -p "$T/opt/vbox/Machines/test"
	sed -e 's/9953792b-c9ca-4a0b-b804-e27498644344/8847ec8e-cfa1-464f-ac93-fa7138cf56e5/' \
	    "$(fixture v1.19-linux-tegasae-tcp-vm2.vbox)" >"$T/opt/vbox/Machines/test/test.vbox"
	vbm list vms
	expect_status 0
	[ "${#lines[@]}" -eq 10 ]
	[ "${lines[0]}" = '"<inaccessible>" {46a456af-8f2c-4f14-995b-dbd3eca21587}' ]
	[ "${lines[8]}" = '"tcp-vm2" {8847ec8e-cfa1-464f-ac93-fa7138cf56e5}' ]
	[ "${lines[9]}" = '"<inaccessible>" {5d6163f4-3f22-49ed-8f0b-faf884b9ab65}' ]
	vbm getextradata global GUI/RecentListCD
	[ "$output" = "Value: $T/home/chenyang/software/windowsXP sp3正版.iso;$T/home/chenyang/Downloads/android-x86-4.4-RC1.iso;" ]
	# a file whose UUID is not the registered one is inaccessible
	sed -i 's/8847ec8e-cfa1-464f-ac93-fa7138cf56e5/8847ec8e-cfa1-464f-ac93-fa7138cf56e6/' "$T/opt/vbox/Machines/test/test.vbox"
	vbm list vms
	[ "${lines[8]}" = '"<inaccessible>" {8847ec8e-cfa1-464f-ac93-fa7138cf56e5}' ]
	# a global change: 1.9 stays, the 4.3 layout is kept byte for byte
	cp "$L/VirtualBox.xml" "$BATS_TEST_TMPDIR/orig.xml"
	vbm setextradata global GUI/SplitterSizes "250,514"
	expect_status 0
	cmp "$BATS_TEST_TMPDIR/orig.xml" "$L/VirtualBox.xml"
	vbm setextradata global GUI/SplitterSizes "1,2"
	expect_status 0
	run "$ST" version "$L/VirtualBox.xml"
	[ "$output" = "1.9-linux" ]
	diff "$BATS_TEST_TMPDIR/orig.xml" "$L/VirtualBox.xml" >"$BATS_TEST_TMPDIR/d" || true
	[ "$(grep -c '^[<>]' "$BATS_TEST_TMPDIR/d")" = 2 ]
	grep -q '^> *<ExtraDataItem name="GUI/SplitterSizes" value="1,2"/>' "$BATS_TEST_TMPDIR/d"
}
