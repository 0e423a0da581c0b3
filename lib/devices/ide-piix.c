/*
 * PIIX IDE function (00:01.1): two channels in compatibility mode at the
 * legacy ports (0x1f0-0x1f7 + 0x3f6, IRQ 14; 0x170-0x177 + 0x376, IRQ 15)
 * and SFF-8038i bus-master DMA through BAR4, each channel with a master
 * and a slave drive (ata.c).
 *
 * Spec: Intel 82371SB (PIIX3) / 82371AB (PIIX4) datasheets, function 1:
 * identity (8086:7010 PIIX3, 8086:7111 PIIX4, 8086:269e ICH6), IDETIM
 * 0x40/0x42 (bit 15 enables the channel's legacy decode), bus-master
 * registers (command: start, direction; status: active, error, interrupt,
 * drive DMA capable; PRD table pointer); SFF-8038i PRD format (base,
 * byte count with 0 = 64 KiB, end-of-table bit 31).  ATA-6 for the
 * register block, device control (nIEN, SRST, HOB) and the INTRQ rules
 * (cleared by reading status).
 *
 * Reads of a channel with no drives float (0xff); with one drive, the
 * absent one's registers read 0 as QEMU and VirtualBox do.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/devices/ata.h"
#include "lib/devices/pci.h"

#define DC_NIEN 0x02
#define DC_SRST 0x04
#define DC_HOB  0x80

#define BM_START 0x01
#define BM_READ  0x08           /* device to memory */
#define BM_ST_ACTIVE 0x01
#define BM_ST_ERROR  0x02
#define BM_ST_IRQ    0x04

struct ide;

struct ide_channel {
	struct ide *ide;
	unsigned idx;
	struct ata_dev drive[2];
	unsigned cur;
	uint8_t ctl;
	bool irq_pending, irq;
	int irq_src;
	unsigned isa_irq;
	uint8_t bm_cmd, bm_status;
	uint32_t bm_prd;
	struct io_region cmd_io, ctl_io;
};

struct ide {
	struct device dev;
	struct pci_func pci;
	struct ide_channel ch[2];
	struct io_region bm_io;
};

struct prd_walk {
	struct board *b;
	uint32_t next;          /* next PRD entry */
	uint64_t base;          /* current entry */
	uint32_t left;
	bool eot;
	unsigned entries;
	bool fault;
};

static bool channel_empty(struct ide_channel *c)
{
	return c->drive[0].kind == BOARD_DRIVE_NONE &&
	       c->drive[1].kind == BOARD_DRIVE_NONE;
}

static struct ata_dev *selected(struct ide_channel *c)
{
	return &c->drive[c->cur];
}

static void ide_update_irq(struct ide_channel *c)
{
	bool level = c->irq_pending && !(c->ctl & DC_NIEN);

	if (level != c->irq) {
		c->irq = level;
		irq_isa_set(c->ide->dev.board, c->isa_irq, c->irq_src, level);
	}
}

static void ide_drive_irq(void *ctl)
{
	struct ide_channel *c = ctl;

	c->irq_pending = true;
	c->bm_status |= BM_ST_IRQ;
	ide_update_irq(c);
}

/* ------------------------------------------------------------------ */
/* Bus-master DMA                                                      */

static int prd_copy(void *ctx, uint8_t *buf, size_t len, bool to_guest)
{
	struct prd_walk *w = ctx;
	size_t done = 0;

	while (done < len) {
		size_t n;
		int rc;

		if (!w->left) {
			uint8_t e[8];

			if (w->eot || w->entries >= 8192)
				break;
			if (dma_read(w->b, w->next, e, sizeof(e)) < 0)
				return -EFAULT;
			w->base = dev_le32(e) & ~1u;
			w->left = dev_le16(e + 4);
			if (!w->left)
				w->left = 0x10000;
			w->eot = e[7] & 0x80;
			w->next += 8;
			w->entries++;
		}
		n = len - done < w->left ? len - done : w->left;
		if (to_guest)
			rc = dma_write(w->b, w->base, buf + done, n);
		else
			rc = dma_read(w->b, w->base, buf + done, n);
		if (rc < 0) {
			w->fault = true;
			return -EFAULT;
		}
		w->base += n;
		w->left -= (uint32_t)n;
		done += n;
	}
	return (int)done;
}

