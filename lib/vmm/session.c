/*
 * The session lock: a running VM holds an exclusive lock on
 * <runtime dir>/<uuid>.lock for its whole life (ARCHITECTURE.md, "No
 * daemon").  The runtime directory is $XDG_RUNTIME_DIR/vbox, else
 * /tmp/.vbox-<user>-ipc, private to the user.
 */
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util/path.h"
#include "lib/util/strbuf.h"
#include "lib/vmm/vmm-int.h"

static char *runtime_dir(void)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	struct passwd *pw;

	if (xdg && *xdg && path_is_abs(xdg))
		return path_join(xdg, "vbox");
	pw = getpwuid(getuid());
	if (pw && pw->pw_name)
		return vb_asprintf("/tmp/.vbox-%s-ipc", pw->pw_name);
	return vb_asprintf("/tmp/.vbox-%u-ipc", (unsigned)getuid());
}

int vmm_session_lock(const char *uuid, const char *name, struct vb_lock *lk,
		     char **rdir, struct vb_error *err)
{
	char *dir = runtime_dir(), *lockfile;
	struct stat st;
	int rc;

	*rdir = NULL;
	if (!dir)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	rc = path_mkdirs(dir, 0700);
	if (rc < 0 || lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != getuid() || (st.st_mode & 0077)) {
		vb_err(err, rc < 0 ? -rc : EACCES, VB_E_ACCESSDENIED,
		       "The session directory '%s' is missing, not owned by you or accessible by others",
		       dir);
		free(dir);
		return -EACCES;
	}
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
