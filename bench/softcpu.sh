#!/bin/bash
# The software x86 engine (iem) against QEMU's TCG: boot of the tiny Linux
# ISO (SeaBIOS, ISOLINUX, stock Debian kernel, busybox /init printing
# GUEST-BOOT-OK, ACPI power-off), same ISO, same RAM, one vCPU, runs
# alternating; then guest instructions per second on a fixed loop.
#
#   bench/softcpu.sh [RUNS] [RAM_MB]        (defaults 3 and 256)
#
# Prints the median wall-clock times (exec to process exit) and their
# ratio (ours / QEMU; below 1.0 means faster), the kernel's clock when it
# starts /init for both, and the loop figure from build/tools/iem-run --loop.
# Needs no /dev/kvm.
set -eu
cd "$(dirname "$0")/.."
TOP=$(pwd)
RUNS=${1:-3}
RAM=${2:-256}
BIN=$TOP/build/bin
QEMU=${QEMU:-qemu-system-x86_64}

command -v "$QEMU" >/dev/null || { echo "bench/softcpu.sh: $QEMU not found (Debian: qemu-system-x86)" >&2; exit 1; }
if [ ! -x "$BIN/VBoxHeadless" ] || [ ! -x build/tools/iem-run ]; then
	echo "bench/softcpu.sh: build first (make)" >&2
	exit 1
fi
bash tests/guests/build-guests.sh --linux build/guests >/dev/null 2>&1 ||
	{ echo "bench/softcpu.sh: cannot build the tiny Linux ISO (tests/guests/build-guests.sh --linux)" >&2; exit 1; }
ISO=$TOP/build/guests/tiny.iso

W=$(mktemp -d /tmp/vbox-softcpu.XXXXXX)
trap 'rm -rf "$W"' EXIT
# shellcheck source=bench/vm-lib.sh
. "$TOP/bench/vm-lib.sh"
bench_home "$W"
bench_vm bench Linux_64 "$ISO" "$RAM" "$W/ours-com1.log" --cpus 1 --hwvirtex off \
	--pae on --long-mode on --ioapic on

# run_one NAME LOG COMMAND...: prints the seconds from exec to exit
run_one() {
	local name=$1 log=$2 t0 t1
	shift 2
	rm -f "$log"
	t0=$(date +%s.%N)
	timeout 600 "$@" >"$W/$name.out" 2>&1 || { echo "bench/softcpu.sh: $name failed:" >&2; tail -20 "$W/$name.out" >&2; exit 1; }
	t1=$(date +%s.%N)
	grep -q "^GUEST-BOOT-OK" "$log" || { echo "bench/softcpu.sh: $name shows no marker" >&2; exit 1; }
	echo "$t1 - $t0" | bc
}

# kernel time when it starts /init ("[    3.85] Run /init as init process")
uptime_at_marker() {
	sed -n 's/^\[ *\([0-9.]*\)\] Run \/init as init process.*/\1/p' "$1" | tail -1
}

median() {
	sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

: >"$W/q.t"; : >"$W/o.t"; : >"$W/q.u"; : >"$W/o.u"
for i in $(seq 1 "$RUNS"); do
	run_one qemu "$W/qemu-com1.log" "$QEMU" -accel tcg -m "$RAM" -display none -vga none \
		-net none -boot d -cdrom "$ISO" -serial "file:$W/qemu-com1.log" -no-reboot >>"$W/q.t"
	uptime_at_marker "$W/qemu-com1.log" >>"$W/q.u"
	run_one ours "$W/ours-com1.log" "$BIN/VBoxHeadless" --startvm bench >>"$W/o.t"
	uptime_at_marker "$W/ours-com1.log" >>"$W/o.u"
	printf 'run %d: QEMU TCG %.2f s, VBoxHeadless (iem) %.2f s\n' "$i" "$(tail -1 "$W/q.t")" "$(tail -1 "$W/o.t")"
done
qt=$(median <"$W/q.t"); ot=$(median <"$W/o.t")
qu=$(median <"$W/q.u"); ou=$(median <"$W/o.u")
printf 'tiny Linux ISO boot to power-off, median of %d: QEMU TCG %.2f s, VBoxHeadless (iem) %.2f s\n' "$RUNS" "$qt" "$ot"
printf 'kernel time at /init: QEMU TCG %.2f s, iem %.2f s\n' "$qu" "$ou"
printf 'time ratio (iem / QEMU TCG): %.2f\n' "$(echo "$ot / $qt" | bc -l)"
build/tools/iem-run --loop --mb 64
