/*
 * OVF descriptor writer: Appliance::buildXML() of VirtualBox 7.0.
 *
 * Spec: DMTF DSP0243 1.0/2.0 (and the 0.9 draft with typed <Section>s);
 * items carry CIM_ResourceAllocationSettingData properties in the
 * alphabetical order the standard requires (2.0 writes disks as
 * StorageItem and network adapters as EthernetPortItem).  Each virtual
 * system also carries <vbox:Machine>: the machine's settings as in its
 * .vbox (current state only: no snapshots, media registry or saved state),
 * with the UUIDs of exported disks replaced by those of the written
 * images and MAC addresses stripped as the export options say.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "lib/settings/ovf.h"
#include "lib/settings/settings-int.h"

#define NS_RASD "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
#define NS_VSSD "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData"
#define NS_XSI "http://www.w3.org/2001/XMLSchema-instance"
#define NS_EPASD "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_EthernetPortAllocationSettingData.xsd"
#define NS_SASD "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_StorageAllocationSettingData.xsd"

enum rt {
	RT_PROCESSOR = 3, RT_MEMORY = 4, RT_IDE = 5, RT_SCSI = 6,
	RT_ETHERNET = 10, RT_FLOPPY = 14, RT_CDROM = 15, RT_HARDDISK = 17,
	RT_OTHER_STORAGE = 20, RT_USB = 23, RT_SOUND = 35,
};

struct w {
	xmlDoc *doc;
	xmlNode *root;
	xmlNs *ns, *ovf, *rasd, *vssd, *xsi, *vbox, *epasd, *sasd;
	enum ovf_version v;
	const struct ovf_build_opts *o;
	struct vb_error *err;
	bool oom;
	/* disks written so far (References/DiskSection) */
	xmlNode *refs, *disk_section, *net_section;
	unsigned file_no;
	unsigned disk_no;           /* count of disk ids (vmdisk%d, iso%d) */
	struct ovf_out_disk *out;
	unsigned n_out;
	char **networks;
	unsigned n_networks;
	ovf_capacity_fn capacity;
	void *cctx;
};

static xmlNode *el(struct w *w, xmlNode *parent, xmlNs *ns, const char *name,
		   const char *content)
{
	xmlNode *n;

	if (w->oom)
		return NULL;
	n = xmlNewChild(parent, ns, BAD_CAST name, NULL);
	if (!n) {
		w->oom = true;
		return NULL;
	}
	if (content) {
		xmlNode *t = xmlNewText(BAD_CAST content);

		if (!t || !xmlAddChild(n, t)) {
			xmlFreeNode(t);
			w->oom = true;
		}
	}
	return n;
}

static void prop(struct w *w, xmlNode *n, xmlNs *ns, const char *name,
		 const char *value)
{
	if (w->oom || !n)
		return;
	if (!(ns ? xmlNewNsProp(n, ns, BAD_CAST name, BAD_CAST value)
		 : xmlNewProp(n, BAD_CAST name, BAD_CAST value)))
		w->oom = true;
}

/* A section: <Name> in 1.0/2.0, <Section xsi:type="ovf:Name_Type"> in
 * 0.9. */
static xmlNode *section(struct w *w, xmlNode *parent, const char *name)
{
	xmlNode *n;
	char type[64];

	if (w->v != OVF_V09)
		return el(w, parent, w->ns, name, NULL);
	n = el(w, parent, w->ns, "Section", NULL);
	snprintf(type, sizeof(type), "ovf:%s_Type", name);
	prop(w, n, w->xsi, "type", type);
	return n;
}

static const char *last(const struct vsd *d, enum vsd_type t)
{
	int i = vsd_find_last(d, t);

	return i >= 0 ? d->e[i].vbox : NULL;
}

static bool nonempty(const char *s)
{
	return s && *s;
}

