#!/usr/bin/env bats
# usbfilter: machine and global (host) USB device filters.

load helpers

local_setup() {
	vbm createvm --name usb --register
	expect_status 0
	F="$VMS/usb/usb.vbox"
}

@test "machine filters: add at an index, modify, remove" {
	vbm usbfilter add 0 --target usb --name f1 --vendorid 80ee --productid 0x10-0x20
	expect_status 0
	[ -z "$output" ]
	vbm usbfilter add 0 --target usb --name f0 --active no --remote yes --maskedinterfaces 3
	expect_status 0
	[ "$(sed -n '/<DeviceFilters>/,/<\/DeviceFilters>/p' "$F")" = '        <DeviceFilters>
          <DeviceFilter name="f0" active="false" remote="yes" maskedInterfaces="3"/>
          <DeviceFilter name="f1" active="true" vendorId="80EE" productId="0x10-0x20"/>
        </DeviceFilters>' ]
	vbm usbfilter modify 1 --target usb --name f1b --serialnumber 'AB*'
	expect_status 0
	grep -q '<DeviceFilter name="f1b" active="true" vendorId="80EE" productId="0x10-0x20" serialNumber="AB\*"/>' "$F"
	vbm usbfilter remove 0 --target usb
	vbm usbfilter remove 0 --target usb
	expect_status 0
	run ! grep -q '<USB>' "$F"
}

@test "global filters need an action and live in VirtualBox.xml" {
	vbm usbfilter add 0 --target global --name g --action ignore --vendorid 1234
	expect_status 0
	grep -q '<DeviceFilter name="g" active="true" vendorId="1234" action="Ignore"/>' "$VBOX_USER_HOME/VirtualBox.xml"
	vbm usbfilter add 0 --target global --name g2
	expect_status 2
	expect_err "VBoxManage: error: Missing required option: --action"
	vbm usbfilter add 0 --target global --name g2 --action hold --remote yes
	expect_status 2
	expect_err "VBoxManage: error: Option --remote applies to VM filters only (--target=<uuid|vmname>)"
	vbm usbfilter remove 0 --target global
	expect_status 0
	grep -q '<USBDeviceFilters/>' "$VBOX_USER_HOME/VirtualBox.xml"
}

@test "field checks as in USBDeviceFilter" {
	vbm usbfilter add 0 --target usb --name x --vendorid 12345
	expect_status 1
	expect_err "VBoxManage: error: The Vendor ID value '12345' is too big (max 0xFFFF)"
	expect_err "VBoxManage: error: Context: \"COMSETTER(VendorId)(f.mVendorId.raw())\" at line 410 of file VBoxManageUSB.cpp"
	vbm usbfilter add 0 --target usb --name x --productid 12zz
	expect_status 1
	expect_err "VBoxManage: error: The Product ID filter expression '12zz' is not valid"
	vbm usbfilter add 0 --target usb --name x --remote maybe
	expect_status 1
	expect_err "VBoxManage: error: Remote state filter string 'maybe' is not valid (error at position 1)"
	run ! grep -q '<USB>' "$F"
}

@test "positions and syntax" {
	vbm usbfilter remove 0 --target usb
	expect_status 1
	expect_err "VBoxManage: error: The USB device pFilter list is empty"
	vbm usbfilter add 0 --target usb --name a
	vbm usbfilter remove 3 --target usb
	expect_status 1
	expect_err "VBoxManage: error: Invalid position: 3 (must be in range [0, 0])"
	vbm usbfilter add x --target usb --name a
	expect_status 2
	expect_err "VBoxManage: error: Invalid index 'x'"
	vbm usbfilter add 0 --name a
	expect_status 2
	expect_err "VBoxManage: error: Missing required option: --target"
	vbm usbfilter add 0 --target usb
	expect_status 2
	expect_err "VBoxManage: error: Missing required option: --name"
	vbm usbfilter add 0 --target nosuch --name a
	expect_status 1
	expect_err "VBoxManage: error: Could not find a registered machine named 'nosuch'"
	vbm usbfilter add 0 --target usb --name a --action drop
	expect_status 2
	[ "$stderr" = "VBoxManage: error: Invalid USB filter action 'drop'" ]
}
