/*
 * Machine configuration model, scalar part: one table row per setting
 * (where it lives, its type, VirtualBox's default for the file version,
 * how it is omitted), the ordered attribute writer, and the machine-level
 * settings that need a little code (groups, hardware UUID, APIC, boot
 * order, CPUID overrides, CPU hot-plug).
 *
 * Spec: settings-format.md 7.1-7.16; defaults and omission rules of the
 * VirtualBox 7.0 writer (Settings.cpp), Main's setter rules for the
 * checks (MachineImpl.cpp).
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lib/settings/hwmodel.h"
#include "lib/util/strbuf.h"
#include "lib/util/uuid.h"

/* ------------------------------------------------------------------ */
/* attribute order                                                     */

struct attr_order {
	const char *element;
	const char *const *attrs;
};

static const char *const ao_machine[] = { "uuid", "name",
	"directoryIncludesUUID", "nameSync", "OSType", "stateKeyId",
	"stateKeyStore", "logKeyId", "logKeyStore", "stateFile",
	"currentSnapshot", "snapshotFolder", "currentStateModified",
	"lastStateChange", "aborted", "processPriority", "executionEngine",
	"icon", NULL };
static const char *const ao_cpu[] = { "count", "executionCap",
	"CpuIdPortabilityLevel", "CpuProfile", "hotplug", NULL };
static const char *const ao_memory[] = { "RAMSize", "PageFusion", NULL };
static const char *const ao_hid[] = { "Pointing", "Keyboard", NULL };
static const char *const ao_display[] = { "controller", "VRAMSize",
	"monitorCount", "accelerate3D", "accelerate2DVideo", NULL };
static const char *const ao_vrde[] = { "enabled", "port", "netAddress",
	"authType", "authTimeout", "allowMultiConnection",
	"reuseSingleConnection", "authLibrary", "VRDEExtPack", NULL };
static const char *const ao_logo[] = { "fadeIn", "fadeOut", "displayTime",
	"imagePath", NULL };
static const char *const ao_audio[] = { "controller", "codec", "useDefault",
	"driver", "enabled", "enabledIn", "enabledOut", NULL };
static const char *const ao_adapter[] = { "slot", "enabled", "MACAddress",
	"cable", "speed", "bootPriority", "trace", "tracefile",
	"bandwidthGroup", "promiscuousModePolicy", "type", NULL };
static const char *const ao_nat[] = { "network", "hostip", "mtu", "sockrcv",
	"socksnd", "tcprcv", "tcpsnd", "localhost-reachable",
	"forward-broadcast", "enable-tftp", NULL };
static const char *const ao_dns[] = { "pass-domain", "use-proxy",
	"use-host-resolver", NULL };
static const char *const ao_alias[] = { "logging", "proxy-only",
	"use-same-ports", NULL };
static const char *const ao_tftp[] = { "prefix", "boot-file", "next-server",
	NULL };
static const char *const ao_fwd[] = { "name", "proto", "hostip", "hostport",
	"guestip", "guestport", NULL };
static const char *const ao_port[] = { "slot", "enabled", "IOBase",
	"IOAddress", "IRQ", "server", "path", "hostMode", "uartType", NULL };
static const char *const ao_teleporter[] = { "enabled", "port", "address",
	"password", NULL };
static const char *const ao_tracing[] = { "enabled",
	"allowTracingToAccessVM", "config", NULL };
static const char *const ao_gdbg[] = { "provider", "io", "address", "port",
	NULL };
static const char *const ao_autostart[] = { "enabled", "delay", "autostop",
	NULL };
static const char *const ao_paravirt[] = { "provider", "debug", NULL };
static const char *const ao_named[] = { "name", "type", NULL };
static const char *const ao_iocache[] = { "enabled", "size", NULL };
static const char *const ao_tpm[] = { "type", "location", NULL };
static const char *const ao_recording[] = { "enabled", "screens", NULL };
static const char *const ao_screen[] = { "id", "enabled", "featuresEnabled",
	"maxTimeS", "options", "dest", "file", "maxSizeMB", "videoCodec",
	"horzRes", "vertRes", "rateKbps", "fps", "audioCodec", NULL };
static const char *const ao_order[] = { "position", "device", NULL };
static const char *const ao_cpuid[] = { "id", "subleaf", "eax", "ebx", "ecx",
	"edx", NULL };
static const char *const ao_prop[] = { "name", "value", NULL };

static const struct attr_order attr_orders[] = {
	{ "Machine", ao_machine },
	{ "CPU", ao_cpu },
	{ "Memory", ao_memory },
	{ "HID", ao_hid },
	{ "Display", ao_display },
	{ "RemoteDisplay", ao_vrde },
	{ "Logo", ao_logo },
	{ "AudioAdapter", ao_audio },
	{ "Adapter", ao_adapter },
	{ "NAT", ao_nat },
	{ "DNS", ao_dns },
	{ "Alias", ao_alias },
	{ "TFTP", ao_tftp },
	{ "Forwarding", ao_fwd },
	{ "Port", ao_port },
	{ "Teleporter", ao_teleporter },
	{ "Tracing", ao_tracing },
	{ "GuestDebug", ao_gdbg },
	{ "Autostart", ao_autostart },
	{ "Paravirt", ao_paravirt },
	{ "Controller", ao_named },
	{ "IoCache", ao_iocache },
	{ "TrustedPlatformModule", ao_tpm },
	{ "Recording", ao_recording },
	{ "Screen", ao_screen },
	{ "Order", ao_order },
	{ "CpuIdLeaf", ao_cpuid },
	{ "Property", ao_prop },
};

static int attr_rank(const char *const *order, const char *attr)
{
	int i;

	for (i = 0; order && order[i]; i++)
		if (!strcmp(order[i], attr))
			return i;
	return -1;
}

