/*
 * Segment registers, descriptors and far control transfers of the iem
 * engine.
 *
 * Specification: Intel SDM vol. 3 chapter 3.4-3.5 (descriptors, descriptor
 * caches), chapter 5 (privilege checks for data and stack segment loads,
 * far JMP/CALL through call gates with stack switching and parameter
 * copying, far RET to an outer level, IRET including the return to
 * virtual-8086 mode), chapter 7 (task switch through a TSS or task gate),
 * chapter 5.8.7 / AMD APM vol. 2 4.8 (64-bit mode: 16-byte system
 * descriptors, 64-bit call gates, IRETQ).  Real-address and virtual-8086
 * mode loads only set selector and base (the cached limit survives, as in
 * "big real" mode).
 * Limits: task switches support 32-bit TSSs only (16-bit TSS: #TS); no
 * debug-register task switch effects (T bit); far CALL through a 64-bit
 * call gate does not copy parameters (there are none in 64-bit mode).
 */
#include "lib/vmm/iem/iem-int.h"

uint32_t iem_desc_attr(uint64_t lo)
{
	return (uint32_t)(((lo >> 40) & 0xff) | (((lo >> 52) & 0xf) << 12));
}

uint32_t iem_desc_limit(uint64_t lo)
{
	uint32_t raw = (uint32_t)((lo & 0xffff) | ((lo >> 32) & 0xf0000));

	return (lo & (1ull << 55)) ? (raw << 12) | 0xfff : raw;
}

uint64_t iem_desc_base(uint64_t lo)
{
	return ((lo >> 16) & 0xffffff) | ((lo >> 32) & 0xff000000u);
}

/* Fast-path limits of one segment for the current mode. */
static void seg_fast(struct iem_cpu *c, unsigned s)
{
	struct iem_seg *g = &c->seg[s];
	unsigned type = IEM_SEG_TYPE(g->attr);
	bool prot = (c->cr0 & CR0_PE) && !(c->eflags & F_VM);

	if (s >= S_FLAT || c->mode == 2) {
		g->lim_r = g->lim_w = INT64_MAX;
		return;
	}
	if (!prot) {
		g->lim_r = g->lim_w = g->limit;
		return;
	}
	if ((g->attr & IEM_SEG_UNUSABLE) || !(g->attr & IEM_SEG_P) || !(g->attr & IEM_SEG_S)) {
		g->lim_r = g->lim_w = -1;
		return;
	}
	if (type & 8) {                 /* code */
		g->lim_w = -1;
		g->lim_r = (type & 2) ? (int64_t)g->limit : -1;
	} else if (type & 4) {          /* expand-down: slow path */
		g->lim_r = g->lim_w = -1;
	} else {
		g->lim_r = g->limit;
		g->lim_w = (type & 2) ? (int64_t)g->limit : -1;
	}
}

void iem_seg_refresh(struct iem_cpu *c)
{
	unsigned s;

	for (s = 0; s < IEM_NSEG; s++)
		seg_fast(c, s);
	c->seg[S_FLAT].base = 0;
	c->seg[S_FLATSTK].base = 0;
}

void iem_seg_set_cache(struct iem_cpu *c, unsigned seg, uint16_t sel, uint64_t base,
		       uint32_t limit, uint32_t attr)
{
	struct iem_seg *g = &c->seg[seg];

	g->sel = sel;
	g->base = base;
	g->limit = limit;
	g->attr = attr;
	if (seg == S_CS && (c->efer & EFER_LMA) && (attr & IEM_SEG_L))
		g->base = 0;
	seg_fast(c, seg);
}

void iem_load_seg_real(struct iem_cpu *c, unsigned seg, uint16_t sel)
{
	struct iem_seg *g = &c->seg[seg];

	g->sel = sel;
	g->base = (uint64_t)sel << 4;
	if (g->attr & IEM_SEG_UNUSABLE) {
		g->attr = IEM_SEG_P | IEM_SEG_S | 3;
		g->limit = 0xffff;
	}
	if (c->eflags & F_VM) {
		g->limit = 0xffff;
		g->attr = IEM_SEG_P | IEM_SEG_S | (3u << 5) | (seg == S_CS ? 0xb : 3);
	}
	seg_fast(c, seg);
}

bool iem_read_desc(struct iem_cpu *c, uint16_t sel, uint64_t *lo, uint64_t *hi)
{
	uint64_t base, limit, off = sel & ~7u;

	if (sel & 4) {
		if (c->ldtr.attr & IEM_SEG_UNUSABLE || !(c->ldtr.sel & ~3u))
			return false;
		base = c->ldtr.base;
		limit = c->ldtr.limit;
	} else {
		base = c->gdtr.base;
		limit = c->gdtr.limit;
	}
	if (off + 7 > limit)
		return false;
	*lo = iem_lin_rd(c, (base + off) & c->lin_mask_sys, 8, IEM_ACC_R | IEM_ACC_SYS);
	*hi = 0;
	if ((c->efer & EFER_LMA) && !(*lo & (1ull << 44)) && off + 15 <= limit)
		*hi = iem_lin_rd(c, (base + off + 8) & c->lin_mask_sys, 8, IEM_ACC_R | IEM_ACC_SYS);
	return true;
}

