/*
 * Device state for saved states: what devices use to write and read
 * their part of board_state_save()/board_state_load() (devstate.c).
 *
 * A device's state is a little-endian byte string of fields in a fixed
 * order, written by its save op and read back by its load op.  Readers
 * never trust the bytes: every get is bounds-checked (a short or
 * malformed section sets `bad` and yields zeros) and a device's load op
 * validates each value before it touches device state.  Load ops must
 * not raise or lower interrupt lines (the board restores its routing
 * state itself); mapping I/O regions and arming timers is fine.
 */
#ifndef VB_DEVICES_DEVSTATE_H
#define VB_DEVICES_DEVSTATE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct board;
struct dtimer;
struct pci_func;

struct devst_out {
	uint8_t *buf;
	size_t len, cap;
	bool oom;               /* an allocation failed; the result is void */
};

struct devst_in {
	const uint8_t *p;
	size_t len, pos;
	bool bad;               /* short or malformed input */
};

void devst_put_bytes(struct devst_out *o, const void *p, size_t n);
void devst_put_u8(struct devst_out *o, uint8_t v);
void devst_put_u16(struct devst_out *o, uint16_t v);
void devst_put_u32(struct devst_out *o, uint32_t v);
void devst_put_u64(struct devst_out *o, uint64_t v);
void devst_put_bool(struct devst_out *o, bool v);
/* A timer: armed flag and expiry (virtual ns). */
void devst_put_timer(struct devst_out *o, const struct dtimer *t);

void devst_get_bytes(struct devst_in *in, void *p, size_t n);
uint8_t devst_get_u8(struct devst_in *in);
uint16_t devst_get_u16(struct devst_in *in);
uint32_t devst_get_u32(struct devst_in *in);
uint64_t devst_get_u64(struct devst_in *in);
/* 0 or 1; anything else marks the input bad. */
bool devst_get_bool(struct devst_in *in);
/* A value that must be <= max (else bad, returns 0). */
uint32_t devst_get_max(struct devst_in *in, uint32_t max);
/* Re-arm (or disarm) a timer as saved. */
void devst_get_timer(struct devst_in *in, struct board *b, struct dtimer *t);
/* Mark the input bad (a device found an impossible value). */
static inline int devst_fail(struct devst_in *in)
{
	in->bad = true;
	return -EINVAL;
}

/* PCI function configuration space and INTx level (pci.c). */
void pci_func_state_save(const struct pci_func *f, struct devst_out *o);
void pci_func_state_load(struct pci_func *f, struct devst_in *in);

#endif
