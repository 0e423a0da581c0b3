#!/usr/bin/env bats
# VBoxManage's global behaviour (vboxmanage-cli.md 1.1-1.3): global
# options, the logo, help, "commands", missing and unknown commands,
# response files.

load helpers

LOGO1="VBox-KVM Command Line Management Interface Version 7.0.26_KVM"

local_setup() {
	export IPRT_SCREEN_WIDTH=80
}

@test "--version and its aliases print the version only" {
	for o in --version -V -v -version -Version; do
		vbm "$o"
		expect_status 0
		[[ "$output" =~ ^7\.0\.26_KVMr[0-9]+$ ]]
		[ -z "$stderr" ]
	done
	vbm -q --version list vms
	expect_status 0
	[[ "$output" =~ ^7\.0\.26_KVMr[0-9]+$ ]]
}

@test "--dump-build-type prints release" {
	vbm --dump-build-type
	expect_status 0
	[ "$output" = release ]
}

@test "no command: logo and the usage of everything on stdout, exit 0" {
	vbm
	expect_status 0
	[ "${lines[0]}" = "$LOGO1" ]
	[[ "${lines[1]}" =~ ^Copyright\ \(C\)\ [0-9]{4}\ the\ VBox-KVM\ authors$ ]]
	[ "${lines[2]}" = "Usage - VBox-KVM command-line interface:" ]
	expect_out "  VBoxManage [-V | --version] [--dump-build-type] [-q | --nologo]"
	expect_out "  VBoxManage setproperty <property-name> <property-value>"
	expect_out "  VBoxManage hostonlyif create"
	[ -z "$stderr" ]
}

@test "-q does not hide the logo of help and usage" {
	vbm -q
	expect_status 0
	[ "${lines[0]}" = "$LOGO1" ]
	vbm --nologo help
	expect_status 0
	[ "${lines[0]}" = "$LOGO1" ]
}

@test "--dumpopts prints the usage without the logo" {
	vbm --dumpopts
	expect_status 0
	[ "${lines[0]}" = "Usage - VBox-KVM command-line interface:" ]
}

@test "help <command>: logo and full help on stdout, exit 1" {
	vbm help createvm
	expect_status 1
	[ "${lines[0]}" = "$LOGO1" ]
	[ "${lines[2]}" = "VBoxManage createvm -- Create a new virtual machine." ]
	expect_out "Usage"
	expect_out "====="
	expect_out "Description"
	expect_out "  VBoxManage createvm <--name=name> [--basefolder=basefolder] [--default]"
	[ -z "$stderr" ]
	vbm --help setproperty
	expect_status 1
	expect_out "VBoxManage setproperty -- Change global settings."
}

@test "a known command without arguments prints its usage on stdout, exit 1" {
	vbm createvm
	expect_status 1
	[ "$output" = "Usage - Create a new virtual machine:

  VBoxManage createvm <--name=name> [--basefolder=basefolder] [--default]
      [--group=group-ID,...] [--ostype=ostype] [--register] [--uuid=uuid]
      [--cipher cipher] [--password-id password-id] [--password file]" ]
	[ -z "$stderr" ]
	vbm -q usbfilter
	expect_status 1
	[ "${lines[0]}" = "Usage - Manage USB filters:" ]
}

@test "commands lists the command table" {
	vbm commands
	expect_status 0
	[ "${lines[0]}" = "commands:" ]
	[ "${lines[1]}" = "    list" ]
	expect_out "    createvm"
	expect_out "    dhcpserver"
	expect_out "    bandwidthctl"
}

@test "unknown command: logo, message, usage of all, message again; exit 2" {
	vbm frobnicate
	expect_status 2
	[ -z "$output" ]
	mapfile -t e <<<"$stderr"
	[ "${e[0]}" = "$LOGO1" ]
	[ "${e[2]}" = "" ]
	[ "${e[3]}" = "VBoxManage: error: Invalid command 'frobnicate'" ]
	[ "${e[4]}" = "" ]
	[ "${e[5]}" = "Usage - VBox-KVM command-line interface:" ]
	[ "${e[-1]}" = "VBoxManage: error: Invalid command 'frobnicate'" ]
	[ "${e[-2]}" = "" ]
}

@test "help of an unknown command: logo on stdout, the error on stderr" {
	vbm help frobnicate
	expect_status 2
	[ "${lines[0]}" = "$LOGO1" ]
	expect_err "VBoxManage: error: Invalid command 'frobnicate'"
}

@test "--settingspw and --settingspwfile need a value" {
	vbm --settingspw
	expect_status 1
	[ "$stderr" = "VBoxManage: error: Password expected" ]
	vbm --settingspwfile
	expect_status 1
	[ "$stderr" = "VBoxManage: error: No password file specified" ]
}

@test "@response-file: Bourne-shell quoting, inserted in place" {
	cat >"$BATS_TEST_TMPDIR/args" <<'ARGS'
list
  "sys"'tem'properties
ARGS
	vbm -q "@$BATS_TEST_TMPDIR/args"
	expect_status 0
	expect_out "API version:                     7_0"
	printf 'getextradata global "a b"\n' >"$BATS_TEST_TMPDIR/args2"
	vbm "@$BATS_TEST_TMPDIR/args2"
	expect_status 0
	[ "$output" = "No value set!" ]
	# IPRT keeps an escaped newline as a character of the word
	printf 'getextradata global \\\n  "a b"\n' >"$BATS_TEST_TMPDIR/args3"
	vbm "@$BATS_TEST_TMPDIR/args3"
	expect_status 2
	expect_err "VBoxManage: error: Incorrect number of parameters"
}

@test "@response-file errors" {
	vbm "@$BATS_TEST_TMPDIR/missing"
	expect_status 1
	[ "$stderr" = "VBoxManage: error: Error reading response file '$BATS_TEST_TMPDIR/missing': VERR_FILE_NOT_FOUND" ]
	printf 'list \377vms\n' >"$BATS_TEST_TMPDIR/bad"
	vbm "@$BATS_TEST_TMPDIR/bad"
	expect_status 1
	[ "$stderr" = "VBoxManage: error: Invalid response file ('$BATS_TEST_TMPDIR/bad') encoding: VERR_INVALID_UTF8_ENCODING" ]
	# an unterminated quote runs to the end of the file
	printf 'list "vm s' >"$BATS_TEST_TMPDIR/open"
	vbm "@$BATS_TEST_TMPDIR/open"
	expect_status 2
	expect_err 'VBoxManage: error: Unknown subcommand "vm s".' 
}

@test "a second @file after the command is an ordinary argument" {
	printf 'list\n' >"$BATS_TEST_TMPDIR/a"
	vbm "@$BATS_TEST_TMPDIR/a" "@$BATS_TEST_TMPDIR/a"
	expect_status 2
	expect_err "VBoxManage: error: Unknown subcommand \"@$BATS_TEST_TMPDIR/a\"."
}
