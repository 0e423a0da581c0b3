/*
 * QEMU firmware configuration interface (fw_cfg), the way SeaBIOS finds
 * the machine: ports 0x510 (selector, 16-bit), 0x511 (data, 8-bit) and
 * 0x514-0x51b (DMA address, big-endian; writing the low half at 0x518
 * starts a transfer).
 *
 * Spec: QEMU docs/specs/fw_cfg.rst (legacy keys, file directory at 0x19,
 * DMA descriptor {be32 control, be32 length, be64 address} with control
 * bits error 0x01, read 0x02, skip 0x04, select 0x08, write 0x10).
 * What SeaBIOS 1.16 reads: vmm-platform.md 2.4.
 *
 * Items: signature, ID (traditional + DMA), UUID, RAM size, CPU counts,
 * boot menu, and the files bootorder, etc/e820, etc/boot-fail-wait,
 * etc/show-boot-menu, etc/irq0-override, etc/sercon-port (when the
 * firmware console goes to COM1).  All items are read-only; DMA writes
 * are refused with the error bit.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/devices/dev.h"
#include "lib/util/strbuf.h"

#define FW_SIGNATURE   0x00
#define FW_ID          0x01
#define FW_UUID        0x02
#define FW_RAM_SIZE    0x03
#define FW_NB_CPUS     0x05
#define FW_BOOT_MENU   0x0e
#define FW_MAX_CPUS    0x0f
#define FW_FILE_DIR    0x19
#define FW_FILE_FIRST  0x20
#define FW_MAX_ITEMS   40

#define DMA_ERROR  0x01
#define DMA_READ   0x02
#define DMA_SKIP   0x04
#define DMA_SELECT 0x08
#define DMA_WRITE  0x10

struct fw_item {
	uint16_t key;
	char name[56];          /* files only */
	uint8_t *data;
	uint32_t len;
};

struct fwcfg {
	struct device dev;
	struct fw_item items[FW_MAX_ITEMS];
	unsigned n;
	unsigned nfiles;
	struct fw_item *cur;
	uint32_t off;
	uint32_t dma_hi;
	struct io_region io, dma;
};

static struct fw_item *fw_find(struct fwcfg *fw, uint16_t key)
{
	unsigned i;

	for (i = 0; i < fw->n; i++)
		if (fw->items[i].key == key)
			return &fw->items[i];
	return NULL;
}

static int fw_add(struct fwcfg *fw, uint16_t key, const char *name,
		  const void *data, uint32_t len)
{
	struct fw_item *it;

	if (fw->n >= FW_MAX_ITEMS)
		return -ENOSPC;
	it = &fw->items[fw->n];
	it->data = malloc(len ? len : 1);
	if (!it->data)
		return -ENOMEM;
	memcpy(it->data, data, len);
	it->len = len;
	it->key = key;
	if (name)
		snprintf(it->name, sizeof(it->name), "%s", name);
	fw->n++;
	return 0;
}

static int fw_add_le(struct fwcfg *fw, uint16_t key, uint64_t v, unsigned size)
{
	uint8_t b[8];

	dev_put_le64(b, v);
	return fw_add(fw, key, NULL, b, size);
}

static int fw_add_file(struct fwcfg *fw, const char *name, const void *data,
		       uint32_t len)
{
	return fw_add(fw, (uint16_t)(FW_FILE_FIRST + fw->nfiles++), name, data, len);
}

static int fw_add_file_le(struct fwcfg *fw, const char *name, uint64_t v,
			  unsigned size)
{
	uint8_t b[8];

	dev_put_le64(b, v);
	return fw_add_file(fw, name, b, size);
}

static int fw_build_dir(struct fwcfg *fw)
{
	uint32_t len = 4 + 64 * fw->nfiles;
	uint8_t *d = calloc(1, len);
	unsigned i, k = 0;
	int rc;

	if (!d)
		return -ENOMEM;
	dev_put_be32(d, fw->nfiles);
	for (i = 0; i < fw->n; i++) {
		struct fw_item *it = &fw->items[i];
		uint8_t *e;

		if (it->key < FW_FILE_FIRST)
			continue;
		e = d + 4 + 64 * k++;
		dev_put_be32(e, it->len);
		dev_put_be16(e + 4, it->key);
		memcpy(e + 8, it->name, sizeof(it->name));
	}
	rc = fw_add(fw, FW_FILE_DIR, NULL, d, len);
	free(d);
	return rc;
}

