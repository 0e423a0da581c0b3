#!/usr/bin/env bats
# snapshot take/list/restore/restorecurrent/delete/edit/showvminfo on
# powered-off machines: the <Snapshot> tree, one differencing image per
# disk and snapshot ({uuid}.<ext> in the snapshot folder), merges on
# delete; the disks' contents are checked through clonemedium --format
# RAW after every step, for VDI, VMDK and VHD disks.

load helpers
load appliance

# byte at OFFSET of the current state's disk of vm
cur() {
	raw_of "$(state_disk vm)" "$BATS_TEST_TMPDIR/cur.raw" || return 1
	byte_at "$BATS_TEST_TMPDIR/cur.raw" "${1:-0}"
	rm -f "$BATS_TEST_TMPDIR/cur.raw"
}

snap_uuid() {
	"$VB_BIN/VBoxManage" snapshot vm list --machinereadable |
		python3 -c '
import re, sys
t = sys.stdin.read()
for m in re.finditer(r"^SnapshotName(-[0-9-]+)?=\"(.*)\"$", t, re.M):
    if m.group(2) == sys.argv[1]:
        u = re.search(r"^SnapshotUUID" + re.escape(m.group(1) or "") + r"=\"(.*)\"$", t, re.M)
        print(u.group(1))
' "$1"
}

