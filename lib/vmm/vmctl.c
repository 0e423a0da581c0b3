/*
 * The client side of the VM control socket (see vmctl.h), and what both
 * sides share: the runtime directory, the record format, the session
 * lock probe.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lib/util/path.h"
#include "lib/util/strbuf.h"
#include "lib/util/timefmt.h"
#include "lib/vmm/vmctl.h"

#define CTL_TIMEOUT_MS 15000    /* a reply that takes longer than this... */

char *vmm_ctl_runtime_dir(void)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	struct passwd *pw;

	if (xdg && *xdg && path_is_abs(xdg))
		return path_join(xdg, "vbox");
	pw = getpwuid(geteuid());
	if (pw && pw->pw_name)
		return vb_asprintf("/tmp/.vbox-%s-ipc", pw->pw_name);
	return vb_asprintf("/tmp/.vbox-%u-ipc", (unsigned)geteuid());
}

/* The runtime dir exists, is ours and private. */
static bool dir_is_private(const char *dir)
{
	struct stat st;

	return lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) &&
	       st.st_uid == geteuid() && !(st.st_mode & 0077);
}

static char *rt_file(const char *uuid, const char *ext, bool check)
{
	char *dir = vmm_ctl_runtime_dir(), *p = NULL;

	if (dir && (!check || dir_is_private(dir)))
		p = vb_asprintf("%s/%s.%s", dir, uuid, ext);
	free(dir);
	return p;
}

bool vmm_ctl_alive(const char *uuid)
{
	char *path = rt_file(uuid, "lock", false);
	bool held = false;
	int fd;

	if (!path)
		return false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return false;
	if (flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK)
		held = true;
	close(fd);
	return held;
}

