/*
 * iem engine against the host CPU: every user-level integer and SSE form
 * below runs natively in this process and in the engine (64-bit mode) on
 * the same random inputs (biased to edge values); registers, the memory
 * operand, MXCSR and the defined flags must agree.  The host is an AMD
 * x86-64 like the CPU the engine models, so architecturally undefined
 * flags are masked per instruction, not compared.
 *
 * Layout of a snippet (one 256-byte slot each, position independent):
 * rdi points at a state block; the snippet loads rax rbx rcx rdx r8 r9,
 * the flags and xmm0/xmm1 from it, runs the instruction, stores them back
 * and returns.  The memory operand is (%rsi) = state + 0x100.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "harness.h"
#include "iem-harness.h"

struct state {
	uint64_t rax, rbx, rcx, rdx, r8, r9, flags, pad;        /* 0x00 */
	uint8_t xmm0[16], xmm1[16];                              /* 0x40 */
	uint32_t mxcsr, pad2;                                    /* 0x60 */
	uint8_t fill[0x100 - 0x68];
	uint8_t mem[32];                                         /* 0x100 */
};

#define F_CF 0x1u
#define F_PF 0x4u
#define F_AF 0x10u
#define F_ZF 0x40u
#define F_SF 0x80u
#define F_OF 0x800u
#define ALLF (F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)

/* input constraints */
#define IN_DIV   1      /* rbx/mem nonzero, rdx small: no #DE */
#define IN_IDIV  2
#define IN_SSE   4      /* floating-point xmm inputs */
#define IN_CNT   8      /* rcx small (shift counts) */

struct form {
	const char *text;
	unsigned flags;         /* flags compared */
	unsigned in;
};

