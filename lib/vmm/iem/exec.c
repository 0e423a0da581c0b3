/*
 * The threaded interpreter of the iem engine (softcpu.md 3.4).
 *
 * One function, computed-goto dispatch: every record's label is the address
 * of its handler here, handlers end with "i++; goto *i->label", block exits
 * try the block's cached successor links (validated by the generation tag
 * in c->linktag) and then the jump cache.  The ~600 hot instruction forms
 * (integer ALU, moves, shifts, multiplies, stack, branches, conditional
 * moves and sets) are expanded here by macros per size and register/memory
 * form; everything else calls its iem_op_<name>() function through L_call.
 *
 * A handler performs every access that can fault before it writes
 * architectural state; faults longjmp to iem_cpu_run() (see intr.c), which
 * recomputes RIP from c->cur.
 */
#include "lib/vmm/iem/alu.h"
#include "lib/vmm/iem/iem-int.h"
#include "iem-gen.h"

const void **iem_labels;
const void *iem_special_labels[IEM_SP_COUNT];
static const void *label_table[IEM_OP_COUNT];

const uint64_t iem_amask[4] = { 0xffff, 0xffffffffull, ~0ull, ~0ull };

#define G(n) (c->gpr[n])
#define RIPB (c->gpr[IEM_R_RIPBASE])

static __always_inline void push_n(struct iem_cpu *c, const struct iem_insn *i, unsigned n, uint64_t v)
{
	uint64_t sp = (c->gpr[R_SP] - n) & c->ss_mask;

	iem_wr(c, i, c->stk, sp, n, v);
	c->gpr[R_SP] = (c->gpr[R_SP] & ~c->ss_mask) | sp;
}

static __always_inline uint64_t pop_n(struct iem_cpu *c, const struct iem_insn *i, unsigned n)
{
	uint64_t sp = c->gpr[R_SP] & c->ss_mask;
	uint64_t v = iem_rd(c, i, c->stk, sp, n);

	c->gpr[R_SP] = (c->gpr[R_SP] & ~c->ss_mask) | ((sp + n) & c->ss_mask);
	return v;
}

void iem_push(struct iem_cpu *c, const struct iem_insn *i, unsigned n, uint64_t v)
{
	push_n(c, i, n, v);
}

uint64_t iem_pop(struct iem_cpu *c, const struct iem_insn *i, unsigned n)
{
	return pop_n(c, i, n);
}

/* Memory-destination ALU: read-modify-write (or only read for CMP/TEST). */
static __always_inline void alu_mem(struct iem_cpu *c, const struct iem_insn *i, int kind,
			   unsigned nb, uint64_t src)
{
	uint64_t ea = iem_ea(c, i);

	if (kind == A_CMP || kind == A_TEST) {
		alu(c, kind, nb * 8, iem_rd(c, i, i->seg, ea, nb), src);
		return;
	}
	uintptr_t p = iem_map(c, i, i->seg, ea, nb);

	if (unlikely(i->fl & IEM_IF_LOCK)) {
		iem_locked_alu(c, p, kind, nb * 8, src);
	} else {
		uint64_t r = alu(c, kind, nb * 8, hld(p, nb), src);

		hst(p, nb, r);
	}
	iem_unmap(c, p);
}

static __always_inline void shift_mem(struct iem_cpu *c, const struct iem_insn *i, int kind,
			     unsigned nb, unsigned cnt)
{
	uintptr_t p = iem_map(c, i, i->seg, iem_ea(c, i), nb);
	uint64_t r = shift(c, kind, nb * 8, hld(p, nb), cnt);

	hst(p, nb, r);
	iem_unmap(c, p);
}

/* unsigned/signed one-operand multiply into rDX:rAX */
static __always_inline void mul1(struct iem_cpu *c, unsigned n, uint64_t src, bool sign)
{
	uint64_t lo, hi;
	unsigned ov;

	if (n == 8) {
		uint64_t al = rd8(c, R_AX), r;

		if (sign) {
			r = (uint64_t)((int64_t)(int8_t)al * (int8_t)src) & 0xffff;
			ov = r != (sext(r & 0xff, 8) & 0xffff);
		} else {
			r = al * (uint8_t)src;
			ov = (r >> 8) != 0;
		}
		wr16(c, R_AX, r);
		lf_result(c, 8, r, ov, ov, 0);
		return;
	}
	if (n == 64) {
		if (sign) {
			__int128 p = (__int128)(int64_t)G(R_AX) * (int64_t)src;

			lo = (uint64_t)p;
			hi = (uint64_t)(p >> 64);
			ov = (uint64_t)((int64_t)lo >> 63) != hi;
		} else {
			unsigned __int128 p = (unsigned __int128)G(R_AX) * src;

			lo = (uint64_t)p;
			hi = (uint64_t)(p >> 64);
			ov = hi != 0;
		}
		G(R_AX) = lo;
		G(R_DX) = hi;
	} else {
		uint64_t m = zmask(n);
		uint64_t a = G(R_AX) & m, b = src & m, p;

		if (sign)
			p = (uint64_t)((int64_t)sext(a, n) * (int64_t)sext(b, n));
		else
			p = a * b;
		lo = p & m;
		hi = (p >> n) & m;
		ov = sign ? sext(p & zmask(2 * n), 2 * n) != sext(lo, n) : hi != 0;
		wrreg(c, R_AX, n / 8, lo);
		wrreg(c, R_DX, n / 8, hi);
	}
	lf_result(c, n, lo, ov, ov, 0);
}

