/*
 * Serial port host backends (see chardev.h for the modes).  Sockets and
 * ttys are non-blocking and watched by the VMM's event loop; output that
 * a peer does not take at once is kept (up to 64 KiB, then dropped, as a
 * line without flow control would lose it).
 *
 * Error texts follow VirtualBox's serial drivers (NamedPipe#n, DrvTCP#n,
 * RawFile#n, HostSerial#n) with the IPRT status in parentheses.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "lib/devices/chardev.h"
#include "lib/util/strbuf.h"

static void cd_fd_event(void *arg, uint32_t ev);

static const char *verr_name(int e)
{
	switch (e) {
	case ENOENT: return "VERR_FILE_NOT_FOUND";
	case ENOTDIR: return "VERR_PATH_NOT_FOUND";
	case EACCES: case EPERM: return "VERR_ACCESS_DENIED";
	case ECONNREFUSED: return "VERR_NET_CONNECTION_REFUSED";
	case EADDRINUSE: return "VERR_NET_ADDRESS_IN_USE";
	case ENAMETOOLONG: return "VERR_FILENAME_TOO_LONG";
	case EHOSTUNREACH: case ENETUNREACH: return "VERR_NET_HOST_UNREACHABLE";
	case EINVAL: return "VERR_INVALID_PARAMETER";
	case ENOMEM: return "VERR_NO_MEMORY";
	default: return "VERR_GENERAL_FAILURE";
	}
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

bool chardev_connected(const struct chardev *c)
{
	return c->fd >= 0;
}

static uint32_t cd_events(struct chardev *c)
{
	uint32_t ev = 0;

	if (c->mode != BOARD_SERIAL_FILE && c->want_input)
		ev |= EPOLLIN;
	if (c->out_len)
		ev |= EPOLLOUT;
	return ev | EPOLLRDHUP;
}

static void cd_drop_peer(struct chardev *c)
{
	if (c->fd < 0)
		return;
	dev_fd_unwatch(c->board, &c->w);
	close(c->fd);
	c->fd = -1;
	c->out_len = 0;
	if (c->listen_fd >= 0)
		dev_log(c->board, "%s: client disconnected", c->name);
	else
		dev_log(c->board, "%s: connection closed by the peer", c->name);
}

static void cd_attach_peer(struct chardev *c, int fd)
{
	c->fd = fd;
	c->out_len = 0;
	if (dev_fd_watch(c->board, &c->w, fd, cd_events(c), cd_fd_event, c) < 0)
		dev_log(c->board, "%s: cannot watch the connection", c->name);
}

static void cd_flush(struct chardev *c)
{
	while (c->out_len) {
		ssize_t n = write(c->fd, c->out, c->out_len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			cd_drop_peer(c);
			return;
		}
		memmove(c->out, c->out + n, c->out_len - (size_t)n);
		c->out_len -= (size_t)n;
	}
	dev_fd_modify(c->board, &c->w, cd_events(c));
}

static void cd_read(struct chardev *c)
{
	uint8_t buf[256];
	size_t room = c->room(c->opaque);
	ssize_t n;

	if (!room) {
		chardev_accept_input(c, false);
		return;
	}
	if (room > sizeof(buf))
		room = sizeof(buf);
	n = read(c->fd, buf, room);
	if (n < 0 && (errno == EAGAIN || errno == EINTR || errno == EWOULDBLOCK))
		return;
	if (n <= 0) {
		cd_drop_peer(c);
		return;
	}
	c->receive(c->opaque, buf, (size_t)n);
}

static void cd_fd_event(void *arg, uint32_t ev)
{
	struct chardev *c = arg;

	if (c->fd < 0)
		return;
	if (ev & EPOLLOUT)
		cd_flush(c);
	if (c->fd >= 0 && (ev & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP))) {
		if (c->mode == BOARD_SERIAL_FILE)
			return;
		if (ev & EPOLLIN)
			cd_read(c);
		else if (c->fd >= 0)
			cd_drop_peer(c);
	}
}

static void cd_accept(void *arg, uint32_t ev)
{
	struct chardev *c = arg;
	int fd;

	(void)ev;
	fd = accept4(c->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (c->fd >= 0) {
		/* One client at a time, like VirtualBox. */
		close(fd);
		return;
	}
	dev_log(c->board, "%s: client connected", c->name);
	cd_attach_peer(c, fd);
}

static int cd_unix(struct chardev *c, const char *path, bool server)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd, e;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (server) {
		/* A stale socket from an earlier run is replaced. */
		if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
			unlink(path);
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
		    listen(fd, 1) < 0 || set_nonblock(fd) < 0)
			goto fail;
		c->listen_fd = fd;
		return 0;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    set_nonblock(fd) < 0)
		goto fail;
	c->fd = fd;
	return 0;
fail:
	e = errno;
	close(fd);
	return -e;
}

static int cd_tcp_server(struct chardev *c, const char *port_str)
{
	struct sockaddr_in6 sa;
	unsigned port;
	int fd, one = 1, zero = 0, e;

	if (vb_parse_u32(port_str, &port) < 0 || port < 1 || port > 65535)
		return -EINVAL;
	fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	memset(&sa, 0, sizeof(sa));
	sa.sin6_family = AF_INET6;
	sa.sin6_port = htons((uint16_t)port);
	sa.sin6_addr = in6addr_any;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 1) < 0 || set_nonblock(fd) < 0) {
		e = errno;
		close(fd);
		return -e;
	}
	c->listen_fd = fd;
	return 0;
}

