/*
 * From a machine's settings to the description of its hardware: the
 * CPU settings for the engine and the board configuration for
 * lib/devices (the role of VirtualBox's ConsoleImplConfigX86 / CFGM
 * step).  Everything that cannot run is refused here, before any guest
 * code runs, with VirtualBox's texts where VirtualBox has one:
 *
 *   - settings values VirtualBox would not load (invalid controller
 *     types, boot devices ...): "Error in <file> -- ..."
 *   - media that cannot be opened: "Could not open the medium ...";
 *   - more RAM than the host has: GMM's "Insufficient free memory ...";
 *   - hardware this implementation does not emulate yet (EFI firmware,
 *     ICH9, SCSI/NVMe/floppy controllers, host drives): VERR_NOT_SUPPORTED
 *     with the reason.
 *
 * Settings element placement follows the file version (machine_elem()).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/media/media.h"
#include "lib/settings/mediareg.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"
#include "lib/util/checked.h"
#include "lib/vmm/vmm-int.h"

#define RAM_HOLE_START 0xe0000000ull    /* 512 MiB hole below 4 GiB */
#define MM_RAM_MIN_MB  4ull
#define MM_RAM_MAX_MB  2097152ull       /* 2 TiB, VirtualBox's limit */
#define DEFAULT_BIOS   "/usr/share/seabios/bios-256k.bin"

const char *vmm_verr_name(int e)
{
	switch (e) {
	case ENOENT: return "VERR_FILE_NOT_FOUND";
	case ENOTDIR: return "VERR_PATH_NOT_FOUND";
	case EACCES: case EPERM: return "VERR_ACCESS_DENIED";
	case EISDIR: return "VERR_IS_A_DIRECTORY";
	case EBUSY: case EAGAIN: return "VERR_FILE_LOCK_VIOLATION";
	case ENOTSUP: return "VERR_VD_IMAGE_FORMAT_NOT_SUPPORTED";
	case EINVAL: return "VERR_VD_IMAGE_CORRUPTED";
	case ENOMEM: return "VERR_NO_MEMORY";
	default: return "VERR_GENERAL_FAILURE";
	}
}

uint64_t vmm_host_ram(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);

	if (pages <= 0 || psz <= 0)
		return 0;
	return (uint64_t)pages * (uint64_t)psz;
}

