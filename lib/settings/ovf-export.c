/*
 * Machine::exportTo(): the virtual system description of a machine that
 * is being exported, in VirtualBox's entry order (OS type, name,
 * description, CPUs, memory, the first controller of each bus -- IDE as
 * two OVF controllers --, the attachments, network adapters, USB, sound).
 *
 * Attachments map to OVF as VirtualBox maps them: IDE port/device to the
 * primary or secondary controller and channel 0/1, other buses to their
 * one controller with channel = port.  Only attachments with a medium are
 * listed; DVD images only when they are ISO files that can be read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/settings/hwmodel.h"
#include "lib/settings/mediareg.h"
#include "lib/settings/ovf.h"
#include "lib/util/path.h"

enum bus { B_NONE, B_IDE, B_SATA, B_SCSI, B_SAS, B_VIRTIO, B_NVME,
	   B_FLOPPY };

static enum bus bus_of(const char *type)
{
	static const struct { const char *type; enum bus bus; } map[] = {
		{ "PIIX3", B_IDE }, { "PIIX4", B_IDE }, { "ICH6", B_IDE },
		{ "AHCI", B_SATA }, { "LsiLogic", B_SCSI },
		{ "BusLogic", B_SCSI }, { "LsiLogicSas", B_SAS },
		{ "VirtioSCSI", B_VIRTIO }, { "NVMe", B_NVME },
		{ "I82078", B_FLOPPY },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i].type, type))
			return map[i].bus;
	return B_NONE;
}

struct exp {
	struct vbox *vb;
	struct machine *m;
	struct vsd *d;
	struct vb_error *err;
	int idx[B_FLOPPY + 1];      /* VSD index of each bus' controller */
	struct snode *first[B_FLOPPY + 1];
	char *base;                 /* OVF file name without extension */
	unsigned *counter;
};

static int oom(struct vb_error *err)
{
	return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
}

static int add_controllers(struct exp *x)
{
	struct snode *sc;
	char ref[16];
	enum bus b;

	for (sc = snode_child(machine_elem(x->m, ME_STORAGE, false),
			      "StorageController");
	     sc; sc = snode_next(sc, "StorageController")) {
		const char *t = snode_attr(sc, "type");

		b = bus_of(t ? t : "");
		if (b != B_NONE && !x->first[b])
			x->first[b] = sc;
	}
	if (x->first[B_IDE]) {
		const char *t = snode_attr(x->first[B_IDE], "type");

		x->idx[B_IDE] = (int)x->d->n;
		snprintf(ref, sizeof(ref), "%u", x->d->n);
		if (vsd_add(x->d, VSD_HDC_IDE, ref, t, t, 0, NULL))
			return oom(x->err);
		snprintf(ref, sizeof(ref), "%u", x->d->n);
		if (vsd_add(x->d, VSD_HDC_IDE, ref, t, t, 0, NULL))
			return oom(x->err);
	}
	if (x->first[B_SATA]) {
		x->idx[B_SATA] = (int)x->d->n;
		snprintf(ref, sizeof(ref), "%u", x->d->n);
		if (vsd_add(x->d, VSD_HDC_SATA, ref, "AHCI", "AHCI", 0, NULL))
			return oom(x->err);
	}
	if (x->first[B_SCSI]) {
		const char *t = snode_attr(x->first[B_SCSI], "type");

		t = t && !strcmp(t, "BusLogic") ? "BusLogic" : "LsiLogic";
		x->idx[B_SCSI] = (int)x->d->n;
		snprintf(ref, sizeof(ref), "%u", x->d->n);
		if (vsd_add(x->d, VSD_HDC_SCSI, ref, t, t, 0, NULL))
			return oom(x->err);
	}
	if (x->first[B_SAS]) {
		x->idx[B_SAS] = (int)x->d->n;
		x->idx[B_SCSI] = x->idx[B_SAS];
		snprintf(ref, sizeof(ref), "%u", x->d->n);
		if (vsd_add(x->d, VSD_HDC_SAS, ref, "LsiLogicSas",
			    "LsiLogicSas", 0, NULL))
			return oom(x->err);
	}
	if (x->first[B_VIRTIO]) {
		x->idx[B_VIRTIO] = (int)x->d->n;
		snprintf(ref, sizeof(ref), "%u", x->d->n);
		if (vsd_add(x->d, VSD_HDC_VIRTIOSCSI, ref, "VirtioSCSI",
			    "VirtioSCSI", 0, NULL))
			return oom(x->err);
	}
	if (x->first[B_NVME]) {
		x->idx[B_NVME] = (int)x->d->n;
		snprintf(ref, sizeof(ref), "%u", x->d->n);
		if (vsd_add(x->d, VSD_HDC_NVME, ref, "NVMe", "NVMe", 0, NULL))
			return oom(x->err);
	}
	return 0;
}

