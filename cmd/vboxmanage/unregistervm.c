/*
 * unregistervm: take a machine out of VirtualBox.xml, and with --delete
 * or --delete-all remove its files, as VBoxManage 7.0's
 * handleUnregisterVM over IMachine::Unregister and DeleteConfig:
 *
 *   --delete      hard disk images attached to the machine or its
 *                 snapshots (and parents in their chain that nothing else
 *                 uses), saved states, the NVRAM file, the settings file
 *                 with its -prev/-tmp copies, VBox.log[.N]/VBox.png[.N]/
 *                 VBoxUI.log in Logs, then the empty Logs, Snapshots and
 *                 machine folders;
 *   --delete-all  also DVD and floppy images used only by this machine and
 *                 stored in its folder.
 *
 * Unlike VirtualBox (whose delete then fails half way), a hard disk that
 * another registered machine still uses, directly or as the parent of
 * its differencing images (a linked clone), is left alone.  Deleted media
 * leave every registry that lists them.  Without --delete, media only
 * this machine used leave the registries of other machines and the
 * global one, as IMedium::Close does.  Progress goes to stderr.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/vboxmanage/commands.h"
#include "lib/settings/mediareg.h"
#include "lib/util/fileio.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"

#define CTX_FIND "FindMachine(Bstr(VMName).raw(), machine.asOutParam())"
#define CTX_UNREG "Unregister(fDeleteAll ? CleanupMode_DetachAllReturnHardDisksAndVMRemovable :CleanupMode_DetachAllReturnHardDisksOnly, ComSafeArrayAsOutParam(aMedia))"

/* ------------------------------------------------------------------ */
/* attachments                                                         */

/* Add the parents of the hard disks in out[from..] (a linked clone's
 * differencing image needs its base: VirtualBox refuses to delete a
 * medium that has children). */
static int add_parents(struct vbox *vb, struct machine *x,
		       struct vbm_media *out, unsigned from)
{
	unsigned j, depth;
	int rc = 0;

	for (j = from; j < out->n && !rc; j++) {
		struct vb_uuid u = out->v[j];

		if (out->kind[j] != MR_HDD)
			continue;
		/* a chain is never deeper than the registries are long;
		 * the bound only guards against a looping file */
		for (depth = 0; depth < 4096 && !rc; depth++) {
			struct mediareg_entry e;
			struct machine *loaded = NULL;
			char ub[40];
			bool more;

			if (mediareg_find(vb, x, MR_HDD, vb_uuid_fmt(&u, ub), &e,
					  &loaded, NULL))
				break;
			more = e.has_parent && !vbm_media_has(out, &e.parent);
			if (more) {
				u = e.parent;
				rc = vbm_media_add(out, &u, MR_HDD);
			}
			mediareg_entry_release(&e);
			machine_free(loaded);
			if (!more)
				break;
		}
	}
	return rc;
}

/* Media attached by every other registered machine, with the parents of
 * its hard disks. */
static int collect_others(struct vbox *vb, const struct vb_uuid *self,
			  struct vbm_media *out)
{
	unsigned i, from;
	int rc = 0;

