/*
 * Local APIC of the iem engine.
 *
 * Specification: Intel SDM vol. 3 chapter 10 (xAPIC): register map at
 * APIC_BASE (ID, version 0x14 with six LVT entries, TPR/PPR, EOI, LDR/DFR
 * flat and cluster logical destinations, SVR software enable, ISR/TMR/IRR,
 * ESR, ICR with destination shorthands, LVT timer/thermal/perf/LINT0/
 * LINT1/error, timer initial/current count and divide configuration),
 * timer modes one-shot, periodic and TSC-deadline (IA32_TSC_DEADLINE),
 * delivery modes fixed, lowest priority (delivered to the first APIC in
 * the destination set), NMI, INIT (level de-assert ignored), start-up,
 * ExtINT through LINT0 (the 8259's INTR, acknowledged through the board).
 * Like QEMU, LINT0 of the bootstrap processor resets to ExtINT so the 8259
 * reaches the BSP before the firmware programs the APIC.
 * The timer counts at 1 GHz (bus clock) divided by the divide
 * configuration, on the machine's time base.
 * Limits: no x2APIC, no SMI delivery, no error reporting in ESR, no
 * remote read, arbitration priority reads as 0.
 */
#include "lib/vmm/iem/iem-int.h"

#define LVT_MASKED (1u << 16)

static struct iem_lapic *L(struct iem_cpu *c)
{
	return &c->lapic;
}

void iem_lapic_reset(struct iem_cpu *c, bool bsp)
{
	struct iem_lapic *l = L(c);
	unsigned k;

	l->bsp = bsp;
	l->apic_base = c->m->cfg.apic ? 0xfee00000ull | LAPIC_BASE_ENABLE | (bsp ? LAPIC_BASE_BSP : 0)
				      : 0;
	l->id = (uint32_t)c->index;
	l->tpr = l->ldr = l->esr = l->icr_lo = l->icr_hi = 0;
	l->dfr = 0xffffffffu;
	l->svr = 0xff;
	for (k = 0; k < 7; k++)
		l->lvt[k] = LVT_MASKED;
	if (bsp)
		l->lvt[LVT_LINT0] = LAPIC_DM_EXTINT << 8;
	for (k = 0; k < 8; k++) {
		l->isr[k] = 0;
		atomic_store(&l->irr[k], 0);
		atomic_store(&l->tmr[k], 0);
	}
	l->timer_icr = l->timer_dcr = 0;
	l->timer_start = l->timer_deadline = 0;
	l->tsc_deadline = 0;
}

bool iem_lapic_mmio_enabled(const struct iem_cpu *c)
{
	return (c->lapic.apic_base & LAPIC_BASE_ENABLE) != 0;
}

void iem_lapic_set_base(struct iem_cpu *c, uint64_t v)
{
	struct iem_lapic *l = L(c);

	if (!c->m->cfg.apic)
		return;
	l->apic_base = v & (0xffffff000ull | LAPIC_BASE_ENABLE | LAPIC_BASE_BSP);
	if (!(v & LAPIC_BASE_ENABLE)) {
		unsigned k;

		for (k = 0; k < 7; k++)
			l->lvt[k] |= LVT_MASKED;
		l->svr &= ~0x100u;
	}
}

static int highest(const uint32_t *w, bool atomic)
{
	int k;

	for (k = 7; k >= 0; k--) {
		uint32_t v = atomic ? atomic_load((_Atomic uint32_t *)&w[k]) : w[k];

		if (v)
			return k * 32 + 31 - __builtin_clz(v);
	}
	return -1;
}

static int irr_highest(struct iem_lapic *l)
{
	int k;

	for (k = 7; k >= 0; k--) {
		uint32_t v = atomic_load(&l->irr[k]);

		if (v)
			return k * 32 + 31 - __builtin_clz(v);
	}
	return -1;
}

static uint32_t ppr(struct iem_lapic *l)
{
	int isrv = highest(l->isr, false);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;

	return (l->tpr & 0xf0) >= isr_class ? l->tpr & 0xff : isr_class;
}

