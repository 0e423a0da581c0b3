/*
 * x87 FPU of the iem engine, and the executable-stub cache it shares with
 * sse.c.
 *
 * Approach: the guest x87/SSE state is kept in FXSAVE64 layout (c->fx).
 * An arithmetic x87 instruction is replayed on the host FPU (the host is
 * x86-64, so results, rounding, precision control, tags, condition codes
 * and exception flags are those of real silicon): a generated stub loads
 * the guest image with FXRSTOR, executes the same opcode with its memory
 * operand redirected to a host buffer, saves the image with FXSAVE and
 * restores the host's state.  Only encodings this file lists as valid are
 * replayed; everything else is #UD.  The environment and state images of
 * FLDENV/FNSTENV/FRSTOR/FNSAVE are converted in C (Intel SDM vol. 1 8.1.10,
 * figures 8-9 to 8-12), as are FNSTSW/FNSTCW/FNINIT/FNCLEX/FWAIT.
 * Pending unmasked exceptions raise #MF on the next waiting instruction;
 * with CR0.NE clear the engine also raises #MF (no FERR#/IRQ 13 emulation).
 * Limits: FISTTP (SSE3) is not provided; the last-instruction pointers
 * (FIP/FDP/FOP) are recorded for memory operands and arithmetic only.
 */
#include <stdlib.h>

#include "lib/vmm/iem/iem-int.h"
#include "iem-gen.h"

#define FX_FCW 0
#define FX_FSW 2
#define FX_FTW 4
#define FX_FOP 6
#define FX_FIP 8
#define FX_FDP 16
#define FX_MXCSR 24
#define FX_MXMASK 28
#define FX_ST 32

static uint16_t fx16(const struct iem_cpu *c, unsigned off)
{
	uint16_t v;

	memcpy(&v, c->fx + off, 2);
	return v;
}

static void fx16_set(struct iem_cpu *c, unsigned off, uint16_t v)
{
	memcpy(c->fx + off, &v, 2);
}

void iem_fpu_reset(struct iem_cpu *c)
{
	uint32_t mx = 0x1f80, mask = 0xffff;

	memset(c->fx, 0, sizeof(c->fx));
	fx16_set(c, FX_FCW, 0x40);
	memcpy(c->fx + FX_MXCSR, &mx, 4);
	memcpy(c->fx + FX_MXMASK, &mask, 4);
}

/* ---- stub cache ---- */

struct stub_ent {
	uint64_t key;
	void *code;
};
#define STUBTAB 1024

void *iem_stub_lookup(struct iem_cpu *c, uint64_t key, const uint8_t *code, size_t n)
{
	struct stub_ent *tab = c->stubtab;
	unsigned h = (unsigned)((key * 0x9e3779b97f4a7c15ull) >> 54) & (STUBTAB - 1);
	unsigned k;
	void *p;

	if (!tab) {
		tab = calloc(STUBTAB, sizeof(*tab));
		if (!tab)
			return NULL;
		c->stubtab = tab;
	}
	for (k = 0; k < 8; k++) {
		struct stub_ent *e = &tab[(h + k) & (STUBTAB - 1)];

		if (!e->code)
			break;
		if (e->key == key)
			return e->code;
	}
	p = iem_stub_alloc(c, n);
	if (!p) {
		/* arena full: start over (records hold no stub pointers) */
		c->stubs_used = 0;
		memset(tab, 0, STUBTAB * sizeof(*tab));
		p = iem_stub_alloc(c, n);
		if (!p)
			return NULL;
	}
	memcpy(p, code, n);
	for (k = 0; k < 8; k++) {
		struct stub_ent *e = &tab[(h + k) & (STUBTAB - 1)];

		if (!e->code) {
			e->key = key;
			e->code = p;
			return p;
		}
	}
	tab[h].key = key;
	tab[h].code = p;
	return p;
}

/* ---- checks ---- */

void iem_fpu_check(struct iem_cpu *c, bool wait)
{
	if (c->cr0 & CR0_EM)
		iem_raise_noerr(c, X_NM);
	if (c->cr0 & CR0_TS)
		iem_raise_noerr(c, X_NM);
	if (wait && (fx16(c, FX_FSW) & 0x80))
		iem_raise_noerr(c, X_MF);
}

/* ---- x87 replay ---- */

typedef void (*x87_stub)(uint8_t *image, uint8_t *mem, uint8_t *host);

/*
 * Stub: fxsave64 (%rdx); fxrstor64 (%rdi); <op>; fxsave64 (%rdi);
 * [pushfq; popq 16(%rsi)]; fxrstor64 (%rdx); ret.
 * Memory operands use (%rsi).
 */
