/*
 * iem engine: the template JIT against the interpreter.
 *
 * Random 64-bit loop bodies built from the instruction forms the JIT
 * compiles (ALU, unary, shifts and rotates, MOV, MOVZX/MOVSX, LEA, IMUL,
 * CMOVcc, SETcc, XCHG, PUSH/POP, CBW family, short forward Jcc) over all
 * operand sizes, the legacy high-byte registers and REX byte registers,
 * with memory operands that straddle a page boundary.  Each program runs
 * once on the interpreter only and once with every block compiled after
 * its first or second run; registers, arithmetic flags and the data area
 * must agree.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "iem-harness.h"

#define CODE 0x100000ull
#define DATA 0x200000ull        /* data area: DATA .. DATA + 0x2000 */
#define RSI_AT (DATA + 0xffc)   /* base register: operands cross the page at DATA + 0x1000 */
#define ITER 40

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return r->s;
}

static unsigned rn(struct rng *r, unsigned n)
{
	return (unsigned)(rnd(r) % n);
}

/* destination-capable registers; rsi (base), r14 (index), r15 (counter) and rsp are fixed */
static const char *const rq[] = { "rax", "rbx", "rcx", "rdx", "rdi", "rbp", "r8", "r9", "r10",
				  "r11", "r12", "r13" };
static const char *const rl[] = { "eax", "ebx", "ecx", "edx", "edi", "ebp", "r8d", "r9d",
				  "r10d", "r11d", "r12d", "r13d" };
static const char *const rw[] = { "ax", "bx", "cx", "dx", "di", "bp", "r8w", "r9w", "r10w",
				  "r11w", "r12w", "r13w" };
static const char *const rb[] = { "al", "bl", "cl", "dl", "dil", "bpl", "r8b", "r9b", "r10b",
				  "r11b", "r12b", "r13b" };
/* byte registers usable together with ah..dh (no REX) */
static const char *const rbh[] = { "al", "bl", "cl", "dl", "ah", "bh", "ch", "dh" };
#define NR 12

static const char *const alus[] = { "add", "or", "adc", "sbb", "and", "sub", "xor", "cmp",
				    "test" };
static const char *const shs[] = { "shl", "shr", "sar", "rol", "ror", "rcl", "rcr" };
static const char *const ccs[] = { "o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p",
				   "np", "l", "ge", "le", "g" };

struct gen {
	char *buf;
	size_t len, cap;
	struct rng r;
	bool high;              /* this instruction may use ah..dh */
	unsigned undef;         /* EFLAGS bits undefined at this point */
};

static void put(struct gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct gen *g, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(g->buf + g->len, g->cap - g->len, fmt, ap);
	va_end(ap);
	T_ASSERT(n > 0 && (size_t)n < g->cap - g->len);
	g->len += (size_t)n;
}

/* size index: 0 = 8, 1 = 16, 2 = 32, 3 = 64 */
static const char sfx[] = "bwlq";

static const char *reg(struct gen *g, unsigned sz)
{
	unsigned k = rn(&g->r, NR);

	switch (sz) {
	case 0:
		return g->high ? rbh[rn(&g->r, 8)] : rb[k];
	case 1: return rw[k];
	case 2: return rl[k];
	default: return rq[k];
	}
}

/* a memory operand near the page boundary */
static void mem(struct gen *g, char *out, size_t n)
{
	int d = (int)rn(&g->r, 24) - 16;        /* -16 .. +7 around RSI_AT: many straddle */

	if (rn(&g->r, 4) == 0)
		d = (int)rn(&g->r, 256) - 128;
	if (!g->high && rn(&g->r, 3) == 0)
		snprintf(out, n, "%d(%%rsi,%%r14,%u)", d - 8, 1u << rn(&g->r, 4));
	else
		snprintf(out, n, "%d(%%rsi)", d);
}

static int32_t imm(struct gen *g, unsigned sz)
{
	static const int32_t edge[] = { 0, 1, -1, 0x7f, -0x80, 0x7fff, -0x8000, 0x7fffffff,
					(int32_t)0x80000000u, 31, 32, 63 };
	int32_t v = rn(&g->r, 3) ? (int32_t)rnd(&g->r) : edge[rn(&g->r, 12)];

	if (sz == 0)
		return (int8_t)v;
	if (sz == 1)
		return (int16_t)v;
	return v;
}

