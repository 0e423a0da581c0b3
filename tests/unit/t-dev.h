/*
 * Helpers for the device tests (t-dev-*.c): a board on a manual clock
 * with RAM in a buffer, a recording host, port and MMIO accessors, and
 * in-memory drives.  Devices are driven through their ports, like
 * QEMU's qtests.
 */
#ifndef T_DEV_H
#define T_DEV_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "lib/devices/dev.h"

#define TB_RAM (4u << 20)

struct tboard {
	struct board *b;
	struct board_config cfg;
	uint8_t *ram;
	bool intr;
	int n_msi;
	uint64_t msi_addr[64];
	uint32_t msi_data[64];
	int resets, poweroffs, ioapic_changes;
	enum board_reset_cause last_reset;
	char log[32768];
	size_t log_len;
};

static inline void tb_log(void *o, const char *fmt, va_list ap)
{
	struct tboard *t = o;
	int n;

	if (t->log_len + 2 >= sizeof(t->log))
		return;
	n = vsnprintf(t->log + t->log_len, sizeof(t->log) - t->log_len - 1, fmt, ap);
	if (n > 0) {
		t->log_len += (size_t)n;
		if (t->log_len > sizeof(t->log) - 2)
			t->log_len = sizeof(t->log) - 2;
		t->log[t->log_len++] = '\n';
		t->log[t->log_len] = 0;
	}
}

static inline void tb_intr(void *o, bool level)
{
	((struct tboard *)o)->intr = level;
}

static inline void tb_msi(void *o, uint64_t addr, uint32_t data)
{
	struct tboard *t = o;

	if (t->n_msi < 64) {
		t->msi_addr[t->n_msi] = addr;
		t->msi_data[t->n_msi] = data;
	}
	t->n_msi++;
}

static inline void tb_ioapic_changed(void *o, const struct board_msi_route r[24])
{
	(void)r;
	((struct tboard *)o)->ioapic_changes++;
}

static inline void tb_reset(void *o, enum board_reset_cause c)
{
	struct tboard *t = o;

	t->resets++;
	t->last_reset = c;
}

static inline void tb_poweroff(void *o)
{
	((struct tboard *)o)->poweroffs++;
}

/* A default machine: 4 MiB of RAM, 1 CPU, IOAPIC, ACPI. */
static inline void tb_config(struct tboard *t)
{
	memset(t, 0, sizeof(*t));
	t->ram = calloc(1, TB_RAM);
	T_ASSERT(t->ram);
	t->cfg.ram_size = TB_RAM;
	t->cfg.ram_below_4g = TB_RAM;
	t->cfg.ram[0].gpa = 0;
	t->cfg.ram[0].size = TB_RAM;
	t->cfg.ram[0].hva = t->ram;
	t->cfg.n_ram = 1;
	t->cfg.cpus = 1;
	t->cfg.ioapic = true;
	t->cfg.acpi = true;
	t->cfg.rtc_utc = true;
	t->cfg.manual_clock = true;
	t->cfg.boot[0] = BOARD_BOOT_DVD;
	t->cfg.boot[1] = BOARD_BOOT_HDD;
}

static inline void tb_start(struct tboard *t)
{
	struct board_host h;
	struct vb_error err = { 0 };

	memset(&h, 0, sizeof(h));
	h.opaque = t;
	h.log = tb_log;
	h.intr_changed = tb_intr;
	h.msi = tb_msi;
	h.ioapic_changed = tb_ioapic_changed;
	h.reset = tb_reset;
	h.poweroff = tb_poweroff;
	if (board_new(&t->cfg, &h, &t->b, &err))
		t_fail(__FILE__, __LINE__, "board_new: %s", err.msg);
}

static inline void tb_init(struct tboard *t)
{
	tb_config(t);
	tb_start(t);
}

static inline void tb_free(struct tboard *t)
{
	board_free(t->b);
	free(t->ram);
}

static inline uint8_t inb(struct tboard *t, uint16_t port)
{
	uint32_t v = 0;

	board_pio(t->b, port, false, 1, &v);
	return (uint8_t)v;
}

static inline uint16_t inw(struct tboard *t, uint16_t port)
{
	uint32_t v = 0;

	board_pio(t->b, port, false, 2, &v);
	return (uint16_t)v;
}

static inline uint32_t inl(struct tboard *t, uint16_t port)
{
	uint32_t v = 0;

	board_pio(t->b, port, false, 4, &v);
	return v;
}

static inline void outb(struct tboard *t, uint16_t port, uint8_t v)
{
	uint32_t x = v;

	board_pio(t->b, port, true, 1, &x);
}

