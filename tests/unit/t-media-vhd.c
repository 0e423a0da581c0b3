/*
 * VHD from in-memory images: footer and dynamic header layout, checksums,
 * VirtualBox's size and geometry rules, round trips, differencing with
 * sector bitmaps and parent locators, growing, compaction, corrupted
 * fields and injected I/O errors.
 */
#include "t-media-helpers.h"

static uint32_t csum(const uint8_t *p, size_t n, size_t at)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (i < at || i >= at + 4)
			s += p[i];
	return ~s;
}

void test_media_vhd__dynamic_layout(void)
{
	struct mfs *fs = mfs_mem_new();
	struct medium *m = tm_create(fs, "VHD", "a.vhd", 100 * MiB, 0, NULL);
	struct media_geometry g;
	const uint8_t *f;
	size_t len;

	media_geometry(m, &g, NULL);
	T_EQ_INT(g.cylinders, 1003);
	T_EQ_INT(g.heads, 12);
	T_EQ_INT(g.sectors, 17);
	media_close(m);
	f = mfs_mem_get(fs, "a.vhd", &len);
	/* footer copy, dynamic header, 50 BAT entries in one sector, footer */
	T_EQ_U64(len, 512 + 1024 + 512 + 512);
	T_ASSERT(!memcmp(f, "conectix", 8));
	T_ASSERT(!memcmp(f + len - 512, f, 512));
	T_EQ_U64(be64(f + 0x10), 0x200);
	T_ASSERT(!memcmp(f + 0x1C, "vbox", 4));
	T_EQ_U64(be64(f + 0x30), 100 * MiB);
	T_EQ_U64(be32(f + 0x3C), 3);
	T_EQ_U64(be32(f + 0x40), csum(f, 512, 0x40));
	T_ASSERT(!memcmp(f + 0x200, "cxsparse", 8));
	T_EQ_U64(be64(f + 0x210), 0x600);
	T_EQ_U64(be32(f + 0x21C), 50);
	T_EQ_U64(be32(f + 0x220), 0x200000);
	T_EQ_U64(be32(f + 0x224), csum(f + 0x200, 1024, 0x24));
	T_EQ_U64(be32(f + 0x600), 0xFFFFFFFF);
	T_EQ_U64(be32(f + 0x600 + 4 * 127), 0xFFFFFFFF);
	fs->ops->free(fs);
}

void test_media_vhd__fixed_layout(void)
{
	struct mfs *fs = mfs_mem_new();
	struct medium *m = tm_create(fs, "VHD", "f.vhd", 3 * MiB,
				     MEDIA_VARIANT_FIXED, NULL);
	uint8_t w[4096], r[4096];
	const uint8_t *f;
	size_t len;

	tm_pattern(w, sizeof(w), 1);
	T_OK(media_write(m, MiB, w, sizeof(w)));
	media_close(m);
	f = mfs_mem_get(fs, "f.vhd", &len);
	T_EQ_U64(len, 3 * MiB + 512);
	T_EQ_U64(be32(f + len - 512 + 0x3C), 2);
	T_EQ_U64(be64(f + len - 512 + 0x10), UINT64_MAX);
	T_EQ_MEM(f + MiB, w, sizeof(w));
	m = tm_must_open(fs, "f.vhd", MEDIA_RDONLY, NULL);
	T_ASSERT(media_variant(m) == MEDIA_VARIANT_FIXED);
	T_OK(media_read(m, MiB, r, sizeof(r)));
	T_EQ_MEM(r, w, sizeof(r));
	media_close(m);
	fs->ops->free(fs);
}

