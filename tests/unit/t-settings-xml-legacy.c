/*
 * lib/settings on pre-4.0 files: the 1.3 conversions, the pre-1.9 DVD and
 * floppy drives, the legacy global file, and the migration of a legacy
 * machine to its own media registry.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "lib/settings/mediareg.h"
#include "lib/settings/settings.h"
#include "lib/util/fileio.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"

static char *fixture_path(const char *name)
{
	const char *sh = t_shared_dir();

	if (!sh)
		T_SKIP("../shared is not beside the checkout");
	return vb_asprintf("%s/fixtures/real-settings/%s", sh, name);
}

static char *read_all(const char *path)
{
	char *data = NULL;
	size_t len;

	if (vb_read_file(path, 1 << 24, &data, &len, NULL))
		return NULL;
	return data;
}

static void write_str(const char *path, const char *s)
{
	char *dir = path_dirname(path);

	T_OK(path_mkdirs(dir, 0755));
	free(dir);
	T_OK(vb_write_file(path, s, strlen(s), NULL));
}

static void copy_fixture(const char *name, const char *dst)
{
	char *src = fixture_path(name), *data = read_all(src);

	T_ASSERT(data);
	write_str(dst, data);
	free(data);
	free(src);
}

static struct sdoc *load_str(const char *s, enum sdoc_kind kind,
			     const char *path)
{
	struct vb_error err = { 0 };
	struct sdoc *d = NULL;

	if (sdoc_load_mem(s, strlen(s), path, kind, &d, &err))
		t_fail(__FILE__, __LINE__, "load failed: %s", err.msg);
	return d;
}

static char *ser(struct sdoc *d)
{
	char *out = NULL;
	size_t len;

	T_OK(sdoc_serialize(d, &out, &len, NULL));
	return out;
}

static bool has(const char *hay, const char *needle)
{
	return hay && strstr(hay, needle) != NULL;
}

#define T_HAS(hay, needle) do { if (!has(hay, needle)) \
	t_fail(__FILE__, __LINE__, "missing: %s\n--- in:\n%s", needle, hay ? hay : "(null)"); } while (0)
#define T_HASNT(hay, needle) do { if (has(hay, needle)) \
	t_fail(__FILE__, __LINE__, "unexpected: %s\n--- in:\n%s", needle, hay); } while (0)

void test_settings_legacy__machine_1_3_converts_to_1_7(void)
{
	char *p = fixture_path("v1.3-linux-massemanet-Machines-Windoze.xml");
	struct vb_error err = { 0 };
	struct sdoc *d;
	char *out;

	T_OK(sdoc_load(p, SDOC_MACHINE, &d, &err));
	T_EQ_INT(sdoc_version_read(d), 3);
	T_EQ_INT(sdoc_version(d), 7);
	out = ser(d);
	T_HAS(out, "version=\"1.7-linux\"");
	T_HAS(out, "OSType=\"WindowsXP\"");
	T_HAS(out, "<Hardware version=\"2\">");
	T_HAS(out, "<Display VRAMSize=\"8\" monitorCount=\"1\"/>");
	T_HASNT(out, "IDEController");
	T_HASNT(out, "SATAController");
	T_HASNT(out, "HardDiskAttachment");
	T_HAS(out, "      </BIOS>\n      <DVDDrive passthrough=\"false\"/>\n"
		   "      <FloppyDrive enabled=\"true\"/>\n      <USBController");
	T_HAS(out, "    </Hardware>\n    <StorageControllers>\n"
		   "      <StorageController name=\"IDE Controller\" type=\"PIIX4\" PortCount=\"2\">\n"
		   "        <AttachedDevice type=\"HardDisk\" port=\"0\" device=\"0\">\n"
		   "          <Image uuid=\"{af4dca4f-cac6-4b79-02b5-81bef057c086}\"/>\n"
		   "        </AttachedDevice>\n      </StorageController>\n"
		   "    </StorageControllers>\n  </Machine>");
	free(out);
	sdoc_free(d);
	free(p);
}

/* What code using machine_elem() sees in a legacy file: the drives. */
void test_settings_legacy__drives_are_storage_attachments(void)
{
	char *p = fixture_path("v1.3-linux-massemanet-Machines-Windoze.xml");
	char *home = vb_asprintf("%s/home", t_tmpdir());
	char *mf = vb_asprintf("%s/Machines/Windoze/Windoze.xml", home);
	struct vb_error err = { 0 };
	struct snode *sc, *c, *a;
	struct machine *m;
	struct vbox *vb;
	unsigned dvd = 0, fd = 0, hd = 0;

	copy_fixture("v1.3-linux-massemanet-Machines-Windoze.xml", mf);
	T_OK(vbox_open_at(home, &vb, &err));
	T_OK(machine_load(vb, mf, &m, &err));
	sc = machine_elem(m, ME_STORAGE, false);
	T_ASSERT(sc);
	for (c = snode_child(sc, "StorageController"); c;
	     c = snode_next(c, "StorageController"))
		for (a = snode_child(c, "AttachedDevice"); a;
		     a = snode_next(a, "AttachedDevice")) {
			const char *t = snode_attr(a, "type");

			if (!strcmp(t, "DVD")) {
				T_EQ_STR(snode_attr(c, "name"), "IDE Controller");
				T_EQ_STR(snode_attr(a, "port"), "1");
				T_EQ_STR(snode_attr(a, "device"), "0");
				dvd++;
			} else if (!strcmp(t, "Floppy")) {
				T_EQ_STR(snode_attr(c, "name"), "Floppy Controller");
				T_EQ_STR(snode_attr(c, "type"), "I82078");
				fd++;
			} else {
				hd++;
			}
		}
	T_EQ_INT(dvd, 1);
	T_EQ_INT(fd, 1);
	T_EQ_INT(hd, 1);
	T_ASSERT(!snode_child(machine_elem(m, ME_HARDWARE, false), "DVDDrive"));
	machine_free(m);
	vbox_free(vb);
	free(mf);
	free(home);
	free(p);
}

