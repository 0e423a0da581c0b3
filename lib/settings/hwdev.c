/*
 * Machine configuration model: serial and parallel ports, USB controllers
 * and filters, VRDE properties, recording screens.
 *
 * Spec: settings-format.md 7.7 (RemoteDisplay, Recording), 7.9 (USB),
 * 7.11 (UART/LPT).  Ports at their defaults are not written; a written
 * port carries slot, enabled, IOBase (IOAddress at 1.20), IRQ and the
 * host mode.  USB: files before 1.14 keep <USBController enabled=
 * enabledEhci=>; anything that layout cannot say moves the file to 1.14.
 * Recording: only the Screen attributes whose encoding is certain are
 * written (see the report of this part for the rest).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/settings/hwmodel.h"
#include "lib/util/strbuf.h"

static unsigned file_version(struct machine *m)
{
	return sdoc_version(machine_doc(m));
}

static struct snode *hw_stop(struct machine *m)
{
	return machine_elem(m, ME_HARDWARE, false);
}

/* ------------------------------------------------------------------ */
/* UART / LPT                                                          */

static const uint32_t uart_base[HWM_UARTS] = { 0x3f8, 0x2f8, 0x3e8, 0x2e8 };
static const uint32_t uart_irq[HWM_UARTS] = { 4, 3, 4, 3 };
static const uint32_t lpt_base[HWM_LPTS] = { 0x378, 0x278 };
static const uint32_t lpt_irq[HWM_LPTS] = { 7, 5 };

static struct snode *port_node(struct machine *m, bool uart, unsigned slot,
			       bool create)
{
	struct snode *list = machine_elem(m, uart ? ME_UART : ME_LPT, create);
	struct snode *p;
	char buf[16];

	if (!list)
		return NULL;
	snprintf(buf, sizeof(buf), "%u", slot);
	p = snode_child_with(list, "Port", "slot", buf);
	if (p || !create)
		return p;
	p = snode_add(list, "Port");
	if (!p || snode_set_attr(p, "slot", buf))
		return NULL;
	/* keep slot order */
	{
		struct snode *c = snode_child(list, "Port"), *next;

		for (; c && c != p; c = next) {
			next = snode_next(c, "Port");
			if (snode_u32(c, "slot", 0) > slot &&
			    snode_move(c, list))
				return NULL;
		}
	}
	return p;
}

static const char *base_attr(struct machine *m, bool uart)
{
	return uart && file_version(m) >= 20 ? "IOAddress" : "IOBase";
}

static void port_get(struct machine *m, bool uart, unsigned slot,
		     struct hwm_port *out)
{
	struct snode *p = port_node(m, uart, slot, false);
	const char *v;

	memset(out, 0, sizeof(*out));
	out->iobase = uart ? uart_base[slot] : lpt_base[slot];
	out->irq = uart ? uart_irq[slot] : lpt_irq[slot];
	out->mode = "Disconnected";
	out->path = "";
	out->uart_type = "16550A";
	if (!p)
		return;
	out->enabled = snode_bool(p, "enabled", false);
	v = snode_attr(p, "IOAddress") ? "IOAddress" : "IOBase";
	out->iobase = snode_u32(p, v, out->iobase);
	out->irq = snode_u32(p, "IRQ", out->irq);
	if (uart) {
		v = snode_attr(p, "hostMode");
		if (v)
			out->mode = v;
		out->server = snode_bool(p, "server", false);
		v = snode_attr(p, "uartType");
		if (v)
			out->uart_type = v;
	}
	v = snode_attr(p, "path");
	if (v)
		out->path = v;
}

static bool port_is_default(bool uart, unsigned slot, const struct hwm_port *p)
{
	uint32_t base = uart ? uart_base[slot] : lpt_base[slot];
	uint32_t irq = uart ? uart_irq[slot] : lpt_irq[slot];
	bool pos = (p->iobase == base && p->irq == irq) ||
		   (uart && p->iobase == 0x3f8 && p->irq == 4) ||
		   (!uart && p->iobase == 0x378 && p->irq == 4);

	return !p->enabled && pos && !p->server &&
	       (!p->path || !*p->path) &&
	       (!uart || ((!p->mode || !strcmp(p->mode, "Disconnected")) &&
			  (!p->uart_type || !strcmp(p->uart_type, "16550A"))));
}

