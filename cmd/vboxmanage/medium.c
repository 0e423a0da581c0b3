/*
 * Shared code of the medium commands (see medium.h): opening media the way
 * VirtualBox's OpenMedium does, registry edits under file locks, and
 * showMediumInfo()'s output.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/vboxmanage/medium.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"

void vbm_medium_release(struct vbm_medium *m)
{
	mediareg_entry_release(&m->e);
	if (m->loaded)
		machine_free(m->loaded);
	m->loaded = NULL;
}

int vbm_medium_kind_word(const char *w)
{
	if (!strcmp(w, "disk"))
		return MR_HDD;
	if (!strcmp(w, "dvd"))
		return MR_DVD;
	if (!strcmp(w, "floppy"))
		return MR_FLOPPY;
	return -1;
}

int vbm_medium_word(struct vbm_ctx *ctx, const char *word, int *kind,
		    const char **slot[], unsigned nslots)
{
	int k = vbm_medium_kind_word(word);
	unsigned i;

	if (k >= 0) {
		if (*kind >= 0)
			return vbm_syntax(ctx, "Only one command can be specified: '%s'",
					  word);
		*kind = k;
		return VBM_OK;
	}
	for (i = 0; i < nslots; i++) {
		if (!*slot[i]) {
			*slot[i] = word;
			return VBM_OK;
		}
	}
	return vbm_syntax(ctx, "Invalid parameter '%s'", word);
}

const char *vbm_kind_noun(enum mediareg_kind kind)
{
	return kind == MR_HDD ? "hard disk" :
	       kind == MR_DVD ? "CD/DVD image" : "floppy image";
}

int vbm_medium_error(struct vb_error *err, const char *context, int line)
{
	if (!err->component)
		vb_err_where(err, "MediumWrap", "IMedium", "nsISupports");
	return vbm_api_error(err, context, "VBoxManageDisk.cpp", line);
}

void vbm_medium_progress(void *ctx, unsigned pct)
{
	vbm_progress_update(ctx, pct);
}

/* ------------------------------------------------------------------ */
/* Registry access                                                     */

int vbm_resolve_parent(void *ctx, const struct vb_uuid *u, char **path)
{
	struct vbox *vb = ctx;
	struct mediareg_entry e;
	struct machine *loaded = NULL;
	char ub[40];
	int rc;

	vb_uuid_fmt(u, ub);
	rc = mediareg_find(vb, NULL, MR_HDD, ub, &e, &loaded, NULL);
	if (rc)
		return rc;
	*path = strdup(e.location);
	mediareg_entry_release(&e);
	if (loaded)
		machine_free(loaded);
	return *path ? 0 : -ENOMEM;
}

const char *vbm_registry_file(struct vbm_ctx *ctx,
			      const struct mediareg_entry *e)
{
	struct vbox *vb = vbm_vbox(ctx);

	if (e->owner)
		return machine_path(e->owner);
	return vb ? sdoc_path(vbox_global(vb)) : "";
}

/* Locate the registry that holds e (global or e->owner's) again after a
 * reload, and its element. */
static struct snode *refind(struct vbox *vb, const struct mediareg_entry *e,
			    struct snode **reg, const char **base)
{
	if (e->owner) {
		*reg = mediareg_for_machine(e->owner, false);
		*base = sdoc_version(machine_doc(e->owner)) >= 11 ?
			machine_folder(e->owner) : vbox_home(vb);
	} else {
		*reg = vbox_global_node(vb, "MediaRegistry", false);
		*base = vbox_home(vb);
	}
	if (!*reg)
		return NULL;
	return mediareg_lookup(*reg, e->kind, &e->uuid, NULL, *base);
}

