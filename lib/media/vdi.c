/*
 * VDI, VirtualBox's native disk image (media-formats.md section 1).
 *
 * Layout: a 72-byte pre-header (banner, signature 0xBEDA107F, version),
 * a header (v1.1: 384 bytes, v1.1+: 400 bytes with the LCHS geometry;
 * legacy v0: 348 bytes), a flat little-endian u32 block map and the data
 * area.  Map entries: a physical slot index, 0xFFFFFFFF "free" (the
 * parent's data or zeros) or 0xFFFFFFFE "zero".
 *
 * Subset: dynamic, fixed and differencing images are created, read and
 * written; undo images open like dynamic ones; v0 images are read-only.
 * Compaction and growing are supported; discard releases whole blocks.
 *
 * Writes: a block is allocated whole (the rest of it filled from the
 * parent chain or with zeros) at slot cBlocksAllocated, i.e. at the end
 * of the data area.  The map entry and the header reach the file only at
 * flush, after the data was synced, so a crash can leak a block past
 * cBlocksAllocated but never make the map point at unwritten data.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/media/media-int.h"

#define VDI_SIGNATURE           0xBEDA107Fu
#define VDI_VERSION_1_1         0x00010001u
#define VDI_VERSION_0_LEGACY    0x00000002u
#define VDI_PREHDR_SIZE         0x48u
#define VDI_HDR1_SIZE           0x180u          /* v1.1 */
#define VDI_HDR1_PLUS_SIZE      0x190u          /* v1.1+ (LCHS) */
#define VDI_HDR0_SIZE           0x15Cu          /* v0: 348 bytes */
#define VDI_HDR_BUF             512u
#define VDI_BLOCK_FREE          0xFFFFFFFFu
#define VDI_BLOCK_ZERO          0xFFFFFFFEu
#define VDI_DATA_ALIGN          0x100000u
#define VDI_DEFAULT_BLOCK       0x100000u
#define VDI_MAX_SIZE            ((4ull << 50) - (3ull << 20))
#define VDI_MIN_BLOCK           512u
#define VDI_MAX_BLOCK           (128u << 20)
#define VDI_COMMENT_SIZE        256u

#define VDI_TYPE_NORMAL         1
#define VDI_TYPE_FIXED          2
#define VDI_TYPE_UNDO           3
#define VDI_TYPE_DIFF           4

static const char vdi_banner[] = "<<< Oracle VM VirtualBox Disk Image >>>\n";

struct vdi {
	uint8_t hdr[VDI_HDR_BUF];   /* the first 512 bytes as read/written */
	uint32_t version;
	uint32_t cb_header;         /* 0 for v0 */
	uint32_t type, flags;
	uint32_t off_blocks, off_data;
	uint64_t cb_disk;
	uint32_t cb_block, cb_extra;
	uint32_t c_blocks, c_alloc;
	uint32_t *map;
	uint64_t slot;              /* cb_extra + cb_block */
	unsigned shift;             /* log2(cb_block) */
	pthread_mutex_t alloc_lock; /* allocation, dirty tracking, flush */
	uint32_t dirty_lo, dirty_hi;/* map entries to write, lo > hi: none */
	bool hdr_dirty;
};

static const char *const vdi_exts[] = { "vdi", NULL };

static inline uint32_t map_get(struct vdi *v, uint32_t i)
{
	return __atomic_load_n(&v->map[i], __ATOMIC_ACQUIRE);
}

static inline void map_set(struct vdi *v, uint32_t i, uint32_t e)
{
	__atomic_store_n(&v->map[i], e, __ATOMIC_RELEASE);
	if (v->dirty_lo > v->dirty_hi) {
		v->dirty_lo = v->dirty_hi = i;
	} else {
		if (i < v->dirty_lo)
			v->dirty_lo = i;
		if (i > v->dirty_hi)
			v->dirty_hi = i;
	}
}

static inline bool allocated(uint32_t e)
{
	return e < VDI_BLOCK_ZERO;
}

static int vdi_probe(struct mfile *f, uint64_t size, const char *path)
{
	uint8_t b[8];

	if (size < VDI_PREHDR_SIZE + VDI_HDR0_SIZE ||
	    mf_pread(f, b, sizeof(b), 0x40))
		return 0;
	if (le32(b) != VDI_SIGNATURE)
		return 0;
	return 100;
}

static int bad_header(struct medium *m, struct vb_error *err,
		      const char *what)
{
	return vb_err(err, EINVAL, VBOX_E_FILE_ERROR,
		      "VDI: invalid header in '%s': %s (VERR_VD_VDI_INVALID_HEADER).\n"
		      "VD: error VERR_VD_VDI_INVALID_HEADER opening image file '%s' (VERR_VD_VDI_INVALID_HEADER)",
		      m->path, what, m->path);
}

static void geometry_get(const uint8_t *p, struct media_geometry *g)
{
	g->cylinders = le32(p);
	g->heads = le32(p + 4);
	g->sectors = le32(p + 8);
}

/* Parse and validate the header in v->hdr (section 1.13). */
static int vdi_parse(struct medium *m, struct vdi *v, uint64_t file_size,
		     struct vb_error *err)
{
	const uint8_t *h = v->hdr;
	uint64_t map_end;
	char what[128];

