/*
 * ATA hard disk and ATAPI CD/DVD-ROM drive (see ata.h for the controller
 * interface).
 *
 * Spec: ATA/ATAPI-6 (T13/1410D): task file, IDENTIFY (DEVICE|PACKET
 * DEVICE) words, READ/WRITE SECTORS [EXT], READ/WRITE MULTIPLE [EXT],
 * READ/WRITE DMA [EXT], READ VERIFY, SET FEATURES, SET MULTIPLE MODE,
 * FLUSH CACHE [EXT], READ NATIVE MAX ADDRESS [EXT], power commands,
 * EXECUTE DEVICE DIAGNOSTIC, DEVICE RESET, PACKET with the byte-count
 * limit of PIO data transfers.  SCSI MMC-3 for the packet commands: TEST
 * UNIT READY, REQUEST SENSE, INQUIRY, MODE SENSE(6/10) pages 01/2a,
 * START STOP UNIT, PREVENT ALLOW MEDIUM REMOVAL, READ CAPACITY, READ(10/12),
 * READ CD (user data), SEEK, READ TOC (formats 0 and 1), GET CONFIGURATION,
 * GET EVENT STATUS NOTIFICATION, READ DISC INFORMATION, MECHANISM STATUS.
 *
 * Identity strings are VirtualBox's ("VBOX HARDDISK", "VBOX CD-ROM",
 * firmware "1.0", INQUIRY vendor "VBOX").
 *
 * Limits: no NCQ, no SMART, no security or HPA; CHS addressing uses the
 * default 16-head/63-sector geometry; guest eject requests are logged but
 * the medium stays (changing media is a front-end action); audio
 * commands are refused with ILLEGAL REQUEST.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/devices/ata.h"

#define SK_NOT_READY 0x02
#define SK_ILLEGAL   0x05
#define SK_UNIT_ATTN 0x06
#define SK_MEDIUM_ERR 0x03
#define SK_DATA_PROT 0x07

#define ATAPI_CMD_LEN 12

static void set_signature(struct ata_dev *d)
{
	d->nsector = 1;
	d->lbal = 1;
	if (d->kind == BOARD_DRIVE_CDROM) {
		d->lbam = 0x14;
		d->lbah = 0xeb;
	} else {
		d->lbam = 0;
		d->lbah = 0;
	}
	d->device &= 0x10;
}

uint32_t ata_signature(const struct ata_dev *d)
{
	if (d->kind == BOARD_DRIVE_CDROM)
		return 0xeb140101u;
	return 0x00000101u;
}

void ata_dev_init(struct ata_dev *d, struct board *b,
		  const struct board_drive_cfg *cfg, void (*irq)(void *),
		  void *ctl)
{
	memset(d, 0, sizeof(*d));
	d->board = b;
	d->irq = irq;
	d->ctl = ctl;
	if (!cfg || cfg->kind == BOARD_DRIVE_NONE)
		return;
	d->kind = cfg->kind;
	d->blk = cfg->blk;
	d->nonrotational = cfg->nonrotational;
	snprintf(d->serial, sizeof(d->serial), "%s", cfg->serial);
	if (cfg->model[0])
		snprintf(d->model, sizeof(d->model), "%s", cfg->model);
	else
		snprintf(d->model, sizeof(d->model), "%s",
			 d->kind == BOARD_DRIVE_CDROM ? "VBOX CD-ROM" : "VBOX HARDDISK");
	d->sectors = d->blk.ops ? d->blk.size / ATA_SECTOR : 0;
}

void ata_dev_release(struct ata_dev *d)
{
	free(d->buf);
	d->buf = NULL;
}

static int ensure_buf(struct ata_dev *d)
{
	if (!d->buf)
		d->buf = malloc(ATA_IOBUF);
	return d->buf ? 0 : -ENOMEM;
}

void ata_dev_reset(struct ata_dev *d)
{
	if (d->kind == BOARD_DRIVE_NONE)
		return;
	d->phase = ATA_IDLE;
	d->buf_len = d->buf_pos = 0;
	d->xfer_left = 0;
	d->error = 0x01;                /* diagnostic: no error */
	d->feature = d->hob_feature = 0;
	d->hob_nsector = d->hob_lbal = d->hob_lbam = d->hob_lbah = 0;
	set_signature(d);
	d->status = d->kind == BOARD_DRIVE_CDROM ? 0 : ATA_ST_DRDY | ATA_ST_DSC;
	d->multiple = 16;
	d->sense_key = d->asc = d->ascq = 0;
	d->locked = false;
}

/* ------------------------------------------------------------------ */
/* Completion                                                          */

static void raise_irq(struct ata_dev *d)
{
	if (d->irq)
		d->irq(d->ctl);
}

static void cmd_ok(struct ata_dev *d)
{
	d->phase = ATA_IDLE;
	d->status = ATA_ST_DRDY | ATA_ST_DSC;
	d->error = 0;
	raise_irq(d);
}

static void cmd_abort(struct ata_dev *d, uint8_t err)
{
	d->phase = ATA_IDLE;
	d->status = ATA_ST_DRDY | ATA_ST_ERR;
	d->error = err;
	raise_irq(d);
}

