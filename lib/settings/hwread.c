/*
 * Machine configuration model, read side of collections other commands
 * own: storage controllers and attachments, shared folders, bandwidth
 * groups, guest properties, the snapshot tree.
 *
 * Spec: settings-format.md 7.4, 7.13-7.15.  Port limits per bus are those
 * of VirtualBox's ISystemProperties (IDE 2, SATA 30, SCSI 16, SAS 255,
 * floppy 1, USB 8, NVMe 255, virtio-SCSI 256).
 */
#include <stdlib.h>
#include <string.h>

#include "lib/settings/hwmodel.h"
#include "lib/util/strbuf.h"

struct ctl_kind {
	const char *type;
	const char *api;
	uint32_t max_ports;
	uint32_t max_devices;
};

static const struct ctl_kind ctl_kinds[] = {
	{ "PIIX3", "PIIX3", 2, 2 },
	{ "PIIX4", "PIIX4", 2, 2 },
	{ "ICH6", "ICH6", 2, 2 },
	{ "AHCI", "IntelAhci", 30, 1 },
	{ "LsiLogic", "LsiLogic", 16, 1 },
	{ "BusLogic", "BusLogic", 16, 1 },
	{ "LsiLogicSas", "LsiLogicSas", 255, 1 },
	{ "I82078", "I82078", 1, 2 },
	{ "USB", "USB", 8, 1 },
	{ "NVMe", "NVMe", 255, 1 },
	{ "VirtioSCSI", "VirtioSCSI", 256, 1 },
};

bool hwm_ctl_at(struct machine *m, unsigned i, struct hwm_ctl *out)
{
	struct snode *c = snode_child(machine_elem(m, ME_STORAGE, false),
				      "StorageController");
	const char *t;
	size_t k;

	for (; c && i; c = snode_next(c, "StorageController"))
		i--;
	if (!c)
		return false;
	memset(out, 0, sizeof(*out));
	out->node = c;
	out->name = snode_attr(c, "name") ? snode_attr(c, "name") : "";
	t = snode_attr(c, "type") ? snode_attr(c, "type") : "";
	out->type = t;
	out->api_type = "unknown";
	out->max_ports = 1;
	out->max_devices = 1;
	for (k = 0; k < sizeof(ctl_kinds) / sizeof(ctl_kinds[0]); k++)
		if (!strcmp(ctl_kinds[k].type, t)) {
			out->api_type = ctl_kinds[k].api;
			out->max_ports = ctl_kinds[k].max_ports;
			out->max_devices = ctl_kinds[k].max_devices;
		}
	out->instance = snode_u32(c, "Instance", 0);
	out->ports = snode_u32(c, "PortCount", 0);
	if (out->ports > out->max_ports)
		out->ports = out->max_ports;
	out->bootable = snode_bool(c, "Bootable", true);
	out->hotplug_default = !strcmp(t, "AHCI") &&
			       sdoc_version(machine_doc(m)) < 15;
	return true;
}

bool hwm_attached(const struct hwm_ctl *c, uint32_t port, uint32_t device,
		  struct hwm_att_dev *out)
{
	struct snode *a, *img;
	const char *u;

	for (a = snode_child(c->node, "AttachedDevice"); a;
	     a = snode_next(a, "AttachedDevice"))
		if (snode_u32(a, "port", 0) == port &&
		    snode_u32(a, "device", 0) == device)
			break;
	if (!a)
		return false;
	memset(out, 0, sizeof(*out));
	out->type = snode_attr(a, "type") ? snode_attr(a, "type") : "";
	out->port = port;
	out->device = device;
	out->passthrough = snode_bool(a, "passthrough", false);
	out->tempeject = snode_bool(a, "tempeject", false);
	out->hotplug = snode_bool(a, "hotpluggable", c->hotplug_default);
	out->nonrotational = snode_bool(a, "nonrotational", false);
	out->discard = snode_bool(a, "discard", false);
	img = snode_child(a, "Image");
	u = snode_attr(img, "uuid");
	if (u && !vb_uuid_parse(u, &out->image))
		out->has_image = true;
	out->host_drive = snode_attr(snode_child(a, "HostDrive"), "src");
	return true;
}