int hwm_attr_set(struct snode *n, const char *attr, const char *value)
{
	const char *const *order = NULL;
	const char *name, *v;
	char *names[32], *vals[32];
	unsigned i, k = 0;
	int rank, rc = 0;

	if (!n)
		return -EINVAL;
	if (!value || snode_has_attr(n, attr))
		return snode_set_attr(n, attr, value);
	for (i = 0; i < sizeof(attr_orders) / sizeof(attr_orders[0]); i++)
		if (!strcmp(attr_orders[i].element, snode_name(n)))
			order = attr_orders[i].attrs;
	rank = attr_rank(order, attr);
	if (rank < 0)
		return snode_set_attr(n, attr, value);
	/* take out the attributes VirtualBox writes after this one, add it,
	 * put them back */
	for (i = 0; (name = snode_attr_at(n, i, &v)) && k < 32; i++) {
		int r = attr_rank(order, name);

		if (r > rank) {
			names[k] = strdup(name);
			vals[k] = strdup(v ? v : "");
			if (!names[k] || !vals[k]) {
				free(names[k]);
				free(vals[k]);
				rc = -ENOMEM;
				break;
			}
			k++;
		}
	}
	for (i = 0; i < k && !rc; i++)
		snode_set_attr(n, names[i], NULL);
	if (!rc)
		rc = snode_set_attr(n, attr, value);
	for (i = 0; i < k; i++) {
		if (!rc)
			rc = snode_set_attr(n, names[i], vals[i]);
		free(names[i]);
		free(vals[i]);
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* the table                                                           */

enum { T_BOOL, T_U32, T_I64, T_STR, T_UTC };

#define F_ALWAYS  0x01  /* written even when at the default */
#define F_KEEP    0x02  /* the element stays when it becomes empty */
#define F_GROUP   0x04  /* the element is written whole or not at all */
#define F_OPT     0x08  /* in a group: written only when not default */

struct hwm_def {
	unsigned char elem;     /* enum melem */
	const char *path;       /* child path under it, or NULL */
	const char *attr;
	unsigned char type;
	const char *def;        /* default for files >= since */
	const char *def_old;    /* default for older files, or NULL */
	unsigned char since;
	unsigned char flags;
};

#define D(id, e, p, a, t, d, f) \
	[id] = { e, p, a, t, d, NULL, 0, f }
#define DV(id, e, p, a, t, dold, since, d, f) \
	[id] = { e, p, a, t, d, dold, since, f }

static const struct hwm_def defs[HWM_COUNT] = {
	D(HWM_OSTYPE, ME_MACHINE, NULL, "OSType", T_STR, "Other", F_ALWAYS),
	D(HWM_SNAPSHOT_FOLDER, ME_MACHINE, NULL, "snapshotFolder", T_STR,
	  "Snapshots", F_ALWAYS),
	D(HWM_PROC_PRIORITY, ME_MACHINE, NULL, "processPriority", T_STR,
	  "Default", 0),
	D(HWM_ICON, ME_MACHINE, NULL, "icon", T_STR, "", 0),
	D(HWM_TELEPORTER_ENABLED, ME_MACHINE, "Teleporter", "enabled", T_BOOL,
	  "false", F_GROUP),
	D(HWM_TELEPORTER_PORT, ME_MACHINE, "Teleporter", "port", T_U32, "0",
	  F_GROUP),
	D(HWM_TELEPORTER_ADDRESS, ME_MACHINE, "Teleporter", "address", T_STR,
	  "", F_GROUP),
	D(HWM_TELEPORTER_PASSWORD, ME_MACHINE, "Teleporter", "password",
	  T_STR, "", F_GROUP),
	D(HWM_TRACING_ENABLED, ME_MACHINE, "Debugging/Tracing", "enabled",
	  T_BOOL, "false", F_GROUP),
	D(HWM_TRACING_ALLOW_VM, ME_MACHINE, "Debugging/Tracing",
	  "allowTracingToAccessVM", T_BOOL, "false", F_GROUP),
	D(HWM_TRACING_CONFIG, ME_MACHINE, "Debugging/Tracing", "config",
	  T_STR, "", F_GROUP),
	D(HWM_GDBG_PROVIDER, ME_MACHINE, "Debugging/GuestDebug", "provider",
	  T_STR, "None", F_GROUP),
	D(HWM_GDBG_IO, ME_MACHINE, "Debugging/GuestDebug", "io", T_STR,
	  "None", F_GROUP),
	D(HWM_GDBG_ADDRESS, ME_MACHINE, "Debugging/GuestDebug", "address",
	  T_STR, "", F_GROUP),
	D(HWM_GDBG_PORT, ME_MACHINE, "Debugging/GuestDebug", "port", T_U32,
	  "0", F_GROUP),
	D(HWM_AUTOSTART_ENABLED, ME_MACHINE, "Autostart", "enabled", T_BOOL,
	  "false", F_GROUP),
	D(HWM_AUTOSTART_DELAY, ME_MACHINE, "Autostart", "delay", T_U32, "0",
	  F_GROUP),
	D(HWM_AUTOSTOP, ME_MACHINE, "Autostart", "autostop", T_STR,
	  "Disabled", F_GROUP),
	D(HWM_RECORDING_ENABLED, ME_MACHINE, "Recording", "enabled", T_BOOL,
	  "false", 0),

	D(HWM_CPU_COUNT, ME_CPU, NULL, "count", T_U32, "1", 0),
	D(HWM_CPU_EXEC_CAP, ME_CPU, NULL, "executionCap", T_U32, "100", 0),
	D(HWM_CPUID_PORTABILITY, ME_CPU, NULL, "CpuIdPortabilityLevel", T_U32,
	  "0", 0),
	D(HWM_CPU_PROFILE, ME_CPU, NULL, "CpuProfile", T_STR, "host", 0),
	D(HWM_CPU_HOTPLUG, ME_CPU, NULL, "hotplug", T_BOOL, "false", 0),
	D(HWM_HWVIRTEX, ME_CPU_X86, "HardwareVirtEx", "enabled", T_BOOL,
	  "true", 0),
	D(HWM_NESTED_PAGING, ME_CPU_X86, "HardwareVirtExNestedPaging",
	  "enabled", T_BOOL, "true", 0),
	D(HWM_VTX_VPID, ME_CPU_X86, "HardwareVirtExVPID", "enabled", T_BOOL,
	  "true", 0),
	D(HWM_VTX_UX, ME_CPU_X86, "HardwareVirtExUX", "enabled", T_BOOL,
	  "true", 0),
	D(HWM_PAE, ME_CPU_X86, "PAE", "enabled", T_BOOL, "true", F_ALWAYS),
	D(HWM_IBPB_EXIT, ME_CPU_X86, "IBPBOn", "vmexit", T_BOOL, "false", 0),
	D(HWM_IBPB_ENTRY, ME_CPU_X86, "IBPBOn", "vmentry", T_BOOL, "false", 0),
	D(HWM_SPEC_CTRL, ME_CPU_X86, "SpecCtrl", "enabled", T_BOOL, "false", 0),
	D(HWM_SPEC_CTRL_BY_HOST, ME_CPU_X86, "SpecCtrlByHost", "enabled",
	  T_BOOL, "false", 0),
	D(HWM_L1D_SCHED, ME_CPU_X86, "L1DFlushOn", "scheduling", T_BOOL,
	  "true", 0),
	D(HWM_L1D_ENTRY, ME_CPU_X86, "L1DFlushOn", "vmentry", T_BOOL, "false",
	  0),
	D(HWM_MDS_SCHED, ME_CPU_X86, "MDSClearOn", "scheduling", T_BOOL, "true",
	  0),
	D(HWM_MDS_ENTRY, ME_CPU_X86, "MDSClearOn", "vmentry", T_BOOL, "false",
	  0),
	D(HWM_NESTED_HWVIRT, ME_CPU_X86, "NestedHWVirt", "enabled", T_BOOL,
	  "false", 0),
	D(HWM_VIRT_VMSAVE, ME_CPU_X86, "HardwareVirtExVirtVmsaveVmload",
	  "enabled", T_BOOL, "true", 0),
	/* absent = "legacy": 64-bit hosts run long mode */
	D(HWM_LONG_MODE, ME_CPU_X86, "LongMode", "enabled", T_BOOL, "true",
	  F_ALWAYS),
	D(HWM_TRIPLE_FAULT, ME_CPU_X86, "TripleFaultReset", "enabled", T_BOOL,
	  "false", 0),
	/* absent: false on Linux hosts */
	D(HWM_LARGE_PAGES, ME_CPU_X86, "HardwareVirtExLargePages", "enabled",
	  T_BOOL, "false", F_ALWAYS),
	D(HWM_HWVIRT_FORCE, ME_CPU_X86, "HardwareVirtForce", "enabled", T_BOOL,
	  "false", 0),
	D(HWM_NATIVE_API, ME_CPU_X86, "HardwareVirtExUseNativeApi", "enabled",
	  T_BOOL, "false", 0),

	D(HWM_MEMORY, ME_MEMORY, NULL, "RAMSize", T_U32, "128", F_ALWAYS),
	D(HWM_PAGE_FUSION, ME_MEMORY, NULL, "PageFusion", T_BOOL, "false", 0),
	D(HWM_FIRMWARE, ME_FIRMWARE, NULL, "type", T_STR, "BIOS", 0),
	D(HWM_POINTING, ME_HARDWARE, "HID", "Pointing", T_STR, "PS2Mouse", 0),
	D(HWM_KEYBOARD, ME_HARDWARE, "HID", "Keyboard", T_STR, "PS2Keyboard",
	  0),
	D(HWM_HPET, ME_HPET, NULL, "enabled", T_BOOL, "false", 0),
	D(HWM_CHIPSET, ME_CHIPSET, NULL, "type", T_STR, "PIIX3", 0),
	DV(HWM_PARAVIRT, ME_HARDWARE, "Paravirt", "provider", T_STR, "Legacy",
	   16, "Default", 0),
	D(HWM_PARAVIRT_DEBUG, ME_HARDWARE, "Paravirt", "debug", T_STR, "", 0),
	D(HWM_IOMMU, ME_IOMMU, NULL, "type", T_STR, "None", 0),

	D(HWM_GFX, ME_DISPLAY, NULL, "controller", T_STR, "VBoxVGA", 0),
	D(HWM_VRAM, ME_DISPLAY, NULL, "VRAMSize", T_U32, "8", 0),
	D(HWM_MONITORS, ME_DISPLAY, NULL, "monitorCount", T_U32, "1", 0),
	D(HWM_ACCEL3D, ME_DISPLAY, NULL, "accelerate3D", T_BOOL, "false", 0),
	D(HWM_ACCEL2D, ME_DISPLAY, NULL, "accelerate2DVideo", T_BOOL, "false",
	  0),

	DV(HWM_VRDE_ENABLED, ME_VRDE, NULL, "enabled", T_BOOL, "true", 16,
	   "false", 0),
	D(HWM_VRDE_AUTH_TYPE, ME_VRDE, NULL, "authType", T_STR, "Null", 0),
	D(HWM_VRDE_AUTH_TIMEOUT, ME_VRDE, NULL, "authTimeout", T_U32, "5000",
	  0),
	D(HWM_VRDE_MULTICON, ME_VRDE, NULL, "allowMultiConnection", T_BOOL,
	  "false", 0),
	D(HWM_VRDE_REUSECON, ME_VRDE, NULL, "reuseSingleConnection", T_BOOL,
	  "false", 0),
	D(HWM_VRDE_AUTH_LIB, ME_VRDE, NULL, "authLibrary", T_STR, "", 0),
	D(HWM_VRDE_EXTPACK, ME_VRDE, NULL, "VRDEExtPack", T_STR, "", 0),

	D(HWM_ACPI, ME_BIOS, "ACPI", "enabled", T_BOOL, "true", 0),
	D(HWM_IOAPIC, ME_BIOS, "IOAPIC", "enabled", T_BOOL, "false", 0),
	D(HWM_BIOS_APIC, ME_BIOS, "APIC", "mode", T_STR, "APIC", 0),
	D(HWM_LOGO_FADE_IN, ME_BIOS, "Logo", "fadeIn", T_BOOL, "true", F_GROUP),
	D(HWM_LOGO_FADE_OUT, ME_BIOS, "Logo", "fadeOut", T_BOOL, "true",
	  F_GROUP),
	D(HWM_LOGO_TIME, ME_BIOS, "Logo", "displayTime", T_U32, "0", F_GROUP),
	D(HWM_LOGO_IMAGE, ME_BIOS, "Logo", "imagePath", T_STR, "",
	  F_GROUP | F_OPT),
	D(HWM_BOOT_MENU, ME_BIOS, "BootMenu", "mode", T_STR, "MessageAndMenu",
	  0),
	D(HWM_TIME_OFFSET, ME_BIOS, "TimeOffset", "value", T_I64, "0", 0),
	D(HWM_PXE_DEBUG, ME_BIOS, "PXEDebug", "enabled", T_BOOL, "false", 0),
	D(HWM_SMBIOS_UUID_LE, ME_BIOS, "SmbiosUuidLittleEndian", "enabled",
	  T_BOOL, "false", 0),
	D(HWM_TPM_TYPE, ME_HARDWARE, "TrustedPlatformModule", "type", T_STR,
	  "None", 0),
	D(HWM_TPM_LOCATION, ME_HARDWARE, "TrustedPlatformModule", "location",
	  T_STR, "", 0),

	D(HWM_AUDIO_CTL, ME_AUDIO, NULL, "controller", T_STR, "AC97", F_KEEP),
	D(HWM_AUDIO_CODEC, ME_AUDIO, NULL, "codec", T_STR, "STAC9700", F_KEEP),
	D(HWM_AUDIO_DEFAULT_DRV, ME_AUDIO, NULL, "useDefault", T_BOOL, "false",
	  F_KEEP),
	D(HWM_AUDIO_DRIVER, ME_AUDIO, NULL, "driver", T_STR, "Null",
	  F_ALWAYS | F_KEEP),
	DV(HWM_AUDIO_ENABLED, ME_AUDIO, NULL, "enabled", T_BOOL, "true", 16,
	   "false", F_KEEP),
	DV(HWM_AUDIO_IN, ME_AUDIO, NULL, "enabledIn", T_BOOL, "true", 17,
	   "false", F_KEEP),
	DV(HWM_AUDIO_OUT, ME_AUDIO, NULL, "enabledOut", T_BOOL, "true", 17,
	   "false", F_KEEP),

	D(HWM_RTC_UTC, ME_RTC, NULL, "localOrUTC", T_UTC, "local", 0),
	D(HWM_CLIPBOARD, ME_HARDWARE, "Clipboard", "mode", T_STR, "Disabled",
	  F_KEEP),
	D(HWM_DND, ME_HARDWARE, "DragAndDrop", "mode", T_STR, "Disabled", 0),
	D(HWM_IOCACHE, ME_IO, "IoCache", "enabled", T_BOOL, "true", 0),
	D(HWM_IOCACHE_SIZE, ME_IO, "IoCache", "size", T_U32, "5", 0),
	D(HWM_CARDREADER, ME_HARDWARE, "EmulatedUSB/CardReader", "enabled",
	  T_BOOL, "false", 0),
	D(HWM_FRONTEND, ME_HARDWARE, "Frontend/Default", "type", T_STR, "", 0),
	D(HWM_BALLOON, ME_HARDWARE, "Guest", "memoryBalloonSize", T_U32, "0",
	  0),
};

#undef D
#undef DV

const char *hwm_audio_codec_default(const char *controller)
{
	if (controller && !strcmp(controller, "SB16"))
		return "SB16";
	if (controller && !strcmp(controller, "HDA"))
		return "STAC9221";
	return "STAC9700";
}

/*
 * The audio backend VirtualBox picks on a Linux host: PulseAudio when a
 * pulseaudio (or pipewire-pulse) daemon runs and libpulse is installed,
 * else ALSA when libasound is installed, else OSS.  VirtualBox asks the
 * dynamic loader; we look for the library in the usual directories.
 */
static bool audio_proc_running(const char *name)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
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
	closedir(d);
	return found;
}

static bool audio_lib_present(const char *soname)
{
	static const char *const dirs[] = {
		"/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu",
		"/usr/lib/aarch64-linux-gnu", "/lib/aarch64-linux-gnu",
		"/usr/lib64", "/lib64", "/usr/lib", "/lib",
		"/usr/local/lib",
	};
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char path[256];

		snprintf(path, sizeof(path), "%s/%s", dirs[i], soname);
		if (access(path, R_OK) == 0)
			return true;
	}
	return false;
}

