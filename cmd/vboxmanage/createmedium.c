/*
 * createmedium (createhd, createvdi): a new base or differencing image,
 * registered in the global media registry (differencing children nested
 * under their parent), as CreateMedium + CreateBaseStorage /
 * CreateDiffStorage do.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/vboxmanage/commands.h"
#include "cmd/vboxmanage/medium.h"
#include "lib/util/fileio.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"

enum {
	OPT_FILENAME = 'f', OPT_DIFFPARENT = 'd', OPT_SIZE = 's',
	OPT_SIZEBYTE = 'S', OPT_FORMAT = 'o', OPT_STATIC = 'F',
	OPT_VARIANT = 'm', OPT_PROPERTY = 'p', OPT_PROPFILE = 'P',
};

static const struct vb_option create_opts[] = {
	{ "--filename", OPT_FILENAME, VBGO_STRING },
	{ "-filename", OPT_FILENAME, VBGO_STRING },
	{ "--diffparent", OPT_DIFFPARENT, VBGO_STRING },
	{ "--size", OPT_SIZE, VBGO_U64 },
	{ "-size", OPT_SIZE, VBGO_U64 },
	{ "--sizebyte", OPT_SIZEBYTE, VBGO_U64 },
	{ "--format", OPT_FORMAT, VBGO_STRING },
	{ "-format", OPT_FORMAT, VBGO_STRING },
	{ "--static", OPT_STATIC, VBGO_NOVAL },
	{ "-static", OPT_STATIC, VBGO_NOVAL },
	{ "--variant", OPT_VARIANT, VBGO_STRING },
	{ "-variant", OPT_VARIANT, VBGO_STRING },
	{ "--property", OPT_PROPERTY, VBGO_STRING },
	{ "--property-file", OPT_PROPFILE, VBGO_STRING },
};

#define CREATE_CONTEXT "RTEXITCODE handleCreateMedium(HandlerArg*)"

/* Failure of the asynchronous part: "Progress state:" and the block. */
static int progress_failed(struct vb_error *err, const char *head)
{
	uint32_t hrc = err->hrc ? err->hrc : VB_E_FAIL;

	fprintf(stderr, "\nProgress state: %s\n", vb_hrc_name(hrc));
	vb_err_where(err, "MediumWrap", "IMedium", NULL);
	return vbm_api_error_head(head, err, CREATE_CONTEXT,
				  "VBoxManageDisk.cpp", 630);
}

struct prop {
	const char *key;
	char *value;
};

static int check_caps(const char *format, unsigned variant,
		      struct vb_error *err)
{
	unsigned caps = media_format_caps(format);

	if (!(variant & MEDIA_VARIANT_FIXED) && !(caps & 0x4))
		return vb_err(err, ENOTSUP, VBOX_E_NOT_SUPPORTED,
			      "Medium format '%s' does not support dynamic storage creation",
			      format);
	if ((variant & MEDIA_VARIANT_FIXED) && !(caps & 0x2))
		return vb_err(err, ENOTSUP, VBOX_E_NOT_SUPPORTED,
			      "Medium format '%s' does not support fixed storage creation",
			      format);
	return 0;
}

/* Set the properties given with --property on the new entry. */
struct props_arg {
	struct prop *p;
	unsigned n;
};

static int store_props(void *arg, struct snode *item, struct snode *reg,
		       const char *base, struct vb_error *err)
{
	struct props_arg *a = arg;
	unsigned i;

	if (!item)
		return 0;
	for (i = 0; i < a->n; i++)
		if (mediareg_set_property(item, a->p[i].key, a->p[i].value))
			return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY,
				      "Out of memory");
	return 0;
}

