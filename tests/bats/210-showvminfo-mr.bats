#!/usr/bin/env bats
# showvminfo --machinereadable: VirtualBox 7.0's key order, quoting, the
# lines clients parse (Vagrant read_state / read_forwarded_ports /
# read_network_interfaces / shared folders, Packer, node, go-virtualbox).

load helpers
load vmconfig

# The keys of a 7.0 machine with one IDE (DVD, empty) and one SATA (disk)
# controller and one NAT adapter with 14 rules, in output order.
born_keys() {
	cat <<'EOF'
name
encryption
groups
ostype
UUID
CfgFile
SnapFldr
LogFldr
hardwareuuid
memory
pagefusion
vram
cpuexecutioncap
hpet
cpu-profile
chipset
firmware
cpus
pae
longmode
triplefaultreset
apic
x2apic
nested-hw-virt
cpuid-portability-level
bootmenu
boot1
boot2
boot3
boot4
acpi
ioapic
biosapic
biossystemtimeoffset
rtcuseutc
hwvirtex
nestedpaging
largepages
vtxvpid
vtxux
virtvmsavevmload
iommu
paravirtprovider
effparavirtprovider
VMState
VMStateChangeTime
graphicscontroller
monitorcount
accelerate3d
accelerate2dvideo
teleporterenabled
teleporterport
teleporteraddress
teleporterpassword
tracing-enabled
tracing-allow-vm-access
tracing-config
autostart-enabled
autostart-delay
defaultfrontend
vmprocpriority
storagecontrollername0
storagecontrollertype0
storagecontrollerinstance0
storagecontrollermaxportcount0
storagecontrollerportcount0
storagecontrollerbootable0
storagecontrollername1
storagecontrollertype1
storagecontrollerinstance1
storagecontrollermaxportcount1
storagecontrollerportcount1
storagecontrollerbootable1
"IDE-0-0"
"IDE-0-1"
"IDE-1-0"
"IDE-IsEjected-1-0"
"IDE-1-1"
"SATA-0-0"
"SATA-ImageUUID-0-0"
"SATA-hot-pluggable-0-0"
"SATA-nonrotational-0-0"
"SATA-discard-0-0"
natnet1
macaddress1
cableconnected1
nic1
nictype1
nicspeed1
mtu
sockSnd
sockRcv
tcpWndSnd
tcpWndRcv
EOF
	for i in $(seq 0 13); do echo "Forwarding($i)"; done
	cat <<'EOF'
nic2
nic3
nic4
nic5
nic6
nic7
nic8
hidpointing
hidkeyboard
uart1
uart2
uart3
uart4
lpt1
lpt2
audio
audio_out
audio_in
clipboard
draganddrop
vrde
usb
ehci
xhci
recording_enabled
recording_screens
 rec_screen0
rec_screen_enabled
rec_screen_id
rec_screen_video_enabled
rec_screen_audio_enabled
rec_screen_dest
rec_screen_dest_filename
rec_screen_opts
rec_screen_video_res_xy
rec_screen_video_rate_kbps
rec_screen_video_fps
GuestMemoryBalloon
EOF
}

@test "a 7.0 machine: every key in VirtualBox 7.0's order" {
	reg_fixture v1.19-linux-Gug888-Born2beroot.vbox
	vbm showvminfo Born2beroot --machinereadable
	expect_status 0
	[ -z "$stderr" ]
	diff <(born_keys) <(printf '%s\n' "${lines[@]}" | sed 's/=.*//')
}

