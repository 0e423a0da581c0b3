#!/bin/sh
# Install the Debian packages the build, the tests, the demo and the
# benchmarks need; only those that are missing.  Safe to run repeatedly.
# Non-root users get a list of what to install instead.
set -eu

PKGS="gcc make pkg-config git
libxml2-dev libarchive-dev zlib1g-dev libcapstone-dev libsdl2-dev
libslirp-dev libdeflate-dev nettle-dev
bats shellcheck clang libclang-rt-14-dev
seabios qemu-utils qemu-system-x86
xorriso isolinux syslinux-common busybox-static cpio gzip linux-image-amd64
util-linux procps python3"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing Debian packages:$missing" >&2
	echo "deps.sh: run as root, or: sudo apt-get install$missing" >&2
	exit 1
fi

echo "deps.sh: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
