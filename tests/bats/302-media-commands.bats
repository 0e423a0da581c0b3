#!/usr/bin/env bats
# The medium commands: createmedium, showmediuminfo, list hdds/dvds/
# floppies, closemedium, modifymedium, mediumproperty, mediumio and the
# medium internalcommands: outputs, registry entries, errors and exit codes.

load helpers

local_setup() {
	cd "$BATS_TEST_TMPDIR"
}

uuid_of() {
	sed -n 's/^UUID: *//p' <<<"$1" | head -1
}

@test "createmedium disk: VDI by default, registered, progress on stderr" {
	vbm createmedium disk --filename a --size 16
	expect_status 0
	[[ $output =~ ^Medium\ created\.\ UUID:\ [0-9a-f-]{36}$ ]]
	[ "$stderr" = "0%...10%...20%...30%...40%...50%...60%...70%...80%...90%...100%" ]
	[ -f a.vdi ]
	grep -q "<HardDisk uuid=\"{${output##* }}\" location=\"$PWD/a.vdi\" format=\"VDI\" type=\"Normal\"/>" \
		"$VBOX_USER_HOME/VirtualBox.xml"
}

@test "createmedium aliases and option spellings" {
	vbm createhd --filename b.vdi --sizebyte 2097152
	expect_status 0
	vbm createvdi -filename c.vdi -size 2 -variant Fixed
	expect_status 0
	[ "$(stat -c %s c.vdi)" -eq $((4 * 1048576)) ]
	vbm createmedium --filename=d.vhd --format=VHD --size=3 --variant=fixed
	expect_status 0
	[ "$(stat -c %s d.vhd)" -eq $((3 * 1048576 + 512)) ]
}

@test "createmedium dvd and floppy: RAW fixed, Formatted floppy holds FAT12" {
	vbm createmedium dvd --filename cd --size 1
	expect_status 0
	[ -f cd.iso ]
	vbm createmedium floppy --filename fd --sizebyte 1474560 --variant Formatted
	expect_status 0
	[ "$(stat -c %s fd.img)" -eq 1474560 ]
	[ "$(dd if=fd.img bs=1 skip=54 count=5 2>/dev/null)" = FAT12 ]
	[ "$(od -An -tx1 -j510 -N2 fd.img | tr -d ' ')" = 55aa ]
	vbm list floppies
	expect_status 0
	expect_out "Location:       $PWD/fd.img"
	expect_out "Type:           writethrough"
	expect_out "Storage format: RAW"
	vbm list dvds
	expect_out "Location:       $PWD/cd.iso"
	expect_out "Type:           readonly"
}

@test "createmedium errors: syntax, existing file, bad variant, bad format" {
	vbm createmedium --size 4
	expect_status 2
	expect_err "VBoxManage: error: Parameter --filename is required"
	vbm createmedium --filename x.vdi
	expect_status 2
	expect_err "VBoxManage: error: Parameter --size is required"
	vbm createmedium disk dvd --filename x --size 1
	expect_status 2
	expect_err "VBoxManage: error: Only one command can be specified: 'dvd'"
	vbm createmedium --filename x.vdi --size 4 --variant Bogus
	expect_status 1
	expect_err "VBoxManage: error: Invalid medium variant 'Bogus'"
	vbm createmedium --filename x.qqq --size 4 --format QQQ
	expect_status 1
	expect_err "VBoxManage: error: Invalid medium storage format 'QQQ'"
	vbm createmedium --filename r.img --size 4 --format RAW
	expect_status 1
	expect_err "VBoxManage: error: Medium format 'RAW' does not support dynamic storage creation"
	touch e.vdi
	vbm createmedium --filename e.vdi --size 4
	expect_status 1
	expect_err "Progress state: VBOX_E_FILE_ERROR"
	expect_err "VBoxManage: error: Failed to create medium"
	expect_err "VBoxManage: error: Could not create the medium storage unit '$PWD/e.vdi'."
	expect_err "VBoxManage: error: VDI: cannot create image '$PWD/e.vdi' (VERR_ALREADY_EXISTS)"
	expect_err "VBoxManage: error: Details: code VBOX_E_FILE_ERROR (0x80bb0004), component MediumWrap, interface IMedium"
	[ ! -s e.vdi ]
	vbm createmedium --filename tiny.vdi --sizebyte 4096
	expect_status 1
	[ ! -e tiny.vdi ]
}

