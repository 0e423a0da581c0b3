/*
 * MMX, SSE and SSE2 of the iem engine.
 *
 * Data moves (MOVAPS/MOVUPS/MOVSS/MOVSD/MOVLPS/MOVHPS/MOVD/MOVQ, their
 * stores, MOVNTI/MOVNTQ/MOVNTDQ, MASKMOVQ/MASKMOVDQU, EMMS) are done in C.
 * Arithmetic, logic, comparisons, shuffles, packs/unpacks and conversions
 * are replayed on the host's SSE unit (the host is x86-64 and has SSE2):
 * a small stub loads xmm0/xmm1, mm0/mm1, rax/rcx and the guest MXCSR (with
 * every exception masked) from an argument block, executes the same
 * opcode with its operands renumbered to those registers (memory operands
 * read into a buffer first), and stores everything back.  Unmasked SIMD
 * floating-point exceptions are then raised as #XM (CR4.OSXMMEXCPT) or
 * #UD without committing the result, as the SDM (vol. 1 11.5) requires.
 * Legacy SSE alignment rules: 16-byte memory operands must be aligned
 * (#GP(0)) except for the unaligned moves.  MMX instructions set TOP = 0
 * and all tags valid; writes to an MMX register set its exponent to ones.
 * Limits: SSE3 and later are not advertised and decode as #UD.
 */
#include "lib/vmm/iem/iem-int.h"
#include "iem-gen.h"

#define FX_FSW 2
#define FX_FTW 4
#define FX_MXCSR 24

#define G(n) (c->gpr[n])

struct sse_args {
	uint8_t x0[16], x1[16];
	uint64_t m0, m1;
	uint64_t r0, r1;
	uint32_t mxcsr, pad;
	uint64_t rflags;
	uint8_t mem[16];
} __attribute__((aligned(16)));

typedef void (*sse_stub)(struct sse_args *a);

static uint8_t *xmm(struct iem_cpu *c, unsigned n)
{
	return c->fx + 160 + 16 * (n & 15);
}

static uint8_t *mmx(struct iem_cpu *c, unsigned n)
{
	return c->fx + 32 + 16 * (n & 7);
}

static uint32_t mxcsr(const struct iem_cpu *c)
{
	uint32_t v;

	memcpy(&v, c->fx + FX_MXCSR, 4);
	return v;
}

static void mmx_check(struct iem_cpu *c)
{
	uint16_t fsw;

	if (c->cr0 & CR0_EM)
		iem_raise_noerr(c, X_UD);
	if (c->cr0 & CR0_TS)
		iem_raise_noerr(c, X_NM);
	memcpy(&fsw, c->fx + FX_FSW, 2);
	if (fsw & 0x80)
		iem_raise_noerr(c, X_MF);
}

static void mmx_touch(struct iem_cpu *c)
{
	uint16_t fsw;

	memcpy(&fsw, c->fx + FX_FSW, 2);
	fsw &= ~0x3800;
	memcpy(c->fx + FX_FSW, &fsw, 2);
	c->fx[FX_FTW] = 0xff;
}

static void mmx_set(struct iem_cpu *c, unsigned n, uint64_t v)
{
	memcpy(mmx(c, n), &v, 8);
	memset(mmx(c, n) + 8, 0xff, 2);
}

static uint64_t mmx_get(struct iem_cpu *c, unsigned n)
{
	uint64_t v;

	memcpy(&v, mmx(c, n), 8);
	return v;
}

static bool is_mem(const struct iem_insn *i)
{
	return (i->fl & IEM_IF_MEM) != 0;
}

static unsigned mp(const struct iem_insn *i)
{
	return i->pfx & IEM_IP_MP;
}

/* 16-byte operand: aligned? */
static uint64_t ea16(struct iem_cpu *c, const struct iem_insn *i, bool aligned)
{
	uint64_t ea = iem_ea(c, i);

	if (aligned && ((c->seg[i->seg].base + ea) & 15))
		iem_raise(c, X_GP, 0);
	return ea;
}