static void set_accessed(struct iem_cpu *c, uint16_t sel, uint64_t lo)
{
	uint64_t base = (sel & 4) ? c->ldtr.base : c->gdtr.base;

	if (lo & (1ull << 40))
		return;
	iem_lin_wr(c, (base + (sel & ~7u) + 5) & c->lin_mask_sys, 1,
		   ((lo >> 40) & 0xff) | 1, IEM_ACC_W | IEM_ACC_SYS);
}

static void set_busy(struct iem_cpu *c, uint16_t sel, uint64_t lo, bool busy)
{
	uint64_t base = (sel & 4) ? c->ldtr.base : c->gdtr.base;
	uint8_t b = (uint8_t)(lo >> 40);

	b = busy ? (b | 2) : (b & ~2);
	iem_lin_wr(c, (base + (sel & ~7u) + 5) & c->lin_mask_sys, 1, b, IEM_ACC_W | IEM_ACC_SYS);
}

void iem_load_seg(struct iem_cpu *c, unsigned seg, uint16_t sel)
{
	uint64_t lo, hi;
	uint32_t attr;
	unsigned dpl, rpl = sel & 3;

	if (!(c->cr0 & CR0_PE) || (c->eflags & F_VM)) {
		iem_load_seg_real(c, seg, sel);
		if (seg == S_SS)
			iem_update_mode(c);
		return;
	}
	if (!(sel & ~3u)) {
		if (seg == S_SS && !(c->mode == 2 && c->cpl != 3 && rpl == c->cpl))
			iem_raise(c, X_GP, 0);
		iem_seg_set_cache(c, seg, sel, 0, 0, IEM_SEG_UNUSABLE | ((uint32_t)rpl << 5));
		if (seg == S_SS)
			iem_update_mode(c);
		return;
	}
	if (!iem_read_desc(c, sel, &lo, &hi))
		iem_raise(c, X_GP, sel & ~3u);
	attr = iem_desc_attr(lo);
	dpl = IEM_SEG_DPL(attr);
	if (seg == S_SS) {
		if (rpl != c->cpl || dpl != c->cpl || !(attr & IEM_SEG_S) ||
		    (IEM_SEG_TYPE(attr) & 0xa) != 2)
			iem_raise(c, X_GP, sel & ~3u);
		if (!(attr & IEM_SEG_P))
			iem_raise(c, X_SS, sel & ~3u);
	} else {
		unsigned type = IEM_SEG_TYPE(attr);

		if (!(attr & IEM_SEG_S) || (type & 0xa) == 8)
			iem_raise(c, X_GP, sel & ~3u);
		if ((!(type & 8) || !(type & 4)) && (dpl < c->cpl || dpl < rpl))
			iem_raise(c, X_GP, sel & ~3u);
		if (!(attr & IEM_SEG_P))
			iem_raise(c, X_NP, sel & ~3u);
	}
	set_accessed(c, sel, lo);
	iem_seg_set_cache(c, seg, sel, iem_desc_base(lo), iem_desc_limit(lo), attr | 1);
	if (seg == S_SS)
		iem_update_mode(c);
}

/* Null data segments a return to an outer level must not keep. */
static void invalidate_outer(struct iem_cpu *c)
{
	static const unsigned segs[] = { S_ES, S_DS, S_FS, S_GS };
	unsigned k;

	for (k = 0; k < 4; k++) {
		struct iem_seg *g = &c->seg[segs[k]];
		unsigned type = IEM_SEG_TYPE(g->attr);

		if (g->attr & IEM_SEG_UNUSABLE)
			continue;
		if (((type & 8) == 0 || (type & 4) == 0) && IEM_SEG_DPL(g->attr) < c->cpl) {
			g->sel = 0;
			g->attr |= IEM_SEG_UNUSABLE;
			seg_fast(c, segs[k]);
		}
	}
}

static void check_target(struct iem_cpu *c, uint64_t off, uint32_t limit, uint32_t attr)
{
	bool l64 = (c->efer & EFER_LMA) && (attr & IEM_SEG_L);

	if (l64) {
		if ((uint64_t)((int64_t)(off << 16) >> 16) != off)
			iem_raise(c, X_GP, 0);
	} else if (off > limit) {
		iem_raise(c, X_GP, 0);
	}
}

static void load_cs(struct iem_cpu *c, uint16_t sel, uint64_t lo, unsigned cpl, uint64_t off)
{
	uint32_t attr = iem_desc_attr(lo) | 1;

	c->cpl = (uint8_t)cpl;
	iem_seg_set_cache(c, S_CS, (uint16_t)((sel & ~3u) | cpl), iem_desc_base(lo),
			  iem_desc_limit(lo), attr);
	c->rip = off;
	iem_update_mode(c);
}