bool iem_lapic_maybe_pending(struct iem_cpu *c)
{
	return irr_highest(L(c)) >= 0 || c->intr_line;
}

static bool lint0_extint(struct iem_cpu *c)
{
	uint32_t v = L(c)->lvt[LVT_LINT0];

	if (!iem_lapic_mmio_enabled(c))
		return true;
	return !(v & LVT_MASKED) && ((v >> 8) & 7) == LAPIC_DM_EXTINT;
}

int iem_lapic_accept(struct iem_cpu *c)
{
	struct iem_lapic *l = L(c);
	int v;

	if (iem_lapic_mmio_enabled(c) && (l->svr & 0x100)) {
		v = irr_highest(l);
		if (v >= 16 && ((uint32_t)v & 0xf0) > (ppr(l) & 0xf0)) {
			atomic_fetch_and(&l->irr[v >> 5], ~(1u << (v & 31)));
			l->isr[v >> 5] |= 1u << (v & 31);
			return v;
		}
	}
	if (c->intr_line && lint0_extint(c) && c->m->ops.pic_ack) {
		v = c->m->ops.pic_ack(c->m->ops.opaque);
		return v;
	}
	return -1;
}

void iem_lapic_set_irr(struct iem_cpu *c, uint8_t vector, bool level)
{
	struct iem_lapic *l = L(c);
	uint32_t bit = 1u << (vector & 31);

	if (level)
		atomic_fetch_or(&l->tmr[vector >> 5], bit);
	else
		atomic_fetch_and(&l->tmr[vector >> 5], ~bit);
	atomic_fetch_or(&l->irr[vector >> 5], bit);
	iem_kick_self(c, IEM_ATTN_IRQ);
}

static void eoi(struct iem_cpu *c)
{
	struct iem_lapic *l = L(c);
	int v = highest(l->isr, false);

	if (v < 0)
		return;
	l->isr[v >> 5] &= ~(1u << (v & 31));
	if ((atomic_load(&l->tmr[v >> 5]) >> (v & 31)) & 1) {
		if (!(l->svr & 0x1000) && c->m->ops.eoi)
			c->m->ops.eoi(c->m->ops.opaque, (uint8_t)v);
	}
	if (iem_lapic_maybe_pending(c))
		atomic_fetch_or(&c->attn, IEM_ATTN_IRQ);
}

static bool matches(struct iem_cpu *t, uint32_t dest, bool logical)
{
	struct iem_lapic *l = &t->lapic;

	if (!logical)
		return dest == 0xff || dest == l->id;
	if (dest == 0xff)
		return true;
	if ((l->dfr >> 28) == 0xf)
		return ((l->ldr >> 24) & dest) != 0;
	return ((l->ldr >> 28) == (dest >> 4)) && (((l->ldr >> 24) & dest & 0xf) != 0);
}

void iem_lapic_send(struct iem_machine *m, struct iem_cpu *from, uint32_t dest, bool logical,
		    unsigned mode, uint8_t vector, bool level, unsigned shorthand)
{
	unsigned k;

	for (k = 0; k < m->ncpus; k++) {
		struct iem_cpu *t = m->cpus[k];
		bool hit;

		switch (shorthand) {
		case 1: hit = t == from; break;
		case 2: hit = true; break;
		case 3: hit = t != from; break;
		default: hit = matches(t, dest, logical); break;
		}
		if (!hit || !(t->lapic.apic_base & LAPIC_BASE_ENABLE))
			continue;
		switch (mode) {
		case LAPIC_DM_FIXED:
		case LAPIC_DM_LOWPRI:
			iem_lapic_set_irr(t, vector, level);
			if (mode == LAPIC_DM_LOWPRI && shorthand == 0)
				return;
			break;
		case LAPIC_DM_NMI:
			iem_kick_self(t, IEM_ATTN_NMI);
			break;
		case LAPIC_DM_INIT:
			iem_kick_self(t, IEM_ATTN_INIT);
			break;
		case LAPIC_DM_SIPI:
			t->sipi_vector = vector;
			iem_kick_self(t, IEM_ATTN_SIPI);
			break;
		default:
			break;
		}
	}
}

