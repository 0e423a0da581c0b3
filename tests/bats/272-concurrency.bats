#!/usr/bin/env bats
# Concurrent VBoxManage processes on one machine and on VirtualBox.xml:
# writers serialise on the settings locks, so every change survives;
# readers (which take no lock) never see a missing, empty or half-written
# file.

load helpers

N=20

local_setup() {
	ST="$VB_BIN/../tests/tools/settings-tool"
	vbm createvm --name conc --register
	expect_status 0
	VBOXFILE="$VMS/conc/conc.vbox"
	# give the file some body so that a torn write would show
	for i in 1 2 3 4 5 6 7 8; do
		vbm setextradata conc "pad/$i" "$(printf '%0200d' "$i")"
		expect_status 0
	done
}

# Readers: parse the machine file and VirtualBox.xml, and run read-only
# commands, until the stop file appears; every failure is logged.
reader() {
	local log=$1 i=0
	while [ ! -e "$BATS_TEST_TMPDIR/stop" ]; do
		"$ST" serialize machine "$VBOXFILE" >/dev/null 2>>"$log" ||
			echo "machine file unreadable" >>"$log"
		"$ST" serialize global "$VBOX_USER_HOME/VirtualBox.xml" >/dev/null 2>>"$log" ||
			echo "VirtualBox.xml unreadable" >>"$log"
		out=$("$VB_BIN/VBoxManage" list vms 2>>"$log") ||
			echo "list vms failed" >>"$log"
		case $out in
		*'"conc" {'*) ;;
		*) echo "list vms: $out" >>"$log" ;;
		esac
		"$VB_BIN/VBoxManage" getextradata conc pad/1 >/dev/null 2>>"$log" ||
			echo "getextradata failed" >>"$log"
		i=$((i + 1))
	done
	echo "$i" >"$log.count"
}

@test "$N concurrent writers on one machine and on VirtualBox.xml: no change is lost" {
	: >"$BATS_TEST_TMPDIR/r1"
	: >"$BATS_TEST_TMPDIR/r2"
	reader "$BATS_TEST_TMPDIR/r1" &
	r1=$!
	reader "$BATS_TEST_TMPDIR/r2" &
	r2=$!
	"$ST" watch machine "$VBOXFILE" "$BATS_TEST_TMPDIR/stop" >"$BATS_TEST_TMPDIR/w1" &
	w1=$!
	"$ST" watch global "$VBOX_USER_HOME/VirtualBox.xml" "$BATS_TEST_TMPDIR/stop" >"$BATS_TEST_TMPDIR/w2" &
	w2=$!
	pids=()
	for i in $(seq 1 $N); do
		"$VB_BIN/VBoxManage" setextradata conc "qa/m$i" "machine value $i" \
			>"$BATS_TEST_TMPDIR/m$i.out" 2>&1 &
		pids+=($!)
		"$VB_BIN/VBoxManage" setextradata global "qa/g$i" "global value $i" \
			>"$BATS_TEST_TMPDIR/g$i.out" 2>&1 &
		pids+=($!)
	done
	fails=0
	for p in "${pids[@]}"; do
		wait "$p" || fails=$((fails + 1))
	done
	touch "$BATS_TEST_TMPDIR/stop"
	wait "$r1" "$r2"
	wait "$w1" || { cat "$BATS_TEST_TMPDIR/w1"; false; }
	wait "$w2" || { cat "$BATS_TEST_TMPDIR/w2"; false; }
	if [ "$fails" -ne 0 ]; then
		cat "$BATS_TEST_TMPDIR"/[mg]*.out
		false
	fi
	vbm getextradata conc enumerate
	expect_status 0
	for i in $(seq 1 $N); do
		expect_out "Key: qa/m$i, Value: machine value $i"
	done
	for i in 1 2 3 4 5 6 7 8; do
		expect_out "Key: pad/$i, Value: $(printf '%0200d' "$i")"
	done
	[ "${#lines[@]}" -eq $((N + 8)) ]
	vbm getextradata global enumerate
	expect_status 0
	for i in $(seq 1 $N); do
		expect_out "Key: qa/g$i, Value: global value $i"
	done
	# the readers ran and never saw a broken file
	[ "$(cat "$BATS_TEST_TMPDIR/r1.count")" -gt 0 ]
	if [ -s "$BATS_TEST_TMPDIR/r1" ] || [ -s "$BATS_TEST_TMPDIR/r2" ]; then
		cat "$BATS_TEST_TMPDIR/r1" "$BATS_TEST_TMPDIR/r2"
		false
	fi
	# nothing is left behind
	[ ! -e "$VBOXFILE-tmp" ]
	[ ! -e "$VBOX_USER_HOME/VirtualBox.xml-tmp" ]
	[ -s "$VBOXFILE-prev" ]
}

@test "$N concurrent writers changing the same key: one of the values wins, the file stays whole" {
	pids=()
	for i in $(seq 1 $N); do
		"$VB_BIN/VBoxManage" setextradata conc qa/same "value $i" >/dev/null 2>&1 &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p"
	done
	vbm getextradata conc qa/same
	expect_status 0
	[[ "$output" =~ ^Value:\ value\ ([0-9]+)$ ]]
	[ "${BASH_REMATCH[1]}" -ge 1 ] && [ "${BASH_REMATCH[1]}" -le $N ]
	"$ST" serialize machine "$VBOXFILE" >/dev/null
}
