/*
 * Whole-file reads and crash-safe whole-file writes.
 */
#ifndef VB_UTIL_FILEIO_H
#define VB_UTIL_FILEIO_H

#include <stddef.h>

struct vb_error;

/* Read a whole file (at most max bytes, else -EFBIG).  *data is
 * NUL-terminated and must be freed.  0 or -errno. */
int vb_read_file(const char *path, size_t max, char **data, size_t *len,
		 struct vb_error *err);

/*
 * Replace path with data the way VirtualBox saves settings: write
 * "<path>-tmp" and fsync it; if path exists (and keep_prev), rename it to
 * "<path>-prev"; rename the temporary file into place; fsync the directory.
 * On failure the old file is untouched and the temporary file removed.
 */
int vb_write_file_atomic(const char *path, const void *data, size_t len,
			 int keep_prev, struct vb_error *err);

/* Write a file in one go (create/truncate, fsync). 0 or -errno. */
int vb_write_file(const char *path, const void *data, size_t len,
		  struct vb_error *err);

/* Copy a file (used for version-bump backups). 0 or -errno. */
int vb_copy_file(const char *src, const char *dst, int overwrite,
		 struct vb_error *err);

/* write(2)/pwrite(2)/pread(2) looping over short transfers and EINTR. */
int vb_write_all(int fd, const void *buf, size_t len);
int vb_pwrite_all(int fd, const void *buf, size_t len, long long off);
int vb_pread_all(int fd, void *buf, size_t len, long long off);

#endif
