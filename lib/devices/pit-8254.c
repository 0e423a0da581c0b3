/*
 * 8254 programmable interval timer and the PC's port B (0x61).
 *
 * Spec: Intel 82C54 datasheet (modes 0-5, counter latch, read-back,
 * LSB/MSB/word access); IBM PC/AT port 0x61 (bit 0 timer 2 gate, bit 1
 * speaker data, bit 4 refresh toggle, bit 5 timer 2 output).
 *
 * Counters run on the board's virtual clock at 1.193182 MHz and are
 * computed from the time the count was loaded, so reading them costs no
 * timer; only channel 0 arms a timer, for IRQ0 edges.
 *
 * Limits: periodic IRQ0 edges come at most every 20 us (counts below 24);
 * BCD counting is stored in the status but counts in binary; the
 * gate of channels 0 and 1 is always high; mode 2/3 output edges for IRQ0
 * are generated once per period (ticks lost while the VM could not run
 * are not replayed); no speaker sound.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/devices/dev.h"

#define PIT_HZ 1193182ull
/* IRQ0 edges are delivered at most this often (a count of 1 would ask for
 * 1.2 million interrupts a second); the counter itself stays exact. */
#define PIT_MIN_IRQ_NS 20000ull

enum { RW_LATCH = 0, RW_LSB = 1, RW_MSB = 2, RW_WORD = 3, RW_WORD1 = 4 };

struct pit_chan {
	uint32_t count;         /* 1..0x10000 */
	uint16_t latched;
	uint8_t latch_state;    /* RW_* of a pending counter latch, 0 none */
	uint8_t status;
	bool status_latched;
	bool null_count;
	uint8_t read_state, write_state;
	uint8_t write_lsb;
	uint8_t rw_mode, mode;
	bool bcd, gate;
	uint64_t load_ns;       /* virtual time of the last count load */
};

struct pit {
	struct device dev;
	struct pit_chan ch[3];
	bool speaker;
	struct dtimer timer;
	int irq_src;
	struct io_region io, portb;
};

static uint64_t pit_ticks(struct board *b, struct pit_chan *c)
{
	uint64_t d = dev_clock_ns(b) - c->load_ns;

	return (uint64_t)((unsigned __int128)d * PIT_HZ / 1000000000ull);
}

static uint64_t ticks_to_ns(uint64_t ticks)
{
	return (uint64_t)(((unsigned __int128)ticks * 1000000000ull +
			   PIT_HZ - 1) / PIT_HZ);
}

static uint16_t pit_counter(struct board *b, struct pit_chan *c)
{
	uint64_t d = pit_ticks(b, c);

	switch (c->mode) {
	case 0:
	case 1:
	case 4:
	case 5:
		return (uint16_t)((c->count - d) & 0xffff);
	case 3:
		return (uint16_t)(c->count - ((2 * d) % c->count));
	default:
		return (uint16_t)(c->count - (d % c->count));
	}
}

static bool pit_out(struct board *b, struct pit_chan *c)
{
	uint64_t d = pit_ticks(b, c);

	switch (c->mode) {
	case 0:
		return d >= c->count;
	case 1:
		return d < c->count;
	case 2:
		return (d % c->count) != c->count - 1;
	case 3:
		return (d % c->count) < (c->count + 1) / 2;
	case 4:
	case 5:
		return d != c->count;
	default:
		return true;
	}
}

/* Virtual time of the next rising edge of OUT, or UINT64_MAX. */
static uint64_t pit_next_edge(struct board *b, struct pit_chan *c)
{
	uint64_t d = pit_ticks(b, c), next, next_ns, now;

	switch (c->mode) {
	case 0:
		if (d >= c->count)
			return UINT64_MAX;
		next = c->count;
		break;
	case 2:
	case 3:
		next = (d / c->count + 1) * c->count;
		break;
	case 4:
	case 5:
		if (d > c->count)
			return UINT64_MAX;
		next = c->count + 1;
		break;
	default:
		return UINT64_MAX;
	}
	next_ns = c->load_ns + ticks_to_ns(next);
	now = dev_clock_ns(b);
	if (next_ns < now + PIT_MIN_IRQ_NS && (c->mode == 2 || c->mode == 3))
		next_ns = now + PIT_MIN_IRQ_NS;
	return next_ns;
}

