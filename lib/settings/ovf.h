/*
 * OVF descriptors (DMTF DSP0243 1.x/2.x and VMware's 0.9 draft) as
 * VirtualBox reads and writes them, and the "virtual system description"
 * (VSD) that sits between a descriptor and a VirtualBox machine.
 *
 *   ovf_parse()        descriptor text -> struct ovf_envelope (ovf.c)
 *   ovf_interpret()    envelope -> one VSD per virtual system, the
 *                      suggestions "import -n" lists (ovf-interpret.c)
 *   ovf_vsd_from_machine()  a machine -> VSD for export (ovf-export.c)
 *   ovf_build()        VSDs + machines -> descriptor text (ovf-write.c)
 *
 * Everything read from a descriptor is untrusted: sizes are range
 * checked, counts are bounded, and a descriptor that breaks a rule
 * VirtualBox enforces gets VirtualBox's message (VBOX_E_FILE_ERROR).
 * libxml2 stays inside lib/settings.
 */
#ifndef VB_SETTINGS_OVF_H
#define VB_SETTINGS_OVF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/settings/settings.h"
#include "lib/util/strbuf.h"

#define OVF_NS_09   "http://www.vmware.com/schema/ovf/1/envelope"
#define OVF_NS_10   "http://schemas.dmtf.org/ovf/envelope/1"
#define OVF_NS_20   "http://schemas.dmtf.org/ovf/envelope/2"
#define OVF_NS_VBOX "http://www.virtualbox.org/ovf/machine"

#define OVF_FMT_VMDK_STREAM \
	"http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"
#define OVF_FMT_VMDK_SPARSE "http://www.vmware.com/specifications/vmdk.html#sparse"
#define OVF_FMT_ISO \
	"http://www.ecma-international.org/publications/standards/Ecma-119.htm"

/* Largest descriptor we read (VirtualBox has no limit; ours keeps a
 * hostile package from taking all memory). */
#define OVF_MAX_DESCRIPTOR  (32u << 20)
#define OVF_MAX_SYSTEMS     64
#define OVF_MAX_ITEMS       4096
#define OVF_MAX_DISKS       1024

enum ovf_version { OVF_V09, OVF_V10, OVF_V20 };

/* DiskSection/Disk joined with its References/File. */
struct ovf_disk {
	char *id;                   /* diskId */
	char *format;               /* format URI */
	int64_t capacity;           /* capacity as written */
	uint64_t capacity_bytes;    /* with capacityAllocationUnits applied */
	int64_t populated;          /* populatedSize, -1 when absent */
	char *vbox_uuid;            /* vbox:uuid (no braces) or NULL */
	char *href;                 /* File/href, NULL when the disk has none */
	int64_t file_size;          /* File/size, -1 when absent */
	char *compression;          /* File/compression or NULL */
	uint32_t suggested_mb;      /* size for progress weights */
	int line;
};

enum ovf_ctl_kind { OVF_CTL_IDE, OVF_CTL_SATA, OVF_CTL_SCSI,
		    OVF_CTL_VIRTIOSCSI, OVF_CTL_NVME };

struct ovf_controller {
	char *id;                   /* InstanceID */
	enum ovf_ctl_kind kind;
	char *subtype;              /* ResourceSubType ("" when absent) */
	int32_t address;
	bool primary;               /* first IDE controller */
};

/* A HardDisk (17) or CDDrive (15) item. */
struct ovf_vdisk {
	char *ctl_id;
	uint32_t address;           /* AddressOnParent */
	char *disk_id;              /* "" for an empty CD drive */
};

struct ovf_nic {
	char *subtype;              /* ResourceSubType */
	char *connection;           /* Connection */
};

