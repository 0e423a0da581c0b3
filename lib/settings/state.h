/*
 * Machine state as VirtualBox reports it, derived from the files (there is
 * no VBoxSVC that remembers it):
 *
 *   a VM process is running it (asked through the probe hook)  -> running,
 *                                                                  paused...
 *   <Machine stateFile="...">                                   -> saved
 *   <Machine aborted="true">                                    -> aborted
 *   (both)                                                       -> aborted-saved
 *   otherwise                                                    -> poweroff
 *
 * and the time of the last change from Machine@lastStateChange.
 *
 * The running-VM code (lib/vmm, a later part) installs the probe with
 * machine_state_set_probe().  The probe gets the machine and answers
 * whether a VM process holds it: it returns 1 and fills *state and
 * *since_ms when a live process reported its state, 0 when no process
 * runs the machine (the file-derived state applies), or a negative errno
 * when it could not tell (treated like 0).  Until a probe is installed no
 * machine is running.
 */
#ifndef VB_SETTINGS_STATE_H
#define VB_SETTINGS_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/settings/settings.h"

enum vm_state {
	VMS_POWEROFF,
	VMS_SAVED,
	VMS_TELEPORTED,
	VMS_ABORTED,
	VMS_ABORTED_SAVED,
	VMS_RUNNING,
	VMS_PAUSED,
	VMS_STUCK,
	VMS_TELEPORTING,
	VMS_LIVE_SNAPSHOTTING,
	VMS_STARTING,
	VMS_STOPPING,
	VMS_SAVING,
	VMS_RESTORING,
	VMS_TELEPORTING_PAUSED,
	VMS_TELEPORTING_IN,
	VMS_DELETING_SNAPSHOT_ONLINE,
	VMS_DELETING_SNAPSHOT_PAUSED,
	VMS_ONLINE_SNAPSHOTTING,
	VMS_RESTORING_SNAPSHOT,
	VMS_DELETING_SNAPSHOT,
	VMS_SETTING_UP,
	VMS_SNAPSHOTTING,
	VMS_COUNT
};

struct vm_state_info {
	enum vm_state state;
	int64_t since_ms;       /* ms since the Unix epoch */
	char *state_file;       /* absolute .sav path when saved, else NULL */
};

typedef int (*vm_state_probe_fn)(struct machine *m, enum vm_state *state,
				 int64_t *since_ms);

/* Install (or with NULL remove) the running-VM probe. */
void machine_state_set_probe(vm_state_probe_fn fn);

/* The state of a machine; out->state_file is allocated (free it with
 * vm_state_info_release()).  0 or -ENOMEM. */
int machine_state_get(struct machine *m, struct vm_state_info *out);
void vm_state_info_release(struct vm_state_info *si);

/* "poweroff" / "powered off" and so on (showvminfo -M / human). */
const char *vm_state_name(enum vm_state s, bool short_form);
/* VirtualBox's Global::stringifyMachineState() spelling ("PoweredOff"),
 * used in "The machine is not mutable (state is ...)". */
const char *vm_state_api_name(enum vm_state s);

/* A VM process owns the machine (running, paused, starting, ...). */
bool vm_state_is_online(enum vm_state s);
/* Saved or aborted-saved. */
bool vm_state_is_saved(enum vm_state s);

#endif
