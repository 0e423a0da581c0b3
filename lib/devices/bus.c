/*
 * The I/O bus: port and MMIO ranges registered by devices, and the access
 * rules applied before a device sees an access.
 *
 *   - an address no device claims reads as all ones, writes are dropped;
 *   - an access wider than the device accepts is split into the widest
 *     size it does accept (little-endian order, each part routed again,
 *     so an access straddling two devices reaches both);
 *   - a narrower or misaligned read is served from an aligned read of the
 *     narrowest accepted size; such a write is dropped and logged once.
 *
 * Ranges are kept in a sorted array per space (a few dozen entries);
 * lookups are a binary search.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/devices/board-int.h"

void io_region_init(struct io_region *r, const char *name,
		    const struct io_ops *ops, void *opaque, enum io_space sp)
{
	memset(r, 0, sizeof(*r));
	r->name = name;
	r->ops = ops;
	r->opaque = opaque;
	r->space = sp;
}

static bool overlaps(const struct io_region *r, uint64_t base, uint64_t len)
{
	return base < r->base + r->len && r->base < base + len;
}

void io_region_unmap(struct board *b, struct io_region *r)
{
	struct bus_space *s = &b->space[r->space];
	unsigned i;

	if (!r->mapped)
		return;
	for (i = 0; i < s->n; i++) {
		if (s->regs[i] == r) {
			memmove(&s->regs[i], &s->regs[i + 1],
				(s->n - i - 1) * sizeof(s->regs[0]));
			s->n--;
			break;
		}
	}
	r->mapped = false;
}

int io_region_map(struct board *b, struct io_region *r, uint64_t base,
		  uint64_t len)
{
	struct bus_space *s = &b->space[r->space];
	unsigned i, pos;

	if (!len || base + len < base ||
	    (r->space == IO_SPACE_PORT && base + len > 0x10000))
		return -EINVAL;
	if (r->mapped && r->base == base && r->len == len)
		return 0;
	io_region_unmap(b, r);
	for (i = 0; i < s->n; i++)
		if (overlaps(s->regs[i], base, len))
			return -EBUSY;
	if (s->n == s->cap) {
		unsigned ncap = s->cap ? s->cap * 2 : 32;
		struct io_region **n = realloc(s->regs, ncap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		s->regs = n;
		s->cap = ncap;
	}
	for (pos = 0; pos < s->n && s->regs[pos]->base < base; pos++)
		;
	memmove(&s->regs[pos + 1], &s->regs[pos],
		(s->n - pos) * sizeof(s->regs[0]));
	s->regs[pos] = r;
	s->n++;
	r->base = base;
	r->len = len;
	r->mapped = true;
	return 0;
}

void bus_release(struct board *b)
{
	unsigned i;

	for (i = 0; i < 2; i++) {
		free(b->space[i].regs);
		b->space[i].regs = NULL;
		b->space[i].n = b->space[i].cap = 0;
	}
}

static struct io_region *bus_find(struct board *b, enum io_space sp,
				  uint64_t addr)
{
	struct bus_space *s = &b->space[sp];
	unsigned lo = 0, hi = s->n;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		struct io_region *r = s->regs[mid];

		if (addr < r->base)
			hi = mid;
		else if (addr - r->base >= r->len)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

static uint64_t size_mask(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

static unsigned widest_le(uint8_t sizes, unsigned size)
{
	unsigned s;

	for (s = size; s; s >>= 1)
		if (sizes & s)
			return s;
	return 0;
}

static unsigned narrowest_ge(uint8_t sizes, unsigned size)
{
	unsigned s;

	for (s = size; s <= 8; s <<= 1)
		if (sizes & s)
			return s;
	return 0;
}

static void warn_once(struct board *b, struct io_region *r, const char *what,
		      uint64_t addr, unsigned size)
{
	if (r->warned)
		return;
	r->warned = true;
	dev_log(b, "%s: guest %s of %u byte(s) at %#llx not supported by the device, ignored",
		r->name, what, size, (unsigned long long)addr);
}

uint64_t bus_read(struct board *b, enum io_space sp, uint64_t addr,
		  unsigned size)
{
	struct io_region *r = bus_find(b, sp, addr);
	uint64_t off, v = 0;
	unsigned w, i;

	if (!r)
		return size == 1 ? 0xff : bus_read(b, sp, addr, size / 2) |
			(bus_read(b, sp, addr + size / 2, size / 2) << (size * 4));
	off = addr - r->base;
	if (off + size > r->len) {
		for (i = 0; i < size; i++)
			v |= bus_read(b, sp, addr + i, 1) << (8 * i);
		return v;
	}
	if ((r->ops->sizes & size) && (!r->ops->aligned || off % size == 0))
		return r->ops->read(r->opaque, off, size) & size_mask(size);
	w = widest_le(r->ops->sizes, size);
	if (w && w < size && (!r->ops->aligned || off % w == 0)) {
		for (i = 0; i < size; i += w)
			v |= bus_read(b, sp, addr + i, w) << (8 * i);
		return v;
	}
	w = narrowest_ge(r->ops->sizes, size);
	if (w) {
		uint64_t abase = off & ~(uint64_t)(w - 1);

		if (off - abase + size <= w && abase + w <= r->len)
			return (r->ops->read(r->opaque, abase, w) >>
				(8 * (off - abase))) & size_mask(size);
	}
	/* Misaligned across device units: assemble from bytes. */
	if (size > 1) {
		for (i = 0; i < size; i++)
			v |= bus_read(b, sp, addr + i, 1) << (8 * i);
		return v;
	}
	warn_once(b, r, "read", addr, size);
	return size_mask(size);
}

void bus_write(struct board *b, enum io_space sp, uint64_t addr,
	       uint64_t val, unsigned size)
{
	struct io_region *r = bus_find(b, sp, addr);
	uint64_t off;
	unsigned w, i;

	val &= size_mask(size);
	if (!r) {
		if (size > 1) {
			bus_write(b, sp, addr, val, size / 2);
			bus_write(b, sp, addr + size / 2, val >> (size * 4),
				  size / 2);
		}
		return;
	}
	off = addr - r->base;
	if (off + size > r->len) {
		for (i = 0; i < size; i++)
			bus_write(b, sp, addr + i, (val >> (8 * i)) & 0xff, 1);
		return;
	}
	if ((r->ops->sizes & size) && (!r->ops->aligned || off % size == 0)) {
		r->ops->write(r->opaque, off, val, size);
		return;
	}
	w = widest_le(r->ops->sizes, size);
	if (w && w < size && (!r->ops->aligned || off % w == 0)) {
		for (i = 0; i < size; i += w)
			bus_write(b, sp, addr + i, (val >> (8 * i)) & size_mask(w), w);
		return;
	}
	warn_once(b, r, "write", addr, size);
}
