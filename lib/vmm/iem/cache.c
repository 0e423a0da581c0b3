/*
 * Decoded-block cache of the iem engine (softcpu.md 3.3).
 *
 * Blocks are keyed by the guest-physical address of their first byte and
 * the decode mode (16/32/64-bit code), so every virtual alias of a page and
 * every CR3 shares them.  A block ends at a branch or other block-ending
 * instruction, at the end of its 4 KiB page (an instruction that straddles
 * the boundary is the last one and the block remembers the second page) or
 * after IEM_MAX_REC records.  Records live in one arena per vCPU; when it is
 * full everything is dropped at once (no LRU), which also breaks every
 * chain link because links and the jump cache are tagged with a generation
 * number.
 *
 * Write detection: the machine keeps, per physical page, a mask of 64-byte
 * chunks holding decoded code.  TLB entries of such pages have no fast write
 * tag, so writes there reach mmu.c, which calls iem_invalidate_range().
 * Other vCPUs and DMA post requests that are handled at block boundaries.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/types.h>

#include "lib/vmm/iem/iem-int.h"
#include "iem-gen.h"

#define ARENA_SIZE (96u << 20)
#define STUBS_SIZE (4u << 20)
#define BLOCK_BYTES (sizeof(struct iem_block) + (IEM_MAX_REC + 3) * sizeof(struct iem_insn))


int iem_cache_init(struct iem_cpu *c)
{
	c->arena = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (c->arena == MAP_FAILED) {
		c->arena = NULL;
		return -ENOMEM;
	}
	c->arena_size = ARENA_SIZE;
	c->stubs = mmap(NULL, STUBS_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (c->stubs == MAP_FAILED) {
		c->stubs = NULL;
		return -ENOMEM;
	}
	c->stubs_size = STUBS_SIZE;
	c->hash = calloc(1u << IEM_HASH_BITS, sizeof(*c->hash));
	c->phash = calloc(1u << IEM_PHASH_BITS, sizeof(*c->phash));
	c->jc = calloc(1u << IEM_JC_BITS, sizeof(*c->jc));
	c->tmpblk = calloc(1, BLOCK_BYTES);
	if (!c->hash || !c->phash || !c->jc || !c->tmpblk)
		return -ENOMEM;
	return 0;
}

void iem_cache_free(struct iem_cpu *c)
{
	if (c->arena)
		munmap(c->arena, c->arena_size);
	if (c->stubs)
		munmap(c->stubs, c->stubs_size);
	free(c->hash);
	free(c->phash);
	free(c->jc);
	free(c->tmpblk);
	free(c->stubtab);
	free(c->jpatch);
	if (c->jit)
		munmap(c->jit, c->jit_size);
}

void iem_gen_bump(struct iem_cpu *c)
{
	c->gen++;
	c->linktag = (c->gen << 8) | c->mode | (c->cpl == 3 ? 4u : 0u);
}

void iem_cache_flush(struct iem_cpu *c)
{
	c->arena_used = 0;
	c->jit_used = 0;
	c->njpatch = 0;
	c->jit_full = false;
	memset(c->hash, 0, (1u << IEM_HASH_BITS) * sizeof(*c->hash));
	memset(c->phash, 0, (1u << IEM_PHASH_BITS) * sizeof(*c->phash));
	iem_gen_bump(c);
	c->stats.cache_flushes++;
}

void *iem_stub_alloc(struct iem_cpu *c, size_t n)
{
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (c->stubs_used + n > c->stubs_size)
		return NULL;
	p = c->stubs + c->stubs_used;
	c->stubs_used += n;
	return p;
}

static void *arena_alloc(struct iem_cpu *c, size_t n)
{
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (c->arena_used + n > c->arena_size)
		return NULL;
	p = c->arena + c->arena_used;
	c->arena_used += n;
	return p;
}

static inline unsigned hash_key(uint64_t gpa, unsigned mode)
{
	uint64_t h = (gpa ^ (gpa >> 13) ^ ((uint64_t)mode << 7)) * 0x9e3779b97f4a7c15ull;

	return (unsigned)(h >> (64 - IEM_HASH_BITS));
}

static inline unsigned phash_key(uint64_t page)
{
	uint64_t h = (page >> 12) * 0x9e3779b97f4a7c15ull;

	return (unsigned)(h >> (64 - IEM_PHASH_BITS));
}

static struct iem_cpage *cpage_get(struct iem_cpu *c, uint64_t page, bool create)
{
	unsigned h = phash_key(page);
	struct iem_cpage *p;

	for (p = c->phash[h]; p; p = p->next)
		if (p->page == page)
			return p;
	if (!create)
		return NULL;
	p = arena_alloc(c, sizeof(*p));
	if (!p)
		return NULL;
	p->page = page;
	p->head = NULL;
	p->next = c->phash[h];
	c->phash[h] = p;
	return p;
}

static void hash_remove(struct iem_cpu *c, struct iem_block *b)
{
	struct iem_block **pp = &c->hash[hash_key(b->gpa, b->mode)];

	for (; *pp; pp = &(*pp)->hnext) {
		if (*pp == b) {
			*pp = b->hnext;
			return;
		}
	}
}

static void block_kill(struct iem_cpu *c, struct iem_block *b)
{
	if (!b->valid)
		return;
	b->valid = 0;
	hash_remove(c, b);
	if (b->jit_in)
		iem_jit_unlink_to(c, b);
	c->stats.smc_invalidations++;
}

/* Mask of the 64-byte chunks of [off, off + n) within one page. */
static uint64_t chunk_bits(unsigned off, unsigned n)
{
	unsigned a = off >> 6, z = (off + n - 1) >> 6;

	if (z > 63)
		z = 63;
	if (z - a == 63)
		return ~0ull;
	return ((1ull << (z - a + 1)) - 1) << a;
}

