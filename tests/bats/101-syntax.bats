#!/usr/bin/env bats
# Syntax-error layout (vboxmanage-cli.md 1.5, 1.6): logo, message, the
# usage of the command or of the current sub-command, the message again
# after a usage of 16 lines or more, exit 2; option parser messages; line
# wrapping to IPRT_SCREEN_WIDTH.

load helpers

LOGO1="VBox-KVM Command Line Management Interface Version 7.0.26_KVM"

local_setup() {
	export IPRT_SCREEN_WIDTH=80
}

@test "errorSyntax: logo, message, blank line, usage; nothing on stdout" {
	vbm sharedfolder bogus x
	expect_status 2
	[ -z "$output" ]
	mapfile -t e <<<"$stderr"
	[ "${e[0]}" = "$LOGO1" ]
	[ "${e[2]}" = "" ]
	[ "${e[3]}" = "VBoxManage: error: Unknown subcommand: bogus" ]
	[ "${e[4]}" = "" ]
	[ "${e[5]}" = "Usage - Add and remove shared folders:" ]
	[ "${e[-1]}" = "  VBoxManage sharedfolder remove <uuid | vmname> <--name=name> [--transient]" ]
}

@test "a sub-command scope shows only its forms, titled Usage:" {
	vbm sharedfolder add
	expect_status 2
	[ "$(sed -n '4,$p' <<<"$stderr")" = "VBoxManage: error: No machine was specified

Usage:

  VBoxManage sharedfolder add <uuid | vmname> <--name=name>
      <--hostpath=hostpath> [--readonly] [--transient] [--automount]
      [--auto-mount-point=path]" ]
}

@test "usage of 16 lines or more repeats the message at the end" {
	vbm dhcpserver add --network x --server-ip 1.2.3.4
	expect_status 2
	mapfile -t e <<<"$stderr"
	[ "${e[3]}" = "VBoxManage: error: Missing required option: --netmask" ]
	[ "${e[5]}" = "Usage:" ]
	[ "${e[-2]}" = "" ]
	[ "${e[-1]}" = "VBoxManage: error: Missing required option: --upperip" ]
	# a short usage does not
	vbm setproperty a
	expect_status 2
	mapfile -t e <<<"$stderr"
	[ "${e[-1]}" = "  VBoxManage setproperty <property-name> <property-value>" ]
}

@test "unknown option: no blank line before the usage" {
	vbm createvm --bogus
	expect_status 2
	[ "$(sed -n '4,$p' <<<"$stderr")" = "VBoxManage: error: Unknown option: --bogus
Usage - Create a new virtual machine:

  VBoxManage createvm <--name=name> [--basefolder=basefolder] [--default]
      [--group=group-ID,...] [--ostype=ostype] [--register] [--uuid=uuid]
      [--cipher cipher] [--password-id password-id] [--password file]" ]
}

@test "option parser messages" {
	vbm createvm --name
	expect_status 2
	expect_err "VBoxManage: error: --name: RTGetOpt: Command line option needs argument."
	vbm createvm --name x --uuid nonsense
	expect_status 2
	expect_err "VBoxManage: error: Invalid argument format: nonsense"
	vbm createvm --name x stray
	expect_status 2
	expect_err "VBoxManage: error: Invalid parameter 'stray'"
	vbm usbfilter add 0 --target
	expect_status 2
	expect_err "VBoxManage: error: --target: RTGetOpt: Command line option needs argument."
	expect_err "Usage:"
}

@test "--help where the command takes IPRT's standard options: full help, exit 0" {
	vbm sharedfolder add --help
	expect_status 0
	expect_out "VBoxManage sharedfolder -- Add and remove shared folders."
	vbm sharedfolder -h
	expect_status 0
	expect_out "VBoxManage sharedfolder -- Add and remove shared folders."
	# createvm parses without them
	vbm createvm --help
	expect_status 2
	expect_err "VBoxManage: error: Unknown option: --help"
}

@test "errorArgument: one line, no logo, no usage" {
	vbm usbfilter add 0 --target global --name x --action ignore --active maybe
	expect_status 2
	[ "$stderr" = "VBoxManage: error: Invalid --active argument 'maybe'" ]
	[ -z "$output" ]
}

@test "usage lines wrap at IPRT_SCREEN_WIDTH minus one, continuation indented" {
	IPRT_SCREEN_WIDTH=50 vbm setproperty
	expect_status 1
	[ "$output" = "Usage - Change global settings:

  VBoxManage setproperty <property-name>
      <property-value>" ]
	IPRT_SCREEN_WIDTH=250 vbm createvm
	expect_status 1
	[ "${lines[1]}" = "  VBoxManage createvm <--name=name> [--basefolder=basefolder] [--default] [--group=group-ID,...] [--ostype=ostype] [--register] [--uuid=uuid] [--cipher cipher] [--password-id password-id] [--password file]" ]
}

@test "option values glued with a non-breaking space stay on one line" {
	IPRT_SCREEN_WIDTH=60 vbm usbfilter
	expect_status 1
	expect_out "      <--action=ignore | hold> [--active=yes | no]"
}
