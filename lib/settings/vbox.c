/*
 * An open VirtualBox home: VirtualBox.xml, its machine registry and the
 * machine files.  There is no VBoxSVC: every process reads the files
 * itself and serialises writers with flock(2) on one lock file per
 * settings file, kept in <home>/.vbox-locks/.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/settings/settings-int.h"
#include "lib/util/path.h"
#include "lib/util/timefmt.h"

struct mentry {
	struct vb_uuid uuid;
	char *src;              /* absolute */
};

struct vbox {
	char *home;
	char *global_path;
	struct sdoc *global;
	struct vb_lock glock;
	unsigned nmach;
	struct mentry *mach;
};

struct machine {
	struct vbox *vb;
	struct sdoc *doc;
	char *path;
	char *folder;
	char *name;
	struct vb_uuid uuid;
	bool accessible;
	bool lazy;              /* identity known, tree not read yet */
	char *access_error;
	struct vb_lock lock;
};

/* The machine's tree, read on first use (vbox_machine_open_at only reads
 * the identity).  NULL when the machine is not accessible. */
static struct sdoc *mdoc(const struct machine *cm)
{
	struct machine *m = (struct machine *)cm;
	struct vb_error e2 = { 0 };

	if (m->lazy) {
		m->lazy = false;
		if (sdoc_load(m->path, SDOC_MACHINE, &m->doc, &e2)) {
			m->accessible = false;
			free(m->access_error);
			m->access_error = strdup(e2.msg);
		}
	}
	return m->doc;
}

/* ------------------------------------------------------------------ */
/* VirtualBox.xml                                                      */

static struct sdoc *default_global(const char *path)
{
	struct sdoc *d = sdoc_new(SDOC_GLOBAL, path);
	struct snode *g, *n;
	char *mf;

	if (!d)
		return NULL;
	g = sdoc_top(d);
	if (!snode_ensure(g, "MachineRegistry"))
		goto fail;
	if (global_add_default_dhcp(g))
		goto fail;
	n = snode_ensure(g, "Updates");
	if (!n || snode_set_attr(n, "enabled", "false"))
		goto fail;
	n = snode_add(n, "Host");
	if (!n || snode_set_attr(n, "enabled", "false") ||
	    snode_set_attr(n, "channel", "1") ||
	    snode_set_attr(n, "checkFreqSec", "86400") ||
	    snode_set_attr(n, "repoUrl", "https://update.virtualbox.org") ||
	    snode_set_attr(n, "checkCount", "0"))
		goto fail;
	n = snode_ensure(g, "SystemProperties");
	mf = settings_default_machine_folder();
	if (!n || (mf && snode_set_attr(n, "defaultMachineFolder", mf)) ||
	    snode_set_attr(n, "defaultHardDiskFormat", "VDI") ||
	    snode_set_attr(n, "VRDEAuthLibrary", "VBoxAuth") ||
	    snode_set_attr(n, "webServiceAuthLibrary", "VBoxAuth") ||
	    snode_set_attr(n, "LogHistoryCount", "3") ||
	    snode_set_attr(n, "proxyMode", "0") ||
	    snode_set_attr(n, "exclusiveHwVirt", "true")) {
		free(mf);
		goto fail;
	}
	free(mf);
	if (!snode_ensure(g, "USBDeviceFilters"))
		goto fail;
	return d;
fail:
	sdoc_free(d);
	return NULL;
}

static void free_registry(struct vbox *vb)
{
	unsigned i;

	for (i = 0; i < vb->nmach; i++)
		free(vb->mach[i].src);
	free(vb->mach);
	vb->mach = NULL;
	vb->nmach = 0;
}

/* Rebuild the machine list from the MachineRegistry element. */
static int load_registry(struct vbox *vb, struct vb_error *err)
{
	struct snode *reg = vbox_global_node(vb, "MachineRegistry", false);
	struct snode *e;
	unsigned n = snode_count(reg, "MachineEntry"), k = 0;

	free_registry(vb);
	if (!n)
		return 0;
	vb->mach = calloc(n, sizeof(*vb->mach));
	if (!vb->mach)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	for (e = snode_child(reg, "MachineEntry"); e;
	     e = snode_next(e, "MachineEntry")) {
		const char *u = snode_attr(e, "uuid");
		const char *src = snode_attr(e, "src");
		char *slashed;

		if (!u || !src || vb_uuid_parse(u, &vb->mach[k].uuid))
			continue;
		slashed = path_slashes(src);
		vb->mach[k].src = slashed ? path_abs_from(vb->home, slashed)
					  : NULL;
		free(slashed);
		if (!vb->mach[k].src)
			continue;
		k++;
	}
	vb->nmach = k;
	return 0;
}

