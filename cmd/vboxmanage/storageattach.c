/*
 * storageattach: attach a hard disk, an optical or a floppy drive (with a
 * medium, empty, or a host drive) to a controller slot, detach it, and
 * set the per-attachment flags.  A medium attached to a machine with its
 * own media registry (settings 1.11+) moves there from the global
 * registry, with its whole differencing tree, as VirtualBox does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cmd/vboxmanage/commands.h"
#include "cmd/vboxmanage/medium.h"
#include "cmd/vboxmanage/storage.h"
#include "lib/util/path.h"

#define SC_FILE "VBoxManageStorageController.cpp"

static int machine_error(struct vb_error *err, const char *context, int line)
{
	if (!err->component)
		vb_err_where(err, "SessionMachine", "IMachine", "nsISupports");
	return vbm_api_error(err, context, SC_FILE, line);
}

static struct snode *find_attachment(struct snode *sc, unsigned port,
				     unsigned dev)
{
	struct snode *ad;

	for (ad = snode_child(sc, "AttachedDevice"); ad;
	     ad = snode_next(ad, "AttachedDevice"))
		if (snode_u32(ad, "port", 0) == port &&
		    snode_u32(ad, "device", 0) == dev)
			return ad;
	return NULL;
}

/* An attachment of this medium anywhere in the machine's current state. */
static struct snode *find_medium_attachment(struct machine *m,
					    const struct vb_uuid *u)
{
	struct snode *scs = machine_elem(m, ME_STORAGE, false), *sc, *ad;

	for (sc = snode_child(scs, "StorageController"); sc;
	     sc = snode_next(sc, "StorageController"))
		for (ad = snode_child(sc, "AttachedDevice"); ad;
		     ad = snode_next(ad, "AttachedDevice")) {
			struct snode *img = snode_child(ad, "Image");
			struct vb_uuid x;

			if (img && !vb_uuid_parse(snode_attr(img, "uuid"), &x) &&
			    vb_uuid_eq(&x, u))
				return ad;
		}
	return NULL;
}

static const char *type_attr(int kind)
{
	return kind == MR_HDD ? "HardDisk" : kind == MR_DVD ? "DVD" : "Floppy";
}

static int kind_of_attachment(struct snode *ad)
{
	const char *t = snode_attr(ad, "type");

	if (!t)
		return -1;
	if (!strcmp(t, "HardDisk"))
		return MR_HDD;
	if (!strcmp(t, "DVD"))
		return MR_DVD;
	if (!strcmp(t, "Floppy"))
		return MR_FLOPPY;
	return -1;
}

/* A new <AttachedDevice> in VirtualBox's attribute order. */
static struct snode *new_attachment(struct machine *m, struct snode *sc,
				    int kind, unsigned port, unsigned dev)
{
	struct snode *ad = snode_add(sc, "AttachedDevice");

	if (!ad)
		return NULL;
	if (kind == MR_DVD)
		snode_set_attr(ad, "passthrough", "false");
	snode_set_attr(ad, "type", type_attr(kind));
	if (sdoc_version(machine_doc(m)) >= 15)
		snode_set_attr(ad, "hotpluggable", "false");
	snode_set_attrf(ad, "port", "%u", port);
	snode_set_attrf(ad, "device", "%u", dev);
	return ad;
}

static int set_image(struct snode *ad, const struct vb_uuid *u)
{
	struct snode *c;
	char ub[40];

	while ((c = snode_child(ad, "Image")))
		snode_remove(c);
	while ((c = snode_child(ad, "HostDrive")))
		snode_remove(c);
	if (!u)
		return 0;
	c = snode_add(ad, "Image");
	return c ? snode_set_attr(c, "uuid", vb_uuid_fmt_braced(u, ub)) : -ENOMEM;
}

/* ---- moving a medium tree into the machine's registry ---- */

/* Copy the tree rooted at item (from a registry whose locations are
 * relative to base) into m's registry, locations made relative to the
 * machine folder when inside it. */
