/*
 * Two cascaded 8259A programmable interrupt controllers, plus the PIIX
 * edge/level control registers (ELCR, ports 0x4d0/0x4d1).
 *
 * Spec: Intel 8259A datasheet (ICW1-4, OCW1-3, priority rotation,
 * special mask, poll mode); Intel 82371SB (PIIX3) datasheet 2.3.12 for
 * the ELCR.  Ports 0x20/0x21 (master), 0xa0/0xa1 (slave, on master IR2).
 *
 * Subset: 8086 mode only (MCS-80 vectoring is not modelled); buffered
 * mode bits of ICW4 are stored and ignored; ICW1 LTIM (level mode for all
 * inputs) is ignored in favour of the ELCR, as on the PIIX.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/devices/dev.h"

struct pic_chip {
	uint8_t irr, imr, isr;
	uint8_t last_irr;       /* input levels, for edge detection */
	uint8_t priority_add;   /* lowest-priority rotation base */
	uint8_t irq_base;
	uint8_t elcr, elcr_mask;
	uint8_t init_state;     /* 0 ready, 1..3 expecting ICW2..ICW4 */
	bool read_isr, poll, special_mask, auto_eoi, rotate_on_aeoi;
	bool special_nested, init4, single;
};

struct pic;

struct pic_port {
	struct pic *pic;
	int idx;                /* 0 master, 1 slave */
};

struct pic {
	struct device dev;
	struct pic_chip chip[2];
	struct pic_port port[2];
	bool output;
	struct io_region io[2], elcr_io;
};

static int chip_priority(const struct pic_chip *c, uint8_t mask)
{
	int p;

	if (!mask)
		return 8;
	for (p = 0; !(mask & (1 << ((p + c->priority_add) & 7))); p++)
		;
	return p;
}

/* The highest-priority request that may interrupt now, or -1. */
static int chip_get_irq(const struct pic_chip *c, bool master)
{
	uint8_t mask = c->irr & (uint8_t)~c->imr;
	int prio = chip_priority(c, mask), cur;

	if (prio == 8)
		return -1;
	mask = c->isr;
	if (c->special_mask)
		mask &= (uint8_t)~c->imr;
	if (master && c->special_nested)
		mask &= (uint8_t)~(1 << 2);
	cur = chip_priority(c, mask);
	if (prio < cur)
		return (prio + c->priority_add) & 7;
	return -1;
}

static void chip_set_irq(struct pic_chip *c, unsigned irq, bool level)
{
	uint8_t m = (uint8_t)(1 << irq);

	if (c->elcr & m) {
		if (level) {
			c->irr |= m;
			c->last_irr |= m;
		} else {
			c->irr &= (uint8_t)~m;
			c->last_irr &= (uint8_t)~m;
		}
	} else if (level) {
		if (!(c->last_irr & m))
			c->irr |= m;
		c->last_irr |= m;
	} else {
		c->last_irr &= (uint8_t)~m;
	}
}

static void pic_update(struct pic *p)
{
	struct board *b = p->dev.board;
	bool out;

	/* The slave's INT output is a level on the master's IR2. */
	if (chip_get_irq(&p->chip[1], false) >= 0) {
		p->chip[0].irr |= 0x04;
		p->chip[0].last_irr |= 0x04;
	} else {
		p->chip[0].irr &= (uint8_t)~0x04;
		p->chip[0].last_irr &= (uint8_t)~0x04;
	}
	out = chip_get_irq(&p->chip[0], true) >= 0;
	if (out != p->output) {
		p->output = out;
		if (board_hostops(b)->intr_changed)
			board_hostops(b)->intr_changed(board_hostops(b)->opaque, out);
	}
}

void pic_set_irq(struct pic *p, unsigned irq, bool level)
{
	if (irq >= 16)
		return;
	chip_set_irq(&p->chip[irq >> 3], irq & 7, level);
	pic_update(p);
}