static const char m17[] =
	"<?xml version=\"1.0\"?>\n"
	"<VirtualBox xmlns=\"http://www.innotek.de/VirtualBox-settings\" version=\"1.7-linux\">\n"
	"  <Machine uuid=\"{11111111-2222-3333-4444-555555555555}\" name=\"old\" OSType=\"Ubuntu\" lastStateChange=\"2009-06-01T10:00:00Z\">\n"
	"    <Hardware version=\"2\">\n"
	"      <CPU count=\"1\">\n"
	"        <HardwareVirtEx enabled=\"true\"/>\n"
	"        <PAE enabled=\"false\"/>\n"
	"      </CPU>\n"
	"      <Memory RAMSize=\"512\"/>\n"
	"      <BIOS>\n"
	"        <ACPI enabled=\"true\"/>\n"
	"      </BIOS>\n"
	"      <DVDDrive passthrough=\"true\">\n"
	"        <Image uuid=\"{aaaaaaaa-0000-0000-0000-000000000001}\"/>\n"
	"      </DVDDrive>\n"
	"      <FloppyDrive enabled=\"false\"/>\n"
	"      <USBController enabled=\"false\" enabledEhci=\"false\"/>\n"
	"    </Hardware>\n"
	"    <StorageControllers>\n"
	"      <StorageController name=\"IDE\" type=\"PIIX3\" PortCount=\"2\">\n"
	"        <AttachedDevice type=\"HardDisk\" port=\"0\" device=\"0\">\n"
	"          <Image uuid=\"{aaaaaaaa-0000-0000-0000-000000000002}\"/>\n"
	"        </AttachedDevice>\n"
	"      </StorageController>\n"
	"    </StorageControllers>\n"
	"  </Machine>\n"
	"</VirtualBox>\n";

