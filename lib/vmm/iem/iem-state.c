/*
 * Saved state of the "iem" engine: a software vCPU's whole state to and
 * from the engine-neutral struct vmm_cpu_state (lib/vmm/engine.h).
 *
 * What is exchanged: the architectural registers (iem_cpu_get_regs/
 * iem_cpu_set_regs), the FXSAVE area, the local APIC as its xAPIC
 * register page (Intel SDM vol. 3, "Local APIC register address map";
 * the timer's current count in TMCCT), TSC-deadline, HWCR and DE_CFG
 * (as extra MSRs), a pending NMI, HLT and wait-for-SIPI.
 * Limits: the engine has no XSAVE beyond the FXSAVE area (AVX state and
 * XCR0 from another engine are dropped, with a log line); an interrupt
 * or exception that another engine was in the middle of injecting is
 * put back into the APIC's IRR (external vectors) or dropped (exceptions
 * re-occur when the instruction runs again).  Called only while every
 * vCPU is parked; the board (and its clock) is restored first, so timer
 * deadlines are recomputed from the restored clock.
 */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "lib/vmm/engine.h"
#include "lib/vmm/iem/iem-int.h"
#include "lib/vmm/iem/iem-state.h"

#define MSR_HWCR    0xc0010015u
#define MSR_DE_CFG  0xc0011029u

#define LVT_MASKED_BIT (1u << 16)

static const uint16_t lvt_off[7] = { 0x2f0, 0x320, 0x330, 0x340, 0x350, 0x360, 0x370 };

static void seg_to(struct vmm_seg *d, const struct iem_segment *s)
{
	d->base = s->base;
	d->limit = s->limit;
	d->attr = s->attr;
	d->sel = s->sel;
}

static void seg_from(struct iem_segment *d, const struct vmm_seg *s)
{
	d->base = s->base;
	d->limit = s->limit;
	d->attr = s->attr & 0x1f0ffu;
	d->sel = s->sel;
}

static uint32_t page_get(const uint8_t *page, unsigned off)
{
	uint32_t v;

	memcpy(&v, page + off, sizeof(v));
	return v;
}

static void page_put(uint8_t *page, unsigned off, uint32_t v)
{
	memcpy(page + off, &v, sizeof(v));
}

int iem_state_vcpu_get(struct vmm_vcpu *vc, struct vmm_cpu_state *s)
{
	struct iem_cpu *c = vmm_vcpu_engine_data(vc);
	struct iem_regs r;
	unsigned off, k;

	if (!c)
		return -EINVAL;
	iem_cpu_get_regs(c, &r);
	memset(s, 0, sizeof(*s));
	memcpy(s->gpr, r.gpr, sizeof(s->gpr));
	s->rip = r.rip;
	s->rflags = r.rflags;
	seg_to(&s->es, &r.es);
	seg_to(&s->cs, &r.cs);
	seg_to(&s->ss, &r.ss);
	seg_to(&s->ds, &r.ds);
	seg_to(&s->fs, &r.fs);
	seg_to(&s->gs, &r.gs);
	seg_to(&s->ldtr, &r.ldtr);
	seg_to(&s->tr, &r.tr);
	s->gdtr.base = r.gdtr.base;
	s->gdtr.limit = r.gdtr.limit;
	s->idtr.base = r.idtr.base;
	s->idtr.limit = r.idtr.limit;
	s->cr0 = r.cr0;
	s->cr2 = r.cr2;
	s->cr3 = r.cr3;
	s->cr4 = r.cr4;
	s->cr8 = iem_lapic_get_cr8(c);
	s->efer = r.efer;
	s->xcr0 = 1;
	memcpy(s->dr, r.dr, sizeof(s->dr));
	s->star = r.star;
	s->lstar = r.lstar;
	s->cstar = r.cstar;
	s->sfmask = r.sfmask;
	s->kernel_gs_base = r.kernel_gs_base;
	s->sysenter_cs = r.sysenter_cs;
	s->sysenter_esp = r.sysenter_esp;
	s->sysenter_eip = r.sysenter_eip;
	s->pat = r.pat;
	s->tsc = r.tsc;
	s->tsc_deadline = c->lapic.tsc_deadline;
	s->apic_base = r.apic_base;
	s->mtrr_def_type = r.mtrr_def_type;
	memcpy(s->mtrr_fixed, r.mtrr_fixed, sizeof(s->mtrr_fixed));
	memcpy(s->mtrr_var, r.mtrr_var, sizeof(s->mtrr_var));
	s->xsave_len = 512;
	memcpy(s->xsave, r.fxsave, 512);
	if (c->m->cfg.apic) {
		s->lapic_valid = true;
		for (off = 0x20; off < 0x400; off += 0x10)
			page_put(s->lapic, off, iem_lapic_read(c, off));
		/* write-only/virtual registers read back as what we keep */
		page_put(s->lapic, 0x300, c->lapic.icr_lo);
		for (k = 0; k < 7; k++)
			page_put(s->lapic, lvt_off[k], c->lapic.lvt[k]);
	}
	s->activity = r.wait_sipi ? VMM_CPU_WAIT_SIPI
				  : r.halted ? VMM_CPU_HALTED : VMM_CPU_ACTIVE;
	s->irq_shadow = r.irq_shadow;
	s->nmi_masked = r.nmi_blocked;
	s->nmi_pending = (atomic_load(&c->attn) & IEM_ATTN_NMI) != 0;
	s->irq_injected = -1;
	s->n_msrs = 2;
	s->msrs[0].index = MSR_HWCR;
	s->msrs[0].value = c->hwcr;
	s->msrs[1].index = MSR_DE_CFG;
	s->msrs[1].value = c->de_cfg;
	return 0;
}