/* Drop every block of this vCPU overlapping [gpa, gpa + n) of one page. */
static bool invalidate_page_range(struct iem_cpu *c, uint64_t page, unsigned off, unsigned n)
{
	struct iem_cpage *p = cpage_get(c, page, false);
	struct iem_block *b, **pp;
	bool any = false;

	if (!p)
		return false;
	for (pp = &p->head; (b = *pp) != NULL;) {
		int w = b->gpa2 == page && (b->gpa & ~0xfffull) != page ? 1 : 0;
		uint64_t lo, hi;

		if (w) {
			lo = 0;
			hi = ((b->gpa & 0xfff) + b->bytes) - 0x1000;
		} else {
			lo = b->gpa & 0xfff;
			hi = lo + b->bytes;
		}
		if (b->valid && off < hi && off + n > lo) {
			block_kill(c, b);
			any = true;
		}
		if (!b->valid) {
			*pp = b->pnext[w];     /* unlink */
			continue;
		}
		pp = &b->pnext[w];
	}
	if (any)
		iem_gen_bump(c);
	return any;
}

/* Chunks of one page still covered by this vCPU's valid blocks. */
uint64_t iem_page_code_bits(struct iem_cpu *c, uint64_t page)
{
	struct iem_cpage *p = cpage_get(c, page, false);
	struct iem_block *b;
	uint64_t bits = 0;

	if (!p)
		return 0;
	for (b = p->head; b;) {
		int w = b->gpa2 == page && (b->gpa & ~0xfffull) != page ? 1 : 0;
		unsigned lo, hi;

		if (w) {
			lo = 0;
			hi = (unsigned)((b->gpa & 0xfff) + b->bytes) - 0x1000;
		} else {
			lo = b->gpa & 0xfff;
			hi = lo + (b->bytes ? b->bytes : 1);
			if (hi > 0x1000)
				hi = 0x1000;
		}
		if (b->valid && hi > lo)
			bits |= chunk_bits(lo, hi - lo);
		b = b->pnext[w];
	}
	return bits;
}