void test_settings_legacy__pre19_file_round_trips(void)
{
	struct sdoc *d = load_str(m17, SDOC_MACHINE, "/x/old.xml");
	char *out = ser(d);

	T_EQ_INT(sdoc_version(d), 7);
	/* the drives go back into Hardware; the controller name is the one
	 * VirtualBox reads ("IDE" was expanded) */
	T_HAS(out, "      </BIOS>\n      <DVDDrive passthrough=\"true\">\n"
		   "        <Image uuid=\"{aaaaaaaa-0000-0000-0000-000000000001}\"/>\n"
		   "      </DVDDrive>\n      <FloppyDrive enabled=\"false\"/>\n");
	T_HAS(out, "<StorageController name=\"IDE Controller\" type=\"PIIX3\" PortCount=\"2\">\n"
		   "        <AttachedDevice type=\"HardDisk\" port=\"0\" device=\"0\">\n"
		   "          <Image uuid=\"{aaaaaaaa-0000-0000-0000-000000000002}\"/>\n"
		   "        </AttachedDevice>\n      </StorageController>\n");
	T_HASNT(out, "type=\"DVD\"");
	T_HAS(out, "version=\"1.7-linux\"");
	free(out);
	sdoc_free(d);
}

/* A second DVD drive does not fit the old layout: the file goes to 1.9 and
 * keeps the drives as attachments. */
void test_settings_legacy__drive_layout_change_bumps_to_1_9(void)
{
	struct sdoc *d = load_str(m17, SDOC_MACHINE, "/x/old.xml");
	struct snode *ctl = snode_path(sdoc_top(d),
				       "StorageControllers/StorageController");
	struct snode *a = snode_add(ctl, "AttachedDevice");
	char *out;

	T_ASSERT(a);
	T_OK(snode_set_attr(a, "type", "DVD"));
	T_OK(snode_set_attr(a, "port", "0"));
	T_OK(snode_set_attr(a, "device", "1"));
	out = ser(d);
	T_HAS(out, "version=\"1.9-linux\"");
	T_HASNT(out, "DVDDrive");
	T_HASNT(out, "FloppyDrive");
	T_HAS(out, "<AttachedDevice passthrough=\"true\" type=\"DVD\" port=\"1\" device=\"0\">");
	free(out);
	sdoc_free(d);
}

/* A floppy drive added to a 1.7 machine (as storageattach would add it)
 * is still written as FloppyDrive. */
void test_settings_legacy__floppy_added_stays_1_7(void)
{
	struct sdoc *d = load_str(m17, SDOC_MACHINE, "/x/old.xml");
	struct snode *sc = snode_child(sdoc_top(d), "StorageControllers");
	struct snode *c = snode_add(sc, "StorageController"), *a, *img;
	char *out;

	T_ASSERT(c);
	T_OK(snode_set_attr(c, "name", "Floppy Controller"));
	T_OK(snode_set_attr(c, "type", "I82078"));
	a = snode_add(c, "AttachedDevice");
	img = snode_add(a, "Image");
	T_OK(snode_set_attr(a, "type", "Floppy"));
	T_OK(snode_set_attr(a, "port", "0"));
	T_OK(snode_set_attr(a, "device", "0"));
	T_OK(snode_set_attr(img, "uuid", "{bbbbbbbb-0000-0000-0000-000000000001}"));
	out = ser(d);
	T_HAS(out, "version=\"1.7-linux\"");
	T_HAS(out, "<FloppyDrive enabled=\"true\">\n"
		   "        <Image uuid=\"{bbbbbbbb-0000-0000-0000-000000000001}\"/>\n"
		   "      </FloppyDrive>");
	T_HASNT(out, "I82078");
	free(out);
	sdoc_free(d);
}

void test_settings_legacy__pae_default_kept_on_bump(void)
{
	static const char x[] =
		"<VirtualBox version=\"1.8-linux\"><Machine uuid=\"{11111111-2222-3333-4444-555555555555}\" name=\"p\">"
		"<Hardware version=\"2\"><CPU/><Memory RAMSize=\"64\"/><BIOS/><DVDDrive passthrough=\"false\"/>"
		"<FloppyDrive enabled=\"false\"/></Hardware>"
		"<StorageControllers><StorageController name=\"IDE Controller\" type=\"PIIX4\" PortCount=\"2\"/></StorageControllers>"
		"</Machine></VirtualBox>";
	struct sdoc *d = load_str(x, SDOC_MACHINE, "/x/p.xml");
	char *out;

	T_OK(sdoc_require_version(d, 10));
	out = ser(d);
	T_HAS(out, "version=\"1.10-linux\"");
	T_HAS(out, "<PAE enabled=\"false\"/>");
	free(out);
	sdoc_free(d);
}

