/*
 * RAW and ISO images through the public API: sizes, unaligned I/O,
 * ISO 9660 / UDF recognition by content, I/O error propagation.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "harness.h"
#include "lib/media/media-int.h"

static struct medium *open_mem(struct mfs *fs, const char *name, unsigned fl)
{
	struct media_open_opts o = { .flags = fl, .fs = fs };
	struct vb_error err = { 0 };
	struct medium *m = NULL;
	int rc = media_open_ex(name, &o, &m, &err);

	if (rc)
		t_fail(__FILE__, __LINE__, "open %s: %d %s", name, rc, err.msg);
	return m;
}

static void fill_pattern(uint8_t *p, size_t n, unsigned seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 31 + seed + (i >> 9));
}

void test_media_raw__read_write_unaligned(void)
{
	struct mfs *fs = mfs_mem_new();
	uint8_t img[8192], buf[8192], w[700];
	struct medium *m;

	fill_pattern(img, sizeof(img), 1);
	T_OK(mfs_mem_put(fs, "d.img", img, sizeof(img)));
	m = open_mem(fs, "d.img", MEDIA_RDWR);
	T_EQ_STR(media_format(m), "RAW");
	T_EQ_U64(media_size(m), 8192);
	T_ASSERT(!media_is_iso(m));
	T_OK(media_read(m, 3, buf, 1000));
	T_EQ_MEM(buf, img + 3, 1000);
	fill_pattern(w, sizeof(w), 7);
	T_OK(media_write(m, 511, w, sizeof(w)));
	memcpy(img + 511, w, sizeof(w));
	T_OK(media_read(m, 0, buf, sizeof(buf)));
	T_EQ_MEM(buf, img, sizeof(img));
	T_EQ_INT(media_read(m, 8000, buf, 200), -EINVAL);
	T_EQ_INT(media_write(m, UINT64_MAX - 10, w, 20), -EINVAL);
	T_OK(media_flush(m));
	media_close(m);
	fs->ops->free(fs);
}

void test_media_raw__odd_size_tail(void)
{
	struct mfs *fs = mfs_mem_new();
	uint8_t img[1000], buf[1000];
	struct medium *m;
	size_t len;

	fill_pattern(img, sizeof(img), 3);
	T_OK(mfs_mem_put(fs, "odd", img, sizeof(img)));
	m = open_mem(fs, "odd", MEDIA_RDWR);
	T_EQ_U64(media_size(m), 1000);
	T_OK(media_read(m, 900, buf, 100));
	T_EQ_MEM(buf, img + 900, 100);
	T_OK(media_write(m, 990, "0123456789", 10));
	media_close(m);
	T_ASSERT(mfs_mem_get(fs, "odd", &len) != NULL);
	T_EQ_INT(len, 1000);
	T_EQ_MEM(mfs_mem_get(fs, "odd", &len) + 990, "0123456789", 10);
	fs->ops->free(fs);
}

void test_media_raw__readonly_refuses_writes(void)
{
	struct mfs *fs = mfs_mem_new();
	uint8_t img[1024] = { 0 };
	struct medium *m;

	T_OK(mfs_mem_put(fs, "ro", img, sizeof(img)));
	m = open_mem(fs, "ro", MEDIA_RDONLY);
	T_EQ_INT(media_write(m, 0, img, 512), -EROFS);
	media_close(m);
	fs->ops->free(fs);
}

void test_media_raw__io_error_propagates(void)
{
	struct mfs *fs = mfs_mem_new();
	uint8_t img[4096] = { 0 }, buf[512];
	struct medium *m;

	T_OK(mfs_mem_put(fs, "e", img, sizeof(img)));
	m = open_mem(fs, "e", MEDIA_RDWR);
	mfs_mem_fail_after(fs, 0, false);
	T_EQ_INT(media_read(m, 0, buf, 512), -EIO);
	T_OK(media_read(m, 0, buf, 512));
	mfs_mem_fail_after(fs, 0, true);
	T_EQ_INT(media_write(m, 0, buf, 512), -EIO);
	T_EQ_INT(media_flush(m), -EIO);
	mfs_mem_fail_after(fs, -1, false);
	media_close(m);
	fs->ops->free(fs);
}

void test_media_raw__missing_file(void)
{
	struct mfs *fs = mfs_mem_new();
	struct media_open_opts o = { .flags = MEDIA_RDONLY, .fs = fs };
	struct vb_error err = { 0 };
	struct medium *m;

	T_EQ_INT(media_open_ex("nope", &o, &m, &err), -ENOENT);
	T_EQ_U64(err.hrc, VBOX_E_FILE_ERROR);
	fs->ops->free(fs);
}

/* A minimal ISO 9660 volume descriptor set. */
static uint8_t *make_iso(size_t sectors, int primary, int terminator)
{
	uint8_t *p = calloc(sectors, 2048);

	if (primary) {
		p[16 * 2048] = 1;
		memcpy(p + 16 * 2048 + 1, "CD001", 5);
		p[16 * 2048 + 6] = 1;
	}
	if (terminator) {
		p[17 * 2048] = 255;
		memcpy(p + 17 * 2048 + 1, "CD001", 5);
		p[17 * 2048 + 6] = 1;
	}
	return p;
}

