/*
 * Helpers shared by import, export, clonevm and snapshot (appliance.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cmd/vboxmanage/appliance.h"
#include "lib/settings/state.h"
#include "lib/util/fileio.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"

int app_check_offline(struct machine *m, const char *what,
		      const char *context, const char *file, int line)
{
	struct vm_state_info si = { 0 };
	struct vb_error err = { 0 };
	enum vm_state st;

	if (!machine_accessible(m)) {
		vb_err(&err, EINVAL, VBOX_E_INVALID_OBJECT_STATE,
		       "The machine '%s' is inaccessible: %s",
		       machine_name(m), machine_access_error(m));
		vb_err_where(&err, "MachineWrap", "IMachine", NULL);
		return vbm_api_error(&err, context, file, line);
	}
	if (machine_state_get(m, &si))
		return vbm_api_error(&err, context, file, line);
	st = si.state;
	vm_state_info_release(&si);
	if (st == VMS_POWEROFF || st == VMS_ABORTED)
		return VBM_OK;
	vb_err(&err, EBUSY, VBOX_E_INVALID_VM_STATE,
	       "Cannot %s of the machine '%s' in its current state (machine state: %s); this implementation handles powered-off machines only",
	       what, machine_name(m), vm_state_api_name(st));
	vb_err_where(&err, "SessionMachine", "IMachine", NULL);
	return vbm_api_error(&err, context, file, line);
}

/* ------------------------------------------------------------------ */
/* Created files                                                       */

