/*
 * VBoxManage snapshot: take, delete, restore, restorecurrent, edit, list
 * and showvminfo, as VirtualBox 7.0's VBoxManageSnapshot.cpp, for machines
 * that no VM process runs (offline snapshots).
 *
 * Taking a snapshot gives every normal hard disk of the current state a
 * differencing image "{uuid}.<ext>" in the snapshot folder, in the format
 * of the disk (VDI, VMDK, VHD); the snapshot keeps the disks the state
 * used.  Deleting a snapshot merges each of its disks with the one
 * differencing child it has (into a base disk, or a differencing disk
 * into its child), restoring one discards the current state's own
 * differencing images and makes new ones on the snapshot's disks.
 * The current state's NVRAM file (EFI machines) is copied for a new
 * snapshot (named after the time, in the snapshot folder), copied back to
 * "<machine>.nvram" on restore and removed with the snapshot.
 * Anything created for an operation that fails is removed again; merges
 * keep every image readable with its old content at every step.
 *
 * Not done: live snapshots of running machines (--live is accepted and has
 * no effect offline), saved-state files of snapshots, "snapshot dump".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cmd/vboxmanage/appliance.h"
#include "cmd/vboxmanage/commands.h"
#include "cmd/vboxmanage/vminfo.h"
#include "lib/settings/snapshot.h"
#include "lib/util/checked.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"

#define SRC "VBoxManageSnapshot.cpp"

/* One hard disk attachment of a state and what it uses. */
struct hd_att {
	struct snode *image;        /* the <Image> element */
	struct vb_uuid uuid;
	bool normal;                /* type Normal: gets differencing images */
};

struct hd_list {
	struct hd_att *v;
	unsigned n;
	struct vbox *vb;
	struct machine *m;
	struct vb_error *err;
};

static int collect_hd(void *ctx, struct snode *level, struct snode *ad,
		      struct snode *img)
{
	struct hd_list *l = ctx;
	struct hd_att *v;
	struct mediareg_entry e;
	struct machine *loaded = NULL;
	const char *type = snode_attr(ad, "type"), *u;
	struct vb_uuid uu;
	struct snode *base;

	if (!type || strcmp(type, "HardDisk"))
		return 0;
	u = snode_attr(img, "uuid");
	if (!u || vb_uuid_parse(u, &uu))
		return 0;
	v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (!v)
		return vb_err(l->err, ENOMEM, VB_E_OUTOFMEMORY,
			      "Out of memory");
	l->v = v;
	v = &l->v[l->n++];
	v->image = img;
	v->uuid = uu;
	v->normal = true;
	if (app_hdd_find(l->vb, l->m, &uu, &e, &loaded, l->err))
		return -ENOENT;
	/* the type is stored on the base disk */
	base = e.node;
	while (base && snode_parent(base) &&
	       !strcmp(snode_name(snode_parent(base)), "HardDisk"))
		base = snode_parent(base);
	type = snode_attr(base, "type");
	if (type && strcasecmp(type, "Normal"))
		v->normal = false;
	mediareg_entry_release(&e);
	machine_free(loaded);
	return 0;
}

static int list_hds(struct vbox *vb, struct machine *m, struct snode *level,
		    struct hd_list *out, struct vb_error *err)
{
	memset(out, 0, sizeof(*out));
	out->vb = vb;
	out->m = m;
	out->err = err;
	return snapshot_walk_level(level, collect_hd, out);
}

/* Children of an image in every registry: a linked clone's differencing
 * image hangs below a snapshot's disk in the clone's registry only. */
struct kids_ctx {
	struct vb_uuid parent;
	unsigned n;
};

static int count_kid(void *ctx, const struct mediareg_entry *e,
		     unsigned depth)
{
	struct kids_ctx *k = ctx;

	(void)depth;
	if (e->has_parent && vb_uuid_eq(&e->parent, &k->parent))
		k->n++;
	return 0;
}

static unsigned all_children(struct vbox *vb, const struct vb_uuid *u)
{
	struct kids_ctx k = { *u, 0 };

	mediareg_walk(vb, MR_HDD, count_kid, &k);
	return k.n;
}

/* Registry children of an image (nested <HardDisk>s). */
static unsigned reg_children(struct machine *m, const struct vb_uuid *u,
			     struct snode **first)
{
	struct snode *n = app_reg_node(m, u);

	*first = snode_child(n, "HardDisk");
	return snode_count(n, "HardDisk");
}

static bool reg_is_diff(struct snode *n)
{
	struct snode *p = n ? snode_parent(n) : NULL;

	return p && !strcmp(snode_name(p), "HardDisk");
}

static char *reg_path(struct machine *m, struct snode *n)
{
	struct mediareg_entry e;
	char *p;

	if (mediareg_read(n, MR_HDD, machine_folder(m), &e))
		return NULL;
	p = e.location;
	e.location = NULL;
	mediareg_entry_release(&e);
	return p;
}

