/*
 * SystemProperties (see sysprops.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/settings/sysprops.h"
#include "lib/util/strbuf.h"

/* VirtualBox's write order; flags: always written with a default. */
static const struct {
	const char *name;
	const char *dflt;       /* NULL: written only when non-empty */
} attrs[] = {
	{ "defaultMachineFolder", NULL },
	{ "LoggingLevel", NULL },
	{ "defaultHardDiskFormat", "VDI" },
	{ "VRDEAuthLibrary", "VBoxAuth" },
	{ "webServiceAuthLibrary", "VBoxAuth" },
	{ "defaultVRDEExtPack", NULL },
	{ "defaultCryptoExtPack", NULL },
	{ "LogHistoryCount", "3" },
	{ "autostartDatabasePath", NULL },
	{ "defaultFrontend", NULL },
	{ "proxyUrl", NULL },
	{ "proxyMode", "0" },
	{ "exclusiveHwVirt", "true" },
	{ "LanguageId", NULL },
};
#define NATTRS (sizeof(attrs) / sizeof(attrs[0]))

int sysprops_set(struct vbox *vb, const char *attr, const char *value,
		 struct vb_error *err)
{
	struct snode *sp = vbox_global_node(vb, "SystemProperties", true);
	char *vals[NATTRS] = { NULL };
	char *folder = NULL;
	struct strbuf extra_names = STRBUF_INIT, extra_vals = STRBUF_INIT;
	const char *name, *v;
	unsigned i, nextra = 0;
	int rc = 0;

	if (!sp)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	if (snode_set_attr(sp, attr, value))
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	/* the legacy spelling of the VRDE library is replaced on write */
	if (!snode_attr(sp, "VRDEAuthLibrary") &&
	    snode_attr(sp, "remoteDisplayAuthLibrary"))
		snode_set_attr(sp, "VRDEAuthLibrary",
			       snode_attr(sp, "remoteDisplayAuthLibrary"));
	snode_set_attr(sp, "remoteDisplayAuthLibrary", NULL);
	for (i = 0; i < NATTRS; i++) {
		v = snode_attr(sp, attrs[i].name);
		if (!v || !*v)
			v = attrs[i].dflt;
		if (i == 0 && (!v || !*v || !strcmp(v, "Machines"))) {
			folder = vbox_machine_folder(vb);
			v = folder;
		}
		vals[i] = v && *v ? strdup(v) : NULL;
		if (v && *v && !vals[i])
			rc = -ENOMEM;
	}
	/* keep unknown attributes, in their order, after the known ones */
	for (i = 0; (name = snode_attr_at(sp, i, &v)); i++) {
		unsigned k;

		for (k = 0; k < NATTRS; k++)
			if (!strcmp(attrs[k].name, name))
				break;
		if (k < NATTRS)
			continue;
		sb_add(&extra_names, name, strlen(name) + 1);
		sb_add(&extra_vals, v ? v : "", strlen(v ? v : "") + 1);
		nextra++;
	}
	if (extra_names.oom || extra_vals.oom)
		rc = -ENOMEM;
	while (!rc && (name = snode_attr_at(sp, 0, &v))) {
		char *copy = strdup(name);

		if (!copy || snode_set_attr(sp, copy, NULL))
			rc = -ENOMEM;
		free(copy);
	}
	for (i = 0; !rc && i < NATTRS; i++)
		if (vals[i] && snode_set_attr(sp, attrs[i].name, vals[i]))
			rc = -ENOMEM;
	name = extra_names.buf;
	v = extra_vals.buf;
	for (i = 0; !rc && i < nextra; i++) {
		if (snode_set_attr(sp, name, v))
			rc = -ENOMEM;
		name += strlen(name) + 1;
		v += strlen(v) + 1;
	}
	for (i = 0; i < NATTRS; i++)
		free(vals[i]);
	free(folder);
	sb_release(&extra_names);
	sb_release(&extra_vals);
	if (rc)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	return 0;
}
