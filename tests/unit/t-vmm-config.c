/* lib/vmm/config.c: a machine's settings become the board and CPU
 * description; bad settings are refused with VirtualBox-like texts. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "lib/settings/settings.h"
#include "lib/util/fileio.h"
#include "lib/util/strbuf.h"
#include "lib/vmm/vmm-int.h"

struct cfg_rig {
	char home[512], vbox[600], iso[600];
	struct vbox *vb;
	struct machine *m;
	struct vmm_config cfg;
	enum vmm_fail where;
	struct vb_error err;
};

#define ISO_UUID "{11111111-2222-3333-4444-555555555555}"

static void write_text(const char *path, const char *text)
{
	T_OK(vb_write_file(path, text, strlen(text), NULL));
}

/* A machine file with `hw` inside <Hardware>. */
static int load_machine(struct cfg_rig *r, const char *machine_attrs,
			const char *hw)
{
	char *xml, *global;
	uint8_t zeros[4096];
	int fd;

	memset(r, 0, sizeof(*r));
	snprintf(r->home, sizeof(r->home), "%s/home", t_tmpdir());
	snprintf(r->vbox, sizeof(r->vbox), "%s/vm/vm.vbox", t_tmpdir());
	snprintf(r->iso, sizeof(r->iso), "%s/cd.iso", t_tmpdir());
	mkdir(r->home, 0755);
	global = vb_asprintf("<?xml version=\"1.0\"?>\n<VirtualBox xmlns=\"http://www.virtualbox.org/\" version=\"1.12-linux\">\n"
			     "<Global><MachineRegistry/><SystemProperties defaultMachineFolder=\"%s\" LogHistoryCount=\"5\"/></Global></VirtualBox>\n",
			     t_tmpdir());
	T_ASSERT(global);
	xml = vb_asprintf("%s/VirtualBox.xml", r->home);
	write_text(xml, global);
	free(xml);
	free(global);
	memset(zeros, 0, sizeof(zeros));
	fd = open(r->iso, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	T_ASSERT(fd >= 0);
	T_EQ_INT(write(fd, zeros, sizeof(zeros)), (int)sizeof(zeros));
	close(fd);
	snprintf((char *)zeros, sizeof(zeros), "%s/vm", t_tmpdir());
	mkdir((char *)zeros, 0755);
	xml = vb_asprintf("<?xml version=\"1.0\"?>\n<VirtualBox xmlns=\"http://www.virtualbox.org/\" version=\"1.19-linux\">\n"
			  "<Machine uuid=\"{aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee}\" name=\"vm\" OSType=\"Other\" %s>\n"
			  "<MediaRegistry><DVDImages><Image uuid=\"%s\" location=\"%s\"/></DVDImages></MediaRegistry>\n"
			  "<Hardware>%s</Hardware></Machine></VirtualBox>\n",
			  machine_attrs, ISO_UUID, r->iso, hw);
	T_ASSERT(xml);
	write_text(r->vbox, xml);
	free(xml);
	T_OK(vbox_open_at(r->home, &r->vb, NULL));
	T_OK(machine_load(r->vb, r->vbox, &r->m, NULL));
	return vmm_config_load(r->m, &r->cfg, &r->where, &r->err);
}

static void rig_free(struct cfg_rig *r)
{
	vmm_config_release(&r->cfg);
	machine_free(r->m);
	vbox_free(r->vb);
}

void test_vmm_config__defaults(void)
{
	struct cfg_rig r;

	T_OK(load_machine(&r, "", ""));
	T_EQ_INT(r.cfg.ram_mb, 128);
	T_EQ_U64(r.cfg.board.ram_size, 128ull << 20);
	T_EQ_INT(r.cfg.cpu.cpus, 1);
	T_ASSERT(r.cfg.cpu.pae && !r.cfg.cpu.long_mode && r.cfg.cpu.apic);
	T_ASSERT(!r.cfg.cpu.large_pages && r.cfg.cpu.hwvirtex);
	T_ASSERT(r.cfg.acpi && !r.cfg.ioapic && !r.cfg.rtc_utc);
	T_EQ_INT(r.cfg.engine_req, ENGINE_REQ_DEFAULT);
	T_EQ_INT(r.cfg.board.boot[0], BOARD_BOOT_FLOPPY);
	T_EQ_INT(r.cfg.board.boot[1], BOARD_BOOT_DVD);
	T_EQ_INT(r.cfg.board.boot[2], BOARD_BOOT_HDD);
	T_EQ_INT(r.cfg.board.n_storage, 0);
	T_EQ_INT(r.cfg.log_history, 5);
	T_EQ_INT(r.cfg.board.uuid[0], 0xaa);
	T_EQ_STR(r.cfg.bios_path, "/usr/share/seabios/bios-256k.bin");
	rig_free(&r);
}

void test_vmm_config__hardware_mapping(void)
{
	struct cfg_rig r;
	struct board_storage_cfg *s;

	T_OK(load_machine(&r, "",
		"<CPU count=\"4\" executionCap=\"50\" CpuProfile=\"Intel Core i7-6700K\">"
		"<PAE enabled=\"false\"/><LongMode enabled=\"true\"/><X2APIC enabled=\"true\"/>"
		"<HardwareVirtExLargePages enabled=\"true\"/><HardwareVirtExVPID enabled=\"false\"/>"
		"<CpuIdTree><CpuIdLeaf id=\"1\" subleaf=\"0\" eax=\"1\" ebx=\"2\" ecx=\"3\" edx=\"4\"/></CpuIdTree></CPU>"
		"<Memory RAMSize=\"4096\"/><RTC localOrUTC=\"UTC\"/>"
		"<BIOS><IOAPIC enabled=\"true\"/><TimeOffset value=\"-3600000\"/></BIOS>"
		"<Boot><Order position=\"1\" device=\"DVD\"/><Order position=\"2\" device=\"Network\"/>"
		"<Order position=\"3\" device=\"None\"/><Order position=\"4\" device=\"None\"/></Boot>"
		"<UART><Port slot=\"1\" enabled=\"true\" IOBase=\"0x2f8\" IRQ=\"3\" hostMode=\"TCP\" server=\"true\" path=\"7777\" uartType=\"16750\"/>"
		"<Port slot=\"0\" enabled=\"true\" IOBase=\"0x3f8\" IRQ=\"4\" hostMode=\"RawFile\" path=\"com1.log\"/></UART>"
		"<StorageControllers><StorageController name=\"SATA\" type=\"AHCI\" PortCount=\"4\" Bootable=\"true\">"
		"<AttachedDevice passthrough=\"false\" type=\"DVD\" port=\"2\" device=\"0\"><Image uuid=\"" ISO_UUID "\"/></AttachedDevice>"
		"</StorageController><StorageController name=\"IDE\" type=\"ICH6\" PortCount=\"2\">"
		"<AttachedDevice passthrough=\"false\" type=\"DVD\" port=\"1\" device=\"1\"/>"
		"</StorageController></StorageControllers>"));
	T_EQ_INT(r.cfg.cpu.cpus, 4);
	T_EQ_INT(r.cfg.cpu.exec_cap, 50);
	T_EQ_STR(r.cfg.cpu.profile, "Intel Core i7-6700K");
	T_ASSERT(!r.cfg.cpu.pae && r.cfg.cpu.long_mode && r.cfg.cpu.x2apic);
	T_ASSERT(r.cfg.cpu.large_pages && !r.cfg.cpu.vpid && r.cfg.cpu.nested_paging);
	T_EQ_INT(r.cfg.cpu.n_overrides, 1);
	T_EQ_U64(r.cfg.cpu.overrides[0].leaf, 1);
	T_EQ_U64(r.cfg.cpu.overrides[0].edx, 4);
	T_EQ_U64(r.cfg.board.ram_below_4g, 0xe0000000ull);
	T_EQ_U64(r.cfg.board.ram_size, 4096ull << 20);
	T_ASSERT(r.cfg.board.rtc_utc && r.cfg.board.ioapic);
	T_EQ_INT(r.cfg.board.time_offset_ms, -3600000);
	T_EQ_INT(r.cfg.board.boot[0], BOARD_BOOT_DVD);
	T_EQ_INT(r.cfg.board.boot[1], BOARD_BOOT_NET);
	T_ASSERT(r.cfg.board.serial[0].enabled);
	T_EQ_INT(r.cfg.board.serial[0].mode, BOARD_SERIAL_FILE);
	T_ASSERT(vb_ends_with(r.cfg.board.serial[0].path, "/vm/com1.log"));
	T_EQ_INT(r.cfg.board.serial[1].mode, BOARD_SERIAL_TCP_SERVER);
	T_EQ_INT(r.cfg.board.serial[1].type, BOARD_UART_16750);
	T_EQ_STR(r.cfg.board.serial[1].path, "7777");
	T_ASSERT(!r.cfg.board.serial[2].enabled);
	T_EQ_INT(r.cfg.board.n_storage, 2);
	s = &r.cfg.board.storage[0];
	T_EQ_INT(s->type, BOARD_CTL_AHCI);
	T_EQ_INT(s->port_count, 4);
	T_EQ_INT(s->drives[2].kind, BOARD_DRIVE_CDROM);
	T_EQ_U64(s->drives[2].blk.size, 4096);
	T_ASSERT(s->drives[2].blk.readonly);
	T_ASSERT(!strncmp(s->drives[2].serial, "VB", 2));
	s = &r.cfg.board.storage[1];
	T_EQ_INT(s->type, BOARD_CTL_ICH6);
	T_EQ_INT(s->drives[3].kind, BOARD_DRIVE_CDROM);
	T_ASSERT(s->drives[3].blk.ops == NULL);          /* empty drive */
	T_EQ_INT(r.cfg.n_media, 1);
	rig_free(&r);
}

void test_vmm_config__settings_errors(void)
{
	struct cfg_rig r;

	T_ASSERT(load_machine(&r, "", "<StorageControllers><StorageController name=\"X\" type=\"Floppyish\" PortCount=\"1\"/></StorageControllers>") < 0);
	T_EQ_INT(r.where, VMM_FAIL_LOCK);
	T_EQ_U64(r.err.hrc, VBOX_E_XML_ERROR);
	T_ASSERT(strstr(r.err.msg, "-- Invalid value 'Floppyish' for StorageController/@type attribute"));
	rig_free(&r);
	T_ASSERT(load_machine(&r, "", "<Boot><Order position=\"7\" device=\"DVD\"/></Boot>") < 0);
	T_ASSERT(strstr(r.err.msg, "Invalid value '7' in Boot/Order/@position"));
	rig_free(&r);
	T_ASSERT(load_machine(&r, "", "<Memory RAMSize=\"2\"/>") < 0);
	T_ASSERT(strstr(r.err.msg, "Invalid value '2' in Memory/@RAMSize attribute (must be in range [4, 2097152] MB)"));
	rig_free(&r);
	T_ASSERT(load_machine(&r, "", "<UART><Port slot=\"0\" enabled=\"true\" hostMode=\"Morse\" path=\"x\"/></UART>") < 0);
	T_ASSERT(strstr(r.err.msg, "Invalid value 'Morse' in UART/Port/@hostMode attribute"));
	rig_free(&r);
}

void test_vmm_config__unsupported_and_media_errors(void)
{
	struct cfg_rig r;

	T_ASSERT(load_machine(&r, "", "<Firmware type=\"EFI64\"/>") < 0);
	T_EQ_INT(r.where, VMM_FAIL_POWERUP);
	T_EQ_STR(r.err.msg, "EFI firmware (EFI64) is not supported by this VirtualBox implementation yet; use --firmware bios (VERR_NOT_SUPPORTED).");
	rig_free(&r);
	T_ASSERT(load_machine(&r, "", "<Chipset type=\"ICH9\"/>") < 0);
	T_ASSERT(strstr(r.err.msg, "The ICH9 chipset is not emulated"));
	rig_free(&r);
	T_ASSERT(load_machine(&r, "", "<StorageControllers><StorageController name=\"NVMe\" type=\"NVMe\" PortCount=\"1\"/></StorageControllers>") < 0);
	T_ASSERT(strstr(r.err.msg, "The storage controller 'NVMe' of type NVMe is not emulated"));
	rig_free(&r);
	T_ASSERT(load_machine(&r, "", "<StorageControllers><StorageController name=\"IDE\" type=\"PIIX4\"/>"
			      "<StorageController name=\"IDE2\" type=\"PIIX3\"/></StorageControllers>") < 0);
	T_ASSERT(strstr(r.err.msg, "Only one IDE controller per machine is emulated; 'IDE2' is a second one"));
	rig_free(&r);
	T_ASSERT(load_machine(&r, "", "<StorageControllers><StorageController name=\"IDE\" type=\"PIIX4\">"
			      "<AttachedDevice type=\"DVD\" port=\"0\" device=\"0\"><Image uuid=\"{99999999-2222-3333-4444-555555555555}\"/></AttachedDevice>"
			      "</StorageController></StorageControllers>") < 0);
	T_ASSERT(strstr(r.err.msg, "Could not find an open DVD image with UUID {99999999-2222-3333-4444-555555555555}"));
	rig_free(&r);
	T_ASSERT(load_machine(&r, "", "<CPU count=\"2\"/>") < 0);
	T_ASSERT(strstr(r.err.msg, "uses 2 CPUs but the I/O APIC is not enabled"));
	rig_free(&r);
}

void test_vmm_config__engine_choice(void)
{
	struct cfg_rig r;

	T_OK(load_machine(&r, "", "<CPU><HardwareVirtEx enabled=\"false\"/></CPU>"));
	T_EQ_INT(r.cfg.engine_req, ENGINE_REQ_IEM);
	T_EQ_STR(r.cfg.engine_req_src, "--hwvirtex off");
	rig_free(&r);
}