static int copy_tree(struct machine *m, int kind, struct snode *item,
		     const char *base)
{
	const char *iname = mediareg_item_name(kind);
	struct snode *mreg, *list, *copy, *it;

	mreg = mediareg_for_machine(m, true);
	list = mreg ? snode_ensure(mreg, mediareg_list_name(kind)) : NULL;
	if (!list)
		return -ENOMEM;
	copy = mediareg_copy(item, list);
	if (!copy)
		return -ENOMEM;
	for (it = copy; it; ) {
		const char *loc = snode_attr(it, "location");
		char *abs = loc ? path_abs_from(base, loc) : NULL;
		char *rel = abs ? mediareg_location_for(machine_folder(m), abs)
				: NULL;

		if (rel)
			snode_set_attr(it, "location", rel);
		free(abs);
		free(rel);
		/* depth-first over the nested children */
		if (snode_child(it, iname)) {
			it = snode_child(it, iname);
			continue;
		}
		while (it != copy && !snode_next(it, iname))
			it = snode_parent(it);
		it = it == copy ? NULL : snode_next(it, iname);
	}
	return 0;
}

static int drop_from_global(void *arg, struct snode *item, struct snode *reg,
			    const char *base, struct vb_error *err)
{
	struct snode *list;

	if (!item)
		return 0;
	list = snode_parent(item);
	snode_remove(item);
	snode_prune_empty(list, reg ? snode_parent(reg) : NULL);
	return 0;
}

/* The base of a registered medium's tree (its own entry if a base). */
static int base_entry(struct vbm_ctx *ctx, const struct mediareg_entry *e,
		      struct vbm_medium *out, struct vb_error *err)
{
	struct vb_uuid pu = e->parent;
	bool parent = e->has_parent;
	unsigned depth = 0;
	char ub[40];

	memset(out, 0, sizeof(*out));
	if (!parent)
		return vbm_medium_lookup(ctx, vb_uuid_fmt(&e->uuid, ub), e->kind,
					 out, err);
	while (parent && depth++ < 300) {
		vbm_medium_release(out);
		if (vbm_medium_lookup(ctx, vb_uuid_fmt(&pu, ub), MR_HDD, out, err))
			return -ENOENT;
		parent = out->e.has_parent;
		pu = out->e.parent;
	}
	return 0;
}

/* ---- flags of an existing attachment ---- */

static int set_flag(struct snode *sc, const char *ctl, unsigned port,
		    unsigned dev, const char *opt, const char *val,
		    const char *attr, bool default_on_write)
{
	struct snode *ad = find_attachment(sc, port, dev);

	if (!ad) {
		vbm_error("Couldn't find the controller attachment for the controller '%s'\n",
			  ctl);
		return VBM_FAIL;
	}
	if (!strcasecmp(val, "on")) {
		snode_set_attr(ad, attr, "true");
	} else if (!strcasecmp(val, "off")) {
		if (default_on_write)
			snode_set_attr(ad, attr, "false");
		else
			snode_set_attr(ad, attr, NULL);
	} else {
		vbm_error("Invalid --%s argument '%s'", opt, val);
		return VBM_FAIL;
	}
	return VBM_OK;
}

static bool bandwidth_group_exists(struct machine *m, const char *name)
{
	struct snode *io = machine_elem(m, ME_IO, false);
	struct snode *bgs = io ? snode_child(io, "BandwidthGroups") : NULL;

	return bgs && snode_child_with(bgs, "BandwidthGroup", "name", name);
}

