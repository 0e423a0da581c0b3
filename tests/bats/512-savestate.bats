#!/usr/bin/env bats
# Saved state and crash recovery with the counting real-mode CD (KVM):
# savestate and the restore by startvm, discardstate, adoptstate, damaged
# state files, kill -9 and aborted, the DVD change VirtualBox allows at
# run time, and guestproperty wait against the running VM.

load helpers
load 500-vm
load 510-run

local_setup() {
	need_kvm
}

sav_of() {
	sed -n 's/^.*stateFile="\([^"]*\)".*$/\1/p' "$(vm_file "$1")"
}

@test "savestate writes the state and stops; startvm continues the guest where it was" {
	count_vm s1
	started s1
	wait_tick s1 2
	vbm controlvm s1 savestate
	expect_status 0
	[ -z "$output" ]
	[ "$stderr" = "0%...10%...20%...30%...40%...50%...60%...70%...80%...90%...100%" ]
	n=$(last_tick s1)
	vbm showvminfo s1 --machinereadable
	expect_out 'VMState="saved"'
	vbm showvminfo s1
	grep -Eq '^State:                       saved \(since [0-9T:.-]+Z\)$' <<<"$output"
	sav=$(sav_of s1)
	[ -s "$VMS/s1/$sav" ]
	vbm list runningvms
	[ -z "$output" ]
	# the process is gone and the machine is not aborted
	run ! grep -q 'aborted="true"' "$(vm_file s1)"
	grep -q "Powering off: the state was saved" "$VMS/s1/Logs/VBox.log"
	# changes to the hardware of a saved machine are refused
	vbm modifyvm s1 --memory 64
	expect_status 1
	started s1
	wait_tick s1 $((n + 2))
	first=$(grep -a '^tick ' "$VMS/s1/com1.log" | head -n 1 | tr -dc '0-9')
	[ "$first" -eq $((n + 1)) ]
	run ! grep -aq GUEST-BOOT-OK "$VMS/s1/com1.log"
	[ ! -e "$VMS/s1/$sav" ]
	run ! grep -q 'stateFile=' "$(vm_file s1)"
	# a paused machine is saved too
	"$VB_BIN/VBoxManage" controlvm s1 pause
	vbm controlvm s1 savestate
	expect_status 0
	[ "$(vmstate s1)" = saved ]
}

