/*
 * Interrupt routing of the PIIX3 board.
 *
 *   ISA IRQ n      -> 8259 input n, IOAPIC pin n (IRQ 0 -> pin 2, the PC
 *                     convention that the firmware's MADT override states)
 *   PCI INTx       -> PIRQ[(slot + pin - 2) mod 4] (the PIIX swizzle)
 *   PIRQ A..D      -> the ISA IRQ in PIIX3 config 0x60-0x63 (unless bit 7
 *                     disables it) and IOAPIC pins 16..19
 *
 * Each line is the OR of everything that drives it: ISA devices are told
 * apart by source ids, PCI functions by their devfn.  Level changes are
 * pushed to the PIC and the IOAPIC only when a line actually changes.
 */
#include <string.h>

#include "lib/devices/board-int.h"

int irq_source_new(struct board *b)
{
	if (b->irq.next_src >= 32)
		return 31;
	return b->irq.next_src++;
}

static void irq_update(struct board *b)
{
	struct irq_state *s = &b->irq;
	bool line[16] = { false };
	bool pin[24] = { false };
	unsigned i;

	for (i = 0; i < 16; i++)
		line[i] = s->isa_src[i] != 0;
	for (i = 0; i < 4; i++) {
		uint8_t route;

		if (!s->pirq_count[i])
			continue;
		pin[16 + i] = true;
		route = piix3_pirq_route(b, i);
		if (!(route & 0x80) && route < 16 && route != 2)
			line[route] = true;
	}
	for (i = 0; i < 16; i++) {
		unsigned p = i == 0 ? 2 : i;

		if (i != 2)
			pin[p] = line[i];
	}
	for (i = 0; i < 16; i++) {
		if (line[i] != s->line[i]) {
			s->line[i] = line[i];
			if (b->pic)
				pic_set_irq(b->pic, i, line[i]);
		}
	}
	for (i = 0; i < 24; i++) {
		if (pin[i] != s->pin[i]) {
			s->pin[i] = pin[i];
			if (b->ioapic)
				ioapic_set_irq(b->ioapic, i, pin[i]);
		}
	}
}

void irq_reset(struct board *b)
{
	struct irq_state *s = &b->irq;

	memset(s->isa_src, 0, sizeof(s->isa_src));
	memset(s->pci_pins, 0, sizeof(s->pci_pins));
	memset(s->pirq_count, 0, sizeof(s->pirq_count));
	memset(s->line, 0, sizeof(s->line));
	memset(s->pin, 0, sizeof(s->pin));
}

void irq_isa_set(struct board *b, unsigned irq, int src, bool level)
{
	uint32_t bit;

	if (irq >= 16 || src < 0 || src >= 32)
		return;
	bit = 1u << src;
	if (level)
		b->irq.isa_src[irq] |= bit;
	else
		b->irq.isa_src[irq] &= ~bit;
	irq_update(b);
}

void irq_isa_pulse(struct board *b, unsigned irq, int src)
{
	irq_isa_set(b, irq, src, true);
	irq_isa_set(b, irq, src, false);
}

void irq_pci_set(struct board *b, unsigned devfn, unsigned pin, bool level)
{
	struct irq_state *s = &b->irq;
	unsigned slot = (devfn >> 3) & 0x1f, pirq;
	uint8_t bit;

	if (devfn > 255 || pin < 1 || pin > 4)
		return;
	bit = (uint8_t)(1u << (pin - 1));
	if (!!(s->pci_pins[devfn] & bit) == level)
		return;
	pirq = (slot + pin - 2) & 3;
	if (level) {
		s->pci_pins[devfn] |= bit;
		s->pirq_count[pirq]++;
	} else {
		s->pci_pins[devfn] &= (uint8_t)~bit;
		if (s->pirq_count[pirq])
			s->pirq_count[pirq]--;
	}
	irq_update(b);
}

void irq_pirq_changed(struct board *b)
{
	irq_update(b);
}