/* Prepare a machine for snapshot work: lock, settings that can hold a
 * media registry. */
static int lock_for_snapshots(struct machine *m, struct vb_error *err)
{
	int rc = machine_lock(m, err);

	if (rc)
		return rc;
	if (sdoc_version(machine_doc(m)) < 11 &&
	    sdoc_require_version(machine_doc(m), 11)) {
		machine_unlock(m);
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* take                                                                */

/* Give every normal hard disk of the current state a new differencing
 * image and point the state at it. */
static int diff_current_state(struct vbox *vb, struct machine *m,
			      struct app_files *created, struct vb_error *err)
{
	struct hd_list l;
	char *folder = app_snapshot_folder(m), ub[40];
	unsigned i;
	int rc;

	if (!folder)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	rc = list_hds(vb, m, sdoc_top(machine_doc(m)), &l, err);
	for (i = 0; !rc && i < l.n; i++) {
		struct vb_uuid d;

		if (!l.v[i].normal)
			continue;
		rc = app_diff_create(vb, m, &l.v[i].uuid, folder, &d, created,
				     err);
		if (!rc && snode_set_attr(l.v[i].image, "uuid",
					  vb_uuid_fmt_braced(&d, ub)))
			rc = vb_err(err, ENOMEM, VB_E_OUTOFMEMORY,
				    "Out of memory");
	}
	free(l.v);
	free(folder);
	return rc;
}

static bool name_taken(struct machine *m, const char *name)
{
	struct snode *s;
	struct vb_error e2 = { 0 };

	return !snapshot_find(m, name, &s, &e2);
}

#define UQ_NUMBER    0x1
#define UQ_TIMESTAMP 0x2
#define UQ_SPACE     0x4
#define UQ_FORCE     0x8

static int parse_unique(const char *s, unsigned *out)
{
	unsigned f = 0;

	while (*s) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);

		if (len) {
			if (!strncasecmp(s, "number", len) && len <= 6)
				f |= UQ_NUMBER;
			else if (!strncasecmp(s, "timestamp", len) && len <= 9)
				f |= UQ_TIMESTAMP;
			else if (!strncasecmp(s, "space", len) && len <= 5)
				f |= UQ_SPACE;
			else if (!strncasecmp(s, "force", len) && len <= 5)
				f |= UQ_FORCE;
			else
				return -1;
		}
		s += len + (comma ? 1 : 0);
	}
	*out = f;
	return 0;
}