static int port_put(struct machine *m, bool uart, unsigned slot,
		    const struct hwm_port *in)
{
	struct hwm_port p = *in;
	char *mode = NULL, *path = NULL, *type = NULL;
	struct snode *n;
	int rc = -ENOMEM;

	/* the strings may live in the element we are about to rewrite */
	mode = strdup(p.mode ? p.mode : "Disconnected");
	path = strdup(p.path ? p.path : "");
	type = strdup(p.uart_type ? p.uart_type : "16550A");
	if (!mode || !path || !type)
		goto out;
	p.mode = mode;
	p.path = path;
	p.uart_type = type;
	if (port_is_default(uart, slot, &p)) {
		n = port_node(m, uart, slot, false);
		if (n) {
			struct snode *list = snode_parent(n);

			snode_remove(n);
			snode_prune_empty(list, hw_stop(m));
		}
		rc = 0;
		goto out;
	}
	n = port_node(m, uart, slot, true);
	if (!n)
		goto out;
	snode_set_attr(n, uart ? (file_version(m) >= 20 ? "IOBase"
							 : "IOAddress")
			       : "IOAddress", NULL);
	if (hwm_attr_set(n, "enabled", p.enabled ? "true" : "false") ||
	    snode_set_attrf(n, base_attr(m, uart), "0x%" PRIx32, p.iobase) ||
	    snode_set_attrf(n, "IRQ", "%" PRIu32, p.irq))
		goto out;
	if (uart) {
		bool srv = !strcmp(p.mode, "HostPipe") || !strcmp(p.mode, "TCP");

		if (hwm_attr_set(n, "server", srv ? (p.server ? "true"
							      : "false")
						  : NULL) ||
		    hwm_attr_set(n, "hostMode", p.mode) ||
		    hwm_attr_set(n, "uartType", strcmp(p.uart_type, "16550A") ?
						p.uart_type : NULL))
			goto out;
	}
	if (hwm_attr_set(n, "path", *p.path ? p.path : NULL))
		goto out;
	rc = 0;
out:
	free(mode);
	free(path);
	free(type);
	return rc;
}

void hwm_uart_get(struct machine *m, unsigned slot, struct hwm_port *out)
{
	port_get(m, true, slot < HWM_UARTS ? slot : 0, out);
}

int hwm_uart_put(struct machine *m, unsigned slot, const struct hwm_port *p)
{
	if (slot >= HWM_UARTS)
		return -EINVAL;
	return port_put(m, true, slot, p);
}

void hwm_lpt_get(struct machine *m, unsigned slot, struct hwm_port *out)
{
	port_get(m, false, slot < HWM_LPTS ? slot : 0, out);
}

int hwm_lpt_put(struct machine *m, unsigned slot, const struct hwm_port *p)
{
	if (slot >= HWM_LPTS)
		return -EINVAL;
	return port_put(m, false, slot, p);
}

/* ------------------------------------------------------------------ */
/* USB controllers                                                     */

static bool usb_old_layout(struct machine *m)
{
	return file_version(m) < 14;
}

unsigned hwm_usb_count(struct machine *m, const char *type)
{
	struct snode *c;
	unsigned n = 0;

	if (usb_old_layout(m)) {
		struct snode *u = machine_elem(m, ME_USB, false);

		if (!strcmp(type, "OHCI"))
			return snode_bool(u, "enabled", false);
		if (!strcmp(type, "EHCI"))
			return snode_bool(u, "enabledEhci", false);
		return 0;
	}
	for (c = snode_path(machine_elem(m, ME_USB, false),
			    "Controllers/Controller");
	     c; c = snode_next(c, "Controller"))
		if (vb_streq(snode_attr(c, "type"), type))
			n++;
	return n;
}

