/*
 * VMDK from in-memory images: every create type, the sparse and stream
 * layouts, the descriptor round trip, differencing through
 * ddb.uuid.parent, growing, corrupted header and descriptor fields, and
 * injected I/O errors.
 */
#include "t-media-helpers.h"
#include "lib/media/vmdk-int.h"

static void round_trip(const char *name, unsigned variant, uint64_t size)
{
	struct mfs *fs = mfs_mem_new();
	struct medium *m = tm_create(fs, "VMDK", name, size, variant, NULL);
	uint8_t *ref = calloc(1, size), *buf = malloc(size);
	uint64_t off;
	unsigned i = 0;

	/* data in some grains, zeros in others, ascending (stream-safe) */
	for (off = 0; off + 65536 <= size; off += 65536 * 3, i++) {
		tm_pattern(ref + off, 65536, i + 1);
		T_OK(media_write(m, off, ref + off, 65536));
	}
	T_OK(media_flush(m));
	if (!(variant & MEDIA_VARIANT_STREAM)) {
		T_OK(media_read(m, 0, buf, size));
		T_EQ_MEM(buf, ref, size);
	} else {
		T_EQ_INT(media_read(m, 0, buf, 512), -EBADF);
	}
	media_close(m);
	m = tm_must_open(fs, name, MEDIA_RDONLY, NULL);
	T_EQ_U64(media_size(m), size);
	T_OK(media_read(m, 0, buf, size));
	T_EQ_MEM(buf, ref, size);
	T_EQ_INT(media_variant(m), variant);
	media_close(m);
	free(ref);
	free(buf);
	fs->ops->free(fs);
}

void test_media_vmdk__monolithic_sparse(void)
{
	round_trip("s.vmdk", 0, 5 * MiB + 65536);
}

void test_media_vmdk__monolithic_flat(void)
{
	round_trip("f.vmdk", MEDIA_VARIANT_FIXED, 3 * MiB);
}

void test_media_vmdk__split_sparse(void)
{
	round_trip("ss.vmdk", MEDIA_VARIANT_SPLIT2G, 4 * MiB);
}

void test_media_vmdk__split_flat(void)
{
	round_trip("sf.vmdk", MEDIA_VARIANT_SPLIT2G | MEDIA_VARIANT_FIXED,
		   2 * MiB);
}

void test_media_vmdk__esx(void)
{
	round_trip("e.vmdk", MEDIA_VARIANT_ESX | MEDIA_VARIANT_FIXED, 2 * MiB);
}

void test_media_vmdk__stream_optimized(void)
{
	round_trip("st.vmdk", MEDIA_VARIANT_STREAM, 40 * MiB + 65536);
}

void test_media_vmdk__sparse_layout(void)
{
	struct mfs *fs = mfs_mem_new();
	struct medium *m = tm_create(fs, "VMDK", "l.vmdk", 2048 * MiB, 0, NULL);
	const uint8_t *h;
	size_t len;

	media_close(m);
	h = mfs_mem_get(fs, "l.vmdk", &len);
	T_EQ_U64(le32(h), 0x564D444B);
	T_EQ_U64(le32(h + 4), 1);
	T_EQ_U64(le32(h + 8), 3);
	T_EQ_U64(le64(h + 0x0C), 4194304);
	T_EQ_U64(le64(h + 0x14), 128);
	T_EQ_U64(le64(h + 0x1C), 1);
	T_EQ_U64(le64(h + 0x24), 20);
	T_EQ_U64(le32(h + 0x2C), 512);
	T_EQ_U64(le64(h + 0x30), 21);       /* as VirtualBox: RGD at 21 */
	T_EQ_U64(le64(h + 0x38), 278);      /* GD at 278 */
	T_EQ_U64(le64(h + 0x40), 640);      /* overhead 640 sectors */
	T_EQ_MEM(h + 0x49, "\n \r\n", 4);
	T_EQ_U64(len, 640 * 512);
	T_ASSERT(!memcmp(h + 512, "# Disk DescriptorFile\n", 22));
	T_ASSERT(strstr((const char *)h + 512, "RW 4194304 SPARSE \"l.vmdk\""));
	T_ASSERT(strstr((const char *)h + 512, "createType=\"monolithicSparse\""));
	fs->ops->free(fs);
}

