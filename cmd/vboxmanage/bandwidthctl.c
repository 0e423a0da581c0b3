/*
 * bandwidthctl <vm> add|set|remove|list: the machine's bandwidth groups
 * (<Hardware><IO><BandwidthGroups>), as VBoxManage 7.0's
 * handleBandwidthControl over IBandwidthControl, quirks included: a
 * refused add/remove on a running machine and an unknown sub-command
 * report an error yet exit as VirtualBox does (0 and 1), and an unknown
 * option of add does not stop the group from being created.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/vboxmanage/commands.h"

#define FILE_BW "VBoxManageBandwidthControl.cpp"
#define K1 1024LL
#define M1 (1024LL * 1024)
#define G1 (1024LL * 1024 * 1024)
#define NET_MAX_GROUPS 8        /* PDM_NET_SHAPER_MAX_GROUPS */
#define NET_MAX_NAME 63         /* PDM_NET_SHAPER_MAX_NAME_LEN */

/* parseLimit: NULL or the error text. */
static const char *parse_limit(const char *s, int64_t *out)
{
	long long mult = M1, v;
	const char *p = s, *digits;
	bool neg = false;
	char *end;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	digits = p;
	if (!isdigit((unsigned char)*digits))
		return "No digits in limit specifier\n";
	errno = 0;
	v = strtoll(digits, &end, 10);
	if (errno == ERANGE)
		return "Limit is too big\n";
	if (neg)
		v = -v;
	if (*end) {
		const char *q = end;

		while (*q == ' ' || *q == '\t')
			q++;
		if (!*q)
			return "Trailing spaces in limit!\n";
		switch (*end) {
		case 'G': mult = G1; break;
		case 'M': mult = M1; break;
		case 'K': mult = K1; break;
		case 'g': mult = 125000000; break;
		case 'm': mult = 125000; break;
		case 'k': mult = 125; break;
		default:
			return "Invalid unit suffix. Valid suffixes are: k, m, g, K, M, G\n";
		}
	}
	if (v < 0)
		return "Limit cannot be negative\n";
	if (v > INT64_MAX / mult)
		return "Limit is too big\n";
	*out = v * mult;
	return NULL;
}

static int64_t group_limit(struct snode *g)
{
	if (snode_has_attr(g, "maxBytesPerSec"))
		return snode_i64(g, "maxBytesPerSec", 0);
	return snode_i64(g, "maxMbPerSec", 0) * M1;
}

static int set_limit(struct machine *m, struct snode *g, int64_t v)
{
	if (sdoc_version(machine_doc(m)) >= 13 || v % M1)
		return snode_set_i64(g, "maxBytesPerSec", v) ||
		       snode_set_attr(g, "maxMbPerSec", NULL);
	return snode_set_i64(g, "maxMbPerSec", v / M1);
}

static struct snode *groups(struct machine *m, bool create)
{
	struct snode *io = machine_elem(m, ME_IO, create);

	return create ? snode_ensure(io, "BandwidthGroups")
		      : snode_child(io, "BandwidthGroups");
}

/* Attachments (disks, network adapters) naming a group. */
static unsigned references(struct snode *n, const char *name)
{
	struct snode *c;
	unsigned r = 0;
	const char *bg = snode_attr(n, "bandwidthGroup");

	if (bg && !strcmp(bg, name))
		r++;
	for (c = snode_child(n, NULL); c; c = snode_next(c, NULL))
		if (strcmp(snode_name(c), "Snapshot") &&
		    strcmp(snode_name(c), "Snapshots"))
			r += references(c, name);
	return r;
}

static int bw_api(struct vb_error *err, const char *comp, const char *iface,
		  const char *context, int line)
{
	vb_err_where(err, comp, iface, "nsISupports");
	return vbm_api_error(err, context, FILE_BW, line);
}

/* The state check of a mutating IBandwidthControl call (mutable or
 * saved). */
static int mutable_or_saved(struct machine *m, const char *context, int line)
{
	return vbm_check_state(m, VBM_DEP_MUTABLE_OR_SAVED, context, FILE_BW,
			       line);
}