bool hwm_usb_at(struct machine *m, unsigned i, const char **type,
		const char **name)
{
	struct snode *c;

	if (usb_old_layout(m)) {
		static const char *const t[2] = { "OHCI", "EHCI" };
		unsigned k;

		for (k = 0; k < 2; k++) {
			if (!hwm_usb_count(m, t[k]))
				continue;
			if (i-- == 0) {
				*type = *name = t[k];
				return true;
			}
		}
		return false;
	}
	for (c = snode_path(machine_elem(m, ME_USB, false),
			    "Controllers/Controller");
	     c && i; c = snode_next(c, "Controller"))
		i--;
	if (!c)
		return false;
	*type = snode_attr(c, "type") ? snode_attr(c, "type") : "";
	*name = snode_attr(c, "name") ? snode_attr(c, "name") : "";
	return true;
}

/* Move a file still in the <USBController> layout to 1.14. */
static int usb_new_layout(struct machine *m)
{
	if (!usb_old_layout(m))
		return 0;
	return sdoc_require_version(machine_doc(m), 14) ? -ENOMEM : 0;
}

int hwm_usb_add(struct machine *m, const char *name, const char *type,
		struct vb_error *err)
{
	const char *t, *nm;
	struct snode *ctls, *c;
	unsigned i;
	int rc;

	for (i = 0; hwm_usb_at(m, i, &t, &nm); i++)
		if (!strcmp(nm, name)) {
			vb_err(err, EEXIST, VBOX_E_OBJECT_IN_USE,
			       "USB controller named '%s' already exists",
			       name);
			vb_err_where(err, "SessionMachine", "IMachine",
				     "nsISupports");
			return -EEXIST;
		}
	if (usb_old_layout(m) && !strcmp(name, type) &&
	    (!strcmp(type, "OHCI") || !strcmp(type, "EHCI"))) {
		struct snode *u = machine_elem(m, ME_USB, true);

		if (!u)
			return -ENOMEM;
		return snode_set_attr(u, strcmp(type, "OHCI") ? "enabledEhci"
							     : "enabled",
				      "true");
	}
	rc = usb_new_layout(m);
	if (rc)
		return rc;
	ctls = snode_ensure_path(machine_elem(m, ME_USB, true), "Controllers");
	c = ctls ? snode_add(ctls, "Controller") : NULL;
	if (!c || hwm_attr_set(c, "name", name) || hwm_attr_set(c, "type", type))
		return -ENOMEM;
	return 0;
}

int hwm_usb_remove_type(struct machine *m, const char *type)
{
	struct snode *usb = machine_elem(m, ME_USB, false), *ctls, *c, *next;

	if (!usb)
		return 0;
	if (usb_old_layout(m)) {
		if (!strcmp(type, "OHCI") || !strcmp(type, "EHCI"))
			return snode_set_attr(usb, strcmp(type, "OHCI") ?
					      "enabledEhci" : "enabled",
					      "false");
		return 0;
	}
	ctls = snode_child(usb, "Controllers");
	for (c = snode_child(ctls, "Controller"); c; c = next) {
		next = snode_next(c, "Controller");
		if (vb_streq(snode_attr(c, "type"), type))
			snode_remove(c);
	}
	if (ctls)
		snode_prune_empty(ctls, hw_stop(m));
	return 0;
}

int hwm_usb_rename(struct machine *m, const char *old, const char *name)
{
	struct snode *c;
	bool found = false;
	int rc;

	if (usb_old_layout(m)) {
		const char *t, *nm;
		unsigned i;

		for (i = 0; hwm_usb_at(m, i, &t, &nm); i++)
			if (!strcmp(nm, old))
				found = true;
		if (!found)
			return -ENOENT;
		if (!strcmp(old, name))
			return 0;
		rc = usb_new_layout(m);
		if (rc)
			return rc;
	}
	for (c = snode_path(machine_elem(m, ME_USB, false),
			    "Controllers/Controller");
	     c; c = snode_next(c, "Controller")) {
		if (!vb_streq(snode_attr(c, "name"), old))
			continue;
		if (snode_set_attr(c, "name", name))
			return -ENOMEM;
		found = true;
	}
	return found ? 0 : -ENOENT;
}

