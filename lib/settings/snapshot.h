/*
 * The snapshot tree of a machine file (settings-format.md 7.4): a single
 * root <Snapshot> under <Machine>, children in <Snapshots>, and
 * Machine@currentSnapshot naming the snapshot the current state is based
 * on.  A snapshot holds a copy of the machine's state elements (Hardware,
 * StorageControllers before 1.17, Debugging, Autostart, Recording,
 * Platform) as they were when it was taken.
 *
 * These functions change the document only; creating and merging the
 * differencing images that go with snapshots is the caller's job (the
 * snapshot command), since lib/settings knows nothing of image files.
 * The machine must be locked (machine_lock) by writers.
 */
#ifndef VB_SETTINGS_SNAPSHOT_H
#define VB_SETTINGS_SNAPSHOT_H

#include <stdbool.h>
#include <time.h>

#include "lib/settings/settings.h"

struct snode *snapshot_root(struct machine *m);
/* The snapshot Machine@currentSnapshot names, NULL when none. */
struct snode *snapshot_current(struct machine *m);
/* Parent snapshot, NULL for the root. */
struct snode *snapshot_parent(struct snode *snap);
/* i-th child (0-based), NULL past the end. */
struct snode *snapshot_child(struct snode *snap, unsigned i);
unsigned snapshot_child_count(struct snode *snap);
unsigned snapshot_count(struct machine *m);
/* Depth-first (pre-order) successor of snap within the tree, NULL at
 * the end; start with snapshot_root(). */
struct snode *snapshot_next(struct snode *snap);

int snapshot_uuid(struct snode *snap, struct vb_uuid *out);
const char *snapshot_name(struct snode *snap);
/* Description text (allocated, "" when none; NULL on ENOMEM). */
char *snapshot_description(struct snode *snap);
int snapshot_set_name(struct snode *snap, const char *name);
int snapshot_set_description(struct snode *snap, const char *text);

/*
 * IMachine::findSnapshot: an empty spec is the root; a UUID (with or
 * without braces) is looked up as such, anything else as a name (the
 * first match in depth-first order).  VBOX_E_OBJECT_NOT_FOUND with
 * VirtualBox's messages otherwise.
 */
int snapshot_find(struct machine *m, const char *spec, struct snode **out,
		  struct vb_error *err);

/* The <Snapshot> whose state a machine level element is: `level` is
 * either <Machine> (the current state) or a <Snapshot>. */
typedef int (*snapshot_image_fn)(void *ctx, struct snode *level,
				 struct snode *attached, struct snode *image);
/* Every AttachedDevice with an <Image> of one level (StorageControllers
 * inside Hardware and, before 1.17, beside it). */
int snapshot_walk_level(struct snode *level, snapshot_image_fn fn,
			void *ctx);
/* The same over the current state and every snapshot. */
int snapshot_walk_all(struct machine *m, snapshot_image_fn fn, void *ctx);
/* How many attachments (all levels) use the image. */
unsigned snapshot_image_refs(struct machine *m, const struct vb_uuid *u);
/* Point every attachment (all levels) that uses `from` to `to`. */
int snapshot_replace_image(struct machine *m, const struct vb_uuid *from,
			   const struct vb_uuid *to);

/*
 * Take: a new snapshot holding a copy of the current state, a child of
 * the current snapshot (or the root), made current; Machine's
 * currentStateModified is cleared and lastStateChange set to `when`.
 * Returns the new element, NULL with *err on failure.
 */
struct snode *snapshot_take(struct machine *m, const struct vb_uuid *id,
			    const char *name, const char *description,
			    time_t when, struct vb_error *err);
/* Restore: the current state becomes a copy of the snapshot's and the
 * snapshot the current one. */
int snapshot_restore(struct machine *m, struct snode *snap, time_t when,
		     struct vb_error *err);
/*
 * Remove a snapshot from the tree (its data is forgotten): its children
 * take its place under its parent; the root can only go when it has at
 * most one child, which becomes the root.  If it was the current one its
 * parent becomes current.
 */
int snapshot_remove(struct machine *m, struct snode *snap,
		    struct vb_error *err);

#endif
