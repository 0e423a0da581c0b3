#!/usr/bin/env bats
# clonevm: full clones copy the disks (whole chains flattened into one
# image), linked clones put differencing images on a snapshot's disks,
# --mode all keeps the snapshot tree; names, UUIDs, MAC addresses and
# errors as VirtualBox.  Disk contents are checked through clonemedium
# --format RAW.

load helpers
load appliance

local_setup() {
	new_vm src
	vbm modifyvm src --nic1 nat --nic2 intnet --memory 640
	vdw "$VMS/src/src.vdi" 0 512 0x11
	vbm snapshot src take s1
	[ "$status" -eq 0 ] || { show_run; false; }
	vdw "$(state_disk src)" 0 512 0x22
	vdw "$(state_disk src)" 1048576 512 0x33
}

first_byte() {
	raw_of "$1" "$BATS_TEST_TMPDIR/fb.raw" || return 1
	byte_at "$BATS_TEST_TMPDIR/fb.raw" "${2:-0}"
	rm -f "$BATS_TEST_TMPDIR/fb.raw"
}

mr() {
	"$VB_BIN/VBoxManage" showvminfo "$1" --machinereadable | sed -n "s/^$2=//p"
}

@test "full clone of the current state: default name, copied disk, same contents" {
	vbm clonevm src
	expect_status 0
	expect_out 'Machine has been successfully cloned as "src Clone"'
	[[ "$stderr" == *"90%...100%"* ]]
	[ -f "$VMS/src Clone/src Clone.vbox" ]
	[ -f "$VMS/src Clone/src Clone.vdi" ]
	# not registered without --register
	vbm list vms
	[ "${#lines[@]}" = 1 ]
	vbm registervm "$VMS/src Clone/src Clone.vbox"
	expect_status 0
	[ "$(mr "src Clone" memory)" = 640 ]
	[ "$(mr "src Clone" '"SATA-0-0"')" = "\"$VMS/src Clone/src Clone.vdi\"" ]
	[ "$(mr "src Clone" UUID)" != "$(mr src UUID)" ]
	# the copy flattened the chain: a base image holding the current state
	vbm showmediuminfo "$VMS/src Clone/src Clone.vdi"
	expect_out "Parent UUID:    base"
	[ "$(first_byte "$VMS/src Clone/src Clone.vdi")" = 22 ]
	[ "$(first_byte "$VMS/src Clone/src Clone.vdi" 1048576)" = 33 ]
	# no snapshots came along
	vbm snapshot "src Clone" list
	expect_status 1
	expect_out "This machine does not have any snapshots"
	# independent: writing the clone leaves the source alone
	vdw "$VMS/src Clone/src Clone.vdi" 0 512 0x44
	[ "$(first_byte "$(state_disk src)")" = 22 ]
}

@test "full clone of a snapshot has the snapshot's contents" {
	vbm clonevm src --snapshot s1 --name fromsnap --register
	expect_status 0
	expect_out 'Machine has been successfully cloned as "fromsnap"'
	[ "$(first_byte "$VMS/fromsnap/fromsnap.vdi")" = 11 ]
	[ "$(first_byte "$VMS/fromsnap/fromsnap.vdi" 1048576)" = 00 ]
	vbm list vms
	[ "${#lines[@]}" = 2 ]
}

@test "linked clone: a differencing image on the snapshot's disk" {
	vbm clonevm src --snapshot s1 --options link --name linked --register
	expect_status 0
	expect_out 'Machine has been successfully cloned as "linked"'
	disk=$(state_disk linked)
	[ -n "$disk" ]
	vbm showmediuminfo "$disk"
	expect_status 0
	base=$(sed -n 's/^UUID: *//p' < <("$VB_BIN/VBoxManage" showmediuminfo "$VMS/src/src.vdi"))
	expect_out "Parent UUID:    $base"
	[[ "$output" == *"Location:       $VMS/linked/Snapshots/{$disk}.vdi"* ]]
	# the clone has no copy of the data and sees the snapshot's state
	[ ! -e "$VMS/linked/linked.vdi" ]
	[ "$(first_byte "$disk")" = 11 ]
	vdw "$disk" 0 512 0x55
	[ "$(first_byte "$disk")" = 55 ]
	[ "$(first_byte "$VMS/src/src.vdi")" = 11 ]
	[ "$(first_byte "$(state_disk src)")" = 22 ]
	# the source's snapshot disk is now shared: merging it away would
	# change what the clone sees, so the snapshot cannot be deleted
	vbm snapshot src delete s1
	expect_status 1
	expect_err "VBoxManage: error: Hard disk '$VMS/src/src.vdi' has more than one child hard disk (2)"
	[ "$(first_byte "$disk")" = 55 ]
	[ "$(first_byte "$VMS/src/src.vdi")" = 11 ]
	vbm snapshot src list --machinereadable
	expect_out 'SnapshotName="s1"'
}

@test "linked clones need a snapshot and a single state" {
	vbm clonevm src --options link --name l1
	expect_status 1
	expect_err "VBoxManage: error: Linked clone can only be created from a snapshot"
	expect_err "VBoxManage: error: Details: code NS_ERROR_INVALID_ARG (0x80070057), component MachineWrap, interface IMachine, callee nsISupports"
	vbm clonevm src --options link --snapshot s1 --mode all --name l2
	expect_status 1
	expect_err "VBoxManage: error: Linked clone can only be created for a single machine state"
	[ ! -e "$VMS/l1" ] && [ ! -e "$VMS/l2" ]
}

