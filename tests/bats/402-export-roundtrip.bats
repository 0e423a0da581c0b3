#!/usr/bin/env bats
# export to OVF 0.9/1.0/2.0 and OVA, then import again: every setting
# showvminfo reports must come back, only the name, the UUIDs, the paths
# that follow the machine folder and (without keepallmacs) the MAC
# addresses may differ.  The disk's contents travel through a
# streamOptimized VMDK.

load helpers
load appliance

local_setup() {
	vbm createvm --name src --ostype Ubuntu_64 --register
	vbm modifyvm src --memory 1536 --cpus 2 --vram 33 --nic1 nat \
		--nic2 hostonly --hostonlyadapter2 vboxnet0 --nictype2 virtio \
		--cableconnected2 off --audio-driver none --usb-ohci on \
		--firmware efi --description "round trip" \
		--graphicscontroller vmsvga --boot1 disk --boot2 dvd --ioapic on \
		--rtc-use-utc on --natpf1 "ssh,tcp,,2222,,22"
	[ "$status" -eq 0 ] || { show_run; false; }
	vbm createmedium disk --filename "$VMS/src/d1.vdi" --size 16
	vbm storagectl src --name SATA --add sata --portcount 4
	vbm storagectl src --name IDE --add ide
	vbm storageattach src --storagectl SATA --port 1 --device 0 --type hdd \
		--medium "$VMS/src/d1.vdi"
	vbm storageattach src --storagectl IDE --port 1 --device 0 \
		--type dvddrive --medium emptydrive
	vdw "$VMS/src/d1.vdi" 0 4096 0x5a
	vdw "$VMS/src/d1.vdi" 16773120 4096 seq
	vbm showvminfo src --machinereadable
	printf '%s\n' "${lines[@]}" >"$BATS_TEST_TMPDIR/src.mr"
}

# showvminfo -M of the machine minus what an import changes by design
normalized() {
	local name=$1 mr
	mr=$("$VB_BIN/VBoxManage" showvminfo "$name" --machinereadable) || return 1
	sed -e "s|/$name/|/NAME/|g; s|/$name\.|/NAME.|g; s|/$name-|/NAME-|g" \
		-e '/^name=/d; /^UUID=/d; /^hardwareuuid=/d' \
		-e '/^"SATA-1-0"=/d; /^"SATA-ImageUUID-1-0"=/d' \
		-e "${2:-}" <<<"$mr"
}

roundtrip() {
	local fmt=$1 out=$2
	vbm export src --output "$out" "--$fmt" --manifest
	expect_status 0
	expect_out "Successfully exported 1 machine(s)."
	vbm import "$out" --vsys 0 --vmname "imp_$fmt" --options keepallmacs
	expect_status 0
	expect_out "Successfully imported the appliance."
	diff <(normalized src) <(normalized "imp_$fmt")
	# the disk's contents
	vbm showvminfo "imp_$fmt" --machinereadable
	disk=$(sed -n 's/^"SATA-1-0"="\(.*\)"$/\1/p' <<<"$output")
	[ -f "$disk" ]
	raw_of "$disk" "$BATS_TEST_TMPDIR/$fmt.raw"
	[ "$(stat -c %s "$BATS_TEST_TMPDIR/$fmt.raw")" = 16777216 ]
	[ "$(byte_at "$BATS_TEST_TMPDIR/$fmt.raw" 0)" = 5a ]
	[ "$(byte_at "$BATS_TEST_TMPDIR/$fmt.raw" 4095)" = 5a ]
	[ "$(byte_at "$BATS_TEST_TMPDIR/$fmt.raw" 4096)" = 00 ]
	# "seq": every sector starts with its number + 1 (little endian)
	[ "$(byte_at "$BATS_TEST_TMPDIR/$fmt.raw" 16773120)" = f9 ]
	[ "$(byte_at "$BATS_TEST_TMPDIR/$fmt.raw" 16773121)" = 7f ]
	[ "$(byte_at "$BATS_TEST_TMPDIR/$fmt.raw" 16776705)" = 80 ]
}

