/*
 * Guest OS types in appliances: the CIM_OperatingSystem "OsType" values of
 * OVF's OperatingSystemSection/@ovf:id and VirtualBox's OS type ids.
 *
 * Spec: DMTF CIM_OperatingSystem.mof (CIM 2.52) for the numbers; the
 * pairing and its order are VirtualBox's (the first entry of a CIM value
 * is the type suggested on import; export picks the entry of the OS type,
 * preferring its 64-bit variant when long mode is on).  Descriptions of
 * the "Other"/"Other 64-bit" CIM values are matched against patterns as
 * VirtualBox does.
 */
#include <string.h>
#include <strings.h>

#include "lib/settings/ovf.h"
#include "lib/util/checked.h"

struct cim_os {
	uint32_t cim;
	const char *id;
};

enum {
	CIM_UNKNOWN = 0, CIM_OTHER = 1, CIM_MACOS = 2, CIM_OS2 = 12,
	CIM_MSDOS = 14, CIM_WIN3X = 15, CIM_WIN95 = 16, CIM_WIN98 = 17,
	CIM_WINNT = 18, CIM_NETWARE = 21, CIM_SOLARIS = 29, CIM_SUNOS = 30,
	CIM_LINUX = 36, CIM_FREEBSD = 42, CIM_NETBSD = 43, CIM_QNX = 48,
	CIM_WIN2000 = 58, CIM_WINME = 63, CIM_OPENBSD = 65, CIM_WINXP = 67,
	CIM_WIN2003 = 69, CIM_WIN2003_64 = 70, CIM_WINXP_64 = 71,
	CIM_WINXP_EMB = 72, CIM_VISTA = 73, CIM_VISTA_64 = 74,
	CIM_WIN_POS = 75, CIM_WIN2008 = 76, CIM_WIN2008_64 = 77,
	CIM_FREEBSD_64 = 78, CIM_RHEL = 79, CIM_RHEL_64 = 80,
	CIM_SOLARIS_64 = 81, CIM_SUSE = 82, CIM_SUSE_64 = 83, CIM_SLES = 84,
	CIM_SLES_64 = 85, CIM_NOVELL_OES = 86, CIM_NOVELL_DESKTOP = 87,
	CIM_SUN_JDS = 88, CIM_MANDRIVA = 89, CIM_MANDRIVA_64 = 90,
	CIM_TURBO = 91, CIM_TURBO_64 = 92, CIM_UBUNTU = 93,
	CIM_UBUNTU_64 = 94, CIM_DEBIAN = 95, CIM_DEBIAN_64 = 96,
	CIM_LINUX24 = 97, CIM_LINUX24_64 = 98, CIM_LINUX26 = 99,
	CIM_LINUX26_64 = 100, CIM_LINUX_64 = 101, CIM_OTHER_64 = 102,
	CIM_WIN2008R2 = 103, CIM_WIN7 = 105, CIM_CENTOS = 106,
	CIM_CENTOS_64 = 107, CIM_ORACLE = 108, CIM_ORACLE_64 = 109,
	CIM_ECS = 110, CIM_WIN2011 = 111, CIM_WIN2012 = 112, CIM_WIN8 = 113,
	CIM_WIN8_64 = 114, CIM_WIN2012R2 = 115, CIM_WIN81 = 116,
	CIM_WIN81_64 = 117, CIM_WIN2016 = 118, CIM_WIN10 = 119,
	CIM_WIN10_64 = 120,
};