int vbm_registry_edit(struct vbm_ctx *ctx, const struct mediareg_entry *e,
		      vbm_reg_edit_fn fn, void *arg, struct vb_error *err)
{
	struct vbox *vb = vbm_vbox(ctx);
	struct snode *reg = NULL, *item;
	const char *base = NULL;
	int rc;

	if (!vb)
		return vb_err(err, EIO, VB_E_FAIL, "No VirtualBox home");
	if (e->owner && sdoc_version(machine_doc(e->owner)) >= 11) {
		rc = machine_lock(e->owner, err);
		if (rc)
			return rc;
		item = refind(vb, e, &reg, &base);
		rc = fn(arg, item, reg, base, err);
		if (!rc)
			rc = machine_save(e->owner, err);
		machine_unlock(e->owner);
		return rc;
	}
	rc = vbox_global_lock(vb, err);
	if (rc)
		return rc;
	reg = vbox_global_node(vb, "MediaRegistry", false);
	base = vbox_home(vb);
	item = reg ? mediareg_lookup(reg, e->kind, &e->uuid, NULL, base) : NULL;
	rc = fn(arg, item, reg, base, err);
	if (rc) {
		vbox_global_unlock(vb);
		return rc;
	}
	return vbox_global_commit(vb, err);
}

struct add_args {
	enum mediareg_kind kind;
	const struct vb_uuid *uuid;
	const char *abs_path;
	const char *format;
};

static int add_child(void *arg, struct snode *item, struct snode *reg,
		     const char *base, struct vb_error *err)
{
	struct add_args *a = arg;
	char *loc;
	struct snode *n;

	if (!item)
		return vb_err(err, ENOENT, VBOX_E_OBJECT_NOT_FOUND,
			      "The parent medium vanished from the media registry");
	loc = mediareg_location_for(base, a->abs_path);
	if (!loc)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	n = mediareg_add(reg, a->kind, a->uuid, loc, a->format, NULL, item);
	free(loc);
	return n ? 0 : vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
}

int vbm_registry_add(struct vbm_ctx *ctx, enum mediareg_kind kind,
		     const struct vb_uuid *uuid, const char *abs_path,
		     const char *format, const struct mediareg_entry *parent,
		     struct vb_error *err)
{
	struct add_args a = { kind, uuid, abs_path, format };
	struct vbox *vb = vbm_vbox(ctx);
	struct snode *reg, *n;
	const char *fmt_attr = format;
	char *loc;
	int rc;

	if (kind != MR_HDD && format && !strcasecmp(format, "RAW"))
		fmt_attr = NULL;
	a.format = fmt_attr;
	if (parent)
		return vbm_registry_edit(ctx, parent, add_child, &a, err);
	if (!vb)
		return vb_err(err, EIO, VB_E_FAIL, "No VirtualBox home");
	rc = vbox_global_lock(vb, err);
	if (rc)
		return rc;
	reg = vbox_global_node(vb, "MediaRegistry", true);
	loc = mediareg_location_for(vbox_home(vb), abs_path);
	n = reg && loc ? mediareg_add(reg, kind, uuid, loc, fmt_attr,
				      kind == MR_HDD ? "Normal" : NULL, NULL)
		       : NULL;
	free(loc);
	if (!n) {
		vbox_global_unlock(vb);
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	}
	return vbox_global_commit(vb, err);
}

int vbm_location_free(struct vbm_ctx *ctx, enum mediareg_kind kind,
		      const char *abs_path, const char *context, int line)
{
	struct mediareg_entry e;
	struct machine *loaded = NULL;
	struct vb_error err = { 0 };
	struct vbox *vb = vbm_vbox(ctx);
	char ub[40];

	if (!vb)
		return VBM_FAIL;
	if (mediareg_find(vb, NULL, kind, abs_path, &e, &loaded, NULL))
		return VBM_OK;
	vb_err(&err, EEXIST, VB_E_INVALIDARG,
	       "Cannot create the %s '%s': a medium with UUID {%s} is already registered at this location",
	       vbm_kind_noun(kind), abs_path, vb_uuid_fmt(&e.uuid, ub));
	vb_err_where(&err, "VirtualBoxWrap", "IVirtualBox", "nsISupports");
	mediareg_entry_release(&e);
	if (loaded)
		machine_free(loaded);
	vbm_api_error(&err, context, "VBoxManageDisk.cpp", line);
	return VBM_FAIL;
}