chain() {
	local fmt=$1 ext
	ext=$(echo "$fmt" | tr '[:upper:]' '[:lower:]')
	new_vm vm "$fmt"
	vdw "$VMS/vm/vm.$ext" 0 512 0xa1
	vbm snapshot vm take s1
	expect_status 0
	[[ "${lines[0]}" =~ ^Snapshot\ taken\.\ UUID:\ [0-9a-f-]{36}$ ]]
	u1=${lines[0]#Snapshot taken. UUID: }
	[ "$(snap_uuid s1)" = "$u1" ]
	# the current state now writes into a differencing image in the
	# snapshot folder, named after its UUID, in the base's format
	d1=$(state_disk vm)
	[ -f "$VMS/vm/Snapshots/{$d1}.$ext" ]
	vbm showmediuminfo "$VMS/vm/Snapshots/{$d1}.$ext"
	expect_out "Type:           normal (differencing)"
	expect_out "Storage format: $fmt"
	vdw "$d1" 0 512 0xb2
	vdw "$d1" 4194304 512 0xb3
	vbm snapshot vm take s2 --description "second
line"
	expect_status 0
	vdw "$(state_disk vm)" 0 512 0xc3
	[ "$(cur)" = c3 ] && [ "$(cur 4194304)" = b3 ]
	# the base still holds s1's data
	raw_of "$VMS/vm/vm.$ext" "$BATS_TEST_TMPDIR/base.raw"
	[ "$(byte_at "$BATS_TEST_TMPDIR/base.raw" 0)" = a1 ]

	vbm snapshot vm restore s1
	expect_status 0
	expect_out "Restoring snapshot 's1' ($u1)"
	[[ "$stderr" == *"90%...100%"* ]]
	[ "$(cur)" = a1 ] && [ "$(cur 4194304)" = 00 ]
	vdw "$(state_disk vm)" 0 512 0xd4
	vbm snapshot vm restore s2
	[ "$(cur)" = b2 ] && [ "$(cur 4194304)" = b3 ]
	# restoring throws away what the state wrote
	vdw "$(state_disk vm)" 0 512 0xe5
	vbm snapshot vm restorecurrent
	expect_status 0
	expect_out "Restoring snapshot 's2' ($(snap_uuid s2))"
	[ "$(cur)" = b2 ]

	# delete s1 (one child): s1's image and s2's merge
	vbm snapshot vm delete s1
	expect_status 0
	expect_out "Deleting snapshot 's1' ($u1)"
	vbm snapshot vm list --machinereadable
	expect_no_out 'SnapshotName="s1"'
	expect_out 'SnapshotName="s2"'
	[ "$(cur)" = b2 ] && [ "$(cur 4194304)" = b3 ]
	vbm snapshot vm restore s2
	[ "$(cur)" = b2 ] && [ "$(cur 4194304)" = b3 ]
	vdw "$(state_disk vm)" 0 512 0xf6
	# delete the last one: the state's data goes on, in one image
	vbm snapshot vm delete s2
	expect_status 0
	[ "$(cur)" = f6 ] && [ "$(cur 4194304)" = b3 ]
	vbm snapshot vm list
	expect_status 1
	expect_out "This machine does not have any snapshots"
	# nothing is left of the differencing images
	[ -z "$(ls -A "$VMS/vm/Snapshots" 2>/dev/null)" ]
	vbm list hdds
	[ "$(grep -c '^UUID:' <<<"$output")" = 1 ]
	[ "$(state_disk vm)" = "$(sed -n 's/^UUID: *//p' <<<"$output")" ]
}

@test "take/restore/delete chain on a VDI disk" {
	chain VDI
}

@test "take/restore/delete chain on a VMDK disk" {
	chain VMDK
}

@test "take/restore/delete chain on a VHD disk" {
	chain VHD
}

@test "list: human, --details and --machinereadable with the current snapshot's keys after its own lines" {
	new_vm vm
	vbm snapshot vm list
	expect_status 1
	[ "$output" = "This machine does not have any snapshots" ]
	[ -z "$stderr" ]
	vbm snapshot vm list --machinereadable
	expect_status 1
	[ "$output" = "This machine does not have any snapshots" ]
	vbm snapshot vm take s1 --description "first one"
	vbm snapshot vm take s2
	vbm snapshot vm restore s1
	vbm snapshot vm take s3
	vbm snapshot vm restore s1
	u1=$(snap_uuid s1); u2=$(snap_uuid s2); u3=$(snap_uuid s3)
	vbm snapshot vm list --machinereadable
	expect_status 0
	expected="SnapshotName=\"s1\"
SnapshotUUID=\"$u1\"
SnapshotDescription=\"first one\"
CurrentSnapshotName=\"s1\"
CurrentSnapshotUUID=\"$u1\"
CurrentSnapshotNode=\"SnapshotName\"
SnapshotName-1=\"s2\"
SnapshotUUID-1=\"$u2\"
SnapshotName-2=\"s3\"
SnapshotUUID-2=\"$u3\""
	[ "$output" = "$expected" ] || { diff <(echo "$expected") <(echo "$output"); false; }
	vbm snapshot vm list
	expected="   Name: s1 (UUID: $u1) *
   Description: first one
      Name: s2 (UUID: $u2)
      Name: s3 (UUID: $u3)"
	[ "$output" = "$expected" ] || { diff <(echo "$expected") <(echo "$output"); false; }
	# deeper: s3's child is current
	vbm snapshot vm restore s3
	vbm snapshot vm take s4
	u4=$(snap_uuid s4)
	vbm snapshot vm list --machinereadable
	expected="SnapshotName=\"s1\"
SnapshotUUID=\"$u1\"
SnapshotDescription=\"first one\"
SnapshotName-1=\"s2\"
SnapshotUUID-1=\"$u2\"
SnapshotName-2=\"s3\"
SnapshotUUID-2=\"$u3\"
SnapshotName-2-1=\"s4\"
SnapshotUUID-2-1=\"$u4\"
CurrentSnapshotName=\"s4\"
CurrentSnapshotUUID=\"$u4\"
CurrentSnapshotNode=\"SnapshotName-2-1\""
	[ "$output" = "$expected" ] || { diff <(echo "$expected") <(echo "$output"); false; }
}

@test "take --uniquename, edit, showvminfo of a snapshot" {
	new_vm vm
	vbm modifyvm vm --memory 256
	vbm snapshot vm take s1
	vbm modifyvm vm --memory 512
	vbm snapshot vm take s1 --uniquename Number
	expect_status 0
	vbm snapshot vm take s1 --uniquename Number
	vbm snapshot vm take "s1" --uniquename Number,Space
	vbm snapshot vm list --machinereadable
	expect_out 'SnapshotName-1="s12"'
	expect_out 'SnapshotName-1-1="s13"'
	expect_out 'SnapshotName-1-1-1="s1 2"'
	vbm snapshot vm take s1 --uniquename Bogus
	expect_status 2
	expect_err "VBoxManage: error: Invalid unique name description 'Bogus'"
	# a snapshot keeps the settings of its time
	vbm snapshot vm showvminfo s1
	expect_status 0
	[[ "$output" == *"Memory size:"*"256MB"* ]] || { show_run; false; }
	vbm showvminfo vm --machinereadable
	expect_out 'memory=512'
	vbm snapshot vm edit s1 --name first --description "the first"
	expect_status 0
	vbm snapshot vm edit --current --name last
	expect_status 0
	vbm snapshot vm list --machinereadable
	expect_out 'SnapshotName="first"'
	expect_out 'SnapshotDescription="the first"'
	expect_out 'CurrentSnapshotName="last"'
	# restoring a snapshot brings its settings back
	vbm snapshot vm restore first
	vbm showvminfo vm --machinereadable
	expect_out 'memory=256'
}

@test "delete: a snapshot with two children is refused, the tree is untouched" {
	new_vm vm
	vbm snapshot vm take s1
	vbm snapshot vm take s2
	vbm snapshot vm restore s1
	vbm snapshot vm take s3
	cp "$VMS/vm/vm.vbox" "$BATS_TEST_TMPDIR/before.vbox"
	vbm snapshot vm delete s1
	expect_status 1
	expect_out "Deleting snapshot 's1' ($(snap_uuid s1))"
	expect_err "VBoxManage: error: Snapshot 's1' of the machine 'vm' cannot be deleted, because it has 2 child snapshots, which is more than the one snapshot allowed for deletion"
	expect_err "VBoxManage: error: Details: code VBOX_E_INVALID_OBJECT_STATE (0x80bb0007), component SessionMachine, interface IMachine"
	cmp "$VMS/vm/vm.vbox" "$BATS_TEST_TMPDIR/before.vbox"
	# its leaves go
	vbm snapshot vm delete s2
	expect_status 0
	vbm snapshot vm delete s1
	expect_status 0
	vbm snapshot vm list --machinereadable
	expect_out 'SnapshotName="s3"'
	expect_no_out 'SnapshotName-1="s2"'
}

@test "snapshot: command line errors" {
	new_vm vm
	vbm snapshot vm
	expect_status 2
	expect_err "VBoxManage: error: Not enough parameters"
	vbm snapshot vm bogus
	expect_status 1
	expect_err "VBoxManage: error: Invalid parameter 'bogus'"
	vbm snapshot vm take
	expect_status 1
	expect_err "VBoxManage: error: Missing snapshot name"
	vbm snapshot vm delete nosuch
	expect_status 1
	expect_err "VBoxManage: error: This machine does not have any snapshots"
	vbm snapshot vm restorecurrent
	expect_status 1
	expect_out "This machine does not have any snapshots"
	[ ! -e "$VMS/vm/Snapshots" ] || [ -z "$(ls -A "$VMS/vm/Snapshots")" ]
	vbm snapshot vm take s1
	vbm snapshot vm delete nosuch
	expect_status 1
	expect_err "VBoxManage: error: Could not find a snapshot named 'nosuch'"
	expect_err "VBoxManage: error: Details: code VBOX_E_OBJECT_NOT_FOUND (0x80bb0001), component SessionMachine, interface IMachine"
	vbm snapshot vm restore nosuch
	expect_status 1
	expect_err "VBoxManage: error: Could not find a snapshot named 'nosuch'"
	vbm snapshot vm showvminfo nosuch
	expect_status 1
	expect_err "VBoxManage: error: Could not find a snapshot named 'nosuch'"
	vbm snapshot nosuchvm list
	expect_status 1
	expect_err "VBoxManage: error: Could not find a registered machine named 'nosuchvm'"
}

@test "a snapshot with a DVD and two disks: every hard disk gets its own image" {
	new_vm vm
	vbm createmedium disk --filename "$VMS/vm/second.vmdk" --format VMDK --size 4
	vbm storageattach vm --storagectl SATA --port 1 --device 0 --type hdd \
		--medium "$VMS/vm/second.vmdk"
	vbm storageattach vm --storagectl SATA --port 2 --device 0 --type dvddrive \
		--medium emptydrive
	vdw "$VMS/vm/second.vmdk" 512 512 0x77
	vbm snapshot vm take s1
	expect_status 0
	vdis=("$VMS"/vm/Snapshots/*.vdi)
	vmdks=("$VMS"/vm/Snapshots/*.vmdk)
	[ "${#vdis[@]}" = 1 ] && [ -f "${vdis[0]}" ]
	[ "${#vmdks[@]}" = 1 ] && [ -f "${vmdks[0]}" ]
	vbm showvminfo vm --machinereadable
	expect_out '"SATA-2-0"="emptydrive"'
	d2=$(sed -n 's/^"SATA-1-0"="\(.*\)"$/\1/p' <<<"$output")
	[[ "$d2" == "$VMS/vm/Snapshots/{"*"}.vmdk" ]]
	vdw "$d2" 512 512 0x88
	vbm snapshot vm restore s1
	vbm showvminfo vm --machinereadable
	d2=$(sed -n 's/^"SATA-1-0"="\(.*\)"$/\1/p' <<<"$output")
	raw_of "$d2" "$BATS_TEST_TMPDIR/d2.raw"
	[ "$(byte_at "$BATS_TEST_TMPDIR/d2.raw" 512)" = 77 ]
	vbm snapshot vm delete s1
	expect_status 0
	vbm showvminfo vm --machinereadable
	expect_out "\"SATA-1-0\"=\"$VMS/vm/second.vmdk\""
	raw_of "$VMS/vm/second.vmdk" "$BATS_TEST_TMPDIR/d3.raw"
	[ "$(byte_at "$BATS_TEST_TMPDIR/d3.raw" 512)" = 77 ]
}

@test "EFI machines: the NVRAM file is copied for a snapshot, restored from it, removed with it, cloned" {
	new_vm vm
	vbm modifyvm vm --firmware efi
	echo one >"$VMS/vm/vm.nvram"
	vbm snapshot vm take s1
	expect_status 0
	nv=("$VMS"/vm/Snapshots/*.nvram)
	[ "${#nv[@]}" = 1 ] && [ -f "${nv[0]}" ]
	[[ "${nv[0]}" =~ /Snapshots/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}-[0-9]{2}-[0-9]{2}-[0-9]{9}Z\.nvram$ ]]
	[ "$(cat "${nv[0]}")" = one ]
	grep -q "<NVRAM path=\"Snapshots/${nv[0]##*/}\"/>" "$VMS/vm/vm.vbox"
	echo two >"$VMS/vm/vm.nvram"
	vbm snapshot vm restore s1
	expect_status 0
	[ "$(cat "$VMS/vm/vm.nvram")" = one ]
	vbm showvminfo vm --machinereadable
	expect_out "BIOS NVRAM File=\"$VMS/vm/vm.nvram\""
	# a clone of the snapshot gets its own copy
	vbm clonevm vm --snapshot s1 --name c
	expect_status 0
	[ "$(cat "$VMS/c/c.nvram")" = one ]
	grep -q '<NVRAM path="c.nvram"/>' "$VMS/c/c.vbox"
	vbm snapshot vm delete s1
	expect_status 0
	[ ! -e "${nv[0]}" ]
	[ "$(cat "$VMS/vm/vm.nvram")" = one ]
}