static char *unique_name(struct machine *m, const char *name, unsigned f)
{
	unsigned count = (f & UQ_NUMBER) ? ((f & UQ_FORCE) ? 1 : 2) : 0;
	time_t now = time(NULL);

	if (!(f & (UQ_NUMBER | UQ_TIMESTAMP)) ||
	    (!name_taken(m, name) && !(f & UQ_FORCE)))
		return strdup(name);
	for (; count < 500; count++) {
		char suffix[32], *t;

		if (f & UQ_NUMBER) {
			snprintf(suffix, sizeof(suffix), "%u", count);
		} else {
			time_t ts = now + count;
			struct tm tm;

			gmtime_r(&ts, &tm);
			strftime(suffix, sizeof(suffix), "%Y-%m-%dT%H:%M:%SZ",
				 &tm);
		}
		t = vb_asprintf((f & UQ_SPACE) ? "%s %s" : "%s%s", name,
				suffix);
		if (!t || !name_taken(m, t))
			return t;
		free(t);
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* NVRAM files                                                         */

/* Taking: the current state's NVRAM file, when there is one, is copied
 * for the snapshot (SessionMachine::takeSnapshot). */
static int nvram_take(struct machine *m, struct snode *snap,
		      struct app_files *made, struct vb_error *err)
{
	char *cur = app_nvram_path(m, sdoc_top(machine_doc(m))), *to;
	int rc;

	if (!cur || !path_is_file(cur)) {
		free(cur);
		return 0;
	}
	to = app_nvram_snapshot_name(m);
	if (!to) {
		free(cur);
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	}
	rc = app_nvram_copy(cur, to, made, err);
	if (!rc && app_nvram_set(m, snap, to))
		rc = vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	free(cur);
	free(to);
	return rc;
}

/* Restoring: the snapshot's NVRAM file becomes the current state's (at
 * the default place).  The copy goes to *tmp first; nvram_commit()
 * moves it in once the settings are saved. */
static int nvram_restore(struct machine *m, struct snode *snap, char **tmp,
			 char **dst, struct vb_error *err)
{
	char *from = app_nvram_path(m, snap);
	int rc;

	*tmp = *dst = NULL;
	if (!from || !path_is_file(from)) {
		free(from);
		return 0;
	}
	*dst = app_nvram_default(m);
	*tmp = *dst ? vb_asprintf("%s.restore-tmp", *dst) : NULL;
	if (!*tmp) {
		free(from);
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	}
	rc = app_nvram_copy(from, *tmp, NULL, err);
	if (!rc && app_nvram_set(m, sdoc_top(machine_doc(m)), *dst))
		rc = vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	free(from);
	return rc;
}

static void nvram_commit(char *tmp, char *dst, bool ok)
{
	if (tmp) {
		if (!ok || rename(tmp, dst))
			unlink(tmp);
	}
	free(tmp);
	free(dst);
}

/* Is the file still some level's NVRAM file? */
static bool nvram_in_use(struct machine *m, const char *path)
{
	struct snode *s;
	char *p = app_nvram_path(m, sdoc_top(machine_doc(m)));
	bool used = p && !strcmp(p, path);

	free(p);
	for (s = snapshot_root(m); s && !used; s = snapshot_next(s)) {
		p = app_nvram_path(m, s);
		used = p && !strcmp(p, path);
		free(p);
	}
	return used;
}

static int do_take(struct vbm_ctx *ctx, struct machine *m, int argc,
		   char **argv)
{
	static const struct vb_option opts[] = {
		{ "--description", 'd', VBGO_STRING },
		{ "-description", 'd', VBGO_STRING },
		{ "-desc", 'd', VBGO_STRING },
		{ "--pause", 'p', VBGO_NOVAL },
		{ "--live", 'l', VBGO_NOVAL },
		{ "--uniquename", 'u', VBGO_STRING },
	};
	struct vbox *vb = vbm_vbox(ctx);
	struct app_files created = { 0 };
	struct vb_error err = { 0 };
	struct vbm_progress pr;
	struct vb_getopt g;
	struct vb_uuid id;
	struct snode *snap;
	const char *desc = "";
	char *name = NULL, ub[40];
	unsigned uflags = 0;
	int c, rc;

	if (argc < 4) {
		vbm_syntax(ctx, "Missing snapshot name");
		return VBM_FAIL;
	}
	vb_getopt_init(&g, argc, argv, 4, opts, VB_ARRAY_SIZE(opts));
	while ((c = vb_getopt_next(&g)) != VBGO_END) {
		switch (c) {
		case 'd':
			desc = g.v.str;
			break;
		case 'p':
		case 'l':
			break;
		case 'u':
			if (parse_unique(g.v.str, &uflags)) {
				vbm_error("Invalid unique name description '%s'",
					  g.v.str);
				return VBM_SYNTAX;
			}
			break;
		default:
			vbm_getopt_error(ctx, &g, c);
			return VBM_FAIL;
		}
	}
	if (app_check_offline(m, "take a snapshot",
			      "TakeSnapshot(name.raw(), desc.raw(), fPause, snapId.asOutParam(), progress.asOutParam())",
			      SRC, 369))
		return VBM_FAIL;
	if (lock_for_snapshots(m, &err))
		goto api_fail;
	name = unique_name(m, argv[3], uflags);
	if (!name) {
		machine_unlock(m);
		vbm_error("Failed to generate a unique snapshot name");
		return VBM_SYNTAX;
	}
	if (vb_uuid_generate(&id)) {
		vb_err(&err, EIO, VB_E_FAIL, "Could not generate a UUID");
		goto locked_fail;
	}
	vbm_progress_start(&pr);
	/* the snapshot keeps the state's disks; the state moves on to new
	 * differencing images */
	snap = snapshot_take(m, &id, name, desc, app_now(), &err);
	if (!snap)
		goto progress_fail;
	rc = nvram_take(m, snap, &created, &err);
	if (!rc)
		rc = diff_current_state(vb, m, &created, &err);
	if (rc)
		goto progress_fail;
	vbm_progress_update(&pr, 90);
	if (machine_save(m, &err))
		goto progress_fail;
	machine_unlock(m);
	vbm_progress_done(&pr, true);
	app_files_release(&created);
	printf("Snapshot taken. UUID: %s\n", vb_uuid_fmt(&id, ub));
	free(name);
	return VBM_OK;

progress_fail:
	vbm_progress_done(&pr, false);
	app_files_undo(&created);
	machine_unlock(m);
	free(name);
	vb_err_where(&err, "SessionMachine", "IMachine", NULL);
	return vbm_api_error_head("Failed to take snapshot", &err, NULL, SRC,
				  0);
locked_fail:
	machine_unlock(m);
api_fail:
	free(name);
	vb_err_where(&err, "SessionMachine", "IMachine", NULL);
	return vbm_api_error(&err,
			     "TakeSnapshot(name.raw(), desc.raw(), fPause, snapId.asOutParam(), progress.asOutParam())",
			     SRC, 369);
}

/* ------------------------------------------------------------------ */
/* delete                                                              */

enum merge_kind { MK_NONE, MK_DELETE, MK_DOWN, MK_UP };

struct merge_plan {
	enum merge_kind kind;
	struct vb_uuid img;         /* the snapshot's disk */
	struct vb_uuid child;       /* its one child (MK_DOWN / MK_UP) */
	char *img_path, *child_path;
	struct vb_uuid new_parent;  /* MK_UP: the disk's parent */
	struct vb_uuid new_parent_modify;
	uint64_t weight;
};

static void plans_free(struct merge_plan *p, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		free(p[i].img_path);
		free(p[i].child_path);
	}
	free(p);
}

static int plan_delete(struct vbox *vb, struct machine *m, struct snode *snap,
		       struct merge_plan **out, unsigned *n_out,
		       struct vb_error *err)
{
	struct hd_list l;
	struct merge_plan *p = NULL;
	unsigned i, n = 0;
	int rc;

	rc = list_hds(vb, m, snap, &l, err);
	if (!rc && l.n && !(p = calloc(l.n, sizeof(*p))))
		rc = vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	for (i = 0; !rc && i < l.n; i++) {
		struct merge_plan *pl = &p[n];
		struct snode *node, *child;
		unsigned kids;

		if (!l.v[i].normal)
			continue;
		pl->img = l.v[i].uuid;
		node = app_reg_node(m, &pl->img);
		if (!node) {
			rc = vb_err(err, ENOENT, VBOX_E_OBJECT_NOT_FOUND,
				    "Could not find the hard disk {%s} of the snapshot in the machine's media registry",
				    vb_uuid_fmt(&pl->img, (char[40]){ 0 }));
			break;
		}
		pl->img_path = reg_path(m, node);
		if (!pl->img_path) {
			rc = vb_err(err, ENOMEM, VB_E_OUTOFMEMORY,
				    "Out of memory");
			break;
		}
		/* still used by another state: nothing to merge */
		if (snapshot_image_refs(m, &pl->img) > 1) {
			free(pl->img_path);
			pl->img_path = NULL;
			continue;
		}
		kids = reg_children(m, &pl->img, &child);
		{
			unsigned everywhere = all_children(vb, &pl->img);

			if (everywhere > kids && everywhere == 1) {
				rc = vb_err(err, EBUSY, VB_E_FAIL,
					    "Hard disk '%s' has a child hard disk that another machine uses",
					    pl->img_path);
				break;
			}
			if (everywhere > kids)
				kids = everywhere;
		}
		if (kids > 1) {
			rc = vb_err(err, EINVAL, VB_E_FAIL,
				    "Hard disk '%s' has more than one child hard disk (%u)",
				    pl->img_path, kids);
			break;
		}
		if (!kids) {
			pl->kind = reg_is_diff(node) ? MK_DELETE : MK_NONE;
			n++;
			continue;
		}
		if (vb_uuid_parse(snode_attr(child, "uuid"), &pl->child) ||
		    !(pl->child_path = reg_path(m, child))) {
			rc = vb_err(err, EINVAL, VBOX_E_INVALID_OBJECT_STATE,
				    "Invalid media registry entry below '%s'",
				    pl->img_path);
			break;
		}
		if (reg_is_diff(node)) {
			struct snode *gp = snode_parent(node);
			struct medium *pm;
			struct media_open_opts oo = {
				.flags = MEDIA_RDONLY | MEDIA_NO_PARENT };
			char *gpath = reg_path(m, gp);

			pl->kind = MK_UP;
			if (!gpath ||
			    vb_uuid_parse(snode_attr(gp, "uuid"),
					  &pl->new_parent)) {
				free(gpath);
				rc = vb_err(err, ENOMEM, VB_E_OUTOFMEMORY,
					    "Out of memory");
				break;
			}
			rc = media_open_ex(gpath, &oo, &pm, err);
			free(gpath);
			if (rc)
				break;
			if (media_modify_uuid(pm, &pl->new_parent_modify))
				memset(&pl->new_parent_modify, 0,
				       sizeof(pl->new_parent_modify));
			media_close(pm);
		} else {
			pl->kind = MK_DOWN;
		}
		n++;
	}
	free(l.v);
	if (rc) {
		plans_free(p, l.n);
		return rc;
	}
	*out = p;
	*n_out = n;
	return 0;
}

/* Registry and references after a merge (the merged-away image's file is
 * deleted later). */
static int apply_plan(struct machine *m, struct merge_plan *pl,
		      struct app_files *gone, struct vb_error *err)
{
	struct snode *img = app_reg_node(m, &pl->img), *child, *c, *next;

	switch (pl->kind) {
	case MK_NONE:
		return 0;
	case MK_DELETE:
		if (app_files_add(gone, pl->img_path))
			goto nomem;
		snode_remove(img);
		return 0;
	case MK_DOWN:
		/* the base stands in for its child: the child's children
		 * move up, the states that used the child use the base */
		child = app_reg_node(m, &pl->child);
		for (c = snode_child(child, "HardDisk"); c; c = next) {
			next = snode_next(c, "HardDisk");
			if (snode_move(c, img))
				goto nomem;
		}
		if (app_files_add(gone, pl->child_path))
			goto nomem;
		snode_remove(child);
		return snapshot_replace_image(m, &pl->child, &pl->img) ?
			       vb_err(err, ENOMEM, VB_E_OUTOFMEMORY,
				      "Out of memory") : 0;
	case MK_UP:
		child = app_reg_node(m, &pl->child);
		if (snode_move(child, snode_parent(img)))
			goto nomem;
		if (app_files_add(gone, pl->img_path))
			goto nomem;
		snode_remove(img);
		return 0;
	}
	return 0;
nomem:
	return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
}

/* Children of the image merged down must name the base as their parent
 * in their headers too. */
static int reparent_children(struct machine *m, const struct merge_plan *pl,
			     struct vb_error *err)
{
	struct snode *child = app_reg_node(m, &pl->child), *c;
	struct medium *bm = NULL;
	struct vb_uuid bmod;
	struct media_open_opts oo = { .flags = MEDIA_RDONLY | MEDIA_NO_PARENT };
	int rc = 0;

	c = snode_child(child, "HardDisk");
	if (!c)
		return 0;
	rc = media_open_ex(pl->img_path, &oo, &bm, err);
	if (rc)
		return rc;
	if (media_modify_uuid(bm, &bmod))
		memset(&bmod, 0, sizeof(bmod));
	media_close(bm);
	for (; !rc && c; c = snode_next(c, "HardDisk")) {
		struct media_open_opts wo = {
			.flags = MEDIA_RDWR | MEDIA_NO_PARENT };
		struct medium *cm;
		char *path = reg_path(m, c);

		if (!path)
			return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY,
				      "Out of memory");
		rc = media_open_ex(path, &wo, &cm, err);
		free(path);
		if (rc)
			break;
		rc = media_set_parent_uuid(cm, &pl->img, err);
		if (!rc && media_set_parent_modify_uuid(cm, &bmod, err) == -ENOTSUP)
			vb_err_clear(err);      /* VHD keeps no such field */
		media_close(cm);
	}
	return rc;
}

