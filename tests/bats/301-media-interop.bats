#!/usr/bin/env bats
# Disk images against qemu-img, both directions: images we write are
# identical to their source under "qemu-img compare" and clean under
# "qemu-img check"; images qemu-img writes read back identically through
# "clonemedium ... --format RAW"; differencing chains read right and leave
# their parent untouched.

load helpers

# 40 MiB + 3 x 64 KiB: two VMDK grain-table spans, a partial last VDI
# block and VHD block; random, zero and nearly-zero 1 MiB chunks; a
# non-zero last sector.
SIZE=$((40 * 1024 * 1024 + 3 * 65536))

setup_file() {
	command -v qemu-img >/dev/null || return 0
	local f="$BATS_FILE_TMPDIR/t.raw" i
	: >"$f"
	for i in $(seq 0 39); do
		case $((i % 3)) in
		0) head -c 1048576 /dev/urandom >>"$f" ;;
		1) head -c 1048576 /dev/zero >>"$f" ;;
		2) { head -c 4096 /dev/zero; printf 'sector'; head -c $((1048576 - 4102)) /dev/zero; } >>"$f" ;;
		esac
	done
	head -c $((3 * 65536 - 512)) /dev/urandom >>"$f"
	printf '%512s' tail >>"$f"
}

local_setup() {
	command -v qemu-img >/dev/null || skip "qemu-img is not installed"
	RAW="$BATS_FILE_TMPDIR/t.raw"
	cd "$BATS_TEST_TMPDIR"
}

# ours -> qemu: exact size, clean check, identical content
ours_vs_qemu() {
	local fmt=$1 file=$2 info
	info=$(qemu-img info -f "$fmt" --output=json "$file")
	[[ $info == *"\"virtual-size\": $SIZE,"* ]] || { echo "$info"; return 1; }
	run qemu-img check -f "$fmt" "$file"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	run qemu-img compare -f raw -F "$fmt" "$RAW" "$file"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[[ $output != *mismatch* ]] || { echo "$output"; return 1; }
}

qemu_vhd() {
	echo "driver=vpc,force_size_calc=current_size,file.filename=$1"
}

@test "convertfromraw VDI dynamic and fixed: qemu-img reads them identically" {
	vbm convertfromraw "$RAW" o.vdi --format VDI
	expect_status 0
	expect_err "Converting from raw image file=\"$RAW\" to file=\"o.vdi\"..."
	expect_err "Creating dynamic image with size $SIZE bytes (41MB)..."
	ours_vs_qemu vdi o.vdi
	vbm convertfromraw "$RAW" f.vdi --format VDI --variant Fixed
	expect_status 0
	expect_err "Creating fixed image with size $SIZE bytes (41MB)..."
	ours_vs_qemu vdi f.vdi
	# VirtualBox's profile: 1.1+ header, 1 MiB aligned map and data
	[ "$(od -An -tx4 -j$((0x48)) -N4 o.vdi | tr -d ' ')" = 00000190 ]
	[ "$(od -An -tx4 -j$((0x154)) -N4 o.vdi | tr -d ' ')" = 00100000 ]
	[ "$(od -An -tx4 -j$((0x158)) -N4 o.vdi | tr -d ' ')" = 00200000 ]
}

@test "convertfromraw VMDK in every variant: clean and identical under qemu-img" {
	local v
	for v in Standard Fixed Split2G Fixed,Split2G Stream Fixed,ESX; do
		vbm convertfromraw "$RAW" "o-$v.vmdk" --format VMDK --variant "$v"
		expect_status 0
		ours_vs_qemu vmdk "o-$v.vmdk"
	done
	[ -f o-Fixed-flat.vmdk ] && [ -f o-Split2G-s001.vmdk ] && [ -f o-Fixed,Split2G-f001.vmdk ]
	grep -q 'createType="vmfs"' o-Fixed,ESX.vmdk
	grep -q 'ddb.adapterType="lsilogic"' o-Fixed,ESX.vmdk
	# sparse header flags 3, stream 0x30001 and its footer + EOS at the end
	[ "$(od -An -tx4 -j8 -N4 o-Standard.vmdk | tr -d ' ')" = 00000003 ]
	[ "$(od -An -tx4 -j8 -N4 o-Stream.vmdk | tr -d ' ')" = 00030001 ]
	local len
	len=$(stat -c %s o-Stream.vmdk)
	[ "$(tail -c 512 o-Stream.vmdk | od -An -v -tx1 | tr -d ' \n' | tr -d 0)" = "" ]
	[ "$(tail -c 1024 o-Stream.vmdk | head -c 4)" = KDMV ]
	[ $((len % 512)) -eq 0 ]
}

