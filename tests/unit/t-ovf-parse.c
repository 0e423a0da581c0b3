/* OVF descriptors: parsing (1.0, 0.9, 2.0), VirtualBox's errors for broken
 * ones, the CIM OS table, interpretation into a virtual system
 * description, and manifests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "lib/media/ova.h"
#include "lib/settings/ovf.h"
#include "lib/util/fileio.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"

#define NS_ATTRS \
	"xmlns:ovf=\"http://schemas.dmtf.org/ovf/envelope/1\" " \
	"xmlns:rasd=\"http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData\" " \
	"xmlns:vssd=\"http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData\""

/* A small DMTF 1.0 descriptor; %s are the Disk attributes and extra
 * hardware items. */
static char *box(const char *disk_attrs, const char *items)
{
	return vb_asprintf(
		"<?xml version=\"1.0\"?>\n"
		"<Envelope ovf:version=\"1.0\" xml:lang=\"en-US\" "
		"xmlns=\"http://schemas.dmtf.org/ovf/envelope/1\" " NS_ATTRS ">\n"
		"<References><File ovf:href=\"d1.vmdk\" ovf:id=\"file1\"/></References>\n"
		"<DiskSection><Info>x</Info>\n"
		"<Disk ovf:diskId=\"vmdisk1\" ovf:fileRef=\"file1\" %s "
		"ovf:format=\"http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized\"/>\n"
		"</DiskSection>\n"
		"<VirtualSystem ovf:id=\"vm one\">\n<Info>x</Info>\n"
		"<OperatingSystemSection ovf:id=\"94\"><Info>x</Info>"
		"<Description>Ubuntu_64</Description></OperatingSystemSection>\n"
		"<VirtualHardwareSection><Info>x</Info>\n"
		"<Item><rasd:InstanceID>1</rasd:InstanceID><rasd:ResourceType>3</rasd:ResourceType>"
		"<rasd:VirtualQuantity>2</rasd:VirtualQuantity></Item>\n"
		"<Item><rasd:AllocationUnits>MegaBytes</rasd:AllocationUnits>"
		"<rasd:InstanceID>2</rasd:InstanceID><rasd:ResourceType>4</rasd:ResourceType>"
		"<rasd:VirtualQuantity>768</rasd:VirtualQuantity></Item>\n"
		"<Item><rasd:Address>0</rasd:Address><rasd:InstanceID>5</rasd:InstanceID>"
		"<rasd:ResourceSubType>AHCI</rasd:ResourceSubType>"
		"<rasd:ResourceType>20</rasd:ResourceType></Item>\n"
		"<Item><rasd:AddressOnParent>0</rasd:AddressOnParent>"
		"<rasd:HostResource>/disk/vmdisk1</rasd:HostResource>"
		"<rasd:InstanceID>6</rasd:InstanceID><rasd:Parent>5</rasd:Parent>"
		"<rasd:ResourceType>17</rasd:ResourceType></Item>\n"
		"<Item><rasd:Connection>NAT</rasd:Connection><rasd:InstanceID>8</rasd:InstanceID>"
		"<rasd:ResourceSubType>E1000</rasd:ResourceSubType>"
		"<rasd:ResourceType>10</rasd:ResourceType></Item>\n"
		"%s"
		"</VirtualHardwareSection>\n</VirtualSystem>\n</Envelope>\n",
		disk_attrs, items);
}

static int parse(const char *xml, struct ovf_envelope **e,
		 struct vb_error *err)
{
	return ovf_parse(xml, strlen(xml), "/x/a.ovf", e, err);
}