static int delete_snapshot(struct vbox *vb, struct machine *m,
			   struct snode *snap, struct vbm_progress *pr,
			   struct vb_error *err)
{
	struct merge_plan *plans = NULL;
	struct app_files gone = { 0 };
	char *nv = NULL;
	unsigned n = 0, i;
	int rc;

	rc = plan_delete(vb, m, snap, &plans, &n, err);
	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		struct merge_plan *pl = &plans[i];

		if (pl->kind == MK_DOWN)
			rc = media_merge_down(pl->child_path, pl->img_path,
					      NULL, NULL, err);
		else if (pl->kind == MK_UP)
			rc = media_merge_up(pl->img_path, pl->child_path,
					    &pl->new_parent,
					    &pl->new_parent_modify, NULL,
					    NULL, err);
		if (rc)
			goto out;
		vbm_progress_update(pr, (i + 1) * 80 / n);
	}
	for (i = 0; i < n; i++) {
		if (plans[i].kind == MK_DOWN) {
			rc = reparent_children(m, &plans[i], err);
			if (rc)
				goto out;
		}
		rc = apply_plan(m, &plans[i], &gone, err);
		if (rc)
			goto out;
	}
	nv = app_nvram_path(m, snap);
	rc = snapshot_remove(m, snap, err);
	if (!rc)
		rc = machine_save(m, err);
	if (!rc) {
		app_files_undo(&gone);  /* the images merged away */
		/* and the snapshot's NVRAM copy */
		if (nv && path_is_file(nv) && !nvram_in_use(m, nv))
			unlink(nv);
	}
	free(nv);
