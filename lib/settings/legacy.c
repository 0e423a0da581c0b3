/*
 * Settings files from before VirtualBox 4.0, converted on load the way a
 * modern VirtualBox reads them (settings-format.md sections 5, 6.2, 8;
 * facts from Settings.cpp: readMedium/readMediaRegistry for DiskRegistry,
 * readHardware, readHardDiskAttachments_pre1_7, readDVDAndFloppies_pre1_9,
 * convertOldOSType_pre1_5, MainConfigFile's SystemProperties reader).
 *
 * Machine files
 *   < 1.7  the DOM is rewritten into the 1.7 layout: HardDiskAttachments,
 *          BIOS/IDEController and SATAController become StorageControllers
 *          at Machine level; CPU/CPUCount, Display MonitorCount and
 *          Accelerate3D, Guest MemoryBalloonSize/StatisticsUpdateInterval,
 *          Uart/Lpt, HostInterface and lower-case enum values get their
 *          modern spellings; OS type ids older than 1.5 are mapped;
 *          Hardware/@version appears ("2" unless the machine has a saved
 *          state, as Machine::saveHardware upgrades it).  Snapshots alike.
 *   < 1.9  DVDDrive and FloppyDrive (inside Hardware) become AttachedDevices
 *          of the IDE controller (port 1, device 0) and of a "Floppy
 *          Controller" (I82078), the way VirtualBox holds them in memory,
 *          so everything that looks at StorageControllers sees the drives.
 *          When such a file is written at a version below 1.9 the layout is
 *          turned back (legacy_machine_pre19_copy); bump.c raises the
 *          version to 1.9 when the drives no longer fit the old layout.
 *   <= 1.9 the short controller names "IDE", "SATA", "SCSI" are expanded.
 *
 * Global files
 *   < 1.7  DiskRegistry (typed VirtualDiskImage/VMDKImage/VHDImage/
 *          ISCSIHardDisk/CustomHardDisk children, DiffHardDisk children,
 *          lower-case types, Image src=) becomes a MediaRegistry; a default
 *          DHCP server is added when there is none; Global's children are
 *          put in modern order.
 *   all    relative MachineEntry src and medium locations are resolved
 *          against the VirtualBox home (VirtualBox writes them absolute);
 *          SystemProperties: defaultMachineFolder "Machines" becomes the
 *          default machine folder, remoteDisplayAuthLibrary is carried as
 *          VRDEAuthLibrary, defaultVDIFolder/defaultHardDiskFolder and
 *          HWVirtExEnabled are dropped.  Each step does nothing on files
 *          that do not have the legacy form.
 *
 * Known limits: settings 1.0-1.2 are refused (as by VirtualBox 3.x and
 * later); "1.3-pre" files load like 1.3.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/tree.h>

#include "lib/settings/settings-int.h"
#include "lib/util/checked.h"
#include "lib/util/path.h"

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

/* ------------------------------------------------------------------ */
/* helpers                                                             */

static long line_of(const struct snode *n)
{
	return n ? xmlGetLineNo((const xmlNode *)n) : 1;
}

/* VirtualBox's ConfigFileError text. */
static int cfg_error(struct sdoc *d, const struct snode *n,
		     struct vb_error *err, const char *what)
{
	return vb_err(err, EINVAL, VBOX_E_XML_ERROR,
		      "Error in %s (line %ld) -- %s.", d->path, line_of(n),
		      what);
}

static int oom(struct vb_error *err)
{
	return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
}

/* Replace an attribute value by the canonical spelling of a
 * case-insensitive enumeration; unknown values are left alone. */
static int canon_value(struct snode *n, const char *attr,
		       const char *const *names)
{
	const char *v = snode_attr(n, attr);
	size_t i;

	if (!v)
		return 0;
	for (i = 0; names[i]; i++)
		if (!strcasecmp(v, names[i]))
			return strcmp(v, names[i]) ?
			       snode_set_attr(n, attr, names[i]) : 0;
	return 0;
}

/* A UUID attribute in VirtualBox's written form "{...}". */
static int canon_uuid(struct sdoc *d, struct snode *n, const char *attr,
		      struct vb_error *err)
{
	const char *v = snode_attr(n, attr);
	struct vb_uuid u;
	char buf[40];

	if (!v || vb_uuid_parse(v, &u)) {
		char what[160];

		snprintf(what, sizeof(what), "UUID \"%s\" has invalid format",
			 v ? v : "");
		return cfg_error(d, n, err, what);
	}
	if (snode_set_attr(n, attr, vb_uuid_fmt_braced(&u, buf)))
		return oom(err);
	return 0;
}

