/*
 * i8042 keyboard controller (ports 0x60/0x64) with a PS/2 keyboard and a
 * PS/2 mouse behind it.
 *
 * Spec: IBM PS/2 Technical Reference, keyboard/auxiliary device
 * controller: status register, controller command byte, controller
 * commands (0x20/0x60 command byte, 0xa7-0xae interface control, 0xaa
 * self test, 0xd0-0xd4 output port and device writes, 0xdd/0xdf A20,
 * 0xf0-0xff output pulses with 0xfe = CPU reset); PS/2 keyboard and mouse
 * command sets (reset, identify, enable/disable, LEDs, rates, status).
 *
 * Keys arrive from the front end as scan code set 1 (what the controller
 * hands the CPU with translation on) and are queued as they are.
 *
 * Limits: no typematic repeat, no mouse movement source yet (front ends
 * with input are later work), scan code sets 2/3 are accepted as settings
 * but keys are always delivered in set 1.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/devices/dev.h"

#define ST_OBF   0x01
#define ST_SYS   0x04
#define ST_CMD   0x08
#define ST_UNLOCKED 0x10
#define ST_AUXOBF 0x20

#define CCB_KBD_INT  0x01
#define CCB_AUX_INT  0x02
#define CCB_SYS      0x04
#define CCB_KBD_OFF  0x10
#define CCB_AUX_OFF  0x20

#define QSIZE 256

struct ps2_queue {
	uint8_t data[QSIZE];
	unsigned head, count;
};

enum out_src { SRC_CTRL, SRC_KBD, SRC_AUX };

struct i8042 {
	struct device dev;
	int irq_src;
	struct io_region data_io, cmd_io;
	/* Everything from here on is cleared by a reset. */
	uint8_t status, ccb, outport;
	uint8_t out;
	enum out_src out_src;
	uint8_t pending;        /* controller command awaiting its data byte */
	struct ps2_queue ctrlq, kbdq, auxq;
	/* keyboard */
	uint8_t kbd_pending, kbd_set, kbd_last;
	bool kbd_scan;
	/* mouse */
	uint8_t aux_pending, aux_rate, aux_res;
	bool aux_stream, aux_enabled, aux_scale21;
	bool irq1, irq12;
};

static void q_put(struct ps2_queue *q, uint8_t v)
{
	if (q->count == QSIZE)
		return;
	q->data[(q->head + q->count++) % QSIZE] = v;
}

static bool q_get(struct ps2_queue *q, uint8_t *v)
{
	if (!q->count)
		return false;
	*v = q->data[q->head];
	q->head = (q->head + 1) % QSIZE;
	q->count--;
	return true;
}

static void kbc_set_irqs(struct i8042 *k)
{
	struct board *b = k->dev.board;
	bool irq1, irq12;

	irq1 = (k->status & ST_OBF) && k->out_src != SRC_AUX &&
	       (k->ccb & CCB_KBD_INT);
	irq12 = (k->status & ST_OBF) && k->out_src == SRC_AUX &&
		(k->ccb & CCB_AUX_INT);
	if (irq1 != k->irq1) {
		k->irq1 = irq1;
		irq_isa_set(b, 1, k->irq_src, irq1);
	}
	if (irq12 != k->irq12) {
		k->irq12 = irq12;
		irq_isa_set(b, 12, k->irq_src, irq12);
	}
}

static void kbc_update(struct i8042 *k)
{
	if (!(k->status & ST_OBF)) {
		uint8_t v;

		if (q_get(&k->ctrlq, &v)) {
			k->out = v;
			k->out_src = SRC_CTRL;
			k->status |= ST_OBF;
		} else if (!(k->ccb & CCB_KBD_OFF) && q_get(&k->kbdq, &v)) {
			k->out = v;
			k->out_src = SRC_KBD;
			k->status |= ST_OBF;
		} else if (!(k->ccb & CCB_AUX_OFF) && q_get(&k->auxq, &v)) {
			k->out = v;
			k->out_src = SRC_AUX;
			k->status |= ST_OBF | ST_AUXOBF;
		}
	}
	kbc_set_irqs(k);
}

static void kbd_reply(struct i8042 *k, uint8_t v)
{
	q_put(&k->kbdq, v);
	k->kbd_last = v;
}

