#!/usr/bin/env bats
# Hostile and broken appliances: archive entries that try to leave the
# target folder, links, duplicates, references out of the package,
# manifest mismatches, disks larger than declared, malformed descriptors.
# Every one is refused with a clear error, and nothing is left behind:
# no machine, no registered medium, no file in the machine folder, none
# outside it.

load helpers
load appliance

local_setup() {
	BOX="$BATS_TEST_TMPDIR/box"
	make_box "$BOX"
	W="$BATS_TEST_TMPDIR/w"
	mkdir -p "$W/deep/er"
}

# mk_ova OUT [NAME=FILE | NAME@LINKTARGET (symlink) | NAME%LINKTARGET
# (hard link)]...: a ustar archive with exactly these entries
mk_ova() {
	python3 - "$@" <<'PY'
import io, sys, tarfile
out = sys.argv[1]
with tarfile.open(out, "w", format=tarfile.USTAR_FORMAT) as t:
    for spec in sys.argv[2:]:
        for sep, kind in (("@", tarfile.SYMTYPE), ("%", tarfile.LNKTYPE)):
            if sep in spec:
                name, target = spec.split(sep, 1)
                ti = tarfile.TarInfo(name)
                ti.type = kind
                ti.linkname = target
                t.addfile(ti)
                break
        else:
            name, path = spec.split("=", 1)
            data = open(path, "rb").read()
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
PY
}

# nothing imported, nothing written anywhere: no machine, no medium, an
# empty (or absent) machine folder, no import leftovers, no disk image
# next to the packages that the test did not put there itself
nothing_left() {
	vbm list vms
	expect_status 0
	[ -z "$output" ] || { show_run; false; }
	vbm list hdds
	[ -z "$output" ] || { show_run; false; }
	[ ! -e "$VMS" ] || [ -z "$(ls -A "$VMS")" ] || { ls -laR "$VMS"; false; }
	[ -z "$(find "$BATS_TEST_TMPDIR" -name '.ova-import*')" ]
	[ ! -e "$BATS_TEST_TMPDIR/box-disk001.vmdk" ]
	[ ! -e "$W/deep/box-disk001.vmdk" ]
	[ ! -e /tmp/box-disk001.vmdk ] || [ /tmp/box-disk001.vmdk -ot "$BOX/box.ovf" ]
}

refused_at_read() {
	vbm import "$1"
	expect_status 1
	expect_err "VBoxManage: error: Appliance read failed"
	expect_err "VBoxManage: error: $2"
	nothing_left
}

@test "OVA entries with .. are refused" {
	mk_ova "$W/deep/er/a.ova" box.ovf="$BOX/box.ovf" \
		../box-disk001.vmdk="$BOX/box-disk001.vmdk"
	cd "$W/deep/er"
	refused_at_read a.ova "Malformed OVA. The entry name '../box-disk001.vmdk' is not a plain file name inside the package."
	mk_ova "$W/deep/er/b.ova" box.ovf="$BOX/box.ovf" \
		sub/../../../box-disk001.vmdk="$BOX/box-disk001.vmdk"
	refused_at_read b.ova "Malformed OVA. The entry name 'sub/../../../box-disk001.vmdk' is not a plain file name inside the package."
	[ ! -e "$W/box-disk001.vmdk" ] && [ ! -e "$W/deep/box-disk001.vmdk" ]
	[ ! -e "$BATS_TEST_TMPDIR/box-disk001.vmdk" ]
}

@test "OVA entries with absolute names are refused" {
	mk_ova "$W/a.ova" box.ovf="$BOX/box.ovf" \
		/tmp/box-disk001.vmdk="$BOX/box-disk001.vmdk"
	refused_at_read "$W/a.ova" "Malformed OVA. The entry name '/tmp/box-disk001.vmdk' is not a plain file name inside the package."
}

@test "OVA entries that are links are refused" {
	mk_ova "$W/s.ova" box.ovf="$BOX/box.ovf" box-disk001.vmdk@/etc/passwd
	refused_at_read "$W/s.ova" "Malformed OVA. 'box-disk001.vmdk' is not a regular file (symbolic link)."
	mk_ova "$W/h.ova" box.ovf="$BOX/box.ovf" box-disk001.vmdk%box.ovf
	refused_at_read "$W/h.ova" "Malformed OVA. 'box-disk001.vmdk' is not a regular file (hard link)."
}

@test "an OVA with the same entry twice is refused" {
	mk_ova "$W/d.ova" box.ovf="$BOX/box.ovf" box-disk001.vmdk="$BOX/box-disk001.vmdk" \
		box-disk001.vmdk="$BOX/box.ovf"
	refused_at_read "$W/d.ova" "Malformed OVA. 'box-disk001.vmdk' is in the package more than once."
}

