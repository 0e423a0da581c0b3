/*
 * Backing files for images: the host file system (POSIX pread/pwrite,
 * fdatasync, fallocate) and an in-memory file system for tests and
 * fuzzers, with injectable I/O errors and a size limit (full disk).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/media/media-int.h"

/* ------------------------------------------------------------------ */
/* Helpers over the ops                                                */

int mf_pread(struct mfile *f, void *buf, size_t len, uint64_t off)
{
	ssize_t n = f->ops->pread(f, buf, len, off);

	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -EIO;
}

int mf_pread_zero(struct mfile *f, void *buf, size_t len, uint64_t off)
{
	ssize_t n = f->ops->pread(f, buf, len, off);

	if (n < 0)
		return (int)n;
	if ((size_t)n < len)
		memset((uint8_t *)buf + n, 0, len - (size_t)n);
	return 0;
}

int mf_pwrite(struct mfile *f, const void *buf, size_t len, uint64_t off)
{
	uint64_t end;

	if (!ck_add_u64(off, len, &end) || end > (uint64_t)INT64_MAX)
		return -EFBIG;
	return f->ops->pwrite(f, buf, len, off);
}

int mf_size(struct mfile *f, uint64_t *out)
{
	return f->ops->size(f, out);
}

int mf_truncate(struct mfile *f, uint64_t size)
{
	if (size > (uint64_t)INT64_MAX)
		return -EFBIG;
	return f->ops->truncate(f, size);
}

int mf_sync(struct mfile *f)
{
	return f->ops->sync(f);
}

void mf_close(struct mfile *f)
{
	if (f)
		f->ops->close(f);
}

/* ------------------------------------------------------------------ */
/* POSIX                                                               */

struct pfile {
	struct mfile mf;
	int fd;
};

