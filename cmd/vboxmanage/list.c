/*
 * list: registered machines, running machines and the other inventories.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/vboxmanage/commands.h"

struct vm_line {
	char *name;
	char uuid[40];
};

static int cmp_vm(const void *a, const void *b)
{
	const struct vm_line *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static int list_vms(struct vbm_ctx *ctx, bool sorted, bool running_only)
{
	struct vbox *vb = vbm_vbox(ctx);
	struct vm_line *v;
	unsigned i, n, k = 0;

	if (!vb)
		return VBM_FAIL;
	if (running_only)
		return VBM_OK;  /* no VM process can run yet */
	n = vbox_machine_count(vb);
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return VBM_FAIL;
	for (i = 0; i < n; i++) {
		struct machine *m;
		struct vb_uuid u;

		if (vbox_machine_open_at(vb, i, &m, NULL))
			continue;
		vbox_machine_entry_uuid(vb, i, &u);
		v[k].name = strdup(machine_accessible(m) ? machine_name(m)
							 : "<inaccessible>");
		vb_uuid_fmt(&u, v[k].uuid);
		machine_free(m);
		if (v[k].name)
			k++;
	}
	if (sorted)
		qsort(v, k, sizeof(*v), cmp_vm);
	for (i = 0; i < k; i++) {
		printf("\"%s\" {%s}\n", v[i].name, v[i].uuid);
		free(v[i].name);
	}
	free(v);
	return VBM_OK;
}

int cmd_list(struct vbm_ctx *ctx, int argc, char **argv)
{
	static const struct vb_option opts[] = {
		{ "--long", 'l', VBGO_NOVAL },
		{ "--sorted", 's', VBGO_NOVAL },
		{ "--multiple", 'm', VBGO_NOVAL },
	};
	struct vb_getopt g;
	const char *what = NULL;
	bool sorted = false, long_fmt = false;
	int c;

	vb_getopt_init(&g, argc, argv, 1, opts, 3);
	while ((c = vb_getopt_next(&g)) != VBGO_END) {
		if (c == 's') {
			sorted = true;
			continue;
		}
		if (c == 'l') {
			long_fmt = true;
			continue;
		}
		if (c == 'm')
			continue;
		if (c == VBGO_NOT_OPTION) {
			if (what)
				return vbm_syntax(ctx, "Unknown subcommand \"%s\".",
						  g.v.str);
			what = g.v.str;
			continue;
		}
		return vbm_getopt_error(ctx, &g, c);
	}
	if (!what)
		return vbm_syntax(ctx, "Missing subcommand for \"list\" command.");
	if (!strcmp(what, "vms"))
		return list_vms(ctx, sorted, false);
	if (!strcmp(what, "runningvms"))
		return list_vms(ctx, sorted, true);
	if (!strcmp(what, "hdds"))
		return vbm_list_media(ctx, 0, long_fmt);
	if (!strcmp(what, "dvds"))
		return vbm_list_media(ctx, 1, long_fmt);
	if (!strcmp(what, "floppies"))
		return vbm_list_media(ctx, 2, long_fmt);
	return vbm_syntax(ctx, "Unknown subcommand \"%s\".", what);
}

const struct vbm_help help_list = {
	"list information about the system and settings",
	"VBoxManage list [--long] [--multiple] [--sorted] [bridgedifs | cloudnets |\n"
	"     cloudprofiles | cloudproviders | cpu-profiles | dhcpservers | dvds |\n"
	"     extpacks | floppies | groups | hddbackends | hdds | hostcpuids | hostdrives |\n"
	"     hostdvds | hostfloppies | hostinfo | hostonlyifs | hostonlynets | intnets |\n"
	"     natnets | ostypes | runningvms | screenshotformats | systemproperties |\n"
	"     usbfilters | usbhost | vms | webcams]",
	"Lists registered machines, media, networks, host facts and other\n"
	"information, one kind at a time.\n",
};
