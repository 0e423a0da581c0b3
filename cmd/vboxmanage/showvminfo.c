/*
 * showvminfo: machine information, human (%-28s labels), --details and
 * --machinereadable (key="value" in VirtualBox 7.0's order), --log.
 *
 * Spec: vboxmanage-cli.md 3.2, 4.2, 4.4, 4.6, 4.8; key order and value
 * spellings of VirtualBox 7.0's VBoxManageInfo.cpp.  Live-VM parts
 * (session name, video mode, VRDE connection, guest facilities) are not
 * printed: no VM process reports them yet.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/vboxmanage/commands.h"
#include "cmd/vboxmanage/vminfo.h"
#include "lib/settings/hwmodel.h"
#include "lib/settings/mediareg.h"
#include "lib/settings/state.h"
#include "lib/util/fileio.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"
#include "lib/util/timefmt.h"

struct vi {
	struct vbm_ctx *ctx;
	struct machine *m;
	bool mr;
};

/* ------------------------------------------------------------------ */
/* output helpers                                                      */

static void show_str(struct vi *v, const char *key, const char *label,
		     const char *val)
{
	if (v->mr)
		vbm_mr_str(key, val);
	else
		printf("%-28s %s\n", label, val);
}

static void show_bool(struct vi *v, const char *key, const char *label,
		      bool f)
{
	if (v->mr)
		vbm_mr_str(key, f ? "on" : "off");
	else
		printf("%-28s %s\n", label, f ? "enabled" : "disabled");
}

static void show_bool_ex(struct vi *v, const char *key, const char *label,
			 bool f, const char *yes, const char *no)
{
	if (v->mr)
		vbm_mr_str(key, f ? "on" : "off");
	else
		printf("%-28s %s\n", label, f ? yes : no);
}

static void show_u32(struct vi *v, const char *key, const char *label,
		     uint32_t n, const char *unit)
{
	if (v->mr)
		printf("%s=%" PRIu32 "\n", key, n);
	else
		printf("%-28s %" PRIu32 "%s\n", label, n, unit);
}

/* Pick the machine-readable or the human spelling. */
static const char *pick(struct vi *v, const char *mr, const char *human)
{
	return v->mr ? mr : human;
}

struct map {
	const char *settings, *mr, *human;
};

static const char *map_value(struct vi *v, const struct map *t,
			     const char *s)
{
	for (; t->settings; t++)
		if (!strcmp(t->settings, s))
			return pick(v, t->mr, t->human);
	return pick(v, "unknown", "Unknown");
}

/* ------------------------------------------------------------------ */
/* general and CPU                                                     */

static void show_general(struct vi *v)
{
	struct machine *m = v->m;
	const char *os = hwm_get_str(m, HWM_OSTYPE);
	const struct ostype *t = ostype_find(os);
	struct vb_uuid hu;
	char ub[40], *groups, *p;
	const char *sf = hwm_get_str(m, HWM_SNAPSHOT_FOLDER);

	show_str(v, "name", "Name:", machine_name(m));
	show_str(v, "encryption", "Encryption:", "disabled");
	groups = hwm_groups(m);
	show_str(v, "groups", "Groups:", groups ? groups : "/");
	free(groups);
	show_str(v, "ostype", "Guest OS:", t ? t->description : os);
	show_str(v, "UUID", "UUID:", vb_uuid_fmt(machine_uuid(m), ub));
	show_str(v, "CfgFile", "Config file:", machine_path(m));
	p = path_slashes(*sf ? sf : "Snapshots");
	{
		char *abs = p ? path_abs_from(machine_folder(m), p) : NULL;

		show_str(v, "SnapFldr", "Snapshot folder:", abs ? abs : "");
		free(abs);
	}
	free(p);
	p = path_join(machine_folder(m), "Logs");
	show_str(v, "LogFldr", "Log folder:", p ? p : "");
	free(p);
	hwm_hardware_uuid(m, &hu);
	show_str(v, "hardwareuuid", "Hardware UUID:", vb_uuid_fmt(&hu, ub));
	show_u32(v, "memory", "Memory size:", hwm_get_u32(m, HWM_MEMORY), "MB");
	show_bool(v, "pagefusion", "Page Fusion:",
		  hwm_get_bool(m, HWM_PAGE_FUSION));
	show_u32(v, "vram", "VRAM size:", hwm_get_u32(m, HWM_VRAM), "MB");
	show_u32(v, "cpuexecutioncap", "CPU exec cap:",
		 hwm_get_u32(m, HWM_CPU_EXEC_CAP), "%");
	show_bool(v, "hpet", "HPET:", hwm_get_bool(m, HWM_HPET));
	show_str(v, "cpu-profile", "CPUProfile:", hwm_get_str(m, HWM_CPU_PROFILE));
	{
		const char *c = hwm_get_str(m, HWM_CHIPSET);

		show_str(v, "chipset", "Chipset:",
			 !strcmp(c, "ICH9") ? "ich9" : !strcmp(c, "PIIX3")
			 ? "piix3" : pick(v, "unknown", "unknown"));
	}
	{
		static const char *const fw[] = { "BIOS", "EFI", "EFI32",
			"EFI64", "EFIDUAL" };
		const char *f = hwm_get_str(m, HWM_FIRMWARE), *o = NULL;
		size_t i;

		for (i = 0; i < sizeof(fw) / sizeof(fw[0]); i++)
			if (!strcmp(f, fw[i]))
				o = fw[i];
		show_str(v, "firmware", "Firmware:",
			 o ? o : pick(v, "unknown", "unknown"));
	}
	show_u32(v, "cpus", "Number of CPUs:", hwm_get_u32(m, HWM_CPU_COUNT), "");
	show_bool(v, "pae", "PAE:", hwm_get_bool(m, HWM_PAE));
	show_bool(v, "longmode", "Long Mode:", hwm_get_bool(m, HWM_LONG_MODE));
	show_bool(v, "triplefaultreset", "Triple Fault Reset:",
		  hwm_get_bool(m, HWM_TRIPLE_FAULT));
	show_bool(v, "apic", "APIC:", hwm_apic(m));
	show_bool(v, "x2apic", "X2APIC:", hwm_x2apic(m));
	show_bool(v, "nested-hw-virt", "Nested VT-x/AMD-V:",
		  hwm_get_bool(m, HWM_NESTED_HWVIRT));
	show_u32(v, "cpuid-portability-level", "CPUID Portability Level:",
		 hwm_get_u32(m, HWM_CPUID_PORTABILITY), "");
	{
		struct hwm_cpuid_leaf l;
		unsigned i;

		if (!v->mr)
			printf("%-28s ", "CPUID overrides:");
		for (i = 0; hwm_cpuid_at(m, i, &l); i++) {
			if (v->mr) {
				/* no newline: VirtualBox prints it so */
				printf("cpuid=%08x,%08x,%08x,%08x,%08x,%08x",
				       l.leaf, l.subleaf, l.eax, l.ebx, l.ecx,
				       l.edx);
				continue;
			}
			if (!i)
				printf("Leaf no.      EAX      EBX      ECX      EDX\n");
			printf("%-28s %08x/%03x  %08x %08x %08x %08x\n", "",
			       l.leaf, l.subleaf, l.eax, l.ebx, l.ecx, l.edx);
		}
		if (!i && !v->mr)
			printf("None\n");
	}
}

