/*
 * The VM process's control socket, <runtime dir>/<uuid>.sock (protocol
 * in vmctl.h).  It exists from just after the session lock is taken until
 * just before it is released.
 *
 * An accept thread takes connections and checks the peer (SO_PEERCRED:
 * the same user only; the directory is private as well); each connection
 * gets a short-lived worker thread that reads one request and answers it.
 * Status queries and guest properties are answered by the worker itself,
 * so they stay quick while the event loop is busy (saving a large RAM);
 * everything that changes the machine runs on the event-loop thread
 * through vmm_vm_exec().
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/util/strbuf.h"
#include "lib/vmm/vmctl.h"
#include "lib/vmm/vmm-int.h"

#define CTL_MAX_WORKERS 32
#define CTL_IO_TIMEOUT_S 10

struct vmm_control {
	struct vmm_vm *vm;
	int listen_fd;
	int stop_fd;                    /* eventfd: the accept thread ends */
	char *path;
	pthread_t accept_thread;
	bool accept_started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned workers;
};

struct conn {
	struct vmm_control *ctl;
	int fd;
};

/* ------------------------------------------------------------------ */
/* Replies                                                             */

static void reply_ok(int fd, unsigned n, const char *const *fields)
{
	const char *f[16];
	unsigned i;

	f[0] = "ok";
	for (i = 0; i < n && i < 15; i++)
		f[i + 1] = fields[i];
	vmm_ctl_send(fd, i + 1, f);
}

static void reply_syntax(int fd, const char *what)
{
	struct vb_error err = { 0 };

	vb_err(&err, EINVAL, VB_E_INVALIDARG, "Bad control request: %s", what);
	vmm_ctl_send_err(fd, &err);
}

/* ------------------------------------------------------------------ */
/* Operations                                                          */

static int op_pause(struct vmm_vm *vm, void *arg, struct vb_error *err)
{
	(void)arg;
	return vmm_op_pause(vm, err);
}

static int op_resume(struct vmm_vm *vm, void *arg, struct vb_error *err)
{
	(void)arg;
	return vmm_op_resume(vm, err);
}

static int op_reset(struct vmm_vm *vm, void *arg, struct vb_error *err)
{
	(void)arg;
	return vmm_op_reset(vm, err);
}

static int op_poweroff(struct vmm_vm *vm, void *arg, struct vb_error *err)
{
	(void)arg;
	return vmm_op_poweroff(vm, err);
}

static int op_power_button(struct vmm_vm *vm, void *arg, struct vb_error *err)
{
	(void)arg;
	return vmm_op_power_button(vm, false, err);
}

static int op_sleep_button(struct vmm_vm *vm, void *arg, struct vb_error *err)
{
	(void)arg;
	return vmm_op_power_button(vm, true, err);
}

struct save_ctx {
	int fd;
	unsigned last;
};

static void save_progress(void *ctx, unsigned pct)
{
	struct save_ctx *s = ctx;
	char b[8];
	const char *f[2] = { "progress", b };

	if (pct / 10 == s->last / 10)
		return;
	s->last = pct;
	snprintf(b, sizeof(b), "%u", pct);
	vmm_ctl_send(s->fd, 2, f);
}

static int op_savestate(struct vmm_vm *vm, void *arg, struct vb_error *err)
{
	return vmm_op_savestate(vm, save_progress, arg, err);
}

struct dvd {
	const char *ctl, *path;
	unsigned port, dev;
	bool force;
};

static int op_dvd(struct vmm_vm *vm, void *arg, struct vb_error *err)
{
	struct dvd *d = arg;

	return vmm_op_dvd(vm, d->ctl, d->port, d->dev, d->path, d->force, err);
}

struct kbd {
	const uint8_t *codes;
	size_t n, done;
};

static int op_kbd(struct vmm_vm *vm, void *arg, struct vb_error *err)
{
	struct kbd *k = arg;

	(void)err;
	for (k->done = 0; k->done < k->n; k->done++)
		if (board_kbd_put(vm->board, &k->codes[k->done], 1) < 0)
			break;
	return 0;
}

