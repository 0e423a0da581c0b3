/* 8254 PIT (ports 0x40-0x43, 0x61) and MC146818 RTC (0x70/0x71) on the
 * board's manual clock. */
#include <time.h>

#include "t-dev.h"

#define MS 1000000ull

static unsigned count_irqs(struct tboard *t, uint64_t ns, uint64_t step,
			   int vector)
{
	unsigned n = 0;
	uint64_t done;

	for (done = 0; done < ns; done += step) {
		board_clock_advance(t->b, step);
		while (board_intr_pending(t->b)) {
			T_EQ_INT(board_intr_ack(t->b), vector);
			outb(t, 0x20, 0x20);
			n++;
		}
	}
	return n;
}

void test_dev_pit__mode2_periodic_irq0(void)
{
	struct tboard t;
	unsigned n;

	tb_init(&t);
	tb_pic_init(&t, 0x08, 0x70);
	/* no IRQ0 before the firmware programs channel 0 */
	board_clock_advance(t.b, 100 * MS);
	T_ASSERT(!board_intr_pending(t.b));
	outb(&t, 0x43, 0x34);                   /* ch0, lo/hi, mode 2 */
	outb(&t, 0x40, 0xa9);                   /* 1193 = 1 kHz */
	outb(&t, 0x40, 0x04);
	n = count_irqs(&t, 100 * MS, 250000, 0x08);
	T_ASSERT(n >= 99 && n <= 101);
	/* reprogram to 100 Hz in mode 3 */
	outb(&t, 0x43, 0x36);
	outb(&t, 0x40, 0x9c);                   /* 11932 */
	outb(&t, 0x40, 0x2e);
	n = count_irqs(&t, 100 * MS, MS, 0x08);
	T_ASSERT(n >= 9 && n <= 11);
	tb_free(&t);
}

/* Regression (fuzzer timeout): a count of 1 must not flood the host. */
void test_dev_pit__tiny_count_is_rate_limited(void)
{
	struct tboard t;
	unsigned n;

	tb_init(&t);
	tb_pic_init(&t, 0x08, 0x70);
	outb(&t, 0x43, 0x34);
	outb(&t, 0x40, 0x01);
	outb(&t, 0x40, 0x00);
	n = count_irqs(&t, 10 * MS, 10000, 0x08);
	T_ASSERT(n >= 400 && n <= 501);         /* one per 20 us at most */
	tb_free(&t);
}

void test_dev_pit__mode0_latch_readback(void)
{
	struct tboard t;
	uint8_t lo, hi, st;

	tb_init(&t);
	outb(&t, 0x43, 0x30);                   /* ch0, lo/hi, mode 0 */
	outb(&t, 0x40, 0x10);
	outb(&t, 0x40, 0x27);                   /* 10000 ticks = 8.38 ms */
	board_clock_advance(t.b, 1 * MS);       /* ~1193 ticks */
	outb(&t, 0x43, 0x00);                   /* latch ch0 */
	board_clock_advance(t.b, 1 * MS);       /* latched value stays */
	lo = inb(&t, 0x40);
	hi = inb(&t, 0x40);
	T_ASSERT(abs((int)(lo | hi << 8) - (10000 - 1193)) <= 2);
	/* read-back status: OUT low, mode 0, lo/hi */
	outb(&t, 0x43, 0xe2);
	st = inb(&t, 0x40);
	T_EQ_INT(st & 0x3f, 0x30);
	T_EQ_INT(st & 0x80, 0);
	board_clock_advance(t.b, 8 * MS);
	outb(&t, 0x43, 0xe2);
	T_EQ_INT(inb(&t, 0x40) & 0x80, 0x80);   /* terminal count reached */
	tb_free(&t);
}

void test_dev_pit__channel2_gate_and_port61(void)
{
	struct tboard t;

	tb_init(&t);
	/* SeaBIOS's TSC calibration: gate on, speaker off, mode 0 */
	outb(&t, 0x61, (uint8_t)((inb(&t, 0x61) & ~0x02) | 0x01));
	outb(&t, 0x43, 0xb0);
	outb(&t, 0x42, 0xff);
	outb(&t, 0x42, 0x2f);                   /* 12287 ticks ~ 10.3 ms */
	T_EQ_INT(inb(&t, 0x61) & 0x21, 0x01);
	board_clock_advance(t.b, 5 * MS);
	T_EQ_INT(inb(&t, 0x61) & 0x20, 0);
	board_clock_advance(t.b, 6 * MS);
	T_EQ_INT(inb(&t, 0x61) & 0x20, 0x20);
	/* the refresh bit toggles */
	{
		uint8_t a = inb(&t, 0x61) & 0x10, b;

		board_clock_advance(t.b, 15085);
		b = inb(&t, 0x61) & 0x10;
		T_ASSERT(a != b);
	}
	tb_free(&t);
}

static uint8_t cmos(struct tboard *t, uint8_t idx)
{
	outb(t, 0x70, idx);
	return inb(t, 0x71);
}

static void cmos_set(struct tboard *t, uint8_t idx, uint8_t v)
{
	outb(t, 0x70, idx);
	outb(t, 0x71, v);
}