const char *hwm_audio_host_default(void)
{
	static const char *cached;

	if (cached)
		return cached;
	if ((audio_proc_running("pulseaudio") ||
	     audio_proc_running("pipewire-pulse")) &&
	    audio_lib_present("libpulse.so.0"))
		cached = "Pulse";
	else if (audio_lib_present("libasound.so.2"))
		cached = "ALSA";
	else
		cached = "OSS";
	return cached;
}

const char *hwm_audio_driver(struct machine *m)
{
	static const char *const linux_drv[] = { "Null", "OSS", "ALSA",
						 "Pulse" };
	const char *v = hwm_get_str(m, HWM_AUDIO_DRIVER);
	size_t i;

	/* files before 1.3 spell the drivers in lower case */
	for (i = 0; i < sizeof(linux_drv) / sizeof(linux_drv[0]); i++)
		if (!strcasecmp(v, linux_drv[i]))
			return linux_drv[i];
	return hwm_audio_host_default();
}

static const char *default_text(struct machine *m, enum hwm_id id)
{
	const struct hwm_def *d = &defs[id];

	if (id == HWM_AUDIO_CODEC)
		return hwm_audio_codec_default(hwm_get_str(m, HWM_AUDIO_CTL));
	if (d->def_old && sdoc_version(machine_doc(m)) < d->since)
		return d->def_old;
	return d->def;
}

