/*
 * AHCI SATA controller ("IntelAhci": ICH8-M 8086:2829 rev 02) at 00:0d.0
 * with up to 30 ports, each an ATA disk or ATAPI drive (ata.c).
 *
 * Spec: Serial ATA AHCI 1.3 specification: generic host control (CAP,
 * GHC with HR/IE/AE, IS, PI, VS), port registers (CLB, FB, IS, IE, CMD
 * with ST/FRE/CR/FR/CLO, TFD, SIG, SSTS/SCTL/SERR, SACT, CI), command
 * list headers, command tables (CFIS, ACMD, PRDT), received-FIS area
 * (PIO setup FIS at +0x20, D2H register FIS at +0x40).  SATA 2.6 for the
 * FIS layouts and the device signatures.  VirtualBox's BAR layout: BAR0-3
 * dummy legacy I/O ranges, BAR4 index/data pair, BAR5 the registers.
 *
 * Commands run to completion when CI is written (the vCPU waits); PIO
 * commands report a PIO setup FIS and a D2H FIS, DMA commands a D2H FIS.
 *
 * Limits: no NCQ (CAP.SNCQ clear), no port multipliers, no MSI, no
 * command completion coalescing, no hot plug.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/devices/ata.h"
#include "lib/devices/pci.h"

#define ABAR_SIZE 0x2000
#define NCMD 32

#define GHC_HR 0x00000001u
#define GHC_IE 0x00000002u
#define GHC_AE 0x80000000u

#define P_CMD_ST   0x00000001u
#define P_CMD_SUD  0x00000002u
#define P_CMD_POD  0x00000004u
#define P_CMD_CLO  0x00000008u
#define P_CMD_FRE  0x00000010u
#define P_CMD_FR   0x00004000u
#define P_CMD_CR   0x00008000u
#define P_CMD_ATAPI 0x01000000u
#define P_CMD_WMASK (P_CMD_ST | P_CMD_SUD | P_CMD_POD | P_CMD_FRE | \
		     P_CMD_ATAPI | 0x0e000000u | 0xf0000000u)

#define P_IS_DHRS 0x00000001u
#define P_IS_PSS  0x00000002u
#define P_IS_TFES 0x40000000u
#define P_IE_MASK 0x7dc0007fu

struct ahci;

struct ahci_port {
	struct ahci *h;
	unsigned n;
	struct ata_dev dev;
	uint32_t clb, clbu, fb, fbu, is, ie, cmd, tfd, sig, ssts, sctl, serr;
	uint32_t sact, ci;
	bool init_d2h_sent;
};

struct ahci {
	struct device dev;
	struct pci_func pci;
	uint32_t cap, ghc, is, pi;
	uint32_t idp_index;
	unsigned nports;
	bool irq;
	struct ahci_port port[BOARD_AHCI_MAX_PORTS];
	struct io_region abar, idp, dummy[4];
};

struct prdt_walk {
	struct board *b;
	uint64_t table;
	unsigned count, idx;
	uint64_t base;
	uint32_t left;
};

static uint64_t u64of(uint32_t lo, uint32_t hi)
{
	return ((uint64_t)hi << 32) | lo;
}

static void ahci_update_irq(struct ahci *h)
{
	unsigned i;
	bool level;

	for (i = 0; i < h->nports; i++)
		if (h->port[i].is & h->port[i].ie)
			h->is |= 1u << i;
	level = (h->ghc & GHC_IE) && h->is;
	if (level != h->irq) {
		h->irq = level;
		pci_set_irq(&h->pci, level);
	}
}

static void port_tfd(struct ahci_port *p)
{
	p->tfd = (uint32_t)p->dev.status | ((uint32_t)p->dev.error << 8);
}

static void write_fis(struct ahci_port *p, unsigned off, const uint8_t *fis,
		      size_t len)
{
	if (!(p->cmd & P_CMD_FRE))
		return;
	if (dma_write(p->h->dev.board, u64of(p->fb, p->fbu) + off, fis, len) < 0)
		dev_log(p->h->dev.board, "AHCI/%u: received-FIS area outside guest RAM",
			p->n);
}

static void fill_regs(struct ata_dev *d, uint8_t *f)
{
	f[2] = d->status;
	f[3] = d->error;
	f[4] = d->lbal;
	f[5] = d->lbam;
	f[6] = d->lbah;
	f[7] = d->device;
	f[8] = d->hob_lbal;
	f[9] = d->hob_lbam;
	f[10] = d->hob_lbah;
	f[12] = d->nsector;
	f[13] = d->hob_nsector;
}

static void send_d2h(struct ahci_port *p)
{
	uint8_t f[20];

	memset(f, 0, sizeof(f));
	f[0] = 0x34;
	f[1] = 0x40;                    /* interrupt */
	fill_regs(&p->dev, f);
	write_fis(p, 0x40, f, sizeof(f));
	p->is |= P_IS_DHRS;
	if (p->dev.status & ATA_ST_ERR)
		p->is |= P_IS_TFES;
	port_tfd(p);
}