static void ide_bm_run(struct ide_channel *c)
{
	struct ata_dev *d = selected(c);
	struct prd_walk w;
	struct ata_sg sg = { prd_copy, &w };

	if (!(c->bm_cmd & BM_START) || !ata_dma_pending(d) ||
	    !pci_bus_master(&c->ide->pci))
		return;
	if (((c->bm_cmd & BM_READ) != 0) != (d->phase == ATA_DMA_IN)) {
		dev_log(c->ide->dev.board, "IDE: bus-master direction does not match the command");
		c->bm_status |= BM_ST_ERROR;
	}
	memset(&w, 0, sizeof(w));
	w.b = c->ide->dev.board;
	w.next = c->bm_prd;
	ata_xfer_sg(d, &sg);
	if (w.fault)
		c->bm_status |= BM_ST_ERROR;
	c->bm_status &= (uint8_t)~BM_ST_ACTIVE;
}

static uint64_t bm_read(void *opaque, uint64_t off, unsigned size)
{
	struct ide *ide = opaque;
	struct ide_channel *c = &ide->ch[off >= 8];
	unsigned r = (unsigned)off & 7;
	uint64_t v = 0;
	unsigned i;

	if (r >= 4 && r < 8 && size == 4)
		return c->bm_prd;
	for (i = 0; i < size; i++, r++) {
		uint8_t b = 0;

		if (r == 0)
			b = c->bm_cmd;
		else if (r == 2)
			b = c->bm_status;
		else if (r >= 4 && r < 8)
			b = (uint8_t)(c->bm_prd >> (8 * (r - 4)));
		v |= (uint64_t)b << (8 * i);
	}
	return v;
}

static void bm_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct ide *ide = opaque;
	struct ide_channel *c = &ide->ch[off >= 8];
	unsigned r = (unsigned)off & 7, i;

	for (i = 0; i < size; i++, r++) {
		uint8_t v = (uint8_t)(val >> (8 * i));

		if (r == 0) {
			bool was = c->bm_cmd & BM_START;

			c->bm_cmd = v & (BM_START | BM_READ);
			if ((v & BM_START) && !was) {
				c->bm_status |= BM_ST_ACTIVE;
				ide_bm_run(c);
			} else if (!(v & BM_START)) {
				c->bm_status &= (uint8_t)~BM_ST_ACTIVE;
			}
		} else if (r == 2) {
			c->bm_status = (uint8_t)((c->bm_status & ~(v & (BM_ST_ERROR | BM_ST_IRQ)) & ~0x60) |
						 (v & 0x60));
		} else if (r >= 4 && r < 8) {
			unsigned sh = 8 * (r - 4);

			c->bm_prd = (c->bm_prd & ~(0xffu << sh)) | ((uint32_t)v << sh);
			c->bm_prd &= ~3u;
		}
	}
}

static const struct io_ops bm_ops = {
	.read = bm_read, .write = bm_write, .sizes = IO_SZ1 | IO_SZ2 | IO_SZ4,
};

/* ------------------------------------------------------------------ */
/* Task file                                                           */

static uint64_t cmd_read(void *opaque, uint64_t off, unsigned size)
{
	struct ide_channel *c = opaque;
	struct ata_dev *d = selected(c);
	bool hob = c->ctl & DC_HOB;

	if (channel_empty(c))
		return size == 1 ? 0xff : size == 2 ? 0xffff : 0xffffffffu;
	if (off == 0) {
		if (d->kind == BOARD_DRIVE_NONE)
			return 0;
		return ata_pio_read(d, size);
	}
	if (size != 1)
		return 0xffffffffu;
	if (d->kind == BOARD_DRIVE_NONE)
		return off == 6 ? d->device : 0;
	switch (off) {
	case 1: return d->error;
	case 2: return hob ? d->hob_nsector : d->nsector;
	case 3: return hob ? d->hob_lbal : d->lbal;
	case 4: return hob ? d->hob_lbam : d->lbam;
	case 5: return hob ? d->hob_lbah : d->lbah;
	case 6: return d->device | 0xa0;
	default:
		c->irq_pending = false;
		ide_update_irq(c);
		return d->status;
	}
}

