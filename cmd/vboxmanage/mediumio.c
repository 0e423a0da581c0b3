/*
 * mediumio: direct access to a medium's content through its chain:
 * formatfat (a FAT file system over the whole medium), cat (raw bytes or
 * a "hexdump -C" style dump) and stream (the content converted to an
 * image, by default a stream-optimized VMDK, written to a file or
 * stdout).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/vboxmanage/commands.h"
#include "cmd/vboxmanage/medium.h"
#include "lib/util/fileio.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"

struct common {
	const char *spec;
	int kind;
	const char *password_file;
};

#define COMMON_OPTS \
	{ "--disk", 'd', VBGO_STRING }, \
	{ "--harddisk", 'd', VBGO_STRING }, \
	{ "--dvd", 'D', VBGO_STRING }, \
	{ "--iso", 'D', VBGO_STRING }, \
	{ "--floppy", 'f', VBGO_STRING }, \
	{ "--password-file", 'P', VBGO_STRING }

/* The option or word forms "disk <m>", "--disk <m>"... */
static int common_opt(struct common *co, int c, const char *val)
{
	switch (c) {
	case 'd':
		co->kind = MR_HDD;
		co->spec = val;
		return 1;
	case 'D':
		co->kind = MR_DVD;
		co->spec = val;
		return 1;
	case 'f':
		co->kind = MR_FLOPPY;
		co->spec = val;
		return 1;
	case 'P':
		co->password_file = val;
		return 1;
	}
	return 0;
}

static int word_opt(struct vb_getopt *g, struct common *co)
{
	static const struct { const char *w; int c; } words[] = {
		{ "disk", 'd' }, { "harddisk", 'd' }, { "dvd", 'D' },
		{ "iso", 'D' }, { "floppy", 'f' },
	};
	size_t i;

	for (i = 0; i < VB_ARRAY_SIZE(words); i++) {
		if (strcmp(g->v.str, words[i].w))
			continue;
		if (vb_getopt_fetch(g, VBGO_STRING) != 1)
			return -1;
		return common_opt(co, words[i].c, g->v.str);
	}
	return 0;
}

static int open_io(struct vbm_ctx *ctx, struct common *co, bool writable,
		   struct vbm_medium *med, struct medium **m)
{
	struct vb_error err = { 0 };

	if (!co->spec)
		return vbm_syntax(ctx, "No medium specified!");
	if (co->password_file) {
		vbm_error("The medium is not encrypted");
		return VBM_FAIL;
	}
	if (vbm_medium_open(ctx, co->spec, co->kind, false, med))
		return VBM_FAIL;
	if (vbm_image_open(ctx, &med->e, writable ? MEDIA_RDWR : MEDIA_RDONLY,
			   m, &err)) {
		vbm_medium_error(&err,
				 "OpenForIO(fWritable, bstrPassword.raw(), rPtrMediumIO.asOutParam())",
				 1421);
		return VBM_FAIL;
	}
	return VBM_OK;
}

static int do_formatfat(struct vbm_ctx *ctx, struct vb_getopt *g,
			struct common *co)
{
	struct vbm_medium med = { 0 };
	struct vb_error err = { 0 };
	struct medium *m = NULL;
	bool quick = false;
	int c, rc;

	while ((c = vb_getopt_next(g)) != VBGO_END) {
		if (common_opt(co, c, g->v.str))
			continue;
		if (c == 'q') {
			quick = true;
			continue;
		}
		if (c == VBGO_NOT_OPTION && (rc = word_opt(g, co)) != 0) {
			if (rc < 0)
				return vbm_getopt_error(ctx, g, VBGO_ERR_MISSING);
			continue;
		}
		return vbm_getopt_error(ctx, g, c);
	}
	rc = open_io(ctx, co, true, &med, &m);
	if (rc)
		goto out;
	if (media_format_fat(m, quick, &err)) {
		vb_err_where(&err, "MediumIOWrap", "IMediumIO", "nsISupports");
		rc = vbm_api_error(&err, "FormatFAT(fQuick)", "VBoxManageDisk.cpp",
				   1475);
	}
out:
	media_close(m);
	vbm_medium_release(&med);
	return rc;
}

