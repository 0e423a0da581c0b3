/*
 * The board's saved state: the virtual clock, A20, the interrupt routing
 * state and every device's own state, as one versioned byte string that
 * lib/vmm stores in a section of the .sav file.
 *
 * Layout (little endian):
 *   u32 magic "BDST", u32 version
 *   u64 virtual clock (ns), u8 A20
 *   routing: isa_src[16] u32, pci_pins[256] u8, pirq_count[4] u32,
 *            line[16] u8, pin[24] u8, u32 number of interrupt sources
 *   u32 number of device sections, then per device with a save op, in
 *   the board's device order: u8 name length, name, u32 length, bytes.
 *
 * Loading checks everything against this board: the same devices in the
 * same order (a state saved with another configuration is refused), every
 * section consumed exactly, every value in range (the device load ops).
 * A refused state leaves the board in an unspecified but safe condition;
 * the caller throws the board away.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/devices/board-int.h"
#include "lib/devices/devstate.h"
#include "lib/util/checked.h"

#define BDST_MAGIC   0x54534442u        /* "BDST" */
#define BDST_VERSION 1u

/* ------------------------------------------------------------------ */
/* Writer                                                              */

void devst_put_bytes(struct devst_out *o, const void *p, size_t n)
{
	size_t need;

	if (o->oom || !n)
		return;
	if (!ck_add_size(o->len, n, &need)) {
		o->oom = true;
		return;
	}
	if (need > o->cap) {
		size_t cap = o->cap ? o->cap : 4096;
		uint8_t *nb;

		while (cap < need) {
			if (!ck_mul_size(cap, 2, &cap)) {
				o->oom = true;
				return;
			}
		}
		nb = realloc(o->buf, cap);
		if (!nb) {
			o->oom = true;
			return;
		}
		o->buf = nb;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, p, n);
	o->len = need;
}

void devst_put_u8(struct devst_out *o, uint8_t v)
{
	devst_put_bytes(o, &v, 1);
}

void devst_put_u16(struct devst_out *o, uint16_t v)
{
	uint8_t b[2];

	dev_put_le16(b, v);
	devst_put_bytes(o, b, 2);
}

void devst_put_u32(struct devst_out *o, uint32_t v)
{
	uint8_t b[4];

	dev_put_le32(b, v);
	devst_put_bytes(o, b, 4);
}

void devst_put_u64(struct devst_out *o, uint64_t v)
{
	uint8_t b[8];

	dev_put_le64(b, v);
	devst_put_bytes(o, b, 8);
}

void devst_put_bool(struct devst_out *o, bool v)
{
	devst_put_u8(o, v ? 1 : 0);
}

void devst_put_timer(struct devst_out *o, const struct dtimer *t)
{
	devst_put_bool(o, t->armed);
	devst_put_u64(o, t->armed ? t->expire : 0);
}

/* ------------------------------------------------------------------ */
/* Reader                                                              */

void devst_get_bytes(struct devst_in *in, void *p, size_t n)
{
	if (!n)
		return;         /* p may be NULL then (an empty buffer) */
	if (in->bad || n > in->len - in->pos) {
		in->bad = true;
		memset(p, 0, n);
		return;
	}
	memcpy(p, in->p + in->pos, n);
	in->pos += n;
}

uint8_t devst_get_u8(struct devst_in *in)
{
	uint8_t v;

	devst_get_bytes(in, &v, 1);
	return v;
}

uint16_t devst_get_u16(struct devst_in *in)
{
	uint8_t b[2];

	devst_get_bytes(in, b, 2);
	return dev_le16(b);
}

uint32_t devst_get_u32(struct devst_in *in)
{
	uint8_t b[4];

	devst_get_bytes(in, b, 4);
	return dev_le32(b);
}

uint64_t devst_get_u64(struct devst_in *in)
{
	uint8_t b[8];

	devst_get_bytes(in, b, 8);
	return dev_le64(b);
}

bool devst_get_bool(struct devst_in *in)
{
	uint8_t v = devst_get_u8(in);

	if (v > 1)
		in->bad = true;
	return v == 1;
}

uint32_t devst_get_max(struct devst_in *in, uint32_t max)
{
	uint32_t v = devst_get_u32(in);

	if (v > max) {
		in->bad = true;
		return 0;
	}
	return v;
}

void devst_get_timer(struct devst_in *in, struct board *b, struct dtimer *t)
{
	bool armed = devst_get_bool(in);
	uint64_t expire = devst_get_u64(in);

	if (in->bad)
		return;
	if (armed)
		dtimer_mod(b, t, expire);
	else
		dtimer_del(b, t);
}

/* ------------------------------------------------------------------ */
/* The board                                                           */

static void put_routing(struct board *b, struct devst_out *o)
{
	struct irq_state *s = &b->irq;
	unsigned i;

	for (i = 0; i < 16; i++)
		devst_put_u32(o, s->isa_src[i]);
	devst_put_bytes(o, s->pci_pins, sizeof(s->pci_pins));
	for (i = 0; i < 4; i++)
		devst_put_u32(o, s->pirq_count[i]);
	for (i = 0; i < 16; i++)
		devst_put_bool(o, s->line[i]);
	for (i = 0; i < 24; i++)
		devst_put_bool(o, s->pin[i]);
	devst_put_u32(o, (uint32_t)s->next_src);
}

