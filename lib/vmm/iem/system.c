/*
 * System instructions of the iem engine: control and debug registers,
 * MSRs, descriptor-table registers, LDT/TR, LAR/LSL/VERR/VERW, SYSCALL/
 * SYSRET, SYSENTER/SYSEXIT, INT/IRET/far transfers (the checks live in
 * seg.c and intr.c), segment-register moves, CLI/STI/PUSHF/POPF, HLT,
 * RDTSC, CPUID, INVLPG and friends.
 *
 * Specification: Intel SDM vol. 2 instruction pages, vol. 3 chapter 2
 * (CR0/CR3/CR4, EFER, MSR semantics), chapter 5 (privilege), AMD APM
 * vol. 2 6.1 (SYSCALL/SYSRET: AMD semantics, available in legacy mode
 * when EFER.SCE is set; SYSENTER/SYSEXIT are #UD in long mode as on AMD)
 * and vol. 3.  MSRs implemented: the table of softcpu.md 4.3 (AMD column,
 * without machine-check banks) plus TSC, TSC_DEADLINE; others #GP(0).
 * Limits: debug registers are stored but breakpoints are not armed;
 * no MONITOR/MWAIT, RDTSCP, XSAVE, PCID (not advertised).
 */
#include <sched.h>

#include "lib/vmm/iem/iem-int.h"
#include "iem-gen.h"

#define G(n) (c->gpr[n])

static inline bool prot(const struct iem_cpu *c)
{
	return (c->cr0 & CR0_PE) && !(c->eflags & F_VM);
}

static void need_cpl0(struct iem_cpu *c)
{
	if (c->cpl != 0)
		iem_raise(c, X_GP, 0);
}

static void need_prot(struct iem_cpu *c)
{
	if (!prot(c))
		iem_raise_noerr(c, X_UD);
}

static int end_block(struct iem_cpu *c, const struct iem_insn *i)
{
	c->rip = iem_next_rip(c, i);
	return 1;
}

static bool canonical(uint64_t v)
{
	return (uint64_t)((int64_t)(v << 16) >> 16) == v;
}

/* ---- control registers ---- */

int iem_set_cr0(struct iem_cpu *c, uint64_t v)
{
	uint64_t old = c->cr0;

	if (v >> 32)
		return -1;
	v |= CR0_ET;
	if ((v & CR0_PG) && !(v & CR0_PE))
		return -1;
	if ((v & CR0_NW) && !(v & CR0_CD))
		return -1;
	if ((v & CR0_PG) && !(old & CR0_PG) && (c->efer & EFER_LME)) {
		if (!(c->cr4 & CR4_PAE) || (c->seg[S_CS].attr & IEM_SEG_L))
			return -1;
		c->efer |= EFER_LMA;
	}
	if (!(v & CR0_PG) && (old & CR0_PG) && (c->efer & EFER_LMA)) {
		if (c->mode == 2)
			return -1;
		c->efer &= ~(uint64_t)EFER_LMA;
	}
	c->cr0 = v;
	if ((old ^ v) & (CR0_PG | CR0_WP | CR0_PE))
		iem_tlb_flush(c, true);
	iem_update_mode(c);
	return 0;
}

int iem_set_cr3(struct iem_cpu *c, uint64_t v)
{
	if ((c->efer & EFER_LMA) && (v >> c->m->maxphys))
		return -1;
	if (!(c->efer & EFER_LMA))
		v &= 0xffffffffull;
	c->cr3 = v;
	iem_tlb_flush(c, false);
	return 0;
}

int iem_set_cr4(struct iem_cpu *c, uint64_t v)
{
	uint64_t allowed = CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE | CR4_PGE | CR4_PCE |
			   CR4_OSFXSR | CR4_OSXMMEXCPT;
	uint64_t old = c->cr4;

	if (v & ~allowed)
		return -1;
	if ((c->efer & EFER_LMA) && !(v & CR4_PAE))
		return -1;
	c->cr4 = v;
	if ((old ^ v) & (CR4_PGE | CR4_PAE | CR4_PSE))
		iem_tlb_flush(c, true);
	return 0;
}

int iem_op_mov_RC(struct iem_cpu *c, const struct iem_insn *i)
{
	uint64_t v;

	need_cpl0(c);
	switch (i->reg) {
	case 0: v = c->cr0; break;
	case 2: v = c->cr2; break;
	case 3: v = c->cr3; break;
	case 4: v = c->cr4; break;
	case 8:
		if (c->mode != 2)
			iem_raise_noerr(c, X_UD);
		v = iem_lapic_get_cr8(c);
		break;
	default:
		iem_raise_noerr(c, X_UD);
	}
	if (c->mode == 2)
		G(i->rm) = v;
	else
		G(i->rm) = (uint32_t)v;
	return 0;
}

