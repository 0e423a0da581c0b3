#!/usr/bin/env bats
# modifyvm --name and --groups: VirtualBox's name sync (folder, settings
# file and its -prev companion follow the name when they were named after
# the machine), the global registry, and the VERR_ALREADY_EXISTS failure
# Vagrant's set_name looks for.

load helpers
load vmconfig

U=8e3f5c4d-4444-4555-8666-c77788889999

local_setup() {
	need_shared
}

@test "Vagrant's SetName: folder, file, -prev and registry follow" {
	mkfile proj $U
	vbm modifyvm proj --memory 256
	expect_status 0
	[ -f "$VMS/proj/proj.vbox-prev" ]
	vbm modifyvm $U --name proj_default_1795321786486_36511
	expect_status 0
	[ -z "$output$stderr" ]
	local n=proj_default_1795321786486_36511
	[ ! -e "$VMS/proj" ]
	[ -f "$VMS/$n/$n.vbox" ]
	[ -f "$VMS/$n/$n.vbox-prev" ]
	[ ! -e "$VMS/$n/proj.vbox" ]
	grep -q "name=\"$n\"" "$VMS/$n/$n.vbox"
	grep -q "<MachineEntry uuid=\"{$U}\" src=\"$VMS/$n/$n.vbox\"/>" "$VBOX_USER_HOME/VirtualBox.xml"
	vbm showvminfo $n --machinereadable
	expect_status 0
	expect_out "name=\"$n\""
	expect_out "CfgFile=\"$VMS/$n/$n.vbox\""
	expect_out "SnapFldr=\"$VMS/$n/Snapshots\""
	vbm showvminfo proj
	expect_status 1
	expect_err "VBoxManage: error: Could not find a registered machine named 'proj'"
}

@test "target folder exists: VERR_ALREADY_EXISTS, nothing changes" {
	mkfile old $U
	mkdir "$VMS/taken"
	cp "$VMF" "$BATS_TEST_TMPDIR/before"
	cp "$VBOX_USER_HOME/VirtualBox.xml" "$BATS_TEST_TMPDIR/global"
	vbm modifyvm old --name taken
	expect_status 1
	[ "$stderr" = "VBoxManage: error: Could not rename the directory '$VMS/old' to '$VMS/taken' to save the settings file (VERR_ALREADY_EXISTS)
VBoxManage: error: Details: code NS_ERROR_FAILURE (0x80004005), component SessionMachine, interface IMachine, callee nsISupports
VBoxManage: error: Context: \"SaveSettings()\" at line 3640 of file VBoxManageModifyVM.cpp" ]
	cmp "$VMF" "$BATS_TEST_TMPDIR/before"
	cmp "$VBOX_USER_HOME/VirtualBox.xml" "$BATS_TEST_TMPDIR/global"
	vbm showvminfo old --machinereadable
	expect_status 0
	expect_out 'name="old"'
}

@test "two machines may share a name; the folder decides" {
	mkfile one $U
	mkfile two 9f406d5e-5555-4666-8777-d8889999aaaa
	vbm modifyvm two --name one
	expect_status 1
	[[ $stderr == *"(VERR_ALREADY_EXISTS)"* ]]
}

@test "a folder not named after the machine stays; the file is renamed" {
	reg_fixture v1.19-linux-Gug888-Born2beroot.vbox
	local dir
	dir=$(dirname "$FX")
	vbm modifyvm Born2beroot --name B2B
	expect_status 0
	[ ! -e "$FX" ]
	[ -f "$dir/B2B.vbox" ]
	grep -q '<Machine uuid="{c750aa97-1253-4a9c-8483-d9ee248d267c}" name="B2B"' "$dir/B2B.vbox"
	grep -q "src=\"$dir/B2B.vbox\"" "$VBOX_USER_HOME/VirtualBox.xml"
	vbm showvminfo B2B --machinereadable
	expect_out "CfgFile=\"$dir/B2B.vbox\""
	# the disk is relative to the machine folder and still found
	expect_out "\"SATA-0-0\"=\"$dir/Born2beroot.vdi\""
	run diff "$(fixture v1.19-linux-Gug888-Born2beroot.vbox)" "$dir/B2B.vbox"
	[ "${#lines[@]}" -eq 4 ]
}

@test "nameSync off: only the name changes" {
	mkfile keep $U ' nameSync="false"'
	vbm modifyvm keep --name kept
	expect_status 0
	[ -f "$VMS/keep/keep.vbox" ]
	grep -q 'name="kept"' "$VMS/keep/keep.vbox"
}

@test "the NVRAM file follows the settings file" {
	mkfile efi $U '' '<Hardware><Firmware type="EFI"/><BIOS><NVRAM path="efi.nvram"/></BIOS></Hardware>'
	echo nv >"$VMS/efi/efi.nvram"
	vbm modifyvm efi --name uefi
	expect_status 0
	[ -f "$VMS/uefi/uefi.nvram" ]
	[ ! -e "$VMS/uefi/efi.nvram" ]
	grep -q '<NVRAM path="uefi.nvram"/>' "$VMS/uefi/uefi.vbox"
}

