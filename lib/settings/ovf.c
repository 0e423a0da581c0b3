/*
 * OVF descriptor reader.
 *
 * Spec: DMTF DSP0243 (OVF 1.0.0, 1.1.0, 2.0.x) sections 5 (References),
 * 9.1 (DiskSection), 9.2 (NetworkSection), 8 (VirtualSystem), 9.5
 * (ProductSection), 9.6 (EulaSection), 9.8 (OperatingSystemSection), 9.9
 * (VirtualHardwareSection with CIM_ResourceAllocationSettingData items,
 * ResourceType values of DSP1041), and VMware's 0.9 draft that wrote
 * <Section xsi:type="ovf:..._Type"> and <Content xsi:type=...>.
 *
 * Subset: what VirtualBox's OVF reader uses (the sections above, items of
 * types 3, 4, 5, 6, 10, 14, 15, 17, 20, 23, 35), in the same order and
 * with the same errors; other sections are ignored, other required items
 * refused.  Element and attribute names are matched by local name, as
 * VirtualBox does, so prefixes do not matter.
 *
 * The <vbox:Machine> element is turned into the text of a machine settings
 * file (namespaces dropped, root <VirtualBox> in VirtualBox's namespace with
 * the element's settings version) so that the settings loader checks it
 * like any .vbox file.
 *
 * Limits: at most OVF_MAX_SYSTEMS systems, OVF_MAX_ITEMS hardware items per
 * system and OVF_MAX_DISKS disks; the descriptor is parsed without DTDs
 * or external entities (sxml_parse).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/tree.h>

#include "lib/settings/ovf.h"
#include "lib/settings/settings-int.h"
#include "lib/util/checked.h"

#define DMTF_SPECS_URI "http://schemas.dmtf.org/wbem/cim-html/2/"

struct parse {
	const char *path;
	struct ovf_envelope *e;
	struct vb_error *err;
	xmlNode *refs;              /* <References> or NULL */
};

static int line_of(const xmlNode *n)
{
	long l = xmlGetLineNo(n);

	return l > 0 && l < 0x7fffffff ? (int)l : 0;
}

static int oom(struct parse *p)
{
	return vb_err(p->err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
}

__attribute__((format(printf, 2, 3)))
static int bad(struct parse *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vb_verr(p->err, EINVAL, VBOX_E_FILE_ERROR, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Element children by local name. */
static xmlNode *child(const xmlNode *n, const char *name)
{
	xmlNode *c;

	for (c = n ? n->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    !strcmp((const char *)c->name, name))
			return c;
	return NULL;
}

static bool is_vbox_ns(const xmlNode *n)
{
	return n->ns && ((n->ns->href &&
			  !strcmp((const char *)n->ns->href, OVF_NS_VBOX)) ||
			 (n->ns->prefix &&
			  !strcmp((const char *)n->ns->prefix, "vbox")));
}

static xmlNode *vbox_child(const xmlNode *n, const char *name)
{
	xmlNode *c;

	for (c = n ? n->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && is_vbox_ns(c) &&
		    !strcmp((const char *)c->name, name))
			return c;
	return NULL;
}

/* Attribute by local name (any namespace), lent. */
static const char *attr(const xmlNode *n, const char *name)
{
	return snode_attr(SN(n), name);
}

/* Text of an element; "" when empty.  Allocated; NULL on ENOMEM. */
static char *text(const xmlNode *n)
{
	char *t = snode_text(SN(n));

	return t ? t : strdup("");
}

/* Text of a child element, NULL when there is no such child.  *fail is
 * set on ENOMEM. */
static char *child_text(const xmlNode *n, const char *name, bool *fail)
{
	xmlNode *c = child(n, name);
	char *t;

	if (!c)
		return NULL;
	t = text(c);
	if (!t)
		*fail = true;
	return t;
}

static char *trimmed(const char *s)
{
	size_t len;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
		       s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	return strndup(s, len);
}

/* IPRT-style integer of an attribute or element value: optional sign,
 * decimal or 0x hex, surrounding blanks allowed. */
static bool parse_i64(const char *s, int64_t *out)
{
	long long v;
	char *t;

	if (!s)
		return false;
	t = trimmed(s);
	if (!t)
		return false;
	if (vb_parse_i64(t, &v)) {
		free(t);
		return false;
	}
	free(t);
	*out = v;
	return true;
}

static bool parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *t;

	if (!s)
		return false;
	t = trimmed(s);
	if (!t)
		return false;
	if (vb_parse_u64(t, &v)) {
		free(t);
		return false;
	}
	free(t);
	*out = v;
	return true;
}

/* Unit multiplier of capacityAllocationUnits ("byte * 2^30", "GigaBytes"),
 * 1 when absent or not understood. */
static uint64_t capacity_units(const char *u)
{
	static const struct { const char *name; unsigned shift; } named[] = {
		{ "byte", 0 }, { "bytes", 0 }, { "KiloBytes", 10 },
		{ "KB", 10 }, { "MegaBytes", 20 }, { "MB", 20 },
		{ "GigaBytes", 30 }, { "GB", 30 }, { "TeraBytes", 40 },
		{ "TB", 40 },
	};
	const char *p;
	unsigned long long e;
	size_t i;

	if (!u)
		return 1;
	for (i = 0; i < VB_ARRAY_SIZE(named); i++)
		if (!strcmp(u, named[i].name))
			return 1ull << named[i].shift;
	p = strstr(u, "2^");
	if (strncmp(u, "byte", 4) || !p || vb_parse_u64(p + 2, &e) || e > 62)
		return 1;
	return 1ull << e;
}

/* ------------------------------------------------------------------ */
/* DiskSection                                                         */

static xmlNode *file_by_id(struct parse *p, const char *id)
{
	xmlNode *f;

	for (f = p->refs ? p->refs->children : NULL; f; f = f->next) {
		const char *fid;

		if (f->type != XML_ELEMENT_NODE)
			continue;
		fid = attr(f, "id");
		if (fid && !strcmp(fid, id))
			return f;
	}
	return NULL;
}

static int disk_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ovf_disk *)a)->id,
		      ((const struct ovf_disk *)b)->id);
}

