/*
 * RAW images: the file is the disk.  Used for hard disks given with an
 * explicit format, floppy images and optical images (ISO 9660 / UDF, see
 * iso.c); VirtualBox's RAW back-end plays the same three roles.
 *
 * Subset: fixed images only (VirtualBox's RAW back-end cannot create
 * anything else).  No UUID is stored in the file: the registry keeps it.
 * Limits: a file whose length is not a multiple of 512 is read with the
 * last partial sector padded with zeros and never grown.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/media/media-int.h"

static const char *const raw_exts[] = {
	"iso", "cdr", "img", "ima", "dsk", "flp", "vfd", NULL
};

static int raw_probe(struct mfile *f, uint64_t size, const char *path)
{
	return 1;   /* anything is a raw image; every real format wins */
}

static int raw_open(struct medium *m, struct vb_error *err)
{
	uint64_t size;
	int rc = mf_size(m->file, &size);

	if (rc)
		return vb_err(err, -rc, VBOX_E_FILE_ERROR,
			      "Could not get the size of '%s'", m->path);
	m->size = size;
	m->variant = MEDIA_VARIANT_FIXED;
	m->iso = media_iso_detect(m->file, size);
	return 0;
}

static int raw_create(struct medium *m, const struct media_create_opts *o,
		      struct vb_error *err)
{
	int rc = 0;

	if (o->parent)
		return vb_err(err, ENOTSUP, VBOX_E_NOT_SUPPORTED,
			      "The RAW format cannot be a differencing image");
	if (m->file->ops->reserve)
		rc = m->file->ops->reserve(m->file, o->size);
	if (!rc)
		rc = mf_truncate(m->file, o->size);
	if (rc)
		return vb_err(err, -rc, VBOX_E_FILE_ERROR,
			      "Could not allocate %llu bytes for '%s': %s",
			      (unsigned long long)o->size, m->path,
			      strerror(-rc));
	m->size = o->size;
	m->variant = MEDIA_VARIANT_FIXED;
	return 0;
}

static int raw_status(struct medium *m, uint64_t off, uint64_t len,
		      uint64_t *n)
{
	*n = len;
	return MST_DATA;
}

static int raw_read(struct medium *m, uint64_t off, void *buf, size_t len)
{
	return mf_pread_zero(m->file, buf, len, off);
}

static int raw_write(struct medium *m, uint64_t off, const void *buf,
		     size_t len)
{
	/* never grow a file whose size is not a sector multiple */
	if (off + len > m->size)
		len = (size_t)(m->size - off);
	return mf_pwrite(m->file, buf, len, off);
}

static int raw_flush(struct medium *m)
{
	return mf_sync(m->file);
}

static int raw_resize(struct medium *m, uint64_t size, struct vb_error *err)
{
	int rc;

	if (size < m->size)
		return vb_err(err, ENOTSUP, VBOX_E_NOT_SUPPORTED,
			      "Shrinking is not supported for this medium");
	rc = mf_truncate(m->file, size);
	if (rc)
		return vb_err(err, -rc, VBOX_E_FILE_ERROR,
			      "Could not resize '%s': %s", m->path,
			      strerror(-rc));
	m->size = size;
	return 0;
}

static void raw_dump(struct medium *m, struct strbuf *sb)
{
	sb_addf(sb, "Header: Format=RAW size=%llu%s\n",
		(unsigned long long)m->size, m->iso ? " (optical)" : "");
}

static void raw_close(struct medium *m)
{
}

const struct media_driver media_drv_raw = {
	.name = "RAW",
	.caps = MCAP_CREATE_FIXED | MCAP_ASYNC | MCAP_FILE | MCAP_VFS,
	.exts = raw_exts,
	.probe = raw_probe,
	.open = raw_open,
	.create = raw_create,
	.status = raw_status,
	.read = raw_read,
	.write = raw_write,
	.flush = raw_flush,
	.meta = 0,
	.resize = raw_resize,
	.compact = NULL,
	.discard = NULL,
	.dump = raw_dump,
	.files = NULL,
	.close = raw_close,
};