static bool is_ide_type(const char *t)
{
	return t && (!strcmp(t, "PIIX3") || !strcmp(t, "PIIX4") ||
		     !strcmp(t, "ICH6"));
}

/* Copy an <Image uuid> or <HostDrive src> child of a drive element. */
static int copy_medium_child(const struct snode *from, struct snode *to)
{
	struct snode *c = snode_child(from, "Image");

	if (c && snode_attr(c, "uuid"))
		return snode_copy(c, to) ? 0 : -ENOMEM;
	c = snode_child(from, "HostDrive");
	if (c)
		return snode_copy(c, to) ? 0 : -ENOMEM;
	return 0;
}

/* ------------------------------------------------------------------ */
/* machine files < 1.7                                                 */

static const char *const auth_types[] = { "Null", "Guest", "External", NULL };
static const char *const boot_menu_modes[] = { "Disabled", "MenuOnly",
	"MessageAndMenu", NULL };
static const char *const audio_drivers[] = { "Null", "WinMM", "DirectSound",
	"SolAudio", "ALSA", "Pulse", "OSS", "CoreAudio", "MMPM", NULL };

static int hw_spellings(struct snode *hw)
{
	struct snode *n, *cpu, *a;
	int rc = 0;

	cpu = snode_child(hw, "CPU");
	n = snode_child(cpu, "CPUCount");
	if (n) {
		const char *c = snode_attr(n, "count");

		if (c && !snode_has_attr(cpu, "count"))
			rc |= snode_set_attr(cpu, "count", c);
		snode_remove(n);
	}
	n = snode_child(hw, "Display");
	rc |= snode_rename_attr(n, "MonitorCount", "monitorCount");
	rc |= snode_rename_attr(n, "Accelerate3D", "accelerate3D");
	n = snode_child(hw, "Guest");
	rc |= snode_rename_attr(n, "MemoryBalloonSize", "memoryBalloonSize");
	rc |= snode_rename_attr(n, "StatisticsUpdateInterval",
				"statisticsUpdateInterval");
	if ((n = snode_child(hw, "Uart")) && !snode_child(hw, "UART"))
		rc |= snode_rename(n, "UART");
	if ((n = snode_child(hw, "Lpt")) && !snode_child(hw, "LPT"))
		rc |= snode_rename(n, "LPT");
	rc |= canon_value(snode_child(hw, "RemoteDisplay"), "authType",
			  auth_types);
	rc |= canon_value(snode_path(hw, "BIOS/BootMenu"), "mode",
			  boot_menu_modes);
	n = snode_child(hw, "AudioAdapter");
	if (n && snode_attr(n, "driver") &&
	    !strcasecmp(snode_attr(n, "driver"), "dsound"))
		rc |= snode_set_attr(n, "driver", "DirectSound");
	rc |= canon_value(n, "driver", audio_drivers);
	for (a = snode_path(hw, "Network/Adapter"); a;
	     a = snode_next(a, "Adapter")) {
		n = snode_child(a, "HostInterface");
		if (!n)
			continue;
		/* 1.6 dropped the TAP scripts of host interface networking */
		snode_set_attr(n, "TAPSetup", NULL);
		snode_set_attr(n, "TAPTerminate", NULL);
		if (snode_child(a, "BridgedInterface"))
			snode_remove(n);
		else
			rc |= snode_rename(n, "BridgedInterface");
	}
	return rc ? -ENOMEM : 0;
}

static struct snode *new_controller(struct snode *sc, const char *name,
				    const char *type)
{
	struct snode *c = snode_add(sc, "StorageController");

	if (!c || snode_set_attr(c, "name", name) ||
	    snode_set_attr(c, "type", type))
		return NULL;
	return c;
}

/* BIOS/IDEController, SATAController and HardDiskAttachments of one
 * level (Machine or Snapshot) -> StorageControllers. */
static int storage_pre17(struct sdoc *d, struct snode *level,
			 struct snode *hw, struct vb_error *err)
{
	static const char *const emu[] = { "IDE0MasterEmulationPort",
		"IDE0SlaveEmulationPort", "IDE1MasterEmulationPort",
		"IDE1SlaveEmulationPort" };
	static const char *const emu_def[] = { "0", "1", "2", "3" };
	struct snode *ide_old = snode_path(hw, "BIOS/IDEController");
	struct snode *sata_old = snode_child(hw, "SATAController");
	struct snode *hda = snode_child(level, "HardDiskAttachments");
	struct snode *sc, *ide = NULL, *sata = NULL, *a;
	unsigned i;