int vmm_ctl_wait_gone(const char *uuid, unsigned timeout_ms)
{
	int64_t end = vb_mono_ms() + timeout_ms;

	while (vmm_ctl_alive(uuid)) {
		struct timespec ts = { 0, 5000000 };

		if (vb_mono_ms() >= end)
			return -ETIMEDOUT;
		nanosleep(&ts, NULL);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Records                                                             */

static int write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n) {
		ssize_t r = send(fd, b, n, MSG_NOSIGNAL);

		if (r < 0 && errno == ENOTSOCK)
			r = write(fd, b, n);    /* a pipe (startvm's) */
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EPIPE;
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

static int read_all(int fd, void *p, size_t n)
{
	uint8_t *b = p;

	while (n) {
		ssize_t r = recv(fd, b, n, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
		if (r == 0)
			return -ECONNRESET;
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

int vmm_ctl_send_err(int fd, const struct vb_error *err)
{
	char hrc[16];
	const char *f[6];

	snprintf(hrc, sizeof(hrc), "%08x", err->hrc ? err->hrc : VB_E_FAIL);
	f[0] = "err";
	f[1] = hrc;
	f[2] = err->component ? err->component : "";
	f[3] = err->iface ? err->iface : "";
	f[4] = err->msg;
	f[5] = err->callee ? err->callee : "";
	return vmm_ctl_send(fd, 6, f);
}

int vmm_ctl_send(int fd, unsigned argc, const char *const *argv)
{
	struct strbuf sb = STRBUF_INIT;
	uint8_t len[4];
	size_t total = 0;
	unsigned i;
	int rc;

	for (i = 0; i < argc; i++)
		total += strlen(argv[i]) + 1;
	if (total > VMM_CTL_MAX_RECORD)
		return -EMSGSIZE;
	for (i = 0; i < argc; i++)
		sb_add(&sb, argv[i], strlen(argv[i]) + 1);
	if (sb.oom) {
		sb_release(&sb);
		return -ENOMEM;
	}
	len[0] = (uint8_t)total;
	len[1] = (uint8_t)(total >> 8);
	len[2] = (uint8_t)(total >> 16);
	len[3] = (uint8_t)(total >> 24);
	rc = write_all(fd, len, 4);
	if (!rc && total)
		rc = write_all(fd, sb_str(&sb), total);
	sb_release(&sb);
	return rc;
}

int vmm_ctl_recv(int fd, char **buf, char ***fields, unsigned *n)
{
	uint8_t len[4];
	uint32_t total;
	char *b, **f;
	unsigned cnt = 0, i;
	size_t pos;
	int rc;

	*buf = NULL;
	*fields = NULL;
	*n = 0;
	rc = read_all(fd, len, 4);
	if (rc)
		return rc;
	total = (uint32_t)len[0] | (uint32_t)len[1] << 8 |
		(uint32_t)len[2] << 16 | (uint32_t)len[3] << 24;
	if (total == 0 || total > VMM_CTL_MAX_RECORD)
		return -EPROTO;
	b = malloc(total);
	if (!b)
		return -ENOMEM;
	rc = read_all(fd, b, total);
	if (rc || b[total - 1]) {
		free(b);
		return rc ? rc : -EPROTO;
	}
	for (pos = 0; pos < total; pos++)
		if (!b[pos])
			cnt++;
	f = calloc(cnt, sizeof(*f));
	if (!f) {
		free(b);
		return -ENOMEM;
	}
	for (pos = 0, i = 0; i < cnt; i++) {
		f[i] = b + pos;
		pos += strlen(b + pos) + 1;
	}
	*buf = b;
	*fields = f;
	*n = cnt;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Requests                                                            */

static int ctl_connect(const char *uuid, int *out)
{
	struct sockaddr_un sa;
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	struct timeval tv = { CTL_TIMEOUT_MS / 1000, 0 };
	char *path = rt_file(uuid, "sock", true);
	int fd, rc;

	*out = -1;
	if (!path)
		return -ESRCH;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		free(path);
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	free(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = errno;
		close(fd);
		return rc == ENOENT || rc == ECONNREFUSED ? -ESRCH : -rc;
	}
	/* the VM process must be ours */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0 ||
	    cred.uid != geteuid()) {
		close(fd);
		return -EPERM;
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	*out = fd;
	return 0;
}

static void set_rcv_timeout(int fd, unsigned ms)
{
	struct timeval tv = { ms / 1000, (long)(ms % 1000) * 1000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

/* vb_error keeps static strings: the names a VM process may send. */
static const char *intern(const char *s)
{
	static const char *const known[] = {
		"ConsoleWrap", "IConsole", "SessionMachine", "IMachine",
		"MachineWrap", "KeyboardWrap", "IKeyboard", "GuestWrap", "IGuest",
		"DisplayWrap", "IDisplay", "nsISupports", "VirtualBoxWrap",
		"IVirtualBox", "ProgressWrap", "IProgress",
	};
	unsigned i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(s, known[i]))
			return known[i];
	return NULL;
}

static uint32_t parse_hrc(const char *s)
{
	unsigned long v = strtoul(s, NULL, 16);

	return (uint32_t)v;
}

int vmm_ctl_call(const char *uuid, unsigned argc, const char *const *argv,
		 vmm_ctl_progress_fn progress, void *ctx,
		 struct vmm_ctl_reply *out, struct vb_error *err)
{
	int fd, rc;
	bool waiting = argc && !strcmp(argv[0], "gp-wait");

	out->n = 0;
	out->f = NULL;
	rc = ctl_connect(uuid, &fd);
	if (rc)
		return rc;
	rc = vmm_ctl_send(fd, argc, argv);
	/* saving a large RAM and waiting for a property take their time:
	 * the VM reports progress, or the wait has its own limit */
	set_rcv_timeout(fd, waiting ? 0 : CTL_TIMEOUT_MS);
	while (!rc) {
		char *buf, **f;
		unsigned n, i;

		rc = vmm_ctl_recv(fd, &buf, &f, &n);
		if (rc)
			break;
		if (n >= 2 && !strcmp(f[0], "progress")) {
			if (progress)
				progress(ctx, (unsigned)strtoul(f[1], NULL, 10));
			free(f);
			free(buf);
			continue;
		}
		if (n >= 5 && !strcmp(f[0], "err")) {
			vb_err(err, EINVAL, parse_hrc(f[1]), "%s", f[4]);
			vb_err_where(err, intern(f[2]), intern(f[3]),
				     n >= 6 ? intern(f[5]) : NULL);
			rc = -EINVAL;
		} else if (n >= 1 && !strcmp(f[0], "ok")) {
			out->f = calloc(n, sizeof(*out->f));
			if (!out->f) {
				rc = -ENOMEM;
			} else {
				for (i = 1; i < n; i++) {
					out->f[i - 1] = vb_strdup(f[i]);
					if (!out->f[i - 1])
						rc = -ENOMEM;
				}
				out->n = n - 1;
			}
		} else {
			rc = -EPROTO;
		}
		free(f);
		free(buf);
		break;
	}
	close(fd);
	if (rc && rc != -EINVAL)
		vmm_ctl_reply_free(out);
	if (rc && rc != -EINVAL && rc != -ESRCH)
		vb_err(err, -rc, VB_E_FAIL,
		       "The VM process did not answer the request (%s)",
		       strerror(-rc));
	return rc;
}

void vmm_ctl_reply_free(struct vmm_ctl_reply *r)
{
	unsigned i;

	for (i = 0; r->f && i < r->n; i++)
		free(r->f[i]);
	free(r->f);
	r->f = NULL;
	r->n = 0;
}

const char *vmm_ctl_reply_get(const struct vmm_ctl_reply *r, const char *key)
{
	size_t kl = strlen(key);
	unsigned i;

	for (i = 0; i < r->n; i++)
		if (r->f[i] && !strncmp(r->f[i], key, kl) && r->f[i][kl] == '=')
			return r->f[i] + kl + 1;
	return NULL;
}

int vmm_ctl_state_parse(const char *name, enum vm_state *out)
{
	unsigned i;

	for (i = 0; i < VMS_COUNT; i++) {
		if (!strcmp(vm_state_name((enum vm_state)i, true), name)) {
			*out = (enum vm_state)i;
			return 0;
		}
	}
	return -EINVAL;
}

int vmm_ctl_state(const char *uuid, enum vm_state *state, int64_t *since_ms,
		  char **session)
{
	static const char *const req[] = { "status" };
	struct vmm_ctl_reply r;
	const char *st, *since, *sess;
	int rc;

	if (session)
		*session = NULL;
	if (!vmm_ctl_alive(uuid))
		return 0;
	rc = vmm_ctl_call(uuid, 1, req, NULL, NULL, &r, NULL);
	if (rc)
		return 0;
	st = vmm_ctl_reply_get(&r, "state");
	since = vmm_ctl_reply_get(&r, "since");
	sess = vmm_ctl_reply_get(&r, "session");
	rc = st && vmm_ctl_state_parse(st, state) == 0 ? 1 : 0;
	if (rc && since_ms)
		*since_ms = since ? strtoll(since, NULL, 10) : 0;
	if (rc && session && sess)
		*session = vb_strdup(sess);
	vmm_ctl_reply_free(&r);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Patterns                                                            */

static bool match_one(const char *p, size_t pl, const char *s)
{
	while (pl) {
		if (*p == '*') {
			p++;
			pl--;
			if (!pl)
				return true;
			for (; *s; s++)
				if (match_one(p, pl, s))
					return true;
			return match_one(p, pl, s);
		}
		if (!*s || (*p != '?' && *p != *s))
			return false;
		p++;
		pl--;
		s++;
	}
	return !*s;
}

bool vmm_ctl_pattern_match(const char *patterns, const char *s)
{
	const char *p = patterns;

	for (;;) {
		const char *bar = strchr(p, '|');
		size_t pl = bar ? (size_t)(bar - p) : strlen(p);

		if (match_one(p, pl, s))
			return true;
		if (!bar)
			return false;
		p = bar + 1;
	}
}
