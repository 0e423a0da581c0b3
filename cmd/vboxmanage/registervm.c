/*
 * registervm: add a machine file to the MachineRegistry of VirtualBox.xml,
 * as VBoxManage 7.0's handleRegisterVM over IVirtualBox::OpenMachine and
 * RegisterMachine.  Quirks kept: the file is always the first word after
 * the command, a relative name is tried against the VirtualBox home first
 * and then against the current directory, and unknown options are
 * reported as "unknown option: <opt>".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/vboxmanage/commands.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"

#define CTX_OPEN_ABS "OpenMachine(Bstr(szVMFileAbs).raw(), Bstr(strPassword).raw(), machine.asOutParam())"
#define CTX_OPEN_ARG "OpenMachine(Bstr(a->argv[0]).raw(), Bstr(strPassword).raw(), machine.asOutParam()))"

/* IPRT's status text for the file errors OpenMachine reports. */
static const char *vrc_text(int errnum)
{
	switch (errnum) {
	case ENOENT: return "File not found.";
	case ENOTDIR: return "Path not found.";
	case EACCES: case EPERM: return "Access denied.";
	case EISDIR: return "Is a directory.";
	default: return "General failure.";
	}
}

/* IVirtualBox::OpenMachine: load the file; a UUID that is already
 * registered is refused. */
static int open_machine(struct vbox *vb, const char *path,
			struct machine **out, struct vb_error *err)
{
	struct machine *m, *other;
	struct vb_error e2 = { 0 };
	char ub[40];
	int rc;

	rc = machine_load(vb, path, &m, err);
	if (rc) {
		if (rc == -ENOENT || rc == -ENOTDIR || rc == -EACCES ||
		    rc == -EISDIR || rc == -EPERM)
			vb_err(err, -rc, VB_E_FAIL,
			       "Runtime error opening '%s' for reading %s (%s).",
			       path, vbm_vrc_name(rc), vrc_text(-rc));
		else
			err->hrc = VB_E_FAIL;
		vb_err_where(err, "MachineWrap", "IMachine", "nsISupports");
		return rc;
	}
	if (vbox_find_machine(vb, vb_uuid_fmt(machine_uuid(m), ub), &other,
			      &e2) == 0) {
		machine_free(other);
		vb_err(err, EEXIST, VB_E_FAIL,
		       "Trying to open a VM config '%s' which has the same UUID as an existing virtual machine",
		       machine_path(m));
		vb_err_where(err, "MachineWrap", "IMachine", "nsISupports");
		machine_free(m);
		return -EEXIST;
	}
	*out = m;
	return 0;
}

int cmd_registervm(struct vbm_ctx *ctx, int argc, char **argv)
{
	static const struct vb_option opts[] = {
		{ "--password", 'p', VBGO_STRING },
	};
	struct vb_error err = { 0 };
	struct machine *m = NULL;
	struct vb_getopt g;
	const char *file = argv[1];
	struct vbox *vb;
	char *path;
	int c, rc;

	vb_getopt_init(&g, argc, argv, 1, opts, 1);
	while ((c = vb_getopt_next(&g)) != VBGO_END) {
		if (c == 'p' || c == VBGO_NOT_OPTION)
			continue;
		if (c > 0)
			return vbm_syntax(ctx, "Invalid option -%c", c);
		if (c == VBGO_ERR_UNKNOWN)
			return vbm_syntax(ctx, "unknown option: %s", g.v.str);
		return vbm_syntax(ctx, "%s: %s", g.def ? g.def->name : "",
				  vb_getopt_strerror(c));
	}
	vb = vbm_vbox(ctx);
	if (!vb)
		return VBM_FAIL;
	if (path_is_abs(file)) {
		if (open_machine(vb, file, &m, &err))
			return vbm_api_error(&err, CTX_OPEN_ARG,
					     "VBoxManageMisc.cpp", 160);
	} else {
		/* the API takes relative names against the VirtualBox home */
		path = path_abs_from(vbox_home(vb), file);
		rc = path ? open_machine(vb, path, &m, &err) : -ENOMEM;
		free(path);
		if (rc) {
			vb_err_clear(&err);
			path = path_abs(file);
			rc = path ? open_machine(vb, path, &m, &err) : -ENOMEM;
			free(path);
			if (rc)
				return vbm_api_error(&err, CTX_OPEN_ABS,
						     "VBoxManageMisc.cpp", 155);
		}
	}
	rc = vbox_register_machine(vb, m, &err);
	machine_free(m);
	if (rc)
		return vbm_api_error(&err, "RegisterMachine(machine)",
				     "VBoxManageMisc.cpp", 164);
	return VBM_OK;
}

const struct vbm_help help_registervm = {
	"register a virtual machine",
	"VBoxManage\bregistervm <filename> --password\bfile",
	"Adds an existing machine settings file (.vbox) to the machines of\n"
	"this installation.  A relative file name is looked up in the\n"
	"VirtualBox configuration directory first, then in the current\n"
	"directory.  A machine whose UUID is already registered is refused.\n",
};