	if (snode_child(level, "StorageControllers"))
		return cfg_error(d, level, err,
				 "StorageControllers element is not allowed in settings older than 1.7");
	if (!ide_old && !(sata_old && snode_bool(sata_old, "enabled", false)) &&
	    !hda)
		return 0;
	sc = snode_ensure(level, "StorageControllers");
	if (!sc)
		return oom(err);
	if (ide_old) {
		const char *t = snode_attr(ide_old, "type");

		if (t && !is_ide_type(t)) {
			char what[160];

			snprintf(what, sizeof(what),
				 "Invalid value '%s' for IDEController/@type attribute",
				 t);
			return cfg_error(d, ide_old, err, what);
		}
		ide = new_controller(sc, "IDE Controller", t ? t : "PIIX3");
		if (!ide || snode_set_attr(ide, "PortCount", "2"))
			return oom(err);
		snode_remove(ide_old);
	}
	if (sata_old) {
		if (snode_bool(sata_old, "enabled", false)) {
			const char *pc = snode_attr(sata_old, "PortCount");

			sata = new_controller(sc, "SATA Controller", "AHCI");
			if (!sata || snode_set_attr(sata, "PortCount",
						    pc ? pc : "2"))
				return oom(err);
			for (i = 0; i < 4; i++) {
				const char *v = snode_attr(sata_old, emu[i]);

				if (snode_set_attr(sata, emu[i], v ? v : emu_def[i]))
					return oom(err);
			}
		}
		snode_remove(sata_old);
	}
	for (a = snode_child(hda, "HardDiskAttachment"); a;
	     a = snode_next(a, "HardDiskAttachment")) {
		const char *bus = snode_attr(a, "bus");
		const char *ch = snode_attr(a, "channel");
		const char *dev = snode_attr(a, "device");
		struct snode *ctl, *ad, *img;
		char what[160];

		if (!snode_attr(a, "hardDisk"))
			return cfg_error(d, a, err,
					 "Required HardDiskAttachment/@hardDisk attribute is missing");
		if (canon_uuid(d, a, "hardDisk", err))
			return -EINVAL;
		if (!bus)
			return cfg_error(d, a, err,
					 "Required HardDiskAttachment/@bus attribute is missing");
		if (!ch)
			return cfg_error(d, a, err,
					 "Required HardDiskAttachment/@channel attribute is missing");
		if (!dev)
			return cfg_error(d, a, err,
					 "Required HardDiskAttachment/@device attribute is missing");
		if (!strcmp(bus, "IDE")) {
			ctl = ide;
		} else if (!strcmp(bus, "SATA")) {
			ctl = sata;
		} else {
			snprintf(what, sizeof(what),
				 "HardDiskAttachment/@bus attribute has illegal value '%s'",
				 bus);
			return cfg_error(d, a, err, what);
		}
		if (!ctl) {
			snprintf(what, sizeof(what),
				 "HardDiskAttachment/@bus is '%s' but cannot find %s controller",
				 bus, bus);
			return cfg_error(d, a, err, what);
		}
		ad = snode_add(ctl, "AttachedDevice");
		img = ad ? snode_add(ad, "Image") : NULL;
		if (!img || snode_set_attr(ad, "type", "HardDisk") ||
		    snode_set_attr(ad, "port", ch) ||
		    snode_set_attr(ad, "device", dev) ||
		    snode_set_attr(img, "uuid", snode_attr(a, "hardDisk")))
			return oom(err);
	}
	snode_remove(hda);
	return 0;
}

static int level_pre17(struct sdoc *d, struct snode *level,
		       struct vb_error *err)
{
	struct snode *hw = snode_child(level, "Hardware"), *c;
	int rc;