static int get_routing(struct board *b, struct devst_in *in)
{
	struct irq_state *s = &b->irq, n;
	uint32_t srcs;
	unsigned i;

	memset(&n, 0, sizeof(n));
	for (i = 0; i < 16; i++)
		n.isa_src[i] = devst_get_u32(in);
	devst_get_bytes(in, n.pci_pins, sizeof(n.pci_pins));
	for (i = 0; i < 4; i++)
		n.pirq_count[i] = devst_get_max(in, 256 * 4);
	for (i = 0; i < 16; i++)
		n.line[i] = devst_get_bool(in);
	for (i = 0; i < 24; i++)
		n.pin[i] = devst_get_bool(in);
	srcs = devst_get_u32(in);
	if (!in->bad && srcs != (uint32_t)s->next_src)
		return -ENODEV;         /* another set of devices */
	if (in->bad)
		return -EINVAL;
	for (i = 0; i < 256; i++)
		if (n.pci_pins[i] & 0xf0)
			return devst_fail(in);
	n.next_src = s->next_src;
	*s = n;
	return 0;
}

int board_state_save(struct board *b, uint8_t **out, size_t *len)
{
	struct devst_out o = { 0 };
	struct device *d;
	uint32_t n = 0;

	*out = NULL;
	*len = 0;
	for (d = b->devices; d; d = d->next)
		if (d->ops && d->ops->save)
			n++;
	pthread_mutex_lock(&b->lock);
	devst_put_u32(&o, BDST_MAGIC);
	devst_put_u32(&o, BDST_VERSION);
	devst_put_u64(&o, dev_clock_ns(b));
	devst_put_bool(&o, b->a20);
	put_routing(b, &o);
	devst_put_u32(&o, n);
	for (d = b->devices; d; d = d->next) {
		size_t at, nl = strlen(d->name);

		if (!d->ops || !d->ops->save)
			continue;
		devst_put_u8(&o, (uint8_t)nl);
		devst_put_bytes(&o, d->name, nl);
		at = o.len;
		devst_put_u32(&o, 0);
		d->ops->save(d, &o);
		if (!o.oom)
			dev_put_le32(o.buf + at, (uint32_t)(o.len - at - 4));
	}
	pthread_mutex_unlock(&b->lock);
	if (o.oom) {
		free(o.buf);
		return -ENOMEM;
	}
	*out = o.buf;
	*len = o.len;
	return 0;
}

int board_state_load(struct board *b, const uint8_t *data, size_t len,
		     struct vb_error *err)
{
	struct devst_in in = { data, len, 0, false };
	struct device *d;
	uint32_t n, i;
	uint64_t now;
	int rc = 0;

	pthread_mutex_lock(&b->lock);
	if (devst_get_u32(&in) != BDST_MAGIC) {
		rc = vb_err(err, EINVAL, VB_E_FAIL, "The device state section is not recognised (VERR_SSM_INTEGRITY_MAGIC)");
		goto out;
	}
	if (devst_get_u32(&in) != BDST_VERSION) {
		rc = vb_err(err, EINVAL, VB_E_FAIL, "The device state section has an unsupported version (VERR_SSM_UNSUPPORTED_DATA_UNIT_VERSION)");
		goto out;
	}
	now = devst_get_u64(&in);
	b->a20 = devst_get_bool(&in);
	rc = get_routing(b, &in);
	if (rc == -ENODEV) {
		rc = vb_err(err, EINVAL, VB_E_FAIL, "The saved state has another set of interrupt sources than this machine; the machine's configuration changed since the state was saved (VERR_SSM_LOAD_CONFIG_MISMATCH)");
		goto out;
	}
	if (rc) {
		rc = vb_err(err, EINVAL, VB_E_FAIL, "The saved interrupt routing state is invalid (VERR_SSM_UNEXPECTED_DATA)");
		goto out;
	}
	/* the clock first: device timers are armed in virtual time */
	if (b->clock.manual) {
		b->clock.manual_ns = now;
	} else {
		b->clock.paused = true;
		b->clock.paused_at = now;
	}
	n = devst_get_u32(&in);
	d = b->devices;
	for (i = 0; i < n && !in.bad; i++) {
		char name[256];
		uint8_t nl = devst_get_u8(&in);
		uint32_t sl;
		struct devst_in sec;

		devst_get_bytes(&in, name, nl);
		name[nl] = 0;
		sl = devst_get_u32(&in);
		while (d && (!d->ops || !d->ops->save))
			d = d->next;
		if (in.bad || !d || strcmp(d->name, name)) {
			rc = vb_err(err, EINVAL, VB_E_FAIL, "The saved state has a device '%s' this machine does not have at that place; the machine's configuration changed since the state was saved (VERR_SSM_LOAD_CONFIG_MISMATCH)",
				       in.bad ? "?" : name);
			goto out;
		}
		if (sl > in.len - in.pos) {
			in.bad = true;
			break;
		}
		sec.p = in.p + in.pos;
		sec.len = sl;
		sec.pos = 0;
		sec.bad = false;
		in.pos += sl;
		if (d->ops->load(d, &sec) || sec.bad || sec.pos != sec.len) {
			rc = vb_err(err, EINVAL, VB_E_FAIL, "The saved state of the device '%s' is invalid (VERR_SSM_UNEXPECTED_DATA)",
				       d->name);
			goto out;
		}
		d = d->next;
	}
	while (d && (!d->ops || !d->ops->save))
		d = d->next;
	if (!in.bad && d) {
		rc = vb_err(err, EINVAL, VB_E_FAIL, "The saved state lacks the device '%s'; the machine's configuration changed since the state was saved (VERR_SSM_LOAD_CONFIG_MISMATCH)",
			       d->name);
		goto out;
	}
	if (in.bad || in.pos != in.len)
		rc = vb_err(err, EINVAL, VB_E_FAIL, "The device state section is truncated or has trailing data (VERR_SSM_LOADED_TOO_LITTLE)");
out:
	pthread_mutex_unlock(&b->lock);
	return rc;
}