static void pit_arm(struct pit *p)
{
	struct board *b = p->dev.board;
	uint64_t t = p->ch[0].gate ? pit_next_edge(b, &p->ch[0]) : UINT64_MAX;

	if (t == UINT64_MAX)
		dtimer_del(b, &p->timer);
	else
		dtimer_mod(b, &p->timer, t);
}

static void pit_timer_cb(void *opaque)
{
	struct pit *p = opaque;

	irq_isa_pulse(p->dev.board, 0, p->irq_src);
	pit_arm(p);
}

static void pit_load(struct pit *p, unsigned n, uint32_t v)
{
	struct pit_chan *c = &p->ch[n];

	c->count = v ? v : 0x10000;
	c->load_ns = dev_clock_ns(p->dev.board);
	c->null_count = false;
	if (n == 0)
		pit_arm(p);
}

static void pit_latch_count(struct pit *p, struct pit_chan *c)
{
	if (c->latch_state)
		return;
	c->latched = pit_counter(p->dev.board, c);
	c->latch_state = c->rw_mode;
}

static void pit_latch_status(struct pit *p, struct pit_chan *c)
{
	if (c->status_latched)
		return;
	c->status = (uint8_t)((pit_out(p->dev.board, c) ? 0x80 : 0) |
			      (c->null_count ? 0x40 : 0) |
			      (c->rw_mode << 4) | (c->mode << 1) | c->bcd);
	c->status_latched = true;
}

static void pit_write_ctrl(struct pit *p, uint8_t v)
{
	unsigned n = v >> 6, i;
	struct pit_chan *c;

	if (n == 3) {                                   /* read-back */
		for (i = 0; i < 3; i++) {
			if (!(v & (2 << i)))
				continue;
			if (!(v & 0x20))
				pit_latch_count(p, &p->ch[i]);
			if (!(v & 0x10))
				pit_latch_status(p, &p->ch[i]);
		}
		return;
	}
	c = &p->ch[n];
	if (((v >> 4) & 3) == RW_LATCH) {
		pit_latch_count(p, c);
		return;
	}
	c->rw_mode = (v >> 4) & 3;
	c->mode = (v >> 1) & 7;
	if (c->mode > 5)
		c->mode -= 4;                           /* 6, 7 = 2, 3 */
	c->bcd = v & 1;
	c->read_state = c->write_state = c->rw_mode;
	c->null_count = true;
	c->latch_state = 0;
	if (n == 0)
		dtimer_del(p->dev.board, &p->timer);
}

static void pit_write_count(struct pit *p, unsigned n, uint8_t v)
{
	struct pit_chan *c = &p->ch[n];

	switch (c->write_state) {
	case RW_LSB:
		pit_load(p, n, v);
		break;
	case RW_MSB:
		pit_load(p, n, (uint32_t)v << 8);
		break;
	case RW_WORD:
		c->write_lsb = v;
		c->write_state = RW_WORD1;
		break;
	case RW_WORD1:
		pit_load(p, n, c->write_lsb | ((uint32_t)v << 8));
		c->write_state = RW_WORD;
		break;
	default:
		break;
	}
}

static uint8_t pit_read_count(struct pit *p, unsigned n)
{
	struct pit_chan *c = &p->ch[n];
	uint16_t v;
	uint8_t r;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->latch_state) {
		switch (c->latch_state) {
		case RW_LSB:
			c->latch_state = 0;
			return (uint8_t)c->latched;
		case RW_MSB:
			c->latch_state = 0;
			return (uint8_t)(c->latched >> 8);
		case RW_WORD:
			c->latch_state = RW_WORD1;
			return (uint8_t)c->latched;
		default:
			c->latch_state = 0;
			return (uint8_t)(c->latched >> 8);
		}
	}
	v = pit_counter(p->dev.board, c);
	switch (c->read_state) {
	case RW_LSB:
		return (uint8_t)v;
	case RW_MSB:
		return (uint8_t)(v >> 8);
	case RW_WORD:
		c->read_state = RW_WORD1;
		return (uint8_t)v;
	default:
		r = (uint8_t)(v >> 8);
		c->read_state = RW_WORD;
		return r;
	}
}