static void send_pio_setup(struct ahci_port *p, uint32_t bytes)
{
	uint8_t f[20];

	memset(f, 0, sizeof(f));
	f[0] = 0x5f;
	f[1] = 0x60;                    /* device to host, interrupt */
	fill_regs(&p->dev, f);
	f[15] = p->dev.status;          /* ending status */
	dev_put_le16(&f[16], (uint16_t)bytes);
	write_fis(p, 0x20, f, sizeof(f));
	p->is |= P_IS_PSS;
}

static void send_init_d2h(struct ahci_port *p)
{
	if (p->init_d2h_sent || p->dev.kind == BOARD_DRIVE_NONE ||
	    !(p->cmd & P_CMD_FRE))
		return;
	p->init_d2h_sent = true;
	send_d2h(p);
}

static void port_comreset(struct ahci_port *p)
{
	ata_dev_reset(&p->dev);
	p->init_d2h_sent = false;
	if (p->dev.kind == BOARD_DRIVE_NONE) {
		p->ssts = 0;
		p->sig = 0xffffffffu;
		p->tfd = 0x7f;
		return;
	}
	p->ssts = 0x123;                /* present, Gen2, active */
	p->sig = ata_signature(&p->dev);
	port_tfd(p);
	send_init_d2h(p);
}

static int prdt_copy(void *ctx, uint8_t *buf, size_t len, bool to_guest)
{
	struct prdt_walk *w = ctx;
	size_t done = 0;

	while (done < len) {
		size_t n;
		int rc;

		if (!w->left) {
			uint8_t e[16];

			if (w->idx >= w->count)
				break;
			if (dma_read(w->b, w->table + 16ull * w->idx, e, sizeof(e)) < 0)
				return -EFAULT;
			w->idx++;
			w->base = dev_le64(e) & ~1ull;
			w->left = (dev_le32(e + 12) & 0x3fffff) + 1;
		}
		n = len - done < w->left ? len - done : w->left;
		if (to_guest)
			rc = dma_write(w->b, w->base, buf + done, n);
		else
			rc = dma_read(w->b, w->base, buf + done, n);
		if (rc < 0)
			return -EFAULT;
		w->base += n;
		w->left -= (uint32_t)n;
		done += n;
	}
	return (int)done;
}

