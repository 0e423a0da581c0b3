#!/usr/bin/env bats
# controlvm on a running machine: pause and resume stop and continue the
# guest (its count on COM1), reset, poweroff, the ACPI buttons, the
# keyboard, run-time settings, and VirtualBox's errors for the states
# and requests it refuses.  KVM engine, the counting real-mode CD.

load helpers
load 500-vm
load 510-run

local_setup() {
	need_kvm
}

@test "pause stops the guest and resume continues it" {
	count_vm p1
	started p1
	wait_tick p1 2
	t0=$(vbm showvminfo p1 --machinereadable; sed -n 's/^VMStateChangeTime="\(.*\)"$/\1/p' <<<"$output")
	vbm controlvm p1 pause
	expect_status 0
	[ -z "$output$stderr" ]
	vbm showvminfo p1 --machinereadable
	expect_out 'VMState="paused"'
	t1=$(sed -n 's/^VMStateChangeTime="\(.*\)"$/\1/p' <<<"$output")
	[ "$t1" != "$t0" ]
	vbm showvminfo p1
	grep -Eq '^State:                       paused \(since ' <<<"$output"
	n=$(last_tick p1)
	boots=$(grep -c GUEST-BOOT-OK "$VMS/p1/com1.log")
	sleep 2.5
	# no tick while paused: guest time stands still
	[ "$(last_tick p1)" -eq "$n" ]
	vbm controlvm p1 resume
	expect_status 0
	[ -z "$output$stderr" ]
	[ "$(vmstate p1)" = running ]
	wait_tick p1 $((n + 2))
	# the count goes on from where it was: no reboot
	[ "$(grep -c GUEST-BOOT-OK "$VMS/p1/com1.log")" -eq "$boots" ]
	grep -q "Changing the VM state from 'RUNNING' to 'SUSPENDED'" "$VMS/p1/Logs/VBox.log"
	grep -q "Console: Machine state changed to 'Paused'" "$VMS/p1/Logs/VBox.log"
}

