/*
 * iem engine: mode switches done by guest code (real -> protected ->
 * long -> compatibility -> 16-bit protected -> real mode) and instruction
 * groups not covered by the host comparison: string instructions with
 * both directions, BCD and other 32-bit-only forms, x87, CPUID, MSRs,
 * SYSCALL/SYSRET, RDTSC.  Registers, flags and memory are checked after
 * each program.  The GDT and page tables are the harness's (selectors
 * 0x08 code32, 0x10 data, 0x18 code64, 0x20 code16, 0x28 data16; 1 GiB
 * identity map at 0x70000).
 */
#include <math.h>
#include <string.h>

#include "harness.h"
#include "iem-harness.h"

#define CODE 0x100000ull

void test_iem_modes__real_to_long_and_back(void)
{
	struct iemt t;
	struct iem_regs r;

	iemt_init(&t, 16, 1);
	iemt_asm(&t, 16, 0x8000,
		 ".code16\n"
		 "mov $0x1111, %ax\nmov %ax, 0x600\n"
		 "lgdtl gdtr\n"
		 "mov %cr0, %eax\nor $1, %eax\nmov %eax, %cr0\n"
		 "ljmpl $0x08, $pm32\n"
		 ".code32\n"
		 "pm32: mov $0x10, %ax\nmov %ax, %ds\nmov %ax, %es\nmov %ax, %ss\nmov $0x7f000, %esp\n"
		 "movl $0x22222222, 0x604\n"
		 "mov %cr4, %eax\nor $0x20, %eax\nmov %eax, %cr4\n"
		 "mov $0x70000, %eax\nmov %eax, %cr3\n"
		 "mov $0xc0000080, %ecx\nrdmsr\nor $0x100, %eax\nwrmsr\n"
		 "mov %cr0, %eax\nor $0x80000000, %eax\nmov %eax, %cr0\n"
		 "ljmp $0x18, $lm\n"
		 ".code64\n"
		 "lm: movabs $0x3333333344444444, %rax\nmov %rax, 0x608\n"
		 "mov $0xc0000080, %ecx\nrdmsr\nmov %eax, 0x620\n"       /* EFER with LMA */
		 "pushq $0x08\nlea cm(%rip), %rax\npush %rax\nlretq\n"
		 ".code32\n"
		 "cm: movl $0x55555555, 0x610\n"
		 "mov %cr0, %eax\nand $0x7fffffff, %eax\nmov %eax, %cr0\n"
		 "mov $0xc0000080, %ecx\nrdmsr\nmov %eax, 0x624\n"       /* LMA cleared */
		 "and $~0x100, %eax\nwrmsr\n"
		 "ljmp $0x20, $pm16\n"
		 ".code16\n"
		 "pm16: mov $0x28, %ax\nmov %ax, %ds\nmov %ax, %ss\n"
		 "mov %cr0, %eax\nand $~1, %eax\nmov %eax, %cr0\n"
		 "ljmp $0, $rm\n"
		 "rm: xor %ax, %ax\nmov %ax, %ds\nmov %ax, %ss\nmov $0x7000, %sp\n"
		 "push $0x1234\npop %bx\n"
		 "movw $0x6666, 0x618\n"
		 "mov $0x77, %al\nout %al, $0xf4\n"
		 "gdtr: .word 0x5f\n.long 0x1000\n");
	iemt_mode(&t, IEMT_REAL, 0x8000);
	T_EQ_INT(iemt_run(&t, 100000), IEM_EXIT_STOP);
	T_EQ_INT(t.exit_val, 0x77);
	T_EQ_U64(iemt_rd(&t, 0x600, 2), 0x1111);
	T_EQ_U64(iemt_rd(&t, 0x604, 4), 0x22222222);
	T_EQ_U64(iemt_rd(&t, 0x608, 8), 0x3333333344444444ull);
	T_EQ_U64(iemt_rd(&t, 0x610, 4), 0x55555555);
	T_EQ_U64(iemt_rd(&t, 0x618, 2), 0x6666);
	T_EQ_U64(iemt_rd(&t, 0x620, 4) & 0x500, 0x500);        /* LME and LMA */
	T_EQ_U64(iemt_rd(&t, 0x624, 4) & 0x500, 0x100);        /* LME only */
	iemt_regs(&t, &r);
	T_EQ_U64(r.cr0 & 0x80000001u, 0);
	T_EQ_U64(r.efer & 0x500, 0);
	T_EQ_INT(r.cs.sel, 0);
	T_EQ_U64(r.cs.base, 0);
	T_EQ_U64(r.ss.base, 0);
	T_EQ_U64(r.gpr[3] & 0xffff, 0x1234);
	T_EQ_U64(r.gpr[4] & 0xffff, 0x7000);
	iemt_free(&t);
}

