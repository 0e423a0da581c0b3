/* lib/settings/hwmodel: typed settings over in-memory machine documents. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "lib/settings/hwmodel.h"
#include "lib/settings/state.h"

#define MUUID "{11111111-2222-3333-4444-555555555555}"

/* A machine from XML text; body goes inside <Machine>. */
static struct machine *mk(const char *version, const char *mattrs,
			  const char *body)
{
	struct vb_error err = { 0 };
	struct machine *m;
	struct sdoc *d;
	char *xml;

	xml = malloc(strlen(body) + strlen(mattrs) + 512);
	T_ASSERT(xml);
	sprintf(xml, "<?xml version=\"1.0\"?>\n"
		"<VirtualBox xmlns=\"http://www.virtualbox.org/\" version=\"%s-linux\">\n"
		"  <Machine uuid=\"" MUUID "\" name=\"t\" OSType=\"Debian_64\" "
		"snapshotFolder=\"Snapshots\" lastStateChange=\"2024-05-01T10:20:30Z\"%s>\n"
		"%s\n  </Machine>\n</VirtualBox>\n", version, mattrs, body);
	T_OK(sdoc_load_mem(xml, strlen(xml), "/nonexistent/t/t.vbox",
			   SDOC_MACHINE, &d, &err));
	free(xml);
	T_OK(machine_from_doc(NULL, d, &m, &err));
	return m;
}

/* The serialised document (allocated). */
static char *dump(struct machine *m)
{
	struct vb_error err = { 0 };
	char *out;
	size_t len;

	T_OK(sdoc_serialize(machine_doc(m), &out, &len, &err));
	return out;
}

static void expect_in(struct machine *m, const char *needle)
{
	char *s = dump(m);

	if (!strstr(s, needle))
		t_fail(__FILE__, __LINE__, "missing %s in:\n%s", needle, s);
	free(s);
}

static void expect_not_in(struct machine *m, const char *needle)
{
	char *s = dump(m);

	if (strstr(s, needle))
		t_fail(__FILE__, __LINE__, "unexpected %s in:\n%s", needle, s);
	free(s);
}

void test_model__defaults_when_absent(void)
{
	struct machine *m = mk("1.19", "", "<Hardware/>");

	T_EQ_INT(hwm_get_u32(m, HWM_MEMORY), 128);
	T_EQ_INT(hwm_get_u32(m, HWM_CPU_COUNT), 1);
	T_EQ_INT(hwm_get_u32(m, HWM_CPU_EXEC_CAP), 100);
	T_EQ_INT(hwm_get_u32(m, HWM_VRAM), 8);
	T_EQ_STR(hwm_get_str(m, HWM_GFX), "VBoxVGA");
	T_EQ_STR(hwm_get_str(m, HWM_FIRMWARE), "BIOS");
	T_EQ_STR(hwm_get_str(m, HWM_PARAVIRT), "Default");
	T_ASSERT(!hwm_get_bool(m, HWM_VRDE_ENABLED));
	T_ASSERT(!hwm_get_bool(m, HWM_AUDIO_ENABLED));
	T_ASSERT(!hwm_get_bool(m, HWM_AUDIO_OUT));
	T_ASSERT(hwm_get_bool(m, HWM_ACPI));
	T_ASSERT(hwm_get_bool(m, HWM_PAE));
	T_ASSERT(hwm_get_bool(m, HWM_HWVIRTEX));
	T_ASSERT(!hwm_get_bool(m, HWM_RTC_UTC));
	T_EQ_STR(hwm_boot_device(m, 1), "Floppy");
	T_EQ_STR(hwm_boot_device(m, 4), "None");
	T_EQ_STR(hwm_nic_str(m, 0, HWN_TYPE), "Am79C973");
	T_ASSERT(hwm_nic_bool(m, 0, HWN_CABLE));
	T_ASSERT(!hwm_nat_bool(m, 0, HWT_LOCALHOST));
	machine_free(m);
}

