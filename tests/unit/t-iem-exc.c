/*
 * iem engine: exceptions, their error codes and priorities, double and
 * triple faults (Intel SDM vol. 3 ch. 6; AMD APM vol. 2 ch. 8).
 *
 * The harness's handlers store the vector at 0x500, the error code at 0x508
 * and the RIP of the frame at 0x510, then stop the run with the vector.
 */
#include "harness.h"
#include "iem-harness.h"

#define CODE 0x100000ull
#define REALCODE 0x8000ull

static void setup(struct iemt *t, enum iemt_mode mode, unsigned bits, const char *src)
{
	uint64_t org = mode == IEMT_REAL ? REALCODE : CODE;

	iemt_init(t, 16, 1);
	iemt_asm(t, bits, org, src);
	iemt_mode(t, mode, org);
	iemt_install_handlers(t, mode);
	iemt_wr(t, 0x500, 4, 0xffff);
}

/* run to the handler's stop; check the vector and the frame's RIP */
#define expect_vec(t, vec, rip) expect_vec_at(t, vec, rip, __LINE__)
static void expect_vec_at(struct iemt *t, unsigned vec, uint64_t rip, int line)
{
	enum iem_exit e = iemt_run(t, 100000);

	if (e != IEM_EXIT_STOP)
		t_fail(__FILE__, line, "run ended with %s, not at a handler", iem_exit_name(e));
	T_EQ_INT(iemt_rd(t, 0x500, 4), vec);
	T_EQ_INT(t->exit_val, vec);
	T_EQ_U64(iemt_rd(t, 0x510, 8), rip);
}

void test_iem_exc__divide_error(void)
{
	struct iemt t;
	struct iem_regs r;

	/* 64-bit: DIV by zero and the IDIV overflow both give #DE at the instruction */
	setup(&t, IEMT_LONG64, 64, "mov $1, %eax\nmov $5, %edx\nxor %ecx, %ecx\ndiv %ecx\n");
	expect_vec(&t, 0, CODE + 12);
	iemt_regs(&t, &r);
	T_EQ_U64(r.gpr[2], 5);          /* no partial result */
	iemt_free(&t);

	setup(&t, IEMT_LONG64, 64,
	      "mov $0x80000000, %eax\ncltd\nmov $-1, %ecx\nidiv %ecx\n");
	expect_vec(&t, 0, CODE + 5 + 1 + 5);
	iemt_free(&t);

	/* real mode: the IVT entry, IP of the DIV */
	setup(&t, IEMT_REAL, 16, "mov $0x1000, %ax\nmov $0, %bl\ndiv %bl\n");
	T_EQ_INT(iemt_run(&t, 100000), IEM_EXIT_STOP);
	T_EQ_INT(t.exit_val, 0);
	T_EQ_U64(iemt_rd(&t, 0x510, 2), REALCODE + 5);
	iemt_free(&t);
}

void test_iem_exc__invalid_opcode(void)
{
	struct iemt t;

	setup(&t, IEMT_LONG64, 64, "nop\nud2\n");
	expect_vec(&t, 6, CODE + 1);
	iemt_free(&t);
	/* LOCK on a register destination */
	setup(&t, IEMT_LONG64, 64, ".byte 0xf0, 0x01, 0xc0\n");
	expect_vec(&t, 6, CODE);
	iemt_free(&t);
	/* opcodes that do not exist in 64-bit mode: PUSH ES, AAA, INTO */
	setup(&t, IEMT_LONG64, 64, ".byte 0x06\n");
	expect_vec(&t, 6, CODE);
	iemt_free(&t);
	setup(&t, IEMT_LONG64, 64, ".byte 0x37\n");
	expect_vec(&t, 6, CODE);
	iemt_free(&t);
	/* SSE with CR4.OSFXSR clear */
	setup(&t, IEMT_PROT32, 32, "mov %cr4, %eax\nand $~0x200, %eax\nmov %eax, %cr4\n"
	      "xorps %xmm0, %xmm0\n");
	expect_vec(&t, 6, CODE + 3 + 5 + 3);
	iemt_free(&t);
}

