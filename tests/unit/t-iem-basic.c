/* iem engine: first programs in each mode. */
#include "harness.h"
#include "iem-harness.h"

void test_iem__long64_arith(void)
{
	struct iemt t;
	struct iem_regs r;

	iemt_init(&t, 16, 1);
	iemt_asm(&t, 64, 0x100000,
		 "mov $5, %eax\n"
		 "mov $7, %ebx\n"
		 "add %ebx, %eax\n"
		 "imul $3, %rax, %rcx\n"
		 "mov %rcx, 0x600\n"
		 "mov $0x11, %al\n"
		 "out %al, $0xf4\n");
	iemt_mode(&t, IEMT_LONG64, 0x100000);
	T_EQ_INT(iemt_run(&t, 1000), IEM_EXIT_STOP);
	iemt_regs(&t, &r);
	T_EQ_U64(r.gpr[1], 36);
	T_EQ_U64(iemt_rd(&t, 0x600, 8), 36);
	T_EQ_INT(t.exit_val, 0x11);
	iemt_free(&t);
}

void test_iem__real_mode_loop(void)
{
	struct iemt t;
	struct iem_regs r;

	iemt_init(&t, 16, 1);
	iemt_asm(&t, 16, 0x8000,
		 "mov $10, %cx\n"
		 "xor %ax, %ax\n"
		 "1: add %cx, %ax\n"
		 "loop 1b\n"
		 "mov %ax, 0x600\n"
		 "out %al, $0xf4\n");
	iemt_mode(&t, IEMT_REAL, 0x8000);
	T_EQ_INT(iemt_run(&t, 1000), IEM_EXIT_STOP);
	iemt_regs(&t, &r);
	T_EQ_U64(r.gpr[0] & 0xffff, 55);
	T_EQ_U64(iemt_rd(&t, 0x600, 2), 55);
	iemt_free(&t);
}

void test_iem__high_branches(void)
{
	struct iemt t;
	struct iem_regs r;

	iemt_init(&t, 16, 1);
	iemt_asm(&t, 64, 0x100000,
		 "xor %eax, %eax\n"
		 "je 1f\n"
		 "hlt\n"
		 "1: jmp 2f\n"
		 ".fill 200, 1, 0x90\n"
		 "2: call 3f\n"
		 "lea 0(%rip), %rbx\n"
		 "out %al, $0xf4\n"
		 "3: ret\n");
	iemt_mode(&t, IEMT_LONG64, 0xffffffff80100000ull);
	T_EQ_INT(iemt_run(&t, 1000), IEM_EXIT_STOP);
	iemt_regs(&t, &r);
	T_EQ_U64(r.gpr[3], 0xffffffff80100000ull + 2 + 2 + 1 + 5 + 200 + 5 + 7);
	iemt_free(&t);
}
