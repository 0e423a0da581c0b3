/*
 * The generic image layer: the format table, probing, opening chains,
 * splitting unaligned I/O into 512-byte aligned driver requests, reading
 * through differencing chains, locking and the modification-UUID life
 * cycle (VirtualBox's VD layer does the same jobs).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/media/media-int.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"

/* VirtualBox's back-end order is the probe order; RAW comes last and
 * accepts anything. */
const struct media_driver *const media_formats[] = {
	&media_drv_vmdk,
	&media_drv_vdi,
	&media_drv_vhd,
	&media_drv_raw,
	NULL,
};

bool media_is_zero(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t i, head = len < 64 ? len : 64;

	for (i = 0; i < head; i++)
		if (p[i])
			return false;
	if (len <= 64)
		return true;
	/* p[0..63] are zero; comparing the buffer with itself shifted by
	 * 64 bytes checks the rest in one optimised memcmp pass. */
	return memcmp(p, p + 64, len - 64) == 0;
}

bool media_buf_is_zero(const void *buf, size_t len)
{
	return media_is_zero(buf, len);
}

static const struct media_driver *driver_by_name(const char *name)
{
	unsigned i;

	for (i = 0; media_formats[i]; i++)
		if (!strcasecmp(media_formats[i]->name, name))
			return media_formats[i];
	return NULL;
}

const char *media_format_name(const char *format)
{
	const struct media_driver *d = format ? driver_by_name(format) : NULL;

	return d ? d->name : NULL;
}

unsigned media_format_caps(const char *format)
{
	const struct media_driver *d = format ? driver_by_name(format) : NULL;

	return d ? d->caps : 0;
}

static const struct media_property props_vdi[] = {
	{ "AllocationBlockSize", "1048576", "int", 0x04 },
	{ NULL, NULL, NULL, 0 },
};
static const struct media_property props_vmdk[] = {
	{ "BootSector", "", "string", 0x04 },
	{ "Partitions", "", "string", 0x04 },
	{ "RawDrive", "", "string", 0x04 },
	{ "Relative", "", "string", 0x04 },
	{ NULL, NULL, NULL, 0 },
};
static const struct media_property props_none[] = {
	{ NULL, NULL, NULL, 0 },
};

const struct media_property *media_format_props(const char *format)
{
	if (format && !strcasecmp(format, "VDI"))
		return props_vdi;
	if (format && !strcasecmp(format, "VMDK"))
		return props_vmdk;
	return props_none;
}

const char *media_format_at(unsigned i)
{
	unsigned n;

	for (n = 0; n <= i; n++)
		if (!media_formats[n])
			return NULL;
	return media_formats[i]->name;
}

const char *media_format_ext_at(const char *format, unsigned i, int *kind)
{
	const struct media_driver *d = format ? driver_by_name(format) : NULL;
	const char *e;
	unsigned n;

	if (!d || !d->exts)
		return NULL;
	for (n = 0; n <= i; n++)
		if (!d->exts[n])
			return NULL;
	e = d->exts[i];
	/* only RAW serves more than hard disks: its optical and floppy
	 * image extensions */
	if (d != &media_drv_raw)
		*kind = 0;
	else if (!strcmp(e, "iso") || !strcmp(e, "cdr"))
		*kind = 1;
	else
		*kind = 2;
	return e;
}

const char *media_format_ext(const char *format)
{
	const struct media_driver *d = format ? driver_by_name(format) : NULL;

	return d && d->exts && d->exts[0] ? d->exts[0] : "";
}

char *media_sibling(const struct medium *m, const char *name)
{
	char *dir, *r;

	if (path_is_abs(name))
		return strdup(name);
	dir = path_dirname(m->path);
	if (!dir)
		return NULL;
	if (!strcmp(dir, ".") && !strchr(m->path, '/')) {
		free(dir);
		return strdup(name);
	}
	r = path_is_abs(dir) ? path_abs_from(dir, name) : path_join(dir, name);
	free(dir);
	return r;
}

