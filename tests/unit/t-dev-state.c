/*
 * Device state for saved states (lib/devices/devstate.c): a board driven
 * into a busy state through its ports is saved, loaded into a fresh board
 * of the same configuration and must save to the same bytes and behave
 * the same; damaged or foreign states are refused without a crash.
 */
#include "t-dev.h"

/* The same machine every time: IDE with a disk mid-PIO-read, COM1. */
struct sboard {
	struct tboard t;
	struct tmem_blk disk;
};

static void sb_init(struct sboard *s, bool with_serial)
{
	tb_config(&s->t);
	tmem_init(&s->disk, 1 << 20);
	s->t.cfg.n_storage = 1;
	s->t.cfg.storage[0].type = BOARD_CTL_PIIX4;
	tmem_drive(&s->t.cfg.storage[0].drives[0], &s->disk, BOARD_DRIVE_DISK);
	if (with_serial) {
		s->t.cfg.serial[0].enabled = true;
		s->t.cfg.serial[0].iobase = 0x3f8;
		s->t.cfg.serial[0].irq = 4;
		s->t.cfg.serial[0].mode = BOARD_SERIAL_DISCONNECTED;
		s->t.cfg.serial[0].type = BOARD_UART_16550A;
	}
	tb_start(&s->t);
}

static void sb_free(struct sboard *s)
{
	tb_free(&s->t);
	free(s->disk.data);
}

/* Put every device into a non-reset state. */
static void sb_busy(struct sboard *s)
{
	struct tboard *t = &s->t;

	tb_pic_init(t, 0x08, 0x70);
	outb(t, 0x21, 0xb8);                    /* mask some IRQs */
	outb(t, 0x43, 0x34);                    /* PIT ch0 mode 2 */
	outb(t, 0x40, 0x9c);
	outb(t, 0x40, 0x2e);
	outb(t, 0x70, 0x0b);
	outb(t, 0x71, 0x42);                    /* RTC: 24h, PIE */
	outb(t, 0x70, 0x0a);
	outb(t, 0x71, 0x2a);
	outb(t, 0x3fb, 0x83);                   /* UART: DLAB, 8N1 */
	outb(t, 0x3f8, 0x01);
	outb(t, 0x3fb, 0x03);
	outb(t, 0x3f9, 0x05);
	outb(t, 0x3fc, 0x0b);
	outb(t, 0x3ff, 0x5a);                   /* scratch */
	pci_wr8(t, 0x08, 0x60, 0x0b);           /* PIRQA -> IRQ 11 */
	pci_wr32(t, 0x09, 0x04, 0x05);          /* IDE: I/O + bus master */
	board_kbd_put(t->b, (const uint8_t *)"\x1e\x9e", 2);
	/* IDE: READ SECTORS of 2 sectors at LBA 5, first word read */
	outb(t, 0x1f6, 0xe0);
	outb(t, 0x1f2, 2);
	outb(t, 0x1f3, 5);
	outb(t, 0x1f4, 0);
	outb(t, 0x1f5, 0);
	outb(t, 0x1f7, 0x20);
	(void)inw(t, 0x1f0);
	board_clock_advance(t->b, 3000000);
}

static void save(struct tboard *t, uint8_t **buf, size_t *len)
{
	T_OK(board_state_save(t->b, buf, len));
	T_ASSERT(*len > 100);
}

void test_devstate__round_trip_is_exact(void)
{
	struct sboard a, b;
	struct vb_error err = { 0 };
	uint8_t *s1, *s2;
	size_t l1, l2;
	int i;

	sb_init(&a, true);
	sb_busy(&a);
	save(&a.t, &s1, &l1);
	sb_init(&b, true);
	if (board_state_load(b.t.b, s1, l1, &err))
		t_fail(__FILE__, __LINE__, "load: %s", err.msg);
	save(&b.t, &s2, &l2);
	T_EQ_INT(l1, l2);
	T_EQ_MEM(s1, s2, l1);
	/* both machines go on identically */
	T_EQ_INT(inb(&a.t, 0x21), 0xb8);
	T_EQ_INT(inb(&b.t, 0x21), 0xb8);
	T_EQ_INT(inb(&b.t, 0x3ff), 0x5a);
	T_EQ_INT(inb(&b.t, 0x60), inb(&a.t, 0x60));      /* queued scan code */
	for (i = 0; i < 511; i++)                          /* rest of the PIO block */
		T_EQ_INT(inw(&b.t, 0x1f0), inw(&a.t, 0x1f0));
	T_EQ_INT(inb(&b.t, 0x1f7), inb(&a.t, 0x1f7));
	board_clock_advance(a.t.b, 5000000);
	board_clock_advance(b.t.b, 5000000);
	outb(&a.t, 0x43, 0x00);
	outb(&b.t, 0x43, 0x00);
	T_EQ_INT(inb(&b.t, 0x40), inb(&a.t, 0x40));        /* PIT latched count */
	T_EQ_INT(inb(&b.t, 0x40), inb(&a.t, 0x40));
	T_EQ_INT(pci_rd8(&b.t, 0x08, 0x60), 0x0b);
	free(s1);
	free(s2);
	sb_free(&a);
	sb_free(&b);
}

void test_devstate__other_configuration_refused(void)
{
	struct sboard a, b;
	struct vb_error err = { 0 };
	uint8_t *s1;
	size_t l1;

	sb_init(&a, true);
	save(&a.t, &s1, &l1);
	sb_init(&b, false);
	T_ASSERT(board_state_load(b.t.b, s1, l1, &err) < 0);
	T_ASSERT(strstr(err.msg, "VERR_SSM_LOAD_CONFIG_MISMATCH"));
	free(s1);
	sb_free(&a);
	sb_free(&b);
}

void test_devstate__truncated_and_damaged_refused(void)
{
	struct sboard a, b;
	struct vb_error err = { 0 };
	uint8_t *s1, *bad;
	size_t l1, n;
	unsigned refused = 0, tries = 0;

	sb_init(&a, true);
	sb_busy(&a);
	save(&a.t, &s1, &l1);
	bad = malloc(l1 + 1);
	T_ASSERT(bad);
	/* every truncation is refused */
	for (n = 0; n < l1; n += (n < 64 ? 1 : 97)) {
		sb_init(&b, true);
		memcpy(bad, s1, n);
		T_ASSERT(board_state_load(b.t.b, bad, n, &err) < 0);
		sb_free(&b);
	}
	/* trailing bytes too */
	sb_init(&b, true);
	memcpy(bad, s1, l1);
	bad[l1] = 0;
	T_ASSERT(board_state_load(b.t.b, bad, l1 + 1, &err) < 0);
	sb_free(&b);
	/* flipped bytes: refused or accepted, never a crash; the header
	 * and section framing are always refused */
	for (n = 0; n < l1; n += 13) {
		sb_init(&b, true);
		memcpy(bad, s1, l1);
		bad[n] ^= 0xff;
		tries++;
		if (board_state_load(b.t.b, bad, l1, &err) < 0)
			refused++;
		else
			(void)inb(&b.t, 0x1f7);
		sb_free(&b);
	}
	T_ASSERT(refused > 0 && refused <= tries);
	sb_init(&b, true);
	memcpy(bad, s1, l1);
	bad[0] ^= 1;
	T_ASSERT(board_state_load(b.t.b, bad, l1, &err) < 0);
	T_ASSERT(strstr(err.msg, "VERR_SSM_INTEGRITY_MAGIC"));
	sb_free(&b);
	free(bad);
	free(s1);
	sb_free(&a);
}