	for (i = 0; i < vbox_machine_count(vb) && !rc; i++) {
		struct machine *x;
		struct vb_uuid u;

		vbox_machine_entry_uuid(vb, i, &u);
		if (vb_uuid_eq(&u, self))
			continue;
		if (vbox_machine_open_at(vb, i, &x, NULL))
			continue;
		from = out->n;
		if (machine_accessible(x))
			rc = vbm_media_attached(machine_elem(x, ME_MACHINE, false),
					      out);
		if (!rc && machine_accessible(x))
			rc = add_parents(vb, x, out, from);
		machine_free(x);
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* the media to remove                                                 */

struct victim {
	struct vb_uuid uuid;
	enum mediareg_kind kind;
	char *location;
	char *format;
};

struct victims {
	struct victim *v;
	unsigned n;
};

static int victims_add(struct victims *vs, const struct mediareg_entry *e)
{
	struct victim *nv = realloc(vs->v, (vs->n + 1) * sizeof(*nv));
	unsigned i;

	if (!nv)
		return -ENOMEM;
	vs->v = nv;
	for (i = 0; i < vs->n; i++)
		if (vb_uuid_eq(&vs->v[i].uuid, &e->uuid))
			return 0;
	nv[vs->n].uuid = e->uuid;
	nv[vs->n].kind = e->kind;
	nv[vs->n].location = vb_strdup(e->location);
	nv[vs->n].format = vb_strdup(e->format);
	if (!nv[vs->n].location)
		return -ENOMEM;
	vs->n++;
	return 0;
}

static void victims_free(struct victims *vs)
{
	unsigned i;

	for (i = 0; i < vs->n; i++) {
		free(vs->v[i].location);
		free(vs->v[i].format);
	}
	free(vs->v);
	memset(vs, 0, sizeof(*vs));
}

/* The entry of a medium in whatever registry holds it. */
static int find_entry(struct vbox *vb, struct machine *m,
		      enum mediareg_kind k, const struct vb_uuid *u,
		      struct mediareg_entry *e, struct machine **loaded)
{
	char ub[40];

	return mediareg_find(vb, m, k, vb_uuid_fmt(u, ub), e, loaded, NULL);
}

/* Which media go with the machine (Machine::i_detachAllMedia with the
 * cleanup mode of --delete / --delete-all). */
static int choose_media(struct vbox *vb, struct machine *m, bool all,
			bool deleting, struct victims *out)
{
	struct vbm_media mine = { 0 }, others = { 0 };
	unsigned i;
	int rc;

	rc = vbm_media_attached(machine_elem(m, ME_MACHINE, false), &mine);
	if (!rc)
		rc = collect_others(vb, machine_uuid(m), &others);
	for (i = 0; !rc && i < mine.n; i++) {
		struct mediareg_entry e;
		struct machine *loaded = NULL;
		char *dir;
		bool take;

		if (mine.kind[i] != MR_HDD && !all)
			continue;
		if (vbm_media_has(&others, &mine.v[i]))
			continue;       /* still in use elsewhere: keep */
		if (find_entry(vb, m, mine.kind[i], &mine.v[i], &e, &loaded))
			continue;       /* not registered anywhere */
		dir = path_dirname(e.location);
		take = mine.kind[i] == MR_HDD ||
		       (dir && !strcmp(dir, machine_folder(m)));
		free(dir);
		if (take)
			rc = victims_add(out, &e);
		/* parents that only lead to this disk go as well */
		while (!rc && take && deleting && mine.kind[i] == MR_HDD &&
		       e.has_parent) {
			struct snode *pn = snode_parent(e.node);
			struct vb_uuid pu = e.parent;
			struct mediareg_entry pe;
			const char *type;

			if (!pn || snode_count(pn, "HardDisk") != 1 ||
			    vbm_media_has(&mine, &pu) || vbm_media_has(&others, &pu))
				break;
			if (mediareg_read(pn, MR_HDD, loaded ? machine_folder(loaded)
					  : e.owner ? machine_folder(e.owner)
					  : vbox_home(vb), &pe))
				break;
			type = snode_attr(pn, "type");
			if (type && strcmp(type, "Normal")) {
				mediareg_entry_release(&pe);
				break;
			}
			rc = victims_add(out, &pe);
			mediareg_entry_release(&e);
			e = pe;
		}
		mediareg_entry_release(&e);
		machine_free(loaded);
	}
	vbm_media_free(&mine);
	vbm_media_free(&others);
	return rc;
}

/* Drop a medium from the global registry or a registered machine's one
 * (the machine being removed does not count: its file goes or stays as
 * it is). */
static void forget_medium(struct vbox *vb, const struct vb_uuid *self,
			  const struct victim *v)
{
	struct vb_error err = { 0 };
	struct snode *n;
	unsigned i;

	if (!vbox_global_lock(vb, &err)) {
		n = mediareg_lookup(vbox_global_node(vb, "MediaRegistry", false),
				    v->kind, &v->uuid, NULL, vbox_home(vb));
		if (n)
			snode_remove(n);
		if (vbox_global_commit(vb, &err))
			vbm_warning("%s", err.msg);
	}
	for (i = 0; i < vbox_machine_count(vb); i++) {
		struct machine *x;
		struct vb_uuid u;

		vbox_machine_entry_uuid(vb, i, &u);
		if (vb_uuid_eq(&u, self) || vbox_machine_open_at(vb, i, &x, NULL))
			continue;
		n = machine_accessible(x)
		    ? mediareg_lookup(machine_elem(x, ME_MEDIAREG, false),
				      v->kind, &v->uuid, NULL, machine_folder(x))
		    : NULL;
		if (n && !machine_lock(x, &err)) {
			n = mediareg_lookup(machine_elem(x, ME_MEDIAREG, false),
					    v->kind, &v->uuid, NULL,
					    machine_folder(x));
			if (n) {
				struct snode *reg = machine_elem(x, ME_MEDIAREG,
								 false);

				snode_remove(n);
				snode_prune_empty(snode_child(reg,
					mediareg_list_name(v->kind)), reg);
				snode_prune_empty(reg, machine_elem(x, ME_MACHINE,
								    false));
			}
			if (machine_save(x, &err))
				vbm_warning("%s", err.msg);
			machine_unlock(x);
		}
		machine_free(x);
	}
}

/* ------------------------------------------------------------------ */
/* files                                                               */

/* Extent files named in a text VMDK descriptor (RW/RDONLY lines). */
static void delete_vmdk_extents(const char *path)
{
	struct vb_error err = { 0 };
	char *text, *dir, *line, *next;
	size_t len;

	if (vb_read_file(path, 1u << 20, &text, &len, &err))
		return;
	if (strncmp(text, "# Disk DescriptorFile", 21)) {
		free(text);
		return;
	}
	dir = path_dirname(path);
	for (line = text; line && dir; line = next) {
		char *q1, *q2, *ext;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (strncmp(line, "RW ", 3) && strncmp(line, "RDONLY ", 7))
			continue;
		q1 = strchr(line, '"');
		q2 = q1 ? strchr(q1 + 1, '"') : NULL;
		if (!q2 || q2 == q1 + 1)
			continue;
		*q2 = '\0';
		ext = path_abs_from(dir, q1 + 1);
		if (ext && strcmp(ext, path))
			unlink(ext);
		free(ext);
	}
	free(dir);
	free(text);
}

static void delete_medium_file(const struct victim *v)
{
	if (v->format && !strcasecmp(v->format, "VMDK"))
		delete_vmdk_extents(v->location);
	if (unlink(v->location) && errno != ENOENT)
		vbm_warning("Could not delete '%s' (%s)", v->location,
			    vbm_vrc_name(errno));
}

static void unlink_quiet(const char *dir, const char *name)
{
	char *p = path_join(dir, name);

	if (p)
		unlink(p);
	free(p);
}

/* Saved states of the machine and its snapshots. */
static void collect_state_files(struct snode *n, const char *base,
				struct strbuf *files, unsigned *count)
{
	struct snode *c;
	const char *sf = snode_attr(n, "stateFile");

	if (sf && *sf) {
		char *abs = path_abs_from(base, sf);

		if (abs) {
			sb_adds(files, abs);
			sb_addc(files, '\0');
			(*count)++;
		}
		free(abs);
	}
	for (c = snode_child(n, NULL); c; c = snode_next(c, NULL))
		if (!strcmp(snode_name(c), "Snapshot") ||
		    !strcmp(snode_name(c), "Snapshots"))
			collect_state_files(c, base, files, count);
}

static void delete_machine_files(struct machine *m, struct vbm_progress *pr,
				 unsigned done, unsigned total)
{
	const char *folder = machine_folder(m), *path = machine_path(m);
	struct strbuf files = STRBUF_INIT;
	struct snode *mn = machine_elem(m, ME_MACHINE, false);
	struct snode *nv = snode_path(machine_elem(m, ME_HARDWARE, false),
				      "BIOS/NVRAM");
	const char *sf = snode_attr(mn, "snapshotFolder");
	unsigned count = 0, hist, i;
	char *logs, *snaps, *tmp, *name;
	const char *p;

	collect_state_files(mn, folder, &files, &count);
	if (nv && snode_attr(nv, "path")) {
		tmp = path_abs_from(folder, snode_attr(nv, "path"));
		if (tmp) {
			sb_adds(&files, tmp);
			sb_addc(&files, '\0');
			count++;
		}
		free(tmp);
	}
	sb_adds(&files, path);
	sb_addc(&files, '\0');
	count++;
	for (p = files.buf, i = 0; p && i < count; i++, p += strlen(p) + 1) {
		unlink(p);
		vbm_progress_update(pr, (done + i + 1) * 100 / total);
	}
	sb_release(&files);
	tmp = vb_asprintf("%s-tmp", path);
	if (tmp)
		unlink(tmp);
	free(tmp);
	tmp = vb_asprintf("%s-prev", path);
	if (tmp)
		unlink(tmp);
	free(tmp);

	logs = path_join(folder, "Logs");
	if (logs && path_is_dir(logs)) {
		hist = snode_u32(vbox_global_node(machine_vbox(m),
						  "SystemProperties", false),
				 "LogHistoryCount", 3);
		if (hist > 1000)
			hist = 1000;
		unlink_quiet(logs, "VBox.log");
		unlink_quiet(logs, "VBox.png");
		for (i = hist; i > 0; i--) {
			name = vb_asprintf("VBox.log.%u", i);
			if (name)
				unlink_quiet(logs, name);
			free(name);
			name = vb_asprintf("VBox.png.%u", i);
			if (name)
				unlink_quiet(logs, name);
			free(name);
		}
		unlink_quiet(logs, "VBoxUI.log");
		rmdir(logs);
	}
	free(logs);
	snaps = path_abs_from(folder, sf && *sf ? sf : "Snapshots");
	if (snaps)
		rmdir(snaps);
	free(snaps);
	/* the folder only when it is the machine's own (named after it) */
	name = path_strip_ext(path_basename(path));
	if (name && !strcmp(name, path_basename(folder)))
		rmdir(folder);
	free(name);
}

int cmd_unregistervm(struct vbm_ctx *ctx, int argc, char **argv)
{
	static const struct vb_option opts[] = {
		{ "--delete", 'd', VBGO_NOVAL },
		{ "-delete", 'd', VBGO_NOVAL },
		{ "--delete-all", 'a', VBGO_NOVAL },
		{ "-delete-all", 'a', VBGO_NOVAL },
	};
	struct victims media = { NULL, 0 };
	struct vb_error err = { 0 };
	struct vbm_progress pr;
	struct vb_getopt g;
	const char *spec = NULL;
	bool del = false, del_all = false, accessible;
	struct vb_uuid uuid;
	struct machine *m;
	struct vbox *vb;
	unsigned i, total;
	int c, rc;

	vb_getopt_init(&g, argc, argv, 1, opts, 4);
	while ((c = vb_getopt_next(&g)) != VBGO_END) {
		switch (c) {
		case 'd':
			del = true;
			break;
		case 'a':
			del_all = true;
			break;
		case VBGO_NOT_OPTION:
			if (spec)
				return vbm_syntax(ctx, "Invalid parameter '%s'",
						  g.v.str);
			spec = g.v.str;
			break;
		default:
			if (c > 0)
				return vbm_syntax(ctx, "Invalid option -%c", c);
			if (c == VBGO_ERR_UNKNOWN)
				return vbm_syntax(ctx, "unknown option: %s",
						  g.v.str);
			return vbm_syntax(ctx, "%s: %s",
					  g.def ? g.def->name : "",
					  vb_getopt_strerror(c));
		}
	}
	if (!spec)
		return vbm_syntax(ctx, "VM name required");
	vb = vbm_vbox(ctx);
	if (!vb)
		return VBM_FAIL;
	m = vbm_find_machine_ctx(ctx, spec,
				 "FindMachine(Bstr(VMName).raw(), machine.asOutParam())",
				 "VBoxManageMisc.cpp", 231);
	if (!m)
		return VBM_FAIL;
	uuid = *machine_uuid(m);
	accessible = machine_accessible(m);
	if (vbm_machine_running(&uuid)) {
		vb_err(&err, EBUSY, VBOX_E_INVALID_OBJECT_STATE,
		       "Cannot unregister the machine '%s' while it is locked",
		       machine_name(m));
		vb_err_where(&err, "MachineWrap", "IMachine", "nsISupports");
		machine_free(m);
		return vbm_api_error(&err, CTX_UNREG, "VBoxManageMisc.cpp", 236);
	}
	/* the media to return are chosen before the machine is gone */
	if (accessible &&
	    choose_media(vb, m, del_all, del || del_all, &media)) {
		vbm_error("Out of memory");
		rc = VBM_FAIL;
		goto out;
	}
	rc = vbox_unregister_machine(vb, &uuid, &err);
	if (rc) {
		vb_err_where(&err, "MachineWrap", "IMachine", "nsISupports");
		rc = vbm_api_error(&err, CTX_UNREG, "VBoxManageMisc.cpp", 236);
		goto out;
	}
	if (!del && !del_all) {
		/* IMedium::Close for every returned medium */
		for (i = 0; i < media.n; i++)
			forget_medium(vb, &uuid, &media.v[i]);
		rc = VBM_OK;
		goto out;
	}
	if (!accessible) {
		rc = VBM_OK;
		goto out;
	}
	total = media.n + 2;
	vbm_progress_start(&pr);
	for (i = 0; i < media.n; i++) {
		delete_medium_file(&media.v[i]);
		forget_medium(vb, &uuid, &media.v[i]);
		vbm_progress_update(&pr, (i + 1) * 100 / total);
	}
	delete_machine_files(m, &pr, media.n, total);
	vbm_progress_done(&pr, true);
	rc = VBM_OK;
out:
	victims_free(&media);
	machine_free(m);
	return rc;
}

const struct vbm_help help_unregistervm = {
	"unregister a virtual machine",
	"VBoxManage\bunregistervm <uuid | vmname> [--delete] [--delete-all]",
	"Removes a machine from the machines of this installation.  The\n"
	"settings file and the disks stay where they are unless one of the\n"
	"options asks for their deletion:\n"
	"\n"
	"  --delete      delete the settings file, the logs, saved states and\n"
	"                the hard disk images attached to the machine that no\n"
	"                other machine uses, then the machine folder when it\n"
	"                is empty\n"
	"  --delete-all  as --delete, and DVD and floppy images in the machine\n"
	"                folder that only this machine uses\n",
};
