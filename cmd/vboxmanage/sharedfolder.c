/*
 * sharedfolder add|remove: the machine's <SharedFolders> (settings-format
 * 7.13), as VBoxManage 7.0's handleSharedFolder over
 * IMachine::CreateSharedFolder/RemoveSharedFolder.  Transient folders
 * belong to a running VM; without one VirtualBox's "is not currently
 * running" error is the answer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/vboxmanage/commands.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"

#define FILE_MISC "VBoxManageMisc.cpp"
#define CTX_FIND "FindMachine(Bstr(pszMachineName).raw(), ptrMachine.asOutParam())"
#define CTX_LOCK "LockMachine(a->session, LockType_Write)"

static void sf_where(struct vb_error *err)
{
	vb_err_where(err, "SessionMachine", "IMachine", "nsISupports");
}

static int not_running(const char *name, bool nl)
{
	vbm_error("Machine '%s' is not currently running.%s", name,
		  nl ? "\n" : "");
	return VBM_FAIL;
}

/* The transient variants talk to the VM process, which this build
 * cannot do yet: refuse plainly. */
static int transient(struct vbm_ctx *ctx, const char *vm, bool remove)
{
	struct machine *m = vbm_find_machine_ctx(ctx, vm, CTX_FIND, FILE_MISC,
						 remove ? 1745 : 1647);
	bool running;

	if (!m)
		return VBM_FAIL;
	running = vbm_machine_running(machine_uuid(m));
	machine_free(m);
	if (!running)
		return not_running(vm, remove);
	vbm_error("Changing transient shared folders of a running machine is not supported yet");
	return VBM_FAIL;
}

static int sf_add(struct vbm_ctx *ctx, int argc, char **argv)
{
	static const struct vb_option opts[] = {
		{ "--name", 'n', VBGO_STRING }, { "-name", 'n', VBGO_STRING },
		{ "--hostpath", 'p', VBGO_STRING },
		{ "-hostpath", 'p', VBGO_STRING },
		{ "--readonly", 'r', VBGO_NOVAL },
		{ "-readonly", 'r', VBGO_NOVAL },
		{ "--transient", 't', VBGO_NOVAL },
		{ "-transient", 't', VBGO_NOVAL },
		{ "--automount", 'a', VBGO_NOVAL },
		{ "-automount", 'a', VBGO_NOVAL },
		{ "--auto-mount-point", 'm', VBGO_STRING },
		VBM_STD_OPTIONS,
	};
	const char *vm = NULL, *name = NULL, *host = NULL, *amp = "";
	bool writable = true, trans = false, automount = false;
	struct vb_error err = { 0 };
	struct snode *sfs, *sf;
	struct machine *m;
	struct vb_getopt g;
	struct stat st;
	char *abs = NULL;
	int c, rc = VBM_FAIL;

	vb_getopt_init(&g, argc, argv, 1, opts, sizeof(opts) / sizeof(opts[0]));
	while ((c = vb_getopt_next(&g)) != VBGO_END) {
		switch (c) {
		case 'n': name = g.v.str; break;
		case 'p': host = g.v.str; break;
		case 'r': writable = false; break;
		case 't': trans = true; break;
		case 'a': automount = true; break;
		case 'm': amp = g.v.str; break;
		case VBGO_NOT_OPTION:
			if (vm)
				return vbm_syntax_arg("Machine name is given more than once: first '%s', then '%s'",
						      vm, g.v.str);
			vm = g.v.str;
			break;
		default:
			return vbm_getopt_error(ctx, &g, c);
		}
	}
	if (!vm)
		return vbm_syntax(ctx, "No machine was specified");
	if (!name)
		return vbm_syntax(ctx, "No shared folder name (--name) was given");
	if (strchr(name, ' '))
		return vbm_syntax(ctx, "Invalid shared folder name '%s': contains space",
				  name);
	if (strchr(name, '\t'))
		return vbm_syntax(ctx, "Invalid shared folder name '%s': contains tabs",
				  name);
	if (strchr(name, '\n') || strchr(name, '\r'))
		return vbm_syntax(ctx, "Invalid shared folder name '%s': contains newline",
				  name);
	if (!host)
		return vbm_syntax(ctx, "No host path (--hostpath) was given");
	if (trans)
		return transient(ctx, vm, false);

	m = vbm_find_machine_ctx(ctx, vm, CTX_FIND, FILE_MISC, 1647);
	if (!m)
		return VBM_FAIL;
	if (vbm_lock_for_write(m, CTX_LOCK, FILE_MISC, 1673))
		goto out;
	if (vbm_check_state(m, VBM_DEP_MUTABLE_OR_RUNNING,
			    "CreateSharedFolder(Bstr(pszName).raw(), Bstr(szAbsHostPath).raw(), fWritable, fAutoMount, Bstr(pszAutoMountPoint).raw())",
			    FILE_MISC, 1680))
		goto out;
	abs = path_abs(host);
	if (!abs)
		goto oom;
	/* trailing slashes go, except for "/" */
	while (strlen(abs) > 1 && abs[strlen(abs) - 1] == '/')
		abs[strlen(abs) - 1] = '\0';
	sfs = machine_elem(m, ME_SHAREDFOLDERS, false);
	if (snode_child_with(sfs, "SharedFolder", "name", name)) {
		vb_err(&err, EEXIST, VBOX_E_OBJECT_IN_USE,
		       "Shared folder named '%s' already exists", name);
		goto api;
	}
	if (stat(abs, &st)) {
		vb_err(&err, errno, VB_E_INVALIDARG,
		       "RTPathQueryInfo failed on shared folder path '%s': %s",
		       abs, vbm_vrc_name(errno));
		goto api;
	}
	if (!S_ISDIR(st.st_mode)) {
		vb_err(&err, ENOTDIR, VB_E_INVALIDARG,
		       "Shared folder path '%s' is not a directory", abs);
		goto api;
	}
	sfs = machine_elem(m, ME_SHAREDFOLDERS, true);
	sf = sfs ? snode_add(sfs, "SharedFolder") : NULL;
	if (!sf || snode_set_attr(sf, "name", name) ||
	    snode_set_attr(sf, "hostPath", abs) ||
	    snode_set_bool(sf, "writable", writable) ||
	    snode_set_bool(sf, "autoMount", automount) ||
	    (*amp && snode_set_attr(sf, "autoMountPoint", amp)))
		goto oom;
	if (machine_save(m, &err)) {
		vb_err_where(&err, "SessionMachine", "IMachine", "nsISupports");
		rc = vbm_api_error(&err, "SaveSettings()", FILE_MISC, 1683);
		goto out;
	}
	rc = VBM_OK;
	goto out;
api:
	sf_where(&err);
	rc = vbm_api_error(&err,
			   "CreateSharedFolder(Bstr(pszName).raw(), Bstr(szAbsHostPath).raw(), fWritable, fAutoMount, Bstr(pszAutoMountPoint).raw())",
			   FILE_MISC, 1680);
	goto out;
oom:
	vbm_error("Out of memory");
out:
	free(abs);
	machine_free(m);
	return rc;
}