struct ovf_system {
	char *name;                 /* VirtualSystem/@id */
	char *description;          /* AnnotationSection/Annotation */
	uint32_t cimos;
	char *cimos_desc;
	char *vbox_ostype;          /* OperatingSystemSection/vbox:OSType */
	char *vs_type;              /* System/VirtualSystemType */
	char *product, *vendor, *version, *product_url, *vendor_url;
	char *license;
	uint64_t memory;            /* bytes, 0 = not given */
	uint32_t cpus;              /* 1 when not given */
	struct ovf_nic *nics;
	unsigned n_nics;
	struct ovf_controller *ctls;    /* sorted by id (strcmp) */
	unsigned n_ctls;
	struct ovf_vdisk *vdisks;       /* sorted by disk_id (strcmp) */
	unsigned n_vdisks;
	bool floppy, cdrom, usb;
	char *sound;                /* sound card subtype or NULL */
	/* The <vbox:Machine> element as the text of a machine settings file
	 * (<VirtualBox><Machine>...), or NULL when there is none. */
	char *machine_xml;
	char *machine_version;      /* its version attribute */
};

struct ovf_envelope {
	enum ovf_version version;
	char *lang;
	struct ovf_disk *disks;     /* sorted by id (strcmp) */
	unsigned n_disks;
	struct ovf_system *systems;
	unsigned n_systems;
};

/* Parse a descriptor.  path is the file name used in messages (VirtualBox
 * prints the appliance path).  On failure *err has VirtualBox's text. */
int ovf_parse(const char *data, size_t len, const char *path,
	      struct ovf_envelope **out, struct vb_error *err);
void ovf_free(struct ovf_envelope *e);
const struct ovf_disk *ovf_find_disk(const struct ovf_envelope *e,
				     const char *id);
/* "0.9" / "1.0" / "2.0" */
const char *ovf_version_name(enum ovf_version v);

/* ------------------------------------------------------------------ */
/* Guest OS types and CIM operating system ids                         */

/* VirtualBox's guess of an OS type id for a CIM id (and description for
 * the "Other" ids), convertCIMOSType2VBoxOSType. */
const char *ovf_cim_to_ostype(uint32_t cim, const char *desc);
/* The CIM id for an OS type id, preferring a 64-bit id with long mode. */
uint32_t ovf_ostype_to_cim(const char *ostype, bool long_mode);

/* ------------------------------------------------------------------ */
/* Virtual system descriptions                                         */

enum vsd_type {
	VSD_IGNORE = 1, VSD_OS, VSD_NAME, VSD_PRODUCT, VSD_VENDOR,
	VSD_VERSION, VSD_PRODUCT_URL, VSD_VENDOR_URL, VSD_DESCRIPTION,
	VSD_LICENSE, VSD_MISC, VSD_CPU, VSD_MEMORY, VSD_HDC_IDE,
	VSD_HDC_SATA, VSD_HDC_SCSI, VSD_HDC_SAS, VSD_HD_IMAGE, VSD_FLOPPY,
	VSD_CDROM, VSD_NIC, VSD_USB, VSD_SOUND, VSD_SETTINGS_FILE,
	VSD_BASE_FOLDER, VSD_PRIMARY_GROUP, VSD_HDC_VIRTIOSCSI, VSD_HDC_NVME,
	VSD_NVRAM,
};

struct vsd_entry {
	enum vsd_type type;
	char *ref;
	char *ovf;                  /* value the appliance has */
	char *vbox;                 /* value VirtualBox suggests / final */
	char *extra;                /* "controller=1;channel=0", "type=NAT" */
	uint32_t size_mb;
	bool enabled;               /* false: --ignore */
	bool skip;                  /* export: not written (ISO w/o iso) */
	struct vb_uuid medium;      /* export: the attached medium */
	char *orig;                 /* import: vbox before it was changed */
	bool pinned;                /* import: target given with --disk */
};

struct vsd {
	struct vsd_entry *e;
	unsigned n, cap;
	/* import: the OS type chosen for defaults; export: the machine */
	struct machine *machine;
};

int vsd_add(struct vsd *d, enum vsd_type type, const char *ref,
	    const char *ovf, const char *vbox, uint32_t size_mb,
	    const char *extra);
void vsd_release(struct vsd *d);
/* Index of the first / last entry of a type, -1 if none. */
int vsd_find(const struct vsd *d, enum vsd_type type);
int vsd_find_last(const struct vsd *d, enum vsd_type type);
/* Replace the suggested value of entry i (copy). */
int vsd_set_vbox(struct vsd *d, unsigned i, const char *value);
int vsd_set_extra(struct vsd *d, unsigned i, const char *value);
bool vsd_is_controller(enum vsd_type t);
/* "controller=%u;channel=%u" of a disk entry.  0 or -EINVAL. */
int vsd_disk_location(const struct vsd_entry *e, uint32_t *ctl,
		      uint32_t *channel);