@test "file references that leave the package are refused" {
	sed 's|ovf:href="box-disk001.vmdk"|ovf:href="../box-disk001.vmdk"|' "$BOX/box.ovf" >"$W/deep/up.ovf"
	cp "$BOX/box-disk001.vmdk" "$W/box-disk001.vmdk"
	vbm import "$W/deep/up.ovf"
	expect_status 1
	expect_err "VBoxManage: error: Invalid file reference '../box-disk001.vmdk' in the OVF: files of an appliance must lie next to its descriptor"
	nothing_left
	sed "s|ovf:href=\"box-disk001.vmdk\"|ovf:href=\"$BOX/box-disk001.vmdk\"|" "$BOX/box.ovf" >"$W/abs.ovf"
	vbm import "$W/abs.ovf"
	expect_status 1
	expect_err "VBoxManage: error: Invalid file reference '$BOX/box-disk001.vmdk' in the OVF: files of an appliance must lie next to its descriptor"
	nothing_left
	mk_ova "$W/up.ova" box.ovf="$W/deep/up.ovf" box-disk001.vmdk="$BOX/box-disk001.vmdk"
	vbm import "$W/up.ova"
	expect_status 1
	expect_err "VBoxManage: error: Invalid file reference '../box-disk001.vmdk' in the OVF: files of an appliance must lie next to its descriptor"
	nothing_left
}

@test "a disk digest that does not match the manifest is refused" {
	cp "$BOX/box.ovf" "$BOX/box-disk001.vmdk" "$W/"
	(cd "$W" && sha256sum box.ovf | awk '{ print "SHA256 (" $2 ") = " $1 }' >box.mf &&
		echo "SHA256 (box-disk001.vmdk) = $(printf '%064d' 0)" >>box.mf)
	vbm import "$W/box.ovf"
	expect_status 1
	expect_err "VBoxManage: error: Appliance import failed"
	[[ "$stderr" == *"Digest mismatch (VERR_NOT_EQUAL)"*"box-disk001.vmdk"* ]] || { show_run; false; }
	nothing_left
	# the same inside an OVA
	mk_ova "$W/m.ova" box.ovf="$W/box.ovf" box-disk001.vmdk="$BOX/box-disk001.vmdk" \
		box.mf="$W/box.mf"
	vbm import "$W/m.ova"
	expect_status 1
	[[ "$stderr" == *"Digest mismatch (VERR_NOT_EQUAL)"*"box-disk001.vmdk"* ]] || { show_run; false; }
	nothing_left
}

@test "a descriptor that does not match the manifest is refused before anything" {
	cp "$BOX/box.ovf" "$BOX/box-disk001.vmdk" "$W/"
	(cd "$W" && sha1sum box-disk001.vmdk | awk '{ print "SHA1 (" $2 ") = " $1 }' >box.mf &&
		echo "SHA1 (box.ovf) = $(printf '%040d' 0)" >>box.mf)
	vbm import "$W/box.ovf"
	expect_status 1
	[[ "$stderr" == *"Digest mismatch (VERR_NOT_EQUAL)"*"box.ovf"* ]] || { show_run; false; }
	nothing_left
}

@test "a manifest that misses a file or is garbage is refused" {
	cp "$BOX/box.ovf" "$BOX/box-disk001.vmdk" "$W/"
	(cd "$W" && sha1sum box.ovf | awk '{ print "SHA1 (" $2 ") = " $1 }' >box.mf)
	vbm import "$W/box.ovf"
	expect_status 1
	[[ "$stderr" == *"box-disk001.vmdk"* ]] || { show_run; false; }
	nothing_left
	printf 'this is not a manifest\n' >"$W/box.mf"
	vbm import "$W/box.ovf"
	expect_status 1
	nothing_left
}

@test "a disk larger than its declared capacity is refused and removed" {
	sed 's|ovf:capacity="4194304"|ovf:capacity="1048576"|' "$BOX/box.ovf" >"$BOX/cap.ovf"
	vbm import "$BOX/cap.ovf"
	expect_status 1
	expect_err "VBoxManage: error: Appliance import failed"
	expect_err "VBoxManage: error: The disk image 'box-disk001.vmdk' is larger (4194304 bytes) than the capacity the appliance declares for it (1048576 bytes)"
	nothing_left
}

@test "a failure on the second disk removes the first one and the machine" {
	cp "$BOX/box-disk001.vmdk" "$BOX/box-disk002.vmdk"
	python3 - "$BOX/box.ovf" "$BOX/two.ovf" <<'PY'
import sys
s = open(sys.argv[1]).read()
s = s.replace('<File ovf:href="box-disk001.vmdk" ovf:id="file1"/>',
    '<File ovf:href="box-disk001.vmdk" ovf:id="file1"/>\n'
    '    <File ovf:href="box-disk002.vmdk" ovf:id="file2"/>')
s = s.replace('</DiskSection>',
    '  <Disk ovf:capacity="512" ovf:diskId="vmdisk2" ovf:fileRef="file2" '
    'ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/>\n'
    '  </DiskSection>')
s = s.replace('</VirtualHardwareSection>',
    '  <Item>\n'
    '        <rasd:AddressOnParent>1</rasd:AddressOnParent>\n'
    '        <rasd:HostResource>/disk/vmdisk2</rasd:HostResource>\n'
    '        <rasd:InstanceID>9</rasd:InstanceID>\n'
    '        <rasd:Parent>5</rasd:Parent>\n'
    '        <rasd:ResourceType>17</rasd:ResourceType>\n'
    '      </Item>\n'
    '    </VirtualHardwareSection>')
open(sys.argv[2], "w").write(s)
PY
	vbm import -n "$BOX/two.ovf"
	expect_status 0
	expect_out "13: Hard disk image: source image=box-disk002.vmdk, target path=$VMS/testbox/box-disk002.vmdk, controller=11;port=1"
	vbm import "$BOX/two.ovf"
	expect_status 1
	expect_err "VBoxManage: error: The disk image 'box-disk002.vmdk' is larger (4194304 bytes) than the capacity the appliance declares for it (512 bytes)"
	nothing_left
}