static int write_all(FILE *f, const void *p, size_t n)
{
	return fwrite(p, 1, n, f) == n ? 0 : -EIO;
}

/* One "hexdump -C" line per 16 bytes, repeated lines folded. */
struct hexdump {
	uint8_t prev[16];
	bool have_prev;
	uint64_t dups;
};

static int hex_lines(FILE *f, struct hexdump *h, uint64_t off,
		     const uint8_t *p, size_t n, uint64_t end_dup_check)
{
	size_t i, k;

	for (i = 0; i < n; i += 16, off += 16) {
		size_t w = n - i < 16 ? n - i : 16;
		char line[128];
		int len;

		if (off < end_dup_check && h->have_prev && w == 16 &&
		    !memcmp(p + i, h->prev, 16) &&
		    (h->dups || (off + 16 < end_dup_check && i + 32 <= n &&
				 !memcmp(p + i + 16, p + i, 16)))) {
			h->dups++;
			continue;
		}
		if (h->dups) {
			fprintf(f, "**********  <ditto x %llu>\n",
				(unsigned long long)h->dups);
			h->dups = 0;
		}
		len = snprintf(line, sizeof(line), "%012llx:",
			       (unsigned long long)off);
		for (k = 0; k < 16; k++) {
			if (k < w)
				len += snprintf(line + len, sizeof(line) - (size_t)len,
						"%c%02x", (k & 7) || !k ? ' ' : '-',
						p[i + k]);
			else
				len += snprintf(line + len, sizeof(line) - (size_t)len,
						"   ");
		}
		line[len++] = ' ';
		for (k = 0; k < w; k++)
			line[len++] = p[i + k] >= 32 && p[i + k] < 127 ?
				      (char)p[i + k] : '.';
		line[len++] = '\n';
		if (fwrite(line, 1, (size_t)len, f) != (size_t)len)
			return -EIO;
		memcpy(h->prev, p + i, w);
		h->have_prev = true;
	}
	return 0;
}

static int do_cat(struct vbm_ctx *ctx, struct vb_getopt *g, struct common *co)
{
	struct vbm_medium med = { 0 };
	struct medium *m = NULL;
	const char *output = NULL;
	bool hex = false;
	uint64_t off = 0, cb = UINT64_MAX, size;
	struct hexdump hd = { { 0 }, false, 0 };
	uint8_t *buf = NULL;
	FILE *out = stdout;
	int c, rc;

	while ((c = vb_getopt_next(g)) != VBGO_END) {
		if (common_opt(co, c, g->v.str))
			continue;
		switch (c) {
		case 'H':
			hex = true;
			continue;
		case 'o':
			off = g->v.u64;
			continue;
		case 'O':
			output = g->v.str;
			continue;
		case 's':
			cb = g->v.u64;
			continue;
		}
		if (c == VBGO_NOT_OPTION && (rc = word_opt(g, co)) != 0) {
			if (rc < 0)
				return vbm_getopt_error(ctx, g, VBGO_ERR_MISSING);
			continue;
		}
		return vbm_getopt_error(ctx, g, c);
	}
	rc = open_io(ctx, co, false, &med, &m);
	if (rc)
		goto out;
	if (output && strcmp(output, "-")) {
		out = fopen(output, hex ? "w" : "wb");
		if (!out) {
			vbm_error("Error opening '%s' for writing: %s", output,
				  media_vbox_status(-errno));
			out = stdout;
			rc = VBM_FAIL;
			goto out;
		}
	}
	size = media_size(m);
	if (off >= size) {
		vbm_warning("Specified offset (%#llx) is beyond the end of the medium (%#llx)",
			    (unsigned long long)off, (unsigned long long)size);
		cb = 0;
	} else if (cb > size || cb + off > size) {
		cb = size - off;
	}
	buf = malloc(128 * 1024);
	if (!buf) {
		rc = VBM_FAIL;
		goto out;
	}
	{
		uint64_t end_dup = cb >= 16 ? off + cb - 16 : 0;

		while (cb) {
			size_t n = cb > 128 * 1024 ? 128 * 1024 : (size_t)cb;
			int r = media_read(m, off, buf, n);

			if (r) {
				vbm_error("Read(%zu bytes at %#llx): %s", n,
					  (unsigned long long)off,
					  media_vbox_status(r));
				rc = VBM_FAIL;
				break;
			}
			r = hex ? hex_lines(out, &hd, off, buf, n, end_dup)
				: write_all(out, buf, n);
			if (r) {
				vbm_error("Error writing to '%s': %s",
					  output ? output : "-",
					  media_vbox_status(r));
				rc = VBM_FAIL;
				break;
			}
			off += n;
			cb -= n;
		}
		if (hd.dups)
			fprintf(out, "**********  <ditto x %llu>\n",
				(unsigned long long)hd.dups);
	}
out:
	if (out != stdout && fclose(out)) {
		vbm_error("Error closing '%s': %s", output,
			  media_vbox_status(-errno));
		rc = VBM_FAIL;
	} else if (out == stdout) {
		fflush(stdout);
	}
	free(buf);
	media_close(m);
	vbm_medium_release(&med);
	return rc;
}

