/*
 * Exceptions and interrupts of the iem engine.
 *
 * Specification: Intel SDM vol. 3 chapter 6 (interrupt and exception
 * handling: IDT gates, privilege checks, stack switching through the TSS,
 * error codes with the EXT bit, the double-fault classes of table 6-5,
 * triple fault = shutdown), section 20.3 (interrupts from virtual-8086
 * mode: pushing ES/DS/FS/GS), chapter 6.14 (64-bit mode: 16-byte gates,
 * IST, 16-byte stack alignment, SS:RSP always pushed); real-mode IVT from
 * chapter 20.1.
 * Limits: no VME/PVI virtual interrupt flags (not advertised); task gates
 * in the IDT use the basic task switch of seg.c.
 */
#include <stdio.h>
#include <stdlib.h>

#include "lib/vmm/iem/iem-int.h"

static bool has_errcode(int vec)
{
	return vec == X_DF || (vec >= X_TS && vec <= X_PF) || vec == X_AC;
}

static bool contributory(int vec)
{
	return vec == X_DE || (vec >= X_TS && vec <= X_GP);
}

/* A fault while an event is being delivered: double or triple fault. */
static int combine(struct iem_cpu *c, int vec, uint32_t *err)
{
	int prev = c->delivering;

	if (prev == X_DF) {
		c->exit_code = IEM_EXIT_SHUTDOWN;
		c->delivering = -1;
		longjmp(c->jb, 3);
	}
	if (prev >= 0 && ((contributory(prev) && contributory(vec)) ||
			  (prev == X_PF && (contributory(vec) || vec == X_PF)))) {
		*err = 0;
		return X_DF;
	}
	return vec;
}

__attribute__((noreturn)) void iem_exit_block(struct iem_cpu *c)
{
	if (c->cur)
		c->rip = iem_cur_rip(c, c->cur);
	c->cur = NULL;
	longjmp(c->jb, 2);
}

__attribute__((noreturn)) void iem_raise(struct iem_cpu *c, int vec, uint32_t err)
{
	if (c->cur) {
		c->rip = iem_cur_rip(c, c->cur);
		if (c->curblk && c->cur >= c->curblk->insn &&
		    c->cur < c->curblk->insn + c->curblk->nrec)
			c->icount += (uint64_t)(c->cur - c->curblk->insn);
	}
	c->cur = NULL;
	c->stats.exceptions++;
	c->stats.last_vector = vec;
	c->stats.last_error = err;
	c->stats.last_rip = c->rip;
	c->stats.last_cr2 = c->cr2;
	c->tf_trap = false;             /* a faulting instruction does not complete */
	vec = combine(c, vec, &err);
	c->delivering = vec;
	iem_deliver(c, vec, IEM_EV_EXC, err, c->rip);
	c->delivering = -1;
	longjmp(c->jb, 1);
}

__attribute__((noreturn)) void iem_raise_noerr(struct iem_cpu *c, int vec)
{
	iem_raise(c, vec, 0);
}

__attribute__((noreturn)) void iem_raise_pf(struct iem_cpu *c, uint64_t lin, uint32_t err)
{
	c->cr2 = lin;
	iem_raise(c, X_PF, err);
}

/* ---- stack frames under construction ---- */

struct frame {
	struct iem_seg ss;      /* the stack the frame goes to */
	uint16_t ss_sel;
	uint64_t sp, mask;
	bool flat;              /* 64-bit mode: no limit checks */
	uint32_t fault_err;     /* error code for #SS on this stack */
};

static void frame_push(struct iem_cpu *c, struct frame *f, unsigned n, uint64_t v)
{
	uint64_t sp = (f->sp - n) & f->mask;
	uint64_t lin;

	if (f->flat) {
		lin = sp;
		if ((uint64_t)((int64_t)(lin << 16) >> 16) != lin)
			iem_raise(c, X_SS, f->fault_err);
	} else {
		unsigned type = IEM_SEG_TYPE(f->ss.attr);
		bool bad;

		if ((type & 0xc) == 4) {
			uint64_t upper = (f->ss.attr & IEM_SEG_DB) ? 0xffffffffull : 0xffff;

			bad = sp <= f->ss.limit || sp + n - 1 > upper;
		} else {
			bad = sp + n - 1 > f->ss.limit;
		}
		if (bad && (c->cr0 & CR0_PE))
			iem_raise(c, X_SS, f->fault_err);
		lin = (f->ss.base + sp) & 0xffffffffull;
	}
	iem_lin_wr(c, lin, n, v, IEM_ACC_W | IEM_ACC_SYS);
	f->sp = (f->sp & ~f->mask) | sp;
}