static int bw_add(struct vbm_ctx *ctx, struct machine *m, int argc,
		  char **argv)
{
	static const struct vb_option opts[] = {
		{ "--type", 't', VBGO_STRING },
		{ "--limit", 'l', VBGO_STRING },
	};
	static const char ctx_create[] =
		"CreateBandwidthGroup(name.raw(), enmType, (LONG64)cMaxBytesPerSec)";
	const char *name = argc > 2 ? argv[2] : "", *type = NULL, *e;
	int64_t limit = INT64_MAX;
	struct vb_error err = { 0 };
	struct snode *list, *g;
	struct vb_getopt go;
	bool net;
	int c;

	vbm_set_subcommand(ctx, "add");
	if (!*name) {
		vbm_syntax_arg("Bandwidth group name must not be empty!\n");
		return VBM_FAIL;
	}
	vb_getopt_init(&go, argc, argv, 3, opts, sizeof(opts) / sizeof(opts[0]));
	while ((c = vb_getopt_next(&go)) != VBGO_END) {
		if (c == 't') {
			type = go.v.str;
		} else if (c == 'l') {
			e = parse_limit(go.v.str, &limit);
			if (e) {
				vbm_syntax_arg("%s", e);
				return VBM_FAIL;
			}
		} else {
			/* reported, but the group is still made */
			vbm_getopt_error(ctx, &go, c);
			break;
		}
	}
	if (!type || (strcasecmp(type, "disk") && strcasecmp(type, "network"))) {
		vbm_syntax_arg("Invalid bandwidth group type\n");
		return VBM_FAIL;
	}
	net = !strcasecmp(type, "network");
	if (net && strlen(name) > NET_MAX_NAME) {
		vb_err(&err, EINVAL, VB_E_INVALIDARG,
		       "Bandwidth name is too long: %zu, max %u", strlen(name),
		       NET_MAX_NAME);
		return bw_api(&err, "BandwidthControlWrap", "IBandwidthControl",
			      ctx_create, 188);
	}
	if (mutable_or_saved(m, ctx_create, 188))
		return VBM_FAIL;
	list = groups(m, false);
	if (snode_child_with(list, "BandwidthGroup", "name", name)) {
		vb_err(&err, EEXIST, VBOX_E_OBJECT_IN_USE,
		       "Bandwidth group named '%s' already exists", name);
		return bw_api(&err, "BandwidthControlWrap", "IBandwidthControl",
			      ctx_create, 188);
	}
	if (net) {
		unsigned n = 0;

		for (g = snode_child(list, "BandwidthGroup"); g;
		     g = snode_next(g, "BandwidthGroup"))
			if (!strcmp(snode_attr(g, "type") ? snode_attr(g, "type")
				    : "", "Network"))
				n++;
		if (n >= NET_MAX_GROUPS) {
			vb_err(&err, ENOSPC, VB_E_FAIL,
			       "Too many network bandwidth groups (max %u)",
			       NET_MAX_GROUPS);
			return bw_api(&err, "BandwidthControlWrap",
				      "IBandwidthControl", ctx_create, 188);
		}
	}
	list = groups(m, true);
	g = list ? snode_add(list, "BandwidthGroup") : NULL;
	if (!g || snode_set_attr(g, "name", name) ||
	    snode_set_attr(g, "type", net ? "Network" : "Disk") ||
	    set_limit(m, g, limit)) {
		vbm_error("Out of memory");
		return VBM_FAIL;
	}
	return VBM_OK;
}

static int bw_set(struct vbm_ctx *ctx, struct machine *m, int argc,
		  char **argv)
{
	static const struct vb_option opts[] = {
		{ "--limit", 'l', VBGO_STRING },
	};
	const char *name = argc > 2 ? argv[2] : "", *e;
	int64_t limit = INT64_MAX;
	struct vb_error err = { 0 };
	struct vb_getopt go;
	struct snode *g;
	int c;

	vbm_set_subcommand(ctx, "set");
	vb_getopt_init(&go, argc, argv, 3, opts, sizeof(opts) / sizeof(opts[0]));
	while ((c = vb_getopt_next(&go)) != VBGO_END) {
		if (c == 'l') {
			e = parse_limit(go.v.str, &limit);
			if (e) {
				vbm_syntax_arg("%s", e);
				return VBM_FAIL;
			}
		} else {
			vbm_getopt_error(ctx, &go, c);
			break;
		}
	}
	/* an option error still leaves VirtualBox's handler successful */
	if (limit == INT64_MAX)
		return VBM_OK;
	if (!*name)
		return vbm_api_error_noinfo(VB_E_INVALIDARG,
			"GetBandwidthGroup(name.raw(), bwGroup.asOutParam())",
			FILE_BW, 252);
	g = snode_child_with(groups(m, false), "BandwidthGroup", "name", name);
	if (!g) {
		vb_err(&err, ENOENT, VBOX_E_OBJECT_NOT_FOUND,
		       "Could not find a bandwidth group named '%s'", name);
		return bw_api(&err, "BandwidthControlWrap", "IBandwidthControl",
			      "GetBandwidthGroup(name.raw(), bwGroup.asOutParam())",
			      252);
	}
	if (set_limit(m, g, limit)) {
		vbm_error("Out of memory");
		return VBM_FAIL;
	}
	return VBM_OK;
}