void test_iem_exc__general_protection(void)
{
	struct iemt t;

	/* non-canonical address: #GP(0) */
	setup(&t, IEMT_LONG64, 64, "movabs $0x0000800000000000, %rax\nmov (%rax), %rbx\n");
	expect_vec(&t, 13, CODE + 10);
	T_EQ_U64(iemt_rd(&t, 0x508, 8), 0);
	iemt_free(&t);
	/* a selector beyond the GDT limit: #GP(selector) */
	setup(&t, IEMT_PROT32, 32, "mov $0x1230, %ax\nmov %ax, %ds\n");
	expect_vec(&t, 13, CODE + 4);
	T_EQ_U64(iemt_rd(&t, 0x508, 4), 0x1230);
	iemt_free(&t);
	/* a code segment into SS: #GP(selector) */
	setup(&t, IEMT_PROT32, 32, "mov $0x08, %ax\nmov %ax, %ss\n");
	expect_vec(&t, 13, CODE + 4);
	T_EQ_U64(iemt_rd(&t, 0x508, 4), 0x08);
	iemt_free(&t);
	/* beyond a segment limit: #GP(0) (data16 selector 0x28, limit 0xffff) */
	setup(&t, IEMT_PROT32, 32, "mov $0x28, %ax\nmov %ax, %es\nmov %es:0x10000, %eax\n");
	expect_vec(&t, 13, CODE + 4 + 2);
	T_EQ_U64(iemt_rd(&t, 0x508, 4), 0);
	iemt_free(&t);
	/* privileged instruction at CPL 3: IRET to ring 3, then HLT */
	setup(&t, IEMT_LONG64, 64,
	      "pushq $0x3b\npushq $0x7e000\npushq $2\npushq $0x43\n"
	      "lea user(%rip), %rax\npushq %rax\niretq\n"
	      "user: hlt\n");
	T_EQ_INT(iemt_run(&t, 100000), IEM_EXIT_STOP);
	T_EQ_INT(t.exit_val, 13);
	T_EQ_U64(iemt_rd(&t, 0x508, 8), 0);
	iemt_free(&t);
	/* INT n through a DPL 0 gate from CPL 3: #GP(n * 8 + 2) */
	setup(&t, IEMT_LONG64, 64,
	      "pushq $0x3b\npushq $0x7e000\npushq $2\npushq $0x43\n"
	      "lea user(%rip), %rax\npushq %rax\niretq\n"
	      "user: int $0x40\n");
	T_EQ_INT(iemt_run(&t, 100000), IEM_EXIT_STOP);
	T_EQ_INT(t.exit_val, 13);
	T_EQ_U64(iemt_rd(&t, 0x508, 8), 0x40 * 8 + 2);
	iemt_free(&t);
}

/* 4 KiB page table for 0x400000-0x5fffff at 0x73000 (identity, flags 7) */
static void map4k(struct iemt *t)
{
	unsigned k;

	for (k = 0; k < 512; k++)
		iemt_wr(t, 0x73000 + 8 * k, 8, 0x400000 + 0x1000ull * k + 7);
	iemt_wr(t, 0x72000 + 2 * 8, 8, 0x73000 | 7);
}

static void pf_case(const char *src, uint64_t pte, uint64_t efer_nx, uint64_t want_err,
		    uint64_t cr2, uint64_t rip)
{
	struct iemt t;
	struct iem_regs r;

	setup(&t, IEMT_LONG64, 64, src);
	map4k(&t);
	iemt_wr(&t, 0x73000, 8, pte);
	iemt_asm(&t, 64, 0x400000, "ret\n");
	if (efer_nx) {
		iemt_regs(&t, &r);
		r.efer |= 0x800;
		iem_cpu_set_regs(t.c, &r);
	}
	expect_vec(&t, 14, rip);
	T_EQ_U64(iemt_rd(&t, 0x508, 8), want_err);
	iemt_regs(&t, &r);
	T_EQ_U64(r.cr2, cr2);
	iemt_free(&t);
}

