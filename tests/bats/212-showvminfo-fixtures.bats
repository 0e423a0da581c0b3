#!/usr/bin/env bats
# showvminfo over every real machine file of the fixtures (VirtualBox 4.1
# to 7.0, written on Linux, Windows and macOS): each one is shown in all
# three forms without a message, and reading never touches the file.

load helpers
load vmconfig

@test "every fixture machine shows in all forms and stays byte-identical" {
	need_shared
	local f n u o
	for f in "$SHARED"/fixtures/real-settings/*.vbox; do
		n=$(basename "$f" .vbox)
		mkdir -p "$VMS/$n"
		cp "$f" "$VMS/$n/"
		vbm registervm "$VMS/$n/$n.vbox"
		expect_status 0
		u=$(grep -o '<Machine uuid="{[^}]*' "$f" | head -n 1)
		u=${u#*\{}
		for o in --machinereadable --details ""; do
			vbm showvminfo "$u" $o
			expect_status 0
			[ -z "$stderr" ] || { echo "$n $o: $stderr"; false; }
			expect_out "UUID:                        $u" ||
				[ "$(mr UUID)" = "$u" ]
		done
		cmp "$f" "$VMS/$n/$n.vbox"
		# two fixtures are one machine at two versions: one at a time
		vbm unregistervm "$u"
		expect_status 0
	done
}

@test "a saved machine (stateFile) reads as saved" {
	reg_fixture v1.18-linux-Gug888-Born2beroot-1.18-linux.vbox
	vbm showvminfo Born2beroot --machinereadable
	expect_status 0
	expect_out 'VMState="saved"'
	expect_out 'VMStateChangeTime="2025-04-15T17:12:54.000000000Z"'
	expect_out "VMStateFile=\"$(dirname "$FX")/Snapshots/2025-04-11T16-59-49-092135000Z.sav\""
	vbm showvminfo Born2beroot
	expect_out "State:                       saved (since 2025-04-15T17:12:54.000000000Z)"
}

@test "audio drivers of other hosts read as this host's backend" {
	reg_fixture v1.15-windows-Bayons-Minix.vbox
	grep -q 'driver="DirectSound"' "$FX"
	vbm showvminfo Minix --machinereadable
	expect_status 0
	case $(mr audio) in
	pulse | alsa | oss) ;;
	*) false ;;
	esac
	expect_out 'audio_out="on"'
	expect_out 'audio_in="on"'
}

@test "a machine whose file is gone shows as inaccessible" {
	reg_fixture v1.19-linux-tegasae-tcp-vm2.vbox
	local u
	u=$(grep -o '<Machine uuid="{[^}]*' "$FX" | head -n 1)
	u=${u#*\{}
	rm "$FX"
	vbm showvminfo "$u"
	expect_status 0
	[ "${lines[0]}" = "Name:            <inaccessible!>" ]
	[ "${lines[1]}" = "UUID:            $u" ]
	[ "${lines[2]}" = "Config file:     $FX" ]
	[ "${lines[3]}" = "Encryption:     disabled" ]
	[ "${lines[4]}" = "Access error details:" ]
	expect_err "VBoxManage: error: Runtime error opening '$FX' for reading: -102 (File not found.)."
	vbm showvminfo "$u" --machinereadable
	expect_status 0
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = 'name="<inaccessible>"' ]
	[ "${lines[1]}" = "UUID=\"$u\"" ]
}

@test "a real machine with a snapshot: keys and the human tree" {
	reg_fixture v1.16-linux-coderMaruf-Arch_Linux.vbox
	vbm showvminfo "Arch Linux" --machinereadable
	expect_status 0
	expect_out 'SnapshotName="Pure Installation"'
	expect_out 'SnapshotUUID="36f8640c-f5ca-4b69-9065-4cf06f2d4312"'
	expect_out 'CurrentSnapshotName="Pure Installation"'
	expect_out 'CurrentSnapshotUUID="36f8640c-f5ca-4b69-9065-4cf06f2d4312"'
	expect_out 'CurrentSnapshotNode="SnapshotName"'
	expect_out "\"SATA-0-0\"=\"$(dirname "$FX")/Snapshots/{9e8f049e-c19b-4160-8373-4e225463551a}.vdi\""
	vbm showvminfo "Arch Linux"
	expect_out "* Snapshots:"
	expect_out "   Name: Pure Installation (UUID: 36f8640c-f5ca-4b69-9065-4cf06f2d4312) *"
}

@test "a real machine with a shared folder (Vagrant's clear_shared_folders)" {
	reg_fixture v1.19-windows-bostone-senaji-fedora_server.vbox
	vbm showvminfo "fedora server" --machinereadable
	expect_status 0
	expect_out 'SharedFolderNameMachineMapping1="fedora_server"'
	expect_out 'SharedFolderPathMachineMapping1="C:\\Users\\Bostone.Senaji\\VirtualBox VMs\\fedora server"'
	local l names=()
	for l in "${lines[@]}"; do
		[[ $l =~ ^SharedFolderNameMachineMapping[0-9]+=\"(.+)\"$ ]] &&
			names+=("${BASH_REMATCH[1]}")
	done
	[ "${names[*]}" = fedora_server ]
	vbm showvminfo "fedora server"
	expect_out "Name: 'fedora_server', Host path: 'C:\\Users\\Bostone.Senaji\\VirtualBox VMs\\fedora server' (machine mapping), writable, auto-mount"
}