static void atapi_check(struct ata_dev *d, uint8_t key, uint8_t asc,
			uint8_t ascq)
{
	d->sense_key = key;
	d->asc = asc;
	d->ascq = ascq;
	d->phase = ATA_IDLE;
	d->status = ATA_ST_DRDY | ATA_ST_ERR;
	d->error = (uint8_t)(key << 4);
	d->nsector = 0x03;              /* I/O, C/D: status phase */
	raise_irq(d);
}

static void atapi_ok(struct ata_dev *d)
{
	d->sense_key = d->asc = d->ascq = 0;
	d->phase = ATA_IDLE;
	d->status = ATA_ST_DRDY | ATA_ST_DSC;
	d->error = 0;
	d->nsector = 0x03;
	raise_irq(d);
}

/* Successful end of a data command: packet commands end in the ATAPI
 * status phase, everything else as an ATA command. */
static void finish_ok(struct ata_dev *d)
{
	if (d->command == 0xa0)
		atapi_ok(d);
	else
		cmd_ok(d);
}

/* ------------------------------------------------------------------ */
/* Data phases                                                         */

static int load_medium(struct ata_dev *d, size_t n)
{
	int rc;

	if (!d->blk.ops)
		return -EIO;
	rc = d->blk.ops->read(d->blk.opaque, d->xfer_off, d->buf, n);
	if (rc < 0)
		return rc;
	d->xfer_off += n;
	d->xfer_left -= n;
	return 0;
}

static int store_medium(struct ata_dev *d, size_t n)
{
	int rc;

	if (!d->blk.ops || d->blk.readonly)
		return -EROFS;
	rc = d->blk.ops->write(d->blk.opaque, d->xfer_off, d->buf, n);
	if (rc < 0)
		return rc;
	d->xfer_off += n;
	return 0;
}

static void xfer_fail(struct ata_dev *d, int rc)
{
	dev_log(d->board, "ATA: %s error at byte offset %llu of the %s medium: %s",
		d->phase == ATA_PIO_OUT || d->phase == ATA_DMA_OUT ? "write" : "read",
		(unsigned long long)d->xfer_off,
		d->kind == BOARD_DRIVE_CDROM ? "DVD" : "disk", strerror(-rc));
	if (d->command == 0xa0)
		atapi_check(d, SK_MEDIUM_ERR, 0x11, 0x00);
	else
		cmd_abort(d, ATA_ER_UNC);
}

/* Next PIO window: a block of the disk, or a packet-sized chunk of an
 * ATAPI reply (byte count limit), raising the block's interrupt. */
static void pio_next_in(struct ata_dev *d)
{
	size_t n;
	int rc;

	if (d->xfer_medium) {
		n = d->command == 0xa0 ? d->byte_limit : d->block_bytes;
		if (n > d->xfer_left)
			n = (size_t)d->xfer_left;
		rc = load_medium(d, n);
		if (rc < 0) {
			xfer_fail(d, rc);
			return;
		}
		d->buf_pos = 0;
		d->buf_len = n;
	} else {
		n = (size_t)d->xfer_left;
		if (d->command == 0xa0 && n > d->byte_limit)
			n = d->byte_limit;
		d->buf_pos = d->buf_len;
		d->buf_len += n;
		d->xfer_left -= n;
	}
	if (d->command == 0xa0) {
		d->lbam = (uint8_t)n;
		d->lbah = (uint8_t)(n >> 8);
		d->nsector = 0x02;      /* I/O = 1, C/D = 0: data to host */
	}
	d->phase = ATA_PIO_IN;
	d->status = ATA_ST_DRDY | ATA_ST_DSC | ATA_ST_DRQ;
	raise_irq(d);
}

/* Begin a device-to-host data phase of `bytes` from the medium at `off`
 * (medium) or from d->buf (reply already built). */
static void start_in(struct ata_dev *d, bool medium, uint64_t off,
		     uint64_t bytes, bool dma)
{
	d->xfer_medium = medium;
	d->xfer_off = off;
	d->xfer_left = bytes;
	d->buf_pos = d->buf_len = 0;
	if (!bytes) {
		finish_ok(d);
		return;
	}
	if (dma) {
		d->phase = ATA_DMA_IN;
		d->status = ATA_ST_DRDY | ATA_ST_DSC | ATA_ST_DRQ;
		return;
	}
	pio_next_in(d);
}

static void start_out(struct ata_dev *d, uint64_t off, uint64_t bytes,
		      bool dma)
{
	d->xfer_medium = true;
	d->xfer_off = off;
	d->xfer_left = bytes;
	d->buf_pos = 0;
	if (dma) {
		d->phase = ATA_DMA_OUT;
		d->status = ATA_ST_DRDY | ATA_ST_DSC | ATA_ST_DRQ;
		return;
	}
	d->buf_len = d->block_bytes < bytes ? d->block_bytes : (size_t)bytes;
	d->phase = ATA_PIO_OUT;
	d->status = ATA_ST_DRDY | ATA_ST_DSC | ATA_ST_DRQ;
}