static const struct map boot_map[] = {
	{ "Floppy", "floppy", "Floppy" },
	{ "DVD", "dvd", "DVD" },
	{ "HardDisk", "disk", "HardDisk" },
	{ "Network", "net", "Network" },
	{ "USB", "usb", "USB" },
	{ "SharedFolder", "sharedfolder", "Shared Folder" },
	{ NULL, NULL, NULL },
};

static char *nvram_file(struct machine *m)
{
	struct snode *bios = machine_elem(m, ME_BIOS, false);
	const char *p = snode_attr(snode_child(bios, "NVRAM"), "path");
	char *s, *r;

	if (p && *p) {
		s = path_slashes(p);
		r = s ? path_abs_from(machine_folder(m), s) : NULL;
		free(s);
		return r;
	}
	if (!strncmp(hwm_get_str(m, HWM_FIRMWARE), "EFI", 3)) {
		s = path_strip_ext(machine_path(m));
		r = s ? vb_asprintf("%s.nvram", s) : NULL;
		free(s);
		return r;
	}
	return NULL;
}

static void show_firmware(struct vi *v)
{
	struct machine *m = v->m;
	const char *bm = hwm_get_str(m, HWM_BOOT_MENU);
	const char *apic = hwm_get_str(m, HWM_BIOS_APIC);
	char nm[64], label[64], *nv;
	unsigned i;

	if (!strcmp(bm, "Disabled"))
		bm = "disabled";
	else if (!strcmp(bm, "MenuOnly"))
		bm = pick(v, "menuonly", "menu only");
	else
		bm = pick(v, "messageandmenu", "message and menu");
	show_str(v, "bootmenu", "Boot menu mode:", bm);
	for (i = 1; i <= HWM_BOOT_POSITIONS; i++) {
		const char *d = hwm_boot_device(v->m, i);
		const char *s = map_value(v, boot_map, d);

		if (!strcmp(s, "unknown") || !strcmp(s, "Unknown"))
			s = pick(v, "none", "Not Assigned");
		snprintf(nm, sizeof(nm), "boot%u", i);
		snprintf(label, sizeof(label), "Boot Device %u:", i);
		show_str(v, nm, label, s);
	}
	show_bool(v, "acpi", "ACPI:", hwm_get_bool(m, HWM_ACPI));
	show_bool(v, "ioapic", "IOAPIC:", hwm_get_bool(m, HWM_IOAPIC));
	if (!strcmp(apic, "Disabled"))
		apic = "disabled";
	else if (!strcmp(apic, "X2APIC"))
		apic = pick(v, "x2apic", "x2APIC");
	else
		apic = pick(v, "apic", "APIC");
	show_str(v, "biosapic", "BIOS APIC mode:", apic);
	if (v->mr)
		printf("biossystemtimeoffset=%" PRId64 "\n",
		       hwm_get_i64(m, HWM_TIME_OFFSET));
	else
		printf("%-28s %" PRId64 "ms\n", "Time offset:",
		       hwm_get_i64(m, HWM_TIME_OFFSET));
	nv = nvram_file(m);
	if (nv)
		show_str(v, "BIOS NVRAM File", "BIOS NVRAM File:", nv);
	free(nv);
	show_bool_ex(v, "rtcuseutc", "RTC:", hwm_get_bool(m, HWM_RTC_UTC),
		     "UTC", "local time");
	show_bool(v, "hwvirtex", "Hardware Virtualization:",
		  hwm_get_bool(m, HWM_HWVIRTEX));
	show_bool(v, "nestedpaging", "Nested Paging:",
		  hwm_get_bool(m, HWM_NESTED_PAGING));
	show_bool(v, "largepages", "Large Pages:",
		  hwm_get_bool(m, HWM_LARGE_PAGES));
	show_bool(v, "vtxvpid", "VT-x VPID:", hwm_get_bool(m, HWM_VTX_VPID));
	show_bool(v, "vtxux", "VT-x Unrestricted Exec.:",
		  hwm_get_bool(m, HWM_VTX_UX));
	show_bool(v, "virtvmsavevmload", "AMD-V Virt. Vmsave/Vmload:",
		  hwm_get_bool(m, HWM_VIRT_VMSAVE));
}

static const struct map iommu_map[] = {
	{ "None", "none", "None" },
	{ "Automatic", "automatic", "Automatic" },
	{ "AMD", "amd", "AMD" },
	{ "Intel", "intel", "Intel" },
	{ NULL, NULL, NULL },
};

static const struct map paravirt_map[] = {
	{ "None", "none", "None" },
	{ "Default", "default", "Default" },
	{ "Legacy", "legacy", "Legacy" },
	{ "Minimal", "minimal", "Minimal" },
	{ "HyperV", "hyperv", "HyperV" },
	{ "KVM", "kvm", "KVM" },
	{ NULL, NULL, NULL },
};

static const struct map gfx_map[] = {
	{ "None", "null", "Null" },
	{ "VBoxVGA", "vboxvga", "VBoxVGA" },
	{ "VMSVGA", "vmsvga", "VMSVGA" },
	{ "VBoxSVGA", "vboxsvga", "VBoxSVGA" },
	{ NULL, NULL, NULL },
};

static const struct map prio_map[] = {
	{ "Flat", "flat", "flat" },
	{ "Low", "low", "low" },
	{ "Normal", "normal", "normal" },
	{ "High", "high", "high" },
	{ NULL, NULL, NULL },
};

static int show_state_and_misc(struct vi *v)
{
	struct machine *m = v->m;
	struct vm_state_info si;
	const char *pd = hwm_get_str(m, HWM_PARAVIRT_DEBUG);
	const char *prio = hwm_get_str(m, HWM_PROC_PRIORITY);
	char ts[48];

	show_str(v, "iommu", "IOMMU:",
		 map_value(v, iommu_map, hwm_get_str(m, HWM_IOMMU)));
	show_str(v, "paravirtprovider", "Paravirt. Provider:",
		 map_value(v, paravirt_map, hwm_get_str(m, HWM_PARAVIRT)));
	show_str(v, "effparavirtprovider", "Effective Paravirt. Prov.:",
		 map_value(v, paravirt_map, hwm_effective_paravirt(m)));
	if (*pd)
		show_str(v, "paravirtdebug", "Paravirt. Debug:", pd);
	if (machine_state_get(m, &si))
		return -ENOMEM;
	vb_time_iso_ns(si.since_ms * 1000000, ts, sizeof(ts));
	if (v->mr) {
		printf("VMState=\"%s\"\n", vm_state_name(si.state, true));
		printf("VMStateChangeTime=\"%s\"\n", ts);
		if (si.state_file)
			printf("VMStateFile=\"%s\"\n", si.state_file);
	} else {
		printf("%-28s %s (since %s)\n", "State:",
		       vm_state_name(si.state, false), ts);
	}
	vm_state_info_release(&si);
	show_str(v, "graphicscontroller", "Graphics Controller:",
		 map_value(v, gfx_map, hwm_get_str(m, HWM_GFX)));
	show_u32(v, "monitorcount", "Monitor count:",
		 hwm_get_u32(m, HWM_MONITORS), "");
	show_bool(v, "accelerate3d", "3D Acceleration:",
		  hwm_get_bool(m, HWM_ACCEL3D));
	/* 7.0 dropped VHWA: the API reports it off whatever the file says */
	show_bool(v, "accelerate2dvideo", "2D Video Acceleration:", false);
	show_bool(v, "teleporterenabled", "Teleporter Enabled:",
		  hwm_get_bool(m, HWM_TELEPORTER_ENABLED));
	show_u32(v, "teleporterport", "Teleporter Port:",
		 hwm_get_u32(m, HWM_TELEPORTER_PORT), "");
	show_str(v, "teleporteraddress", "Teleporter Address:",
		 hwm_get_str(m, HWM_TELEPORTER_ADDRESS));
	show_str(v, "teleporterpassword", "Teleporter Password:",
		 hwm_get_str(m, HWM_TELEPORTER_PASSWORD));
	show_bool(v, "tracing-enabled", "Tracing Enabled:",
		  hwm_get_bool(m, HWM_TRACING_ENABLED));
	show_bool(v, "tracing-allow-vm-access", "Allow Tracing to Access VM:",
		  hwm_get_bool(m, HWM_TRACING_ALLOW_VM));
	show_str(v, "tracing-config", "Tracing Configuration:",
		 hwm_get_str(m, HWM_TRACING_CONFIG));
	show_bool(v, "autostart-enabled", "Autostart Enabled:",
		  hwm_get_bool(m, HWM_AUTOSTART_ENABLED));
	show_u32(v, "autostart-delay", "Autostart Delay:",
		 hwm_get_u32(m, HWM_AUTOSTART_DELAY), "");
	show_str(v, "defaultfrontend", "Default Frontend:",
		 hwm_get_str(m, HWM_FRONTEND));
	show_str(v, "vmprocpriority", "VM process priority:",
		 strcmp(prio, "Default") ? map_value(v, prio_map, prio)
					 : "default");
	return 0;
}