static void disk_release(struct ovf_disk *d)
{
	free(d->id);
	free(d->format);
	free(d->vbox_uuid);
	free(d->href);
	free(d->compression);
	memset(d, 0, sizeof(*d));
}

static int add_disk(struct parse *p, struct ovf_disk *d)
{
	struct ovf_envelope *e = p->e;
	struct ovf_disk *v;
	unsigned i;

	/* a later Disk with the same id replaces the earlier one */
	for (i = 0; i < e->n_disks; i++)
		if (!strcmp(e->disks[i].id, d->id)) {
			disk_release(&e->disks[i]);
			e->disks[i] = *d;
			return 0;
		}
	if (e->n_disks >= OVF_MAX_DISKS)
		return bad(p, "Error reading \"%s\": too many disks (more than %u)",
			   p->path, OVF_MAX_DISKS);
	v = realloc(e->disks, (e->n_disks + 1) * sizeof(*v));
	if (!v)
		return oom(p);
	e->disks = v;
	e->disks[e->n_disks++] = *d;
	qsort(e->disks, e->n_disks, sizeof(*e->disks), disk_cmp);
	return 0;
}

static int disk_section(struct parse *p, const xmlNode *sec)
{
	xmlNode *n;
	int rc;

	for (n = sec->children; n; n = n->next) {
		struct ovf_disk d = { 0 };
		const char *id, *fmt, *cap, *v, *bad_attr = NULL;
		uint64_t mult;

		if (n->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)n->name, "Disk"))
			continue;
		d.line = line_of(n);
		id = attr(n, "diskId");
		fmt = attr(n, "format");
		cap = attr(n, "capacity");
		if (!id)
			bad_attr = "diskId";
		else if (!fmt)
			bad_attr = "format";
		else if (!parse_i64(cap, &d.capacity) || d.capacity < 0)
			bad_attr = "capacity";
		if (bad_attr)
			return bad(p, "Error reading \"%s\": missing or invalid attribute '%s' in 'DiskSection' element, line %d",
				   p->path, bad_attr, d.line);
		mult = capacity_units(attr(n, "capacityAllocationUnits"));
		if (!ck_mul_u64((uint64_t)d.capacity, mult,
					&d.capacity_bytes))
			return bad(p, "Error reading \"%s\": missing or invalid attribute '%s' in 'DiskSection' element, line %d",
				   p->path, "capacity", d.line);
		if (!parse_i64(attr(n, "populatedSize"), &d.populated))
			d.populated = -1;
		d.file_size = -1;
		d.id = strdup(id);
		d.format = strdup(fmt);
		if (!d.id || !d.format)
			goto nomem;
		v = attr(n, "uuid");
		if (v && !(d.vbox_uuid = strdup(v)))
			goto nomem;
		v = attr(n, "fileRef");
		if (v) {
			xmlNode *f = file_by_id(p, v);
			const char *href, *s;

			if (!f) {
				rc = bad(p, "Error reading \"%s\": cannot find References/File element for ID \"%s\" referenced by 'Disk' element, line %d",
					 p->path, v, d.line);
				goto fail;
			}
			href = attr(f, "href");
			if (!href) {
				rc = bad(p, "Error reading \"%s\": missing or invalid attribute '%s' in 'File' element, line %d",
					 p->path, "href", line_of(f));
				goto fail;
			}
			if (!parse_i64(attr(f, "size"), &d.file_size))
				d.file_size = -1;
			d.href = strdup(href);
			s = attr(f, "compression");
			if (!d.href || (s && !(d.compression = strdup(s))))
				goto nomem;
		}
		if (d.capacity > 0)
			d.suggested_mb = (uint32_t)((uint64_t)d.capacity >> 20);
		else if (d.populated > 0)
			d.suggested_mb = (uint32_t)((uint64_t)d.populated >> 20);
		else if (d.file_size > 0)
			d.suggested_mb = (uint32_t)((uint64_t)d.file_size >> 20);
		if (!d.suggested_mb)
			d.suggested_mb = 10000;
		rc = add_disk(p, &d);
		if (rc)
			goto fail;
		continue;
