/*
 * Memory management of the iem engine: segment checks, paging, the
 * software TLBs and the slow paths behind the inline accessors.
 *
 * Specification: Intel SDM vol. 3 chapter 3 (segmentation: limits,
 * expand-down segments, type checks, #GP/#SS), chapter 4 (32-bit, PAE and
 * 4-level paging, PSE/PSE-36 large pages, global pages, A/D bits,
 * CR0.WP, EFER.NXE, reserved-bit faults, page-fault error codes), AMD APM
 * vol. 2 chapter 5.  Limits: no SMEP/SMAP/PKU/PCID/LA57 (not advertised),
 * no 1 GiB pages, PAE PDPTEs are read at walk time instead of being cached
 * at CR3 load, A20 masking applies to the final physical address only,
 * alignment checking (EFLAGS.AC) is not implemented.
 *
 * TLBs: per vCPU, direct mapped, one set for CPL 0-2 and one for CPL 3,
 * data and code separately.  A data entry has a read tag, a write tag and
 * a host addend; the write tag is only set for RAM pages that are dirty,
 * writable and hold no decoded code, so any write that needs attention
 * reaches iem_lin_wr().  MMIO and ROM translations live in a small
 * separate cache and never hit the fast path.
 */
#include <stdlib.h>

#include "lib/vmm/iem/iem-int.h"

#define INFO_GLOBAL 1ull
#define INFO_WOK    2ull        /* write allowed and page dirty */
#define INFO_LARGE  4ull        /* from a 2/4 MiB page */

/* ---- guest-physical pages ---- */

uint8_t *iem_phys_host(struct iem_cpu *c, uint64_t gpa, bool write)
{
	struct iem_machine *m = c->m;
	bool rom = false;
	uint8_t *h;

	h = m->ops.page(m->ops.opaque, gpa & ~0xfffull, &rom);
	if (!h || (write && rom))
		return NULL;
	return h + (gpa & 0xfff);
}

static bool is_lapic_page(struct iem_cpu *c, uint64_t gpa)
{
	return iem_lapic_mmio_enabled(c) &&
	       (gpa & ~0xfffull) == (c->lapic.apic_base & 0xffffff000ull);
}

static uint64_t mmio_rd(struct iem_cpu *c, uint64_t gpa, unsigned n)
{
	struct iem_machine *m = c->m;

	if (is_lapic_page(c, gpa)) {
		uint32_t v = iem_lapic_read(c, gpa & 0xff0);

		return (v >> ((gpa & 3) * 8)) & zmask(n * 8 > 32 ? 32 : n * 8);
	}
	if (!m->ops.mmio_read)
		return zmask(n * 8);
	return m->ops.mmio_read(m->ops.opaque, c->index, gpa, n) & zmask(n * 8);
}

static void mmio_wr(struct iem_cpu *c, uint64_t gpa, unsigned n, uint64_t v)
{
	struct iem_machine *m = c->m;

	if (is_lapic_page(c, gpa)) {
		if ((gpa & 0xf) == 0 && n >= 4)
			iem_lapic_write(c, gpa & 0xff0, (uint32_t)v);
		return;
	}
	if (m->ops.mmio_write)
		m->ops.mmio_write(m->ops.opaque, c->index, gpa, n, v & zmask(n * 8));
}

uint64_t iem_phys_rd(struct iem_cpu *c, uint64_t gpa, unsigned n)
{
	uint8_t *h = iem_phys_host(c, gpa, false);

	if (h && (gpa & 0xfff) + n <= 0x1000 && !is_lapic_page(c, gpa))
		return hld((uintptr_t)h, n);
	return mmio_rd(c, gpa, n);
}

void iem_phys_wr(struct iem_cpu *c, uint64_t gpa, unsigned n, uint64_t v)
{
	uint8_t *h = iem_phys_host(c, gpa, true);

	if (h && (gpa & 0xfff) + n <= 0x1000 && !is_lapic_page(c, gpa)) {
		iem_code_written(c->m, c, gpa, n);
		hst((uintptr_t)h, n, v);
		return;
	}
	mmio_wr(c, gpa, n, v);
}

