#!/usr/bin/env bats
# modifyvm network adapter options: attachments, MAC addresses, types,
# cable, promiscuous policy, generic properties, and the nic lines
# Vagrant's read_network_interfaces parses.

load helpers
load vmconfig

U=7d2e4b3c-3333-4444-8555-b66677778888

local_setup() {
	need_shared
	mkfile nicvm $U
}

@test "Vagrant's ClearNetworkInterfaces and Network sequence" {
	vbm modifyvm $U --nic2 none --nic3 none --nic4 none --nic5 none --nic6 none --nic7 none --nic8 none
	expect_status 0
	vbm modifyvm $U --nic1 nat --nic2 hostonly --hostonlyadapter2 vboxnet0 --cableconnected2 on --nic3 hostonly --hostonlyadapter3 vboxnet0 --cableconnected3 on
	expect_status 0
	[ -z "$output$stderr" ]
	vbm showvminfo $U --machinereadable
	expect_out 'nic1="nat"'
	expect_out 'natnet1="nat"'
	expect_out 'hostonlyadapter2="vboxnet0"'
	expect_out 'nic2="hostonly"'
	expect_out 'cableconnected2="on"'
	expect_out 'hostonlyadapter3="vboxnet0"'
	expect_out 'nic3="hostonly"'
	expect_out 'nic4="none"'
	expect_out 'nic8="none"'
	# the attachment's key comes before macaddress/nic lines
	local i a m n
	for i in "${!lines[@]}"; do
		case ${lines[i]} in
		hostonlyadapter2=*) a=$i ;;
		macaddress2=*) m=$i ;;
		nic2=*) n=$i ;;
		esac
	done
	[ "$a" -lt "$m" ] && [ "$m" -lt "$n" ]
	grep -q '<HostOnlyInterface name="vboxnet0"/>' "$VMF"
	# an adapter that gets enabled gets a MAC address
	[ "$(grep -c '<Adapter slot="[0-2]" enabled="true" MACAddress="080027[0-9A-F]\{6\}"' "$VMF")" -eq 3 ]
}

@test "--macaddress1 auto: a new 080027 address every time" {
	vbm modifyvm nicvm --nic1 nat --macaddress1 0800270A0B0C
	expect_status 0
	vbm showvminfo nicvm --machinereadable
	expect_out 'macaddress1="0800270A0B0C"'
	vbm modifyvm nicvm --macaddress1 auto
	expect_status 0
	vbm showvminfo nicvm --machinereadable
	[[ $(mr macaddress1) =~ ^080027[0-9A-F]{6}$ ]]
	[ "$(mr macaddress1)" != 0800270A0B0C ]
	# lower case is accepted and stored in upper case
	vbm modifyvm nicvm --mac-address1 0800270a0b0d
	expect_status 0
	grep -q 'MACAddress="0800270A0B0D"' "$VMF"
}

@test "bad MAC addresses: VirtualBox's error, exit 1" {
	local mac
	for mac in 0100000000AA 12345 0800270A0B0G 0800270A0B0C0; do
		vbm modifyvm nicvm --macaddress1 "$mac"
		expect_status 1
		expect_err "VBoxManage: error: Invalid MAC address format"
		expect_err "VBoxManage: error: Details: code NS_ERROR_INVALID_ARG (0x80070057), component NetworkAdapterWrap, interface INetworkAdapter, callee nsISupports"
	done
}

