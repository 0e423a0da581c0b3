/*
 * Advisory file locks (flock) serialising read-modify-write cycles of
 * settings files between VBoxManage processes.
 */
#ifndef VB_UTIL_LOCK_H
#define VB_UTIL_LOCK_H

struct vb_error;

struct vb_lock {
	int fd;                 /* -1 when not held */
};

#define VB_LOCK_INIT { -1 }

/* Take the lock on lockfile (created if missing), waiting for it. */
int vb_lock_acquire(struct vb_lock *lk, const char *lockfile, int exclusive,
		    struct vb_error *err);
/* Non-blocking: -EWOULDBLOCK when someone else holds it. */
int vb_lock_try(struct vb_lock *lk, const char *lockfile, int exclusive,
		struct vb_error *err);
void vb_lock_release(struct vb_lock *lk);

/* A stable file name for the lock of a given settings file: 16 hex digits
 * of a hash of its absolute path, plus ".lock".  buf >= 24 bytes. */
char *vb_lock_name_for(const char *abs_path, char *buf, unsigned long size);

#endif