static void frame_current(struct iem_cpu *c, struct frame *f)
{
	f->ss = c->seg[S_SS];
	f->ss_sel = c->seg[S_SS].sel;
	f->sp = c->gpr[R_SP];
	f->mask = c->ss_mask;
	f->flat = c->mode == 2;
	f->fault_err = 0;
}

/* Stack pointer for privilege level dpl from the current TSS. */
static void tss_stack(struct iem_cpu *c, unsigned dpl, uint32_t ext, uint16_t *ss, uint64_t *sp)
{
	unsigned type = IEM_SEG_TYPE(c->tr.attr);

	if (type == 3 || type == 1) {           /* 16-bit TSS */
		unsigned off = 2 + dpl * 4;

		if (off + 3 > c->tr.limit)
			iem_raise(c, X_TS, (c->tr.sel & ~3u) | ext);
		*sp = iem_lin_rd(c, c->tr.base + off, 2, IEM_ACC_R | IEM_ACC_SYS);
		*ss = (uint16_t)iem_lin_rd(c, c->tr.base + off + 2, 2, IEM_ACC_R | IEM_ACC_SYS);
	} else {
		unsigned off = 4 + dpl * 8;

		if (off + 5 > c->tr.limit)
			iem_raise(c, X_TS, (c->tr.sel & ~3u) | ext);
		*sp = iem_lin_rd(c, c->tr.base + off, 4, IEM_ACC_R | IEM_ACC_SYS);
		*ss = (uint16_t)iem_lin_rd(c, c->tr.base + off + 4, 2, IEM_ACC_R | IEM_ACC_SYS);
	}
}

static void deliver_real(struct iem_cpu *c, int vec, uint64_t ret)
{
	struct frame f;
	uint64_t ent;

	if ((uint32_t)vec * 4 + 3 > c->idtr.limit)
		iem_raise(c, X_GP, 0);
	ent = iem_lin_rd(c, c->idtr.base + (uint32_t)vec * 4, 4, IEM_ACC_R | IEM_ACC_SYS);
	frame_current(c, &f);
	frame_push(c, &f, 2, iem_get_rflags(c));
	frame_push(c, &f, 2, c->seg[S_CS].sel);
	frame_push(c, &f, 2, ret);
	c->gpr[R_SP] = f.sp;
	c->eflags &= ~(uint64_t)(F_IF | F_TF | F_AC | F_RF);
	iem_load_seg_real(c, S_CS, (uint16_t)(ent >> 16));
	c->rip = ent & 0xffff;
	iem_update_mode(c);
}

