#!/usr/bin/env bats
# Broken and hostile settings files: unreadable, truncated, malicious XML
# (DTDs, entity expansion, deep nesting, huge attributes), wrong roots and
# versions, a registered .vbox that is gone, a read-only folder, a full
# disk.  Always a clear error and exit 1, the old file intact, never a
# crash or a hang.

load helpers

local_setup() {
	ST="$VB_BIN/../tests/tools/settings-tool"
	G="$VBOX_USER_HOME/VirtualBox.xml"
	MOUNTS=()
}

teardown() {
	local m
	for m in "${MOUNTS[@]}"; do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
	done
}

# Run VBoxManage with a time limit; a crash (signal) or hang fails.
vbmt() {
	run --separate-stderr timeout 20 "$VB_BIN/VBoxManage" "$@"
	if [ "$status" -ge 124 ]; then
		echo "VBoxManage $* died or hung (status $status)"
		show_run
		return 1
	fi
}

# Mount a small tmpfs (or bind a directory read-only); skip when the
# system does not let this test mount.
try_mount() {
	if ! mount "$@" 2>"$BATS_TEST_TMPDIR/mount.err"; then
		skip "cannot mount here ($(cat "$BATS_TEST_TMPDIR/mount.err")); needs root with CAP_SYS_ADMIN"
	fi
	MOUNTS+=("${@: -1}")
}

machine_xml() {
	printf '<?xml version="1.0"?>\n<VirtualBox xmlns="http://www.virtualbox.org/" version="1.19-linux">\n'
	printf '  <Machine uuid="{%s}" name="%s" OSType="Other" snapshotFolder="Snapshots">\n' "$1" "$2"
	printf '    <Hardware>\n      <Memory RAMSize="128"/>\n    </Hardware>\n  </Machine>\n</VirtualBox>\n'
}

@test "truncated or empty VirtualBox.xml: clear error, file untouched" {
	head -c 200 "$G" >"$BATS_TEST_TMPDIR/t" && cp "$BATS_TEST_TMPDIR/t" "$G"
	vbmt list vms
	expect_status 1
	expect_err "VBoxManage: error: Failed to create the VirtualBox object!"
	[[ "$stderr" == *"VBoxManage: error: Location: '$G', line "* ]]
	vbmt setextradata global a b
	expect_status 1
	cmp "$BATS_TEST_TMPDIR/t" "$G"
	[ ! -e "$G-tmp" ]
	: >"$G"
	vbmt list vms
	expect_status 1
	expect_err "VBoxManage: error: Document is empty."
	expect_err "VBoxManage: error: Location: '$G', line 1 (0), column 1."
	[ ! -s "$G" ]
}

@test "VirtualBox.xml that cannot be read: clear error" {
	rm "$G"
	mkdir "$G"
	vbmt list vms
	expect_status 1
	expect_err "VBoxManage: error: Runtime error opening '$G' for reading: -127 (A non-directory operation was attempted on a directory object.)."
	rmdir "$G"
	if [ "$(id -u)" -ne 0 ]; then
		machine_xml 11111111-2222-3333-4444-555555555555 x >"$G"
		chmod 000 "$G"
		vbmt list vms
		expect_status 1
		expect_err "VBoxManage: error: Runtime error opening '$G' for reading: -38 (Access denied.)."
	fi
}