/* Atomically set bits in a paging-structure entry. */
static void pte_set(struct iem_cpu *c, uint64_t gpa, unsigned n, uint64_t bits)
{
	uint8_t *h = iem_phys_host(c, gpa, true);

	if (!h || ((uintptr_t)h & (n - 1)))
		return;
	iem_code_written(c->m, c, gpa, n);
	if (n == 8)
		__atomic_fetch_or((uint64_t *)(void *)h, bits, __ATOMIC_SEQ_CST);
	else
		__atomic_fetch_or((uint32_t *)(void *)h, (uint32_t)bits, __ATOMIC_SEQ_CST);
}

/* ---- code masks: which 64-byte chunks of a page hold decoded code ---- */

static _Atomic uint64_t *codemask_slot(struct iem_machine *m, uint64_t page, bool create)
{
	uint64_t top = page >> 30;
	uint64_t *leaf;

	if (top >= 1024)
		return NULL;
	leaf = atomic_load_explicit(&m->codemask[top], memory_order_acquire);
	if (!leaf) {
		uint64_t *expected = NULL;

		if (!create)
			return NULL;
		leaf = calloc(1u << 18, sizeof(uint64_t));
		if (!leaf)
			return NULL;
		if (!atomic_compare_exchange_strong(&m->codemask[top], &expected, leaf)) {
			free(leaf);
			leaf = expected;
		}
	}
	return (_Atomic uint64_t *)&leaf[(page >> 12) & ((1u << 18) - 1)];
}

uint64_t iem_codemask_get(struct iem_machine *m, uint64_t page)
{
	_Atomic uint64_t *s = codemask_slot(m, page, false);

	return s ? atomic_load_explicit(s, memory_order_relaxed) : 0;
}

static void post_request(struct iem_cpu *t, uint64_t entry)
{
	pthread_mutex_lock(&t->reqlock);
	if (t->ninvq < IEM_INVQ)
		t->invq[t->ninvq++] = entry;
	else
		t->inv_all = true;
	pthread_mutex_unlock(&t->reqlock);
	iem_kick_self(t, IEM_ATTN_FLUSH);
}

void iem_codemask_or(struct iem_machine *m, struct iem_cpu *c, uint64_t page, uint64_t bits)
{
	_Atomic uint64_t *s = codemask_slot(m, page, true);
	uint64_t old;
	unsigned k;

	if (!s)
		return;
	old = atomic_fetch_or(s, bits);
	if (old)
		return;
	/* the page just became a code page: its writes must be seen */
	iem_tlb_drop_phys(c, page);
	for (k = 0; k < m->ncpus; k++)
		if (m->cpus[k] != c)
			post_request(m->cpus[k], page);
}

void iem_codemask_clear(struct iem_machine *m, uint64_t page, uint64_t bits)
{
	_Atomic uint64_t *s = codemask_slot(m, page, false);

	if (s)
		atomic_fetch_and(s, ~bits);
}

static uint64_t chunk_mask(unsigned off, unsigned n)
{
	unsigned a = off >> 6, z = (off + n - 1) >> 6;

	if (z > 63)
		z = 63;
	if (z - a == 63)
		return ~0ull;
	return ((1ull << (z - a + 1)) - 1) << a;
}

static bool block_overlaps(const struct iem_block *b, uint64_t gpa, unsigned n)
{
	uint64_t start = b->gpa, end = b->gpa + (b->bytes ? b->bytes : 1);
	uint64_t first_end = (start | 0xfff) + 1;

	if (end <= first_end)
		return gpa < end && gpa + n > start;
	if (gpa < first_end && gpa + n > start)
		return true;
	return b->gpa2 != ~0ull && gpa < b->gpa2 + (end - first_end) && gpa + n > b->gpa2;
}