void iem_invalidate_range(struct iem_cpu *c, uint64_t gpa, unsigned n)
{
	uint64_t page = gpa & ~0xfffull;
	unsigned off = gpa & 0xfff;

	if (off + n > 0x1000) {
		unsigned first = 0x1000 - off;

		invalidate_page_range(c, page, off, first);
		invalidate_page_range(c, page + 0x1000, 0, n - first);
	} else {
		invalidate_page_range(c, page, off, n);
	}
}

/* Handle requests from other threads (code changes, TLB flushes). */
void iem_process_requests(struct iem_cpu *c)
{
	uint64_t q[IEM_INVQ];
	unsigned n, k;
	bool all, tlb;

	pthread_mutex_lock(&c->reqlock);
	atomic_fetch_and(&c->attn, ~IEM_ATTN_FLUSH);
	n = c->ninvq;
	memcpy(q, c->invq, n * sizeof(q[0]));
	all = c->inv_all;
	tlb = c->tlb_flush_req;
	c->ninvq = 0;
	c->inv_all = false;
	c->tlb_flush_req = false;
	pthread_mutex_unlock(&c->reqlock);
	if (tlb)
		iem_tlb_flush(c, true);
	if (all) {
		iem_cache_flush(c);
		iem_tlb_flush(c, true);
		return;
	}
	for (k = 0; k < n; k++) {
		uint64_t page = q[k] & ~0xfffull;

		/* bit 0: the code on the page changed; else it just became code */
		if (q[k] & 1)
			invalidate_page_range(c, page, 0, 0x1000);
		iem_tlb_drop_phys(c, page);
	}
}

static void mark_code(struct iem_cpu *c, struct iem_block *b)
{
	uint64_t page = b->gpa & ~0xfffull;
	unsigned off = b->gpa & 0xfff;
	unsigned n = b->bytes ? b->bytes : 1;

	if (off + n > 0x1000) {
		iem_codemask_or(c->m, c, page, chunk_bits(off, 0x1000 - off));
		iem_codemask_or(c->m, c, b->gpa2, chunk_bits(0, off + n - 0x1000));
	} else {
		iem_codemask_or(c->m, c, page, chunk_bits(off, n));
	}
}

static void link_page(struct iem_cpu *c, struct iem_block *b)
{
	struct iem_cpage *p = cpage_get(c, b->gpa & ~0xfffull, true);

	if (p) {
		b->pnext[0] = p->head;
		p->head = b;
	}
	if (b->gpa2 != ~0ull) {
		p = cpage_get(c, b->gpa2, true);
		if (p) {
			b->pnext[1] = p->head;
			p->head = b;
		}
	}
}

/* Decode a block starting at the current RIP into b (capacity maxrec). */
static void decode_into(struct iem_cpu *c, struct iem_block *b, uint64_t lin,
			struct iem_itlbe *e, unsigned maxrec, unsigned maxinsn)
{
	struct iem_decoder d;
	unsigned n = 0, ninsn = 0, r;