static int add_attachment(struct exp *x, struct snode *sc, struct snode *ad)
{
	const char *type = snode_attr(ad, "type"), *ctype = snode_attr(sc, "type");
	struct snode *img = snode_child(ad, "Image");
	uint32_t port = snode_u32(ad, "port", 0), dev = snode_u32(ad, "device", 0);
	enum bus b = bus_of(ctype ? ctype : "");
	struct mediareg_entry e;
	struct machine *loaded = NULL;
	enum vsd_type vt;
	enum mediareg_kind kind;
	int ctl = 0, ch = 0, rc = 0;
	char extra[64], *name = NULL;
	const char *u;
	uint64_t size = 0;

	if (!type || !img || !(u = snode_attr(img, "uuid")))
		return 0;               /* empty drives are skipped */
	if (!strcmp(type, "HardDisk")) {
		vt = VSD_HD_IMAGE;
		kind = MR_HDD;
	} else if (!strcmp(type, "DVD")) {
		vt = VSD_CDROM;
		kind = MR_DVD;
	} else if (!strcmp(type, "Floppy")) {
		vt = VSD_FLOPPY;
		kind = MR_FLOPPY;
	} else {
		return 0;
	}
	switch (b) {
	case B_IDE:
		if (port > 1 || dev > 1)
			return vb_err(x->err, EINVAL, VBOX_E_NOT_SUPPORTED,
				      "Cannot handle medium attachment: channel is %u, device is %u",
				      port, dev);
		ctl = x->idx[B_IDE] + (int)port;
		ch = (int)dev;
		break;
	case B_SATA: case B_SCSI: case B_SAS: case B_VIRTIO: case B_NVME:
		/* only the first controller of a bus is exported */
		if (sc != x->first[b] && !(b == B_SCSI || b == B_SAS))
			return 0;
		ctl = x->idx[b];
		ch = (int)port;
		break;
	case B_FLOPPY:
		break;
	default:
		return vb_err(x->err, EINVAL, VBOX_E_NOT_SUPPORTED,
			      "Cannot handle medium attachment: storageBus is %s, channel is %u, device is %u",
			      ctype ? ctype : "", port, dev);
	}
	snprintf(extra, sizeof(extra), "controller=%d;channel=%d", ctl, ch);
	if (vt == VSD_FLOPPY)
		return vsd_add(x->d, VSD_FLOPPY, "", "", "", 1, extra) ?
			       oom(x->err) : 0;
	if (mediareg_find(x->vb, x->m, kind, u, &e, &loaded, x->err))
		return vt == VSD_CDROM ? 0 : -ENOENT;   /* host drive */
	if (vt == VSD_CDROM) {
		const char *ext = path_ext(e.location);

		if (!ext || strcasecmp(ext, ".iso") ||
		    !path_is_file(e.location))
			goto out;
	}
	name = vb_asprintf("%s-disk%03u.%s", x->base, ++*x->counter,
			   vt == VSD_CDROM ? "iso" : "vmdk");
	if (!name) {
		rc = oom(x->err);
		goto out;
	}
	if (strlen(name) > 99) {
		rc = vb_err(x->err, ENAMETOOLONG, VBOX_E_NOT_SUPPORTED,
			    "Cannot attach %s '%s' -- file name too long",
			    vt == VSD_CDROM ? "image" : "disk", name);
		goto out;
	}
	if (vsd_add(x->d, vt, name, name, e.location,
		    (uint32_t)(size >> 20), extra)) {
		rc = oom(x->err);
		goto out;
	}
	x->d->e[x->d->n - 1].medium = e.uuid;
out:
	free(name);
	mediareg_entry_release(&e);
	machine_free(loaded);
	return rc;
}