void test_iem_modes__string_instructions(void)
{
	struct iemt t;
	struct iem_regs r;
	unsigned k;

	iemt_init(&t, 16, 1);
	for (k = 0; k < 64; k++)
		t.ram[0x600 + k] = (uint8_t)k;
	iemt_asm(&t, 32, CODE,
		 /* overlapping copy upwards by 4 with DF=1 (memmove backwards) */
		 "std\nmov $0x600 + 31, %esi\nmov $0x604 + 31, %edi\nmov $32, %ecx\nrep movsb\ncld\n"
		 "mov %esi, 0x700\nmov %edi, 0x704\n"
		 /* rep stosl */
		 "mov $0xdeadbeef, %eax\nmov $0x800, %edi\nmov $4, %ecx\nrep stosl\n"
		 /* repne scasb: find 0x20 in 0x600.. */
		 "mov $0x1e, %al\nmov $0x600, %edi\nmov $64, %ecx\nrepne scasb\n"
		 "mov %edi, 0x708\nmov %ecx, 0x70c\n"
		 /* repe cmpsw: 0x800 vs 0x810 differ in the third word */
		 "movl $0xdeadbeef, 0x810\nmovl $0xdeadbeee, 0x814\n"
		 "mov $0x800, %esi\nmov $0x810, %edi\nmov $8, %ecx\nrepe cmpsw\n"
		 "setb %dl\nmov %ecx, 0x710\nmov %esi, 0x714\n"
		 /* lodsw, a REP with ECX=0 does nothing */
		 "mov $0x600, %esi\nlodsw\nxor %ecx, %ecx\nrep stosb\n"
		 "mov %ax, 0x718\n"
		 "out %al, $0xf4\n");
	iemt_mode(&t, IEMT_PROT32, CODE);
	T_EQ_INT(iemt_run(&t, 100000), IEM_EXIT_STOP);
	iemt_regs(&t, &r);
	/* bytes 0..3 stay, 4..35 are the old 0..31 */
	for (k = 0; k < 4; k++)
		T_EQ_INT(t.ram[0x600 + k], k);
	for (k = 0; k < 32; k++)
		T_EQ_INT(t.ram[0x604 + k], k);
	T_EQ_U64(iemt_rd(&t, 0x700, 4), 0x600 - 1);
	T_EQ_U64(iemt_rd(&t, 0x704, 4), 0x604 - 1);
	T_EQ_U64(iemt_rd(&t, 0x800, 8), 0xdeadbeefdeadbeefull);
	/* 0x1e is first at 0x604 + 0x1e: EDI one past it, ECX = 64 - 0x23 */
	T_EQ_U64(iemt_rd(&t, 0x708, 4), 0x623);
	T_EQ_U64(iemt_rd(&t, 0x70c, 4), 64 - 0x23);
	/* words 0 and 1 equal, word 2 (0xbeee vs 0xbeef from 0x800 side: 0xbeef > 0xbeee) */
	T_EQ_U64(iemt_rd(&t, 0x710, 4), 8 - 3);
	T_EQ_U64(iemt_rd(&t, 0x714, 4), 0x806);
	T_EQ_U64(r.gpr[2] & 0xff, 0);           /* 0xbeef - 0xbeee: no borrow */
	T_EQ_U64(iemt_rd(&t, 0x718, 2), 0x0100);
	T_EQ_U64(r.gpr[6], 0x602);
	T_EQ_U64(r.rflags & 0x400, 0);
	iemt_free(&t);
}

