/*
 * lib/devices: the emulated PC (VirtualBox's PIIX3 machine).
 *
 * A struct board is every device of one virtual machine: chipset, PIC,
 * IOAPIC, PIT, RTC, i8042, UARTs, fw_cfg, ACPI PM, IDE and AHCI with their
 * drives.  It is built from a struct board_config, which lib/vmm/config.c
 * makes from the machine's settings; devices never see XML.
 *
 * Execution engines (KVM, the software CPU) and the VMM's event loop drive
 * the board through the functions below; the board calls back into the
 * VMM through struct board_host.  All board_* entry points take the
 * board's lock themselves (one lock for all device state); the host
 * callbacks are made with that lock held and must not call back into the
 * board.
 *
 * Without a VMM (unit tests, fuzzers) a board runs on a manual clock:
 * board_clock_advance() moves virtual time and fires due timers.
 */
#ifndef VB_DEVICES_H
#define VB_DEVICES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/util/error.h"

struct board;

/* ------------------------------------------------------------------ */
/* Configuration                                                       */

/* Where the bytes of a drive come from (lib/vmm wraps lib/media). */
struct board_blk_ops {
	int (*read)(void *opaque, uint64_t off, void *buf, size_t len);
	int (*write)(void *opaque, uint64_t off, const void *buf, size_t len);
	int (*flush)(void *opaque);
};

struct board_blk {
	const struct board_blk_ops *ops;    /* NULL: no medium */
	void *opaque;
	uint64_t size;                      /* bytes */
	bool readonly;
};

enum board_drive_kind {
	BOARD_DRIVE_NONE = 0,
	BOARD_DRIVE_DISK,
	BOARD_DRIVE_CDROM,      /* ATAPI; blk.ops NULL = empty tray */
};

struct board_drive_cfg {
	enum board_drive_kind kind;
	struct board_blk blk;
	bool nonrotational;
	char serial[21];        /* ATA serial number (space padded on use) */
	char model[41];
};

enum board_ctl_type {
	BOARD_CTL_PIIX3,        /* PCI IDE 8086:7010 */
	BOARD_CTL_PIIX4,        /* PCI IDE 8086:7111 */
	BOARD_CTL_ICH6,         /* PCI IDE 8086:269e */
	BOARD_CTL_AHCI,         /* IntelAhci 8086:2829 */
};

#define BOARD_AHCI_MAX_PORTS 30
#define BOARD_IDE_DRIVES     4      /* channel * 2 + device */

struct board_storage_cfg {
	enum board_ctl_type type;
	unsigned port_count;    /* AHCI: implemented ports */
	bool bootable;
	/* IDE: index = channel * 2 + device; AHCI: index = port */
	struct board_drive_cfg drives[BOARD_AHCI_MAX_PORTS];
};

enum board_serial_mode {
	BOARD_SERIAL_DISCONNECTED = 0,
	BOARD_SERIAL_FILE,          /* RawFile: output written to path */
	BOARD_SERIAL_PIPE_SERVER,   /* HostPipe, server: listening Unix socket */
	BOARD_SERIAL_PIPE_CLIENT,   /* HostPipe, client: connect to one */
	BOARD_SERIAL_TCP_SERVER,    /* TCP, server: listen on port "path" */
	BOARD_SERIAL_TCP_CLIENT,    /* TCP, client: connect to "host:port" */
	BOARD_SERIAL_DEVICE,        /* HostDevice: a host tty */
};

enum board_uart_type { BOARD_UART_16450, BOARD_UART_16550A, BOARD_UART_16750 };

struct board_serial_cfg {
	bool enabled;
	uint16_t iobase;
	uint8_t irq;
	enum board_serial_mode mode;
	enum board_uart_type type;
	char path[4096];
};

enum board_boot_dev {
	BOARD_BOOT_NONE = 0, BOARD_BOOT_FLOPPY, BOARD_BOOT_DVD,
	BOARD_BOOT_HDD, BOARD_BOOT_NET,
};

/* Guest RAM as the VMM laid it out, for DMA and the firmware memory map. */
struct board_ram {
	uint64_t gpa;
	uint64_t size;
	void *hva;
};

#define BOARD_MAX_RAM 4
#define BOARD_MAX_STORAGE 8

struct board_config {
	uint64_t ram_size;          /* total guest RAM, bytes */
	uint64_t ram_below_4g;      /* part of it below the PCI hole */
	struct board_ram ram[BOARD_MAX_RAM];
	unsigned n_ram;
	unsigned cpus;
	bool ioapic;
	bool acpi;
	bool rtc_utc;               /* RTC holds UTC, else local time */
	int64_t time_offset_ms;     /* <BIOS><TimeOffset> */
	uint8_t uuid[16];           /* hardware UUID, text order */
	enum board_boot_dev boot[4];
	bool sercon;                /* mirror the firmware console to COM1 */
	struct board_serial_cfg serial[4];
	struct board_storage_cfg storage[BOARD_MAX_STORAGE];
	unsigned n_storage;
	/* Reserved by the VMM (KVM's identity map and TSS); reported as
	 * reserved in the firmware's memory map.  0 = none. */
	uint64_t reserved_gpa, reserved_len;
	/* Tests: virtual time starts at 0 and moves only with
	 * board_clock_advance(), which fires due timers. */
	bool manual_clock;
};