int app_files_add(struct app_files *f, const char *path)
{
	char **v;

	if (f->n == f->cap) {
		unsigned cap = f->cap ? f->cap * 2 : 8;

		v = realloc(f->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		f->v = v;
		f->cap = cap;
	}
	f->v[f->n] = strdup(path);
	if (!f->v[f->n])
		return -ENOMEM;
	f->n++;
	return 0;
}

void app_files_undo(struct app_files *f)
{
	unsigned i;

	for (i = f->n; i-- > 0;) {
		struct vb_error e2 = { 0 };

		if (path_is_dir(f->v[i]))
			rmdir(f->v[i]);
		else if (media_delete(f->v[i], &e2))
			unlink(f->v[i]);
	}
	app_files_release(f);
}

void app_files_release(struct app_files *f)
{
	unsigned i;

	for (i = 0; i < f->n; i++)
		free(f->v[i]);
	free(f->v);
	memset(f, 0, sizeof(*f));
}

/* ------------------------------------------------------------------ */
/* Registry                                                            */

int app_hdd_find(struct vbox *vb, struct machine *m, const struct vb_uuid *u,
		 struct mediareg_entry *out, struct machine **loaded,
		 struct vb_error *err)
{
	char ub[40];

	return mediareg_find(vb, m, MR_HDD, vb_uuid_fmt(u, ub), out, loaded,
			     err);
}

int app_resolve(void *ctx, const struct vb_uuid *u, char **path)
{
	struct app_resolver *r = ctx;
	struct mediareg_entry e;
	struct machine *loaded = NULL;
	int rc;

	rc = app_hdd_find(r->vb, r->m, u, &e, &loaded, NULL);
	if (rc)
		return rc;
	*path = strdup(e.location);
	mediareg_entry_release(&e);
	machine_free(loaded);
	return *path ? 0 : -ENOMEM;
}

struct snode *app_reg_node(struct machine *m, const struct vb_uuid *u)
{
	struct snode *reg = mediareg_for_machine(m, false);

	if (!reg || sdoc_version(machine_doc(m)) < 11)
		return NULL;
	return mediareg_lookup(reg, MR_HDD, u, NULL, machine_folder(m));
}

struct snode *app_reg_import_chain(struct vbox *vb, struct machine *m,
				   const struct vb_uuid *u,
				   struct vb_error *err)
{
	struct mediareg_entry e;
	struct machine *loaded = NULL;
	struct snode *n, *parent = NULL, *reg;
	char *loc;

	n = app_reg_node(m, u);
	if (n)
		return n;
	if (app_hdd_find(vb, m, u, &e, &loaded, err))
		return NULL;
	if (e.has_parent) {
		parent = app_reg_import_chain(vb, m, &e.parent, err);
		if (!parent)
			goto out;
	}
	reg = mediareg_for_machine(m, true);
	loc = reg ? mediareg_location_for(machine_folder(m), e.location)
		  : NULL;
	n = loc ? mediareg_add(reg, MR_HDD, &e.uuid, loc, e.format,
			       e.type ? e.type : "Normal", parent)
		: NULL;
	free(loc);
	if (!n)
		vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
out:
	mediareg_entry_release(&e);
	machine_free(loaded);
	return n;
}

const char *app_diff_format(const char *fmt)
{
	if (fmt && (!strcasecmp(fmt, "VMDK") || !strcasecmp(fmt, "VHD") ||
		    !strcasecmp(fmt, "VDI")))
		return media_format_name(fmt);
	return "VDI";
}

int app_diff_create(struct vbox *vb, struct machine *m,
		    const struct vb_uuid *parent, const char *folder,
		    struct vb_uuid *out, struct app_files *created,
		    struct vb_error *err)
{
	struct app_resolver res = { vb, m };
	struct media_open_opts oo = { .flags = MEDIA_RDONLY,
				      .resolve = app_resolve, .ctx = &res };
	struct media_create_opts co = { 0 };
	struct mediareg_entry pe;
	struct machine *loaded = NULL;
	struct medium *pm = NULL, *dm = NULL;
	struct snode *pnode, *reg;
	const char *fmt;
	char ub[40], *path = NULL, *loc = NULL;
	int rc;

	rc = app_hdd_find(vb, m, parent, &pe, &loaded, err);
	if (rc)
		return rc;
	fmt = app_diff_format(pe.format);
	if (vb_uuid_generate(out)) {
		rc = vb_err(err, EIO, VB_E_FAIL, "Could not generate a UUID");
		goto out;
	}
	path = vb_asprintf("%s/{%s}.%s", folder, vb_uuid_fmt(out, ub),
			   media_format_ext(fmt));
	if (!path) {
		rc = vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
		goto out;
	}
	rc = path_mkdirs(folder, 0755);
	if (rc) {
		rc = vb_err(err, -rc, VBOX_E_FILE_ERROR,
			    "Could not create the folder '%s' (%s)", folder,
			    strerror(-rc));
		goto out;
	}
	rc = media_open_ex(pe.location, &oo, &pm, err);
	if (rc)
		goto out;
	co.format = fmt;
	co.variant = MEDIA_VARIANT_DIFF;
	co.uuid = out;
	co.parent = pm;
	rc = media_create(path, &co, &dm, err);
	if (rc)
		goto out;
	media_close(dm);
	dm = NULL;
	if (app_files_add(created, path)) {
		media_delete(path, err);
		rc = vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
		goto out;
	}
	pnode = app_reg_import_chain(vb, m, parent, err);
	if (!pnode) {
		rc = -ENOENT;
		goto out;
	}
	reg = mediareg_for_machine(m, true);
	loc = mediareg_location_for(machine_folder(m), path);
	if (!reg || !loc ||
	    !mediareg_add(reg, MR_HDD, out, loc, fmt, NULL, pnode))
		rc = vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
out:
	if (pm)
		media_close(pm);
	free(path);
	free(loc);
	mediareg_entry_release(&pe);
	machine_free(loaded);
	return rc;
}

char *app_snapshot_folder(struct machine *m)
{
	const char *sf = snode_attr(sdoc_top(machine_doc(m)), "snapshotFolder");
	char *slashed, *abs;

	if (!sf || !*sf)
		sf = "Snapshots";
	slashed = path_slashes(sf);
	if (!slashed)
		return NULL;
	abs = path_abs_from(machine_folder(m), slashed);
	free(slashed);
	return abs;
}

time_t app_now(void)
{
	return time(NULL);
}

/* ------------------------------------------------------------------ */
/* NVRAM files                                                         */

/* The BIOS element of a level (<Machine> or <Snapshot>): where
 * machine_elem() puts it for the file's version, below the level's own
 * Hardware. */
static struct snode *level_bios(struct machine *m, struct snode *level,
				bool create)
{
	struct snode *top = sdoc_top(machine_doc(m)), *hw;
	const char *name = "BIOS";
	struct snode *b = machine_elem(m, ME_BIOS, false);

	if (level == top)
		return machine_elem(m, ME_BIOS, create);
	if (b)
		name = snode_name(b);
	hw = create ? snode_ensure(level, "Hardware")
		    : snode_child(level, "Hardware");
	if (!hw)
		return NULL;
	return create ? snode_ensure(hw, name) : snode_child(hw, name);
}

char *app_nvram_path(struct machine *m, struct snode *level)
{
	struct snode *top = sdoc_top(machine_doc(m));
	const char *p = snode_attr(snode_child(level_bios(m, level, false),
					       "NVRAM"), "path");
	const char *fw;
	char *s, *r;

	if (p && *p) {
		s = path_slashes(p);
		r = s ? path_abs_from(machine_folder(m), s) : NULL;
		free(s);
		return r;
	}
	if (level != top)
		return NULL;
	/* the current state of an EFI machine has one by default */
	fw = snode_attr(snode_child(snode_child(top, "Hardware"), "Firmware"),
			"type");
	if (!fw || strncmp(fw, "EFI", 3))
		return NULL;
	return app_nvram_default(m);
}

char *app_nvram_default(struct machine *m)
{
	char *s = path_strip_ext(machine_path(m)), *r;

	r = s ? vb_asprintf("%s.nvram", s) : NULL;
	free(s);
	return r;
}

int app_nvram_set(struct machine *m, struct snode *level, const char *abs)
{
	struct snode *bios = level_bios(m, level, true), *nv;
	const char *folder = machine_folder(m);
	size_t fl = strlen(folder);

	nv = bios ? snode_ensure(bios, "NVRAM") : NULL;
	if (!nv)
		return -ENOMEM;
	/* relative to the machine folder when inside it, as VirtualBox
	 * stores paths */
	if (!strncmp(abs, folder, fl) && abs[fl] == '/')
		abs += fl + 1;
	return snode_set_attr(nv, "path", abs);
}

char *app_nvram_snapshot_name(struct machine *m)
{
	char *folder = app_snapshot_folder(m), *r;
	struct timespec ts;
	struct tm tm;

	if (!folder)
		return NULL;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	r = vb_asprintf("%s/%04d-%02d-%02dT%02d-%02d-%02d-%09ldZ.nvram",
			folder, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec);
	free(folder);
	return r;
}

int app_nvram_copy(const char *from, const char *to, struct app_files *made,
		   struct vb_error *err)
{
	char *dir = path_dirname(to);
	int rc;

	if (!dir)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	if (!path_is_dir(dir)) {
		rc = path_mkdirs(dir, 0755);
		if (rc) {
			free(dir);
			return vb_err(err, -rc, VBOX_E_FILE_ERROR,
				      "Could not create the directory '%s' (%s)",
				      to, strerror(-rc));
		}
		if (made && app_files_add(made, dir)) {
			free(dir);
			return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY,
				      "Out of memory");
		}
	}
	free(dir);
	rc = vb_copy_file(from, to, 1, err);
	if (rc)
		return vb_err(err, -rc, VBOX_E_FILE_ERROR,
			      "Could not copy the NVRAM file '%s' to '%s' (%s)",
			      from, to, strerror(-rc));
	if (made && app_files_add(made, to))
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	return 0;
}

int app_flags_parse(const char *s, const struct app_flag_name *names,
		    size_t count, unsigned *out)
{
	unsigned f = *out;

	while (*s) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s), i;
		bool ok = false;

		for (i = 0; len && i < count; i++) {
			if (len <= strlen(names[i].name) &&
			    !strncasecmp(s, names[i].name, len)) {
				f |= names[i].bit;
				ok = true;
				break;
			}
		}
		if (len && !ok)
			return -1;
		s += len + (comma ? 1 : 0);
	}
	*out = f;
	return 0;
}
