#!/usr/bin/env bats
# showvminfo without --machinereadable: "%-28s %s" labels, VirtualBox 7.0's
# wording of every block, --details, --log.

load helpers
load vmconfig

@test "labels and values of a real 7.0 machine" {
	reg_fixture v1.19-linux-Gug888-Born2beroot.vbox
	vbm showvminfo Born2beroot
	expect_status 0
	[ -z "$stderr" ]
	[ "${lines[0]}" = "Name:                        Born2beroot" ]
	expect_out "Encryption:                  disabled"
	expect_out "Groups:                      /"
	expect_out "UUID:                        c750aa97-1253-4a9c-8483-d9ee248d267c"
	expect_out "Config file:                 $FX"
	expect_out "Memory size:                 2048MB"
	expect_out "VRAM size:                   16MB"
	expect_out "CPU exec cap:                100%"
	expect_out "Number of CPUs:              1"
	expect_out "PAE:                         disabled"
	expect_out "CPUID overrides:             None"
	expect_out "Boot menu mode:              message and menu"
	expect_out "Boot Device 4:               Not Assigned"
	expect_out "BIOS APIC mode:              APIC"
	expect_out "Time offset:                 0ms"
	expect_out "RTC:                         UTC"
	expect_out "Paravirt. Provider:          Default"
	expect_out "State:                       powered off (since 2025-04-17T19:46:21.000000000Z)"
	expect_out "Graphics Controller:         VMSVGA"
	expect_out "Storage Controllers:"
	expect_out "#0: 'IDE', Type: PIIX4, Instance: 0, Ports: 2 (max 2), Bootable"
	expect_out "  Port 1, Unit 0: Empty"
	expect_out "#1: 'SATA', Type: IntelAhci, Instance: 0, Ports: 1 (max 30), Bootable"
	expect_out "  Port 0, Unit 0: UUID: fbbd758c-39df-49d1-9631-993b37713428"
	expect_out "    Location: \"$(dirname "$FX")/Born2beroot.vdi\""
	expect_out "NIC 1:                       MAC: 0800276CE5EB, Attachment: NAT, Cable connected: on, Trace: off (file: none), Type: 82540EM, Reported speed: 0 Mbps, Boot priority: 0, Promisc Policy: deny, Bandwidth group: none"
	expect_out "NIC 1 Settings:  MTU: 0, Socket (send: 64, receive: 64), TCP Window (send:64, receive: 64)"
	expect_out "NIC 1 Rule(0):   name = ftp, protocol = tcp, host ip = , host port = 4221, guest ip = , guest port = 21"
	expect_out "NIC 2:                       disabled"
	expect_out "Pointing Device:             USB Tablet"
	expect_out "Keyboard Device:             PS/2 Keyboard"
	expect_out "UART 1:                      disabled"
	expect_out "LPT 2:                       disabled"
	expect_out "Audio:                       enabled (Driver: PulseAudio, Controller: AC97, Codec: AD1980)"
	expect_out "Audio playback:              enabled"
	expect_out "Audio capture:               disabled"
	expect_out "Clipboard Mode:              disabled"
	expect_out "VRDE:                        disabled"
	expect_out "OHCI USB:                    enabled"
	expect_out "xHCI USB:                    disabled"
	expect_out "USB Device Filters:          <none>"
	expect_out "Bandwidth groups:            <none>"
	expect_out "Shared folders:              <none>"
	expect_out "Recording enabled:           no"
	expect_out " Screen 0:"
	expect_out "    Video dimensions:        1024x768"
	expect_out "* Guest:"
	expect_out "Configured memory balloon:   0MB"
	# the NIC line comes before its settings and rules
	printf '%s\n' "${lines[@]}" | grep -A1 '^NIC 1: ' | tail -1 | grep -q '^NIC 1 Settings:'
}