static const struct cim_os table[] = {
	{ CIM_UNKNOWN, "Other" }, { CIM_UNKNOWN, "Other_64" },
	{ CIM_OS2, "OS2" }, { CIM_OS2, "OS2Warp3" }, { CIM_OS2, "OS2Warp4" },
	{ CIM_OS2, "OS2Warp45" }, { CIM_OS2, "OS21x" }, { CIM_OS2, "OS2eCS" },
	{ CIM_OS2, "OS2ArcaOS" },
	{ CIM_MSDOS, "DOS" }, { CIM_WIN3X, "Windows31" },
	{ CIM_WIN95, "Windows95" }, { CIM_WIN98, "Windows98" },
	{ CIM_WINNT, "WindowsNT" }, { CIM_WINNT, "WindowsNT4" },
	{ CIM_WINNT, "WindowsNT3x" },
	{ CIM_NETWARE, "Netware" }, { CIM_NOVELL_OES, "Netware" },
	{ CIM_SOLARIS, "Solaris" }, { CIM_SOLARIS_64, "Solaris_64" },
	{ CIM_SOLARIS, "Solaris10U8_or_later" },
	{ CIM_SOLARIS_64, "Solaris10U8_or_later_64" },
	{ CIM_SUNOS, "Solaris" },
	{ CIM_FREEBSD, "FreeBSD" }, { CIM_NETBSD, "NetBSD" },
	{ CIM_QNX, "QNX" }, { CIM_WIN2000, "Windows2000" },
	{ CIM_WINME, "WindowsMe" }, { CIM_OPENBSD, "OpenBSD" },
	{ CIM_WINXP, "WindowsXP" }, { CIM_WINXP_EMB, "WindowsXP" },
	{ CIM_WIN_POS, "WindowsXP" }, { CIM_WIN2003, "Windows2003" },
	{ CIM_WIN2003_64, "Windows2003_64" }, { CIM_WINXP_64, "WindowsXP_64" },
	{ CIM_VISTA, "WindowsVista" }, { CIM_VISTA_64, "WindowsVista_64" },
	{ CIM_WIN2008, "Windows2008" }, { CIM_WIN2008_64, "Windows2008_64" },
	{ CIM_FREEBSD_64, "FreeBSD_64" },
	{ CIM_MACOS, "MacOS" }, { CIM_MACOS, "MacOS_64" },
	{ CIM_MACOS, "MacOS106" }, { CIM_MACOS, "MacOS106_64" },
	{ CIM_MACOS, "MacOS107_64" }, { CIM_MACOS, "MacOS108_64" },
	{ CIM_MACOS, "MacOS109_64" }, { CIM_MACOS, "MacOS1010_64" },
	{ CIM_MACOS, "MacOS1011_64" }, { CIM_MACOS, "MacOS1012_64" },
	{ CIM_MACOS, "MacOS1013_64" },
	/* Linuxes */
	{ CIM_RHEL, "RedHat" }, { CIM_RHEL_64, "RedHat_64" },
	{ CIM_RHEL, "RedHat3" }, { CIM_RHEL_64, "RedHat3_64" },
	{ CIM_RHEL, "RedHat4" }, { CIM_RHEL_64, "RedHat4_64" },
	{ CIM_RHEL, "RedHat5" }, { CIM_RHEL_64, "RedHat5_64" },
	{ CIM_RHEL, "RedHat6" }, { CIM_RHEL_64, "RedHat6_64" },
	{ CIM_RHEL_64, "RedHat7_64" }, { CIM_RHEL_64, "RedHat8_64" },
	{ CIM_RHEL_64, "RedHat9_64" },
	{ CIM_SUSE, "OpenSUSE" }, { CIM_SLES, "SUSE_LE" },
	{ CIM_NOVELL_DESKTOP, "OpenSUSE" }, { CIM_SUSE_64, "OpenSUSE_64" },
	{ CIM_SLES_64, "SUSE_LE_64" }, { CIM_SUSE_64, "OpenSUSE_Leap_64" },
	{ CIM_SUSE, "OpenSUSE_Tumbleweed" },
	{ CIM_SUSE_64, "OpenSUSE_Tumbleweed_64" },
	{ CIM_LINUX, "Linux" }, { CIM_LINUX, "Linux22" },
	{ CIM_SUN_JDS, "Linux" }, { CIM_TURBO, "Turbolinux" },
	{ CIM_TURBO_64, "Turbolinux_64" },
	{ CIM_MANDRIVA, "Mandriva" }, { CIM_MANDRIVA_64, "Mandriva_64" },
	{ CIM_MANDRIVA, "OpenMandriva_Lx" },
	{ CIM_MANDRIVA_64, "OpenMandriva_Lx_64" },
	{ CIM_MANDRIVA, "PCLinuxOS" }, { CIM_MANDRIVA_64, "PCLinuxOS_64" },
	{ CIM_MANDRIVA, "Mageia" }, { CIM_MANDRIVA_64, "Mageia_64" },
	{ CIM_UBUNTU, "Ubuntu" }, { CIM_UBUNTU_64, "Ubuntu_64" },
	{ CIM_UBUNTU, "Ubuntu10_LTS" }, { CIM_UBUNTU_64, "Ubuntu10_LTS_64" },
	{ CIM_UBUNTU, "Ubuntu10" }, { CIM_UBUNTU_64, "Ubuntu10_64" },
	{ CIM_UBUNTU, "Ubuntu11" }, { CIM_UBUNTU_64, "Ubuntu11_64" },
	{ CIM_UBUNTU, "Ubuntu12_LTS" }, { CIM_UBUNTU_64, "Ubuntu12_LTS_64" },
	{ CIM_UBUNTU, "Ubuntu12" }, { CIM_UBUNTU_64, "Ubuntu12_64" },
	{ CIM_UBUNTU, "Ubuntu13" }, { CIM_UBUNTU_64, "Ubuntu13_64" },
	{ CIM_UBUNTU, "Ubuntu14_LTS" }, { CIM_UBUNTU_64, "Ubuntu14_LTS_64" },
	{ CIM_UBUNTU, "Ubuntu14" }, { CIM_UBUNTU_64, "Ubuntu14_64" },
	{ CIM_UBUNTU, "Ubuntu15" }, { CIM_UBUNTU_64, "Ubuntu15_64" },
	{ CIM_UBUNTU, "Ubuntu16_LTS" }, { CIM_UBUNTU_64, "Ubuntu16_LTS_64" },
	{ CIM_UBUNTU, "Ubuntu16" }, { CIM_UBUNTU_64, "Ubuntu16_64" },
	{ CIM_UBUNTU, "Ubuntu17" }, { CIM_UBUNTU_64, "Ubuntu17_64" },
	{ CIM_UBUNTU, "Ubuntu18_LTS" }, { CIM_UBUNTU_64, "Ubuntu18_LTS_64" },
	{ CIM_UBUNTU, "Ubuntu18" }, { CIM_UBUNTU_64, "Ubuntu18_64" },
	{ CIM_UBUNTU, "Ubuntu19" }, { CIM_UBUNTU_64, "Ubuntu19_64" },
	{ CIM_UBUNTU_64, "Ubuntu20_LTS_64" }, { CIM_UBUNTU_64, "Ubuntu20_64" },
	{ CIM_UBUNTU_64, "Ubuntu21_64" }, { CIM_UBUNTU_64, "Ubuntu22_LTS_64" },
	{ CIM_UBUNTU_64, "Ubuntu22_64" }, { CIM_UBUNTU_64, "Ubuntu23_64" },
	{ CIM_UBUNTU_64, "Ubuntu231_64" }, { CIM_UBUNTU_64, "Ubuntu24_LTS_64" },
	{ CIM_UBUNTU, "Lubuntu" }, { CIM_UBUNTU_64, "Lubuntu_64" },
	{ CIM_UBUNTU, "Xubuntu" }, { CIM_UBUNTU_64, "Xubuntu_64" },
	{ CIM_DEBIAN, "Debian" }, { CIM_DEBIAN_64, "Debian_64" },
	{ CIM_DEBIAN, "Debian31" }, { CIM_DEBIAN, "Debian4" },
	{ CIM_DEBIAN_64, "Debian4_64" }, { CIM_DEBIAN, "Debian5" },
	{ CIM_DEBIAN_64, "Debian5_64" }, { CIM_DEBIAN, "Debian6" },
	{ CIM_DEBIAN_64, "Debian6_64" }, { CIM_DEBIAN, "Debian7" },
	{ CIM_DEBIAN_64, "Debian7_64" }, { CIM_DEBIAN, "Debian8" },
	{ CIM_DEBIAN_64, "Debian8_64" }, { CIM_DEBIAN, "Debian9" },
	{ CIM_DEBIAN_64, "Debian9_64" }, { CIM_DEBIAN, "Debian10" },
	{ CIM_DEBIAN_64, "Debian10_64" }, { CIM_DEBIAN, "Debian11" },
	{ CIM_DEBIAN_64, "Debian11_64" }, { CIM_DEBIAN, "Debian12" },
	{ CIM_DEBIAN_64, "Debian12_64" },
	{ CIM_LINUX24, "Linux24" }, { CIM_LINUX24_64, "Linux24_64" },
	{ CIM_LINUX26, "Linux26" }, { CIM_LINUX26_64, "Linux26_64" },
	{ CIM_LINUX_64, "Linux26_64" },
	/* types without a CIM value of their own */
	{ CIM_LINUX26, "ArchLinux" }, { CIM_LINUX26_64, "ArchLinux_64" },
	{ CIM_LINUX26, "Fedora" }, { CIM_LINUX26_64, "Fedora_64" },
	{ CIM_LINUX26, "Gentoo" }, { CIM_LINUX26_64, "Gentoo_64" },
	{ CIM_LINUX26, "Xandros" }, { CIM_LINUX26_64, "Xandros_64" },
	{ CIM_SOLARIS, "OpenSolaris" }, { CIM_SOLARIS_64, "OpenSolaris_64" },
	/* CIM 2.25 and later */
	{ CIM_WIN2008R2, "Windows2008" },
	{ CIM_WIN7, "Windows7" }, { CIM_WIN7, "Windows7_64" },
	{ CIM_CENTOS, "RedHat" }, { CIM_CENTOS_64, "RedHat_64" },
	{ CIM_ORACLE, "Oracle" }, { CIM_ORACLE_64, "Oracle_64" },
	{ CIM_ORACLE, "Oracle4" }, { CIM_ORACLE_64, "Oracle4_64" },
	{ CIM_ORACLE, "Oracle5" }, { CIM_ORACLE_64, "Oracle5_64" },
	{ CIM_ORACLE, "Oracle6" }, { CIM_ORACLE_64, "Oracle6_64" },
	{ CIM_ORACLE_64, "Oracle7_64" }, { CIM_ORACLE_64, "Oracle8_64" },
	{ CIM_ORACLE_64, "Oracle9_64" },
	{ CIM_ECS, "OS2eCS" },
	{ CIM_WIN2011, "Windows2008_64" }, { CIM_WIN2012, "Windows2012_64" },
	{ CIM_WIN8, "Windows8" }, { CIM_WIN8_64, "Windows8_64" },
	{ CIM_WIN2012R2, "Windows2012_64" },
	{ CIM_WIN81, "Windows81" }, { CIM_WIN81_64, "Windows81_64" },
	{ CIM_WIN2016, "Windows2016_64" },
	{ CIM_WIN10, "Windows10" }, { CIM_WIN10_64, "Windows10_64" },
	{ CIM_WIN10_64, "Windows11_64" }, { CIM_WIN2016, "Windows2019_64" },
	{ CIM_WIN2016, "Windows2022_64" },
};