	if (!hw)
		return cfg_error(d, level, err,
				 !strcmp(snode_name(level), "Machine") ?
				 "Required Machine/Hardware element is missing" :
				 "Required Snapshot/@Hardware element is missing");
	if (!snode_has_attr(hw, "version")) {
		/* "1" for files without the attribute; VirtualBox upgrades
		 * it to "2" on save unless there is a saved state */
		if (snode_set_attr(hw, "version",
				   snode_attr(level, "stateFile") ? "1" : "2"))
			return oom(err);
		snode_order_attrs(hw, (const char *const[]){ "version", NULL });
	} else if (!strcmp(snode_attr(hw, "version"), "1") &&
		   !snode_attr(level, "stateFile")) {
		if (snode_set_attr(hw, "version", "2"))
			return oom(err);
	}
	if (hw_spellings(hw))
		return oom(err);
	rc = storage_pre17(d, level, hw, err);
	if (rc)
		return rc;
	for (c = snode_path(level, "Snapshots/Snapshot"); c;
	     c = snode_next(c, "Snapshot"))
		if ((rc = level_pre17(d, c, err)))
			return rc;
	return 0;
}

int legacy_machine_convert(struct sdoc *d, struct vb_error *err)
{
	struct snode *m = sdoc_top(d), *s;
	const char *os = snode_attr(m, "OSType");
	int rc;

	if (!snode_attr(m, "uuid") || !snode_attr(m, "name"))
		return cfg_error(d, m, err,
				 "Required Machine/@uuid or @name attributes is missing");
	if (os && d->version_read < 5) {
		const char *id = legacy_ostype_map(os);

		if (id != os && snode_set_attr(m, "OSType", id))
			return oom(err);
	}
	rc = level_pre17(d, m, err);
	if (rc)
		return rc;
	s = snode_child(m, "Snapshot");
	if (s && (rc = level_pre17(d, s, err)))
		return rc;
	return 0;
}

/* ------------------------------------------------------------------ */
/* machine files < 1.9: DVDDrive / FloppyDrive                         */

static int level_drives_up(struct sdoc *d, struct snode *level,
			   struct vb_error *err)
{
	struct snode *hw = snode_child(level, "Hardware");
	struct snode *dvd = snode_child(hw, "DVDDrive");
	struct snode *fd = snode_child(hw, "FloppyDrive");
	struct snode *sc = snode_child(level, "StorageControllers"), *c, *ad;
	int rc;

	if (dvd) {
		for (c = snode_child(sc, "StorageController"); c;
		     c = snode_next(c, "StorageController"))
			if (is_ide_type(snode_attr(c, "type")))
				break;
		if (!c)
			return cfg_error(d, dvd, err,
					 "Internal error: found DVD drive but IDE controller does not exist");
		ad = snode_add(c, "AttachedDevice");
		if (!ad)
			return oom(err);
		if (snode_bool(dvd, "passthrough", false) &&
		    snode_set_attr(ad, "passthrough", "true"))
			return oom(err);
		if (snode_set_attr(ad, "type", "DVD") ||
		    snode_set_attr(ad, "port", "1") ||
		    snode_set_attr(ad, "device", "0") ||
		    copy_medium_child(dvd, ad))
			return oom(err);
		snode_remove(dvd);
	}
	if (fd) {
		if (snode_bool(fd, "enabled", false)) {
			sc = snode_ensure(level, "StorageControllers");
			c = sc ? new_controller(sc, "Floppy Controller", "I82078")
			       : NULL;
			ad = c ? snode_add(c, "AttachedDevice") : NULL;
			if (!ad || snode_set_attr(c, "PortCount", "1") ||
			    snode_set_attr(ad, "type", "Floppy") ||
			    snode_set_attr(ad, "port", "0") ||
			    snode_set_attr(ad, "device", "0") ||
			    copy_medium_child(fd, ad))
				return oom(err);
		}
		snode_remove(fd);
	}
	for (c = snode_path(level, "Snapshots/Snapshot"); c;
	     c = snode_next(c, "Snapshot"))
		if ((rc = level_drives_up(d, c, err)))
			return rc;
	return 0;
}

static int level_short_names(struct snode *level)
{
	static const char *const names[][2] = { { "IDE", "IDE Controller" },
		{ "SATA", "SATA Controller" }, { "SCSI", "SCSI Controller" } };
	struct snode *hw = snode_child(level, "Hardware");
	struct snode *sc = snode_child(level, "StorageControllers"), *c;
	unsigned i;

	if (!sc)
		sc = snode_child(hw, "StorageControllers");
	for (c = snode_child(sc, "StorageController"); c;
	     c = snode_next(c, "StorageController")) {
		const char *n = snode_attr(c, "name");

		for (i = 0; n && i < 3; i++) {
			if (strcmp(n, names[i][0]))
				continue;
			/* n dies with the old value */
			if (snode_set_attr(c, "name", names[i][1]))
				return -ENOMEM;
			break;
		}
	}
	for (c = snode_path(level, "Snapshots/Snapshot"); c;
	     c = snode_next(c, "Snapshot"))
		if (level_short_names(c))
			return -ENOMEM;
	return 0;
}

