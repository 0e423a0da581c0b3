/* 16550A UART (COM1 at 0x3f8, IRQ 4): FIFO, interrupts, loopback, the
 * file backend. */
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "t-dev.h"

#define COM1 0x3f8
#define MS 1000000ull

static void com1_board(struct tboard *t, enum board_serial_mode mode,
		       const char *path)
{
	tb_config(t);
	t->cfg.serial[0].enabled = true;
	t->cfg.serial[0].iobase = COM1;
	t->cfg.serial[0].irq = 4;
	t->cfg.serial[0].type = BOARD_UART_16550A;
	t->cfg.serial[0].mode = mode;
	if (path)
		snprintf(t->cfg.serial[0].path, sizeof(t->cfg.serial[0].path), "%s", path);
	tb_start(t);
	tb_pic_init(t, 0x08, 0x70);
}

void test_dev_uart__fifo_loopback_and_trigger(void)
{
	struct tboard t;
	unsigned i;

	com1_board(&t, BOARD_SERIAL_DISCONNECTED, NULL);
	T_EQ_INT(inb(&t, COM1 + 5), 0x60);      /* THRE | TEMT */
	outb(&t, COM1 + 3, 0x83);               /* DLAB: 115200 */
	outb(&t, COM1, 1);
	outb(&t, COM1 + 1, 0);
	outb(&t, COM1 + 3, 0x03);
	outb(&t, COM1 + 2, 0x47);               /* FIFO on, clear, trigger 4 */
	T_EQ_INT(inb(&t, COM1 + 2) & 0xc0, 0xc0);
	outb(&t, COM1 + 4, 0x18);               /* loopback, OUT2 */
	outb(&t, COM1 + 1, 0x01);               /* RDI */
	for (i = 0; i < 3; i++)
		outb(&t, COM1, (uint8_t)('a' + i));
	T_EQ_INT(inb(&t, COM1 + 5) & 0x01, 0x01);
	T_EQ_INT(inb(&t, COM1 + 2) & 0x0f, 0x01);       /* below trigger */
	T_ASSERT(!board_intr_pending(t.b));
	outb(&t, COM1, 'd');
	T_EQ_INT(inb(&t, COM1 + 2) & 0x0f, 0x04);       /* RDA */
	T_EQ_INT(board_intr_ack(t.b), 0x0c);
	outb(&t, 0x20, 0x20);
	for (i = 0; i < 4; i++)
		T_EQ_INT(inb(&t, COM1), 'a' + i);
	T_EQ_INT(inb(&t, COM1 + 5) & 0x01, 0);
	T_EQ_INT(inb(&t, COM1 + 2) & 0x0f, 0x01);
	/* overrun: 17 bytes into a 16-byte FIFO */
	for (i = 0; i < 17; i++)
		outb(&t, COM1, (uint8_t)i);
	T_EQ_INT(inb(&t, COM1 + 5) & 0x03, 0x03);
	T_EQ_INT(inb(&t, COM1 + 5) & 0x02, 0);          /* OE clears on read */
	tb_free(&t);
}

void test_dev_uart__character_timeout(void)
{
	struct tboard t;

	com1_board(&t, BOARD_SERIAL_DISCONNECTED, NULL);
	outb(&t, COM1 + 3, 0x83);
	outb(&t, COM1, 1);                      /* 115200: 4 chars ~ 347 us */
	outb(&t, COM1 + 3, 0x03);
	outb(&t, COM1 + 2, 0xc1);               /* trigger 14 */
	outb(&t, COM1 + 4, 0x18);
	outb(&t, COM1 + 1, 0x01);
	outb(&t, COM1, 'x');
	board_clock_advance(t.b, 200000);
	T_EQ_INT(inb(&t, COM1 + 2) & 0x0f, 0x01);
	board_clock_advance(t.b, 200000);
	T_EQ_INT(inb(&t, COM1 + 2) & 0x0f, 0x0c);       /* timeout */
	T_EQ_INT(board_intr_ack(t.b), 0x0c);
	outb(&t, 0x20, 0x20);
	T_EQ_INT(inb(&t, COM1), 'x');
	T_EQ_INT(inb(&t, COM1 + 2) & 0x0f, 0x01);
	T_ASSERT(!board_intr_pending(t.b));
	tb_free(&t);
}