nomem:
		rc = oom(p);
fail:
		disk_release(&d);
		return rc;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Hardware items                                                      */

enum {
	RT_PROCESSOR = 3, RT_MEMORY = 4, RT_IDE = 5, RT_SCSI = 6,
	RT_ISCSI = 8, RT_IBHCA = 9, RT_ETHERNET = 10, RT_FLOPPY = 14,
	RT_CDROM = 15, RT_HARDDISK = 17, RT_OTHER_STORAGE = 20, RT_USB = 23,
	RT_SOUND = 35,
};

struct item {
	const xmlNode *node;
	const char *kind;           /* "Item", "StorageItem", ... */
	char *instance_id;          /* "" when absent */
	uint32_t type;
	bool required;
	char *subtype;
	char *host_resource;
	char *parent;
	char *connection;
	int32_t address;
	char *address_on_parent;
	char *alloc_units;
	uint64_t quantity;
	int line;
};

static void item_release(struct item *it)
{
	free(it->instance_id);
	free(it->subtype);
	free(it->host_resource);
	free(it->parent);
	free(it->connection);
	free(it->address_on_parent);
	free(it->alloc_units);
}

static int item_fill(struct parse *p, const xmlNode *n, struct item *it)
{
	xmlNode *c;
	char **slot;

	memset(it, 0, sizeof(*it));
	it->node = n;
	it->kind = (const char *)n->name;
	it->line = line_of(n);
	for (c = n->children; c; c = c->next) {
		const char *name = (const char *)c->name;
		char *t;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		slot = NULL;
		if (!strcmp(name, "InstanceID") || !strcmp(name, "InstanceId"))
			slot = &it->instance_id;
		else if (!strcmp(name, "HostResource"))
			slot = &it->host_resource;
		else if (!strcmp(name, "ResourceSubType"))
			slot = &it->subtype;
		else if (!strcmp(name, "Parent"))
			slot = &it->parent;
		else if (!strcmp(name, "Connection"))
			slot = &it->connection;
		else if (!strcmp(name, "AddressOnParent"))
			slot = &it->address_on_parent;
		else if (!strcmp(name, "AllocationUnits"))
			slot = &it->alloc_units;
		t = text(c);
		if (!t)
			return oom(p);
		if (slot) {
			free(*slot);
			*slot = t;
			continue;
		}
		if (!strcmp(name, "ResourceType")) {
			uint64_t v = 0;
			const char *req = attr(n, "required");

			if (!parse_u64(t, &v))
				v = 0;
			it->type = v > 0xffff ? 0xffff : (uint32_t)v;
			it->required = !(req && !strcmp(req, "false"));
		} else if (!strcmp(name, "Address")) {
			int64_t v = 0;

			if (parse_i64(t, &v) && v >= INT32_MIN && v <= INT32_MAX)
				it->address = (int32_t)v;
		} else if (!strcmp(name, "VirtualQuantity")) {
			if (!parse_u64(t, &it->quantity))
				it->quantity = 0;
		}
		free(t);
	}
	if (!it->instance_id && !(it->instance_id = strdup("")))
		return oom(p);
	if (!it->subtype && !(it->subtype = strdup("")))
		return oom(p);
	if (!it->type)
		return bad(p, "Error reading \"%s\": \"Empty element ResourceType under %s element, line %d. see DMTF Schema Documentation %s\"",
			   p->path, it->kind, it->line, DMTF_SPECS_URI);
	if (!*it->instance_id &&
	    (it->type == RT_IDE || it->type == RT_OTHER_STORAGE ||
	     it->type == RT_SCSI || it->type == RT_ISCSI ||
	     it->type == RT_IBHCA))
		return bad(p, "Error reading \"%s\": \"Element InstanceID is absent under %s element, line %d. see DMTF Schema Documentation %s\"",
			   p->path, it->kind, it->line, DMTF_SPECS_URI);
	return 0;
}