static const struct media_driver *probe_file(struct mfile *f,
					     const char *path)
{
	const struct media_driver *best = NULL;
	int best_score = 0;
	uint64_t size;
	unsigned i;

	if (mf_size(f, &size))
		return NULL;
	for (i = 0; media_formats[i]; i++) {
		int s = media_formats[i]->probe(f, size, path);

		if (s > best_score) {
			best_score = s;
			best = media_formats[i];
		}
	}
	return best;
}

static struct medium *medium_alloc(struct mfs *fs, const char *path,
				   unsigned flags)
{
	struct medium *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->fs = fs;
	m->flags = flags;
	m->path = fs == mfs_posix() ? path_abs(path) : strdup(path);
	if (!m->path) {
		free(m);
		return NULL;
	}
	pthread_rwlock_init(&m->lock, NULL);
	pthread_mutex_init(&m->rmw_lock, NULL);
	return m;
}

static void medium_free(struct medium *m)
{
	pthread_rwlock_destroy(&m->lock);
	pthread_mutex_destroy(&m->rmw_lock);
	free(m->path);
	free(m->comment);
	free(m->parent_hint);
	free(m);
}

static int open_one(const char *path, const struct media_open_opts *o,
		    unsigned depth, struct medium **out, struct vb_error *err);

/* IPRT's name for an errno, as VirtualBox prints it. */
const char *media_vbox_status(int neg_errno)
{
	switch (-neg_errno) {
	case ENOENT: return "VERR_FILE_NOT_FOUND";
	case ENOTDIR: return "VERR_PATH_NOT_FOUND";
	case EACCES: case EPERM: return "VERR_ACCESS_DENIED";
	case EISDIR: return "VERR_IS_A_DIRECTORY";
	case EEXIST: return "VERR_ALREADY_EXISTS";
	case ENOSPC: return "VERR_DISK_FULL";
	case ENOMEM: return "VERR_NO_MEMORY";
	case EBUSY: return "VERR_SHARING_VIOLATION";
	case EROFS: return "VERR_WRITE_PROTECT";
	case EFBIG: return "VERR_FILE_TOO_BIG";
	case ENOTSUP: return "VERR_NOT_SUPPORTED";
	case EINVAL: return "VERR_INVALID_PARAMETER";
	default: return "VERR_IO_GEN_FAILURE";
	}
}

static void open_error(struct vb_error *err, const char *path, int rc,
		       bool rw)
{
	if (rc == -EBUSY)
		vb_err(err, EBUSY, VBOX_E_INVALID_OBJECT_STATE,
		       "Medium '%s' is locked for %s by another task", path,
		       media_lock_state(path) == 2 ? "writing" : "reading");
	else if (rc == -ENOENT || rc == -ENOTDIR)
		vb_err(err, -rc, VBOX_E_FILE_ERROR,
		       "Could not find file for the medium '%s' (%s)", path,
		       media_vbox_status(rc));
	else
		vb_err(err, -rc, VB_E_FAIL,
		       "Could not open the medium '%s'.\nVD: error %s opening image file '%s' (%s)",
		       path, media_vbox_status(rc), path,
		       media_vbox_status(rc));
}

static int open_parent(struct medium *m, const struct media_open_opts *o,
		       struct vb_error *err)
{
	struct media_open_opts po = *o;
	char ub[40], *ppath = NULL;
	struct vb_uuid pu;
	int rc = -ENOENT;

