/*
 * Lockstep test ROM (64 KiB, mapped at 0xF0000 and below 4 GiB): from the
 * reset vector through real mode, 32-bit protected mode and 64-bit long
 * mode (PAE paging, 2 MiB pages), a mix of integer, string, stack and
 * control-flow instructions in each mode; ends by writing to port 0xF4
 * (QEMU: isa-debug-exit; iem-trace: stop).  Interrupts stay disabled, so
 * the run is deterministic.  Instructions whose flags are architecturally
 * undefined are followed by flag-defining ones before any flag consumer.
 */
	.equ ROM, 0xf0000
	.code16
	.text
start:
	cli
	cld
	xor %ax, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov $0x7000, %sp
	/* real mode: arithmetic, rotates, memory, stack */
	mov $0x1234, %ax
	mov $0x5678, %bx
	mov $20, %cx
1:	add %bx, %ax
	rol $3, %ax
	xor %ax, %bx
	adc $5, %bx
	sbb %cx, %ax
	mov %ax, 0x500
	push %ax
	pop %dx
	inc %dx
	neg %dx
	shr $1, %dx
	add 0x500, %dx
	movzbw %dh, %si
	xchg %si, %di
	loop 1b
	/* string operations */
	mov $0x600, %di
	mov $0xa5, %al
	mov $64, %cx
	rep stosb
	mov $0x600, %si
	mov $0x700, %di
	mov $16, %cx
	rep movsw
	mov $0x600, %si
	mov $0x700, %di
	mov $32, %cx
	repe cmpsb
	mul %bx
	mov $7, %cx
	xor %dx, %dx
	div %cx
	cmp %ax, %bx
	/* to protected mode */
	lgdtl %cs:gdtr - start
	mov %cr0, %eax
	or $1, %eax
	mov %eax, %cr0
	ljmpl $0x08, $ROM + pm32 - start

	.code32
pm32:
	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov $0x70000, %esp
	mov $0x89abcdef, %eax
	mov $0x13579bdf, %edx
	mov $30, %ecx
2:	add %edx, %eax
	ror $7, %eax
	bswap %edx
	xor %eax, %edx
	lea 0x11(%eax,%edx,4), %esi
	mov %esi, 0x800(,%ecx,4)
	movsbl 0x801(,%ecx,4), %edi
	sub %edi, %eax
	setc %bl
	cmovs %esi, %ebp
	call 3f
	dec %ecx
	jnz 2b
	jmp 4f
3:	push %ebx
	shl $2, %ebx
	pop %ebx
	ret
4:
	/* page tables at 0x10000: PML4 -> PDPT -> PD with one 2 MiB page */
	mov $0x10000, %edi
	xor %eax, %eax
	mov $3 * 1024, %ecx
	rep stosl
	movl $0x11003, 0x10000
	movl $0x12003, 0x11000
	movl $0x00083, 0x12000
	mov %cr4, %eax
	or $0x20, %eax
	mov %eax, %cr4
	mov $0x10000, %eax
	mov %eax, %cr3
	mov $0xc0000080, %ecx
	rdmsr
	or $0x100, %eax
	wrmsr
	mov %cr0, %eax
	or $0x80000000, %eax
	mov %eax, %cr0
	ljmp $0x18, $ROM + lm64 - start

	.code64
lm64:
	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %ss
	movabs $0x0123456789abcdef, %rax
	movabs $0xfedcba9876543210, %rbx
	mov $25, %ecx
5:	add %rbx, %rax
	rol $13, %rax
	xor %rax, %rbx
	mov %rax, %rdx
	shr $17, %rdx
	imul %rdx, %r8
	add $1, %r8
	movzbl %ah, %esi
	mov %rsi, %r9
	movzwl %bx, %r10d
	movslq %eax, %r11
	add %r9, %r10
	sub %r11, %r10
	mov %r10, 0x900(,%rcx,8)
	add 0x908(,%rcx,8), %r12
	cmp %r12, %r10
	cmovb %r10, %r13
	setg %r14b
	push %r13
	pop %r15
	call 6f
	loop 5b
	mov $0x900, %esi
	mov $0xa00, %edi
	mov $8, %ecx
	rep movsq
	mov $0x123456789, %rax
	xor %edx, %edx
	mov $0x1000, %ecx
	div %rcx
	test %rdx, %rdx
	mov $0x2a, %al
	out %al, $0xf4
	hlt
6:	bt $3, %r15
	adc $0, %r14
	ret

	.p2align 3
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff        /* 0x08 code32 */
	.quad 0x00cf92000000ffff        /* 0x10 data */
	.quad 0x00af9a000000ffff        /* 0x18 code64 */
gdtr:
	.word gdtr - gdt - 1
	.long ROM + gdt - start

	.code16
	.org 0xfff0
	ljmp $0xf000, $0
	.org 0x10000