/* two/three-operand IMUL: truncated product, CF = OF = overflow */
static __always_inline uint64_t imul2(struct iem_cpu *c, unsigned n, uint64_t a, uint64_t b)
{
	uint64_t lo;
	unsigned ov;

	if (n == 64) {
		__int128 p = (__int128)(int64_t)a * (int64_t)b;

		lo = (uint64_t)p;
		ov = p != (__int128)(int64_t)lo;
	} else {
		int64_t p = (int64_t)sext(a, n) * (int64_t)sext(b, n);

		lo = (uint64_t)p & zmask(n);
		ov = (uint64_t)p != sext(lo, n);
	}
	lf_result(c, n, lo, ov, ov, 0);
	return lo;
}

#define NEXT() do { i++; goto *i->label; } while (0)
#define EXIT_JMP(t) do { c->rip = (t); k = 0; goto exit_link; } while (0)
#define EXIT_FALL(t) do { c->rip = (t); k = 1; goto exit_link; } while (0)
#define EXIT_DYN(t) do { c->rip = (t); goto exit_dyn; } while (0)

#define MASKED_TARGET(v) ((v) & iem_ipmask(insn_osz(i)))

/* condition of Jcc/SETcc/CMOVcc number cc */
#define COND(cc) iem_cond(c, cc)

void iem_exec(struct iem_cpu *c)
{
#define LBL(n) [IEM_OP_##n] = &&L_##n,
	static const void *const xl[IEM_OP_COUNT] = {
		[IEM_OP_invalid] = &&L_ud,
		IEM_X_OPS(LBL)
	};
#undef LBL
	const struct iem_insn *i;
	struct iem_block *b;
	unsigned k;

	if (unlikely(!c)) {
		unsigned n;

		for (n = 0; n < IEM_OP_COUNT; n++)
			label_table[n] = n >= IEM_FIRST_FN_OP ? &&L_call : xl[n];
		iem_labels = label_table;
		iem_special_labels[IEM_SP_UD] = &&L_ud;
		iem_special_labels[IEM_SP_GP0] = &&L_gp0;
		iem_special_labels[IEM_SP_FETCH] = &&L_fetch;
		iem_special_labels[IEM_SP_NOTRAM] = &&L_notram;
		iem_special_labels[IEM_SP_SETBASE] = &&L_setbase;
		iem_special_labels[IEM_SP_EOB] = &&L_eob;
		return;
	}

lookup:
	if (unlikely(c->singlestep || c->restart_single || (c->eflags & F_TF))) {
		c->restart_single = false;
		b = iem_block_single(c);
		c->slice = 0;
		/* TF at the start of the instruction: #DB once it completes */
		c->tf_trap = (c->eflags & F_TF) != 0;
		if (c->step_hook && c->step_hook(c, c->step_opaque)) {
			c->exit_code = IEM_EXIT_BREAK;
			return;
		}
	} else {
		b = iem_block_lookup(c);
	}
enter:
	c->curblk = b;
	RIPB = c->rip;
	if (unlikely(c->ring))
		c->ring[c->ring_pos++ & 63] = c->rip;
	if (b->jit)
		goto run_jit;
	if (unlikely(++b->hits == c->m->jit_threshold) && !b->jit_tried) {
		iem_jit_compile(c, b);
		if (b->jit)
			goto run_jit;
	}
	iem_lf_unraw(c);
	i = b->insn;
	goto *i->label;

run_jit: {
	uint64_t r = b->jit(c);

	b = c->curblk;          /* compiled code may have chained into others */
	i = &b->insn[r >> 8];
	switch (r & 0xff) {
	case 0: k = 0; goto exit_link;
	case 1: k = 1; goto exit_link;
	case 2: goto exit_dyn;
	default:
		iem_lf_unraw(c);
		goto *i->label;
	}
}

exit_link: {
	struct iem_link *l;
	uint64_t lin, flushes;
	struct iem_block *nb;

	c->icount += b->ninsn;
	c->slice -= b->ninsn;
	if (unlikely(c->slice <= 0 ||
		     (atomic_load_explicit(&c->attn, memory_order_relaxed) & c->attn_mask)))
		return;
	lin = (c->seg[S_CS].base + c->rip) & c->lin_mask;
	l = &b->link[k];
	if (likely(l->lin == lin && l->tag == c->linktag)) {
		if (b->jit_p[k] && l->blk->jit_entry1)
			iem_jit_link(c, b, k, l->blk);
		b = l->blk;
		goto enter;
	}
	if (c->mode != 2 ? c->rip > c->seg[S_CS].limit
			 : (uint64_t)((int64_t)(c->rip << 16) >> 16) != c->rip) {
		c->cur = i;
		c->rip = iem_cur_rip(c, i);
		iem_raise(c, X_GP, 0);
	}
	flushes = c->stats.cache_flushes;
	nb = iem_block_lookup(c);
	if (nb->gpa2 == ~0ull && flushes == c->stats.cache_flushes && b->valid) {
		l->lin = lin;
		l->tag = c->linktag;
		l->blk = nb;
	}
	b = nb;
	goto enter;
}

exit_dyn:
	c->icount += b->ninsn;
	c->slice -= b->ninsn;
	if (unlikely(c->slice <= 0 ||
		     (atomic_load_explicit(&c->attn, memory_order_relaxed) & c->attn_mask)))
		return;
	if (c->mode != 2 ? c->rip > c->seg[S_CS].limit
			 : (uint64_t)((int64_t)(c->rip << 16) >> 16) != c->rip) {
		/* far transfers check their targets; this is a near branch */
		c->cur = i;
		c->rip = iem_cur_rip(c, i);
		iem_raise(c, X_GP, 0);
	} else {
		uint64_t lin = (c->seg[S_CS].base + c->rip) & c->lin_mask;
		const struct iem_jc *j = &c->jc[iem_jc_key(lin)];

		if (likely(j->lin == lin && j->tag == c->linktag)) {
			b = j->blk;
			goto enter;
		}
	}
	goto lookup;

	/* ---- pseudo records ---- */
L_ud:
	c->cur = i;
	iem_raise_noerr(c, X_UD);
L_gp0:
	c->cur = i;
	iem_raise(c, X_GP, 0);
L_notram:
	c->cur = i;
	c->rip = iem_cur_rip(c, i);
	c->exit_code = IEM_EXIT_SHUTDOWN;
	return;
L_fetch: {
	uint64_t gpa;
	uint32_t err;

	c->cur = i;
	if (!iem_translate(c, i->imm, IEM_ACC_X, &gpa, &err))
		iem_raise_pf(c, i->imm, err);
	/* mapped now: the block is stale */
	c->rip = iem_cur_rip(c, i);
	b->valid = 0;
	iem_cache_flush(c);
	goto lookup;
}
L_setbase:
	G(IEM_R_SCRATCH) = RIPB + i->imm;
	NEXT();
L_eob:
	EXIT_FALL(iem_cur_rip(c, i));
L_call:
	c->cur = i;
	if (iem_fn_table[i->op](c, i))
		goto exit_dyn;
	NEXT();

	/* ---- ALU ---- */
#define ALU_FAM(name, KIND, WR)								\
L_##name##_EG_r8: {									\
	uint64_t r = alu(c, KIND, 8, rd8(c, i->rm), rd8(c, i->reg));			\
	if (WR) wr8(c, i->rm, r);							\
	NEXT(); }									\