static const struct form forms[] = {
	{ "add %rbx,%rax", ALLF, 0 }, { "add %ebx,%eax", ALLF, 0 }, { "add %bx,%ax", ALLF, 0 },
	{ "add %bl,%al", ALLF, 0 }, { "add %bh,%ah", ALLF, 0 }, { "add (%rsi),%rax", ALLF, 0 },
	{ "add %rax,(%rsi)", ALLF, 0 }, { "add $0x7f,%rax", ALLF, 0 }, { "add $-3,%ecx", ALLF, 0 },
	{ "addw $0x1234,(%rsi)", ALLF, 0 }, { "addb $0x80,(%rsi)", ALLF, 0 },
	{ "adc %rbx,%rax", ALLF, 0 }, { "adc %ebx,%eax", ALLF, 0 }, { "adc %bl,%al", ALLF, 0 },
	{ "adc (%rsi),%rdx", ALLF, 0 }, { "adcl $7,(%rsi)", ALLF, 0 },
	{ "sub %rbx,%rax", ALLF, 0 }, { "sub %ebx,%eax", ALLF, 0 }, { "sub %bx,%ax", ALLF, 0 },
	{ "sub %bl,%al", ALLF, 0 }, { "sub %rax,(%rsi)", ALLF, 0 }, { "sub $1,%r8d", ALLF, 0 },
	{ "sbb %rbx,%rax", ALLF, 0 }, { "sbb %ebx,%eax", ALLF, 0 }, { "sbb %bl,%al", ALLF, 0 },
	{ "sbb (%rsi),%r9", ALLF, 0 },
	{ "cmp %rbx,%rax", ALLF, 0 }, { "cmp %ebx,%eax", ALLF, 0 }, { "cmp %bx,%ax", ALLF, 0 },
	{ "cmp %bl,%al", ALLF, 0 }, { "cmpq $0,(%rsi)", ALLF, 0 }, { "cmp $0x41,%al", ALLF, 0 },
	{ "and %rbx,%rax", ALLF & ~F_AF, 0 }, { "and %ebx,%eax", ALLF & ~F_AF, 0 },
	{ "and %bl,%al", ALLF & ~F_AF, 0 }, { "andl $0xff00ff,(%rsi)", ALLF & ~F_AF, 0 },
	{ "or %rbx,%rax", ALLF & ~F_AF, 0 }, { "or %bx,%ax", ALLF & ~F_AF, 0 },
	{ "xor %rbx,%rax", ALLF & ~F_AF, 0 }, { "xor %eax,%eax", ALLF & ~F_AF, 0 },
	{ "xor %r8b,%r9b", ALLF & ~F_AF, 0 },
	{ "test %rbx,%rax", ALLF & ~F_AF, 0 }, { "test $0x80,%cl", ALLF & ~F_AF, 0 },
	{ "testl $0x10000,(%rsi)", ALLF & ~F_AF, 0 },
	{ "inc %rax", ALLF, 0 }, { "inc %eax", ALLF, 0 }, { "inc %ax", ALLF, 0 },
	{ "inc %al", ALLF, 0 }, { "incl (%rsi)", ALLF, 0 },
	{ "dec %rax", ALLF, 0 }, { "dec %ecx", ALLF, 0 }, { "dec %dl", ALLF, 0 },
	{ "decw (%rsi)", ALLF, 0 },
	{ "neg %rax", ALLF, 0 }, { "neg %eax", ALLF, 0 }, { "neg %al", ALLF, 0 },
	{ "negq (%rsi)", ALLF, 0 }, { "not %rax", ALLF, 0 }, { "notb (%rsi)", ALLF, 0 },
	{ "shl %rax", ALLF & ~F_AF, 0 }, { "shl $5,%rax", ALLF & ~(F_AF | F_OF), 0 },
	{ "shl %cl,%rax", ALLF & ~(F_AF | F_OF), IN_CNT }, { "shl %cl,%eax", ALLF & ~(F_AF | F_OF), IN_CNT },
	{ "shl %cl,%ax", ALLF & ~(F_AF | F_OF), IN_CNT }, { "shl %cl,%al", ALLF & ~(F_AF | F_OF), IN_CNT },
	{ "shr %rax", ALLF & ~F_AF, 0 }, { "shr $3,%eax", ALLF & ~(F_AF | F_OF), 0 },
	{ "shr %cl,%rax", ALLF & ~(F_AF | F_OF), IN_CNT }, { "shr %cl,%bl", ALLF & ~(F_AF | F_OF), IN_CNT },
	{ "shrw %cl,(%rsi)", ALLF & ~(F_AF | F_OF), IN_CNT },
	{ "sar %rax", ALLF & ~F_AF, 0 }, { "sar $7,%eax", ALLF & ~(F_AF | F_OF), 0 },
	{ "sar %cl,%rax", ALLF & ~(F_AF | F_OF), IN_CNT }, { "sar %cl,%al", ALLF & ~(F_AF | F_OF), IN_CNT },
	{ "rol %rax", ALLF, 0 }, { "rol $3,%eax", ALLF & ~F_OF, 0 },
	{ "rol %cl,%rax", ALLF & ~F_OF, IN_CNT }, { "rol %cl,%ax", ALLF & ~F_OF, IN_CNT },
	{ "rol %cl,%al", ALLF & ~F_OF, IN_CNT }, { "ror %rax", ALLF, 0 },
	{ "ror $9,%ax", ALLF & ~F_OF, 0 }, { "ror %cl,%eax", ALLF & ~F_OF, IN_CNT },
	{ "rolq $13,(%rsi)", ALLF & ~F_OF, 0 },
	{ "rcl %rax", ALLF, 0 }, { "rcl %cl,%eax", ALLF & ~F_OF, IN_CNT },
	{ "rcl %cl,%al", ALLF & ~F_OF, IN_CNT }, { "rcr %rax", ALLF, 0 },
	{ "rcr %cl,%ax", ALLF & ~F_OF, IN_CNT }, { "rcr $5,%rbx", ALLF & ~F_OF, 0 },
	{ "shld %cl,%rbx,%rax", ALLF & ~(F_AF | F_OF), IN_CNT },
	{ "shld $4,%ebx,%eax", ALLF & ~(F_AF | F_OF), 0 },
	{ "shrd %cl,%rbx,%rax", ALLF & ~(F_AF | F_OF), IN_CNT },
	{ "shrd $31,%ebx,%eax", ALLF & ~(F_AF | F_OF), 0 },
	{ "shld $1,%bx,%ax", ALLF & ~F_AF, 0 },
	{ "mul %rbx", F_CF | F_OF, 0 }, { "mul %ebx", F_CF | F_OF, 0 }, { "mul %bx", F_CF | F_OF, 0 },
	{ "mul %bl", F_CF | F_OF, 0 }, { "mulq (%rsi)", F_CF | F_OF, 0 },
	{ "imul %rbx", F_CF | F_OF, 0 }, { "imul %ebx", F_CF | F_OF, 0 }, { "imul %cl", F_CF | F_OF, 0 },
	{ "imul %rbx,%rax", F_CF | F_OF, 0 }, { "imul %ebx,%eax", F_CF | F_OF, 0 },
	{ "imul %bx,%ax", F_CF | F_OF, 0 }, { "imul $-77,%rbx,%rax", F_CF | F_OF, 0 },
	{ "imul $1000,(%rsi),%ecx", F_CF | F_OF, 0 },
	{ "div %rbx", 0, IN_DIV }, { "div %ebx", 0, IN_DIV }, { "div %bx", 0, IN_DIV },
	{ "div %bl", 0, IN_DIV }, { "idiv %rbx", 0, IN_IDIV }, { "idiv %ebx", 0, IN_IDIV },
	{ "idiv %bl", 0, IN_IDIV },
	{ "bsf %rbx,%rax", F_ZF, 0 }, { "bsr %ebx,%eax", F_ZF, 0 }, { "bsf (%rsi),%cx", F_ZF, 0 },
	{ "bt %rbx,%rax", F_CF, 0 }, { "bts %rcx,%rax", F_CF, 0 }, { "btr $33,%rax", F_CF, 0 },
	{ "btc %ebx,%eax", F_CF, 0 }, { "btsl $5,(%rsi)", F_CF, 0 },
	{ "bt %rcx,(%rsi)", F_CF, IN_CNT }, { "btc %rcx,(%rsi)", F_CF, IN_CNT },
	{ "bswap %rax", 0, 0 }, { "bswap %ebx", 0, 0 },
	{ "xadd %rbx,%rax", ALLF, 0 }, { "xadd %bl,%cl", ALLF, 0 }, { "xadd %rax,(%rsi)", ALLF, 0 },
	{ "lock xadd %eax,(%rsi)", ALLF, 0 },
	{ "cmpxchg %rbx,%rcx", ALLF, 0 }, { "cmpxchg %bl,%cl", ALLF, 0 },
	{ "lock cmpxchg %rbx,(%rsi)", ALLF, 0 }, { "cmpxchg8b (%rsi)", F_ZF, 0 },
	{ "lock addl $3,(%rsi)", ALLF, 0 }, { "lock orq %rbx,(%rsi)", ALLF & ~F_AF, 0 },
	{ "lock decb (%rsi)", ALLF, 0 }, { "lock btsq $63,(%rsi)", F_CF, 0 },
	{ "xchg %rbx,(%rsi)", 0, 0 }, { "xchg %ax,%bx", 0, 0 },
	{ "movzbl %bl,%eax", 0, 0 }, { "movzwq (%rsi),%rax", 0, 0 }, { "movsbq %bl,%rax", 0, 0 },
	{ "movswl (%rsi),%ecx", 0, 0 }, { "movslq %ebx,%rax", 0, 0 }, { "movsbw %ah,%cx", 0, 0 },
	{ "lea 0x10(%rax,%rbx,4),%rcx", 0, 0 }, { "lea -1(%eax,%ebx),%ecx", 0, 0 },
	{ "cmovb %rbx,%rax", 0, 0 }, { "cmovle %ebx,%eax", 0, 0 }, { "cmovnp (%rsi),%cx", 0, 0 },
	{ "cmovo %rbx,%rax", 0, 0 }, { "cmovg %r8,%r9", 0, 0 },
	{ "setb %al", 0, 0 }, { "setnle %bl", 0, 0 }, { "seto (%rsi)", 0, 0 }, { "setp %r8b", 0, 0 },
	{ "cbw", 0, 0 }, { "cwde", 0, 0 }, { "cdqe", 0, 0 }, { "cwd", 0, 0 }, { "cdq", 0, 0 },
	{ "cqo", 0, 0 },
	{ "stc", ALLF, 0 }, { "clc", ALLF, 0 }, { "cmc", ALLF, 0 }, { "sahf", ALLF, 0 },
	{ "lahf", ALLF, 0 },
	/* SSE and SSE2 */
	{ "addps %xmm1,%xmm0", 0, IN_SSE }, { "addsd %xmm1,%xmm0", 0, IN_SSE },
	{ "subss %xmm1,%xmm0", 0, IN_SSE }, { "mulpd %xmm1,%xmm0", 0, IN_SSE },
	{ "divps %xmm1,%xmm0", 0, IN_SSE }, { "divsd (%rsi),%xmm0", 0, IN_SSE },
	{ "sqrtps %xmm1,%xmm0", 0, IN_SSE }, { "sqrtsd %xmm1,%xmm0", 0, IN_SSE },
	{ "minps %xmm1,%xmm0", 0, IN_SSE }, { "maxsd %xmm1,%xmm0", 0, IN_SSE },
	{ "rcpps %xmm1,%xmm0", 0, IN_SSE }, { "rsqrtss %xmm1,%xmm0", 0, IN_SSE },
	{ "andps %xmm1,%xmm0", 0, IN_SSE }, { "xorpd %xmm1,%xmm0", 0, IN_SSE },
	{ "andnps %xmm1,%xmm0", 0, IN_SSE }, { "orpd (%rsi),%xmm0", 0, IN_SSE },
	{ "cmpltps %xmm1,%xmm0", 0, IN_SSE }, { "cmpunordsd %xmm1,%xmm0", 0, IN_SSE },
	{ "ucomiss %xmm1,%xmm0", ALLF, IN_SSE }, { "comisd %xmm1,%xmm0", ALLF, IN_SSE },
	{ "cvtsi2sd %rax,%xmm0", 0, IN_SSE }, { "cvtsi2ss %ebx,%xmm0", 0, IN_SSE },
	{ "cvttsd2si %xmm1,%rax", 0, IN_SSE }, { "cvtss2si %xmm1,%eax", 0, IN_SSE },
	{ "cvtps2pd %xmm1,%xmm0", 0, IN_SSE }, { "cvtpd2ps %xmm1,%xmm0", 0, IN_SSE },
	{ "cvtsd2ss %xmm1,%xmm0", 0, IN_SSE }, { "cvtdq2ps %xmm1,%xmm0", 0, IN_SSE },
	{ "cvttps2dq %xmm1,%xmm0", 0, IN_SSE }, { "cvtdq2pd %xmm1,%xmm0", 0, IN_SSE },
	{ "shufps $0x1b,%xmm1,%xmm0", 0, IN_SSE }, { "shufpd $1,%xmm1,%xmm0", 0, IN_SSE },
	{ "unpcklps %xmm1,%xmm0", 0, IN_SSE }, { "unpckhpd %xmm1,%xmm0", 0, IN_SSE },
	{ "movmskps %xmm1,%eax", 0, IN_SSE }, { "movmskpd %xmm1,%ecx", 0, IN_SSE },
	{ "paddb %xmm1,%xmm0", 0, 0 }, { "paddq (%rsi),%xmm0", 0, 0 }, { "psubusw %xmm1,%xmm0", 0, 0 },
	{ "pmullw %xmm1,%xmm0", 0, 0 }, { "pmuludq %xmm1,%xmm0", 0, 0 }, { "pmaddwd %xmm1,%xmm0", 0, 0 },
	{ "pcmpeqb %xmm1,%xmm0", 0, 0 }, { "pcmpgtd %xmm1,%xmm0", 0, 0 }, { "pmovmskb %xmm1,%eax", 0, 0 },
	{ "pand %xmm1,%xmm0", 0, 0 }, { "pandn %xmm1,%xmm0", 0, 0 }, { "por %xmm1,%xmm0", 0, 0 },
	{ "pxor %xmm1,%xmm0", 0, 0 }, { "psadbw %xmm1,%xmm0", 0, 0 }, { "pavgb %xmm1,%xmm0", 0, 0 },
	{ "pminub %xmm1,%xmm0", 0, 0 }, { "pmaxsw %xmm1,%xmm0", 0, 0 },
	{ "packsswb %xmm1,%xmm0", 0, 0 }, { "packuswb %xmm1,%xmm0", 0, 0 },
	{ "punpcklbw %xmm1,%xmm0", 0, 0 }, { "punpckhqdq %xmm1,%xmm0", 0, 0 },
	{ "psllw $3,%xmm0", 0, 0 }, { "psrad $31,%xmm0", 0, 0 }, { "psrldq $5,%xmm0", 0, 0 },
	{ "pslldq $9,%xmm0", 0, 0 }, { "psrlq %xmm1,%xmm0", 0, 0 }, { "psllq $63,%xmm0", 0, 0 },
	{ "pshufd $0x4e,%xmm1,%xmm0", 0, 0 }, { "pshuflw $0x1b,%xmm1,%xmm0", 0, 0 },
	{ "pshufhw $0xe4,(%rsi),%xmm0", 0, 0 }, { "pextrw $3,%xmm1,%eax", 0, 0 },
	{ "pinsrw $5,%ebx,%xmm0", 0, 0 }, { "pinsrw $1,(%rsi),%xmm0", 0, 0 },
	{ "movd %eax,%xmm0", 0, 0 }, { "movq %rbx,%xmm0", 0, 0 }, { "movd %xmm1,%ecx", 0, 0 },
	{ "movq %xmm1,%rdx", 0, 0 }, { "movq %xmm1,%xmm0", 0, 0 }, { "movq (%rsi),%xmm0", 0, 0 },
	{ "movq %xmm1,(%rsi)", 0, 0 }, { "movss %xmm1,%xmm0", 0, 0 }, { "movsd (%rsi),%xmm0", 0, 0 },
	{ "movss %xmm1,(%rsi)", 0, 0 }, { "movhlps %xmm1,%xmm0", 0, 0 }, { "movlhps %xmm1,%xmm0", 0, 0 },
	{ "movhps (%rsi),%xmm0", 0, 0 }, { "movlpd %xmm1,(%rsi)", 0, 0 }, { "movdqu (%rsi),%xmm0", 0, 0 },
	{ "movups %xmm1,(%rsi)", 0, 0 }, { "movaps %xmm1,%xmm0", 0, 0 },
};

