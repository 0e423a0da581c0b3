/*
 * 16550A UARTs (also as 16450 and 16750), up to four, each with a host
 * backend (chardev.c).
 *
 * Spec: National Semiconductor PC16550D datasheet: registers RBR/THR,
 * IER, IIR/FCR, LCR (DLAB), MCR (loopback, OUT2), LSR, MSR, SCR, DLL/DLM;
 * interrupt priorities (line status > received data / character timeout
 * > THR empty > modem status); receive FIFO trigger levels 1/4/8/14;
 * character timeout after four character times without FIFO activity.
 * TI TL16C750 for the 64-byte FIFO of the 16750 (FCR bit 5).
 *
 * As on a PC, the interrupt reaches the ISA IRQ only while MCR OUT2 is
 * set.  Transmission is immediate (no baud-rate pacing): THR and the
 * transmitter are empty again as soon as a byte is written.
 *
 * Limits: parity/framing/break conditions are never produced by the
 * backends; the 16750's auto flow control and sleep mode are not modelled.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/devices/chardev.h"

#define IER_RDI  0x01
#define IER_THRI 0x02
#define IER_RLSI 0x04
#define IER_MSI  0x08

#define IIR_NONE 0x01
#define IIR_MS   0x00
#define IIR_THRI 0x02
#define IIR_RDI  0x04
#define IIR_RLSI 0x06
#define IIR_CTI  0x0c

#define FCR_ENABLE 0x01
#define FCR_CLR_RX 0x02
#define FCR_CLR_TX 0x04
#define FCR_64     0x20

#define LCR_DLAB 0x80

#define MCR_DTR  0x01
#define MCR_RTS  0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10

#define LSR_DR   0x01
#define LSR_OE   0x02
#define LSR_ERRS 0x1e
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define MSR_DELTAS 0x0f
#define MSR_CTS  0x10
#define MSR_DSR  0x20
#define MSR_RI   0x40
#define MSR_DCD  0x80

#define FIFO_MAX 64

struct uart {
	struct device dev;
	unsigned index;
	char name[8];
	struct board_serial_cfg cfg;
	struct chardev chr;
	uint8_t rx[FIFO_MAX];
	unsigned rx_head, rx_count;
	uint8_t ier, iir, fcr, lcr, mcr, lsr, msr, scr;
	uint16_t divisor;
	bool thr_ipending, timeout_ipending;
	bool irq;
	int irq_src;
	struct dtimer timeout;
	struct io_region io;
};

static bool fifo_on(const struct uart *u)
{
	return u->cfg.type != BOARD_UART_16450 && (u->fcr & FCR_ENABLE);
}

static unsigned fifo_size(const struct uart *u)
{
	if (!fifo_on(u))
		return 1;
	if (u->cfg.type == BOARD_UART_16750 && (u->fcr & FCR_64))
		return 64;
	return 16;
}

static unsigned rx_trigger(const struct uart *u)
{
	static const unsigned t16[4] = { 1, 4, 8, 14 };
	static const unsigned t64[4] = { 1, 16, 32, 56 };

	if (!fifo_on(u))
		return 1;
	return fifo_size(u) == 64 ? t64[u->fcr >> 6] : t16[u->fcr >> 6];
}

static void uart_update_irq(struct uart *u)
{
	uint8_t id = IIR_NONE;
	bool level;

	if ((u->ier & IER_RLSI) && (u->lsr & LSR_ERRS))
		id = IIR_RLSI;
	else if ((u->ier & IER_RDI) && u->timeout_ipending)
		id = IIR_CTI;
	else if ((u->ier & IER_RDI) && u->rx_count >= rx_trigger(u))
		id = IIR_RDI;
	else if ((u->ier & IER_THRI) && u->thr_ipending)
		id = IIR_THRI;
	else if ((u->ier & IER_MSI) && (u->msr & MSR_DELTAS))
		id = IIR_MS;
	u->iir = (uint8_t)(id | (fifo_on(u) ? 0xc0 : 0));
	level = id != IIR_NONE && (u->mcr & MCR_OUT2);
	if (level != u->irq) {
		u->irq = level;
		irq_isa_set(u->dev.board, u->cfg.irq, u->irq_src, level);
	}
}

/* Four character times at the programmed rate (10 bits a character). */
static uint64_t char_timeout_ns(const struct uart *u)
{
	uint64_t div = u->divisor ? u->divisor : 1;

	return 4 * 10 * div * 16 * 1000000000ull / 1843200;
}

