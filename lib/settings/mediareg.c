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
