/*
 * The "iem" execution engine: our software x86 CPU (lib/vmm/iem) behind the
 * VMM's engine interface (lib/vmm/engine.h).
 *
 * Guest RAM and ROM come from the VM's memory regions, port and MMIO
 * accesses go to the board, the 8259's INTR reaches the BSP's LINT0 (or
 * its INTR pin while the APIC is off), IOAPIC messages go to our local
 * APICs, and time is the board's virtual clock so that TSC, local-APIC
 * timer, PIT and PM timer agree.  CPUID is the engine's model (cpuid.c)
 * shaped by the machine's settings (vmm_cpuid_shape).
 * Limits: no x2APIC (the setting is logged and ignored); the execution
 * cap is not applied; A20 changes are picked up after each port write.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/vmm/engine.h"
#include "lib/vmm/iem/iem.h"

#define IEM_CPUID_MAX 64

struct iem_vmdata {
	struct iem_machine *m;
	struct vmm_vm *vm;
	struct board *b;
	bool a20;
};

static struct iem_vmdata *VD(struct vmm_vm *vm)
{
	return vmm_engine_data(vm);
}

/* ---- board hooks ---- */

static void *e_page(void *opaque, uint64_t gpa, bool *rom)
{
	struct iem_vmdata *d = opaque;
	unsigned i, n = vmm_mem_region_count(d->vm);

	for (i = 0; i < n; i++) {
		const struct vmm_mem_region *r = vmm_mem_region(d->vm, i);

		if (gpa >= r->gpa && gpa - r->gpa < r->size) {
			*rom = (r->flags & VMM_MEM_ROM) != 0;
			return r->hva + (gpa - r->gpa);
		}
	}
	return NULL;
}

static uint64_t e_mmio_read(void *opaque, int cpu, uint64_t gpa, unsigned size)
{
	struct iem_vmdata *d = opaque;
	uint64_t v = 0;

	(void)cpu;
	board_mmio(d->b, gpa, false, size, &v);
	return v;
}

static void e_mmio_write(void *opaque, int cpu, uint64_t gpa, unsigned size, uint64_t val)
{
	struct iem_vmdata *d = opaque;

	(void)cpu;
	board_mmio(d->b, gpa, true, size, &val);
}

static uint32_t e_pio_in(void *opaque, int cpu, uint16_t port, unsigned size)
{
	struct iem_vmdata *d = opaque;
	uint32_t v = 0;

	(void)cpu;
	board_pio(d->b, port, false, size, &v);
	return v;
}

static void check_a20(struct iem_vmdata *d)
{
	bool a20 = board_a20(d->b);

	if (a20 != d->a20) {
		d->a20 = a20;
		iem_machine_set_a20(d->m, a20);
	}
}

static void e_pio_out(void *opaque, int cpu, uint16_t port, unsigned size, uint32_t val)
{
	struct iem_vmdata *d = opaque;

	(void)cpu;
	board_pio(d->b, port, true, size, &val);
	check_a20(d);
}

static uint32_t e_pio_in_rep(void *opaque, int cpu, uint16_t port, unsigned size, void *buf,
			     uint32_t count)
{
	struct iem_vmdata *d = opaque;

	(void)cpu;
	board_pio_string(d->b, port, false, size, count, buf);
	return count;
}

static uint32_t e_pio_out_rep(void *opaque, int cpu, uint16_t port, unsigned size,
			      const void *buf, uint32_t count)
{
	struct iem_vmdata *d = opaque;

	(void)cpu;
	board_pio_string(d->b, port, true, size, count, (void *)buf);
	check_a20(d);
	return count;
}

static int e_pic_ack(void *opaque)
{
	struct iem_vmdata *d = opaque;

	if (!board_intr_pending(d->b))
		return -1;
	return board_intr_ack(d->b);
}

static void e_eoi(void *opaque, uint8_t vector)
{
	struct iem_vmdata *d = opaque;

	board_ioapic_eoi(d->b, vector);
}

static uint64_t e_now(void *opaque)
{
	struct iem_vmdata *d = opaque;

	return board_clock_ns(d->b);
}

/* ---- engine interface ---- */