static int bw_remove(struct vbm_ctx *ctx, struct machine *m, int argc,
		     char **argv)
{
	static const char ctx_del[] = "DeleteBandwidthGroup(name.raw())";
	const char *name = argc > 2 ? argv[2] : "";
	struct vb_error err = { 0 };
	struct snode *g, *list;

	vbm_set_subcommand(ctx, "remove");
	if (mutable_or_saved(m, ctx_del, 273))
		return VBM_FAIL;
	if (!*name)
		return vbm_api_error_noinfo(VB_E_INVALIDARG, ctx_del, FILE_BW,
					    273);
	list = groups(m, false);
	g = snode_child_with(list, "BandwidthGroup", "name", name);
	if (!g) {
		vb_err(&err, ENOENT, VBOX_E_OBJECT_NOT_FOUND,
		       "Could not find a bandwidth group named '%s'", name);
		return bw_api(&err, "BandwidthControlWrap", "IBandwidthControl",
			      ctx_del, 273);
	}
	if (references(machine_elem(m, ME_HARDWARE, false), name)) {
		vb_err(&err, EBUSY, VBOX_E_OBJECT_IN_USE,
		       "The bandwidth group '%s' is still in use", name);
		return bw_api(&err, "BandwidthControlWrap", "IBandwidthControl",
			      ctx_del, 273);
	}
	snode_remove(g);
	snode_prune_empty(list, machine_elem(m, ME_HARDWARE, false));
	return VBM_OK;
}

/* showBandwidthGroups (VBoxManageInfo.cpp). */
static void show_groups(struct machine *m, bool mr)
{
	struct snode *list = groups(m, false), *g;
	unsigned i = 0;

	if (!mr)
		fputs(snode_child(list, "BandwidthGroup") ? "\n" : "<none>\n",
		      stdout);
	for (g = snode_child(list, "BandwidthGroup"); g;
	     g = snode_next(g, "BandwidthGroup"), i++) {
		const char *name = snode_attr(g, "name") ? snode_attr(g, "name")
			: "";
		const char *t = snode_attr(g, "type");
		const char *type = t && !strcmp(t, "Network") ? "Network"
				   : "Disk";
		int64_t v = group_limit(g), units;
		const char *unit;

		if (mr) {
			const char *p;

			printf("BandwidthGroup%u=\"", i);
			for (p = name; *p; p++) {
				if (*p == '"' || *p == '\\')
					putchar('\\');
				putchar(*p);
			}
			printf("\",%s,%" PRId64 "\n", type, v);
			continue;
		}
		if (!v) {
			printf("#%u: Name: '%s', Type: %s, Limit: none (disabled)\n",
			       i, name, type);
			continue;
		}
		if (!(v % G1)) {
			units = v / G1;
			unit = "GiB/s";
		} else if (!(v % M1)) {
			units = v / M1;
			unit = "MiB/s";
		} else if (!(v % K1)) {
			units = v / K1;
			unit = "KiB/s";
		} else {
			units = v;
			unit = "bytes/s";
		}
		if (!strcmp(type, "Network") && !(v % 125)) {
			int64_t nu = v / 125;
			const char *nun = "kbps";

			if (!(nu % 1000000)) {
				nu /= 1000000;
				nun = "Gbps";
			} else if (!(nu % 1000)) {
				nu /= 1000;
				nun = "Mbps";
			}
			printf("#%u: Name: '%s', Type: %s, Limit: %" PRId64
			       " %s (%" PRId64 " %s)\n", i, name, type, nu, nun,
			       units, unit);
		} else {
			printf("#%u: Name: '%s', Type: %s, Limit: %" PRId64
			       " %s\n", i, name, type, units, unit);
		}
	}
}

