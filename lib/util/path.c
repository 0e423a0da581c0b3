#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util/path.h"
#include "lib/util/strbuf.h"

char *path_join(const char *dir, const char *name)
{
	size_t ld;

	if (!dir || !*dir)
		return vb_strdup(name);
	if (path_is_abs(name))
		return vb_strdup(name);
	ld = strlen(dir);
	if (dir[ld - 1] == '/')
		return vb_asprintf("%s%s", dir, name);
	return vb_asprintf("%s/%s", dir, name);
}

char *path_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	while (slash > path && slash[-1] == '/')
		slash--;
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

const char *path_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

bool path_is_abs(const char *path)
{
	return path && path[0] == '/';
}

/* Fold ".", ".." and repeated slashes of an absolute path, in place. */
static void normalise(char *p)
{
	char *out = p, *in = p;

	while (*in) {
		while (*in == '/')
			in++;
		if (!*in)
			break;
		if (in[0] == '.' && (in[1] == '/' || !in[1])) {
			in++;
			continue;
		}
		if (in[0] == '.' && in[1] == '.' && (in[2] == '/' || !in[2])) {
			in += 2;
			while (out > p && *--out != '/')
				;
			continue;
		}
		*out++ = '/';
		while (*in && *in != '/')
			*out++ = *in++;
	}
	if (out == p)
		*out++ = '/';
	*out = '\0';
}

char *path_abs_from(const char *base, const char *path)
{
	char *r;

	if (path_is_abs(path))
		r = strdup(path);
	else
		r = vb_asprintf("%s/%s", base, path);
	if (r)
		normalise(r);
	return r;
}

char *path_abs(const char *path)
{
	char cwd[PATH_MAX];

	if (path_is_abs(path))
		return path_abs_from("/", path);
	if (!getcwd(cwd, sizeof(cwd)))
		return NULL;
	return path_abs_from(cwd, path);
}

const char *path_inside(const char *dir, const char *path)
{
	size_t ld = strlen(dir);

	while (ld > 1 && dir[ld - 1] == '/')
		ld--;
	if (strncmp(dir, path, ld) != 0 || path[ld] != '/')
		return NULL;
	return path + ld + 1;
}

bool path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

bool path_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool path_is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int path_mkdirs(const char *path, mode_t mode)
{
	char *p = strdup(path);
	char *s;
	int rc = 0;

	if (!p)
		return -ENOMEM;
	for (s = p + 1; ; s++) {
		if (*s == '/' || !*s) {
			char c = *s;

			*s = '\0';
			if (mkdir(p, mode) < 0 && errno != EEXIST) {
				rc = -errno;
				break;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	if (!rc && !path_is_dir(path))
		rc = -ENOTDIR;
	free(p);
	return rc;
}

const char *path_ext(const char *path)
{
	const char *base = path_basename(path);
	const char *dot = strrchr(base, '.');

	return dot && dot != base ? dot : "";
}

char *path_strip_ext(const char *path)
{
	const char *ext = path_ext(path);

	return strndup(path, (size_t)(ext[0] ? ext - path : (long)strlen(path)));
}

char *path_slashes(const char *path)
{
	char *r = strdup(path), *s;

	if (r)
		for (s = r; *s; s++)
			if (*s == '\\')
				*s = '/';
	return r;
}

const char *path_user_home(void)
{
	static char home[PATH_MAX];
	struct passwd *pw = getpwuid(geteuid());
	const char *env = getenv("HOME");
	const char *first, *second;

	if (geteuid() == 0) {
		first = pw ? pw->pw_dir : NULL;
		second = env;
	} else {
		first = env;
		second = pw ? pw->pw_dir : NULL;
	}
	if (first && *first && path_is_dir(first))
		vb_strlcpy(home, first, sizeof(home));
	else if (second && *second && path_is_dir(second))
		vb_strlcpy(home, second, sizeof(home));
	else
		return NULL;
	return home;
}