static int sf_remove(struct vbm_ctx *ctx, int argc, char **argv)
{
	static const struct vb_option opts[] = {
		{ "--name", 'n', VBGO_STRING }, { "-name", 'n', VBGO_STRING },
		{ "--transient", 't', VBGO_NOVAL },
		{ "-transient", 't', VBGO_NOVAL },
		VBM_STD_OPTIONS,
	};
	const char *vm = NULL, *name = NULL;
	struct vb_error err = { 0 };
	struct snode *sfs, *sf;
	struct machine *m;
	struct vb_getopt g;
	bool trans = false;
	int c, rc = VBM_FAIL;

	vb_getopt_init(&g, argc, argv, 1, opts, sizeof(opts) / sizeof(opts[0]));
	while ((c = vb_getopt_next(&g)) != VBGO_END) {
		switch (c) {
		case 'n': name = g.v.str; break;
		case 't': trans = true; break;
		case VBGO_NOT_OPTION:
			if (vm)
				return vbm_syntax_arg("Machine name is given more than once: first '%s', then '%s'",
						      vm, g.v.str);
			vm = g.v.str;
			break;
		default:
			return vbm_getopt_error(ctx, &g, c);
		}
	}
	if (!vm)
		return vbm_syntax(ctx, "No machine was specified");
	if (!name)
		return vbm_syntax(ctx, "No shared folder name (--name) was given");
	if (trans)
		return transient(ctx, vm, true);

	m = vbm_find_machine_ctx(ctx, vm, CTX_FIND, FILE_MISC, 1745);
	if (!m)
		return VBM_FAIL;
	if (vbm_lock_for_write(m, CTX_LOCK, FILE_MISC, 1769))
		goto out;
	if (vbm_check_state(m, VBM_DEP_MUTABLE_OR_RUNNING,
			    "RemoveSharedFolder(Bstr(pszName).raw())",
			    FILE_MISC, 1775))
		goto out;
	sfs = machine_elem(m, ME_SHAREDFOLDERS, false);
	sf = snode_child_with(sfs, "SharedFolder", "name", name);
	if (!sf) {
		vb_err(&err, ENOENT, VBOX_E_OBJECT_NOT_FOUND,
		       "Could not find a shared folder named '%s'", name);
		sf_where(&err);
		rc = vbm_api_error(&err, "RemoveSharedFolder(Bstr(pszName).raw())",
				   FILE_MISC, 1775);
		goto out;
	}
	snode_remove(sf);
	snode_prune_empty(sfs, machine_elem(m, ME_HARDWARE, false));
	if (machine_save(m, &err)) {
		vb_err_where(&err, "SessionMachine", "IMachine", "nsISupports");
		rc = vbm_api_error(&err, "SaveSettings()", FILE_MISC, 1780);
		goto out;
	}
	rc = VBM_OK;
out:
	machine_free(m);
	return rc;
}

int cmd_sharedfolder(struct vbm_ctx *ctx, int argc, char **argv)
{
	if (argc < 2)
		return vbm_syntax(ctx, "Not enough parameters");
	if (!strcmp(argv[1], "add")) {
		vbm_set_subcommand(ctx, "add");
		return sf_add(ctx, argc - 1, argv + 1);
	}
	if (!strcmp(argv[1], "remove")) {
		vbm_set_subcommand(ctx, "remove");
		return sf_remove(ctx, argc - 1, argv + 1);
	}
	return vbm_unknown_subcommand(ctx, argv[1]);
}

const struct vbm_help help_sharedfolder = {
	"add and remove shared folders",
	"VBoxManage\bsharedfolder\badd <uuid | vmname> <--name=name> "
	"<--hostpath=hostpath> [--readonly] [--transient] [--automount] "
	"[--auto-mount-point=path]\n"
	"VBoxManage\bsharedfolder\bremove <uuid | vmname> <--name=name> "
	"[--transient]",
	"Shares a host folder with the guest of a machine, or stops sharing\n"
	"it.  The host path is stored as an absolute path and must be a\n"
	"directory.  --readonly keeps the guest from writing, --automount\n"
	"asks the guest additions to mount the folder (at --auto-mount-point\n"
	"if given).  --transient changes only a running machine, until it\n"
	"stops.  Names may not contain spaces, tabs or newlines.\n",
};
