/*
 * Pre-1.7 settings (VirtualBox 2.x, settings 1.3 .. 1.6): what a modern
 * VirtualBox converts when it loads them.  See settings-format.md sections
 * 5 and 8.
 */
#include <errno.h>
#include <string.h>

#include "lib/settings/settings-int.h"
#include "lib/util/checked.h"

/* Guest OS ids of files older than 1.5, mapped on load. */
static const struct {
	const char *old;
	const char *id;
} ostype_map[] = {
	{ "unknown", "Other" }, { "dos", "DOS" }, { "win31", "Windows31" },
	{ "win95", "Windows95" }, { "win98", "Windows98" },
	{ "winme", "WindowsMe" }, { "winnt4", "WindowsNT4" },
	{ "win2k", "Windows2000" }, { "winxp", "WindowsXP" },
	{ "win2k3", "Windows2003" }, { "winvista", "WindowsVista" },
	{ "win2k8", "Windows2008" }, { "os2warp3", "OS2Warp3" },
	{ "os2warp4", "OS2Warp4" }, { "os2warp45", "OS2Warp45" },
	{ "ecs", "OS2eCS" }, { "linux22", "Linux22" },
	{ "linux24", "Linux24" }, { "linux26", "Linux26" },
	{ "archlinux", "ArchLinux" }, { "debian", "Debian" },
	{ "opensuse", "OpenSUSE" }, { "fedoracore", "Fedora" },
	{ "gentoo", "Gentoo" }, { "mandriva", "Mandriva" },
	{ "redhat", "RedHat" }, { "ubuntu", "Ubuntu" },
	{ "xandros", "Xandros" }, { "freebsd", "FreeBSD" },
	{ "openbsd", "OpenBSD" }, { "netbsd", "NetBSD" },
	{ "netware", "Netware" }, { "solaris", "Solaris" },
	{ "opensolaris", "OpenSolaris" }, { "l4", "L4" },
};

const char *legacy_ostype_map(const char *old)
{
	size_t i;

	for (i = 0; i < VB_ARRAY_SIZE(ostype_map); i++)
		if (!strcmp(ostype_map[i].old, old))
			return ostype_map[i].id;
	return old;
}

int legacy_machine_convert(struct sdoc *d, struct vb_error *err)
{
	return vb_err(err, ENOTSUP, VBOX_E_XML_ERROR,
		      "Error in %s -- machine settings version 1.%u are not supported yet.",
		      d->path, d->version_read);
}

int legacy_global_convert(struct sdoc *d, struct vb_error *err)
{
	return vb_err(err, ENOTSUP, VBOX_E_XML_ERROR,
		      "Error in %s -- global settings version 1.%u are not supported yet.",
		      d->path, d->version_read);
}
