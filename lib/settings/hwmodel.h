/*
 * The machine configuration model: typed access to every setting that
 * modifyvm changes and showvminfo shows, over the machine's DOM.
 *
 * Values are exchanged in the settings file's own spelling ("VMSVGA",
 * "PS2Mouse", "HostPipe"); the front end maps them to and from the
 * command-line words.  Each setting knows where it lives (through
 * machine_elem(), so the version-dependent placement is resolved there),
 * VirtualBox's default for the file's version, and the omission rule: a
 * value equal to the default removes the attribute, elements emptied by
 * that are pruned, elements that were not changed are left alone.
 * Settings that VirtualBox writes as a group (Logo, Teleporter, Tracing,
 * GuestDebug, Autostart) are written completely or not at all.
 *
 * Setters return 0, -ENOMEM, or -EINVAL/-ENOENT/-EEXIST with a message
 * and VirtualBox result code in *err (the texts VirtualBox's Main API
 * gives for the same mistake).  Getters never fail; absent or unparsable
 * values give the default, as VirtualBox's reader does.  Strings returned
 * as const char * are lent until the next change of the document.
 *
 * Spec: settings-format.md sections 3, 4.2 and 7 (VirtualBox 7.0 writer).
 */
#ifndef VB_SETTINGS_HWMODEL_H
#define VB_SETTINGS_HWMODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/settings/settings.h"

/* ------------------------------------------------------------------ */
/* Scalar settings (one attribute each)                                */

enum hwm_id {
	/* Machine */
	HWM_OSTYPE,
	HWM_SNAPSHOT_FOLDER,
	HWM_PROC_PRIORITY,      /* Default Flat Low Normal High */
	HWM_ICON,               /* base64 */
	HWM_TELEPORTER_ENABLED,
	HWM_TELEPORTER_PORT,
	HWM_TELEPORTER_ADDRESS,
	HWM_TELEPORTER_PASSWORD,
	HWM_TRACING_ENABLED,
	HWM_TRACING_ALLOW_VM,
	HWM_TRACING_CONFIG,
	HWM_GDBG_PROVIDER,      /* None Native GDB KD */
	HWM_GDBG_IO,            /* None TCP UDP IPC */
	HWM_GDBG_ADDRESS,
	HWM_GDBG_PORT,
	HWM_AUTOSTART_ENABLED,
	HWM_AUTOSTART_DELAY,
	HWM_AUTOSTOP,           /* Disabled SaveState PowerOff AcpiShutdown */
	HWM_RECORDING_ENABLED,
	/* CPU */
	HWM_CPU_COUNT,
	HWM_CPU_EXEC_CAP,
	HWM_CPUID_PORTABILITY,
	HWM_CPU_PROFILE,
	HWM_CPU_HOTPLUG,
	HWM_HWVIRTEX,
	HWM_NESTED_PAGING,
	HWM_VTX_VPID,
	HWM_VTX_UX,
	HWM_PAE,
	HWM_IBPB_EXIT,
	HWM_IBPB_ENTRY,
	HWM_SPEC_CTRL,
	HWM_SPEC_CTRL_BY_HOST,
	HWM_L1D_SCHED,
	HWM_L1D_ENTRY,
	HWM_MDS_SCHED,
	HWM_MDS_ENTRY,
	HWM_NESTED_HWVIRT,
	HWM_VIRT_VMSAVE,
	HWM_LONG_MODE,
	HWM_TRIPLE_FAULT,
	HWM_LARGE_PAGES,
	HWM_HWVIRT_FORCE,
	HWM_NATIVE_API,
	/* memory, HID, platform */
	HWM_MEMORY,
	HWM_PAGE_FUSION,
	HWM_FIRMWARE,           /* BIOS EFI EFI32 EFI64 EFIDUAL */
	HWM_POINTING,
	HWM_KEYBOARD,
	HWM_HPET,
	HWM_CHIPSET,            /* PIIX3 ICH9 */
	HWM_PARAVIRT,           /* None Default Legacy Minimal HyperV KVM */
	HWM_PARAVIRT_DEBUG,
	HWM_IOMMU,              /* None Automatic AMD Intel */
	/* display */
	HWM_GFX,                /* VBoxVGA VMSVGA VBoxSVGA None */
	HWM_VRAM,
	HWM_MONITORS,
	HWM_ACCEL3D,
	HWM_ACCEL2D,
	/* VRDE */
	HWM_VRDE_ENABLED,
	HWM_VRDE_AUTH_TYPE,     /* Null External Guest */
	HWM_VRDE_AUTH_TIMEOUT,
	HWM_VRDE_MULTICON,
	HWM_VRDE_REUSECON,
	HWM_VRDE_AUTH_LIB,
	HWM_VRDE_EXTPACK,
	/* BIOS / firmware */
	HWM_ACPI,
	HWM_IOAPIC,
	HWM_BIOS_APIC,          /* Disabled APIC X2APIC */
	HWM_LOGO_FADE_IN,
	HWM_LOGO_FADE_OUT,
	HWM_LOGO_TIME,
	HWM_LOGO_IMAGE,
	HWM_BOOT_MENU,          /* Disabled MenuOnly MessageAndMenu */
	HWM_TIME_OFFSET,
	HWM_PXE_DEBUG,
	HWM_SMBIOS_UUID_LE,
	HWM_TPM_TYPE,           /* None v1_2 v2_0 Host Swtpm */
	HWM_TPM_LOCATION,
	/* audio */
	HWM_AUDIO_CTL,          /* AC97 SB16 HDA */
	HWM_AUDIO_CODEC,        /* default depends on the controller */
	HWM_AUDIO_DEFAULT_DRV,  /* useDefault */
	HWM_AUDIO_DRIVER,       /* Null OSS ALSA Pulse ... */
	HWM_AUDIO_ENABLED,
	HWM_AUDIO_IN,
	HWM_AUDIO_OUT,
	/* misc hardware */
	HWM_RTC_UTC,            /* bool over localOrUTC="UTC" */
	HWM_CLIPBOARD,          /* Disabled HostToGuest GuestToHost Bidirectional */
	HWM_DND,
	HWM_IOCACHE,
	HWM_IOCACHE_SIZE,
	HWM_CARDREADER,
	HWM_FRONTEND,
	HWM_BALLOON,
	HWM_COUNT
};