int legacy_machine_load(struct sdoc *d, struct vb_error *err)
{
	struct snode *m = sdoc_top(d), *s = snode_child(m, "Snapshot");
	int rc;

	if (d->version_read < SV_MIN_WRITE) {
		rc = legacy_machine_convert(d, err);
		if (rc)
			return rc;
	}
	if (d->version_read < 9) {
		rc = level_drives_up(d, m, err);
		if (!rc && s)
			rc = level_drives_up(d, s, err);
		if (rc)
			return rc;
	}
	/* 3.1 and older wrote (and read) short controller names */
	if (d->version_read <= 9 &&
	    (level_short_names(m) || (s && level_short_names(s))))
		return oom(err);
	return 0;
}

/* Can this level's storage be written as DVDDrive/FloppyDrive (< 1.9)?
 * Exactly one DVD drive, at IDE port 1 device 0; at most one floppy
 * drive, on an I82078 controller of its own; no controller Instance. */
bool legacy_storage_fits_pre19(const struct snode *level)
{
	struct snode *hw = snode_child(level, "Hardware");
	struct snode *sc = snode_child(level, "StorageControllers"), *c, *a;
	unsigned dvds = 0, floppies = 0;

	if (!sc)
		sc = snode_child(hw, "StorageControllers");
	for (c = snode_child(sc, "StorageController"); c;
	     c = snode_next(c, "StorageController")) {
		const char *t = snode_attr(c, "type");
		bool fdc = t && !strcmp(t, "I82078");

		if (snode_u32(c, "Instance", 0))
			return false;
		if (fdc && snode_count(c, "AttachedDevice") > 1)
			return false;
		for (a = snode_child(c, "AttachedDevice"); a;
		     a = snode_next(a, "AttachedDevice")) {
			const char *at = snode_attr(a, "type");

			if (at && !strcmp(at, "DVD")) {
				if (!is_ide_type(t) ||
				    snode_u32(a, "port", 0) != 1 ||
				    snode_u32(a, "device", 0) != 0)
					return false;
				dvds++;
			} else if (at && !strcmp(at, "Floppy")) {
				if (!fdc)
					return false;
				floppies++;
			}
		}
	}
	return dvds == 1 && floppies <= 1;
}

/* The reverse of level_drives_up, on a copy that is about to be
 * serialised at a version below 1.9. */
static int level_drives_down(struct snode *level)
{
	struct snode *hw = snode_child(level, "Hardware");
	struct snode *sc = snode_child(level, "StorageControllers");
	struct snode *c, *next, *a, *dvd, *fd, *dvd_att = NULL, *fd_att = NULL;
	struct snode *fdc = NULL;

	if (!hw)
		return 0;
	for (c = snode_child(sc, "StorageController"); c;
	     c = snode_next(c, "StorageController")) {
		const char *t = snode_attr(c, "type");

		if (t && !strcmp(t, "I82078")) {
			if (!fdc) {
				fdc = c;
				fd_att = snode_child(c, "AttachedDevice");
			}
			continue;
		}
		if (!is_ide_type(t) || dvd_att)
			continue;
		for (a = snode_child(c, "AttachedDevice"); a;
		     a = snode_next(a, "AttachedDevice"))
			if (snode_attr(a, "type") &&
			    !strcmp(snode_attr(a, "type"), "DVD")) {
				dvd_att = a;
				break;
			}
	}
	dvd = snode_add(hw, "DVDDrive");
	if (!dvd || snode_set_bool(dvd, "passthrough",
				   dvd_att && snode_bool(dvd_att, "passthrough",
							 false)))
		return -ENOMEM;
	if (dvd_att && copy_medium_child(dvd_att, dvd))
		return -ENOMEM;
	fd = snode_add(hw, "FloppyDrive");
	if (!fd || snode_set_bool(fd, "enabled", fd_att != NULL))
		return -ENOMEM;
	if (fd_att && copy_medium_child(fd_att, fd))
		return -ENOMEM;
	snode_remove(dvd_att);
	/* floppy controllers did not exist as such before 1.9 */
	for (c = snode_child(sc, "StorageController"); c; c = next) {
		const char *t = snode_attr(c, "type");

		next = snode_next(c, "StorageController");
		if (t && !strcmp(t, "I82078"))
			snode_remove(c);
	}
	for (c = snode_path(level, "Snapshots/Snapshot"); c;
	     c = snode_next(c, "Snapshot"))
		if (level_drives_down(c))
			return -ENOMEM;
	return 0;
}

