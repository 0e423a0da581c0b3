/*
 * lib/settings: VirtualBox's settings files are our database.
 *
 *   struct sdoc     one settings file (VirtualBox.xml, a .vbox, a legacy
 *                   machine .xml) kept as a DOM; see snode.h for access.
 *   struct vbox     an open VirtualBox home: VirtualBox.xml, its machine
 *                   registry, the global media registry.
 *   struct machine  one machine file.
 *
 * Writers serialise read-modify-write cycles with file locks: call
 * vbox_global_lock()/machine_lock() before changing anything; both reload
 * the file from disk so that nobody else's change is lost, and *_save() /
 * *_commit() write atomically (file-tmp, fsync, file-prev, rename).
 *
 * Versions are "1.<minor>"; the API passes the minor only (19 = 1.19).
 *
 * Lock order: a machine's lock before the global lock (machine_save() of a
 * pre-4.0 machine that reaches 1.11 takes the global lock to move its
 * media out of the global registry).
 *
 * Pre-4.0 files (legacy.c) are converted on load as VirtualBox reads them:
 * < 1.7 layouts become 1.7, the DVD/floppy drives of < 1.9 machine files
 * are StorageController attachments in memory (written back as
 * DVDDrive/FloppyDrive while the file stays below 1.9), relative paths in
 * VirtualBox.xml are resolved against the home.
 */
#ifndef VB_SETTINGS_H
#define VB_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/settings/snode.h"
#include "lib/util/error.h"
#include "lib/util/lock.h"
#include "lib/util/uuid.h"

#define SV_MIN_READ     3   /* oldest version we load (VirtualBox 2.0) */
#define SV_MIN_WRITE    7   /* older files are written at least as 1.7 */
#define SV_GLOBAL_NEW   12  /* new VirtualBox.xml */
#define SV_MACHINE_NEW  19  /* new machine files (VirtualBox 7.0) */
#define SV_NEWEST       20  /* newest layout we read and write (7.1) */

#define VBOX_SETTINGS_NS "http://www.virtualbox.org/"

/* ------------------------------------------------------------------ */
/* Locations                                                           */

/* The VirtualBox home ($VBOX_USER_HOME, ~/.VirtualBox if present, XDG,
 * ~/.config/VirtualBox), created if missing.  *out is allocated. */
int settings_home(char **out, struct vb_error *err);
/* "<user home>/VirtualBox VMs" (allocated), NULL without a home. */
char *settings_default_machine_folder(void);
/* Host suffix of the version string this build writes: "linux". */
const char *settings_host_suffix(void);

/* ------------------------------------------------------------------ */
/* Documents                                                           */

enum sdoc_kind { SDOC_GLOBAL, SDOC_MACHINE };

struct sdoc;

int sdoc_load(const char *path, enum sdoc_kind kind, struct sdoc **out,
	      struct vb_error *err);
/* From memory (fuzzers, tests); path is used for messages and saving. */
int sdoc_load_mem(const char *data, size_t len, const char *path,
		  enum sdoc_kind kind, struct sdoc **out, struct vb_error *err);
/* An empty document: <VirtualBox><Global/> or <Machine/></VirtualBox>. */
struct sdoc *sdoc_new(enum sdoc_kind kind, const char *path);
void sdoc_free(struct sdoc *d);

struct snode *sdoc_root(const struct sdoc *d);     /* <VirtualBox> */
struct snode *sdoc_top(const struct sdoc *d);      /* <Global>/<Machine> */
const char *sdoc_path(const struct sdoc *d);
int sdoc_set_path(struct sdoc *d, const char *path);
unsigned sdoc_version(const struct sdoc *d);       /* working version */
unsigned sdoc_version_read(const struct sdoc *d);  /* 0 for new files */
const char *sdoc_version_string_read(const struct sdoc *d);
bool sdoc_is_new(const struct sdoc *d);
/* Raise the working version to at least v, converting the layout. */
int sdoc_require_version(struct sdoc *d, unsigned v);
/* Serialise as it would be saved (version bumped as needed).  *out is
 * allocated. */
int sdoc_serialize(struct sdoc *d, char **out, size_t *len,
		   struct vb_error *err);
/* Save: bump the version if a setting needs it (copying the old file to
 * its VirtualBox backup name first), then replace the file atomically.
 * Nothing is written when the document did not change. */
