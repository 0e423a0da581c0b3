/* fw_cfg: signature and items through 0x510/0x511, the file directory,
 * DMA transfers and their error handling, the boot order file. */
#include "t-dev.h"

static void select_key(struct tboard *t, uint16_t key)
{
	outw(t, 0x510, key);
}

static void read_bytes(struct tboard *t, uint8_t *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = inb(t, 0x511);
}

/* Find a file in the directory; returns its selector, 0 if absent. */
static uint16_t find_file(struct tboard *t, const char *name, uint32_t *size)
{
	uint8_t b[64];
	uint32_t n, i;

	select_key(t, 0x19);
	read_bytes(t, b, 4);
	n = dev_be32(b);
	for (i = 0; i < n; i++) {
		read_bytes(t, b, 64);
		if (!strcmp((char *)b + 8, name)) {
			*size = dev_be32(b);
			return (uint16_t)(b[4] << 8 | b[5]);
		}
	}
	return 0;
}

static void dma(struct tboard *t, uint64_t desc_addr)
{
	outl(t, 0x514, __builtin_bswap32((uint32_t)(desc_addr >> 32)));
	outl(t, 0x518, __builtin_bswap32((uint32_t)desc_addr));
}

static void fw_rig(struct tboard *t, struct tmem_blk *cd, struct tmem_blk *disk)
{
	tb_config(t);
	tmem_init(cd, 1 << 20);
	tmem_init(disk, 1 << 20);
	t->cfg.n_storage = 2;
	t->cfg.storage[0].type = BOARD_CTL_PIIX4;
	t->cfg.storage[0].bootable = true;
	tmem_drive(&t->cfg.storage[0].drives[2], cd, BOARD_DRIVE_CDROM);
	t->cfg.storage[1].type = BOARD_CTL_AHCI;
	t->cfg.storage[1].port_count = 4;
	t->cfg.storage[1].bootable = true;
	tmem_drive(&t->cfg.storage[1].drives[1], disk, BOARD_DRIVE_DISK);
	t->cfg.cpus = 3;
	t->cfg.uuid[0] = 0x12;
	t->cfg.uuid[15] = 0x34;
	t->cfg.reserved_gpa = 0xfeffc000u;
	t->cfg.reserved_len = 0x4000;
	t->cfg.serial[0].enabled = true;
	t->cfg.serial[0].iobase = 0x3f8;
	t->cfg.serial[0].irq = 4;
	t->cfg.sercon = true;
	tb_start(t);
}

void test_dev_fwcfg__signature_items_and_files(void)
{
	struct tboard t;
	struct tmem_blk cd, disk;
	uint8_t b[256];
	uint32_t size;
	uint16_t sel;

	fw_rig(&t, &cd, &disk);
	select_key(&t, 0);
	read_bytes(&t, b, 4);
	T_ASSERT(!memcmp(b, "QEMU", 4));
	select_key(&t, 1);
	read_bytes(&t, b, 4);
	T_EQ_U64(dev_le32(b), 3);               /* traditional + DMA */
	select_key(&t, 5);
	read_bytes(&t, b, 2);
	T_EQ_INT(dev_le16(b), 3);
	select_key(&t, 2);
	read_bytes(&t, b, 16);
	T_EQ_INT(b[0], 0x12);
	T_EQ_INT(b[15], 0x34);
	T_EQ_U64(inl(&t, 0x514), 0x554d4551u);  /* "QEMU" of "QEMU CFG" */
	sel = find_file(&t, "bootorder", &size);
	T_ASSERT(sel >= 0x20);
	select_key(&t, sel);
	T_ASSERT(size < sizeof(b));
	read_bytes(&t, b, size);
	b[size] = 0;
	T_EQ_STR((char *)b, "/pci@i0cf8/ide@1,1/drive@1/disk@0\n"
			    "/pci@i0cf8/sata@d/drive@1/disk@0\nHALT");
	sel = find_file(&t, "etc/sercon-port", &size);
	select_key(&t, sel);
	read_bytes(&t, b, size);
	T_EQ_INT(dev_le16(b), 0x3f8);
	T_EQ_INT(find_file(&t, "etc/no-such-file", &size), 0);
	tb_free(&t);
	free(cd.data);
	free(disk.data);
}