/* ---- operand shapes of the replayed instructions ---- */

enum { K_NONE, K_XMM, K_MMX, K_GPR };

struct shape {
	uint8_t rk, mk;         /* kinds of the reg and rm operands */
	uint8_t msize;          /* memory operand bytes */
	bool align;
	uint8_t dest;           /* 0 = reg, 1 = rm, 2 = none (flags) */
	bool fp;                /* may raise SIMD floating-point exceptions */
	bool imm;
};

static bool shape_of(const struct iem_insn *i, struct shape *s)
{
	unsigned o = i->opc, p = mp(i);
	bool mm = p == 0;

	memset(s, 0, sizeof(*s));
	s->rk = s->mk = K_XMM;
	s->msize = 16;
	s->align = true;
	switch (o) {
	case 0x14: case 0x15: case 0x54: case 0x55: case 0x56: case 0x57:
		break;
	case 0x2a:
		s->fp = true;
		if (p == 3 || p == 4) {
			s->mk = K_GPR;
			s->msize = (i->pfx & IEM_IP_REXW) ? 8 : 4;
		} else {
			s->mk = K_MMX;
			s->msize = 8;
		}
		s->align = false;
		break;
	case 0x2c: case 0x2d:
		s->fp = true;
		s->rk = (p == 3 || p == 4) ? K_GPR : K_MMX;
		s->msize = p == 2 ? 16 : p == 4 || p == 0 ? 8 : 4;
		s->align = p == 2;
		break;
	case 0x2e: case 0x2f:
		s->fp = true;
		s->msize = p == 2 ? 8 : 4;
		s->align = false;
		s->dest = 2;
		break;
	case 0x50:
		s->rk = K_GPR;
		break;
	case 0x51: case 0x52: case 0x53: case 0x58: case 0x59: case 0x5c: case 0x5d:
	case 0x5e: case 0x5f: case 0xc2:
		s->fp = true;
		if (p == 3 || p == 4) {
			s->msize = p == 3 ? 4 : 8;
			s->align = false;
		}
		s->imm = o == 0xc2;
		break;
	case 0x5a:
		s->fp = true;
		s->msize = p == 0 ? 8 : p == 2 ? 16 : p == 3 ? 4 : 8;
		s->align = p == 2;
		break;
	case 0x5b:
		s->fp = true;
		break;
	case 0xe6:
		s->fp = true;
		s->msize = p == 3 ? 8 : 16;
		s->align = p != 3;
		break;
	case 0x70:
		s->imm = true;
		if (mm) {
			s->rk = s->mk = K_MMX;
			s->msize = 8;
			s->align = false;
		}
		break;
	case 0x71: case 0x72: case 0x73:
		s->imm = true;
		s->dest = 1;
		s->rk = K_NONE;
		if (mm)
			s->mk = K_MMX;
		break;
	case 0xc4:
		s->imm = true;
		s->rk = mm ? K_MMX : K_XMM;
		s->mk = K_GPR;
		s->msize = 2;
		s->align = false;
		break;
	case 0xc5:
		s->imm = true;
		s->rk = K_GPR;
		s->mk = mm ? K_MMX : K_XMM;
		break;
	case 0xc6:
		s->imm = true;
		break;
	case 0xd6:
		if (p == 3) {
			s->mk = K_MMX;
		} else if (p == 4) {
			s->rk = K_MMX;
		} else {
			return false;
		}
		break;
	case 0xd7:
		s->rk = K_GPR;
		s->mk = mm ? K_MMX : K_XMM;
		break;
	default:
		if ((o >= 0x60 && o <= 0x6d) || (o >= 0x74 && o <= 0x76) || (o >= 0xd1 && o <= 0xfe)) {
			if (mm) {
				s->rk = s->mk = K_MMX;
				s->msize = (o >= 0x60 && o <= 0x62) ? 4 : 8;
				s->align = false;
			}
			break;
		}
		return false;
	}
	return true;
}

