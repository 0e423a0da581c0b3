#!/bin/bash
# Boot time and memory of the real-mode test CD (tests/guests): QEMU with
# KVM against VBoxHeadless with its KVM engine, same RAM, same CD, runs
# alternating.  Each run goes from exec to process exit (SeaBIOS, El Torito
# boot from an IDE DVD, COM1 marker, ACPI S5 power-off).
#
#   bench/boot.sh [RUNS] [RAM_MB]        (defaults 5 and 128)
#
# Prints the median times and their ratio (ours / QEMU; below 1.0 means
# faster), and each VMM's resident memory beyond its guest RAM (process
# RSS minus the resident part of the guest-RAM mapping, sampled from
# /proc/PID/smaps during the run), median over the runs.
set -eu
cd "$(dirname "$0")/.."
TOP=$(pwd)
RUNS=${1:-5}
RAM=${2:-128}
BIN=$TOP/build/bin
QEMU=${QEMU:-qemu-system-x86_64}

[ -c /dev/kvm ] || { echo "bench/boot.sh: needs /dev/kvm" >&2; exit 1; }
command -v "$QEMU" >/dev/null || { echo "bench/boot.sh: $QEMU not found (Debian: qemu-system-x86)" >&2; exit 1; }
[ -x "$BIN/VBoxHeadless" ] || { echo "bench/boot.sh: build first (make)" >&2; exit 1; }
bash tests/guests/build-guests.sh build/guests >/dev/null 2>&1
ISO=$TOP/build/guests/realmode.iso

W=$(mktemp -d /tmp/vbox-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
# shellcheck source=bench/vm-lib.sh
. "$TOP/bench/vm-lib.sh"
bench_home "$W"
bench_vm bench Other "$ISO" "$RAM" "$W/ours-com1.log"

# Resident KiB beyond the guest RAM mapping (the anonymous mapping whose
# size is the guest RAM, give or take alignment).
overhead_kb() {
	awk -v ram=$((RAM * 1024)) '
		/^[0-9a-f]+-[0-9a-f]+ / { split($1, a, "-"); size = 0; cur = $1; next }
		/^Size:/ { size = $2 }
		/^Rss:/ { total += $2; if (size >= ram && size <= ram + 4096 && !seen) { guest = $2; seen = 1 } }
		END { print total - guest }' "/proc/$1/smaps" 2>/dev/null
}

# run_one NAME COMMAND...: prints "seconds overhead_kb"
run_one() {
	local name=$1 t0 t1 pid ov=0 cur
	shift
	t0=$(date +%s.%N)
	"$@" >"$W/$name.out" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		cur=$(overhead_kb "$pid" || true)
		[ -n "$cur" ] && [ "$cur" -gt "$ov" ] && ov=$cur
		sleep 0.2
	done
	wait "$pid" || { echo "bench/boot.sh: $name failed:" >&2; cat "$W/$name.out" >&2; exit 1; }
	t1=$(date +%s.%N)
	echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }') $ov"
}

median() {
	sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

: >"$W/q.t"; : >"$W/o.t"; : >"$W/q.m"; : >"$W/o.m"
for i in $(seq 1 "$RUNS"); do
	read -r t m < <(run_one qemu "$QEMU" -enable-kvm -m "$RAM" -display none -vga none \
		-net none -boot d -cdrom "$ISO" -serial "file:$W/qemu-com1.log" -no-reboot)
	grep -q GUEST-BOOT-OK "$W/qemu-com1.log" || { echo "bench/boot.sh: QEMU run $i shows no marker" >&2; exit 1; }
	echo "$t" >>"$W/q.t"; echo "$m" >>"$W/q.m"
	read -r t m < <(run_one ours "$BIN/VBoxHeadless" --startvm bench)
	grep -q GUEST-BOOT-OK "$W/ours-com1.log" || { echo "bench/boot.sh: VBoxHeadless run $i shows no marker" >&2; exit 1; }
	echo "$t" >>"$W/o.t"; echo "$m" >>"$W/o.m"
	printf 'run %d: qemu %.2f s, ours %.2f s\n' "$i" "$(tail -1 "$W/q.t")" "$(tail -1 "$W/o.t")"
done
qt=$(median <"$W/q.t"); ot=$(median <"$W/o.t")
qm=$(median <"$W/q.m"); om=$(median <"$W/o.m")
printf 'boot to power-off, median of %d: QEMU %.2f s, VBoxHeadless %.2f s\n' "$RUNS" "$qt" "$ot"
awk -v o="$ot" -v q="$qt" 'BEGIN { printf "time ratio (VBoxHeadless / QEMU): %.2f\n", o / q }'
awk -v r="$RAM" -v q="$qm" -v o="$om" 'BEGIN {
	printf "RSS beyond %d MiB of guest RAM: QEMU %.1f MiB, VBoxHeadless %.1f MiB (ratio %.2f)\n",
		r, q / 1024, o / 1024, (q > 0 ? o / q : 0) }'