@test "DTDs and entity bombs are refused at once" {
	cat >"$G" <<'XML'
<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<VirtualBox version="1.12-linux"><Global><ExtraData><ExtraDataItem name="x" value="&lol9;"/></ExtraData></Global></VirtualBox>
XML
	vbmt getextradata global x
	expect_status 1
	expect_err "VBoxManage: error: Error in $G (line 1) -- document type declarations are not allowed in settings files."
	# an external entity never gets fetched either
	cat >"$G" <<'XML'
<?xml version="1.0"?>
<!DOCTYPE x [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>
<VirtualBox version="1.12-linux"><Global><ExtraData><ExtraDataItem name="x" value="&secret;"/></ExtraData></Global></VirtualBox>
XML
	vbmt getextradata global x
	expect_status 1
	[[ "$stderr" != *root:* ]]
	# an undefined entity is an XML error
	printf '<VirtualBox version="1.12-linux"><Global><ExtraData><ExtraDataItem name="x" value="&nope;"/></ExtraData></Global></VirtualBox>\n' >"$G"
	vbmt getextradata global x
	expect_status 1
	expect_err "VBoxManage: error: Entity 'nope' not defined."
}

@test "deep nesting, huge attributes, bad bytes in a machine file: refused, nothing registered" {
	f="$BATS_TEST_TMPDIR/deep.vbox"
	{
		printf '<VirtualBox version="1.19-linux"><Machine uuid="{11111111-2222-3333-4444-555555555555}" name="deep"><Hardware/>'
		for _ in $(seq 1 3000); do printf '<a>'; done
		for _ in $(seq 1 3000); do printf '</a>'; done
		printf '</Machine></VirtualBox>\n'
	} >"$f"
	vbmt registervm "$f"
	expect_status 1
	expect_err "VBoxManage: error: Excessive depth in document: 256 use XML_PARSE_HUGE option."
	f="$BATS_TEST_TMPDIR/huge.vbox"
	{
		printf '<VirtualBox version="1.19-linux"><Machine uuid="{11111111-2222-3333-4444-555555555555}" name="'
		head -c 12000000 /dev/zero | tr '\0' x
		printf '"><Hardware/></Machine></VirtualBox>\n'
	} >"$f"
	vbmt registervm "$f"
	expect_status 1
	expect_err "VBoxManage: error: AttValue length too long."
	f="$BATS_TEST_TMPDIR/bytes.vbox"
	printf '<VirtualBox version="1.19-linux"><Machine uuid="{11111111-2222-3333-4444-555555555555}" name="\xff\xfe"><Hardware/></Machine></VirtualBox>\n' >"$f"
	vbmt registervm "$f"
	expect_status 1
	[[ "$stderr" == *"Location: '$f', line 1"* ]]
	vbmt list vms
	expect_status 0
	[ -z "$output" ]
}

@test "wrong roots, missing parts and bad version strings: VirtualBox's messages" {
	f="$BATS_TEST_TMPDIR/x.vbox"
	printf '<Foo version="1.19-linux"/>\n' >"$f"
	vbmt registervm "$f"
	expect_status 1
	expect_err "VBoxManage: error: Error in $f (line 1) -- Root element in VirtualBox settings files must be \"VirtualBox\"."
	printf '<VirtualBox><Machine/></VirtualBox>\n' >"$f"
	vbmt registervm "$f"
	expect_err "VBoxManage: error: Error in $f (line 1) -- Required VirtualBox/@version attribute is missing."
	for v in 1.2-linux 1.0-linux abc "" 1.x-linux 1.-linux 0.9-linux 1.99999999999-linux; do
		printf '<VirtualBox version="%s"><Machine uuid="{11111111-2222-3333-4444-555555555555}" name="v"><Hardware/></Machine></VirtualBox>\n' "$v" >"$f"
		vbmt registervm "$f"
		expect_status 1
		expect_err "VBoxManage: error: Error in $f (line 1) -- Cannot handle settings version '$v'."
	done
	printf '<VirtualBox version="1.19-linux"><Global/></VirtualBox>\n' >"$f"
	vbmt registervm "$f"
	expect_err "VBoxManage: error: Error in $f (line 1) -- Required Machine element is missing."
	printf '<VirtualBox version="1.19-linux"><Machine name="n"/></VirtualBox>\n' >"$f"
	vbmt registervm "$f"
	expect_err "VBoxManage: error: Error in $f (line 1) -- Required Machine/@uuid or @name attributes is missing."
	printf '<VirtualBox version="1.19-linux"><Machine name="n" uuid="{zz}"/></VirtualBox>\n' >"$f"
	vbmt registervm "$f"
	expect_err "VBoxManage: error: Error in $f (line 1) -- UUID \"{zz}\" has invalid format."
	# a newer settings version than we know is loaded best-effort
	machine_xml 11111111-2222-3333-4444-555555555555 future | sed 's/1.19-linux/1.25-linux/' >"$f"
	vbmt registervm "$f"
	expect_status 0
	vbmt list vms
	expect_out '"future" {11111111-2222-3333-4444-555555555555}'
}

@test "a registered machine whose file is gone, or is not a file: <inaccessible>" {
	vbmt createvm --name gone --register
	expect_status 0
	vbmt createvm --name stays --register
	uuid=$(sed -n 's/.*<Machine uuid="{\([^}]*\)}".*/\1/p' "$VMS/gone/gone.vbox")
	rm "$VMS/gone/gone.vbox"
	vbmt list vms
	expect_status 0
	[ "${lines[0]}" = "\"<inaccessible>\" {$uuid}" ]
	[[ "${lines[1]}" == '"stays" {'* ]]
	vbmt setextradata "$uuid" a b
	expect_status 1
	[ ! -e "$VMS/gone/gone.vbox" ]
	# a FIFO in its place must not block anybody
	mkfifo "$VMS/gone/gone.vbox"
	vbmt list vms
	expect_status 0
	[ "${lines[0]}" = "\"<inaccessible>\" {$uuid}" ]
	vbmt getextradata stays enumerate
	expect_status 0
	rm "$VMS/gone/gone.vbox"
	mkdir "$VMS/gone/gone.vbox"
	vbmt list vms
	expect_status 0
	[ "${lines[0]}" = "\"<inaccessible>\" {$uuid}" ]
}

@test "read-only machine folder: the change fails cleanly, the old file stays" {
	vbmt createvm --name ro --register
	expect_status 0
	d="$VMS/ro"
	cp "$d/ro.vbox" "$BATS_TEST_TMPDIR/before"
	try_mount --bind "$d" "$d"
	mount -o remount,bind,ro "$d"
	vbmt setextradata ro key value
	expect_status 1
	expect_err "VBoxManage: error: Runtime error opening '$d/ro.vbox-tmp' for writing: -113 (Write protect error.)."
	cmp "$BATS_TEST_TMPDIR/before" "$d/ro.vbox"
	[ ! -e "$d/ro.vbox-tmp" ]
	vbmt getextradata ro key
	[ "$output" = "No value set!" ]
	# reading still works
	vbmt list vms
	expect_status 0
	expect_out "\"ro\" {$(sed -n 's/.*<Machine uuid="{\([^}]*\)}".*/\1/p' "$d/ro.vbox")}"
}