void test_iem_modes__bcd_and_32bit_forms(void)
{
	struct iemt t;
	struct iem_regs r;

	iemt_init(&t, 16, 1);
	iemt_asm(&t, 32, CODE,
		 "mov $0x19, %al\nadd $0x28, %al\ndaa\nmov %al, 0x600\n"         /* 19 + 28 = 47 */
		 "mov $0x47, %al\nsub $0x19, %al\ndas\nmov %al, 0x601\n"         /* 47 - 19 = 28 */
		 "mov $0x0009, %ax\nadd $0x08, %al\naaa\nmov %ax, 0x602\n"       /* 9 + 8: 0107 */
		 "mov $79, %al\naam\nmov %ax, 0x604\n"                         /* 0709 */
		 "mov $0x0709, %ax\naad\nmov %ax, 0x606\n"                     /* 79 */
		 "mov $0x640, %ebx\nmov $3, %al\nxlat\nmov %al, 0x608\n"
		 "mov $0x00f0, %ecx\nbsf %ecx, %edx\nbsr %ecx, %esi\nmov %dl, 0x609\nmov %esi, 0x61c\n"
		 "mov $0x12345678, %eax\nmov $0x9abcdef0, %ebx\nshld $8, %ebx, %eax\nmov %eax, 0x60c\n"
		 "mov $5, %eax\nmov $5, %ecx\nmov $9, %edi\ncmpxchg %edi, %ecx\nmov %ecx, 0x610\n"
		 "mov $3, %eax\nmovl $10, 0x614\nxadd %eax, 0x614\nmov %eax, 0x618\n"
		 "mov $0x11111111, %eax\nmov $0x22222222, %edx\nmov $0x33333333, %ebx\n"
		 "mov $0x44444444, %ecx\nmovl $0x11111111, 0x620\nmovl $0x22222222, 0x624\n"
		 "cmpxchg8b 0x620\nsetz %al\nmov %al, 0x628\n"
		 "pusha\nmov $0, %eax\npopa\n"
		 "out %al, $0xf4\n");
	t.ram[0x643] = 0x5a;
	iemt_mode(&t, IEMT_PROT32, CODE);
	T_EQ_INT(iemt_run(&t, 100000), IEM_EXIT_STOP);
	iemt_regs(&t, &r);
	T_EQ_INT(t.ram[0x600], 0x47);
	T_EQ_INT(t.ram[0x601], 0x28);
	T_EQ_U64(iemt_rd(&t, 0x602, 2), 0x0107);
	T_EQ_U64(iemt_rd(&t, 0x604, 2), 0x0709);
	T_EQ_U64(iemt_rd(&t, 0x606, 2), 79);
	T_EQ_INT(t.ram[0x608], 0x5a);
	T_EQ_INT(t.ram[0x609], 4);              /* bsf */
	T_EQ_U64(iemt_rd(&t, 0x61c, 4), 7);     /* bsr */
	T_EQ_U64(iemt_rd(&t, 0x60c, 4), 0x3456789a);
	T_EQ_U64(iemt_rd(&t, 0x610, 4), 9);     /* equal: the source was stored */
	T_EQ_U64(iemt_rd(&t, 0x614, 4), 13);
	T_EQ_U64(iemt_rd(&t, 0x618, 4), 10);
	T_EQ_U64(iemt_rd(&t, 0x620, 8), 0x4444444433333333ull);
	T_EQ_INT(t.ram[0x628], 1);
	T_EQ_U64(r.gpr[0] & 0xffffff00u, 0x11111100u);     /* POPA restored EAX */
	iemt_free(&t);
}

void test_iem_modes__x87(void)
{
	struct iemt t;
	double a = 2.25, b = -1.5, out[4];

	iemt_init(&t, 16, 1);
	memcpy(t.ram + 0x600, &a, 8);
	memcpy(t.ram + 0x608, &b, 8);
	iemt_asm(&t, 64, CODE,
		 "fninit\n"
		 "fldl 0x600\nfmull 0x608\nfstpl 0x700\n"                  /* a * b */
		 "fldl 0x600\nfsqrt\nfstpl 0x708\n"                         /* sqrt(a) */
		 "fldl 0x608\nfldl 0x600\n.byte 0xde, 0xf1\nfstpl 0x710\n"   /* FDIVRP: a / b */
		 "fldpi\nfistpl 0x718\n"                                    /* round(pi) = 3 */
		 "fldl 0x600\nfldl 0x608\nfcomip %st(1), %st\nfstp %st(0)\nsetb %al\nmov %al, 0x720\n"
		 "fld1\nfchs\nfistpq 0x728\n"
		 "fnstsw %ax\nmov %ax, 0x730\n"
		 "out %al, $0xf4\n");
	iemt_mode(&t, IEMT_LONG64, CODE);
	T_EQ_INT(iemt_run(&t, 100000), IEM_EXIT_STOP);
	memcpy(out, t.ram + 0x700, sizeof(out[0]) * 3);
	T_ASSERT(out[0] == a * b);
	T_ASSERT(out[1] == sqrt(a));
	T_ASSERT(out[2] == a / b);
	T_EQ_U64(iemt_rd(&t, 0x718, 4), 3);
	T_EQ_INT(t.ram[0x720], 1);              /* -1.5 < 2.25 */
	T_EQ_U64(iemt_rd(&t, 0x728, 8), (uint64_t)-1);
	T_EQ_U64(iemt_rd(&t, 0x730, 2) & 0x3800, 0);   /* TOP back to 0 */
	iemt_free(&t);
}