static inline void outw(struct tboard *t, uint16_t port, uint16_t v)
{
	uint32_t x = v;

	board_pio(t->b, port, true, 2, &x);
}

static inline void outl(struct tboard *t, uint16_t port, uint32_t v)
{
	board_pio(t->b, port, true, 4, &v);
}

static inline uint32_t mmio_rd32(struct tboard *t, uint64_t a)
{
	uint32_t v = 0;

	board_mmio(t->b, a, false, 4, &v);
	return v;
}

static inline void mmio_wr32(struct tboard *t, uint64_t a, uint32_t v)
{
	board_mmio(t->b, a, true, 4, &v);
}

static inline uint32_t pci_rd32(struct tboard *t, unsigned devfn, unsigned reg)
{
	outl(t, 0xcf8, 0x80000000u | (devfn << 8) | (reg & 0xfc));
	return inl(t, 0xcfc);
}

static inline uint8_t pci_rd8(struct tboard *t, unsigned devfn, unsigned reg)
{
	outl(t, 0xcf8, 0x80000000u | (devfn << 8) | (reg & 0xfc));
	return inb(t, (uint16_t)(0xcfc + (reg & 3)));
}

static inline void pci_wr32(struct tboard *t, unsigned devfn, unsigned reg,
			    uint32_t v)
{
	outl(t, 0xcf8, 0x80000000u | (devfn << 8) | (reg & 0xfc));
	outl(t, 0xcfc, v);
}

static inline void pci_wr8(struct tboard *t, unsigned devfn, unsigned reg,
			   uint8_t v)
{
	outl(t, 0xcf8, 0x80000000u | (devfn << 8) | (reg & 0xfc));
	outb(t, (uint16_t)(0xcfc + (reg & 3)), v);
}

/* The 8259 pair programmed as a PC BIOS does: vectors 0x08/0x70. */
static inline void tb_pic_init(struct tboard *t, uint8_t mbase, uint8_t sbase)
{
	outb(t, 0x20, 0x11);
	outb(t, 0x21, mbase);
	outb(t, 0x21, 0x04);
	outb(t, 0x21, 0x01);
	outb(t, 0xa0, 0x11);
	outb(t, 0xa1, sbase);
	outb(t, 0xa1, 0x02);
	outb(t, 0xa1, 0x01);
	outb(t, 0x21, 0x00);
	outb(t, 0xa1, 0x00);
}

/* In-memory drive contents. */
struct tmem_blk {
	uint8_t *data;
	size_t size;
	int reads, writes;
	bool fail;
};

static inline int tmem_read(void *o, uint64_t off, void *buf, size_t len)
{
	struct tmem_blk *m = o;

	m->reads++;
	if (m->fail || off + len > m->size)
		return -5;
	memcpy(buf, m->data + off, len);
	return 0;
}

static inline int tmem_write(void *o, uint64_t off, const void *buf, size_t len)
{
	struct tmem_blk *m = o;

	m->writes++;
	if (m->fail || off + len > m->size)
		return -5;
	memcpy(m->data + off, buf, len);
	return 0;
}

static inline int tmem_flush(void *o)
{
	(void)o;
	return 0;
}

static const struct board_blk_ops tmem_ops __attribute__((unused)) = { tmem_read, tmem_write, tmem_flush };

/* Fill a drive with a pattern: each 512-byte sector starts with its
 * number, then bytes (sector + i). */
static inline void tmem_init(struct tmem_blk *m, size_t size)
{
	size_t s, i;

	m->data = malloc(size);
	T_ASSERT(m->data);
	m->size = size;
	m->reads = m->writes = 0;
	m->fail = false;
	for (s = 0; s < size / 512; s++) {
		uint8_t *p = m->data + s * 512;

		for (i = 0; i < 512; i++)
			p[i] = (uint8_t)(s + i);
		p[0] = (uint8_t)s;
		p[1] = (uint8_t)(s >> 8);
		p[2] = (uint8_t)(s >> 16);
	}
}

static inline void tmem_drive(struct board_drive_cfg *d, struct tmem_blk *m,
			      enum board_drive_kind kind)
{
	memset(d, 0, sizeof(*d));
	d->kind = kind;
	if (m) {
		d->blk.ops = &tmem_ops;
		d->blk.opaque = m;
		d->blk.size = m->size;
		d->blk.readonly = kind == BOARD_DRIVE_CDROM;
	}
	snprintf(d->serial, sizeof(d->serial), "VB12345678-9abcdef0");
}

#endif