#define F_CF 0x001u
#define F_PF 0x004u
#define F_AF 0x010u
#define F_ZF 0x040u
#define F_SF 0x080u
#define F_OF 0x800u
#define F_ALL (F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)

/* the flags each condition reads */
static const unsigned ccneed[16] = {
	F_OF, F_OF, F_CF, F_CF, F_ZF, F_ZF, F_CF | F_ZF, F_CF | F_ZF, F_SF, F_SF, F_PF, F_PF,
	F_SF | F_OF, F_SF | F_OF, F_ZF | F_SF | F_OF, F_ZF | F_SF | F_OF,
};

/*
 * Flags are architecturally undefined after some forms (IMUL's SF/ZF/PF,
 * AF after logic ops, OF after multi-bit shifts...); the interpreter and
 * the host need not agree there.  g->undef tracks them; an instruction
 * that reads flags gets a CMP in front when what it reads is undefined.
 */
static void need_flags(struct gen *g, unsigned f)
{
	if (g->undef & f) {
		put(g, "cmpq %%%s, %%%s\n", rq[rn(&g->r, NR)], rq[rn(&g->r, NR)]);
		g->undef = 0;
	}
}

static const char *cc(struct gen *g)
{
	unsigned k = rn(&g->r, 16);

	need_flags(g, ccneed[k]);
	return ccs[k];
}

