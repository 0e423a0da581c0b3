#!/usr/bin/env bats
# Walk over every command of the table (whatever parts are linked in) and
# every sub-command form of its synopsis: help, usage, the scoped usage
# of a syntax error, and the man page generated from the same help.

load helpers

local_setup() {
	export IPRT_SCREEN_WIDTH=80
}

commands_list() {
	"$VB_BIN/VBoxManage" commands | sed -n 's/^    //p'
}

@test "every command has full help: title, Usage and Description, exit 1" {
	local c n=0
	for c in $(commands_list); do
		vbm -q help "$c"
		expect_status 1
		[[ "${lines[2]}" == "VBoxManage $c -- "* ]] || { echo "bad title for $c"; show_run; return 1; }
		expect_out "Usage"
		expect_out "====="
		expect_out "Description"
		expect_out "==========="
		grep -q "^  VBoxManage $c" <<<"$output" || { echo "no form for $c"; return 1; }
		n=$((n + 1))
	done
	[ "$n" -ge 15 ]
}

@test "every command without arguments prints its usage on stdout, exit 1" {
	local c
	for c in $(commands_list); do
		vbm "$c"
		expect_status 1
		[[ "${lines[0]}" == "Usage - "*: ]] || { echo "bad usage for $c"; show_run; return 1; }
		[ -z "$stderr" ]
	done
}

@test "every sub-command scopes the usage of its syntax errors" {
	local c s other
	for c in $(commands_list); do
		for s in $("$VB_BIN/VBoxManage" -q help "$c" |
			   sed -n "s/^  VBoxManage $c \([a-z][a-z0-9-]*\)\( .*\)\{0,1\}$/\1/p" | sort -u); do
			# list takes a filter pattern, not options
			[ "$c $s" = "natnetwork list" ] && continue
			vbm "$c" "$s" --no-such-option-xyz
			[ "$status" -eq 2 ] || { echo "$c $s: status $status"; show_run; return 1; }
			grep -qx "Usage:" <<<"$stderr" || { echo "$c $s: not scoped"; show_run; return 1; }
			other=$(grep "^  VBoxManage $c " <<<"$stderr" | grep -vc "^  VBoxManage $c $s" || true)
			[ "$other" -eq 0 ] || { echo "$c $s: other forms shown"; show_run; return 1; }
		done
	done
}

@test "every command has a man page generated from its help" {
	local c
	[ -f "$TOP/man/VBoxManage.1" ]
	for c in $(commands_list); do
		[ -f "$TOP/man/VBoxManage-$c.1" ] || { echo "no man page for $c"; return 1; }
		grep -q "^\.BR VBoxManage\\\\-$c (1)" "$TOP/man/VBoxManage.1"
	done
	tmp="$BATS_TEST_TMPDIR/man"
	mkdir "$tmp"
	run "$VB_BIN/VBoxManage" --dump-manpages "$tmp"
	[ "$status" -eq 0 ]
	diff -r "$tmp" "$TOP/man" --exclude=check-man.sh
}

@test "help of the whole program lists every command form" {
	local c
	vbm -q
	expect_status 0
	for c in $(commands_list); do
		grep -q "^  VBoxManage $c" <<<"$output" || { echo "$c missing"; return 1; }
	done
}
