/*
 * VBoxManage clonevm, as VirtualBox 7.0's handleCloneVM and
 * MachineImplCloneVM.cpp.
 *
 * The clone's settings are a copy of the source's (its current state or
 * the state of --snapshot) with a new UUID and name, new MAC addresses
 * (unless keepallmacs / keepnatmacs), no saved state and its own media
 * registry.
 *
 *   --mode machine (default): one state, no snapshots; every hard disk
 *       chain is copied into one new base image ("full clone").
 *   --mode machineandchildren: the snapshot given and its subtree.
 *   --mode all: every snapshot and the current state; the images keep
 *       their parent/child structure.
 *   --options link: instead of copies, differencing images on the disks of
 *       a snapshot (--snapshot is required, as VirtualBox requires it:
 *       those disks are read-only), one machine state only.
 *
 * Disk names follow VirtualBox: a disk named like the source machine gets
 * the clone's name, "{uuid}" names get the new UUID, others become
 * "<clone>-disk<N>"; keepdisknames keeps them.  Everything created is
 * removed again when the clone fails.
 *
 * NVRAM files of the cloned states are copied ("<clone>.nvram" for the
 * current state, the same names in the snapshot folder for snapshots).
 *
 * Not done: saved-state files (the source must not be running).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/vboxmanage/appliance.h"
#include "cmd/vboxmanage/commands.h"
#include "lib/settings/hwmodel.h"
#include "lib/settings/ovf.h"
#include "lib/settings/snapshot.h"
#include "lib/util/checked.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"

#define SRC "VBoxManageMisc.cpp"

enum clone_mode { CM_MACHINE, CM_CHILDREN, CM_ALL };

#define CO_KEEPALLMACS  0x01
#define CO_KEEPNATMACS  0x02
#define CO_KEEPDISKNAMES 0x04
#define CO_LINK         0x08
#define CO_KEEPHWUUIDS  0x10

static int parse_mode(const char *s, enum clone_mode *m)
{
	if (!strcasecmp(s, "machine"))
		*m = CM_MACHINE;
	else if (!strcasecmp(s, "machineandchildren"))
		*m = CM_CHILDREN;
	else if (!strcasecmp(s, "all"))
		*m = CM_ALL;
	else
		return -1;
	return 0;
}

static int parse_options(const char *s, unsigned *out)
{
	unsigned f = *out;

	while (*s) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);

		if (len) {
			if (!strncasecmp(s, "KeepAllMACs", len) && len <= 11)
				f |= CO_KEEPALLMACS;
			else if (!strncasecmp(s, "KeepNATMACs", len) && len <= 11)
				f |= CO_KEEPNATMACS;
			else if (!strncasecmp(s, "KeepDiskNames", len) &&
				 len <= 13)
				f |= CO_KEEPDISKNAMES;
			else if ((!strncasecmp(s, "Link", len) && len <= 4) ||
				 (!strncasecmp(s, "Linked", len) && len <= 6))
				f |= CO_LINK;
			else if ((!strncasecmp(s, "KeepHwUUIDs", len) &&
				  len <= 11) ||
				 (!strncasecmp(s, "KeepHwUUID", len) &&
				  len <= 10))
				f |= CO_KEEPHWUUIDS;
			else
				return -1;
		}
		s += len + (comma ? 1 : 0);
	}
	*out = f;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Settings of the clone                                               */

static int random_mac(char out[13])
{
	struct vb_uuid u;

	if (vb_uuid_generate(&u))
		return -EIO;
	snprintf(out, 13, "080027%02X%02X%02X", u.b[3], u.b[7], u.b[11]);
	return 0;
}

static int new_macs(struct snode *level, bool keep_nat)
{
	struct snode *a;
	char mac[13];

	for (a = snode_path(level, "Hardware/Network/Adapter"); a;
	     a = snode_next(a, "Adapter")) {
		if (keep_nat && snode_child(a, "NAT"))
			continue;
		if (!snode_attr(a, "MACAddress"))
			continue;
		if (random_mac(mac) || snode_set_attr(a, "MACAddress", mac))
			return -ENOMEM;
	}
	return 0;
}

static void fill_hw_uuid(struct snode *level, const char *uuid)
{
	struct snode *hw = snode_child(level, "Hardware");

	if (hw && !snode_attr(hw, "uuid"))
		snode_set_attr(hw, "uuid", uuid);
}

