#!/usr/bin/env bats
# list: the types read from VirtualBox.xml, the machines and the OS table.

load helpers

@test "list ostypes: the 7.0 table, 188 types in VirtualBox's order" {
	vbm list ostypes
	expect_status 0
	[ "$(grep -c '^ID:' <<<"$output")" -eq 188 ]
	[ "${lines[0]}" = "ID:          Other" ]
	[ "${lines[1]}" = "Description: Other/Unknown" ]
	[ "${lines[2]}" = "Family ID:   Other" ]
	[ "${lines[3]}" = "Family Desc: Other" ]
	[ "${lines[4]}" = "64 bit:      false" ]
	grep -A4 '^ID:          Windows11_64$' <<<"$output" >"$BATS_TEST_TMPDIR/w11"
	[ "$(cat "$BATS_TEST_TMPDIR/w11")" = "ID:          Windows11_64
Description: Windows 11 (64-bit)
Family ID:   Windows
Family Desc: Microsoft Windows
64 bit:      true" ]
	# blocks are separated by one empty line
	[ "$(printf '%s\n' "$output" | sed -n 6p)" = "" ]
}

@test "list vms, -s sorts by name, runningvms is empty" {
	vbm createvm --name zz --register --uuid 22222222-0000-0000-0000-000000000000
	vbm createvm --name aa --register --uuid 11111111-0000-0000-0000-000000000000
	vbm list vms
	expect_status 0
	[ "$output" = '"zz" {22222222-0000-0000-0000-000000000000}
"aa" {11111111-0000-0000-0000-000000000000}' ]
	vbm list -s vms
	[ "$output" = '"aa" {11111111-0000-0000-0000-000000000000}
"zz" {22222222-0000-0000-0000-000000000000}' ]
	vbm list runningvms
	expect_status 0
	[ -z "$output" ]
}

@test "list groups" {
	vbm createvm --name g1 --register --groups /b,/a
	vbm createvm --name g2 --register
	vbm list groups
	expect_status 0
	[ "$output" = '"/"
"/a"
"/b"' ]
}

@test "list systemproperties has the lines clients parse" {
	vbm list systemproperties
	expect_status 0
	expect_out "API version:                     7_0"
	expect_out "Default machine folder:          $VMS"
	expect_out "Log history count:               3"
	grep -q '^Default Guest Additions ISO:     ' <<<"$output"
	vbm setproperty machinefolder "$BATS_TEST_TMPDIR/mf"
	vbm list systemproperties
	expect_out "Default machine folder:          $BATS_TEST_TMPDIR/mf"
}

@test "list dhcpservers / natnets / usbfilters / extpacks / intnets" {
	vbm natnetwork add --netname nat1 --network 10.9.0.0/24
	vbm dhcpserver add --network nat1 --server-ip 10.9.0.3 --netmask 255.255.255.0 --lower-ip 10.9.0.10 --upper-ip 10.9.0.20 --enable
	vbm list dhcpservers
	expect_status 0
	[ "$(printf '%s\n' "$output" | head -6)" = "NetworkName:    nat1
Dhcpd IP:       10.9.0.3
LowerIPAddress: 10.9.0.10
UpperIPAddress: 10.9.0.20
NetworkMask:    255.255.255.0
Enabled:        Yes" ]
	vbm list natnets
	[ "$output" = "Name:         nat1
Network:      10.9.0.0/24
Gateway:      10.9.0.1
DHCP Server:  Yes
IPv6:         No
IPv6 Prefix:  fd17:625c:f037:2::/64
IPv6 Default: No" ]
	vbm list usbfilters
	[ "$output" = "Global USB Device Filters:

<none>" ]
	vbm usbfilter add 0 --target global --name f --action hold --vendorid 1234
	vbm list usbfilters
	[ "$output" = "Global USB Device Filters:

Index:            0
Active:           yes
Action:           Hold
Name:             f
VendorId:         1234
ProductId:        
Revision:         
Manufacturer:     
Product:          
Serial Number:    
Port:             " ]
	vbm list extpacks
	[ "$output" = "Extension Packs: 0" ]
	vbm list intnets
	[ -z "$output" ]
}

@test "list: unknown type; the last type wins; -m lists several" {
	vbm list nothing
	expect_status 2
	expect_err 'VBoxManage: error: Unknown subcommand "nothing".'
	vbm list vms extpacks
	expect_status 0
	[ "$output" = "Extension Packs: 0" ]
	vbm list -m extpacks groups
	expect_status 0
	[ "$output" = "[extpacks]
Extension Packs: 0

[groups]" ]
}