static uint64_t pit_io_read(void *opaque, uint64_t off, unsigned size)
{
	struct pit *p = opaque;

	(void)size;
	if (off == 3)
		return 0xff;
	return pit_read_count(p, (unsigned)off);
}

static void pit_io_write(void *opaque, uint64_t off, uint64_t val,
			 unsigned size)
{
	struct pit *p = opaque;

	(void)size;
	if (off == 3)
		pit_write_ctrl(p, (uint8_t)val);
	else
		pit_write_count(p, (unsigned)off, (uint8_t)val);
}

static const struct io_ops pit_ops = {
	.read = pit_io_read, .write = pit_io_write, .sizes = IO_SZ1,
};

static uint64_t portb_read(void *opaque, uint64_t off, unsigned size)
{
	struct pit *p = opaque;
	struct board *b = p->dev.board;
	/* DRAM refresh request toggles every 15.085 us. */
	bool refresh = (dev_clock_ns(b) / 15085) & 1;

	(void)off;
	(void)size;
	return (p->ch[2].gate ? 0x01 : 0) | (p->speaker ? 0x02 : 0) |
	       (refresh ? 0x10 : 0) | (pit_out(b, &p->ch[2]) ? 0x20 : 0);
}

static void portb_write(void *opaque, uint64_t off, uint64_t val,
			unsigned size)
{
	struct pit *p = opaque;
	struct pit_chan *c = &p->ch[2];
	bool gate = val & 1;

	(void)off;
	(void)size;
	/* A rising gate restarts modes 1, 2, 3 and 5. */
	if (gate && !c->gate && c->mode != 0 && c->mode != 4)
		c->load_ns = dev_clock_ns(p->dev.board);
	c->gate = gate;
	p->speaker = val & 2;
}

static const struct io_ops portb_ops = {
	.read = portb_read, .write = portb_write, .sizes = IO_SZ1,
};

static void pit_reset(struct device *d)
{
	struct pit *p = DEV_CONTAINER(d, struct pit, dev);
	unsigned i;

	dtimer_del(d->board, &p->timer);
	for (i = 0; i < 3; i++) {
		struct pit_chan *c = &p->ch[i];

		memset(c, 0, sizeof(*c));
		c->mode = 3;
		c->rw_mode = c->read_state = c->write_state = RW_WORD;
		c->gate = i != 2;
		c->count = 0x10000;
		c->load_ns = dev_clock_ns(d->board);
	}
	p->speaker = false;
	/* Firmware programs channel 0 itself; until then no IRQ0. */
}

static void pit_release(struct device *d)
{
	struct pit *p = DEV_CONTAINER(d, struct pit, dev);

	dtimer_del(d->board, &p->timer);
	free(p);
}

static const struct device_ops pit_dev_ops = {
	.reset = pit_reset, .release = pit_release,
};

int pit_create(struct board *b, const struct board_config *cfg)
{
	struct pit *p = calloc(1, sizeof(*p));
	int rc;

	(void)cfg;
	if (!p)
		return -ENOMEM;
	dev_register(b, &p->dev, "i8254", &pit_dev_ops);
	dtimer_init(&p->timer, pit_timer_cb, p);
	p->irq_src = irq_source_new(b);
	io_region_init(&p->io, "i8254", &pit_ops, p, IO_SPACE_PORT);
	io_region_init(&p->portb, "port 0x61", &portb_ops, p, IO_SPACE_PORT);
	rc = io_region_map(b, &p->io, 0x40, 4);
	if (!rc)
		rc = io_region_map(b, &p->portb, 0x61, 1);
	return rc;
}