static int add_network(struct w *w, const char *name)
{
	char **v;
	unsigned i;

	for (i = 0; i < w->n_networks; i++)
		if (!strcmp(w->networks[i], name))
			return 0;
	v = realloc(w->networks, (w->n_networks + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	w->networks = v;
	v[w->n_networks] = strdup(name);
	if (!v[w->n_networks])
		return -ENOMEM;
	w->n_networks++;
	return 0;
}

static int net_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct item {
	enum rt type;
	const char *description, *caption, *subtype, *alloc_units;
	const char *connection, *host_resource;
	long quantity, address, bus, address_on_parent, automatic;
	unsigned parent;
};

static void item_init(struct item *it)
{
	memset(it, 0, sizeof(*it));
	it->quantity = it->address = it->bus = it->address_on_parent =
		it->automatic = -1;
}

static void write_item(struct w *w, xmlNode *hw, const struct item *it,
		       bool loop2, unsigned instance)
{
	xmlNode *n;
	xmlNs *ns = w->rasd;
	const char *kind = "Item";
	char num[32];

	if (w->v == OVF_V20 && loop2) {
		if (it->type == RT_ETHERNET) {
			kind = "EthernetPortItem";
			ns = w->epasd;
		} else {
			kind = "StorageItem";
			ns = w->sasd;
		}
	}
	n = el(w, hw, w->ns, kind, NULL);
	/* properties in alphabetical order, as the standard requires */
	if (it->address >= 0) {
		snprintf(num, sizeof(num), "%ld", it->address);
		el(w, n, ns, "Address", num);
	}
	if (it->address_on_parent >= 0) {
		snprintf(num, sizeof(num), "%ld", it->address_on_parent);
		el(w, n, ns, "AddressOnParent", num);
	}
	if (it->alloc_units)
		el(w, n, ns, "AllocationUnits", it->alloc_units);
	if (it->automatic >= 0)
		el(w, n, ns, "AutomaticAllocation",
		   it->automatic ? "true" : "false");
	if (it->bus >= 0 && w->v == OVF_V09) {
		snprintf(num, sizeof(num), "%ld", it->bus);
		el(w, n, ns, "BusNumber", num);
	}
	if (it->caption)
		el(w, n, ns, "Caption", it->caption);
	if (it->connection)
		el(w, n, ns, "Connection", it->connection);
	if (it->description)
		el(w, n, ns, "Description", it->description);
	if (it->caption && w->v == OVF_V10)
		el(w, n, ns, "ElementName", it->caption);
	if (it->host_resource)
		el(w, n, ns, "HostResource", it->host_resource);
	snprintf(num, sizeof(num), "%u", instance);
	el(w, n, ns, w->v == OVF_V09 ? "InstanceId" : "InstanceID", num);
	if (it->parent) {
		snprintf(num, sizeof(num), "%u", it->parent);
		el(w, n, ns, "Parent", num);
	}
	if (it->subtype)
		el(w, n, ns, "ResourceSubType", it->subtype);
	snprintf(num, sizeof(num), "%d", it->type);
	el(w, n, ns, "ResourceType", num);
	if (it->quantity >= 0) {
		snprintf(num, sizeof(num), "%ld", it->quantity);
		el(w, n, ns, "VirtualQuantity", num);
	}
}

/* The items of one virtual system; disks are collected in w->out. */
static int hardware(struct w *w, xmlNode *hw, struct vsd *d, unsigned vsys)
{
	unsigned instance = 1, loop, i, cdroms = 0;
	/* instance ids of the controllers by VSD index */
	unsigned *ids = calloc(d->n ? d->n : 1, sizeof(*ids));
	int ide_seen = 0;

	if (!ids)
		return -ENOMEM;
	for (loop = 1; loop <= 2 && !w->oom; loop++) {
		for (i = 0; i < d->n && !w->oom; i++) {
			struct vsd_entry *e = &d->e[i];
			struct item it;
			char cap[64], hr[64], *end;
			unsigned long long v;
			uint32_t ctl = 0, ch = 0;
			bool have = false;

			item_init(&it);
			switch (e->type) {
			case VSD_CPU:
				if (loop != 1)
					break;
				v = strtoull(e->vbox, &end, 10);
				it.type = RT_PROCESSOR;
				it.description = "Number of virtual CPUs";
				it.quantity = (long)v;
				snprintf(cap, sizeof(cap), "%llu virtual CPU", v);
				it.caption = cap;
				have = true;
				break;
			case VSD_MEMORY:
				if (loop != 1)
					break;
				v = strtoull(e->vbox, &end, 10) >> 20;
				it.type = RT_MEMORY;
				it.description = "Memory Size";
				it.quantity = (long)v;
				it.alloc_units = "MegaBytes";
				snprintf(cap, sizeof(cap), "%llu MB of memory", v);
				it.caption = cap;
				have = true;
				break;
			case VSD_HDC_IDE:
				if (loop != 1)
					break;
				it.type = RT_IDE;
				it.description = "IDE Controller";
				it.subtype = e->vbox;
				it.caption = ide_seen ? "ideController1"
						      : "ideController0";
				it.address = it.bus = ide_seen ? 1 : 0;
				ide_seen++;
				ids[i] = instance;
				have = true;
				break;
			case VSD_HDC_SATA:
				if (loop != 1)
					break;
				it.type = RT_OTHER_STORAGE;
				it.description = "SATA Controller";
				it.caption = "sataController0";
				it.address = it.bus = 0;
				it.subtype = "AHCI";
				ids[i] = instance;
				have = true;
				break;
			case VSD_HDC_SCSI:
			case VSD_HDC_SAS:
				if (loop != 1)
					break;
				it.type = RT_SCSI;
				it.description = "SCSI Controller";
				it.caption = "scsiController0";
				it.address = it.bus = 0;
				it.subtype = e->type == VSD_HDC_SAS ? "lsilogicsas" :
					     !strcasecmp(e->vbox, "BusLogic")
						     ? "buslogic" : "lsilogic";
				ids[i] = instance;
				have = true;
				break;
			case VSD_HDC_VIRTIOSCSI:
				if (loop != 1)
					break;
				it.type = RT_OTHER_STORAGE;
				it.description = "VirtioSCSI Controller";
				it.caption = "virtioSCSIController0";
				it.address = it.bus = 0;
				it.subtype = "VirtioSCSI";
				ids[i] = instance;
				have = true;
				break;
			case VSD_HDC_NVME:
				if (loop != 1)
					break;
				it.type = RT_OTHER_STORAGE;
				it.description = "NVMe Controller";
				it.caption = "nvmeController0";
				it.address = it.bus = 0;
				it.subtype = "NVMe";
				ids[i] = instance;
				have = true;
				break;
			case VSD_HD_IMAGE:
			case VSD_CDROM: {
				struct ovf_out_disk *o;
				bool hd = e->type == VSD_HD_IMAGE;

				if (loop != 2)
					break;
				if (vsd_disk_location(e, &ctl, &ch) ||
				    ctl >= d->n || !ids[ctl]) {
					free(ids);
					return vb_err(w->err, EINVAL,
						      VBOX_E_NOT_SUPPORTED,
						      hd ? "Missing or bad extra config string in hard disk image: \"%s\""
							 : "Missing or bad extra config string in DVD drive medium: \"%s\"",
						      e->extra);
				}
				it.parent = ids[ctl];
				it.address_on_parent = ch;
				w->disk_no++;
				if (hd) {
					it.type = RT_HARDDISK;
					it.description = "Disk Image";
					snprintf(cap, sizeof(cap), "disk%u",
						 w->disk_no);
				} else {
					it.type = RT_CDROM;
					it.description = "CD-ROM Drive";
					it.automatic = 1;
					snprintf(cap, sizeof(cap), "cdrom%u",
						 ++cdroms);
				}
				it.caption = cap;
				have = true;
				if (!hd && (e->skip || !*e->vbox))
					break;
				snprintf(hr, sizeof(hr), "/disk/%s%u",
					 hd ? "vmdisk" : "iso", w->disk_no);
				it.host_resource = hr;
				o = realloc(w->out, (w->n_out + 1) * sizeof(*o));
				if (!o) {
					free(ids);
					return -ENOMEM;
				}
				w->out = o;
				o = &o[w->n_out++];
				memset(o, 0, sizeof(*o));
				o->vsys = vsys;
				o->entry = i;
				o->iso = !hd;
				o->href = strdup(e->ovf);
				o->src_path = strdup(e->vbox);
				o->src_uuid = e->medium;
				if (!o->href || !o->src_path ||
				    vb_uuid_generate(&o->new_uuid)) {
					free(ids);
					return -ENOMEM;
				}
				/* remember the disk id for the DiskSection */
				free(e->ref);
				e->ref = strdup(hr + 6);
				if (!e->ref) {
					free(ids);
					return -ENOMEM;
				}
				break;
			}
			case VSD_FLOPPY:
				if (loop != 1)
					break;
				it.type = RT_FLOPPY;
				it.description = "Floppy Drive";
				it.caption = "floppy0";
				it.automatic = 0;
				it.address_on_parent = 0;
				have = true;
				break;
			case VSD_NIC:
				if (loop != 2)
					break;
				it.type = RT_ETHERNET;
				it.automatic = 1;
				snprintf(cap, sizeof(cap),
					 "Ethernet adapter on '%s'", e->ovf);
				it.caption = cap;
				switch (atoi(e->vbox)) {
				case 1: case 2:
					it.subtype = "PCNet32";
					break;
				case 3: case 4: case 5:
					it.subtype = "E1000";
					break;
				}
				it.connection = e->ovf;
				if (add_network(w, e->ovf)) {
					free(ids);
					return -ENOMEM;
				}
				have = true;
				break;
			case VSD_USB:
				if (loop != 1)
					break;
				it.type = RT_USB;
				it.description = "USB Controller";
				it.caption = "usb";
				it.address = it.bus = 0;
				have = true;
				break;
			case VSD_SOUND:
				if (loop != 1)
					break;
				it.type = RT_SOUND;
				it.description = "Sound Card";
				it.caption = "sound";
				it.subtype = e->ovf;
				it.automatic = 0;
				it.address_on_parent = 3;
				have = true;
				break;
			default:
				break;
			}
			if (have)
				write_item(w, hw, &it, loop == 2, instance++);
		}
	}
	free(ids);
	return w->oom ? -ENOMEM : 0;
}

/* ------------------------------------------------------------------ */
/* <vbox:Machine>                                                      */

static void unqualify(xmlNode *n)
{
	xmlAttr *a;

	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		n->ns = NULL;
		for (a = n->properties; a; a = a->next)
			if (a->ns && (!a->ns->prefix ||
				      strcmp((const char *)a->ns->prefix, "xml")))
				a->ns = NULL;
		if (n->nsDef) {
			xmlFreeNsList(n->nsDef);
			n->nsDef = NULL;
		}
		unqualify(n->children);
	}
}

static void strip_macs(xmlNode *hw, bool all)
{
	xmlNode *net, *a;

	for (net = hw ? hw->children : NULL; net; net = net->next) {
		if (net->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)net->name, "Network"))
			continue;
		for (a = net->children; a; a = a->next) {
			bool nat = false;
			xmlNode *c;

			if (a->type != XML_ELEMENT_NODE)
				continue;
			for (c = a->children; c; c = c->next)
				if (c->type == XML_ELEMENT_NODE &&
				    !strcmp((const char *)c->name, "NAT"))
					nat = true;
			if (all || !nat)
				xmlUnsetProp(a, BAD_CAST "MACAddress");
		}
	}
}

