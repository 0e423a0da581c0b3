/*
 * VDI from in-memory images: creation layouts, round trips, zero blocks,
 * differencing chains, compaction, growing, every header field
 * corrupted in turn, and I/O errors injected at every step.
 */
#include <pthread.h>

#include "t-media-helpers.h"

static struct medium *vdi_new_mem(struct mfs *fs, const char *name,
				  uint64_t size, unsigned variant,
				  struct medium *parent)
{
	return tm_create(fs, "VDI", name, size, variant, parent);
}

#define open_mem tm_open
#define must_open tm_must_open
#define pattern tm_pattern

void test_media_vdi__create_layout(void)
{
	struct mfs *fs = mfs_mem_new();
	struct medium *m = vdi_new_mem(fs, "a.vdi", 8 * MiB, 0, NULL);
	const uint8_t *h;
	size_t len;

	T_EQ_STR(media_format(m), "VDI");
	T_EQ_U64(media_size(m), 8 * MiB);
	media_close(m);
	h = mfs_mem_get(fs, "a.vdi", &len);
	T_EQ_U64(len, 2 * MiB);
	T_ASSERT(!memcmp(h, "<<< Oracle VM VirtualBox Disk Image >>>\n", 40));
	T_EQ_U64(le32(h + 0x40), 0xBEDA107F);
	T_EQ_U64(le32(h + 0x44), 0x00010001);
	T_EQ_U64(le32(h + 0x48), 0x190);
	T_EQ_U64(le32(h + 0x4C), 1);
	T_EQ_U64(le32(h + 0x154), 0x100000);
	T_EQ_U64(le32(h + 0x158), 0x200000);
	T_EQ_U64(le64(h + 0x170), 8 * MiB);
	T_EQ_U64(le32(h + 0x178), 0x100000);
	T_EQ_U64(le32(h + 0x180), 8);
	T_EQ_U64(le32(h + 0x184), 0);
	T_EQ_U64(le32(h + 0x100000), 0xFFFFFFFF);
	T_EQ_U64(le32(h + 0x1D4), 512);
	fs->ops->free(fs);
}

void test_media_vdi__fixed_layout(void)
{
	struct mfs *fs = mfs_mem_new();
	struct medium *m = vdi_new_mem(fs, "f.vdi", 3 * MiB,
				       MEDIA_VARIANT_FIXED, NULL);
	const uint8_t *h;
	char vb[64];
	size_t len;

	T_EQ_STR(media_variant_string(media_variant(m), vb, sizeof(vb)),
		 "fixed default");
	media_close(m);
	h = mfs_mem_get(fs, "f.vdi", &len);
	T_EQ_U64(len, 2 * MiB + 3 * MiB);
	T_EQ_U64(le32(h + 0x4C), 2);
	T_EQ_U64(le32(h + 0x184), 3);
	T_EQ_U64(le32(h + 0x100000 + 8), 2);
	fs->ops->free(fs);
}

void test_media_vdi__round_trip(void)
{
	struct mfs *fs = mfs_mem_new();
	struct medium *m = vdi_new_mem(fs, "r.vdi", 5 * MiB + 512, 0, NULL);
	uint8_t *ref = calloc(1, 5 * MiB + 512), *buf = malloc(5 * MiB + 512);
	uint8_t w[300000];
	struct vb_uuid u1, u2, mod1, mod2;
	const uint8_t *h;
	size_t len;

	T_OK(media_uuid(m, &u1));
	T_OK(media_modify_uuid(m, &mod1));
	pattern(w, sizeof(w), 1);
	/* crossing a block boundary, unaligned both ends */
	T_OK(media_write(m, MiB - 1000, w, sizeof(w)));
	memcpy(ref + MiB - 1000, w, sizeof(w));
	pattern(w, 512, 2);
	T_OK(media_write(m, 5 * MiB, w, 512));     /* the last sector */
	memcpy(ref + 5 * MiB, w, 512);
	T_OK(media_read(m, 0, buf, 5 * MiB + 512));
	T_EQ_MEM(buf, ref, 5 * MiB + 512);
	media_close(m);

	h = mfs_mem_get(fs, "r.vdi", &len);
	T_EQ_U64(le32(h + 0x184), 3);       /* blocks 0, 1 and 5 */
	T_EQ_U64(len, 2 * MiB + 3 * MiB);
	m = must_open(fs, "r.vdi", MEDIA_RDONLY, NULL);
	T_OK(media_uuid(m, &u2));
	T_ASSERT(vb_uuid_eq(&u1, &u2));
	T_OK(media_modify_uuid(m, &mod2));
	T_ASSERT(!vb_uuid_eq(&mod1, &mod2));   /* changed by the writes */
	T_OK(media_read(m, 0, buf, 5 * MiB + 512));
	T_EQ_MEM(buf, ref, 5 * MiB + 512);
	media_close(m);
	free(ref);
	free(buf);
	fs->ops->free(fs);
}