out:
	app_files_release(&gone);
	plans_free(plans, n);
	return rc;
}

/* ------------------------------------------------------------------ */
/* restore                                                             */

struct discard {
	struct vb_uuid *v;
	unsigned n;
};

static int restore_snapshot(struct vbox *vb, struct machine *m,
			    struct snode *snap, struct vbm_progress *pr,
			    struct vb_error *err)
{
	struct app_files created = { 0 }, gone = { 0 };
	char *nv_tmp = NULL, *nv_dst = NULL;
	struct hd_list l;
	unsigned i;
	int rc;

	/* the current state's own differencing images go away */
	rc = list_hds(vb, m, sdoc_top(machine_doc(m)), &l, err);
	if (rc)
		return rc;
	rc = snapshot_restore(m, snap, app_now(), err);
	if (!rc)
		rc = nvram_restore(m, snap, &nv_tmp, &nv_dst, err);
	for (i = 0; !rc && i < l.n; i++) {
		struct snode *node = app_reg_node(m, &l.v[i].uuid), *c;
		char *path;

		if (!l.v[i].normal || !node || !reg_is_diff(node) ||
		    snapshot_image_refs(m, &l.v[i].uuid) ||
		    reg_children(m, &l.v[i].uuid, &c))
			continue;
		path = reg_path(m, node);
		if (!path || app_files_add(&gone, path))
			rc = vb_err(err, ENOMEM, VB_E_OUTOFMEMORY,
				    "Out of memory");
		free(path);
		snode_remove(node);
	}
	free(l.v);
	if (!rc) {
		vbm_progress_update(pr, 30);
		rc = diff_current_state(vb, m, &created, err);
	}
	if (!rc) {
		vbm_progress_update(pr, 80);
		rc = machine_save(m, err);
	}
	nvram_commit(nv_tmp, nv_dst, !rc);
	if (rc) {
		app_files_undo(&created);
		app_files_release(&gone);
		return rc;
	}
	app_files_release(&created);
	app_files_undo(&gone);
	return 0;
}

