/*
 * PIIX3 PCI-to-ISA bridge, function 00:01.0, with the registers of the
 * PC's system control that VirtualBox keeps next to it: reset control
 * (0xcf9) and system control port A (0x92, fast A20 and fast reset).
 *
 * Spec: Intel 82371SB (PIIX3) datasheet: vendor 8086, device 7000, class
 * 06/01, header type 0x80 (multi-function); PIRQ route control 0x60-0x63
 * (bit 7 disables, bits 3:0 the ISA IRQ), reset control 0xcf9 (bit 2
 * starts a reset, bit 1 selects a hard reset), port 0x92 (bit 0 fast
 * reset, bit 1 A20).
 *
 * The other function-0 registers are plain storage with their documented
 * power-on values.
 */
#include <errno.h>
#include <stdlib.h>

#include "lib/devices/pci.h"

struct piix3 {
	struct device dev;
	struct pci_func pci;
	uint8_t rcr;            /* reset control */
	uint8_t port92;
	struct io_region p92;
};

static struct piix3 *the_piix3(struct board *b)
{
	struct device *d = board_piix3(b);

	return d ? DEV_CONTAINER(d, struct piix3, dev) : NULL;
}

uint8_t piix3_pirq_route(struct board *b, unsigned pirq)
{
	struct piix3 *p = the_piix3(b);

	if (!p || pirq > 3)
		return 0x80;
	return p->pci.cfg[0x60 + pirq];
}

static void piix3_cfg_written(struct pci_func *f, unsigned off, unsigned size)
{
	if (off < 0x64 && off + size > 0x60)
		irq_pirq_changed(f->board);
}

static void cf9_write(void *opaque, uint8_t v)
{
	struct piix3 *p = opaque;

	p->rcr = v & 0x0a;
	if (v & 0x04) {
		dev_log(p->dev.board, "PIIX3: %s reset requested through port 0xcf9",
			(v & 0x02) ? "hard" : "soft");
		board_request_reset(p->dev.board, BOARD_RESET_CF9);
	}
}

static uint8_t cf9_read(void *opaque)
{
	struct piix3 *p = opaque;

	return p->rcr;
}

static uint64_t p92_read(void *opaque, uint64_t off, unsigned size)
{
	struct piix3 *p = opaque;

	(void)off;
	(void)size;
	return p->port92 & 0xfe;
}

static void p92_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct piix3 *p = opaque;
	uint8_t v = (uint8_t)val;

	(void)off;
	(void)size;
	board_set_a20(p->dev.board, v & 0x02);
	if ((v & 0x01) && !(p->port92 & 0x01)) {
		dev_log(p->dev.board, "Fast reset requested through port 0x92");
		board_request_reset(p->dev.board, BOARD_RESET_PORT92);
	}
	p->port92 = v & 0x03;
}

static const struct io_ops p92_ops = {
	.read = p92_read, .write = p92_write, .sizes = IO_SZ1,
};

static void piix3_reset(struct device *d)
{
	struct piix3 *p = DEV_CONTAINER(d, struct piix3, dev);

	pci_func_reset(&p->pci);
	p->rcr = 0;
	p->port92 = 0x02;
	irq_pirq_changed(d->board);
}

static void piix3_release(struct device *d)
{
	free(DEV_CONTAINER(d, struct piix3, dev));
}

static const struct device_ops piix3_ops = {
	.reset = piix3_reset, .release = piix3_release,
};

int piix3_create(struct board *b, const struct board_config *cfg)
{
	struct piix3 *p;
	struct pci_bus *bus = board_pci(b);
	int rc;

	(void)cfg;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	dev_register(b, &p->dev, "piix3", &piix3_ops);
	pci_func_init(&p->pci, "piix3", PCI_DEVFN(1, 0), 0x8086, 0x7000, 0x00,
		      0x060100, 0x80, 0);
	p->pci.cfg_written = piix3_cfg_written;
	p->pci.cfg[0x04] = 0x07;
	p->pci.cfg[0x06] = 0x00;
	p->pci.cfg[0x07] = 0x02;        /* DEVSEL medium */
	p->pci.wmask[0x3c] = 0x00;
	pci_cfg_writable(&p->pci, 0x4c, 0xb4);
	p->pci.cfg[0x4c] = 0x4d;        /* ISA I/O recovery timer */
	p->pci.cfg[0x4e] = 0x03;        /* X-bus chip select */
	p->pci.cfg[0x60] = p->pci.cfg[0x61] = 0x80;
	p->pci.cfg[0x62] = p->pci.cfg[0x63] = 0x80;
	p->pci.cfg[0x69] = 0x02;        /* top of memory */
	p->pci.cfg[0x70] = p->pci.cfg[0x71] = 0x80;     /* MBIRQ */
	p->pci.cfg[0x76] = p->pci.cfg[0x77] = 0x0c;     /* MBDMA */
	p->pci.cfg[0x78] = 0x02;
	p->pci.cfg[0xa0] = 0x08;        /* SMI control */
	p->pci.cfg[0xa8] = 0x0f;
	rc = pci_func_register(b, &p->pci);
	if (rc)
		return rc;
	board_set_piix3(b, &p->dev);
	pci_bus_set_cf9(bus, cf9_write, cf9_read, p);
	io_region_init(&p->p92, "port 0x92", &p92_ops, p, IO_SPACE_PORT);
	return io_region_map(b, &p->p92, 0x92, 1);
}