bool hwm_sharedfolder_at(struct machine *m, unsigned i,
			 struct hwm_sharedfolder *out)
{
	struct snode *f = snode_child(machine_elem(m, ME_SHAREDFOLDERS, false),
				      "SharedFolder");

	for (; f && i; f = snode_next(f, "SharedFolder"))
		i--;
	if (!f)
		return false;
	out->name = snode_attr(f, "name") ? snode_attr(f, "name") : "";
	out->host_path = snode_attr(f, "hostPath") ? snode_attr(f, "hostPath")
						   : "";
	out->auto_mount_point = snode_attr(f, "autoMountPoint") ?
				snode_attr(f, "autoMountPoint") : "";
	out->writable = snode_bool(f, "writable", true);
	out->auto_mount = snode_bool(f, "autoMount", false);
	return true;
}

static struct snode *bwgroup_first(struct machine *m)
{
	return snode_path(machine_elem(m, ME_IO, false),
			  "BandwidthGroups/BandwidthGroup");
}

bool hwm_bwgroup_at(struct machine *m, unsigned i, struct hwm_bwgroup *out)
{
	struct snode *g = bwgroup_first(m);

	for (; g && i; g = snode_next(g, "BandwidthGroup"))
		i--;
	if (!g)
		return false;
	out->name = snode_attr(g, "name") ? snode_attr(g, "name") : "";
	out->type = snode_attr(g, "type") ? snode_attr(g, "type") : "Disk";
	if (snode_attr(g, "maxBytesPerSec"))
		out->max_bytes = snode_u64(g, "maxBytesPerSec", 0);
	else
		out->max_bytes = snode_u64(g, "maxMbPerSec", 0) * 1024 * 1024;
	return true;
}

bool hwm_bwgroup_exists(struct machine *m, const char *name)
{
	struct snode *g;

	for (g = bwgroup_first(m); g; g = snode_next(g, "BandwidthGroup"))
		if (vb_streq(snode_attr(g, "name"), name))
			return true;
	return false;
}

bool hwm_guestprop_at(struct machine *m, unsigned i,
		      struct hwm_guestprop *out)
{
	struct snode *p = snode_child(machine_elem(m, ME_GUESTPROPS, false),
				      "GuestProperty");

	for (; p && i; p = snode_next(p, "GuestProperty"))
		i--;
	if (!p)
		return false;
	out->name = snode_attr(p, "name") ? snode_attr(p, "name") : "";
	out->value = snode_attr(p, "value") ? snode_attr(p, "value") : "";
	out->flags = snode_attr(p, "flags") ? snode_attr(p, "flags") : "";
	out->timestamp = snode_u64(p, "timestamp", 0);
	return true;
}

struct snode *hwm_snapshot_root(struct machine *m)
{
	return snode_child(machine_elem(m, ME_MACHINE, false), "Snapshot");
}

struct snode *hwm_snapshot_child(struct snode *snap, unsigned i)
{
	struct snode *c = snode_path(snap, "Snapshots/Snapshot");

	for (; c && i; c = snode_next(c, "Snapshot"))
		i--;
	return c;
}

const char *hwm_snapshot_name(struct snode *snap)
{
	return snode_attr(snap, "name") ? snode_attr(snap, "name") : "";
}

const char *hwm_snapshot_uuid(struct snode *snap)
{
	return snode_attr(snap, "uuid") ? snode_attr(snap, "uuid") : "";
}

char *hwm_snapshot_description(struct snode *snap)
{
	struct snode *d = snode_child(snap, "Description");
	char *t = d ? snode_text(d) : NULL;

	return t ? t : strdup("");
}

bool hwm_snapshot_is_current(struct machine *m, struct snode *snap)
{
	const char *cur = snode_attr(machine_elem(m, ME_MACHINE, false),
				     "currentSnapshot");
	struct vb_uuid a, b;

	return cur && !vb_uuid_parse(cur, &a) &&
	       !vb_uuid_parse(hwm_snapshot_uuid(snap), &b) &&
	       vb_uuid_eq(&a, &b);
}