static int do_stream(struct vbm_ctx *ctx, struct vb_getopt *g,
		     struct common *co)
{
	struct vbm_medium med = { 0 };
	struct vb_error err = { 0 };
	struct medium *m = NULL, *d = NULL;
	const char *output = NULL, *format = "VMDK";
	unsigned variant = 0;
	char *target = NULL;
	bool to_stdout, tmp = false;
	int c, rc;

	while ((c = vb_getopt_next(g)) != VBGO_END) {
		if (common_opt(co, c, g->v.str))
			continue;
		switch (c) {
		case 'O':
			output = g->v.str;
			continue;
		case 'F':
			format = g->v.str;
			continue;
		case 'v':
			if (vbm_variant_parse(g->v.str, &variant)) {
				vbm_error("Invalid medium variant '%s'", g->v.str);
				return VBM_FAIL;
			}
			continue;
		}
		if (c == VBGO_NOT_OPTION && (rc = word_opt(g, co)) != 0) {
			if (rc < 0)
				return vbm_getopt_error(ctx, g, VBGO_ERR_MISSING);
			continue;
		}
		return vbm_getopt_error(ctx, g, c);
	}
	rc = open_io(ctx, co, false, &med, &m);
	if (rc)
		goto out;
	if (!media_format_name(format)) {
		vb_err(&err, EINVAL, VBOX_E_OBJECT_NOT_FOUND,
		       "Invalid medium storage format '%s'", format);
		goto fail;
	}
	if (!strcasecmp(format, "VMDK") && !variant)
		variant = MEDIA_VARIANT_STREAM;
	to_stdout = !output || !strcmp(output, "-");
	if (to_stdout) {
		const char *dir = getenv("TMPDIR");

		target = vb_asprintf("%s/vbox-stream-%d.%s", dir ? dir : "/tmp",
				     (int)getpid(), media_format_ext(format));
		tmp = true;
	} else {
		target = path_abs(output);
	}
	if (!target) {
		rc = VBM_FAIL;
		goto out;
	}
	{
		struct media_create_opts o = {
			.format = media_format_name(format),
			.variant = variant,
			.size = media_size(m),
		};

		media_clone_geometry(m, o.size, &o.pchs, &o.lchs);
		if (tmp)
			media_delete(target, NULL);
		if (media_create(target, &o, &d, &err) ||
		    media_copy(m, d, true, NULL, NULL, &err))
			goto fail;
		media_close(d);
		d = NULL;
	}
	if (tmp) {
		int fd = open(target, O_RDONLY | O_CLOEXEC);
		uint8_t buf[65536];
		ssize_t n;

		if (fd < 0) {
			vb_err(&err, errno, VBOX_E_FILE_ERROR,
			       "Could not read '%s'", target);
			goto fail;
		}
		while ((n = read(fd, buf, sizeof(buf))) > 0) {
			if (vb_write_all(STDOUT_FILENO, buf, (size_t)n)) {
				vbm_error("Error writing to '-': VERR_WRITE_ERROR");
				rc = VBM_FAIL;
				break;
			}
		}
		close(fd);
	}
	goto out;
fail:
	vb_err_where(&err, "MediumIOWrap", "IMediumIO", "nsISupports");
	vbm_api_error(&err, "ConvertToStream()", "VBoxManageDisk.cpp", 1748);
	rc = VBM_FAIL;
out:
	media_close(d);
	if (tmp && target)
		media_delete(target, NULL);
	else if (rc && target)
		media_delete(target, NULL);
	free(target);
	media_close(m);
	vbm_medium_release(&med);
	return rc;
}