/* Check a code-segment descriptor for a direct far JMP/CALL. */
static void check_code_direct(struct iem_cpu *c, uint16_t sel, uint32_t attr)
{
	unsigned dpl = IEM_SEG_DPL(attr);

	if (IEM_SEG_TYPE(attr) & 4) {
		if (dpl > c->cpl)
			iem_raise(c, X_GP, sel & ~3u);
	} else if ((sel & 3) > c->cpl || dpl != c->cpl) {
		iem_raise(c, X_GP, sel & ~3u);
	}
	if (!(attr & IEM_SEG_P))
		iem_raise(c, X_NP, sel & ~3u);
	if ((c->efer & EFER_LMA) && (attr & IEM_SEG_L) && (attr & IEM_SEG_DB))
		iem_raise(c, X_GP, sel & ~3u);
}

struct gate {
	uint16_t sel;
	uint64_t off;
	unsigned params, type;
};

static void read_gate(struct iem_cpu *c, uint16_t sel, uint64_t lo, uint64_t hi, struct gate *g)
{
	unsigned type = (lo >> 40) & 0xf;
	unsigned dpl = (lo >> 45) & 3;

	if (dpl < c->cpl || dpl < (sel & 3u))
		iem_raise(c, X_GP, sel & ~3u);
	if (!((lo >> 47) & 1))
		iem_raise(c, X_NP, sel & ~3u);
	g->type = type;
	g->sel = (uint16_t)(lo >> 16);
	g->off = (lo & 0xffff) | (type == 0xc ? (lo >> 32) & 0xffff0000u : 0);
	if (c->efer & EFER_LMA)
		g->off |= hi << 32;
	g->params = (lo >> 32) & 0x1f;
}

void iem_far_jmp(struct iem_cpu *c, const struct iem_insn *i, uint16_t sel, uint64_t off)
{
	uint64_t lo, hi;
	uint32_t attr;

	(void)i;
	if (!(c->cr0 & CR0_PE) || (c->eflags & F_VM)) {
		if (off > c->seg[S_CS].limit)
			iem_raise(c, X_GP, 0);
		iem_load_seg_real(c, S_CS, sel);
		c->rip = off;
		iem_update_mode(c);
		return;
	}
	if (!(sel & ~3u))
		iem_raise(c, X_GP, 0);
	if (!iem_read_desc(c, sel, &lo, &hi))
		iem_raise(c, X_GP, sel & ~3u);
	attr = iem_desc_attr(lo);
	if (attr & IEM_SEG_S) {
		if (!(IEM_SEG_TYPE(attr) & 8))
			iem_raise(c, X_GP, sel & ~3u);
		check_code_direct(c, sel, attr);
		check_target(c, off, iem_desc_limit(lo), attr);
		set_accessed(c, sel, lo);
		load_cs(c, sel, lo, c->cpl, off);
		return;
	}
	switch (IEM_SEG_TYPE(attr)) {
	case 4:
	case 0xc: {
		struct gate g;
		uint64_t clo, chi;
		uint32_t cattr;

		if (IEM_SEG_TYPE(attr) == 4 && (c->efer & EFER_LMA))
			iem_raise(c, X_GP, sel & ~3u);
		read_gate(c, sel, lo, hi, &g);
		if (!(g.sel & ~3u))
			iem_raise(c, X_GP, 0);
		if (!iem_read_desc(c, g.sel, &clo, &chi))
			iem_raise(c, X_GP, g.sel & ~3u);
		cattr = iem_desc_attr(clo);
		if (!(cattr & IEM_SEG_S) || !(IEM_SEG_TYPE(cattr) & 8))
			iem_raise(c, X_GP, g.sel & ~3u);
		if ((IEM_SEG_TYPE(cattr) & 4) ? IEM_SEG_DPL(cattr) > c->cpl
					      : IEM_SEG_DPL(cattr) != c->cpl)
			iem_raise(c, X_GP, g.sel & ~3u);
		if (!(cattr & IEM_SEG_P))
			iem_raise(c, X_NP, g.sel & ~3u);
		check_target(c, g.off, iem_desc_limit(clo), cattr);
		load_cs(c, g.sel, clo, c->cpl, g.off);
		return;
	}
	case 1: case 9: case 5:
		if (c->efer & EFER_LMA)
			iem_raise(c, X_GP, sel & ~3u);
		iem_task_switch(c, sel, 0, 0, 0, 0);
		return;
	default:
		iem_raise(c, X_GP, sel & ~3u);
	}
}