static void port_exec_slot(struct ahci_port *p, unsigned slot)
{
	struct board *b = p->h->dev.board;
	struct ata_dev *d = &p->dev;
	uint64_t hdr_addr = u64of(p->clb, p->clbu) + 32ull * slot, tbl;
	uint8_t hdr[32], cfis[64], acmd[16];
	uint32_t flags, prdtl;
	struct prdt_walk w;
	struct ata_sg sg = { prdt_copy, &w };
	uint64_t moved = 0;
	bool pio;

	if (dma_read(b, hdr_addr, hdr, sizeof(hdr)) < 0)
		goto bad;
	flags = dev_le32(hdr);
	prdtl = flags >> 16;
	tbl = u64of(dev_le32(hdr + 8), dev_le32(hdr + 12)) & ~0x7full;
	if (dma_read(b, tbl, cfis, sizeof(cfis)) < 0)
		goto bad;
	if (cfis[0] != 0x27)
		return;                 /* not a register FIS: ignore */
	if (d->kind == BOARD_DRIVE_NONE)
		return;
	if (!(cfis[1] & 0x80)) {
		/* Device control: software reset on SRST going low. */
		if (cfis[15] & 0x04) {
			ata_dev_reset(d);
			d->status |= ATA_ST_BSY;
			port_tfd(p);
		} else {
			ata_dev_reset(d);
			send_d2h(p);
			p->sig = ata_signature(d);
		}
		return;
	}
	d->feature = cfis[3];
	d->lbal = cfis[4];
	d->lbam = cfis[5];
	d->lbah = cfis[6];
	d->device = cfis[7];
	d->hob_lbal = cfis[8];
	d->hob_lbam = cfis[9];
	d->hob_lbah = cfis[10];
	d->hob_feature = cfis[11];
	d->nsector = cfis[12];
	d->hob_nsector = cfis[13];
	ata_command(d, cfis[2]);
	if (d->phase == ATA_PACKET_CDB) {
		if (dma_read(b, tbl + 0x40, acmd, sizeof(acmd)) < 0)
			goto bad;
		ata_packet(d, acmd);
	}
	pio = ata_is_pio(d);
	if (pio || ata_dma_pending(d)) {
		memset(&w, 0, sizeof(w));
		w.b = b;
		w.table = tbl + 0x80;
		w.count = prdtl;
		moved = ata_xfer_sg(d, &sg);
	}
	dev_put_le32(hdr + 4, (uint32_t)moved);
	dma_write(b, hdr_addr + 4, hdr + 4, 4);
	if (pio)
		send_pio_setup(p, (uint32_t)moved);
	send_d2h(p);
	return;
bad:
	dev_log(b, "AHCI/%u: command list or table outside guest RAM", p->n);
	p->serr |= 0x00000800u;         /* internal error */
	p->is |= 0x20000000u;           /* host bus fatal error */
}

static void port_run(struct ahci_port *p)
{
	unsigned slot;

	if (!(p->cmd & P_CMD_ST))
		return;
	for (slot = 0; slot < NCMD && p->ci; slot++) {
		if (!(p->ci & (1u << slot)))
			continue;
		port_exec_slot(p, slot);
		p->ci &= ~(1u << slot);
	}
	ahci_update_irq(p->h);
}

static uint32_t port_read(struct ahci_port *p, unsigned r)
{
	switch (r) {
	case 0x00: return p->clb;
	case 0x04: return p->clbu;
	case 0x08: return p->fb;
	case 0x0c: return p->fbu;
	case 0x10: return p->is;
	case 0x14: return p->ie;
	case 0x18: return p->cmd;
	case 0x20: return p->tfd;
	case 0x24: return p->sig;
	case 0x28: return p->ssts;
	case 0x2c: return p->sctl;
	case 0x30: return p->serr;
	case 0x34: return p->sact;
	case 0x38: return p->ci;
	default: return 0;
	}
}

