#!/usr/bin/env bats
# bandwidthctl: the machine's bandwidth groups.

load helpers

local_setup() {
	vbm createvm --name bw --register
	expect_status 0
	F="$VMS/bw/bw.vbox"
}

@test "add, list (human and machine-readable), set, remove" {
	vbm bandwidthctl bw add disk1 --type disk --limit 100
	expect_status 0
	[ -z "$output" ]
	vbm bandwidthctl bw add net1 --type network --limit 10m
	expect_status 0
	vbm bandwidthctl bw add k --type disk --limit 5K
	vbm bandwidthctl bw list
	expect_status 0
	[ "$output" = "
#0: Name: 'disk1', Type: Disk, Limit: 100 MiB/s
#1: Name: 'net1', Type: Network, Limit: 10 Mbps (1250000 bytes/s)
#2: Name: 'k', Type: Disk, Limit: 5 KiB/s" ]
	vbm bandwidthctl bw list --machinereadable
	[ "$output" = 'BandwidthGroup0="disk1",Disk,104857600
BandwidthGroup1="net1",Network,1250000
BandwidthGroup2="k",Disk,5120' ]
	grep -q '<BandwidthGroup name="disk1" type="Disk" maxBytesPerSec="104857600"/>' "$F"
	vbm bandwidthctl bw set disk1 --limit 0
	expect_status 0
	vbm bandwidthctl bw list
	expect_out "#0: Name: 'disk1', Type: Disk, Limit: none (disabled)"
	vbm bandwidthctl bw remove disk1
	vbm bandwidthctl bw remove net1
	vbm bandwidthctl bw remove k
	expect_status 0
	vbm bandwidthctl bw list
	[ "$output" = "<none>" ]
	run ! grep -q BandwidthGroups "$F"
}

@test "errors" {
	vbm bandwidthctl bw add g --type disk
	vbm bandwidthctl bw add g --type disk
	expect_status 1
	expect_err "VBoxManage: error: Bandwidth group named 'g' already exists"
	expect_err "VBoxManage: error: Details: code VBOX_E_OBJECT_IN_USE (0x80bb000c), component BandwidthControlWrap, interface IBandwidthControl, callee nsISupports"
	vbm bandwidthctl bw add h --type tape
	expect_status 1
	[ "$stderr" = "VBoxManage: error: Invalid bandwidth group type" ]
	vbm bandwidthctl bw add h --type disk --limit 5x
	expect_status 1
	[ "$stderr" = "VBoxManage: error: Invalid unit suffix. Valid suffixes are: k, m, g, K, M, G" ]
	vbm bandwidthctl bw add h --type disk --limit -5
	expect_status 1
	[ "$stderr" = "VBoxManage: error: Limit cannot be negative" ]
	vbm bandwidthctl bw remove nope
	expect_status 1
	expect_err "VBoxManage: error: Could not find a bandwidth group named 'nope'"
	vbm bandwidthctl bw set nope --limit 1
	expect_status 1
	expect_err "VBoxManage: error: Could not find a bandwidth group named 'nope'"
	vbm bandwidthctl bw
	expect_status 2
	expect_err "VBoxManage: error: Too few parameters"
	# an unknown sub-command is a syntax error that exits with 1
	vbm bandwidthctl bw frob
	expect_status 1
	expect_err "VBoxManage: error: Invalid parameter 'frob'"
}

@test "a group in use by a disk cannot be removed" {
	vbm bandwidthctl bw add g --type disk
	sed -i 's|^    </Hardware>$|      <StorageControllers>\n        <StorageController name="SATA" type="AHCI" PortCount="1" useHostIOCache="false" Bootable="true">\n          <AttachedDevice type="HardDisk" hotpluggable="false" port="0" device="0" bandwidthGroup="g">\n            <Image uuid="{11111111-0000-0000-0000-000000000001}"/>\n          </AttachedDevice>\n        </StorageController>\n      </StorageControllers>\n    </Hardware>|' "$F"
	vbm bandwidthctl bw remove g
	expect_status 1
	expect_err "VBoxManage: error: The bandwidth group 'g' is still in use"
}