void test_media_vmdk__stream_layout(void)
{
	struct mfs *fs = mfs_mem_new();
	struct medium *m = tm_create(fs, "VMDK", "x.vmdk", 64 * MiB,
				     MEDIA_VARIANT_STREAM, NULL);
	uint8_t g[65536], zero[512] = { 0 };
	const uint8_t *h;
	size_t len;

	tm_pattern(g, sizeof(g), 3);
	T_OK(media_write(m, 0, g, sizeof(g)));
	T_OK(media_write(m, 40 * MiB, g, sizeof(g)));  /* second GT span */
	/* going back to a completed grain is refused */
	T_EQ_INT(media_write(m, 0, g, sizeof(g)), -EINVAL);
	media_close(m);
	h = mfs_mem_get(fs, "x.vmdk", &len);
	T_EQ_U64(le32(h + 4), 3);
	T_EQ_U64(le32(h + 8), 0x30001);
	T_EQ_U64(le64(h + 0x38), UINT64_MAX);
	T_EQ_U64(le16(h + 0x4D), 1);
	T_EQ_U64(len % 512, 0);
	T_EQ_MEM(h + len - 512, zero, 512);                 /* EOS */
	T_EQ_U64(le32(h + len - 1024), 0x564D444B);          /* footer */
	T_ASSERT(le64(h + len - 1024 + 0x38) != UINT64_MAX);
	T_EQ_U64(le32(h + len - 1536 + 12), 3);              /* footer marker */
	/* the first grain marker right after the 128-sector overhead */
	T_EQ_U64(le64(h + 128 * 512), 0);
	T_ASSERT(h[128 * 512 + 12] == 0x78);                 /* zlib header */
	T_ASSERT(strstr((const char *)h + 512, "RDONLY 131072 SPARSE \"x.vmdk\""));
	fs->ops->free(fs);
}

void test_media_vmdk__stream_is_read_only_once_closed(void)
{
	struct mfs *fs = mfs_mem_new();
	struct medium *m = tm_create(fs, "VMDK", "y.vmdk", 2 * MiB,
				     MEDIA_VARIANT_STREAM, NULL);
	struct vb_error err = { 0 };

	media_close(m);
	T_ASSERT(tm_open(fs, "y.vmdk", MEDIA_RDWR, NULL, &m, &err) < 0);
	fs->ops->free(fs);
}

void test_media_vmdk__descriptor_keeps_unknown_keys(void)
{
	static const char desc[] =
		"# Disk DescriptorFile\n"
		"version=1\n"
		"encoding=\"UTF-8\"\n"
		"CID=fffffffe\n"
		"parentCID=ffffffff\n"
		"isNativeSnapshot=\"no\"\n"
		"createType=\"monolithicFlat\"\n"
		"\n"
		"# Extent description\n"
		"RW 4096 FLAT \"d-flat.vmdk\" 0\n"
		"\n"
		"# The Disk Data Base\n"
		"#DDB\n"
		"\n"
		"ddb.adapterType = \"lsilogic\"\n"
		"ddb.longContentID = \"0123456789abcdef\"\n"
		"ddb.toolsVersion = \"2147483647\"\n";
	struct mfs *fs = mfs_mem_new();
	uint8_t flat[4096 * 512] = { 0 };
	struct vb_error err = { 0 };
	struct medium *m;
	const uint8_t *t;
	struct vb_uuid u;
	size_t len;

	T_OK(mfs_mem_put(fs, "d.vmdk", desc, sizeof(desc) - 1));
	T_OK(mfs_mem_put(fs, "d-flat.vmdk", flat, sizeof(flat)));
	m = tm_must_open(fs, "d.vmdk", MEDIA_RDONLY, NULL);
	T_EQ_INT(media_uuid(m, &u), -ENOENT);   /* VMware: no UUID */
	media_close(m);
	m = tm_must_open(fs, "d.vmdk", MEDIA_RDWR, NULL);
	vb_uuid_generate(&u);
	T_OK(media_set_uuid(m, &u, &err));
	T_OK(media_set_comment(m, "two\nlines \\ here", &err));
	media_close(m);
	t = mfs_mem_get(fs, "d.vmdk", &len);
	{
		char *s = strndup((const char *)t, len);

		T_ASSERT(strstr(s, "encoding=\"UTF-8\"\n"));
		T_ASSERT(strstr(s, "isNativeSnapshot=\"no\"\n"));
		T_ASSERT(strstr(s, "ddb.longContentID = \"0123456789abcdef\"\n"));
		T_ASSERT(strstr(s, "ddb.adapterType = \"lsilogic\"\n"));
		T_ASSERT(strstr(s, "ddb.comment=\"two\\nlines \\\\ here\"\n"));
		T_ASSERT(strstr(s, "# The Disk Data Base\n#DDB\n"));
		free(s);
	}
	m = tm_must_open(fs, "d.vmdk", MEDIA_RDONLY, NULL);
	T_EQ_STR(media_comment(m), "two\nlines \\ here");
	{
		struct vb_uuid u2;

		T_OK(media_uuid(m, &u2));
		T_ASSERT(vb_uuid_eq(&u, &u2));
	}
	media_close(m);
	fs->ops->free(fs);
}