int legacy_machine_pre19_copy(struct sdoc *d, xmlDoc **out)
{
	xmlDoc *copy = xmlCopyDoc(d->xml, 1);
	struct snode *m, *s;

	*out = NULL;
	if (!copy)
		return -ENOMEM;
	copy->_private = NULL;  /* not the document: no change tracking */
	m = snode_child(SN(xmlDocGetRootElement(copy)), "Machine");
	s = snode_child(m, "Snapshot");
	if (level_drives_down(m) || (s && level_drives_down(s))) {
		xmlFreeDoc(copy);
		return -ENOMEM;
	}
	*out = copy;
	return 0;
}

/* ------------------------------------------------------------------ */
/* global files                                                        */

/* A relative path resolved against the home; URLs (iscsi://) stay. */
static int abs_against(struct snode *n, const char *attr, const char *home)
{
	const char *v = snode_attr(n, attr);
	char *slashed, *abs;
	int rc;

	if (!v || !*v || path_is_abs(v) || strstr(v, "://"))
		return 0;
	slashed = path_slashes(v);
	abs = slashed ? path_abs_from(home, slashed) : NULL;
	free(slashed);
	if (!abs)
		return -ENOMEM;
	rc = snode_set_attr(n, attr, abs);
	free(abs);
	return rc;
}

static const char *const hd_types[] = { "Normal", "Immutable",
	"Writethrough", NULL };

/* One 1.3 <HardDisk> or <DiffHardDisk> (recursively). */
static int convert_disk(struct sdoc *d, struct snode *hd, bool root,
			const char *home, struct vb_error *err)
{
	static const char *const order[] = { "uuid", "location", "format",
		"autoReset", "Description", "type", NULL };
	static const struct {
		const char *elem;
		const char *format;
	} typed[] = { { "VirtualDiskImage", "VDI" }, { "VMDKImage", "VMDK" },
		      { "VHDImage", "VHD" } };
	struct snode *img = NULL, *c, *next;
	const char *format = NULL;
	size_t i;
	int rc;

	if (!strcmp(snode_name(hd), "DiffHardDisk") &&
	    snode_rename(SN(hd), "HardDisk"))
		return oom(err);
	if (!snode_attr(hd, "uuid"))
		return cfg_error(d, hd, err,
				 "Required HardDisk/@uuid attribute is missing");
	if (canon_uuid(d, hd, "uuid", err))
		return -EINVAL;
	for (i = 0; i < VB_ARRAY_SIZE(typed) && !img; i++)
		if ((img = snode_child(hd, typed[i].elem)))
			format = typed[i].format;
	if (img) {
		const char *fp = snode_attr(img, "filePath");

		if (!fp)
			return cfg_error(d, hd, err,
					 "Required HardDisk/@filePath attribute is missing");
		if (snode_set_attr(hd, "location", fp) ||
		    snode_set_attr(hd, "format", format))
			return oom(err);
	} else if ((img = snode_child(hd, "ISCSIHardDisk"))) {
		static const struct {
			const char *attr;
			const char *prop;
		} props[] = { { "password", "InitiatorSecret" },
			      { "userName", "InitiatorUsername" },
			      { "lun", "LUN" },
			      { "server", "TargetAddress" },
			      { "target", "TargetName" } };
		const char *user = snode_attr(img, "userName");
		const char *server = snode_attr(img, "server");
		const char *port = snode_attr(img, "port");
		const char *target = snode_attr(img, "target");
		const char *lun = snode_attr(img, "lun");
		struct strbuf loc = STRBUF_INIT, sp = STRBUF_INIT;

		if (server)
			sb_adds(&sp, server);
		if (port) {
			if (sp.len)
				sb_addc(&sp, ':');
			sb_adds(&sp, port);
		}
		sb_adds(&loc, "iscsi://");
		if (user)
			sb_addf(&loc, "%s@", user);
		sb_adds(&loc, sb_str(&sp));
		if (target)
			sb_addf(&loc, "/%s", target);
		if (lun)
			sb_addf(&loc, "/%s", lun);
		rc = loc.oom || sp.oom ||
		     snode_set_attr(hd, "location", sb_str(&loc)) ||
		     snode_set_attr(hd, "format", "iSCSI");
		/* the properties VirtualBox derives, in map (name) order */
		for (i = 0; !rc && i < VB_ARRAY_SIZE(props); i++) {
			const char *v = snode_attr(img, props[i].attr);
			struct snode *p;

			if (!strcmp(props[i].prop, "TargetAddress"))
				v = server && port ? sb_str(&sp) : NULL;
			if (!v || !*v)
				continue;
			p = snode_add(hd, "Property");
			rc = !p || snode_set_attr(p, "name", props[i].prop) ||
			     snode_set_attr(p, "value", v);
		}
		sb_release(&loc);
		sb_release(&sp);
		if (rc)
			return oom(err);
	} else if ((img = snode_child(hd, "CustomHardDisk"))) {
		if (!snode_attr(hd, "location") && snode_attr(img, "location") &&
		    snode_set_attr(hd, "location", snode_attr(img, "location")))
			return oom(err);
		if (!snode_attr(hd, "format") && snode_attr(img, "format") &&
		    snode_set_attr(hd, "format", snode_attr(img, "format")))
			return oom(err);
		if (!snode_attr(hd, "location"))
			return cfg_error(d, hd, err,
					 "Required HardDisk/@location attribute is missing");
		if (!snode_attr(hd, "format"))
			return cfg_error(d, hd, err,
					 "Required HardDisk/@format attribute is missing");
	} else {
		return cfg_error(d, hd, err,
				 "Required HardDisk/VirtualDiskImage element is missing");
	}
	snode_remove(img);
	if (root) {
		const char *t = snode_attr(hd, "type");

		if (t) {
			size_t k;

			for (k = 0; hd_types[k]; k++)
				if (!strcasecmp(t, hd_types[k]))
					break;
			if (!hd_types[k])
				return cfg_error(d, hd, err,
						 "HardDisk/@type attribute must be one of Normal, Immutable or Writethrough");
			if (snode_set_attr(hd, "type", hd_types[k]))
				return oom(err);
		} else if (snode_set_attr(hd, "type", "Normal")) {
			return oom(err);
		}
	} else {
		snode_set_attr(hd, "type", NULL);
	}
	snode_order_attrs(hd, order);
	for (c = snode_child(hd, NULL); c; c = next) {
		next = snode_next(c, NULL);
		if (strcmp(snode_name(c), "HardDisk") &&
		    strcmp(snode_name(c), "DiffHardDisk"))
			continue;
		if ((rc = convert_disk(d, c, false, home, err)))
			return rc;
	}
	return 0;
}