static void kbd_write(struct i8042 *k, uint8_t v)
{
	uint8_t cmd = k->kbd_pending;

	if (cmd) {
		k->kbd_pending = 0;
		if (cmd == 0xf0) {
			kbd_reply(k, 0xfa);
			if (v == 0)
				kbd_reply(k, k->kbd_set);
			else if (v <= 3)
				k->kbd_set = v;
		} else {
			kbd_reply(k, 0xfa);     /* LEDs, typematic rate */
		}
		return;
	}
	switch (v) {
	case 0xff:
		k->kbdq.count = 0;
		k->kbd_scan = true;
		k->kbd_set = 2;
		kbd_reply(k, 0xfa);
		kbd_reply(k, 0xaa);
		break;
	case 0xfe:
		kbd_reply(k, k->kbd_last);
		break;
	case 0xf2:
		kbd_reply(k, 0xfa);
		kbd_reply(k, 0xab);
		kbd_reply(k, 0x41);
		break;
	case 0xf4:
		k->kbd_scan = true;
		kbd_reply(k, 0xfa);
		break;
	case 0xf5:
		k->kbd_scan = false;
		kbd_reply(k, 0xfa);
		break;
	case 0xf6:
		k->kbd_scan = true;
		kbd_reply(k, 0xfa);
		break;
	case 0xee:
		kbd_reply(k, 0xee);
		break;
	case 0xed:
	case 0xf3:
	case 0xf0:
		k->kbd_pending = v;
		kbd_reply(k, 0xfa);
		break;
	case 0xf7: case 0xf8: case 0xf9: case 0xfa:
	case 0xfb: case 0xfc: case 0xfd:
		kbd_reply(k, 0xfa);
		break;
	default:
		kbd_reply(k, 0xfe);
		break;
	}
}

static void aux_write(struct i8042 *k, uint8_t v)
{
	uint8_t cmd = k->aux_pending;

	if (cmd) {
		k->aux_pending = 0;
		if (cmd == 0xf3)
			k->aux_rate = v;
		else if (cmd == 0xe8)
			k->aux_res = v & 3;
		q_put(&k->auxq, 0xfa);
		return;
	}
	switch (v) {
	case 0xff:
		k->auxq.count = 0;
		k->aux_enabled = false;
		k->aux_stream = true;
		k->aux_rate = 100;
		k->aux_res = 2;
		k->aux_scale21 = false;
		q_put(&k->auxq, 0xfa);
		q_put(&k->auxq, 0xaa);
		q_put(&k->auxq, 0x00);
		break;
	case 0xf2:
		q_put(&k->auxq, 0xfa);
		q_put(&k->auxq, 0x00);
		break;
	case 0xf4:
		k->aux_enabled = true;
		q_put(&k->auxq, 0xfa);
		break;
	case 0xf5:
		k->aux_enabled = false;
		q_put(&k->auxq, 0xfa);
		break;
	case 0xf6:
		k->aux_rate = 100;
		k->aux_res = 2;
		k->aux_scale21 = false;
		q_put(&k->auxq, 0xfa);
		break;
	case 0xe6:
	case 0xe7:
		k->aux_scale21 = v == 0xe7;
		q_put(&k->auxq, 0xfa);
		break;
	case 0xea:
	case 0xf0:
		k->aux_stream = v == 0xea;
		q_put(&k->auxq, 0xfa);
		break;
	case 0xe9:
		q_put(&k->auxq, 0xfa);
		q_put(&k->auxq, (uint8_t)((k->aux_stream ? 0 : 0x40) |
					  (k->aux_enabled ? 0x20 : 0) |
					  (k->aux_scale21 ? 0x10 : 0)));
		q_put(&k->auxq, k->aux_res);
		q_put(&k->auxq, k->aux_rate);
		break;
	case 0xeb:
		q_put(&k->auxq, 0xfa);
		q_put(&k->auxq, 0x08);
		q_put(&k->auxq, 0x00);
		q_put(&k->auxq, 0x00);
		break;
	case 0xe8:
	case 0xf3:
		k->aux_pending = v;
		q_put(&k->auxq, 0xfa);
		break;
	case 0xec:
	case 0xee:
		q_put(&k->auxq, 0xfa);
		break;
	default:
		q_put(&k->auxq, 0xfe);
		break;
	}
}

static void kbc_outport(struct i8042 *k, uint8_t v)
{
	struct board *b = k->dev.board;

	k->outport = v;
	board_set_a20(b, v & 0x02);
	if (!(v & 0x01)) {
		dev_log(b, "Keyboard controller: CPU reset through the output port");
		board_request_reset(b, BOARD_RESET_KBC);
	}
}

static void kbc_command(struct i8042 *k, uint8_t c)
{
	switch (c) {
	case 0x20:
		q_put(&k->ctrlq, k->ccb);
		break;
	case 0x60: case 0xd1: case 0xd2: case 0xd3: case 0xd4:
		k->pending = c;
		break;
	case 0xa7:
		k->ccb |= CCB_AUX_OFF;
		break;
	case 0xa8:
		k->ccb &= (uint8_t)~CCB_AUX_OFF;
		break;
	case 0xa9:
	case 0xab:
		q_put(&k->ctrlq, 0x00);
		break;
	case 0xaa:
		k->status |= ST_SYS;
		q_put(&k->ctrlq, 0x55);
		break;
	case 0xad:
		k->ccb |= CCB_KBD_OFF;
		break;
	case 0xae:
		k->ccb &= (uint8_t)~CCB_KBD_OFF;
		break;
	case 0xc0:
		q_put(&k->ctrlq, 0x80);
		break;
	case 0xd0:
		q_put(&k->ctrlq, k->outport);
		break;
	case 0xdd:
		kbc_outport(k, k->outport & (uint8_t)~0x02);
		break;
	case 0xdf:
		kbc_outport(k, k->outport | 0x02);
		break;
	case 0xe0:
		q_put(&k->ctrlq, 0x00);
		break;
	default:
		if (c >= 0x21 && c <= 0x3f) {
			q_put(&k->ctrlq, 0x00);         /* controller RAM */
		} else if (c >= 0x61 && c <= 0x7f) {
			k->pending = c;
		} else if (c >= 0xf0) {
			if (!(c & 0x01))                /* pulse bit 0: reset */
				kbc_outport(k, k->outport & (uint8_t)~0x01);
		}
		break;
	}
}