@test "showmediuminfo: the 7.0 layout for base and differencing media" {
	vbm createmedium --filename base.vdi --size 8
	local bu=${output##* }
	vbm createmedium --filename child.vdi --diffparent base.vdi
	expect_status 0
	local cu=${output##* }
	vbm showmediuminfo base.vdi
	expect_status 0
	[ "${lines[0]}" = "UUID:           $bu" ]
	[ "${lines[1]}" = "Parent UUID:    base" ]
	[ "${lines[2]}" = "State:          created" ]
	[ "${lines[3]}" = "Type:           normal (base)" ]
	[ "${lines[4]}" = "Location:       $PWD/base.vdi" ]
	[ "${lines[5]}" = "Storage format: VDI" ]
	[ "${lines[6]}" = "Format variant: dynamic default" ]
	[ "${lines[7]}" = "Capacity:       8 MBytes" ]
	[ "${lines[8]}" = "Size on disk:   2 MBytes" ]
	[ "${lines[9]}" = "Encryption:     disabled" ]
	[ "${lines[10]}" = "Property:       AllocationBlockSize=1048576" ]
	[ "${lines[11]}" = "Child UUIDs:    $cu" ]
	vbm showhdinfo child.vdi
	expect_status 0
	[ "${lines[1]}" = "Parent UUID:    $bu" ]
	expect_out "Type:           normal (differencing)"
	expect_out "Auto-Reset:     off"
	expect_out "Storage format: vdi"
	expect_out "Format variant: differencing default"
}

@test "showmediuminfo registers an unknown image; UUID clashes are refused" {
	qemu-img create -f vdi q.vdi 4M >/dev/null 2>&1 || skip "qemu-img is not installed"
	vbm showmediuminfo q.vdi
	expect_status 0
	expect_out "Storage format: VDI"
	local u
	u=$(uuid_of "$output")
	grep -q "location=\"$PWD/q.vdi\"" "$VBOX_USER_HOME/VirtualBox.xml"
	cp q.vdi copy.vdi
	vbm showmediuminfo copy.vdi
	expect_status 1
	expect_err "VBoxManage: error: Cannot register the hard disk '$PWD/copy.vdi' {$u} because a hard disk '$PWD/q.vdi' with UUID {$u} already exists"
	expect_err "VBoxManage: error: Details: code NS_ERROR_INVALID_ARG (0x80070057), component VirtualBoxWrap, interface IVirtualBox, callee nsISupports"
	vbm internalcommands sethduuid copy.vdi
	expect_status 0
	[[ $output =~ ^UUID\ changed\ to:\ [0-9a-f-]{36}$ ]]
	vbm showmediuminfo copy.vdi
	expect_status 0
}

@test "showmediuminfo of a missing file and of a broken image" {
	vbm showmediuminfo nosuch.vdi
	expect_status 1
	expect_err "VBoxManage: error: Could not find file for the medium '$PWD/nosuch.vdi' (VERR_FILE_NOT_FOUND)"
	expect_err "VBoxManage: error: Details: code VBOX_E_FILE_ERROR (0x80bb0004), component MediumWrap, interface IMedium, callee nsISupports"
	expect_err "VBoxManage: error: Context: \"OpenMedium(Bstr(pszFilenameOrUuid).raw(), enmDevType, enmAccessMode, fForceNewUuidOnOpen, pMedium.asOutParam())\" at line 201 of file VBoxManageDisk.cpp"
	vbm createmedium --filename broken.vdi --size 4
	printf '\x11\x00\x00\x00' | dd of=broken.vdi bs=1 seek=$((0x178)) conv=notrunc 2>/dev/null
	vbm showmediuminfo broken.vdi
	expect_status 0
	expect_out "State:          inaccessible"
	[[ $output == *"VERR_VD_VDI_INVALID_HEADER"* ]]
	expect_out "Capacity:       0 MBytes"
	head -c 1000 /dev/urandom >junk.vdi
	vbm showmediuminfo junk.vdi
	expect_status 1
	expect_err "VBoxManage: error: Could not get the storage format of the medium '$PWD/junk.vdi' (VERR_NOT_SUPPORTED)"
}

@test "list hdds: depth-first with parents, -l adds the long fields" {
	vbm createmedium --filename p.vdi --size 4
	local pu=${output##* }
	vbm createmedium --filename c1.vdi --diffparent p.vdi
	local c1=${output##* }
	vbm createmedium --filename q.vmdk --format VMDK --size 4
	local qu=${output##* }
	vbm list hdds
	expect_status 0
	[ "${lines[0]}" = "UUID:           $pu" ]
	[ "${lines[1]}" = "Parent UUID:    base" ]
	[ "${lines[8]}" = "UUID:           $c1" ]
	[ "${lines[9]}" = "Parent UUID:    $pu" ]
	[ "${lines[16]}" = "UUID:           $qu" ]
	expect_no_out "Format variant: dynamic default"
	vbm list -l hdds
	expect_status 0
	expect_out "Format variant: dynamic default"
	expect_out "Property:       BootSector="
	expect_out "                Relative="
	expect_out "Child UUIDs:    $c1"
}

@test "closemedium: unregisters, --delete removes files, children block it" {
	vbm createmedium --filename p.vdi --size 4
	vbm createmedium --filename c.vmdk --diffparent p.vdi
	expect_status 0
	vbm closemedium p.vdi
	expect_status 1
	expect_err "VBoxManage: error: Cannot close medium '$PWD/p.vdi' because it has 1 child media"
	vbm closemedium disk c.vmdk --delete
	expect_status 0
	[ ! -e c.vmdk ]
	vbm closemedium p.vdi
	expect_status 0
	[ -e p.vdi ]
	run grep -c "p.vdi" "$VBOX_USER_HOME/VirtualBox.xml"
	[ "$output" = 0 ]
	vbm createmedium --filename s.vmdk --format VMDK --variant Split2G --sizebyte $((3 * 1048576))
	expect_status 0
	[ -e s-s001.vmdk ]
	vbm closemedium s.vmdk --delete
	expect_status 0
	[ ! -e s.vmdk ] && [ ! -e s-s001.vmdk ]
}

@test "closemedium refuses a medium a machine uses" {
	vbm createvm --name vm1 --register
	vbm storagectl vm1 --name SATA --add sata
	expect_status 0
	vbm createmedium --filename "$VMS/vm1/d.vdi" --size 4
	vbm storageattach vm1 --storagectl SATA --port 0 --device 0 --type hdd --medium "$VMS/vm1/d.vdi"
	expect_status 0
	vbm closemedium "$VMS/vm1/d.vdi"
	expect_status 1
	expect_err "VBoxManage: error: Medium '$VMS/vm1/d.vdi' cannot be closed because it is still attached to 1 virtual machines"
	expect_err "VBoxManage: error: Details: code VBOX_E_OBJECT_IN_USE (0x80bb000c), component MediumWrap, interface IMedium, callee nsISupports"
	vbm closemedium "$VMS/vm1/d.vdi" --delete
	expect_status 1
	[ -e "$VMS/vm1/d.vdi" ]
	vbm showmediuminfo "$VMS/vm1/d.vdi"
	expect_out "In use by VMs:  vm1 (UUID: $(sed -n 's/.*<Machine uuid="{\([^}]*\)}".*/\1/p' "$VMS/vm1/vm1.vbox"))"
}

@test "modifymedium: type, description, resize, compact, move, setlocation" {
	vbm createmedium --filename m.vdi --size 8
	vbm modifymedium m.vdi --type immutable
	expect_status 0
	grep -q 'type="Immutable"' "$VBOX_USER_HOME/VirtualBox.xml"
	vbm modifymedium m.vdi --description "the disk"
	expect_status 0
	[ "$output" = "Medium description has been changed." ]
	vbm modifyhd m.vdi --resize 16
	expect_status 0
	vbm showmediuminfo m.vdi
	expect_out "Capacity:       16 MBytes"
	expect_out "Description:    the disk"
	vbm modifymedium m.vdi --resizebyte 4194304
	expect_status 1
	expect_err "VBoxManage: error: Failed to resize medium"
	vbm modifymedium m.vdi --resize 99999
	expect_status 1
	expect_err "VBoxManage: error: Error: Attempt to resize the medium from 16.0 MB to 99999.0 MB. Use --resizebyte if this is intended!"
	vbm modifymedium m.vdi --compact
	expect_status 0
	mkdir sub
	vbm modifymedium m.vdi --move sub
	expect_status 0
	[[ ${lines[0]} == "Move medium with UUID "*" finished" ]]
	[ -e sub/m.vdi ] && [ ! -e m.vdi ]
	mv sub/m.vdi m2.vdi
	vbm modifymedium sub/m.vdi --setlocation m2.vdi
	expect_status 0
	[[ ${lines[0]} == "Set new location of medium with UUID "*" finished" ]]
	vbm showmediuminfo m2.vdi
	expect_out "State:          created"
	vbm modifymedium m2.vdi
	expect_status 2
	expect_err "VBoxManage: error: No operation specified"
	vbm modifymedium m2.vdi --type bogus
	expect_status 1
	expect_err "VBoxManage: error: Invalid medium type 'bogus'"
}

@test "modifymedium --compact on VMDK says it is not implemented" {
	vbm createmedium --filename v.vmdk --format VMDK --size 4
	vbm modifymedium v.vmdk --compact
	expect_status 1
	expect_err "VBoxManage: error: Compact medium operation for this format is not implemented yet!"
}

@test "mediumproperty: get the defaults, set and delete, unknown names refused" {
	vbm createmedium --filename p.vdi --size 4
	vbm mediumproperty get p.vdi AllocationBlockSize
	expect_status 0
	[ "$output" = "AllocationBlockSize=1048576" ]
	vbm mediumproperty disk set p.vdi AllocationBlockSize 2097152
	expect_status 0
	vbm hdproperty get p.vdi AllocationBlockSize
	[ "$output" = "AllocationBlockSize=2097152" ]
	grep -q '<Property name="AllocationBlockSize" value="2097152"/>' "$VBOX_USER_HOME/VirtualBox.xml"
	vbm mediumproperty delete p.vdi AllocationBlockSize
	expect_status 0
	vbm mediumproperty get p.vdi AllocationBlockSize
	[ "$output" = "AllocationBlockSize=1048576" ]
	vbm mediumproperty set p.vdi Nope 1
	expect_status 1
	expect_err "VBoxManage: error: Property 'Nope' does not exist"
	vbm mediumproperty set p.vdi Nope
	expect_status 2
	expect_err "VBoxManage: error: Invalid number of arguments given for action: set"
}

@test "mediumio cat, formatfat, stream" {
	printf 'hello medium\n' >data.raw
	head -c $((1048576 - 13)) /dev/zero >>data.raw
	vbm convertfromraw data.raw d.vdi
	expect_status 0
	vbm mediumio --disk d.vdi cat --size 13
	expect_status 0
	[ "$output" = "hello medium" ]
	vbm mediumio disk d.vdi cat --hex --size 32
	expect_status 0
	[ "${lines[0]}" = "000000000000: 68 65 6c 6c 6f 20 6d 65-64 69 75 6d 0a 00 00 00 hello medium...." ]
	[ "${lines[1]}" = "000000000010: 00 00 00 00 00 00 00 00-00 00 00 00 00 00 00 00 ................" ]
	vbm mediumio --disk d.vdi cat --offset 99999999
	expect_status 0
	expect_err "VBoxManage: warning: Specified offset (0x5f5e0ff) is beyond the end of the medium (0x100000)"
	vbm mediumio --disk d.vdi stream --output s.vmdk
	expect_status 0
	grep -aq 'createType="streamOptimized"' s.vmdk
	vbm clonemedium s.vmdk back.raw --format RAW
	expect_status 0
	cmp data.raw back.raw
	vbm mediumio --disk d.vdi formatfat --quick
	expect_status 0
	vbm mediumio --disk d.vdi cat --offset 54 --size 5
	[ "$output" = FAT12 ]
	vbm mediumio --disk d.vdi bogus
	expect_status 2
}

@test "internalcommands dumphdinfo and sethdparentuuid" {
	vbm createmedium --filename h.vdi --size 4
	local u=${output##* }
	vbm internalcommands dumphdinfo h.vdi
	expect_status 0
	[ "${lines[0]}" = "--- Dumping VD Disk, Images=1" ]
	[ "${lines[1]}" = "Dumping VD image \"h.vdi\" (Backend=VDI)" ]
	expect_out "Header: uuidCreation={$u}"
	vbm internalcommands sethdparentuuid h.vdi 12345678-1234-1234-1234-123456789abc
	expect_status 0
	[ "$output" = "UUID changed to: 12345678-1234-1234-1234-123456789abc" ]
	vbm internalcommands dumphdinfo h.vdi
	expect_out "Header: uuidParent={12345678-1234-1234-1234-123456789abc}"
	vbm internalcommands dumphdinfo nope.vdi
	expect_status 1
	expect_err "VBoxManage: error: Format autodetect failed: VERR_FILE_NOT_FOUND"
	vbm internalcommands sethduuid h.vdi not-a-uuid
	expect_status 2
	expect_err "VBoxManage: error: Invalid UUID parameter"
}

@test "convertfromraw: VMDK and VHD, --uuid, errors" {
	head -c 2097152 /dev/urandom >r.raw
	vbm convertfromraw r.raw r.vmdk --format VMDK --uuid 11111111-2222-3333-4444-555555555555
	expect_status 0
	grep -aq 'ddb.uuid.image="11111111-2222-3333-4444-555555555555"' r.vmdk
	grep -aq 'ddb.comment="Converted image from r.raw"' r.vmdk
	vbm convertfromraw nosuch.raw x.vdi
	expect_status 1
	expect_err "VBoxManage: error: Cannot open file \"nosuch.raw\": VERR_FILE_NOT_FOUND"
	vbm convertfromraw r.raw
	expect_status 2
	expect_err "VBoxManage: error: Incorrect number of parameters"
	vbm convertdd r.raw r.vhd --format VHD
	expect_status 0
	[ "$(tail -c 512 r.vhd | head -c 8)" = conectix ]
}

@test "clonemedium errors and --existing" {
	vbm createmedium --filename s.vdi --size 4
	vbm clonemedium s.vdi
	expect_status 2
	expect_err "VBoxManage: error: Mandatory output file parameter missing"
	vbm clonemedium s.vdi t.vdi --existing --format VMDK
	expect_status 2
	expect_err "VBoxManage: error: Specified options which cannot be used with --existing"
	vbm clonemedium s.vdi t.vdi
	expect_status 0
	[[ ${lines[0]} == "Clone medium created in format 'VDI'. UUID: "* ]]
	vbm clonemedium s.vdi t.vdi
	expect_status 1
	expect_err "VBoxManage: error: Details: code NS_ERROR_INVALID_ARG (0x80070057), component VirtualBoxWrap, interface IVirtualBox, callee nsISupports"
	vbm closemedium t.vdi
	expect_status 0
	vbm clonemedium s.vdi t.vdi
	expect_status 1
	expect_err "Progress state: VBOX_E_FILE_ERROR"
	expect_err "VBoxManage: error: Failed to clone medium"
	expect_err "VBoxManage: error: Could not create the clone medium '$PWD/t.vdi'."
	expect_err "VBoxManage: error: VDI: cannot create image '$PWD/t.vdi' (VERR_ALREADY_EXISTS)"
	vbm clonemedium s.vdi t.vdi --existing
	expect_status 0
	vbm clonehd nosuch.vdi u.vdi
	expect_status 1
	expect_err "VBoxManage: error: Could not find file for the medium '$PWD/nosuch.vdi' (VERR_FILE_NOT_FOUND)"
}

@test "states: locked write / locked read while another process holds the image" {
	command -v flock >/dev/null || skip "flock(1) is not installed"
	vbm createmedium --filename l.vdi --size 4
	flock -F -x l.vdi sleep 30 &
	local pid=$!
	sleep 0.3
	vbm list hdds
	expect_out "State:          locked write"
	vbm modifymedium l.vdi --compact
	expect_status 1
	expect_err "VBoxManage: error: Medium '$PWD/l.vdi' is locked for writing by another task"
	kill "$pid"
	wait "$pid" || true
	flock -F -s l.vdi sleep 30 &
	pid=$!
	sleep 0.3
	vbm showmediuminfo l.vdi
	expect_out "State:          locked read"
	kill "$pid"
	wait "$pid" || true
	vbm showmediuminfo l.vdi
	expect_out "State:          created"
}

@test "names from a hostile descriptor cannot put control characters on the terminal" {
	f="$BATS_TEST_TMPDIR/evil.vmdk"
	printf '# Disk DescriptorFile\nversion=1\ncreateType="monolithicFlat"\nRW 100 FLAT "x\033]0;owned\007\033[2Jy" 0\n' >"$f"
	vbm showmediuminfo "$f"
	expect_status 1
	[[ "$stderr" != *$'\033'* ]]
	[[ "$stderr" != *$'\007'* ]]
	[[ "$stderr" == *"x?]0;owned??[2Jy"* ]]
}