void test_settings_legacy__old_spellings(void)
{
	static const char x[] =
		"<VirtualBox version=\"1.4-linux\"><Machine uuid=\"{11111111-2222-3333-4444-555555555555}\" name=\"s\" OSType=\"fedoracore\">"
		"<Hardware version=\"2\"><CPU><CPUCount count=\"2\"/></CPU><Memory RAMSize=\"64\"/>"
		"<Display VRAMSize=\"8\" MonitorCount=\"2\" Accelerate3D=\"true\"/>"
		"<RemoteDisplay enabled=\"false\" port=\"3389\" authType=\"null\"/>"
		"<BIOS><BootMenu mode=\"menuonly\"/><IDEController type=\"ICH6\"/></BIOS>"
		"<DVDDrive passthrough=\"false\"><HostDrive src=\"/dev/cdrom\"/></DVDDrive>"
		"<FloppyDrive enabled=\"true\"><Image uuid=\"33333333-0000-0000-0000-000000000001\"/></FloppyDrive>"
		"<SATAController enabled=\"true\" PortCount=\"4\"/>"
		"<Network><Adapter slot=\"0\" enabled=\"true\" type=\"Am79C973\"><HostInterface name=\"eth0\" TAPSetup=\"/x\"/></Adapter></Network>"
		"<Uart/><AudioAdapter controller=\"AC97\" driver=\"alsa\" enabled=\"true\"/>"
		"<Guest MemoryBalloonSize=\"10\" StatisticsUpdateInterval=\"5\"/></Hardware>"
		"<HardDiskAttachments><HardDiskAttachment hardDisk=\"22222222-0000-0000-0000-00000000000A\" bus=\"SATA\" channel=\"3\" device=\"0\"/></HardDiskAttachments>"
		"</Machine></VirtualBox>";
	struct sdoc *d = load_str(x, SDOC_MACHINE, "/x/s.xml");
	char *out = ser(d);

	T_HAS(out, "OSType=\"Fedora\"");
	T_HAS(out, "<CPU count=\"2\"/>");
	T_HAS(out, "<Display VRAMSize=\"8\" monitorCount=\"2\" accelerate3D=\"true\"/>");
	T_HAS(out, "authType=\"Null\"");
	T_HAS(out, "<BootMenu mode=\"MenuOnly\"/>");
	T_HAS(out, "<DVDDrive passthrough=\"false\">\n        <HostDrive src=\"/dev/cdrom\"/>");
	T_HAS(out, "<FloppyDrive enabled=\"true\">\n        <Image uuid=\"33333333-0000-0000-0000-000000000001\"/>");
	T_HAS(out, "<BridgedInterface name=\"eth0\"/>");
	T_HAS(out, "<UART/>");
	T_HAS(out, "driver=\"ALSA\"");
	T_HAS(out, "<Guest memoryBalloonSize=\"10\" statisticsUpdateInterval=\"5\"/>");
	T_HAS(out, "<StorageController name=\"IDE Controller\" type=\"ICH6\" PortCount=\"2\"/>\n"
		   "      <StorageController name=\"SATA Controller\" type=\"AHCI\" PortCount=\"4\" "
		   "IDE0MasterEmulationPort=\"0\" IDE0SlaveEmulationPort=\"1\" IDE1MasterEmulationPort=\"2\" IDE1SlaveEmulationPort=\"3\">\n"
		   "        <AttachedDevice type=\"HardDisk\" port=\"3\" device=\"0\">\n"
		   "          <Image uuid=\"{22222222-0000-0000-0000-00000000000a}\"/>");
	free(out);
	sdoc_free(d);
}