static int ctl_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ovf_controller *)a)->id,
		      ((const struct ovf_controller *)b)->id);
}

static int vdisk_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ovf_vdisk *)a)->disk_id,
		      ((const struct ovf_vdisk *)b)->disk_id);
}

static struct ovf_controller *find_ctl(struct ovf_system *s, const char *id)
{
	unsigned i;

	for (i = 0; i < s->n_ctls; i++)
		if (!strcmp(s->ctls[i].id, id))
			return &s->ctls[i];
	return NULL;
}

/* mapControllers[id] = ctl (a later controller with the same id replaces
 * the earlier one); returns the stored controller. */
static struct ovf_controller *put_ctl(struct parse *p, struct ovf_system *s,
				      const struct item *it,
				      enum ovf_ctl_kind kind)
{
	struct ovf_controller *c = find_ctl(s, it->instance_id), *v;

	if (!c) {
		v = realloc(s->ctls, (s->n_ctls + 1) * sizeof(*v));
		if (!v) {
			oom(p);
			return NULL;
		}
		s->ctls = v;
		c = &s->ctls[s->n_ctls++];
		memset(c, 0, sizeof(*c));
		if (!(c->id = strdup(it->instance_id))) {
			s->n_ctls--;
			oom(p);
			return NULL;
		}
	} else {
		free(c->subtype);
		c->subtype = NULL;
	}
	c->kind = kind;
	c->address = it->address;
	c->primary = true;
	if (!(c->subtype = strdup(it->subtype))) {
		oom(p);
		return NULL;
	}
	return c;
}