	memset(&d, 0, sizeof(d));
	d.c = c;
	d.lin = lin;
	d.ip = c->rip;
	d.blk_ip = c->rip;
	d.host = e->host;
	d.page = lin & ~0xfffull;
	d.gpa2 = ~0ull;
	b->gpa2 = ~0ull;
	for (;;) {
		r = iem_decode(&d, c->mode, &b->insn[n]);
		n += (r & IEM_DEC_TWO) ? 2 : 1;
		ninsn++;
		if (!(r & 0xff) || (r & IEM_DEC_END))
			break;
		if (d.gpa2 != ~0ull) {
			/* the instruction straddled into the next page */
			b->gpa2 = d.gpa2;
			goto eob;
		}
		if ((d.lin & 0xfff) == 0 || ninsn >= maxinsn || n + 2 >= maxrec)
			goto eob;
		if (c->mode == 0 && d.ip > 0xffff)
			goto eob;
	}
	if (d.gpa2 != ~0ull && (r & 0xff))
		b->gpa2 = d.gpa2;
	goto done;
eob:
	memset(&b->insn[n], 0, sizeof(b->insn[n]));
	b->insn[n].label = iem_special_labels[IEM_SP_EOB];
	b->insn[n].offlen = (uint16_t)(d.ip - d.blk_ip);
	n++;
done:
	b->nrec = (uint16_t)n;
	b->ninsn = (uint16_t)ninsn;
	b->bytes = (uint16_t)(d.ip - d.blk_ip);
	b->link[0].tag = b->link[1].tag = 0;
	b->link[0].blk = b->link[1].blk = NULL;
	c->stats.insns_decoded += ninsn;
}

struct iem_block *iem_block_single(struct iem_cpu *c)
{
	uint64_t lin = (c->seg[S_CS].base + c->rip) & c->lin_mask;
	struct iem_itlbe *e;
	struct iem_block *b = c->tmpblk;

	iem_fetch_itlb(c, lin, &e);
	b->gpa = e->gpa | (lin & 0xfff);
	b->mode = c->mode;
	b->valid = 1;
	b->single = 1;
	b->jit = NULL;
	b->jit_entry1 = NULL;
	b->jit_tried = 1;
	decode_into(c, b, lin, e, 3, 1);
	return b;
}

struct iem_block *iem_block_lookup(struct iem_cpu *c)
{
	uint64_t lin = (c->seg[S_CS].base + c->rip) & c->lin_mask;
	struct iem_jc *j = &c->jc[iem_jc_key(lin)];
	struct iem_itlbe *e;
	struct iem_block *b;
	uint64_t gpa;
	unsigned h;

	if (j->lin == lin && j->tag == c->linktag)
		return j->blk;
	iem_fetch_itlb(c, lin, &e);
	gpa = e->gpa | (lin & 0xfff);
	h = hash_key(gpa, c->mode);
	for (b = c->hash[h]; b; b = b->hnext) {
		if (b->gpa != gpa || b->mode != c->mode)
			continue;
		if (b->gpa2 != ~0ull) {
			uint64_t g2;
			uint32_t err;

			if (!iem_translate(c, (lin & ~0xfffull) + 0x1000, IEM_ACC_X, &g2, &err) ||
			    (g2 & ~0xfffull) != b->gpa2) {
				block_kill(c, b);
				iem_gen_bump(c);
				break;
			}
			return b;
		}
		goto found;
	}
	if (c->arena_used + BLOCK_BYTES + 2 * sizeof(struct iem_cpage) > c->arena_size ||
	    c->jit_full)
		iem_cache_flush(c);
	b = arena_alloc(c, BLOCK_BYTES);
	b->gpa = gpa;
	b->mode = c->mode;
	b->valid = 1;
	b->single = 0;
	b->jit = NULL;
	b->jit_entry1 = NULL;
	b->jit_p[0] = b->jit_p[1] = NULL;
	b->jit_q[0] = b->jit_q[1] = NULL;
	b->jit_in = 0;
	b->jit_tried = 0;
	b->hits = 0;
	b->pnext[0] = b->pnext[1] = NULL;
	decode_into(c, b, lin, e, IEM_MAX_REC, IEM_MAX_REC);
	/* give back the unused records (b was the last allocation) */
	c->arena_used = ((size_t)((uint8_t *)&b->insn[b->nrec] - c->arena) + 15) & ~(size_t)15;
	b->hnext = c->hash[h];
	c->hash[h] = b;
	link_page(c, b);
	mark_code(c, b);
	c->stats.blocks_decoded++;
	if (b->gpa2 != ~0ull)
		return b;
found:
	j->lin = lin;
	j->tag = c->linktag;
	j->blk = b;
	return b;
}