/* ------------------------------------------------------------------ */
/* storage                                                             */

/* Location and UUID of the medium of an attachment (allocated). */
static void medium_of(struct vi *v, const struct hwm_att_dev *a, char **loc,
		      char *uuid)
{
	struct mediareg_entry e = { 0 };
	struct machine *loaded = NULL;
	enum mediareg_kind kind = !strcmp(a->type, "DVD") ? MR_DVD :
				  !strcmp(a->type, "Floppy") ? MR_FLOPPY
							     : MR_HDD;
	struct vbox *vb = machine_vbox(v->m);
	char ub[40];

	*loc = NULL;
	if (a->host_drive) {
		struct vb_uuid z = { { 0 } };

		*loc = strdup(a->host_drive);
		vb_uuid_fmt(&z, uuid);
		return;
	}
	vb_uuid_fmt(&a->image, uuid);
	if (vb && !mediareg_find(vb, v->m, kind, vb_uuid_fmt(&a->image, ub),
				 &e, &loaded, NULL)) {
		*loc = e.location;
		e.location = NULL;
	}
	mediareg_entry_release(&e);
	machine_free(loaded);
	if (!*loc)
		*loc = strdup(uuid);
}

static void show_attachments(struct vi *v, const struct hwm_ctl *c)
{
	uint32_t p, d;
	char key[512], uuid[40];

	for (p = 0; p < c->ports; p++) {
		for (d = 0; d < c->max_devices; d++) {
			struct hwm_att_dev a;
			bool dvd;
			char *loc;

			if (!hwm_attached(c, p, d, &a)) {
				if (v->mr) {
					snprintf(key, sizeof(key), "%s-%u-%u",
						 c->name, p, d);
					vbm_mr_strq(key, "none");
				}
				continue;
			}
			dvd = !strcmp(a.type, "DVD");
			if (!a.has_image && !a.host_drive) {
				if (!v->mr) {
					printf("  Port %u, Unit %u: Empty%s%s\n",
					       p, d, a.tempeject ? ", temp eject"
								 : "", "");
					continue;
				}
				snprintf(key, sizeof(key), "%s-%u-%u", c->name,
					 p, d);
				vbm_mr_strq(key, "emptydrive");
				if (dvd) {
					snprintf(key, sizeof(key),
						 "%s-IsEjected-%u-%u", c->name,
						 p, d);
					vbm_mr_strq(key, "off");
				}
				continue;
			}
			medium_of(v, &a, &loc, uuid);
			if (!v->mr) {
				printf("  Port %u, Unit %u: UUID: %s%s%s%s%s%s%s\n"
				       "    Location: \"%s\"\n", p, d, uuid,
				       a.passthrough ? ", passthrough enabled" : "",
				       a.tempeject ? ", temp eject" : "", "",
				       a.hotplug ? ", hot-pluggable" : "",
				       a.nonrotational ? ", non-rotational (SSD)" : "",
				       a.discard ? ", discards unused blocks" : "",
				       loc ? loc : "");
				free(loc);
				continue;
			}
			snprintf(key, sizeof(key), "%s-%u-%u", c->name, p, d);
			vbm_mr_strq(key, loc ? loc : "");
			snprintf(key, sizeof(key), "%s-ImageUUID-%u-%u", c->name,
				 p, d);
			vbm_mr_strq(key, uuid);
			if (a.passthrough) {
				snprintf(key, sizeof(key),
					 "%s-dvdpassthrough-%u-%u", c->name, p,
					 d);
				vbm_mr_strq(key, "on");
			}
			if (dvd) {
				snprintf(key, sizeof(key), "%s-tempeject-%u-%u",
					 c->name, p, d);
				vbm_mr_strq(key, a.tempeject ? "on" : "off");
				snprintf(key, sizeof(key), "%s-IsEjected-%u-%u",
					 c->name, p, d);
				vbm_mr_strq(key, "off");
			}
			if (!strcasecmp(c->name, "SATA") ||
			    !strcasecmp(c->name, "USB")) {
				snprintf(key, sizeof(key),
					 "%s-hot-pluggable-%u-%u", c->name, p,
					 d);
				vbm_mr_strq(key, a.hotplug ? "on" : "off");
			}
			snprintf(key, sizeof(key), "%s-nonrotational-%u-%u",
				 c->name, p, d);
			vbm_mr_strq(key, a.nonrotational ? "on" : "off");
			snprintf(key, sizeof(key), "%s-discard-%u-%u", c->name,
				 p, d);
			vbm_mr_strq(key, a.discard ? "on" : "off");
			free(loc);
		}
	}
}

static void show_storage(struct vi *v)
{
	struct hwm_ctl c;
	unsigned i;
	char key[64];

	for (i = 0; hwm_ctl_at(v->m, i, &c); i++) {
		if (!i && !v->mr)
			printf("Storage Controllers:\n");
		if (v->mr) {
			snprintf(key, sizeof(key), "storagecontrollername%u", i);
			vbm_mr_str(key, c.name);
			snprintf(key, sizeof(key), "storagecontrollertype%u", i);
			vbm_mr_str(key, c.api_type);
			printf("storagecontrollerinstance%u=\"%u\"\n", i,
			       c.instance);
			printf("storagecontrollermaxportcount%u=\"%u\"\n", i,
			       c.max_ports);
			printf("storagecontrollerportcount%u=\"%u\"\n", i,
			       c.ports);
			printf("storagecontrollerbootable%u=\"%s\"\n", i,
			       c.bootable ? "on" : "off");
			continue;
		}
		printf("#%u: '%s', Type: %s, Instance: %u, Ports: %u (max %u), %s\n",
		       i, c.name, c.api_type, c.instance, c.ports, c.max_ports,
		       c.bootable ? "Bootable" : "Not bootable");
		show_attachments(v, &c);
	}
	if (!i && !v->mr)
		printf("%-28s %s\n", "Storage Controllers:", "<none>");
	if (v->mr)
		for (i = 0; hwm_ctl_at(v->m, i, &c); i++)
			show_attachments(v, &c);
}

