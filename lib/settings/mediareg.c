/*
 * Media registries (see mediareg.h and settings-format.md 6.2, 7.3).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/settings/mediareg.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"

void mediareg_entry_release(struct mediareg_entry *e)
{
	free(e->location);
	free(e->format);
	free(e->type);
	memset(e, 0, sizeof(*e));
}

const char *mediareg_list_name(enum mediareg_kind kind)
{
	return kind == MR_HDD ? "HardDisks"
	       : kind == MR_DVD ? "DVDImages" : "FloppyImages";
}

const char *mediareg_item_name(enum mediareg_kind kind)
{
	return kind == MR_HDD ? "HardDisk" : "Image";
}

static char *abs_location(const char *base_dir, const char *loc)
{
	char *slashed = path_slashes(loc), *r;

	if (!slashed)
		return NULL;
	r = path_abs_from(base_dir, slashed);
	free(slashed);
	return r;
}

int mediareg_read(struct snode *item, enum mediareg_kind kind,
		  const char *base_dir, struct mediareg_entry *out)
{
	const char *u = snode_attr(item, "uuid");
	const char *loc = snode_attr(item, "location");
	struct snode *parent = snode_parent(item);

	memset(out, 0, sizeof(*out));
	if (!u || !loc || vb_uuid_parse(u, &out->uuid))
		return -EINVAL;
	out->kind = kind;
	out->node = item;
	out->location = abs_location(base_dir, loc);
	out->format = vb_strdup(snode_attr(item, "format"));
	out->type = vb_strdup(snode_attr(item, "type"));
	if (parent && !strcmp(snode_name(parent), "HardDisk")) {
		const char *pu = snode_attr(parent, "uuid");

		if (pu && !vb_uuid_parse(pu, &out->parent))
			out->has_parent = true;
	}
	if (!out->location) {
		mediareg_entry_release(out);
		return -ENOMEM;
	}
	return 0;
}

static struct snode *lookup_in(struct snode *list, const char *item_name,
			       const struct vb_uuid *uuid,
			       const char *abs_loc, const char *base_dir)
{
	struct snode *it, *found;

	for (it = snode_child(list, item_name); it;
	     it = snode_next(it, item_name)) {
		const char *u = snode_attr(it, "uuid");
		const char *loc = snode_attr(it, "location");
		struct vb_uuid x;

		if (uuid && u && !vb_uuid_parse(u, &x) && vb_uuid_eq(&x, uuid))
			return it;
		if (abs_loc && loc) {
			char *a = abs_location(base_dir, loc);
			bool eq = a && !strcmp(a, abs_loc);

			free(a);
			if (eq)
				return it;
		}
		/* differencing children nest inside their parent */
		found = lookup_in(it, item_name, uuid, abs_loc, base_dir);
		if (found)
			return found;
	}
	return NULL;
}

struct snode *mediareg_lookup(struct snode *registry, enum mediareg_kind kind,
			      const struct vb_uuid *uuid, const char *abs_location_,
			      const char *base_dir)
{
	struct snode *list = snode_child(registry, mediareg_list_name(kind));

	if (!list)
		return NULL;
	return lookup_in(list, mediareg_item_name(kind), uuid, abs_location_,
			 base_dir);
}

static bool find_in(struct snode *reg, enum mediareg_kind kind,
		    const struct vb_uuid *uuid, const char *abs,
		    const char *base, struct mediareg_entry *out)
{
	struct snode *it = mediareg_lookup(reg, kind, uuid, abs, base);

	return it && mediareg_read(it, kind, base, out) == 0;
}

int mediareg_find(struct vbox *vb, struct machine *m, enum mediareg_kind kind,
		  const char *spec, struct mediareg_entry *out,
		  struct machine **loaded, struct vb_error *err)
{
	struct vb_uuid u, *up = NULL;
	char *abs = NULL;
	unsigned i;
	int rc = -ENOENT;

