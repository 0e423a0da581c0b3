/*
 * startvm: start machines in their own VM process (vboxmanage-cli.md 3.5
 * and 4.1), as VirtualBox 7.0's handleStartVM over
 * IMachine::LaunchVMProcess.
 *
 *   startvm <vm>... [--type gui|headless|sdl|separate] [-E|--putenv N[=V]]
 *                   [--password <file>|-] [--password-id <id>]
 *
 * The VM process is VBoxHeadless (--type headless) or VBoxSDL (gui, sdl;
 * separate runs it next to a VBoxHeadless) from the directory of this
 * VBoxManage, started in a session of its own with the environment
 * changes of -E.  It tells us through a pipe (VBOX_STARTVM_NOTIFY_FD,
 * see cmd/vboxheadless/main.c) when the machine runs or why it could
 * not start; "Waiting for VM ... to power on..." and "VM ... has been
 * successfully started." frame the wait exactly as VirtualBox prints them.
 * A process that dies without telling is reported with its exit code,
 * the last error from the machine's VBox.log and what it wrote to stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd/vboxmanage/commands.h"
#include "lib/settings/hwmodel.h"
#include "lib/util/fileio.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"
#include "lib/util/timefmt.h"
#include "lib/vmm/vmctl.h"

#define FILE_MISC "VBoxManageMisc.cpp"
#define CTX_LAUNCH "LaunchVMProcess(a->session, sessionType.raw(), ComSafeArrayAsInParam(aBstrEnv), progress.asOutParam())"
#define LINE_LAUNCH 881
#define STDERR_KEEP 8192

struct launch {
	const char *type;               /* session type */
	const char **env;               /* -E entries */
	unsigned nenv;
};

/* What front end runs a session type; NULL for an unknown one. */
static const char *frontend_binary(const char *type)
{
	if (!strcasecmp(type, "headless") || !strcasecmp(type, "capture"))
		return "VBoxHeadless";
	if (!strcasecmp(type, "gui") || !strcasecmp(type, "sdl") ||
	    !strcasecmp(type, "separate"))
		return "VBoxSDL";
	return NULL;
}

/* The type when none was given: the machine's default front end, the
 * global one, else the GUI (as VirtualBox). */
static const char *default_type(struct vbm_ctx *ctx, struct machine *m)
{
	const char *t = hwm_get_str(m, HWM_FRONTEND);
	struct snode *sp;

	if (t && *t)
		return t;
	sp = vbox_global_node(vbm_vbox(ctx), "SystemProperties", false);
	t = sp ? snode_attr(sp, "defaultFrontend") : NULL;
	return t && *t ? t : "gui";
}

static char *own_dir(void)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return NULL;
	exe[n] = 0;
	return path_dirname(exe);
}

/* The last "VMSetError:" line of the machine's log, if it has one. */
static char *log_reason(struct machine *m)
{
	char *path = vb_asprintf("%s/Logs/VBox.log", machine_folder(m));
	char *data = NULL, *p, *last = NULL, *end, *r = NULL;
	size_t len;

	if (path && vb_read_file(path, 16 << 20, &data, &len, NULL) == 0) {
		for (p = data; (p = strstr(p, "VMSetError: ")); p++)
			last = p + strlen("VMSetError: ");
		if (last) {
			end = strchr(last, '\n');
			r = end ? strndup(last, (size_t)(end - last)) : strdup(last);
		}
	}
	free(data);
	free(path);
	return r;
}

static void child_exec(const char *bin, const char *type, const char *uuid,
		       const struct launch *l, int notify_fd, int err_fd)
{
	char fdbuf[16];
	const char *argv[5];
	unsigned i, n = 0;
	int null = open("/dev/null", O_RDWR), fd;
	long max = sysconf(_SC_OPEN_MAX);

	setsid();
	/* nothing of ours leaks into the VM process (a test harness waits
	 * for its descriptors to close) */
	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = 3; fd < max; fd++)
		if (fd != notify_fd && fd != err_fd && fd != null)
			close(fd);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		if (null > 2)
			close(null);
	}
	if (err_fd >= 0 && err_fd != 2) {
		dup2(err_fd, 2);
		close(err_fd);
	}
	for (i = 0; i < l->nenv; i++) {
		const char *eq = strchr(l->env[i], '=');

		if (eq) {
			char *name = strndup(l->env[i], (size_t)(eq - l->env[i]));

			if (name)
				setenv(name, eq + 1, 1);
			free(name);
		} else {
			unsetenv(l->env[i]);
		}
	}
	snprintf(fdbuf, sizeof(fdbuf), "%d", notify_fd);
	setenv("VBOX_STARTVM_NOTIFY_FD", fdbuf, 1);
	signal(SIGPIPE, SIG_DFL);
	argv[n++] = bin;
	argv[n++] = "--startvm";
	argv[n++] = uuid;
	if (!strcasecmp(type, "separate") && strstr(bin, "VBoxSDL"))
		argv[n++] = "--separate";
	argv[n] = NULL;
	execv(bin, (char *const *)argv);
	_exit(127);
}

