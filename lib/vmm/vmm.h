/*
 * lib/vmm: running a virtual machine.
 *
 * A front end (VBoxHeadless, VBoxSDL) finds the machine in the settings,
 * then:
 *
 *   vmm_vm_create()   reads the machine's settings into a board and CPU
 *                     description (config.c), takes the session lock,
 *                     opens Logs/VBox.log, media, guest RAM, the firmware
 *                     and the execution engine.  Nothing runs yet; every
 *                     configuration error is reported here.
 *   vmm_vm_run()      powers the machine on and runs it on the calling
 *                     thread's event loop (vCPUs on their own threads)
 *                     until the guest powers off or a power-off is
 *                     requested; returns 0 for a clean power-off.
 *   vmm_vm_request_poweroff()  from any thread or a signal handler.
 *   vmm_vm_free()     releases everything, including the session lock.
 *
 * While it runs, the VM serves the control socket <runtime dir>/<uuid>.sock
 * (control.c; VBoxManage's side is vmctl.h): state queries, pause, resume,
 * reset, power off, saving the state, ACPI buttons, the keyboard, guest
 * properties.  A machine with a saved state (Machine@stateFile) is restored
 * by vmm_vm_run() instead of powered on.  The VM process keeps the .vbox
 * up to date: aborted="true" while the guest runs (so that a crash leaves
 * the machine aborted), stateFile after a save, lastStateChange.
 *
 * Errors carry VirtualBox's texts and result codes in struct vb_error;
 * err->hrc tells the front end how VirtualBox would have reported it
 * (see enum vmm_fail).
 */
#ifndef VB_VMM_H
#define VB_VMM_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/settings/settings.h"
#include "lib/util/error.h"

struct vmm_vm;

struct vmm_options {
	bool start_paused;
	const char *frontend;   /* "headless" */
	const char *executable; /* for the log */
	/* Called once on the vmm_vm_run() thread when the machine runs (or
	 * is paused by start_paused): the front end tells whoever started it
	 * (startvm).  Optional. */
	void (*on_running)(void *ctx);
	void *ctx;
};

/* Where vmm_vm_create() failed, so the front end can print it the way
 * VirtualBox's front end prints the failing API call. */
enum vmm_fail {
	VMM_FAIL_NONE,
	VMM_FAIL_LOCK,          /* LockMachine: settings or session lock */
	VMM_FAIL_POWERUP,       /* PowerUp: the power-up progress failed */
};

/* VM states as VirtualBox's VMM names them in VBox.log. */
enum vmm_state {
	VMM_CREATING,
	VMM_CREATED,
	VMM_POWERING_ON,
	VMM_RUNNING,
	VMM_SUSPENDED,
	VMM_RESETTING,
	VMM_GURU_MEDITATION,
	VMM_POWERING_OFF,
	VMM_OFF,
	VMM_SAVING,
	VMM_LOADING,
};

/* How vmm_vm_run() ended. */
enum vmm_exit {
	VMM_EXIT_POWEROFF,      /* guest, front end or controlvm poweroff */
	VMM_EXIT_SAVED,         /* the state was saved (stateFile set) */
};

int vmm_vm_create(struct machine *m, const struct vmm_options *opt,
		  struct vmm_vm **out, enum vmm_fail *where,
		  struct vb_error *err);
int vmm_vm_run(struct vmm_vm *vm, struct vb_error *err);
enum vmm_exit vmm_vm_exit_kind(struct vmm_vm *vm);
/* Async-signal-safe: asks the event loop to power the machine off. */
void vmm_vm_request_poweroff(struct vmm_vm *vm);
/* Async-signal-safe: asks the event loop to end the VM the way
 * VBoxHeadless does on SIGINT/SIGTERM/SIGHUP: save the state of a running
 * machine, power off one that is not running (paused, stuck). */
void vmm_vm_request_save_or_poweroff(struct vmm_vm *vm);
/* The progress of that save ("Saving the execution state...: 10%..."):
 * called on the vmm_vm_run() thread, percent 0..100, then done with the
 * result.  Optional, set before the request. */
void vmm_vm_set_save_progress(struct vmm_vm *vm,
			      void (*fn)(void *ctx, int percent, bool done,
					 const struct vb_error *err),
			      void *ctx);
/* Called by the front end once it has reported the VM as running (the
 * log says so); optional. */
enum vmm_state vmm_vm_state(struct vmm_vm *vm);
const char *vmm_state_name(enum vmm_state s);
void vmm_vm_free(struct vmm_vm *vm);

/* One line in the VM's log (front ends log their own events). */
void vmm_vm_log(struct vmm_vm *vm, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Watch a file descriptor on the VM's event loop (control sockets and the
 * like); cb runs on the event-loop thread. */
int vmm_vm_fd_watch(struct vmm_vm *vm, int fd, uint32_t events,
		    void (*cb)(void *arg, uint32_t revents), void *arg);
void vmm_vm_fd_unwatch(struct vmm_vm *vm, int fd);

/* The i-th CPU profile --cpu-profile accepts (NULL past the last one):
 * its name, its full name (the brand string a guest sees) and whether it
 * is a pre-64-bit (x86 only) CPU. */
const char *vmm_cpu_profile_at(unsigned i, const char **full_name,
			       bool *x86_only);

#endif
