# Helpers for the appliance, clone and snapshot tests (4xx).
#
#   vdw IMAGE|UUID OFFSET LENGTH BYTE   write into a disk image as a guest
#                                       would (tests/tools/vdisk-write)
#   raw_of IMAGE|UUID FILE              the image's content as a raw file,
#                                       through clonemedium --format RAW
#   byte_at FILE OFFSET                 one byte of a file, two hex digits
#   new_vm NAME [FORMAT]                a registered machine with a SATA
#                                       controller and an 8 MiB disk
#   state_disk VM                       UUID of the current state's disk
#   make_box DIR                        a Vagrant-style plain DMTF box:
#                                       box.ovf + box-disk001.vmdk made by
#                                       qemu-img (streamOptimized)

VDW="$VB_BIN/../tests/tools/vdisk-write"

vdw() {
	"$VDW" "$@"
}

raw_of() {
	"$VB_BIN/VBoxManage" clonemedium "$1" "$2" --format RAW >/dev/null 2>&1 || return 1
	"$VB_BIN/VBoxManage" closemedium "$2" >/dev/null 2>&1
	return 0
}

byte_at() {
	od -An -tx1 -j "$2" -N1 "$1" | tr -d ' \n'
}

new_vm() {
	local fmt=${2:-VDI} ext
	ext=$(echo "$fmt" | tr '[:upper:]' '[:lower:]')
	"$VB_BIN/VBoxManage" createvm --name "$1" --register >/dev/null &&
	"$VB_BIN/VBoxManage" createmedium disk --filename "$VMS/$1/$1.$ext" \
		--format "$fmt" --size 8 >/dev/null 2>&1 &&
	"$VB_BIN/VBoxManage" storagectl "$1" --name SATA --add sata &&
	"$VB_BIN/VBoxManage" storageattach "$1" --storagectl SATA --port 0 \
		--device 0 --type hdd --medium "$VMS/$1/$1.$ext"
}

# The UUID of the disk the machine's current state uses (the last
# <Image> after the snapshot tree in the .vbox).
state_disk() {
	python3 - "$VMS/$1/$1.vbox" <<'PY'
import re, sys
s = open(sys.argv[1]).read()
i = s.rfind('</Snapshot>')
t = s[i:] if i >= 0 else s
m = re.search(r'type="HardDisk"[^>]*>\s*<Image uuid="\{([^}]*)\}"', t)
print(m.group(1) if m else "")
PY
}