@test "values and quoting of a real 7.0 machine" {
	reg_fixture v1.19-linux-Gug888-Born2beroot.vbox
	vbm showvminfo Born2beroot --machinereadable
	expect_status 0
	expect_out 'name="Born2beroot"'
	expect_out 'UUID="c750aa97-1253-4a9c-8483-d9ee248d267c"'
	expect_out "CfgFile=\"$FX\""
	expect_out "SnapFldr=\"$(dirname "$FX")/Snapshots\""
	expect_out 'memory=2048'
	expect_out 'vram=16'
	expect_out 'cpus=1'
	expect_out 'pae="off"'
	expect_out 'x2apic="on"'
	expect_out 'largepages="on"'
	expect_out 'rtcuseutc="on"'
	expect_out 'ioapic="on"'
	expect_out 'graphicscontroller="vmsvga"'
	expect_out 'paravirtprovider="default"'
	expect_out 'VMState="poweroff"'
	expect_out 'VMStateChangeTime="2025-04-17T19:46:21.000000000Z"'
	expect_out 'storagecontrollertype1="IntelAhci"'
	expect_out 'storagecontrollermaxportcount1="30"'
	expect_out "\"SATA-0-0\"=\"$(dirname "$FX")/Born2beroot.vdi\""
	expect_out '"SATA-ImageUUID-0-0"="fbbd758c-39df-49d1-9631-993b37713428"'
	expect_out '"IDE-1-0"="emptydrive"'
	expect_out 'natnet1="nat"'
	expect_out 'macaddress1="0800276CE5EB"'
	expect_out 'nictype1="82540EM"'
	expect_out 'Forwarding(0)="ftp,tcp,,4221,,21"'
	expect_out 'Forwarding(12)="ssh,tcp,,4241,,4242"'
	expect_out 'hidpointing="usbtablet"'
	expect_out 'audio="pulse"'
	expect_out 'audio_out="on"'
	expect_out 'usb="on"'
	expect_out 'ehci="on"'
	expect_out 'nic8="none"'
}

