/*
 * Logs/VBox.log: the VM's release log, in VirtualBox's shape: every line
 * starts with the time since the log was opened (HH:MM:SS.uuuuuu); the
 * previous logs are rotated to VBox.log.1 .. VBox.log.<history> when a
 * new VM run opens it, as VirtualBox does (LogHistoryCount, default 3).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/util/path.h"
#include "lib/util/strbuf.h"
#include "lib/vmm/vmm-int.h"

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void rotate(const char *path, unsigned history)
{
	unsigned i;

	if (!path_exists(path))
		return;
	if (!history) {
		unlink(path);
		return;
	}
	for (i = history; i >= 1; i--) {
		char *to = vb_asprintf("%s.%u", path, i);
		char *from = i == 1 ? vb_strdup(path) : vb_asprintf("%s.%u", path, i - 1);

		if (to && from) {
			if (i == history)
				unlink(to);
			rename(from, to);
		}
		free(to);
		free(from);
	}
}

int vmm_log_open(struct vmm_log *l, const char *dir, unsigned history,
		 struct vb_error *err)
{
	int fd, rc;

	memset(l, 0, sizeof(*l));
	pthread_mutex_init(&l->lock, NULL);
	l->t0_ns = mono_ns();
	rc = path_mkdirs(dir, 0755);
	if (rc < 0)
		return vb_err(err, -rc, VB_E_FAIL,
			      "Failed to create the log directory '%s' (%s)", dir,
			      strerror(-rc));
	l->path = path_join(dir, "VBox.log");
	if (!l->path)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	rotate(l->path, history);
	fd = open(l->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || !(l->f = fdopen(fd, "w"))) {
		rc = errno;
		if (fd >= 0)
			close(fd);
		return vb_err(err, rc, VB_E_FAIL, "Failed to open release log (%s)",
			      strerror(rc));
	}
	setvbuf(l->f, NULL, _IOLBF, 0);
	return 0;
}

void vmm_log_close(struct vmm_log *l)
{
	if (l->f)
		fclose(l->f);
	l->f = NULL;
	free(l->path);
	l->path = NULL;
	pthread_mutex_destroy(&l->lock);
}

void vmm_log_vline(struct vmm_log *l, const char *fmt, va_list ap)
{
	uint64_t us;
	char buf[2048];
	char *p, *nl;

	if (!l->f)
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	us = (mono_ns() - l->t0_ns) / 1000;
	pthread_mutex_lock(&l->lock);
	/* Several lines in one message each get the time stamp. */
	for (p = buf; ; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		if (*p || !nl)
			fprintf(l->f, "%02u:%02u:%02u.%06u %s\n",
				(unsigned)(us / 3600000000ull),
				(unsigned)(us / 60000000ull % 60),
				(unsigned)(us / 1000000ull % 60),
				(unsigned)(us % 1000000ull), p);
		if (!nl || !nl[1])
			break;
	}
	pthread_mutex_unlock(&l->lock);
}

void vmm_log_line(struct vmm_log *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmm_log_vline(l, fmt, ap);
	va_end(ap);
}