/*
 * Guest memory at gpa is about to be written (by self, a vCPU, or by DMA
 * when self is NULL).  Drop decoded code there.  If the write hits the
 * block self is executing, do not write: restart the instruction as a
 * one-instruction block (it then writes and the block is gone).
 */
void iem_code_written(struct iem_machine *m, struct iem_cpu *self, uint64_t gpa, unsigned n)
{
	uint64_t page = gpa & ~0xfffull;
	unsigned off = gpa & 0xfff, k;
	uint64_t mask, bits;

	if (off + n > 0x1000) {
		iem_code_written(m, self, gpa, 0x1000 - off);
		iem_code_written(m, self, page + 0x1000, off + n - 0x1000);
		return;
	}
	mask = iem_codemask_get(m, page);
	if (likely(!mask))
		return;
	bits = chunk_mask(off, n);
	if (!(mask & bits))
		return;
	if (self && self->curblk && !self->curblk->single && self->cur &&
	    block_overlaps(self->curblk, gpa, n)) {
		self->restart_single = true;
		iem_exit_block(self);
	}
	iem_codemask_clear(m, page, bits);
	if (self) {
		uint64_t keep;

		iem_invalidate_range(self, gpa, n);
		/* blocks in the same chunks that the write did not touch stay */
		keep = iem_page_code_bits(self, page) & bits;
		if (keep)
			iem_codemask_or(m, self, page, keep);
	}
	for (k = 0; k < m->ncpus; k++)
		if (m->cpus[k] != self)
			post_request(m->cpus[k], page | 1);
}

/* ---- segmentation ---- */

__attribute__((noreturn)) static void seg_fault(struct iem_cpu *c, unsigned seg)
{
	iem_raise(c, seg == S_SS || seg == S_FLATSTK ? X_SS : X_GP, 0);
}

/* Check an access of n bytes at off in seg; return the linear address. */
uint64_t iem_seg_check(struct iem_cpu *c, unsigned seg, uint64_t off, unsigned n, bool write)
{
	const struct iem_seg *s = &c->seg[seg];
	uint64_t lin;

	if (c->mode == 2 || seg >= S_FLAT) {
		lin = (s->base + off) & c->lin_mask;
		if (c->mode == 2) {
			uint64_t last = lin + n - 1;

			if ((uint64_t)((int64_t)(lin << 16) >> 16) != lin ||
			    (uint64_t)((int64_t)(last << 16) >> 16) != last)
				seg_fault(c, seg);
		}
		return lin;
	}
	if (c->cr0 & CR0_PE && !(c->eflags & F_VM)) {
		unsigned type = IEM_SEG_TYPE(s->attr);

		if ((s->attr & IEM_SEG_UNUSABLE) || !(s->attr & IEM_SEG_P))
			seg_fault(c, seg);
		if (write && ((type & 8) || !(type & 2)))
			seg_fault(c, seg);
		if (!write && (type & 0xa) == 8)
			seg_fault(c, seg);
		if ((type & 0xc) == 4) {
			/* expand-down data segment */
			uint64_t upper = (s->attr & IEM_SEG_DB) ? 0xffffffffull : 0xffff;

			if (off <= s->limit || off + n - 1 > upper)
				seg_fault(c, seg);
			return (s->base + off) & 0xffffffffull;
		}
	}
	if (off + n - 1 > s->limit)
		seg_fault(c, seg);
	return (s->base + off) & 0xffffffffull;
}

/* ---- paging ---- */

struct walk {
	uint64_t gpa;           /* physical address of the byte */
	bool writable, user, global, large;
};

/* one paging-structure entry read during a walk */
struct wentry {
	uint64_t addr, val;
	unsigned size;
};