static void pio_in_done(struct ata_dev *d)
{
	if (d->xfer_left) {
		pio_next_in(d);
		return;
	}
	if (d->command == 0xa0) {
		atapi_ok(d);
	} else {
		/* ATA PIO-in: the last block carries no completion IRQ. */
		d->phase = ATA_IDLE;
		d->status = ATA_ST_DRDY | ATA_ST_DSC;
	}
}

static void pio_out_done(struct ata_dev *d)
{
	int rc = store_medium(d, d->buf_len);

	if (rc < 0) {
		xfer_fail(d, rc);
		return;
	}
	d->xfer_left -= d->buf_len;
	if (!d->xfer_left) {
		cmd_ok(d);
		return;
	}
	d->buf_pos = 0;
	d->buf_len = d->block_bytes < d->xfer_left ? d->block_bytes :
		     (size_t)d->xfer_left;
	d->status = ATA_ST_DRDY | ATA_ST_DSC | ATA_ST_DRQ;
	raise_irq(d);
}

uint32_t ata_pio_read(struct ata_dev *d, unsigned size)
{
	uint32_t v = 0;
	unsigned i;

	if (d->phase != ATA_PIO_IN)
		return 0xffffffffu >> (32 - 8 * size);
	for (i = 0; i < size && d->buf_pos < d->buf_len; i++)
		v |= (uint32_t)d->buf[d->buf_pos++] << (8 * i);
	if (d->buf_pos >= d->buf_len)
		pio_in_done(d);
	return v;
}

void ata_pio_write(struct ata_dev *d, uint32_t v, unsigned size)
{
	unsigned i;

	if (d->phase != ATA_PIO_OUT && d->phase != ATA_PACKET_CDB)
		return;
	for (i = 0; i < size && d->buf_pos < d->buf_len; i++)
		d->buf[d->buf_pos++] = (uint8_t)(v >> (8 * i));
	if (d->buf_pos < d->buf_len)
		return;
	if (d->phase == ATA_PACKET_CDB) {
		uint8_t cdb[ATAPI_CMD_LEN];

		memcpy(cdb, d->buf, sizeof(cdb));
		ata_packet(d, cdb);
	} else {
		pio_out_done(d);
	}
}

bool ata_dma_pending(const struct ata_dev *d)
{
	return d->phase == ATA_DMA_IN || d->phase == ATA_DMA_OUT;
}

bool ata_is_pio(const struct ata_dev *d)
{
	return d->phase == ATA_PIO_IN || d->phase == ATA_PIO_OUT;
}

uint64_t ata_xfer_sg(struct ata_dev *d, const struct ata_sg *sg)
{
	bool in = d->phase == ATA_DMA_IN || d->phase == ATA_PIO_IN;
	bool out = d->phase == ATA_DMA_OUT || d->phase == ATA_PIO_OUT;
	uint64_t moved = 0;
	int rc;

	if (!in && !out)
		return 0;
	if (in && !d->xfer_medium) {
		/* A built reply: all of it, at once. */
		size_t n = d->buf_len - d->buf_pos + (size_t)d->xfer_left;

		if (d->phase == ATA_DMA_IN)
			n = (size_t)d->xfer_left;
		rc = sg->copy(sg->ctx, d->buf + d->buf_pos, n, true);
		moved = rc > 0 ? (uint64_t)rc : 0;
		d->xfer_left = 0;
		if (rc < 0) {
			cmd_abort(d, ATA_ER_ABRT);
			return 0;
		}
	} else if (in) {
		/* Whatever the PIO path already loaded goes first. */
		if (d->buf_pos < d->buf_len) {
			rc = sg->copy(sg->ctx, d->buf + d->buf_pos,
				      d->buf_len - d->buf_pos, true);
			if (rc < 0)
				goto fault;
			moved += (uint64_t)rc;
		}
		while (d->xfer_left) {
			size_t n = d->xfer_left < ATA_IOBUF ? (size_t)d->xfer_left :
				   ATA_IOBUF;

			rc = load_medium(d, n);
			if (rc < 0) {
				xfer_fail(d, rc);
				return moved;
			}
			rc = sg->copy(sg->ctx, d->buf, n, true);
			if (rc < 0)
				goto fault;
			moved += (uint64_t)rc;
			if ((size_t)rc < n)
				break;          /* PRD table too short */
		}
	} else {
		while (d->xfer_left) {
			size_t n = d->xfer_left < ATA_IOBUF ? (size_t)d->xfer_left :
				   ATA_IOBUF;

			rc = sg->copy(sg->ctx, d->buf, n, false);
			if (rc < 0)
				goto fault;
			if ((size_t)rc < n) {
				n = (size_t)rc;
				d->xfer_left = n;       /* write what we have */
			}
			rc = store_medium(d, n);
			if (rc < 0) {
				xfer_fail(d, rc);
				return moved;
			}
			d->xfer_left -= n;
			moved += n;
		}
	}
	d->xfer_left = 0;
	finish_ok(d);
	return moved;
fault:
	dev_log(d->board, "ATA: DMA to or from memory outside guest RAM; command aborted");
	if (d->command == 0xa0)
		atapi_check(d, SK_ILLEGAL, 0x21, 0x00);
	else
		cmd_abort(d, ATA_ER_ABRT);
	return moved;
}

/* ------------------------------------------------------------------ */
/* IDENTIFY                                                            */