static void expect_load_error(const char *x, const char *msg)
{
	struct vb_error err = { 0 };
	struct sdoc *d = NULL;

	T_ASSERT(sdoc_load_mem(x, strlen(x), "/x/e.xml", SDOC_MACHINE, &d, &err) < 0);
	T_ASSERT(!d);
	if (!strstr(err.msg, msg))
		t_fail(__FILE__, __LINE__, "message \"%s\" lacks \"%s\"", err.msg, msg);
	T_EQ_U64(err.hrc, VBOX_E_XML_ERROR);
}

void test_settings_legacy__broken_1_3_machine_errors(void)
{
	expect_load_error("<VirtualBox version=\"1.3-linux\"><Machine uuid=\"{11111111-2222-3333-4444-555555555555}\" name=\"s\">"
			  "<Hardware><BIOS><IDEController type=\"PIIX4\"/></BIOS></Hardware>"
			  "<HardDiskAttachments><HardDiskAttachment hardDisk=\"{22222222-0000-0000-0000-00000000000a}\" bus=\"SATA\" channel=\"0\" device=\"0\"/></HardDiskAttachments>"
			  "</Machine></VirtualBox>",
			  "HardDiskAttachment/@bus is 'SATA' but cannot find SATA controller");
	expect_load_error("<VirtualBox version=\"1.3-linux\"><Machine uuid=\"{11111111-2222-3333-4444-555555555555}\" name=\"s\">"
			  "<Hardware/><HardDiskAttachments><HardDiskAttachment bus=\"IDE\"/></HardDiskAttachments>"
			  "</Machine></VirtualBox>",
			  "Required HardDiskAttachment/@hardDisk attribute is missing");
	expect_load_error("<VirtualBox version=\"1.3-linux\"><Machine uuid=\"{11111111-2222-3333-4444-555555555555}\" name=\"s\"/></VirtualBox>",
			  "Required Machine/Hardware element is missing");
	expect_load_error("<VirtualBox version=\"1.8-linux\"><Machine uuid=\"{11111111-2222-3333-4444-555555555555}\" name=\"s\">"
			  "<Hardware><DVDDrive/></Hardware></Machine></VirtualBox>",
			  "found DVD drive but IDE controller does not exist");
	expect_load_error("<VirtualBox version=\"1.3-linux\"><Machine uuid=\"{11111111-2222-3333-4444-555555555555}\" name=\"s\">"
			  "<Hardware><BIOS><IDEController type=\"PIIX9\"/></BIOS></Hardware></Machine></VirtualBox>",
			  "Invalid value 'PIIX9' for IDEController/@type attribute");
}

void test_settings_legacy__global_1_3_converts(void)
{
	char *home = vb_asprintf("%s/h", t_tmpdir());
	char *gp = vb_asprintf("%s/VirtualBox.xml", home);
	struct vb_error err = { 0 };
	struct sdoc *d;
	char *out, *exp;

	copy_fixture("v1.3-linux-massemanet-VirtualBox.xml", gp);
	T_OK(sdoc_load(gp, SDOC_GLOBAL, &d, &err));
	out = ser(d);
	T_HAS(out, "version=\"1.7-linux\"");
	T_HASNT(out, "DiskRegistry");
	exp = vb_asprintf("<MachineEntry uuid=\"{22dd8862-e13b-467d-3487-fbebda3f9fb3}\" src=\"%s/Machines/Windoze/Windoze.xml\"/>", home);
	T_HAS(out, exp);
	free(exp);
	exp = vb_asprintf("    <MediaRegistry>\n      <HardDisks>\n"
			  "        <HardDisk uuid=\"{af4dca4f-cac6-4b79-02b5-81bef057c086}\" location=\"%s/VDI/Windoze.vdi\" format=\"VDI\" type=\"Normal\"/>\n"
			  "      </HardDisks>\n    </MediaRegistry>\n"
			  "    <NetserviceRegistry>\n      <DHCPServers>\n"
			  "        <DHCPServer networkName=\"HostInterfaceNetworking-vboxnet0\" IPAddress=\"192.168.56.100\" networkMask=\"255.255.255.0\" lowerIP=\"192.168.56.101\" upperIP=\"192.168.56.254\" enabled=\"1\"/>\n"
			  "      </DHCPServers>\n    </NetserviceRegistry>\n"
			  "    <SystemProperties defaultMachineFolder=\"", home);
	T_HAS(out, exp);
	free(exp);
	T_HAS(out, "/VirtualBox VMs\" defaultHardDiskFormat=\"VDI\" VRDEAuthLibrary=\"VRDPAuth\" "
		   "webServiceAuthLibrary=\"VRDPAuth\" LogHistoryCount=\"3\"/>\n"
		   "    <USBDeviceFilters/>\n  </Global>");
	T_HAS(out, "  <Global>\n    <MachineRegistry>");
	free(out);
	sdoc_free(d);
	free(gp);
	free(home);
}

