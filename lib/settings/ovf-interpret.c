/*
 * Virtual system descriptions and Appliance::interpret(): what VirtualBox
 * suggests for each virtual system of an appliance before importing it.
 *
 * The order of the entries is VirtualBox's (OS type, name, primary group,
 * settings file, base folder, product information, description, licence,
 * CPUs, memory, sound, USB, network adapters, floppy, CD-ROM, controllers
 * in InstanceID order, disks in disk id order) because "import -n" numbers
 * them and clients (Vagrant) use those numbers in --unit.
 *
 * When the system carries a <vbox:Machine>, its settings win for the OS
 * type, name, group, CPUs, memory, sound, USB, adapters and drives, as in
 * VirtualBox.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/settings/hwmodel.h"
#include "lib/settings/mediareg.h"
#include "lib/settings/ovf.h"
#include "lib/util/checked.h"
#include "lib/util/path.h"

#define MAX_CPUS        64                  /* SchemaDefs::MaxCPUCount */
#define RAM_MIN_MB      4ull
#define RAM_MAX_MB      (2048ull * 1024)    /* 2 TB */

/* ------------------------------------------------------------------ */
/* VSD helpers                                                         */

int vsd_add(struct vsd *d, enum vsd_type type, const char *ref,
	    const char *ovf, const char *vbox, uint32_t size_mb,
	    const char *extra)
{
	struct vsd_entry *e;

	if (d->n == d->cap) {
		unsigned cap = d->cap ? d->cap * 2 : 16;

		e = realloc(d->e, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		d->e = e;
		d->cap = cap;
	}
	e = &d->e[d->n];
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->size_mb = size_mb;
	e->enabled = true;
	e->ref = strdup(ref ? ref : "");
	e->ovf = strdup(ovf ? ovf : "");
	e->vbox = strdup(vbox ? vbox : "");
	e->extra = strdup(extra ? extra : "");
	if (!e->ref || !e->ovf || !e->vbox || !e->extra) {
		free(e->ref);
		free(e->ovf);
		free(e->vbox);
		free(e->extra);
		return -ENOMEM;
	}
	d->n++;
	return 0;
}

void vsd_release(struct vsd *d)
{
	unsigned i;

	for (i = 0; i < d->n; i++) {
		free(d->e[i].ref);
		free(d->e[i].ovf);
		free(d->e[i].vbox);
		free(d->e[i].extra);
		free(d->e[i].orig);
	}
	free(d->e);
	memset(d, 0, sizeof(*d));
}

int vsd_find(const struct vsd *d, enum vsd_type type)
{
	unsigned i;

	for (i = 0; i < d->n; i++)
		if (d->e[i].type == type)
			return (int)i;
	return -1;
}

int vsd_find_last(const struct vsd *d, enum vsd_type type)
{
	unsigned i;

	for (i = d->n; i-- > 0;)
		if (d->e[i].type == type)
			return (int)i;
	return -1;
}

static int set_str(char **slot, const char *v)
{
	char *c = strdup(v ? v : "");

	if (!c)
		return -ENOMEM;
	free(*slot);
	*slot = c;
	return 0;
}

int vsd_set_vbox(struct vsd *d, unsigned i, const char *value)
{
	if (!d->e[i].orig) {
		d->e[i].orig = d->e[i].vbox;
		d->e[i].vbox = NULL;
	}
	return set_str(&d->e[i].vbox, value);
}

int vsd_set_extra(struct vsd *d, unsigned i, const char *value)
{
	return set_str(&d->e[i].extra, value);
}

bool vsd_is_controller(enum vsd_type t)
{
	return t == VSD_HDC_IDE || t == VSD_HDC_SATA || t == VSD_HDC_SCSI ||
	       t == VSD_HDC_SAS || t == VSD_HDC_VIRTIOSCSI ||
	       t == VSD_HDC_NVME;
}

/* The number after key in a "a=1;b=2" string. */
static int extra_u32(const char *s, const char *key, uint32_t *out)
{
	const char *p = strstr(s, key);
	unsigned long long v = 0;
	int n = 0;

	if (!p)
		return -EINVAL;
	p += strlen(key);
	while (p[n] >= '0' && p[n] <= '9' && n < 11) {
		v = v * 10 + (unsigned)(p[n] - '0');
		n++;
	}
	if (!n || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int vsd_disk_location(const struct vsd_entry *e, uint32_t *ctl,
		      uint32_t *channel)
{
	if (extra_u32(e->extra, "controller=", ctl) ||
	    extra_u32(e->extra, "channel=", channel))
		return -EINVAL;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Names used in appliances                                            */

static const struct { const char *element, *name; } attachments[] = {
	{ "NAT", "NAT" }, { "BridgedInterface", "Bridged" },
	{ "InternalNetwork", "Internal" }, { "HostOnlyInterface", "HostOnly" },
	{ "GenericInterface", "Generic" }, { "NATNetwork", "NATNetwork" },
	{ "CloudNetwork", "Cloud" }, { "HostOnlyNetwork", "HostOnlyNetwork" },
};

const char *ovf_attachment_name(const char *settings_element)
{
	size_t i;

	for (i = 0; settings_element && i < VB_ARRAY_SIZE(attachments); i++)
		if (!strcmp(attachments[i].element, settings_element))
			return attachments[i].name;
	return "Null";
}

/* NetworkAdapterType values of VirtualBox's API. */
static const char *const nic_types[] = { "Null", "Am79C970A", "Am79C973",
	"82540EM", "82543GC", "82545EM", "virtio", "Am79C960", "NE2000",
	"NE1000", "WD8013", "WD8003", "ELNK2", "ELNK1" };

unsigned ovf_nic_type_value(const char *settings_type)
{
	size_t i;

	for (i = 1; settings_type && i < VB_ARRAY_SIZE(nic_types); i++)
		if (!strcasecmp(nic_types[i], settings_type))
			return (unsigned)i;
	return 0;
}

const char *ovf_nic_type_name(unsigned value)
{
	return value && value < VB_ARRAY_SIZE(nic_types) ? nic_types[value]
							  : NULL;
}

static const struct { const char *uri, *format; } uri_formats[] = {
	{ OVF_FMT_ISO, "RAW" },
	{ OVF_FMT_VMDK_STREAM, "VMDK" },
	{ OVF_FMT_VMDK_SPARSE, "VMDK" },
	{ "http://www.vmware.com/specifications/vmdk.html#compressed", "VMDK" },
	{ "http://www.vmware.com/interfaces/specifications/vmdk.html#compressed",
	  "VMDK" },
	{ "http://go.microsoft.com/fwlink/?LinkId=137171", "VHD" },
};

const char *ovf_disk_format(const struct ovf_disk *d)
{
	static const struct { const char *ext, *format; } exts[] = {
		{ "vmdk", "VMDK" }, { "vdi", "VDI" }, { "vhd", "VHD" },
		{ "iso", "RAW" }, { "img", "RAW" }, { "raw", "RAW" },
	};
	const char *ext;
	size_t i;

	for (i = 0; d->format && i < VB_ARRAY_SIZE(uri_formats); i++)
		if (!strcasecmp(uri_formats[i].uri, d->format))
			return uri_formats[i].format;
	ext = d->href ? path_ext(d->href) : NULL;
	if (ext && *ext == '.')
		ext++;
	for (i = 0; ext && i < VB_ARRAY_SIZE(exts); i++)
		if (!strcasecmp(exts[i].ext, ext))
			return exts[i].format;
	return NULL;
}

/* ------------------------------------------------------------------ */
/* interpret                                                           */

struct interp {
	struct vbox *vb;
	struct vb_error *err;
	struct strbuf *warn;
};

static int oom(struct vb_error *err)
{
	return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
}

/* A name VirtualBox allows in a file name: the characters it replaces
 * by '_' in ComposeMachineFilename. */
static char *file_name_of(const char *name)
{
	char *s = strdup(name), *p;

	if (!s)
		return NULL;
	for (p = s; *p; p++)
		if (strchr("/\\:*?\"<>|", *p) || (unsigned char)*p < 0x20)
			*p = '_';
	return s;
}

static bool name_taken(struct vbox *vb, const char *name)
{
	struct machine *m = NULL;
	struct vb_error e2 = { 0 };

	if (vbox_find_machine(vb, name, &m, &e2))
		return false;
	machine_free(m);
	return true;
}

static char *unique_vm_name(struct vbox *vb, const char *base)
{
	char *name = strdup(base);
	unsigned i;

	for (i = 1; name && name_taken(vb, name) && i < 100000; i++) {
		free(name);
		name = vb_asprintf("%s_%u", base, i);
	}
	return name;
}

char *ovf_compose_machine_filename(struct vbox *vb, const char *name,
				   const char *group, const char *basefolder)
{
	char *folder = basefolder && *basefolder ? path_abs(basefolder)
						 : vbox_machine_folder(vb);
	char *fn = file_name_of(name), *r = NULL;

	if (!group || !*group)
		group = "/";
	if (folder && fn)
		r = vb_asprintf("%s%s/%s/%s.vbox", folder,
				strcmp(group, "/") ? group : "", fn, fn);
	free(folder);
	free(fn);
	return r;
}

/* ComposeMachineFilename(name, group, NULL, NULL). */
static char *settings_file(struct vbox *vb, const char *name,
			   const char *group)
{
	return ovf_compose_machine_filename(vb, name, group, NULL);
}

static bool location_taken(struct vbox *vb, const char *path)
{
	struct mediareg_entry e;
	struct machine *loaded = NULL;
	struct vb_error e2 = { 0 };
	enum mediareg_kind k;

	if (path_exists(path))
		return true;
	for (k = MR_HDD; k <= MR_FLOPPY; k++) {
		if (!mediareg_find(vb, NULL, k, path, &e, &loaded, &e2)) {
			mediareg_entry_release(&e);
			machine_free(loaded);
			return true;
		}
		machine_free(loaded);
		loaded = NULL;
	}
	return false;
}

/* i_ensureUniqueImageFilePath: folder/name, with "_<n>" before the
 * suffix until neither a file nor a registered medium has the path. */
static char *unique_image_path(struct vbox *vb, const char *folder,
			       const char *name)
{
	const char *ext = path_ext(name);
	size_t stem = ext ? (size_t)(ext - name) : strlen(name);
	char *path = vb_asprintf("%s/%s", folder, name);
	unsigned i;

	for (i = 1; path && location_taken(vb, path) && i < 100000; i++) {
		free(path);
		path = vb_asprintf("%s/%.*s_%u%s", folder, (int)stem, name, i,
				   ext ? ext : "");
	}
	return path;
}

/* An href names a file next to the descriptor: no directories that could
 * lead elsewhere. */
static bool href_safe(const char *h)
{
	const char *p;

	if (!*h || *h == '/' || strchr(h, '\\'))
		return false;
	for (p = h; p; p = strchr(p, '/')) {
		if (*p == '/')
			p++;
		if (!strncmp(p, "..", 2) && (p[2] == '/' || !p[2]))
			return false;
	}
	return true;
}

/* What the <vbox:Machine> config says, read through the machine model. */
struct vmcfg {
	struct machine *m;
	char *name, *ostype, *group;
	uint32_t cpus, memory_mb;
};

static void vmcfg_release(struct vmcfg *c)
{
	machine_free(c->m);
	free(c->name);
	free(c->ostype);
	free(c->group);
}

static int vmcfg_load(struct interp *in, const struct ovf_system *s,
		      struct vmcfg *c)
{
	char *folder = vbox_machine_folder(in->vb), *path, *groups;
	const char *v;
	int rc;

	memset(c, 0, sizeof(*c));
	path = folder ? vb_asprintf("%s/.ovf-import.vbox", folder) : NULL;
	free(folder);
	if (!path)
		return oom(in->err);
	rc = machine_load_mem(in->vb, s->machine_xml, strlen(s->machine_xml),
			      path, &c->m, in->err);
	free(path);
	if (rc)
		return rc;
	v = snode_attr(sdoc_top(machine_doc(c->m)), "name");
	c->name = strdup(v ? v : "");
	v = snode_attr(sdoc_top(machine_doc(c->m)), "OSType");
	c->ostype = strdup(v ? v : "");
	groups = hwm_groups(c->m);
	if (groups) {
		char *comma = strchr(groups, ',');

		if (comma)
			*comma = '\0';
	}
	c->group = groups;
	c->cpus = hwm_get_u32(c->m, HWM_CPU_COUNT);
	c->memory_mb = hwm_get_u32(c->m, HWM_MEMORY);
	if (!c->name || !c->ostype || !c->group)
		return oom(in->err);
	return 0;
}

static bool vm_has_device(struct machine *m, const char *type)
{
	struct hwm_ctl c;
	struct hwm_att_dev a;
	unsigned i, port, dev;

	for (i = 0; hwm_ctl_at(m, i, &c); i++)
		for (port = 0; port < c.ports && port < 256; port++)
			for (dev = 0; dev < c.max_devices && dev < 4; dev++)
				if (hwm_attached(&c, port, dev, &a) &&
				    !strcmp(a.type, type))
					return true;
	return false;
}

#define ADD(t, r, o, v, sz, x) \
	do { \
		if (vsd_add(d, t, r, o, v, sz, x)) \
			return oom(in->err); \
	} while (0)

__attribute__((format(printf, 2, 3)))
static void warn(struct interp *in, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sb_vaddf(in->warn, fmt, ap);
	va_end(ap);
	sb_addc(in->warn, '\n');
}

static int interpret_nics(struct interp *in, const struct ovf_system *s,
			  struct vmcfg *cfg, const struct ostype *ot,
			  struct vsd *d)
{
	char buf[96], num[16];
	unsigned i, max;

	if (cfg->m) {
		max = hwm_nic_count(cfg->m);
		for (i = 0; i < max; i++) {
			const char *mode;

			if (!hwm_nic_bool(cfg->m, i, HWN_ENABLED))
				continue;
			mode = ovf_attachment_name(
				hwm_att_element(hwm_nic_attachment(cfg->m, i)));
			snprintf(num, sizeof(num), "%u", ovf_nic_type_value(
					 hwm_nic_str(cfg->m, i, HWN_TYPE)));
			snprintf(buf, sizeof(buf), "slot=%u;type=%s", i, mode);
			ADD(VSD_NIC, "", mode, num, 0, buf);
		}
		return 0;
	}
	if (s->n_nics > 8)
		warn(in, "Virtual appliance \"%s\" was configured with %u network adapters however VirtualBox supports a maximum of %u network adapters.",
		     s->name ? s->name : "", s->n_nics, 8);
	for (i = 0; i < s->n_nics && i < 8; i++) {
		const struct ovf_nic *n = &s->nics[i];
		static const char *const known[] = { "Null", "NAT", "Bridged",
			"Internal", "HostOnly", "Generic" };
		unsigned def = ot ? ovf_nic_type_value(ot->nic) : 0, type;
		const char *net = "Bridged";
		size_t k;

		if (!def)
			def = 3;        /* 82540EM */
		for (k = 0; k < VB_ARRAY_SIZE(known); k++)
			if (!strcasecmp(n->connection, known[k]))
				net = n->connection;
		type = def;
		if (!strcasecmp(n->subtype, "PCNet32")) {
			if (def != 1 && def != 2)
				type = 1;
		} else if (!strcasecmp(n->subtype, "E10000")) {
			type = 5;
		} else if (!strcasecmp(n->subtype, "E1000")) {
			if (s->vs_type && strcasestr(s->vs_type, "virtualbox")) {
				if (def != 3 && def != 4 && def != 5)
					type = 3;
			} else {
				type = 5;
			}
		} else if (!strcasecmp(n->subtype, "VirtioNet") ||
			   !strcasecmp(n->subtype, "virtio-net") ||
			   !strcmp(n->subtype, "3")) {
			type = 6;
		}
		snprintf(num, sizeof(num), "%u", type);
		snprintf(buf, sizeof(buf), "type=%s", net);
		ADD(VSD_NIC, "", n->connection, num, 0, buf);
	}
	return 0;
}

static int interpret_storage(struct interp *in, const struct ovf_envelope *e,
			     const struct ovf_system *s, const char *folder,
			     struct vsd *d)
{
	unsigned ide = 0, sata = 0, scsi = 0, virtio = 0, nvme = 0, i;
	const char *sname = s->name ? s->name : "";
	int *ctl_index;

	ctl_index = calloc(s->n_ctls ? s->n_ctls : 1, sizeof(*ctl_index));
	if (!ctl_index)
		return oom(in->err);
	for (i = 0; i < s->n_ctls; i++) {
		const struct ovf_controller *c = &s->ctls[i];
		enum vsd_type t = VSD_IGNORE;
		const char *v = NULL;

		ctl_index[i] = -1;
		switch (c->kind) {
		case OVF_CTL_IDE:
			if (ide < 4) {
				t = VSD_HDC_IDE;
				v = "PIIX4";
				if (!strcasecmp(c->subtype, "PIIX3"))
					v = "PIIX3";
				else if (!strcasecmp(c->subtype, "ICH6"))
					v = "ICH6";
			} else if (ide == 4) {
				warn(in, "Virtual appliance \"%s\" was configured with more than two IDE controllers however VirtualBox supports a maximum of two IDE controllers.",
				     sname);
			}
			ide++;
			break;
		case OVF_CTL_SATA:
			if (sata < 1) {
				t = VSD_HDC_SATA;
				v = "AHCI";
			} else if (sata == 1) {
				warn(in, "Virtual appliance \"%s\" was configured with more than one SATA controller however VirtualBox supports a maximum of one SATA controller.",
				     sname);
			}
			sata++;
			break;
		case OVF_CTL_SCSI:
			if (scsi < 1) {
				t = VSD_HDC_SCSI;
				v = "LsiLogic";
				if (!strcasecmp(c->subtype, "lsilogicsas")) {
					t = VSD_HDC_SAS;
					v = "LsiLogicSas";
				} else if (!strcasecmp(c->subtype, "BusLogic")) {
					v = "BusLogic";
				}
			} else {
				warn(in, "Virtual appliance \"%s\" was configured with more than one SCSI controller of type \"%s\" with ID %s however VirtualBox supports a maximum of one SCSI controller for each type.",
				     sname, c->subtype, c->id);
			}
			scsi++;
			break;
		case OVF_CTL_VIRTIOSCSI:
			if (virtio < 1) {
				t = VSD_HDC_VIRTIOSCSI;
				v = "VirtioSCSI";
			} else if (virtio == 1) {
				warn(in, "Virtual appliance \"%s\" was configured with more than one VirtioSCSI controller however VirtualBox supports a maximum of one VirtioSCSI controller.",
				     sname);
			}
			virtio++;
			break;
		case OVF_CTL_NVME:
			if (nvme < 1) {
				t = VSD_HDC_NVME;
				v = "NVMe";
			} else if (nvme == 1) {
				warn(in, "Virtual appliance \"%s\" was configured with more than one NVMe controller however VirtualBox supports a maximum of one NVMe controller.",
				     sname);
			}
			nvme++;
			break;
		}
		if (t == VSD_IGNORE)
			continue;
		ctl_index[i] = (int)d->n;
		if (vsd_add(d, t, c->id, c->subtype, v, 0, NULL)) {
			free(ctl_index);
			return oom(in->err);
		}
	}

	for (i = 0; i < s->n_vdisks; i++) {
		const struct ovf_vdisk *vd = &s->vdisks[i];
		const struct ovf_disk *di = ovf_find_disk(e, vd->disk_id);
		const char *fmt;
		char *fname = NULL, *target = NULL, *extra = NULL;
		int ci = -1;
		unsigned k;

		if (!di)
			continue;
		fmt = ovf_disk_format(di);
		if (!fmt || (strcmp(fmt, "VMDK") && strcmp(fmt, "RAW"))) {
			free(ctl_index);
			return vb_err(in->err, EINVAL, VBOX_E_FILE_ERROR,
				      "Unsupported format for virtual disk image %s in OVF: \"%s\"",
				      di->href ? di->href : "", di->format);
		}
		if (di->href && !href_safe(di->href)) {
			free(ctl_index);
			return vb_err(in->err, EINVAL, VBOX_E_FILE_ERROR,
				      "Invalid file reference '%s' in the OVF: files of an appliance must lie next to its descriptor",
				      di->href);
		}
		if (di->href && *di->href)
			fname = strdup(path_basename(di->href));
		else
			fname = vb_asprintf("%s.%s", di->id,
					    strcmp(fmt, "RAW") ? "vmdk" : "iso");
		if (fname && di->compression &&
		    !strcasecmp(di->compression, "gzip")) {
			char *dot = strrchr(fname, '.');

			if (dot)
				*dot = '\0';
		}
		if (fname)
			target = unique_image_path(in->vb, folder, fname);
		free(fname);
		for (k = 0; k < s->n_ctls; k++)
			if (!strcmp(s->ctls[k].id, vd->ctl_id))
				ci = ctl_index[k];
		if (ci < 0) {
			free(target);
			free(ctl_index);
			return vb_err(in->err, EINVAL, VB_E_FAIL,
				      "Cannot find storage controller with OVF instance ID \"%s\" to which medium \"%s\" should be attached",
				      vd->ctl_id, di->href ? di->href : "");
		}
		extra = vb_asprintf("controller=%d;channel=%u", ci, vd->address);
		if (!target || !extra ||
		    vsd_add(d, VSD_HD_IMAGE, di->id, di->href ? di->href : "",
			    target, di->suggested_mb, extra)) {
			free(target);
			free(extra);
			free(ctl_index);
			return oom(in->err);
		}
		free(target);
		free(extra);
	}
	free(ctl_index);
	return 0;
}

static int interpret_one(struct interp *in, const struct ovf_envelope *e,
			 const struct ovf_system *s, struct vsd *d)
{
	struct vmcfg cfg = { 0 };
	const struct ostype *ot;
	const char *ostype, *sname = s->name ? s->name : "";
	char num[32], *name = NULL, *sfile = NULL, *folder = NULL;
	char *basefolder = NULL, cim[16];
	const char *group;
	uint32_t cpus;
	uint64_t mem;
	bool dvd, floppy;
	int rc;

	if (s->machine_xml) {
		rc = vmcfg_load(in, s, &cfg);
		if (rc)
			goto out;
	}

	/* OS type: the machine's, vbox:OSType, or a guess from the CIM id */
	if (cfg.m && *cfg.ostype)
		ostype = cfg.ostype;
	else if (s->vbox_ostype && *s->vbox_ostype)
		ostype = s->vbox_ostype;
	else
		ostype = ovf_cim_to_ostype(s->cimos, s->cimos_desc);
	snprintf(cim, sizeof(cim), "%u", s->cimos);
	rc = -ENOMEM;
	if (vsd_add(d, VSD_OS, "", cim, ostype, 0, NULL))
		goto nomem;

	name = unique_vm_name(in->vb, cfg.m && *cfg.name ? cfg.name :
				       *sname ? sname : ostype);
	if (!name || vsd_add(d, VSD_NAME, "", sname, name, 0, NULL))
		goto nomem;
	group = cfg.m && cfg.group && *cfg.group ? cfg.group : "/";
	if (vsd_add(d, VSD_PRIMARY_GROUP, "", "", group, 0, NULL))
		goto nomem;
	sfile = settings_file(in->vb, name, group);
	basefolder = vbox_machine_folder(in->vb);
	if (!sfile || !basefolder ||
	    vsd_add(d, VSD_SETTINGS_FILE, "", "", sfile, 0, NULL) ||
	    vsd_add(d, VSD_BASE_FOLDER, "", "", basefolder, 0, NULL))
		goto nomem;
	folder = path_dirname(sfile);
	if (!folder)
		goto nomem;

	if ((s->product && *s->product &&
	     vsd_add(d, VSD_PRODUCT, "", s->product, s->product, 0, NULL)) ||
	    (s->vendor && *s->vendor &&
	     vsd_add(d, VSD_VENDOR, "", s->vendor, s->vendor, 0, NULL)) ||
	    (s->version && *s->version &&
	     vsd_add(d, VSD_VERSION, "", s->version, s->version, 0, NULL)) ||
	    (s->product_url && *s->product_url &&
	     vsd_add(d, VSD_PRODUCT_URL, "", s->product_url, s->product_url,
		     0, NULL)) ||
	    (s->vendor_url && *s->vendor_url &&
	     vsd_add(d, VSD_VENDOR_URL, "", s->vendor_url, s->vendor_url, 0,
		     NULL)) ||
	    (s->description && *s->description &&
	     vsd_add(d, VSD_DESCRIPTION, "", s->description, s->description,
		     0, NULL)) ||
	    (s->license && *s->license &&
	     vsd_add(d, VSD_LICENSE, "", s->license, s->license, 0, NULL)))
		goto nomem;

	ot = ostype_find(ostype);

	cpus = cfg.m && cfg.cpus ? cfg.cpus : s->cpus;
	if (cpus > MAX_CPUS) {
		warn(in, "Virtual appliance \"%s\" was configured with %u CPUs however VirtualBox supports a maximum of %u CPUs. Setting the CPU count to %u.",
		     sname, cpus, MAX_CPUS, MAX_CPUS);
		cpus = MAX_CPUS;
	}
	if (s->cpus == 0)
		cpus = 1;
	snprintf(num, sizeof(num), "%u", cpus);
	{
		char o[16];

		snprintf(o, sizeof(o), "%u", s->cpus);
		if (vsd_add(d, VSD_CPU, "", o, num, 0, NULL))
			goto nomem;
	}

	mem = cfg.m && cfg.memory_mb ? (uint64_t)cfg.memory_mb << 20
				     : s->memory;
	if (mem && (mem < (RAM_MIN_MB << 20) || mem > (RAM_MAX_MB << 20))) {
		warn(in, "Virtual appliance \"%s\" was configured with %llu MB of memory (RAM) however VirtualBox supports a minimum of %u MB and a maximum of %u MB of memory.",
		     sname, (unsigned long long)(mem >> 20),
		     (unsigned)RAM_MIN_MB, (unsigned)RAM_MAX_MB);
		mem = mem < (RAM_MIN_MB << 20) ? RAM_MIN_MB << 20
					       : RAM_MAX_MB << 20;
	}
	if (s->memory == 0)
		mem = (uint64_t)(ot && ot->ram_mb ? ot->ram_mb : 1024) << 20;
	{
		char o[32];

		snprintf(o, sizeof(o), "%llu", (unsigned long long)s->memory);
		snprintf(num, sizeof(num), "%llu", (unsigned long long)mem);
		if (vsd_add(d, VSD_MEMORY, "", o, num, 0, NULL))
			goto nomem;
	}

	if (cfg.m) {
		struct hwm_sharedfolder sf;
		struct hwm_port port;
		unsigned k;

		for (k = 0; k < HWM_UARTS; k++) {
			hwm_uart_get(cfg.m, k, &port);
			if (port.enabled && !strcmp(port.mode, "RawFile")) {
				warn(in, "Virtual appliance \"%s\" was configured with serial port(s) with \"raw file\" mode. This setting will not be imported.",
				     sname);
				break;
			}
		}
		if (hwm_sharedfolder_at(cfg.m, 0, &sf))
			warn(in, "Virtual appliance \"%s\" was configured with machine shared folder(s) This setting will not be imported.",
			     sname);
	}

	/* sound */
	if (cfg.m && hwm_get_bool(cfg.m, HWM_AUDIO_ENABLED)) {
		const char *ctl = hwm_get_str(cfg.m, HWM_AUDIO_CTL);
		const char *v = !strcmp(ctl, "SB16") ? "1" :
				!strcmp(ctl, "HDA") ? "2" : "0";

		if (vsd_add(d, VSD_SOUND, "", "", v, 0, NULL))
			goto nomem;
	} else if (!cfg.m && s->sound && *s->sound) {
		if (vsd_add(d, VSD_SOUND, "", s->sound, "0", 0, NULL))
			goto nomem;
	}
	/* USB */
	if ((cfg.m && (hwm_usb_count(cfg.m, "OHCI") ||
		       hwm_usb_count(cfg.m, "EHCI") ||
		       hwm_usb_count(cfg.m, "XHCI"))) ||
	    (!cfg.m && s->usb)) {
		if (vsd_add(d, VSD_USB, "", "", "", 0, NULL))
			goto nomem;
	}
	rc = interpret_nics(in, s, &cfg, ot, d);
	if (rc)
		goto out;

	if (cfg.m) {
		dvd = vm_has_device(cfg.m, "DVD");
		floppy = vm_has_device(cfg.m, "Floppy");
	} else {
		dvd = s->cdrom;
		floppy = s->floppy;
	}
	if ((floppy && vsd_add(d, VSD_FLOPPY, "", "", "", 0, NULL)) ||
	    (dvd && vsd_add(d, VSD_CDROM, "", "", "", 0, NULL)))
		goto nomem;

	rc = interpret_storage(in, e, s, folder, d);
	goto out;
nomem:
	rc = oom(in->err);
out:
	d->machine = NULL;
	vmcfg_release(&cfg);
	free(name);
	free(sfile);
	free(folder);
	free(basefolder);
	return rc;
}

int ovf_interpret(struct vbox *vb, const struct ovf_envelope *e,
		  struct vsd *vsds, struct strbuf *warnings,
		  struct vb_error *err)
{
	struct interp in = { vb, err, warnings };
	unsigned i;
	int rc;

	for (i = 0; i < e->n_systems; i++) {
		memset(&vsds[i], 0, sizeof(vsds[i]));
		rc = interpret_one(&in, e, &e->systems[i], &vsds[i]);
		if (rc) {
			vsd_release(&vsds[i]);
			while (i-- > 0)
				vsd_release(&vsds[i]);
			return rc;
		}
	}
	return 0;
}