static sse_stub build_stub(struct iem_cpu *c, const struct iem_insn *i, const struct shape *s,
			   uint8_t imm)
{
	uint8_t code[96];
	size_t n = 0;
	unsigned p = mp(i);
	bool rexw = (i->pfx & IEM_IP_REXW) && (s->rk == K_GPR || s->mk == K_GPR);
	uint8_t modrm;
	uint64_t key;

	if (is_mem(i))
		modrm = (uint8_t)(s->rk == K_NONE ? ((i->reg & 7) << 3) | 6 : 6);
	else if (s->rk == K_NONE)
		modrm = (uint8_t)(0xc0 | ((i->reg & 7) << 3) | 1);
	else
		modrm = 0xc1;
	key = ((uint64_t)0x55 << 48) | ((uint64_t)rexw << 40) | ((uint64_t)p << 32) |
	      ((uint64_t)i->opc << 24) | ((uint64_t)modrm << 16) | ((uint64_t)imm << 8) |
	      (s->imm ? 1 : 0);
#define B(...) do { const uint8_t _b[] = { __VA_ARGS__ }; memcpy(code + n, _b, sizeof(_b)); n += sizeof(_b); } while (0)
	B(0x0f, 0xae, 0x5c, 0x24, 0xf8);                /* stmxcsr -8(%rsp) */
	B(0x0f, 0xae, 0x57, 0x40);                      /* ldmxcsr 64(%rdi) */
	B(0xf3, 0x0f, 0x6f, 0x07);                      /* movdqu (%rdi),%xmm0 */
	B(0xf3, 0x0f, 0x6f, 0x4f, 0x10);                /* movdqu 16(%rdi),%xmm1 */
	B(0x0f, 0x6f, 0x47, 0x20);                      /* movq 32(%rdi),%mm0 */
	B(0x0f, 0x6f, 0x4f, 0x28);                      /* movq 40(%rdi),%mm1 */
	B(0x48, 0x8b, 0x47, 0x30);                      /* mov 48(%rdi),%rax */
	B(0x48, 0x8b, 0x4f, 0x38);                      /* mov 56(%rdi),%rcx */
	B(0x48, 0x8d, 0x77, 0x50);                      /* lea 80(%rdi),%rsi */
	if (p == 2)
		code[n++] = 0x66;
	else if (p == 3)
		code[n++] = 0xf3;
	else if (p == 4)
		code[n++] = 0xf2;
	if (rexw)
		code[n++] = 0x48;
	code[n++] = 0x0f;
	code[n++] = i->opc;
	code[n++] = modrm;
	if (s->imm)
		code[n++] = imm;
	B(0x9c, 0x5a);                                  /* pushfq; pop %rdx */
	B(0x48, 0x89, 0x57, 0x48);                      /* mov %rdx,72(%rdi) */
	B(0xf3, 0x0f, 0x7f, 0x07);                      /* movdqu %xmm0,(%rdi) */
	B(0xf3, 0x0f, 0x7f, 0x4f, 0x10);                /* movdqu %xmm1,16(%rdi) */
	B(0x0f, 0x7f, 0x47, 0x20);                      /* movq %mm0,32(%rdi) */
	B(0x0f, 0x7f, 0x4f, 0x28);                      /* movq %mm1,40(%rdi) */
	B(0x48, 0x89, 0x47, 0x30);                      /* mov %rax,48(%rdi) */
	B(0x48, 0x89, 0x4f, 0x38);                      /* mov %rcx,56(%rdi) */
	B(0x0f, 0xae, 0x5f, 0x40);                      /* stmxcsr 64(%rdi) */
	B(0x0f, 0xae, 0x54, 0x24, 0xf8);                /* ldmxcsr -8(%rsp) */
	B(0x0f, 0x77);                                  /* emms */
	B(0xc3);                                        /* ret */
#undef B
	return (sse_stub)iem_stub_lookup(c, key, code, n);
}

