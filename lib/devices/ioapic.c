/*
 * I/O APIC (82093AA, version 0x11, 24 pins) at 0xfec00000.
 *
 * Spec: Intel 82093AA I/O APIC datasheet: IOREGSEL (+0x00), IOWIN
 * (+0x10), registers ID (0), version (1), arbitration (2), redirection
 * table (0x10 + 2n).  Interrupts leave as x86 MSI messages (Intel SDM
 * vol. 3 10.11) which the engine hands to its local APICs.
 *
 * Level-triggered pins keep Remote IRR until a local APIC's EOI for
 * their vector comes back (board_ioapic_eoi); an edge that arrives while
 * its pin is masked is ignored, as the datasheet says.
 *
 * Limits: ExtINT delivery is sent as a message and KVM's APIC ignores it
 * (guests use the PIC through LINT0 instead); no EOI register (that is
 * version 0x20).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/devices/dev.h"

#define IOAPIC_BASE 0xfec00000ull
#define IOAPIC_PINS 24

#define RTE_MASKED   (1ull << 16)
#define RTE_LEVEL    (1ull << 15)
#define RTE_RIRR     (1ull << 14)
#define RTE_POLARITY (1ull << 13)
#define RTE_PENDING  (1ull << 12)
#define RTE_LOGICAL  (1ull << 11)
#define RTE_RO_BITS  (RTE_RIRR | RTE_PENDING)

struct ioapic {
	struct device dev;
	uint32_t id;
	uint8_t sel;
	uint64_t rte[IOAPIC_PINS];
	uint32_t irr;           /* pins asserted (level) / edges pending */
	struct io_region io;
};

static void rte_message(uint64_t rte, uint64_t *addr, uint32_t *data)
{
	unsigned dm = (rte >> 8) & 7;

	*addr = 0xfee00000ull | ((rte >> 56) << 12) |
		((rte & RTE_LOGICAL) ? 4 : 0) | (dm == 1 ? 8 : 0);
	*data = (uint32_t)(rte & 0xff) | (dm << 8) |
		((rte & RTE_LEVEL) ? (1u << 15) | (1u << 14) : 0);
}

static void ioapic_service(struct ioapic *io)
{
	const struct board_host *h = board_hostops(io->dev.board);
	unsigned i;

	for (i = 0; i < IOAPIC_PINS; i++) {
		uint64_t rte = io->rte[i];
		uint64_t addr;
		uint32_t data;

		if (!(io->irr & (1u << i)) || (rte & RTE_MASKED))
			continue;
		if (rte & RTE_LEVEL) {
			if (rte & RTE_RIRR)
				continue;
			io->rte[i] |= RTE_RIRR;
		} else {
			io->irr &= ~(1u << i);
		}
		rte_message(rte, &addr, &data);
		if (h->msi)
			h->msi(h->opaque, addr, data);
	}
}

void ioapic_set_irq(struct ioapic *io, unsigned pin, bool level)
{
	uint32_t bit;

	if (pin >= IOAPIC_PINS)
		return;
	bit = 1u << pin;
	/* Active-low polarity inverts the wire; our sources are active
	 * high as the firmware's tables describe them. */
	if (io->rte[pin] & RTE_LEVEL) {
		if (level)
			io->irr |= bit;
		else
			io->irr &= ~bit;
	} else if (level && !(io->rte[pin] & RTE_MASKED)) {
		/* A masked edge is lost, as on the 82093AA. */
		io->irr |= bit;
	}
	ioapic_service(io);
}

void ioapic_eoi(struct ioapic *io, uint8_t vector)
{
	unsigned i;

	for (i = 0; i < IOAPIC_PINS; i++) {
		uint64_t rte = io->rte[i];

		if ((rte & 0xff) == vector && (rte & RTE_LEVEL) &&
		    (rte & RTE_RIRR))
			io->rte[i] &= ~RTE_RIRR;
	}
	ioapic_service(io);
}