static int do_delete_restore(struct vbm_ctx *ctx, struct machine *m,
			     int argc, char **argv, const char *sub)
{
	struct vbox *vb = vbm_vbox(ctx);
	bool del = !strcmp(sub, "delete"), cur = !strcmp(sub, "restorecurrent");
	struct vb_error err = { 0 };
	struct vbm_progress pr;
	struct snode *snap;
	struct vb_uuid id;
	char ub[40], *name;
	int rc;

	if (cur && argc > 3) {
		vbm_syntax(ctx, "Too many arguments");
		return VBM_FAIL;
	}
	if (!cur && argc != 4) {
		vbm_syntax(ctx, "Expecting snapshot name only");
		return VBM_FAIL;
	}
	if (cur) {
		snap = snapshot_current(m);
		if (!snap) {
			printf("This machine does not have any snapshots\n");
			return VBM_FAIL;
		}
	} else if (snapshot_find(m, argv[3], &snap, &err)) {
		vb_err_where(&err, "SessionMachine", "IMachine", NULL);
		return vbm_api_error(&err,
				     "FindSnapshot(Bstr(a->argv[2]).raw(), pSnapshot.asOutParam())",
				     SRC, 425);
	}
	snapshot_uuid(snap, &id);
	name = strdup(snapshot_name(snap));
	if (!name)
		return VBM_FAIL;
	printf("%s snapshot '%s' (%s)\n", del ? "Deleting" : "Restoring",
	       name, vb_uuid_fmt(&id, ub));
	fflush(stdout);
	if (app_check_offline(m, del ? "delete a snapshot" : "restore a snapshot",
			      del ? "DeleteSnapshot(bstrSnapGuid.raw(), pProgress.asOutParam())"
				  : "RestoreSnapshot(pSnapshot, pProgress.asOutParam())",
			      SRC, del ? 442 : 448)) {
		free(name);
		return VBM_FAIL;
	}
	if (lock_for_snapshots(m, &err))
		goto fail_noprogress;
	/* the tree may have changed since it was read: find it again */
	if (snapshot_find(m, vb_uuid_fmt(&id, ub), &snap, &err)) {
		machine_unlock(m);
		goto fail_noprogress;
	}
	if (del) {
		unsigned kids = snapshot_child_count(snap);

		if (kids > 1) {
			vb_err(&err, EINVAL, VBOX_E_INVALID_OBJECT_STATE,
			       "Snapshot '%s' of the machine '%s' cannot be deleted, because it has %u child snapshots, which is more than the one snapshot allowed for deletion",
			       name, machine_name(m), kids);
			machine_unlock(m);
			goto fail_noprogress;
		}
		if (kids && snap == snapshot_current(m)) {
			vb_err(&err, EINVAL, VBOX_E_INVALID_OBJECT_STATE,
			       "Snapshot '%s' of the machine '%s' cannot be deleted, because it is the current snapshot and has one child snapshot",
			       name, machine_name(m));
			machine_unlock(m);
			goto fail_noprogress;
		}
	}
	vbm_progress_start(&pr);
	rc = del ? delete_snapshot(vb, m, snap, &pr, &err)
		 : restore_snapshot(vb, m, snap, &pr, &err);
	machine_unlock(m);
	vbm_progress_done(&pr, rc == 0);
	free(name);
	if (!rc)
		return VBM_OK;
	vb_err_where(&err, "SessionMachine", "IMachine", NULL);
	return vbm_api_error_head("Snapshot operation failed", &err, NULL, SRC,
				  0);
fail_noprogress:
	free(name);
	vb_err_where(&err, "SessionMachine", "IMachine", NULL);
	return vbm_api_error(&err,
			     del ? "DeleteSnapshot(bstrSnapGuid.raw(), pProgress.asOutParam())"
				 : "RestoreSnapshot(pSnapshot, pProgress.asOutParam())",
			     SRC, del ? 442 : 448);
}

/* ------------------------------------------------------------------ */
/* edit, list, showvminfo                                              */

