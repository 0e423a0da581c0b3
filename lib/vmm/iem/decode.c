/*
 * Instruction decoder of the iem engine.
 *
 * Follows the instruction format of Intel SDM vol. 2 chapter 2 (prefixes,
 * REX, ModRM/SIB, displacement, immediates) and AMD APM vol. 3 chapter 1.
 * The opcode space comes from the generated form table (opcodes.tab); this
 * file only knows the encoding rules:
 *   - legacy prefixes in any order, the last segment override wins, the
 *     last of F2/F3 is the mandatory prefix (else 66), REX only in 64-bit
 *     mode and only directly before the opcode (a REX followed by another
 *     prefix is ignored);
 *   - 16-bit and 32/64-bit ModRM addressing, SIB, RIP-relative addressing,
 *     SS as default segment for rBP/rSP bases, segment overrides other
 *     than FS/GS ignored in 64-bit mode;
 *   - the 15-byte limit (#GP(0)), LOCK only on lockable forms with a memory
 *     destination (#UD), fetches checked against the CS limit (#GP(0)) and
 *     through the code TLB (#PF).
 * Each instruction becomes one record (two for a RIP-relative operand too
 * far for a 32-bit displacement); branch targets and RIP-relative
 * displacements are folded relative to the block's first RIP.
 */
#include "lib/vmm/iem/iem-int.h"
#include "iem-gen.h"

enum { FETCH_OK = 0, FETCH_PF = 1, FETCH_GP = 2, FETCH_NOTRAM = 3 };

struct dstate {
	struct iem_decoder *d;
	unsigned n;             /* bytes consumed */
	unsigned mode;
	uint64_t start_ip;
	bool bad;
};

static int fetch_page(struct iem_decoder *d)
{
	struct iem_cpu *c = d->c;
	uint64_t gpa;
	uint32_t err;
	uint8_t *host;

	if (!iem_translate(c, d->lin, IEM_ACC_X, &gpa, &err)) {
		d->fault = FETCH_PF;
		d->pferr = err;
		d->fault_lin = d->lin;
		return -1;
	}
	host = iem_phys_host(c, gpa & ~0xfffull, false);
	if (!host) {
		d->fault = FETCH_NOTRAM;
		return -1;
	}
	d->host = host;
	d->page = d->lin & ~0xfffull;
	d->gpa2 = gpa & ~0xfffull;
	return 0;
}

static bool fetch(struct dstate *s, uint8_t *b)
{
	struct iem_decoder *d = s->d;
	struct iem_cpu *c = d->c;

	if (s->bad)
		return false;
	if (s->n >= 15) {
		d->fault = FETCH_GP;
		s->bad = true;
		return false;
	}
	if (s->mode != 2) {
		uint64_t lim = c->seg[S_CS].limit;
		uint64_t ip = d->ip;

		if (ip > lim || (s->mode == 0 && ip > 0xffff)) {
			d->fault = FETCH_GP;
			s->bad = true;
			return false;
		}
	}
	if ((d->lin & ~0xfffull) != d->page) {
		if (fetch_page(d)) {
			s->bad = true;
			return false;
		}
	}
	*b = d->host[d->lin & 0xfff];
	d->lin = (d->lin + 1) & c->lin_mask;
	d->ip++;
	s->n++;
	return true;
}

static bool fetchn(struct dstate *s, unsigned n, uint64_t *v)
{
	uint64_t r = 0;
	uint8_t b;
	unsigned k;

	for (k = 0; k < n; k++) {
		if (!fetch(s, &b))
			return false;
		r |= (uint64_t)b << (8 * k);
	}
	*v = r;
	return true;
}

/* Byte-register code of register n (0-15): AH-BH without REX. */
static uint8_t bytereg(unsigned n, bool rex)
{
	if (!rex && n >= 4 && n < 8)
		return (uint8_t)((n - 4) | 16);
	return (uint8_t)n;
}

static const void *special_label(int which);


/* Turn the record into one that raises when executed. */
static unsigned fail_record(struct iem_decoder *d, struct iem_insn *out, int kind,
			    unsigned len)
{
	memset(out, 0, sizeof(*out));
	out->label = special_label(kind);
	out->imm = d->fault_lin;
	out->disp = (int32_t)d->pferr;
	out->offlen = (uint16_t)(len << 12);
	return 0;
}


static const void *special_label(int which)
{
	return iem_special_labels[which];
}

