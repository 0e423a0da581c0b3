#!/bin/bash
# VBoxManage start-up and settings cost with 200 registered VMs.
#
#   bench/cli.sh [path/to/VBoxManage] [runs]
#
# Builds a throw-away VirtualBox home with 200 machines (copies of a real
# VirtualBox 7.0 .vbox from ../shared/fixtures when present, else made with
# createvm), then times, run by run, the median wall time of
#   list vms
#   showvminfo <vm> --machinereadable
#   modifyvm <vm> --memory <n>          (a different value each run)
# and prints each as a ratio to starting /bin/true, measured the same way
# in the same run.  Commands this build does not have are reported as such.
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
VBM=${1:-$TOP/build/bin/VBoxManage}
RUNS=${2:-31}
NVMS=200
FIXTURE=$TOP/../shared/fixtures/real-settings/v1.19-linux-tegasae-tcp-vm2.vbox

[ -x "$VBM" ] || { echo "bench/cli.sh: no VBoxManage at $VBM (run make)" >&2; exit 2; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/vbox-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export VBOX_USER_HOME="$WORK/home"
export HOME="$WORK"
VMS="$WORK/vms"
mkdir -p "$VBOX_USER_HOME" "$VMS"

# ---- the 200 machines ------------------------------------------------
{
	echo '<?xml version="1.0"?>'
	echo '<VirtualBox xmlns="http://www.virtualbox.org/" version="1.12-linux">'
	echo '  <Global>'
	echo '    <MachineRegistry>'
} >"$VBOX_USER_HOME/VirtualBox.xml"
for i in $(seq 1 $NVMS); do
	uuid=$(printf '%08x-0000-4000-8000-%012x' "$i" "$i")
	if [ -f "$FIXTURE" ]; then
		mkdir -p "$VMS/vm$i"
		sed -e "s/9953792b-c9ca-4a0b-b804-e27498644344/$uuid/" \
		    -e "s/name=\"tcp-vm2\"/name=\"vm$i\"/" \
		    -e "s/tcp-vm2\\.vdi/vm$i.vdi/" \
		    "$FIXTURE" >"$VMS/vm$i/vm$i.vbox"
	else
		"$VBM" createvm --name "vm$i" --uuid "$uuid" --basefolder "$VMS" >/dev/null
	fi
	echo "      <MachineEntry uuid=\"{$uuid}\" src=\"$VMS/vm$i/vm$i.vbox\"/>" >>"$VBOX_USER_HOME/VirtualBox.xml"
done
{
	echo '    </MachineRegistry>'
	echo "    <SystemProperties defaultMachineFolder=\"$VMS\" defaultHardDiskFormat=\"VDI\" LogHistoryCount=\"3\" proxyMode=\"0\" exclusiveHwVirt=\"true\"/>"
	echo '    <USBDeviceFilters/>'
	echo '  </Global>'
	echo '</VirtualBox>'
} >>"$VBOX_USER_HOME/VirtualBox.xml"
n=$("$VBM" list vms | wc -l)
[ "$n" -eq $NVMS ] || { echo "bench/cli.sh: list vms shows $n machines, not $NVMS" >&2; exit 1; }

# ---- timing ------------------------------------------------------------
now_us() {
	local t=${EPOCHREALTIME/[.,]/}
	echo "${t#0}"
}

# median_us CMD...: run CMD $RUNS times (after 3 warm-up runs), print the
# median wall time in microseconds.  "{i}" in an argument is replaced by
# the run number.
median_us() {
	local i t0 t1 args a
	local -a times=()
	for i in $(seq -3 "$RUNS"); do
		args=()
		for a in "$@"; do
			args+=("${a//\{i\}/$((300 + (i + 3) % 500))}")
		done
		t0=$(now_us)
		"${args[@]}" >/dev/null 2>&1 || return 1
		t1=$(now_us)
		[ "$i" -gt 0 ] && times+=($((t1 - t0)))
	done
	printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p"
}

has_command() {
	"$VBM" commands 2>/dev/null | grep -qx "    $1"
}

fmt_ms() {
	printf '%d.%02d' $(($1 / 1000)) $((($1 % 1000) / 10))
}

base=$(median_us /bin/true)
[ "$base" -gt 0 ] || base=1
printf 'bench/cli.sh: %d registered VMs, median of %d runs, %s\n' $NVMS "$RUNS" "$VBM"
printf '%-36s %9s ms\n' "/bin/true" "$(fmt_ms "$base")"

report() {
	local label=$1 t
	shift
	if ! t=$(median_us "$@"); then
		printf '%-36s failed\n' "$label"
		return
	fi
	printf '%-36s %9s ms  %6s x /bin/true\n' "$label" "$(fmt_ms "$t")" \
		"$((t / base)).$(((t * 10 / base) % 10))"
}

report "list vms" "$VBM" list vms
if has_command showvminfo; then
	report "showvminfo vm$NVMS --machinereadable" "$VBM" showvminfo "vm$NVMS" --machinereadable
else
	printf '%-36s not in this build\n' "showvminfo --machinereadable"
fi
if has_command modifyvm; then
	report "modifyvm vm$NVMS --memory <n>" "$VBM" modifyvm "vm$NVMS" --memory "{i}"
else
	printf '%-36s not in this build\n' "modifyvm --memory"
fi
# what exists already for a read and a write of one machine by name
report "getextradata vm$NVMS enumerate" "$VBM" getextradata "vm$NVMS" enumerate
report "setextradata vm$NVMS bench <n>" "$VBM" setextradata "vm$NVMS" bench "{i}"
