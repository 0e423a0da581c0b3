/*
 * modifymedium (modifyhd, modifyvdi) and mediumproperty (hdproperty):
 * type, auto-reset, properties, compaction, growing, moving, location
 * and description of a registered medium, in VirtualBox's order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/vboxmanage/commands.h"
#include "cmd/vboxmanage/medium.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"

#define MODIFY_CONTEXT "RTEXITCODE handleModifyMedium(HandlerArg*)"

static int progress_failed(struct vb_error *err, const char *head, int line)
{
	fprintf(stderr, "\nProgress state: %s\n",
		vb_hrc_name(err->hrc ? err->hrc : VB_E_FAIL));
	vb_err_where(err, "MediumWrap", "IMedium", NULL);
	return vbm_api_error_head(head, err, MODIFY_CONTEXT,
				  "VBoxManageDisk.cpp", line);
}

/* ---- registry edits ---- */

struct set_attr {
	const char *name, *value;
};

static int edit_attr(void *arg, struct snode *item, struct snode *reg,
		     const char *base, struct vb_error *err)
{
	struct set_attr *a = arg;

	if (!item)
		return vb_err(err, ENOENT, VBOX_E_OBJECT_NOT_FOUND,
			      "The medium is no longer registered");
	if (snode_set_attr(item, a->name, a->value))
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	return 0;
}

struct set_prop {
	const char *name, *value;
};

static int edit_prop(void *arg, struct snode *item, struct snode *reg,
		     const char *base, struct vb_error *err)
{
	struct set_prop *a = arg;

	if (!item)
		return vb_err(err, ENOENT, VBOX_E_OBJECT_NOT_FOUND,
			      "The medium is no longer registered");
	if (mediareg_set_property(item, a->name, a->value))
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	return 0;
}

static int edit_description(void *arg, struct snode *item, struct snode *reg,
			    const char *base, struct vb_error *err)
{
	const char *text = arg;
	struct snode *d;

	if (!item)
		return vb_err(err, ENOENT, VBOX_E_OBJECT_NOT_FOUND,
			      "The medium is no longer registered");
	d = snode_child(item, "Description");
	if (!text || !*text) {
		if (d)
			snode_remove(d);
		return 0;
	}
	if (!d)
		d = snode_ensure(item, "Description");
	if (!d || snode_set_text(d, text))
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	return 0;
}

static int edit_location(void *arg, struct snode *item, struct snode *reg,
			 const char *base, struct vb_error *err)
{
	char *loc;
	int rc;

	if (!item)
		return vb_err(err, ENOENT, VBOX_E_OBJECT_NOT_FOUND,
			      "The medium is no longer registered");
	loc = mediareg_location_for(base, arg);
	if (!loc)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	rc = snode_set_attr(item, "location", loc);
	free(loc);
	return rc ? vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory") : 0;
}

int vbm_medium_set_description(struct vbm_ctx *ctx, struct vbm_medium *med,
			       const char *text)
{
	struct vb_error err = { 0 };
	struct medium *m = NULL;

	if (vbm_registry_edit(ctx, &med->e, edit_description, (void *)text,
			      &err))
		return vbm_medium_error(&err,
					"COMSETTER(Description)(Bstr(pszNewLocation).raw())",
					518);
	/* formats that keep a comment get it too */
	if (!vbm_image_open(ctx, &med->e, MEDIA_RDWR | MEDIA_NO_PARENT, &m,
			    &err))
		media_set_comment(m, text, NULL);
	media_close(m);
	return VBM_OK;
}

/* Is `name` a property of the medium's format (or already stored)? */
static bool property_known(const struct mediareg_entry *e, const char *name)
{
	const struct media_property *p = media_format_props(e->format);

	for (; p->name; p++)
		if (!strcmp(p->name, name))
			return true;
	return e->node && snode_child_with(e->node, "Property", "name", name);
}

static int property_missing(const char *name, const char *context, int line)
{
	struct vb_error err = { 0 };

	vb_err(&err, ENOENT, VBOX_E_OBJECT_NOT_FOUND,
	       "Property '%s' does not exist", name);
	return vbm_medium_error(&err, context, line);
}

/* ---- the operations ---- */