static int load_global(struct vbox *vb, struct vb_error *err)
{
	struct sdoc *d = NULL;
	int rc;

	if (path_exists(vb->global_path)) {
		rc = sdoc_load(vb->global_path, SDOC_GLOBAL, &d, err);
		if (rc)
			return rc;
	} else {
		d = default_global(vb->global_path);
		if (!d)
			return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY,
				      "Out of memory");
	}
	sdoc_free(vb->global);
	vb->global = d;
	return load_registry(vb, err);
}

int vbox_open_at(const char *home, struct vbox **out, struct vb_error *err)
{
	struct vbox *vb;
	int rc;

	*out = NULL;
	vb = calloc(1, sizeof(*vb));
	if (!vb)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	vb->glock.fd = -1;
	vb->home = path_abs(home);
	vb->global_path = vb->home ? path_join(vb->home, "VirtualBox.xml")
				   : NULL;
	if (!vb->global_path) {
		vbox_free(vb);
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	}
	rc = load_global(vb, err);
	if (rc) {
		vbox_free(vb);
		return rc;
	}
	*out = vb;
	return 0;
}

int vbox_open(struct vbox **out, struct vb_error *err)
{
	char *home;
	int rc;

	rc = settings_home(&home, err);
	if (rc)
		return rc;
	rc = vbox_open_at(home, out, err);
	free(home);
	return rc;
}

void vbox_free(struct vbox *vb)
{
	if (!vb)
		return;
	vb_lock_release(&vb->glock);
	free_registry(vb);
	sdoc_free(vb->global);
	free(vb->global_path);
	free(vb->home);
	free(vb);
}

const char *vbox_home(const struct vbox *vb)
{
	return vb->home;
}

struct sdoc *vbox_global(const struct vbox *vb)
{
	return vb->global;
}

struct snode *vbox_global_node(struct vbox *vb, const char *name, bool create)
{
	struct snode *g = sdoc_top(vb->global);

	return create ? snode_ensure(g, name) : snode_child(g, name);
}

char *vbox_machine_folder(struct vbox *vb)
{
	struct snode *sp = vbox_global_node(vb, "SystemProperties", false);
	const char *f = snode_attr(sp, "defaultMachineFolder");

	if (f && *f && strcmp(f, "Machines") && path_is_abs(f))
		return strdup(f);
	return settings_default_machine_folder();
}

char *vbox_lock_path(struct vbox *vb, const char *settings_path)
{
	char name[32];
	char *dir, *abs = path_abs(settings_path), *r;

	if (!abs)
		return NULL;
	vb_lock_name_for(abs, name, sizeof(name));
	free(abs);
	dir = path_join(vb->home, ".vbox-locks");
	if (!dir)
		return NULL;
	if (!path_is_dir(dir))
		path_mkdirs(dir, 0700);
	r = path_join(dir, name);
	free(dir);
	return r;
}

int vbox_global_lock(struct vbox *vb, struct vb_error *err)
{
	char *lp;
	int rc;

	if (vb->glock.fd >= 0)
		return 0;
	lp = vbox_lock_path(vb, vb->global_path);
	if (!lp)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	rc = vb_lock_acquire(&vb->glock, lp, 1, err);
	free(lp);
	if (rc)
		return rc;
	rc = load_global(vb, err);
	if (rc)
		vb_lock_release(&vb->glock);
	return rc;
}

int vbox_global_commit(struct vbox *vb, struct vb_error *err)
{
	int rc = sdoc_save(vb->global, err);

	if (!rc)
		rc = load_registry(vb, err);
	vb_lock_release(&vb->glock);
	return rc;
}

void vbox_global_unlock(struct vbox *vb)
{
	vb_lock_release(&vb->glock);
}

bool vbox_global_locked(const struct vbox *vb)
{
	return vb->glock.fd >= 0;
}

unsigned vbox_machine_count(struct vbox *vb)
{
	return vb->nmach;
}

const char *vbox_machine_src(struct vbox *vb, unsigned i)
{
	return i < vb->nmach ? vb->mach[i].src : NULL;
}

int vbox_machine_entry_uuid(struct vbox *vb, unsigned i, struct vb_uuid *u)
{
	if (i >= vb->nmach)
		return -ENOENT;
	*u = vb->mach[i].uuid;
	return 0;
}