void test_dev_uart__thre_interrupt_and_out2(void)
{
	struct tboard t;

	com1_board(&t, BOARD_SERIAL_DISCONNECTED, NULL);
	outb(&t, COM1 + 1, 0x02);               /* THRI, OUT2 still off */
	T_EQ_INT(inb(&t, COM1 + 2) & 0x0f, 0x02);
	T_ASSERT(!board_intr_pending(t.b));     /* gated by OUT2 */
	outb(&t, COM1 + 1, 0x00);
	outb(&t, COM1 + 4, 0x08);
	outb(&t, COM1 + 1, 0x02);
	T_EQ_INT(board_intr_ack(t.b), 0x0c);
	outb(&t, 0x20, 0x20);
	T_EQ_INT(inb(&t, COM1 + 2) & 0x0f, 0x02);       /* reading IIR clears */
	T_EQ_INT(inb(&t, COM1 + 2) & 0x0f, 0x01);
	T_ASSERT(!board_intr_pending(t.b));
	outb(&t, COM1, 'z');                    /* written: THR empty again */
	T_EQ_INT(inb(&t, COM1 + 2) & 0x0f, 0x02);
	/* scratch register and divisor latch read back */
	outb(&t, COM1 + 7, 0x5a);
	T_EQ_INT(inb(&t, COM1 + 7), 0x5a);
	outb(&t, COM1 + 3, 0x80);
	outb(&t, COM1, 0x0c);
	T_EQ_INT(inb(&t, COM1), 0x0c);
	tb_free(&t);
}

void test_dev_uart__modem_status_loopback(void)
{
	struct tboard t;

	com1_board(&t, BOARD_SERIAL_DISCONNECTED, NULL);
	outb(&t, COM1 + 4, 0x10);
	(void)inb(&t, COM1 + 6);
	outb(&t, COM1 + 4, 0x13);               /* loop, DTR, RTS */
	T_EQ_INT(inb(&t, COM1 + 6), 0x33);      /* CTS, DSR + deltas */
	T_EQ_INT(inb(&t, COM1 + 6), 0x30);
	tb_free(&t);
}