void test_iem_modes__cpuid_msr_syscall_rdtsc(void)
{
	struct iemt t;
	struct iem_regs r;

	iemt_init(&t, 16, 1);
	iemt_asm(&t, 64, CODE,
		 "xor %eax, %eax\ncpuid\nmov %ebx, 0x600\nmov %edx, 0x604\nmov %ecx, 0x608\n"
		 "mov $0x80000001, %eax\ncpuid\nmov %edx, 0x60c\n"
		 /* STAR: SYSCALL CS 0x18... use kernel CS 0x18 / SYSRET base 0x30 */
		 "mov $0xc0000081, %ecx\nxor %eax, %eax\nmov $0x00300018, %edx\nwrmsr\n"
		 "mov $0xc0000082, %ecx\nlea kern(%rip), %rax\nmov %rax, %rdx\nshr $32, %rdx\nwrmsr\n"
		 "mov $0xc0000084, %ecx\nmov $0x200, %eax\nxor %edx, %edx\nwrmsr\n"     /* SFMASK: IF */
		 "mov $0xc0000082, %ecx\nrdmsr\nshl $32, %rdx\nor %rdx, %rax\nmov %rax, 0x610\n"
		 "rdtsc\nshl $32, %rdx\nor %rax, %rdx\nmov %rdx, %r12\n"
		 "sti\nsyscall\n"
		 "back: mov %cs, %ax\nmov %ax, 0x618\n"
		 "rdtsc\nshl $32, %rdx\nor %rax, %rdx\nsub %r12, %rdx\nmov %rdx, 0x620\n"
		 "mov $1, %al\nout %al, $0xf4\n"
		 "kern: mov %rcx, 0x628\nmov %r11, 0x630\nmov %cs, %ax\nmov %ax, 0x638\n"
		 "mov $0x1234, %r13\n"
		 "or $0x3000, %r11\n"          /* IOPL 3: the user part may OUT */
		 "sysretq\n");
	iemt_mode(&t, IEMT_LONG64, CODE);
	/* SYSRET to 64-bit needs a DPL3 code64 at STAR[63:48] + 16 = 0x40 (the harness's) */
	T_EQ_INT(iemt_run(&t, 100000), IEM_EXIT_STOP);
	iemt_regs(&t, &r);
	T_ASSERT(!memcmp(t.ram + 0x600, "AuthenticAMD", 12));
	T_ASSERT(iemt_rd(&t, 0x60c, 4) & (1u << 29));          /* LM */
	T_ASSERT(iemt_rd(&t, 0x60c, 4) & (1u << 11));          /* SYSCALL */
	/* LSTAR read back (kern), RCX = the return RIP (back, before kern) */
	T_ASSERT(iemt_rd(&t, 0x610, 8) > iemt_rd(&t, 0x628, 8));
	T_EQ_U64(iemt_rd(&t, 0x610, 8) & 0xfff00000ull, CODE);
	T_EQ_U64(iemt_rd(&t, 0x638, 2), 0x18);                 /* kernel CS */
	T_EQ_U64(iemt_rd(&t, 0x628, 8) & 0xfff00000ull, CODE);
	T_EQ_U64(iemt_rd(&t, 0x630, 8) & 0x200, 0x200);        /* R11 = RFLAGS with IF */
	T_EQ_U64(iemt_rd(&t, 0x618, 2), 0x43);                 /* user CS, RPL 3 */
	T_ASSERT(iemt_rd(&t, 0x620, 8) > 0);                   /* the TSC advanced */
	T_EQ_U64(r.gpr[13], 0x1234);
	T_EQ_INT(r.cs.sel, 0x43);
	iemt_free(&t);
}