/* The local APIC from its register page; the timer restarts from the
 * saved current count on the (already restored) board clock. */
static void lapic_load(struct iem_cpu *c, const struct vmm_cpu_state *s)
{
	struct iem_lapic *l = &c->lapic;
	const uint8_t *p = s->lapic;
	uint64_t now = iem_now_ns(c->m), div;
	uint32_t cur;
	unsigned k, d, mode;

	l->id = page_get(p, 0x20) >> 24;
	l->tpr = page_get(p, 0x80) & 0xff;
	l->ldr = page_get(p, 0xd0);
	l->dfr = page_get(p, 0xe0);
	l->svr = page_get(p, 0xf0) & 0x1ff;
	l->esr = page_get(p, 0x280);
	l->icr_lo = page_get(p, 0x300) & ~(1u << 12);
	l->icr_hi = page_get(p, 0x310);
	for (k = 0; k < 7; k++)
		l->lvt[k] = page_get(p, lvt_off[k]);
	for (k = 0; k < 8; k++) {
		l->isr[k] = page_get(p, 0x100 + k * 0x10);
		atomic_store(&l->tmr[k], page_get(p, 0x180 + k * 0x10));
		atomic_store(&l->irr[k], page_get(p, 0x200 + k * 0x10));
	}
	l->timer_icr = page_get(p, 0x380);
	l->timer_dcr = page_get(p, 0x3e0) & 0xb;
	l->tsc_deadline = s->tsc_deadline;
	d = (l->timer_dcr & 3) | ((l->timer_dcr >> 1) & 4);
	div = d == 7 ? 1 : 2u << d;
	mode = (l->lvt[1] >> 17) & 3;
	l->timer_start = now;
	l->timer_deadline = 0;
	if (mode == 2) {
		/* TSC-deadline: the TSC was restored by iem_cpu_set_regs */
		if (l->tsc_deadline) {
			uint64_t tsc = iem_tsc(c);

			l->timer_deadline = l->tsc_deadline <= tsc ? now :
				now + (uint64_t)(((unsigned __int128)(l->tsc_deadline - tsc) *
						  1000000000ull) / c->m->tsc_hz);
		}
	} else if (l->timer_icr) {
		cur = page_get(p, 0x390);
		if (cur > l->timer_icr)
			cur = l->timer_icr;
		if (cur) {
			/* as if loaded (icr - cur) ticks ago */
			uint64_t elapsed = (uint64_t)(l->timer_icr - cur) * div;

			l->timer_start = now >= elapsed ? now - elapsed : 0;
			l->timer_deadline = now + (uint64_t)cur * div;
		} else if (mode == 1) {
			l->timer_deadline = now + (uint64_t)l->timer_icr * div;
		}
	}
}