void test_dev_uart__file_backend_gets_output(void)
{
	struct tboard t;
	char path[512], buf[64];
	const char *msg = "GUEST-BOOT-OK\r\n";
	int fd;
	ssize_t n;
	size_t i;

	snprintf(path, sizeof(path), "%s/com1.log", t_tmpdir());
	com1_board(&t, BOARD_SERIAL_FILE, path);
	for (i = 0; msg[i]; i++) {
		while (!(inb(&t, COM1 + 5) & 0x20))
			;
		outb(&t, COM1, (uint8_t)msg[i]);
	}
	fd = open(path, O_RDONLY);
	T_ASSERT(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	T_EQ_INT(n, (ssize_t)strlen(msg));
	buf[n] = 0;
	T_EQ_STR(buf, msg);
	tb_free(&t);
}

void test_dev_uart__bad_backend_fails_board(void)
{
	struct tboard t;
	struct board_host h;
	struct vb_error err = { 0 };
	char path[512];

	snprintf(path, sizeof(path), "%s/no/such/dir/x.sock", t_tmpdir());
	tb_config(&t);
	t.cfg.serial[0].enabled = true;
	t.cfg.serial[0].iobase = COM1;
	t.cfg.serial[0].irq = 4;
	t.cfg.serial[0].mode = BOARD_SERIAL_PIPE_CLIENT;
	snprintf(t.cfg.serial[0].path, sizeof(t.cfg.serial[0].path), "%s", path);
	memset(&h, 0, sizeof(h));
	T_ASSERT(board_new(&t.cfg, &h, &t.b, &err) < 0);
	T_ASSERT(strstr(err.msg, "NamedPipe#0 failed to connect to named pipe"));
	T_ASSERT(strstr(err.msg, "(VERR_FILE_NOT_FOUND)"));
	free(t.ram);
}

/* Host modes with sockets: a fake event loop that remembers the board's
 * watches and calls them on demand. */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>

struct fake_watch {
	int fd;
	uint32_t events;
	void (*cb)(void *, uint32_t);
	void *arg;
};

static struct fake_watch watches[8];

static int fw_watch(void *o, int fd, uint32_t ev, void (*cb)(void *, uint32_t),
		    void *arg)
{
	unsigned i;

	(void)o;
	for (i = 0; i < 8; i++) {
		if (!watches[i].cb) {
			watches[i].fd = fd;
			watches[i].events = ev;
			watches[i].cb = cb;
			watches[i].arg = arg;
			return 0;
		}
	}
	return -1;
}

static int fw_modify(void *o, int fd, uint32_t ev)
{
	unsigned i;

	(void)o;
	for (i = 0; i < 8; i++)
		if (watches[i].cb && watches[i].fd == fd)
			watches[i].events = ev;
	return 0;
}

static void fw_unwatch(void *o, int fd)
{
	unsigned i;

	(void)o;
	for (i = 0; i < 8; i++)
		if (watches[i].cb && watches[i].fd == fd)
			memset(&watches[i], 0, sizeof(watches[i]));
}

/* Deliver readiness to every watch that wants it (non-blocking fds). */
static void pump(void)
{
	unsigned i;

	for (i = 0; i < 8; i++)
		if (watches[i].cb && (watches[i].events & EPOLLIN))
			watches[i].cb(watches[i].arg, EPOLLIN);
}

static void sock_board(struct tboard *t, enum board_serial_mode mode,
		       const char *path)
{
	struct board_host h;
	struct vb_error err = { 0 };

	memset(watches, 0, sizeof(watches));
	tb_config(t);
	t->cfg.serial[0].enabled = true;
	t->cfg.serial[0].iobase = COM1;
	t->cfg.serial[0].irq = 4;
	t->cfg.serial[0].type = BOARD_UART_16550A;
	t->cfg.serial[0].mode = mode;
	snprintf(t->cfg.serial[0].path, sizeof(t->cfg.serial[0].path), "%s", path);
	memset(&h, 0, sizeof(h));
	h.opaque = t;
	h.fd_watch = fw_watch;
	h.fd_modify = fw_modify;
	h.fd_unwatch = fw_unwatch;
	if (board_new(&t->cfg, &h, &t->b, &err))
		t_fail(__FILE__, __LINE__, "board_new: %s", err.msg);
}

void test_dev_uart__pipe_client_input_with_flow_control(void)
{
	struct tboard t;
	struct sockaddr_un sa;
	char path[100], buf[64];
	int ls, peer, i;

	T_ASSERT(strlen(t_tmpdir()) < 80);
	snprintf(path, sizeof(path), "%.80s/peer.sock", t_tmpdir());
	ls = socket(AF_UNIX, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	T_OK(bind(ls, (struct sockaddr *)&sa, sizeof(sa)));
	T_OK(listen(ls, 1));
	sock_board(&t, BOARD_SERIAL_PIPE_CLIENT, path);
	peer = accept(ls, NULL, NULL);
	T_ASSERT(peer >= 0);
	outb(&t, COM1 + 2, 0x07);               /* 16-byte FIFO */
	/* 40 bytes arrive; the UART takes what fits */
	memset(buf, 'a', 40);
	T_EQ_INT(write(peer, buf, 40), 40);
	usleep(10000);
	pump();
	for (i = 0; i < 16; i++) {
		T_EQ_INT(inb(&t, COM1 + 5) & 1, 1);
		T_EQ_INT(inb(&t, COM1), 'a');
	}
	T_EQ_INT(inb(&t, COM1 + 5) & 1, 0);
	T_EQ_INT(inb(&t, COM1 + 5) & 2, 0);     /* no overrun */
	pump();                                 /* room again: 16 more */
	pump();                                 /* full: nothing taken */
	for (i = 0; i < 16; i++)
		T_EQ_INT(inb(&t, COM1), 'a');
	T_EQ_INT(inb(&t, COM1 + 5) & 3, 0);
	pump();                                 /* the last 8 */
	for (i = 0; i < 8; i++)
		T_EQ_INT(inb(&t, COM1), 'a');
	T_EQ_INT(inb(&t, COM1 + 5) & 1, 0);
	/* output goes to the peer */
	outb(&t, COM1, 'Z');
	T_EQ_INT(read(peer, buf, 1), 1);
	T_EQ_INT(buf[0], 'Z');
	close(peer);
	close(ls);
	tb_free(&t);
}

void test_dev_uart__tcp_server_accepts_a_client(void)
{
	struct tboard t;
	struct sockaddr_in6 sa;
	socklen_t len = sizeof(sa);
	char buf[8];
	int probe, c;

	/* pick a free port */
	probe = socket(AF_INET6, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin6_family = AF_INET6;
	T_OK(bind(probe, (struct sockaddr *)&sa, sizeof(sa)));
	T_OK(getsockname(probe, (struct sockaddr *)&sa, &len));
	close(probe);
	snprintf(buf, sizeof(buf), "%u", ntohs(sa.sin6_port));
	sock_board(&t, BOARD_SERIAL_TCP_SERVER, buf);
	outb(&t, COM1, 'x');                    /* nobody there: dropped */
	c = socket(AF_INET6, SOCK_STREAM, 0);
	sa.sin6_addr = in6addr_loopback;
	T_OK(connect(c, (struct sockaddr *)&sa, sizeof(sa)));
	usleep(10000);
	pump();                                 /* accept */
	outb(&t, COM1, 'y');
	T_EQ_INT(read(c, buf, 1), 1);
	T_EQ_INT(buf[0], 'y');
	T_EQ_INT(write(c, "q", 1), 1);
	usleep(10000);
	pump();
	T_EQ_INT(inb(&t, COM1), 'q');
	close(c);
	tb_free(&t);
}