/* ------------------------------------------------------------------ */
/* Opening                                                             */

static const char *canonical_format(const char *stored)
{
	const char *c = media_format_name(stored);

	return c ? c : NULL;
}

int vbm_image_open(struct vbm_ctx *ctx, const struct mediareg_entry *e,
		   unsigned flags, struct medium **out, struct vb_error *err)
{
	struct vbox *vb = vbm_vbox(ctx);
	struct media_open_opts o = {
		.flags = flags,
		.format = e->format ? canonical_format(e->format) : NULL,
		.resolve = vbm_resolve_parent,
		.ctx = vb,
	};
	struct vb_uuid fu;
	int rc;

	if (e->kind != MR_HDD)
		o.format = "RAW";
	rc = media_open_ex(e->location, &o, out, err);
	if (rc)
		return rc;
	if (media_uuid(*out, &fu) && (flags & MEDIA_RDWR) &&
	    (media_format_caps(media_format(*out)) & 0x1)) {
		/* an image without a UUID (VMware) takes the registry's */
		rc = media_set_uuid(*out, &e->uuid, err);
		if (rc) {
			media_close(*out);
			*out = NULL;
			return rc;
		}
	}
	if (!media_uuid(*out, &fu) && !vb_uuid_eq(&fu, &e->uuid)) {
		char a[40], b[40];

		vb_err(err, EINVAL, VB_E_FAIL,
		       "UUID {%s} of the medium '%s' does not match the value {%s} stored in the media registry ('%s')",
		       vb_uuid_fmt(&fu, a), e->location,
		       vb_uuid_fmt(&e->uuid, b), vbm_registry_file(ctx, e));
		media_close(*out);
		*out = NULL;
		return -EINVAL;
	}
	return 0;
}

static bool has_ext(const char *path, const char *const *exts)
{
	const char *x = path_ext(path);

	if (!*x)
		return false;
	for (; *exts; exts++)
		if (!strcasecmp(x + 1, *exts))
			return true;
	return false;
}

/* VirtualBox's RAW back-end rules for optical and floppy images. */
static bool raw_kind_ok(struct medium *m, enum mediareg_kind kind)
{
	static const char *const dvd_exts[] = { "iso", "cdr", NULL };
	static const char *const fd_exts[] = {
		"img", "ima", "dsk", "flp", "vfd", NULL
	};
	uint64_t sz = media_size(m);

	if (kind == MR_DVD)
		return media_is_iso(m) ||
		       (has_ext(media_path(m), dvd_exts) && sz % 2048 == 0 &&
			sz > 32768);
	return sz % 512 == 0 && sz <= 512ull * 82 * 48 * 2 &&
	       has_ext(media_path(m), fd_exts);
}