static int iem_probe(struct vmm_vm *vm, struct vb_error *err)
{
	const struct vmm_cpu_config *cc = vmm_cpu_config(vm);

	if (cc->cpus < 1 || cc->cpus > IEM_MAX_CPUS)
		return vb_err(err, EINVAL, VB_E_INVALIDARG,
			      "The software execution engine runs 1 to %d virtual CPUs, not %u (VERR_INVALID_PARAMETER).",
			      IEM_MAX_CPUS, cc->cpus);
	return 0;
}

static int iem_vm_init(struct vmm_vm *vm, struct vb_error *err)
{
	const struct vmm_cpu_config *cc = vmm_cpu_config(vm);
	struct iem_vmdata *d = calloc(1, sizeof(*d));
	struct iem_config cfg = { 0 };
	struct iem_board_ops ops = {
		.page = e_page, .mmio_read = e_mmio_read, .mmio_write = e_mmio_write,
		.pio_in = e_pio_in, .pio_out = e_pio_out, .pio_in_rep = e_pio_in_rep,
		.pio_out_rep = e_pio_out_rep, .pic_ack = e_pic_ack, .eoi = e_eoi,
		.now_ns = e_now,
	};
	int rc;

	if (!d)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	d->vm = vm;
	d->b = vmm_board(vm);
	ops.opaque = d;
	cfg.ncpus = cc->cpus;
	cfg.pae = cc->pae;
	cfg.long_mode = cc->long_mode;
	cfg.apic = cc->apic || cc->cpus > 1;
	rc = iem_machine_new(&cfg, &ops, &d->m, err);
	if (rc) {
		free(d);
		return rc;
	}
	d->a20 = true;
	vmm_set_engine_data(vm, d);
	return 0;
}

static void iem_vm_release(struct vmm_vm *vm)
{
	struct iem_vmdata *d = VD(vm);

	if (!d)
		return;
	iem_machine_free(d->m);
	free(d);
	vmm_set_engine_data(vm, NULL);
}

static int iem_vcpu_init(struct vmm_vcpu *vc, struct vb_error *err)
{
	struct vmm_vm *vm = vmm_vcpu_vm(vc);
	struct iem_vmdata *d = VD(vm);
	unsigned idx = vmm_vcpu_index(vc), n, i;
	struct iem_cpuid_leaf model[IEM_CPUID_MAX];
	struct vmm_cpuid_entry tab[IEM_CPUID_MAX];
	struct iem_cpu *c = iem_machine_cpu(d->m, idx);
	size_t nm;

	if (!c)
		return vb_err(err, EINVAL, VB_E_FAIL, "iem: no vCPU %u", idx);
	nm = iem_cpuid_model(d->m, idx, model, IEM_CPUID_MAX);
	for (i = 0; i < nm; i++) {
		tab[i].function = model[i].leaf;
		tab[i].index = model[i].subleaf;
		tab[i].flags = model[i].has_subleaf ? VMM_CPUID_SUBLEAF : 0;
		tab[i].eax = model[i].eax;
		tab[i].ebx = model[i].ebx;
		tab[i].ecx = model[i].ecx;
		tab[i].edx = model[i].edx;
	}
	n = vmm_cpuid_shape(vm, idx, tab, (unsigned)nm, IEM_CPUID_MAX);
	for (i = 0; i < n; i++) {
		memset(&model[i], 0, sizeof(model[i]));
		model[i].leaf = tab[i].function;
		model[i].subleaf = tab[i].index;
		model[i].has_subleaf = (tab[i].flags & VMM_CPUID_SUBLEAF) != 0;
		model[i].eax = tab[i].eax;
		model[i].ebx = tab[i].ebx;
		model[i].ecx = tab[i].ecx;
		model[i].edx = tab[i].edx;
		if (idx == 0 && (tab[i].function <= 1 || tab[i].function == 0x80000001u))
			vmm_log(vm, "CPUID: leaf %#010x/%u: %08x %08x %08x %08x",
				tab[i].function, tab[i].index, tab[i].eax, tab[i].ebx,
				tab[i].ecx, tab[i].edx);
	}
	if (iem_cpu_set_cpuid(c, model, n))
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	vmm_vcpu_set_engine_data(vc, c);
	return 0;
}

static void iem_vcpu_release(struct vmm_vcpu *vc)
{
	vmm_vcpu_set_engine_data(vc, NULL);
}