void test_ovf__parse_dmtf_box(void)
{
	char *x = box("ovf:capacity=\"4194304\"", "");
	struct vb_error err = { 0 };
	struct ovf_envelope *e = NULL;
	const struct ovf_system *s;
	const struct ovf_disk *d;

	T_OK(parse(x, &e, &err));
	T_EQ_INT(e->version, OVF_V10);
	T_EQ_INT(e->n_disks, 1);
	d = ovf_find_disk(e, "vmdisk1");
	T_ASSERT(d);
	T_EQ_U64(d->capacity_bytes, 4194304);
	T_EQ_STR(d->href, "d1.vmdk");
	T_EQ_STR(ovf_disk_format(d), "VMDK");
	T_ASSERT(!ovf_find_disk(e, "vmdisk2"));
	T_EQ_INT(e->n_systems, 1);
	s = &e->systems[0];
	T_EQ_STR(s->name, "vm one");
	T_EQ_INT(s->cimos, 94);
	T_EQ_INT(s->cpus, 2);
	T_EQ_U64(s->memory, 768ull << 20);
	T_EQ_INT(s->n_ctls, 1);
	T_EQ_INT(s->ctls[0].kind, OVF_CTL_SATA);
	T_EQ_INT(s->n_vdisks, 1);
	T_EQ_STR(s->vdisks[0].disk_id, "vmdisk1");
	T_EQ_INT(s->n_nics, 1);
	T_EQ_STR(s->nics[0].connection, "NAT");
	T_ASSERT(!s->machine_xml);
	ovf_free(e);
	free(x);
}

void test_ovf__capacity_allocation_units(void)
{
	char *x = box("ovf:capacity=\"16\" ovf:capacityAllocationUnits=\"byte * 2^20\"", "");
	struct vb_error err = { 0 };
	struct ovf_envelope *e = NULL;

	T_OK(parse(x, &e, &err));
	T_EQ_U64(ovf_find_disk(e, "vmdisk1")->capacity_bytes, 16ull << 20);
	ovf_free(e);
	free(x);
	/* a unit that overflows 64 bits is refused, not wrapped */
	x = box("ovf:capacity=\"17179869184\" ovf:capacityAllocationUnits=\"byte * 2^40\"", "");
	T_ASSERT(parse(x, &e, &err) != 0);
	free(x);
	x = box("ovf:capacity=\"99999999999999999999999\"", "");
	T_ASSERT(parse(x, &e, &err) != 0);
	free(x);
	x = box("ovf:capacity=\"-5\"", "");
	T_ASSERT(parse(x, &e, &err) != 0);
	free(x);
}

void test_ovf__version_by_namespace(void)
{
	static const char v09[] =
		"<?xml version=\"1.0\"?><Envelope "
		"xmlns=\"http://www.vmware.com/schema/ovf/1/envelope\" "
		"xmlns:ovf=\"http://www.vmware.com/schema/ovf/1/envelope\">"
		"<References/><Section xsi:type=\"ovf:DiskSection_Type\" "
		"xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><Info>d</Info></Section>"
		"<Content xsi:type=\"ovf:VirtualSystem_Type\" ovf:id=\"old\" "
		"xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><Info>v</Info></Content>"
		"</Envelope>";
	static const char v20[] =
		"<?xml version=\"1.0\"?><Envelope "
		"xmlns=\"http://schemas.dmtf.org/ovf/envelope/2\" "
		"xmlns:ovf=\"http://schemas.dmtf.org/ovf/envelope/2\">"
		"<References/><VirtualSystem ovf:id=\"new\"><Info>v</Info></VirtualSystem>"
		"</Envelope>";
	struct vb_error err = { 0 };
	struct ovf_envelope *e = NULL;

	T_OK(parse(v09, &e, &err));
	T_EQ_INT(e->version, OVF_V09);
	T_EQ_INT(e->n_systems, 1);
	T_EQ_STR(e->systems[0].name, "old");
	ovf_free(e);
	T_OK(parse(v20, &e, &err));
	T_EQ_INT(e->version, OVF_V20);
	T_EQ_STR(e->systems[0].name, "new");
	ovf_free(e);
	T_EQ_STR(ovf_version_name(OVF_V09), "0.9");
	T_EQ_STR(ovf_version_name(OVF_V20), "2.0");
}

