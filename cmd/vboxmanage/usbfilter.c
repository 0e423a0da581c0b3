/*
 * usbfilter add|modify|remove: USB device filters of a machine
 * (<USB><DeviceFilters>, settings-format 7.9) or of the host
 * (<Global><USBDeviceFilters>, 6.6), as VBoxManage 7.0's handleUSBFilter
 * over IUSBDeviceFilters / IHost.  Field values are checked the way
 * USBDeviceFilter::i_usbFilterFieldFromString does: numeric fields
 * (vendor, product, revision, port) take a hexadecimal number, stored as
 * four upper-case digits, or a numeric expression stored as given; the
 * string fields take anything.
 *
 * Where VirtualBox indexes past the end of the list on modify (and
 * crashes), the position errors of remove are reported.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/vboxmanage/commands.h"
#include "lib/util/strbuf.h"

#define FILE_USB "VBoxManageUSB.cpp"

enum uf_action { UF_ADD, UF_MODIFY, UF_REMOVE };

/* The fields in the order VBoxManage sets them. */
enum uf_field {
	UF_VENDOR, UF_PRODUCTID, UF_REVISION, UF_MANUFACTURER, UF_PRODUCT,
	UF_PORT, UF_REMOTE, UF_SERIAL, UF_NFIELDS
};

static const struct {
	const char *attr;       /* settings attribute */
	const char *desc;       /* i_describeUSBFilterIdx */
	const char *setter;     /* COMSETTER(...)(...) */
	bool numeric;
} fields[UF_NFIELDS] = {
	{ "vendorId", "Vendor ID", "COMSETTER(VendorId)(f.mVendorId.raw())", true },
	{ "productId", "Product ID", "COMSETTER(ProductId)(f.mProductId.raw())", true },
	{ "revision", "Revision", "COMSETTER(Revision)(f.mRevision.raw())", true },
	{ "manufacturer", "Manufacturer", "COMSETTER(Manufacturer)(f.mManufacturer.raw())", false },
	{ "product", "Product", "COMSETTER(Product)(f.mProduct.raw())", false },
	{ "port", "Port number", "COMSETTER(Port)(f.mPort.raw())", true },
	{ "remote", "", "COMSETTER(Remote)(f.mRemote.raw())", false },
	{ "serialNumber", "Serial number", "COMSETTER(SerialNumber)(f.mSerialNumber.raw())", false },
};

/* Source lines of the setter calls: add global, add machine, modify
 * global, modify machine (0 where VBoxManage makes no such call). */
static const int setter_lines[4][UF_NFIELDS] = {
	{ 380, 382, 384, 386, 388, 390, 0, 392 },
	{ 410, 412, 414, 416, 418, 420, 422, 424 },
	{ 446, 448, 450, 452, 454, 456, 0, 458 },
	{ 477, 479, 481, 483, 485, 487, 489, 491 },
};

struct uf_cmd {
	enum uf_action action;
	uint32_t index;
	bool global;
	struct machine *m;
	const char *name;
	int active;             /* -1 unset */
	const char *val[UF_NFIELDS];
	bool has_masked;
	uint32_t masked;
	const char *action_str; /* "Ignore", "Hold" or NULL */
};

/* ---- USBFilter.cpp's numeric expression check ---- */

static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* usbfilterReadNumber: 0 ok, -1 no digits, -2 (not reached here). */
static int read_number(const char **pp)
{
	const char *p = skip_blanks(*pp);
	unsigned base = 10;

	if (!isdigit((unsigned char)*p))
		return -1;
	if (*p == '0') {
		if (p[1] == 'x' || p[1] == 'X') {
			if (!isxdigit((unsigned char)p[2]))
				return -1;
			p += 2;
			base = 16;
		} else if (p[1] >= '0' && p[1] <= '7') {
			p++;
			base = 8;
		} else if (isdigit((unsigned char)p[1])) {
			return -1;
		}
	}
	for (;;) {
		unsigned d;

		if (base == 16 && isxdigit((unsigned char)*p))
			d = isdigit((unsigned char)*p) ? (unsigned)(*p - '0')
			    : (unsigned)(tolower((unsigned char)*p) - 'a' + 10);
		else if (isdigit((unsigned char)*p))
			d = (unsigned)(*p - '0');
		else
			break;
		if (d >= base)
			break;
		p++;
		if (!*p)
			break;
	}
	*pp = skip_blanks(p);
	return 0;
}

