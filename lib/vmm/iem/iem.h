/*
 * iem: our own x86 CPU (the "iem" execution engine, as VirtualBox calls its
 * interpreted execution manager).
 *
 * One struct iem_machine per VM holds what all virtual CPUs share: the CPU
 * model (CPUID), the hooks into the board (guest-physical memory, MMIO,
 * port I/O, the 8259's interrupt acknowledge, time) and the bookkeeping of
 * which physical pages hold decoded code.  Each struct iem_cpu is one
 * virtual CPU with its local APIC; iem_cpu_run() executes it on the calling
 * thread (one thread per vCPU) until something needs the caller.
 *
 * Threading: iem_cpu_run() for a vCPU must only be called from one thread
 * at a time.  The functions marked "any thread" may be called concurrently
 * from device threads and other vCPUs.  Board callbacks are invoked from
 * vCPU threads; they do their own locking.
 *
 * The engine models a small AMD-like x86-64 CPU (see cpuid.c): real mode,
 * 16/32-bit protected mode, virtual-8086 mode, long mode, paging (2-level,
 * PAE, 4-level; NX, global and large pages), x87, MMX, SSE, SSE2.
 * The host must be x86-64: x87 and SSE arithmetic runs on the host FPU.
 */
#ifndef VB_VMM_IEM_H
#define VB_VMM_IEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vb_error;
struct iem_machine;
struct iem_cpu;

/* Hooks into the board.  All are called from vCPU threads. */
struct iem_board_ops {
	/*
	 * Return the host address of the 4 KiB guest-physical page at gpa
	 * (page aligned) when it is RAM or ROM, NULL when it is MMIO or
	 * unassigned.  Set *rom when writes must not go to that memory (they
	 * are passed to mmio_write instead).  The answer is cached in the
	 * vCPUs' TLBs until iem_machine_map_changed().
	 */
	void *(*page)(void *opaque, uint64_t gpa, bool *rom);
	/* Accesses to non-RAM addresses; size is 1, 2, 4 or 8. */
	uint64_t (*mmio_read)(void *opaque, int cpu, uint64_t gpa, unsigned size);
	void (*mmio_write)(void *opaque, int cpu, uint64_t gpa, unsigned size,
			   uint64_t val);
	/* Port I/O; size is 1, 2 or 4. */
	uint32_t (*pio_in)(void *opaque, int cpu, uint16_t port, unsigned size);
	void (*pio_out)(void *opaque, int cpu, uint16_t port, unsigned size,
			uint32_t val);
	/*
	 * Optional bulk port I/O for REP INS/OUTS: move up to count elements
	 * of size bytes between the port and buf, return how many were moved
	 * (0 = use pio_in/pio_out one element at a time).  May be NULL.
	 */
	uint32_t (*pio_in_rep)(void *opaque, int cpu, uint16_t port,
			       unsigned size, void *buf, uint32_t count);
	uint32_t (*pio_out_rep)(void *opaque, int cpu, uint16_t port,
				unsigned size, const void *buf, uint32_t count);
	/* 8259 interrupt acknowledge: the vector, or -1 if none (spurious). */
	int (*pic_ack)(void *opaque);
	/* A local APIC signalled EOI of a level-triggered vector. May be NULL. */
	void (*eoi)(void *opaque, uint8_t vector);
	/* Monotonic nanoseconds; NULL = CLOCK_MONOTONIC. */
	uint64_t (*now_ns)(void *opaque);
	void *opaque;
};

/*
 * One CPUID leaf: the registers returned for leaf/subleaf.  As an override
 * (iem_config.cpuid) it replaces the model's leaf (remove: reads as
 * zeros); in a full table (iem_cpu_set_cpuid) subleaf only matters when
 * has_subleaf is set.
 */
struct iem_cpuid_leaf {
	uint32_t leaf, subleaf;
	uint32_t eax, ebx, ecx, edx;
	bool remove;
	bool has_subleaf;
};