static void deliver_prot(struct iem_cpu *c, int vec, int kind, bool haserr, uint32_t err,
			 uint64_t ret, uint32_t ext)
{
	bool soft = kind == IEM_EV_SOFT || kind == IEM_EV_INT3 || kind == IEM_EV_INTO;
	uint32_t idt_err = (uint32_t)vec * 8 + 2 + ext;
	uint64_t gate, lo, hi, off, flags = iem_get_rflags(c);
	unsigned type, dpl, cdpl, nb;
	uint16_t sel;
	uint32_t cattr;
	struct frame f;
	bool v86 = (c->eflags & F_VM) != 0;

	if ((uint32_t)vec * 8 + 7 > c->idtr.limit)
		iem_raise(c, X_GP, idt_err);
	gate = iem_lin_rd(c, c->idtr.base + (uint32_t)vec * 8, 8, IEM_ACC_R | IEM_ACC_SYS);
	type = (gate >> 40) & 0x1f;
	dpl = (gate >> 45) & 3;
	if (type != 5 && type != 6 && type != 7 && type != 0xe && type != 0xf)
		iem_raise(c, X_GP, idt_err);
	if (soft && dpl < c->cpl)
		iem_raise(c, X_GP, idt_err);
	if (!((gate >> 47) & 1))
		iem_raise(c, X_NP, idt_err);
	sel = (uint16_t)(gate >> 16);
	if (type == 5) {
		iem_task_switch(c, sel, 3, ret, haserr, err);
		return;
	}
	off = (gate & 0xffff) | ((gate >> 32) & 0xffff0000u);
	if (!(sel & ~3u))
		iem_raise(c, X_GP, ext);
	if (!iem_read_desc(c, sel, &lo, &hi))
		iem_raise(c, X_GP, (sel & ~3u) | ext);
	cattr = iem_desc_attr(lo);
	if (!(cattr & IEM_SEG_S) || !(IEM_SEG_TYPE(cattr) & 8))
		iem_raise(c, X_GP, (sel & ~3u) | ext);
	cdpl = IEM_SEG_DPL(cattr);
	if (cdpl > c->cpl)
		iem_raise(c, X_GP, (sel & ~3u) | ext);
	if (!(cattr & IEM_SEG_P))
		iem_raise(c, X_NP, (sel & ~3u) | ext);
	nb = (type & 8) ? 4 : 2;
	if (!(IEM_SEG_TYPE(cattr) & 4) && cdpl < c->cpl) {
		uint16_t nss;
		uint64_t nsp, slo, shi;
		uint32_t sattr;
		uint64_t old_ss = c->seg[S_SS].sel, old_sp = c->gpr[R_SP];

		if (v86 && cdpl != 0)
			iem_raise(c, X_GP, (sel & ~3u) | ext);
		tss_stack(c, cdpl, ext, &nss, &nsp);
		if (!(nss & ~3u))
			iem_raise(c, X_TS, ext);
		if ((nss & 3) != cdpl || !iem_read_desc(c, nss, &slo, &shi))
			iem_raise(c, X_TS, (nss & ~3u) | ext);
		sattr = iem_desc_attr(slo);
		if (IEM_SEG_DPL(sattr) != cdpl || !(sattr & IEM_SEG_S) ||
		    (IEM_SEG_TYPE(sattr) & 0xa) != 2)
			iem_raise(c, X_TS, (nss & ~3u) | ext);
		if (!(sattr & IEM_SEG_P))
			iem_raise(c, X_SS, (nss & ~3u) | ext);
		memset(&f, 0, sizeof(f));
		f.ss.base = iem_desc_base(slo);
		f.ss.limit = iem_desc_limit(slo);
		f.ss.attr = sattr;
		f.ss_sel = nss;
		f.sp = nsp;
		f.mask = (sattr & IEM_SEG_DB) ? 0xffffffffull : 0xffff;
		f.fault_err = (nss & ~3u) | ext;
		if (v86) {
			if (nb != 4)
				iem_raise(c, X_GP, (sel & ~3u) | ext);
			frame_push(c, &f, 4, c->seg[S_GS].sel);
			frame_push(c, &f, 4, c->seg[S_FS].sel);
			frame_push(c, &f, 4, c->seg[S_DS].sel);
			frame_push(c, &f, 4, c->seg[S_ES].sel);
		}
		frame_push(c, &f, nb, old_ss);
		frame_push(c, &f, nb, old_sp);
		frame_push(c, &f, nb, flags);
		frame_push(c, &f, nb, c->seg[S_CS].sel);
		frame_push(c, &f, nb, ret);
		if (haserr)
			frame_push(c, &f, nb, err);
		if (off > iem_desc_limit(lo))
			iem_raise(c, X_GP, 0);
		/* commit */
		if (v86) {
			unsigned s;

			c->eflags &= ~(uint64_t)F_VM;
			for (s = 0; s < 6; s++)
				if (s != S_CS && s != S_SS)
					iem_seg_set_cache(c, s, 0, 0, 0, IEM_SEG_UNUSABLE);
		}
		iem_seg_set_cache(c, S_SS, nss, f.ss.base, f.ss.limit, sattr);
		c->gpr[R_SP] = f.sp;
	} else {
		if (v86)
			iem_raise(c, X_GP, (sel & ~3u) | ext);
		frame_current(c, &f);
		frame_push(c, &f, nb, flags);
		frame_push(c, &f, nb, c->seg[S_CS].sel);
		frame_push(c, &f, nb, ret);
		if (haserr)
			frame_push(c, &f, nb, err);
		if (off > iem_desc_limit(lo))
			iem_raise(c, X_GP, 0);
		c->gpr[R_SP] = f.sp;
		cdpl = c->cpl;
	}
	c->cpl = (uint8_t)cdpl;
	iem_seg_set_cache(c, S_CS, (uint16_t)((sel & ~3u) | cdpl), iem_desc_base(lo),
			  iem_desc_limit(lo), cattr);
	c->rip = off;
	c->eflags &= ~(uint64_t)(F_TF | F_NT | F_RF | F_VM);
	if (!(type & 1))
		c->eflags &= ~(uint64_t)F_IF;
	iem_update_mode(c);
}