static int bcd(uint8_t v)
{
	return (v >> 4) * 10 + (v & 0xf);
}

void test_dev_rtc__time_and_memory_registers(void)
{
	struct tboard t;
	time_t now = time(NULL);
	struct tm tm;
	int min, hour;

	tb_config(&t);
	t.cfg.ram_size = t.cfg.ram_below_4g = 64ull << 20;     /* reported only */
	t.cfg.cpus = 2;
	tb_start(&t);
	gmtime_r(&now, &tm);
	min = bcd(cmos(&t, 2));
	hour = bcd(cmos(&t, 4));
	T_ASSERT(hour == tm.tm_hour || (hour + 1) % 24 == tm.tm_hour);
	T_ASSERT(abs(min - tm.tm_min) <= 1 || abs(min - tm.tm_min) == 59);
	T_EQ_INT(bcd(cmos(&t, 0x32)) * 100 + bcd(cmos(&t, 9)), tm.tm_year + 1900);
	T_EQ_INT(cmos(&t, 0x0d), 0x80);
	/* 640 KiB base, 63 MiB extended, 48 MiB above 16 MiB */
	T_EQ_INT(cmos(&t, 0x15) | cmos(&t, 0x16) << 8, 640);
	T_EQ_INT(cmos(&t, 0x30) | cmos(&t, 0x31) << 8, 63 * 1024);
	T_EQ_INT(cmos(&t, 0x34) | cmos(&t, 0x35) << 8, 48 * 16);
	T_EQ_INT(cmos(&t, 0x5f), 1);
	/* boot order: DVD (3), then HDD (2) */
	T_EQ_INT(cmos(&t, 0x3d), 0x23);
	tb_free(&t);
}

void test_dev_rtc__update_cycle_and_interrupts(void)
{
	struct tboard t;
	unsigned i, uip = 0, irqs = 0;
	uint8_t sec0;

	tb_init(&t);
	tb_pic_init(&t, 0x08, 0x70);
	/* UIP is set for 244 us before each update: sampled every 61 us
	 * over 3 s, that is 3 windows of 4 samples */
	for (i = 0; i < 49180; i++) {
		if (cmos(&t, 0x0a) & 0x80)
			uip++;
		board_clock_advance(t.b, 61000);
	}
	T_ASSERT(uip >= 10 && uip <= 14);
	/* update-ended interrupt once a second */
	sec0 = cmos(&t, 0);
	cmos_set(&t, 0x0b, (uint8_t)(cmos(&t, 0x0b) | 0x10));
	(void)cmos(&t, 0x0c);
	for (i = 0; i < 30; i++) {
		board_clock_advance(t.b, 100 * MS);
		while (board_intr_pending(t.b)) {
			T_EQ_INT(board_intr_ack(t.b), 0x70);
			T_EQ_INT(cmos(&t, 0x0c) & 0x90, 0x90);  /* IRQF|UF, cleared */
			outb(&t, 0xa0, 0x20);
			outb(&t, 0x20, 0x20);
			irqs++;
		}
	}
	T_ASSERT(irqs >= 2 && irqs <= 4);
	T_ASSERT(bcd(cmos(&t, 0)) != bcd(sec0));
	/* periodic interrupt at 1024 Hz */
	cmos_set(&t, 0x0b, (uint8_t)((cmos(&t, 0x0b) & ~0x10) | 0x40));
	irqs = 0;
	for (i = 0; i < 100; i++) {
		board_clock_advance(t.b, MS);
		while (board_intr_pending(t.b)) {
			T_EQ_INT(board_intr_ack(t.b), 0x70);
			T_ASSERT(cmos(&t, 0x0c) & 0x40);
			outb(&t, 0xa0, 0x20);
			outb(&t, 0x20, 0x20);
			irqs++;
		}
	}
	T_ASSERT(irqs >= 95 && irqs <= 103);
	tb_free(&t);
}

void test_dev_rtc__set_time_and_binary_mode(void)
{
	struct tboard t;

	tb_init(&t);
	cmos_set(&t, 0x0b, 0x82 | 0x04);        /* SET, 24h, binary */
	cmos_set(&t, 0, 58);
	cmos_set(&t, 2, 59);
	cmos_set(&t, 4, 23);
	cmos_set(&t, 7, 31);
	cmos_set(&t, 8, 12);
	cmos_set(&t, 9, 99);
	cmos_set(&t, 0x32, 19);
	board_clock_advance(t.b, 5000 * MS);    /* stopped while SET */
	T_EQ_INT(cmos(&t, 0), 58);
	cmos_set(&t, 0x0b, 0x06);
	board_clock_advance(t.b, 3000 * MS);
	T_EQ_INT(cmos(&t, 0), 1);
	T_EQ_INT(cmos(&t, 2), 0);
	T_EQ_INT(cmos(&t, 4), 0);
	T_EQ_INT(cmos(&t, 7), 1);
	T_EQ_INT(cmos(&t, 8), 1);
	T_EQ_INT(cmos(&t, 9), 0);
	T_EQ_INT(cmos(&t, 0x32), 20);
	tb_free(&t);
}