/* OpenFirmware device paths of the drives in <Boot> order, then HALT so
 * that nothing unlisted boots (VirtualBox's BIOS tries only the classes
 * in the boot order). */
static void fw_bootorder(const struct board_config *cfg, struct strbuf *sb)
{
	unsigned i, c, d;
	bool ide_seen = false;

	for (i = 0; i < 4; i++) {
		enum board_drive_kind want;

		if (cfg->boot[i] == BOARD_BOOT_DVD)
			want = BOARD_DRIVE_CDROM;
		else if (cfg->boot[i] == BOARD_BOOT_HDD)
			want = BOARD_DRIVE_DISK;
		else
			continue;
		ide_seen = false;
		for (c = 0; c < cfg->n_storage; c++) {
			const struct board_storage_cfg *s = &cfg->storage[c];

			if (!s->bootable)
				continue;
			if (s->type == BOARD_CTL_AHCI) {
				for (d = 0; d < s->port_count && d < BOARD_AHCI_MAX_PORTS; d++)
					if (s->drives[d].kind == want)
						sb_addf(sb, "/pci@i0cf8/sata@d/drive@%x/disk@0\n", d);
			} else if (!ide_seen) {
				ide_seen = true;
				for (d = 0; d < BOARD_IDE_DRIVES; d++)
					if (s->drives[d].kind == want)
						sb_addf(sb, "/pci@i0cf8/ide@1,1/drive@%x/disk@%x\n",
							d / 2, d % 2);
			}
		}
	}
	sb_adds(sb, "HALT");
}

static int fw_e820(struct fwcfg *fw, const struct board_config *cfg)
{
	uint8_t e[4][20];
	unsigned n = 0, i;

	for (i = 0; i < cfg->n_ram && n < 3; i++) {
		dev_put_le64(e[n], cfg->ram[i].gpa);
		dev_put_le64(e[n] + 8, cfg->ram[i].size);
		dev_put_le32(e[n] + 16, 1);
		n++;
	}
	if (cfg->reserved_len) {
		dev_put_le64(e[n], cfg->reserved_gpa);
		dev_put_le64(e[n] + 8, cfg->reserved_len);
		dev_put_le32(e[n] + 16, 2);
		n++;
	}
	return fw_add_file(fw, "etc/e820", e, 20 * n);
}

static int fw_populate(struct fwcfg *fw, const struct board_config *cfg)
{
	struct strbuf sb = STRBUF_INIT;
	int rc = 0;

	rc |= fw_add(fw, FW_SIGNATURE, NULL, "QEMU", 4);
	rc |= fw_add_le(fw, FW_ID, 0x3, 4);
	rc |= fw_add(fw, FW_UUID, NULL, cfg->uuid, 16);
	rc |= fw_add_le(fw, FW_RAM_SIZE, cfg->ram_size, 8);
	rc |= fw_add_le(fw, FW_NB_CPUS, cfg->cpus, 2);
	rc |= fw_add_le(fw, FW_MAX_CPUS, cfg->cpus, 2);
	rc |= fw_add_le(fw, FW_BOOT_MENU, 0, 2);
	fw_bootorder(cfg, &sb);
	if (sb.oom)
		return -ENOMEM;
	rc |= fw_add_file(fw, "bootorder", sb_str(&sb), (uint32_t)sb.len);
	sb_release(&sb);
	rc |= fw_e820(fw, cfg);
	/* Like VirtualBox's BIOS: no bootable medium halts, no retry. */
	rc |= fw_add_file_le(fw, "etc/boot-fail-wait", 0xffffffffu, 4);
	rc |= fw_add_file_le(fw, "etc/show-boot-menu", 0, 2);
	rc |= fw_add_file_le(fw, "etc/irq0-override", cfg->ioapic ? 1 : 0, 4);
	if (cfg->sercon && cfg->serial[0].enabled)
		rc |= fw_add_file_le(fw, "etc/sercon-port", cfg->serial[0].iobase, 2);
	if (rc)
		return -ENOMEM;
	return fw_build_dir(fw);
}

static void fw_select(struct fwcfg *fw, uint16_t key)
{
	fw->cur = fw_find(fw, key);
	fw->off = 0;
}

static uint8_t fw_data_byte(struct fwcfg *fw)
{
	if (!fw->cur || fw->off >= fw->cur->len)
		return 0;
	return fw->cur->data[fw->off++];
}