L_##name##_EG_r16: {									\
	uint64_t r = alu(c, KIND, 16, G(i->rm), G(i->reg));				\
	if (WR) wr16(c, i->rm, r);							\
	NEXT(); }									\
L_##name##_EG_r32: {									\
	uint64_t r = alu(c, KIND, 32, G(i->rm), G(i->reg));				\
	if (WR) wr32(c, i->rm, r);							\
	NEXT(); }									\
L_##name##_EG_r64: {									\
	uint64_t r = alu(c, KIND, 64, G(i->rm), G(i->reg));				\
	if (WR) G(i->rm) = r;								\
	NEXT(); }									\
L_##name##_EG_m8: alu_mem(c, i, KIND, 1, rd8(c, i->reg)); NEXT();			\
L_##name##_EG_m16: alu_mem(c, i, KIND, 2, G(i->reg)); NEXT();				\
L_##name##_EG_m32: alu_mem(c, i, KIND, 4, G(i->reg)); NEXT();				\
L_##name##_EG_m64: alu_mem(c, i, KIND, 8, G(i->reg)); NEXT();				\
L_##name##_GE_r8: {									\
	uint64_t r = alu(c, KIND, 8, rd8(c, i->reg), rd8(c, i->rm));			\
	if (WR) wr8(c, i->reg, r);							\
	NEXT(); }									\
L_##name##_GE_r16: {									\
	uint64_t r = alu(c, KIND, 16, G(i->reg), G(i->rm));				\
	if (WR) wr16(c, i->reg, r);							\
	NEXT(); }									\
L_##name##_GE_r32: {									\
	uint64_t r = alu(c, KIND, 32, G(i->reg), G(i->rm));				\
	if (WR) wr32(c, i->reg, r);							\
	NEXT(); }									\
L_##name##_GE_r64: {									\
	uint64_t r = alu(c, KIND, 64, G(i->reg), G(i->rm));				\
	if (WR) G(i->reg) = r;								\
	NEXT(); }									\
L_##name##_GE_m8: {									\
	uint64_t s = iem_rd(c, i, i->seg, iem_ea(c, i), 1);				\
	uint64_t r = alu(c, KIND, 8, rd8(c, i->reg), s);				\
	if (WR) wr8(c, i->reg, r);							\
	NEXT(); }									\
L_##name##_GE_m16: {									\
	uint64_t s = iem_rd(c, i, i->seg, iem_ea(c, i), 2);				\
	uint64_t r = alu(c, KIND, 16, G(i->reg), s);					\
	if (WR) wr16(c, i->reg, r);							\
	NEXT(); }									\
