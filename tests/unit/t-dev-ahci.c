/* AHCI: HBA registers, command lists, FIS delivery, ATA and ATAPI
 * commands through PRD tables, interrupts through PIRQ routing. */
#include "t-dev.h"

#define DEVFN_AHCI (0x0d << 3)
#define ABAR 0xfebf0000u
#define CLB 0x100000u
#define FB  0x101000u
#define CT  0x102000u
#define DATA 0x110000u

struct ahci_rig {
	struct tboard t;
	struct tmem_blk disk, cd;
};

static uint32_t preg(struct tboard *t, unsigned port, unsigned r)
{
	return mmio_rd32(t, ABAR + 0x100 + 0x80 * port + r);
}

static void pwr(struct tboard *t, unsigned port, unsigned r, uint32_t v)
{
	mmio_wr32(t, ABAR + 0x100 + 0x80 * port + r, v);
}

static void ahci_setup(struct ahci_rig *r)
{
	tb_config(&r->t);
	tmem_init(&r->disk, 8 << 20);
	tmem_init(&r->cd, 2 << 20);
	r->t.cfg.n_storage = 1;
	r->t.cfg.storage[0].type = BOARD_CTL_AHCI;
	r->t.cfg.storage[0].port_count = 3;
	tmem_drive(&r->t.cfg.storage[0].drives[0], &r->disk, BOARD_DRIVE_DISK);
	tmem_drive(&r->t.cfg.storage[0].drives[2], &r->cd, BOARD_DRIVE_CDROM);
	tb_start(&r->t);
	tb_pic_init(&r->t, 0x08, 0x70);
	pci_wr32(&r->t, DEVFN_AHCI, 0x24, ABAR);
	pci_wr32(&r->t, DEVFN_AHCI, 0x04, 0x06);        /* memory, bus master */
}

static void port_start(struct tboard *t, unsigned p)
{
	pwr(t, p, 0x00, CLB + 0x400 * p);
	pwr(t, p, 0x04, 0);
	pwr(t, p, 0x08, FB + 0x100 * p);
	pwr(t, p, 0x0c, 0);
	pwr(t, p, 0x18, preg(t, p, 0x18) | 0x10);       /* FRE */
	pwr(t, p, 0x10, 0xffffffffu);
	pwr(t, p, 0x18, preg(t, p, 0x18) | 0x01);       /* ST */
}

/* Build slot 0 of port p: an H2D FIS and one PRD of len bytes at DATA. */
static void build_cmd(struct tboard *t, unsigned p, uint8_t cmd,
		      uint64_t lba, uint16_t count, uint32_t len, bool atapi,
		      const uint8_t *cdb)
{
	uint8_t *hdr = t->ram + CLB + 0x400 * p;
	uint8_t *tbl = t->ram + CT + 0x1000 * p;

	memset(hdr, 0, 32);
	memset(tbl, 0, 0x100);
	dev_put_le32(hdr, (1u << 16) | (atapi ? 0x20 : 0) | 5);
	dev_put_le32(hdr + 8, CT + 0x1000 * p);
	tbl[0] = 0x27;
	tbl[1] = 0x80;
	tbl[2] = cmd;
	tbl[3] = atapi ? 0x01 : 0;              /* ATAPI: DMA */
	tbl[4] = (uint8_t)lba;
	tbl[5] = (uint8_t)(lba >> 8);
	tbl[6] = (uint8_t)(lba >> 16);
	tbl[7] = 0x40;
	tbl[8] = (uint8_t)(lba >> 24);
	tbl[12] = (uint8_t)count;
	tbl[13] = (uint8_t)(count >> 8);
	if (cdb)
		memcpy(tbl + 0x40, cdb, 12);
	dev_put_le32(tbl + 0x80, DATA);
	dev_put_le32(tbl + 0x8c, len - 1);
}

void test_dev_ahci__hba_and_port_registers(void)
{
	struct ahci_rig r;
	uint32_t cap;

	ahci_setup(&r);
	T_EQ_U64(pci_rd32(&r.t, DEVFN_AHCI, 0), 0x28298086u);
	T_EQ_U64(pci_rd32(&r.t, DEVFN_AHCI, 8), 0x01060102u);
	pci_wr32(&r.t, DEVFN_AHCI, 0x24, 0xffffffffu);
	T_EQ_U64(pci_rd32(&r.t, DEVFN_AHCI, 0x24), 0xffffe000u);
	pci_wr32(&r.t, DEVFN_AHCI, 0x24, ABAR);
	cap = mmio_rd32(&r.t, ABAR);
	T_EQ_INT(cap & 0x1f, 2);                /* 3 ports */
	T_ASSERT(cap & 0x80000000u);            /* 64-bit */
	T_EQ_U64(mmio_rd32(&r.t, ABAR + 0x0c), 0x7);
	T_EQ_U64(mmio_rd32(&r.t, ABAR + 0x04), 0x80000000u);
	T_EQ_U64(preg(&r.t, 0, 0x24), 0x00000101u);     /* ATA */
	T_EQ_U64(preg(&r.t, 2, 0x24), 0xeb140101u);     /* ATAPI */
	T_EQ_U64(preg(&r.t, 1, 0x28), 0);               /* nothing on 1 */
	T_EQ_INT(preg(&r.t, 0, 0x28) & 0xf, 3);
	T_EQ_INT(preg(&r.t, 0, 0x20) & 0x88, 0);        /* not BSY/DRQ */
	/* FRE/ST reflected in FR/CR, a COMRESET resends the signature */
	port_start(&r.t, 0);
	T_EQ_U64(preg(&r.t, 0, 0x18) & 0xc011, 0xc011);
	pwr(&r.t, 0, 0x2c, 1);
	T_EQ_INT(preg(&r.t, 0, 0x28) & 0xf, 0);
	pwr(&r.t, 0, 0x2c, 0);
	T_EQ_INT(preg(&r.t, 0, 0x28) & 0xf, 3);
	T_EQ_INT(preg(&r.t, 0, 0x10) & 1, 1);           /* D2H received */
	T_EQ_INT(r.t.ram[FB + 0x40], 0x34);
	tb_free(&r.t);
	free(r.disk.data);
	free(r.cd.data);
}