#define NFORMS (sizeof(forms) / sizeof(forms[0]))
#define SLOT 256

static const char prologue[] =
	"push %%rbx\n"
	"mov 0x00(%%rdi),%%rax\nmov 0x08(%%rdi),%%rbx\nmov 0x10(%%rdi),%%rcx\n"
	"mov 0x18(%%rdi),%%rdx\nmov 0x20(%%rdi),%%r8\nmov 0x28(%%rdi),%%r9\n"
	"movdqu 0x40(%%rdi),%%xmm0\nmovdqu 0x50(%%rdi),%%xmm1\nldmxcsr 0x60(%%rdi)\n"
	"lea 0x100(%%rdi),%%rsi\npush 0x30(%%rdi)\npopfq\n";
static const char epilogue[] =
	"pushfq\npop 0x30(%%rdi)\n"
	"mov %%rax,0x00(%%rdi)\nmov %%rbx,0x08(%%rdi)\nmov %%rcx,0x10(%%rdi)\n"
	"mov %%rdx,0x18(%%rdi)\nmov %%r8,0x20(%%rdi)\nmov %%r9,0x28(%%rdi)\n"
	"movdqu %%xmm0,0x40(%%rdi)\nmovdqu %%xmm1,0x50(%%rdi)\nstmxcsr 0x60(%%rdi)\n"
	"pop %%rbx\nret\n";

