#!/usr/bin/env bats
# startvm: the VM process runs detached, the command returns once it
# runs, with VirtualBox's two lines; the live state everywhere VirtualBox
# shows it; a second start and bad requests are refused as VirtualBox
# refuses them.  KVM engine, the counting real-mode CD.

load helpers
load 500-vm
load 510-run

local_setup() {
	need_kvm
}

@test "startvm prints VirtualBox's two lines and returns with the machine running" {
	count_vm s1
	started s1
	[ -z "$stderr" ]
	# running right away: no window where clients see another state
	vbm showvminfo s1 --machinereadable
	expect_out 'VMState="running"'
	expect_out 'SessionName="headless"'
	expect_out 'VRDEActiveConnection="off"'
	expect_out 'VRDEClients==0'
	expect_out 'GuestOSType="Other"'
	expect_out 'GuestAdditionsRunLevel=0'
	grep -Eq '^VMStateChangeTime="[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z"$' <<<"$output"
	vbm showvminfo s1
	expect_status 0
	grep -Eq '^State:                       running \(since [0-9T:.-]+Z\)$' <<<"$output"
	expect_out "Session name:                headless"
	expect_out "VRDE Connection:             not active"
	expect_out "Clients so far:              0"
	expect_out "OS type:                     Other"
	expect_out "Additions run level:         0"
	expect_out "Guest Facilities:            <none>"
	uuid=$(sed -n 's/^UUID="\(.*\)"$/\1/p' <<<"$("$VB_BIN/VBoxManage" showvminfo s1 --machinereadable)")
	vbm list runningvms
	expect_status 0
	[ "$output" = "\"s1\" {$uuid}" ]
	# the guest really runs: its count goes on
	wait_tick s1 2
	# a detached process of its own, in its own session
	pid=$(vm_pid s1)
	[ -n "$pid" ]
	[ "$(ps -o sid= -p "$pid" | tr -d ' ')" = "$pid" ]
	grep -q "Front end: headless" "$VMS/s1/Logs/VBox.log"
}

@test "list runningvms shows only running machines, with a paused one" {
	count_vm r1
	count_vm r2
	vbm list runningvms
	expect_status 0
	[ -z "$output" ]
	started r1
	started r2
	"$VB_BIN/VBoxManage" controlvm r2 pause
	vbm list runningvms
	[ "${#lines[@]}" -eq 2 ]
	grep -Eq '^"r1" \{[0-9a-f-]{36}\}$' <<<"$output"
	grep -Eq '^"r2" \{[0-9a-f-]{36}\}$' <<<"$output"
	"$VB_BIN/VBoxManage" controlvm r1 poweroff 2>/dev/null
	vbm list runningvms
	[ "${#lines[@]}" -eq 1 ]
	grep -Eq '^"r2" \{' <<<"$output"
}

@test "a second startvm of a running machine fails with VBOX_E_INVALID_OBJECT_STATE" {
	count_vm twice
	started twice
	vbm startvm twice --type headless
	expect_status 1
	[ -z "$output" ]
	[ "$stderr" = "VBoxManage: error: The machine 'twice' is already locked by a session (or being locked or unlocked)
VBoxManage: error: Details: code VBOX_E_INVALID_OBJECT_STATE (0x80bb0007), component MachineWrap, interface IMachine, callee nsISupports
VBoxManage: error: Context: \"LaunchVMProcess(a->session, sessionType.raw(), ComSafeArrayAsInParam(aBstrEnv), progress.asOutParam())\" at line 881 of file VBoxManageMisc.cpp" ]
	# by UUID the same
	uuid=$(sed -n 's/^UUID="\(.*\)"$/\1/p' <<<"$("$VB_BIN/VBoxManage" showvminfo twice --machinereadable)")
	vbm startvm "$uuid"
	expect_status 1
	expect_err "VBoxManage: error: The machine 'twice' is already locked by a session (or being locked or unlocked)"
	[ "$(vmstate twice)" = running ]
}

