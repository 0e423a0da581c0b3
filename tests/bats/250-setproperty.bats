#!/usr/bin/env bats
# setproperty: SystemProperties in VirtualBox.xml.

load helpers

sysprops() {
	grep '<SystemProperties' "$VBOX_USER_HOME/VirtualBox.xml" | sed 's/^ *//'
}

@test "properties land in VirtualBox's attribute order" {
	vbm setproperty proxyurl http://p:3128
	expect_status 0
	[ -z "$output" ]
	vbm setproperty defaultfrontend headless
	vbm setproperty autostartdbpath "$BATS_TEST_TMPDIR"
	vbm setproperty vrdeauthlibrary MyAuth
	vbm setproperty loghistorycount 7
	vbm setproperty hwvirtexclusive off
	vbm setproperty proxymode manual
	expect_status 0
	[ "$(sysprops)" = "<SystemProperties defaultMachineFolder=\"$VMS\" defaultHardDiskFormat=\"VDI\" VRDEAuthLibrary=\"MyAuth\" webServiceAuthLibrary=\"VBoxAuth\" LogHistoryCount=\"7\" autostartDatabasePath=\"$BATS_TEST_TMPDIR\" defaultFrontend=\"headless\" proxyUrl=\"http://p:3128\" proxyMode=\"2\" exclusiveHwVirt=\"false\"/>" ]
	vbm list systemproperties
	expect_out "Log history count:               7"
	expect_out "Default frontend:                headless"
	expect_out "Exclusive HW virtualization use: off"
	expect_out "Autostart database path:         $BATS_TEST_TMPDIR"
}

@test "machinefolder: absolute paths only, default restores the default" {
	vbm setproperty machinefolder "$BATS_TEST_TMPDIR/m"
	expect_status 0
	grep -q "defaultMachineFolder=\"$BATS_TEST_TMPDIR/m\"" "$VBOX_USER_HOME/VirtualBox.xml"
	vbm createvm --name inm --register
	[ -f "$BATS_TEST_TMPDIR/m/inm/inm.vbox" ]
	vbm setproperty machinefolder default
	expect_status 0
	grep -q "defaultMachineFolder=\"$HOME/VirtualBox VMs\"" "$VBOX_USER_HOME/VirtualBox.xml" ||
		grep -q 'defaultMachineFolder="[^"]*/VirtualBox VMs"' "$VBOX_USER_HOME/VirtualBox.xml"
	vbm setproperty machinefolder relative
	expect_status 1
	expect_err "VBoxManage: error: Given default machine folder 'relative' is not fully qualified"
	expect_err "VBoxManage: error: Details: code NS_ERROR_INVALID_ARG (0x80070057), component SystemPropertiesWrap, interface ISystemProperties, callee nsISupports"
}

@test "bad values" {
	vbm setproperty hwvirtexclusive maybe
	expect_status 2
	[ "$stderr" = "VBoxManage: error: Invalid hwvirtexclusive argument 'maybe'" ]
	vbm setproperty loghistorycount x
	expect_status 2
	[ "$stderr" = "VBoxManage: error: Error parsing Log history count 'x'" ]
	vbm setproperty proxymode foo
	expect_status 2
	[ "$stderr" = "VBoxManage: error: Unknown proxy mode: 'foo'" ]
	vbm setproperty vrdeextpack Foo
	expect_status 1
	expect_err "VBoxManage: error: No extension pack by the name 'Foo' was found"
	vbm setproperty nosuch 1
	expect_status 2
	expect_err "VBoxManage: error: Invalid parameter 'nosuch'"
	vbm setproperty loghistorycount
	expect_status 2
	expect_err "VBoxManage: error: Incorrect number of parameters"
}