int cmd_storageattach(struct vbm_ctx *ctx, int argc, char **argv)
{
	static const struct vb_option opts[] = {
		{ "--storagectl", 's', VBGO_STRING },
		{ "--port", 'p', VBGO_U32 },
		{ "--device", 'd', VBGO_U32 },
		{ "--type", 't', VBGO_STRING },
		{ "--medium", 'm', VBGO_STRING },
		{ "--mtype", 'M', VBGO_STRING },
		{ "--passthrough", 'h', VBGO_STRING },
		{ "--tempeject", 'e', VBGO_STRING },
		{ "--nonrotational", 'n', VBGO_STRING },
		{ "--discard", 'u', VBGO_STRING },
		{ "--hotpluggable", 'o', VBGO_STRING },
		{ "--bandwidthgroup", 'b', VBGO_STRING },
		{ "--forceunmount", 'f', VBGO_NOVAL },
		{ "--comment", 'C', VBGO_STRING },
		{ "--setuuid", 'q', VBGO_STRING },
		{ "--setparentuuid", 'Q', VBGO_STRING },
		{ "--server", 'S', VBGO_STRING },
		{ "--target", 'T', VBGO_STRING },
		{ "--tport", 'P', VBGO_STRING },
		{ "--lun", 'L', VBGO_STRING },
		{ "--encodedlun", 'E', VBGO_STRING },
		{ "--username", 'U', VBGO_STRING },
		{ "--password", 'W', VBGO_STRING },
		{ "--passwordfile", 'w', VBGO_STRING },
		{ "--initiator", 'N', VBGO_STRING },
		{ "--intnet", 'I', VBGO_NOVAL },
	};
	const char *ctl = NULL, *medium = NULL, *mtype = NULL, *pass = NULL;
	const char *tempeject = NULL, *nonrot = NULL, *discard = NULL;
	const char *hotplug = NULL, *bwg = NULL, *comment = NULL;
	const char *setuuid = NULL, *setparent = NULL;
	uint32_t port = UINT32_MAX, dev = UINT32_MAX;
	int want = -1, c, rc = VBM_OK, bus;
	struct vb_getopt g;
	struct vb_error err = { 0 };
	struct vbm_medium med = { 0 }, base = { 0 };
	struct machine *m = NULL;
	struct snode *sc, *ad = NULL;
	const struct vbm_bus_info *bi;
	bool have_medium = false, locked = false, move_from_global = false;
	bool is_none, is_empty;
	char *additions = NULL;

	if (argc < 2)
		return vbm_syntax(ctx, "Storage controller name not specified");
	vb_getopt_init(&g, argc, argv, 2, opts, VB_ARRAY_SIZE(opts));
	while ((c = vb_getopt_next(&g)) != VBGO_END) {
		switch (c) {
		case 's': ctl = g.v.str; break;
		case 'p': port = g.v.u32; break;
		case 'd': dev = g.v.u32; break;
		case 'm': medium = g.v.str; break;
		case 't':
			if (!strcasecmp(g.v.str, "hdd"))
				want = MR_HDD;
			else if (!strcasecmp(g.v.str, "fdd"))
				want = MR_FLOPPY;
			else if (!strcasecmp(g.v.str, "dvddrive"))
				want = MR_DVD;
			else {
				vbm_error("Invalid --type argument '%s'", g.v.str);
				return VBM_FAIL;
			}
			break;
		case 'M':
			mtype = vbm_medium_type_parse(g.v.str);
			if (!mtype) {
				vbm_error("Invalid medium type '%s'", g.v.str);
				return VBM_FAIL;
			}
			break;
		case 'h': pass = g.v.str; break;
		case 'e': tempeject = g.v.str; break;
		case 'n': nonrot = g.v.str; break;
		case 'u': discard = g.v.str; break;
		case 'o': hotplug = g.v.str; break;
		case 'b': bwg = g.v.str; break;
		case 'f': break;
		case 'C': comment = g.v.str; break;
		case 'q': setuuid = g.v.str; break;
		case 'Q': setparent = g.v.str; break;
		case 'S': case 'T': case 'P': case 'L': case 'E': case 'U':
		case 'W': case 'w': case 'N': case 'I':
			break;      /* iSCSI: refused below */
		default:
			vbm_getopt_error(ctx, &g, c);
			return VBM_FAIL;
		}
	}
	if (!ctl)
		return vbm_syntax(ctx, "Storage controller name not specified");
	m = vbm_find_machine(ctx, argv[1], SC_FILE, 346);
	if (!m)
		return VBM_FAIL;
	/* first, without the machine lock: the controller, the device type
	 * and the medium (opening it may register it) */
	sc = vbm_find_controller(m, ctl);
	if (!sc) {
		vbm_error("Could not find a controller named '%s'\n", ctl);
		rc = VBM_FAIL;
		goto out;
	}
	bus = vbm_bus_of_type(snode_attr(sc, "type"));
	bi = &vbm_buses[bus < 0 ? BUS_IDE : bus];
	if (port == UINT32_MAX) {
		if (bi->max_ports != 1) {
			rc = vbm_syntax(ctx, "Port not specified");
			goto out;
		}
		port = 0;
	}
	if (dev == UINT32_MAX) {
		if (bi->devices != 1) {
			rc = vbm_syntax(ctx, "Device not specified");
			goto out;
		}
		dev = 0;
	}
	is_none = medium && !strcasecmp(medium, "none");
	is_empty = medium && !strcasecmp(medium, "emptydrive");
	if (!is_none && !is_empty) {
		ad = find_attachment(sc, port, dev);
		if (!strcasecmp(snode_attr(sc, "type") ?: "", "I82078"))
			want = MR_FLOPPY;
		else if (ad && want < 0)
			want = kind_of_attachment(ad);
		if (medium && !strcasecmp(medium, "additions")) {
			struct snode *sp = vbox_global_node(vbm_vbox(ctx),
							    "SystemProperties", false);
			const char *iso = sp ? snode_attr(sp, "defaultAdditionsISO") : NULL;

			if (!iso || !*iso) {
				vbm_error("Cannot find the Guest Additions ISO image\n");
				rc = VBM_FAIL;
				goto out;
			}
			additions = strdup(iso);
			medium = additions;
			if (want < 0)
				want = MR_DVD;
		}
		if (want < 0) {
			vbm_error("Argument --type must be specified\n");
			rc = VBM_FAIL;
			goto out;
		}
		if ((want == MR_HDD && !bi->hdd) || (want == MR_DVD && !bi->dvd) ||
		    (want == MR_FLOPPY && !bi->fdd)) {
			vbm_error("The given attachment is not supported by the storage controller '%s'",
				  ctl);
			rc = VBM_FAIL;
			goto out;
		}
		if (medium && !strncasecmp(medium, "host:", 5)) {
			struct stat st;

			if (want == MR_HDD || stat(medium + 5, &st) ||
			    !S_ISBLK(st.st_mode)) {
				vbm_error(want == MR_FLOPPY ?
					  "Invalid host floppy drive name \"%s\"" :
					  "Invalid host DVD drive name \"%s\"",
					  medium + 5);
				rc = VBM_FAIL;
				goto out;
			}
		} else if (medium && !strcasecmp(medium, "iSCSI")) {
			vbm_error("iSCSI media are not supported by this build");
			rc = VBM_FAIL;
			goto out;
		} else if (medium) {
			if (vbm_medium_open(ctx, medium, want, false, &med)) {
				vbm_error("Invalid UUID or filename \"%s\"", medium);
				rc = VBM_FAIL;
				goto out;
			}
			have_medium = true;
		} else if (!ad && !(pass || tempeject || nonrot || discard ||
				    hotplug || bwg)) {
			vbm_error("Missing --medium argument");
			rc = VBM_FAIL;
			goto out;
		}
	}
	if (have_medium && (setuuid || setparent)) {
		struct vb_error e2 = { 0 };
		struct medium *img = NULL;
		struct vb_uuid u;

		if (vbm_image_open(ctx, &med.e, MEDIA_RDWR | MEDIA_NO_PARENT,
				   &img, &e2) ||
		    (setuuid && (vb_uuid_parse(setuuid, &u) ||
				 media_set_uuid(img, &u, &e2))) ||
		    (setparent && (vb_uuid_parse(setparent, &u) ||
				   media_set_parent_uuid(img, &u, &e2)))) {
			media_close(img);
			vbm_error("Failed to set the medium/parent medium UUID");
			rc = VBM_FAIL;
			goto out;
		}
		media_close(img);
	}
	if (have_medium && mtype && vbm_medium_set_type(ctx, &med, mtype)) {
		vbm_error("Failed to set the medium type");
		rc = VBM_FAIL;
		goto out;
	}
	if (have_medium && comment &&
	    vbm_medium_set_description(ctx, &med, comment)) {
		rc = VBM_FAIL;
		goto out;
	}
	if (have_medium) {
		/* the registry edits above may have moved things: look again */
		struct vbm_medium again = { 0 };
		char ub[40];

		if (!vbm_medium_lookup(ctx, vb_uuid_fmt(&med.e.uuid, ub),
				       med.e.kind, &again, &err)) {
			vbm_medium_release(&med);
			med = again;
		}
	}

	/* now the machine, locked and reloaded */
	if (machine_lock(m, &err)) {
		rc = machine_error(&err, "LockMachine(a->session, LockType_Shared)", 347);
		goto out;
	}
	locked = true;
	sc = vbm_find_controller(m, ctl);
	if (!sc) {
		vbm_error("Could not find a controller named '%s'\n", ctl);
		rc = VBM_FAIL;
		goto out;
	}
	/* AHCI grows its port count to take the port */
	{
		unsigned pc = snode_u32(sc, "PortCount", bi->default_ports);

		if (pc != bi->max_ports && port >= pc && port < bi->max_ports)
			snode_set_attrf(sc, "PortCount", "%u", port + 1);
	}
	if (is_none) {
		ad = find_attachment(sc, port, dev);
		if (!ad) {
			vb_err(&err, ENOENT, VBOX_E_OBJECT_NOT_FOUND,
			       "No storage device attached to device slot %u on port %u of controller '%s'",
			       dev, port, ctl);
			rc = machine_error(&err, "DetachDevice(Bstr(pszCtl).raw(), port, device)",
					   413);
			goto out;
		}
		snode_remove(ad);
	} else if (is_empty) {
		if (!bi->dvd && !bi->fdd) {
			vbm_error("The attachment is not supported by the storage controller '%s'",
				  ctl);
			rc = VBM_FAIL;
			goto out;
		}
		ad = find_attachment(sc, port, dev);
		if (ad)
			snode_remove(ad);
		if (!new_attachment(m, sc, bus == BUS_FLOPPY ? MR_FLOPPY : MR_DVD,
				    port, dev)) {
			rc = VBM_FAIL;
			goto out;
		}
	} else {
		if (medium) {
			ad = find_attachment(sc, port, dev);
			if (want == MR_HDD) {
				struct snode *other = have_medium ?
					find_medium_attachment(m, &med.e.uuid) : NULL;
				unsigned pc = snode_u32(sc, "PortCount", 0);

				if (other && other != ad) {
					vb_err(&err, EBUSY, VBOX_E_OBJECT_IN_USE,
					       "Medium '%s' is already attached to this virtual machine",
					       med.e.location);
					rc = machine_error(&err,
							   "AttachDevice(Bstr(pszCtl).raw(), port, device, DeviceType_HardDisk, pMedium2Mount)",
							   958);
					goto out;
				}
				if (port >= pc || dev >= bi->devices) {
					vb_err(&err, EINVAL, VB_E_INVALIDARG,
					       "The port and/or device parameter are out of range: port=%u (must be in range [0, %u]), device=%u (must be in range [0, %u])",
					       port, pc ? pc - 1 : 0, dev,
					       bi->devices - 1);
					rc = machine_error(&err,
							   "AttachDevice(Bstr(pszCtl).raw(), port, device, DeviceType_HardDisk, pMedium2Mount)",
							   958);
					goto out;
				}
				if (ad)
					snode_remove(ad);
				ad = new_attachment(m, sc, MR_HDD, port, dev);
			} else if (!ad || kind_of_attachment(ad) != want) {
				if (ad)
					snode_remove(ad);
				ad = new_attachment(m, sc, want, port, dev);
			}
			if (!ad) {
				rc = VBM_FAIL;
				goto out;
			}
			if (!strncasecmp(medium, "host:", 5)) {
				struct snode *hd;

				set_image(ad, NULL);
				hd = snode_add(ad, "HostDrive");
				if (!hd || snode_set_attr(hd, "src", medium + 5)) {
					rc = VBM_FAIL;
					goto out;
				}
			} else if (set_image(ad, &med.e.uuid)) {
				rc = VBM_FAIL;
				goto out;
			}
			/* a medium from the global registry moves into the
			 * machine's own registry with its whole tree */
			if (have_medium && !med.e.owner &&
			    sdoc_version(machine_doc(m)) >= 11) {
				if (base_entry(ctx, &med.e, &base, &err) ||
				    (base.e.owner == NULL &&
				     copy_tree(m, base.e.kind, base.e.node,
					       vbox_home(vbm_vbox(ctx))))) {
					vbm_error("Failed to register the medium in the machine's media registry");
					rc = VBM_FAIL;
					goto out;
				}
				move_from_global = base.e.owner == NULL;
			}
		}
		if (pass) {
			ad = find_attachment(sc, port, dev);
			if (ad && kind_of_attachment(ad) != MR_DVD) {
				vb_err(&err, EINVAL, VB_E_INVALIDARG,
				       "Setting passthrough rejected as the device attached to device slot %u on port %u of controller '%s' is not a DVD",
				       dev, port, ctl);
				rc = machine_error(&err,
						   "PassthroughDevice(Bstr(pszCtl).raw(), port, device, TRUE)",
						   991);
				goto out;
			}
			rc |= set_flag(sc, ctl, port, dev, "passthrough", pass,
				       "passthrough", true);
		}
		if (!rc && tempeject)
			rc |= set_flag(sc, ctl, port, dev, "tempeject", tempeject,
				       "tempeject", false);
		if (!rc && nonrot)
			rc |= set_flag(sc, ctl, port, dev, "nonrotational", nonrot,
				       "nonrotational", false);
		if (!rc && discard)
			rc |= set_flag(sc, ctl, port, dev, "discard", discard,
				       "discard", false);
		if (!rc && hotplug)
			rc |= set_flag(sc, ctl, port, dev, "hotpluggable", hotplug,
				       "hotpluggable", true);
		if (!rc && bwg) {
			ad = find_attachment(sc, port, dev);
			if (!ad) {
				vb_err(&err, ENOENT, VBOX_E_OBJECT_NOT_FOUND,
				       "No storage device attached to device slot %u on port %u of controller '%s'",
				       dev, port, ctl);
				rc = machine_error(&err,
						   "SetBandwidthGroupForDevice(Bstr(pszCtl).raw(), port, device, bwGroup)",
						   1067);
			} else if (!strcasecmp(bwg, "none")) {
				snode_set_attr(ad, "bandwidthGroup", NULL);
			} else if (!bandwidth_group_exists(m, bwg)) {
				vb_err(&err, ENOENT, VBOX_E_OBJECT_NOT_FOUND,
				       "The bandwidth group '%s' does not exist", bwg);
				vb_err_where(&err, "BandwidthControlWrap",
					     "IBandwidthControl", "nsISupports");
				rc = machine_error(&err,
						   "GetBandwidthGroup(Bstr(pszBandwidthGroup).raw(), bwGroup.asOutParam())",
						   1063);
			} else {
				snode_set_attr(ad, "bandwidthGroup", bwg);
			}
		}
	}
	if (!rc && machine_save(m, &err))
		rc = machine_error(&err, "SaveSettings()", 1073);
	/* only once the machine file holds it: drop it from VirtualBox.xml */
	if (!rc && move_from_global &&
	    vbm_registry_edit(ctx, &base.e, drop_from_global, NULL, &err))
		rc = machine_error(&err, "SaveSettings()", 1073);
out:
	if (m) {
		if (locked)
			machine_unlock(m);
		machine_free(m);
	}
	vbm_medium_release(&base);
	vbm_medium_release(&med);
	free(additions);
	return rc;
}

