#!/usr/bin/env bats
# import of a Vagrant-style box: a plain DMTF OVF 1.0 with a
# streamOptimized disk made by qemu-img.  The dry-run listing is what
# Vagrant parses (Suggested VM name, settings file, Hard disk image lines
# and their unit numbers), so it is pinned line by line.

load helpers
load appliance

local_setup() {
	BOX="$BATS_TEST_TMPDIR/box"
	make_box "$BOX"
}

@test "import -n: the listing, line by line" {
	vbm import -n "$BOX/box.ovf"
	expect_status 0
	expected=(
		"Disks:"
		"  vmdisk1	4194304	-1	http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized	box-disk001.vmdk	-1	-1	"
		""
		"Virtual system 0:"
		" 0: Suggested OS type: \"Debian_64\""
		"    (change with \"--vsys 0 --ostype <type>\"; use \"list ostypes\" to list all possible values)"
		" 1: Suggested VM name \"testbox\""
		"    (change with \"--vsys 0 --vmname <name>\")"
		" 2: Suggested VM group \"/\""
		"    (change with \"--vsys 0 --group <group>\")"
		" 3: Suggested VM settings file name \"$VMS/testbox/testbox.vbox\""
		"    (change with \"--vsys 0 --settingsfile <filename>\")"
		" 4: Suggested VM base folder \"$VMS\""
		"    (change with \"--vsys 0 --basefolder <path>\")"
		" 5: Number of CPUs: 2"
		"    (change with \"--vsys 0 --cpus <n>\")"
		" 6: Guest memory: 512 MB"
		"    (change with \"--vsys 0 --memory <MB>\")"
		" 7: Network adapter: orig NAT, config 3, extra type=NAT"
		" 8: CD-ROM"
		"    (disable with \"--vsys 0 --unit 8 --ignore\")"
		" 9: IDE controller, type PIIX4"
		"    (disable with \"--vsys 0 --unit 9 --ignore\")"
		"10: IDE controller, type PIIX4"
		"    (disable with \"--vsys 0 --unit 10 --ignore\")"
		"11: SATA controller, type AHCI"
		"    (disable with \"--vsys 0 --unit 11 --ignore\")"
		"12: Hard disk image: source image=box-disk001.vmdk, target path=$VMS/testbox/box-disk001.vmdk, controller=11;port=0"
		"    (change target path with \"--vsys 0 --unit 12 --disk path\";"
		"    change controller with \"--vsys 0 --unit 12 --controller <index>\";"
		"    change controller port with \"--vsys 0 --unit 12 --port <n>\";"
		"    disable with \"--vsys 0 --unit 12 --ignore\")"
	)
	mapfile -t got <<<"$output"
	[ "${#got[@]}" -eq "${#expected[@]}" ] || { show_run; false; }
	for i in "${!expected[@]}"; do
		if [ "${got[$i]}" != "${expected[$i]}" ]; then
			echo "line $i: got      [${got[$i]}]"
			echo "line $i: expected [${expected[$i]}]"
			false
		fi
	done
	# stderr: progress of reading, then the interpreting lines
	[ "$(sed -n 2p <<<"$stderr")" = "Interpreting $BOX/box.ovf..." ]
	[ "$(sed -n 3p <<<"$stderr")" = "OK." ]
	[ -z "$(ls "$VMS" 2>/dev/null)" ]
}

@test "import -n: Vagrant's regular expressions find name, settings file and disks" {
	vbm import -n "$BOX/box.ovf"
	expect_status 0
	name=$(grep -oP 'Suggested VM name "\K.+?(?=")' <<<"$output")
	[ "$name" = testbox ]
	settings=$(grep -oP 'Suggested VM settings file name "\K.+?(?=")' <<<"$output")
	[ "$settings" = "$VMS/testbox/testbox.vbox" ]
	disk=$(grep -oP '\d+: Hard disk image: source image=.+, target path=\K.+(?=,)' <<<"$output")
	[ "$disk" = "$VMS/testbox/box-disk001.vmdk" ]
	unit=$(grep -oP '(\d+)(?=: Hard disk image)' <<<"$output")
	[ "$unit" = 12 ]
}

