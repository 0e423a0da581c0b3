/*
 * Firmware debug output into the VM log: SeaBIOS's debug console (port
 * 0x402; it checks that a read returns 0xe9 before using it), the POST
 * code port 0x80, and VirtualBox's backdoor log port 0x504 (what the
 * Guest Additions' kernel modules write to).
 *
 * Lines are buffered until a newline (or 200 characters) and logged with
 * a prefix; POST codes are logged when they change, at most 64 times per
 * reset, because guests also use port 0x80 as an I/O delay.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/devices/dev.h"

#define LINE_MAX_CHARS 200
#define POST_LOG_MAX   64

struct dbg_line {
	char buf[LINE_MAX_CHARS + 1];
	unsigned len;
	const char *prefix;
};

struct dbgport {
	struct device dev;
	struct dbg_line bios, guest;
	uint8_t post;
	unsigned post_logged;
	struct io_region bios_io, post_io, guest_io;
};

static void line_flush(struct board *b, struct dbg_line *l)
{
	l->buf[l->len] = 0;
	dev_log(b, "%s%s", l->prefix, l->buf);
	l->len = 0;
}

static void line_put(struct board *b, struct dbg_line *l, uint8_t c)
{
	if (c == '\n') {
		line_flush(b, l);
		return;
	}
	if (c == '\r' || c == 0)
		return;
	l->buf[l->len++] = (c >= 0x20 && c < 0x7f) || c == '\t' ? (char)c : '?';
	if (l->len == LINE_MAX_CHARS)
		line_flush(b, l);
}

static uint64_t bios_read(void *opaque, uint64_t off, unsigned size)
{
	(void)opaque;
	(void)off;
	(void)size;
	return 0xe9;
}

static void bios_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct dbgport *d = opaque;

	(void)off;
	(void)size;
	line_put(d->dev.board, &d->bios, (uint8_t)val);
}

static const struct io_ops bios_ops = {
	.read = bios_read, .write = bios_write, .sizes = IO_SZ1,
};

static uint64_t post_read(void *opaque, uint64_t off, unsigned size)
{
	struct dbgport *d = opaque;

	(void)off;
	(void)size;
	return d->post;
}

static void post_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct dbgport *d = opaque;

	(void)off;
	(void)size;
	if ((uint8_t)val != d->post && d->post_logged < POST_LOG_MAX) {
		d->post_logged++;
		dev_log(d->dev.board, "POST code %#04x%s", (unsigned)(uint8_t)val,
			d->post_logged == POST_LOG_MAX ? " (further POST codes not logged)" : "");
	}
	d->post = (uint8_t)val;
}

static const struct io_ops post_ops = {
	.read = post_read, .write = post_write, .sizes = IO_SZ1,
};

static uint64_t guest_read(void *opaque, uint64_t off, unsigned size)
{
	(void)opaque;
	(void)off;
	(void)size;
	return 0xffffffffu;
}

static void guest_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct dbgport *d = opaque;
	unsigned i;

	(void)off;
	for (i = 0; i < size; i++)
		line_put(d->dev.board, &d->guest, (uint8_t)(val >> (8 * i)));
}

static const struct io_ops guest_ops = {
	.read = guest_read, .write = guest_write, .sizes = IO_SZ1,
};

static void dbg_reset(struct device *dev)
{
	struct dbgport *d = DEV_CONTAINER(dev, struct dbgport, dev);

	if (d->bios.len)
		line_flush(dev->board, &d->bios);
	if (d->guest.len)
		line_flush(dev->board, &d->guest);
	d->post = 0;
	d->post_logged = 0;
}

static void dbg_release(struct device *dev)
{
	free(DEV_CONTAINER(dev, struct dbgport, dev));
}

static const struct device_ops dbg_ops = {
	.reset = dbg_reset, .release = dbg_release,
};

int dbgport_create(struct board *b, const struct board_config *cfg)
{
	struct dbgport *d = calloc(1, sizeof(*d));
	int rc;

	(void)cfg;
	if (!d)
		return -ENOMEM;
	dev_register(b, &d->dev, "debugport", &dbg_ops);
	d->bios.prefix = "BIOS: ";
	d->guest.prefix = "Guest Log: ";
	io_region_init(&d->bios_io, "bios debug", &bios_ops, d, IO_SPACE_PORT);
	io_region_init(&d->post_io, "post", &post_ops, d, IO_SPACE_PORT);
	io_region_init(&d->guest_io, "backdoor log", &guest_ops, d, IO_SPACE_PORT);
	rc = io_region_map(b, &d->bios_io, 0x402, 1);
	if (!rc)
		rc = io_region_map(b, &d->post_io, 0x80, 1);
	if (!rc)
		rc = io_region_map(b, &d->guest_io, 0x504, 1);
	return rc;
}
