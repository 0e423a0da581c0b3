/*
 * movevm: move a machine's folder to <folder>/<name>, as VBoxManage 7.0's
 * handleMoveVM over IMachine::MoveTo (MachineMoveVM, type "basic"):
 *
 *   - media attached to the machine whose location starts with the
 *     machine folder move along (differencing images keep the name of
 *     the folder they are in, e.g. Snapshots/), registries follow;
 *   - saved states and the NVRAM file inside the folder, the settings
 *     file and (type basic) the files of the Logs folder are copied, then
 *     the originals deleted and the emptied folders removed;
 *   - VirtualBox.xml then points at the new settings file.
 *
 * Without --folder the target is the machine folder itself, so the
 * machine ends up one level deeper (MoveTo with an empty path).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cmd/vboxmanage/commands.h"
#include "lib/util/fileio.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"

#define FILE_MISC "VBoxManageMisc.cpp"
#define CTX_MOVETO "MoveTo(Bstr(szTargetFolder).raw(), Bstr(pszType).raw(), progress.asOutParam())"

/* One file to carry over: from -> to. */
struct mv_item {
	char *from, *to;
	bool medium;            /* a medium (renamed, not copied) */
	struct vb_uuid uuid;
	enum mediareg_kind kind;
};

struct mv_plan {
	struct mv_item *v;
	unsigned n;
	unsigned long long bytes;
};

static int plan_add(struct mv_plan *p, const char *from, const char *to)
{
	struct mv_item *nv = realloc(p->v, (p->n + 1) * sizeof(*nv));
	struct stat st;

	if (!nv)
		return -ENOMEM;
	p->v = nv;
	memset(&nv[p->n], 0, sizeof(nv[p->n]));
	nv[p->n].from = vb_strdup(from);
	nv[p->n].to = vb_strdup(to);
	if (!nv[p->n].from || !nv[p->n].to) {
		free(nv[p->n].from);
		free(nv[p->n].to);
		return -ENOMEM;
	}
	if (!stat(from, &st))
		p->bytes += (unsigned long long)st.st_size;
	p->n++;
	return 0;
}

static void plan_free(struct mv_plan *p)
{
	unsigned i;

	for (i = 0; i < p->n; i++) {
		free(p->v[i].from);
		free(p->v[i].to);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}

/* RTPathStartsWith: a path prefix ending at a component boundary. */
static bool starts_with_dir(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '/' || !path[n]);
}

/* Where a file below the machine folder goes: the same place below the
 * target folder. */
static char *retarget(const char *path, const char *src, const char *dst)
{
	return vb_asprintf("%s%s", dst, path + strlen(src));
}

/* Media attached to the machine that live in its folder. */
static int plan_media(struct vbox *vb, struct machine *m, const char *dst,
		      struct mv_plan *p)
{
	struct vbm_media att = { 0 };
	const char *src = machine_folder(m);
	unsigned i;
	int rc;

	rc = vbm_media_attached(machine_elem(m, ME_MACHINE, false), &att);
	for (i = 0; !rc && i < att.n; i++) {
		struct mediareg_entry e;
		struct machine *loaded = NULL;
		char ub[40], *to;

		if (mediareg_find(vb, m, att.kind[i], vb_uuid_fmt(&att.v[i], ub),
				  &e, &loaded, NULL))
			continue;
		/* Utf8Str::startsWith: a plain string prefix */
		if (!strncmp(e.location, src, strlen(src))) {
			if (e.has_parent) {
				char *dir = path_dirname(e.location);

				to = dir ? vb_asprintf("%s/%s/%s", dst,
						       path_basename(dir),
						       path_basename(e.location))
					 : NULL;
				free(dir);
			} else {
				to = vb_asprintf("%s/%s", dst,
						 path_basename(e.location));
			}
			rc = to ? plan_add(p, e.location, to) : -ENOMEM;
			if (!rc) {
				p->v[p->n - 1].medium = true;
				p->v[p->n - 1].uuid = att.v[i];
				p->v[p->n - 1].kind = att.kind[i];
			}
			free(to);
		}
		mediareg_entry_release(&e);
		machine_free(loaded);
	}
	vbm_media_free(&att);
	return rc;
}

/* Saved states (current state and snapshots) and NVRAM files below the
 * folder.  Paths stored relative to the machine folder stay valid; the
 * absolute ones are rewritten. */