bool hwm_get_bool(struct machine *m, enum hwm_id id);
uint32_t hwm_get_u32(struct machine *m, enum hwm_id id);
int64_t hwm_get_i64(struct machine *m, enum hwm_id id);
/* Strings (and enums in settings spelling); "" when unset. */
const char *hwm_get_str(struct machine *m, enum hwm_id id);
/* The default for the machine's current file version (settings text). */
const char *hwm_default(struct machine *m, enum hwm_id id);

int hwm_set_bool(struct machine *m, enum hwm_id id, bool v);
int hwm_set_u32(struct machine *m, enum hwm_id id, uint32_t v);
int hwm_set_i64(struct machine *m, enum hwm_id id, int64_t v);
/* NULL or "" restores the default (for settings whose default is ""). */
int hwm_set_str(struct machine *m, enum hwm_id id, const char *v);

/* Set an attribute keeping VirtualBox's attribute order for the element
 * (new attributes are inserted where VirtualBox writes them).  value NULL
 * removes.  0 or -ENOMEM. */
int hwm_attr_set(struct snode *n, const char *attr, const char *value);

/* ------------------------------------------------------------------ */
/* Machine identity and text                                           */

/* Description text (allocated, "" when none). */
char *hwm_description(struct machine *m);
int hwm_set_description(struct machine *m, const char *text);

/* Groups: comma-joined list ("/" when none; allocated). */
char *hwm_groups(struct machine *m);
/* Set from a comma list as modifyvm --groups gives it, with VirtualBox's
 * validation ("Invalid machine group '<g>'"; an empty item is "/").
 * taken(ctx, name), when given, tells whether a registered machine has
 * that name: the parent components of the first group may not. */
int hwm_set_groups(struct machine *m, const char *list,
		   bool (*taken)(void *ctx, const char *name), void *ctx,
		   struct vb_error *err);

/* Hardware UUID (the machine UUID when unset). */
void hwm_hardware_uuid(struct machine *m, struct vb_uuid *out);
int hwm_set_hardware_uuid(struct machine *m, const struct vb_uuid *u);

/* The effective CPU APIC flags (x2APIC implies APIC). */
bool hwm_apic(struct machine *m);
bool hwm_x2apic(struct machine *m);
int hwm_set_apic(struct machine *m, bool on);
int hwm_set_x2apic(struct machine *m, bool on);

/* Audio codec default for a controller ("STAC9700", "SB16", "STAC9221"). */
const char *hwm_audio_codec_default(const char *controller);

