#!/usr/bin/env bats
# The software x86 engine (iem): chosen by --hwvirtex off or by
# VBoxInternal/EM/Engine=iem, it runs SeaBIOS and the real-mode CD from IDE
# and SATA, handles a reset through port 0xcf9 and powers off through ACPI.
# No /dev/kvm is needed.

load helpers
load 500-vm

soft_vm() {	# soft_vm NAME CTL [ISO]
	new_vm "$1" "$2" "${3:-realmode}"
	vm_uart "$1" RawFile "$VMS/$1/com1.log"
}

@test "--hwvirtex off runs the real-mode CD on the software engine from IDE" {
	soft_vm soft ide
	vm_hw soft '<CPU><HardwareVirtEx enabled="false"/></CPU>'
	headless --startvm soft
	expect_status 0
	grep -q "^GUEST-BOOT-OK" "$VMS/soft/com1.log"
	log="$VMS/soft/Logs/VBox.log"
	grep -q "EM: Execution engine: IEM (software x86 CPU) (requested by --hwvirtex off)" "$log"
	grep -q "IEM: software x86-64 CPU, 1 vCPU(s)" "$log"
	grep -q "BIOS: DVD/CD \[ata1-0: VBOX CD-ROM ATAPI-6 DVD/CD\]" "$log"
	grep -q "ACPI: guest entered S5 (SLP_TYP=0), powering off" "$log"
	grep -q "Console: Machine state changed to 'PoweredOff'" "$log"
}

@test "VBoxInternal/EM/Engine=iem selects the software engine; the CD boots from SATA" {
	soft_vm soft2 sata
	"$VB_BIN/VBoxManage" setextradata soft2 VBoxInternal/EM/Engine iem
	headless --startvm soft2
	expect_status 0
	grep -q "^GUEST-BOOT-OK" "$VMS/soft2/com1.log"
	log="$VMS/soft2/Logs/VBox.log"
	grep -q "EM: Execution engine: IEM (software x86 CPU) (requested by VBoxInternal/EM/Engine=iem)" "$log"
	grep -q 'BIOS: AHCI/1: registering: "DVD/CD \[AHCI/1: VBOX CD-ROM ATAPI-6 DVD/CD\]"' "$log"
}

@test "a reset through port 0xcf9 restarts the software CPU in the firmware" {
	soft_vm rst ide realmode-reset
	vm_hw rst '<CPU><HardwareVirtEx enabled="false"/></CPU>'
	headless --startvm rst
	expect_status 0
	log="$VMS/rst/Logs/VBox.log"
	grep -q "PIIX3: hard reset requested through port 0xcf9" "$log"
	[ "$(grep -c "BIOS: Booting from DVD/CD" "$log")" -eq 2 ]
	grep -q "^GUEST-BOOT-OK" "$VMS/rst/com1.log"
}

@test "the software engine logs the CPU model and the settings it does not apply" {
	soft_vm facts ide
	vm_hw facts '<CPU count="2" executionCap="50"><HardwareVirtEx enabled="false"/><X2APIC enabled="true"/></CPU><BIOS><IOAPIC enabled="true"/></BIOS>'
	headless --startvm facts
	expect_status 0
	log="$VMS/facts/Logs/VBox.log"
	grep -q "IEM: software x86-64 CPU, 2 vCPU(s)" "$log"
	grep -q "IEM: CPU model AuthenticAMD family 0xf model 0x6b" "$log"
	grep -q "IEM: x2APIC is not offered by the software engine (xAPIC only)" "$log"
	grep -q "IEM: execution cap 50% is not applied by the software engine" "$log"
	grep -q "CPUID: leaf 0000000000/0: 00000007 68747541 444d4163 69746e65" "$log"
	grep -q "CPUID: leaf 0x00000001/0: 00060fb1 00020800" "$log"
}