int cmd_mediumio(struct vbm_ctx *ctx, int argc, char **argv)
{
	static const struct vb_option opts[] = {
		COMMON_OPTS,
		{ "--quick", 'q', VBGO_NOVAL },
		{ "--hex", 'H', VBGO_NOVAL },
		{ "--offset", 'o', VBGO_U64 },
		{ "--output", 'O', VBGO_STRING },
		{ "--size", 's', VBGO_U64 },
		{ "--format", 'F', VBGO_STRING },
		{ "--variant", 'v', VBGO_STRING },
	};
	struct common co = { NULL, -1, NULL };
	struct vb_getopt g;
	int c, rc;

	vb_getopt_init(&g, argc, argv, 1, opts, VB_ARRAY_SIZE(opts));
	while ((c = vb_getopt_next(&g)) != VBGO_END) {
		if (common_opt(&co, c, g.v.str))
			continue;
		if (c != VBGO_NOT_OPTION)
			return vbm_getopt_error(ctx, &g, c);
		if (!strcmp(g.v.str, "formatfat"))
			return do_formatfat(ctx, &g, &co);
		if (!strcmp(g.v.str, "cat"))
			return do_cat(ctx, &g, &co);
		if (!strcmp(g.v.str, "stream"))
			return do_stream(ctx, &g, &co);
		rc = word_opt(&g, &co);
		if (rc < 0)
			return vbm_getopt_error(ctx, &g, VBGO_ERR_MISSING);
		if (rc == 0)
			return vbm_syntax(ctx, "Invalid parameter '%s'", g.v.str);
	}
	return vbm_syntax(ctx, "No subcommand specified");
}

const struct vbm_help help_mediumio = {
	"medium content access",
	"VBoxManage mediumio < --disk=uuid|filename | --dvd=uuid|filename |\n"
	"    --floppy=uuid|filename > [--password-file=- | filename ] formatfat\n"
	"    [--quick]\n"
	"VBoxManage mediumio < --disk=uuid|filename | --dvd=uuid|filename |\n"
	"    --floppy=uuid|filename > [--password-file=- | filename ] cat [--hex]\n"
	"    [--offset=byte-offset] [--size=bytes] [--output=- | filename ]\n"
	"VBoxManage mediumio < --disk=uuid|filename | --dvd=uuid|filename |\n"
	"    --floppy=uuid|filename > [--password-file=- | filename ] stream\n"
	"    [--format=image-format] [--variant=image-variant]\n"
	"    [--output=- | filename ]",
	"Reads or formats the content of a medium: formatfat writes an empty FAT\n"
	"file system, cat copies bytes out (or dumps them in hexadecimal) and\n"
	"stream writes the content as an image, by default a stream-optimized\n"
	"VMDK.\n",
};