static int hardware_section(struct parse *p, struct ovf_system *s,
			    const xmlNode *sec)
{
	struct item *items = NULL;
	unsigned n = 0, i;
	char *primary_ide = NULL;
	xmlNode *c;
	bool fail = false;
	int rc = 0;

	c = child(sec, "System");
	if (c) {
		free(s->vs_type);
		s->vs_type = child_text(c, "VirtualSystemType", &fail);
		if (fail)
			return oom(p);
	}
	for (c = sec->children; c; c = c->next) {
		const char *name = (const char *)c->name;
		struct item *v;

		if (c->type != XML_ELEMENT_NODE ||
		    (strcmp(name, "Item") && strcmp(name, "StorageItem") &&
		     strcmp(name, "EthernetPortItem")))
			continue;
		if (n >= OVF_MAX_ITEMS) {
			rc = bad(p, "Error reading \"%s\": too many hardware items (more than %u)",
				 p->path, OVF_MAX_ITEMS);
			goto out;
		}
		v = realloc(items, (n + 1) * sizeof(*v));
		if (!v) {
			rc = oom(p);
			goto out;
		}
		items = v;
		rc = item_fill(p, c, &items[n]);
		n++;
		if (rc)
			goto out;
	}

	/* first pass: everything but disks */
	for (i = 0; i < n; i++) {
		struct item *it = &items[i];
		struct ovf_controller *ctl;

		switch (it->type) {
		case RT_PROCESSOR:
			if (it->quantity >= 0xffff) {
				rc = bad(p, "Error reading \"%s\": CPU count %lld is larger than %d, line %d",
					 p->path, (long long)it->quantity, 0xffff,
					 it->line);
				goto out;
			}
			s->cpus = (uint32_t)it->quantity;
			break;
		case RT_MEMORY: {
			const char *u = it->alloc_units ? it->alloc_units : "";
			unsigned shift;

			if (!strcmp(u, "MegaBytes") || !strcmp(u, "MB") ||
			    !strcmp(u, "byte * 2^20"))
				shift = 20;
			else if (!strcmp(u, "GigaBytes") || !strcmp(u, "GB") ||
				 !strcmp(u, "byte * 2^30"))
				shift = 30;
			else {
				rc = bad(p, "Error reading \"%s\": Invalid allocation unit \"%s\" specified with memory size item, line %d",
					 p->path, u, it->line);
				goto out;
			}
			if (it->quantity > (UINT64_MAX >> shift)) {
				rc = bad(p, "Error reading \"%s\": Invalid memory size %llu, line %d",
					 p->path, (unsigned long long)it->quantity,
					 it->line);
				goto out;
			}
			s->memory = it->quantity << shift;
			break;
		}
		case RT_IDE: {
			ctl = put_ctl(p, s, it, OVF_CTL_IDE);
			if (!ctl) {
				rc = -ENOMEM;
				goto out;
			}
			if (!primary_ide) {
				primary_ide = it->instance_id;
			} else {
				struct ovf_controller *pr =
					find_ctl(s, primary_ide);

				if (pr && pr != ctl && pr->address == 0 &&
				    ctl->address == 1) {
					pr->primary = true;
					ctl->primary = false;
				} else if (pr && pr != ctl && pr->address == 1 &&
					   ctl->address == 0) {
					pr->primary = false;
					ctl->primary = false;
				} else if (pr != ctl) {
					ctl->primary = false;
				}
			}
			break;
		}
		case RT_SCSI:
			if (!put_ctl(p, s, it, OVF_CTL_SCSI)) {
				rc = -ENOMEM;
				goto out;
			}
			break;
		case RT_ETHERNET: {
			struct ovf_nic *v;

			v = realloc(s->nics, (s->n_nics + 1) * sizeof(*v));
			if (!v) {
				rc = oom(p);
				goto out;
			}
			s->nics = v;
			v[s->n_nics].subtype = strdup(it->subtype);
			v[s->n_nics].connection =
				strdup(it->connection ? it->connection : "");
			s->n_nics++;
			if (!v[s->n_nics - 1].subtype ||
			    !v[s->n_nics - 1].connection) {
				rc = oom(p);
				goto out;
			}
			break;
		}
		case RT_FLOPPY:
			s->floppy = true;
			break;
		case RT_CDROM:
			s->cdrom = true;
			break;
		case RT_HARDDISK:
			break;
		case RT_OTHER_STORAGE: {
			const char *st = it->subtype;
			enum ovf_ctl_kind k;

			if (!strcasecmp(st, "AHCI") ||
			    !strcasecmp(st, "vmware.sata.ahci"))
				k = OVF_CTL_SATA;
			else if (!strcasecmp(st, "VirtioSCSI") ||
				 !strcasecmp(st, "virtio-scsi"))
				k = OVF_CTL_VIRTIOSCSI;
			else if (!strcasecmp(st, "NVMe") ||
				 !strcasecmp(st, "vmware.nvme.controller"))
				k = OVF_CTL_NVME;
			else {
				rc = bad(p, "Error reading \"%s\": Host resource of type \"Other Storage Device (%d)\" is supported with SATA AHCI or Virtio-SCSI or NVMe controllers only, line %d (subtype:%s)",
					 p->path, RT_OTHER_STORAGE, it->line, st);
				goto out;
			}
			if (!put_ctl(p, s, it, k)) {
				rc = -ENOMEM;
				goto out;
			}
			break;
		}
		case RT_USB:
			s->usb = true;
			break;
		case RT_SOUND:
			free(s->sound);
			if (!(s->sound = strdup(it->subtype))) {
				rc = oom(p);
				goto out;
			}
			break;
		default:
			if (it->required) {
				rc = bad(p, "Error reading \"%s\": Unknown resource type %u in hardware item, line %d",
					 p->path, it->type, it->line);
				goto out;
			}
		}
	}

	/* second pass: disks and CD drives, now that controllers are known */
	for (i = 0; i < n; i++) {
		struct item *it = &items[i];
		const char *hr = it->host_resource ? it->host_resource : "";
		const char *id = "";
		struct ovf_vdisk vd = { 0 }, *slot = NULL;
		unsigned k;
		int64_t a = 0;

		if (it->type != RT_HARDDISK && it->type != RT_CDROM)
			continue;
		if (!it->parent || !find_ctl(s, it->parent)) {
			rc = bad(p, "Error reading \"%s\": Disk item with instance ID \"%s\" specifies invalid parent \"%s\", line %d",
				 p->path, it->instance_id,
				 it->parent ? it->parent : "", it->line);
			goto out;
		}
		if (!strncmp(hr, "ovf://disk/", 11))
			id = hr + 11;
		else if (!strncmp(hr, "ovf:/disk/", 10))
			id = hr + 10;
		else if (!strncmp(hr, "/disk/", 6))
			id = hr + 6;
		if ((!*id || !ovf_find_disk(p->e, id)) &&
		    it->type == RT_HARDDISK) {
			rc = bad(p, "Error reading \"%s\": Disk item with instance ID \"%s\" specifies invalid host resource \"%s\", line %d",
				 p->path, it->instance_id, hr, it->line);
			goto out;
		}
		if (it->address_on_parent &&
		    parse_i64(it->address_on_parent, &a) && a >= 0 &&
		    a <= UINT32_MAX)
			vd.address = (uint32_t)a;
		for (k = 0; k < s->n_vdisks; k++)
			if (!strcmp(s->vdisks[k].disk_id, id))
				slot = &s->vdisks[k];
		if (!slot) {
			struct ovf_vdisk *v = realloc(s->vdisks,
					(s->n_vdisks + 1) * sizeof(*v));

			if (!v) {
				rc = oom(p);
				goto out;
			}
			s->vdisks = v;
			slot = &v[s->n_vdisks++];
			memset(slot, 0, sizeof(*slot));
		} else {
			free(slot->ctl_id);
			free(slot->disk_id);
		}
		slot->ctl_id = strdup(it->parent);
		slot->disk_id = strdup(id);
		slot->address = vd.address;
		if (!slot->ctl_id || !slot->disk_id) {
			rc = oom(p);
			goto out;
		}
	}
	if (s->n_ctls)
		qsort(s->ctls, s->n_ctls, sizeof(*s->ctls), ctl_cmp);
	if (s->n_vdisks)
		qsort(s->vdisks, s->n_vdisks, sizeof(*s->vdisks), vdisk_cmp);
out:
	for (i = 0; i < n; i++)
		item_release(&items[i]);
	free(items);
	return rc;
}