/* ------------------------------------------------------------------ */
/* machines                                                            */

static void machine_read_identity(struct machine *m)
{
	struct snode *mn = sdoc_top(m->doc);
	const char *name = snode_attr(mn, "name");
	const char *u = snode_attr(mn, "uuid");

	free(m->name);
	m->name = vb_strdup(name ? name : "");
	if (u)
		vb_uuid_parse(u, &m->uuid);
}

static struct machine *machine_alloc(struct vbox *vb, const char *path)
{
	struct machine *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->vb = vb;
	m->lock.fd = -1;
	m->path = path_abs(path);
	m->folder = m->path ? path_dirname(m->path) : NULL;
	if (!m->folder) {
		machine_free(m);
		return NULL;
	}
	return m;
}

int machine_load(struct vbox *vb, const char *path, struct machine **out,
		 struct vb_error *err)
{
	struct machine *m;
	int rc;

	*out = NULL;
	m = machine_alloc(vb, path);
	if (!m)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	rc = sdoc_load(m->path, SDOC_MACHINE, &m->doc, err);
	if (rc) {
		machine_free(m);
		return rc;
	}
	m->accessible = true;
	machine_read_identity(m);
	*out = m;
	return 0;
}

int machine_load_mem(struct vbox *vb, const char *data, size_t len,
		     const char *path, struct machine **out,
		     struct vb_error *err)
{
	struct machine *m;
	int rc;

	*out = NULL;
	m = machine_alloc(vb, path);
	if (!m)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	rc = sdoc_load_mem(data, len, m->path, SDOC_MACHINE, &m->doc, err);
	if (rc) {
		machine_free(m);
		return rc;
	}
	/* not on disk yet: the first machine_save() writes it */
	m->doc->is_new = true;
	m->doc->clean_pending = false;
	m->accessible = true;
	machine_read_identity(m);
	*out = m;
	return 0;
}

int machine_create(struct vbox *vb, const char *path, const char *name,
		   const struct vb_uuid *uuid, const char *ostype,
		   struct machine **out, struct vb_error *err)
{
	struct machine *m;
	struct snode *mn;
	char ub[40], ts[32];

	*out = NULL;
	m = machine_alloc(vb, path);
	if (!m)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	m->doc = sdoc_new(SDOC_MACHINE, m->path);
	if (!m->doc)
		goto oom;
	mn = sdoc_top(m->doc);
	vb_time_settings(time(NULL), ts, sizeof(ts));
	if (snode_set_attr(mn, "uuid", vb_uuid_fmt_braced(uuid, ub)) ||
	    snode_set_attr(mn, "name", name) ||
	    snode_set_attr(mn, "OSType", ostype ? ostype : "Other") ||
	    snode_set_attr(mn, "snapshotFolder", "Snapshots") ||
	    snode_set_attr(mn, "lastStateChange", ts) ||
	    !snode_ensure(mn, "Hardware"))
		goto oom;
	m->accessible = true;
	machine_read_identity(m);
	*out = m;
	return 0;
oom:
	machine_free(m);
	return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
}

void machine_free(struct machine *m)
{
	if (!m)
		return;
	vb_lock_release(&m->lock);
	sdoc_free(m->doc);
	free(m->path);
	free(m->folder);
	free(m->name);
	free(m->access_error);
	free(m);
}

struct vbox *machine_vbox(const struct machine *m)
{
	return m->vb;
}

struct sdoc *machine_doc(const struct machine *m)
{
	return mdoc(m);
}

const char *machine_path(const struct machine *m)
{
	return m->path;
}

const char *machine_folder(const struct machine *m)
{
	return m->folder;
}

const char *machine_name(const struct machine *m)
{
	return m->name ? m->name : "";
}

const struct vb_uuid *machine_uuid(const struct machine *m)
{
	return &m->uuid;
}

bool machine_accessible(const struct machine *m)
{
	return m->accessible;
}

const char *machine_access_error(const struct machine *m)
{
	return m->access_error ? m->access_error : "";
}

void machine_refresh(struct machine *m)
{
	if (mdoc(m))
		machine_read_identity(m);
}