	v->version = le32(h + 0x44);
	if (v->version == VDI_VERSION_0_LEGACY || (v->version >> 16) == 0) {
		if (v->version != VDI_VERSION_0_LEGACY && v->version != 0)
			goto unsupported;
		v->version = 0;
		v->cb_header = 0;
		v->type = le32(h + 0x48);
		v->flags = le32(h + 0x4C);
		geometry_get(h + 0x150, &m->pchs);
		v->cb_disk = le64(h + 0x160);
		v->cb_block = le32(h + 0x168);
		v->cb_extra = 0;
		v->c_blocks = le32(h + 0x16C);
		v->c_alloc = le32(h + 0x170);
		vb_uuid_from_le(h + 0x174, &m->uuid);
		vb_uuid_from_le(h + 0x184, &m->modify_uuid);
		vb_uuid_from_le(h + 0x194, &m->parent_uuid);
		v->off_blocks = VDI_PREHDR_SIZE + VDI_HDR0_SIZE;
		v->off_data = v->off_blocks + 4 * (uint64_t)v->c_blocks >
			      UINT32_MAX ? 0 : v->off_blocks + 4 * v->c_blocks;
		if (!v->off_data)
			return bad_header(m, err, "block count too large");
		if (m->flags & MEDIA_RDWR)
			return vb_err(err, ENOTSUP, VBOX_E_NOT_SUPPORTED,
				      "VDI: version 0 image '%s' can only be opened read-only",
				      m->path);
	} else if ((v->version >> 16) == 1) {
		v->cb_header = le32(h + 0x48);
		if (v->cb_header < VDI_HDR1_SIZE)
			return bad_header(m, err, "header size below 384");
		v->type = le32(h + 0x4C);
		v->flags = le32(h + 0x50);
		v->off_blocks = le32(h + 0x154);
		v->off_data = le32(h + 0x158);
		v->cb_disk = le64(h + 0x170);
		v->cb_block = le32(h + 0x178);
		v->cb_extra = le32(h + 0x17C);
		v->c_blocks = le32(h + 0x180);
		v->c_alloc = le32(h + 0x184);
		vb_uuid_from_le(h + 0x188, &m->uuid);
		vb_uuid_from_le(h + 0x198, &m->modify_uuid);
		vb_uuid_from_le(h + 0x1A8, &m->parent_uuid);
		vb_uuid_from_le(h + 0x1B8, &m->parent_modify_uuid);
		if (v->cb_header >= VDI_HDR1_PLUS_SIZE) {
			geometry_get(h + 0x1C8, &m->lchs);
			if (le32(h + 0x1D4) != 512 &&
			    (m->lchs.cylinders || m->lchs.heads ||
			     m->lchs.sectors || le32(h + 0x1D4)))
				return bad_header(m, err,
						  "LCHS sector size is not 512");
		}
		if (v->off_blocks < VDI_PREHDR_SIZE + VDI_HDR1_SIZE)
			return bad_header(m, err, "block map overlaps the header");
	} else {
		goto unsupported;
	}
	if (v->type < VDI_TYPE_NORMAL || v->type > VDI_TYPE_DIFF) {
		snprintf(what, sizeof(what), "image type %u", v->type);
		return bad_header(m, err, what);
	}
	if (v->flags & ~1u) {
		snprintf(what, sizeof(what), "flags 0x%x", v->flags);
		return bad_header(m, err, what);
	}
	if (!v->cb_disk || v->cb_disk >= VDI_MAX_SIZE)
		return bad_header(m, err, "disk size out of range");
	if (!is_pow2(v->cb_block) || v->cb_block < VDI_MIN_BLOCK ||
	    v->cb_block > VDI_MAX_BLOCK)
		return bad_header(m, err, "block size");
	if (v->cb_extra && (!is_pow2(v->cb_extra) ||
			    v->cb_extra > VDI_MAX_BLOCK))
		return bad_header(m, err, "extra block data size");
	if (!v->c_blocks)
		return bad_header(m, err, "no blocks");
	if ((uint64_t)v->c_blocks * v->cb_block < v->cb_disk)
		return bad_header(m, err, "blocks do not cover the disk size");
	if (v->c_alloc > v->c_blocks)
		return bad_header(m, err, "more blocks allocated than exist");
	map_end = v->off_blocks + 4 * (uint64_t)v->c_blocks;
	if (map_end > v->off_data)
		return bad_header(m, err, "block map overlaps the data area");
	if (map_end > file_size)
		return bad_header(m, err, "block map beyond the end of the file");
	if (4 * (uint64_t)v->c_blocks > MEDIA_META_MAX)
		return bad_header(m, err, "block map too large");
	if (vb_uuid_is_zero(&m->uuid))
		return bad_header(m, err, "image UUID is zero");
	if (v->version && vb_uuid_is_zero(&m->modify_uuid))
		return bad_header(m, err, "modification UUID is zero");
	v->shift = (unsigned)__builtin_ctz(v->cb_block);
	v->slot = (uint64_t)v->cb_extra + v->cb_block;
	return 0;
unsupported:
	return vb_err(err, ENOTSUP, VBOX_E_FILE_ERROR,
		      "VDI: unsupported version %08x in '%s' (VERR_VD_VDI_UNSUPPORTED_VERSION).\n"
		      "VD: error VERR_VD_VDI_UNSUPPORTED_VERSION opening image file '%s' (VERR_VD_VDI_UNSUPPORTED_VERSION)",
		      le32(h + 0x44), m->path, m->path);
}