static void do_kbd(struct vmm_vm *vm, int fd, unsigned n, char **f)
{
	uint8_t codes[1024];
	struct kbd k = { codes, 0, 0 };
	struct vb_error err = { 0 };
	char done[16];
	const char *out[1] = { done };
	unsigned i;

	if (n > sizeof(codes)) {
		reply_syntax(fd, "too many scan codes");
		return;
	}
	for (i = 0; i < n; i++) {
		unsigned v;

		if (vb_parse_hex_u32(f[i], &v) || v > 0xff) {
			reply_syntax(fd, "bad scan code");
			return;
		}
		codes[i] = (uint8_t)v;
	}
	k.n = n;
	if (vmm_vm_exec(vm, op_kbd, &k, &err)) {
		vmm_ctl_send_err(fd, &err);
		return;
	}
	snprintf(done, sizeof(done), "accepted=%zu", k.done);
	reply_ok(fd, 1, out);
}

static void do_status(struct vmm_vm *vm, int fd)
{
	int64_t since;
	enum vm_state ms = vmm_vm_mstate(vm, &since);
	char st[64], sn[48], pid[32], sess[64], eng[64];
	const char *f[5] = { st, sn, pid, sess, eng };

	snprintf(st, sizeof(st), "state=%s", vm_state_name(ms, true));
	snprintf(sn, sizeof(sn), "since=%lld", (long long)since);
	snprintf(pid, sizeof(pid), "pid=%d", (int)getpid());
	snprintf(sess, sizeof(sess), "session=%s",
		 vm->opt.frontend ? vm->opt.frontend : "headless");
	snprintf(eng, sizeof(eng), "engine=%s",
		 vm->engine ? vm->engine->name : "");
	reply_ok(fd, 5, f);
}

/* ------------------------------------------------------------------ */
/* Guest properties                                                    */

static void do_gp_get(struct vmm_vm *vm, int fd, const char *name)
{
	char *value, *flags, ts[32];
	int64_t t = 0;
	const char *f[4];

	if (vmm_gprops_get(vm, name, &value, &t, &flags)) {
		f[0] = "found=0";
		reply_ok(fd, 1, f);
		return;
	}
	snprintf(ts, sizeof(ts), "%lld", (long long)t);
	f[0] = "found=1";
	f[1] = value;
	f[2] = ts;
	f[3] = flags;
	reply_ok(fd, 4, f);
	free(value);
	free(flags);
}

static void do_gp_set(struct vmm_vm *vm, int fd, const char *name,
		      const char *value, const char *flags)
{
	struct vb_error err = { 0 };

	if (vmm_gprops_set(vm, name, value, flags, &err))
		vmm_ctl_send_err(fd, &err);
	else
		reply_ok(fd, 0, NULL);
}

struct gp_enum {
	struct strbuf sb;
	unsigned n;
};

static void gp_enum_one(void *ctx, const char *name, const char *value,
			int64_t ts, const char *flags)
{
	struct gp_enum *e = ctx;

	sb_add(&e->sb, name, strlen(name) + 1);
	sb_add(&e->sb, value, strlen(value) + 1);
	sb_addf(&e->sb, "%lld", (long long)ts);
	sb_addc(&e->sb, 0);
	sb_add(&e->sb, flags, strlen(flags) + 1);
	e->n++;
}

