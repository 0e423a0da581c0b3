/* PIIX IDE with ATA and ATAPI drives: IDENTIFY, PIO and bus-master DMA
 * reads and writes, packet commands, register behaviour. */
#include "t-dev.h"

#define P 0x1f0
#define S 0x170
#define BM 0xc000
#define DEVFN_IDE 0x09

struct ide_rig {
	struct tboard t;
	struct tmem_blk disk, cd;
};

static void ide_setup(struct ide_rig *r)
{
	tb_config(&r->t);
	tmem_init(&r->disk, 8 << 20);
	tmem_init(&r->cd, 4 << 20);
	r->t.cfg.n_storage = 1;
	r->t.cfg.storage[0].type = BOARD_CTL_PIIX4;
	tmem_drive(&r->t.cfg.storage[0].drives[0], &r->disk, BOARD_DRIVE_DISK);
	tmem_drive(&r->t.cfg.storage[0].drives[2], &r->cd, BOARD_DRIVE_CDROM);
	tb_start(&r->t);
	tb_pic_init(&r->t, 0x08, 0x70);
	pci_wr32(&r->t, DEVFN_IDE, 0x20, BM);
	pci_wr32(&r->t, DEVFN_IDE, 0x04, 0x05);
}

static void ide_free(struct ide_rig *r)
{
	tb_free(&r->t);
	free(r->disk.data);
	free(r->cd.data);
}

static uint8_t wait_drq(struct tboard *t, uint16_t base)
{
	uint8_t st = inb(t, base + 7);

	T_EQ_INT(st & 0x89, 0x08);      /* DRQ, not BSY, no ERR */
	return st;
}

static void read_words(struct tboard *t, uint16_t base, uint8_t *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i += 2) {
		uint16_t w = inw(t, base);

		buf[i] = (uint8_t)w;
		buf[i + 1] = (uint8_t)(w >> 8);
	}
}

void test_dev_ide__signatures_and_absent_drives(void)
{
	struct ide_rig r;

	ide_setup(&r);
	/* primary master: ATA signature */
	outb(&r.t, 0x3f6, 0x06);
	outb(&r.t, 0x3f6, 0x02);
	outb(&r.t, P + 6, 0xa0);
	T_EQ_INT(inb(&r.t, P + 2), 1);
	T_EQ_INT(inb(&r.t, P + 4), 0);
	T_EQ_INT(inb(&r.t, P + 5), 0);
	T_EQ_INT(inb(&r.t, P + 7), 0x50);
	/* primary slave: absent, registers read 0 */
	outb(&r.t, P + 6, 0xb0);
	outb(&r.t, P + 2, 0x55);
	T_EQ_INT(inb(&r.t, P + 2), 0);
	T_EQ_INT(inb(&r.t, P + 7), 0);
	/* secondary master: ATAPI signature */
	outb(&r.t, S + 6, 0xa0);
	T_EQ_INT(inb(&r.t, S + 4), 0x14);
	T_EQ_INT(inb(&r.t, S + 5), 0xeb);
	ide_free(&r);
}