@test "every attachment type: file elements and both outputs" {
	vbm modifyvm nicvm --nic1 bridged --bridgeadapter1 eth0 \
		--nic2 intnet --intnet2 mynet --nic3 generic --nicgenericdrv3 VDE \
		--nicproperty3 network=/tmp/sw --nic4 natnetwork --nat-network4 NatNet \
		--nic5 null --nic6 cloud --cloud-network6 cnet
	expect_status 0
	grep -q '<BridgedInterface name="eth0"/>' "$VMF"
	grep -q '<InternalNetwork name="mynet"/>' "$VMF"
	grep -q '<GenericInterface driver="VDE">' "$VMF"
	grep -q '<Property name="network" value="/tmp/sw"/>' "$VMF"
	grep -q '<NATNetwork name="NatNet"/>' "$VMF"
	grep -q '<CloudNetwork name="cnet"/>' "$VMF"
	vbm showvminfo nicvm --machinereadable
	expect_out 'bridgeadapter1="eth0"'
	expect_out 'nic1="bridged"'
	expect_out 'intnet2="mynet"'
	expect_out 'nic2="intnet"'
	expect_out 'generic3="VDE"'
	expect_out 'nic3="Generic"'
	expect_out 'nat-network4="NatNet"'
	expect_out 'nic4="natnetwork"'
	expect_out 'nic5="null"'
	expect_out 'cloud-network6="cnet"'
	expect_out 'nic6="cloudnetwork"'
	vbm showvminfo nicvm
	local mac
	mac=$(grep -o 'slot="0" enabled="true" MACAddress="[0-9A-F]*"' "$VMF" | grep -o '[0-9A-F]\{12\}')
	expect_out "NIC 1:                       MAC: $mac, Attachment: Bridged Interface 'eth0', Cable connected: on, Trace: off (file: none), Type: Am79C973, Reported speed: 0 Mbps, Boot priority: 0, Promisc Policy: deny, Bandwidth group: none"
	[[ $output == *"Attachment: Internal Network 'mynet',"* ]]
	[[ $output == *"Attachment: Generic 'VDE' { network='/tmp/sw' },"* ]]
	[[ $output == *"Attachment: NAT Network 'NatNet',"* ]]
	[[ $output == *"Attachment: none,"* ]]
	[[ $output == *"Attachment: Cloud Network 'cnet',"* ]]
}

@test "switching attachment remembers the old name under DisabledModes" {
	vbm modifyvm nicvm --nic1 intnet --intnet1 lab --nic1 nat
	expect_status 0
	grep -q '<DisabledModes>' "$VMF"
	grep -q '<InternalNetwork name="lab"/>' "$VMF"
	grep -q '<NAT/>' "$VMF"
	vbm modifyvm nicvm --nic1 intnet
	expect_status 0
	vbm showvminfo nicvm --machinereadable
	expect_out 'intnet1="lab"'
	lacks '<DisabledModes>' "$VMF"
}

@test "an empty internal network name on an intnet adapter is refused" {
	vbm modifyvm nicvm --nic1 intnet --intnet1 lab
	expect_status 0
	vbm modifyvm nicvm --intnet1 none
	expect_status 1
	expect_err "VBoxManage: error: Empty or null internal network name is not valid"
	expect_err "VBoxManage: error: Details: code NS_ERROR_FAILURE (0x80004005), component NetworkAdapterWrap, interface INetworkAdapter, callee nsISupports"
	expect_err 'VBoxManage: error: Context: "COMSETTER(InternalNetwork)(Bstr().raw())" at line 1834 of file VBoxManageModifyVM.cpp'
	vbm modifyvm nicvm --intnet1 ""
	expect_status 1
	expect_err 'VBoxManage: error: Context: "COMSETTER(InternalNetwork)(Bstr(ValueUnion.psz).raw())" at line 1834 of file VBoxManageModifyVM.cpp'
}