void test_media_vdi__zero_blocks_stay_unallocated(void)
{
	struct mfs *fs = mfs_mem_new();
	struct medium *m = vdi_new_mem(fs, "z.vdi", 4 * MiB, 0, NULL);
	uint8_t *z = calloc(1, MiB);
	const uint8_t *h;
	size_t len;

	T_OK(media_write(m, MiB, z, MiB));           /* whole block of zeros */
	T_OK(media_write(m, 2 * MiB + 4096, z, 8192)); /* partial zeros */
	media_close(m);
	h = mfs_mem_get(fs, "z.vdi", &len);
	T_EQ_U64(le32(h + 0x184), 0);
	T_EQ_U64(le32(h + 0x100000 + 4), 0xFFFFFFFE);
	T_EQ_U64(le32(h + 0x100000 + 8), 0xFFFFFFFF);
	T_EQ_U64(len, 2 * MiB);
	free(z);
	fs->ops->free(fs);
}

void test_media_vdi__differencing_chain(void)
{
	struct mfs *fs = mfs_mem_new();
	struct medium *base = vdi_new_mem(fs, "base.vdi", 4 * MiB, 0, NULL);
	struct medium *diff, *m;
	uint8_t a[MiB], b[4096], buf[MiB], *basecopy;
	struct vb_uuid bu, pu;
	size_t len;

	pattern(a, sizeof(a), 5);
	T_OK(media_write(base, 0, a, sizeof(a)));
	T_OK(media_flush(base));
	diff = vdi_new_mem(fs, "diff.vdi", 0, 0, base);
	T_EQ_U64(media_size(diff), 4 * MiB);
	T_ASSERT(media_variant(diff) & MEDIA_VARIANT_DIFF);
	media_close(diff);
	media_close(base);
	{
		const uint8_t *p = mfs_mem_get(fs, "base.vdi", &len);

		basecopy = malloc(len);
		memcpy(basecopy, p, len);
	}
	m = must_open(fs, "diff.vdi", MEDIA_RDWR, "base.vdi");
	T_ASSERT(media_parent(m) != NULL);
	T_OK(media_parent_uuid(m, &pu));
	T_OK(media_uuid(media_parent(m), &bu));
	T_ASSERT(vb_uuid_eq(&pu, &bu));
	/* a partial write into an unallocated diff block merges the parent */
	pattern(b, sizeof(b), 9);
	T_OK(media_write(m, 8192, b, sizeof(b)));
	T_OK(media_read(m, 0, buf, MiB));
	T_EQ_MEM(buf, a, 8192);
	T_EQ_MEM(buf + 8192, b, sizeof(b));
	T_EQ_MEM(buf + 8192 + 4096, a + 8192 + 4096, MiB - 8192 - 4096);
	/* a block of zeros hides the parent */
	memset(buf, 0, MiB);
	T_OK(media_write(m, 0, buf, MiB));
	T_OK(media_read(m, 0, buf, MiB));
	T_ASSERT(media_is_zero(buf, MiB));
	media_close(m);
	/* the parent file did not change */
	{
		size_t l2;
		const uint8_t *p = mfs_mem_get(fs, "base.vdi", &l2);

		T_EQ_U64(l2, len);
		T_EQ_MEM(p, basecopy, len);
	}
	/* reopened, the zero block still hides the parent */
	m = must_open(fs, "diff.vdi", MEDIA_RDONLY, "base.vdi");
	T_OK(media_read(m, 0, buf, MiB));
	T_ASSERT(media_is_zero(buf, MiB));
	media_close(m);
	free(basecopy);
	fs->ops->free(fs);
}

