/*
 * Overflow-checked arithmetic for sizes and offsets that come from files or
 * guests.  Each returns true when the result is valid.
 */
#ifndef VB_UTIL_CHECKED_H
#define VB_UTIL_CHECKED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline bool ck_add_u64(uint64_t a, uint64_t b, uint64_t *r)
{
	return !__builtin_add_overflow(a, b, r);
}

static inline bool ck_mul_u64(uint64_t a, uint64_t b, uint64_t *r)
{
	return !__builtin_mul_overflow(a, b, r);
}

static inline bool ck_sub_u64(uint64_t a, uint64_t b, uint64_t *r)
{
	return !__builtin_sub_overflow(a, b, r);
}

static inline bool ck_add_size(size_t a, size_t b, size_t *r)
{
	return !__builtin_add_overflow(a, b, r);
}

static inline bool ck_mul_size(size_t a, size_t b, size_t *r)
{
	return !__builtin_mul_overflow(a, b, r);
}

/* True when [off, off+len) lies inside [0, limit). */
static inline bool ck_range(uint64_t off, uint64_t len, uint64_t limit)
{
	uint64_t end;

	return ck_add_u64(off, len, &end) && end <= limit;
}

#define VB_ALIGN_UP(x, a)   ((((x) + (a) - 1) / (a)) * (a))
#define VB_ARRAY_SIZE(a)    (sizeof(a) / sizeof((a)[0]))
#define VB_MIN(a, b)        ((a) < (b) ? (a) : (b))
#define VB_MAX(a, b)        ((a) > (b) ? (a) : (b))

#endif
