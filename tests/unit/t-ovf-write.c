/* OVF descriptors written for export: a machine -> VSD -> descriptor,
 * read back by our own reader (every version), with the vbox:Machine
 * section carrying the machine. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "lib/settings/ovf.h"
#include "lib/util/fileio.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"

static const char machine_xml[] =
	"<?xml version=\"1.0\"?>\n"
	"<VirtualBox xmlns=\"http://www.virtualbox.org/\" version=\"1.19-linux\">\n"
	"  <Machine uuid=\"{6a0c4a36-7d02-4d57-b7a8-3f7a38b9d6a1}\" name=\"web &amp; db\" OSType=\"Debian_64\" snapshotFolder=\"Snapshots\">\n"
	"    <MediaRegistry>\n"
	"      <HardDisks>\n"
	"        <HardDisk uuid=\"{0f8c4a36-7d02-4d57-b7a8-3f7a38b9d6a2}\" location=\"web.vdi\" format=\"VDI\" type=\"Normal\"/>\n"
	"      </HardDisks>\n"
	"    </MediaRegistry>\n"
	"    <Hardware>\n"
	"      <CPU count=\"3\"/>\n"
	"      <Memory RAMSize=\"2048\"/>\n"
	"      <Network>\n"
	"        <Adapter slot=\"0\" enabled=\"true\" MACAddress=\"080027AABBCC\" type=\"82540EM\">\n"
	"          <NAT/>\n"
	"        </Adapter>\n"
	"      </Network>\n"
	"      <StorageControllers>\n"
	"      <StorageController name=\"SATA\" type=\"AHCI\" PortCount=\"2\" useHostIOCache=\"false\" Bootable=\"true\" IDE0MasterEmulationPort=\"0\" IDE0SlaveEmulationPort=\"1\" IDE1MasterEmulationPort=\"2\" IDE1SlaveEmulationPort=\"3\">\n"
	"        <AttachedDevice type=\"HardDisk\" hotpluggable=\"false\" port=\"1\" device=\"0\">\n"
	"          <Image uuid=\"{0f8c4a36-7d02-4d57-b7a8-3f7a38b9d6a2}\"/>\n"
	"        </AttachedDevice>\n"
	"      </StorageController>\n"
	"      </StorageControllers>\n"
	"    </Hardware>\n"
	"  </Machine>\n"
	"</VirtualBox>\n";

static int cap_cb(void *ctx, const char *src, uint64_t *bytes,
		  struct vb_error *err)
{
	(void)ctx;
	(void)err;
	(void)src;
	*bytes = 32ull << 20;
	return 0;
}

static struct vbox *home(void)
{
	char *h = vb_asprintf("%s/home", t_tmpdir());
	char *g = vb_asprintf("%s/VirtualBox.xml", h);
	char *x = vb_asprintf(
		"<?xml version=\"1.0\"?>\n<VirtualBox xmlns=\"http://www.virtualbox.org/\" version=\"1.12-linux\">"
		"<Global><MachineRegistry/><SystemProperties defaultMachineFolder=\"%s/vms\"/></Global></VirtualBox>\n",
		h);
	struct vb_error err = { 0 };
	struct vbox *vb = NULL;

	T_OK(path_mkdirs(h, 0700));
	T_OK(vb_write_file(g, x, strlen(x), &err));
	T_OK(vbox_open_at(h, &vb, &err));
	free(h);
	free(g);
	free(x);
	return vb;
}

static void roundtrip(enum ovf_version v, const char *ns)
{
	struct vbox *vb = home();
	char *mpath = vb_asprintf("%s/vms/web/web.vbox", t_tmpdir());
	char *opath = vb_asprintf("%s/out/x.ovf", t_tmpdir());
	struct ovf_build_opts bo = { .version = v };
	struct vb_error err = { 0 };
	struct ovf_out_disk *disks = NULL;
	struct ovf_envelope *e = NULL;
	struct machine *m = NULL;
	unsigned counter = 0, nd = 0;
	struct vsd d;
	char *xml = NULL;
	size_t len = 0;
	const struct ovf_system *s;

	memset(&d, 0, sizeof(d));
	T_OK(machine_load_mem(vb, machine_xml, strlen(machine_xml), mpath, &m,
			      &err));
	T_OK(ovf_vsd_from_machine(vb, m, opath, &counter, &d, &err));
	T_ASSERT(vsd_find(&d, VSD_HD_IMAGE) >= 0);
	T_OK(ovf_build(&d, &m, 1, &bo, cap_cb, NULL, &xml, &len, &disks, &nd,
		       &err));
	T_ASSERT(strstr(xml, ns));
	T_EQ_INT(nd, 1);
	T_EQ_STR(disks[0].href, "x-disk001.vmdk");
	/* our reader takes it back */
	T_OK(ovf_parse(xml, len, opath, &e, &err));
	T_EQ_INT(e->version, v);
	T_EQ_INT(e->n_disks, 1);
	T_EQ_U64(e->disks[0].capacity_bytes, 32ull << 20);
	T_EQ_STR(e->disks[0].href, "x-disk001.vmdk");
	T_EQ_INT(e->n_systems, 1);
	s = &e->systems[0];
	T_EQ_STR(s->name, "web & db");
	T_EQ_INT(s->cpus, 3);
	T_EQ_U64(s->memory, 2048ull << 20);
	T_EQ_INT(s->n_vdisks, 1);
	T_EQ_INT(s->n_nics, 1);
	T_EQ_STR(s->vbox_ostype, "Debian_64");
	/* the machine travels in vbox:Machine and loads as a machine */
	T_ASSERT(s->machine_xml);
	T_ASSERT(strstr(s->machine_xml, "RAMSize=\"2048\""));
	T_ASSERT(strstr(s->machine_xml, "080027AABBCC"));
	{
		struct machine *back = NULL;

		T_OK(machine_load_mem(vb, s->machine_xml,
				      strlen(s->machine_xml), mpath, &back,
				      &err));
		T_EQ_STR(machine_name(back), "web & db");
		machine_free(back);
	}
	ovf_free(e);
	ovf_out_disks_free(disks, nd);
	free(xml);
	vsd_release(&d);
	machine_free(m);
	vbox_free(vb);
	free(mpath);
	free(opath);
}