L_##name##_GE_m32: {									\
	uint64_t s = iem_rd(c, i, i->seg, iem_ea(c, i), 4);				\
	uint64_t r = alu(c, KIND, 32, G(i->reg), s);					\
	if (WR) wr32(c, i->reg, r);							\
	NEXT(); }									\
L_##name##_GE_m64: {									\
	uint64_t s = iem_rd(c, i, i->seg, iem_ea(c, i), 8);				\
	uint64_t r = alu(c, KIND, 64, G(i->reg), s);					\
	if (WR) G(i->reg) = r;								\
	NEXT(); }									\
L_##name##_EI_r8: {									\
	uint64_t r = alu(c, KIND, 8, rd8(c, i->rm), i->imm);				\
	if (WR) wr8(c, i->rm, r);							\
	NEXT(); }									\
L_##name##_EI_r16: {									\
	uint64_t r = alu(c, KIND, 16, G(i->rm), i->imm);				\
	if (WR) wr16(c, i->rm, r);							\
	NEXT(); }									\
L_##name##_EI_r32: {									\
	uint64_t r = alu(c, KIND, 32, G(i->rm), i->imm);				\
	if (WR) wr32(c, i->rm, r);							\
	NEXT(); }									\
L_##name##_EI_r64: {									\
	uint64_t r = alu(c, KIND, 64, G(i->rm), i->imm);				\
	if (WR) G(i->rm) = r;								\
	NEXT(); }									\
L_##name##_EI_m8: alu_mem(c, i, KIND, 1, i->imm); NEXT();				\
L_##name##_EI_m16: alu_mem(c, i, KIND, 2, i->imm); NEXT();				\
L_##name##_EI_m32: alu_mem(c, i, KIND, 4, i->imm); NEXT();				\
L_##name##_EI_m64: alu_mem(c, i, KIND, 8, i->imm); NEXT();

	ALU_FAM(add, A_ADD, 1)
	ALU_FAM(or, A_OR, 1)
	ALU_FAM(adc, A_ADC, 1)
	ALU_FAM(sbb, A_SBB, 1)
	ALU_FAM(and, A_AND, 1)
	ALU_FAM(sub, A_SUB, 1)
	ALU_FAM(xor, A_XOR, 1)
	ALU_FAM(cmp, A_CMP, 0)

	/* TEST: EG and EI forms only */
L_test_EG_r8: alu(c, A_TEST, 8, rd8(c, i->rm), rd8(c, i->reg)); NEXT();
L_test_EG_r16: alu(c, A_TEST, 16, G(i->rm), G(i->reg)); NEXT();
L_test_EG_r32: alu(c, A_TEST, 32, G(i->rm), G(i->reg)); NEXT();
L_test_EG_r64: alu(c, A_TEST, 64, G(i->rm), G(i->reg)); NEXT();
L_test_EG_m8: alu_mem(c, i, A_TEST, 1, rd8(c, i->reg)); NEXT();
L_test_EG_m16: alu_mem(c, i, A_TEST, 2, G(i->reg)); NEXT();
L_test_EG_m32: alu_mem(c, i, A_TEST, 4, G(i->reg)); NEXT();
L_test_EG_m64: alu_mem(c, i, A_TEST, 8, G(i->reg)); NEXT();
L_test_EI_r8: alu(c, A_TEST, 8, rd8(c, i->rm), i->imm); NEXT();
L_test_EI_r16: alu(c, A_TEST, 16, G(i->rm), i->imm); NEXT();
L_test_EI_r32: alu(c, A_TEST, 32, G(i->rm), i->imm); NEXT();
L_test_EI_r64: alu(c, A_TEST, 64, G(i->rm), i->imm); NEXT();
L_test_EI_m8: alu_mem(c, i, A_TEST, 1, i->imm); NEXT();
L_test_EI_m16: alu_mem(c, i, A_TEST, 2, i->imm); NEXT();
L_test_EI_m32: alu_mem(c, i, A_TEST, 4, i->imm); NEXT();
L_test_EI_m64: alu_mem(c, i, A_TEST, 8, i->imm); NEXT();

	/* ---- unary: INC DEC NOT NEG ---- */
#define UN_FAM(name, KIND)								\
L_##name##_E_r8: wr8(c, i->rm, alu(c, KIND, 8, rd8(c, i->rm), 0)); NEXT();		\
L_##name##_E_r16: wr16(c, i->rm, alu(c, KIND, 16, G(i->rm), 0)); NEXT();		\
L_##name##_E_r32: wr32(c, i->rm, alu(c, KIND, 32, G(i->rm), 0)); NEXT();		\
L_##name##_E_r64: G(i->rm) = alu(c, KIND, 64, G(i->rm), 0); NEXT();			\
L_##name##_E_m8: alu_mem(c, i, KIND, 1, 0); NEXT();					\
L_##name##_E_m16: alu_mem(c, i, KIND, 2, 0); NEXT();					\
L_##name##_E_m32: alu_mem(c, i, KIND, 4, 0); NEXT();					\
L_##name##_E_m64: alu_mem(c, i, KIND, 8, 0); NEXT();

	UN_FAM(inc, A_INC)
	UN_FAM(dec, A_DEC)
	UN_FAM(not, A_NOT)
	UN_FAM(neg, A_NEG)

	/* ---- shifts and rotates ---- */