void test_dev_fwcfg__dma_read_skip_and_errors(void)
{
	struct tboard t;
	struct tmem_blk cd, disk;
	uint8_t *desc;
	uint32_t size;
	uint16_t sel;

	fw_rig(&t, &cd, &disk);
	sel = find_file(&t, "etc/e820", &size);
	T_EQ_INT(size, 40);                     /* RAM + reserved */
	desc = t.ram + 0x1000;
	dev_put_be32(desc, ((uint32_t)sel << 16) | 0x08 | 0x02);
	dev_put_be32(desc + 4, size);
	dev_put_be32(desc + 8, 0);
	dev_put_be32(desc + 12, 0x2000);
	dma(&t, 0x1000);
	T_EQ_U64(dev_be32(desc), 0);            /* done, no error */
	T_EQ_U64(dev_le64(t.ram + 0x2000), 0);
	T_EQ_U64(dev_le64(t.ram + 0x2008), TB_RAM);
	T_EQ_U64(dev_le32(t.ram + 0x2010), 1);
	T_EQ_U64(dev_le64(t.ram + 0x2014), 0xfeffc000u);
	T_EQ_U64(dev_le32(t.ram + 0x2024), 2);
	/* skip 4 then read the rest of the signature */
	dev_put_be32(desc, (0u << 16) | 0x08 | 0x04);
	dev_put_be32(desc + 4, 2);
	dma(&t, 0x1000);
	dev_put_be32(desc, 0x02);
	dev_put_be32(desc + 4, 2);
	dev_put_be32(desc + 12, 0x3000);
	dma(&t, 0x1000);
	T_ASSERT(!memcmp(t.ram + 0x3000, "MU", 2));
	/* destination outside RAM: error bit */
	dev_put_be32(desc, 0x08 | 0x02);
	dev_put_be32(desc + 4, 4);
	dev_put_be32(desc + 8, 0x1);
	dev_put_be32(desc + 12, 0);
	dma(&t, 0x1000);
	T_EQ_U64(dev_be32(desc), 1);
	/* writes are refused */
	dev_put_be32(desc, 0x10);
	dev_put_be32(desc + 8, 0);
	dev_put_be32(desc + 12, 0x3000);
	dma(&t, 0x1000);
	T_EQ_U64(dev_be32(desc), 1);
	/* a descriptor outside RAM is ignored and logged */
	dma(&t, 0x80000000ull);
	T_ASSERT(strstr(t.log, "fw_cfg: DMA descriptor at 0x80000000 is outside guest RAM"));
	tb_free(&t);
	free(cd.data);
	free(disk.data);
}

/* Regression (fuzzer timeout): a 4 GiB skip or read must not take ages. */
void test_dev_fwcfg__huge_dma_lengths_are_cheap(void)
{
	struct tboard t;
	struct tmem_blk cd, disk;
	uint8_t *desc;

	fw_rig(&t, &cd, &disk);
	desc = t.ram + 0x1000;
	dev_put_be32(desc, 0x08 | 0x04);        /* select 0, skip */
	dev_put_be32(desc + 4, 0xffffffffu);
	dev_put_be32(desc + 8, 0);
	dev_put_be32(desc + 12, 0x2000);
	dma(&t, 0x1000);
	T_EQ_U64(dev_be32(desc), 0);
	T_EQ_INT(inb(&t, 0x511), 0);            /* past the end of "QEMU" */
	dev_put_be32(desc, 0x08 | 0x02);        /* read 4 GiB into 4 MiB RAM */
	dev_put_be32(desc + 4, 0xffffffffu);
	dma(&t, 0x1000);
	T_EQ_U64(dev_be32(desc), 1);            /* ran off the end of RAM */
	T_ASSERT(!memcmp(t.ram + 0x2000, "QEMU", 4));
	tb_free(&t);
	free(cd.data);
	free(disk.data);
}
