/*
 * OVA archives.
 *
 * Spec: DMTF DSP0243 (OVF 1.1/2.0) section 5.3: an OVA is a tar archive
 * in the USTAR format of POSIX.1-1988 / IEEE 1003.1, the descriptor first,
 * then the manifest/certificate or the files in References order; VirtualBox
 * writes the descriptor, the disks and the manifest last.
 *
 * Reading goes through libarchive (any tar dialect it knows, no filters:
 * OVAs are not compressed).  Only regular files are accepted; an entry
 * that is a link, a directory or a device, or whose name is absolute,
 * contains a ".." component, a backslash or a control character, is
 * refused -- nothing in a package may name anything outside of it.
 *
 * Writing produces 1988 ustar headers (owner/group names as VirtualBox
 * sets them, mode 0440) ourselves, so that a disk image can be written
 * straight into its entry through a struct mfs view of the archive file
 * and its size filled into the header afterwards.  Limits: entry names up
 * to 100 bytes (no prefix field use), sizes up to 8 GiB - 1 in the octal
 * field, larger sizes in the base-256 extension GNU tar and libarchive
 * read.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/media/media-int.h"
#include "lib/media/ova.h"
#include "lib/util/fileio.h"

#define TAR_BLOCK 512u

/* ------------------------------------------------------------------ */
/* Reading                                                             */

struct ova_reader {
	struct archive *a;
	char *path;
	char *name;                 /* current entry */
	bool in_entry;
	char **seen;                /* names met so far: no duplicates */
	unsigned n_seen;
};

/* An OVA holds a handful of files; more than this is not a package. */
#define OVA_MAX_ENTRIES 4096

static int arc_error(struct ova_reader *r, struct vb_error *err)
{
	const char *msg = archive_error_string(r->a);
	int e = archive_errno(r->a);

	return vb_err(err, e > 0 ? e : EIO, VBOX_E_FILE_ERROR,
		      "Error reading OVA '%s' (VERR_TAR_%s): %s", r->path,
		      e == ENOMEM ? "NO_MEMORY" : "BAD_HEADER",
		      msg ? msg : "damaged archive");
}

int ova_open(const char *path, struct ova_reader **out, struct vb_error *err)
{
	struct ova_reader *r;
	int fd;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r || !(r->path = strdup(path)))
		goto nomem;
	r->a = archive_read_new();
	if (!r->a)
		goto nomem;
	archive_read_support_format_tar(r->a);
	archive_read_support_format_gnutar(r->a);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		ova_close(r);
		return vb_err(err, e, VBOX_E_FILE_ERROR,
			      "Error opening the OVA file '%s' (%s)", path,
			      e == ENOENT ? "VERR_FILE_NOT_FOUND" :
			      e == EACCES ? "VERR_ACCESS_DENIED" :
					    "VERR_OPEN_FAILED");
	}
	if (archive_read_open_fd(r->a, fd, 1u << 20) != ARCHIVE_OK) {
		int rc = arc_error(r, err);

		close(fd);
		ova_close(r);
		return rc;
	}
	*out = r;
	return 0;
nomem:
	ova_close(r);
	return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
}

/* What a non-regular entry is, for the error message. */
static const char *entry_kind(struct archive_entry *e)
{
	if (archive_entry_symlink(e))
		return "symbolic link";
	if (archive_entry_hardlink(e))
		return "hard link";
	switch (archive_entry_filetype(e)) {
	case AE_IFDIR:
		return "directory";
	case AE_IFCHR:
	case AE_IFBLK:
		return "device";
	case AE_IFIFO:
		return "FIFO";
	default:
		return "special file";
	}
}

