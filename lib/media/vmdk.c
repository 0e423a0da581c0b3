/*
 * VMDK (VMware "Virtual Disk Format 1.1" technical note and the VMDK 5.0
 * stream-optimized additions; media-formats.md section 2).
 *
 * An image is a text descriptor (embedded in the first sparse extent, or
 * a file of its own) listing extents: hosted sparse extents (a header,
 * a grain directory of grain tables, grains; optionally a redundant
 * directory), flat files, and zero extents.  vmdk-desc.c handles the
 * descriptor text, vmdk-stream.c the stream-optimized writer.
 *
 * Subset: monolithicSparse, monolithicFlat, twoGbMaxExtentSparse,
 * twoGbMaxExtentFlat, vmfs (flat) and streamOptimized are created, read
 * and (except stream) written.  Stream images are read in both VMware's
 * marker layout (GD in the footer) and qemu-img's (GD in the header, no
 * markers); they are written in VMware's layout and are read-only once
 * closed.  Differencing follows VirtualBox: ddb.uuid.parent names the
 * parent, found through the media registry.  Compressed grains are
 * inflated one at a time into a per-extent cache.
 * Limits: VMFSSPARSE/SESPARSE/RDM extents and raw-disk descriptors are
 * refused; grains of more than 32 MiB and grain tables of more than
 * 65536 entries are refused; resize grows monolithic images only.
 *
 * Writes: a grain is allocated whole at the end of its extent file (the
 * rest filled from the parent chain or zeros); grain tables and the
 * descriptor are written at flush after the data was synced.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include <libdeflate.h>

#include "lib/media/vmdk-int.h"
#include "lib/media/vmdk-stream.h"
#include "lib/util/path.h"

#define VMDK_MAX_GRAIN      65536u
#define VMDK_MAX_GTES       65536u

static const char *const vmdk_exts[] = { "vmdk", NULL };


static int vmdk_probe(struct mfile *f, uint64_t size, const char *path)
{
	char b[64];
	ssize_t n;

	if (size < 4)
		return 0;
	n = mf_pread_some(f, b, sizeof(b) - 1, 0);
	if (n < 4)
		return 0;
	b[n] = '\0';
	if (le32(b) == VMDK_MAGIC)
		return 100;
	if (!strncmp(b, "# Disk DescriptorFile", 21) ||
	    !strncmp(b, "# Disk Descriptor File", 22) ||
	    !strncmp(b, "#Disk Descriptor File", 21) ||
	    !strncmp(b, "#Disk DescriptorFile", 20))
		return 100;
	return 0;
}

int vmdk_bad(struct medium *m, struct vb_error *err, const char *what)
{
	return vb_err(err, EINVAL, VBOX_E_FILE_ERROR,
		      "VMDK: %s in '%s' (VERR_VD_VMDK_INVALID_HEADER).\n"
		      "VD: error VERR_VD_VMDK_INVALID_HEADER opening image file '%s' (VERR_VD_VMDK_INVALID_HEADER)",
		      what, m->path, m->path);
}

/* ------------------------------------------------------------------ */
/* Sparse extents                                                      */

static void ext_free(struct vmdk_ext *e)
{
	uint32_t i;

	if (e->gt) {
		for (i = 0; i < e->ngd; i++)
			free(e->gt[i]);
		free(e->gt);
	}
	free(e->gt_dirty);
	free(e->gd);
	free(e->rgd);
	free(e->cache);
	if (e->dec)
		libdeflate_free_decompressor(e->dec);
	vmdk_stream_free(e->ws);
	if (e->own_file)
		mf_close(e->f);
	pthread_mutex_destroy(&e->lock);
}

/* Validate and load a hosted sparse extent header (at file offset 0). */
static int sparse_open(struct medium *m, struct vmdk_ext *e, const char *name,
		       struct vb_error *err)
{
	const uint8_t *h = e->hdr;
	uint64_t fsize, gd_bytes, grain_bytes;
	char what[160];
	int rc;