void test_media_vmdk__differencing_chain(void)
{
	struct mfs *fs = mfs_mem_new();
	struct medium *base = tm_create(fs, "VMDK", "b.vmdk", 2 * MiB, 0, NULL);
	struct medium *m;
	uint8_t a[65536], b[1000], buf[65536];
	size_t blen, len;
	uint8_t *before;

	tm_pattern(a, sizeof(a), 2);
	T_OK(media_write(base, 65536, a, sizeof(a)));
	T_OK(media_flush(base));
	m = tm_create(fs, "VMDK", "c.vmdk", 0, 0, base);
	T_ASSERT(media_variant(m) & MEDIA_VARIANT_DIFF);
	media_close(m);
	media_close(base);
	before = tm_snapshot(fs, "b.vmdk", &blen);
	m = tm_must_open(fs, "c.vmdk", MEDIA_RDWR, "b.vmdk");
	tm_pattern(b, sizeof(b), 5);
	T_OK(media_write(m, 65536 + 100, b, sizeof(b)));
	T_OK(media_read(m, 65536, buf, sizeof(buf)));
	T_EQ_MEM(buf, a, 100);
	T_EQ_MEM(buf + 100, b, sizeof(b));
	T_EQ_MEM(buf + 1100, a + 1100, sizeof(buf) - 1100);
	media_close(m);
	T_EQ_MEM(mfs_mem_get(fs, "b.vmdk", &len), before, blen);
	T_EQ_U64(len, blen);
	free(before);
	fs->ops->free(fs);
}

void test_media_vmdk__resize_sparse(void)
{
	struct mfs *fs = mfs_mem_new();
	struct medium *m = tm_create(fs, "VMDK", "r.vmdk", 2 * MiB, 0, NULL);
	struct vb_error err = { 0 };
	uint8_t a[65536], buf[65536];
	uint64_t big = 100ull << 30;   /* the GD outgrows its sector */

	tm_pattern(a, sizeof(a), 9);
	T_OK(media_write(m, 0, a, sizeof(a)));
	T_OK(media_resize(m, big, NULL, NULL, &err));
	T_OK(media_write(m, big - 65536, a, sizeof(a)));
	media_close(m);
	m = tm_must_open(fs, "r.vmdk", MEDIA_RDONLY, NULL);
	T_EQ_U64(media_size(m), big);
	T_OK(media_read(m, 0, buf, sizeof(buf)));
	T_EQ_MEM(buf, a, sizeof(buf));
	T_OK(media_read(m, big - 65536, buf, sizeof(buf)));
	T_EQ_MEM(buf, a, sizeof(buf));
	media_close(m);
	fs->ops->free(fs);
}

void test_media_vmdk__move_renames_extents(void)
{
	struct mfs *fs = mfs_mem_new();
	struct medium *m = tm_create(fs, "VMDK", "/v/a.vmdk", 1 * MiB,
				     MEDIA_VARIANT_FIXED, NULL);
	struct vb_error err = { 0 };
	const uint8_t *t;
	size_t len;

	T_OK(media_move(m, "/v/b.vmdk", &err));
	media_close(m);
	T_ASSERT(mfs_mem_get(fs, "/v/b-flat.vmdk", &len) != NULL);
	T_ASSERT(mfs_mem_get(fs, "/v/a-flat.vmdk", &len) == NULL);
	t = mfs_mem_get(fs, "/v/b.vmdk", &len);
	T_ASSERT(memmem(t, len, "\"b-flat.vmdk\"", 13) != NULL);
	m = tm_must_open(fs, "/v/b.vmdk", MEDIA_RDONLY, NULL);
	media_close(m);
	fs->ops->free(fs);
}

