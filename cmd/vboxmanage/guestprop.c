/*
 * guestproperty get|set|delete|unset|enumerate on the properties stored in
 * the machine file (<GuestProperties>, settings-format 7.14), as VBoxManage
 * 7.0's VBoxManageGuestProp.cpp over IMachine's guest property calls for a
 * machine that is not running:
 *
 *   - properties flagged TRANSIENT or TRANSRESET are not visible unless the
 *     machine has a saved state, and leave the file on the next save;
 *   - such flags cannot be set; RDONLYHOST properties cannot be changed;
 *   - names are 1..63 bytes without '*', '?', '|'; values < 1024 bytes.
 *
 * A running machine's live properties and "wait" need the VM process and
 * are not handled here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cmd/vboxmanage/commands.h"
#include "lib/util/strbuf.h"

#define FILE_GP "VBoxManageGuestProp.cpp"

#define GPF_TRANSIENT   0x02
#define GPF_RDONLYGUEST 0x04
#define GPF_RDONLYHOST  0x08
#define GPF_TRANSRESET  0x10
#define GPF_READONLY    (GPF_RDONLYGUEST | GPF_RDONLYHOST)

static const struct {
	unsigned flag;
	const char *name;
} gp_flags[] = {
	{ GPF_TRANSIENT, "TRANSIENT" }, { GPF_READONLY, "READONLY" },
	{ GPF_RDONLYGUEST, "RDONLYGUEST" }, { GPF_RDONLYHOST, "RDONLYHOST" },
	{ GPF_TRANSRESET, "TRANSRESET" },
};

/* GuestPropValidateFlags; -1 on a parse error. */
static int flags_parse(const char *s, unsigned *out)
{
	unsigned f = 0, i;

	while (s && *s == ' ')
		s++;
	while (s && *s) {
		for (i = 0; i < 5; i++) {
			size_t n = strlen(gp_flags[i].name);

			if (!strncasecmp(s, gp_flags[i].name, n))
				break;
		}
		if (i == 5)
			return -1;
		f |= gp_flags[i].flag;
		s += strlen(gp_flags[i].name);
		while (*s == ' ')
			s++;
		if (*s == ',') {
			s++;
			while (*s == ' ')
				s++;
		} else if (*s) {
			return -1;
		}
	}
	*out = f;
	return 0;
}

/* GuestPropWriteFlags. */
static void flags_write(unsigned f, char out[64])
{
	unsigned i;
	size_t n = 0;

	out[0] = '\0';
	if (f & GPF_TRANSRESET)
		f |= GPF_TRANSIENT;
	for (i = 0; i < 5; i++) {
		if ((f & gp_flags[i].flag) != gp_flags[i].flag)
			continue;
		n += (size_t)snprintf(out + n, 64 - n, "%s", gp_flags[i].name);
		f &= ~gp_flags[i].flag;
		if (f)
			n += (size_t)snprintf(out + n, 64 - n, ", ");
	}
}

static bool has_state_file(struct machine *m)
{
	const char *sf = snode_attr(machine_elem(m, ME_MACHINE, false),
				    "stateFile");

	return sf && *sf;
}

/* A property is visible unless it is transient on a machine without a
 * saved state (Machine::i_loadHardware skips those). */
static bool visible(struct machine *m, struct snode *p)
{
	unsigned f = 0;

	flags_parse(snode_attr(p, "flags"), &f);
	return !(f & (GPF_TRANSIENT | GPF_TRANSRESET)) || has_state_file(m);
}

static struct snode *find_prop(struct machine *m, const char *name)
{
	struct snode *gp = machine_elem(m, ME_GUESTPROPS, false);
	struct snode *p = snode_child_with(gp, "GuestProperty", "name", name);

	return p && visible(m, p) ? p : NULL;
}

/* What VirtualBox's writer does with the list on every save: invisible
 * properties go, flags are rewritten, the list is sorted by name. */