/* 0 valid, VERR_INVALID_PARAMETER (-2) or VERR_NO_DIGITS (-1). */
static int validate_num_expr(const char *p)
{
	unsigned n = 0;

	if (!*p)
		return 0;
	while (*p) {
		int rc = 0;

		if (!strncmp(p, "int:", 4))
			p += 4;
		while (*p == '|' || *p == ' ' || *p == '\t' || *p == '(' ||
		       *p == ')')
			p++;
		if (!*p)
			break;
		if (*p == '-') {
			p++;
			rc = read_number(&p);
		} else {
			rc = read_number(&p);
			if (!rc) {
				p = skip_blanks(p);
				if (*p == '-') {
					p++;
					if (*p)
						rc = read_number(&p);
				} else if (*p == ',') {
					p++;
					rc = read_number(&p);
				}
			}
		}
		if (rc)
			return rc;
		if (*p && *p != '|' && *p != ')')
			return -2;
		n++;
	}
	return n ? 0 : -2;
}

/* i_usbFilterFieldFromString: the value to store (allocated) or NULL with
 * err set. */
static char *field_value(enum uf_field f, const char *v, struct vb_error *err)
{
	const char *p;
	char *end;
	unsigned long long u;
	int rc;

	if (f == UF_REMOTE) {
		if (*v && strcmp(v, "true") && strcmp(v, "yes") &&
		    strcmp(v, "1") && strcmp(v, "false") && strcmp(v, "no") &&
		    strcmp(v, "0")) {
			vb_err(err, EINVAL, VB_E_INVALIDARG,
			       "Remote state filter string '%s' is not valid (error at position 1)",
			       v);
			return NULL;
		}
		return vb_strdup(v);
	}
	if (!fields[f].numeric || !*v)
		return vb_strdup(v);
	/* a lonely hexadecimal number (RTStrToUInt64Ex, base 16) */
	p = skip_blanks(v);
	if (*p != '-' && *p != '+') {
		errno = 0;
		u = strtoull(p, &end, 16);
		if (!errno && end != p && !*skip_blanks(end)) {
			if (u > 0xffff) {
				if (u != 0xffffffffull) {
					vb_err(err, ERANGE, VB_E_INVALIDARG,
					       "The %s value '%s' is too big (max 0xFFFF)",
					       fields[f].desc, v);
					return NULL;
				}
				u = 0xffff;
			}
			return vb_asprintf("%04llX", u);
		}
	}
	p = v;
	while (*p == ' ' || *p == '\t' || *p == '|')
		p++;
	rc = validate_num_expr(p);
	if (rc == -2) {
		vb_err(err, EINVAL, VB_E_INVALIDARG,
		       "The %s filter expression '%s' is not valid",
		       fields[f].desc, v);
		return NULL;
	}
	if (rc) {
		vb_err(err, EINVAL, VB_E_FAIL,
		       "Encountered unexpected status VERR_NO_DIGITS when setting '%s' to '%s'",
		       fields[f].desc, v);
		return NULL;
	}
	return vb_strdup(p);
}

/* ---- the filter list ---- */

static struct snode *filter_at(struct snode *list, uint32_t index)
{
	struct snode *f = snode_child(list, "DeviceFilter");

	while (f && index--)
		f = snode_next(f, "DeviceFilter");
	return f;
}

/* Insert a new DeviceFilter at index, as std::list::insert after
 * std::advance (which wraps around past the end). */
static struct snode *filter_insert(struct snode *list, uint32_t index)
{
	unsigned n = snode_count(list, "DeviceFilter");
	struct snode *nf, *f, *next;

	index %= n + 1;
	f = filter_at(list, index);
	nf = snode_add(list, "DeviceFilter");
	if (!nf)
		return NULL;
	while (f && f != nf) {
		next = snode_next(f, "DeviceFilter");
		snode_move(f, list);
		f = next;
	}
	return nf;
}

static int api_fail(struct vb_error *err, const char *comp, const char *iface,
		    const char *context, int line)
{
	vb_err_where(err, comp, iface, "nsISupports");
	return vbm_api_error(err, context, FILE_USB, line);
}