void test_model__version_dependent_defaults(void)
{
	struct machine *m = mk("1.15", "", "<Hardware/>");

	T_EQ_STR(hwm_get_str(m, HWM_PARAVIRT), "Legacy");
	T_ASSERT(hwm_get_bool(m, HWM_VRDE_ENABLED));
	T_ASSERT(hwm_get_bool(m, HWM_AUDIO_ENABLED));
	T_ASSERT(hwm_get_bool(m, HWM_AUDIO_IN));
	T_EQ_STR(hwm_nic_str(m, 0, HWN_TYPE), "Am79C970A");
	T_ASSERT(!hwm_nic_bool(m, 0, HWN_CABLE));
	T_ASSERT(hwm_nat_bool(m, 0, HWT_LOCALHOST));
	/* setting the old default writes nothing, the new one something */
	T_OK(hwm_set_str(m, HWM_PARAVIRT, "Legacy"));
	expect_not_in(m, "Paravirt");
	T_OK(hwm_set_bool(m, HWM_VRDE_ENABLED, false));
	expect_in(m, "<RemoteDisplay enabled=\"false\"/>");
	machine_free(m);
}

void test_model__omit_default_and_prune(void)
{
	struct machine *m = mk("1.19", "",
			       "<Hardware><Memory RAMSize=\"512\"/>"
			       "<Display controller=\"VMSVGA\" VRAMSize=\"16\"/>"
			       "</Hardware>");

	T_OK(hwm_set_u32(m, HWM_MEMORY, 128));
	expect_in(m, "<Memory RAMSize=\"128\"/>");   /* always written */
	T_OK(hwm_set_u32(m, HWM_VRAM, 8));
	expect_in(m, "<Display controller=\"VMSVGA\"/>");
	T_OK(hwm_set_str(m, HWM_GFX, "VBoxVGA"));
	expect_not_in(m, "<Display");
	T_OK(hwm_set_bool(m, HWM_IOAPIC, true));
	expect_in(m, "<BIOS>");
	expect_in(m, "<IOAPIC enabled=\"true\"/>");
	T_OK(hwm_set_bool(m, HWM_IOAPIC, false));
	expect_not_in(m, "BIOS");
	machine_free(m);
}

void test_model__attribute_order(void)
{
	struct machine *m = mk("1.19", "",
			       "<Hardware><Display VRAMSize=\"16\"/></Hardware>");

	T_OK(hwm_set_str(m, HWM_GFX, "VMSVGA"));
	T_OK(hwm_set_bool(m, HWM_ACCEL3D, true));
	T_OK(hwm_set_u32(m, HWM_MONITORS, 2));
	expect_in(m, "<Display controller=\"VMSVGA\" VRAMSize=\"16\" "
		  "monitorCount=\"2\" accelerate3D=\"true\"/>");
	T_OK(hwm_set_str(m, HWM_PROC_PRIORITY, "High"));
	expect_in(m, "lastStateChange=\"2024-05-01T10:20:30Z\" "
		  "processPriority=\"High\">");
	machine_free(m);
}

void test_model__group_elements(void)
{
	struct machine *m = mk("1.19", "", "<Hardware/>");

	T_OK(hwm_set_u32(m, HWM_LOGO_TIME, 500));
	expect_in(m, "<Logo fadeIn=\"true\" fadeOut=\"true\" displayTime=\"500\"/>");
	T_OK(hwm_set_u32(m, HWM_LOGO_TIME, 0));
	expect_not_in(m, "Logo");
	T_OK(hwm_set_bool(m, HWM_AUTOSTART_ENABLED, true));
	expect_in(m, "<Autostart enabled=\"true\" delay=\"0\" autostop=\"Disabled\"/>");
	T_OK(hwm_set_bool(m, HWM_TELEPORTER_ENABLED, true));
	expect_in(m, "<Teleporter enabled=\"true\" port=\"0\" address=\"\" password=\"\"/>");
	machine_free(m);
}

