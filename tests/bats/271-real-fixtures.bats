#!/usr/bin/env bats
# Every real settings file in ../shared/fixtures/real-settings: machine
# files are registered, listed, shown, changed with one command
# (setextradata; also modifyvm --memory unless the machine has a saved
# state) and saved; an XML-level comparison (tests/tools/settings-tool
# xmlcmp) proves that nothing but the intended value changed.  Global files
# are used as VirtualBox.xml and changed with setextradata global.

load helpers

local_setup() {
	need_shared
	ST="$VB_BIN/../tests/tools/settings-tool"
	FIX="$SHARED/fixtures/real-settings"
}

# The version string VirtualBox writes back: the host suffix is ours.
linux_version() {
	"$ST" version "$1" | sed 's/-[a-z]*$/-linux/'
}

machine_attr() {
	sed -n "s/.*<Machine [^>]*$2=\"\\([^\"]*\\)\".*/\\1/p" "$1" | head -1
}

# xmlcmp, printing the differences when there are any.
same_tree() {
	run "$ST" xmlcmp "$@" --ignore 'VirtualBox@version'
	if [ "$status" -ne 0 ]; then
		echo "xmlcmp $*:"
		echo "$output"
		return 1
	fi
}

@test "every machine file: register, show, change one value, nothing else changes" {
	local f n=0 base uuid dir file orig mem
	for f in "$FIX"/*.vbox "$FIX"/*.vbox-prev; do
		base=$(basename "$f")
		base=${base%-prev}
		base=${base%.vbox}
		uuid=$(machine_attr "$f" uuid | tr -d '{}')
		[ -n "$uuid" ]
		dir="$VMS/$base"
		file="$dir/$base.vbox"
		mkdir -p "$dir"
		cp "$f" "$file"
		chmod u+w "$file"
		orig="$BATS_TEST_TMPDIR/$base.orig"
		cp "$f" "$orig"
		echo "# $base"

		vbm registervm "$file"
		expect_status 0
		vbm list vms
		expect_status 0
		[[ "$output" == *"{$uuid}"* ]]
		[[ "$output" != *"<inaccessible>"* ]]
		vbm showvminfo "$uuid" --machinereadable
		expect_status 0
		expect_out "UUID=\"$uuid\""
		expect_out "CfgFile=\"$file\""
		# showing changed nothing
		cmp "$orig" "$file"

		vbm setextradata "$uuid" QA/RoundTrip "round trip"
		expect_status 0
		vbm getextradata "$uuid" QA/RoundTrip
		[ "$output" = "Value: round trip" ]
		[ "$("$ST" version "$file")" = "$(linux_version "$orig")" ]
		same_tree "$orig" "$file" --ignore 'ExtraDataItem[name=QA/RoundTrip]'
		[ ! -e "$dir/$base-$("$ST" version "$orig").vbox" ]

		if [ -z "$(machine_attr "$orig" stateFile)" ]; then
			mem=$(( $(sed -n 's/.*<Memory RAMSize="\([0-9]*\)".*/\1/p' "$orig" | head -1) + 8 ))
			vbm modifyvm "$uuid" --memory "$mem"
			expect_status 0
			grep -q "<Memory RAMSize=\"$mem\"" "$file"
			same_tree "$orig" "$file" --ignore 'ExtraDataItem[name=QA/RoundTrip]' \
				--ignore 'Memory@RAMSize'
		fi
		vbm unregistervm "$uuid"
		expect_status 0
		n=$((n + 1))
	done
	[ "$n" -eq 25 ]
}

@test "every global file: listed, one global value changed, nothing else changes" {
	local f n=0 entries
	for f in "$FIX"/*VirtualBox*.xml "$FIX"/*VirtualBox*.xml-prev; do
		base=$(basename "$f")
		echo "# $base"
		cp "$f" "$VBOX_USER_HOME/VirtualBox.xml"
		chmod u+w "$VBOX_USER_HOME/VirtualBox.xml"
		rm -f "$VBOX_USER_HOME"/VirtualBox-*.xml
		entries=$(grep -c '<MachineEntry ' "$f" || true)
		vbm list vms
		expect_status 0
		[ "${#lines[@]}" -eq "$entries" ]
		cmp "$f" "$VBOX_USER_HOME/VirtualBox.xml"
		vbm setextradata global QA/RoundTrip "round trip"
		expect_status 0
		vbm getextradata global QA/RoundTrip
		[ "$output" = "Value: round trip" ]
		case $base in
		v1.3-*)
			# converted: see 270-legacy-home.bats
			[ "$("$ST" version "$VBOX_USER_HOME/VirtualBox.xml")" = "1.7-linux" ]
			cmp "$f" "$VBOX_USER_HOME/VirtualBox-1.3-linux.xml"
			;;
		v1.10-*)
			[ "$("$ST" version "$VBOX_USER_HOME/VirtualBox.xml")" = "1.10-linux" ]
			;;
		*)
			[ "$("$ST" version "$VBOX_USER_HOME/VirtualBox.xml")" = "$(linux_version "$f")" ]
			same_tree "$f" "$VBOX_USER_HOME/VirtualBox.xml" \
				--ignore 'ExtraDataItem[name=QA/RoundTrip]'
			set -- "$VBOX_USER_HOME"/VirtualBox-*.xml
			[ ! -e "$1" ]
			;;
		esac
		n=$((n + 1))
	done
	[ "$n" -eq 14 ]
}

@test "xmlcmp notices a changed, added or removed value" {
	f="$FIX/v1.19-linux-tegasae-tcp-vm2.vbox"
	sed 's/RAMSize="4096"/RAMSize="4097"/' "$f" >"$BATS_TEST_TMPDIR/a"
	run "$ST" xmlcmp "$f" "$BATS_TEST_TMPDIR/a"
	[ "$status" -eq 1 ]
	[ "$output" = '/VirtualBox/Machine[name=tcp-vm2]/Hardware/Memory: attribute RAMSize changed from "4096" to "4097"' ]
	sed 's|<RTC localOrUTC="UTC"/>||' "$f" >"$BATS_TEST_TMPDIR/b"
	run "$ST" xmlcmp "$f" "$BATS_TEST_TMPDIR/b"
	[ "$status" -eq 1 ]
	[ "$output" = '/VirtualBox/Machine[name=tcp-vm2]/Hardware: child <RTC> removed' ]
	sed 's|<HID Pointing="USBTablet"/>|<HID Pointing="USBTablet" Keyboard="USBKeyboard"/>|' "$f" >"$BATS_TEST_TMPDIR/c"
	run "$ST" xmlcmp "$f" "$BATS_TEST_TMPDIR/c"
	[ "$status" -eq 1 ]
	[ "$output" = '/VirtualBox/Machine[name=tcp-vm2]/Hardware/HID: attribute Keyboard="USBKeyboard" added' ]
	run "$ST" xmlcmp "$f" "$BATS_TEST_TMPDIR/c" --ignore 'HID@Keyboard'
	[ "$status" -eq 0 ]
}