/* ------------------------------------------------------------------ */
/* network                                                             */

static const struct map promisc_map[] = {
	{ "Deny", "deny", "deny" },
	{ "AllowNetwork", "allow-vms", "allow-vms" },
	{ "AllowAll", "allow-all", "allow-all" },
	{ NULL, NULL, NULL },
};

static void show_nic(struct vi *v, unsigned slot, struct strbuf *line)
{
	struct machine *m = v->m;
	enum hwm_att att = hwm_nic_attachment(m, slot);
	struct strbuf nat_settings = STRBUF_INIT, fwd = STRBUF_INIT;
	const char *name = hwm_nic_net_name(m, slot, att);
	const char *type = hwm_nic_str(m, slot, HWN_TYPE);
	const char *bw = hwm_nic_str(m, slot, HWN_BWGROUP);
	const char *tf = hwm_nic_str(m, slot, HWN_TRACE_FILE);
	unsigned n = slot + 1, i;
	struct hwm_natrule r;

	sb_reset(line);
	switch (att) {
	case HWA_NULL:
		sb_adds(line, pick(v, "null", "none"));
		break;
	case HWA_NAT:
		for (i = 0; hwm_natrule_at(m, slot, i, &r); i++) {
			if (v->mr)
				sb_addf(&fwd, "Forwarding(%u)=\"%s,%s,%s,%u,%s,%u\"\n",
					i, r.name, r.tcp ? "tcp" : "udp",
					r.host_ip, r.host_port, r.guest_ip,
					r.guest_port);
			else
				sb_addf(&fwd, "NIC %u Rule(%u):   name = %s, protocol = %s, host ip = %s, host port = %u, guest ip = %s, guest port = %u\n",
					n, i, r.name, r.tcp ? "tcp" : "udp",
					r.host_ip, r.host_port, r.guest_ip,
					r.guest_port);
		}
		{
			uint32_t mtu = hwm_nat_u32(m, slot, HWT_MTU);
			uint32_t ss = hwm_nat_u32(m, slot, HWT_SOCKSND);
			uint32_t sr = hwm_nat_u32(m, slot, HWT_SOCKRCV);
			uint32_t ts = hwm_nat_u32(m, slot, HWT_TCPSND);
			uint32_t tr = hwm_nat_u32(m, slot, HWT_TCPRCV);
			const char *net = hwm_nat_str(m, slot, HWT_NETWORK);

			if (v->mr) {
				printf("natnet%u=\"%s\"\n", n, *net ? net : "nat");
				sb_adds(line, "nat");
				sb_addf(&nat_settings,
					"mtu=\"%u\"\nsockSnd=\"%u\"\nsockRcv=\"%u\"\ntcpWndSnd=\"%u\"\ntcpWndRcv=\"%u\"\n",
					mtu, ss ? ss : 64, sr ? sr : 64,
					ts ? ts : 64, tr ? tr : 64);
			} else {
				sb_adds(line, "NAT");
				sb_addf(&nat_settings,
					"NIC %u Settings:  MTU: %u, Socket (send: %u, receive: %u), TCP Window (send:%u, receive: %u)\n",
					n, mtu, ss ? ss : 64, sr ? sr : 64,
					ts ? ts : 64, tr ? tr : 64);
			}
		}
		break;
	case HWA_BRIDGED:
		if (v->mr) {
			printf("bridgeadapter%u=\"%s\"\n", n, name);
			sb_adds(line, "bridged");
		} else {
			sb_addf(line, "Bridged Interface '%s'", name);
		}
		break;
	case HWA_INTNET:
		if (v->mr) {
			printf("intnet%u=\"%s\"\n", n, name);
			sb_adds(line, "intnet");
		} else {
			sb_addf(line, "Internal Network '%s'", name);
		}
		break;
	case HWA_HOSTONLY:
		if (v->mr) {
			printf("hostonlyadapter%u=\"%s\"\n", n, name);
			sb_adds(line, "hostonly");
		} else {
			sb_addf(line, "Host-only Interface '%s'", name);
		}
		break;
	case HWA_GENERIC:
		if (v->mr) {
			printf("generic%u=\"%s\"\n", n, name);
			sb_adds(line, "Generic");
		} else {
			const char *pn, *pv;

			sb_addf(line, "Generic '%s' { ", name);
			for (i = 0; (pn = hwm_nic_prop_at(m, slot, i, &pv)); i++)
				sb_addf(line, i ? ", %s='%s'" : "%s='%s'", pn,
					pv);
			sb_adds(line, " }");
		}
		break;
	case HWA_NATNETWORK:
		if (v->mr) {
			printf("nat-network%u=\"%s\"\n", n, name);
			sb_adds(line, "natnetwork");
		} else {
			sb_addf(line, "NAT Network '%s'", name);
		}
		break;
	case HWA_CLOUD:
		if (v->mr) {
			printf("cloud-network%u=\"%s\"\n", n, name);
			sb_adds(line, "cloudnetwork");
		} else {
			sb_addf(line, "Cloud Network '%s'", name);
		}
		break;
	default:
		sb_adds(line, pick(v, "unknown", "unknown"));
		break;
	}
	if (v->mr) {
		printf("macaddress%u=\"%s\"\n", n, hwm_nic_str(m, slot, HWN_MAC));
		printf("cableconnected%u=\"%s\"\n", n,
		       hwm_nic_bool(m, slot, HWN_CABLE) ? "on" : "off");
		printf("nic%u=\"%s\"\n", n, sb_str(line));
		printf("nictype%u=\"%s\"\n", n, type);
		printf("nicspeed%u=\"%u\"\n", n,
		       hwm_nic_u32(m, slot, HWN_SPEED));
	} else {
		char label[16];

		snprintf(label, sizeof(label), "NIC %u:", n);
		printf("%-28s MAC: %s, Attachment: %s, Cable connected: %s, Trace: %s (file: %s), Type: %s, Reported speed: %u Mbps, Boot priority: %u, Promisc Policy: %s, Bandwidth group: %s\n",
		       label, hwm_nic_str(m, slot, HWN_MAC), sb_str(line),
		       hwm_nic_bool(m, slot, HWN_CABLE) ? "on" : "off",
		       hwm_nic_bool(m, slot, HWN_TRACE) ? "on" : "off",
		       *tf ? tf : "none", type,
		       hwm_nic_u32(m, slot, HWN_SPEED) / 1000,
		       hwm_nic_u32(m, slot, HWN_BOOT_PRIO),
		       map_value(v, promisc_map,
				 hwm_nic_str(m, slot, HWN_PROMISC)),
		       *bw ? bw : "none");
	}
	if (nat_settings.len)
		fputs(sb_str(&nat_settings), stdout);
	if (fwd.len)
		fputs(sb_str(&fwd), stdout);
	sb_release(&nat_settings);
	sb_release(&fwd);
}