@test "pause, resume and reset in the wrong state fail like VirtualBox" {
	count_vm w1
	started w1
	"$VB_BIN/VBoxManage" controlvm w1 pause
	vbm controlvm w1 pause
	expect_status 1
	[ "$stderr" = 'VBoxManage: error: Already paused
VBoxManage: error: Details: code VBOX_E_INVALID_VM_STATE (0x80bb0002), component ConsoleWrap, interface IConsole, callee nsISupports
VBoxManage: error: Context: "Pause()" at line 336 of file VBoxManageControlVM.cpp' ]
	vbm controlvm w1 reset
	expect_status 1
	expect_err "VBoxManage: error: Invalid machine state: Paused"
	expect_err 'VBoxManage: error: Context: "Reset()" at line 346 of file VBoxManageControlVM.cpp'
	vbm controlvm w1 acpipowerbutton
	expect_status 1
	expect_err "VBoxManage: error: Invalid machine state: Paused"
	"$VB_BIN/VBoxManage" controlvm w1 resume
	vbm controlvm w1 resume
	expect_status 1
	[ "$stderr" = 'VBoxManage: error: Cannot resume the machine as it is not paused (machine state: Running)
VBoxManage: error: Details: code VBOX_E_INVALID_VM_STATE (0x80bb0002), component ConsoleWrap, interface IConsole, callee nsISupports
VBoxManage: error: Context: "Resume()" at line 341 of file VBoxManageControlVM.cpp' ]
}

@test "controlvm on a machine that does not run fails: not currently running" {
	count_vm off1
	for sub in pause resume reset poweroff savestate acpipowerbutton "keyboardputscancode 1e"; do
		# shellcheck disable=SC2086
		vbm controlvm off1 $sub
		expect_status 1
		[ -z "$output" ]
		[ "$stderr" = "VBoxManage: error: Machine 'off1' is not currently running." ]
	done
	vbm controlvm nosuch pause
	expect_status 1
	expect_err "VBoxManage: error: Could not find a registered machine named 'nosuch'"
	vbm controlvm off1
	expect_status 2
	expect_err "VBoxManage: error: Not enough parameters."
	vbm controlvm
	expect_status 1
}

@test "reset restarts the guest from its firmware" {
	count_vm r1
	started r1
	wait_tick r1 1
	boots=$(grep -c GUEST-BOOT-OK "$VMS/r1/com1.log")
	vbm controlvm r1 reset
	expect_status 0
	[ -z "$output$stderr" ]
	for i in $(seq 1 300); do
		[ "$(grep -c GUEST-BOOT-OK "$VMS/r1/com1.log")" -gt "$boots" ] && break
		sleep 0.1
	done
	[ "$(grep -c GUEST-BOOT-OK "$VMS/r1/com1.log")" -gt "$boots" ]
	grep -q "VM reset: requested by the front end" "$VMS/r1/Logs/VBox.log"
	[ "$(vmstate r1)" = running ]
}

@test "poweroff ends the VM process and the machine is powered off" {
	count_vm o1
	started o1
	pid=$(vm_pid o1)
	vbm controlvm o1 poweroff
	expect_status 0
	[ -z "$output" ]
	[ "$stderr" = "0%...10%...20%...30%...40%...50%...60%...70%...80%...90%...100%" ]
	# the state shows at once, and the process is gone
	[ "$(vmstate o1)" = poweroff ]
	proc_gone "$pid"
	vbm list runningvms
	[ -z "$output" ]
	run ! grep -q 'aborted="true"' "$(vm_file o1)"
	grep -q "Powering off: power off requested" "$VMS/o1/Logs/VBox.log"
	# paused machines power off too
	started o1
	"$VB_BIN/VBoxManage" controlvm o1 pause
	vbm controlvm o1 poweroff
	expect_status 0
	[ "$(vmstate o1)" = poweroff ]
}

@test "acpipowerbutton: the guest sees the button and powers off" {
	count_vm b1
	started b1
	wait_tick b1 1
	vbm controlvm b1 acpipowerbutton
	expect_status 0
	[ -z "$output$stderr" ]
	wait_com b1 "power button"
	wait_state b1 poweroff
	grep -q "ACPI: power button pressed" "$VMS/b1/Logs/VBox.log"
	grep -q "Powering off: the guest powered off (ACPI S5)" "$VMS/b1/Logs/VBox.log"
}

@test "acpisleepbutton is delivered; without ACPI both buttons fail like VirtualBox" {
	count_vm sb
	started sb
	vbm controlvm sb acpisleepbutton
	expect_status 0
	grep -q "ACPI: sleep button pressed" "$VMS/sb/Logs/VBox.log"
	"$VB_BIN/VBoxManage" controlvm sb poweroff 2>/dev/null
	"$VB_BIN/VBoxManage" modifyvm sb --acpi off
	started sb
	vbm controlvm sb acpipowerbutton
	expect_status 1
	[ "$stderr" = 'VBoxManage: error: Controlled power off failed (VERR_PDM_DEVICE_NOT_FOUND)
VBoxManage: error: Details: code VBOX_E_PDM_ERROR (0x80bb0006), component ConsoleWrap, interface IConsole, callee nsISupports
VBoxManage: error: Context: "PowerButton()" at line 494 of file VBoxManageControlVM.cpp' ]
	vbm controlvm sb acpisleepbutton
	expect_status 1
	expect_err "VBoxManage: error: Sending sleep button event failed (VERR_PDM_DEVICE_NOT_FOUND)"
}

@test "keyboardputscancode and keyboardputstring check their input and reach the keyboard" {
	count_vm k1
	started k1
	vbm controlvm k1 keyboardputscancode 1e 9e 1c 9c
	expect_status 0
	[ -z "$output$stderr" ]
	vbm controlvm k1 keyboardputscancode 1e zz
	expect_status 1
	[ "$stderr" = "VBoxManage: error: 'zz' is not a hex byte!" ]
	vbm controlvm k1 keyboardputscancode 123
	expect_status 1
	expect_err "VBoxManage: error: '123' is not a hex byte!"
	vbm controlvm k1 keyboardputscancode
	expect_status 1
	expect_err "VBoxManage: error: Missing argument to 'keyboardputscancode'. Expected IBM PC AT set 2 keyboard scancode(s)."
	vbm controlvm k1 keyboardputstring "Hello, World!" again
	expect_status 0
	vbm controlvm k1 keyboardputstring
	expect_status 1
	expect_err "VBoxManage: error: Missing argument to 'keyboardputstring'. Expected ASCII string(s)."
	printf 'ls -l\n' >"$BATS_TEST_TMPDIR/keys.txt"
	vbm controlvm k1 keyboardputfile "$BATS_TEST_TMPDIR/keys.txt"
	expect_status 0
	vbm controlvm k1 keyboardputfile "$BATS_TEST_TMPDIR/none.txt"
	expect_status 1
	expect_err "VBoxManage: error: Cannot open file '$BATS_TEST_TMPDIR/none.txt': VERR_FILE_NOT_FOUND."
}

@test "run-time settings are saved; what the VM cannot do is refused clearly" {
	count_vm st
	started st
	vbm controlvm st vrde on
	expect_status 0
	vbm controlvm st vrdeport 5000
	expect_status 0
	vbm controlvm st vrdeproperty TCP/Address=127.0.0.1
	expect_status 0
	vbm controlvm st guestmemoryballoon 16
	expect_status 0
	vbm controlvm st draganddrop bidirectional
	expect_status 0
	vbm controlvm st clipboard mode hosttoguest
	expect_status 0
	vbm showvminfo st --machinereadable
	expect_out 'vrde="on"'
	expect_out 'vrdeports="5000"'
	expect_out 'vrdeaddress="127.0.0.1"'
	expect_out 'GuestMemoryBalloon=16'
	expect_out 'draganddrop="bidirectional"'
	expect_out 'clipboard="hosttoguest"'
	expect_out 'VMState="running"'
	vbm controlvm st guestmemoryballoon 1000
	expect_status 1
	expect_err "VBoxManage: error: Invalid memory balloon size: 1000 MB (must be in range [0, 115] MB)"
	vbm controlvm st vrde maybe
	expect_status 1
	expect_err "VBoxManage: error: Invalid remote desktop server state 'maybe'."
	vbm controlvm st vrdp on
	expect_status 0
	expect_err "VBoxManage: warning: 'vrdp' is deprecated. Use 'vrde'."
	# network adapters: no network devices yet
	vbm controlvm st setlinkstate1 off
	expect_status 1
	[ "$stderr" = "VBoxManage: error: Network adapter 1 cannot be changed while the machine runs: this VM process has no network devices yet (VERR_NOT_SUPPORTED)" ]
	vbm controlvm st nic2 nat
	expect_status 0
	[ "$stderr" = "VBoxManage: error: The NIC 2 is currently disabled and thus its attachment type can't be changed." ]
	vbm controlvm st setlinkstate9 on
	expect_status 1
	[ "$stderr" = "VBoxManage: error: Invalid NIC number '9'." ]
	vbm controlvm st natpf1 ssh,tcp,,2222,,22
	expect_status 1
	expect_err "VBoxManage: error: Network adapter 1 cannot be changed while the machine runs: this VM process has no network devices yet (VERR_NOT_SUPPORTED)"
	# no display device
	vbm controlvm st setvideomodehint 800 600 32
	expect_status 1
	[ "$stderr" = "VBoxManage: error: The machine has no display: this VirtualBox implementation has no graphics device yet (VERR_NOT_SUPPORTED)" ]
	vbm controlvm st screenshotpng "$BATS_TEST_TMPDIR/s.png"
	expect_status 1
	[ ! -e "$BATS_TEST_TMPDIR/s.png" ]
	vbm controlvm st setvideomodehint 800
	expect_status 1
	expect_err "VBoxManage: error: Incorrect number of parameters."
	# unknown sub-commands
	vbm controlvm st frobnicate
	expect_status 1
	expect_err "VBoxManage: error: Invalid parameter 'frobnicate'."
	[ "$(vmstate st)" = running ]
}