bool pic_output(struct pic *p)
{
	return p->output;
}

static void chip_intack(struct pic_chip *c, int irq)
{
	uint8_t m = (uint8_t)(1 << irq);

	if (c->auto_eoi) {
		if (c->rotate_on_aeoi)
			c->priority_add = (uint8_t)((irq + 1) & 7);
	} else {
		c->isr |= m;
	}
	if (!(c->elcr & m))
		c->irr &= (uint8_t)~m;
}

int pic_ack(struct pic *p)
{
	struct pic_chip *m = &p->chip[0], *s = &p->chip[1];
	int irq = chip_get_irq(m, true), irq2, vec;

	if (irq < 0) {
		vec = m->irq_base + 7;          /* spurious */
	} else if (irq == 2) {
		irq2 = chip_get_irq(s, false);
		if (irq2 >= 0)
			chip_intack(s, irq2);
		else
			irq2 = 7;
		chip_intack(m, 2);
		vec = s->irq_base + irq2;
	} else {
		chip_intack(m, irq);
		vec = m->irq_base + irq;
	}
	pic_update(p);
	return vec;
}

static void chip_init_reset(struct pic_chip *c)
{
	uint8_t elcr = c->elcr, elcr_mask = c->elcr_mask;

	memset(c, 0, sizeof(*c));
	c->elcr = elcr;
	c->elcr_mask = elcr_mask;
}

static void chip_write(struct pic *p, struct pic_chip *c, bool master,
		       unsigned port, uint8_t v)
{
	if (port == 0) {
		if (v & 0x10) {                         /* ICW1 */
			chip_init_reset(c);
			c->init_state = 1;
			c->init4 = v & 1;
			c->single = v & 2;
		} else if (v & 0x08) {                  /* OCW3 */
			if (v & 0x04)
				c->poll = true;
			if (v & 0x02)
				c->read_isr = v & 1;
			if (v & 0x40)
				c->special_mask = (v >> 5) & 1;
		} else {                                /* OCW2 */
			unsigned cmd = v >> 5, irq;
			int prio;

			switch (cmd) {
			case 0:
			case 4:
				c->rotate_on_aeoi = cmd >> 2;
				break;
			case 1:
			case 5:
				prio = chip_priority(c, c->isr);
				if (prio != 8) {
					irq = (prio + c->priority_add) & 7;
					c->isr &= (uint8_t)~(1 << irq);
					if (cmd == 5)
						c->priority_add = (uint8_t)((irq + 1) & 7);
				}
				break;
			case 3:
				c->isr &= (uint8_t)~(1 << (v & 7));
				break;
			case 6:
				c->priority_add = (uint8_t)((v + 1) & 7);
				break;
			case 7:
				irq = v & 7;
				c->isr &= (uint8_t)~(1 << irq);
				c->priority_add = (uint8_t)((irq + 1) & 7);
				break;
			default:
				break;
			}
		}
	} else {
		switch (c->init_state) {
		case 0:                                 /* OCW1 */
			c->imr = v;
			break;
		case 1:                                 /* ICW2 */
			c->irq_base = v & 0xf8;
			c->init_state = c->single ? (c->init4 ? 3 : 0) : 2;
			break;
		case 2:                                 /* ICW3 */
			c->init_state = c->init4 ? 3 : 0;
			break;
		case 3:                                 /* ICW4 */
			c->special_nested = (v >> 4) & 1;
			c->auto_eoi = (v >> 1) & 1;
			c->init_state = 0;
			break;
		}
	}
	(void)master;
	pic_update(p);
}

static uint8_t chip_poll(struct pic *p, struct pic_chip *c, bool master)
{
	int irq = chip_get_irq(c, master);

	c->poll = false;
	if (irq < 0)
		return 0;
	chip_intack(c, irq);
	if (master && irq == 2) {
		struct pic_chip *s = &p->chip[1];
		int irq2 = chip_get_irq(s, false);

		if (irq2 >= 0)
			chip_intack(s, irq2);
	}
	pic_update(p);
	return (uint8_t)(irq | 0x80);
}

