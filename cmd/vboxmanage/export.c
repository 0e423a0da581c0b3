/*
 * VBoxManage export, as VirtualBox 7.0's handleExportAppliance,
 * Machine::exportTo and Appliance::write.
 *
 * Writes the OVF descriptor (0.9, 1.0 or 2.0) with each machine's
 * <vbox:Machine>, every attached hard disk chain as a streamOptimized
 * VMDK, ISO images with --options iso, and a manifest (SHA1, SHA256 for
 * OVF 2.0) with --manifest / --options manifest.  An .ova is one ustar
 * archive with the descriptor first and the manifest last; disk images are
 * compressed straight into it.  Nothing is left behind when the export
 * fails.
 *
 * Not done: cloud export (--cloud ... is refused), --opc10 (refused),
 * encrypted media.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cmd/vboxmanage/appliance.h"
#include "cmd/vboxmanage/commands.h"
#include "lib/media/ova.h"
#include "lib/settings/ovf.h"
#include "lib/util/checked.h"
#include "lib/util/fileio.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"

#define SRC "VBoxManageAppliance.cpp"
#define MAX_VSYS 256

enum { A_VMNAME, A_PRODUCT, A_PRODUCTURL, A_VENDOR, A_VENDORURL, A_VERSION,
       A_DESCRIPTION, A_EULA, A_EULAFILE, A_COUNT };

/* VirtualBox keeps the arguments of a --vsys in a map sorted by key and
 * adds them in that order. */
static const unsigned arg_order[] = { A_DESCRIPTION, A_EULA, A_EULAFILE,
	A_PRODUCT, A_PRODUCTURL, A_VENDOR, A_VENDORURL, A_VERSION, A_VMNAME };

struct vsys_args {
	const char *v[A_COUNT];
	bool used;
};

static const struct vb_option export_opts[] = {
	{ "--output", 'o', VBGO_STRING },
	{ "--legacy09", 'l', VBGO_NOVAL },
	{ "--ovf09", 'l', VBGO_NOVAL },
	{ "--ovf10", '1', VBGO_NOVAL },
	{ "--ovf20", '2', VBGO_NOVAL },
	{ "--opc10", 'c', VBGO_NOVAL },
	{ "--manifest", 'm', VBGO_NOVAL },
	{ "--vsys", 's', VBGO_U32 },
	{ "--vmname", 'V', VBGO_STRING },
	{ "--product", 'p', VBGO_STRING },
	{ "--producturl", 'P', VBGO_STRING },
	{ "--vendor", 'n', VBGO_STRING },
	{ "--vendorurl", 'N', VBGO_STRING },
	{ "--version", 'v', VBGO_STRING },
	{ "--description", 'd', VBGO_STRING },
	{ "--eula", 'e', VBGO_STRING },
	{ "--eulafile", 'E', VBGO_STRING },
	{ "--options", 'O', VBGO_STRING },
	{ "--cloud", 'C', VBGO_U32 },
	{ "--cloudshape", 'S', VBGO_STRING },
	{ "--clouddomain", 'D', VBGO_STRING },
	{ "--clouddisksize", 'R', VBGO_STRING },
	{ "--cloudbucket", 'B', VBGO_STRING },
	{ "--cloudocivcn", 'Q', VBGO_STRING },
	{ "--cloudpublicip", 'A', VBGO_STRING },
	{ "--cloudprofile", 'F', VBGO_STRING },
	{ "--cloudocisubnet", 'T', VBGO_STRING },
	{ "--cloudkeepobject", 'K', VBGO_STRING },
	{ "--cloudlaunchinstance", 'L', VBGO_STRING },
	{ "--cloudlaunchmode", 'M', VBGO_STRING },
	{ "--cloudprivateip", 'i', VBGO_STRING },
	{ "--cloudinitscriptpath", 'I', VBGO_STRING },
};

