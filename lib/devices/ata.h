/*
 * ATA/ATAPI drive model shared by the IDE (ide-piix.c) and AHCI (ahci.c)
 * controllers.
 *
 * A controller loads the task file registers, calls ata_command() and then
 * moves the data: IDE in PIO blocks through ata_pio_*() or by bus-master
 * DMA through ata_xfer_sg(); AHCI always through ata_xfer_sg() over the
 * command's PRD table.  ATAPI commands are the same with the 12-byte
 * packet delivered by ata_packet() (IDE: after PIO-out of the packet;
 * AHCI: from the command table).  The drive tells the controller about
 * interrupts through the irq callback.
 */
#ifndef VB_DEVICES_ATA_H
#define VB_DEVICES_ATA_H

#include "lib/devices/dev.h"

#define ATA_SECTOR 512
#define ATAPI_BLOCK 2048
#define ATA_IOBUF (64 * 1024)

/* Status register */
#define ATA_ST_ERR  0x01
#define ATA_ST_DRQ  0x08
#define ATA_ST_DSC  0x10
#define ATA_ST_DF   0x20
#define ATA_ST_DRDY 0x40
#define ATA_ST_BSY  0x80
/* Error register */
#define ATA_ER_ABRT 0x04
#define ATA_ER_IDNF 0x10
#define ATA_ER_UNC  0x40

enum ata_phase {
	ATA_IDLE,
	ATA_PIO_IN,             /* device to host, PIO */
	ATA_PIO_OUT,            /* host to device, PIO */
	ATA_DMA_IN,
	ATA_DMA_OUT,
	ATA_PACKET_CDB,         /* IDE: waiting for the 12 command bytes */
};

struct ata_dev;

/* Scatter/gather for DMA: copy up to len bytes between the drive's buffer
 * and guest memory; returns bytes done (< len when the table ran out),
 * or -EFAULT. */
struct ata_sg {
	int (*copy)(void *ctx, uint8_t *buf, size_t len, bool to_guest);
	void *ctx;
};

struct ata_dev {
	struct board *board;
	enum board_drive_kind kind;
	struct board_blk blk;
	char serial[21], model[41];
	bool nonrotational;
	uint64_t sectors;       /* ATA: 512-byte sectors */
	/* task file (HOB = previous value, for 48-bit commands) */
	uint8_t feature, nsector, lbal, lbam, lbah, device;
	uint8_t hob_feature, hob_nsector, hob_lbal, hob_lbam, hob_lbah;
	uint8_t status, error, command;
	uint8_t multiple;       /* READ/WRITE MULTIPLE block size */
	uint8_t udma, mwdma, pio;       /* SET FEATURES transfer mode */
	bool wcache;
	/* data phase */
	enum ata_phase phase;
	uint8_t *buf;
	size_t buf_len, buf_pos;        /* current block in buf */
	uint64_t xfer_off;              /* next medium byte */
	uint64_t xfer_left;             /* medium bytes after this block */
	bool xfer_medium;
	uint32_t block_bytes;           /* PIO block size (ATA) */
	bool lba48;
	bool packet_dma;                /* ATAPI packet uses DMA */
	/* ATAPI state */
	uint8_t cdb[12];
	uint8_t sense_key, asc, ascq;
	bool media_changed, locked;
	uint16_t byte_limit;            /* IDE PIO byte count limit */
	/* controller hooks */
	void (*irq)(void *ctl);
	void *ctl;
};

void ata_dev_init(struct ata_dev *d, struct board *b,
		  const struct board_drive_cfg *cfg, void (*irq)(void *),
		  void *ctl);
void ata_dev_release(struct ata_dev *d);
/* Hardware/software reset: signature in the task file. */
void ata_dev_reset(struct ata_dev *d);
/* 32-bit SATA signature of the drive (PxSIG). */
uint32_t ata_signature(const struct ata_dev *d);

/* Execute the command in d->command (task file already loaded). */
void ata_command(struct ata_dev *d, uint8_t cmd);
/* ATAPI: the packet arrived. */
void ata_packet(struct ata_dev *d, const uint8_t *cdb);

/* IDE PIO data port. */
uint32_t ata_pio_read(struct ata_dev *d, unsigned size);
void ata_pio_write(struct ata_dev *d, uint32_t v, unsigned size);

/* Is a DMA data phase waiting (IDE bus master / AHCI)? */
bool ata_dma_pending(const struct ata_dev *d);
/* Move the rest of the data phase (DMA, or AHCI's PIO) through sg and
 * complete the command.  Returns bytes moved. */
uint64_t ata_xfer_sg(struct ata_dev *d, const struct ata_sg *sg);
/* True while a PIO data phase is active (AHCI: PIO setup FIS). */
bool ata_is_pio(const struct ata_dev *d);

#endif