int iem_state_vcpu_set(struct vmm_vcpu *vc, const struct vmm_cpu_state *s)
{
	struct iem_cpu *c = vmm_vcpu_engine_data(vc);
	struct vmm_vm *vm = vmm_vcpu_vm(vc);
	struct iem_regs r;
	unsigned i;

	if (!c)
		return -EINVAL;
	if (s->xsave_len < 512 || s->xsave_len > VMM_XSAVE_MAX) {
		vmm_log(vm, "IEM: VCPU%u: saved XSAVE area of %u bytes refused",
			vmm_vcpu_index(vc), s->xsave_len);
		return -EINVAL;
	}
	if (s->xcr0 & ~1ull)
		vmm_log(vm, "IEM: VCPU%u: XCR0 %#llx from the saved state: only x87/SSE state is kept",
			vmm_vcpu_index(vc), (unsigned long long)s->xcr0);
	memset(&r, 0, sizeof(r));
	memcpy(r.gpr, s->gpr, sizeof(r.gpr));
	r.rip = s->rip;
	r.rflags = s->rflags;
	seg_from(&r.es, &s->es);
	seg_from(&r.cs, &s->cs);
	seg_from(&r.ss, &s->ss);
	seg_from(&r.ds, &s->ds);
	seg_from(&r.fs, &s->fs);
	seg_from(&r.gs, &s->gs);
	seg_from(&r.ldtr, &s->ldtr);
	seg_from(&r.tr, &s->tr);
	r.gdtr.base = s->gdtr.base;
	r.gdtr.limit = s->gdtr.limit;
	r.idtr.base = s->idtr.base;
	r.idtr.limit = s->idtr.limit;
	r.cr0 = s->cr0;
	r.cr2 = s->cr2;
	r.cr3 = s->cr3;
	r.cr4 = s->cr4;
	r.efer = s->efer;
	memcpy(r.dr, s->dr, sizeof(r.dr));
	r.star = s->star;
	r.lstar = s->lstar;
	r.cstar = s->cstar;
	r.sfmask = s->sfmask;
	r.kernel_gs_base = s->kernel_gs_base;
	r.sysenter_cs = s->sysenter_cs;
	r.sysenter_esp = s->sysenter_esp;
	r.sysenter_eip = s->sysenter_eip;
	r.pat = s->pat;
	r.tsc = s->tsc;
	r.apic_base = s->apic_base;
	r.mtrr_def_type = s->mtrr_def_type;
	memcpy(r.mtrr_fixed, s->mtrr_fixed, sizeof(r.mtrr_fixed));
	memcpy(r.mtrr_var, s->mtrr_var, sizeof(r.mtrr_var));
	memcpy(r.fxsave, s->xsave, sizeof(r.fxsave));
	r.halted = s->activity == VMM_CPU_HALTED;
	r.wait_sipi = s->activity == VMM_CPU_WAIT_SIPI;
	r.irq_shadow = s->irq_shadow;
	r.nmi_blocked = s->nmi_masked;
	if (iem_cpu_set_regs(c, &r) < 0) {
		vmm_log(vm, "IEM: VCPU%u: inconsistent saved registers (cr0 %#llx cr4 %#llx efer %#llx)",
			vmm_vcpu_index(vc), (unsigned long long)s->cr0,
			(unsigned long long)s->cr4, (unsigned long long)s->efer);
		return -EINVAL;
	}
	if (s->lapic_valid && c->m->cfg.apic)
		lapic_load(c, s);
	else
		iem_lapic_set_cr8(c, s->cr8);
	for (i = 0; i < s->n_msrs && i < VMM_EXTRA_MSRS; i++) {
		if (s->msrs[i].index == MSR_HWCR)
			c->hwcr = s->msrs[i].value;
		else if (s->msrs[i].index == MSR_DE_CFG)
			c->de_cfg = s->msrs[i].value;
	}
	/* an external interrupt another engine was injecting goes back to
	 * the APIC and is taken again at the next instruction boundary */
	if (s->irq_injected >= 16 && s->irq_injected < 256 && c->m->cfg.apic)
		iem_lapic_set_irr(c, (uint8_t)s->irq_injected, false);
	if (s->nmi_pending)
		iem_cpu_nmi(c);
	atomic_fetch_or(&c->attn, IEM_ATTN_IRQ | IEM_ATTN_TIMER);
	return 0;
}
