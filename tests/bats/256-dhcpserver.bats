#!/usr/bin/env bats
# dhcpserver: DHCP servers in VirtualBox.xml.

load helpers

X() { "$VB_BIN/VBoxManage" "$@"; }

server_xml() {
	awk -v start="<DHCPServer networkName=\"$1\"" '
		index($0, start) { on = 1 }
		on { sub(/^ */, ""); print }
		on && (/<\/DHCPServer>/ || (index($0, start) && /\/>$/)) { exit }
	' "$VBOX_USER_HOME/VirtualBox.xml"
}

@test "add with options, groups and individual configurations" {
	vbm createvm --name vm1 --register --uuid 22222222-0000-0000-0000-000000000000
	vbm dhcpserver add --network net1 --server-ip 10.1.0.2 --netmask 255.255.255.0 \
		--lower-ip 10.1.0.10 --upper-ip 10.1.0.99 --enable --set-opt 6 8.8.8.8 \
		--group g1 --incl-mac 08:00:27:00:00:01 --set-opt 15 example.org \
		--vm vm1 --nic 2 --fixed-address 10.1.0.50 \
		--mac-address 080027AABBCC --max-lease-time 600
	expect_status 0
	[ -z "$output" ]
	[ -z "$stderr" ]
	[ "$(server_xml net1)" = '<DHCPServer networkName="net1" IPAddress="10.1.0.2" networkMask="255.255.255.0" lowerIP="10.1.0.10" upperIP="10.1.0.99" enabled="1">
<Options>
<Option name="6" value="8.8.8.8"/>
</Options>
<Group name="g1">
<Option name="15" value="example.org"/>
<Condition inclusive="true" type="0" value="08:00:27:00:00:01"/>
</Group>
<Config MACAddress="08:00:27:aa:bb:cc" secMaxLeaseTime="600"/>
<Config MACAddress="00:00:00:00:00:00" vm-name="22222222-0000-0000-0000-000000000000" slot="1" fixedAddress="10.1.0.50"/>
</DHCPServer>' ]
}

@test "Vagrant's sequence: the existing server is reported in one line" {
	# VirtualBox puts this server into a new VirtualBox.xml
	X dhcpserver add --network HostInterfaceNetworking-vboxnet0 --server-ip 192.168.56.100 \
		--netmask 255.255.255.0 --lower-ip 192.168.56.101 --upper-ip 192.168.56.254 --enable
	vbm list dhcpservers
	expect_out "NetworkName:    HostInterfaceNetworking-vboxnet0"
	vbm dhcpserver add --network HostInterfaceNetworking-vboxnet0 --ip 192.168.56.2 \
		--netmask 255.255.255.0 --lowerip 192.168.56.3 --upperip 192.168.56.254 --enable
	expect_status 2
	[ "$stderr" = "VBoxManage: error: DHCP server already exists" ]
	# --ifname needs the host interface, which does not exist here
	vbm dhcpserver add --ifname vboxnet0 --ip 192.168.56.2 --netmask 255.255.255.0 \
		--lowerip 192.168.56.3 --upperip 192.168.56.254 --enable
	expect_status 2
	expect_err "VBoxManage: error: The host network interface named 'vboxnet0' could not be found"
	expect_err "VBoxManage: error: Could not find interface 'vboxnet0'"
	vbm dhcpserver remove --netname HostInterfaceNetworking-vboxnet0
	expect_status 0
	vbm list dhcpservers
	[ -z "$output" ]
}

@test "modify: addresses, enable, options, remove-config" {
	X dhcpserver add --network n --server-ip 10.2.0.2 --netmask 255.255.255.0 --lower-ip 10.2.0.10 --upper-ip 10.2.0.20 --disable
	vbm dhcpserver modify --network n --upper-ip 10.2.0.30 --enable --group g --set-opt 3 10.2.0.1 --force-opt 3
	expect_status 0
	[ "$(server_xml n)" = '<DHCPServer networkName="n" IPAddress="10.2.0.2" networkMask="255.255.255.0" lowerIP="10.2.0.10" upperIP="10.2.0.30" enabled="1">
<Group name="g" forcedOptions="3">
<Option name="3" value="10.2.0.1"/>
</Group>
</DHCPServer>' ]
	vbm dhcpserver modify --network n --group g --remove-config
	expect_status 0
	[ "$(server_xml n)" = '<DHCPServer networkName="n" IPAddress="10.2.0.2" networkMask="255.255.255.0" lowerIP="10.2.0.10" upperIP="10.2.0.30" enabled="1"/>' ]
	vbm dhcpserver modify --network n --del-opt 6
	expect_status 1
	expect_err "VBoxManage: error: DHCP option 6 was not found"
	vbm dhcpserver modify --network none --enable
	expect_status 2
	[ "$stderr" = "VBoxManage: error: DHCP server does not exist" ]
}

@test "value checks of the server and its options" {
	vbm dhcpserver add --network n --server-ip 10.2.0.2 --netmask 255.255.0.255 --lower-ip 10.2.0.10 --upper-ip 10.2.0.20 --enable
	expect_status 2
	expect_err "VBoxManage: error: Invalid netmask: 255.255.0.255"
	expect_err "VBoxManage: error: Failed to set configuration (10.2.0.2, 255.255.0.255, 10.2.0.10, 10.2.0.20)"
	# the server exists now, as in VirtualBox
	vbm dhcpserver modify --network n --server-ip 10.2.0.2 --netmask 255.255.255.0 --lower-ip 10.2.0.30 --upper-ip 10.2.0.20
	expect_status 2
	expect_err "VBoxManage: error: Lower bound must be less or eqaul than the upper: 10.2.0.30 vs 10.2.0.20"
	vbm dhcpserver modify --network n --set-opt 6 not-an-ip
	expect_status 1
	expect_err "VBoxManage: error: Malformed option 6 value 'not-an-ip' (encoding 0, vrc=VERR_INVALID_PARAMETER)"
	vbm dhcpserver modify --network n --set-opt-hex 43 zz
	expect_status 2
	[ "$stderr" = "VBoxManage: error: Malformed hex string given to --set-opt-hex 43: zz" ]
	vbm dhcpserver modify --network n --group g --incl-vendor foo
	expect_status 1
	expect_err "VBoxManage: error: Value is too long: 3 bytes"
	vbm dhcpserver modify --network n --group g --incl-mac-wild '08:00:27:*'
	expect_status 0
	vbm dhcpserver modify --network n --vm nosuchvm --fixed-address 1.2.3.4
	expect_status 1
	expect_err "VBoxManage: error: Could not find a registered machine named 'nosuchvm'"
}

@test "syntax errors" {
	vbm dhcpserver add --network n --server-ip 1.2.3.4
	expect_status 2
	expect_err "VBoxManage: error: Missing required option: --netmask"
	vbm dhcpserver modify --network n --nic 1
	expect_status 2
	expect_err "VBoxManage: error: --nic option requires a --vm preceeding selecting the VM it should apply to"
	vbm dhcpserver add --network n --interface x
	expect_status 2
	expect_err "VBoxManage: error: Either --interface or --network, not both"
	vbm dhcpserver modify --enable
	expect_status 2
	expect_err "VBoxManage: error: You need to specify either --network or --interface to identify the DHCP server"
	vbm dhcpserver frob
	expect_status 2
	expect_err "VBoxManage: error: Unknown subcommand: frob"
	vbm dhcpserver --network n
	expect_status 2
	expect_err "VBoxManage: error: No subcommand specified"
}

@test "start, restart, stop, findlease without a running DHCP server" {
	X dhcpserver add --network n --server-ip 10.2.0.2 --netmask 255.255.255.0 --lower-ip 10.2.0.10 --upper-ip 10.2.0.20 --disable
	vbm dhcpserver start --network n
	expect_status 0
	vbm dhcpserver stop --network n
	expect_status 0
	vbm dhcpserver restart --network n
	expect_status 1
	[ "$stderr" = "VBoxManage: error: Failed to restart the server
VBoxManage: error: not running
VBoxManage: error: Details: code NS_ERROR_FAILURE (0x80004005), component DHCPServerWrap, interface IDHCPServer" ]
	vbm dhcpserver findlease --network n --mac-address 08:00:27:00:00:01
	expect_status 1
	expect_err "VBoxManage: error: Reading '$VBOX_USER_HOME/n-Dhcpd.leases' failed: VERR_FILE_NOT_FOUND - Runtime error opening '$VBOX_USER_HOME/n-Dhcpd.leases' for reading VERR_FILE_NOT_FOUND (File not found.)"
	vbm dhcpserver findlease --network n
	expect_status 2
	expect_err "VBoxManage: error: You need to specify a MAC address too look for"
	vbm dhcpserver remove --network none
	expect_status 1
	[ "$stderr" = "VBoxManage: error: Failed to find DHCP server for network 'none'" ]
}