int sdoc_save(struct sdoc *d, struct vb_error *err);
/* The version-bump backup name for a file read at version string vs:
 * "Name.vbox" + "1.18-linux" -> "Name-1.18-linux.vbox". Allocated. */
char *sdoc_backup_name(const char *path, const char *vs);

/* ------------------------------------------------------------------ */
/* The VirtualBox home and its global settings                         */

struct vbox;
struct machine;

/* Open the home and read VirtualBox.xml (a default one, in memory, when
 * there is none yet). */
int vbox_open(struct vbox **out, struct vb_error *err);
/* Same with an explicit home directory (tests). */
int vbox_open_at(const char *home, struct vbox **out, struct vb_error *err);
void vbox_free(struct vbox *vb);

const char *vbox_home(const struct vbox *vb);
struct sdoc *vbox_global(const struct vbox *vb);
/* <Global>/<name>, created in order when create is set. */
struct snode *vbox_global_node(struct vbox *vb, const char *name, bool create);
/* Effective default machine folder (allocated). */
char *vbox_machine_folder(struct vbox *vb);
/* The lock file that guards a settings file (allocated). */
char *vbox_lock_path(struct vbox *vb, const char *settings_path);

/* Take the global lock and reload VirtualBox.xml from disk. */
int vbox_global_lock(struct vbox *vb, struct vb_error *err);
/* Save VirtualBox.xml (when changed) and drop the lock. */
int vbox_global_commit(struct vbox *vb, struct vb_error *err);
/* Drop the lock without saving. */
void vbox_global_unlock(struct vbox *vb);

/* Machine registry (as loaded; relative "src" resolved against home). */
unsigned vbox_machine_count(struct vbox *vb);
const char *vbox_machine_src(struct vbox *vb, unsigned i);
int vbox_machine_entry_uuid(struct vbox *vb, unsigned i, struct vb_uuid *u);
/* Load registered machine i.  A machine whose file cannot be read is
 * still returned (machine_accessible() false).  Only the identity (name,
 * UUID, accessibility) is read here; the tree is read on first use
 * (machine_doc(), machine_elem(), ...). */
int vbox_machine_open_at(struct vbox *vb, unsigned i, struct machine **out,
			 struct vb_error *err);
/* Find a registered machine by UUID, name or settings file path, with
 * VirtualBox's VBOX_E_OBJECT_NOT_FOUND messages. */
int vbox_find_machine(struct vbox *vb, const char *spec, struct machine **out,
		      struct vb_error *err);
/* Add / remove a MachineEntry (takes and commits the global lock). */
int vbox_register_machine(struct vbox *vb, struct machine *m,
			  struct vb_error *err);
int vbox_unregister_machine(struct vbox *vb, const struct vb_uuid *uuid,
			    struct vb_error *err);

/* Global extra data (sorted by name on write).  get lends; set with
 * value NULL or "" deletes.  set needs the global lock. */
const char *vbox_extradata_get(struct vbox *vb, const char *key);
int vbox_extradata_set(struct vbox *vb, const char *key, const char *value,
		       struct vb_error *err);

/* ------------------------------------------------------------------ */
/* Machines                                                            */

/* Load a machine file (not necessarily registered). */
int machine_load(struct vbox *vb, const char *path, struct machine **out,
		 struct vb_error *err);
/* A machine from settings file text in memory that is not on disk yet:
 * path is where machine_save() will write it (import, clonevm). */
int machine_load_mem(struct vbox *vb, const char *data, size_t len,
		     const char *path, struct machine **out,
		     struct vb_error *err);
/* A new machine in memory (written by machine_save()). */
int machine_create(struct vbox *vb, const char *path, const char *name,
		   const struct vb_uuid *uuid, const char *ostype,
		   struct machine **out, struct vb_error *err);
void machine_free(struct machine *m);
/* Wrap a document that is already loaded (sdoc_load_mem) as a machine;
 * the machine owns doc afterwards.  vb may be NULL. */
int machine_from_doc(struct vbox *vb, struct sdoc *doc, struct machine **out,
		     struct vb_error *err);

struct vbox *machine_vbox(const struct machine *m);
struct sdoc *machine_doc(const struct machine *m);
const char *machine_path(const struct machine *m);
const char *machine_folder(const struct machine *m);
const char *machine_name(const struct machine *m);
const struct vb_uuid *machine_uuid(const struct machine *m);
bool machine_accessible(const struct machine *m);
/* Why the machine is inaccessible (lent). */
const char *machine_access_error(const struct machine *m);