static bool walk(struct iem_cpu *c, uint64_t lin, unsigned acc, struct walk *w, uint32_t *pferr)
{
	bool user = c->cpl == 3 && !(acc & IEM_ACC_SYS);
	bool write = (acc & 3) == IEM_ACC_W;
	bool fetch = (acc & 3) == IEM_ACC_X;
	bool nxe = (c->efer & EFER_NXE) != 0;
	uint32_t err = (write ? PFE_W : 0) | (user ? PFE_U : 0) | (fetch && nxe ? PFE_I : 0);
	uint64_t rsvd_hi = (~0ull << c->m->maxphys) & 0x000fffffffffffffull;
	struct wentry ent[5];
	unsigned n = 0, k;
	bool rw = true, us = true, nx = false, global;
	uint64_t e, pa, page_mask = 0xfff;

	if (!(c->cr0 & CR0_PG)) {
		w->gpa = lin & (c->efer & EFER_LMA ? ~0ull : 0xffffffffull);
		w->writable = w->user = true;
		w->global = false;
		w->large = false;
		return true;
	}
	if (!nxe)
		rsvd_hi |= 1ull << 63;
	if (c->cr4 & CR4_PAE) {
		unsigned level;

		if (c->efer & EFER_LMA) {
			pa = c->cr3 & 0x000ffffffffff000ull;
			level = 4;
		} else {
			uint64_t a = (c->cr3 & 0xffffffe0u) + ((lin >> 30) & 3) * 8;

			e = iem_phys_rd(c, a, 8);
			if (!(e & 1))
				goto not_present;
			if (e & (rsvd_hi | 0x1e6ull | (1ull << 63)))
				goto reserved;
			pa = e & 0x000ffffffffff000ull;
			level = 2;
		}
		for (;;) {
			unsigned shift = 12 + 9 * (level - 1);
			uint64_t a = pa + ((lin >> shift) & 0x1ff) * 8;

			e = iem_phys_rd(c, a, 8);
			if (!(e & 1))
				goto not_present;
			if (e & rsvd_hi)
				goto reserved;
			if ((level == 4 || level == 3) && (e & 0x80))
				goto reserved;  /* PML4E.PS; no 1 GiB pages on this model */
			ent[n].addr = a;
			ent[n].val = e;
			ent[n++].size = 8;
			rw &= (e >> 1) & 1;
			us &= (e >> 2) & 1;
			nx |= nxe && (e >> 63);
			if (level == 2 && (e & 0x80)) {
				if (e & 0x1fe000ull)
					goto reserved;
				page_mask = 0x1fffff;
				break;
			}
			if (level == 1)
				break;
			pa = e & 0x000ffffffffff000ull;
			level--;
		}
		pa = e & 0x000ffffffffff000ull & ~page_mask;
	} else {
		uint64_t a = (c->cr3 & 0xfffff000u) + ((lin >> 22) & 0x3ff) * 4;

		e = iem_phys_rd(c, a, 4);
		if (!(e & 1))
			goto not_present;
		ent[n].addr = a;
		ent[n].val = e;
		ent[n++].size = 4;
		rw &= (e >> 1) & 1;
		us &= (e >> 2) & 1;
		if ((e & 0x80) && (c->cr4 & CR4_PSE)) {
			uint64_t hi = ((e >> 13) & 0xff) << 32;

			if ((e & 0x200000) || (hi >> c->m->maxphys))
				goto reserved;
			page_mask = 0x3fffff;
			pa = (e & 0xffc00000u) | hi;
		} else {
			a = (e & 0xfffff000u) + ((lin >> 12) & 0x3ff) * 4;
			e = iem_phys_rd(c, a, 4);
			if (!(e & 1))
				goto not_present;
			ent[n].addr = a;
			ent[n].val = e;
			ent[n++].size = 4;
			rw &= (e >> 1) & 1;
			us &= (e >> 2) & 1;
			pa = e & 0xfffff000u;
		}
	}
	global = (e & 0x100) && (c->cr4 & CR4_PGE);
	if (user && !us)
		goto protection;
	if (write && !rw && (user || (c->cr0 & CR0_WP)))
		goto protection;
	if (fetch && nx)
		goto protection;
	for (k = 0; k < n; k++) {
		uint64_t bits = 0x20;

		if (k == n - 1 && write)
			bits |= 0x40;
		if ((ent[k].val & bits) != bits)
			pte_set(c, ent[k].addr, ent[k].size, bits);
	}
	w->gpa = pa | (lin & page_mask);
	w->writable = (rw || (!user && !(c->cr0 & CR0_WP))) && (write || (e & 0x40));
	w->user = us;
	w->global = global;
	w->large = page_mask != 0xfff;
	*pferr = 0;
	return true;

not_present:
	*pferr = err;
	return false;
reserved:
	*pferr = err | PFE_P | PFE_RSVD;
	return false;
protection:
	*pferr = err | PFE_P;
	return false;
}