static void deliver_long(struct iem_cpu *c, int vec, int kind, bool haserr, uint32_t err,
			 uint64_t ret, uint32_t ext)
{
	bool soft = kind == IEM_EV_SOFT || kind == IEM_EV_INT3 || kind == IEM_EV_INTO;
	uint32_t idt_err = (uint32_t)vec * 8 + 2 + ext;       /* the index is the vector */
	uint64_t lo, hi, glo, ghi, off, nsp, flags = iem_get_rflags(c);
	unsigned type, dpl, cdpl, ist;
	uint16_t sel;
	uint32_t cattr;
	struct frame f;

	if ((uint32_t)vec * 16 + 15 > c->idtr.limit)
		iem_raise(c, X_GP, idt_err);
	glo = iem_lin_rd(c, c->idtr.base + (uint32_t)vec * 16, 8, IEM_ACC_R | IEM_ACC_SYS);
	ghi = iem_lin_rd(c, c->idtr.base + (uint32_t)vec * 16 + 8, 8, IEM_ACC_R | IEM_ACC_SYS);
	type = (glo >> 40) & 0x1f;
	dpl = (glo >> 45) & 3;
	if (type != 0xe && type != 0xf)
		iem_raise(c, X_GP, idt_err);
	if (soft && dpl < c->cpl)
		iem_raise(c, X_GP, idt_err);
	if (!((glo >> 47) & 1))
		iem_raise(c, X_NP, idt_err);
	sel = (uint16_t)(glo >> 16);
	off = (glo & 0xffff) | ((glo >> 32) & 0xffff0000u) | (ghi << 32);
	ist = (glo >> 32) & 7;
	if (!(sel & ~3u))
		iem_raise(c, X_GP, ext);
	if (!iem_read_desc(c, sel, &lo, &hi))
		iem_raise(c, X_GP, (sel & ~3u) | ext);
	cattr = iem_desc_attr(lo);
	if (!(cattr & IEM_SEG_S) || !(IEM_SEG_TYPE(cattr) & 8) || !(cattr & IEM_SEG_L) ||
	    (cattr & IEM_SEG_DB))
		iem_raise(c, X_GP, (sel & ~3u) | ext);
	cdpl = IEM_SEG_DPL(cattr);
	if (cdpl > c->cpl)
		iem_raise(c, X_GP, (sel & ~3u) | ext);
	if (!(cattr & IEM_SEG_P))
		iem_raise(c, X_NP, (sel & ~3u) | ext);
	if (IEM_SEG_TYPE(cattr) & 4)
		cdpl = c->cpl;  /* conforming: stays at CPL */
	nsp = c->gpr[R_SP];
	if (ist) {
		if (36 + ist * 8 + 7 > c->tr.limit)
			iem_raise(c, X_TS, (c->tr.sel & ~3u) | ext);
		nsp = iem_lin_rd(c, c->tr.base + 36 + (ist - 1) * 8, 8, IEM_ACC_R | IEM_ACC_SYS);
	} else if (cdpl < c->cpl) {
		if (4 + cdpl * 8 + 7 > c->tr.limit)
			iem_raise(c, X_TS, (c->tr.sel & ~3u) | ext);
		nsp = iem_lin_rd(c, c->tr.base + 4 + cdpl * 8, 8, IEM_ACC_R | IEM_ACC_SYS);
	}
	memset(&f, 0, sizeof(f));
	f.flat = true;
	f.mask = ~0ull;
	f.sp = nsp & ~0xfull;
	frame_push(c, &f, 8, c->seg[S_SS].sel);
	frame_push(c, &f, 8, c->gpr[R_SP]);
	frame_push(c, &f, 8, flags);
	frame_push(c, &f, 8, c->seg[S_CS].sel);
	frame_push(c, &f, 8, ret);
	if (haserr)
		frame_push(c, &f, 8, err);
	if ((uint64_t)((int64_t)(off << 16) >> 16) != off)
		iem_raise(c, X_GP, 0);
	if (cdpl < c->cpl)
		iem_seg_set_cache(c, S_SS, (uint16_t)cdpl, 0, 0,
				  IEM_SEG_UNUSABLE | ((uint32_t)cdpl << 5));
	c->gpr[R_SP] = f.sp;
	c->cpl = (uint8_t)cdpl;
	iem_seg_set_cache(c, S_CS, (uint16_t)((sel & ~3u) | cdpl), iem_desc_base(lo),
			  iem_desc_limit(lo), cattr);
	c->rip = off;
	c->eflags &= ~(uint64_t)(F_TF | F_NT | F_RF | F_VM);
	if (!(type & 1))
		c->eflags &= ~(uint64_t)F_IF;
	iem_update_mode(c);
}