void test_ovf__broken_descriptors(void)
{
	struct vb_error err = { 0 };
	struct ovf_envelope *e = NULL;
	char *x;

	/* not XML, truncated, wrong root, unknown namespace */
	T_ASSERT(parse("", &e, &err) != 0);
	T_ASSERT(parse("<Envelope", &e, &err) != 0);
	T_ASSERT(parse("<?xml version=\"1.0\"?><Machine/>", &e, &err) != 0);
	T_ASSERT(parse("<?xml version=\"1.0\"?><Envelope/>", &e, &err) != 0);
	T_ASSERT(strstr(err.msg, "Error reading namespace URI in 'Envelope' element"));
	/* any other namespace is read as 0.9, as VirtualBox does */
	T_OK(parse("<?xml version=\"1.0\"?><Envelope xmlns=\"urn:x\"/>", &e, &err));
	T_EQ_INT(e->version, OVF_V09);
	ovf_free(e);
	/* a disk whose file reference is missing */
	x = box("ovf:capacity=\"1\"", "");
	{
		char *p = strstr(x, "ovf:fileRef=\"file1\"");

		memcpy(p, "ovf:fileRef=\"file9\"", 19);
	}
	T_ASSERT(parse(x, &e, &err) != 0);
	T_ASSERT(strstr(err.msg, "cannot find References/File element for ID \"file9\""));
	free(x);
	/* an item without InstanceID, a disk on a missing controller, an
	 * unknown resource type, a host resource that does not exist */
	x = box("ovf:capacity=\"1\"",
		"<Item><rasd:Address>1</rasd:Address><rasd:ResourceType>5</rasd:ResourceType></Item>\n");
	T_ASSERT(parse(x, &e, &err) != 0);
	T_ASSERT(strstr(err.msg, "Element InstanceID is absent"));
	free(x);
	x = box("ovf:capacity=\"1\"",
		"<Item><rasd:InstanceID>12</rasd:InstanceID></Item>\n");
	T_ASSERT(parse(x, &e, &err) != 0);
	T_ASSERT(strstr(err.msg, "Empty element ResourceType"));
	free(x);
	x = box("ovf:capacity=\"1\"",
		"<Item><rasd:AddressOnParent>1</rasd:AddressOnParent>"
		"<rasd:HostResource>/disk/vmdisk1</rasd:HostResource>"
		"<rasd:InstanceID>9</rasd:InstanceID><rasd:Parent>77</rasd:Parent>"
		"<rasd:ResourceType>17</rasd:ResourceType></Item>\n");
	T_ASSERT(parse(x, &e, &err) != 0);
	T_ASSERT(strstr(err.msg, "specifies invalid parent \"77\""));
	free(x);
	x = box("ovf:capacity=\"1\"",
		"<Item><rasd:AddressOnParent>1</rasd:AddressOnParent>"
		"<rasd:HostResource>/disk/nothere</rasd:HostResource>"
		"<rasd:InstanceID>9</rasd:InstanceID><rasd:Parent>5</rasd:Parent>"
		"<rasd:ResourceType>17</rasd:ResourceType></Item>\n");
	T_ASSERT(parse(x, &e, &err) != 0);
	T_ASSERT(strstr(err.msg, "invalid host resource"));
	free(x);
	x = box("ovf:capacity=\"1\"",
		"<Item><rasd:InstanceID>9</rasd:InstanceID>"
		"<rasd:AllocationUnits>Furlongs</rasd:AllocationUnits>"
		"<rasd:ResourceType>4</rasd:ResourceType>"
		"<rasd:VirtualQuantity>1</rasd:VirtualQuantity></Item>\n");
	T_ASSERT(parse(x, &e, &err) != 0);
	T_ASSERT(strstr(err.msg, "Invalid allocation unit \"Furlongs\""));
	free(x);
	/* memory that overflows when scaled */
	x = box("ovf:capacity=\"1\"",
		"<Item><rasd:InstanceID>9</rasd:InstanceID>"
		"<rasd:AllocationUnits>GigaBytes</rasd:AllocationUnits>"
		"<rasd:ResourceType>4</rasd:ResourceType>"
		"<rasd:VirtualQuantity>18446744073709551615</rasd:VirtualQuantity></Item>\n");
	T_ASSERT(parse(x, &e, &err) != 0);
	free(x);
}

void test_ovf__cim_os_table(void)
{
	T_EQ_STR(ovf_cim_to_ostype(94, NULL), "Ubuntu_64");
	T_EQ_STR(ovf_cim_to_ostype(93, NULL), "Ubuntu");
	T_EQ_INT(ovf_ostype_to_cim("Ubuntu_64", true), 94);
	T_EQ_INT(ovf_ostype_to_cim("Ubuntu", false), 93);
	T_EQ_INT(ovf_ostype_to_cim("Debian_64", true), 96);
	/* "Other" (1): the description picks the type, as VirtualBox's
	 * pattern table does */
	T_EQ_STR(ovf_cim_to_ostype(1, "Windows 10 Pro"), "Windows10");
	T_EQ_STR(ovf_cim_to_ostype(1, "Debian GNU/Linux"), "Debian");
	T_EQ_STR(ovf_cim_to_ostype(1, NULL), "Other");
	T_EQ_STR(ovf_cim_to_ostype(1, "Plan 9"), "Other");
}