static void show_network(struct vi *v)
{
	struct strbuf line = STRBUF_INIT;
	unsigned i, n = hwm_nic_count(v->m);

	for (i = 0; i < n; i++) {
		if (hwm_nic_bool(v->m, i, HWN_ENABLED)) {
			show_nic(v, i, &line);
			continue;
		}
		if (v->mr)
			printf("nic%u=\"none\"\n", i + 1);
		else {
			char label[16];

			snprintf(label, sizeof(label), "NIC %u:", i + 1);
			printf("%-28s disabled\n", label);
		}
	}
	sb_release(&line);
}

/* ------------------------------------------------------------------ */
/* HID, ports, audio, clipboard, VRDE, USB                              */

static const struct map pointing_map[] = {
	{ "None", "none", "None" },
	{ "PS2Mouse", "ps2mouse", "PS/2 Mouse" },
	{ "USBMouse", "usbmouse", "USB Mouse" },
	{ "USBTablet", "usbtablet", "USB Tablet" },
	{ "ComboMouse", "combomouse", "USB Tablet and PS/2 Mouse" },
	{ "USBMultiTouch", "usbmultitouch", "USB Multi-Touch" },
	{ NULL, NULL, NULL },
};

static const struct map keyboard_map[] = {
	{ "None", "none", "None" },
	{ "PS2Keyboard", "ps2kbd", "PS/2 Keyboard" },
	{ "USBKeyboard", "usbkbd", "USB Keyboard" },
	{ "ComboKeyboard", "combokbd", "USB and PS/2 Keyboard" },
	{ NULL, NULL, NULL },
};

static void show_ports(struct vi *v)
{
	struct hwm_port p;
	unsigned i;
	char nm[16];

	show_str(v, "hidpointing", "Pointing Device:",
		 map_value(v, pointing_map, hwm_get_str(v->m, HWM_POINTING)));
	show_str(v, "hidkeyboard", "Keyboard Device:",
		 map_value(v, keyboard_map, hwm_get_str(v->m, HWM_KEYBOARD)));
	for (i = 0; i < HWM_UARTS; i++) {
		hwm_uart_get(v->m, i, &p);
		snprintf(nm, sizeof(nm), v->mr ? "uart%u" : "UART %u:", i + 1);
		if (!p.enabled) {
			if (v->mr)
				printf("%s=\"off\"\n", nm);
			else
				printf("%-28s disabled\n", nm);
			continue;
		}
		if (v->mr)
			printf("%s=\"%#06x,%u\"\n", nm, p.iobase, p.irq);
		else
			printf("%-28s I/O base: %#06x, IRQ: %u", nm, p.iobase,
			       p.irq);
		if (!strcmp(p.mode, "RawFile")) {
			if (v->mr)
				printf("uartmode%u=\"file,%s\"\n", i + 1, p.path);
			else
				printf(", attached to raw file '%s'\n", p.path);
		} else if (!strcmp(p.mode, "TCP")) {
			if (v->mr)
				printf("uartmode%u=\"%s,%s\"\n", i + 1,
				       p.server ? "tcpserver" : "tcpclient",
				       p.path);
			else
				printf(", attached to tcp (%s) '%s'",
				       p.server ? "server" : "client", p.path);
		} else if (!strcmp(p.mode, "HostPipe")) {
			if (v->mr)
				printf("uartmode%u=\"%s,%s\"\n", i + 1,
				       p.server ? "server" : "client", p.path);
			else
				printf(", attached to pipe (%s) '%s'",
				       p.server ? "server" : "client", p.path);
		} else if (!strcmp(p.mode, "HostDevice")) {
			if (v->mr)
				printf("uartmode%u=\"%s\"\n", i + 1, p.path);
			else
				printf(", attached to device '%s'", p.path);
		} else {
			if (v->mr)
				printf("uartmode%u=\"disconnected\"\n", i + 1);
			else
				printf(", disconnected");
		}
		if (!strcmp(p.uart_type, "16550A") ||
		    !strcmp(p.uart_type, "16750")) {
			if (v->mr)
				printf("uarttype%u=\"%s\"\n", i + 1, p.uart_type);
			else
				printf(", %s\n", p.uart_type);
		} else {
			if (v->mr)
				printf("uarttype%u=\"16450\"\n", i + 1);
			else
				printf(", 16450\n");
		}
	}
	for (i = 0; i < HWM_LPTS; i++) {
		hwm_lpt_get(v->m, i, &p);
		snprintf(nm, sizeof(nm), v->mr ? "lpt%u" : "LPT %u:", i + 1);
		if (!p.enabled) {
			if (v->mr)
				printf("%s=\"off\"\n", nm);
			else
				printf("%-28s disabled\n", nm);
			continue;
		}
		if (v->mr) {
			printf("%s=\"%#06x,%u\"\n", nm, p.iobase, p.irq);
			printf("lptmode%u=\"%s\"\n", i + 1, p.path);
		} else {
			printf("%-28s I/O base: %#06x, IRQ: %u", nm, p.iobase,
			       p.irq);
			printf(", attached to device '%s'\n", p.path);
		}
	}
}

static const struct map audio_drv_map[] = {
	{ "Null", "null", "Null" },
	{ "OSS", "oss", "OSS" },
	{ "ALSA", "alsa", "ALSA" },
	{ "Pulse", "pulse", "PulseAudio" },
	{ "WinMM", "winmm", "WINMM" },
	{ "DirectSound", "dsound", "DirectSound" },
	{ "WAS", "was", "Windows Audio Session (WAS)" },
	{ "CoreAudio", "coreaudio", "CoreAudio" },
	{ "SolAudio", "solaudio", "SolAudio" },
	{ NULL, NULL, NULL },
};

static const struct map audio_ctl_map[] = {
	{ "AC97", "ac97", "AC97" },
	{ "SB16", "sb16", "SB16" },
	{ "HDA", "hda", "HDA" },
	{ NULL, NULL, NULL },
};

static const struct map mode_map[] = {
	{ "Disabled", "disabled", "disabled" },
	{ "HostToGuest", "hosttoguest", "HostToGuest" },
	{ "GuestToHost", "guesttohost", "GuestToHost" },
	{ "Bidirectional", "bidirectional", "Bidirectional" },
	{ NULL, NULL, NULL },
};

static void show_audio(struct vi *v)
{
	struct machine *m = v->m;
	bool on = hwm_get_bool(m, HWM_AUDIO_ENABLED);
	const char *drv, *ctl, *codec = hwm_get_str(m, HWM_AUDIO_CODEC);

	drv = hwm_get_bool(m, HWM_AUDIO_DEFAULT_DRV) ?
	      pick(v, "default", "Default") :
	      map_value(v, audio_drv_map, hwm_audio_driver(m));
	ctl = map_value(v, audio_ctl_map, hwm_get_str(m, HWM_AUDIO_CTL));
	if (strcmp(codec, "SB16") && strcmp(codec, "STAC9700") &&
	    strcmp(codec, "AD1980") && strcmp(codec, "STAC9221"))
		codec = "Unknown";
	if (v->mr) {
		printf("audio=\"%s\"\n", on ? drv : "none");
	} else {
		printf("%-28s %s", "Audio:", on ? "enabled" : "disabled");
		if (on)
			printf(" (Driver: %s, Controller: %s, Codec: %s)", drv,
			       ctl, codec);
		printf("\n");
	}
	show_bool(v, "audio_out", "Audio playback:",
		  hwm_get_bool(m, HWM_AUDIO_OUT));
	show_bool(v, "audio_in", "Audio capture:",
		  hwm_get_bool(m, HWM_AUDIO_IN));
	show_str(v, "clipboard", "Clipboard Mode:",
		 map_value(v, mode_map, hwm_get_str(m, HWM_CLIPBOARD)));
	show_str(v, "draganddrop", "Drag and drop Mode:",
		 map_value(v, mode_map, hwm_get_str(m, HWM_DND)));
}

