/*
 * clonemedium (clonehd, clonevdi): copy a medium (with its differencing
 * chain flattened) into a new image of any format and variant, or into an
 * existing medium (--existing); the copy gets a new UUID and is
 * registered, as CloneTo does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/vboxmanage/commands.h"
#include "cmd/vboxmanage/medium.h"
#include "lib/util/path.h"

#define CLONE_CONTEXT "RTEXITCODE handleCloneMedium(HandlerArg*)"

static int clone_failed(struct vb_error *err)
{
	fprintf(stderr, "\nProgress state: %s\n",
		vb_hrc_name(err->hrc ? err->hrc : VB_E_FAIL));
	vb_err_where(err, "MediumWrap", "IMedium", NULL);
	return vbm_api_error_head("Failed to clone medium", err, CLONE_CONTEXT,
				  "VBoxManageDisk.cpp", 1032);
}

int cmd_clonemedium(struct vbm_ctx *ctx, int argc, char **argv)
{
	static const struct vb_option opts[] = {
		{ "--format", 'o', VBGO_STRING },
		{ "-format", 'o', VBGO_STRING },
		{ "--static", 'F', VBGO_NOVAL },
		{ "-static", 'F', VBGO_NOVAL },
		{ "--existing", 'E', VBGO_NOVAL },
		{ "--variant", 'm', VBGO_STRING },
		{ "-variant", 'm', VBGO_STRING },
		{ "--resize", 'r', VBGO_U64 },
	};
	struct vb_getopt g;
	const char *src = NULL, *dstspec = NULL, *format = NULL, *canon;
	unsigned variant = 0;
	bool existing = false, resize = false;
	uint64_t new_size = 0;
	int kind = -1, c, rc = VBM_FAIL;
	struct vbm_medium sm = { 0 }, dm = { 0 };
	struct medium *s = NULL, *d = NULL;
	struct vb_error err = { 0 };
	struct vbm_progress prog;
	struct vb_uuid u;
	char *abs = NULL, ub[40];
	bool created = false;

	vb_getopt_init(&g, argc, argv, 1, opts, VB_ARRAY_SIZE(opts));
	while ((c = vb_getopt_next(&g)) != VBGO_END) {
		switch (c) {
		case 'o':
			format = g.v.str;
			break;
		case 'F':
			variant |= MEDIA_VARIANT_FIXED;
			break;
		case 'E':
			existing = true;
			break;
		case 'm':
			if (vbm_variant_parse(g.v.str, &variant)) {
				vbm_error("Invalid medium variant '%s'", g.v.str);
				return VBM_FAIL;
			}
			break;
		case 'r':
			resize = true;
			new_size = g.v.u64 << 20;
			break;
		case VBGO_NOT_OPTION: {
			const char **slot[] = { &src, &dstspec };
			int r = vbm_medium_word(ctx, g.v.str, &kind, slot, 2);

			if (r)
				return r;
			break;
		}
		case VBGO_ERR_UNKNOWN:
			return vbm_syntax(ctx, "unknown option: %s", g.arg);
		default:
			return vbm_getopt_error(ctx, &g, c);
		}
	}
	if (kind < 0)
		kind = MR_HDD;
	if (!src)
		return vbm_syntax(ctx, "Mandatory UUID or input file parameter missing");
	if (!dstspec)
		return vbm_syntax(ctx, "Mandatory output file parameter missing");
	if (existing && (format || variant))
		return vbm_syntax(ctx, "Specified options which cannot be used with --existing");
	if (vbm_medium_open(ctx, src, kind, false, &sm))
		return VBM_FAIL;
	if (vbm_image_open(ctx, &sm.e, MEDIA_RDONLY, &s, &err)) {
		vb_err_where(&err, "MediumWrap", "IMedium", "nsISupports");
		vbm_api_error(&err,
			      "CloneTo(pDstMedium, ComSafeArrayAsInParam(l_variants), NULL, pProgress.asOutParam())",
			      "VBoxManageDisk.cpp", 1027);
		goto out;
	}
	if (existing) {
		if (vbm_medium_open(ctx, dstspec, kind, false, &dm))
			goto out;
		format = dm.e.format ? dm.e.format : "RAW";
		vbm_progress_start(&prog);
		if (vbm_image_open(ctx, &dm.e, MEDIA_RDWR, &d, &err)) {
			clone_failed(&err);
			goto out;
		}
		if (resize && new_size > media_size(d) &&
		    media_resize(d, new_size, NULL, NULL, &err)) {
			clone_failed(&err);
			goto out;
		}
		if (media_copy(s, d, false, vbm_medium_progress, &prog, &err)) {
			clone_failed(&err);
			goto out;
		}
		u = dm.e.uuid;
	} else {
		struct media_create_opts o = { 0 };

		if (!format)
			format = sm.e.format ? sm.e.format : media_format(s);
		canon = media_format_name(format);
		abs = path_abs(dstspec);
		if (!canon || !abs) {
			vb_err(&err, EINVAL, VBOX_E_OBJECT_NOT_FOUND,
			       "Invalid medium storage format '%s'", format);
			vb_err_where(&err, "VirtualBoxWrap", "IVirtualBox",
				     "nsISupports");
			vbm_api_error(&err,
				      "CreateMedium(Bstr(pszFormat).raw(), Bstr(pszFilename).raw(), enmAccessMode, enmDevType, pMedium.asOutParam())",
				      "VBoxManageDisk.cpp", 236);
			goto out;
		}
		if (vbm_location_free(ctx, kind, abs,
				      "CreateMedium(Bstr(pszFormat).raw(), Bstr(pszFilename).raw(), enmAccessMode, enmDevType, pMedium.asOutParam())",
				      236))
			goto out;
		if (!strcmp(canon, "RAW"))
			variant |= MEDIA_VARIANT_FIXED;
		o.format = canon;
		o.variant = variant & ~MEDIA_VARIANT_DIFF;
		o.size = media_size(s);
		if (resize && new_size > o.size)
			o.size = new_size;
		media_clone_geometry(s, o.size, &o.pchs, &o.lchs);
		vbm_progress_start(&prog);
		if (media_create(abs, &o, &d, &err)) {
			vb_err_prefix(&err, "Could not create the clone medium '%s'.",
				      abs);
			if (!err.hrc || err.hrc == VB_E_INVALIDARG)
				err.hrc = VBOX_E_FILE_ERROR;
			clone_failed(&err);
			goto out;
		}
		created = true;
		if (media_copy(s, d, true, vbm_medium_progress, &prog, &err)) {
			clone_failed(&err);
			goto out;
		}
		if (media_uuid(d, &u))
			vb_uuid_generate(&u);
	}
	media_close(d);
	d = NULL;
	if (created &&
	    vbm_registry_add(ctx, kind, &u, abs, format, NULL, &err)) {
		clone_failed(&err);
		goto out;
	}
	created = false;
	vbm_progress_done(&prog, true);
	printf("Clone medium created in format '%s'. UUID: %s\n", format,
	       vb_uuid_fmt(&u, ub));
	rc = VBM_OK;
out:
	media_close(d);
	if (created)
		media_delete(abs, NULL);
	media_close(s);
	vbm_medium_release(&sm);
	vbm_medium_release(&dm);
	free(abs);
	return rc;
}

const struct vbm_help help_clonemedium = {
	"clone a medium",
	"VBoxManage clonemedium [disk | dvd | floppy] < uuid | source-medium >\n"
	"    < uuid | target-medium > [--format= VDI | VMDK | VHD | RAW | other ]\n"
	"    [--variant=Standard,Fixed,Split2G,Stream,ESX] [--existing]",
	"Copies the content of a medium, differencing chain included, into a new\n"
	"image (a new UUID, registered) or, with --existing, into a medium that\n"
	"already exists.\n",
};