void test_media_vdi__diff_without_parent_fails(void)
{
	struct mfs *fs = mfs_mem_new();
	struct medium *base = vdi_new_mem(fs, "b.vdi", 2 * MiB, 0, NULL);
	struct medium *diff = vdi_new_mem(fs, "d.vdi", 0, 0, base), *m;
	struct vb_error err = { 0 };

	media_close(diff);
	media_close(base);
	T_ASSERT(open_mem(fs, "d.vdi", MEDIA_RDONLY, NULL, &m, &err) < 0);
	T_EQ_U64(err.hrc, VBOX_E_OBJECT_NOT_FOUND);
	/* the wrong parent is refused */
	base = vdi_new_mem(fs, "other.vdi", 2 * MiB, 0, NULL);
	media_close(base);
	T_ASSERT(open_mem(fs, "d.vdi", MEDIA_RDONLY, "other.vdi", &m, &err) < 0);
	fs->ops->free(fs);
}

void test_media_vdi__compact(void)
{
	struct mfs *fs = mfs_mem_new();
	struct medium *m = vdi_new_mem(fs, "c.vdi", 6 * MiB, 0, NULL);
	uint8_t *blk = malloc(MiB), *buf = malloc(6 * MiB), *ref = calloc(1, 6 * MiB);
	struct vb_error err = { 0 };
	const uint8_t *h;
	size_t len;
	int i;

	for (i = 0; i < 6; i++) {
		pattern(blk, MiB, (unsigned)i + 20);
		T_OK(media_write(m, (uint64_t)i * MiB, blk, MiB));
		memcpy(ref + (size_t)i * MiB, blk, MiB);
	}
	/* zero blocks 1 and 3 by partial writes so they stay allocated */
	memset(blk, 0, MiB);
	T_OK(media_write(m, MiB, blk, MiB / 2));
	T_OK(media_write(m, MiB + MiB / 2, blk, MiB / 2));
	T_OK(media_write(m, 3 * MiB + 512, blk, MiB - 512));
	T_OK(media_write(m, 3 * MiB, blk, 512));
	memset(ref + MiB, 0, MiB);
	memset(ref + 3 * MiB, 0, MiB);
	T_OK(media_compact(m, NULL, NULL, &err));
	T_OK(media_read(m, 0, buf, 6 * MiB));
	T_EQ_MEM(buf, ref, 6 * MiB);
	media_close(m);
	h = mfs_mem_get(fs, "c.vdi", &len);
	T_EQ_U64(le32(h + 0x184), 4);
	T_EQ_U64(len, 2 * MiB + 4 * MiB);
	m = must_open(fs, "c.vdi", MEDIA_RDONLY, NULL);
	T_OK(media_read(m, 0, buf, 6 * MiB));
	T_EQ_MEM(buf, ref, 6 * MiB);
	media_close(m);
	free(blk);
	free(buf);
	free(ref);
	fs->ops->free(fs);
}

void test_media_vdi__resize_moves_blocks(void)
{
	struct mfs *fs = mfs_mem_new();
	struct medium *m = vdi_new_mem(fs, "g.vdi", 3 * MiB, 0, NULL);
	uint8_t *blk = malloc(MiB), *buf = malloc(MiB);
	uint64_t big = 300ull << 30;
	struct vb_error err = { 0 };
	const uint8_t *h;
	size_t len;
	int i;

	for (i = 0; i < 3; i++) {
		pattern(blk, MiB, (unsigned)i + 40);
		T_OK(media_write(m, (uint64_t)i * MiB, blk, MiB));
	}
	T_EQ_INT(media_resize(m, 2 * MiB, NULL, NULL, &err), -ENOTSUP);
	T_OK(media_resize(m, big, NULL, NULL, &err));
	T_EQ_U64(media_size(m), big);
	pattern(blk, MiB, 99);
	T_OK(media_write(m, big - MiB, blk, MiB));
	media_close(m);
	h = mfs_mem_get(fs, "g.vdi", &len);
	/* 300 GiB needs a 1.2 MB map: data moved to 3 MiB */
	T_EQ_U64(le32(h + 0x158), 3 * MiB);
	T_EQ_U64(le32(h + 0x180), 300 * 1024);
	m = must_open(fs, "g.vdi", MEDIA_RDONLY, NULL);
	for (i = 0; i < 3; i++) {
		pattern(blk, MiB, (unsigned)i + 40);
		T_OK(media_read(m, (uint64_t)i * MiB, buf, MiB));
		T_EQ_MEM(buf, blk, MiB);
	}
	pattern(blk, MiB, 99);
	T_OK(media_read(m, big - MiB, buf, MiB));
	T_EQ_MEM(buf, blk, MiB);
	T_OK(media_read(m, 100ull << 30, buf, MiB));
	T_ASSERT(media_is_zero(buf, MiB));
	media_close(m);
	free(blk);
	free(buf);
	fs->ops->free(fs);
}

