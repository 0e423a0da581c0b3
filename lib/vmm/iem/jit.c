/*
 * Second tier of the iem engine: a template JIT for hot 64-bit blocks
 * (softcpu.md 3.1).
 *
 * Input is the block's decoded records, so decoding, invalidation and the
 * per-page write detection stay those of the interpreter.  Only 64-bit
 * code is compiled.  Guest registers stay in struct iem_cpu (rbx points at
 * it); each guest instruction loads its operands into host scratch
 * registers, executes the same x86 operation on the host and stores the
 * result.  Memory operands go through an inline probe of the data TLB and
 * call the interpreter's slow paths (iem_rd_slow, iem_wr_slow), which may
 * raise exceptions by longjmp exactly as in the interpreter.
 *
 * Flags: the host operation computes the guest's flags exactly.  They stay
 * in host EFLAGS while nothing clobbers them, are parked in c->jit_fl
 * around TLB probes, and are converted to the lazy format (lf_put) only
 * where the interpreter may need them: at block exits, before resuming the
 * interpreter, before a slow path.  A flag result that a later instruction
 * of the block overwrites before anything reads it is not kept at all
 * (liveness within the block); an exception between the two then reports
 * the flags of an earlier instruction in its stack frame - the only
 * deviation from the interpreter, invisible to code that does not inspect
 * exception frames.
 *
 * A block whose taken branch targets its own start loops inside the
 * generated code, checking the time slice and pending attention on every
 * iteration.  The first instruction the JIT does not cover ends the
 * compiled code: it returns and the interpreter resumes at that record.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/vmm/iem/alu.h"
#include "lib/vmm/iem/iem-int.h"
#include "iem-gen.h"

#define JIT_ARENA (32u << 20)

/* ---- what each operation is ---- */

enum { JK_NONE, JK_ALU, JK_UN, JK_SHIFT, JK_MOV, JK_MOVX, JK_LEA, JK_IMUL2, JK_IMUL3,
       JK_JCC, JK_JMP, JK_CALL, JK_RET, JK_PUSH, JK_PUSHI, JK_POP, JK_CMOV, JK_SET,
       JK_CBW, JK_CWD, JK_NOP, JK_XCHG, JK_RMW, JK_JMPE, JK_CALLE, JK_LEAVE };
enum { JF_EG, JF_GE, JF_EI, JF_E1, JF_ECL };
enum { JX_ZB, JX_ZW, JX_SB, JX_SW, JX_SD };

struct jop {
	uint8_t kind, alu, form, mem, size, cc;
};

static struct jop jops[IEM_OP_COUNT];

static const char *const ccnames[16] = { "o", "no", "b", "nb", "z", "nz", "be", "nbe",
					 "s", "ns", "p", "np", "l", "nl", "le", "nle" };

static int cc_of(const char *s)
{
	int k;

	for (k = 0; k < 16; k++)
		if (!strcmp(s, ccnames[k]))
			return k;
	return -1;
}

/* name -> struct jop, from the generated label names (e.g. "add_EG_m32") */
static void classify(unsigned op, const char *name)
{
	struct jop *j = &jops[op];
	char base[64];
	const char *us = strrchr(name, '_');
	int size = 0, mem = 0, k;

	memset(j, 0, sizeof(*j));
	snprintf(base, sizeof(base), "%s", name);
	if (us && (us[1] == 'r' || us[1] == 'm') && us[2] >= '0' && us[2] <= '9') {
		mem = us[1] == 'm';
		size = atoi(us + 2);
		base[us - name] = 0;
	}
	j->mem = (uint8_t)mem;
	j->size = (uint8_t)size;
	{
		static const struct { const char *n; int alu; } alus[] = {
			{ "add", A_ADD }, { "or", A_OR }, { "adc", A_ADC }, { "sbb", A_SBB },
			{ "and", A_AND }, { "sub", A_SUB }, { "xor", A_XOR }, { "cmp", A_CMP },
			{ "test", A_TEST },
		};
		for (k = 0; k < 9; k++) {
			size_t l = strlen(alus[k].n);

			if (!strncmp(base, alus[k].n, l) && base[l] == '_' && size) {
				const char *f = base + l + 1;

				j->kind = JK_ALU;
				j->alu = (uint8_t)alus[k].alu;
				j->form = !strcmp(f, "EG") ? JF_EG : !strcmp(f, "GE") ? JF_GE : JF_EI;
				/* read-modify-write of memory */
				if (mem && j->form != JF_GE && alus[k].alu != A_CMP && alus[k].alu != A_TEST)
					j->kind = JK_RMW;
				return;
			}
		}
	}
	if (!strcmp(base, "inc_E") || !strcmp(base, "dec_E") || !strcmp(base, "not_E") ||
	    !strcmp(base, "neg_E")) {
		j->kind = mem ? JK_RMW : JK_UN;
		j->form = JF_E1;        /* unary */
		j->alu = base[0] == 'i' ? A_INC : base[0] == 'd' ? A_DEC : base[1] == 'o' ? A_NOT : A_NEG;
		return;
	}
	{
		static const struct { const char *n; int sh; } shs[] = {
			{ "shl", SH_SHL }, { "shr", SH_SHR }, { "sar", SH_SAR }, { "rol", SH_ROL },
			{ "ror", SH_ROR },
		};
		for (k = 0; k < 5; k++) {
			if (!strncmp(base, shs[k].n, 3) && base[3] == '_' && !mem) {
				j->kind = JK_SHIFT;
				j->alu = (uint8_t)shs[k].sh;
				j->form = !strcmp(base + 4, "EI") ? JF_EI : !strcmp(base + 4, "E1") ? JF_E1
												   : JF_ECL;
				return;
			}
		}
	}
	if (!strncmp(base, "mov_", 4)) {
		j->kind = JK_MOV;
		j->form = !strcmp(base + 4, "EG") ? JF_EG : !strcmp(base + 4, "GE") ? JF_GE : JF_EI;
		return;
	}
	if (!strcmp(base, "movzb") || !strcmp(base, "movzw") || !strcmp(base, "movsb_G") ||
	    !strcmp(base, "movsw_G") || !strcmp(base, "movsxd")) {
		j->kind = JK_MOVX;
		j->alu = !strcmp(base, "movzb") ? JX_ZB : !strcmp(base, "movzw") ? JX_ZW
		       : !strcmp(base, "movsb_G") ? JX_SB : !strcmp(base, "movsw_G") ? JX_SW : JX_SD;
		return;
	}
	if (!strcmp(base, "lea")) {
		j->kind = JK_LEA;
		return;
	}
	if (!strcmp(base, "imul_GE")) {
		j->kind = JK_IMUL2;
		return;
	}
	if (!strcmp(base, "imul_GEI")) {
		j->kind = JK_IMUL3;
		return;
	}
	if (!strncmp(base, "jcc_", 4) && cc_of(base + 4) >= 0) {
		j->kind = JK_JCC;
		j->cc = (uint8_t)cc_of(base + 4);
		return;
	}
	if (!strncmp(base, "cmov_", 5) && cc_of(base + 5) >= 0) {
		j->kind = JK_CMOV;
		j->cc = (uint8_t)cc_of(base + 5);
		return;
	}
	if (!strncmp(base, "set_", 4) && cc_of(base + 4) >= 0) {
		j->kind = JK_SET;
		j->cc = (uint8_t)cc_of(base + 4);
		return;
	}
	if (!strcmp(base, "jmp_J"))
		j->kind = JK_JMP;
	else if (!strcmp(base, "call_J"))
		j->kind = JK_CALL;
	else if (!strcmp(base, "ret"))
		j->kind = JK_RET;
	else if (!strcmp(base, "push_E"))
		j->kind = JK_PUSH;
	else if (!strcmp(base, "push_I"))
		j->kind = JK_PUSHI;
	else if (!strcmp(base, "pop_R"))
		j->kind = JK_POP;
	else if (!strcmp(base, "cbw"))
		j->kind = JK_CBW;
	else if (!strcmp(base, "cwd"))
		j->kind = JK_CWD;
	else if (!strcmp(base, "nop"))
		j->kind = JK_NOP;
	else if (!strcmp(base, "xchg_EG") && !mem)
		j->kind = JK_XCHG;
	else if (!strcmp(base, "jmp_E"))
		j->kind = JK_JMPE;
	else if (!strcmp(base, "call_E"))
		j->kind = JK_CALLE;
}

static void jit_init_once(void)
{
	unsigned k;

	for (k = 1; k < IEM_FIRST_FN_OP; k++)
		classify(k, iem_op_names[k]);
	jops[IEM_OP_leave].kind = JK_LEAVE;
	{
		/* debugging aid: IEM_JIT_KINDS=mask compiles only those JK_* kinds */
		const char *e = getenv("IEM_JIT_KINDS");
		unsigned long m = e ? strtoul(e, NULL, 0) : ~0ul;

		for (k = 1; k < IEM_FIRST_FN_OP; k++)
			if (!(m & (1ul << jops[k].kind)))
				jops[k].kind = JK_NONE;
	}
}

/* ---- emitter ---- */

struct jb {
	uint8_t *p, *end;
	bool full;
};

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };

static void b1(struct jb *j, unsigned v)
{
	if (j->p < j->end)
		*j->p++ = (uint8_t)v;
	else
		j->full = true;
}

static void b4(struct jb *j, uint32_t v)
{
	b1(j, v);
	b1(j, v >> 8);
	b1(j, v >> 16);
	b1(j, v >> 24);
}

static void b8(struct jb *j, uint64_t v)
{
	b4(j, (uint32_t)v);
	b4(j, (uint32_t)(v >> 32));
}