	vb_uuid_fmt(&m->parent_uuid, ub);
	if (m->depth + 1 >= MEDIA_MAX_CHAIN)
		return vb_err(err, ELOOP, VBOX_E_FILE_ERROR,
			      "Differencing chain of '%s' is deeper than %u images",
			      m->path, MEDIA_MAX_CHAIN);
	if (o->resolve)
		rc = o->resolve(o->ctx, &m->parent_uuid, &ppath);
	if (rc && m->parent_hint) {
		ppath = media_sibling(m, m->parent_hint);
		rc = ppath ? 0 : -ENOMEM;
	}
	if (rc)
		return vb_err(err, -rc, VBOX_E_OBJECT_NOT_FOUND,
			      "Parent medium with UUID {%s} of '%s' could not be found",
			      ub, m->path);
	po.flags = (o->flags & ~MEDIA_RDWR) | MEDIA_RDONLY;
	po.format = NULL;
	rc = open_one(ppath, &po, m->depth + 1, &m->parent, err);
	free(ppath);
	if (rc)
		return rc;
	if (m->parent->has_uuid && !media_uuid(m->parent, &pu) &&
	    !vb_uuid_eq(&pu, &m->parent_uuid)) {
		char pb[40];

		vb_uuid_fmt(&pu, pb);
		return vb_err(err, EINVAL, VBOX_E_FILE_ERROR,
			      "Parent image '%s' has UUID {%s}, but '%s' expects {%s}",
			      m->parent->path, pb, m->path, ub);
	}
	return 0;
}

static int open_one(const char *path, const struct media_open_opts *o,
		    unsigned depth, struct medium **out, struct vb_error *err)
{
	struct mfs *fs = o->fs ? o->fs : mfs_posix();
	unsigned access = o->flags & MEDIA_RDWR;
	const struct media_driver *drv = NULL;
	struct medium *m;
	int rc;

	*out = NULL;
	m = medium_alloc(fs, path, o->flags);
	if (!m)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	m->depth = depth;
	rc = fs->ops->open(fs, m->path, (access ? MF_RDWR : MF_RDONLY) |
			   ((o->flags & MEDIA_NOLOCK) ? 0 :
			    access ? MF_LOCK_EX : MF_LOCK_SH), &m->file);
	if (rc) {
		open_error(err, m->path, rc, access);
		goto fail;
	}
	if (o->format) {
		drv = driver_by_name(o->format);
		if (!drv) {
			rc = vb_err(err, EINVAL, VBOX_E_OBJECT_NOT_FOUND,
				    "Invalid medium storage format '%s'",
				    o->format);
			goto fail;
		}
	} else {
		drv = probe_file(m->file, m->path);
		if (!drv) {
			rc = vb_err(err, EIO, VBOX_E_FILE_ERROR,
				    "Could not get the storage format of the medium '%s' (VERR_NOT_SUPPORTED)",
				    m->path);
			goto fail;
		}
	}
	m->drv = drv;
	rc = drv->open(m, err);
	if (rc) {
		m->drv = NULL;
		if (err && err->msg[0] &&
		    strncmp(err->msg, "Could not open the medium", 25))
			vb_err_prefix(err, "Could not open the medium '%s'.",
				      m->path);
		if (err && (!err->hrc || err->hrc == VBOX_E_FILE_ERROR))
			err->hrc = VB_E_FAIL;
		goto fail;
	}
	if (!(o->flags & MEDIA_NO_PARENT) && !vb_uuid_is_zero(&m->parent_uuid)) {
		rc = open_parent(m, o, err);
		if (rc)
			goto fail;
	}
	*out = m;
	return 0;
fail:
	if (m->parent)
		media_close(m->parent);
	m->parent = NULL;
	if (m->drv)
		m->drv->close(m);
	mf_close(m->file);
	medium_free(m);
	return rc < 0 ? rc : -EIO;
}

int media_open_ex(const char *path, const struct media_open_opts *o,
		  struct medium **out, struct vb_error *err)
{
	return open_one(path, o, 0, out, err);
}

int media_open(const char *path, unsigned flags, media_parent_fn resolve,
	       void *ctx, struct medium **out, struct vb_error *err)
{
	struct media_open_opts o = {
		.flags = flags, .resolve = resolve, .ctx = ctx,
	};

	return media_open_ex(path, &o, out, err);
}

const char *media_probe(const char *path, bool *is_iso, struct vb_error *err)
{
	struct medium *m;
	const char *name;
	struct media_open_opts o = { .flags = MEDIA_RDONLY | MEDIA_NO_PARENT };

	if (media_open_ex(path, &o, &m, err))
		return NULL;
	name = m->drv->name;
	if (is_iso)
		*is_iso = m->iso;
	media_close(m);
	return name;
}