static void load_kind(struct iem_cpu *c, unsigned kind, unsigned n, uint8_t *x, uint64_t *m,
		      uint64_t *r)
{
	switch (kind) {
	case K_XMM: memcpy(x, xmm(c, n), 16); break;
	case K_MMX: *m = mmx_get(c, n); break;
	case K_GPR: *r = G(n); break;
	default: break;
	}
}

static void store_kind(struct iem_cpu *c, const struct iem_insn *i, unsigned kind, unsigned n,
		       const uint8_t *x, uint64_t m, uint64_t r)
{
	switch (kind) {
	case K_XMM: memcpy(xmm(c, n), x, 16); break;
	case K_MMX: mmx_set(c, n, m); break;
	case K_GPR: G(n) = (i->pfx & IEM_IP_REXW) ? r : (uint32_t)r; break;
	default: break;
	}
}

static int replay(struct iem_cpu *c, const struct iem_insn *i)
{
	struct shape s;
	struct sse_args a;
	uint32_t guest = mxcsr(c);
	bool mmxop;
	sse_stub st;

	if (!shape_of(i, &s))
		iem_raise_noerr(c, X_UD);
	mmxop = s.rk == K_MMX || s.mk == K_MMX;
	if (mmxop)
		mmx_check(c);
	if (s.rk == K_XMM || s.mk == K_XMM || mp(i))
		iem_sse_check(c);
	memset(&a, 0, sizeof(a));
	load_kind(c, s.rk, i->reg, a.x0, &a.m0, &a.r0);
	if (is_mem(i)) {
		uint64_t ea = s.msize == 16 ? ea16(c, i, s.align) : iem_ea(c, i);

		iem_mem_read(c, i->seg, ea, a.mem, s.msize);
	} else {
		load_kind(c, s.mk, i->rm, a.x1, &a.m1, &a.r1);
	}
	a.mxcsr = guest | 0x1f80;
	st = build_stub(c, i, &s, (uint8_t)i->imm);
	if (!st)
		iem_raise_noerr(c, X_UD);
	st(&a);
	if (s.fp) {
		uint32_t raised = a.mxcsr & 0x3f;
		uint32_t unmasked = raised & ~(guest >> 7) & 0x3f;

		if (unmasked) {
			guest |= raised;
			memcpy(c->fx + FX_MXCSR, &guest, 4);
			iem_raise_noerr(c, (c->cr4 & CR4_OSXMMEXCPT) ? X_XM : X_UD);
		}
		guest = (guest & ~0x3fu) | raised;
		memcpy(c->fx + FX_MXCSR, &guest, 4);
	}
	if (mmxop)
		mmx_touch(c);
	if (s.dest == 0)
		store_kind(c, i, s.rk, i->reg, a.x0, a.m0, a.r0);
	else if (s.dest == 1)
		store_kind(c, i, s.mk, i->rm, a.x1, a.m1, a.r1);
	else
		lf_put(c, a.rflags & (F_ZF | F_PF | F_CF));
	return 0;
}