static int do_edit(struct vbm_ctx *ctx, struct machine *m, int argc,
		   char **argv)
{
	static const struct vb_option opts[] = {
		{ "--current", 'c', VBGO_NOVAL },
		{ "-current", 'c', VBGO_NOVAL },
		{ "--name", 'n', VBGO_STRING },
		{ "-name", 'n', VBGO_STRING },
		{ "-newname", 'n', VBGO_STRING },
		{ "--description", 'd', VBGO_STRING },
		{ "-description", 'd', VBGO_STRING },
		{ "-desc", 'd', VBGO_STRING },
	};
	struct vb_error err = { 0 };
	struct snode *snap = NULL;
	struct vb_getopt g;
	int c, rc = VBM_OK;

	if (argc < 4) {
		vbm_syntax(ctx, "Missing snapshot name");
		return VBM_FAIL;
	}
	if (machine_lock(m, &err))
		return vbm_api_error(&err, "LockMachine(a->session, LockType_Shared)",
				     SRC, 281);
	vb_getopt_init(&g, argc, argv, 3, opts, VB_ARRAY_SIZE(opts));
	while (rc == VBM_OK && (c = vb_getopt_next(&g)) != VBGO_END) {
		switch (c) {
		case 'c':
			snap = snapshot_current(m);
			if (!snap) {
				machine_unlock(m);
				printf("This machine does not have any snapshots\n");
				return VBM_FAIL;
			}
			break;
		case 'n':
		case 'd':
			if (!snap) {
				vb_err(&err, EINVAL, VB_E_POINTER,
				       "No snapshot given before %s",
				       g.def->name);
				rc = vbm_api_error(&err, NULL, SRC, 0);
				break;
			}
			if (c == 'n' ? snapshot_set_name(snap, g.v.str)
				     : snapshot_set_description(snap,
								g.v.str)) {
				vb_err(&err, ENOMEM, VB_E_OUTOFMEMORY,
				       "Out of memory");
				rc = vbm_api_error(&err, NULL, SRC, 0);
			}
			break;
		case VBGO_NOT_OPTION:
			if (snapshot_find(m, g.v.str, &snap, &err)) {
				vb_err_where(&err, "SessionMachine", "IMachine",
					     NULL);
				rc = vbm_api_error(&err,
						   "FindSnapshot(Bstr(Value.psz).raw(), pSnapshot.asOutParam())",
						   SRC, 505);
			}
			break;
		default:
			vbm_getopt_error(ctx, &g, c);
			rc = VBM_FAIL;
		}
	}
	if (rc == VBM_OK && machine_save(m, &err))
		rc = vbm_api_error(&err, "SaveSettings()", SRC, 0);
	machine_unlock(m);
	return rc;
}

static void print_tree(struct machine *m, struct snode *s, const char *prefix,
		       bool mr, struct snode *cur)
{
	struct vb_uuid u;
	char ub[40], *desc, *np;
	unsigned i;
	struct snode *c;

	snapshot_uuid(s, &u);
	vb_uuid_fmt(&u, ub);
	desc = snapshot_description(s);
	if (mr) {
		printf("SnapshotName%s=\"%s\"\n", prefix, snapshot_name(s));
		printf("SnapshotUUID%s=\"%s\"\n", prefix, ub);
		if (desc && *desc)
			printf("SnapshotDescription%s=\"%s\"\n", prefix, desc);
		if (s == cur) {
			printf("CurrentSnapshotName=\"%s\"\n", snapshot_name(s));
			printf("CurrentSnapshotUUID=\"%s\"\n", ub);
			printf("CurrentSnapshotNode=\"SnapshotName%s\"\n",
			       prefix);
		}
	} else {
		printf("   %sName: %s (UUID: %s)%s\n", prefix, snapshot_name(s),
		       ub, s == cur ? " *" : "");
		if (desc && *desc && !strchr(desc, '\n'))
			printf("   %sDescription: %s\n", prefix, desc);
		else if (desc && *desc)
			printf("   %sDescription:\n%s\n", prefix, desc);
	}
	free(desc);
	for (i = 0; (c = snapshot_child(s, i)); i++) {
		np = mr ? vb_asprintf("%s-%u", prefix, i + 1)
			: vb_asprintf("%s   ", prefix);
		if (!np)
			return;
		print_tree(m, c, np, mr, cur);
		free(np);
	}
}

