/*
 * Machines that a VM process runs (ARCHITECTURE.md, "No daemon"): the
 * process holds <runtime dir>/<uuid>.lock for its whole life and answers
 * on <runtime dir>/<uuid>.sock (lib/vmm/vmctl.h).  Here VBoxManage asks:
 * whether a machine runs (list runningvms, the commands VirtualBox
 * refuses for a locked machine) and its live state, which the settings
 * part shows through machine_state_set_probe() (showvminfo VMState,
 * VMStateChangeTime).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "cmd/vboxmanage/vboxmanage.h"
#include "lib/settings/state.h"
#include "lib/util/timefmt.h"
#include "lib/vmm/vmctl.h"

bool vbm_machine_running(const struct vb_uuid *uuid)
{
	char ub[40];

	return vmm_ctl_alive(vb_uuid_fmt(uuid, ub));
}

static int state_probe(struct machine *m, enum vm_state *state,
		       int64_t *since_ms)
{
	char ub[40];

	return vmm_ctl_state(vb_uuid_fmt(machine_uuid(m), ub), state, since_ms,
			     NULL);
}

void vbm_runtime_init(void)
{
	machine_state_set_probe(state_probe);
}

char *vbm_machine_session_name(struct machine *m)
{
	enum vm_state st;
	int64_t since;
	char ub[40], *sess = NULL;

	if (vmm_ctl_state(vb_uuid_fmt(machine_uuid(m), ub), &st, &since,
			  &sess) != 1)
		return NULL;
	return sess;
}

int vbm_live_dvd(struct machine *m, const char *ctl, unsigned port,
		 unsigned dev, const char *path, bool force,
		 struct vb_error *err)
{
	char ub[40], sp[16], sd[16];
	const char *args[6] = { "dvd", ctl, sp, sd, path, force ? "1" : "0" };
	struct vmm_ctl_reply r;
	int rc;

	snprintf(sp, sizeof(sp), "%u", port);
	snprintf(sd, sizeof(sd), "%u", dev);
	rc = vmm_ctl_call(vb_uuid_fmt(machine_uuid(m), ub), 6, args, NULL, NULL,
			  &r, err);
	if (rc == -ESRCH)
		return vb_err(err, ESRCH, VBOX_E_INVALID_VM_STATE,
			      "The machine is not running any more");
	if (!rc)
		vmm_ctl_reply_free(&r);
	else if (!err->component)
		vb_err_where(err, "SessionMachine", "IMachine", "nsISupports");
	return rc;
}