static void id_string(uint16_t *w, unsigned first, unsigned words,
		      const char *s)
{
	size_t len = strlen(s);
	unsigned i;

	for (i = 0; i < words * 2; i++) {
		uint8_t c = i < len ? (uint8_t)s[i] : ' ';

		if (i & 1)
			w[first + i / 2] |= c;
		else
			w[first + i / 2] = (uint16_t)(c << 8);
	}
}

static void id_finish(uint16_t *w, uint8_t *out)
{
	uint8_t sum = 0;
	unsigned i;

	w[255] = 0x00a5;
	for (i = 0; i < 255; i++)
		sum = (uint8_t)(sum + (w[i] & 0xff) + (w[i] >> 8));
	sum = (uint8_t)(sum + 0xa5);
	w[255] |= (uint16_t)((uint8_t)-sum << 8);
	for (i = 0; i < 256; i++)
		dev_put_le16(out + 2 * i, w[i]);
}

static void identify_disk(struct ata_dev *d, uint8_t *out)
{
	uint16_t w[256];
	uint64_t s = d->sectors;
	uint32_t cyl = (uint32_t)(s / (16 * 63));
	uint32_t lba28 = s > 0x0fffffff ? 0x0fffffff : (uint32_t)s;

	memset(w, 0, sizeof(w));
	if (cyl > 16383)
		cyl = 16383;
	w[0] = 0x0040;
	w[1] = (uint16_t)cyl;
	w[3] = 16;
	w[6] = 63;
	id_string(w, 10, 10, d->serial);
	id_string(w, 23, 4, "1.0");
	id_string(w, 27, 20, d->model);
	w[47] = 0x8000 | 16;
	w[49] = 0x0300;                 /* LBA, DMA */
	w[50] = 0x4000;
	w[53] = 0x0007;
	w[54] = (uint16_t)cyl;
	w[55] = 16;
	w[56] = 63;
	w[57] = (uint16_t)(cyl * 16 * 63);
	w[58] = (uint16_t)((cyl * 16 * 63) >> 16);
	if (d->multiple)
		w[59] = 0x0100 | d->multiple;
	w[60] = (uint16_t)lba28;
	w[61] = (uint16_t)(lba28 >> 16);
	w[63] = (uint16_t)(0x0007 | (d->mwdma ? (1u << (8 + (d->mwdma & 7))) : 0));
	w[64] = 0x0003;
	w[65] = w[66] = w[67] = w[68] = 120;
	w[80] = 0x00f0;
	w[82] = 0x4020;                 /* write cache */
	w[83] = 0x7400;                 /* LBA48, FLUSH CACHE [EXT] */
	w[84] = 0x4000;
	w[85] = (uint16_t)(0x4000 | (d->wcache ? 0x20 : 0));
	w[86] = 0x3400;
	w[87] = 0x4000;
	w[88] = (uint16_t)(0x003f | (d->udma ? (1u << (8 + (d->udma & 7))) : 0));
	w[93] = 0x6001;
	w[100] = (uint16_t)s;
	w[101] = (uint16_t)(s >> 16);
	w[102] = (uint16_t)(s >> 32);
	w[103] = (uint16_t)(s >> 48);
	w[106] = 0x4000;
	w[217] = d->nonrotational ? 1 : 0;
	id_finish(w, out);
}

static void identify_packet(struct ata_dev *d, uint8_t *out)
{
	uint16_t w[256];

	memset(w, 0, sizeof(w));
	w[0] = 0x85c0;                  /* ATAPI, CD-ROM, removable */
	id_string(w, 10, 10, d->serial);
	id_string(w, 23, 4, "1.0");
	id_string(w, 27, 20, d->model);
	w[49] = 0x0300;
	w[53] = 0x0007;
	w[63] = (uint16_t)(0x0007 | (d->mwdma ? (1u << (8 + (d->mwdma & 7))) : 0));
	w[64] = 0x0003;
	w[65] = w[66] = w[67] = w[68] = 120;
	w[71] = 30;
	w[72] = 30;
	w[80] = 0x007e;
	w[82] = 0x4214;                 /* NOP, DEVICE RESET, PACKET, removable */
	w[83] = 0x4000;
	w[84] = 0x4000;
	w[85] = 0x4214;
	w[87] = 0x4000;
	w[88] = (uint16_t)(0x003f | (d->udma ? (1u << (8 + (d->udma & 7))) : 0));
	w[93] = 0x6001;
	id_finish(w, out);
}

/* ------------------------------------------------------------------ */
/* ATA commands                                                        */

static bool rw_address(struct ata_dev *d, bool ext, uint64_t *lba,
		       uint32_t *count)
{
	if (ext) {
		*lba = (uint64_t)d->lbal | ((uint64_t)d->lbam << 8) |
		       ((uint64_t)d->lbah << 16) | ((uint64_t)d->hob_lbal << 24) |
		       ((uint64_t)d->hob_lbam << 32) | ((uint64_t)d->hob_lbah << 40);
		*count = d->nsector | ((uint32_t)d->hob_nsector << 8);
		if (!*count)
			*count = 65536;
	} else if (d->device & 0x40) {
		*lba = d->lbal | ((uint32_t)d->lbam << 8) |
		       ((uint32_t)d->lbah << 16) | ((uint32_t)(d->device & 0xf) << 24);
		*count = d->nsector ? d->nsector : 256;
	} else {
		uint32_t cyl = d->lbam | ((uint32_t)d->lbah << 8);
		uint32_t head = d->device & 0xf, sect = d->lbal;

		if (!sect || sect > 63)
			return false;
		*lba = ((uint64_t)cyl * 16 + head) * 63 + sect - 1;
		*count = d->nsector ? d->nsector : 256;
	}
	return *lba + *count <= d->sectors;
}

