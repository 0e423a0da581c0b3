#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "lib/util/error.h"
#include "lib/util/lock.h"

static int lock_common(struct vb_lock *lk, const char *lockfile,
		       int exclusive, int nonblock, struct vb_error *err)
{
	int fd, op = exclusive ? LOCK_EX : LOCK_SH;

	lk->fd = -1;
	fd = open(lockfile, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return vb_err(err, errno, VBOX_E_FILE_ERROR,
			      "Could not open the lock file '%s' (%s)",
			      lockfile, strerror(errno));
	if (nonblock)
		op |= LOCK_NB;
	while (flock(fd, op) < 0) {
		int e = errno;

		if (e == EINTR)
			continue;
		close(fd);
		if (e == EWOULDBLOCK)
			return -EWOULDBLOCK;
		return vb_err(err, e, VBOX_E_FILE_ERROR,
			      "Could not lock '%s' (%s)", lockfile,
			      strerror(e));
	}
	lk->fd = fd;
	return 0;
}

int vb_lock_acquire(struct vb_lock *lk, const char *lockfile, int exclusive,
		    struct vb_error *err)
{
	return lock_common(lk, lockfile, exclusive, 0, err);
}

int vb_lock_try(struct vb_lock *lk, const char *lockfile, int exclusive,
		struct vb_error *err)
{
	return lock_common(lk, lockfile, exclusive, 1, err);
}

void vb_lock_release(struct vb_lock *lk)
{
	if (lk->fd >= 0) {
		flock(lk->fd, LOCK_UN);
		close(lk->fd);
		lk->fd = -1;
	}
}

char *vb_lock_name_for(const char *abs_path, char *buf, unsigned long size)
{
	uint64_t h = 0xcbf29ce484222325ull;         /* FNV-1a */
	const unsigned char *p;

	for (p = (const unsigned char *)abs_path; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ull;
	}
	snprintf(buf, size, "%016llx.lock", (unsigned long long)h);
	return buf;
}