static x87_stub x87_stub_for(struct iem_cpu *c, uint8_t opc, uint8_t modrm, bool flags)
{
	uint8_t code[32];
	size_t n = 0;
	uint64_t key = 0x87000000ull | ((uint64_t)flags << 16) | ((uint64_t)opc << 8) | modrm;

	code[n++] = 0x48; code[n++] = 0x0f; code[n++] = 0xae; code[n++] = 0x02;
	code[n++] = 0x48; code[n++] = 0x0f; code[n++] = 0xae; code[n++] = 0x0f;
	code[n++] = opc;
	code[n++] = modrm;
	if (flags) {
		code[n++] = 0x9c;                               /* pushfq */
		code[n++] = 0x8f; code[n++] = 0x46; code[n++] = 0x10;   /* popq 16(%rsi) */
	}
	code[n++] = 0x48; code[n++] = 0x0f; code[n++] = 0xae; code[n++] = 0x07;
	code[n++] = 0x48; code[n++] = 0x0f; code[n++] = 0xae; code[n++] = 0x0a;
	code[n++] = 0xc3;
	return (x87_stub)iem_stub_lookup(c, key, code, n);
}

/* Memory operand: size in bytes, 0 = not a valid memory form; store = written. */
static unsigned x87_mem(uint8_t opc, unsigned reg, bool *store)
{
	static const uint8_t sz[8][8] = {
		/* D8 */ { 4, 4, 4, 4, 4, 4, 4, 4 },
		/* D9 */ { 4, 0, 4, 4, 0xe, 2, 0xe, 2 },
		/* DA */ { 4, 4, 4, 4, 4, 4, 4, 4 },
		/* DB */ { 4, 0, 4, 4, 0, 10, 0, 10 },
		/* DC */ { 8, 8, 8, 8, 8, 8, 8, 8 },
		/* DD */ { 8, 0, 8, 8, 0x5, 0, 0x5, 2 },
		/* DE */ { 2, 2, 2, 2, 2, 2, 2, 2 },
		/* DF */ { 2, 0, 2, 2, 10, 8, 10, 8 },
	};
	static const uint8_t st[8] = { 0x00, 0xcc, 0x00, 0x8c, 0x00, 0xcc, 0x00, 0xcc };

	*store = (st[opc - 0xd8] >> reg) & 1;
	return sz[opc - 0xd8][reg];
}

/* Register forms that are valid instructions (bitmap per opcode byte). */
static bool x87_reg_valid(uint8_t opc, uint8_t modrm)
{
	unsigned r = modrm & 0x3f;

	switch (opc) {
	case 0xd8: case 0xdc: case 0xde:
		return true;
	case 0xd9:
		if (r < 0x10)
			return true;            /* fld st(i), fxch */
		if (r == 0x10)
			return true;            /* fnop */
		if (r < 0x20)
			return r >= 0x18;       /* fstp1 alias D9 D8-DF */
		return !(r == 0x22 || r == 0x23 || r == 0x26 || r == 0x27 || r == 0x2f);
	case 0xda:
		return r < 0x20 || r == 0x29;
	case 0xdb:
		return r < 0x20 || (r >= 0x20 && r <= 0x24) || (r >= 0x28 && r < 0x38);
	case 0xdd:
		return r < 0x30;
	case 0xdf:
		return r < 0x20 || r == 0x20 || (r >= 0x28 && r < 0x38);
	default:
		return false;
	}
}

static void fpu_note(struct iem_cpu *c, const struct iem_insn *i, uint8_t modrm, uint64_t ea)
{
	uint16_t fop = (uint16_t)(((i->opc & 7) << 8) | modrm);
	uint64_t rip = iem_cur_rip(c, i);

	memcpy(c->fx + FX_FOP, &fop, 2);
	memcpy(c->fx + FX_FIP, &rip, 8);
	if (i->fl & IEM_IF_MEM)
		memcpy(c->fx + FX_FDP, &ea, 8);
}

static void run_x87(struct iem_cpu *c, uint8_t *image, uint8_t *mem, x87_stub s)
{
	uint8_t host[512] __attribute__((aligned(16)));

	s(image, mem, host);
}

