/*
 * The iem machine and vCPU objects: creation, reset state, the run loop
 * (interrupts, HLT, INIT/SIPI, cross-thread requests, time slices), the
 * register get/set interface and mode bookkeeping.
 *
 * Reset values follow Intel SDM vol. 3 table 9-1 (CS F000:FFF0 with base
 * FFFF0000, CR0 60000010, EDX = family/model/stepping, DR6/DR7, FCW 0040,
 * MXCSR 1F80, PAT 0007040600070406); INIT keeps MTRRs, PAT and the x87/SSE
 * state as section 9.1.1 says, and an application processor then waits
 * for a startup IPI (section 8.4).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lib/util/error.h"
#include "lib/vmm/iem/iem-int.h"

#define SLICE 65536

uint64_t iem_now_ns(struct iem_machine *m)
{
	struct timespec ts;

	if (m->ops.now_ns)
		return m->ops.now_ns(m->ops.opaque);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t iem_tsc(struct iem_cpu *c)
{
	struct iem_machine *m = c->m;
	uint64_t ns = iem_now_ns(m) - m->tsc_base_ns;

	return (uint64_t)(((unsigned __int128)ns * m->tsc_mult) >> 32) + c->tsc_adjust;
}

void iem_update_attn_mask(struct iem_cpu *c)
{
	c->attn_mask = IEM_ATTN_ALWAYS | ((c->eflags & F_IF) ? IEM_ATTN_IRQ : 0);
}

void iem_update_mode(struct iem_cpu *c)
{
	bool lma = (c->efer & EFER_LMA) != 0;
	bool l64 = lma && (c->seg[S_CS].attr & IEM_SEG_L);

	if (!(c->cr0 & CR0_PE))
		c->cpl = 0;
	else if (c->eflags & F_VM)
		c->cpl = 3;
	c->mode = l64 ? 2 : (c->seg[S_CS].attr & IEM_SEG_DB) ? 1 : 0;
	c->lin_mask = l64 ? ~0ull : 0xffffffffull;
	c->lin_mask_sys = lma ? ~0ull : 0xffffffffull;
	c->stk = l64 ? S_FLATSTK : S_SS;
	c->ss_mask = l64 ? ~0ull : (c->seg[S_SS].attr & IEM_SEG_DB) ? 0xffffffffull : 0xffff;
	c->dtlb = c->tlb[c->cpl == 3];
	iem_seg_refresh(c);
	c->linktag = (c->gen << 8) | c->mode | (c->cpl == 3 ? 4u : 0u);
	iem_update_attn_mask(c);
}

void iem_set_rflags(struct iem_cpu *c, uint64_t f, uint64_t changeable)
{
	uint64_t cur = iem_get_rflags(c);

	f = (f & changeable) | (cur & ~changeable);
	f &= 0x3f7fd5ull;
	f |= 2;
	lf_put(c, f);
	c->eflags = f & ~(uint64_t)F_ARITH;
	if (f & F_TF)
		c->slice = 0;
	iem_update_attn_mask(c);
}

void iem_kick_self(struct iem_cpu *c, uint32_t bits)
{
	atomic_fetch_or(&c->attn, bits);
	pthread_mutex_lock(&c->reqlock);
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->reqlock);
}

/*
 * Sleep until one of the wake bits is set or deadline (ns) passes.
 *
 * The board clock (ops.now_ns) takes the board's lock, and devices wake
 * vCPUs (iem_kick_self takes reqlock) while they hold that lock: so the
 * clock is read with reqlock released, and the wake bits are checked again
 * under reqlock just before sleeping (a kick sets its bit before it takes
 * reqlock, so none is lost between the check and the sleep).
 */