void test_model__apic(void)
{
	struct machine *m = mk("1.19", "", "<Hardware/>");

	T_ASSERT(hwm_apic(m) && !hwm_x2apic(m));
	T_OK(hwm_set_x2apic(m, true));
	expect_in(m, "<X2APIC enabled=\"true\"/>");
	T_OK(hwm_set_apic(m, false));           /* x2APIC keeps the APIC on */
	T_ASSERT(hwm_apic(m));
	T_OK(hwm_set_x2apic(m, false));
	T_OK(hwm_set_apic(m, false));
	expect_in(m, "<APIC enabled=\"false\"/>");
	T_ASSERT(!hwm_apic(m));
	machine_free(m);
}

void test_model__boot_order(void)
{
	struct vb_error err = { 0 };
	struct machine *m = mk("1.19", "", "<Hardware/>");

	T_OK(hwm_set_boot_device(m, 1, "HardDisk", &err));
	expect_in(m, "<Order position=\"1\" device=\"HardDisk\"/>");
	expect_in(m, "<Order position=\"2\" device=\"DVD\"/>");
	expect_in(m, "<Order position=\"4\" device=\"None\"/>");
	T_OK(hwm_set_boot_device(m, 1, "Floppy", &err));
	expect_not_in(m, "<Boot");
	T_EQ_INT(hwm_set_boot_device(m, 5, "DVD", &err), -EINVAL);
	T_EQ_STR(err.msg, "Invalid boot position: 5 (must be in range [1, 4])");
	machine_free(m);
}

void test_model__nic_and_nat_rules(void)
{
	struct vb_error err = { 0 };
	struct machine *m = mk("1.19", "", "<Hardware/>");
	struct hwm_natrule r = { "ssh", true, "127.0.0.1", 2222, "", 22 }, x;

	T_OK(hwm_nic_set_attachment(m, 0, HWA_NAT));
	T_OK(hwm_nic_set_bool(m, 0, HWN_ENABLED, true));
	T_OK(hwm_nic_set_str(m, 0, HWN_TYPE, "82540EM"));
	T_OK(hwm_natrule_add(m, 0, &r, &err));
	r.name = "http";
	r.host_ip = "";
	r.host_port = 8080;
	r.guest_port = 80;
	T_OK(hwm_natrule_add(m, 0, &r, &err));
	/* sorted by name */
	T_ASSERT(hwm_natrule_at(m, 0, 0, &x));
	T_EQ_STR(x.name, "http");
	T_ASSERT(hwm_natrule_at(m, 0, 1, &x));
	T_EQ_STR(x.name, "ssh");
	T_EQ_STR(x.host_ip, "127.0.0.1");
	T_EQ_INT(hwm_natrule_add(m, 0, &r, &err), -EINVAL);
	T_EQ_STR(err.msg, "A NAT rule of this name already exists");
	r.name = "other";
	T_EQ_INT(hwm_natrule_add(m, 0, &r, &err), -EINVAL);
	T_EQ_STR(err.msg, "A NAT rule for this host port and this host IP already exists");
	expect_in(m, "<Adapter slot=\"0\" enabled=\"true\" type=\"82540EM\">");
	expect_in(m, "<Forwarding name=\"http\" proto=\"1\" hostport=\"8080\" guestport=\"80\"/>");
	T_OK(hwm_natrule_remove(m, 0, "http"));
	T_EQ_INT(hwm_natrule_remove(m, 0, "http"), -ENOENT);
	machine_free(m);
}

void test_model__nic_disabled_modes_and_omission(void)
{
	struct machine *m = mk("1.19", "", "<Hardware/>");

	T_OK(hwm_nic_set_attachment(m, 1, HWA_INTNET));
	T_EQ_STR(hwm_nic_net_name(m, 1, HWA_INTNET), "intnet");
	T_OK(hwm_nic_set_net_name(m, 1, HWA_BRIDGED, "eth0"));
	expect_in(m, "<BridgedInterface name=\"eth0\"/>");
	T_OK(hwm_nic_set_attachment(m, 1, HWA_BRIDGED));
	T_EQ_INT(hwm_nic_attachment(m, 1), HWA_BRIDGED);
	expect_in(m, "<DisabledModes>");
	expect_in(m, "<InternalNetwork name=\"intnet\"/>");
	/* back to defaults: the adapter disappears */
	T_OK(hwm_nic_set_attachment(m, 1, HWA_NULL));
	T_OK(hwm_nic_set_net_name(m, 1, HWA_BRIDGED, NULL));
	T_OK(hwm_nic_set_net_name(m, 1, HWA_INTNET, NULL));
	expect_not_in(m, "<Network");
	machine_free(m);
}

