/*
 * Settings versions: the lowest version that can express what a document
 * holds ("bump if needed", never down), and the conversions of the tree
 * when a file moves to a newer version.
 *
 * The DOM holds values in the terms of the file's own version: an absent
 * attribute means that version's default.  Several defaults changed over
 * time (NIC type and cable at 1.16, VRDE and audio at 1.16/1.17, paravirt
 * provider at 1.16, NAT localhost-reachable at 1.19), so a bump rewrites
 * those attributes to keep every value the same.  Element moves: USB
 * (1.14), StorageControllers into Hardware (1.17), the Platform split
 * (1.20).  Snapshots carry their own Hardware and are converted alike.
 *
 * Trigger list: settings-format.md section 4.2 (from Settings.cpp's
 * bumpSettingsVersionIfNeeded).
 */
#include <stdlib.h>
#include <string.h>

#include "lib/settings/settings-int.h"

static unsigned vmax(unsigned a, unsigned b)
{
	return a > b ? a : b;
}

static bool attr_is(const struct snode *n, const char *a, const char *v)
{
	const char *x = snode_attr(n, a);

	return x && !strcmp(x, v);
}

static bool enabled_true(const struct snode *parent, const char *name)
{
	struct snode *c = snode_child(parent, name);

	return c && snode_bool(c, "enabled", false);
}