void iem_wait(struct iem_cpu *c, uint64_t deadline)
{
	struct iem_machine *m = c->m;
	uint32_t wake = IEM_ATTN_IRQ | IEM_ATTN_NMI | IEM_ATTN_INIT | IEM_ATTN_SIPI |
			IEM_ATTN_STOP | IEM_ATTN_FLUSH | IEM_ATTN_TIMER;

	if (c->halted && !(c->eflags & F_IF))
		wake &= ~IEM_ATTN_IRQ;
	if (c->wait_sipi)
		wake &= ~(uint32_t)(IEM_ATTN_IRQ | IEM_ATTN_NMI);
	while (!(atomic_load(&c->attn) & wake)) {
		uint64_t now = iem_now_ns(m), wait;
		struct timespec ts;

		if (deadline != UINT64_MAX && now >= deadline)
			break;
		if (m->ops.now_ns || deadline == UINT64_MAX) {
			/* board clock or no deadline: poll at most every ms */
			wait = deadline == UINT64_MAX ? 1000000 : deadline - now;
			if (m->ops.now_ns && wait > 1000000)
				wait = 1000000;
			if (deadline == UINT64_MAX && !m->ops.now_ns)
				wait = 100000000;
		} else {
			wait = deadline - now;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += (long)(wait % 1000000000ull);
		ts.tv_sec += (time_t)(wait / 1000000000ull);
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_nsec -= 1000000000L;
			ts.tv_sec++;
		}
		pthread_mutex_lock(&c->reqlock);
		if (!(atomic_load(&c->attn) & wake))
			pthread_cond_timedwait(&c->wake, &c->reqlock, &ts);
		pthread_mutex_unlock(&c->reqlock);
	}
}

static void seg_reset(struct iem_cpu *c, unsigned s, uint16_t sel, uint64_t base, uint32_t attr)
{
	c->seg[s].sel = sel;
	c->seg[s].base = base;
	c->seg[s].limit = 0xffff;
	c->seg[s].attr = attr;
}

/* Architectural state after RESET (init = false) or INIT (init = true). */
static void cpu_state_reset(struct iem_cpu *c, bool init)
{
	unsigned s;

	memset(c->gpr, 0, sizeof(c->gpr));
	c->gpr[R_DX] = 0x00060fb1;
	c->rip = 0xfff0;
	c->eflags = 2;
	lf_put(c, 0);
	for (s = 0; s < 6; s++)
		seg_reset(c, s, 0, 0, IEM_SEG_P | IEM_SEG_S | 3);
	seg_reset(c, S_CS, 0xf000, 0xffff0000ull, IEM_SEG_P | IEM_SEG_S | 0xb);
	c->seg[S_FLAT].limit = c->seg[S_FLATSTK].limit = 0xffffffffu;
	c->seg[S_FLAT].attr = c->seg[S_FLATSTK].attr = IEM_SEG_P | IEM_SEG_S | 3;
	c->gdtr.base = c->idtr.base = 0;
	c->gdtr.limit = c->idtr.limit = 0xffff;
	c->ldtr.sel = 0;
	c->ldtr.base = 0;
	c->ldtr.limit = 0xffff;
	c->ldtr.attr = IEM_SEG_P | 2;
	c->tr.sel = 0;
	c->tr.base = 0;
	c->tr.limit = 0xffff;
	c->tr.attr = IEM_SEG_P | 0xb;
	c->cr0 = 0x60000010;
	c->cr2 = c->cr3 = c->cr4 = 0;
	c->efer = 0;
	memset(c->dr, 0, sizeof(c->dr));
	c->dr[6] = 0xffff0ff0;
	c->dr[7] = 0x400;
	c->star = c->lstar = c->cstar = c->sfmask = c->kernel_gs_base = 0;
	c->sysenter_cs = c->sysenter_esp = c->sysenter_eip = 0;
	c->cpl = 0;
	c->shadow = 0;
	c->halted = false;
	c->nmi_blocked = false;
	c->delivering = -1;
	if (!init) {
		c->pat = 0x0007040600070406ull;
		c->mtrr_def_type = 0;
		memset(c->mtrr_fixed, 0, sizeof(c->mtrr_fixed));
		memset(c->mtrr_var, 0, sizeof(c->mtrr_var));
		c->hwcr = 0;
		c->de_cfg = 0;
		memset(c->perf, 0, sizeof(c->perf));
		/* all TSCs restart together from the machine's base */
		c->tsc_adjust = 0;
		if (c->index == 0)
			c->m->tsc_base_ns = iem_now_ns(c->m);
		iem_fpu_reset(c);
	}
	iem_tlb_flush(c, true);
	iem_update_mode(c);
}

void iem_cpu_reset(struct iem_cpu *c)
{
	cpu_state_reset(c, false);
	iem_lapic_reset(c, c->index == 0);
	c->wait_sipi = c->index != 0;
	atomic_store(&c->attn, 0);
	c->intr_line = false;
	iem_cache_flush(c);
}

void iem_machine_reset(struct iem_machine *m)
{
	unsigned k;

	for (k = 0; k < m->ncpus; k++)
		iem_cpu_reset(m->cpus[k]);
}

