/*
 * The board object itself; private to board.c, bus.c and irq.c.
 */
#ifndef VB_DEVICES_BOARD_INT_H
#define VB_DEVICES_BOARD_INT_H

#include <pthread.h>

#include "lib/devices/dev.h"

struct bus_space {
	struct io_region **regs;        /* sorted by base */
	unsigned n, cap;
};

struct irq_state {
	uint32_t isa_src[16];           /* sources driving each ISA IRQ */
	uint8_t pci_pins[256];          /* asserted pins (bit p-1) per devfn */
	unsigned pirq_count[4];         /* functions asserting each PIRQ */
	bool line[16];                  /* last level pushed to the PIC */
	bool pin[24];                   /* last level pushed to the IOAPIC */
	int next_src;
};

struct board_clock {
	bool manual;
	bool paused;
	uint64_t manual_ns;
	uint64_t offset;                /* host ns - virtual ns */
	uint64_t paused_at;
};

struct board {
	pthread_mutex_t lock;
	struct board_config cfg;
	struct board_host host;
	struct device *devices;         /* creation order */
	struct bus_space space[2];
	struct irq_state irq;
	struct board_clock clock;
	struct dtimer *timers;          /* sorted by expiry */
	bool a20;
	struct pic *pic;
	struct ioapic *ioapic;
	struct pci_bus *pci;
	struct i8042 *kbc;
	struct device *pm;
	struct device *piix3;
	char error[512];
};

void bus_release(struct board *b);
void irq_reset(struct board *b);

#endif