void test_model__nic_slot_order(void)
{
	struct machine *m = mk("1.19", "", "<Hardware/>");
	char *s;

	T_OK(hwm_nic_set_bool(m, 10, HWN_ENABLED, true));
	T_OK(hwm_nic_set_bool(m, 2, HWN_ENABLED, true));
	T_OK(hwm_nic_set_bool(m, 0, HWN_ENABLED, true));
	s = dump(m);
	T_ASSERT(strstr(s, "slot=\"0\"") < strstr(s, "slot=\"2\""));
	T_ASSERT(strstr(s, "slot=\"2\"") < strstr(s, "slot=\"10\""));
	free(s);
	machine_free(m);
}

void test_model__mac(void)
{
	struct vb_error err = { 0 };
	struct machine *m = mk("1.19", "", "<Hardware/>");
	const char *mac;

	T_OK(hwm_nic_set_mac(m, 0, NULL, &err));
	mac = hwm_nic_str(m, 0, HWN_MAC);
	T_EQ_INT(strlen(mac), 12);
	T_ASSERT(!strncmp(mac, "080027", 6));
	T_OK(hwm_nic_set_mac(m, 0, "0a0027aabbcc", &err));
	T_EQ_STR(hwm_nic_str(m, 0, HWN_MAC), "0A0027AABBCC");
	T_EQ_INT(hwm_nic_set_mac(m, 0, "0100272AB", &err), -EINVAL);
	T_EQ_INT(hwm_nic_set_mac(m, 0, "010027AABBCC", &err), -EINVAL);
	T_EQ_STR(err.msg, "Invalid MAC address format");
	machine_free(m);
}

void test_model__uart(void)
{
	struct machine *m = mk("1.19", "", "<Hardware/>");
	struct hwm_port p;

	hwm_uart_get(m, 1, &p);
	T_EQ_INT(p.iobase, 0x2f8);
	T_EQ_INT(p.irq, 3);
	p.enabled = true;
	p.mode = "TCP";
	p.server = true;
	p.path = "5555";
	T_OK(hwm_uart_put(m, 1, &p));
	expect_in(m, "<Port slot=\"1\" enabled=\"true\" IOBase=\"0x2f8\" IRQ=\"3\" "
		  "server=\"true\" path=\"5555\" hostMode=\"TCP\"/>");
	hwm_uart_get(m, 1, &p);
	p.enabled = false;
	p.mode = "Disconnected";
	p.path = "";
	p.server = false;
	T_OK(hwm_uart_put(m, 1, &p));
	expect_not_in(m, "UART");
	machine_free(m);
}

void test_model__usb_old_layout_moves_on(void)
{
	struct vb_error err = { 0 };
	struct machine *m = mk("1.12", "",
			       "<Hardware><USBController enabled=\"false\" "
			       "enabledEhci=\"false\"/></Hardware>");

	T_OK(hwm_usb_add(m, "OHCI", "OHCI", &err));
	expect_in(m, "<USBController enabled=\"true\"");
	T_EQ_INT(hwm_usb_count(m, "OHCI"), 1);
	T_OK(hwm_usb_add(m, "xHCI", "XHCI", &err));
	expect_in(m, "<Controller name=\"OHCI\" type=\"OHCI\"/>");
	expect_in(m, "<Controller name=\"xHCI\" type=\"XHCI\"/>");
	expect_in(m, "version=\"1.15-linux\"");
	T_EQ_INT(hwm_usb_add(m, "xHCI", "XHCI", &err), -EEXIST);
	T_OK(hwm_usb_rename(m, "xHCI", "fast"));
	T_OK(hwm_usb_remove_type(m, "XHCI"));
	T_OK(hwm_usb_remove_type(m, "OHCI"));
	expect_not_in(m, "<USB");
	machine_free(m);
}