/* The audio backend VirtualBox chooses on this (Linux) host: "Pulse",
 * "ALSA" or "OSS". */
const char *hwm_audio_host_default(void);

/* The driver in effect: the file's when Linux has it (Null, OSS, ALSA,
 * Pulse, any case), else the host default -- VirtualBox substitutes
 * drivers of other hosts (DirectSound, CoreAudio...) when it reads. */
const char *hwm_audio_driver(struct machine *m);

/* The paravirt provider VirtualBox would use for the OS type when the
 * configured one is Default or Legacy (settings spelling). */
const char *hwm_effective_paravirt(struct machine *m);

/* ------------------------------------------------------------------ */
/* Boot order                                                          */

#define HWM_BOOT_POSITIONS 4
/* Device at position 1..4: "None" "Floppy" "DVD" "HardDisk" "Network". */
const char *hwm_boot_device(struct machine *m, unsigned pos);
int hwm_set_boot_device(struct machine *m, unsigned pos, const char *dev,
			struct vb_error *err);

/* ------------------------------------------------------------------ */
/* CPUID overrides and CPU hot-plug                                    */

struct hwm_cpuid_leaf {
	uint32_t leaf, subleaf, eax, ebx, ecx, edx;
};
/* Leaf i in file order; false past the end. */
bool hwm_cpuid_at(struct machine *m, unsigned i, struct hwm_cpuid_leaf *out);
/* subleaf UINT32_MAX = "any": replaces every leaf with that id. */
int hwm_cpuid_set(struct machine *m, uint32_t leaf, uint32_t subleaf,
		  const uint32_t regs[4], struct vb_error *err);
int hwm_cpuid_remove(struct machine *m, uint32_t leaf, uint32_t subleaf);
int hwm_cpuid_remove_all(struct machine *m);

int hwm_set_cpu_count(struct machine *m, uint32_t n, struct vb_error *err);
int hwm_set_cpu_hotplug(struct machine *m, bool on, struct vb_error *err);
bool hwm_cpu_attached(struct machine *m, uint32_t id);
int hwm_cpu_plug(struct machine *m, uint32_t id, struct vb_error *err);
int hwm_cpu_unplug(struct machine *m, uint32_t id, struct vb_error *err);

/* ------------------------------------------------------------------ */
/* Network adapters                                                    */

#define HWM_NIC_MAX 36
/* 8 for PIIX3, 36 for ICH9. */
unsigned hwm_nic_count(struct machine *m);

enum hwm_att {
	HWA_NULL, HWA_NAT, HWA_BRIDGED, HWA_INTNET, HWA_HOSTONLY, HWA_GENERIC,
	HWA_NATNETWORK, HWA_CLOUD, HWA_HOSTONLYNET, HWA_COUNT
};
/* Settings element of an attachment type ("NAT", "BridgedInterface"...). */
const char *hwm_att_element(enum hwm_att a);

enum hwm_nic_attr {
	HWN_ENABLED,            /* bool */
	HWN_MAC,                /* 12 hex digits */
	HWN_CABLE,              /* bool, default depends on the version */
	HWN_SPEED,              /* kbps */
	HWN_BOOT_PRIO,
	HWN_TRACE,              /* bool */
	HWN_TRACE_FILE,
	HWN_BWGROUP,
	HWN_PROMISC,            /* Deny AllowNetwork AllowAll */
	HWN_TYPE,               /* Am79C970A Am79C973 82540EM ... */
	HWN_COUNT
};
/* Slots are 0-based here (NIC n on the command line is slot n-1). */
bool hwm_nic_bool(struct machine *m, unsigned slot, enum hwm_nic_attr a);
uint32_t hwm_nic_u32(struct machine *m, unsigned slot, enum hwm_nic_attr a);
const char *hwm_nic_str(struct machine *m, unsigned slot,
			enum hwm_nic_attr a);
int hwm_nic_set_bool(struct machine *m, unsigned slot, enum hwm_nic_attr a,
		     bool v);
int hwm_nic_set_u32(struct machine *m, unsigned slot, enum hwm_nic_attr a,
		    uint32_t v);
int hwm_nic_set_str(struct machine *m, unsigned slot, enum hwm_nic_attr a,
		    const char *v);
/* MAC: NULL/"" generates 080027 + 3 random bytes; else validated. */
int hwm_nic_set_mac(struct machine *m, unsigned slot, const char *mac,
		    struct vb_error *err);

