/*
 * VHD, Microsoft's Virtual Hard Disk ("VPC"), as in the Virtual Hard Disk
 * Image Format Specification 1.0 (hard disk footer, dynamic disk header,
 * block allocation table, sector bitmaps, parent locators) and
 * media-formats.md section 3.  All fields are big-endian.
 *
 * Subset: fixed, dynamic and differencing disks are created, read and
 * written; dynamic and differencing disks can be grown and compacted.
 * Sizes follow VirtualBox: the footer's current size is the exact
 * requested size and the CHS geometry is computed by the specification's
 * algorithm.  UUIDs are read in the GUID byte order VirtualBox uses.
 *
 * Writes: a new block goes where the footer was; the footer is first
 * rewritten at the new end of the file, so the last 512 bytes are a valid
 * footer at every moment.  Sector bitmaps and BAT entries reach the file
 * at flush after the data was synced (a crash leaks a block, never
 * points the BAT at unwritten data).  Partial writes only set the bits of
 * the sectors written, so a differencing disk reads the rest from its
 * parent without copying it.
 * Limits: VHDX is not handled; the checksums are written but, as in
 * VirtualBox, not enforced when reading.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "lib/media/media-int.h"
#include "lib/util/path.h"

#define VHD_FOOTER_SIZE     512u
#define VHD_DYN_SIZE        1024u
#define VHD_TYPE_FIXED      2
#define VHD_TYPE_DYNAMIC    3
#define VHD_TYPE_DIFF       4
#define VHD_BAT_FREE        0xFFFFFFFFu
#define VHD_BLOCK_DEFAULT   0x200000u
#define VHD_EPOCH           946684800   /* 2000-01-01 in Unix time */
#define VHD_MAX_FILE        (2ull << 40)
#define VHD_LOC_SPACE       1024u
#define VHD_PLAT_W2RU       0x57327275u
#define VHD_PLAT_W2KU       0x57326B75u
#define VHD_PLAT_WI2R       0x57693272u
#define VHD_PLAT_WI2K       0x5769326Bu
#define VHD_PLAT_MACX       0x4D616358u

struct vhd {
	uint8_t footer[VHD_FOOTER_SIZE];
	uint8_t dyn[VHD_DYN_SIZE];
	uint32_t type;
	uint64_t dyn_off, bat_off;
	uint32_t entries, block_size, bitmap_size;
	unsigned shift;
	uint32_t *bat;
	uint8_t **bitmaps;          /* cached sector bitmaps per block */
	uint8_t *bm_dirty;          /* per block: bitmap to write */
	uint64_t eof_data;          /* where the next block goes (footer) */
	pthread_mutex_t lock;       /* allocation, caches, flush */
	uint32_t bat_lo, bat_hi;    /* dirty BAT range, lo > hi: none */
	bool any_bm_dirty;
	bool footer_dirty;
};

static const char *const vhd_exts[] = { "vhd", NULL };

static uint32_t vhd_checksum(const uint8_t *p, size_t n, size_t csum_off)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (i < csum_off || i >= csum_off + 4)
			sum += p[i];
	return ~sum;
}

static bool footer_valid(const uint8_t *f)
{
	return !memcmp(f, "conectix", 8);
}

static int vhd_probe(struct mfile *f, uint64_t size, const char *path)
{
	uint8_t b[VHD_FOOTER_SIZE];

	if (size < VHD_FOOTER_SIZE)
		return 0;
	if (!mf_pread(f, b, 8, size - VHD_FOOTER_SIZE) && footer_valid(b))
		return 100;
	/* a dynamic disk that lost its tail: claim it to report it */
	if (!mf_pread(f, b, 8, 0) && footer_valid(b))
		return 90;
	return 0;
}

static int bad(struct medium *m, struct vb_error *err, const char *what)
{
	return vb_err(err, EINVAL, VBOX_E_FILE_ERROR,
		      "VHD: invalid header in '%s': %s (VERR_VD_VHD_INVALID_HEADER).\n"
		      "VD: error VERR_VD_VHD_INVALID_HEADER opening image file '%s' (VERR_VD_VHD_INVALID_HEADER)",
		      m->path, what, m->path);
}

/* UTF-16 (big or little endian) to UTF-8; bytes is the buffer length. */
static char *utf16_to_utf8(const uint8_t *p, size_t bytes, bool big)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i + 1 < bytes; i += 2) {
		uint32_t c = big ? be16(p + i) : le16(p + i);

		if (!c)
			break;
		if (c >= 0xD800 && c < 0xDC00 && i + 3 < bytes) {
			uint32_t lo = big ? be16(p + i + 2) : le16(p + i + 2);

			if (lo >= 0xDC00 && lo < 0xE000) {
				c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
				i += 2;
			}
		}
		if (c < 0x80) {
			sb_addc(&sb, (char)c);
		} else if (c < 0x800) {
			sb_addc(&sb, (char)(0xC0 | c >> 6));
			sb_addc(&sb, (char)(0x80 | (c & 0x3F)));
		} else if (c < 0x10000) {
			sb_addc(&sb, (char)(0xE0 | c >> 12));
			sb_addc(&sb, (char)(0x80 | ((c >> 6) & 0x3F)));
			sb_addc(&sb, (char)(0x80 | (c & 0x3F)));
		} else {
			sb_addc(&sb, (char)(0xF0 | c >> 18));
			sb_addc(&sb, (char)(0x80 | ((c >> 12) & 0x3F)));
			sb_addc(&sb, (char)(0x80 | ((c >> 6) & 0x3F)));
			sb_addc(&sb, (char)(0x80 | (c & 0x3F)));
		}
	}
	sb_adds(&sb, "");
	return sb_detach(&sb);
}