static void new_modify_uuid(struct medium *m)
{
	if (m->drv->meta & MMETA_MODIFY_UUID) {
		vb_uuid_generate(&m->modify_uuid);
		m->meta_dirty = true;
	}
}

void media_close(struct medium *m)
{
	if (!m)
		return;
	if ((m->flags & MEDIA_RDWR) && (m->modified || m->meta_dirty)) {
		if (m->modified)
			new_modify_uuid(m);
		m->drv->flush(m);
	}
	m->drv->close(m);
	mf_close(m->file);
	if (m->parent)
		media_close(m->parent);
	medium_free(m);
}

uint64_t media_size(const struct medium *m)
{
	return m->size;
}

const char *media_format(const struct medium *m)
{
	return m->drv->name;
}

int media_uuid(const struct medium *m, struct vb_uuid *out)
{
	if (!m->has_uuid || m->uuid_missing)
		return -ENOENT;
	*out = m->uuid;
	return 0;
}

int media_parent_uuid(const struct medium *m, struct vb_uuid *out)
{
	if (!m->has_uuid)
		return -ENOENT;
	*out = m->parent_uuid;
	return 0;
}

int media_modify_uuid(const struct medium *m, struct vb_uuid *out)
{
	if (!(m->drv->meta & MMETA_MODIFY_UUID))
		return -ENOENT;
	*out = m->modify_uuid;
	return 0;
}

int media_parent_modify_uuid(const struct medium *m, struct vb_uuid *out)
{
	if (!(m->drv->meta & MMETA_PARENT_MODIFY))
		return -ENOENT;
	*out = m->parent_modify_uuid;
	return 0;
}

bool media_is_iso(const struct medium *m)
{
	return m->iso;
}

unsigned media_variant(const struct medium *m)
{
	return m->variant;
}

const char *media_comment(const struct medium *m)
{
	return m->comment;
}

void media_geometry(const struct medium *m, struct media_geometry *pchs,
		    struct media_geometry *lchs)
{
	if (pchs)
		*pchs = m->pchs;
	if (lchs)
		*lchs = m->lchs;
}

struct medium *media_parent(const struct medium *m)
{
	return m->parent;
}

const char *media_path(const struct medium *m)
{
	return m->path;
}

const char *media_variant_string(unsigned variant, char *buf, size_t size)
{
	const char *type, *sub;
	unsigned rest;

	if (variant & MEDIA_VARIANT_FIXED)
		type = "fixed";
	else if (variant & MEDIA_VARIANT_DIFF)
		type = "differencing";
	else
		type = "dynamic";
	rest = variant & ~(MEDIA_VARIANT_FIXED | MEDIA_VARIANT_DIFF);
	if (!rest)
		sub = "default";
	else if (rest == MEDIA_VARIANT_SPLIT2G)
		sub = "split2G";
	else if (rest == MEDIA_VARIANT_STREAM)
		sub = "streamOptimized";
	else if (rest == MEDIA_VARIANT_ESX)
		sub = "ESX";
	else
		sub = "unknown";
	snprintf(buf, size, "%s %s", type, sub);
	return buf;
}

void media_free_list(char **list)
{
	char **p;

	if (!list)
		return;
	for (p = list; *p; p++)
		free(*p);
	free(list);
}

char **media_files(struct medium *m)
{
	char **l;

	if (m->drv->files)
		return m->drv->files(m);
	l = calloc(2, sizeof(*l));
	if (!l)
		return NULL;
	l[0] = strdup(m->path);
	if (!l[0]) {
		free(l);
		return NULL;
	}
	return l;
}

uint64_t media_file_size(struct medium *m)
{
	char **files = media_files(m), **p;
	uint64_t total = 0;

	if (!files)
		return 0;
	for (p = files; *p; p++) {
		struct mfile *f;
		uint64_t sz;

		if (m->fs->ops->open(m->fs, *p, MF_RDONLY, &f))
			continue;
		if (!mf_size(f, &sz))
			total += sz;
		mf_close(f);
	}
	media_free_list(files);
	return total;
}

