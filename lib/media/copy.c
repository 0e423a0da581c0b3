/*
 * Copying the virtual content of one image chain into another image
 * (clonemedium, convertfromraw, OVA export).  Ranges that read as zeros
 * in the source (unallocated in the whole chain, or all-zero data) are
 * not written when the target already reads zeros there, so sparse
 * targets stay sparse.  Data is moved in 1 MiB chunks aligned to the
 * disk, which is a whole number of VDI blocks, VMDK grains and VHD
 * half-blocks, so targets allocate each unit with one write.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/media/media-int.h"

#define COPY_CHUNK  (1u << 20)

/* State of a range through the whole chain: MST_DATA when some image
 * holds data there, MST_ZERO when everything reads zeros. */
static int chain_status(struct medium *m, uint64_t off, uint64_t len,
			uint64_t *n)
{
	while (m) {
		int st;

		if (off >= m->size) {
			*n = len;
			return MST_ZERO;
		}
		if (len > m->size - off)
			len = m->size - off;
		st = m->drv->status(m, off, VB_ALIGN_UP(len, MEDIA_SECTOR), n);
		if (st < 0)
			return st;
		if (*n > len)
			*n = len;
		if (st != MST_UNALLOC)
			return st;
		len = *n;
		m = m->parent;
	}
	return MST_ZERO;
}

int media_copy(struct medium *src, struct medium *dst, bool dst_fresh,
	       media_progress_fn progress, void *pctx, struct vb_error *err)
{
	uint64_t size = VB_MIN(src->size, dst->size), off = 0;
	uint8_t *buf;
	unsigned last_pct = 0;
	int rc = 0;

	buf = aligned_alloc(4096, COPY_CHUNK);
	if (!buf)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	if (progress)
		progress(pctx, 0);
	while (off < size) {
		size_t len = (size_t)VB_MIN((uint64_t)COPY_CHUNK, size - off);
		uint64_t n = len;
		int st = chain_status(src, off, len, &n);
		unsigned pct;

		if (st < 0) {
			rc = st;
			break;
		}
		if (st == MST_ZERO && dst_fresh) {
			/* skip the zero run, up to the next chunk boundary */
			uint64_t next = off + n;

			if (n < len)
				len = (size_t)n;
			off = next;
			goto progress;
		}
		pthread_rwlock_rdlock(&src->lock);
		rc = media_chain_read(src, off, buf,
				      VB_ALIGN_UP(len, MEDIA_SECTOR) <= COPY_CHUNK ?
				      VB_ALIGN_UP(len, MEDIA_SECTOR) : len);
		pthread_rwlock_unlock(&src->lock);
		if (rc)
			break;
		if (!dst_fresh || !media_is_zero(buf, len)) {
			rc = media_write(dst, off, buf, len);
			if (rc)
				break;
		}
		off += len;
progress:
		pct = (unsigned)(off * 100 / (size ? size : 1));
		if (progress && pct != last_pct) {
			last_pct = pct;
			progress(pctx, pct > 99 ? 99 : pct);
		}
	}
	free(buf);
	if (!rc)
		rc = media_flush(dst);
	if (rc)
		return vb_err(err, -rc, VBOX_E_FILE_ERROR,
			      "Could not copy '%s' to '%s': %s", src->path,
			      dst->path, strerror(-rc));
	if (progress)
		progress(pctx, 100);
	return 0;
}