static void ata_rw(struct ata_dev *d, bool ext, bool write, bool dma,
		   unsigned block)
{
	uint64_t lba;
	uint32_t count;

	d->lba48 = ext;
	if (!rw_address(d, ext, &lba, &count)) {
		cmd_abort(d, ATA_ER_IDNF | ATA_ER_ABRT);
		return;
	}
	d->block_bytes = block * ATA_SECTOR;
	if (write)
		start_out(d, lba * ATA_SECTOR, (uint64_t)count * ATA_SECTOR, dma);
	else
		start_in(d, true, lba * ATA_SECTOR, (uint64_t)count * ATA_SECTOR, dma);
}

static void ata_set_features(struct ata_dev *d)
{
	switch (d->feature) {
	case 0x03: {
		unsigned mode = d->nsector >> 3, val = d->nsector & 7;

		if (mode == 8) {
			d->udma = (uint8_t)(val | 0x80);
			d->mwdma = 0;
		} else if (mode == 4) {
			d->mwdma = (uint8_t)(val | 0x80);
			d->udma = 0;
		} else if (mode <= 1) {
			d->pio = (uint8_t)val;
		}
		cmd_ok(d);
		return;
	}
	case 0x02:
		d->wcache = true;
		cmd_ok(d);
		return;
	case 0x82:
		d->wcache = false;
		cmd_ok(d);
		return;
	case 0x55: case 0xaa: case 0x66: case 0xcc: case 0x05: case 0x85:
	case 0x31: case 0x95: case 0x42: case 0xc2:
		cmd_ok(d);
		return;
	default:
		cmd_abort(d, ATA_ER_ABRT);
	}
}

static void ata_native_max(struct ata_dev *d, bool ext)
{
	uint64_t max = d->sectors ? d->sectors - 1 : 0;

	d->lbal = (uint8_t)max;
	d->lbam = (uint8_t)(max >> 8);
	d->lbah = (uint8_t)(max >> 16);
	if (ext) {
		d->hob_lbal = (uint8_t)(max >> 24);
		d->hob_lbam = (uint8_t)(max >> 32);
		d->hob_lbah = (uint8_t)(max >> 40);
	} else {
		d->device = (uint8_t)((d->device & 0xf0) | ((max >> 24) & 0xf));
	}
	cmd_ok(d);
}

static void ata_disk_command(struct ata_dev *d, uint8_t cmd)
{
	int rc;

	switch (cmd) {
	case 0xec:                                      /* IDENTIFY DEVICE */
		identify_disk(d, d->buf);
		d->block_bytes = ATA_SECTOR;
		start_in(d, false, 0, ATA_SECTOR, false);
		break;
	case 0x20: case 0x21:
		ata_rw(d, false, false, false, 1);
		break;
	case 0x24:
		ata_rw(d, true, false, false, 1);
		break;
	case 0xc4:
		ata_rw(d, false, false, false, d->multiple ? d->multiple : 1);
		break;
	case 0x29:
		ata_rw(d, true, false, false, d->multiple ? d->multiple : 1);
		break;
	case 0x30: case 0x31:
		ata_rw(d, false, true, false, 1);
		break;
	case 0x34:
		ata_rw(d, true, true, false, 1);
		break;
	case 0xc5:
		ata_rw(d, false, true, false, d->multiple ? d->multiple : 1);
		break;
	case 0x39:
		ata_rw(d, true, true, false, d->multiple ? d->multiple : 1);
		break;
	case 0xc8: case 0xc9:
		ata_rw(d, false, false, true, 1);
		break;
	case 0x25:
		ata_rw(d, true, false, true, 1);
		break;
	case 0xca: case 0xcb:
		ata_rw(d, false, true, true, 1);
		break;
	case 0x35:
		ata_rw(d, true, true, true, 1);
		break;
	case 0x40: case 0x41: case 0x42: {              /* READ VERIFY */
		uint64_t lba;
		uint32_t count;

		if (!rw_address(d, cmd == 0x42, &lba, &count))
			cmd_abort(d, ATA_ER_IDNF | ATA_ER_ABRT);
		else
			cmd_ok(d);
		break;
	}
	case 0xc6:                                      /* SET MULTIPLE */
		if (d->nsector > 16 || (d->nsector & (d->nsector - 1))) {
			cmd_abort(d, ATA_ER_ABRT);
		} else {
			d->multiple = d->nsector;
			cmd_ok(d);
		}
		break;
	case 0xe7: case 0xea:                           /* FLUSH CACHE */
		rc = d->blk.ops && d->blk.ops->flush ? d->blk.ops->flush(d->blk.opaque) : 0;
		if (rc < 0)
			cmd_abort(d, ATA_ER_ABRT);
		else
			cmd_ok(d);
		break;
	case 0xf8:
		ata_native_max(d, false);
		break;
	case 0x27:
		ata_native_max(d, true);
		break;
	case 0x70: case 0x91:                           /* SEEK, INIT PARAMS */
		cmd_ok(d);
		break;
	case 0xa1: case 0xa0: case 0x08:                /* ATAPI only */
		cmd_abort(d, ATA_ER_ABRT);
		break;
	default:
		if (cmd >= 0x10 && cmd <= 0x1f) {       /* RECALIBRATE */
			cmd_ok(d);
			break;
		}
		cmd_abort(d, ATA_ER_ABRT);
		break;
	}
}