static int convert_disk_registry(struct sdoc *d, struct snode *g,
				 const char *home, struct vb_error *err)
{
	struct snode *dr = snode_child(g, "DiskRegistry"), *list, *it;
	static const char *const lists[] = { "HardDisks", "DVDImages",
		"FloppyImages" };
	unsigned i;
	int rc;

	if (!dr)
		return 0;
	if (snode_child(g, "MediaRegistry")) {
		snode_remove(dr);
		return 0;
	}
	if (snode_rename(dr, "MediaRegistry"))
		return oom(err);
	for (it = snode_path(dr, "HardDisks/HardDisk"); it;
	     it = snode_next(it, "HardDisk"))
		if ((rc = convert_disk(d, it, true, home, err)))
			return rc;
	for (i = 1; i < 3; i++) {
		list = snode_child(dr, lists[i]);
		for (it = snode_child(list, "Image"); it;
		     it = snode_next(it, "Image")) {
			if (canon_uuid(d, it, "uuid", err))
				return -EINVAL;
			if (!snode_attr(it, "location")) {
				if (!snode_attr(it, "src"))
					return cfg_error(d, it, err,
							 "Required Image/@src attribute is missing");
				if (snode_rename_attr(it, "src", "location"))
					return oom(err);
			}
		}
	}
	/* the modern writer leaves empty lists out */
	for (i = 0; i < 3; i++) {
		list = snode_child(dr, lists[i]);
		if (list && snode_is_empty(list))
			snode_remove(list);
	}
	if (snode_is_empty(dr))
		snode_remove(dr);
	return 0;
}

