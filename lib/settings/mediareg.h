/*
 * Media registries: the global one in VirtualBox.xml (<Global><MediaRegistry>)
 * and each 1.11+ machine's own (<Machine><MediaRegistry>).  Entries are
 * <HardDisk uuid location format type> (differencing children nested in
 * their parent), <Image uuid location [format]> under DVDImages and
 * FloppyImages.  Relative locations are relative to the machine folder
 * (machine registry) or the VirtualBox home (global registry).
 */
#ifndef VB_SETTINGS_MEDIAREG_H
#define VB_SETTINGS_MEDIAREG_H

#include <stdbool.h>

#include "lib/settings/settings.h"

enum mediareg_kind { MR_HDD, MR_DVD, MR_FLOPPY };

struct mediareg_entry {
	enum mediareg_kind kind;
	struct vb_uuid uuid;
	char *location;         /* absolute path (allocated) */
	char *format;           /* as stored, or NULL (allocated) */
	char *type;             /* as stored, or NULL (allocated) */
	bool has_parent;
	struct vb_uuid parent;
	struct snode *node;     /* the element, valid while its document is */
	struct machine *owner;  /* the machine whose registry holds it, or
				   NULL for the global registry (lent) */
};

void mediareg_entry_release(struct mediareg_entry *e);

/* Element names: "HardDisks"/"HardDisk", "DVDImages"/"Image", ... */
const char *mediareg_list_name(enum mediareg_kind kind);
const char *mediareg_item_name(enum mediareg_kind kind);

/* Read one registry element into *out (location made absolute against
 * base_dir).  0 or -EINVAL for a malformed entry. */
int mediareg_read(struct snode *item, enum mediareg_kind kind,
		  const char *base_dir, struct mediareg_entry *out);

/* Look in one registry (<MediaRegistry> element) for a UUID or absolute
 * location, searching nested differencing disks too.  Returns the
 * element or NULL. */
struct snode *mediareg_lookup(struct snode *registry, enum mediareg_kind kind,
			      const struct vb_uuid *uuid, const char *abs_location,
			      const char *base_dir);

/*
 * Find a medium anywhere: the global registry, then the registries of the
 * given machine (if any) and of every registered machine.  spec is a UUID
 * or a path (relative paths against the current directory).  On success
 * *out is filled; if the entry lives in a machine registry other than
 * `m`, out->owner is a machine loaded for this purpose and *loaded is set
 * (the caller frees it with machine_free()).  -ENOENT when not found.
 */
int mediareg_find(struct vbox *vb, struct machine *m, enum mediareg_kind kind,
		  const char *spec, struct mediareg_entry *out,
		  struct machine **loaded, struct vb_error *err);

/* Location as written into a registry: relative to base_dir when inside
 * it, else absolute; forward slashes.  Allocated. */
char *mediareg_location_for(const char *base_dir, const char *abs_path);

/* Add an entry to a registry element (creating the list element).
 * parent_node, when given, nests a differencing disk under its parent.
 * Returns the new element or NULL. */
struct snode *mediareg_add(struct snode *registry, enum mediareg_kind kind,
			   const struct vb_uuid *uuid, const char *location,
			   const char *format, const char *type,
			   struct snode *parent_node);

/* The <MediaRegistry> a medium attached to machine m belongs in: the
 * machine's own for 1.11+ files, the global one for older files. */
struct snode *mediareg_for_machine(struct machine *m, bool create);

/* ---- enumeration and use (every registry) ---- */

/* Called for every entry of a kind: the global registry first, then each
 * registered machine's, each tree depth-first (children after their
 * parent).  A UUID seen before is not reported again.  e->owner is only
 * valid during the call.  A non-zero return stops the walk and is
 * returned. */
typedef int (*mediareg_walk_fn)(void *ctx, const struct mediareg_entry *e,
				unsigned depth);
int mediareg_walk(struct vbox *vb, enum mediareg_kind kind,
		  mediareg_walk_fn fn, void *ctx);

/* One machine that uses a medium. */
struct mediareg_use {
	char *vm_name;
	struct vb_uuid vm_uuid;
	bool in_current;        /* attached in the current state */
	unsigned nsnap;         /* snapshots that attach it */
	char **snap_names;
	struct vb_uuid *snap_uuids;
};

/* Every registered machine that attaches the medium (current state or
 * snapshots).  *out is an allocated array (free with mediareg_uses_free). */
int mediareg_uses(struct vbox *vb, const struct vb_uuid *medium,
		  struct mediareg_use **out, unsigned *n);
void mediareg_uses_free(struct mediareg_use *u, unsigned n);

/* Does this <StorageControllers> (or <Machine>/<Snapshot> level) attach
 * the medium?  Helper shared with the attachment code. */
bool mediareg_storage_uses(struct snode *level, const struct vb_uuid *medium);

/* Number of differencing children of a registry element. */
unsigned mediareg_child_count(struct snode *item);

/* Copy a registry element with its attributes, text and children under
 * new_parent (which may be in another document).  NULL on failure. */
struct snode *mediareg_copy(struct snode *item, struct snode *new_parent);

/* <Property name= value=> of an entry: value (lent) or NULL. */
const char *mediareg_property(struct snode *item, const char *name);
/* Set (value != NULL and non-empty) or remove a property, sorted. */
int mediareg_set_property(struct snode *item, const char *name,
			  const char *value);

#endif