static void ata_cd_command(struct ata_dev *d, uint8_t cmd)
{
	switch (cmd) {
	case 0xa1:                                      /* IDENTIFY PACKET */
		identify_packet(d, d->buf);
		start_in(d, false, 0, ATA_SECTOR, false);
		break;
	case 0xa0:                                      /* PACKET */
		d->packet_dma = d->feature & 0x01;
		d->byte_limit = (uint16_t)(d->lbam | (d->lbah << 8));
		if (d->byte_limit == 0 || d->byte_limit == 0xffff)
			d->byte_limit = 0xfffe;
		d->byte_limit &= (uint16_t)~1;
		d->phase = ATA_PACKET_CDB;
		d->buf_pos = 0;
		d->buf_len = ATAPI_CMD_LEN;
		d->nsector = 0x01;                      /* C/D = 1: command */
		d->status = ATA_ST_DRDY | ATA_ST_DRQ;
		break;
	case 0x08:                                      /* DEVICE RESET */
		ata_dev_reset(d);
		break;
	case 0xec:
		/* IDENTIFY DEVICE on ATAPI: abort with the signature. */
		set_signature(d);
		d->phase = ATA_IDLE;
		d->status = ATA_ST_DRDY | ATA_ST_ERR;
		d->error = ATA_ER_ABRT;
		raise_irq(d);
		break;
	case 0xef:
		ata_set_features(d);
		break;
	case 0xe5:                                      /* CHECK POWER MODE */
		d->nsector = 0xff;
		cmd_ok(d);
		break;
	case 0xe0: case 0xe1: case 0xe2: case 0xe3: case 0xe6: case 0x00:
		cmd_ok(d);
		break;
	default:
		cmd_abort(d, ATA_ER_ABRT);
		break;
	}
}

void ata_command(struct ata_dev *d, uint8_t cmd)
{
	if (d->kind == BOARD_DRIVE_NONE)
		return;
	if (ensure_buf(d) < 0) {
		cmd_abort(d, ATA_ER_ABRT);
		return;
	}
	d->command = cmd;
	d->phase = ATA_IDLE;
	d->buf_len = d->buf_pos = 0;
	d->xfer_left = 0;
	if (cmd == 0x90) {                              /* DIAGNOSTIC */
		set_signature(d);
		d->error = 0x01;
		d->status = d->kind == BOARD_DRIVE_CDROM ? 0 : ATA_ST_DRDY | ATA_ST_DSC;
		raise_irq(d);
		return;
	}
	if (d->kind == BOARD_DRIVE_CDROM) {
		ata_cd_command(d, cmd);
		return;
	}
	switch (cmd) {
	case 0xef:
		ata_set_features(d);
		return;
	case 0xe5:
		d->nsector = 0xff;
		cmd_ok(d);
		return;
	case 0xe0: case 0xe1: case 0xe2: case 0xe3: case 0xe6: case 0x00:
	case 0xda:
		cmd_ok(d);
		return;
	default:
		ata_disk_command(d, cmd);
	}
}

/* ------------------------------------------------------------------ */
/* ATAPI packet commands                                               */

static bool medium_present(struct ata_dev *d)
{
	return d->blk.ops != NULL;
}

static uint32_t cd_blocks(struct ata_dev *d)
{
	uint64_t n = d->blk.size / ATAPI_BLOCK;

	return n > 0xffffffffu ? 0xffffffffu : (uint32_t)n;
}

/* Reply of n bytes (already in d->buf), cut to the allocation length. */
static void reply(struct ata_dev *d, size_t n, size_t alloc)
{
	if (n > alloc)
		n = alloc;
	start_in(d, false, 0, n, d->packet_dma);
}

static void lba_to_msf(uint8_t *p, uint32_t lba)
{
	lba += 150;
	p[0] = (uint8_t)(lba / (60 * 75));
	p[1] = (uint8_t)((lba / 75) % 60);
	p[2] = (uint8_t)(lba % 75);
}