/* UTF-8 to UTF-16 into out (at most cap bytes); returns bytes used. */
static size_t utf8_to_utf16(const char *s, uint8_t *out, size_t cap, bool big)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t n = 0;

	while (*p) {
		uint32_t c = *p++;
		int more = 0;

		if (c >= 0xF0) {
			c &= 0x07;
			more = 3;
		} else if (c >= 0xE0) {
			c &= 0x0F;
			more = 2;
		} else if (c >= 0xC0) {
			c &= 0x1F;
			more = 1;
		}
		while (more-- > 0 && (*p & 0xC0) == 0x80)
			c = c << 6 | (*p++ & 0x3F);
		if (c >= 0x10000) {
			uint32_t v = c - 0x10000;
			uint16_t hi = (uint16_t)(0xD800 + (v >> 10));
			uint16_t lo = (uint16_t)(0xDC00 + (v & 0x3FF));

			if (n + 4 > cap)
				break;
			big ? put_be16(out + n, hi) : put_le16(out + n, hi);
			big ? put_be16(out + n + 2, lo) : put_le16(out + n + 2, lo);
			n += 4;
		} else {
			if (n + 2 > cap)
				break;
			big ? put_be16(out + n, (uint16_t)c) :
			      put_le16(out + n, (uint16_t)c);
			n += 2;
		}
	}
	return n;
}

/* The parent's path from the locators (relative first), else the
 * parent's unicode name. */
static char *vhd_parent_hint(struct medium *m, struct vhd *v, uint64_t fsize)
{
	static const uint32_t order[] = {
		VHD_PLAT_W2RU, VHD_PLAT_W2KU, VHD_PLAT_MACX, VHD_PLAT_WI2R,
		VHD_PLAT_WI2K,
	};
	unsigned k, i;

	for (k = 0; k < VB_ARRAY_SIZE(order); k++) {
		for (i = 0; i < 8; i++) {
			const uint8_t *e = v->dyn + 0x240 + 24 * i;
			uint32_t code = be32(e), len = be32(e + 8);
			uint64_t off = be64(e + 16);
			uint8_t *buf;
			char *s, *q;

			if (code != order[k] || !len || len > 4096 ||
			    !ck_range(off, len, fsize))
				continue;
			buf = malloc(len + 2);
			if (!buf)
				return NULL;
			if (mf_pread(m->file, buf, len, off)) {
				free(buf);
				continue;
			}
			buf[len] = buf[len + 1] = 0;
			if (code == VHD_PLAT_W2RU || code == VHD_PLAT_W2KU) {
				s = utf16_to_utf8(buf, len, false);
			} else {
				s = strndup((char *)buf, len);
				if (s && code == VHD_PLAT_MACX &&
				    !strncmp(s, "file://", 7))
					memmove(s, s + 7, strlen(s + 7) + 1);
			}
			free(buf);
			if (!s)
				return NULL;
			for (q = s; *q; q++)
				if (*q == '\\')
					*q = '/';
			if (!strncmp(s, "./", 2))
				memmove(s, s + 2, strlen(s + 2) + 1);
			if (*s)
				return s;
			free(s);
		}
	}
	{
		char *s = utf16_to_utf8(v->dyn + 0x40, 512, true);

		if (s && *s)
			return s;
		free(s);
	}
	return NULL;
}

static void vhd_free(struct vhd *v)
{
	uint32_t i;

	if (!v)
		return;
	if (v->bitmaps) {
		for (i = 0; i < v->entries; i++)
			free(v->bitmaps[i]);
		free(v->bitmaps);
	}
	free(v->bm_dirty);
	free(v->bat);
	pthread_mutex_destroy(&v->lock);
	free(v);
}

static struct vhd *vhd_new(void)
{
	struct vhd *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	pthread_mutex_init(&v->lock, NULL);
	v->bat_lo = 1;
	v->bat_hi = 0;
	return v;
}

static void fill_medium(struct medium *m, struct vhd *v)
{
	m->size = be64(v->footer + 0x30);
	m->has_uuid = true;
	vb_uuid_from_le(v->footer + 0x44, &m->uuid);
	m->pchs.cylinders = be16(v->footer + 0x38);
	m->pchs.heads = v->footer[0x3A];
	m->pchs.sectors = v->footer[0x3B];
	memset(&m->lchs, 0, sizeof(m->lchs));
	if (v->type == VHD_TYPE_DIFF)
		vb_uuid_from_le(v->dyn + 0x28, &m->parent_uuid);
	m->variant = v->type == VHD_TYPE_FIXED ? MEDIA_VARIANT_FIXED :
		     v->type == VHD_TYPE_DIFF ? MEDIA_VARIANT_DIFF : 0;
}

static int vhd_alloc_tables(struct vhd *v)
{
	v->bat = malloc(4 * (size_t)VB_MAX(v->entries, 1u));
	v->bitmaps = calloc(VB_MAX(v->entries, 1u), sizeof(*v->bitmaps));
	v->bm_dirty = calloc(VB_MAX(v->entries, 1u), 1);
	return v->bat && v->bitmaps && v->bm_dirty ? 0 : -ENOMEM;
}