static int iem_vcpu_reset(struct vmm_vcpu *vc)
{
	struct iem_cpu *c = vmm_vcpu_engine_data(vc);
	struct iem_vmdata *d = VD(vmm_vcpu_vm(vc));

	iem_cpu_reset(c);
	d->a20 = board_a20(d->b);
	iem_machine_set_a20(d->m, d->a20);
	return 0;
}

static void iem_vcpu_thread(struct vmm_vcpu *vc)
{
	(void)vc;
}

static enum vmm_run iem_vcpu_run(struct vmm_vcpu *vc)
{
	struct iem_cpu *c = vmm_vcpu_engine_data(vc);
	struct iem_stats st;
	struct iem_regs r;

	switch (iem_cpu_run(c)) {
	case IEM_EXIT_SHUTDOWN:
		iem_cpu_get_stats(c, &st);
		iem_cpu_get_regs(c, &r);
		vmm_log(vmm_vcpu_vm(vc),
			"IEM: VCPU%u: triple fault (last exception %d, error code %#x, rip %#llx, cr2 %#llx; cs=%04x rip=%016llx rsp=%016llx cr0=%08llx cr3=%016llx cr4=%08llx efer=%llx)",
			vmm_vcpu_index(vc), st.last_vector, st.last_error,
			(unsigned long long)st.last_rip, (unsigned long long)st.last_cr2, r.cs.sel,
			(unsigned long long)r.rip, (unsigned long long)r.gpr[4],
			(unsigned long long)r.cr0, (unsigned long long)r.cr3,
			(unsigned long long)r.cr4, (unsigned long long)r.efer);
		return VMM_RUN_SHUTDOWN;
	default:
		return VMM_RUN_AGAIN;
	}
}

static void iem_vcpu_kick(struct vmm_vcpu *vc)
{
	struct iem_cpu *c = vmm_vcpu_engine_data(vc);

	if (c)
		iem_cpu_kick(c);
}

static void iem_irq_extint(struct vmm_vm *vm, bool level)
{
	struct iem_vmdata *d = VD(vm);

	if (d)
		iem_cpu_set_intr(iem_machine_cpu(d->m, 0), level);
}

static void iem_irq_msi(struct vmm_vm *vm, uint64_t addr, uint32_t data)
{
	struct iem_vmdata *d = VD(vm);

	if (d)
		iem_machine_msi(d->m, addr, data);
}

static void iem_ioapic_routes(struct vmm_vm *vm, const struct board_msi_route routes[24])
{
	/* our local APICs see every EOI; nothing to set up */
	(void)vm;
	(void)routes;
}

static void iem_log_facts(struct vmm_vm *vm)
{
	const struct vmm_cpu_config *cc = vmm_cpu_config(vm);

	vmm_log(vm, "IEM: software x86-64 CPU, %u vCPU(s), decoded-block cache with threaded dispatch",
		cc->cpus);
	vmm_log(vm, "IEM: CPU model AuthenticAMD family 0xf model 0x6b, SSE2, local APIC with TSC-deadline timer");
	if (cc->x2apic)
		vmm_log(vm, "IEM: x2APIC is not offered by the software engine (xAPIC only)");
	if (cc->exec_cap < 100)
		vmm_log(vm, "IEM: execution cap %u%% is not applied by the software engine",
			cc->exec_cap);
	if (cc->nested_hw_virt)
		vmm_log(vm, "IEM: nested hardware virtualization is not offered by the software engine");
}

const struct vmm_engine vmm_engine_iem = {
	.name = "iem",
	.label = "IEM (software x86 CPU)",
	.probe = iem_probe,
	.vm_init = iem_vm_init,
	.vm_release = iem_vm_release,
	.vcpu_init = iem_vcpu_init,
	.vcpu_release = iem_vcpu_release,
	.vcpu_reset = iem_vcpu_reset,
	.vcpu_thread = iem_vcpu_thread,
	.vcpu_run = iem_vcpu_run,
	.vcpu_kick = iem_vcpu_kick,
	.irq_extint = iem_irq_extint,
	.irq_msi = iem_irq_msi,
	.ioapic_routes = iem_ioapic_routes,
	.log_facts = iem_log_facts,
};