static int do_list(struct vbm_ctx *ctx, struct machine *m, int argc,
		   char **argv)
{
	static const struct vb_option opts[] = {
		{ "--details", 'D', VBGO_NOVAL },
		{ "--machinereadable", 'M', VBGO_NOVAL },
		{ "--help", 'h', VBGO_NOVAL }, { "-help", 'h', VBGO_NOVAL },
		{ "--version", 'V', VBGO_NOVAL },
		{ "-version", 'V', VBGO_NOVAL },
	};
	struct vb_getopt g;
	struct snode *root;
	bool mr = false;
	int c;

	vb_getopt_init(&g, argc, argv, 3, opts, VB_ARRAY_SIZE(opts));
	while ((c = vb_getopt_next(&g)) != VBGO_END) {
		switch (c) {
		case 'D':
			mr = false;
			break;
		case 'M':
			mr = true;
			break;
		case 'h':
		case '?':
			vbm_full_help(ctx);
			return VBM_OK;
		case 'V':
			printf("%s\n", vbm_version_string());
			return VBM_OK;
		default:
			vbm_getopt_error(ctx, &g, c);
			return VBM_FAIL;
		}
	}
	root = snapshot_root(m);
	if (!root) {
		printf("This machine does not have any snapshots\n");
		return VBM_FAIL;
	}
	print_tree(m, root, "", mr, snapshot_current(m));
	return VBM_OK;
}

static int do_showvminfo(struct vbm_ctx *ctx, struct machine *m, int argc,
			 char **argv)
{
	struct vb_error err = { 0 };
	struct machine *tmp = NULL;
	struct snode *snap;
	struct vb_uuid id;
	char *text = NULL, ub[40];
	size_t len;
	int rc;

	if (argc != 4) {
		vbm_syntax(ctx, "Expecting snapshot name only");
		return VBM_FAIL;
	}
	if (snapshot_find(m, argv[3], &snap, &err)) {
		vb_err_where(&err, "SessionMachine", "IMachine", NULL);
		return vbm_api_error(&err,
				     "FindSnapshot(Bstr(a->argv[2]).raw(), pSnapshot.asOutParam())",
				     SRC, 528);
	}
	snapshot_uuid(snap, &id);
	/* a copy of the machine whose current state is the snapshot's */
	if (sdoc_serialize(machine_doc(m), &text, &len, &err) ||
	    machine_load_mem(vbm_vbox(ctx), text, len, machine_path(m), &tmp,
			     &err) ||
	    snapshot_find(tmp, vb_uuid_fmt(&id, ub), &snap, &err) ||
	    snapshot_restore(tmp, snap, 0, &err)) {
		free(text);
		machine_free(tmp);
		return vbm_api_error(&err, NULL, SRC, 0);
	}
	free(text);
	rc = vbm_vminfo_print(ctx, tmp, VMINFO_STANDARD);
	machine_free(tmp);
	return rc;
}

/* ------------------------------------------------------------------ */

int cmd_snapshot(struct vbm_ctx *ctx, int argc, char **argv)
{
	struct machine *m;
	const char *sub;
	int rc;

	if (argc < 3)
		return vbm_syntax(ctx, "Not enough parameters");
	m = vbm_find_machine_ctx(ctx, argv[1],
			     "FindMachine(bstrMachine.raw(), pMachine.asOutParam())",
			     SRC, 275);
	if (!m)
		return VBM_FAIL;
	sub = argv[2];
	if (!strcmp(sub, "take"))
		rc = do_take(ctx, m, argc, argv);
	else if (!strcmp(sub, "delete") || !strcmp(sub, "restore") ||
		 !strcmp(sub, "restorecurrent"))
		rc = do_delete_restore(ctx, m, argc, argv, sub);
	else if (!strcmp(sub, "edit"))
		rc = do_edit(ctx, m, argc, argv);
	else if (!strcmp(sub, "showvminfo"))
		rc = do_showvminfo(ctx, m, argc, argv);
	else if (!strcmp(sub, "list"))
		rc = do_list(ctx, m, argc, argv);
	else {
		vbm_syntax(ctx, "Invalid parameter '%s'", sub);
		rc = VBM_FAIL;
	}
	machine_free(m);
	return rc;
}

const struct vbm_help help_snapshot = {
	"manage virtual machine snapshots",
	"VBoxManage\bsnapshot <uuid|vmname>\n"
	"VBoxManage\bsnapshot <uuid|vmname> take <snapshot-name> [--description=description] [--live] [--uniquename\bNumber,Timestamp,Space,Force]\n"
	"VBoxManage\bsnapshot <uuid|vmname> delete <snapshot-name>\n"
	"VBoxManage\bsnapshot <uuid|vmname> restore <snapshot-name>\n"
	"VBoxManage\bsnapshot <uuid|vmname> restorecurrent\n"
	"VBoxManage\bsnapshot <uuid|vmname> edit < snapshot-name | --current > [--description=description] [--name=new-name]\n"
	"VBoxManage\bsnapshot <uuid|vmname> list [[--details] | [--machinereadable]]\n"
	"VBoxManage\bsnapshot <uuid|vmname> showvminfo <snapshot-name>",
	"Takes, deletes, restores, renames and lists the snapshots of a\n"
	"machine that is powered off.  A snapshot keeps the machine's settings\n"
	"and its hard disks as they were; the machine continues on new\n"
	"differencing images.\n",
};
