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
