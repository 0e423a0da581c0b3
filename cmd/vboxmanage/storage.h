/*
 * Storage buses and controller types shared by storagectl and
 * storageattach (values as VirtualBox 7.0's StorageControllerImpl and
 * platform properties define them).
 */
#ifndef VBM_STORAGE_H
#define VBM_STORAGE_H

#include <stdbool.h>

#include "lib/settings/settings.h"

enum vbm_bus {
	BUS_IDE, BUS_SATA, BUS_SCSI, BUS_FLOPPY, BUS_SAS, BUS_USB, BUS_PCIE,
	BUS_VIRTIO,
};

struct vbm_bus_info {
	const char *add_word;       /* --add value */
	const char *default_type;   /* settings spelling of the controller */
	unsigned min_ports, max_ports, default_ports, devices;
	bool host_io_cache;         /* default useHostIOCache */
	bool hdd, dvd, fdd;         /* device types it takes */
};

extern const struct vbm_bus_info vbm_buses[];

/* Controller type (settings spelling) -> bus, or -1. */
int vbm_bus_of_type(const char *type);

/* The <StorageController> named name, or NULL. */
struct snode *vbm_find_controller(struct machine *m, const char *name);

#endif
