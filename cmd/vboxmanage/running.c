/*
 * Is a machine's VM process alive?  A running VM holds an exclusive flock
 * on <runtime dir>/<uuid>.lock for its whole life (ARCHITECTURE.md, "No
 * daemon"); the runtime dir is $XDG_RUNTIME_DIR/vbox, else
 * /tmp/.vbox-<user>-ipc.  Commands that VirtualBox refuses for a locked
 * machine, and "list runningvms", ask here.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

#include "cmd/vboxmanage/vboxmanage.h"
#include "lib/util/strbuf.h"

static char *lock_path(const struct vb_uuid *uuid)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	struct passwd *pw;
	char ub[40];

	vb_uuid_fmt(uuid, ub);
	if (xdg && *xdg)
		return vb_asprintf("%s/vbox/%s.lock", xdg, ub);
	pw = getpwuid(geteuid());
	return vb_asprintf("/tmp/.vbox-%s-ipc/%s.lock",
			   pw && pw->pw_name ? pw->pw_name : "unknown", ub);
}

bool vbm_machine_running(const struct vb_uuid *uuid)
{
	char *path = lock_path(uuid);
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