static void vdi_fill_medium(struct medium *m, struct vdi *v)
{
	const uint8_t *c = v->hdr + (v->version ? 0x54 : 0x50);
	size_t n = strnlen((const char *)c, VDI_COMMENT_SIZE - 1);

	m->size = v->cb_disk & ~(uint64_t)(MEDIA_SECTOR - 1);
	m->has_uuid = true;
	m->variant = 0;
	if (v->type == VDI_TYPE_FIXED)
		m->variant |= MEDIA_VARIANT_FIXED;
	if (v->type == VDI_TYPE_DIFF || !vb_uuid_is_zero(&m->parent_uuid))
		m->variant |= MEDIA_VARIANT_DIFF;
	if (v->flags & 1)
		m->variant |= MEDIA_VARIANT_ZERO_EXPAND;
	free(m->comment);
	m->comment = n ? strndup((const char *)c, n) : NULL;
}

static void vdi_free(struct vdi *v)
{
	if (!v)
		return;
	pthread_mutex_destroy(&v->alloc_lock);
	free(v->map);
	free(v);
}

static struct vdi *vdi_new(void)
{
	struct vdi *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	pthread_mutex_init(&v->alloc_lock, NULL);
	v->dirty_lo = 1;
	v->dirty_hi = 0;
	return v;
}

static int vdi_open(struct medium *m, struct vb_error *err)
{
	struct vdi *v = vdi_new();
	uint64_t file_size;
	uint32_t i;
	int rc;

	if (!v)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	rc = mf_size(m->file, &file_size);
	if (!rc)
		rc = mf_pread_zero(m->file, v->hdr, sizeof(v->hdr), 0);
	if (rc) {
		vb_err(err, -rc, VBOX_E_FILE_ERROR,
		       "VDI: error reading the header of '%s': %s", m->path,
		       strerror(-rc));
		goto fail;
	}
	if (le32(v->hdr + 0x40) != VDI_SIGNATURE) {
		rc = bad_header(m, err, "signature");
		goto fail;
	}
	rc = vdi_parse(m, v, file_size, err);
	if (rc)
		goto fail;
	v->map = malloc(4 * (size_t)v->c_blocks);
	if (!v->map) {
		rc = vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
		goto fail;
	}
	rc = mf_pread(m->file, v->map, 4 * (size_t)v->c_blocks, v->off_blocks);
	if (rc) {
		vb_err(err, -rc, VBOX_E_FILE_ERROR,
		       "VDI: error reading the block map of '%s': %s", m->path,
		       strerror(-rc));
		goto fail;
	}
	for (i = 0; i < v->c_blocks; i++) {
		uint32_t e = le32(&v->map[i]);

		if (allocated(e) && e >= v->c_blocks) {
			char what[96];

			snprintf(what, sizeof(what),
				 "block %u points at slot %u of %u", i, e,
				 v->c_blocks);
			rc = bad_header(m, err, what);
			goto fail;
		}
		v->map[i] = e;
	}
	vdi_fill_medium(m, v);
	m->priv = v;
	return 0;
fail:
	vdi_free(v);
	return rc < 0 ? rc : -EINVAL;
}

/* Serialise the header fields into v->hdr. */
static void vdi_pack(struct medium *m, struct vdi *v)
{
	uint8_t *h = v->hdr;

	if (!v->version)
		return;     /* v0 is read-only */
	/* a plain 1.1 header grows to 1.1+ when there is room, as VBox does */
	if (v->cb_header < VDI_HDR1_PLUS_SIZE &&
	    v->off_blocks >= VDI_PREHDR_SIZE + VDI_HDR1_PLUS_SIZE &&
	    (m->lchs.cylinders || m->lchs.heads || m->lchs.sectors))
		v->cb_header = VDI_HDR1_PLUS_SIZE;
	put_le32(h + 0x48, v->cb_header);
	put_le32(h + 0x4C, v->type);
	put_le32(h + 0x50, v->flags);
	memset(h + 0x54, 0, VDI_COMMENT_SIZE);
	if (m->comment)
		memcpy(h + 0x54, m->comment,
		       strnlen(m->comment, VDI_COMMENT_SIZE - 1));
	put_le32(h + 0x154, v->off_blocks);
	put_le32(h + 0x158, v->off_data);
	put_le64(h + 0x170, v->cb_disk);
	put_le32(h + 0x178, v->cb_block);
	put_le32(h + 0x17C, v->cb_extra);
	put_le32(h + 0x180, v->c_blocks);
	put_le32(h + 0x184, v->c_alloc);
	vb_uuid_to_le(&m->uuid, h + 0x188);
	vb_uuid_to_le(&m->modify_uuid, h + 0x198);
	vb_uuid_to_le(&m->parent_uuid, h + 0x1A8);
	vb_uuid_to_le(&m->parent_modify_uuid, h + 0x1B8);
	if (v->cb_header >= VDI_HDR1_PLUS_SIZE) {
		put_le32(h + 0x1C8, m->lchs.cylinders);
		put_le32(h + 0x1CC, m->lchs.heads);
		put_le32(h + 0x1D0, m->lchs.sectors);
		put_le32(h + 0x1D4, 512);
	}
}

static size_t vdi_hdr_len(const struct vdi *v)
{
	return VDI_PREHDR_SIZE + (v->cb_header >= VDI_HDR1_PLUS_SIZE ?
				  VDI_HDR1_PLUS_SIZE : VDI_HDR1_SIZE);
}