int machine_lock(struct machine *m, struct vb_error *err)
{
	struct sdoc *d;
	char *lp;
	int rc;

	if (m->lock.fd >= 0)
		return 0;
	lp = vbox_lock_path(m->vb, m->path);
	if (!lp)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	rc = vb_lock_acquire(&m->lock, lp, 1, err);
	free(lp);
	if (rc)
		return rc;
	m->lazy = false;
	if (m->doc && sdoc_is_new(m->doc))
		return 0;
	rc = sdoc_load(m->path, SDOC_MACHINE, &d, err);
	if (rc) {
		vb_lock_release(&m->lock);
		return rc;
	}
	sdoc_free(m->doc);
	m->doc = d;
	m->accessible = true;
	machine_read_identity(m);
	return 0;
}

int machine_save(struct machine *m, struct vb_error *err)
{
	if (!mdoc(m))
		return vb_err(err, EINVAL, VBOX_E_INVALID_OBJECT_STATE,
			      "The machine is not accessible");
	if (machine_needs_migration(m))
		return machine_migrate_and_save(m, err);
	return sdoc_save(m->doc, err);
}

void machine_unlock(struct machine *m)
{
	vb_lock_release(&m->lock);
}

/* ------------------------------------------------------------------ */
/* the registry: lookups and (un)registration                          */

int vbox_machine_open_at(struct vbox *vb, unsigned i, struct machine **out,
			 struct vb_error *err)
{
	struct vb_error e2 = { 0 };
	struct machine *m;
	int rc;

	*out = NULL;
	if (i >= vb->nmach)
		return vb_err(err, ENOENT, VBOX_E_OBJECT_NOT_FOUND,
			      "No such machine");
	{
		/* the identity is enough for most callers: read the rest of
		 * the file only when it is used (mdoc) */
		struct vb_uuid u;
		char *name;

		rc = sdoc_peek_machine(vb->mach[i].src, &name, &u, &e2);
		if (rc == 0 && vb_uuid_eq(&u, &vb->mach[i].uuid)) {
			m = machine_alloc(vb, vb->mach[i].src);
			if (!m) {
				free(name);
				return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY,
					      "Out of memory");
			}
			m->name = name;
			m->uuid = u;
			m->accessible = true;
			m->lazy = true;
			*out = m;
			return 0;
		}
		free(name);
	}
	if (rc == -ENOMEM)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	if (rc >= 0)    /* an old file, or another UUID: the full story */
		rc = machine_load(vb, vb->mach[i].src, &m, &e2);
	if (rc == 0 && !vb_uuid_eq(&m->uuid, &vb->mach[i].uuid)) {
		char a[40], b[40];

		/* Machine::i_registeredInit refuses such a machine */
		rc = vb_err(&e2, EINVAL, VB_E_FAIL,
			    "Machine UUID {%s} in '%s' doesn't match its UUID {%s} in the registry file '%s'",
			    vb_uuid_fmt(&m->uuid, a), m->path,
			    vb_uuid_fmt(&vb->mach[i].uuid, b), vb->global_path);
		machine_free(m);
	}
	if (rc == 0) {
		*out = m;
		return 0;
	}
	if (rc == -ENOMEM)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	/* inaccessible: keep the identity from the registry */
	m = machine_alloc(vb, vb->mach[i].src);
	if (!m)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	m->uuid = vb->mach[i].uuid;
	m->accessible = false;
	m->access_error = strdup(e2.msg);
	*out = m;
	return 0;
}

static int not_found_name(struct vb_error *err, const char *spec)
{
	vb_err(err, ENOENT, VBOX_E_OBJECT_NOT_FOUND,
	       "Could not find a registered machine named '%s'", spec);
	vb_err_where(err, "VirtualBoxWrap", "IVirtualBox", "nsISupports");
	return -ENOENT;
}

int vbox_find_machine(struct vbox *vb, const char *spec, struct machine **out,
		      struct vb_error *err)
{
	struct vb_uuid u;
	struct machine *m;
	unsigned i;
	char *abs;
	int rc;