void test_media_vhd__round_trip_and_sparse_blocks(void)
{
	struct mfs *fs = mfs_mem_new();
	uint64_t size = 7 * MiB + 512;
	struct medium *m = tm_create(fs, "VHD", "r.vhd", size, 0, NULL);
	uint8_t *ref = calloc(1, size), *buf = malloc(size), w[5000];
	struct vb_uuid u1, u2;
	const uint8_t *f;
	size_t len;

	T_OK(media_uuid(m, &u1));
	tm_pattern(w, sizeof(w), 3);
	T_OK(media_write(m, 2 * MiB - 100, w, sizeof(w)));
	memcpy(ref + 2 * MiB - 100, w, sizeof(w));
	T_OK(media_write(m, size - 700, w, 700));
	memcpy(ref + size - 700, w, 700);
	memset(w, 0, sizeof(w));
	T_OK(media_write(m, 5 * MiB, w, sizeof(w)));   /* zeros: no block */
	media_close(m);
	f = mfs_mem_get(fs, "r.vhd", &len);
	/* three blocks of 512 + 2 MiB after the 2560-byte head */
	T_EQ_U64(len, 2560 + 3 * (512 + 2 * MiB));
	T_EQ_U64(be32(f + 0x600 + 8), 0xFFFFFFFF);
	m = tm_must_open(fs, "r.vhd", MEDIA_RDONLY, NULL);
	T_OK(media_uuid(m, &u2));
	T_ASSERT(vb_uuid_eq(&u1, &u2));
	T_EQ_U64(media_size(m), size);
	T_OK(media_read(m, 0, buf, size));
	T_EQ_MEM(buf, ref, size);
	media_close(m);
	free(ref);
	free(buf);
	fs->ops->free(fs);
}

void test_media_vhd__differencing_bitmaps(void)
{
	struct mfs *fs = mfs_mem_new();
	struct medium *base = tm_create(fs, "VHD", "/d/base.vhd", 4 * MiB, 0,
					NULL);
	struct medium *m;
	uint8_t a[MiB], b[1024], buf[MiB], *before;
	size_t blen, len;

	tm_pattern(a, sizeof(a), 6);
	T_OK(media_write(base, 0, a, sizeof(a)));
	T_OK(media_flush(base));
	m = tm_create(fs, "VHD", "/d/sub/child.vhd", 0, 0, base);
	media_close(m);
	media_close(base);
	before = tm_snapshot(fs, "/d/base.vhd", &blen);
	/* the parent is found through the relative locator */
	m = tm_must_open(fs, "/d/sub/child.vhd", MEDIA_RDWR, NULL);
	T_ASSERT(media_parent(m) != NULL);
	T_EQ_STR(media_path(media_parent(m)), "/d/base.vhd");
	tm_pattern(b, sizeof(b), 8);
	T_OK(media_write(m, 4096, b, sizeof(b)));
	T_OK(media_read(m, 0, buf, MiB));
	T_EQ_MEM(buf, a, 4096);
	T_EQ_MEM(buf + 4096, b, sizeof(b));
	T_EQ_MEM(buf + 5120, a + 5120, MiB - 5120);
	memset(b, 0, sizeof(b));
	T_OK(media_write(m, 0, b, 512));   /* zeros hide the parent */
	media_close(m);
	{
		const uint8_t *p = mfs_mem_get(fs, "/d/base.vhd", &len);

		T_EQ_U64(len, blen);
		T_EQ_MEM(p, before, len);
	}
	m = tm_must_open(fs, "/d/sub/child.vhd", MEDIA_RDONLY, NULL);
	T_OK(media_read(m, 0, buf, 8192));
	T_ASSERT(media_is_zero(buf, 512));
	T_EQ_MEM(buf + 512, a + 512, 4096 - 512);
	media_close(m);
	free(before);
	fs->ops->free(fs);
}

void test_media_vhd__resize_moves_blocks(void)
{
	struct mfs *fs = mfs_mem_new();
	struct medium *m = tm_create(fs, "VHD", "g.vhd", 4 * MiB, 0, NULL);
	uint8_t *blk = malloc(2 * MiB), *buf = malloc(2 * MiB);
	uint64_t big = 5ull << 30;  /* 2560 entries: the BAT outgrows its sector */
	struct vb_error err = { 0 };

	tm_pattern(blk, 2 * MiB, 1);
	T_OK(media_write(m, 0, blk, 2 * MiB));
	T_OK(media_resize(m, big, NULL, NULL, &err));
	tm_pattern(blk, 2 * MiB, 2);
	T_OK(media_write(m, big - 2 * MiB, blk, 2 * MiB));
	media_close(m);
	m = tm_must_open(fs, "g.vhd", MEDIA_RDONLY, NULL);
	T_EQ_U64(media_size(m), big);
	tm_pattern(blk, 2 * MiB, 1);
	T_OK(media_read(m, 0, buf, 2 * MiB));
	T_EQ_MEM(buf, blk, 2 * MiB);
	tm_pattern(blk, 2 * MiB, 2);
	T_OK(media_read(m, big - 2 * MiB, buf, 2 * MiB));
	T_EQ_MEM(buf, blk, 2 * MiB);
	media_close(m);
	free(blk);
	free(buf);
	fs->ops->free(fs);
}