@test "import as Vagrant does it: --vmname and --disk into the renamed folder" {
	vbm import "$BOX/box.ovf" --vsys 0 --vmname testbox_1795321782983_70660 \
		--vsys 0 --unit 12 --disk "$VMS/testbox_1795321782983_70660/box-disk001.vmdk"
	expect_status 0
	expect_out " 1: VM name specified with --vmname: \"testbox_1795321782983_70660\""
	expect_out "12: Hard disk image specified with --disk: source image=box-disk001.vmdk, target path=$VMS/testbox_1795321782983_70660/box-disk001.vmdk, controller=11;port=0"
	expect_out "Successfully imported the appliance."
	[[ "$stderr" == *"90%...100%"* ]]
	[ -f "$VMS/testbox_1795321782983_70660/testbox_1795321782983_70660.vbox" ]
	[ ! -e "$VMS/testbox" ]
	vbm list vms
	[[ "${lines[0]}" =~ ^\"testbox_1795321782983_70660\"\ \{.+\}$ ]]
	vbm showvminfo testbox_1795321782983_70660 --machinereadable
	expect_status 0
	expect_out 'ostype="Debian (64-bit)"'
	expect_out 'memory=512'
	expect_out 'cpus=2'
	expect_out 'nic1="nat"'
	expect_out 'nictype1="82540EM"'
	expect_out 'storagecontrollername0="IDE"'
	expect_out 'storagecontrollername1="SATA"'
	expect_out '"IDE-1-0"="emptydrive"'
	expect_out "\"SATA-0-0\"=\"$VMS/testbox_1795321782983_70660/box-disk001.vmdk\""
	# the disk holds the box's data
	raw_of "$VMS/testbox_1795321782983_70660/box-disk001.vmdk" "$BATS_TEST_TMPDIR/d.raw"
	[ "$(head -c 7 "$BATS_TEST_TMPDIR/d.raw")" = BOXDATA ]
	[ "$(tail -c 3 "$BATS_TEST_TMPDIR/d.raw")" = END ]
	[ "$(stat -c %s "$BATS_TEST_TMPDIR/d.raw")" = 4194304 ]
}

@test "import without options keeps the suggested names" {
	vbm import "$BOX/box.ovf"
	expect_status 0
	[ -f "$VMS/testbox/testbox.vbox" ]
	[ -f "$VMS/testbox/box-disk001.vmdk" ]
	# a second import gets a unique name and disk path
	vbm import -n "$BOX/box.ovf"
	expect_out " 1: Suggested VM name \"testbox_1\""
	expect_out "12: Hard disk image: source image=box-disk001.vmdk, target path=$VMS/testbox_1/box-disk001.vmdk, controller=11;port=0"
}

@test "import: --memory, --cpus, --ostype, --ignore, importtovdi" {
	vbm import "$BOX/box.ovf" --options importtovdi --vsys 0 --vmname vdi \
		--memory 256 --cpus 1 --ostype Debian --unit 8 --ignore --unit 7 --ignore
	expect_status 0
	expect_out " 0: OS type specified with --ostype: \"Debian\""
	expect_out " 5: No. of CPUs specified with --cpus: 1"
	expect_out " 6: Guest memory specified with --memory: 256 MB"
	expect_out " 8: CD-ROM -- disabled"
	expect_out "12: Hard disk image: source image=box-disk001.vmdk, target path=$VMS/testbox/box-disk001.vdi, controller=11;port=0"
	[ -f "$VMS/vdi/box-disk001.vdi" ]
	grep -q 'format="vdi"' "$VMS/vdi/vdi.vbox"
	vbm showvminfo vdi --machinereadable
	expect_out 'memory=256'
	expect_out 'cpus=1'
	expect_out 'ostype="Debian (32-bit)"'
	expect_no_out '"IDE-1-0"="emptydrive"'
}

@test "import: --controller and --port move a disk" {
	vbm import -n "$BOX/box.ovf" --vsys 0 --unit 12 --controller 9 --port 1
	expect_status 0
	expect_out "12: Hard disk image specified with --controller and --port: source image=box-disk001.vmdk, target path=$VMS/testbox/box-disk001.vmdk, controller=9;port=1"
	vbm import -n "$BOX/box.ovf" --vsys 0 --unit 12 --controller 11 --port 0
	expect_status 2
	expect_err "VBoxManage: error: Device already attached to controller 11 at this port (0) location."
	vbm import -n "$BOX/box.ovf" --vsys 0 --unit 12 --port 30
	expect_status 2
	expect_err "VBoxManage: error: Illegal port value: 30. For AHCI controllers the only valid values are 0 to 30 (inclusive)"
	vbm import -n "$BOX/box.ovf" --vsys 0 --unit 12 --controller 5
	expect_status 2
	expect_err "VBoxManage: error: Invalid storage controller specified: 5"
}

@test "import: command line errors" {
	vbm import
	expect_status 1
	vbm import --vsys 0
	expect_status 2
	expect_err "VBoxManage: error: Not enough arguments for \"import\" command."
	vbm import "$BOX/box.ovf" --vmname x
	expect_status 2
	expect_err "VBoxManage: error: Option \"--vmname\" requires preceding --vsys or --cloud option."
	vbm import "$BOX/box.ovf" --vsys 0 --disk x
	expect_status 2
	expect_err "VBoxManage: error: Option \"--disk\" requires preceding --unit option."
	vbm import "$BOX/box.ovf" --vsys 0 --unit 3 --ignore --vsys 0 --settingsfile x --ignore
	expect_status 2
	expect_err "VBoxManage: error: Option \"--ignore\" requires preceding --unit option."
	vbm import "$BOX/box.ovf" --options bogus
	expect_status 2
	expect_err "VBoxManage: error: Invalid import options 'bogus'"
	vbm import "$BOX/box.ovf" "$BOX/box.ovf"
	expect_status 2
	expect_err "VBoxManage: error: Invalid parameter '$BOX/box.ovf'"
	vbm import -n "$BOX/box.ovf" --vsys 1 --vmname x
	expect_status 2
	expect_err "VBoxManage: error: Invalid index 1 with -vsys option; the OVF contains only 1 virtual system(s)."
	vbm import -n "$BOX/box.ovf" --vsys 0 --cpus 65
	expect_status 2
	expect_err "VBoxManage: error: Argument to --cpus option must be a number greater than 0 and less than 65."
	vbm import -n "$BOX/box.ovf" --vsys 0 --memory lots
	expect_status 2
	expect_err "VBoxManage: error: Argument to --memory option must be a non-negative number."
	vbm import "$BOX/box.ovf" --options importtovdi --vsys 0 --unit 12 --disk x.vdi
	expect_status 2
	expect_err "VBoxManage: error: Option --ImportToVDI can not be used together with a manually set target path."
	vbm import "$BATS_TEST_TMPDIR/box.txt"
	expect_status 1
	expect_err "VBoxManage: error: Appliance file must have .ovf or .ova extension"
	vbm import "$BATS_TEST_TMPDIR/missing.ovf"
	expect_status 1
	expect_err "VBoxManage: error: Appliance read failed"
	expect_err "VBoxManage: error: Failed to open OVF file '$BATS_TEST_TMPDIR/missing.ovf' (VERR_FILE_NOT_FOUND)"
}

@test "import: a licence has to be accepted" {
	sed 's|<OperatingSystemSection|<EulaSection><Info>x</Info><License>Be nice.</License></EulaSection>\n    <OperatingSystemSection|' \
		"$BOX/box.ovf" >"$BOX/eula.ovf"
	vbm import "$BOX/eula.ovf"
	expect_status 0
	expect_out " 5: End-user license agreement"
	expect_out "    (display with \"--vsys 0 --eula show\";"
	expect_err "VBoxManage: error: Cannot import until the license agreement listed above is accepted."
	[ -z "$(ls "$VMS" 2>/dev/null)" ]
	vbm import "$BOX/eula.ovf" --vsys 0 --eula show
	expect_out "Be nice."
	vbm import "$BOX/eula.ovf" --vsys 0 --eula accept
	expect_status 0
	expect_out " 5: End-user license agreement (accepted)"
	expect_out "Successfully imported the appliance."
	vbm import "$BOX/eula.ovf" --vsys 0 --eula maybe
	expect_status 2
	expect_err "VBoxManage: error: Argument to --eula must be either \"show\" or \"accept\"."
}

@test "import of an OVA made from the box, with a manifest" {
	(cd "$BOX" && sha256sum box.ovf box-disk001.vmdk |
		awk '{ print "SHA256 (" $2 ") = " $1 }' >box.mf &&
		tar --format=ustar -cf "$BATS_TEST_TMPDIR/box.ova" box.ovf box-disk001.vmdk box.mf)
	vbm import "$BATS_TEST_TMPDIR/box.ova" --vsys 0 --vmname fromova
	expect_status 0
	expect_out "Successfully imported the appliance."
	[ -f "$VMS/fromova/box-disk001.vmdk" ]
	[ -z "$(find "$VMS/fromova" -name '.ova-import*')" ]
}
