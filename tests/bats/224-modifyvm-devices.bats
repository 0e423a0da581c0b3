#!/usr/bin/env bats
# modifyvm device options: serial and parallel ports, audio, USB, VRDE
# (with the --vrdp deprecation warnings), boot order, CPUID overrides,
# CPU hot-plug, hardware virtualisation flags.

load helpers
load vmconfig

U=a0516e6f-6666-4777-8888-e9990000bbbb

local_setup() {
	need_shared
	mkfile dev $U
}

@test "serial ports: modes, types, both outputs, file" {
	vbm modifyvm dev --uart1 0x3f8 4 --uartmode1 server /tmp/pipe1 \
		--uart2 0x2f8 3 --uart-mode2 tcpserver 5555 --uart-type2 16750 \
		--uart3 0x3e8 4 --uartmode3 file /tmp/com3.log \
		--uart4 0x2e8 3 --uartmode4 /dev/ttyS0 --uarttype4 16450
	expect_status 0
	vbm showvminfo dev --machinereadable
	expect_out 'uart1="0x03f8,4"'
	expect_out 'uartmode1="server,/tmp/pipe1"'
	expect_out 'uarttype1="16550A"'
	expect_out 'uart2="0x02f8,3"'
	expect_out 'uartmode2="tcpserver,5555"'
	expect_out 'uarttype2="16750"'
	expect_out 'uartmode3="file,/tmp/com3.log"'
	expect_out 'uartmode4="/dev/ttyS0"'
	expect_out 'uarttype4="16450"'
	vbm showvminfo dev
	expect_out "UART 1:                      I/O base: 0x03f8, IRQ: 4, attached to pipe (server) '/tmp/pipe1', 16550A"
	expect_out "UART 2:                      I/O base: 0x02f8, IRQ: 3, attached to tcp (server) '5555', 16750"
	# VirtualBox ends the raw-file text with a newline before the type
	expect_out "UART 3:                      I/O base: 0x03e8, IRQ: 4, attached to raw file '/tmp/com3.log'"
	expect_out ", 16550A"
	expect_out "UART 4:                      I/O base: 0x02e8, IRQ: 3, attached to device '/dev/ttyS0', 16450"
	grep -q '<Port slot="0" enabled="true" IOBase="0x3f8" IRQ="4" server="true" path="/tmp/pipe1" hostMode="HostPipe"/>' "$VMF"
	grep -q '<Port slot="1" enabled="true" IOBase="0x2f8" IRQ="3" server="true" path="5555" hostMode="TCP" uartType="16750"/>' "$VMF"
	# off keeps the port's mode and path
	vbm modifyvm dev --uart1 off
	expect_status 0
	grep -q '<Port slot="0" enabled="false" IOBase="0x3f8" IRQ="4" server="true" path="/tmp/pipe1" hostMode="HostPipe"/>' "$VMF"
	vbm showvminfo dev --machinereadable
	expect_out 'uart1="off"'
	expect_no_out 'uartmode1="server,/tmp/pipe1"'
}

@test "a serial port back at its defaults is not written" {
	vbm modifyvm dev --uart1 0x3f8 4
	expect_status 0
	grep -q '<Port slot="0" enabled="true" IOBase="0x3f8" IRQ="4" hostMode="Disconnected"/>' "$VMF"
	vbm showvminfo dev --machinereadable
	expect_out 'uart1="0x03f8,4"'
	expect_out 'uartmode1="disconnected"'
	vbm modifyvm dev --uart1 off
	expect_status 0
	lacks '<UART' "$VMF"
}

@test "serial port errors: exit 2 for missing values, 1 for bad ones" {
	vbm modifyvm dev --uart1 0x3f8
	expect_status 2
	expect_err "VBoxManage: error: Missing or invalid argument to '--uart'"
	vbm modifyvm dev --uart-mode1 server
	expect_status 2
	vbm modifyvm dev --uarttype1 8250
	expect_status 2
	expect_err "VBoxManage: error: Invalid argument to '--uarttype'"
	vbm modifyvm dev --uart5 off
	expect_status 1
}

@test "parallel ports" {
	vbm modifyvm dev --lpt1 0x378 7 --lptmode1 /dev/lp0
	expect_status 0
	vbm showvminfo dev --machinereadable
	expect_out 'lpt1="0x0378,7"'
	expect_out 'lptmode1="/dev/lp0"'
	expect_out 'lpt2="off"'
	vbm showvminfo dev
	expect_out "LPT 1:                       I/O base: 0x0378, IRQ: 7, attached to device '/dev/lp0'"
	vbm modifyvm dev --lpt1 off
	expect_status 0
	grep -q '<Port slot="0" enabled="false" IOBase="0x378" IRQ="7" path="/dev/lp0"/>' "$VMF"
	vbm showvminfo dev --machinereadable
	expect_out 'lpt1="off"'
}