#define SH_ONE(name, KIND, src, CNT)							\
L_##name##_##src##_r8: wr8(c, i->rm, shift(c, KIND, 8, rd8(c, i->rm), (CNT) & 0x1f)); NEXT();	\
L_##name##_##src##_r16: wr16(c, i->rm, shift(c, KIND, 16, G(i->rm), (CNT) & 0x1f)); NEXT();	\
L_##name##_##src##_r32: wr32(c, i->rm, shift(c, KIND, 32, G(i->rm), (CNT) & 0x1f)); NEXT();	\
L_##name##_##src##_r64: G(i->rm) = shift(c, KIND, 64, G(i->rm), (CNT) & 0x3f); NEXT();	\
L_##name##_##src##_m8: shift_mem(c, i, KIND, 1, (CNT) & 0x1f); NEXT();			\
L_##name##_##src##_m16: shift_mem(c, i, KIND, 2, (CNT) & 0x1f); NEXT();			\
L_##name##_##src##_m32: shift_mem(c, i, KIND, 4, (CNT) & 0x1f); NEXT();			\
L_##name##_##src##_m64: shift_mem(c, i, KIND, 8, (CNT) & 0x3f); NEXT();
#define SH_FAM(name, KIND)								\
	SH_ONE(name, KIND, EI, (unsigned)i->imm)					\
	SH_ONE(name, KIND, E1, 1u)							\
	SH_ONE(name, KIND, ECL, (unsigned)G(R_CX))

	SH_FAM(rol, SH_ROL)
	SH_FAM(ror, SH_ROR)
	SH_FAM(shl, SH_SHL)
	SH_FAM(shr, SH_SHR)
	SH_FAM(sar, SH_SAR)

	/* ---- multiply ---- */
L_mul_E_r8: mul1(c, 8, rd8(c, i->rm), false); NEXT();
L_mul_E_r16: mul1(c, 16, G(i->rm), false); NEXT();
L_mul_E_r32: mul1(c, 32, G(i->rm), false); NEXT();
L_mul_E_r64: mul1(c, 64, G(i->rm), false); NEXT();
L_mul_E_m8: mul1(c, 8, iem_rd(c, i, i->seg, iem_ea(c, i), 1), false); NEXT();
L_mul_E_m16: mul1(c, 16, iem_rd(c, i, i->seg, iem_ea(c, i), 2), false); NEXT();
L_mul_E_m32: mul1(c, 32, iem_rd(c, i, i->seg, iem_ea(c, i), 4), false); NEXT();
L_mul_E_m64: mul1(c, 64, iem_rd(c, i, i->seg, iem_ea(c, i), 8), false); NEXT();
L_imul_E_r8: mul1(c, 8, rd8(c, i->rm), true); NEXT();
L_imul_E_r16: mul1(c, 16, G(i->rm), true); NEXT();
L_imul_E_r32: mul1(c, 32, G(i->rm), true); NEXT();
L_imul_E_r64: mul1(c, 64, G(i->rm), true); NEXT();
L_imul_E_m8: mul1(c, 8, iem_rd(c, i, i->seg, iem_ea(c, i), 1), true); NEXT();
L_imul_E_m16: mul1(c, 16, iem_rd(c, i, i->seg, iem_ea(c, i), 2), true); NEXT();
L_imul_E_m32: mul1(c, 32, iem_rd(c, i, i->seg, iem_ea(c, i), 4), true); NEXT();
L_imul_E_m64: mul1(c, 64, iem_rd(c, i, i->seg, iem_ea(c, i), 8), true); NEXT();
L_imul_GE_r16: wr16(c, i->reg, imul2(c, 16, G(i->reg), G(i->rm))); NEXT();
L_imul_GE_r32: wr32(c, i->reg, imul2(c, 32, G(i->reg), G(i->rm))); NEXT();
L_imul_GE_r64: G(i->reg) = imul2(c, 64, G(i->reg), G(i->rm)); NEXT();
L_imul_GE_m16: {
	uint64_t s = iem_rd(c, i, i->seg, iem_ea(c, i), 2);
	wr16(c, i->reg, imul2(c, 16, G(i->reg), s)); NEXT(); }
L_imul_GE_m32: {
	uint64_t s = iem_rd(c, i, i->seg, iem_ea(c, i), 4);
	wr32(c, i->reg, imul2(c, 32, G(i->reg), s)); NEXT(); }
L_imul_GE_m64: {
	uint64_t s = iem_rd(c, i, i->seg, iem_ea(c, i), 8);
	G(i->reg) = imul2(c, 64, G(i->reg), s); NEXT(); }
L_imul_GEI_r16: wr16(c, i->reg, imul2(c, 16, G(i->rm), i->imm)); NEXT();
L_imul_GEI_r32: wr32(c, i->reg, imul2(c, 32, G(i->rm), i->imm)); NEXT();
L_imul_GEI_r64: G(i->reg) = imul2(c, 64, G(i->rm), i->imm); NEXT();
L_imul_GEI_m16: {
	uint64_t s = iem_rd(c, i, i->seg, iem_ea(c, i), 2);
	wr16(c, i->reg, imul2(c, 16, s, i->imm)); NEXT(); }