static void replace_uuids(xmlNode *n, const char *from, const char *to)
{
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (!strcmp((const char *)n->name, "Image")) {
			xmlChar *u = xmlGetProp(n, BAD_CAST "uuid");

			if (u && !strcasecmp((const char *)u, from))
				xmlSetProp(n, BAD_CAST "uuid", BAD_CAST to);
			xmlFree(u);
		}
		replace_uuids(n->children, from, to);
	}
}

static int vbox_machine(struct w *w, xmlNode *vs, struct machine *m,
			const char *vm_name, unsigned vsys)
{
	struct sdoc *d = machine_doc(m);
	xmlNode *src = XN(sdoc_top(d)), *vm, *c, *copy;
	char ver[32];
	xmlAttr *a;
	unsigned i;

	vm = el(w, vs, w->vbox, "Machine", NULL);
	prop(w, vm, w->ovf, "required", "false");
	snprintf(ver, sizeof(ver), "1.%u-%s", sdoc_version(d),
		 settings_host_suffix());
	prop(w, vm, NULL, "version", ver);
	for (a = src->properties; a && !w->oom; a = a->next) {
		const char *name = (const char *)a->name;
		xmlChar *v;

		if (!strcmp(name, "stateFile") ||
		    !strcmp(name, "currentSnapshot") ||
		    !strcmp(name, "currentStateModified") ||
		    !strcmp(name, "aborted"))
			continue;
		v = xmlGetProp(src, a->name);
		prop(w, vm, NULL, name,
		     !strcmp(name, "name") ? vm_name : (const char *)v);
		xmlFree(v);
	}
	el(w, vm, w->ovf, "Info",
	   "Complete VirtualBox machine configuration in VirtualBox format");
	for (c = src->children; c && !w->oom; c = c->next) {
		if (c->type != XML_ELEMENT_NODE ||
		    !strcmp((const char *)c->name, "MediaRegistry") ||
		    !strcmp((const char *)c->name, "Snapshot"))
			continue;
		copy = xmlDocCopyNode(c, w->doc, 1);
		if (!copy || !xmlAddChild(vm, copy)) {
			xmlFreeNode(copy);
			w->oom = true;
			break;
		}
		unqualify(copy);
		if (!strcmp((const char *)copy->name, "Hardware") &&
		    (w->o->strip_macs || w->o->strip_non_nat_macs))
			strip_macs(copy, w->o->strip_macs);
	}
	for (i = 0; i < w->n_out && !w->oom; i++) {
		char from[40], to[40];

		if (w->out[i].vsys != vsys)
			continue;
		vb_uuid_fmt_braced(&w->out[i].src_uuid, from);
		vb_uuid_fmt_braced(&w->out[i].new_uuid, to);
		replace_uuids(vm->children, from, to);
	}
	return w->oom ? -ENOMEM : 0;
}

