#!/usr/bin/env bats
# sharedfolder add/remove on a machine that is not running.

load helpers

local_setup() {
	vbm createvm --name sf --register
	expect_status 0
	F="$VMS/sf/sf.vbox"
	mkdir -p "$BATS_TEST_TMPDIR/share"
}

@test "add stores an absolute host path, remove takes it away" {
	cd "$BATS_TEST_TMPDIR"
	vbm sharedfolder add sf --name s1 --hostpath share/ --readonly --automount --auto-mount-point /mnt/s
	expect_status 0
	[ -z "$output" ]
	grep -q "<SharedFolder name=\"s1\" hostPath=\"$BATS_TEST_TMPDIR/share\" writable=\"false\" autoMount=\"true\" autoMountPoint=\"/mnt/s\"/>" "$F"
	vbm sharedfolder add sf --name s2 --hostpath "$BATS_TEST_TMPDIR/share"
	expect_status 0
	grep -q "<SharedFolder name=\"s2\" hostPath=\"$BATS_TEST_TMPDIR/share\" writable=\"true\" autoMount=\"false\"/>" "$F"
	vbm sharedfolder remove sf --name s1
	expect_status 0
	run ! grep -q 'name="s1"' "$F"
	vbm sharedfolder remove sf --name s2
	expect_status 0
	run ! grep -q SharedFolders "$F"
}

@test "duplicate and unknown names, missing directory" {
	vbm sharedfolder add sf --name s1 --hostpath "$BATS_TEST_TMPDIR/share"
	vbm sharedfolder add sf --name s1 --hostpath "$BATS_TEST_TMPDIR/share"
	expect_status 1
	expect_err "VBoxManage: error: Shared folder named 's1' already exists"
	expect_err "VBoxManage: error: Details: code VBOX_E_OBJECT_IN_USE (0x80bb000c), component SessionMachine, interface IMachine, callee nsISupports"
	expect_err "VBoxManage: error: Context: \"CreateSharedFolder(Bstr(pszName).raw(), Bstr(szAbsHostPath).raw(), fWritable, fAutoMount, Bstr(pszAutoMountPoint).raw())\" at line 1680 of file VBoxManageMisc.cpp"
	vbm sharedfolder remove sf --name nope
	expect_status 1
	expect_err "VBoxManage: error: Could not find a shared folder named 'nope'"
	expect_err "VBoxManage: error: Context: \"RemoveSharedFolder(Bstr(pszName).raw())\" at line 1775 of file VBoxManageMisc.cpp"
}

@test "--transient needs a running machine" {
	vbm sharedfolder add sf --name t --hostpath "$BATS_TEST_TMPDIR/share" --transient
	expect_status 1
	[ "$stderr" = "VBoxManage: error: Machine 'sf' is not currently running." ]
	vbm sharedfolder remove sf --name t --transient
	expect_status 1
	expect_err "VBoxManage: error: Machine 'sf' is not currently running."
}

@test "syntax errors" {
	vbm sharedfolder add sf --hostpath /tmp
	expect_status 2
	expect_err "VBoxManage: error: No shared folder name (--name) was given"
	vbm sharedfolder add sf --name "a b" --hostpath /tmp
	expect_status 2
	expect_err "VBoxManage: error: Invalid shared folder name 'a b': contains space"
	vbm sharedfolder add sf --name x
	expect_status 2
	expect_err "VBoxManage: error: No host path (--hostpath) was given"
	vbm sharedfolder add --name x --hostpath /tmp
	expect_status 2
	expect_err "VBoxManage: error: No machine was specified"
	vbm sharedfolder add nosuch --name x --hostpath /tmp
	expect_status 1
	expect_err "VBoxManage: error: Context: \"FindMachine(Bstr(pszMachineName).raw(), ptrMachine.asOutParam())\" at line 1647 of file VBoxManageMisc.cpp"
}
