/*
 * VBoxHeadless: runs one virtual machine in the foreground without a
 * display (vboxmanage-cli.md 5.1).
 *
 *   VBoxHeadless --startvm <name|uuid> [--vrde on|off|config]
 *                [--vrdeproperty <name=[value]>] [--settingspw <pw>]
 *                [--settingspwfile <file>] [--password <file>|-]
 *                [--password-id <id>] [--start-paused] [--comment <text>]
 *                [--record] [--videowidth <w>] [--videoheight <h>]
 *                [--videorate <rate>] [--filename <template>]
 *
 * Output and exit codes follow VirtualBox's VBoxHeadless: the banner
 * first; "Invalid machine name or UUID!" for an unknown machine; API
 * errors in the "VBoxHeadless: error:" block; power-up failures as the
 * "Starting virtual machine" progress on stderr plus "Error: failed to
 * start machine. Error message: ..." on stdout; exit 0 once the guest
 * powers off.  SIGINT, SIGTERM, SIGHUP and SIGUSR1 end the VM as
 * VirtualBox's VBoxHeadless does: a running machine's state is saved
 * ("Saving the execution state of the virtual machine: 10%...100%" on
 * stderr), one that is not running is powered off; exit 0.
 *
 * Started by "VBoxManage startvm" (cmd/vboxmanage/startvm.c), it finds
 * the descriptor of a pipe in VBOX_STARTVM_NOTIFY_FD and writes one
 * control record (lib/vmm/vmctl.h) to it: "ok" once the machine runs, or
 * "err" with the reason it could not start; then it closes the pipe and
 * leaves the terminal alone (stdout and stderr go to /dev/null).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/settings/settings.h"
#include "lib/util/getopt.h"
#include "lib/util/strbuf.h"
#include "lib/vmm/vmctl.h"
#include "lib/vmm/vmm.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define VERSION_STRING STR(VB_VERSION_MAJOR) "." STR(VB_VERSION_MINOR) "." \
	STR(VB_VERSION_BUILD) "_" VB_VERSION_TAG

enum {
	OPT_SETTINGSPW = 0x100,
	OPT_SETTINGSPW_FILE,
	OPT_COMMENT,
	OPT_PAUSED,
	OPT_VMPW,
	OPT_VMPWID,
	OPT_HELP,
};

static const struct vb_option options[] = {
	{ "-startvm", 's', VBGO_STRING },
	{ "--startvm", 's', VBGO_STRING },
	{ "-vrdpport", 'p', VBGO_STRING },
	{ "--vrdpport", 'p', VBGO_STRING },
	{ "-vrdpaddress", 'a', VBGO_STRING },
	{ "--vrdpaddress", 'a', VBGO_STRING },
	{ "-vrdp", 'v', VBGO_STRING },
	{ "--vrdp", 'v', VBGO_STRING },
	{ "-vrde", 'v', VBGO_STRING },
	{ "--vrde", 'v', VBGO_STRING },
	{ "-vrdeproperty", 'e', VBGO_STRING },
	{ "--vrdeproperty", 'e', VBGO_STRING },
	{ "--settingspw", OPT_SETTINGSPW, VBGO_STRING },
	{ "--settingspwfile", OPT_SETTINGSPW_FILE, VBGO_STRING },
	{ "--password", OPT_VMPW, VBGO_STRING },
	{ "--password-id", OPT_VMPWID, VBGO_STRING },
	{ "-record", 'c', VBGO_NOVAL },
	{ "--record", 'c', VBGO_NOVAL },
	{ "--videowidth", 'w', VBGO_U32 },
	{ "--videoheight", 'h', VBGO_U32 },
	{ "--videorate", 'r', VBGO_U32 },
	{ "--filename", 'f', VBGO_STRING },
	{ "-comment", OPT_COMMENT, VBGO_STRING },
	{ "--comment", OPT_COMMENT, VBGO_STRING },
	{ "-start-paused", OPT_PAUSED, VBGO_NOVAL },
	{ "--start-paused", OPT_PAUSED, VBGO_NOVAL },
	/* IPRT's standard options */
	{ "--help", OPT_HELP, VBGO_NOVAL },
	{ "-help", OPT_HELP, VBGO_NOVAL },
	{ "-?", OPT_HELP, VBGO_NOVAL },
	{ "--version", 'V', VBGO_NOVAL },
	{ "-version", 'V', VBGO_NOVAL },
};