void test_ovf__interpret_suggestions(void)
{
	char *home = vb_asprintf("%s/home", t_tmpdir());
	char *gx = vb_asprintf("%s/VirtualBox.xml", home);
	char *xml = vb_asprintf(
		"<?xml version=\"1.0\"?>\n<VirtualBox xmlns=\"http://www.virtualbox.org/\" version=\"1.12-linux\">"
		"<Global><MachineRegistry/><SystemProperties defaultMachineFolder=\"%s/vms\"/></Global></VirtualBox>\n",
		home);
	char *x = box("ovf:capacity=\"4194304\"", "");
	struct vb_error err = { 0 };
	struct ovf_envelope *e = NULL;
	struct strbuf warn = { 0 };
	struct vsd d;
	struct vbox *vb;
	char *want;
	int i;

	T_OK(path_mkdirs(home, 0700));
	T_OK(vb_write_file(gx, xml, strlen(xml), &err));
	T_OK(vbox_open_at(home, &vb, &err));
	T_OK(parse(x, &e, &err));
	memset(&d, 0, sizeof(d));
	T_OK(ovf_interpret(vb, e, &d, &warn, &err));
	i = vsd_find(&d, VSD_OS);
	T_ASSERT(i == 0);
	T_EQ_STR(d.e[i].vbox, "Ubuntu_64");
	/* VirtualBox's order: OS, name, group, settings file, base folder */
	T_EQ_INT(vsd_find(&d, VSD_NAME), 1);
	T_EQ_STR(d.e[1].vbox, "vm one");
	T_EQ_INT(vsd_find(&d, VSD_PRIMARY_GROUP), 2);
	T_EQ_STR(d.e[2].vbox, "/");
	T_EQ_INT(vsd_find(&d, VSD_SETTINGS_FILE), 3);
	want = vb_asprintf("%s/vms/vm one/vm one.vbox", home);
	T_EQ_STR(d.e[3].vbox, want);
	free(want);
	i = vsd_find(&d, VSD_MEMORY);
	T_EQ_STR(d.e[i].vbox, "805306368");
	i = vsd_find(&d, VSD_HD_IMAGE);
	T_ASSERT(i > vsd_find(&d, VSD_HDC_SATA));
	want = vb_asprintf("%s/vms/vm one/d1.vmdk", home);
	T_EQ_STR(d.e[i].vbox, want);
	free(want);
	T_OK(vsd_set_vbox(&d, (unsigned)i, "/elsewhere.vdi"));
	T_ASSERT(d.e[i].orig && strstr(d.e[i].orig, "d1.vmdk"));
	vsd_release(&d);
	ovf_free(e);
	vbox_free(vb);
	sb_release(&warn);
	free(x);
	free(xml);
	free(gx);
	free(home);
}

