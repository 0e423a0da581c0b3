/*
 * Placeholder for the software execution engine ("iem"), which is being
 * written separately (lib/vmm/iem/).  Until it lands this engine refuses
 * to run with a clear message; the real one replaces this file by
 * defining vmm_engine_iem itself.
 */
#include <errno.h>

#include "lib/vmm/engine.h"

static int iem_probe(struct vmm_vm *vm, struct vb_error *err)
{
	(void)vm;
	return vb_err(err, ENOTSUP, VB_E_FAIL,
		      "The software execution engine (iem) is not part of this build yet, so this machine needs KVM (VERR_NOT_SUPPORTED).");
}

const struct vmm_engine vmm_engine_iem = {
	.name = "iem",
	.label = "IEM (software x86 CPU)",
	.probe = iem_probe,
};