int iem_op_sse_arith(struct iem_cpu *c, const struct iem_insn *i) { return replay(c, i); }
int iem_op_sse_logic(struct iem_cpu *c, const struct iem_insn *i) { return replay(c, i); }
int iem_op_sse_cmp(struct iem_cpu *c, const struct iem_insn *i) { return replay(c, i); }
int iem_op_cvt5a(struct iem_cpu *c, const struct iem_insn *i) { return replay(c, i); }
int iem_op_cvt5b(struct iem_cpu *c, const struct iem_insn *i) { return replay(c, i); }
int iem_op_cvte6(struct iem_cpu *c, const struct iem_insn *i) { return replay(c, i); }
int iem_op_cvtpi2ps(struct iem_cpu *c, const struct iem_insn *i) { return replay(c, i); }
int iem_op_cvtpi2pd(struct iem_cpu *c, const struct iem_insn *i) { return replay(c, i); }
int iem_op_cvtsi2ss(struct iem_cpu *c, const struct iem_insn *i) { return replay(c, i); }
int iem_op_cvtsi2sd(struct iem_cpu *c, const struct iem_insn *i) { return replay(c, i); }
int iem_op_cvtps2pi(struct iem_cpu *c, const struct iem_insn *i) { return replay(c, i); }
int iem_op_cvtpd2pi(struct iem_cpu *c, const struct iem_insn *i) { return replay(c, i); }
int iem_op_cvtss2si(struct iem_cpu *c, const struct iem_insn *i) { return replay(c, i); }
int iem_op_cvtsd2si(struct iem_cpu *c, const struct iem_insn *i) { return replay(c, i); }
int iem_op_comis(struct iem_cpu *c, const struct iem_insn *i) { return replay(c, i); }
int iem_op_movmskps(struct iem_cpu *c, const struct iem_insn *i) { return replay(c, i); }
int iem_op_unpcklps(struct iem_cpu *c, const struct iem_insn *i) { return replay(c, i); }
int iem_op_unpcklpd(struct iem_cpu *c, const struct iem_insn *i) { return replay(c, i); }
int iem_op_unpckhps(struct iem_cpu *c, const struct iem_insn *i) { return replay(c, i); }
int iem_op_unpckhpd(struct iem_cpu *c, const struct iem_insn *i) { return replay(c, i); }
int iem_op_shufps(struct iem_cpu *c, const struct iem_insn *i) { return replay(c, i); }
int iem_op_shufpd(struct iem_cpu *c, const struct iem_insn *i) { return replay(c, i); }
int iem_op_pint(struct iem_cpu *c, const struct iem_insn *i) { return replay(c, i); }
int iem_op_pshift(struct iem_cpu *c, const struct iem_insn *i) { return replay(c, i); }
int iem_op_pshift_I(struct iem_cpu *c, const struct iem_insn *i) { return replay(c, i); }
int iem_op_pshuf(struct iem_cpu *c, const struct iem_insn *i) { return replay(c, i); }
int iem_op_pinsrw(struct iem_cpu *c, const struct iem_insn *i) { return replay(c, i); }
int iem_op_pextrw(struct iem_cpu *c, const struct iem_insn *i) { return replay(c, i); }
int iem_op_pmovmskb(struct iem_cpu *c, const struct iem_insn *i) { return replay(c, i); }
int iem_op_movq2dq(struct iem_cpu *c, const struct iem_insn *i) { return replay(c, i); }
int iem_op_movdq2q(struct iem_cpu *c, const struct iem_insn *i) { return replay(c, i); }

/* ---- moves done in C ---- */

static void rd_op(struct iem_cpu *c, const struct iem_insn *i, void *buf, unsigned n, bool aligned)
{
	uint64_t ea = n == 16 ? ea16(c, i, aligned) : iem_ea(c, i);

	iem_mem_read(c, i->seg, ea, buf, n);
}

static void wr_op(struct iem_cpu *c, const struct iem_insn *i, const void *buf, unsigned n,
		  bool aligned)
{
	uint64_t ea = n == 16 ? ea16(c, i, aligned) : iem_ea(c, i);

	iem_mem_write(c, i->seg, ea, buf, n);
}

/* MOVUPS/MOVUPD/MOVDQU and MOVAPS/MOVAPD/MOVDQA loads */
static int mov128(struct iem_cpu *c, const struct iem_insn *i, bool aligned)
{
	uint8_t v[16];

	iem_sse_check(c);
	if (is_mem(i))
		rd_op(c, i, v, 16, aligned);
	else
		memcpy(v, xmm(c, i->rm), 16);
	memcpy(xmm(c, i->reg), v, 16);
	return 0;
}