static void insn(struct gen *g)
{
	char m[64];
	unsigned sz = rn(&g->r, 4);
	unsigned k = rn(&g->r, 20);
	const char *a, *b;
	unsigned op;

	g->high = sz == 0 && rn(&g->r, 3) == 0;
	mem(g, m, sizeof(m));
	switch (k) {
	case 0: case 1: case 2: case 3: case 4: /* ALU */
		op = rn(&g->r, k == 2 ? 8 : 9);         /* test has no mem,r form */
		if (op == 2 || op == 3)
			need_flags(g, F_CF);            /* adc, sbb */
		if (k == 0) {
			a = reg(g, sz);
			b = reg(g, sz);
			put(g, "%s%c %%%s, %%%s\n", alus[op], sfx[sz], a, b);
		} else if (k == 1) {
			put(g, "%s%c $%d, %%%s\n", alus[op], sfx[sz], imm(g, sz), reg(g, sz));
		} else if (k == 2) {
			put(g, "%s%c %s, %%%s\n", alus[op], sfx[sz], m, reg(g, sz));
		} else if (k == 3) {
			put(g, "%s%c %%%s, %s\n", alus[op], sfx[sz], reg(g, sz), m);
		} else {
			put(g, "%s%c $%d, %s\n", alus[op], sfx[sz], imm(g, sz), m);
		}
		/* or, and, xor, test: AF undefined */
		g->undef = (op == 1 || op == 4 || op == 6 || op == 8) ? F_AF : 0;
		break;
	case 5: { /* unary */
		static const char *const un[] = { "inc", "dec", "not", "neg" };
		unsigned u = rn(&g->r, 4);

		if (rn(&g->r, 2))
			put(g, "%s%c %%%s\n", un[u], sfx[sz], reg(g, sz));
		else
			put(g, "%s%c %s\n", un[u], sfx[sz], m);
		if (u < 2)
			g->undef &= F_CF;               /* inc/dec keep CF */
		else if (u == 3)
			g->undef = 0;
		break;
	}
	case 6: { /* shifts and rotates */
		unsigned sh = rn(&g->r, 7), f = rn(&g->r, 3), n = 1, bits = 8u << sz, eff;
		char cnt[16];

		if (sh >= 5)
			need_flags(g, F_CF);            /* rcl, rcr */
		if (f == 0) {
			n = rn(&g->r, 2) ? rn(&g->r, bits) : rn(&g->r, 256);
			snprintf(cnt, sizeof(cnt), "$%u, ", n);
		} else if (f == 1) {
			snprintf(cnt, sizeof(cnt), "%%cl, ");
		} else {
			cnt[0] = 0;
		}
		if (rn(&g->r, 3))
			put(g, "%s%c %s%%%s\n", shs[sh], sfx[sz], cnt, reg(g, sz));
		else
			put(g, "%s%c %s%s\n", shs[sh], sfx[sz], cnt, m);
		eff = n & (sz == 3 ? 63 : 31);
		if (f == 1) {                           /* count unknown here */
			g->undef |= sh < 3 ? F_AF | F_OF | F_CF : F_OF;
		} else if (eff == 0) {
			/* no flag changes */
		} else if (sh < 3) {
			g->undef = F_AF | (eff != 1 ? F_OF : 0) | (eff >= bits ? F_CF : 0);
		} else {
			g->undef = (g->undef & ~(F_CF | F_OF)) | (eff != 1 ? F_OF : 0);
		}
		break;
	}
	case 7: /* MOV */
		switch (rn(&g->r, 5)) {
		case 0: a = reg(g, sz); put(g, "mov%c %%%s, %%%s\n", sfx[sz], a, reg(g, sz)); break;
		case 1: put(g, "mov%c %s, %%%s\n", sfx[sz], m, reg(g, sz)); break;
		case 2: put(g, "mov%c %%%s, %s\n", sfx[sz], reg(g, sz), m); break;
		case 3: put(g, "mov%c $%d, %%%s\n", sfx[sz], imm(g, sz), reg(g, sz)); break;
		default: put(g, "mov%c $%d, %s\n", sfx[sz], imm(g, sz), m); break;
		}
		break;
	case 8: { /* MOVZX/MOVSX/MOVSXD */
		static const struct { const char *op; unsigned from, to; } x[] = {
			{ "movzbw", 0, 1 }, { "movzbl", 0, 2 }, { "movzbq", 0, 3 },
			{ "movzwl", 1, 2 }, { "movzwq", 1, 3 }, { "movsbw", 0, 1 },
			{ "movsbl", 0, 2 }, { "movsbq", 0, 3 }, { "movswl", 1, 2 },
			{ "movswq", 1, 3 }, { "movslq", 2, 3 },
		};
		unsigned e = rn(&g->r, 11);

		g->high = x[e].from == 0 && x[e].to < 3 && rn(&g->r, 3) == 0;
		if (rn(&g->r, 2)) {
			a = reg(g, x[e].from);
			b = g->high ? (x[e].to == 1 ? rw[rn(&g->r, 4)] : rl[rn(&g->r, 4)]) : reg(g, x[e].to);
			put(g, "%s %%%s, %%%s\n", x[e].op, a, b);
		} else {
			put(g, "%s %s, %%%s\n", x[e].op, m, reg(g, x[e].to));
		}
		break;
	}
	case 9: /* LEA */
		if (sz == 0)
			sz = 3;
		put(g, "lea%c %d(%%%s,%%%s,%u), %%%s\n", sfx[sz], imm(g, 2), rq[rn(&g->r, NR)],
		    rq[rn(&g->r, NR)], 1u << rn(&g->r, 4), reg(g, sz));
		break;
	case 10: /* IMUL: SF, ZF, AF, PF undefined */
		if (sz == 0)
			sz = 2;
		switch (rn(&g->r, 3)) {
		case 0: a = reg(g, sz); put(g, "imul%c %%%s, %%%s\n", sfx[sz], a, reg(g, sz)); break;
		case 1: put(g, "imul%c %s, %%%s\n", sfx[sz], m, reg(g, sz)); break;
		default:
			a = reg(g, sz);
			put(g, "imul%c $%d, %%%s, %%%s\n", sfx[sz], imm(g, sz), a, reg(g, sz));
			break;
		}
		g->undef = F_SF | F_ZF | F_AF | F_PF;
		break;
	case 11: /* CMOVcc */
		if (sz == 0)
			sz = 3;
		a = cc(g);
		if (rn(&g->r, 2)) {
			b = reg(g, sz);
			put(g, "cmov%s%c %%%s, %%%s\n", a, sfx[sz], b, reg(g, sz));
		} else {
			put(g, "cmov%s%c %s, %%%s\n", a, sfx[sz], m, reg(g, sz));
		}
		break;
	case 12: /* SETcc */
		g->high = rn(&g->r, 3) == 0;
		a = cc(g);
		if (rn(&g->r, 3))
			put(g, "set%s %%%s\n", a, reg(g, 0));
		else
			put(g, "set%s %s\n", a, m);
		break;
	case 13: /* XCHG r,r */
		a = reg(g, sz);
		put(g, "xchg%c %%%s, %%%s\n", sfx[sz], a, reg(g, sz));
		break;
	case 14: /* BSWAP */
		put(g, "bswap %%%s\n", rn(&g->r, 2) ? rl[rn(&g->r, NR)] : rq[rn(&g->r, NR)]);
		break;
	case 15: /* PUSH/POP */
		switch (rn(&g->r, 4)) {
		case 0: put(g, "push %%%s\npop %%%s\n", rq[rn(&g->r, NR)], rq[rn(&g->r, NR)]); break;
		case 1: put(g, "pushq $%d\npop %%%s\n", imm(g, 2), rq[rn(&g->r, NR)]); break;
		case 2: put(g, "pushq %s\npop %%%s\n", m, rq[rn(&g->r, NR)]); break;
		default: put(g, "push %%%s\npopq %s\n", rq[rn(&g->r, NR)], m); break;
		}
		break;
	case 16: { /* sign extensions of rAX */
		static const char *const cx[] = { "cbtw", "cwtl", "cltq", "cwtd", "cltd", "cqto" };

		put(g, "%s\n", cx[rn(&g->r, 6)]);
		break;
	}
	case 17: { /* a short forward branch over the next instruction: blocks end mid-body */
		unsigned before;

		put(g, "j%s 1f\n", cc(g));
		before = g->undef;
		insn(g);
		g->undef |= before;             /* either path */
		put(g, "1:\n");
		break;
	}
	case 18: /* zero idioms and 32-bit zero extension */
		a = rl[rn(&g->r, NR)];
		if (rn(&g->r, 2)) {
			put(g, "xorl %%%s, %%%s\n", a, a);
			g->undef = F_AF;
		} else {
			put(g, "movl %%%s, %%%s\n", a, a);
		}
		break;
	default: /* BT family on registers: CF defined, ZF kept, the rest undefined */
		if (sz == 0)
			sz = 2;
		{
			static const char *const bt[] = { "bt", "bts", "btr", "btc" };

			a = reg(g, sz);
			put(g, "%s%c %%%s, %%%s\n", bt[rn(&g->r, 4)], sfx[sz], a, reg(g, sz));
		}
		g->undef = (g->undef & F_ZF) | F_OF | F_SF | F_AF | F_PF;
		break;
	}
}

