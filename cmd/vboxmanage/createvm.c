/*
 * createvm: a new machine settings file, as VBoxManage 7.0's
 * handleCreateVM over IVirtualBox::ComposeMachineFilename, CreateMachine,
 * IMachine::SaveSettings/ApplyDefaults and IVirtualBox::RegisterMachine.
 *
 *   <base folder or default machine folder>/[<first group>]/<name>/<name>.vbox
 *
 * A relative base folder is taken relative to the VirtualBox home, as in
 * VirtualBox.  Full-VM encryption (--cipher/--password-id/--password) needs
 * VirtualBox's crypto extension pack; without one VirtualBox refuses it
 * and so do we.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/vboxmanage/commands.h"
#include "lib/settings/newvm.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"

#define CTX_COMPOSE "ComposeMachineFilename(bstrName.raw(), bstrPrimaryGroup.raw(), createFlags.raw(), bstrBaseFolder.raw(), bstrSettingsFile.asOutParam())"
#define CTX_CREATE "CreateMachine(bstrSettingsFile.raw(), bstrName.raw(), ComSafeArrayAsInParam(groups), bstrOsTypeId.raw(), createFlags.raw(), bstrCipher.raw(), bstrPasswordId.raw(), Bstr(strPassword).raw(), machine.asOutParam())"

enum { O_NAME = 'n', O_GROUPS = 'g', O_BASEFOLDER = 'p', O_OSTYPE = 'o',
       O_UUID = 'u', O_REGISTER = 'r', O_DEFAULT = 'd', O_CIPHER = 'c',
       O_PWID = 'i', O_PW = 'w' };

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
	{ "-cipher", O_CIPHER, VBGO_STRING },
	{ "--password-id", O_PWID, VBGO_STRING },
	{ "-password-id", O_PWID, VBGO_STRING },
	{ "--password", O_PW, VBGO_STRING },
	{ "-password", O_PW, VBGO_STRING },
};

struct groups {
	char **v;
	unsigned n;
};

static void groups_free(struct groups *g)
{
	unsigned i;

	for (i = 0; i < g->n; i++)
		free(g->v[i]);
	free(g->v);
	g->v = NULL;
	g->n = 0;
}

/* "--groups a,b" adds to the list (VBoxManage's parseGroups). */
static int groups_parse(struct groups *g, const char *s)
{
	while (s) {
		const char *comma = strchr(s, ',');
		size_t n = comma ? (size_t)(comma - s) : strlen(s);
		char **nv = realloc(g->v, (g->n + 1) * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		g->v = nv;
		g->v[g->n] = strndup(s, n);
		if (!g->v[g->n])
			return -ENOMEM;
		g->n++;
		s = comma ? comma + 1 : NULL;
	}
	return 0;
}

/* IVirtualBox's group check; with primary set, a path component other
 * than the last may not be the name of a registered machine. */
static int group_check(struct vbox *vb, const char *group, bool primary,
		       struct vb_error *err)
{
	unsigned i, n;

	if (settings_group_check(group)) {
		vb_err(err, EINVAL, VB_E_INVALIDARG,
		       "Invalid machine group '%s'", group);
		goto fail;
	}
	if (!primary || !strcmp(group, "/"))
		return 0;
	n = vbox_machine_count(vb);
	for (const char *p = group + 1; strchr(p, '/'); p = strchr(p, '/') + 1) {
		size_t len = (size_t)(strchr(p, '/') - p);

		for (i = 0; i < n; i++) {
			struct machine *m;
			bool same;

			if (vbox_machine_open_at(vb, i, &m, NULL))
				continue;
			same = machine_accessible(m) &&
			       strlen(machine_name(m)) == len &&
			       !strncmp(machine_name(m), p, len);
			machine_free(m);
			if (same) {
				vb_err(err, EINVAL, VB_E_INVALIDARG,
				       "Machine group '%s' conflicts with a virtual machine name",
				       group);
				goto fail;
			}
		}
	}
	return 0;
fail:
	vb_err_where(err, "VirtualBoxWrap", "IVirtualBox", "nsISupports");
	return -EINVAL;
}

/* <base>/<group>/<name>/<name>.vbox with the names sanitised. */
static char *compose_path(struct vbox *vb, const char *base, const char *name,
			  const char *group)
{
	char *dir = NULL, *fname = strdup(name), *path = NULL;

	if (!fname || settings_sanitise_name(fname))
		goto out;
	if (base && *base)
		dir = path_is_abs(base) ? strdup(base)
					: path_abs_from(vbox_home(vb), base);
	else
		dir = vbox_machine_folder(vb);
	if (!dir)
		goto out;
	path = vb_asprintf("%s%s/%s/%s.vbox", dir,
			   strcmp(group, "/") ? group : "", fname, fname);
out:
	free(fname);
	free(dir);
	return path;
}

/* The password of --password (a file, or "-" for the terminal), only to
 * report the same failures as VirtualBox. */
static int read_password(const char *spec)
{
	char buf[512];
	size_t n;
	FILE *f;

	if (!strcmp(spec, "-"))
		return 0;
	f = strcmp(spec, "stdin") ? fopen(spec, "r") : stdin;
	if (!f) {
		vbm_error("Cannot open password file '%s' (%s)", spec,
			  vbm_vrc_name(errno));
		vbm_error("Failed to read new password from file");
		return -1;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	if (f != stdin)
		fclose(f);
	buf[n] = '\0';
	if (n >= sizeof(buf) - 1 && strcspn(buf, "\r\n") >= sizeof(buf) - 1) {
		vbm_error("Provided password in file '%s' is too long", spec);
		vbm_error("Failed to read new password from file");
		return -1;
	}
	return 0;
}

static int save(struct machine *m, struct vb_error *err)
{
	int rc = machine_lock(m, err);

	if (!rc)
		rc = machine_save(m, err);
	machine_unlock(m);
	return rc;
}

int cmd_createvm(struct vbm_ctx *ctx, int argc, char **argv)
{
	const char *name = NULL, *base = NULL, *ostype = NULL;
	const char *cipher = NULL, *pwid = NULL, *pw = NULL;
	bool reg = false, dflt = false, have_uuid = false;
	struct groups groups = { NULL, 0 };
	const char *const *glist;
	const char *slash = "/";
	struct vb_error err = { 0 };
	const struct ostype *ot;
	struct vb_uuid uuid;
	struct vb_getopt g;
	struct machine *m = NULL;
	struct vbox *vb;
	char *path = NULL, *dir;
	char ub[40];
	unsigned i, ng;
	int c, rc = VBM_FAIL;

	vb_getopt_init(&g, argc, argv, 1, createvm_opts,
		       sizeof(createvm_opts) / sizeof(createvm_opts[0]));
	while ((c = vb_getopt_next(&g)) != VBGO_END) {
		switch (c) {
		case O_NAME: name = g.v.str; break;
		case O_GROUPS:
			if (groups_parse(&groups, g.v.str))
				goto oom;
			break;
		case O_BASEFOLDER: base = g.v.str; break;
		case O_OSTYPE: ostype = g.v.str; break;
		case O_UUID: uuid = g.v.uuid; have_uuid = true; break;
		case O_REGISTER: reg = true; break;
		case O_DEFAULT: dflt = true; break;
		case O_CIPHER: cipher = g.v.str; break;
		case O_PWID: pwid = g.v.str; break;
		case O_PW: pw = g.v.str; break;
		default:
			groups_free(&groups);
			return vbm_getopt_error(ctx, &g, c);
		}
	}
	if (!name || !*name) {
		groups_free(&groups);
		return vbm_syntax(ctx, "Parameter --name is required");
	}
	vb = vbm_vbox(ctx);
	if (!vb)
		goto out;
	if (!have_uuid || vb_uuid_is_zero(&uuid))
		if (vb_uuid_generate(&uuid))
			goto oom;

	/* ComposeMachineFilename: the primary group decides the folder */
	{
		const char *primary = groups.n && *groups.v[0] ? groups.v[0]
							       : "/";

		if (group_check(vb, primary, true, &err)) {
			rc = vbm_api_error(&err, CTX_COMPOSE,
					   "VBoxManageMisc.cpp", 375);
			goto out;
		}
		path = compose_path(vb, base, name, primary);
		if (!path) {
			vb_err(&err, EINVAL, VB_E_INVALIDARG,
			       "Machine name is invalid, must not be empty");
			vb_err_where(&err, "VirtualBoxWrap", "IVirtualBox",
				     "nsISupports");
			rc = vbm_api_error(&err, CTX_COMPOSE,
					   "VBoxManageMisc.cpp", 375);
			goto out;
		}
	}
	if (pw && read_password(pw))
		goto out;

	/* CreateMachine: every group, encryption, the settings file */
	for (i = 0; i < groups.n; i++) {
		if (!*groups.v[i]) {
			free(groups.v[i]);
			groups.v[i] = strdup("/");
			if (!groups.v[i])
				goto oom;
		}
		if (group_check(vb, groups.v[i], i == 0, &err)) {
			rc = vbm_api_error(&err, CTX_CREATE,
					   "VBoxManageMisc.cpp", 406);
			goto out;
		}
	}
	if (pw && *pw && pwid && *pwid) {
		vb_err(&err, ENOENT, VBOX_E_OBJECT_NOT_FOUND,
		       "\xc5\x83o extension pack providing a cryptographic support module could be found");
		vb_err_where(&err, "VirtualBoxWrap", "IVirtualBox",
			     "nsISupports");
		rc = vbm_api_error(&err, CTX_CREATE, "VBoxManageMisc.cpp", 406);
		goto out;
	}
	(void)cipher;
	if (access(path, F_OK) == 0) {
		vb_err(&err, EEXIST, VBOX_E_FILE_ERROR,
		       "Machine settings file '%s' already exists", path);
		vb_err_where(&err, "MachineWrap", "IMachine", "nsISupports");
		rc = vbm_api_error(&err, CTX_CREATE, "VBoxManageMisc.cpp", 406);
		goto out;
	} else if (errno != ENOENT && errno != ENOTDIR) {
		vb_err(&err, errno, VBOX_E_FILE_ERROR,
		       "Invalid machine settings file name '%s' (%s)", path,
		       vbm_vrc_name(errno));
		vb_err_where(&err, "MachineWrap", "IMachine", "nsISupports");
		rc = vbm_api_error(&err, CTX_CREATE, "VBoxManageMisc.cpp", 406);
		goto out;
	}
	ot = ostype ? ostype_find(ostype) : NULL;
	if (machine_create(vb, path, name, &uuid,
			   ot ? ot->id : ostype ? ostype : "", &m, &err))
		goto api_create;
	ng = groups.n;
	glist = (const char *const *)groups.v;
	if (!ng) {
		glist = &slash;
		ng = 1;
	}
	if (machine_init_new(m, ot, glist, ng, &err))
		goto api_create;

	/* SaveSettings */
	dir = path_dirname(path);
	if (!dir)
		goto oom;
	if (!path_is_dir(dir)) {
		int mk = path_mkdirs(dir, 0700);

		if (mk) {
			vb_err(&err, -mk, VB_E_FAIL,
			       "Could not create a directory '%s' to save the settings file (%s)",
			       dir, vbm_vrc_name(mk));
			vb_err_where(&err, "MachineWrap", "IMachine",
				     "nsISupports");
			free(dir);
			rc = vbm_api_error(&err, "SaveSettings()",
					   "VBoxManageMisc.cpp", 408);
			goto out;
		}
	}
	free(dir);
	if (save(m, &err)) {
		vb_err_where(&err, "MachineWrap", "IMachine", "nsISupports");
		rc = vbm_api_error(&err, "SaveSettings()", "VBoxManageMisc.cpp",
				   408);
		goto out;
	}
	if (dflt) {
		if (machine_lock(m, &err) || machine_apply_defaults(m, &err)) {
			machine_unlock(m);
			rc = vbm_api_error(&err,
					   "ApplyDefaults(bstrDefaultFlags.raw())",
					   "VBoxManageMisc.cpp", 412);
			goto out;
		}
		if (save(m, &err)) {
			vb_err_where(&err, "MachineWrap", "IMachine",
				     "nsISupports");
			rc = vbm_api_error(&err, "SaveSettings()",
					   "VBoxManageMisc.cpp", 413);
			goto out;
		}
	}
	if (reg && vbox_register_machine(vb, m, &err)) {
		rc = vbm_api_error(&err, "RegisterMachine(machine)",
				   "VBoxManageMisc.cpp", 417);
		goto out;
	}
	printf("Virtual machine '%s' is created%s.\n", name,
	       reg ? " and registered" : "");
	printf("UUID: %s\n", vb_uuid_fmt(&uuid, ub));
	printf("Settings file: '%s'\n", machine_path(m));
	rc = VBM_OK;
	goto out;
api_create:
	vb_err_where(&err, "MachineWrap", "IMachine", "nsISupports");
	rc = vbm_api_error(&err, CTX_CREATE, "VBoxManageMisc.cpp", 406);
	goto out;
oom:
	vbm_error("Out of memory");
	rc = VBM_FAIL;
out:
	machine_free(m);
	groups_free(&groups);
	free(path);
	return rc;
}

const struct vbm_help help_createvm = {
	"create a new virtual machine",
	"VBoxManage\bcreatevm <--name=name> [--basefolder=basefolder] "
	"[--default] [--group=group-ID,...] [--ostype=ostype] [--register] "
	"[--uuid=uuid] [--cipher\bcipher] [--password-id\bpassword-id] "
	"[--password\bfile]",
	"Creates the settings file of a new virtual machine and, with\n"
	"--register, adds the machine to the list of this installation.\n"
	"\n"
	"The file is <base folder>/<group>/<name>/<name>.vbox: the base\n"
	"folder is the default machine folder unless --basefolder names\n"
	"another (relative to the VirtualBox configuration directory), the\n"
	"group the first one of --groups (a comma-separated list of paths\n"
	"such as /projects/web).  Characters that do not belong in file\n"
	"names are replaced by underscores in the folder and file name.\n"
	"\n"
	"--ostype selects the guest OS type (see \"VBoxManage list ostypes\");\n"
	"the machine then gets 128 MB of memory and a NAT network adapter of\n"
	"the type the OS prefers.  --default applies all settings recommended\n"
	"for the OS type: memory, CPUs, graphics, firmware, audio, USB and\n"
	"storage controllers for a hard disk and a DVD drive.  --uuid gives\n"
	"the machine a chosen UUID.\n",
};
