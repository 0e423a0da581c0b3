#!/usr/bin/env bats
# natnetwork: NAT networks in VirtualBox.xml.

load helpers

net_xml() {
	awk -v start="<NATNetwork networkName=\"$1\"" '
		index($0, start) { on = 1 }
		on { sub(/^ */, ""); print }
		on && (/<\/NATNetwork>/ || (index($0, start) && /\/>$/)) { exit }
	' "$VBOX_USER_HOME/VirtualBox.xml"
}

@test "add writes VirtualBox's element; list shows it" {
	vbm natnetwork add --netname nn --network 192.168.15.0/24 --enable --dhcp on \
		--port-forward-4 "ssh:tcp:[]:1022:[192.168.15.5]:22"
	expect_status 0
	[ -z "$output" ]
	[ "$(net_xml nn)" = '<NATNetwork networkName="nn" network="192.168.15.0/24" ipv6="0" ipv6prefix="fd17:625c:f037:2::/64" advertiseDefaultIPv6Route="0" needDhcp="1" enabled="1">
<PortForwarding4>
<Forwarding name="ssh" proto="1" hostport="1022" guestip="192.168.15.5" guestport="22"/>
</PortForwarding4>
<Mappings>
<Loopback4 address="127.0.0.1" offset="2"/>
</Mappings>
</NATNetwork>' ]
	vbm natnetwork list
	expect_status 0
	[ "$output" = "NAT Networks:

Name:         nn
Enabled:      Yes
Network:      192.168.15.0/24
Gateway:      192.168.15.1
DHCP Server:  Yes
IPv6:         No
IPv6 Prefix:  fd17:625c:f037:2::/64
IPv6 Default: No
Port-forwarding (ipv4)
        ssh:tcp:[]:1022:[192.168.15.5]:22
loopback mappings (ipv4)
        127.0.0.1=2

1 network found" ]
	vbm natnetwork list 'x*'
	[ "$(printf '%s\n' "$output" | tail -1)" = "0 networks found" ]
}

@test "modify: rules sorted by name, delete, loopback, ipv6, disable" {
	vbm natnetwork add --netname nn --network 10.5.0.0/16
	vbm natnetwork modify --netname nn --port-forward-4 "zz:udp:[]:53:[10.5.0.9]:53" \
		--port-forward-4 "aa:tcp:[127.0.0.1]:8080:[10.5.0.9]:80" --loopback-4 127.0.0.3=5 \
		--ipv6 on --disable
	expect_status 0
	[ "$(net_xml nn)" = '<NATNetwork networkName="nn" network="10.5.0.0/16" ipv6="1" ipv6prefix="fd17:625c:f037:2::/64" advertiseDefaultIPv6Route="0" needDhcp="1" enabled="0">
<PortForwarding4>
<Forwarding name="aa" proto="1" hostip="127.0.0.1" hostport="8080" guestip="10.5.0.9" guestport="80"/>
<Forwarding name="zz" proto="0" hostport="53" guestip="10.5.0.9" guestport="53"/>
</PortForwarding4>
<Mappings>
<Loopback4 address="127.0.0.1" offset="2"/>
<Loopback4 address="127.0.0.3" offset="5"/>
</Mappings>
</NATNetwork>' ]
	vbm natnetwork modify --netname nn --port-forward-4 delete zz
	expect_status 0
	run ! grep -q 'name="zz"' "$VBOX_USER_HOME/VirtualBox.xml"
	# a new network moves rules that point into the old one
	vbm natnetwork modify --netname nn --network 10.6.0.0/16
	expect_status 0
	grep -q 'guestip="10.6.0.9"' "$VBOX_USER_HOME/VirtualBox.xml"
	# a rule without a name gets VirtualBox's generated one
	vbm natnetwork modify --netname nn --port-forward-4 ":tcp:[]:2222:[10.6.0.3]:22"
	grep -q 'name="tcp_\[\]%2222_\[10.6.0.3\]%22"' "$VBOX_USER_HOME/VirtualBox.xml"
}

@test "errors" {
	vbm natnetwork add --netname nn --network 10.5.0.0/24
	vbm natnetwork add --netname nn --network 10.7.0.0/24
	expect_status 2
	[ "$stderr" = "VBoxManage: error: NATNetwork server already exists" ]
	vbm natnetwork modify --netname none --dhcp off
	expect_status 2
	[ "$stderr" = "VBoxManage: error: NATNetwork server does not exist" ]
	vbm natnetwork modify --netname nn --network 1.2.3.4/24
	expect_status 2
	expect_err "VBoxManage: error: 1.2.3.4/24: the specified address is longer than the specified prefix"
	expect_err "VBoxManage: error: Details: code NS_ERROR_FAILURE (0x80004005), component NATNetworkWrap, interface INATNetwork, callee nsISupports"
	expect_err "VBoxManage: error: Failed to set configuration"
	vbm natnetwork modify --netname nn --network 10.0.0.0/31
	expect_status 2
	expect_err "VBoxManage: error: 10.0.0.0/31 network is too small"
	vbm natnetwork modify --netname nn --port-forward-4 "bad"
	expect_status 2
	expect_err "VBoxManage: error: Invalid port-forward rule bad"
	vbm natnetwork modify --netname nn --port-forward-4 delete nope
	expect_status 2
	expect_err "VBoxManage: error: Code NS_ERROR_INVALID_ARG (0x80070057) - Invalid argument value (extended info not available)"
	expect_err "VBoxManage: error: Failed to delete pf"
	vbm natnetwork add --netname x
	expect_status 2
	expect_err "VBoxManage: error: You need to specify the --network option"
	vbm natnetwork add --network 10.0.0.0/24
	expect_status 2
	expect_err "VBoxManage: error: You need to specify the --netname option"
	vbm natnetwork frob
	expect_status 2
	expect_err "VBoxManage: error: Invalid parameter 'frob'"
	# a failed setting leaves the network created, as in VirtualBox
	vbm natnetwork add --netname half --network bogus
	expect_status 2
	grep -q '<NATNetwork networkName="half" network="10.0.2.0/24"' "$VBOX_USER_HOME/VirtualBox.xml"
}

@test "remove, start, stop" {
	vbm natnetwork add --netname nn --network 10.5.0.0/24 --disable
	vbm natnetwork start --netname nn
	expect_status 0
	vbm natnetwork stop --netname nn
	expect_status 0
	vbm natnetwork modify --netname nn --enable
	vbm natnetwork start --netname nn
	expect_status 2
	expect_err "VBoxManage: error: Failed to start network"
	vbm natnetwork remove --netname nn
	expect_status 0
	run ! grep -q NATNetworks "$VBOX_USER_HOME/VirtualBox.xml"
	vbm natnetwork remove --netname nn
	expect_status 2
	[ "$stderr" = "VBoxManage: error: NATNetwork server does not exist" ]
}