static int settings_error(struct vmm_config *c, enum vmm_fail *where,
			  struct vb_error *err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A value VirtualBox's settings loader rejects: the machine is unusable. */
static int settings_error(struct vmm_config *c, enum vmm_fail *where,
			  struct vb_error *err, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	*where = VMM_FAIL_LOCK;
	vb_err(err, EINVAL, VBOX_E_XML_ERROR, "Error in %s -- %s",
	       c->settings_path, msg);
	vb_err_where(err, "MachineWrap", "IMachine", "nsISupports");
	return -EINVAL;
}

static int unsupported(enum vmm_fail *where, struct vb_error *err,
		       const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Valid settings this implementation cannot run yet. */
static int unsupported(enum vmm_fail *where, struct vb_error *err,
		       const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	*where = VMM_FAIL_POWERUP;
	vb_err(err, ENOTSUP, VB_E_FAIL, "%s (VERR_NOT_SUPPORTED).", msg);
	vb_err_where(err, "ConsoleWrap", "IConsole", NULL);
	return -ENOTSUP;
}

static bool child_enabled(struct snode *parent, const char *name, bool def)
{
	return parent ? snode_child_enabled(parent, name, def) : def;
}

static int add_line(struct vmm_config *c, char *line)
{
	if (!line)
		return -ENOMEM;
	if (c->n_lines >= VB_ARRAY_SIZE(c->lines)) {
		free(line);
		return 0;
	}
	c->lines[c->n_lines++] = line;
	return 0;
}

/* ------------------------------------------------------------------ */
/* CPU                                                                 */

static int load_cpu(struct machine *m, struct vmm_config *c,
		    enum vmm_fail *where, struct vb_error *err)
{
	struct snode *cpu = machine_elem(m, ME_CPU, false);
	struct snode *x86 = machine_elem(m, ME_CPU_X86, false);
	struct snode *tree, *leaf;
	/* VirtualBox's 64-bit guest OS types end in "_64". */
	bool os64 = vb_ends_with(c->ostype, "_64");
	const char *prof;
	unsigned n = 0;

	c->cpu.cpus = cpu ? snode_u32(cpu, "count", 1) : 1;
	if (c->cpu.cpus < 1 || c->cpu.cpus > 64)
		return settings_error(c, where, err,
				      "Invalid value '%u' for CPU/@count attribute",
				      c->cpu.cpus);
	c->cpu.exec_cap = cpu ? snode_u32(cpu, "executionCap", 100) : 100;
	if (c->cpu.exec_cap < 1 || c->cpu.exec_cap > 100)
		c->cpu.exec_cap = 100;
	prof = cpu ? snode_attr(cpu, "CpuProfile") : NULL;
	if (prof && *prof && strcmp(prof, "host")) {
		bool legacy;

		if (vmm_cpu_profile_lookup(prof, &legacy) < 0) {
			*where = VMM_FAIL_POWERUP;
			vb_err(err, ENOENT, VB_E_FAIL,
			       "The CPU profile '%s' is not in this implementation's CPU database (VERR_CPUM_DB_CPU_NOT_FOUND).",
			       prof);
			vb_err_where(err, "ConsoleWrap", "IConsole", NULL);
			return -ENOENT;
		}
		c->profile = vb_strdup(prof);
		c->cpu.profile = c->profile;
	}
	c->cpu.hwvirtex = child_enabled(x86, "HardwareVirtEx", true);
	c->cpu.nested_paging = child_enabled(x86, "HardwareVirtExNestedPaging", true);
	c->cpu.vpid = child_enabled(x86, "HardwareVirtExVPID", true);
	c->cpu.unrestricted = child_enabled(x86, "HardwareVirtExUX", true);
	c->cpu.large_pages = child_enabled(x86, "HardwareVirtExLargePages", false);
	c->cpu.pae = child_enabled(x86, "PAE", true);
	c->cpu.long_mode = x86 && snode_child(x86, "LongMode") ?
			   child_enabled(x86, "LongMode", true) :
			   os64;
	c->cpu.nested_hw_virt = child_enabled(x86, "NestedHWVirt", false);
	c->cpu.triple_fault_reset = child_enabled(x86, "TripleFaultReset", false);
	c->cpu.x2apic = child_enabled(x86, "X2APIC", false);
	c->cpu.apic = child_enabled(x86, "APIC", true) || c->cpu.x2apic;
	tree = x86 ? snode_child(x86, "CpuIdTree") : NULL;
	for (leaf = tree ? snode_child(tree, "CpuIdLeaf") : NULL; leaf;
	     leaf = snode_next(leaf, "CpuIdLeaf")) {
		struct vmm_cpuid_leaf *l;
		const char *id = snode_attr(leaf, "id");
		unsigned v;

		if (n >= VB_ARRAY_SIZE(c->overrides))
			break;
		l = &c->overrides[n];
		if (!id || vb_parse_u32(id, &v))
			return settings_error(c, where, err,
					      "Required CpuIdLeaf/@id attribute is missing");
		l->leaf = v;
		l->has_subleaf = snode_has_attr(leaf, "subleaf");
		l->subleaf = snode_u32(leaf, "subleaf", 0);
		l->eax = snode_u32(leaf, "eax", 0);
		l->ebx = snode_u32(leaf, "ebx", 0);
		l->ecx = snode_u32(leaf, "ecx", 0);
		l->edx = snode_u32(leaf, "edx", 0);
		n++;
	}
	c->cpu.overrides = c->overrides;
	c->cpu.n_overrides = n;
	return 0;
}

static int load_paravirt(struct machine *m, struct vmm_config *c,
			 enum vmm_fail *where, struct vb_error *err)
{
	struct snode *hw = machine_elem(m, ME_HARDWARE, false);
	struct snode *pv = hw ? snode_child(hw, "Paravirt") : NULL;
	const char *p = pv ? snode_attr(pv, "provider") : NULL;
	static const struct { const char *name; enum vmm_paravirt v; } tab[] = {
		{ "None", VMM_PV_NONE }, { "Default", VMM_PV_DEFAULT },
		{ "Legacy", VMM_PV_LEGACY }, { "Minimal", VMM_PV_MINIMAL },
		{ "HyperV", VMM_PV_HYPERV }, { "KVM", VMM_PV_KVM },
	};
	unsigned i;

	c->cpu.paravirt = sdoc_version(machine_doc(m)) >= 16 ? VMM_PV_DEFAULT :
			  VMM_PV_LEGACY;
	if (!p)
		return 0;
	for (i = 0; i < VB_ARRAY_SIZE(tab); i++) {
		if (vb_strcaseeq(p, tab[i].name)) {
			c->cpu.paravirt = tab[i].v;
			return 0;
		}
	}
	return settings_error(c, where, err,
			      "Invalid value '%s' in Paravirt/@provider attribute", p);
}

/* ------------------------------------------------------------------ */
/* Chipset, firmware, memory, boot                                     */

static int load_platform(struct machine *m, struct vmm_config *c,
			 enum vmm_fail *where, struct vb_error *err)
{
	struct snode *n;
	const char *v;
	const char *ed;

	n = machine_elem(m, ME_CHIPSET, false);
	v = n ? snode_attr(n, "type") : NULL;
	c->chipset = vb_strdup(v ? v : "PIIX3");
	if (!vb_strcaseeq(c->chipset, "PIIX3")) {
		if (vb_strcaseeq(c->chipset, "ICH9"))
			return unsupported(where, err,
					   "The ICH9 chipset is not emulated by this VirtualBox implementation yet; use --chipset piix3");
		return settings_error(c, where, err,
				      "Invalid value '%s' in Chipset/@type", c->chipset);
	}
	n = machine_elem(m, ME_FIRMWARE, false);
	v = n ? snode_attr(n, "type") : NULL;
	c->firmware = vb_strdup(v && *v ? v : "BIOS");
	if (!vb_strcaseeq(c->firmware, "BIOS")) {
		if (vb_starts_with(c->firmware, "EFI"))
			return unsupported(where, err,
					   "EFI firmware (%s) is not supported by this VirtualBox implementation yet; use --firmware bios",
					   c->firmware);
		return settings_error(c, where, err,
				      "Invalid value '%s' in Firmware/@type attribute",
				      c->firmware);
	}
	n = machine_elem(m, ME_BIOS, false);
	c->acpi = child_enabled(n, "ACPI", true);
	c->ioapic = child_enabled(n, "IOAPIC", false);
	if (n && snode_child(n, "TimeOffset"))
		c->board.time_offset_ms = snode_i64(snode_child(n, "TimeOffset"),
						    "value", 0);
	n = machine_elem(m, ME_RTC, false);
	v = n ? snode_attr(n, "localOrUTC") : NULL;
	c->rtc_utc = v && vb_strcaseeq(v, "UTC");
	if (c->cpu.cpus > 1 && !c->ioapic)
		return unsupported(where, err,
				   "Cannot run the machine because its configuration uses %u CPUs but the I/O APIC is not enabled",
				   c->cpu.cpus);
	n = machine_elem(m, ME_DISPLAY, false);
	c->vram_mb = n ? snode_u32(n, "VRAMSize", 8) : 8;

	ed = machine_extradata_get(m, "VBoxInternal/Devices/pcbios/0/Config/BiosRom");
	c->bios_path = vb_strdup(ed && *ed ? ed : DEFAULT_BIOS);
	return c->bios_path ? 0 : -ENOMEM;
}

static int load_memory(struct machine *m, struct vmm_config *c,
		       enum vmm_fail *where, struct vb_error *err)
{
	struct snode *n = machine_elem(m, ME_MEMORY, false);
	uint64_t bytes, host;

	c->ram_mb = n ? snode_u64(n, "RAMSize", 128) : 128;
	if (c->ram_mb < MM_RAM_MIN_MB || c->ram_mb > MM_RAM_MAX_MB)
		return settings_error(c, where, err,
				      "Invalid value '%llu' in Memory/@RAMSize attribute (must be in range [%llu, %llu] MB)",
				      (unsigned long long)c->ram_mb,
				      (unsigned long long)MM_RAM_MIN_MB,
				      (unsigned long long)MM_RAM_MAX_MB);
	bytes = c->ram_mb << 20;
	host = vmm_host_ram();
	if (host && bytes > host) {
		*where = VMM_FAIL_POWERUP;
		vb_err(err, ENOMEM, VB_E_FAIL,
		       "Insufficient free memory to start the VM (cbRam=%#llx enmOcPolicy=1 enmPriority=2) (VERR_GMM_MEMORY_RESERVATION_DECLINED).",
		       (unsigned long long)bytes);
		vb_err_where(err, "ConsoleWrap", "IConsole", NULL);
		return -ENOMEM;
	}
	c->board.ram_size = bytes;
	c->board.ram_below_4g = bytes < RAM_HOLE_START ? bytes : RAM_HOLE_START;
	return 0;
}

static int load_boot(struct machine *m, struct vmm_config *c,
		     enum vmm_fail *where, struct vb_error *err)
{
	struct snode *boot = machine_elem(m, ME_BOOT, false), *o;
	static const struct { const char *name; enum board_boot_dev d; } tab[] = {
		{ "None", BOARD_BOOT_NONE }, { "Floppy", BOARD_BOOT_FLOPPY },
		{ "DVD", BOARD_BOOT_DVD }, { "HardDisk", BOARD_BOOT_HDD },
		{ "Network", BOARD_BOOT_NET },
	};

	/* VirtualBox's default: floppy, DVD, hard disk. */
	c->board.boot[0] = BOARD_BOOT_FLOPPY;
	c->board.boot[1] = BOARD_BOOT_DVD;
	c->board.boot[2] = BOARD_BOOT_HDD;
	c->board.boot[3] = BOARD_BOOT_NONE;
	if (!boot || !snode_child(boot, "Order"))
		return 0;
	memset(c->board.boot, 0, sizeof(c->board.boot));
	for (o = snode_child(boot, "Order"); o; o = snode_next(o, "Order")) {
		unsigned pos = snode_u32(o, "position", 0), i;
		const char *dev = snode_attr(o, "device");
		bool found = false;

		if (pos < 1 || pos > 4)
			return settings_error(c, where, err,
					      "Invalid value '%u' in Boot/Order/@position: must be greater than 0 and less than 5",
					      pos);
		for (i = 0; dev && i < VB_ARRAY_SIZE(tab); i++) {
			if (!strcmp(dev, tab[i].name)) {
				c->board.boot[pos - 1] = tab[i].d;
				found = true;
			}
		}
		if (!found)
			return settings_error(c, where, err,
					      "Invalid value '%s' in Boot/Order/@device attribute",
					      dev ? dev : "");
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Serial ports                                                        */

static int load_uarts(struct machine *m, struct vmm_config *c,
		      enum vmm_fail *where, struct vb_error *err)
{
	static const uint16_t def_base[4] = { 0x3f8, 0x2f8, 0x3e8, 0x2e8 };
	static const uint8_t def_irq[4] = { 4, 3, 4, 3 };
	struct snode *uart = machine_elem(m, ME_UART, false), *p;

	for (p = uart ? snode_child(uart, "Port") : NULL; p;
	     p = snode_next(p, "Port")) {
		unsigned slot = snode_u32(p, "slot", 99);
		struct board_serial_cfg *s;
		const char *mode = snode_attr(p, "hostMode");
		const char *path = snode_attr(p, "path");
		const char *type = snode_attr(p, "uartType");
		bool server = snode_bool(p, "server", false);
		unsigned base, irq;

		if (slot > 3)
			continue;
		s = &c->board.serial[slot];
		if (!snode_bool(p, "enabled", false))
			continue;
		base = snode_u32(p, snode_has_attr(p, "IOAddress") ? "IOAddress" : "IOBase",
				 def_base[slot]);
		irq = snode_u32(p, "IRQ", def_irq[slot]);
		if (base > 0xfff8 || irq > 15)
			return settings_error(c, where, err,
					      "Invalid I/O base or IRQ of UART/Port slot %u", slot);
		s->enabled = true;
		s->iobase = (uint16_t)base;
		s->irq = (uint8_t)irq;
		s->type = BOARD_UART_16550A;
		if (type && !strcmp(type, "16450"))
			s->type = BOARD_UART_16450;
		else if (type && !strcmp(type, "16750"))
			s->type = BOARD_UART_16750;
		snprintf(s->path, sizeof(s->path), "%s", path ? path : "");
		if (!mode || !strcmp(mode, "Disconnected")) {
			s->mode = BOARD_SERIAL_DISCONNECTED;
		} else if (!strcmp(mode, "RawFile")) {
			s->mode = BOARD_SERIAL_FILE;
		} else if (!strcmp(mode, "HostPipe")) {
			s->mode = server ? BOARD_SERIAL_PIPE_SERVER : BOARD_SERIAL_PIPE_CLIENT;
		} else if (!strcmp(mode, "TCP")) {
			s->mode = server ? BOARD_SERIAL_TCP_SERVER : BOARD_SERIAL_TCP_CLIENT;
		} else if (!strcmp(mode, "HostDevice")) {
			s->mode = BOARD_SERIAL_DEVICE;
		} else {
			return settings_error(c, where, err,
					      "Invalid value '%s' in UART/Port/@hostMode attribute",
					      mode);
		}
		if (s->mode != BOARD_SERIAL_DISCONNECTED && !s->path[0])
			return settings_error(c, where, err,
					      "Missing UART/Port/@path attribute for host mode '%s'",
					      mode);
		/* Relative file and socket paths are relative to the
		 * machine folder, as VirtualBox resolves them. */
		if ((s->mode == BOARD_SERIAL_FILE || s->mode == BOARD_SERIAL_PIPE_SERVER ||
		     s->mode == BOARD_SERIAL_PIPE_CLIENT) && !path_is_abs(s->path)) {
			char *abs = path_abs_from(c->folder, s->path);

			if (!abs)
				return -ENOMEM;
			snprintf(s->path, sizeof(s->path), "%s", abs);
			free(abs);
		}
		if (s->mode == BOARD_SERIAL_DISCONNECTED)
			add_line(c, vb_asprintf("UART#%u: I/O %#x IRQ %u, %s, host mode Disconnected",
						slot, s->iobase, s->irq,
						type ? type : "16550A"));
		else
			add_line(c, vb_asprintf("UART#%u: I/O %#x IRQ %u, %s, host mode %s%s '%s'",
						slot, s->iobase, s->irq,
						type ? type : "16550A", mode,
						server ? " (server)" : "", s->path));
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Storage                                                             */

static int blk_read(void *o, uint64_t off, void *buf, size_t len)
{
	return media_read(o, off, buf, len);
}

static int blk_write(void *o, uint64_t off, const void *buf, size_t len)
{
	return media_write(o, off, buf, len);
}

static int blk_flush(void *o)
{
	return media_flush(o);
}

static const struct board_blk_ops media_blk_ops = { blk_read, blk_write, blk_flush };

struct resolve_ctx {
	struct machine *m;
};

static int resolve_parent(void *ctx, const struct vb_uuid *parent, char **path)
{
	struct resolve_ctx *r = ctx;
	struct mediareg_entry e;
	struct machine *loaded = NULL;
	char u[VB_UUID_STRLEN + 1];
	int rc;

	vb_uuid_fmt(parent, u);
	rc = mediareg_find(machine_vbox(r->m), r->m, MR_HDD, u, &e, &loaded, NULL);
	if (rc)
		return rc;
	*path = vb_strdup(e.location);
	mediareg_entry_release(&e);
	if (loaded)
		machine_free(loaded);
	return *path ? 0 : -ENOMEM;
}

static int open_medium(struct machine *m, struct vmm_config *c,
		       enum mediareg_kind kind, const char *uuid,
		       struct board_drive_cfg *d, enum vmm_fail *where,
		       struct vb_error *err)
{
	struct mediareg_entry e;
	struct machine *loaded = NULL;
	struct resolve_ctx rctx = { m };
	struct vb_error merr = { 0 };
	struct medium *med = NULL;
	char *loc;
	int rc;

	rc = mediareg_find(machine_vbox(m), m, kind, uuid, &e, &loaded, &merr);
	if (rc) {
		struct vb_uuid u;
		char ubuf[VB_UUID_STRLEN + 1];

		*where = VMM_FAIL_LOCK;
		vb_err(err, -rc, VBOX_E_OBJECT_NOT_FOUND,
		       "Could not find an open %s with UUID {%s}",
		       kind == MR_DVD ? "DVD image" : "hard disk",
		       vb_uuid_parse(uuid, &u) ? uuid : vb_uuid_fmt(&u, ubuf));
		vb_err_where(err, "VirtualBoxWrap", "IVirtualBox", "nsISupports");
		return rc;
	}
	loc = vb_strdup(e.location);
	mediareg_entry_release(&e);
	if (loaded)
		machine_free(loaded);
	if (!loc)
		return -ENOMEM;
	rc = media_open(loc, kind == MR_DVD ? MEDIA_RDONLY : MEDIA_RDWR,
			resolve_parent, &rctx, &med, &merr);
	if (rc) {
		const char *verr = vmm_verr_name(-rc);

		*where = VMM_FAIL_POWERUP;
		vb_err(err, -rc, VB_E_FAIL,
		       "Could not open the medium '%s'.\nVD: error %s opening image file '%s' (%s).",
		       loc, verr, loc, verr);
		vb_err_where(err, "MediumWrap", "IMedium", NULL);
		free(loc);
		return rc;
	}
	if (c->n_media >= VMM_MAX_MEDIA) {
		media_close(med);
		free(loc);
		return unsupported(where, err, "Too many media attached");
	}
	c->media[c->n_media++] = med;
	d->blk.ops = &media_blk_ops;
	d->blk.opaque = med;
	d->blk.size = media_size(med);
	d->blk.readonly = kind == MR_DVD;
	add_line(c, vb_asprintf("    medium '%s' (%s, %llu bytes)", loc,
				media_format(med), (unsigned long long)media_size(med)));
	free(loc);
	return 0;
}

static void drive_ids(struct board_drive_cfg *d, const char *vm_uuid,
		      unsigned ctl, unsigned idx)
{
	/* VirtualBox's style of serial number: VB + hex from the UUID. */
	unsigned h = 2166136261u, i;

	for (i = 0; vm_uuid[i]; i++)
		h = (h ^ (unsigned char)vm_uuid[i]) * 16777619u;
	snprintf(d->serial, sizeof(d->serial), "VB%08x-%08x", h,
		 (h * 31 + ctl * 64 + idx) * 2654435761u);
}

static int load_storage(struct machine *m, struct vmm_config *c,
			enum vmm_fail *where, struct vb_error *err)
{
	static const char *const valid[] = {
		"PIIX3", "PIIX4", "ICH6", "AHCI", "LsiLogic", "BusLogic",
		"LsiLogicSas", "I82078", "USB", "NVMe", "VirtioSCSI",
	};
	struct snode *sc = machine_elem(m, ME_STORAGE, false), *ctl, *ad;
	bool have_ide = false, have_ahci = false;
	unsigned i;
	int rc;

	for (ctl = sc ? snode_child(sc, "StorageController") : NULL; ctl;
	     ctl = snode_next(ctl, "StorageController")) {
		const char *name = snode_attr(ctl, "name");
		const char *type = snode_attr(ctl, "type");
		struct board_storage_cfg *s;
		bool ok = false, ide;
		unsigned ports;

		for (i = 0; type && i < VB_ARRAY_SIZE(valid); i++)
			if (!strcmp(type, valid[i]))
				ok = true;
		if (!ok)
			return settings_error(c, where, err,
					      "Invalid value '%s' for StorageController/@type attribute",
					      type ? type : "");
		if (!name)
			name = type;
		ide = !strcmp(type, "PIIX3") || !strcmp(type, "PIIX4") ||
		      !strcmp(type, "ICH6");
		if (!ide && strcmp(type, "AHCI"))
			return unsupported(where, err,
					   "The storage controller '%s' of type %s is not emulated by this VirtualBox implementation yet (IDE and AHCI controllers are)",
					   name, type);
		if ((ide && have_ide) || (!ide && have_ahci))
			return unsupported(where, err,
					   "Only one %s controller per machine is emulated; '%s' is a second one",
					   ide ? "IDE" : "AHCI", name);
		if (c->board.n_storage >= BOARD_MAX_STORAGE)
			return unsupported(where, err, "Too many storage controllers");
		s = &c->board.storage[c->board.n_storage++];
		memset(s, 0, sizeof(*s));
		if (ide) {
			have_ide = true;
			s->type = !strcmp(type, "PIIX3") ? BOARD_CTL_PIIX3 :
				  !strcmp(type, "ICH6") ? BOARD_CTL_ICH6 : BOARD_CTL_PIIX4;
			ports = 2;
		} else {
			have_ahci = true;
			s->type = BOARD_CTL_AHCI;
			ports = snode_u32(ctl, "PortCount", 30);
			if (ports < 1 || ports > BOARD_AHCI_MAX_PORTS)
				return settings_error(c, where, err,
						      "Invalid value '%u' in StorageController/@PortCount attribute",
						      ports);
			s->port_count = ports;
		}
		s->bootable = snode_bool(ctl, "Bootable", true);
		if (ide)
			add_line(c, vb_asprintf("Storage controller '%s': %s", name, type));
		else
			add_line(c, vb_asprintf("Storage controller '%s': %s, %u ports",
						name, type, ports));
		for (ad = snode_child(ctl, "AttachedDevice"); ad;
		     ad = snode_next(ad, "AttachedDevice")) {
			const char *atype = snode_attr(ad, "type");
			unsigned port = snode_u32(ad, "port", 0);
			unsigned dev = snode_u32(ad, "device", 0);
			struct snode *img = snode_child(ad, "Image");
			struct board_drive_cfg *d;
			unsigned idx;

			if ((ide && (port > 1 || dev > 1)) ||
			    (!ide && (port >= ports || dev != 0)))
				return settings_error(c, where, err,
						      "Invalid port %u / device %u for storage controller '%s'",
						      port, dev, name);
			idx = ide ? port * 2 + dev : port;
			d = &s->drives[idx];
			if (!atype || (strcmp(atype, "HardDisk") && strcmp(atype, "DVD") &&
				       strcmp(atype, "Floppy")))
				return settings_error(c, where, err,
						      "Invalid value '%s' in AttachedDevice/@type attribute",
						      atype ? atype : "");
			if (!strcmp(atype, "Floppy"))
				return unsupported(where, err,
						   "Floppy drives are not emulated by this VirtualBox implementation yet");
			drive_ids(d, c->uuid, c->board.n_storage, idx);
			d->nonrotational = snode_bool(ad, "nonrotational", false);
			add_line(c, vb_asprintf("  %s port %u device %u: %s", name, port,
						dev, atype));
			if (!strcmp(atype, "DVD")) {
				d->kind = BOARD_DRIVE_CDROM;
				if (snode_child(ad, "HostDrive"))
					return unsupported(where, err,
							   "Host drive passthrough ('%s') is not supported by this VirtualBox implementation",
							   snode_attr(snode_child(ad, "HostDrive"), "src") ?
							   snode_attr(snode_child(ad, "HostDrive"), "src") : "");
				if (!img)
					continue;       /* empty drive */
				rc = open_medium(m, c, MR_DVD, snode_attr(img, "uuid") ?
						 snode_attr(img, "uuid") : "", d, where, err);
			} else {
				d->kind = BOARD_DRIVE_DISK;
				if (!img)
					return settings_error(c, where, err,
							      "Hard disk attachment at port %u device %u of '%s' has no image",
							      port, dev, name);
				rc = open_medium(m, c, MR_HDD, snode_attr(img, "uuid") ?
						 snode_attr(img, "uuid") : "", d, where, err);
			}
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Devices not emulated yet: logged, never silent                      */

static void note_unemulated(struct machine *m, struct vmm_config *c)
{
	struct snode *n = machine_elem(m, ME_NETWORK, false), *a;

	for (a = n ? snode_child(n, "Adapter") : NULL; a; a = snode_next(a, "Adapter"))
		if (snode_bool(a, "enabled", false))
			add_line(c, vb_asprintf("Network adapter %u (%s): not emulated yet, the guest sees no NIC",
						snode_u32(a, "slot", 0) + 1,
						snode_attr(a, "type") ? snode_attr(a, "type") : "Am79C973"));
	n = machine_elem(m, ME_AUDIO, false);
	if (n && snode_bool(n, "enabled", false))
		add_line(c, vb_strdup("Audio adapter: not emulated yet"));
	n = machine_elem(m, ME_USB, false);
	if (n && snode_path(n, "Controllers/Controller"))
		add_line(c, vb_strdup("USB controllers: not emulated yet"));
	n = machine_elem(m, ME_DISPLAY, false);
	add_line(c, vb_asprintf("Display: %s with %u MB VRAM is not emulated yet; the firmware console goes to COM1 when it is enabled",
				n && snode_attr(n, "controller") ? snode_attr(n, "controller") : "VBoxVGA",
				c->vram_mb));
}

/* ------------------------------------------------------------------ */

static int load_engine(struct machine *m, struct vmm_config *c,
		       enum vmm_fail *where, struct vb_error *err)
{
	const char *e = machine_extradata_get(m, "VBoxInternal/EM/Engine");

	if (!e || !*e) {
		c->engine_req = c->cpu.hwvirtex ? ENGINE_REQ_DEFAULT : ENGINE_REQ_IEM;
		c->engine_req_src = vb_strdup(c->cpu.hwvirtex ? "--hwvirtex on" :
					      "--hwvirtex off");
		return 0;
	}
	c->engine_req_src = vb_asprintf("VBoxInternal/EM/Engine=%s", e);
	if (vb_strcaseeq(e, "kvm"))
		c->engine_req = ENGINE_REQ_KVM;
	else if (vb_strcaseeq(e, "iem"))
		c->engine_req = ENGINE_REQ_IEM;
	else if (vb_strcaseeq(e, "auto"))
		c->engine_req = ENGINE_REQ_AUTO;
	else {
		*where = VMM_FAIL_POWERUP;
		vb_err(err, EINVAL, VB_E_FAIL,
		       "Invalid value '%s' of extra data VBoxInternal/EM/Engine: use kvm, iem or auto (VERR_INVALID_PARAMETER).",
		       e);
		vb_err_where(err, "ConsoleWrap", "IConsole", NULL);
		return -EINVAL;
	}
	return 0;
}

int vmm_config_load(struct machine *m, struct vmm_config *c,
		    enum vmm_fail *where, struct vb_error *err)
{
	struct snode *mn = machine_elem(m, ME_MACHINE, false);
	struct snode *hw = machine_elem(m, ME_HARDWARE, false);
	struct snode *sp;
	char u[VB_UUID_STRLEN + 1];
	const char *hwuuid;
	struct vb_uuid hu;
	int rc;

	memset(c, 0, sizeof(*c));
	*where = VMM_FAIL_LOCK;
	c->name = vb_strdup(machine_name(m));
	c->uuid = vb_strdup(vb_uuid_fmt(machine_uuid(m), u));
	c->ostype = vb_strdup(mn && snode_attr(mn, "OSType") ? snode_attr(mn, "OSType") : "Other");
	c->settings_path = vb_strdup(machine_path(m));
	c->folder = vb_strdup(machine_folder(m));
	c->log_dir = path_join(machine_folder(m), "Logs");
	if (!c->name || !c->uuid || !c->ostype || !c->settings_path ||
	    !c->folder || !c->log_dir)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	c->log_history = 3;
	sp = vbox_global_node(machine_vbox(m), "SystemProperties", false);
	if (sp)
		c->log_history = snode_u32(sp, "LogHistoryCount", 3);
	if (c->log_history > 10)
		c->log_history = 10;

	rc = load_cpu(m, c, where, err);
	if (!rc)
		rc = load_paravirt(m, c, where, err);
	if (!rc)
		rc = load_platform(m, c, where, err);
	if (!rc)
		rc = load_memory(m, c, where, err);
	if (!rc)
		rc = load_boot(m, c, where, err);
	if (!rc)
		rc = load_uarts(m, c, where, err);
	if (!rc)
		rc = load_engine(m, c, where, err);
	if (!rc)
		rc = load_storage(m, c, where, err);
	if (rc)
		return rc;
	note_unemulated(m, c);

	c->board.cpus = c->cpu.cpus;
	c->board.ioapic = c->ioapic;
	c->board.acpi = c->acpi;
	c->board.rtc_utc = c->rtc_utc;
	hwuuid = hw ? snode_attr(hw, "uuid") : NULL;
	if (!hwuuid || vb_uuid_parse(hwuuid, &hu))
		hu = *machine_uuid(m);
	memcpy(c->board.uuid, hu.b, 16);
	/* Without a display the firmware's screen goes to COM1. */
	c->board.sercon = c->board.serial[0].enabled;
	c->board.reserved_gpa = 0xfeffc000ull;
	c->board.reserved_len = 0x4000;
	return 0;
}

void vmm_config_release(struct vmm_config *c)
{
	unsigned i;

	for (i = 0; i < c->n_media; i++)
		media_close(c->media[i]);
	for (i = 0; i < c->n_lines; i++)
		free(c->lines[i]);
	free(c->name);
	free(c->uuid);
	free(c->ostype);
	free(c->settings_path);
	free(c->folder);
	free(c->log_dir);
	free(c->chipset);
	free(c->firmware);
	free(c->profile);
	free(c->engine_req_src);
	free(c->bios_path);
	memset(c, 0, sizeof(*c));
}