int iem_op_mov_CR(struct iem_cpu *c, const struct iem_insn *i)
{
	uint64_t v = c->mode == 2 ? G(i->rm) : (uint32_t)G(i->rm);
	int rc;

	need_cpl0(c);
	switch (i->reg) {
	case 0: rc = iem_set_cr0(c, v); break;
	case 2: c->cr2 = v; rc = 0; break;
	case 3: rc = iem_set_cr3(c, v); break;
	case 4: rc = iem_set_cr4(c, v); break;
	case 8:
		if (c->mode != 2)
			iem_raise_noerr(c, X_UD);
		if (v >> 4)
			iem_raise(c, X_GP, 0);
		iem_lapic_set_cr8(c, v);
		rc = 0;
		break;
	default:
		iem_raise_noerr(c, X_UD);
	}
	if (rc)
		iem_raise(c, X_GP, 0);
	return end_block(c, i);
}

int iem_op_mov_RD(struct iem_cpu *c, const struct iem_insn *i)
{
	unsigned n = i->reg;
	uint64_t v;

	need_cpl0(c);
	if ((n == 4 || n == 5) && !(c->cr4 & CR4_DE))
		n += 2;
	if (n == 4 || n == 5 || n > 7)
		iem_raise_noerr(c, X_UD);
	v = c->dr[n];
	G(i->rm) = c->mode == 2 ? v : (uint32_t)v;
	return 0;
}

int iem_op_mov_DR(struct iem_cpu *c, const struct iem_insn *i)
{
	unsigned n = i->reg;
	uint64_t v = c->mode == 2 ? G(i->rm) : (uint32_t)G(i->rm);

	need_cpl0(c);
	if ((n == 4 || n == 5) && !(c->cr4 & CR4_DE))
		n += 2;
	if (n == 4 || n == 5 || n > 7)
		iem_raise_noerr(c, X_UD);
	if ((n == 6 || n == 7) && (v >> 32))
		iem_raise(c, X_GP, 0);
	if (n == 6)
		v = (v & 0xe00f) | 0xffff0ff0;
	else if (n == 7)
		v = (v & 0xffff2fff) | 0x400;
	c->dr[n] = v;
	return end_block(c, i);
}

int iem_op_clts(struct iem_cpu *c, const struct iem_insn *i)
{
	need_cpl0(c);
	c->cr0 &= ~(uint64_t)CR0_TS;
	return end_block(c, i);
}

int iem_op_smsw(struct iem_cpu *c, const struct iem_insn *i)
{
	if (i->fl & IEM_IF_MEM)
		iem_wr(c, i, i->seg, iem_ea(c, i), 2, c->cr0);
	else
		wrreg(c, i->rm, insn_obytes(i), c->cr0);
	return 0;
}

int iem_op_lmsw(struct iem_cpu *c, const struct iem_insn *i)
{
	uint64_t v;

	need_cpl0(c);
	v = (i->fl & IEM_IF_MEM) ? iem_rd(c, i, i->seg, iem_ea(c, i), 2) : G(i->rm);
	/* PE can be set but not cleared */
	v = (c->cr0 & ~0xeull) | (v & 0xf) | (c->cr0 & CR0_PE);
	if (iem_set_cr0(c, v))
		iem_raise(c, X_GP, 0);
	return end_block(c, i);
}

int iem_op_invlpg(struct iem_cpu *c, const struct iem_insn *i)
{
	uint64_t lin;

	need_cpl0(c);
	lin = (c->seg[i->seg].base + iem_ea(c, i)) & c->lin_mask;
	iem_tlb_flush_page(c, lin);
	return end_block(c, i);
}

int iem_op_invd(struct iem_cpu *c, const struct iem_insn *i)
{
	need_cpl0(c);
	return end_block(c, i);
}

int iem_op_wbinvd(struct iem_cpu *c, const struct iem_insn *i)
{
	need_cpl0(c);
	return end_block(c, i);
}

/* ---- descriptor tables ---- */

int iem_op_lgdt(struct iem_cpu *c, const struct iem_insn *i)
{
	uint64_t ea = iem_ea(c, i), base;
	uint16_t limit;

	need_cpl0(c);
	limit = (uint16_t)iem_rd(c, i, i->seg, ea, 2);
	ea = (ea + 2) & iem_amask[i->fl & IEM_IF_ASZ];
	if (c->mode == 2)
		base = iem_rd(c, i, i->seg, ea, 8);
	else
		base = iem_rd(c, i, i->seg, ea, 4) & (insn_osz(i) == 1 ? 0xffffff : 0xffffffff);
	if (c->mode == 2 && !canonical(base))
		iem_raise(c, X_GP, 0);
	if (i->reg == 2) {
		c->gdtr.base = base;
		c->gdtr.limit = limit;
	} else {
		c->idtr.base = base;
		c->idtr.limit = limit;
	}
	return end_block(c, i);
}

int iem_op_lidt(struct iem_cpu *c, const struct iem_insn *i)
{
	return iem_op_lgdt(c, i);
}