L_imul_GEI_m32: {
	uint64_t s = iem_rd(c, i, i->seg, iem_ea(c, i), 4);
	wr32(c, i->reg, imul2(c, 32, s, i->imm)); NEXT(); }
L_imul_GEI_m64: {
	uint64_t s = iem_rd(c, i, i->seg, iem_ea(c, i), 8);
	G(i->reg) = imul2(c, 64, s, i->imm); NEXT(); }

	/* ---- moves ---- */
L_mov_EG_r8: wr8(c, i->rm, rd8(c, i->reg)); NEXT();
L_mov_EG_r16: wr16(c, i->rm, G(i->reg)); NEXT();
L_mov_EG_r32: G(i->rm) = (uint32_t)G(i->reg); NEXT();
L_mov_EG_r64: G(i->rm) = G(i->reg); NEXT();
L_mov_EG_m8: iem_wr(c, i, i->seg, iem_ea(c, i), 1, rd8(c, i->reg)); NEXT();
L_mov_EG_m16: iem_wr(c, i, i->seg, iem_ea(c, i), 2, G(i->reg)); NEXT();
L_mov_EG_m32: iem_wr(c, i, i->seg, iem_ea(c, i), 4, G(i->reg)); NEXT();
L_mov_EG_m64: iem_wr(c, i, i->seg, iem_ea(c, i), 8, G(i->reg)); NEXT();
L_mov_GE_r8: wr8(c, i->reg, rd8(c, i->rm)); NEXT();
L_mov_GE_r16: wr16(c, i->reg, G(i->rm)); NEXT();
L_mov_GE_r32: G(i->reg) = (uint32_t)G(i->rm); NEXT();
L_mov_GE_r64: G(i->reg) = G(i->rm); NEXT();
L_mov_GE_m8: wr8(c, i->reg, iem_rd(c, i, i->seg, iem_ea(c, i), 1)); NEXT();
L_mov_GE_m16: wr16(c, i->reg, iem_rd(c, i, i->seg, iem_ea(c, i), 2)); NEXT();
L_mov_GE_m32: G(i->reg) = iem_rd(c, i, i->seg, iem_ea(c, i), 4); NEXT();
L_mov_GE_m64: G(i->reg) = iem_rd(c, i, i->seg, iem_ea(c, i), 8); NEXT();
L_mov_EI_r8: wr8(c, i->rm, i->imm); NEXT();
L_mov_EI_r16: wr16(c, i->rm, i->imm); NEXT();
L_mov_EI_r32: G(i->rm) = (uint32_t)i->imm; NEXT();
L_mov_EI_r64: G(i->rm) = i->imm; NEXT();
L_mov_EI_m8: iem_wr(c, i, i->seg, iem_ea(c, i), 1, i->imm); NEXT();
L_mov_EI_m16: iem_wr(c, i, i->seg, iem_ea(c, i), 2, i->imm); NEXT();
L_mov_EI_m32: iem_wr(c, i, i->seg, iem_ea(c, i), 4, i->imm); NEXT();
L_mov_EI_m64: iem_wr(c, i, i->seg, iem_ea(c, i), 8, i->imm); NEXT();
L_lea_m16: wr16(c, i->reg, iem_ea(c, i)); NEXT();
L_lea_m32: G(i->reg) = (uint32_t)iem_ea(c, i); NEXT();
L_lea_m64: G(i->reg) = iem_ea(c, i); NEXT();
L_movzb_r16: wr16(c, i->reg, rd8(c, i->rm)); NEXT();
L_movzb_r32: G(i->reg) = rd8(c, i->rm); NEXT();
L_movzb_r64: G(i->reg) = rd8(c, i->rm); NEXT();
L_movzb_m16: wr16(c, i->reg, iem_rd(c, i, i->seg, iem_ea(c, i), 1)); NEXT();
L_movzb_m32: G(i->reg) = iem_rd(c, i, i->seg, iem_ea(c, i), 1); NEXT();
L_movzb_m64: G(i->reg) = iem_rd(c, i, i->seg, iem_ea(c, i), 1); NEXT();
L_movzw_r16: wr16(c, i->reg, G(i->rm)); NEXT();
L_movzw_r32: G(i->reg) = (uint16_t)G(i->rm); NEXT();
L_movzw_r64: G(i->reg) = (uint16_t)G(i->rm); NEXT();
L_movzw_m16: wr16(c, i->reg, iem_rd(c, i, i->seg, iem_ea(c, i), 2)); NEXT();
L_movzw_m32: G(i->reg) = iem_rd(c, i, i->seg, iem_ea(c, i), 2); NEXT();
L_movzw_m64: G(i->reg) = iem_rd(c, i, i->seg, iem_ea(c, i), 2); NEXT();
L_movsb_G_r16: wr16(c, i->reg, sext(rd8(c, i->rm), 8)); NEXT();
L_movsb_G_r32: G(i->reg) = (uint32_t)sext(rd8(c, i->rm), 8); NEXT();
L_movsb_G_r64: G(i->reg) = sext(rd8(c, i->rm), 8); NEXT();
L_movsb_G_m16: wr16(c, i->reg, sext(iem_rd(c, i, i->seg, iem_ea(c, i), 1), 8)); NEXT();
L_movsb_G_m32: G(i->reg) = (uint32_t)sext(iem_rd(c, i, i->seg, iem_ea(c, i), 1), 8); NEXT();
L_movsb_G_m64: G(i->reg) = sext(iem_rd(c, i, i->seg, iem_ea(c, i), 1), 8); NEXT();
L_movsw_G_r16: wr16(c, i->reg, G(i->rm)); NEXT();
L_movsw_G_r32: G(i->reg) = (uint32_t)sext(G(i->rm) & 0xffff, 16); NEXT();
L_movsw_G_r64: G(i->reg) = sext(G(i->rm) & 0xffff, 16); NEXT();
L_movsw_G_m16: wr16(c, i->reg, iem_rd(c, i, i->seg, iem_ea(c, i), 2)); NEXT();
L_movsw_G_m32: G(i->reg) = (uint32_t)sext(iem_rd(c, i, i->seg, iem_ea(c, i), 2), 16); NEXT();
L_movsw_G_m64: G(i->reg) = sext(iem_rd(c, i, i->seg, iem_ea(c, i), 2), 16); NEXT();
L_movsxd_r16: wr16(c, i->reg, G(i->rm)); NEXT();
L_movsxd_r32: G(i->reg) = (uint32_t)G(i->rm); NEXT();
L_movsxd_r64: G(i->reg) = sext(G(i->rm) & 0xffffffffull, 32); NEXT();
L_movsxd_m16: wr16(c, i->reg, iem_rd(c, i, i->seg, iem_ea(c, i), 2)); NEXT();
L_movsxd_m32: G(i->reg) = iem_rd(c, i, i->seg, iem_ea(c, i), 4); NEXT();
L_movsxd_m64: G(i->reg) = sext(iem_rd(c, i, i->seg, iem_ea(c, i), 4), 32); NEXT();
L_cbw_r16: wr16(c, R_AX, sext(G(R_AX) & 0xff, 8)); NEXT();
L_cbw_r32: G(R_AX) = (uint32_t)sext(G(R_AX) & 0xffff, 16); NEXT();
L_cbw_r64: G(R_AX) = sext(G(R_AX) & 0xffffffffull, 32); NEXT();
L_cwd_r16: wr16(c, R_DX, (G(R_AX) & 0x8000) ? 0xffff : 0); NEXT();
L_cwd_r32: G(R_DX) = (G(R_AX) & 0x80000000u) ? 0xffffffffu : 0; NEXT();
L_cwd_r64: G(R_DX) = (G(R_AX) >> 63) ? ~0ull : 0; NEXT();
L_nop: NEXT();

	/* XCHG: memory forms are always locked */
