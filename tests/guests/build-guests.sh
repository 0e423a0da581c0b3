#!/bin/bash
# Build the test guests from Debian packages.
#
#   build-guests.sh [--linux] OUTDIR
#
# Always:   OUTDIR/realmode.iso  an El Torito CD whose no-emulation boot
#           image is our real-mode program (realmode-payload.S): it prints
#           GUEST-BOOT-OK on the BIOS console and on COM1, then powers the
#           machine off through ACPI.  It needs only the firmware path, so
#           it runs where /dev/kvm cannot run kernel code fast (PVM).
#           OUTDIR/realmode-reset.iso first resets the machine through
#           port 0xcf9, then does the same; realmode-spin.iso keeps the CPU
#           busy after the marker; realmode-count.iso prints "tick N" on
#           COM1 every second and powers off on the ACPI power button.
# --linux:  OUTDIR/tiny.iso      ISOLINUX + the Debian kernel + a busybox
#           initramfs whose /init prints GUEST-BOOT-OK on ttyS0 and powers
#           off (TINY_STAY=1: prints "tiny-guest: alive N" every second and
#           powers off on the ACPI power button).  Also OUTDIR/vmlinuz,
#           OUTDIR/initrd.gz for direct kernel boot.
#
# Packages: binutils and xorriso (real-mode CD); isolinux, syslinux-common,
# busybox-static, linux-image-amd64, cpio, gzip (Linux CD).  As root,
# missing ones are installed with apt-get; otherwise the script says which.
# Outputs are rebuilt only when missing or older than their sources.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
LINUX=0
if [ "${1:-}" = "--linux" ]; then
	LINUX=1
	shift
fi
OUT=${1:?usage: build-guests.sh [--linux] OUTDIR}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

need() {
	missing=""
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "build-guests.sh: missing Debian packages:$missing" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing
}

newer() {	# newer TARGET SOURCES...: true when TARGET must be rebuilt
	t=$1
	shift
	[ -f "$t" ] || return 0
	for s in "$@"; do
		[ "$s" -nt "$t" ] && return 0
	done
	return 1
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vbox-guests.XXXXXX")
trap 'rm -rf "$WORK"' EXIT INT TERM

# --- the real-mode CDs ------------------------------------------------------
# realmode.iso; realmode-reset.iso first resets the machine through port
# 0xcf9 once; realmode-spin.iso spins after the marker instead of powering
# off.
build_rm() {	# build_rm NAME [--defsym X=1]...
	name=$1
	shift
	newer "$OUT/$name.iso" "$HERE/realmode-payload.S" "$0" || return 0
	need binutils xorriso
	rm -rf "$WORK/rm"
	mkdir -p "$WORK/rm/boot"
	as --32 "$@" -o "$WORK/payload.o" "$HERE/realmode-payload.S"
	ld -m elf_i386 -Ttext 0 --oformat binary -o "$WORK/rm/boot/payload.bin" "$WORK/payload.o"
	size=$(stat -c %s "$WORK/rm/boot/payload.bin")
	if [ "$size" -gt 2048 ]; then
		echo "build-guests.sh: payload is $size bytes, more than one CD sector" >&2
		exit 1
	fi
	truncate -s 2048 "$WORK/rm/boot/payload.bin"
	xorriso -as mkisofs -quiet -V VBOXRM -o "$WORK/$name.iso" \
		-c boot/boot.cat -b boot/payload.bin -no-emul-boot -boot-load-size 4 \
		"$WORK/rm"
	mv "$WORK/$name.iso" "$OUT/$name.iso"
	echo "build-guests.sh: built $OUT/$name.iso ($(stat -c %s "$OUT/$name.iso") bytes)"
}
build_rm realmode
build_rm realmode-reset --defsym RESET_FIRST=1
build_rm realmode-spin --defsym SPIN=1
build_rm realmode-count --defsym COUNT=1

[ "$LINUX" = 1 ] || exit 0

# --- the tiny Linux CD -----------------------------------------------------
need isolinux syslinux-common xorriso busybox-static linux-image-amd64 cpio gzip
KERNEL=$(find /boot -maxdepth 1 -name 'vmlinuz-*' | sort -V | tail -n 1)
[ -n "$KERNEL" ] || { echo "build-guests.sh: no kernel in /boot" >&2; exit 1; }
if ! newer "$OUT/tiny.iso" "$KERNEL" /bin/busybox "$0"; then
	exit 0
fi
R=$WORK/root
mkdir -p "$R/bin" "$R/dev" "$R/proc" "$R/sys" "$R/etc"
cp /bin/busybox "$R/bin/busybox"
for tool in sh mount echo cat sleep poweroff uname nproc acpid insmod mkdir; do
	ln -s busybox "$R/bin/$tool"
done
mknod -m 600 "$R/dev/console" c 5 1 2>/dev/null || true
if [ "${TINY_STAY:-0}" = 1 ]; then
	kver=${KERNEL#/boot/vmlinuz-}
	mkdir -p "$R/lib/modules" "$R/etc/acpi/PWRF"
	for mod in kernel/drivers/acpi/button.ko kernel/drivers/input/evdev.ko; do
		[ -f "/lib/modules/$kver/$mod" ] && cp "/lib/modules/$kver/$mod" "$R/lib/modules/"
	done
	printf '#!/bin/sh\necho "tiny-guest: power button"\npoweroff -f\n' >"$R/etc/acpi/PWRF/00000080"
	chmod 755 "$R/etc/acpi/PWRF/00000080"
	# shellcheck disable=SC2016  # expanded by the guest shell
	stay='echo "tiny-guest: cpus $(nproc)"
for m in /lib/modules/*.ko; do insmod "$m" 2>/dev/null; done
acpid -f -l /dev/console -c /etc/acpi &
i=0
while :; do i=$((i + 1)); echo "tiny-guest: alive $i"; sleep 1; done'
else
	stay=''
fi
cat >"$R/init" <<INIT
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
[ -c /dev/console ] && exec </dev/console >/dev/console 2>&1
echo GUEST-BOOT-OK
echo "tiny-guest: kernel \$(uname -r)"
$stay
poweroff -f
INIT
chmod 755 "$R/init"
(cd "$R" && find . | sort | cpio -o -H newc --quiet) | gzip -9 >"$WORK/initrd.gz"
I=$WORK/iso
mkdir -p "$I/isolinux" "$I/boot"
cp /usr/lib/ISOLINUX/isolinux.bin "$I/isolinux/"
cp /usr/lib/syslinux/modules/bios/ldlinux.c32 "$I/isolinux/"
cp "$KERNEL" "$I/boot/vmlinuz"
cp "$WORK/initrd.gz" "$I/boot/initrd.gz"
cat >"$I/isolinux/isolinux.cfg" <<CFG
serial 0 115200
default tiny
prompt 0
timeout 0
label tiny
  kernel /boot/vmlinuz
  append initrd=/boot/initrd.gz console=ttyS0,115200 panic=-1
CFG
xorriso -as mkisofs -quiet -V VBOXTINY -o "$WORK/tiny.iso" \
	-isohybrid-mbr /usr/lib/ISOLINUX/isohdpfx.bin \
	-c isolinux/boot.cat -b isolinux/isolinux.bin -no-emul-boot \
	-boot-load-size 4 -boot-info-table "$I"
mv "$WORK/tiny.iso" "$OUT/tiny.iso"
cp "$KERNEL" "$OUT/vmlinuz"
cp "$WORK/initrd.gz" "$OUT/initrd.gz"
echo "build-guests.sh: built $OUT/tiny.iso ($(stat -c %s "$OUT/tiny.iso") bytes)"