static int plan_states(struct snode *n, const char *src, const char *dst,
		       struct mv_plan *p)
{
	static const char *const attrs[] = { "stateFile", "path" };
	struct snode *c;
	unsigned i;
	int rc = 0;

	for (i = 0; i < 2; i++) {
		const char *v;
		char *abs, *to;

		if (i == 1 && strcmp(snode_name(n), "NVRAM"))
			continue;
		v = snode_attr(n, attrs[i]);
		if (!v || !*v)
			continue;
		abs = path_abs_from(src, v);
		if (abs && starts_with_dir(abs, src) && path_exists(abs)) {
			to = retarget(abs, src, dst);
			rc = to ? plan_add(p, abs, to) : -ENOMEM;
			if (!rc && path_is_abs(v))
				rc = snode_set_attr(n, attrs[i], to);
			free(to);
		}
		free(abs);
		if (rc)
			return rc;
	}
	for (c = snode_child(n, NULL); c && !rc; c = snode_next(c, NULL))
		rc = plan_states(c, src, dst, p);
	return rc;
}

static int plan_logs(const char *logs, const char *dst, struct mv_plan *p)
{
	struct dirent *de;
	DIR *d = opendir(logs);
	int rc = 0;

	if (!d)
		return 0;
	while (!rc && (de = readdir(d))) {
		char *from, *to;

		if (de->d_name[0] == '.' &&
		    (!de->d_name[1] || !strcmp(de->d_name, "..")))
			continue;
		from = path_join(logs, de->d_name);
		to = vb_asprintf("%s/Logs/%s", dst, de->d_name);
		if (from && to && path_is_file(from))
			rc = plan_add(p, from, to);
		else if (!from || !to)
			rc = -ENOMEM;
		free(from);
		free(to);
	}
	closedir(d);
	return rc;
}

/* Rename, or copy and delete across file systems. */
static int move_file(const char *from, const char *to)
{
	char *dir = path_dirname(to);
	int rc;

	if (dir && path_mkdirs(dir, 0700)) {
		rc = -errno;
		free(dir);
		return rc;
	}
	free(dir);
	if (path_exists(to))
		return -EEXIST;
	if (!rename(from, to))
		return 0;
	if (errno != EXDEV)
		return -errno;
	rc = vb_copy_file(from, to, 0, NULL);
	if (!rc)
		unlink(from);
	return rc;
}

/* The moved media in a registry element: new locations. */
static void relocate_entries(struct snode *reg, const struct mv_plan *p,
			     const char *base_dir)
{
	unsigned i;

	for (i = 0; i < p->n; i++) {
		struct snode *n;
		char *loc;

		if (!p->v[i].medium)
			continue;
		n = mediareg_lookup(reg, p->v[i].kind, &p->v[i].uuid, NULL,
				    base_dir);
		if (!n)
			continue;
		loc = mediareg_location_for(base_dir, p->v[i].to);
		if (loc)
			snode_set_attr(n, "location", loc);
		free(loc);
	}
}

static int move_error(struct vb_error *err)
{
	vbm_progress_done(NULL, false);
	fprintf(stderr, "Progress state: %s\n", vb_hrc_name(err->hrc));
	vbm_error("Move VM failed");
	vb_err_where(err, "SessionMachine", "IMachine", NULL);
	return vbm_api_error(err, "RTEXITCODE handleMoveVM(HandlerArg *)",
			     FILE_MISC, 518);
}

/* The checks MachineMoveVM::init makes before the task starts. */
static int check_target(const char *target, unsigned long long need)
{
	struct vb_error err = { 0 };
	struct statvfs fs;
	char *test;
	DIR *d;
	int fd;

	if (statvfs(target, &fs)) {
		vb_err(&err, errno, VBOX_E_IPRT_ERROR,
		       "Unable to determine free space at move destination ('%s'): %s",
		       target, vbm_vrc_name(errno));
		goto fail;
	}
	d = opendir(target);
	if (!d) {
		vb_err(&err, errno, errno == EACCES ? VB_E_ACCESSDENIED
		       : VB_E_FAIL, "%s", vbm_vrc_name(errno));
		goto fail;
	}
	closedir(d);
	test = vb_asprintf("%stest.txt", target);
	fd = test ? open(test, O_RDWR | O_CREAT, 0600) : -1;
	if (fd < 0) {
		int e = test ? errno : ENOMEM;

		free(test);
		vb_err(&err, e, e == EACCES ? VB_E_ACCESSDENIED : VB_E_FAIL,
		       "Can't create a test file test.txt in the %s. Check the access rights of the destination folder.",
		       target);
		goto fail;
	}
	close(fd);
	unlink(test);
	free(test);
	if ((unsigned long long)fs.f_bavail * fs.f_frsize <= need + (1u << 20)) {
		vb_err(&err, ENOSPC, VBOX_E_IPRT_ERROR,
		       "Insufficient disk space available (%llu needed, %llu free)",
		       need, (unsigned long long)fs.f_bavail * fs.f_frsize);
		goto fail;
	}
	return 0;
fail:
	vb_err_where(&err, "SessionMachine", "IMachine", "nsISupports");
	return vbm_api_error(&err, CTX_MOVETO, FILE_MISC, 515);
}