static unsigned divisor(struct iem_lapic *l)
{
	unsigned d = (l->timer_dcr & 3) | ((l->timer_dcr >> 1) & 4);

	return d == 7 ? 1 : 2u << d;
}

static unsigned timer_mode(struct iem_lapic *l)
{
	return (l->lvt[LVT_TIMER] >> 17) & 3;
}

static void timer_start(struct iem_cpu *c, uint64_t now)
{
	struct iem_lapic *l = L(c);

	l->timer_start = now;
	l->timer_deadline = l->timer_icr ? now + (uint64_t)l->timer_icr * divisor(l) : 0;
}

static uint32_t current_count(struct iem_cpu *c)
{
	struct iem_lapic *l = L(c);
	uint64_t now, ticks;

	if (!l->timer_icr || timer_mode(l) == 2)
		return 0;
	now = iem_now_ns(c->m);
	ticks = (now - l->timer_start) / divisor(l);
	if (timer_mode(l) == 1)
		return l->timer_icr - (uint32_t)(ticks % l->timer_icr);
	return ticks >= l->timer_icr ? 0 : l->timer_icr - (uint32_t)ticks;
}

static uint64_t tsc_to_ns_deadline(struct iem_cpu *c, uint64_t tsc)
{
	uint64_t now = iem_now_ns(c->m), cur = iem_tsc(c);

	if (tsc <= cur)
		return now;
	return now + (uint64_t)(((unsigned __int128)(tsc - cur) * 1000000000ull) / c->m->tsc_hz);
}

void iem_lapic_set_tsc_deadline(struct iem_cpu *c, uint64_t tsc)
{
	struct iem_lapic *l = L(c);

	l->tsc_deadline = tsc;
	if (timer_mode(l) != 2)
		return;
	l->timer_deadline = tsc ? tsc_to_ns_deadline(c, tsc) : 0;
}

uint64_t iem_lapic_next_deadline(struct iem_cpu *c)
{
	return L(c)->timer_deadline ? L(c)->timer_deadline : UINT64_MAX;
}

void iem_lapic_timer_check(struct iem_cpu *c, uint64_t now)
{
	struct iem_lapic *l = L(c);
	uint32_t lvt = l->lvt[LVT_TIMER];

	if (!l->timer_deadline || now < l->timer_deadline)
		return;
	switch (timer_mode(l)) {
	case 1: {
		uint64_t period = (uint64_t)l->timer_icr * divisor(l);

		if (!period) {
			l->timer_deadline = 0;
			break;
		}
		l->timer_deadline += period;
		if (l->timer_deadline <= now)
			l->timer_deadline = now + period - (now - l->timer_deadline) % period;
		break;
	}
	case 2:
		l->timer_deadline = 0;
		l->tsc_deadline = 0;
		break;
	default:
		l->timer_deadline = 0;
		break;
	}
	if (!(lvt & LVT_MASKED))
		iem_lapic_set_irr(c, (uint8_t)(lvt & 0xff), false);
}

uint32_t iem_lapic_read(struct iem_cpu *c, uint32_t off)
{
	struct iem_lapic *l = L(c);

	switch (off) {
	case 0x20: return l->id << 24;
	case 0x30: return 0x00050014u;
	case 0x80: return l->tpr;
	case 0x90: return 0;
	case 0xa0: return ppr(l);
	case 0xd0: return l->ldr;
	case 0xe0: return l->dfr;
	case 0xf0: return l->svr;
	case 0x280: return l->esr;
	case 0x300: return l->icr_lo & ~(1u << 12);
	case 0x310: return l->icr_hi;
	case 0x320: return l->lvt[LVT_TIMER];
	case 0x330: return l->lvt[LVT_THERMAL];
	case 0x340: return l->lvt[LVT_PERF];
	case 0x350: return l->lvt[LVT_LINT0];
	case 0x360: return l->lvt[LVT_LINT1];
	case 0x370: return l->lvt[LVT_ERROR];
	case 0x380: return l->timer_icr;
	case 0x390: return current_count(c);
	case 0x3e0: return l->timer_dcr;
	default:
		break;
	}
	if (off >= 0x100 && off < 0x180)
		return l->isr[(off - 0x100) >> 4];
	if (off >= 0x180 && off < 0x200)
		return atomic_load(&l->tmr[(off - 0x180) >> 4]);
	if (off >= 0x200 && off < 0x280)
		return atomic_load(&l->irr[(off - 0x200) >> 4]);
	return 0;
}

