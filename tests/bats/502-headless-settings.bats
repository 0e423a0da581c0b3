#!/usr/bin/env bats
# The machine's settings have their effect on the running VM (CPU, RAM
# backing, engine choice) and bad settings fail before the guest starts,
# with VirtualBox-like messages.

load helpers
load 500-vm

local_setup() {
	need_kvm
}

anon_huge_kb() {
	awk '/^AnonHugePages:/ { print $2 }' "/proc/$1/smaps_rollup"
}

idle_vm() {	# idle_vm NAME: no boot medium, SeaBIOS waits forever
	new_vm "$1" ide
	"$VB_BIN/VBoxManage" storageattach "$1" --storagectl IDE --port 1 --device 0 --type dvddrive --medium emptydrive
	vm_uart "$1" RawFile "$VMS/$1/com1.log"
}

@test "--large-pages on backs guest RAM with huge pages, off does not" {
	grep -q '\[never\]' /sys/kernel/mm/transparent_hugepage/enabled &&
		skip "transparent huge pages are disabled on this host"
	idle_vm lpon
	vm_hw lpon '<CPU><HardwareVirtExLargePages enabled="true"/></CPU>'
	start_bg lpon
	wait_log lpon "BIOS: No bootable device."
	kb=$(anon_huge_kb "$BG_PID")
	stop_bg
	[ "$kb" -ge 2048 ]
	grep -q "^[0-9:.]* HM: Enabled large page support$" "$VMS/lpon/Logs/VBox.log"
	grep -q "backed by transparent huge pages (madvise MADV_HUGEPAGE)" "$VMS/lpon/Logs/VBox.log"

	idle_vm lpoff
	vm_hw lpoff '<CPU><HardwareVirtExLargePages enabled="false"/></CPU>'
	start_bg lpoff
	wait_log lpoff "BIOS: No bootable device."
	kb=$(anon_huge_kb "$BG_PID")
	stop_bg
	[ "$kb" -eq 0 ]
	grep -q "small pages only (madvise MADV_NOHUGEPAGE)" "$VMS/lpoff/Logs/VBox.log"
}

@test "VPID, nested paging and unrestricted guest are logged as the host KVM does them" {
	new_vm hm ide
	vm_hw hm '<CPU><HardwareVirtExVPID enabled="false"/></CPU>'
	headless --startvm hm
	expect_status 0
	log="$VMS/hm/Logs/VBox.log"
	grep -q "nested paging on, VPID off, unrestricted guest on" "$log"
	if [ -d /sys/module/kvm_pvm ]; then
		grep -q "HM: The host KVM is PVM (kvm_pvm): no VT-x/AMD-V underneath" "$log"
		grep -q "HM: Nested paging: requested by the VM settings, not available with kvm_pvm" "$log"
		grep -q "HM: VPID: disabled by the VM settings, not available with kvm_pvm (no VT-x)" "$log"
		grep -q "HM: Unrestricted guest execution: requested by the VM settings, not available with kvm_pvm" "$log"
	elif [ -d /sys/module/kvm_intel ]; then
		grep -q "HM: Using VT-x through KVM (kvm_intel)" "$log"
		grep -Eq "HM: (Enabled nested paging|Nested paging: requested)" "$log"
		grep -q "HM: VPID: disabled in the VM settings, but KVM decides\|HM: VPID: disabled (VM settings" "$log"
	else
		grep -q "HM: Using AMD-V through KVM (kvm_amd)" "$log"
		grep -q "HM: VPID: AMD-V always uses ASIDs" "$log"
	fi
}

