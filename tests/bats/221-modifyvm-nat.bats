#!/usr/bin/env bats
# modifyvm NAT options: port forwarding rules (add, delete, duplicates,
# sorting, generated names), NAT engine settings, and the lines Vagrant
# and Packer read back.

load helpers
load vmconfig

U=5c1e3a2b-2222-4333-8444-a55566667777
NAT1='<Hardware><Network><Adapter slot="0" enabled="true" MACAddress="0800275A5A01" type="82540EM"><NAT/></Adapter></Network></Hardware>'

local_setup() {
	need_shared
	mkfile natvm $U '' "$NAT1"
}

# Vagrant's read_forwarded_ports over the last machine-readable output:
# "nic,name,hostport,guestport,hostip" per rule
vagrant_ports() {
	local l nic=""
	for l in "${lines[@]}"; do
		if [[ $l =~ ^nic([0-9]+)=\".+\"$ ]]; then
			nic=${BASH_REMATCH[1]}
		fi
		if [[ $l =~ ^Forwarding[^=]*=\"([^,]+),[^,]+,([^,]*),([^,]+),[^,]*,([^,]+)\"$ ]]; then
			printf '%s,%s,%s,%s,%s\n' "$nic" "${BASH_REMATCH[1]}" \
				"${BASH_REMATCH[3]}" "${BASH_REMATCH[4]}" \
				"${BASH_REMATCH[2]}"
		fi
	done
}

@test "Vagrant's forward_ports and read_forwarded_ports" {
	vbm modifyvm $U --natpf1 tcp8080,tcp,,8080,,80 --natpf1 ssh,tcp,127.0.0.1,2222,,22
	expect_status 0
	[ -z "$output$stderr" ]
	vbm showvminfo $U --machinereadable
	expect_status 0
	expect_out 'nic1="nat"'
	expect_out 'Forwarding(0)="ssh,tcp,127.0.0.1,2222,,22"'
	expect_out 'Forwarding(1)="tcp8080,tcp,,8080,,80"'
	[ "$(vagrant_ports)" = "1,ssh,2222,22,127.0.0.1
1,tcp8080,8080,80," ]
	# rules are stored sorted by name, host IP only when set
	grep -q '<Forwarding name="ssh" proto="1" hostip="127.0.0.1" hostport="2222" guestport="22"/>' "$VMF"
	grep -q '<Forwarding name="tcp8080" proto="1" hostport="8080" guestport="80"/>' "$VMF"
	[ "$(grep -n 'name="ssh"' "$VMF" | cut -d: -f1)" -lt "$(grep -n 'name="tcp8080"' "$VMF" | cut -d: -f1)" ]
}

@test "Forwarding lines follow their own nicN line" {
	mkfile two 6c1e3a2b-2222-4333-8444-a55566667778 '' '<Hardware><Network><Adapter slot="0" enabled="true" MACAddress="0800275A5A02"><NAT><Forwarding name="a" proto="1" hostport="1000" guestport="10"/></NAT></Adapter><Adapter slot="2" enabled="true" MACAddress="0800275A5A03"><NAT><Forwarding name="b" proto="0" hostip="10.0.0.1" hostport="2000" guestip="10.0.2.15" guestport="20"/></NAT></Adapter></Network></Hardware>'
	vbm showvminfo two --machinereadable
	expect_status 0
	[ "$(vagrant_ports)" = "1,a,1000,10,
3,b,2000,20,10.0.0.1" ]
	expect_out 'Forwarding(0)="b,udp,10.0.0.1,2000,10.0.2.15,20"'
	vbm showvminfo two
	expect_out "NIC 1 Rule(0):   name = a, protocol = tcp, host ip = , host port = 1000, guest ip = , guest port = 10"
	expect_out "NIC 3 Rule(0):   name = b, protocol = udp, host ip = 10.0.0.1, host port = 2000, guest ip = 10.0.2.15, guest port = 20"
}

@test "a rule name that exists already fails like VirtualBox (Packer matches it)" {
	vbm modifyvm natvm --natpf1 "ssh,tcp,,2222,,22"
	expect_status 0
	cp "$VMF" "$BATS_TEST_TMPDIR/before"
	vbm modifyvm natvm --natpf1 "ssh,tcp,,2223,,22"
	expect_status 1
	[ "$stderr" = 'VBoxManage: error: A NAT rule of this name already exists
VBoxManage: error: Details: code NS_ERROR_INVALID_ARG (0x80070057), component NATEngineWrap, interface INATEngine, callee nsISupports
VBoxManage: error: Context: "AddRedirect(Bstr(strName).raw(), proto, Bstr(strHostIp).raw(), RTStrToUInt16(strHostPort), Bstr(strGuestIp).raw(), RTStrToUInt16(strGuestPort))" at line 1923 of file VBoxManageModifyVM.cpp' ]
	cmp "$VMF" "$BATS_TEST_TMPDIR/before"
	# same protocol, host IP and port under another name
	vbm modifyvm natvm --natpf1 "other,tcp,,2222,,23"
	expect_status 1
	expect_err "VBoxManage: error: A NAT rule for this host port and this host IP already exists"
	# another protocol on the same port is fine
	vbm modifyvm natvm --natpf1 "dns,udp,,2222,,53"
	expect_status 0
}

@test "delete: Vagrant's ClearForwardedPorts, several in one call" {
	vbm modifyvm natvm --natpf1 "ssh,tcp,127.0.0.1,2222,,22" --natpf1 "tcp18080,tcp,,18080,,80"
	expect_status 0
	vbm modifyvm $U --natpf1 delete tcp18080 --natpf1 delete ssh
	expect_status 0
	[ -z "$output$stderr" ]
	vbm showvminfo $U --machinereadable
	expect_no_out 'Forwarding(0)="ssh,tcp,127.0.0.1,2222,,22"'
	lacks '<Forwarding' "$VMF"
	# the emptied NAT element goes, the adapter stays
	grep -q '<NAT/>' "$VMF"
}

@test "delete of a missing rule, and delete without a name" {
	vbm modifyvm natvm --natpf1 delete nosuch
	expect_status 1
	[ "$stderr" = 'VBoxManage: error: Code NS_ERROR_INVALID_ARG (0x80070057) - Invalid argument value (extended info not available)
VBoxManage: error: Context: "RemoveRedirect(Bstr(ValueUnion.psz).raw())" at line 1951 of file VBoxManageModifyVM.cpp' ]
	vbm modifyvm natvm --natpf1 delete
	expect_status 2
	expect_err "VBoxManage: error: Not enough parameters"
}

@test "rule syntax: missing terms exit 2, bad protocol exit 1, empty name generated" {
	vbm modifyvm natvm --natpf1 "bad"
	expect_status 2
	expect_err "VBoxManage: error: Missing or invalid argument to '--natpf'"
	vbm modifyvm natvm --nat-pf1 "a,tcp,,1"
	expect_status 2
	expect_err "VBoxManage: error: Missing or invalid argument to '--nat-pf'"
	vbm modifyvm natvm --natpf1 "a,icmp,,1,,2"
	expect_status 1
	expect_err "VBoxManage: error: Invalid proto 'a,icmp,,1,,2' specfied for NIC 1"
	vbm modifyvm natvm --natpf1 " ,UDP, ,53, ,5353"
	expect_status 0
	vbm showvminfo natvm --machinereadable
	expect_out 'Forwarding(0)="udp_53_5353,udp,,53,,5353"'
	# ports are read like RTStrToUInt16: hex, truncation, 0 for junk
	vbm modifyvm natvm --natpf1 "h,tcp,,0x50,,99999"
	expect_status 0
	vbm showvminfo natvm --machinereadable
	expect_out 'Forwarding(0)="h,tcp,,80,,34463"'
}

@test "Invalid NIC number: printed, not fatal; rule for NIC 9 ignored" {
	vbm modifyvm natvm --natpf9 "x,tcp,,1,,1" --memory 300
	expect_status 0
	expect_err "VBoxManage: error: Invalid NIC number 9"
	vbm showvminfo natvm --machinereadable
	expect_out 'memory=300'
	expect_no_out 'Forwarding(0)="x,tcp,,1,,1"'
	vbm modifyvm natvm --natpf0 "x,tcp,,1,,1"
	expect_err "VBoxManage: error: Invalid NIC number 0"
}

@test "NAT engine settings: net, bind ip, dns, tftp, alias, settings" {
	vbm modifyvm natvm --natnet1 10.9.8.0/24 --natbindip1 127.0.0.2 \
		--natdnspassdomain1 off --natdnsproxy1 on --natdnshostresolver1 on \
		--nattftpprefix1 /tftp --nattftpfile1 boot.pxe --nattftpserver1 10.9.8.4 \
		--nataliasmode1 log,sameports --natsettings1 1500,128,256,32,48
	expect_status 0
	# VirtualBox 7.0 stores the send buffer size as receive size too
	grep -q '<NAT network="10.9.8.0/24" hostip="127.0.0.2" mtu="1500" sockrcv="128" socksnd="128" tcprcv="48" tcpsnd="32">' "$VMF"
	grep -q '<DNS pass-domain="false" use-proxy="true" use-host-resolver="true"/>' "$VMF"
	grep -q '<Alias logging="true" use-same-ports="true"/>' "$VMF"
	grep -q '<TFTP prefix="/tftp" boot-file="boot.pxe" next-server="10.9.8.4"/>' "$VMF"
	vbm showvminfo natvm --machinereadable
	expect_out 'natnet1="10.9.8.0/24"'
	expect_out 'mtu="1500"'
	expect_out 'sockSnd="128"'
	expect_out 'sockRcv="128"'
	expect_out 'tcpWndSnd="32"'
	expect_out 'tcpWndRcv="48"'
	vbm showvminfo natvm
	expect_out "NIC 1 Settings:  MTU: 1500, Socket (send: 128, receive: 128), TCP Window (send:32, receive: 48)"
	# zeros leave the numbers alone
	vbm modifyvm natvm --natsettings1 0,0,0,0,64
	expect_status 0
	grep -q '<NAT network="10.9.8.0/24" hostip="127.0.0.2" mtu="1500" sockrcv="128" socksnd="128" tcprcv="64" tcpsnd="32">' "$VMF"
	# the rest back at the defaults: those attributes and elements go
	vbm modifyvm natvm --natnet1 default --natbindip1 "" --natdnspassdomain1 on \
		--natdnsproxy1 off --natdnshostresolver1 off --nattftpprefix1 "" \
		--nattftpfile1 "" --nattftpserver1 "" --nataliasmode1 default
	expect_status 0
	grep -q '<NAT mtu="1500" sockrcv="128" socksnd="128" tcprcv="64" tcpsnd="32"/>' "$VMF"
}

@test "NAT localhost-reachable: default by file version" {
	# before 1.19 the guest could reach the host's loopback: turning
	# that off needs 1.19
	sed -e 's/version="1.19-linux"/version="1.18-linux"/' "$VMF" >"$BATS_TEST_TMPDIR/v118"
	cp "$BATS_TEST_TMPDIR/v118" "$VMF"
	vbm modifyvm natvm --nat-localhostreachable1 on
	expect_status 0
	cmp "$VMF" "$BATS_TEST_TMPDIR/v118"
	vbm modifyvm natvm --nat-localhostreachable1 off
	expect_status 0
	grep -q 'version="1.19-linux"' "$VMF"
	# where off is the default, so not written
	grep -q '<NAT/>' "$VMF"
	vbm modifyvm natvm --nat-localhostreachable1 on
	expect_status 0
	grep -q '<NAT localhost-reachable="true"/>' "$VMF"
	vbm modifyvm natvm --natlocalhostreachable1 off
	expect_status 0
	grep -q '<NAT/>' "$VMF"
}
