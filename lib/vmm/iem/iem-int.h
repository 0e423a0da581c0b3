/*
 * Internals of the iem engine shared by its files.
 *
 * Shape (softcpu.md section 3): guest code is decoded once into blocks of
 * fixed-size records (struct iem_insn) keyed by guest-physical address and
 * code size; exec.c runs them with computed-goto threading, hot forms
 * inlined, the rest as out-of-line functions iem_op_<name>().  Blocks
 * chain to their successors.  Flags are lazy (result + carry-vector word).
 * Memory goes through a software TLB holding host addends; everything
 * unusual (page crossing, MMIO, code pages, faults) takes a slow path in
 * mmu.c.  Faults unwind with longjmp to iem_cpu_run(); every handler does
 * all faulting accesses before it commits architectural state.
 */
#ifndef VB_VMM_IEM_INT_H
#define VB_VMM_IEM_INT_H

#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "lib/vmm/iem/iem.h"
#include "lib/vmm/iem/lapic.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* ---- architecture constants ---- */

enum { R_AX, R_CX, R_DX, R_BX, R_SP, R_BP, R_SI, R_DI };
#define IEM_R_ZERO     16       /* always 0: absent base/index */
#define IEM_R_RIPBASE  17       /* RIP at the start of the current block */
#define IEM_R_SCRATCH  18       /* computed address for far RIP-relative */
#define IEM_NGPR       20

enum { S_ES, S_CS, S_SS, S_DS, S_FS, S_GS, S_FLAT, S_FLATSTK };
#define IEM_NSEG 8

#define CR0_PE (1u << 0)
#define CR0_MP (1u << 1)
#define CR0_EM (1u << 2)
#define CR0_TS (1u << 3)
#define CR0_ET (1u << 4)
#define CR0_NE (1u << 5)
#define CR0_WP (1u << 16)
#define CR0_AM (1u << 18)
#define CR0_NW (1u << 29)
#define CR0_CD (1u << 30)
#define CR0_PG (1u << 31)

#define CR4_VME        (1u << 0)
#define CR4_PVI        (1u << 1)
#define CR4_TSD        (1u << 2)
#define CR4_DE         (1u << 3)
#define CR4_PSE        (1u << 4)
#define CR4_PAE        (1u << 5)
#define CR4_MCE        (1u << 6)
#define CR4_PGE        (1u << 7)
#define CR4_PCE        (1u << 8)
#define CR4_OSFXSR     (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)

#define EFER_SCE (1u << 0)
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)
#define EFER_NXE (1u << 11)
#define EFER_FFXSR (1u << 14)

#define F_CF   0x0001u
#define F_PF   0x0004u
#define F_AF   0x0010u
#define F_ZF   0x0040u
#define F_SF   0x0080u
#define F_TF   0x0100u
#define F_IF   0x0200u
#define F_DF   0x0400u
#define F_OF   0x0800u
#define F_IOPL 0x3000u
#define F_NT   0x4000u
#define F_RF   0x10000u
#define F_VM   0x20000u
#define F_AC   0x40000u
#define F_VIF  0x80000u
#define F_VIP  0x100000u
#define F_ID   0x200000u
#define F_ARITH (F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)

enum {
	X_DE = 0, X_DB = 1, X_NMI = 2, X_BP = 3, X_OF = 4, X_BR = 5, X_UD = 6,
	X_NM = 7, X_DF = 8, X_TS = 10, X_NP = 11, X_SS = 12, X_GP = 13,
	X_PF = 14, X_MF = 16, X_AC = 17, X_MC = 18, X_XM = 19,
};

/* Page-fault error code bits. */
#define PFE_P    1u
#define PFE_W    2u
#define PFE_U    4u
#define PFE_RSVD 8u
#define PFE_I    16u

/* ---- decoded instruction record (32 bytes) ---- */

struct iem_insn {
	const void *label;      /* handler (computed-goto target) */
	uint64_t imm;           /* immediate; branch target offset; stub */
	int32_t disp;           /* displacement; second immediate */
	uint16_t op;            /* enum iem_op */
	uint16_t offlen;        /* offset from block start (12 bits) | length << 12 */
	uint8_t reg;            /* ModRM.reg (+REX.R), or byte-register code */
	uint8_t rm;             /* register operand, or base of the address */
	uint8_t idx;            /* index register */
	uint8_t scale;          /* index shift 0..3 */
	uint8_t seg;            /* effective segment of the memory operand */
	uint8_t fl;             /* IEM_IF_* */
	uint8_t pfx;            /* IEM_IP_* */
	uint8_t opc;            /* last opcode byte */
};

#define IEM_IF_ASZ      0x03    /* address size: 0 = 16, 1 = 32, 2 = 64 */
#define IEM_IF_OSZ      0x0c    /* operand size: 0 = 8, 1 = 16, 2 = 32, 3 = 64 */
#define IEM_IF_OSZ_SHIFT 2
#define IEM_IF_MEM      0x10    /* ModRM names memory */
#define IEM_IF_LOCK     0x20
#define IEM_IF_REP      0x40    /* F3 */
#define IEM_IF_REPNE    0x80    /* F2 */

