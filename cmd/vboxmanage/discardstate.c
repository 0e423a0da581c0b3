/*
 * discardstate and adoptstate: drop a machine's saved state, or make a
 * state file the machine's saved state (vboxmanage-cli.md 2), as
 * VirtualBox 7.0's handleDiscardState/handleAdoptState over
 * SessionMachine::discardSavedState/adoptSavedState (MachineImpl.cpp).
 *
 * Both need the machine's write lock, so a running machine is refused
 * ("already locked for a session").  discardstate deletes the .sav file
 * and leaves the machine powered off (an aborted-saved machine too);
 * adoptstate records the file as it is given, like VirtualBox, which does
 * not look inside it: a file that is not this machine's state is
 * refused by the next startvm and can be discarded again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/vboxmanage/commands.h"
#include "lib/settings/hwmodel.h"
#include "lib/settings/mediareg.h"
#include "lib/settings/state.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"
#include "lib/util/timefmt.h"

#define FILE_MISC "VBoxManageMisc.cpp"

/* Machine@stateFile, aborted and lastStateChange as i_setMachineState()
 * leaves them. */
static int set_state(struct machine *m, const char *state_file, bool aborted)
{
	struct snode *mn = machine_elem(m, ME_MACHINE, false);
	char ts[32];

	vb_time_settings(time(NULL), ts, sizeof(ts));
	if (!mn || hwm_attr_set(mn, "stateFile", state_file) ||
	    hwm_attr_set(mn, "aborted", aborted ? "true" : NULL) ||
	    hwm_attr_set(mn, "lastStateChange", ts))
		return -ENOMEM;
	return 0;
}

/* "<head> (machine state: <state>)" */
static int state_error(const char *head, enum vm_state st, const char *context,
		       int line)
{
	struct vb_error err = { 0 };

	vb_err(&err, EINVAL, VBOX_E_INVALID_VM_STATE, "%s (machine state: %s)",
	       head, vm_state_api_name(st));
	vb_err_where(&err, "SessionMachine", "IMachine", "nsISupports");
	return vbm_api_error(&err, context, FILE_MISC, line);
}

int cmd_discardstate(struct vbm_ctx *ctx, int argc, char **argv)
{
	static const char ctx_discard[] = "DiscardSavedState(true /* fDeleteFile */)";
	struct vb_error err = { 0 };
	struct vm_state_info si = { 0 };
	struct machine *m;
	int rc = VBM_FAIL;

	if (argc != 2)
		return vbm_syntax(ctx, "Incorrect number of parameters");
	m = vbm_find_machine_ctx(ctx, argv[1],
				 "FindMachine(Bstr(a->argv[0]).raw(), machine.asOutParam())",
				 FILE_MISC, 1352);
	if (!m)
		return VBM_FAIL;
	if (vbm_lock_for_write(m, "LockMachine(a->session, LockType_Write)",
			       FILE_MISC, 1357)) {
		machine_free(m);
		return VBM_FAIL;
	}
	if (machine_state_get(m, &si)) {
		vbm_error("Out of memory");
		goto out;
	}
	if (!vm_state_is_saved(si.state)) {
		rc = state_error("Cannot discard the saved state as the machine is not in the Saved or Aborted-Saved state",
				 si.state, ctx_discard, 1362);
		goto out;
	}
	if (si.state_file && unlink(si.state_file) < 0 && errno != ENOENT) {
		vb_err(&err, errno, VBOX_E_FILE_ERROR,
		       "Could not delete the saved state file '%s' (%s)",
		       si.state_file, vbm_vrc_name(errno));
		vb_err_where(&err, "SessionMachine", "IMachine", "nsISupports");
		rc = vbm_api_error(&err, ctx_discard, FILE_MISC, 1362);
		goto out;
	}
	if (set_state(m, NULL, false)) {
		vbm_error("Out of memory");
		goto out;
	}
	if (machine_save(m, &err)) {
		vb_err_where(&err, "SessionMachine", "IMachine", "nsISupports");
		rc = vbm_api_error(&err, ctx_discard, FILE_MISC, 1362);
		goto out;
	}
	rc = VBM_OK;
out:
	vm_state_info_release(&si);
	machine_unlock(m);
	machine_free(m);
	return rc;
}

int cmd_adoptstate(struct vbm_ctx *ctx, int argc, char **argv)
{
	static const char ctx_adopt[] = "AdoptSavedState(Bstr(szStateFileAbs).raw())";
	struct vb_error err = { 0 };
	struct vm_state_info si = { 0 };
	struct machine *m;
	char *abs = NULL, *rel = NULL;
	int rc = VBM_FAIL;

	if (argc != 3)
		return vbm_syntax(ctx, "Incorrect number of parameters");
	m = vbm_find_machine_ctx(ctx, argv[1],
				 "FindMachine(Bstr(a->argv[0]).raw(), machine.asOutParam())",
				 FILE_MISC, 1384);
	if (!m)
		return VBM_FAIL;
	abs = path_abs(argv[2]);
	if (!abs) {
		vbm_error("Cannot convert filename \"%s\" to absolute path: %s",
			  argv[1], "VERR_NO_MEMORY");
		machine_free(m);
		return VBM_FAIL;
	}
	if (vbm_lock_for_write(m, "LockMachine(a->session, LockType_Write)",
			       FILE_MISC, 1395)) {
		free(abs);
		machine_free(m);
		return VBM_FAIL;
	}
	if (vbm_check_state(m, VBM_DEP_MUTABLE, ctx_adopt, FILE_MISC, 1400))
		goto out;
	if (machine_state_get(m, &si)) {
		vbm_error("Out of memory");
		goto out;
	}
	if (si.state != VMS_POWEROFF && si.state != VMS_TELEPORTED &&
	    si.state != VMS_ABORTED) {
		rc = state_error("Cannot adopt the saved machine state as the machine is not in Powered Off, Teleported or Aborted state",
				 si.state, ctx_adopt, 1400);
		goto out;
	}
	rel = mediareg_location_for(machine_folder(m), abs);
	if (!rel || set_state(m, rel, false)) {
		vbm_error("Out of memory");
		goto out;
	}
	if (machine_save(m, &err)) {
		vb_err_where(&err, "SessionMachine", "IMachine", "nsISupports");
		rc = vbm_api_error(&err, ctx_adopt, FILE_MISC, 1400);
		goto out;
	}
	rc = VBM_OK;
out:
	vm_state_info_release(&si);
	free(rel);
	free(abs);
	machine_unlock(m);
	machine_free(m);
	return rc;
}

const struct vbm_help help_discardstate = {
	"discard the saved state of a virtual machine",
	"VBoxManage\bdiscardstate <uuid | vmname>",
	"Deletes the machine's saved state file and leaves the machine\n"
	"powered off: the next start boots it afresh.  Refused for a machine\n"
	"that runs or has no saved state.\n",
};

const struct vbm_help help_adoptstate = {
	"change a virtual machine's state based on a saved state file",
	"VBoxManage\badoptstate <uuid | vmname> <state-filename>",
	"Makes the given file the saved state of a powered-off or aborted\n"
	"machine, which the next start restores.  The file must be a state\n"
	"that this machine saved (the start refuses any other); discardstate\n"
	"forgets it again.\n",
};