/* 28-byte protected-mode environment <-> image (full tag word). */
static uint16_t full_tags(const struct iem_cpu *c)
{
	uint8_t abr = c->fx[FX_FTW];
	unsigned top = (fx16(c, FX_FSW) >> 11) & 7, k;
	uint16_t tw = 0;

	for (k = 0; k < 8; k++) {
		unsigned st = (k - top) & 7;
		const uint8_t *r = c->fx + FX_ST + 16 * st;
		uint16_t exp;
		uint64_t mant;
		unsigned t;

		memcpy(&exp, r + 8, 2);
		memcpy(&mant, r, 8);
		exp &= 0x7fff;
		if (!((abr >> k) & 1))
			t = 3;
		else if (exp == 0x7fff)
			t = 2;
		else if (exp == 0)
			t = mant ? 2 : 1;
		else
			t = (mant >> 63) ? 0 : 2;
		tw |= (uint16_t)(t << (2 * k));
	}
	return tw;
}

static void store_env(struct iem_cpu *c, const struct iem_insn *i, uint64_t ea, bool o16)
{
	uint8_t env[28];
	uint64_t fip, fdp;

	memset(env, 0, sizeof(env));
	memcpy(&fip, c->fx + FX_FIP, 8);
	memcpy(&fdp, c->fx + FX_FDP, 8);
	if (o16) {
		uint16_t w[7] = { fx16(c, FX_FCW), fx16(c, FX_FSW), full_tags(c), (uint16_t)fip,
				  c->seg[S_CS].sel, (uint16_t)fdp, c->seg[S_DS].sel };

		memcpy(env, w, 14);
		iem_mem_write(c, i->seg, ea, env, 14);
	} else {
		uint32_t d[7] = { fx16(c, FX_FCW) | 0xffff0000u, fx16(c, FX_FSW) | 0xffff0000u,
				  full_tags(c) | 0xffff0000u, (uint32_t)fip,
				  c->seg[S_CS].sel | ((uint32_t)fx16(c, FX_FOP) << 16),
				  (uint32_t)fdp, c->seg[S_DS].sel | 0xffff0000u };

		memcpy(env, d, 28);
		iem_mem_write(c, i->seg, ea, env, 28);
	}
}

static void load_env(struct iem_cpu *c, const struct iem_insn *i, uint64_t ea, bool o16,
		     uint8_t *image)
{
	uint8_t env[28];
	uint16_t fcw, fsw, ftw;
	uint8_t abr = 0;
	unsigned k;

	iem_mem_read(c, i->seg, ea, env, o16 ? 14 : 28);
	if (o16) {
		memcpy(&fcw, env, 2);
		memcpy(&fsw, env + 2, 2);
		memcpy(&ftw, env + 4, 2);
	} else {
		memcpy(&fcw, env, 2);
		memcpy(&fsw, env + 4, 2);
		memcpy(&ftw, env + 8, 2);
	}
	for (k = 0; k < 8; k++)
		if (((ftw >> (2 * k)) & 3) != 3)
			abr |= (uint8_t)(1u << k);
	memcpy(image + FX_FCW, &fcw, 2);
	memcpy(image + FX_FSW, &fsw, 2);
	image[FX_FTW] = abr;
}

