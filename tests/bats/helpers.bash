# Shared set-up for every Bats file: each test gets its own VirtualBox home
# and user home, so nothing leaks between tests or into the real home.
#
#   vbm ARGS...          run VBoxManage (status in $status, stdout in $output,
#                        stderr in $stderr)
#   expect_status N      assert the exit status, printing the output if not
#   expect_out LINE      stdout contains exactly this line
#   expect_err LINE      stderr contains exactly this line
#   fixture NAME         path of a file in ../shared/fixtures/real-settings

bats_require_minimum_version 1.5.0

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
: "${VB_BIN:=$TOP/build/bin}"
SHARED=${VB_SHARED_DIR:-$(cd "$TOP/../shared" 2>/dev/null && pwd)}

setup() {
	export HOME="$BATS_TEST_TMPDIR/home"
	export VBOX_USER_HOME="$HOME/.config/VirtualBox"
	unset XDG_CONFIG_HOME XDG_RUNTIME_DIR
	export LANG=C
	mkdir -p "$HOME" "$VBOX_USER_HOME"
	# As root, VirtualBox takes the user home from the account database,
	# not $HOME; pin the machine folder into the test's directory.
	export VMS="$BATS_TEST_TMPDIR/vms"
	cat >"$VBOX_USER_HOME/VirtualBox.xml" <<XML
<?xml version="1.0"?>
<VirtualBox xmlns="http://www.virtualbox.org/" version="1.12-linux">
  <Global>
    <MachineRegistry/>
    <SystemProperties defaultMachineFolder="$VMS" defaultHardDiskFormat="VDI" LogHistoryCount="3" proxyMode="0" exclusiveHwVirt="true"/>
    <USBDeviceFilters/>
  </Global>
</VirtualBox>
XML
	if declare -F local_setup >/dev/null; then
		local_setup
	fi
}

vbm() {
	run --separate-stderr "$VB_BIN/VBoxManage" "$@"
}

show_run() {
	echo "status: $status"
	echo "--- stdout"
	printf '%s\n' "$output"
	echo "--- stderr"
	printf '%s\n' "${stderr:-}"
}

expect_status() {
	if [ "$status" -ne "$1" ]; then
		echo "expected status $1"
		show_run
		return 1
	fi
}

expect_out() {
	local l
	for l in "${lines[@]}"; do
		[ "$l" = "$1" ] && return 0
	done
	echo "stdout lacks the line: $1"
	show_run
	return 1
}

expect_no_out() {
	local l
	for l in "${lines[@]}"; do
		if [ "$l" = "$1" ]; then
			echo "stdout has the line: $1"
			show_run
			return 1
		fi
	done
}

expect_err() {
	local l
	while IFS= read -r l; do
		[ "$l" = "$1" ] && return 0
	done <<<"${stderr:-}"
	echo "stderr lacks the line: $1"
	show_run
	return 1
}

fixture() {
	echo "$SHARED/fixtures/real-settings/$1"
}

need_shared() {
	[ -d "$SHARED/fixtures" ] || skip "../shared is not beside the checkout"
}