#define XO_MANIFEST     0x1
#define XO_ISO          0x2
#define XO_NOMACS       0x4
#define XO_NOMACSBUTNAT 0x8

static int parse_options(const char *s, unsigned *out)
{
	static const struct app_flag_name names[] = {
		{ "CreateManifest", XO_MANIFEST }, { "manifest", XO_MANIFEST },
		{ "ExportDVDImages", XO_ISO }, { "iso", XO_ISO },
		{ "StripAllMACs", XO_NOMACS }, { "nomacs", XO_NOMACS },
		{ "StripAllNonNATMACs", XO_NOMACSBUTNAT },
		{ "nomacsbutnat", XO_NOMACSBUTNAT },
	};

	return app_flags_parse(s, names, VB_ARRAY_SIZE(names), out);
}

/* ------------------------------------------------------------------ */
/* Writing                                                             */

struct out {
	struct vbox *vb;
	bool ova;
	char *dir;                  /* OVF: the target folder */
	struct ova_writer *w;
	struct app_files files;     /* OVF: files written */
	struct ova_manifest mf;
	enum ova_digest digest;
	bool manifest;
	struct vbm_progress pr;
	uint64_t done, total;       /* progress weights (MB) */
	struct vb_error *err;
};

static int capacity_of(void *ctx, const char *path, uint64_t *bytes,
		       struct vb_error *err)
{
	struct out *o = ctx;
	struct app_resolver res = { o->vb, NULL };
	struct media_open_opts oo = { .flags = MEDIA_RDONLY,
				      .resolve = app_resolve, .ctx = &res };
	struct medium *m;
	struct stat st;
	int rc;

	if (vb_ends_with(path, ".iso") || vb_ends_with(path, ".ISO")) {
		if (stat(path, &st))
			return vb_err(err, errno, VBOX_E_FILE_ERROR,
				      "Could not read the image '%s' (%s)", path,
				      strerror(errno));
		*bytes = (uint64_t)st.st_size;
		return 0;
	}
	rc = media_open_ex(path, &oo, &m, err);
	if (rc)
		return rc;
	*bytes = media_size(m);
	o->total += *bytes >> 20;
	media_close(m);
	return 0;
}

struct pctx {
	struct out *o;
	uint64_t weight;
};

static void disk_progress(void *ctx, unsigned pct)
{
	struct pctx *p = ctx;
	struct out *o = p->o;
	uint64_t now = o->done + p->weight * pct / 100;

	vbm_progress_update(&o->pr, (unsigned)(5 + now * 90 /
					       (o->total ? o->total : 1)));
}