int ovf_vsd_from_machine(struct vbox *vb, struct machine *m,
			 const char *ovf_path, unsigned *disk_counter,
			 struct vsd *out, struct vb_error *err)
{
	struct exp x = { vb, m, out, err, { 0 }, { 0 }, NULL, disk_counter };
	struct snode *top = sdoc_top(machine_doc(m)), *sc, *ad;
	const char *os = snode_attr(top, "OSType");
	char num[32], *desc = NULL;
	unsigned i, n;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->machine = m;
	x.base = path_strip_ext(path_basename(ovf_path));
	desc = hwm_description(m);
	if (!x.base || !desc)
		goto nomem;
	if (!os)
		os = "Other";
	snprintf(num, sizeof(num), "%u",
		 ovf_ostype_to_cim(os, hwm_get_bool(m, HWM_LONG_MODE)));
	if (vsd_add(out, VSD_OS, "", num, os, 0, NULL) ||
	    vsd_add(out, VSD_NAME, "", machine_name(m), machine_name(m), 0,
		    NULL) ||
	    vsd_add(out, VSD_DESCRIPTION, "", desc, desc, 0, NULL))
		goto nomem;
	snprintf(num, sizeof(num), "%u", hwm_get_u32(m, HWM_CPU_COUNT));
	if (vsd_add(out, VSD_CPU, "", num, num, 0, NULL))
		goto nomem;
	snprintf(num, sizeof(num), "%llu",
		 (unsigned long long)hwm_get_u32(m, HWM_MEMORY) << 20);
	if (vsd_add(out, VSD_MEMORY, "", num, num, 0, NULL))
		goto nomem;
	rc = add_controllers(&x);
	for (sc = snode_child(machine_elem(m, ME_STORAGE, false),
			      "StorageController");
	     !rc && sc; sc = snode_next(sc, "StorageController"))
		for (ad = snode_child(sc, "AttachedDevice"); !rc && ad;
		     ad = snode_next(ad, "AttachedDevice"))
			rc = add_attachment(&x, sc, ad);
	if (rc)
		goto out;
	n = hwm_nic_count(m);
	for (i = 0; i < n; i++) {
		const char *mode;
		char extra[48];

		if (!hwm_nic_bool(m, i, HWN_ENABLED))
			continue;
		mode = ovf_attachment_name(
			hwm_att_element(hwm_nic_attachment(m, i)));
		snprintf(num, sizeof(num), "%u",
			 ovf_nic_type_value(hwm_nic_str(m, i, HWN_TYPE)));
		snprintf(extra, sizeof(extra), "type=%s", mode);
		if (vsd_add(out, VSD_NIC, "", mode, num, 0, extra))
			goto nomem;
	}
	if (hwm_usb_count(m, "OHCI") &&
	    vsd_add(out, VSD_USB, "", "", "", 0, NULL))
		goto nomem;
	if (hwm_get_bool(m, HWM_AUDIO_ENABLED)) {
		const char *ctl = hwm_get_str(m, HWM_AUDIO_CTL);

		if (vsd_add(out, VSD_SOUND, "", "ensoniq1371",
			    !strcmp(ctl, "SB16") ? "1" :
			    !strcmp(ctl, "HDA") ? "2" : "0", 0, NULL))
			goto nomem;
	}
	goto out;
nomem:
	rc = oom(err);
out:
	free(x.base);
	free(desc);
	if (rc)
		vsd_release(out);
	return rc;
}