/* optional 66 prefix and REX for an operation of size bits */
static void pfx(struct jb *j, unsigned size, unsigned reg, unsigned rm, bool byteregs)
{
	unsigned rex = 0;

	if (size == 16)
		b1(j, 0x66);
	if (size == 64)
		rex |= 8;
	if (reg & 8)
		rex |= 4;
	if (rm & 8)
		rex |= 1;
	if (rex || (byteregs && size == 8 && (reg >= 4 || rm >= 4)))
		b1(j, 0x40 | rex);
}

/* ModRM with memory operand [rbx + disp32] */
static void modrm_rbx(struct jb *j, unsigned reg, int32_t disp)
{
	b1(j, 0x80 | ((reg & 7) << 3) | RBX);
	b4(j, (uint32_t)disp);
}

static void modrm_rr(struct jb *j, unsigned reg, unsigned rm)
{
	b1(j, 0xc0 | ((reg & 7) << 3) | (rm & 7));
}

#define GOFF(n) ((int32_t)(offsetof(struct iem_cpu, gpr) + 8 * (n)))
#define COFF(f) ((int32_t)offsetof(struct iem_cpu, f))

/* byte register code -> [rbx + disp] of the byte */
static int32_t byte_off(unsigned code)
{
	return GOFF(code & 15) + (int32_t)(code >> 4);
}

/* load an operand of size from [rbx+disp] zero-extended into host reg r */
static void ld_ctx(struct jb *j, unsigned size, unsigned r, int32_t disp)
{
	switch (size) {
	case 8: pfx(j, 32, r, 0, false); b1(j, 0x0f); b1(j, 0xb6); break;
	case 16: pfx(j, 32, r, 0, false); b1(j, 0x0f); b1(j, 0xb7); break;
	case 32: pfx(j, 32, r, 0, false); b1(j, 0x8b); break;
	default: pfx(j, 64, r, 0, false); b1(j, 0x8b); break;
	}
	modrm_rbx(j, r, disp);
}

/* store host reg r to [rbx+disp] with the given size */
static void st_ctx(struct jb *j, unsigned size, unsigned r, int32_t disp)
{
	if (size == 8) {
		pfx(j, 8, r, 0, true);
		b1(j, 0x88);
	} else {
		pfx(j, size, r, 0, false);
		b1(j, 0x89);
	}
	modrm_rbx(j, r, disp);
}

static void mov_rr64(struct jb *j, unsigned dst, unsigned src)
{
	pfx(j, 64, src, dst, false);
	b1(j, 0x89);
	modrm_rr(j, src, dst);
}

static void mov_imm64(struct jb *j, unsigned r, uint64_t v)
{
	if (v <= 0xffffffffull) {
		if (r & 8)
			b1(j, 0x41);
		b1(j, 0xb8 + (r & 7));
		b4(j, (uint32_t)v);
	} else {
		b1(j, 0x48 | ((r & 8) ? 1 : 0));
		b1(j, 0xb8 + (r & 7));
		b8(j, v);
	}
}

/* ALU op (add or adc sbb and sub xor cmp) dst_reg op= src_reg, size */
static const uint8_t alu_opc[] = { 0x00, 0x08, 0x10, 0x18, 0x20, 0x28, 0x30, 0x38, 0x84 };

static void alu_rr(struct jb *j, unsigned alu, unsigned size, unsigned dst, unsigned src)
{
	pfx(j, size, src, dst, true);
	b1(j, alu_opc[alu] + (size == 8 ? 0 : 1));
	modrm_rr(j, src, dst);
}

static void call_abs(struct jb *j, const void *fn)
{
	mov_imm64(j, R11, (uint64_t)(uintptr_t)fn);
	b1(j, 0x41);
	b1(j, 0xff);
	b1(j, 0xd3);            /* call *%r11 */
}

/* jcc rel32 / jmp rel32 with a patch slot; returns the rel32 address */
static uint8_t *jcc32(struct jb *j, unsigned cc)
{
	b1(j, 0x0f);
	b1(j, 0x80 + cc);
	b4(j, 0);
	return j->p - 4;
}

static uint8_t *jmp32(struct jb *j)
{
	b1(j, 0xe9);
	b4(j, 0);
	return j->p - 4;
}

static void patch(uint8_t *at, const uint8_t *target)
{
	int32_t rel;

	if (!at)
		return;
	rel = (int32_t)(target - (at + 4));
	memcpy(at, &rel, 4);
}

/* ---- flags handling ---- */

enum { FL_MEM, FL_HOST, FL_SAVED };

struct jstate {
	struct iem_cpu *c;
	struct iem_block *b;
	struct jb j;
	int fl;                 /* where the live guest flags are */
	uint8_t *body;          /* first instruction (loop target) */
	bool entry_live;        /* the block reads flags before writing them */
	bool direct_ok;         /* the pending link target is in the same page */
	uint8_t *entry1;        /* after the prologue: chained entry */
	int8_t cache[16];       /* guest register -> host register, or -1 */
	uint8_t cached[5];      /* guest registers held in host registers */
	unsigned ncached;
	/* out-of-line slow paths, emitted after the body */
	struct slow {
		uint8_t *jfrom;         /* jne rel32 slot to the slow path */
		uint8_t *back;          /* where to continue */
		const struct iem_insn *i;
		unsigned n, seg, kind;  /* kind 0 = read, 1 = write, 2 = read-modify-write */
		bool writes_flags;      /* rmw: the operation sets flags */
		int fl;                 /* flag state at the probe */
	} slow[IEM_MAX_REC * 2];
	unsigned nslow;
};

static const uint8_t cache_hregs[5] = { RBP, R12, R13, R14, R15 };

/* load a guest register operand (register code, size) into host r */
static void ld_greg_s(struct jstate *s, unsigned size, unsigned r, unsigned code)
{
	struct jb *j = &s->j;
	int h = code < 16 ? s->cache[code] : -1;

	if (h < 0) {
		ld_ctx(j, size, r, size == 8 ? byte_off(code) : GOFF(code));
		return;
	}
	switch (size) {
	case 8:
		/* always a REX prefix: without it rm 5 would be %ch, not %bpl */
		b1(j, 0x40 | ((r & 8) ? 4 : 0) | (((unsigned)h & 8) ? 1 : 0));
		b1(j, 0x0f); b1(j, 0xb6); modrm_rr(j, r, (unsigned)h);  /* movzbl */
		break;
	case 16:
		pfx(j, 32, r, (unsigned)h, false);
		b1(j, 0x0f); b1(j, 0xb7); modrm_rr(j, r, (unsigned)h);  /* movzwl */
		break;
	case 32:
		pfx(j, 32, (unsigned)h, r, false);
		b1(j, 0x89); modrm_rr(j, (unsigned)h, r);               /* mov h32,r32 */
		break;
	default:
		pfx(j, 64, (unsigned)h, r, false);
		b1(j, 0x89); modrm_rr(j, (unsigned)h, r);
		break;
	}
}

/* store host r as a guest register result: 32-bit results zero-extend */
static void st_greg_s(struct jstate *s, unsigned size, unsigned r, unsigned code)
{
	struct jb *j = &s->j;
	int h = code < 16 ? s->cache[code] : -1;

	if (h < 0) {
		if (size == 8)
			st_ctx(j, 8, r, byte_off(code));
		else if (size == 32)
			st_ctx(j, 64, r, GOFF(code));   /* r holds the zero-extended value */
		else
			st_ctx(j, size, r, GOFF(code));
		return;
	}
	switch (size) {
	case 8:
		pfx(j, 8, r, (unsigned)h, true);
		b1(j, 0x88); modrm_rr(j, r, (unsigned)h);
		break;
	case 16:
		pfx(j, 16, r, (unsigned)h, false);
		b1(j, 0x89); modrm_rr(j, r, (unsigned)h);
		break;
	case 32:
		pfx(j, 32, r, (unsigned)h, false);
		b1(j, 0x89); modrm_rr(j, r, (unsigned)h);               /* zero-extends */
		break;
	default:
		pfx(j, 64, r, (unsigned)h, false);
		b1(j, 0x89); modrm_rr(j, r, (unsigned)h);
		break;
	}
}

/* write cached registers back to struct iem_cpu (they stay valid) */
static void cache_flush(struct jstate *s)
{
	unsigned k;

	for (k = 0; k < s->ncached; k++)
		st_ctx(&s->j, 64, (unsigned)s->cache[s->cached[k]], GOFF(s->cached[k]));
}

static void cache_load(struct jstate *s)
{
	unsigned k;

	for (k = 0; k < s->ncached; k++)
		ld_ctx(&s->j, 64, (unsigned)s->cache[s->cached[k]], GOFF(s->cached[k]));
}

#define ld_greg(j, size, r, code) ld_greg_s(s, size, r, code)
#define st_greg(j, size, r, code) st_greg_s(s, size, r, code)

static void lf_put_helper(struct iem_cpu *c, uint64_t f)
{
	c->lf_raw = 0;
	lf_put(c, iem_jit_fl_to_eflags(f));
}

/* the lazy flags in parked (LAHF/SETO) form */
static uint64_t lf_get_helper(struct iem_cpu *c)
{
	return iem_eflags_to_jit_fl(lf_get(c));
}

/* host flags -> c->jit_fl (rax preserved through r11) */
static void save_flags(struct jstate *s)
{
	struct jb *j = &s->j;

	b1(j, 0x49); b1(j, 0x89); b1(j, 0xc3);  /* mov %rax,%r11 */
	b1(j, 0x9f);                            /* lahf */
	b1(j, 0x0f); b1(j, 0x90); b1(j, 0xc0);  /* seto %al */
	b1(j, 0x66); b1(j, 0x89); modrm_rbx(j, RAX, COFF(jit_fl));     /* mov %ax,jit_fl */
	b1(j, 0x4c); b1(j, 0x89); b1(j, 0xd8);  /* mov %r11,%rax */
}

