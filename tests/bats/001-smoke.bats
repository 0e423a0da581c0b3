#!/usr/bin/env bats
# Smoke: the binaries exist, answer --version, and the lowercase links work.

load helpers

@test "VBoxManage --version prints a 7.0.x version with our tag" {
	for opt in --version -v -V -version -Version; do
		vbm "$opt"
		expect_status 0
		[[ "$output" =~ ^7\.0\.[1-9][0-9]*_KVMr[0-9]+$ ]]
		[ -z "$stderr" ]
	done
}

@test "lowercase links run the same programs" {
	run "$VB_BIN/vboxmanage" --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^7\.0\. ]]
	[ -L "$VB_BIN/vboxheadless" ]
	[ -L "$VB_BIN/vboxsdl" ]
}

@test "an unknown command is a syntax error with exit 2" {
	vbm frobnicate
	expect_status 2
	expect_err "VBoxManage: error: Invalid command 'frobnicate'"
}
