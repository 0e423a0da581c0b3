#!/usr/bin/env bats
# VBoxHeadless: banner, options, usage, and the errors that come before
# a machine runs (no /dev/kvm needed).

load helpers
load 500-vm

hl() {
	run --separate-stderr timeout 60 "$VB_BIN/VBoxHeadless" "$@"
}

@test "VBoxHeadless prints VirtualBox's banner first, with our product name" {
	hl --startvm nosuchvm
	[ "${lines[0]}" = "VBox-KVM Headless Interface $("$VB_BIN/VBoxManage" --version | sed 's/r[0-9]*$//')" ]
	[[ "${lines[1]}" =~ ^Copyright\ \(C\)\ [0-9]{4}\ the\ VBox-KVM\ authors$ ]]
	[ "$(printf '%s\n' "$output" | sed -n 3p)" = "" ]
}

@test "VBoxHeadless --version and -V print the version with the revision" {
	for o in --version -V -version; do
		hl "$o"
		expect_status 0
		[[ "${lines[-1]}" =~ ^7\.0\.[0-9]+_KVMr[0-9]+$ ]]
	done
}

@test "VBoxHeadless --help shows the usage and exits 0" {
	hl --help
	expect_status 0
	expect_out "Usage:"
	expect_out "   -s, -startvm, --startvm <name|uuid>   Start given VM (required argument)"
	expect_out "   -start-paused, --start-paused     Start the VM in paused state"
}

@test "VBoxHeadless without --startvm shows the usage and exits 1" {
	hl
	expect_status 1
	expect_out "Usage:"
}

@test "VBoxHeadless rejects unknown options and stray words with exit 2" {
	hl --startvm x --frobnicate
	expect_status 2
	expect_err "VBoxHeadless: error: Unknown option: '--frobnicate'"
	expect_out "Usage:"
	hl --startvm x extra
	expect_status 2
	expect_err "VBoxHeadless: error: Invalid parameter: extra"
	hl --startvm
	expect_status 2
	expect_err "VBoxHeadless: error: --startvm: RTGetOpt: Command line option needs argument."
}

@test "VBoxHeadless: an unknown machine is 'Invalid machine name or UUID!'" {
	hl --startvm nosuchvm
	expect_status 1
	expect_out "Invalid machine name or UUID!"
	hl -s 01234567-89ab-cdef-0123-456789abcdef
	expect_status 1
	expect_out "Invalid machine name or UUID!"
}

@test "VBoxHeadless checks VRDE and recording arguments like VirtualBox" {
	"$VB_BIN/VBoxManage" createvm --name cli --register >/dev/null
	hl --startvm cli --vrde maybe
	expect_status 0
	expect_out "-vrde requires an argument (on|off|config)"
	hl --startvm cli -e novalue
	expect_status 1
	expect_out "Error: Invalid VRDE property 'novalue'"
	hl --startvm cli --record --videowidth 511
	expect_status 1
	expect_out "VBoxHeadless: ERROR: please specify an even video frame width between 512 and 2048"
	hl --startvm cli --videoheight 383
	expect_status 1
	expect_out "VBoxHeadless: ERROR: please specify an even video frame height between 384 and 1536"
	hl --startvm cli --filename 'a%s.webm'
	expect_status 1
	expect_out "VBoxHeadless: ERROR: Only %d and %u are allowed in the recording file name."
	hl --startvm nosuchvm -p 3390
	expect_status 1
	expect_out "Warning: '-p' or '-vrdpport' are deprecated. Use '-e \"TCP/Ports=3390\"'"
}

@test "VBoxHeadless: an unreadable password file is an error" {
	hl --startvm nosuchvm --settingspwfile "$BATS_TEST_TMPDIR/none"
	expect_status 1
	expect_err "VBoxHeadless: error: Cannot open password file '$BATS_TEST_TMPDIR/none' (VERR_FILE_NOT_FOUND)"
}

@test "VBoxHeadless refuses EFI firmware before anything runs" {
	"$VB_BIN/VBoxManage" createvm --name efi --register >/dev/null
	vm_hw efi '<Firmware type="EFI"/>'
	hl --startvm efi
	expect_status 1
	expect_err "Starting virtual machine: "
	expect_err "Operation failed: NS_ERROR_FAILURE"
	expect_out "Error: failed to start machine. Error message: EFI firmware (EFI) is not supported by this VirtualBox implementation yet; use --firmware bios (VERR_NOT_SUPPORTED)."
	grep -q "Power up failed (vrc=VERR_NOT_SUPPORTED, rc=NS_ERROR_FAILURE (0X80004005))" "$VMS/efi/Logs/VBox.log"
}

@test "VBoxHeadless: an invalid VBoxInternal/EM/Engine is refused before the guest starts" {
	"$VB_BIN/VBoxManage" createvm --name soft --register >/dev/null
	"$VB_BIN/VBoxManage" setextradata soft VBoxInternal/EM/Engine turbo
	hl --startvm soft
	expect_status 1
	expect_out "Error: failed to start machine. Error message: Invalid value 'turbo' of extra data VBoxInternal/EM/Engine: use kvm, iem or auto (VERR_INVALID_PARAMETER)."
}
