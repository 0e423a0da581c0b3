#!/bin/bash
# Sourced by the benchmarks that run a VM (boot.sh, softcpu.sh,
# control.sh); BIN must name the build's bin directory.

# bench_home W: a throw-away VirtualBox home in W/home whose machine
# folder is W/vms, with no log history kept.
bench_home() {
	export VBOX_USER_HOME=$1/home
	mkdir -p "$VBOX_USER_HOME" "$1/vms"
	cat >"$VBOX_USER_HOME/VirtualBox.xml" <<XML
<?xml version="1.0"?>
<VirtualBox xmlns="http://www.virtualbox.org/" version="1.12-linux">
  <Global>
    <MachineRegistry/>
    <SystemProperties defaultMachineFolder="$1/vms" LogHistoryCount="0"/>
  </Global>
</VirtualBox>
XML
}

# bench_vm NAME OSTYPE ISO RAM_MB COM1_FILE [MODIFYVM_OPTION...]: a
# registered machine that boots ISO from an IDE DVD and writes its first
# serial port to COM1_FILE.
bench_vm() {
	local name=$1 ostype=$2 iso=$3 ram=$4 com1=$5
	shift 5
	"$BIN/VBoxManage" createvm --name "$name" --ostype "$ostype" --register >/dev/null
	"$BIN/VBoxManage" storagectl "$name" --name IDE --add ide --controller PIIX4
	"$BIN/VBoxManage" storageattach "$name" --storagectl IDE --port 1 --device 0 \
		--type dvddrive --medium "$iso"
	"$BIN/VBoxManage" modifyvm "$name" --memory "$ram" --boot1 dvd --boot2 none \
		--boot3 none --boot4 none --uart1 0x3f8 4 --uart-mode1 file "$com1" "$@"
}