	*loaded = NULL;
	if (vb_uuid_parse(spec, &u) == 0)
		up = &u;
	else if (!(abs = path_abs(spec)))
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	if (find_in(vbox_global_node(vb, "MediaRegistry", false), kind, up,
		    abs, vbox_home(vb), out)) {
		out->owner = NULL;
		rc = 0;
		goto done;
	}
	if (m && find_in(machine_elem(m, ME_MEDIAREG, false), kind, up, abs,
			 machine_folder(m), out)) {
		out->owner = m;
		rc = 0;
		goto done;
	}
	for (i = 0; i < vbox_machine_count(vb); i++) {
		struct machine *x;
		struct vb_uuid mu;

		vbox_machine_entry_uuid(vb, i, &mu);
		if (m && vb_uuid_eq(&mu, machine_uuid(m)))
			continue;
		if (vbox_machine_open_at(vb, i, &x, NULL) || !machine_accessible(x)) {
			machine_free(x);
			continue;
		}
		if (find_in(machine_elem(x, ME_MEDIAREG, false), kind, up, abs,
			    machine_folder(x), out)) {
			out->owner = x;
			*loaded = x;
			rc = 0;
			goto done;
		}
		machine_free(x);
	}
done:
	free(abs);
	if (rc)
		vb_err(err, ENOENT, VBOX_E_OBJECT_NOT_FOUND,
		       "Could not find file for the medium '%s'", spec);
	return rc;
}

char *mediareg_location_for(const char *base_dir, const char *abs_path)
{
	const char *rel = base_dir ? path_inside(base_dir, abs_path) : NULL;

	return path_slashes(rel ? rel : abs_path);
}

struct snode *mediareg_add(struct snode *registry, enum mediareg_kind kind,
			   const struct vb_uuid *uuid, const char *location,
			   const char *format, const char *type,
			   struct snode *parent_node)
{
	struct snode *list, *it;
	char ub[40];

	if (parent_node)
		list = parent_node;
	else
		list = snode_ensure(registry, mediareg_list_name(kind));
	if (!list)
		return NULL;
	it = snode_add(list, mediareg_item_name(kind));
	if (!it || snode_set_attr(it, "uuid", vb_uuid_fmt_braced(uuid, ub)) ||
	    snode_set_attr(it, "location", location) ||
	    (format && snode_set_attr(it, "format", format)) ||
	    (type && !parent_node && snode_set_attr(it, "type", type))) {
		snode_remove(it);
		return NULL;
	}
	return it;
}

struct snode *mediareg_for_machine(struct machine *m, bool create)
{
	if (sdoc_version(machine_doc(m)) >= 11)
		return machine_elem(m, ME_MEDIAREG, create);
	return vbox_global_node(machine_vbox(m), "MediaRegistry", create);
}

/* ------------------------------------------------------------------ */
/* Enumeration                                                         */

struct walk_state {
	enum mediareg_kind kind;
	mediareg_walk_fn fn;
	void *ctx;
	struct vb_uuid *seen;
	size_t nseen, aseen;
};

static bool seen_before(struct walk_state *w, const struct vb_uuid *u)
{
	size_t i;

	for (i = 0; i < w->nseen; i++)
		if (vb_uuid_eq(&w->seen[i], u))
			return true;
	if (w->nseen == w->aseen) {
		size_t na = w->aseen ? w->aseen * 2 : 32;
		struct vb_uuid *n = realloc(w->seen, na * sizeof(*n));

		if (!n)
			return false;
		w->seen = n;
		w->aseen = na;
	}
	w->seen[w->nseen++] = *u;
	return false;
}