static bool match(const struct iem_form *f, unsigned mode, unsigned mp, bool has_modrm,
		  unsigned mod, unsigned reg, unsigned rm, bool rexb)
{
	if (f->mode == 1 && mode != 2)
		return false;
	if (f->mode == 2 && mode == 2)
		return false;
	if (f->pfx && f->pfx != (mp ? mp : 1))
		return false;
	if ((f->flags & IEM_FF_NOREXB) && rexb)
		return false;
	if (has_modrm) {
		if (f->reg != 0xff && f->reg != reg)
			return false;
		if (f->mod == 1 && mod == 3 && !(f->flags & IEM_FF_MODREG))
			return false;
		if (f->mod == 2 && mod != 3)
			return false;
		if (f->rm != 0xff && (mod != 3 || f->rm != rm))
			return false;
	}
	return true;
}

unsigned iem_decode(struct iem_decoder *d, unsigned mode, struct iem_insn *out)
{
	struct dstate s = { .d = d, .mode = mode, .start_ip = d->ip };
	uint8_t b, opc, modrm = 0;
	unsigned seg = 0xff, last_rep = 0;
	bool p66 = false, p67 = false, lock = false, rex = false;
	unsigned rexw = 0, rexr = 0, rexx = 0, rexb = 0;
	unsigned map = 0, mod = 0, reg = 0, rm = 0, mp, osz, asz;
	const uint16_t (*index)[2];
	const struct iem_form *f = NULL;
	unsigned k, first, count, off;
	uint64_t v;

	d->fault = FETCH_OK;
	off = (unsigned)(d->ip - d->blk_ip);
	memset(out, 0, sizeof(*out));
	for (;;) {
		if (!fetch(&s, &b))
			goto fetch_failed;
		switch (b) {
		case 0x26: case 0x2e: case 0x36: case 0x3e:
			seg = (b >> 3) & 3;
			rex = false;
			continue;
		case 0x64: case 0x65:
			seg = S_FS + (b & 1);
			rex = false;
			continue;
		case 0x66:
			p66 = true;
			rex = false;
			continue;
		case 0x67:
			p67 = true;
			rex = false;
			continue;
		case 0xf0:
			lock = true;
			rex = false;
			continue;
		case 0xf2: case 0xf3:
			last_rep = b;
			rex = false;
			continue;
		default:
			break;
		}
		if (mode == 2 && (b & 0xf0) == 0x40) {
			rex = true;
			rexw = (b >> 3) & 1;
			rexr = (b >> 2) & 1;
			rexx = (b >> 1) & 1;
			rexb = b & 1;
			continue;
		}
		break;
	}
	if (!rex)
		rexw = rexr = rexx = rexb = 0;
	opc = b;
	if (opc == 0x0f) {
		if (!fetch(&s, &opc))
			goto fetch_failed;
		map = 1;
		if (opc == 0x38 || opc == 0x3a)
			goto ud;        /* no SSSE3/SSE4 on this CPU model */
	}
	index = map ? iem_form_index1 : iem_form_index0;
	first = index[opc][0];
	count = index[opc][1];
	if (!count)
		goto ud;
	mp = last_rep == 0xf3 ? 3 : last_rep == 0xf2 ? 4 : p66 ? 2 : 0;
	if (iem_forms[first].flags & IEM_FF_MODRM) {
		if (!fetch(&s, &modrm))
			goto fetch_failed;
		mod = modrm >> 6;
		reg = (modrm >> 3) & 7;
		rm = modrm & 7;
	}
	for (k = 0; k < count; k++) {
		if (match(&iem_forms[first + k], mode, mp, iem_forms[first].flags & IEM_FF_MODRM,
			  mod, reg, rm, rexb)) {
			f = &iem_forms[first + k];
			break;
		}
	}
	if (!f)
		goto ud;
	if (f->flags & IEM_FF_MODREG)
		mod = 3;

	/* operand size */
	if (mode == 2) {
		if (f->flags & IEM_FF_F64)
			osz = 3;
		else if (rexw)
			osz = 3;
		else if (p66)
			osz = 1;
		else
			osz = (f->flags & IEM_FF_D64) ? 3 : 2;
		asz = p67 ? 1 : 2;
	} else {
		osz = (mode == 1) ^ p66 ? 2 : 1;
		asz = (mode == 1) ^ p67 ? 1 : 0;
	}
	switch (f->szclass) {
	case IEM_SZ_B: osz = 0; break;
	case IEM_SZ_W: osz = 1; break;
	case IEM_SZ_D: osz = 2; break;
	case IEM_SZ_Q: osz = 3; break;
	case IEM_SZ_Y: osz = (mode == 2 && rexw) ? 3 : 2; break;
	case IEM_SZ_Z: if (osz == 3) osz = 2; break;
	default: break;
	}

	if (lock && (!(f->flags & IEM_FF_LOCK) || mod == 3 || !(f->flags & IEM_FF_MODRM)))
		goto ud;

	out->fl = (uint8_t)(asz | (osz << IEM_IF_OSZ_SHIFT) | (lock ? IEM_IF_LOCK : 0) |
			    (last_rep == 0xf3 ? IEM_IF_REP : 0) |
			    (last_rep == 0xf2 ? IEM_IF_REPNE : 0));
	out->pfx = (uint8_t)(mp | (rex ? IEM_IP_REX : 0) | (rexw ? IEM_IP_REXW : 0) |
			     (map ? IEM_IP_0F : 0) | (p66 ? IEM_IP_66 : 0) |
			     (seg != 0xff ? IEM_IP_SEGOVR : 0));
	out->opc = opc;
	out->idx = IEM_R_ZERO;
	out->rm = IEM_R_ZERO;

	/* operands */
	bool rip_rel = false;
	if (f->flags & IEM_FF_MODRM) {
		out->reg = (uint8_t)(reg | (rexr << 3));
		if (f->flags & IEM_FF_BYTE_REG)
			out->reg = bytereg(out->reg, rex);
		if (mod == 3) {
			out->rm = (uint8_t)(rm | (rexb << 3));
			if (f->flags & IEM_FF_BYTE_RM)
				out->rm = bytereg(out->rm, rex);
		} else {
			unsigned dseg = S_DS;

			out->fl |= IEM_IF_MEM;
			if (asz == 0) {
				static const uint8_t base16[8] = { R_BX, R_BX, R_BP, R_BP,
								   R_SI, R_DI, R_BP, R_BX };
				static const uint8_t idx16[8] = { R_SI, R_DI, R_SI, R_DI,
								  IEM_R_ZERO, IEM_R_ZERO,
								  IEM_R_ZERO, IEM_R_ZERO };
				if (mod == 0 && rm == 6) {
					if (!fetchn(&s, 2, &v))
						goto fetch_failed;
					out->disp = (int16_t)v;
				} else {
					out->rm = base16[rm];
					out->idx = idx16[rm];
					if (rm == 2 || rm == 3 || rm == 6)
						dseg = S_SS;
					if (mod == 1) {
						if (!fetchn(&s, 1, &v))
							goto fetch_failed;
						out->disp = (int8_t)v;
					} else if (mod == 2) {
						if (!fetchn(&s, 2, &v))
							goto fetch_failed;
						out->disp = (int16_t)v;
					}
				}
			} else {
				unsigned base = rm;

				if (rm == 4) {
					uint8_t sib;

					if (!fetch(&s, &sib))
						goto fetch_failed;
					unsigned ix = ((sib >> 3) & 7) | (rexx << 3);

					base = sib & 7;
					out->scale = sib >> 6;
					if (ix != 4)
						out->idx = (uint8_t)ix;
					if (base == 5 && mod == 0) {
						if (!fetchn(&s, 4, &v))
							goto fetch_failed;
						out->disp = (int32_t)v;
						base = 0xff;
					}
				} else if (rm == 5 && mod == 0) {
					if (!fetchn(&s, 4, &v))
						goto fetch_failed;
					out->disp = (int32_t)v;
					base = 0xff;
					if (mode == 2)
						rip_rel = true;
				}
				if (base != 0xff) {
					out->rm = (uint8_t)(base | (rexb << 3));
					if (base == 4 || base == 5)
						dseg = S_SS;
				}
				if (mod == 1) {
					if (!fetchn(&s, 1, &v))
						goto fetch_failed;
					out->disp = (int8_t)v;
				} else if (mod == 2) {
					if (!fetchn(&s, 4, &v))
						goto fetch_failed;
					out->disp = (int32_t)v;
				}
			}
			if (seg != 0xff)
				dseg = seg;
			if (mode == 2 && dseg < S_FS)
				dseg = dseg == S_SS ? S_FLATSTK : S_FLAT;
			out->seg = (uint8_t)dseg;
		}
	} else {
		unsigned dseg = seg != 0xff ? seg : S_DS;

		if (mode == 2 && dseg < S_FS)
			dseg = S_FLAT;
		out->seg = (uint8_t)dseg;
		if (f->flags & IEM_FF_ZREG) {
			out->rm = (uint8_t)((opc & 7) | (rexb << 3));
			if (f->flags & IEM_FF_BYTE_RM)
				out->rm = bytereg(out->rm, rex);
		}
	}
	if (f->flags & IEM_FF_RM0)
		out->rm = 0;
	if (f->flags & IEM_FF_REG0)
		out->reg = 0;

	/* immediates */
	switch (f->imm) {
	case IEM_IMM_IB:
		if (!fetchn(&s, 1, &out->imm))
			goto fetch_failed;
		break;
	case IEM_IMM_IBS:
	case IEM_IMM_JB:
		if (!fetchn(&s, 1, &v))
			goto fetch_failed;
		out->imm = (uint64_t)(int64_t)(int8_t)v;
		break;
	case IEM_IMM_IW:
		if (!fetchn(&s, 2, &out->imm))
			goto fetch_failed;
		break;
	case IEM_IMM_IZ:
	case IEM_IMM_JZ:
		if (osz == 1) {
			if (!fetchn(&s, 2, &v))
				goto fetch_failed;
			out->imm = (uint64_t)(int64_t)(int16_t)v;
		} else {
			if (!fetchn(&s, 4, &v))
				goto fetch_failed;
			out->imm = (uint64_t)(int64_t)(int32_t)v;
		}
		break;
	case IEM_IMM_IV:
		if (!fetchn(&s, osz == 1 ? 2 : osz == 2 ? 4 : 8, &out->imm))
			goto fetch_failed;
		break;
	case IEM_IMM_AP:
		if (!fetchn(&s, osz == 1 ? 2 : 4, &out->imm))
			goto fetch_failed;
		if (!fetchn(&s, 2, &v))
			goto fetch_failed;
		out->disp = (int32_t)v;
		break;
	case IEM_IMM_OV:
		if (!fetchn(&s, asz == 0 ? 2 : asz == 1 ? 4 : 8, &out->imm))
			goto fetch_failed;
		break;
	case IEM_IMM_IWIB:
		if (!fetchn(&s, 2, &out->imm))
			goto fetch_failed;
		if (!fetchn(&s, 1, &v))
			goto fetch_failed;
		out->disp = (int32_t)v;
		break;
	default:
		break;
	}

	out->op = f->op[(out->fl & IEM_IF_MEM) ? 1 : 0][osz];
	if (out->op == IEM_OP_invalid)
		goto ud;
	out->label = iem_labels[out->op];
	out->offlen = (uint16_t)(off | (s.n << 12));
	if (f->imm == IEM_IMM_JB || f->imm == IEM_IMM_JZ)
		out->imm += off + s.n;
	if (rip_rel) {
		int64_t full = (int64_t)out->disp + off + s.n;

		if (full == (int32_t)full) {
			out->rm = IEM_R_RIPBASE;
			out->disp = (int32_t)full;
		} else {
			/* precede by a record computing the address */
			out[1] = out[0];
			memset(out, 0, sizeof(*out));
			out->label = special_label(IEM_SP_SETBASE);
			out->imm = (uint64_t)full;
			out->offlen = (uint16_t)off;
			out[1].rm = IEM_R_SCRATCH;
			out[1].disp = 0;
			return s.n | IEM_DEC_TWO | ((f->flags & IEM_FF_END) ? IEM_DEC_END : 0);
		}
	}
	return s.n | ((f->flags & IEM_FF_END) ? IEM_DEC_END : 0);

ud:
	if (d->fault)
		goto fetch_failed;
	fail_record(d, out, IEM_SP_UD, s.n);
	out->offlen = (uint16_t)(off | (s.n << 12));
	return 0;
fetch_failed:
	switch (d->fault) {
	case FETCH_PF:
		fail_record(d, out, IEM_SP_FETCH, 0);
		break;
	case FETCH_NOTRAM:
		fail_record(d, out, IEM_SP_NOTRAM, 0);
		break;
	default:
		fail_record(d, out, IEM_SP_GP0, 0);
		break;
	}
	out->offlen = (uint16_t)off;
	return 0;
}
