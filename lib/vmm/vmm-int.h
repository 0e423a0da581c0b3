/*
 * Internal structures of lib/vmm (not for engines: they use engine.h).
 */
#ifndef VB_VMM_INT_H
#define VB_VMM_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include "lib/devices/devices.h"
#include "lib/settings/state.h"
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
	char *ctl_names[BOARD_MAX_STORAGE]; /* board storage index -> name */
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
/* The private runtime directory ($XDG_RUNTIME_DIR/vbox or
 * /tmp/.vbox-<user>-ipc), created 0700 and checked to be ours. */
int vmm_runtime_dir(char **out, struct vb_error *err);

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
	REQ_SAVE_OR_OFF = 0x20, /* VBoxHeadless got SIGTERM & co. */
};

/* A function another thread wants run on the event-loop thread (control
 * requests): queued with vmm_vm_exec(), which waits for it. */
struct vmm_call {
	int (*fn)(struct vmm_vm *vm, void *arg, struct vb_error *err);
	void *arg;
	struct vb_error err;
	int rc;
	bool done;
	struct vmm_call *next;
};

struct vmm_control;
struct vmm_gprops;

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
	/* the machine, as VirtualBox reports it (control socket) */
	struct machine *machine;        /* the front end's; outlives the VM */
	enum vm_state mstate;           /* under state_lock */
	int64_t mstate_since_ms;        /* wall clock of the last change */
	bool done;                      /* the run loop ends */
	enum vmm_exit exit_kind;
	char *restore_path;             /* stateFile to restore, or NULL */
	bool aborted_marked;            /* the .vbox says aborted="true" */
	/* requests from control threads */
	pthread_mutex_t call_lock;
	pthread_cond_t call_cond;
	struct vmm_call *calls;
	bool calls_closed;              /* the run loop is gone */
	struct vmm_control *control;
	struct vmm_gprops *gprops;
	/* saving on a signal: progress for the front end */
	void (*save_progress)(void *ctx, int percent, bool done,
			      const struct vb_error *err);
	void *save_progress_ctx;
};

void vmm_vm_set_state(struct vmm_vm *vm, enum vmm_state s);
void vmm_vm_post(struct vmm_vm *vm, unsigned req);
/* The state VirtualBox's API shows (running, paused, saving...), with
 * the log line "Console: Machine state changed to '<api name>'". */
void vmm_vm_set_mstate(struct vmm_vm *vm, enum vm_state ms);
enum vm_state vmm_vm_mstate(struct vmm_vm *vm, int64_t *since_ms);
/* Reset the machine (firmware restarts); on the event-loop thread. */
void vmm_vm_do_reset(struct vmm_vm *vm, const char *why);
/* Park every vCPU (they leave the engine and wait) / let them go. */
void vmm_vm_park_all(struct vmm_vm *vm);
void vmm_vm_unpark_all(struct vmm_vm *vm);
/* Run fn on the event-loop thread and wait for it (any other thread).
 * -ESRCH with VirtualBox's "not running" error once the loop is gone. */
int vmm_vm_exec(struct vmm_vm *vm,
		int (*fn)(struct vmm_vm *vm, void *arg, struct vb_error *err),
		void *arg, struct vb_error *err);
/* The loop thread: run what is queued / fail it all at the end. */
void vmm_vm_run_calls(struct vmm_vm *vm);
void vmm_vm_close_calls(struct vmm_vm *vm);

/* ------------------------------------------------------------------ */
/* Running-machine operations (vmctl-ops.c), on the event-loop thread   */

int vmm_op_pause(struct vmm_vm *vm, struct vb_error *err);
int vmm_op_resume(struct vmm_vm *vm, struct vb_error *err);
int vmm_op_reset(struct vmm_vm *vm, struct vb_error *err);
int vmm_op_poweroff(struct vmm_vm *vm, struct vb_error *err);
int vmm_op_power_button(struct vmm_vm *vm, bool sleep, struct vb_error *err);
/* Save the state and end the run loop; progress(ctx, percent). */
int vmm_op_savestate(struct vmm_vm *vm, void (*progress)(void *ctx, unsigned pct),
		     void *ctx, struct vb_error *err);
/* Another medium (path, or "" for none) in the DVD drive at ctl/port/dev. */
int vmm_op_dvd(struct vmm_vm *vm, const char *ctl, unsigned port,
	       unsigned dev, const char *path, bool force, struct vb_error *err);
/* Restore vm->restore_path into the created VM (vmm_vm_run). */
int vmm_op_restore(struct vmm_vm *vm, bool *paused, struct vb_error *err);

/* The machine's settings file, as the VM process keeps it (machinefile.c). */
int vmm_mf_mark_running(struct vmm_vm *vm, struct vb_error *err);
int vmm_mf_mark_off(struct vmm_vm *vm, struct vb_error *err);
int vmm_mf_mark_saved(struct vmm_vm *vm, const char *sav, struct vb_error *err);
/* Where a new saved state goes: <snapshot folder>/<UTC time>.sav. */
char *vmm_mf_new_state_path(struct vmm_vm *vm);

/* ------------------------------------------------------------------ */
/* Guest properties of the running VM (gprops.c)                        */

int vmm_gprops_init(struct vmm_vm *vm, struct vb_error *err);
/* Wake every waiter for good (the VM goes away). */
void vmm_gprops_close(struct vmm_vm *vm);
void vmm_gprops_free(struct vmm_vm *vm);
/* Persistent properties back into the .vbox (the VM stops). */
int vmm_gprops_store(struct vmm_vm *vm, struct vb_error *err);
/* All of them, transient ones too (the state is saved). */
int vmm_gprops_store_all(struct vmm_vm *vm, struct vb_error *err);
/* 0 with copies (free them), or -ENOENT. */
int vmm_gprops_get(struct vmm_vm *vm, const char *name, char **value,
		   int64_t *ts, char **flags);
/* value NULL deletes; flags NULL keeps the old ones (or none). */
int vmm_gprops_set(struct vmm_vm *vm, const char *name, const char *value,
		   const char *flags, struct vb_error *err);
void vmm_gprops_each(struct vmm_vm *vm,
		     void (*fn)(void *ctx, const char *name, const char *value,
				int64_t ts, const char *flags),
		     void *ctx);
/* The next change of a property matching patterns: 0 (copies), or
 * -ETIMEDOUT, -ESHUTDOWN. */
int vmm_gprops_wait(struct vmm_vm *vm, const char *patterns,
		    uint32_t timeout_ms, char **name, char **value,
		    char **flags, bool *deleted);

/* ------------------------------------------------------------------ */
/* Control socket (control.c)                                           */

int vmm_control_start(struct vmm_vm *vm, struct vb_error *err);
void vmm_control_stop(struct vmm_vm *vm);

#endif