static bool name_ok(const char *n)
{
	const char *p;

	if (!*n || *n == '/' || strchr(n, '\\'))
		return false;
	for (p = n; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	for (p = n; p; p = strchr(p, '/')) {
		if (*p == '/')
			p++;
		if (p[0] == '.' && p[1] == '.' && (p[2] == '/' || !p[2]))
			return false;
	}
	return true;
}

int ova_next(struct ova_reader *r, const char **name, uint64_t *size,
	     struct vb_error *err)
{
	struct archive_entry *e;
	const char *n;
	int64_t s;
	int rc;

	r->in_entry = false;
	rc = archive_read_next_header(r->a, &e);
	if (rc == ARCHIVE_EOF)
		return 0;
	if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
		return arc_error(r, err);
	n = archive_entry_pathname(e);
	if (!n)
		return vb_err(err, EINVAL, VBOX_E_FILE_ERROR,
			      "Malformed OVA. An entry of '%s' has no name.",
			      r->path);
	if (archive_entry_filetype(e) != AE_IFREG ||
	    archive_entry_hardlink(e) || archive_entry_symlink(e))
		return vb_err(err, EINVAL, VBOX_E_FILE_ERROR,
			      "Malformed OVA. '%s' is not a regular file (%s).",
			      n, entry_kind(e));
	if (!name_ok(n))
		return vb_err(err, EINVAL, VBOX_E_FILE_ERROR,
			      "Malformed OVA. The entry name '%s' is not a plain file name inside the package.",
			      n);
	s = archive_entry_size(e);
	if (s < 0)
		return vb_err(err, EINVAL, VBOX_E_FILE_ERROR,
			      "Malformed OVA. '%s' has an invalid size.", n);
	for (unsigned i = 0; i < r->n_seen; i++)
		if (!strcmp(r->seen[i], n))
			return vb_err(err, EINVAL, VBOX_E_FILE_ERROR,
				      "Malformed OVA. '%s' is in the package more than once.",
				      n);
	if (r->n_seen >= OVA_MAX_ENTRIES)
		return vb_err(err, EINVAL, VBOX_E_FILE_ERROR,
			      "Malformed OVA. '%s' holds more than %u files.",
			      r->path, OVA_MAX_ENTRIES);
	if (!(r->n_seen & (r->n_seen + 1))) {
		/* grow at 0, 1, 3, 7... to the next power of two */
		char **g = realloc(r->seen, (2 * r->n_seen + 2) * sizeof(*g));

		if (!g)
			return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY,
				      "Out of memory");
		r->seen = g;
	}
	free(r->name);
	r->name = strdup(n);
	r->seen[r->n_seen] = r->name ? strdup(n) : NULL;
	if (!r->seen[r->n_seen])
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	r->n_seen++;
	r->in_entry = true;
	*name = r->name;
	*size = (uint64_t)s;
	return 1;
}

ssize_t ova_read(struct ova_reader *r, void *buf, size_t len,
		 struct vb_error *err)
{
	la_ssize_t n;

	if (!r->in_entry)
		return 0;
	n = archive_read_data(r->a, buf, len);
	if (n < 0)
		return arc_error(r, err);
	return n;
}

int ova_extract(struct ova_reader *r, const char *dst, struct ova_hash *h,
		uint64_t max, struct vb_error *err)
{
	const size_t bufsz = 1u << 20;
	uint64_t total = 0;
	uint8_t *buf;
	int fd, rc = 0;

	buf = malloc(bufsz);
	if (!buf)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = vb_err(err, errno, VBOX_E_FILE_ERROR,
			    "Could not create the file '%s' (%s)", dst,
			    strerror(errno));
		free(buf);
		return rc;
	}
	for (;;) {
		ssize_t n = ova_read(r, buf, bufsz, err);

		if (n < 0) {
			rc = (int)n;
			break;
		}
		if (!n)
			break;
		total += (uint64_t)n;
		if (total > max) {
			rc = vb_err(err, EFBIG, VBOX_E_FILE_ERROR,
				    "The file '%s' in the OVA is larger than expected",
				    r->name);
			break;
		}
		ova_hash_update(h, buf, (size_t)n);
		if (vb_write_all(fd, buf, (size_t)n)) {
			rc = vb_err(err, errno, VBOX_E_FILE_ERROR,
				    "Could not write to the file '%s' (%s)", dst,
				    strerror(errno));
			break;
		}
	}
	if (!rc && fsync(fd))
		rc = vb_err(err, errno, VBOX_E_FILE_ERROR,
			    "Could not write to the file '%s' (%s)", dst,
			    strerror(errno));
	close(fd);
	free(buf);
	if (rc)
		unlink(dst);
	return rc;
}

void ova_close(struct ova_reader *r)
{
	if (!r)
		return;
	if (r->a)
		archive_read_free(r->a);
	for (unsigned i = 0; i < r->n_seen; i++)
		free(r->seen[i]);
	free(r->seen);
	free(r->path);
	free(r->name);
	free(r);
}

/* ------------------------------------------------------------------ */
/* Writing                                                             */

struct ova_writer;

/* The file of the entry being written, as an mfile over a region. */
struct rfile {
	struct mfile mf;
	struct ova_writer *w;
};

struct rfs {
	struct mfs fs;
	struct ova_writer *w;
};