int iem_op_sgdt(struct iem_cpu *c, const struct iem_insn *i)
{
	const struct iem_dtr *d = i->reg == 0 ? &c->gdtr : &c->idtr;
	uint64_t ea = iem_ea(c, i);

	iem_mem_probe_w(c, i->seg, ea, c->mode == 2 ? 10 : 6);
	iem_wr(c, i, i->seg, ea, 2, d->limit);
	ea = (ea + 2) & iem_amask[i->fl & IEM_IF_ASZ];
	if (c->mode == 2)
		iem_wr(c, i, i->seg, ea, 8, d->base);
	else
		iem_wr(c, i, i->seg, ea, 4, d->base);
	return 0;
}

int iem_op_sidt(struct iem_cpu *c, const struct iem_insn *i)
{
	return iem_op_sgdt(c, i);
}

static uint16_t rd_sel(struct iem_cpu *c, const struct iem_insn *i)
{
	if (i->fl & IEM_IF_MEM)
		return (uint16_t)iem_rd(c, i, i->seg, iem_ea(c, i), 2);
	return (uint16_t)G(i->rm);
}

static void wr_sel(struct iem_cpu *c, const struct iem_insn *i, uint16_t v)
{
	if (i->fl & IEM_IF_MEM)
		iem_wr(c, i, i->seg, iem_ea(c, i), 2, v);
	else
		wrreg(c, i->rm, insn_obytes(i), v);
}

int iem_op_sldt(struct iem_cpu *c, const struct iem_insn *i)
{
	need_prot(c);
	wr_sel(c, i, c->ldtr.sel);
	return 0;
}

int iem_op_str(struct iem_cpu *c, const struct iem_insn *i)
{
	need_prot(c);
	wr_sel(c, i, c->tr.sel);
	return 0;
}

static uint64_t sysdesc_base(struct iem_cpu *c, uint64_t lo, uint64_t hi)
{
	uint64_t b = iem_desc_base(lo);

	if (c->efer & EFER_LMA)
		b |= hi << 32;
	return b;
}

int iem_op_lldt(struct iem_cpu *c, const struct iem_insn *i)
{
	uint16_t sel;
	uint64_t lo, hi;
	uint32_t attr;

	need_prot(c);
	need_cpl0(c);
	sel = rd_sel(c, i);
	if (!(sel & ~3u)) {
		c->ldtr.sel = sel;
		c->ldtr.attr = IEM_SEG_UNUSABLE;
		return end_block(c, i);
	}
	if ((sel & 4) || !iem_read_desc(c, sel, &lo, &hi))
		iem_raise(c, X_GP, sel & ~3u);
	attr = iem_desc_attr(lo);
	if ((attr & IEM_SEG_S) || IEM_SEG_TYPE(attr) != 2)
		iem_raise(c, X_GP, sel & ~3u);
	if (!(attr & IEM_SEG_P))
		iem_raise(c, X_NP, sel & ~3u);
	c->ldtr.sel = sel;
	c->ldtr.base = sysdesc_base(c, lo, hi);
	c->ldtr.limit = iem_desc_limit(lo);
	c->ldtr.attr = attr;
	return end_block(c, i);
}

int iem_op_ltr(struct iem_cpu *c, const struct iem_insn *i)
{
	uint16_t sel;
	uint64_t lo, hi;
	uint32_t attr;
	unsigned type;

	need_prot(c);
	need_cpl0(c);
	sel = rd_sel(c, i);
	if (!(sel & ~3u))
		iem_raise(c, X_GP, 0);
	if ((sel & 4) || !iem_read_desc(c, sel, &lo, &hi))
		iem_raise(c, X_GP, sel & ~3u);
	attr = iem_desc_attr(lo);
	type = IEM_SEG_TYPE(attr);
	if ((attr & IEM_SEG_S) || (type != 9 && (type != 1 || (c->efer & EFER_LMA))))
		iem_raise(c, X_GP, sel & ~3u);
	if (!(attr & IEM_SEG_P))
		iem_raise(c, X_NP, sel & ~3u);
	iem_lin_wr(c, (c->gdtr.base + (sel & ~7u) + 5) & c->lin_mask_sys, 1,
		   ((lo >> 40) & 0xff) | 2, IEM_ACC_W | IEM_ACC_SYS);
	c->tr.sel = sel;
	c->tr.base = sysdesc_base(c, lo, hi);
	c->tr.limit = iem_desc_limit(lo);
	c->tr.attr = attr | 2;
	return end_block(c, i);
}

