/*
 * String and port I/O instructions of the iem engine: MOVS, CMPS, STOS,
 * LODS, SCAS, INS, OUTS with REP/REPE/REPNE, and IN/OUT.
 *
 * Semantics: Intel SDM vol. 2 (string instructions, REP prefixes; rCX,
 * rSI and rDI of the address size; DF; ES:rDI not overridable; in 64-bit
 * mode only FS/GS bases apply), vol. 1 chapter 18 (I/O permission: CPL >
 * IOPL or virtual-8086 mode consults the TSS bitmap).  Fast paths
 * (softcpu.md 3.8): forward and backward REP MOVS/STOS move whole runs
 * that stay inside one page on both sides with host memory operations
 * (element order is kept where source and destination overlap), and REP
 * INS/OUTS hand whole runs to the board's bulk port hooks.  Between runs
 * (and every 256 elements on the slow path) pending interrupts end the
 * instruction early with RIP unchanged and the registers consistent, so it
 * resumes after the interrupt.
 */
#include "lib/vmm/iem/alu.h"
#include "lib/vmm/iem/iem-int.h"
#include "iem-gen.h"

#define G(n) (c->gpr[n])

enum { ST_MOVS, ST_CMPS, ST_STOS, ST_LODS, ST_SCAS, ST_INS, ST_OUTS };

struct sctx {
	uint64_t am;            /* address-size mask */
	unsigned nb;            /* element size */
	int64_t step;
	unsigned dseg;          /* ES, or flat in 64-bit mode */
	unsigned sseg;
};

static void sctx_init(struct iem_cpu *c, const struct iem_insn *i, unsigned nb, struct sctx *s)
{
	s->am = iem_amask[i->fl & IEM_IF_ASZ];
	s->nb = nb;
	s->step = (c->eflags & F_DF) ? -(int64_t)nb : (int64_t)nb;
	s->dseg = c->mode == 2 ? S_FLAT : S_ES;
	s->sseg = i->seg;
}

static inline void adv(struct iem_cpu *c, unsigned r, const struct sctx *s, uint64_t n)
{
	uint64_t v = (G(r) + (uint64_t)((int64_t)n * s->step)) & s->am;

	G(r) = (G(r) & ~s->am) | v;
	if (s->am == 0xffffffffull)
		G(r) = v;
}

static inline void set_count(struct iem_cpu *c, const struct sctx *s, uint64_t cnt)
{
	if (s->am == 0xffffffffull)
		G(R_CX) = cnt & s->am;
	else
		G(R_CX) = (G(R_CX) & ~s->am) | (cnt & s->am);
}

/* How many elements starting at offset off stay within one page (linear)
 * and do not wrap the offset register. */
static uint64_t run_len(struct iem_cpu *c, const struct sctx *s, unsigned seg, uint64_t off,
			uint64_t cnt)
{
	uint64_t lin = (c->seg[seg].base + off) & c->lin_mask, n;

	if (s->step > 0) {
		n = (0x1000 - (lin & 0xfff)) / s->nb;
		if (s->am != ~0ull) {
			uint64_t room = (s->am - off) / s->nb + 1;

			if (room < n)
				n = room;
		}
	} else {
		n = ((lin & 0xfff) + s->nb) / s->nb;
		if (s->am != ~0ull && off / s->nb + 1 < n)
			n = off / s->nb + 1;
	}
	return n < cnt ? n : cnt;
}

/* Host pointer to the lowest byte of a run of n elements at off, or 0. */
static uintptr_t run_ptr(struct iem_cpu *c, const struct sctx *s, unsigned seg, uint64_t off,
			 uint64_t n, bool write)
{
	uint64_t lo = s->step > 0 ? off : off - (n - 1) * s->nb;
	uint64_t bytes = n * s->nb, lin;

	lin = iem_seg_check(c, seg, lo, (unsigned)bytes, write);
	return iem_lin_host(c, lin, (unsigned)bytes, write);
}

static bool yield_due(struct iem_cpu *c)
{
	return (atomic_load_explicit(&c->attn, memory_order_relaxed) & c->attn_mask) != 0;
}

/* Stop a REP instruction early: it resumes at the same RIP. */
static int rep_yield(struct iem_cpu *c, const struct iem_insn *i)
{
	c->rip = iem_cur_rip(c, i);
	c->slice = 0;
	return 1;
}