void test_dev_ahci__identify_and_dma_read(void)
{
	struct ahci_rig r;
	uint8_t *fis;

	ahci_setup(&r);
	port_start(&r.t, 0);
	fis = r.t.ram + FB;
	build_cmd(&r.t, 0, 0xec, 0, 0, 512, false, NULL);
	pwr(&r.t, 0, 0x38, 1);
	T_EQ_U64(preg(&r.t, 0, 0x38), 0);               /* done */
	T_EQ_INT(preg(&r.t, 0, 0x10) & 3, 3);           /* PSS + DHRS */
	T_EQ_INT(fis[0x20], 0x5f);
	T_EQ_INT(fis[0x20 + 2] & 0xc9, 0x40);           /* DRDY */
	T_EQ_INT(fis[0x40], 0x34);
	T_EQ_U64(dev_le32(r.t.ram + CLB + 4), 512);     /* PRDBC */
	T_EQ_U64(dev_le64(r.t.ram + DATA + 200), (8 << 20) / 512);
	T_EQ_INT(preg(&r.t, 0, 0x20) & 0xff, 0x50);
	/* READ DMA EXT of 16 sectors at LBA 0x1234 */
	pwr(&r.t, 0, 0x10, 0xffffffffu);
	build_cmd(&r.t, 0, 0x25, 0x1234, 16, 16 * 512, false, NULL);
	pwr(&r.t, 0, 0x38, 1);
	T_EQ_INT(preg(&r.t, 0, 0x10) & 3, 1);           /* D2H only */
	T_EQ_MEM(r.t.ram + DATA, r.disk.data + 0x1234 * 512, 16 * 512);
	T_EQ_U64(dev_le32(r.t.ram + CLB + 4), 16 * 512);
	/* an unsupported command sets TFES and ERR in TFD */
	pwr(&r.t, 0, 0x10, 0xffffffffu);
	build_cmd(&r.t, 0, 0xb0, 0, 0, 512, false, NULL);
	pwr(&r.t, 0, 0x38, 1);
	T_ASSERT(preg(&r.t, 0, 0x10) & 0x40000000u);
	T_EQ_INT(preg(&r.t, 0, 0x20) & 0x01, 0x01);
	T_EQ_INT((preg(&r.t, 0, 0x20) >> 8) & 0x04, 0x04);
	tb_free(&r.t);
	free(r.disk.data);
	free(r.cd.data);
}

void test_dev_ahci__atapi_packet_and_interrupt(void)
{
	struct ahci_rig r;
	uint8_t cdb[12];

	ahci_setup(&r);
	/* route PIRQ for slot 13 INTA (= PIRQ[(13+1-2)&3] = A) to IRQ 11 */
	pci_wr8(&r.t, 0x08, 0x60, 11);
	port_start(&r.t, 2);
	pwr(&r.t, 2, 0x14, 0x1);                /* DHRS interrupt */
	mmio_wr32(&r.t, ABAR + 4, 0x80000002u); /* GHC.IE */
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0x28;
	cdb[5] = 10;
	cdb[8] = 2;
	build_cmd(&r.t, 2, 0xa0, 0, 0, 4096, true, cdb);
	pwr(&r.t, 2, 0x38, 1);
	T_EQ_MEM(r.t.ram + DATA, r.cd.data + 10 * 2048, 4096);
	T_EQ_U64(mmio_rd32(&r.t, ABAR + 8), 1u << 2);   /* HBA IS */
	T_EQ_INT(board_intr_ack(r.t.b), 0x73);  /* IRQ 11 via the slave */
	T_EQ_INT(pci_rd8(&r.t, DEVFN_AHCI, 6) & 0x08, 0x08);   /* INTx status */
	pwr(&r.t, 2, 0x10, 0xffffffffu);
	mmio_wr32(&r.t, ABAR + 8, 1u << 2);
	T_EQ_INT(pci_rd8(&r.t, DEVFN_AHCI, 6) & 0x08, 0);
	/* IDENTIFY DEVICE on ATAPI aborts with the signature */
	build_cmd(&r.t, 2, 0xec, 0, 0, 512, false, NULL);
	pwr(&r.t, 2, 0x38, 1);
	T_EQ_INT(preg(&r.t, 2, 0x20) & 0x01, 0x01);
	T_EQ_INT(r.t.ram[FB + 0x200 + 0x40 + 5], 0x14);
	tb_free(&r.t);
	free(r.disk.data);
	free(r.cd.data);
}