static void do_gp_enum(struct vmm_vm *vm, int fd)
{
	struct gp_enum e = { STRBUF_INIT, 0 };
	const char **f;
	const char *p;
	unsigned i;

	vmm_gprops_each(vm, gp_enum_one, &e);
	f = calloc(e.n * 4 + 1, sizeof(*f));
	if (e.sb.oom || !f) {
		struct vb_error err = { 0 };

		vb_err(&err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
		vmm_ctl_send_err(fd, &err);
		free(f);
		sb_release(&e.sb);
		return;
	}
	f[0] = "ok";
	for (i = 0, p = e.sb.buf; i < e.n * 4; i++) {
		f[i + 1] = p;
		p += strlen(p) + 1;
	}
	vmm_ctl_send(fd, e.n * 4 + 1, f);
	free(f);
	sb_release(&e.sb);
}

static void do_gp_wait(struct vmm_vm *vm, int fd, const char *patterns,
		       const char *timeout)
{
	char *name, *value, *flags;
	bool deleted;
	unsigned t;
	int rc;

	if (vb_parse_u32(timeout, &t)) {
		reply_syntax(fd, "bad timeout");
		return;
	}
	rc = vmm_gprops_wait(vm, patterns, t, &name, &value, &flags, &deleted);
	if (rc == -ETIMEDOUT || rc == -ESHUTDOWN) {
		const char *f[1] = { rc == -ETIMEDOUT ? "timeout" : "gone" };

		reply_ok(fd, 1, f);
	} else if (rc) {
		reply_syntax(fd, "out of memory");
	} else {
		const char *f[4] = { deleted ? "deleted" : "changed", name, value, flags };

		reply_ok(fd, 4, f);
		free(name);
		free(value);
		free(flags);
	}
}

/* ------------------------------------------------------------------ */
/* Connections                                                         */

static void serve(struct vmm_vm *vm, int fd)
{
	static const struct {
		const char *name;
		int (*fn)(struct vmm_vm *, void *, struct vb_error *);
	} simple[] = {
		{ "pause", op_pause }, { "resume", op_resume },
		{ "reset", op_reset }, { "poweroff", op_poweroff },
		{ "acpipowerbutton", op_power_button },
		{ "acpisleepbutton", op_sleep_button },
	};
	struct vb_error err = { 0 };
	char *buf, **f;
	unsigned n, i;

	if (vmm_ctl_recv(fd, &buf, &f, &n))
		return;
	for (i = 0; i < sizeof(simple) / sizeof(simple[0]); i++) {
		if (n == 1 && !strcmp(f[0], simple[i].name)) {
			if (vmm_vm_exec(vm, simple[i].fn, NULL, &err))
				vmm_ctl_send_err(fd, &err);
			else
				reply_ok(fd, 0, NULL);
			goto out;
		}
	}
	if (n == 1 && !strcmp(f[0], "status")) {
		do_status(vm, fd);
	} else if (n == 1 && !strcmp(f[0], "savestate")) {
		struct save_ctx sc = { fd, 0 };

		if (vmm_vm_exec(vm, op_savestate, &sc, &err))
			vmm_ctl_send_err(fd, &err);
		else
			reply_ok(fd, 0, NULL);
	} else if (n == 6 && !strcmp(f[0], "dvd")) {
		struct dvd d = { f[1], f[4], 0, 0, !strcmp(f[5], "1") };

		if (vb_parse_u32(f[2], &d.port) || vb_parse_u32(f[3], &d.dev))
			reply_syntax(fd, "bad port or device");
		else if (vmm_vm_exec(vm, op_dvd, &d, &err))
			vmm_ctl_send_err(fd, &err);
		else
			reply_ok(fd, 0, NULL);
	} else if (n >= 1 && !strcmp(f[0], "kbd")) {
		do_kbd(vm, fd, n - 1, f + 1);
	} else if (n == 2 && !strcmp(f[0], "gp-get")) {
		do_gp_get(vm, fd, f[1]);
	} else if ((n == 3 || n == 4) && !strcmp(f[0], "gp-set")) {
		do_gp_set(vm, fd, f[1], f[2], n == 4 ? f[3] : NULL);
	} else if (n == 2 && !strcmp(f[0], "gp-del")) {
		do_gp_set(vm, fd, f[1], NULL, NULL);
	} else if (n == 1 && !strcmp(f[0], "gp-enum")) {
		do_gp_enum(vm, fd);
	} else if (n == 3 && !strcmp(f[0], "gp-wait")) {
		do_gp_wait(vm, fd, f[1], f[2]);
	} else {
		reply_syntax(fd, n ? f[0] : "empty");
	}
out:
	free(f);
	free(buf);
}

static void *worker(void *arg)
{
	struct conn *c = arg;
	struct vmm_control *ctl = c->ctl;

	serve(ctl->vm, c->fd);
	close(c->fd);
	free(c);
	pthread_mutex_lock(&ctl->lock);
	ctl->workers--;
	pthread_cond_broadcast(&ctl->cond);
	pthread_mutex_unlock(&ctl->lock);
	return NULL;
}

static void take(struct vmm_control *ctl, int fd)
{
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	struct timeval tv = { CTL_IO_TIMEOUT_S, 0 };
	pthread_attr_t attr;
	pthread_t t;
	struct conn *c;

	/* only our own user may talk to the VM */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0 ||
	    cred.uid != geteuid()) {
		vmm_log(ctl->vm, "Control: refused a connection from uid %d",
			(int)cred.uid);
		close(fd);
		return;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	c = malloc(sizeof(*c));
	pthread_mutex_lock(&ctl->lock);
	if (!c || ctl->workers >= CTL_MAX_WORKERS) {
		pthread_mutex_unlock(&ctl->lock);
		free(c);
		close(fd);
		return;
	}
	ctl->workers++;
	pthread_mutex_unlock(&ctl->lock);
	c->ctl = ctl;
	c->fd = fd;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, worker, c)) {
		close(fd);
		free(c);
		pthread_mutex_lock(&ctl->lock);
		ctl->workers--;
		pthread_cond_broadcast(&ctl->cond);
		pthread_mutex_unlock(&ctl->lock);
	}
	pthread_attr_destroy(&attr);
}