/* a whole program: set registers, loop ITER times over the body, stop */
static char *program(uint64_t seed, unsigned n, const char *body)
{
	struct gen g = { .cap = 64 * 1024 };
	unsigned k;

	g.buf = malloc(g.cap);
	T_ASSERT(g.buf != NULL);
	g.r.s = seed * 0x9e3779b97f4a7c15ull + 1;
	for (k = 0; k < NR; k++)
		put(&g, "movabs $%#llx, %%%s\n", (unsigned long long)rnd(&g.r), rq[k]);
	put(&g, "mov $%#llx, %%rsi\nmov $2, %%r14d\nmov $%u, %%r15d\n",
	    (unsigned long long)RSI_AT, ITER);
	put(&g, "top:\n");
	if (body) {
		put(&g, "%s", body);
	} else if (getenv("IEM_JIT_TEST_BODY")) {
		/* reproduce by hand: the loop body from a file */
		FILE *f = fopen(getenv("IEM_JIT_TEST_BODY"), "r");

		T_ASSERT(f != NULL);
		g.len += fread(g.buf + g.len, 1, g.cap / 2, f);
		fclose(f);
	} else {
		for (k = 0; k < n; k++)
			insn(&g);
	}
	/* feed the data back so that every iteration differs */
	put(&g, "add %%rax, -8(%%rsi)\nxor %%rbx, 3(%%rsi)\n");
	g.undef = F_AF;
	put(&g, "dec %%r15\njnz top\nout %%al, $0xf4\nhlt\n");
	return g.buf;
}

