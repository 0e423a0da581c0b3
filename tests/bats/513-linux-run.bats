#!/usr/bin/env bats
# A real guest under control: the tiny Linux CD in its stay-up mode
# (TINY_STAY=1: "tiny-guest: alive N" on ttyS0 every second, acpid powers
# off on the ACPI power button) on the software engine (--hwvirtex off;
# /dev/kvm here cannot run a kernel in useful time).  startvm, the live
# state, pause/resume, savestate and restore without a reboot, the power
# button, kill -9 and aborted, and what is refused while it runs.

load helpers
load 500-vm
load 510-run

STAY="$GUESTS/stay"

local_setup() {
	have_iem || skip "the software engine is not part of this build"
	TINY_STAY=1 bash "$TOP/tests/guests/build-guests.sh" --linux "$STAY" >/dev/null 2>&1 ||
		skip "cannot build the tiny Linux ISO here (needs root and Debian packages)"
}

# stay_vm NAME [CPUS]: the stay-up tiny Linux CD, software engine, COM1
# to a file
stay_vm() {
	"$VB_BIN/VBoxManage" createvm --name "$1" --ostype Linux_64 --register >/dev/null || return 1
	"$VB_BIN/VBoxManage" storagectl "$1" --name IDE --add ide --controller PIIX4 || return 1
	"$VB_BIN/VBoxManage" storageattach "$1" --storagectl IDE --port 1 --device 0 --type dvddrive --medium "$STAY/tiny.iso" || return 1
	vm_hw "$1" '<Memory RAMSize="128"/><Boot><Order position="1" device="DVD"/><Order position="2" device="None"/><Order position="3" device="None"/><Order position="4" device="None"/></Boot><CPU count="'"${2:-1}"'"><HardwareVirtEx enabled="false"/><PAE enabled="true"/><LongMode enabled="true"/></CPU><BIOS><IOAPIC enabled="true"/></BIOS>'
	vm_uart "$1" RawFile "$VMS/$1/com1.log"
}

last_alive() {
	local n
	n=$(grep -a '^tiny-guest: alive ' "$VMS/$1/com1.log" 2>/dev/null | tail -n 1 | tr -dc '0-9')
	echo "${n:-0}"
}

