/*
 * libFuzzer harness for the machine configuration model (lib/settings
 * hwmodel/hwnet/hwdev/hwread/state): an arbitrary machine file is loaded,
 * every read accessor showvminfo uses is run over it, then a batch of the
 * changes modifyvm makes is applied, the write-time rules run and the
 * result is serialised and read back.  Nothing may crash, leak or read
 * out of bounds, whatever the file says.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "lib/settings/hwmodel.h"
#include "lib/settings/state.h"

static void read_all(struct machine *m)
{
	struct vm_state_info si;
	struct hwm_cpuid_leaf leaf;
	struct hwm_natrule r;
	struct hwm_port p;
	struct hwm_ctl c;
	struct hwm_att_dev d;
	struct hwm_sharedfolder sf;
	struct hwm_bwgroup bw;
	struct hwm_guestprop gp;
	struct hwm_usbfilter uf;
	struct hwm_recscreen rs;
	struct vb_uuid u;
	const char *name, *type;
	unsigned i, j, n;
	char *s;

	for (i = 0; i < HWM_COUNT; i++) {
		(void)hwm_get_str(m, (enum hwm_id)i);
		(void)hwm_default(m, (enum hwm_id)i);
	}
	free(hwm_description(m));
	free(hwm_groups(m));
	hwm_hardware_uuid(m, &u);
	(void)hwm_apic(m);
	(void)hwm_x2apic(m);
	(void)hwm_audio_driver(m);
	(void)hwm_effective_paravirt(m);
	for (i = 1; i <= 4; i++)
		(void)hwm_boot_device(m, i);
	for (i = 0; i < 300 && hwm_cpuid_at(m, i, &leaf); i++)
		;
	for (i = 0; i < 64; i++)
		(void)hwm_cpu_attached(m, i);
	n = hwm_nic_count(m);
	for (i = 0; i < n; i++) {
		for (j = 0; j < HWN_COUNT; j++)
			(void)hwm_nic_str(m, i, (enum hwm_nic_attr)j);
		for (j = 1; j < HWA_COUNT; j++)
			(void)hwm_nic_net_name(m, i, (enum hwm_att)j);
		(void)hwm_nic_attachment(m, i);
		for (j = 0; j < hwm_nic_prop_count(m, i); j++)
			(void)hwm_nic_prop_at(m, i, j, &name);
		for (j = 0; j < HWT_COUNT; j++)
			(void)hwm_nat_str(m, i, (enum hwm_nat_attr)j);
		for (j = 0; j < 1000 && hwm_natrule_at(m, i, j, &r); j++)
			;
	}
	for (i = 0; i < HWM_UARTS; i++)
		hwm_uart_get(m, i, &p);
	for (i = 0; i < HWM_LPTS; i++)
		hwm_lpt_get(m, i, &p);
	for (i = 0; i < 100 && hwm_usb_at(m, i, &type, &name); i++)
		;
	for (i = 0; i < 100 && hwm_usbfilter_at(m, i, &uf); i++)
		;
	(void)hwm_vrde_prop(m, "TCP/Ports");
	(void)hwm_vrde_prop(m, "TCP/Address");
	for (i = 0; i < 4; i++)
		hwm_recscreen_get(m, i, &rs);
	for (i = 0; i < 100 && hwm_ctl_at(m, i, &c); i++)
		for (j = 0; j < c.ports && j < 64; j++) {
			(void)hwm_attached(&c, j, 0, &d);
			(void)hwm_attached(&c, j, 1, &d);
		}
	for (i = 0; i < 100 && hwm_sharedfolder_at(m, i, &sf); i++)
		;
	for (i = 0; i < 100 && hwm_bwgroup_at(m, i, &bw); i++)
		;
	for (i = 0; i < 100 && hwm_guestprop_at(m, i, &gp); i++)
		;
	{
		struct snode *sn = hwm_snapshot_root(m);

		for (i = 0; sn && i < 100; i++) {
			(void)hwm_snapshot_name(sn);
			(void)hwm_snapshot_uuid(sn);
			s = hwm_snapshot_description(sn);
			free(s);
			(void)hwm_snapshot_is_current(m, sn);
			sn = hwm_snapshot_child(sn, 0);
		}
	}
	if (!machine_state_get(m, &si))
		vm_state_info_release(&si);
}

static void change_some(struct machine *m)
{
	struct vb_error err = { 0 };
	struct hwm_natrule r = { .name = "ssh", .tcp = true, .host_ip = "",
				 .host_port = 2222, .guest_ip = "",
				 .guest_port = 22 };
	static const uint32_t regs[4] = { 1, 2, 3, 4 };
	struct hwm_port p;

	hwm_set_u32(m, HWM_MEMORY, 1024);
	hwm_set_cpu_count(m, 2, &err);
	hwm_set_bool(m, HWM_RTC_UTC, true);
	hwm_set_boot_device(m, 1, "Network", &err);
	hwm_set_groups(m, "/a/b", NULL, NULL, &err);
	hwm_set_description(m, "fuzz");
	hwm_nic_set_attachment(m, 0, HWA_NAT);
	hwm_nat_set_bool(m, 0, HWT_DNS_PROXY, true);
	hwm_natrule_add(m, 0, &r, &err);
	hwm_natrule_remove(m, 0, "ssh");
	hwm_nic_set_attachment(m, 1, HWA_INTNET);
	hwm_nic_set_net_name(m, 1, HWA_INTNET, "n");
	hwm_nic_set_attachment(m, 1, HWA_NULL);
	hwm_uart_get(m, 0, &p);
	p.enabled = !p.enabled;
	hwm_uart_put(m, 0, &p);
	hwm_usb_add(m, "xHCI", "XHCI", &err);
	hwm_vrde_set_prop(m, "TCP/Ports", "3390");
	hwm_cpuid_set(m, 1, 0, regs, &err);
	hwm_cpuid_remove_all(m);
	hwm_normalize(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vb_error err = { 0 };
	struct machine *m = NULL;
	struct sdoc *d = NULL;
	char *out = NULL;
	size_t len = 0;

	if (sdoc_load_mem((const char *)data, size, "/nonexistent/f/f.vbox",
			  SDOC_MACHINE, &d, &err))
		return 0;
	if (machine_from_doc(NULL, d, &m, &err)) {
		sdoc_free(d);
		return 0;
	}
	read_all(m);
	change_some(m);
	read_all(m);
	if (!sdoc_serialize(machine_doc(m), &out, &len, &err)) {
		struct sdoc *d2 = NULL;

		if (!sdoc_load_mem(out, len, "/nonexistent/f/f.vbox",
				   SDOC_MACHINE, &d2, &err))
			sdoc_free(d2);
		free(out);
	}
	machine_free(m);
	return 0;
}