static uint64_t a20(struct iem_cpu *c, uint64_t gpa)
{
	return atomic_load_explicit(&c->m->a20, memory_order_relaxed) ? gpa : gpa & ~(1ull << 20);
}

bool iem_translate(struct iem_cpu *c, uint64_t lin, unsigned acc, uint64_t *gpa, uint32_t *pferr)
{
	struct walk w;

	if (!walk(c, lin, acc, &w, pferr))
		return false;
	*gpa = a20(c, w.gpa);
	return true;
}

/* ---- TLB ---- */

static void note_large(struct iem_cpu *c, uint64_t lin)
{
	unsigned k;

	if (c->nlarge > IEM_NLARGE)
		return;
	for (k = 0; k < c->nlarge; k++)
		if (c->large[k] == (lin & ~0x3fffffull))
			return;
	if (c->nlarge == IEM_NLARGE) {
		c->nlarge++;    /* overflow: INVLPG scans everything */
		return;
	}
	c->large[c->nlarge++] = lin & ~0x3fffffull;
}

/* MMIO and ROM translations: small cache, never on the fast path */
static bool io_lookup(struct iem_cpu *c, uint64_t lin, bool user, bool write, uint64_t *gpa)
{
	struct iem_iotlbe *e = &c->iotlb[(lin >> 12) & (IEM_IOTLB - 1)];

	if (e->tag == ((lin & ~0xfffull) | user) && (!write || e->wok)) {
		*gpa = e->gpa | (lin & 0xfff);
		return true;
	}
	return false;
}

/*
 * Translate lin for an access: the host address of the byte, or 0 when it
 * is not RAM (or a write to ROM), with *gpa set.  Fills the TLBs and
 * raises #PF.
 */
static uintptr_t xlate(struct iem_cpu *c, uint64_t lin, unsigned acc, uint64_t *gpa)
{
	bool user = c->cpl == 3 && !(acc & IEM_ACC_SYS);
	bool write = (acc & 3) == IEM_ACC_W;
	struct iem_tlbe *e = &c->tlb[user][(lin >> 12) & IEM_TLB_MASK];
	uint64_t page = lin & ~0xfffull;
	struct walk w;
	uint32_t err;
	uint8_t *host;
	bool rom = false;

	if (e->tag_r == page && (!write || (e->info & INFO_WOK))) {
		*gpa = (e->info & ~0xfffull) | (lin & 0xfff);
		return e->addend + lin;
	}
	if (io_lookup(c, lin, user, write, gpa))
		return 0;
	if (!walk(c, lin, acc, &w, &err))
		iem_raise_pf(c, lin, err);
	*gpa = a20(c, w.gpa);
	if (w.large)
		note_large(c, lin);
	host = is_lapic_page(c, *gpa) ? NULL
	       : c->m->ops.page(c->m->ops.opaque, *gpa & ~0xfffull, &rom);
	if (!host || rom) {
		struct iem_iotlbe *io = &c->iotlb[(lin >> 12) & (IEM_IOTLB - 1)];

		io->tag = page | user;
		io->gpa = *gpa & ~0xfffull;
		io->wok = w.writable;
		if (host && !write) {
			/* ROM reads can use the fast path */
			e->tag_r = page;
			e->tag_w = IEM_TLB_NONE;
			e->addend = (uintptr_t)host - page;
			e->info = (*gpa & ~0xfffull) | (w.global ? INFO_GLOBAL : 0) |
				  (w.large ? INFO_LARGE : 0);
			return (uintptr_t)host + (lin & 0xfff);
		}
		return 0;
	}
	e->tag_r = page;
	e->addend = (uintptr_t)host - page;
	e->info = (*gpa & ~0xfffull) | (w.global ? INFO_GLOBAL : 0) |
		  (w.writable ? INFO_WOK : 0) | (w.large ? INFO_LARGE : 0);
	e->tag_w = w.writable && !iem_codemask_get(c->m, *gpa & ~0xfffull) ? page : IEM_TLB_NONE;
	return (uintptr_t)host + (lin & 0xfff);
}