void test_media_vhd__compact(void)
{
	struct mfs *fs = mfs_mem_new();
	struct medium *m = tm_create(fs, "VHD", "c.vhd", 8 * MiB, 0, NULL);
	uint8_t *blk = malloc(2 * MiB), *buf = malloc(8 * MiB);
	uint8_t *ref = calloc(1, 8 * MiB);
	struct vb_error err = { 0 };
	size_t len;
	int i;

	for (i = 0; i < 4; i++) {
		tm_pattern(blk, 2 * MiB, (unsigned)i + 30);
		T_OK(media_write(m, (uint64_t)i * 2 * MiB, blk, 2 * MiB));
		memcpy(ref + (size_t)i * 2 * MiB, blk, 2 * MiB);
	}
	memset(blk, 0, 2 * MiB);
	T_OK(media_write(m, 2 * MiB, blk, 2 * MiB));
	memset(ref + 2 * MiB, 0, 2 * MiB);
	T_OK(media_compact(m, NULL, NULL, &err));
	T_OK(media_read(m, 0, buf, 8 * MiB));
	T_EQ_MEM(buf, ref, 8 * MiB);
	media_close(m);
	mfs_mem_get(fs, "c.vhd", &len);
	T_EQ_U64(len, 2560 + 3 * (512 + 2 * MiB));
	m = tm_must_open(fs, "c.vhd", MEDIA_RDONLY, NULL);
	T_OK(media_read(m, 0, buf, 8 * MiB));
	T_EQ_MEM(buf, ref, 8 * MiB);
	media_close(m);
	free(blk);
	free(buf);
	free(ref);
	fs->ops->free(fs);
}

/* ---- corrupted fields ---- */

static uint8_t *good_vhd(size_t *len)
{
	struct mfs *fs = mfs_mem_new();
	struct medium *m = tm_create(fs, "VHD", "g.vhd", 4 * MiB, 0, NULL);
	uint8_t w[4096];
	uint8_t *c;

	tm_pattern(w, sizeof(w), 2);
	T_OK(media_write(m, 0, w, sizeof(w)));
	media_close(m);
	c = tm_snapshot(fs, "g.vhd", len);
	fs->ops->free(fs);
	return c;
}

static void corrupt(void (*mutate)(uint8_t *f, size_t *len), const char *why)
{
	size_t len;
	uint8_t *f = good_vhd(&len);

	mutate(f, &len);
	tm_expect_refused("VHD", "bad.vhd", f, len, why);
}

/* The footer at the end of the file; offsets within it. */
#define FOOT(f, len) ((f) + *(len) - 512)

static void mut_cookie(uint8_t *f, size_t *len)
{
	memcpy(FOOT(f, len), "conectiy", 8);
	memcpy(f, "conectiy", 8);
}

static void mut_version(uint8_t *f, size_t *len)
{
	put_be32(FOOT(f, len) + 0x0C, 0x00020000);
}

static void mut_type(uint8_t *f, size_t *len)
{
	put_be32(FOOT(f, len) + 0x3C, 5);
}

static void mut_size_odd(uint8_t *f, size_t *len)
{
	put_be64(FOOT(f, len) + 0x30, 4 * MiB + 1);
}

static void mut_size_beyond_bat(uint8_t *f, size_t *len)
{
	put_be64(FOOT(f, len) + 0x30, 64 * MiB);
}

static void mut_data_offset(uint8_t *f, size_t *len)
{
	put_be64(FOOT(f, len) + 0x10, UINT64_MAX - 100);
}

static void mut_dyn_cookie(uint8_t *f, size_t *len)
{
	memcpy(f + 0x200, "cxsparsx", 8);
}

static void mut_bat_offset(uint8_t *f, size_t *len)
{
	put_be64(f + 0x210, 1ull << 40);
}

static void mut_entries(uint8_t *f, size_t *len)
{
	put_be32(f + 0x21C, 0xFFFFFFFF);
}

static void mut_block_size(uint8_t *f, size_t *len)
{
	put_be32(f + 0x220, 0x200001);
}

static void mut_block_size_zero(uint8_t *f, size_t *len)
{
	put_be32(f + 0x220, 0);
}

