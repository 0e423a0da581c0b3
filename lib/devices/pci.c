/*
 * PCI bus 0 with configuration mechanism #1 (ports 0xcf8 address, 0xcfc
 * data), as the i440FX host bridge decodes it.
 *
 * Spec: PCI Local Bus Specification 3.0, 3.2.2.3.2 (mechanism #1) and
 * 6.2 (configuration header: command, status, BARs with size probing by
 * writing all ones, interrupt line/pin); Intel 82371SB datasheet for the
 * reset control register that shares 0xcf8-0xcfb (byte access at 0xcf9).
 *
 * Limits: one bus, no bridges, no capabilities list, no expansion ROMs;
 * only byte accesses reach 0xcf9, and only dword accesses 0xcf8.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/devices/pci.h"

struct pci_bus {
	struct device dev;
	uint32_t addr;
	struct pci_func *funcs[256];
	void (*cf9_write)(void *opaque, uint8_t val);
	uint8_t (*cf9_read)(void *opaque);
	void *cf9_opaque;
	struct io_region addr_io, data_io;
};

void pci_func_init(struct pci_func *f, const char *name, uint8_t devfn,
		   uint16_t vendor, uint16_t device, uint8_t rev,
		   uint32_t class_code, uint8_t header_type, uint8_t int_pin)
{
	memset(f, 0, sizeof(*f));
	f->name = name;
	f->devfn = devfn;
	dev_put_le16(&f->cfg[0x00], vendor);
	dev_put_le16(&f->cfg[0x02], device);
	f->cfg[0x08] = rev;
	f->cfg[0x09] = (uint8_t)class_code;
	f->cfg[0x0a] = (uint8_t)(class_code >> 8);
	f->cfg[0x0b] = (uint8_t)(class_code >> 16);
	f->cfg[0x0e] = header_type;
	f->cfg[0x3d] = int_pin;
	/* Command: I/O, memory, bus master, SERR, INTx disable. */
	f->wmask[0x04] = 0x07;
	f->wmask[0x05] = 0x05;
	/* Status: error bits are write-1-to-clear. */
	f->w1cmask[0x07] = 0xf9;
	f->wmask[0x0c] = 0xff;          /* cache line size */
	f->wmask[0x0d] = 0xff;          /* latency timer */
	f->wmask[0x3c] = 0xff;          /* interrupt line */
}

void pci_cfg_writable(struct pci_func *f, unsigned off, unsigned len)
{
	while (len-- && off < 256)
		f->wmask[off++] = 0xff;
}

void pci_func_bar(struct pci_func *f, unsigned n, uint64_t size,
		  unsigned flags, struct io_region *r)
{
	uint64_t mask;
	unsigned off = 0x10 + 4 * n;

	if (n >= 6)
		return;
	f->bar[n].size = size;
	f->bar[n].flags = flags;
	f->bar[n].region = r;
	mask = ~(size - 1);
	if (flags & PCI_BAR_IO) {
		dev_put_le32(&f->cfg[off], PCI_BAR_IO);
		dev_put_le32(&f->wmask[off], (uint32_t)mask & 0xfffffffcu);
	} else {
		dev_put_le32(&f->cfg[off], flags & (PCI_BAR_MEM64 | PCI_BAR_PREFETCH));
		dev_put_le32(&f->wmask[off], (uint32_t)mask & 0xfffffff0u);
		if ((flags & PCI_BAR_MEM64) && n < 5)
			dev_put_le32(&f->wmask[off + 4], (uint32_t)(mask >> 32));
	}
}

static uint64_t bar_addr(const struct pci_func *f, unsigned n)
{
	const struct pci_bar *bar = &f->bar[n];
	uint64_t v = pci_cfg_get32(f, 0x10 + 4 * n);

	if (bar->flags & PCI_BAR_IO)
		return v & ~3ull;
	v &= ~0xfull;
	if ((bar->flags & PCI_BAR_MEM64) && n < 5)
		v |= (uint64_t)pci_cfg_get32(f, 0x14 + 4 * n) << 32;
	return v;
}

static void pci_update_bars(struct pci_func *f)
{
	uint16_t cmd = dev_le16(&f->cfg[0x04]);
	unsigned n;

	for (n = 0; n < 6; n++) {
		struct pci_bar *bar = &f->bar[n];
		uint64_t a;
		bool on;

		if (!bar->size || !bar->region)
			continue;
		a = bar_addr(f, n);
		if (bar->flags & PCI_BAR_IO)
			on = (cmd & 1) && a && a + bar->size <= 0x10000;
		else
			on = (cmd & 2) && a &&
			     a != (~(bar->size - 1) & 0xfffffff0u) &&
			     a + bar->size > a;
		if (!on) {
			io_region_unmap(f->board, bar->region);
			continue;
		}
		if (bar->region->mapped && bar->region->base == a)
			continue;
		if (io_region_map(f->board, bar->region, a, bar->size) < 0) {
			dev_log(f->board, "PCI %02x.%x %s: BAR%u at %#llx overlaps another device; not decoded",
				f->devfn >> 3, f->devfn & 7, f->name, n,
				(unsigned long long)a);
			io_region_unmap(f->board, bar->region);
		}
	}
}

bool pci_bus_master(const struct pci_func *f)
{
	return f->cfg[0x04] & 0x04;
}