/* ------------------------------------------------------------------ */

static int virtual_system(struct w *w, xmlNode *parent, struct vsd *d,
			  struct machine *m, unsigned vsys)
{
	const char *name = last(d, VSD_NAME), *s;
	xmlNode *vs, *sec, *hw, *sys;
	const char *product = last(d, VSD_PRODUCT), *vendor = last(d, VSD_VENDOR);
	const char *version = last(d, VSD_VERSION);
	const char *purl = last(d, VSD_PRODUCT_URL);
	const char *vurl = last(d, VSD_VENDOR_URL);
	int osi = vsd_find_last(d, VSD_OS), rc;
	unsigned first_disk = w->n_out, i;

	if (!name)
		return vb_err(w->err, EINVAL, VBOX_E_NOT_SUPPORTED,
			      "Missing VM name");
	if (osi < 0)
		return vb_err(w->err, EINVAL, VBOX_E_NOT_SUPPORTED,
			      "Missing OS type");
	if (w->v == OVF_V09) {
		vs = el(w, parent, w->ns, "Content", NULL);
		prop(w, vs, w->xsi, "type", "ovf:VirtualSystem_Type");
	} else {
		vs = el(w, parent, w->ns, "VirtualSystem", NULL);
	}
	prop(w, vs, w->ovf, "id", name);
	el(w, vs, w->ns, "Info", "A virtual machine");
	if (nonempty(product) || nonempty(purl) || nonempty(vendor) ||
	    nonempty(vurl) || nonempty(version)) {
		sec = section(w, vs, "ProductSection");
		el(w, sec, w->ns, "Info",
		   "Meta-information about the installed software");
		if (nonempty(product))
			el(w, sec, w->ns, "Product", product);
		if (nonempty(vendor))
			el(w, sec, w->ns, "Vendor", vendor);
		if (nonempty(version))
			el(w, sec, w->ns, "Version", version);
		if (nonempty(purl))
			el(w, sec, w->ns, "ProductUrl", purl);
		if (nonempty(vurl))
			el(w, sec, w->ns, "VendorUrl", vurl);
	}
	s = last(d, VSD_DESCRIPTION);
	if (nonempty(s)) {
		sec = section(w, vs, "AnnotationSection");
		el(w, sec, w->ns, "Info", "A human-readable annotation");
		el(w, sec, w->ns, "Annotation", s);
	}
	s = last(d, VSD_LICENSE);
	if (nonempty(s)) {
		sec = section(w, vs, "EulaSection");
		el(w, sec, w->ns, "Info",
		   "License agreement for the virtual system");
		el(w, sec, w->ns, "License", s);
	}
	sec = section(w, vs, "OperatingSystemSection");
	prop(w, sec, w->ovf, "id", d->e[osi].ovf);
	el(w, sec, w->ns, "Info", "The kind of installed guest operating system");
	el(w, sec, w->ns, "Description",
	   ovf_cim_to_ostype((uint32_t)strtoul(d->e[osi].ovf, NULL, 10), ""));
	{
		xmlNode *os = el(w, sec, w->vbox, "OSType", d->e[osi].vbox);

		prop(w, os, w->ovf, "required", "false");
	}
	hw = section(w, vs, "VirtualHardwareSection");
	el(w, hw, w->ns, "Info",
	   "Virtual hardware requirements for a virtual machine");
	sys = el(w, hw, w->ns, "System", NULL);
	el(w, sys, w->vssd, "ElementName", "Virtual Hardware Family");
	el(w, sys, w->vssd, w->v == OVF_V09 ? "InstanceId" : "InstanceID",
	   "0");
	el(w, sys, w->vssd, "VirtualSystemIdentifier", name);
	el(w, sys, w->vssd, "VirtualSystemType",
	   w->v == OVF_V09 ? "vmx-6" : "virtualbox-2.2");
	if (w->oom)
		return -ENOMEM;
	rc = hardware(w, hw, d, vsys);
	if (rc)
		return rc;