static char *build_source(void)
{
	size_t cap = NFORMS * 1024 + 1024, len = 0, k;
	char *s = malloc(cap);

	T_ASSERT(s != NULL);
	for (k = 0; k < NFORMS; k++)
		len += (size_t)snprintf(s + len, cap - len, ".org %zu\n%s%s\n%s", k * SLOT,
					prologue, forms[k].text, epilogue);
	/* printf-style %% in the fragments was for snprintf of the fragments */
	return s;
}

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static uint64_t edge(void)
{
	static const uint64_t e[] = {
		0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000ull,
		0xffffffffull, 0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull, 0x100, 0x55aa55aa,
	};
	uint64_t r = rnd();

	switch (r & 3) {
	case 0: return e[(r >> 8) % (sizeof(e) / sizeof(e[0]))];
	case 1: return e[(r >> 8) % (sizeof(e) / sizeof(e[0]))] ^ (1ull << ((r >> 16) & 63));
	default: return rnd();
	}
}

static void fp_value(uint8_t *p, bool dbl)
{
	static const uint32_t fs[] = { 0, 0x80000000u, 0x3f800000u, 0x7f800000u, 0xff800000u,
				       0x7fc00000u, 0x00000001u, 0x7f7fffffu, 0x40490fdbu };
	static const uint64_t ds[] = { 0, 0x8000000000000000ull, 0x3ff0000000000000ull,
				       0x7ff0000000000000ull, 0x7ff8000000000000ull, 1,
				       0x400921fb54442d18ull, 0xc1e0000000000000ull };
	uint64_t r = rnd();

	if (dbl) {
		uint64_t v = (r & 3) == 0 ? ds[(r >> 8) % 8] : (rnd() & 0x43ffffffffffffffull);

		if ((r >> 4) & 1)
			v ^= 0x8000000000000000ull;
		memcpy(p, &v, 8);
	} else {
		uint32_t v = (r & 3) == 0 ? fs[(r >> 8) % 9] : ((uint32_t)rnd() & 0x4fffffffu);

		if ((r >> 4) & 1)
			v ^= 0x80000000u;
		memcpy(p, &v, 4);
	}
}

