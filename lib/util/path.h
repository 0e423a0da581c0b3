/*
 * Path helpers.  Functions returning char * give a newly allocated string
 * (NULL on allocation failure) that the caller frees.
 */
#ifndef VB_UTIL_PATH_H
#define VB_UTIL_PATH_H

#include <stdbool.h>
#include <sys/types.h>

char *path_join(const char *dir, const char *name);
char *path_dirname(const char *path);
const char *path_basename(const char *path);     /* lends into path */
/* Absolute, lexically normalised ("." and ".." and "//" folded), relative
 * paths taken against the current directory.  Does not touch the disk. */
char *path_abs(const char *path);
/* Same, relative to base instead of the current directory. */
char *path_abs_from(const char *base, const char *path);
bool path_is_abs(const char *path);
/* If path lies inside dir, the part after "dir/", else NULL. Lends. */
const char *path_inside(const char *dir, const char *path);
bool path_exists(const char *path);
bool path_is_dir(const char *path);
bool path_is_file(const char *path);
/* mkdir -p with the given mode for created directories. 0 or -errno. */
int path_mkdirs(const char *path, mode_t mode);
/* Strip the extension (last ".x" of the basename); returns new string. */
char *path_strip_ext(const char *path);
/* The extension including the dot, or "" (lends). */
const char *path_ext(const char *path);
/* Convert backslashes to slashes (new string). */
char *path_slashes(const char *path);
/* Home directory as VirtualBox resolves it (root prefers the account
 * database, others $HOME). Lends a static buffer. NULL if none. */
const char *path_user_home(void);

#endif