bool hwm_usbfilter_at(struct machine *m, unsigned i, struct hwm_usbfilter *out)
{
	struct snode *u = machine_elem(m, ME_USB, false), *f;

	f = usb_old_layout(m) ? snode_child(u, "DeviceFilter")
			      : snode_path(u, "DeviceFilters/DeviceFilter");
	for (; f && i; f = snode_next(f, "DeviceFilter"))
		i--;
	if (!f)
		return false;
#define S(a) (snode_attr(f, a) ? snode_attr(f, a) : "")
	out->active = snode_bool(f, "active", false);
	out->name = S("name");
	out->vendor = S("vendorId");
	out->product_id = S("productId");
	out->revision = S("revision");
	out->manufacturer = S("manufacturer");
	out->product = S("product");
	out->remote = S("remote");
	out->serial = S("serialNumber");
#undef S
	out->masked = snode_u32(f, "maskedInterfaces", 0);
	return true;
}

/* ------------------------------------------------------------------ */
/* VRDE properties: RemoteDisplay/VRDEProperties/Property (1.11+);
 * older files keep TCP/Ports and TCP/Address in @port / @netAddress.    */

static const char *vrde_old_attr(const char *name)
{
	if (!strcmp(name, "TCP/Ports"))
		return "port";
	if (!strcmp(name, "TCP/Address"))
		return "netAddress";
	return NULL;
}

const char *hwm_vrde_prop(struct machine *m, const char *name)
{
	struct snode *rd = machine_elem(m, ME_VRDE, false);
	struct snode *p = snode_child_with(snode_child(rd, "VRDEProperties"),
					   "Property", "name", name);
	const char *old = vrde_old_attr(name);

	if (p)
		return snode_attr(p, "value") ? snode_attr(p, "value") : "";
	if (old && snode_attr(rd, old))
		return snode_attr(rd, old);
	return !strcmp(name, "TCP/Ports") ? "3389" : "";
}