int vbm_medium_lookup(struct vbm_ctx *ctx, const char *spec,
		      enum mediareg_kind kind, struct vbm_medium *out,
		      struct vb_error *err)
{
	struct vbox *vb = vbm_vbox(ctx);
	struct media_open_opts o = {
		.flags = MEDIA_RDONLY | MEDIA_NO_PARENT | MEDIA_NOLOCK,
	};
	struct mediareg_entry pe, other;
	struct machine *ploaded = NULL, *oloaded = NULL;
	struct vb_uuid u, pu;
	struct medium *m = NULL;
	char *abs = NULL, ub[40], pb[40];
	const char *format;
	bool has_parent = false;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&pe, 0, sizeof(pe));
	if (!vb)
		return vb_err(err, EIO, VB_E_FAIL, "No VirtualBox home");
	if (!mediareg_find(vb, NULL, kind, spec, &out->e, &out->loaded, NULL))
		return 0;
	if (!vb_uuid_parse(spec, &u)) {
		vb_err(err, ENOENT, VBOX_E_OBJECT_NOT_FOUND,
		       "Could not find an open %s with UUID {%s}",
		       vbm_kind_noun(kind), vb_uuid_fmt(&u, ub));
		vb_err_where(err, "VirtualBoxWrap", "IVirtualBox",
			     "nsISupports");
		return -ENOENT;
	}
	abs = path_abs(spec);
	if (!abs)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	if (kind != MR_HDD)
		o.format = "RAW";
	rc = media_open_ex(abs, &o, &m, err);
	if (rc) {
		vb_err_where(err, "MediumWrap", "IMedium", "nsISupports");
		goto out;
	}
	format = media_format(m);
	if ((kind == MR_HDD && !strcmp(format, "RAW")) ||
	    (kind != MR_HDD && !raw_kind_ok(m, kind))) {
		rc = vb_err(err, ENOTSUP, VBOX_E_IPRT_ERROR,
			    "Could not get the storage format of the medium '%s' (VERR_NOT_SUPPORTED)",
			    abs);
		vb_err_where(err, "MediumWrap", "IMedium", "nsISupports");
		goto out;
	}
	if (media_uuid(m, &u))
		vb_uuid_generate(&u);
	if (!media_parent_uuid(m, &pu) && !vb_uuid_is_zero(&pu))
		has_parent = true;
	vb_uuid_fmt(&u, ub);
	if (!mediareg_find(vb, NULL, kind, ub, &other, &oloaded, NULL)) {
		rc = vb_err(err, EEXIST, VB_E_INVALIDARG,
			    "Cannot register the %s '%s' {%s} because a %s '%s' with UUID {%s} already exists",
			    vbm_kind_noun(kind), abs, ub, vbm_kind_noun(kind),
			    other.location, ub);
		vb_err_where(err, "VirtualBoxWrap", "IVirtualBox",
			     "nsISupports");
		mediareg_entry_release(&other);
		if (oloaded)
			machine_free(oloaded);
		goto out;
	}
	if (has_parent &&
	    mediareg_find(vb, NULL, MR_HDD, vb_uuid_fmt(&pu, pb), &pe,
			  &ploaded, NULL)) {
		rc = vb_err(err, ENOENT, VBOX_E_OBJECT_NOT_FOUND,
			    "Parent medium with UUID {%s} of the medium '%s' is not found in the media registry ('%s')",
			    pb, abs, sdoc_path(vbox_global(vb)));
		vb_err_where(err, "MediumWrap", "IMedium", "nsISupports");
		goto out;
	}
	rc = vbm_registry_add(ctx, kind, &u, abs, format,
			      has_parent ? &pe : NULL, err);
	if (rc)
		goto out;
	rc = mediareg_find(vb, NULL, kind, ub, &out->e, &out->loaded, err);
	out->fresh = true;
out:
	if (has_parent)
		mediareg_entry_release(&pe);
	if (ploaded)
		machine_free(ploaded);
	media_close(m);
	free(abs);
	return rc;
}

int vbm_medium_open(struct vbm_ctx *ctx, const char *spec,
		    enum mediareg_kind kind, bool quiet, struct vbm_medium *out)
{
	struct vb_error err = { 0 };

	if (!vbm_vbox(ctx))
		return VBM_FAIL;
	if (vbm_medium_lookup(ctx, spec, kind, out, &err)) {
		if (!quiet)
			vbm_api_error(&err,
				      "OpenMedium(Bstr(pszFilenameOrUuid).raw(), enmDevType, enmAccessMode, fForceNewUuidOnOpen, pMedium.asOutParam())",
				      "VBoxManageDisk.cpp", 201);
		return VBM_FAIL;
	}
	return VBM_OK;
}