static size_t read_toc(struct ata_dev *d, uint8_t *b, unsigned format,
		       bool msf, unsigned start)
{
	size_t n = 4;

	memset(b, 0, 20);
	if (format == 1) {                      /* session info */
		b[1] = 0x0a;
		b[2] = b[3] = 1;
		b[5] = 0x14;
		b[6] = 1;
		if (msf)
			lba_to_msf(&b[9], 0);
		return 12;
	}
	b[2] = 1;                               /* first track */
	b[3] = 1;                               /* last track */
	if (start <= 1) {
		b[n + 1] = 0x14;                /* data track, ADR 1 */
		b[n + 2] = 1;
		if (msf)
			lba_to_msf(&b[n + 5], 0);
		n += 8;
	}
	b[n + 1] = 0x16;
	b[n + 2] = 0xaa;                        /* lead-out */
	if (msf)
		lba_to_msf(&b[n + 5], cd_blocks(d));
	else
		dev_put_be32(&b[n + 4], cd_blocks(d));
	n += 8;
	dev_put_be16(b, (uint16_t)(n - 2));
	return n;
}

static size_t mode_page(struct ata_dev *d, uint8_t *p, unsigned page)
{
	(void)d;
	if (page == 0x01) {                     /* read error recovery */
		memset(p, 0, 12);
		p[0] = 0x01;
		p[1] = 0x0a;
		p[3] = 5;                       /* read retry count */
		return 12;
	}
	if (page == 0x2a) {                     /* CD capabilities */
		memset(p, 0, 28);
		p[0] = 0x2a;
		p[1] = 0x1a;
		p[2] = 0x3b;                    /* reads CD-R/RW, DVD-ROM... */
		p[4] = 0x71;                    /* multisession, mode 2 */
		p[5] = 0x77;
		p[6] = 0x29 | (d->locked ? 0x02 : 0);   /* lock, eject, tray */
		p[7] = 0x03;
		dev_put_be16(&p[8], 706);       /* max speed (KB/s) */
		dev_put_be16(&p[10], 2);
		dev_put_be16(&p[12], 512);      /* buffer size */
		dev_put_be16(&p[14], 706);
		return 28;
	}
	return 0;
}

static void mode_sense(struct ata_dev *d, bool ten, unsigned page,
		       size_t alloc)
{
	uint8_t *b = d->buf;
	size_t hdr = ten ? 8 : 4, n = hdr;

	memset(b, 0, hdr);
	if (page == 0x3f) {
		n += mode_page(d, b + n, 0x01);
		n += mode_page(d, b + n, 0x2a);
	} else {
		size_t m = mode_page(d, b + n, page);

		if (!m) {
			atapi_check(d, SK_ILLEGAL, 0x24, 0x00);
			return;
		}
		n += m;
	}
	if (ten) {
		dev_put_be16(b, (uint16_t)(n - 2));
		b[2] = 0x70;                    /* medium type: no disc */
		if (medium_present(d))
			b[2] = 0x01;
	} else {
		b[0] = (uint8_t)(n - 1);
	}
	reply(d, n, alloc);
}

static void get_configuration(struct ata_dev *d, size_t alloc)
{
	uint8_t *b = d->buf;
	uint16_t profile = 0;
	size_t n;

	if (medium_present(d))
		profile = d->blk.size > 700ull * 1024 * 1024 ? 0x0010 : 0x0008;
	memset(b, 0, 32);
	/* header, then feature 0 (profile list) with DVD-ROM and CD-ROM */
	dev_put_be16(&b[6], profile);
	b[8 + 1] = 0x00;
	b[8 + 2] = 0x03;                        /* persistent, current */
	b[8 + 3] = 8;
	dev_put_be16(&b[12], 0x0010);
	b[14] = profile == 0x0010;
	dev_put_be16(&b[16], 0x0008);
	b[18] = profile == 0x0008;
	n = 20;
	dev_put_be32(b, (uint32_t)(n - 4));
	reply(d, n, alloc);
}

static void event_status(struct ata_dev *d, size_t alloc)
{
	uint8_t *b = d->buf;

	if (!(d->cdb[1] & 0x01)) {              /* only polled mode */
		atapi_check(d, SK_ILLEGAL, 0x24, 0x00);
		return;
	}
	memset(b, 0, 8);
	if (d->cdb[4] & 0x10) {                 /* media class */
		dev_put_be16(b, 6);
		b[2] = 0x04;
		b[3] = 0x10;
		b[4] = d->media_changed ? 0x02 : 0x00;
		b[5] = medium_present(d) ? 0x02 : 0x00;
		d->media_changed = false;
		reply(d, 8, alloc);
		return;
	}
	dev_put_be16(b, 2);
	b[2] = 0x80;                            /* no event available */
	b[3] = 0x10;
	reply(d, 4, alloc);
}

static void atapi_read(struct ata_dev *d, uint32_t lba, uint32_t count)
{
	if (!medium_present(d)) {
		atapi_check(d, SK_NOT_READY, 0x3a, 0x00);
		return;
	}
	if ((uint64_t)lba + count > cd_blocks(d)) {
		atapi_check(d, SK_ILLEGAL, 0x21, 0x00);
		return;
	}
	start_in(d, true, (uint64_t)lba * ATAPI_BLOCK,
		 (uint64_t)count * ATAPI_BLOCK, d->packet_dma);
}