void ioapic_routes(struct ioapic *io, struct board_msi_route out[24])
{
	unsigned i;

	for (i = 0; i < IOAPIC_PINS; i++) {
		out[i].valid = !(io->rte[i] & RTE_MASKED);
		rte_message(io->rte[i], &out[i].addr, &out[i].data);
	}
}

static uint32_t ioapic_reg_read(struct ioapic *io)
{
	unsigned idx;

	switch (io->sel) {
	case 0:
		return io->id << 24;
	case 1:
		return ((IOAPIC_PINS - 1) << 16) | 0x11;
	case 2:
		return io->id << 24;
	default:
		if (io->sel < 0x10 || io->sel >= 0x10 + 2 * IOAPIC_PINS)
			return 0xffffffffu;
		idx = (io->sel - 0x10) / 2;
		if (io->sel & 1)
			return (uint32_t)(io->rte[idx] >> 32);
		return (uint32_t)io->rte[idx];
	}
}

static void ioapic_reg_write(struct ioapic *io, uint32_t v)
{
	const struct board_host *h = board_hostops(io->dev.board);
	unsigned idx;
	uint64_t old, rte;

	if (io->sel == 0) {
		io->id = (v >> 24) & 0xf;
		return;
	}
	if (io->sel < 0x10 || io->sel >= 0x10 + 2 * IOAPIC_PINS)
		return;
	idx = (io->sel - 0x10) / 2;
	old = io->rte[idx];
	if (io->sel & 1)
		rte = (old & 0xffffffffull) | ((uint64_t)v << 32);
	else
		rte = (old & 0xffffffff00000000ull) | v;
	rte = (rte & ~RTE_RO_BITS) | (old & RTE_RO_BITS);
	if (!(rte & RTE_LEVEL))
		rte &= ~RTE_RIRR;
	io->rte[idx] = rte;
	if (rte != old && h->ioapic_changed) {
		struct board_msi_route r[IOAPIC_PINS];

		ioapic_routes(io, r);
		h->ioapic_changed(h->opaque, r);
	}
	ioapic_service(io);
}

static uint64_t ioapic_read(void *opaque, uint64_t off, unsigned size)
{
	struct ioapic *io = opaque;

	(void)size;
	if (off == 0)
		return io->sel;
	if (off == 0x10)
		return ioapic_reg_read(io);
	return 0;
}

static void ioapic_write(void *opaque, uint64_t off, uint64_t val,
			 unsigned size)
{
	struct ioapic *io = opaque;

	(void)size;
	if (off == 0)
		io->sel = (uint8_t)val;
	else if (off == 0x10)
		ioapic_reg_write(io, (uint32_t)val);
}

static const struct io_ops ioapic_ops = {
	.read = ioapic_read, .write = ioapic_write, .sizes = IO_SZ4,
	.aligned = true,
};

static void ioapic_reset(struct device *d)
{
	struct ioapic *io = DEV_CONTAINER(d, struct ioapic, dev);
	const struct board_host *h = board_hostops(d->board);
	unsigned i;

	io->id = 0;
	io->sel = 0;
	io->irr = 0;
	for (i = 0; i < IOAPIC_PINS; i++)
		io->rte[i] = RTE_MASKED;
	if (h->ioapic_changed) {
		struct board_msi_route r[IOAPIC_PINS];

		ioapic_routes(io, r);
		h->ioapic_changed(h->opaque, r);
	}
}

static void ioapic_release(struct device *d)
{
	free(DEV_CONTAINER(d, struct ioapic, dev));
}

static const struct device_ops ioapic_dev_ops = {
	.reset = ioapic_reset, .release = ioapic_release,
};

int ioapic_create(struct board *b, const struct board_config *cfg)
{
	struct ioapic *io;

	if (!cfg->ioapic)
		return 0;
	io = calloc(1, sizeof(*io));
	if (!io)
		return -ENOMEM;
	dev_register(b, &io->dev, "ioapic", &ioapic_dev_ops);
	io_region_init(&io->io, "ioapic", &ioapic_ops, io, IO_SPACE_MMIO);
	board_set_ioapic(b, io);
	return io_region_map(b, &io->io, IOAPIC_BASE, 0x1000);
}
