/*
 * Machine state derived from the settings files, plus the hook through
 * which the running-VM code reports live states (see state.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/settings/state.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"
#include "lib/util/timefmt.h"

static vm_state_probe_fn state_probe;

void machine_state_set_probe(vm_state_probe_fn fn)
{
	state_probe = fn;
}

struct state_names {
	const char *mr;         /* showvminfo --machinereadable */
	const char *human;      /* showvminfo */
	const char *api;        /* Global::stringifyMachineState */
};

static const struct state_names state_names[VMS_COUNT] = {
	[VMS_POWEROFF] = { "poweroff", "powered off", "PoweredOff" },
	[VMS_SAVED] = { "saved", "saved", "Saved" },
	[VMS_TELEPORTED] = { "teleported", "teleported", "Teleported" },
	[VMS_ABORTED] = { "aborted", "aborted", "Aborted" },
	[VMS_ABORTED_SAVED] = { "aborted-saved", "aborted-saved",
				"AbortedSaved" },
	[VMS_RUNNING] = { "running", "running", "Running" },
	[VMS_PAUSED] = { "paused", "paused", "Paused" },
	[VMS_STUCK] = { "gurumeditation", "guru meditation", "Stuck" },
	[VMS_TELEPORTING] = { "teleporting", "teleporting", "Teleporting" },
	[VMS_LIVE_SNAPSHOTTING] = { "livesnapshotting", "live snapshotting",
				    "LiveSnapshotting" },
	[VMS_STARTING] = { "starting", "starting", "Starting" },
	[VMS_STOPPING] = { "stopping", "stopping", "Stopping" },
	[VMS_SAVING] = { "saving", "saving", "Saving" },
	[VMS_RESTORING] = { "restoring", "restoring", "Restoring" },
	[VMS_TELEPORTING_PAUSED] = { "teleportingpausedvm",
				     "teleporting paused vm",
				     "TeleportingPausedVM" },
	[VMS_TELEPORTING_IN] = { "teleportingin", "teleporting (incoming)",
				 "TeleportingIn" },
	[VMS_DELETING_SNAPSHOT_ONLINE] = { "deletingsnapshotlive",
					   "deleting snapshot live",
					   "DeletingSnapshotOnline" },
	[VMS_DELETING_SNAPSHOT_PAUSED] = { "deletingsnapshotlivepaused",
					   "deleting snapshot live paused",
					   "DeletingSnapshotPaused" },
	[VMS_ONLINE_SNAPSHOTTING] = { "onlinesnapshotting",
				      "online snapshotting",
				      "OnlineSnapshotting" },
	[VMS_RESTORING_SNAPSHOT] = { "restoringsnapshot", "restoring snapshot",
				     "RestoringSnapshot" },
	[VMS_DELETING_SNAPSHOT] = { "deletingsnapshot", "deleting snapshot",
				    "DeletingSnapshot" },
	[VMS_SETTING_UP] = { "settingup", "setting up", "SettingUp" },
	[VMS_SNAPSHOTTING] = { "snapshotting", "offline snapshotting",
			       "Snapshotting" },
};

const char *vm_state_name(enum vm_state s, bool short_form)
{
	if ((unsigned)s >= VMS_COUNT)
		return "unknown";
	return short_form ? state_names[s].mr : state_names[s].human;
}

const char *vm_state_api_name(enum vm_state s)
{
	if ((unsigned)s >= VMS_COUNT)
		return "Null";
	return state_names[s].api;
}

bool vm_state_is_saved(enum vm_state s)
{
	return s == VMS_SAVED || s == VMS_ABORTED_SAVED;
}

bool vm_state_is_online(enum vm_state s)
{
	switch (s) {
	case VMS_POWEROFF:
	case VMS_SAVED:
	case VMS_TELEPORTED:
	case VMS_ABORTED:
	case VMS_ABORTED_SAVED:
	case VMS_COUNT:
		return false;
	default:
		return true;
	}
}

void vm_state_info_release(struct vm_state_info *si)
{
	free(si->state_file);
	si->state_file = NULL;
}

int machine_state_get(struct machine *m, struct vm_state_info *out)
{
	struct snode *mn = machine_elem(m, ME_MACHINE, false);
	const char *sf = snode_attr(mn, "stateFile");
	const char *ts = snode_attr(mn, "lastStateChange");
	bool aborted = snode_bool(mn, "aborted", false);
	enum vm_state live;
	int64_t live_since = 0;
	time_t t;

	memset(out, 0, sizeof(*out));
	if (ts && vb_time_parse_settings(ts, &t) == 0)
		out->since_ms = (int64_t)t * 1000;
	if (sf && *sf) {
		char *slashed = path_slashes(sf);

		out->state_file = slashed ? path_abs_from(machine_folder(m),
							  slashed) : NULL;
		free(slashed);
		if (!out->state_file)
			return -ENOMEM;
	}
	if (sf && *sf)
		out->state = aborted ? VMS_ABORTED_SAVED : VMS_SAVED;
	else
		out->state = aborted ? VMS_ABORTED : VMS_POWEROFF;
	/* The running-VM check point: a live VM process overrides what the
	 * file says. */
	if (state_probe && state_probe(m, &live, &live_since) == 1 &&
	    (unsigned)live < VMS_COUNT) {
		out->state = live;
		if (live_since)
			out->since_ms = live_since;
	}
	return 0;
}