/* Needs of one Hardware element (machine or snapshot). */
static unsigned hw_needs(const struct snode *hw)
{
	struct snode *cpu = snode_child(hw, "CPU"), *n, *a;
	unsigned v = 0;
	const char *s;

	if (!hw)
		return 0;
	if (!attr_is(hw, "version", "2") && snode_has_attr(hw, "version"))
		v = vmax(v, 4);
	n = snode_child(hw, "Display");
	if (snode_bool(n, "accelerate2DVideo", false))
		v = vmax(v, 8);
	n = snode_child(hw, "Firmware");
	s = snode_attr(n, "type");
	if (s && strncmp(s, "BIOS", 4))
		v = vmax(v, 9);
	if (snode_attr(hw, "uuid"))
		v = vmax(v, 9);
	/* 1.10 */
	if (attr_is(snode_child(hw, "RTC"), "localOrUTC", "UTC") ||
	    enabled_true(hw, "HPET") || snode_bool(cpu, "hotplug", false) ||
	    snode_child(hw, "HID") ||
	    snode_bool(snode_child(hw, "Memory"), "PageFusion", false))
		v = vmax(v, 10);
	n = snode_path(hw, "IO/IoCache");
	if (n && (!snode_bool(n, "enabled", true) ||
		  snode_u32(n, "size", 5) != 5))
		v = vmax(v, 10);
	/* 1.11 */
	if (attr_is(snode_child(hw, "AudioAdapter"), "controller", "HDA") ||
	    (cpu && snode_u32(cpu, "executionCap", 100) != 100) ||
	    attr_is(snode_child(hw, "Chipset"), "type", "ICH9") ||
	    snode_path(hw, "IO/BandwidthGroups/BandwidthGroup"))
		v = vmax(v, 11);
	n = snode_child(hw, "RemoteDisplay");
	if (n && (snode_attr(n, "authLibrary") || snode_attr(n, "VRDEExtPack") ||
		  snode_child(n, "VRDEProperties")))
		v = vmax(v, 11);
	/* 1.12 */
	if (snode_path(hw, "HostPci/Devices/Device") ||
	    enabled_true(snode_child(hw, "EmulatedUSB"), "CardReader"))
		v = vmax(v, 12);
	for (a = snode_path(hw, "Network/Adapter"); a;
	     a = snode_next(a, "Adapter")) {
		if (snode_attr(a, "promiscuousModePolicy") ||
		    snode_attr(a, "bandwidthGroup") ||
		    snode_child(a, "GenericInterface"))
			v = vmax(v, 12);
		if (snode_child(a, "NATNetwork"))
			v = vmax(v, 14);
		if (snode_child(a, "CloudNetwork"))
			v = vmax(v, 18);
		if (snode_child(a, "HostOnlyNetwork"))
			v = vmax(v, 19);
		if (snode_attr(a, "bootPriority"))
			v = vmax(v, 10);
		n = snode_child(a, "NAT");
		if (n && attr_is(n, "localhost-reachable", "false"))
			v = vmax(v, 19);
		if (n && snode_attr(n, "forward-broadcast"))
			v = vmax(v, 20);
		if (n && (snode_attr(n, "mtu") || snode_attr(n, "sockrcv") ||
			  snode_attr(n, "socksnd") || snode_attr(n, "tcprcv") ||
			  snode_attr(n, "tcpsnd") || snode_child(n, "DNS") ||
			  snode_child(n, "Alias") || snode_child(n, "TFTP") ||
			  snode_attr(n, "network") || snode_attr(n, "hostip")))
			v = vmax(v, 10);
	}
	/* 1.14 */
	if (snode_path(hw, "Frontend/Default") || snode_child(cpu, "LongMode"))
		v = vmax(v, 14);
	/* 1.16: the CPU APIC/x2APIC flags */
	if (enabled_true(cpu, "X2APIC") ||
	    (snode_child(cpu, "APIC") && !snode_child_enabled(cpu, "APIC", true)))
		v = vmax(v, 16);
	n = snode_child(hw, "Display");
	s = snode_attr(n, "controller");
	if (s && strcmp(s, "VBoxVGA"))
		v = vmax(v, 14);
	if (snode_bool(snode_child(hw, "VideoCapture"), "enabled", false))
		v = vmax(v, 14);
	if (snode_child(hw, "USB")) {
		struct snode *c;
		unsigned nohci = 0, nehci = 0, other = 0;

		for (c = snode_path(hw, "USB/Controllers/Controller"); c;
		     c = snode_next(c, "Controller")) {
			if (attr_is(c, "type", "OHCI") && attr_is(c, "name", "OHCI"))
				nohci++;
			else if (attr_is(c, "type", "EHCI") &&
				 attr_is(c, "name", "EHCI"))
				nehci++;
			else
				other++;
			if (attr_is(c, "type", "XHCI"))
				v = vmax(v, 15);
		}
		if (other || nohci > 1 || nehci > 1)
			v = vmax(v, 14);
	}
	/* 1.15 */
	n = snode_child(hw, "Paravirt");
	s = snode_attr(n, "provider");
	if (s && strcmp(s, "Legacy"))
		v = vmax(v, 15);
	if (cpu && snode_attr(cpu, "CpuIdPortabilityLevel") &&
	    snode_u32(cpu, "CpuIdPortabilityLevel", 0))
		v = vmax(v, 15);
	for (a = snode_path(hw, "UART/Port"); a; a = snode_next(a, "Port")) {
		if (attr_is(a, "hostMode", "TCP"))
			v = vmax(v, 15);
		s = snode_attr(a, "uartType");
		if (s && strcmp(s, "16550A"))
			v = vmax(v, 17);
	}
	/* 1.16 */
	if (n && snode_attr(n, "debug"))
		v = vmax(v, 16);
	s = snode_attr(cpu, "CpuProfile");
	if (s && *s && strcmp(s, "host"))
		v = vmax(v, 16);
	if (snode_path(hw, "BIOS/APIC") || snode_child(cpu, "IBPBOn") ||
	    snode_child(cpu, "SpecCtrl") || snode_child(cpu, "SpecCtrlByHost") ||
	    snode_child(cpu, "L1DFlushOn") || snode_child(cpu, "MDSClearOn"))
		v = vmax(v, 16);
	for (a = snode_path(cpu, "CpuIdTree/CpuIdLeaf"); a;
	     a = snode_next(a, "CpuIdLeaf"))
		if (snode_u32(a, "subleaf", 0))
			v = vmax(v, 16);
	/* 1.17 */
	if (enabled_true(cpu, "NestedHWVirt") ||
	    enabled_true(cpu, "HardwareVirtExUseNativeApi"))
		v = vmax(v, 17);
	for (a = snode_path(hw, "SharedFolders/SharedFolder"); a;
	     a = snode_next(a, "SharedFolder")) {
		if (snode_attr(a, "autoMountPoint"))
			v = vmax(v, 17);
		if (snode_attr(a, "symlinkPolicy"))
			v = vmax(v, 20);
	}
	/* 1.18 */
	if (snode_path(hw, "BIOS/NVRAM") ||
	    (snode_child(cpu, "HardwareVirtExVirtVmsaveVmload") &&
	     !snode_child_enabled(cpu, "HardwareVirtExVirtVmsaveVmload", true)))
		v = vmax(v, 18);
	/* 1.19 */
	n = snode_child(hw, "Iommu");
	s = snode_attr(n, "type");
	if (s && strcmp(s, "None"))
		v = vmax(v, 19);
	n = snode_child(hw, "TrustedPlatformModule");
	s = snode_attr(n, "type");
	if (s && strcmp(s, "None"))
		v = vmax(v, 19);
	if (snode_bool(snode_child(hw, "AudioAdapter"), "useDefault", false))
		v = vmax(v, 19);
	/* 1.20 */
	s = snode_attr(snode_child(hw, "Display"), "controller");
	if (s && !strcmp(s, "QemuRamFB"))
		v = vmax(v, 20);
	return v;
}

