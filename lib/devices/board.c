/*
 * The board: the device table, the lock, the virtual clock and timers,
 * guest-memory access for DMA, and the entry points engines call.
 *
 * The table below is the whole machine (VirtualBox's PIIX3 layout, see
 * vmm-platform.md 1.3 and 1.5); each constructor reads what it needs from
 * the board configuration and may create nothing (no IOAPIC when it is
 * off, no AHCI without such a controller).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/devices/board-int.h"
#include "lib/util/checked.h"

struct board_device_type {
	const char *name;
	int (*create)(struct board *b, const struct board_config *cfg);
};

/* Order matters: interrupt controllers and the PCI bus come first. */
static const struct board_device_type board_devices[] = {
	{ "i8259",      pic_create },
	{ "ioapic",     ioapic_create },
	{ "i440fx",     i440fx_create },
	{ "piix3",      piix3_create },
	{ "i8254",      pit_create },
	{ "mc146818",   rtc_create },
	{ "pckbd",      i8042_create },
	{ "serial",     serial_create },
	{ "fw_cfg",     fwcfg_create },
	{ "debugport",  dbgport_create },
	{ "acpi",       pm_create },
	{ "piix3ide",   ide_create },
	{ "ahci",       ahci_create },
};

const char *board_device_name(unsigned i)
{
	return i < VB_ARRAY_SIZE(board_devices) ? board_devices[i].name : NULL;
}

void board_describe(struct board *b, char *buf, size_t size)
{
	struct device *d;
	size_t n = 0;

	if (!size)
		return;
	buf[0] = 0;
	for (d = b->devices; d && n + 1 < size; d = d->next) {
		int w = snprintf(buf + n, size - n, "%s%s", n ? " " : "", d->name);

		if (w < 0)
			break;
		n += (size_t)w;
	}
}

static void board_lock(struct board *b)
{
	pthread_mutex_lock(&b->lock);
}

static void board_unlock(struct board *b)
{
	pthread_mutex_unlock(&b->lock);
}

/* ------------------------------------------------------------------ */
/* Devices and host services                                           */

void dev_register(struct board *b, struct device *d, const char *name,
		  const struct device_ops *ops)
{
	struct device **pp = &b->devices;

	d->name = name;
	d->ops = ops;
	d->board = b;
	d->next = NULL;
	while (*pp)
		pp = &(*pp)->next;
	*pp = d;
}

void dev_log(struct board *b, const char *fmt, ...)
{
	va_list ap;

	if (!b->host.log)
		return;
	va_start(ap, fmt);
	b->host.log(b->host.opaque, fmt, ap);
	va_end(ap);
}

void dev_error(struct board *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->error, sizeof(b->error), fmt, ap);
	va_end(ap);
}

const struct board_config *board_cfg(struct board *b)
{
	return &b->cfg;
}

const struct board_host *board_hostops(struct board *b)
{
	return &b->host;
}

void board_request_reset(struct board *b, enum board_reset_cause c)
{
	if (b->host.reset)
		b->host.reset(b->host.opaque, c);
}

void board_request_poweroff(struct board *b)
{
	if (b->host.poweroff)
		b->host.poweroff(b->host.opaque);
}

void board_set_a20(struct board *b, bool on)
{
	b->a20 = on;
}

struct pic *board_pic(struct board *b) { return b->pic; }
struct ioapic *board_ioapic(struct board *b) { return b->ioapic; }
struct pci_bus *board_pci(struct board *b) { return b->pci; }
struct i8042 *board_i8042(struct board *b) { return b->kbc; }
struct device *board_pm(struct board *b) { return b->pm; }
void board_set_pic(struct board *b, struct pic *p) { b->pic = p; }
void board_set_ioapic(struct board *b, struct ioapic *io) { b->ioapic = io; }
void board_set_pci(struct board *b, struct pci_bus *bus) { b->pci = bus; }
void board_set_i8042(struct board *b, struct i8042 *k) { b->kbc = k; }
void board_set_pm(struct board *b, struct device *pm) { b->pm = pm; }
void board_set_piix3(struct board *b, struct device *d) { b->piix3 = d; }
struct device *board_piix3(struct board *b) { return b->piix3; }

/* ------------------------------------------------------------------ */
/* Clock and timers                                                    */

static uint64_t host_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t dev_clock_ns(struct board *b)
{
	if (b->clock.manual)
		return b->clock.manual_ns;
	if (b->clock.paused)
		return b->clock.paused_at;
	return host_mono_ns() - b->clock.offset;
}

void dtimer_init(struct dtimer *t, void (*cb)(void *), void *opaque)
{
	memset(t, 0, sizeof(*t));
	t->cb = cb;
	t->opaque = opaque;
}