L_xchg_EG_r8: { uint64_t t = rd8(c, i->rm); wr8(c, i->rm, rd8(c, i->reg)); wr8(c, i->reg, t); NEXT(); }
L_xchg_EG_r16: { uint64_t t = G(i->rm); wr16(c, i->rm, G(i->reg)); wr16(c, i->reg, t); NEXT(); }
L_xchg_EG_r32: { uint64_t t = G(i->rm); wr32(c, i->rm, G(i->reg)); wr32(c, i->reg, t); NEXT(); }
L_xchg_EG_r64: { uint64_t t = G(i->rm); G(i->rm) = G(i->reg); G(i->reg) = t; NEXT(); }
#define XCHG_M(nb, src, wr)								\
	{ uintptr_t p = iem_map(c, i, i->seg, iem_ea(c, i), nb);			\
	  uint64_t old = iem_locked_alu(c, p, A_XCHG, nb * 8, src);			\
	  iem_unmap(c, p); wr; NEXT(); }
L_xchg_EG_m8: XCHG_M(1, rd8(c, i->reg), wr8(c, i->reg, old))
L_xchg_EG_m16: XCHG_M(2, G(i->reg), wr16(c, i->reg, old))
L_xchg_EG_m32: XCHG_M(4, G(i->reg), wr32(c, i->reg, old))
L_xchg_EG_m64: XCHG_M(8, G(i->reg), G(i->reg) = old)

	/* ---- stack ---- */
L_push_E_r16: push_n(c, i, 2, G(i->rm)); NEXT();
L_push_E_r32: push_n(c, i, 4, G(i->rm)); NEXT();
L_push_E_r64: push_n(c, i, 8, G(i->rm)); NEXT();
L_push_E_m16: push_n(c, i, 2, iem_rd(c, i, i->seg, iem_ea(c, i), 2)); NEXT();
L_push_E_m32: push_n(c, i, 4, iem_rd(c, i, i->seg, iem_ea(c, i), 4)); NEXT();
L_push_E_m64: push_n(c, i, 8, iem_rd(c, i, i->seg, iem_ea(c, i), 8)); NEXT();
L_push_I: push_n(c, i, insn_obytes(i), i->imm); NEXT();
L_pop_R_r16: { uint64_t v = pop_n(c, i, 2); wr16(c, i->rm, v); NEXT(); }
L_pop_R_r32: { uint64_t v = pop_n(c, i, 4); wr32(c, i->rm, v); NEXT(); }
L_pop_R_r64: { uint64_t v = pop_n(c, i, 8); G(i->rm) = v; NEXT(); }

	/* ---- branches ---- */