@test "CPU settings reach the guest: vCPU count, CPUID override, long mode" {
	new_vm cpu ide
	vm_uart cpu RawFile "$VMS/cpu/com1.log"
	# leaf 0 vendor "VBoxKVMTestCP": ebx "VBox", edx "KVMT", ecx "estC"
	vm_hw cpu '<CPU count="2"><PAE enabled="false"/><CpuIdTree><CpuIdLeaf id="0" eax="13" ebx="2020557398" edx="1414354507" ecx="1131705189"/></CpuIdTree></CPU><BIOS><IOAPIC enabled="true"/></BIOS>'
	headless --startvm cpu
	expect_status 0
	grep -q "BIOS: Found 2 cpu(s) max supported 2 cpu(s)" "$VMS/cpu/Logs/VBox.log"
	grep -q "^cpuid: vendor=VBoxKVMTestC lm=0\|^cpuid: vendor=VBoxKVMTestC pae=[01] lm=0" "$VMS/cpu/com1.log"
	# PAE is taken out of the CPUID KVM gets (leaf 1 EDX bit 6)
	edx=$(awk '/CPUID: leaf 0x00000001\/0:/ { print $NF }' "$VMS/cpu/Logs/VBox.log")
	[ $(( 0x$edx & 0x40 )) -eq 0 ]

	new_vm cpu64 ide
	vm_uart cpu64 RawFile "$VMS/cpu64/com1.log"
	sed -i 's/OSType="Other"/OSType="Other_64"/' "$(vm_file cpu64)"
	vm_hw cpu64 '<CPU><LongMode enabled="true"/></CPU>'
	headless --startvm cpu64
	expect_status 0
	grep -q "^cpuid: vendor=.* lm=1" "$VMS/cpu64/com1.log"
}

@test "--cpu-profile changes what the guest's CPUID reports; unknown and KVM-impossible ones are refused" {
	new_vm prof ide
	vm_uart prof RawFile "$VMS/prof/com1.log"
	vm_hw prof '<CPU CpuProfile="Intel Core i7-6700K"/>'
	headless --startvm prof
	expect_status 0
	grep -q "^cpuid: vendor=GenuineIntel" "$VMS/prof/com1.log"
	sed -i 's/CpuProfile="[^"]*"/CpuProfile="Intel 80286"/' "$(vm_file prof)"
	"$VB_BIN/VBoxManage" setextradata prof VBoxInternal/EM/Engine kvm
	headless --startvm prof
	expect_status 1
	expect_out "Error: failed to start machine. Error message: The KVM execution engine was requested (VBoxInternal/EM/Engine=kvm) but cannot run here. The CPU profile 'Intel 80286' can only be emulated by the software execution engine, not with KVM (VERR_NOT_SUPPORTED)."
	sed -i 's/CpuProfile="[^"]*"/CpuProfile="Zilog Z80"/' "$(vm_file prof)"
	headless --startvm prof
	expect_status 1
	expect_out "Error: failed to start machine. Error message: The CPU profile 'Zilog Z80' is not in this implementation's CPU database (VERR_CPUM_DB_CPU_NOT_FOUND)."
}

@test "--cpu-execution-cap limits the vCPU's share of a host CPU" {
	new_vm cap ide realmode-spin
	vm_uart cap RawFile "$VMS/cap/com1.log"
	vm_hw cap '<CPU executionCap="40"/>'
	start_bg cap
	wait_log cap "Console: Machine state changed to 'Running'"
	# the firmware itself runs capped, so the boot takes longer
	for i in $(seq 1 400); do
		grep -q "^cpuid:" "$VMS/cap/com1.log" && break
		sleep 0.1
	done
	grep -q "^cpuid:" "$VMS/cap/com1.log"
	a=$(awk '{ print $14 + $15 }' "/proc/$BG_PID/stat")
	sleep 2
	b=$(awk '{ print $14 + $15 }' "/proc/$BG_PID/stat")
	stop_bg
	hz=$(getconf CLK_TCK)
	# 40 % of 2 s, with room for the event loop
	[ $(( (b - a) * 100 / (2 * hz) )) -lt 60 ]
	[ $(( (b - a) * 100 / (2 * hz) )) -gt 15 ]     # it does spin
	grep -q "CPUs: 1, execution cap 40%" "$VMS/cap/Logs/VBox.log"
}

