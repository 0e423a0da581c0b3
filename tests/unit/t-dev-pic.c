/* 8259 PIC pair and ELCR, driven through ports 0x20/0x21, 0xa0/0xa1,
 * 0x4d0/0x4d1; input lines raised through the board's IRQ routing. */
#include "t-dev.h"

void test_dev_pic__init_mask_ack_eoi(void)
{
	struct tboard t;
	int src;

	tb_init(&t);
	src = irq_source_new(t.b);
	tb_pic_init(&t, 0x08, 0x70);
	T_ASSERT(!t.intr);
	irq_isa_pulse(t.b, 3, src);
	T_ASSERT(t.intr);
	T_ASSERT(board_intr_pending(t.b));
	T_EQ_INT(board_intr_ack(t.b), 0x0b);
	T_ASSERT(!t.intr);
	/* ISR has IRQ3 in service: OCW3 read ISR */
	outb(&t, 0x20, 0x0b);
	T_EQ_INT(inb(&t, 0x20), 0x08);
	outb(&t, 0x20, 0x20);                   /* non-specific EOI */
	T_EQ_INT(inb(&t, 0x20), 0x00);
	/* masked: IRR latches, no output until unmasked */
	outb(&t, 0x21, 0x08);
	irq_isa_pulse(t.b, 3, src);
	T_ASSERT(!t.intr);
	outb(&t, 0x20, 0x0a);                   /* read IRR */
	T_EQ_INT(inb(&t, 0x20), 0x08);
	T_EQ_INT(inb(&t, 0x21), 0x08);          /* IMR reads back */
	outb(&t, 0x21, 0x00);
	T_ASSERT(t.intr);
	T_EQ_INT(board_intr_ack(t.b), 0x0b);
	tb_free(&t);
}

void test_dev_pic__priority_and_cascade(void)
{
	struct tboard t;
	int src;

	tb_init(&t);
	src = irq_source_new(t.b);
	tb_pic_init(&t, 0x20, 0x28);
	irq_isa_pulse(t.b, 5, src);
	irq_isa_pulse(t.b, 1, src);
	irq_isa_pulse(t.b, 10, src);
	/* IRQ1 first, then the slave (via IR2) before IRQ5 */
	T_EQ_INT(board_intr_ack(t.b), 0x21);
	outb(&t, 0x20, 0x20);
	T_EQ_INT(board_intr_ack(t.b), 0x2a);
	/* IRQ5 is lower priority than the in-service IR2 cascade */
	T_ASSERT(!board_intr_pending(t.b));
	outb(&t, 0xa0, 0x20);
	outb(&t, 0x20, 0x20);
	T_ASSERT(board_intr_pending(t.b));
	T_EQ_INT(board_intr_ack(t.b), 0x25);
	outb(&t, 0x20, 0x65);                   /* specific EOI IRQ5 */
	/* nothing left: spurious IRQ7 */
	T_ASSERT(!board_intr_pending(t.b));
	T_EQ_INT(board_intr_ack(t.b), 0x27);
	tb_free(&t);
}

void test_dev_pic__level_triggered_elcr(void)
{
	struct tboard t;
	int src;

	tb_init(&t);
	src = irq_source_new(t.b);
	tb_pic_init(&t, 0x08, 0x70);
	outb(&t, 0x4d1, 0xff);                  /* slave: all level */
	T_EQ_INT(inb(&t, 0x4d1), 0xde);         /* IRQ 8 and 13 stay edge */
	irq_isa_set(t.b, 11, src, true);
	T_EQ_INT(board_intr_ack(t.b), 0x73);
	outb(&t, 0xa0, 0x20);
	outb(&t, 0x20, 0x20);
	/* still asserted: requested again */
	T_ASSERT(board_intr_pending(t.b));
	irq_isa_set(t.b, 11, src, false);
	T_ASSERT(!board_intr_pending(t.b));
	tb_free(&t);
}

void test_dev_pic__auto_eoi_and_poll(void)
{
	struct tboard t;
	int src;

	tb_init(&t);
	src = irq_source_new(t.b);
	outb(&t, 0x20, 0x11);
	outb(&t, 0x21, 0x08);
	outb(&t, 0x21, 0x04);
	outb(&t, 0x21, 0x03);                   /* 8086, auto EOI */
	outb(&t, 0x21, 0x00);
	irq_isa_pulse(t.b, 4, src);
	T_EQ_INT(board_intr_ack(t.b), 0x0c);
	outb(&t, 0x20, 0x0b);
	T_EQ_INT(inb(&t, 0x20), 0x00);          /* nothing in service */
	irq_isa_pulse(t.b, 6, src);
	outb(&t, 0x20, 0x0c);                   /* poll */
	T_EQ_INT(inb(&t, 0x20), 0x86);
	T_ASSERT(!board_intr_pending(t.b));
	tb_free(&t);
}