void test_model__cpuid_and_hotplug(void)
{
	struct vb_error err = { 0 };
	struct machine *m = mk("1.19", "", "<Hardware><CPU count=\"2\"/></Hardware>");
	uint32_t regs[4] = { 1, 2, 3, 4 };
	struct hwm_cpuid_leaf l;

	T_OK(hwm_cpuid_set(m, 0x80000001, UINT32_MAX, regs, &err));
	T_ASSERT(hwm_cpuid_at(m, 0, &l));
	T_EQ_U64(l.leaf, 0x80000001);
	T_EQ_INT(l.ecx, 3);
	T_EQ_INT(hwm_cpuid_set(m, 0x40, 0, regs, &err), -EINVAL);
	T_EQ_STR(err.msg, "CpuId override leaf 0x40 is out of range");
	T_OK(hwm_cpuid_remove_all(m));
	expect_not_in(m, "CpuIdTree");

	T_OK(hwm_set_cpu_hotplug(m, true, &err));
	expect_in(m, "<CPU count=\"2\" hotplug=\"true\">");
	expect_in(m, "<Cpu id=\"1\"/>");
	T_OK(hwm_set_cpu_count(m, 4, &err));
	T_OK(hwm_cpu_plug(m, 3, &err));
	T_EQ_INT(hwm_cpu_plug(m, 3, &err), -EEXIST);
	T_EQ_STR(err.msg, "CPU 3 is already attached");
	T_EQ_INT(hwm_set_cpu_count(m, 2, &err), -EINVAL);
	T_EQ_INT(hwm_set_cpu_hotplug(m, false, &err), -EINVAL);
	T_OK(hwm_cpu_unplug(m, 3, &err));
	T_EQ_INT(hwm_cpu_unplug(m, 0, &err), -EINVAL);
	T_EQ_STR(err.msg, "It is not possible to detach CPU 0");
	machine_free(m);
}

static bool taken_any(void *ctx, const char *name)
{
	(void)ctx;
	return !strcmp(name, "taken");
}

void test_model__groups_and_description(void)
{
	struct vb_error err = { 0 };
	struct machine *m = mk("1.19", "", "<Hardware/>");
	char *s;

	T_OK(hwm_set_groups(m, "/a/b,/c,,/c", NULL, NULL, &err));
	s = hwm_groups(m);
	T_EQ_STR(s, "/a/b,/c,/");
	free(s);
	T_EQ_INT(hwm_set_groups(m, "nope", NULL, NULL, &err), -EINVAL);
	T_EQ_STR(err.msg, "Invalid machine group 'nope'");
	T_EQ_INT(hwm_set_groups(m, "/c/", NULL, NULL, &err), -EINVAL);
	T_EQ_INT(hwm_set_groups(m, "/a//b", NULL, NULL, &err), -EINVAL);
	T_EQ_INT(hwm_set_groups(m, "/a/.b", NULL, NULL, &err), -EINVAL);
	T_EQ_INT(hwm_set_groups(m, "/a/b.", NULL, NULL, &err), -EINVAL);
	T_EQ_INT(hwm_set_groups(m, "/a:b", NULL, NULL, &err), -EINVAL);
	T_OK(hwm_set_groups(m, "/Gr\xc3\xbcn (2)/x_y-z.w", NULL, NULL, &err));
	T_EQ_INT(hwm_set_groups(m, "/taken/x", taken_any, NULL, &err),
		 -EINVAL);
	T_EQ_STR(err.msg, "Invalid machine group '/taken/x' conflicts with a virtual machine name");
	/* only parent components of the first group count */
	T_OK(hwm_set_groups(m, "/taken,/b/taken", taken_any, NULL, &err));
	T_OK(hwm_set_groups(m, "/", NULL, NULL, &err));
	expect_not_in(m, "Groups");
	T_OK(hwm_set_description(m, "line 1\nline \"2\""));
	s = hwm_description(m);
	T_EQ_STR(s, "line 1\nline \"2\"");
	free(s);
	machine_free(m);
}