#define IEM_IP_MP       0x07    /* mandatory prefix: 0 none, 2 = 66, 3 = F3, 4 = F2 */
#define IEM_IP_REX      0x08    /* a REX prefix was present */
#define IEM_IP_REXW     0x10
#define IEM_IP_0F       0x20    /* two-byte opcode */
#define IEM_IP_66       0x40    /* 66 prefix present */
#define IEM_IP_SEGOVR   0x80    /* explicit segment override */

static __always_inline unsigned insn_off(const struct iem_insn *i)
{
	return i->offlen & 0xfff;
}

static __always_inline unsigned insn_len(const struct iem_insn *i)
{
	return i->offlen >> 12;
}

static __always_inline unsigned insn_osz(const struct iem_insn *i)
{
	return (i->fl & IEM_IF_OSZ) >> IEM_IF_OSZ_SHIFT;
}

/* Operand size in bytes from the record. */
static __always_inline unsigned insn_obytes(const struct iem_insn *i)
{
	return 1u << insn_osz(i);
}

/* ---- opcode table (generated from opcodes.tab) ---- */

struct iem_form {
	uint16_t op[2][4];      /* [memory][size 8/16/32/64] */
	uint8_t reg, rm, mod, pfx, mode;
	uint8_t imm;
	uint8_t szclass;
	uint16_t flags;
};

enum { IEM_IMM_NONE, IEM_IMM_IB, IEM_IMM_IBS, IEM_IMM_IW, IEM_IMM_IZ,
       IEM_IMM_IV, IEM_IMM_JB, IEM_IMM_JZ, IEM_IMM_AP, IEM_IMM_OV,
       IEM_IMM_IWIB };
enum { IEM_SZ_B, IEM_SZ_W, IEM_SZ_D, IEM_SZ_Q, IEM_SZ_V, IEM_SZ_Y, IEM_SZ_Z };

#define IEM_FF_MODRM    0x0001
#define IEM_FF_LOCK     0x0002
#define IEM_FF_D64      0x0004
#define IEM_FF_F64      0x0008
#define IEM_FF_END      0x0010
#define IEM_FF_MODREG   0x0020
#define IEM_FF_ZREG     0x0040
#define IEM_FF_RM0      0x0080
#define IEM_FF_REG0     0x0100
#define IEM_FF_BYTE_REG 0x0200
#define IEM_FF_BYTE_RM  0x0400
#define IEM_FF_NOREXB   0x0800
#define IEM_FF_FN       0x1000

typedef int (*iem_op_fn)(struct iem_cpu *c, const struct iem_insn *i);

extern const struct iem_form iem_forms[];
extern const uint16_t iem_form_index0[256][2];
extern const uint16_t iem_form_index1[256][2];
extern const iem_op_fn iem_fn_table[];
extern const char *const iem_op_names[];

/* ---- segments ---- */

struct iem_seg {
	uint64_t base;
	int64_t lim_r;          /* fast check: offsets up to this are readable */
	int64_t lim_w;          /* ... writable; -1 = always the slow path */
	uint32_t limit;
	uint32_t attr;          /* IEM_SEG_* */
	uint16_t sel;
};

/* ---- software TLB ---- */

#define IEM_TLB_BITS 10
#define IEM_TLB_SIZE (1u << IEM_TLB_BITS)
#define IEM_TLB_MASK (IEM_TLB_SIZE - 1)
#define IEM_TLB_NONE 1ull       /* a tag no page address equals */

struct iem_tlbe {
	uint64_t tag_r;         /* linear page, or IEM_TLB_NONE */
	uint64_t tag_w;
	uintptr_t addend;       /* host address minus linear address */
	uint64_t info;          /* guest-physical page | IEM_TLBI_* */
};
#define IEM_TLBI_GLOBAL 1ull

struct iem_itlbe {
	uint64_t tag;           /* linear page or IEM_TLB_NONE */
	uint64_t gpa;           /* physical page */
	uint8_t *host;          /* host address of the page, NULL = not RAM */
	uint64_t global;
};

struct iem_iotlbe {             /* MMIO/ROM translations */
	uint64_t tag;           /* linear page | user, or IEM_TLB_NONE */
	uint64_t gpa;
	bool wok;
};
#define IEM_IOTLB 64
#define IEM_NLARGE 16

/* ---- decoded block cache ---- */

struct iem_block;

struct iem_link {
	uint64_t lin;           /* linear address of the target */
	uint64_t tag;           /* c->linktag when the link was made */
	struct iem_block *blk;
};

struct iem_block {
	uint64_t gpa;           /* physical address of the first byte */
	uint64_t gpa2;          /* physical page of the second page, or ~0 */
	struct iem_block *hnext;        /* lookup hash chain */
	struct iem_block *pnext[2];     /* page lists (first / second page) */
	struct iem_link link[2];        /* 0 = taken / jump, 1 = fall-through */
	uint32_t mode;
	uint16_t ninsn;
	uint16_t nrec;
	uint16_t bytes;
	uint8_t valid;
	uint8_t single;         /* temporary one-instruction block */
	uint8_t jit_tried;
	uint32_t hits;          /* executions before it is compiled */
	uint64_t (*jit)(struct iem_cpu *c);     /* compiled code (jit.c) or NULL */
	void *jit_entry1;                       /* entry for chaining from compiled code */
	uint8_t *jit_p[2];      /* link k: rel32 of the patchable jump, or NULL */
	uint8_t *jit_q[2];      /* link k: the direct-entry tail to patch */
	uint16_t jit_in;        /* patched jumps from other blocks into this one */
	struct iem_insn insn[];
};

