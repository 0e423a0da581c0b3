/*
 * Unit test runner: runs every registered test (or those whose name
 * contains one of the arguments) in a child process and prints TAP-like
 * lines plus a final "unit: N passed, N failed, N skipped".
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

struct t_entry {
	const char *name;
	void (*fn)(void);
};
extern const struct t_entry t_registry[];

#define EXIT_SKIP 77

static char tmpdir[PATH_MAX];

void t_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "# %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	_exit(1);
}

void t_skip(const char *reason)
{
	fprintf(stderr, "# skip: %s\n", reason);
	fflush(stderr);
	_exit(EXIT_SKIP);
}

const char *t_tmpdir(void)
{
	return tmpdir;
}

const char *t_shared_dir(void)
{
	static char dir[PATH_MAX];
	const char *env = getenv("VB_SHARED_DIR");

	if (env && *env)
		return env;
	if (realpath("../shared", dir) && access(dir, R_OK) == 0)
		return dir;
	return NULL;
}

static void rm_rf(const char *path)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", path);
}

static int wanted(const char *name, int argc, char **argv)
{
	int i;

	if (argc <= 1)
		return 1;
	for (i = 1; i < argc; i++)
		if (strstr(name, argv[i]))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	const struct t_entry *t;
	int n = 0, pass = 0, fail = 0, skip = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (t = t_registry; t->name; t++) {
		pid_t pid;
		int status;

		if (!wanted(t->name, argc, argv))
			continue;
		n++;
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/vb-unit-%d-XXXXXX",
			 (int)getpid());
		if (!mkdtemp(tmpdir)) {
			perror("mkdtemp");
			return 2;
		}
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			alarm(120);
			t->fn();
			_exit(0);
		}
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		rm_rf(tmpdir);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			pass++;
			printf("ok %d %s\n", n, t->name);
		} else if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_SKIP) {
			skip++;
			printf("ok %d %s # skip\n", n, t->name);
		} else {
			fail++;
			if (WIFSIGNALED(status))
				printf("not ok %d %s (signal %d)\n", n, t->name,
				       WTERMSIG(status));
			else
				printf("not ok %d %s\n", n, t->name);
		}
	}
	printf("unit: %d passed, %d failed, %d skipped\n", pass, fail, skip);
	return fail ? 1 : 0;
}