@test "audio: controller, codec, driver, in/out" {
	vbm modifyvm dev --audio-driver null --audio-controller hda --audio-enabled on --audio-in on --audio-out on
	expect_status 0
	vbm showvminfo dev
	expect_out "Audio:                       enabled (Driver: Null, Controller: HDA, Codec: STAC9221)"
	expect_out "Audio playback:              enabled"
	expect_out "Audio capture:               enabled"
	vbm showvminfo dev --machinereadable
	expect_out 'audio="null"'
	expect_out 'audio_out="on"'
	expect_out 'audio_in="on"'
	# the codec has to fit the controller
	vbm modifyvm dev --audiocodec stac9700
	expect_status 1
	expect_err "VBoxManage: error: Invalid audio codec type 2"
	vbm modifyvm dev --audiocontroller ac97 --audiocodec ad1980
	expect_status 0
	vbm showvminfo dev
	expect_out "Audio:                       enabled (Driver: Null, Controller: AC97, Codec: AD1980)"
	# --audio is deprecated: it warns, and sets driver and enabled
	vbm modifyvm dev --audio none
	expect_status 0
	expect_err "Warning: --audio is deprecated and will be removed soon. Use --audio-driver instead!"
	vbm showvminfo dev --machinereadable
	expect_out 'audio="none"'
	vbm modifyvm dev --audio-driver dsound2
	expect_status 1
	expect_err "VBoxManage: error: Invalid --audio-driver argument 'dsound2'"
}

@test "audio driver default: the host's backend, remembered as default" {
	vbm modifyvm dev --audio-enabled on --audio-driver default
	expect_status 0
	grep -q 'useDefault="true"' "$VMF"
	grep -Eq 'driver="(Pulse|ALSA|OSS)"' "$VMF"
	vbm showvminfo dev --machinereadable
	expect_out 'audio="default"'
}

@test "USB controllers: add, remove, rename" {
	vbm modifyvm dev --usbohci on --usbehci on --usbxhci on
	expect_status 0
	vbm showvminfo dev --machinereadable
	expect_out 'usb="on"'
	expect_out 'ehci="on"'
	expect_out 'xhci="on"'
	grep -q '<Controller name="OHCI" type="OHCI"/>' "$VMF"
	grep -q '<Controller name="xHCI" type="XHCI"/>' "$VMF"
	vbm modifyvm dev --usb-rename OHCI MyOHCI
	expect_status 0
	grep -q '<Controller name="MyOHCI" type="OHCI"/>' "$VMF"
	vbm modifyvm dev --usbrename nosuch x
	expect_status 1
	expect_err "VBoxManage: error: Invalid --usbrename parameters, nothing renamed"
	vbm modifyvm dev --usb-rename OHCI
	expect_status 2
	vbm modifyvm dev --usb-ohci off --usb-ehci off --usb-xhci off
	expect_status 0
	lacks '<USB' "$VMF"
	# --usb is the deprecated OHCI switch
	vbm modifyvm dev --usb on
	expect_status 0
	vbm showvminfo dev --machinereadable
	expect_out 'usb="on"'
}