struct iem_config {
	unsigned ncpus;                 /* 1..IEM_MAX_CPUS */
	bool pae;                       /* CPUID PAE (and NX) */
	bool long_mode;                 /* CPUID LM/SYSCALL */
	bool apic;                      /* local APICs present */
	bool x2apic;                    /* reserved, must be false */
	uint64_t tsc_hz;                /* guest TSC frequency, 0 = default */
	uint32_t jit_threshold;         /* runs of a block before it is compiled;
					   0 = default (64 or $IEM_JIT_THRESHOLD),
					   IEM_JIT_OFF = interpreter only */
	const struct iem_cpuid_leaf *cpuid;    /* overrides, may be NULL */
	size_t ncpuid;
};

#define IEM_MAX_CPUS 64
#define IEM_JIT_OFF 0xffffffffu

/* Why iem_cpu_run() returned. */
enum iem_exit {
	IEM_EXIT_STOP = 0,      /* iem_cpu_kick() was called */
	IEM_EXIT_SHUTDOWN,      /* triple fault: the board resets or stops */
	IEM_EXIT_INSNS,         /* the instruction limit of iem_cpu_run_n() */
	IEM_EXIT_BREAK,         /* a debug breakpoint or single step */
};

/* Segment register in the form the debugger and saved state use. */
struct iem_segment {
	uint64_t base;
	uint32_t limit;         /* byte granular */
	uint32_t attr;          /* IEM_SEG_* below */
	uint16_t sel;
};
#define IEM_SEG_TYPE(a)   ((a) & 0xf)
#define IEM_SEG_S         0x0010u       /* code/data (not system) */
#define IEM_SEG_DPL(a)    (((a) >> 5) & 3)
#define IEM_SEG_P         0x0080u
#define IEM_SEG_AVL       0x1000u
#define IEM_SEG_L         0x2000u
#define IEM_SEG_DB        0x4000u
#define IEM_SEG_G         0x8000u
#define IEM_SEG_UNUSABLE  0x10000u

struct iem_dtr {
	uint64_t base;
	uint16_t limit;
};

/* The whole architectural state of a vCPU (get/set, saved state). */
struct iem_regs {
	uint64_t gpr[16];       /* rAX rCX rDX rBX rSP rBP rSI rDI r8..r15 */
	uint64_t rip, rflags;
	struct iem_segment es, cs, ss, ds, fs, gs, ldtr, tr;
	struct iem_dtr gdtr, idtr;
	uint64_t cr0, cr2, cr3, cr4, efer;
	uint64_t dr[8];         /* dr0-dr3, (4,5 unused), dr6, dr7 */
	uint64_t star, lstar, cstar, sfmask, kernel_gs_base;
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
	uint64_t pat, tsc, apic_base, mtrr_def_type;
	uint64_t mtrr_fixed[11];
	uint64_t mtrr_var[16];  /* base0, mask0, base1, ... */
	uint8_t fxsave[512];    /* x87/MMX/SSE state in FXSAVE (64-bit) layout */
	bool halted;
	bool wait_sipi;         /* application processor before INIT/SIPI */
	bool irq_shadow;        /* interrupts inhibited for one instruction */
	bool nmi_blocked;
};

/* ---- machine ---- */

int iem_machine_new(const struct iem_config *cfg, const struct iem_board_ops *ops,
		    struct iem_machine **out, struct vb_error *err);
void iem_machine_free(struct iem_machine *m);
struct iem_cpu *iem_machine_cpu(struct iem_machine *m, unsigned index);
unsigned iem_machine_ncpus(const struct iem_machine *m);