make_box() {
	local dir=$1
	mkdir -p "$dir"
	head -c 4194304 /dev/zero >"$dir/d.raw"
	printf 'BOXDATA' | dd of="$dir/d.raw" conv=notrunc 2>/dev/null
	printf 'END' | dd of="$dir/d.raw" bs=1 seek=4194301 conv=notrunc 2>/dev/null
	qemu-img convert -O vmdk -o subformat=streamOptimized "$dir/d.raw" \
		"$dir/box-disk001.vmdk"
	rm -f "$dir/d.raw"
	cat >"$dir/box.ovf" <<'OVF'
<?xml version="1.0"?>
<Envelope ovf:version="1.0" xml:lang="en-US" xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1" xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData" xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <References>
    <File ovf:href="box-disk001.vmdk" ovf:id="file1"/>
  </References>
  <DiskSection>
    <Info>List of the virtual disks used in the package</Info>
    <Disk ovf:capacity="4194304" ovf:diskId="vmdisk1" ovf:fileRef="file1" ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/>
  </DiskSection>
  <NetworkSection>
    <Info>Logical networks used in the package</Info>
    <Network ovf:name="NAT">
      <Description>Logical network used by this appliance.</Description>
    </Network>
  </NetworkSection>
  <VirtualSystem ovf:id="testbox">
    <Info>A virtual machine</Info>
    <OperatingSystemSection ovf:id="96">
      <Info>The kind of installed guest operating system</Info>
      <Description>Debian_64</Description>
    </OperatingSystemSection>
    <VirtualHardwareSection>
      <Info>Virtual hardware requirements for a virtual machine</Info>
      <System>
        <vssd:ElementName>Virtual Hardware Family</vssd:ElementName>
        <vssd:InstanceID>0</vssd:InstanceID>
        <vssd:VirtualSystemIdentifier>testbox</vssd:VirtualSystemIdentifier>
        <vssd:VirtualSystemType>virtualbox-2.2</vssd:VirtualSystemType>
      </System>
      <Item>
        <rasd:Caption>2 virtual CPU</rasd:Caption>
        <rasd:Description>Number of virtual CPUs</rasd:Description>
        <rasd:InstanceID>1</rasd:InstanceID>
        <rasd:ResourceType>3</rasd:ResourceType>
        <rasd:VirtualQuantity>2</rasd:VirtualQuantity>
      </Item>
      <Item>
        <rasd:AllocationUnits>MegaBytes</rasd:AllocationUnits>
        <rasd:Caption>512 MB of memory</rasd:Caption>
        <rasd:Description>Memory Size</rasd:Description>
        <rasd:InstanceID>2</rasd:InstanceID>
        <rasd:ResourceType>4</rasd:ResourceType>
        <rasd:VirtualQuantity>512</rasd:VirtualQuantity>
      </Item>
      <Item>
        <rasd:Address>0</rasd:Address>
        <rasd:Caption>ideController0</rasd:Caption>
        <rasd:Description>IDE Controller</rasd:Description>
        <rasd:InstanceID>3</rasd:InstanceID>
        <rasd:ResourceSubType>PIIX4</rasd:ResourceSubType>
        <rasd:ResourceType>5</rasd:ResourceType>
      </Item>
      <Item>
        <rasd:Address>1</rasd:Address>
        <rasd:Caption>ideController1</rasd:Caption>
        <rasd:Description>IDE Controller</rasd:Description>
        <rasd:InstanceID>4</rasd:InstanceID>
        <rasd:ResourceSubType>PIIX4</rasd:ResourceSubType>
        <rasd:ResourceType>5</rasd:ResourceType>
      </Item>
      <Item>
        <rasd:Address>0</rasd:Address>
        <rasd:Caption>sataController0</rasd:Caption>
        <rasd:Description>SATA Controller</rasd:Description>
        <rasd:InstanceID>5</rasd:InstanceID>
        <rasd:ResourceSubType>AHCI</rasd:ResourceSubType>
        <rasd:ResourceType>20</rasd:ResourceType>
      </Item>
      <Item>
        <rasd:AddressOnParent>0</rasd:AddressOnParent>
        <rasd:Caption>disk1</rasd:Caption>
        <rasd:Description>Disk Image</rasd:Description>
        <rasd:HostResource>/disk/vmdisk1</rasd:HostResource>
        <rasd:InstanceID>6</rasd:InstanceID>
        <rasd:Parent>5</rasd:Parent>
        <rasd:ResourceType>17</rasd:ResourceType>
      </Item>
      <Item>
        <rasd:AddressOnParent>0</rasd:AddressOnParent>
        <rasd:AutomaticAllocation>true</rasd:AutomaticAllocation>
        <rasd:Caption>cdrom1</rasd:Caption>
        <rasd:Description>CD-ROM Drive</rasd:Description>
        <rasd:InstanceID>7</rasd:InstanceID>
        <rasd:Parent>4</rasd:Parent>
        <rasd:ResourceType>15</rasd:ResourceType>
      </Item>
      <Item>
        <rasd:AutomaticAllocation>true</rasd:AutomaticAllocation>
        <rasd:Caption>Ethernet adapter on 'NAT'</rasd:Caption>
        <rasd:Connection>NAT</rasd:Connection>
        <rasd:InstanceID>8</rasd:InstanceID>
        <rasd:ResourceSubType>E1000</rasd:ResourceSubType>
        <rasd:ResourceType>10</rasd:ResourceType>
      </Item>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
OVF
}