@test "type, cable, speed, boot priority, promisc, trace" {
	vbm modifyvm nicvm --nic1 nat --nictype1 virtio --cableconnected1 off \
		--nicspeed1 1000000 --nicbootprio1 2 --nicpromisc1 allow-vms \
		--nictrace1 on --nictracefile1 /tmp/nic1.pcap
	expect_status 0
	vbm showvminfo nicvm --machinereadable
	expect_out 'nictype1="virtio"'
	expect_out 'cableconnected1="off"'
	expect_out 'nicspeed1="1000000"'
	vbm showvminfo nicvm
	[[ $output == *"Cable connected: off, Trace: on (file: /tmp/nic1.pcap), Type: virtio, Reported speed: 1000 Mbps, Boot priority: 2, Promisc Policy: allow-vms, Bandwidth group: none"* ]]
	grep -q 'cable="false"' "$VMF"
	grep -q 'trace="true" tracefile="/tmp/nic1.pcap"' "$VMF"
	grep -q 'promiscuousModePolicy="AllowNetwork"' "$VMF"
	# tracing off drops the trace file too
	vbm modifyvm nicvm --nictrace1 off
	expect_status 0
	lacks 'tracefile=' "$VMF"
	vbm modifyvm nicvm --nic-promisc1 allow-network
	vbm showvminfo nicvm
	[[ $output == *"Promisc Policy: allow-vms,"* ]]
}

@test "bad NIC values: texts and exit codes" {
	vbm modifyvm nicvm --nic1 token
	expect_status 1
	expect_err "VBoxManage: error: Invalid type 'token' specfied for NIC 1"
	vbm modifyvm nicvm --nictype1 ne9999
	expect_status 1
	expect_err "VBoxManage: error: Invalid NIC type 'ne9999' specified for NIC 1"
	vbm modifyvm nicvm --nicbootprio1 5
	expect_status 1
	expect_err "VBoxManage: error: Invalid boot priority '5' specfied for NIC 1"
	vbm modifyvm nicvm --nicpromisc1 some
	expect_status 1
	expect_err "VBoxManage: error: Unknown promiscuous mode policy 'some'"
	vbm modifyvm nicvm --nicproperty1 bad
	expect_status 1
	expect_err "VBoxManage: error: Invalid --nicproperty1 argument 'bad'"
	vbm modifyvm nicvm --nic-bandwidth-group1 nosuch
	expect_status 1
	expect_err "VBoxManage: error: Could not find a bandwidth group named 'nosuch'"
	# hostonlynet (vmnet) exists on macOS hosts only
	vbm modifyvm nicvm --nic1 hostonlynet
	expect_status 1
	expect_err "VBoxManage: error: Invalid type 'hostonlynet' specfied for NIC 1"
}

@test "NIC numbers beyond the chipset: printed, not fatal" {
	vbm modifyvm nicvm --nic9 nat --cpus 2
	expect_status 0
	expect_err "VBoxManage: error: Invalid NIC number 9"
	vbm showvminfo nicvm --machinereadable
	expect_out 'cpus=2'
	expect_no_out 'nic9="nat"'
	# ICH9 has 36 adapters, but the count is taken when modifyvm starts
	vbm modifyvm nicvm --chipset ich9 --nic9 nat
	expect_status 0
	[ "$stderr" = "*** I/O APIC must be enabled for ICH9, enabling. ***
VBoxManage: error: Invalid NIC number 9" ]
	vbm modifyvm nicvm --nic9 nat
	expect_status 0
	[ -z "$stderr" ]
	vbm showvminfo nicvm --machinereadable
	expect_out 'nic9="nat"'
	expect_out 'chipset="ich9"'
	expect_out 'ioapic="on"'
}

@test "generic properties: set, replace, remove with an empty value" {
	vbm modifyvm nicvm --nic1 generic --nicgenericdrv1 UDPTunnel \
		--nicproperty1 dest=10.0.0.2 --nicproperty1 sport=10001 --nicproperty1 dest=10.0.0.3
	expect_status 0
	vbm showvminfo nicvm
	[[ $output == *"Attachment: Generic 'UDPTunnel' { dest='10.0.0.3', sport='10001' },"* ]]
	vbm modifyvm nicvm --nicproperty1 dest= --nicproperty1 sport=
	expect_status 0
	vbm showvminfo nicvm
	[[ $output == *"Attachment: Generic 'UDPTunnel' {  },"* ]]
	lacks '<Property' "$VMF"
}
