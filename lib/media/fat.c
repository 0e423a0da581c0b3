/*
 * FAT file system creation on a whole medium (no partition table), for
 * "createmedium floppy --variant Formatted" and "mediumio formatfat".
 * Follows Microsoft's FAT specification (FAT12/16/32 boot sector and
 * BIOS parameter block, FAT media descriptor entries, FAT32 FSInfo and
 * backup boot sector); standard floppy sizes get their classic BPBs.
 *
 * Limits: 512-byte sectors only; volumes from 160 KiB to 2 TiB.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "lib/media/media-int.h"

struct fat_geo {
	uint32_t total;         /* sectors */
	uint8_t spc;            /* sectors per cluster */
	uint16_t reserved;
	uint8_t nfats;
	uint16_t root_entries;
	uint8_t media;
	uint16_t spt, heads;
	uint32_t fat_sectors;
	int bits;               /* 12, 16, 32 */
};

static const struct {
	uint32_t sectors;
	uint8_t spc, media;
	uint16_t root, spt, heads, fat;
} floppies[] = {
	{ 320, 1, 0xFE, 64, 8, 1, 1 },          /* 160K */
	{ 360, 1, 0xFC, 64, 9, 1, 2 },          /* 180K */
	{ 640, 2, 0xFF, 112, 8, 2, 1 },         /* 320K */
	{ 720, 2, 0xFD, 112, 9, 2, 2 },         /* 360K */
	{ 1440, 2, 0xF9, 112, 9, 2, 3 },        /* 720K */
	{ 2400, 1, 0xF9, 224, 15, 2, 7 },       /* 1.2M */
	{ 2880, 1, 0xF0, 224, 18, 2, 9 },       /* 1.44M */
	{ 5760, 2, 0xF0, 240, 36, 2, 9 },       /* 2.88M */
};

static uint32_t fat_bytes(int bits, uint64_t clusters)
{
	uint64_t entries = clusters + 2;

	if (bits == 12)
		return (uint32_t)((entries * 3 + 1) / 2);
	return (uint32_t)(entries * (uint64_t)(bits / 8));
}

static int fat_plan(uint64_t size, struct fat_geo *g)
{
	uint64_t total = size / 512, clusters;
	uint32_t root_secs, fs;
	size_t i;

	memset(g, 0, sizeof(*g));
	if (total < 320 || total > UINT32_MAX)
		return -EINVAL;
	g->total = (uint32_t)total;
	g->nfats = 2;
	for (i = 0; i < VB_ARRAY_SIZE(floppies); i++) {
		if (floppies[i].sectors != total)
			continue;
		g->spc = floppies[i].spc;
		g->media = floppies[i].media;
		g->root_entries = floppies[i].root;
		g->spt = floppies[i].spt;
		g->heads = floppies[i].heads;
		g->fat_sectors = floppies[i].fat;
		g->reserved = 1;
		g->bits = 12;
		return 0;
	}
	g->media = 0xF8;
	g->spt = 63;
	g->heads = 255;
	if (total < 32680) {            /* < 16 MiB: FAT12 */
		g->bits = 12;
		g->reserved = 1;
		g->root_entries = 512;
		g->spc = total <= 8400 ? 1 : total <= 16384 ? 4 : 8;
	} else if (total < 1048576) {   /* < 512 MiB: FAT16 */
		g->bits = 16;
		g->reserved = 1;
		g->root_entries = 512;
		g->spc = total <= 262144 ? 4 : total <= 524288 ? 8 : 16;
	} else {
		g->bits = 32;
		g->reserved = 32;
		g->root_entries = 0;
		g->spc = total <= 16777216 ? 8 : total <= 33554432 ? 16 :
			 total <= 67108864 ? 32 : 64;
	}
	root_secs = (g->root_entries * 32u + 511) / 512;
	/* the FAT must cover the clusters left after itself: iterate */
	fs = 1;
	for (i = 0; i < 64; i++) {
		uint64_t meta = g->reserved + (uint64_t)g->nfats * fs + root_secs;
		uint32_t need;

		if (meta >= total)
			return -EINVAL;
		clusters = (total - meta) / g->spc;
		need = (fat_bytes(g->bits, clusters) + 511) / 512;
		if (need <= fs)
			break;
		fs = need;
	}
	g->fat_sectors = fs;
	return 0;
}