/* Storage controllers of one machine/snapshot level. */
static unsigned storage_needs(const struct snode *sc)
{
	struct snode *c;
	unsigned v = 0;
	unsigned per_type[16] = { 0 };
	static const char *const types[] = { "PIIX3", "PIIX4", "ICH6", "AHCI",
		"LsiLogic", "BusLogic", "I82078", "LsiLogicSas", "USB", "NVMe",
		"VirtioSCSI" };

	for (c = snode_child(sc, "StorageController"); c;
	     c = snode_next(c, "StorageController")) {
		const char *t = snode_attr(c, "type");
		unsigned i;

		if (snode_u32(c, "Instance", 0))
			v = vmax(v, 9);
		if (!snode_bool(c, "useHostIOCache", true))
			v = vmax(v, 10);
		if (t && !strcmp(t, "NVMe"))
			v = vmax(v, 16);
		if (t && !strcmp(t, "VirtioSCSI"))
			v = vmax(v, 18);
		if (t && !strcmp(t, "USB"))
			v = vmax(v, 15);
		for (i = 0; t && i < sizeof(types) / sizeof(types[0]); i++)
			if (!strcmp(t, types[i]) && ++per_type[i] > 1)
				v = vmax(v, 11);
	}
	return v;
}

static unsigned level_needs(const struct snode *lvl, bool in_hw)
{
	struct snode *hw = snode_child(lvl, "Hardware");
	struct snode *sc = snode_child(hw, "StorageControllers");
	unsigned v = hw_needs(hw);

	(void)in_hw;
	if (!sc)
		sc = snode_child(lvl, "StorageControllers");
	v = vmax(v, storage_needs(sc));
	if (snode_child(lvl, "Debugging") || snode_child(lvl, "Autostart"))
		v = vmax(v, 13);
	if (snode_path(lvl, "Debugging/GuestDebug"))
		v = vmax(v, 19);
	if (snode_child(lvl, "Recording"))
		v = vmax(v, 19);
	if (snode_child(lvl, "Platform"))
		v = vmax(v, 20);
	return v;
}

static bool storage_fits_pre19(const struct snode *level)
{
	struct snode *c;

	if (!legacy_storage_fits_pre19(level))
		return false;
	for (c = snode_path(level, "Snapshots/Snapshot"); c;
	     c = snode_next(c, "Snapshot"))
		if (!storage_fits_pre19(c))
			return false;
	c = snode_child(level, "Snapshot");
	return !c || storage_fits_pre19(c);
}

unsigned machine_needed_version(struct sdoc *d)
{
	struct snode *m = sdoc_top(d), *g;
	unsigned v = d->version;
	const char *s;

	/* Only the current state counts, as in VirtualBox's
	 * bumpSettingsVersionIfNeeded(): a 1.16 file written by VirtualBox
	 * keeps an NVRAM path (a 1.18 setting) inside a snapshot. */
	v = vmax(v, level_needs(m, false));
	/* below 1.9 the drives are DVDDrive/FloppyDrive: one DVD drive at
	 * IDE 1:0 and at most one floppy drive (legacy.c) */
	if (v < 9 && !storage_fits_pre19(m))
		v = 9;
	if (snode_child(m, "Teleporter"))
		v = vmax(v, 9);
	g = snode_path(m, "MediaRegistry");
	if (g && snode_child(g, NULL))
		v = vmax(v, 11);
	if (attr_is(m, "OSType", "JRockitVE"))
		v = vmax(v, 11);
	if (snode_bool(m, "directoryIncludesUUID", false))
		v = vmax(v, 13);
	for (g = snode_path(m, "Groups/Group"); g; g = snode_next(g, "Group"))
		if (!attr_is(g, "name", "/"))
			v = vmax(v, 13);
	if (snode_attr(m, "icon"))
		v = vmax(v, 14);
	if (snode_attr(m, "processPriority"))
		v = vmax(v, 17);
	if (snode_attr(m, "stateKeyId") || snode_attr(m, "logKeyId"))
		v = vmax(v, 19);
	s = snode_attr(m, "executionEngine");
	if (s && strcmp(s, "Default"))
		v = vmax(v, 20);
	if (d->future)
		v = vmax(v, SV_NEWEST);
	return v;
}