# wait_alive NAME N: the count reaches N (a boot takes ~5 s; 120 s limit)
wait_alive() {
	local i
	for i in $(seq 1 1200); do
		[ "$(last_alive "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	echo "the count never reached $2 (last: $(last_alive "$1"))"
	tail -5 "$VMS/$1/com1.log"
	return 1
}

@test "tiny Linux: startvm, running state, pause/resume, refusals while running, power button" {
	stay_vm lx
	vbm startvm lx --type headless
	expect_status 0
	[ "${lines[0]}" = 'Waiting for VM "lx" to power on...' ]
	[ "${lines[1]}" = 'VM "lx" has been successfully started.' ]
	[ "${#lines[@]}" -eq 2 ]
	[ -z "$stderr" ]
	vbm showvminfo lx --machinereadable
	expect_out 'VMState="running"'
	vbm showvminfo lx
	grep -Eq '^State:                       running \(since [0-9T:.-]+Z\)$' <<<"$output"
	uuid=$(sed -n 's/^UUID="\(.*\)"$/\1/p' <<<"$("$VB_BIN/VBoxManage" showvminfo lx --machinereadable)")
	vbm list runningvms
	[ "$output" = "\"lx\" {$uuid}" ]
	wait_alive lx 2
	grep -q "EM: Execution engine: IEM (software x86 CPU)" "$VMS/lx/Logs/VBox.log"

	# a second start and settings changes are refused while it runs
	vbm startvm lx --type headless
	expect_status 1
	[ -z "$output" ]
	[ "$stderr" = "VBoxManage: error: The machine 'lx' is already locked by a session (or being locked or unlocked)
VBoxManage: error: Details: code VBOX_E_INVALID_OBJECT_STATE (0x80bb0007), component MachineWrap, interface IMachine, callee nsISupports
VBoxManage: error: Context: \"LaunchVMProcess(a->session, sessionType.raw(), ComSafeArrayAsInParam(aBstrEnv), progress.asOutParam())\" at line 881 of file VBoxManageMisc.cpp" ]
	cp "$(vm_file lx)" "$BATS_TEST_TMPDIR/before.vbox"
	vbm modifyvm lx --memory 256
	expect_status 1
	[ "$stderr" = "VBoxManage: error: The machine 'lx' is already locked for a session (or being unlocked)
VBoxManage: error: Details: code VBOX_E_INVALID_OBJECT_STATE (0x80bb0007), component MachineWrap, interface IMachine, callee nsISupports
VBoxManage: error: Context: \"LockMachine(a->session, LockType_Write)\" at line 2326 of file VBoxManageModifyVM.cpp" ]
	cmp "$(vm_file lx)" "$BATS_TEST_TMPDIR/before.vbox"

	# pause stops the count, resume continues it
	vbm controlvm lx pause
	expect_status 0
	[ -z "$output$stderr" ]
	vbm showvminfo lx --machinereadable
	expect_out 'VMState="paused"'
	vbm showvminfo lx
	grep -Eq '^State:                       paused \(since [0-9T:.-]+Z\)$' <<<"$output"
	n=$(last_alive lx)
	# two guest seconds would print two lines; none may come while paused
	sleep 2.5
	[ "$(last_alive lx)" -eq "$n" ]
	vbm controlvm lx resume
	expect_status 0
	[ -z "$output$stderr" ]
	[ "$(vmstate lx)" = running ]
	wait_alive lx $((n + 2))
	[ "$(grep -ac '^GUEST-BOOT-OK' "$VMS/lx/com1.log")" -eq 1 ]

	# the ACPI power button: the guest's acpid powers it off
	vbm controlvm lx acpipowerbutton
	expect_status 0
	[ -z "$output$stderr" ]
	wait_com lx "tiny-guest: power button"
	run ! grep -aEq "Oops|BUG:|Call Trace" "$VMS/lx/com1.log"
	wait_state lx poweroff
	grep -q "Powering off: the guest powered off (ACPI S5)" "$VMS/lx/Logs/VBox.log"
	run ! grep -q 'aborted="true"' "$(vm_file lx)"
	vbm list runningvms
	[ -z "$output" ]
}

@test "tiny Linux (2 vCPUs): savestate, then startvm continues the count without a reboot" {
	stay_vm sv 2
	started sv
	wait_alive sv 3
	grep -aq '^tiny-guest: cpus 2' "$VMS/sv/com1.log"
	vbm controlvm sv savestate
	expect_status 0
	[ -z "$output" ]
	[ "$stderr" = "0%...10%...20%...30%...40%...50%...60%...70%...80%...90%...100%" ]
	n=$(last_alive sv)
	cp "$VMS/sv/com1.log" "$BATS_TEST_TMPDIR/before.log"
	vbm showvminfo sv --machinereadable
	expect_out 'VMState="saved"'
	sav=$(sed -n 's/^.*stateFile="\([^"]*\)".*$/\1/p' "$(vm_file sv)")
	[ -n "$sav" ]
	[ -s "$VMS/sv/$sav" ]
	vbm list runningvms
	[ -z "$output" ]

	started sv
	wait_alive sv $((n + 2))
	# the guest went on from its RAM: the next number, no kernel boot
	first=$(grep -a '^tiny-guest: alive ' "$VMS/sv/com1.log" | head -n 1 | tr -dc '0-9')
	[ "$first" -eq $((n + 1)) ]
	run ! grep -aq 'GUEST-BOOT-OK\|Linux version' "$VMS/sv/com1.log"
	# and the restored kernel is healthy
	run ! grep -aEq "Oops|BUG:|Call Trace|clocksource.*unstable" "$VMS/sv/com1.log"
	grep -q "SSM: Restored the state" "$VMS/sv/Logs/VBox.log"
	run ! grep -q 'stateFile=' "$(vm_file sv)"
	[ ! -e "$VMS/sv/$sav" ]
	[ "$(vmstate sv)" = running ]
	"$VB_BIN/VBoxManage" controlvm sv poweroff 2>/dev/null
	[ "$(vmstate sv)" = poweroff ]
}

@test "tiny Linux: kill -9 of the VM process leaves it aborted, and it starts again" {
	stay_vm ab
	started ab
	wait_alive ab 1
	pid=$(vm_pid ab)
	[ -n "$pid" ]
	kill -KILL "$pid"
	wait_state ab aborted
	vbm showvminfo ab
	grep -Eq '^State:                       aborted \(since [0-9T:.-]+Z\)$' <<<"$output"
	vbm list runningvms
	[ -z "$output" ]
	started ab
	[ "$(vmstate ab)" = running ]
	# a fresh boot this time
	wait_alive ab 1
	grep -aq '^GUEST-BOOT-OK' "$VMS/ab/com1.log"
	"$VB_BIN/VBoxManage" controlvm ab poweroff 2>/dev/null
	[ "$(vmstate ab)" = poweroff ]
	run ! grep -q 'aborted="true"' "$(vm_file ab)"
}