const char *hwm_default(struct machine *m, enum hwm_id id)
{
	return (unsigned)id < HWM_COUNT ? default_text(m, id) : "";
}

static struct snode *def_node(struct machine *m, const struct hwm_def *d,
			      bool create)
{
	struct snode *base = machine_elem(m, (enum melem)d->elem, create);

	if (!base || !d->path)
		return base;
	return create ? snode_ensure_path(base, d->path)
		      : snode_path(base, d->path);
}

/* Where pruning stops: Hardware for hardware elements, else Machine. */
static struct snode *prune_stop(struct machine *m, struct snode *n)
{
	struct snode *hw = machine_elem(m, ME_HARDWARE, false);
	struct snode *p;

	for (p = n; p; p = snode_parent(p))
		if (p == hw)
			return hw;
	return machine_elem(m, ME_MACHINE, false);
}

static bool parse_bool_text(const char *v, bool def)
{
	if (!v)
		return def;
	if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1"))
		return true;
	if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "0"))
		return false;
	return def;
}

/* The value of a setting in canonical text (buf for numbers/bools). */
static const char *cur_text(struct machine *m, enum hwm_id id, char *buf,
			    size_t size)
{
	const struct hwm_def *d = &defs[id];
	const char *def = default_text(m, id);
	const char *v = snode_attr(def_node(m, d, false), d->attr);
	unsigned long long u;
	long long i;

	switch (d->type) {
	case T_BOOL:
		return parse_bool_text(v, parse_bool_text(def, false)) ?
		       "true" : "false";
	case T_U32:
		if (!v || vb_parse_u64(v, &u) || u > UINT32_MAX)
			return def;
		snprintf(buf, size, "%llu", u);
		return buf;
	case T_I64:
		if (!v || vb_parse_i64(v, &i))
			return def;
		snprintf(buf, size, "%lld", i);
		return buf;
	case T_UTC:
		return v && !strcmp(v, "UTC") ? "UTC" : "local";
	default:
		return v ? v : def;
	}
}

const char *hwm_get_str(struct machine *m, enum hwm_id id)
{
	const struct hwm_def *d = &defs[id];
	const char *v = snode_attr(def_node(m, d, false), d->attr);

	if (id == HWM_CPU_PROFILE && v && !*v)
		return d->def;
	return v ? v : default_text(m, id);
}

bool hwm_get_bool(struct machine *m, enum hwm_id id)
{
	char buf[32];

	if (defs[id].type == T_UTC)
		return !strcmp(cur_text(m, id, buf, sizeof(buf)), "UTC");
	return !strcmp(cur_text(m, id, buf, sizeof(buf)), "true");
}