static void normalise(struct machine *m)
{
	struct snode *gp = machine_elem(m, ME_GUESTPROPS, false), *p, *next;

	for (p = snode_child(gp, "GuestProperty"); p; p = next) {
		unsigned f = 0;
		char fl[64];

		next = snode_next(p, "GuestProperty");
		if (!visible(m, p)) {
			snode_remove(p);
			continue;
		}
		flags_parse(snode_attr(p, "flags"), &f);
		flags_write(f, fl);
		snode_set_attr(p, "flags", fl);
	}
	snode_sort_children(gp, "GuestProperty", "name");
	snode_prune_empty(gp, machine_elem(m, ME_HARDWARE, false));
}

static int gp_get(struct vbm_ctx *ctx, int argc, char **argv)
{
	bool verbose = false;
	struct machine *m;
	struct snode *p;
	const char *v;

	vbm_set_subcommand(ctx, "get");
	if (argc == 3 && (!strcmp(argv[2], "--verbose") ||
			  !strcmp(argv[2], "-verbose")))
		verbose = true;
	else if (argc != 2)
		return vbm_syntax(ctx, "Incorrect parameters");
	m = vbm_find_machine_ctx(ctx, argv[0],
				 "FindMachine(Bstr(a->argv[0]).raw(), machine.asOutParam())",
				 FILE_GP, 78);
	if (!m)
		return VBM_FAIL;
	p = find_prop(m, argv[1]);
	v = p ? snode_attr(p, "value") : NULL;
	if (!v || !*v) {
		printf("No value set!\n");
	} else {
		unsigned f = 0;
		char fl[64];

		printf("Value: %s\n", v);
		if (verbose) {
			flags_parse(snode_attr(p, "flags"), &f);
			flags_write(f, fl);
			printf("Timestamp: %lld\n",
			       (long long)snode_i64(p, "timestamp", 0));
			printf("Flags: %s\n", fl);
		}
	}
	machine_free(m);
	return VBM_OK;
}