void test_iem_exc__page_fault_error_codes(void)
{
	/* not present: read 0, write 2 */
	pf_case("mov 0x400010, %eax\n", 0x400000, 0, 0, 0x400010, CODE);
	pf_case("movl $1, 0x400020\n", 0x400000, 0, 2, 0x400020, CODE);
	/* read-only page, CR0.WP set: write by the supervisor is P|W = 3 */
	pf_case("mov %cr0, %rax\nbts $16, %rax\nmov %rax, %cr0\nmovl $1, 0x400008\n",
		0x400000 | 5, 0, 3, 0x400008, CODE + 3 + 5 + 3);
	/* reserved bit set in the PTE (bit 51 beyond MAXPHYADDR): P|RSVD = 9 */
	pf_case("mov 0x400000, %eax\n", 0x400000 | 7 | (1ull << 51), 0, 9, 0x400000, CODE);
	/* NX page fetched: P|I/D = 0x11 */
	pf_case("mov $0x400000, %eax\ncall *%rax\n", 0x400000 | 7 | (1ull << 63), 1, 0x11,
		0x400000, 0x400000);
}

void test_iem_exc__page_fault_user(void)
{
	struct iemt t;

	/* ring 3 touching a supervisor page: P|U = 5 (read), 7 (write) */
	setup(&t, IEMT_LONG64, 64,
	      "pushq $0x3b\npushq $0x7e000\npushq $2\npushq $0x43\n"
	      "lea user(%rip), %rax\npushq %rax\niretq\n"
	      "user: mov 0x400004, %eax\n");
	map4k(&t);
	iemt_wr(&t, 0x73000, 8, 0x400000 | 3);
	T_EQ_INT(iemt_run(&t, 100000), IEM_EXIT_STOP);
	T_EQ_INT(t.exit_val, 14);
	T_EQ_U64(iemt_rd(&t, 0x508, 8), 5);
	iemt_free(&t);

	setup(&t, IEMT_LONG64, 64,
	      "pushq $0x3b\npushq $0x7e000\npushq $2\npushq $0x43\n"
	      "lea user(%rip), %rax\npushq %rax\niretq\n"
	      "user: movb $1, 0x400004\n");
	map4k(&t);
	iemt_wr(&t, 0x73000, 8, 0x400000 | 5);       /* user, read-only */
	T_EQ_INT(iemt_run(&t, 100000), IEM_EXIT_STOP);
	T_EQ_INT(t.exit_val, 14);
	T_EQ_U64(iemt_rd(&t, 0x508, 8), 7);
	iemt_free(&t);
}

void test_iem_exc__page_fault_string_restart(void)
{
	struct iemt t;
	struct iem_regs r;

	/*
	 * REP MOVSB running into a missing page faults at the first byte of
	 * that page with RCX/RSI/RDI describing the remaining work.
	 */
	setup(&t, IEMT_LONG64, 64,
	      "mov $0x3ff0, %rsi\nmov $0x401ff8, %rdi\nmov $0x40, %ecx\ncld\nrep movsb\n");
	map4k(&t);
	iemt_wr(&t, 0x73000 + 2 * 8, 8, 0x402000);  /* 0x402000 not present */
	expect_vec(&t, 14, CODE + 7 + 7 + 5 + 1);
	iemt_regs(&t, &r);
	T_EQ_U64(r.cr2, 0x402000);
	T_EQ_U64(iemt_rd(&t, 0x508, 8), 2);
	T_EQ_U64(r.gpr[1], 0x38);
	T_EQ_U64(r.gpr[6], 0x3ff8);
	T_EQ_U64(r.gpr[7], 0x402000);
	iemt_free(&t);
}