@test "full disk: machine and global saves fail cleanly and work again with space" {
	small="$BATS_TEST_TMPDIR/small"
	mkdir -p "$small"
	try_mount -t tmpfs -o size=512k tmpfs "$small"
	export VBOX_USER_HOME="$small/home"
	mkdir -p "$VBOX_USER_HOME"
	cp "$G" "$VBOX_USER_HOME/VirtualBox.xml"
	G="$VBOX_USER_HOME/VirtualBox.xml"
	vbmt createvm --name full --basefolder "$small" --register
	expect_status 0
	f="$small/full/full.vbox"
	vbmt setextradata full pad "$(head -c 20000 /dev/zero | tr '\0' p)"
	expect_status 0
	cp "$f" "$BATS_TEST_TMPDIR/m.before"
	cp "$G" "$BATS_TEST_TMPDIR/g.before"
	# fill the file system
	dd if=/dev/zero of="$small/filler" bs=4k 2>/dev/null || true
	vbmt setextradata full big "$(head -c 40000 /dev/zero | tr '\0' b)"
	expect_status 1
	expect_err "VBoxManage: error: Runtime error writing to file '$f-tmp': -152 (Disk is full.)."
	cmp "$BATS_TEST_TMPDIR/m.before" "$f"
	[ ! -e "$f-tmp" ]
	vbmt setextradata global big "$(head -c 40000 /dev/zero | tr '\0' b)"
	expect_status 1
	expect_err "VBoxManage: error: Runtime error writing to file '$G-tmp': -152 (Disk is full.)."
	cmp "$BATS_TEST_TMPDIR/g.before" "$G"
	[ ! -e "$G-tmp" ]
	vbmt list vms
	expect_status 0
	expect_out "\"full\" {$(sed -n 's/.*<Machine uuid="{\([^}]*\)}".*/\1/p' "$f")}"
	rm "$small/filler"
	vbmt setextradata full big small
	expect_status 0
	vbmt getextradata full big
	[ "$output" = "Value: small" ]
}