/* LAR/LSL/VERR/VERW: is the selector visible at this privilege? */
static bool sel_visible(struct iem_cpu *c, uint16_t sel, uint64_t *lo, int what)
{
	uint64_t hi;
	uint32_t attr;
	unsigned type, dpl;

	if (!(sel & ~3u) || !iem_read_desc(c, sel, lo, &hi))
		return false;
	attr = iem_desc_attr(*lo);
	type = IEM_SEG_TYPE(attr);
	dpl = IEM_SEG_DPL(attr);
	if (!(attr & IEM_SEG_S)) {
		static const uint8_t lar_ok[16] = { 0, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0 };
		static const uint8_t lsl_ok[16] = { 0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0 };
		bool lm = (c->efer & EFER_LMA) != 0;

		if (what >= 2)
			return false;
		if (lm ? !(type == 2 || type == 9 || type == 0xb || (what == 0 && type == 0xc))
		       : !(what == 0 ? lar_ok[type] : lsl_ok[type]))
			return false;
		return dpl >= c->cpl && dpl >= (sel & 3u);
	}
	if (what == 2 && (type & 0xa) == 8)
		return false;           /* VERR: execute-only code */
	if (what == 3 && ((type & 8) || !(type & 2)))
		return false;           /* VERW: not writable data */
	if ((type & 0xc) == 0xc)
		return true;            /* conforming code */
	return dpl >= c->cpl && dpl >= (sel & 3u);
}

static void set_zf(struct iem_cpu *c, bool z)
{
	lf_put(c, z ? (lf_get(c) | F_ZF) : (lf_get(c) & ~(uint64_t)F_ZF));
}

int iem_op_lar(struct iem_cpu *c, const struct iem_insn *i)
{
	uint64_t lo;
	bool ok;

	need_prot(c);
	ok = sel_visible(c, rd_sel(c, i), &lo, 0);
	if (ok)
		wrreg(c, i->reg, insn_obytes(i), (lo >> 32) & 0x00f0ff00u);
	set_zf(c, ok);
	return 0;
}

int iem_op_lsl(struct iem_cpu *c, const struct iem_insn *i)
{
	uint64_t lo;
	bool ok;

	need_prot(c);
	ok = sel_visible(c, rd_sel(c, i), &lo, 1);
	if (ok)
		wrreg(c, i->reg, insn_obytes(i), iem_desc_limit(lo));
	set_zf(c, ok);
	return 0;
}

int iem_op_verr(struct iem_cpu *c, const struct iem_insn *i)
{
	uint64_t lo;

	need_prot(c);
	set_zf(c, sel_visible(c, rd_sel(c, i), &lo, 2));
	return 0;
}

int iem_op_verw(struct iem_cpu *c, const struct iem_insn *i)
{
	uint64_t lo;

	need_prot(c);
	set_zf(c, sel_visible(c, rd_sel(c, i), &lo, 3));
	return 0;
}

/* ---- MSRs ---- */

static bool mtrr_valid_type(uint64_t t)
{
	return t == 0 || t == 1 || t == 4 || t == 5 || t == 6;
}

int iem_rdmsr(struct iem_cpu *c, uint32_t msr, uint64_t *v)
{
	switch (msr) {
	case 0x10: *v = iem_tsc(c); return 0;
	case 0x1b: *v = c->lapic.apic_base; return 0;
	case 0x8b: *v = 0; return 0;
	case 0xfe: *v = 0x508; return 0;           /* 8 variable ranges, fixed, WC */
	case 0x174: *v = c->sysenter_cs; return 0;
	case 0x175: *v = c->sysenter_esp; return 0;
	case 0x176: *v = c->sysenter_eip; return 0;
	case 0x250: *v = c->mtrr_fixed[0]; return 0;
	case 0x258: *v = c->mtrr_fixed[1]; return 0;
	case 0x259: *v = c->mtrr_fixed[2]; return 0;
	case 0x277: *v = c->pat; return 0;
	case 0x2ff: *v = c->mtrr_def_type; return 0;
	case 0x6e0: *v = c->lapic.tsc_deadline; return 0;
	case 0xc0000080: *v = c->efer; return 0;
	case 0xc0000081: *v = c->star; return 0;
	case 0xc0000082: *v = c->lstar; return 0;
	case 0xc0000083: *v = c->cstar; return 0;
	case 0xc0000084: *v = c->sfmask; return 0;
	case 0xc0000100: *v = c->seg[S_FS].base; return 0;
	case 0xc0000101: *v = c->seg[S_GS].base; return 0;
	case 0xc0000102: *v = c->kernel_gs_base; return 0;
	case 0xc0010010: *v = 0; return 0;         /* SYSCFG */
	case 0xc0010015: *v = c->hwcr; return 0;
	case 0xc0010055: *v = 0; return 0;         /* interrupt pending / C1E */
	case 0xc0011029: *v = c->de_cfg; return 0;
	default:
		break;
	}
	if (msr >= 0x200 && msr <= 0x20f) {
		*v = c->mtrr_var[msr - 0x200];
		return 0;
	}
	if (msr >= 0x268 && msr <= 0x26f) {
		*v = c->mtrr_fixed[3 + msr - 0x268];
		return 0;
	}
	if (msr >= 0xc0010000 && msr <= 0xc0010007) {
		*v = c->perf[msr - 0xc0010000];
		return 0;
	}
	return -1;
}