static int vhd_open(struct medium *m, struct vb_error *err)
{
	struct vhd *v = vhd_new();
	uint64_t fsize, size, bat_bytes;
	uint32_t i, need;
	char what[96];
	int rc;

	if (!v)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	rc = mf_size(m->file, &fsize);
	if (!rc && fsize >= VHD_FOOTER_SIZE)
		rc = mf_pread(m->file, v->footer, VHD_FOOTER_SIZE,
			      fsize - VHD_FOOTER_SIZE);
	if (rc) {
		vb_err(err, -rc, VBOX_E_FILE_ERROR,
		       "VHD: error reading the footer of '%s': %s", m->path,
		       strerror(-rc));
		goto fail;
	}
	if (!footer_valid(v->footer)) {
		rc = bad(m, err, "no footer at the end of the file (truncated or corrupted)");
		goto fail;
	}
	if (be32(v->footer + 0x0C) >> 16 != 1) {
		rc = bad(m, err, "file format version");
		goto fail;
	}
	v->type = be32(v->footer + 0x3C);
	size = be64(v->footer + 0x30);
	if (v->type != VHD_TYPE_FIXED && v->type != VHD_TYPE_DYNAMIC &&
	    v->type != VHD_TYPE_DIFF) {
		snprintf(what, sizeof(what), "disk type %u", v->type);
		rc = vb_err(err, ENOTSUP, VBOX_E_NOT_SUPPORTED,
			    "VHD: unsupported %s in '%s' (VERR_NOT_IMPLEMENTED).\n"
			    "VD: error VERR_NOT_IMPLEMENTED opening image file '%s' (VERR_NOT_IMPLEMENTED)",
			    what, m->path, m->path);
		goto fail;
	}
	if (size % MEDIA_SECTOR || size > (4ull << 50)) {
		rc = bad(m, err, "current size");
		goto fail;
	}
	if (v->type == VHD_TYPE_FIXED) {
		if (size > fsize - VHD_FOOTER_SIZE) {
			rc = bad(m, err, "current size beyond the end of the file");
			goto fail;
		}
		fill_medium(m, v);
		m->priv = v;
		return 0;
	}
	v->dyn_off = be64(v->footer + 0x10);
	if (!ck_range(v->dyn_off, VHD_DYN_SIZE, fsize - VHD_FOOTER_SIZE) ||
	    v->dyn_off % MEDIA_SECTOR) {
		rc = bad(m, err, "dynamic header offset");
		goto fail;
	}
	rc = mf_pread(m->file, v->dyn, VHD_DYN_SIZE, v->dyn_off);
	if (rc) {
		vb_err(err, -rc, VBOX_E_FILE_ERROR,
		       "VHD: error reading '%s': %s", m->path, strerror(-rc));
		goto fail;
	}
	if (memcmp(v->dyn, "cxsparse", 8)) {
		rc = bad(m, err, "dynamic header cookie");
		goto fail;
	}
	v->bat_off = be64(v->dyn + 0x10);
	v->entries = be32(v->dyn + 0x1C);
	v->block_size = be32(v->dyn + 0x20);
	if (!is_pow2(v->block_size) || v->block_size < MEDIA_SECTOR ||
	    v->block_size > (256u << 20)) {
		rc = bad(m, err, "block size");
		goto fail;
	}
	v->shift = (unsigned)__builtin_ctz(v->block_size);
	need = (uint32_t)VB_MIN((size + v->block_size - 1) >> v->shift,
				(uint64_t)UINT32_MAX);
	if (v->entries < need) {
		rc = bad(m, err, "block table smaller than the disk");
		goto fail;
	}
	bat_bytes = 4 * (uint64_t)v->entries;
	if (bat_bytes > MEDIA_META_MAX ||
	    !ck_range(v->bat_off, bat_bytes, fsize)) {
		rc = bad(m, err, "block table offset or size");
		goto fail;
	}
	v->bitmap_size = VB_ALIGN_UP((v->block_size / MEDIA_SECTOR + 7) / 8,
				     MEDIA_SECTOR);
	rc = vhd_alloc_tables(v);
	if (!rc)
		rc = mf_pread(m->file, v->bat, (size_t)bat_bytes, v->bat_off);
	if (rc) {
		vb_err(err, -rc, VBOX_E_FILE_ERROR,
		       "VHD: error reading the block table of '%s': %s",
		       m->path, strerror(-rc));
		goto fail;
	}
	for (i = 0; i < v->entries; i++)
		v->bat[i] = be32(&v->bat[i]);
	v->eof_data = fsize - VHD_FOOTER_SIZE;
	fill_medium(m, v);
	if (v->type == VHD_TYPE_DIFF) {
		if (vb_uuid_is_zero(&m->parent_uuid)) {
			rc = bad(m, err, "differencing disk without a parent UUID");
			goto fail;
		}
		m->parent_hint = vhd_parent_hint(m, v, fsize);
	}
	m->priv = v;
	return 0;
fail:
	vhd_free(v);
	return rc < 0 ? rc : -EINVAL;
}

/* The cached bitmap of allocated block b (loaded on demand; lock held). */
static uint8_t *bitmap_get(struct medium *m, struct vhd *v, uint32_t b,
			   int *rc)
{
	uint8_t *bm = v->bitmaps[b];

	*rc = 0;
	if (bm)
		return bm;
	bm = malloc(v->bitmap_size);
	if (!bm) {
		*rc = -ENOMEM;
		return NULL;
	}
	*rc = mf_pread(m->file, bm, v->bitmap_size,
		       (uint64_t)v->bat[b] * MEDIA_SECTOR);
	if (*rc) {
		free(bm);
		return NULL;
	}
	v->bitmaps[b] = bm;
	return bm;
}

static inline bool bit_get(const uint8_t *bm, uint32_t s)
{
	return bm[s >> 3] & (0x80 >> (s & 7));
}

static int vhd_status(struct medium *m, uint64_t off, uint64_t len,
		      uint64_t *n)
{
	struct vhd *v = m->priv;
	uint32_t b, s, send;
	uint64_t in, run;
	uint8_t *bm;
	bool set;
	int rc;

	if (v->type == VHD_TYPE_FIXED) {
		*n = len;
		return MST_DATA;
	}
	b = (uint32_t)(off >> v->shift);
	in = off & (v->block_size - 1);
	run = VB_MIN(len, v->block_size - in);
	pthread_mutex_lock(&v->lock);
	if (v->bat[b] == VHD_BAT_FREE) {
		/* extend over following free blocks */
		while (run < len && b + 1 < v->entries &&
		       v->bat[b + 1] == VHD_BAT_FREE) {
			b++;
			run = VB_MIN(len, run + v->block_size);
		}
		pthread_mutex_unlock(&v->lock);
		*n = run;
		return MST_UNALLOC;
	}
	bm = bitmap_get(m, v, b, &rc);
	if (!bm) {
		pthread_mutex_unlock(&v->lock);
		return rc;
	}
	s = (uint32_t)(in / MEDIA_SECTOR);
	send = s + (uint32_t)(run / MEDIA_SECTOR);
	set = bit_get(bm, s);
	for (s++; s < send && bit_get(bm, s) == set; s++)
		;
	pthread_mutex_unlock(&v->lock);
	*n = (uint64_t)s * MEDIA_SECTOR - in;
	return set ? MST_DATA : MST_UNALLOC;
}

