/*
 * What the VM process writes into the machine's .vbox (settings-format
 * 7.1), under the machine's settings lock like every other writer:
 *
 *   the guest starts    aborted="true" (cleared by a clean exit, so a VM
 *                       process that dies leaves the machine aborted),
 *                       stateFile removed after a restore
 *   the guest stops     aborted removed
 *   the state is saved  stateFile="Snapshots/<time>.sav", aborted removed
 *
 * and lastStateChange each time.  Nothing else is touched: other commands
 * may edit the file while the VM runs (extra data, DVD changes).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/settings/hwmodel.h"
#include "lib/settings/mediareg.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"
#include "lib/util/timefmt.h"
#include "lib/vmm/vmm-int.h"

enum mark { MARK_RUNNING, MARK_OFF, MARK_SAVED };

static int mark(struct vmm_vm *vm, enum mark what, const char *sav,
		struct vb_error *err)
{
	struct machine *m = vm->machine;
	struct vb_error lerr = { 0 };
	struct snode *mn;
	char ts[32], *rel = NULL;
	int rc;

	if (!err)
		err = &lerr;
	if (!m)
		return 0;
	rc = machine_lock(m, err);
	if (rc)
		return rc;
	mn = machine_elem(m, ME_MACHINE, false);
	if (!mn) {
		machine_unlock(m);
		return vb_err(err, EINVAL, VB_E_FAIL, "The machine settings have no Machine element");
	}
	vb_time_settings(time(NULL), ts, sizeof(ts));
	if (what == MARK_SAVED) {
		rel = mediareg_location_for(machine_folder(m), sav);
		if (!rel) {
			machine_unlock(m);
			return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
		}
	}
	rc = hwm_attr_set(mn, "stateFile", rel);
	if (!rc)
		rc = hwm_attr_set(mn, "lastStateChange", ts);
	if (!rc)
		rc = hwm_attr_set(mn, "aborted", what == MARK_RUNNING ? "true" : NULL);
	free(rel);
	if (rc) {
		machine_unlock(m);
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	}
	rc = machine_save(m, err);
	machine_unlock(m);
	if (!rc)
		vm->aborted_marked = what == MARK_RUNNING;
	return rc;
}

int vmm_mf_mark_running(struct vmm_vm *vm, struct vb_error *err)
{
	return mark(vm, MARK_RUNNING, NULL, err);
}

int vmm_mf_mark_off(struct vmm_vm *vm, struct vb_error *err)
{
	return mark(vm, MARK_OFF, NULL, err);
}

int vmm_mf_mark_saved(struct vmm_vm *vm, const char *sav, struct vb_error *err)
{
	return mark(vm, MARK_SAVED, sav, err);
}

/* VirtualBox names saved states after the time they were taken, with
 * ':' and '.' made file-name friendly: 2025-04-11T16-59-49-092135000Z. */
char *vmm_mf_new_state_path(struct vmm_vm *vm)
{
	struct machine *m = vm->machine;
	struct snode *mn = m ? machine_elem(m, ME_MACHINE, false) : NULL;
	const char *sf = snode_attr(mn, "snapshotFolder");
	char ts[64], *p, *dir, *slashed, *path;

	vb_time_iso_ns(vb_now_ns(), ts, sizeof(ts));
	for (p = ts; *p; p++)
		if (*p == ':' || *p == '.')
			*p = '-';
	slashed = path_slashes(sf && *sf ? sf : "Snapshots");
	if (!slashed)
		return NULL;
	dir = path_abs_from(vm->cfg.folder, slashed);
	free(slashed);
	if (!dir)
		return NULL;
	path = vb_asprintf("%s/%s.sav", dir, ts);
	free(dir);
	return path;
}