void test_model__vrde_props(void)
{
	struct machine *m = mk("1.10", "",
			       "<Hardware><RemoteDisplay enabled=\"true\" "
			       "port=\"5000\"/></Hardware>");

	T_EQ_STR(hwm_vrde_prop(m, "TCP/Ports"), "5000");
	T_OK(hwm_vrde_set_prop(m, "TCP/Address", "127.0.0.1"));
	expect_in(m, "<Property name=\"TCP/Address\" value=\"127.0.0.1\"/>");
	expect_in(m, "<Property name=\"TCP/Ports\" value=\"5000\"/>");
	expect_not_in(m, "port=\"5000\"");
	expect_in(m, "version=\"1.11-linux\"");
	machine_free(m);
}

void test_model__read_collections(void)
{
	struct machine *m = mk("1.19", " currentSnapshot=\"{aaaaaaaa-0000-0000-0000-000000000002}\"",
		"<Snapshot uuid=\"{aaaaaaaa-0000-0000-0000-000000000001}\" name=\"s1\" timeStamp=\"2024-01-01T00:00:00Z\">"
		"<Description>first</Description><Hardware/>"
		"<Snapshots><Snapshot uuid=\"{aaaaaaaa-0000-0000-0000-000000000002}\" name=\"s2\" timeStamp=\"2024-01-02T00:00:00Z\"><Hardware/></Snapshot></Snapshots>"
		"</Snapshot>"
		"<Hardware><SharedFolders><SharedFolder name=\"v\" hostPath=\"/p\" writable=\"true\" autoMount=\"false\"/></SharedFolders>"
		"<IO><BandwidthGroups><BandwidthGroup name=\"slow\" type=\"Network\" maxBytesPerSec=\"1000\"/></BandwidthGroups></IO>"
		"<StorageControllers><StorageController name=\"SATA\" type=\"AHCI\" PortCount=\"1\" useHostIOCache=\"false\" Bootable=\"true\">"
		"<AttachedDevice type=\"HardDisk\" hotpluggable=\"false\" port=\"0\" device=\"0\"><Image uuid=\"{fbbd758c-39df-49d1-9631-993b37713428}\"/></AttachedDevice>"
		"</StorageController></StorageControllers></Hardware>");
	struct hwm_sharedfolder sf;
	struct hwm_bwgroup bw;
	struct hwm_ctl c;
	struct hwm_att_dev a;
	struct snode *root;
	char *d;

	T_ASSERT(hwm_sharedfolder_at(m, 0, &sf));
	T_EQ_STR(sf.host_path, "/p");
	T_ASSERT(!hwm_sharedfolder_at(m, 1, &sf));
	T_ASSERT(hwm_bwgroup_at(m, 0, &bw));
	T_EQ_INT(bw.max_bytes, 1000);
	T_ASSERT(hwm_bwgroup_exists(m, "slow"));
	T_ASSERT(hwm_ctl_at(m, 0, &c));
	T_EQ_STR(c.api_type, "IntelAhci");
	T_EQ_INT(c.max_ports, 30);
	T_ASSERT(hwm_attached(&c, 0, 0, &a));
	T_ASSERT(a.has_image && !a.hotplug);
	T_ASSERT(!hwm_attached(&c, 0, 1, &a));
	root = hwm_snapshot_root(m);
	T_EQ_STR(hwm_snapshot_name(root), "s1");
	d = hwm_snapshot_description(root);
	T_EQ_STR(d, "first");
	free(d);
	T_ASSERT(!hwm_snapshot_is_current(m, root));
	T_ASSERT(hwm_snapshot_is_current(m, hwm_snapshot_child(root, 0)));
	T_ASSERT(!hwm_snapshot_child(root, 1));
	machine_free(m);
}

static int probe_running(struct machine *m, enum vm_state *s, int64_t *since)
{
	(void)m;
	*s = VMS_RUNNING;
	*since = 1000;
	return 1;
}

