#!/bin/sh
# Image conversion speed against qemu-img, measured side by side in one
# run on the same 2 GiB raw file (2048 chunks of 1 MiB, each random with
# probability 1/2, zeros written out explicitly; chunk choice from a fixed
# seed).  For VDI, VMDK sparse, VMDK streamOptimized and VHD dynamic:
#
#   ours:  VBoxManage convertfromraw src.raw out --format F [--variant V]
#          VBoxManage clonemedium src.vdi out --format F [--variant V]
#   peer:  qemu-img convert -f raw|vdi -O f [-o ...] src out
#
# Each command runs RUNS times (default 3), alternating ours and the peer;
# the target is deleted before and synced after every run, so the time is
# "command + fsync".  The table gives the medians, the ratio peer/ours
# (above 1: we are faster) and the CPU seconds (user+sys), and ends with the
# "cp --sparse=always" floor.  Every output of ours is checked against the
# source with "qemu-img compare" once.
#
#   sh bench/media.sh              BENCH_DIR=/var/tmp/vbox-bench RUNS=3
#   BENCH_CLONE=0 sh bench/media.sh   skip the clonemedium rows
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
VBM=${VBM:-$TOP/build/bin/VBoxManage}
DIR=${BENCH_DIR:-/var/tmp/vbox-bench}
RUNS=${RUNS:-3}
CLONE=${BENCH_CLONE:-1}
SRC=$DIR/src.raw
SIZE=$((2048 * 1048576))

command -v qemu-img >/dev/null || { echo "qemu-img is needed" >&2; exit 1; }
[ -x "$VBM" ] || { echo "build VBoxManage first (make)" >&2; exit 1; }
mkdir -p "$DIR"
export VBOX_USER_HOME="$DIR/home"
rm -rf "$VBOX_USER_HOME"
mkdir -p "$VBOX_USER_HOME"

if [ ! -f "$SRC" ] || [ "$(stat -c %s "$SRC")" -ne "$SIZE" ]; then
	echo "making $SRC (2 GiB, half random) ..." >&2
	rm -f "$SRC"
	# which chunks are random: a fixed-seed sequence
	awk 'BEGIN { srand(20240601); for (i = 0; i < 2048; i++) print (rand() < 0.5) }' |
	while read -r r; do
		if [ "$r" = 1 ]; then
			head -c 1048576 /dev/urandom
		else
			head -c 1048576 /dev/zero
		fi
	done >"$SRC"
fi
# keep the source in the page cache, like the reference measurements
cat "$SRC" >/dev/null

# run NAME TARGET CMD...: one timed run, prints "wall cpu"
run1() {
	target=$1
	shift
	rm -rf "$target" "${target%.vmdk}"-*.vmdk "$VBOX_USER_HOME"
	mkdir -p "$VBOX_USER_HOME"
	# start every run with nothing of ours left to write back
	sync
	t0=$(date +%s.%N)
	/usr/bin/time -f "%U %S" -o "$DIR/time.txt" "$@" >/dev/null 2>"$DIR/err.txt" || {
		echo "failed: $*" >&2
		cat "$DIR/err.txt" >&2
		exit 1
	}
	sync "$target"
	t1=$(date +%s.%N)
	cpu=$(awk '{ printf "%.2f", $1 + $2 }' "$DIR/time.txt")
	echo "$(echo "$t1 $t0" | awk '{ printf "%.2f", $1 - $2 }') $cpu"
}

median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# bench LABEL OURS_TARGET "OURS_CMD" PEER_TARGET "PEER_CMD"
bench() {
	label=$1 ot=$2 oc=$3 pt=$4 pc=$5
	: >"$DIR/ours.txt"
	: >"$DIR/peer.txt"
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		# shellcheck disable=SC2086
		run1 "$ot" $oc >>"$DIR/ours.txt"
		# shellcheck disable=SC2086
		run1 "$pt" $pc >>"$DIR/peer.txt"
		i=$((i + 1))
	done
	ow=$(cut -d' ' -f1 "$DIR/ours.txt" | median)
	oc=$(cut -d' ' -f2 "$DIR/ours.txt" | median)
	pw=$(cut -d' ' -f1 "$DIR/peer.txt" | median)
	pcpu=$(cut -d' ' -f2 "$DIR/peer.txt" | median)
	printf '%-34s %8s %8s %7s   %8s %8s\n' "$label" "$ow" "$pw" \
		"$(echo "$pw $ow" | awk '{ printf "%.2fx", $1 / $2 }')" "$oc" "$pcpu"
}