static uint64_t pic_port_read(void *opaque, uint64_t off, unsigned size)
{
	struct pic_port *pp = opaque;
	struct pic *p = pp->pic;
	struct pic_chip *c = &p->chip[pp->idx];
	bool master = pp->idx == 0;

	(void)size;
	if (c->poll)
		return chip_poll(p, c, master);
	if (off == 0)
		return c->read_isr ? c->isr : c->irr;
	return c->imr;
}

static void pic_port_write(void *opaque, uint64_t off, uint64_t val,
			   unsigned size)
{
	struct pic_port *pp = opaque;
	struct pic *p = pp->pic;
	struct pic_chip *c = &p->chip[pp->idx];
	bool master = pp->idx == 0;

	(void)size;
	chip_write(p, c, master, (unsigned)off, (uint8_t)val);
}

static const struct io_ops pic_ops = {
	.read = pic_port_read, .write = pic_port_write, .sizes = IO_SZ1,
};

static uint64_t elcr_read(void *opaque, uint64_t off, unsigned size)
{
	struct pic *p = opaque;

	(void)size;
	return p->chip[off & 1].elcr;
}

static void elcr_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct pic *p = opaque;
	struct pic_chip *c = &p->chip[off & 1];

	(void)size;
	c->elcr = (uint8_t)val & c->elcr_mask;
	pic_update(p);
}

static const struct io_ops elcr_ops = {
	.read = elcr_read, .write = elcr_write, .sizes = IO_SZ1,
};

void pic_set_elcr(struct pic *p, uint16_t elcr)
{
	p->chip[0].elcr = (uint8_t)elcr & p->chip[0].elcr_mask;
	p->chip[1].elcr = (uint8_t)(elcr >> 8) & p->chip[1].elcr_mask;
	pic_update(p);
}

uint16_t pic_get_elcr(struct pic *p)
{
	return (uint16_t)(p->chip[0].elcr | (p->chip[1].elcr << 8));
}

static void pic_reset(struct device *d)
{
	struct pic *p = DEV_CONTAINER(d, struct pic, dev);
	unsigned i;

	for (i = 0; i < 2; i++) {
		chip_init_reset(&p->chip[i]);
		p->chip[i].elcr = 0;
	}
	p->output = false;
}

static void pic_release(struct device *d)
{
	free(DEV_CONTAINER(d, struct pic, dev));
}

static const struct device_ops pic_dev_ops = {
	.reset = pic_reset, .release = pic_release,
};

int pic_create(struct board *b, const struct board_config *cfg)
{
	struct pic *p = calloc(1, sizeof(*p));
	int rc;

	(void)cfg;
	if (!p)
		return -ENOMEM;
	p->chip[0].elcr_mask = 0xf8;
	p->chip[1].elcr_mask = 0xde;
	p->port[0].pic = p->port[1].pic = p;
	p->port[1].idx = 1;
	dev_register(b, &p->dev, "i8259", &pic_dev_ops);
	io_region_init(&p->io[0], "i8259 master", &pic_ops, &p->port[0],
		       IO_SPACE_PORT);
	io_region_init(&p->io[1], "i8259 slave", &pic_ops, &p->port[1],
		       IO_SPACE_PORT);
	io_region_init(&p->elcr_io, "elcr", &elcr_ops, p, IO_SPACE_PORT);
	rc = io_region_map(b, &p->io[0], 0x20, 2);
	if (!rc)
		rc = io_region_map(b, &p->io[1], 0xa0, 2);
	if (!rc)
		rc = io_region_map(b, &p->elcr_io, 0x4d0, 2);
	if (rc)
		return rc;
	board_set_pic(b, p);
	return 0;
}