/*
 * Appliance::interpret(): one VSD per virtual system of the envelope,
 * with VirtualBox's suggestions (unique VM name, settings file, base
 * folder, target paths of disks next to the settings file).  Warnings
 * (too many CPUs, memory out of range...) are appended to *warnings,
 * one per line.  vsds is an array of e->n_systems descriptions.
 */
int ovf_interpret(struct vbox *vb, const struct ovf_envelope *e,
		  struct vsd *vsds, struct strbuf *warnings,
		  struct vb_error *err);

/* IVirtualBox::composeMachineFilename: "<base folder or the default
 * machine folder>[<group>]/<name>/<name>.vbox" with the characters
 * VirtualBox does not allow in file names replaced by '_'.  Allocated. */
char *ovf_compose_machine_filename(struct vbox *vb, const char *name,
				   const char *group, const char *basefolder);

/* Medium format of a DiskSection disk: "VMDK", "VHD" or "RAW" (ISO),
 * by the format URI, else by the file extension; NULL if unknown. */
const char *ovf_disk_format(const struct ovf_disk *d);

/* Network attachment names VirtualBox uses in appliances ("NAT",
 * "Bridged", "Internal", "HostOnly", "Generic", "NATNetwork", "Null",
 * "Cloud", "HostOnlyNetwork") from the settings element of an adapter's
 * attachment (NULL element = "Null"). */
const char *ovf_attachment_name(const char *settings_element);
/* The NetworkAdapterType API value for a settings type ("82540EM" -> 3),
 * 0 if unknown; and back. */
unsigned ovf_nic_type_value(const char *settings_type);
const char *ovf_nic_type_name(unsigned value);

/* ------------------------------------------------------------------ */
/* Export                                                              */

/*
 * Machine::exportTo(): the VSD of a machine for an appliance written to
 * ovf_path (disk file names "<ovf base name>-disk%03d.vmdk" count across
 * the appliance through *disk_counter).  Disk entries (VSD_HD_IMAGE,
 * VSD_CDROM) have the file name in ref and ovf, the absolute path of the
 * attached medium in vbox and its UUID in medium.
 */
int ovf_vsd_from_machine(struct vbox *vb, struct machine *m,
			 const char *ovf_path, unsigned *disk_counter,
			 struct vsd *out, struct vb_error *err);

/* One disk file that ovf_build() put in the References: the export
 * command writes it. */
struct ovf_out_disk {
	unsigned vsys;              /* index of its virtual system */
	unsigned entry;             /* index of the VSD entry */
	char *href;                 /* file name next to the descriptor */
	char *src_path;             /* absolute path of the source medium */
	struct vb_uuid src_uuid;    /* UUID of the attached medium */
	struct vb_uuid new_uuid;    /* vbox:uuid of the written image */
	bool iso;
};

struct ovf_build_opts {
	enum ovf_version version;
	bool strip_macs;            /* --options nomacs */
	bool strip_non_nat_macs;    /* --options nomacsbutnat */
	bool export_isos;           /* --options iso */
};

/*
 * Appliance::buildXML(): the descriptor for n machines and their VSDs.
 * Disk capacities come from cap[] (bytes, one per disk entry in the order
 * the disks are listed, filled by the caller through the callback).
 * *disks receives the files to write (free with ovf_out_disks_free).
 */
typedef int (*ovf_capacity_fn)(void *ctx, const char *src_path,
			       uint64_t *bytes, struct vb_error *err);
int ovf_build(struct vsd *vsds, struct machine **machines, unsigned n,
	      const struct ovf_build_opts *o, ovf_capacity_fn capacity,
	      void *cctx, char **xml, size_t *xml_len,
	      struct ovf_out_disk **disks, unsigned *n_disks,
	      struct vb_error *err);
void ovf_out_disks_free(struct ovf_out_disk *d, unsigned n);

#endif
