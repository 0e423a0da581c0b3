#!/usr/bin/env bats
# The tiny Linux ISO (stock Debian kernel, busybox initramfs; built by
# tests/guests/build-guests.sh --linux) boots on the software engine from
# IDE and SATA, with one and with two vCPUs, prints GUEST-BOOT-OK from
# user space on COM1 and powers off through ACPI.

load helpers
load 500-vm

local_setup() {
	bash "$TOP/tests/guests/build-guests.sh" --linux "$GUESTS" >/dev/null 2>&1 ||
		skip "cannot build the tiny Linux ISO here (needs root and Debian packages)"
}

# linux_boot NAME CTL CPUS: boot the ISO, expect the marker and exit 0
linux_boot() {
	new_vm "$1" "$2" tiny
	vm_hw "$1" "<CPU count=\"$3\"><HardwareVirtEx enabled=\"false\"/><PAE enabled=\"true\"/><LongMode enabled=\"true\"/></CPU><BIOS><IOAPIC enabled=\"true\"/></BIOS>"
	vm_uart "$1" RawFile "$VMS/$1/com1.log"
	# minutes under the sanitizers, about 15 s in a normal build
	case $VB_BIN in
	*asan*) limit=900 ;;
	*) limit=180 ;;
	esac
	run --separate-stderr timeout "$limit" "$VB_BIN/VBoxHeadless" --startvm "$1"
	expect_status 0
	grep -q "^GUEST-BOOT-OK" "$VMS/$1/com1.log"
	grep -q "ACPI: guest entered S5 (SLP_TYP=0), powering off" "$VMS/$1/Logs/VBox.log"
	grep -q "EM: Execution engine: IEM (software x86 CPU)" "$VMS/$1/Logs/VBox.log"
	console_clean "$VMS/$1/com1.log"
}

# the kernel found nothing wrong: crypto self-tests, warnings, oopses
console_clean() {
	if grep -En "alg: .*failed|WARNING:|Oops|BUG:|Call Trace|unchecked MSR access" "$1"; then
		echo "the guest kernel reported a problem (above)" >&2
		return 1
	fi
}

@test "the tiny Linux ISO boots on the software engine from an IDE DVD" {
	linux_boot lide ide 1
	grep -q "smpboot: CPU0: AMD VBox-KVM iem virtual CPU (family: 0xf, model: 0x6b, stepping: 0x1)" "$VMS/lide/com1.log"
	grep -q "x86/fpu: x87 FPU will use FXSAVE" "$VMS/lide/com1.log"
}

@test "the tiny Linux ISO boots on the software engine from a SATA DVD" {
	linux_boot lsata sata 1
	grep -q 'BIOS: AHCI/1: registering: "DVD/CD \[AHCI/1: VBOX CD-ROM ATAPI-6 DVD/CD\]"' "$VMS/lsata/Logs/VBox.log"
}

@test "with --cpus 2 the kernel brings up both CPUs (IDE)" {
	linux_boot lsmp ide 2
	grep -q "smp: Brought up 1 node, 2 CPUs" "$VMS/lsmp/com1.log"
	grep -q "IEM: software x86-64 CPU, 2 vCPU(s)" "$VMS/lsmp/Logs/VBox.log"
}

@test "with --cpus 2 the kernel brings up both CPUs (SATA)" {
	linux_boot lsmp2 sata 2
	grep -q "smp: Brought up 1 node, 2 CPUs" "$VMS/lsmp2/com1.log"
}
