/*
 * registervm / unregistervm: add a machine file to the MachineRegistry of
 * VirtualBox.xml, or take it out (optionally deleting its files).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/vboxmanage/commands.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"

int cmd_registervm(struct vbm_ctx *ctx, int argc, char **argv)
{
	static const struct vb_option opts[] = {
		{ "--password", 'p', VBGO_STRING },
	};
	struct vb_error err = { 0 };
	struct vb_getopt g;
	struct machine *m;
	const char *file = NULL;
	struct vbox *vb;
	char *abs;
	int c, rc;

	vb_getopt_init(&g, argc, argv, 1, opts, 1);
	while ((c = vb_getopt_next(&g)) != VBGO_END) {
		if (c == 'p')
			continue;       /* encrypted VMs: password unused */
		if (c == VBGO_NOT_OPTION && !file) {
			file = g.v.str;
			continue;
		}
		return vbm_getopt_error(ctx, &g, c);
	}
	if (!file)
		return vbm_syntax(ctx, "No VM name or settings file specified");
	vb = vbm_vbox(ctx);
	if (!vb)
		return VBM_FAIL;
	abs = path_abs(file);
	if (!abs)
		return VBM_FAIL;
	rc = machine_load(vb, abs, &m, &err);
	free(abs);
	if (rc) {
		vb_err_where(&err, "MachineWrap", "IMachine", NULL);
		return vbm_api_error(&err,
				     "OpenMachine(Bstr(VMName).raw(), Bstr(bstrPasswd).raw(), machine.asOutParam())",
				     "VBoxManageMisc.cpp", 137);
	}
	rc = vbox_register_machine(vb, m, &err);
	machine_free(m);
	if (rc)
		return vbm_api_error(&err, "RegisterMachine(machine)",
				     "VBoxManageMisc.cpp", 141);
	return VBM_OK;
}

/* Remove a directory if it is empty (ignoring errors). */
static void rmdir_if_empty(const char *dir)
{
	rmdir(dir);
}

/* Delete the machine's own files: settings, its -prev/-tmp companions,
 * logs, and the folder when nothing else is left in it. */
static void delete_machine_files(struct machine *m)
{
	const char *path = machine_path(m);
	char *s, *logs;
	static const char *const suffixes[] = { "", "-prev", "-tmp" };
	unsigned i;

	for (i = 0; i < 3; i++) {
		s = vb_asprintf("%s%s", path, suffixes[i]);
		if (s) {
			unlink(s);
			free(s);
		}
	}
	logs = path_join(machine_folder(m), "Logs");
	if (logs) {
		DIR *d = opendir(logs);
		struct dirent *e;

		while (d && (e = readdir(d))) {
			if (!strncmp(e->d_name, "VBox.log", 8) ||
			    !strncmp(e->d_name, "VBoxHardening.log", 17)) {
				s = path_join(logs, e->d_name);
				if (s)
					unlink(s);
				free(s);
			}
		}
		if (d)
			closedir(d);
		rmdir_if_empty(logs);
		free(logs);
	}
	s = path_join(machine_folder(m), "Snapshots");
	if (s)
		rmdir_if_empty(s);
	free(s);
	rmdir_if_empty(machine_folder(m));
}

int cmd_unregistervm(struct vbm_ctx *ctx, int argc, char **argv)
{
	static const struct vb_option opts[] = {
		{ "--delete", 'd', VBGO_NOVAL },
		{ "-delete", 'd', VBGO_NOVAL },
		{ "--delete-all", 'a', VBGO_NOVAL },
		{ "-delete-all", 'a', VBGO_NOVAL },
	};
	struct vb_error err = { 0 };
	struct vb_getopt g;
	struct vbm_progress pr;
	const char *spec = NULL;
	bool del = false;
	struct machine *m;
	struct vbox *vb;
	int c, rc;

	vb_getopt_init(&g, argc, argv, 1, opts, 4);
	while ((c = vb_getopt_next(&g)) != VBGO_END) {
		if (c == 'd' || c == 'a') {
			del = true;
			continue;
		}
		if (c == VBGO_NOT_OPTION && !spec) {
			spec = g.v.str;
			continue;
		}
		if (c == VBGO_NOT_OPTION)
			return vbm_syntax(ctx, "Invalid parameter '%s'", g.v.str);
		return vbm_getopt_error(ctx, &g, c);
	}
	if (!spec)
		return vbm_syntax(ctx, "VM name required");
	vb = vbm_vbox(ctx);
	if (!vb)
		return VBM_FAIL;
	m = vbm_find_machine(ctx, spec, "VBoxManageMisc.cpp", 188);
	if (!m)
		return VBM_FAIL;
	rc = vbox_unregister_machine(vb, machine_uuid(m), &err);
	if (rc) {
		machine_free(m);
		return vbm_api_error(&err,
				     "Unregister(CleanupMode_DetachAllReturnHardDisksOnly, ComSafeArrayAsOutParam(aMedia))",
				     "VBoxManageMisc.cpp", 192);
	}
	if (del) {
		vbm_progress_start(&pr);
		delete_machine_files(m);
		vbm_progress_done(&pr, true);
	}
	machine_free(m);
	return VBM_OK;
}

const struct vbm_help help_registervm = {
	"register a virtual machine",
	"VBoxManage registervm <filename> [--password file]",
	"Adds an existing machine settings file (.vbox) to the list of machines\n"
	"of this installation.\n",
};

const struct vbm_help help_unregistervm = {
	"unregister a virtual machine",
	"VBoxManage unregistervm <uuid | vmname> [--delete] [--delete-all]",
	"Removes a machine from the list of machines of this installation.\n"
	"--delete also deletes its settings file, logs and the hard disks\n"
	"attached to it; --delete-all deletes DVD and floppy images as well.\n",
};