static int bw_list(struct vbm_ctx *ctx, struct machine *m, int argc,
		   char **argv)
{
	static const struct vb_option opts[] = {
		{ "--machinereadable", 'M', VBGO_NOVAL },
		VBM_STD_OPTIONS,
	};
	struct vb_getopt go;
	bool mr = false;
	int c;

	vbm_set_subcommand(ctx, "list");
	vb_getopt_init(&go, argc, argv, 2, opts, sizeof(opts) / sizeof(opts[0]));
	while ((c = vb_getopt_next(&go)) != VBGO_END) {
		if (c == 'M')
			mr = true;
		else
			return vbm_getopt_error(ctx, &go, c) == VBM_OK
			       ? VBM_OK : VBM_FAIL;
	}
	show_groups(m, mr);
	return VBM_OK;
}

int cmd_bandwidthctl(struct vbm_ctx *ctx, int argc, char **argv)
{
	struct vb_error err = { 0 };
	struct machine *m;
	bool running;
	int rc;

	/* VirtualBox counts the words after the command */
	argc--;
	argv++;
	if (argc < 2)
		return vbm_syntax(ctx, "Too few parameters");
	if (argc > 7)
		return vbm_syntax(ctx, "Too many parameters");
	m = vbm_find_machine_ctx(ctx, argv[0],
				 "FindMachine(Bstr(a->argv[0]).raw(), machine.asOutParam())",
				 FILE_BW, 334);
	if (!m)
		return VBM_FAIL;
	if (machine_lock(m, &err)) {
		vb_err_where(&err, "MachineWrap", "IMachine", "nsISupports");
		rc = vbm_api_error(&err, "LockMachine(a->session, LockType_Shared)",
				   FILE_BW, 337);
		machine_free(m);
		return rc;
	}
	running = vbm_machine_running(machine_uuid(m));
	if (!strcmp(argv[1], "add") || !strcmp(argv[1], "remove")) {
		if (running) {
			vbm_syntax_arg(!strcmp(argv[1], "add")
				       ? "Bandwidth groups cannot be created while the VM is running\n"
				       : "Bandwidth groups cannot be deleted while the VM is running\n");
			rc = VBM_OK;    /* as VirtualBox */
			goto out;
		}
		rc = !strcmp(argv[1], "add") ? bw_add(ctx, m, argc, argv)
					     : bw_remove(ctx, m, argc, argv);
	} else if (!strcmp(argv[1], "set")) {
		rc = bw_set(ctx, m, argc, argv);
	} else if (!strcmp(argv[1], "list")) {
		rc = bw_list(ctx, m, argc, argv);
	} else {
		vbm_syntax(ctx, "Invalid parameter '%s'", argv[1]);
		rc = VBM_FAIL;
	}
	if (rc == VBM_OK && machine_save(m, &err)) {
		vb_err_where(&err, "SessionMachine", "IMachine", "nsISupports");
		rc = vbm_api_error(&err, "SaveSettings()", FILE_BW, 377);
	}
out:
	machine_unlock(m);
	machine_free(m);
	return rc;
}

const struct vbm_help help_bandwidthctl = {
	"manage bandwidth groups",
	"VBoxManage\bbandwidthctl <uuid | vmname> add <bandwidth-group-name> "
	"<--limit=bandwidth-limit[k|m|g|K|M|G]> <--type=disk|network>\n"
	"VBoxManage\bbandwidthctl <uuid | vmname> list [--machinereadable]\n"
	"VBoxManage\bbandwidthctl <uuid | vmname> remove "
	"<bandwidth-group-name>\n"
	"VBoxManage\bbandwidthctl <uuid | vmname> set <bandwidth-group-name> "
	"<--limit=bandwidth-limit[k|m|g|K|M|G]>",
	"Manages the bandwidth groups of a machine.  A group caps the\n"
	"throughput of the disks or network adapters assigned to it; several\n"
	"attachments may share one group and so one limit.\n"
	"\n"
	"add creates a group of type disk or network.  The limit is in\n"
	"megabytes per second unless a suffix says otherwise: K, M and G are\n"
	"kibibytes, mebibytes and gibibytes, k, m and g kilobits, megabits\n"
	"and gigabits per second.  A limit of 0 disables the group.  set\n"
	"changes the limit, also while the machine runs.  remove deletes a\n"
	"group that no attachment uses.  list shows the groups, with\n"
	"--machinereadable one name=\"group\",type,bytes line per group.\n",
};