	*out = NULL;
	if (vb_uuid_parse(spec, &u) == 0 && !vb_uuid_is_zero(&u)) {
		char ub[40];

		for (i = 0; i < vb->nmach; i++)
			if (vb_uuid_eq(&vb->mach[i].uuid, &u))
				return vbox_machine_open_at(vb, i, out, err);
		vb_err(err, ENOENT, VBOX_E_OBJECT_NOT_FOUND,
		       "Could not find a registered machine with UUID {%s}",
		       vb_uuid_fmt(&u, ub));
		vb_err_where(err, "VirtualBoxWrap", "IVirtualBox", "nsISupports");
		return -ENOENT;
	}
	/* A file named after the machine is the likely match: try it first,
	 * then every other registered machine. */
	for (int pass = 0; pass < 2; pass++) {
		for (i = 0; i < vb->nmach; i++) {
			const char *base = path_basename(vb->mach[i].src);
			size_t nl = strlen(spec);
			bool likely = !strncmp(base, spec, nl) &&
				      base[nl] == '.';

			if (likely != (pass == 0))
				continue;
			rc = vbox_machine_open_at(vb, i, &m, err);
			if (rc)
				return rc;
			if (m->accessible && !strcmp(machine_name(m), spec)) {
				*out = m;
				return 0;
			}
			machine_free(m);
		}
	}
	/* a settings file path */
	abs = path_abs(spec);
	if (abs) {
		for (i = 0; i < vb->nmach; i++)
			if (!strcmp(vb->mach[i].src, abs)) {
				free(abs);
				return vbox_machine_open_at(vb, i, out, err);
			}
		free(abs);
	}
	return not_found_name(err, spec);
}

int vbox_register_machine(struct vbox *vb, struct machine *m,
			  struct vb_error *err)
{
	struct snode *reg, *e;
	char ub[40];
	unsigned i;
	int rc;

	rc = vbox_global_lock(vb, err);
	if (rc)
		return rc;
	for (i = 0; i < vb->nmach; i++) {
		if (vb_uuid_eq(&vb->mach[i].uuid, &m->uuid)) {
			vbox_global_unlock(vb);
			vb_err(err, EEXIST, VB_E_INVALIDARG,
			       "Registered machine with UUID {%s} ('%s') already exists",
			       vb_uuid_fmt(&m->uuid, ub), vb->mach[i].src);
			vb_err_where(err, "VirtualBoxWrap", "IVirtualBox",
				     "nsISupports");
			return -EEXIST;
		}
	}
	reg = vbox_global_node(vb, "MachineRegistry", true);
	e = reg ? snode_add(reg, "MachineEntry") : NULL;
	if (!e || snode_set_attr(e, "uuid", vb_uuid_fmt_braced(&m->uuid, ub)) ||
	    snode_set_attr(e, "src", m->path)) {
		vbox_global_unlock(vb);
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	}
	return vbox_global_commit(vb, err);
}

int vbox_unregister_machine(struct vbox *vb, const struct vb_uuid *uuid,
			    struct vb_error *err)
{
	struct snode *reg, *e;
	int rc;

	rc = vbox_global_lock(vb, err);
	if (rc)
		return rc;
	reg = vbox_global_node(vb, "MachineRegistry", false);
	for (e = snode_child(reg, "MachineEntry"); e;
	     e = snode_next(e, "MachineEntry")) {
		struct vb_uuid u;
		const char *us = snode_attr(e, "uuid");

		if (us && !vb_uuid_parse(us, &u) && vb_uuid_eq(&u, uuid)) {
			snode_remove(e);
			return vbox_global_commit(vb, err);
		}
	}
	vbox_global_unlock(vb);
	return vb_err(err, ENOENT, VBOX_E_OBJECT_NOT_FOUND,
		      "The machine is not registered");
}

/* ------------------------------------------------------------------ */
/* extra data                                                          */

static const char *extradata_get(struct snode *ed, const char *key)
{
	struct snode *it = snode_child_with(ed, "ExtraDataItem", "name", key);

	return it ? snode_attr(it, "value") : NULL;
}

static int extradata_set(struct snode *parent, const char *key,
			 const char *value, struct vb_error *err)
{
	struct snode *ed = snode_child(parent, "ExtraData");
	struct snode *it = snode_child_with(ed, "ExtraDataItem", "name", key);

	if (!value || !*value) {
		if (it) {
			snode_remove(it);
			snode_prune_empty(ed, parent);
		}
		return 0;
	}
	if (!ed)
		ed = snode_ensure(parent, "ExtraData");
	if (!it) {
		it = ed ? snode_add(ed, "ExtraDataItem") : NULL;
		if (!it || snode_set_attr(it, "name", key))
			return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY,
				      "Out of memory");
	}
	if (snode_set_attr(it, "value", value))
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	snode_sort_children(ed, "ExtraDataItem", "name");
	return 0;
}

const char *vbox_extradata_get(struct vbox *vb, const char *key)
{
	return extradata_get(vbox_global_node(vb, "ExtraData", false), key);
}

