#!/bin/sh
# The man pages in man/ are generated from the help texts built into
# VBoxManage (every command's struct vbm_help), so that the two cannot
# drift apart.
#
#   check-man.sh <VBoxManage>            fail when a committed page differs
#   check-man.sh <VBoxManage> --update   rewrite man/*.1 (make man-update)
set -eu
bin=${1:?usage: check-man.sh <VBoxManage> [--update]}
mode=${2:-check}
dir=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

"$bin" --dump-manpages "$tmp"
if [ "$mode" = --update ]; then
	rm -f "$dir"/*.1
	cp "$tmp"/*.1 "$dir"/
	echo "man pages updated in $dir"
	exit 0
fi
status=0
for f in "$tmp"/*.1; do
	b=$(basename "$f")
	if ! cmp -s "$f" "$dir/$b"; then
		echo "man/$b does not match the built-in help (run make man-update)"
		if [ -f "$dir/$b" ]; then
			diff -u "$dir/$b" "$f" | head -40 || true
		fi
		status=1
	fi
done
for f in "$dir"/*.1; do
	[ -f "$f" ] || continue
	b=$(basename "$f")
	if [ ! -f "$tmp/$b" ]; then
		echo "man/$b belongs to no command (run make man-update)"
		status=1
	fi
done
exit $status
