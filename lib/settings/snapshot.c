/*
 * Snapshot tree operations on a machine document (see snapshot.h).
 *
 * Spec: settings-format.md 7.1 (Machine@currentSnapshot,
 * currentStateModified, lastStateChange) and 7.4 (Snapshot elements);
 * VirtualBox 7.0's SnapshotImpl.cpp for the rules (one root, children in
 * creation order, the current snapshot after a deletion is the parent).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/settings/snapshot.h"
#include "lib/util/strbuf.h"
#include "lib/util/timefmt.h"

/* Machine-level elements that make up a state. */
static const char *const state_elems[] = { "Hardware", "StorageControllers",
	"Debugging", "Autostart", "Recording", "Platform", NULL };

#define MAX_DEPTH 300

static int oom(struct vb_error *err)
{
	return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
}

static struct snode *mtop(struct machine *m)
{
	return machine_doc(m) ? sdoc_top(machine_doc(m)) : NULL;
}

struct snode *snapshot_root(struct machine *m)
{
	return snode_child(mtop(m), "Snapshot");
}

struct snode *snapshot_parent(struct snode *snap)
{
	struct snode *p = snap ? snode_parent(snap) : NULL;

	/* <Snapshot>/<Snapshots>/<Snapshot> */
	if (!p || strcmp(snode_name(p), "Snapshots"))
		return NULL;
	p = snode_parent(p);
	return p && !strcmp(snode_name(p), "Snapshot") ? p : NULL;
}

struct snode *snapshot_child(struct snode *snap, unsigned i)
{
	struct snode *c = snode_path(snap, "Snapshots/Snapshot");

	while (c && i--)
		c = snode_next(c, "Snapshot");
	return c;
}

unsigned snapshot_child_count(struct snode *snap)
{
	return snode_count(snode_child(snap, "Snapshots"), "Snapshot");
}

struct snode *snapshot_next(struct snode *snap)
{
	struct snode *c = snapshot_child(snap, 0), *p;

	if (c)
		return c;
	for (; snap; snap = p) {
		struct snode *n = snode_next(snap, "Snapshot");

		p = snapshot_parent(snap);
		if (n && p)
			return n;
		if (!p)
			return NULL;
	}
	return NULL;
}

unsigned snapshot_count(struct machine *m)
{
	struct snode *s;
	unsigned n = 0;

	for (s = snapshot_root(m); s && n < 1000000; s = snapshot_next(s))
		n++;
	return n;
}

int snapshot_uuid(struct snode *snap, struct vb_uuid *out)
{
	const char *u = snode_attr(snap, "uuid");

	return u ? vb_uuid_parse(u, out) : -EINVAL;
}

const char *snapshot_name(struct snode *snap)
{
	const char *n = snode_attr(snap, "name");

	return n ? n : "";
}

char *snapshot_description(struct snode *snap)
{
	struct snode *d = snode_child(snap, "Description");
	char *t = d ? snode_text(d) : NULL;

	return t ? t : strdup("");
}

int snapshot_set_name(struct snode *snap, const char *name)
{
	return snode_set_attr(snap, "name", name);
}

int snapshot_set_description(struct snode *snap, const char *text)
{
	struct snode *d = snode_child(snap, "Description");

	if (!text || !*text) {
		if (d)
			snode_remove(d);
		return 0;
	}
	if (!d && !(d = snode_ensure(snap, "Description")))
		return -ENOMEM;
	return snode_set_text(d, text);
}

struct snode *snapshot_current(struct machine *m)
{
	const char *cur = snode_attr(mtop(m), "currentSnapshot");
	struct vb_uuid want, u;
	struct snode *s;

	if (!cur || vb_uuid_parse(cur, &want))
		return NULL;
	for (s = snapshot_root(m); s; s = snapshot_next(s))
		if (!snapshot_uuid(s, &u) && vb_uuid_eq(&u, &want))
			return s;
	return NULL;
}

int snapshot_find(struct machine *m, const char *spec, struct snode **out,
		  struct vb_error *err)
{
	struct snode *s = snapshot_root(m);
	struct vb_uuid want, u;
	char ub[40];

