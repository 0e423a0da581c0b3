/*
 * New machines as VirtualBox 7.0 makes them (see newvm.h).
 *
 * Sources of the facts: Machine::init and Machine::applyDefaults, the
 * defaults of Machine::HWData, BIOSSettings, NetworkAdapter, SerialPort,
 * AudioAdapter, StorageController and the "omit when default" rules of
 * the 7.0 settings writer, all for a 64-bit host (PAE and large pages on
 * by default, long mode on when the OS type is unknown).
 *
 * Elements are created in VirtualBox's order by snode_ensure() (schema.c);
 * attributes are set in the order VirtualBox writes them.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/settings/newvm.h"
#include "lib/util/strbuf.h"

#define MAX_NICS_PIIX3 8
#define MAX_NICS_ICH9  36

/* ------------------------------------------------------------------ */
/* names                                                               */

/* Decode one UTF-8 sequence; returns its length (0 = invalid). */
static size_t utf8_cp(const unsigned char *s, unsigned *cp)
{
	unsigned c = s[0], n, v, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 1;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 2;
		v = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 3;
		v = c & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i <= n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if ((n == 2 && v < 0x800) || (n == 3 && v < 0x10000) ||
	    v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n + 1;
}

static bool name_char_ok(unsigned c)
{
	return c == ' ' || c == '(' || c == ')' || c == '-' || c == '.' ||
	       (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	       (c >= 'a' && c <= 'z') || c == '_' ||
	       (c >= 0xa0 && c <= 0xd7af);
}

int settings_sanitise_name(char *name)
{
	unsigned char *s = (unsigned char *)name;
	size_t i = 0, len = strlen(name), k;

	if (!len)
		return 0;
	while (s[i]) {
		unsigned cp;
		size_t n = utf8_cp(s + i, &cp);

		if (!n)
			return -EINVAL;
		if (!name_char_ok(cp))
			for (k = 0; k < n; k++)
				s[i + k] = '_';
		i += n;
	}
	if (s[0] == '.' || s[0] == '-')
		s[0] = '_';
	if (s[len - 1] == '.')
		s[len - 1] = '_';
	for (i = 0; s[i] == ' '; i++)
		s[i] = '_';
	for (i = len - 1; i && s[i] == ' '; i--)
		s[i] = '_';
	return 0;
}

static bool component_ok(const char *p, size_t n)
{
	char buf[1024];

	if (!n || n >= sizeof(buf))
		return n < sizeof(buf) && n;
	memcpy(buf, p, n);
	buf[n] = '\0';
	if (settings_sanitise_name(buf))
		return false;
	return !memcmp(buf, p, n);
}

int settings_group_check(const char *g)
{
	size_t len = g ? strlen(g) : 0;
	const char *p;

	if (!len)
		return -EINVAL;
	if (!strcmp(g, "/"))
		return 0;
	if (len == 1 || g[0] != '/' || g[len - 1] == '/')
		return -EINVAL;
	for (p = g + 1; p;) {
		const char *sl = strchr(p, '/');
		size_t n = sl ? (size_t)(sl - p) : strlen(p);

		if (!component_ok(p, n))
			return -EINVAL;
		p = sl ? sl + 1 : NULL;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* host facts                                                          */

static bool process_running(const char *name)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	bool found = false;

	while (d && !found && (e = readdir(d))) {
		char path[300], comm[64];
		FILE *f;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f)) {
			comm[strcspn(comm, "\n")] = '\0';
			found = !strcmp(comm, name);
		}
		fclose(f);
	}
	if (d)
		closedir(d);
	return found;
}

static bool library_loads(const char *soname)
{
	void *h = dlopen(soname, RTLD_LAZY | RTLD_LOCAL);

	if (!h)
		return false;
	dlclose(h);
	return true;
}

const char *settings_host_audio_driver(void)
{
	static const char *drv;

	if (drv)
		return drv;
	if ((process_running("pulseaudio") ||
	     process_running("pipewire-pulse")) &&
	    library_loads("libpulse.so.0"))
		drv = "Pulse";
	else if (library_loads("libasound.so.2"))
		drv = "ALSA";
	else
		drv = "OSS";
	return drv;
}

int settings_random_mac(char out[13])
{
	struct vb_uuid u;
	int rc = vb_uuid_generate(&u);

	if (rc)
		return rc;
	snprintf(out, 13, "080027%02X%02X%02X", u.b[0], u.b[1], u.b[2]);
	return 0;
}

/* ------------------------------------------------------------------ */
/* building the tree                                                   */

struct builder {
	struct machine *m;
	struct snode *hw;
	bool oom;
};

static struct snode *b_elem(struct builder *b, struct snode *parent,
			    const char *path)
{
	struct snode *n = parent ? snode_ensure_path(parent, path) : NULL;

	if (!n)
		b->oom = true;
	return n;
}

static void b_attr(struct builder *b, struct snode *n, const char *attr,
		   const char *value)
{
	if (!n || snode_set_attr(n, attr, value))
		b->oom = true;
}

static void b_enabled(struct builder *b, struct snode *parent,
		      const char *name, bool on)
{
	b_attr(b, b_elem(b, parent, name), "enabled", on ? "true" : "false");
}

static void b_attru(struct builder *b, struct snode *n, const char *attr,
		    unsigned long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", v);
	b_attr(b, n, attr, buf);
}

static int b_done(struct builder *b, struct vb_error *err)
{
	if (b->oom)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	return 0;
}

/* The adapter element of a slot, created in slot order. */
static struct snode *nic_slot(struct builder *b, unsigned slot)
{
	struct snode *net = b_elem(b, b->hw, "Network"), *a;
	char s[16];

	if (!net)
		return NULL;
	snprintf(s, sizeof(s), "%u", slot);
	a = snode_child_with(net, "Adapter", "slot", s);
	if (a)
		return a;
	a = snode_add(net, "Adapter");  /* slots are made in ascending order */
	if (!a) {
		b->oom = true;
		return NULL;
	}
	b_attr(b, a, "slot", s);
	return a;
}

/* Adapter 0 on NAT with a new MAC address and the OS type's NIC; the
 * other adapters stay at defaults and are not written. */
static void nic0_defaults(struct builder *b, const struct ostype *ot)
{
	struct snode *a = nic_slot(b, 0);
	char mac[13];

	if (!a)
		return;
	b_attr(b, a, "enabled", "true");
	if (!snode_attr(a, "MACAddress")) {
		if (settings_random_mac(mac))
			b->oom = true;
		else
			b_attr(b, a, "MACAddress", mac);
	}
	b_attr(b, a, "type",
	       strcmp(ot->nic, "Am79C973") ? ot->nic : NULL);
	if (!snode_child(a, "NAT"))
		b_elem(b, a, "NAT");
}

int machine_init_new(struct machine *m, const struct ostype *ot,
		     const char *const *groups, unsigned ngroups,
		     struct vb_error *err)
{
	struct builder b = { m, NULL, false };
	struct snode *cpu, *bios, *n;
	unsigned i;

	b.hw = machine_elem(m, ME_HARDWARE, true);
	if (!b.hw)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	cpu = b_elem(&b, b.hw, "CPU");
	b_enabled(&b, cpu, "PAE", true);
	b_enabled(&b, cpu, "LongMode", ot ? ot->is64 : true);
	if (ot && (ot->hints & OSH_X2APIC))
		b_enabled(&b, cpu, "X2APIC", true);
	b_enabled(&b, cpu, "HardwareVirtExLargePages", true);
	b_attr(&b, b_elem(&b, b.hw, "Memory"), "RAMSize", "128");
	if (ot && (ot->hints & OSH_EFI))
		b_attr(&b, b_elem(&b, b.hw, "Firmware"), "type", "EFI");
	bios = b_elem(&b, b.hw, "BIOS");
	if (!ot || (ot->hints & OSH_IOAPIC))
		b_enabled(&b, bios, "IOAPIC", true);
	b_enabled(&b, bios, "SmbiosUuidLittleEndian", true);
	if (ot && (ot->hints & OSH_TPM2)) {
		n = b_elem(&b, b.hw, "TrustedPlatformModule");
		b_attr(&b, n, "type", "v2_0");
		b_attr(&b, n, "location", "");
	}
	if (ot) {
		nic0_defaults(&b, ot);
	} else {
		/* no OS type to compare with: every adapter is "non-default" */
		for (i = 0; i < MAX_NICS_PIIX3; i++)
			b_attr(&b, nic_slot(&b, i), "type", "82540EM");
	}
	for (i = 0; ot && i < ot->serial_ports && i < 1; i++) {
		n = snode_add(b_elem(&b, b.hw, "UART"), "Port");
		b_attr(&b, n, "slot", "0");
		b_attr(&b, n, "enabled", "true");
		b_attr(&b, n, "IOBase", "0x3f8");
		b_attr(&b, n, "IRQ", "4");
		b_attr(&b, n, "hostMode", "Disconnected");
	}
	n = b_elem(&b, b.hw, "AudioAdapter");
	b_attr(&b, n, "useDefault", "true");
	b_attr(&b, n, "driver", settings_host_audio_driver());
	b_attr(&b, n, "enabled", "true");
	b_elem(&b, b.hw, "Clipboard");
	if (ot && !strcmp(ot->id, "VBoxBS_64") &&
	    machine_extradata_set(m,
				  "VBoxInternal/Devices/VMMDev/0/Config/TestingEnabled",
				  "1", err))
		return -ENOMEM;
	if (ngroups && !(ngroups == 1 && !strcmp(groups[0], "/"))) {
		struct snode *gs = b_elem(&b, machine_elem(m, ME_MACHINE, false),
					  "Groups");

		for (i = 0; gs && i < ngroups; i++)
			b_attr(&b, snode_add(gs, "Group"), "name", groups[i]);
	}
	return b_done(&b, err);
}

/* ------------------------------------------------------------------ */
/* applyDefaults                                                       */

struct ctl_kind {
	const char *bus, *type;
	unsigned ports;
	bool host_cache;
};

static const struct ctl_kind ctl_kinds[] = {
	{ "IDE", "PIIX4", 2, true },
	{ "SATA", "AHCI", 30, false },
	{ "SCSI", "LsiLogic", 16, false },
	{ "Floppy", "I82078", 1, true },
	{ "SAS", "LsiLogicSas", 8, false },
};

/* A storage controller as IMachine::addStorageController makes it (named
 * after its bus, bootable, instance 0), then given its type. */
static struct snode *add_controller(struct builder *b, const char *bus,
				    const char *type)
{
	struct snode *sc = b_elem(b, b->hw, "StorageControllers"), *c;
	const struct ctl_kind *k = NULL;
	size_t i;

	for (i = 0; i < sizeof(ctl_kinds) / sizeof(ctl_kinds[0]); i++)
		if (!strcmp(ctl_kinds[i].bus, bus))
			k = &ctl_kinds[i];
	if (!sc || !k) {
		b->oom = true;
		return NULL;
	}
	c = snode_add(sc, "StorageController");
	b_attr(b, c, "name", bus);
	b_attr(b, c, "type", type ? type : k->type);
	b_attru(b, c, "PortCount", k->ports);
	b_attr(b, c, "useHostIOCache", k->host_cache ? "true" : "false");
	b_attr(b, c, "Bootable", "true");
	if (!strcmp(type ? type : k->type, "AHCI")) {
		b_attr(b, c, "IDE0MasterEmulationPort", "0");
		b_attr(b, c, "IDE0SlaveEmulationPort", "1");
		b_attr(b, c, "IDE1MasterEmulationPort", "2");
		b_attr(b, c, "IDE1SlaveEmulationPort", "3");
	}
	return c;
}

static void add_usb(struct builder *b, const char *name, const char *type)
{
	struct snode *cs = b_elem(b, b->hw, "USB/Controllers"), *c;

	if (!cs)
		return;
	if (snode_child_with(cs, "Controller", "type", type))
		return;
	c = snode_add(cs, "Controller");
	b_attr(b, c, "name", name);
	b_attr(b, c, "type", type);
}

static void set_or_drop(struct builder *b, struct snode *parent,
			const char *name, bool on, bool dflt)
{
	struct snode *n = snode_child(parent, name);

	if (on == dflt) {
		if (n)
			snode_remove(n);
	} else {
		b_enabled(b, parent, name, on);
	}
}

int machine_apply_defaults(struct machine *m, struct vb_error *err)
{
	struct builder b = { m, NULL, false };
	struct snode *mn = machine_elem(m, ME_MACHINE, false);
	const char *id = snode_attr(mn, "OSType");
	const struct ostype *ot = ostype_find(id ? id : "");
	struct snode *cpu, *bios, *n, *dvd, *hd;
	bool ohci = false;
	char buf[32];

	if (!ot) {
		vb_err(err, ENOENT, VBOX_E_OBJECT_NOT_FOUND,
		       "'%s' is not a valid Guest OS type", id ? id : "");
		vb_err_where(err, "VirtualBoxWrap", "IVirtualBox", NULL);
		return -ENOENT;
	}
	b.hw = machine_elem(m, ME_HARDWARE, true);
	if (!b.hw)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	cpu = b_elem(&b, b.hw, "CPU");
	b_enabled(&b, cpu, "PAE", ot->hints & OSH_PAE);
	b_enabled(&b, cpu, "LongMode", ot->is64);
	set_or_drop(&b, cpu, "TripleFaultReset", ot->hints & OSH_TFRESET,
		    false);
	set_or_drop(&b, cpu, "X2APIC", ot->hints & OSH_X2APIC, false);
	if ((n = snode_child(cpu, "APIC")))
		snode_remove(n);
	if ((n = snode_child(cpu, "HardwareVirtEx")))
		snode_remove(n);
	b_attr(&b, cpu, "count", NULL);
	if (ot->cpus > 1)
		b_attru(&b, cpu, "count", ot->cpus);
	b_attru(&b, b_elem(&b, b.hw, "Memory"), "RAMSize", ot->ram_mb);

	n = b_elem(&b, b.hw, "Display");
	b_attr(&b, n, "controller",
	       strcmp(ot->gfx, "VBoxVGA") ? ot->gfx : NULL);
	b_attr(&b, n, "VRAMSize", NULL);
	if (ot->vram_mb != 8)
		b_attru(&b, n, "VRAMSize", ot->vram_mb);
	b_attr(&b, n, "accelerate3D", NULL);
	b_attr(&b, n, "accelerate2DVideo", NULL);
	snode_prune_empty(n, b.hw);

	if (ot->hints & OSH_EFI) {
		b_attr(&b, b_elem(&b, b.hw, "Firmware"), "type", "EFI");
	} else if ((n = snode_child(b.hw, "Firmware"))) {
		snode_remove(n);
	}
	if (ot->hints & OSH_HPET)
		b_enabled(&b, b.hw, "HPET", true);
	else if ((n = snode_child(b.hw, "HPET")))
		snode_remove(n);
	if (ot->hints & OSH_RTCUTC)
		b_attr(&b, b_elem(&b, b.hw, "RTC"), "localOrUTC", "UTC");
	else if ((n = snode_child(b.hw, "RTC")))
		snode_remove(n);
	if (strcmp(ot->chipset, "PIIX3"))
		b_attr(&b, b_elem(&b, b.hw, "Chipset"), "type", ot->chipset);
	else if ((n = snode_child(b.hw, "Chipset")))
		snode_remove(n);

	bios = b_elem(&b, b.hw, "BIOS");
	set_or_drop(&b, bios, "IOAPIC", ot->hints & OSH_IOAPIC, false);

	nic0_defaults(&b, ot);
	if (ot->serial_ports) {
		struct snode *uart = b_elem(&b, b.hw, "UART");

		n = snode_child_with(uart, "Port", "slot", "0");
		if (!n) {
			n = snode_add(uart, "Port");
			b_attr(&b, n, "slot", "0");
		}
		b_attr(&b, n, "enabled", "true");
		if (!snode_attr(n, "IOBase")) {
			b_attr(&b, n, "IOBase", "0x3f8");
			b_attr(&b, n, "IRQ", "4");
			b_attr(&b, n, "hostMode", "Disconnected");
		}
	}
	if (ot->hints & OSH_TPM2) {
		n = b_elem(&b, b.hw, "TrustedPlatformModule");
		b_attr(&b, n, "type", "v2_0");
		if (!snode_attr(n, "location"))
			b_attr(&b, n, "location", "");
	}

	n = b_elem(&b, b.hw, "AudioAdapter");
	if (n) {
		static const char *const order[] = { "controller", "codec",
			"useDefault", "driver", "enabled", "enabledIn",
			"enabledOut" };
		const char *drv = snode_attr(n, "driver");
		char *keep = vb_strdup(drv ? drv : settings_host_audio_driver());
		bool use_default = snode_bool(n, "useDefault", false);
		bool in = snode_bool(n, "enabledIn", false);
		size_t k;

		/* rewrite in VirtualBox's attribute order */
		for (k = 0; k < sizeof(order) / sizeof(order[0]); k++)
			snode_set_attr(n, order[k], NULL);
		b_attr(&b, n, "controller",
		       strcmp(ot->audio_ctl, "AC97") ? ot->audio_ctl : NULL);
		b_attr(&b, n, "codec",
		       strcmp(ot->audio_codec, "AD1980") ? NULL : "AD1980");
		if (use_default || !drv)
			b_attr(&b, n, "useDefault", "true");
		b_attr(&b, n, "driver", keep ? keep : "Null");
		b_attr(&b, n, "enabled", "true");
		if (in)
			b_attr(&b, n, "enabledIn", "true");
		b_attr(&b, n, "enabledOut", "true");
		free(keep);
	}

	/* storage: floppy, the DVD controller, the hard disk controller */
	if (ot->hints & OSH_FLOPPY)
		add_controller(&b, "Floppy", NULL);
	dvd = add_controller(&b, ot->dvd_bus, ot->dvd_ctl);
	hd = dvd;
	if (strcmp(ot->hd_bus, ot->dvd_bus) && strcmp(ot->hd_ctl, ot->dvd_ctl))
		hd = add_controller(&b, ot->hd_bus, ot->hd_ctl);
	if (!strcmp(ot->hd_ctl, "AHCI")) {
		snprintf(buf, sizeof(buf), "%u",
			 1 + !strcmp(ot->dvd_ctl, "AHCI"));
		b_attr(&b, hd, "PortCount", buf);
	} else if (!strcmp(ot->dvd_ctl, "AHCI")) {
		b_attr(&b, hd, "PortCount", "1");
	}

	/* USB (this host can pass devices through, like VirtualBox on
	 * Linux with its USB proxy) */
	if (ot->hints & OSH_USB3) {
		add_usb(&b, "XHCI", "XHCI");
		ohci = true;
	}
	if (!ohci && !(ot->hints & OSH_NOUSB)) {
		add_usb(&b, "OHCI", "OHCI");
		add_usb(&b, "EHCI", "EHCI");
		ohci = true;
	}
	if (ot->hints & (OSH_USBHID | OSH_USBTABLET)) {
		n = b_elem(&b, b.hw, "HID");
		b_attr(&b, n, "Pointing", (ot->hints & OSH_USBTABLET) ?
		       "USBTablet" : "USBMouse");
		if (ot->hints & OSH_USBHID)
			b_attr(&b, n, "Keyboard", "USBKeyboard");
		if (!ohci)
			add_usb(&b, "OHCI", "OHCI");
	}
	if (!strcmp(ot->id, "VBoxBS_64") &&
	    machine_extradata_set(m,
				  "VBoxInternal/Devices/VMMDev/0/Config/TestingEnabled",
				  "1", err))
		return -ENOMEM;
	return b_done(&b, err);
}
