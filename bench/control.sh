#!/bin/bash
# Running VMs under control: our VBoxManage/VBoxHeadless (KVM engine)
# against QEMU with KVM driven over QMP, same CD (the counting real-mode
# guest of tests/guests), same RAM, runs alternating.
#
#   bench/control.sh [RUNS] [RAM_MB]        (defaults 3 and 1024)
#
# Figures, medians over the runs:
#   start      ours: "VBoxManage startvm --type headless" until it returns
#              (the VM runs); QEMU: exec until query-status says running.
#   pause+resume  ours: "controlvm pause" then "controlvm resume" (two
#              VBoxManage processes); QEMU: a QMP connection doing stop
#              and cont.
#   save       ours: "controlvm savestate" until it returns (state file
#              written, process gone); QEMU: stop, then migrate to a file
#              ("exec:cat > f") until completed.  Also seconds per GiB of
#              guest RAM and the file size.
#   restore    ours: "startvm" of the saved machine until it runs; QEMU:
#              exec with -incoming "exec:cat f", then cont, until running.
#              Also seconds per GiB.
# Ratios are ours / QEMU (below 1.0 means faster).  This guest leaves
# most RAM untouched: both sides elide zero pages, so the per-GiB figures
# are dominated by scanning guest RAM, not by writing it.
set -eu
cd "$(dirname "$0")/.."
TOP=$(pwd)
RUNS=${1:-3}
RAM=${2:-1024}
BIN=$TOP/build/bin
QEMU=${QEMU:-qemu-system-x86_64}

[ -c /dev/kvm ] || { echo "bench/control.sh: needs /dev/kvm" >&2; exit 1; }
command -v "$QEMU" >/dev/null || { echo "bench/control.sh: $QEMU not found (Debian: qemu-system-x86)" >&2; exit 1; }
[ -x "$BIN/VBoxManage" ] || { echo "bench/control.sh: build first (make)" >&2; exit 1; }
bash tests/guests/build-guests.sh build/guests >/dev/null 2>&1
ISO=$TOP/build/guests/realmode-count.iso

W=$(mktemp -d /tmp/vbox-control.XXXXXX)
cleanup() {
	"$BIN/VBoxManage" controlvm bench poweroff >/dev/null 2>&1 || true
	if [ -f "$W/qemu.pid" ]; then
		kill "$(cat "$W/qemu.pid")" 2>/dev/null || true
	fi
	rm -rf "$W"
}
trap cleanup EXIT
# shellcheck source=bench/vm-lib.sh
. "$TOP/bench/vm-lib.sh"
bench_home "$W"
VBM=$BIN/VBoxManage
bench_vm bench Other "$ISO" "$RAM" "$W/ours-com1.log"

now() { date +%s%N; }
ms() { echo $((($2 - $1) / 1000000)); }