	*out = NULL;
	if (!s)
		return vb_err(err, ENOENT, VBOX_E_OBJECT_NOT_FOUND,
			      "This machine does not have any snapshots");
	if (!spec || !*spec) {
		*out = s;
		return 0;
	}
	if (!vb_uuid_parse(spec, &want) && !vb_uuid_is_zero(&want)) {
		for (; s; s = snapshot_next(s))
			if (!snapshot_uuid(s, &u) && vb_uuid_eq(&u, &want)) {
				*out = s;
				return 0;
			}
		return vb_err(err, ENOENT, VBOX_E_OBJECT_NOT_FOUND,
			      "Could not find a snapshot with UUID {%s}",
			      vb_uuid_fmt(&want, ub));
	}
	for (; s; s = snapshot_next(s))
		if (!strcmp(snapshot_name(s), spec)) {
			*out = s;
			return 0;
		}
	return vb_err(err, ENOENT, VBOX_E_OBJECT_NOT_FOUND,
		      "Could not find a snapshot named '%s'", spec);
}

/* ------------------------------------------------------------------ */
/* Attachments                                                         */

static int walk_controllers(struct snode *scs, struct snode *level,
			    snapshot_image_fn fn, void *ctx)
{
	struct snode *sc, *ad, *img;
	int rc;

	for (sc = snode_child(scs, "StorageController"); sc;
	     sc = snode_next(sc, "StorageController"))
		for (ad = snode_child(sc, "AttachedDevice"); ad;
		     ad = snode_next(ad, "AttachedDevice")) {
			img = snode_child(ad, "Image");
			if (!img)
				continue;
			rc = fn(ctx, level, ad, img);
			if (rc)
				return rc;
		}
	return 0;
}

int snapshot_walk_level(struct snode *level, snapshot_image_fn fn, void *ctx)
{
	int rc;

	rc = walk_controllers(snode_path(level, "Hardware/StorageControllers"),
			      level, fn, ctx);
	if (!rc)
		rc = walk_controllers(snode_child(level, "StorageControllers"),
				      level, fn, ctx);
	return rc;
}

int snapshot_walk_all(struct machine *m, snapshot_image_fn fn, void *ctx)
{
	struct snode *s;
	int rc;

	rc = snapshot_walk_level(mtop(m), fn, ctx);
	for (s = snapshot_root(m); !rc && s; s = snapshot_next(s))
		rc = snapshot_walk_level(s, fn, ctx);
	return rc;
}

struct ref_count {
	const struct vb_uuid *u;
	unsigned n;
};

static int count_ref(void *ctx, struct snode *level, struct snode *ad,
		     struct snode *img)
{
	struct ref_count *r = ctx;
	struct vb_uuid u;
	const char *s = snode_attr(img, "uuid");

	if (s && !vb_uuid_parse(s, &u) && vb_uuid_eq(&u, r->u))
		r->n++;
	return 0;
}

unsigned snapshot_image_refs(struct machine *m, const struct vb_uuid *u)
{
	struct ref_count r = { u, 0 };

	snapshot_walk_all(m, count_ref, &r);
	return r.n;
}

struct replace {
	const struct vb_uuid *from, *to;
};

static int replace_ref(void *ctx, struct snode *level, struct snode *ad,
		       struct snode *img)
{
	struct replace *r = ctx;
	struct vb_uuid u;
	const char *s = snode_attr(img, "uuid");
	char ub[40];

	if (s && !vb_uuid_parse(s, &u) && vb_uuid_eq(&u, r->from))
		return snode_set_attr(img, "uuid",
				      vb_uuid_fmt_braced(r->to, ub));
	return 0;
}

int snapshot_replace_image(struct machine *m, const struct vb_uuid *from,
			   const struct vb_uuid *to)
{
	struct replace r = { from, to };

	return snapshot_walk_all(m, replace_ref, &r);
}

/* ------------------------------------------------------------------ */
/* Changing the tree                                                   */

static int copy_state(struct snode *from, struct snode *to)
{
	unsigned i;

	for (i = 0; state_elems[i]; i++) {
		struct snode *e = snode_child(from, state_elems[i]);

		if (e && !snode_copy(e, to))
			return -ENOMEM;
	}
	return 0;
}

static void drop_state(struct snode *level)
{
	unsigned i;

	for (i = 0; state_elems[i]; i++) {
		struct snode *e;

		while ((e = snode_child(level, state_elems[i])))
			snode_remove(e);
	}
}