void iem_cpu_init_state(struct iem_cpu *c)
{
	cpu_state_reset(c, true);
}

static struct iem_machine *last_machine;

/*
 * Debugging aid for hung guests: with IEM_DEBUG_RING set in the
 * environment each vCPU remembers its last 64 block addresses; call this
 * from a debugger ("call iem_debug_dump()") to print them and the
 * registers of every vCPU of the last machine created.
 */
void iem_debug_dump(void);
void iem_debug_dump(void)
{
	struct iem_machine *m = last_machine;
	unsigned k, j;

	if (!m)
		return;
	for (k = 0; k < m->ncpus; k++) {
		struct iem_cpu *c = m->cpus[k];

		fprintf(stderr, "vcpu%u: rip=%016llx rsp=%016llx rax=%llx rcx=%llx rdx=%llx fl=%llx cpl=%u "
			"halted=%d attn=%#x irr/isr: %08x/%08x tpr=%x icount=%llu\n", k,
			(unsigned long long)c->rip, (unsigned long long)c->gpr[R_SP],
			(unsigned long long)c->gpr[R_AX], (unsigned long long)c->gpr[R_CX],
			(unsigned long long)c->gpr[R_DX], (unsigned long long)iem_get_rflags(c), c->cpl,
			c->halted, atomic_load(&c->attn), atomic_load(&c->lapic.irr[7]), c->lapic.isr[7],
			c->lapic.tpr, (unsigned long long)c->icount);
		if (c->ring)
			for (j = 0; j < 64; j++)
				fprintf(stderr, "  %016llx\n",
					(unsigned long long)c->ring[(c->ring_pos + j) & 63]);
	}
}

static void cpu_free(struct iem_cpu *c)
{
	if (!c)
		return;
	free(c->ring);
	iem_cache_free(c);
	free(c->cpuid_tab);
	pthread_mutex_destroy(&c->reqlock);
	pthread_cond_destroy(&c->wake);
	free(c);
}

int iem_machine_new(const struct iem_config *cfg, const struct iem_board_ops *ops,
		    struct iem_machine **out, struct vb_error *err)
{
	struct iem_machine *m;
	unsigned k;
	int rc;

	*out = NULL;
	if (!cfg || !ops || !ops->page)
		return vb_err(err, EINVAL, VB_E_INVALIDARG, "iem: missing configuration or memory hook");
	if (cfg->ncpus < 1 || cfg->ncpus > IEM_MAX_CPUS)
		return vb_err(err, EINVAL, VB_E_INVALIDARG,
			      "iem: %u virtual CPUs requested, 1 to %d supported",
			      cfg->ncpus, IEM_MAX_CPUS);
	if (cfg->x2apic)
		return vb_err(err, ENOTSUP, VBOX_E_NOT_SUPPORTED,
			      "iem: x2APIC is not supported by the software engine");
	m = calloc(1, sizeof(*m));
	if (!m)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "iem: out of memory");
	m->ops = *ops;
	m->cfg = *cfg;
	m->cfg.cpuid = NULL;
	if (cfg->ncpuid) {
		m->cpuid = calloc(cfg->ncpuid, sizeof(*m->cpuid));
		if (!m->cpuid) {
			free(m);
			return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "iem: out of memory");
		}
		memcpy(m->cpuid, cfg->cpuid, cfg->ncpuid * sizeof(*m->cpuid));
		m->cfg.cpuid = m->cpuid;
	}
	pthread_mutex_init(&m->lock, NULL);
	atomic_store(&m->a20, 1);
	m->maxphys = 40;
	{
		const char *t = getenv("IEM_JIT_THRESHOLD");

		m->jit_threshold = t ? (uint32_t)strtoul(t, NULL, 0) : 64;
		if (cfg->jit_threshold == IEM_JIT_OFF)
			m->jit_threshold = 0;   /* ++hits never reaches 0 */
		else if (cfg->jit_threshold)
			m->jit_threshold = cfg->jit_threshold;
	}
	m->tsc_hz = cfg->tsc_hz ? cfg->tsc_hz : 2000000000ull;
	m->tsc_mult = (uint64_t)(((unsigned __int128)m->tsc_hz << 32) / 1000000000ull);
	m->tsc_base_ns = iem_now_ns(m);
	m->ncpus = cfg->ncpus;
	m->cpus = calloc(m->ncpus, sizeof(*m->cpus));
	if (!m->cpus) {
		rc = vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "iem: out of memory");
		goto fail;
	}
	iem_exec_init();
	for (k = 0; k < m->ncpus; k++) {
		struct iem_cpu *c = aligned_alloc(64, (sizeof(*c) + 63) & ~(size_t)63);

		if (!c) {
			rc = vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "iem: out of memory");
			goto fail;
		}
		memset(c, 0, sizeof(*c));
		c->m = m;
		c->index = (int)k;
		pthread_mutex_init(&c->reqlock, NULL);
		pthread_cond_init(&c->wake, NULL);
		m->cpus[k] = c;
		if (iem_cache_init(c)) {
			rc = vb_err(err, ENOMEM, VB_E_OUTOFMEMORY,
				    "iem: cannot map the decoded-code cache");
			goto fail;
		}
		iem_cpu_reset(c);
		if (getenv("IEM_DEBUG_RING"))
			c->ring = calloc(64, sizeof(uint64_t));
	}
	last_machine = m;
	*out = m;
	return 0;