@test "VRDE settings and the human line" {
	vbm modifyvm dev --vrde on --vrdeport 5000-5010 --vrdeaddress 127.0.0.1 \
		--vrdeauthtype external --vrdemulticon on --vrdevideochannel on \
		--vrdevideochannelquality 60
	expect_status 0
	[ -z "$stderr" ]
	vbm showvminfo dev
	expect_out "VRDE:                        enabled (Address 127.0.0.1, Ports 5000-5010, MultiConn: on, ReuseSingleConn: off, Authentication type: external)"
	expect_out "Video redirection:           enabled (Quality 60)"
	vbm showvminfo dev --machinereadable
	expect_out 'vrde="on"'
	expect_out 'vrdeport=-1'
	expect_out 'vrdeports="5000-5010"'
	expect_out 'vrdeaddress="127.0.0.1"'
	expect_out 'vrdeauthtype="external"'
	expect_out 'vrdemulticon="on"'
	expect_out 'vrdevideochannel="on"'
	expect_out 'vrdevideochannelquality="60"'
	grep -q '<Property name="TCP/Ports" value="5000-5010"/>' "$VMF"
	# "default" (and "0") is 3389
	vbm modifyvm dev --vrdeport default
	expect_status 0
	grep -q '<Property name="TCP/Ports" value="3389"/>' "$VMF"
	vbm showvminfo dev --machinereadable
	expect_out 'vrdeports="3389"'
	# port lists are checked; a bad one fails without an error text
	vbm modifyvm dev --vrdeport 5000-6000,7000
	expect_status 0
	local bad
	for bad in 0-5 70000 1-2-3 abc "" 123456; do
		vbm modifyvm dev --vrdeport "$bad"
		expect_status 1
	done
	[ "$stderr" = 'VBoxManage: error: Code NS_ERROR_INVALID_ARG (0x80070057) - Invalid argument value (extended info not available)
VBoxManage: error: Context: "SetVRDEProperty(Bstr("TCP/Ports").raw(), Bstr(ValueUnion.psz).raw())" at line 2870 of file VBoxManageModifyVM.cpp' ]
}

@test "--vrdp spellings warn and still work" {
	vbm modifyvm dev --vrdp on --vrdpport 3390 --vrdpaddress 0.0.0.0 --vrdpauthtype null --vrdpmulticon on --vrdpreusecon on
	expect_status 0
	[ "$stderr" = "Warning: '--vrdp' is deprecated. Use '--vrde'.
Warning: '--vrdpport' is deprecated. Use '--vrdeport'.
Warning: '--vrdpaddress' is deprecated. Use '--vrdeaddress'.
Warning: '--vrdpauthtype' is deprecated. Use '--vrdeauthtype'.
Warning: '--vrdpmulticon' is deprecated. Use '--vrdemulticon'.
Warning: '--vrdpreusecon' is deprecated. Use '--vrdereusecon'." ]
	vbm showvminfo dev --machinereadable
	expect_out 'vrde="on"'
	expect_out 'vrdeports="3390"'
	expect_out 'vrdereusecon="on"'
}

@test "VRDE properties: set, list, remove" {
	vbm modifyvm dev --vrde on --vrde-property Security/Method=TLS --vrdeproperty "Client/DisableUSB=1"
	expect_status 0
	grep -q '<Property name="Client/DisableUSB" value="1"/>' "$VMF"
	grep -q '<Property name="Security/Method" value="TLS"/>' "$VMF"
	# vrdeproperty[] lines need a VRDE extension pack to name them
	vbm showvminfo dev --machinereadable
	expect_no_out 'vrdeproperty[Security/Method]="TLS"'
	vbm modifyvm dev --vrde-property Security/Method=
	expect_status 0
	lacks 'Security/Method' "$VMF"
	vbm modifyvm dev --vrde-property novalue
	expect_status 1
}

@test "boot order: all four entries are written once changed" {
	vbm modifyvm dev --boot1 net
	expect_status 0
	grep -q '<Order position="1" device="Network"/>' "$VMF"
	grep -q '<Order position="2" device="DVD"/>' "$VMF"
	grep -q '<Order position="3" device="HardDisk"/>' "$VMF"
	grep -q '<Order position="4" device="None"/>' "$VMF"
	vbm showvminfo dev --machinereadable
	expect_out 'boot1="net"'
	expect_out 'boot2="dvd"'
	expect_out 'boot3="disk"'
	expect_out 'boot4="none"'
	vbm showvminfo dev
	expect_out "Boot Device 1:               Network"
	expect_out "Boot Device 4:               Not Assigned"
	# back to floppy/dvd/disk/none: the Boot element goes
	vbm modifyvm dev --boot1 floppy
	expect_status 0
	lacks '<Boot>' "$VMF"
	vbm modifyvm dev --boot1 usb
	expect_status 2
	expect_err "VBoxManage: error: Invalid boot device 'usb'"
	vbm modifyvm dev --boot5 disk
	expect_status 1
	expect_err "VBoxManage: error: Invalid boot position: 5 (must be in range [1, 4])"
}

@test "CPUID overrides: set, show, remove" {
	vbm modifyvm dev --cpuid-set 0x80000001 1 2 3 4 --cpuidset 0xa 0xf 0 0 0xffffffff
	expect_status 0
	grep -q '<CpuIdLeaf id="2147483649" eax="1" ebx="2" ecx="3" edx="4"/>' "$VMF"
	vbm showvminfo dev
	expect_out "CPUID overrides:             Leaf no.      EAX      EBX      ECX      EDX"
	expect_out "                             80000001/000  00000001 00000002 00000003 00000004"
	expect_out "                             0000000a/000  0000000f 00000000 00000000 ffffffff"
	vbm showvminfo dev --machinereadable
	[[ $output == *'cpuid=0000000a,00000000,0000000f,00000000,00000000,ffffffff'* ]]
	vbm modifyvm dev --cpuid-remove 0x80000001
	expect_status 0
	lacks 'id="2147483649"' "$VMF"
	vbm modifyvm dev --cpuid-remove-all
	expect_status 0
	lacks 'CpuIdTree' "$VMF"
	vbm modifyvm dev --cpuid-set 1 2 3
	expect_status 2
	expect_err "VBoxManage: error: Missing or invalid argument to '--cpuid-set'"
	vbm modifyvm dev --cpuid-set 1:2 5 6 7 8
	expect_status 1
	expect_err "VBoxManage: error: Currently only aSubIdx values 0 and 0xffffffff are supported: 0x2"
}

@test "CPU hot-plug: tree of attached CPUs, CPU 0 stays" {
	vbm modifyvm dev --cpu-hotplug on --cpus 4 --plug-cpu 2
	expect_status 0
	grep -q '<CPU count="4" hotplug="true">' "$VMF"
	grep -q '<Cpu id="0"/>' "$VMF"
	grep -q '<Cpu id="2"/>' "$VMF"
	vbm modifyvm dev --unplugcpu 2
	expect_status 0
	lacks '<Cpu id="2"/>' "$VMF"
	vbm modifyvm dev --unplug-cpu 0
	expect_status 1
	expect_err "VBoxManage: error: It is not possible to detach CPU 0"
	# hot-plug can only go off with every CPU plugged in
	vbm modifyvm dev --cpuhotplug off
	expect_status 1
	expect_err "VBoxManage: error: CPU hotplugging can't be disabled because the maximum number of CPUs is not equal to the amount of CPUs attached"
	vbm modifyvm dev --plugcpu 1 --plugcpu 2 --plugcpu 3 --cpuhotplug off
	expect_status 0
	lacks 'CpuTree' "$VMF"
	lacks 'hotplug=' "$VMF"
}

@test "hardware virtualisation and CPU flags" {
	vbm modifyvm dev --hwvirtex off --nestedpaging off --nested-hw-virt on \
		--pae off --long-mode off --x2apic on --ibpb-on-vm-exit on --spec-ctrl on \
		--l1d-flush-on-sched off --mds-clear-on-vm-entry on --virt-vmsave-vmload off
	expect_status 0
	vbm showvminfo dev --machinereadable
	expect_out 'hwvirtex="off"'
	expect_out 'nestedpaging="off"'
	expect_out 'nested-hw-virt="on"'
	expect_out 'pae="off"'
	expect_out 'longmode="off"'
	expect_out 'x2apic="on"'
	expect_out 'virtvmsavevmload="off"'
	grep -q '<HardwareVirtEx enabled="false"/>' "$VMF"
	grep -q '<NestedHWVirt enabled="true"/>' "$VMF"
	grep -q '<IBPBOn vmexit="true"/>' "$VMF"
	grep -q '<SpecCtrl enabled="true"/>' "$VMF"
	grep -q '<MDSClearOn vmentry="true"/>' "$VMF"
}

@test "firmware, chipset, graphics, mouse, keyboard, clipboard" {
	vbm modifyvm dev --firmware efi --graphicscontroller vmsvga --mouse usbtablet \
		--keyboard usb --clipboard-mode bidirectional --draganddrop hosttoguest \
		--bios-apic x2apic --bioslogofadein off --iommu amd --tpm-type 2.0
	expect_status 0
	vbm showvminfo dev --machinereadable
	expect_out 'firmware="EFI"'
	expect_out 'graphicscontroller="vmsvga"'
	expect_out 'hidpointing="usbtablet"'
	expect_out 'hidkeyboard="usbkbd"'
	expect_out 'clipboard="bidirectional"'
	expect_out 'draganddrop="hosttoguest"'
	expect_out 'biosapic="x2apic"'
	expect_out 'iommu="amd"'
	grep -q '<Firmware type="EFI"/>' "$VMF"
	grep -q '<TrustedPlatformModule type="v2_0"/>' "$VMF"
	vbm showvminfo dev
	expect_out "Graphics Controller:         VMSVGA"
	expect_out "Pointing Device:             USB Tablet"
	expect_out "Keyboard Device:             USB Keyboard"
	expect_out "Clipboard Mode:              Bidirectional"
	expect_out "Drag and drop Mode:          HostToGuest"
}

@test "2D video acceleration is stored but 7.0 always reports it off" {
	vbm modifyvm dev --accelerate-2d-video on --accelerate3d on
	expect_status 0
	grep -q 'accelerate2DVideo="true"' "$VMF"
	vbm showvminfo dev --machinereadable
	expect_out 'accelerate3d="on"'
	expect_out 'accelerate2dvideo="off"'
	vbm showvminfo dev
	expect_out "2D Video Acceleration:       disabled"
}