/* ------------------------------------------------------------------ */
/* <vbox:Machine> as a settings file                                   */

static void strip_ns(xmlNode *n, xmlNs *ns)
{
	xmlNode *c;
	xmlAttr *a;

	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		n->ns = ns;
		/* attributes keep only the xml: prefix, bound to the
		 * document's own declaration (never to one of the nsDef
		 * lists freed below) */
		for (a = n->properties; a; a = a->next)
			if (a->ns && a->ns->prefix &&
			    !strcmp((const char *)a->ns->prefix, "xml"))
				a->ns = xmlSearchNs(n->doc, n,
						    BAD_CAST "xml");
			else
				a->ns = NULL;
		/* descendants may refer to the namespaces this element
		 * defines: they let go of them first */
		c = n->children;
		strip_ns(c, ns);
		if (n->nsDef && n->nsDef != ns) {
			xmlFreeNsList(n->nsDef);
			n->nsDef = NULL;
		}
	}
}

static int machine_text(struct parse *p, struct ovf_system *s,
			const xmlNode *vm)
{
	const char *ver = attr(vm, "version");
	xmlDoc *doc = NULL;
	xmlNode *root, *m, *c, *next;
	xmlNs *ns;
	struct strbuf sb = STRBUF_INIT;
	xmlAttr *a;

	doc = xmlNewDoc(BAD_CAST "1.0");
	if (!doc)
		return oom(p);
	root = xmlNewDocNode(doc, NULL, BAD_CAST "VirtualBox", NULL);
	if (!root)
		goto nomem;
	xmlDocSetRootElement(doc, root);
	ns = xmlNewNs(root, BAD_CAST VBOX_SETTINGS_NS, NULL);
	if (!ns)
		goto nomem;
	xmlSetNs(root, ns);
	if (!xmlSetProp(root, BAD_CAST "version",
			BAD_CAST(ver ? ver : "1.12-linux")))
		goto nomem;
	m = xmlDocCopyNode((xmlNode *)vm, doc, 1);
	if (!m)
		goto nomem;
	xmlAddChild(root, m);
	strip_ns(m, ns);
	/* VirtualBox's export adds these to the element; they are no part
	 * of a machine file */
	a = m->properties;
	while (a) {
		xmlAttr *na = a->next;

		if (!strcmp((const char *)a->name, "required") ||
		    !strcmp((const char *)a->name, "version"))
			xmlRemoveProp(a);
		a = na;
	}
	for (c = m->children; c; c = next) {
		next = c->next;
		if (c->type == XML_ELEMENT_NODE &&
		    !strcmp((const char *)c->name, "Info")) {
			xmlUnlinkNode(c);
			xmlFreeNode(c);
		}
	}
	if (sxml_serialize(doc, &sb) || sb.oom)
		goto nomem;
	s->machine_xml = sb_detach(&sb);
	s->machine_version = strdup(ver ? ver : "1.12-linux");
	xmlFreeDoc(doc);
	if (!s->machine_xml || !s->machine_version)
		return oom(p);
	return 0;
nomem:
	sb_release(&sb);
	xmlFreeDoc(doc);
	return oom(p);
}