/* c->jit_fl -> host flags (arithmetic six), clobbers rax */
static void restore_flags(struct jstate *s)
{
	struct jb *j = &s->j;

	b1(j, 0x0f); b1(j, 0xb7); modrm_rbx(j, RAX, COFF(jit_fl));     /* movzwl jit_fl,%eax */
	b1(j, 0x04); b1(j, 0x7f);               /* add $0x7f,%al: OF */
	b1(j, 0x9e);                            /* sahf */
}

/*
 * Leave the live flags for whoever runs next: as the raw EFLAGS image in
 * c->jit_fl with c->lf_raw set (the next compiled block restores it
 * directly; the interpreter converts it when it needs lazy flags).
 */
static void flags_to_mem(struct jstate *s)
{
	struct jb *j = &s->j;

	if (s->fl == FL_HOST)
		save_flags(s);
	if (s->fl != FL_MEM) {
		b1(j, 0xc6); modrm_rbx(j, 0, COFF(lf_raw)); b1(j, 1);  /* movb $1,lf_raw */
	}
	s->fl = FL_MEM;
}

/* Make the live flags the host's. */
static void flags_to_host(struct jstate *s)
{
	struct jb *j = &s->j;

	if (s->fl == FL_HOST)
		return;
	if (s->fl == FL_MEM) {
		uint8_t *raw;

		b1(j, 0x80); modrm_rbx(j, 7, COFF(lf_raw)); b1(j, 0);  /* cmpb $0,lf_raw */
		raw = jcc32(j, 5);                                      /* jne: image ready */
		mov_rr64(j, RDI, RBX);
		call_abs(j, lf_get_helper);
		st_ctx(j, 64, RAX, COFF(jit_fl));
		patch(raw, j->p);
	}
	restore_flags(s);
	s->fl = FL_HOST;
}

/* Before code that clobbers host flags: park them. */
static void flags_park(struct jstate *s, bool live)
{
	if (live && s->fl == FL_HOST) {
		save_flags(s);
		s->fl = FL_SAVED;
	} else if (!live) {
		s->fl = FL_MEM;         /* nothing worth keeping */
	}
}

/* ---- memory operands ---- */

/* effective address (offset) of i into rsi; linear address into rdi */
static void ea(struct jstate *s, const struct iem_insn *i)
{
	struct jb *j = &s->j;

	if (i->rm == IEM_R_ZERO) {
		mov_imm64(j, RSI, (uint64_t)(int64_t)i->disp);
	} else {
		ld_greg(j, 64, RSI, i->rm);
		if (i->idx != IEM_R_ZERO) {
			ld_greg(j, 64, RDI, i->idx);
			/* lea disp(%rsi,%rdi,scale),%rsi */
			b1(j, 0x48); b1(j, 0x8d); b1(j, 0xb4);
			b1(j, (uint8_t)((i->scale << 6) | (RDI << 3) | RSI));
			b4(j, (uint32_t)i->disp);
		} else if (i->disp) {
			b1(j, 0x48); b1(j, 0x8d); b1(j, 0xb6); b4(j, (uint32_t)i->disp);
		}
	}
	if (i->idx != IEM_R_ZERO && i->rm == IEM_R_ZERO) {
		ld_greg(j, 64, RDI, i->idx);
		/* lea (%rsi,%rdi,scale),%rsi */
		b1(j, 0x48); b1(j, 0x8d); b1(j, 0x34);
		b1(j, (uint8_t)((i->scale << 6) | (RDI << 3) | RSI));
	}
	if ((i->fl & IEM_IF_ASZ) == 1) {
		b1(j, 0x89); b1(j, 0xf6);       /* mov %esi,%esi */
	}
	if (i->seg == S_FS || i->seg == S_GS) {
		ld_ctx(j, 64, RDI, (int32_t)(offsetof(struct iem_cpu, seg) +
					    i->seg * sizeof(struct iem_seg) +
					    offsetof(struct iem_seg, base)));
		b1(j, 0x48); b1(j, 0x8d); b1(j, 0x3c); b1(j, 0x37);     /* lea (%rdi,%rsi),%rdi */
	} else {
		mov_rr64(j, RDI, RSI);
	}
}

/*
 * TLB probe for n bytes at linear rdi (offset in rsi); on a hit rdx holds
 * the addend (host = rdi + rdx).  Clobbers host flags and rcx.
 */
static void probe(struct jstate *s, const struct iem_insn *i, unsigned n, unsigned seg,
		  bool write, bool flags_live)
{
	struct jb *j = &s->j;
	struct slow *sl;

	flags_park(s, flags_live);
	if (n > 1) {
		b1(j, 0x48); b1(j, 0x8d); b1(j, 0x4f); b1(j, n - 1);    /* lea n-1(%rdi),%rcx */
	} else {
		mov_rr64(j, RCX, RDI);
	}
	b1(j, 0x48); b1(j, 0xc1); b1(j, 0xe9); b1(j, 12 - 5);   /* shr $7,%rcx */
	b1(j, 0x81); b1(j, 0xe1); b4(j, IEM_TLB_MASK << 5);     /* and $mask<<5,%ecx */
	b1(j, 0x48); b1(j, 0x03); modrm_rbx(j, RCX, COFF(dtlb));        /* add dtlb,%rcx */
	mov_rr64(j, RDX, RDI);
	b1(j, 0x48); b1(j, 0x81); b1(j, 0xe2); b4(j, 0xfffff000u);      /* and $-4096,%rdx */
	b1(j, 0x48); b1(j, 0x3b); b1(j, 0x51); b1(j, write ? 8 : 0);    /* cmp tag(%rcx),%rdx */
	if (s->nslow >= sizeof(s->slow) / sizeof(s->slow[0])) {
		j->full = true;
		return;
	}
	sl = &s->slow[s->nslow++];
	sl->jfrom = jcc32(j, 5);                                /* jne slow */
	sl->i = i;
	sl->n = n;
	sl->seg = seg;
	sl->kind = write;
	sl->fl = s->fl;
	b1(j, 0x48); b1(j, 0x8b); b1(j, 0x51); b1(j, 0x10);     /* mov 16(%rcx),%rdx */
}

/* the value loaded by a read probe goes to rax (zero-extended) */
static void load_hit(struct jstate *s, unsigned n)
{
	struct jb *j = &s->j;

	switch (n) {
	case 1: b1(j, 0x0f); b1(j, 0xb6); b1(j, 0x04); b1(j, 0x17); break; /* movzbl (%rdi,%rdx),%eax */
	case 2: b1(j, 0x0f); b1(j, 0xb7); b1(j, 0x04); b1(j, 0x17); break;
	case 4: b1(j, 0x8b); b1(j, 0x04); b1(j, 0x17); break;
	default: b1(j, 0x48); b1(j, 0x8b); b1(j, 0x04); b1(j, 0x17); break;
	}
}

/* read n bytes of the memory operand into rax */
static void mem_read(struct jstate *s, const struct iem_insn *i, unsigned n, bool flags_live)
{
	ea(s, i);
	probe(s, i, n, i->seg, false, flags_live);
	load_hit(s, n);
	s->slow[s->nslow - 1].back = s->j.p;
}

/* write r8 (n bytes) to linear rdi (offset rsi): probe must be done */
static void store_hit(struct jstate *s, unsigned n)
{
	struct jb *j = &s->j;

	switch (n) {
	case 1: b1(j, 0x44); b1(j, 0x88); b1(j, 0x04); b1(j, 0x17); break; /* mov %r8b,(%rdi,%rdx) */
	case 2: b1(j, 0x66); b1(j, 0x44); b1(j, 0x89); b1(j, 0x04); b1(j, 0x17); break;
	case 4: b1(j, 0x44); b1(j, 0x89); b1(j, 0x04); b1(j, 0x17); break;
	default: b1(j, 0x4c); b1(j, 0x89); b1(j, 0x04); b1(j, 0x17); break;
	}
}

/* write r8 to the memory operand */
static void mem_write(struct jstate *s, const struct iem_insn *i, unsigned n, bool flags_live)
{
	ea(s, i);
	probe(s, i, n, i->seg, true, flags_live);
	store_hit(s, n);
	s->slow[s->nslow - 1].back = s->j.p;
}

/* stack: rsp - n -> rdi/rsi, write r8 there (caller commits rsp after) */
static void stack_write(struct jstate *s, const struct iem_insn *i, unsigned n, bool flags_live)
{
	struct jb *j = &s->j;

	ld_greg(j, 64, RSI, R_SP);
	b1(j, 0x48); b1(j, 0x8d); b1(j, 0x76); b1(j, (uint8_t)(-(int)n));      /* lea -n(%rsi),%rsi */
	mov_rr64(j, RDI, RSI);
	probe(s, i, n, S_FLATSTK, true, flags_live);
	store_hit(s, n);
	s->slow[s->nslow - 1].back = j->p;
	ld_greg(j, 64, RSI, R_SP);
	b1(j, 0x48); b1(j, 0x8d); b1(j, 0x76); b1(j, (uint8_t)(-(int)n));      /* lea -n(%rsi),%rsi */
	st_greg(j, 64, RSI, R_SP);
}

/* stack read at rsp into rax; rsp += n + extra */
static void stack_read(struct jstate *s, const struct iem_insn *i, unsigned n, unsigned extra,
		       bool flags_live)
{
	struct jb *j = &s->j;

	ld_greg(j, 64, RSI, R_SP);
	mov_rr64(j, RDI, RSI);
	probe(s, i, n, S_FLATSTK, false, flags_live);
	load_hit(s, n);
	s->slow[s->nslow - 1].back = j->p;
	ld_greg(j, 64, RCX, R_SP);
	b1(j, 0x48); b1(j, 0x8d); b1(j, 0x89); b4(j, n + extra);       /* lea n(%rcx),%rcx */
	st_greg(j, 64, RCX, R_SP);
}