int iem_wrmsr(struct iem_cpu *c, uint32_t msr, uint64_t v)
{
	switch (msr) {
	case 0x10:
		c->tsc_adjust += v - iem_tsc(c);
		return 0;
	case 0x1b:
		if (v & ~0xffffff000ull & ~(uint64_t)(LAPIC_BASE_ENABLE | LAPIC_BASE_BSP))
			return -1;
		iem_lapic_set_base(c, v);
		iem_tlb_flush(c, true);
		return 0;
	case 0x8b:
		return 0;
	case 0x174: c->sysenter_cs = v & 0xffff; return 0;
	case 0x175:
		if (!canonical(v))
			return -1;
		c->sysenter_esp = v;
		return 0;
	case 0x176:
		if (!canonical(v))
			return -1;
		c->sysenter_eip = v;
		return 0;
	case 0x250: case 0x258: case 0x259: {
		unsigned k;

		for (k = 0; k < 8; k++)
			if (!mtrr_valid_type((v >> (8 * k)) & 0xff))
				return -1;
		c->mtrr_fixed[msr == 0x250 ? 0 : msr == 0x258 ? 1 : 2] = v;
		return 0;
	}
	case 0x277: {
		unsigned k;

		for (k = 0; k < 8; k++) {
			uint64_t t = (v >> (8 * k)) & 0xff;

			if (t == 2 || t == 3 || t > 7)
				return -1;
		}
		c->pat = v;
		iem_tlb_flush(c, true);
		return 0;
	}
	case 0x2ff:
		if ((v & ~0xcffull) || !mtrr_valid_type(v & 0xff))
			return -1;
		c->mtrr_def_type = v;
		return 0;
	case 0x6e0:
		iem_lapic_set_tsc_deadline(c, v);
		return 0;
	case 0xc0000080: {
		uint64_t allowed = EFER_SCE | EFER_LME | (iem_has_nx(c) ? EFER_NXE : 0);

		if (v & ~(allowed | EFER_LMA))
			return -1;
		if (((v ^ c->efer) & EFER_LME) && (c->cr0 & CR0_PG))
			return -1;
		v = (v & allowed) | (c->efer & EFER_LMA);
		if ((v ^ c->efer) & EFER_NXE)
			iem_tlb_flush(c, true);
		c->efer = v;
		iem_update_mode(c);
		return 0;
	}
	case 0xc0000081: c->star = v; return 0;
	case 0xc0000082:
		if (!canonical(v))
			return -1;
		c->lstar = v;
		return 0;
	case 0xc0000083:
		if (!canonical(v))
			return -1;
		c->cstar = v;
		return 0;
	case 0xc0000084: c->sfmask = v & 0xffffffffull; return 0;
	case 0xc0000100:
		if (!canonical(v))
			return -1;
		c->seg[S_FS].base = v;
		return 0;
	case 0xc0000101:
		if (!canonical(v))
			return -1;
		c->seg[S_GS].base = v;
		return 0;
	case 0xc0000102:
		if (!canonical(v))
			return -1;
		c->kernel_gs_base = v;
		return 0;
	case 0xc0010010: return 0;
	case 0xc0010015: c->hwcr = v; return 0;
	case 0xc0011029: c->de_cfg = v; return 0;
	default:
		break;
	}
	if (msr >= 0x200 && msr <= 0x20f) {
		if ((msr & 1) == 0 && !mtrr_valid_type(v & 0xff))
			return -1;
		c->mtrr_var[msr - 0x200] = v;
		return 0;
	}
	if (msr >= 0x268 && msr <= 0x26f) {
		c->mtrr_fixed[3 + msr - 0x268] = v;
		return 0;
	}
	if (msr >= 0xc0010000 && msr <= 0xc0010007) {
		c->perf[msr - 0xc0010000] = v;
		return 0;
	}
	return -1;
}

int iem_op_rdmsr(struct iem_cpu *c, const struct iem_insn *i)
{
	uint64_t v;

	(void)i;
	need_cpl0(c);
	if (iem_rdmsr(c, (uint32_t)G(R_CX), &v))
		iem_raise(c, X_GP, 0);
	G(R_AX) = (uint32_t)v;
	G(R_DX) = v >> 32;
	return 0;
}

int iem_op_wrmsr(struct iem_cpu *c, const struct iem_insn *i)
{
	need_cpl0(c);
	if (iem_wrmsr(c, (uint32_t)G(R_CX), ((G(R_DX) & 0xffffffffull) << 32) | (uint32_t)G(R_AX)))
		iem_raise(c, X_GP, 0);
	return end_block(c, i);
}

int iem_op_rdtsc(struct iem_cpu *c, const struct iem_insn *i)
{
	uint64_t t;

	(void)i;
	if ((c->cr4 & CR4_TSD) && c->cpl != 0)
		iem_raise(c, X_GP, 0);
	t = iem_tsc(c);
	G(R_AX) = (uint32_t)t;
	G(R_DX) = t >> 32;
	return 0;
}

