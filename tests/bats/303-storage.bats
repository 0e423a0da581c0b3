#!/usr/bin/env bats
# storagectl and storageattach: the settings they write, media moving into
# the machine's registry on attach, detaching, flags, and VirtualBox's
# errors.

load helpers

local_setup() {
	cd "$BATS_TEST_TMPDIR"
	vbm createvm --name vm --register
	expect_status 0
	VBOXF="$VMS/vm/vm.vbox"
}

@test "storagectl --add: VirtualBox's defaults per bus" {
	vbm storagectl vm --name SATA --add sata --controller IntelAhci
	expect_status 0
	[ -z "$output" ] && [ -z "$stderr" ]
	grep -q '<StorageController name="SATA" type="AHCI" PortCount="30" useHostIOCache="false" Bootable="true" IDE0MasterEmulationPort="0" IDE0SlaveEmulationPort="1" IDE1MasterEmulationPort="2" IDE1SlaveEmulationPort="3"/>' "$VBOXF"
	vbm storagectl vm --name IDE --add ide
	grep -q '<StorageController name="IDE" type="PIIX4" PortCount="2" useHostIOCache="true" Bootable="true"/>' "$VBOXF"
	vbm storagectl vm --name FD --add floppy
	grep -q '<StorageController name="FD" type="I82078" PortCount="1" useHostIOCache="true" Bootable="true"/>' "$VBOXF"
	vbm storagectl vm --name SATA2 --add sata --portcount 4
	expect_status 0
	grep -q '<StorageController name="SATA2" type="AHCI" PortCount="4" Instance="1" useHostIOCache="false" Bootable="false"' "$VBOXF"
	vbm storagectl vm --name NVMe --add pcie --controller NVMe
	grep -q '<StorageController name="NVMe" type="NVMe" PortCount="1"' "$VBOXF"
}

@test "storagectl changes, renames and removes controllers" {
	vbm storagectl vm --name SCSI --add scsi
	vbm storagectl vm --name SCSI --controller BusLogic --hostiocache on --bootable off
	expect_status 0
	grep -q '<StorageController name="SCSI" type="BusLogic" PortCount="16" useHostIOCache="true" Bootable="false"/>' "$VBOXF"
	vbm storagectl vm --name SCSI --rename Disk
	expect_status 0
	grep -q '<StorageController name="Disk" type="BusLogic"' "$VBOXF"
	vbm storagectl vm --name Disk --remove
	expect_status 0
	run grep -c StorageController "$VBOXF"
	[ "$output" = 0 ]
}

@test "storagectl errors" {
	vbm storagectl vm --name X
	expect_status 2
	expect_err "VBoxManage: error: Too few parameters"
	vbm storagectl vm --name SATA --add sata
	vbm storagectl vm --name SATA --add sata
	expect_status 1
	expect_err "VBoxManage: error: Storage controller named 'SATA' already exists"
	expect_err "VBoxManage: error: Details: code VBOX_E_OBJECT_IN_USE (0x80bb000c), component SessionMachine, interface IMachine, callee nsISupports"
	expect_err "VBoxManage: error: Context: \"AddStorageController(Bstr(pszCtl).raw(), StorageBus_SATA, ctl.asOutParam())\" at line 584 of file VBoxManageStorageController.cpp"
	vbm storagectl vm --name Nope --remove
	expect_status 1
	expect_err "VBoxManage: error: Could not find a storage controller named 'Nope'"
	vbm storagectl vm --name X --add floppyx
	expect_status 1
	expect_err "VBoxManage: error: Invalid --add argument 'floppyx'"
	vbm storagectl vm --name SATA --portcount 31
	expect_status 1
	expect_err "VBoxManage: error: Invalid port count: 31 (must be in range [1, 30])"
	vbm storagectl vm --name SATA --controller PIIX4
	expect_status 1
	vbm storagectl nosuchvm --name SATA --add sata
	expect_status 1
	expect_err "VBoxManage: error: Could not find a registered machine named 'nosuchvm'"
}

