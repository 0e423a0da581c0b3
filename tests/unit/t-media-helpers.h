/*
 * Shared helpers of the lib/media unit tests: images in an in-memory file
 * system, a parent resolver by name, deterministic data patterns.
 */
#ifndef T_MEDIA_HELPERS_H
#define T_MEDIA_HELPERS_H

#include <errno.h>

#include "harness.h"
#include "lib/media/media-int.h"

#define MiB (1024ull * 1024)

static inline struct medium *tm_create(struct mfs *fs, const char *fmt,
				       const char *name, uint64_t size,
				       unsigned variant, struct medium *parent)
{
	struct media_create_opts o = {
		.format = fmt, .variant = variant, .size = size,
		.parent = parent, .fs = fs,
	};
	struct vb_error err = { 0 };
	struct medium *m = NULL;

	if (media_create(name, &o, &m, &err))
		t_fail(__FILE__, __LINE__, "create %s: %s", name, err.msg);
	return m;
}

static inline int tm_resolve_name(void *ctx, const struct vb_uuid *u,
				  char **path)
{
	*path = strdup(ctx);
	return *path ? 0 : -ENOMEM;
}

static inline int tm_open(struct mfs *fs, const char *name, unsigned fl,
			  const char *parent, struct medium **m,
			  struct vb_error *err)
{
	struct media_open_opts o = {
		.flags = fl, .fs = fs,
		.resolve = parent ? tm_resolve_name : NULL,
		.ctx = (void *)parent,
	};

	return media_open_ex(name, &o, m, err);
}

static inline struct medium *tm_must_open(struct mfs *fs, const char *name,
					  unsigned fl, const char *parent)
{
	struct vb_error err = { 0 };
	struct medium *m = NULL;

	if (tm_open(fs, name, fl, parent, &m, &err))
		t_fail(__FILE__, __LINE__, "open %s: %s", name, err.msg);
	return m;
}

static inline void tm_pattern(uint8_t *p, size_t n, unsigned seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)((i >> 3) * 7 + seed * 13 + 1);
}

/* A copy of an in-memory file (caller frees). */
static inline uint8_t *tm_snapshot(struct mfs *fs, const char *name,
				   size_t *len)
{
	const uint8_t *p = mfs_mem_get(fs, name, len);
	uint8_t *c;

	if (!p)
		t_fail(__FILE__, __LINE__, "no file %s", name);
	c = malloc(*len ? *len : 1);
	memcpy(c, p, *len);
	return c;
}

/* Open a corrupted image: must be refused (or not be taken for fmt). */
static inline void tm_expect_refused(const char *fmt, const char *name,
				     uint8_t *img, size_t len, const char *why)
{
	struct mfs *fs = mfs_mem_new();
	struct vb_error err = { 0 };
	struct medium *m = NULL;
	int rc;

	if (mfs_mem_put(fs, name, img, len))
		t_fail(__FILE__, __LINE__, "out of memory");
	rc = tm_open(fs, name, MEDIA_RDONLY | MEDIA_NO_PARENT, NULL, &m, &err);
	if (rc == 0) {
		if (strcmp(media_format(m), fmt))
			rc = -EINVAL;
		media_close(m);
	}
	if (rc == 0)
		t_fail(__FILE__, __LINE__, "corrupt %s accepted", why);
	free(img);
	fs->ops->free(fs);
}

#endif
