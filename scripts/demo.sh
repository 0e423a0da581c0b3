#!/bin/sh
# make demo: boot the tiny Linux ISO (a stock Debian kernel and a busybox
# initramfs, built by tests/guests/build-guests.sh --linux from the
# host's Debian packages) under VBoxHeadless on the software x86 engine
# (--hwvirtex off: no KVM needed) and show its serial console up to the
# GUEST-BOOT-OK marker and the ACPI power-off.  Everything lives under
# build/demo (its own VirtualBox home), so the user's real VirtualBox
# settings are not touched.
set -eu
cd "$(dirname "$0")/.."
TOP=$(pwd)
BIN=$TOP/build/bin
DEMO=$TOP/build/demo

if ! bash tests/guests/build-guests.sh --linux build/guests >/dev/null 2>&1; then
	echo "demo: building the tiny Linux ISO failed:" >&2
	bash tests/guests/build-guests.sh --linux build/guests
	exit 1
fi
ISO=$TOP/build/guests/tiny.iso

rm -rf "$DEMO"
mkdir -p "$DEMO/home" "$DEMO/vms"
export VBOX_USER_HOME="$DEMO/home"
cat >"$VBOX_USER_HOME/VirtualBox.xml" <<XML
<?xml version="1.0"?>
<VirtualBox xmlns="http://www.virtualbox.org/" version="1.12-linux">
  <Global>
    <MachineRegistry/>
    <SystemProperties defaultMachineFolder="$DEMO/vms" LogHistoryCount="3"/>
  </Global>
</VirtualBox>
XML

"$BIN/VBoxManage" createvm --name demo --ostype Linux_64 --register >/dev/null
"$BIN/VBoxManage" modifyvm demo --memory 256 --cpus 1 --hwvirtex off --ioapic on \
	--pae on --long-mode on --boot1 dvd --boot2 none --boot3 none --boot4 none \
	--uart1 0x3f8 4 --uart-mode1 file "$DEMO/com1.log"
"$BIN/VBoxManage" storagectl demo --name IDE --add ide --controller PIIX4
"$BIN/VBoxManage" storageattach demo --storagectl IDE --port 1 --device 0 \
	--type dvddrive --medium "$ISO"

echo "demo: VBoxHeadless --startvm demo (software x86 engine); COM1 of the guest follows"
echo "------------------------------------------------------------------------"
: >"$DEMO/com1.log"
start=$(date +%s.%N)
"$BIN/VBoxHeadless" --startvm demo >"$DEMO/headless.out" 2>&1 &
pid=$!
tail -n +1 -f --pid="$pid" "$DEMO/com1.log" | tr -d '\r' | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/^\x1bc//'
status=0
wait "$pid" || status=$?
end=$(date +%s.%N)
echo "------------------------------------------------------------------------"
cat "$DEMO/headless.out"
LOG=$DEMO/vms/demo/Logs/VBox.log
grep -h "EM: Execution engine" "$LOG" || true
grep -h "ACPI: guest entered S5" "$LOG" || true
secs=$(awk "BEGIN { printf \"%.1f\", $end - $start }")
if [ "$status" = 0 ] && grep -q "^GUEST-BOOT-OK" "$DEMO/com1.log"; then
	echo "demo: the guest booted to GUEST-BOOT-OK and powered off in $secs s; the VM log is $LOG"
else
	echo "demo: VBoxHeadless exited with status $status without the boot marker; the VM log is $LOG" >&2
	[ "$status" = 0 ] && status=1
fi
exit "$status"