/* Set the fields of one filter element; returns VBM_OK or the error. */
static int apply_fields(struct uf_cmd *c, struct snode *flt)
{
	int which = (c->action == UF_MODIFY ? 2 : 0) + (c->global ? 0 : 1);
	const char *comp = c->global ? "HostUSBDeviceFilterWrap"
				     : "USBDeviceFilterWrap";
	const char *iface = c->global ? "IHostUSBDeviceFilter"
				      : "IUSBDeviceFilter";
	struct vb_error err = { 0 };
	unsigned f;

	if (c->action == UF_MODIFY && c->name && *c->name &&
	    snode_set_attr(flt, "name", c->name))
		goto oom;
	if (c->active >= 0 && snode_set_bool(flt, "active", c->active))
		goto oom;
	for (f = 0; f < UF_NFIELDS; f++) {
		char *v;

		if (!c->val[f] || !*c->val[f])
			continue;       /* empty means "not given" */
		if (f == UF_REMOTE && c->global)
			continue;
		v = field_value(f, c->val[f], &err);
		if (!v) {
			if (err.hrc)
				return api_fail(&err, comp, iface,
						fields[f].setter,
						setter_lines[which][f]);
			goto oom;
		}
		if (snode_set_attr(flt, fields[f].attr, v)) {
			free(v);
			goto oom;
		}
		free(v);
	}
	if (c->has_masked) {
		if (!c->global && c->masked) {
			if (snode_set_attrf(flt, "maskedInterfaces", "%u",
					    c->masked))
				goto oom;
		} else if (!c->global) {
			snode_set_attr(flt, "maskedInterfaces", NULL);
		}
	}
	/* host filters always carry an action (Ignore by default), written
	 * after the fields */
	if (c->global && (c->action_str || !snode_has_attr(flt, "action")) &&
	    snode_set_attr(flt, "action", c->action_str ? c->action_str
			   : "Ignore"))
		goto oom;
	return VBM_OK;
oom:
	vbm_error("Out of memory");
	return VBM_FAIL;
}

/* The position checks of RemoveDeviceFilter / RemoveUSBDeviceFilter. */
static int check_position(struct uf_cmd *c, unsigned n, const char *context,
			  int line)
{
	struct vb_error err = { 0 };

	if (!n)
		vb_err(&err, EINVAL, VB_E_INVALIDARG,
		       c->global ? "The USB device filter list is empty"
				 : "The USB device pFilter list is empty");
	else if (c->index >= n)
		vb_err(&err, EINVAL, VB_E_INVALIDARG,
		       "Invalid position: %u (must be in range [0, %u])",
		       c->index, n - 1);
	else
		return VBM_OK;
	return api_fail(&err, c->global ? "HostWrap" : "USBDeviceFiltersWrap",
			c->global ? "IHost" : "IUSBDeviceFilters", context, line);
}

/* Change the list (elements already loaded and locked). */
static int change(struct uf_cmd *c, struct snode *list_parent,
		  const char *list_name)
{
	struct snode *list = snode_child(list_parent, list_name);
	unsigned n = snode_count(list, "DeviceFilter");
	struct snode *flt;
	int rc;

	switch (c->action) {
	case UF_ADD:
		list = snode_ensure(list_parent, list_name);
		flt = list ? filter_insert(list, c->index) : NULL;
		if (!flt || snode_set_attr(flt, "name", c->name) ||
		    snode_set_bool(flt, "active", c->active != 0))
			break;
		rc = apply_fields(c, flt);
		if (rc)
			snode_remove(flt);
		return rc;
	case UF_MODIFY:
		rc = check_position(c, n, c->global
				    ? "COMGETTER(USBDeviceFilters)(ComSafeArrayAsOutParam(coll))"
				    : "COMGETTER(DeviceFilters)(ComSafeArrayAsOutParam(coll))",
				    c->global ? 437 : 468);
		if (rc)
			return rc;
		return apply_fields(c, filter_at(list, c->index));
	case UF_REMOVE:
		rc = check_position(c, n, c->global
				    ? "RemoveUSBDeviceFilter(cmd.mIndex)"
				    : "RemoveDeviceFilter(cmd.mIndex, flt.asOutParam())",
				    c->global ? 502 : 507);
		if (rc)
			return rc;
		snode_remove(filter_at(list, c->index));
		if (!c->global)
			snode_prune_empty(list, list_parent);
		return VBM_OK;
	}
	vbm_error("Out of memory");
	return VBM_FAIL;
}