	rc = mf_size(e->f, &fsize);
	if (!rc)
		rc = mf_pread_zero(e->f, e->hdr, VMDK_HDR_SIZE, 0);
	if (rc)
		return vb_err(err, -rc, VBOX_E_FILE_ERROR,
			      "VMDK: error reading the header of '%s': %s", name,
			      strerror(-rc));
	if (le32(h) != VMDK_MAGIC)
		return vmdk_bad(m, err, "invalid sparse extent magic");
	e->version = le32(h + 4);
	e->flags = le32(h + 8);
	e->capacity = le64(h + 0x0C);
	e->grain = le64(h + 0x14);
	e->desc_off = le64(h + 0x1C);
	e->desc_size = le64(h + 0x24);
	e->gtes = le32(h + 0x2C);
	e->rgd_off = le64(h + 0x30);
	e->gd_off = le64(h + 0x38);
	e->overhead = le64(h + 0x40);
	e->compress = le16(h + 0x4D);
	if (e->version < 1 || e->version > 3) {
		snprintf(what, sizeof(what), "unsupported sparse version %u",
			 e->version);
		return vmdk_bad(m, err, what);
	}
	if ((e->flags & VMDK_FLAG_NL) && memcmp(h + 0x49, "\n \r\n", 4))
		return vmdk_bad(m, err, "corrupted by CR/LF translation");
	if (!is_pow2(e->grain) || e->grain < 8 || e->grain > VMDK_MAX_GRAIN)
		return vmdk_bad(m, err, "invalid grain size");
	if (!is_pow2(e->gtes) || e->gtes < 128 || e->gtes > VMDK_MAX_GTES)
		return vmdk_bad(m, err, "invalid number of grain table entries");
	if (!e->capacity || e->capacity > (1ull << 50) / 512)
		return vmdk_bad(m, err, "invalid capacity");
	e->compressed = (e->flags & VMDK_FLAG_COMPRESS) != 0;
	e->markers = (e->flags & VMDK_FLAG_MARKERS) != 0;
	if (e->compressed && e->compress != 1)
		return vmdk_bad(m, err, "unsupported compression algorithm");
	if (e->gd_off == VMDK_GD_AT_END) {
		/* stream: the footer (a header copy) precedes the EOS marker */
		uint8_t f[VMDK_HDR_SIZE];

		if (!e->compressed || fsize < 3 * 512 ||
		    mf_pread(e->f, f, sizeof(f), fsize - 1024) ||
		    le32(f) != VMDK_MAGIC)
			return vmdk_bad(m, err, "stream footer missing");
		e->gd_off = le64(f + 0x38);
		if (e->gd_off == VMDK_GD_AT_END)
			return vmdk_bad(m, err, "stream footer without a grain directory");
		e->rgd_off = 0;
	}
	grain_bytes = e->grain * 512;
	e->gshift = (unsigned)__builtin_ctzll(grain_bytes);
	e->ngd = (uint32_t)((e->capacity + (uint64_t)e->gtes * e->grain - 1) /
			    ((uint64_t)e->gtes * e->grain));
	gd_bytes = 4ull * e->ngd;
	if (gd_bytes > MEDIA_META_MAX)
		return vmdk_bad(m, err, "grain directory too large");
	if (!e->gd_off || e->gd_off > fsize / 512 ||
	    !ck_range(e->gd_off * 512, gd_bytes, fsize))
		return vmdk_bad(m, err, "grain directory beyond the end of the file");
	if (!(e->flags & VMDK_FLAG_RGD))
		e->rgd_off = 0;
	if (e->rgd_off && (e->rgd_off > fsize / 512 ||
			   !ck_range(e->rgd_off * 512, gd_bytes, fsize)))
		return vmdk_bad(m, err, "redundant grain directory beyond the end of the file");
	e->gd = malloc(gd_bytes ? gd_bytes : 4);
	e->gt = calloc(e->ngd ? e->ngd : 1, sizeof(*e->gt));
	e->gt_dirty = calloc(e->ngd ? e->ngd : 1, 1);
	if (e->rgd_off)
		e->rgd = malloc(gd_bytes ? gd_bytes : 4);
	if (!e->gd || !e->gt || !e->gt_dirty || (e->rgd_off && !e->rgd))
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	rc = mf_pread(e->f, e->gd, (size_t)gd_bytes, e->gd_off * 512);
	if (!rc && e->rgd)
		rc = mf_pread(e->f, e->rgd, (size_t)gd_bytes, e->rgd_off * 512);
	if (rc)
		return vb_err(err, -rc, VBOX_E_FILE_ERROR,
			      "VMDK: error reading the grain directory of '%s': %s",
			      name, strerror(-rc));
	for (uint32_t i = 0; i < e->ngd; i++) {
		e->gd[i] = le32(&e->gd[i]);
		if (e->rgd)
			e->rgd[i] = le32(&e->rgd[i]);
	}
	e->file_size = fsize;
	e->next_sector = (fsize + 511) / 512;
	return 0;
}

/* The grain table of directory entry i (loaded on demand, lock held).
 * NULL with *rc = 0 when the GD entry is empty. */
static uint32_t *gt_get(struct vmdk_ext *e, uint32_t i, int *rc)
{
	uint64_t off = (uint64_t)e->gd[i] * 512, bytes = 4ull * e->gtes;
	uint32_t *gt;
	uint32_t k;

	*rc = 0;
	if (e->gt[i])
		return e->gt[i];
	if (!e->gd[i])
		return NULL;
	if (!ck_range(off, bytes, VB_MAX(e->file_size, e->next_sector * 512))) {
		*rc = -EIO;
		return NULL;
	}
	gt = malloc(bytes);
	if (!gt) {
		*rc = -ENOMEM;
		return NULL;
	}
	*rc = mf_pread(e->f, gt, (size_t)bytes, off);
	if (*rc) {
		free(gt);
		return NULL;
	}
	for (k = 0; k < e->gtes; k++)
		gt[k] = le32(&gt[k]);
	e->gt[i] = gt;
	return gt;
}

/* Grain table entry for grain g of the extent: *gte, 0 = none. */
static int gte_get(struct vmdk_ext *e, uint64_t g, uint32_t *gte)
{
	uint32_t *gt;
	int rc;

	if (g / e->gtes >= e->ngd) {
		*gte = 0;
		return 0;
	}
	gt = gt_get(e, (uint32_t)(g / e->gtes), &rc);
	if (rc)
		return rc;
	*gte = gt ? gt[g % e->gtes] : 0;
	return 0;
}