/* Exclusive lock on the machine's settings, reloading the file. */
int machine_lock(struct machine *m, struct vb_error *err);
/* Write the file (when changed); the lock stays held.  A pre-4.0 machine
 * whose file reaches 1.11 gets the media it uses moved from the global
 * registry into its own (migrate.c). */
int machine_save(struct machine *m, struct vb_error *err);
void machine_unlock(struct machine *m);
/* Re-read identity (name, uuid) after edits of the <Machine> element. */
void machine_refresh(struct machine *m);

/* Logical elements of the machine tree.  Where an element lives depends
 * on the file version (StorageControllers moved into Hardware at 1.17;
 * 1.20 splits CPU/RTC/Chipset/Iommu/HPET into Platform and merges BIOS
 * into Firmware); these resolve it.  With create, missing elements are
 * made in VirtualBox's order; otherwise NULL when absent. */
enum melem {
	ME_MACHINE,     /* <Machine> */
	ME_HARDWARE,    /* <Hardware> */
	ME_CPU,         /* generic CPU attributes (count, executionCap...) */
	ME_CPU_X86,     /* x86 CPU flags (PAE, LongMode, HardwareVirtEx...) */
	ME_MEMORY,
	ME_HPET,
	ME_CHIPSET,
	ME_RTC,
	ME_IOMMU,
	ME_BIOS,        /* BIOS settings (ACPI, IOAPIC, Logo...) */
	ME_FIRMWARE,    /* <Firmware type=...> */
	ME_STORAGE,     /* <StorageControllers> */
	ME_NETWORK,
	ME_UART,
	ME_LPT,
	ME_DISPLAY,
	ME_BOOT,
	ME_VRDE,        /* <RemoteDisplay> */
	ME_AUDIO,
	ME_USB,
	ME_SHAREDFOLDERS,
	ME_GUESTPROPS,
	ME_IO,
	ME_EXTRADATA,
	ME_MEDIAREG,
	ME_COUNT
};
struct snode *machine_elem(struct machine *m, enum melem e, bool create);

/* Machine extra data. */
const char *machine_extradata_get(struct machine *m, const char *key);
int machine_extradata_set(struct machine *m, const char *key,
			  const char *value, struct vb_error *err);

/* ------------------------------------------------------------------ */
/* Guest OS types (the 7.0 table)                                      */

struct ostype {
	const char *id;             /* "Ubuntu_64" */
	const char *description;    /* "Ubuntu (64-bit)" */
	const char *family;         /* "Linux" */
	const char *family_desc;    /* "Linux" */
	bool is64;
	unsigned ram_mb;            /* recommended RAM */
	unsigned vram_mb;
	uint64_t hdd_bytes;
	unsigned cpus;
	const char *gfx;            /* settings spelling: "VMSVGA" */
	const char *nic;            /* settings spelling: "82540EM" */
	const char *dvd_ctl;        /* "PIIX4" / "AHCI" / ... */
	const char *dvd_bus;        /* "IDE" / "SATA" / ... */
	const char *hd_ctl;
	const char *hd_bus;
	const char *chipset;        /* "PIIX3" / "ICH9" */
	const char *audio_ctl;      /* "AC97" / "HDA" / "SB16" */
	const char *audio_codec;
	unsigned hints;             /* OSH_* */
	unsigned serial_ports;      /* serial ports enabled for new VMs */
};
#define OSH_64BIT     0x0001
#define OSH_HWVIRTEX  0x0002
#define OSH_PAE       0x0004
#define OSH_IOAPIC    0x0008
#define OSH_X2APIC    0x0010
#define OSH_HPET      0x0020
#define OSH_RTCUTC    0x0040
#define OSH_USBTABLET 0x0080
#define OSH_USBHID    0x0100
#define OSH_USB3      0x0200
#define OSH_NOUSB     0x0400
#define OSH_FLOPPY    0x0800
#define OSH_EFI       0x1000
#define OSH_TPM2      0x2000
#define OSH_TFRESET   0x4000
#define OSH_EFI_SB    0x8000
#define OSH_WDDM      0x10000   /* guest has a WDDM graphics driver */

/* The table, terminated by an entry with id NULL. */
extern const struct ostype ostype_table[];
/* By id (case-insensitive, as VirtualBox); NULL if unknown. */
const struct ostype *ostype_find(const char *id);
/* Number of entries in ostype_table[]. */
unsigned ostype_count(void);

#endif