static int run_global(struct vbm_ctx *ctx, struct uf_cmd *c)
{
	struct vbox *vb = vbm_vbox(ctx);
	struct vb_error err = { 0 };
	struct snode *g;
	int rc;

	if (!vb)
		return VBM_FAIL;
	if (vbox_global_lock(vb, &err))
		return vbm_api_error(&err, NULL, FILE_USB, 0);
	g = sdoc_top(vbox_global(vb));
	/* <USBDeviceFilters/> is always present in VirtualBox.xml */
	rc = change(c, g, "USBDeviceFilters");
	if (rc) {
		vbox_global_unlock(vb);
		return rc;
	}
	if (vbox_global_commit(vb, &err)) {
		vb_err_where(&err, "HostWrap", "IHost", "nsISupports");
		return vbm_api_error(&err,
				     c->action == UF_ADD
				     ? "InsertUSBDeviceFilter(cmd.mIndex, flt)"
				     : "RemoveUSBDeviceFilter(cmd.mIndex)",
				     FILE_USB, c->action == UF_ADD ? 399 : 502);
	}
	return VBM_OK;
}

static int run_machine(struct uf_cmd *c)
{
	struct machine *m = c->m;
	struct vb_error err = { 0 };
	int rc;

	/* LockMachine(Shared) works on running machines too */
	if (machine_lock(m, &err)) {
		vb_err_where(&err, "MachineWrap", "IMachine", "nsISupports");
		return vbm_api_error(&err,
				     "LockMachine(a->session, LockType_Shared)",
				     FILE_USB, 360);
	}
	rc = change(c, machine_elem(m, ME_USB, true), "DeviceFilters");
	if (!rc) {
		snode_prune_empty(machine_elem(m, ME_USB, false),
				  machine_elem(m, ME_HARDWARE, false));
		if (machine_save(m, &err)) {
			vb_err_where(&err, "SessionMachine", "IMachine",
				     "nsISupports");
			rc = vbm_api_error(&err, "SaveSettings()", FILE_USB, 520);
		}
	} else {
		snode_prune_empty(machine_elem(m, ME_USB, false),
				  machine_elem(m, ME_HARDWARE, false));
	}
	machine_unlock(m);
	return rc;
}