static void tf_write(struct ata_dev *d, unsigned reg, uint8_t v)
{
	switch (reg) {
	case 1:
		d->hob_feature = d->feature;
		d->feature = v;
		break;
	case 2:
		d->hob_nsector = d->nsector;
		d->nsector = v;
		break;
	case 3:
		d->hob_lbal = d->lbal;
		d->lbal = v;
		break;
	case 4:
		d->hob_lbam = d->lbam;
		d->lbam = v;
		break;
	case 5:
		d->hob_lbah = d->lbah;
		d->lbah = v;
		break;
	case 6:
		d->device = v & (uint8_t)~0xa0;
		break;
	}
}

static void cmd_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct ide_channel *c = opaque;
	struct ata_dev *d = selected(c);

	if (off == 0) {
		if (d->kind != BOARD_DRIVE_NONE)
			ata_pio_write(d, (uint32_t)val, size);
		return;
	}
	if (size != 1)
		return;
	if (off < 7) {
		tf_write(&c->drive[0], (unsigned)off, (uint8_t)val);
		tf_write(&c->drive[1], (unsigned)off, (uint8_t)val);
		c->ctl &= (uint8_t)~DC_HOB;
		if (off == 6)
			c->cur = (val >> 4) & 1;
		return;
	}
	if (d->kind == BOARD_DRIVE_NONE)
		return;
	if ((d->status & ATA_ST_BSY) && val != 0x08)
		return;
	c->irq_pending = false;
	ide_update_irq(c);
	ata_command(d, (uint8_t)val);
	if (ata_dma_pending(d))
		ide_bm_run(c);
}

static const struct io_ops cmd_ops = {
	.read = cmd_read, .write = cmd_write, .sizes = IO_SZ1 | IO_SZ2 | IO_SZ4,
};

static uint64_t ctl_read(void *opaque, uint64_t off, unsigned size)
{
	struct ide_channel *c = opaque;
	struct ata_dev *d = selected(c);

	(void)off;
	(void)size;
	if (channel_empty(c))
		return 0xff;
	return d->kind == BOARD_DRIVE_NONE ? 0 : d->status;
}

static void ctl_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct ide_channel *c = opaque;
	uint8_t v = (uint8_t)val;
	unsigned i;

	(void)off;
	(void)size;
	if ((v & DC_SRST) && !(c->ctl & DC_SRST)) {
		for (i = 0; i < 2; i++) {
			ata_dev_reset(&c->drive[i]);
			if (c->drive[i].kind != BOARD_DRIVE_NONE)
				c->drive[i].status |= ATA_ST_BSY;
		}
	} else if (!(v & DC_SRST) && (c->ctl & DC_SRST)) {
		for (i = 0; i < 2; i++)
			if (c->drive[i].kind != BOARD_DRIVE_NONE)
				c->drive[i].status &= (uint8_t)~ATA_ST_BSY;
		c->cur = 0;
	}
	c->ctl = v;
	ide_update_irq(c);
}

static const struct io_ops ctl_ops = {
	.read = ctl_read, .write = ctl_write, .sizes = IO_SZ1,
};

/* ------------------------------------------------------------------ */
/* PCI function                                                        */

static void ide_map_legacy(struct ide *ide)
{
	static const uint16_t cmd_base[2] = { 0x1f0, 0x170 };
	static const uint16_t ctl_base[2] = { 0x3f6, 0x376 };
	struct board *b = ide->dev.board;
	unsigned i;

	for (i = 0; i < 2; i++) {
		struct ide_channel *c = &ide->ch[i];
		bool on = ide->pci.cfg[0x41 + 2 * i] & 0x80;

		if (on) {
			if (io_region_map(b, &c->cmd_io, cmd_base[i], 8) < 0 ||
			    io_region_map(b, &c->ctl_io, ctl_base[i], 1) < 0)
				dev_log(b, "IDE: channel %u ports are taken by another device", i);
		} else {
			io_region_unmap(b, &c->cmd_io);
			io_region_unmap(b, &c->ctl_io);
		}
	}
}