static struct vmm_vm *g_vm;
static int g_notify_fd = -1;

/* Tell startvm how the start went, once. */
static void notify(const struct vb_error *err)
{
	int null;

	if (g_notify_fd < 0)
		return;
	if (err) {
		vmm_ctl_send_err(g_notify_fd, err);
	} else {
		const char *f[1] = { "ok" };

		vmm_ctl_send(g_notify_fd, 1, f);
	}
	close(g_notify_fd);
	g_notify_fd = -1;
	/* nobody reads our output any more */
	fflush(stdout);
	fflush(stderr);
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, 1);
		dup2(null, 2);
		close(null);
	}
}

/* A failure that VBoxHeadless reports with only a line of text. */
static void notify_text(uint32_t hrc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void notify_text(uint32_t hrc, const char *fmt, ...)
{
	struct vb_error err = { 0 };
	va_list ap;

	va_start(ap, fmt);
	vb_verr(&err, EINVAL, hrc, fmt, ap);
	va_end(ap);
	vb_err_where(&err, "MachineWrap", "IMachine", NULL);
	notify(&err);
}

static void take_notify_fd(void)
{
	const char *e = getenv("VBOX_STARTVM_NOTIFY_FD");
	unsigned v;

	if (!e || vb_parse_u32(e, &v) || v < 3 || v > 65535 ||
	    fcntl((int)v, F_GETFD) < 0)
		return;
	g_notify_fd = (int)v;
	fcntl(g_notify_fd, F_SETFD, FD_CLOEXEC);
	unsetenv("VBOX_STARTVM_NOTIFY_FD");
}

static void on_running(void *ctx)
{
	(void)ctx;
	fprintf(stderr, "10%%...20%%...30%%...40%%...50%%...60%%...70%%...80%%...90%%...100%%\n");
	fflush(stderr);
	notify(NULL);
}

/* VBoxHeadless's showProgress() for the save on a signal. */
static void save_progress(void *ctx, int percent, bool done,
			  const struct vb_error *err)
{
	int *last = ctx;

	if (!done && percent == 0 && *last < 0) {
		fprintf(stderr, "Saving the execution state of the virtual machine: ");
		*last = 0;
	}
	while (*last >= 0 && *last / 10 < percent / 10 && *last + 10 < 100) {
		*last = (*last / 10) * 10 + 10;
		fprintf(stderr, "%d%%...", *last);
	}
	if (done && err) {
		fprintf(stderr, "\nOperation failed: %s\n", vb_hrc_name(err->hrc));
		fprintf(stderr, "VBoxHeadless: error: %s\n", err->msg);
	} else if (done) {
		while (*last >= 0 && *last < 90) {
			*last += 10;
			fprintf(stderr, "%d%%...", *last);
		}
		fprintf(stderr, "100%%\n");
	}
	fflush(stderr);
}

static void show_usage(void)
{
	printf("Usage:\n"
	       "   -s, -startvm, --startvm <name|uuid>   Start given VM (required argument)\n"
	       "   -v, -vrde, --vrde on|off|config       Enable or disable the VRDE server\n"
	       "                                           or don't change the setting (default)\n"
	       "   -e, -vrdeproperty, --vrdeproperty <name=[value]> Set a VRDE property:\n"
	       "                                     \"TCP/Ports\" - comma-separated list of\n"
	       "                                       ports the VRDE server can bind to; dash\n"
	       "                                       between two port numbers specifies range\n"
	       "                                     \"TCP/Address\" - interface IP the VRDE\n"
	       "                                       server will bind to\n"
	       "   --settingspw <pw>                 Specify the VirtualBox settings password\n"
	       "   --settingspwfile <file>           Specify a file containing the\n"
	       "                                       VirtualBox settings password\n"
	       "   --password <file>|-               Specify the VM password. Either file containing\n"
	       "                                     the VM password or \"-\" to read it from console\n"
	       "   --password-id <id>                Specify the password id for the VM password\n"
	       "   -start-paused, --start-paused     Start the VM in paused state\n"
	       "   -c, -record, --record             Record the VM screen output to a file\n"
	       "   -w, --videowidth                  Video frame width when recording\n"
	       "   -h, --videoheight                 Video frame height when recording\n"
	       "   -r, --videobitrate                Recording bit rate when recording\n"
	       "   -f, --filename                    File name when recording. The codec used\n"
	       "                                     will be chosen based on file extension\n"
	       "\n");
}

static void error_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void error_line(const char *fmt, ...)
{
	char buf[8192], *p, *nl;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (p = buf; ; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		fprintf(stderr, "VBoxHeadless: error: %s\n", p);
		if (!nl || !nl[1])
			break;
	}
}

/* An API error the way VirtualBox's CHECK_ERROR macros print it. */
static void api_error(const struct vb_error *err, const char *context, int line)
{
	error_line("%s", err->msg);
	if (err->callee)
		error_line("Details: code %s (0x%08x), component %s, interface %s, callee %s",
			   vb_hrc_name(err->hrc), err->hrc,
			   err->component ? err->component : "MachineWrap",
			   err->iface ? err->iface : "IMachine", err->callee);
	else
		error_line("Details: code %s (0x%08x), component %s, interface %s",
			   vb_hrc_name(err->hrc), err->hrc,
			   err->component ? err->component : "MachineWrap",
			   err->iface ? err->iface : "IMachine");
	error_line("Context: \"%s\" at line %d of file VBoxHeadless.cpp", context, line);
}

static void on_signal(int sig)
{
	static const char pre[] = "VBoxHeadless: signal ";
	const char *name = strsignal(sig);
	ssize_t n;

	n = write(2, pre, sizeof(pre) - 1);
	n = write(2, name, strlen(name));
	n = write(2, "(on thread main)\n", 17);
	(void)n;
	if (g_vm)
		vmm_vm_request_save_or_poweroff(g_vm);
}

static void setup_signals(void)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGTERM, SIGUSR1 };
	struct sigaction sa;
	unsigned i;

	signal(SIGPIPE, SIG_IGN);
	signal(SIGTTOU, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

static int check_recording(uint32_t w, uint32_t h, uint32_t rate,
			   const char *file)
{
	const char *pc = strchr(file, '%');

	if (w < 512 || w > 2048 || w % 2) {
		printf("VBoxHeadless: ERROR: please specify an even video frame width between 512 and 2048\n");
		return 1;
	}
	if (h < 384 || h > 1536 || h % 2) {
		printf("VBoxHeadless: ERROR: please specify an even video frame height between 384 and 1536\n");
		return 1;
	}
	if (rate < 300000 || rate > 1000000) {
		printf("VBoxHeadless: ERROR: please specify an even video bitrate between 300000 and 1000000\n");
		return 1;
	}
	if (pc && pc[1] != 'd' && pc[1] != 'u') {
		printf("VBoxHeadless: ERROR: Only %%d and %%u are allowed in the recording file name.\n");
		return 1;
	}
	if (pc && strchr(pc + 1, '%')) {
		printf("VBoxHeadless: ERROR: Only one format modifier is allowed in the recording file name.\n");
		return 1;
	}
	return 0;
}

static void parse_env_recording(uint32_t *w, uint32_t *h, uint32_t *rate,
				const char **file)
{
	const char *e;
	unsigned v;

	if ((e = getenv("VBOX_RECORDWIDTH")) && !vb_parse_u32(e, &v))
		*w = v;
	if ((e = getenv("VBOX_RECORDHEIGHT")) && !vb_parse_u32(e, &v))
		*h = v;
	if ((e = getenv("VBOX_RECORDBITRATE")) && !vb_parse_u32(e, &v))
		*rate = v;
	if ((e = getenv("VBOX_RECORDFILE")))
		*file = e;
}

static bool vrde_enabled_in_settings(struct machine *m)
{
	struct snode *n = machine_elem(m, ME_VRDE, false);
	unsigned ver = sdoc_version(machine_doc(m));

	/* The default was "enabled" before settings 1.16. */
	return snode_bool(n, "enabled", ver < 16);
}

int main(int argc, char **argv)
{
	const char *spec = NULL, *vrde = NULL, *rec_file = "VBox-%d.webm";
	const char *props[16], *pwfiles[2] = { NULL, NULL };
	unsigned nprops = 0, npwfiles = 0, i;
	uint32_t rec_w = 800, rec_h = 600, rec_rate = 300000;
	bool paused = false, record = false;
	int save_last = -1;
	struct vmm_options opt;
	struct vb_getopt g;
	struct vb_error err = { 0 };
	struct vbox *vb = NULL;
	struct machine *m = NULL;
	enum vmm_fail where;
	int ch, rc, ret = 1;
	char exe[4096];
	ssize_t n;

	take_notify_fd();
	/* VirtualBox's banner lines, with our product name (as VBoxManage's
	 * logo): the copyright is not Oracle's */
	printf("VBox-KVM Headless Interface %s\n"
	       "Copyright (C) %d the VBox-KVM authors\n\n",
	       VERSION_STRING, VB_BUILD_YEAR);
	fflush(stdout);
	parse_env_recording(&rec_w, &rec_h, &rec_rate, &rec_file);

	vb_getopt_init(&g, argc, argv, 1, options, sizeof(options) / sizeof(options[0]));
	while ((ch = vb_getopt_next(&g)) != VBGO_END) {
		switch (ch) {
		case 's':
			spec = g.v.str;
			break;
		case 'p':
			printf("Warning: '-p' or '-vrdpport' are deprecated. Use '-e \"TCP/Ports=%s\"'\n",
			       g.v.str);
			break;
		case 'a':
			printf("Warning: '-a' or '-vrdpaddress' are deprecated. Use '-e \"TCP/Address=%s\"'\n",
			       g.v.str);
			break;
		case 'v':
			vrde = g.v.str;
			break;
		case 'e':
			if (nprops < 16)
				props[nprops++] = g.v.str;
			else
				printf("Warning: too many VRDE properties. Ignored: '%s'\n", g.v.str);
			break;
		case OPT_SETTINGSPW_FILE:
		case OPT_VMPW:
			pwfiles[npwfiles++ % 2] = g.v.str;
			break;
		case OPT_SETTINGSPW:
		case OPT_VMPWID:
		case OPT_COMMENT:
			/* Settings and machines here are not encrypted: there is
			 * nothing to unlock with the password. */
			break;
		case OPT_PAUSED:
			paused = true;
			break;
		case 'c':
			record = true;
			break;
		case 'w':
			rec_w = g.v.u32;
			break;
		case 'h':
			rec_h = g.v.u32;
			break;
		case 'r':
			rec_rate = g.v.u32;
			break;
		case 'f':
			rec_file = g.v.str;
			break;
		case OPT_HELP:
			show_usage();
			return 0;
		case 'V':
			printf("%sr%d\n", VERSION_STRING, VB_REVISION);
			return 0;
		case VBGO_NOT_OPTION:
			fprintf(stderr, "VBoxHeadless: error: Invalid parameter: %s\n", g.v.str);
			show_usage();
			return 2;
		case VBGO_ERR_UNKNOWN:
			fprintf(stderr, "VBoxHeadless: error: Unknown option: '%s'\n", g.arg);
			show_usage();
			return 2;
		case VBGO_ERR_FORMAT:
			fprintf(stderr, "VBoxHeadless: error: The value given '%s' has an invalid format.\n",
				g.def && g.def->name ? g.def->name : g.arg);
			show_usage();
			return 2;
		default:
			fprintf(stderr, "VBoxHeadless: error: %s: %s\n",
				g.def && g.def->name ? g.def->name : g.arg,
				vb_getopt_strerror(ch));
			show_usage();
			return 2;
		}
	}
	if (check_recording(rec_w, rec_h, rec_rate, rec_file))
		return 1;
	if (!spec) {
		show_usage();
		return 1;
	}
	for (i = 0; i < 2; i++) {
		FILE *f;

		if (!pwfiles[i] || !strcmp(pwfiles[i], "-") || !strcmp(pwfiles[i], "stdin"))
			continue;
		f = fopen(pwfiles[i], "r");
		if (!f) {
			fprintf(stderr, "VBoxHeadless: error: Cannot open password file '%s' (%s)\n",
				pwfiles[i], errno == ENOENT ? "VERR_FILE_NOT_FOUND" :
				errno == EACCES ? "VERR_ACCESS_DENIED" : "VERR_OPEN_FAILED");
			return 1;
		}
		fclose(f);
	}
	if (vbox_open(&vb, &err)) {
		if (strstr(err.msg, "is not accessible"))
			printf("%s", err.msg);
		else
			printf("VBoxHeadless: ERROR: failed to create the VirtualBoxClient object!\n%s\n",
			       err.msg);
		return 1;
	}
	if (vbox_find_machine(vb, spec, &m, &err)) {
		printf("Invalid machine name or UUID!\n");
		notify(&err);
		goto out;
	}
	if (!machine_accessible(m)) {
		vb_err(&err, EACCES, VB_E_ACCESSDENIED, "%s", machine_access_error(m));
		vb_err_where(&err, "MachineWrap", "IMachine", "nsISupports");
		api_error(&err, "LockMachine(session, LockType_VM)", 1016);
		goto out;
	}
	if (vrde && strcmp(vrde, "on") && strcmp(vrde, "enable") &&
	    strcmp(vrde, "off") && strcmp(vrde, "disable") && strcmp(vrde, "config")) {
		printf("-vrde requires an argument (on|off|config)\n");
		ret = 0;        /* VirtualBox leaves with the last (good) status */
		goto out;
	}
	if (!vrde || (strcmp(vrde, "off") && strcmp(vrde, "disable"))) {
		for (i = 0; i < nprops; i++) {
			if (!strchr(props[i], '=')) {
				printf("Error: Invalid VRDE property '%s'\n", props[i]);
				goto out;
			}
		}
	}
	if (record) {
		fprintf(stderr, "VBoxHeadless: error: Recording the screen is not supported by this VirtualBox implementation yet (there is no display device)\n");
		goto out;
	}

	memset(&opt, 0, sizeof(opt));
	opt.start_paused = paused;
	opt.frontend = "headless";
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	opt.executable = exe;
	opt.on_running = on_running;
	setup_signals();
	rc = vmm_vm_create(m, &opt, &g_vm, &where, &err);
	if (rc) {
		if (where == VMM_FAIL_LOCK) {
			api_error(&err, "LockMachine(session, LockType_VM)", 1016);
		} else {
			fprintf(stderr, "Starting virtual machine: \n");
			fprintf(stderr, "Operation failed: %s\n",
				vb_hrc_name(err.hrc ? err.hrc : VB_E_FAIL));
			printf("Error: failed to start machine. Error message: %s\n", err.msg);
		}
		if (!err.component)
			vb_err_where(&err, "ConsoleWrap", "IConsole", NULL);
		notify(&err);
		goto out;
	}
	vmm_vm_set_save_progress(g_vm, save_progress, &save_last);
	if ((vrde && (!strcmp(vrde, "on") || !strcmp(vrde, "enable"))) ||
	    ((!vrde || !strcmp(vrde, "config")) && vrde_enabled_in_settings(m))) {
		vmm_vm_log(g_vm, "VRDE: no VRDE server in this implementation; the server stays inactive");
		printf("VRDE server is inactive.\n");
	}
	fflush(stdout);
	vmm_vm_log(g_vm, "VBoxHeadless: starting event loop");
	fprintf(stderr, "Starting virtual machine: ");
	fflush(stderr);
	rc = vmm_vm_run(g_vm, &err);
	if (rc) {
		fprintf(stderr, "\nOperation failed: %s\n",
			vb_hrc_name(err.hrc ? err.hrc : VB_E_FAIL));
		printf("Error: failed to start machine. Error message: %s\n", err.msg);
		if (!err.component)
			vb_err_where(&err, "ConsoleWrap", "IConsole", NULL);
		notify(&err);
		goto out;
	}
	vmm_vm_log(g_vm, "VBoxHeadless: exiting");
	ret = 0;
out:
	vmm_vm_free(g_vm);
	g_vm = NULL;
	machine_free(m);
	vbox_free(vb);
	if (g_notify_fd >= 0)
		notify_text(VB_E_FAIL, "The VM process ended before the machine was started (exit code %d)",
			    ret);
	return ret;
}