uint32_t hwm_get_u32(struct machine *m, enum hwm_id id)
{
	char buf[32];
	unsigned long long u = 0;

	vb_parse_u64(cur_text(m, id, buf, sizeof(buf)), &u);
	return (uint32_t)u;
}

int64_t hwm_get_i64(struct machine *m, enum hwm_id id)
{
	char buf[32];
	long long i = 0;

	vb_parse_i64(cur_text(m, id, buf, sizeof(buf)), &i);
	return i;
}

/* Write a whole group element, or remove it when all members are at
 * their defaults. */
static int set_group(struct machine *m, enum hwm_id id, const char *text)
{
	const struct hwm_def *d = &defs[id];
	char vals[HWM_COUNT][32];
	const char *cur[HWM_COUNT];
	struct snode *n;
	bool all_default = true;
	unsigned j;
	int rc;

	for (j = 0; j < HWM_COUNT; j++) {
		const struct hwm_def *g = &defs[j];

		cur[j] = NULL;
		if (g->elem != d->elem || !g->path || !d->path ||
		    strcmp(g->path, d->path))
			continue;
		cur[j] = j == (unsigned)id ? text
			 : cur_text(m, (enum hwm_id)j, vals[j],
				    sizeof(vals[j]));
		if (strcmp(cur[j], default_text(m, (enum hwm_id)j)))
			all_default = false;
	}
	if (all_default) {
		n = def_node(m, d, false);
		if (n) {
			struct snode *p = snode_parent(n);

			snode_remove(n);
			snode_prune_empty(p, prune_stop(m, p));
		}
		return 0;
	}
	/* the values may point into the element: copy before writing */
	n = def_node(m, d, true);
	if (!n)
		return -ENOMEM;
	for (j = 0; j < HWM_COUNT; j++) {
		char *v;

		if (!cur[j])
			continue;
		if ((defs[j].flags & F_OPT) &&
		    !strcmp(cur[j], default_text(m, (enum hwm_id)j))) {
			snode_set_attr(n, defs[j].attr, NULL);
			continue;
		}
		v = strdup(cur[j]);
		if (!v)
			return -ENOMEM;
		rc = hwm_attr_set(n, defs[j].attr, v);
		free(v);
		if (rc)
			return rc;
	}
	return 0;
}

static int set_text(struct machine *m, enum hwm_id id, const char *text)
{
	const struct hwm_def *d = &defs[id];
	struct snode *n;

	if ((unsigned)id >= HWM_COUNT)
		return -EINVAL;
	if (d->flags & F_GROUP)
		return set_group(m, id, text);
	if (!strcmp(text, default_text(m, id)) && !(d->flags & F_ALWAYS)) {
		n = def_node(m, d, false);
		if (!n)
			return 0;
		snode_set_attr(n, d->attr, NULL);
		if (!(d->flags & F_KEEP))
			snode_prune_empty(n, prune_stop(m, n));
		return 0;
	}
	n = def_node(m, d, true);
	if (!n)
		return -ENOMEM;
	return hwm_attr_set(n, d->attr, text);
}

int hwm_set_bool(struct machine *m, enum hwm_id id, bool v)
{
	if (defs[id].type == T_UTC)
		return set_text(m, id, v ? "UTC" : "local");
	return set_text(m, id, v ? "true" : "false");
}

int hwm_set_u32(struct machine *m, enum hwm_id id, uint32_t v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%" PRIu32, v);
	return set_text(m, id, buf);
}

int hwm_set_i64(struct machine *m, enum hwm_id id, int64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return set_text(m, id, buf);
}

int hwm_set_str(struct machine *m, enum hwm_id id, const char *v)
{
	char *copy;
	int rc;

	if (!v || !*v)
		v = defs[id].def[0] ? default_text(m, id) : "";
	copy = strdup(v);       /* v may live in the document */
	if (!copy)
		return -ENOMEM;
	rc = set_text(m, id, copy);
	free(copy);
	return rc;
}

/* ------------------------------------------------------------------ */
/* description, groups, hardware UUID                                  */

char *hwm_description(struct machine *m)
{
	struct snode *d = snode_child(machine_elem(m, ME_MACHINE, false),
				      "Description");
	char *t = d ? snode_text(d) : NULL;

	return t ? t : strdup("");
}

int hwm_set_description(struct machine *m, const char *text)
{
	struct snode *mn = machine_elem(m, ME_MACHINE, false);
	struct snode *d = snode_child(mn, "Description");

	if (!text || !*text) {
		snode_remove(d);
		return 0;
	}
	if (!d)
		d = snode_ensure(mn, "Description");
	if (!d)
		return -ENOMEM;
	return snode_set_text(d, text);
}

char *hwm_groups(struct machine *m)
{
	struct snode *g = snode_path(machine_elem(m, ME_MACHINE, false),
				     "Groups/Group");
	struct strbuf sb = STRBUF_INIT;

	for (; g; g = snode_next(g, "Group")) {
		if (sb.len)
			sb_addc(&sb, ',');
		sb_adds(&sb, snode_attr(g, "name") ? snode_attr(g, "name")
						  : "");
	}
	if (!sb.len)
		sb_adds(&sb, "/");
	return sb_detach(&sb);
}

/*
 * Whether a group path component survives VirtualBox's file name
 * sanitising unchanged: only blanks, "()-._", ASCII letters and digits
 * and code points U+00A0..U+D7AF; no leading dot or dash, no trailing
 * dot, no leading or trailing blank.
 */
