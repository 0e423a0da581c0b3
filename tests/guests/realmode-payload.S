/*
 * A real-mode El Torito boot image (no emulation) for testing the
 * firmware path without an operating system: it prints the marker
 * through the BIOS (INT 10h teletype, which SeaBIOS mirrors to COM1 when
 * the VM has no display) and then straight to COM1, then asks for ACPI
 * S5 through PM1a_CNT of the first PIIX4 PM (8086:7113) or ICH9 LPC
 * (8086:2918) function on PCI bus 0, and halts if that did not power the
 * machine off.  Position independent: the BIOS may enter at 07C0:0000 or
 * 0000:7C00.
 *
 * Variant (as --defsym RESET_FIRST=1): reset the machine through the PIIX
 * reset register 0xcf9 on the first boot and go on normally on the second
 * (a flag in CMOS byte 0x7e tells them apart).  SPIN=1 keeps the CPU
 * busy after the marker instead of powering off (execution cap tests).
 *
 * Build: as --32 -o p.o realmode-payload.S
 *        ld -m elf_i386 -Ttext 0 --oformat binary -o p.bin p.o
 */
	.code16
	.text
	.globl	_start
_start:
	cli
	cld
	xorw	%ax, %ax
	movw	%ax, %ss
	movw	$0x7000, %sp
	pushw	%cs
	popw	%ds
	call	here
here:
	popw	%bp
	subw	$(here - _start), %bp		/* bp = offset of _start in CS */
	sti

.ifdef RESET_FIRST
	movb	$0x7e, %al
	outb	%al, $0x70
	inb	$0x71, %al
	cmpb	$0xa5, %al
	je	second_boot
	movb	$0x7e, %al
	outb	%al, $0x70
	movb	$0xa5, %al
	outb	%al, $0x71
	movw	$0xcf9, %dx
	movb	$0x06, %al
	outb	%al, %dx
reset_wait:
	hlt
	jmp	reset_wait
second_boot:
.endif

	/* 1: the marker through the BIOS */
	leaw	(msg - _start)(%bp), %si
bios_loop:
	lodsb
	orb	%al, %al
	jz	serial
	movb	$0x0e, %ah
	movw	$0x0007, %bx
	pushw	%si
	int	$0x10
	popw	%si
	jmp	bios_loop

	/* 2: COM1 at 115200 8N1, by polling: the marker, then what CPUID
	 * says (vendor, PAE, long mode) so tests see the CPU settings */
serial:
	movw	$0x3fb, %dx
	movb	$0x80, %al
	outb	%al, %dx			/* DLAB */
	movw	$0x3f8, %dx
	movb	$0x01, %al
	outb	%al, %dx			/* divisor 1 */
	incw	%dx
	xorb	%al, %al
	outb	%al, %dx
	movw	$0x3fb, %dx
	movb	$0x03, %al
	outb	%al, %dx			/* 8N1 */
	leaw	(msg - _start)(%bp), %si
	call	com_puts
	leaw	(cpu_msg - _start)(%bp), %si
	call	com_puts
	xorl	%eax, %eax
	cpuid
	movl	%ebx, %eax
	call	com_put4
	movl	%edx, %eax
	call	com_put4
	movl	%ecx, %eax
	call	com_put4
	leaw	(pae_msg - _start)(%bp), %si
	call	com_puts
	movl	$1, %eax
	cpuid
	movl	%edx, %eax
	shrl	$6, %eax
	call	com_bit
	leaw	(lm_msg - _start)(%bp), %si
	call	com_puts
	movl	$0x80000001, %eax
	cpuid
	movl	%edx, %eax
	shrl	$29, %eax
	call	com_bit
	leaw	(crlf - _start)(%bp), %si
	call	com_puts
.ifdef SPIN
spin:
	jmp	spin				/* keep a vCPU busy forever */
.endif
	jmp	acpi

/* COM1 output helpers: com_putc(al), com_puts(si), com_put4(eax: four
 * characters, low byte first), com_bit(eax bit 0 as '0'/'1'). */
com_putc:
	pushw	%dx
	movb	%al, %ah
	movw	$0x3fd, %dx
1:	inb	%dx, %al
	testb	$0x20, %al
	jz	1b
	movw	$0x3f8, %dx
	movb	%ah, %al
	outb	%al, %dx
	popw	%dx
	ret
com_puts:
	lodsb
	orb	%al, %al
	jz	2f
	call	com_putc
	jmp	com_puts
2:	ret
com_put4:
	pushw	%cx
	movw	$4, %cx
3:	pushl	%eax
	call	com_putc
	popl	%eax
	shrl	$8, %eax
	loop	3b
	popw	%cx
	ret
com_bit:
	andb	$1, %al
	addb	$'0', %al
	jmp	com_putc

	/* 3: ACPI S5 through the PM function's PM1a_CNT */
acpi:
	movl	$0x80000000, %ebx		/* bus 0, device 0, function 0 */
scan:
	movl	%ebx, %eax
	movw	$0xcf8, %dx
	outl	%eax, %dx
	movw	$0xcfc, %dx
	inl	%dx, %eax
	cmpl	$0x71138086, %eax
	je	found
	cmpl	$0x29188086, %eax
	je	found
	addl	$0x100, %ebx
	cmpl	$0x80010000, %ebx
	jb	scan
	jmp	stop
found:
	movl	%ebx, %eax
	orb	$0x40, %al			/* PMBA / PMBASE */
	movw	$0xcf8, %dx
	outl	%eax, %dx
	movw	$0xcfc, %dx
	inl	%dx, %eax
	andw	$0xffc0, %ax
	jz	stop
	movw	%ax, %dx
	addw	$4, %dx				/* PM1a_CNT */
	movw	$0x2000, %ax			/* SLP_EN, SLP_TYP 0 */
	outw	%ax, %dx
stop:
	cli
	hlt
	jmp	stop

msg:
	.ascii	"\r\nGUEST-BOOT-OK\r\n"
	.ascii	"vbox-kvm real-mode guest: booted from the CD, asking for ACPI S5\r\n"
	.byte	0
cpu_msg:
	.asciz	"cpuid: vendor="
pae_msg:
	.asciz	" pae="
lm_msg:
	.asciz	" lm="
crlf:
	.asciz	"\r\n"