void test_dev_ide__identify_and_pio_read(void)
{
	struct ide_rig r;
	uint8_t id[512], sec[512 * 3];
	char model[41];
	unsigned i;

	ide_setup(&r);
	outb(&r.t, P + 6, 0xa0);
	outb(&r.t, P + 7, 0xec);
	T_EQ_INT(board_intr_ack(r.t.b), 0x76);  /* IRQ 14 */
	outb(&r.t, 0xa0, 0x20);
	outb(&r.t, 0x20, 0x20);
	wait_drq(&r.t, P);
	read_words(&r.t, P, id, 512);
	T_EQ_INT(inb(&r.t, P + 7) & 0x88, 0);
	for (i = 0; i < 20; i++) {
		model[2 * i] = (char)id[54 + 2 * i + 1];
		model[2 * i + 1] = (char)id[54 + 2 * i];
	}
	model[40] = 0;
	T_ASSERT(!strncmp(model, "VBOX HARDDISK ", 14));
	T_EQ_U64(dev_le32(id + 120), (8 << 20) / 512);  /* words 60-61 */
	T_EQ_U64(dev_le64(id + 200), (8 << 20) / 512);  /* words 100-103 */
	T_EQ_INT(id[510], 0xa5);
	{
		uint8_t sum = 0;

		for (i = 0; i < 512; i++)
			sum = (uint8_t)(sum + id[i]);
		T_EQ_INT(sum, 0);
	}
	/* READ SECTORS, LBA 100, 3 sectors */
	outb(&r.t, P + 2, 3);
	outb(&r.t, P + 3, 100);
	outb(&r.t, P + 4, 0);
	outb(&r.t, P + 5, 0);
	outb(&r.t, P + 6, 0xe0);
	outb(&r.t, P + 7, 0x20);
	for (i = 0; i < 3; i++) {
		wait_drq(&r.t, P);
		read_words(&r.t, P, sec + 512 * i, 512);
	}
	T_EQ_INT(inb(&r.t, P + 7), 0x50);
	T_EQ_MEM(sec, r.disk.data + 100 * 512, sizeof(sec));
	/* out of range: IDNF, abort */
	outb(&r.t, P + 2, 1);
	outb(&r.t, P + 3, 0xff);
	outb(&r.t, P + 4, 0xff);
	outb(&r.t, P + 5, 0xff);
	outb(&r.t, P + 6, 0xe0);
	outb(&r.t, P + 7, 0x20);
	T_EQ_INT(inb(&r.t, P + 7) & 0x01, 0x01);
	T_EQ_INT(inb(&r.t, P + 1) & 0x14, 0x14);
	ide_free(&r);
}

void test_dev_ide__pio_write_and_lba48(void)
{
	struct ide_rig r;
	unsigned i;

	ide_setup(&r);
	/* WRITE SECTORS EXT, LBA 0x1000, 2 sectors (HOB writes first) */
	outb(&r.t, P + 6, 0x40);
	outb(&r.t, P + 2, 0);
	outb(&r.t, P + 3, 0);
	outb(&r.t, P + 4, 0);
	outb(&r.t, P + 5, 0);
	outb(&r.t, P + 2, 2);
	outb(&r.t, P + 3, 0x00);
	outb(&r.t, P + 4, 0x10);
	outb(&r.t, P + 5, 0);
	outb(&r.t, P + 7, 0x34);
	for (i = 0; i < 512; i++) {
		if (i % 256 == 0)
			wait_drq(&r.t, P);
		outw(&r.t, P, (uint16_t)(0xbeef + i));
	}
	T_EQ_INT(inb(&r.t, P + 7), 0x50);
	T_EQ_INT(r.disk.data[0x1000 * 512], 0xef);
	T_EQ_INT(r.disk.data[0x1000 * 512 + 1], 0xbe);
	T_EQ_INT(r.disk.data[0x1001 * 512 + 510], (uint8_t)(0xbeef + 511));
	/* HOB bit reads back the previous register values */
	outb(&r.t, 0x3f6, 0x80);
	T_EQ_INT(inb(&r.t, P + 2), 0);
	outb(&r.t, 0x3f6, 0x00);
	T_EQ_INT(inb(&r.t, P + 2), 2);
	ide_free(&r);
}