static void port_write(struct ahci_port *p, unsigned r, uint32_t v)
{
	struct ahci *h = p->h;

	switch (r) {
	case 0x00:
		p->clb = v & ~0x3ffu;
		break;
	case 0x04:
		p->clbu = v;
		break;
	case 0x08:
		p->fb = v & ~0xffu;
		break;
	case 0x0c:
		p->fbu = v;
		break;
	case 0x10:
		p->is &= ~v;
		if (!(p->is & p->ie))
			h->is &= ~(1u << p->n);
		ahci_update_irq(h);
		break;
	case 0x14:
		p->ie = v & P_IE_MASK;
		ahci_update_irq(h);
		break;
	case 0x18:
		p->cmd = (p->cmd & ~P_CMD_WMASK) | (v & P_CMD_WMASK);
		if (v & P_CMD_CLO)
			p->tfd &= ~(uint32_t)(ATA_ST_BSY | ATA_ST_DRQ);
		if (p->cmd & P_CMD_ST) {
			p->cmd |= P_CMD_CR;
		} else {
			p->cmd &= ~P_CMD_CR;
			p->ci = 0;
			p->sact = 0;
		}
		if (p->cmd & P_CMD_FRE) {
			p->cmd |= P_CMD_FR;
			send_init_d2h(p);
		} else {
			p->cmd &= ~P_CMD_FR;
		}
		port_run(p);
		break;
	case 0x2c:
		if ((p->sctl & 0xf) == 1 && (v & 0xf) == 0)
			port_comreset(p);
		else if ((v & 0xf) == 1)
			p->ssts = 0;
		p->sctl = v;
		break;
	case 0x30:
		p->serr &= ~v;
		break;
	case 0x34:
		p->sact |= v;
		break;
	case 0x38:
		if (p->cmd & P_CMD_ST) {
			p->ci |= v;
			port_run(p);
		}
		break;
	default:
		break;
	}
	ahci_update_irq(h);
}

static void ahci_hba_reset(struct ahci *h)
{
	unsigned i;

	h->ghc = GHC_AE;
	h->is = 0;
	for (i = 0; i < h->nports; i++) {
		struct ahci_port *p = &h->port[i];

		p->clb = p->clbu = p->fb = p->fbu = 0;
		p->is = p->ie = p->serr = p->sact = p->ci = p->sctl = 0;
		p->cmd = P_CMD_SUD | P_CMD_POD |
			 (p->dev.kind == BOARD_DRIVE_CDROM ? P_CMD_ATAPI : 0);
		port_comreset(p);
	}
	ahci_update_irq(h);
}

static uint32_t abar_read32(struct ahci *h, unsigned off)
{
	if (off >= 0x100) {
		unsigned n = (off - 0x100) / 0x80;

		if (n >= h->nports)
			return 0;
		return port_read(&h->port[n], (off - 0x100) % 0x80);
	}
	switch (off) {
	case 0x00: return h->cap;
	case 0x04: return h->ghc;
	case 0x08: return h->is;
	case 0x0c: return h->pi;
	case 0x10: return 0x00010000u;  /* AHCI 1.0 */
	default: return 0;
	}
}

static void abar_write32(struct ahci *h, unsigned off, uint32_t v)
{
	if (off >= 0x100) {
		unsigned n = (off - 0x100) / 0x80;

		if (n < h->nports)
			port_write(&h->port[n], (off - 0x100) % 0x80, v);
		return;
	}
	switch (off) {
	case 0x04:
		if (v & GHC_HR) {
			ahci_hba_reset(h);
			return;
		}
		h->ghc = GHC_AE | (v & GHC_IE);
		ahci_update_irq(h);
		break;
	case 0x08:
		h->is &= ~v;
		ahci_update_irq(h);
		break;
	default:
		break;
	}
}

static uint64_t abar_read(void *opaque, uint64_t off, unsigned size)
{
	(void)size;
	return abar_read32(opaque, (unsigned)off);
}

static void abar_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	(void)size;
	abar_write32(opaque, (unsigned)off, (uint32_t)val);
}

static const struct io_ops abar_ops = {
	.read = abar_read, .write = abar_write, .sizes = IO_SZ4, .aligned = true,
};

static uint64_t idp_read(void *opaque, uint64_t off, unsigned size)
{
	struct ahci *h = opaque;

	(void)size;
	if (off == 0)
		return h->idp_index;
	if (off == 4 && h->idp_index < ABAR_SIZE)
		return abar_read32(h, h->idp_index & ~3u);
	return 0xffffffffu;
}