void iem_far_call(struct iem_cpu *c, const struct iem_insn *i, uint16_t sel, uint64_t off,
		  unsigned osz)
{
	unsigned nb = 1u << osz;
	uint64_t lo, hi, ret = iem_next_rip(c, i);
	uint32_t attr;
	uint64_t sp;

	if (!(c->cr0 & CR0_PE) || (c->eflags & F_VM)) {
		if (off > c->seg[S_CS].limit)
			iem_raise(c, X_GP, 0);
		sp = c->gpr[R_SP];
		iem_push(c, i, nb, c->seg[S_CS].sel);
		iem_push(c, i, nb, ret);
		(void)sp;
		iem_load_seg_real(c, S_CS, sel);
		c->rip = off;
		iem_update_mode(c);
		return;
	}
	if (!(sel & ~3u))
		iem_raise(c, X_GP, 0);
	if (!iem_read_desc(c, sel, &lo, &hi))
		iem_raise(c, X_GP, sel & ~3u);
	attr = iem_desc_attr(lo);
	if (attr & IEM_SEG_S) {
		uint64_t oldsp = c->gpr[R_SP];

		if (!(IEM_SEG_TYPE(attr) & 8))
			iem_raise(c, X_GP, sel & ~3u);
		check_code_direct(c, sel, attr);
		check_target(c, off, iem_desc_limit(lo), attr);
		iem_push(c, i, nb, c->seg[S_CS].sel);
		iem_push(c, i, nb, ret);
		(void)oldsp;
		set_accessed(c, sel, lo);
		load_cs(c, sel, lo, c->cpl, off);
		return;
	}
	switch (IEM_SEG_TYPE(attr)) {
	case 4:
	case 0xc: {
		struct gate g;
		uint64_t clo, chi;
		uint32_t cattr;
		unsigned cdpl, gnb;

		if (IEM_SEG_TYPE(attr) == 4 && (c->efer & EFER_LMA))
			iem_raise(c, X_GP, sel & ~3u);
		read_gate(c, sel, lo, hi, &g);
		gnb = (c->efer & EFER_LMA) ? 8 : g.type == 0xc ? 4 : 2;
		if (!(g.sel & ~3u))
			iem_raise(c, X_GP, 0);
		if (!iem_read_desc(c, g.sel, &clo, &chi))
			iem_raise(c, X_GP, g.sel & ~3u);
		cattr = iem_desc_attr(clo);
		cdpl = IEM_SEG_DPL(cattr);
		if (!(cattr & IEM_SEG_S) || !(IEM_SEG_TYPE(cattr) & 8) || cdpl > c->cpl)
			iem_raise(c, X_GP, g.sel & ~3u);
		if (!(cattr & IEM_SEG_P))
			iem_raise(c, X_NP, g.sel & ~3u);
		check_target(c, g.off, iem_desc_limit(clo), cattr);
		if (!(IEM_SEG_TYPE(cattr) & 4) && cdpl < c->cpl) {
			/* more privileged: new stack from the TSS, copy parameters */
			uint16_t nss = 0, old_ss = c->seg[S_SS].sel;
			uint64_t nsp, old_sp = c->gpr[R_SP], params[32];
			unsigned k;

			if (c->efer & EFER_LMA) {
				nsp = iem_lin_rd(c, c->tr.base + 4 + cdpl * 8, 8,
						 IEM_ACC_R | IEM_ACC_SYS);
				nss = (uint16_t)cdpl;
				for (k = 0; k < 4; k++)
					;
				c->cpl = (uint8_t)cdpl;
				iem_update_mode(c);
				nsp &= ~0xfull;
				iem_lin_wr(c, nsp - 8, 8, old_ss, IEM_ACC_W | IEM_ACC_SYS);
				iem_lin_wr(c, nsp - 16, 8, old_sp, IEM_ACC_W | IEM_ACC_SYS);
				iem_lin_wr(c, nsp - 24, 8, c->seg[S_CS].sel, IEM_ACC_W | IEM_ACC_SYS);
				iem_lin_wr(c, nsp - 32, 8, ret, IEM_ACC_W | IEM_ACC_SYS);
				iem_seg_set_cache(c, S_SS, nss, 0, 0, IEM_SEG_UNUSABLE | (cdpl << 5));
				c->gpr[R_SP] = nsp - 32;
				load_cs(c, g.sel, clo, cdpl, g.off);
				return;
			} else {
				uint64_t slo, shi;
				uint32_t sattr;
				unsigned type = IEM_SEG_TYPE(c->tr.attr);
				unsigned toff = type == 1 || type == 3 ? 2 + cdpl * 4 : 4 + cdpl * 8;
				unsigned snb = type == 1 || type == 3 ? 2 : 4;
				uint64_t base, mask;

				nsp = iem_lin_rd(c, c->tr.base + toff, snb, IEM_ACC_R | IEM_ACC_SYS);
				nss = (uint16_t)iem_lin_rd(c, c->tr.base + toff + snb, 2,
							   IEM_ACC_R | IEM_ACC_SYS);
				if (!(nss & ~3u) || (nss & 3) != cdpl || !iem_read_desc(c, nss, &slo, &shi))
					iem_raise(c, X_TS, nss & ~3u);
				sattr = iem_desc_attr(slo);
				if (IEM_SEG_DPL(sattr) != cdpl || (IEM_SEG_TYPE(sattr) & 0xa) != 2 ||
				    !(sattr & IEM_SEG_S))
					iem_raise(c, X_TS, nss & ~3u);
				if (!(sattr & IEM_SEG_P))
					iem_raise(c, X_SS, nss & ~3u);
				for (k = 0; k < g.params; k++)
					params[k] = iem_lin_rd(c, (c->seg[S_SS].base +
						((old_sp + k * gnb) & c->ss_mask)) & 0xffffffffull,
						gnb, IEM_ACC_R);
				base = iem_desc_base(slo);
				mask = (sattr & IEM_SEG_DB) ? 0xffffffffull : 0xffff;
				nsp &= mask;
				nsp -= gnb;
				iem_lin_wr(c, (base + (nsp & mask)) & 0xffffffffull, gnb, old_ss,
					   IEM_ACC_W | IEM_ACC_SYS);
				nsp -= gnb;
				iem_lin_wr(c, (base + (nsp & mask)) & 0xffffffffull, gnb, old_sp,
					   IEM_ACC_W | IEM_ACC_SYS);
				for (k = g.params; k-- > 0;) {
					nsp -= gnb;
					iem_lin_wr(c, (base + (nsp & mask)) & 0xffffffffull, gnb,
						   params[k], IEM_ACC_W | IEM_ACC_SYS);
				}
				nsp -= gnb;
				iem_lin_wr(c, (base + (nsp & mask)) & 0xffffffffull, gnb,
					   c->seg[S_CS].sel, IEM_ACC_W | IEM_ACC_SYS);
				nsp -= gnb;
				iem_lin_wr(c, (base + (nsp & mask)) & 0xffffffffull, gnb, ret,
					   IEM_ACC_W | IEM_ACC_SYS);
				c->cpl = (uint8_t)cdpl;
				iem_seg_set_cache(c, S_SS, nss, base, iem_desc_limit(slo), sattr | 1);
				c->gpr[R_SP] = (c->gpr[R_SP] & ~mask) | (nsp & mask);
				load_cs(c, g.sel, clo, cdpl, g.off);
				return;
			}
		}
		iem_push(c, i, gnb, c->seg[S_CS].sel);
		iem_push(c, i, gnb, ret);
		load_cs(c, g.sel, clo, c->cpl, g.off);
		return;
	}
	case 1: case 9: case 5:
		if (c->efer & EFER_LMA)
			iem_raise(c, X_GP, sel & ~3u);
		iem_task_switch(c, sel, 2, ret, 0, 0);
		return;
	default:
		iem_raise(c, X_GP, sel & ~3u);
	}
}

