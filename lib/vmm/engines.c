/*
 * The execution engines, by the names VBoxInternal/EM/Engine takes.
 */
#include <string.h>

#include "lib/util/strbuf.h"
#include "lib/vmm/engine.h"

static const struct vmm_engine *const engines[] = {
	&vmm_engine_kvm,
	&vmm_engine_iem,
};

const struct vmm_engine *vmm_engine_find(const char *name)
{
	unsigned i;

	for (i = 0; i < sizeof(engines) / sizeof(engines[0]); i++)
		if (vb_strcaseeq(engines[i]->name, name))
			return engines[i];
	return NULL;
}
