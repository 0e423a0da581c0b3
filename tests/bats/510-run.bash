# Helpers for the 51x tests (machines under control); load after helpers
# and 500-vm.
#
#   count_vm NAME [CTL]     a machine with the counting real-mode CD
#                           (prints "tick N" on COM1 every second, powers
#                           off on the ACPI power button), COM1 into
#                           $VMS/NAME/com1.log
#   started NAME            startvm NAME --type headless, checked
#   wait_com NAME TEXT      wait (60 s) until COM1 has a line with TEXT
#   wait_tick NAME N        wait until the count reaches at least N
#   last_tick NAME          the last count on COM1 (0 before the first)
#   vm_pid NAME             the VM process of NAME (from its VBox.log)
#   vmstate NAME            VMState of showvminfo --machinereadable
#   wait_state NAME STATE   wait (30 s) until VMState is STATE
#   proc_gone PID           the process has exited (a zombie counts: the
#                           VM process is detached, its reaper is init)
#
# Every VM process a test started is killed in teardown.

count_vm() {
	new_vm "$1" "${2:-ide}" realmode-count || return 1
	vm_uart "$1" RawFile "$VMS/$1/com1.log"
}

started() {
	vbm startvm "$1" --type headless
	expect_status 0
	expect_out "Waiting for VM \"$1\" to power on..."
	expect_out "VM \"$1\" has been successfully started."
}

wait_com() {
	local _
	for _ in $(seq 1 600); do
		grep -qF -- "$2" "$VMS/$1/com1.log" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "COM1 never had: $2"
	tail -5 "$VMS/$1/com1.log" 2>/dev/null
	return 1
}

last_tick() {
	local n
	n=$(grep -a '^tick ' "$VMS/$1/com1.log" 2>/dev/null | tail -n 1 | tr -dc '0-9')
	echo "${n:-0}"
}

wait_tick() {
	local _
	for _ in $(seq 1 600); do
		[ "$(last_tick "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	echo "the count never reached $2 (last: $(last_tick "$1"))"
	return 1
}

vm_pid() {
	grep -a 'Process ID:' "$VMS/$1/Logs/VBox.log" 2>/dev/null | tail -n 1 | awk '{ print $NF }'
}

vmstate() {
	"$VB_BIN/VBoxManage" showvminfo "$1" --machinereadable | sed -n 's/^VMState="\(.*\)"$/\1/p'
}

wait_state() {
	local _
	for _ in $(seq 1 300); do
		[ "$(vmstate "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	echo "VMState of $1 never became $2 (is $(vmstate "$1"))"
	return 1
}

proc_gone() {
	local st
	[ -r "/proc/$1/stat" ] || return 0
	st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -z "$st" ] || [ "$st" = Z ] || [ "$st" = X ]
}

teardown() {
	local log pid
	if [ -f "$BATS_TEST_TMPDIR/bg.pid" ]; then
		kill -KILL "$(cat "$BATS_TEST_TMPDIR/bg.pid")" 2>/dev/null || true
	fi
	for log in "$VMS"/*/Logs/VBox.log; do
		[ -f "$log" ] || continue
		pid=$(grep -a 'Process ID:' "$log" | tail -n 1 | awk '{ print $NF }')
		[ -n "$pid" ] || continue
		if grep -q VBoxHeadless "/proc/$pid/cmdline" 2>/dev/null; then
			kill -KILL "$pid" 2>/dev/null || true
		fi
	done
}