struct ova_writer {
	int fd;
	char *path;
	char *owner, *group;
	uint64_t pos;               /* where the next header goes */
	/* entry in progress */
	char *entry;
	uint64_t base;              /* its data offset */
	uint64_t size;              /* bytes written (end of data) */
	bool open_file;
	bool removed;
	struct rfs rfs;
	/* the entry ended last */
	uint64_t last_base, last_size;
	bool failed;
};

static int pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static void octal(char *field, size_t width, uint64_t v)
{
	/* width includes the terminating NUL */
	snprintf(field, width, "%0*llo", (int)(width - 1),
		 (unsigned long long)v);
}

static void put_size(char *field, uint64_t v)
{
	int i;

	if (v < (1ull << 33)) {
		octal(field, 12, v);
		return;
	}
	/* base-256: high bit set in the first byte, big-endian value */
	memset(field, 0, 12);
	field[0] = (char)0x80;
	for (i = 11; i > 3; i--) {
		field[i] = (char)(v & 0xff);
		v >>= 8;
	}
}

static int make_header(struct ova_writer *w, const char *name, uint64_t size,
		       uint8_t hdr[TAR_BLOCK], struct vb_error *err)
{
	char *h = (char *)hdr;
	unsigned sum = 0, i;
	size_t nl = strlen(name);

	if (nl == 0 || nl > 100)
		return vb_err(err, ENAMETOOLONG, VBOX_E_NOT_SUPPORTED,
			      "Cannot add '%s' to the OVA -- file name too long",
			      name);
	memset(hdr, 0, TAR_BLOCK);
	memcpy(h, name, nl);                    /* name[100] */
	octal(h + 100, 8, 0440);                /* mode */
	octal(h + 108, 8, 7);                   /* uid: VBOX_VERSION_MAJOR */
	octal(h + 116, 8, 0);                   /* gid: VBOX_VERSION_MINOR */
	put_size(h + 124, size);                /* size[12] */
	octal(h + 136, 12, (uint64_t)time(NULL)); /* mtime */
	memset(h + 148, ' ', 8);                /* chksum while summing */
	h[156] = '0';                           /* typeflag: regular */
	memcpy(h + 257, "ustar", 6);            /* magic "ustar\0" */
	memcpy(h + 263, "00", 2);               /* version */
	vb_strlcpy(h + 265, w->owner, 32);      /* uname */
	vb_strlcpy(h + 297, w->group, 32);      /* gname */
	for (i = 0; i < TAR_BLOCK; i++)
		sum += hdr[i];
	snprintf(h + 148, 8, "%06o", sum);
	h[155] = ' ';
	return 0;
}

static int pad_to_block(struct ova_writer *w, uint64_t end)
{
	static const uint8_t zeros[TAR_BLOCK];
	uint64_t rem = end % TAR_BLOCK;

	if (!rem)
		return 0;
	return pwrite_all(w->fd, zeros, TAR_BLOCK - (size_t)rem, end);
}

int ova_writer_open(const char *path, const char *owner, const char *group,
		    struct ova_writer **out, struct vb_error *err)
{
	struct ova_writer *w;

	*out = NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	w->fd = -1;
	w->path = strdup(path);
	w->owner = strdup(owner);
	w->group = strdup(group);
	if (!w->path || !w->owner || !w->group) {
		ova_writer_abort(w);
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	}
	w->fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		int e = errno;

		free(w->path);
		w->path = NULL;             /* not ours: do not remove it */
		ova_writer_abort(w);
		return vb_err(err, e, VBOX_E_FILE_ERROR,
			      "Failed to open '%s' for writing (%s)", path,
			      e == EEXIST ? "VERR_ALREADY_EXISTS" :
			      e == ENOENT ? "VERR_PATH_NOT_FOUND" :
			      e == EACCES ? "VERR_ACCESS_DENIED" :
					    "VERR_OPEN_FAILED");
	}
	*out = w;
	return 0;
}

int ova_add_buffer(struct ova_writer *w, const char *name, const void *data,
		   size_t len, struct vb_error *err)
{
	uint8_t hdr[TAR_BLOCK];
	int rc;

	rc = make_header(w, name, len, hdr, err);
	if (rc)
		return rc;
	rc = pwrite_all(w->fd, hdr, TAR_BLOCK, w->pos);
	if (!rc)
		rc = pwrite_all(w->fd, data, len, w->pos + TAR_BLOCK);
	if (!rc)
		rc = pad_to_block(w, w->pos + TAR_BLOCK + len);
	if (rc) {
		w->failed = true;
		return vb_err(err, -rc, VBOX_E_FILE_ERROR,
			      "Could not write '%s' to the OVA '%s' (%s)", name,
			      w->path, strerror(-rc));
	}
	w->last_base = w->pos + TAR_BLOCK;
	w->last_size = len;
	w->pos += TAR_BLOCK + VB_ALIGN_UP((uint64_t)len, TAR_BLOCK);
	return 0;
}