static int vhd_read(struct medium *m, uint64_t off, void *buf, size_t len)
{
	struct vhd *v = m->priv;
	uint8_t *p = buf;

	if (v->type == VHD_TYPE_FIXED)
		return mf_pread(m->file, buf, len, off);
	while (len) {
		uint32_t b = (uint32_t)(off >> v->shift);
		uint64_t in = off & (v->block_size - 1);
		size_t n = (size_t)VB_MIN((uint64_t)len, v->block_size - in);
		uint32_t e = __atomic_load_n(&v->bat[b], __ATOMIC_ACQUIRE);
		int rc;

		if (e == VHD_BAT_FREE)
			return -EIO;    /* status said data: changed under us */
		rc = mf_pread(m->file, p, n, (uint64_t)e * MEDIA_SECTOR +
			      v->bitmap_size + in);
		if (rc)
			return rc;
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

static void bat_dirty(struct vhd *v, uint32_t b)
{
	if (v->bat_lo > v->bat_hi) {
		v->bat_lo = v->bat_hi = b;
	} else {
		v->bat_lo = VB_MIN(v->bat_lo, b);
		v->bat_hi = VB_MAX(v->bat_hi, b);
	}
}

static void footer_pack(struct medium *m, struct vhd *v)
{
	vb_uuid_to_le(&m->uuid, v->footer + 0x44);
	put_be16(v->footer + 0x38, (uint16_t)m->pchs.cylinders);
	v->footer[0x3A] = (uint8_t)m->pchs.heads;
	v->footer[0x3B] = (uint8_t)m->pchs.sectors;
	put_be64(v->footer + 0x30, m->size);
	put_be32(v->footer + 0x40, vhd_checksum(v->footer, VHD_FOOTER_SIZE,
						0x40));
}

static void dyn_pack(struct medium *m, struct vhd *v)
{
	if (v->type == VHD_TYPE_DIFF)
		vb_uuid_to_le(&m->parent_uuid, v->dyn + 0x28);
	put_be32(v->dyn + 0x1C, v->entries);
	put_be32(v->dyn + 0x24, vhd_checksum(v->dyn, VHD_DYN_SIZE, 0x24));
}

/* A new block for b at the current end of the data (lock held). */
static int vhd_alloc(struct medium *m, struct vhd *v, uint32_t b)
{
	uint64_t at = v->eof_data, end;
	uint8_t *bm;
	int rc;

	if (at % MEDIA_SECTOR || at / MEDIA_SECTOR >= VHD_BAT_FREE)
		return -EFBIG;
	if (!ck_add_u64(at, (uint64_t)v->bitmap_size + v->block_size, &end) ||
	    end + VHD_FOOTER_SIZE > VHD_MAX_FILE)
		return -EFBIG;
	bm = calloc(1, v->bitmap_size);
	if (!bm)
		return -ENOMEM;
	/* footer first at the new end, then the block over the old one */
	footer_pack(m, v);
	rc = mf_pwrite(m->file, v->footer, VHD_FOOTER_SIZE, end);
	if (!rc)
		rc = mf_pwrite(m->file, bm, v->bitmap_size, at);
	if (rc) {
		free(bm);
		mf_truncate(m->file, at + VHD_FOOTER_SIZE);
		return rc;
	}
	free(v->bitmaps[b]);
	v->bitmaps[b] = bm;
	v->bm_dirty[b] = 1;
	v->any_bm_dirty = true;
	v->eof_data = end;
	__atomic_store_n(&v->bat[b], (uint32_t)(at / MEDIA_SECTOR),
			 __ATOMIC_RELEASE);
	bat_dirty(v, b);
	return 0;
}

static int vhd_write(struct medium *m, uint64_t off, const void *buf,
		     size_t len)
{
	struct vhd *v = m->priv;
	const uint8_t *p = buf;

	if (v->type == VHD_TYPE_FIXED)
		return mf_pwrite(m->file, buf, len, off);
	while (len) {
		uint32_t b = (uint32_t)(off >> v->shift);
		uint64_t in = off & (v->block_size - 1);
		size_t n = (size_t)VB_MIN((uint64_t)len, v->block_size - in);
		uint32_t s, send;
		uint8_t *bm;
		int rc = 0;

		pthread_mutex_lock(&v->lock);
		if (v->bat[b] == VHD_BAT_FREE) {
			if (v->type != VHD_TYPE_DIFF && media_is_zero(p, n)) {
				pthread_mutex_unlock(&v->lock);
				goto next;  /* reads as zeros already */
			}
			rc = vhd_alloc(m, v, b);
		}
		bm = rc ? NULL : bitmap_get(m, v, b, &rc);
		pthread_mutex_unlock(&v->lock);
		if (rc)
			return rc;
		rc = mf_pwrite(m->file, p, n, (uint64_t)v->bat[b] * MEDIA_SECTOR +
			       v->bitmap_size + in);
		if (rc)
			return rc;
		s = (uint32_t)(in / MEDIA_SECTOR);
		send = s + (uint32_t)(n / MEDIA_SECTOR);
		pthread_mutex_lock(&v->lock);
		for (; s < send; s++) {
			if (!bit_get(bm, s)) {
				bm[s >> 3] |= (uint8_t)(0x80 >> (s & 7));
				v->bm_dirty[b] = 1;
				v->any_bm_dirty = true;
			}
		}
		pthread_mutex_unlock(&v->lock);
next:
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

static int write_bat(struct medium *m, struct vhd *v, uint32_t lo,
		     uint32_t hi)
{
	uint32_t chunk[1024];
	uint32_t i = lo;

	while (i <= hi) {
		uint32_t cnt = VB_MIN(hi - i + 1, (uint32_t)VB_ARRAY_SIZE(chunk));
		uint32_t k;
		int rc;

		for (k = 0; k < cnt; k++)
			put_be32(&chunk[k], v->bat[i + k]);
		rc = mf_pwrite(m->file, chunk, 4 * (size_t)cnt,
			       v->bat_off + 4 * (uint64_t)i);
		if (rc)
			return rc;
		i += cnt;
	}
	return 0;
}

static int vhd_flush_locked(struct medium *m, struct vhd *v)
{
	uint32_t i;
	int rc;

	rc = mf_sync(m->file);
	if (rc || v->type == VHD_TYPE_FIXED) {
		if (!rc && m->meta_dirty) {
			footer_pack(m, v);
			rc = mf_pwrite(m->file, v->footer, VHD_FOOTER_SIZE,
				       m->size);
			if (!rc)
				rc = mf_sync(m->file);
			if (!rc)
				m->meta_dirty = false;
		}
		return rc;
	}
	if (v->any_bm_dirty) {
		for (i = 0; i < v->entries; i++) {
			if (!v->bm_dirty[i])
				continue;
			rc = mf_pwrite(m->file, v->bitmaps[i], v->bitmap_size,
				       (uint64_t)v->bat[i] * MEDIA_SECTOR);
			if (rc)
				return rc;
			v->bm_dirty[i] = 0;
		}
		v->any_bm_dirty = false;
		rc = mf_sync(m->file);
		if (rc)
			return rc;
	}
	if (v->bat_lo > v->bat_hi && !m->meta_dirty && !v->footer_dirty)
		return 0;
	if (v->bat_lo <= v->bat_hi) {
		rc = write_bat(m, v, v->bat_lo, v->bat_hi);
		if (rc)
			return rc;
		v->bat_lo = 1;
		v->bat_hi = 0;
	}
	footer_pack(m, v);
	dyn_pack(m, v);
	rc = mf_pwrite(m->file, v->dyn, VHD_DYN_SIZE, v->dyn_off);
	if (!rc)
		rc = mf_pwrite(m->file, v->footer, VHD_FOOTER_SIZE, v->eof_data);
	if (!rc)
		rc = mf_pwrite(m->file, v->footer, VHD_FOOTER_SIZE, 0);
	if (!rc)
		rc = mf_sync(m->file);
	if (!rc) {
		m->meta_dirty = false;
		v->footer_dirty = false;
	}
	return rc;
}

static int vhd_flush(struct medium *m)
{
	struct vhd *v = m->priv;
	int rc;

	pthread_mutex_lock(&v->lock);
	rc = vhd_flush_locked(m, v);
	pthread_mutex_unlock(&v->lock);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Create                                                              */

/* CHS by the specification's algorithm (media-formats.md 3.3). */
static void vhd_chs(uint64_t size, struct media_geometry *g)
{
	uint64_t total = size / 512, cth;
	uint32_t spt, heads;

	if (total > 65535ull * 16 * 255)
		total = 65535ull * 16 * 255;
	if (total >= 65535ull * 16 * 63) {
		spt = 255;
		heads = 16;
		cth = total / spt;
	} else {
		spt = 17;
		cth = total / spt;
		heads = (uint32_t)((cth + 1023) / 1024);
		if (heads < 4)
			heads = 4;
		if (cth >= heads * 1024ull || heads > 16) {
			spt = 31;
			heads = 16;
			cth = total / spt;
		}
		if (cth >= heads * 1024ull) {
			spt = 63;
			heads = 16;
			cth = total / spt;
		}
	}
	g->cylinders = (uint32_t)(cth / heads);
	g->heads = heads;
	g->sectors = spt;
}

static uint32_t vhd_now(void)
{
	time_t t = time(NULL);

	return t > VHD_EPOCH ? (uint32_t)(t - VHD_EPOCH) : 0;
}

/* Relative path from the directory of `from` to `to` (both absolute). */
static char *relative_path(const char *from, const char *to)
{
	struct strbuf sb = STRBUF_INIT;
	char *dir = path_dirname(from);
	size_t i = 0, common = 0;
	const char *p;

	if (!dir)
		return NULL;
	while (dir[i] && to[i] && dir[i] == to[i]) {
		if (dir[i] == '/')
			common = i;
		i++;
	}
	if (!dir[i] && to[i] == '/')
		common = i;
	for (p = dir + common; *p; p++)
		if (*p == '/')
			sb_adds(&sb, "../");
	if (!sb.len)
		sb_adds(&sb, "./");
	sb_adds(&sb, to + common + 1);
	free(dir);
	return sb_detach(&sb);
}

static int vhd_write_locators(struct medium *m, struct vhd *v,
			      struct medium *parent, uint64_t at)
{
	uint8_t buf[VHD_LOC_SPACE];
	char *rel;
	size_t n;
	int rc;
	uint8_t *e;

	memset(buf, 0, sizeof(buf));
	n = utf8_to_utf16(parent->path, buf, sizeof(buf), false);
	rc = mf_pwrite(m->file, buf, sizeof(buf), at);
	if (rc)
		return rc;
	e = v->dyn + 0x240;
	put_be32(e, VHD_PLAT_W2KU);
	put_be32(e + 4, VHD_LOC_SPACE);
	put_be32(e + 8, (uint32_t)n);
	put_be64(e + 16, at);
	rel = relative_path(m->path, parent->path);
	if (!rel)
		return -ENOMEM;
	memset(buf, 0, sizeof(buf));
	n = utf8_to_utf16(rel, buf, sizeof(buf), false);
	free(rel);
	rc = mf_pwrite(m->file, buf, sizeof(buf), at + VHD_LOC_SPACE);
	if (rc)
		return rc;
	e += 24;
	put_be32(e, VHD_PLAT_W2RU);
	put_be32(e + 4, VHD_LOC_SPACE);
	put_be32(e + 8, (uint32_t)n);
	put_be64(e + 16, at + VHD_LOC_SPACE);
	return 0;
}

static int vhd_create(struct medium *m, const struct media_create_opts *o,
		      struct vb_error *err)
{
	uint64_t size = o->parent ? o->parent->size : o->size;
	unsigned variant = o->variant;
	struct vhd *v;
	uint64_t bat_bytes, end;
	uint32_t i;
	int rc;

	if (variant & ~(MEDIA_VARIANT_FIXED | MEDIA_VARIANT_DIFF))
		return vb_err(err, EINVAL, VBOX_E_NOT_SUPPORTED,
			      "VD: error VERR_VD_INVALID_TYPE creating image file '%s' (VERR_VD_INVALID_TYPE)",
			      m->path);
	if (o->parent)
		variant = MEDIA_VARIANT_DIFF;
	if (!size || size % 512 || size > VHD_MAX_FILE)
		return vb_err(err, EINVAL, VBOX_E_FILE_ERROR,
			      "VD: error VERR_VD_INVALID_SIZE creating image file '%s' (VERR_VD_INVALID_SIZE)",
			      m->path);
	v = vhd_new();
	if (!v)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	v->type = (variant & MEDIA_VARIANT_FIXED) ? VHD_TYPE_FIXED :
		  (variant & MEDIA_VARIANT_DIFF) ? VHD_TYPE_DIFF :
		  VHD_TYPE_DYNAMIC;
	memcpy(v->footer, "conectix", 8);
	put_be32(v->footer + 0x08, 2);
	put_be32(v->footer + 0x0C, 0x00010000);
	put_be64(v->footer + 0x10, v->type == VHD_TYPE_FIXED ?
		 UINT64_MAX : VHD_FOOTER_SIZE);
	put_be32(v->footer + 0x18, vhd_now());
	memcpy(v->footer + 0x1C, "vbox", 4);
	put_be32(v->footer + 0x20, 0x00070000);
	put_be32(v->footer + 0x24, VHD_PLAT_WI2K);
	put_be64(v->footer + 0x28, size);
	put_be32(v->footer + 0x3C, v->type);
	m->size = size;
	if (o->uuid)
		m->uuid = *o->uuid;
	else
		vb_uuid_generate(&m->uuid);
	vhd_chs(size, &m->pchs);

	if (v->type == VHD_TYPE_FIXED) {
		footer_pack(m, v);
		rc = 0;
		if (m->file->ops->reserve)
			rc = m->file->ops->reserve(m->file,
						   size + VHD_FOOTER_SIZE);
		if (!rc)
			rc = mf_pwrite(m->file, v->footer, VHD_FOOTER_SIZE,
				       size);
		if (!rc)
			rc = mf_sync(m->file);
		if (rc)
			goto io_fail;
		fill_medium(m, v);
		m->priv = v;
		return 0;
	}
	v->block_size = VHD_BLOCK_DEFAULT;
	v->shift = (unsigned)__builtin_ctz(v->block_size);
	v->bitmap_size = VB_ALIGN_UP(v->block_size / MEDIA_SECTOR / 8,
				     MEDIA_SECTOR);
	v->entries = (uint32_t)((size + v->block_size - 1) / v->block_size);
	v->dyn_off = VHD_FOOTER_SIZE;
	v->bat_off = VHD_FOOTER_SIZE + VHD_DYN_SIZE;
	bat_bytes = VB_ALIGN_UP(4 * (uint64_t)v->entries, MEDIA_SECTOR);
	if (vhd_alloc_tables(v)) {
		vhd_free(v);
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	}
	for (i = 0; i < v->entries; i++)
		v->bat[i] = VHD_BAT_FREE;
	memcpy(v->dyn, "cxsparse", 8);
	put_be64(v->dyn + 0x08, UINT64_MAX);
	put_be64(v->dyn + 0x10, v->bat_off);
	put_be32(v->dyn + 0x18, 0x00010000);
	put_be32(v->dyn + 0x20, v->block_size);
	end = v->bat_off + bat_bytes;
	rc = write_bat(m, v, 0, v->entries - 1);
	if (!rc && bat_bytes > 4 * (uint64_t)v->entries) {
		/* pad the last BAT sector with unallocated entries */
		uint8_t pad[MEDIA_SECTOR];

		memset(pad, 0xFF, sizeof(pad));
		rc = mf_pwrite(m->file, pad,
			       (size_t)(bat_bytes - 4 * (uint64_t)v->entries),
			       v->bat_off + 4 * (uint64_t)v->entries);
	}
	if (rc)
		goto io_fail;
	if (v->type == VHD_TYPE_DIFF) {
		struct stat st;
		char *base;

		media_uuid(o->parent, &m->parent_uuid);
		if (o->parent->fs == mfs_posix() &&
		    stat(o->parent->path, &st) == 0 && st.st_mtime > VHD_EPOCH)
			put_be32(v->dyn + 0x38,
				 (uint32_t)(st.st_mtime - VHD_EPOCH));
		base = (char *)path_basename(o->parent->path);
		utf8_to_utf16(base, v->dyn + 0x40, 512, true);
		rc = vhd_write_locators(m, v, o->parent, end);
		if (rc)
			goto io_fail;
		end += 2 * VHD_LOC_SPACE;
	}
	v->eof_data = end;
	footer_pack(m, v);
	dyn_pack(m, v);
	rc = mf_pwrite(m->file, v->footer, VHD_FOOTER_SIZE, 0);
	if (!rc)
		rc = mf_pwrite(m->file, v->dyn, VHD_DYN_SIZE, v->dyn_off);
	if (!rc)
		rc = mf_pwrite(m->file, v->footer, VHD_FOOTER_SIZE, end);
	if (!rc)
		rc = mf_sync(m->file);
	if (rc)
		goto io_fail;
	fill_medium(m, v);
	m->priv = v;
	return 0;
io_fail:
	vhd_free(v);
	return vb_err(err, -rc, VBOX_E_FILE_ERROR,
		      "VD: error creating image file '%s': %s", m->path,
		      strerror(-rc));
}

/* ------------------------------------------------------------------ */
/* Grow and compact                                                    */

/* Offset of the first byte after the BAT that holds something (a block
 * or locator data), or eof_data. */
static uint64_t first_used(struct vhd *v, uint32_t *block, int *loc)
{
	uint64_t best = v->eof_data;
	uint32_t i;

	*block = UINT32_MAX;
	*loc = -1;
	for (i = 0; i < v->entries; i++) {
		uint64_t at = (uint64_t)v->bat[i] * MEDIA_SECTOR;

		if (v->bat[i] != VHD_BAT_FREE && at < best) {
			best = at;
			*block = i;
		}
	}
	for (i = 0; i < 8; i++) {
		const uint8_t *e = v->dyn + 0x240 + 24 * i;
		uint64_t at = be64(e + 16);

		if (be32(e) && at > v->bat_off && at < best) {
			best = at;
			*block = UINT32_MAX;
			*loc = (int)i;
		}
	}
	return best;
}

static int vhd_resize(struct medium *m, uint64_t size, struct vb_error *err)
{
	struct vhd *v = m->priv;
	uint64_t need, bat_end;
	uint32_t nentries, i;
	uint8_t *buf = NULL;
	int rc = 0;

	if (v->type == VHD_TYPE_FIXED)
		return vb_err(err, ENOTSUP, VBOX_E_NOT_SUPPORTED,
			      "Resizing to new size %llu is not yet supported for medium '%s'",
			      (unsigned long long)size, m->path);
	if (size < m->size)
		return vb_err(err, ENOTSUP, VBOX_E_NOT_SUPPORTED,
			      "Shrinking is not yet supported for medium '%s'",
			      m->path);
	if (size % 512 || size > VHD_MAX_FILE)
		return vb_err(err, EINVAL, VBOX_E_NOT_SUPPORTED,
			      "VD: error VERR_VD_INVALID_SIZE resizing image file '%s' (VERR_VD_INVALID_SIZE)",
			      m->path);
	need = (size + v->block_size - 1) >> v->shift;
	if (4 * need > MEDIA_META_MAX)
		return vb_err(err, EINVAL, VBOX_E_NOT_SUPPORTED,
			      "VD: error VERR_VD_INVALID_SIZE resizing image file '%s' (VERR_VD_INVALID_SIZE)",
			      m->path);
	nentries = (uint32_t)VB_MAX(need, (uint64_t)v->entries);
	pthread_mutex_lock(&v->lock);
	rc = vhd_flush_locked(m, v);
	if (rc)
		goto out;
	if (nentries > v->entries) {
		uint32_t *nb = realloc(v->bat, 4 * (size_t)nentries);
		uint8_t **nbm;
		uint8_t *nd;

		if (nb)
			v->bat = nb;
		nbm = nb ? realloc(v->bitmaps, sizeof(*nbm) * nentries) : NULL;
		if (nbm)
			v->bitmaps = nbm;
		nd = nbm ? realloc(v->bm_dirty, nentries) : NULL;
		if (!nd) {
			rc = -ENOMEM;
			goto out;
		}
		v->bm_dirty = nd;
		for (i = v->entries; i < nentries; i++) {
			v->bat[i] = VHD_BAT_FREE;
			v->bitmaps[i] = NULL;
			v->bm_dirty[i] = 0;
		}
	}
	bat_end = v->bat_off + VB_ALIGN_UP(4 * (uint64_t)nentries, MEDIA_SECTOR);
	/* move blocks and locator data out of the BAT's way */
	for (;;) {
		uint32_t blk;
		int loc;
		uint64_t at = first_used(v, &blk, &loc), len, to;

		if (at >= bat_end)
			break;
		len = blk != UINT32_MAX ? v->bitmap_size + (uint64_t)v->block_size :
		      be32(v->dyn + 0x240 + 24 * loc + 4);
		if (blk == UINT32_MAX && loc < 0)
			break;
		if (!len || len > (256u << 20) + v->bitmap_size) {
			rc = -EINVAL;
			goto out;
		}
		free(buf);
		buf = malloc((size_t)len);
		if (!buf) {
			rc = -ENOMEM;
			goto out;
		}
		to = VB_MAX(v->eof_data, bat_end);
		rc = mf_pread_zero(m->file, buf, (size_t)len, at);
		if (!rc)
			rc = mf_pwrite(m->file, v->footer, VHD_FOOTER_SIZE,
				       to + len);
		if (!rc)
			rc = mf_pwrite(m->file, buf, (size_t)len, to);
		if (!rc)
			rc = mf_sync(m->file);
		if (rc)
			goto out;
		if (blk != UINT32_MAX) {
			v->bat[blk] = (uint32_t)(to / MEDIA_SECTOR);
			bat_dirty(v, blk);
		} else {
			put_be64(v->dyn + 0x240 + 24 * loc + 16, to);
		}
		v->eof_data = to + len;
		v->footer_dirty = true;
	}
	if (v->eof_data < bat_end) {
		v->eof_data = bat_end;
		v->footer_dirty = true;
	}
	v->entries = nentries;
	m->size = size;
	vhd_chs(size, &m->pchs);
	put_be64(v->footer + 0x30, size);
	/* the whole new BAT, padding included */
	rc = write_bat(m, v, 0, v->entries - 1);
	if (!rc && bat_end > v->bat_off + 4 * (uint64_t)v->entries) {
		uint8_t pad[MEDIA_SECTOR];

		memset(pad, 0xFF, sizeof(pad));
		rc = mf_pwrite(m->file, pad, (size_t)(bat_end - v->bat_off -
					4 * (uint64_t)v->entries),
			       v->bat_off + 4 * (uint64_t)v->entries);
	}
	v->bat_lo = 1;
	v->bat_hi = 0;
	m->meta_dirty = true;
	if (!rc)
		rc = vhd_flush_locked(m, v);
	if (!rc)
		rc = mf_truncate(m->file, v->eof_data + VHD_FOOTER_SIZE);
out:
	pthread_mutex_unlock(&v->lock);
	free(buf);
	if (rc)
		return vb_err(err, -rc, VBOX_E_FILE_ERROR,
			      "VD: error resizing image file '%s': %s",
			      m->path, strerror(-rc));
	return 0;
}

static int vhd_compact(struct medium *m, media_progress_fn progress,
		       void *pctx, struct vb_error *err)
{
	struct vhd *v = m->priv;
	size_t blen;
	uint8_t *blk = NULL, *pbuf = NULL;
	uint32_t i, s;
	int rc = 0;

	if (v->type == VHD_TYPE_FIXED)
		return vb_err(err, ENOTSUP, VBOX_E_NOT_SUPPORTED,
			      "Compacting is not supported for fixed-size medium '%s'",
			      m->path);
	blen = v->bitmap_size + (size_t)v->block_size;
	blk = malloc(blen);
	pbuf = malloc(v->block_size);
	if (!blk || !pbuf) {
		rc = -ENOMEM;
		goto out_free;
	}
	pthread_mutex_lock(&v->lock);
	rc = vhd_flush_locked(m, v);
	/* drop blocks that add nothing */
	for (i = 0; !rc && i < v->entries; i++) {
		uint8_t *bm;
		bool useless = true;

		if (v->bat[i] == VHD_BAT_FREE)
			continue;
		bm = bitmap_get(m, v, i, &rc);
		if (!bm)
			break;
		rc = mf_pread_zero(m->file, blk + v->bitmap_size,
				   v->block_size,
				   (uint64_t)v->bat[i] * MEDIA_SECTOR +
				   v->bitmap_size);
		if (rc)
			break;
		if (m->parent) {
			rc = media_read_below(m, (uint64_t)i << v->shift,
					      pbuf, v->block_size);
			if (rc)
				break;
		} else {
			memset(pbuf, 0, v->block_size);
		}
		for (s = 0; s < v->block_size / MEDIA_SECTOR && useless; s++)
			if (bit_get(bm, s) &&
			    memcmp(blk + v->bitmap_size + s * MEDIA_SECTOR,
				   pbuf + s * MEDIA_SECTOR, MEDIA_SECTOR))
				useless = false;
		if (useless) {
			v->bat[i] = VHD_BAT_FREE;
			bat_dirty(v, i);
			free(v->bitmaps[i]);
			v->bitmaps[i] = NULL;
			v->bm_dirty[i] = 0;
		}
		if (progress && (i & 15) == 0)
			progress(pctx, (unsigned)((uint64_t)i * 50 / v->entries));
	}
	if (!rc)
		rc = vhd_flush_locked(m, v);
	/* fill holes: move the last block into the first gap */
	while (!rc) {
		uint64_t base = VB_ALIGN_UP(v->bat_off + 4 * (uint64_t)v->entries,
					    MEDIA_SECTOR);
		uint64_t hole = UINT64_MAX, last_at = 0;
		uint32_t last = UINT32_MAX, j;
		uint64_t pos;

		for (j = 0; j < 8; j++) {
			const uint8_t *e = v->dyn + 0x240 + 24 * j;
			uint64_t end = be64(e + 16) + be32(e + 4);

			if (be32(e) && end > base && end <= v->eof_data)
				base = VB_ALIGN_UP(end, MEDIA_SECTOR);
		}
		for (j = 0; j < v->entries; j++) {
			uint64_t at = (uint64_t)v->bat[j] * MEDIA_SECTOR;

			if (v->bat[j] != VHD_BAT_FREE && at >= last_at) {
				last_at = at;
				last = j;
			}
		}
		/* find a gap below the last block */
		for (pos = base; pos + blen <= last_at; pos += blen) {
			bool used = false;

			for (j = 0; j < v->entries && !used; j++)
				used = v->bat[j] != VHD_BAT_FREE &&
				       (uint64_t)v->bat[j] * MEDIA_SECTOR == pos;
			if (!used) {
				hole = pos;
				break;
			}
		}
		if (last == UINT32_MAX) {
			if (v->eof_data != base) {
				v->eof_data = base;
				v->footer_dirty = true;
			}
			break;
		}
		if (hole == UINT64_MAX) {
			if (v->eof_data != last_at + blen) {
				v->eof_data = last_at + blen;
				v->footer_dirty = true;
			}
			break;
		}
		rc = mf_pread(m->file, blk, blen, last_at);
		if (!rc)
			rc = mf_pwrite(m->file, blk, blen, hole);
		if (!rc)
			rc = mf_sync(m->file);
		if (rc)
			break;
		v->bat[last] = (uint32_t)(hole / MEDIA_SECTOR);
		bat_dirty(v, last);
		rc = vhd_flush_locked(m, v);
	}
	if (!rc) {
		m->meta_dirty = true;
		rc = vhd_flush_locked(m, v);
	}
	if (!rc)
		rc = mf_truncate(m->file, v->eof_data + VHD_FOOTER_SIZE);
	pthread_mutex_unlock(&v->lock);
	if (!rc && progress)
		progress(pctx, 100);
out_free:
	free(blk);
	free(pbuf);
	if (rc)
		return vb_err(err, -rc, VBOX_E_FILE_ERROR,
			      "VD: error compacting image file '%s': %s",
			      m->path, strerror(-rc));
	return 0;
}

static void vhd_dump(struct medium *m, struct strbuf *sb)
{
	struct vhd *v = m->priv;
	char ub[40], pb[40];
	uint32_t i, used = 0;

	sb_addf(sb, "Header: Type=%u Size=%llu Creator=%.4s CHS=%u/%u/%u\n",
		v->type, (unsigned long long)m->size, v->footer + 0x1C,
		m->pchs.cylinders, m->pchs.heads, m->pchs.sectors);
	sb_addf(sb, "Header: uuidCreation={%s}\n", vb_uuid_fmt(&m->uuid, ub));
	if (v->type == VHD_TYPE_FIXED)
		return;
	sb_addf(sb, "Header: uuidParent={%s}\n",
		vb_uuid_fmt(&m->parent_uuid, pb));
	for (i = 0; i < v->entries; i++)
		used += v->bat[i] != VHD_BAT_FREE;
	sb_addf(sb, "Header: offBAT=%llu cBATEntries=%u cbBlock=%u cBlocksAllocated=%u\n",
		(unsigned long long)v->bat_off, v->entries, v->block_size,
		used);
	if (m->parent_hint)
		sb_addf(sb, "Header: Parent='%s'\n", m->parent_hint);
}

static void vhd_close(struct medium *m)
{
	vhd_free(m->priv);
	m->priv = NULL;
}

const struct media_driver media_drv_vhd = {
	.name = "VHD",
	.caps = MCAP_UUID | MCAP_CREATE_FIXED | MCAP_CREATE_DYNAMIC |
		MCAP_DIFFERENCING | MCAP_ASYNC | MCAP_FILE | MCAP_VFS |
		MCAP_PREFERRED,
	.exts = vhd_exts,
	.probe = vhd_probe,
	.open = vhd_open,
	.create = vhd_create,
	.status = vhd_status,
	.read = vhd_read,
	.write = vhd_write,
	.flush = vhd_flush,
	.meta = MMETA_UUID | MMETA_PARENT_UUID | MMETA_PCHS,
	.resize = vhd_resize,
	.compact = vhd_compact,
	.discard = NULL,
	.dump = vhd_dump,
	.files = NULL,
	.close = vhd_close,
};