int hwm_vrde_set_prop(struct machine *m, const char *name, const char *value)
{
	struct snode *rd = machine_elem(m, ME_VRDE, false), *props, *p;
	char *copy;
	int rc;

	/* carry the pre-1.11 attributes over; properties need 1.11 */
	if (rd) {
		static const char *const olds[2] = { "TCP/Ports", "TCP/Address" };
		unsigned i;

		for (i = 0; i < 2; i++) {
			const char *a = vrde_old_attr(olds[i]);
			const char *v = snode_attr(rd, a);

			if (!v)
				continue;
			copy = strdup(v);
			if (!copy)
				return -ENOMEM;
			snode_set_attr(rd, a, NULL);
			rc = strcmp(olds[i], name) ?
			     hwm_vrde_set_prop(m, olds[i], copy) : 0;
			free(copy);
			if (rc)
				return rc;
		}
	}
	props = snode_child(rd, "VRDEProperties");
	p = snode_child_with(props, "Property", "name", name);
	if (!value || !*value) {
		if (p) {
			snode_remove(p);
			snode_prune_empty(props, hw_stop(m));
		}
		return 0;
	}
	copy = strdup(value);
	if (!copy)
		return -ENOMEM;
	rc = -ENOMEM;
	rd = machine_elem(m, ME_VRDE, true);
	props = rd ? snode_ensure(rd, "VRDEProperties") : NULL;
	if (!props)
		goto out;
	if (!p) {
		p = snode_add(props, "Property");
		if (!p || hwm_attr_set(p, "name", name))
			goto out;
	}
	rc = hwm_attr_set(p, "value", copy);
	snode_sort_children(props, "Property", "name");
out:
	free(copy);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Recording screens (Machine/Recording/Screen, 1.19+)                 */

static struct snode *rec_screen_node(struct machine *m, unsigned id,
				     bool create)
{
	struct snode *mn = machine_elem(m, ME_MACHINE, false);
	struct snode *rec = create ? snode_ensure(mn, "Recording")
				   : snode_child(mn, "Recording");
	struct snode *s;
	char buf[16];

	if (!rec)
		return NULL;
	snprintf(buf, sizeof(buf), "%u", id);
	s = snode_child_with(rec, "Screen", "id", buf);
	if (s || !create)
		return s;
	s = snode_add(rec, "Screen");
	if (!s || snode_set_attr(s, "id", buf))
		return NULL;
	return s;
}

void hwm_recscreen_get(struct machine *m, unsigned id,
		       struct hwm_recscreen *out)
{
	struct snode *s = rec_screen_node(m, id, false);
	const char *f;

	memset(out, 0, sizeof(*out));
	out->enabled = id == 0;
	out->video = true;
	out->file = "";
	out->options = "";
	out->width = 1024;
	out->height = 768;
	out->rate = 512;
	out->fps = 25;
	if (!s)
		return;
	out->enabled = snode_bool(s, "enabled", out->enabled);
	f = snode_attr(s, "featuresEnabled");
	if (f) {
		out->video = strstr(f, "video") != NULL;
		out->audio = strstr(f, "audio") != NULL;
	}
	out->max_time = snode_u32(s, "maxTimeS", 0);
	out->max_size = snode_u32(s, "maxSizeMB", 0);
	if (snode_attr(s, "file"))
		out->file = snode_attr(s, "file");
	if (snode_attr(s, "options"))
		out->options = snode_attr(s, "options");
	out->width = snode_u32(s, "horzRes", out->width);
	out->height = snode_u32(s, "vertRes", out->height);
	out->rate = snode_u32(s, "rateKbps", out->rate);
	out->fps = snode_u32(s, "fps", out->fps);
}

static int rec_count_screens(struct machine *m)
{
	struct snode *rec = snode_child(machine_elem(m, ME_MACHINE, false),
					"Recording");
	unsigned n;

	if (!rec)
		return 0;
	n = snode_count(rec, "Screen");
	if (!n)
		snode_set_attr(rec, "screens", NULL);
	else if (snode_set_attrf(rec, "screens", "%u", n))
		return -ENOMEM;
	if (snode_is_empty(rec))
		snode_remove(rec);
	return 0;
}

int hwm_recscreen_put(struct machine *m, unsigned id,
		      const struct hwm_recscreen *in)
{
	struct hwm_recscreen s = *in;
	char *file = strdup(in->file ? in->file : "");
	char *opts = strdup(in->options ? in->options : "");
	struct snode *n;
	int rc = -ENOMEM;

	if (!file || !opts)
		goto out;
	s.file = file;
	s.options = opts;
	if (s.enabled == (id == 0) && s.video && !s.audio && !s.max_time &&
	    !s.max_size && !*s.file && !*s.options && s.width == 1024 &&
	    s.height == 768 && s.rate == 512 && s.fps == 25) {
		snode_remove(rec_screen_node(m, id, false));
		rc = rec_count_screens(m);
		goto out;
	}
	n = rec_screen_node(m, id, true);
	if (!n)
		goto out;
#define SETU(a, v, d) \
	((v) == (d) ? snode_set_attr(n, a, NULL) \
		    : snode_set_attrf(n, a, "%" PRIu32, (uint32_t)(v)))
	if (hwm_attr_set(n, "enabled", s.enabled ? "true" : "false") ||
	    SETU("maxTimeS", s.max_time, 0) ||
	    hwm_attr_set(n, "options", *s.options ? s.options : NULL) ||
	    hwm_attr_set(n, "file", *s.file ? s.file : NULL) ||
	    SETU("maxSizeMB", s.max_size, 0))
		goto out;
	if ((s.width != 1024 || s.height != 768) &&
	    (snode_set_attrf(n, "horzRes", "%" PRIu32, s.width) ||
	     snode_set_attrf(n, "vertRes", "%" PRIu32, s.height)))
		goto out;
	if (s.width == 1024 && s.height == 768) {
		snode_set_attr(n, "horzRes", NULL);
		snode_set_attr(n, "vertRes", NULL);
	}
	if (SETU("rateKbps", s.rate, 512) || SETU("fps", s.fps, 25))
		goto out;
#undef SETU
	rc = rec_count_screens(m);
out:
	free(file);
	free(opts);
	return rc;
}
