/*
 * Talking to running VM processes, for VBoxManage (the server side is
 * lib/vmm/control.c in the VM process).
 *
 * A running VM holds an exclusive lock on <runtime dir>/<uuid>.lock for
 * its whole life and serves <runtime dir>/<uuid>.sock; the runtime dir is
 * $XDG_RUNTIME_DIR/vbox, else /tmp/.vbox-<user>-ipc, mode 0700 and owned
 * by the user (both ends check).  Each request is one connection: the
 * client sends one record and reads records until the final one.
 *
 * Wire format: a record is a u32 length (little endian, at most
 * VMM_CTL_MAX_RECORD) and that many bytes of NUL-terminated fields.  The
 * request's first field names the operation; the reply's first field is
 * "ok" (more fields follow), "err" (hrc in hex, component, interface,
 * message) or "progress" (percent), the last two kinds final resp. not.
 *
 * Operations: status; pause; resume; reset; poweroff; savestate;
 * acpipowerbutton; acpisleepbutton; kbd <hex byte>...;
 * gp-get <name>; gp-set <name> <value> [<flags>]; gp-del <name>;
 * gp-enum; gp-wait <patterns> <timeout ms>;
 * dvd <controller> <port> <device> <image path or ""> <force 0|1>.
 */
#ifndef VB_VMM_VMCTL_H
#define VB_VMM_VMCTL_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/settings/state.h"
#include "lib/util/error.h"

#define VMM_CTL_MAX_RECORD (1u << 20)

/* The runtime directory path (not created); NULL when out of memory. */
char *vmm_ctl_runtime_dir(void);

/* Does a VM process hold this machine (uuid text, no braces)? */
bool vmm_ctl_alive(const char *uuid);

struct vmm_ctl_reply {
	unsigned n;
	char **f;               /* the fields after "ok" */
};

typedef void (*vmm_ctl_progress_fn)(void *ctx, unsigned percent);

/*
 * One request.  0 with the reply's fields in *out (free them with
 * vmm_ctl_reply_free), or -errno: -ESRCH when no VM process serves the
 * machine, -EPROTO and friends for a broken conversation, or the VM's
 * own refusal (-EINVAL with VirtualBox's error in err: text, result
 * code, component and interface).
 */
int vmm_ctl_call(const char *uuid, unsigned argc, const char *const *argv,
		 vmm_ctl_progress_fn progress, void *ctx,
		 struct vmm_ctl_reply *out, struct vb_error *err);
void vmm_ctl_reply_free(struct vmm_ctl_reply *r);
/* The value of a "key=value" field of a reply, or NULL. */
const char *vmm_ctl_reply_get(const struct vmm_ctl_reply *r, const char *key);

/* Wait (at most timeout_ms) until no VM process holds the machine.
 * 0, or -ETIMEDOUT. */
int vmm_ctl_wait_gone(const char *uuid, unsigned timeout_ms);

/* The live state of the machine: 1 with *state and *since_ms when a VM
 * process reported it, 0 when none runs the machine. */
int vmm_ctl_state(const char *uuid, enum vm_state *state, int64_t *since_ms,
		  char **session);

/* IPRT's multi-pattern match ("a*|b?"): '*' any run, '?' one char. */
bool vmm_ctl_pattern_match(const char *patterns, const char *s);

/* "running" -> VMS_RUNNING (the --machinereadable spelling).  0 or -EINVAL. */
int vmm_ctl_state_parse(const char *name, enum vm_state *out);

/* Record helpers shared with the server. */
int vmm_ctl_send(int fd, unsigned argc, const char *const *argv);
/* An "err" record carrying an error block (result code, component,
 * interface, message, callee). */
int vmm_ctl_send_err(int fd, const struct vb_error *err);
/* Receive one record: *fields points into the malloc'ed *buf. */
int vmm_ctl_recv(int fd, char **buf, char ***fields, unsigned *n);

#endif
