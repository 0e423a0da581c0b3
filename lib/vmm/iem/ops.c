/*
 * Out-of-line integer instructions of the iem engine: division, bit tests
 * and scans, double shifts, rotates through carry, exchange-and-add,
 * compare-and-exchange, BCD adjustments, PUSHA/POPA/ENTER/LEAVE, LOOP,
 * far pointers, flag instructions and the locked read-modify-write helper.
 *
 * Semantics: Intel SDM vol. 2 instruction pages; flags that are undefined
 * there follow what an AMD Zen host produces (tests/unit/t-iem-host.c
 * compares with the host).  LOCKed operations use host atomics on
 * naturally aligned RAM; a misaligned or MMIO locked access is done under
 * a machine-wide mutex (it is not atomic against plain accesses of other
 * vCPUs, unlike a bus lock).
 */
#include "lib/vmm/iem/alu.h"
#include "lib/vmm/iem/iem-int.h"
#include "iem-gen.h"

#define G(n) (c->gpr[n])

static uint64_t cas_loop(uintptr_t p, unsigned nb, int kind, struct iem_cpu *c, unsigned n,
			 uint64_t b)
{
	switch (nb) {
	case 1: {
		uint8_t old = __atomic_load_n((uint8_t *)p, __ATOMIC_RELAXED), nv;

		do {
			nv = (uint8_t)alu(c, kind, n, old, b);
		} while (!__atomic_compare_exchange_n((uint8_t *)p, &old, nv, false,
						      __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
		return old;
	}
	case 2: {
		uint16_t old = __atomic_load_n((uint16_t *)p, __ATOMIC_RELAXED), nv;

		do {
			nv = (uint16_t)alu(c, kind, n, old, b);
		} while (!__atomic_compare_exchange_n((uint16_t *)p, &old, nv, false,
						      __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
		return old;
	}
	case 4: {
		uint32_t old = __atomic_load_n((uint32_t *)p, __ATOMIC_RELAXED), nv;

		do {
			nv = (uint32_t)alu(c, kind, n, old, b);
		} while (!__atomic_compare_exchange_n((uint32_t *)p, &old, nv, false,
						      __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
		return old;
	}
	default: {
		uint64_t old = __atomic_load_n((uint64_t *)p, __ATOMIC_RELAXED), nv;

		do {
			nv = alu(c, kind, n, old, b);
		} while (!__atomic_compare_exchange_n((uint64_t *)p, &old, nv, false,
						      __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
		return old;
	}
	}
}

uint64_t iem_locked_alu(struct iem_cpu *c, uintptr_t p, int kind, unsigned n, uint64_t b)
{
	unsigned nb = n / 8;
	uint64_t old;

	if ((p & (nb - 1)) == 0 && p != (uintptr_t)c->bounce)
		return cas_loop(p, nb, kind, c, n, b);
	pthread_mutex_lock(&c->m->lock);
	old = hld(p, nb);
	hst(p, nb, alu(c, kind, n, old, b));
	pthread_mutex_unlock(&c->m->lock);
	return old;
}

static inline unsigned osz_bits(const struct iem_insn *i)
{
	return 8u << insn_osz(i);
}

static inline bool is_mem(const struct iem_insn *i)
{
	return (i->fl & IEM_IF_MEM) != 0;
}

/* Read the r/m operand of the instruction's operand size. */
static uint64_t rd_rm(struct iem_cpu *c, const struct iem_insn *i)
{
	unsigned nb = insn_obytes(i);

	if (is_mem(i))
		return iem_rd(c, i, i->seg, iem_ea(c, i), nb);
	return rdreg(c, i->rm, nb);
}

/* ---- division ---- */

static int do_div(struct iem_cpu *c, const struct iem_insn *i, bool sign)
{
	unsigned n = osz_bits(i);
	uint64_t d = rd_rm(c, i);

	if (n == 8) {
		uint64_t a = G(R_AX) & 0xffff;

		if (!(d & 0xff))
			iem_raise(c, X_DE, 0);
		if (sign) {
			int64_t q = (int16_t)a / (int8_t)d, r = (int16_t)a % (int8_t)d;

			if (q > 127 || q < -128)
				iem_raise(c, X_DE, 0);
			wr16(c, R_AX, ((uint64_t)(r & 0xff) << 8) | (uint64_t)(q & 0xff));
		} else {
			uint64_t q = a / (d & 0xff), r = a % (d & 0xff);

			if (q > 0xff)
				iem_raise(c, X_DE, 0);
			wr16(c, R_AX, (r << 8) | q);
		}
		return 0;
	}
	if (n == 64) {
		unsigned __int128 a = ((unsigned __int128)G(R_DX) << 64) | G(R_AX);

		if (!d)
			iem_raise(c, X_DE, 0);
		if (sign) {
			__int128 sa = (__int128)a, q, r;

			if ((int64_t)d == -1) {
				/* -sa must fit in 64 bits (and must not overflow) */
				if (sa > ((__int128)1 << 63) || sa < -(((__int128)1 << 63) - 1))
					iem_raise(c, X_DE, 0);
				G(R_AX) = (uint64_t)(-sa);
				G(R_DX) = 0;
				return 0;
			}
			q = sa / (int64_t)d;
			r = sa % (int64_t)d;
			if (q > INT64_MAX || q < INT64_MIN)
				iem_raise(c, X_DE, 0);
			G(R_AX) = (uint64_t)q;
			G(R_DX) = (uint64_t)r;
		} else {
			unsigned __int128 q = a / d;

			if (q >> 64)
				iem_raise(c, X_DE, 0);
			G(R_DX) = (uint64_t)(a % d);
			G(R_AX) = (uint64_t)q;
		}
		return 0;
	}
	{
		uint64_t m = zmask(n);
		uint64_t a = ((G(R_DX) & m) << n) | (G(R_AX) & m);

		d &= m;
		if (!d)
			iem_raise(c, X_DE, 0);
		if (sign) {
			int64_t sa = (int64_t)sext(a, 2 * n), sd = (int64_t)sext(d, n), q, r;

			q = sa / sd;
			r = sa % sd;
			if (q > (int64_t)(m >> 1) || q < -(int64_t)(m >> 1) - 1)
				iem_raise(c, X_DE, 0);
			wrreg(c, R_AX, n / 8, (uint64_t)q);
			wrreg(c, R_DX, n / 8, (uint64_t)r);
		} else {
			uint64_t q = a / d, r = a % d;

			if (q > m)
				iem_raise(c, X_DE, 0);
			wrreg(c, R_AX, n / 8, q);
			wrreg(c, R_DX, n / 8, r);
		}
	}
	return 0;
}

int iem_op_div(struct iem_cpu *c, const struct iem_insn *i)
{
	return do_div(c, i, false);
}

int iem_op_idiv(struct iem_cpu *c, const struct iem_insn *i)
{
	return do_div(c, i, true);
}

/* ---- rotates through carry ---- */

static int rotate_carry(struct iem_cpu *c, const struct iem_insn *i, bool left)
{
	unsigned n = osz_bits(i), cnt, k;
	uint64_t v, m = zmask(n), cf, r;
	uintptr_t p = 0;

	switch (i->opc) {
	case 0xc0: case 0xc1: cnt = (unsigned)i->imm; break;
	case 0xd0: case 0xd1: cnt = 1; break;
	default: cnt = (unsigned)G(R_CX); break;
	}
	cnt &= n == 64 ? 0x3f : 0x1f;
	if (n == 8)
		cnt %= 9;
	else if (n == 16)
		cnt %= 17;
	if (is_mem(i)) {
		p = iem_map(c, i, i->seg, iem_ea(c, i), n / 8);
		v = hld(p, n / 8);
	} else {
		v = rdreg(c, i->rm, n / 8);
	}
	v &= m;
	r = v;
	cf = lf_cf(c);
	for (k = 0; k < cnt; k++) {
		uint64_t out;

		if (left) {
			out = (r >> (n - 1)) & 1;
			r = ((r << 1) | cf) & m;
		} else {
			out = r & 1;
			r = (r >> 1) | (cf << (n - 1));
		}
		cf = out;
	}
	if (cnt) {
		unsigned of = left ? (unsigned)(((r >> (n - 1)) & 1) ^ cf)
				   : (unsigned)(((r >> (n - 1)) ^ (r >> (n - 2))) & 1);

		lf_set_cf_of(c, (unsigned)cf, of);
	}
	if (p) {
		hst(p, n / 8, r);
		iem_unmap(c, p);
	} else {
		wrreg(c, i->rm, n / 8, r);
	}
	return 0;
}

int iem_op_rcl(struct iem_cpu *c, const struct iem_insn *i)
{
	return rotate_carry(c, i, true);
}

int iem_op_rcr(struct iem_cpu *c, const struct iem_insn *i)
{
	return rotate_carry(c, i, false);
}

/* ---- double shifts ---- */

static int dshift(struct iem_cpu *c, const struct iem_insn *i, bool left)
{
	unsigned n = osz_bits(i), cnt;
	uint64_t d, s = G(i->reg), m = zmask(n), r;
	uintptr_t p = 0;
	unsigned cf, of;

	cnt = (i->opc == 0xa4 || i->opc == 0xac) ? (unsigned)i->imm : (unsigned)G(R_CX);
	cnt &= n == 64 ? 0x3f : 0x1f;
	if (is_mem(i)) {
		p = iem_map(c, i, i->seg, iem_ea(c, i), n / 8);
		d = hld(p, n / 8);
	} else {
		d = rdreg(c, i->rm, n / 8);
	}
	d &= m;
	s &= m;
	if (!cnt) {
		r = d;
	} else if (n == 16 && cnt > 16) {
		/* undefined: behave as a shift of the 48-bit d:s:d */
		uint64_t w;

		if (left) {
			w = (d << 32) | (s << 16) | d;
			r = (w << cnt >> 32) & m;
			cf = (unsigned)(w >> (48 - cnt)) & 1;
		} else {
			w = d | (s << 16) | (d << 32);
			r = (w >> cnt) & m;
			cf = (unsigned)(w >> (cnt - 1)) & 1;
		}
		of = (unsigned)(((r ^ d) >> (n - 1)) & 1);
		lf_result(c, n, r, cf, of, 0);
	} else {
		if (left) {
			r = n == 64 ? (d << cnt) | (cnt ? s >> (64 - cnt) : 0)
				    : ((d << cnt) | (s >> (n - cnt))) & m;
			cf = (unsigned)(d >> (n - cnt)) & 1;
		} else {
			r = n == 64 ? (d >> cnt) | (s << (64 - cnt))
				    : ((d >> cnt) | (s << (n - cnt))) & m;
			cf = (unsigned)(d >> (cnt - 1)) & 1;
		}
		r &= m;
		of = (unsigned)(((r ^ d) >> (n - 1)) & 1);
		lf_result(c, n, r, cf, of, 0);
	}
	if (p) {
		hst(p, n / 8, r);
		iem_unmap(c, p);
	} else {
		wrreg(c, i->rm, n / 8, r);
	}
	return 0;
}

int iem_op_shld(struct iem_cpu *c, const struct iem_insn *i)
{
	return dshift(c, i, true);
}

int iem_op_shrd(struct iem_cpu *c, const struct iem_insn *i)
{
	return dshift(c, i, false);
}

/* ---- bit test family ---- */

enum { BT_T, BT_S, BT_R, BT_C };

static int bit_op(struct iem_cpu *c, const struct iem_insn *i, int op, bool imm)
{
	unsigned n = osz_bits(i), nb = n / 8;
	uint64_t bit, v, r;
	unsigned cf;

	if (imm)
		bit = i->imm & (n - 1);
	else
		bit = G(i->reg);
	if (is_mem(i)) {
		uint64_t ea = iem_ea(c, i);
		uintptr_t p;

		if (!imm) {
			int64_t sb = (int64_t)sext(bit & zmask(n), n);

			ea = (ea + (uint64_t)((sb >> (n == 64 ? 6 : n == 32 ? 5 : 4)) * (int64_t)nb)) &
			     iem_amask[i->fl & IEM_IF_ASZ];
			bit &= n - 1;
		}
		if (op == BT_T) {
			v = iem_rd(c, i, i->seg, ea, nb);
			cf = (v >> bit) & 1;
		} else {
			p = iem_map(c, i, i->seg, ea, nb);
			if ((i->fl & IEM_IF_LOCK) && p != (uintptr_t)c->bounce && !(p & (nb - 1))) {
				uint64_t mask = 1ull << bit;

				v = op == BT_S ? iem_locked_alu(c, p, A_OR, n, mask)
				  : op == BT_R ? iem_locked_alu(c, p, A_AND, n, ~mask)
					       : iem_locked_alu(c, p, A_XOR, n, mask);
				cf = (v >> bit) & 1;
			} else {
				v = hld(p, nb);
				cf = (v >> bit) & 1;
				r = op == BT_S ? v | (1ull << bit) : op == BT_R ? v & ~(1ull << bit)
									: v ^ (1ull << bit);
				hst(p, nb, r);
				iem_unmap(c, p);
			}
		}
	} else {
		bit &= n - 1;
		v = rdreg(c, i->rm, nb);
		cf = (v >> bit) & 1;
		if (op != BT_T) {
			r = op == BT_S ? v | (1ull << bit) : op == BT_R ? v & ~(1ull << bit)
								: v ^ (1ull << bit);
			wrreg(c, i->rm, nb, r);
		}
	}
	lf_set_cf_of(c, cf, lf_of(c));
	return 0;
}

int iem_op_bt_EG(struct iem_cpu *c, const struct iem_insn *i) { return bit_op(c, i, BT_T, false); }
int iem_op_bts_EG(struct iem_cpu *c, const struct iem_insn *i) { return bit_op(c, i, BT_S, false); }
int iem_op_btr_EG(struct iem_cpu *c, const struct iem_insn *i) { return bit_op(c, i, BT_R, false); }
int iem_op_btc_EG(struct iem_cpu *c, const struct iem_insn *i) { return bit_op(c, i, BT_C, false); }
int iem_op_bt_EI(struct iem_cpu *c, const struct iem_insn *i) { return bit_op(c, i, BT_T, true); }
int iem_op_bts_EI(struct iem_cpu *c, const struct iem_insn *i) { return bit_op(c, i, BT_S, true); }
int iem_op_btr_EI(struct iem_cpu *c, const struct iem_insn *i) { return bit_op(c, i, BT_R, true); }
int iem_op_btc_EI(struct iem_cpu *c, const struct iem_insn *i) { return bit_op(c, i, BT_C, true); }

static int bit_scan(struct iem_cpu *c, const struct iem_insn *i, bool reverse)
{
	unsigned n = osz_bits(i);
	uint64_t v = rd_rm(c, i) & zmask(n);

	if (!v) {
		/* destination unchanged, ZF = 1 */
		lf_put(c, (lf_get(c) & ~(uint64_t)F_ZF) | F_ZF);
		return 0;
	}
	wrreg(c, i->reg, n / 8, reverse ? 63u - (unsigned)__builtin_clzll(v)
					: (unsigned)__builtin_ctzll(v));
	lf_put(c, lf_get(c) & ~(uint64_t)F_ZF);
	return 0;
}

int iem_op_bsf(struct iem_cpu *c, const struct iem_insn *i)
{
	return bit_scan(c, i, false);
}

int iem_op_bsr(struct iem_cpu *c, const struct iem_insn *i)
{
	return bit_scan(c, i, true);
}

int iem_op_bswap(struct iem_cpu *c, const struct iem_insn *i)
{
	unsigned n = osz_bits(i);

	if (n == 64)
		G(i->rm) = __builtin_bswap64(G(i->rm));
	else if (n == 32)
		G(i->rm) = __builtin_bswap32((uint32_t)G(i->rm));
	else
		wr16(c, i->rm, 0);      /* undefined; AMD and Intel clear the word */
	return 0;
}

/* ---- exchange-and-add, compare-and-exchange ---- */

int iem_op_xadd(struct iem_cpu *c, const struct iem_insn *i)
{
	unsigned n = osz_bits(i), nb = n / 8;
	uint64_t s = rdreg(c, i->reg, nb), d;

	if (is_mem(i)) {
		uintptr_t p = iem_map(c, i, i->seg, iem_ea(c, i), nb);

		if (i->fl & IEM_IF_LOCK) {
			d = iem_locked_alu(c, p, A_ADD, n, s);
		} else {
			d = hld(p, nb);
			hst(p, nb, alu(c, A_ADD, n, d, s));
		}
		iem_unmap(c, p);
		wrreg(c, i->reg, nb, d);
	} else {
		d = rdreg(c, i->rm, nb);
		uint64_t r = alu(c, A_ADD, n, d, s);

		wrreg(c, i->reg, nb, d);
		wrreg(c, i->rm, nb, r);
	}
	return 0;
}

int iem_op_cmpxchg(struct iem_cpu *c, const struct iem_insn *i)
{
	unsigned n = osz_bits(i), nb = n / 8;
	uint64_t acc = rdreg(c, R_AX, nb), s = rdreg(c, i->reg, nb), d, m = zmask(n);

	if (is_mem(i)) {
		uintptr_t p = iem_map(c, i, i->seg, iem_ea(c, i), nb);

		if ((i->fl & IEM_IF_LOCK) && p != (uintptr_t)c->bounce && !(p & (nb - 1))) {
			bool ok;

			switch (nb) {
			case 1: { uint8_t e = (uint8_t)acc;
				ok = __atomic_compare_exchange_n((uint8_t *)p, &e, (uint8_t)s, false,
								 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
				d = e; break; }
			case 2: { uint16_t e = (uint16_t)acc;
				ok = __atomic_compare_exchange_n((uint16_t *)p, &e, (uint16_t)s, false,
								 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
				d = e; break; }
			case 4: { uint32_t e = (uint32_t)acc;
				ok = __atomic_compare_exchange_n((uint32_t *)p, &e, (uint32_t)s, false,
								 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
				d = e; break; }
			default: { uint64_t e = acc;
				ok = __atomic_compare_exchange_n((uint64_t *)p, &e, s, false,
								 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
				d = e; break; }
			}
			(void)ok;
		} else {
			if (i->fl & IEM_IF_LOCK)
				pthread_mutex_lock(&c->m->lock);
			d = hld(p, nb);
			hst(p, nb, (d & m) == (acc & m) ? s : d);
			if (i->fl & IEM_IF_LOCK)
				pthread_mutex_unlock(&c->m->lock);
			iem_unmap(c, p);
		}
	} else {
		d = rdreg(c, i->rm, nb);
		if ((d & m) == (acc & m))
			wrreg(c, i->rm, nb, s);
	}
	alu(c, A_CMP, n, acc, d);
	if ((d & m) != (acc & m))
		wrreg(c, R_AX, nb, d);
	return 0;
}

int iem_op_cmpxchg8b(struct iem_cpu *c, const struct iem_insn *i)
{
	uint64_t ea = iem_ea(c, i), cmp, nv, old;
	uintptr_t p;
	bool eq;

	if (i->pfx & IEM_IP_REXW)
		iem_raise_noerr(c, X_UD);       /* CMPXCHG16B: CX16 not advertised */
	p = iem_map(c, i, i->seg, ea, 8);
	cmp = (G(R_DX) << 32) | (uint32_t)G(R_AX);
	nv = (G(R_CX) << 32) | (uint32_t)G(R_BX);
	if (p != (uintptr_t)c->bounce && !(p & 7)) {
		old = cmp;
		eq = __atomic_compare_exchange_n((uint64_t *)p, &old, nv, false,
						 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	} else {
		pthread_mutex_lock(&c->m->lock);
		old = hld(p, 8);
		eq = old == cmp;
		hst(p, 8, eq ? nv : old);
		pthread_mutex_unlock(&c->m->lock);
		iem_unmap(c, p);
	}
	if (eq) {
		lf_put(c, lf_get(c) | F_ZF);
	} else {
		lf_put(c, lf_get(c) & ~(uint64_t)F_ZF);
		G(R_AX) = (uint32_t)old;
		G(R_DX) = old >> 32;
	}
	return 0;
}

/* ---- BCD ---- */

int iem_op_daa(struct iem_cpu *c, const struct iem_insn *i)
{
	unsigned al = rd8(c, R_AX), old = al, cf = lf_cf(c), af = lf_af(c), ncf = 0;

	(void)i;
	if ((al & 0xf) > 9 || af) {
		ncf = cf || al > 0xf9;
		al = (al + 6) & 0xff;
		af = 1;
	} else {
		af = 0;
	}
	if (old > 0x99 || cf) {
		al = (al + 0x60) & 0xff;
		ncf = 1;
	}
	wr8(c, R_AX, al);
	lf_result(c, 8, al, ncf, 0, af);
	return 0;
}

int iem_op_das(struct iem_cpu *c, const struct iem_insn *i)
{
	unsigned al = rd8(c, R_AX), old = al, cf = lf_cf(c), af = lf_af(c), ncf = 0;

	(void)i;
	if ((al & 0xf) > 9 || af) {
		ncf = cf || al < 6;
		al = (al - 6) & 0xff;
		af = 1;
	} else {
		af = 0;
	}
	if (old > 0x99 || cf) {
		al = (al - 0x60) & 0xff;
		ncf = 1;
	}
	wr8(c, R_AX, al);
	lf_result(c, 8, al, ncf, 0, af);
	return 0;
}

static int ascii_adjust(struct iem_cpu *c, bool add)
{
	unsigned ax = (unsigned)G(R_AX) & 0xffff;
	unsigned f;

	if ((ax & 0xf) > 9 || lf_af(c)) {
		ax = add ? ax + 0x106 : ax - 0x106;
		f = 1;
	} else {
		f = 0;
	}
	ax = (ax & 0xff0f);
	wr16(c, R_AX, ax);
	lf_result(c, 8, ax & 0xff, f, 0, f);
	return 0;
}

int iem_op_aaa(struct iem_cpu *c, const struct iem_insn *i)
{
	(void)i;
	return ascii_adjust(c, true);
}

int iem_op_aas(struct iem_cpu *c, const struct iem_insn *i)
{
	(void)i;
	return ascii_adjust(c, false);
}

int iem_op_aam(struct iem_cpu *c, const struct iem_insn *i)
{
	unsigned base = (unsigned)i->imm & 0xff, al = rd8(c, R_AX);

	if (!base)
		iem_raise_noerr(c, X_DE);
	wr16(c, R_AX, ((al / base) << 8) | (al % base));
	lf_logic(c, 8, al % base);
	return 0;
}

int iem_op_aad(struct iem_cpu *c, const struct iem_insn *i)
{
	unsigned base = (unsigned)i->imm & 0xff;
	unsigned al = (rd8(c, R_AX) + rd8(c, 16 | R_AX) * base) & 0xff;

	wr16(c, R_AX, al);
	lf_logic(c, 8, al);
	return 0;
}

int iem_op_salc(struct iem_cpu *c, const struct iem_insn *i)
{
	(void)i;
	wr8(c, R_AX, lf_cf(c) ? 0xff : 0);
	return 0;
}

int iem_op_xlat(struct iem_cpu *c, const struct iem_insn *i)
{
	uint64_t ea = (G(R_BX) + rd8(c, R_AX)) & iem_amask[i->fl & IEM_IF_ASZ];

	wr8(c, R_AX, iem_rd(c, i, i->seg, ea, 1));
	return 0;
}

/* ---- flags ---- */

int iem_op_clc(struct iem_cpu *c, const struct iem_insn *i)
{
	(void)i;
	lf_set_cf_of(c, 0, lf_of(c));
	return 0;
}

int iem_op_stc(struct iem_cpu *c, const struct iem_insn *i)
{
	(void)i;
	lf_set_cf_of(c, 1, lf_of(c));
	return 0;
}

int iem_op_cmc(struct iem_cpu *c, const struct iem_insn *i)
{
	(void)i;
	lf_set_cf_of(c, !lf_cf(c), lf_of(c));
	return 0;
}

int iem_op_cld(struct iem_cpu *c, const struct iem_insn *i)
{
	(void)i;
	c->eflags &= ~(uint64_t)F_DF;
	return 0;
}

int iem_op_std(struct iem_cpu *c, const struct iem_insn *i)
{
	(void)i;
	c->eflags |= F_DF;
	return 0;
}

int iem_op_sahf(struct iem_cpu *c, const struct iem_insn *i)
{
	uint64_t f = lf_get(c);

	(void)i;
	f = (f & ~0xffull) | (rd8(c, 16 | R_AX) & (F_SF | F_ZF | F_AF | F_PF | F_CF));
	lf_put(c, f);
	return 0;
}

int iem_op_lahf(struct iem_cpu *c, const struct iem_insn *i)
{
	(void)i;
	wr8(c, 16 | R_AX, (lf_get(c) & 0xd5) | 2);
	return 0;
}

/* ---- stack frames ---- */

int iem_op_pusha(struct iem_cpu *c, const struct iem_insn *i)
{
	unsigned nb = insn_obytes(i), k;
	uint64_t sp = iem_sp(c), v[8];

	for (k = 0; k < 8; k++)
		v[k] = k == R_SP ? c->gpr[R_SP] : c->gpr[k];
	for (k = 0; k < 8; k++)
		iem_wr(c, i, c->stk, (sp - nb * (k + 1)) & c->ss_mask, nb, v[k]);
	iem_set_sp(c, sp - nb * 8);
	return 0;
}

int iem_op_popa(struct iem_cpu *c, const struct iem_insn *i)
{
	unsigned nb = insn_obytes(i), k;
	uint64_t sp = iem_sp(c), v[8];

	for (k = 0; k < 8; k++)
		v[7 - k] = iem_rd(c, i, c->stk, (sp + nb * k) & c->ss_mask, nb);
	for (k = 0; k < 8; k++)
		if (k != R_SP)
			wrreg(c, k, nb, v[k]);
	iem_set_sp(c, sp + nb * 8);
	return 0;
}

int iem_op_enter(struct iem_cpu *c, const struct iem_insn *i)
{
	unsigned nb = insn_obytes(i), level = (unsigned)i->disp & 31, k;
	uint64_t size = i->imm & 0xffff;
	uint64_t sp = iem_sp(c), bp = c->gpr[R_BP], frame;
	uint64_t bpmask = c->ss_mask;

	sp = (sp - nb) & c->ss_mask;
	iem_wr(c, i, c->stk, sp, nb, bp);
	frame = sp;
	for (k = 1; k < level; k++) {
		uint64_t v;

		bp = (bp - nb) & bpmask;
		v = iem_rd(c, i, c->stk, bp, nb);
		sp = (sp - nb) & c->ss_mask;
		iem_wr(c, i, c->stk, sp, nb, v);
	}
	if (level) {
		sp = (sp - nb) & c->ss_mask;
		iem_wr(c, i, c->stk, sp, nb, frame);
	}
	sp = (sp - size) & c->ss_mask;
	if (c->mode != 2)
		iem_seg_check(c, S_SS, sp, 1, true);
	wrreg(c, R_BP, nb, frame);
	iem_set_sp(c, sp);
	return 0;
}

int iem_op_leave(struct iem_cpu *c, const struct iem_insn *i)
{
	unsigned nb = insn_obytes(i);
	uint64_t sp = c->gpr[R_BP] & c->ss_mask;
	uint64_t v = iem_rd(c, i, c->stk, sp, nb);

	iem_set_sp(c, sp + nb);
	wrreg(c, R_BP, nb, v);
	return 0;
}

int iem_op_pop_E(struct iem_cpu *c, const struct iem_insn *i)
{
	unsigned nb = insn_obytes(i);
	uint64_t sp = iem_sp(c);
	uint64_t v = iem_rd(c, i, c->stk, sp, nb);

	if (is_mem(i)) {
		uint64_t ea = iem_ea(c, i);

		if (i->rm == R_SP)
			ea = (ea + nb) & iem_amask[i->fl & IEM_IF_ASZ];
		iem_wr(c, i, i->seg, ea, nb, v);
		iem_set_sp(c, sp + nb);
	} else {
		iem_set_sp(c, sp + nb);
		wrreg(c, i->rm, nb, v);
	}
	return 0;
}

int iem_op_bound(struct iem_cpu *c, const struct iem_insn *i)
{
	unsigned nb = insn_obytes(i);
	uint64_t ea = iem_ea(c, i);
	int64_t lo = (int64_t)sext(iem_rd(c, i, i->seg, ea, nb), nb * 8);
	int64_t hi = (int64_t)sext(iem_rd(c, i, i->seg, (ea + nb) & iem_amask[i->fl & IEM_IF_ASZ],
					  nb), nb * 8);
	int64_t v = (int64_t)sext(rdreg(c, i->reg, nb), nb * 8);

	if (v < lo || v > hi)
		iem_raise_noerr(c, X_BR);
	return 0;
}

/* ---- loops (address-size counter) ---- */

static int loop_common(struct iem_cpu *c, const struct iem_insn *i, int kind)
{
	uint64_t am = iem_amask[i->fl & IEM_IF_ASZ];
	uint64_t cnt = G(R_CX) & am;
	bool take;

	if (kind == 3) {
		take = cnt == 0;
	} else {
		cnt = (cnt - 1) & am;
		G(R_CX) = (G(R_CX) & ~am) | cnt;
		take = cnt != 0;
		if (kind == 1)
			take = take && lf_zf(c);
		else if (kind == 0)
			take = take && !lf_zf(c);
	}
	if (take)
		c->rip = (c->gpr[IEM_R_RIPBASE] + i->imm) & iem_ipmask(insn_osz(i));
	else
		c->rip = iem_next_rip(c, i);
	return 1;
}

int iem_op_loopne(struct iem_cpu *c, const struct iem_insn *i) { return loop_common(c, i, 0); }
int iem_op_loope(struct iem_cpu *c, const struct iem_insn *i) { return loop_common(c, i, 1); }
int iem_op_loop(struct iem_cpu *c, const struct iem_insn *i) { return loop_common(c, i, 2); }
int iem_op_jcxz(struct iem_cpu *c, const struct iem_insn *i) { return loop_common(c, i, 3); }

/* ---- moffs moves ---- */

int iem_op_mov_AO(struct iem_cpu *c, const struct iem_insn *i)
{
	unsigned nb = insn_obytes(i);
	uint64_t off = i->imm & iem_amask[i->fl & IEM_IF_ASZ];

	wrreg(c, R_AX, nb, iem_rd(c, i, i->seg, off, nb));
	return 0;
}

int iem_op_mov_OA(struct iem_cpu *c, const struct iem_insn *i)
{
	unsigned nb = insn_obytes(i);
	uint64_t off = i->imm & iem_amask[i->fl & IEM_IF_ASZ];

	iem_wr(c, i, i->seg, off, nb, rdreg(c, R_AX, nb));
	return 0;
}

int iem_op_arpl(struct iem_cpu *c, const struct iem_insn *i)
{
	uint64_t d, s = G(i->reg) & 3;

	if (!(c->cr0 & CR0_PE) || (c->eflags & F_VM))
		iem_raise_noerr(c, X_UD);
	if (is_mem(i)) {
		uintptr_t p = iem_map(c, i, i->seg, iem_ea(c, i), 2);

		d = hld(p, 2);
		if ((d & 3) < s)
			hst(p, 2, (d & ~3ull) | s);
		iem_unmap(c, p);
	} else {
		d = G(i->rm) & 0xffff;
		if ((d & 3) < s)
			wr16(c, i->rm, (d & ~3ull) | s);
	}
	lf_put(c, ((d & 3) < s) ? (lf_get(c) | F_ZF) : (lf_get(c) & ~(uint64_t)F_ZF));
	return 0;
}