void test_media_vdi__discard_releases_blocks(void)
{
	struct mfs *fs = mfs_mem_new();
	struct medium *m = vdi_new_mem(fs, "t.vdi", 4 * MiB, 0, NULL);
	uint8_t *blk = malloc(MiB), *buf = malloc(MiB);
	const uint8_t *h;
	size_t len;
	int i;

	for (i = 0; i < 3; i++) {
		pattern(blk, MiB, (unsigned)i + 60);
		T_OK(media_write(m, (uint64_t)i * MiB, blk, MiB));
	}
	T_OK(media_discard(m, 0, MiB));
	T_OK(media_read(m, 0, buf, MiB));
	T_ASSERT(media_is_zero(buf, MiB));
	pattern(blk, MiB, 62);
	T_OK(media_read(m, 2 * MiB, buf, MiB));
	T_EQ_MEM(buf, blk, MiB);
	media_close(m);
	h = mfs_mem_get(fs, "t.vdi", &len);
	T_EQ_U64(le32(h + 0x184), 2);
	T_EQ_U64(len, 4 * MiB);
	free(blk);
	free(buf);
	fs->ops->free(fs);
}

/* ---- corrupted headers: one field each ---- */

static uint8_t *good_image(size_t *len)
{
	struct mfs *fs = mfs_mem_new();
	struct medium *m = vdi_new_mem(fs, "g.vdi", 4 * MiB, 0, NULL);
	uint8_t blk[4096];
	const uint8_t *p;
	uint8_t *copy;

	pattern(blk, sizeof(blk), 3);
	T_OK(media_write(m, MiB, blk, sizeof(blk)));
	media_close(m);
	p = mfs_mem_get(fs, "g.vdi", len);
	copy = malloc(*len);
	memcpy(copy, p, *len);
	fs->ops->free(fs);
	return copy;
}

static void expect_refused(uint8_t *img, size_t len, const char *why)
{
	tm_expect_refused("VDI", "bad.vdi", img, len, why);
}

static void corrupt(void (*mutate)(uint8_t *h, size_t *len), const char *why)
{
	size_t len;
	uint8_t *h = good_image(&len);

	mutate(h, &len);
	expect_refused(h, len, why);
}

static void mut_signature(uint8_t *h, size_t *len)
{
	put_le32(h + 0x40, 0xBEDA1070);
}

void test_media_vdi__corrupt_signature(void)
{
	corrupt(mut_signature, "signature");
}

static void mut_version(uint8_t *h, size_t *len)
{
	put_le32(h + 0x44, 0x00020001);
}

void test_media_vdi__corrupt_version(void)
{
	corrupt(mut_version, "version");
}

static void mut_header_size(uint8_t *h, size_t *len)
{
	put_le32(h + 0x48, 0x100);
}

void test_media_vdi__corrupt_header_size(void)
{
	corrupt(mut_header_size, "header_size");
}

static void mut_type(uint8_t *h, size_t *len)
{
	put_le32(h + 0x4C, 7);
}

void test_media_vdi__corrupt_type(void)
{
	corrupt(mut_type, "type");
}

static void mut_flags(uint8_t *h, size_t *len)
{
	put_le32(h + 0x50, 0x80);
}

void test_media_vdi__corrupt_flags(void)
{
	corrupt(mut_flags, "flags");
}

static void mut_offset_blocks(uint8_t *h, size_t *len)
{
	put_le32(h + 0x154, 0x10);
}

void test_media_vdi__corrupt_offset_blocks(void)
{
	corrupt(mut_offset_blocks, "offset_blocks");
}

static void mut_offset_data(uint8_t *h, size_t *len)
{
	put_le32(h + 0x158, 0x100004);
}

void test_media_vdi__corrupt_offset_data(void)
{
	corrupt(mut_offset_data, "offset_data");
}

static void mut_disk_size_zero(uint8_t *h, size_t *len)
{
	put_le64(h + 0x170, 0);
}

void test_media_vdi__corrupt_disk_size_zero(void)
{
	corrupt(mut_disk_size_zero, "disk_size_zero");
}

static void mut_disk_size_huge(uint8_t *h, size_t *len)
{
	put_le64(h + 0x170, UINT64_MAX);
}

