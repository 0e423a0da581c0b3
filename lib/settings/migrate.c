/*
 * Moving a pre-4.0 machine to the 4.0 layout (settings-format.md section
 * 5).  A machine file older than 1.11 cannot have a media registry: the
 * media it uses are registered in VirtualBox.xml.  When a change makes the
 * file 1.11 or newer, the media the machine uses move into its own
 * <MediaRegistry> (locations relative to the machine folder when inside
 * it), the file is written at the new version (the old one kept under its
 * backup name by sdoc_save), and the entries leave the global registry.
 *
 * Whole trees move: a differencing image takes its base and siblings
 * along, as VirtualBox keeps a tree in one registry.  A tree that another
 * registered machine also uses (or might use: an inaccessible machine)
 * stays in the global registry, where every machine can see it.
 *
 * Order of writes: the machine file first, then VirtualBox.xml, so that an
 * interruption leaves the entries in both registries (harmless: lookups
 * find the global one first) and never in neither.  Lock order: the
 * machine's lock is held, the global lock is taken after it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/settings/mediareg.h"
#include "lib/settings/settings-int.h"
#include "lib/util/path.h"

struct uuid_set {
	struct vb_uuid *v;
	unsigned n, alloc;
};

static int set_add(struct uuid_set *s, const struct vb_uuid *u)
{
	unsigned i;

	for (i = 0; i < s->n; i++)
		if (vb_uuid_eq(&s->v[i], u))
			return 0;
	if (s->n == s->alloc) {
		unsigned na = s->alloc ? s->alloc * 2 : 16;
		struct vb_uuid *nv = realloc(s->v, na * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		s->v = nv;
		s->alloc = na;
	}
	s->v[s->n++] = *u;
	return 0;
}

static bool set_has(const struct uuid_set *s, const struct vb_uuid *u)
{
	unsigned i;

	for (i = 0; i < s->n; i++)
		if (vb_uuid_eq(&s->v[i], u))
			return true;
	return false;
}

/* Every medium UUID a machine tree attaches (all snapshots included). */
static int collect_attached(const struct snode *n, struct uuid_set *s)
{
	struct snode *c;

	for (c = snode_child(n, NULL); c; c = snode_next(c, NULL)) {
		if (!strcmp(snode_name(c), "AttachedDevice")) {
			const char *u = snode_attr(snode_child(c, "Image"), "uuid");
			struct vb_uuid x;

			if (u && !vb_uuid_parse(u, &x) && set_add(s, &x))
				return -ENOMEM;
			continue;
		}
		if (collect_attached(c, s))
			return -ENOMEM;
	}
	return 0;
}

/* UUIDs of a medium element and its nested children. */
static int collect_tree(const struct snode *it, struct uuid_set *s)
{
	const char *u = snode_attr(it, "uuid");
	struct vb_uuid x;
	struct snode *c;

	if (u && !vb_uuid_parse(u, &x) && set_add(s, &x))
		return -ENOMEM;
	for (c = snode_child(it, snode_name(it)); c;
	     c = snode_next(c, snode_name(it)))
		if (collect_tree(c, s))
			return -ENOMEM;
	return 0;
}

/* Does any other registered machine use a medium of this tree? */
static int used_elsewhere(struct vbox *vb, const struct vb_uuid *self,
			  const struct uuid_set *tree, bool *used)
{
	unsigned i, k;

	*used = false;
	for (i = 0; i < vbox_machine_count(vb) && !*used; i++) {
		struct uuid_set att = { 0 };
		struct machine *x;
		struct vb_uuid mu;
		int rc;

		if (vbox_machine_entry_uuid(vb, i, &mu) || vb_uuid_eq(&mu, self))
			continue;
		rc = vbox_machine_open_at(vb, i, &x, NULL);
		if (rc)
			return rc;
		if (!machine_accessible(x)) {
			*used = true;   /* cannot tell: keep it shared */
		} else if (collect_attached(sdoc_top(machine_doc(x)), &att)) {
			rc = -ENOMEM;
		} else {
			for (k = 0; k < tree->n && !*used; k++)
				if (set_has(&att, &tree->v[k]))
					*used = true;
		}
		free(att.v);
		machine_free(x);
		if (rc)
			return rc;
	}
	return 0;
}