fail:
	iem_machine_free(m);
	return rc;
}

void iem_machine_free(struct iem_machine *m)
{
	unsigned k;

	if (!m)
		return;
	if (last_machine == m)
		last_machine = NULL;
	if (m->cpus)
		for (k = 0; k < m->ncpus; k++)
			cpu_free(m->cpus[k]);
	free(m->cpus);
	for (k = 0; k < 1024; k++)
		free(atomic_load(&m->codemask[k]));
	free(m->cpuid);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

struct iem_cpu *iem_machine_cpu(struct iem_machine *m, unsigned index)
{
	return index < m->ncpus ? m->cpus[index] : NULL;
}

unsigned iem_machine_ncpus(const struct iem_machine *m)
{
	return m->ncpus;
}

void iem_machine_map_changed(struct iem_machine *m)
{
	unsigned k;

	for (k = 0; k < m->ncpus; k++) {
		struct iem_cpu *c = m->cpus[k];

		pthread_mutex_lock(&c->reqlock);
		c->tlb_flush_req = true;
		c->inv_all = true;
		pthread_mutex_unlock(&c->reqlock);
		iem_kick_self(c, IEM_ATTN_FLUSH);
	}
}

void iem_machine_phys_written(struct iem_machine *m, uint64_t gpa, uint64_t len)
{
	uint64_t end = gpa + len, a;

	if (!len || end < gpa)
		return;
	for (a = gpa; a < end;) {
		uint64_t next = (a | 0xfff) + 1;
		unsigned n = (unsigned)((next < end ? next : end) - a);

		iem_code_written(m, NULL, a, n);
		a = next;
	}
}

void iem_machine_set_a20(struct iem_machine *m, bool enabled)
{
	int old = atomic_exchange(&m->a20, enabled ? 1 : 0);
	unsigned k;

	if (old == (enabled ? 1 : 0))
		return;
	for (k = 0; k < m->ncpus; k++) {
		struct iem_cpu *c = m->cpus[k];

		pthread_mutex_lock(&c->reqlock);
		c->tlb_flush_req = true;
		pthread_mutex_unlock(&c->reqlock);
		iem_kick_self(c, IEM_ATTN_FLUSH);
	}
}

void iem_machine_msi(struct iem_machine *m, uint64_t addr, uint32_t data)
{
	if ((addr & 0xfff00000ull) != 0xfee00000ull)
		return;
	iem_lapic_send(m, NULL, (addr >> 12) & 0xff, (addr >> 2) & 1, (data >> 8) & 7,
		       data & 0xff, (data >> 15) & 1, 0);
}

void iem_cpu_kick(struct iem_cpu *c)
{
	iem_kick_self(c, IEM_ATTN_STOP);
}

void iem_cpu_set_intr(struct iem_cpu *c, bool level)
{
	c->intr_line = level;
	if (level)
		iem_kick_self(c, IEM_ATTN_IRQ);
}

void iem_cpu_nmi(struct iem_cpu *c)
{
	iem_kick_self(c, IEM_ATTN_NMI);
}

/* Handle INIT and SIPI; returns true while the vCPU waits for SIPI. */
static bool handle_init_sipi(struct iem_cpu *c, uint32_t a)
{
	if (a & IEM_ATTN_INIT) {
		atomic_fetch_and(&c->attn, ~IEM_ATTN_INIT);
		cpu_state_reset(c, true);
		iem_lapic_reset(c, c->lapic.bsp);
		c->wait_sipi = !c->lapic.bsp;
	}
	if (a & IEM_ATTN_SIPI) {
		atomic_fetch_and(&c->attn, ~IEM_ATTN_SIPI);
		if (c->wait_sipi) {
			c->wait_sipi = false;
			c->halted = false;
			c->seg[S_CS].sel = (uint16_t)(c->sipi_vector << 8);
			c->seg[S_CS].base = (uint64_t)c->sipi_vector << 12;
			c->rip = 0;
			iem_update_mode(c);
		}
	}
	return c->wait_sipi;
}

enum iem_exit iem_cpu_run_n(struct iem_cpu *c, uint64_t max_insns)
{
	c->run_limit = max_insns ? c->icount + max_insns : 0;
	c->exit_code = -1;
	for (;;) {
		uint32_t a;
		uint64_t now;

		if (_setjmp(c->jb)) {
			c->delivering = -1;
			c->cur = NULL;
		}
		if (c->exit_code >= 0) {
			enum iem_exit e = (enum iem_exit)c->exit_code;

			c->exit_code = -1;
			return e;
		}
		if (unlikely(c->tf_trap)) {
			/* single-step trap: before any external interrupt */
			c->tf_trap = false;
			c->dr[6] |= 0x4000;     /* BS */
			c->delivering = X_DB;
			iem_deliver(c, X_DB, IEM_EV_EXC, 0, c->rip);
			c->delivering = -1;
		}
		a = atomic_load(&c->attn);
		if (a & IEM_ATTN_STOP) {
			atomic_fetch_and(&c->attn, ~IEM_ATTN_STOP);
			return IEM_EXIT_STOP;
		}
		if (a & IEM_ATTN_FLUSH)
			iem_process_requests(c);
		if ((a & (IEM_ATTN_INIT | IEM_ATTN_SIPI)) || c->wait_sipi) {
			if (handle_init_sipi(c, a)) {
				iem_wait(c, UINT64_MAX);
				continue;
			}
		}
		if (a & IEM_ATTN_TIMER)
			atomic_fetch_and(&c->attn, ~IEM_ATTN_TIMER);
		now = iem_now_ns(c->m);
		iem_lapic_timer_check(c, now);
		if (atomic_load(&c->attn) & (IEM_ATTN_IRQ | IEM_ATTN_NMI))
			iem_check_interrupts(c);
		if (c->halted) {
			iem_wait(c, iem_lapic_next_deadline(c));
			continue;
		}
		if (c->run_limit && c->icount >= c->run_limit)
			return IEM_EXIT_INSNS;
		c->slice = SLICE;
		if (c->run_limit && c->run_limit - c->icount < SLICE)
			c->slice = (int64_t)(c->run_limit - c->icount);
		iem_exec(c);
	}
}

enum iem_exit iem_cpu_run(struct iem_cpu *c)
{
	return iem_cpu_run_n(c, 0);
}

uint64_t iem_cpu_icount(const struct iem_cpu *c)
{
	return c->icount;
}

int iem_cpu_index(const struct iem_cpu *c)
{
	return c->index;
}

void iem_cpu_set_step(struct iem_cpu *c, bool on, iem_step_hook hook, void *opaque)
{
	c->singlestep = on;
	c->step_hook = hook;
	c->step_opaque = opaque;
}

void iem_cpu_get_stats(const struct iem_cpu *c, struct iem_stats *s)
{
	*s = c->stats;
	s->insns = c->icount;
}

const char *iem_exit_name(enum iem_exit e)
{
	switch (e) {
	case IEM_EXIT_STOP: return "stop";
	case IEM_EXIT_SHUTDOWN: return "shutdown";
	case IEM_EXIT_INSNS: return "instruction limit";
	case IEM_EXIT_BREAK: return "break";
	default: return "unknown";
	}
}

static void seg_out(const struct iem_seg *g, struct iem_segment *o)
{
	o->base = g->base;
	o->limit = g->limit;
	o->attr = g->attr;
	o->sel = g->sel;
}

static void seg_in(struct iem_seg *g, const struct iem_segment *o)
{
	g->base = o->base;
	g->limit = o->limit;
	g->attr = o->attr;
	g->sel = o->sel;
}

void iem_cpu_get_regs(struct iem_cpu *c, struct iem_regs *r)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->gpr, c->gpr, sizeof(r->gpr));
	r->rip = c->rip;
	r->rflags = iem_get_rflags(c);
	seg_out(&c->seg[S_ES], &r->es);
	seg_out(&c->seg[S_CS], &r->cs);
	seg_out(&c->seg[S_SS], &r->ss);
	seg_out(&c->seg[S_DS], &r->ds);
	seg_out(&c->seg[S_FS], &r->fs);
	seg_out(&c->seg[S_GS], &r->gs);
	seg_out(&c->ldtr, &r->ldtr);
	seg_out(&c->tr, &r->tr);
	r->gdtr = c->gdtr;
	r->idtr = c->idtr;
	r->cr0 = c->cr0;
	r->cr2 = c->cr2;
	r->cr3 = c->cr3;
	r->cr4 = c->cr4;
	r->efer = c->efer;
	memcpy(r->dr, c->dr, sizeof(r->dr));
	r->star = c->star;
	r->lstar = c->lstar;
	r->cstar = c->cstar;
	r->sfmask = c->sfmask;
	r->kernel_gs_base = c->kernel_gs_base;
	r->sysenter_cs = c->sysenter_cs;
	r->sysenter_esp = c->sysenter_esp;
	r->sysenter_eip = c->sysenter_eip;
	r->pat = c->pat;
	r->tsc = iem_tsc(c);
	r->apic_base = c->lapic.apic_base;
	r->mtrr_def_type = c->mtrr_def_type;
	memcpy(r->mtrr_fixed, c->mtrr_fixed, sizeof(r->mtrr_fixed));
	memcpy(r->mtrr_var, c->mtrr_var, sizeof(r->mtrr_var));
	memcpy(r->fxsave, c->fx, sizeof(r->fxsave));
	r->halted = c->halted;
	r->wait_sipi = c->wait_sipi;
	r->irq_shadow = c->shadow != 0;
	r->nmi_blocked = c->nmi_blocked;
}