static void uart_arm_timeout(struct uart *u)
{
	struct board *b = u->dev.board;

	if (fifo_on(u) && u->rx_count)
		dtimer_mod(b, &u->timeout, dev_clock_ns(b) + char_timeout_ns(u));
	else
		dtimer_del(b, &u->timeout);
}

static void uart_timeout_cb(void *opaque)
{
	struct uart *u = opaque;

	if (u->rx_count) {
		u->timeout_ipending = true;
		uart_update_irq(u);
	}
}

static size_t uart_room(void *opaque)
{
	struct uart *u = opaque;

	if (u->mcr & MCR_LOOP)
		return 0;
	return fifo_size(u) - u->rx_count;
}

static void uart_push(struct uart *u, uint8_t v)
{
	if (u->rx_count >= fifo_size(u)) {
		u->lsr |= LSR_OE;
		return;
	}
	u->rx[(u->rx_head + u->rx_count++) % FIFO_MAX] = v;
	u->lsr |= LSR_DR;
}

static void uart_receive(void *opaque, const uint8_t *buf, size_t n)
{
	struct uart *u = opaque;
	size_t i;

	for (i = 0; i < n; i++)
		uart_push(u, buf[i]);
	u->timeout_ipending = false;
	uart_arm_timeout(u);
	if (!uart_room(u))
		chardev_accept_input(&u->chr, false);
	uart_update_irq(u);
}

static void uart_clear_rx(struct uart *u)
{
	u->rx_head = u->rx_count = 0;
	u->lsr &= (uint8_t)~LSR_DR;
	u->timeout_ipending = false;
	dtimer_del(u->dev.board, &u->timeout);
}

static void uart_update_msr(struct uart *u)
{
	uint8_t old = u->msr, nw;

	if (u->mcr & MCR_LOOP) {
		nw = (uint8_t)(((u->mcr & MCR_RTS) ? MSR_CTS : 0) |
			       ((u->mcr & MCR_DTR) ? MSR_DSR : 0) |
			       ((u->mcr & MCR_OUT1) ? MSR_RI : 0) |
			       ((u->mcr & MCR_OUT2) ? MSR_DCD : 0));
	} else {
		/* A backend looks like a modem that is always ready. */
		nw = MSR_CTS | MSR_DSR | MSR_DCD;
	}
	if ((nw ^ old) & MSR_CTS)
		nw |= 0x01;
	if ((nw ^ old) & MSR_DSR)
		nw |= 0x02;
	if ((old & MSR_RI) && !(nw & MSR_RI))
		nw |= 0x04;
	if ((nw ^ old) & MSR_DCD)
		nw |= 0x08;
	u->msr = (uint8_t)((nw & 0xf0) | ((old | nw) & MSR_DELTAS));
}

static uint64_t uart_read(void *opaque, uint64_t off, unsigned size)
{
	struct uart *u = opaque;
	uint8_t v = 0;

	(void)size;
	switch (off) {
	case 0:
		if (u->lcr & LCR_DLAB)
			return u->divisor & 0xff;
		if (u->rx_count) {
			v = u->rx[u->rx_head];
			u->rx_head = (u->rx_head + 1) % FIFO_MAX;
			u->rx_count--;
		}
		if (!u->rx_count)
			u->lsr &= (uint8_t)~LSR_DR;
		u->timeout_ipending = false;
		uart_arm_timeout(u);
		uart_update_irq(u);
		chardev_accept_input(&u->chr, uart_room(u) > 0);
		return v;
	case 1:
		if (u->lcr & LCR_DLAB)
			return u->divisor >> 8;
		return u->ier;
	case 2:
		v = u->iir;
		if ((v & 0x0f) == IIR_THRI) {
			u->thr_ipending = false;
			uart_update_irq(u);
		}
		return v;
	case 3:
		return u->lcr;
	case 4:
		return u->mcr;
	case 5:
		v = u->lsr;
		if (u->lsr & LSR_ERRS) {
			u->lsr &= (uint8_t)~LSR_ERRS;
			uart_update_irq(u);
		}
		return v;
	case 6:
		v = u->msr;
		u->msr &= (uint8_t)~MSR_DELTAS;
		uart_update_irq(u);
		return v;
	default:
		return u->scr;
	}
}