/* read-modify-write through the interpreter's memory slow path */
static void jit_rmw_slow(struct iem_cpu *c, const struct iem_insn *i, uint64_t src)
{
	const struct jop *o = &jops[i->op];
	unsigned nb = o->size / 8;
	uintptr_t p;

	c->lf_raw = 0;
	p = iem_map_slow(c, i, i->seg, iem_ea(c, i), nb);
	if (o->form == JF_E1) {
		uint64_t r = alu(c, o->alu, o->size, hld(p, nb), 0);

		hst(p, nb, r);
	} else if (i->fl & IEM_IF_LOCK) {
		iem_locked_alu(c, p, o->alu, o->size, src);
	} else {
		hst(p, nb, alu(c, o->alu, o->size, hld(p, nb), src));
	}
	iem_unmap(c, p);
}

static void emit_slow_paths(struct jstate *s)
{
	struct jb *j = &s->j;
	unsigned k;

	for (k = 0; k < s->nslow; k++) {
		struct slow *sl = &s->slow[k];

		patch(sl->jfrom, j->p);
		/* the interpreter may fault here: registers and flags current */
		cache_flush(s);
		if (sl->fl == FL_SAVED) {
			/* push rsi, rdi, r8, r9 (keeps 16-byte alignment) */
			b1(j, 0x56); b1(j, 0x57); b1(j, 0x41); b1(j, 0x50); b1(j, 0x41); b1(j, 0x51);
			mov_rr64(j, RDI, RBX);
			ld_ctx(j, 64, RSI, COFF(jit_fl));
			call_abs(j, lf_put_helper);
			b1(j, 0x41); b1(j, 0x59); b1(j, 0x41); b1(j, 0x58); b1(j, 0x5f); b1(j, 0x5e);
		}
		if (sl->kind == 2) {
			/* the whole instruction in C, then its flags into the host */
			mov_rr64(j, RDX, R8);
			mov_rr64(j, RDI, RBX);
			mov_imm64(j, RSI, (uint64_t)(uintptr_t)sl->i);
			call_abs(j, jit_rmw_slow);
			if (sl->writes_flags) {
				mov_rr64(j, RDI, RBX);
				call_abs(j, lf_get_helper);
				st_ctx(j, 64, RAX, COFF(jit_fl));
				restore_flags(s);
			}
			patch(jmp32(j), sl->back);
			continue;
		}
		/* (c, i, seg, off, n[, v]) */
		mov_rr64(j, RCX, RSI);
		if (sl->kind) {
			b1(j, 0x4d); b1(j, 0x89); b1(j, 0xc1);  /* mov %r8,%r9: the value */
		}
		mov_rr64(j, RDI, RBX);
		mov_imm64(j, RSI, (uint64_t)(uintptr_t)sl->i);
		mov_imm64(j, RDX, sl->seg);
		b1(j, 0x41); b1(j, 0xb8); b4(j, sl->n);         /* mov $n,%r8d */
		call_abs(j, sl->kind ? (const void *)iem_wr_slow : (const void *)iem_rd_slow);
		patch(jmp32(j), sl->back);
	}
}


/* ---- direct forms: operands held in host registers ---- */

/* host register of a guest register operand (register code), or -1 */
static int hreg(const struct jstate *s, unsigned code)
{
	return code < 16 ? s->cache[code] : -1;
}

/* op=alu with an immediate on host register hd (size bits) */
static void alu_ri(struct jb *j, unsigned alu, unsigned size, unsigned hd, uint64_t imm)
{
	static const uint8_t ext[] = { 0, 1, 2, 3, 4, 5, 6, 7 };

	pfx(j, size, 0, hd, true);
	if (alu == A_TEST) {
		b1(j, size == 8 ? 0xf6 : 0xf7);
		modrm_rr(j, 0, hd);
	} else if (size == 8) {
		b1(j, 0x80);
		modrm_rr(j, ext[alu], hd);
		b1(j, (uint8_t)imm);
		return;
	} else if ((int64_t)imm == (int8_t)imm || (size == 16 && (int16_t)imm == (int8_t)imm)) {
		b1(j, 0x83);
		modrm_rr(j, ext[alu], hd);
		b1(j, (uint8_t)imm);
		return;
	} else {
		b1(j, 0x81);
		modrm_rr(j, ext[alu], hd);
	}
	if (size == 8)
		b1(j, (uint8_t)imm);
	else if (size == 16) {
		b1(j, (uint8_t)imm);
		b1(j, (uint8_t)(imm >> 8));
	} else {
		b4(j, (uint32_t)imm);
	}
}

/* op=alu hd, [rbx+disp] (the guest register in memory) */
static void alu_rm_ctx(struct jb *j, unsigned alu, unsigned size, unsigned hd, int32_t disp)
{
	pfx(j, size, hd, 0, true);
	if (alu == A_TEST)
		b1(j, size == 8 ? 0x84 : 0x85);
	else
		b1(j, alu_opc[alu] + (size == 8 ? 2 : 3));
	modrm_rbx(j, hd, disp);
}

/* mov of size from host register hs to host register hd */
static void mov_hh(struct jb *j, unsigned size, unsigned hd, unsigned hs)
{
	pfx(j, size, hs, hd, true);
	b1(j, size == 8 ? 0x88 : 0x89);
	modrm_rr(j, hs, hd);
}

/* guest register operand value of size into host register hd (no flags) */
static void mov_h_greg(struct jstate *s, unsigned size, unsigned hd, unsigned code)
{
	struct jb *j = &s->j;
	int hs = hreg(s, code);

	if (hs >= 0) {
		mov_hh(j, size, hd, (unsigned)hs);
		return;
	}
	pfx(j, size, hd, 0, true);
	b1(j, size == 8 ? 0x8a : 0x8b);
	modrm_rbx(j, hd, size == 8 ? byte_off(code) : GOFF(code));
}

/* mov $imm of size into host register hd, with x86 semantics of size */
static void mov_h_imm(struct jb *j, unsigned size, unsigned hd, uint64_t imm)
{
	switch (size) {
	case 8:
		pfx(j, 8, 0, hd, true);
		b1(j, 0xb0 + (hd & 7));
		b1(j, (uint8_t)imm);
		break;
	case 16:
		pfx(j, 16, 0, hd, false);
		b1(j, 0xb8 + (hd & 7));
		b1(j, (uint8_t)imm);
		b1(j, (uint8_t)(imm >> 8));
		break;
	case 32:
		mov_imm64(j, hd, (uint32_t)imm);
		break;
	default:
		if ((int64_t)imm == (int32_t)imm) {
			pfx(j, 64, 0, hd, false);
			b1(j, 0xc7);
			modrm_rr(j, 0, hd);
			b4(j, (uint32_t)imm);
		} else {
			mov_imm64(j, hd, imm);
		}
		break;
	}
}

/* ModRM + SIB for [base + index*scale + disp32]; base/index are host
 * registers or -1 */
static void modrm_sib(struct jb *j, unsigned reg, int base, int index, unsigned scale,
		      int32_t disp)
{
	b1(j, (base < 0 ? 0x00 : 0x80) | ((reg & 7) << 3) | 4);
	b1(j, (uint8_t)((scale << 6) | ((index < 0 ? 4 : (unsigned)index & 7) << 3) |
			(base < 0 ? 5 : (unsigned)base & 7)));
	b4(j, (uint32_t)disp);
}