static void ide_cfg_written(struct pci_func *f, unsigned off, unsigned size)
{
	struct ide *ide = DEV_CONTAINER(f, struct ide, pci);

	if (off < 0x44 && off + size > 0x40)
		ide_map_legacy(ide);
}

static void ide_reset(struct device *dev)
{
	struct ide *ide = DEV_CONTAINER(dev, struct ide, dev);
	unsigned i, j;

	pci_func_reset(&ide->pci);
	for (i = 0; i < 2; i++) {
		struct ide_channel *c = &ide->ch[i];

		for (j = 0; j < 2; j++)
			ata_dev_reset(&c->drive[j]);
		c->cur = 0;
		c->ctl = 0;
		c->irq_pending = false;
		ide_update_irq(c);
		c->bm_cmd = 0;
		c->bm_status = (uint8_t)((c->drive[0].kind ? 0x20 : 0) |
					 (c->drive[1].kind ? 0x40 : 0));
		c->bm_prd = 0;
	}
	ide_map_legacy(ide);
}

static void ide_release(struct device *dev)
{
	struct ide *ide = DEV_CONTAINER(dev, struct ide, dev);
	unsigned i, j;

	for (i = 0; i < 2; i++)
		for (j = 0; j < 2; j++)
			ata_dev_release(&ide->ch[i].drive[j]);
	free(ide);
}

static const struct device_ops ide_dev_ops = {
	.reset = ide_reset, .release = ide_release,
};

int ide_create(struct board *b, const struct board_config *cfg)
{
	const struct board_storage_cfg *s = NULL;
	struct ide *ide;
	uint16_t devid;
	uint8_t rev;
	unsigned i, j;

	for (i = 0; i < cfg->n_storage; i++) {
		if (cfg->storage[i].type != BOARD_CTL_AHCI) {
			s = &cfg->storage[i];
			break;
		}
	}
	if (!s)
		return 0;
	switch (s->type) {
	case BOARD_CTL_PIIX3:
		devid = 0x7010;
		rev = 0x00;
		break;
	case BOARD_CTL_ICH6:
		devid = 0x269e;
		rev = 0x01;
		break;
	default:
		devid = 0x7111;
		rev = 0x01;
		break;
	}
	ide = calloc(1, sizeof(*ide));
	if (!ide)
		return -ENOMEM;
	dev_register(b, &ide->dev, "piix3ide", &ide_dev_ops);
	pci_func_init(&ide->pci, "ide", PCI_DEVFN(1, 1), 0x8086, devid, rev,
		      0x01018a, 0x00, 0);
	ide->pci.cfg_written = ide_cfg_written;
	ide->pci.wmask[0x3c] = 0xff;
	pci_cfg_writable(&ide->pci, 0x40, 0x0c);        /* IDETIM, SIDETIM, UDMA */
	ide->pci.cfg[0x41] = 0x80;
	ide->pci.cfg[0x43] = 0x80;
	ide->pci.cfg[0x07] = 0x02;
	io_region_init(&ide->bm_io, "ide bus master", &bm_ops, ide, IO_SPACE_PORT);
	pci_func_bar(&ide->pci, 4, 16, PCI_BAR_IO, &ide->bm_io);
	for (i = 0; i < 2; i++) {
		struct ide_channel *c = &ide->ch[i];

		c->ide = ide;
		c->idx = i;
		c->isa_irq = i ? 15 : 14;
		c->irq_src = irq_source_new(b);
		for (j = 0; j < 2; j++)
			ata_dev_init(&c->drive[j], b, &s->drives[i * 2 + j],
				     ide_drive_irq, c);
		io_region_init(&c->cmd_io, i ? "ide1" : "ide0", &cmd_ops, c,
			       IO_SPACE_PORT);
		io_region_init(&c->ctl_io, i ? "ide1 control" : "ide0 control",
			       &ctl_ops, c, IO_SPACE_PORT);
	}
	return pci_func_register(b, &ide->pci);
}