void test_ovf__manifest(void)
{
	static const char mf[] =
		"SHA1 (a.ovf) = 0123456789abcdef0123456789abcdef01234567\n"
		"SHA256(a-disk001.vmdk)= "
		"00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF\r\n";
	struct ova_manifest m = { 0 }, ours = { 0 };
	struct vb_error err = { 0 };
	struct ova_hash *h;
	char hex[OVA_HEX_MAX], *text;

	T_OK(ova_manifest_parse(mf, strlen(mf), "a.mf", "/p/a.ova", &m, &err));
	T_EQ_INT(m.n, 2);
	T_EQ_STR(m.e[0].name, "a.ovf");
	T_EQ_INT(m.e[0].type, OVA_SHA1);
	T_EQ_INT(m.e[1].type, OVA_SHA256);
	T_EQ_STR(m.e[1].hex, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
	T_EQ_INT(ova_manifest_types(&m), OVA_DIGEST_BIT(OVA_SHA1) | OVA_DIGEST_BIT(OVA_SHA256));
	/* ours agrees: fine; one digit off: VirtualBox's mismatch */
	T_OK(ova_manifest_add(&ours, "a.ovf", OVA_SHA1, m.e[0].hex));
	T_OK(ova_manifest_add(&ours, "a-disk001.vmdk", OVA_SHA256, m.e[1].hex));
	T_OK(ova_manifest_verify(&m, &ours, "a.ovf", &err));
	ours.e[1].hex[0] = '1';
	T_ASSERT(ova_manifest_verify(&m, &ours, "a.ovf", &err) != 0);
	T_ASSERT(strstr(err.msg, "Digest mismatch (VERR_NOT_EQUAL)"));
	T_ASSERT(strstr(err.msg, "a-disk001.vmdk"));
	/* a file the manifest does not list */
	ours.e[1].hex[0] = '0';
	T_OK(ova_manifest_add(&ours, "extra.iso", OVA_SHA256, m.e[1].hex));
	T_ASSERT(ova_manifest_verify(&m, &ours, "a.ovf", &err) != 0);
	ova_manifest_release(&ours);
	ova_manifest_release(&m);
	/* garbage and truncated lines are refused */
	T_ASSERT(ova_manifest_parse("hello\n", 6, "a.mf", "/p", &m, &err) != 0);
	T_ASSERT(ova_manifest_parse("SHA1 (a) = 12\n", 14, "a.mf", "/p", &m, &err) != 0);
	T_ASSERT(ova_manifest_parse("SHA1 (a = 0123456789abcdef0123456789abcdef01234567\n", 51,
				    "a.mf", "/p", &m, &err) != 0);
	/* the digests of the known vector and the written format */
	h = ova_hash_new(OVA_DIGEST_BIT(OVA_SHA1) | OVA_DIGEST_BIT(OVA_SHA256));
	T_ASSERT(h);
	ova_hash_update(h, "abc", 3);
	ova_hash_hex(h, OVA_SHA1, hex);
	T_EQ_STR(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
	ova_hash_hex(h, OVA_SHA256, hex);
	T_EQ_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	ova_hash_free(h);
	memset(&m, 0, sizeof(m));
	T_OK(ova_manifest_add(&m, "x.ovf", OVA_SHA256, "ab"));
	text = ova_manifest_format(&m);
	T_EQ_STR(text, "SHA256 (x.ovf) = ab\n");
	free(text);
	ova_manifest_release(&m);
}

/* Found by fuzz-ovf: namespaces declared inside <vbox:Machine> and used
 * by descendants' attributes were freed before the descendants let go
 * of them. */
void test_ovf__machine_section_namespaces(void)
{
	static const char x[] =
		"<?xml version=\"1.0\"?>\n"
		"<Envelope xmlns=\"http://schemas.dmtf.org/ovf/envelope/1\" "
		"xmlns:ovf=\"http://schemas.dmtf.org/ovf/envelope/1\" "
		"xmlns:vbox=\"http://www.virtualbox.org/ovf/machine\">"
		"<References/><VirtualSystem ovf:id=\"v\"><Info>x</Info>"
		"<vbox:Machine ovf:required=\"false\" version=\"1.16-linux\" "
		"uuid=\"{c82a16c3-6082-418f-a5ad-25567d21bca1}\" name=\"v\" OSType=\"Other\">"
		"<ovf:Info>i</ovf:Info>"
		"<Hardware xmlns:q=\"urn:q\" xmlns:xml=\"http://www.w3.org/XML/1998/namespace\">"
		"<q:CPU q:count=\"2\" xml:lang=\"en\"><vbox:X ovf:y=\"1\"/></q:CPU>"
		"</Hardware></vbox:Machine></VirtualSystem></Envelope>";
	struct vb_error err = { 0 };
	struct ovf_envelope *e = NULL;
	const char *t;

	T_OK(parse(x, &e, &err));
	t = e->systems[0].machine_xml;
	T_ASSERT(t);
	T_ASSERT(strstr(t, "<CPU count=\"2\" xml:lang=\"en\">"));
	T_ASSERT(strstr(t, "<X y=\"1\"/>"));
	T_ASSERT(!strstr(t, "urn:q"));
	T_ASSERT(!strstr(t, "<Info"));
	T_ASSERT(!strstr(t, "required="));
	ovf_free(e);
}