static void idp_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct ahci *h = opaque;

	(void)size;
	if (off == 0)
		h->idp_index = (uint32_t)val & 0xffc;
	else if (off == 4)
		abar_write32(h, h->idp_index, (uint32_t)val);
}

static const struct io_ops idp_ops = {
	.read = idp_read, .write = idp_write, .sizes = IO_SZ4, .aligned = true,
};

static uint64_t dummy_read(void *opaque, uint64_t off, unsigned size)
{
	(void)opaque;
	(void)off;
	(void)size;
	return 0xffffffffu;
}

static void dummy_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	(void)opaque;
	(void)off;
	(void)val;
	(void)size;
}

static const struct io_ops dummy_ops = {
	.read = dummy_read, .write = dummy_write,
	.sizes = IO_SZ1 | IO_SZ2 | IO_SZ4,
};

static void ahci_reset(struct device *dev)
{
	struct ahci *h = DEV_CONTAINER(dev, struct ahci, dev);

	pci_func_reset(&h->pci);
	h->irq = false;
	h->idp_index = 0;
	ahci_hba_reset(h);
}

static void ahci_release(struct device *dev)
{
	struct ahci *h = DEV_CONTAINER(dev, struct ahci, dev);
	unsigned i;

	for (i = 0; i < BOARD_AHCI_MAX_PORTS; i++)
		ata_dev_release(&h->port[i].dev);
	free(h);
}

static const struct device_ops ahci_dev_ops = {
	.reset = ahci_reset, .release = ahci_release,
};

static void ahci_drive_irq(void *ctl)
{
	(void)ctl;              /* completion is reported through FISes */
}

int ahci_create(struct board *b, const struct board_config *cfg)
{
	static const uint32_t dummy_size[4] = { 8, 4, 8, 4 };
	const struct board_storage_cfg *s = NULL;
	struct ahci *h;
	unsigned i;

	for (i = 0; i < cfg->n_storage; i++) {
		if (cfg->storage[i].type == BOARD_CTL_AHCI) {
			s = &cfg->storage[i];
			break;
		}
	}
	if (!s)
		return 0;
	if (s->port_count < 1 || s->port_count > BOARD_AHCI_MAX_PORTS)
		return -EINVAL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	dev_register(b, &h->dev, "ahci", &ahci_dev_ops);
	h->nports = s->port_count;
	h->pi = (uint32_t)((1ull << h->nports) - 1);
	h->cap = (h->nports - 1) | ((NCMD - 1) << 8) | (1u << 18) |
		 (2u << 20) | (1u << 24) | (1u << 31);
	pci_func_init(&h->pci, "ahci", PCI_DEVFN(0x0d, 0), 0x8086, 0x2829, 0x02,
		      0x010601, 0x00, 1);
	for (i = 0; i < 4; i++) {
		io_region_init(&h->dummy[i], "ahci legacy", &dummy_ops, h,
			       IO_SPACE_PORT);
		pci_func_bar(&h->pci, i, dummy_size[i], PCI_BAR_IO, &h->dummy[i]);
	}
	io_region_init(&h->idp, "ahci idp", &idp_ops, h, IO_SPACE_PORT);
	pci_func_bar(&h->pci, 4, 16, PCI_BAR_IO, &h->idp);
	io_region_init(&h->abar, "ahci", &abar_ops, h, IO_SPACE_MMIO);
	pci_func_bar(&h->pci, 5, ABAR_SIZE, 0, &h->abar);
	for (i = 0; i < BOARD_AHCI_MAX_PORTS; i++) {
		struct ahci_port *p = &h->port[i];

		p->h = h;
		p->n = i;
		ata_dev_init(&p->dev, b, i < h->nports ? &s->drives[i] : NULL,
			     ahci_drive_irq, p);
	}
	return pci_func_register(b, &h->pci);
}