static void remove_originals(const struct mv_plan *p, const char *path)
{
	unsigned i;
	char *prev;

	for (i = 0; i < p->n; i++)
		if (!p->v[i].medium)
			unlink(p->v[i].from);
	unlink(path);
	prev = vb_asprintf("%s-prev", path);
	if (prev)
		unlink(prev);
	free(prev);
}

/* Undo the renames of a failed move, newest first. */
static void roll_back(const struct mv_plan *p, unsigned done)
{
	while (done--) {
		if (p->v[done].medium)
			move_file(p->v[done].to, p->v[done].from);
		else
			unlink(p->v[done].to);
	}
}

static int do_move(struct machine *m, const char *target, const char *type)
{
	struct vbox *vb = machine_vbox(m);
	struct vb_error err = { 0 };
	struct mv_plan plan = { 0 };
	struct vbm_progress pr;
	struct snode *mn = machine_elem(m, ME_MACHINE, false), *reg, *e;
	const char *src = machine_folder(m), *sf;
	char *old_path = NULL, *dst = NULL, *new_path = NULL, *snaps = NULL;
	char *logs = NULL, *tmp;
	unsigned i;
	int rc = VBM_FAIL;

	dst = vb_asprintf("%s%s", target, machine_name(m));
	new_path = dst ? vb_asprintf("%s/%s.vbox", dst, machine_name(m)) : NULL;
	old_path = vb_strdup(machine_path(m));
	logs = path_join(src, "Logs");
	if (!dst || !new_path || !old_path || !logs)
		goto oom;
	if (plan_media(vb, m, dst, &plan) || plan_states(mn, src, dst, &plan))
		goto oom;
	if (!strcmp(type, "basic") && plan_logs(logs, dst, &plan))
		goto oom;
	if (check_target(target, plan.bytes))
		goto out;

	vbm_progress_start(&pr);
	/* the snapshot folder goes back to the default when absolute */
	sf = snode_attr(mn, "snapshotFolder");
	if (sf && path_is_abs(sf))
		snode_set_attr(mn, "snapshotFolder", "Snapshots");
	for (i = 0; i < plan.n; i++) {
		struct mv_item *it = &plan.v[i];
		int r;

		if (it->medium) {
			r = move_file(it->from, it->to);
		} else {
			tmp = path_dirname(it->to);
			r = tmp ? path_mkdirs(tmp, 0700) ? -errno : 0 : -ENOMEM;
			free(tmp);
			if (!r)
				r = vb_copy_file(it->from, it->to, 0, NULL);
		}
		if (r) {
			roll_back(&plan, i);
			vb_err(&err, -r, VBOX_E_IPRT_ERROR,
			       it->medium ? "Could not move medium '%s' to '%s' (%s)"
			       : "Could not copy file '%s' to '%s' (%s)",
			       it->from, it->to, vbm_vrc_name(-r));
			rc = move_error(&err);
			goto out;
		}
		vbm_progress_update(&pr, (i + 1) * 90 / (plan.n + 1));
	}

	/* registries: the machine's own, then the global one */
	relocate_entries(machine_elem(m, ME_MEDIAREG, false), &plan, dst);
	if (path_mkdirs(dst, 0700) || path_exists(new_path)) {
		int en = path_exists(new_path) ? EEXIST : errno;

		roll_back(&plan, plan.n);
		vb_err(&err, en, VBOX_E_IPRT_ERROR,
		       "Could not copy the setting file '%s' to '%s' (%s)",
		       old_path, dst, vbm_vrc_name(en));
		rc = move_error(&err);
		goto out;
	}
	/* the settings (with the new media locations) are saved in place,
	 * then the file is copied over, as MachineMoveVM does */
	if (machine_save(m, &err) ||
	    vb_copy_file(old_path, new_path, 0, &err)) {
		roll_back(&plan, plan.n);
		rc = move_error(&err);
		goto out;
	}
	if (!vbox_global_lock(vb, &err)) {
		relocate_entries(vbox_global_node(vb, "MediaRegistry", false),
				 &plan, vbox_home(vb));
		reg = vbox_global_node(vb, "MachineRegistry", false);
		for (e = snode_child(reg, "MachineEntry"); e;
		     e = snode_next(e, "MachineEntry")) {
			struct vb_uuid u;
			const char *us = snode_attr(e, "uuid");

			if (us && !vb_uuid_parse(us, &u) &&
			    vb_uuid_eq(&u, machine_uuid(m)))
				snode_set_attr(e, "src", new_path);
		}
		if (vbox_global_commit(vb, &err))
			vbm_warning("%s", err.msg);
	} else {
		vbm_warning("%s", err.msg);
	}

	remove_originals(&plan, old_path);
	rmdir(logs);
	sf = snode_attr(mn, "snapshotFolder");
	snaps = path_abs_from(src, sf && *sf ? sf : "Snapshots");
	if (snaps)
		rmdir(snaps);
	rmdir(src);
	vbm_progress_done(&pr, true);
	rc = VBM_OK;
	goto out;
oom:
	vbm_error("Out of memory");
out:
	plan_free(&plan);
	free(old_path);
	free(dst);
	free(new_path);
	free(snaps);
	free(logs);
	return rc;
}

