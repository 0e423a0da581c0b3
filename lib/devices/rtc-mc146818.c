/*
 * MC146818 real-time clock with CMOS RAM (ports 0x70/0x71 for bank 0,
 * 0x72/0x73 for bank 1: 256 bytes in all, as VirtualBox has).
 *
 * Spec: Motorola MC146818A datasheet (registers A-D, update cycle with
 * UIP 244 us before the update, periodic/alarm/update-ended interrupts,
 * BCD/binary and 12/24-hour formats); the PC CMOS layout SeaBIOS reads
 * (vmm-platform.md 2.5): base/extended memory, memory above 16 MiB and
 * above 4 GiB in 64 KiB units, CPU count, boot order, century (0x32).
 *
 * The time is the host's (UTC or local as the machine's RTC setting says,
 * plus the BIOS time offset) moving with the board's virtual clock.
 *
 * Limits: the divider chain bits of register A are stored, and any value
 * other than 010 (32.768 kHz) stops the clock; the periodic interrupt runs
 * a timer only while PIE is set; daylight-saving (DSE) is not applied.
 * Bit 7 of port 0x70 (NMI mask) is stored and has no effect.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/devices/dev.h"

#define REG_A 0x0a
#define REG_B 0x0b
#define REG_C 0x0c
#define REG_D 0x0d

#define A_UIP 0x80
#define B_SET 0x80
#define B_PIE 0x40
#define B_AIE 0x20
#define B_UIE 0x10
#define B_DM  0x04
#define B_24H 0x02
#define C_IRQF 0x80
#define C_PF  0x40
#define C_AF  0x20
#define C_UF  0x10

#define NS 1000000000ull
#define UIP_NS 244000ull

struct rtc {
	struct device dev;
	uint8_t cmos[256];
	uint8_t index[2];
	int64_t base_secs;      /* guest seconds (as UTC) at base_ns */
	uint64_t base_ns;       /* virtual time of base_secs */
	uint64_t frozen_ns;     /* offset into the second while SET/stopped */
	struct dtimer second, periodic;
	int irq_src;
	struct io_region io;
};

static uint8_t to_reg(struct rtc *r, unsigned v)
{
	if (r->cmos[REG_B] & B_DM)
		return (uint8_t)v;
	return (uint8_t)(((v / 10) << 4) | (v % 10));
}

static int from_reg(struct rtc *r, uint8_t v)
{
	if (r->cmos[REG_B] & B_DM)
		return v;
	return ((v >> 4) & 0xf) * 10 + (v & 0xf);
}

static bool rtc_running(struct rtc *r)
{
	return !(r->cmos[REG_B] & B_SET) && ((r->cmos[REG_A] >> 4) & 7) == 2;
}

static int64_t rtc_now_secs(struct rtc *r, uint64_t *frac_ns)
{
	uint64_t el;

	if (!rtc_running(r)) {
		if (frac_ns)
			*frac_ns = r->frozen_ns;
		return r->base_secs;
	}
	el = dev_clock_ns(r->dev.board) - r->base_ns + r->frozen_ns;
	if (frac_ns)
		*frac_ns = el % NS;
	return r->base_secs + (int64_t)(el / NS);
}

static void rtc_store_time(struct rtc *r)
{
	time_t t = (time_t)rtc_now_secs(r, NULL);
	struct tm tm;
	unsigned hour;

	gmtime_r(&t, &tm);
	r->cmos[0] = to_reg(r, (unsigned)tm.tm_sec);
	r->cmos[2] = to_reg(r, (unsigned)tm.tm_min);
	hour = (unsigned)tm.tm_hour;
	if (r->cmos[REG_B] & B_24H) {
		r->cmos[4] = to_reg(r, hour);
	} else {
		unsigned h12 = hour % 12 ? hour % 12 : 12;

		r->cmos[4] = (uint8_t)(to_reg(r, h12) | (hour >= 12 ? 0x80 : 0));
	}
	r->cmos[6] = to_reg(r, (unsigned)tm.tm_wday + 1);
	r->cmos[7] = to_reg(r, (unsigned)tm.tm_mday);
	r->cmos[8] = to_reg(r, (unsigned)tm.tm_mon + 1);
	r->cmos[9] = to_reg(r, (unsigned)(tm.tm_year % 100));
	r->cmos[0x32] = to_reg(r, (unsigned)((tm.tm_year + 1900) / 100));
}

