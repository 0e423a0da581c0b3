#!/usr/bin/env bats
# movevm: the machine folder and what lives in it move to <folder>/<name>.

load helpers

local_setup() {
	vbm createvm --name mv --register
	expect_status 0
	mkdir -p "$VMS/mv/Logs" "$BATS_TEST_TMPDIR/dest"
	echo log >"$VMS/mv/Logs/VBox.log"
	printf 'disk' >"$VMS/mv/disk.vdi"
	sed -i 's|^\(  <Machine .*>\)$|\1\n    <MediaRegistry>\n      <HardDisks>\n        <HardDisk uuid="{11111111-0000-0000-0000-000000000009}" location="disk.vdi" format="VDI" type="Normal"/>\n      </HardDisks>\n    </MediaRegistry>|' "$VMS/mv/mv.vbox"
	sed -i 's|^    </Hardware>$|      <StorageControllers>\n        <StorageController name="SATA" type="AHCI" PortCount="1" useHostIOCache="false" Bootable="true">\n          <AttachedDevice type="HardDisk" hotpluggable="false" port="0" device="0">\n            <Image uuid="{11111111-0000-0000-0000-000000000009}"/>\n          </AttachedDevice>\n        </StorageController>\n      </StorageControllers>\n    </Hardware>|' "$VMS/mv/mv.vbox"
}

@test "move to another folder: files, disk, logs, registry" {
	vbm movevm mv --folder "$BATS_TEST_TMPDIR/dest"
	expect_status 0
	[ "$output" = "Machine has been successfully moved into $BATS_TEST_TMPDIR/dest" ]
	[ "$stderr" = "0%...10%...20%...30%...40%...50%...60%...70%...80%...90%...100%" ]
	D="$BATS_TEST_TMPDIR/dest/mv"
	[ -f "$D/mv.vbox" ]
	[ -f "$D/disk.vdi" ]
	[ -f "$D/Logs/VBox.log" ]
	[ ! -e "$VMS/mv" ]
	grep -q "src=\"$D/mv.vbox\"" "$VBOX_USER_HOME/VirtualBox.xml"
	grep -q 'location="disk.vdi"' "$D/mv.vbox"
	vbm list vms
	[[ "$output" == '"mv" {'* ]]
}

@test "without --folder the machine moves one level down" {
	vbm movevm mv
	expect_status 0
	[ "$output" = "Machine has been successfully moved into the same location" ]
	[ -f "$VMS/mv/mv/mv.vbox" ]
	[ -f "$VMS/mv/mv/disk.vdi" ]
}

@test "errors: missing destination, unknown machine, missing name" {
	vbm movevm mv --folder "$BATS_TEST_TMPDIR/none"
	expect_status 1
	expect_err "VBoxManage: error: Unable to determine free space at move destination ('$BATS_TEST_TMPDIR/none/'): VERR_FILE_NOT_FOUND"
	expect_err "VBoxManage: error: Context: \"MoveTo(Bstr(szTargetFolder).raw(), Bstr(pszType).raw(), progress.asOutParam())\" at line 515 of file VBoxManageMisc.cpp"
	[ -f "$VMS/mv/mv.vbox" ]
	vbm movevm nosuch --folder "$BATS_TEST_TMPDIR/dest"
	expect_status 1
	expect_err "VBoxManage: error: Could not find a registered machine named 'nosuch'"
	vbm movevm --folder "$BATS_TEST_TMPDIR/dest"
	expect_status 2
	expect_err "VBoxManage: error: VM name required"
	vbm movevm mv extra
	expect_status 2
	expect_err "VBoxManage: error: Invalid parameter 'extra'"
}

@test "a machine file already at the destination is not overwritten" {
	mkdir -p "$BATS_TEST_TMPDIR/dest/mv"
	echo other >"$BATS_TEST_TMPDIR/dest/mv/mv.vbox"
	vbm movevm mv --folder "$BATS_TEST_TMPDIR/dest"
	expect_status 1
	expect_err "VBoxManage: error: Move VM failed"
	[ "$(cat "$BATS_TEST_TMPDIR/dest/mv/mv.vbox")" = other ]
	[ -f "$VMS/mv/mv.vbox" ]
	[ -f "$VMS/mv/disk.vdi" ]
}