#define IEM_HASH_BITS 15
#define IEM_PHASH_BITS 12
#define IEM_JC_BITS 12
#define IEM_MAX_REC 96          /* records per block */

static __always_inline unsigned iem_jc_key(uint64_t lin)
{
	return (unsigned)((lin ^ (lin >> IEM_JC_BITS) ^ (lin >> 21)) & ((1u << IEM_JC_BITS) - 1));
}

struct iem_cpage {              /* blocks touching one physical page */
	uint64_t page;
	struct iem_block *head;
	struct iem_cpage *next;
};

struct iem_jc {                 /* jump cache: linear address -> block */
	uint64_t lin;
	uint64_t tag;
	struct iem_block *blk;
};


/* ---- machine and vCPU ---- */

struct iem_machine {
	struct iem_board_ops ops;
	struct iem_config cfg;
	struct iem_cpuid_leaf *cpuid;   /* copy of the overrides */
	unsigned ncpus;
	struct iem_cpu **cpus;
	/* pages holding decoded code: 64-byte-chunk masks, lazily allocated per GiB */
	_Atomic(uint64_t *) codemask[1024];
	pthread_mutex_t lock;           /* code-mask allocation, split locks */
	_Atomic int a20;                /* 1 = enabled */
	uint64_t tsc_hz;
	uint64_t tsc_mult;              /* tsc = ns * tsc_mult >> 32 */
	uint64_t tsc_base_ns;
	int64_t tsc_offset;             /* guest TSC = scaled time + offset */
	uint32_t maxphys;               /* physical address bits */
	uint32_t jit_threshold;         /* executions before a block is compiled, 0 = never */
};

/* Bits of iem_cpu.attn (set from any thread). */
#define IEM_ATTN_IRQ     0x0001u        /* LAPIC or INTR may have an interrupt */
#define IEM_ATTN_NMI     0x0002u
#define IEM_ATTN_INIT    0x0004u
#define IEM_ATTN_SIPI    0x0008u
#define IEM_ATTN_STOP    0x0010u
#define IEM_ATTN_FLUSH   0x0020u        /* TLB flush / code invalidation requests */
#define IEM_ATTN_TIMER   0x0040u
#define IEM_ATTN_ALWAYS  (~IEM_ATTN_IRQ)

#define IEM_INVQ 32

struct iem_cpu {
	/* hot state first */
	uint64_t gpr[IEM_NGPR];
	uint64_t lf_res, lf_aux;        /* lazy arithmetic flags */
	uint64_t eflags;                /* all flags except the arithmetic six */
	struct iem_tlbe *dtlb;          /* TLB of the current privilege */
	uint64_t lin_mask;              /* 0xffffffff outside 64-bit mode */
	uint64_t lin_mask_sys;          /* descriptor tables: 64 bits in IA-32e mode */
	struct iem_seg seg[IEM_NSEG];
	uint64_t rip;
	int64_t slice;                  /* instructions until the next time check */
	_Atomic uint32_t attn;
	uint32_t attn_mask;
	uint64_t linktag;               /* gen << 8 | mode */
	const struct iem_insn *cur;     /* record being executed (for faults) */
	struct iem_block *curblk;
	uint8_t cpl;
	uint8_t mode;                   /* decode mode: 0 = 16, 1 = 32, 2 = 64 bit code */
	uint8_t stk;                    /* stack segment index (S_SS or S_FLAT) */
	uint8_t shadow;                 /* interrupt shadow after STI/MOV SS */
	uint64_t ss_mask;               /* stack pointer width */
	uint64_t icount;

	/* system registers */
	uint64_t cr0, cr2, cr3, cr4, efer;
	uint64_t dr[8];
	struct iem_seg ldtr, tr;
	struct iem_dtr gdtr, idtr;
	uint64_t star, lstar, cstar, sfmask, kernel_gs_base;
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
	uint64_t pat, mtrr_def_type, mtrr_fixed[11], mtrr_var[16];
	uint64_t hwcr, de_cfg, perf[8];
	uint64_t tsc_adjust;            /* guest writes to the TSC */

	/* x87 / MMX / SSE state in FXSAVE64 layout */
	uint8_t fx[512] __attribute__((aligned(16)));

	/* TLBs */
	struct iem_tlbe tlb[2][IEM_TLB_SIZE];   /* [0] = CPL 0-2, [1] = CPL 3 */
	struct iem_itlbe itlb[2][IEM_TLB_SIZE];
	struct iem_iotlbe iotlb[IEM_IOTLB];
	uint64_t large[IEM_NLARGE];     /* 4 MiB regions holding large-page entries */
	unsigned nlarge;