@test "export/import OVF 1.0 round trip: every setting comes back" {
	mkdir "$BATS_TEST_TMPDIR/out"
	roundtrip ovf10 "$BATS_TEST_TMPDIR/out/a.ovf"
	[ -f "$BATS_TEST_TMPDIR/out/a-disk001.vmdk" ]
	grep -q 'xmlns="http://schemas.dmtf.org/ovf/envelope/1"' "$BATS_TEST_TMPDIR/out/a.ovf"
	grep -q '<vbox:Machine ' "$BATS_TEST_TMPDIR/out/a.ovf"
	# OVF 1.0 manifests use SHA-1
	(cd "$BATS_TEST_TMPDIR/out" && sed -n 's/^SHA1 (\(.*\)) = \(.*\)$/\2  \1/p' a.mf | sha1sum -c -)
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out/a.mf")" = 2 ]
}

@test "export/import OVA 0.9 round trip" {
	roundtrip ovf09 "$BATS_TEST_TMPDIR/a.ova"
	grep -a -q 'xmlns="http://www.vmware.com/schema/ovf/1/envelope"' "$BATS_TEST_TMPDIR/a.ova"
	# descriptor first, then the disk, then the manifest
	run tar -tf "$BATS_TEST_TMPDIR/a.ova"
	[ "${lines[0]}" = a.ovf ]
	[ "${lines[1]}" = a-disk001.vmdk ]
	[ "${lines[2]}" = a.mf ]
	[ "${#lines[@]}" = 3 ]
}

@test "export/import OVA 2.0 round trip with a SHA-256 manifest" {
	roundtrip ovf20 "$BATS_TEST_TMPDIR/b.ova"
	mkdir "$BATS_TEST_TMPDIR/x"
	tar -C "$BATS_TEST_TMPDIR/x" -xf "$BATS_TEST_TMPDIR/b.ova"
	grep -q 'xmlns="http://schemas.dmtf.org/ovf/envelope/2"' "$BATS_TEST_TMPDIR/x/b.ovf"
	(cd "$BATS_TEST_TMPDIR/x" && sed -n 's/^SHA256 (\(.*\)) = \(.*\)$/\2  \1/p' b.mf | sha256sum -c -)
	# the disk is a valid streamOptimized VMDK for other tools too
	run qemu-img info --output=json "$BATS_TEST_TMPDIR/x/b-disk001.vmdk"
	[[ "$output" == *'"create-type": "streamOptimized"'* ]]
	[[ "$output" == *'"virtual-size": 16777216'* ]]
	qemu-img compare "$BATS_TEST_TMPDIR/ovf20.raw" "$BATS_TEST_TMPDIR/x/b-disk001.vmdk"
}

@test "import without keepallmacs gives the adapters new MAC addresses" {
	vbm export src --output "$BATS_TEST_TMPDIR/c.ova"
	vbm import "$BATS_TEST_TMPDIR/c.ova" --vsys 0 --vmname fresh
	expect_status 0
	src1=$(grep '^macaddress1=' "$BATS_TEST_TMPDIR/src.mr")
	vbm showvminfo fresh --machinereadable
	expect_no_out "$src1"
	[[ "$output" == *'macaddress1="'* ]]
	# keepnatmacs keeps the NAT adapter's address only
	vbm import "$BATS_TEST_TMPDIR/c.ova" --vsys 0 --vmname natkept --options keepnatmacs
	vbm showvminfo natkept --machinereadable
	expect_out "$src1"
	expect_no_out "$(grep '^macaddress2=' "$BATS_TEST_TMPDIR/src.mr")"
}

@test "export --options nomacs and nomacsbutnat strip addresses from the file" {
	vbm export src --output "$BATS_TEST_TMPDIR/n.ovf" --options nomacs
	expect_status 0
	run grep -c 'MACAddress=' "$BATS_TEST_TMPDIR/n.ovf"
	[ "$output" = 0 ]
	vbm export src --output "$BATS_TEST_TMPDIR/m.ovf" --options nomacsbutnat
	expect_status 0
	mac1=$(sed -n 's/^macaddress1="\(.*\)"$/\1/p' "$BATS_TEST_TMPDIR/src.mr")
	mac2=$(sed -n 's/^macaddress2="\(.*\)"$/\1/p' "$BATS_TEST_TMPDIR/src.mr")
	grep -q "MACAddress=\"$mac1\"" "$BATS_TEST_TMPDIR/m.ovf"
	run grep -c "MACAddress=\"$mac2\"" "$BATS_TEST_TMPDIR/m.ovf"
	[ "$output" = 0 ]
}