struct board_msi_route {
	bool valid;             /* pin unmasked */
	uint64_t addr;
	uint32_t data;
};

/* ------------------------------------------------------------------ */
/* What the board needs from its host (the VMM, or a test)             */

enum board_reset_cause {
	BOARD_RESET_CF9,            /* PIIX reset control register */
	BOARD_RESET_KBC,            /* i8042 output port / pulse */
	BOARD_RESET_PORT92,         /* fast reset through port 0x92 */
};

struct board_host {
	void *opaque;
	/* One line for the VM log (no trailing newline needed). */
	void (*log)(void *opaque, const char *fmt, va_list ap);
	/* The PIC's INTR output changed; the engine should poll
	 * board_intr_pending() and deliver with board_intr_ack(). */
	void (*intr_changed)(void *opaque, bool level);
	/* The IOAPIC sends an interrupt message (x86 MSI format). */
	void (*msi)(void *opaque, uint64_t addr, uint32_t data);
	/* IOAPIC redirection entries changed; routes[pin] is what each pin
	 * would send now (KVM: EOI exits for level vectors). */
	void (*ioapic_changed)(void *opaque,
			       const struct board_msi_route routes[24]);
	void (*reset)(void *opaque, enum board_reset_cause cause);
	void (*poweroff)(void *opaque);
	/* The earliest timer deadline may have moved earlier. */
	void (*timers_changed)(void *opaque);
	/* Watch a file descriptor; the board's callback runs with the lock
	 * held.  events are EPOLLIN/EPOLLOUT bits.  NULL: no event loop
	 * (tests); then backends that need one are refused. */
	int (*fd_watch)(void *opaque, int fd, uint32_t events,
			void (*cb)(void *arg, uint32_t revents), void *arg);
	int (*fd_modify)(void *opaque, int fd, uint32_t events);
	void (*fd_unwatch)(void *opaque, int fd);
};

/* ------------------------------------------------------------------ */
/* Life cycle                                                          */

int board_new(const struct board_config *cfg, const struct board_host *host,
	      struct board **out, struct vb_error *err);
void board_free(struct board *b);
/* Power-on / hard reset state of every device. */
void board_reset(struct board *b);

/* ------------------------------------------------------------------ */
/* Engines: I/O, interrupts                                            */

/* One port access of 1, 2 or 4 bytes.  *val in/out. */
void board_pio(struct board *b, uint16_t port, bool is_write, unsigned size,
	       uint32_t *val);
/* count consecutive accesses of size bytes at the same port (string
 * I/O); buf holds count * size bytes. */
void board_pio_string(struct board *b, uint16_t port, bool is_write,
		      unsigned size, uint32_t count, void *buf);
/* One MMIO access of 1, 2, 4 or 8 bytes; data little-endian in buf. */
void board_mmio(struct board *b, uint64_t addr, bool is_write, unsigned size,
		void *data);

/* The PIC pair's INTR output. */
bool board_intr_pending(struct board *b);
/* Interrupt acknowledge: the vector to deliver (spurious 7/15 when
 * nothing is pending any more). */
int board_intr_ack(struct board *b);
/* A local APIC accepted EOI for a level-triggered vector. */
void board_ioapic_eoi(struct board *b, uint8_t vector);

/* The message each IOAPIC pin would send now (24 pins); false without an
 * IOAPIC. */
bool board_ioapic_routes(struct board *b, struct board_msi_route out[24]);

/* Gate A20 as the chipset (port 0x92, i8042) sets it. */
bool board_a20(struct board *b);

/* ------------------------------------------------------------------ */
/* Time                                                                */

/* Virtual time in ns; stops while paused. */
uint64_t board_clock_ns(struct board *b);
/* Run due timers; returns the next deadline (virtual ns) or UINT64_MAX. */
uint64_t board_timers_run(struct board *b);
/* Host monotonic ns of a virtual deadline (for the event loop). */
uint64_t board_clock_host_ns(struct board *b, uint64_t vns);
void board_clock_pause(struct board *b);
void board_clock_resume(struct board *b);
/* Manual clock (board_config.manual_clock): move time, firing timers. */
void board_clock_advance(struct board *b, uint64_t ns);

/* ------------------------------------------------------------------ */
/* Front-end events                                                    */

/* ACPI power button (PM1 status PWRBTN, SCI). */
void board_acpi_power_button(struct board *b);
/* Scan codes for the PS/2 keyboard (set 1 as VirtualBox takes them). */
int board_kbd_put(struct board *b, const uint8_t *codes, size_t n);
/* Names of the device table, for the log (NULL past the end). */
const char *board_device_name(unsigned i);
/* The device instances this board has, space separated (for the log). */
void board_describe(struct board *b, char *buf, size_t size);

#endif
