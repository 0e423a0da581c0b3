/*
 * The session lock: a running VM holds an exclusive lock on
 * <runtime dir>/<uuid>.lock for its whole life (ARCHITECTURE.md, "No
 * daemon").  The runtime directory is $XDG_RUNTIME_DIR/vbox, else
 * /tmp/.vbox-<user>-ipc, private to the user.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util/path.h"
#include "lib/util/strbuf.h"
#include "lib/vmm/vmctl.h"
#include "lib/vmm/vmm-int.h"

int vmm_runtime_dir(char **out, struct vb_error *err)
{
	char *dir = vmm_ctl_runtime_dir();
	struct stat st;
	int rc;

	*out = NULL;
	if (!dir)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	rc = path_mkdirs(dir, 0700);
	if (rc < 0 || lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 0077)) {
		vb_err(err, rc < 0 ? -rc : EACCES, VB_E_ACCESSDENIED,
		       "The session directory '%s' is missing, not owned by you or accessible by others",
		       dir);
		free(dir);
		return -EACCES;
	}
	*out = dir;
	return 0;
}

int vmm_session_lock(const char *uuid, const char *name, struct vb_lock *lk,
		     char **rdir, struct vb_error *err)
{
	char *dir, *lockfile;
	int rc;

	*rdir = NULL;
	rc = vmm_runtime_dir(&dir, err);
	if (rc)
		return rc;
	lockfile = vb_asprintf("%s/%s.lock", dir, uuid);
	if (!lockfile) {
		free(dir);
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	}
	rc = vb_lock_try(lk, lockfile, 1, NULL);
	free(lockfile);
	if (rc == -EWOULDBLOCK || rc == -EAGAIN) {
		free(dir);
		vb_err(err, EBUSY, VBOX_E_INVALID_OBJECT_STATE,
		       "The machine '%s' is already locked by a session (or being locked or unlocked)",
		       name);
		vb_err_where(err, "MachineWrap", "IMachine", "nsISupports");
		return -EBUSY;
	}
	if (rc < 0) {
		vb_err(err, -rc, VB_E_FAIL, "Cannot take the session lock in '%s' (%s)",
		       dir, strerror(-rc));
		free(dir);
		return rc;
	}
	*rdir = dir;
	return 0;
}
