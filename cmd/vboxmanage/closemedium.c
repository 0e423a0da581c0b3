/*
 * closemedium: forget a medium (remove it from its media registry),
 * optionally deleting its files.  Refused, as VirtualBox refuses it, while
 * a machine or a snapshot still attaches the medium or while it has
 * differencing children.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/vboxmanage/commands.h"
#include "cmd/vboxmanage/medium.h"
#include "lib/util/strbuf.h"

static int remove_item(void *arg, struct snode *item, struct snode *reg,
		       const char *base, struct vb_error *err)
{
	struct snode *list;

	if (!item)
		return 0;
	list = snode_parent(item);
	snode_remove(item);
	if (list && !strcmp(snode_name(list), mediareg_list_name(*(int *)arg)))
		snode_prune_empty(list, snode_parent(reg));
	return 0;
}

int cmd_closemedium(struct vbm_ctx *ctx, int argc, char **argv)
{
	static const struct vb_option opts[] = {
		{ "--delete", 'r', VBGO_NOVAL },
	};
	struct vb_getopt g;
	const char *spec = NULL;
	struct vbm_medium med = { 0 };
	struct vb_error err = { 0 };
	struct mediareg_use *uses = NULL;
	unsigned nuses = 0, i;
	bool del = false;
	int kind = -1, c, rc = VBM_FAIL;

	vb_getopt_init(&g, argc, argv, 1, opts, VB_ARRAY_SIZE(opts));
	while ((c = vb_getopt_next(&g)) != VBGO_END) {
		if (c == 'r') {
			del = true;
		} else if (c == VBGO_NOT_OPTION) {
			const char **slot[] = { &spec };
			int r = vbm_medium_word(ctx, g.v.str, &kind, slot, 1);

			if (r)
				return r;
		} else if (c == VBGO_ERR_UNKNOWN) {
			return vbm_syntax(ctx, "unknown option: %s", g.arg);
		} else {
			return vbm_getopt_error(ctx, &g, c);
		}
	}
	if (kind < 0)
		kind = MR_HDD;
	if (!spec)
		return vbm_syntax(ctx, "Medium name or UUID required");
	if (vbm_medium_open(ctx, spec, kind, false, &med))
		return VBM_FAIL;
	if (mediareg_uses(vbm_vbox(ctx), &med.e.uuid, &uses, &nuses)) {
		vb_err(&err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
		vbm_medium_error(&err, "Close()", 1146);
		goto out;
	}
	if (nuses) {
		if (del) {
			struct strbuf sb = STRBUF_INIT;
			char ub[40];

			for (i = 0; i < nuses; i++)
				sb_addf(&sb, "%s%s", i ? " " : "",
					vb_uuid_fmt(&uses[i].vm_uuid, ub));
			vb_err(&err, EBUSY, VBOX_E_OBJECT_IN_USE,
			       "Cannot delete storage: medium '%s' is still attached to the following %u virtual machine(s): %s",
			       med.e.location, nuses, sb_str(&sb));
			sb_release(&sb);
			vbm_medium_error(&err, "DeleteStorage(pProgress.asOutParam())",
					 1134);
			vbm_error("Failed to delete medium. Error code %s",
				  vb_hrc_name(VBOX_E_OBJECT_IN_USE));
		}
		vb_err(&err, EBUSY, VBOX_E_OBJECT_IN_USE,
		       "Medium '%s' cannot be closed because it is still attached to %u virtual machines",
		       med.e.location, nuses);
		vbm_medium_error(&err, "Close()", 1146);
		goto out;
	}
	if (med.e.node && mediareg_child_count(med.e.node)) {
		vb_err(&err, EBUSY, VBOX_E_OBJECT_IN_USE,
		       "Cannot close medium '%s' because it has %u child media",
		       med.e.location, mediareg_child_count(med.e.node));
		vbm_medium_error(&err, del ? "DeleteStorage(pProgress.asOutParam())" :
				 "Close()", del ? 1134 : 1146);
		goto out;
	}
	if (del) {
		struct vbm_progress p;

		vbm_progress_start(&p);
		if (media_delete(med.e.location, &err)) {
			fprintf(stderr, "\nProgress state: %s\n",
				vb_hrc_name(err.hrc ? err.hrc : VB_E_FAIL));
			vb_err_where(&err, "MediumWrap", "IMedium", NULL);
			vbm_api_error_head("Failed to delete medium", &err,
					   "RTEXITCODE handleCloseMedium(HandlerArg*)",
					   "VBoxManageDisk.cpp", 1137);
			goto out;
		}
		vbm_progress_done(&p, true);
	}
	if (vbm_registry_edit(ctx, &med.e, remove_item, &kind, &err)) {
		vbm_medium_error(&err, "Close()", 1146);
		goto out;
	}
	rc = VBM_OK;
out:
	mediareg_uses_free(uses, nuses);
	vbm_medium_release(&med);
	return rc;
}

const struct vbm_help help_closemedium = {
	"remove a medium from the media registry",
	"VBoxManage closemedium [disk | dvd | floppy] < uuid | filename > [--delete]",
	"Removes a medium from the media registry; with --delete its files are\n"
	"deleted too.  A medium attached to a machine or a snapshot, or one\n"
	"with differencing children, cannot be closed.\n",
};
