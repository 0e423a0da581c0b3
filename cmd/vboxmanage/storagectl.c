/*
 * storagectl: add, change, rename and remove a machine's storage
 * controllers (<StorageControllers><StorageController name type PortCount
 * [Instance] useHostIOCache Bootable [IDE*EmulationPort]>).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cmd/vboxmanage/commands.h"
#include "cmd/vboxmanage/storage.h"
#include "lib/util/checked.h"

const struct vbm_bus_info vbm_buses[] = {
	[BUS_IDE] = { "ide", "PIIX4", 2, 2, 2, 2, true, true, true, false },
	[BUS_SATA] = { "sata", "AHCI", 1, 30, 30, 1, false, true, true, false },
	[BUS_SCSI] = { "scsi", "LsiLogic", 16, 16, 16, 1, false, true, true, false },
	[BUS_FLOPPY] = { "floppy", "I82078", 1, 1, 1, 2, true, false, false, true },
	[BUS_SAS] = { "sas", "LsiLogicSas", 1, 255, 8, 1, false, true, true, false },
	[BUS_USB] = { "usb", "USB", 8, 8, 8, 1, false, true, true, true },
	[BUS_PCIE] = { "pcie", "NVMe", 1, 255, 1, 1, false, true, false, false },
	[BUS_VIRTIO] = { "virtio-scsi", "VirtioSCSI", 1, 256, 1, 1, false, true, true, false },
};

static const struct {
	const char *arg, *type;
} ctl_types[] = {
	{ "lsilogic", "LsiLogic" }, { "buslogic", "BusLogic" },
	{ "intelahci", "AHCI" }, { "piix3", "PIIX3" }, { "piix4", "PIIX4" },
	{ "ich6", "ICH6" }, { "i82078", "I82078" },
	{ "lsilogicsas", "LsiLogicSas" }, { "usb", "USB" }, { "nvme", "NVMe" },
	{ "virtio-scsi", "VirtioSCSI" }, { "virtio", "VirtioSCSI" },
};

int vbm_bus_of_type(const char *type)
{
	static const struct {
		const char *type;
		enum vbm_bus bus;
	} map[] = {
		{ "PIIX3", BUS_IDE }, { "PIIX4", BUS_IDE }, { "ICH6", BUS_IDE },
		{ "AHCI", BUS_SATA }, { "LsiLogic", BUS_SCSI },
		{ "BusLogic", BUS_SCSI }, { "I82078", BUS_FLOPPY },
		{ "LsiLogicSas", BUS_SAS }, { "USB", BUS_USB },
		{ "NVMe", BUS_PCIE }, { "VirtioSCSI", BUS_VIRTIO },
	};
	size_t i;

	for (i = 0; type && i < VB_ARRAY_SIZE(map); i++)
		if (!strcmp(map[i].type, type))
			return (int)map[i].bus;
	return -1;
}

struct snode *vbm_find_controller(struct machine *m, const char *name)
{
	struct snode *scs = machine_elem(m, ME_STORAGE, false);

	return scs ? snode_child_with(scs, "StorageController", "name", name)
		   : NULL;
}

#define SC_FILE "VBoxManageStorageController.cpp"

static int machine_error(struct vb_error *err, const char *context, int line)
{
	if (!err->component)
		vb_err_where(err, "SessionMachine", "IMachine", "nsISupports");
	return vbm_api_error(err, context, SC_FILE, line);
}

static int not_found(const char *name, const char *context, int line)
{
	struct vb_error err = { 0 };

	vb_err(&err, ENOENT, VBOX_E_OBJECT_NOT_FOUND,
	       "Could not find a storage controller named '%s'", name);
	return machine_error(&err, context, line);
}

static int add_controller(struct machine *m, const char *name, int bus,
			  const char *bus_word)
{
	struct vb_error err = { 0 };
	const struct vbm_bus_info *b = &vbm_buses[bus];
	struct snode *scs, *sc, *it;
	unsigned version = sdoc_version(machine_doc(m)), instance = 0;
	bool bootable = true;
	char ctxs[160];

	snprintf(ctxs, sizeof(ctxs),
		 "AddStorageController(Bstr(pszCtl).raw(), StorageBus_%s, ctl.asOutParam())",
		 bus_word);
	if (vbm_find_controller(m, name)) {
		vb_err(&err, EEXIST, VBOX_E_OBJECT_IN_USE,
		       "Storage controller named '%s' already exists", name);
		return machine_error(&err, ctxs, 584);
	}
	scs = machine_elem(m, ME_STORAGE, true);
	if (!scs)
		return VBM_FAIL;
	for (it = snode_child(scs, "StorageController"); it;
	     it = snode_next(it, "StorageController")) {
		if (vbm_bus_of_type(snode_attr(it, "type")) != bus)
			continue;
		instance++;
		if (snode_bool(it, "Bootable", true))
			bootable = false;
	}
	sc = snode_add(scs, "StorageController");
	if (!sc)
		return VBM_FAIL;
	snode_set_attr(sc, "name", name);
	snode_set_attr(sc, "type", b->default_type);
	snode_set_attrf(sc, "PortCount", "%u", b->default_ports);
	if (instance && version >= 9)
		snode_set_attrf(sc, "Instance", "%u", instance);
	if (version >= 10)
		snode_set_bool(sc, "useHostIOCache", b->host_io_cache);
	if (version >= 11)
		snode_set_bool(sc, "Bootable", bootable);
	if (bus == BUS_SATA) {
		snode_set_attr(sc, "IDE0MasterEmulationPort", "0");
		snode_set_attr(sc, "IDE0SlaveEmulationPort", "1");
		snode_set_attr(sc, "IDE1MasterEmulationPort", "2");
		snode_set_attr(sc, "IDE1SlaveEmulationPort", "3");
	}
	return VBM_OK;
}

static bool parse_onoff(const char *s, bool *v)
{
	if (!strcasecmp(s, "on"))
		*v = true;
	else if (!strcasecmp(s, "off"))
		*v = false;
	else
		return false;
	return true;
}

int cmd_storagectl(struct vbm_ctx *ctx, int argc, char **argv)
{
	static const struct vb_option opts[] = {
		{ "--name", 'n', VBGO_STRING },
		{ "--add", 'a', VBGO_STRING },
		{ "--controller", 'c', VBGO_STRING },
		{ "--portcount", 'p', VBGO_U32 },
		{ "--remove", 'r', VBGO_NOVAL },
		{ "--rename", 'R', VBGO_STRING },
		{ "--hostiocache", 'i', VBGO_STRING },
		{ "--bootable", 'b', VBGO_STRING },
	};
	const char *name = NULL, *bus_s = NULL, *type_s = NULL, *cache = NULL;
	const char *boot = NULL, *newname = NULL;
	uint32_t ports = UINT32_MAX;
	bool remove = false, v;
	struct vb_getopt g;
	struct vb_error err = { 0 };
	struct machine *m;
	struct snode *sc;
	int c, rc = VBM_OK;
	size_t i;

	if (argc - 1 < 4)
		return vbm_syntax(ctx, "Too few parameters");
	vb_getopt_init(&g, argc, argv, 2, opts, VB_ARRAY_SIZE(opts));
	while ((c = vb_getopt_next(&g)) != VBGO_END) {
		switch (c) {
		case 'n': name = g.v.str; break;
		case 'a': bus_s = g.v.str; break;
		case 'c': type_s = g.v.str; break;
		case 'p': ports = g.v.u32; break;
		case 'r': remove = true; break;
		case 'R': newname = g.v.str; break;
		case 'i': cache = g.v.str; break;
		case 'b': boot = g.v.str; break;
		default: return vbm_getopt_error(ctx, &g, c);
		}
	}
	m = vbm_find_machine(ctx, argv[1], SC_FILE, 1097);
	if (!m)
		return VBM_FAIL;
	if (machine_lock(m, &err)) {
		machine_error(&err, "LockMachine(a->session, LockType_Write)", 1100);
		machine_free(m);
		return VBM_FAIL;
	}
	if (!name) {
		machine_unlock(m);
		machine_free(m);
		return vbm_syntax(ctx, "Storage controller name not specified\n");
	}
	if (remove) {
		sc = vbm_find_controller(m, name);
		if (!sc) {
			rc = not_found(name, "RemoveStorageController(Bstr(pszCtl).raw())",
				       1113);
		} else {
			struct snode *scs = snode_parent(sc);

			snode_remove(sc);
			snode_prune_empty(scs, NULL);
		}
		goto save;
	}
	if (bus_s) {
		static const char *const words[] = {
			"IDE", "SATA", "SCSI", "Floppy", "SAS", "USB", "PCIe",
			"VirtioSCSI",
		};
		int bus = -1;

		for (i = 0; i < VB_ARRAY_SIZE(vbm_buses); i++)
			if (!strcasecmp(bus_s, vbm_buses[i].add_word))
				bus = (int)i;
		if (!strcasecmp(bus_s, "virtio"))
			bus = BUS_VIRTIO;
		if (bus < 0) {
			vbm_error("Invalid --add argument '%s'", bus_s);
			rc = VBM_FAIL;
		} else {
			rc = add_controller(m, name, bus, words[bus]);
		}
	}
	if (type_s && !rc) {
		const char *t = NULL;

		sc = vbm_find_controller(m, name);
		for (i = 0; i < VB_ARRAY_SIZE(ctl_types); i++)
			if (!strcasecmp(type_s, ctl_types[i].arg))
				t = ctl_types[i].type;
		if (!sc) {
			vbm_error("Couldn't find the controller with the name: '%s'\n",
				  name);
			rc = VBM_FAIL;
		} else if (!t) {
			vbm_error("Invalid --type argument '%s'", type_s);
			rc = VBM_FAIL;
		} else if (vbm_bus_of_type(t) !=
			   vbm_bus_of_type(snode_attr(sc, "type"))) {
			vb_err(&err, EINVAL, VB_E_INVALIDARG,
			       "Invalid controller type %s", t);
			vb_err_where(&err, "StorageControllerWrap",
				     "IStorageController", "nsISupports");
			rc = vbm_api_error(&err,
					   "COMSETTER(ControllerType)(StorageControllerType)",
					   SC_FILE, 1180);
		} else {
			snode_set_attr(sc, "type", t);
		}
	}
	if (ports != UINT32_MAX && !rc) {
		sc = vbm_find_controller(m, name);
		if (!sc) {
			vbm_error("Couldn't find the controller with the name: '%s'\n",
				  name);
			rc = VBM_FAIL;
		} else {
			int bus = vbm_bus_of_type(snode_attr(sc, "type"));
			const struct vbm_bus_info *b = &vbm_buses[bus < 0 ? 0 : bus];

			if (ports < b->min_ports || ports > b->max_ports) {
				vb_err(&err, EINVAL, VB_E_INVALIDARG,
				       "Invalid port count: %u (must be in range [%u, %u])",
				       ports, b->min_ports, b->max_ports);
				vb_err_where(&err, "StorageControllerWrap",
					     "IStorageController", "nsISupports");
				rc = vbm_api_error(&err,
						   "COMSETTER(PortCount)(portcount)",
						   SC_FILE, 1209);
			} else {
				snode_set_attrf(sc, "PortCount", "%u", ports);
			}
		}
	}
	if (cache && !rc) {
		sc = vbm_find_controller(m, name);
		if (!sc) {
			vbm_error("Couldn't find the controller with the name: '%s'\n",
				  name);
			rc = VBM_FAIL;
		} else if (!parse_onoff(cache, &v)) {
			vbm_error("Invalid --hostiocache argument '%s'", cache);
			rc = VBM_FAIL;
		} else {
			snode_set_bool(sc, "useHostIOCache", v);
		}
	}
	if (boot && !rc) {
		sc = vbm_find_controller(m, name);
		if (!parse_onoff(boot, &v)) {
			vbm_error("Invalid --bootable argument '%s'", boot);
			rc = VBM_FAIL;
		} else if (!sc) {
			rc = not_found(name,
				       "SetStorageControllerBootable(Bstr(pszCtl).raw(), TRUE)",
				       1246);
		} else {
			snode_set_bool(sc, "Bootable", v);
		}
	}
	if (newname && !rc) {
		sc = vbm_find_controller(m, name);
		if (!sc) {
			vbm_error("Couldn't find the controller with the name: '%s'\n",
				  name);
			rc = VBM_FAIL;
		} else if (vbm_find_controller(m, newname)) {
			vb_err(&err, EEXIST, VBOX_E_OBJECT_IN_USE,
			       "Storage controller named '%s' already exists",
			       newname);
			vb_err_where(&err, "StorageControllerWrap",
				     "IStorageController", "nsISupports");
			rc = vbm_api_error(&err,
					   "COMSETTER(Name)(Bstr(pszCtlNewName).raw())",
					   SC_FILE, 1269);
		} else {
			snode_set_attr(sc, "name", newname);
		}
	}
save:
	if (!rc && machine_save(m, &err))
		rc = machine_error(&err, "SaveSettings()", 1284);
	machine_unlock(m);
	machine_free(m);
	return rc;
}

const struct vbm_help help_storagectl = {
	"manage a storage controller",
	"VBoxManage storagectl < uuid | vmname > --name=controller-name [--add=\n"
	"    floppy | ide | pcie | sas | sata | scsi | usb | virtio-scsi ]\n"
	"    [--controller= BusLogic | I82078 | ICH6 | IntelAhci | LSILogic |\n"
	"    LSILogicSAS | NVMe | PIIX3 | PIIX4 | USB | VirtIO ] [--bootable= on |\n"
	"    off ] [--hostiocache= on | off ] [--portcount=count] [--remove]\n"
	"    [--rename=new-controller-name]",
	"Adds a storage controller to a machine, changes its type, port count,\n"
	"host I/O cache and bootable flags, renames or removes it.\n",
};
