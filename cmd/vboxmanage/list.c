/*
 * list: VBoxManage 7.0's handleList (VBoxManageList.cpp) for a Linux host.
 *
 * The type words are matched like options (a later one replaces an earlier
 * one; with -m/--multiple every one is printed after a "[<type>]" line).
 * Host facts come from host.c, settings from VirtualBox.xml and the
 * machine files; hddbackends from lib/media's back-ends, cpu-profiles from
 * the profiles --cpu-profile accepts, usbhost from sysfs (no device can be
 * captured: there is no USB pass-through, so every one is "Not
 * supported").  Not listed: hostdrives (host disks and their partition
 * tables).  "list hdds",
 * "dvds", "floppies" and "list -l vms" go to the media and showvminfo
 * code through vbm_list_media() and vbm_vminfo_print().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cmd/vboxmanage/commands.h"
#include "cmd/vboxmanage/host.h"
#include "cmd/vboxmanage/vminfo.h"

#include "lib/media/media.h"
#include "lib/settings/netsvc.h"
#include "lib/settings/newvm.h"
#include "lib/util/checked.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"
#include "lib/vmm/vmm.h"

enum list_type {
	L_NONE, L_VMS, L_RUNNINGVMS, L_OSTYPES, L_HOSTDVDS, L_HOSTFLOPPIES,
	L_INTNETS, L_BRIDGEDIFS, L_HOSTONLYIFS, L_CLOUDNETS, L_NATNETS,
	L_HOSTINFO, L_HOSTCPUIDS, L_HDDS, L_DVDS, L_FLOPPIES, L_USBFILTERS,
	L_SYSPROPS, L_DHCPSERVERS, L_EXTPACKS, L_GROUPS, L_WEBCAMS,
	L_SCREENSHOTFORMATS, L_CLOUDPROVIDERS, L_CLOUDPROFILES,
	L_HDDBACKENDS, L_USBHOST, L_CPUPROFILES,
};

static const struct list_word {
	const char *word;
	enum list_type type;
} list_words[] = {
	{ "vms", L_VMS }, { "runningvms", L_RUNNINGVMS },
	{ "ostypes", L_OSTYPES }, { "hostdvds", L_HOSTDVDS },
	{ "hostfloppies", L_HOSTFLOPPIES }, { "intnets", L_INTNETS },
	{ "hostifs", L_BRIDGEDIFS }, { "bridgedifs", L_BRIDGEDIFS },
	{ "hostonlyifs", L_HOSTONLYIFS }, { "cloudnets", L_CLOUDNETS },
	{ "natnetworks", L_NATNETS }, { "natnets", L_NATNETS },
	{ "hostinfo", L_HOSTINFO }, { "hostcpuids", L_HOSTCPUIDS },
	{ "hdds", L_HDDS }, { "dvds", L_DVDS }, { "floppies", L_FLOPPIES },
	{ "usbfilters", L_USBFILTERS }, { "systemproperties", L_SYSPROPS },
	{ "dhcpservers", L_DHCPSERVERS }, { "extpacks", L_EXTPACKS },
	{ "groups", L_GROUPS }, { "webcams", L_WEBCAMS },
	{ "screenshotformats", L_SCREENSHOTFORMATS },
	{ "cloudproviders", L_CLOUDPROVIDERS },
	{ "cloudprofiles", L_CLOUDPROFILES },
	{ "hddbackends", L_HDDBACKENDS }, { "usbhost", L_USBHOST },
	{ "cpu-profiles", L_CPUPROFILES },
};

/* ------------------------------------------------------------------ */
/* machines                                                            */

struct vm_line {
	char *name;
	char uuid[40];
	unsigned idx;
};