int iem_op_rdpmc(struct iem_cpu *c, const struct iem_insn *i)
{
	uint32_t n = (uint32_t)G(R_CX);

	(void)i;
	if (!(c->cr4 & CR4_PCE) && c->cpl != 0)
		iem_raise(c, X_GP, 0);
	if (n > 3)
		iem_raise(c, X_GP, 0);
	G(R_AX) = (uint32_t)c->perf[4 + n];
	G(R_DX) = (c->perf[4 + n] >> 32) & 0xffff;
	return 0;
}

int iem_op_cpuid(struct iem_cpu *c, const struct iem_insn *i)
{
	uint32_t r[4];

	iem_cpuid(c, (uint32_t)G(R_AX), (uint32_t)G(R_CX), r);
	G(R_AX) = r[0];
	G(R_BX) = r[1];
	G(R_CX) = r[2];
	G(R_DX) = r[3];
	return end_block(c, i);
}

/* ---- fast system calls ---- */

static void flat_code(struct iem_cpu *c, uint16_t sel, unsigned dpl, bool l64)
{
	uint32_t attr = IEM_SEG_P | IEM_SEG_S | 0xb | (dpl << 5) | IEM_SEG_G |
			(l64 ? IEM_SEG_L : IEM_SEG_DB);

	c->cpl = (uint8_t)dpl;
	iem_seg_set_cache(c, S_CS, sel, 0, 0xffffffffu, attr);
}

static void flat_stack(struct iem_cpu *c, uint16_t sel, unsigned dpl)
{
	iem_seg_set_cache(c, S_SS, sel, 0, 0xffffffffu,
			  IEM_SEG_P | IEM_SEG_S | 3 | (dpl << 5) | IEM_SEG_G | IEM_SEG_DB);
}

int iem_op_syscall(struct iem_cpu *c, const struct iem_insn *i)
{
	uint16_t sel = (uint16_t)(c->star >> 32);
	uint64_t next = iem_next_rip(c, i);
	uint64_t f = iem_get_rflags(c);

	if (!(c->efer & EFER_SCE) || !(c->cr0 & CR0_PE))
		iem_raise_noerr(c, X_UD);
	if (c->efer & EFER_LMA) {
		bool from64 = c->mode == 2;

		G(R_CX) = next;
		G(11) = f & ~(uint64_t)F_RF;
		flat_code(c, sel & ~3u, 0, true);
		flat_stack(c, (uint16_t)((sel + 8) & ~3u), 0);
		c->eflags &= ~(uint64_t)F_RF;
		iem_set_rflags(c, f & ~c->sfmask & ~(uint64_t)F_RF, ~0ull);
		c->rip = from64 ? c->lstar : c->cstar;
	} else {
		G(R_CX) = (uint32_t)next;
		flat_code(c, sel & ~3u, 0, false);
		flat_stack(c, (uint16_t)((sel + 8) & ~3u), 0);
		iem_set_rflags(c, f & ~(uint64_t)(F_IF | F_VM | F_RF), ~0ull);
		c->rip = (uint32_t)c->star;
	}
	iem_update_mode(c);
	return 1;
}

int iem_op_sysret(struct iem_cpu *c, const struct iem_insn *i)
{
	uint16_t sel = (uint16_t)(c->star >> 48);

	if (!(c->efer & EFER_SCE) || !(c->cr0 & CR0_PE))
		iem_raise_noerr(c, X_UD);
	need_cpl0(c);
	if (c->efer & EFER_LMA) {
		bool to64 = (i->pfx & IEM_IP_REXW) != 0;
		uint64_t target = to64 ? G(R_CX) : (uint32_t)G(R_CX);

		if (to64 && !canonical(target))
			iem_raise(c, X_GP, 0);
		if (to64)
			flat_code(c, (uint16_t)((sel + 16) | 3), 3, true);
		else
			flat_code(c, (uint16_t)(sel | 3), 3, false);
		flat_stack(c, (uint16_t)((sel + 8) | 3), 3);
		iem_set_rflags(c, (G(11) & ~(uint64_t)(F_RF | F_VM)) | 2, ~0ull);
		c->rip = target;
	} else {
		flat_code(c, (uint16_t)(sel | 3), 3, false);
		flat_stack(c, (uint16_t)((sel + 8) | 3), 3);
		c->eflags |= F_IF;
		c->rip = (uint32_t)G(R_CX);
	}
	iem_update_mode(c);
	return 1;
}

int iem_op_sysenter(struct iem_cpu *c, const struct iem_insn *i)
{
	uint16_t sel = (uint16_t)c->sysenter_cs;

	(void)i;
	if (!(c->cr0 & CR0_PE) || (c->efer & EFER_LMA) || !(sel & ~3u))
		iem_raise(c, (c->efer & EFER_LMA) ? X_UD : X_GP, 0);
	c->eflags &= ~(uint64_t)(F_VM | F_IF | F_RF);
	flat_code(c, sel & ~3u, 0, false);
	flat_stack(c, (uint16_t)((sel + 8) & ~3u), 0);
	G(R_SP) = (uint32_t)c->sysenter_esp;
	c->rip = (uint32_t)c->sysenter_eip;
	iem_update_mode(c);
	return 1;
}