static void make_input(struct state *s, unsigned in)
{
	unsigned k;

	memset(s, 0, sizeof(*s));
	s->rax = edge();
	s->rbx = edge();
	s->rcx = edge();
	s->rdx = edge();
	s->r8 = edge();
	s->r9 = edge();
	s->flags = (rnd() & (ALLF | 0x400)) | 2;
	s->flags &= ~0x400ull;          /* DF clear: string forms move forward */
	for (k = 0; k < 32; k++)
		s->mem[k] = (uint8_t)rnd();
	for (k = 0; k < 16; k++) {
		s->xmm0[k] = (uint8_t)rnd();
		s->xmm1[k] = (uint8_t)rnd();
	}
	s->mxcsr = 0x1f80 | ((unsigned)rnd() & 0x6000);
	if (in & IN_SSE) {
		bool dbl = rnd() & 1;

		for (k = 0; k < 16; k += dbl ? 8 : 4) {
			fp_value(s->xmm0 + k, dbl);
			fp_value(s->xmm1 + k, dbl);
			fp_value(s->mem + k, dbl);
		}
	}
	if (in & IN_CNT)
		s->rcx = rnd() & ((rnd() & 1) ? 0x1f : 0xff);
	if (in & IN_DIV) {
		if (!s->rbx)
			s->rbx = 3;
		if (!(s->rbx & 0xff))
			s->rbx |= 1;
		if (!(s->rbx & 0xffff))
			s->rbx |= 1;
		if (!(s->rbx & 0xffffffffull))
			s->rbx |= 1;
		s->rdx = 0;
		s->rax &= 0xffff00ffull | (0xffull << 32);
	}
	if (in & IN_IDIV) {
		s->rbx = (s->rbx & 0x7f00) | (s->rbx & 0x3f) | 3;
		s->rdx = 0;
		s->rax &= 0x7f;
	}
	/* string forms: rsi/rdi are set by the prologue; keep counts harmless */
}