	/* References and DiskSection entries of this system's disks */
	for (i = first_disk; i < w->n_out && !w->oom; i++) {
		struct ovf_out_disk *o = &w->out[i];
		struct vsd_entry *e = &d->e[o->entry];
		char fid[32], cap[32], ub[40];
		uint64_t bytes = 0;
		xmlNode *f, *dk;

		rc = w->capacity(w->cctx, o->src_path, &bytes, w->err);
		if (rc)
			return rc;
		snprintf(fid, sizeof(fid), "file%u", ++w->file_no);
		f = el(w, w->refs, w->ns, "File", NULL);
		prop(w, f, w->ovf, "href", o->href);
		prop(w, f, w->ovf, "id", fid);
		dk = el(w, w->disk_section, w->ns, "Disk", NULL);
		snprintf(cap, sizeof(cap), "%llu", (unsigned long long)bytes);
		prop(w, dk, w->ovf, "capacity", cap);
		prop(w, dk, w->ovf, "diskId", e->ref);
		prop(w, dk, w->ovf, "fileRef", fid);
		prop(w, dk, w->ovf, "format",
		     o->iso ? OVF_FMT_ISO : w->v == OVF_V09
						   ? OVF_FMT_VMDK_SPARSE
						   : OVF_FMT_VMDK_STREAM);
		prop(w, dk, w->vbox, "uuid", vb_uuid_fmt(&o->new_uuid, ub));
	}
	if (w->oom)
		return -ENOMEM;
	return m ? vbox_machine(w, vs, m, name, vsys) : 0;
}