int iem_op_sysexit(struct iem_cpu *c, const struct iem_insn *i)
{
	uint16_t sel = (uint16_t)c->sysenter_cs;

	(void)i;
	if (!(c->cr0 & CR0_PE) || (c->efer & EFER_LMA) || !(sel & ~3u))
		iem_raise(c, (c->efer & EFER_LMA) ? X_UD : X_GP, 0);
	need_cpl0(c);
	flat_code(c, (uint16_t)((sel + 16) | 3), 3, false);
	flat_stack(c, (uint16_t)((sel + 24) | 3), 3);
	G(R_SP) = (uint32_t)G(R_CX);
	c->rip = (uint32_t)G(R_DX);
	iem_update_mode(c);
	return 1;
}

int iem_op_swapgs(struct iem_cpu *c, const struct iem_insn *i)
{
	uint64_t t;

	(void)i;
	need_cpl0(c);
	t = c->seg[S_GS].base;
	c->seg[S_GS].base = c->kernel_gs_base;
	c->kernel_gs_base = t;
	return 0;
}

/* ---- interrupts and far transfers ---- */

static int soft_int(struct iem_cpu *c, const struct iem_insn *i, int vec, int kind)
{
	c->delivering = -2;
	iem_deliver(c, vec, kind, 0, iem_next_rip(c, i));
	c->delivering = -1;
	c->stats.interrupts++;
	return 1;
}

int iem_op_int(struct iem_cpu *c, const struct iem_insn *i)
{
	if ((c->eflags & F_VM) && ((c->eflags & F_IOPL) >> 12) < 3)
		iem_raise(c, X_GP, 0);
	return soft_int(c, i, (int)(i->imm & 0xff), IEM_EV_SOFT);
}

int iem_op_int3(struct iem_cpu *c, const struct iem_insn *i)
{
	return soft_int(c, i, X_BP, IEM_EV_INT3);
}

int iem_op_into(struct iem_cpu *c, const struct iem_insn *i)
{
	if (!lf_of(c))
		return end_block(c, i);
	return soft_int(c, i, X_OF, IEM_EV_INTO);
}

int iem_op_int1(struct iem_cpu *c, const struct iem_insn *i)
{
	return soft_int(c, i, X_DB, IEM_EV_ICEBP);
}

int iem_op_iret(struct iem_cpu *c, const struct iem_insn *i)
{
	iem_iret(c, i, insn_osz(i));
	return 1;
}

int iem_op_retf(struct iem_cpu *c, const struct iem_insn *i)
{
	iem_far_ret(c, i, insn_osz(i), (uint16_t)i->imm);
	return 1;
}

int iem_op_callf_A(struct iem_cpu *c, const struct iem_insn *i)
{
	iem_far_call(c, i, (uint16_t)i->disp, i->imm, insn_osz(i));
	return 1;
}

int iem_op_jmpf_A(struct iem_cpu *c, const struct iem_insn *i)
{
	iem_far_jmp(c, i, (uint16_t)i->disp, i->imm);
	return 1;
}

static void far_ptr(struct iem_cpu *c, const struct iem_insn *i, uint16_t *sel, uint64_t *off)
{
	unsigned nb = insn_obytes(i);
	uint64_t ea = iem_ea(c, i);

	*off = iem_rd(c, i, i->seg, ea, nb);
	*sel = (uint16_t)iem_rd(c, i, i->seg, (ea + nb) & iem_amask[i->fl & IEM_IF_ASZ], 2);
}

int iem_op_callf_M(struct iem_cpu *c, const struct iem_insn *i)
{
	uint16_t sel;
	uint64_t off;

	far_ptr(c, i, &sel, &off);
	iem_far_call(c, i, sel, off, insn_osz(i));
	return 1;
}

int iem_op_jmpf_M(struct iem_cpu *c, const struct iem_insn *i)
{
	uint16_t sel;
	uint64_t off;

	far_ptr(c, i, &sel, &off);
	iem_far_jmp(c, i, sel, off);
	return 1;
}

/* ---- segment registers ---- */

int iem_op_mov_ES(struct iem_cpu *c, const struct iem_insn *i)
{
	unsigned s = i->reg & 7;

	if (s > 5)
		iem_raise_noerr(c, X_UD);
	wr_sel(c, i, c->seg[s].sel);
	return 0;
}

int iem_op_mov_SE(struct iem_cpu *c, const struct iem_insn *i)
{
	unsigned s = i->reg & 7;

	if (s > 5 || s == S_CS)
		iem_raise_noerr(c, X_UD);
	iem_load_seg(c, s, rd_sel(c, i));
	if (s == S_SS) {
		c->shadow = 1;
		return end_block(c, i);
	}
	return 0;
}

