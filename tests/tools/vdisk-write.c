/*
 * vdisk-write IMAGE|UUID OFFSET LENGTH BYTE
 *
 * Test helper standing in for a guest: writes LENGTH bytes of value BYTE
 * at OFFSET of a disk image through lib/media, finding the parents of
 * differencing images through the media registries of $VBOX_USER_HOME
 * (as a running machine would).  Numbers may be decimal or 0x-hex; BYTE
 * may also be "seq" for a pattern that differs in every 512-byte sector
 * (sector number in its first 8 bytes).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/media/media.h"
#include "lib/settings/mediareg.h"
#include "lib/util/strbuf.h"

static int resolve(void *ctx, const struct vb_uuid *u, char **path)
{
	struct vbox *vb = ctx;
	struct mediareg_entry e;
	struct machine *loaded = NULL;
	char ub[40];
	int rc;

	rc = mediareg_find(vb, NULL, MR_HDD, vb_uuid_fmt(u, ub), &e, &loaded,
			   NULL);
	if (rc)
		return rc;
	*path = strdup(e.location);
	mediareg_entry_release(&e);
	machine_free(loaded);
	return *path ? 0 : -ENOMEM;
}

int main(int argc, char **argv)
{
	struct vb_error err = { 0 };
	struct vbox *vb = NULL;
	struct medium *m = NULL;
	unsigned long long off, len, val = 0, i;
	bool seq;
	uint8_t *buf;
	int rc;

	if (argc != 5 || vb_parse_u64(argv[2], &off) ||
	    vb_parse_u64(argv[3], &len)) {
		fprintf(stderr, "usage: vdisk-write IMAGE OFFSET LENGTH BYTE|seq\n");
		return 2;
	}
	seq = !strcmp(argv[4], "seq");
	if (!seq && (vb_parse_u64(argv[4], &val) || val > 255)) {
		fprintf(stderr, "vdisk-write: bad byte '%s'\n", argv[4]);
		return 2;
	}
	if (len > (256ull << 20)) {
		fprintf(stderr, "vdisk-write: at most 256 MiB at once\n");
		return 2;
	}
	buf = malloc(len ? len : 1);
	if (!buf)
		return 1;
	memset(buf, (int)val, len);
	if (seq)
		for (i = 0; i + 8 <= len; i += 512) {
			unsigned long long s = (off + i) / 512 + 1;

			memcpy(buf + i, &s, 8);
		}
	if (vbox_open(&vb, &err)) {
		fprintf(stderr, "vdisk-write: %s\n", err.msg);
		return 1;
	}
	{
		/* a UUID names a registered image */
		struct vb_uuid u;
		char *path = NULL;

		if (!vb_uuid_parse(argv[1], &u) && resolve(vb, &u, &path)) {
			fprintf(stderr, "vdisk-write: no image %s\n", argv[1]);
			return 1;
		}
		rc = media_open(path ? path : argv[1], MEDIA_RDWR, resolve,
				vb, &m, &err);
		free(path);
	}
	if (!rc)
		rc = media_write(m, off, buf, len);
	if (!rc)
		rc = media_flush(m);
	if (m)
		media_close(m);
	vbox_free(vb);
	free(buf);
	if (rc) {
		fprintf(stderr, "vdisk-write: %s: %s\n", argv[1],
			err.msg[0] ? err.msg : strerror(-rc));
		return 1;
	}
	return 0;
}