static inline bool gte_zero(const struct vmdk_ext *e, uint32_t gte)
{
	return gte == 1 && (e->flags & VMDK_FLAG_ZERO_GTE);
}

/* Inflate compressed grain g (gte = its marker sector) into e->cache.
 * Lock held. */
static int grain_inflate(struct vmdk_ext *e, uint64_t g, uint32_t gte)
{
	uint64_t grain_bytes = e->grain * 512, off = (uint64_t)gte * 512;
	uint8_t hdr[12], *in;
	uint32_t csize;
	size_t got = 0;
	enum libdeflate_result r;
	int rc;

	if (e->cache_valid && e->cache_grain == g)
		return 0;
	if (!e->cache && !(e->cache = malloc(grain_bytes)))
		return -ENOMEM;
	if (!e->dec && !(e->dec = libdeflate_alloc_decompressor()))
		return -ENOMEM;
	rc = mf_pread(e->f, hdr, sizeof(hdr), off);
	if (rc)
		return rc;
	csize = le32(hdr + 8);
	if (le64(hdr) != g * e->grain || !csize ||
	    csize > 2 * grain_bytes + 4096 ||
	    !ck_range(off + 12, csize, VB_MAX(e->file_size, off + 12)))
		return -EIO;
	in = malloc(csize);
	if (!in)
		return -ENOMEM;
	rc = mf_pread(e->f, in, csize, off + 12);
	if (!rc) {
		r = libdeflate_zlib_decompress(e->dec, in, csize, e->cache,
					       grain_bytes, &got);
		if (r != LIBDEFLATE_SUCCESS && r != LIBDEFLATE_SHORT_OUTPUT)
			rc = -EIO;
	}
	free(in);
	if (rc) {
		e->cache_valid = false;
		return rc;
	}
	if (got < grain_bytes)
		memset(e->cache + got, 0, grain_bytes - got);
	e->cache_grain = g;
	e->cache_valid = true;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Extent lookup and I/O                                               */

static struct vmdk_ext *ext_for(struct vmdk *v, uint64_t sector)
{
	size_t lo = 0, hi = v->next;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (sector < v->ext[mid].start)
			hi = mid;
		else if (sector >= v->ext[mid].start + v->ext[mid].sectors)
			lo = mid + 1;
		else
			return &v->ext[mid];
	}
	return NULL;
}

static int vmdk_status(struct medium *m, uint64_t off, uint64_t len,
		       uint64_t *n)
{
	struct vmdk *v = m->priv;
	uint64_t s = off / 512;
	struct vmdk_ext *e = ext_for(v, s);
	uint64_t in, run, grain_bytes, g;
	uint32_t gte;
	int st, rc;

	if (!e) {
		*n = len;
		return MST_ZERO;
	}
	if (e->ws)
		return -EBADF;  /* a stream being written is write-only */
	run = VB_MIN(len, (e->start + e->sectors - s) * 512);
	if (e->type == VE_ZERO) {
		*n = run;
		return MST_ZERO;
	}
	if (e->type != VE_SPARSE) {
		*n = run;
		return MST_DATA;
	}
	in = (s - e->start) * 512;
	grain_bytes = e->grain * 512;
	pthread_mutex_lock(&e->lock);
	g = in >> e->gshift;
	rc = gte_get(e, g, &gte);
	if (rc) {
		pthread_mutex_unlock(&e->lock);
		return rc;
	}
	st = !gte ? MST_UNALLOC : gte_zero(e, gte) ? MST_ZERO : MST_DATA;
	*n = VB_MIN(run, grain_bytes - (in & (grain_bytes - 1)));
	/* extend over grains in the same state */
	while (*n < run) {
		int s2;

		rc = gte_get(e, ++g, &gte);
		if (rc)
			break;
		s2 = !gte ? MST_UNALLOC : gte_zero(e, gte) ? MST_ZERO : MST_DATA;
		if (s2 != st)
			break;
		*n = VB_MIN(run, *n + grain_bytes);
	}
	pthread_mutex_unlock(&e->lock);
	return st;
}

