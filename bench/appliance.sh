#!/bin/sh
# Appliance export speed against the obvious peer, side by side in one run.
# A machine with one 2 GiB VDI disk made from a half-random raw file
# (2048 chunks of 1 MiB, each random with probability 1/2, chunk choice
# from a fixed seed, as bench/media.sh) is exported to an OVA:
#
#   ours:  VBoxManage export vm --output ours.ova
#   peer:  qemu-img convert -f vdi -O vmdk -o subformat=streamOptimized
#          vm.vdi vm-disk001.vmdk && tar -cf peer.ova vm.ovf vm-disk001.vmdk
#          (the descriptor is ours, taken from our archive; tar of the
#          same disk is what an OVA is)
#
# and the same with a manifest (ours: --manifest; the peer adds
# "sha256sum" of both files).  Each command runs RUNS times (default 3),
# alternating; before every run the outputs are removed and the file
# system synced, after it the file system is synced again, so the time
# is "command + writing back".  The table shows the medians, the ratio
# ours/peer (below 1: we are faster; the goal is 0.5 or less) and the CPU
# seconds (user+sys).  Our archive is checked once: its disk must hold
# the source's data (qemu-img compare) and its layout must be the
# descriptor, then the disk.
#
#   sh bench/appliance.sh            BENCH_DIR=/var/tmp/vbox-bench RUNS=3
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
VBM=${VBM:-$TOP/build/bin/VBoxManage}
DIR=${BENCH_DIR:-/var/tmp/vbox-bench}
RUNS=${RUNS:-3}
SRC=$DIR/src.raw
SIZE=$((2048 * 1048576))

command -v qemu-img >/dev/null || { echo "qemu-img is needed" >&2; exit 1; }
[ -x "$VBM" ] || { echo "build VBoxManage first (make)" >&2; exit 1; }
mkdir -p "$DIR"
H=$DIR/appl-home
VMS=$DIR/appl-vms
export VBOX_USER_HOME="$H"
rm -rf "$H" "$VMS"
mkdir -p "$H" "$VMS"
cat >"$H/VirtualBox.xml" <<XML
<?xml version="1.0"?>
<VirtualBox xmlns="http://www.virtualbox.org/" version="1.12-linux">
  <Global>
    <MachineRegistry/>
    <SystemProperties defaultMachineFolder="$VMS" defaultHardDiskFormat="VDI"/>
  </Global>
</VirtualBox>
XML

if [ ! -f "$SRC" ] || [ "$(stat -c %s "$SRC")" -ne "$SIZE" ]; then
	echo "making $SRC (2 GiB, half random) ..." >&2
	rm -f "$SRC"
	awk 'BEGIN { srand(20240601); for (i = 0; i < 2048; i++) print (rand() < 0.5) }' |
	while read -r r; do
		if [ "$r" = 1 ]; then
			head -c 1048576 /dev/urandom
		else
			head -c 1048576 /dev/zero
		fi
	done >"$SRC"
fi

# the machine
V=$VMS/vm/vm.vdi
mkdir -p "$VMS/vm"
"$VBM" createvm --name vm --register >/dev/null
"$VBM" convertfromraw "$SRC" "$V" --format VDI >/dev/null 2>&1
"$VBM" storagectl vm --name SATA --add sata >/dev/null
"$VBM" storageattach vm --storagectl SATA --port 0 --device 0 --type hdd \
	--medium "$V" >/dev/null
# the source disk in the page cache for both sides
cat "$V" >/dev/null

O=$DIR/ours.ova
P=$DIR/peer
# the peer's descriptor: ours
"$VBM" export vm --output "$DIR/desc.ovf" >/dev/null 2>&1
rm -f "$DIR"/desc-disk001.vmdk
mkdir -p "$P"
sed 's/desc-disk001/vm-disk001/g' "$DIR/desc.ovf" >"$P/vm.ovf"
rm -f "$DIR/desc.ovf"