@test "convertfromraw VHD dynamic and fixed: exact size, identical under qemu-img" {
	local v f
	for v in Standard Fixed; do
		f="o-$v.vhd"
		vbm convertfromraw "$RAW" "$f" --format VHD --variant "$v"
		expect_status 0
		run qemu-img info --output=json --image-opts "$(qemu_vhd "$f")"
		[[ $output == *"\"virtual-size\": $SIZE,"* ]] || { echo "$output"; false; }
		run qemu-img compare --image-opts "driver=raw,file.filename=$RAW" "$(qemu_vhd "$f")"
		[ "$status" -eq 0 ] || { echo "$output"; false; }
		# the footer: conectix, creator vbox, current size = requested
		[ "$(tail -c 512 "$f" | head -c 8)" = conectix ]
		[ "$(tail -c 512 "$f" | dd bs=1 skip=28 count=4 2>/dev/null)" = vbox ]
		[ $((0x$(tail -c 512 "$f" | od -An -tx1 -j48 -N8 | tr -d ' \n'))) -eq "$SIZE" ]
	done
	[ "$(stat -c %s o-Fixed.vhd)" -eq $((SIZE + 512)) ]
}

@test "images written by qemu-img read back identically through clonemedium --format RAW" {
	local sf f
	qemu-img convert -f raw -O vdi "$RAW" q.vdi
	qemu-img convert -f raw -O vdi -o static=on "$RAW" qs.vdi
	qemu-img convert -f raw -O vpc -o subformat=dynamic,force_size=on "$RAW" q.vhd
	qemu-img convert -f raw -O vpc -o subformat=fixed,force_size=on "$RAW" qf.vhd
	for sf in monolithicSparse monolithicFlat twoGbMaxExtentSparse twoGbMaxExtentFlat streamOptimized; do
		qemu-img convert -f raw -O vmdk -o subformat=$sf "$RAW" "q-$sf.vmdk"
	done
	for f in q.vdi qs.vdi q.vhd qf.vhd q-*.vmdk; do
		case $f in *-flat.vmdk|*-s0*|*-f0*) continue ;; esac
		vbm clonemedium "$f" "back-$f.raw" --format RAW
		expect_status 0
		cmp "$RAW" "back-$f.raw"
	done
	vbm showmediuminfo q-streamOptimized.vmdk
	expect_status 0
	expect_out "Format variant: dynamic streamOptimized"
	expect_out "Capacity:       40 MBytes"
}

@test "clonemedium between formats keeps the content" {
	vbm convertfromraw "$RAW" a.vdi
	expect_status 0
	vbm clonemedium a.vdi b.vmdk --format VMDK
	expect_status 0
	[[ ${lines[0]} == "Clone medium created in format 'VMDK'. UUID: "* ]]
	vbm clonemedium b.vmdk c.vhd --format VHD
	expect_status 0
	vbm clonemedium c.vhd d.vmdk --format VMDK --variant Stream
	expect_status 0
	vbm clonemedium d.vmdk e.vdi --format VDI --variant Fixed
	expect_status 0
	ours_vs_qemu vmdk b.vmdk
	ours_vs_qemu vmdk d.vmdk
	ours_vs_qemu vdi e.vdi
	run qemu-img compare --image-opts "driver=raw,file.filename=$RAW" "$(qemu_vhd c.vhd)"
	[ "$status" -eq 0 ]
}

# A differencing child: write part of it, the parent stays unchanged and
# the chain reads child data over parent data.
diff_chain() {
	local fmt=$1 ext=$2 sum
	vbm convertfromraw "$RAW" "base.$ext" --format "$fmt"
	expect_status 0
	vbm createmedium disk --filename "child.$ext" --diffparent "base.$ext"
	expect_status 0
	sum=$(md5sum <"base.$ext")
	# 3 MiB of new data written into the child (a clone onto it)
	head -c $((3 * 1048576 + 4096)) /dev/urandom >new.raw
	vbm convertfromraw new.raw new.vdi
	expect_status 0
	vbm clonemedium new.vdi "child.$ext" --existing
	expect_status 0
	[ "$(md5sum <"base.$ext")" = "$sum" ]
	{ cat new.raw; tail -c +$((3 * 1048576 + 4097)) "$RAW"; } >expect.raw
	vbm clonemedium "child.$ext" flat.raw --format RAW
	expect_status 0
	cmp expect.raw flat.raw
	vbm clonemedium "base.$ext" base.raw --format RAW
	expect_status 0
	cmp "$RAW" base.raw
}

@test "VDI differencing chain: child data over the parent, parent unchanged" {
	diff_chain VDI vdi
}

@test "VMDK differencing chain: child data over the parent, parent unchanged" {
	diff_chain VMDK vmdk
	grep -aq 'ddb.uuid.parent="' child.vmdk
}

@test "VHD differencing chain: child data over the parent, parent unchanged" {
	diff_chain VHD vhd
}

@test "convertfromraw from stdin" {
	vbm convertfromraw stdin s.vdi "$SIZE" <"$RAW"
	expect_status 0
	ours_vs_qemu vdi s.vdi
}