#define JCC(cc, nm)									\
L_jcc_##nm:										\
	if (COND(cc)) EXIT_JMP(MASKED_TARGET(RIPB + i->imm));				\
	EXIT_FALL(iem_next_rip(c, i));
	JCC(0, o) JCC(1, no) JCC(2, b) JCC(3, nb) JCC(4, z) JCC(5, nz) JCC(6, be) JCC(7, nbe)
	JCC(8, s) JCC(9, ns) JCC(10, p) JCC(11, np) JCC(12, l) JCC(13, nl) JCC(14, le) JCC(15, nle)

L_jmp_J:
	EXIT_JMP(MASKED_TARGET(RIPB + i->imm));
L_call_J: {
	uint64_t t = MASKED_TARGET(RIPB + i->imm);

	push_n(c, i, insn_obytes(i), iem_next_rip(c, i));
	EXIT_JMP(t);
}
L_ret: {
	unsigned nb = insn_obytes(i);
	uint64_t sp = c->gpr[R_SP] & c->ss_mask;
	uint64_t t = iem_rd(c, i, c->stk, sp, nb);

	c->gpr[R_SP] = (c->gpr[R_SP] & ~c->ss_mask) | ((sp + nb + i->imm) & c->ss_mask);
	EXIT_DYN(t);
}
L_jmp_E_r16: EXIT_DYN(G(i->rm) & 0xffff);
L_jmp_E_r32: EXIT_DYN((uint32_t)G(i->rm));
L_jmp_E_r64: EXIT_DYN(G(i->rm));
L_jmp_E_m16: EXIT_DYN(iem_rd(c, i, i->seg, iem_ea(c, i), 2));
L_jmp_E_m32: EXIT_DYN(iem_rd(c, i, i->seg, iem_ea(c, i), 4));
L_jmp_E_m64: EXIT_DYN(iem_rd(c, i, i->seg, iem_ea(c, i), 8));
L_call_E_r16: { uint64_t t = G(i->rm) & 0xffff; push_n(c, i, 2, iem_next_rip(c, i)); EXIT_DYN(t); }
L_call_E_r32: { uint64_t t = (uint32_t)G(i->rm); push_n(c, i, 4, iem_next_rip(c, i)); EXIT_DYN(t); }
L_call_E_r64: { uint64_t t = G(i->rm); push_n(c, i, 8, iem_next_rip(c, i)); EXIT_DYN(t); }
L_call_E_m16: { uint64_t t = iem_rd(c, i, i->seg, iem_ea(c, i), 2);
	push_n(c, i, 2, iem_next_rip(c, i)); EXIT_DYN(t); }
L_call_E_m32: { uint64_t t = iem_rd(c, i, i->seg, iem_ea(c, i), 4);
	push_n(c, i, 4, iem_next_rip(c, i)); EXIT_DYN(t); }
L_call_E_m64: { uint64_t t = iem_rd(c, i, i->seg, iem_ea(c, i), 8);
	push_n(c, i, 8, iem_next_rip(c, i)); EXIT_DYN(t); }

	/* ---- CMOVcc and SETcc ---- */
#define CMOV(cc, nm)									\
L_cmov_##nm##_r16: { if (COND(cc)) wr16(c, i->reg, G(i->rm)); } NEXT();		\
L_cmov_##nm##_r32: G(i->reg) = (uint32_t)(COND(cc) ? G(i->rm) : G(i->reg)); NEXT();	\
L_cmov_##nm##_r64: { if (COND(cc)) G(i->reg) = G(i->rm); } NEXT();			\
L_cmov_##nm##_m16: { uint64_t s = iem_rd(c, i, i->seg, iem_ea(c, i), 2);		\
	if (COND(cc)) wr16(c, i->reg, s); } NEXT();					\
L_cmov_##nm##_m32: { uint64_t s = iem_rd(c, i, i->seg, iem_ea(c, i), 4);		\
	G(i->reg) = (uint32_t)(COND(cc) ? s : G(i->reg)); } NEXT();			\
L_cmov_##nm##_m64: { uint64_t s = iem_rd(c, i, i->seg, iem_ea(c, i), 8);		\
	if (COND(cc)) G(i->reg) = s; } NEXT();						\
L_set_##nm##_r8: wr8(c, i->rm, COND(cc)); NEXT();					\
L_set_##nm##_m8: iem_wr(c, i, i->seg, iem_ea(c, i), 1, COND(cc)); NEXT();
	CMOV(0, o) CMOV(1, no) CMOV(2, b) CMOV(3, nb) CMOV(4, z) CMOV(5, nz) CMOV(6, be)
	CMOV(7, nbe) CMOV(8, s) CMOV(9, ns) CMOV(10, p) CMOV(11, np) CMOV(12, l)
	CMOV(13, nl) CMOV(14, le) CMOV(15, nle)
}

static void exec_init_once(void)
{
	iem_exec(NULL);
}

void iem_exec_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, exec_init_once);
}