check() {
	qemu-img compare "$@" >/dev/null || { echo "content check failed: $*" >&2; exit 1; }
}

O=$DIR/out
Q=$DIR/peer
echo "VBox-KVM media bench: 2 GiB raw, half random; $RUNS runs each, median; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %8s %8s %7s   %8s %8s\n' "operation (seconds, +fsync)" ours qemu-img "ratio" "cpu ours" "cpu qemu"
bench "convertfromraw VDI" "$O.vdi" "$VBM convertfromraw $SRC $O.vdi --format VDI" \
	"$Q.vdi" "qemu-img convert -f raw -O vdi $SRC $Q.vdi"
check -f raw -F vdi "$SRC" "$O.vdi"
bench "convertfromraw VMDK sparse" "$O.vmdk" "$VBM convertfromraw $SRC $O.vmdk --format VMDK" \
	"$Q.vmdk" "qemu-img convert -f raw -O vmdk -o subformat=monolithicSparse $SRC $Q.vmdk"
check -f raw -F vmdk "$SRC" "$O.vmdk"
bench "convertfromraw VMDK stream" "$O-s.vmdk" "$VBM convertfromraw $SRC $O-s.vmdk --format VMDK --variant Stream" \
	"$Q-s.vmdk" "qemu-img convert -f raw -O vmdk -o subformat=streamOptimized $SRC $Q-s.vmdk"
check -f raw -F vmdk "$SRC" "$O-s.vmdk"
bench "convertfromraw VHD dynamic" "$O.vhd" "$VBM convertfromraw $SRC $O.vhd --format VHD" \
	"$Q.vhd" "qemu-img convert -f raw -O vpc -o subformat=dynamic,force_size=on $SRC $Q.vhd"
check --image-opts "driver=raw,file.filename=$SRC" "driver=vpc,force_size_calc=current_size,file.filename=$O.vhd"
if [ "$CLONE" = 1 ]; then
	V=$DIR/src.vdi
	rm -f "$V"
	"$VBM" convertfromraw "$SRC" "$V" --format VDI >/dev/null 2>&1
	bench "clonemedium VDI -> VMDK sparse" "$O-c.vmdk" "$VBM clonemedium $V $O-c.vmdk --format VMDK" \
		"$Q-c.vmdk" "qemu-img convert -f vdi -O vmdk $V $Q-c.vmdk"
	bench "clonemedium VDI -> VMDK stream" "$O-cs.vmdk" "$VBM clonemedium $V $O-cs.vmdk --format VMDK --variant Stream" \
		"$Q-cs.vmdk" "qemu-img convert -f vdi -O vmdk -o subformat=streamOptimized $V $Q-cs.vmdk"
	bench "clonemedium VDI -> VHD dynamic" "$O-c.vhd" "$VBM clonemedium $V $O-c.vhd --format VHD" \
		"$Q-c.vhd" "qemu-img convert -f vdi -O vpc -o subformat=dynamic,force_size=on $V $Q-c.vhd"
	check -f raw -F vmdk "$SRC" "$O-cs.vmdk"
fi
: >"$DIR/floor.txt"
i=0
while [ "$i" -lt "$RUNS" ]; do
	run1 "$DIR/floor.raw" cp --sparse=always "$SRC" "$DIR/floor.raw" >>"$DIR/floor.txt"
	i=$((i + 1))
done
printf '%-34s %8s %8s %7s   %8s\n' "floor: cp --sparse=always" \
	"$(cut -d' ' -f1 "$DIR/floor.txt" | median)" "" "" \
	"$(cut -d' ' -f2 "$DIR/floor.txt" | median)"
rm -rf "$DIR"/out* "$DIR"/peer* "$DIR/floor.raw" "$DIR/src.vdi" "$VBOX_USER_HOME"
