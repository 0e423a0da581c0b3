/*
 * Host side of a serial port: VirtualBox's UART host modes.
 *
 *   disconnected   output discarded, no input
 *   file           output written to a file (created or truncated)
 *   pipe server    listening Unix socket at the path; one client at a time
 *   pipe client    connection to an existing Unix socket
 *   tcp server     listening TCP port; one client at a time
 *   tcp client     connection to host:port
 *   device         a host tty (raw mode)
 *
 * While a server has no client, output is discarded as on an unplugged
 * line.  Input is read only while the UART has room (flow control via
 * chardev_accept_input()).
 */
#ifndef VB_DEVICES_CHARDEV_H
#define VB_DEVICES_CHARDEV_H

#include "lib/devices/dev.h"

#define CHARDEV_OUTBUF 65536

struct chardev {
	struct board *board;
	const char *name;               /* "UART#0" for messages */
	enum board_serial_mode mode;
	int listen_fd;
	int fd;
	struct dev_fd lw, w;
	bool want_input;
	/* receive callbacks into the UART */
	size_t (*room)(void *opaque);
	void (*receive)(void *opaque, const uint8_t *buf, size_t n);
	void *opaque;
	/* output not yet accepted by a non-blocking peer */
	uint8_t *out;
	size_t out_len;
};

/* Open the backend; errors carry a VirtualBox-like message that the board
 * passes on (dev_error). */
int chardev_open(struct chardev *c, struct board *b, const char *name,
		 const struct board_serial_cfg *cfg);
void chardev_close(struct chardev *c);
void chardev_write(struct chardev *c, const uint8_t *buf, size_t n);
/* The UART has room again (true) or is full (false). */
void chardev_accept_input(struct chardev *c, bool on);
bool chardev_connected(const struct chardev *c);

#endif