	/* block cache */
	uint8_t *arena;
	size_t arena_size, arena_used;
	uint8_t *stubs;                 /* executable stubs for x87/SSE replay */
	size_t stubs_size, stubs_used;
	struct iem_block **hash;
	struct iem_cpage **phash;
	struct iem_jc *jc;
	uint64_t gen;
	struct iem_block *tmpblk;       /* single-step block */
	void *stubtab;                  /* x87/SSE stub cache (fpu.c) */
	uint8_t *jit;                   /* compiled blocks (jit.c) */
	size_t jit_size, jit_used;
	bool jit_full;
	struct iem_jpatch {             /* jumps patched to go straight to a block */
		uint8_t *p;             /* rel32 field */
		int32_t orig;
		struct iem_block *to;
	} *jpatch;
	unsigned njpatch;
	uint64_t jit_fl;                /* flags parked by compiled code (LAHF/SETO form) */
	uint64_t jit_tmp;               /* a memory operand of compiled code */
	uint8_t lf_raw;                 /* the flags are jit_fl, not lf_* */
	unsigned pauses;

	/* exceptions */
	jmp_buf jb;
	int delivering;                 /* vector being delivered, -1 none */
	int exit_code;                  /* pending iem_cpu_run() result, -1 none */
	bool restart_single;            /* SMC hit the current block */
	bool tf_trap;                   /* EFLAGS.TF single-step #DB due after this instruction */
	bool singlestep;
	iem_step_hook step_hook;
	void *step_opaque;
	bool halted, wait_sipi, nmi_blocked, intr_line;
	uint8_t sipi_vector;
	uint64_t run_limit;             /* icount at which run_n stops */

	/* bounce buffer for page-crossing and MMIO read-modify-write */
	uint8_t bounce[16] __attribute__((aligned(16)));
	uint64_t bounce_lin;
	unsigned bounce_size;
	uint8_t bounce_seg;

	/* cross-vCPU requests (under reqlock) */
	pthread_mutex_t reqlock;
	pthread_cond_t wake;
	uint64_t invq[IEM_INVQ];        /* physical pages whose code changed */
	unsigned ninvq;
	bool inv_all, tlb_flush_req;

	uint64_t *ring;                 /* debug: recent block RIPs (IEM_DEBUG_RING) */
	unsigned ring_pos;
	struct iem_lapic lapic;
	struct iem_cpuid_leaf *cpuid_tab;       /* complete table, or NULL = model */
	size_t ncpuid_tab;
	struct iem_machine *m;
	int index;
	struct iem_stats stats;
};

/* ---- lazy flags ---- */

#define LF_CF_BIT 63
#define LF_PO_BIT 62            /* CF xor OF */
#define LF_AF     8ull
#define LF_SD     1ull          /* sign delta */
#define LF_PDB_SHIFT 8          /* parity delta byte */

static __always_inline uint64_t sext(uint64_t v, unsigned n)
{
	return (uint64_t)((int64_t)(v << (64 - n)) >> (64 - n));
}

static __always_inline uint64_t zmask(unsigned n)
{
	return n == 64 ? ~0ull : (1ull << n) - 1;
}

static __always_inline unsigned lf_cf(const struct iem_cpu *c)
{
	return c->lf_aux >> 63;
}

static __always_inline unsigned lf_of(const struct iem_cpu *c)
{
	return ((c->lf_aux >> 63) ^ (c->lf_aux >> 62)) & 1;
}

static __always_inline unsigned lf_zf(const struct iem_cpu *c)
{
	return c->lf_res == 0;
}

static __always_inline unsigned lf_sf(const struct iem_cpu *c)
{
	return ((c->lf_res >> 63) ^ c->lf_aux) & 1;
}

static __always_inline unsigned lf_af(const struct iem_cpu *c)
{
	return (c->lf_aux >> 3) & 1;
}

static __always_inline unsigned lf_pf(const struct iem_cpu *c)
{
	return !__builtin_parity((unsigned)((c->lf_res ^ (c->lf_aux >> LF_PDB_SHIFT)) & 0xff));
}

/* Flags of a + b (+ carry) = r, operand width n. */
static __always_inline void lf_add(struct iem_cpu *c, unsigned n, uint64_t a, uint64_t b, uint64_t r)
{
	uint64_t cv = (a & b) | ((a ^ b) & ~r);

	c->lf_res = sext(r, n);
	c->lf_aux = (cv & LF_AF) | ((cv << (64 - n)) & (3ull << 62));
}

/* Flags of a - b (- borrow) = r. */
static __always_inline void lf_sub(struct iem_cpu *c, unsigned n, uint64_t a, uint64_t b, uint64_t r)
{
	uint64_t bv = (~a & b) | (~(a ^ b) & r);

	c->lf_res = sext(r, n);
	c->lf_aux = (bv & LF_AF) | ((bv << (64 - n)) & (3ull << 62));
}

/* Flags of a logical operation: CF = OF = AF = 0. */
static __always_inline void lf_logic(struct iem_cpu *c, unsigned n, uint64_t r)
{
	c->lf_res = sext(r, n);
	c->lf_aux = 0;
}

/* Replace CF and OF, keep the other four. */
static __always_inline void lf_set_cf_of(struct iem_cpu *c, unsigned cf, unsigned of)
{
	c->lf_aux = (c->lf_aux & ~(3ull << 62)) | ((uint64_t)cf << 63) |
		    ((uint64_t)(cf ^ of) << 62);
}