@test "discardstate and adoptstate" {
	count_vm d1
	vbm discardstate d1
	expect_status 1
	[ "$stderr" = 'VBoxManage: error: Cannot discard the saved state as the machine is not in the Saved or Aborted-Saved state (machine state: PoweredOff)
VBoxManage: error: Details: code VBOX_E_INVALID_VM_STATE (0x80bb0002), component SessionMachine, interface IMachine, callee nsISupports
VBoxManage: error: Context: "DiscardSavedState(true /* fDeleteFile */)" at line 1362 of file VBoxManageMisc.cpp' ]
	started d1
	wait_tick d1 1
	"$VB_BIN/VBoxManage" controlvm d1 savestate 2>/dev/null
	sav=$(sav_of d1)
	cp "$VMS/d1/$sav" "$BATS_TEST_TMPDIR/kept.sav"
	vbm discardstate d1
	expect_status 0
	[ -z "$output$stderr" ]
	[ "$(vmstate d1)" = poweroff ]
	[ ! -e "$VMS/d1/$sav" ]
	vbm adoptstate d1 "$BATS_TEST_TMPDIR/kept.sav"
	expect_status 0
	[ -z "$output$stderr" ]
	[ "$(vmstate d1)" = saved ]
	grep -q "stateFile=\"$BATS_TEST_TMPDIR/kept.sav\"" "$(vm_file d1)"
	vbm adoptstate d1 "$BATS_TEST_TMPDIR/kept.sav"
	expect_status 1
	expect_err "VBoxManage: error: The machine is not mutable (state is Saved)"
	expect_err 'VBoxManage: error: Context: "AdoptSavedState(Bstr(szStateFileAbs).raw())" at line 1400 of file VBoxManageMisc.cpp'
	# the adopted state runs
	started d1
	wait_tick d1 2
	run ! grep -aq GUEST-BOOT-OK "$VMS/d1/com1.log"
	vbm discardstate d1
	expect_status 1
	[ "$(vmstate d1)" = running ]
}

@test "a damaged or truncated state file: clear error, still saved; startable after discardstate" {
	count_vm c1
	started c1
	wait_tick c1 1
	"$VB_BIN/VBoxManage" controlvm c1 savestate 2>/dev/null
	sav="$VMS/c1/$(sav_of c1)"
	cp "$sav" "$BATS_TEST_TMPDIR/good.sav"
	printf 'XXXX' | dd of="$sav" bs=1 seek=5000 conv=notrunc 2>/dev/null
	vbm startvm c1 --type headless
	expect_status 1
	expect_out 'Waiting for VM "c1" to power on...'
	expect_no_out 'VM "c1" has been successfully started.'
	grep -Eq "^VBoxManage: error: The saved state file '$sav' is damaged: the checksum of its [A-Za-z]+ section does not match \(VERR_SSM_INTEGRITY_CRC\)$" <<<"$stderr"
	expect_err "VBoxManage: error: Details: code VBOX_E_FILE_ERROR (0x80bb0004), component ConsoleWrap, interface IConsole"
	[ "$(vmstate c1)" = saved ]
	[ -e "$sav" ]
	head -c 3000 "$BATS_TEST_TMPDIR/good.sav" >"$sav"
	vbm startvm c1 --type headless
	expect_status 1
	expect_err "VBoxManage: error: The saved state file '$sav' is truncated (VERR_SSM_INTEGRITY_SIZES)"
	: >"$sav"
	vbm startvm c1 --type headless
	expect_status 1
	grep -q "^VBoxManage: error: The saved state file '$sav'" <<<"$stderr"
	rm -f "$sav"
	vbm startvm c1 --type headless
	expect_status 1
	expect_err "VBoxManage: error: Could not open the saved state file '$sav' (VERR_FILE_NOT_FOUND)"
	[ "$(vmstate c1)" = saved ]
	vbm discardstate c1
	expect_status 0
	started c1
	wait_tick c1 1
	grep -aq GUEST-BOOT-OK "$VMS/c1/com1.log"
}

@test "kill -9 of the VM process: aborted, list runningvms empty, starts again" {
	count_vm k1
	started k1
	wait_tick k1 1
	kill -KILL "$(vm_pid k1)"
	wait_state k1 aborted
	vbm showvminfo k1
	grep -Eq '^State:                       aborted \(since [0-9T:.-]+Z\)$' <<<"$output"
	vbm list runningvms
	[ -z "$output" ]
	# an aborted machine may be changed, and starts normally
	vbm modifyvm k1 --memory 64
	expect_status 0
	started k1
	wait_tick k1 1
	"$VB_BIN/VBoxManage" controlvm k1 poweroff 2>/dev/null
	[ "$(vmstate k1)" = poweroff ]
	run ! grep -q 'aborted="true"' "$(vm_file k1)"
}

@test "while running: the DVD may change, other storage changes are refused" {
	count_vm m1
	started m1
	iso=$(realmode_iso realmode)
	vbm storageattach m1 --storagectl IDE --port 1 --device 0 --type dvddrive --medium emptydrive
	expect_status 0
	vbm showvminfo m1 --machinereadable
	expect_out '"IDE-1-0"="emptydrive"'
	vbm storageattach m1 --storagectl IDE --port 1 --device 0 --type dvddrive --medium "$iso"
	expect_status 0
	vbm showvminfo m1 --machinereadable
	expect_out "\"IDE-1-0\"=\"$iso\""
	vbm storageattach m1 --storagectl IDE --port 0 --device 0 --type hdd --medium none
	expect_status 1
	[ "$stderr" = "VBoxManage: error: Controller 'IDE' does not support hot-plugging
VBoxManage: error: Details: code VBOX_E_INVALID_VM_STATE (0x80bb0002), component SessionMachine, interface IMachine, callee nsISupports
VBoxManage: error: Context: \"DetachDevice(Bstr(pszCtl).raw(), port, device)\" at line 413 of file VBoxManageStorageController.cpp" ]
	[ "$(vmstate m1)" = running ]
}

@test "guestproperty wait returns when a property of the running VM changes" {
	count_vm g1
	started g1
	"$VB_BIN/VBoxManage" guestproperty wait g1 '/test/*' --timeout 20000 >"$BATS_TEST_TMPDIR/wait.out" 2>&1 &
	wpid=$!
	# set until the waiter has seen it (it may not be listening yet)
	for i in $(seq 1 100); do
		vbm guestproperty set g1 /test/a hello
		expect_status 0
		kill -0 "$wpid" 2>/dev/null || break
		sleep 0.1
	done
	wait "$wpid"
	[ "$(cat "$BATS_TEST_TMPDIR/wait.out")" = "Name: /test/a, value: hello, flags: " ]
	vbm guestproperty get g1 /test/a
	expect_out "Value: hello"
	vbm guestproperty wait g1 /none --timeout 200 --fail-on-timeout
	expect_status 2
	expect_err "VBoxManage: error: Time out or interruption while waiting for a notification."
	# the property outlives the process when the state is saved
	"$VB_BIN/VBoxManage" controlvm g1 savestate 2>/dev/null
	vbm guestproperty get g1 /test/a
	expect_out "Value: hello"
}