static void fw_dma(struct fwcfg *fw, uint64_t addr)
{
	struct board *b = fw->dev.board;
	uint8_t desc[16], cb[4], chunk[512];
	uint32_t control, len;
	uint64_t dst;

	if (dma_read(b, addr, desc, sizeof(desc)) < 0) {
		dev_log(b, "fw_cfg: DMA descriptor at %#llx is outside guest RAM",
			(unsigned long long)addr);
		return;
	}
	control = dev_be32(desc);
	len = dev_be32(desc + 4);
	dst = dev_be64(desc + 8);
	if (control & DMA_SELECT)
		fw_select(fw, (uint16_t)(control >> 16));
	if (control & DMA_WRITE) {
		control = DMA_ERROR;
	} else if (control & DMA_SKIP) {
		uint32_t left = fw->cur && fw->off < fw->cur->len ?
				fw->cur->len - fw->off : 0;

		fw->off += len < left ? len : left;
		control = 0;
	} else if (control & DMA_READ) {
		bool read = true;

		control = 0;
		while (len) {
			uint32_t n = len < sizeof(chunk) ? len : sizeof(chunk);
			uint32_t i;

			for (i = 0; i < n; i++)
				chunk[i] = fw_data_byte(fw);
			if (read && dma_write(b, dst, chunk, n) < 0) {
				control = DMA_ERROR;
				break;
			}
			dst += n;
			len -= n;
		}
	} else {
		control = 0;
	}
	dev_put_be32(cb, control);
	dma_write(b, addr, cb, 4);
}

static uint64_t fw_io_read(void *opaque, uint64_t off, unsigned size)
{
	struct fwcfg *fw = opaque;

	if (off == 1 && size == 1)
		return fw_data_byte(fw);
	return size == 2 ? 0xffff : 0xff;
}

static void fw_io_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct fwcfg *fw = opaque;

	if (off == 0 && size == 2)
		fw_select(fw, (uint16_t)val);
}

static const struct io_ops fw_io_ops = {
	.read = fw_io_read, .write = fw_io_write, .sizes = IO_SZ1 | IO_SZ2,
};

static uint64_t fw_dma_read(void *opaque, uint64_t off, unsigned size)
{
	static const char sig[8] = "QEMU CFG";
	uint64_t v = 0;
	unsigned i;

	(void)opaque;
	/* The signature reads as a big-endian 64-bit value. */
	for (i = 0; i < size && off + i < 8; i++)
		v |= (uint64_t)(uint8_t)sig[off + i] << (8 * i);
	return v;
}

static void fw_dma_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct fwcfg *fw = opaque;
	uint32_t v = __builtin_bswap32((uint32_t)val);

	if (size != 4)
		return;
	if (off == 0)
		fw->dma_hi = v;
	else if (off == 4) {
		fw_dma(fw, ((uint64_t)fw->dma_hi << 32) | v);
		fw->dma_hi = 0;
	}
}

static const struct io_ops fw_dma_ops = {
	.read = fw_dma_read, .write = fw_dma_write,
	.sizes = IO_SZ1 | IO_SZ2 | IO_SZ4, .aligned = true,
};

static void fw_reset(struct device *d)
{
	struct fwcfg *fw = DEV_CONTAINER(d, struct fwcfg, dev);

	fw->cur = NULL;
	fw->off = 0;
	fw->dma_hi = 0;
}

static void fw_release(struct device *d)
{
	struct fwcfg *fw = DEV_CONTAINER(d, struct fwcfg, dev);
	unsigned i;

	for (i = 0; i < fw->n; i++)
		free(fw->items[i].data);
	free(fw);
}

static const struct device_ops fw_dev_ops = {
	.reset = fw_reset, .release = fw_release,
};

int fwcfg_create(struct board *b, const struct board_config *cfg)
{
	struct fwcfg *fw = calloc(1, sizeof(*fw));
	int rc;

	if (!fw)
		return -ENOMEM;
	dev_register(b, &fw->dev, "fw_cfg", &fw_dev_ops);
	rc = fw_populate(fw, cfg);
	if (rc)
		return rc;
	io_region_init(&fw->io, "fw_cfg", &fw_io_ops, fw, IO_SPACE_PORT);
	io_region_init(&fw->dma, "fw_cfg dma", &fw_dma_ops, fw, IO_SPACE_PORT);
	rc = io_region_map(b, &fw->io, 0x510, 2);
	if (!rc)
		rc = io_region_map(b, &fw->dma, 0x514, 8);
	return rc;
}
