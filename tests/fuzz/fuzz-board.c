/*
 * libFuzzer harness over the whole board: a guest program of port and
 * MMIO accesses, RAM writes (descriptors for the DMA engines) and clock
 * steps, against a PIIX3 machine with an IDE disk and DVD and an AHCI
 * disk and DVD, all in memory.
 *
 * Record format (repeated): op, then operands by op & 7:
 *   0  out: port index, port offset, size, value (le32)
 *   1  in:  port index, port offset, size
 *   2  MMIO write: region, offset (le16), size, value (le32)
 *   3  MMIO read:  region, offset (le16), size
 *   4  RAM write: offset (le24), length, bytes
 *   5  clock: microseconds (le16)
 *   6  PCI config write: devfn, reg, value (le32)
 *   7  interrupt acknowledge / IOAPIC EOI: vector
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/devices/devices.h"

#define RAM_SIZE (2u << 20)
#define ABAR 0xfebf0000u

static const uint16_t ports[] = {
	0x20, 0x40, 0x60, 0x64, 0x70, 0x80, 0x92, 0xa0, 0xb2, 0x170, 0x1f0,
	0x376, 0x3f6, 0x3f8, 0x2f8, 0x402, 0x4d0, 0x504, 0x510, 0x514,
	0xafe0, 0xb000, 0xc000, 0xc010, 0xcf8, 0xcfc,
};

static const uint64_t mmio[] = { 0xfec00000ull, ABAR, ABAR + 0x100, 0xfee00000ull };

static uint8_t *ram, *disk, *cd;

static int mem_read(void *o, uint64_t off, void *buf, size_t len)
{
	uint8_t *m = o;

	if (off + len > (1u << 20))
		return -5;
	memcpy(buf, m + off, len);
	return 0;
}

static int mem_write(void *o, uint64_t off, const void *buf, size_t len)
{
	uint8_t *m = o;

	if (off + len > (1u << 20))
		return -5;
	memcpy(m + off, buf, len);
	return 0;
}

static const struct board_blk_ops mem_ops = { mem_read, mem_write, NULL };

static void drive(struct board_drive_cfg *d, uint8_t *data, enum board_drive_kind k)
{
	d->kind = k;
	d->blk.ops = &mem_ops;
	d->blk.opaque = data;
	d->blk.size = 1u << 20;
	d->blk.readonly = k == BOARD_DRIVE_CDROM;
}

static uint32_t le(const uint8_t *p, unsigned n)
{
	uint32_t v = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static unsigned access_size(uint8_t s, bool mmio_access)
{
	static const unsigned sz[4] = { 1, 2, 4, 8 };

	return mmio_access ? sz[s & 3] : sz[s % 3];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct board_config cfg;
	struct board *b;
	size_t i = 0;
	uint32_t v;

	if (!ram) {
		ram = calloc(1, RAM_SIZE);
		disk = calloc(1, 1u << 20);
		cd = calloc(1, 1u << 20);
		if (!ram || !disk || !cd)
			abort();
	}
	/* Every input starts from the same machine (reproducible). */
	memset(ram, 0, RAM_SIZE);
	memset(&cfg, 0, sizeof(cfg));
	cfg.ram_size = cfg.ram_below_4g = RAM_SIZE;
	cfg.ram[0].size = RAM_SIZE;
	cfg.ram[0].hva = ram;
	cfg.n_ram = 1;
	cfg.cpus = 1;
	cfg.ioapic = cfg.acpi = true;
	cfg.manual_clock = true;
	cfg.boot[0] = BOARD_BOOT_DVD;
	cfg.serial[0].enabled = true;
	cfg.serial[0].iobase = 0x3f8;
	cfg.serial[0].irq = 4;
	cfg.serial[1].enabled = true;
	cfg.serial[1].iobase = 0x2f8;
	cfg.serial[1].irq = 3;
	cfg.serial[1].type = BOARD_UART_16750;
	cfg.n_storage = 2;
	cfg.storage[0].type = BOARD_CTL_PIIX4;
	drive(&cfg.storage[0].drives[0], disk, BOARD_DRIVE_DISK);
	drive(&cfg.storage[0].drives[2], cd, BOARD_DRIVE_CDROM);
	cfg.storage[1].type = BOARD_CTL_AHCI;
	cfg.storage[1].port_count = 4;
	drive(&cfg.storage[1].drives[0], disk, BOARD_DRIVE_DISK);
	drive(&cfg.storage[1].drives[3], cd, BOARD_DRIVE_CDROM);
	if (board_new(&cfg, NULL, &b, NULL))
		abort();
	/* Firmware-like start: BARs where the records expect them. */
	v = 0x80000000u | (0x09 << 8) | 0x20;
	board_pio(b, 0xcf8, true, 4, &v);
	v = 0xc000;
	board_pio(b, 0xcfc, true, 4, &v);
	v = 0x80000000u | (0x09 << 8) | 0x04;
	board_pio(b, 0xcf8, true, 4, &v);
	v = 5;
	board_pio(b, 0xcfc, true, 4, &v);
	v = 0x80000000u | (0x68 << 8) | 0x24;
	board_pio(b, 0xcf8, true, 4, &v);
	v = ABAR;
	board_pio(b, 0xcfc, true, 4, &v);
	v = 0x80000000u | (0x68 << 8) | 0x04;
	board_pio(b, 0xcf8, true, 4, &v);
	v = 6;
	board_pio(b, 0xcfc, true, 4, &v);

	while (i < size) {
		uint8_t op = data[i++];
		const uint8_t *a = data + i;
		size_t left = size - i;

		switch (op & 7) {
		case 0:
			if (left < 7)
				goto out;
			v = le(a + 3, 4);
			board_pio(b, (uint16_t)(ports[a[0] % (sizeof(ports) / 2)] + (a[1] & 0xf)),
				  true, access_size(a[2], false), &v);
			i += 7;
			break;
		case 1:
			if (left < 3)
				goto out;
			board_pio(b, (uint16_t)(ports[a[0] % (sizeof(ports) / 2)] + (a[1] & 0xf)),
				  false, access_size(a[2], false), &v);
			i += 3;
			break;
		case 2: {
			uint64_t val;

			if (left < 8)
				goto out;
			val = le(a + 4, 4);
			board_mmio(b, mmio[a[0] & 3] + le(a + 1, 2), true,
				   access_size(a[3], true), &val);
			i += 8;
			break;
		}
		case 3: {
			uint64_t val;

			if (left < 4)
				goto out;
			board_mmio(b, mmio[a[0] & 3] + le(a + 1, 2), false,
				   access_size(a[3], true), &val);
			i += 4;
			break;
		}
		case 4: {
			uint32_t off, n;

			if (left < 4)
				goto out;
			off = le(a, 3) % RAM_SIZE;
			n = a[3];
			if (n > left - 4)
				n = (uint32_t)(left - 4);
			if (off + n > RAM_SIZE)
				n = RAM_SIZE - off;
			memcpy(ram + off, a + 4, n);
			i += 4 + n;
			break;
		}
		case 5:
			if (left < 2)
				goto out;
			board_clock_advance(b, (uint64_t)le(a, 2) * 1000);
			i += 2;
			break;
		case 6:
			if (left < 6)
				goto out;
			v = 0x80000000u | ((uint32_t)a[0] << 8) | (a[1] & 0xfc);
			board_pio(b, 0xcf8, true, 4, &v);
			v = le(a + 2, 4);
			board_pio(b, (uint16_t)(0xcfc + (a[1] & 3)), true,
				  access_size(a[1] >> 2, false), &v);
			i += 6;
			break;
		default:
			if (left < 1)
				goto out;
			if (board_intr_pending(b))
				(void)board_intr_ack(b);
			board_ioapic_eoi(b, a[0]);
			i += 1;
			break;
		}
	}
out:
	board_free(b);
	return 0;
}
