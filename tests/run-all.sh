#!/bin/sh
# The whole test suite, as `make check` runs it:
#   1. unit tests                      (build/tests/unit-tests)
#   2. Bats tests                      (tests/bats, binaries from build/bin)
#   3. both again under ASan+UBSan     (build-asan)
#   4. a short run of every fuzzer     (build-fuzz, libFuzzer)
#   5. shellcheck over the shell code
# and ends with one line "N passed, N failed, N skipped".
#
# Knobs: VB_CHECK_QUICK=1 skips 3 and 4; VB_FUZZ_SECONDS (default 15);
#        VB_BATS_FILTER=<regex> passes --filter to bats.
set -u
cd "$(dirname "$0")/.." || exit 2
TOP=$(pwd)
LOGDIR=${VB_CHECK_LOGDIR:-$TOP/build/check-logs}
mkdir -p "$LOGDIR"
PASS=0
FAIL=0
SKIP=0

# Count a TAP log: "ok", "ok ... # skip", "not ok".
tally() {
	p=$(grep -c '^ok ' "$1" 2>/dev/null) || p=0
	s=$(grep -Ec '^ok .*# ?[Ss][Kk][Ii][Pp]' "$1" 2>/dev/null) || s=0
	f=$(grep -c '^not ok ' "$1" 2>/dev/null) || f=0
	PASS=$((PASS + p - s))
	SKIP=$((SKIP + s))
	FAIL=$((FAIL + f))
	echo "== $2: $((p - s)) passed, $f failed, $s skipped"
	if [ "$f" -gt 0 ]; then
		grep -A30 '^not ok ' "$1" | head -200
	fi
}

# A step that is not a TAP producer counts as one test.
one() {
	name=$1
	shift
	if "$@" >"$LOGDIR/$name.log" 2>&1; then
		PASS=$((PASS + 1))
		echo "ok - $name"
	else
		FAIL=$((FAIL + 1))
		echo "not ok - $name"
		tail -40 "$LOGDIR/$name.log"
	fi
}

run_suite() {
	b=$1
	tag=$2
	"$TOP/$b/tests/unit-tests" >"$LOGDIR/unit-$tag.tap" 2>"$LOGDIR/unit-$tag.err"
	tally "$LOGDIR/unit-$tag.tap" "unit ($tag)"
	if [ -s "$LOGDIR/unit-$tag.err" ] && grep -q '^not ok' "$LOGDIR/unit-$tag.tap"; then
		head -100 "$LOGDIR/unit-$tag.err"
	fi
	set --
	[ -n "${VB_BATS_FILTER:-}" ] && set -- --filter "$VB_BATS_FILTER"
	VB_BIN="$TOP/$b/bin" PATH="$TOP/$b/bin:$PATH" \
		bats --tap "$@" tests/bats >"$LOGDIR/bats-$tag.tap" 2>&1
	tally "$LOGDIR/bats-$tag.tap" "bats ($tag)"
}

echo "== unit and Bats tests"
run_suite build plain

if [ "${VB_CHECK_QUICK:-0}" != 1 ]; then
	echo "== sanitizer build (address,undefined)"
	if make -s SANITIZE=address,undefined all >"$LOGDIR/build-asan.log" 2>&1; then
		ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
			run_suite build-asan asan
	else
		FAIL=$((FAIL + 1))
		echo "not ok - sanitizer build"
		tail -40 "$LOGDIR/build-asan.log"
	fi

	echo "== fuzz smoke"
	if make -s SANITIZE=fuzzer fuzzers >"$LOGDIR/build-fuzz.log" 2>&1; then
		for f in build-fuzz/fuzz/fuzz-*; do
			[ -x "$f" ] || continue
			n=$(basename "$f")
			corpus="tests/fuzz/corpus/${n#fuzz-}"
			work="$LOGDIR/corpus-$n"
			rm -rf "$work"
			mkdir -p "$work"
			[ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
			one "$n" "$f" -max_total_time="${VB_FUZZ_SECONDS:-15}" \
				-rss_limit_mb=2048 -timeout=10 "$work"
		done
	else
		FAIL=$((FAIL + 1))
		echo "not ok - fuzzer build"
		tail -40 "$LOGDIR/build-fuzz.log"
	fi
fi

echo "== man pages"
one man-pages sh man/check-man.sh "$TOP/build/bin/VBoxManage"

echo "== shellcheck"
for f in tests/bats/*.bats tests/bats/*.bash tests/*.sh scripts/*.sh bench/*.sh tests/guests/*.sh man/*.sh; do
	[ -f "$f" ] || continue
	case $f in
	*.bats|*.bash) one "shellcheck-$(basename "$f")" shellcheck -s bash -e SC2030,SC2031,SC2034,SC2154,SC2164,SC2016,SC2086,SC2317,SC1091,SC2155 "$f" ;;
	*) one "shellcheck-$(basename "$f")" shellcheck -e SC1091 "$f" ;;
	esac
done

echo "$PASS passed, $FAIL failed, $SKIP skipped"
[ "$FAIL" -eq 0 ]
