#!/usr/bin/env bats
# unregistervm --delete / --delete-all: settings, -prev, logs, saved state,
# the media only this machine uses, the registries, the folder.

load helpers

HD=11111111-0000-0000-0000-000000000001
DVD=11111111-0000-0000-0000-000000000002
SHARED=11111111-0000-0000-0000-000000000003

# A machine "$1" in $VMS/$1 with a disk d.vdi and a DVD image x.iso in its
# folder, and optionally the disk of another machine (uuid $2).
make_vm() {
	local n=$1 f
	vbm createvm --name "$n" --register
	expect_status 0
	f="$VMS/$n/$n.vbox"
	printf 'disk' >"$VMS/$n/d-$n.vdi"
	printf 'iso' >"$VMS/$n/x.iso"
	sed -i "s|^\(  <Machine .*>\)$|\1\n    <MediaRegistry>\n      <HardDisks>\n        <HardDisk uuid=\"{$3}\" location=\"d-$n.vdi\" format=\"VDI\" type=\"Normal\"/>\n      </HardDisks>\n      <DVDImages>\n        <Image uuid=\"{$DVD}\" location=\"x.iso\"/>\n      </DVDImages>\n    </MediaRegistry>|" "$f"
	sed -i "s|^    </Hardware>$|      <StorageControllers>\n        <StorageController name=\"SATA\" type=\"AHCI\" PortCount=\"3\" useHostIOCache=\"false\" Bootable=\"true\">\n          <AttachedDevice type=\"HardDisk\" hotpluggable=\"false\" port=\"0\" device=\"0\">\n            <Image uuid=\"{$3}\"/>\n          </AttachedDevice>\n          <AttachedDevice passthrough=\"false\" type=\"DVD\" hotpluggable=\"false\" port=\"1\" device=\"0\">\n            <Image uuid=\"{$DVD}\"/>\n          </AttachedDevice>\n$2        </StorageController>\n      </StorageControllers>\n    </Hardware>|" "$f"
}

@test "--delete removes the files, the disk and the folder, progress on stderr" {
	make_vm del "" "$HD"
	mkdir -p "$VMS/del/Logs"
	touch "$VMS/del/Logs/VBox.log" "$VMS/del/Logs/VBox.log.1" "$VMS/del/del.vbox-prev"
	vbm unregistervm del --delete
	expect_status 0
	[ -z "$output" ]
	[ "$stderr" = "0%...10%...20%...30%...40%...50%...60%...70%...80%...90%...100%" ]
	[ ! -e "$VMS/del/d-del.vdi" ]
	# a DVD image is kept with --delete, so the folder stays
	[ -e "$VMS/del/x.iso" ]
	[ ! -e "$VMS/del/del.vbox" ]
	[ ! -e "$VMS/del/del.vbox-prev" ]
	[ ! -e "$VMS/del/Logs" ]
	vbm list vms
	[ -z "$output" ]
}

@test "--delete-all also removes DVD images in the machine folder, and the folder" {
	make_vm all "" "$HD"
	vbm unregistervm all --delete-all
	expect_status 0
	[ ! -e "$VMS/all" ]
}

@test "a plain --delete of a machine without media leaves no folder" {
	vbm createvm --name plain --register
	vbm unregistervm plain --delete
	expect_status 0
	[ ! -e "$VMS/plain" ]
}

@test "a disk another registered machine uses stays, in its registry" {
	make_vm owner "" "$SHARED"
	make_vm other "          <AttachedDevice type=\"HardDisk\" hotpluggable=\"false\" port=\"2\" device=\"0\">\n            <Image uuid=\"{$SHARED}\"/>\n          </AttachedDevice>\n" "$HD"
	vbm unregistervm owner --delete
	expect_status 0
	[ -e "$VMS/owner/d-owner.vdi" ]
	vbm unregistervm other --delete
	expect_status 0
	[ ! -e "$VMS/other/d-other.vdi" ]
}

@test "unregistering without --delete keeps every file" {
	make_vm keep "" "$HD"
	vbm unregistervm keep
	expect_status 0
	[ -e "$VMS/keep/keep.vbox" ]
	[ -e "$VMS/keep/d-keep.vdi" ]
}

@test "the base disk of a linked clone stays, with and without --delete" {
	local f
	for f in "" --delete; do
		vbm createvm --name src --register
		vbm createmedium disk --filename "$VMS/base.vdi" --size 8
		expect_status 0
		base=$(sed -n 's/^Medium created. UUID: //p' <<<"$output")
		vbm storagectl src --name SATA --add sata
		vbm storageattach src --storagectl SATA --port 0 --type hdd --medium "$VMS/base.vdi"
		vbm snapshot src take s1
		expect_status 0
		vbm clonevm src --name lc --snapshot s1 --options link --register
		expect_status 0
		vbm unregistervm src $f
		expect_status 0
		[ -e "$VMS/base.vdi" ]
		vbm list hdds
		expect_out "UUID:           $base"
		expect_out "Parent UUID:    $base"
		vbm showvminfo lc --machinereadable
		[[ "$output" == *'"SATA-0-0"="'"$VMS"'/lc/Snapshots/{'* ]]
		# the clone's disk chain still reads
		vbm clonemedium "$(sed -n 's/^"SATA-0-0"="\(.*\)"$/\1/p' <<<"$output")" "$BATS_TEST_TMPDIR/out$f.raw" --format RAW
		expect_status 0
		# now the base only leads to the clone's disk: it goes with it
		vbm unregistervm lc --delete
		expect_status 0
		[ ! -e "$VMS/lc" ]
		[ ! -e "$VMS/base.vdi" ]
		vbm list hdds
		expect_no_out "UUID:           $base"
		rm -rf "$VMS/src"
	done
}