void test_settings_legacy__global_disk_registry_kinds(void)
{
	static const char x[] =
		"<VirtualBox version=\"1.3-linux\"><Global><DiskRegistry><HardDisks>"
		"<HardDisk uuid=\"{00000000-0000-0000-0000-000000000001}\" type=\"immutable\">"
		"<VMDKImage filePath=\"/d/a.vmdk\"/>"
		"<DiffHardDisk uuid=\"{00000000-0000-0000-0000-000000000002}\"><VirtualDiskImage filePath=\"diff/b.vdi\"/></DiffHardDisk>"
		"</HardDisk>"
		"<HardDisk uuid=\"{00000000-0000-0000-0000-000000000003}\" type=\"writethrough\">"
		"<ISCSIHardDisk server=\"san\" port=\"3260\" target=\"iqn.x\" lun=\"1\" userName=\"u\" password=\"p\"/></HardDisk>"
		"<HardDisk uuid=\"{00000000-0000-0000-0000-000000000004}\"><VHDImage filePath=\"/d/c.vhd\"/></HardDisk>"
		"</HardDisks><DVDImages><Image uuid=\"{00000000-0000-0000-0000-000000000005}\" src=\"iso/x.iso\"/></DVDImages>"
		"<FloppyImages/></DiskRegistry></Global></VirtualBox>";
	struct sdoc *d = load_str(x, SDOC_GLOBAL, "/h/VirtualBox.xml");
	char *out = ser(d);

	T_HAS(out, "<HardDisk uuid=\"{00000000-0000-0000-0000-000000000001}\" location=\"/d/a.vmdk\" format=\"VMDK\" type=\"Immutable\">\n"
		   "          <HardDisk uuid=\"{00000000-0000-0000-0000-000000000002}\" location=\"/h/diff/b.vdi\" format=\"VDI\"/>\n"
		   "        </HardDisk>");
	T_HAS(out, "<HardDisk uuid=\"{00000000-0000-0000-0000-000000000003}\" location=\"iscsi://u@san:3260/iqn.x/1\" format=\"iSCSI\" type=\"Writethrough\">\n"
		   "          <Property name=\"InitiatorSecret\" value=\"p\"/>\n"
		   "          <Property name=\"InitiatorUsername\" value=\"u\"/>\n"
		   "          <Property name=\"LUN\" value=\"1\"/>\n"
		   "          <Property name=\"TargetAddress\" value=\"san:3260\"/>\n"
		   "          <Property name=\"TargetName\" value=\"iqn.x\"/>\n"
		   "        </HardDisk>");
	T_HAS(out, "location=\"/d/c.vhd\" format=\"VHD\" type=\"Normal\"/>");
	T_HAS(out, "<DVDImages>\n        <Image uuid=\"{00000000-0000-0000-0000-000000000005}\" location=\"/h/iso/x.iso\"/>\n      </DVDImages>\n    </MediaRegistry>");
	T_HASNT(out, "FloppyImages");
	free(out);
	sdoc_free(d);
}

