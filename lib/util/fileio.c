#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util/error.h"
#include "lib/util/fileio.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"

int vb_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int vb_pwrite_all(int fd, const void *buf, size_t len, long long off)
{
	const char *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		off += n;
		len -= (size_t)n;
	}
	return 0;
}

int vb_pread_all(int fd, void *buf, size_t len, long long off)
{
	char *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -ENODATA;
		p += n;
		off += n;
		len -= (size_t)n;
	}
	return 0;
}

int vb_read_file(const char *path, size_t max, char **data, size_t *len,
		 struct vb_error *err)
{
	struct stat st;
	char *buf;
	size_t got = 0, cap;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vb_err(err, errno, VBOX_E_FILE_ERROR,
			      "Could not open the file '%s' (%s)", path,
			      strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = errno ? errno : EISDIR;
		close(fd);
		return vb_err(err, rc, VBOX_E_FILE_ERROR,
			      "'%s' is not a regular file", path);
	}
	if ((unsigned long long)st.st_size > max) {
		close(fd);
		return vb_err(err, EFBIG, VBOX_E_FILE_ERROR,
			      "The file '%s' is too large", path);
	}
	cap = (size_t)st.st_size + 1;
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	}
	for (;;) {
		ssize_t n;

		if (got + 1 >= cap) {
			char *nb;

			if (cap > max) {
				free(buf);
				close(fd);
				return vb_err(err, EFBIG, VBOX_E_FILE_ERROR,
					      "The file '%s' is too large", path);
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				close(fd);
				return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY,
					      "Out of memory");
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + got, cap - got - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = errno;
			free(buf);
			close(fd);
			return vb_err(err, rc, VBOX_E_FILE_ERROR,
				      "Could not read the file '%s' (%s)", path,
				      strerror(rc));
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	*data = buf;
	if (len)
		*len = got;
	return 0;
}

static int fsync_dir_of(const char *path)
{
	char *dir = path_dirname(path);
	int fd, rc = 0;

	if (!dir)
		return -ENOMEM;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0 && errno != EINVAL)
		rc = -errno;
	close(fd);
	return rc;
}

static int write_new(const char *path, const void *data, size_t len, int excl)
{
	int fd, rc;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
			 (excl ? O_EXCL : 0), 0600);
	if (fd < 0)
		return -errno;
	rc = vb_write_all(fd, data, len);
	if (!rc && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	return rc;
}

int vb_write_file(const char *path, const void *data, size_t len,
		  struct vb_error *err)
{
	int rc = write_new(path, data, len, 0);

	if (rc)
		return vb_err(err, -rc, VBOX_E_FILE_ERROR,
			      "Could not write the file '%s' (%s)", path,
			      strerror(-rc));
	return 0;
}

int vb_write_file_atomic(const char *path, const void *data, size_t len,
			 int keep_prev, struct vb_error *err)
{
	char *tmp = vb_asprintf("%s-tmp", path);
	char *prev = vb_asprintf("%s-prev", path);
	struct stat st;
	mode_t mode = 0600;
	int rc;

	if (!tmp || !prev) {
		rc = vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
		goto out;
	}
	if (stat(path, &st) == 0)
		mode = st.st_mode & 07777;
	unlink(tmp);
	rc = write_new(tmp, data, len, 1);
	if (rc) {
		unlink(tmp);
		rc = vb_err(err, -rc, VBOX_E_FILE_ERROR,
			    "Could not write the settings file '%s' (%s)", tmp,
			    strerror(-rc));
		goto out;
	}
	chmod(tmp, mode);
	if (keep_prev && lstat(path, &st) == 0 && st.st_size >= 16) {
		if (rename(path, prev) < 0) {
			rc = -errno;
			unlink(tmp);
			rc = vb_err(err, -rc, VBOX_E_FILE_ERROR,
				    "Could not rename '%s' to '%s' (%s)", path,
				    prev, strerror(-rc));
			goto out;
		}
	}
	if (rename(tmp, path) < 0) {
		rc = -errno;
		/* put the previous generation back where it was */
		if (keep_prev)
			rename(prev, path);
		unlink(tmp);
		rc = vb_err(err, -rc, VBOX_E_FILE_ERROR,
			    "Could not rename '%s' to '%s' (%s)", tmp, path,
			    strerror(-rc));
		goto out;
	}
	fsync_dir_of(path);
	rc = 0;
out:
	free(tmp);
	free(prev);
	return rc;
}

int vb_copy_file(const char *src, const char *dst, int overwrite,
		 struct vb_error *err)
{
	char buf[65536];
	int in, out, rc = 0;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return vb_err(err, errno, VBOX_E_FILE_ERROR,
			      "Could not open '%s' (%s)", src, strerror(errno));
	out = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC |
			(overwrite ? O_TRUNC : O_EXCL), 0600);
	if (out < 0) {
		rc = errno;
		close(in);
		return vb_err(err, rc, VBOX_E_FILE_ERROR,
			      "Could not create '%s' (%s)", dst, strerror(rc));
	}
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			break;
		}
		if (n == 0)
			break;
		rc = vb_write_all(out, buf, (size_t)n);
		if (rc)
			break;
	}
	if (!rc && fsync(out) < 0)
		rc = -errno;
	close(out);
	close(in);
	if (rc) {
		unlink(dst);
		return vb_err(err, -rc, VBOX_E_FILE_ERROR,
			      "Could not copy '%s' to '%s' (%s)", src, dst,
			      strerror(-rc));
	}
	return 0;
}