/* ---- corrupted images ---- */

static uint8_t *good_sparse(size_t *len, unsigned variant)
{
	struct mfs *fs = mfs_mem_new();
	struct medium *m = tm_create(fs, "VMDK", "g.vmdk", 2 * MiB, variant,
				     NULL);
	uint8_t a[65536];
	uint8_t *c;

	tm_pattern(a, sizeof(a), 1);
	T_OK(media_write(m, 0, a, sizeof(a)));
	media_close(m);
	c = tm_snapshot(fs, "g.vmdk", len);
	fs->ops->free(fs);
	return c;
}

static void corrupt(void (*mut)(uint8_t *h, size_t *len), unsigned variant,
		    const char *why)
{
	size_t len;
	uint8_t *h = good_sparse(&len, variant);

	mut(h, &len);
	tm_expect_refused("VMDK", "bad.vmdk", h, len, why);
}

static void m_magic(uint8_t *h, size_t *l) { put_le32(h, 0x564D4440); }
static void m_version(uint8_t *h, size_t *l) { put_le32(h + 4, 9); }
static void m_grain(uint8_t *h, size_t *l) { put_le64(h + 0x14, 100); }
static void m_grain_huge(uint8_t *h, size_t *l) { put_le64(h + 0x14, 1ull << 30); }
static void m_gtes(uint8_t *h, size_t *l) { put_le32(h + 0x2C, 100); }
static void m_capacity(uint8_t *h, size_t *l) { put_le64(h + 0x0C, 0); }
static void m_capacity_small(uint8_t *h, size_t *l) { put_le64(h + 0x0C, 128); }
static void m_gd(uint8_t *h, size_t *l) { put_le64(h + 0x38, 1ull << 40); }
static void m_rgd(uint8_t *h, size_t *l) { put_le64(h + 0x30, 1ull << 40); }
static void m_crlf(uint8_t *h, size_t *l) { h[0x4B] = '\n'; }
static void m_compress(uint8_t *h, size_t *l) { put_le32(h + 8, 0x10001); put_le16(h + 0x4D, 7); }
static void m_desc_off(uint8_t *h, size_t *l) { put_le64(h + 0x1C, 1ull << 40); }
static void m_desc_size(uint8_t *h, size_t *l) { put_le64(h + 0x24, 1ull << 40); }
static void m_desc_version(uint8_t *h, size_t *l) { memcpy(strstr((char *)h + 512, "version=1"), "version=7", 9); }
static void m_desc_extent(uint8_t *h, size_t *l) { memcpy(strstr((char *)h + 512, "RW "), "XX ", 3); }
static void m_desc_order(uint8_t *h, size_t *l) { memcpy(strstr((char *)h + 512, "createType"), "ddb.ctType", 10); }
static void m_stream_footer(uint8_t *h, size_t *l) { memset(h + *l - 1024, 0, 4); }

void test_media_vmdk__corrupt_magic(void) { corrupt(m_magic, 0, "magic"); }
void test_media_vmdk__corrupt_version(void) { corrupt(m_version, 0, "version"); }
void test_media_vmdk__corrupt_grain(void) { corrupt(m_grain, 0, "grain"); }
void test_media_vmdk__corrupt_grain_huge(void) { corrupt(m_grain_huge, 0, "grain huge"); }
void test_media_vmdk__corrupt_gtes(void) { corrupt(m_gtes, 0, "gtes"); }
void test_media_vmdk__corrupt_capacity(void) { corrupt(m_capacity, 0, "capacity"); }
void test_media_vmdk__corrupt_capacity_small(void) { corrupt(m_capacity_small, 0, "capacity < extent"); }
void test_media_vmdk__corrupt_gd_offset(void) { corrupt(m_gd, 0, "gd"); }
void test_media_vmdk__corrupt_rgd_offset(void) { corrupt(m_rgd, 0, "rgd"); }
void test_media_vmdk__corrupt_crlf_check(void) { corrupt(m_crlf, 0, "crlf"); }
void test_media_vmdk__corrupt_compression(void) { corrupt(m_compress, 0, "compression"); }
void test_media_vmdk__corrupt_desc_offset(void) { corrupt(m_desc_off, 0, "desc offset"); }
void test_media_vmdk__corrupt_desc_size(void) { corrupt(m_desc_size, 0, "desc size"); }
void test_media_vmdk__corrupt_desc_version(void) { corrupt(m_desc_version, 0, "desc version"); }
void test_media_vmdk__corrupt_desc_extent(void) { corrupt(m_desc_extent, 0, "desc extent"); }
void test_media_vmdk__corrupt_desc_order(void) { corrupt(m_desc_order, 0, "desc order"); }
void test_media_vmdk__corrupt_stream_footer(void)
{
	corrupt(m_stream_footer, MEDIA_VARIANT_STREAM, "stream footer");
}