static bool index_ok(const char *s, uint32_t *out)
{
	unsigned long long v;
	char *end;

	/* RTStrToUInt32Full: decimal digits, nothing else */
	if (!s || !*s || *s == '-' || *s == '+' || isspace((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

int cmd_usbfilter(struct vbm_ctx *ctx, int argc, char **argv)
{
	static const struct vb_option opts_add[] = {
		{ "--target", 't', VBGO_STRING },
		{ "--name", 'n', VBGO_STRING },
		{ "--active", 'a', VBGO_STRING },
		{ "--vendorid", 'v', VBGO_STRING },
		{ "--productid", 'p', VBGO_STRING },
		{ "--revision", 'r', VBGO_STRING },
		{ "--manufacturer", 'm', VBGO_STRING },
		{ "--product", 'P', VBGO_STRING },
		{ "--serialnumber", 's', VBGO_STRING },
		{ "--port", 'o', VBGO_STRING },
		{ "--remote", 'R', VBGO_STRING },
		{ "--maskedinterfaces", 'M', VBGO_U32 },
		{ "--action", 'A', VBGO_STRING },
		VBM_STD_OPTIONS,
	};
	static const struct vb_option opts_remove[] = {
		{ "--target", 't', VBGO_STRING },
		VBM_STD_OPTIONS,
	};
	struct uf_cmd c;
	struct vb_getopt g;
	int ch, rc;

	memset(&c, 0, sizeof(c));
	c.active = -1;
	if (argc < 2)
		return vbm_syntax(ctx, "Not enough parameters");
	if (!strcmp(argv[1], "add"))
		c.action = UF_ADD;
	else if (!strcmp(argv[1], "modify"))
		c.action = UF_MODIFY;
	else if (!strcmp(argv[1], "remove"))
		c.action = UF_REMOVE;
	else
		return vbm_unknown_subcommand(ctx, argv[1]);
	vbm_set_subcommand(ctx, argv[1]);
	if (!index_ok(argv[2], &c.index))
		return vbm_syntax(ctx, "Invalid index '%s'",
				  argv[2] ? argv[2] : "(null)");
	if (c.action == UF_ADD)
		c.active = 1;

	if (c.action == UF_REMOVE)
		vb_getopt_init(&g, argc - 1, argv + 1, 2, opts_remove,
			       sizeof(opts_remove) / sizeof(opts_remove[0]));
	else
		vb_getopt_init(&g, argc - 1, argv + 1, 2, opts_add,
			       sizeof(opts_add) / sizeof(opts_add[0]));
	rc = VBM_FAIL;
	while ((ch = vb_getopt_next(&g)) != VBGO_END) {
		switch (ch) {
		case 't':
			if (!strcmp(g.v.str, "global")) {
				c.global = true;
				break;
			}
			machine_free(c.m);
			c.m = vbm_find_machine_ctx(ctx, g.v.str,
				"FindMachine(Bstr(ValueUnion.psz).raw(), cmd.mMachine.asOutParam())",
				FILE_USB, c.action == UF_REMOVE ? 340 : 251);
			if (!c.m)
				return VBM_FAIL;
			break;
		case 'n': c.name = g.v.str; break;
		case 'a':
			if (!strcmp(g.v.str, "yes"))
				c.active = 1;
			else if (!strcmp(g.v.str, "no"))
				c.active = 0;
			else {
				rc = vbm_syntax_arg("Invalid --active argument '%s'",
						    g.v.str);
				goto out;
			}
			break;
		case 'v': c.val[UF_VENDOR] = g.v.str; break;
		case 'p': c.val[UF_PRODUCTID] = g.v.str; break;
		case 'r': c.val[UF_REVISION] = g.v.str; break;
		case 'm': c.val[UF_MANUFACTURER] = g.v.str; break;
		case 'P': c.val[UF_PRODUCT] = g.v.str; break;
		case 's': c.val[UF_SERIAL] = g.v.str; break;
		case 'o': c.val[UF_PORT] = g.v.str; break;
		case 'R': c.val[UF_REMOTE] = g.v.str; break;
		case 'M':
			c.has_masked = true;
			c.masked = g.v.u32;
			break;
		case 'A':
			if (!strcmp(g.v.str, "ignore"))
				c.action_str = "Ignore";
			else if (!strcmp(g.v.str, "hold"))
				c.action_str = "Hold";
			else {
				rc = vbm_syntax_arg("Invalid USB filter action '%s'",
						    g.v.str);
				goto out;
			}
			break;
		default:
			rc = vbm_getopt_error(ctx, &g, ch);
			goto out;
		}
	}
	if (!c.global && !c.m) {
		rc = vbm_syntax(ctx, "Missing required option: --target");
		goto out;
	}
	if (c.action == UF_ADD) {
		if (!c.name || !*c.name) {
			rc = vbm_syntax(ctx, "Missing required option: --name");
			goto out;
		}
		if (c.global && !c.action_str) {
			rc = vbm_syntax(ctx, "Missing required option: --action");
			goto out;
		}
		if (c.global && c.val[UF_REMOTE] && *c.val[UF_REMOTE]) {
			rc = vbm_syntax(ctx, "Option --remote applies to VM filters only (--target=<uuid|vmname>)");
			goto out;
		}
	}
	rc = c.global ? run_global(ctx, &c) : run_machine(&c);
out:
	machine_free(c.m);
	return rc;
}

const struct vbm_help help_usbfilter = {
	"manage USB filters",
	"VBoxManage\busbfilter\badd <index,0-N> <--target= <uuid | vmname | "
	"global> > <--name=string> <--action=ignore\b|\bhold> "
	"[--active=yes\b|\bno] [--vendorid=XXXX] [--productid=XXXX] "
	"[--revision=IIFF] [--manufacturer=string] [--product=string] "
	"[--port=hex] [--remote=yes\b|\bno] [--serialnumber=string] "
	"[--maskedinterfaces=XXXXXXXX]\n"
	"VBoxManage\busbfilter\bmodify <index,0-N> <--target= <uuid | vmname "
	"| global> > [--name=string] [--action=ignore\b|\bhold] "
	"[--active=yes\b|\bno] [--vendorid=XXXX\b|\b\"\"] [--productid=XXXX\b|\b\"\"] "
	"[--revision=IIFF\b|\b\"\"] [--manufacturer=string\b|\b\"\"] "
	"[--product=string\b|\b\"\"] [--port=hex] [--remote=yes\b|\bno] "
	"[--serialnumber=string\b|\b\"\"] [--maskedinterfaces=XXXXXXXX]\n"
	"VBoxManage\busbfilter\bremove <index,0-N> <--target= <uuid | vmname "
	"| global> >",
	"Adds, changes and removes the USB device filters of a machine or,\n"
	"with --target=global, of the host.  A filter matches devices by\n"
	"vendor and product ID, revision, manufacturer, product, serial\n"
	"number and port; fields left out match anything.  Numeric fields\n"
	"take a hexadecimal number or an expression such as 0x10-0x20.\n"
	"\n"
	"Machine filters capture matching devices for the guest; host\n"
	"filters (which need --action) either ignore matching devices or\n"
	"hold them for later use.  The index is the position of the filter\n"
	"in the list, starting at 0.\n",
};