/* Result-based flags (SF ZF PF) from r, with CF, OF and AF given. */
static __always_inline void lf_result(struct iem_cpu *c, unsigned n, uint64_t r,
			     unsigned cf, unsigned of, unsigned af)
{
	c->lf_res = sext(r, n);
	c->lf_aux = ((uint64_t)cf << 63) | ((uint64_t)(cf ^ of) << 62) |
		    (af ? LF_AF : 0);
}

/* The six arithmetic flags in EFLAGS positions. */
static __always_inline uint64_t lf_get(const struct iem_cpu *c)
{
	return lf_cf(c) | (lf_pf(c) << 2) | (lf_af(c) << 4) | (lf_zf(c) << 6) |
	       (lf_sf(c) << 7) | ((uint64_t)lf_of(c) << 11);
}

/* Load the six arithmetic flags from an EFLAGS image. */
static __always_inline void lf_put(struct iem_cpu *c, uint64_t f)
{
	unsigned cf = f & 1, pf = (f >> 2) & 1, af = (f >> 4) & 1;
	unsigned zf = (f >> 6) & 1, sf = (f >> 7) & 1, of = (f >> 11) & 1;
	uint64_t res = zf ? 0 : 1;
	/* parity of res's low byte: 0 -> even (PF 1), 1 -> odd (PF 0) */
	unsigned pdb = zf ? !pf : pf;

	c->lf_res = res;
	c->lf_aux = ((uint64_t)cf << 63) | ((uint64_t)(cf ^ of) << 62) |
		    (af ? LF_AF : 0) | sf | ((uint64_t)pdb << LF_PDB_SHIFT);
	c->lf_raw = 0;
}

/*
 * Compiled code parks flags as LAHF/SETO leave them: bits 8-15 the low
 * EFLAGS byte (SF ZF AF PF CF), bit 0 OF.
 */
static __always_inline uint64_t iem_jit_fl_to_eflags(uint64_t v)
{
	return ((v >> 8) & 0xd5) | ((v & 1) << 11);
}

static __always_inline uint64_t iem_eflags_to_jit_fl(uint64_t f)
{
	return ((f & 0xd5) << 8) | ((f >> 11) & 1);
}

/* Compiled code left the flags parked in jit_fl: make them lazy. */
static __always_inline void iem_lf_unraw(struct iem_cpu *c)
{
	if (unlikely(c->lf_raw)) {
		c->lf_raw = 0;
		lf_put(c, iem_jit_fl_to_eflags(c->jit_fl));
	}
}

static __always_inline uint64_t iem_get_rflags(struct iem_cpu *c)
{
	iem_lf_unraw(c);
	return c->eflags | lf_get(c);
}

/* Condition codes 0..15 as in Jcc. */
static __always_inline unsigned iem_cond(const struct iem_cpu *c, unsigned cc)
{
	unsigned r;

	switch (cc >> 1) {
	case 0: r = lf_of(c); break;
	case 1: r = lf_cf(c); break;
	case 2: r = lf_zf(c); break;
	case 3: r = lf_cf(c) | lf_zf(c); break;
	case 4: r = lf_sf(c); break;
	case 5: r = lf_pf(c); break;
	case 6: r = lf_sf(c) ^ lf_of(c); break;
	default: r = lf_zf(c) | (lf_sf(c) ^ lf_of(c)); break;
	}
	return r ^ (cc & 1);
}

/* ---- register access ---- */

/* Byte-register code: n | 16 names AH/CH/DH/BH (bits 8-15 of register n). */
static __always_inline uint8_t rd8(const struct iem_cpu *c, unsigned code)
{
	return (uint8_t)(c->gpr[code & 15] >> ((code >> 4) * 8));
}

static __always_inline void wr8(struct iem_cpu *c, unsigned code, uint64_t v)
{
	unsigned sh = (code >> 4) * 8;
	uint64_t *r = &c->gpr[code & 15];

	*r = (*r & ~(0xffull << sh)) | ((v & 0xff) << sh);
}

static __always_inline void wr16(struct iem_cpu *c, unsigned n, uint64_t v)
{
	c->gpr[n] = (c->gpr[n] & ~0xffffull) | (v & 0xffff);
}

static __always_inline void wr32(struct iem_cpu *c, unsigned n, uint64_t v)
{
	c->gpr[n] = (uint32_t)v;
}

/* Write an operand of nbytes (1, 2, 4, 8) to a register (code for bytes). */
static __always_inline void wrreg(struct iem_cpu *c, unsigned n, unsigned nbytes, uint64_t v)
{
	switch (nbytes) {
	case 1: wr8(c, n, v); break;
	case 2: wr16(c, n, v); break;
	case 4: wr32(c, n, v); break;
	default: c->gpr[n] = v; break;
	}
}

static __always_inline uint64_t rdreg(const struct iem_cpu *c, unsigned n, unsigned nbytes)
{
	switch (nbytes) {
	case 1: return rd8(c, n);
	case 2: return (uint16_t)c->gpr[n];
	case 4: return (uint32_t)c->gpr[n];
	default: return c->gpr[n];
	}
}