void test_dev_ide__bus_master_dma_read(void)
{
	struct ide_rig r;
	const uint32_t prd = 0x10000, buf1 = 0x20000, buf2 = 0x30000;

	ide_setup(&r);
	/* two PRD entries: 1024 + 1024 bytes */
	dev_put_le32(r.t.ram + prd, buf1);
	dev_put_le32(r.t.ram + prd + 4, 1024);
	dev_put_le32(r.t.ram + prd + 8, buf2);
	dev_put_le32(r.t.ram + prd + 12, 0x80000000u | 1024);
	outl(&r.t, BM + 4, prd);
	outb(&r.t, P + 6, 0xe0);
	outb(&r.t, P + 2, 4);
	outb(&r.t, P + 3, 7);
	outb(&r.t, P + 4, 0);
	outb(&r.t, P + 5, 0);
	outb(&r.t, P + 7, 0xc8);                /* READ DMA */
	T_ASSERT(!board_intr_pending(r.t.b));   /* waits for the engine */
	outb(&r.t, BM, 0x09);                   /* start, to memory */
	T_EQ_INT(inb(&r.t, BM + 2) & 0x07, 0x04);       /* irq, not active */
	T_EQ_INT(board_intr_ack(r.t.b), 0x76);
	T_EQ_INT(inb(&r.t, P + 7), 0x50);
	T_EQ_MEM(r.t.ram + buf1, r.disk.data + 7 * 512, 1024);
	T_EQ_MEM(r.t.ram + buf2, r.disk.data + 9 * 512, 1024);
	outb(&r.t, BM + 2, 0x04);               /* W1C */
	T_EQ_INT(inb(&r.t, BM + 2) & 0x04, 0);
	/* a PRD pointing outside RAM sets the error bit */
	dev_put_le32(r.t.ram + prd, 0xf0000000u);
	dev_put_le32(r.t.ram + prd + 4, 0x80000000u | 512);
	outb(&r.t, BM, 0x00);
	outb(&r.t, P + 2, 1);
	outb(&r.t, P + 7, 0xc8);
	outb(&r.t, BM, 0x09);
	T_EQ_INT(inb(&r.t, BM + 2) & 0x02, 0x02);
	T_EQ_INT(inb(&r.t, P + 7) & 0x01, 0x01);
	ide_free(&r);
}

/* Send a packet command on the secondary master in PIO mode. */
static uint8_t atapi_cmd(struct tboard *t, const uint8_t *cdb, uint16_t limit)
{
	unsigned i;

	outb(t, S + 6, 0xa0);
	outb(t, S + 1, 0);
	outb(t, S + 4, (uint8_t)limit);
	outb(t, S + 5, (uint8_t)(limit >> 8));
	outb(t, S + 7, 0xa0);
	T_EQ_INT(inb(t, S + 7) & 0x88, 0x08);
	T_EQ_INT(inb(t, S + 2) & 0x03, 0x01);           /* C/D: command */
	for (i = 0; i < 12; i += 2)
		outw(t, S, (uint16_t)(cdb[i] | cdb[i + 1] << 8));
	return inb(t, S + 7);
}

static size_t atapi_data(struct tboard *t, uint8_t *buf, size_t max)
{
	size_t got = 0;

	while (inb(t, S + 7) & 0x08) {
		size_t n = inb(t, S + 4) | (size_t)inb(t, S + 5) << 8;

		T_EQ_INT(inb(t, S + 2) & 0x03, 0x02);   /* data to host */
		T_ASSERT(got + n <= max);
		read_words(t, S, buf + got, n);
		got += n;
	}
	T_EQ_INT(inb(t, S + 2) & 0x03, 0x03);           /* status phase */
	return got;
}