static int mov128_st(struct iem_cpu *c, const struct iem_insn *i, bool aligned)
{
	iem_sse_check(c);
	if (is_mem(i))
		wr_op(c, i, xmm(c, i->reg), 16, aligned);
	else
		memcpy(xmm(c, i->rm), xmm(c, i->reg), 16);
	return 0;
}

int iem_op_movups(struct iem_cpu *c, const struct iem_insn *i) { return mov128(c, i, false); }
int iem_op_movaps(struct iem_cpu *c, const struct iem_insn *i) { return mov128(c, i, true); }
int iem_op_movups_st(struct iem_cpu *c, const struct iem_insn *i) { return mov128_st(c, i, false); }
int iem_op_movaps_st(struct iem_cpu *c, const struct iem_insn *i) { return mov128_st(c, i, true); }

/* MOVSS/MOVSD */
int iem_op_movss(struct iem_cpu *c, const struct iem_insn *i)
{
	unsigned n = mp(i) == 3 ? 4 : 8;
	uint8_t v[16];

	iem_sse_check(c);
	if (is_mem(i)) {
		memset(v, 0, 16);
		rd_op(c, i, v, n, false);
		memcpy(xmm(c, i->reg), v, 16);
	} else {
		memcpy(xmm(c, i->reg), xmm(c, i->rm), n);
	}
	return 0;
}

int iem_op_movss_st(struct iem_cpu *c, const struct iem_insn *i)
{
	unsigned n = mp(i) == 3 ? 4 : 8;

	iem_sse_check(c);
	if (is_mem(i))
		wr_op(c, i, xmm(c, i->reg), n, false);
	else
		memcpy(xmm(c, i->rm), xmm(c, i->reg), n);
	return 0;
}

/* MOVLPS/MOVLPD/MOVHLPS and MOVHPS/MOVHPD/MOVLHPS */
int iem_op_movlps(struct iem_cpu *c, const struct iem_insn *i)
{
	uint8_t v[8];

	iem_sse_check(c);
	if (is_mem(i))
		rd_op(c, i, v, 8, false);
	else
		memcpy(v, xmm(c, i->rm) + 8, 8);        /* MOVHLPS */
	memcpy(xmm(c, i->reg), v, 8);
	return 0;
}

int iem_op_movhps(struct iem_cpu *c, const struct iem_insn *i)
{
	uint8_t v[8];

	iem_sse_check(c);
	if (is_mem(i))
		rd_op(c, i, v, 8, false);
	else
		memcpy(v, xmm(c, i->rm), 8);            /* MOVLHPS */
	memcpy(xmm(c, i->reg) + 8, v, 8);
	return 0;
}

int iem_op_movlps_st(struct iem_cpu *c, const struct iem_insn *i)
{
	iem_sse_check(c);
	wr_op(c, i, xmm(c, i->reg), 8, false);
	return 0;
}

int iem_op_movhps_st(struct iem_cpu *c, const struct iem_insn *i)
{
	iem_sse_check(c);
	wr_op(c, i, xmm(c, i->reg) + 8, 8, false);
	return 0;
}

/* MOVD/MOVQ between general registers or memory and MMX/XMM */
int iem_op_movd_to(struct iem_cpu *c, const struct iem_insn *i)
{
	unsigned n = (i->pfx & IEM_IP_REXW) ? 8 : 4;
	uint64_t v;

	if (mp(i) == 2)
		iem_sse_check(c);
	else
		mmx_check(c);
	v = is_mem(i) ? iem_rd(c, i, i->seg, iem_ea(c, i), n) : G(i->rm);
	if (n == 4)
		v = (uint32_t)v;
	if (mp(i) == 2) {
		memset(xmm(c, i->reg), 0, 16);
		memcpy(xmm(c, i->reg), &v, 8);
	} else {
		mmx_touch(c);
		mmx_set(c, i->reg, v);
	}
	return 0;
}