int vbm_medium_set_type(struct vbm_ctx *ctx, struct vbm_medium *med,
			const char *type)
{
	struct vb_error err = { 0 };
	struct set_attr a = { "type", type };
	struct mediareg_use *uses = NULL;
	unsigned n = 0;
	const char *ctxs = "COMSETTER(Type)(enmMediumType)";

	if (med->e.type && !strcasecmp(med->e.type, type))
		return VBM_OK;
	if (med->e.kind == MR_DVD) {
		vb_err(&err, EINVAL, VBOX_E_INVALID_OBJECT_STATE,
		       "Cannot change the type of DVD medium '%s'",
		       med->e.location);
		return vbm_medium_error(&err, ctxs, 424);
	}
	if (med->e.has_parent) {
		vb_err(&err, EINVAL, VBOX_E_INVALID_OBJECT_STATE,
		       "Cannot change the type of medium '%s' because it is a differencing medium",
		       med->e.location);
		return vbm_medium_error(&err, ctxs, 424);
	}
	if (!mediareg_uses(vbm_vbox(ctx), &med->e.uuid, &uses, &n) && n) {
		vb_err(&err, EBUSY, VBOX_E_OBJECT_IN_USE,
		       "Cannot change the type of medium '%s' because it is attached to %u virtual machines",
		       med->e.location, n);
		mediareg_uses_free(uses, n);
		return vbm_medium_error(&err, ctxs, 424);
	}
	mediareg_uses_free(uses, n);
	if (!strcmp(type, "Shareable")) {
		struct medium *m = NULL;
		bool fixed = false;

		if (!vbm_image_open(ctx, &med->e, MEDIA_RDONLY | MEDIA_NO_PARENT |
				    MEDIA_NOLOCK, &m, &err))
			fixed = media_variant(m) & MEDIA_VARIANT_FIXED;
		media_close(m);
		if (!fixed) {
			vb_err(&err, EINVAL, VBOX_E_INVALID_OBJECT_STATE,
			       "Cannot change type for medium '%s' to 'Shareable' since it is a dynamic medium storage unit",
			       med->e.location);
			return vbm_medium_error(&err, ctxs, 424);
		}
	}
	if (vbm_registry_edit(ctx, &med->e, edit_attr, &a, &err))
		return vbm_medium_error(&err, ctxs, 424);
	return VBM_OK;
}

static int do_compact(struct vbm_ctx *ctx, struct vbm_medium *med)
{
	struct vb_error err = { 0 };
	struct vbm_progress p;
	struct medium *m = NULL;

	vbm_progress_start(&p);
	if (vbm_image_open(ctx, &med->e, MEDIA_RDWR, &m, &err))
		return progress_failed(&err, "Failed to compact medium", 468);
	if (media_compact(m, vbm_medium_progress, &p, &err)) {
		media_close(m);
		if (err.hrc == VBOX_E_NOT_SUPPORTED) {
			fprintf(stderr, "\nProgress state: %s\n",
				vb_hrc_name(err.hrc));
			vbm_error("Compact medium operation for this format is not implemented yet!");
			return VBM_FAIL;
		}
		return progress_failed(&err, "Failed to compact medium", 468);
	}
	media_close(m);
	vbm_progress_done(&p, true);
	return VBM_OK;
}

static int do_resize(struct vbm_ctx *ctx, struct vbm_medium *med,
		     uint64_t size)
{
	struct vb_error err = { 0 };
	struct vbm_progress p;
	struct medium *m = NULL;

	vbm_progress_start(&p);
	if (vbm_image_open(ctx, &med->e, MEDIA_RDWR, &m, &err))
		return progress_failed(&err, "Failed to resize medium", 482);
	if (media_resize(m, size, vbm_medium_progress, &p, &err)) {
		media_close(m);
		return progress_failed(&err, "Failed to resize medium", 482);
	}
	media_close(m);
	vbm_progress_done(&p, true);
	return VBM_OK;
}