int iem_cpu_set_regs(struct iem_cpu *c, const struct iem_regs *r)
{
	if ((r->efer & EFER_LMA) && !((r->cr0 & CR0_PG) && (r->cr4 & CR4_PAE)))
		return -EINVAL;
	if ((r->cr0 & CR0_PG) && !(r->cr0 & CR0_PE))
		return -EINVAL;
	memcpy(c->gpr, r->gpr, sizeof(r->gpr));
	c->gpr[IEM_R_ZERO] = 0;
	c->rip = r->rip;
	seg_in(&c->seg[S_ES], &r->es);
	seg_in(&c->seg[S_CS], &r->cs);
	seg_in(&c->seg[S_SS], &r->ss);
	seg_in(&c->seg[S_DS], &r->ds);
	seg_in(&c->seg[S_FS], &r->fs);
	seg_in(&c->seg[S_GS], &r->gs);
	seg_in(&c->ldtr, &r->ldtr);
	seg_in(&c->tr, &r->tr);
	c->gdtr = r->gdtr;
	c->idtr = r->idtr;
	c->cr0 = r->cr0;
	c->cr2 = r->cr2;
	c->cr3 = r->cr3;
	c->cr4 = r->cr4;
	c->efer = r->efer;
	memcpy(c->dr, r->dr, sizeof(c->dr));
	c->star = r->star;
	c->lstar = r->lstar;
	c->cstar = r->cstar;
	c->sfmask = r->sfmask;
	c->kernel_gs_base = r->kernel_gs_base;
	c->sysenter_cs = r->sysenter_cs;
	c->sysenter_esp = r->sysenter_esp;
	c->sysenter_eip = r->sysenter_eip;
	c->pat = r->pat;
	c->tsc_adjust += r->tsc - iem_tsc(c);
	iem_lapic_set_base(c, r->apic_base);
	c->mtrr_def_type = r->mtrr_def_type;
	memcpy(c->mtrr_fixed, r->mtrr_fixed, sizeof(c->mtrr_fixed));
	memcpy(c->mtrr_var, r->mtrr_var, sizeof(c->mtrr_var));
	memcpy(c->fx, r->fxsave, sizeof(c->fx));
	c->halted = r->halted;
	c->wait_sipi = r->wait_sipi;
	c->shadow = r->irq_shadow;
	c->nmi_blocked = r->nmi_blocked;
	c->cpl = (r->cr0 & CR0_PE) ? (r->rflags & F_VM ? 3 : IEM_SEG_DPL(r->ss.attr)) : 0;
	c->eflags = 2;
	iem_set_rflags(c, r->rflags, ~0ull);
	iem_tlb_flush(c, true);
	iem_update_mode(c);
	return 0;
}