static void *acceptor(void *arg)
{
	struct vmm_control *ctl = arg;
	sigset_t set;

	sigfillset(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (;;) {
		struct pollfd p[2] = {
			{ ctl->listen_fd, POLLIN, 0 }, { ctl->stop_fd, POLLIN, 0 },
		};
		int fd;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			break;
		if (!(p[0].revents & POLLIN))
			continue;
		fd = accept4(ctl->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			take(ctl, fd);
	}
	return NULL;
}

int vmm_control_start(struct vmm_vm *vm, struct vb_error *err)
{
	struct vmm_control *ctl = calloc(1, sizeof(*ctl));
	struct sockaddr_un sa;

	if (!ctl)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	ctl->vm = vm;
	ctl->listen_fd = ctl->stop_fd = -1;
	pthread_mutex_init(&ctl->lock, NULL);
	pthread_cond_init(&ctl->cond, NULL);
	vm->control = ctl;
	if (vmm_gprops_init(vm, err))
		return -ENOMEM;
	ctl->path = vb_asprintf("%s/%s.sock", vm->runtime_dir, vm->cfg.uuid);
	if (!ctl->path)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(ctl->path) >= sizeof(sa.sun_path))
		return vb_err(err, ENAMETOOLONG, VB_E_FAIL,
			      "The control socket path '%s' is too long", ctl->path);
	memcpy(sa.sun_path, ctl->path, strlen(ctl->path) + 1);
	/* We hold the session lock: a socket file left there is stale. */
	unlink(ctl->path);
	ctl->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ctl->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (ctl->listen_fd < 0 || ctl->stop_fd < 0 ||
	    bind(ctl->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(ctl->path, 0600) < 0 || listen(ctl->listen_fd, 16) < 0)
		return vb_err(err, errno, VB_E_FAIL,
			      "Cannot create the control socket '%s' (%s)",
			      ctl->path, strerror(errno));
	if (pthread_create(&ctl->accept_thread, NULL, acceptor, ctl))
		return vb_err(err, EAGAIN, VB_E_FAIL, "Cannot start the control thread");
	ctl->accept_started = true;
	return 0;
}

void vmm_control_stop(struct vmm_vm *vm)
{
	struct vmm_control *ctl = vm->control;
	uint64_t one = 1;

	if (!ctl)
		return;
	if (ctl->path && ctl->listen_fd >= 0)
		unlink(ctl->path);
	if (ctl->accept_started) {
		if (write(ctl->stop_fd, &one, sizeof(one)) < 0)
			pthread_cancel(ctl->accept_thread);
		pthread_join(ctl->accept_thread, NULL);
	}
	/* wake the workers that wait for something that will not come */
	vmm_vm_close_calls(vm);
	vmm_gprops_close(vm);
	pthread_mutex_lock(&ctl->lock);
	while (ctl->workers)
		pthread_cond_wait(&ctl->cond, &ctl->lock);
	pthread_mutex_unlock(&ctl->lock);
	if (ctl->listen_fd >= 0)
		close(ctl->listen_fd);
	if (ctl->stop_fd >= 0)
		close(ctl->stop_fd);
	free(ctl->path);
	pthread_cond_destroy(&ctl->cond);
	pthread_mutex_destroy(&ctl->lock);
	free(ctl);
	vm->control = NULL;
}