int ova_add_file(struct ova_writer *w, const char *name, const char *src,
		 struct vb_error *err)
{
	const size_t bufsz = 1u << 20;
	uint8_t hdr[TAR_BLOCK], *buf;
	uint64_t off = 0;
	struct stat st;
	int fd, rc;

	fd = open(src, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		rc = vb_err(err, fd < 0 ? errno : EINVAL, VBOX_E_FILE_ERROR,
			    "Could not read the file '%s' (%s)", src,
			    strerror(fd < 0 ? errno : EINVAL));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	rc = make_header(w, name, (uint64_t)st.st_size, hdr, err);
	buf = rc ? NULL : malloc(bufsz);
	if (!rc && !buf)
		rc = vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	if (!rc && (rc = pwrite_all(w->fd, hdr, TAR_BLOCK, w->pos)))
		rc = vb_err(err, -rc, VBOX_E_FILE_ERROR,
			    "Could not write '%s' to the OVA '%s' (%s)", name,
			    w->path, strerror(-rc));
	while (!rc && off < (uint64_t)st.st_size) {
		ssize_t n = pread(fd, buf, bufsz, (off_t)off);

		if (n <= 0) {
			rc = vb_err(err, n < 0 ? errno : EIO, VBOX_E_FILE_ERROR,
				    "Could not read the file '%s'", src);
			break;
		}
		rc = pwrite_all(w->fd, buf, (size_t)n,
				w->pos + TAR_BLOCK + off);
		if (rc)
			rc = vb_err(err, -rc, VBOX_E_FILE_ERROR,
				    "Could not write '%s' to the OVA '%s' (%s)",
				    name, w->path, strerror(-rc));
		off += (uint64_t)n;
	}
	if (!rc && (rc = pad_to_block(w, w->pos + TAR_BLOCK + off)))
		rc = vb_err(err, -rc, VBOX_E_FILE_ERROR,
			    "Could not write '%s' to the OVA '%s' (%s)", name,
			    w->path, strerror(-rc));
	free(buf);
	close(fd);
	if (rc) {
		w->failed = true;
		return rc;
	}
	w->last_base = w->pos + TAR_BLOCK;
	w->last_size = off;
	w->pos += TAR_BLOCK + VB_ALIGN_UP(off, TAR_BLOCK);
	return 0;
}

/* -- the region file system --------------------------------------- */

static ssize_t rf_pread(struct mfile *f, void *buf, size_t len, uint64_t off)
{
	struct ova_writer *w = ((struct rfile *)f)->w;
	ssize_t n;

	if (off >= w->size)
		return 0;
	if (len > w->size - off)
		len = (size_t)(w->size - off);
	do
		n = pread(w->fd, buf, len, (off_t)(w->base + off));
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

static int rf_pwrite(struct mfile *f, const void *buf, size_t len,
		     uint64_t off)
{
	struct ova_writer *w = ((struct rfile *)f)->w;
	uint64_t end;
	int rc;

	if (!ck_add_u64(off, len, &end) || !ck_add_u64(end, w->base, &end))
		return -EFBIG;
	rc = pwrite_all(w->fd, buf, len, w->base + off);
	if (!rc && off + len > w->size)
		w->size = off + len;
	return rc;
}

static int rf_size(struct mfile *f, uint64_t *out)
{
	*out = ((struct rfile *)f)->w->size;
	return 0;
}

static int rf_truncate(struct mfile *f, uint64_t size)
{
	struct ova_writer *w = ((struct rfile *)f)->w;
	uint64_t end;

	if (!ck_add_u64(w->base, size, &end) || end > (uint64_t)INT64_MAX)
		return -EFBIG;
	if (ftruncate(w->fd, (off_t)end))
		return -errno;
	w->size = size;
	return 0;
}

static int rf_sync(struct mfile *f)
{
	return fdatasync(((struct rfile *)f)->w->fd) ? -errno : 0;
}

static void rf_close(struct mfile *f)
{
	((struct rfile *)f)->w->open_file = false;
	free(f);
}

static const struct mfile_ops rf_ops = {
	.pread = rf_pread,
	.pwrite = rf_pwrite,
	.size = rf_size,
	.truncate = rf_truncate,
	.sync = rf_sync,
	.close = rf_close,
};

static int rfs_open(struct mfs *fs, const char *path, unsigned flags,
		    struct mfile **out)
{
	struct ova_writer *w = ((struct rfs *)fs)->w;
	struct rfile *f;

	if (!w->entry || strcmp(path, w->entry) || w->open_file)
		return -ENOENT;
	if ((flags & MF_CREATE) && (w->size || w->removed) &&
	    !(flags & MF_TRUNC))
		return -EEXIST;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->mf.ops = &rf_ops;
	f->mf.fs = fs;
	f->w = w;
	if (flags & MF_TRUNC)
		w->size = 0;
	w->removed = false;
	w->open_file = true;
	*out = &f->mf;
	return 0;
}

static int rfs_remove(struct mfs *fs, const char *path)
{
	struct ova_writer *w = ((struct rfs *)fs)->w;

	if (!w->entry || strcmp(path, w->entry))
		return -ENOENT;
	w->size = 0;
	w->removed = true;
	return 0;
}

static int rfs_rename(struct mfs *fs, const char *from, const char *to)
{
	return -ENOTSUP;
}

static bool rfs_exists(struct mfs *fs, const char *path)
{
	struct ova_writer *w = ((struct rfs *)fs)->w;

	return w->entry && !strcmp(path, w->entry) && w->size && !w->removed;
}

static void rfs_free(struct mfs *fs)
{
}

static const struct mfs_ops rfs_ops = {
	.open = rfs_open,
	.remove = rfs_remove,
	.rename = rfs_rename,
	.exists = rfs_exists,
	.free = rfs_free,
};

struct mfs *ova_entry_begin(struct ova_writer *w, const char *name,
			    struct vb_error *err)
{
	uint8_t hdr[TAR_BLOCK];

	if (w->entry) {
		vb_err(err, EBUSY, VB_E_UNEXPECTED,
		       "An OVA entry is still being written");
		return NULL;
	}
	/* check the name now; the header is written at the end */
	if (make_header(w, name, 0, hdr, err))
		return NULL;
	w->entry = strdup(name);
	if (!w->entry) {
		vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
		return NULL;
	}
	w->base = w->pos + TAR_BLOCK;
	w->size = 0;
	w->removed = false;
	w->rfs.fs.ops = &rfs_ops;
	w->rfs.w = w;
	return &w->rfs.fs;
}

int ova_entry_end(struct ova_writer *w, struct vb_error *err)
{
	uint8_t hdr[TAR_BLOCK];
	int rc;

	if (!w->entry)
		return vb_err(err, EINVAL, VB_E_UNEXPECTED,
			      "No OVA entry is being written");
	rc = make_header(w, w->entry, w->size, hdr, err);
	if (rc)
		goto out;
	rc = pwrite_all(w->fd, hdr, TAR_BLOCK, w->pos);
	if (!rc)
		rc = pad_to_block(w, w->base + w->size);
	if (rc) {
		rc = vb_err(err, -rc, VBOX_E_FILE_ERROR,
			    "Could not write '%s' to the OVA '%s' (%s)",
			    w->entry, w->path, strerror(-rc));
		goto out;
	}
	w->last_base = w->base;
	w->last_size = w->size;
	w->pos = w->base + VB_ALIGN_UP(w->size, TAR_BLOCK);
out:
	if (rc)
		w->failed = true;
	free(w->entry);
	w->entry = NULL;
	return rc;
}

int ova_last_entry_hash(struct ova_writer *w, struct ova_hash *h,
			struct vb_error *err)
{
	return ova_hash_file(w->path, w->last_base, w->last_size, h, err);
}

int ova_writer_finish(struct ova_writer *w, struct vb_error *err)
{
	static const uint8_t zeros[2 * TAR_BLOCK];
	int rc;

	rc = pwrite_all(w->fd, zeros, sizeof(zeros), w->pos);
	if (!rc && ftruncate(w->fd, (off_t)(w->pos + sizeof(zeros))))
		rc = -errno;
	if (!rc && fsync(w->fd))
		rc = -errno;
	if (rc) {
		vb_err(err, -rc, VBOX_E_FILE_ERROR,
		       "Error completing the OVA file '%s' (%s)", w->path,
		       strerror(-rc));
		ova_writer_abort(w);
		return rc;
	}
	close(w->fd);
	w->fd = -1;
	free(w->path);
	free(w->owner);
	free(w->group);
	free(w->entry);
	free(w);
	return 0;
}

void ova_writer_abort(struct ova_writer *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	if (w->path)
		unlink(w->path);
	free(w->path);
	free(w->owner);
	free(w->group);
	free(w->entry);
	free(w);
}