static int vmdk_read(struct medium *m, uint64_t off, void *buf, size_t len)
{
	struct vmdk *v = m->priv;
	uint8_t *p = buf;

	while (len) {
		uint64_t s = off / 512;
		struct vmdk_ext *e = ext_for(v, s);
		uint64_t in, grain_bytes, g;
		size_t n;
		uint32_t gte;
		int rc;

		if (!e)
			return -EIO;
		if (e->ws)
			return -EBADF;
		in = (s - e->start) * 512;
		n = (size_t)VB_MIN((uint64_t)len, (e->start + e->sectors - s) * 512);
		if (e->type == VE_ZERO) {
			memset(p, 0, n);
			goto next;
		}
		if (e->type != VE_SPARSE) {
			rc = mf_pread_zero(e->f, p, n, e->flat_off + in);
			if (rc)
				return rc;
			goto next;
		}
		grain_bytes = e->grain * 512;
		n = (size_t)VB_MIN((uint64_t)n, grain_bytes - (in & (grain_bytes - 1)));
		g = in >> e->gshift;
		pthread_mutex_lock(&e->lock);
		rc = gte_get(e, g, &gte);
		if (!rc && (!gte || gte_zero(e, gte))) {
			pthread_mutex_unlock(&e->lock);
			if (!gte && m->parent)
				rc = media_read_below(m, off, p, n);
			else
				memset(p, 0, n);
			if (rc)
				return rc;
			goto next;
		}
		if (!rc && e->compressed) {
			rc = grain_inflate(e, g, gte);
			if (!rc)
				memcpy(p, e->cache + (in & (grain_bytes - 1)), n);
			pthread_mutex_unlock(&e->lock);
			if (rc)
				return rc;
			goto next;
		}
		pthread_mutex_unlock(&e->lock);
		if (rc)
			return rc;
		rc = mf_pread(e->f, p, n, (uint64_t)gte * 512 +
			      (in & (grain_bytes - 1)));
		if (rc)
			return rc;
next:
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

/* A new grain table for directory entry i at the end of the file
 * (and its redundant copy).  Lock held. */
static int gt_alloc(struct vmdk_ext *e, uint32_t i)
{
	uint64_t bytes = 4ull * e->gtes, secs = (bytes + 511) / 512;
	uint32_t *gt = calloc(1, bytes);

	if (!gt)
		return -ENOMEM;
	if (e->next_sector + 2 * secs > UINT32_MAX) {
		free(gt);
		return -EFBIG;
	}
	e->gd[i] = (uint32_t)e->next_sector;
	e->next_sector += secs;
	if (e->rgd) {
		e->rgd[i] = (uint32_t)e->next_sector;
		e->next_sector += secs;
	}
	/* keep grains grain-aligned */
	e->next_sector = VB_ALIGN_UP(e->next_sector, e->grain);
	free(e->gt[i]);
	e->gt[i] = gt;
	e->gt_dirty[i] = 1;
	e->gd_dirty = true;
	return 0;
}

static int sparse_write(struct medium *m, struct vmdk_ext *e, uint64_t off,
			uint64_t in, const uint8_t *p, size_t n)
{
	uint64_t grain_bytes = e->grain * 512, g = in >> e->gshift;
	uint64_t gin = in & (grain_bytes - 1);
	uint32_t gi = (uint32_t)(g / e->gtes), *gt, gte;
	uint8_t *tmp = NULL;
	const uint8_t *data = p;
	int rc;

	if (e->compressed || e->ws)
		return -EROFS;
	if (gi >= e->ngd)
		return -EIO;
	pthread_mutex_lock(&e->lock);
	gt = gt_get(e, gi, &rc);
	if (rc)
		goto out;
	gte = gt ? gt[g % e->gtes] : 0;
	if (gte && !gte_zero(e, gte)) {
		pthread_mutex_unlock(&e->lock);
		return mf_pwrite(e->f, p, n, (uint64_t)gte * 512 + gin);
	}
	/* zeros into a grain that reads zeros: nothing to store */
	if ((gte_zero(e, gte) || !m->parent) && media_is_zero(p, n))
		goto out;
	if (!gt) {
		rc = gt_alloc(e, gi);
		if (rc)
			goto out;
		gt = e->gt[gi];
	}
	if (e->next_sector + e->grain > UINT32_MAX) {
		rc = -EFBIG;
		goto out;
	}
	if (n != grain_bytes) {
		uint64_t goff = off - gin;

		tmp = malloc(grain_bytes);
		if (!tmp) {
			rc = -ENOMEM;
			goto out;
		}
		if (gte_zero(e, gte) || !m->parent)
			memset(tmp, 0, grain_bytes);
		else if ((rc = media_read_below(m, goff, tmp, grain_bytes)))
			goto out;
		memcpy(tmp + gin, p, n);
		data = tmp;
	}
	rc = mf_pwrite(e->f, data, grain_bytes, e->next_sector * 512);
	if (rc)
		goto out;
	gt[g % e->gtes] = (uint32_t)e->next_sector;
	e->next_sector += e->grain;
	e->gt_dirty[gi] = 1;
	e->any_dirty = true;
out:
	pthread_mutex_unlock(&e->lock);
	free(tmp);
	return rc;
}

/* Allocate a run of whole, new, non-zero grains contiguously and write
 * them with one call (conversions write 1 MiB at a time).  Returns the
 * bytes written (0: not applicable, use the per-grain path) or -errno. */
static ssize_t sparse_write_run(struct medium *m, struct vmdk_ext *e,
				uint64_t in, const uint8_t *p, size_t n)
{
	uint64_t gb = e->grain * 512, g0 = in >> e->gshift, k, i;
	uint32_t *gt = NULL;
	int rc = 0;

	if (e->compressed || e->ws || (in & (gb - 1)) || n < 2 * gb)
		return 0;
	pthread_mutex_lock(&e->lock);
	for (k = 0; (k + 1) * gb <= n; k++) {
		uint64_t g = g0 + k;
		uint32_t gi = (uint32_t)(g / e->gtes);

		if (gi >= e->ngd || !(gt = gt_get(e, gi, &rc)) ||
		    gt[g % e->gtes] || media_is_zero(p + k * gb, gb))
			break;
	}
	if (rc || k < 2 || e->next_sector + k * e->grain > UINT32_MAX) {
		pthread_mutex_unlock(&e->lock);
		return rc ? rc : 0;
	}
	rc = mf_pwrite(e->f, p, k * gb, e->next_sector * 512);
	if (!rc) {
		for (i = 0; i < k; i++) {
			uint64_t g = g0 + i;
			uint32_t gi = (uint32_t)(g / e->gtes);

			e->gt[gi][g % e->gtes] =
				(uint32_t)(e->next_sector + i * e->grain);
			e->gt_dirty[gi] = 1;
		}
		e->next_sector += k * e->grain;
		e->any_dirty = true;
	}
	pthread_mutex_unlock(&e->lock);
	return rc ? rc : (ssize_t)(k * gb);
}

static int vmdk_write(struct medium *m, uint64_t off, const void *buf,
		      size_t len)
{
	struct vmdk *v = m->priv;
	const uint8_t *p = buf;

	while (len) {
		uint64_t s = off / 512;
		struct vmdk_ext *e = ext_for(v, s);
		uint64_t in;
		size_t n;
		int rc;

		if (!e)
			return -EIO;
		if (e->access != VA_RW && !e->ws)
			return -EROFS;
		in = (s - e->start) * 512;
		n = (size_t)VB_MIN((uint64_t)len, (e->start + e->sectors - s) * 512);
		if (e->ws) {
			rc = vmdk_stream_write(e->ws, in, p, n);
		} else if (e->type == VE_ZERO) {
			rc = -EROFS;
		} else if (e->type != VE_SPARSE) {
			rc = mf_pwrite(e->f, p, n, e->flat_off + in);
		} else {
			uint64_t gb = e->grain * 512;
			ssize_t done = sparse_write_run(m, e, in, p, n);

			if (done < 0)
				return (int)done;
			if (done > 0) {
				n = (size_t)done;
				rc = 0;
			} else {
				n = (size_t)VB_MIN((uint64_t)n,
						   gb - (in & (gb - 1)));
				rc = sparse_write(m, e, off, in, p, n);
			}
		}
		if (rc)
			return rc;
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Metadata                                                            */

static int write_gt(struct vmdk_ext *e, uint32_t i)
{
	uint32_t *buf = malloc(4ull * e->gtes), k;
	int rc;

	if (!buf)
		return -ENOMEM;
	for (k = 0; k < e->gtes; k++)
		put_le32(&buf[k], e->gt[i][k]);
	rc = mf_pwrite(e->f, buf, 4ull * e->gtes, (uint64_t)e->gd[i] * 512);
	if (!rc && e->rgd && e->rgd[i])
		rc = mf_pwrite(e->f, buf, 4ull * e->gtes,
			       (uint64_t)e->rgd[i] * 512);
	free(buf);
	return rc;
}

int vmdk_write_gd(struct vmdk_ext *e)
{
	uint32_t *buf = malloc(4ull * VB_MAX(e->ngd, 1u)), k;
	int rc;

	if (!buf)
		return -ENOMEM;
	for (k = 0; k < e->ngd; k++)
		put_le32(&buf[k], e->gd[k]);
	rc = mf_pwrite(e->f, buf, 4ull * e->ngd, e->gd_off * 512);
	if (!rc && e->rgd) {
		for (k = 0; k < e->ngd; k++)
			put_le32(&buf[k], e->rgd[k]);
		rc = mf_pwrite(e->f, buf, 4ull * e->ngd, e->rgd_off * 512);
	}
	free(buf);
	return rc;
}

static int ext_flush_meta(struct vmdk_ext *e)
{
	uint32_t i;
	int rc = 0;

	if (e->type != VE_SPARSE || !e->any_dirty)
		return 0;
	pthread_mutex_lock(&e->lock);
	for (i = 0; !rc && i < e->ngd; i++) {
		if (!e->gt_dirty[i])
			continue;
		rc = write_gt(e, i);
		if (!rc)
			e->gt_dirty[i] = 0;
	}
	if (!rc && e->gd_dirty) {
		rc = vmdk_write_gd(e);
		if (!rc)
			e->gd_dirty = false;
	}
	if (!rc)
		e->any_dirty = false;
	pthread_mutex_unlock(&e->lock);
	return rc;
}

/* Put struct medium's fields into the descriptor. */
int vmdk_desc_update(struct medium *m, struct vmdk *v)
{
	char ub[40];
	char num[16];
	int rc = 0;

	rc |= vmdk_desc_set(&v->desc, "ddb.uuid.image",
			    vb_uuid_fmt(&m->uuid, ub), true);
	rc |= vmdk_desc_set(&v->desc, "ddb.uuid.parent",
			    vb_uuid_fmt(&m->parent_uuid, ub), true);
	rc |= vmdk_desc_set(&v->desc, "ddb.uuid.modification",
			    vb_uuid_fmt(&m->modify_uuid, ub), true);
	rc |= vmdk_desc_set(&v->desc, "ddb.uuid.parentmodification",
			    vb_uuid_fmt(&m->parent_modify_uuid, ub), true);
	if (m->pchs.cylinders && m->pchs.heads && m->pchs.sectors) {
		snprintf(num, sizeof(num), "%u", m->pchs.cylinders);
		rc |= vmdk_desc_set(&v->desc, "ddb.geometry.cylinders", num, true);
		snprintf(num, sizeof(num), "%u", m->pchs.heads);
		rc |= vmdk_desc_set(&v->desc, "ddb.geometry.heads", num, true);
		snprintf(num, sizeof(num), "%u", m->pchs.sectors);
		rc |= vmdk_desc_set(&v->desc, "ddb.geometry.sectors", num, true);
	}
	if (m->lchs.cylinders && m->lchs.heads && m->lchs.sectors) {
		snprintf(num, sizeof(num), "%u", m->lchs.cylinders);
		rc |= vmdk_desc_set(&v->desc, "ddb.geometry.biosCylinders", num, true);
		snprintf(num, sizeof(num), "%u", m->lchs.heads);
		rc |= vmdk_desc_set(&v->desc, "ddb.geometry.biosHeads", num, true);
		snprintf(num, sizeof(num), "%u", m->lchs.sectors);
		rc |= vmdk_desc_set(&v->desc, "ddb.geometry.biosSectors", num, true);
	}
	if (m->comment) {
		char *c = vmdk_comment_escape(m->comment);

		rc |= c ? vmdk_desc_set(&v->desc, "ddb.comment", c, true) : -ENOMEM;
		free(c);
	}
	return rc ? -ENOMEM : 0;
}

int vmdk_desc_write(struct medium *m, struct vmdk *v)
{
	size_t len;
	char *text = vmdk_desc_text(&v->desc, &len);
	int rc;

	if (!text)
		return -ENOMEM;
	if (v->embedded) {
		uint8_t *area;

		if (len > v->desc_cap) {
			free(text);
			return -ENOSPC;
		}
		area = calloc(1, v->desc_cap);
		if (!area) {
			free(text);
			return -ENOMEM;
		}
		memcpy(area, text, len);
		rc = mf_pwrite(m->file, area, v->desc_cap, v->desc_off);
		free(area);
	} else {
		rc = mf_pwrite(m->file, text, len, 0);
		if (!rc)
			rc = mf_truncate(m->file, len);
	}
	free(text);
	return rc;
}

int vmdk_flush(struct medium *m)
{
	struct vmdk *v = m->priv;
	size_t i;
	int rc = 0;

	for (i = 0; i < v->next; i++) {
		if (v->ext[i].ws) {
			rc = vmdk_stream_finish(v->ext[i].ws);
			if (rc)
				return rc;
			continue;
		}
		if (v->ext[i].type != VE_ZERO && v->ext[i].access == VA_RW &&
		    (rc = mf_sync(v->ext[i].f)))
			return rc;
	}
	for (i = 0; i < v->next; i++) {
		rc = ext_flush_meta(&v->ext[i]);
		if (rc)
			return rc;
	}
	if (m->meta_dirty || v->desc_dirty) {
		rc = vmdk_desc_update(m, v);
		if (!rc)
			rc = vmdk_desc_write(m, v);
		if (rc)
			return rc;
		m->meta_dirty = false;
		v->desc_dirty = false;
	}
	for (i = 0; i < v->next; i++) {
		struct vmdk_ext *e = &v->ext[i];

		if (e->type != VE_ZERO && (e->own_file || i == 0) &&
		    e->access == VA_RW && (rc = mf_sync(e->f)))
			return rc;
	}
	if (!v->embedded)
		rc = mf_sync(m->file);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Open                                                                */

static void read_geometry(struct vmdk *v, const char *kc, const char *kh,
			  const char *ks, struct media_geometry *g,
			  unsigned max_heads)
{
	char *c = vmdk_desc_get(&v->desc, kc);
	char *h = vmdk_desc_get(&v->desc, kh);
	char *s = vmdk_desc_get(&v->desc, ks);
	unsigned cv = 0, hv = 0, sv = 0;

	memset(g, 0, sizeof(*g));
	if (c && h && s && !vb_parse_u32(c, &cv) && !vb_parse_u32(h, &hv) &&
	    !vb_parse_u32(s, &sv) && cv && hv && hv <= max_heads && sv &&
	    sv <= 63) {
		g->cylinders = cv;
		g->heads = hv;
		g->sectors = sv;
	}
	free(c);
	free(h);
	free(s);
}

static void read_uuid(struct vmdk *v, const char *key, struct vb_uuid *u,
		      bool *present)
{
	char *s = vmdk_desc_get(&v->desc, key);

	memset(u, 0, sizeof(*u));
	if (present)
		*present = s && !vb_uuid_parse(s, u);
	else if (s)
		vb_uuid_parse(s, u);
	free(s);
}

void vmdk_free(struct vmdk *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->next; i++)
		ext_free(&v->ext[i]);
	free(v->ext);
	vmdk_desc_release(&v->desc);
	free(v);
}

static int open_extents(struct medium *m, struct vmdk *v, struct vb_error *err)
{
	uint64_t start = 0;
	size_t i;
	int rc;

	v->ext = calloc(v->desc.next, sizeof(*v->ext));
	if (!v->ext)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	for (i = 0; i < v->desc.next; i++) {
		const struct vmdk_desc_extent *d = &v->desc.ext[i];
		struct vmdk_ext *e = &v->ext[i];
		char *path;

		pthread_mutex_init(&e->lock, NULL);
		v->next = i + 1;
		e->type = d->type == VE_VMFS ? VE_FLAT : d->type;
		e->access = d->access;
		e->start = start;
		e->sectors = d->sectors;
		if (!ck_add_u64(start, d->sectors, &start) ||
		    start > (1ull << 50) / 512)
			return vmdk_bad(m, err, "extents too large");
		if ((m->flags & MEDIA_RDWR) && e->access != VA_RW &&
		    e->type != VE_ZERO)
			v->readonly_extents = true;
		if (e->type == VE_ZERO)
			continue;
		if (v->embedded && i == 0) {
			e->f = m->file;
			e->own_file = false;
		} else {
			unsigned fl = (m->flags & MEDIA_RDWR) && e->access == VA_RW ?
				      MF_RDWR : MF_RDONLY;

			path = media_sibling(m, d->file);
			if (!path)
				return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY,
					      "Out of memory");
			rc = m->fs->ops->open(m->fs, path, fl, &e->f);
			if (rc) {
				vb_err(err, -rc, VB_E_FAIL,
				       "VMDK: could not open extent file '%s' (%s).\n"
				       "VD: error %s opening image file '%s' (%s)",
				       path, media_vbox_status(rc),
				       media_vbox_status(rc), m->path,
				       media_vbox_status(rc));
				free(path);
				return rc;
			}
			free(path);
			e->own_file = true;
		}
		if (e->type == VE_FLAT) {
			if (d->offset > UINT64_MAX / 512)
				return vmdk_bad(m, err, "invalid flat extent offset");
			e->flat_off = d->offset * 512;
			continue;
		}
		rc = sparse_open(m, e, d->file, err);
		if (rc)
			return rc;
		if (e->sectors > e->capacity)
			return vmdk_bad(m, err, "extent larger than its capacity");
	}
	return 0;
}

unsigned vmdk_variant_of(const char *type, bool has_parent)
{
	unsigned v = 0;

	if (!type)
		v = 0;
	else if (!strcasecmp(type, "monolithicFlat") ||
		 !strcasecmp(type, "fullDevice") ||
		 !strcasecmp(type, "partitionedDevice"))
		v = MEDIA_VARIANT_FIXED;
	else if (!strcasecmp(type, "twoGbMaxExtentSparse"))
		v = MEDIA_VARIANT_SPLIT2G;
	else if (!strcasecmp(type, "twoGbMaxExtentFlat"))
		v = MEDIA_VARIANT_FIXED | MEDIA_VARIANT_SPLIT2G;
	else if (!strcasecmp(type, "streamOptimized"))
		v = MEDIA_VARIANT_STREAM;
	else if (!strcasecmp(type, "vmfs"))
		v = MEDIA_VARIANT_FIXED | MEDIA_VARIANT_ESX;
	if (has_parent)
		v |= MEDIA_VARIANT_DIFF;
	return v;
}

static int vmdk_open(struct medium *m, struct vb_error *err)
{
	struct vmdk *v = calloc(1, sizeof(*v));
	uint8_t magic[4];
	uint64_t fsize;
	char *text = NULL, why[200], *ct;
	size_t tlen = 0;
	bool has_uuid;
	int rc;

	if (!v)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	rc = mf_size(m->file, &fsize);
	if (!rc)
		rc = mf_pread(m->file, magic, 4, 0);
	if (rc) {
		vb_err(err, -rc, VBOX_E_FILE_ERROR,
		       "VMDK: error reading the magic number in '%s' (%s)",
		       m->path, media_vbox_status(rc));
		goto fail;
	}
	if (le32(magic) == VMDK_MAGIC) {
		uint8_t h[VMDK_HDR_SIZE];
		uint64_t doff, dsz;

		rc = mf_pread(m->file, h, sizeof(h), 0);
		if (rc) {
			vb_err(err, -rc, VBOX_E_FILE_ERROR,
			       "VMDK: error reading the header of '%s' (%s)",
			       m->path, media_vbox_status(rc));
			goto fail;
		}
		doff = le64(h + 0x1C);
		dsz = le64(h + 0x24);
		if (!doff || !dsz || dsz > VMDK_DESC_MAX / 512 ||
		    doff > fsize / 512 || !ck_range(doff * 512, dsz * 512, fsize)) {
			rc = vmdk_bad(m, err, "no embedded descriptor");
			goto fail;
		}
		v->embedded = true;
		v->desc_off = doff * 512;
		v->desc_cap = dsz * 512;
		tlen = (size_t)v->desc_cap;
		text = malloc(tlen);
		if (!text) {
			rc = vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
			goto fail;
		}
		rc = mf_pread(m->file, text, tlen, v->desc_off);
	} else {
		if (fsize > VMDK_DESC_MAX) {
			rc = vmdk_bad(m, err, "descriptor file too large");
			goto fail;
		}
		tlen = (size_t)fsize;
		text = malloc(tlen ? tlen : 1);
		if (!text) {
			rc = vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
			goto fail;
		}
		rc = mf_pread(m->file, text, tlen, 0);
	}
	if (rc) {
		vb_err(err, -rc, VBOX_E_FILE_ERROR,
		       "VMDK: error reading the descriptor in '%s' (%s)",
		       m->path, media_vbox_status(rc));
		goto fail;
	}
	rc = vmdk_desc_parse(&v->desc, text, tlen, why, sizeof(why));
	if (rc) {
		vb_err(err, -rc, VBOX_E_FILE_ERROR,
		       "VMDK: %s in descriptor of '%s' (VERR_VD_VMDK_INVALID_HEADER).\n"
		       "VD: error VERR_VD_VMDK_INVALID_HEADER opening image file '%s' (VERR_VD_VMDK_INVALID_HEADER)",
		       why, m->path, m->path);
		goto fail;
	}
	if (v->embedded && (v->desc.next != 1 || v->desc.ext[0].type != VE_SPARSE)) {
		rc = vmdk_bad(m, err, "an embedded descriptor must have one sparse extent");
		goto fail;
	}
	rc = open_extents(m, v, err);
	if (rc)
		goto fail;
	m->size = v->ext[v->next - 1].start * 512 + v->ext[v->next - 1].sectors * 512;
	read_uuid(v, "ddb.uuid.image", &m->uuid, &has_uuid);
	read_uuid(v, "ddb.uuid.parent", &m->parent_uuid, NULL);
	read_uuid(v, "ddb.uuid.modification", &m->modify_uuid, NULL);
	read_uuid(v, "ddb.uuid.parentmodification", &m->parent_modify_uuid, NULL);
	if (!has_uuid || vb_uuid_is_zero(&m->uuid)) {
		/* VMware's disks carry no UUID: the registry gives it one
		 * (media_set_uuid); a writer that does not stores a random
		 * one with its first change, as VirtualBox does */
		vb_uuid_generate(&m->uuid);
		m->uuid_missing = true;
	}
	m->has_uuid = true;
	read_geometry(v, "ddb.geometry.cylinders", "ddb.geometry.heads",
		      "ddb.geometry.sectors", &m->pchs, 16);
	read_geometry(v, "ddb.geometry.biosCylinders", "ddb.geometry.biosHeads",
		      "ddb.geometry.biosSectors", &m->lchs, 255);
	{
		char *c = vmdk_desc_get(&v->desc, "ddb.comment");

		if (c) {
			m->comment = vmdk_comment_unescape(c);
			free(c);
		}
	}
	ct = vmdk_desc_get(&v->desc, "createType");
	m->variant = vmdk_variant_of(ct, !vb_uuid_is_zero(&m->parent_uuid));
	free(ct);
	{
		char *hint = vmdk_desc_get(&v->desc, "parentFileNameHint");

		m->parent_hint = hint;
	}
	if ((m->flags & MEDIA_RDWR) && v->readonly_extents) {
		rc = vb_err(err, EROFS, VB_E_FAIL,
			    "VMDK: image '%s' has read-only extents (VERR_VD_IMAGE_READ_ONLY).\n"
			    "VD: error VERR_VD_IMAGE_READ_ONLY opening image file '%s' (VERR_VD_IMAGE_READ_ONLY)",
			    m->path, m->path);
		goto fail;
	}
	free(text);
	m->priv = v;
	return 0;
fail:
	free(text);
	vmdk_free(v);
	return rc < 0 ? rc : -EINVAL;
}

static void vmdk_dump(struct medium *m, struct strbuf *sb)
{
	struct vmdk *v = m->priv;
	size_t i;
	char *ct = vmdk_desc_get(&v->desc, "createType");

	sb_addf(sb, "Header: createType=%s Size=%llu Extents=%zu\n",
		ct ? ct : "", (unsigned long long)m->size, v->next);
	free(ct);
	for (i = 0; i < v->next; i++) {
		const struct vmdk_ext *e = &v->ext[i];

		sb_addf(sb, "Extent %zu: start=%llu sectors=%llu type=%s file=%s\n",
			i, (unsigned long long)e->start,
			(unsigned long long)e->sectors,
			e->type == VE_SPARSE ? "SPARSE" :
			e->type == VE_FLAT ? "FLAT" : "ZERO",
			v->desc.ext[i].file ? v->desc.ext[i].file : "");
		if (e->type == VE_SPARSE)
			sb_addf(sb, "  version=%u flags=%#x capacity=%llu grain=%llu gtes=%u gd=%llu rgd=%llu overhead=%llu compressed=%d\n",
				e->version, e->flags,
				(unsigned long long)e->capacity,
				(unsigned long long)e->grain, e->gtes,
				(unsigned long long)e->gd_off,
				(unsigned long long)e->rgd_off,
				(unsigned long long)e->overhead, e->compressed);
	}
}

static void vmdk_close(struct medium *m)
{
	vmdk_free(m->priv);
	m->priv = NULL;
}

const struct media_driver media_drv_vmdk = {
	.name = "VMDK",
	.caps = MCAP_UUID | MCAP_CREATE_FIXED | MCAP_CREATE_DYNAMIC |
		MCAP_CREATE_SPLIT2G | MCAP_DIFFERENCING | MCAP_ASYNC |
		MCAP_FILE | MCAP_VFS | MCAP_PREFERRED,
	.exts = vmdk_exts,
	.probe = vmdk_probe,
	.open = vmdk_open,
	.create = vmdk_create,
	.status = vmdk_status,
	.read = vmdk_read,
	.write = vmdk_write,
	.flush = vmdk_flush,
	.meta = MMETA_UUID | MMETA_MODIFY_UUID | MMETA_PARENT_UUID |
		MMETA_PARENT_MODIFY | MMETA_COMMENT | MMETA_PCHS | MMETA_LCHS,
	.resize = vmdk_resize,
	.compact = NULL,
	.discard = NULL,
	.dump = vmdk_dump,
	.files = vmdk_files,
	.rename = vmdk_rename,
	.close = vmdk_close,
};