/* The guest wrote the time registers: take them as the new time. */
static void rtc_load_time(struct rtc *r)
{
	struct tm tm;
	int hour;

	memset(&tm, 0, sizeof(tm));
	tm.tm_sec = from_reg(r, r->cmos[0]);
	tm.tm_min = from_reg(r, r->cmos[2]);
	hour = from_reg(r, r->cmos[4] & 0x7f);
	if (!(r->cmos[REG_B] & B_24H)) {
		hour %= 12;
		if (r->cmos[4] & 0x80)
			hour += 12;
	}
	tm.tm_hour = hour;
	tm.tm_mday = from_reg(r, r->cmos[7]);
	tm.tm_mon = from_reg(r, r->cmos[8]) - 1;
	tm.tm_year = from_reg(r, r->cmos[9]) +
		     from_reg(r, r->cmos[0x32]) * 100 - 1900;
	if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_year < 0 || tm.tm_year > 8099)
		return;
	r->base_secs = (int64_t)timegm(&tm);
	r->base_ns = dev_clock_ns(r->dev.board);
}

static void rtc_update_irq(struct rtc *r)
{
	uint8_t c = r->cmos[REG_C] & 0x70;

	if (c & r->cmos[REG_B]) {
		if (!(r->cmos[REG_C] & C_IRQF)) {
			r->cmos[REG_C] |= C_IRQF;
			irq_isa_set(r->dev.board, 8, r->irq_src, true);
		}
	}
}

static bool alarm_match(uint8_t alarm, uint8_t cur)
{
	return (alarm & 0xc0) == 0xc0 || alarm == cur;
}

static void rtc_arm_second(struct rtc *r)
{
	uint64_t frac;

	if (!rtc_running(r)) {
		dtimer_del(r->dev.board, &r->second);
		return;
	}
	rtc_now_secs(r, &frac);
	dtimer_mod(r->dev.board, &r->second,
		   dev_clock_ns(r->dev.board) + (NS - frac));
}

static void rtc_second_cb(void *opaque)
{
	struct rtc *r = opaque;

	rtc_store_time(r);
	r->cmos[REG_C] |= C_UF;
	if (alarm_match(r->cmos[1], r->cmos[0]) &&
	    alarm_match(r->cmos[3], r->cmos[2]) &&
	    alarm_match(r->cmos[5], r->cmos[4]))
		r->cmos[REG_C] |= C_AF;
	rtc_update_irq(r);
	rtc_arm_second(r);
}

static uint64_t rtc_period_ns(struct rtc *r)
{
	unsigned rs = r->cmos[REG_A] & 0xf, ticks;

	if (!rs)
		return 0;
	ticks = rs <= 2 ? 1u << (rs + 6) : 1u << (rs - 1);
	return (uint64_t)ticks * NS / 32768;
}

static void rtc_arm_periodic(struct rtc *r)
{
	uint64_t per = rtc_period_ns(r), now;

	if (!per || !(r->cmos[REG_B] & B_PIE) ||
	    ((r->cmos[REG_A] >> 4) & 7) != 2) {
		dtimer_del(r->dev.board, &r->periodic);
		return;
	}
	now = dev_clock_ns(r->dev.board);
	dtimer_mod(r->dev.board, &r->periodic, (now / per + 1) * per);
}

static void rtc_periodic_cb(void *opaque)
{
	struct rtc *r = opaque;

	r->cmos[REG_C] |= C_PF;
	rtc_update_irq(r);
	rtc_arm_periodic(r);
}

