/*
 * What IMachine::LockMachine(LockType_Write) and Machine's state
 * dependency checks amount to without VBoxSVC: a machine whose VM process
 * is alive is "already locked for a session"; a machine with a saved
 * state is not mutable.  Settings changes then take the settings file
 * lock (machine_lock) for the read-modify-write.
 */
#include <errno.h>
#include <string.h>

#include "cmd/vboxmanage/vboxmanage.h"

const char *vbm_machine_state_name(struct machine *m)
{
	struct snode *mn = machine_elem(m, ME_MACHINE, false);
	const char *sf = snode_attr(mn, "stateFile");
	bool aborted = snode_bool(mn, "aborted", false);

	if (vbm_machine_running(machine_uuid(m)))
		return "Running";
	if (sf && *sf)
		return aborted ? "AbortedSaved" : "Saved";
	return aborted ? "Aborted" : "PoweredOff";
}

int vbm_lock_for_write(struct machine *m, const char *context,
		       const char *file, int line)
{
	struct vb_error err = { 0 };

	if (vbm_machine_running(machine_uuid(m))) {
		vb_err(&err, EBUSY, VBOX_E_INVALID_OBJECT_STATE,
		       "The machine '%s' is already locked for a session (or being unlocked)",
		       machine_name(m));
		vb_err_where(&err, "MachineWrap", "IMachine", "nsISupports");
		return vbm_api_error(&err, context, file, line);
	}
	if (machine_lock(m, &err)) {
		vb_err_where(&err, "MachineWrap", "IMachine", "nsISupports");
		return vbm_api_error(&err, context, file, line);
	}
	return VBM_OK;
}

int vbm_check_state(struct machine *m, enum vbm_state_dep dep,
		    const char *context, const char *file, int line)
{
	static const char *const texts[] = {
		"The machine is not mutable (state is ",
		"The machine is not mutable or saved (state is ",
		"The machine is not mutable or running (state is ",
		"The machine is not mutable, saved or running (state is ",
	};
	struct vb_error err = { 0 };
	const char *st = vbm_machine_state_name(m);
	bool saved = !strcmp(st, "Saved") || !strcmp(st, "AbortedSaved");
	bool running = !strcmp(st, "Running");

	if (!saved && !running)
		return VBM_OK;
	if (saved && (dep == VBM_DEP_MUTABLE_OR_SAVED ||
		      dep == VBM_DEP_ANY_BUT_LOCKED))
		return VBM_OK;
	if (running && (dep == VBM_DEP_MUTABLE_OR_RUNNING ||
			dep == VBM_DEP_ANY_BUT_LOCKED))
		return VBM_OK;
	vb_err(&err, EINVAL, VBOX_E_INVALID_VM_STATE, "%s%s%s", texts[dep],
	       st, ")");
	vb_err_where(&err, "SessionMachine", "IMachine", "nsISupports");
	return vbm_api_error(&err, context, file, line);
}