static int read_all(uint8_t *img, size_t len)
{
	struct mfs *fs = mfs_mem_new();
	struct medium *m;
	struct vb_error err = { 0 };
	uint8_t *buf = malloc(2 * MiB);
	int rc;

	T_OK(mfs_mem_put(fs, "r.vmdk", img, len));
	T_OK(tm_open(fs, "r.vmdk", MEDIA_RDONLY, NULL, &m, &err));
	rc = media_read(m, 0, buf, 2 * MiB);
	media_close(m);
	free(buf);
	free(img);
	fs->ops->free(fs);
	return rc;
}

void test_media_vmdk__gte_past_eof_reads_error(void)
{
	size_t len;
	uint8_t *h = good_sparse(&len, 0);
	uint64_t gd = le64(h + 0x38);
	uint32_t gt = le32(h + gd * 512);

	put_le32(h + (uint64_t)gt * 512, 0x7fffff00);
	T_ASSERT(read_all(h, len) < 0);
}

void test_media_vmdk__stream_marker_lba_mismatch(void)
{
	size_t len;
	uint8_t *h = good_sparse(&len, MEDIA_VARIANT_STREAM);

	put_le64(h + 128 * 512, 999);      /* first grain claims LBA 999 */
	T_ASSERT(read_all(h, len) < 0);
}

void test_media_vmdk__stream_garbage_deflate(void)
{
	size_t len;
	uint8_t *h = good_sparse(&len, MEDIA_VARIANT_STREAM);

	memset(h + 128 * 512 + 12, 0x5a, 64);
	T_ASSERT(read_all(h, len) < 0);
}

void test_media_vmdk__desc_parser_limits(void)
{
	struct vmdk_desc d;
	char why[200];
	struct strbuf sb = STRBUF_INIT;
	int i;

	sb_adds(&sb, "# Disk DescriptorFile\nversion=1\nRW 8 ZERO\n");
	for (i = 0; i < 1200; i++)
		sb_adds(&sb, "ddb.x = \"y\"\n");
	T_ASSERT(vmdk_desc_parse(&d, sb_str(&sb), sb.len, why, sizeof(why)) < 0);
	sb_release(&sb);
	T_ASSERT(vmdk_desc_parse(&d, "version=1\nRW 0 ZERO\n", 20, why,
				 sizeof(why)) < 0);
	T_ASSERT(vmdk_desc_parse(&d, "version=1\nRW 8 SESPARSE \"x\"\n", 28,
				 why, sizeof(why)) < 0);
	T_OK(vmdk_desc_parse(&d, "version=1\r\nRW 8 ZERO\r\n", 22, why,
			     sizeof(why)));
	T_EQ_INT(d.next, 1);
	T_EQ_U64(d.ext[0].sectors, 8);
	vmdk_desc_release(&d);
}

/* ---- injected I/O errors ---- */

static int scenario(struct mfs *fs, unsigned variant)
{
	struct media_create_opts o = {
		.format = "VMDK", .size = 3 * MiB, .fs = fs, .variant = variant,
	};
	struct medium *m;
	uint8_t w[70000];
	int rc;

	rc = media_create("e.vmdk", &o, &m, NULL);
	if (rc)
		return rc;
	tm_pattern(w, sizeof(w), 4);
	rc = media_write(m, 65536 - 5, w, sizeof(w));
	if (!rc)
		rc = media_write(m, 2 * MiB + 17, w, 1000);
	if (!rc)
		rc = media_flush(m);
	media_close(m);
	return rc;
}