unsigned global_needed_version(struct sdoc *d)
{
	struct snode *g = sdoc_top(d);
	unsigned v = d->version;

	if (snode_path(g, "NetserviceRegistry/NATNetworks/NATNetwork"))
		v = vmax(v, 14);
	if (snode_path(g, "USBDeviceSources/USBDeviceSource"))
		v = vmax(v, 16);
	if (snode_path(g, "NetserviceRegistry/CloudNetworks/CloudNetwork"))
		v = vmax(v, 18);
	if (snode_path(g, "NetserviceRegistry/HostOnlyNetworks/HostOnlyNetwork"))
		v = vmax(v, 19);
	if (d->future)
		v = vmax(v, SV_NEWEST);
	return v;
}

/* ------------------------------------------------------------------ */
/* conversions                                                         */

/* USBController (< 1.14) -> USB/Controllers + USB/DeviceFilters */
static int up_usb(struct snode *hw)
{
	struct snode *old = snode_child(hw, "USBController"), *usb, *c, *f;

	if (!old)
		return 0;
	if (snode_bool(old, "enabled", false) ||
	    snode_bool(old, "enabledEhci", false) ||
	    snode_child(old, "DeviceFilter")) {
		usb = snode_ensure(hw, "USB");
		if (!usb)
			return -1;
		if (snode_bool(old, "enabled", false)) {
			c = snode_add(snode_ensure(usb, "Controllers"),
				      "Controller");
			if (!c || snode_set_attr(c, "name", "OHCI") ||
			    snode_set_attr(c, "type", "OHCI"))
				return -1;
		}
		if (snode_bool(old, "enabledEhci", false)) {
			c = snode_add(snode_ensure(usb, "Controllers"),
				      "Controller");
			if (!c || snode_set_attr(c, "name", "EHCI") ||
			    snode_set_attr(c, "type", "EHCI"))
				return -1;
		}
		while ((f = snode_child(old, "DeviceFilter"))) {
			struct snode *df = snode_ensure(usb, "DeviceFilters");

			if (!df || snode_move(f, df))
				return -1;
		}
	}
	snode_remove(old);
	return 0;
}

/* Defaults that changed at 1.16 (NIC type and cable, VRDE, audio,
 * paravirt provider) and 1.17 (audio in/out). */
static int up_defaults_16(struct snode *hw)
{
	struct snode *a, *n;
	const char *s;

	for (a = snode_path(hw, "Network/Adapter"); a;
	     a = snode_next(a, "Adapter")) {
		s = snode_attr(a, "type");
		if (!s)
			snode_set_attr(a, "type", "Am79C970A");
		else if (!strcmp(s, "Am79C973"))
			snode_set_attr(a, "type", NULL);
		s = snode_attr(a, "cable");
		if (!s || !snode_bool(a, "cable", false))
			snode_set_attr(a, "cable", "false");
		else
			snode_set_attr(a, "cable", NULL);
	}
	n = snode_child(hw, "RemoteDisplay");
	if (!n || snode_bool(n, "enabled", true)) {
		n = snode_ensure(hw, "RemoteDisplay");
		if (!n || snode_set_attr(n, "enabled", "true"))
			return -1;
	} else {
		snode_set_attr(n, "enabled", NULL);
		snode_prune_empty(n, hw);
	}
	n = snode_child(hw, "AudioAdapter");
	if (n && !snode_bool(n, "enabled", true))
		snode_set_attr(n, "enabled", NULL);
	else if (n)
		snode_set_attr(n, "enabled", "true");
	n = snode_child(hw, "Paravirt");
	s = snode_attr(n, "provider");
	if (!n || !s) {
		n = snode_ensure(hw, "Paravirt");
		if (!n || snode_set_attr(n, "provider", "Legacy"))
			return -1;
	} else if (!strcmp(s, "Default") && !snode_attr(n, "debug")) {
		snode_remove(n);
	}
	return 0;
}

static int up_defaults_17(struct snode *hw)
{
	struct snode *n = snode_child(hw, "AudioAdapter");
	static const char *const io[] = { "enabledIn", "enabledOut" };
	unsigned i;

	if (!n)
		return 0;
	for (i = 0; i < 2; i++) {
		if (!snode_bool(n, io[i], true))
			snode_set_attr(n, io[i], NULL);
		else if (snode_set_attr(n, io[i], "true"))
			return -1;
	}
	return 0;
}

