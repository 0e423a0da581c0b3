/*
 * Test board for the iem engine: guest RAM in a host buffer, a ROM at the
 * top of 4 GiB, debug ports, and helpers that assemble guest programs with
 * binutils (as/ld) and put the vCPU into a given mode.
 *
 * Ports: 0xE9 = byte output (collected in t->out), 0xF4 = stop (the value
 * written is kept in t->exit_val), 0xF5/0xF6 = scratch ports that echo a
 * latch (for IN/OUT tests).
 */
#ifndef VB_TEST_IEM_HARNESS_H
#define VB_TEST_IEM_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/vmm/iem/iem.h"

enum iemt_mode { IEMT_REAL, IEMT_PROT16, IEMT_PROT32, IEMT_LONG64, IEMT_COMPAT32 };

struct iemt {
	struct iem_machine *m;
	struct iem_cpu *c;
	uint8_t *ram;
	size_t ram_size;
	uint8_t *rom;           /* 64 KiB at 0xFFFF0000 */
	char out[65536];
	size_t nout;
	int stopped;
	uint32_t exit_val;
	uint32_t latch;
	unsigned mmio_reads, mmio_writes;
	uint64_t mmio_last;
};

/* Create a machine with ram_mb MiB of RAM and ncpus vCPUs (fails the test on error). */
void iemt_init(struct iemt *t, unsigned ram_mb, unsigned ncpus);
/* iem_config.jit_threshold of the machines iemt_init() creates (0 = default) */
extern uint32_t iemt_jit_threshold;
/* When set, the board clock (iem_board_ops.now_ns) of the machines
 * iemt_init() creates; opaque is the struct iemt. */
extern uint64_t (*iemt_now_hook)(void *opaque);
void iemt_free(struct iemt *t);

/*
 * Assemble src (AT&T syntax; ".code16/.code32/.code64" chosen by bits)
 * linked at address org; the bytes go to guest RAM at org.  Returns the
 * length.  Fails the test if binutils reject the source.
 */
size_t iemt_asm(struct iemt *t, unsigned bits, uint64_t org, const char *src);
/* The same into a buffer only (no guest load). */
size_t iemt_asm_buf(unsigned bits, uint64_t org, const char *src, uint8_t *out, size_t max);

/*
 * Put the vCPU into a mode with flat segments; for long mode, identity
 * page tables for the first 1 GiB (2 MiB pages) at 0x70000.  A GDT is at
 * 0x1000 (selectors: 0x08 code32, 0x10 data, 0x18 code64, 0x20 code16,
 * 0x28 data16, 0x30 user code32 DPL3, 0x38 user data DPL3, 0x40 user
 * code64 DPL3, 0x48 TSS (64-bit, 16 bytes) at 0x3000), an IDT at 0x2000
 * with every vector pointing at the handler table at 0x4000 (see
 * iemt_install_handlers), and the stack below 0x80000.
 */
void iemt_mode(struct iemt *t, enum iemt_mode mode, uint64_t rip);

/*
 * Exception handlers at 0x4000 + 16 * vector: each stores the vector at
 * 0x500 (dword), the error code (if the vector has one) at 0x508 and the
 * faulting RIP at 0x510 (qword; the stack frame's RIP), then writes the
 * vector to port 0xF4 (stop).
 */
void iemt_install_handlers(struct iemt *t, enum iemt_mode mode);

/* Run until a write to port 0xF4 or max instructions; returns the exit reason. */
enum iem_exit iemt_run(struct iemt *t, uint64_t max);

uint64_t iemt_rd(struct iemt *t, uint64_t gpa, unsigned n);
void iemt_wr(struct iemt *t, uint64_t gpa, unsigned n, uint64_t v);
void iemt_regs(struct iemt *t, struct iem_regs *r);

#endif