/* ---- guest memory through host pointers ---- */

typedef uint16_t __attribute__((aligned(1), may_alias)) u16u;
typedef uint32_t __attribute__((aligned(1), may_alias)) u32u;
typedef uint64_t __attribute__((aligned(1), may_alias)) u64u;

/* n is 1..8; the odd sizes are the parts of a page-crossing access */
static __always_inline uint64_t hld(uintptr_t p, unsigned n)
{
	uint64_t v = 0;
	unsigned k;

	switch (n) {
	case 1: return *(volatile uint8_t *)p;
	case 2: return *(volatile u16u *)p;
	case 4: return *(volatile u32u *)p;
	case 8: return *(volatile u64u *)p;
	default:
		for (k = 0; k < n; k++)
			v |= (uint64_t)((volatile uint8_t *)p)[k] << (8 * k);
		return v;
	}
}

static __always_inline void hst(uintptr_t p, unsigned n, uint64_t v)
{
	unsigned k;

	switch (n) {
	case 1: *(volatile uint8_t *)p = (uint8_t)v; break;
	case 2: *(volatile u16u *)p = (uint16_t)v; break;
	case 4: *(volatile u32u *)p = (uint32_t)v; break;
	case 8: *(volatile u64u *)p = v; break;
	default:
		for (k = 0; k < n; k++)
			((volatile uint8_t *)p)[k] = (uint8_t)(v >> (8 * k));
		break;
	}
}

extern const uint64_t iem_amask[4];

/* Effective address (offset within the segment) of the memory operand. */
static __always_inline uint64_t iem_ea(const struct iem_cpu *c, const struct iem_insn *i)
{
	return (c->gpr[i->rm] + (c->gpr[i->idx] << i->scale) + (uint64_t)(int64_t)i->disp) &
	       iem_amask[i->fl & IEM_IF_ASZ];
}

/* Slow paths (mmu.c); they may longjmp with an exception. */
uint64_t iem_rd_slow(struct iem_cpu *c, const struct iem_insn *i, unsigned seg,
		     uint64_t off, unsigned n);
void iem_wr_slow(struct iem_cpu *c, const struct iem_insn *i, unsigned seg,
		 uint64_t off, unsigned n, uint64_t v);
uintptr_t iem_map_slow(struct iem_cpu *c, const struct iem_insn *i, unsigned seg,
		       uint64_t off, unsigned n);
void iem_bounce_commit(struct iem_cpu *c);

static __always_inline uint64_t iem_rd(struct iem_cpu *c, const struct iem_insn *i, unsigned seg,
			      uint64_t off, unsigned n)
{
	const struct iem_seg *s = &c->seg[seg];
	uint64_t lin = (s->base + off) & c->lin_mask;
	const struct iem_tlbe *e = &c->dtlb[((lin + n - 1) >> 12) & IEM_TLB_MASK];

	if (likely((int64_t)(off + n - 1) <= s->lim_r && e->tag_r == (lin & ~0xfffull)))
		return hld(e->addend + lin, n);
	return iem_rd_slow(c, i, seg, off, n);
}

static __always_inline void iem_wr(struct iem_cpu *c, const struct iem_insn *i, unsigned seg,
			  uint64_t off, unsigned n, uint64_t v)
{
	const struct iem_seg *s = &c->seg[seg];
	uint64_t lin = (s->base + off) & c->lin_mask;
	const struct iem_tlbe *e = &c->dtlb[((lin + n - 1) >> 12) & IEM_TLB_MASK];

	if (likely((int64_t)(off + n - 1) <= s->lim_w && e->tag_w == (lin & ~0xfffull))) {
		hst(e->addend + lin, n, v);
		return;
	}
	iem_wr_slow(c, i, seg, off, n, v);
}

/*
 * Map an operand for read-modify-write: returns a host address valid for
 * reading and writing n bytes.  When it returns c->bounce, the caller
 * must call iem_unmap() after writing.
 */
static __always_inline uintptr_t iem_map(struct iem_cpu *c, const struct iem_insn *i, unsigned seg,
				uint64_t off, unsigned n)
{
	const struct iem_seg *s = &c->seg[seg];
	uint64_t lin = (s->base + off) & c->lin_mask;
	const struct iem_tlbe *e = &c->dtlb[((lin + n - 1) >> 12) & IEM_TLB_MASK];

	if (likely((int64_t)(off + n - 1) <= s->lim_w && e->tag_w == (lin & ~0xfffull)))
		return e->addend + lin;
	return iem_map_slow(c, i, seg, off, n);
}

static __always_inline void iem_unmap(struct iem_cpu *c, uintptr_t p)
{
	if (unlikely(p == (uintptr_t)c->bounce))
		iem_bounce_commit(c);
}

/* Stack helpers: the stack segment and pointer width follow the mode. */
static __always_inline uint64_t iem_sp(const struct iem_cpu *c)
{
	return c->gpr[R_SP] & c->ss_mask;
}

static __always_inline void iem_set_sp(struct iem_cpu *c, uint64_t sp)
{
	c->gpr[R_SP] = (c->gpr[R_SP] & ~c->ss_mask) | (sp & c->ss_mask);
}