/* ------------------------------------------------------------------ */
/* I/O                                                                 */

int media_chain_read(struct medium *m, uint64_t off, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		uint64_t n = 0;
		int st = m->drv->status(m, off, len, &n), rc = 0;

		if (st < 0)
			return st;
		if (!n || n > len || n % MEDIA_SECTOR)
			return -EIO;
		if (st == MST_DATA)
			rc = m->drv->read(m, off, p, (size_t)n);
		else if (st == MST_UNALLOC && m->parent)
			rc = media_read_below(m, off, p, (size_t)n);
		else
			memset(p, 0, (size_t)n);
		if (rc)
			return rc;
		p += n;
		off += n;
		len -= (size_t)n;
	}
	return 0;
}

int media_read_below(struct medium *m, uint64_t off, void *buf, size_t len)
{
	struct medium *pm = m->parent;
	size_t in = 0;

	if (!pm) {
		memset(buf, 0, len);
		return 0;
	}
	/* a child may have grown past its parent's size */
	if (off < pm->size) {
		in = pm->size - off < len ? (size_t)(pm->size - off) : len;
		in &= ~(size_t)(MEDIA_SECTOR - 1);
	}
	if (in) {
		int rc = media_chain_read(pm, off, buf, in);

		if (rc)
			return rc;
	}
	if (in < len) {
		if (off + in < pm->size) {
			/* a parent whose size is not a sector multiple */
			uint8_t sec[MEDIA_SECTOR];
			size_t part = (size_t)(pm->size - off - in);
			int rc = media_chain_read(pm, off + in, sec,
						  MEDIA_SECTOR);

			if (rc)
				return rc;
			memset((uint8_t *)buf + in, 0, len - in);
			memcpy((uint8_t *)buf + in, sec, part);
		} else {
			memset((uint8_t *)buf + in, 0, len - in);
		}
	}
	return 0;
}

static bool io_range_ok(const struct medium *m, uint64_t off, size_t len)
{
	return ck_range(off, len, m->size);
}

/* Aligned extent covering [off, off+len) rounded out to sectors, inside
 * the disk rounded up to a sector. */
int media_read(struct medium *m, uint64_t off, void *buf, size_t len)
{
	uint8_t *p = buf;
	int rc = 0;

	if (!io_range_ok(m, off, len))
		return -EINVAL;
	if (!len)
		return 0;
	pthread_rwlock_rdlock(&m->lock);
	if (off % MEDIA_SECTOR) {
		uint8_t sec[MEDIA_SECTOR];
		size_t skip = off % MEDIA_SECTOR;
		size_t n = MEDIA_SECTOR - skip < len ? MEDIA_SECTOR - skip : len;

		rc = media_chain_read(m, off - skip, sec, MEDIA_SECTOR);
		if (rc)
			goto out;
		memcpy(p, sec + skip, n);
		p += n;
		off += n;
		len -= n;
	}
	if (len >= MEDIA_SECTOR) {
		size_t n = len & ~(size_t)(MEDIA_SECTOR - 1);

		rc = media_chain_read(m, off, p, n);
		if (rc)
			goto out;
		p += n;
		off += n;
		len -= n;
	}
	if (len) {
		uint8_t sec[MEDIA_SECTOR];

		rc = media_chain_read(m, off, sec, MEDIA_SECTOR);
		if (rc)
			goto out;
		memcpy(p, sec, len);
	}
out:
	pthread_rwlock_unlock(&m->lock);
	return rc;
}

/* First write after open: a new modification UUID (VD layer rule). */
static void mark_modified(struct medium *m)
{
	if (m->modified)
		return;
	pthread_mutex_lock(&m->rmw_lock);
	if (!m->modified) {
		new_modify_uuid(m);
		m->modified = true;
	}
	pthread_mutex_unlock(&m->rmw_lock);
}

