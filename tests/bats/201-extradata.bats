#!/usr/bin/env bats
# getextradata / setextradata on machines and "global".

load helpers

local_setup() {
	vbm createvm --name ed --register
	expect_status 0
}

@test "machine extra data: set, get, enumerate sorted, delete" {
	vbm setextradata ed zeta 1
	expect_status 0
	vbm setextradata ed alpha "two words"
	expect_status 0
	vbm getextradata ed alpha
	expect_status 0
	[ "$output" = "Value: two words" ]
	vbm getextradata ed enumerate
	[ "${lines[0]}" = "Key: alpha, Value: two words" ]
	[ "${lines[1]}" = "Key: zeta, Value: 1" ]
	vbm setextradata ed alpha
	expect_status 0
	vbm getextradata ed alpha
	expect_status 0
	[ "$output" = "No value set!" ]
	grep -q 'ExtraDataItem name="zeta" value="1"' "$VMS/ed/ed.vbox"
}

@test "global extra data lands in VirtualBox.xml" {
	vbm setextradata global GUI/Foo bar
	expect_status 0
	vbm getextradata global GUI/Foo
	[ "$output" = "Value: bar" ]
	grep -q '<ExtraDataItem name="GUI/Foo" value="bar"/>' "$VBOX_USER_HOME/VirtualBox.xml"
}

@test "unknown machine: VBOX_E_OBJECT_NOT_FOUND, exit 1" {
	vbm getextradata nosuchvm foo
	expect_status 1
	expect_err "VBoxManage: error: Could not find a registered machine named 'nosuchvm'"
	expect_err "VBoxManage: error: Details: code VBOX_E_OBJECT_NOT_FOUND (0x80bb0001), component VirtualBoxWrap, interface IVirtualBox, callee nsISupports"
}

@test "parameter count errors are syntax errors" {
	vbm setextradata ed
	expect_status 2
	expect_err "VBoxManage: error: Not enough parameters"
	vbm setextradata ed a b c
	expect_status 2
	expect_err "VBoxManage: error: Too many parameters"
}