@test "export: product, vendor, version, description and licence travel" {
	vbm export src --output "$BATS_TEST_TMPDIR/p.ovf" --vsys 0 --product P \
		--producturl http://p.example --vendor Ven --vendorurl http://v.example \
		--version 1.2 --description "D d" --eula "E L" --vmname renamed
	expect_status 0
	vbm import -n "$BATS_TEST_TMPDIR/p.ovf"
	expect_status 0
	expect_out " 1: Suggested VM name \"renamed\""
	expect_out " 5: Product (ignored): P"
	expect_out " 6: Vendor (ignored): Ven"
	expect_out " 7: Version (ignored): 1.2"
	expect_out " 8: ProductUrl (ignored): http://p.example"
	expect_out " 9: VendorUrl (ignored): http://v.example"
	expect_out "10: Description \"D d\""
	expect_out "11: End-user license agreement"
	vbm import "$BATS_TEST_TMPDIR/p.ovf" --vsys 0 --eula show
	expect_out "E L"
}

@test "export --eulafile reads the licence from a file" {
	printf 'line one\nline two\n' >"$BATS_TEST_TMPDIR/lic.txt"
	vbm export src --output "$BATS_TEST_TMPDIR/e.ovf" --vsys 0 --eulafile "$BATS_TEST_TMPDIR/lic.txt"
	expect_status 0
	vbm import "$BATS_TEST_TMPDIR/e.ovf" --vsys 0 --eula show
	expect_out "line one"
	expect_out "line two"
	vbm export src --output "$BATS_TEST_TMPDIR/f.ovf" --vsys 0 --eulafile "$BATS_TEST_TMPDIR/none.txt"
	expect_status 1
	expect_err "VBoxManage: error: Cannot read license file \"$BATS_TEST_TMPDIR/none.txt\" which should be included in the virtual system 0."
	[ ! -e "$BATS_TEST_TMPDIR/f.ovf" ]
}

@test "export of two machines into one OVA, imported as two" {
	vbm createvm --name second --register
	vbm export src second --output "$BATS_TEST_TMPDIR/two.ova"
	expect_status 0
	expect_out "Successfully exported 2 machine(s)."
	vbm import -n "$BATS_TEST_TMPDIR/two.ova"
	expect_out "Virtual system 0:"
	expect_out "Virtual system 1:"
	expect_out " 1: Suggested VM name \"src_1\""
	expect_out " 1: Suggested VM name \"second_1\""
	vbm import "$BATS_TEST_TMPDIR/two.ova"
	expect_status 0
	vbm list vms
	[ "${#lines[@]}" = 4 ]
}

@test "export: command line errors" {
	vbm export src
	expect_status 2
	expect_err "VBoxManage: error: Missing --output argument with export command."
	vbm export --output "$BATS_TEST_TMPDIR/x.ovf"
	expect_status 2
	expect_err "VBoxManage: error: At least one machine must be specified with the export command."
	vbm export src --output a.ovf --output b.ovf
	expect_status 2
	expect_err "VBoxManage: error: You can only specify --output once."
	vbm export src --output "$BATS_TEST_TMPDIR/x.ovf" --options bogus
	expect_status 2
	expect_err "VBoxManage: error: Invalid export options 'bogus'"
	vbm export src --output "$BATS_TEST_TMPDIR/x.ovf" --product P
	expect_status 2
	expect_err "VBoxManage: error: Option \"--product\" requires preceding --vsys option."
	vbm export src --output "$BATS_TEST_TMPDIR/x.ovf" --vsys 1 --product P
	expect_status 2
	expect_err "VBoxManage: error: Invalid index 1 with -vsys option; you specified only 1 virtual system(s)."
	vbm export nosuch --output "$BATS_TEST_TMPDIR/x.ovf"
	expect_status 1
	expect_err "VBoxManage: error: Could not find a registered machine named 'nosuch'"
	vbm export src --output "$BATS_TEST_TMPDIR/x.txt"
	expect_status 1
	expect_err "VBoxManage: error: Appliance file must have .ovf or .ova extension"
	[ ! -e "$BATS_TEST_TMPDIR/x.ovf" ]
}

@test "export refuses to overwrite an existing file" {
	: >"$BATS_TEST_TMPDIR/exists.ova"
	vbm export src --output "$BATS_TEST_TMPDIR/exists.ova"
	expect_status 1
	expect_err "VBoxManage: error: Appliance write failed"
	[ ! -s "$BATS_TEST_TMPDIR/exists.ova" ]
}