void iem_fetch_itlb(struct iem_cpu *c, uint64_t lin, struct iem_itlbe **out)
{
	bool user = c->cpl == 3;
	struct iem_itlbe *e = &c->itlb[user][(lin >> 12) & IEM_TLB_MASK];
	uint64_t page = lin & ~0xfffull;
	struct walk w;
	uint32_t err;
	uint64_t gpa;

	if (e->tag == page) {
		*out = e;
		return;
	}
	if (c->mode == 2 && (uint64_t)((int64_t)(lin << 16) >> 16) != lin) {
		c->cur = NULL;
		iem_raise(c, X_GP, 0);
	}
	if (!walk(c, lin, IEM_ACC_X, &w, &err)) {
		c->cur = NULL;
		iem_raise_pf(c, lin, err);
	}
	gpa = a20(c, w.gpa);
	if (w.large)
		note_large(c, lin);
	e->tag = page;
	e->gpa = gpa & ~0xfffull;
	e->host = is_lapic_page(c, gpa) ? NULL : iem_phys_host(c, gpa & ~0xfffull, false);
	e->global = w.global;
	*out = e;
}

void iem_tlb_flush(struct iem_cpu *c, bool global)
{
	unsigned s, k;
	bool code = false;

	for (s = 0; s < 2; s++) {
		for (k = 0; k < IEM_TLB_SIZE; k++) {
			struct iem_tlbe *e = &c->tlb[s][k];
			struct iem_itlbe *x = &c->itlb[s][k];

			if (e->tag_r != IEM_TLB_NONE && (global || !(e->info & INFO_GLOBAL))) {
				e->tag_r = IEM_TLB_NONE;
				e->tag_w = IEM_TLB_NONE;
			}
			if (x->tag != IEM_TLB_NONE && (global || !x->global)) {
				x->tag = IEM_TLB_NONE;
				code = true;
			}
		}
	}
	for (k = 0; k < IEM_IOTLB; k++)
		c->iotlb[k].tag = IEM_TLB_NONE;
	if (global)
		c->nlarge = 0;
	if (code)
		iem_gen_bump(c);
	c->stats.tlb_flushes++;
}

void iem_tlb_flush_page(struct iem_cpu *c, uint64_t lin)
{
	uint64_t page = lin & ~0xfffull;
	unsigned s, k, idx = (lin >> 12) & IEM_TLB_MASK;
	bool code = false, scan = false;

	for (k = 0; k < c->nlarge && !scan; k++)
		if (k >= IEM_NLARGE || c->large[k] == (lin & ~0x3fffffull))
			scan = true;
	for (s = 0; s < 2; s++) {
		if (c->tlb[s][idx].tag_r == page) {
			c->tlb[s][idx].tag_r = IEM_TLB_NONE;
			c->tlb[s][idx].tag_w = IEM_TLB_NONE;
		}
		if (c->itlb[s][idx].tag == page) {
			c->itlb[s][idx].tag = IEM_TLB_NONE;
			code = true;
		}
		if (!scan)
			continue;
		for (k = 0; k < IEM_TLB_SIZE; k++) {
			struct iem_tlbe *e = &c->tlb[s][k];
			struct iem_itlbe *x = &c->itlb[s][k];

			if (e->tag_r != IEM_TLB_NONE && (e->info & INFO_LARGE) &&
			    (e->tag_r & ~0x3fffffull) == (lin & ~0x3fffffull)) {
				e->tag_r = IEM_TLB_NONE;
				e->tag_w = IEM_TLB_NONE;
			}
			if (x->tag != IEM_TLB_NONE &&
			    (x->tag & ~0x3fffffull) == (lin & ~0x3fffffull)) {
				x->tag = IEM_TLB_NONE;
				code = true;
			}
		}
	}
	c->iotlb[(lin >> 12) & (IEM_IOTLB - 1)].tag = IEM_TLB_NONE;
	if (code)
		iem_gen_bump(c);
}