/* ------------------------------------------------------------------ */
/* VirtualSystem                                                       */

static const char *section_type(const xmlNode *n)
{
	const char *t = attr(n, "type");

	return t ? t : "";
}

static int virtual_system(struct parse *p, const xmlNode *vs)
{
	struct ovf_envelope *e = p->e;
	struct ovf_system *s, *v;
	const xmlNode *c, *vm;
	const char *id;
	bool fail = false;
	int rc;

	if (e->n_systems >= OVF_MAX_SYSTEMS)
		return bad(p, "Error reading \"%s\": too many virtual systems (more than %u)",
			   p->path, OVF_MAX_SYSTEMS);
	v = realloc(e->systems, (e->n_systems + 1) * sizeof(*v));
	if (!v)
		return oom(p);
	e->systems = v;
	s = &v[e->n_systems++];
	memset(s, 0, sizeof(*s));
	s->cpus = 1;

	id = attr(vs, "id");
	if (id && !(s->name = strdup(id)))
		return oom(p);
	vm = vbox_child(vs, "Machine");
	if (vm) {
		rc = machine_text(p, s, vm);
		if (rc)
			return rc;
	}
	for (c = vs->children; c; c = c->next) {
		const char *name = (const char *)c->name;
		const char *type = "";

		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (!strcmp(name, "Section")) {
			if (!attr(c, "type"))
				return bad(p, "Error reading \"%s\": element 'Section' has no 'type' attribute, line %d",
					   p->path, line_of(c));
			type = section_type(c);
		}
		if (!strcmp(name, "EulaSection") ||
		    !strcmp(type, "ovf:EulaSection_Type")) {
			xmlNode *l = child(c, "License");

			if (l) {
				free(s->license);
				if (!(s->license = text(l)))
					return oom(p);
			}
		}
		if (!strcmp(name, "ProductSection") ||
		    !strcmp(type, "ovf:ProductSection_Type")) {
			char **slots[] = { &s->product, &s->vendor, &s->version,
					   &s->product_url, &s->vendor_url };
			static const char *const names[] = { "Product",
				"Vendor", "Version", "ProductUrl", "VendorUrl" };
			unsigned k;

			for (k = 0; k < 5; k++) {
				char *t = child_text(c, names[k], &fail);

				if (fail)
					return oom(p);
				if (t) {
					free(*slots[k]);
					*slots[k] = t;
				}
			}
		} else if (!strcmp(name, "VirtualHardwareSection") ||
			   !strcmp(type, "ovf:VirtualHardwareSection_Type")) {
			rc = hardware_section(p, s, c);
			if (rc)
				return rc;
		} else if (!strcmp(name, "OperatingSystemSection") ||
			   !strcmp(type, "ovf:OperatingSystemSection_Type")) {
			uint64_t cim;
			xmlNode *t;

			if (!parse_u64(attr(c, "id"), &cim))
				return bad(p, "Error reading \"%s\": missing or invalid 'ovf:id' attribute in operating system section element, line %d",
					   p->path, line_of(c));
			s->cimos = cim > UINT32_MAX ? UINT32_MAX : (uint32_t)cim;
			t = child(c, "Description");
			if (t) {
				free(s->cimos_desc);
				if (!(s->cimos_desc = text(t)))
					return oom(p);
			}
			t = vbox_child(c, "OSType");
			if (t) {
				free(s->vbox_ostype);
				if (!(s->vbox_ostype = text(t)))
					return oom(p);
			}
		} else if (!strcmp(name, "AnnotationSection") ||
			   !strcmp(type, "ovf:AnnotationSection_Type")) {
			xmlNode *t = child(c, "Annotation");

			if (t) {
				free(s->description);
				if (!(s->description = text(t)))
					return oom(p);
			}
		}
	}
	return 0;
}