/* Run one snippet on the host. */
static void host_run(const uint8_t *code, size_t k, struct state *s)
{
	void (*fn)(struct state *) = (void (*)(struct state *))(uintptr_t)(code + k * SLOT);

	fn(s);
}

static bool same(const struct form *f, const struct state *a, const struct state *b)
{
	return a->rax == b->rax && a->rbx == b->rbx && a->rcx == b->rcx && a->rdx == b->rdx &&
	       a->r8 == b->r8 && a->r9 == b->r9 && ((a->flags ^ b->flags) & f->flags) == 0 &&
	       !memcmp(a->xmm0, b->xmm0, 16) && !memcmp(a->xmm1, b->xmm1, 16) &&
	       a->mxcsr == b->mxcsr && !memcmp(a->mem, b->mem, sizeof(a->mem));
}

static void dump(const char *who, const struct state *s)
{
	fprintf(stderr, "# %s: rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx r8=%llx r9=%llx "
		"fl=%03llx mx=%04x mem=%016llx xmm0=%016llx:%016llx\n", who,
		(unsigned long long)s->rax, (unsigned long long)s->rbx,
		(unsigned long long)s->rcx, (unsigned long long)s->rdx,
		(unsigned long long)s->r8, (unsigned long long)s->r9,
		(unsigned long long)s->flags & 0xfff, s->mxcsr,
		*(const unsigned long long *)s->mem, *(const unsigned long long *)(s->xmm0 + 8),
		*(const unsigned long long *)s->xmm0);
}