@test "startvm refuses unknown machines, bad options and types" {
	vbm startvm nosuch
	expect_status 1
	expect_err "VBoxManage: error: Could not find a registered machine named 'nosuch'"
	expect_err "VBoxManage: error: Details: code VBOX_E_OBJECT_NOT_FOUND (0x80bb0001), component VirtualBoxWrap, interface IVirtualBox, callee nsISupports"
	vbm startvm
	expect_status 1
	expect_out "Usage - Start a virtual machine:"
	vbm startvm --type headless
	expect_status 2
	expect_err "VBoxManage: error: at least one VM name or uuid required"
	count_vm t1
	vbm startvm t1 --type whatever
	expect_status 1
	expect_err "VBoxManage: error: Invalid frontend name: 'whatever'"
	expect_err "VBoxManage: error: Details: code NS_ERROR_INVALID_ARG (0x80070057), component MachineWrap, interface IMachine, callee nsISupports"
	vbm startvm t1 --bogus
	expect_status 2
	expect_err "VBoxManage: error: unknown option: --bogus"
	[ "$(vmstate t1)" = poweroff ]
}

@test "startvm --type gui and sdl run VBoxSDL, which fails clearly without a display" {
	count_vm g1
	vbm startvm g1 --type gui
	expect_status 1
	expect_out 'Waiting for VM "g1" to power on...'
	expect_no_out 'VM "g1" has been successfully started.'
	expect_err "VBoxManage: error: The virtual machine 'g1' has terminated unexpectedly during startup with exit code 1 (0x1)"
	grep -q '^VBoxManage: error: VBoxSDL: error: ' <<<"$stderr"
	expect_err "VBoxManage: error: Details: code NS_ERROR_FAILURE (0x80004005), component MachineWrap, interface IMachine"
	[ "$(vmstate g1)" = poweroff ]
	vbm startvm g1 --type sdl
	expect_status 1
	# no --type: the GUI is VirtualBox's default front end
	vbm startvm g1
	expect_status 1
	expect_err "VBoxManage: error: The virtual machine 'g1' has terminated unexpectedly during startup with exit code 1 (0x1)"
	# the machine's default front end counts
	"$VB_BIN/VBoxManage" modifyvm g1 --default-frontend headless
	vbm startvm g1
	expect_status 0
	expect_out 'VM "g1" has been successfully started.'
}

@test "startvm reports why the VM could not start, and the machine stays powered off" {
	count_vm bad
	iso=$(realmode_iso realmode-count)
	cp "$iso" "$BATS_TEST_TMPDIR/gone.iso"
	"$VB_BIN/VBoxManage" storageattach bad --storagectl IDE --port 1 --device 0 --type dvddrive --medium "$BATS_TEST_TMPDIR/gone.iso"
	rm "$BATS_TEST_TMPDIR/gone.iso"
	vbm startvm bad --type headless
	expect_status 1
	expect_out 'Waiting for VM "bad" to power on...'
	expect_err "VBoxManage: error: Could not open the medium '$BATS_TEST_TMPDIR/gone.iso'."
	expect_err "VBoxManage: error: VD: error VERR_FILE_NOT_FOUND opening image file '$BATS_TEST_TMPDIR/gone.iso' (VERR_FILE_NOT_FOUND)."
	expect_err "VBoxManage: error: Details: code NS_ERROR_FAILURE (0x80004005), component MediumWrap, interface IMedium"
	[ "$(vmstate bad)" = poweroff ]
	vbm list runningvms
	[ -z "$output" ]
	run ! grep -q 'aborted' "$(vm_file bad)"
}

@test "startvm -E sets and removes environment variables of the VM process" {
	count_vm env1
	export KEEP_ME=1 DROP_ME=1
	vbm startvm env1 --type headless -E VBOXTEST_A=hello --putenv VBOXTEST_B=a=b -E DROP_ME
	expect_status 0
	env=$(tr '\0' '\n' <"/proc/$(vm_pid env1)/environ")
	grep -qx 'VBOXTEST_A=hello' <<<"$env"
	grep -qx 'VBOXTEST_B=a=b' <<<"$env"
	grep -qx 'KEEP_ME=1' <<<"$env"
	run ! grep -q '^DROP_ME=' <<<"$env"
}

@test "startvm of several machines starts each" {
	count_vm m1
	count_vm m2
	vbm startvm m1 m2 --type headless
	expect_status 0
	expect_out 'VM "m1" has been successfully started.'
	expect_out 'VM "m2" has been successfully started.'
	[ "$(vmstate m1)" = running ]
	[ "$(vmstate m2)" = running ]
	# one of them failing fails the command, the other still starts
	"$VB_BIN/VBoxManage" controlvm m2 poweroff 2>/dev/null
	vbm startvm m1 m2 --type headless
	expect_status 1
	expect_out 'VM "m2" has been successfully started.'
	expect_err "VBoxManage: error: The machine 'm1' is already locked by a session (or being locked or unlocked)"
}