struct pattern {
	const char *text;
	const char *id;
};

/* Description patterns for CIM "Other" and "Other 64-bit", by priority. */
static const struct pattern pat32[] = {
	{ "Windows NT", "WindowsNT4" }, { "Windows XP", "WindowsXP" },
	{ "Windows 2000", "Windows2000" }, { "Windows 2003", "Windows2003" },
	{ "Windows Vista", "WindowsVista" }, { "Windows 2008", "Windows2008" },
	{ "Windows 7", "Windows7" }, { "Windows 8.1", "Windows81" },
	{ "Windows 8", "Windows8" }, { "Windows 10", "Windows10" },
	{ "SUSE", "OpenSUSE" }, { "Novell", "OpenSUSE" },
	{ "Red Hat", "RedHat" }, { "Mandriva", "Mandriva" },
	{ "Ubuntu", "Ubuntu" }, { "Debian", "Debian" }, { "QNX", "QNX" },
	{ "Linux 2.4", "Linux24" }, { "Linux 2.6", "Linux26" },
	{ "Linux", "Linux" }, { "OpenSolaris", "OpenSolaris" },
	{ "Solaris", "OpenSolaris" }, { "FreeBSD", "FreeBSD" },
	{ "NetBSD", "NetBSD" }, { "Windows 95", "Windows95" },
	{ "Windows 98", "Windows98" }, { "Windows Me", "WindowsMe" },
	{ "Windows 3.", "Windows31" }, { "DOS", "DOS" }, { "OS2", "OS2" },
};