static unsigned depth_of(struct snode *s)
{
	unsigned d = 0;

	while ((s = snapshot_parent(s)) && d < MAX_DEPTH + 1)
		d++;
	return d;
}

static int set_current(struct machine *m, struct snode *snap, time_t when,
		       bool fresh)
{
	struct snode *top = mtop(m);
	char ub[40], ts[32];
	struct vb_uuid u;
	int rc;

	if (snap) {
		if (snapshot_uuid(snap, &u))
			return -EINVAL;
		rc = snode_set_attr(top, "currentSnapshot",
				    vb_uuid_fmt_braced(&u, ub));
	} else {
		rc = snode_set_attr(top, "currentSnapshot", NULL);
	}
	if (!rc && (fresh || !snap))
		rc = snode_set_attr(top, "currentStateModified",
				    snap ? "false" : NULL);
	if (!rc && when)
		rc = snode_set_attr(top, "lastStateChange",
				    vb_time_settings(when, ts, sizeof(ts)));
	return rc;
}

struct snode *snapshot_take(struct machine *m, const struct vb_uuid *id,
			    const char *name, const char *description,
			    time_t when, struct vb_error *err)
{
	struct snode *top = mtop(m), *cur, *parent, *s;
	char ub[40], ts[32];

	if (!top) {
		vb_err(err, EINVAL, VBOX_E_INVALID_OBJECT_STATE,
		       "The machine is not accessible");
		return NULL;
	}
	cur = snapshot_current(m);
	if (!cur && snapshot_root(m)) {
		vb_err(err, EINVAL, VBOX_E_INVALID_OBJECT_STATE,
		       "The machine has snapshots but no current snapshot");
		return NULL;
	}
	if (cur && depth_of(cur) >= MAX_DEPTH) {
		vb_err(err, EINVAL, VBOX_E_INVALID_OBJECT_STATE,
		       "The snapshot tree is too deep (at most %u levels)",
		       MAX_DEPTH);
		return NULL;
	}
	if (cur) {
		parent = snode_ensure(cur, "Snapshots");
		s = parent ? snode_add(parent, "Snapshot") : NULL;
	} else {
		s = snode_ensure(top, "Snapshot");
	}
	if (!s)
		goto nomem;
	if (snode_set_attr(s, "uuid", vb_uuid_fmt_braced(id, ub)) ||
	    snode_set_attr(s, "name", name) ||
	    snode_set_attr(s, "timeStamp",
			   vb_time_settings(when, ts, sizeof(ts))) ||
	    snapshot_set_description(s, description) ||
	    copy_state(top, s) || set_current(m, s, when, true))
		goto nomem;
	return s;
nomem:
	oom(err);
	return NULL;
}

int snapshot_restore(struct machine *m, struct snode *snap, time_t when,
		     struct vb_error *err)
{
	struct snode *top = mtop(m);

	drop_state(top);
	if (copy_state(snap, top) || set_current(m, snap, when, true))
		return oom(err);
	return 0;
}

int snapshot_remove(struct machine *m, struct snode *snap,
		    struct vb_error *err)
{
	struct snode *top = mtop(m), *parent = snapshot_parent(snap);
	struct snode *cur = snapshot_current(m), *c, *next, *box;
	unsigned kids = snapshot_child_count(snap);
	bool was_current = cur == snap;

	if (!parent && kids > 1)
		return vb_err(err, EINVAL, VBOX_E_INVALID_OBJECT_STATE,
			      "Snapshot '%s' of the machine '%s' cannot be deleted, because it has %u child snapshots, which is more than the one snapshot allowed for deletion",
			      snapshot_name(snap), machine_name(m), kids);
	/* the children move up, in their order, where the snapshot was */
	for (c = snapshot_child(snap, 0); c; c = next) {
		next = snode_next(c, "Snapshot");
		if (!parent) {
			if (snode_move(c, top))
				return oom(err);
			continue;
		}
		box = snode_parent(snap);
		if (snode_move(c, box))
			return oom(err);
	}
	snode_remove(snap);
	if (parent)
		snode_prune_empty(snode_child(parent, "Snapshots"), parent);
	if (was_current)
		return set_current(m, parent, 0, false) ? oom(err) : 0;
	return 0;
}
