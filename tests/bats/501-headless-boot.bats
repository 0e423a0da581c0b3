#!/usr/bin/env bats
# The real-mode test CD boots under VBoxHeadless with the KVM engine,
# through SeaBIOS, from an IDE and from a SATA DVD, prints its marker on
# COM1 and powers the machine off through ACPI; VBoxHeadless exits 0.

load helpers
load 500-vm

local_setup() {
	need_kvm
}

boots_to_marker() {
	new_vm "$1" "$2"
	vm_uart "$1" RawFile "$VMS/$1/com1.log"
	headless --startvm "$1"
	expect_status 0
	grep -q "^GUEST-BOOT-OK" "$VMS/$1/com1.log"
}

@test "the real-mode CD boots from an IDE DVD to its COM1 marker and exits 0 on ACPI S5" {
	boots_to_marker ide1 ide
	expect_out "VBox-KVM Headless Interface $("$VB_BIN/VBoxManage" --version | sed 's/r[0-9]*$//')"
	expect_err "Starting virtual machine: 10%...20%...30%...40%...50%...60%...70%...80%...90%...100%"
	log="$VMS/ide1/Logs/VBox.log"
	grep -q "EM: Execution engine: KVM" "$log"
	grep -q "BIOS: DVD/CD \[ata1-0: VBOX CD-ROM ATAPI-6 DVD/CD\]" "$log"
	grep -q "ACPI: guest entered S5 (SLP_TYP=0), powering off" "$log"
	grep -q "Changing the VM state from 'CREATED' to 'POWERING_ON'" "$log"
	grep -q "Changing the VM state from 'POWERING_ON' to 'RUNNING'" "$log"
	grep -q "Changing the VM state from 'POWERING_OFF' to 'OFF'" "$log"
	grep -q "Console: Machine state changed to 'PoweredOff'" "$log"
}

@test "the real-mode CD boots from a SATA (AHCI) DVD to its COM1 marker" {
	boots_to_marker sata1 sata
	grep -q 'BIOS: AHCI/1: registering: "DVD/CD \[AHCI/1: VBOX CD-ROM ATAPI-6 DVD/CD\]"' "$VMS/sata1/Logs/VBox.log"
}

@test "VBox.log records versions, host, KVM facts and the configuration, and rotates" {
	boots_to_marker logs ide
	log="$VMS/logs/Logs/VBox.log"
	grep -Eq "^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6} VirtualBox VM 7\.0\.[0-9]+_KVM r[0-9]+ linux\.amd64 \(.*\) release log$" "$log"
	grep -q "OS Release: $(uname -r)" "$log"
	grep -q "KVM: API version 12, host module" "$log"
	grep -q "  RAM: 128 MB" "$log"
	grep -q "  Boot order: DVD, None, None, None" "$log"
	grep -q "  Storage controller 'IDE': PIIX4" "$log"
	[ ! -e "$VMS/logs/Logs/VBox.log.1" ]
	for i in 1 2 3 4; do
		headless --startvm logs
		expect_status 0
	done
	# LogHistoryCount 3: VBox.log and VBox.log.1..3, no .4
	[ -e "$VMS/logs/Logs/VBox.log.3" ]
	[ ! -e "$VMS/logs/Logs/VBox.log.4" ]
}

@test "a second VBoxHeadless for a running VM is refused; SIGTERM saves its state" {
	new_vm busy ide
	"$VB_BIN/VBoxManage" storageattach busy --storagectl IDE --port 1 --device 0 --type dvddrive --medium none
	vm_uart busy RawFile "$VMS/busy/com1.log"
	start_bg busy
	wait_log busy "Console: Machine state changed to 'Running'"
	headless --startvm busy
	expect_status 1
	expect_err "VBoxHeadless: error: The machine 'busy' is already locked by a session (or being locked or unlocked)"
	expect_err "VBoxHeadless: error: Details: code VBOX_E_INVALID_OBJECT_STATE (0x80bb0007), component MachineWrap, interface IMachine, callee nsISupports"
	stop_bg
	[ "$BG_STATUS" -eq 0 ]
	grep -q "^VBoxHeadless: signal Terminated" "$BATS_TEST_TMPDIR/bg.err"
	grep -qx "Saving the execution state of the virtual machine: 10%...20%...30%...40%...50%...60%...70%...80%...90%...100%" "$BATS_TEST_TMPDIR/bg.err"
	grep -q "Powering off: the state was saved" "$VMS/busy/Logs/VBox.log"
	vbm showvminfo busy --machinereadable
	expect_out 'VMState="saved"'
	# the lock is gone with the process
	headless --startvm busy --vrde maybe
	expect_status 0
}

@test "a guest reset through port 0xcf9 restarts the machine from the firmware" {
	new_vm rst ide realmode-reset
	vm_uart rst RawFile "$VMS/rst/com1.log"
	headless --startvm rst
	expect_status 0
	log="$VMS/rst/Logs/VBox.log"
	grep -q "PIIX3: hard reset requested through port 0xcf9" "$log"
	grep -q "Changing the VM state from 'RUNNING' to 'RESETTING'" "$log"
	[ "$(grep -c "BIOS: Booting from DVD/CD" "$log")" -eq 2 ]
	grep -q "^GUEST-BOOT-OK" "$VMS/rst/com1.log"
}

@test "without bootable media SeaBIOS halts like VirtualBox's BIOS; SIGINT powers off" {
	new_vm nomedia ide
	"$VB_BIN/VBoxManage" storageattach nomedia --storagectl IDE --port 1 --device 0 --type dvddrive --medium emptydrive
	vm_uart nomedia RawFile "$VMS/nomedia/com1.log"
	start_bg nomedia
	wait_log nomedia "BIOS: No bootable device."
	kill -INT "$BG_PID"
	wait "$BG_PID"
	rm -f "$BATS_TEST_TMPDIR/bg.pid"
	grep -q "No bootable device." "$VMS/nomedia/com1.log"
	grep -q "^VBoxHeadless: signal Interrupt" "$BATS_TEST_TMPDIR/bg.err"
}