static int add_digest(struct out *o, const char *name, const void *buf,
		      size_t len, const char *path, bool last_entry)
{
	struct ova_hash *h;
	char hex[OVA_HEX_MAX];
	int rc = 0;

	if (!o->manifest)
		return 0;
	h = ova_hash_new(OVA_DIGEST_BIT(o->digest));
	if (!h)
		return vb_err(o->err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	if (buf)
		ova_hash_update(h, buf, len);
	else if (last_entry)
		rc = ova_last_entry_hash(o->w, h, o->err);
	else
		rc = ova_hash_file(path, 0, UINT64_MAX, h, o->err);
	if (!rc) {
		ova_hash_hex(h, o->digest, hex);
		if (ova_manifest_add(&o->mf, name, o->digest, hex))
			rc = vb_err(o->err, ENOMEM, VB_E_OUTOFMEMORY,
				    "Out of memory");
	}
	ova_hash_free(h);
	return rc;
}

static int write_buffer(struct out *o, const char *name, const void *data,
			size_t len)
{
	char *path;
	int rc;

	if (o->ova)
		rc = ova_add_buffer(o->w, name, data, len, o->err);
	else {
		path = path_join(o->dir, name);
		if (!path)
			return vb_err(o->err, ENOMEM, VB_E_OUTOFMEMORY,
				      "Out of memory");
		if (path_exists(path)) {
			rc = vb_err(o->err, EEXIST, VBOX_E_FILE_ERROR,
				    "RTVfsFsStrmAdd failed for '%s' (VERR_ALREADY_EXISTS)",
				    name);
		} else {
			rc = vb_write_file(path, data, len, o->err);
			if (!rc)
				app_files_add(&o->files, path);
		}
		free(path);
	}
	if (!rc)
		rc = add_digest(o, name, data, len, NULL, false);
	return rc;
}

static int write_disk(struct out *o, const struct ovf_out_disk *d)
{
	struct app_resolver res = { o->vb, NULL };
	struct media_open_opts oo = { .flags = MEDIA_RDONLY,
				      .resolve = app_resolve, .ctx = &res };
	struct media_create_opts co = { 0 };
	struct medium *src = NULL, *dst = NULL;
	struct pctx pc = { o, 0 };
	char *path = NULL;
	int rc;

	if (!o->ova) {
		path = path_join(o->dir, d->href);
		if (!path)
			return vb_err(o->err, ENOMEM, VB_E_OUTOFMEMORY,
				      "Out of memory");
		if (path_exists(path)) {
			rc = vb_err(o->err, EEXIST, VBOX_E_FILE_ERROR,
				    "RTVfsFsStrmPushFile failed for '%s' (VERR_ALREADY_EXISTS)",
				    d->href);
			goto out;
		}
	}
	if (d->iso) {
		if (o->ova)
			rc = ova_add_file(o->w, d->href, d->src_path, o->err);
		else if (!(rc = vb_copy_file(d->src_path, path, 0, o->err)))
			app_files_add(&o->files, path);
		goto digest;
	}
	rc = media_open_ex(d->src_path, &oo, &src, o->err);
	if (rc)
		goto out;
	co.format = "VMDK";
	co.variant = MEDIA_VARIANT_STREAM;
	co.size = media_size(src);
	co.uuid = &d->new_uuid;
	media_clone_geometry(src, co.size, &co.pchs, &co.lchs);
	if (o->ova) {
		co.fs = ova_entry_begin(o->w, d->href, o->err);
		if (!co.fs) {
			rc = -EINVAL;
			goto out;
		}
	}
	rc = media_create(o->ova ? d->href : path, &co, &dst, o->err);
	if (rc) {
		if (o->ova)
			ova_entry_end(o->w, NULL);
		goto out;
	}
	if (!o->ova)
		app_files_add(&o->files, path);
	pc.weight = co.size >> 20;
	rc = media_copy(src, dst, true, disk_progress, &pc, o->err);
	media_close(dst);
	dst = NULL;
	o->done += pc.weight;
	if (o->ova) {
		struct vb_error e2 = { 0 };
		int rc2 = ova_entry_end(o->w, rc ? &e2 : o->err);

		if (!rc)
			rc = rc2;
	}
digest:
	if (!rc)
		rc = add_digest(o, d->href, NULL, 0, path, o->ova);
out:
	if (src)
		media_close(src);
	free(path);
	return rc;
}

/* ------------------------------------------------------------------ */

static int add_args(struct vsd *d, const struct vsys_args *a, unsigned vsys,
		    struct vb_error *err)
{
	static const enum vsd_type types[A_COUNT] = {
		[A_VMNAME] = VSD_NAME, [A_PRODUCT] = VSD_PRODUCT,
		[A_PRODUCTURL] = VSD_PRODUCT_URL, [A_VENDOR] = VSD_VENDOR,
		[A_VENDORURL] = VSD_VENDOR_URL, [A_VERSION] = VSD_VERSION,
		[A_DESCRIPTION] = VSD_DESCRIPTION, [A_EULA] = VSD_LICENSE,
		[A_EULAFILE] = VSD_LICENSE,
	};
	unsigned k;

	for (k = 0; k < VB_ARRAY_SIZE(arg_order); k++) {
		unsigned a_id = arg_order[k];
		const char *v = a->v[a_id];
		char *text = NULL;
		size_t len;
		int rc;

		if (!v)
			continue;
		if (a_id == A_EULAFILE) {
			struct vb_error e2 = { 0 };

			if (vb_read_file(v, 16u << 20, &text, &len, &e2)) {
				vbm_error("Cannot read license file \"%s\" which should be included in the virtual system %u.",
					  v, vsys);
				return 1;
			}
			v = text;
		}
		rc = vsd_add(d, types[a_id], "", v, v, 0, NULL);
		free(text);
		if (rc)
			return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY,
				      "Out of memory");
	}
	return 0;
}