static int fpu_op(struct iem_cpu *c, const struct iem_insn *i)
{
	bool mem = (i->fl & IEM_IF_MEM) != 0;
	unsigned reg = i->reg & 7;
	uint8_t opc = i->opc, modrm;
	uint8_t image[512] __attribute__((aligned(16)));
	uint8_t buf[24] __attribute__((aligned(16)));
	bool store, o16 = insn_osz(i) == 1;
	uint64_t ea = 0;
	unsigned n;
	x87_stub s;

	if (!mem) {
		modrm = (uint8_t)(0xc0 | (reg << 3) | (i->rm & 7));
		/* non-waiting control forms */
		if (opc == 0xdb && (modrm == 0xe2 || modrm == 0xe3)) {
			iem_fpu_check(c, false);
			if (modrm == 0xe2) {
				fx16_set(c, FX_FSW, fx16(c, FX_FSW) & 0x7f00);
			} else {
				fx16_set(c, FX_FCW, 0x37f);
				fx16_set(c, FX_FSW, 0);
				c->fx[FX_FTW] = 0;
				memset(c->fx + FX_FOP, 0, 18);
			}
			return 0;
		}
		if (opc == 0xdf && modrm == 0xe0) {
			iem_fpu_check(c, false);
			wr16(c, R_AX, fx16(c, FX_FSW));
			return 0;
		}
		if (opc == 0xdb && modrm >= 0xe0 && modrm <= 0xe4) {
			iem_fpu_check(c, false);
			return 0;               /* FNENI/FNDISI/FNSETPM: no-ops */
		}
		if (!x87_reg_valid(opc, modrm))
			iem_raise_noerr(c, X_UD);
		iem_fpu_check(c, true);
		bool flags = (opc == 0xdb || opc == 0xdf) && modrm >= 0xe8 && modrm < 0xf8;

		s = x87_stub_for(c, opc, modrm, flags);
		if (!s)
			iem_raise_noerr(c, X_UD);
		memset(buf, 0, sizeof(buf));
		run_x87(c, c->fx, buf, s);
		if (flags) {
			uint64_t f;

			memcpy(&f, buf + 16, 8);
			lf_put(c, f & (F_ZF | F_PF | F_CF));
		}
		if (modrm != 0xd0)
			fpu_note(c, i, modrm, 0);
		return 0;
	}
	ea = iem_ea(c, i);
	modrm = (uint8_t)((reg << 3) | 6);
	n = x87_mem(opc, reg, &store);
	if (!n)
		iem_raise_noerr(c, X_UD);
	/* control instructions on memory */
	if (opc == 0xd9 && reg == 7) {                  /* FNSTCW */
		iem_fpu_check(c, false);
		iem_wr(c, i, i->seg, ea, 2, fx16(c, FX_FCW));
		return 0;
	}
	if (opc == 0xdd && reg == 7) {                  /* FNSTSW */
		iem_fpu_check(c, false);
		iem_wr(c, i, i->seg, ea, 2, fx16(c, FX_FSW));
		return 0;
	}
	if (opc == 0xd9 && reg == 5) {                  /* FLDCW */
		iem_fpu_check(c, false);
		fx16_set(c, FX_FCW, (uint16_t)(iem_rd(c, i, i->seg, ea, 2) | 0x40));
		return 0;
	}
	if (opc == 0xd9 && (reg == 4 || reg == 6)) {    /* FLDENV / FNSTENV */
		iem_fpu_check(c, false);
		if (reg == 6) {
			store_env(c, i, ea, o16);
			fx16_set(c, FX_FCW, fx16(c, FX_FCW) | 0x3f);
		} else {
			memcpy(image, c->fx, 512);
			load_env(c, i, ea, o16, image);
			memcpy(c->fx, image, 512);
		}
		return 0;
	}
	if (opc == 0xdd && (reg == 4 || reg == 6)) {    /* FRSTOR / FNSAVE */
		unsigned envn = o16 ? 14 : 28, k;

		iem_fpu_check(c, false);
		if (reg == 6) {
			uint8_t regs[80];

			for (k = 0; k < 8; k++)
				memcpy(regs + 10 * k, c->fx + FX_ST + 16 * k, 10);
			iem_mem_probe_w(c, i->seg, ea, envn + 80);
			store_env(c, i, ea, o16);
			iem_mem_write(c, i->seg, (ea + envn) & iem_amask[i->fl & IEM_IF_ASZ], regs, 80);
			/* then FNINIT */
			fx16_set(c, FX_FCW, 0x37f);
			fx16_set(c, FX_FSW, 0);
			c->fx[FX_FTW] = 0;
		} else {
			uint8_t regs[80];

			memcpy(image, c->fx, 512);
			load_env(c, i, ea, o16, image);
			iem_mem_read(c, i->seg, (ea + envn) & iem_amask[i->fl & IEM_IF_ASZ], regs, 80);
			for (k = 0; k < 8; k++) {
				memset(image + FX_ST + 16 * k, 0, 16);
				memcpy(image + FX_ST + 16 * k, regs + 10 * k, 10);
			}
			memcpy(c->fx, image, 512);
		}
		return 0;
	}
	iem_fpu_check(c, true);
	s = x87_stub_for(c, opc, modrm, false);
	if (!s)
		iem_raise_noerr(c, X_UD);
	memset(buf, 0, sizeof(buf));
	if (store) {
		memcpy(image, c->fx, 512);
		run_x87(c, image, buf, s);
		iem_mem_write(c, i->seg, ea, buf, n);
		memcpy(c->fx, image, 512);
	} else {
		iem_mem_read(c, i->seg, ea, buf, n);
		run_x87(c, c->fx, buf, s);
	}
	fpu_note(c, i, modrm, ea);
	return 0;
}

int iem_op_fpu_d8(struct iem_cpu *c, const struct iem_insn *i) { return fpu_op(c, i); }
int iem_op_fpu_d9(struct iem_cpu *c, const struct iem_insn *i) { return fpu_op(c, i); }
int iem_op_fpu_da(struct iem_cpu *c, const struct iem_insn *i) { return fpu_op(c, i); }
int iem_op_fpu_db(struct iem_cpu *c, const struct iem_insn *i) { return fpu_op(c, i); }
int iem_op_fpu_dc(struct iem_cpu *c, const struct iem_insn *i) { return fpu_op(c, i); }
int iem_op_fpu_dd(struct iem_cpu *c, const struct iem_insn *i) { return fpu_op(c, i); }
int iem_op_fpu_de(struct iem_cpu *c, const struct iem_insn *i) { return fpu_op(c, i); }
int iem_op_fpu_df(struct iem_cpu *c, const struct iem_insn *i) { return fpu_op(c, i); }