/* ------------------------------------------------------------------ */
/* Printing                                                            */

static const struct {
	const char *reg, *text, *arg;
} medium_types[] = {
	{ "Normal", "normal", "normal" },
	{ "Immutable", "immutable", "immutable" },
	{ "Writethrough", "writethrough", "writethrough" },
	{ "Shareable", "shareable", "shareable" },
	{ "Readonly", "readonly", "readonly" },
	{ "MultiAttach", "multiattach", "multiattach" },
};

const char *vbm_medium_type_parse(const char *s)
{
	size_t i;

	for (i = 0; i < VB_ARRAY_SIZE(medium_types); i++)
		if (!strcasecmp(s, medium_types[i].arg))
			return medium_types[i].reg;
	return NULL;
}

const char *vbm_medium_type_text(const struct mediareg_entry *e,
				 bool differencing)
{
	const char *t = e->type;
	size_t i;

	if (!t)
		t = e->kind == MR_DVD ? "Readonly" :
		    e->kind == MR_FLOPPY ? "Writethrough" : "Normal";
	if (e->kind == MR_DVD)
		t = "Readonly";
	for (i = 0; i < VB_ARRAY_SIZE(medium_types); i++)
		if (!strcasecmp(t, medium_types[i].reg)) {
			if (i == 0)
				return differencing ? "normal (differencing)" :
						      "normal (base)";
			return medium_types[i].text;
		}
	return "unknown";
}

int vbm_variant_parse(const char *s, unsigned *variant)
{
	static const struct {
		const char *word;
		unsigned bits;
	} words[] = {
		{ "standard", 0 },
		{ "fixed", MEDIA_VARIANT_FIXED },
		{ "static", MEDIA_VARIANT_FIXED },
		{ "Diff", MEDIA_VARIANT_DIFF },
		{ "split2g", MEDIA_VARIANT_SPLIT2G },
		{ "stream", MEDIA_VARIANT_STREAM },
		{ "streamoptimized", MEDIA_VARIANT_STREAM },
		{ "esx", MEDIA_VARIANT_ESX },
		{ "formatted", MEDIA_VARIANT_FORMATTED },
		{ "raw", MEDIA_VARIANT_RAWDISK },
		{ "rawdisk", MEDIA_VARIANT_RAWDISK },
	};
	unsigned v = *variant;

	while (s && *s) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s), i;
		bool found = false;

		if (len) {
			for (i = 0; i < VB_ARRAY_SIZE(words) && !found; i++) {
				if (strncasecmp(s, words[i].word, len))
					continue;
				found = true;
				if (i == 0)
					v = 0;
				else
					v |= words[i].bits;
			}
			if (!found)
				return -1;
		}
		s += len + (comma ? 1 : 0);
	}
	*variant = v;
	return 0;
}

static char *registry_description(const struct mediareg_entry *e)
{
	struct snode *d = e->node ? snode_child(e->node, "Description") : NULL;

	return d ? snode_text(d) : NULL;
}

static void print_properties(const struct mediareg_entry *e)
{
	const struct media_property *p = media_format_props(e->format);
	struct snode *it;
	bool first = true;
	/* format properties and stored ones, merged in name order */
	const char *names[64];
	size_t n = 0, i, j;

	for (; p->name && n < VB_ARRAY_SIZE(names); p++)
		names[n++] = p->name;
	for (it = e->node ? snode_child(e->node, "Property") : NULL;
	     it && n < VB_ARRAY_SIZE(names); it = snode_next(it, "Property")) {
		const char *nm = snode_attr(it, "name");
		bool dup = false;

		for (i = 0; nm && i < n; i++)
			dup |= !strcmp(names[i], nm);
		if (nm && !dup)
			names[n++] = nm;
	}
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			const char *t = names[j];

			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	for (i = 0; i < n; i++) {
		const char *v = e->node ? mediareg_property(e->node, names[i])
					: NULL;

		if (!v) {
			const struct media_property *q;

			for (q = media_format_props(e->format); q->name; q++)
				if (!strcmp(q->name, names[i]))
					v = q->def;
		}
		printf("%s%s=%s\n", first ? "Property:       " : "                ",
		       names[i], v ? v : "");
		first = false;
	}
}

