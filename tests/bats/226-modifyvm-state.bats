#!/usr/bin/env bats
# The machine state read from the files (saved: stateFile, aborted:
# aborted="true") in showvminfo, and what modifyvm may change in each.

load helpers
load vmconfig

U=e1e2e3e4-7777-4888-8999-0000aaaabbbb

local_setup() {
	need_shared
}

@test "saved: hardware changes are refused, nothing is written" {
	mkfile sv $U ' stateFile="Snapshots/2024-02-03T04-05-06-000000000Z.sav"'
	cp "$VMF" "$BATS_TEST_TMPDIR/before"
	vbm showvminfo sv --machinereadable
	expect_out 'VMState="saved"'
	expect_out "VMStateFile=\"$VMS/sv/Snapshots/2024-02-03T04-05-06-000000000Z.sav\""
	vbm modifyvm sv --memory 1000
	expect_status 1
	expect_err "VBoxManage: error: The machine is not mutable (state is Saved)"
	expect_err "VBoxManage: error: Details: code VBOX_E_INVALID_VM_STATE (0x80bb0002), component SessionMachine, interface IMachine, callee nsISupports"
	cmp "$VMF" "$BATS_TEST_TMPDIR/before"
	# an allowed option before a refused one is not saved either
	vbm modifyvm sv --description note --cpus 2
	expect_status 1
	cmp "$VMF" "$BATS_TEST_TMPDIR/before"
}

@test "saved: description, VRDE, NIC attachments and the name may change" {
	mkfile sv $U ' stateFile="Snapshots/x.sav"' '<Hardware><Network><Adapter slot="0" enabled="true" MACAddress="080027000001"><NAT/></Adapter></Network></Hardware>'
	vbm modifyvm sv --description "a note" --vrde on --vrdeport 5001 \
		--natpf1 "ssh,tcp,,2222,,22" --cableconnected1 off
	expect_status 0
	vbm showvminfo sv --machinereadable
	expect_out 'VMState="saved"'
	expect_out 'description="a note"'
	expect_out 'vrde="on"'
	expect_out 'Forwarding(0)="ssh,tcp,,2222,,22"'
	expect_out 'cableconnected1="off"'
	vbm modifyvm sv --name sv2
	expect_status 0
	vbm showvminfo sv2 --machinereadable
	expect_out 'VMState="saved"'
	expect_out "VMStateFile=\"$VMS/sv2/Snapshots/x.sav\""
}

@test "a rename makes absolute saved-state paths inside the folder relative" {
	mkfile abs $U " stateFile=\"$VMS/abs/Snapshots/y.sav\""
	sed -i "s|snapshotFolder=\"Snapshots\"|snapshotFolder=\"$VMS/abs/Snapshots\"|" "$VMF"
	vbm modifyvm abs --name abs2
	expect_status 0
	grep -q 'stateFile="Snapshots/y.sav"' "$VMS/abs2/abs2.vbox"
	grep -q 'snapshotFolder="Snapshots"' "$VMS/abs2/abs2.vbox"
	vbm showvminfo abs2 --machinereadable
	expect_out "SnapFldr=\"$VMS/abs2/Snapshots\""
	expect_out "VMStateFile=\"$VMS/abs2/Snapshots/y.sav\""
}

@test "aborted: shown as such, and changes are allowed" {
	mkfile ab $U ' aborted="true"'
	vbm showvminfo ab --machinereadable
	expect_out 'VMState="aborted"'
	expect_out 'VMStateChangeTime="2024-02-03T04:05:06.000000000Z"'
	vbm showvminfo ab
	expect_out "State:                       aborted (since 2024-02-03T04:05:06.000000000Z)"
	vbm modifyvm ab --memory 700
	expect_status 0
	grep -q 'aborted="true"' "$VMF"
	vbm showvminfo ab --machinereadable
	expect_out 'memory=700'
}

@test "aborted with a saved state: aborted-saved, not mutable" {
	mkfile abs $U ' aborted="true" stateFile="Snapshots/z.sav"'
	vbm showvminfo abs --machinereadable
	expect_out 'VMState="aborted-saved"'
	vbm modifyvm abs --memory 700
	expect_status 1
	expect_err "VBoxManage: error: The machine is not mutable (state is AbortedSaved)"
}

@test "powered off: the time of the last state change" {
	mkfile off $U
	vbm showvminfo off --machinereadable
	expect_out 'VMState="poweroff"'
	expect_out 'VMStateChangeTime="2024-02-03T04:05:06.000000000Z"'
	vbm showvminfo off
	expect_out "State:                       powered off (since 2024-02-03T04:05:06.000000000Z)"
}
