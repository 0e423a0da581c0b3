/*
 * Merging two neighbours of a differencing chain, for deleting snapshots
 * (VirtualBox's Medium::mergeTo, offline).
 *
 * A child image holds some blocks itself and takes the others from its
 * parent.  Merging folds one of the two into the other so that the chain
 * loses one image and every remaining image still reads what it read
 * before:
 *
 *   down (backward):  the child's own blocks are written into the parent;
 *                     the parent stands in for the child afterwards.
 *   up (forward):     the parent's own blocks are written into the child
 *                     where the child has none; the child then takes the
 *                     parent's parent.
 *
 * Both only ever copy whole status runs that the format drivers report,
 * and write data that the surviving chain already reads at that place, so
 * an interrupted merge leaves every image readable with its old content.
 * Formats: any with a status callback (VDI, VMDK, VHD).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/media/media-int.h"

#define MERGE_CHUNK (4u << 20)

struct run_ctx {
	media_progress_fn progress;
	void *pctx;
	uint64_t size;
	unsigned last;
};

static void tick(struct run_ctx *r, uint64_t off)
{
	unsigned pct = (unsigned)(off * 100 / (r->size ? r->size : 1));

	if (r->progress && pct != r->last && pct < 100) {
		r->last = pct;
		r->progress(r->pctx, pct);
	}
}

/* Copy src's own runs of state `want` (MST_DATA, or MST_ZERO written as
 * zeros) into dst, or -- with only_where_dst_unalloc -- only where dst
 * has nothing itself. */
static int copy_own(struct medium *src, struct medium *dst,
		    bool only_where_dst_unalloc, struct run_ctx *r,
		    struct vb_error *err)
{
	uint64_t size = VB_MIN(src->size, dst->size), off = 0;
	uint8_t *buf;
	int rc = 0;

	buf = aligned_alloc(4096, MERGE_CHUNK);
	if (!buf)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	size &= ~(uint64_t)(MEDIA_SECTOR - 1);
	while (off < size) {
		size_t len = (size_t)VB_MIN((uint64_t)MERGE_CHUNK, size - off);
		uint64_t n = 0;
		int st = src->drv->status(src, off, len, &n);

		if (st < 0) {
			rc = st;
			break;
		}
		if (!n || n > len || n % MEDIA_SECTOR) {
			rc = -EIO;
			break;
		}
		if (only_where_dst_unalloc && st != MST_UNALLOC) {
			uint64_t dn = 0;
			int dst_st = dst->drv->status(dst, off, (size_t)n, &dn);

			if (dst_st < 0) {
				rc = dst_st;
				break;
			}
			if (!dn || dn > n || dn % MEDIA_SECTOR) {
				rc = -EIO;
				break;
			}
			n = dn;
			if (dst_st != MST_UNALLOC)
				st = MST_UNALLOC;       /* dst has its own */
		}
		if (st == MST_DATA) {
			rc = src->drv->read(src, off, buf, (size_t)n);
			if (!rc)
				rc = media_write(dst, off, buf, (size_t)n);
		} else if (st == MST_ZERO) {
			memset(buf, 0, (size_t)n);
			rc = media_write(dst, off, buf, (size_t)n);
		}
		if (rc)
			break;
		off += n;
		tick(r, off);
	}
	free(buf);
	if (!rc)
		rc = media_flush(dst);
	if (rc)
		return vb_err(err, -rc, VBOX_E_FILE_ERROR,
			      "Could not merge '%s' into '%s': %s", src->path,
			      dst->path, strerror(-rc));
	return 0;
}

static int open_one(const char *path, unsigned flags, struct medium **out,
		    struct vb_error *err)
{
	struct media_open_opts o = { .flags = flags | MEDIA_NO_PARENT };

	return media_open_ex(path, &o, out, err);
}

int media_merge_down(const char *child, const char *parent,
		     media_progress_fn progress, void *pctx,
		     struct vb_error *err)
{
	struct medium *c = NULL, *p = NULL;
	struct run_ctx r = { progress, pctx, 0, 0 };
	int rc;

	rc = open_one(child, MEDIA_RDONLY, &c, err);
	if (rc)
		return rc;
	rc = open_one(parent, MEDIA_RDWR, &p, err);
	if (rc)
		goto out;
	if (p->size < c->size) {
		rc = media_resize(p, c->size, NULL, NULL, err);
		if (rc)
			goto out;
	}
	r.size = c->size;
	if (progress)
		progress(pctx, 0);
	rc = copy_own(c, p, false, &r, err);
	if (!rc && progress)
		progress(pctx, 100);
out:
	if (p)
		media_close(p);
	if (c)
		media_close(c);
	return rc;
}

int media_merge_up(const char *parent, const char *child,
		   const struct vb_uuid *new_parent,
		   const struct vb_uuid *new_parent_modify,
		   media_progress_fn progress, void *pctx,
		   struct vb_error *err)
{
	struct medium *c = NULL, *p = NULL;
	struct run_ctx r = { progress, pctx, 0, 0 };
	struct vb_uuid zero = { { 0 } };
	int rc;

	rc = open_one(parent, MEDIA_RDONLY, &p, err);
	if (rc)
		return rc;
	rc = open_one(child, MEDIA_RDWR, &c, err);
	if (rc)
		goto out;
	r.size = c->size;
	if (progress)
		progress(pctx, 0);
	rc = copy_own(p, c, true, &r, err);
	if (rc)
		goto out;
	rc = media_set_parent_uuid(c, new_parent ? new_parent : &zero, err);
	if (!rc && (c->drv->meta & MMETA_PARENT_MODIFY))
		rc = media_set_parent_modify_uuid(c, new_parent_modify ?
						  new_parent_modify : &zero,
						  err);
	if (!rc)
		rc = media_flush(c);
	if (!rc && progress)
		progress(pctx, 100);
out:
	if (c)
		media_close(c);
	if (p)
		media_close(p);
	return rc;
}

int media_copy_own(const char *src, struct medium *dst,
		   media_progress_fn progress, void *pctx,
		   struct vb_error *err)
{
	struct medium *s = NULL;
	struct run_ctx r = { progress, pctx, 0, 0 };
	int rc;

	rc = open_one(src, MEDIA_RDONLY, &s, err);
	if (rc)
		return rc;
	r.size = s->size;
	if (progress)
		progress(pctx, 0);
	rc = copy_own(s, dst, false, &r, err);
	if (!rc && progress)
		progress(pctx, 100);
	media_close(s);
	return rc;
}