/* try the direct forms; false = use the general code */
static bool gen_direct(struct jstate *s, const struct iem_insn *i, const struct jop *o, bool live)
{
	struct jb *j = &s->j;
	unsigned sz = o->size;
	int hd, hs;

	if (o->mem && o->kind != JK_LEA)
		return false;
	switch (o->kind) {
	case JK_ALU: {
		unsigned dst = o->form == JF_GE ? i->reg : i->rm;
		unsigned src = o->form == JF_GE ? i->rm : i->reg;

		hd = hreg(s, dst);
		if (hd < 0)
			return false;
		if (o->alu == A_ADC || o->alu == A_SBB)
			flags_to_host(s);
		if (o->form == JF_EI) {
			alu_ri(j, o->alu, sz, (unsigned)hd, sz == 64 ? i->imm : i->imm & zmask(sz));
		} else {
			hs = hreg(s, src);
			if (hs >= 0)
				alu_rr(j, o->alu, sz, (unsigned)hd, (unsigned)hs);
			else
				alu_rm_ctx(j, o->alu, sz, (unsigned)hd,
					   sz == 8 ? byte_off(src) : GOFF(src));
		}
		s->fl = live ? FL_HOST : FL_MEM;
		return true;
	}
	case JK_MOV: {
		unsigned dst = o->form == JF_GE ? i->reg : i->rm;

		hd = hreg(s, dst);
		if (hd < 0)
			return false;
		if (o->form == JF_EI)
			mov_h_imm(j, sz, (unsigned)hd, i->imm);
		else
			mov_h_greg(s, sz, (unsigned)hd, o->form == JF_GE ? i->rm : i->reg);
		return true;
	}
	case JK_MOVX: {
		unsigned from = o->alu == JX_ZB || o->alu == JX_SB ? 8 : o->alu == JX_SD ? 32 : 16;
		static const uint8_t opc[] = { [JX_ZB] = 0xb6, [JX_ZW] = 0xb7, [JX_SB] = 0xbe,
					       [JX_SW] = 0xbf };

		hd = hreg(s, i->reg);
		hs = hreg(s, i->rm);
		if (hd < 0 || hs < 0 || (o->alu == JX_SD && sz != 64) || sz == 16)
			return false;
		if (o->alu == JX_SD) {
			pfx(j, 64, (unsigned)hd, (unsigned)hs, false);
			b1(j, 0x63);                    /* movslq */
		} else {
			/* always REX: byte sources bpl.. need it */
			b1(j, 0x40 | (sz == 64 ? 8 : 0) | (((unsigned)hd & 8) ? 4 : 0) |
			   (((unsigned)hs & 8) ? 1 : 0));
			b1(j, 0x0f);
			b1(j, opc[o->alu]);
		}
		modrm_rr(j, (unsigned)hd, (unsigned)hs);
		(void)from;
		return true;
	}
	case JK_LEA: {
		int hb = i->rm == IEM_R_ZERO ? -1 : hreg(s, i->rm);
		int hx = i->idx == IEM_R_ZERO ? -1 : hreg(s, i->idx);

		hd = hreg(s, i->reg);
		if (hd < 0 || (i->rm != IEM_R_ZERO && hb < 0) || (i->idx != IEM_R_ZERO && hx < 0) ||
		    sz == 16)
			return false;
		if ((i->fl & IEM_IF_ASZ) == 1)
			b1(j, 0x67);
		b1(j, 0x40 | (sz == 64 ? 8 : 0) | (((unsigned)hd & 8) ? 4 : 0) |
		   (hx >= 0 && ((unsigned)hx & 8) ? 2 : 0) | (hb >= 0 && ((unsigned)hb & 8) ? 1 : 0));
		b1(j, 0x8d);
		modrm_sib(j, (unsigned)hd, hb, hx, i->scale, i->disp);
		return true;
	}
	case JK_UN: {
		static const uint8_t ext[] = { [A_INC] = 0, [A_DEC] = 1, [A_NOT] = 2, [A_NEG] = 3 };

		hd = hreg(s, i->rm);
		if (hd < 0)
			return false;
		if (o->alu == A_INC || o->alu == A_DEC)
			flags_to_host(s);
		pfx(j, sz, 0, (unsigned)hd, true);
		if (o->alu == A_INC || o->alu == A_DEC)
			b1(j, sz == 8 ? 0xfe : 0xff);
		else
			b1(j, sz == 8 ? 0xf6 : 0xf7);
		modrm_rr(j, ext[o->alu], (unsigned)hd);
		if (o->alu != A_NOT)
			s->fl = live ? FL_HOST : FL_MEM;
		return true;
	}
	case JK_SHIFT: {
		static const uint8_t ext[] = { [SH_ROL] = 0, [SH_ROR] = 1, [SH_SHL] = 4, [SH_SHR] = 5,
					       [SH_SAR] = 7 };

		hd = hreg(s, i->rm);
		if (hd < 0)
			return false;
		if (o->form == JF_ECL ||
		    (o->form == JF_EI && !(i->imm & (sz == 64 ? 0x3f : 0x1f))) ||
		    o->alu == SH_ROL || o->alu == SH_ROR)
			flags_to_host(s);
		if (o->form == JF_ECL)
			ld_ctx(j, 8, RCX, GOFF(R_CX));
		pfx(j, sz, 0, (unsigned)hd, true);
		if (o->form == JF_EI) {
			b1(j, sz == 8 ? 0xc0 : 0xc1);
			modrm_rr(j, ext[o->alu], (unsigned)hd);
			b1(j, (uint8_t)i->imm);
		} else {
			b1(j, o->form == JF_E1 ? (sz == 8 ? 0xd0 : 0xd1) : (sz == 8 ? 0xd2 : 0xd3));
			modrm_rr(j, ext[o->alu], (unsigned)hd);
		}
		s->fl = live ? FL_HOST : FL_MEM;
		return true;
	}
	case JK_IMUL2:
		hd = hreg(s, i->reg);
		hs = hreg(s, i->rm);
		if (hd < 0 || hs < 0 || sz == 8)
			return false;
		pfx(j, sz, (unsigned)hd, (unsigned)hs, false);
		b1(j, 0x0f); b1(j, 0xaf); modrm_rr(j, (unsigned)hd, (unsigned)hs);
		s->fl = live ? FL_HOST : FL_MEM;
		return true;
	case JK_CMOV:
		hd = hreg(s, i->reg);
		hs = hreg(s, i->rm);
		if (hd < 0 || hs < 0 || sz == 8)
			return false;
		flags_to_host(s);
		pfx(j, sz, (unsigned)hd, (unsigned)hs, false);
		b1(j, 0x0f); b1(j, 0x40 + o->cc); modrm_rr(j, (unsigned)hd, (unsigned)hs);
		return true;
	case JK_SET:
		hd = hreg(s, i->rm);
		if (hd < 0)
			return false;
		flags_to_host(s);
		b1(j, 0x40 | (((unsigned)hd & 8) ? 1 : 0));
		b1(j, 0x0f); b1(j, 0x90 + o->cc); modrm_rr(j, 0, (unsigned)hd);
		return true;
	default:
		return false;
	}
}

/* ---- code generation per record ---- */

static void epilogue(struct jstate *s, unsigned kind, unsigned idx)
{
	struct jb *j = &s->j;

	mov_imm64(j, RAX, kind | ((uint64_t)idx << 8));
	b1(j, 0x48); b1(j, 0x83); b1(j, 0xc4); b1(j, 8);        /* add $8,%rsp */
	b1(j, 0x41); b1(j, 0x5f);       /* pop r15 */
	b1(j, 0x41); b1(j, 0x5e);       /* pop r14 */
	b1(j, 0x41); b1(j, 0x5d);       /* pop r13 */
	b1(j, 0x41); b1(j, 0x5c);       /* pop r12 */
	b1(j, 0x5d);                    /* pop rbp */
	b1(j, 0x5b);                    /* pop rbx */
	b1(j, 0xc3);
}

static void ret_code(struct jstate *s, unsigned kind, unsigned idx)
{
	flags_to_mem(s);
	cache_flush(s);
	epilogue(s, kind, idx);
}

/*
 * Leave the block for the successor whose linear address is in rax
 * (c->rip already set): if the time slice allows, nothing needs attention
 * and the successor is known (link slot, or the jump cache for computed
 * targets) and compiled, jump straight into its code; else return to the
 * interpreter with kind.
 */
#define Q_BLK (7 + 11 + 7 + 2)
#define Q_JMP (Q_BLK + 8 + 7 + 1)

static void chain(struct jstate *s, unsigned kind, unsigned idx)
{
	struct jb *j = &s->j;
	uint8_t *out[6];
	unsigned n = 0, k;

	flags_to_mem(s);
	cache_flush(s);
	ld_ctx(j, 64, RCX, COFF(slice));
	b1(j, 0x48); b1(j, 0x81); b1(j, 0xe9); b4(j, s->b->ninsn);     /* sub $n,%rcx */
	out[n++] = jcc32(j, 0xe);                                       /* jle */
	ld_ctx(j, 32, RDX, COFF(attn));
	b1(j, 0x23); modrm_rbx(j, RDX, COFF(attn_mask));                /* and attn_mask,%edx */
	out[n++] = jcc32(j, 5);                                         /* jnz */
	if (kind < 2 && s->direct_ok) {
		/*
		 * Out to the interpreter, which links the blocks and then
		 * patches this jump to the direct tail below (iem_jit_link).
		 */
		s->b->jit_p[kind] = jmp32(j);
		out[n++] = s->b->jit_p[kind];
	} else {
		if (kind < 2) {
			mov_imm64(j, RSI, (uint64_t)(uintptr_t)&s->b->link[kind]);
		} else {
			/* jump cache slot of rax (iem_jc_key) */
			mov_rr64(j, RSI, RAX);
			b1(j, 0x48); b1(j, 0xc1); b1(j, 0xee); b1(j, IEM_JC_BITS);      /* shr $12,%rsi */
			b1(j, 0x48); b1(j, 0x31); b1(j, 0xc6);                          /* xor %rax,%rsi */
			mov_rr64(j, RDX, RAX);
			b1(j, 0x48); b1(j, 0xc1); b1(j, 0xea); b1(j, 21);               /* shr $21,%rdx */
			b1(j, 0x48); b1(j, 0x31); b1(j, 0xd6);                          /* xor %rdx,%rsi */
			b1(j, 0x81); b1(j, 0xe6); b4(j, (1u << IEM_JC_BITS) - 1);       /* and $mask,%esi */
			b1(j, 0x48); b1(j, 0x8d); b1(j, 0x34); b1(j, 0x76);             /* lea (%rsi,%rsi,2),%rsi */
			b1(j, 0x48); b1(j, 0xc1); b1(j, 0xe6); b1(j, 3);                /* shl $3,%rsi */
			b1(j, 0x48); b1(j, 0x03); modrm_rbx(j, RSI, COFF(jc));          /* add jc,%rsi */
		}
		b1(j, 0x48); b1(j, 0x3b); b1(j, 0x06);                          /* cmp (%rsi),%rax */
		out[n++] = jcc32(j, 5);
		ld_ctx(j, 64, RDX, COFF(linktag));
		b1(j, 0x48); b1(j, 0x3b); b1(j, 0x56); b1(j, 8);                /* cmp 8(%rsi),%rdx */
		out[n++] = jcc32(j, 5);
		b1(j, 0x48); b1(j, 0x8b); b1(j, 0x76); b1(j, 16);               /* mov 16(%rsi),%rsi */
		b1(j, 0x48); b1(j, 0x8b); b1(j, 0x96);                          /* mov entry1(%rsi),%rdx */
		b4(j, (uint32_t)offsetof(struct iem_block, jit_entry1));
		b1(j, 0x48); b1(j, 0x85); b1(j, 0xd2);                          /* test %rdx,%rdx */
		out[n++] = jcc32(j, 4);                                         /* jz */
		st_ctx(j, 64, RCX, COFF(slice));
		b1(j, 0x48); b1(j, 0x81); modrm_rbx(j, 0, COFF(icount)); b4(j, s->b->ninsn);
		st_ctx(j, 64, RSI, COFF(curblk));
		st_ctx(j, 64, RAX, GOFF(IEM_R_RIPBASE));
		b1(j, 0xff); b1(j, 0xe2);                                       /* jmp *%rdx */
	}
	for (k = 0; k < n; k++)
		patch(out[k], j->p);
	epilogue(s, kind, idx);
	if (kind < 2 && s->direct_ok) {
		/* direct tail: successor block and entry filled in when linked */
		s->b->jit_q[kind] = j->p;
		st_ctx(j, 64, RCX, COFF(slice));
		b1(j, 0x48); b1(j, 0x81); modrm_rbx(j, 0, COFF(icount)); b4(j, s->b->ninsn);
		st_ctx(j, 64, RAX, GOFF(IEM_R_RIPBASE));
		b1(j, 0x48); b1(j, 0xbe); b8(j, 0);     /* movabs $blk,%rsi: imm64 at jit_q + Q_BLK */
		st_ctx(j, 64, RSI, COFF(curblk));
		patch(jmp32(j), j->p);                  /* rel32 at jit_q + Q_JMP */
	}
	s->direct_ok = false;
}