enum hwm_att hwm_nic_attachment(struct machine *m, unsigned slot);
/* Switch attachment; the settings of the old one are remembered in
 * DisabledModes as VirtualBox does. */
int hwm_nic_set_attachment(struct machine *m, unsigned slot, enum hwm_att a);
/* Name of a network of an attachment type (bridged interface, internal
 * network, host-only interface, NAT network, cloud, host-only network,
 * generic driver), whether or not that type is the active one. */
const char *hwm_nic_net_name(struct machine *m, unsigned slot,
			     enum hwm_att a);
int hwm_nic_set_net_name(struct machine *m, unsigned slot, enum hwm_att a,
			 const char *name);
/* Generic driver properties, sorted by name. */
unsigned hwm_nic_prop_count(struct machine *m, unsigned slot);
const char *hwm_nic_prop_at(struct machine *m, unsigned slot, unsigned i,
			    const char **value);
int hwm_nic_set_prop(struct machine *m, unsigned slot, const char *name,
		     const char *value);

/* NAT engine of an adapter (active or remembered). */
enum hwm_nat_attr {
	HWT_NETWORK, HWT_HOSTIP, HWT_MTU, HWT_SOCKRCV, HWT_SOCKSND,
	HWT_TCPRCV, HWT_TCPSND, HWT_LOCALHOST,  /* bool */
	HWT_DNS_PASS_DOMAIN, HWT_DNS_PROXY, HWT_DNS_HOST_RESOLVER, /* bools */
	HWT_ALIAS_LOG, HWT_ALIAS_PROXY_ONLY, HWT_ALIAS_SAME_PORTS, /* bools */
	HWT_TFTP_PREFIX, HWT_TFTP_FILE, HWT_TFTP_SERVER,
	HWT_COUNT
};
bool hwm_nat_bool(struct machine *m, unsigned slot, enum hwm_nat_attr a);
uint32_t hwm_nat_u32(struct machine *m, unsigned slot, enum hwm_nat_attr a);
const char *hwm_nat_str(struct machine *m, unsigned slot,
			enum hwm_nat_attr a);
int hwm_nat_set_bool(struct machine *m, unsigned slot, enum hwm_nat_attr a,
		     bool v);
int hwm_nat_set_u32(struct machine *m, unsigned slot, enum hwm_nat_attr a,
		    uint32_t v);
int hwm_nat_set_str(struct machine *m, unsigned slot, enum hwm_nat_attr a,
		    const char *v);

struct hwm_natrule {
	const char *name;
	bool tcp;
	const char *host_ip;    /* "" when unset */
	uint16_t host_port;
	const char *guest_ip;
	uint16_t guest_port;
};
/* Rules in file order (VirtualBox keeps them sorted by name). */
bool hwm_natrule_at(struct machine *m, unsigned slot, unsigned i,
		    struct hwm_natrule *out);
/* VirtualBox's checks: ',' in the name, duplicate name, duplicate host
 * ip/port/protocol (E_INVALIDARG with its messages); an empty name is
 * generated ("tcp_2222_22"). */
int hwm_natrule_add(struct machine *m, unsigned slot,
		    const struct hwm_natrule *r, struct vb_error *err);
/* -ENOENT when there is no such rule. */
int hwm_natrule_remove(struct machine *m, unsigned slot, const char *name);

/* ------------------------------------------------------------------ */
/* Serial and parallel ports                                           */

#define HWM_UARTS 4
#define HWM_LPTS 2
struct hwm_port {
	bool enabled;
	uint32_t iobase;
	uint32_t irq;
	const char *mode;       /* Disconnected HostPipe HostDevice RawFile TCP */
	bool server;
	const char *path;       /* "" when unset */
	const char *uart_type;  /* 16450 16550A 16750 (UART only) */
};
void hwm_uart_get(struct machine *m, unsigned slot, struct hwm_port *out);
/* Write back a whole port (omitted when it is at its defaults). */
int hwm_uart_put(struct machine *m, unsigned slot, const struct hwm_port *p);
void hwm_lpt_get(struct machine *m, unsigned slot, struct hwm_port *out);
int hwm_lpt_put(struct machine *m, unsigned slot, const struct hwm_port *p);

/* ------------------------------------------------------------------ */
/* USB controllers                                                     */