# the peer's commands (run through sh -c, V P DIR from the environment)
# shellcheck disable=SC2016
PEER_PLAIN='qemu-img convert -f vdi -O vmdk -o subformat=streamOptimized "$V" "$P/vm-disk001.vmdk" &&
	tar -C "$P" -cf "$DIR/peer.ova" vm.ovf vm-disk001.vmdk'
# shellcheck disable=SC2016
PEER_MF='qemu-img convert -f vdi -O vmdk -o subformat=streamOptimized "$V" "$P/vm-disk001.vmdk" &&
	(cd "$P" && sha256sum vm.ovf vm-disk001.vmdk | awk "{ print \"SHA256 (\" \$2 \") = \" \$1 }" >vm.mf) &&
	tar -C "$P" -cf "$DIR/peer.ova" vm.ovf vm-disk001.vmdk vm.mf'

# run1 CMD...: one timed run, prints "wall cpu"
run1() {
	rm -f "$O" "$DIR/peer.ova" "$P/vm-disk001.vmdk" "$P/vm.mf"
	sync -f "$DIR"
	t0=$(date +%s.%N)
	/usr/bin/time -f "%U %S" -o "$DIR/time.txt" "$@" >/dev/null 2>"$DIR/err.txt" || {
		echo "failed: $*" >&2
		cat "$DIR/err.txt" >&2
		exit 1
	}
	sync -f "$DIR"
	t1=$(date +%s.%N)
	cpu=$(awk '{ printf "%.2f", $1 + $2 }' "$DIR/time.txt")
	echo "$(echo "$t1 $t0" | awk '{ printf "%.2f", $1 - $2 }') $cpu"
}

median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# bench LABEL PEER_SCRIPT OURS_CMD...
bench() {
	label=$1 ps=$2
	shift 2
	: >"$DIR/ours.txt"
	: >"$DIR/peer.txt"
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		run1 "$@" >>"$DIR/ours.txt"
		run1 sh -c "$ps" >>"$DIR/peer.txt"
		i=$((i + 1))
	done
	ow=$(cut -d' ' -f1 "$DIR/ours.txt" | median)
	oc=$(cut -d' ' -f2 "$DIR/ours.txt" | median)
	pw=$(cut -d' ' -f1 "$DIR/peer.txt" | median)
	pc=$(cut -d' ' -f2 "$DIR/peer.txt" | median)
	printf '%-30s %8s %8s %7s   %8s %8s\n' "$label" "$ow" "$pw" \
		"$(echo "$ow $pw" | awk '{ printf "%.2f", $1 / $2 }')" "$oc" "$pc"
}

echo "VBox-KVM appliance bench: export of a VM with a 2 GiB half-random VDI disk to OVA; $RUNS runs each, median; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-30s %8s %8s %7s   %8s %8s\n' "operation (seconds, +sync)" ours peer "ours/peer" "cpu ours" "cpu peer"
export V P DIR
# check what we write, once, untimed: the descriptor then the disk, and
# the disk holds the source's data
rm -rf "$DIR/x" "$O"
mkdir -p "$DIR/x"
"$VBM" export vm --output "$O" >/dev/null 2>&1
[ "$(tar -tf "$O" | tr '\n' ' ')" = "ours.ovf ours-disk001.vmdk " ] ||
	{ echo "unexpected OVA layout: $(tar -tf "$O")" >&2; exit 1; }
tar -C "$DIR/x" -xf "$O"
qemu-img compare -f raw -F vmdk "$SRC" "$DIR/x/ours-disk001.vmdk" >/dev/null ||
	{ echo "content check failed" >&2; exit 1; }
rm -rf "$DIR/x" "$O"
bench "export OVA" "$PEER_PLAIN" "$VBM" export vm --output "$O"
bench "export OVA --manifest" "$PEER_MF" "$VBM" export vm --output "$O" --manifest
rm -rf "$O" "$DIR/peer.ova" "$P" "$H" "$VMS" "$DIR/ours.txt" "$DIR/peer.txt" \
	"$DIR/time.txt" "$DIR/err.txt"