@test "--mode all keeps the snapshot tree and every state's contents" {
	vbm snapshot src take s2
	vdw "$(state_disk src)" 0 512 0x66
	vbm clonevm src --mode all --name everything --register
	expect_status 0
	vbm snapshot everything list --machinereadable
	expect_status 0
	expect_out 'SnapshotName="s1"'
	expect_out 'SnapshotName-1="s2"'
	[ "$(first_byte "$(state_disk everything)")" = 66 ]
	vbm snapshot everything restore s2
	expect_status 0
	[ "$(first_byte "$(state_disk everything)")" = 22 ]
	[ "$(first_byte "$(state_disk everything)" 1048576)" = 33 ]
	vbm snapshot everything restore s1
	[ "$(first_byte "$(state_disk everything)")" = 11 ]
	# the source did not move
	[ "$(first_byte "$(state_disk src)")" = 66 ]
	# the chain was copied, not shared
	[ -f "$VMS/everything/everything.vdi" ]
	run grep -c "$VMS/src/" "$VMS/everything/everything.vbox"
	[ "$output" = 0 ]
}

@test "--mode machineandchildren clones the snapshot and what follows it" {
	vbm snapshot src take s2
	vbm clonevm src --snapshot s1 --mode machineandchildren --name kids --register
	expect_status 0
	vbm snapshot kids list --machinereadable
	expect_out 'SnapshotName="s1"'
	expect_out 'SnapshotName-1="s2"'
}

@test "MAC addresses: new by default, kept with keepallmacs, NAT only with keepnatmacs" {
	m1=$(mr src macaddress1)
	m2=$(mr src macaddress2)
	vbm clonevm src --name fresh --register
	[ "$(mr fresh macaddress1)" != "$m1" ] && [ "$(mr fresh macaddress2)" != "$m2" ]
	vbm clonevm src --name all --options keepallmacs --register
	[ "$(mr all macaddress1)" = "$m1" ] && [ "$(mr all macaddress2)" = "$m2" ]
	vbm clonevm src --name nat --options keepnatmacs --register
	[ "$(mr nat macaddress1)" = "$m1" ] && [ "$(mr nat macaddress2)" != "$m2" ]
}

@test "keephwuuids, keepdisknames, --uuid, --basefolder, --groups" {
	vbm modifyvm src --hardware-uuid 01234567-89ab-cdef-0123-456789abcdef
	vbm clonevm src --name hw --options keephwuuids \
		--uuid 11111111-2222-3333-4444-555555555555 --register
	expect_status 0
	[ "$(mr hw UUID)" = '"11111111-2222-3333-4444-555555555555"' ]
	[ "$(mr hw hardwareuuid)" = '"01234567-89ab-cdef-0123-456789abcdef"' ]
	[ -f "$VMS/hw/hw.vdi" ]
	vbm clonevm src --snapshot s1 --name names --options keepdisknames --register
	expect_status 0
	[ -f "$VMS/names/src.vdi" ]
	vbm clonevm src --name nohw --register
	[ "$(mr nohw hardwareuuid)" != '"01234567-89ab-cdef-0123-456789abcdef"' ]
	vbm clonevm src --name elsewhere --basefolder "$BATS_TEST_TMPDIR/other" --groups /team --register
	expect_status 0
	[ -f "$BATS_TEST_TMPDIR/other/team/elsewhere/elsewhere.vbox" ]
	[ -f "$BATS_TEST_TMPDIR/other/team/elsewhere/elsewhere.vdi" ]
	[ "$(mr elsewhere groups)" = '"/team"' ]
	vbm clonevm src --name grouped --groups /g1 --register
	[ -f "$VMS/g1/grouped/grouped.vbox" ]
}

@test "clonevm: errors, and nothing left behind" {
	vbm clonevm
	expect_status 1
	expect_out "Usage - Create a clone of an existing virtual machine:"
	expect_out "  VBoxManage clonevm <vmname|uuid> [--basefolder=basefolder]"
	vbm clonevm src --mode bogus
	expect_status 2
	expect_err "VBoxManage: error: Invalid clone mode 'bogus'"
	vbm clonevm src --options bogus
	expect_status 2
	expect_err "VBoxManage: error: Invalid clone options 'bogus'"
	vbm clonevm src --bogus
	expect_status 2
	vbm clonevm nosuch
	expect_status 1
	expect_err "VBoxManage: error: Could not find a registered machine named 'nosuch'"
	vbm clonevm src --snapshot nosuch
	expect_status 1
	expect_err "VBoxManage: error: Could not find a snapshot named 'nosuch'"
	expect_err "VBoxManage: error: Context: \"FindSnapshot(Bstr(pszSnapshotName).raw(), srcSnapshot.asOutParam())\" at line 688 of file VBoxManageMisc.cpp"
	mkdir -p "$VMS/taken"
	echo keep >"$VMS/taken/taken.vbox"
	vbm clonevm src --name taken
	expect_status 1
	expect_err "VBoxManage: error: Machine settings file '$VMS/taken/taken.vbox' already exists"
	[ "$(cat "$VMS/taken/taken.vbox")" = keep ]
	[ "$(ls "$VMS/taken")" = taken.vbox ]
	# a clone that fails half-way removes what it made: an unreadable
	# source disk
	chmod 000 "$VMS/src/src.vdi"
	if [ -r "$VMS/src/src.vdi" ]; then
		chmod 644 "$VMS/src/src.vdi"
		skip "running with permissions that read anything"
	fi
	vbm clonevm src --name broken --register
	chmod 644 "$VMS/src/src.vdi"
	expect_status 1
	expect_err "VBoxManage: error: Clone VM failed"
	[ ! -e "$VMS/broken" ]
	vbm list vms
	[ "${#lines[@]}" = 1 ]
}