void test_model__state(void)
{
	struct vm_state_info si;
	struct machine *m = mk("1.19", "", "<Hardware/>");

	T_OK(machine_state_get(m, &si));
	T_EQ_INT(si.state, VMS_POWEROFF);
	T_EQ_INT(si.since_ms, 1714558830000LL);
	vm_state_info_release(&si);
	machine_free(m);

	m = mk("1.19", " stateFile=\"Snapshots/x.sav\" aborted=\"true\"", "<Hardware/>");
	T_OK(machine_state_get(m, &si));
	T_EQ_INT(si.state, VMS_ABORTED_SAVED);
	T_EQ_STR(si.state_file, "/nonexistent/t/Snapshots/x.sav");
	vm_state_info_release(&si);
	machine_state_set_probe(probe_running);
	T_OK(machine_state_get(m, &si));
	machine_state_set_probe(NULL);
	T_EQ_INT(si.state, VMS_RUNNING);
	T_EQ_INT(si.since_ms, 1000);
	T_EQ_STR(vm_state_name(si.state, true), "running");
	vm_state_info_release(&si);
	machine_free(m);
}

void test_model__bump_on_newer_setting(void)
{
	struct machine *m = mk("1.12", "", "<Hardware><Network>"
			       "<Adapter slot=\"0\" enabled=\"true\" MACAddress=\"080027000001\" "
			       "cable=\"true\" type=\"Am79C973\"><NAT/></Adapter></Network></Hardware>");

	T_OK(hwm_set_str(m, HWM_PARAVIRT, "KVM"));
	expect_in(m, "version=\"1.15-linux\"");
	T_OK(hwm_set_str(m, HWM_CPU_PROFILE, "Intel 80386"));
	/* at 1.16 the NIC defaults change: values are kept */
	expect_in(m, "version=\"1.16-linux\"");
	expect_in(m, "<Adapter slot=\"0\" enabled=\"true\" MACAddress=\"080027000001\">");
	machine_free(m);
}

void test_model__audio_driver_of_other_hosts(void)
{
	struct machine *m = mk("1.15", "",
			       "<Hardware><AudioAdapter driver=\"DirectSound\"/></Hardware>");
	const char *host = hwm_audio_host_default();

	T_ASSERT(!strcmp(host, "Pulse") || !strcmp(host, "ALSA") ||
		 !strcmp(host, "OSS"));
	/* read as this host's backend, the file untouched */
	T_EQ_STR(hwm_audio_driver(m), host);
	T_EQ_STR(hwm_get_str(m, HWM_AUDIO_DRIVER), "DirectSound");
	machine_free(m);
	/* Linux drivers stay, whatever their case (pre-1.3 lower case) */
	m = mk("1.15", "", "<Hardware><AudioAdapter driver=\"alsa\"/></Hardware>");
	T_EQ_STR(hwm_audio_driver(m), "ALSA");
	machine_free(m);
	m = mk("1.15", "", "<Hardware><AudioAdapter driver=\"Null\"/></Hardware>");
	T_EQ_STR(hwm_audio_driver(m), "Null");
	machine_free(m);
}

void test_model__normalize_gives_enabled_nics_a_mac(void)
{
	struct machine *m = mk("1.19", "",
			       "<Hardware><Network>"
			       "<Adapter slot=\"0\" enabled=\"true\"><NAT/></Adapter>"
			       "<Adapter slot=\"1\" type=\"82540EM\"/>"
			       "</Network></Hardware>");
	const char *mac;

	T_OK(hwm_normalize(m));
	mac = hwm_nic_str(m, 0, HWN_MAC);
	T_EQ_INT(strlen(mac), 12);
	T_ASSERT(!strncmp(mac, "080027", 6));
	/* a disabled adapter is left as it is */
	T_EQ_STR(hwm_nic_str(m, 1, HWN_MAC), "");
	expect_in(m, "<Adapter slot=\"1\" type=\"82540EM\"/>");
	machine_free(m);
}