static int cd_tcp_client(struct chardev *c, const char *spec)
{
	char host[256];
	const char *colon = strrchr(spec, ':');
	struct addrinfo hints, *res = NULL, *ai;
	int fd = -1, e = ECONNREFUSED, one = 1;
	size_t hl;

	if (!colon || colon == spec || !colon[1])
		return -EINVAL;
	hl = (size_t)(colon - spec);
	if (hl >= sizeof(host))
		return -EINVAL;
	memcpy(host, spec, hl);
	host[hl] = 0;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, colon + 1, &hints, &res) != 0)
		return -EHOSTUNREACH;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0) {
			e = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		e = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return -e;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	set_nonblock(fd);
	c->fd = fd;
	return 0;
}

static int cd_device(struct chardev *c, const char *path)
{
	struct termios t;
	int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(fd, TCSANOW, &t);
	}
	c->fd = fd;
	return 0;
}

int chardev_open(struct chardev *c, struct board *b, const char *name,
		 const struct board_serial_cfg *cfg)
{
	const char *path = cfg->path;
	int rc = 0, inst = name[strlen(name) - 1] - '0';

	c->board = b;
	c->name = name;
	c->mode = cfg->mode;
	c->fd = c->listen_fd = -1;
	c->lw.fd = c->w.fd = -1;
	c->want_input = true;
	c->out_len = 0;
	if (cfg->mode == BOARD_SERIAL_DISCONNECTED)
		return 0;
	if (cfg->mode != BOARD_SERIAL_FILE) {
		c->out = malloc(CHARDEV_OUTBUF);
		if (!c->out)
			return -ENOMEM;
	}
	switch (cfg->mode) {
	case BOARD_SERIAL_FILE:
		c->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (c->fd < 0) {
			rc = -errno;
			dev_error(b, "RawFile#%d failed to create the raw output file %s (%s)",
				  inst, path, verr_name(-rc));
		}
		return rc;
	case BOARD_SERIAL_PIPE_SERVER:
		rc = cd_unix(c, path, true);
		if (rc)
			dev_error(b, "NamedPipe#%d failed to create named pipe %s (%s)",
				  inst, path, verr_name(-rc));
		break;
	case BOARD_SERIAL_PIPE_CLIENT:
		rc = cd_unix(c, path, false);
		if (rc)
			dev_error(b, "NamedPipe#%d failed to connect to named pipe %s (%s)",
				  inst, path, verr_name(-rc));
		break;
	case BOARD_SERIAL_TCP_SERVER:
		rc = cd_tcp_server(c, path);
		if (rc)
			dev_error(b, "DrvTCP#%d failed to create server socket on port %s (%s)",
				  inst, path, verr_name(-rc));
		break;
	case BOARD_SERIAL_TCP_CLIENT:
		rc = cd_tcp_client(c, path);
		if (rc)
			dev_error(b, "DrvTCP#%d failed to connect to socket %s (%s)",
				  inst, path, verr_name(-rc));
		break;
	case BOARD_SERIAL_DEVICE:
		rc = cd_device(c, path);
		if (rc)
			dev_error(b, "HostSerial#%d could not open host device port %s (%s)",
				  inst, path, verr_name(-rc));
		break;
	default:
		return 0;
	}
	if (rc)
		return rc;
	if (c->listen_fd >= 0) {
		rc = dev_fd_watch(b, &c->lw, c->listen_fd, EPOLLIN, cd_accept, c);
	} else if (c->fd >= 0) {
		rc = dev_fd_watch(b, &c->w, c->fd, cd_events(c), cd_fd_event, c);
	}
	if (rc == -ENOTSUP)
		rc = 0;         /* no event loop (tests): output still works */
	return rc;
}

void chardev_close(struct chardev *c)
{
	if (c->fd >= 0) {
		dev_fd_unwatch(c->board, &c->w);
		close(c->fd);
		c->fd = -1;
	}
	if (c->listen_fd >= 0) {
		dev_fd_unwatch(c->board, &c->lw);
		close(c->listen_fd);
		c->listen_fd = -1;
	}
	free(c->out);
	c->out = NULL;
}

void chardev_write(struct chardev *c, const uint8_t *buf, size_t n)
{
	ssize_t w;

	if (c->fd < 0 || !n)
		return;
	if (c->mode == BOARD_SERIAL_FILE) {
		while (n) {
			w = write(c->fd, buf, n);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return;
			buf += w;
			n -= (size_t)w;
		}
		return;
	}
	if (!c->out_len) {
		w = write(c->fd, buf, n);
		if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			cd_drop_peer(c);
			return;
		}
		if (w > 0) {
			buf += w;
			n -= (size_t)w;
		}
		if (!n)
			return;
	}
	if (n > CHARDEV_OUTBUF - c->out_len)
		n = CHARDEV_OUTBUF - c->out_len;
	memcpy(c->out + c->out_len, buf, n);
	c->out_len += n;
	dev_fd_modify(c->board, &c->w, cd_events(c));
}

void chardev_accept_input(struct chardev *c, bool on)
{
	if (c->want_input == on)
		return;
	c->want_input = on;
	if (c->fd >= 0)
		dev_fd_modify(c->board, &c->w, cd_events(c));
}