/* Remove the fast write tag of every entry mapping physical page. */
void iem_tlb_drop_phys(struct iem_cpu *c, uint64_t page)
{
	unsigned s, k;

	for (s = 0; s < 2; s++)
		for (k = 0; k < IEM_TLB_SIZE; k++)
			if (c->tlb[s][k].tag_w != IEM_TLB_NONE &&
			    (c->tlb[s][k].info & ~0xfffull) == page)
				c->tlb[s][k].tag_w = IEM_TLB_NONE;
}

/* ---- linear accesses ---- */

uint64_t iem_lin_rd(struct iem_cpu *c, uint64_t lin, unsigned n, unsigned acc)
{
	uint64_t gpa, v = 0;
	uintptr_t h;
	unsigned k;

	if ((lin & 0xfff) + n <= 0x1000) {
		h = xlate(c, lin, (acc & ~3u) | IEM_ACC_R, &gpa);
		if (h)
			return hld(h, n);
		return mmio_rd(c, gpa, n);
	}
	for (k = 0; k < n; k++)
		v |= iem_lin_rd(c, (lin + k) & c->lin_mask, 1, acc) << (8 * k);
	return v;
}

static void wr_one_page(struct iem_cpu *c, uint64_t lin, unsigned n, uint64_t v, unsigned acc)
{
	uint64_t gpa;
	uintptr_t h = xlate(c, lin, (acc & ~3u) | IEM_ACC_W, &gpa);

	if (h) {
		iem_code_written(c->m, c, gpa, n);
		hst(h, n, v);
	} else {
		mmio_wr(c, gpa, n, v);
	}
}

void iem_lin_wr(struct iem_cpu *c, uint64_t lin, unsigned n, uint64_t v, unsigned acc)
{
	unsigned first = 0x1000 - (lin & 0xfff);
	uint64_t gpa;

	if (n <= first) {
		wr_one_page(c, lin, n, v, acc);
		return;
	}
	/* both pages must be writable before either is written */
	xlate(c, lin, (acc & ~3u) | IEM_ACC_W, &gpa);
	xlate(c, (lin + first) & c->lin_mask, (acc & ~3u) | IEM_ACC_W, &gpa);
	wr_one_page(c, lin, first, v & zmask(first * 8), acc);
	wr_one_page(c, (lin + first) & c->lin_mask, n - first, v >> (first * 8), acc);
}

uintptr_t iem_lin_host(struct iem_cpu *c, uint64_t lin, unsigned n, bool write)
{
	uint64_t gpa;
	uintptr_t h;

	if ((lin & 0xfff) + n > 0x1000)
		return 0;
	h = xlate(c, lin, write ? IEM_ACC_W : IEM_ACC_R, &gpa);
	if (h && write)
		iem_code_written(c->m, c, gpa, n);
	return h;
}

/* ---- slow paths of the inline accessors ---- */

uint64_t iem_rd_slow(struct iem_cpu *c, const struct iem_insn *i, unsigned seg,
		     uint64_t off, unsigned n)
{
	uint64_t lin;

	c->cur = i;
	lin = iem_seg_check(c, seg, off, n, false);
	return iem_lin_rd(c, lin, n, IEM_ACC_R);
}