/* set c->rip = RIPB + v (v relative to the block start) */
static void set_rip_rel(struct jstate *s, uint64_t v)
{
	struct jb *j = &s->j;
	int64_t off = (int64_t)(s->b->gpa & 0xfff) + (int64_t)v;

	/* a target in the block's own physical page can be jumped to directly */
	s->direct_ok = off >= 0 && off < 4096;

	ld_ctx(j, 64, RAX, GOFF(IEM_R_RIPBASE));
	mov_imm64(j, RCX, v);
	/* lea (%rax,%rcx),%rax */
	b1(j, 0x48); b1(j, 0x8d); b1(j, 0x04); b1(j, 0x08);
	st_ctx(j, 64, RAX, COFF(rip));
}

/* does any instruction after index k read flags before they are fully written? */
static bool flags_live_after(const struct iem_block *b, unsigned k, bool *reaches_end)
{
	unsigned m;

	*reaches_end = false;
	for (m = k + 1; m < b->nrec; m++) {
		const struct iem_insn *i = &b->insn[m];
		const struct jop *o;

		if (i->op >= IEM_OP_COUNT || i->label != iem_labels[i->op])
			return true;    /* pseudo records and the interpreter: assume read */
		o = &jops[i->op];
		switch (o->kind) {
		case JK_JCC: case JK_CMOV: case JK_SET:
			return true;
		case JK_ALU:
			if (o->alu == A_ADC || o->alu == A_SBB)
				return true;
			return false;
		case JK_UN:
			if (o->alu == A_INC || o->alu == A_DEC)
				return true;
			if (o->alu == A_NEG)
				return false;
			break;
		case JK_SHIFT:
			if (o->form == JF_ECL || o->alu == SH_ROL || o->alu == SH_ROR)
				return true;
			if (o->form == JF_EI && !(i->imm & (o->size == 64 ? 0x3f : 0x1f)))
				return true;
			return false;
		case JK_IMUL2: case JK_IMUL3:
			return true;    /* only CF/OF are defined: others survive */
		case JK_RMW:
			if (o->alu == A_ADC || o->alu == A_SBB || o->alu == A_INC || o->alu == A_DEC)
				return true;
			if (o->alu == A_NOT)
				break;
			return false;
		case JK_JMPE: case JK_CALLE:
			*reaches_end = true;
			return true;
		case JK_NONE:
			return true;
		default:
			break;
		}
	}
	*reaches_end = true;
	return true;
}