static void compare_all(unsigned iters)
{
	struct iemt t;
	char *src = build_source();
	size_t cap = NFORMS * SLOT, n, k;
	uint8_t *code = mmap(NULL, cap, PROT_READ | PROT_WRITE | PROT_EXEC,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned it, fails = 0;

	T_ASSERT(code != MAP_FAILED);
	/* the fragments were written with %% for snprintf; turn them into % */
	{
		char *r = src, *w = src;

		while (*r) {
			if (r[0] == '%' && r[1] == '%')
				r++;
			*w++ = *r++;
		}
		*w = 0;
	}
	n = iemt_asm_buf(64, 0, src, code, cap);
	T_ASSERT(n > 0);
	iemt_init(&t, 16, 1);
	memcpy(t.ram + 0x100000, code, n);
	iemt_asm(&t, 64, 0x200000, "out %al, $0xf4\nhlt\n");
	for (k = 0; k < NFORMS; k++) {
		for (it = 0; it < iters; it++) {
			struct state in, hs, gs;
			struct iem_regs r;

			make_input(&in, forms[k].in);
			hs = in;
			host_run(code, k, &hs);
			iemt_mode(&t, IEMT_LONG64, 0x100000 + k * SLOT);
			memcpy(t.ram + 0x8000, &in, sizeof(in));
			iem_cpu_get_regs(t.c, &r);
			r.gpr[7] = 0x8000;
			r.gpr[4] = 0x7f000 - 8;
			iemt_wr(&t, 0x7f000 - 8, 8, 0x200000);
			T_OK(iem_cpu_set_regs(t.c, &r));
			if (iemt_run(&t, 10000) != IEM_EXIT_STOP || !t.stopped) {
				fprintf(stderr, "# %s: did not complete\n", forms[k].text);
				fails++;
				break;
			}
			memcpy(&gs, t.ram + 0x8000, sizeof(gs));
			if (!same(&forms[k], &hs, &gs)) {
				fprintf(stderr, "# mismatch: %s\n", forms[k].text);
				dump("input", &in);
				dump("host ", &hs);
				dump("iem  ", &gs);
				fails++;
				break;
			}
		}
	}
	iemt_free(&t);
	munmap(code, cap);
	free(src);
	if (fails)
		t_fail(__FILE__, __LINE__, "%u of %zu forms differ from the host CPU", fails, NFORMS);
}

void test_iem_host__integer_and_sse(void)
{
	compare_all(150);
}