int ovf_build(struct vsd *vsds, struct machine **machines, unsigned n,
	      const struct ovf_build_opts *o, ovf_capacity_fn capacity,
	      void *cctx, char **xml, size_t *xml_len,
	      struct ovf_out_disk **disks, unsigned *n_disks,
	      struct vb_error *err)
{
	struct w w = { 0 };
	const char *uri = o->version == OVF_V20 ? OVF_NS_20 :
			  o->version == OVF_V10 ? OVF_NS_10 : OVF_NS_09;
	xmlNode *to;
	xmlChar *buf = NULL;
	xmlNs *xmlns;
	unsigned i;
	int len = 0, rc = 0;

	*xml = NULL;
	*disks = NULL;
	*n_disks = 0;
	w.v = o->version;
	w.o = o;
	w.err = err;
	w.capacity = capacity;
	w.cctx = cctx;
	if (n > 1 && o->version == OVF_V09)
		return vb_err(err, EINVAL, VBOX_E_FILE_ERROR,
			      "Cannot export more than one virtual system with OVF 0.9, use OVF 1.0");
	w.doc = xmlNewDoc(BAD_CAST "1.0");
	if (!w.doc)
		goto nomem;
	w.root = xmlNewDocNode(w.doc, NULL, BAD_CAST "Envelope", NULL);
	if (!w.root)
		goto nomem;
	xmlDocSetRootElement(w.doc, w.root);
	w.ns = xmlNewNs(w.root, BAD_CAST uri, NULL);
	w.ovf = xmlNewNs(w.root, BAD_CAST uri, BAD_CAST "ovf");
	w.rasd = xmlNewNs(w.root, BAD_CAST NS_RASD, BAD_CAST "rasd");
	w.vssd = xmlNewNs(w.root, BAD_CAST NS_VSSD, BAD_CAST "vssd");
	w.xsi = xmlNewNs(w.root, BAD_CAST NS_XSI, BAD_CAST "xsi");
	w.vbox = xmlNewNs(w.root, BAD_CAST OVF_NS_VBOX, BAD_CAST "vbox");
	if (o->version == OVF_V20) {
		w.epasd = xmlNewNs(w.root, BAD_CAST NS_EPASD, BAD_CAST "epasd");
		w.sasd = xmlNewNs(w.root, BAD_CAST NS_SASD, BAD_CAST "sasd");
		if (!w.epasd || !w.sasd)
			goto nomem;
	}
	if (!w.ns || !w.ovf || !w.rasd || !w.vssd || !w.xsi || !w.vbox)
		goto nomem;
	xmlSetNs(w.root, w.ns);
	prop(&w, w.root, w.ovf, "version", ovf_version_name(o->version));
	xmlns = xmlSearchNs(w.doc, w.root, BAD_CAST "xml");
	prop(&w, w.root, xmlns, "lang", "en-US");
	w.refs = el(&w, w.root, w.ns, "References", NULL);
	w.disk_section = section(&w, w.root, "DiskSection");
	el(&w, w.disk_section, w.ns, "Info",
	   "List of the virtual disks used in the package");
	w.net_section = section(&w, w.root, "NetworkSection");
	el(&w, w.net_section, w.ns, "Info", "Logical networks used in the package");
	if (w.oom)
		goto nomem;
	to = w.root;
	if (n > 1) {
		to = el(&w, w.root, w.ns, "VirtualSystemCollection", NULL);
		prop(&w, to, w.ovf, "name", "ExportedVirtualBoxMachines");
	}
	for (i = 0; i < n && !rc; i++)
		rc = virtual_system(&w, to, &vsds[i], machines[i], i);
	if (rc == -ENOMEM || (!rc && w.oom))
		goto nomem;
	if (rc)
		goto out;
	if (w.n_networks)
		qsort(w.networks, w.n_networks, sizeof(*w.networks), net_cmp);
	for (i = 0; i < w.n_networks; i++) {
		xmlNode *net = el(&w, w.net_section, w.ns, "Network", NULL);

		prop(&w, net, w.ovf, "name", w.networks[i]);
		el(&w, net, w.ns, "Description",
		   "Logical network used by this appliance.");
	}
	if (w.oom)
		goto nomem;
	xmlDocDumpFormatMemory(w.doc, &buf, &len, 1);
	if (!buf || len <= 0)
		goto nomem;
	*xml = malloc((size_t)len + 1);
	if (!*xml)
		goto nomem;
	memcpy(*xml, buf, (size_t)len);
	(*xml)[len] = '\0';
	*xml_len = (size_t)len;
	*disks = w.out;
	*n_disks = w.n_out;
	w.out = NULL;
	w.n_out = 0;
	goto out;
nomem:
	rc = vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
out:
	xmlFree(buf);
	xmlFreeDoc(w.doc);
	ovf_out_disks_free(w.out, w.n_out);
	for (i = 0; i < w.n_networks; i++)
		free(w.networks[i]);
	free(w.networks);
	return rc;
}

void ovf_out_disks_free(struct ovf_out_disk *d, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		free(d[i].href);
		free(d[i].src_path);
	}
	free(d);
}