int cmd_createmedium(struct vbm_ctx *ctx, int argc, char **argv)
{
	struct vb_getopt g;
	const char *filename = NULL, *diffparent = NULL, *format = NULL;
	uint64_t size = 0;
	unsigned variant = 0;
	int kind = -1, c, rc = VBM_FAIL;
	struct prop props[32];
	unsigned nprops = 0, i;
	struct vbm_medium parent = { 0 };
	struct medium *pimg = NULL, *m = NULL;
	struct vb_error err = { 0 };
	struct vbm_progress prog;
	char *name = NULL, *abs = NULL, ub[40];
	const char *canon;
	struct vb_uuid u;

	vb_getopt_init(&g, argc, argv, 1, create_opts,
		       VB_ARRAY_SIZE(create_opts));
	while ((c = vb_getopt_next(&g)) != VBGO_END) {
		switch (c) {
		case OPT_FILENAME:
			filename = g.v.str;
			break;
		case OPT_DIFFPARENT:
			diffparent = g.v.str;
			break;
		case OPT_SIZE:
			size = g.v.u64 << 20;
			break;
		case OPT_SIZEBYTE:
			size = g.v.u64;
			break;
		case OPT_FORMAT:
			format = g.v.str;
			break;
		case OPT_STATIC:
			variant |= MEDIA_VARIANT_FIXED;
			break;
		case OPT_VARIANT:
			if (vbm_variant_parse(g.v.str, &variant)) {
				vbm_error("Invalid medium variant '%s'", g.v.str);
				goto out;
			}
			break;
		case OPT_PROPERTY:
		case OPT_PROPFILE: {
			char *eq = strchr(g.v.str, '=');

			if (!eq) {
				vbm_error("Invalid key value pair: No '='.");
				goto out;
			}
			if (nprops == VB_ARRAY_SIZE(props)) {
				vbm_error("Too many properties");
				goto out;
			}
			*eq = '\0';
			props[nprops].key = g.v.str;
			if (c == OPT_PROPERTY) {
				props[nprops].value = strdup(eq + 1);
			} else {
				size_t len;
				struct vb_error e2 = { 0 };

				if (vb_read_file(eq + 1, 16 << 20,
						 &props[nprops].value, &len,
						 &e2)) {
					vbm_error("Cannot open replacement value file '%s': %s",
						  eq + 1, e2.msg);
					goto out;
				}
			}
			if (!props[nprops].value)
				goto out;
			nprops++;
			break;
		}
		case VBGO_NOT_OPTION: {
			int k = vbm_medium_kind_word(g.v.str);

			if (k < 0) {
				rc = vbm_syntax(ctx, "Invalid parameter '%s'", g.v.str);
				goto out;
			}
			if (kind >= 0) {
				rc = vbm_syntax(ctx,
						"Only one command can be specified: '%s'",
						g.v.str);
				goto out;
			}
			kind = k;
			break;
		}
		case VBGO_ERR_UNKNOWN:
			rc = vbm_syntax(ctx, "unknown option: %s", g.v.str ? g.v.str : g.arg);
			goto out;
		default:
			rc = vbm_getopt_error(ctx, &g, c);
			goto out;
		}
	}
	if (kind < 0)
		kind = MR_HDD;
	if (!filename || !*filename) {
		rc = vbm_syntax(ctx, "Parameter --filename is required");
		goto out;
	}
	if (!diffparent) {
		if (!(variant & MEDIA_VARIANT_RAWDISK) && size == 0) {
			rc = vbm_syntax(ctx, "Parameter --size is required");
			goto out;
		}
		if (!format || !*format) {
			format = kind == MR_HDD ? "VDI" : "RAW";
			if (kind != MR_HDD)
				variant |= MEDIA_VARIANT_FIXED;
		}
		if ((variant & MEDIA_VARIANT_RAWDISK) && strcmp(format, "VMDK")) {
			rc = vbm_syntax(ctx, "Variant 'Rawdisk' requires '--format=VMDK'");
			goto out;
		}
	} else {
		size = 0;
		if (kind != MR_HDD) {
			rc = vbm_syntax(ctx, "Creating a differencing medium is only supported for hard disks");
			goto out;
		}
		variant = MEDIA_VARIANT_DIFF;
		if (!format || !*format) {
			const char *x = path_ext(filename);

			format = *x && x[1] ? x + 1 : "VDI";
		}
		if (vbm_medium_open(ctx, diffparent, MR_HDD, false, &parent))
			goto out;
	}
	/* add the default extension when the name has none */
	if (!*path_ext(filename)) {
		const char *ext = kind == MR_DVD ? "iso" :
				  kind == MR_FLOPPY ? "img" :
				  !strcasecmp(format, "vmdk") ? "vmdk" :
				  !strcasecmp(format, "vhd") ? "vhd" : "vdi";

		name = vb_asprintf("%s.%s", filename, ext);
	} else {
		name = strdup(filename);
	}
	abs = name ? path_abs(name) : NULL;
	if (!abs)
		goto out;
	if (!vbm_vbox(ctx))
		goto out;
	if (vbm_location_free(ctx, kind, abs,
			      "CreateMedium(Bstr(pszFormat).raw(), Bstr(pszFilename).raw(), enmAccessMode, enmDevType, pMedium.asOutParam())",
			      236))
		goto out;
	canon = media_format_name(format);
	if (!canon) {
		vb_err(&err, EINVAL, VBOX_E_OBJECT_NOT_FOUND,
		       "Invalid medium storage format '%s'", format);
		vb_err_where(&err, "VirtualBoxWrap", "IVirtualBox", "nsISupports");
		vbm_api_error(&err,
			      "CreateMedium(Bstr(pszFormat).raw(), Bstr(pszFilename).raw(), enmAccessMode, enmDevType, pMedium.asOutParam())",
			      "VBoxManageDisk.cpp", 236);
		goto out;
	}
	for (i = 0; i < nprops; i++) {
		const struct media_property *p = media_format_props(canon);
		bool found = false;

		for (; p->name; p++)
			found |= !strcmp(p->name, props[i].key);
		if (!found) {
			vbm_error("Property '%s' was not found in the list of medium properties for the requested medium format (%s).",
				  props[i].key, format);
			goto out;
		}
	}
	if (!diffparent && check_caps(canon, variant, &err)) {
		vb_err_where(&err, "MediumWrap", "IMedium", "nsISupports");
		vbm_api_error(&err,
			      "CreateBaseStorage(size, ComSafeArrayAsInParam(l_variants), pProgress.asOutParam())",
			      "VBoxManageDisk.cpp", 612);
		goto out;
	}
	if (diffparent) {
		if (vbm_image_open(ctx, &parent.e, MEDIA_RDONLY | MEDIA_NOLOCK,
				   &pimg, &err)) {
			vbm_medium_error(&err,
					 "CreateDiffStorage(pMedium, ComSafeArrayAsInParam(l_variants), pProgress.asOutParam())",
					 614);
			goto out;
		}
		if (!(media_format_caps(canon) & 0x10)) {
			vb_err(&err, ENOTSUP, VBOX_E_NOT_SUPPORTED,
			       "Medium format '%s' does not support differencing media",
			       canon);
			vbm_medium_error(&err,
					 "CreateDiffStorage(pMedium, ComSafeArrayAsInParam(l_variants), pProgress.asOutParam())",
					 614);
			goto out;
		}
	}
	vbm_progress_start(&prog);
	{
		struct media_create_opts o = {
			.format = canon, .variant = variant, .size = size,
			.parent = pimg,
		};
		const char *bs = NULL;

		for (i = 0; i < nprops; i++)
			if (!strcmp(props[i].key, "AllocationBlockSize"))
				bs = props[i].value;
		if (bs) {
			unsigned v;

			if (vb_parse_u32(bs, &v)) {
				vb_err(&err, EINVAL, VB_E_INVALIDARG,
				       "Invalid value '%s' of property AllocationBlockSize",
				       bs);
				progress_failed(&err, "Failed to create medium");
				goto out;
			}
			o.block_size = v;
		}
		if (media_create(abs, &o, &m, &err)) {
			if (!strstr(err.msg, "Could not create the medium storage unit"))
				vb_err_prefix(&err,
					      "Could not create the medium storage unit '%s'.",
					      abs);
			if (!err.hrc || err.hrc == VB_E_INVALIDARG)
				err.hrc = VBOX_E_FILE_ERROR;
			progress_failed(&err, "Failed to create medium");
			goto out;
		}
	}
	if ((variant & MEDIA_VARIANT_FORMATTED) && kind == MR_FLOPPY &&
	    media_format_fat(m, true, &err)) {
		media_close(m);
		m = NULL;
		media_delete(abs, NULL);
		progress_failed(&err, "Failed to create medium");
		goto out;
	}
	if (media_uuid(m, &u))
		vb_uuid_generate(&u);
	media_close(m);
	m = NULL;
	if (vbm_registry_add(ctx, kind, &u, abs, format,
			     diffparent ? &parent.e : NULL, &err)) {
		media_delete(abs, NULL);
		progress_failed(&err, "Failed to create medium");
		goto out;
	}
	vbm_progress_done(&prog, true);
	if (nprops) {
		struct vbm_medium nm = { 0 };
		struct props_arg pa = { props, nprops };

		if (!vbm_medium_lookup(ctx, abs, kind, &nm, &err) &&
		    vbm_registry_edit(ctx, &nm.e, store_props, &pa, &err)) {
			vbm_medium_release(&nm);
			vbm_medium_error(&err,
					 "SetProperty(Bstr(pszKey).raw(), Bstr(it->m_pszValue).raw())",
					 562);
			goto out;
		}
		vbm_medium_release(&nm);
	}
	printf("Medium created. UUID: %s\n", vb_uuid_fmt(&u, ub));
	rc = VBM_OK;
out:
	for (i = 0; i < nprops; i++)
		free(props[i].value);
	media_close(m);
	media_close(pimg);
	vbm_medium_release(&parent);
	free(name);
	free(abs);
	return rc;
}

const struct vbm_help help_createmedium = {
	"create a new medium",
	"VBoxManage createmedium [disk | dvd | floppy] <--filename=filename>\n"
	"    [--size=megabytes | --sizebyte=bytes] [--diffparent= UUID | filename ]\n"
	"    [--format= VDI | VMDK | VHD ] [--variant Standard,Fixed,Split2G,Stream,ESX,Formatted,RawDisk]\n"
	"    [[--property name=value] --property-file name=/path/to/file/with/value]...",
	"Creates a new disk, optical or floppy image: a base image of the given\n"
	"size and variant, or a differencing image on top of --diffparent.  The\n"
	"new medium is registered in the media registry.\n",
};