const struct vbm_help help_storageattach = {
	"attach, remove, and modify storage media used by a virtual machine",
	"VBoxManage storageattach < uuid | vmname > --storagectl=name\n"
	"    [--bandwidthgroup= name | none ] [--comment=text] [--device=number]\n"
	"    [--discard= on | off ] [--encodedlun=lun] [--forceunmount]\n"
	"    [--hotpluggable= on | off ] [--initiator=initiator] [--intnet]\n"
	"    [--lun=lun] [--medium= none | emptydrive | additions | uuid | filename |\n"
	"    host:drive | iscsi ] [--mtype= normal | writethrough | immutable |\n"
	"    shareable | readonly | multiattach ] [--nonrotational= on | off ]\n"
	"    [--passthrough= on | off ] [--passwordfile=file] [--password=password]\n"
	"    [--port=number] [--server= name | ip ] [--setparentuuid=uuid]\n"
	"    [--setuuid=uuid] [--target=target] [--tempeject= on | off ]\n"
	"    [--tport=port] [--type= dvddrive | fdd | hdd ] [--username=username]",
	"Attaches a disk, optical or floppy drive (with a medium, empty, or a\n"
	"host drive) to a controller port and device, detaches it (--medium\n"
	"none), or changes the flags of an attachment.\n",
};