static void put_bpb(uint8_t *b, const struct fat_geo *g)
{
	uint32_t serial = 0;

	if (getrandom(&serial, sizeof(serial), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(serial))
		serial = 0x12345678;
	b[0] = 0xEB;
	b[1] = g->bits == 32 ? 0x58 : 0x3C;
	b[2] = 0x90;
	memcpy(b + 3, "MSWIN4.1", 8);
	put_le16(b + 11, 512);
	b[13] = g->spc;
	put_le16(b + 14, g->reserved);
	b[16] = g->nfats;
	put_le16(b + 17, g->root_entries);
	put_le16(b + 19, g->total < 65536 ? (uint16_t)g->total : 0);
	b[21] = g->media;
	put_le16(b + 22, g->bits == 32 ? 0 : (uint16_t)g->fat_sectors);
	put_le16(b + 24, g->spt);
	put_le16(b + 26, g->heads);
	put_le32(b + 28, 0);
	put_le32(b + 32, g->total < 65536 ? 0 : g->total);
	if (g->bits == 32) {
		put_le32(b + 36, g->fat_sectors);
		put_le16(b + 40, 0);
		put_le16(b + 42, 0);
		put_le32(b + 44, 2);            /* root directory cluster */
		put_le16(b + 48, 1);            /* FSInfo */
		put_le16(b + 50, 6);            /* backup boot sector */
		b[64] = 0x80;
		b[66] = 0x29;
		put_le32(b + 67, serial);
		memcpy(b + 71, "NO NAME    ", 11);
		memcpy(b + 82, "FAT32   ", 8);
	} else {
		b[36] = g->media == 0xF8 ? 0x80 : 0x00;
		b[38] = 0x29;
		put_le32(b + 39, serial);
		memcpy(b + 43, "NO NAME    ", 11);
		memcpy(b + 54, g->bits == 12 ? "FAT12   " : "FAT16   ", 8);
	}
	b[510] = 0x55;
	b[511] = 0xAA;
}

int media_format_fat(struct medium *m, bool quick, struct vb_error *err)
{
	struct fat_geo g;
	uint8_t *buf;
	uint64_t meta_end, off;
	uint32_t root_secs, i;
	size_t zlen = 1u << 20;
	int rc;

	if (!(m->flags & MEDIA_RDWR))
		return vb_err(err, EROFS, VBOX_E_INVALID_OBJECT_STATE,
			      "Medium '%s' is opened read-only", m->path);
	if (fat_plan(m->size, &g))
		return vb_err(err, EINVAL, VBOX_E_NOT_SUPPORTED,
			      "Cannot create a FAT file system on a medium of %llu bytes",
			      (unsigned long long)m->size);
	root_secs = (g.root_entries * 32u + 511) / 512;
	meta_end = 512ull * (g.reserved + (uint64_t)g.nfats * g.fat_sectors +
			     root_secs + (g.bits == 32 ? g.spc : 0));
	buf = calloc(1, zlen);
	if (!buf)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	/* zero the metadata area (and everything for a full format) */
	rc = 0;
	for (off = 0; !rc && off < (quick ? meta_end : m->size); off += zlen) {
		uint64_t end = quick ? meta_end : m->size;
		size_t n = (size_t)VB_MIN((uint64_t)zlen, end - off);

		rc = media_write(m, off, buf, n);
	}
	if (rc)
		goto io;
	put_bpb(buf, &g);
	rc = media_write(m, 0, buf, 512);
	if (!rc && g.bits == 32) {
		uint8_t fsi[512] = { 0 };

		rc = media_write(m, 6 * 512, buf, 512);
		put_le32(fsi, 0x41615252);
		put_le32(fsi + 484, 0x61417272);
		put_le32(fsi + 488, 0xFFFFFFFF);
		put_le32(fsi + 492, 3);
		put_le32(fsi + 508, 0xAA550000);
		if (!rc)
			rc = media_write(m, 512, fsi, 512);
		if (!rc)
			rc = media_write(m, 7 * 512, fsi, 512);
	}
	memset(buf, 0, 512);
	if (g.bits == 12) {
		buf[0] = g.media;
		buf[1] = 0xFF;
		buf[2] = 0xFF;
	} else if (g.bits == 16) {
		put_le16(buf, (uint16_t)(0xFF00 | g.media));
		put_le16(buf + 2, 0xFFFF);
	} else {
		put_le32(buf, 0x0FFFFF00u | g.media);
		put_le32(buf + 4, 0x0FFFFFFF);
		put_le32(buf + 8, 0x0FFFFFFF);  /* root directory */
	}
	for (i = 0; !rc && i < g.nfats; i++)
		rc = media_write(m, 512ull * (g.reserved +
					      (uint64_t)i * g.fat_sectors),
				 buf, 512);
	if (!rc)
		rc = media_flush(m);
io:
	free(buf);
	if (rc)
		return vb_err(err, -rc, VBOX_E_FILE_ERROR,
			      "Could not format '%s': %s", m->path,
			      strerror(-rc));
	return 0;
}