static int write_partial(struct medium *m, uint64_t sec_off, size_t skip,
			 const void *src, size_t n)
{
	uint8_t sec[MEDIA_SECTOR];
	int rc;

	pthread_mutex_lock(&m->rmw_lock);
	rc = media_chain_read(m, sec_off, sec, MEDIA_SECTOR);
	if (!rc) {
		memcpy(sec + skip, src, n);
		rc = m->drv->write(m, sec_off, sec, MEDIA_SECTOR);
	}
	pthread_mutex_unlock(&m->rmw_lock);
	return rc;
}

int media_write(struct medium *m, uint64_t off, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	int rc = 0;

	if (!(m->flags & MEDIA_RDWR))
		return -EROFS;
	if (!io_range_ok(m, off, len))
		return -EINVAL;
	if (!len)
		return 0;
	mark_modified(m);
	pthread_rwlock_rdlock(&m->lock);
	if (off % MEDIA_SECTOR) {
		size_t skip = off % MEDIA_SECTOR;
		size_t n = MEDIA_SECTOR - skip < len ? MEDIA_SECTOR - skip : len;

		rc = write_partial(m, off - skip, skip, p, n);
		if (rc)
			goto out;
		p += n;
		off += n;
		len -= n;
	}
	if (len >= MEDIA_SECTOR) {
		size_t n = len & ~(size_t)(MEDIA_SECTOR - 1);

		rc = m->drv->write(m, off, p, n);
		if (rc)
			goto out;
		p += n;
		off += n;
		len -= n;
	}
	if (len)
		rc = write_partial(m, off, 0, p, len);
out:
	pthread_rwlock_unlock(&m->lock);
	return rc;
}