static void write_lvt(struct iem_cpu *c, unsigned k, uint32_t v)
{
	struct iem_lapic *l = L(c);
	static const uint32_t masks[7] = { 0x107ff, 0x700ff, 0x107ff, 0x107ff, 0x1a7ff, 0x1a7ff,
					   0x100ff };
	unsigned old_mode = timer_mode(l);

	v &= masks[k];
	if (!(l->svr & 0x100))
		v |= LVT_MASKED;
	l->lvt[k] = v;
	if (k == LVT_TIMER && timer_mode(l) != old_mode) {
		l->timer_deadline = 0;
		if (timer_mode(l) == 2 && l->tsc_deadline)
			l->timer_deadline = tsc_to_ns_deadline(c, l->tsc_deadline);
	}
	if (k == LVT_LINT0 && c->intr_line)
		atomic_fetch_or(&c->attn, IEM_ATTN_IRQ);
}

void iem_lapic_write(struct iem_cpu *c, uint32_t off, uint32_t v)
{
	struct iem_lapic *l = L(c);
	unsigned k;

	switch (off) {
	case 0x20:
		l->id = v >> 24;
		break;
	case 0x80:
		l->tpr = v & 0xff;
		if (iem_lapic_maybe_pending(c))
			atomic_fetch_or(&c->attn, IEM_ATTN_IRQ);
		break;
	case 0xb0:
		eoi(c);
		break;
	case 0xd0:
		l->ldr = v & 0xff000000u;
		break;
	case 0xe0:
		l->dfr = v | 0x0fffffffu;
		break;
	case 0xf0:
		l->svr = v & 0x13ff;
		if (!(l->svr & 0x100))
			for (k = 0; k < 7; k++)
				l->lvt[k] |= LVT_MASKED;
		if (iem_lapic_maybe_pending(c))
			atomic_fetch_or(&c->attn, IEM_ATTN_IRQ);
		break;
	case 0x280:
		l->esr = 0;
		break;
	case 0x300: {
		unsigned mode = (v >> 8) & 7;

		l->icr_lo = v & ~(1u << 12);
		if (mode == LAPIC_DM_INIT && !(v & (1u << 14)) && (v & (1u << 15)))
			break;  /* INIT level de-assert */
		iem_lapic_send(c->m, c, l->icr_hi >> 24, (v >> 11) & 1, mode, v & 0xff,
			       (v >> 15) & 1, (v >> 18) & 3);
		break;
	}
	case 0x310:
		l->icr_hi = v & 0xff000000u;
		break;
	case 0x320: write_lvt(c, LVT_TIMER, v); break;
	case 0x330: write_lvt(c, LVT_THERMAL, v); break;
	case 0x340: write_lvt(c, LVT_PERF, v); break;
	case 0x350: write_lvt(c, LVT_LINT0, v); break;
	case 0x360: write_lvt(c, LVT_LINT1, v); break;
	case 0x370: write_lvt(c, LVT_ERROR, v); break;
	case 0x380:
		if (timer_mode(l) == 2)
			break;
		l->timer_icr = v;
		timer_start(c, iem_now_ns(c->m));
		break;
	case 0x3e0:
		l->timer_dcr = v & 0xb;
		break;
	default:
		break;
	}
}

uint64_t iem_lapic_get_cr8(struct iem_cpu *c)
{
	return (L(c)->tpr >> 4) & 0xf;
}

void iem_lapic_set_cr8(struct iem_cpu *c, uint64_t v)
{
	L(c)->tpr = (uint32_t)(v & 0xf) << 4;
	if (iem_lapic_maybe_pending(c))
		atomic_fetch_or(&c->attn, IEM_ATTN_IRQ);
}