static void errors_everywhere(unsigned variant)
{
	struct mfs *fs = mfs_mem_new();
	long n, total;

	T_OK(scenario(fs, variant));
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
			rc = scenario(fs, variant);
			mfs_mem_fail_after(fs, -1, false);
			o.fs = fs;
			if (media_open_ex("e.vmdk", &o, &m, NULL) == 0) {
				if (rc == 0) {
					tm_pattern(w, sizeof(w), 4);
					T_OK(media_read(m, 2 * MiB + 17, buf,
							sizeof(buf)));
					T_EQ_MEM(buf, w, sizeof(buf));
				} else {
					media_read(m, 0, buf, sizeof(buf));
				}
				media_close(m);
			}
			fs->ops->free(fs);
		}
	}
}

void test_media_vmdk__io_errors_sparse(void)
{
	errors_everywhere(0);
}

void test_media_vmdk__io_errors_split_flat(void)
{
	errors_everywhere(MEDIA_VARIANT_SPLIT2G | MEDIA_VARIANT_FIXED);
}

void test_media_vmdk__io_errors_stream(void)
{
	struct mfs *fs = mfs_mem_new();
	struct media_create_opts o = {
		.format = "VMDK", .size = 3 * MiB, .fs = fs,
		.variant = MEDIA_VARIANT_STREAM,
	};
	long n, total;
	struct medium *m;
	uint8_t w[65536];

	tm_pattern(w, sizeof(w), 7);
	T_OK(media_create("s.vmdk", &o, &m, NULL));
	T_OK(media_write(m, 0, w, sizeof(w)));
	T_OK(media_flush(m));
	media_close(m);
	total = mfs_mem_op_count(fs);
	fs->ops->free(fs);
	for (n = 0; n < total; n++) {
		struct media_open_opts ro = { .flags = MEDIA_RDONLY };
		uint8_t buf[65536];
		int rc;

		fs = mfs_mem_new();
		o.fs = fs;
		ro.fs = fs;
		mfs_mem_fail_after(fs, n, true);
		rc = media_create("s.vmdk", &o, &m, NULL);
		if (!rc) {
			rc = media_write(m, 0, w, sizeof(w));
			if (!rc)
				rc = media_flush(m);
			media_close(m);
		}
		mfs_mem_fail_after(fs, -1, false);
		/* an image that was acknowledged reads back right */
		if (!rc && media_open_ex("s.vmdk", &ro, &m, NULL) == 0) {
			T_OK(media_read(m, 0, buf, sizeof(buf)));
			T_EQ_MEM(buf, w, sizeof(buf));
			media_close(m);
		}
		fs->ops->free(fs);
	}
}

void test_media_vmdk__vmware_disk_gains_a_uuid_when_written(void)
{
	static const char desc[] =
		"# Disk DescriptorFile\nversion=1\nCID=fffffffe\n"
		"parentCID=ffffffff\ncreateType=\"monolithicFlat\"\n"
		"RW 128 FLAT \"w-flat.vmdk\" 0\n";
	struct mfs *fs = mfs_mem_new();
	uint8_t flat[128 * 512] = { 0 }, b[512] = { 1 };
	struct medium *m;
	struct vb_uuid u;
	const uint8_t *t;
	size_t len;

	T_OK(mfs_mem_put(fs, "w.vmdk", desc, sizeof(desc) - 1));
	T_OK(mfs_mem_put(fs, "w-flat.vmdk", flat, sizeof(flat)));
	m = tm_must_open(fs, "w.vmdk", MEDIA_RDWR, NULL);
	T_EQ_INT(media_uuid(m, &u), -ENOENT);
	T_OK(media_write(m, 0, b, sizeof(b)));
	media_close(m);
	t = mfs_mem_get(fs, "w.vmdk", &len);
	T_ASSERT(memmem(t, len, "ddb.uuid.image=\"", 16) != NULL);
	T_ASSERT(memmem(t, len, "ddb.uuid.image=\"00000000-", 25) == NULL);
	m = tm_must_open(fs, "w.vmdk", MEDIA_RDONLY, NULL);
	T_OK(media_uuid(m, &u));
	T_ASSERT(!vb_uuid_is_zero(&u));
	media_close(m);
	fs->ops->free(fs);
}