static int up_nat_19(struct snode *nat)
{
	if (!nat)
		return 0;
	if (!snode_bool(nat, "localhost-reachable", true))
		return snode_set_attr(nat, "localhost-reachable", NULL);
	return snode_set_attr(nat, "localhost-reachable", "true");
}

static int up_defaults_19(struct snode *hw)
{
	struct snode *a;

	for (a = snode_path(hw, "Network/Adapter"); a;
	     a = snode_next(a, "Adapter")) {
		if (up_nat_19(snode_child(a, "NAT")) ||
		    up_nat_19(snode_path(a, "DisabledModes/NAT")))
			return -1;
	}
	return 0;
}

/* 1.20: CPU, RTC, Chipset, Iommu, HPET into Platform; BIOS into
 * Firmware; UART IOBase renamed IOAddress. */
static int up_platform(struct snode *level, struct snode *hw)
{
	struct snode *p, *x86, *cpu, *n, *bios, *fw, *c;
	static const char *const moves[] = { "RTC", "Chipset", "Iommu" };
	static const char *const x86_attrs_keep[] = { "count", "executionCap",
		"CpuIdPortabilityLevel", "CpuProfile", "hotplug" };
	unsigned i;

	p = snode_ensure(level, "Platform");
	if (!p || snode_set_attr(p, "architecture", "x86"))
		return -1;
	for (i = 0; i < 3; i++)
		if ((n = snode_child(hw, moves[i])) && snode_move(n, p))
			return -1;
	cpu = snode_child(hw, "CPU");
	if (cpu) {
		struct snode *gcpu = snode_ensure(p, "CPU");

		x86 = snode_ensure(p, "x86");
		if (!gcpu || !x86)
			return -1;
		for (i = 0; i < 5; i++) {
			const char *v = snode_attr(cpu, x86_attrs_keep[i]);

			if (v) {
				snode_set_attr(gcpu, x86_attrs_keep[i], v);
				snode_set_attr(cpu, x86_attrs_keep[i], NULL);
			}
		}
		if ((n = snode_child(cpu, "CpuTree")) && snode_move(n, gcpu))
			return -1;
		if (snode_move(cpu, x86))
			return -1;
	}
	if ((n = snode_child(hw, "HPET"))) {
		x86 = snode_ensure(p, "x86");
		if (!x86 || snode_move(n, x86))
			return -1;
	}
	bios = snode_child(hw, "BIOS");
	if (bios) {
		fw = snode_ensure(hw, "Firmware");
		if (!fw)
			return -1;
		while ((c = snode_child(bios, NULL)))
			if (snode_move(c, fw))
				return -1;
		snode_remove(bios);
	}
	for (c = snode_path(hw, "UART/Port"); c; c = snode_next(c, "Port")) {
		const char *v = snode_attr(c, "IOBase");

		if (v) {
			char *dup = strdup(v);

			if (!dup)
				return -1;
			snode_set_attr(c, "IOBase", NULL);
			snode_set_attr(c, "IOAddress", dup);
			free(dup);
		}
	}
	return 0;
}

static int convert_level(struct snode *level, unsigned from, unsigned to)
{
	struct snode *hw = snode_child(level, "Hardware"), *c;

	if (hw) {
		/* PAE defaulted to off before 1.9 */
		if (from < 9 && to >= 9 && !snode_path(hw, "CPU/PAE")) {
			struct snode *pae = snode_ensure_path(hw, "CPU/PAE");

			if (!pae || snode_set_attr(pae, "enabled", "false"))
				return -1;
		}
		if (from < 14 && to >= 14 && up_usb(hw))
			return -1;
		if (from < 16 && to >= 16 && up_defaults_16(hw))
			return -1;
		if (from < 17 && to >= 17 && up_defaults_17(hw))
			return -1;
		if (from < 17 && to >= 17 &&
		    (c = snode_child(level, "StorageControllers")) &&
		    snode_move(c, hw))
			return -1;
		if (from < 19 && to >= 19 && up_defaults_19(hw))
			return -1;
		if (from < 20 && to >= 20 && up_platform(level, hw))
			return -1;
	}
	for (c = snode_path(level, "Snapshots/Snapshot"); c;
	     c = snode_next(c, "Snapshot"))
		if (convert_level(c, from, to))
			return -1;
	return 0;
}

int machine_upgrade_layout(struct sdoc *d, unsigned from, unsigned to)
{
	struct snode *m = sdoc_top(d), *s;

	if (convert_level(m, from, to))
		return -1;
	s = snode_child(m, "Snapshot");
	if (s && convert_level(s, from, to))
		return -1;
	return 0;
}