static void clear_hw_uuid(struct snode *level)
{
	struct snode *hw = snode_child(level, "Hardware");

	if (hw)
		snode_set_attr(hw, "uuid", NULL);
}

/* Keep snap's subtree as the whole tree (mode machineandchildren). */
static int keep_subtree(struct machine *t, struct snode *snap)
{
	struct snode *top = sdoc_top(machine_doc(t)), *root, *cur;
	bool cur_inside = false;

	cur = snapshot_current(t);
	for (; cur; cur = snapshot_parent(cur))
		if (cur == snap)
			cur_inside = true;
	root = snapshot_root(t);
	if (root != snap) {
		if (snode_move(snap, top))
			return -ENOMEM;
		snode_remove(root);
	}
	if (!cur_inside) {
		struct vb_error e2 = { 0 };

		return snapshot_restore(t, snap, 0, &e2);
	}
	return 0;
}

static int build_settings(struct vbox *vb, struct machine *src,
			  struct snode *src_snap, const char *path,
			  const char *name, const struct vb_uuid *uuid,
			  const char *groups, enum clone_mode mode,
			  unsigned opts, struct machine **out,
			  struct vb_error *err)
{
	struct machine *t = NULL;
	struct snode *top, *s, *snap = NULL, *reg;
	struct vb_uuid sid;
	char *text = NULL, ub[40], src_uuid[40];
	const char *sf;
	size_t len;
	int rc;

	rc = sdoc_serialize(machine_doc(src), &text, &len, err);
	if (rc)
		return rc;
	rc = machine_load_mem(vb, text, len, path, &t, err);
	free(text);
	if (rc)
		return rc;
	top = sdoc_top(machine_doc(t));
	vb_uuid_fmt_braced(machine_uuid(src), src_uuid);
	if (src_snap) {
		snapshot_uuid(src_snap, &sid);
		rc = snapshot_find(t, vb_uuid_fmt(&sid, ub), &snap, err);
		if (rc)
			goto fail;
	}
	/* the hardware UUID the guest sees: the source's (given or the
	 * source's machine UUID) with keephwuuids, else the clone's own */
	if (opts & CO_KEEPHWUUIDS) {
		fill_hw_uuid(top, src_uuid);
		for (s = snapshot_root(t); s; s = snapshot_next(s))
			fill_hw_uuid(s, src_uuid);
	} else {
		clear_hw_uuid(top);
		for (s = snapshot_root(t); s; s = snapshot_next(s))
			clear_hw_uuid(s);
	}
	if (mode == CM_MACHINE) {
		if (snap && snapshot_restore(t, snap, 0, err))
			goto nomem;
		while ((s = snapshot_root(t)))
			snode_remove(s);
		if (snode_set_attr(top, "currentSnapshot", NULL))
			goto nomem;
	} else if (mode == CM_CHILDREN && snap) {
		if (keep_subtree(t, snap))
			goto nomem;
	}
	/* the clone starts with its state as its own, unmodified (all
	 * states: as the source's) */
	if ((mode != CM_ALL &&
	     snode_set_attr(top, "currentStateModified",
			    snapshot_root(t) ? "false" : NULL)) ||
	    snode_set_attr(top, "uuid", vb_uuid_fmt_braced(uuid, ub)) ||
	    snode_set_attr(top, "name", name) ||
	    snode_set_attr(top, "stateFile", NULL) ||
	    snode_set_attr(top, "aborted", NULL))
		goto nomem;
	sf = snode_attr(top, "snapshotFolder");
	if (sf && path_is_abs(sf) &&
	    snode_set_attr(top, "snapshotFolder", "Snapshots"))
		goto nomem;
	if (!(opts & CO_KEEPALLMACS)) {
		bool nat = opts & CO_KEEPNATMACS;

		if (new_macs(top, nat))
			goto nomem;
		for (s = snapshot_root(t); s; s = snapshot_next(s))
			if (new_macs(s, nat))
				goto nomem;
	}
	reg = snode_child(top, "MediaRegistry");
	if (reg)
		snode_remove(reg);
	if (groups && hwm_set_groups(t, groups, NULL, NULL, err)) {
		rc = -EINVAL;
		goto fail;
	}
	if (sdoc_require_version(machine_doc(t), SV_MACHINE_NEW))
		goto nomem;
	machine_refresh(t);
	*out = t;
	return 0;
nomem:
	rc = vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
fail:
	machine_free(t);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Media                                                               */

struct img {
	struct vb_uuid src;
	struct vb_uuid dst;
	struct vb_uuid parent;      /* source parent (if has_parent) */
	bool has_parent;
	bool done;
	unsigned depth;
	char *src_path;
	char *format;
	char *type;
	char *base_name;            /* name of the chain's base, for naming */
	bool in_snapfolder;
};

struct clone {
	struct vbox *vb;
	struct machine *src, *t;
	unsigned opts;
	enum clone_mode mode;
	struct img *v;
	unsigned n;
	unsigned disk_no;
	char *src_snapfolder, *t_folder, *t_snapfolder;
	struct app_files *created;
	struct vbm_progress *pr;
	struct vb_error *err;
};

static struct img *img_get(struct clone *c, const struct vb_uuid *u)
{
	unsigned i;