static void kbc_data(struct i8042 *k, uint8_t v)
{
	uint8_t p = k->pending;

	k->pending = 0;
	switch (p) {
	case 0x60:
		k->ccb = v;
		if (v & CCB_SYS)
			k->status |= ST_SYS;
		else
			k->status &= (uint8_t)~ST_SYS;
		break;
	case 0xd1:
		kbc_outport(k, v);
		break;
	case 0xd2:
		q_put(&k->kbdq, v);
		break;
	case 0xd3:
		q_put(&k->auxq, v);
		break;
	case 0xd4:
		aux_write(k, v);
		break;
	case 0:
		kbd_write(k, v);
		break;
	default:
		break;                          /* controller RAM write */
	}
}

static uint64_t kbc_data_read(void *opaque, uint64_t off, unsigned size)
{
	struct i8042 *k = opaque;
	uint8_t v = k->out;

	(void)off;
	(void)size;
	k->status &= (uint8_t)~(ST_OBF | ST_AUXOBF);
	kbc_set_irqs(k);        /* the line drops before the next byte */
	kbc_update(k);
	return v;
}

static void kbc_data_write(void *opaque, uint64_t off, uint64_t val,
			   unsigned size)
{
	struct i8042 *k = opaque;

	(void)off;
	(void)size;
	k->status &= (uint8_t)~ST_CMD;
	kbc_data(k, (uint8_t)val);
	kbc_update(k);
}

static uint64_t kbc_status_read(void *opaque, uint64_t off, unsigned size)
{
	struct i8042 *k = opaque;

	(void)off;
	(void)size;
	return k->status;
}

static void kbc_cmd_write(void *opaque, uint64_t off, uint64_t val,
			  unsigned size)
{
	struct i8042 *k = opaque;

	(void)off;
	(void)size;
	k->status |= ST_CMD;
	kbc_command(k, (uint8_t)val);
	kbc_update(k);
}

static const struct io_ops kbc_data_ops = {
	.read = kbc_data_read, .write = kbc_data_write, .sizes = IO_SZ1,
};

static const struct io_ops kbc_cmd_ops = {
	.read = kbc_status_read, .write = kbc_cmd_write, .sizes = IO_SZ1,
};

int i8042_kbd_put(struct i8042 *k, const uint8_t *codes, size_t n)
{
	size_t i;

	if (!k->kbd_scan)
		return -EAGAIN;
	if (QSIZE - k->kbdq.count < n)
		return -ENOSPC;
	for (i = 0; i < n; i++)
		q_put(&k->kbdq, codes[i]);
	kbc_update(k);
	return 0;
}

static void kbc_reset(struct device *d)
{
	struct i8042 *k = DEV_CONTAINER(d, struct i8042, dev);
	struct board *b = d->board;

	irq_isa_set(b, 1, k->irq_src, false);
	irq_isa_set(b, 12, k->irq_src, false);
	memset(&k->status, 0, sizeof(*k) - offsetof(struct i8042, status));
	k->status = ST_UNLOCKED;
	k->ccb = 0x45 & (uint8_t)~CCB_SYS;
	k->outport = 0x03;
	k->kbd_scan = true;
	k->kbd_set = 2;
	k->aux_rate = 100;
	k->aux_res = 2;
	k->aux_stream = true;
}

static void kbc_release(struct device *d)
{
	free(DEV_CONTAINER(d, struct i8042, dev));
}

static const struct device_ops kbc_dev_ops = {
	.reset = kbc_reset, .release = kbc_release,
};

int i8042_create(struct board *b, const struct board_config *cfg)
{
	struct i8042 *k = calloc(1, sizeof(*k));
	int rc;

	(void)cfg;
	if (!k)
		return -ENOMEM;
	dev_register(b, &k->dev, "pckbd", &kbc_dev_ops);
	k->irq_src = irq_source_new(b);
	io_region_init(&k->data_io, "i8042 data", &kbc_data_ops, k, IO_SPACE_PORT);
	io_region_init(&k->cmd_io, "i8042 command", &kbc_cmd_ops, k, IO_SPACE_PORT);
	/* 0x61-0x63 between them belong to others (port B is the PIT's). */
	rc = io_region_map(b, &k->data_io, 0x60, 1);
	if (!rc)
		rc = io_region_map(b, &k->cmd_io, 0x64, 1);
	if (rc)
		return rc;
	board_set_i8042(b, k);
	return 0;
}