/* Write map entries [lo, hi] (called with alloc_lock held). */
static int vdi_write_map(struct medium *m, struct vdi *v, uint32_t lo,
			 uint32_t hi)
{
	uint32_t chunk[1024];
	uint32_t i = lo;

	while (i <= hi) {
		uint32_t n = hi - i + 1, k;
		int rc;

		if (n > VB_ARRAY_SIZE(chunk))
			n = VB_ARRAY_SIZE(chunk);
		for (k = 0; k < n; k++)
			put_le32(&chunk[k], map_get(v, i + k));
		rc = mf_pwrite(m->file, chunk, 4 * (size_t)n,
			       v->off_blocks + 4 * (uint64_t)i);
		if (rc)
			return rc;
		i += n;
	}
	return 0;
}

static int vdi_flush_locked(struct medium *m, struct vdi *v)
{
	int rc;

	if (!(m->flags & MEDIA_RDWR))
		return 0;
	rc = mf_sync(m->file);      /* data before the metadata that finds it */
	if (rc)
		return rc;
	if (v->dirty_lo > v->dirty_hi && !v->hdr_dirty && !m->meta_dirty)
		return 0;
	if (v->dirty_lo <= v->dirty_hi) {
		rc = vdi_write_map(m, v, v->dirty_lo, v->dirty_hi);
		if (rc)
			return rc;
		v->dirty_lo = 1;
		v->dirty_hi = 0;
	}
	vdi_pack(m, v);
	rc = mf_pwrite(m->file, v->hdr, vdi_hdr_len(v), 0);
	if (rc)
		return rc;
	rc = mf_sync(m->file);
	if (rc)
		return rc;
	v->hdr_dirty = false;
	m->meta_dirty = false;
	return 0;
}

static int vdi_flush(struct medium *m)
{
	struct vdi *v = m->priv;
	int rc;

	pthread_mutex_lock(&v->alloc_lock);
	rc = vdi_flush_locked(m, v);
	pthread_mutex_unlock(&v->alloc_lock);
	return rc;
}

static int vdi_status(struct medium *m, uint64_t off, uint64_t len,
		      uint64_t *n)
{
	struct vdi *v = m->priv;
	uint32_t b = (uint32_t)(off >> v->shift);
	uint32_t e = map_get(v, b);
	int st = allocated(e) ? MST_DATA :
		 e == VDI_BLOCK_ZERO ? MST_ZERO : MST_UNALLOC;
	uint64_t done = ((uint64_t)b + 1) * v->cb_block - off;

	while (done < len && ++b < v->c_blocks) {
		uint32_t x = map_get(v, b);
		int s = allocated(x) ? MST_DATA :
			x == VDI_BLOCK_ZERO ? MST_ZERO : MST_UNALLOC;

		if (s != st)
			break;
		done += v->cb_block;
	}
	*n = done < len ? done : len;
	return st;
}

static uint64_t slot_offset(const struct vdi *v, uint32_t e)
{
	return v->off_data + e * v->slot + v->cb_extra;
}

