#!/usr/bin/env bats
# guestproperty on the properties stored in the machine file.

load helpers

local_setup() {
	vbm createvm --name gp --register
	expect_status 0
	F="$VMS/gp/gp.vbox"
}

@test "set, get, enumerate, unset" {
	vbm guestproperty set gp /VirtualBox/GuestInfo/OS/Product Linux
	expect_status 0
	[ -z "$output" ]
	vbm guestproperty set gp /a/ro yes --flags RDONLYGUEST
	expect_status 0
	grep -q '<GuestProperty name="/a/ro" value="yes" timestamp="[0-9]*" flags="RDONLYGUEST"/>' "$F"
	vbm guestproperty get gp /VirtualBox/GuestInfo/OS/Product
	expect_status 0
	[ "$output" = "Value: Linux" ]
	vbm guestproperty get gp /a/ro --verbose
	[ "${lines[0]}" = "Value: yes" ]
	[[ "${lines[1]}" =~ ^Timestamp:\ [0-9]+$ ]]
	[ "${lines[2]}" = "Flags: RDONLYGUEST" ]
	vbm guestproperty get gp /none
	expect_status 0
	[ "$output" = "No value set!" ]
	vbm guestproperty enumerate gp --no-timestamp
	expect_status 0
	[ "$output" = "/VirtualBox/GuestInfo/OS/Product = 'Linux'
/a/ro                            = 'yes'    RDONLYGUEST" ]
	vbm guestproperty enumerate gp --no-timestamp --no-flags '/a*'
	[ "$output" = "/a/ro = 'yes'" ]
	vbm guestproperty enumerate gp --old-format '/a*'
	[[ "$output" =~ ^Name:\ /a/ro,\ value:\ yes,\ timestamp:\ [0-9]+,\ flags:\ RDONLYGUEST$ ]]
	vbm guestproperty unset gp /a/ro
	expect_status 0
	vbm guestproperty delete gp /VirtualBox/GuestInfo/OS/Product
	expect_status 0
	run ! grep -q GuestProperties "$F"
}

@test "set without a value deletes; flags and names are checked" {
	vbm guestproperty set gp /x 1
	vbm guestproperty set gp /x
	expect_status 0
	vbm guestproperty get gp /x
	[ "$output" = "No value set!" ]
	vbm guestproperty set gp /t v --flags TRANSIENT
	expect_status 1
	expect_err "VBoxManage: error: Properties with TRANSIENT or TRANSRESET flag cannot be set or modified if VM is not running"
	vbm guestproperty set gp /f v --flags BOGUS
	expect_status 1
	vbm guestproperty set gp '/x*' v
	expect_status 1
}

@test "wait on a machine that is not running times out" {
	vbm guestproperty wait gp '/a*' --timeout 100
	expect_status 0
	[ "$stderr" = "VBoxManage: error: Time out or interruption while waiting for a notification." ]
	vbm guestproperty wait gp '/a*' --timeout 100 --fail-on-timeout
	expect_status 2
	vbm guestproperty wait gp '/a*' --timeout x
	expect_status 2
	expect_err "VBoxManage: error: Incorrect parameters"
}

@test "syntax errors and unknown machines" {
	vbm guestproperty get gp
	expect_status 2
	vbm guestproperty get nosuch /x
	expect_status 1
	expect_err "VBoxManage: error: Could not find a registered machine named 'nosuch'"
	vbm guestproperty bogus gp
	expect_status 2
	expect_err "VBoxManage: error: Unknown subcommand: bogus"
}