static ssize_t px_pread(struct mfile *f, void *buf, size_t len, uint64_t off)
{
	struct pfile *p = (struct pfile *)f;
	size_t done = 0;

	if (off > (uint64_t)INT64_MAX)
		return 0;
	while (done < len) {
		ssize_t n = pread(p->fd, (uint8_t *)buf + done, len - done,
				  (off_t)(off + done));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

static int px_pwrite(struct mfile *f, const void *buf, size_t len,
		     uint64_t off)
{
	struct pfile *p = (struct pfile *)f;
	size_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(p->fd, (const uint8_t *)buf + done,
				   len - done, (off_t)(off + done));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		done += (size_t)n;
	}
	return 0;
}

static int px_size(struct mfile *f, uint64_t *out)
{
	struct pfile *p = (struct pfile *)f;
	struct stat st;

	if (fstat(p->fd, &st))
		return -errno;
	if (S_ISBLK(st.st_mode)) {
		off_t end = lseek(p->fd, 0, SEEK_END);

		if (end < 0)
			return -errno;
		*out = (uint64_t)end;
		return 0;
	}
	*out = (uint64_t)st.st_size;
	return 0;
}

static int px_allocated(struct mfile *f, uint64_t *out)
{
	struct pfile *p = (struct pfile *)f;
	struct stat st;

	if (fstat(p->fd, &st))
		return -errno;
	*out = (uint64_t)st.st_blocks * 512;
	return 0;
}

static int px_truncate(struct mfile *f, uint64_t size)
{
	struct pfile *p = (struct pfile *)f;

	while (ftruncate(p->fd, (off_t)size)) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

static int px_sync(struct mfile *f)
{
	struct pfile *p = (struct pfile *)f;

	if (fdatasync(p->fd))
		return errno == EINVAL ? 0 : -errno;
	return 0;
}

static int px_reserve(struct mfile *f, uint64_t size)
{
	struct pfile *p = (struct pfile *)f;
	int rc;

	if (!size)
		return 0;
	rc = posix_fallocate(p->fd, 0, (off_t)size);
	if (rc == EOPNOTSUPP || rc == EINVAL)
		return px_truncate(f, size);
	return -rc;
}

static void px_close(struct mfile *f)
{
	struct pfile *p = (struct pfile *)f;

	close(p->fd);
	free(p);
}

static const struct mfile_ops px_file_ops = {
	.pread = px_pread,
	.pwrite = px_pwrite,
	.size = px_size,
	.truncate = px_truncate,
	.sync = px_sync,
	.reserve = px_reserve,
	.allocated = px_allocated,
	.close = px_close,
};

static int px_open(struct mfs *fs, const char *path, unsigned flags,
		   struct mfile **out)
{
	struct pfile *p;
	int oflags = O_CLOEXEC, fd;
	struct stat st;

	if (flags & MF_CREATE) {
		oflags |= O_RDWR | O_CREAT;
		oflags |= (flags & MF_TRUNC) ? O_TRUNC : O_EXCL;
	} else {
		oflags |= (flags & MF_RDWR) ? O_RDWR : O_RDONLY;
	}
	do
		fd = open(path, oflags, 0600);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || S_ISDIR(st.st_mode)) {
		close(fd);
		return -EISDIR;
	}
	if (flags & (MF_LOCK_SH | MF_LOCK_EX)) {
		int op = (flags & MF_LOCK_EX) ? LOCK_EX : LOCK_SH;

		while (flock(fd, op | LOCK_NB)) {
			int e = errno;

			if (e == EINTR)
				continue;
			close(fd);
			return e == EWOULDBLOCK ? -EBUSY : -e;
		}
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		close(fd);
		return -ENOMEM;
	}
	p->mf.ops = &px_file_ops;
	p->mf.fs = fs;
	p->fd = fd;
	*out = &p->mf;
	return 0;
}

static int px_remove(struct mfs *fs, const char *path)
{
	return unlink(path) ? -errno : 0;
}

static int px_rename(struct mfs *fs, const char *from, const char *to)
{
	return rename(from, to) ? -errno : 0;
}

static bool px_exists(struct mfs *fs, const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static void px_free(struct mfs *fs)
{
}

static const struct mfs_ops px_fs_ops = {
	.open = px_open,
	.remove = px_remove,
	.rename = px_rename,
	.exists = px_exists,
	.free = px_free,
};

static struct mfs px_fs = { &px_fs_ops };

int media_lock_state(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		rc = 0;
	else if (flock(fd, LOCK_SH | LOCK_NB) == 0)
		rc = 1;
	else
		rc = 2;
	close(fd);
	return rc;
}

struct mfs *mfs_posix(void)
{
	return &px_fs;
}

/* ------------------------------------------------------------------ */
/* In memory                                                           */

struct memnode {
	char *name;
	uint8_t *data;
	size_t len, cap;
	unsigned refs;          /* open handles */
	bool unlinked;
	struct memnode *next;
};

struct memfs {
	struct mfs fs;
	pthread_mutex_t lock;
	struct memnode *files;
	long fail_after;        /* < 0: off */
	bool fail_sticky;
	bool failed;
	long ops;
	uint64_t limit;
	bool tracing;
	struct mfs_trace_op *trace;
	size_t ntrace, atrace;
};

struct memfile {
	struct mfile mf;
	struct memnode *node;
	bool writable;
};

static struct memfs *to_memfs(struct mfs *fs)
{
	return (struct memfs *)fs;
}

static void mem_trace(struct memfs *m, char op, const struct memnode *n,
		      uint64_t off, uint64_t len)
{
	struct mfs_trace_op *t;

	if (!m->tracing)
		return;
	if (m->ntrace == m->atrace) {
		size_t na = m->atrace ? m->atrace * 2 : 64;

		t = realloc(m->trace, na * sizeof(*t));
		if (!t)
			return;
		m->trace = t;
		m->atrace = na;
	}
	t = &m->trace[m->ntrace++];
	t->op = op;
	t->off = off;
	t->len = len;
	snprintf(t->file, sizeof(t->file), "%s", n->name);
}

/* Count an operation; true when it must fail.  Called locked. */
static bool mem_inject(struct memfs *m)
{
	m->ops++;
	if (m->failed && m->fail_sticky)
		return true;
	if (m->fail_after < 0)
		return false;
	if (m->fail_after == 0) {
		m->failed = true;
		m->fail_after = -1;
		return true;
	}
	m->fail_after--;
	return false;
}

static struct memnode *mem_find(struct memfs *m, const char *name)
{
	struct memnode *n;

	for (n = m->files; n; n = n->next)
		if (!n->unlinked && !strcmp(n->name, name))
			return n;
	return NULL;
}

static void mem_node_unref(struct memfs *m, struct memnode *n)
{
	struct memnode **pp;

	if (--n->refs || !n->unlinked)
		return;
	for (pp = &m->files; *pp; pp = &(*pp)->next) {
		if (*pp == n) {
			*pp = n->next;
			break;
		}
	}
	free(n->name);
	free(n->data);
	free(n);
}

static int mem_reserve_len(struct memnode *n, size_t len)
{
	size_t cap;
	uint8_t *d;

	if (len <= n->cap)
		return 0;
	cap = n->cap ? n->cap : 4096;
	while (cap < len) {
		if (cap > SIZE_MAX / 2)
			return -ENOMEM;
		cap *= 2;
	}
	d = realloc(n->data, cap);
	if (!d)
		return -ENOMEM;
	memset(d + n->cap, 0, cap - n->cap);
	n->data = d;
	n->cap = cap;
	return 0;
}

static ssize_t mem_pread(struct mfile *f, void *buf, size_t len, uint64_t off)
{
	struct memfile *mf = (struct memfile *)f;
	struct memfs *m = to_memfs(f->fs);
	size_t n = 0;

	pthread_mutex_lock(&m->lock);
	if (mem_inject(m)) {
		pthread_mutex_unlock(&m->lock);
		return -EIO;
	}
	mem_trace(m, 'r', mf->node, off, len);
	if (off < mf->node->len) {
		n = mf->node->len - (size_t)off;
		if (n > len)
			n = len;
		memcpy(buf, mf->node->data + off, n);
	}
	pthread_mutex_unlock(&m->lock);
	return (ssize_t)n;
}

static int mem_pwrite(struct mfile *f, const void *buf, size_t len,
		      uint64_t off)
{
	struct memfile *mf = (struct memfile *)f;
	struct memfs *m = to_memfs(f->fs);
	uint64_t end = off + len;
	int rc = 0;

	pthread_mutex_lock(&m->lock);
	if (!mf->writable)
		rc = -EBADF;
	else if (mem_inject(m))
		rc = -EIO;
	else if ((m->limit && end > m->limit) || end > SIZE_MAX / 2)
		rc = -ENOSPC;
	else
		rc = mem_reserve_len(mf->node, (size_t)end);
	if (!rc) {
		mem_trace(m, 'w', mf->node, off, len);
		memcpy(mf->node->data + off, buf, len);
		if (end > mf->node->len)
			mf->node->len = (size_t)end;
	}
	pthread_mutex_unlock(&m->lock);
	return rc;
}

static int mem_size(struct mfile *f, uint64_t *out)
{
	struct memfile *mf = (struct memfile *)f;
	struct memfs *m = to_memfs(f->fs);

	pthread_mutex_lock(&m->lock);
	*out = mf->node->len;
	pthread_mutex_unlock(&m->lock);
	return 0;
}

static int mem_truncate(struct mfile *f, uint64_t size)
{
	struct memfile *mf = (struct memfile *)f;
	struct memfs *m = to_memfs(f->fs);
	int rc = 0;

	pthread_mutex_lock(&m->lock);
	if (!mf->writable)
		rc = -EBADF;
	else if (mem_inject(m))
		rc = -EIO;
	else if ((m->limit && size > m->limit) || size > SIZE_MAX / 2)
		rc = -ENOSPC;
	else if (size > mf->node->len)
		rc = mem_reserve_len(mf->node, (size_t)size);
	if (!rc) {
		mem_trace(m, 't', mf->node, size, 0);
		if (size < mf->node->len)
			memset(mf->node->data + size, 0,
			       mf->node->len - (size_t)size);
		mf->node->len = (size_t)size;
	}
	pthread_mutex_unlock(&m->lock);
	return rc;
}

static int mem_sync(struct mfile *f)
{
	struct memfs *m = to_memfs(f->fs);
	struct memfile *mf = (struct memfile *)f;
	int rc = 0;

	pthread_mutex_lock(&m->lock);
	if (mem_inject(m))
		rc = -EIO;
	else
		mem_trace(m, 's', mf->node, 0, 0);
	pthread_mutex_unlock(&m->lock);
	return rc;
}

static int mem_reserve(struct mfile *f, uint64_t size)
{
	struct memfile *mf = (struct memfile *)f;
	uint64_t cur;

	mem_size(f, &cur);
	(void)mf;
	if (size <= cur)
		return 0;
	return mem_truncate(f, size);
}

static void mem_close(struct mfile *f)
{
	struct memfile *mf = (struct memfile *)f;
	struct memfs *m = to_memfs(f->fs);

	pthread_mutex_lock(&m->lock);
	mem_node_unref(m, mf->node);
	pthread_mutex_unlock(&m->lock);
	free(mf);
}

static const struct mfile_ops mem_file_ops = {
	.pread = mem_pread,
	.pwrite = mem_pwrite,
	.size = mem_size,
	.truncate = mem_truncate,
	.sync = mem_sync,
	.reserve = mem_reserve,
	.allocated = NULL,
	.close = mem_close,
};

static struct memnode *mem_new_node(struct memfs *m, const char *name)
{
	struct memnode *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->name = strdup(name);
	if (!n->name) {
		free(n);
		return NULL;
	}
	n->next = m->files;
	m->files = n;
	return n;
}

static int mem_open(struct mfs *fs, const char *path, unsigned flags,
		    struct mfile **out)
{
	struct memfs *m = to_memfs(fs);
	struct memnode *n;
	struct memfile *mf;
	int rc = 0;

	mf = calloc(1, sizeof(*mf));
	if (!mf)
		return -ENOMEM;
	pthread_mutex_lock(&m->lock);
	if (mem_inject(m)) {
		rc = -EIO;
		goto out;
	}
	n = mem_find(m, path);
	if (flags & MF_CREATE) {
		if (n && !(flags & MF_TRUNC)) {
			rc = -EEXIST;
			goto out;
		}
		if (n)
			n->len = 0;
		else if (!(n = mem_new_node(m, path))) {
			rc = -ENOMEM;
			goto out;
		}
	} else if (!n) {
		rc = -ENOENT;
		goto out;
	}
	n->refs++;
	mf->mf.ops = &mem_file_ops;
	mf->mf.fs = fs;
	mf->node = n;
	mf->writable = (flags & (MF_RDWR | MF_CREATE)) != 0;
	*out = &mf->mf;
	mf = NULL;
out:
	pthread_mutex_unlock(&m->lock);
	free(mf);
	return rc;
}

static int mem_remove(struct mfs *fs, const char *path)
{
	struct memfs *m = to_memfs(fs);
	struct memnode *n;
	int rc = 0;

	pthread_mutex_lock(&m->lock);
	n = mem_find(m, path);
	if (!n) {
		rc = -ENOENT;
	} else {
		n->unlinked = true;
		n->refs++;
		mem_node_unref(m, n);
	}
	pthread_mutex_unlock(&m->lock);
	return rc;
}

static int mem_rename(struct mfs *fs, const char *from, const char *to)
{
	struct memfs *m = to_memfs(fs);
	struct memnode *n, *old;
	char *name;
	int rc = 0;

	pthread_mutex_lock(&m->lock);
	n = mem_find(m, from);
	if (!n) {
		rc = -ENOENT;
		goto out;
	}
	name = strdup(to);
	if (!name) {
		rc = -ENOMEM;
		goto out;
	}
	old = mem_find(m, to);
	if (old && old != n) {
		old->unlinked = true;
		old->refs++;
		mem_node_unref(m, old);
	}
	free(n->name);
	n->name = name;
out:
	pthread_mutex_unlock(&m->lock);
	return rc;
}

static bool mem_exists(struct mfs *fs, const char *path)
{
	struct memfs *m = to_memfs(fs);
	bool r;

	pthread_mutex_lock(&m->lock);
	r = mem_find(m, path) != NULL;
	pthread_mutex_unlock(&m->lock);
	return r;
}

static void mem_free(struct mfs *fs)
{
	struct memfs *m = to_memfs(fs);
	struct memnode *n, *next;

	for (n = m->files; n; n = next) {
		next = n->next;
		free(n->name);
		free(n->data);
		free(n);
	}
	pthread_mutex_destroy(&m->lock);
	free(m->trace);
	free(m);
}

static const struct mfs_ops mem_fs_ops = {
	.open = mem_open,
	.remove = mem_remove,
	.rename = mem_rename,
	.exists = mem_exists,
	.free = mem_free,
};

struct mfs *mfs_mem_new(void)
{
	struct memfs *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->fs.ops = &mem_fs_ops;
	pthread_mutex_init(&m->lock, NULL);
	m->fail_after = -1;
	return &m->fs;
}

int mfs_mem_put(struct mfs *fs, const char *path, const void *data,
		size_t len)
{
	struct memfs *m = to_memfs(fs);
	struct memnode *n;
	int rc = 0;

	pthread_mutex_lock(&m->lock);
	n = mem_find(m, path);
	if (!n && !(n = mem_new_node(m, path)))
		rc = -ENOMEM;
	if (!rc) {
		n->len = 0;
		rc = mem_reserve_len(n, len ? len : 1);
	}
	if (!rc) {
		if (len)
			memcpy(n->data, data, len);
		n->len = len;
	}
	pthread_mutex_unlock(&m->lock);
	return rc;
}

const uint8_t *mfs_mem_get(struct mfs *fs, const char *path, size_t *len)
{
	struct memfs *m = to_memfs(fs);
	struct memnode *n;

	pthread_mutex_lock(&m->lock);
	n = mem_find(m, path);
	if (n)
		*len = n->len;
	pthread_mutex_unlock(&m->lock);
	return n ? n->data : NULL;
}

void mfs_mem_fail_after(struct mfs *fs, long ops, bool sticky)
{
	struct memfs *m = to_memfs(fs);

	pthread_mutex_lock(&m->lock);
	m->fail_after = ops;
	m->fail_sticky = sticky;
	m->failed = false;
	pthread_mutex_unlock(&m->lock);
}

long mfs_mem_op_count(struct mfs *fs)
{
	struct memfs *m = to_memfs(fs);
	long n;

	pthread_mutex_lock(&m->lock);
	n = m->ops;
	pthread_mutex_unlock(&m->lock);
	return n;
}

void mfs_mem_set_limit(struct mfs *fs, uint64_t max_file_size)
{
	struct memfs *m = to_memfs(fs);

	pthread_mutex_lock(&m->lock);
	m->limit = max_file_size;
	pthread_mutex_unlock(&m->lock);
}

void mfs_mem_trace(struct mfs *fs, bool on)
{
	struct memfs *m = to_memfs(fs);

	pthread_mutex_lock(&m->lock);
	m->tracing = on;
	m->ntrace = 0;
	pthread_mutex_unlock(&m->lock);
}

const struct mfs_trace_op *mfs_mem_trace_ops(struct mfs *fs, size_t *n)
{
	struct memfs *m = to_memfs(fs);

	*n = m->ntrace;
	return m->trace;
}