@test "an existing file at a target given with --disk is neither used nor removed" {
	mkdir -p "$VMS/x"
	echo keep >"$VMS/x/box-disk001.vmdk"
	vbm import "$BOX/box.ovf" --vsys 0 --unit 12 --disk "$VMS/x/box-disk001.vmdk"
	expect_status 1
	expect_err "VBoxManage: error: Cannot create the medium storage unit '$VMS/x/box-disk001.vmdk': the file exists (VERR_ALREADY_EXISTS)"
	[ "$(cat "$VMS/x/box-disk001.vmdk")" = keep ]
	[ "$(ls -A "$VMS")" = x ] && [ "$(ls -A "$VMS/x")" = box-disk001.vmdk ]
	# the suggestion avoids the file in the way
	mkdir -p "$VMS/testbox"
	echo keep >"$VMS/testbox/box-disk001.vmdk"
	vbm import "$BOX/box.ovf"
	expect_status 0
	expect_out "12: Hard disk image: source image=box-disk001.vmdk, target path=$VMS/testbox/box-disk001_1.vmdk, controller=11;port=0"
	[ "$(cat "$VMS/testbox/box-disk001.vmdk")" = keep ]
}

@test "an OVA without the disk the descriptor names is refused" {
	mk_ova "$W/n.ova" box.ovf="$BOX/box.ovf"
	vbm import "$W/n.ova"
	expect_status 1
	expect_err "VBoxManage: error: Appliance import failed"
	nothing_left
}

@test "malformed descriptors are refused at read or interpret time" {
	# not XML
	printf '<?xml version="1.0"?>\n<Envelope><Di' >"$W/trunc.ovf"
	vbm import "$W/trunc.ovf"
	expect_status 1
	expect_err "VBoxManage: error: Appliance read failed"
	# not an OVF envelope
	printf '<?xml version="1.0"?>\n<VirtualBox/>\n' >"$W/root.ovf"
	vbm import "$W/root.ovf"
	expect_status 1
	expect_err "VBoxManage: error: Appliance read failed"
	# a disk naming a file that is not referenced
	sed 's|ovf:fileRef="file1"|ovf:fileRef="file9"|' "$BOX/box.ovf" >"$W/ref.ovf"
	vbm import "$W/ref.ovf"
	expect_status 1
	# an item pointing to a disk that does not exist
	sed 's|/disk/vmdisk1|/disk/vmdisk7|' "$BOX/box.ovf" >"$W/item.ovf"
	vbm import "$W/item.ovf"
	expect_status 1
	# absurd numbers
	sed 's|ovf:capacity="4194304"|ovf:capacity="99999999999999999999999"|' "$BOX/box.ovf" >"$W/big.ovf"
	vbm import "$W/big.ovf"
	expect_status 1
	sed 's|<rasd:VirtualQuantity>512</rasd:VirtualQuantity>|<rasd:VirtualQuantity>18446744073709551615</rasd:VirtualQuantity>|' \
		"$BOX/box.ovf" >"$W/mem.ovf"
	vbm import "$W/mem.ovf"
	expect_status 1
	# a disk on a controller that does not exist
	sed 's|<rasd:Parent>5</rasd:Parent>|<rasd:Parent>42</rasd:Parent>|' "$BOX/box.ovf" >"$W/parent.ovf"
	vbm import "$W/parent.ovf"
	expect_status 1
	for f in trunc root ref item big mem parent; do
		cp "$W/$f.ovf" "$W/pkg.ovf"
		mk_ova "$W/$f.ova" box.ovf="$W/pkg.ovf" box-disk001.vmdk="$BOX/box-disk001.vmdk"
		vbm import "$W/$f.ova"
		[ "$status" -eq 1 ] || { echo "$f.ova"; show_run; false; }
		[[ "$stderr" == *"VBoxManage: error: "* ]]
	done
	nothing_left
}

@test "a damaged disk stream is refused and removed" {
	cp "$BOX/box.ovf" "$W/"
	# qemu-img's stream has its last grain at 64 KiB: cut into it
	head -c 65560 "$BOX/box-disk001.vmdk" >"$W/box-disk001.vmdk"
	vbm import "$W/box.ovf"
	expect_status 1
	expect_err "VBoxManage: error: Appliance import failed"
	nothing_left
	# garbage where the disk should be
	head -c 131072 /dev/urandom >"$W/box-disk001.vmdk"
	vbm import "$W/box.ovf"
	expect_status 1
	nothing_left
}