static const struct pattern pat64[] = {
	{ "Windows XP", "WindowsXP_64" }, { "Windows 2003", "Windows2003_64" },
	{ "Windows Vista", "WindowsVista_64" },
	{ "Windows 2008", "Windows2008_64" }, { "Windows 7", "Windows7_64" },
	{ "Windows 8.1", "Windows81_64" }, { "Windows 8", "Windows8_64" },
	{ "Windows 2012", "Windows2012_64" }, { "Windows 10", "Windows10_64" },
	{ "Windows 2016", "Windows2016_64" },
	{ "Windows 2019", "Windows2019_64" }, { "SUSE", "OpenSUSE_64" },
	{ "Novell", "OpenSUSE_64" }, { "Red Hat", "RedHat_64" },
	{ "Mandriva", "Mandriva_64" }, { "Ubuntu", "Ubuntu_64" },
	{ "Debian", "Debian_64" }, { "Linux 2.4", "Linux24_64" },
	{ "Linux 2.6", "Linux26_64" }, { "Linux", "Linux26_64" },
	{ "OpenSolaris", "OpenSolaris_64" }, { "Solaris", "OpenSolaris_64" },
	{ "FreeBSD", "FreeBSD_64" },
};

static bool contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return true;
	return false;
}

const char *ovf_cim_to_ostype(uint32_t cim, const char *desc)
{
	size_t i;

	if (!desc)
		desc = "";
	if (cim == CIM_OTHER) {
		for (i = 0; i < VB_ARRAY_SIZE(pat32); i++)
			if (contains_ci(desc, pat32[i].text))
				return pat32[i].id;
	} else if (cim == CIM_OTHER_64) {
		for (i = 0; i < VB_ARRAY_SIZE(pat64); i++)
			if (contains_ci(desc, pat64[i].text))
				return pat64[i].id;
	}
	for (i = 0; i < VB_ARRAY_SIZE(table); i++)
		if (table[i].cim == cim)
			return table[i].id;
	return cim == CIM_OTHER_64 ? "Other_64" : "Other";
}

static bool is64(const char *id)
{
	size_t n = strlen(id);

	return n > 3 && !strcmp(id + n - 3, "_64");
}

uint32_t ovf_ostype_to_cim(const char *ostype, bool long_mode)
{
	size_t i, j, n;
	char want[64];

	if (!ostype)
		ostype = "";
	for (i = 0; i < VB_ARRAY_SIZE(table); i++) {
		if (strcasecmp(ostype, table[i].id))
			continue;
		n = strlen(table[i].id);
		if (long_mode && !is64(table[i].id) && n + 4 <= sizeof(want)) {
			memcpy(want, table[i].id, n);
			memcpy(want + n, "_64", 4);
			for (j = i + 1; j < VB_ARRAY_SIZE(table); j++)
				if (!strcmp(table[j].id, want))
					return table[j].cim;
			for (j = i; j-- > 1;)
				if (!strcmp(table[j].id, want))
					return table[j].cim;
		}
		return table[i].cim;
	}
	return long_mode ? CIM_OTHER_64 : CIM_OTHER;
}