static int vdi_read(struct medium *m, uint64_t off, void *buf, size_t len)
{
	struct vdi *v = m->priv;
	uint8_t *p = buf;

	while (len) {
		uint32_t b = (uint32_t)(off >> v->shift);
		uint64_t in = off & (v->cb_block - 1);
		size_t n = (size_t)VB_MIN((uint64_t)len, v->cb_block - in);
		uint32_t e = map_get(v, b);
		int rc;

		if (allocated(e))
			rc = mf_pread(m->file, p, n, slot_offset(v, e) + in);
		else if (e == VDI_BLOCK_ZERO || !m->parent)
			rc = (memset(p, 0, n), 0);
		else
			rc = media_read_below(m, off, p, n);
		if (rc)
			return rc;
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

/* Allocate block b with data for [in, in+n) from src, the rest from below
 * (e is its current FREE/ZERO entry).  alloc_lock held. */
static int vdi_alloc_block(struct medium *m, struct vdi *v, uint32_t b,
			   uint32_t e, uint64_t in, const uint8_t *src,
			   size_t n)
{
	uint64_t boff = (uint64_t)b << v->shift;
	const uint8_t *data = src;
	uint8_t *tmp = NULL;
	uint32_t idx = v->c_alloc;
	int rc;

	if (idx >= v->c_blocks)
		return -EIO;    /* a corrupt count: never overrun the map */
	if (n != v->cb_block) {
		tmp = malloc(v->cb_block);
		if (!tmp)
			return -ENOMEM;
		if (e == VDI_BLOCK_ZERO || !m->parent)
			memset(tmp, 0, v->cb_block);
		else if ((rc = media_read_below(m, boff, tmp, v->cb_block)))
			goto out;
		memcpy(tmp + in, src, n);
		data = tmp;
	}
	rc = mf_pwrite(m->file, data, v->cb_block, slot_offset(v, idx));
	if (rc)
		goto out;
	v->c_alloc = idx + 1;
	v->hdr_dirty = true;
	map_set(v, b, idx);
out:
	free(tmp);
	return rc;
}

static int vdi_write(struct medium *m, uint64_t off, const void *buf,
		     size_t len)
{
	struct vdi *v = m->priv;
	const uint8_t *p = buf;

	while (len) {
		uint32_t b = (uint32_t)(off >> v->shift);
		uint64_t in = off & (v->cb_block - 1);
		size_t n = (size_t)VB_MIN((uint64_t)len, v->cb_block - in);
		uint32_t e = map_get(v, b);
		int rc = 0;

		if (allocated(e)) {
			rc = mf_pwrite(m->file, p, n, slot_offset(v, e) + in);
		} else {
			pthread_mutex_lock(&v->alloc_lock);
			e = map_get(v, b);
			if (allocated(e)) {
				rc = mf_pwrite(m->file, p, n,
					       slot_offset(v, e) + in);
			} else if ((n == v->cb_block || e == VDI_BLOCK_ZERO ||
				    !m->parent) && media_is_zero(p, n)) {
				/* zeros into a block that reads as zeros
				 * afterwards: nothing to allocate */
				if (n == v->cb_block && e != VDI_BLOCK_ZERO)
					map_set(v, b, VDI_BLOCK_ZERO);
			} else {
				rc = vdi_alloc_block(m, v, b, e, in, p, n);
			}
			pthread_mutex_unlock(&v->alloc_lock);
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
/* Create                                                              */

static int vdi_create(struct medium *m, const struct media_create_opts *o,
		      struct vb_error *err)
{
	unsigned variant = o->variant;
	uint32_t cb_block = o->block_size ? o->block_size : VDI_DEFAULT_BLOCK;
	uint64_t size = o->parent ? o->parent->size : o->size;
	uint64_t c_blocks, map_bytes, off_data, end;
	struct vdi *v;
	uint32_t i;
	int rc;

	if (variant & ~(MEDIA_VARIANT_FIXED | MEDIA_VARIANT_DIFF |
			MEDIA_VARIANT_ZERO_EXPAND))
		return vb_err(err, EINVAL, VBOX_E_NOT_SUPPORTED,
			      "VD: error VERR_VD_INVALID_TYPE creating image file '%s' (VERR_VD_INVALID_TYPE)",
			      m->path);
	if (o->parent)
		variant = (variant & ~MEDIA_VARIANT_FIXED) | MEDIA_VARIANT_DIFF;
	if (!size || size >= VDI_MAX_SIZE || size < VDI_DEFAULT_BLOCK ||
	    size % 512)
		return vb_err(err, EINVAL, VBOX_E_FILE_ERROR,
			      "VD: error VERR_VD_INVALID_SIZE creating image file '%s' (VERR_VD_INVALID_SIZE)",
			      m->path);
	if (!is_pow2(cb_block) || cb_block < VDI_MIN_BLOCK ||
	    cb_block > VDI_MAX_BLOCK)
		return vb_err(err, EINVAL, VB_E_INVALIDARG,
			      "Invalid VDI allocation block size %u", cb_block);
	c_blocks = (size + cb_block - 1) / cb_block;
	map_bytes = 4 * c_blocks;
	if (c_blocks > UINT32_MAX - 2 || map_bytes > MEDIA_META_MAX)
		return vb_err(err, EINVAL, VBOX_E_FILE_ERROR,
			      "VD: error VERR_VD_INVALID_SIZE creating image file '%s' (VERR_VD_INVALID_SIZE)",
			      m->path);
	off_data = VB_ALIGN_UP(VDI_DATA_ALIGN + map_bytes, VDI_DATA_ALIGN);
	if (off_data > UINT32_MAX)
		return vb_err(err, EINVAL, VBOX_E_FILE_ERROR,
			      "VD: error VERR_VD_INVALID_SIZE creating image file '%s' (VERR_VD_INVALID_SIZE)",
			      m->path);
	v = vdi_new();
	if (!v)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	v->map = malloc((size_t)map_bytes);
	if (!v->map) {
		vdi_free(v);
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	}
	memcpy(v->hdr, vdi_banner, sizeof(vdi_banner) - 1);
	put_le32(v->hdr + 0x40, VDI_SIGNATURE);
	put_le32(v->hdr + 0x44, VDI_VERSION_1_1);
	v->version = VDI_VERSION_1_1;
	v->cb_header = VDI_HDR1_PLUS_SIZE;
	v->type = (variant & MEDIA_VARIANT_FIXED) ? VDI_TYPE_FIXED :
		  (variant & MEDIA_VARIANT_DIFF) ? VDI_TYPE_DIFF :
		  VDI_TYPE_NORMAL;
	v->flags = (variant & MEDIA_VARIANT_ZERO_EXPAND) ? 1 : 0;
	v->off_blocks = VDI_DATA_ALIGN;
	v->off_data = (uint32_t)off_data;
	put_le32(v->hdr + 0x168, 512);      /* legacy geometry sector size */
	v->cb_disk = size;
	v->cb_block = cb_block;
	v->cb_extra = 0;
	v->c_blocks = (uint32_t)c_blocks;
	v->shift = (unsigned)__builtin_ctz(cb_block);
	v->slot = cb_block;
	for (i = 0; i < v->c_blocks; i++)
		v->map[i] = v->type == VDI_TYPE_FIXED ? i : VDI_BLOCK_FREE;
	v->c_alloc = v->type == VDI_TYPE_FIXED ? v->c_blocks : 0;

	if (o->uuid)
		m->uuid = *o->uuid;
	else
		vb_uuid_generate(&m->uuid);
	vb_uuid_generate(&m->modify_uuid);
	if (o->parent) {
		media_uuid(o->parent, &m->parent_uuid);
		media_modify_uuid(o->parent, &m->parent_modify_uuid);
	}
	m->lchs = o->lchs;
	m->pchs = o->pchs;      /* VDI keeps the PCHS in memory only */
	if (o->comment && *o->comment)
		m->comment = strndup(o->comment, VDI_COMMENT_SIZE - 1);
	vdi_pack(m, v);

	end = off_data + (v->type == VDI_TYPE_FIXED ? c_blocks * cb_block : 0);
	if (v->type == VDI_TYPE_FIXED && m->file->ops->reserve) {
		rc = m->file->ops->reserve(m->file, end);
		if (rc)
			goto io_fail;
	}
	rc = mf_pwrite(m->file, v->hdr, vdi_hdr_len(v), 0);
	if (!rc)
		rc = vdi_write_map(m, v, 0, v->c_blocks - 1);
	if (!rc)
		rc = mf_truncate(m->file, end);
	if (!rc)
		rc = mf_sync(m->file);
	if (rc)
		goto io_fail;
	vdi_fill_medium(m, v);
	m->priv = v;
	return 0;
io_fail:
	vdi_free(v);
	return vb_err(err, -rc, VBOX_E_FILE_ERROR,
		      "VD: error creating image file '%s': %s", m->path,
		      strerror(-rc));
}

/* ------------------------------------------------------------------ */
/* Resize, compact, discard                                            */

static int vdi_resize(struct medium *m, uint64_t size, struct vb_error *err)
{
	struct vdi *v = m->priv;
	uint64_t nblocks, need_data;
	uint32_t *nmap, i, old_blocks = v->c_blocks;
	uint8_t *buf = NULL;
	int rc = 0;

	if (!size || size >= VDI_MAX_SIZE || size < VDI_DEFAULT_BLOCK ||
	    size % 512)
		return vb_err(err, EINVAL, VBOX_E_NOT_SUPPORTED,
			      "VD: error VERR_VD_INVALID_SIZE resizing image file '%s' (VERR_VD_INVALID_SIZE)",
			      m->path);
	if (size < v->cb_disk)
		return vb_err(err, ENOTSUP, VBOX_E_NOT_SUPPORTED,
			      "Shrinking is not yet supported for medium '%s'",
			      m->path);
	if (!v->version || v->type == VDI_TYPE_FIXED)
		return vb_err(err, ENOTSUP, VBOX_E_NOT_SUPPORTED,
			      "Resizing to new size %llu is not yet supported for medium '%s'",
			      (unsigned long long)size, m->path);
	if (size == v->cb_disk)
		return 0;
	nblocks = (size + v->cb_block - 1) / v->cb_block;
	if (nblocks > UINT32_MAX - 2 || 4 * nblocks > MEDIA_META_MAX)
		return vb_err(err, EINVAL, VBOX_E_NOT_SUPPORTED,
			      "VD: error VERR_VD_INVALID_SIZE resizing image file '%s' (VERR_VD_INVALID_SIZE)",
			      m->path);
	need_data = VB_ALIGN_UP(v->off_blocks + 4 * nblocks, VDI_DATA_ALIGN);
	if (need_data > UINT32_MAX)
		return vb_err(err, EINVAL, VBOX_E_NOT_SUPPORTED,
			      "VD: error VERR_VD_INVALID_SIZE resizing image file '%s' (VERR_VD_INVALID_SIZE)",
			      m->path);
	nmap = realloc(v->map, 4 * (size_t)nblocks);
	if (!nmap)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	v->map = nmap;
	for (i = old_blocks; i < nblocks; i++)
		v->map[i] = VDI_BLOCK_FREE;
	pthread_mutex_lock(&v->alloc_lock);
	rc = vdi_flush_locked(m, v);
	/* The map grows into the data area: move the first slot to the end
	 * of the file until the new map fits (section 1.11). */
	while (!rc && v->off_data < need_data) {
		uint32_t owner = UINT32_MAX;

		if (!v->c_alloc) {
			v->off_data = (uint32_t)need_data;
			break;
		}
		if (!buf && !(buf = malloc(v->slot))) {
			rc = -ENOMEM;
			break;
		}
		for (i = 0; i < old_blocks && owner == UINT32_MAX; i++)
			if (v->map[i] == 0)
				owner = i;
		if (owner != UINT32_MAX) {
			rc = mf_pread_zero(m->file, buf, v->slot, v->off_data);
			if (!rc)
				rc = mf_pwrite(m->file, buf, v->slot,
					       v->off_data + v->c_alloc * v->slot);
			if (!rc)
				rc = mf_sync(m->file);
			if (rc)
				break;
		}
		/* every slot moves down by one; the moved block is last */
		for (i = 0; i < old_blocks; i++) {
			if (!allocated(v->map[i]))
				continue;
			if (i == owner)
				v->map[i] = v->c_alloc - 1;
			else
				v->map[i]--;
		}
		if (owner == UINT32_MAX)
			v->c_alloc--;   /* slot 0 was leaked: drop it */
		v->off_data += (uint32_t)v->slot;
	}
	if (!rc) {
		v->c_blocks = (uint32_t)nblocks;
		v->cb_disk = size;
		rc = vdi_write_map(m, v, 0, v->c_blocks - 1);
	}
	if (!rc) {
		vdi_pack(m, v);
		rc = mf_pwrite(m->file, v->hdr, vdi_hdr_len(v), 0);
	}
	if (!rc && v->c_alloc == 0)
		rc = mf_truncate(m->file, v->off_data);
	if (!rc)
		rc = mf_sync(m->file);
	pthread_mutex_unlock(&v->alloc_lock);
	free(buf);
	if (rc)
		return vb_err(err, -rc, VBOX_E_FILE_ERROR,
			      "VD: error resizing image file '%s': %s",
			      m->path, strerror(-rc));
	m->size = size;
	return 0;
}

static int vdi_compact(struct medium *m, media_progress_fn progress,
		       void *pctx, struct vb_error *err)
{
	struct vdi *v = m->priv;
	uint64_t file_size;
	uint32_t *owner = NULL, slots, i, used, moves = 0, todo;
	uint8_t *blk = NULL, *pbuf = NULL;
	int rc;

	if (v->type == VDI_TYPE_FIXED)
		return vb_err(err, ENOTSUP, VBOX_E_NOT_SUPPORTED,
			      "Compacting is not supported for fixed-size medium '%s'",
			      m->path);
	pthread_mutex_lock(&v->alloc_lock);
	rc = vdi_flush_locked(m, v);
	if (!rc)
		rc = mf_size(m->file, &file_size);
	if (rc)
		goto out;
	if (file_size <= (uint64_t)v->off_data + v->cb_extra) {
		rc = 0;
		goto out;
	}
	slots = (uint32_t)VB_MIN((file_size - v->off_data - v->cb_extra) >>
				 v->shift, (uint64_t)v->c_blocks);
	owner = malloc(sizeof(*owner) * (slots ? slots : 1));
	blk = malloc(v->cb_block);
	if (m->parent)
		pbuf = malloc(v->cb_block);
	if (!owner || !blk || (m->parent && !pbuf)) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < slots; i++)
		owner[i] = VDI_BLOCK_FREE;
	/* repair cross-links and out-of-range entries first */
	for (i = 0; i < v->c_blocks; i++) {
		uint32_t e = v->map[i];

		if (!allocated(e))
			continue;
		if (e < slots && owner[e] == VDI_BLOCK_FREE) {
			owner[e] = i;
			continue;
		}
		map_set(v, i, VDI_BLOCK_FREE);
	}
	todo = v->c_blocks;
	for (i = 0; i < v->c_blocks; i++) {
		uint32_t e = v->map[i];

		if (allocated(e)) {
			rc = mf_pread(m->file, blk, v->cb_block,
				      slot_offset(v, e));
			if (rc)
				goto out;
			if (media_is_zero(blk, v->cb_block)) {
				map_set(v, i, VDI_BLOCK_ZERO);
				owner[e] = VDI_BLOCK_FREE;
			} else if (pbuf) {
				rc = media_read_below(m, (uint64_t)i << v->shift,
						      pbuf, v->cb_block);
				if (rc)
					goto out;
				if (!memcmp(blk, pbuf, v->cb_block)) {
					map_set(v, i, VDI_BLOCK_FREE);
					owner[e] = VDI_BLOCK_FREE;
				}
			}
		}
		if (progress && (i & 63) == 0)
			progress(pctx, (unsigned)((uint64_t)i * 50 / todo));
	}
	/* write the map now: from here on only live blocks move */
	rc = vdi_write_map(m, v, 0, v->c_blocks - 1);
	if (!rc)
		rc = mf_sync(m->file);
	if (rc)
		goto out;
	v->dirty_lo = 1;
	v->dirty_hi = 0;
	used = slots;
	for (i = 0; i < used; i++) {
		uint32_t src;

		if (owner[i] != VDI_BLOCK_FREE)
			continue;
		while (used > i && owner[used - 1] == VDI_BLOCK_FREE)
			used--;
		if (used <= i)
			break;
		src = used - 1;
		rc = mf_pread(m->file, blk, v->cb_block, slot_offset(v, src));
		if (!rc)
			rc = mf_pwrite(m->file, blk, v->cb_block,
				       slot_offset(v, i));
		if (!rc)
			rc = mf_sync(m->file);
		if (rc)
			goto out;
		v->map[owner[src]] = i;
		rc = vdi_write_map(m, v, owner[src], owner[src]);
		if (rc)
			goto out;
		owner[i] = owner[src];
		owner[src] = VDI_BLOCK_FREE;
		used--;
		moves++;
		if (progress && (moves & 15) == 0)
			progress(pctx, 50 + (unsigned)((uint64_t)i * 50 /
						       (slots ? slots : 1)));
	}
	while (used > 0 && owner[used - 1] == VDI_BLOCK_FREE)
		used--;
	v->c_alloc = used;
	vdi_pack(m, v);
	rc = mf_pwrite(m->file, v->hdr, vdi_hdr_len(v), 0);
	if (!rc)
		rc = mf_truncate(m->file, v->off_data + v->cb_extra +
				 (uint64_t)used * v->slot);
	if (!rc)
		rc = mf_sync(m->file);
	if (progress && !rc)
		progress(pctx, 100);
out:
	pthread_mutex_unlock(&v->alloc_lock);
	free(owner);
	free(blk);
	free(pbuf);
	if (rc)
		return vb_err(err, -rc, VBOX_E_FILE_ERROR,
			      "VD: error compacting image file '%s': %s",
			      m->path, strerror(-rc));
	return 0;
}

/* Give a whole allocated block back: the last slot moves into its hole
 * and the file shrinks by one slot.  alloc_lock held. */
static int vdi_release_block(struct medium *m, struct vdi *v, uint32_t b,
			     uint8_t *buf)
{
	uint32_t e = v->map[b], last = v->c_alloc - 1, lastb = UINT32_MAX, i;
	int rc = 0;

	if (!v->c_alloc || e > last)
		return -EIO;
	for (i = 0; i < v->c_blocks && lastb == UINT32_MAX; i++)
		if (v->map[i] == last)
			lastb = i;
	if (lastb != UINT32_MAX && lastb != b) {
		rc = mf_pread(m->file, buf, v->cb_block, slot_offset(v, last));
		if (!rc)
			rc = mf_pwrite(m->file, buf, v->cb_block,
				       slot_offset(v, e));
		if (!rc)
			rc = mf_sync(m->file);
		if (rc)
			return rc;
		map_set(v, lastb, e);
	}
	map_set(v, b, VDI_BLOCK_ZERO);
	v->c_alloc--;
	v->hdr_dirty = true;
	rc = vdi_flush_locked(m, v);
	if (!rc)
		rc = mf_truncate(m->file, v->off_data + v->cb_extra +
				 (uint64_t)v->c_alloc * v->slot);
	return rc;
}

/* Discard: whole blocks are released, partial ranges of allocated blocks
 * are written with zeros, unallocated blocks become ZERO. */
static int vdi_discard(struct medium *m, uint64_t off, uint64_t len)
{
	struct vdi *v = m->priv;
	uint8_t *buf = calloc(1, v->cb_block);
	int rc = 0;

	if (!buf)
		return -ENOMEM;
	pthread_mutex_lock(&v->alloc_lock);
	while (len && !rc) {
		uint32_t b = (uint32_t)(off >> v->shift);
		uint64_t in = off & (v->cb_block - 1);
		uint64_t n = VB_MIN(len, v->cb_block - in);
		uint32_t e = v->map[b];

		if (allocated(e) && n == v->cb_block && v->type != VDI_TYPE_FIXED) {
			rc = vdi_release_block(m, v, b, buf);
		} else if (allocated(e)) {
			memset(buf, 0, (size_t)n);
			rc = mf_pwrite(m->file, buf, (size_t)n,
				       slot_offset(v, e) + in);
		} else if (n == v->cb_block && e != VDI_BLOCK_ZERO) {
			map_set(v, b, VDI_BLOCK_ZERO);
		} else if (e == VDI_BLOCK_FREE && m->parent) {
			/* a partial range over the parent's data */
			memset(buf, 0, (size_t)n);
			rc = vdi_alloc_block(m, v, b, e, in, buf, (size_t)n);
		}
		off += n;
		len -= n;
	}
	pthread_mutex_unlock(&v->alloc_lock);
	free(buf);
	return rc;
}

static void vdi_dump(struct medium *m, struct strbuf *sb)
{
	struct vdi *v = m->priv;
	char u1[40], u2[40], u3[40], u4[40];
	uint32_t i, not_free = 0, bad = 0;

	sb_addf(sb, "Header: Version=%08X Type=%X Flags=%X Size=%llu\n",
		le32(v->hdr + 0x44), v->type, v->flags << 8,
		(unsigned long long)v->cb_disk);
	sb_addf(sb, "Header: cbBlock=%u cbBlockExtra=%u cBlocks=%u cBlocksAllocated=%u\n",
		v->cb_block, v->cb_extra, v->c_blocks, v->c_alloc);
	sb_addf(sb, "Header: offBlocks=%u offData=%u\n", v->off_blocks,
		v->off_data);
	if (v->cb_header >= VDI_HDR1_PLUS_SIZE)
		sb_addf(sb, "Header: Geometry: C/H/S=%u/%u/%u cbSector=%u\n",
			m->lchs.cylinders, m->lchs.heads, m->lchs.sectors, 512);
	sb_addf(sb, "Header: uuidCreation={%s}\n", vb_uuid_fmt(&m->uuid, u1));
	sb_addf(sb, "Header: uuidModification={%s}\n",
		vb_uuid_fmt(&m->modify_uuid, u2));
	sb_addf(sb, "Header: uuidParent={%s}\n",
		vb_uuid_fmt(&m->parent_uuid, u3));
	if (v->version)
		sb_addf(sb, "Header: uuidParentModification={%s}\n",
			vb_uuid_fmt(&m->parent_modify_uuid, u4));
	sb_addf(sb, "Image:  fFlags=%08X offStartBlocks=%u offStartData=%u\n",
		m->variant, v->off_blocks, v->off_data);
	sb_addf(sb, "Image:  uBlockMask=%08X cbTotalBlockData=%llu uShiftOffset2Index=%u offStartBlockData=%u\n",
		v->cb_block - 1, (unsigned long long)v->slot, v->shift,
		v->cb_extra);
	for (i = 0; i < v->c_blocks; i++) {
		if (allocated(v->map[i])) {
			not_free++;
			if (v->map[i] >= v->c_blocks)
				bad++;
		}
	}
	if (not_free != v->c_alloc)
		sb_addf(sb, "!! WARNING: %u blocks actually allocated (cBlocksAllocated=%u) !!\n",
			not_free, v->c_alloc);
	if (bad)
		sb_addf(sb, "!! WARNING: %u bad blocks found !!\n", bad);
}

static void vdi_close(struct medium *m)
{
	vdi_free(m->priv);
	m->priv = NULL;
}

const struct media_driver media_drv_vdi = {
	.name = "VDI",
	.caps = MCAP_UUID | MCAP_CREATE_FIXED | MCAP_CREATE_DYNAMIC |
		MCAP_DIFFERENCING | MCAP_ASYNC | MCAP_FILE | MCAP_VFS |
		MCAP_DISCARD | MCAP_PREFERRED,
	.exts = vdi_exts,
	.probe = vdi_probe,
	.open = vdi_open,
	.create = vdi_create,
	.status = vdi_status,
	.read = vdi_read,
	.write = vdi_write,
	.flush = vdi_flush,
	.meta = MMETA_UUID | MMETA_MODIFY_UUID | MMETA_PARENT_UUID |
		MMETA_PARENT_MODIFY | MMETA_COMMENT | MMETA_LCHS,
	.resize = vdi_resize,
	.compact = vdi_compact,
	.discard = vdi_discard,
	.dump = vdi_dump,
	.files = NULL,
	.close = vdi_close,
};