static bool group_component_ok(const char *p, size_t len)
{
	size_t i = 0;

	if (!len)
		return false;
	if (p[0] == '.' || p[0] == '-' || p[len - 1] == '.' ||
	    p[0] == ' ' || p[len - 1] == ' ')
		return false;
	while (i < len) {
		unsigned char c = (unsigned char)p[i];
		uint32_t cp;
		size_t n;

		if (c < 0x80) {
			if (!(c == ' ' || c == '(' || c == ')' || c == '-' ||
			      c == '.' || c == '_' || (c >= '0' && c <= '9') ||
			      (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
				return false;
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			cp = c & 0x1f;
			n = 2;
		} else if ((c & 0xf0) == 0xe0) {
			cp = c & 0x0f;
			n = 3;
		} else {
			return false;   /* 4-byte sequences are beyond U+D7AF */
		}
		if (i + n > len)
			return false;
		for (size_t k = 1; k < n; k++) {
			if (((unsigned char)p[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | ((unsigned char)p[i + k] & 0x3f);
		}
		if (cp < 0xa0 || cp > 0xd7af)
			return false;
		i += n;
	}
	return true;
}

/*
 * VirtualBox's rules for one group: "/" or "/a[/b...]" without empty
 * components or a trailing slash, every component a valid file name.
 * For the primary (first) group, a parent component may not be the name
 * of a registered machine (taken() says so): -EEXIST then.
 */
static int group_check(const char *g, bool primary,
		       bool (*taken)(void *ctx, const char *name), void *ctx)
{
	const char *p, *slash;

	if (!strcmp(g, "/"))
		return 0;
	if (g[0] != '/' || !g[1] || g[strlen(g) - 1] == '/')
		return -EINVAL;
	for (p = g + 1; p; p = slash ? slash + 1 : NULL) {
		size_t len;

		slash = strchr(p, '/');
		len = slash ? (size_t)(slash - p) : strlen(p);
		if (!group_component_ok(p, len))
			return -EINVAL;
		if (slash && primary && taken) {
			char *name = strndup(p, len);
			bool t;

			if (!name)
				return -ENOMEM;
			t = taken(ctx, name);
			free(name);
			if (t)
				return -EEXIST;
		}
	}
	return 0;
}

int hwm_set_groups(struct machine *m, const char *list,
		   bool (*taken)(void *ctx, const char *name), void *ctx,
		   struct vb_error *err)
{
	struct snode *mn = machine_elem(m, ME_MACHINE, false);
	char *items[256];
	unsigned n = 0, i, j;
	const char *p = list ? list : "";
	struct snode *gs;
	int rc = 0;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char *g;
		bool dup = false;

		if (n >= 256) {
			rc = vb_err(err, EINVAL, VB_E_INVALIDARG,
				    "Too many machine groups");
			goto out;
		}
		g = len ? strndup(p, len) : strdup("/");
		if (!g) {
			rc = -ENOMEM;
			goto out;
		}
		rc = group_check(g, n == 0, taken, ctx);
		if (rc) {
			if (rc == -EINVAL)
				vb_err(err, EINVAL, VB_E_INVALIDARG,
				       "Invalid machine group '%s'", g);
			else if (rc == -EEXIST)
				vb_err(err, EINVAL, VB_E_INVALIDARG,
				       "Invalid machine group '%s' conflicts with a virtual machine name",
				       g);
			if (rc != -ENOMEM) {
				vb_err_where(err, "VirtualBoxWrap",
					     "IVirtualBox", "nsISupports");
				rc = -EINVAL;
			}
			free(g);
			goto out;
		}
		for (j = 0; j < n; j++)
			if (!strcmp(items[j], g))
				dup = true;
		if (dup)
			free(g);
		else
			items[n++] = g;
		if (!comma)
			break;
		p = comma + 1;
	}
	gs = snode_child(mn, "Groups");
	snode_remove(gs);
	if (n == 1 && !strcmp(items[0], "/"))
		goto out;
	gs = snode_ensure(mn, "Groups");
	for (i = 0; i < n && gs; i++) {
		struct snode *g = snode_add(gs, "Group");

		if (!g || snode_set_attr(g, "name", items[i])) {
			rc = -ENOMEM;
			goto out;
		}
	}
	if (!gs)
		rc = -ENOMEM;
out:
	for (i = 0; i < n; i++)
		free(items[i]);
	return rc;
}

void hwm_hardware_uuid(struct machine *m, struct vb_uuid *out)
{
	const char *u = snode_attr(machine_elem(m, ME_HARDWARE, false), "uuid");

	if (!u || vb_uuid_parse(u, out))
		*out = *machine_uuid(m);
}

int hwm_set_hardware_uuid(struct machine *m, const struct vb_uuid *u)
{
	struct snode *hw;
	char buf[40];

	if (vb_uuid_eq(u, machine_uuid(m))) {
		hw = machine_elem(m, ME_HARDWARE, false);
		return hw ? snode_set_attr(hw, "uuid", NULL) : 0;
	}
	hw = machine_elem(m, ME_HARDWARE, true);
	if (!hw)
		return -ENOMEM;
	return snode_set_attr(hw, "uuid", vb_uuid_fmt_braced(u, buf));
}

/* ------------------------------------------------------------------ */
/* APIC / x2APIC: <X2APIC enabled="true"/> when x2APIC is on, else
 * <APIC enabled="false"/> when the APIC is off; x2APIC implies APIC.  */

bool hwm_x2apic(struct machine *m)
{
	return snode_child_enabled(machine_elem(m, ME_CPU_X86, false),
				   "X2APIC", false);
}

bool hwm_apic(struct machine *m)
{
	if (hwm_x2apic(m))
		return true;
	return snode_child_enabled(machine_elem(m, ME_CPU_X86, false), "APIC",
				   true);
}

static int write_apic(struct machine *m, bool apic, bool x2apic)
{
	struct snode *cpu = machine_elem(m, ME_CPU_X86, false), *n;

	if (cpu) {
		snode_remove(snode_child(cpu, "X2APIC"));
		snode_remove(snode_child(cpu, "APIC"));
	}
	if (x2apic || !apic) {
		cpu = machine_elem(m, ME_CPU_X86, true);
		n = cpu ? snode_add(cpu, x2apic ? "X2APIC" : "APIC") : NULL;
		if (!n)
			return -ENOMEM;
		return snode_set_attr(n, "enabled", x2apic ? "true" : "false");
	}
	if (cpu)
		snode_prune_empty(cpu, prune_stop(m, cpu));
	return 0;
}

int hwm_set_apic(struct machine *m, bool on)
{
	bool x2 = hwm_x2apic(m);

	return write_apic(m, on || x2, x2);
}

int hwm_set_x2apic(struct machine *m, bool on)
{
	return write_apic(m, on ? true : hwm_apic(m), on);
}

/* Getters of Main's GetEffectiveParavirtProvider(). */
const char *hwm_effective_paravirt(struct machine *m)
{
	const char *p = hwm_get_str(m, HWM_PARAVIRT);
	const char *os = hwm_get_str(m, HWM_OSTYPE);
	const struct ostype *t;
	static const char *const hyperv[] = { "Windows11_64", "Windows10",
		"Windows10_64", "Windows81", "Windows81_64", "Windows8",
		"Windows8_64", "Windows7", "Windows7_64", "WindowsVista",
		"WindowsVista_64", "Windows2012", "Windows2012_64",
		"Windows2008", "Windows2008_64" };
	bool mac;
	size_t i;

	if (!strcmp(p, "None") || !strcmp(p, "HyperV") || !strcmp(p, "KVM") ||
	    !strcmp(p, "Minimal"))
		return p;
	t = ostype_find(os);
	if (!t)
		return "None";
	mac = t->family && !strcmp(t->family, "MacOS");
	if (!strcmp(p, "Legacy"))
		return mac ? "Minimal" : "None";
	if (mac)
		return "Minimal";
	for (i = 0; i < sizeof(hyperv) / sizeof(hyperv[0]); i++)
		if (!strcmp(os, hyperv[i]))
			return "HyperV";
	if ((vb_starts_with(os, "Windows202") ||
	     vb_starts_with(os, "Windows201")) && vb_ends_with(os, "_64"))
		return "HyperV";
	if (t->family && !strcmp(t->family, "Linux") &&
	    strcmp(os, "Linux22") && strcmp(os, "Linux24") &&
	    strcmp(os, "Linux24_64"))
		return "KVM";
	return "None";
}

/* ------------------------------------------------------------------ */
/* boot order: all four Order entries, omitted when Floppy DVD HardDisk
 * None                                                                */

static const char *const boot_default[HWM_BOOT_POSITIONS] = { "Floppy", "DVD",
	"HardDisk", "None" };

const char *hwm_boot_device(struct machine *m, unsigned pos)
{
	struct snode *o;
	char p[8];

	if (pos < 1 || pos > HWM_BOOT_POSITIONS)
		return "None";
	snprintf(p, sizeof(p), "%u", pos);
	o = snode_child_with(machine_elem(m, ME_BOOT, false), "Order",
			     "position", p);
	if (!o)
		return machine_elem(m, ME_BOOT, false) ? "None"
						      : boot_default[pos - 1];
	return snode_attr(o, "device") ? snode_attr(o, "device") : "None";
}

int hwm_set_boot_device(struct machine *m, unsigned pos, const char *dev,
			struct vb_error *err)
{
	const char *cur[HWM_BOOT_POSITIONS];
	char *copy[HWM_BOOT_POSITIONS] = { 0 };
	struct snode *boot;
	bool is_default = true;
	unsigned i;
	int rc = 0;

	if (pos < 1 || pos > HWM_BOOT_POSITIONS) {
		vb_err(err, EINVAL, VB_E_INVALIDARG,
		       "Invalid boot position: %u (must be in range [1, %u])",
		       pos, HWM_BOOT_POSITIONS);
		vb_err_where(err, "SessionMachine", "IMachine", "nsISupports");
		return -EINVAL;
	}
	for (i = 0; i < HWM_BOOT_POSITIONS; i++) {
		cur[i] = i + 1 == pos ? dev : hwm_boot_device(m, i + 1);
		copy[i] = strdup(cur[i]);
		if (!copy[i]) {
			rc = -ENOMEM;
			goto out;
		}
		if (strcmp(cur[i], boot_default[i]))
			is_default = false;
	}
	boot = machine_elem(m, ME_BOOT, false);
	snode_remove(boot);
	if (is_default)
		goto out;
	boot = machine_elem(m, ME_BOOT, true);
	for (i = 0; i < HWM_BOOT_POSITIONS && boot; i++) {
		struct snode *o = snode_add(boot, "Order");

		if (!o || snode_set_attrf(o, "position", "%u", i + 1) ||
		    snode_set_attr(o, "device", copy[i])) {
			rc = -ENOMEM;
			goto out;
		}
	}
	if (!boot)
		rc = -ENOMEM;
out:
	for (i = 0; i < HWM_BOOT_POSITIONS; i++)
		free(copy[i]);
	return rc;
}

/* ------------------------------------------------------------------ */
/* CPUID overrides: CPU/CpuIdTree/CpuIdLeaf id subleaf eax ebx ecx edx  */

static uint32_t leaf_u32(struct snode *l, const char *a)
{
	return snode_u32(l, a, 0);
}

bool hwm_cpuid_at(struct machine *m, unsigned i, struct hwm_cpuid_leaf *out)
{
	struct snode *l = snode_path(machine_elem(m, ME_CPU_X86, false),
				     "CpuIdTree/CpuIdLeaf");

	for (; l && i; l = snode_next(l, "CpuIdLeaf"))
		i--;
	if (!l)
		return false;
	out->leaf = leaf_u32(l, "id");
	out->subleaf = leaf_u32(l, "subleaf");
	out->eax = leaf_u32(l, "eax");
	out->ebx = leaf_u32(l, "ebx");
	out->ecx = leaf_u32(l, "ecx");
	out->edx = leaf_u32(l, "edx");
	return true;
}

static void cpuid_drop(struct snode *tree, uint32_t leaf, uint32_t subleaf)
{
	struct snode *l = snode_child(tree, "CpuIdLeaf"), *next;

	for (; l; l = next) {
		next = snode_next(l, "CpuIdLeaf");
		if (leaf_u32(l, "id") == leaf &&
		    (subleaf == UINT32_MAX || leaf_u32(l, "subleaf") == subleaf))
			snode_remove(l);
	}
}

int hwm_cpuid_set(struct machine *m, uint32_t leaf, uint32_t subleaf,
		  const uint32_t regs[4], struct vb_error *err)
{
	static const char *const names[4] = { "eax", "ebx", "ecx", "edx" };
	struct snode *cpu, *tree, *l;
	unsigned i;

	if (subleaf != 0 && subleaf != UINT32_MAX) {
		vb_err(err, EINVAL, VB_E_INVALIDARG,
		       "Currently only aSubIdx values 0 and 0xffffffff are supported: %#x",
		       subleaf);
		vb_err_where(err, "SessionMachine", "IMachine", "nsISupports");
		return -EINVAL;
	}
	if (leaf >= 0x20 && leaf - 0x80000000u >= 0x20 &&
	    leaf - 0xc0000000u >= 0x10) {
		vb_err(err, EINVAL, VB_E_INVALIDARG,
		       "CpuId override leaf %#x is out of range", leaf);
		vb_err_where(err, "SessionMachine", "IMachine", "nsISupports");
		return -EINVAL;
	}
	cpu = machine_elem(m, ME_CPU_X86, true);
	tree = cpu ? snode_ensure(cpu, "CpuIdTree") : NULL;
	if (!tree)
		return -ENOMEM;
	if (snode_count(tree, "CpuIdLeaf") > 256) {
		vb_err(err, EINVAL, VB_E_FAIL,
		       "Max of 256 CPUID override leaves reached");
		vb_err_where(err, "SessionMachine", "IMachine", "nsISupports");
		return -EINVAL;
	}
	cpuid_drop(tree, leaf, subleaf);
	l = snode_add(tree, "CpuIdLeaf");
	if (!l || snode_set_attrf(l, "id", "%" PRIu32, leaf))
		return -ENOMEM;
	if (subleaf != UINT32_MAX && subleaf &&
	    snode_set_attrf(l, "subleaf", "%" PRIu32, subleaf))
		return -ENOMEM;
	for (i = 0; i < 4; i++)
		if (snode_set_attrf(l, names[i], "%" PRIu32, regs[i]))
			return -ENOMEM;
	return 0;
}

int hwm_cpuid_remove(struct machine *m, uint32_t leaf, uint32_t subleaf)
{
	struct snode *tree = snode_child(machine_elem(m, ME_CPU_X86, false),
					 "CpuIdTree");

	if (!tree)
		return 0;
	cpuid_drop(tree, leaf, subleaf);
	snode_prune_empty(tree, prune_stop(m, tree));
	return 0;
}

int hwm_cpuid_remove_all(struct machine *m)
{
	struct snode *tree = snode_child(machine_elem(m, ME_CPU_X86, false),
					 "CpuIdTree");
	struct snode *p;

	if (!tree)
		return 0;
	p = snode_parent(tree);
	snode_remove(tree);
	snode_prune_empty(p, prune_stop(m, p));
	return 0;
}

/* ------------------------------------------------------------------ */
/* CPU count and hot-plug: CPU@hotplug + CpuTree/Cpu@id per attached CPU */

#define HWM_MAX_CPUS 64

bool hwm_cpu_attached(struct machine *m, uint32_t id)
{
	char buf[16];

	if (!hwm_get_bool(m, HWM_CPU_HOTPLUG))
		return id < hwm_get_u32(m, HWM_CPU_COUNT);
	snprintf(buf, sizeof(buf), "%" PRIu32, id);
	return snode_child_with(snode_child(machine_elem(m, ME_CPU, false),
					    "CpuTree"), "Cpu", "id", buf);
}

/* Errors of the session machine's setters. */
static int machine_err(struct vb_error *err, int errnum, uint32_t hrc,
		       const char *msg)
{
	vb_err(err, errnum, hrc, "%s", msg);
	vb_err_where(err, "SessionMachine", "IMachine", "nsISupports");
	return -errnum;
}

int hwm_set_cpu_count(struct machine *m, uint32_t n, struct vb_error *err)
{
	uint32_t i;

	if (n < 1 || n > HWM_MAX_CPUS) {
		vb_err(err, EINVAL, VB_E_INVALIDARG,
		       "Invalid virtual CPU count: %u (must be in range [%u, %u])",
		       n, 1, HWM_MAX_CPUS);
		vb_err_where(err, "SessionMachine", "IMachine", "nsISupports");
		return -EINVAL;
	}
	if (hwm_get_bool(m, HWM_CPU_HOTPLUG)) {
		for (i = n; i < HWM_MAX_CPUS; i++)
			if (hwm_cpu_attached(m, i)) {
				char msg[128];

				snprintf(msg, sizeof(msg),
					 "There is still a CPU attached to socket %u.Detach the CPU before removing the socket",
					 n);
				return machine_err(err, EINVAL,
						   VB_E_INVALIDARG, msg);
			}
	}
	return hwm_set_u32(m, HWM_CPU_COUNT, n);
}

static int cpu_tree_set(struct machine *m, uint32_t id, bool attach)
{
	struct snode *cpu = machine_elem(m, ME_CPU, true), *tree, *c;
	char buf[16];

	tree = cpu ? snode_ensure(cpu, "CpuTree") : NULL;
	if (!tree)
		return -ENOMEM;
	snprintf(buf, sizeof(buf), "%" PRIu32, id);
	c = snode_child_with(tree, "Cpu", "id", buf);
	if (attach && !c) {
		c = snode_add(tree, "Cpu");
		if (!c || snode_set_attr(c, "id", buf))
			return -ENOMEM;
	} else if (!attach && c) {
		snode_remove(c);
	}
	return 0;
}

int hwm_set_cpu_hotplug(struct machine *m, bool on, struct vb_error *err)
{
	uint32_t count = hwm_get_u32(m, HWM_CPU_COUNT), i, n = 0, hi = 0;
	struct snode *cpu, *tree;
	int rc;

	if (on == hwm_get_bool(m, HWM_CPU_HOTPLUG))
		return 0;
	if (on) {
		rc = hwm_set_bool(m, HWM_CPU_HOTPLUG, true);
		for (i = 0; i < count && !rc; i++)
			rc = cpu_tree_set(m, i, true);
		return rc;
	}
	for (i = 0; i < HWM_MAX_CPUS; i++)
		if (hwm_cpu_attached(m, i)) {
			n++;
			hi = i;
		}
	if (n != count || hi >= count) {
		vb_err(err, EINVAL, VB_E_INVALIDARG,
		       "CPU hotplugging can't be disabled because the maximum number of CPUs is not equal to the amount of CPUs attached");
		vb_err_where(err, "SessionMachine", "IMachine", "nsISupports");
		return -EINVAL;
	}
	cpu = machine_elem(m, ME_CPU, false);
	tree = snode_child(cpu, "CpuTree");
	snode_remove(tree);
	return hwm_set_bool(m, HWM_CPU_HOTPLUG, false);
}

/* The checks HotPlugCPU()/HotUnplugCPU() make. */
static int cpu_plug_check(struct machine *m, uint32_t id, bool plug,
			  struct vb_error *err)
{
	uint32_t count = hwm_get_u32(m, HWM_CPU_COUNT);
	char msg[128];

	if (!hwm_get_bool(m, HWM_CPU_HOTPLUG))
		return machine_err(err, EINVAL, VB_E_INVALIDARG,
				   "CPU hotplug is not enabled");
	if (id >= count) {
		snprintf(msg, sizeof(msg),
			 "CPU id exceeds number of possible CPUs [0:%u]",
			 count - 1);
		return machine_err(err, EINVAL, VB_E_INVALIDARG, msg);
	}
	if (plug && hwm_cpu_attached(m, id)) {
		snprintf(msg, sizeof(msg), "CPU %u is already attached", id);
		return machine_err(err, EEXIST, VBOX_E_OBJECT_IN_USE, msg);
	}
	if (!plug && !hwm_cpu_attached(m, id)) {
		snprintf(msg, sizeof(msg), "CPU %u is not attached", id);
		return machine_err(err, ENOENT, VBOX_E_OBJECT_NOT_FOUND, msg);
	}
	if (!plug && id == 0)
		return machine_err(err, EINVAL, VB_E_INVALIDARG,
				   "It is not possible to detach CPU 0");
	return 0;
}

int hwm_cpu_plug(struct machine *m, uint32_t id, struct vb_error *err)
{
	int rc = cpu_plug_check(m, id, true, err);

	return rc ? rc : cpu_tree_set(m, id, true);
}

int hwm_cpu_unplug(struct machine *m, uint32_t id, struct vb_error *err)
{
	int rc = cpu_plug_check(m, id, false, err);

	return rc ? rc : cpu_tree_set(m, id, false);
}