void test_media_vdi__corrupt_disk_size_huge(void)
{
	corrupt(mut_disk_size_huge, "disk_size_huge");
}

static void mut_disk_size_past_blocks(uint8_t *h, size_t *len)
{
	put_le64(h + 0x170, 5 * MiB);
}

void test_media_vdi__corrupt_disk_size_past_blocks(void)
{
	corrupt(mut_disk_size_past_blocks, "disk_size_past_blocks");
}

static void mut_block_size(uint8_t *h, size_t *len)
{
	put_le32(h + 0x178, 0x100001);
}

void test_media_vdi__corrupt_block_size(void)
{
	corrupt(mut_block_size, "block_size");
}

static void mut_block_size_zero(uint8_t *h, size_t *len)
{
	put_le32(h + 0x178, 0);
}

void test_media_vdi__corrupt_block_size_zero(void)
{
	corrupt(mut_block_size_zero, "block_size_zero");
}

static void mut_block_extra(uint8_t *h, size_t *len)
{
	put_le32(h + 0x17C, 3);
}

void test_media_vdi__corrupt_block_extra(void)
{
	corrupt(mut_block_extra, "block_extra");
}

static void mut_block_count_zero(uint8_t *h, size_t *len)
{
	put_le32(h + 0x180, 0);
}

void test_media_vdi__corrupt_block_count_zero(void)
{
	corrupt(mut_block_count_zero, "block_count_zero");
}

static void mut_block_count_huge(uint8_t *h, size_t *len)
{
	put_le32(h + 0x180, 0xFFFFFFF0);
}

void test_media_vdi__corrupt_block_count_huge(void)
{
	corrupt(mut_block_count_huge, "block_count_huge");
}

static void mut_blocks_allocated(uint8_t *h, size_t *len)
{
	put_le32(h + 0x184, 5);
}

void test_media_vdi__corrupt_blocks_allocated(void)
{
	corrupt(mut_blocks_allocated, "blocks_allocated");
}

static void mut_uuid_create(uint8_t *h, size_t *len)
{
	memset(h + 0x188, 0, 16);
}

void test_media_vdi__corrupt_uuid_create(void)
{
	corrupt(mut_uuid_create, "uuid_create");
}

static void mut_uuid_modify(uint8_t *h, size_t *len)
{
	memset(h + 0x198, 0, 16);
}

void test_media_vdi__corrupt_uuid_modify(void)
{
	corrupt(mut_uuid_modify, "uuid_modify");
}

static void mut_lchs_sector_size(uint8_t *h, size_t *len)
{
	put_le32(h + 0x1D4, 4096);
}

void test_media_vdi__corrupt_lchs_sector_size(void)
{
	corrupt(mut_lchs_sector_size, "lchs_sector_size");
}

static void mut_map_entry(uint8_t *h, size_t *len)
{
	put_le32(h + 0x100004, 77);
}

void test_media_vdi__corrupt_map_entry(void)
{
	corrupt(mut_map_entry, "map_entry");
}

static void mut_truncated_map(uint8_t *h, size_t *len)
{
	*len = 0x100000 + 8;
}

void test_media_vdi__corrupt_truncated_map(void)
{
	corrupt(mut_truncated_map, "truncated_map");
}

void test_media_vdi__map_entry_past_eof_reads_error(void)
{
	size_t len;
	uint8_t *h = good_image(&len);
	struct mfs *fs = mfs_mem_new();
	struct vb_error err = { 0 };
	struct medium *m;
	uint8_t buf[512];

	/* claim block 2 lives in slot 3, which the file does not hold */
	put_le32(h + 0x184, 4);
	put_le32(h + 0x100008, 3);
	T_OK(mfs_mem_put(fs, "x.vdi", h, len));
	T_OK(open_mem(fs, "x.vdi", MEDIA_RDONLY, NULL, &m, &err));
	T_EQ_INT(media_read(m, 2 * MiB, buf, sizeof(buf)), -EIO);
	media_close(m);
	free(h);
	fs->ops->free(fs);
}

/* ---- injected I/O errors ---- */

static int scenario(struct mfs *fs)
{
	struct media_create_opts o = {
		.format = "VDI", .size = 3 * MiB, .fs = fs,
	};
	struct medium *m;
	uint8_t w[70000];
	int rc;

	rc = media_create("e.vdi", &o, &m, NULL);
	if (rc)
		return rc;
	pattern(w, sizeof(w), 4);
	rc = media_write(m, MiB - 5, w, sizeof(w));
	if (!rc)
		rc = media_write(m, 2 * MiB + 17, w, 1000);
	if (!rc)
		rc = media_flush(m);
	media_close(m);
	return rc;
}

