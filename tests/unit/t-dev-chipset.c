/* PCI configuration (i440FX, PIIX3, IDE, PM), ACPI PM, reset paths, the
 * i8042, the IOAPIC and the I/O bus access rules. */
#include "t-dev.h"

#define DEVFN(s, f) (((s) << 3) | (f))

void test_dev_pci__config_space_identity(void)
{
	struct tboard t;
	struct tmem_blk cd;

	tb_config(&t);
	tmem_init(&cd, 1 << 20);
	t.cfg.n_storage = 1;
	t.cfg.storage[0].type = BOARD_CTL_PIIX4;
	tmem_drive(&t.cfg.storage[0].drives[2], &cd, BOARD_DRIVE_CDROM);
	tb_start(&t);
	/* address register reads back (SeaBIOS's probe) */
	outl(&t, 0xcf8, 0x80000000u);
	T_EQ_U64(inl(&t, 0xcf8), 0x80000000u);
	T_EQ_U64(pci_rd32(&t, DEVFN(0, 0), 0), 0x12378086u);
	T_EQ_U64(pci_rd32(&t, DEVFN(0, 0), 8), 0x06000002u);
	T_EQ_U64(pci_rd32(&t, DEVFN(1, 0), 0), 0x70008086u);
	T_EQ_INT(pci_rd8(&t, DEVFN(1, 0), 0x0e), 0x80);
	T_EQ_U64(pci_rd32(&t, DEVFN(1, 1), 0), 0x71118086u);
	T_EQ_U64(pci_rd32(&t, DEVFN(1, 1), 8) >> 8, 0x01018au);
	T_EQ_U64(pci_rd32(&t, DEVFN(7, 0), 0), 0x71138086u);
	T_EQ_INT(pci_rd8(&t, DEVFN(7, 0), 0x5b) & 0x02, 0x02);  /* APMC_EN */
	T_EQ_U64(pci_rd32(&t, DEVFN(2, 0), 0), 0xffffffffu);
	T_EQ_U64(pci_rd32(&t, DEVFN(0x0d, 0), 0), 0xffffffffu); /* no AHCI */
	/* bus 1 does not exist */
	outl(&t, 0xcf8, 0x80010000u);
	T_EQ_U64(inl(&t, 0xcfc), 0xffffffffu);
	/* vendor ID is read-only; PAM is storage */
	pci_wr32(&t, DEVFN(0, 0), 0, 0);
	T_EQ_U64(pci_rd32(&t, DEVFN(0, 0), 0), 0x12378086u);
	pci_wr8(&t, DEVFN(0, 0), 0x59, 0x30);
	T_EQ_INT(pci_rd8(&t, DEVFN(0, 0), 0x59), 0x30);
	tb_free(&t);
	free(cd.data);
}

void test_dev_pci__bar_sizing_and_decode(void)
{
	struct tboard t;
	struct tmem_blk disk;

	tb_config(&t);
	tmem_init(&disk, 1 << 20);
	t.cfg.n_storage = 1;
	t.cfg.storage[0].type = BOARD_CTL_PIIX4;
	tmem_drive(&t.cfg.storage[0].drives[0], &disk, BOARD_DRIVE_DISK);
	tb_start(&t);
	pci_wr32(&t, DEVFN(1, 1), 0x20, 0xffffffffu);
	T_EQ_U64(pci_rd32(&t, DEVFN(1, 1), 0x20), 0xfffffff1u);    /* 16 bytes, I/O */
	pci_wr32(&t, DEVFN(1, 1), 0x20, 0xc000);
	T_EQ_INT(inb(&t, 0xc002), 0xff);        /* not decoded yet */
	pci_wr32(&t, DEVFN(1, 1), 0x04, 0x05);  /* I/O + bus master */
	T_EQ_INT(inb(&t, 0xc002), 0x20);        /* drive 0 DMA capable */
	pci_wr32(&t, DEVFN(1, 1), 0x04, 0x04);
	T_EQ_INT(inb(&t, 0xc002), 0xff);
	tb_free(&t);
	free(disk.data);
}