@test "storageattach hdd: attached, and the medium moves into the machine registry" {
	vbm storagectl vm --name SATA --add sata --portcount 1
	vbm createmedium --filename "$VMS/vm/base.vdi" --size 8
	local u=${output##* }
	vbm createmedium --filename "$VMS/vm/diff.vdi" --diffparent "$VMS/vm/base.vdi"
	local d=${output##* }
	vbm storageattach vm --storagectl SATA --port 3 --device 0 --type hdd --medium "$VMS/vm/diff.vdi"
	expect_status 0
	grep -q '<StorageController name="SATA" type="AHCI" PortCount="4"' "$VBOXF"
	grep -q "<AttachedDevice type=\"HardDisk\" hotpluggable=\"false\" port=\"3\" device=\"0\">" "$VBOXF"
	grep -q "<Image uuid=\"{$d}\"/>" "$VBOXF"
	grep -q "<HardDisk uuid=\"{$u}\" location=\"base.vdi\" format=\"VDI\" type=\"Normal\">" "$VBOXF"
	grep -q "<HardDisk uuid=\"{$d}\" location=\"diff.vdi\" format=\"vdi\"/>" "$VBOXF"
	run grep -c HardDisk "$VBOX_USER_HOME/VirtualBox.xml"
	[ "$output" = 1 ]   # defaultHardDiskFormat only
	vbm list hdds
	expect_out "Location:       $VMS/vm/diff.vdi"
	vbm showmediuminfo "$VMS/vm/diff.vdi"
	expect_out "In use by VMs:  vm (UUID: $(sed -n 's/.*<Machine uuid="{\([^}]*\)}".*/\1/p' "$VBOXF"))"
	# the same medium twice is refused
	vbm storageattach vm --storagectl SATA --port 0 --device 0 --type hdd --medium "$VMS/vm/diff.vdi"
	expect_status 1
	expect_err "VBoxManage: error: Medium '$VMS/vm/diff.vdi' is already attached to this virtual machine"
	# detach: the slot is empty, the medium stays registered
	vbm storageattach vm --storagectl SATA --port 3 --device 0 --medium none
	expect_status 0
	run grep -c AttachedDevice "$VBOXF"
	[ "$output" = 0 ]
	grep -q "location=\"diff.vdi\"" "$VBOXF"
	vbm storageattach vm --storagectl SATA --port 3 --device 0 --medium none
	expect_status 1
	expect_err "VBoxManage: error: No storage device attached to device slot 0 on port 3 of controller 'SATA'"
	expect_err "VBoxManage: error: Details: code VBOX_E_OBJECT_NOT_FOUND (0x80bb0001), component SessionMachine, interface IMachine, callee nsISupports"
}

@test "storageattach dvddrive and floppy: empty drives, images, flags" {
	vbm storagectl vm --name IDE --add ide
	vbm storagectl vm --name FD --add floppy
	vbm storageattach vm --storagectl IDE --port 1 --device 0 --type dvddrive --medium emptydrive
	expect_status 0
	grep -q '<AttachedDevice passthrough="false" type="DVD" hotpluggable="false" port="1" device="0"/>' "$VBOXF"
	vbm createmedium dvd --filename cd.iso --size 1
	local cd=${output##* }
	vbm storageattach vm --storagectl IDE --port 1 --device 0 --medium cd.iso
	expect_status 0
	grep -q "<Image uuid=\"{$cd}\"/>" "$VBOXF"
	grep -q "<DVDImages>" "$VBOXF"
	vbm storageattach vm --storagectl IDE --port 1 --device 0 --tempeject on --passthrough on
	expect_status 0
	grep -q '<AttachedDevice passthrough="true" tempeject="true" type="DVD"' "$VBOXF" ||
		grep -q 'tempeject="true"' "$VBOXF"
	vbm createmedium floppy --filename f.img --sizebyte 1474560
	vbm storageattach vm --storagectl FD --device 0 --medium f.img
	expect_status 0
	grep -q '<AttachedDevice type="Floppy" hotpluggable="false" port="0" device="0">' "$VBOXF"
	grep -q "<FloppyImages>" "$VBOXF"
}

@test "storageattach hdd flags and bandwidth groups" {
	vbm storagectl vm --name SATA --add sata
	vbm createmedium --filename d.vdi --size 4
	vbm storageattach vm --storagectl SATA --port 0 --device 0 --type hdd --medium d.vdi --nonrotational on --discard on
	expect_status 0
	grep -q '<AttachedDevice type="HardDisk" hotpluggable="false" port="0" device="0" nonrotational="true" discard="true">' "$VBOXF" ||
		{ grep -q 'nonrotational="true"' "$VBOXF" && grep -q 'discard="true"' "$VBOXF"; }
	vbm storageattach vm --storagectl SATA --port 0 --device 0 --discard off --hotpluggable on
	expect_status 0
	run grep -c 'discard=' "$VBOXF"
	[ "$output" = 0 ]
	grep -q 'hotpluggable="true"' "$VBOXF"
	vbm storageattach vm --storagectl SATA --port 0 --device 0 --bandwidthgroup nosuch
	expect_status 1
	expect_err "VBoxManage: error: The bandwidth group 'nosuch' does not exist"
	vbm storageattach vm --storagectl SATA --port 1 --device 0 --discard on
	expect_status 1
	expect_err "VBoxManage: error: Argument --type must be specified"
	vbm storageattach vm --storagectl SATA --port 1 --device 0 --type hdd --discard on
	expect_status 1
	expect_err "VBoxManage: error: Couldn't find the controller attachment for the controller 'SATA'"
	vbm storageattach vm --storagectl SATA --port 0 --device 0 --nonrotational maybe
	expect_status 1
	expect_err "VBoxManage: error: Invalid --nonrotational argument 'maybe'"
}

@test "storageattach errors" {
	vbm storagectl vm --name IDE --add ide
	vbm storageattach vm --port 0 --device 0 --medium none
	expect_status 2
	expect_err "VBoxManage: error: Storage controller name not specified"
	vbm storageattach vm --storagectl Nope --port 0 --device 0 --medium none
	expect_status 1
	expect_err "VBoxManage: error: Could not find a controller named 'Nope'"
	vbm storageattach vm --storagectl IDE --device 0 --medium emptydrive
	expect_status 2
	expect_err "VBoxManage: error: Port not specified"
	vbm storageattach vm --storagectl IDE --port 0 --medium emptydrive
	expect_status 2
	expect_err "VBoxManage: error: Device not specified"
	vbm storageattach vm --storagectl IDE --port 0 --device 0 --type floppyx --medium x
	expect_status 1
	expect_err "VBoxManage: error: Invalid --type argument 'floppyx'"
	vbm storageattach vm --storagectl IDE --port 0 --device 0 --medium nosuch.vdi
	expect_status 1
	expect_err "VBoxManage: error: Argument --type must be specified"
	vbm storageattach vm --storagectl IDE --port 0 --device 0 --type hdd --medium nosuch.vdi
	expect_status 1
	expect_err "VBoxManage: error: Could not find file for the medium '$PWD/nosuch.vdi' (VERR_FILE_NOT_FOUND)"
	expect_err "VBoxManage: error: Invalid UUID or filename \"nosuch.vdi\""
	vbm storageattach vm --storagectl IDE --port 0 --device 0 --type fdd --medium x.img
	expect_status 1
	expect_err "VBoxManage: error: The given attachment is not supported by the storage controller 'IDE'"
	vbm storageattach vm --storagectl IDE --port 0 --device 0 --type dvddrive --medium host:/nonexistent
	expect_status 1
	expect_err "VBoxManage: error: Invalid host DVD drive name \"/nonexistent\""
}