@test "Vagrant: read_state, read_forwarded_ports and the NIC regexes" {
	reg_fixture v1.19-linux-Gug888-Born2beroot.vbox
	vbm showvminfo c750aa97-1253-4a9c-8483-d9ee248d267c --machinereadable
	expect_status 0
	# /^VMState="(.+?)"$/
	printf '%s\n' "${lines[@]}" | grep -qx 'VMState="poweroff"'
	# Forwarding lines come after their nicN line and parse with
	# /^Forwarding.+?="(.+?),.+?,(.*?),(.+?),.*?,(.+?)"$/
	run bash -c 'nic=; while IFS= read -r l; do
		[[ $l =~ ^nic([0-9]+)=\".+\"$ ]] && nic=${BASH_REMATCH[1]}
		if [[ $l =~ ^Forwarding.+=\"([^,]+),[^,]+,([^,]*),([^,]+),[^,]*,([^,]+)\"$ ]]; then
			echo "$nic ${BASH_REMATCH[1]} ${BASH_REMATCH[3]} ${BASH_REMATCH[4]}"
		fi
	done' <<<"$output"
	[ "${lines[0]}" = "1 ftp 4221 21" ]
	[ "${lines[12]}" = "1 ssh 4241 4242" ]
	[ "${#lines[@]}" -eq 14 ]
}

@test "options may come before the machine; -M and -D short forms" {
	mkvm before
	vbm showvminfo --machinereadable before
	expect_status 0
	expect_out 'name="before"'
	vbm showvminfo -M before
	expect_status 0
	expect_out 'name="before"'
	vbm showvminfo before -machinereadable
	expect_status 0
	expect_out 'groups="/"'
}

@test "quoting: quotes and backslashes escaped, keys with '=' quoted" {
	mkvm quoting
	vbm modifyvm quoting --description 'say "hi" \o/' --groups /a,/b
	expect_status 0
	vbm showvminfo quoting --machinereadable
	expect_status 0
	expect_out 'description="say \"hi\" \\o/"'
	expect_out 'groups="/a,/b"'
	expect_out 'cpuexecutioncap=100'
}

@test "shared folders, bandwidth groups, snapshots from the file" {
	mkfile collections 0b000000-0000-0000-0000-000000000001 \
		' currentSnapshot="{0a000000-0000-0000-0000-000000000002}"' \
		'<Snapshot uuid="{0a000000-0000-0000-0000-000000000001}" name="base" timeStamp="2024-01-01T00:00:00Z"><Description>first one</Description><Hardware/><Snapshots><Snapshot uuid="{0a000000-0000-0000-0000-000000000002}" name="child" timeStamp="2024-01-02T00:00:00Z"><Hardware/></Snapshot></Snapshots></Snapshot><Hardware><SharedFolders><SharedFolder name="vagrant" hostPath="/srv/proj" writable="true" autoMount="false"/></SharedFolders><IO><BandwidthGroups><BandwidthGroup name="slow" type="Network" maxBytesPerSec="125000"/></BandwidthGroups></IO></Hardware>'
	vbm showvminfo collections --machinereadable
	expect_status 0
	expect_out 'SharedFolderNameMachineMapping1="vagrant"'
	expect_out 'SharedFolderPathMachineMapping1="/srv/proj"'
	expect_out 'BandwidthGroup0="slow",Network,125000'
	expect_out 'SnapshotName="base"'
	expect_out 'SnapshotUUID="0a000000-0000-0000-0000-000000000001"'
	expect_out 'SnapshotDescription="first one"'
	expect_out 'SnapshotName-1="child"'
	expect_out 'CurrentSnapshotName="child"'
	expect_out 'CurrentSnapshotUUID="0a000000-0000-0000-0000-000000000002"'
	expect_out 'CurrentSnapshotNode="SnapshotName-1"'
	# the current-snapshot keys follow that snapshot's own lines
	printf '%s\n' "${lines[@]}" | grep -A1 '^SnapshotUUID-1=' | tail -1 |
		grep -qx 'CurrentSnapshotName="child"'
	# GuestMemoryBalloon is the last key
	[ "${lines[-1]}" = "GuestMemoryBalloon=0" ]
}

@test "saved and aborted machines: VMState from the file" {
	mkfile st 0b000000-0000-0000-0000-000000000002 ' stateFile="Snapshots/x.sav"'
	vbm showvminfo st --machinereadable
	expect_status 0
	expect_out 'VMState="saved"'
	expect_out "VMStateFile=\"$VMS/st/Snapshots/x.sav\""
	sed -i 's| stateFile="Snapshots/x.sav"| aborted="true"|' "$VMF"
	vbm showvminfo st --machinereadable
	expect_status 0
	expect_out 'VMState="aborted"'
	expect_no_out 'VMStateFile='
}

@test "an inaccessible machine: only name and UUID" {
	mkvm gone
	uuid=$(sed -n 's/.*Machine uuid="{\([^}]*\)}".*/\1/p' "$VMF")
	rm "$VMF"
	vbm showvminfo "$uuid" --machinereadable
	expect_status 0
	[ "${lines[0]}" = 'name="<inaccessible>"' ]
	[ "${lines[1]}" = "UUID=\"$uuid\"" ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "errors: unknown machine, missing VM, extra word, --log exclusive" {
	vbm showvminfo nosuchvm --machinereadable
	expect_status 1
	expect_err "VBoxManage: error: Could not find a registered machine named 'nosuchvm'"
	expect_err "VBoxManage: error: Details: code VBOX_E_OBJECT_NOT_FOUND (0x80bb0001), component VirtualBoxWrap, interface IVirtualBox, callee nsISupports"
	expect_err 'VBoxManage: error: Context: "FindMachine(Bstr(VMNameOrUuid).raw(), machine.asOutParam())" at line 3017 of file VBoxManageInfo.cpp'
	vbm showvminfo --machinereadable
	expect_status 2
	expect_err "VBoxManage: error: VM name or UUID required"
	mkvm errs
	vbm showvminfo errs other
	expect_status 2
	expect_err "VBoxManage: error: Invalid parameter 'other'"
	vbm showvminfo errs --log 0 --machinereadable
	expect_status 2
	expect_err "VBoxManage: error: Option --log is exclusive"
	vbm showvminfo errs --bogus
	expect_status 2
	expect_err "VBoxManage: error: Unknown option: --bogus"
}