static int str_op(struct iem_cpu *c, const struct iem_insn *i, int op, unsigned nb)
{
	struct sctx s;
	bool rep = (i->fl & (IEM_IF_REP | IEM_IF_REPNE)) != 0;
	uint64_t cnt;
	unsigned k = 0;

	sctx_init(c, i, nb, &s);
	if (op == ST_INS || op == ST_OUTS)
		iem_io_check(c, (uint16_t)G(R_DX), nb);
	if (!rep) {
		cnt = 1;
	} else {
		cnt = G(R_CX) & s.am;
		if (!cnt)
			return 0;
	}
	while (cnt) {
		uint64_t si = G(R_SI) & s.am, di = G(R_DI) & s.am, v, n;

		/* bulk runs */
		if (rep && (op == ST_MOVS || op == ST_STOS || op == ST_INS || op == ST_OUTS)) {
			n = cnt;
			if (op != ST_OUTS)
				n = run_len(c, &s, s.dseg, di, n);
			if (op == ST_MOVS || op == ST_OUTS)
				n = run_len(c, &s, s.sseg, si, n);
			if (n > 1) {
				uintptr_t src = 0, dst = 0;
				uint64_t bytes = n * nb, done = 0;

				if (op == ST_MOVS || op == ST_OUTS)
					src = run_ptr(c, &s, s.sseg, si, n, false);
				if (op != ST_OUTS && (op != ST_MOVS || src))
					dst = run_ptr(c, &s, s.dseg, di, n, true);
				if (op == ST_MOVS && src && dst) {
					if (s.step > 0 ? (dst <= src || dst >= src + bytes)
						       : (dst >= src || dst + bytes <= src)) {
						memmove((void *)dst, (void *)src, bytes);
					} else if (s.step > 0) {
						uint64_t b;

						for (b = 0; b < bytes; b++)
							((volatile uint8_t *)dst)[b] = ((volatile uint8_t *)src)[b];
					} else {
						uint64_t e;

						for (e = n; e-- > 0;)
							memcpy((void *)(dst + e * nb), (void *)(src + e * nb), nb);
					}
					done = n;
				} else if (op == ST_STOS && dst) {
					uint64_t val = G(R_AX), e;

					if (nb == 1)
						memset((void *)dst, (int)(val & 0xff), bytes);
					else
						for (e = 0; e < n; e++)
							hst(dst + e * nb, nb, val);
					done = n;
				} else if (op == ST_INS && dst && c->m->ops.pio_in_rep) {
					if (s.step > 0)
						done = c->m->ops.pio_in_rep(c->m->ops.opaque, c->index,
									    (uint16_t)G(R_DX), nb,
									    (void *)dst, (uint32_t)n);
				} else if (op == ST_OUTS && src && c->m->ops.pio_out_rep) {
					if (s.step > 0)
						done = c->m->ops.pio_out_rep(c->m->ops.opaque, c->index,
									     (uint16_t)G(R_DX), nb,
									     (const void *)src, (uint32_t)n);
				}
				if (done) {
					if (op == ST_MOVS || op == ST_OUTS)
						adv(c, R_SI, &s, done);
					if (op != ST_OUTS)
						adv(c, R_DI, &s, done);
					cnt -= done;
					set_count(c, &s, cnt);
					c->slice -= (int64_t)(done / 16);
					if (cnt && yield_due(c))
						return rep_yield(c, i);
					continue;
				}
			}
		}
		/* one element */
		switch (op) {
		case ST_MOVS:
			v = iem_rd(c, i, s.sseg, si, nb);
			iem_wr(c, i, s.dseg, di, nb, v);
			adv(c, R_SI, &s, 1);
			adv(c, R_DI, &s, 1);
			break;
		case ST_STOS:
			iem_wr(c, i, s.dseg, di, nb, G(R_AX));
			adv(c, R_DI, &s, 1);
			break;
		case ST_LODS:
			v = iem_rd(c, i, s.sseg, si, nb);
			wrreg(c, R_AX, nb, v);
			adv(c, R_SI, &s, 1);
			break;
		case ST_CMPS: {
			uint64_t a = iem_rd(c, i, s.sseg, si, nb);
			uint64_t b = iem_rd(c, i, s.dseg, di, nb);

			alu(c, A_CMP, nb * 8, a, b);
			adv(c, R_SI, &s, 1);
			adv(c, R_DI, &s, 1);
			break;
		}
		case ST_SCAS:
			alu(c, A_CMP, nb * 8, rdreg(c, R_AX, nb), iem_rd(c, i, s.dseg, di, nb));
			adv(c, R_DI, &s, 1);
			break;
		case ST_INS:
			/* the destination must be writable before the port is read */
			iem_mem_probe_w(c, s.dseg, di, nb);
			v = iem_in(c, (uint16_t)G(R_DX), nb);
			iem_wr(c, i, s.dseg, di, nb, v);
			adv(c, R_DI, &s, 1);
			break;
		case ST_OUTS:
			v = iem_rd(c, i, s.sseg, si, nb);
			iem_out(c, (uint16_t)G(R_DX), nb, (uint32_t)v);
			adv(c, R_SI, &s, 1);
			break;
		}
		if (!rep)
			break;
		cnt--;
		set_count(c, &s, cnt);
		if ((op == ST_CMPS || op == ST_SCAS) && cnt) {
			bool zf = lf_zf(c);

			if ((i->fl & IEM_IF_REP) ? !zf : zf)
				break;
		}
		if (cnt && (++k & 255) == 0) {
			c->slice -= 256;
			if (yield_due(c))
				return rep_yield(c, i);
		}
	}
	return op == ST_OUTS ? (c->rip = iem_next_rip(c, i), 1) : 0;
}