/* Rewrite the locations of a copied tree for the machine registry. */
static int relocate(struct snode *it, const char *home, const char *folder)
{
	const char *loc = snode_attr(it, "location");
	const char *fmt = snode_attr(it, "format");
	struct snode *c;

	if (loc && !strstr(loc, "://") && !(fmt && !strcasecmp(fmt, "iSCSI"))) {
		char *sl = path_slashes(loc);
		char *abs = sl ? path_abs_from(home, sl) : NULL;
		char *rel = abs ? mediareg_location_for(folder, abs) : NULL;
		int rc = rel ? snode_set_attr(it, "location", rel) : -ENOMEM;

		free(sl);
		free(abs);
		free(rel);
		if (rc)
			return rc;
	}
	for (c = snode_child(it, snode_name(it)); c;
	     c = snode_next(c, snode_name(it)))
		if (relocate(c, home, folder))
			return -ENOMEM;
	return 0;
}

bool machine_needs_migration(struct machine *m)
{
	struct sdoc *d = machine_doc(m);
	unsigned target;

	if (!d || sdoc_is_new(d) || d->version_read >= 11)
		return false;
	target = machine_needed_version(d);
	if (d->version > target)
		target = d->version;
	return target >= 11;
}

int machine_migrate_and_save(struct machine *m, struct vb_error *err)
{
	static const enum mediareg_kind kinds[] = { MR_HDD, MR_DVD, MR_FLOPPY };
	struct vbox *vb = machine_vbox(m);
	struct sdoc *d = machine_doc(m);
	struct uuid_set att = { 0 };
	struct snode **roots = NULL, *greg, *mreg;
	enum mediareg_kind *rkind = NULL;
	unsigned i, k, nroots = 0;
	bool held;
	int rc;

	if (collect_attached(sdoc_top(d), &att)) {
		rc = vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
		goto out;
	}
	if (!att.n) {
		rc = sdoc_save(d, err);
		goto out;
	}
	held = vbox_global_locked(vb);
	rc = vbox_global_lock(vb, err);
	if (rc)
		goto out;
	greg = vbox_global_node(vb, "MediaRegistry", false);
	roots = calloc(att.n, sizeof(*roots));
	rkind = calloc(att.n, sizeof(*rkind));
	if (!roots || !rkind) {
		rc = vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
		goto unlock;
	}
	for (i = 0; i < att.n; i++) {
		struct uuid_set tree = { 0 };
		struct snode *it = NULL, *p;
		enum mediareg_kind kind = MR_HDD;
		bool used;

		for (k = 0; k < 3 && !it; k++) {
			kind = kinds[k];
			it = mediareg_lookup(greg, kind, &att.v[i], NULL, NULL);
		}
		if (!it)
			continue;
		while ((p = snode_parent(it)) && !strcmp(snode_name(p), "HardDisk"))
			it = p;
		for (p = NULL, k = 0; k < nroots; k++)
			if (roots[k] == it)
				p = it;
		if (p)
			continue;
		rc = collect_tree(it, &tree);
		if (!rc)
			rc = used_elsewhere(vb, machine_uuid(m), &tree, &used);
		free(tree.v);
		if (rc) {
			vb_err(err, -rc, VB_E_OUTOFMEMORY, "Out of memory");
			goto unlock;
		}
		if (used)
			continue;
		roots[nroots] = it;
		rkind[nroots++] = kind;
	}
	if (!nroots) {
		if (!held)
			vbox_global_unlock(vb);
		rc = sdoc_save(d, err);
		goto out;
	}
	mreg = machine_elem(m, ME_MEDIAREG, true);
	for (i = 0; i < nroots; i++) {
		struct snode *list = mreg ? snode_ensure(mreg,
					mediareg_list_name(rkind[i])) : NULL;
		struct snode *copy = list ? snode_copy(roots[i], list) : NULL;

		if (!copy || relocate(copy, vbox_home(vb), machine_folder(m))) {
			rc = vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
			goto unlock;
		}
	}
	rc = sdoc_save(d, err);
	if (rc)
		goto unlock;
	for (i = 0; i < nroots; i++) {
		struct snode *list = snode_parent(roots[i]);

		snode_remove(roots[i]);
		snode_prune_empty(list, sdoc_top(vbox_global(vb)));
	}
	if (!held)
		rc = vbox_global_commit(vb, err);
	goto out;
unlock:
	if (!held)
		vbox_global_unlock(vb);
out:
	free(att.v);
	free(roots);
	free(rkind);
	return rc;
}
