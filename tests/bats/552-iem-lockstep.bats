#!/usr/bin/env bats
# Lockstep against QEMU TCG: the test ROM (tests/lockstep/rom.S: reset
# vector, real mode, 32-bit protected mode, PAE paging, long mode) runs
# under QEMU with a CPU state logged before every instruction and under
# the iem engine (build/tools/iem-trace); every state must agree.

load helpers

local_setup() {
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed"
	command -v as >/dev/null || skip "binutils are not installed"
	[ -x "$TOP/build/tools/iem-trace" ] || skip "build/tools/iem-trace is not built"
}

@test "the iem engine and QEMU TCG agree on every instruction of the mode-switch ROM" {
	run python3 "$TOP/tests/lockstep/lockstep.py" "$TOP/tests/lockstep/rom.S"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^lockstep:\ ([0-9]+)\ instructions\ agree ]]
	[ "${BASH_REMATCH[1]}" -gt 1000 ]
}

@test "lockstep reports the first divergence (flags undefined after IMUL/shifts/BT, strictly compared)" {
	run python3 "$TOP/tests/lockstep/lockstep.py" --strict-flags "$TOP/tests/lockstep/rom.S"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"lockstep: divergence at instruction"*"(rflags)"* ]]
	[[ "$output" == *"instruction: "* ]]
}
