/*
 * VBoxManage import, as VirtualBox 7.0's handleImportAppliance: reads the
 * appliance, prints what it would create (the numbered listing clients
 * parse; "-n" stops there), applies the --vsys/--unit changes and imports
 * (appliance-import.c).  Progress and the "Interpreting"/"OK." lines go to
 * stderr.
 *
 * Not done: importing from a cloud (--cloud ... is refused), signed
 * appliances (.cert files are not checked).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd/vboxmanage/appliance.h"
#include "cmd/vboxmanage/commands.h"
#include "lib/util/checked.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"

#define SRC "VBoxManageAppliance.cpp"
#define MAX_CPUS 64

static const struct vb_option import_opts[] = {
	{ "--dry-run", 'n', VBGO_NOVAL },
	{ "-dry-run", 'n', VBGO_NOVAL },
	{ "--dryrun", 'n', VBGO_NOVAL },
	{ "-dryrun", 'n', VBGO_NOVAL },
	{ "--detailed-progress", 'P', VBGO_NOVAL },
	{ "-detailed-progress", 'P', VBGO_NOVAL },
	{ "--vsys", 's', VBGO_U32 },
	{ "-vsys", 's', VBGO_U32 },
	{ "--ostype", 'o', VBGO_STRING },
	{ "-ostype", 'o', VBGO_STRING },
	{ "--vmname", 'V', VBGO_STRING },
	{ "-vmname", 'V', VBGO_STRING },
	{ "--settingsfile", 'S', VBGO_STRING },
	{ "--basefolder", 'p', VBGO_STRING },
	{ "--group", 'g', VBGO_STRING },
	{ "--memory", 'm', VBGO_STRING },
	{ "-memory", 'm', VBGO_STRING },
	{ "--cpus", 'c', VBGO_STRING },
	{ "--description", 'd', VBGO_STRING },
	{ "--eula", 'L', VBGO_STRING },
	{ "-eula", 'L', VBGO_STRING },
	{ "--unit", 'u', VBGO_U32 },
	{ "-unit", 'u', VBGO_U32 },
	{ "--ignore", 'x', VBGO_NOVAL },
	{ "-ignore", 'x', VBGO_NOVAL },
	{ "--scsitype", 'T', VBGO_STRING },
	{ "-scsitype", 'T', VBGO_STRING },
	{ "--type", 'T', VBGO_STRING },
	{ "-type", 'T', VBGO_STRING },
	{ "--controller", 'C', VBGO_STRING },
	{ "--port", 'E', VBGO_STRING },
	{ "--disk", 'D', VBGO_STRING },
	{ "--options", 'O', VBGO_STRING },
	{ "--cloud", 'j', VBGO_NOVAL },
	{ "--cloudprofile", 'k', VBGO_STRING },
	{ "--cloudinstanceid", 'l', VBGO_STRING },
	{ "--cloudbucket", 'B', VBGO_STRING },
};

/* The per-system arguments, kept like VirtualBox's maps: a value is
 * consumed when the listing uses it. */
struct arg {
	uint32_t vsys;
	char key[32];
	const char *val;
	bool used;
};

struct args {
	struct arg *v;
	unsigned n;
	struct { uint32_t vsys, unit; } *ign;
	unsigned n_ign;
};