/* The code segment a far RET or IRET returns to: its descriptor must be
 * a present code segment at the selector's RPL (conforming: DPL at most
 * RPL), no more privileged than the current level.  Returns the RPL. */
static unsigned ret_cs_check(struct iem_cpu *c, uint16_t sel, uint64_t *lo,
			     uint64_t *hi, uint32_t *attr)
{
	unsigned rpl = sel & 3, dpl;

	if (!(sel & ~3u))
		iem_raise(c, X_GP, 0);
	if (!iem_read_desc(c, sel, lo, hi))
		iem_raise(c, X_GP, sel & ~3u);
	*attr = iem_desc_attr(*lo);
	dpl = IEM_SEG_DPL(*attr);
	if (!(*attr & IEM_SEG_S) || !(IEM_SEG_TYPE(*attr) & 8) || rpl < c->cpl)
		iem_raise(c, X_GP, sel & ~3u);
	if ((IEM_SEG_TYPE(*attr) & 4) ? dpl > rpl : dpl != rpl)
		iem_raise(c, X_GP, sel & ~3u);
	if (!(*attr & IEM_SEG_P))
		iem_raise(c, X_NP, sel & ~3u);
	return rpl;
}

void iem_far_ret(struct iem_cpu *c, const struct iem_insn *i, unsigned osz, uint16_t pop)
{
	unsigned nb = 1u << osz;
	uint64_t sp = c->gpr[R_SP] & c->ss_mask;
	uint64_t off, lo, hi;
	uint16_t sel;
	uint32_t attr;
	unsigned rpl;

	off = iem_rd(c, i, c->stk, sp, nb);
	sel = (uint16_t)iem_rd(c, i, c->stk, (sp + nb) & c->ss_mask, nb);
	if (!(c->cr0 & CR0_PE) || (c->eflags & F_VM)) {
		if (off > c->seg[S_CS].limit)
			iem_raise(c, X_GP, 0);
		iem_load_seg_real(c, S_CS, sel);
		iem_set_sp(c, sp + 2 * nb + pop);
		c->rip = off;
		iem_update_mode(c);
		return;
	}
	rpl = ret_cs_check(c, sel, &lo, &hi, &attr);
	if (rpl == c->cpl) {
		check_target(c, off, iem_desc_limit(lo), attr);
		iem_set_sp(c, sp + 2 * nb + pop);
		set_accessed(c, sel, lo);
		load_cs(c, sel, lo, rpl, off);
		return;
	} else {
		uint64_t nsp = iem_rd(c, i, c->stk, (sp + 2 * nb + pop) & c->ss_mask, nb);
		uint16_t nss = (uint16_t)iem_rd(c, i, c->stk, (sp + 3 * nb + pop) & c->ss_mask, nb);
		uint64_t slo, shi;
		uint32_t sattr;

		if (!(nss & ~3u)) {
			if (!((c->efer & EFER_LMA) && (attr & IEM_SEG_L) && rpl != 3))
				iem_raise(c, X_GP, 0);
			sattr = IEM_SEG_UNUSABLE | (rpl << 5);
			slo = 0;
		} else {
			if ((nss & 3) != rpl || !iem_read_desc(c, nss, &slo, &shi))
				iem_raise(c, X_GP, nss & ~3u);
			sattr = iem_desc_attr(slo);
			if (IEM_SEG_DPL(sattr) != rpl || (IEM_SEG_TYPE(sattr) & 0xa) != 2 ||
			    !(sattr & IEM_SEG_S))
				iem_raise(c, X_GP, nss & ~3u);
			if (!(sattr & IEM_SEG_P))
				iem_raise(c, X_SS, nss & ~3u);
		}
		check_target(c, off, iem_desc_limit(lo), attr);
		set_accessed(c, sel, lo);
		load_cs(c, sel, lo, rpl, off);
		iem_seg_set_cache(c, S_SS, nss, slo ? iem_desc_base(slo) : 0,
				  slo ? iem_desc_limit(slo) : 0, sattr | (slo ? 1 : 0));
		iem_update_mode(c);
		iem_set_sp(c, nsp + pop);
		invalidate_outer(c);
	}
}