int iem_op_movd_from(struct iem_cpu *c, const struct iem_insn *i)
{
	unsigned n = (i->pfx & IEM_IP_REXW) ? 8 : 4;
	uint64_t v;

	if (mp(i) == 2) {
		iem_sse_check(c);
		memcpy(&v, xmm(c, i->reg), 8);
	} else {
		mmx_check(c);
		v = mmx_get(c, i->reg);
	}
	if (is_mem(i))
		iem_wr(c, i, i->seg, iem_ea(c, i), n, v);
	else
		G(i->rm) = n == 4 ? (uint32_t)v : v;
	if (mp(i) != 2)
		mmx_touch(c);
	return 0;
}

int iem_op_movq_mmx(struct iem_cpu *c, const struct iem_insn *i)
{
	uint64_t v;

	mmx_check(c);
	v = is_mem(i) ? iem_rd(c, i, i->seg, iem_ea(c, i), 8) : mmx_get(c, i->rm);
	mmx_touch(c);
	mmx_set(c, i->reg, v);
	return 0;
}

int iem_op_movq_mmx_st(struct iem_cpu *c, const struct iem_insn *i)
{
	uint64_t v;

	mmx_check(c);
	v = mmx_get(c, i->reg);
	if (is_mem(i))
		iem_wr(c, i, i->seg, iem_ea(c, i), 8, v);
	else
		mmx_set(c, i->rm, v);
	mmx_touch(c);
	return 0;
}

/* F3 0F 7E: MOVQ xmm, xmm/m64 (upper half cleared) */
int iem_op_movq_xmm(struct iem_cpu *c, const struct iem_insn *i)
{
	uint8_t v[16];

	iem_sse_check(c);
	memset(v, 0, 16);
	if (is_mem(i))
		rd_op(c, i, v, 8, false);
	else
		memcpy(v, xmm(c, i->rm), 8);
	memcpy(xmm(c, i->reg), v, 16);
	return 0;
}

/* 66 0F D6: MOVQ xmm/m64, xmm */
int iem_op_movq_xmm_st(struct iem_cpu *c, const struct iem_insn *i)
{
	iem_sse_check(c);
	if (is_mem(i)) {
		wr_op(c, i, xmm(c, i->reg), 8, false);
	} else {
		uint8_t v[16];

		memset(v, 0, 16);
		memcpy(v, xmm(c, i->reg), 8);
		memcpy(xmm(c, i->rm), v, 16);
	}
	return 0;
}

int iem_op_movnti(struct iem_cpu *c, const struct iem_insn *i)
{
	unsigned n = insn_obytes(i) == 8 ? 8 : 4;

	iem_wr(c, i, i->seg, iem_ea(c, i), n, G(i->reg));
	return 0;
}

int iem_op_maskmov(struct iem_cpu *c, const struct iem_insn *i)
{
	unsigned n = mp(i) == 2 ? 16 : 8, k;
	uint8_t v[16], mask[16];
	uint64_t ea = G(R_DI) & iem_amask[i->fl & IEM_IF_ASZ];
	unsigned seg = i->seg;

	if (n == 16) {
		iem_sse_check(c);
		memcpy(v, xmm(c, i->reg), 16);
		memcpy(mask, xmm(c, i->rm), 16);
	} else {
		uint64_t a = mmx_get(c, i->reg), b = mmx_get(c, i->rm);

		mmx_check(c);
		memcpy(v, &a, 8);
		memcpy(mask, &b, 8);
	}
	for (k = 0; k < n; k++)
		if (mask[k] & 0x80)
			iem_wr(c, i, seg, (ea + k) & iem_amask[i->fl & IEM_IF_ASZ], 1, v[k]);
	if (n == 8)
		mmx_touch(c);
	return 0;
}

int iem_op_emms(struct iem_cpu *c, const struct iem_insn *i)
{
	(void)i;
	if (c->cr0 & CR0_EM)
		iem_raise_noerr(c, X_UD);
	if (c->cr0 & CR0_TS)
		iem_raise_noerr(c, X_NM);
	c->fx[FX_FTW] = 0;
	return 0;
}
