/*
 * Shared body of the image fuzzers: open the input as an image of one
 * format from an in-memory file system, read across it, then write,
 * flush and reopen, all with bounded work whatever the header claims.
 */
#ifndef FUZZ_MEDIA_COMMON_H
#define FUZZ_MEDIA_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/media/media-int.h"

static void fz_read_around(struct medium *m)
{
	static uint8_t buf[65536];
	uint64_t size = media_size(m), offs[4];
	unsigned i;

	offs[0] = 0;
	offs[1] = size / 2;
	offs[2] = size > sizeof(buf) ? size - sizeof(buf) : 0;
	offs[3] = size > 3 ? size / 3 + 7 : 0;
	for (i = 0; i < 4; i++) {
		size_t n = sizeof(buf);

		if (offs[i] >= size)
			continue;
		if (size - offs[i] < n)
			n = (size_t)(size - offs[i]);
		media_read(m, offs[i], buf, n);
	}
}

static void fz_write_around(struct medium *m)
{
	static uint8_t buf[70000];
	uint64_t size = media_size(m);

	memset(buf, 0xA5, sizeof(buf));
	if (size > sizeof(buf) + 600) {
		media_write(m, 511, buf, sizeof(buf));
		media_write(m, size / 2, buf, 4096);
	}
	media_flush(m);
}

/* name: file name in the memory fs; extra files may already be there. */
static void fz_image(struct mfs *fs, const char *format, const char *name,
		     const uint8_t *data, size_t size)
{
	struct media_open_opts o = {
		.flags = MEDIA_RDONLY | MEDIA_NO_PARENT,
		.format = format,
		.fs = fs,
	};
	struct medium *m;

	if (mfs_mem_put(fs, name, data, size))
		return;
	if (media_open_ex(name, &o, &m, NULL) == 0) {
		fz_read_around(m);
		free(media_dump(m));
		media_close(m);
	}
	o.flags = MEDIA_RDWR | MEDIA_NO_PARENT;
	/* a full disk keeps hostile writes small */
	mfs_mem_set_limit(fs, size + (64u << 20));
	if (media_open_ex(name, &o, &m, NULL) == 0) {
		fz_write_around(m);
		media_close(m);
		o.flags = MEDIA_RDONLY | MEDIA_NO_PARENT;
		if (media_open_ex(name, &o, &m, NULL) == 0) {
			fz_read_around(m);
			media_close(m);
		}
	}
}

#endif