void iem_iret(struct iem_cpu *c, const struct iem_insn *i, unsigned osz)
{
	unsigned nb = 1u << osz;
	uint64_t sp = c->gpr[R_SP] & c->ss_mask;
	uint64_t off, flags, lo, hi, cur = iem_get_rflags(c);
	uint16_t sel;
	uint32_t attr;
	unsigned rpl;
	uint64_t mask;

	c->nmi_blocked = false;
	if (!(c->cr0 & CR0_PE)) {
		off = iem_rd(c, i, c->stk, sp, nb);
		sel = (uint16_t)iem_rd(c, i, c->stk, (sp + nb) & c->ss_mask, nb);
		flags = iem_rd(c, i, c->stk, (sp + 2 * nb) & c->ss_mask, nb);
		if (off > c->seg[S_CS].limit)
			iem_raise(c, X_GP, 0);
		iem_set_sp(c, sp + 3 * nb);
		iem_load_seg_real(c, S_CS, sel);
		c->rip = off;
		mask = nb == 2 ? 0xffff : (F_ARITH | F_TF | F_IF | F_DF | F_IOPL | F_NT | F_RF |
					   F_AC | F_ID);
		iem_set_rflags(c, (cur & ~mask) | (flags & mask), ~0ull);
		iem_update_mode(c);
		return;
	}
	if (c->eflags & F_VM) {
		if (((c->eflags & F_IOPL) >> 12) != 3)
			iem_raise(c, X_GP, 0);
		off = iem_rd(c, i, c->stk, sp, nb);
		sel = (uint16_t)iem_rd(c, i, c->stk, (sp + nb) & c->ss_mask, nb);
		flags = iem_rd(c, i, c->stk, (sp + 2 * nb) & c->ss_mask, nb);
		if (off > c->seg[S_CS].limit)
			iem_raise(c, X_GP, 0);
		iem_set_sp(c, sp + 3 * nb);
		iem_load_seg_real(c, S_CS, sel);
		c->rip = off;
		mask = (nb == 2 ? 0xffff : 0x3fffff) & ~(uint64_t)(F_IOPL | F_VM | F_VIP | F_VIF);
		iem_set_rflags(c, (cur & ~mask) | (flags & mask), ~0ull);
		iem_update_mode(c);
		return;
	}
	if (c->eflags & F_NT) {
		uint16_t back;

		if (c->efer & EFER_LMA)
			iem_raise(c, X_GP, 0);
		back = (uint16_t)iem_lin_rd(c, c->tr.base, 2, IEM_ACC_R | IEM_ACC_SYS);
		iem_task_switch(c, back, 1, iem_next_rip(c, i), 0, 0);
		return;
	}
	off = iem_rd(c, i, c->stk, sp, nb);
	sel = (uint16_t)iem_rd(c, i, c->stk, (sp + nb) & c->ss_mask, nb);
	flags = iem_rd(c, i, c->stk, (sp + 2 * nb) & c->ss_mask, nb);
	if (nb == 2)
		flags = (cur & ~0xffffull) | (flags & 0xffff);
	if ((flags & F_VM) && c->cpl == 0 && nb == 4 && !(c->efer & EFER_LMA)) {
		/* return to virtual-8086 mode */
		uint64_t nsp = iem_rd(c, i, c->stk, (sp + 12) & c->ss_mask, 4);
		uint16_t s[5];
		unsigned k;
		static const unsigned order[5] = { S_SS, S_ES, S_DS, S_FS, S_GS };

		for (k = 0; k < 5; k++)
			s[k] = (uint16_t)iem_rd(c, i, c->stk, (sp + 16 + 4 * k) & c->ss_mask, 4);
		iem_set_rflags(c, flags, ~0ull);
		c->cpl = 3;
		for (k = 0; k < 5; k++)
			iem_load_seg_real(c, order[k], s[k]);
		iem_load_seg_real(c, S_CS, sel);
		c->gpr[R_SP] = (uint32_t)nsp;
		c->rip = off & 0xffff;
		iem_update_mode(c);
		return;
	}
	rpl = ret_cs_check(c, sel, &lo, &hi, &attr);
	/* which flags may change */
	mask = F_ARITH | F_TF | F_DF | F_NT | F_RF | F_AC | F_ID;
	if (c->cpl <= ((c->eflags & F_IOPL) >> 12))
		mask |= F_IF;
	if (c->cpl == 0)
		mask |= F_IOPL | F_VIF | F_VIP;
	if (nb == 2)
		mask &= 0xffff;
	if (rpl == c->cpl && !(c->mode == 2)) {
		check_target(c, off, iem_desc_limit(lo), attr);
		iem_set_sp(c, sp + 3 * nb);
		load_cs(c, sel, lo, rpl, off);
		iem_set_rflags(c, (cur & ~mask) | (flags & mask), ~0ull);
		iem_update_mode(c);
		return;
	} else {
		uint64_t nsp = iem_rd(c, i, c->stk, (sp + 3 * nb) & c->ss_mask, nb);
		uint16_t nss = (uint16_t)iem_rd(c, i, c->stk, (sp + 4 * nb) & c->ss_mask, nb);
		uint64_t slo = 0, shi;
		uint32_t sattr;
		bool to64 = (c->efer & EFER_LMA) && (attr & IEM_SEG_L);

		if (!(nss & ~3u)) {
			if (!((c->efer & EFER_LMA) && to64 && rpl != 3))
				iem_raise(c, X_GP, 0);
			sattr = IEM_SEG_UNUSABLE | (rpl << 5);
		} else {
			if ((nss & 3) != rpl || !iem_read_desc(c, nss, &slo, &shi))
				iem_raise(c, X_GP, nss & ~3u);
			sattr = iem_desc_attr(slo);
			if (IEM_SEG_DPL(sattr) != rpl || (IEM_SEG_TYPE(sattr) & 0xa) != 2 ||
			    !(sattr & IEM_SEG_S))
				iem_raise(c, X_GP, nss & ~3u);
			if (!(sattr & IEM_SEG_P))
				iem_raise(c, X_SS, nss & ~3u);
		}
		check_target(c, off, iem_desc_limit(lo), attr);
		load_cs(c, sel, lo, rpl, off);
		iem_set_rflags(c, (cur & ~mask) | (flags & mask), ~0ull);
		iem_seg_set_cache(c, S_SS, nss, slo ? iem_desc_base(slo) : 0,
				  slo ? iem_desc_limit(slo) : 0, sattr | (slo ? 1 : 0));
		iem_update_mode(c);
		if (c->mode == 2 || nb == 8)
			c->gpr[R_SP] = nsp;
		else
			iem_set_sp(c, nsp);
		invalidate_outer(c);
	}
}