void test_media_iso__detected_by_content(void)
{
	struct mfs *fs = mfs_mem_new();
	uint8_t *iso = make_iso(40, 1, 1);
	struct medium *m;

	T_OK(mfs_mem_put(fs, "cd.bin", iso, 40 * 2048));
	m = open_mem(fs, "cd.bin", MEDIA_RDONLY);
	T_ASSERT(media_is_iso(m));
	T_EQ_STR(media_format(m), "RAW");
	T_EQ_U64(media_size(m), 40 * 2048);
	T_EQ_INT(media_uuid(m, &(struct vb_uuid){ { 0 } }), -ENOENT);
	media_close(m);
	free(iso);
	fs->ops->free(fs);
}

void test_media_iso__rejects_incomplete_sets(void)
{
	struct mfs *fs = mfs_mem_new();
	uint8_t *a = make_iso(40, 1, 0), *b = make_iso(40, 0, 1);
	uint8_t *c = make_iso(40, 1, 1);
	struct medium *m;

	T_OK(mfs_mem_put(fs, "a", a, 40 * 2048));
	T_OK(mfs_mem_put(fs, "b", b, 40 * 2048));
	/* a complete set but a size that is no multiple of 2048 */
	T_OK(mfs_mem_put(fs, "c", c, 40 * 2048 - 512));
	m = open_mem(fs, "a", MEDIA_RDONLY);
	T_ASSERT(!media_is_iso(m));
	media_close(m);
	m = open_mem(fs, "b", MEDIA_RDONLY);
	T_ASSERT(!media_is_iso(m));
	media_close(m);
	m = open_mem(fs, "c", MEDIA_RDONLY);
	T_ASSERT(!media_is_iso(m));
	media_close(m);
	free(a);
	free(b);
	free(c);
	fs->ops->free(fs);
}

void test_media_iso__udf_sequence(void)
{
	struct mfs *fs = mfs_mem_new();
	uint8_t *p = calloc(40, 2048);
	struct medium *m;

	memcpy(p + 16 * 2048 + 1, "BEA01", 5);
	memcpy(p + 17 * 2048 + 1, "NSR03", 5);
	memcpy(p + 18 * 2048 + 1, "TEA01", 5);
	T_OK(mfs_mem_put(fs, "u", p, 40 * 2048));
	m = open_mem(fs, "u", MEDIA_RDONLY);
	T_ASSERT(media_is_iso(m));
	media_close(m);
	free(p);
	fs->ops->free(fs);
}

void test_media_raw__posix_file(void)
{
	char path[512];
	uint8_t data[4096], buf[4096];
	struct medium *m;
	struct vb_error err = { 0 };
	int fd;

	snprintf(path, sizeof(path), "%s/x.img", t_tmpdir());
	fill_pattern(data, sizeof(data), 9);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	T_ASSERT(fd >= 0);
	T_EQ_INT(write(fd, data, sizeof(data)), (int)sizeof(data));
	close(fd);
	T_OK(media_open(path, MEDIA_RDONLY, NULL, NULL, &m, &err));
	T_EQ_U64(media_size(m), sizeof(data));
	T_OK(media_read(m, 100, buf, 3000));
	T_EQ_MEM(buf, data + 100, 3000);
	media_close(m);
}