int global_add_default_dhcp(struct snode *g)
{
	struct snode *n;

	if (snode_path(g, "NetserviceRegistry/DHCPServers/DHCPServer"))
		return 0;
	n = snode_ensure_path(g, "NetserviceRegistry/DHCPServers");
	n = n ? snode_add(n, "DHCPServer") : NULL;
	if (!n ||
	    snode_set_attr(n, "networkName", "HostInterfaceNetworking-vboxnet0") ||
	    snode_set_attr(n, "IPAddress", "192.168.56.100") ||
	    snode_set_attr(n, "networkMask", "255.255.255.0") ||
	    snode_set_attr(n, "lowerIP", "192.168.56.101") ||
	    snode_set_attr(n, "upperIP", "192.168.56.254") ||
	    snode_set_attr(n, "enabled", "1"))
		return -ENOMEM;
	return 0;
}

static int media_abs(struct snode *list, const char *item, const char *home)
{
	struct snode *it;

	for (it = snode_child(list, item); it; it = snode_next(it, item)) {
		const char *f = snode_attr(it, "format");

		if (!(f && !strcasecmp(f, "iSCSI")) &&
		    abs_against(it, "location", home))
			return -ENOMEM;
		if (!strcmp(item, "HardDisk") && media_abs(it, item, home))
			return -ENOMEM;
	}
	return 0;
}

static int system_properties(struct snode *g, bool converted)
{
	static const char *const order[] = { "defaultMachineFolder",
		"LoggingLevel", "defaultHardDiskFormat", "VRDEAuthLibrary",
		"webServiceAuthLibrary", "defaultVRDEExtPack",
		"defaultCryptoExtPack", "LogHistoryCount",
		"autostartDatabasePath", "defaultFrontend", "proxyUrl",
		"proxyMode", "exclusiveHwVirt", "LanguageId", NULL };
	static const char *const dropped[] = { "defaultVDIFolder",
		"defaultHardDiskFolder", "HWVirtExEnabled" };
	struct snode *sp = snode_child(g, "SystemProperties");
	const char *mf = snode_attr(sp, "defaultMachineFolder");
	bool changed = converted;
	unsigned i;

	if (!sp)
		return 0;
	if (mf && !strcmp(mf, "Machines")) {
		char *def = settings_default_machine_folder();
		int rc = snode_set_attr(sp, "defaultMachineFolder", def);

		free(def);
		if (rc)
			return -ENOMEM;
		changed = true;
	}
	if (snode_has_attr(sp, "remoteDisplayAuthLibrary")) {
		if (snode_rename_attr(sp, "remoteDisplayAuthLibrary",
				      "VRDEAuthLibrary"))
			return -ENOMEM;
		changed = true;
	}
	for (i = 0; i < VB_ARRAY_SIZE(dropped); i++)
		if (snode_has_attr(sp, dropped[i])) {
			snode_set_attr(sp, dropped[i], NULL);
			changed = true;
		}
	if (converted && !snode_has_attr(sp, "defaultHardDiskFormat") &&
	    snode_set_attr(sp, "defaultHardDiskFormat", "VDI"))
		return -ENOMEM;
	if (changed)
		snode_order_attrs(sp, order);
	return 0;
}

int legacy_global_convert(struct sdoc *d, struct vb_error *err)
{
	struct snode *g = sdoc_top(d);
	char *home = path_dirname(d->path);
	int rc;

	if (!home)
		return oom(err);
	rc = convert_disk_registry(d, g, home, err);
	free(home);
	if (rc)
		return rc;
	if (global_add_default_dhcp(g))
		return oom(err);
	snode_sort_by_schema(g);
	return 0;
}

int legacy_global_load(struct sdoc *d, struct vb_error *err)
{
	struct snode *g = sdoc_top(d), *e, *mr;
	bool converted = d->version_read < SV_MIN_WRITE;
	char *home;
	int rc = 0;

	if (converted && (rc = legacy_global_convert(d, err)))
		return rc;
	home = path_dirname(d->path);
	if (!home)
		return oom(err);
	for (e = snode_path(g, "MachineRegistry/MachineEntry"); e && !rc;
	     e = snode_next(e, "MachineEntry"))
		rc = abs_against(e, "src", home);
	mr = snode_child(g, "MediaRegistry");
	if (!rc)
		rc = media_abs(snode_child(mr, "HardDisks"), "HardDisk", home);
	if (!rc)
		rc = media_abs(snode_child(mr, "DVDImages"), "Image", home);
	if (!rc)
		rc = media_abs(snode_child(mr, "FloppyImages"), "Image", home);
	if (!rc)
		rc = system_properties(g, converted);
	free(home);
	return rc ? oom(err) : 0;
}