static int do_move(struct vbm_ctx *ctx, struct vbm_medium *med,
		   const char *dest)
{
	struct vb_error err = { 0 };
	struct vbm_progress p;
	struct medium *m = NULL;
	char *target = NULL, ub[40];
	int rc = VBM_FAIL;

	/* a directory keeps the file name */
	if (path_is_dir(dest))
		target = path_join(dest, path_basename(med->e.location));
	else
		target = strdup(dest);
	if (!target)
		return VBM_FAIL;
	if (!*path_ext(target)) {
		char *t = vb_asprintf("%s%s", target, path_ext(med->e.location));

		free(target);
		target = t;
		if (!target)
			return VBM_FAIL;
	}
	vbm_progress_start(&p);
	if (vbm_image_open(ctx, &med->e, MEDIA_RDWR | MEDIA_NO_PARENT, &m, &err) ||
	    media_move(m, target, &err)) {
		progress_failed(&err, "Failed to move medium", 500);
		goto out;
	}
	if (vbm_registry_edit(ctx, &med->e, edit_location,
			      (void *)media_path(m), &err)) {
		progress_failed(&err, "Failed to move medium", 500);
		goto out;
	}
	vbm_progress_done(&p, true);
	printf("Move medium with UUID %s finished\n",
	       vb_uuid_fmt(&med->e.uuid, ub));
	rc = VBM_OK;
out:
	media_close(m);
	free(target);
	return rc;
}

