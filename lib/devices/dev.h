/*
 * Internal interface of lib/devices: what device models use.
 *
 *   struct device     base of every device instance (reset, release)
 *   struct io_region  a port or MMIO range served by a device
 *   irq_*             interrupt lines (ISA IRQs, PCI INTx through PIRQs)
 *   dtimer_*          timers on the board's virtual clock
 *   dma_*             guest-memory access with bounds checks
 *   dev_log()         a line in the VM log
 *
 * Everything here runs with the board lock held.
 */
#ifndef VB_DEVICES_DEV_H
#define VB_DEVICES_DEV_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/devices/devices.h"

#define DEV_CONTAINER(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

struct board;
struct device;

struct device_ops {
	void (*reset)(struct device *d);
	void (*release)(struct device *d);      /* frees the instance */
};

struct device {
	const char *name;
	const struct device_ops *ops;
	struct board *board;
	struct device *next;
};

/* Link a new device into the board (reset and release at the end). */
void dev_register(struct board *b, struct device *d, const char *name,
		  const struct device_ops *ops);

void dev_log(struct board *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Why a device could not be created (board_new() reports it). */
void dev_error(struct board *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------------ */
/* I/O bus                                                             */

#define IO_SZ1 0x1
#define IO_SZ2 0x2
#define IO_SZ4 0x4
#define IO_SZ8 0x8

struct io_ops {
	uint64_t (*read)(void *opaque, uint64_t off, unsigned size);
	void (*write)(void *opaque, uint64_t off, uint64_t val, unsigned size);
	/* Access sizes the device handles (IO_SZ* bits).  Wider accesses
	 * are split into the widest accepted size; narrower reads are
	 * served from an aligned read of the narrowest accepted size;
	 * narrower or misaligned writes are dropped and logged. */
	uint8_t sizes;
	/* Accesses must be naturally aligned (MMIO registers). */
	bool aligned;
};

enum io_space { IO_SPACE_PORT, IO_SPACE_MMIO };

struct io_region {
	const char *name;
	const struct io_ops *ops;
	void *opaque;
	enum io_space space;
	uint64_t base;
	uint64_t len;
	bool mapped;
	bool warned;            /* one log line per region for bad sizes */
};

void io_region_init(struct io_region *r, const char *name,
		    const struct io_ops *ops, void *opaque, enum io_space sp);
/* Map at base (moving it if already mapped).  -EBUSY on overlap. */
int io_region_map(struct board *b, struct io_region *r, uint64_t base,
		  uint64_t len);
void io_region_unmap(struct board *b, struct io_region *r);

/* Dispatch an access on the bus (devices that forward, tests). */
uint64_t bus_read(struct board *b, enum io_space sp, uint64_t addr,
		  unsigned size);
void bus_write(struct board *b, enum io_space sp, uint64_t addr,
	       uint64_t val, unsigned size);

/* ------------------------------------------------------------------ */
/* Interrupts                                                          */

/* A source id (bit) for a device driving a shared line. */
int irq_source_new(struct board *b);
/* ISA IRQ 0..15 as driven by one source; the line is the OR of all. */
void irq_isa_set(struct board *b, unsigned irq, int src, bool level);
void irq_isa_pulse(struct board *b, unsigned irq, int src);
/* PCI INTA..INTD (pin 1..4) of function devfn. */
void irq_pci_set(struct board *b, unsigned devfn, unsigned pin, bool level);
/* The PIIX3 changed a PIRQ route or ELCR. */
void irq_pirq_changed(struct board *b);

/* ------------------------------------------------------------------ */
/* Timers                                                              */

struct dtimer {
	uint64_t expire;        /* virtual ns */
	void (*cb)(void *opaque);
	void *opaque;
	bool armed;
	struct dtimer *next;
};

void dtimer_init(struct dtimer *t, void (*cb)(void *), void *opaque);
void dtimer_mod(struct board *b, struct dtimer *t, uint64_t expire_ns);
void dtimer_del(struct board *b, struct dtimer *t);
uint64_t dev_clock_ns(struct board *b);

/* ------------------------------------------------------------------ */
/* Guest memory                                                        */

/* Copy from/to guest RAM.  0, or -EFAULT when any byte lies outside RAM
 * (nothing is copied then). */
int dma_read(struct board *b, uint64_t gpa, void *buf, size_t len);
int dma_write(struct board *b, uint64_t gpa, const void *buf, size_t len);

/* ------------------------------------------------------------------ */
/* Host services                                                       */

const struct board_config *board_cfg(struct board *b);
const struct board_host *board_hostops(struct board *b);
void board_request_reset(struct board *b, enum board_reset_cause c);
void board_request_poweroff(struct board *b);
void board_set_a20(struct board *b, bool on);

/* Event-loop watches on host file descriptors (serial backends).  The
 * callback runs on the event-loop thread with the board lock held. */
struct dev_fd {
	struct board *b;
	int fd;                 /* -1 when not watched */
	void (*cb)(void *arg, uint32_t revents);
	void *arg;
};

int dev_fd_watch(struct board *b, struct dev_fd *w, int fd, uint32_t events,
		 void (*cb)(void *arg, uint32_t revents), void *arg);
void dev_fd_modify(struct board *b, struct dev_fd *w, uint32_t events);
void dev_fd_unwatch(struct board *b, struct dev_fd *w);

/* ------------------------------------------------------------------ */
/* Devices that other devices talk to                                  */

struct pic;
struct ioapic;
struct pci_bus;
struct fwcfg;
struct i8042;

struct pic *board_pic(struct board *b);
struct ioapic *board_ioapic(struct board *b);
struct pci_bus *board_pci(struct board *b);
struct i8042 *board_i8042(struct board *b);
void board_set_pic(struct board *b, struct pic *p);
void board_set_ioapic(struct board *b, struct ioapic *io);
void board_set_pci(struct board *b, struct pci_bus *bus);
void board_set_i8042(struct board *b, struct i8042 *k);
void board_set_pm(struct board *b, struct device *pm);
void board_set_piix3(struct board *b, struct device *d);
struct device *board_piix3(struct board *b);
struct device *board_pm(struct board *b);

/* pic-8259.c */
void pic_set_irq(struct pic *p, unsigned irq, bool level);
bool pic_output(struct pic *p);
int pic_ack(struct pic *p);
void pic_set_elcr(struct pic *p, uint16_t elcr);
uint16_t pic_get_elcr(struct pic *p);

/* ioapic.c */
void ioapic_set_irq(struct ioapic *io, unsigned pin, bool level);
void ioapic_eoi(struct ioapic *io, uint8_t vector);
void ioapic_routes(struct ioapic *io, struct board_msi_route out[24]);

/* piix3.c: PIRQ routing registers (0x80 = disabled) */
uint8_t piix3_pirq_route(struct board *b, unsigned pirq);

/* piix4-pm.c */
void pm_power_button(struct device *pm);

/* i8042.c */
int i8042_kbd_put(struct i8042 *k, const uint8_t *codes, size_t n);

/* Device constructors (the board's device table, board.c). */
int i440fx_create(struct board *b, const struct board_config *cfg);
int piix3_create(struct board *b, const struct board_config *cfg);
int pic_create(struct board *b, const struct board_config *cfg);
int pit_create(struct board *b, const struct board_config *cfg);
int rtc_create(struct board *b, const struct board_config *cfg);
int ioapic_create(struct board *b, const struct board_config *cfg);
int i8042_create(struct board *b, const struct board_config *cfg);
int serial_create(struct board *b, const struct board_config *cfg);
int fwcfg_create(struct board *b, const struct board_config *cfg);
int dbgport_create(struct board *b, const struct board_config *cfg);
int pm_create(struct board *b, const struct board_config *cfg);
int ide_create(struct board *b, const struct board_config *cfg);
int ahci_create(struct board *b, const struct board_config *cfg);

/* Byte order helpers. */
static inline uint16_t dev_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t dev_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) |
	       ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline uint64_t dev_le64(const uint8_t *p)
{
	return dev_le32(p) | ((uint64_t)dev_le32(p + 4) << 32);
}

static inline void dev_put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void dev_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void dev_put_le64(uint8_t *p, uint64_t v)
{
	dev_put_le32(p, (uint32_t)v);
	dev_put_le32(p + 4, (uint32_t)(v >> 32));
}

static inline void dev_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void dev_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline uint32_t dev_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

static inline uint64_t dev_be64(const uint8_t *p)
{
	return ((uint64_t)dev_be32(p) << 32) | dev_be32(p + 4);
}

#endif