static bool gen_insn(struct jstate *s, unsigned k, bool *ended)
{
	const struct iem_insn *i = &s->b->insn[k];
	struct jb *j = &s->j;
	const struct jop *o;
	unsigned sz, n;
	bool end, live = flags_live_after(s->b, k, &end);

	*ended = false;
	if (i->op >= IEM_OP_COUNT || i->label != iem_labels[i->op] || i->op == IEM_OP_invalid)
		return false;
	o = &jops[i->op];
	sz = o->size;
	n = sz / 8;
	if (gen_direct(s, i, o, live))
		return true;
	switch (o->kind) {
	case JK_RMW: {
		static const uint8_t uext[] = { [A_INC] = 0, [A_DEC] = 1, [A_NOT] = 2, [A_NEG] = 3 };
		bool unary = o->form == JF_E1;
		bool cin = o->alu == A_ADC || o->alu == A_SBB || o->alu == A_INC || o->alu == A_DEC;
		struct slow *sl;

		/* carry-in first (may call out, clobbering r8), then the source into r8 */
		if (cin && s->fl == FL_MEM)
			flags_to_host(s);       /* then parked by the probe */
		if (!unary) {
			if (o->form == JF_EI)
				mov_imm64(j, R8, sz == 64 ? i->imm : i->imm & zmask(sz));
			else
				ld_greg(j, sz, R8, i->reg);
		}
		ea(s, i);
		probe(s, i, n, i->seg, true, cin || o->alu == A_NOT);
		sl = &s->slow[s->nslow - 1];
		sl->kind = 2;
		sl->writes_flags = o->alu != A_NOT;
		if (cin)
			flags_to_host(s);
		if (i->fl & IEM_IF_LOCK)
			b1(j, 0xf0);
		pfx(j, sz, unary ? 0 : R8, 0, true);
		if (unary) {
			if (o->alu == A_INC || o->alu == A_DEC)
				b1(j, sz == 8 ? 0xfe : 0xff);
			else
				b1(j, sz == 8 ? 0xf6 : 0xf7);
			b1(j, (uext[o->alu] << 3) | 4);
		} else {
			b1(j, alu_opc[o->alu] + (sz == 8 ? 0 : 1));
			b1(j, ((R8 & 7) << 3) | 4);
		}
		b1(j, 0x17);                    /* SIB (%rdi,%rdx) */
		sl->back = j->p;
		if (o->alu != A_NOT)
			s->fl = live ? FL_HOST : FL_MEM;
		return true;
	}
	case JK_JMPE:
	case JK_CALLE:
		if (sz != 64)
			return false;
		if (o->mem) {
			mem_read(s, i, 8, true);
			st_ctx(j, 64, RAX, COFF(jit_tmp));
		} else {
			ld_greg(j, 64, RAX, i->rm);
			st_ctx(j, 64, RAX, COFF(jit_tmp));
		}
		if (o->kind == JK_CALLE) {
			ld_ctx(j, 64, R8, GOFF(IEM_R_RIPBASE));
			b1(j, 0x49); b1(j, 0x81); b1(j, 0xc0); b4(j, insn_off(i) + insn_len(i));
			stack_write(s, i, 8, true);
		}
		ld_ctx(j, 64, RAX, COFF(jit_tmp));
		st_ctx(j, 64, RAX, COFF(rip));
		chain(s, 2, k);
		*ended = true;
		return true;
	case JK_LEAVE:
		if (insn_obytes(i) != 8)
			return false;
		ld_greg(j, 64, RAX, R_BP);
		st_greg(j, 64, RAX, R_SP);
		stack_read(s, i, 8, 0, true);
		st_greg(j, 64, RAX, R_BP);
		return true;
	case JK_NOP:
		return true;
	case JK_MOV:
		if (o->form == JF_EG) {
			if (o->mem) {
				ld_greg(j, sz, R8, i->reg);
				mem_write(s, i, n, true);
			} else {
				ld_greg(j, sz, RAX, i->reg);
				st_greg(j, sz, RAX, i->rm);
			}
		} else if (o->form == JF_GE) {
			if (o->mem) {
				mem_read(s, i, n, true);
				st_greg(j, sz, RAX, i->reg);
			} else {
				ld_greg(j, sz, RAX, i->rm);
				st_greg(j, sz, RAX, i->reg);
			}
		} else {
			if (o->mem) {
				mov_imm64(j, R8, sz == 32 ? (uint32_t)i->imm : i->imm);
				mem_write(s, i, n, true);
			} else {
				mov_imm64(j, RAX, sz == 32 ? (uint32_t)i->imm : i->imm);
				st_greg(j, sz, RAX, i->rm);
			}
		}
		return true;
	case JK_MOVX: {
		unsigned from = o->alu == JX_ZB || o->alu == JX_SB ? 8 : o->alu == JX_SD ? 32 : 16;

		if (o->alu == JX_SD && sz != 64)
			return false;
		if (o->mem)
			mem_read(s, i, from / 8, true);
		else
			ld_greg(j, from, RAX, i->rm);
		if (o->alu == JX_SB) {
			b1(j, 0x48); b1(j, 0x0f); b1(j, 0xbe); b1(j, 0xc0);     /* movsbq %al,%rax */
		} else if (o->alu == JX_SW) {
			b1(j, 0x48); b1(j, 0x0f); b1(j, 0xbf); b1(j, 0xc0);     /* movswq %ax,%rax */
		} else if (o->alu == JX_SD) {
			b1(j, 0x48); b1(j, 0x63); b1(j, 0xc0);                  /* movslq %eax,%rax */
		}
		if (sz == 32) {
			b1(j, 0x89); b1(j, 0xc0);                               /* mov %eax,%eax */
		}
		st_greg(j, sz, RAX, i->reg);
		return true;
	}
	case JK_LEA:
		ea(s, i);
		if (sz == 32) {
			b1(j, 0x89); b1(j, 0xf6);
		}
		st_greg(j, sz, RSI, i->reg);
		return true;
	case JK_ALU: {
		bool wr = o->alu != A_CMP && o->alu != A_TEST;
		bool cin = o->alu == A_ADC || o->alu == A_SBB;

		/* memory first (its probe clobbers host flags), then the flags */
		bool spill = false;

		if (o->mem) {
			mem_read(s, i, n, true);
			/* r8 survives everything but a call for lazy flags */
			spill = cin && s->fl == FL_MEM;
			if (spill)
				st_ctx(j, 64, RAX, COFF(jit_tmp));
			else
				mov_rr64(j, R8, RAX);
		}
		if (cin)
			flags_to_host(s);
		if (o->form == JF_GE) {
			ld_greg(j, sz, RAX, i->reg);
			if (o->mem && spill)
				ld_ctx(j, sz, RCX, COFF(jit_tmp));
			else if (o->mem)
				mov_rr64(j, RCX, R8);
			else
				ld_greg(j, sz, RCX, i->rm);
		} else {
			if (o->mem && spill)
				ld_ctx(j, sz, RAX, COFF(jit_tmp));
			else if (o->mem)
				mov_rr64(j, RAX, R8);
			else
				ld_greg(j, sz, RAX, i->rm);
			if (o->form == JF_EG)
				ld_greg(j, sz, RCX, i->reg);
			else
				mov_imm64(j, RCX, sz == 64 ? i->imm : i->imm & zmask(sz));
		}
		alu_rr(j, o->alu, sz, RAX, RCX);
		s->fl = FL_HOST;
		if (wr && (o->form == JF_GE || !o->mem))
			st_greg(j, sz, RAX, o->form == JF_GE ? i->reg : i->rm);
		if (!live)
			s->fl = FL_MEM;
		return true;
	}
	case JK_UN: {
		static const uint8_t ext[] = { [A_INC] = 0, [A_DEC] = 1, [A_NOT] = 2, [A_NEG] = 3 };

		if (o->alu == A_INC || o->alu == A_DEC)
			flags_to_host(s);       /* CF survives */
		ld_greg(j, sz, RAX, i->rm);
		pfx(j, sz, 0, RAX, true);
		if (o->alu == A_INC || o->alu == A_DEC)
			b1(j, sz == 8 ? 0xfe : 0xff);
		else
			b1(j, sz == 8 ? 0xf6 : 0xf7);
		b1(j, 0xc0 | ((o->alu == A_INC || o->alu == A_DEC ? ext[o->alu] : ext[o->alu]) << 3));
		st_greg(j, sz, RAX, i->rm);
		if (o->alu != A_NOT)
			s->fl = live ? FL_HOST : FL_MEM;
		return true;
	}
	case JK_SHIFT: {
		static const uint8_t ext[] = { [SH_ROL] = 0, [SH_ROR] = 1, [SH_SHL] = 4, [SH_SHR] = 5,
					       [SH_SAR] = 7 };

		/* a zero count keeps the flags: they must be in host EFLAGS */
		if (o->form == JF_ECL ||
		    (o->form == JF_EI && !(i->imm & (sz == 64 ? 0x3f : 0x1f))) ||
		    o->alu == SH_ROL || o->alu == SH_ROR)
			flags_to_host(s);
		if (o->form == JF_ECL)
			ld_ctx(j, 8, RCX, GOFF(R_CX));
		ld_greg(j, sz, RAX, i->rm);
		pfx(j, sz, 0, RAX, true);
		if (o->form == JF_EI) {
			b1(j, sz == 8 ? 0xc0 : 0xc1);
			b1(j, 0xc0 | (ext[o->alu] << 3));
			b1(j, (uint8_t)i->imm);
		} else if (o->form == JF_E1) {
			b1(j, sz == 8 ? 0xd0 : 0xd1);
			b1(j, 0xc0 | (ext[o->alu] << 3));
		} else {
			b1(j, sz == 8 ? 0xd2 : 0xd3);
			b1(j, 0xc0 | (ext[o->alu] << 3));
		}
		st_greg(j, sz, RAX, i->rm);
		s->fl = live ? FL_HOST : FL_MEM;
		return true;
	}
	case JK_IMUL2:
	case JK_IMUL3:
		if (sz == 8)
			return false;
		if (o->kind == JK_IMUL2 && o->mem)
			mem_read(s, i, n, true);
		else if (o->kind == JK_IMUL3 && o->mem)
			mem_read(s, i, n, true);
		else if (o->kind == JK_IMUL2)
			ld_greg(j, sz, RAX, i->rm);
		else
			ld_greg(j, sz, RAX, i->rm);
		if (o->kind == JK_IMUL2) {
			ld_greg(j, sz, RCX, i->reg);
			pfx(j, sz, RAX, RCX, false);
			b1(j, 0x0f); b1(j, 0xaf); modrm_rr(j, RAX, RCX);        /* imul %rcx,%rax */
		} else {
			if (sz == 64 && (int64_t)i->imm != (int32_t)i->imm)
				return false;
			pfx(j, sz, RAX, RAX, false);
			b1(j, 0x69); modrm_rr(j, RAX, RAX);
			if (sz == 16) {
				b1(j, (uint8_t)i->imm); b1(j, (uint8_t)(i->imm >> 8));
			} else {
				b4(j, (uint32_t)i->imm);
			}
		}
		st_greg(j, sz, RAX, i->reg);
		s->fl = live ? FL_HOST : FL_MEM;
		return true;
	case JK_CMOV:
		if (sz == 8)
			return false;
		if (o->mem) {
			bool spill;

			mem_read(s, i, n, true);
			spill = s->fl == FL_MEM;
			if (spill)
				st_ctx(j, 64, RAX, COFF(jit_tmp));
			else
				mov_rr64(j, R8, RAX);
			flags_to_host(s);
			if (spill)
				ld_ctx(j, sz, RAX, COFF(jit_tmp));
			else
				mov_rr64(j, RAX, R8);
		} else {
			flags_to_host(s);
			ld_greg(j, sz, RAX, i->rm);
		}
		ld_greg(j, sz, RCX, i->reg);
		/* cmovcc %rax,%rcx */
		pfx(j, sz == 16 ? 16 : 64, RCX, RAX, false);
		b1(j, 0x0f); b1(j, 0x40 + o->cc); modrm_rr(j, RCX, RAX);
		if (sz == 32) {
			b1(j, 0x89); b1(j, 0xc9);       /* mov %ecx,%ecx */
		}
		st_greg(j, sz, RCX, i->reg);
		return true;
	case JK_SET:
		flags_to_host(s);
		b1(j, 0x0f); b1(j, 0x90 + o->cc); b1(j, 0xc0);  /* setcc %al */
		if (o->mem) {
			b1(j, 0x44); b1(j, 0x0f); b1(j, 0xb6); b1(j, 0xc0);     /* movzbl %al,%r8d */
			mem_write(s, i, 1, true);
		} else {
			st_greg(j, 8, RAX, i->rm);
		}
		return true;
	case JK_CBW:
		if (sz == 64) {
			ld_ctx(j, 64, RAX, GOFF(R_AX));
			b1(j, 0x48); b1(j, 0x63); b1(j, 0xc0);  /* movslq %eax,%rax */
			st_ctx(j, 64, RAX, GOFF(R_AX));
			return true;
		}
		return false;
	case JK_CWD:
		if (sz == 32 || sz == 64) {
			ld_ctx(j, 64, RAX, GOFF(R_AX));
			if (sz == 32) {
				b1(j, 0x99);                    /* cltd */
				b1(j, 0x89); b1(j, 0xd2);       /* mov %edx,%edx */
			} else {
				b1(j, 0x48); b1(j, 0x99);       /* cqto */
			}
			st_ctx(j, 64, RDX, GOFF(R_DX));
			return true;
		}
		return false;
	case JK_XCHG:
		if (sz == 8)
			return false;
		ld_greg(j, sz, RAX, i->rm);
		ld_greg(j, sz, RCX, i->reg);
		st_greg(j, sz, RCX, i->rm);
		st_greg(j, sz, RAX, i->reg);
		return true;
	case JK_PUSH:
		if (o->mem || sz != 64)
			return false;
		ld_greg(j, 64, R8, i->rm);
		stack_write(s, i, 8, true);
		return true;
	case JK_PUSHI:
		if (insn_obytes(i) != 8)
			return false;
		mov_imm64(j, R8, i->imm);
		stack_write(s, i, 8, true);
		return true;
	case JK_POP:
		if (sz != 64)
			return false;
		stack_read(s, i, 8, 0, true);
		st_greg(j, 64, RAX, i->rm);
		return true;
	case JK_JCC: {
		uint8_t *skip;
		int fl_branch;

		flags_to_host(s);
		fl_branch = s->fl;
		skip = jcc32(j, o->cc ^ 1);             /* not taken: skip */
		if (i->imm == 0) {
			/* a loop: account the iteration, check attention, go again */
			uint8_t *out1, *out2;

			/* the block writes flags before reading them: dead here */
			if (s->entry_live)
				flags_to_mem(s);
			else
				flags_park(s, false);
			ld_ctx(j, 64, RAX, COFF(slice));
			b1(j, 0x48); b1(j, 0x2d); b4(j, s->b->ninsn);           /* sub $n,%rax */
			out1 = jcc32(j, 0xe);                                   /* jle out */
			ld_ctx(j, 32, RCX, COFF(attn));
			b1(j, 0x23); modrm_rbx(j, RCX, COFF(attn_mask));        /* and attn_mask,%ecx */
			out2 = jcc32(j, 5);                                     /* jnz out */
			st_ctx(j, 64, RAX, COFF(slice));
			b1(j, 0x48); b1(j, 0x81); modrm_rbx(j, 0, COFF(icount)); b4(j, s->b->ninsn);
			patch(jmp32(j), s->body);
			patch(out1, j->p);
			patch(out2, j->p);
		}
		set_rip_rel(s, i->imm);
		if (i->imm == 0)
			ret_code(s, 0, k);
		else
			chain(s, 0, k);
		patch(skip, j->p);
		s->fl = fl_branch;
		set_rip_rel(s, insn_off(i) + insn_len(i));
		chain(s, 1, k);
		*ended = true;
		(void)end;
		return true;
	}
	case JK_JMP:
		set_rip_rel(s, i->imm);
		chain(s, 0, k);
		*ended = true;
		return true;
	case JK_CALL:
		/* push the return address, then leave through link 0 */
		ld_ctx(j, 64, R8, GOFF(IEM_R_RIPBASE));
		b1(j, 0x49); b1(j, 0x81); b1(j, 0xc0); b4(j, insn_off(i) + insn_len(i)); /* add $,%r8 */
		stack_write(s, i, 8, true);
		set_rip_rel(s, i->imm);
		chain(s, 0, k);
		*ended = true;
		return true;
	case JK_RET:
		if (insn_obytes(i) != 8)
			return false;
		stack_read(s, i, 8, (unsigned)(i->imm & 0xffff), true);
		st_ctx(j, 64, RAX, COFF(rip));
		chain(s, 2, k);
		*ended = true;
		return true;
	default:
		return false;
	}
}

