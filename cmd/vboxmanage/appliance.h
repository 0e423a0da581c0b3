/*
 * Helpers shared by import, export, clonevm and snapshot: machine lookup
 * and state checks with the contexts those commands print, work on the
 * media registry of a locked machine, differencing images, and the list
 * of files an operation created (removed again when it fails, so that
 * nothing is left half-done).
 */
#ifndef VBM_APPLIANCE_H
#define VBM_APPLIANCE_H

#include <stdbool.h>
#include <time.h>

#include "cmd/vboxmanage/vboxmanage.h"
#include "lib/media/media.h"
#include "lib/settings/mediareg.h"


/* Offline operations (snapshots, cloning a running machine's files...):
 * the machine must not be run by a VM process.  Prints VirtualBox's
 * error and returns VBM_FAIL otherwise. */
int app_check_offline(struct machine *m, const char *what,
		      const char *context, const char *file, int line);

/* Files created by an operation, removed by app_files_undo(). */
struct app_files {
	char **v;
	unsigned n, cap;
};
int app_files_add(struct app_files *f, const char *path);
void app_files_undo(struct app_files *f);
void app_files_release(struct app_files *f);

/* A parent resolver that looks into a machine's registry as it is in
 * memory (entries not saved yet) before the saved registries. */
struct app_resolver {
	struct vbox *vb;
	struct machine *m;
};
int app_resolve(void *ctx, const struct vb_uuid *u, char **path);

/* Look up a hard disk by UUID: the machine's registry in memory first,
 * then every registry.  *loaded as for mediareg_find. */
int app_hdd_find(struct vbox *vb, struct machine *m, const struct vb_uuid *u,
		 struct mediareg_entry *out, struct machine **loaded,
		 struct vb_error *err);

/* The <HardDisk> node of u in m's own registry (any depth), or NULL. */
struct snode *app_reg_node(struct machine *m, const struct vb_uuid *u);

/* Make sure u and its parents are in m's registry (as VirtualBox lists
 * the chain of a linked clone); returns u's node there. */
struct snode *app_reg_import_chain(struct vbox *vb, struct machine *m,
				   const struct vb_uuid *u,
				   struct vb_error *err);

/* The format a differencing child of an image of format fmt gets (the
 * same when it supports differencing, else VDI). */
const char *app_diff_format(const char *fmt);

/*
 * Create a differencing image of the hard disk `parent` in folder as
 * "{uuid}.<ext>", register it in m's registry below its parent (m locked,
 * not saved here) and record the file in *created.
 */
int app_diff_create(struct vbox *vb, struct machine *m,
		    const struct vb_uuid *parent, const char *folder,
		    struct vb_uuid *out, struct app_files *created,
		    struct vb_error *err);

/*
 * The --options list of import and export: comma-separated names, each
 * matched without regard to case and as a prefix of a known name (as
 * VirtualBox's option parser does).  Sets the bits in *out; -1 for an
 * unknown name.
 */
struct app_flag_name {
	const char *name;
	unsigned bit;
};
int app_flags_parse(const char *s, const struct app_flag_name *names,
		    size_t count, unsigned *out);

/* The absolute snapshot folder of a machine. */
char *app_snapshot_folder(struct machine *m);

/* Time for settings timestamps. */
time_t app_now(void);

/*
 * NVRAM files (the EFI variable store, settings 1.18+): the file of a
 * level (<Machine>: the current state, which has "<settings>.nvram" by
 * default when the firmware is EFI; <Snapshot>: only a recorded path),
 * absolute, or NULL.  app_nvram_set records a path for a level (relative
 * to the machine folder when inside it).  A snapshot's copy is named
 * after the time, as VirtualBox names it: "<snapshot folder>/
 * 2024-01-02T03-04-05-123456789Z.nvram".  app_nvram_copy copies a file,
 * making the folder, and records what it made in `made` (may be NULL).
 */
char *app_nvram_path(struct machine *m, struct snode *level);
char *app_nvram_default(struct machine *m);
int app_nvram_set(struct machine *m, struct snode *level, const char *abs);
char *app_nvram_snapshot_name(struct machine *m);
int app_nvram_copy(const char *from, const char *to, struct app_files *made,
		   struct vb_error *err);

/* ------------------------------------------------------------------ */
/* Import (import.c, appliance-import.c)                               */

#include "lib/media/ova.h"
#include "lib/settings/ovf.h"

/* An appliance as read from its .ovf (and files next to it) or .ova. */
struct app_package {
	char *path;                 /* absolute path of the .ovf / .ova */
	bool ova;
	char *dir;                  /* the folder the files are in */
	char *ovf_name;             /* name of the descriptor */
	struct ovf_envelope *env;
	bool has_mf;                /* a manifest was found */
	struct ova_manifest mf;     /* theirs */
	unsigned digests;           /* kinds their manifest uses */
	struct ova_manifest ours;   /* what we computed so far */
};

/* IAppliance::read: the descriptor, the manifest, and for an OVA a check
 * of every entry of the archive. */
int app_package_read(const char *path, struct app_package *out,
		     struct vb_error *err);
void app_package_release(struct app_package *p);

#define AI_KEEPALLMACS  0x1
#define AI_KEEPNATMACS  0x2
#define AI_IMPORTTOVDI  0x4

/* IAppliance::importMachines with the final values of vsds (one per
 * virtual system): disks, machines, registration; everything created is
 * removed again when it fails. */
int app_import(struct vbm_ctx *ctx, struct app_package *p, struct vsd *vsds,
	       unsigned opts, struct vbm_progress *pr, struct vb_error *err);

#endif
