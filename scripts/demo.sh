#!/bin/sh
# make demo: boot the demo guest under VBoxHeadless and show its serial
# console.  The guest is the real-mode test CD (tests/guests): SeaBIOS,
# El Torito boot from an IDE DVD, a marker on COM1, ACPI power-off.
# Everything lives under build/demo (its own VirtualBox home), so the
# user's real VirtualBox settings are not touched.
set -eu
cd "$(dirname "$0")/.."
TOP=$(pwd)
BIN=$TOP/build/bin
DEMO=$TOP/build/demo

if [ ! -c /dev/kvm ] || [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	echo "demo: /dev/kvm is missing or not accessible; this demo needs KVM" >&2
	echo "demo: (the software x86 engine that runs without KVM is not part of this build yet)" >&2
	exit 1
fi

bash tests/guests/build-guests.sh build/guests >/dev/null 2>&1 ||
	bash tests/guests/build-guests.sh build/guests
ISO=$TOP/build/guests/realmode.iso

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

"$BIN/VBoxManage" createvm --name demo --ostype Other --register >/dev/null
"$BIN/VBoxManage" storagectl demo --name IDE --add ide --controller PIIX4
"$BIN/VBoxManage" storageattach demo --storagectl IDE --port 1 --device 0 \
	--type dvddrive --medium "$ISO"
# RAM, boot order and COM1 (modifyvm's job once it is merged here).
python3 - "$DEMO/vms/demo/demo.vbox" "$DEMO/com1.log" <<'PY'
import sys
path, log = sys.argv[1], sys.argv[2]
s = open(path).read()
hw = ('<Memory RAMSize="128"/>'
      '<Boot><Order position="1" device="DVD"/><Order position="2" device="None"/>'
      '<Order position="3" device="None"/><Order position="4" device="None"/></Boot>'
      '<UART><Port slot="0" enabled="true" IOBase="0x3f8" IRQ="4" hostMode="RawFile" '
      'path="%s"/></UART>' % log)
s = s.replace('<Hardware>', '<Hardware>' + hw, 1)
open(path, 'w').write(s)
PY

echo "demo: starting VBoxHeadless --startvm demo; COM1 of the guest follows"
echo "------------------------------------------------------------------------"
: >"$DEMO/com1.log"
"$BIN/VBoxHeadless" --startvm demo >"$DEMO/headless.out" 2>&1 &
pid=$!
tail -n +1 -f --pid="$pid" "$DEMO/com1.log" | tr -d '\r' | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/^\x1bc//'
status=0
wait "$pid" || status=$?
echo "------------------------------------------------------------------------"
cat "$DEMO/headless.out"
echo "demo: VBoxHeadless exited with status $status; the VM log is $DEMO/vms/demo/Logs/VBox.log"
exit "$status"