static void mut_truncated(uint8_t *f, size_t *len)
{
	*len -= 512;
}

static void mut_fixed_too_small(uint8_t *f, size_t *len)
{
	put_be32(FOOT(f, len) + 0x3C, 2);
	put_be64(FOOT(f, len) + 0x30, 1ull << 30);
}

void test_media_vhd__corrupt_cookie(void) { corrupt(mut_cookie, "cookie"); }
void test_media_vhd__corrupt_version(void) { corrupt(mut_version, "version"); }
void test_media_vhd__corrupt_type(void) { corrupt(mut_type, "type"); }
void test_media_vhd__corrupt_size_odd(void) { corrupt(mut_size_odd, "size"); }
void test_media_vhd__corrupt_size_beyond_bat(void) { corrupt(mut_size_beyond_bat, "size"); }
void test_media_vhd__corrupt_data_offset(void) { corrupt(mut_data_offset, "data offset"); }
void test_media_vhd__corrupt_dyn_cookie(void) { corrupt(mut_dyn_cookie, "dyn cookie"); }
void test_media_vhd__corrupt_bat_offset(void) { corrupt(mut_bat_offset, "bat offset"); }
void test_media_vhd__corrupt_entries(void) { corrupt(mut_entries, "entries"); }
void test_media_vhd__corrupt_block_size(void) { corrupt(mut_block_size, "block size"); }
void test_media_vhd__corrupt_block_size_zero(void) { corrupt(mut_block_size_zero, "block size 0"); }
void test_media_vhd__corrupt_truncated(void) { corrupt(mut_truncated, "truncated"); }
void test_media_vhd__corrupt_fixed_too_small(void) { corrupt(mut_fixed_too_small, "fixed size"); }

void test_media_vhd__bat_past_eof_reads_error(void)
{
	size_t len;
	uint8_t *f = good_vhd(&len), buf[512];
	struct mfs *fs = mfs_mem_new();
	struct medium *m;
	struct vb_error err = { 0 };

	put_be32(f + 0x600 + 4, 0x10000000);
	T_OK(mfs_mem_put(fs, "x.vhd", f, len));
	T_OK(tm_open(fs, "x.vhd", MEDIA_RDONLY, NULL, &m, &err));
	T_ASSERT(media_read(m, 2 * MiB, buf, sizeof(buf)) < 0);
	media_close(m);
	free(f);
	fs->ops->free(fs);
}

/* ---- injected I/O errors ---- */

static int scenario(struct mfs *fs)
{
	struct media_create_opts o = { .format = "VHD", .size = 5 * MiB, .fs = fs };
	struct medium *m;
	uint8_t w[9000];
	int rc;

	rc = media_create("e.vhd", &o, &m, NULL);
	if (rc)
		return rc;
	tm_pattern(w, sizeof(w), 4);
	rc = media_write(m, 2 * MiB - 3, w, sizeof(w));
	if (!rc)
		rc = media_flush(m);
	if (!rc)
		rc = media_write(m, 4 * MiB + 1, w, 1000);
	if (!rc)
		rc = media_flush(m);
	media_close(m);
	return rc;
}

void test_media_vhd__io_errors_everywhere(void)
{
	struct mfs *fs = mfs_mem_new();
	long n, total;

	T_OK(scenario(fs));
	total = mfs_mem_op_count(fs);
	fs->ops->free(fs);
	for (n = 0; n < total; n++) {
		int sticky;

		for (sticky = 0; sticky < 2; sticky++) {
			struct media_open_opts o = { .flags = MEDIA_RDONLY };
			struct medium *m;
			uint8_t buf[1000], w[1000];
			int rc;

			fs = mfs_mem_new();
			mfs_mem_fail_after(fs, n, sticky);
			rc = scenario(fs);
			mfs_mem_fail_after(fs, -1, false);
			o.fs = fs;
			if (media_open_ex("e.vhd", &o, &m, NULL) == 0) {
				if (rc == 0) {
					tm_pattern(w, sizeof(w), 4);
					T_OK(media_read(m, 4 * MiB + 1, buf,
							sizeof(buf)));
					T_EQ_MEM(buf, w, sizeof(buf));
				} else {
					media_read(m, 2 * MiB, buf, sizeof(buf));
				}
				media_close(m);
			}
			fs->ops->free(fs);
		}
	}
}