void iem_wr_slow(struct iem_cpu *c, const struct iem_insn *i, unsigned seg,
		 uint64_t off, unsigned n, uint64_t v)
{
	uint64_t lin;

	c->cur = i;
	lin = iem_seg_check(c, seg, off, n, true);
	iem_lin_wr(c, lin, n, v, IEM_ACC_W);
}

uintptr_t iem_map_slow(struct iem_cpu *c, const struct iem_insn *i, unsigned seg,
		       uint64_t off, unsigned n)
{
	uint64_t lin, gpa;
	uintptr_t h;

	c->cur = i;
	lin = iem_seg_check(c, seg, off, n, true);
	if ((lin & 0xfff) + n <= 0x1000) {
		h = xlate(c, lin, IEM_ACC_W, &gpa);
		if (h) {
			iem_code_written(c->m, c, gpa, n);
			return h;
		}
	} else {
		unsigned first = 0x1000 - (lin & 0xfff);

		xlate(c, lin, IEM_ACC_W, &gpa);
		xlate(c, (lin + first) & c->lin_mask, IEM_ACC_W, &gpa);
	}
	/* MMIO, ROM or page crossing: read into the bounce buffer */
	memset(c->bounce, 0, sizeof(c->bounce));
	hst((uintptr_t)c->bounce, n, iem_lin_rd(c, lin, n, IEM_ACC_R));
	c->bounce_lin = lin;
	c->bounce_size = n;
	return (uintptr_t)c->bounce;
}

void iem_bounce_commit(struct iem_cpu *c)
{
	iem_lin_wr(c, c->bounce_lin, c->bounce_size, hld((uintptr_t)c->bounce, c->bounce_size),
		   IEM_ACC_W);
}

/* Buffers of any length (descriptor tables, FXSAVE areas, ...). */
void iem_mem_read(struct iem_cpu *c, unsigned seg, uint64_t off, void *buf, unsigned n)
{
	uint64_t lin = iem_seg_check(c, seg, off, n, false);
	uint8_t *p = buf;
	unsigned k = 0;

	while (k < n) {
		unsigned chunk = n - k >= 8 ? 8 : n - k;
		uint64_t v = iem_lin_rd(c, (lin + k) & c->lin_mask, chunk, IEM_ACC_R);

		memcpy(p + k, &v, chunk);
		k += chunk;
	}
}

void iem_mem_probe_w(struct iem_cpu *c, unsigned seg, uint64_t off, unsigned n)
{
	uint64_t lin = iem_seg_check(c, seg, off, n, true), gpa;
	uint64_t a;

	for (a = lin & ~0xfffull; a <= ((lin + n - 1) & ~0xfffull); a += 0x1000) {
		xlate(c, a < lin ? lin : a, IEM_ACC_W, &gpa);
		if (a + 0x1000 < a)
			break;
	}
}

void iem_mem_write(struct iem_cpu *c, unsigned seg, uint64_t off, const void *buf, unsigned n)
{
	uint64_t lin;
	const uint8_t *p = buf;
	unsigned k = 0;

	iem_mem_probe_w(c, seg, off, n);
	lin = iem_seg_check(c, seg, off, n, true);
	while (k < n) {
		unsigned chunk = n - k >= 8 ? 8 : n - k;
		uint64_t v = 0;

		memcpy(&v, p + k, chunk);
		iem_lin_wr(c, (lin + k) & c->lin_mask, chunk, v, IEM_ACC_W);
		k += chunk;
	}
}

int iem_cpu_read_virt(struct iem_cpu *c, uint64_t lin, void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t k = 0;

	while (k < len) {
		uint64_t gpa;
		uint32_t err;
		uint64_t a = lin + k;
		size_t chunk = 0x1000 - (a & 0xfff);
		uint8_t *h;

		if (chunk > len - k)
			chunk = len - k;
		if (!iem_translate(c, a, IEM_ACC_R | IEM_ACC_SYS, &gpa, &err))
			return -14;
		h = iem_phys_host(c, gpa, false);
		if (!h)
			return -14;
		memcpy(p + k, h, chunk);
		k += chunk;
	}
	return 0;
}