/* The physical map changed (ROM/PAM, RAM hot plug): flush every TLB. Any thread. */
void iem_machine_map_changed(struct iem_machine *m);
/* A device wrote guest RAM (DMA): drop decoded code there. Any thread. */
void iem_machine_phys_written(struct iem_machine *m, uint64_t gpa, uint64_t len);
/* Gate A20 (port 0x92, keyboard controller). Any thread. */
void iem_machine_set_a20(struct iem_machine *m, bool enabled);
/*
 * Deliver an interrupt message in MSI format (address 0xFEExxxxx with the
 * destination, data with vector, delivery and trigger mode) to the local
 * APICs.  This is how the IOAPIC and MSI-capable devices interrupt.
 * Any thread.
 */
void iem_machine_msi(struct iem_machine *m, uint64_t addr, uint32_t data);
/* Reset every vCPU to its power-on state (the board's reset). Not while running. */
void iem_machine_reset(struct iem_machine *m);

/* ---- vCPU ---- */

/* Execute until something needs the caller; see enum iem_exit. */
enum iem_exit iem_cpu_run(struct iem_cpu *c);
/* The same, returning IEM_EXIT_INSNS after about max_insns instructions. */
enum iem_exit iem_cpu_run_n(struct iem_cpu *c, uint64_t max_insns);
/* Make iem_cpu_run() return IEM_EXIT_STOP soon (also wakes HLT). Any thread. */
void iem_cpu_kick(struct iem_cpu *c);
/* The 8259's INTR output as seen by this vCPU's LINT0. Any thread. */
void iem_cpu_set_intr(struct iem_cpu *c, bool level);
/* Raise NMI on this vCPU. Any thread. */
void iem_cpu_nmi(struct iem_cpu *c);
/* Power-on reset of one vCPU (the BSP starts at F000:FFF0, APs wait for SIPI). */
void iem_cpu_reset(struct iem_cpu *c);

/*
 * The engine's own CPU model as a table of leaves for vCPU index (to be
 * shaped by the VMM and given back with iem_cpu_set_cpuid).  Returns the
 * number of entries written (at most cap).
 */
size_t iem_cpuid_model(struct iem_machine *m, unsigned index, struct iem_cpuid_leaf *out,
		       size_t cap);
/* Use this complete CPUID table for the vCPU (copied; -ENOMEM on failure). */
int iem_cpu_set_cpuid(struct iem_cpu *c, const struct iem_cpuid_leaf *tab, size_t n);

void iem_cpu_get_regs(struct iem_cpu *c, struct iem_regs *r);
/* Set the state; returns -EINVAL if it is inconsistent. */
int iem_cpu_set_regs(struct iem_cpu *c, const struct iem_regs *r);

/* Instructions retired so far (statistics, tests). */
uint64_t iem_cpu_icount(const struct iem_cpu *c);
int iem_cpu_index(const struct iem_cpu *c);

/*
 * Single-step mode (debugger, lockstep tracing): every instruction is its
 * own block and, when a hook is set, it is called before each instruction
 * with the vCPU's state current.  Returning non-zero from the hook makes
 * iem_cpu_run() return IEM_EXIT_BREAK before that instruction.
 */
typedef int (*iem_step_hook)(struct iem_cpu *c, void *opaque);
void iem_cpu_set_step(struct iem_cpu *c, bool on, iem_step_hook hook, void *opaque);

/* Read/write guest virtual memory as this vCPU sees it (debugger); 0 or -EFAULT. */
int iem_cpu_read_virt(struct iem_cpu *c, uint64_t lin, void *buf, size_t len);

/* Counters for logs and benchmarks. */
struct iem_stats {
	uint64_t insns;
	uint64_t blocks_decoded;
	uint64_t insns_decoded;
	uint64_t cache_flushes;
	uint64_t smc_invalidations;
	uint64_t exceptions;
	uint64_t interrupts;
	uint64_t tlb_flushes;
	uint64_t jit_blocks;
	/* the last exception raised (for shutdown reports) */
	int last_vector;
	uint32_t last_error;
	uint64_t last_rip, last_cr2;
};
void iem_cpu_get_stats(const struct iem_cpu *c, struct iem_stats *s);

/* Name of an exit reason for logs. */
const char *iem_exit_name(enum iem_exit e);

#endif