static void uart_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct uart *u = opaque;
	uint8_t v = (uint8_t)val, old;

	(void)size;
	switch (off) {
	case 0:
		if (u->lcr & LCR_DLAB) {
			u->divisor = (uint16_t)((u->divisor & 0xff00) | v);
			return;
		}
		if (u->mcr & MCR_LOOP) {
			uart_push(u, v);
			uart_arm_timeout(u);
		} else {
			chardev_write(&u->chr, &v, 1);
		}
		u->thr_ipending = true;
		uart_update_irq(u);
		return;
	case 1:
		if (u->lcr & LCR_DLAB) {
			u->divisor = (uint16_t)((u->divisor & 0x00ff) | (v << 8));
			return;
		}
		old = u->ier;
		u->ier = v & 0x0f;
		/* Enabling THRI with THR empty raises the interrupt. */
		if ((u->ier & IER_THRI) && !(old & IER_THRI))
			u->thr_ipending = true;
		uart_update_irq(u);
		return;
	case 2:
		if (u->cfg.type == BOARD_UART_16450)
			return;
		old = (uint8_t)(v & ~(FCR_CLR_RX | FCR_CLR_TX));
		/* The 64-byte mode bit is only writable with DLAB set. */
		if (u->cfg.type != BOARD_UART_16750 || !(u->lcr & LCR_DLAB))
			old = (uint8_t)((old & ~FCR_64) | (u->fcr & FCR_64));
		if (((old ^ u->fcr) & FCR_ENABLE) || (v & FCR_CLR_RX))
			uart_clear_rx(u);
		u->fcr = old;
		uart_update_irq(u);
		chardev_accept_input(&u->chr, uart_room(u) > 0);
		return;
	case 3:
		u->lcr = v;
		return;
	case 4:
		u->mcr = v & 0x1f;
		uart_update_msr(u);
		uart_update_irq(u);
		chardev_accept_input(&u->chr, uart_room(u) > 0);
		return;
	case 5:
	case 6:
		return;
	default:
		u->scr = v;
		return;
	}
}

static const struct io_ops uart_ops = {
	.read = uart_read, .write = uart_write, .sizes = IO_SZ1,
};

static void uart_reset(struct device *d)
{
	struct uart *u = DEV_CONTAINER(d, struct uart, dev);

	uart_clear_rx(u);
	u->ier = u->fcr = u->lcr = u->mcr = u->scr = 0;
	u->lsr = LSR_THRE | LSR_TEMT;
	u->msr = 0;
	u->divisor = 12;                /* 9600 baud */
	u->thr_ipending = false;
	uart_update_msr(u);
	u->msr &= (uint8_t)~MSR_DELTAS;
	uart_update_irq(u);
	chardev_accept_input(&u->chr, true);
}

static void uart_release(struct device *d)
{
	struct uart *u = DEV_CONTAINER(d, struct uart, dev);

	dtimer_del(d->board, &u->timeout);
	chardev_close(&u->chr);
	free(u);
}

static const struct device_ops uart_dev_ops = {
	.reset = uart_reset, .release = uart_release,
};

int serial_create(struct board *b, const struct board_config *cfg)
{
	unsigned i;
	int rc;

	for (i = 0; i < 4; i++) {
		const struct board_serial_cfg *sc = &cfg->serial[i];
		struct uart *u;

		if (!sc->enabled)
			continue;
		if (sc->irq >= 16)
			return -EINVAL;
		u = calloc(1, sizeof(*u));
		if (!u)
			return -ENOMEM;
		u->index = i;
		snprintf(u->name, sizeof(u->name), "UART#%u", i);
		u->cfg = *sc;
		u->chr.fd = u->chr.listen_fd = -1;
		dev_register(b, &u->dev, "serial", &uart_dev_ops);
		dtimer_init(&u->timeout, uart_timeout_cb, u);
		u->irq_src = irq_source_new(b);
		u->chr.room = uart_room;
		u->chr.receive = uart_receive;
		u->chr.opaque = u;
		rc = chardev_open(&u->chr, b, u->name, sc);
		if (rc)
			return rc;
		io_region_init(&u->io, u->name, &uart_ops, u, IO_SPACE_PORT);
		rc = io_region_map(b, &u->io, sc->iobase, 8);
		if (rc) {
			dev_error(b, "Serial port %u: I/O base %#x overlaps another device",
				  i + 1, sc->iobase);
			return rc;
		}
	}
	return 0;
}