void test_dev_pm__pm_timer_sci_and_s5(void)
{
	struct tboard t;
	uint32_t a, b;

	tb_init(&t);
	tb_pic_init(&t, 0x08, 0x70);
	/* as SeaBIOS: PMBA 0xb000, enable the I/O space */
	pci_wr32(&t, DEVFN(7, 0), 0x40, 0xb001);
	pci_wr8(&t, DEVFN(7, 0), 0x80, 0x01);
	T_EQ_U64(pci_rd32(&t, DEVFN(7, 0), 0x40), 0xb001);
	a = inl(&t, 0xb008);
	board_clock_advance(t.b, 1000000);      /* 1 ms = 3579.5 ticks */
	b = inl(&t, 0xb008);
	T_ASSERT(((b - a) & 0xffffff) >= 3579 && ((b - a) & 0xffffff) <= 3581);
	/* ACPI enable via APM port, power button raises SCI (IRQ 9) */
	outb(&t, 0xb2, 0xf1);
	T_EQ_INT(inw(&t, 0xb004) & 1, 1);
	outw(&t, 0xb002, 0x0100);
	board_acpi_power_button(t.b);
	T_EQ_INT(inw(&t, 0xb000) & 0x0100, 0x0100);
	T_EQ_INT(board_intr_ack(t.b), 0x71);
	outw(&t, 0xb000, 0x0100);               /* W1C */
	T_EQ_INT(inw(&t, 0xb000) & 0x0100, 0);
	/* S3 is refused, S5 (SLP_TYP 0) powers off */
	outw(&t, 0xb004, 0x2000 | (1 << 10) | 1);
	T_EQ_INT(t.poweroffs, 0);
	outw(&t, 0xb004, 0x2000);
	T_EQ_INT(t.poweroffs, 1);
	T_ASSERT(strstr(t.log, "guest entered S5"));
	tb_free(&t);
}

void test_dev_chipset__reset_paths_and_a20(void)
{
	struct tboard t;

	tb_init(&t);
	outb(&t, 0xcf9, 0x02);
	T_EQ_INT(t.resets, 0);
	outb(&t, 0xcf9, 0x06);
	T_EQ_INT(t.resets, 1);
	T_EQ_INT(t.last_reset, BOARD_RESET_CF9);
	T_ASSERT(board_a20(t.b));
	outb(&t, 0x92, 0x00);
	T_ASSERT(!board_a20(t.b));
	outb(&t, 0x92, 0x03);
	T_EQ_INT(t.resets, 2);
	T_EQ_INT(t.last_reset, BOARD_RESET_PORT92);
	tb_free(&t);
}

static uint8_t kbc_read_data(struct tboard *t)
{
	T_ASSERT(inb(t, 0x64) & 0x01);
	return inb(t, 0x60);
}

void test_dev_i8042__self_test_keyboard_and_reset(void)
{
	struct tboard t;
	const uint8_t keys[2] = { 0x1e, 0x9e };

	tb_init(&t);
	tb_pic_init(&t, 0x08, 0x70);
	outb(&t, 0x64, 0xaa);
	T_EQ_INT(kbc_read_data(&t), 0x55);
	T_EQ_INT(inb(&t, 0x64) & 0x04, 0x04);   /* system flag */
	outb(&t, 0x64, 0xab);
	T_EQ_INT(kbc_read_data(&t), 0x00);
	/* keyboard reset with interrupts off */
	outb(&t, 0x64, 0x60);
	outb(&t, 0x60, 0x44);
	outb(&t, 0x60, 0xff);
	T_EQ_INT(kbc_read_data(&t), 0xfa);
	T_EQ_INT(kbc_read_data(&t), 0xaa);
	T_EQ_INT(inb(&t, 0x64) & 0x01, 0);
	/* keys with IRQ1 */
	outb(&t, 0x64, 0x60);
	outb(&t, 0x60, 0x45);
	T_OK(board_kbd_put(t.b, keys, 2));
	T_EQ_INT(board_intr_ack(t.b), 0x09);
	outb(&t, 0x20, 0x20);
	T_EQ_INT(inb(&t, 0x60), 0x1e);
	T_EQ_INT(board_intr_ack(t.b), 0x09);
	outb(&t, 0x20, 0x20);
	T_EQ_INT(inb(&t, 0x60), 0x9e);
	/* A20 via the output port, reset via pulse */
	outb(&t, 0x64, 0xdd);
	T_ASSERT(!board_a20(t.b));
	outb(&t, 0x64, 0xd0);
	T_EQ_INT(inb(&t, 0x60) & 0x02, 0);
	outb(&t, 0x64, 0xdf);
	T_ASSERT(board_a20(t.b));
	outb(&t, 0x64, 0xfe);
	T_EQ_INT(t.resets, 1);
	T_EQ_INT(t.last_reset, BOARD_RESET_KBC);
	/* mouse through 0xd4 */
	outb(&t, 0x64, 0xa8);
	outb(&t, 0x64, 0xd4);
	outb(&t, 0x60, 0xf2);
	T_EQ_INT(kbc_read_data(&t), 0xfa);
	T_EQ_INT(inb(&t, 0x64) & 0x21, 0x21);   /* aux data */
	T_EQ_INT(inb(&t, 0x60), 0x00);
	tb_free(&t);
}