int iem_op_fwait(struct iem_cpu *c, const struct iem_insn *i)
{
	(void)i;
	if ((c->cr0 & (CR0_TS | CR0_MP)) == (CR0_TS | CR0_MP))
		iem_raise_noerr(c, X_NM);
	if (fx16(c, FX_FSW) & 0x80)
		iem_raise_noerr(c, X_MF);
	return 0;
}

/* ---- FXSAVE / FXRSTOR / MXCSR ---- */

void iem_sse_check(struct iem_cpu *c)
{
	if ((c->cr0 & CR0_EM) || !(c->cr4 & CR4_OSFXSR))
		iem_raise_noerr(c, X_UD);
	if (c->cr0 & CR0_TS)
		iem_raise_noerr(c, X_NM);
}

int iem_op_fxsave(struct iem_cpu *c, const struct iem_insn *i)
{
	uint64_t ea = iem_ea(c, i);
	uint8_t img[464];
	unsigned n = c->mode == 2 ? 416 : 288;

	if ((c->cr0 & CR0_EM) || (c->cr0 & CR0_TS))
		iem_raise_noerr(c, c->cr0 & CR0_EM ? X_UD : X_NM);
	if ((c->seg[i->seg].base + ea) & 15)
		iem_raise(c, X_GP, 0);
	memcpy(img, c->fx, n);
	if (!(i->pfx & IEM_IP_REXW)) {
		uint64_t fip, fdp;
		uint32_t v;

		memcpy(&fip, c->fx + FX_FIP, 8);
		memcpy(&fdp, c->fx + FX_FDP, 8);
		v = (uint32_t)fip;
		memcpy(img + 8, &v, 4);
		memcpy(img + 12, &c->seg[S_CS].sel, 2);
		memset(img + 14, 0, 2);
		v = (uint32_t)fdp;
		memcpy(img + 16, &v, 4);
		memcpy(img + 20, &c->seg[S_DS].sel, 2);
		memset(img + 22, 0, 2);
	}
	iem_mem_write(c, i->seg, ea, img, n);
	return 0;
}

int iem_op_fxrstor(struct iem_cpu *c, const struct iem_insn *i)
{
	uint64_t ea = iem_ea(c, i);
	uint8_t img[512] __attribute__((aligned(16)));
	unsigned n = c->mode == 2 ? 416 : 288;
	uint32_t mx;

	if ((c->cr0 & CR0_EM) || (c->cr0 & CR0_TS))
		iem_raise_noerr(c, c->cr0 & CR0_EM ? X_UD : X_NM);
	if ((c->seg[i->seg].base + ea) & 15)
		iem_raise(c, X_GP, 0);
	memcpy(img, c->fx, 512);
	iem_mem_read(c, i->seg, ea, img, n);
	memcpy(&mx, img + FX_MXCSR, 4);
	if (mx & ~0xffffu)
		iem_raise(c, X_GP, 0);
	if (!(i->pfx & IEM_IP_REXW)) {
		uint32_t v;
		uint64_t w;

		memcpy(&v, img + 8, 4);
		w = v;
		memcpy(img + 8, &w, 8);
		memcpy(&v, img + 16, 4);
		w = v;
		memcpy(img + 16, &w, 8);
	}
	memcpy(img + FX_MXMASK, c->fx + FX_MXMASK, 4);
	memcpy(c->fx, img, 512);
	return 0;
}

int iem_op_ldmxcsr(struct iem_cpu *c, const struct iem_insn *i)
{
	uint64_t v;
	uint32_t mx;

	iem_sse_check(c);
	v = iem_rd(c, i, i->seg, iem_ea(c, i), 4);
	if (v & ~0xffffull)
		iem_raise(c, X_GP, 0);
	mx = (uint32_t)v;
	memcpy(c->fx + FX_MXCSR, &mx, 4);
	return 0;
}

int iem_op_stmxcsr(struct iem_cpu *c, const struct iem_insn *i)
{
	uint32_t mx;

	iem_sse_check(c);
	memcpy(&mx, c->fx + FX_MXCSR, 4);
	iem_wr(c, i, i->seg, iem_ea(c, i), 4, mx);
	return 0;
}