/*
 * Deliver vector vec.  kind: IEM_EV_EXC (fault; c->rip is the faulting
 * instruction), IEM_EV_EXT (hardware interrupt; c->rip is the next
 * instruction), IEM_EV_SOFT/INT3/INTO/ICEBP (instruction; return to
 * next_rip).
 */
void iem_deliver(struct iem_cpu *c, int vec, int kind, uint32_t err, uint64_t next_rip)
{
	bool haserr = kind == IEM_EV_EXC && has_errcode(vec);
	uint32_t ext = (kind == IEM_EV_EXC || kind == IEM_EV_EXT || kind == IEM_EV_ICEBP) ? 1 : 0;
	uint64_t ret = (kind == IEM_EV_EXC || kind == IEM_EV_EXT) ? c->rip : next_rip;

	c->halted = false;
	if (kind != IEM_EV_EXC && kind != IEM_EV_EXT)
		c->tf_trap = false;     /* INT n clears TF: no single-step trap */
	if (kind == IEM_EV_EXC && vec == X_DB)
		ret = c->rip;
	if (!(c->cr0 & CR0_PE))
		deliver_real(c, vec, ret);
	else if (c->efer & EFER_LMA)
		deliver_long(c, vec, kind, haserr, err, ret, ext);
	else
		deliver_prot(c, vec, kind, haserr, err, ret, ext);
}

/* At a block boundary: take an NMI or an external interrupt if one is due. */
bool iem_check_interrupts(struct iem_cpu *c)
{
	uint32_t attn = atomic_load(&c->attn);
	int v;

	if (c->shadow) {
		c->shadow = 0;
		return false;
	}
	if ((attn & IEM_ATTN_NMI) && !c->nmi_blocked) {
		atomic_fetch_and(&c->attn, ~IEM_ATTN_NMI);
		c->nmi_blocked = true;
		c->delivering = -2;
		iem_deliver(c, X_NMI, IEM_EV_EXT, 0, 0);
		c->delivering = -1;
		c->stats.interrupts++;
		return true;
	}
	if (!(c->eflags & F_IF))
		return false;
	atomic_fetch_and(&c->attn, ~IEM_ATTN_IRQ);
	v = iem_lapic_accept(c);
	if (v < 0)
		return false;
	c->delivering = -2;
	iem_deliver(c, v, IEM_EV_EXT, 0, 0);
	c->delivering = -1;
	c->stats.interrupts++;
	/* more may be pending */
	if (iem_lapic_maybe_pending(c))
		atomic_fetch_or(&c->attn, IEM_ATTN_IRQ);
	return true;
}