# ours_run: one start / pause+resume / save / restore cycle, ms each
ours_run() {
	local t0 t1 t2 t3 t4 t5 t6 t7 size
	t0=$(now)
	"$VBM" startvm bench --type headless >/dev/null
	t1=$(now)
	# let the guest run its first tick
	for _ in $(seq 1 200); do grep -q '^tick' "$W/ours-com1.log" 2>/dev/null && break; sleep 0.05; done
	t2=$(now)
	"$VBM" controlvm bench pause
	"$VBM" controlvm bench resume
	t3=$(now)
	t4=$(now)
	"$VBM" controlvm bench savestate 2>/dev/null
	t5=$(now)
	size=$(stat -c %s "$W"/vms/bench/Snapshots/*.sav)
	t6=$(now)
	"$VBM" startvm bench --type headless >/dev/null
	t7=$(now)
	"$VBM" controlvm bench poweroff 2>/dev/null
	echo "$(ms "$t0" "$t1") $(ms "$t2" "$t3") $(ms "$t4" "$t5") $(ms "$t6" "$t7") $size"
}

qemu_run() {
	python3 - "$QEMU" "$ISO" "$RAM" "$W" <<'PY'
import json, os, socket, subprocess, sys, time

qemu, iso, ram, w = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
sock = os.path.join(w, "qmp.sock")
state = os.path.join(w, "qemu.state")

def launch(extra):
    if os.path.exists(sock):
        os.unlink(sock)
    p = subprocess.Popen([qemu, "-enable-kvm", "-machine", "pc", "-m", ram, "-display", "none",
                          "-cdrom", iso, "-boot", "d", "-serial", "file:" + os.path.join(w, "qemu-com1.log"),
                          "-qmp", "unix:%s,server=on,wait=off" % sock, "-no-reboot"] + extra,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    open(os.path.join(w, "qemu.pid"), "w").write(str(p.pid))
    return p

class QMP:
    def __init__(self):
        for _ in range(2000):
            try:
                self.s = socket.socket(socket.AF_UNIX)
                self.s.connect(sock)
                break
            except OSError:
                self.s.close()
                time.sleep(0.002)
        self.f = self.s.makefile("rw")
        self.f.readline()
        self.cmd("qmp_capabilities")
    def cmd(self, name, **args):
        self.f.write(json.dumps({"execute": name, "arguments": args}) + "\n")
        self.f.flush()
        while True:
            r = json.loads(self.f.readline())
            if "return" in r or "error" in r:
                return r.get("return")
    def close(self):
        self.f.close()
        self.s.close()

def wait_status(q, want):
    while q.cmd("query-status")["status"] != want:
        time.sleep(0.001)

t0 = time.monotonic()
p = launch([])
q = QMP()
wait_status(q, "running")
t1 = time.monotonic()
log = os.path.join(w, "qemu-com1.log")
for _ in range(200):
    if os.path.exists(log) and b"tick" in open(log, "rb").read():
        break
    time.sleep(0.05)
q.close()
t2 = time.monotonic()
q = QMP()
q.cmd("stop")
q.cmd("cont")
q.close()
t3 = time.monotonic()
q = QMP()
q.cmd("stop")
q.cmd("migrate", uri="exec:cat > " + state)
while q.cmd("query-migrate").get("status") not in ("completed", "failed"):
    time.sleep(0.001)
q.cmd("quit")
p.wait()
t4 = time.monotonic()
size = os.path.getsize(state)
t5 = time.monotonic()
p = launch(["-incoming", "exec:cat " + state])
q = QMP()
while q.cmd("query-status")["status"] in ("inmigrate",):
    time.sleep(0.001)
q.cmd("cont")
wait_status(q, "running")
t6 = time.monotonic()
q.cmd("quit")
p.wait()
os.unlink(state)
ms = lambda a, b: int((b - a) * 1000)
print(ms(t0, t1), ms(t2, t3), ms(t3, t4), ms(t5, t6), size)
PY
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

: >"$W/ours"
: >"$W/qemu"
for _ in $(seq 1 "$RUNS"); do
	ours_run >>"$W/ours"
	qemu_run >>"$W/qemu"
done

col() { awk -v c="$2" '{ print $c }' "$1" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
pergib() { awk -v t="$1" -v r="$RAM" 'BEGIN { printf "%.3f", t / 1000 / (r / 1024) }'; }

printf 'bench/control.sh: %s runs, %s MiB guest RAM, counting real-mode CD, KVM on both sides\n' "$RUNS" "$RAM"
printf '%-16s %10s %10s %8s\n' "" "ours ms" "QEMU ms" "ratio"
for spec in "start:1" "pause+resume:2" "save:3" "restore:4"; do
	name=${spec%%:*}
	c=${spec##*:}
	o=$(col "$W/ours" "$c")
	q=$(col "$W/qemu" "$c")
	printf '%-16s %10s %10s %8s\n' "$name" "$o" "$q" "$(ratio "$o" "$q")"
done
os=$(col "$W/ours" 3)
qs=$(col "$W/qemu" 3)
orr=$(col "$W/ours" 4)
qr=$(col "$W/qemu" 4)
printf 'save per GiB:     ours %s s, QEMU %s s\n' "$(pergib "$os")" "$(pergib "$qs")"
printf 'restore per GiB:  ours %s s, QEMU %s s\n' "$(pergib "$orr")" "$(pergib "$qr")"
printf 'state file:       ours %s bytes, QEMU %s bytes\n' "$(col "$W/ours" 5)" "$(col "$W/qemu" 5)"