static uint8_t rtc_reg_read(struct rtc *r, unsigned idx)
{
	uint8_t v;
	uint64_t frac;

	switch (idx) {
	case 0: case 2: case 4: case 6: case 7: case 8: case 9: case 0x32:
		if (rtc_running(r))
			rtc_store_time(r);
		return r->cmos[idx];
	case REG_A:
		v = r->cmos[REG_A] & (uint8_t)~A_UIP;
		if (rtc_running(r)) {
			rtc_now_secs(r, &frac);
			if (frac >= NS - UIP_NS)
				v |= A_UIP;
		}
		return v;
	case REG_C:
		v = r->cmos[REG_C];
		r->cmos[REG_C] = 0;
		if (v & C_IRQF)
			irq_isa_set(r->dev.board, 8, r->irq_src, false);
		return v;
	case REG_D:
		return 0x80;
	default:
		return r->cmos[idx];
	}
}

static void rtc_reg_write(struct rtc *r, unsigned idx, uint8_t v)
{
	bool was_running = rtc_running(r);
	uint64_t frac;

	switch (idx) {
	case 0: case 2: case 4: case 6: case 7: case 8: case 9: case 0x32:
		r->cmos[idx] = v;
		if (was_running) {
			rtc_load_time(r);
			r->frozen_ns = 0;
			rtc_arm_second(r);
		}
		break;
	case REG_A:
		if (was_running)
			r->base_secs = rtc_now_secs(r, &r->frozen_ns);
		r->cmos[REG_A] = v & 0x7f;
		r->base_ns = dev_clock_ns(r->dev.board);
		if (!rtc_running(r) && ((v >> 4) & 7) != 2)
			r->frozen_ns = 0;               /* divider reset */
		rtc_arm_second(r);
		rtc_arm_periodic(r);
		break;
	case REG_B:
		if (was_running && (v & B_SET)) {
			rtc_store_time(r);
			r->base_secs = rtc_now_secs(r, &frac);
			r->frozen_ns = 0;
		}
		if (v & B_SET)
			v &= (uint8_t)~B_UIE;
		r->cmos[REG_B] = v;
		if (!was_running && rtc_running(r)) {
			rtc_load_time(r);
			r->frozen_ns = 0;
		}
		rtc_store_time(r);
		rtc_update_irq(r);
		rtc_arm_second(r);
		rtc_arm_periodic(r);
		break;
	case REG_C:
	case REG_D:
		break;
	default:
		r->cmos[idx] = v;
		break;
	}
}

static uint64_t rtc_io_read(void *opaque, uint64_t off, unsigned size)
{
	struct rtc *r = opaque;
	unsigned bank = (unsigned)off >> 1;

	(void)size;
	if (!(off & 1))
		return 0xff;
	if (bank == 0)
		return rtc_reg_read(r, r->index[0] & 0x7f);
	return r->cmos[0x80 | (r->index[1] & 0x7f)];
}

static void rtc_io_write(void *opaque, uint64_t off, uint64_t val,
			 unsigned size)
{
	struct rtc *r = opaque;
	unsigned bank = (unsigned)off >> 1;

	(void)size;
	if (!(off & 1)) {
		r->index[bank] = (uint8_t)val;
		return;
	}
	if (bank == 0)
		rtc_reg_write(r, r->index[0] & 0x7f, (uint8_t)val);
	else
		r->cmos[0x80 | (r->index[1] & 0x7f)] = (uint8_t)val;
}

static const struct io_ops rtc_ops = {
	.read = rtc_io_read, .write = rtc_io_write, .sizes = IO_SZ1,
};

static uint8_t boot_code(enum board_boot_dev d)
{
	switch (d) {
	case BOARD_BOOT_FLOPPY: return 1;
	case BOARD_BOOT_HDD: return 2;
	case BOARD_BOOT_DVD: return 3;
	case BOARD_BOOT_NET: return 4;
	default: return 0;
	}
}

