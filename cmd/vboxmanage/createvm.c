/*
 * createvm: a new machine settings file
 *   <base folder or default machine folder>/[<first group>/]<name>/<name>.vbox
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/vboxmanage/commands.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"

enum { O_NAME = 'n', O_GROUPS = 'g', O_BASEFOLDER = 'p', O_OSTYPE = 'o',
       O_UUID = 'u', O_REGISTER = 'r', O_DEFAULT = 'd', O_CIPHER = 1000,
       O_PWID, O_PW };

static const struct vb_option createvm_opts[] = {
	{ "--name", O_NAME, VBGO_STRING },
	{ "-name", O_NAME, VBGO_STRING },
	{ "--groups", O_GROUPS, VBGO_STRING },
	{ "--basefolder", O_BASEFOLDER, VBGO_STRING },
	{ "-basefolder", O_BASEFOLDER, VBGO_STRING },
	{ "--ostype", O_OSTYPE, VBGO_STRING },
	{ "-ostype", O_OSTYPE, VBGO_STRING },
	{ "--uuid", O_UUID, VBGO_UUID },
	{ "-uuid", O_UUID, VBGO_UUID },
	{ "--register", O_REGISTER, VBGO_NOVAL },
	{ "-register", O_REGISTER, VBGO_NOVAL },
	{ "--default", O_DEFAULT, VBGO_NOVAL },
	{ "-default", O_DEFAULT, VBGO_NOVAL },
	{ "--cipher", O_CIPHER, VBGO_STRING },
	{ "--password-id", O_PWID, VBGO_STRING },
	{ "--password", O_PW, VBGO_STRING },
};

/* First group of a comma list ("/a/b,/c" -> "/a/b"), "" for "/". */
static char *first_group(const char *groups)
{
	const char *comma;

	if (!groups || !*groups)
		return strdup("");
	comma = strchr(groups, ',');
	if (comma)
		return strndup(groups, (size_t)(comma - groups));
	return strdup(groups);
}

int cmd_createvm(struct vbm_ctx *ctx, int argc, char **argv)
{
	const char *name = NULL, *groups = NULL, *base = NULL, *ostype = NULL;
	bool reg = false, have_uuid = false;
	struct vb_error err = { 0 };
	struct vb_uuid uuid;
	struct vb_getopt g;
	struct machine *m = NULL;
	struct vbox *vb;
	char *folder = NULL, *grp = NULL, *path = NULL;
	char ub[40];
	int c, rc = VBM_FAIL;

	vb_getopt_init(&g, argc, argv, 1, createvm_opts,
		       sizeof(createvm_opts) / sizeof(createvm_opts[0]));
	while ((c = vb_getopt_next(&g)) != VBGO_END) {
		switch (c) {
		case O_NAME: name = g.v.str; break;
		case O_GROUPS: groups = g.v.str; break;
		case O_BASEFOLDER: base = g.v.str; break;
		case O_OSTYPE: ostype = g.v.str; break;
		case O_UUID: uuid = g.v.uuid; have_uuid = true; break;
		case O_REGISTER: reg = true; break;
		case O_DEFAULT: break;
		case O_CIPHER: case O_PWID: case O_PW: break;
		default:
			return vbm_getopt_error(ctx, &g, c);
		}
	}
	if (!name)
		return vbm_syntax(ctx, "Parameter --name is required");
	vb = vbm_vbox(ctx);
	if (!vb)
		return VBM_FAIL;
	if (!have_uuid && vb_uuid_generate(&uuid))
		return VBM_FAIL;
	folder = base ? path_abs(base) : vbox_machine_folder(vb);
	grp = first_group(groups);
	if (!folder || !grp)
		goto out;
	path = vb_asprintf("%s%s/%s/%s.vbox", folder,
			   strcmp(grp, "/") ? grp : "", name, name);
	if (!path)
		goto out;
	if (path_exists(path)) {
		vb_err(&err, EEXIST, VBOX_E_FILE_ERROR,
		       "Machine settings file '%s' already exists", path);
		vb_err_where(&err, "MachineWrap", "IMachine", NULL);
		rc = vbm_api_error(&err,
				   "CreateMachine(bstrSettingsFile.raw(), bstrName.raw(), ComSafeArrayAsInParam(groups), bstrOsTypeId.raw(), createFlags.raw(), bstrCipher.raw(), bstrPasswordId.raw(), Bstr(strPassword).raw(), machine.asOutParam())",
				   "VBoxManageMisc.cpp", 385);
		goto out;
	}
	if (machine_create(vb, path, name, &uuid, ostype, &m, &err))
		goto api_fail;
	{
		char *dir = path_dirname(path);
		int mk = dir ? path_mkdirs(dir, 0755) : -ENOMEM;

		free(dir);
		if (mk) {
			vb_err(&err, -mk, VBOX_E_FILE_ERROR,
			       "Could not create the directory for '%s' (%s)",
			       path, strerror(-mk));
			goto api_fail;
		}
	}
	if (machine_lock(m, &err) || machine_save(m, &err))
		goto api_fail;
	machine_unlock(m);
	if (reg && vbox_register_machine(vb, m, &err)) {
		rc = vbm_api_error(&err, "RegisterMachine(machine)",
				   "VBoxManageMisc.cpp", 424);
		goto out;
	}
	printf("Virtual machine '%s' is created%s.\n", name,
	       reg ? " and registered" : "");
	printf("UUID: %s\n", vb_uuid_fmt(&uuid, ub));
	printf("Settings file: '%s'\n", path);
	rc = VBM_OK;
	goto out;
api_fail:
	rc = vbm_api_error(&err, "SaveSettings()", "VBoxManageMisc.cpp", 418);
out:
	machine_free(m);
	free(folder);
	free(grp);
	free(path);
	return rc;
}

const struct vbm_help help_createvm = {
	"create a new virtual machine",
	"VBoxManage createvm --name=name [--basefolder=basefolder] [--default]\n"
	"     [--groups=group-ID[,...]] [--ostype=OSType] [--register] [--uuid=UUID]\n"
	"     [--cipher=cipher] [--password-id=password-id] [--password=file]",
	"Creates the settings file of a new virtual machine, optionally adds it\n"
	"to the list of machines (--register).\n",
};