int cmd_movevm(struct vbm_ctx *ctx, int argc, char **argv)
{
	static const struct vb_option opts[] = {
		{ "--type", 't', VBGO_STRING },
		{ "--folder", 'f', VBGO_STRING },
	};
	const char *vm = NULL, *type = NULL;
	char *folder = NULL, *target = NULL;
	struct machine *m;
	struct vb_getopt g;
	int c, rc = VBM_FAIL;

	vb_getopt_init(&g, argc, argv, 1, opts, sizeof(opts) / sizeof(opts[0]));
	while ((c = vb_getopt_next(&g)) != VBGO_END) {
		switch (c) {
		case 't':
			type = g.v.str;
			break;
		case 'f':
			free(folder);
			folder = NULL;
			if (*g.v.str) {
				folder = path_abs(g.v.str);
				if (!folder) {
					vbm_error("Out of memory");
					return VBM_FAIL;
				}
			}
			break;
		case VBGO_NOT_OPTION:
			if (!vm) {
				vm = g.v.str;
				break;
			}
			free(folder);
			return vbm_syntax(ctx, "Invalid parameter '%s'", g.v.str);
		default:
			free(folder);
			return vbm_getopt_error(ctx, &g, c);
		}
	}
	if (!type)
		type = "basic";
	if (!vm) {
		free(folder);
		return vbm_syntax(ctx, "VM name required");
	}
	m = vbm_find_machine_ctx(ctx, vm,
				 "FindMachine(Bstr(pszSrcName).raw(), srcMachine.asOutParam())",
				 FILE_MISC, 500);
	if (!m)
		goto out;
	if (vbm_lock_for_write(m, "LockMachine(a->session, LockType_Write)",
			       FILE_MISC, 508))
		goto out;
	/* MoveTo: an empty path means the machine folder; a trailing
	 * separator is added */
	target = vb_asprintf("%s%s", folder ? folder : machine_folder(m),
			     folder && !strcmp(folder, "/") ? "" : "/");
	if (!target) {
		vbm_error("Out of memory");
		goto out;
	}
	rc = do_move(m, target, type);
	if (rc == VBM_OK)
		printf("Machine has been successfully moved into %s\n",
		       folder ? folder : "the same location");
out:
	machine_free(m);
	free(folder);
	free(target);
	return rc;
}

const struct vbm_help help_movevm = {
	"move a virtual machine to a new location on the host system",
	"VBoxManage\bmovevm <uuid | vmname> [--type=basic] "
	"[--folder=folder-name]",
	"Moves the folder of a machine that is not running to\n"
	"<folder-name>/<vmname>: the settings file, the saved states, the\n"
	"NVRAM file, the log files and the media attached to the machine that\n"
	"are stored in its folder.  Media elsewhere stay where they are.  The\n"
	"registries and VirtualBox.xml follow the move.\n"
	"\n"
	"Without --folder the machine moves into a folder named after it\n"
	"inside its current folder, as VirtualBox does.  basic is the only\n"
	"type.\n",
};