int iem_op_movsb(struct iem_cpu *c, const struct iem_insn *i) { return str_op(c, i, ST_MOVS, 1); }
int iem_op_movsv(struct iem_cpu *c, const struct iem_insn *i) { return str_op(c, i, ST_MOVS, insn_obytes(i)); }
int iem_op_cmpsb(struct iem_cpu *c, const struct iem_insn *i) { return str_op(c, i, ST_CMPS, 1); }
int iem_op_cmpsv(struct iem_cpu *c, const struct iem_insn *i) { return str_op(c, i, ST_CMPS, insn_obytes(i)); }
int iem_op_stosb(struct iem_cpu *c, const struct iem_insn *i) { return str_op(c, i, ST_STOS, 1); }
int iem_op_stosv(struct iem_cpu *c, const struct iem_insn *i) { return str_op(c, i, ST_STOS, insn_obytes(i)); }
int iem_op_lodsb(struct iem_cpu *c, const struct iem_insn *i) { return str_op(c, i, ST_LODS, 1); }
int iem_op_lodsv(struct iem_cpu *c, const struct iem_insn *i) { return str_op(c, i, ST_LODS, insn_obytes(i)); }
int iem_op_scasb(struct iem_cpu *c, const struct iem_insn *i) { return str_op(c, i, ST_SCAS, 1); }
int iem_op_scasv(struct iem_cpu *c, const struct iem_insn *i) { return str_op(c, i, ST_SCAS, insn_obytes(i)); }

static unsigned io_size(const struct iem_insn *i)
{
	unsigned nb = insn_obytes(i);

	return nb > 4 ? 4 : nb;
}

int iem_op_insb(struct iem_cpu *c, const struct iem_insn *i) { return str_op(c, i, ST_INS, 1); }
int iem_op_insv(struct iem_cpu *c, const struct iem_insn *i) { return str_op(c, i, ST_INS, io_size(i)); }
int iem_op_outsb(struct iem_cpu *c, const struct iem_insn *i) { return str_op(c, i, ST_OUTS, 1); }
int iem_op_outsv(struct iem_cpu *c, const struct iem_insn *i) { return str_op(c, i, ST_OUTS, io_size(i)); }

/* ---- IN / OUT ---- */

void iem_io_check(struct iem_cpu *c, uint16_t port, unsigned n)
{
	if ((c->cr0 & CR0_PE) &&
	    (c->cpl > ((c->eflags & F_IOPL) >> 12) || (c->eflags & F_VM)))
		iem_tss_io_check(c, port, n);
}

uint32_t iem_in(struct iem_cpu *c, uint16_t port, unsigned n)
{
	struct iem_machine *m = c->m;

	if (!m->ops.pio_in)
		return (uint32_t)zmask(n * 8);
	return m->ops.pio_in(m->ops.opaque, c->index, port, n) & (uint32_t)zmask(n * 8);
}

void iem_out(struct iem_cpu *c, uint16_t port, unsigned n, uint32_t v)
{
	struct iem_machine *m = c->m;

	if (m->ops.pio_out)
		m->ops.pio_out(m->ops.opaque, c->index, port, n, v & (uint32_t)zmask(n * 8));
}

static unsigned in_size(const struct iem_insn *i)
{
	return (i->opc & 1) ? io_size(i) : 1;
}

int iem_op_in_I(struct iem_cpu *c, const struct iem_insn *i)
{
	unsigned n = in_size(i);
	uint16_t port = (uint16_t)(i->imm & 0xff);

	iem_io_check(c, port, n);
	wrreg(c, R_AX, n, iem_in(c, port, n));
	return 0;
}

int iem_op_in_DX(struct iem_cpu *c, const struct iem_insn *i)
{
	unsigned n = in_size(i);
	uint16_t port = (uint16_t)G(R_DX);

	iem_io_check(c, port, n);
	wrreg(c, R_AX, n, iem_in(c, port, n));
	return 0;
}

int iem_op_out_I(struct iem_cpu *c, const struct iem_insn *i)
{
	unsigned n = in_size(i);
	uint16_t port = (uint16_t)(i->imm & 0xff);

	iem_io_check(c, port, n);
	iem_out(c, port, n, (uint32_t)G(R_AX));
	c->rip = iem_next_rip(c, i);
	return 1;
}

int iem_op_out_DX(struct iem_cpu *c, const struct iem_insn *i)
{
	unsigned n = in_size(i);
	uint16_t port = (uint16_t)G(R_DX);

	iem_io_check(c, port, n);
	iem_out(c, port, n, (uint32_t)G(R_AX));
	c->rip = iem_next_rip(c, i);
	return 1;
}