/* 1.10 global file (VirtualBox 3.2): what 4.0+ writes back. */
void test_settings_legacy__global_1_10_fixups(void)
{
	char *home = vb_asprintf("%s/h", t_tmpdir());
	char *gp = vb_asprintf("%s/VirtualBox.xml", home);
	struct vb_error err = { 0 };
	struct vbox *vb;
	char *out, *exp, *mf;

	copy_fixture("v1.10-linux-jldugger-VirtualBox.xml", gp);
	T_OK(vbox_open_at(home, &vb, &err));
	T_EQ_INT(vbox_machine_count(vb), 1);
	exp = vb_asprintf("%s/Machines/devvm/devvm.xml", home);
	T_EQ_STR(vbox_machine_src(vb, 0), exp);
	free(exp);
	mf = vbox_machine_folder(vb);
	T_ASSERT(vb_ends_with(mf, "/VirtualBox VMs"));
	out = ser(vbox_global(vb));
	T_HAS(out, "version=\"1.10-linux\"");
	exp = vb_asprintf("<SystemProperties defaultMachineFolder=\"%s\" defaultHardDiskFormat=\"VDI\" "
			  "VRDEAuthLibrary=\"VRDPAuth\" webServiceAuthLibrary=\"VRDPAuth\" LogHistoryCount=\"3\"/>", mf);
	T_HAS(out, exp);
	free(exp);
	free(mf);
	free(out);
	vbox_free(vb);
	free(gp);
	free(home);
}

static void make_legacy_home(const char *home)
{
	char *p;

	p = vb_asprintf("%s/VirtualBox.xml", home);
	copy_fixture("v1.3-linux-massemanet-VirtualBox.xml", p);
	free(p);
	p = vb_asprintf("%s/Machines/Windoze/Windoze.xml", home);
	copy_fixture("v1.3-linux-massemanet-Machines-Windoze.xml", p);
	free(p);
	p = vb_asprintf("%s/VDI/Windoze.vdi", home);
	write_str(p, "");
	free(p);
}

/* A change that needs 1.11 moves the machine's media into its own registry. */
void test_settings_legacy__migration_to_machine_registry(void)
{
	char *home = vb_asprintf("%s/h", t_tmpdir());
	char *p, *exp;
	struct vb_error err = { 0 };
	struct machine *m;
	struct snode *n;
	struct vbox *vb;
	char *mfile, *gfile;

	make_legacy_home(home);
	T_OK(vbox_open_at(home, &vb, &err));
	T_OK(vbox_find_machine(vb, "Windoze", &m, &err));
	T_OK(machine_lock(m, &err));
	n = machine_elem(m, ME_CHIPSET, true);
	T_OK(snode_set_attr(n, "type", "ICH9"));
	if (machine_save(m, &err))
		t_fail(__FILE__, __LINE__, "save: %s", err.msg);
	machine_unlock(m);
	machine_free(m);
	vbox_free(vb);

	p = vb_asprintf("%s/Machines/Windoze/Windoze-1.3-linux.xml", home);
	T_ASSERT(path_is_file(p));
	free(p);
	p = vb_asprintf("%s/VirtualBox-1.3-linux.xml", home);
	T_ASSERT(path_is_file(p));
	free(p);
	p = vb_asprintf("%s/Machines/Windoze/Windoze.xml", home);
	mfile = read_all(p);
	free(p);
	T_HAS(mfile, "version=\"1.11-linux\"");
	exp = vb_asprintf("    <MediaRegistry>\n      <HardDisks>\n"
			  "        <HardDisk uuid=\"{af4dca4f-cac6-4b79-02b5-81bef057c086}\" location=\"%s/VDI/Windoze.vdi\" format=\"VDI\" type=\"Normal\"/>\n"
			  "      </HardDisks>\n    </MediaRegistry>\n    <ExtraData>", home);
	T_HAS(mfile, exp);
	free(exp);
	T_HASNT(mfile, "DVDDrive");
	T_HAS(mfile, "<Chipset type=\"ICH9\"/>");
	p = vb_asprintf("%s/VirtualBox.xml", home);
	gfile = read_all(p);
	free(p);
	T_HAS(gfile, "version=\"1.7-linux\"");
	T_HASNT(gfile, "MediaRegistry");
	T_HASNT(gfile, "af4dca4f");

	/* the medium is found in its new home */
	{
		struct mediareg_entry e;
		struct machine *loaded;

		T_OK(vbox_open_at(home, &vb, &err));
		T_OK(mediareg_find(vb, NULL, MR_HDD, "{af4dca4f-cac6-4b79-02b5-81bef057c086}",
				   &e, &loaded, &err));
		T_ASSERT(e.owner);
		exp = vb_asprintf("%s/VDI/Windoze.vdi", home);
		T_EQ_STR(e.location, exp);
		free(exp);
		mediareg_entry_release(&e);
		machine_free(loaded);
		vbox_free(vb);
	}
	free(mfile);
	free(gfile);
	free(home);
}