static int sections(struct parse *p, const xmlNode *cur, unsigned depth)
{
	const xmlNode *c;
	int rc;

	if (depth > 16)
		return bad(p, "Error reading \"%s\": virtual system collections nested too deeply",
			   p->path);
	for (c = cur->children; c; c = c->next) {
		const char *name = (const char *)c->name;
		const char *type;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		type = section_type(c);
		if (!strcmp(name, "DiskSection") ||
		    (!strcmp(name, "Section") &&
		     !strcmp(type, "ovf:DiskSection_Type"))) {
			rc = disk_section(p, c);
		} else if (!strcmp(name, "VirtualSystem") ||
			   (!strcmp(name, "Content") &&
			    !strcmp(type, "ovf:VirtualSystem_Type"))) {
			rc = virtual_system(p, c);
		} else if (!strcmp(name, "VirtualSystemCollection") ||
			   (!strcmp(name, "Content") &&
			    !strcmp(type, "ovf:VirtualSystemCollection_Type"))) {
			rc = sections(p, c, depth + 1);
		} else {
			rc = 0;
		}
		if (rc)
			return rc;
	}
	return 0;
}

int ovf_parse(const char *data, size_t len, const char *path,
	      struct ovf_envelope **out, struct vb_error *err)
{
	struct parse p = { path, NULL, err, NULL };
	xmlDoc *doc = NULL;
	xmlNode *root;
	const char *uri;
	size_t ulen;
	int rc;

	*out = NULL;
	if (len > OVF_MAX_DESCRIPTOR)
		return vb_err(err, EFBIG, VBOX_E_FILE_ERROR,
			      "Error reading \"%s\": the OVF descriptor is larger than %u MB",
			      path, OVF_MAX_DESCRIPTOR >> 20);
	rc = sxml_parse(data, len, path, &doc, err);
	if (rc) {
		err->hrc = VBOX_E_FILE_ERROR;
		return rc;
	}
	root = xmlDocGetRootElement(doc);
	if (!root || strcmp((const char *)root->name, "Envelope")) {
		rc = bad(&p, "Root element in OVF file must be 'Envelope'.");
		goto out;
	}
	uri = root->ns && root->ns->href ? (const char *)root->ns->href : "";
	ulen = strlen(uri);
	if (!ulen) {
		rc = bad(&p, "Error reading namespace URI in 'Envelope' element, line %d",
			 line_of(root));
		goto out;
	}
	p.e = calloc(1, sizeof(*p.e));
	if (!p.e) {
		rc = oom(&p);
		goto out;
	}
	if (!strncmp(OVF_NS_20, uri, ulen))
		p.e->version = OVF_V20;
	else if (!strncmp(OVF_NS_10, uri, ulen))
		p.e->version = OVF_V10;
	else
		p.e->version = OVF_V09;
	if (attr(root, "lang") && !(p.e->lang = strdup(attr(root, "lang")))) {
		rc = oom(&p);
		goto out;
	}
	p.refs = child(root, "References");
	rc = sections(&p, root, 0);
out:
	xmlFreeDoc(doc);
	if (rc) {
		ovf_free(p.e);
		return rc;
	}
	*out = p.e;
	return 0;
}

static void system_release(struct ovf_system *s)
{
	unsigned i;

	free(s->name);
	free(s->description);
	free(s->cimos_desc);
	free(s->vbox_ostype);
	free(s->vs_type);
	free(s->product);
	free(s->vendor);
	free(s->version);
	free(s->product_url);
	free(s->vendor_url);
	free(s->license);
	for (i = 0; i < s->n_nics; i++) {
		free(s->nics[i].subtype);
		free(s->nics[i].connection);
	}
	free(s->nics);
	for (i = 0; i < s->n_ctls; i++) {
		free(s->ctls[i].id);
		free(s->ctls[i].subtype);
	}
	free(s->ctls);
	for (i = 0; i < s->n_vdisks; i++) {
		free(s->vdisks[i].ctl_id);
		free(s->vdisks[i].disk_id);
	}
	free(s->vdisks);
	free(s->sound);
	free(s->machine_xml);
	free(s->machine_version);
}

void ovf_free(struct ovf_envelope *e)
{
	unsigned i;

	if (!e)
		return;
	for (i = 0; i < e->n_disks; i++)
		disk_release(&e->disks[i]);
	free(e->disks);
	for (i = 0; i < e->n_systems; i++)
		system_release(&e->systems[i]);
	free(e->systems);
	free(e->lang);
	free(e);
}

const struct ovf_disk *ovf_find_disk(const struct ovf_envelope *e,
				     const char *id)
{
	unsigned i;

	for (i = 0; e && i < e->n_disks; i++)
		if (!strcmp(e->disks[i].id, id))
			return &e->disks[i];
	return NULL;
}

const char *ovf_version_name(enum ovf_version v)
{
	return v == OVF_V20 ? "2.0" : v == OVF_V10 ? "1.0" : "0.9";
}