static int args_set(struct args *a, uint32_t vsys, const char *key,
		    const char *val)
{
	struct arg *v;
	unsigned i;

	for (i = 0; i < a->n; i++)
		if (a->v[i].vsys == vsys && !strcmp(a->v[i].key, key)) {
			a->v[i].val = val;
			return 0;
		}
	v = realloc(a->v, (a->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	a->v = v;
	v = &v[a->n++];
	v->vsys = vsys;
	vb_strlcpy(v->key, key, sizeof(v->key));
	v->val = val;
	v->used = false;
	return 0;
}

static const char *args_take(struct args *a, uint32_t vsys, const char *key)
{
	unsigned i;

	for (i = 0; i < a->n; i++)
		if (a->v[i].vsys == vsys && !a->v[i].used &&
		    !strcmp(a->v[i].key, key)) {
			a->v[i].used = true;
			return a->v[i].val;
		}
	return NULL;
}

static bool ignored(const struct args *a, uint32_t vsys, unsigned unit)
{
	unsigned i;

	for (i = 0; i < a->n_ign; i++)
		if (a->ign[i].vsys == vsys && a->ign[i].unit == unit)
			return true;
	return false;
}

static int parse_import_options(const char *s, unsigned *out)
{
	static const struct app_flag_name names[] = {
		{ "KeepAllMACs", AI_KEEPALLMACS },
		{ "KeepNATMACs", AI_KEEPNATMACS },
		{ "ImportToVDI", AI_IMPORTTOVDI },
	};

	return app_flags_parse(s, names, VB_ARRAY_SIZE(names), out);
}

/* RTStrToUInt32Ex as VirtualBox uses it for --controller/--port values:
 * the number (decimal, 0x hex) after key in s, or all of s. */
static int number_after(const char *s, const char *key, uint32_t *out)
{
	unsigned long long v;
	const char *p = s;
	char buf[32];
	size_t n = 0;

	if (key) {
		p = strstr(s, key);
		if (!p)
			return -1;
		p += strlen(key);
	}
	while (p[n] && p[n] != ';' && n + 1 < sizeof(buf)) {
		buf[n] = p[n];
		n++;
	}
	buf[n] = '\0';
	if (vb_parse_u64(buf, &v) || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static unsigned max_ports(enum vsd_type t)
{
	switch (t) {
	case VSD_HDC_IDE: return 2;
	case VSD_HDC_SATA: return 30;
	case VSD_HDC_SCSI: return 16;
	case VSD_HDC_SAS: return 255;
	case VSD_HDC_VIRTIOSCSI: return 256;
	case VSD_HDC_NVME: return 255;
	default: return 0;
	}
}

static bool raw_extension(const char *path)
{
	static const char *const exts[] = { "iso", "cdr", "img", "ima",
		"dsk", "flp", "vfd" };
	const char *x = path_ext(path);
	size_t i;

	if (!x)
		return false;
	for (i = 0; i < VB_ARRAY_SIZE(exts); i++)
		if (!strcasecmp(x + 1, exts[i]))
			return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* The listing                                                         */

static int list_disk(struct vbm_ctx *ctx, struct vsd *d, unsigned i,
		     unsigned a, struct args *args, unsigned opts)
{
	struct vsd_entry *e = &d->e[a];
	const char *ov;
	char key[32], *target = NULL, shown[64];
	bool disk_ch = false, ctl_ch = false, port_ch = false;
	uint32_t tctl = UINT32_MAX, tport = UINT32_MAX, octl, oport;
	enum vsd_type ctype = VSD_IGNORE;

	snprintf(key, sizeof(key), "disk%u", a);
	ov = args_take(args, i, key);
	if (ov) {
		if (opts & AI_IMPORTTOVDI)
			return vbm_syntax(ctx, "Option --ImportToVDI can not be used together with a manually set target path.");
		if (!vb_is_uuid(ov) && !path_is_abs(ov)) {
			char *cwd = getcwd(NULL, 0);

			target = cwd ? vb_asprintf("%s/%s", cwd, ov) : NULL;
			free(cwd);
		} else {
			target = strdup(ov);
		}
		if (!target || vsd_set_vbox(d, a, target)) {
			free(target);
			return VBM_FAIL;
		}
		free(target);
		d->e[a].pinned = true;
		disk_ch = true;
	}
	snprintf(key, sizeof(key), "controller%u", a);
	ov = args_take(args, i, key);
	if (ov) {
		if (number_after(ov, NULL, &tctl))
			return vbm_syntax(ctx, "Invalid controller value: '%s'",
					  ov);
		if (tctl >= d->n || !vsd_is_controller(d->e[tctl].type))
			return vbm_syntax(ctx, "Invalid storage controller specified: %u",
					  tctl);
		ctype = d->e[tctl].type;
		ctl_ch = true;
	}
	snprintf(key, sizeof(key), "port%u", a);
	ov = args_take(args, i, key);
	if (ov) {
		if (number_after(ov, NULL, &tport))
			return vbm_syntax(ctx, "Invalid port value: '%s'", ov);
		port_ch = true;
	}
	if (number_after(e->extra, "controller=", &octl)) {
		vbm_error("Failed to extract controller value from ExtraConfig: '%s'",
			  e->extra);
		return VBM_FAIL;
	}
	if (number_after(e->extra, "channel=", &oport)) {
		vbm_error("Failed to extract channel value from ExtraConfig: '%s'",
			  e->extra);
		return VBM_FAIL;
	}
	snprintf(shown, sizeof(shown), "controller=%u;port=%u", octl, oport);
	if (ctl_ch || port_ch) {
		char extra[64];

		if (tport == UINT32_MAX)
			tport = oport;
		if (tctl == UINT32_MAX)
			tctl = octl;
		if (tctl == octl && tport == oport)
			return vbm_syntax(ctx, "Device already attached to controller %u at this port (%u) location.",
					  tctl, tport);
		if (ctype == VSD_IGNORE)
			ctype = octl < d->n ? d->e[octl].type : VSD_IGNORE;
		if (!vsd_is_controller(ctype))
			return vbm_syntax(ctx, "Invalid storage controller specified: %u",
					  octl);
		if (tport >= max_ports(ctype))
			return vbm_syntax(ctx, "Illegal port value: %u. For %s controllers the only valid values are 0 to %u (inclusive)",
					  tport, d->e[tctl].vbox,
					  max_ports(ctype));
		snprintf(shown, sizeof(shown), "controller=%u;port=%u", tctl,
			 tport);
		snprintf(extra, sizeof(extra), "controller=%u;channel=%u",
			 tctl, tport);
		if (vsd_set_extra(d, a, extra))
			return VBM_FAIL;
	}
	if (disk_ch && !ctl_ch && !port_ch)
		printf("%2u: Hard disk image specified with --disk: source image=%s, target path=%s, %s\n"
		       "    (change controller with \"--vsys %u --unit %u --controller <index>\";\n"
		       "    change controller port with \"--vsys %u --unit %u --port <n>\")\n",
		       a, e->ovf, e->vbox, shown, i, a, i, a);
	else if (disk_ch && ctl_ch && !port_ch)
		printf("%2u: Hard disk image specified with --disk and --controller: source image=%s, target path=%s, %s\n"
		       "    (change controller port with \"--vsys %u --unit %u --port <n>\")\n",
		       a, e->ovf, e->vbox, shown, i, a);
	else if (disk_ch && !ctl_ch && port_ch)
		printf("%2u: Hard disk image specified with --disk and --port: source image=%s, target path=%s, %s\n"
		       "    (change controller with \"--vsys %u --unit %u --controller <index>\")\n",
		       a, e->ovf, e->vbox, shown, i, a);
	else if (!disk_ch && ctl_ch && port_ch)
		printf("%2u: Hard disk image specified with --controller and --port: source image=%s, target path=%s, %s\n"
		       "    (change target path with \"--vsys %u --unit %u --disk path\")\n",
		       a, e->ovf, e->vbox, shown, i, a);
	else if (!disk_ch && !ctl_ch && port_ch)
		printf("%2u: Hard disk image specified with --port: source image=%s, target path=%s, %s\n"
		       "    (change target path with \"--vsys %u --unit %u --disk path\";\n"
		       "    change controller with \"--vsys %u --unit %u --controller <index>\")\n",
		       a, e->ovf, e->vbox, shown, i, a, i, a);
	else if (!disk_ch && ctl_ch && !port_ch)
		printf("%2u: Hard disk image specified with --controller: source image=%s, target path=%s, %s\n"
		       "    (change target path with \"--vsys %u --unit %u --disk path\";\n"
		       "    change controller port with \"--vsys %u --unit %u --port <n>\")\n",
		       a, e->ovf, e->vbox, shown, i, a, i, a);
	else if (disk_ch && ctl_ch && port_ch)
		printf("%2u: Hard disk image specified with --disk and --controller and --port: source image=%s, target path=%s, %s\n",
		       a, e->ovf, e->vbox, shown);
	else {
		if ((opts & AI_IMPORTTOVDI) && !raw_extension(e->vbox)) {
			char *stem = path_strip_ext(e->vbox);

			target = stem ? vb_asprintf("%s.vdi", stem) : NULL;
			free(stem);
			if (!target || vsd_set_vbox(d, a, target)) {
				free(target);
				return VBM_FAIL;
			}
			free(target);
		}
		printf("%2u: Hard disk image: source image=%s, target path=%s, %s\n"
		       "    (change target path with \"--vsys %u --unit %u --disk path\";\n"
		       "    change controller with \"--vsys %u --unit %u --controller <index>\";\n"
		       "    change controller port with \"--vsys %u --unit %u --port <n>\";\n"
		       "    disable with \"--vsys %u --unit %u --ignore\")\n",
		       a, e->ovf, e->vbox, shown, i, a, i, a, i, a, i, a);
	}
	return VBM_OK;
}

static const char *ctl_word(enum vsd_type t)
{
	switch (t) {
	case VSD_HDC_IDE: return "IDE";
	case VSD_HDC_SATA: return "SATA";
	case VSD_HDC_SAS: return "SAS";
	case VSD_HDC_VIRTIOSCSI: return "VirtioSCSI";
	case VSD_HDC_NVME: return "NVMe";
	default: return "SCSI";
	}
}

/* Print system i and apply the arguments; *licenses counts licences not
 * accepted.  Returns an exit code (VBM_OK to go on). */
static int list_system(struct vbm_ctx *ctx, struct vsd *d, unsigned i,
		       struct args *args, unsigned opts, unsigned *licenses)
{
	unsigned a;
	int rc;

	printf("Virtual system %u:\n", i);
	for (a = 0; a < d->n; a++) {
		struct vsd_entry *e = &d->e[a];
		bool ign = ignored(args, i, a);
		const char *ov = NULL;
		unsigned long long mb;
		unsigned v;

		switch (e->type) {
		case VSD_OS:
			if ((ov = args_take(args, i, "ostype"))) {
				vsd_set_vbox(d, a, ov);
				printf("%2u: OS type specified with --ostype: \"%s\"\n",
				       a, e->vbox);
			} else {
				printf("%2u: Suggested OS type: \"%s\"\n"
				       "    (change with \"--vsys %u --ostype <type>\"; use \"list ostypes\" to list all possible values)\n",
				       a, e->vbox, i);
			}
			break;
		case VSD_NAME:
			if ((ov = args_take(args, i, "vmname"))) {
				vsd_set_vbox(d, a, ov);
				printf("%2u: VM name specified with --vmname: \"%s\"\n",
				       a, e->vbox);
			} else {
				printf("%2u: Suggested VM name \"%s\"\n"
				       "    (change with \"--vsys %u --vmname <name>\")\n",
				       a, e->vbox, i);
			}
			break;
		case VSD_PRODUCT:
			printf("%2u: Product (ignored): %s\n", a, e->vbox);
			break;
		case VSD_PRODUCT_URL:
			printf("%2u: ProductUrl (ignored): %s\n", a, e->vbox);
			break;
		case VSD_VENDOR:
			printf("%2u: Vendor (ignored): %s\n", a, e->vbox);
			break;
		case VSD_VENDOR_URL:
			printf("%2u: VendorUrl (ignored): %s\n", a, e->vbox);
			break;
		case VSD_VERSION:
			printf("%2u: Version (ignored): %s\n", a, e->vbox);
			break;
		case VSD_DESCRIPTION:
			if ((ov = args_take(args, i, "description"))) {
				vsd_set_vbox(d, a, ov);
				printf("%2u: Description specified with --description: \"%s\"\n",
				       a, e->vbox);
			} else {
				printf("%2u: Description \"%s\"\n"
				       "    (change with \"--vsys %u --description <desc>\")\n",
				       a, e->vbox, i);
			}
			break;
		case VSD_LICENSE:
			++*licenses;
			if ((ov = args_take(args, i, "eula"))) {
				if (!strcmp(ov, "show")) {
					printf("%2u: End-user license agreement\n"
					       "    (accept with \"--vsys %u --eula accept\"):\n"
					       "\n%s\n\n", a, i, e->vbox);
				} else if (!strcmp(ov, "accept")) {
					printf("%2u: End-user license agreement (accepted)\n",
					       a);
					--*licenses;
				} else {
					return vbm_syntax(ctx, "Argument to --eula must be either \"show\" or \"accept\".");
				}
			} else {
				printf("%2u: End-user license agreement\n"
				       "    (display with \"--vsys %u --eula show\";\n"
				       "    accept with \"--vsys %u --eula accept\")\n",
				       a, i, i);
			}
			break;
		case VSD_CPU:
			if ((ov = args_take(args, i, "cpus"))) {
				if (vb_parse_u32(ov, &v) || v < 1 ||
				    v > MAX_CPUS)
					return vbm_syntax(ctx, "Argument to --cpus option must be a number greater than %d and less than %d.",
							  0, MAX_CPUS + 1);
				vsd_set_vbox(d, a, ov);
				printf("%2u: No. of CPUs specified with --cpus: %s\n",
				       a, e->vbox);
			} else {
				printf("%2u: Number of CPUs: %s\n"
				       "    (change with \"--vsys %u --cpus <n>\")\n",
				       a, e->vbox, i);
			}
			break;
		case VSD_MEMORY:
			if ((ov = args_take(args, i, "memory"))) {
				char bytes[32];

				if (vb_parse_u32(ov, &v))
					return vbm_syntax(ctx, "Argument to --memory option must be a non-negative number.");
				printf("%2u: Guest memory specified with --memory: %u MB\n",
				       a, v);
				snprintf(bytes, sizeof(bytes), "%llu",
					 (unsigned long long)v << 20);
				vsd_set_vbox(d, a, bytes);
			} else {
				mb = strtoull(e->vbox, NULL, 10) >> 20;
				printf("%2u: Guest memory: %llu MB\n"
				       "    (change with \"--vsys %u --memory <MB>\")\n",
				       a, mb, i);
			}
			break;
		case VSD_HDC_IDE:
		case VSD_HDC_SATA:
		case VSD_HDC_SAS:
		case VSD_HDC_VIRTIOSCSI:
		case VSD_HDC_NVME:
			if (ign) {
				printf("%2u: %s controller, type %s -- disabled\n",
				       a, ctl_word(e->type), e->vbox);
				e->enabled = false;
			} else {
				printf("%2u: %s controller, type %s\n"
				       "    (disable with \"--vsys %u --unit %u --ignore\")\n",
				       a, ctl_word(e->type), e->vbox, i, a);
			}
			break;
		case VSD_HDC_SCSI: {
			char key[32];

			if (ign) {
				printf("%2u: SCSI controller, type %s -- disabled\n",
				       a, e->vbox);
				e->enabled = false;
				break;
			}
			snprintf(key, sizeof(key), "scsitype%u", a);
			if ((ov = args_take(args, i, key))) {
				vsd_set_vbox(d, a, ov);
				printf("%2u: SCSI controller, type set with --unit %u --scsitype: \"%s\"\n",
				       a, a, e->vbox);
			} else {
				printf("%2u: SCSI controller, type %s\n"
				       "    (change with \"--vsys %u --unit %u --scsitype {BusLogic|LsiLogic}\";\n"
				       "    disable with \"--vsys %u --unit %u --ignore\")\n",
				       a, e->vbox, i, a, i, a);
			}
			break;
		}
		case VSD_HD_IMAGE:
			if (ign) {
				printf("%2u: Hard disk image: source image=%s -- disabled\n",
				       a, e->ovf);
				e->enabled = false;
				break;
			}
			rc = list_disk(ctx, d, i, a, args, opts);
			if (rc)
				return rc;
			break;
		case VSD_CDROM:
			if (ign) {
				printf("%2u: CD-ROM -- disabled\n", a);
				e->enabled = false;
			} else {
				printf("%2u: CD-ROM\n"
				       "    (disable with \"--vsys %u --unit %u --ignore\")\n",
				       a, i, a);
			}
			break;
		case VSD_FLOPPY:
			if (ign) {
				printf("%2u: Floppy -- disabled\n", a);
				e->enabled = false;
			} else {
				printf("%2u: Floppy\n"
				       "    (disable with \"--vsys %u --unit %u --ignore\")\n",
				       a, i, a);
			}
			break;
		case VSD_NIC:
			printf("%2u: Network adapter: orig %s, config %s, extra %s\n",
			       a, e->ovf, e->vbox, e->extra);
			break;
		case VSD_USB:
			if (ign) {
				printf("%2u: USB controller -- disabled\n", a);
				e->enabled = false;
			} else {
				printf("%2u: USB controller\n"
				       "    (disable with \"--vsys %u --unit %u --ignore\")\n",
				       a, i, a);
			}
			break;
		case VSD_SOUND:
			if (ign) {
				printf("%2u: Sound card \"%s\" -- disabled\n", a,
				       e->ovf);
				e->enabled = false;
			} else {
				printf("%2u: Sound card (appliance expects \"%s\", can change on import)\n"
				       "    (disable with \"--vsys %u --unit %u --ignore\")\n",
				       a, e->ovf, i, a);
			}
			break;
		case VSD_SETTINGS_FILE:
			if ((ov = args_take(args, i, "settingsfile"))) {
				vsd_set_vbox(d, a, ov);
				printf("%2u: VM settings file name specified with --settingsfile: \"%s\"\n",
				       a, e->vbox);
			} else {
				printf("%2u: Suggested VM settings file name \"%s\"\n"
				       "    (change with \"--vsys %u --settingsfile <filename>\")\n",
				       a, e->vbox, i);
			}
			break;
		case VSD_BASE_FOLDER:
			if ((ov = args_take(args, i, "basefolder"))) {
				vsd_set_vbox(d, a, ov);
				printf("%2u: VM base folder specified with --basefolder: \"%s\"\n",
				       a, e->vbox);
			} else {
				printf("%2u: Suggested VM base folder \"%s\"\n"
				       "    (change with \"--vsys %u --basefolder <path>\")\n",
				       a, e->vbox, i);
			}
			break;
		case VSD_PRIMARY_GROUP:
			if ((ov = args_take(args, i, "group"))) {
				vsd_set_vbox(d, a, ov);
				printf("%2u: VM group specified with --group: \"%s\"\n",
				       a, e->vbox);
			} else {
				printf("%2u: Suggested VM group \"%s\"\n"
				       "    (change with \"--vsys %u --group <group>\")\n",
				       a, e->vbox, i);
			}
			break;
		default:
			break;
		}
	}
	return VBM_OK;
}

/* ------------------------------------------------------------------ */

int cmd_import(struct vbm_ctx *ctx, int argc, char **argv)
{
	struct args args = { 0 };
	struct app_package pkg;
	struct vb_error err = { 0 };
	struct strbuf warn = STRBUF_INIT;
	struct vbm_progress pr;
	struct vb_getopt g;
	struct vsd *vsds = NULL;
	const char *file = NULL;
	bool execute = true, have_vsys = false, have_unit = false;
	uint32_t vsys = 0, unit = 0;
	unsigned opts = 0, i, licenses = 0, n_vsds = 0;
	struct vbox *vb;
	char *abs = NULL, key[32];
	int c, rc = VBM_FAIL;

	memset(&pkg, 0, sizeof(pkg));
	vb_getopt_init(&g, argc, argv, 1, import_opts,
		       VB_ARRAY_SIZE(import_opts));
	while ((c = vb_getopt_next(&g)) != VBGO_END) {
		const char *k = NULL;
		bool need_local = false, need_unit = false;

		switch (c) {
		case 'n':
			execute = false;
			break;
		case 'P':
			break;
		case 's':
			if (g.v.u32 == UINT32_MAX) {
				rc = vbm_syntax(ctx, "Value of option \"%s\" is out of range.",
						g.def->name);
				goto out;
			}
			vsys = g.v.u32;
			have_vsys = true;
			have_unit = false;
			break;
		case 'o': k = "ostype"; break;
		case 'V': k = "vmname"; break;
		case 'p': k = "basefolder"; break;
		case 'd': k = "description"; break;
		case 'm': k = "memory"; break;
		case 'c': k = "cpus"; break;
		case 'S': k = "settingsfile"; need_local = true; break;
		case 'g': k = "group"; need_local = true; break;
		case 'L': k = "eula"; need_local = true; break;
		case 'u':
			if (!have_vsys) {
				rc = vbm_syntax(ctx, "Option \"%s\" requires preceding --vsys option.",
						g.def->name);
				goto out;
			}
			if (g.v.u32 == UINT32_MAX) {
				rc = vbm_syntax(ctx, "Value of option \"%s\" is out of range.",
						g.def->name);
				goto out;
			}
			unit = g.v.u32;
			have_unit = true;
			break;
		case 'x': {
			void *v;

			if (!have_vsys) {
				rc = vbm_syntax(ctx, "Option \"%s\" requires preceding --vsys option.",
						g.def->name);
				goto out;
			}
			if (!have_unit) {
				rc = vbm_syntax(ctx, "Option \"%s\" requires preceding --unit option.",
						g.def->name);
				goto out;
			}
			v = realloc(args.ign, (args.n_ign + 1) * sizeof(*args.ign));
			if (!v)
				goto out;
			args.ign = v;
			args.ign[args.n_ign].vsys = vsys;
			args.ign[args.n_ign].unit = unit;
			args.n_ign++;
			break;
		}
		case 'T': k = "scsitype"; need_unit = true; break;
		case 'C': k = "controller"; need_unit = true; break;
		case 'E': k = "port"; need_unit = true; break;
		case 'D': k = "disk"; need_unit = true; break;
		case 'O':
			if (parse_import_options(g.v.str, &opts)) {
				vbm_error("Invalid import options '%s'", g.v.str);
				rc = VBM_SYNTAX;
				goto out;
			}
			break;
		case 'j': case 'k': case 'l': case 'B':
			vbm_error("Importing from a cloud is not supported");
			goto out;
		case VBGO_NOT_OPTION:
			if (file) {
				rc = vbm_syntax(ctx, "Invalid parameter '%s'",
						g.v.str);
				goto out;
			}
			file = g.v.str;
			break;
		default:
			rc = vbm_getopt_error(ctx, &g, c);
			goto out;
		}
		if (!k)
			continue;
		if (!have_vsys) {
			rc = vbm_syntax(ctx, (need_local || need_unit)
				? "Option \"%s\" requires preceding --vsys option."
				: "Option \"%s\" requires preceding --vsys or --cloud option.",
				g.def->name);
			goto out;
		}
		if (need_unit && !have_unit) {
			rc = vbm_syntax(ctx, "Option \"%s\" requires preceding --unit option.",
					g.def->name);
			goto out;
		}
		if (need_unit) {
			snprintf(key, sizeof(key), "%s%u", k, unit);
			k = key;
		}
		if (args_set(&args, vsys, k, g.v.str))
			goto out;
	}
	if (!file) {
		rc = vbm_syntax(ctx, "Not enough arguments for \"import\" command.");
		goto out;
	}
	vb = vbm_vbox(ctx);
	abs = path_abs(file);
	if (!vb || !abs)
		goto out;
	if (!vb_ends_with(abs, ".ovf") && !vb_ends_with(abs, ".ova") &&
	    !vb_ends_with(abs, ".OVF") && !vb_ends_with(abs, ".OVA")) {
		vb_err(&err, EINVAL, VBOX_E_FILE_ERROR,
		       "Appliance file must have .ovf or .ova extension");
		vb_err_where(&err, "ApplianceWrap", "IAppliance", NULL);
		rc = vbm_api_error(&err,
				   "Read(Bstr(pszAbsFilePath).raw(), progressRead.asOutParam())",
				   SRC, 456);
		goto out;
	}
	vbm_progress_start(&pr);
	if (app_package_read(abs, &pkg, &err)) {
		vbm_progress_done(&pr, false);
		vb_err_where(&err, "ApplianceWrap", "IAppliance", NULL);
		rc = vbm_api_error_head("Appliance read failed", &err, NULL,
					SRC, 0);
		goto out;
	}
	vbm_progress_done(&pr, true);

	fprintf(stderr, "Interpreting %s...\n", abs);
	vsds = calloc(pkg.env->n_systems ? pkg.env->n_systems : 1,
		      sizeof(*vsds));
	if (!vsds)
		goto out;
	rc = ovf_interpret(vb, pkg.env, vsds, &warn, &err);
	if (warn.len) {
		const char *p = sb_str(&warn);

		while (*p) {
			const char *nl = strchr(p, '\n');
			int len = nl ? (int)(nl - p) : (int)strlen(p);

			vbm_warning("%.*s", len, p);
			p += len + (nl ? 1 : 0);
		}
	}
	if (rc) {
		vb_err_where(&err, "ApplianceWrap", "IAppliance", NULL);
		rc = vbm_api_error(&err, "Interpret()", SRC, 0);
		goto out;
	}
	n_vsds = pkg.env->n_systems;
	fprintf(stderr, "OK.\n");
	fflush(stderr);

	if (pkg.env->n_disks) {
		printf("Disks:\n");
		for (i = 0; i < pkg.env->n_disks; i++) {
			const struct ovf_disk *d = &pkg.env->disks[i];

			printf("  %s\t%lld\t%lld\t%s\t%s\t%lld\t%lld\t%s\n",
			       d->id, (long long)d->capacity,
			       (long long)d->populated, d->format,
			       d->href ? d->href : "", (long long)d->file_size,
			       -1ll, d->compression ? d->compression : "");
		}
		printf("\n");
	}
	for (i = 0; i < args.n; i++)
		if (args.v[i].vsys >= n_vsds) {
			rc = vbm_syntax(ctx, "Invalid index %u with -vsys option; the OVF contains only %u virtual system(s).",
					args.v[i].vsys, n_vsds);
			goto out;
		}
	for (i = 0; i < args.n_ign; i++)
		if (args.ign[i].vsys >= n_vsds) {
			rc = vbm_syntax(ctx, "Invalid index %u with -vsys option; the OVF contains only %u virtual system(s).",
					args.ign[i].vsys, n_vsds);
			goto out;
		}
	for (i = 0; i < n_vsds; i++) {
		rc = list_system(ctx, &vsds[i], i, &args, opts, &licenses);
		if (rc)
			goto out;
	}
	fflush(stdout);
	rc = VBM_OK;
	if (licenses == 1)
		vbm_error("Cannot import until the license agreement listed above is accepted.");
	else if (licenses > 1)
		vbm_error("Cannot import until the %c license agreements listed above are accepted.",
			  (char)licenses);
	if (licenses || !execute)
		goto out;

	vbm_progress_start(&pr);
	if (app_import(ctx, &pkg, vsds, opts, &pr, &err)) {
		vbm_progress_done(&pr, false);
		vb_err_where(&err, "ApplianceWrap", "IAppliance", NULL);
		rc = vbm_api_error_head("Appliance import failed", &err, NULL,
					SRC, 0);
		goto out;
	}
	vbm_progress_done(&pr, true);
	printf("Successfully imported the appliance.\n");
out:
	for (i = 0; i < n_vsds; i++)
		vsd_release(&vsds[i]);
	free(vsds);
	app_package_release(&pkg);
	sb_release(&warn);
	free(args.v);
	free(args.ign);
	free(abs);
	return rc;
}

const struct vbm_help help_import = {
	"import a virtual appliance (OVF/OVA) and create virtual machines",
	"VBoxManage\bimport <ovfname | ovaname> [--dry-run] [--options=keepallmacs | keepnatmacs | importtovdi] [--vsys=n] [--ostype=ostype] [--vmname=name] [--settingsfile=file] [--basefolder=folder] [--group=group] [--memory=MB] [--cpus=n] [--description=text] [--eula=show | accept] [--unit=n] [--ignore] [--scsitype=BusLogic | LsiLogic] [--disk=path] [--controller=index] [--port=n]\n"
	"VBoxManage\bimport OCI:// --cloud [--ostype=ostype] [--vmname=name] [--basefolder=folder] [--memory=MB] [--cpus=n] [--description=text] --cloudprofile=profile --cloudinstanceid=id [--cloudbucket=bucket]",
	"Reads an appliance, lists what it would create (--dry-run stops\n"
	"there) and creates the machines with their disks.\n",
};