static void ioapic_write(struct tboard *t, uint8_t reg, uint32_t v)
{
	mmio_wr32(t, 0xfec00000, reg);
	mmio_wr32(t, 0xfec00010, v);
}

static uint32_t ioapic_read(struct tboard *t, uint8_t reg)
{
	mmio_wr32(t, 0xfec00000, reg);
	return mmio_rd32(t, 0xfec00010);
}

void test_dev_ioapic__edge_level_eoi(void)
{
	struct tboard t;
	struct board_msi_route r[24];
	int src;

	tb_init(&t);
	src = irq_source_new(t.b);
	T_EQ_U64(ioapic_read(&t, 1), 0x00170011u);
	/* pin 4 edge, vector 0x34, to APIC 1 */
	ioapic_write(&t, 0x10 + 2 * 4 + 1, 0x01000000u);
	ioapic_write(&t, 0x10 + 2 * 4, 0x34);
	T_ASSERT(t.ioapic_changes > 0);
	irq_isa_pulse(t.b, 4, src);
	T_EQ_INT(t.n_msi, 1);
	T_EQ_U64(t.msi_addr[0], 0xfee01000u);
	T_EQ_U64(t.msi_data[0], 0x34);
	/* pin 10 level, vector 0x3a: one message until EOI */
	ioapic_write(&t, 0x10 + 2 * 10, 0x0000803au);
	irq_isa_set(t.b, 10, src, true);
	T_EQ_INT(t.n_msi, 2);
	T_EQ_U64(t.msi_data[1], 0xc03a);
	T_EQ_U64(ioapic_read(&t, 0x10 + 2 * 10) & 0x4000, 0x4000);     /* remote IRR */
	board_ioapic_eoi(t.b, 0x3a);
	T_EQ_INT(t.n_msi, 3);                   /* still asserted: again */
	irq_isa_set(t.b, 10, src, false);
	board_ioapic_eoi(t.b, 0x3a);
	T_EQ_INT(t.n_msi, 3);
	T_EQ_U64(ioapic_read(&t, 0x10 + 2 * 10) & 0x4000, 0);
	/* masked pins do not deliver; the PIT's IRQ0 goes to pin 2 */
	irq_isa_pulse(t.b, 0, src);
	T_EQ_INT(t.n_msi, 3);
	ioapic_write(&t, 0x10 + 2 * 2, 0x30);
	irq_isa_pulse(t.b, 0, src);
	T_EQ_INT(t.n_msi, 4);
	T_EQ_U64(t.msi_data[3], 0x30);
	T_ASSERT(board_ioapic_routes(t.b, r));
	T_ASSERT(r[2].valid && r[10].valid && !r[5].valid);
	tb_free(&t);
}

void test_dev_bus__access_size_rules(void)
{
	struct tboard t;

	tb_init(&t);
	T_EQ_U64(inl(&t, 0x1234), 0xffffffffu);         /* nobody there */
	/* 16-bit write to the 8-bit PIC data ports: both get a byte */
	tb_pic_init(&t, 0x08, 0x70);
	outw(&t, 0x20, 0xff0a);                 /* OCW3 read IRR; IMR = ff */
	T_EQ_INT(inb(&t, 0x21), 0xff);
	/* a byte write to the 32-bit-only IOAPIC is dropped and logged once */
	mmio_wr32(&t, 0xfec00000, 1);
	{
		uint8_t v = 0x00;

		board_mmio(t.b, 0xfec00000, true, 1, &v);
		board_mmio(t.b, 0xfec00000, true, 1, &v);
	}
	T_EQ_U64(mmio_rd32(&t, 0xfec00000), 1);
	T_ASSERT(strstr(t.log, "ioapic: guest write of 1 byte(s) at 0xfec00000 not supported"));
	T_ASSERT(!strstr(strstr(t.log, "not supported") + 1, "not supported"));
	/* a byte read is served from the dword */
	{
		uint8_t v = 0;

		board_mmio(t.b, 0xfec00000, false, 1, &v);
		T_EQ_INT(v, 1);
	}
	tb_free(&t);
}
