/*
 * getextradata / setextradata: machine and global extra data
 * (<ExtraData><ExtraDataItem name= value=/>, sorted by name).
 */
#include <stdio.h>
#include <string.h>

#include "cmd/vboxmanage/commands.h"

static void print_items(struct snode *ed)
{
	struct snode *it;

	for (it = snode_child(ed, "ExtraDataItem"); it;
	     it = snode_next(it, "ExtraDataItem"))
		printf("Key: %s, Value: %s\n", snode_attr(it, "name") ?: "",
		       snode_attr(it, "value") ?: "");
}

int cmd_getextradata(struct vbm_ctx *ctx, int argc, char **argv)
{
	struct vbox *vb;
	struct machine *m = NULL;
	struct snode *ed;
	const char *val;
	bool enumerate;

	argc--;
	argv++;
	if (argc > 2 || argc < 1)
		return vbm_syntax(ctx, "Incorrect number of parameters");
	vb = vbm_vbox(ctx);
	if (!vb)
		return VBM_FAIL;
	enumerate = argc < 2 || !strcmp(argv[1], "enumerate");
	if (!strcmp(argv[0], "global")) {
		ed = vbox_global_node(vb, "ExtraData", false);
		if (enumerate) {
			print_items(ed);
			return VBM_OK;
		}
		val = vbox_extradata_get(vb, argv[1]);
	} else {
		m = vbm_find_machine(ctx, argv[0], "VBoxManageMisc.cpp", 551);
		if (!m)
			return VBM_FAIL;
		if (enumerate) {
			print_items(machine_elem(m, ME_EXTRADATA, false));
			machine_free(m);
			return VBM_OK;
		}
		val = machine_extradata_get(m, argv[1]);
	}
	if (val && *val)
		printf("Value: %s\n", val);
	else
		printf("No value set!\n");
	machine_free(m);
	return VBM_OK;
}

int cmd_setextradata(struct vbm_ctx *ctx, int argc, char **argv)
{
	struct vb_error err = { 0 };
	struct vbox *vb;
	struct machine *m;
	const char *value;
	int rc;

	argc--;
	argv++;
	if (argc < 2)
		return vbm_syntax(ctx, "Not enough parameters");
	if (argc > 3)
		return vbm_syntax(ctx, "Too many parameters");
	value = argc > 2 ? argv[2] : NULL;
	vb = vbm_vbox(ctx);
	if (!vb)
		return VBM_FAIL;
	if (!strcmp(argv[0], "global")) {
		rc = vbox_global_lock(vb, &err);
		if (!rc)
			rc = vbox_extradata_set(vb, argv[1], value, &err);
		if (!rc)
			rc = vbox_global_commit(vb, &err);
		else
			vbox_global_unlock(vb);
		if (rc)
			return vbm_api_error(&err,
					     "SetExtraData(Bstr(a->argv[1]).raw(), Bstr(a->argv[2]).raw())",
					     "VBoxManageMisc.cpp", 611);
		return VBM_OK;
	}
	m = vbm_find_machine(ctx, argv[0], "VBoxManageMisc.cpp", 619);
	if (!m)
		return VBM_FAIL;
	rc = machine_lock(m, &err);
	if (!rc)
		rc = machine_extradata_set(m, argv[1], value, &err);
	if (!rc)
		rc = machine_save(m, &err);
	machine_free(m);
	if (rc)
		return vbm_api_error(&err,
				     "SetExtraData(Bstr(a->argv[1]).raw(), Bstr(a->argv[2]).raw())",
				     "VBoxManageMisc.cpp", 626);
	return VBM_OK;
}

const struct vbm_help help_getextradata = {
	"view keyword values that are associated with a virtual machine or "
	"configuration",
	"VBoxManage\bgetextradata <global | uuid | vmname> keyword | enumerate",
	"Shows the extra data value stored under a key for a virtual machine or\n"
	"for the whole installation (\"global\"), or lists every key with\n"
	"\"enumerate\".\n",
};

const struct vbm_help help_setextradata = {
	"set a keyword value that is associated with a virtual machine or "
	"configuration",
	"VBoxManage\bsetextradata <global | uuid | vmname> <keyword> [value]",
	"Stores a value under a key for a virtual machine or for the whole\n"
	"installation (\"global\").  Without a value the key is removed.\n",
};