/* ---- RIP within a block ---- */

static __always_inline uint64_t iem_ipmask(unsigned osz)
{
	return osz == 1 ? 0xffff : osz == 2 ? 0xffffffffull : ~0ull;
}

/* RIP of the instruction after i. */
static __always_inline uint64_t iem_next_rip(const struct iem_cpu *c, const struct iem_insn *i)
{
	uint64_t r = c->gpr[IEM_R_RIPBASE] + insn_off(i) + insn_len(i);

	return c->mode == 2 ? r : c->mode == 1 ? (uint32_t)r : (uint16_t)r;
}

static __always_inline uint64_t iem_cur_rip(const struct iem_cpu *c, const struct iem_insn *i)
{
	uint64_t r = c->gpr[IEM_R_RIPBASE] + insn_off(i);

	return c->mode == 2 ? r : c->mode == 1 ? (uint32_t)r : (uint16_t)r;
}

/* ---- functions of the engine's files ---- */

/* exceptions and interrupts (intr.c) */
__attribute__((noreturn)) void iem_raise(struct iem_cpu *c, int vec, uint32_t err);
__attribute__((noreturn)) void iem_raise_noerr(struct iem_cpu *c, int vec);
__attribute__((noreturn)) void iem_raise_pf(struct iem_cpu *c, uint64_t lin, uint32_t err);
__attribute__((noreturn)) void iem_exit_block(struct iem_cpu *c);
void iem_deliver(struct iem_cpu *c, int vec, int kind, uint32_t err, uint64_t next_rip);
bool iem_check_interrupts(struct iem_cpu *c);
enum { IEM_EV_EXC, IEM_EV_SOFT, IEM_EV_EXT, IEM_EV_INT3, IEM_EV_INTO, IEM_EV_ICEBP };

/* mode bookkeeping (cpu.c) */
void iem_update_mode(struct iem_cpu *c);
void iem_update_attn_mask(struct iem_cpu *c);
void iem_set_rflags(struct iem_cpu *c, uint64_t f, uint64_t changeable);
void iem_cpu_init_state(struct iem_cpu *c);
uint64_t iem_now_ns(struct iem_machine *m);
uint64_t iem_tsc(struct iem_cpu *c);
void iem_wait(struct iem_cpu *c, uint64_t deadline_ns);
void iem_kick_self(struct iem_cpu *c, uint32_t bits);

/* mmu.c */
enum { IEM_ACC_R = 0, IEM_ACC_W = 1, IEM_ACC_X = 2 };
#define IEM_ACC_SYS 0x10        /* implicit supervisor access */
bool iem_translate(struct iem_cpu *c, uint64_t lin, unsigned acc, uint64_t *gpa,
		   uint32_t *pferr);
void iem_tlb_flush(struct iem_cpu *c, bool global);
void iem_tlb_flush_page(struct iem_cpu *c, uint64_t lin);
void iem_tlb_drop_phys(struct iem_cpu *c, uint64_t page);
uint64_t iem_lin_rd(struct iem_cpu *c, uint64_t lin, unsigned n, unsigned acc);
void iem_lin_wr(struct iem_cpu *c, uint64_t lin, unsigned n, uint64_t v, unsigned acc);
uint64_t iem_phys_rd(struct iem_cpu *c, uint64_t gpa, unsigned n);
void iem_phys_wr(struct iem_cpu *c, uint64_t gpa, unsigned n, uint64_t v);
uint8_t *iem_phys_host(struct iem_cpu *c, uint64_t gpa, bool write);
uint64_t iem_seg_check(struct iem_cpu *c, unsigned seg, uint64_t off, unsigned n, bool write);
void iem_fetch_itlb(struct iem_cpu *c, uint64_t lin, struct iem_itlbe **out);
void iem_mem_read(struct iem_cpu *c, unsigned seg, uint64_t off, void *buf, unsigned n);
void iem_mem_write(struct iem_cpu *c, unsigned seg, uint64_t off, const void *buf, unsigned n);
void iem_mem_probe_w(struct iem_cpu *c, unsigned seg, uint64_t off, unsigned n);
uintptr_t iem_lin_host(struct iem_cpu *c, uint64_t lin, unsigned n, bool write);
void iem_code_written(struct iem_machine *m, struct iem_cpu *self, uint64_t gpa, unsigned n);
uint64_t iem_codemask_get(struct iem_machine *m, uint64_t page);
void iem_codemask_or(struct iem_machine *m, struct iem_cpu *c, uint64_t page, uint64_t bits);
void iem_codemask_clear(struct iem_machine *m, uint64_t page, uint64_t bits);

/* block cache (cache.c) */
int iem_cache_init(struct iem_cpu *c);
void iem_cache_free(struct iem_cpu *c);
struct iem_block *iem_block_lookup(struct iem_cpu *c);
struct iem_block *iem_block_single(struct iem_cpu *c);
void iem_cache_flush(struct iem_cpu *c);
void iem_invalidate_range(struct iem_cpu *c, uint64_t gpa, unsigned n);
uint64_t iem_page_code_bits(struct iem_cpu *c, uint64_t page);
void iem_process_requests(struct iem_cpu *c);
void iem_gen_bump(struct iem_cpu *c);
void *iem_stub_alloc(struct iem_cpu *c, size_t n);
void *iem_stub_lookup(struct iem_cpu *c, uint64_t key, const uint8_t *code, size_t n);

