/*
 * Local APIC of the iem engine (xAPIC, MMIO at APIC_BASE).  Each vCPU owns
 * one; other threads only set bits in IRR/TMR (atomically) and then nudge
 * the vCPU.  See lapic.c for the specification followed and the limits.
 */
#ifndef VB_VMM_IEM_LAPIC_H
#define VB_VMM_IEM_LAPIC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct iem_cpu;
struct iem_machine;

struct iem_lapic {
	uint64_t apic_base;             /* IA32_APIC_BASE MSR */
	uint32_t id;
	uint32_t tpr, ldr, dfr, svr, esr, icr_lo, icr_hi;
	uint32_t lvt[7];                /* CMCI, timer, thermal, perf, LINT0, LINT1, error */
	uint32_t isr[8];
	_Atomic uint32_t irr[8];
	_Atomic uint32_t tmr[8];
	uint32_t timer_icr;             /* initial count */
	uint32_t timer_dcr;             /* divide configuration */
	uint64_t timer_start;           /* ns when the count was (re)loaded */
	uint64_t timer_deadline;        /* ns of the next expiry, 0 = none */
	uint64_t tsc_deadline;          /* IA32_TSC_DEADLINE */
	bool bsp;
};

enum { LVT_CMCI, LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR };

#define LAPIC_DM_FIXED   0
#define LAPIC_DM_LOWPRI  1
#define LAPIC_DM_SMI     2
#define LAPIC_DM_NMI     4
#define LAPIC_DM_INIT    5
#define LAPIC_DM_SIPI    6
#define LAPIC_DM_EXTINT  7

#define LAPIC_BASE_BSP    (1ull << 8)
#define LAPIC_BASE_ENABLE (1ull << 11)

void iem_lapic_reset(struct iem_cpu *c, bool bsp);
uint32_t iem_lapic_read(struct iem_cpu *c, uint32_t off);
void iem_lapic_write(struct iem_cpu *c, uint32_t off, uint32_t v);
bool iem_lapic_mmio_enabled(const struct iem_cpu *c);
/* Accept the highest deliverable interrupt: its vector, or -1. */
int iem_lapic_accept(struct iem_cpu *c);
/* Could an interrupt be pending (IRR not empty, INTR high)? */
bool iem_lapic_maybe_pending(struct iem_cpu *c);
/* Set the IRR bit of vector on c (any thread). */
void iem_lapic_set_irr(struct iem_cpu *c, uint8_t vector, bool level);
/* Send an interrupt message to the APICs it addresses (any thread). */
void iem_lapic_send(struct iem_machine *m, struct iem_cpu *from, uint32_t dest,
		    bool logical, unsigned mode, uint8_t vector, bool level,
		    unsigned shorthand);
/* Timer: next expiry in ns (UINT64_MAX = none) and the expiry check. */
uint64_t iem_lapic_next_deadline(struct iem_cpu *c);
void iem_lapic_timer_check(struct iem_cpu *c, uint64_t now);
void iem_lapic_set_tsc_deadline(struct iem_cpu *c, uint64_t tsc);
void iem_lapic_set_base(struct iem_cpu *c, uint64_t v);
/* CR8 <-> TPR */
uint64_t iem_lapic_get_cr8(struct iem_cpu *c);
void iem_lapic_set_cr8(struct iem_cpu *c, uint64_t v);

#endif