/* Controllers of a type ("OHCI" "EHCI" "XHCI"). */
unsigned hwm_usb_count(struct machine *m, const char *type);
/* Controller i: type and name (lent); false past the end. */
bool hwm_usb_at(struct machine *m, unsigned i, const char **type,
		const char **name);
int hwm_usb_add(struct machine *m, const char *name, const char *type,
		struct vb_error *err);
int hwm_usb_remove_type(struct machine *m, const char *type);
/* -ENOENT when no controller has that name. */
int hwm_usb_rename(struct machine *m, const char *old, const char *name);

/* USB device filters of the machine. */
struct hwm_usbfilter {
	bool active;
	const char *name, *vendor, *product_id, *revision, *manufacturer,
		   *product, *remote, *serial;
	uint32_t masked;
};
bool hwm_usbfilter_at(struct machine *m, unsigned i,
		      struct hwm_usbfilter *out);

/* ------------------------------------------------------------------ */
/* VRDE properties                                                     */

/* Value of a property ("" when unset; TCP/Ports defaults to "3389"). */
const char *hwm_vrde_prop(struct machine *m, const char *name);
int hwm_vrde_set_prop(struct machine *m, const char *name, const char *value);

/* ------------------------------------------------------------------ */
/* Recording (7.0: Machine/Recording)                                  */

struct hwm_recscreen {
	bool enabled;
	bool video, audio;
	uint32_t max_time, max_size;
	const char *file;       /* "" = default */
	const char *options;
	uint32_t width, height, rate, fps;
};
void hwm_recscreen_get(struct machine *m, unsigned id,
		       struct hwm_recscreen *out);
int hwm_recscreen_put(struct machine *m, unsigned id,
		      const struct hwm_recscreen *s);

/* ------------------------------------------------------------------ */
/* Read access: storage, shared folders, bandwidth groups, guest       */
/* properties, snapshots                                               */

struct hwm_ctl {
	struct snode *node;
	const char *name;
	const char *type;       /* settings spelling: AHCI PIIX4 ... */
	const char *api_type;   /* API spelling: IntelAhci PIIX4 ... */
	uint32_t instance;
	uint32_t ports;
	uint32_t max_ports;
	uint32_t max_devices;   /* per port */
	bool bootable;
	bool hotplug_default;   /* devices without the attribute (SATA ports
				   were hot-pluggable before 1.15) */
};
bool hwm_ctl_at(struct machine *m, unsigned i, struct hwm_ctl *out);

struct hwm_att_dev {
	const char *type;       /* HardDisk DVD Floppy */
	uint32_t port, device;
	bool passthrough, tempeject, hotplug, nonrotational, discard;
	bool has_image;
	struct vb_uuid image;
	const char *host_drive; /* HostDrive src, or NULL */
};
/* The device attached at port/device of a controller; false if none. */
bool hwm_attached(const struct hwm_ctl *c, uint32_t port, uint32_t device,
		  struct hwm_att_dev *out);

struct hwm_sharedfolder {
	const char *name, *host_path, *auto_mount_point;
	bool writable, auto_mount;
};
bool hwm_sharedfolder_at(struct machine *m, unsigned i,
			 struct hwm_sharedfolder *out);

struct hwm_bwgroup {
	const char *name;
	const char *type;       /* Disk Network */
	uint64_t max_bytes;     /* per second */
};
bool hwm_bwgroup_at(struct machine *m, unsigned i, struct hwm_bwgroup *out);
bool hwm_bwgroup_exists(struct machine *m, const char *name);

struct hwm_guestprop {
	const char *name, *value, *flags;
	uint64_t timestamp;
};
bool hwm_guestprop_at(struct machine *m, unsigned i,
		      struct hwm_guestprop *out);

/* Snapshot tree: the root, children, attributes. */
struct snode *hwm_snapshot_root(struct machine *m);
struct snode *hwm_snapshot_child(struct snode *snap, unsigned i);
const char *hwm_snapshot_name(struct snode *snap);
/* Braced UUID text as stored. */
const char *hwm_snapshot_uuid(struct snode *snap);
/* Allocated, "" when none. */
char *hwm_snapshot_description(struct snode *snap);
bool hwm_snapshot_is_current(struct machine *m, struct snode *snap);

/* Apply VirtualBox's write-time rules before saving (a trace file is only
 * kept while tracing is on; remembered attachments at their defaults are
 * dropped; an enabled adapter without a MAC address gets one).  Call once
 * after a batch of changes. */
int hwm_normalize(struct machine *m);

#endif
