/*
 * Integer arithmetic with lazy flags, shared by exec.c (inlined handlers)
 * and ops.c.  Semantics from Intel SDM vol. 2 (ADD ... XOR, INC, DEC, NEG,
 * NOT, SAL/SAR/SHL/SHR, ROL/ROR, MUL, IMUL); where flags are architecturally
 * undefined the values chosen match an AMD Zen host (tests compare them).
 */
#ifndef VB_VMM_IEM_ALU_H
#define VB_VMM_IEM_ALU_H

#include "lib/vmm/iem/iem-int.h"

enum { A_ADD, A_OR, A_ADC, A_SBB, A_AND, A_SUB, A_XOR, A_CMP, A_TEST,
       A_INC, A_DEC, A_NOT, A_NEG, A_XCHG };

static __always_inline uint64_t alu(struct iem_cpu *c, int kind, unsigned n, uint64_t a, uint64_t b)
{
	uint64_t r, cv;
	unsigned cf, of;

	switch (kind) {
	case A_ADD:
		r = a + b;
		lf_add(c, n, a, b, r);
		return r;
	case A_ADC:
		r = a + b + lf_cf(c);
		lf_add(c, n, a, b, r);
		return r;
	case A_SUB:
	case A_CMP:
		r = a - b;
		lf_sub(c, n, a, b, r);
		return r;
	case A_SBB:
		r = a - b - lf_cf(c);
		lf_sub(c, n, a, b, r);
		return r;
	case A_OR:
		r = a | b;
		lf_logic(c, n, r);
		return r;
	case A_AND:
	case A_TEST:
		r = a & b;
		lf_logic(c, n, r);
		return r;
	case A_XOR:
		r = a ^ b;
		lf_logic(c, n, r);
		return r;
	case A_INC:
		cf = lf_cf(c);
		r = a + 1;
		cv = (a & 1) | ((a ^ 1) & ~r);
		of = ((cv >> (n - 1)) ^ (cv >> (n - 2))) & 1;
		c->lf_res = sext(r, n);
		c->lf_aux = (cv & LF_AF) | ((uint64_t)cf << 63) | ((uint64_t)(cf ^ of) << 62);
		return r;
	case A_DEC:
		cf = lf_cf(c);
		r = a - 1;
		cv = (~a & 1) | (~(a ^ 1) & r);
		of = ((cv >> (n - 1)) ^ (cv >> (n - 2))) & 1;
		c->lf_res = sext(r, n);
		c->lf_aux = (cv & LF_AF) | ((uint64_t)cf << 63) | ((uint64_t)(cf ^ of) << 62);
		return r;
	case A_NOT:
		return ~a;
	case A_NEG:
		r = 0 - a;
		lf_sub(c, n, 0, a, r);
		return r;
	case A_XCHG:
		return b;
	default:
		return a;
	}
}

enum { SH_ROL, SH_ROR, SH_SHL, SH_SHR, SH_SAR };

/* Shift or rotate an n-bit value by cnt (already masked to 5/6 bits). */
static __always_inline uint64_t shift(struct iem_cpu *c, int kind, unsigned n, uint64_t a, unsigned cnt)
{
	uint64_t r, m = zmask(n);
	unsigned cf, of, rc;

	a &= m;
	if (!cnt)
		return a;
	switch (kind) {
	case SH_SHL:
		if (n < 64) {
			uint64_t w = a << cnt;

			r = w & m;
			cf = (w >> n) & 1;
		} else {
			r = a << cnt;
			cf = (a >> (64 - cnt)) & 1;
		}
		of = ((r >> (n - 1)) & 1) ^ cf;
		lf_result(c, n, r, cf, of, 0);
		return r;
	case SH_SHR:
		r = cnt < 64 ? a >> cnt : 0;
		cf = (a >> (cnt - 1)) & 1;
		of = (a >> (n - 1)) & 1;
		lf_result(c, n, r, cf, of, 0);
		return r;
	case SH_SAR: {
		int64_t sa = (int64_t)sext(a, n);

		r = (uint64_t)(sa >> cnt) & m;
		cf = (unsigned)((sa >> (cnt - 1)) & 1);
		lf_result(c, n, r, cf, 0, 0);
		return r;
	}
	case SH_ROL:
		rc = cnt & (n - 1);
		r = rc ? ((a << rc) | (a >> (n - rc))) & m : a;
		cf = r & 1;
		of = ((r >> (n - 1)) & 1) ^ cf;
		lf_set_cf_of(c, cf, of);
		return r;
	case SH_ROR:
		rc = cnt & (n - 1);
		r = rc ? ((a >> rc) | (a << (n - rc))) & m : a;
		cf = (r >> (n - 1)) & 1;
		of = cf ^ ((r >> (n - 2)) & 1);
		lf_set_cf_of(c, cf, of);
		return r;
	default:
		return a;
	}
}

static __always_inline unsigned shift_mask(unsigned n)
{
	return n == 64 ? 0x3f : 0x1f;
}

/* Read-modify-write with LOCK semantics on host memory, returns the old
 * value (ops.c).  A_XCHG stores b. */
uint64_t iem_locked_alu(struct iem_cpu *c, uintptr_t p, int kind, unsigned n, uint64_t b);

#endif
