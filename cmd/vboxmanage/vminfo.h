/*
 * The machine information printer of showvminfo, shared with
 * "list -l vms" (which prints every machine the way showvminfo does
 * without options).
 */
#ifndef VBM_VMINFO_H
#define VBM_VMINFO_H

#include "cmd/vboxmanage/vboxmanage.h"

enum vminfo_details {
	VMINFO_STANDARD,        /* showvminfo <vm>, list -l vms */
	VMINFO_FULL,            /* --details (the same lines in 7.0) */
	VMINFO_MACHINEREADABLE, /* --machinereadable */
	VMINFO_COMPACT,         /* "name" {uuid} */
};

/* Print the information about one machine on stdout (an inaccessible
 * machine prints what VirtualBox prints for it).  Returns VBM_OK or
 * VBM_FAIL (after printing the error). */
int vbm_vminfo_print(struct vbm_ctx *ctx, struct machine *m,
		     enum vminfo_details details);

#endif