static void show_vrde(struct vi *v)
{
	struct machine *m = v->m;
	const char *at = hwm_get_str(m, HWM_VRDE_AUTH_TYPE);
	const char *ports, *addr, *vc, *q;
	bool multi, reuse, video;

	if (!hwm_get_bool(m, HWM_VRDE_ENABLED)) {
		if (v->mr)
			printf("vrde=\"off\"\n");
		else
			printf("%-28s disabled\n", "VRDE:");
		return;
	}
	ports = hwm_vrde_prop(m, "TCP/Ports");
	addr = hwm_vrde_prop(m, "TCP/Address");
	vc = hwm_vrde_prop(m, "VideoChannel/Enabled");
	q = hwm_vrde_prop(m, "VideoChannel/Quality");
	video = !strcasecmp(vc, "true") || !strcmp(vc, "1");
	multi = hwm_get_bool(m, HWM_VRDE_MULTICON);
	reuse = hwm_get_bool(m, HWM_VRDE_REUSECON);
	at = !strcmp(at, "External") ? "external" : !strcmp(at, "Guest")
	     ? "guest" : !strcmp(at, "Null") ? "null" : "unknown";
	if (v->mr) {
		printf("vrde=\"on\"\n");
		printf("vrdeport=-1\n");
		printf("vrdeports=\"%s\"\n", ports);
		printf("vrdeaddress=\"%s\"\n", addr);
		printf("vrdeauthtype=\"%s\"\n", at);
		printf("vrdemulticon=\"%s\"\n", multi ? "on" : "off");
		printf("vrdereusecon=\"%s\"\n", reuse ? "on" : "off");
		printf("vrdevideochannel=\"%s\"\n", video ? "on" : "off");
		if (video)
			printf("vrdevideochannelquality=\"%s\"\n", q);
	} else {
		printf("%-28s enabled (Address %s, Ports %s, MultiConn: %s, ReuseSingleConn: %s, Authentication type: %s)\n",
		       "VRDE:", *addr ? addr : "0.0.0.0", ports,
		       multi ? "on" : "off", reuse ? "on" : "off", at);
		if (video)
			printf("%-28s enabled (Quality %s)\n",
			       "Video redirection:", q);
		else
			printf("%-28s disabled\n", "Video redirection:");
	}
	/* The property list comes from the VRDE extension pack, which is
	 * not installed: VirtualBox prints none then. */
}

static void show_usb(struct vi *v)
{
	struct hwm_usbfilter f;
	unsigned i;
	char nm[64], idx[16];

	show_bool(v, "usb", "OHCI USB:", hwm_usb_count(v->m, "OHCI") > 0);
	show_bool(v, "ehci", "EHCI USB:", hwm_usb_count(v->m, "EHCI") > 0);
	show_bool(v, "xhci", "xHCI USB:", hwm_usb_count(v->m, "XHCI") > 0);
	for (i = 0; hwm_usbfilter_at(v->m, i, &f); i++) {
		if (!i && !v->mr)
			printf("USB Device Filters:\n");
		if (!v->mr) {
			snprintf(idx, sizeof(idx), "%u", i);
			show_str(v, "index", "Index:", idx);
		}
#define F(key, label, val) \
	snprintf(nm, sizeof(nm), key "%u", i + 1); \
	show_str(v, nm, label, val)
		snprintf(nm, sizeof(nm), "USBFilterActive%u", i + 1);
		show_bool_ex(v, nm, "  Active:", f.active, "yes", "no");
		F("USBFilterName", "  Name:", f.name);
		F("USBFilterVendorId", "  VendorId:", f.vendor);
		F("USBFilterProductId", "  ProductId:", f.product_id);
		F("USBFilterRevision", "  Revision:", f.revision);
		F("USBFilterManufacturer", "  Manufacturer:", f.manufacturer);
		F("USBFilterProduct", "  Product:", f.product);
		F("USBFilterRemote", "  Remote:", f.remote);
		F("USBFilterSerialNumber", "  Serial Number:", f.serial);
#undef F
		if (!v->mr && f.masked)
			printf("%-28s %#010x\n", "Masked Interfaces:", f.masked);
	}
	if (!i && !v->mr)
		printf("%-28s %s\n", "USB Device Filters:", "<none>");
}

/* ------------------------------------------------------------------ */
/* bandwidth, shared folders, recording, description, snapshots        */

static void show_bandwidth(struct vi *v)
{
	struct hwm_bwgroup g;
	unsigned i;

	if (!v->mr)
		printf("%-28s ", "Bandwidth groups:");
	if (!v->mr)
		fputs(hwm_bwgroup_at(v->m, 0, &g) ? "\n" : "<none>\n", stdout);
	for (i = 0; hwm_bwgroup_at(v->m, i, &g); i++) {
		uint64_t b = g.max_bytes, units;
		const char *unit;
		bool net = !strcmp(g.type, "Network");
		const char *type = net ? "Network" : !strcmp(g.type, "Disk")
				   ? "Disk" : "Null";

		if (v->mr) {
			char key[32];

			snprintf(key, sizeof(key), "BandwidthGroup%u", i);
			printf("%s=", key);
			{
				/* value quoted like the other strings, the
				 * type and limit glued on unquoted */
				struct strbuf sb = STRBUF_INIT;
				const char *s;

				sb_addc(&sb, '"');
				for (s = g.name; *s; s++) {
					if (*s == '"' || *s == '\\')
						sb_addc(&sb, '\\');
					sb_addc(&sb, *s);
				}
				sb_addc(&sb, '"');
				printf("%s,%s,%" PRIu64 "\n", sb_str(&sb),
				       type, b);
				sb_release(&sb);
			}
			continue;
		}
		if (!b) {
			printf("#%u: Name: '%s', Type: %s, Limit: none (disabled)\n",
			       i, g.name, type);
			continue;
		}
		if (!(b % (1024ull * 1024 * 1024))) {
			units = b / (1024ull * 1024 * 1024);
			unit = "GiB/s";
		} else if (!(b % (1024 * 1024))) {
			units = b / (1024 * 1024);
			unit = "MiB/s";
		} else if (!(b % 1024)) {
			units = b / 1024;
			unit = "KiB/s";
		} else {
			units = b;
			unit = "bytes/s";
		}
		if (net && !(b % 125)) {
			uint64_t nu = b / 125;
			const char *nunit = "kbps";

			if (!(nu % 1000000)) {
				nu /= 1000000;
				nunit = "Gbps";
			} else if (!(nu % 1000)) {
				nu /= 1000;
				nunit = "Mbps";
			}
			printf("#%u: Name: '%s', Type: %s, Limit: %" PRIu64 " %s (%" PRIu64 " %s)\n",
			       i, g.name, type, nu, nunit, units, unit);
		} else {
			printf("#%u: Name: '%s', Type: %s, Limit: %" PRIu64 " %s\n",
			       i, g.name, type, units, unit);
		}
	}
}

