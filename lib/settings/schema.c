/*
 * Where VirtualBox 7.0 writes each child element among its siblings.  Used
 * when we create an element, so that new and changed files have the same
 * element order as files written by VirtualBox.  Names missing here (and
 * children of unlisted parents) are appended.
 *
 * Hardware children follow the 5.1 .. 7.0 "CPU first" writer; CPU children
 * the order seen in every fixture written by 5.0 .. 7.0.
 */
#include <string.h>

#include "lib/settings/settings-int.h"
#include "lib/util/checked.h"

struct order {
	const char *parent;
	const char *const *children;
};

static const char *const o_global[] = { "ExtraData", "MachineRegistry",
	"MediaRegistry", "NetserviceRegistry", "SharedFolders", "Updates",
	"SystemProperties", "PlatformProperties", "USBDeviceFilters",
	"USBDeviceSources", NULL };
static const char *const o_netsvc[] = { "DHCPServers", "NATNetworks",
	"HostOnlyNetworks", "CloudNetworks", NULL };
static const char *const o_mediareg[] = { "HardDisks", "DVDImages",
	"FloppyImages", NULL };
static const char *const o_harddisk[] = { "Description", "Property",
	"HardDisk", NULL };
static const char *const o_machine[] = { "Description", "Teleporter",
	"MediaRegistry", "ExtraData", "Snapshot", "Hardware",
	"StorageControllers", "Debugging", "Autostart", "Recording", "Groups",
	"Platform", NULL };
static const char *const o_snapshot[] = { "Description", "Hardware",
	"StorageControllers", "Debugging", "Autostart", "Recording",
	"Platform", "Snapshots", NULL };
static const char *const o_hardware[] = { "CPU", "Memory", "Firmware", "HID",
	"HPET", "Chipset", "Paravirt", "Iommu", "Boot", "Display",
	"VideoCapture", "RemoteDisplay", "BIOS", "DVDDrive", "FloppyDrive",
	"TrustedPlatformModule", "USB",
	"USBController", "Network", "UART", "LPT", "AudioAdapter", "RTC",
	"SharedFolders", "Clipboard", "DragAndDrop", "IO", "HostPci",
	"EmulatedUSB", "Frontend", "Guest", "GuestProperties",
	"StorageControllers", NULL };
static const char *const o_cpu[] = { "HardwareVirtEx",
	"HardwareVirtExNestedPaging", "HardwareVirtExVPID", "HardwareVirtExUX",
	"PAE", "IBPBOn", "SpecCtrl", "SpecCtrlByHost", "L1DFlushOn",
	"MDSClearOn", "NestedHWVirt", "HardwareVirtExVirtVmsaveVmload",
	"LongMode", "TripleFaultReset", "X2APIC", "APIC",
	"HardwareVirtExLargePages", "HardwareVirtForce",
	"HardwareVirtExUseNativeApi", "CpuTree", "CpuIdTree", NULL };
static const char *const o_bios[] = { "ACPI", "IOAPIC", "APIC", "Logo",
	"BootMenu", "TimeOffset", "PXEDebug", "NVRAM",
	"SmbiosUuidLittleEndian", "AutoSerialNumGen", NULL };
static const char *const o_adapter[] = { "DisabledModes", "NAT",
	"BridgedInterface", "InternalNetwork", "HostOnlyInterface",
	"GenericInterface", "NATNetwork", "CloudNetwork", "HostOnlyNetwork",
	NULL };
static const char *const o_nat[] = { "DNS", "Alias", "TFTP", "Forwarding",
	NULL };
static const char *const o_usb[] = { "Controllers", "DeviceFilters", NULL };
static const char *const o_io[] = { "IoCache", "BandwidthGroups", NULL };
static const char *const o_debugging[] = { "Tracing", "GuestDebug", NULL };
static const char *const o_attached[] = { "Image", "HostDrive", NULL };
static const char *const o_platform[] = { "RTC", "Chipset", "Iommu", "CPU",
	"x86", NULL };
static const char *const o_x86[] = { "CPU", "HPET", NULL };

static const struct order orders[] = {
	{ "Global", o_global },
	{ "NetserviceRegistry", o_netsvc },
	{ "MediaRegistry", o_mediareg },
	{ "HardDisk", o_harddisk },
	{ "Machine", o_machine },
	{ "Snapshot", o_snapshot },
	{ "Hardware", o_hardware },
	{ "CPU", o_cpu },
	{ "BIOS", o_bios },
	{ "Firmware", o_bios },
	{ "Adapter", o_adapter },
	{ "DisabledModes", o_adapter },
	{ "NAT", o_nat },
	{ "USB", o_usb },
	{ "IO", o_io },
	{ "Debugging", o_debugging },
	{ "AttachedDevice", o_attached },
	{ "Platform", o_platform },
	{ "x86", o_x86 },
};

int schema_rank(const char *parent, const char *child)
{
	size_t i;
	int k;

	for (i = 0; i < VB_ARRAY_SIZE(orders); i++) {
		if (strcmp(orders[i].parent, parent))
			continue;
		for (k = 0; orders[i].children[k]; k++)
			if (!strcmp(orders[i].children[k], child))
				return k;
		return -1;
	}
	return -1;
}