static void print_users(struct vbm_ctx *ctx, const struct mediareg_entry *e)
{
	struct mediareg_use *u = NULL;
	unsigned n = 0, i, j;
	char ub[40], sb[40];

	if (mediareg_uses(vbm_vbox(ctx), &e->uuid, &u, &n))
		return;
	for (i = 0; i < n; i++) {
		printf("%s%s (UUID: %s)", i ? "                " : "In use by VMs:  ",
		       u[i].vm_name, vb_uuid_fmt(&u[i].vm_uuid, ub));
		for (j = 0; j < u[i].nsnap; j++)
			printf(" [%s (UUID: %s)]", u[i].snap_names[j],
			       vb_uuid_fmt(&u[i].snap_uuids[j], sb));
		putchar('\n');
	}
	mediareg_uses_free(u, n);
}

static void print_children(const struct mediareg_entry *e)
{
	struct snode *c;
	bool first = true;

	if (e->kind != MR_HDD || !e->node)
		return;
	for (c = snode_child(e->node, "HardDisk"); c;
	     c = snode_next(c, "HardDisk")) {
		struct vb_uuid u;
		char ub[40];

		if (vb_uuid_parse(snode_attr(c, "uuid"), &u))
			continue;
		printf("%s%s\n", first ? "Child UUIDs:    " : "                ",
		       vb_uuid_fmt(&u, ub));
		first = false;
	}
}

void vbm_medium_print(struct vbm_ctx *ctx, const struct mediareg_entry *e,
		      const char *parent, bool long_fmt)
{
	struct vb_error err = { 0 };
	struct medium *m = NULL;
	const char *state = "created";
	bool diff = parent && vb_is_uuid(parent);
	char ub[40], vb[64];
	int lk;

	lk = media_lock_state(e->location);
	if (lk == 1)
		state = "locked read";
	else if (lk == 2)
		state = "locked write";
	if (vbm_image_open(ctx, e, MEDIA_RDONLY | MEDIA_NO_PARENT | MEDIA_NOLOCK,
			   &m, &err))
		state = "inaccessible";
	printf("UUID:           %s\n", vb_uuid_fmt(&e->uuid, ub));
	if (parent)
		printf("Parent UUID:    %s\n", parent);
	printf("State:          %s\n", state);
	if (long_fmt && !m)
		printf("Access Error:   %s\n", err.msg);
	if (long_fmt) {
		char *d = registry_description(e);

		if (d && *d)
			printf("Description:    %s\n", d);
		free(d);
	}
	printf("Type:           %s\n", vbm_medium_type_text(e, diff));
	if (long_fmt && diff)
		printf("Auto-Reset:     %s\n",
		       e->node && snode_bool(e->node, "autoReset", false) ?
		       "on" : "off");
	printf("Location:       %s\n", e->location);
	printf("Storage format: %s\n",
	       e->format ? e->format : m ? media_format(m) : "RAW");
	if (long_fmt)
		printf("Format variant: %s\n",
		       media_variant_string(m ? media_variant(m) : 0, vb,
					    sizeof(vb)));
	printf("Capacity:       %llu MBytes\n",
	       m ? (unsigned long long)(media_size(m) >> 20) : 0ull);
	if (long_fmt)
		printf("Size on disk:   %llu MBytes\n",
		       m ? (unsigned long long)(media_file_size(m) >> 20) : 0ull);
	printf("Encryption:     disabled\n");
	if (long_fmt) {
		print_properties(e);
		print_users(ctx, e);
		print_children(e);
	}
	media_close(m);
}