@test "--details prints the same lines" {
	reg_fixture v1.19-linux-Gug888-Born2beroot.vbox
	vbm showvminfo Born2beroot
	plain=$output
	vbm showvminfo Born2beroot --details
	expect_status 0
	[ "$output" = "$plain" ]
	vbm showvminfo -D Born2beroot
	[ "$output" = "$plain" ]
}

@test "shared folders, bandwidth groups, snapshots and description blocks" {
	mkfile blocks 0c000000-0000-0000-0000-000000000001 \
		' currentSnapshot="{0c000000-0000-0000-0000-000000000003}"' \
		'<Description>two
lines</Description><Snapshot uuid="{0c000000-0000-0000-0000-000000000002}" name="s1" timeStamp="2024-01-01T00:00:00Z"><Description>one line</Description><Hardware/><Snapshots><Snapshot uuid="{0c000000-0000-0000-0000-000000000003}" name="s2" timeStamp="2024-01-02T00:00:00Z"><Hardware/></Snapshot></Snapshots></Snapshot><Hardware><SharedFolders><SharedFolder name="v" hostPath="/p" writable="false" autoMount="true" autoMountPoint="/mnt/v"/></SharedFolders><IO><BandwidthGroups><BandwidthGroup name="net" type="Network" maxBytesPerSec="125000"/><BandwidthGroup name="disk" type="Disk" maxBytesPerSec="2097152"/></BandwidthGroups></IO></Hardware>'
	vbm showvminfo blocks
	expect_status 0
	expect_out "Bandwidth groups:            "
	expect_out "#0: Name: 'net', Type: Network, Limit: 1 Mbps (125000 bytes/s)"
	expect_out "#1: Name: 'disk', Type: Disk, Limit: 2 MiB/s"
	expect_out "Shared folders:              "
	expect_out "Name: 'v', Host path: '/p' (machine mapping), readonly, auto-mount, mount-point: '/mnt/v'"
	expect_out "Description:"
	expect_out "two"
	expect_out "lines"
	expect_out "* Snapshots:"
	expect_out "   Name: s1 (UUID: 0c000000-0000-0000-0000-000000000002)"
	expect_out "   Description: one line"
	expect_out "      Name: s2 (UUID: 0c000000-0000-0000-0000-000000000003) *"
	[ -z "${lines[-1]}" ] || [ "${lines[-1]}" = "Configured memory balloon:   0MB" ]
	[[ $output == *$'Configured memory balloon:   0MB' ]]
}

@test "an inaccessible machine" {
	mkfile lost 0c000000-0000-0000-0000-0000000000aa
	rm "$VMF"
	vbm showvminfo 0c000000-0000-0000-0000-0000000000aa
	expect_status 0
	[ "${lines[0]}" = "Name:            <inaccessible!>" ]
	[ "${lines[1]}" = "UUID:            0c000000-0000-0000-0000-0000000000aa" ]
	[ "${lines[2]}" = "Config file:     $VMF" ]
	[ "${lines[3]}" = "Encryption:     disabled" ]
	[ "${lines[4]}" = "Access error details:" ]
}

@test "--log prints the VM log without CRs; a missing log is an IPRT error" {
	mkfile logged 0c000000-0000-0000-0000-000000000004
	mkdir -p "$VMS/logged/Logs"
	printf 'line one\r\nline two\r\n' >"$VMS/logged/Logs/VBox.log"
	printf 'older\n' >"$VMS/logged/Logs/VBox.log.1"
	vbm showvminfo logged --log 0
	expect_status 0
	[ "$output" = $'line one\nline two' ]
	vbm showvminfo --log 1 logged
	expect_status 0
	[ "$output" = "older" ]
	vbm showvminfo logged --log 3
	expect_status 1
	expect_err "VBoxManage: error: Could not open log file '$VMS/logged/Logs/VBox.log.3' (VERR_FILE_NOT_FOUND)"
	expect_err "VBoxManage: error: Details: code VBOX_E_IPRT_ERROR (0x80bb0005), component MachineWrap, interface IMachine, callee nsISupports"
}