static int walk_items(struct walk_state *w, struct snode *list,
		      const char *base, struct machine *owner, unsigned depth)
{
	const char *item = mediareg_item_name(w->kind);
	struct snode *it;
	int rc;

	if (depth > 300)
		return 0;   /* VirtualBox's nesting limit */
	for (it = snode_child(list, item); it; it = snode_next(it, item)) {
		struct mediareg_entry e;

		if (mediareg_read(it, w->kind, base, &e))
			continue;
		e.owner = owner;
		if (!seen_before(w, &e.uuid)) {
			rc = w->fn(w->ctx, &e, depth);
			if (rc) {
				mediareg_entry_release(&e);
				return rc;
			}
		}
		mediareg_entry_release(&e);
		if (w->kind == MR_HDD) {
			rc = walk_items(w, it, base, owner, depth + 1);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int mediareg_walk(struct vbox *vb, enum mediareg_kind kind,
		  mediareg_walk_fn fn, void *ctx)
{
	struct walk_state w = { .kind = kind, .fn = fn, .ctx = ctx };
	struct snode *reg;
	unsigned i;
	int rc = 0;

	reg = vbox_global_node(vb, "MediaRegistry", false);
	if (reg)
		rc = walk_items(&w, snode_child(reg, mediareg_list_name(kind)),
				vbox_home(vb), NULL, 0);
	for (i = 0; !rc && i < vbox_machine_count(vb); i++) {
		struct machine *m;

		if (vbox_machine_open_at(vb, i, &m, NULL))
			continue;
		if (machine_accessible(m) &&
		    sdoc_version(machine_doc(m)) >= 11 &&
		    (reg = machine_elem(m, ME_MEDIAREG, false)))
			rc = walk_items(&w,
					snode_child(reg, mediareg_list_name(kind)),
					machine_folder(m), m, 0);
		machine_free(m);
	}
	free(w.seen);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Use by machines                                                     */

static bool controllers_use(struct snode *scs, const struct vb_uuid *u)
{
	struct snode *sc, *ad, *img;

	for (sc = snode_child(scs, "StorageController"); sc;
	     sc = snode_next(sc, "StorageController"))
		for (ad = snode_child(sc, "AttachedDevice"); ad;
		     ad = snode_next(ad, "AttachedDevice"))
			for (img = snode_child(ad, "Image"); img;
			     img = snode_next(img, "Image")) {
				struct vb_uuid x;

				if (!vb_uuid_parse(snode_attr(img, "uuid"), &x) &&
				    vb_uuid_eq(&x, u))
					return true;
			}
	return false;
}

bool mediareg_storage_uses(struct snode *level, const struct vb_uuid *medium)
{
	struct snode *hw = snode_child(level, "Hardware");

	if (!strcmp(snode_name(level), "StorageControllers"))
		return controllers_use(level, medium);
	return controllers_use(snode_child(level, "StorageControllers"), medium) ||
	       (hw && controllers_use(snode_child(hw, "StorageControllers"),
				      medium));
}

static int add_snap(struct mediareg_use *use, struct snode *snap)
{
	char **nn;
	struct vb_uuid *nu;
	struct vb_uuid su = { { 0 } };

	nn = realloc(use->snap_names, (use->nsnap + 1) * sizeof(*nn));
	if (!nn)
		return -ENOMEM;
	use->snap_names = nn;
	nu = realloc(use->snap_uuids, (use->nsnap + 1) * sizeof(*nu));
	if (!nu)
		return -ENOMEM;
	use->snap_uuids = nu;
	vb_uuid_parse(snode_attr(snap, "uuid"), &su);
	nn[use->nsnap] = vb_strdup(snode_attr(snap, "name") ?: "");
	nu[use->nsnap] = su;
	if (!nn[use->nsnap])
		return -ENOMEM;
	use->nsnap++;
	return 0;
}

static int scan_snapshots(struct snode *snap, const struct vb_uuid *u,
			  struct mediareg_use *use, unsigned depth)
{
	struct snode *kids, *k;
	int rc;

	if (!snap || depth > 300)
		return 0;
	if (mediareg_storage_uses(snap, u)) {
		rc = add_snap(use, snap);
		if (rc)
			return rc;
	}
	kids = snode_child(snap, "Snapshots");
	for (k = snode_child(kids, "Snapshot"); k; k = snode_next(k, "Snapshot")) {
		rc = scan_snapshots(k, u, use, depth + 1);
		if (rc)
			return rc;
	}
	return 0;
}

static void mediareg_uses_free_one(struct mediareg_use *u)
{
	unsigned j;

	free(u->vm_name);
	for (j = 0; j < u->nsnap; j++)
		free(u->snap_names[j]);
	free(u->snap_names);
	free(u->snap_uuids);
}

void mediareg_uses_free(struct mediareg_use *u, unsigned n)
{
	unsigned i;

	for (i = 0; u && i < n; i++)
		mediareg_uses_free_one(&u[i]);
	free(u);
}

int mediareg_uses(struct vbox *vb, const struct vb_uuid *medium,
		  struct mediareg_use **out, unsigned *n)
{
	struct mediareg_use *arr = NULL;
	unsigned i, cnt = 0;
	int rc = 0;

	for (i = 0; i < vbox_machine_count(vb); i++) {
		struct mediareg_use use = { 0 };
		struct machine *m;
		struct snode *mn;

		if (vbox_machine_open_at(vb, i, &m, NULL))
			continue;
		if (!machine_accessible(m)) {
			machine_free(m);
			continue;
		}
		mn = machine_elem(m, ME_MACHINE, false);
		use.in_current = mediareg_storage_uses(mn, medium);
		rc = scan_snapshots(snode_child(mn, "Snapshot"), medium, &use, 0);
		if (!rc && (use.in_current || use.nsnap)) {
			struct mediareg_use *na = realloc(arr, (cnt + 1) * sizeof(*na));

			if (na)
				arr = na;
			use.vm_name = vb_strdup(machine_name(m));
			use.vm_uuid = *machine_uuid(m);
			if (!na || !use.vm_name) {
				rc = -ENOMEM;
			} else {
				arr[cnt++] = use;
				use = (struct mediareg_use){ 0 };
			}
		}
		mediareg_uses_free_one(&use);
		machine_free(m);
		if (rc)
			break;
	}
	if (rc) {
		mediareg_uses_free(arr, cnt);
		*out = NULL;
		*n = 0;
		return rc;
	}
	*out = arr;
	*n = cnt;
	return 0;
}

unsigned mediareg_child_count(struct snode *item)
{
	return snode_count(item, "HardDisk");
}

const char *mediareg_property(struct snode *item, const char *name)
{
	struct snode *p = snode_child_with(item, "Property", "name", name);

	return p ? snode_attr(p, "value") : NULL;
}

int mediareg_set_property(struct snode *item, const char *name,
			  const char *value)
{
	struct snode *p = snode_child_with(item, "Property", "name", name);

	if (!value || !*value) {
		if (p)
			snode_remove(p);
		return 0;
	}
	if (!p) {
		p = snode_add(item, "Property");
		if (!p || snode_set_attr(p, "name", name))
			return -ENOMEM;
	}
	if (snode_set_attr(p, "value", value))
		return -ENOMEM;
	snode_sort_children(item, "Property", "name");
	return 0;
}

static int copy_into(struct snode *src, struct snode *dst, unsigned depth)
{
	struct snode *c;
	const char *name, *value;
	unsigned i;
	char *text;

	if (depth > 300)
		return -ELOOP;
	for (i = 0; (name = snode_attr_at(src, i, &value)); i++)
		if (snode_set_attr(dst, name, value))
			return -ENOMEM;
	if (!snode_child(src, NULL) && (text = snode_text(src))) {
		int rc = *text ? snode_set_text(dst, text) : 0;

		free(text);
		if (rc)
			return -ENOMEM;
	}
	for (c = snode_child(src, NULL); c; c = snode_next(c, NULL)) {
		struct snode *n = snode_add(dst, snode_name(c));
		int rc;

		if (!n)
			return -ENOMEM;
		rc = copy_into(c, n, depth + 1);
		if (rc)
			return rc;
	}
	return 0;
}

struct snode *mediareg_copy(struct snode *item, struct snode *new_parent)
{
	struct snode *n = snode_add(new_parent, snode_name(item));

	if (!n)
		return NULL;
	if (copy_into(item, n, 0)) {
		snode_remove(n);
		return NULL;
	}
	return n;
}