void test_dev_ide__atapi_packets(void)
{
	struct ide_rig r;
	uint8_t cdb[12], buf[8192];
	size_t n;

	ide_setup(&r);
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0x12;                          /* INQUIRY */
	cdb[4] = 36;
	atapi_cmd(&r.t, cdb, 0xfffe);
	n = atapi_data(&r.t, buf, sizeof(buf));
	T_EQ_INT(n, 36);
	T_EQ_INT(buf[0], 0x05);
	T_ASSERT(!memcmp(buf + 8, "VBOX    CD-ROM", 14));
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0x25;                          /* READ CAPACITY */
	atapi_cmd(&r.t, cdb, 0xfffe);
	n = atapi_data(&r.t, buf, sizeof(buf));
	T_EQ_INT(n, 8);
	T_EQ_U64(dev_be32(buf), (4 << 20) / 2048 - 1);
	T_EQ_U64(dev_be32(buf + 4), 2048);
	/* READ(10) of 3 blocks at 5, with a 2 KiB byte count limit */
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0x28;
	cdb[5] = 5;
	cdb[8] = 3;
	atapi_cmd(&r.t, cdb, 2048);
	n = atapi_data(&r.t, buf, sizeof(buf));
	T_EQ_INT(n, 3 * 2048);
	T_EQ_MEM(buf, r.cd.data + 5 * 2048, 3 * 2048);
	T_EQ_INT(inb(&r.t, S + 7) & 0x01, 0);
	/* beyond the end: CHECK CONDITION, ILLEGAL REQUEST / 21h */
	cdb[2] = 0x7f;
	atapi_cmd(&r.t, cdb, 2048);
	T_EQ_INT(inb(&r.t, S + 7) & 0x01, 0x01);
	T_EQ_INT(inb(&r.t, S + 1) >> 4, 0x05);
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0x03;                          /* REQUEST SENSE */
	cdb[4] = 18;
	atapi_cmd(&r.t, cdb, 0xfffe);
	n = atapi_data(&r.t, buf, sizeof(buf));
	T_EQ_INT(n, 18);
	T_EQ_INT(buf[2], 0x05);
	T_EQ_INT(buf[12], 0x21);
	/* READ TOC, format 0 */
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0x43;
	cdb[8] = 100;
	atapi_cmd(&r.t, cdb, 0xfffe);
	n = atapi_data(&r.t, buf, sizeof(buf));
	T_EQ_INT(n, 20);
	T_EQ_INT(buf[6], 1);
	T_EQ_INT(buf[14], 0xaa);
	T_EQ_U64(dev_be32(buf + 16), (4 << 20) / 2048);
	/* unknown opcode */
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0xff;
	atapi_cmd(&r.t, cdb, 0xfffe);
	T_EQ_INT(inb(&r.t, S + 7) & 0x01, 0x01);
	ide_free(&r);
}

void test_dev_ide__atapi_empty_tray_and_dma(void)
{
	struct ide_rig r;
	uint8_t cdb[12];
	const uint32_t prd = 0x10000, dst = 0x40000;

	tb_config(&r.t);
	tmem_init(&r.cd, 1 << 20);
	r.disk.data = NULL;
	r.t.cfg.n_storage = 1;
	r.t.cfg.storage[0].type = BOARD_CTL_PIIX3;
	tmem_drive(&r.t.cfg.storage[0].drives[2], NULL, BOARD_DRIVE_CDROM);
	tmem_drive(&r.t.cfg.storage[0].drives[3], &r.cd, BOARD_DRIVE_CDROM);
	tb_start(&r.t);
	T_EQ_U64(pci_rd32(&r.t, DEVFN_IDE, 0) >> 16, 0x7010);
	pci_wr32(&r.t, DEVFN_IDE, 0x20, BM);
	pci_wr32(&r.t, DEVFN_IDE, 0x04, 0x05);
	memset(cdb, 0, sizeof(cdb));
	atapi_cmd(&r.t, cdb, 0xfffe);           /* TEST UNIT READY, empty */
	T_EQ_INT(inb(&r.t, S + 7) & 0x01, 0x01);
	T_EQ_INT(inb(&r.t, S + 1) >> 4, 0x02);  /* NOT READY */
	/* secondary slave, READ(10) by DMA */
	dev_put_le32(r.t.ram + prd, dst);
	dev_put_le32(r.t.ram + prd + 4, 0x80000000u | 4096);
	outl(&r.t, BM + 8 + 4, prd);
	outb(&r.t, S + 6, 0xb0);
	outb(&r.t, S + 1, 0x01);                /* DMA */
	outb(&r.t, S + 7, 0xa0);
	cdb[0] = 0x28;
	cdb[5] = 2;
	cdb[8] = 2;
	{
		unsigned i;

		for (i = 0; i < 12; i += 2)
			outw(&r.t, S, (uint16_t)(cdb[i] | cdb[i + 1] << 8));
	}
	outb(&r.t, BM + 8, 0x09);
	T_EQ_INT(inb(&r.t, BM + 8 + 2) & 0x04, 0x04);
	T_EQ_INT(inb(&r.t, S + 7) & 0x89, 0x00);
	T_EQ_MEM(r.t.ram + dst, r.cd.data + 2 * 2048, 4096);
	tb_free(&r.t);
	free(r.cd.data);
}