/* ---- task switch (32-bit TSS) ---- */

/*
 * reason: 0 = JMP, 1 = IRET, 2 = CALL, 3 = interrupt/exception gate.
 */
void iem_task_switch(struct iem_cpu *c, uint16_t sel, int reason, uint64_t next_rip,
		     int has_err, uint32_t err)
{
	uint64_t lo, hi, nlo = 0, nhi;
	uint32_t attr, nattr;
	uint16_t tss_sel = sel;
	uint64_t ob = c->tr.base, nb, v;
	uint32_t regs[8], eflags, eip, cr3;
	uint16_t segs[6], ldt;
	unsigned k;

	if (!iem_read_desc(c, sel, &lo, &hi))
		iem_raise(c, X_GP, sel & ~3u);
	attr = iem_desc_attr(lo);
	if (!(attr & IEM_SEG_S) && IEM_SEG_TYPE(attr) == 5) {
		/* task gate: the TSS selector is inside */
		tss_sel = (uint16_t)(lo >> 16);
		if (!iem_read_desc(c, tss_sel, &lo, &hi))
			iem_raise(c, X_GP, tss_sel & ~3u);
		attr = iem_desc_attr(lo);
	}
	if (attr & IEM_SEG_S)
		iem_raise(c, X_GP, tss_sel & ~3u);
	if (reason == 1 ? IEM_SEG_TYPE(attr) != 0xb : IEM_SEG_TYPE(attr) != 9) {
		if (IEM_SEG_TYPE(attr) == 1 || IEM_SEG_TYPE(attr) == 3)
			iem_raise(c, X_TS, tss_sel & ~3u);
		iem_raise(c, X_GP, tss_sel & ~3u);
	}
	if (!(attr & IEM_SEG_P))
		iem_raise(c, X_NP, tss_sel & ~3u);
	if (iem_desc_limit(lo) < 0x67)
		iem_raise(c, X_TS, tss_sel & ~3u);
	nb = iem_desc_base(lo);
	nlo = lo;
	(void)nhi;
	nattr = attr;

	/* read the new state first (faults leave the old task intact) */
	for (k = 0; k < 8; k++)
		regs[k] = (uint32_t)iem_lin_rd(c, nb + 0x28 + 4 * k, 4, IEM_ACC_R | IEM_ACC_SYS);
	cr3 = (uint32_t)iem_lin_rd(c, nb + 0x1c, 4, IEM_ACC_R | IEM_ACC_SYS);
	eip = (uint32_t)iem_lin_rd(c, nb + 0x20, 4, IEM_ACC_R | IEM_ACC_SYS);
	eflags = (uint32_t)iem_lin_rd(c, nb + 0x24, 4, IEM_ACC_R | IEM_ACC_SYS);
	for (k = 0; k < 6; k++)
		segs[k] = (uint16_t)iem_lin_rd(c, nb + 0x48 + 4 * k, 2, IEM_ACC_R | IEM_ACC_SYS);
	ldt = (uint16_t)iem_lin_rd(c, nb + 0x60, 2, IEM_ACC_R | IEM_ACC_SYS);

	/* save the current task */
	v = iem_get_rflags(c);
	if (reason == 1)
		v &= ~(uint64_t)F_NT;
	iem_lin_wr(c, ob + 0x20, 4, reason == 3 ? c->rip : next_rip, IEM_ACC_W | IEM_ACC_SYS);
	if (reason == 3 && next_rip)
		iem_lin_wr(c, ob + 0x20, 4, next_rip, IEM_ACC_W | IEM_ACC_SYS);
	iem_lin_wr(c, ob + 0x24, 4, v, IEM_ACC_W | IEM_ACC_SYS);
	for (k = 0; k < 8; k++)
		iem_lin_wr(c, ob + 0x28 + 4 * k, 4, c->gpr[k], IEM_ACC_W | IEM_ACC_SYS);
	for (k = 0; k < 6; k++)
		iem_lin_wr(c, ob + 0x48 + 4 * k, 2, c->seg[k].sel, IEM_ACC_W | IEM_ACC_SYS);
	if (reason == 0 || reason == 1) {
		uint64_t olo, ohi;

		if (iem_read_desc(c, c->tr.sel, &olo, &ohi))
			set_busy(c, c->tr.sel, olo, false);
	}
	if (reason == 2 || reason == 3) {
		iem_lin_wr(c, nb, 2, c->tr.sel, IEM_ACC_W | IEM_ACC_SYS);
		eflags |= F_NT;
	}
	if (reason != 1)
		set_busy(c, tss_sel, nlo, true);

	/* load the new task */
	c->tr.sel = tss_sel;
	c->tr.base = nb;
	c->tr.limit = iem_desc_limit(nlo);
	c->tr.attr = nattr | 2;
	c->cr0 |= CR0_TS;
	if (c->cr0 & CR0_PG) {
		c->cr3 = cr3;
		iem_tlb_flush(c, false);
	}
	for (k = 0; k < 8; k++)
		c->gpr[k] = regs[k];
	iem_set_rflags(c, eflags | 2, ~0ull);
	c->rip = eip;
	/* LDT, then segments (errors here are #TS in the new task) */
	c->ldtr.sel = ldt;
	c->ldtr.attr = IEM_SEG_UNUSABLE;
	if (ldt & ~3u) {
		uint64_t llo, lhi;

		if ((ldt & 4) || !iem_read_desc(c, ldt, &llo, &lhi) ||
		    IEM_SEG_TYPE(iem_desc_attr(llo)) != 2)
			iem_raise(c, X_TS, ldt & ~3u);
		c->ldtr.base = iem_desc_base(llo);
		c->ldtr.limit = iem_desc_limit(llo);
		c->ldtr.attr = iem_desc_attr(llo);
	}
	if (eflags & F_VM) {
		c->cpl = 3;
		for (k = 0; k < 6; k++)
			iem_load_seg_real(c, k, segs[k]);
	} else {
		uint64_t clo, chi;

		c->cpl = segs[S_CS] & 3;
		if (!iem_read_desc(c, segs[S_CS], &clo, &chi))
			iem_raise(c, X_TS, segs[S_CS] & ~3u);
		iem_seg_set_cache(c, S_CS, segs[S_CS], iem_desc_base(clo), iem_desc_limit(clo),
				  iem_desc_attr(clo));
		iem_update_mode(c);
		for (k = 0; k < 6; k++)
			if (k != S_CS)
				iem_load_seg(c, k, segs[k]);
	}
	iem_update_mode(c);
	if (has_err) {
		unsigned enb = (IEM_SEG_TYPE(nattr) & 8) ? 4 : 2;

		iem_push(c, NULL, enb, err);
	}
}

/* I/O permission check through the TSS bitmap (CPL > IOPL or V86). */
uint16_t iem_tss_io_check(struct iem_cpu *c, uint16_t port, unsigned n)
{
	unsigned type = IEM_SEG_TYPE(c->tr.attr);
	uint64_t base;
	uint32_t bits;

	if ((c->tr.attr & IEM_SEG_UNUSABLE) || (type != 9 && type != 0xb) || c->tr.limit < 0x67)
		iem_raise(c, X_GP, 0);
	base = iem_lin_rd(c, c->tr.base + 0x66, 2, IEM_ACC_R | IEM_ACC_SYS);
	if (base + port / 8 + 1 > c->tr.limit)
		iem_raise(c, X_GP, 0);
	bits = (uint32_t)iem_lin_rd(c, c->tr.base + base + port / 8, 2, IEM_ACC_R | IEM_ACC_SYS);
	if ((bits >> (port & 7)) & ((1u << n) - 1))
		iem_raise(c, X_GP, 0);
	return 0;
}