void test_ovf_write__roundtrip_10(void)
{
	roundtrip(OVF_V10, OVF_NS_10);
}

void test_ovf_write__roundtrip_09(void)
{
	roundtrip(OVF_V09, OVF_NS_09);
}

void test_ovf_write__roundtrip_20(void)
{
	roundtrip(OVF_V20, OVF_NS_20);
}

void test_ovf_write__strip_macs(void)
{
	struct vbox *vb = home();
	char *mpath = vb_asprintf("%s/vms/web/web.vbox", t_tmpdir());
	char *opath = vb_asprintf("%s/x.ovf", t_tmpdir());
	struct ovf_build_opts bo = { .version = OVF_V10, .strip_macs = true };
	struct vb_error err = { 0 };
	struct ovf_out_disk *disks = NULL;
	struct machine *m = NULL;
	unsigned counter = 0, nd = 0;
	struct vsd d;
	char *xml = NULL;
	size_t len = 0;

	memset(&d, 0, sizeof(d));
	T_OK(machine_load_mem(vb, machine_xml, strlen(machine_xml), mpath, &m,
			      &err));
	T_OK(ovf_vsd_from_machine(vb, m, opath, &counter, &d, &err));
	T_OK(ovf_build(&d, &m, 1, &bo, cap_cb, NULL, &xml, &len, &disks, &nd,
		       &err));
	T_ASSERT(!strstr(xml, "080027AABBCC"));
	/* the machine in memory keeps its address */
	T_ASSERT(strstr(machine_xml, "080027AABBCC"));
	free(xml);
	ovf_out_disks_free(disks, nd);
	vsd_release(&d);
	machine_free(m);
	vbox_free(vb);
	free(mpath);
	free(opath);
}