int cmd_export(struct vbm_ctx *ctx, int argc, char **argv)
{
	struct vsys_args args[MAX_VSYS];
	struct machine *ms[MAX_VSYS];
	struct vsd vsds[MAX_VSYS];
	unsigned n = 0, i, opts = 0, counter = 0, n_disks = 0, n_vsds = 0;
	const char *output = NULL;
	enum ovf_version ver = OVF_V10;
	bool manifest = false, vsys_set = false;
	uint32_t cur = 0;
	struct vb_error err = { 0 };
	struct ovf_out_disk *disks = NULL;
	struct ovf_build_opts bo = { 0 };
	struct vb_getopt g;
	struct vbox *vb;
	struct out o;
	char *abs = NULL, *xml = NULL, *base = NULL, *name = NULL;
	size_t xml_len = 0;
	int c, rc = VBM_FAIL, a;

	memset(args, 0, sizeof(args));
	memset(&o, 0, sizeof(o));
	vb_getopt_init(&g, argc, argv, 1, export_opts,
		       VB_ARRAY_SIZE(export_opts));
	while ((c = vb_getopt_next(&g)) != VBGO_END) {
		a = -1;
		switch (c) {
		case 'o':
			if (output) {
				rc = vbm_syntax(ctx, "You can only specify --output once.");
				goto out;
			}
			output = g.v.str;
			break;
		case 'l': ver = OVF_V09; break;
		case '1': ver = OVF_V10; break;
		case '2': ver = OVF_V20; break;
		case 'c':
			vbm_error("Exporting to the Oracle Cloud format (--opc10) is not supported");
			goto out;
		case 'm': manifest = true; break;
		case 's':
			if (g.v.u32 == UINT32_MAX) {
				rc = vbm_syntax(ctx, "Value of option \"%s\" is out of range.",
						g.def->name);
				goto out;
			}
			if (g.v.u32 >= MAX_VSYS) {
				rc = vbm_syntax(ctx, "Invalid index %u with -vsys option; you specified only %u virtual system(s).",
						g.v.u32, n);
				goto out;
			}
			cur = g.v.u32;
			vsys_set = true;
			break;
		case 'V':
			if (!vsys_set) {
				rc = vbm_syntax(ctx, "Option \"%s\" requires preceding --vsys or --cloud option.",
						g.def->name);
				goto out;
			}
			a = A_VMNAME;
			break;
		case 'p': a = A_PRODUCT; break;
		case 'P': a = A_PRODUCTURL; break;
		case 'n': a = A_VENDOR; break;
		case 'N': a = A_VENDORURL; break;
		case 'v': a = A_VERSION; break;
		case 'd': a = A_DESCRIPTION; break;
		case 'e': a = A_EULA; break;
		case 'E': a = A_EULAFILE; break;
		case 'O':
			if (parse_options(g.v.str, &opts)) {
				vbm_error("Invalid export options '%s'", g.v.str);
				rc = VBM_SYNTAX;
				goto out;
			}
			break;
		case 'C': case 'S': case 'D': case 'R': case 'B': case 'Q':
		case 'A': case 'F': case 'T': case 'K': case 'L': case 'M':
		case 'i': case 'I':
			vbm_error("Exporting to a cloud is not supported");
			goto out;
		case VBGO_NOT_OPTION: {
			struct machine *m;

			if (n >= MAX_VSYS) {
				rc = vbm_syntax(ctx, "Too many machines");
				goto out;
			}
			m = vbm_find_machine_ctx(ctx, g.v.str,
					     "FindMachine(Bstr(strMachine).raw(), machine.asOutParam())",
					     SRC, 1244);
			if (!m)
				goto out;
			ms[n++] = m;
			break;
		}
		default:
			rc = vbm_getopt_error(ctx, &g, c);
			goto out;
		}
		if (a >= 0) {
			if (!vsys_set) {
				rc = vbm_syntax(ctx, "Option \"%s\" requires preceding --vsys option.",
						g.def->name);
				goto out;
			}
			args[cur].v[a] = g.v.str;
			args[cur].used = true;
		}
	}
	if (!n) {
		rc = vbm_syntax(ctx, "At least one machine must be specified with the export command.");
		goto out;
	}
	if (!output) {
		rc = vbm_syntax(ctx, "Missing --output argument with export command.");
		goto out;
	}
	for (i = n; i < MAX_VSYS; i++)
		if (args[i].used) {
			rc = vbm_syntax(ctx, "Invalid index %u with -vsys option; you specified only %u virtual system(s).",
					i, n);
			goto out;
		}
	if (manifest)
		opts |= XO_MANIFEST;
	vb = vbm_vbox(ctx);
	abs = path_abs(output);
	if (!vb || !abs)
		goto out;

	for (i = 0; i < n; i++) {
		if (ovf_vsd_from_machine(vb, ms[i], abs, &counter, &vsds[i],
					 &err)) {
			vb_err_where(&err, "MachineWrap", "IMachine", NULL);
			rc = vbm_api_error(&err,
					   "ExportTo(pAppliance, Bstr(pszAbsFilePath).raw(), pVSD.asOutParam())",
					   SRC, 1288);
			goto out_vsds;
		}
		n_vsds++;
		if (args[i].used && add_args(&vsds[i], &args[i], i, &err)) {
			if (err.msg[0])
				vbm_api_error(&err, NULL, SRC, 0);
			rc = VBM_FAIL;
			goto out_vsds;
		}
		/* DVD images stay out unless --options iso */
		if (!(opts & XO_ISO)) {
			unsigned k;

			for (k = 0; k < vsds[i].n; k++)
				if (vsds[i].e[k].type == VSD_CDROM)
					vsds[i].e[k].skip = true;
		}
	}
	if (!vb_ends_with(abs, ".ovf") && !vb_ends_with(abs, ".ova") &&
	    !vb_ends_with(abs, ".OVF") && !vb_ends_with(abs, ".OVA")) {
		vb_err(&err, EINVAL, VBOX_E_FILE_ERROR,
		       "Appliance file must have .ovf or .ova extension");
		vb_err_where(&err, "ApplianceWrap", "IAppliance", NULL);
		rc = vbm_api_error(&err,
				   "Write(Bstr(strOvfFormat).raw(), ComSafeArrayAsInParam(options), Bstr(pszAbsFilePath).raw(), progress.asOutParam())",
				   SRC, 1385);
		goto out_vsds;
	}

	o.vb = vb;
	o.err = &err;
	o.ova = vb_ends_with(abs, ".ova") || vb_ends_with(abs, ".OVA");
	o.manifest = opts & XO_MANIFEST;
	o.digest = ver == OVF_V20 ? OVA_SHA256 : OVA_SHA1;
	o.dir = path_dirname(abs);
	base = path_strip_ext(path_basename(abs));
	if (!o.dir || !base)
		goto out_vsds;
	bo.version = ver;
	bo.strip_macs = opts & XO_NOMACS;
	bo.strip_non_nat_macs = opts & XO_NOMACSBUTNAT;
	bo.export_isos = opts & XO_ISO;

	vbm_progress_start(&o.pr);
	rc = ovf_build(vsds, ms, n, &bo, capacity_of, &o, &xml, &xml_len,
		       &disks, &n_disks, &err);
	if (rc)
		goto write_fail;
	if (o.ova) {
		char grp[64];

		snprintf(grp, sizeof(grp), "vbox_v%d.%d.%dr%d",
			 VB_VERSION_MAJOR, VB_VERSION_MINOR, VB_VERSION_BUILD,
			 VB_REVISION);
		rc = ova_writer_open(abs, ver == OVF_V09 ? "vboxovf09" :
					  ver == OVF_V10 ? "vboxovf10" :
							   "vboxovf20",
				     grp, &o.w, &err);
		if (rc)
			goto write_fail;
	}
	name = vb_asprintf("%s.ovf", base);
	if (!name) {
		rc = -ENOMEM;
		goto write_fail;
	}
	rc = write_buffer(&o, name, xml, xml_len);
	for (i = 0; !rc && i < n_disks; i++)
		rc = write_disk(&o, &disks[i]);
	if (!rc && o.manifest) {
		char *text = ova_manifest_format(&o.mf);

		free(name);
		name = vb_asprintf("%s.mf", base);
		if (!text || !name)
			rc = vb_err(&err, ENOMEM, VB_E_OUTOFMEMORY,
				    "Out of memory");
		else
			rc = write_buffer(&o, name, text, strlen(text));
		free(text);
	}
	if (!rc && o.ova) {
		rc = ova_writer_finish(o.w, &err);
		o.w = NULL;
	}
	if (rc)
		goto write_fail;
	vbm_progress_done(&o.pr, true);
	app_files_release(&o.files);
	printf("Successfully exported %u machine(s).\n", n);
	rc = VBM_OK;
	goto out_vsds;

write_fail:
	vbm_progress_done(&o.pr, false);
	if (o.w)
		ova_writer_abort(o.w);
	o.w = NULL;
	app_files_undo(&o.files);
	vb_err_where(&err, "ApplianceWrap", "IAppliance", NULL);
	rc = vbm_api_error_head("Appliance write failed", &err, NULL, SRC, 0);
out_vsds:
	for (i = 0; i < n_vsds; i++)
		vsd_release(&vsds[i]);
out:
	ova_manifest_release(&o.mf);
	ovf_out_disks_free(disks, n_disks);
	free(o.dir);
	free(xml);
	free(abs);
	free(base);
	free(name);
	for (i = 0; i < n; i++)
		machine_free(ms[i]);
	return rc;
}

const struct vbm_help help_export = {
	"export one or more virtual machines to a virtual appliance",
	"VBoxManage\bexport <machines> --output=name [--legacy09 | --ovf09 | --ovf10 | --ovf20] [--manifest] [--options=keyword...] [--vsys=virtual-system-number] [--description=description-info] [--eula=license-text] [--eulafile=filename] [--product=product-name] [--producturl=product-URL] [--vendor=vendor-name] [--vendorurl=vendor-URL] [--version=version-info] [--vmname=vmname]\n"
	"VBoxManage\bexport <machine> --output=cloud-service-provider --opc10 [--cloud=virtual-system-number] [--cloudprofile=cloud-profile-name] [--cloudshape=cloud-shape-name] [--clouddomain=cloud-domain] [--clouddisksize=disk-size-in-GB] [--cloudbucket=bucket-name] [--cloudocivcn=OCI-VCN-ID] [--cloudocisubnet=OCI-subnet-ID] [--cloudkeepobject=true | false] [--cloudlaunchinstance=true | false] [--cloudlaunchmode=PARAVIRTUALIZED | EMULATED] [--cloudpublicip=true | false]",
	"Writes machines with their disks to an OVF descriptor and the files\n"
	"next to it, or to one .ova archive.\n",
};
