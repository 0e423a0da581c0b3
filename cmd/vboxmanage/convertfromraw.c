/*
 * convertfromraw (convertdd): turn a raw disk image (a file, or stdin with
 * a byte count) into a VDI, VMDK or VHD image.  Like VirtualBox's handler
 * this works on the image directly and does not register the result.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/vboxmanage/commands.h"
#include "cmd/vboxmanage/medium.h"
#include "lib/util/strbuf.h"

#define CHUNK (1u << 20)

/* Read up to len bytes (stdin may return short reads); 0 at EOF. */
static ssize_t read_full(int fd, uint8_t *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, buf + done, len - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

int cmd_convertfromraw(struct vbm_ctx *ctx, int argc, char **argv)
{
	static const struct vb_option opts[] = {
		{ "--format", 'o', VBGO_STRING },
		{ "-format", 'o', VBGO_STRING },
		{ "--static", 'F', VBGO_NOVAL },
		{ "-static", 'F', VBGO_NOVAL },
		{ "--variant", 'm', VBGO_STRING },
		{ "-variant", 'm', VBGO_STRING },
		{ "--uuid", 'u', VBGO_STRING },
	};
	struct vb_getopt g;
	const char *format = "VDI", *src = NULL, *dst = NULL, *filesize = NULL;
	unsigned variant = 0;
	struct vb_uuid uuid;
	bool have_uuid = false, from_stdin = false;
	struct medium *m = NULL;
	struct vb_error err = { 0 };
	uint8_t *buf = NULL;
	uint64_t size = 0, off = 0;
	char *comment = NULL;
	int fd = -1, c, rc = VBM_FAIL;

	vb_getopt_init(&g, argc, argv, 1, opts, VB_ARRAY_SIZE(opts));
	while ((c = vb_getopt_next(&g)) != VBGO_END) {
		switch (c) {
		case 'u':
			if (vb_uuid_parse(g.v.str, &uuid))
				return vbm_syntax(ctx, "Invalid UUID '%s'", g.v.str);
			have_uuid = true;
			break;
		case 'o':
			format = g.v.str;
			break;
		case 'F':
			variant |= MEDIA_VARIANT_FIXED;
			break;
		case 'm':
			variant = 0;
			if (vbm_variant_parse(g.v.str, &variant)) {
				vbm_error("Invalid medium variant '%s'", g.v.str);
				return VBM_FAIL;
			}
			break;
		case VBGO_NOT_OPTION:
			if (!src) {
				src = g.v.str;
				from_stdin = !strcmp(src, "stdin");
				if (from_stdin)
					vbm_set_subcommand(ctx, "stdin");
			} else if (!dst) {
				dst = g.v.str;
			} else if (from_stdin && !filesize) {
				filesize = g.v.str;
			} else {
				return vbm_syntax(ctx, "Invalid parameter '%s'",
						  g.v.str);
			}
			break;
		default:
			return vbm_getopt_error(ctx, &g, c);
		}
	}
	if (!src || !dst || (from_stdin && !filesize))
		return vbm_syntax(ctx, "Incorrect number of parameters");
	fprintf(stderr, "Converting from raw image file=\"%s\" to file=\"%s\"...\n",
		src, dst);
	if (from_stdin) {
		unsigned long long v = 0;

		fd = STDIN_FILENO;
		/* RTStrToUInt64: leading digits, 0 when there are none */
		for (const char *p = filesize; *p >= '0' && *p <= '9'; p++)
			v = v * 10 + (unsigned)(*p - '0');
		size = v;
	} else {
		struct stat st;

		fd = open(src, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			vbm_error("Cannot open file \"%s\": %s", src,
				  media_vbox_status(-errno));
			goto out;
		}
		if (fstat(fd, &st)) {
			vbm_error("Cannot get image size for file \"%s\": %s",
				  src, media_vbox_status(-errno));
			goto out;
		}
		size = (uint64_t)st.st_size;
		posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	}
	fprintf(stderr, "Creating %s image with size %llu bytes (%lluMB)...\n",
		(variant & MEDIA_VARIANT_FIXED) ? "fixed" : "dynamic",
		(unsigned long long)size,
		(unsigned long long)((size + CHUNK - 1) / CHUNK));
	comment = vb_asprintf("Converted image from %s", src);
	{
		struct media_create_opts o = {
			.format = media_format_name(format),
			.variant = variant,
			.size = size,
			.uuid = have_uuid ? &uuid : NULL,
			.comment = comment,
		};

		o.pchs.cylinders = (uint32_t)VB_MIN(size / 512 / 16 / 63, 16383u);
		o.pchs.heads = 16;
		o.pchs.sectors = 63;
		if (!o.format) {
			vbm_error("Cannot create the disk image \"%s\": VERR_VD_INVALID_BACKEND",
				  dst);
			goto out;
		}
		if (media_create(dst, &o, &m, &err)) {
			vbm_error("%s", err.msg);
			vbm_error("Cannot create the disk image \"%s\": %s", dst,
				  media_vbox_status(-err.errnum));
			goto out;
		}
	}
	buf = aligned_alloc(4096, CHUNK);
	if (!buf) {
		vbm_error("Out of memory allocating buffers for image \"%s\": VERR_NO_MEMORY",
			  dst);
		goto fail_image;
	}
	while (off < size) {
		size_t want = (size_t)VB_MIN((uint64_t)CHUNK, size - off);
		ssize_t n = read_full(fd, buf, want);
		int wrc;

		if (n <= 0)
			break;      /* VirtualBox stops quietly at a short input */
		/* a fresh image reads zeros: skip writing zero chunks */
		if (!media_buf_is_zero(buf, (size_t)n)) {
			wrc = media_write(m, off, buf, (size_t)n);
			if (wrc) {
				vbm_error("Failed to write to disk image \"%s\": %s",
					  dst, media_vbox_status(wrc));
				goto fail_image;
			}
		}
		off += (uint64_t)n;
	}
	if (media_flush(m)) {
		vbm_error("Failed to write to disk image \"%s\": %s", dst,
			  media_vbox_status(-EIO));
		goto fail_image;
	}
	media_close(m);
	m = NULL;
	rc = VBM_OK;
	goto out;
fail_image:
	media_close(m);
	m = NULL;
	media_delete(dst, NULL);
out:
	if (fd >= 0 && fd != STDIN_FILENO)
		close(fd);
	free(buf);
	free(comment);
	return rc;
}

const struct vbm_help help_convertfromraw = {
	"convert a raw disk image to a virtual disk image",
	"VBoxManage convertfromraw <inputfile> <outputfile> [--format= VDI | VMDK | VHD ]\n"
	"    [--uuid=uuid] [--variant=Standard,Fixed,Split2G,Stream,ESX]\n"
	"VBoxManage convertfromraw stdin <outputfile> <bytes> [--format= VDI | VMDK | VHD ]\n"
	"    [--uuid=uuid] [--variant=Standard,Fixed,Split2G,Stream,ESX]",
	"Creates a disk image from a raw disk image file, or from the given\n"
	"number of bytes read from standard input.  The new image is not\n"
	"registered.\n",
};