/* decoder (decode.c) */
struct iem_decoder {
	struct iem_cpu *c;
	uint64_t lin;           /* linear address of the next byte */
	uint64_t ip;            /* offset (EIP) of the next byte */
	uint64_t blk_ip;        /* offset of the block's first instruction */
	uint8_t *host;          /* host page of the current code page */
	uint64_t page;          /* linear page of host */
	uint64_t gpa2;          /* physical page when crossing, else ~0 */
	int fault;              /* fetch failed: 1 = #PF, 2 = #GP (limit) */
	uint32_t pferr;
	uint64_t fault_lin;
};
/*
 * Decode one instruction at d->lin into out[0] (and out[1]); returns its
 * length, or 0 when the record raises an exception (#UD, #GP, fetch
 * fault); IEM_DEC_TWO is set when two records were written.
 */
#define IEM_DEC_TWO 0x100
#define IEM_DEC_END 0x200     /* the instruction ends its block */
unsigned iem_decode(struct iem_decoder *d, unsigned mode, struct iem_insn *out);
extern const void **iem_labels;         /* label of every op, set by exec.c */
/* pseudo records: raise #UD, #GP(0), a fetch fault, execution from MMIO;
 * compute a far RIP-relative address; end of block without a branch */
enum { IEM_SP_UD, IEM_SP_GP0, IEM_SP_FETCH, IEM_SP_NOTRAM, IEM_SP_SETBASE, IEM_SP_EOB,
       IEM_SP_COUNT };
extern const void *iem_special_labels[IEM_SP_COUNT];

/* jit.c */
void iem_jit_compile(struct iem_cpu *c, struct iem_block *b);
void iem_jit_flush(struct iem_cpu *c);
void iem_jit_link(struct iem_cpu *c, struct iem_block *from, unsigned k, struct iem_block *to);
void iem_jit_unlink_to(struct iem_cpu *c, struct iem_block *to);

/* exec.c */
void iem_exec(struct iem_cpu *c);
void iem_exec_init(void);

/* segments and far transfers (seg.c) */
void iem_load_seg(struct iem_cpu *c, unsigned seg, uint16_t sel);
void iem_load_seg_real(struct iem_cpu *c, unsigned seg, uint16_t sel);
void iem_seg_refresh(struct iem_cpu *c);
void iem_seg_set_cache(struct iem_cpu *c, unsigned seg, uint16_t sel, uint64_t base,
		       uint32_t limit, uint32_t attr);
bool iem_read_desc(struct iem_cpu *c, uint16_t sel, uint64_t *lo, uint64_t *hi);
void iem_far_jmp(struct iem_cpu *c, const struct iem_insn *i, uint16_t sel, uint64_t off);
void iem_far_call(struct iem_cpu *c, const struct iem_insn *i, uint16_t sel, uint64_t off,
		  unsigned osz);
void iem_far_ret(struct iem_cpu *c, const struct iem_insn *i, unsigned osz, uint16_t pop);
void iem_iret(struct iem_cpu *c, const struct iem_insn *i, unsigned osz);
uint32_t iem_desc_attr(uint64_t lo);
uint32_t iem_desc_limit(uint64_t lo);
uint64_t iem_desc_base(uint64_t lo);
void iem_task_switch(struct iem_cpu *c, uint16_t sel, int reason, uint64_t next_rip,
		     int has_err, uint32_t err);
uint16_t iem_tss_io_check(struct iem_cpu *c, uint16_t port, unsigned n);

/* stack (used by several files) */
void iem_push(struct iem_cpu *c, const struct iem_insn *i, unsigned n, uint64_t v);
uint64_t iem_pop(struct iem_cpu *c, const struct iem_insn *i, unsigned n);

/* system registers, MSRs, CPUID (system.c, cpuid.c) */
int iem_set_cr0(struct iem_cpu *c, uint64_t v);
int iem_set_cr3(struct iem_cpu *c, uint64_t v);
int iem_set_cr4(struct iem_cpu *c, uint64_t v);
int iem_rdmsr(struct iem_cpu *c, uint32_t msr, uint64_t *v);
int iem_wrmsr(struct iem_cpu *c, uint32_t msr, uint64_t v);
void iem_cpuid(struct iem_cpu *c, uint32_t leaf, uint32_t sub, uint32_t r[4]);
bool iem_has_nx(const struct iem_cpu *c);

/* FPU / SSE (fpu.c, sse.c) */
void iem_fpu_reset(struct iem_cpu *c);
void iem_fpu_check(struct iem_cpu *c, bool wait);
void iem_sse_check(struct iem_cpu *c);

/* I/O helpers (io.c) */
uint32_t iem_in(struct iem_cpu *c, uint16_t port, unsigned n);
void iem_out(struct iem_cpu *c, uint16_t port, unsigned n, uint32_t v);
void iem_io_check(struct iem_cpu *c, uint16_t port, unsigned n);

#endif