@test "a file in a foreign folder is renamed alone" {
	mkdir -p "$VMS/shelf"
	mkfile tmp $U
	mv "$VMF" "$VMS/shelf/whatever.vbox"
	rmdir "$VMS/tmp"
	sed -i 's/name="tmp"/name="alpha"/' "$VMS/shelf/whatever.vbox"
	vbm unregistervm $U
	vbm registervm "$VMS/shelf/whatever.vbox"
	expect_status 0
	vbm modifyvm alpha --name beta
	expect_status 0
	[ -d "$VMS/shelf" ]
	[ -f "$VMS/shelf/beta.vbox" ]
	[ ! -e "$VMS/shelf/whatever.vbox" ]
	grep -q "src=\"$VMS/shelf/beta.vbox\"" "$VBOX_USER_HOME/VirtualBox.xml"
}

@test "an existing file of the new name: VERR_ALREADY_EXISTS" {
	mkdir -p "$VMS/shelf"
	mkfile tmp $U
	mv "$VMF" "$VMS/shelf/alpha.vbox"
	rmdir "$VMS/tmp"
	sed -i 's/name="tmp"/name="alpha"/' "$VMS/shelf/alpha.vbox"
	vbm unregistervm $U
	vbm registervm "$VMS/shelf/alpha.vbox"
	: >"$VMS/shelf/beta.vbox"
	vbm modifyvm alpha --name beta
	expect_status 1
	expect_err "VBoxManage: error: Could not rename the settings file '$VMS/shelf/alpha.vbox' to '$VMS/shelf/beta.vbox' (VERR_ALREADY_EXISTS)"
	[ -f "$VMS/shelf/alpha.vbox" ]
}

@test "media with absolute paths inside the old folder follow the move" {
	mkfile disky $U '' "<MediaRegistry><HardDisks><HardDisk uuid=\"{0a1b2c3d-0000-4000-8000-000000000001}\" location=\"$VMS/disky/disky.vdi\" format=\"VDI\" type=\"Normal\"/></HardDisks></MediaRegistry><Hardware><StorageControllers><StorageController name=\"SATA\" type=\"AHCI\" PortCount=\"1\" useHostIOCache=\"false\" Bootable=\"true\"><AttachedDevice type=\"HardDisk\" hotpluggable=\"false\" port=\"0\" device=\"0\"><Image uuid=\"{0a1b2c3d-0000-4000-8000-000000000001}\"/></AttachedDevice></StorageController></StorageControllers></Hardware>"
	: >"$VMS/disky/disky.vdi"
	vbm modifyvm disky --name disco
	expect_status 0
	grep -q "location=\"$VMS/disco/disky.vdi\"" "$VMS/disco/disco.vbox"
	vbm showvminfo disco --machinereadable
	expect_out "\"SATA-0-0\"=\"$VMS/disco/disky.vdi\""
}

@test "--groups moves a default-layout machine under the group folder" {
	mkfile grp $U
	vbm modifyvm grp --groups /lab/web
	expect_status 0
	[ -f "$VMS/lab/web/grp/grp.vbox" ]
	[ ! -e "$VMS/grp" ]
	grep -q '<Group name="/lab/web"/>' "$VMS/lab/web/grp/grp.vbox"
	vbm showvminfo grp --machinereadable
	expect_out 'groups="/lab/web"'
	expect_out "CfgFile=\"$VMS/lab/web/grp/grp.vbox\""
	# several groups: the first one places the folder
	vbm modifyvm grp --groups /lab,/db
	expect_status 0
	[ -f "$VMS/lab/grp/grp.vbox" ]
	vbm showvminfo grp --machinereadable
	expect_out 'groups="/lab,/db"'
	# back to the root group
	vbm modifyvm grp --groups /
	expect_status 0
	[ -f "$VMS/grp/grp.vbox" ]
	lacks '<Groups>' "$VMS/grp/grp.vbox"
}

@test "bad group names: VirtualBox's errors" {
	mkfile grp $U
	local g
	for g in lab /lab/ //lab /lab//x /.hidden /lab/x. "/a:b" "/a,b/c"; do
		vbm modifyvm grp --groups "$g"
		expect_status 1
	done
	vbm modifyvm grp --groups lab
	[ "$stderr" = "VBoxManage: error: Invalid machine group 'lab'
VBoxManage: error: Details: code NS_ERROR_INVALID_ARG (0x80070057), component VirtualBoxWrap, interface IVirtualBox, callee nsISupports
VBoxManage: error: Context: \"COMSETTER(Groups)(ComSafeArrayAsInParam(groups))\" at line 2350 of file VBoxManageModifyVM.cpp" ]
	# a parent group may not carry a machine's name
	vbm modifyvm grp --groups /grp/sub
	expect_status 1
	expect_err "VBoxManage: error: Invalid machine group '/grp/sub' conflicts with a virtual machine name"
	vbm modifyvm grp --groups /sub/grp
	expect_status 0
}

@test "an empty name is refused" {
	mkfile named $U
	vbm modifyvm named --name ""
	expect_status 1
	expect_err "VBoxManage: error: Machine name must not be empty"
}

@test "rename and another change in one call are saved once" {
	mkfile both $U
	vbm modifyvm both --name both2 --memory 333
	expect_status 0
	grep -q 'RAMSize="333"' "$VMS/both2/both2.vbox"
	grep -q 'name="both2"' "$VMS/both2/both2.vbox"
}