void test_media_vdi__io_errors_everywhere(void)
{
	long n, total;
	struct mfs *fs = mfs_mem_new();

	T_OK(scenario(fs));
	total = mfs_mem_op_count(fs);
	fs->ops->free(fs);
	T_ASSERT(total > 5);
	for (n = 0; n < total; n++) {
		int sticky;

		for (sticky = 0; sticky < 2; sticky++) {
			struct medium *m;
			struct media_open_opts o = { .flags = MEDIA_RDONLY };
			uint8_t buf[1000], w[1000];
			int rc;

			fs = mfs_mem_new();
			mfs_mem_fail_after(fs, n, sticky);
			rc = scenario(fs);
			mfs_mem_fail_after(fs, -1, false);
			/* whatever survived is either refused cleanly or
			 * reads back what was acknowledged */
			o.fs = fs;
			if (media_open_ex("e.vdi", &o, &m, NULL) == 0) {
				if (rc == 0) {
					pattern(w, sizeof(w), 4);
					T_OK(media_read(m, 2 * MiB + 17, buf,
							sizeof(buf)));
					T_EQ_MEM(buf, w, sizeof(buf));
				} else {
					media_read(m, MiB, buf, sizeof(buf));
				}
				media_close(m);
			}
			fs->ops->free(fs);
		}
	}
}

void test_media_vdi__full_disk(void)
{
	struct mfs *fs = mfs_mem_new();
	struct medium *m = vdi_new_mem(fs, "n.vdi", 8 * MiB, 0, NULL);
	uint8_t *blk = malloc(MiB);
	int rc = 0, i;

	mfs_mem_set_limit(fs, 4 * MiB);
	pattern(blk, MiB, 1);
	for (i = 0; i < 8 && !rc; i++)
		rc = media_write(m, (uint64_t)i * MiB, blk, MiB);
	T_EQ_INT(rc, -ENOSPC);
	media_close(m);
	free(blk);
	fs->ops->free(fs);
}

/* ---- readers and a writer at once ---- */

struct rw_ctx {
	struct medium *m;
	int id;
	int bad;
};

static void *reader(void *arg)
{
	struct rw_ctx *c = arg;
	uint8_t buf[65536], ref[65536];
	int i;

	pattern(ref, sizeof(ref), 77);
	for (i = 0; i < 200; i++) {
		if (media_read(c->m, (uint64_t)(i % 16) * 65536, buf,
			       sizeof(buf)) ||
		    memcmp(buf, ref, sizeof(buf)))
			c->bad++;
	}
	return NULL;
}

static void *writer(void *arg)
{
	struct rw_ctx *c = arg;
	uint8_t buf[65536];
	int i;

	for (i = 0; i < 64; i++) {
		pattern(buf, sizeof(buf), (unsigned)i);
		if (media_write(c->m, MiB + (uint64_t)i * 65536, buf,
				sizeof(buf)))
			c->bad++;
	}
	return NULL;
}

void test_media_vdi__concurrent_readers_and_writer(void)
{
	struct mfs *fs = mfs_mem_new();
	struct medium *m = vdi_new_mem(fs, "p.vdi", 8 * MiB, 0, NULL);
	struct rw_ctx c[4];
	pthread_t t[4];
	uint8_t buf[65536];
	int i;

	pattern(buf, sizeof(buf), 77);
	for (i = 0; i < 16; i++)
		T_OK(media_write(m, (uint64_t)i * 65536, buf, sizeof(buf)));
	for (i = 0; i < 4; i++) {
		c[i].m = m;
		c[i].id = i;
		c[i].bad = 0;
		pthread_create(&t[i], NULL, i == 3 ? writer : reader, &c[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		T_EQ_INT(c[i].bad, 0);
	}
	for (i = 0; i < 64; i++) {
		uint8_t ref[65536];

		pattern(ref, sizeof(ref), (unsigned)i);
		T_OK(media_read(m, MiB + (uint64_t)i * 65536, buf, sizeof(buf)));
		T_EQ_MEM(buf, ref, sizeof(buf));
	}
	media_close(m);
	fs->ops->free(fs);
}