void test_iem_exc__double_and_triple_fault(void)
{
	struct iemt t;

	/* #DE whose gate is not present: #NP while delivering a contributory fault -> #DF(0) */
	setup(&t, IEMT_LONG64, 64, "xor %ecx, %ecx\ndiv %ecx\n");
	t.ram[0x2000 + 16 * 0 + 5] &= 0x7f;
	T_EQ_INT(iemt_run(&t, 100000), IEM_EXIT_STOP);
	T_EQ_INT(t.exit_val, 8);
	T_EQ_U64(iemt_rd(&t, 0x508, 8), 0);
	iemt_free(&t);

	/* #PF whose gate is not present also gives #DF */
	setup(&t, IEMT_LONG64, 64, "mov 0x400010, %eax\n");
	map4k(&t);
	iemt_wr(&t, 0x73000, 8, 0);
	t.ram[0x2000 + 16 * 14 + 5] &= 0x7f;
	T_EQ_INT(iemt_run(&t, 100000), IEM_EXIT_STOP);
	T_EQ_INT(t.exit_val, 8);
	iemt_free(&t);

	/* a #NP (segment not present) on its own is vector 11 with the selector */
	setup(&t, IEMT_PROT32, 32, "mov $0x10, %ax\nmov %ax, %fs\n");
	t.ram[0x1000 + 0x10 + 5] &= 0x7f;
	expect_vec(&t, 11, CODE + 4);
	T_EQ_U64(iemt_rd(&t, 0x508, 4), 0x10);
	iemt_free(&t);

	/* an IDT with limit 0: #UD -> #GP -> #DF -> shutdown */
	setup(&t, IEMT_LONG64, 64, "lidt idtr(%rip)\nud2\nidtr: .word 0\n.quad 0\n");
	T_EQ_INT(iemt_run(&t, 100000), IEM_EXIT_SHUTDOWN);
	T_EQ_INT(iemt_rd(&t, 0x500, 4), 0xffff);        /* no handler ran */
	iemt_free(&t);

	/* real mode with IVT limit 0 shuts down too */
	setup(&t, IEMT_REAL, 16, "lidt idtr\nint $3\nidtr: .word 0\n.long 0\n");
	T_EQ_INT(iemt_run(&t, 100000), IEM_EXIT_SHUTDOWN);
	iemt_free(&t);
}

void test_iem_exc__traps_and_priorities(void)
{
	struct iemt t;
	struct iem_regs r;

	/* INT3 is a trap: the frame points after it */
	setup(&t, IEMT_LONG64, 64, "nop\nint3\n");
	expect_vec(&t, 3, CODE + 2);
	iemt_free(&t);
	/* INTO with OF set (32-bit mode) */
	setup(&t, IEMT_PROT32, 32, "mov $0x7fffffff, %eax\nadd $1, %eax\ninto\n");
	T_EQ_INT(iemt_run(&t, 100000), IEM_EXIT_STOP);
	T_EQ_INT(t.exit_val, 4);
	T_EQ_U64(iemt_rd(&t, 0x510, 4), CODE + 5 + 3 + 1);
	iemt_free(&t);
	/* BOUND out of range: #BR at the instruction */
	setup(&t, IEMT_PROT32, 32, "mov $5, %eax\nbound %eax, lim\nhlt\nlim: .long 0, 4\n");
	T_EQ_INT(iemt_run(&t, 100000), IEM_EXIT_STOP);
	T_EQ_INT(t.exit_val, 5);
	T_EQ_U64(iemt_rd(&t, 0x510, 4), CODE + 5);
	iemt_free(&t);
	/* TF: #DB after the next instruction completes */
	setup(&t, IEMT_LONG64, 64, "pushfq\norl $0x100, (%rsp)\npopfq\nmov $7, %ecx\nmov $8, %ebx\n");
	expect_vec(&t, 1, CODE + 1 + 7 + 1 + 5);
	iemt_regs(&t, &r);
	T_EQ_U64(r.gpr[1], 7);          /* the handler clobbers RAX */
	T_EQ_U64(r.gpr[3], 0);
	T_ASSERT(r.dr[6] & 0x4000);     /* BS */
	iemt_free(&t);
	/* an instruction fetch fault beats a decode problem: #PF, not #UD */
	setup(&t, IEMT_LONG64, 64, "mov $0x400ffe, %eax\njmp *%rax\n");
	map4k(&t);
	iemt_wr(&t, 0x73000 + 8, 8, 0);         /* 0x401000 not present */
	t.ram[0x400ffe] = 0x48;                 /* REX.W OR r64,r/m64: ModRM on the next page */
	t.ram[0x400fff] = 0x0b;
	expect_vec(&t, 14, 0x400ffe);
	iemt_regs(&t, &r);
	T_EQ_U64(r.cr2, 0x401000);
	T_EQ_U64(iemt_rd(&t, 0x508, 8), 0x10);
	iemt_free(&t);
	/* the alignment of a 16-byte SSE operand: #GP(0) */
	setup(&t, IEMT_LONG64, 64, "mov $0x600008, %eax\nmovaps (%rax), %xmm0\n");
	expect_vec(&t, 13, CODE + 5);
	iemt_free(&t);
}