int vbox_extradata_set(struct vbox *vb, const char *key, const char *value,
		       struct vb_error *err)
{
	return extradata_set(sdoc_top(vb->global), key, value, err);
}

const char *machine_extradata_get(struct machine *m, const char *key)
{
	if (!mdoc(m))
		return NULL;
	return extradata_get(snode_child(sdoc_top(m->doc), "ExtraData"), key);
}

int machine_extradata_set(struct machine *m, const char *key,
			  const char *value, struct vb_error *err)
{
	if (!mdoc(m))
		return vb_err(err, EINVAL, VBOX_E_INVALID_OBJECT_STATE,
			      "The machine is not accessible");
	return extradata_set(sdoc_top(m->doc), key, value, err);
}

/* ------------------------------------------------------------------ */
/* logical elements                                                    */

static struct snode *platform(struct machine *m, bool create)
{
	struct snode *mn = sdoc_top(m->doc), *p = snode_child(mn, "Platform");

	if (!p && create) {
		p = snode_add(mn, "Platform");
		if (p)
			snode_set_attr(p, "architecture", "x86");
	}
	return p;
}

static struct snode *get(struct snode *parent, const char *path, bool create)
{
	if (!parent)
		return NULL;
	return create ? snode_ensure_path(parent, path)
		      : snode_path(parent, path);
}

struct snode *machine_elem(struct machine *m, enum melem e, bool create)
{
	struct snode *mn, *hw;
	unsigned v;

	if (!mdoc(m))
		return NULL;
	v = sdoc_version(m->doc);
	mn = sdoc_top(m->doc);
	if (e == ME_MACHINE)
		return mn;
	if (e == ME_EXTRADATA)
		return get(mn, "ExtraData", create);
	if (e == ME_MEDIAREG)
		return get(mn, "MediaRegistry", create);
	hw = get(mn, "Hardware", create);
	switch (e) {
	case ME_HARDWARE:
		return hw;
	case ME_CPU:
		return v >= 20 ? get(platform(m, create), "CPU", create)
			       : get(hw, "CPU", create);
	case ME_CPU_X86:
		return v >= 20 ? get(platform(m, create), "x86/CPU", create)
			       : get(hw, "CPU", create);
	case ME_HPET:
		return v >= 20 ? get(platform(m, create), "x86/HPET", create)
			       : get(hw, "HPET", create);
	case ME_CHIPSET:
		return v >= 20 ? get(platform(m, create), "Chipset", create)
			       : get(hw, "Chipset", create);
	case ME_RTC:
		return v >= 20 ? get(platform(m, create), "RTC", create)
			       : get(hw, "RTC", create);
	case ME_IOMMU:
		return v >= 20 ? get(platform(m, create), "Iommu", create)
			       : get(hw, "Iommu", create);
	case ME_BIOS:
		return get(hw, v >= 20 ? "Firmware" : "BIOS", create);
	case ME_FIRMWARE:
		return get(hw, "Firmware", create);
	case ME_STORAGE:
		return v >= 17 ? get(hw, "StorageControllers", create)
			       : get(mn, "StorageControllers", create);
	case ME_MEMORY:
		return get(hw, "Memory", create);
	case ME_NETWORK:
		return get(hw, "Network", create);
	case ME_UART:
		return get(hw, "UART", create);
	case ME_LPT:
		return get(hw, "LPT", create);
	case ME_DISPLAY:
		return get(hw, "Display", create);
	case ME_BOOT:
		return get(hw, "Boot", create);
	case ME_VRDE:
		return get(hw, "RemoteDisplay", create);
	case ME_AUDIO:
		return get(hw, "AudioAdapter", create);
	case ME_USB:
		return get(hw, v >= 14 ? "USB" : "USBController", create);
	case ME_SHAREDFOLDERS:
		return get(hw, "SharedFolders", create);
	case ME_GUESTPROPS:
		return get(hw, "GuestProperties", create);
	case ME_IO:
		return get(hw, "IO", create);
	default:
		return NULL;
	}
}

/* ------------------------------------------------------------------ */
/* in-memory machines (tests, tools)                                   */

int machine_from_doc(struct vbox *vb, struct sdoc *doc, struct machine **out,
		     struct vb_error *err)
{
	struct machine *m;

	*out = NULL;
	m = machine_alloc(vb, sdoc_path(doc));
	if (!m)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	m->doc = doc;
	m->accessible = true;
	machine_read_identity(m);
	*out = m;
	return 0;
}