static void timer_unlink(struct board *b, struct dtimer *t)
{
	struct dtimer **pp;

	for (pp = &b->timers; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	t->next = NULL;
	t->armed = false;
}

void dtimer_mod(struct board *b, struct dtimer *t, uint64_t expire_ns)
{
	struct dtimer **pp;

	if (t->armed)
		timer_unlink(b, t);
	t->expire = expire_ns;
	t->armed = true;
	for (pp = &b->timers; *pp && (*pp)->expire <= expire_ns; pp = &(*pp)->next)
		;
	t->next = *pp;
	*pp = t;
	if (b->timers == t && b->host.timers_changed)
		b->host.timers_changed(b->host.opaque);
}

void dtimer_del(struct board *b, struct dtimer *t)
{
	if (t->armed)
		timer_unlink(b, t);
}

/* Fire every timer due at `now`; returns the next deadline. */
static uint64_t timers_run_locked(struct board *b, uint64_t now)
{
	unsigned budget = 10000;

	while (b->timers && b->timers->expire <= now && budget--) {
		struct dtimer *t = b->timers;

		b->timers = t->next;
		t->next = NULL;
		t->armed = false;
		t->cb(t->opaque);
	}
	return b->timers ? b->timers->expire : UINT64_MAX;
}

uint64_t board_clock_ns(struct board *b)
{
	uint64_t v;

	board_lock(b);
	v = dev_clock_ns(b);
	board_unlock(b);
	return v;
}

uint64_t board_timers_run(struct board *b)
{
	uint64_t next;

	board_lock(b);
	next = timers_run_locked(b, dev_clock_ns(b));
	board_unlock(b);
	return next;
}

uint64_t board_clock_host_ns(struct board *b, uint64_t vns)
{
	uint64_t h;

	board_lock(b);
	if (b->clock.manual || b->clock.paused)
		h = UINT64_MAX;
	else if (vns > UINT64_MAX - b->clock.offset)
		h = UINT64_MAX;
	else
		h = vns + b->clock.offset;
	board_unlock(b);
	return h;
}

void board_clock_pause(struct board *b)
{
	board_lock(b);
	if (!b->clock.paused && !b->clock.manual) {
		b->clock.paused_at = dev_clock_ns(b);
		b->clock.paused = true;
	}
	board_unlock(b);
}

void board_clock_resume(struct board *b)
{
	board_lock(b);
	if (b->clock.paused) {
		b->clock.offset = host_mono_ns() - b->clock.paused_at;
		b->clock.paused = false;
		if (b->host.timers_changed)
			b->host.timers_changed(b->host.opaque);
	}
	board_unlock(b);
}

void board_clock_advance(struct board *b, uint64_t ns)
{
	uint64_t target;

	board_lock(b);
	target = b->clock.manual_ns + ns;
	while (b->timers && b->timers->expire <= target) {
		if (b->timers->expire > b->clock.manual_ns)
			b->clock.manual_ns = b->timers->expire;
		timers_run_locked(b, b->clock.manual_ns);
	}
	b->clock.manual_ns = target;
	board_unlock(b);
}

/* ------------------------------------------------------------------ */
/* Guest memory                                                        */

static void *ram_ptr(struct board *b, uint64_t gpa, size_t len)
{
	unsigned i;

	for (i = 0; i < b->cfg.n_ram; i++) {
		const struct board_ram *r = &b->cfg.ram[i];

		if (gpa >= r->gpa && ck_range(gpa - r->gpa, len, r->size))
			return (uint8_t *)r->hva + (gpa - r->gpa);
	}
	return NULL;
}

int dma_read(struct board *b, uint64_t gpa, void *buf, size_t len)
{
	void *p;

	if (!len)
		return 0;
	p = ram_ptr(b, gpa, len);
	if (!p)
		return -EFAULT;
	memcpy(buf, p, len);
	return 0;
}

int dma_write(struct board *b, uint64_t gpa, const void *buf, size_t len)
{
	void *p;

	if (!len)
		return 0;
	p = ram_ptr(b, gpa, len);
	if (!p)
		return -EFAULT;
	memcpy(p, buf, len);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                          */

int board_new(const struct board_config *cfg, const struct board_host *host,
	      struct board **out, struct vb_error *err)
{
	struct board *b;
	unsigned i;
	int rc;

	*out = NULL;
	if (cfg->n_ram > BOARD_MAX_RAM || cfg->n_storage > BOARD_MAX_STORAGE ||
	    cfg->cpus < 1 || cfg->cpus > 255)
		return vb_err(err, EINVAL, VB_E_INVALIDARG,
			      "Invalid board configuration");
	b = calloc(1, sizeof(*b));
	if (!b)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	pthread_mutex_init(&b->lock, NULL);
	b->cfg = *cfg;
	if (host)
		b->host = *host;
	b->clock.offset = host_mono_ns();
	b->clock.manual = cfg->manual_clock;
	b->a20 = true;
	for (i = 0; i < VB_ARRAY_SIZE(board_devices); i++) {
		rc = board_devices[i].create(b, &b->cfg);
		if (rc < 0) {
			if (b->error[0])
				vb_err(err, -rc, VB_E_FAIL, "%s", b->error);
			else
				vb_err(err, -rc, VBOX_E_PDM_ERROR,
				       "Failed to create the emulated device '%s' (%s)",
				       board_devices[i].name, strerror(-rc));
			board_free(b);
			return rc;
		}
	}
	board_reset(b);
	*out = b;
	return 0;
}

void board_free(struct board *b)
{
	struct device *d, *next;

	if (!b)
		return;
	for (d = b->devices; d; d = next) {
		next = d->next;
		if (d->ops && d->ops->release)
			d->ops->release(d);
	}
	bus_release(b);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

void board_reset(struct board *b)
{
	struct device *d;

	board_lock(b);
	b->a20 = true;
	irq_reset(b);
	for (d = b->devices; d; d = d->next)
		if (d->ops && d->ops->reset)
			d->ops->reset(d);
	board_unlock(b);
}

/* ------------------------------------------------------------------ */
/* Engine entry points                                                 */

void board_pio(struct board *b, uint16_t port, bool is_write, unsigned size,
	       uint32_t *val)
{
	if (size != 1 && size != 2 && size != 4) {
		if (!is_write)
			*val = 0xffffffffu;
		return;
	}
	board_lock(b);
	if (is_write)
		bus_write(b, IO_SPACE_PORT, port, *val, size);
	else
		*val = (uint32_t)bus_read(b, IO_SPACE_PORT, port, size);
	board_unlock(b);
}

void board_pio_string(struct board *b, uint16_t port, bool is_write,
		      unsigned size, uint32_t count, void *buf)
{
	uint8_t *p = buf;
	uint32_t i;

	if (size != 1 && size != 2 && size != 4)
		return;
	board_lock(b);
	for (i = 0; i < count; i++, p += size) {
		uint64_t v = 0;

		if (is_write) {
			memcpy(&v, p, size);
			bus_write(b, IO_SPACE_PORT, port, v, size);
		} else {
			v = bus_read(b, IO_SPACE_PORT, port, size);
			memcpy(p, &v, size);
		}
	}
	board_unlock(b);
}

void board_mmio(struct board *b, uint64_t addr, bool is_write, unsigned size,
		void *data)
{
	uint64_t v = 0;

	if (size != 1 && size != 2 && size != 4 && size != 8) {
		if (!is_write)
			memset(data, 0xff, size > 8 ? 8 : size);
		return;
	}
	board_lock(b);
	if (is_write) {
		memcpy(&v, data, size);
		bus_write(b, IO_SPACE_MMIO, addr, v, size);
	} else {
		v = bus_read(b, IO_SPACE_MMIO, addr, size);
		memcpy(data, &v, size);
	}
	board_unlock(b);
}

bool board_intr_pending(struct board *b)
{
	bool r;

	board_lock(b);
	r = b->pic && pic_output(b->pic);
	board_unlock(b);
	return r;
}

int board_intr_ack(struct board *b)
{
	int v;

	board_lock(b);
	v = b->pic ? pic_ack(b->pic) : 15;
	board_unlock(b);
	return v;
}

void board_ioapic_eoi(struct board *b, uint8_t vector)
{
	board_lock(b);
	if (b->ioapic)
		ioapic_eoi(b->ioapic, vector);
	board_unlock(b);
}

bool board_ioapic_routes(struct board *b, struct board_msi_route out[24])
{
	bool r = false;

	board_lock(b);
	if (b->ioapic) {
		ioapic_routes(b->ioapic, out);
		r = true;
	}
	board_unlock(b);
	return r;
}

bool board_a20(struct board *b)
{
	return __atomic_load_n(&b->a20, __ATOMIC_RELAXED);
}

void board_acpi_power_button(struct board *b)
{
	board_lock(b);
	if (b->pm)
		pm_power_button(b->pm);
	board_unlock(b);
}

int board_kbd_put(struct board *b, const uint8_t *codes, size_t n)
{
	int rc = -ENODEV;

	board_lock(b);
	if (b->kbc)
		rc = i8042_kbd_put(b->kbc, codes, n);
	board_unlock(b);
	return rc;
}

/* File-descriptor callbacks from the event loop come through here so that
 * device code runs under the board lock. */
static void dev_fd_dispatch(void *opaque, uint32_t revents)
{
	struct dev_fd *w = opaque;

	board_lock(w->b);
	if (w->fd >= 0)
		w->cb(w->arg, revents);
	board_unlock(w->b);
}

int dev_fd_watch(struct board *b, struct dev_fd *w, int fd, uint32_t events,
		 void (*cb)(void *arg, uint32_t revents), void *arg)
{
	int rc;

	if (!b->host.fd_watch)
		return -ENOTSUP;
	w->b = b;
	w->fd = fd;
	w->cb = cb;
	w->arg = arg;
	rc = b->host.fd_watch(b->host.opaque, fd, events, dev_fd_dispatch, w);
	if (rc < 0)
		w->fd = -1;
	return rc;
}

void dev_fd_modify(struct board *b, struct dev_fd *w, uint32_t events)
{
	if (w->fd >= 0 && b->host.fd_modify)
		b->host.fd_modify(b->host.opaque, w->fd, events);
}

void dev_fd_unwatch(struct board *b, struct dev_fd *w)
{
	if (w->fd >= 0 && b->host.fd_unwatch)
		b->host.fd_unwatch(b->host.opaque, w->fd);
	w->fd = -1;
}
