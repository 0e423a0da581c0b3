/*
 * Where VirtualBox keeps its settings on Linux:
 *   $VBOX_USER_HOME (made absolute, created)      if set, nothing else;
 *   ~/.VirtualBox                                 if that directory exists;
 *   $XDG_CONFIG_HOME/VirtualBox (relative values are taken against the
 *     home directory) or ~/.config/VirtualBox     otherwise, created.
 * The default machine folder is "~/VirtualBox VMs".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/settings/settings-int.h"
#include "lib/util/path.h"

int settings_home(char **out, struct vb_error *err)
{
	const char *env = getenv("VBOX_USER_HOME");
	const char *home;
	char *dir = NULL;
	int rc;

	*out = NULL;
	if (env && *env) {
		dir = path_abs(env);
	} else {
		const char *xdg = getenv("XDG_CONFIG_HOME");

		home = path_user_home();
		if (!home)
			return vb_err(err, ENOENT, VBOX_E_IPRT_ERROR,
				      "Could not determine the home directory of the user");
		dir = path_join(home, ".VirtualBox");
		if (dir && path_is_dir(dir)) {
			*out = dir;
			return 0;
		}
		free(dir);
		if (xdg) {
			char *base = path_is_abs(xdg) ? strdup(xdg)
						      : path_join(home, xdg);

			dir = base ? path_join(base, "VirtualBox") : NULL;
			free(base);
		} else {
			dir = vb_asprintf("%s/.config/VirtualBox", home);
		}
	}
	if (!dir)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	if (!path_is_dir(dir)) {
		rc = path_mkdirs(dir, 0700);
		if (rc) {
			vb_err(err, -rc, VB_E_FAIL,
			       "Failed to initialize COM because the global settings directory '%s' is not accessible!",
			       dir);
			free(dir);
			return rc;
		}
	}
	*out = dir;
	return 0;
}

char *settings_default_machine_folder(void)
{
	const char *home = path_user_home();

	return home ? path_join(home, "VirtualBox VMs") : NULL;
}