void ata_packet(struct ata_dev *d, const uint8_t *cdb)
{
	uint8_t *b = d->buf;
	size_t alloc;
	uint8_t op = cdb[0];

	memcpy(d->cdb, cdb, ATAPI_CMD_LEN);
	d->phase = ATA_IDLE;
	d->buf_pos = d->buf_len = 0;
	/* A pending unit attention fails everything but these. */
	if (d->media_changed && op != 0x03 && op != 0x12 && op != 0x4a) {
		d->media_changed = false;
		atapi_check(d, SK_UNIT_ATTN, 0x28, 0x00);
		return;
	}
	switch (op) {
	case 0x00:                                      /* TEST UNIT READY */
		if (!medium_present(d))
			atapi_check(d, SK_NOT_READY, 0x3a, 0x00);
		else
			atapi_ok(d);
		return;
	case 0x03:                                      /* REQUEST SENSE */
		memset(b, 0, 18);
		b[0] = 0x70;
		b[2] = d->sense_key;
		b[7] = 10;
		b[12] = d->asc;
		b[13] = d->ascq;
		d->sense_key = d->asc = d->ascq = 0;
		reply(d, 18, cdb[4]);
		return;
	case 0x12:                                      /* INQUIRY */
		memset(b, 0, 36);
		b[0] = 0x05;                            /* CD/DVD device */
		b[1] = 0x80;                            /* removable */
		b[2] = 0x00;
		b[3] = 0x21;                            /* ATAPI, format 1 */
		b[4] = 31;
		memcpy(&b[8], "VBOX    ", 8);
		memcpy(&b[16], "CD-ROM          ", 16);
		memcpy(&b[32], "1.0 ", 4);
		reply(d, 36, cdb[4]);
		return;
	case 0x1a:
		mode_sense(d, false, cdb[2] & 0x3f, cdb[4]);
		return;
	case 0x5a:
		mode_sense(d, true, cdb[2] & 0x3f, (size_t)(cdb[7] << 8 | cdb[8]));
		return;
	case 0x1b:                                      /* START STOP UNIT */
		if ((cdb[4] & 0x03) == 0x02) {
			if (d->locked) {
				atapi_check(d, SK_ILLEGAL, 0x53, 0x02);
				return;
			}
			dev_log(d->board, "ATAPI: guest asked to eject the DVD; medium kept");
		}
		atapi_ok(d);
		return;
	case 0x1e:                                      /* PREVENT ALLOW */
		d->locked = cdb[4] & 0x01;
		atapi_ok(d);
		return;
	case 0x25:                                      /* READ CAPACITY */
		if (!medium_present(d)) {
			atapi_check(d, SK_NOT_READY, 0x3a, 0x00);
			return;
		}
		dev_put_be32(b, cd_blocks(d) ? cd_blocks(d) - 1 : 0);
		dev_put_be32(b + 4, ATAPI_BLOCK);
		reply(d, 8, 8);
		return;
	case 0x28:                                      /* READ(10) */
		atapi_read(d, dev_be32(&cdb[2]), (uint32_t)(cdb[7] << 8 | cdb[8]));
		return;
	case 0xa8:                                      /* READ(12) */
		atapi_read(d, dev_be32(&cdb[2]), dev_be32(&cdb[6]));
		return;
	case 0xbe:                                      /* READ CD */
		if ((cdb[9] & 0xf8) != 0x10) {
			atapi_check(d, SK_ILLEGAL, 0x24, 0x00);
			return;
		}
		atapi_read(d, dev_be32(&cdb[2]),
			   (uint32_t)(cdb[6] << 16 | cdb[7] << 8 | cdb[8]));
		return;
	case 0x2b:                                      /* SEEK(10) */
	case 0x35:                                      /* SYNCHRONIZE CACHE */
		atapi_ok(d);
		return;
	case 0x43:                                      /* READ TOC */
		if (!medium_present(d)) {
			atapi_check(d, SK_NOT_READY, 0x3a, 0x00);
			return;
		}
		alloc = (size_t)(cdb[7] << 8 | cdb[8]);
		{
			unsigned fmt = cdb[2] & 0x0f;

			if (!fmt)
				fmt = cdb[9] >> 6;
			if (fmt > 1) {
				atapi_check(d, SK_ILLEGAL, 0x24, 0x00);
				return;
			}
			reply(d, read_toc(d, b, fmt, cdb[1] & 0x02, cdb[6]), alloc);
		}
		return;
	case 0x46:                                      /* GET CONFIGURATION */
		get_configuration(d, (size_t)(cdb[7] << 8 | cdb[8]));
		return;
	case 0x4a:                                      /* GET EVENT STATUS */
		event_status(d, (size_t)(cdb[7] << 8 | cdb[8]));
		return;
	case 0x51:                                      /* READ DISC INFO */
		if (!medium_present(d)) {
			atapi_check(d, SK_NOT_READY, 0x3a, 0x00);
			return;
		}
		memset(b, 0, 34);
		b[1] = 32;
		b[2] = 0x0e;                            /* complete, finalized */
		b[3] = b[4] = b[5] = b[6] = 1;
		reply(d, 34, (size_t)(cdb[7] << 8 | cdb[8]));
		return;
	case 0xbd:                                      /* MECHANISM STATUS */
		memset(b, 0, 8);
		reply(d, 8, (size_t)(cdb[8] << 8 | cdb[9]));
		return;
	default:
		atapi_check(d, SK_ILLEGAL, 0x20, 0x00);
		return;
	}
}
