/*
 * Internal structures of lib/vmm (not for engines: they use engine.h).
 */
#ifndef VB_VMM_INT_H
#define VB_VMM_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include "lib/devices/devices.h"
#include "lib/util/lock.h"
#include "lib/vmm/engine.h"
#include "lib/vmm/vmm.h"

struct medium;

/* ------------------------------------------------------------------ */
/* Configuration (config.c): the machine's settings, checked            */

enum vmm_engine_req { ENGINE_REQ_DEFAULT, ENGINE_REQ_KVM, ENGINE_REQ_IEM,
		      ENGINE_REQ_AUTO };

#define VMM_MAX_MEDIA 64

struct vmm_attachment_info {
	char *line;             /* for the log: "IDE port 1 device 0: DVD ..." */
};

struct vmm_config {
	char *name;
	char *uuid;             /* text, no braces */
	char *ostype;
	char *settings_path;
	char *folder;           /* machine folder */
	char *log_dir;          /* <folder>/Logs */
	unsigned log_history;   /* VBox.log.N kept (SystemProperties) */
	uint64_t ram_mb;
	uint32_t vram_mb;
	char *chipset;
	char *firmware;         /* "BIOS" */
	struct vmm_cpu_config cpu;
	struct vmm_cpuid_leaf overrides[64];
	char *profile;
	enum vmm_engine_req engine_req;
	char *engine_req_src;   /* where the request came from, for the log */
	struct board_config board;
	struct medium *media[VMM_MAX_MEDIA];
	unsigned n_media;
	char *lines[VMM_MAX_MEDIA * 2]; /* storage/UART description lines */
	unsigned n_lines;
	bool acpi, ioapic, rtc_utc;
	char *bios_path;
};

int vmm_config_load(struct machine *m, struct vmm_config *cfg,
		    enum vmm_fail *where, struct vb_error *err);
void vmm_config_release(struct vmm_config *cfg);
/* IPRT status name for an errno ("VERR_FILE_NOT_FOUND"). */
const char *vmm_verr_name(int errnum);
/* Host physical memory in bytes (for the RAM check). */
uint64_t vmm_host_ram(void);

/* cpuid.c: 0 for a known CPU profile (legacy: pre-CPUID CPU that only
 * the software engine can be), -ENOENT for an unknown name. */
int vmm_cpu_profile_lookup(const char *name, bool *legacy);
/* kvm.c: is the host's KVM the PVM flavour (kvm_pvm)? */
bool vmm_kvm_host_is_pvm(void);

/* ------------------------------------------------------------------ */
/* VBox.log (log.c)                                                     */

struct vmm_log {
	pthread_mutex_t lock;
	FILE *f;
	uint64_t t0_ns;
	char *path;
};

int vmm_log_open(struct vmm_log *l, const char *dir, unsigned history,
		 struct vb_error *err);
void vmm_log_close(struct vmm_log *l);
void vmm_log_line(struct vmm_log *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void vmm_log_vline(struct vmm_log *l, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* ------------------------------------------------------------------ */
/* Event loop (loop.c)                                                  */

#define LOOP_MAX_WATCH 64

struct loop_watch {
	int fd;
	void (*cb)(void *arg, uint32_t revents);
	void *arg;
};

struct vmm_loop {
	int epfd;
	int wakefd;             /* eventfd: requests from other threads */
	int timerfd;            /* board timers */
	struct loop_watch watch[LOOP_MAX_WATCH];
	pthread_mutex_t lock;
};

int loop_init(struct vmm_loop *l);
void loop_release(struct vmm_loop *l);
int loop_watch(struct vmm_loop *l, int fd, uint32_t events,
	       void (*cb)(void *arg, uint32_t revents), void *arg);
int loop_modify(struct vmm_loop *l, int fd, uint32_t events);
void loop_unwatch(struct vmm_loop *l, int fd);
/* Async-signal-safe. */
void loop_wake(struct vmm_loop *l);
/* Arm the timer at host monotonic ns (UINT64_MAX disarms). */
void loop_arm_timer(struct vmm_loop *l, uint64_t host_ns);
/* Wait for events and dispatch them; returns true when woken by
 * loop_wake() (requests to look at). */
bool loop_run_once(struct vmm_loop *l, int timeout_ms, bool *timer);

/* ------------------------------------------------------------------ */
/* Guest memory (mem.c)                                                 */

struct vmm_mem {
	struct vmm_mem_region region[4];
	unsigned n;
	uint8_t *ram;           /* whole RAM mapping */
	size_t ram_len;
	uint8_t *rom;
	size_t rom_len;
	bool huge;
};

int vmm_mem_init(struct vmm_mem *mm, struct vmm_config *cfg,
		 struct vb_error *err);
void vmm_mem_release(struct vmm_mem *mm);
/* (Re)load the firmware image: ROM at 4 GiB - size, last 128 KiB into
 * RAM at 0xe0000. */
void vmm_mem_load_bios(struct vmm_mem *mm);

/* ------------------------------------------------------------------ */
/* Session lock (session.c)                                             */

int vmm_session_lock(const char *uuid, const char *name, struct vb_lock *lk,
		     char **runtime_dir, struct vb_error *err);

/* ------------------------------------------------------------------ */
/* The VM                                                               */

struct vmm_vcpu {
	struct vmm_vm *vm;
	unsigned idx;
	pthread_t thread;
	bool thread_started;
	void *engine_data;
	bool parked;            /* sits in the park (state_lock) */
	bool hold;              /* stays parked until reset/power off */
};

enum vmm_req {
	REQ_POWEROFF = 0x1,     /* front end / signal */
	REQ_GUEST_POWEROFF = 0x2, /* ACPI S5 */
	REQ_RESET = 0x4,
	REQ_SHUTDOWN = 0x8,     /* triple fault */
	REQ_FATAL = 0x10,       /* an engine gave up */
};

struct vmm_vm {
	struct vmm_config cfg;
	struct vmm_options opt;
	struct vmm_log log;
	struct vmm_loop loop;
	struct vmm_mem mem;
	struct board *board;
	const struct vmm_engine *engine;
	void *engine_data;
	struct vmm_vcpu *vcpus;
	unsigned ncpus;
	struct vb_lock session;
	char *runtime_dir;
	/* state machine */
	pthread_mutex_t state_lock;
	pthread_cond_t state_cond;
	enum vmm_state state;
	_Atomic unsigned requests;      /* enum vmm_req bits */
	_Atomic bool stop;              /* vCPUs must park */
	unsigned parked;
	unsigned nthreads;
	bool quit;                      /* vCPU threads exit */
	const char *poweroff_reason;
};

void vmm_vm_set_state(struct vmm_vm *vm, enum vmm_state s);
void vmm_vm_post(struct vmm_vm *vm, unsigned req);

#endif