int media_flush(struct medium *m)
{
	int rc;

	if (!(m->flags & MEDIA_RDWR))
		return 0;
	pthread_rwlock_rdlock(&m->lock);
	rc = m->drv->flush(m);
	pthread_rwlock_unlock(&m->lock);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Creating and changing images                                        */

int media_create(const char *path, const struct media_create_opts *o,
		 struct medium **out, struct vb_error *err)
{
	struct mfs *fs = o->fs ? o->fs : mfs_posix();
	const struct media_driver *drv;
	struct medium *m;
	int rc;

	*out = NULL;
	drv = driver_by_name(o->format ? o->format : "VDI");
	if (!drv || !drv->create)
		return vb_err(err, EINVAL, VBOX_E_OBJECT_NOT_FOUND,
			      "Invalid medium storage format '%s'",
			      o->format ? o->format : "");
	m = medium_alloc(fs, path, MEDIA_RDWR);
	if (!m)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	rc = fs->ops->open(fs, m->path, MF_CREATE | MF_RDWR, &m->file);
	if (rc) {
		if (!strcmp(drv->name, "VMDK"))
			vb_err(err, -rc, VBOX_E_FILE_ERROR,
			       "VMDK: could not create new file '%s' (%s)",
			       m->path, media_vbox_status(rc));
		else
			vb_err(err, -rc, VBOX_E_FILE_ERROR,
			       "%s: cannot create image '%s' (%s)", drv->name,
			       m->path, media_vbox_status(rc));
		medium_free(m);
		return rc;
	}
	m->drv = drv;
	rc = drv->create(m, o, err);
	if (rc) {
		mf_close(m->file);
		fs->ops->remove(fs, m->path);
		medium_free(m);
		return rc < 0 ? rc : -EIO;
	}
	*out = m;
	return 0;
}

static int meta_set(struct medium *m, unsigned what, struct vb_error *err)
{
	int rc;

	if (!(m->drv->meta & what))
		return vb_err(err, ENOTSUP, VBOX_E_NOT_SUPPORTED,
			      "The %s format does not store this information",
			      m->drv->name);
	if (!(m->flags & MEDIA_RDWR))
		return vb_err(err, EROFS, VBOX_E_INVALID_OBJECT_STATE,
			      "Medium '%s' is opened read-only", m->path);
	m->meta_dirty = true;
	rc = m->drv->flush(m);
	if (rc)
		return vb_err(err, -rc, VBOX_E_FILE_ERROR,
			      "Could not update the header of '%s': %s",
			      m->path, strerror(-rc));
	return 0;
}

#define META_SETTER(fn, field, bit)                                       \
int fn(struct medium *m, const struct vb_uuid *u, struct vb_error *err)  \
{                                                                         \
	struct vb_uuid old = m->field;                                    \
	int rc;                                                           \
									  \
	if (!(m->drv->meta & (bit)))                                      \
		return meta_set(m, bit, err);                             \
	pthread_rwlock_wrlock(&m->lock);                                  \
	m->field = *u;                                                    \
	if ((bit) == MMETA_UUID)                                          \
		m->uuid_missing = false;                                  \
	rc = meta_set(m, bit, err);                                       \
	if (rc)                                                           \
		m->field = old;                                           \
	pthread_rwlock_unlock(&m->lock);                                  \
	return rc;                                                        \
}

META_SETTER(media_set_uuid, uuid, MMETA_UUID)
META_SETTER(media_set_parent_uuid, parent_uuid, MMETA_PARENT_UUID)
META_SETTER(media_set_modify_uuid, modify_uuid, MMETA_MODIFY_UUID)
META_SETTER(media_set_parent_modify_uuid, parent_modify_uuid,
	    MMETA_PARENT_MODIFY)

int media_set_comment(struct medium *m, const char *text,
		      struct vb_error *err)
{
	char *old = m->comment, *c = NULL;
	int rc;

	if (!(m->drv->meta & MMETA_COMMENT))
		return meta_set(m, MMETA_COMMENT, err);
	if (text && *text && !(c = strdup(text)))
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	pthread_rwlock_wrlock(&m->lock);
	m->comment = c;
	rc = meta_set(m, MMETA_COMMENT, err);
	if (rc) {
		m->comment = old;
		free(c);
	} else {
		free(old);
	}
	pthread_rwlock_unlock(&m->lock);
	return rc;
}

int media_set_geometry(struct medium *m, const struct media_geometry *pchs,
		       const struct media_geometry *lchs, struct vb_error *err)
{
	struct media_geometry op = m->pchs, ol = m->lchs;
	int rc = 0;

	pthread_rwlock_wrlock(&m->lock);
	if (pchs)
		m->pchs = *pchs;
	if (lchs)
		m->lchs = *lchs;
	if (m->drv->meta & (MMETA_PCHS | MMETA_LCHS)) {
		rc = meta_set(m, m->drv->meta & (MMETA_PCHS | MMETA_LCHS), err);
		if (rc) {
			m->pchs = op;
			m->lchs = ol;
		}
	}
	pthread_rwlock_unlock(&m->lock);
	return rc;
}

int media_resize(struct medium *m, uint64_t size, media_progress_fn progress,
		 void *pctx, struct vb_error *err)
{
	int rc;

	if (!(m->flags & MEDIA_RDWR))
		return vb_err(err, EROFS, VBOX_E_INVALID_OBJECT_STATE,
			      "Medium '%s' is opened read-only", m->path);
	if (!m->drv->resize)
		return vb_err(err, ENOTSUP, VBOX_E_NOT_SUPPORTED,
			      "Medium format '%s' does not support resizing",
			      m->drv->name);
	pthread_rwlock_wrlock(&m->lock);
	rc = m->drv->resize(m, size, err);
	pthread_rwlock_unlock(&m->lock);
	if (!rc && progress)
		progress(pctx, 100);
	return rc;
}

int media_compact(struct medium *m, media_progress_fn progress, void *pctx,
		  struct vb_error *err)
{
	int rc;

	if (!(m->flags & MEDIA_RDWR))
		return vb_err(err, EROFS, VBOX_E_INVALID_OBJECT_STATE,
			      "Medium '%s' is opened read-only", m->path);
	if (!m->drv->compact)
		return vb_err(err, ENOTSUP, VBOX_E_NOT_SUPPORTED,
			      "Medium format '%s' does not support compacting",
			      m->drv->name);
	pthread_rwlock_wrlock(&m->lock);
	rc = m->drv->compact(m, progress, pctx, err);
	pthread_rwlock_unlock(&m->lock);
	return rc;
}

int media_discard(struct medium *m, uint64_t off, uint64_t len)
{
	uint64_t a, e;
	int rc;

	if (!(m->flags & MEDIA_RDWR))
		return -EROFS;
	if (!ck_range(off, len, m->size))
		return -EINVAL;
	if (!m->drv->discard)
		return -ENOTSUP;
	/* only whole sectors can be discarded */
	a = VB_ALIGN_UP(off, MEDIA_SECTOR);
	e = (off + len) & ~(uint64_t)(MEDIA_SECTOR - 1);
	if (e <= a)
		return 0;
	mark_modified(m);
	pthread_rwlock_wrlock(&m->lock);
	rc = m->drv->discard(m, a, e - a);
	pthread_rwlock_unlock(&m->lock);
	return rc;
}

int media_delete(const char *path, struct vb_error *err)
{
	struct media_open_opts o = { .flags = MEDIA_RDONLY | MEDIA_NO_PARENT };
	struct medium *m;
	char **files, **p;
	int rc = 0;

	if (media_open_ex(path, &o, &m, NULL)) {
		if (unlink(path) && errno != ENOENT)
			return vb_err(err, errno, VBOX_E_FILE_ERROR,
				      "Could not delete the medium storage unit '%s': %s",
				      path, strerror(errno));
		return 0;
	}
	files = media_files(m);
	media_close(m);
	if (!files)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	for (p = files; *p; p++) {
		if (unlink(*p) && errno != ENOENT && !rc)
			rc = vb_err(err, errno, VBOX_E_FILE_ERROR,
				    "Could not delete the medium storage unit '%s': %s",
				    *p, strerror(errno));
	}
	media_free_list(files);
	return rc;
}

int media_move(struct medium *m, const char *new_path, struct vb_error *err)
{
	char *np;
	int rc;

	if (m->drv->rename) {
		pthread_rwlock_wrlock(&m->lock);
		rc = m->drv->rename(m, new_path, err);
		pthread_rwlock_unlock(&m->lock);
		return rc;
	}
	np = m->fs == mfs_posix() ? path_abs(new_path) : strdup(new_path);
	if (!np)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	if (m->fs->ops->exists(m->fs, np)) {
		free(np);
		return vb_err(err, EEXIST, VBOX_E_FILE_ERROR,
			      "Cannot move medium '%s' to '%s': the target exists",
			      m->path, new_path);
	}
	rc = m->fs->ops->rename(m->fs, m->path, np);
	if (rc) {
		free(np);
		return vb_err(err, -rc, VBOX_E_FILE_ERROR,
			      "Could not move medium '%s' to '%s': %s",
			      m->path, new_path, strerror(-rc));
	}
	free(m->path);
	m->path = np;
	return 0;
}

char *media_dump(struct medium *m)
{
	struct strbuf sb = STRBUF_INIT;

	if (m->drv->dump)
		m->drv->dump(m, &sb);
	return sb_detach(&sb);
}

void media_clone_geometry(const struct medium *src, uint64_t size,
			  struct media_geometry *pchs,
			  struct media_geometry *lchs)
{
	const struct media_geometry *p = &src->pchs, *l = &src->lchs;
	uint64_t c;

	if (p->heads && p->heads <= 16 && p->sectors && p->sectors <= 63 &&
	    p->cylinders &&
	    (uint64_t)p->cylinders * p->heads * p->sectors * 512 <= size) {
		*pchs = *p;
	} else {
		c = size / 512 / 16 / 63;
		pchs->cylinders = (uint32_t)VB_MIN(c, 16383u);
		pchs->heads = 16;
		pchs->sectors = 63;
	}
	memset(lchs, 0, sizeof(*lchs));
	if (l->heads && l->heads <= 255 && l->sectors && l->sectors <= 63) {
		c = size / 512 / l->heads / l->sectors;
		lchs->cylinders = (uint32_t)VB_MIN(c, 1024u);
		lchs->heads = l->heads;
		lchs->sectors = l->sectors;
	}
}