/* Machine::i_setGuestPropertyToService for set (del false) or delete. */
static int gp_change(struct vbm_ctx *ctx, const char *vm, const char *name,
		     const char *value, const char *flags, bool del)
{
	const char *call_ctx = del ? "DeleteGuestProperty(Bstr(pszName).raw())"
			       : flags ? "SetGuestProperty(Bstr(pszName).raw(), Bstr(pszValue).raw(), Bstr(pszFlags).raw())"
			       : "SetGuestPropertyValue(Bstr(pszName).raw(), Bstr(pszValue).raw())";
	int call_line = del ? 196 : flags ? 156 : 152;
	struct vb_error err = { 0 };
	struct machine *m;
	struct snode *gp, *p;
	unsigned f = 0;
	int rc = VBM_FAIL;

	m = vbm_find_machine_ctx(ctx, vm,
				 "FindMachine(Bstr(a->argv[0]).raw(), machine.asOutParam())",
				 FILE_GP, del ? 187 : 141);
	if (!m)
		return VBM_FAIL;
	if (!del && (strlen(name) < 1 || strlen(name) > 63 ||
		     strpbrk(name, "*?|"))) {
		vb_err(&err, EINVAL, VB_E_INVALIDARG, "Invalid parameter (%s)",
		       "VERR_INVALID_PARAMETER");
		goto api;
	}
	if (!del && strlen(value) > 1023) {
		vb_err(&err, EINVAL, VB_E_INVALIDARG, "Too much data (%s)",
		       "VERR_TOO_MUCH_DATA");
		goto api;
	}
	if (vbm_machine_running(machine_uuid(m))) {
		/* the live property store belongs to the VM process */
		vbm_error("Changing the guest properties of a running machine is not supported yet");
		goto out;
	}
	if (machine_lock(m, &err))
		goto api;
	if (vbm_check_state(m, VBM_DEP_MUTABLE_OR_SAVED, call_ctx, FILE_GP,
			    call_line))
		goto out;
	if (flags && *flags && flags_parse(flags, &f)) {
		vb_err(&err, EINVAL, VB_E_INVALIDARG,
		       "Invalid guest property flag values: '%s'", flags);
		goto api;
	}
	if (f & (GPF_TRANSIENT | GPF_TRANSRESET)) {
		vb_err(&err, EINVAL, VB_E_INVALIDARG,
		       "Properties with TRANSIENT or TRANSRESET flag cannot be set or modified if VM is not running");
		goto api;
	}
	p = find_prop(m, name);
	if (p) {
		unsigned old = 0;

		flags_parse(snode_attr(p, "flags"), &old);
		if (old & GPF_RDONLYHOST) {
			vb_err(&err, EACCES, VB_E_ACCESSDENIED,
			       "The property '%s' cannot be changed by the host",
			       name);
			goto api;
		}
	}
	if (del) {
		if (p)
			snode_remove(p);
	} else {
		struct timespec ts;
		char fl[64];

		gp = machine_elem(m, ME_GUESTPROPS, true);
		if (!p)
			p = gp ? snode_add(gp, "GuestProperty") : NULL;
		clock_gettime(CLOCK_REALTIME, &ts);
		flags_write(f, fl);
		if (!p || snode_set_attr(p, "name", name) ||
		    snode_set_attr(p, "value", value) ||
		    snode_set_i64(p, "timestamp",
				  (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec) ||
		    snode_set_attr(p, "flags", fl)) {
			vbm_error("Out of memory");
			goto out;
		}
	}
	normalise(m);
	if (machine_save(m, &err)) {
		vb_err_where(&err, "SessionMachine", "IMachine", "nsISupports");
		rc = vbm_api_error(&err, "SaveSettings()", FILE_GP,
				   del ? 199 : 159);
		goto out;
	}
	rc = VBM_OK;
	goto out;
api:
	vb_err_where(&err, "SessionMachine", "IMachine", "nsISupports");
	rc = vbm_api_error(&err, call_ctx, FILE_GP, call_line);
out:
	machine_free(m);
	return rc;
}

static int gp_set(struct vbm_ctx *ctx, int argc, char **argv)
{
	const char *value = NULL, *flags = NULL;

	vbm_set_subcommand(ctx, "set");
	if (argc == 3) {
		value = argv[2];
	} else if (argc == 5 && (!strcmp(argv[3], "--flags") ||
				 !strcmp(argv[3], "-flags"))) {
		value = argv[2];
		flags = argv[4];
	} else if (argc != 2) {
		return vbm_syntax(ctx, "Incorrect parameters");
	}
	return gp_change(ctx, argv[0], argv[1], value ? value : "", flags,
			 false);
}

static int gp_delete(struct vbm_ctx *ctx, int argc, char **argv)
{
	vbm_set_subcommand(ctx, "unset");
	if (argc != 2)
		return vbm_syntax(ctx, "Incorrect parameters");
	return gp_change(ctx, argv[0], argv[1], "", NULL, true);
}

/* RTStrSimplePatternMultiMatch: '|'-separated patterns. */
static bool multi_match(const char *pats, const char *s)
{
	while (1) {
		const char *bar = strchr(pats, '|');
		size_t n = bar ? (size_t)(bar - pats) : strlen(pats);
		char one[1024];

		if (n < sizeof(one)) {
			memcpy(one, pats, n);
			one[n] = '\0';
			if (vbm_pattern_match(one, s))
				return true;
		}
		if (!bar)
			return false;
		pats = bar + 1;
	}
}

/* RTTimeFormatDurationEx with 3 fraction digits (ISO 8601 "PTnS"). */
static void fmt_duration(int64_t ns, char *out, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	const uint64_t s1 = 1000000000ull, min = 60 * s1, hour = 60 * min,
		       day = 24 * hour, week = 7 * day;
	uint64_t u;
	size_t post_p;

	if (ns == 0) {
		snprintf(out, n, "PT0S");
		return;
	}
	if (ns < 0) {
		sb_addc(&sb, '-');
		u = (uint64_t)-ns;
	} else {
		u = (uint64_t)ns;
	}
	sb_addc(&sb, 'P');
	post_p = sb.len;
	if (u >= week) {
		sb_addf(&sb, "%lluW", (unsigned long long)(u / week));
		u %= week;
	}
	if (u >= day) {
		sb_addf(&sb, "%lluD", (unsigned long long)(u / day));
		u %= day;
	}
	sb_addc(&sb, 'T');
	if (u >= hour || sb.len > post_p + 1) {
		sb_addf(&sb, "%lluH", (unsigned long long)(u / hour));
		u %= hour;
	}
	if (u >= min || sb.len > post_p + 1) {
		sb_addf(&sb, "%lluM", (unsigned long long)(u / min));
		u %= min;
	}
	sb_addf(&sb, "%llu.%03lluS", (unsigned long long)(u / s1),
		(unsigned long long)(u % s1 / 1000000));
	snprintf(out, n, "%s", sb_str(&sb));
	sb_release(&sb);
}

struct gp_row {
	const char *name, *value;
	int64_t ts;
	char flags[64];
};

static int cmp_row(const void *a, const void *b)
{
	return strcmp(((const struct gp_row *)a)->name,
		      ((const struct gp_row *)b)->name);
}

static int gp_enumerate(struct vbm_ctx *ctx, int argc, char **argv)
{
	static const struct vb_option opts[] = {
		{ "--old-format", 'o', VBGO_NOVAL },
		{ "--sort", 's', VBGO_NOVAL }, { "--unsort", 'u', VBGO_NOVAL },
		{ "--timestamp", 't', VBGO_NOVAL }, { "--ts", 't', VBGO_NOVAL },
		{ "--no-timestamp", 'T', VBGO_NOVAL },
		{ "--abs", 'a', VBGO_NOVAL }, { "--absolute", 'a', VBGO_NOVAL },
		{ "--rel", 'r', VBGO_NOVAL }, { "--relative", 'r', VBGO_NOVAL },
		{ "--no-ts", 'T', VBGO_NOVAL },
		{ "--flags", 'f', VBGO_NOVAL }, { "--no-flags", 'F', VBGO_NOVAL },
		{ "--patterns", 'p', VBGO_STRING },
		{ "-patterns", 'p', VBGO_STRING },
		VBM_STD_OPTIONS,
	};
	bool sort = true, newstyle = true, tstamp = true, abst = true,
	     fl = true;
	struct strbuf pats = STRBUF_INIT;
	const char *vm = NULL;
	struct gp_row *rows = NULL;
	struct vb_getopt g;
	struct machine *m;
	struct snode *p;
	size_t wn = 1, wv = 1;
	unsigned n = 0, i;
	int c;

	vbm_set_subcommand(ctx, "enumerate");
	vb_getopt_init(&g, argc, argv, 0, opts, sizeof(opts) / sizeof(opts[0]));
	while ((c = vb_getopt_next(&g)) != VBGO_END) {
		switch (c) {
		case VBGO_NOT_OPTION:
			if (!vm) {
				vm = g.v.str;
				break;
			}
			/* fall through */
		case 'p':
			if (pats.len)
				sb_addc(&pats, ',');
			sb_adds(&pats, g.v.str);
			break;
		case 'o': newstyle = false; break;
		case 's': sort = true; break;
		case 'u': sort = false; break;
		case 't': tstamp = true; break;
		case 'T': tstamp = false; break;
		case 'a': abst = true; break;
		case 'r': abst = false; break;
		case 'f': fl = true; break;
		case 'F': fl = false; break;
		default:
			sb_release(&pats);
			return vbm_getopt_error(ctx, &g, c);
		}
	}
	if (!vm) {
		sb_release(&pats);
		return vbm_syntax(ctx, "No VM name or UUID was specified");
	}
	m = vbm_find_machine_ctx(ctx, vm,
				 "FindMachine(Bstr(pszVmNameOrUuid).raw(), machine.asOutParam())",
				 FILE_GP, 325);
	if (!m) {
		sb_release(&pats);
		return VBM_FAIL;
	}
	for (p = snode_child(machine_elem(m, ME_GUESTPROPS, false),
			     "GuestProperty"); p; p = snode_next(p, "GuestProperty")) {
		struct gp_row *nr;
		const char *name = snode_attr(p, "name");
		unsigned f = 0;

		if (!name || !visible(m, p))
			continue;
		if (pats.len && !multi_match(sb_str(&pats), name))
			continue;
		nr = realloc(rows, (n + 1) * sizeof(*rows));
		if (!nr)
			break;
		rows = nr;
		rows[n].name = name;
		rows[n].value = snode_attr(p, "value") ?: "";
		rows[n].ts = snode_i64(p, "timestamp", 0);
		flags_parse(snode_attr(p, "flags"), &f);
		flags_write(f, rows[n].flags);
		n++;
	}
	/* the property map is sorted by name already; --unsort keeps it */
	if (n > 1)
		qsort(rows, n, sizeof(*rows), cmp_row);
	(void)sort;
	if (!n)
		printf("No properties found.\n");
	for (i = 0; i < n; i++) {
		if (strlen(rows[i].name) > wn)
			wn = strlen(rows[i].name);
		if (strlen(rows[i].value) > wv)
			wv = strlen(rows[i].value);
	}
	if (wn > 48)
		wn = 48;
	if (wv > 28)
		wv = 28;
	for (i = 0; i < n; i++) {
		char tbuf[80] = "";
		const char *flags = fl ? rows[i].flags : "";
		int out;

		if (!newstyle) {
			printf("Name: %s, value: %s, timestamp: %lld, flags: %s\n",
			       rows[i].name, rows[i].value, (long long)rows[i].ts,
			       rows[i].flags);
			continue;
		}
		if (tstamp) {
			struct timespec now;

			if (abst) {
				time_t sec = (time_t)(rows[i].ts / 1000000000);
				struct tm tm;

				gmtime_r(&sec, &tm);
				snprintf(tbuf, sizeof(tbuf),
					 "@ %04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
					 tm.tm_year + 1900, tm.tm_mon + 1,
					 tm.tm_mday, tm.tm_hour, tm.tm_min,
					 tm.tm_sec,
					 (int)(rows[i].ts % 1000000000 / 1000000));
			} else {
				char d[64];

				clock_gettime(CLOCK_REALTIME, &now);
				fmt_duration((int64_t)now.tv_sec * 1000000000 +
					     now.tv_nsec - rows[i].ts, d, sizeof(d));
				snprintf(tbuf, sizeof(tbuf), "@ %s", d);
			}
		}
		out = printf("%-*s = '%s'", (int)wn, rows[i].name, rows[i].value);
		if (tstamp || *flags) {
			size_t width = wn + wv + 6;
			size_t pad = (size_t)out < width ? width - (size_t)out : 1;

			printf("%*s%s%s%s\n", (int)pad, "", tbuf,
			       *flags ? " " : "", flags);
		} else {
			printf("\n");
		}
	}
	free(rows);
	sb_release(&pats);
	machine_free(m);
	return VBM_OK;
}

/* handleWaitGuestProperty: changes come from a running VM process
 * (vbm_guestprop_wait, provided by the VM runtime code when linked in);
 * otherwise nothing can change and the wait runs into its timeout. */
static int gp_wait(struct vbm_ctx *ctx, int argc, char **argv)
{
	uint32_t timeout = UINT32_MAX;      /* RT_INDEFINITE_WAIT */
	bool fail = false, ok = true;
	struct machine *m;
	int i, rc;

	vbm_set_subcommand(ctx, "wait");
	if (argc < 2)
		ok = false;
	m = vbm_find_machine_ctx(ctx, argc > 0 ? argv[0] : "",
				 "FindMachine(Bstr(a->argv[0]).raw(), machine.asOutParam())",
				 FILE_GP, 462);
	if (!m)
		ok = false;
	for (i = 2; ok && i < argc; i++) {
		if (!strcmp(argv[i], "--timeout") || !strcmp(argv[i], "-timeout")) {
			char *end;
			unsigned long v;

			if (i + 1 >= argc || !argv[i + 1][0] ||
			    argv[i + 1][0] == '-' || argv[i + 1][0] == '+' ||
			    argv[i + 1][0] == ' ') {
				ok = false;
				break;
			}
			errno = 0;
			v = strtoul(argv[i + 1], &end, 10);
			if (errno || *end || v > UINT32_MAX)
				ok = false;
			else
				timeout = (uint32_t)v;
			i++;
		} else if (!strcmp(argv[i], "--fail-on-timeout")) {
			fail = true;
		} else {
			ok = false;
		}
	}
	if (!ok) {
		machine_free(m);
		return vbm_syntax(ctx, "Incorrect parameters");
	}
	if (vbm_guestprop_wait) {
		rc = vbm_guestprop_wait(ctx, m, argv[1], timeout, fail);
		machine_free(m);
		return rc;
	}
	machine_free(m);
	if (timeout == UINT32_MAX) {
		for (;;)
			sleep(1000);
	}
	while (timeout >= 1000) {
		sleep(1);
		timeout -= 1000;
	}
	usleep(timeout * 1000u);
	vbm_error("Time out or interruption while waiting for a notification.");
	return fail ? VBM_SYNTAX : VBM_OK;
}

int cmd_guestproperty(struct vbm_ctx *ctx, int argc, char **argv)
{
	const char *sub;

	if (argc < 2)
		return vbm_no_subcommand(ctx);
	sub = argv[1];
	argc -= 2;
	argv += 2;
	if (!strcmp(sub, "get"))
		return gp_get(ctx, argc, argv);
	if (!strcmp(sub, "set"))
		return gp_set(ctx, argc, argv);
	if (!strcmp(sub, "delete") || !strcmp(sub, "unset"))
		return gp_delete(ctx, argc, argv);
	if (!strcmp(sub, "enumerate") || !strcmp(sub, "enum"))
		return gp_enumerate(ctx, argc, argv);
	if (!strcmp(sub, "wait"))
		return gp_wait(ctx, argc, argv);
	return vbm_unknown_subcommand(ctx, sub);
}

const struct vbm_help help_guestproperty = {
	"manage virtual machine guest properties",
	"VBoxManage\bguestproperty\bget <uuid | vmname> <property-name> "
	"[--verbose]\n"
	"VBoxManage\bguestproperty\benumerate <uuid | vmname> "
	"[--no-timestamp] [--no-flags] [--relative] [--old-format] "
	"[patterns...]\n"
	"VBoxManage\bguestproperty\bset <uuid | vmname> <property-name> "
	"[property-value [--flags=flags] ]\n"
	"VBoxManage\bguestproperty\bunset <uuid | vmname> <property-name>\n"
	"VBoxManage\bguestproperty\bwait <uuid | vmname> <patterns> "
	"[--timeout=msec] [--fail-on-timeout]",
	"Reads and changes the guest properties of a machine: named values\n"
	"shared between the host and the guest additions.  For a machine\n"
	"that is not running these are the properties stored in its settings\n"
	"file.\n"
	"\n"
	"get prints \"Value: <value>\" or \"No value set!\" (--verbose adds the\n"
	"timestamp and flags).  set stores a value, with --flags a list of\n"
	"RDONLYGUEST, RDONLYHOST, READONLY; delete (or unset) removes it.\n"
	"enumerate lists the properties whose names match the patterns\n"
	"(* and ? wildcards), sorted by name, with timestamps and flags.\n",
};