struct result {
	struct iem_regs r;
	uint8_t data[0x2000];
	uint64_t jit_blocks;
};

static void run(const char *src, uint64_t seed, uint32_t threshold, struct result *res)
{
	struct iemt t;
	struct iem_stats st;
	struct rng r = { seed + 77 };
	unsigned k;

	iemt_jit_threshold = threshold;
	iemt_init(&t, 16, 1);
	iemt_jit_threshold = 0;
	iemt_asm(&t, 64, CODE, src);
	iemt_mode(&t, IEMT_LONG64, CODE);
	iemt_install_handlers(&t, IEMT_LONG64);
	for (k = 0; k < 0x2000; k += 8)
		iemt_wr(&t, DATA + k, 8, rnd(&r));
	T_EQ_INT(iemt_run(&t, 10000000), IEM_EXIT_STOP);
	iemt_regs(&t, &res->r);
	memcpy(res->data, t.ram + DATA, sizeof(res->data));
	iem_cpu_get_stats(t.c, &st);
	res->jit_blocks = st.jit_blocks;
	iemt_free(&t);
}

static uint64_t total_jit_blocks;

static void compare(uint64_t seed, unsigned n, uint32_t threshold, const char *body)
{
	static struct result a, b;
	char *src = program(seed, n, body);
	unsigned k;

	run(src, seed, IEM_JIT_OFF, &a);
	run(src, seed, threshold, &b);
	T_EQ_U64(a.jit_blocks, 0);
	total_jit_blocks += b.jit_blocks;
	for (k = 0; k < 16; k++) {
		if (a.r.gpr[k] != b.r.gpr[k]) {
			fprintf(stderr, "# seed %llu: gpr %u interpreter %#llx, JIT %#llx\n%s",
				(unsigned long long)seed, k, (unsigned long long)a.r.gpr[k],
				(unsigned long long)b.r.gpr[k], src);
			T_EQ_U64(b.r.gpr[k], a.r.gpr[k]);
		}
	}
	T_EQ_U64(b.r.rflags & 0x8d5, a.r.rflags & 0x8d5);
	if (memcmp(a.data, b.data, sizeof(a.data))) {
		for (k = 0; k < sizeof(a.data) && a.data[k] == b.data[k]; k++)
			;
		fprintf(stderr, "# seed %llu: data differs at %#llx\n%s", (unsigned long long)seed,
			(unsigned long long)(DATA + k), src);
		T_ASSERT(!"data area differs between the interpreter and the JIT");
	}
	free(src);
}

/*
 * MOVZX/MOVSX from AH..BH while the full register is held in a host
 * register (the loop uses RAX..RDX often enough to cache them): the byte
 * must come from the live value.  The aes-generic self-test of the Linux
 * kernel failed on this.
 */
void test_iem_jit__high_byte_sources(void)
{
	static const char body[] =
		"movzbl %ah, %edi\nmovzbl %bh, %ebp\nadd %rdi, %rcx\nadd %rbp, %rdx\n"
		"movsbl %ch, %edi\nmovzbw %dh, %bp\nadd %rdi, %rax\nadd %rbp, %rbx\n"
		"movsbw %ah, %di\nxor %rdi, %rdx\nmovsbq %bl, %rdi\nadd %rdi, %rcx\n"
		"rol $13, %rax\nrol $7, %rbx\nror $5, %rcx\nxor %rax, %rdx\n";
	uint64_t s;

	for (s = 1; s <= 3; s++)
		compare(s, 0, (uint32_t)s, body);
}

void test_iem_jit__random_blocks_match_interpreter(void)
{
	const char *e = getenv("IEM_JIT_TEST_SEEDS");
	unsigned seeds = e ? (unsigned)strtoul(e, NULL, 0) : 100;
	const char *f = getenv("IEM_JIT_TEST_FIRST");
	uint64_t s, first = f ? strtoull(f, NULL, 0) : 1;

	for (s = first; s < first + seeds; s++)
		compare(s, 4 + (unsigned)(s % 24), 1 + (uint32_t)(s & 1), NULL);
	T_ASSERT(total_jit_blocks >= seeds);    /* the JIT did compile the bodies */
}