static unsigned sreg_of(const struct iem_insn *i)
{
	if (i->pfx & IEM_IP_0F)
		return i->opc < 0xa8 ? S_FS : S_GS;
	return (i->opc >> 3) & 3;
}

int iem_op_push_sreg(struct iem_cpu *c, const struct iem_insn *i)
{
	iem_push(c, i, insn_obytes(i), c->seg[sreg_of(i)].sel);
	return 0;
}

int iem_op_pop_sreg(struct iem_cpu *c, const struct iem_insn *i)
{
	unsigned nb = insn_obytes(i), s = sreg_of(i);
	uint64_t sp = iem_sp(c);
	uint16_t v = (uint16_t)iem_rd(c, i, c->stk, sp, nb);

	iem_load_seg(c, s, v);
	iem_set_sp(c, sp + nb);
	if (s == S_SS) {
		c->shadow = 1;
		return end_block(c, i);
	}
	return 0;
}

static int load_far(struct iem_cpu *c, const struct iem_insn *i, unsigned s)
{
	uint16_t sel;
	uint64_t off;

	far_ptr(c, i, &sel, &off);
	iem_load_seg(c, s, sel);
	wrreg(c, i->reg, insn_obytes(i), off);
	return 0;
}

int iem_op_les(struct iem_cpu *c, const struct iem_insn *i) { return load_far(c, i, S_ES); }
int iem_op_lds(struct iem_cpu *c, const struct iem_insn *i) { return load_far(c, i, S_DS); }
int iem_op_lfs(struct iem_cpu *c, const struct iem_insn *i) { return load_far(c, i, S_FS); }
int iem_op_lgs(struct iem_cpu *c, const struct iem_insn *i) { return load_far(c, i, S_GS); }

int iem_op_lss(struct iem_cpu *c, const struct iem_insn *i)
{
	load_far(c, i, S_SS);
	return 0;
}

/* ---- interrupt flag, EFLAGS image ---- */

static unsigned iopl(const struct iem_cpu *c)
{
	return (c->eflags & F_IOPL) >> 12;
}

int iem_op_cli(struct iem_cpu *c, const struct iem_insn *i)
{
	(void)i;
	if ((c->cr0 & CR0_PE) && c->cpl > iopl(c))
		iem_raise(c, X_GP, 0);
	c->eflags &= ~(uint64_t)F_IF;
	iem_update_attn_mask(c);
	return 0;
}

int iem_op_sti(struct iem_cpu *c, const struct iem_insn *i)
{
	if ((c->cr0 & CR0_PE) && c->cpl > iopl(c))
		iem_raise(c, X_GP, 0);
	if (!(c->eflags & F_IF))
		c->shadow = 1;
	c->eflags |= F_IF;
	iem_update_attn_mask(c);
	return end_block(c, i);
}

int iem_op_pushf(struct iem_cpu *c, const struct iem_insn *i)
{
	if ((c->eflags & F_VM) && iopl(c) < 3)
		iem_raise(c, X_GP, 0);
	iem_push(c, i, insn_obytes(i), iem_get_rflags(c) & ~(uint64_t)(F_VM | F_RF));
	return 0;
}

int iem_op_popf(struct iem_cpu *c, const struct iem_insn *i)
{
	unsigned nb = insn_obytes(i);
	uint64_t sp = iem_sp(c), v, mask;

	if ((c->eflags & F_VM) && iopl(c) < 3)
		iem_raise(c, X_GP, 0);
	v = iem_rd(c, i, c->stk, sp, nb);
	mask = F_ARITH | F_TF | F_DF | F_NT | F_AC | F_ID;
	if (!(c->cr0 & CR0_PE) || c->cpl <= iopl(c))
		mask |= F_IF;
	if (!(c->cr0 & CR0_PE) || (c->cpl == 0 && !(c->eflags & F_VM)))
		mask |= F_IOPL;
	if (nb == 2)
		mask &= 0xffff;
	iem_set_sp(c, sp + nb);
	iem_set_rflags(c, v, mask);
	return end_block(c, i);
}

int iem_op_hlt(struct iem_cpu *c, const struct iem_insn *i)
{
	need_cpl0(c);
	c->halted = true;
	c->slice = 0;
	return end_block(c, i);
}

int iem_op_pause(struct iem_cpu *c, const struct iem_insn *i)
{
	(void)i;
	if (c->m->ncpus > 1 && (++c->pauses & 63) == 0)
		sched_yield();
	return 0;
}

int iem_op_fence(struct iem_cpu *c, const struct iem_insn *i)
{
	(void)c;
	(void)i;
	atomic_thread_fence(memory_order_seq_cst);
	return 0;
}

int iem_op_clflush(struct iem_cpu *c, const struct iem_insn *i)
{
	iem_rd(c, i, i->seg, iem_ea(c, i), 1);
	return 0;
}