static int cmp_vm(const void *a, const void *b)
{
	const struct vm_line *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

static int show_vm(struct vbm_ctx *ctx, struct vbox *vb, unsigned idx,
		   bool lng)
{
	struct machine *m;
	struct vb_uuid u;
	char ub[40];
	int rc = VBM_OK;

	if (vbox_machine_open_at(vb, idx, &m, NULL))
		return VBM_FAIL;
	if (lng) {
		/* "list -l vms": the showvminfo code's human block */
		rc = vbm_vminfo_print(ctx, m, VMINFO_STANDARD);
	} else {
		vbox_machine_entry_uuid(vb, idx, &u);
		printf("\"%s\" {%s}\n",
		       machine_accessible(m) ? machine_name(m) : "<inaccessible>",
		       vb_uuid_fmt(&u, ub));
	}
	machine_free(m);
	return rc;
}

static int list_vms(struct vbm_ctx *ctx, bool lng, bool sorted, bool running)
{
	struct vbox *vb = vbm_vbox(ctx);
	struct vm_line *v;
	unsigned i, n, k = 0;
	int rc = VBM_OK;

	if (!vb)
		return VBM_FAIL;
	n = vbox_machine_count(vb);
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return VBM_FAIL;
	for (i = 0; i < n; i++) {
		struct machine *m;
		struct vb_uuid u;

		vbox_machine_entry_uuid(vb, i, &u);
		/* runningvms: running, paused and the teleporting and live
		 * snapshot states, all held by a live VM process */
		if (running && !vbm_machine_running(&u))
			continue;
		if (sorted) {
			if (vbox_machine_open_at(vb, i, &m, NULL))
				continue;
			v[k].name = strdup(machine_accessible(m) ? machine_name(m)
								 : "");
			machine_free(m);
			if (!v[k].name)
				continue;
		}
		v[k++].idx = i;
	}
	if (sorted)
		qsort(v, k, sizeof(*v), cmp_vm);
	for (i = 0; i < k; i++) {
		if (show_vm(ctx, vb, v[i].idx, lng))
			rc = VBM_FAIL;
		free(v[i].name);
	}
	free(v);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_groups(struct vbm_ctx *ctx)
{
	struct vbox *vb = vbm_vbox(ctx);
	char **g = NULL;
	unsigned i, n = 0, cap = 0;

	if (!vb)
		return VBM_FAIL;
	for (i = 0; i < vbox_machine_count(vb); i++) {
		struct machine *m;
		struct snode *gs, *it;
		bool any = false;

		if (vbox_machine_open_at(vb, i, &m, NULL))
			continue;
		if (!machine_accessible(m)) {
			machine_free(m);
			continue;
		}
		gs = snode_child(machine_elem(m, ME_MACHINE, false), "Groups");
		for (it = snode_child(gs, "Group"); ; it = snode_next(it, "Group")) {
			const char *name = it ? snode_attr(it, "name") : NULL;

			if (!it && any)
				break;
			if (!it)
				name = "/";
			if (name) {
				if (n == cap) {
					char **ng = realloc(g, (cap = cap * 2 + 8) *
							    sizeof(*g));
					if (!ng)
						break;
					g = ng;
				}
				g[n] = strdup(name);
				if (g[n])
					n++;
				any = true;
			}
			if (!it)
				break;
		}
		machine_free(m);
	}
	if (n)
		qsort(g, n, sizeof(*g), cmp_str);
	for (i = 0; i < n; i++) {
		if (!i || strcmp(g[i], g[i - 1]))
			printf("\"%s\"\n", g[i]);
	}
	for (i = 0; i < n; i++)
		free(g[i]);
	free(g);
	return VBM_OK;
}

/* Names of the internal networks machines are attached to (adapters in
 * "intnet" mode, and the remembered ones of other modes), sorted. */
static void collect_intnets(struct snode *n, char ***v, unsigned *cnt)
{
	struct snode *c;

	for (c = snode_child(n, NULL); c; c = snode_next(c, NULL)) {
		if (!strcmp(snode_name(c), "InternalNetwork")) {
			const char *name = snode_attr(c, "name");
			char **nv;

			if (!name || !*name)
				continue;
			nv = realloc(*v, (*cnt + 1) * sizeof(**v));
			if (!nv)
				return;
			*v = nv;
			nv[*cnt] = strdup(name);
			if (nv[*cnt])
				(*cnt)++;
		} else {
			collect_intnets(c, v, cnt);
		}
	}
}

static int list_intnets(struct vbm_ctx *ctx)
{
	struct vbox *vb = vbm_vbox(ctx);
	char **v = NULL;
	unsigned i, n = 0;

	if (!vb)
		return VBM_FAIL;
	for (i = 0; i < vbox_machine_count(vb); i++) {
		struct machine *m;

		if (vbox_machine_open_at(vb, i, &m, NULL))
			continue;
		if (machine_accessible(m))
			collect_intnets(machine_elem(m, ME_NETWORK, false), &v, &n);
		machine_free(m);
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_str);
	for (i = 0; i < n; i++)
		if (!i || strcmp(v[i], v[i - 1]))
			printf("Name:        %s\n", v[i]);
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return VBM_OK;
}

static void list_ostypes(void)
{
	const struct ostype *t;

	for (t = ostype_table; t->id; t++) {
		printf("ID:          %s\n", t->id);
		printf("Description: %s\n", t->description);
		printf("Family ID:   %s\n", t->family);
		printf("Family Desc: %s\n", t->family_desc);
		printf("64 bit:      %s\n", t->is64 ? "true" : "false");
		printf("\n");
	}
}

/* ------------------------------------------------------------------ */
/* host                                                                */

static void list_netifs(bool hostonly)
{
	struct host_netif *v;
	unsigned i, n = host_netifs(hostonly, &v);

	for (i = 0; i < n; i++) {
		printf("Name:            %s\n", v[i].name);
		printf("GUID:            %s\n", v[i].guid);
		printf("DHCP:            Disabled\n");
		printf("IPAddress:       %s\n", v[i].ipv4);
		printf("NetworkMask:     %s\n", v[i].mask);
		printf("IPV6Address:     %s\n", v[i].ipv6);
		printf("IPV6NetworkMaskPrefixLength: %u\n", v[i].ipv6_prefix);
		printf("HardwareAddress: %s\n", v[i].mac);
		printf("MediumType:      %s\n", v[i].ethernet ? "Ethernet"
							      : "Unknown");
		printf("Wireless:        %s\n", v[i].wireless ? "Yes" : "No");
		printf("Status:          %s\n", v[i].up ? "Up" : "Down");
		printf("VBoxNetworkName: HostInterfaceNetworking-%s\n\n",
		       v[i].name);
	}
	free(v);
}

static void list_hostinfo(void)
{
	static const struct {
		enum host_feature f;
		const char *name;
	} feats[] = {
		{ HF_HWVIRT, "HW virtualization" }, { HF_PAE, "PAE" },
		{ HF_LONGMODE, "long mode" }, { HF_NESTED_PAGING, "nested paging" },
		{ HF_UNRESTRICTED, "unrestricted guest" },
		{ HF_NESTED_HWVIRT, "nested HW virtualization" },
		{ HF_VMSAVE_VMLOAD, "virt. vmsave/vmload" },
	};
	struct timespec ts;
	struct tm tm;
	struct utsname un;
	unsigned i, ncpu;

	printf("Host Information:\n\n");
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	printf("Host time: %04d-%02d-%02dT%02d:%02d:%02d.%09ldZ\n",
	       tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	       tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000 * 1000000);
	ncpu = host_cpu_count();
	printf("Processor online count: %u\n", host_cpu_online_count());
	printf("Processor count: %u\n", ncpu);
	printf("Processor online core count: %u\n", host_core_count(true));
	printf("Processor core count: %u\n", host_core_count(false));
	for (i = 0; i < sizeof(feats) / sizeof(feats[0]); i++)
		printf("Processor supports %s: %s\n", feats[i].name,
		       host_cpu_feature(feats[i].f) ? "yes" : "no");
	for (i = 0; i < ncpu; i++) {
		unsigned mhz = host_cpu_mhz(i);
		char *desc = host_cpu_description(i);

		if (mhz)
			printf("Processor#%u speed: %u MHz\n", i, mhz);
		else
			printf("Processor#%u speed: unknown\n", i);
		printf("Processor#%u description: %s\n", i, desc ? desc : "");
		free(desc);
	}
	printf("Memory size: %llu MByte\n",
	       (unsigned long long)host_mem_total_mb());
	printf("Memory available: %llu MByte\n",
	       (unsigned long long)host_mem_available_mb());
	if (uname(&un) == 0) {
		printf("Operating system: %s\n", un.sysname);
		printf("Operating system version: %s\n", un.release);
	}
}

/* The leaves VirtualBox prints: each range from its first leaf up to and
 * including one past the highest leaf the CPU reports. */
static void list_hostcpuids(void)
{
	static const uint32_t ranges[] = { 0x00000000, 0x0000007f,
		0x80000000, 0x8000007f, 0xc0000000, 0xc000007f };
	unsigned i;

	printf("Host CPUIDs:\n\nLeaf no.  EAX      EBX      ECX      EDX\n");
	if (!host_is_x86())
		return;
	for (i = 0; i < 6; i += 2) {
		uint32_t r[4], max, leaf;

		host_cpuid(ranges[i], 0, r);
		max = r[0];
		if (max < ranges[i] || max > ranges[i + 1])
			continue;
		for (leaf = ranges[i]; leaf <= max + 1; leaf++) {
			host_cpuid(leaf, 0, r);
			printf("%08x  %08x %08x %08x %08x\n", leaf, r[0], r[1],
			       r[2], r[3]);
		}
	}
}

static void list_host_drives(bool dvd)
{
	char **v, uuid[37];
	unsigned i, n = host_drives(dvd, &v);

	for (i = 0; i < n; i++) {
		host_drive_uuid(dvd, v[i], uuid);
		printf("UUID:         %s\n", uuid);
		printf("Name:         %s\n\n", v[i]);
		free(v[i]);
	}
	free(v);
}

/* ------------------------------------------------------------------ */
/* global settings                                                     */

static const char *sp_attr(struct vbox *vb, const char *attr)
{
	return snode_attr(vbox_global_node(vb, "SystemProperties", false),
			  attr);
}

static const char *str_or(const char *s, const char *dflt)
{
	return s && *s ? s : dflt;
}

/* ISystemProperties::DefaultAdditionsISO: the first of VirtualBox's
 * standard places that exists (package data dir, additions/ beside the
 * program, ~/VBoxGuestAdditions_<version>.iso), else empty. */
static char *additions_iso(void)
{
	char exe[4096], *dir, *c;
	const char *home = path_user_home();
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *cands[5] = { NULL };
	char *found = NULL;
	unsigned i;

	if (n > 0) {
		exe[n] = '\0';
		dir = path_dirname(exe);
		if (dir) {
			cands[0] = vb_asprintf("%s/../share/virtualbox/VBoxGuestAdditions.iso",
					       dir);
			cands[1] = vb_asprintf("%s/additions/VBoxGuestAdditions.iso",
					       dir);
		}
		free(dir);
	}
	cands[2] = strdup("/usr/share/virtualbox/VBoxGuestAdditions.iso");
	if (home)
		cands[3] = vb_asprintf("%s/VBoxGuestAdditions_%d.%d.%d.iso", home,
				       VB_VERSION_MAJOR, VB_VERSION_MINOR,
				       VB_VERSION_BUILD);
	for (i = 0; i < 5; i++) {
		if (!found && cands[i] && path_is_file(cands[i])) {
			c = path_abs(cands[i]);
			found = c;
		}
		free(cands[i]);
	}
	return found ? found : strdup("");
}

static const char *audio_name(const char *drv)
{
	return !strcmp(drv, "Pulse") ? "PulseAudio" : drv;
}

static int list_sysprops(struct vbm_ctx *ctx)
{
	struct vbox *vb = vbm_vbox(ctx);
	const char *a;
	char *mf, *iso, *lang;
	unsigned pm;

	if (!vb)
		return VBM_FAIL;
	printf("API version:                     7_0\n");
	printf("Minimum guest RAM size:          4 Megabytes\n");
	printf("Maximum guest RAM size:          2097152 Megabytes\n");
	printf("Minimum video RAM size:          0 Megabytes\n");
	printf("Maximum video RAM size:          256 Megabytes\n");
	printf("Maximum guest monitor count:     64\n");
	printf("Minimum guest CPU count:         1\n");
	printf("Maximum guest CPU count:         64\n");
	printf("Virtual disk limit (info):       2199022206976 Bytes\n");
	printf("Maximum Serial Port count:       4\n");
	printf("Maximum Parallel Port count:     2\n");
	printf("Maximum Boot Position:           4\n");
	printf("Maximum PIIX3 Network Adapter count:   8\n");
	printf("Maximum ICH9 Network Adapter count:   36\n");
	printf("Maximum PIIX3 IDE Controllers:   1\n");
	printf("Maximum ICH9 IDE Controllers:    1\n");
	printf("Maximum IDE Port count:          2\n");
	printf("Maximum Devices per IDE Port:    2\n");
	printf("Maximum PIIX3 SATA Controllers:  1\n");
	printf("Maximum ICH9 SATA Controllers:   8\n");
	printf("Maximum SATA Port count:         30\n");
	printf("Maximum Devices per SATA Port:   1\n");
	printf("Maximum PIIX3 SCSI Controllers:  1\n");
	printf("Maximum ICH9 SCSI Controllers:   8\n");
	printf("Maximum SCSI Port count:         16\n");
	printf("Maximum Devices per SCSI Port:   1\n");
	printf("Maximum SAS PIIX3 Controllers:   1\n");
	printf("Maximum SAS ICH9 Controllers:    8\n");
	printf("Maximum SAS Port count:          255\n");
	printf("Maximum Devices per SAS Port:    1\n");
	printf("Maximum NVMe PIIX3 Controllers:  1\n");
	printf("Maximum NVMe ICH9 Controllers:   8\n");
	printf("Maximum NVMe Port count:         255\n");
	printf("Maximum Devices per NVMe Port:   1\n");
	printf("Maximum virtio-scsi PIIX3 Controllers:  1\n");
	printf("Maximum virtio-scsi ICH9 Controllers:   8\n");
	printf("Maximum virtio-scsi Port count:         256\n");
	printf("Maximum Devices per virtio-scsi Port:   1\n");
	printf("Maximum PIIX3 Floppy Controllers:1\n");
	printf("Maximum ICH9 Floppy Controllers: 1\n");
	printf("Maximum Floppy Port count:       1\n");
	printf("Maximum Devices per Floppy Port: 2\n");
	mf = vbox_machine_folder(vb);
	printf("Default machine folder:          %s\n", mf ? mf : "");
	free(mf);
	printf("Raw-mode Supported:              no\n");
	printf("Exclusive HW virtualization use: %s\n",
	       snode_bool(vbox_global_node(vb, "SystemProperties", false),
			  "exclusiveHwVirt", true) ? "on" : "off");
	printf("Default hard disk format:        %s\n",
	       str_or(sp_attr(vb, "defaultHardDiskFormat"), "VDI"));
	a = sp_attr(vb, "VRDEAuthLibrary");
	if (!a)
		a = sp_attr(vb, "remoteDisplayAuthLibrary");
	printf("VRDE auth library:               %s\n", str_or(a, "VBoxAuth"));
	printf("Webservice auth. library:        %s\n",
	       str_or(sp_attr(vb, "webServiceAuthLibrary"), "VBoxAuth"));
	printf("Remote desktop ExtPack:          %s\n",
	       str_or(sp_attr(vb, "defaultVRDEExtPack"), ""));
	printf("VM encryption ExtPack:           %s\n",
	       str_or(sp_attr(vb, "defaultCryptoExtPack"), ""));
	printf("Log history count:               %u\n",
	       snode_u32(vbox_global_node(vb, "SystemProperties", false),
			 "LogHistoryCount", 3));
	printf("Default frontend:                %s\n",
	       str_or(sp_attr(vb, "defaultFrontend"), ""));
	printf("Default audio driver:            %s\n",
	       audio_name(settings_host_audio_driver()));
	printf("Autostart database path:         %s\n",
	       str_or(sp_attr(vb, "autostartDatabasePath"), ""));
	iso = additions_iso();
	printf("Default Guest Additions ISO:     %s\n", iso ? iso : "");
	free(iso);
	printf("Logging Level:                   %s\n",
	       str_or(sp_attr(vb, "LoggingLevel"), "all"));
	pm = snode_u32(vbox_global_node(vb, "SystemProperties", false),
		       "proxyMode", 0);
	printf("Proxy Mode:                      %s\n",
	       pm == 0 ? "System" : pm == 1 ? "NoProxy" : pm == 2 ? "Manual"
							 : "Unknown");
	printf("Proxy URL:                       %s\n",
	       str_or(sp_attr(vb, "proxyUrl"), ""));
	a = sp_attr(vb, "LanguageId");
	lang = NULL;
	if (!a || !*a) {
		const char *env = getenv("LC_ALL");

		if (!env || !*env)
			env = getenv("LC_MESSAGES");
		if (!env || !*env)
			env = getenv("LANG");
		if (!env || !*env || !strcmp(env, "POSIX"))
			env = "C";
		lang = strndup(env, strcspn(env, ".@"));
	}
	printf("User language:                   %s\n",
	       a && *a ? a : lang ? lang : "C");
	free(lang);
	return VBM_OK;
}

static int list_usbfilters(struct vbm_ctx *ctx)
{
	struct vbox *vb = vbm_vbox(ctx);
	struct snode *f;
	unsigned idx = 0;

	if (!vb)
		return VBM_FAIL;
	printf("Global USB Device Filters:\n\n");
	f = snode_child(vbox_global_node(vb, "USBDeviceFilters", false),
			"DeviceFilter");
	if (!f) {
		printf("<none>\n\n");
		return VBM_OK;
	}
	for (; f; f = snode_next(f, "DeviceFilter"), idx++) {
		const char *action = snode_attr(f, "action");

		printf("Index:            %u\n", idx);
		printf("Active:           %s\n",
		       snode_bool(f, "active", false) ? "yes" : "no");
		printf("Action:           %s\n",
		       action && !strcmp(action, "Ignore") ? "Ignore" :
		       action && !strcmp(action, "Hold") ? "Hold" : "<invalid>");
		printf("Name:             %s\n", str_or(snode_attr(f, "name"), ""));
		printf("VendorId:         %s\n",
		       str_or(snode_attr(f, "vendorId"), ""));
		printf("ProductId:        %s\n",
		       str_or(snode_attr(f, "productId"), ""));
		printf("Revision:         %s\n",
		       str_or(snode_attr(f, "revision"), ""));
		printf("Manufacturer:     %s\n",
		       str_or(snode_attr(f, "manufacturer"), ""));
		printf("Product:          %s\n",
		       str_or(snode_attr(f, "product"), ""));
		printf("Serial Number:    %s\n",
		       str_or(snode_attr(f, "serialNumber"), ""));
		printf("Port:             %s\n\n", str_or(snode_attr(f, "port"), ""));
	}
	return VBM_OK;
}

/* Option block of a DHCP configuration (global, group or individual);
 * opts is the element holding the lease/forced/suppressed attributes
 * and the <Option> children; mask, when set, is option 1. */
static void dhcp_options(struct snode *opts, const char *mask)
{
	static const char *const lease[] = { "secMinLeaseTime",
		"secDefaultLeaseTime", "secMaxLeaseTime" };
	static const char *const label[] = { "minLeaseTime:    ",
		"defaultLeaseTime:", "maxLeaseTime:    " };
	struct snode *o;
	const char *s;
	unsigned i, nopt = 0;
	bool first;

	for (i = 0; i < 3; i++) {
		unsigned secs = snode_u32(opts, lease[i], 0);

		if (secs)
			printf("    %s %u sec\n", label[i], secs);
		else
			printf("    %s default\n", label[i]);
	}
	for (i = 0; i < 2; i++) {
		s = snode_attr(opts, i ? "suppressedOptions" : "forcedOptions");
		printf("    %s", i ? "Suppressed opts.: " : "Forced options:   ");
		if (!s || !*s) {
			printf("None\n");
			continue;
		}
		first = true;
		while (*s) {
			s += strspn(s, " ,");
			if (!*s)
				break;
			printf(first ? "%lu" : ", %lu", strtoul(s, NULL, 10));
			first = false;
			s += strcspn(s, " ,");
		}
		printf("\n");
	}
	if (mask)
		nopt++;
	for (o = snode_child(opts, "Option"); o; o = snode_next(o, "Option"))
		nopt++;
	if (!nopt) {
		printf("    DHCP options:     None\n");
		return;
	}
	/* options in number order, the mask (1) first */
	for (unsigned want = 0; want < 256; want++) {
		if (want == 1 && mask) {
			printf("      %3d/legacy: %s\n", 1, mask);
			continue;
		}
		for (o = snode_child(opts, "Option"); o;
		     o = snode_next(o, "Option")) {
			unsigned enc = snode_u32(o, "encoding", 0);

			if (snode_u32(o, "name", 9999) != want ||
			    (want == 1 && mask))
				continue;
			if (enc == 0)
				printf("      %3u/legacy: %s\n", want,
				       str_or(snode_attr(o, "value"), ""));
			else if (enc == 1)
				printf("      %3u/hex:    %s\n", want,
				       str_or(snode_attr(o, "value"), ""));
			else
				printf("      %3u/%u?: %s\n", want, enc,
				       str_or(snode_attr(o, "value"), ""));
		}
	}
}

static const char *cond_type(unsigned t)
{
	static const char *const names[] = { "MAC       ", "MAC*      ",
		"VendorCID ", "VendorCID*", "UserCID   ", "UserCID*  " };

	return t < 6 ? names[t] : "!UNKNOWN! ";
}

static int list_dhcpservers(struct vbm_ctx *ctx)
{
	struct vbox *vb = vbm_vbox(ctx);
	struct snode *s, *g, *c;
	bool first = true;

	if (!vb)
		return VBM_FAIL;
	for (s = snode_child(netsvc_list(vb, "DHCPServers", false),
			     "DHCPServer"); s; s = snode_next(s, "DHCPServer")) {
		const char *mask = snode_attr(s, "networkMask");

		if (!first)
			printf("\n");
		first = false;
		printf("NetworkName:    %s\n", str_or(snode_attr(s, "networkName"), ""));
		printf("Dhcpd IP:       %s\n", str_or(snode_attr(s, "IPAddress"), ""));
		printf("LowerIPAddress: %s\n", str_or(snode_attr(s, "lowerIP"), ""));
		printf("UpperIPAddress: %s\n", str_or(snode_attr(s, "upperIP"), ""));
		printf("NetworkMask:    %s\n", str_or(mask, ""));
		printf("Enabled:        %s\n",
		       snode_bool(s, "enabled", false) ? "Yes" : "No");
		printf("Global Configuration:\n");
		dhcp_options(snode_child(s, "Options"), mask ? mask : "0.0.0.0");
		g = snode_child(s, "Group");
		if (!g)
			printf("Groups:               None\n");
		for (; g; g = snode_next(g, "Group")) {
			printf("Group:                %s\n",
			       str_or(snode_attr(g, "name"), ""));
			c = snode_child(g, "Condition");
			if (!c)
				printf("    Conditions:       None\n");
			for (; c; c = snode_next(c, "Condition"))
				printf("    Conditions:       %s %s %s\n",
				       snode_bool(c, "inclusive", true) ? "include"
									: "exclude",
				       cond_type(snode_u32(c, "type", 0)),
				       str_or(snode_attr(c, "value"), ""));
			dhcp_options(g, NULL);
		}
		c = snode_child(s, "Config");
		if (!c)
			printf("Individual Configs:   None\n");
		for (; c; c = snode_next(c, "Config")) {
			const char *vm = snode_attr(c, "vm-name");
			const char *fixed = snode_attr(c, "fixedAddress");

			if (vm)
				printf("Individual Config:    VM NIC: %s slot %u, MAC %s\n",
				       vm, snode_u32(c, "slot", 0),
				       str_or(snode_attr(c, "MACAddress"), ""));
			else
				printf("Individual Config:    MAC %s\n",
				       str_or(snode_attr(c, "MACAddress"), ""));
			printf("    Fixed Address:    %s\n", str_or(fixed, "dynamic"));
			dhcp_options(c, NULL);
		}
	}
	return VBM_OK;
}

struct natnet_ref {
	struct snode *n;
	const char *name;
};

static int cmp_natnet(const void *a, const void *b)
{
	return strcmp(((const struct natnet_ref *)a)->name,
		      ((const struct natnet_ref *)b)->name);
}

static void print_rules(const char *title, struct snode *list,
			const char *item)
{
	struct snode *f = snode_child(list, item);

	if (!f)
		return;
	printf("%s\n", title);
	for (; f; f = snode_next(f, item)) {
		char *s;

		if (!strcmp(item, "Forwarding"))
			s = netsvc_rule_string(f);
		else
			s = vb_asprintf("%s=%u",
					str_or(snode_attr(f, "address"), ""),
					snode_u32(f, "offset", 0));
		printf("        %s\n", s ? s : "");
		free(s);
	}
}

/* One NAT network as VBoxManage's printNATNetwork shows it. */
void vbm_print_natnet(struct snode *n, bool lng)
{
	const char *cidr = str_or(snode_attr(n, "network"), "");
	const char *prefix = snode_attr(n, "ipv6prefix");
	char gw[16] = "", p6[64] = "";

	if (netsvc_natnet_gateway(cidr, gw))
		gw[0] = '\0';
	if ((!prefix || !*prefix) && !netsvc_natnet_ipv6_prefix(cidr, p6))
		prefix = p6;
	printf("Name:         %s\n", str_or(snode_attr(n, "networkName"), ""));
	if (lng)
		printf("Enabled:      %s\n",
		       snode_bool(n, "enabled", true) ? "Yes" : "No");
	printf("Network:      %s\n", cidr);
	printf("Gateway:      %s\n", gw);
	printf("DHCP Server:  %s\n", snode_bool(n, "needDhcp", true) ? "Yes" : "No");
	printf("IPv6:         %s\n", snode_bool(n, "ipv6", false) ? "Yes" : "No");
	printf("IPv6 Prefix:  %s\n", prefix ? prefix : "");
	printf("IPv6 Default: %s\n",
	       snode_bool(n, "advertiseDefaultIPv6Route", false) ? "Yes" : "No");
	if (lng) {
		print_rules("Port-forwarding (ipv4)",
			    snode_child(n, "PortForwarding4"), "Forwarding");
		print_rules("Port-forwarding (ipv6)",
			    snode_child(n, "PortForwarding6"), "Forwarding");
		print_rules("loopback mappings (ipv4)",
			    snode_child(n, "Mappings"), "Loopback4");
	}
	printf("\n");
}

/* NAT networks (all, or those whose name matches a pattern with '*' and
 * '?'); returns how many were printed. */
unsigned vbm_list_natnets(struct vbox *vb, bool lng, bool sorted,
			  const char *pattern)
{
	struct snode *n;
	struct natnet_ref *v = NULL;
	unsigned cnt = 0, i;

	for (n = snode_child(netsvc_list(vb, "NATNetworks", false),
			     "NATNetwork"); n; n = snode_next(n, "NATNetwork")) {
		struct natnet_ref *nv;
		const char *name = str_or(snode_attr(n, "networkName"), "");

		if (pattern && !vbm_pattern_match(pattern, name))
			continue;
		nv = realloc(v, (cnt + 1) * sizeof(*v));
		if (!nv)
			break;
		v = nv;
		v[cnt].n = n;
		v[cnt++].name = name;
	}
	if (sorted && cnt)
		qsort(v, cnt, sizeof(*v), cmp_natnet);
	for (i = 0; i < cnt; i++)
		vbm_print_natnet(v[i].n, lng);
	free(v);
	return cnt;
}

static int list_cloudnets(struct vbm_ctx *ctx)
{
	struct vbox *vb = vbm_vbox(ctx);
	struct snode *n;

	if (!vb)
		return VBM_FAIL;
	for (n = snode_child(netsvc_list(vb, "CloudNetworks", false),
			     "CloudNetwork"); n; n = snode_next(n, "CloudNetwork")) {
		const char *name = str_or(snode_attr(n, "name"), "");

		printf("Name:            %s\n", name);
		printf("State:           %s\n",
		       snode_bool(n, "enabled", true) ? "Enabled" : "Disabled");
		printf("CloudProvider:   %s\n", str_or(snode_attr(n, "provider"), ""));
		printf("CloudProfile:    %s\n", str_or(snode_attr(n, "profile"), ""));
		printf("CloudNetworkId:  %s\n", str_or(snode_attr(n, "id"), ""));
		printf("VBoxNetworkName: cloud-%s\n\n", name);
	}
	return VBM_OK;
}

static int list_webcams(void)
{
	struct vb_error err = { 0 };

	/* VirtualBox lists webcams through its extension pack; without
	 * one (we have none) this is its answer */
	vb_err(&err, ENOENT, VBOX_E_OBJECT_NOT_FOUND,
	       "No extension pack by the name 'Oracle VM VirtualBox Extension Pack' was found");
	vb_err_where(&err, "ExtPackManagerWrap", "IExtPackManager", NULL);
	return vbm_api_error(&err,
			     "COMGETTER(VideoInputDevices)(ComSafeArrayAsOutParam(hostVideoInputDevices))",
			     "VBoxManageList.cpp", 1305);
}

static void list_screenshotformats(void)
{
	static const uint32_t fmts[] = { 0x30524742, 0x41524742, 0x41424752,
		0x20474E50 };
	unsigned i;

	printf("Supported %d screen shot formats:\n", 4);
	for (i = 0; i < 4; i++)
		printf("    BitmapFormat_%c%c%c%c (0x%08X)\n", fmts[i] & 255,
		       (fmts[i] >> 8) & 255, (fmts[i] >> 16) & 255,
		       fmts[i] >> 24, fmts[i]);
}

static void list_hddbackends(void)
{
	static const char *const kinds[] = { "HardDisk", "DVD", "Floppy" };
	const struct media_property *p;
	const char *fmt, *ext;
	unsigned i, j;
	int kind;

	printf("Supported hard disk backends:\n\n");
	for (i = 0; (fmt = media_format_at(i)); i++) {
		/* VirtualBox's Main names a back-end by its id */
		printf("Backend %u: id='%s' description='%s' capabilities=%#06x extensions='",
		       i, fmt, fmt, media_format_caps(fmt));
		for (j = 0; (ext = media_format_ext_at(fmt, j, &kind)); j++)
			printf("%s%s (%s)", j ? "," : "", ext, kinds[kind]);
		printf("' properties=(");
		for (p = media_format_props(fmt); p->name; p++)
			printf("%s\n  name='%s' desc='' type=%s flags=%#04x default='%s'",
			       p == media_format_props(fmt) ? "" : ", ",
			       p->name, p->type, p->flags, p->def);
		printf(")\n");
	}
}

static void list_usbhost(void)
{
	struct host_usb *v;
	unsigned n = host_usb_devices(&v), i;

	printf("Host USB Devices:\n\n");
	if (!n)
		printf("<none>\n\n");
	for (i = 0; i < n; i++) {
		struct host_usb *u = &v[i];
		unsigned hi = u->bcd_device >> 8, lo = u->bcd_device & 0xff;

		printf("UUID:               %s\n", u->uuid);
		printf("VendorId:           %#06x (%04X)\n", u->vendor, u->vendor);
		printf("ProductId:          %#06x (%04X)\n", u->product,
		       u->product);
		printf("Revision:           %u.%u (%02u%02u)\n", hi, lo, hi, lo);
		printf("Port:               %u\n", u->port);
		printf("USB version/speed:  %u/%s\n", u->version, u->speed);
		if (u->manufacturer[0])
			printf("Manufacturer:       %s\n", u->manufacturer);
		if (u->product_name[0])
			printf("Product:            %s\n", u->product_name);
		if (u->serial[0])
			printf("SerialNumber:       %s\n", u->serial);
		printf("Address:            %s\n", u->address);
		printf("Current State:      Not supported\n\n");
	}
	free(v);
}

struct cpu_profile_line {
	const char *name, *full;
	bool x86;
};

static int cmp_profile(const void *a, const void *b)
{
	return strcmp(((const struct cpu_profile_line *)a)->name,
		      ((const struct cpu_profile_line *)b)->name);
}

static void list_cpu_profiles(bool lng, bool sorted)
{
	struct cpu_profile_line p[64];
	unsigned n, i, width;

	for (n = 0; n < VB_ARRAY_SIZE(p) &&
		    (p[n].name = vmm_cpu_profile_at(n, &p[n].full, &p[n].x86));
	     n++)
		;
	if (sorted)
		qsort(p, n, sizeof(p[0]), cmp_profile);
	width = 1 + (n >= 10) + (n >= 100);
	for (i = 0; i < n; i++) {
		const char *arch = p[i].x86 ? "x86" : "AMD64";

		if (!lng) {
			printf("#%0*u: %s [%s]\n", (int)width, i, p[i].name, arch);
			continue;
		}
		printf("CPU Profile #%02u:\n", i);
		printf("  Architecture: %s\n", arch);
		printf("  Name:         %s\n", p[i].name);
		printf("  Full Name:    %s\n", p[i].full);
	}
}

/* ------------------------------------------------------------------ */

static int produce(struct vbm_ctx *ctx, enum list_type t, bool lng,
		   bool sorted)
{
	struct vbox *vb;

	switch (t) {
	case L_NONE:
		return VBM_FAIL;
	case L_VMS:
		return list_vms(ctx, lng, sorted, false);
	case L_RUNNINGVMS:
		return list_vms(ctx, lng, false, true);
	case L_OSTYPES:
		list_ostypes();
		return VBM_OK;
	case L_HOSTDVDS:
		list_host_drives(true);
		return VBM_OK;
	case L_HOSTFLOPPIES:
		list_host_drives(false);
		return VBM_OK;
	case L_INTNETS:
		return list_intnets(ctx);
	case L_BRIDGEDIFS:
		list_netifs(false);
		return VBM_OK;
	case L_HOSTONLYIFS:
		list_netifs(true);
		return VBM_OK;
	case L_CLOUDNETS:
		return list_cloudnets(ctx);
	case L_NATNETS:
		vb = vbm_vbox(ctx);
		if (!vb)
			return VBM_FAIL;
		vbm_list_natnets(vb, lng, sorted, NULL);
		return VBM_OK;
	case L_HOSTINFO:
		list_hostinfo();
		return VBM_OK;
	case L_HOSTCPUIDS:
		list_hostcpuids();
		return VBM_OK;
	case L_HDDS:
	case L_DVDS:
	case L_FLOPPIES:
		if (!vbm_list_media) {
			vbm_error("Listing media is not part of this build");
			return VBM_FAIL;
		}
		return vbm_list_media(ctx, t == L_HDDS ? MR_HDD : t == L_DVDS
				      ? MR_DVD : MR_FLOPPY, lng);
	case L_USBFILTERS:
		return list_usbfilters(ctx);
	case L_SYSPROPS:
		return list_sysprops(ctx);
	case L_DHCPSERVERS:
		return list_dhcpservers(ctx);
	case L_EXTPACKS:
		/* no extension packs can be installed into this build */
		printf("Extension Packs: 0\n");
		return VBM_OK;
	case L_GROUPS:
		return list_groups(ctx);
	case L_WEBCAMS:
		return list_webcams();
	case L_SCREENSHOTFORMATS:
		list_screenshotformats();
		return VBM_OK;
	case L_CLOUDPROVIDERS:
		printf("Supported %d cloud providers:\n", 0);
		return VBM_OK;
	case L_CLOUDPROFILES:
		return VBM_OK;
	case L_HDDBACKENDS:
		list_hddbackends();
		return VBM_OK;
	case L_USBHOST:
		list_usbhost();
		return VBM_OK;
	case L_CPUPROFILES:
		list_cpu_profiles(lng, sorted);
		return VBM_OK;
	}
	return VBM_FAIL;
}

static const struct list_word *find_word(const char *w)
{
	size_t i;

	for (i = 0; i < sizeof(list_words) / sizeof(list_words[0]); i++)
		if (!strcmp(list_words[i].word, w))
			return &list_words[i];
	return NULL;
}

int cmd_list(struct vbm_ctx *ctx, int argc, char **argv)
{
	static const struct vb_option opts[] = {
		{ "--long", 'l', VBGO_NOVAL },
		{ "--multiple", 'm', VBGO_NOVAL },
		{ "--sorted", 's', VBGO_NOVAL },
	};
	bool lng = false, multiple = false, sorted = false, first = true;
	enum list_type cmd = L_NONE;
	const char *cmd_word = NULL;
	const struct list_word *lw;
	struct vb_getopt g;
	int c, rc = VBM_OK;

	vb_getopt_init(&g, argc, argv, 1, opts, 3);
	while ((c = vb_getopt_next(&g)) != VBGO_END) {
		const char *header;
		enum list_type t;

		switch (c) {
		case 'l':
			lng = true;
			continue;
		case 's':
			sorted = true;
			continue;
		case 'm':
			multiple = true;
			if (cmd == L_NONE)
				continue;
			/* the type given before -m is printed now, under
			 * the name of the option (as in VirtualBox) */
			t = cmd;
			header = "--multiple";
			break;
		case VBGO_NOT_OPTION:
			lw = find_word(g.v.str);
			if (!lw)
				return vbm_syntax(ctx, "Unknown subcommand \"%s\".",
						  g.v.str);
			t = lw->type;
			header = lw->word;
			break;
		default:
			return vbm_getopt_error(ctx, &g, c);
		}
		cmd = t;
		cmd_word = header;
		if (multiple) {
			if (!first)
				printf("\n");
			first = false;
			printf("[%s]\n", header);
			if (produce(ctx, cmd, lng, sorted))
				rc = VBM_FAIL;
		}
	}
	(void)cmd_word;
	if (cmd == L_NONE)
		return vbm_syntax(ctx, "Missing subcommand for \"list\" command.");
	if (!multiple && produce(ctx, cmd, lng, sorted))
		rc = VBM_FAIL;
	return rc;
}

const struct vbm_help help_list = {
	"view system information and VM configuration details",
	"VBoxManage\blist [--long] [--sorted] [bridgedifs | cloudnets | "
	"cloudprofiles | cloudproviders | cpu-profiles | dhcpservers | dvds | "
	"extpacks | floppies | groups | hddbackends | hdds | hostcpuids | "
	"hostdrives | hostdvds | hostfloppies | hostinfo | hostonlyifs | "
	"hostonlynets | intnets | natnets | ostypes | runningvms | "
	"screenshotformats | systemproperties | usbfilters | usbhost | vms | "
	"webcams]",
	"Lists one kind of information at a time:\n"
	"\n"
	"  vms, runningvms   registered machines (\"name\" {uuid}); with\n"
	"                    --long their details, with --sorted by name\n"
	"  groups            machine groups in use\n"
	"  ostypes           the guest OS types new machines can use\n"
	"  hostinfo          processors, memory and OS of this host\n"
	"  hostcpuids        the host's CPUID leaves\n"
	"  bridgedifs        host network interfaces machines can bridge to\n"
	"  hostonlyifs       VirtualBox host-only interfaces (vboxnetN)\n"
	"  hostdvds, hostfloppies  host drives machines can use directly\n"
	"  intnets           internal networks machines are attached to\n"
	"  natnets           NAT networks (--long adds rules and mappings)\n"
	"  dhcpservers       DHCP servers and their configuration\n"
	"  usbfilters        global USB device filters\n"
	"  systemproperties  limits and global settings, among them the\n"
	"                    default machine folder\n"
	"  hdds, dvds, floppies  registered media\n"
	"  hddbackends       the image formats and their capabilities\n"
	"  cpu-profiles      the CPU profiles modifyvm --cpu-profile accepts\n"
	"  usbhost           the host's USB devices (none can be captured:\n"
	"                    there is no USB pass-through)\n"
	"  extpacks, cloudproviders, cloudprofiles, cloudnets,\n"
	"  screenshotformats, webcams\n"
	"\n"
	"--multiple (-m) prints every type given, each after a \"[type]\"\n"
	"line.\n",
};