void pci_set_irq(struct pci_func *f, bool level)
{
	bool eff;

	f->intx = level;
	if (level)
		f->cfg[0x06] |= 0x08;
	else
		f->cfg[0x06] &= (uint8_t)~0x08;
	eff = level && !(f->cfg[0x05] & 0x04) && f->cfg[0x3d];
	irq_pci_set(f->board, f->devfn, f->cfg[0x3d] ? f->cfg[0x3d] : 1, eff);
}

void pci_func_reset(struct pci_func *f)
{
	unsigned n;

	memcpy(f->cfg, f->cfg_reset, sizeof(f->cfg));
	for (n = 0; n < 6; n++)
		if (f->bar[n].region)
			io_region_unmap(f->board, f->bar[n].region);
	if (f->intx)
		pci_set_irq(f, false);
}

int pci_func_register(struct board *b, struct pci_func *f)
{
	struct pci_bus *bus = board_pci(b);

	if (!bus || bus->funcs[f->devfn])
		return -EBUSY;
	f->board = b;
	memcpy(f->cfg_reset, f->cfg, sizeof(f->cfg));
	bus->funcs[f->devfn] = f;
	return 0;
}

static uint32_t cfg_read(struct pci_func *f, unsigned off, unsigned size)
{
	uint32_t v = 0;
	unsigned i;

	for (i = 0; i < size && off + i < 256; i++)
		v |= (uint32_t)f->cfg[off + i] << (8 * i);
	return v;
}

static void cfg_write(struct pci_func *f, unsigned off, unsigned size,
		      uint32_t val)
{
	bool bars = false;
	unsigned i;

	for (i = 0; i < size && off + i < 256; i++) {
		unsigned o = off + i;
		uint8_t v = (uint8_t)(val >> (8 * i));

		f->cfg[o] = (uint8_t)((f->cfg[o] & ~f->wmask[o]) | (v & f->wmask[o]));
		f->cfg[o] &= (uint8_t)~(v & f->w1cmask[o]);
		if (o == 0x04 || o == 0x05 || (o >= 0x10 && o < 0x28))
			bars = true;
	}
	if (bars)
		pci_update_bars(f);
	if (off <= 0x05 && off + size > 0x05)
		pci_set_irq(f, f->intx);        /* INTx disable may have changed */
	if (f->cfg_written)
		f->cfg_written(f, off, size);
}

static uint64_t addr_read(void *opaque, uint64_t off, unsigned size)
{
	struct pci_bus *bus = opaque;

	if (off == 0 && size == 4)
		return bus->addr;
	if (off == 1 && size == 1 && bus->cf9_read)
		return bus->cf9_read(bus->cf9_opaque);
	return 0xffffffffu;
}

static void addr_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct pci_bus *bus = opaque;

	if (off == 0 && size == 4)
		bus->addr = (uint32_t)val & 0x80fffffcu;
	else if (off == 1 && size == 1 && bus->cf9_write)
		bus->cf9_write(bus->cf9_opaque, (uint8_t)val);
}

static const struct io_ops addr_ops = {
	.read = addr_read, .write = addr_write,
	.sizes = IO_SZ1 | IO_SZ2 | IO_SZ4,
};

static struct pci_func *addressed(struct pci_bus *bus, unsigned *reg)
{
	uint32_t a = bus->addr;

	if (!(a & 0x80000000u) || ((a >> 16) & 0xff))
		return NULL;
	*reg = a & 0xfc;
	return bus->funcs[(a >> 8) & 0xff];
}

static uint64_t data_read(void *opaque, uint64_t off, unsigned size)
{
	struct pci_bus *bus = opaque;
	unsigned reg;
	struct pci_func *f = addressed(bus, &reg);

	if (!f)
		return 0xffffffffu;
	return cfg_read(f, reg + (unsigned)off, size);
}

static void data_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct pci_bus *bus = opaque;
	unsigned reg;
	struct pci_func *f = addressed(bus, &reg);

	if (f)
		cfg_write(f, reg + (unsigned)off, size, (uint32_t)val);
}

static const struct io_ops data_ops = {
	.read = data_read, .write = data_write,
	.sizes = IO_SZ1 | IO_SZ2 | IO_SZ4,
};

void pci_bus_set_cf9(struct pci_bus *bus,
		     void (*wr)(void *opaque, uint8_t val),
		     uint8_t (*rd)(void *opaque), void *opaque)
{
	bus->cf9_write = wr;
	bus->cf9_read = rd;
	bus->cf9_opaque = opaque;
}

static void pci_bus_reset(struct device *d)
{
	struct pci_bus *bus = DEV_CONTAINER(d, struct pci_bus, dev);

	bus->addr = 0;
}

static void pci_bus_release(struct device *d)
{
	free(DEV_CONTAINER(d, struct pci_bus, dev));
}

static const struct device_ops pci_bus_ops = {
	.reset = pci_bus_reset, .release = pci_bus_release,
};

int pci_bus_create(struct board *b)
{
	struct pci_bus *bus = calloc(1, sizeof(*bus));
	int rc;

	if (!bus)
		return -ENOMEM;
	dev_register(b, &bus->dev, "pci", &pci_bus_ops);
	io_region_init(&bus->addr_io, "pci config address", &addr_ops, bus,
		       IO_SPACE_PORT);
	io_region_init(&bus->data_io, "pci config data", &data_ops, bus,
		       IO_SPACE_PORT);
	rc = io_region_map(b, &bus->addr_io, 0xcf8, 4);
	if (!rc)
		rc = io_region_map(b, &bus->data_io, 0xcfc, 4);
	if (rc)
		return rc;
	board_set_pci(b, bus);
	return 0;
}
