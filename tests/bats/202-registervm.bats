#!/usr/bin/env bats
# registervm / unregistervm (without deleting files).

load helpers

local_setup() {
	vbm createvm --name r
	expect_status 0
	F="$VMS/r/r.vbox"
}

@test "registervm adds the machine, a second time fails" {
	vbm registervm "$F"
	expect_status 0
	[ -z "$output" ]
	[ -z "$stderr" ]
	vbm list vms
	[[ "$output" == '"r" {'* ]]
	grep -q "<MachineEntry uuid=\"{[0-9a-f-]*}\" src=\"$F\"/>" "$VBOX_USER_HOME/VirtualBox.xml"
	vbm registervm "$F"
	expect_status 1
	expect_err "VBoxManage: error: Trying to open a VM config '$F' which has the same UUID as an existing virtual machine"
	expect_err "VBoxManage: error: Context: \"OpenMachine(Bstr(a->argv[0]).raw(), Bstr(strPassword).raw(), machine.asOutParam()))\" at line 160 of file VBoxManageMisc.cpp"
}

@test "registervm takes a path relative to the current directory" {
	cd "$VMS/r"
	vbm registervm r.vbox
	expect_status 0
	vbm list vms
	[[ "$output" == '"r" {'* ]]
}

@test "registervm of a missing file" {
	vbm registervm "$BATS_TEST_TMPDIR/none.vbox"
	expect_status 1
	expect_err "VBoxManage: error: Runtime error opening '$BATS_TEST_TMPDIR/none.vbox' for reading VERR_FILE_NOT_FOUND (File not found.)."
	expect_err "VBoxManage: error: Details: code NS_ERROR_FAILURE (0x80004005), component MachineWrap, interface IMachine, callee nsISupports"
	vbm registervm
	expect_status 1
	[[ "${lines[0]}" == "Usage - Register a virtual machine:" ]]
}

@test "unregistervm keeps the files; an unknown machine fails" {
	vbm registervm "$F"
	vbm unregistervm r
	expect_status 0
	[ -z "$output" ]
	[ -f "$F" ]
	vbm list vms
	[ -z "$output" ]
	vbm unregistervm r
	expect_status 1
	expect_err "VBoxManage: error: Could not find a registered machine named 'r'"
	expect_err "VBoxManage: error: Context: \"FindMachine(Bstr(VMName).raw(), machine.asOutParam())\" at line 231 of file VBoxManageMisc.cpp"
}

@test "unregistervm by UUID and syntax errors" {
	vbm registervm "$F"
	uuid=$(sed -n 's/.*<Machine uuid="{\([0-9a-f-]*\)}".*/\1/p' "$F")
	vbm unregistervm "$uuid"
	expect_status 0
	vbm unregistervm a b
	expect_status 2
	expect_err "VBoxManage: error: Invalid parameter 'b'"
}