	for (i = 0; i < c->n; i++)
		if (vb_uuid_eq(&c->v[i].src, u))
			return &c->v[i];
	return NULL;
}

static const char *leaf(const char *path)
{
	return path_basename(path);
}

/* Add u (and, for all states, its ancestors) to the images to clone. */
static int img_add(struct clone *c, const struct vb_uuid *u, bool ancestors)
{
	struct mediareg_entry e;
	struct machine *loaded = NULL;
	struct img *v, *x;
	int rc;

	if (img_get(c, u))
		return 0;
	rc = app_hdd_find(c->vb, c->src, u, &e, &loaded, c->err);
	if (rc)
		return rc;
	v = realloc(c->v, (c->n + 1) * sizeof(*v));
	if (!v) {
		rc = vb_err(c->err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
		goto out;
	}
	c->v = v;
	x = &v[c->n++];
	memset(x, 0, sizeof(*x));
	x->src = e.uuid;
	x->has_parent = e.has_parent;
	x->parent = e.parent;
	x->src_path = strdup(e.location);
	x->format = strdup(e.format ? e.format : "VDI");
	x->type = vb_strdup(e.type);
	x->in_snapfolder = c->src_snapfolder &&
			   path_inside(c->src_snapfolder, e.location);
	if (!x->src_path || !x->format) {
		rc = vb_err(c->err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
		goto out;
	}
	if (ancestors && e.has_parent) {
		struct vb_uuid p = e.parent;

		mediareg_entry_release(&e);
		machine_free(loaded);
		return img_add(c, &p, true);
	}
out:
	mediareg_entry_release(&e);
	machine_free(loaded);
	return rc;
}

static int collect(void *ctx, struct snode *level, struct snode *ad,
		   struct snode *image)
{
	struct clone *c = ctx;
	const char *type = snode_attr(ad, "type"), *u = snode_attr(image,
								  "uuid");
	struct vb_uuid uu;

	if (!type || strcmp(type, "HardDisk") || !u || vb_uuid_parse(u, &uu))
		return 0;
	return img_add(c, &uu, c->mode == CM_ALL);
}

/* The name of the base of a chain (for naming a flattened copy). */
static char *base_name_of(struct clone *c, const struct vb_uuid *u)
{
	struct mediareg_entry e;
	struct machine *loaded = NULL;
	struct vb_uuid cur = *u;
	char *name = NULL;
	unsigned guard = 0;

	while (!app_hdd_find(c->vb, c->src, &cur, &e, &loaded, NULL) &&
	       guard++ < 300) {
		bool more = e.has_parent;

		free(name);
		name = strdup(leaf(e.location));
		cur = e.parent;
		mediareg_entry_release(&e);
		machine_free(loaded);
		loaded = NULL;
		if (!more)
			break;
	}
	return name;
}

static char *target_name(struct clone *c, struct img *x, const char *src_name)
{
	const char *ext = path_ext(leaf(x->src_path));
	const char *test_src = x->base_name ? x->base_name : src_name;
	const char *vm_old = machine_name(c->src);
	char *stem, ub[40];
	size_t sl;

	if (!ext)
		ext = "";
	if (c->opts & CO_KEEPDISKNAMES)
		return strdup(src_name);
	stem = path_strip_ext(test_src);
	if (!stem)
		return NULL;
	sl = strlen(stem);
	if (!strcmp(stem, vm_old)) {
		free(stem);
		return vb_asprintf("%s%s", machine_name(c->t), ext);
	}
	if (sl > 2 && stem[0] == '{' && stem[sl - 1] == '}') {
		struct vb_uuid tmp;

		stem[sl - 1] = '\0';
		if (!vb_uuid_parse(stem + 1, &tmp) && !vb_uuid_is_zero(&tmp)) {
			free(stem);
			return vb_asprintf("{%s}%s", vb_uuid_fmt(&x->dst, ub),
					   ext);
		}
	}
	free(stem);
	return vb_asprintf("%s-disk%u%s", machine_name(c->t), ++c->disk_no,
			   ext);
}

/* Copy one image: a new base holding the whole chain's content, or a
 * differencing image on the clone of its parent holding its own blocks. */
static int clone_img(struct clone *c, struct img *x)
{
	struct app_resolver res = { c->vb, c->src };
	struct media_open_opts oo = { .flags = MEDIA_RDONLY,
				      .resolve = app_resolve, .ctx = &res };
	struct media_create_opts co = { 0 };
	struct img *parent = x->has_parent ? img_get(c, &x->parent) : NULL;
	struct medium *sm = NULL, *dm = NULL, *pm = NULL;
	struct snode *reg, *pnode = NULL;
	char *name = NULL, *path = NULL, *loc = NULL;
	const char *folder;
	int rc;

	if (parent && !parent->done) {
		rc = clone_img(c, parent);
		if (rc)
			return rc;
	}
	if (x->done)
		return 0;
	if (vb_uuid_generate(&x->dst))
		return vb_err(c->err, EIO, VB_E_FAIL,
			      "Could not generate a UUID");
	if (!parent && x->has_parent && !(x->base_name =
					  base_name_of(c, &x->src)))
		return vb_err(c->err, ENOMEM, VB_E_OUTOFMEMORY,
			      "Out of memory");
	name = target_name(c, x, leaf(x->src_path));
	folder = x->in_snapfolder &&
		 ((c->opts & CO_KEEPDISKNAMES) || !x->base_name)
			 ? c->t_snapfolder : c->t_folder;
	path = name ? vb_asprintf("%s/%s", folder, name) : NULL;
	if (!path) {
		rc = vb_err(c->err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
		goto out;
	}
	if (path_exists(path)) {
		rc = vb_err(c->err, EEXIST, VBOX_E_FILE_ERROR,
			    "Cannot create the hard disk '%s': the file exists",
			    path);
		goto out;
	}
	rc = path_mkdirs(folder, 0755);
	if (rc) {
		rc = vb_err(c->err, -rc, VBOX_E_FILE_ERROR,
			    "Could not create the folder '%s' (%s)", folder,
			    strerror(-rc));
		goto out;
	}
	if (app_files_add(c->created, folder)) {
		rc = vb_err(c->err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
		goto out;
	}
	co.format = media_format_name(x->format) ?
		    media_format_name(x->format) : "VDI";
	co.uuid = &x->dst;
	if (parent) {
		struct app_resolver tres = { c->vb, c->t };
		struct media_open_opts po = { .flags = MEDIA_RDONLY,
					      .resolve = app_resolve,
					      .ctx = &tres };
		char *ppath = NULL;

		rc = app_resolve(&tres, &parent->dst, &ppath);
		if (!rc)
			rc = media_open_ex(ppath, &po, &pm, c->err);
		free(ppath);
		if (rc)
			goto out;
		co.parent = pm;
		co.variant = MEDIA_VARIANT_DIFF;
		rc = media_create(path, &co, &dm, c->err);
		if (!rc && app_files_add(c->created, path))
			rc = vb_err(c->err, ENOMEM, VB_E_OUTOFMEMORY,
				    "Out of memory");
		if (!rc)
			rc = media_copy_own(x->src_path, dm, NULL, NULL,
					    c->err);
		pnode = app_reg_node(c->t, &parent->dst);
	} else {
		rc = media_open_ex(x->src_path, &oo, &sm, c->err);
		if (rc)
			goto out;
		co.size = media_size(sm);
		co.variant = media_variant(sm) & ~MEDIA_VARIANT_DIFF;
		media_clone_geometry(sm, co.size, &co.pchs, &co.lchs);
		rc = media_create(path, &co, &dm, c->err);
		if (!rc && app_files_add(c->created, path))
			rc = vb_err(c->err, ENOMEM, VB_E_OUTOFMEMORY,
				    "Out of memory");
		if (!rc)
			rc = media_copy(sm, dm, true, NULL, NULL, c->err);
	}
	if (rc)
		goto out;
	reg = mediareg_for_machine(c->t, true);
	loc = mediareg_location_for(machine_folder(c->t), path);
	if (!reg || !loc ||
	    !mediareg_add(reg, MR_HDD, &x->dst, loc, co.format,
			  x->type && !pnode ? x->type : "Normal", pnode)) {
		rc = vb_err(c->err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
		goto out;
	}
	x->done = true;
out:
	if (dm)
		media_close(dm);
	if (sm)
		media_close(sm);
	if (pm)
		media_close(pm);
	free(name);
	free(path);
	free(loc);
	return rc;
}

/* Linked clone: differencing images on the source state's disks. */
static int link_disks(struct clone *c)
{
	unsigned i;
	int rc = 0;

	for (i = 0; !rc && i < c->n; i++) {
		struct img *x = &c->v[i];

		/* the snapshot's chain goes into the clone's registry, a
		 * differencing image of the clone's own on top of it */
		if (!app_reg_import_chain(c->vb, c->t, &x->src, c->err))
			return -ENOENT;
		rc = app_diff_create(c->vb, c->t, &x->src, c->t_snapfolder,
				     &x->dst, c->created, c->err);
		x->done = !rc;
	}
	return rc;
}

/* After copying: states whose disk a snapshot also uses get their own
 * differencing image (the state of a machineandchildren clone). */
struct shared_ctx {
	struct clone *c;
	int rc;
};

static int current_needs_diff(void *ctx, struct snode *level,
			      struct snode *ad, struct snode *image)
{
	struct shared_ctx *s = ctx;
	struct clone *c = s->c;
	const char *type = snode_attr(ad, "type"), *u = snode_attr(image,
								  "uuid");
	struct vb_uuid uu, d;
	char ub[40];

	if (!type || strcmp(type, "HardDisk") || !u || vb_uuid_parse(u, &uu))
		return 0;
	if (snapshot_image_refs(c->t, &uu) < 2)
		return 0;
	s->rc = app_diff_create(c->vb, c->t, &uu, c->t_snapfolder, &d,
				c->created, c->err);
	if (s->rc)
		return s->rc;
	return snode_set_attr(image, "uuid", vb_uuid_fmt_braced(&d, ub));
}

static int copy_removable(void *ctx, struct snode *level, struct snode *ad,
			  struct snode *image)
{
	struct clone *c = ctx;
	const char *type = snode_attr(ad, "type"), *u = snode_attr(image,
								  "uuid");
	enum mediareg_kind k;
	struct mediareg_entry e;
	struct machine *loaded = NULL;
	struct snode *reg;
	char *loc;

	if (!type || !u || !strcmp(type, "HardDisk"))
		return 0;
	k = !strcmp(type, "DVD") ? MR_DVD : MR_FLOPPY;
	reg = mediareg_for_machine(c->t, true);
	if (!reg)
		return -ENOMEM;
	if (mediareg_find(c->vb, c->src, k, u, &e, &loaded, NULL))
		return 0;       /* a host drive or an unknown image */
	if (!mediareg_lookup(reg, k, &e.uuid, NULL, machine_folder(c->t))) {
		loc = mediareg_location_for(machine_folder(c->t), e.location);
		if (!loc || !mediareg_add(reg, k, &e.uuid, loc, e.format, NULL,
					  NULL)) {
			free(loc);
			mediareg_entry_release(&e);
			machine_free(loaded);
			return -ENOMEM;
		}
		free(loc);
	}
	mediareg_entry_release(&e);
	machine_free(loaded);
	return 0;
}

static int clone_media(struct clone *c)
{
	struct shared_ctx sc = { c, 0 };
	unsigned i;
	int rc;

	rc = snapshot_walk_all(c->t, collect, c);
	if (rc)
		return rc;
	if (c->opts & CO_LINK) {
		rc = link_disks(c);
	} else {
		for (i = 0; !rc && i < c->n; i++) {
			rc = clone_img(c, &c->v[i]);
			vbm_progress_update(c->pr, 5 + (i + 1) * 85 / c->n);
		}
	}
	for (i = 0; !rc && i < c->n; i++)
		if (!vb_uuid_eq(&c->v[i].src, &c->v[i].dst) &&
		    snapshot_replace_image(c->t, &c->v[i].src, &c->v[i].dst))
			rc = vb_err(c->err, ENOMEM, VB_E_OUTOFMEMORY,
				    "Out of memory");
	if (!rc && snapshot_root(c->t)) {
		rc = snapshot_walk_level(sdoc_top(machine_doc(c->t)),
					 current_needs_diff, &sc);
		if (sc.rc)
			rc = sc.rc;
		else if (rc)
			rc = vb_err(c->err, ENOMEM, VB_E_OUTOFMEMORY,
				    "Out of memory");
	}
	if (!rc && snapshot_walk_all(c->t, copy_removable, c))
		rc = vb_err(c->err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	return rc;
}

static void clone_release(struct clone *c)
{
	unsigned i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].src_path);
		free(c->v[i].format);
		free(c->v[i].type);
		free(c->v[i].base_name);
	}
	free(c->v);
	free(c->src_snapfolder);
	free(c->t_folder);
	free(c->t_snapfolder);
}

/* ------------------------------------------------------------------ */

enum { O_SNAPSHOT = 's', O_NAME = 'n', O_GROUPS = 'g', O_MODE = 'm',
       O_OPTIONS = 'o', O_REGISTER = 'r', O_BASEFOLDER = 'p', O_UUID = 'u' };

static const struct vb_option clone_opts[] = {
	{ "--snapshot", O_SNAPSHOT, VBGO_STRING },
	{ "--name", O_NAME, VBGO_STRING },
	{ "--groups", O_GROUPS, VBGO_STRING },
	{ "--mode", O_MODE, VBGO_STRING },
	{ "--options", O_OPTIONS, VBGO_STRING },
	{ "--register", O_REGISTER, VBGO_NOVAL },
	{ "--basefolder", O_BASEFOLDER, VBGO_STRING },
	{ "--uuid", O_UUID, VBGO_UUID },
};

/* ------------------------------------------------------------------ */
/* NVRAM files                                                         */

/* One level's NVRAM file: copied from the source level's, or the path
 * dropped when the source has no file (it would name a file of the
 * source's folder). */
static int nvram_level(struct clone *c, struct snode *src_level,
		       struct snode *t_level, const char *to)
{
	char *from = src_level ? app_nvram_path(c->src, src_level) : NULL;
	struct snode *bios;
	int rc = 0;

	if (from && path_is_file(from)) {
		rc = app_nvram_copy(from, to, c->created, c->err);
		if (!rc && app_nvram_set(c->t, t_level, to))
			rc = vb_err(c->err, ENOMEM, VB_E_OUTOFMEMORY,
				    "Out of memory");
	} else {
		bios = snode_child(snode_child(t_level, "Hardware"), "BIOS");
		snode_remove(snode_child(bios, "NVRAM"));
	}
	free(from);
	return rc;
}

/* MachineCloneVM copies the NVRAM file of every state it clones: the
 * clone's current state gets "<clone>.nvram", its snapshots keep their
 * file names in the clone's snapshot folder.  state_src is the source
 * level the clone's current state was made from. */
static int clone_nvram(struct clone *c, struct snode *state_src)
{
	struct snode *top = sdoc_top(machine_doc(c->t)), *s;
	char *to = app_nvram_default(c->t);
	int rc;

	if (!to)
		return vb_err(c->err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	rc = nvram_level(c, state_src, top, to);
	free(to);
	for (s = snapshot_root(c->t); !rc && s; s = snapshot_next(s)) {
		struct snode *ss = NULL;
		struct vb_uuid u;
		struct vb_error e2 = { 0 };
		char ub[40], *from;

		if (snapshot_uuid(s, &u) ||
		    snapshot_find(c->src, vb_uuid_fmt(&u, ub), &ss, &e2))
			ss = NULL;
		from = ss ? app_nvram_path(c->src, ss) : NULL;
		to = from ? vb_asprintf("%s/%s", c->t_snapfolder,
					path_basename(from)) : NULL;
		if (from && !to)
			rc = vb_err(c->err, ENOMEM, VB_E_OUTOFMEMORY,
				    "Out of memory");
		else
			rc = nvram_level(c, to ? ss : NULL, s, to);
		free(from);
		free(to);
	}
	return rc;
}

int cmd_clonevm(struct vbm_ctx *ctx, int argc, char **argv)
{
	const char *src_name = NULL, *snap_name = NULL, *name = NULL;
	const char *groups = NULL, *base = NULL;
	enum clone_mode mode = CM_MACHINE;
	unsigned opts = 0;
	bool reg = false, have_uuid = false;
	struct vb_error err = { 0 };
	struct app_files created = { 0 };
	struct vbm_progress pr;
	struct vb_getopt g;
	struct vb_uuid uuid;
	struct machine *src = NULL, *t = NULL;
	struct snode *snap = NULL, *state_src;
	struct clone c;
	struct vbox *vb;
	char *dflt = NULL, *path = NULL, *folder = NULL, *group1 = NULL;
	int ch, rc = VBM_FAIL;

	vb_getopt_init(&g, argc, argv, 1, clone_opts,
		       VB_ARRAY_SIZE(clone_opts));
	while ((ch = vb_getopt_next(&g)) != VBGO_END) {
		switch (ch) {
		case O_SNAPSHOT: snap_name = g.v.str; break;
		case O_NAME: name = g.v.str; break;
		case O_GROUPS: groups = g.v.str; break;
		case O_BASEFOLDER: base = g.v.str; break;
		case O_MODE:
			if (parse_mode(g.v.str, &mode)) {
				vbm_error("Invalid clone mode '%s'", g.v.str);
				return VBM_SYNTAX;
			}
			break;
		case O_OPTIONS:
			if (parse_options(g.v.str, &opts)) {
				vbm_error("Invalid clone options '%s'", g.v.str);
				return VBM_SYNTAX;
			}
			break;
		case O_UUID: uuid = g.v.uuid; have_uuid = true; break;
		case O_REGISTER: reg = true; break;
		case VBGO_NOT_OPTION:
			if (src_name)
				return vbm_syntax(ctx, "Invalid parameter '%s'",
						  g.v.str);
			src_name = g.v.str;
			break;
		default:
			return vbm_getopt_error(ctx, &g, ch);
		}
	}
	if (!src_name)
		return vbm_syntax(ctx, "VM name required");
	vb = vbm_vbox(ctx);
	if (!vb)
		return VBM_FAIL;
	src = vbm_find_machine_ctx(ctx, src_name,
			       "FindMachine(Bstr(pszSrcName).raw(), srcMachine.asOutParam())",
			       SRC, 678);
	if (!src)
		return VBM_FAIL;
	if (snap_name && snapshot_find(src, snap_name, &snap, &err)) {
		vb_err_where(&err, "MachineWrap", "IMachine", NULL);
		rc = vbm_api_error(&err,
				   "FindSnapshot(Bstr(pszSnapshotName).raw(), srcSnapshot.asOutParam())",
				   SRC, 688);
		goto out;
	}
	/* Machine::cloneTo's checks: a linked clone needs read-only disks
	 * to build on, i.e. a snapshot, and is one machine state */
	if ((opts & CO_LINK) && (!snap || mode != CM_MACHINE)) {
		vb_err(&err, EINVAL, VB_E_INVALIDARG, "%s",
		       !snap ? "Linked clone can only be created from a snapshot"
			     : "Linked clone can only be created for a single machine state");
		vb_err_where(&err, "MachineWrap", "IMachine", "nsISupports");
		rc = vbm_api_error(&err,
				   "CloneTo(trgMachine, mode, ComSafeArrayAsInParam(options), progress.asOutParam())",
				   SRC, 728);
		goto out;
	}
	if (mode == CM_ALL)
		snap = NULL;
	if (!name)
		name = dflt = vb_asprintf("%s Clone", src_name);
	if (groups) {
		const char *comma = strchr(groups, ',');

		group1 = comma ? strndup(groups, (size_t)(comma - groups))
			       : strdup(groups);
	}
	if (!have_uuid && vb_uuid_generate(&uuid))
		goto out;
	path = name ? ovf_compose_machine_filename(vb, name, group1, base)
		    : NULL;
	folder = path ? path_dirname(path) : NULL;
	if (!folder)
		goto out;
	if (path_exists(path)) {
		vb_err(&err, EEXIST, VBOX_E_FILE_ERROR,
		       "Machine settings file '%s' already exists", path);
		vb_err_where(&err, "VirtualBoxWrap", "IVirtualBox", NULL);
		rc = vbm_api_error(&err,
				   "CreateMachine(bstrSettingsFile.raw(), Bstr(pszTrgName).raw(), ComSafeArrayAsInParam(groups), NULL, createFlags.raw(), NULL, NULL, NULL, trgMachine.asOutParam())",
				   SRC, 717);
		goto out;
	}
	if (!snap && app_check_offline(src, "clone the current state",
				       "CloneTo(trgMachine, mode, ComSafeArrayAsInParam(options), progress.asOutParam())",
				       SRC, 728))
		goto out;

	/* the source level the clone's current state comes from */
	state_src = sdoc_top(machine_doc(src));
	if (snap && mode == CM_MACHINE) {
		state_src = snap;
	} else if (snap && mode == CM_CHILDREN) {
		struct snode *cur = snapshot_current(src);

		while (cur && cur != snap)
			cur = snapshot_parent(cur);
		if (!cur)
			state_src = snap;
	}
	vbm_progress_start(&pr);
	rc = build_settings(vb, src, snap, path, name, &uuid, groups, mode,
			    opts, &t, &err);
	if (rc)
		goto progress_fail;
	memset(&c, 0, sizeof(c));
	c.vb = vb;
	c.src = src;
	c.t = t;
	c.opts = opts;
	c.mode = mode;
	c.created = &created;
	c.pr = &pr;
	c.err = &err;
	c.src_snapfolder = app_snapshot_folder(src);
	c.t_folder = strdup(folder);
	c.t_snapfolder = app_snapshot_folder(t);
	if (!path_exists(folder)) {
		rc = path_mkdirs(folder, 0755);
		if (rc || app_files_add(&created, folder)) {
			vb_err(&err, rc ? -rc : ENOMEM, VBOX_E_FILE_ERROR,
			       "Could not create the folder '%s'", folder);
			clone_release(&c);
			goto progress_fail;
		}
	}
	if (!c.src_snapfolder || !c.t_folder || !c.t_snapfolder) {
		vb_err(&err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
		clone_release(&c);
		goto progress_fail;
	}
	rc = clone_media(&c);
	if (!rc)
		rc = clone_nvram(&c, state_src);
	clone_release(&c);
	if (rc)
		goto progress_fail;
	if (machine_lock(t, &err) || machine_save(t, &err)) {
		machine_unlock(t);
		goto progress_fail;
	}
	machine_unlock(t);
	app_files_add(&created, path);
	vbm_progress_done(&pr, true);
	if (reg && vbox_register_machine(vb, t, &err)) {
		app_files_undo(&created);
		rc = vbm_api_error(&err, "RegisterMachine(trgMachine)", SRC,
				   740);
		goto out;
	}
	app_files_release(&created);
	printf("Machine has been successfully cloned as \"%s\"\n", name);
	rc = VBM_OK;
	goto out;
progress_fail:
	vbm_progress_done(&pr, false);
	app_files_undo(&created);
	vb_err_where(&err, "SessionMachine", "IMachine", NULL);
	rc = vbm_api_error_head("Clone VM failed", &err, NULL, SRC, 0);
out:
	machine_free(t);
	machine_free(src);
	free(dflt);
	free(path);
	free(folder);
	free(group1);
	return rc;
}

const struct vbm_help help_clonevm = {
	"create a clone of an existing virtual machine",
	"VBoxManage\bclonevm <vmname|uuid> [--basefolder=basefolder] [--groups=group,...] [--mode=machine | --mode=machinechildren | --mode=all] [--name=name] [--options=option,...] [--register] [--snapshot=snapshot-name] [--uuid=uuid]",
	"Creates a new machine with the settings and the disks of an existing\n"
	"one (or of one of its snapshots).  Full clones copy the disks; linked\n"
	"clones (--options link) get differencing images on the source's\n"
	"snapshot disks.\n",
};