/* Read the child's report; 1 = running, 0 = it said why not (err),
 * -1 = it died without a word. */
static int wait_report(int nfd, int efd, struct strbuf *errout,
		       struct vb_error *err)
{
	struct strbuf rec = STRBUF_INIT;
	int result = -1;

	for (;;) {
		struct pollfd p[2] = { { nfd, POLLIN, 0 }, { efd, POLLIN, 0 } };
		char buf[4096];
		ssize_t r;

		if (poll(p, efd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (efd >= 0 && (p[1].revents & (POLLIN | POLLHUP))) {
			r = read(efd, buf, sizeof(buf));
			if (r > 0) {
				if (errout->len < STDERR_KEEP)
					sb_add(errout, buf, (size_t)r);
			} else {
				close(efd);
				efd = -1;
			}
		}
		if (p[0].revents & (POLLIN | POLLHUP)) {
			r = read(nfd, buf, sizeof(buf));
			if (r > 0) {
				sb_add(&rec, buf, (size_t)r);
				continue;
			}
			break;          /* closed: the record is complete */
		}
	}
	if (efd >= 0)
		close(efd);
	/* one record: u32 length, NUL-terminated fields */
	if (!rec.oom && rec.len > 4) {
		const unsigned char *b = (const unsigned char *)rec.buf;
		size_t len = (size_t)b[0] | (size_t)b[1] << 8 |
			     (size_t)b[2] << 16 | (size_t)b[3] << 24;
		const char *f[6] = { NULL };
		size_t pos = 4;
		unsigned n = 0;

		if (len && len <= rec.len - 4 && !rec.buf[4 + len - 1]) {
			while (pos < 4 + len && n < 6) {
				f[n++] = rec.buf + pos;
				pos += strlen(rec.buf + pos) + 1;
			}
			if (n >= 1 && !strcmp(f[0], "ok")) {
				result = 1;
			} else if (n >= 5 && !strcmp(f[0], "err")) {
				vb_err(err, EINVAL, (uint32_t)strtoul(f[1], NULL, 16),
				       "%s", f[4]);
				vb_err_where(err, !strcmp(f[2], "MachineWrap") ? "MachineWrap" :
					     !strcmp(f[2], "MediumWrap") ? "MediumWrap" :
					     "ConsoleWrap",
					     !strcmp(f[3], "IMachine") ? "IMachine" :
					     !strcmp(f[3], "IMedium") ? "IMedium" : "IConsole",
					     NULL);
				result = 0;
			}
		}
	}
	sb_release(&rec);
	return result;
}

static int start_one(struct vbm_ctx *ctx, const char *spec,
		     const struct launch *l)
{
	struct vb_error err = { 0 };
	struct strbuf errout = STRBUF_INIT;
	struct machine *m;
	const char *type, *name;
	char uuid[40], *dir = NULL, *bin = NULL;
	int np[2] = { -1, -1 }, ep[2] = { -1, -1 }, res, status = 0, rc = VBM_FAIL;
	pid_t pid;

	m = vbm_find_machine_ctx(ctx, spec,
				 "FindMachine(Bstr(pszVM).raw(), machine.asOutParam())",
				 FILE_MISC, 867);
	if (!m)
		return VBM_FAIL;
	vb_uuid_fmt(machine_uuid(m), uuid);
	if (!machine_accessible(m)) {
		vb_err(&err, EINVAL, VBOX_E_INVALID_OBJECT_STATE,
		       "The object is not ready");
		vb_err_where(&err, "MachineWrap", "IMachine", "nsISupports");
		rc = vbm_api_error(&err, CTX_LAUNCH, FILE_MISC, LINE_LAUNCH);
		goto out;
	}
	if (vmm_ctl_alive(uuid)) {
		vb_err(&err, EBUSY, VBOX_E_INVALID_OBJECT_STATE,
		       "The machine '%s' is already locked by a session (or being locked or unlocked)",
		       machine_name(m));
		vb_err_where(&err, "MachineWrap", "IMachine", "nsISupports");
		rc = vbm_api_error(&err, CTX_LAUNCH, FILE_MISC, LINE_LAUNCH);
		goto out;
	}
	type = l->type ? l->type : default_type(ctx, m);
	name = frontend_binary(type);
	if (!name) {
		vb_err(&err, EINVAL, VB_E_INVALIDARG,
		       "Invalid frontend name: '%s'", type);
		vb_err_where(&err, "MachineWrap", "IMachine", "nsISupports");
		rc = vbm_api_error(&err, CTX_LAUNCH, FILE_MISC, LINE_LAUNCH);
		goto out;
	}
	dir = own_dir();
	bin = dir ? vb_asprintf("%s/%s", dir, name) : NULL;
	if (!bin || access(bin, X_OK) != 0) {
		vb_err(&err, ENOENT, VBOX_E_IPRT_ERROR,
		       "Could not launch a process for the machine '%s' (VERR_FILE_NOT_FOUND)",
		       machine_name(m));
		vb_err_where(&err, "MachineWrap", "IMachine", "nsISupports");
		rc = vbm_api_error(&err, CTX_LAUNCH, FILE_MISC, LINE_LAUNCH);
		goto out;
	}
	if (pipe2(np, O_CLOEXEC) < 0 || pipe2(ep, O_CLOEXEC) < 0) {
		vb_err(&err, errno, VBOX_E_IPRT_ERROR,
		       "Could not launch a process for the machine '%s' (%s)",
		       machine_name(m), vbm_vrc_name(errno));
		vb_err_where(&err, "MachineWrap", "IMachine", "nsISupports");
		rc = vbm_api_error(&err, CTX_LAUNCH, FILE_MISC, LINE_LAUNCH);
		goto out;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		vb_err(&err, errno, VBOX_E_IPRT_ERROR,
		       "Could not launch a process for the machine '%s' (%s)",
		       machine_name(m), vbm_vrc_name(errno));
		vb_err_where(&err, "MachineWrap", "IMachine", "nsISupports");
		rc = vbm_api_error(&err, CTX_LAUNCH, FILE_MISC, LINE_LAUNCH);
		goto out;
	}
	if (pid == 0) {
		int fd = dup(np[1]);    /* without close-on-exec */

		child_exec(bin, type, uuid, l, fd, ep[1]);
	}
	close(np[1]);
	close(ep[1]);
	np[1] = ep[1] = -1;
	printf("Waiting for VM \"%s\" to power on...\n", spec);
	fflush(stdout);
	res = wait_report(np[0], ep[0], &errout, &err);
	ep[0] = -1;
	if (res == 1) {
		printf("VM \"%s\" has been successfully started.\n", spec);
		rc = VBM_OK;
	} else if (res == 0) {
		/* the progress's error, as GluePrintErrorInfo shows it */
		rc = vbm_api_error(&err, NULL, NULL, 0);
	} else {
		char *why = log_reason(m), *p, *line;
		int64_t until = vb_mono_ms() + 5000;
		pid_t w;

		/* it closed the pipe without a word: it is exiting */
		while ((w = waitpid(pid, &status, WNOHANG)) == 0 &&
		       vb_mono_ms() < until) {
			struct timespec ts = { 0, 10000000 };

			nanosleep(&ts, NULL);
		}
		if (w == pid)
			status = WIFEXITED(status) ? WEXITSTATUS(status) :
				 WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
		else
			status = 1;
		vbm_error("The virtual machine '%s' has terminated unexpectedly during startup with exit code %d (%#x)",
			  machine_name(m), status, status);
		if (why)
			vbm_error("%s", why);
		for (p = errout.buf; p && *p; p = line ? line + 1 : NULL) {
			line = strchr(p, '\n');
			if (line)
				*line = 0;
			if (*p && !strstr(p, "Headless Interface") &&
			    !strstr(p, "Copyright (C)"))
				vbm_error("%s", p);
			if (!line)
				break;
		}
		fprintf(stderr, "VBoxManage: error: Details: code %s (0x%08x), component MachineWrap, interface IMachine\n",
			vb_hrc_name(VB_E_FAIL), VB_E_FAIL);
		free(why);
		rc = VBM_FAIL;
	}
	if (res >= 0)
		waitpid(pid, &status, WNOHANG);
out:
	if (np[0] >= 0)
		close(np[0]);
	if (np[1] >= 0)
		close(np[1]);
	if (ep[0] >= 0)
		close(ep[0]);
	if (ep[1] >= 0)
		close(ep[1]);
	sb_release(&errout);
	free(bin);
	free(dir);
	machine_free(m);
	return rc;
}

int cmd_startvm(struct vbm_ctx *ctx, int argc, char **argv)
{
	static const struct vb_option opts[] = {
		{ "--type", 't', VBGO_STRING }, { "-type", 't', VBGO_STRING },
		{ "--putenv", 'E', VBGO_STRING }, { "-E", 'E', VBGO_STRING },
		{ "--password", 'p', VBGO_STRING },
		{ "--password-id", 'i', VBGO_STRING },
	};
	struct launch l = { NULL, NULL, 0 };
	const char **vms = NULL, *pwfile = NULL;
	unsigned nvms = 0, i;
	struct vb_getopt g;
	int c, rc = VBM_OK;

	vms = calloc((size_t)argc + 1, sizeof(*vms));
	l.env = calloc((size_t)argc + 1, sizeof(*l.env));
	if (!vms || !l.env) {
		free(vms);
		free(l.env);
		vbm_error("Out of memory");
		return VBM_FAIL;
	}
	vb_getopt_init(&g, argc, argv, 1, opts, sizeof(opts) / sizeof(opts[0]));
	while ((c = vb_getopt_next(&g)) != VBGO_END) {
		switch (c) {
		case 't':
			l.type = g.v.str;
			break;
		case 'E':
			if (strchr(g.v.str, '\n')) {
				rc = vbm_syntax(ctx, "Parameter to option --putenv must not contain any newline character");
				goto out;
			}
			l.env[l.nenv++] = g.v.str;
			break;
		case 'p':
			pwfile = g.v.str;
			break;
		case 'i':
			break;          /* machines here are never encrypted */
		case VBGO_NOT_OPTION:
			vms[nvms++] = g.v.str;
			break;
		case VBGO_ERR_UNKNOWN:
			rc = vbm_syntax(ctx, "unknown option: %s", g.arg);
			goto out;
		default:
			rc = vbm_syntax(ctx, "%s: %s", g.def && g.def->name ?
					g.def->name : g.arg, vb_getopt_strerror(c));
			goto out;
		}
	}
	if (!nvms) {
		rc = vbm_syntax(ctx, "at least one VM name or uuid required");
		goto out;
	}
	if (pwfile && strcmp(pwfile, "-") && access(pwfile, R_OK) != 0) {
		vbm_error("Cannot open password file '%s' (%s)", pwfile,
			  vbm_vrc_name(errno));
		vbm_error("Failed to read new password from file");
		rc = VBM_FAIL;
		goto out;
	}
	if (!vbm_vbox(ctx)) {
		rc = VBM_FAIL;
		goto out;
	}
	for (i = 0; i < nvms; i++)
		if (start_one(ctx, vms[i], &l) != VBM_OK)
			rc = VBM_FAIL;
out:
	free(vms);
	free(l.env);
	return rc;
}

const struct vbm_help help_startvm = {
	"start a virtual machine",
	"VBoxManage\bstartvm <uuid | vmname...> [--putenv=name[=value]] "
	"[--type=[ gui | headless | sdl | separate ]] [--password file] "
	"[--password-id password identifier]",
	"Starts each machine in a VM process of its own and returns once it\n"
	"runs.  A machine with a saved state continues from it.\n"
	"\n"
	"--type headless runs the machine without a window (VBoxHeadless);\n"
	"gui and sdl run it in a VBoxSDL window, separate in a VBoxHeadless\n"
	"process with a VBoxSDL window attached.  Without --type the\n"
	"machine's default front end applies (modifyvm --default-frontend),\n"
	"else the global one (setproperty defaultfrontend), else gui.\n"
	"\n"
	"--putenv (-E) name=value sets an environment variable of the VM\n"
	"process, --putenv name removes one.  DISPLAY and XAUTHORITY are\n"
	"passed on.\n",
};
