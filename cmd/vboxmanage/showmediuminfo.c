/*
 * showmediuminfo (showhdinfo, showvdiinfo) and the medium part of list:
 * hdds, dvds, floppies, in showMediumInfo()'s layout.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/vboxmanage/commands.h"
#include "cmd/vboxmanage/medium.h"

int cmd_showmediuminfo(struct vbm_ctx *ctx, int argc, char **argv)
{
	struct vb_getopt g;
	const char *spec = NULL;
	struct vbm_medium med = { 0 };
	int kind = -1, c;
	char pb[40];

	vb_getopt_init(&g, argc, argv, 1, NULL, 0);
	while ((c = vb_getopt_next(&g)) != VBGO_END) {
		if (c == VBGO_NOT_OPTION) {
			const char **slot[] = { &spec };
			int r = vbm_medium_word(ctx, g.v.str, &kind, slot, 1);

			if (r)
				return r;
			continue;
		}
		if (c == VBGO_ERR_UNKNOWN)
			return vbm_syntax(ctx, "unknown option: %s", g.arg);
		return vbm_getopt_error(ctx, &g, c);
	}
	if (kind < 0)
		kind = MR_HDD;
	if (!spec)
		return vbm_syntax(ctx, "Medium name or UUID required");
	if (vbm_medium_open(ctx, spec, kind, false, &med))
		return VBM_FAIL;
	vbm_medium_print(ctx, &med.e, med.e.has_parent ?
			 vb_uuid_fmt(&med.e.parent, pb) : "base", true);
	vbm_medium_release(&med);
	return VBM_OK;
}

struct list_ctx {
	struct vbm_ctx *ctx;
	bool long_fmt;
};

static int list_one(void *arg, const struct mediareg_entry *e, unsigned depth)
{
	struct list_ctx *l = arg;
	char pb[40];
	const char *parent = NULL;

	if (e->kind == MR_HDD)
		parent = e->has_parent ? vb_uuid_fmt(&e->parent, pb) : "base";
	vbm_medium_print(l->ctx, e, parent, l->long_fmt);
	putchar('\n');
	return 0;
}

int vbm_list_media(struct vbm_ctx *ctx, int kind, bool long_fmt)
{
	struct list_ctx l = { ctx, long_fmt };
	struct vbox *vb = vbm_vbox(ctx);

	if (!vb)
		return VBM_FAIL;
	mediareg_walk(vb, (enum mediareg_kind)kind, list_one, &l);
	return VBM_OK;
}

const struct vbm_help help_showmediuminfo = {
	"show medium information",
	"VBoxManage showmediuminfo [disk | dvd | floppy] < uuid | filename >",
	"Shows what is known about a medium: its state, type, location, format,\n"
	"size, properties, the machines that use it and its children.\n",
};