static void rtc_init_cmos(struct rtc *r, const struct board_config *cfg)
{
	uint64_t kb, above16, above4g;
	uint8_t order[3] = { 0, 0, 0 };
	unsigned i, n = 0, sum = 0;
	time_t now = time(NULL);
	int64_t secs;

	memset(r->cmos, 0, sizeof(r->cmos));
	r->cmos[REG_A] = 0x26;          /* 32.768 kHz, 1024 Hz rate */
	r->cmos[REG_B] = B_24H;
	r->cmos[REG_D] = 0x80;
	r->cmos[0x14] = 0x06;           /* FPU, PS/2 mouse, VGA */
	r->cmos[0x15] = 0x80;           /* 640 KiB base memory */
	r->cmos[0x16] = 0x02;
	kb = cfg->ram_below_4g > (1 << 20) ? (cfg->ram_below_4g >> 10) - 1024 : 0;
	if (kb > 0xffff)
		kb = 0xffff;
	r->cmos[0x17] = r->cmos[0x30] = (uint8_t)kb;
	r->cmos[0x18] = r->cmos[0x31] = (uint8_t)(kb >> 8);
	above16 = cfg->ram_below_4g > (16 << 20) ?
		  (cfg->ram_below_4g - (16 << 20)) >> 16 : 0;
	if (above16 > 0xffff)
		above16 = 0xffff;
	r->cmos[0x34] = (uint8_t)above16;
	r->cmos[0x35] = (uint8_t)(above16 >> 8);
	above4g = (cfg->ram_size - cfg->ram_below_4g) >> 16;
	r->cmos[0x5b] = (uint8_t)above4g;
	r->cmos[0x5c] = (uint8_t)(above4g >> 8);
	r->cmos[0x5d] = (uint8_t)(above4g >> 16);
	r->cmos[0x5f] = (uint8_t)(cfg->cpus - 1);
	for (i = 0; i < 4 && n < 3; i++)
		if (boot_code(cfg->boot[i]))
			order[n++] = boot_code(cfg->boot[i]);
	r->cmos[0x3d] = (uint8_t)(order[0] | (order[1] << 4));
	r->cmos[0x38] = (uint8_t)(order[2] << 4);
	for (i = 0x10; i <= 0x2d; i++)
		sum += r->cmos[i];
	r->cmos[0x2e] = (uint8_t)(sum >> 8);
	r->cmos[0x2f] = (uint8_t)sum;

	secs = (int64_t)now + cfg->time_offset_ms / 1000;
	if (!cfg->rtc_utc) {
		struct tm lt;
		time_t t = (time_t)secs;

		localtime_r(&t, &lt);
		secs += lt.tm_gmtoff;
	}
	r->base_secs = secs;
	r->base_ns = dev_clock_ns(r->dev.board);
	r->frozen_ns = 0;
	rtc_store_time(r);
}

static void rtc_reset(struct device *d)
{
	struct rtc *r = DEV_CONTAINER(d, struct rtc, dev);

	/* A reset clears the interrupt enables and flags, not the time. */
	r->cmos[REG_B] &= (uint8_t)~(B_PIE | B_AIE | B_UIE);
	r->cmos[REG_C] = 0;
	irq_isa_set(d->board, 8, r->irq_src, false);
	rtc_arm_periodic(r);
	rtc_arm_second(r);
}

static void rtc_release(struct device *d)
{
	struct rtc *r = DEV_CONTAINER(d, struct rtc, dev);

	dtimer_del(d->board, &r->second);
	dtimer_del(d->board, &r->periodic);
	free(r);
}

static const struct device_ops rtc_dev_ops = {
	.reset = rtc_reset, .release = rtc_release,
};

int rtc_create(struct board *b, const struct board_config *cfg)
{
	struct rtc *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	dev_register(b, &r->dev, "mc146818", &rtc_dev_ops);
	dtimer_init(&r->second, rtc_second_cb, r);
	dtimer_init(&r->periodic, rtc_periodic_cb, r);
	r->irq_src = irq_source_new(b);
	rtc_init_cmos(r, cfg);
	io_region_init(&r->io, "mc146818", &rtc_ops, r, IO_SPACE_PORT);
	return io_region_map(b, &r->io, 0x70, 4);
}