/* Hold the most used guest registers of the block in host registers. */
static void choose_cache(struct jstate *s)
{
	unsigned use[16] = { 0 }, k, m, min_use = 1;
	bool hi[16] = { false };

	for (k = 0; k < 16; k++)
		s->cache[k] = -1;
	s->ncached = 0;
	for (k = 0; k < s->b->nrec; k++) {
		const struct iem_insn *i = &s->b->insn[k];
		const struct jop *o;

		if (i->op >= IEM_OP_COUNT || i->label != iem_labels[i->op])
			break;
		o = &jops[i->op];
		if (o->kind == JK_NONE)
			break;
		if (o->size == 8) {
			if (i->reg >= 16)
				hi[i->reg & 15] = true;
			if (!o->mem && i->rm >= 16)
				hi[i->rm & 15] = true;
		}
		/*
		 * MOVZX/MOVSX from AH..BH: the size is the destination's, the
		 * source is a high byte read through memory, so its register
		 * must not live in a host register.
		 */
		if (o->kind == JK_MOVX && (o->alu == JX_ZB || o->alu == JX_SB) && !o->mem &&
		    i->rm >= 16)
			hi[i->rm & 15] = true;
		if (i->reg < 16)
			use[i->reg]++;
		if (i->rm < 16)
			use[i->rm]++;
		if (i->idx < 16)
			use[i->idx]++;
		if (o->kind == JK_PUSH || o->kind == JK_PUSHI || o->kind == JK_POP ||
		    o->kind == JK_CALL || o->kind == JK_RET || o->kind == JK_CALLE ||
		    o->kind == JK_LEAVE)
			use[R_SP] += 2;
		if (o->kind == JK_CBW || o->kind == JK_CWD)
			use[R_AX] = use[R_DX] = 0, hi[R_AX] = hi[R_DX] = true;
		if (o->kind == JK_SHIFT && o->form == JF_ECL)
			hi[R_CX] = true;        /* read through memory below */
		if ((o->kind == JK_JCC || o->kind == JK_JMP) && i->imm == 0)
			min_use = 0;            /* a loop: every use repeats */
	}
	for (m = 0; m < 5; m++) {
		unsigned best = 16, bu = min_use;

		for (k = 0; k < 16; k++) {
			if (!hi[k] && s->cache[k] < 0 && use[k] > bu) {
				best = k;
				bu = use[k];
			}
		}
		if (best == 16)
			break;
		s->cache[best] = (int8_t)cache_hregs[m];
		s->cached[s->ncached++] = (uint8_t)best;
	}
}

/* ---- arena and entry points ---- */

static pthread_once_t jit_once = PTHREAD_ONCE_INIT;

void iem_jit_flush(struct iem_cpu *c)
{
	c->jit_used = 0;
	c->njpatch = 0;
}

#define JPATCH_MAX 32768

static void put32(uint8_t *p, int32_t v)
{
	memcpy(p, &v, 4);
}

/*
 * Link k of compiled block from goes to compiled block to (same physical
 * page, same mode): patch its jump to the direct tail.  Undone by
 * iem_jit_unlink_to() when to dies; everything goes with a cache flush.
 */
void iem_jit_link(struct iem_cpu *c, struct iem_block *from, unsigned k, struct iem_block *to)
{
	uint8_t *p = from->jit_p[k], *q = from->jit_q[k];
	struct iem_jpatch *e;
	uint64_t blk = (uint64_t)(uintptr_t)to;
	int32_t orig;

	if (!p || !q || !to->jit_entry1 || to == from || to->mode != from->mode ||
	    (to->gpa >> 12) != (from->gpa >> 12) || to->gpa2 != ~0ull || !to->valid)
		return;
	if (!c->jpatch) {
		c->jpatch = calloc(JPATCH_MAX, sizeof(*c->jpatch));
		if (!c->jpatch)
			return;
	}
	if (c->njpatch >= JPATCH_MAX)
		return;
	memcpy(&orig, p, 4);
	if (p + 4 + orig == q)
		return;                         /* already linked */
	memcpy(q + Q_BLK, &blk, 8);
	put32(q + Q_JMP, (int32_t)((uint8_t *)to->jit_entry1 - (q + Q_JMP + 4)));
	put32(p, (int32_t)(q - (p + 4)));
	e = &c->jpatch[c->njpatch++];
	e->p = p;
	e->orig = orig;
	e->to = to;
	to->jit_in++;
}

void iem_jit_unlink_to(struct iem_cpu *c, struct iem_block *to)
{
	unsigned k;

	for (k = 0; k < c->njpatch && to->jit_in; k++) {
		struct iem_jpatch *e = &c->jpatch[k];

		if (e->to != to)
			continue;
		put32(e->p, e->orig);
		to->jit_in--;
		*e = c->jpatch[--c->njpatch];
		k--;
	}
}

void iem_jit_compile(struct iem_cpu *c, struct iem_block *b)
{
	struct jstate *s;
	unsigned k;
	bool ended = false;
	uint8_t *start;

	pthread_once(&jit_once, jit_init_once);
	b->jit_tried = 1;
	if (c->mode != 2 || b->single)
		return;
	if (!c->jit) {
		c->jit = mmap(NULL, JIT_ARENA, PROT_READ | PROT_WRITE | PROT_EXEC,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (c->jit == MAP_FAILED) {
			c->jit = NULL;
			return;
		}
		c->jit_size = JIT_ARENA;
	}
	if (c->jit_used + 65536 > c->jit_size) {
		c->jit_full = true;     /* iem_block_lookup flushes everything */
		return;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return;
	s->c = c;
	s->b = b;
	b->jit_p[0] = b->jit_p[1] = NULL;
	b->jit_q[0] = b->jit_q[1] = NULL;
	start = c->jit + c->jit_used;
	s->j.p = start;
	s->j.end = c->jit + c->jit_size;
	s->fl = FL_MEM;
	choose_cache(s);
	b1(&s->j, 0x53);                /* push rbx */
	b1(&s->j, 0x55);                /* push rbp */
	b1(&s->j, 0x41); b1(&s->j, 0x54);       /* push r12 */
	b1(&s->j, 0x41); b1(&s->j, 0x55);       /* push r13 */
	b1(&s->j, 0x41); b1(&s->j, 0x56);       /* push r14 */
	b1(&s->j, 0x41); b1(&s->j, 0x57);       /* push r15 */
	b1(&s->j, 0x48); b1(&s->j, 0x83); b1(&s->j, 0xec); b1(&s->j, 8);      /* sub $8,%rsp */
	mov_rr64(&s->j, RBX, RDI);
	s->entry1 = s->j.p;
	cache_load(s);
	s->body = s->j.p;
	{
		bool end;

		s->entry_live = flags_live_after(b, (unsigned)-1, &end);
	}
	for (k = 0; k < b->nrec && !ended; k++) {
		if (!gen_insn(s, k, &ended)) {
			if (getenv("IEM_JIT_MISS"))
				fprintf(stderr, "jit-miss %s at %u/%u\n",
					b->insn[k].op < IEM_OP_COUNT && b->insn[k].label == iem_labels[b->insn[k].op]
					? iem_op_names[b->insn[k].op] : "pseudo", k, b->nrec);
			break;
		}
	}
	if (k == 0) {
		b->jit_p[0] = b->jit_p[1] = NULL;
		free(s);
		return;
	}
	if (!ended)
		ret_code(s, 3, k);      /* resume the interpreter at record k */
	emit_slow_paths(s);
	if (!s->j.full && getenv("IEM_JIT_DUMP")) {
		FILE *f = fopen(getenv("IEM_JIT_DUMP"), "ab");

		if (f) {
			uint64_t hdr[3] = { (uint64_t)(uintptr_t)start, (uint64_t)(s->j.p - start),
					    c->rip };

			fwrite(hdr, sizeof(hdr), 1, f);
			fwrite(start, 1, (size_t)(s->j.p - start), f);
			fclose(f);
		}
	}
	if (!s->j.full && getenv("IEM_JIT_PERFMAP")) {
		/* symbols for perf(1): /tmp/perf-PID.map */
		char path[64];
		FILE *f;

		snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)getpid());
		f = fopen(path, "a");
		if (f) {
			fprintf(f, "%lx %lx jit_%llx\n", (unsigned long)(uintptr_t)start,
				(unsigned long)(s->j.p - start), (unsigned long long)c->rip);
			fclose(f);
		}
	}
	if (s->j.full) {
		b->jit_p[0] = b->jit_p[1] = NULL;
		b->jit_q[0] = b->jit_q[1] = NULL;
	}
	if (!s->j.full) {
		b->jit = (uint64_t (*)(struct iem_cpu *))(void *)start;
		b->jit_entry1 = s->entry1;
		c->jit_used = (size_t)(s->j.p - c->jit + 15) & ~(size_t)15;
		c->stats.jit_blocks++;
	}
	free(s);
}