@test "VBoxInternal/EM/Engine chooses the engine and says why in VBox.log" {
	new_vm eng ide
	"$VB_BIN/VBoxManage" setextradata eng VBoxInternal/EM/Engine kvm
	headless --startvm eng
	expect_status 0
	grep -q "EM: Execution engine: KVM (requested by VBoxInternal/EM/Engine=kvm)" "$VMS/eng/Logs/VBox.log"
	"$VB_BIN/VBoxManage" setextradata eng VBoxInternal/EM/Engine auto
	headless --startvm eng
	expect_status 0
	if [ -d /sys/module/kvm_pvm ]; then
		grep -q "EM: Execution engine: .*auto: the host KVM is PVM" "$VMS/eng/Logs/VBox.log"
	else
		grep -q "EM: Execution engine: KVM (VBoxInternal/EM/Engine=auto)" "$VMS/eng/Logs/VBox.log"
	fi
}

@test "a missing DVD image fails before the guest starts" {
	iso=$(realmode_iso)
	cp "$iso" "$BATS_TEST_TMPDIR/gone.iso"
	new_vm gone ide
	"$VB_BIN/VBoxManage" storageattach gone --storagectl IDE --port 1 --device 0 --type dvddrive --medium "$BATS_TEST_TMPDIR/gone.iso"
	rm "$BATS_TEST_TMPDIR/gone.iso"
	headless --startvm gone
	expect_status 1
	expect_err "Starting virtual machine: "
	expect_err "Operation failed: NS_ERROR_FAILURE"
	expect_out "Error: failed to start machine. Error message: Could not open the medium '$BATS_TEST_TMPDIR/gone.iso'."
	expect_out "VD: error VERR_FILE_NOT_FOUND opening image file '$BATS_TEST_TMPDIR/gone.iso' (VERR_FILE_NOT_FOUND)."
	grep -q "Power up failed (vrc=VERR_FILE_NOT_FOUND, rc=NS_ERROR_FAILURE (0X80004005))" "$VMS/gone/Logs/VBox.log"
	run ! grep -q "BIOS: SeaBIOS" "$VMS/gone/Logs/VBox.log"
}

@test "an unknown storage controller type is a settings error; an unemulated one is refused" {
	new_vm ctl ide
	sed -i 's/type="PIIX4"/type="Bogus"/' "$(vm_file ctl)"
	headless --startvm ctl
	expect_status 1
	expect_err "VBoxHeadless: error: Error in $(vm_file ctl) -- Invalid value 'Bogus' for StorageController/@type attribute"
	expect_err "VBoxHeadless: error: Details: code VBOX_E_XML_ERROR (0x80bb000a), component MachineWrap, interface IMachine, callee nsISupports"
	[ ! -e "$VMS/ctl/Logs/VBox.log" ]
	sed -i 's/name="IDE" type="Bogus"/name="SCSI" type="LsiLogic"/' "$(vm_file ctl)"
	headless --startvm ctl
	expect_status 1
	expect_out "Error: failed to start machine. Error message: The storage controller 'SCSI' of type LsiLogic is not emulated by this VirtualBox implementation yet (IDE and AHCI controllers are) (VERR_NOT_SUPPORTED)."
}

@test "too much RAM fails before the guest starts" {
	new_vm big ide
	host_mb=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
	sed -i "s/RAMSize=\"128\"/RAMSize=\"$((host_mb + 1024))\"/" "$(vm_file big)"
	headless --startvm big
	expect_status 1
	expect_out "Error: failed to start machine. Error message: Insufficient free memory to start the VM (cbRam=$(printf '%#x' $(( (host_mb + 1024) * 1048576 ))) enmOcPolicy=1 enmPriority=2) (VERR_GMM_MEMORY_RESERVATION_DECLINED)."
	sed -i "s/RAMSize=\"[0-9]*\"/RAMSize=\"3000000\"/" "$(vm_file big)"
	headless --startvm big
	expect_status 1
	expect_err "VBoxHeadless: error: Error in $(vm_file big) -- Invalid value '3000000' in Memory/@RAMSize attribute (must be in range [4, 2097152] MB)"
}

@test "more than one CPU needs the I/O APIC" {
	new_vm smp ide
	vm_hw smp '<CPU count="2"/>'
	headless --startvm smp
	expect_status 1
	expect_out "Error: failed to start machine. Error message: Cannot run the machine because its configuration uses 2 CPUs but the I/O APIC is not enabled (VERR_NOT_SUPPORTED)."
}