static void show_shared_folders(struct vi *v)
{
	struct hwm_sharedfolder f;
	unsigned i;
	char key[64];

	if (!v->mr)
		printf("%-28s ", "Shared folders:");
	for (i = 0; hwm_sharedfolder_at(v->m, i, &f); i++) {
		if (v->mr) {
			snprintf(key, sizeof(key),
				 "SharedFolderNameMachineMapping%u", i + 1);
			vbm_mr_str(key, f.name);
			snprintf(key, sizeof(key),
				 "SharedFolderPathMachineMapping%u", i + 1);
			vbm_mr_str(key, f.host_path);
			continue;
		}
		if (!i)
			printf("\n\n");
		printf("Name: '%s', Host path: '%s' (machine mapping), %s%s",
		       f.name, f.host_path, f.writable ? "writable" : "readonly",
		       f.auto_mount ? ", auto-mount" : "");
		if (*f.auto_mount_point)
			printf(", mount-point: '%s'\n", f.auto_mount_point);
		else
			printf("\n");
	}
	if (!v->mr)
		fputs(i ? "\n" : "<none>\n", stdout);
}

static void show_recording(struct vi *v)
{
	uint32_t n = hwm_get_u32(v->m, HWM_MONITORS), i;
	char label[32], val[64];

	show_bool_ex(v, "recording_enabled", "Recording enabled:",
		     hwm_get_bool(v->m, HWM_RECORDING_ENABLED), "yes", "no");
	show_u32(v, "recording_screens", "Recording screens:", n, "");
	for (i = 0; i < n; i++) {
		struct hwm_recscreen s;
		char *file = NULL;

		hwm_recscreen_get(v->m, i, &s);
		snprintf(label, sizeof(label), v->mr ? "rec_screen%u"
						     : "Screen %u:", i);
		printf(" %s\n", label);
		show_bool_ex(v, "rec_screen_enabled", "    Enabled:", s.enabled,
			     "yes", "no");
		show_u32(v, "rec_screen_id", "    ID:", i, "");
		show_bool_ex(v, "rec_screen_video_enabled", "    Record video:",
			     s.video, "yes", "no");
		show_bool_ex(v, "rec_screen_audio_enabled", "    Record audio:",
			     s.audio, "yes", "no");
		show_str(v, "rec_screen_dest", "    Destination:", "File");
		if (*s.file) {
			file = strdup(s.file);
		} else {
			char *stem = path_strip_ext(machine_path(v->m));

			file = stem ? vb_asprintf("%s-screen%u.webm", stem, i)
				    : NULL;
			free(stem);
		}
		show_str(v, "rec_screen_dest_filename", "    File:",
			 file ? file : "");
		free(file);
		show_str(v, "rec_screen_opts", "    Options:", s.options);
		snprintf(val, sizeof(val), "%ux%u", s.width, s.height);
		show_str(v, "rec_screen_video_res_xy", "    Video dimensions:",
			 val);
		show_u32(v, "rec_screen_video_rate_kbps", "    Video rate:",
			 s.rate, "kbps");
		show_u32(v, "rec_screen_video_fps", "    Video FPS:", s.fps,
			 "fps");
	}
}

/* VirtualBox's CFGM-ish boolean of the testing extra data. */
static int cfgm_bool(const char *s)
{
	if (!s || !*s)
		return 0;
	if (!strncmp(s, "integer:", 8))
		s += 8;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		if (!*s)
			return -1;
		for (; *s; s++) {
			if (!strchr("0123456789abcdefABCDEF", *s))
				return -1;
			if (*s != '0')
				return 1;
		}
		return 0;
	}
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (*s != '0')
			return 1;
	}
	return 0;
}

static void show_testing(struct vi *v)
{
	static const char *const pfx = "VBoxInternal/Devices/VMMDev/0/Config/";
	char key[128], label[64];
	int en, mmio;
	unsigned i;

	snprintf(key, sizeof(key), "%sTestingEnabled", pfx);
	en = cfgm_bool(machine_extradata_get(v->m, key));
	snprintf(key, sizeof(key), "%sTestingMMIO", pfx);
	mmio = cfgm_bool(machine_extradata_get(v->m, key));
	if (!en && !mmio)
		return;
	printf("%-28s %s, %s %s\n", "VMMDev Testing",
	       en > 0 ? "enabled" : en == 0 ? "disabled" : "misconfigured",
	       "MMIO:",
	       mmio > 0 ? "enabled" : mmio == 0 ? "disabled" : "misconfigured");
	for (i = 0; i < 10; i++) {
		const char *val;

		snprintf(key, sizeof(key), "%sTestingCfgDword%u", pfx, i);
		val = machine_extradata_get(v->m, key);
		if (!val || !*val)
			continue;
		snprintf(label, sizeof(label), "VMMDev Testing Cfg Dword%u:", i);
		printf("%-28s %s\n", label, val);
	}
}

static void show_snapshot_tree(struct vi *v, struct snode *s,
			       const char *prefix)
{
	const char *u = hwm_snapshot_uuid(s);
	bool cur = hwm_snapshot_is_current(v->m, s);
	char *desc = hwm_snapshot_description(s), *np;
	struct vb_uuid id;
	char ub[40];
	unsigned i;
	struct snode *c;

	if (!vb_uuid_parse(u, &id))
		u = vb_uuid_fmt(&id, ub);
	if (v->mr) {
		char key[256];

		snprintf(key, sizeof(key), "SnapshotName%s", prefix);
		vbm_mr_str(key, hwm_snapshot_name(s));
		snprintf(key, sizeof(key), "SnapshotUUID%s", prefix);
		vbm_mr_str(key, u);
		if (desc && *desc) {
			snprintf(key, sizeof(key), "SnapshotDescription%s",
				 prefix);
			vbm_mr_str(key, desc);
		}
		if (cur) {
			vbm_mr_str("CurrentSnapshotName", hwm_snapshot_name(s));
			vbm_mr_str("CurrentSnapshotUUID", u);
			snprintf(key, sizeof(key), "SnapshotName%s", prefix);
			vbm_mr_str("CurrentSnapshotNode", key);
		}
	} else {
		printf("   %sName: %s (UUID: %s)%s\n", prefix,
		       hwm_snapshot_name(s), u, cur ? " *" : "");
		if (desc && *desc && !strchr(desc, '\n'))
			printf("   %sDescription: %s\n", prefix, desc);
		else if (desc && *desc)
			printf("   %sDescription:\n%s\n", prefix, desc);
	}
	free(desc);
	for (i = 0; (c = hwm_snapshot_child(s, i)); i++) {
		np = v->mr ? vb_asprintf("%s-%u", prefix, i + 1)
			   : vb_asprintf("%s   ", prefix);
		if (!np)
			return;
		show_snapshot_tree(v, c, np);
		free(np);
	}
}