int cmd_modifymedium(struct vbm_ctx *ctx, int argc, char **argv)
{
	static const struct vb_option opts[] = {
		{ "--type", 't', VBGO_STRING },
		{ "-type", 't', VBGO_STRING },
		{ "--autoreset", 'z', VBGO_STRING },
		{ "-autoreset", 'z', VBGO_STRING },
		{ "--property", 'p', VBGO_STRING },
		{ "--compact", 'c', VBGO_NOVAL },
		{ "-compact", 'c', VBGO_NOVAL },
		{ "--resize", 'r', VBGO_U64 },
		{ "--resizebyte", 'R', VBGO_U64 },
		{ "--move", 'm', VBGO_STRING },
		{ "--setlocation", 'l', VBGO_STRING },
		{ "--description", 'd', VBGO_STRING },
	};
	struct vb_getopt g;
	const char *spec = NULL, *type = NULL, *move = NULL, *setloc = NULL;
	const char *desc = NULL;
	struct set_prop props[32];
	unsigned nprops = 0, i;
	bool autoreset = false, set_autoreset = false, compact = false;
	bool resize = false, resize_mb = false, bad_prop = false;
	uint64_t size = 0;
	struct vbm_medium med = { 0 };
	struct vb_error err = { 0 };
	int kind = -1, c, rc = VBM_OK;
	char ub[40];

	vb_getopt_init(&g, argc, argv, 1, opts, VB_ARRAY_SIZE(opts));
	while ((c = vb_getopt_next(&g)) != VBGO_END) {
		switch (c) {
		case 't':
			type = vbm_medium_type_parse(g.v.str);
			if (!type) {
				vbm_error("Invalid medium type '%s'", g.v.str);
				return VBM_FAIL;
			}
			break;
		case 'z': {
			static const char *const yes[] = { "on", "yes", "true",
				"1", "enable", "enabled" };
			static const char *const no[] = { "off", "no", "false",
				"0", "disable", "disabled" };
			bool ok = false;

			for (i = 0; i < 6 && !ok; i++) {
				if (!strcasecmp(g.v.str, yes[i])) {
					autoreset = ok = true;
				} else if (!strcasecmp(g.v.str, no[i])) {
					autoreset = false;
					ok = true;
				}
			}
			if (!ok) {
				vbm_error("Invalid autoreset parameter '%s'", g.v.str);
				return VBM_FAIL;
			}
			set_autoreset = true;
			break;
		}
		case 'p': {
			char *eq = strchr(g.v.str, '=');

			if (!eq) {
				vbm_error("Invalid --property argument '%s'", g.v.str);
				bad_prop = true;
				break;
			}
			if (nprops < VB_ARRAY_SIZE(props)) {
				*eq = '\0';
				props[nprops].name = g.v.str;
				props[nprops].value = eq + 1;
				nprops++;
			}
			break;
		}
		case 'c':
			compact = true;
			break;
		case 'r':
			size = g.v.u64 << 20;
			resize = resize_mb = true;
			break;
		case 'R':
			size = g.v.u64;
			resize = true;
			break;
		case 'm':
			move = g.v.str;
			break;
		case 'l':
			setloc = g.v.str;
			break;
		case 'd':
			desc = g.v.str;
			break;
		case VBGO_NOT_OPTION: {
			const char **slot[] = { &spec };
			int r;

			if (!strcmp(g.v.str, "compact") ||
			    !strcmp(g.v.str, "settype") ||
			    !strcmp(g.v.str, "autoreset")) {
				/* legacy spellings without dashes */
				if (!strcmp(g.v.str, "compact")) {
					compact = true;
					break;
				}
				if (vb_getopt_fetch(&g, VBGO_STRING) != 1)
					return vbm_syntax(ctx, "%s: %s", g.arg,
							  vb_getopt_strerror(VBGO_ERR_MISSING));
				if (!strcmp(argv[g.next - 2], "settype")) {
					type = vbm_medium_type_parse(g.v.str);
					if (!type) {
						vbm_error("Invalid medium type '%s'", g.v.str);
						return VBM_FAIL;
					}
				} else {
					bool b;

					if (vb_parse_bool_word(g.v.str, &b)) {
						vbm_error("Invalid autoreset parameter '%s'",
							  g.v.str);
						return VBM_FAIL;
					}
					autoreset = b;
					set_autoreset = true;
				}
				break;
			}
			r = vbm_medium_word(ctx, g.v.str, &kind, slot, 1);
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
	if (!spec)
		return vbm_syntax(ctx, "Medium name or UUID required");
	if (!type && !set_autoreset && !nprops && !compact && !resize &&
	    !move && !setloc && !desc) {
		if (bad_prop)
			return VBM_FAIL;
		return vbm_syntax(ctx, "No operation specified");
	}
	if (vbm_medium_open(ctx, spec, kind, false, &med))
		return VBM_FAIL;
	if (bad_prop)
		rc = VBM_FAIL;
	if (resize && resize_mb) {
		struct medium *m = NULL;
		uint64_t cur = 0;

		if (!vbm_image_open(ctx, &med.e, MEDIA_RDONLY | MEDIA_NO_PARENT |
				    MEDIA_NOLOCK, &m, &err))
			cur = media_size(m);
		media_close(m);
		if (size > cur * 1000) {
			vbm_error("Error: Attempt to resize the medium from %llu.%llu MB to %llu.%llu MB. Use --resizebyte if this is intended!\n",
				  (unsigned long long)(cur >> 20),
				  (unsigned long long)((cur & 0xfffff) / 104857),
				  (unsigned long long)(size >> 20),
				  (unsigned long long)((size & 0xfffff) / 104857));
			rc = VBM_FAIL;
			goto out;
		}
	}
	if (type && vbm_medium_set_type(ctx, &med, type))
		rc = VBM_FAIL;
	if (set_autoreset) {
		struct set_attr a = { "autoReset", autoreset ? "true" : NULL };

		if (!med.e.has_parent) {
			vb_err(&err, EINVAL, VBOX_E_NOT_SUPPORTED,
			       "Medium '%s' is not differencing", med.e.location);
			vbm_medium_error(&err, "COMSETTER(AutoReset)(AutoReset)", 437);
			rc = VBM_FAIL;
		} else if (vbm_registry_edit(ctx, &med.e, edit_attr, &a, &err)) {
			vbm_medium_error(&err, "COMSETTER(AutoReset)(AutoReset)", 437);
			rc = VBM_FAIL;
		}
	}
	for (i = 0; i < nprops; i++) {
		if (!property_known(&med.e, props[i].name)) {
			property_missing(props[i].name,
					 "SetProperties(ComSafeArrayAsInParam(mediumPropNames), ComSafeArrayAsInParam(mediumPropValues))",
					 442);
			rc = VBM_FAIL;
			break;
		}
		if (vbm_registry_edit(ctx, &med.e, edit_prop, &props[i], &err)) {
			vbm_medium_error(&err, "SetProperties(ComSafeArrayAsInParam(mediumPropNames), ComSafeArrayAsInParam(mediumPropValues))",
					 442);
			rc = VBM_FAIL;
			break;
		}
	}
	if (compact && do_compact(ctx, &med))
		rc = VBM_FAIL;
	if (resize && do_resize(ctx, &med, size))
		rc = VBM_FAIL;
	if (move && do_move(ctx, &med, move))
		rc = VBM_FAIL;
	if (setloc) {
		char *abs = path_abs(setloc);

		if (!abs || vbm_registry_edit(ctx, &med.e, edit_location, abs,
					      &err)) {
			vbm_medium_error(&err, "COMSETTER(Location)(Bstr(strLocation).raw())",
					 509);
			rc = VBM_FAIL;
		} else {
			printf("Set new location of medium with UUID %s finished\n",
			       vb_uuid_fmt(&med.e.uuid, ub));
		}
		free(abs);
	}
	if (desc) {
		if (vbm_medium_set_description(ctx, &med, desc))
			rc = VBM_FAIL;
		else
			printf("Medium description has been changed.\n");
	}
out:
	vbm_medium_release(&med);
	return rc;
}

int cmd_mediumproperty(struct vbm_ctx *ctx, int argc, char **argv)
{
	struct vbm_medium med = { 0 };
	struct vb_error err = { 0 };
	const char *action, *spec, *prop;
	int kind = MR_HDD, k, rc = VBM_OK;

	argc--;
	argv++;
	if (argc > 0 && (k = vbm_medium_kind_word(argv[0])) >= 0) {
		kind = k;
		argc--;
		argv++;
	}
	if (argc == 0)
		return vbm_syntax(ctx, "Missing action");
	action = argv[0];
	if (strcasecmp(action, "set") && strcasecmp(action, "get") &&
	    strcasecmp(action, "delete"))
		return vbm_syntax(ctx, "Invalid action given: %s", action);
	if ((!strcasecmp(action, "set") && argc != 4) ||
	    (strcasecmp(action, "set") && argc != 3))
		return vbm_syntax(ctx, "Invalid number of arguments given for action: %s",
				  action);
	spec = argv[1];
	prop = argv[2];
	if (vbm_medium_open(ctx, spec, kind, false, &med))
		return VBM_FAIL;
	if (!strcasecmp(action, "get")) {
		const char *v = med.e.node ? mediareg_property(med.e.node, prop)
					   : NULL;

		if (!v) {
			const struct media_property *p =
				media_format_props(med.e.format);

			for (; p->name && !v; p++)
				if (!strcmp(p->name, prop))
					v = p->def;
		}
		if (!v)
			rc = property_missing(prop,
					      "GetProperty(Bstr(pszProperty).raw(), strVal.asOutParam())",
					      1281);
		else
			printf("%s=%s\n", prop, v);
	} else {
		struct set_prop sp = { prop,
				       !strcasecmp(action, "set") ? argv[3] : NULL };

		if (!property_known(&med.e, prop))
			rc = property_missing(prop,
					      !strcasecmp(action, "set") ?
					      "SetProperty(Bstr(pszProperty).raw(), Bstr(pszValue).raw())" :
					      "SetProperty(Bstr(pszProperty).raw(), Bstr().raw())",
					      !strcasecmp(action, "set") ? 1268 : 1289);
		else if (vbm_registry_edit(ctx, &med.e, edit_prop, &sp, &err))
			rc = vbm_medium_error(&err,
					      "SetProperty(Bstr(pszProperty).raw(), Bstr(pszValue).raw())",
					      1268);
	}
	vbm_medium_release(&med);
	return rc;
}

const struct vbm_help help_modifymedium = {
	"change the characteristics of a disk image",
	"VBoxManage modifymedium [disk | dvd | floppy] < uuid | filename >\n"
	"    [--type= normal | writethrough | immutable | shareable | readonly | multiattach ]\n"
	"    [--autoreset= on | off ] [--property=name=[value]] [--compact]\n"
	"    [--resize=megabytes | --resizebyte=bytes] [--move=pathname]\n"
	"    [--setlocation=pathname] [--description=description-string]",
	"Changes a registered medium: its type, auto-reset, properties and\n"
	"description, compacts or grows the image, moves its files or only\n"
	"records a new location.\n",
};

const struct vbm_help help_mediumproperty = {
	"manage medium properties",
	"VBoxManage mediumproperty [disk | dvd | floppy] set < uuid | filename >\n"
	"    <property-name> <property-value>\n"
	"VBoxManage mediumproperty [disk | dvd | floppy] get < uuid | filename >\n"
	"    <property-name>\n"
	"VBoxManage mediumproperty [disk | dvd | floppy] delete < uuid | filename >\n"
	"    <property-name>",
	"Sets, shows or removes a property of a medium.\n",
};
