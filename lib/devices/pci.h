/*
 * PCI functions on bus 0 (internal to lib/devices).
 *
 * A device embeds a struct pci_func, fills in identity and BARs, and
 * registers it.  Configuration space writes go through per-byte write
 * masks (read-only, writable, write-1-to-clear); BARs are memory or I/O
 * ranges that the bus maps while the command register enables decoding.
 * The device hook sees every write after it was applied.
 */
#ifndef VB_DEVICES_PCI_H
#define VB_DEVICES_PCI_H

#include "lib/devices/dev.h"

#define PCI_BAR_IO      0x1
#define PCI_BAR_MEM64   0x4
#define PCI_BAR_PREFETCH 0x8

#define PCI_DEVFN(slot, fn) (((slot) << 3) | (fn))

struct pci_func;

struct pci_bar {
	uint64_t size;          /* power of two; 0 = unused */
	unsigned flags;         /* PCI_BAR_* */
	struct io_region *region;
};

struct pci_func {
	struct board *board;
	uint8_t devfn;
	const char *name;
	uint8_t cfg[256];
	uint8_t wmask[256];
	uint8_t w1cmask[256];
	uint8_t cfg_reset[256]; /* power-on contents */
	struct pci_bar bar[6];
	bool intx;              /* INTx level the device drives */
	/* Called after a configuration write was applied. */
	void (*cfg_written)(struct pci_func *f, unsigned off, unsigned size);
};

/* Identity: class is (base << 16) | (sub << 8) | prog-if. */
void pci_func_init(struct pci_func *f, const char *name, uint8_t devfn,
		   uint16_t vendor, uint16_t device, uint8_t rev,
		   uint32_t class_code, uint8_t header_type, uint8_t int_pin);
/* A BAR served by region r (not yet mapped). */
void pci_func_bar(struct pci_func *f, unsigned n, uint64_t size,
		  unsigned flags, struct io_region *r);
/* Mark config bytes [off, off+len) writable (or write-1-to-clear). */
void pci_cfg_writable(struct pci_func *f, unsigned off, unsigned len);
int pci_func_register(struct board *b, struct pci_func *f);
/* Back to power-on config, BARs unmapped, INTx low. */
void pci_func_reset(struct pci_func *f);
/* The device's INTx level (honours the command register's disable). */
void pci_set_irq(struct pci_func *f, bool level);
/* Bus master enabled (command bit 2). */
bool pci_bus_master(const struct pci_func *f);

static inline uint32_t pci_cfg_get32(const struct pci_func *f, unsigned off)
{
	return dev_le32(&f->cfg[off]);
}

/* The bus's config address/data ports also carry the PIIX3 reset
 * control register at 0xcf9; the PIIX3 gives its handler here. */
void pci_bus_set_cf9(struct pci_bus *bus,
		     void (*wr)(void *opaque, uint8_t val),
		     uint8_t (*rd)(void *opaque), void *opaque);

int pci_bus_create(struct board *b);

#endif