/* A medium another legacy machine also uses stays in the global registry. */
void test_settings_legacy__shared_media_stay_global(void)
{
	char *home = vb_asprintf("%s/h", t_tmpdir());
	char *p, *x, *g;
	struct vb_error err = { 0 };
	struct machine *m;
	struct vbox *vb;

	make_legacy_home(home);
	/* a second machine using the same disk */
	p = vb_asprintf("%s/Machines/Windoze/Windoze.xml", home);
	x = read_all(p);
	free(p);
	T_ASSERT(x);
	memcpy(strstr(x, "22dd8862"), "33dd8862", 8);
	memcpy(strstr(x, "name=\"Windoze\""), "name=\"Twinzoe\"", 14);
	p = vb_asprintf("%s/Machines/Twinzoe/Twinzoe.xml", home);
	write_str(p, x);
	free(p);
	free(x);
	p = vb_asprintf("%s/VirtualBox.xml", home);
	g = read_all(p);
	x = vb_asprintf("%.*s<MachineEntry uuid=\"{33dd8862-e13b-467d-3487-fbebda3f9fb3}\" src=\"Machines/Twinzoe/Twinzoe.xml\"/>%s",
			(int)(strstr(g, "</MachineRegistry>") - g), g,
			strstr(g, "</MachineRegistry>"));
	write_str(p, x);
	free(x);
	free(g);

	T_OK(vbox_open_at(home, &vb, &err));
	T_OK(vbox_find_machine(vb, "Windoze", &m, &err));
	T_OK(machine_lock(m, &err));
	T_OK(snode_set_attr(machine_elem(m, ME_CHIPSET, true), "type", "ICH9"));
	T_OK(machine_save(m, &err));
	machine_free(m);
	vbox_free(vb);
	g = read_all(p);
	T_HAS(g, "af4dca4f");
	free(g);
	free(p);
	p = vb_asprintf("%s/Machines/Windoze/Windoze.xml", home);
	x = read_all(p);
	T_HAS(x, "version=\"1.11-linux\"");
	T_HASNT(x, "MediaRegistry");
	free(x);
	free(p);
	free(home);
}

/* Saving a legacy machine without a 1.11 feature keeps it legacy. */
void test_settings_legacy__small_change_keeps_global_registry(void)
{
	char *home = vb_asprintf("%s/h", t_tmpdir());
	struct vb_error err = { 0 };
	struct machine *m;
	struct vbox *vb;
	char *p, *x;

	make_legacy_home(home);
	T_OK(vbox_open_at(home, &vb, &err));
	T_OK(vbox_find_machine(vb, "Windoze", &m, &err));
	T_OK(machine_lock(m, &err));
	T_OK(machine_extradata_set(m, "qa/k", "v", &err));
	T_OK(machine_save(m, &err));
	machine_free(m);
	vbox_free(vb);
	p = vb_asprintf("%s/Machines/Windoze/Windoze.xml", home);
	x = read_all(p);
	T_HAS(x, "version=\"1.7-linux\"");
	T_HAS(x, "<ExtraDataItem name=\"qa/k\" value=\"v\"/>");
	T_HASNT(x, "MediaRegistry");
	free(x);
	free(p);
	p = vb_asprintf("%s/VirtualBox.xml", home);
	x = read_all(p);
	/* VirtualBox.xml was not written at all */
	T_HAS(x, "<DiskRegistry>");
	free(x);
	free(p);
	free(home);
}