static void show_inaccessible(struct vi *v)
{
	char ub[40];

	vb_uuid_fmt(machine_uuid(v->m), ub);
	if (v->mr) {
		printf("name=\"<inaccessible>\"\n");
		printf("UUID=\"%s\"\n", ub);
		return;
	}
	printf("Name:            <inaccessible!>\n");
	printf("UUID:            %s\n", ub);
	printf("Config file:     %s\n", machine_path(v->m));
	printf("Encryption:     disabled\n");
	printf("Access error details:\n");
	fflush(stdout);
	vbm_error("%s", machine_access_error(v->m));
	fprintf(stderr,
		"VBoxManage: error: Details: code VBOX_E_FILE_ERROR (0x80bb0004), component MachineWrap, interface IMachine\n");
	printf("\n");
}

int vbm_vminfo_print(struct vbm_ctx *ctx, struct machine *m,
		     enum vminfo_details details)
{
	struct vi v = { ctx, m, details == VMINFO_MACHINEREADABLE };
	char *desc;
	struct snode *snap;
	char ub[40];

	if (!machine_accessible(m)) {
		if (details == VMINFO_COMPACT)
			printf("\"<inaccessible>\" {%s}\n",
			       vb_uuid_fmt(machine_uuid(m), ub));
		else
			show_inaccessible(&v);
		return VBM_OK;
	}
	if (details == VMINFO_COMPACT) {
		printf("\"%s\" {%s}\n", machine_name(m),
		       vb_uuid_fmt(machine_uuid(m), ub));
		return VBM_OK;
	}
	show_general(&v);
	show_firmware(&v);
	if (show_state_and_misc(&v)) {
		fflush(stdout);
		vbm_error("Out of memory");
		return VBM_FAIL;
	}
	show_storage(&v);
	show_network(&v);
	show_ports(&v);
	show_audio(&v);
	show_vrde(&v);
	show_usb(&v);
	show_bandwidth(&v);
	show_shared_folders(&v);
	show_recording(&v);
	desc = hwm_description(m);
	if (desc && *desc) {
		if (v.mr)
			vbm_mr_str("description", desc);
		else
			printf("Description:\n%s\n", desc);
	}
	free(desc);
	if (!v.mr)
		show_testing(&v);
	snap = hwm_snapshot_root(m);
	if (snap) {
		if (!v.mr)
			printf("* Snapshots:\n");
		show_snapshot_tree(&v, snap, "");
	}
	if (!v.mr)
		printf("* Guest:\n");
	show_u32(&v, "GuestMemoryBalloon", "Configured memory balloon:",
		 hwm_get_u32(m, HWM_BALLOON), "MB");
	if (!v.mr)
		printf("\n");
	return VBM_OK;
}

/* ------------------------------------------------------------------ */
/* the command                                                         */

/* Print Logs/VBox.log[.<idx>] with CR removed. */
static int print_log(struct machine *m, uint32_t idx)
{
	struct vb_error err = { 0 };
	char *path, *data = NULL;
	size_t len, i, k;
	int rc;

	path = idx ? vb_asprintf("%s/Logs/VBox.log.%u", machine_folder(m), idx)
		   : vb_asprintf("%s/Logs/VBox.log", machine_folder(m));
	if (!path)
		return VBM_FAIL;
	rc = vb_read_file(path, (size_t)1 << 31, &data, &len, &err);
	if (rc) {
		vb_err(&err, -rc, VBOX_E_IPRT_ERROR,
		       "Could not open log file '%s' (%s)", path,
		       rc == -ENOENT ? "VERR_FILE_NOT_FOUND" :
		       rc == -EACCES ? "VERR_ACCESS_DENIED" :
		       rc == -EISDIR ? "VERR_IS_A_DIRECTORY" : "VERR_OPEN_FAILED");
		vb_err_where(&err, "MachineWrap", "IMachine", "nsISupports");
		free(path);
		return vbm_api_error(&err,
				     "ReadLog(uLogIdx, uOffset, _1M, ComSafeArrayAsOutParam(aLogData))",
				     "VBoxManageInfo.cpp", 3075);
	}
	for (i = k = 0; i < len; i++)
		if (data[i] != '\r')
			data[k++] = data[i];
	fwrite(data, 1, k, stdout);
	free(data);
	free(path);
	return VBM_OK;
}

int cmd_showvminfo(struct vbm_ctx *ctx, int argc, char **argv)
{
	static const struct vb_option opts[] = {
		{ "--details", 'D', VBGO_NOVAL },
		{ "-details", 'D', VBGO_NOVAL },
		{ "--machinereadable", 'M', VBGO_NOVAL },
		{ "-machinereadable", 'M', VBGO_NOVAL },
		{ "--log", 'l', VBGO_U32 },
		{ "--password-id", 'i', VBGO_STRING },
		{ "-password-id", 'i', VBGO_STRING },
		{ "--password", 'w', VBGO_STRING },
		{ "-password", 'w', VBGO_STRING },
	};
	const char *vm = NULL, *pw = NULL, *pwid = NULL;
	bool details = false, mr = false, log = false;
	uint32_t log_idx = 0;
	struct vb_getopt g;
	struct machine *m;
	int c, rc;

	vb_getopt_init(&g, argc, argv, 1, opts, sizeof(opts) / sizeof(opts[0]));
	while ((c = vb_getopt_next(&g)) != VBGO_END) {
		switch (c) {
		case 'D':
			details = true;
			break;
		case 'M':
			mr = true;
			break;
		case 'l':
			log = true;
			log_idx = g.v.u32;
			break;
		case 'i':
			pwid = g.v.str;
			break;
		case 'w':
			pw = g.v.str;
			break;
		case VBGO_NOT_OPTION:
			if (vm)
				return vbm_syntax(ctx, "Invalid parameter '%s'",
						  g.v.str);
			vm = g.v.str;
			break;
		default:
			return vbm_getopt_error(ctx, &g, c);
		}
	}
	if (!vm)
		return vbm_syntax(ctx, "VM name or UUID required");
	m = vbm_find_machine(ctx, vm, "VBoxManageInfo.cpp", 3017);
	if (!m)
		return VBM_FAIL;
	if (log && (mr || details)) {
		machine_free(m);
		return vbm_syntax(ctx, "Option --log is exclusive");
	}
	if (pw && pwid && *pwid) {
		struct vb_error err = { 0 };

		machine_free(m);
		vb_err(&err, ENOTSUP, VBOX_E_NOT_SUPPORTED,
		       "The machine is not encrypted");
		vb_err_where(&err, "MachineWrap", "IMachine", "nsISupports");
		return vbm_api_error(&err,
				     "AddEncryptionPassword(bstrPasswordId.raw(), Bstr(strPassword).raw())",
				     "VBoxManageInfo.cpp", 3050);
	}
	if (log)
		rc = print_log(m, log_idx);
	else
		rc = vbm_vminfo_print(ctx, m, mr ? VMINFO_MACHINEREADABLE
					       : details ? VMINFO_FULL
							 : VMINFO_STANDARD);
	machine_free(m);
	return rc;
}

const struct vbm_help help_showvminfo = {
	"show configuration information about a virtual machine",
	"VBoxManage showvminfo <uuid | vmname> [--details] [--machinereadable]\n"
	"     [--password-id=password-id] [--password=file]\n"
	"VBoxManage showvminfo <uuid | vmname> --log=index\n"
	"     [--password-id=id] [--password=file]",
	"Shows the settings of a virtual machine: in labelled lines, or with\n"
	"--machinereadable as key=\"value\" lines for scripts.  --log prints\n"
	"the VM log of a run (0 is the latest).\n",
};
