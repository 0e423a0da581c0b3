/*
 * The KVM execution engine.
 *
 * Linux KVM API (Documentation/virt/kvm/api.rst): one VM fd, one fd and
 * kvm_run page per vCPU.  Split irqchip (KVM_CAP_SPLIT_IRQCHIP with 24
 * IOAPIC routes): the local APICs live in the kernel, the 8259s, the
 * IOAPIC and the PIT are the board's.  PIC interrupts enter through
 * KVM_INTERRUPT when the vCPU can take them (interrupt windows), IOAPIC
 * messages through KVM_SIGNAL_MSI; the IOAPIC's redirection table is
 * mirrored into MSI routes only so that KVM exits on EOI of level
 * vectors (KVM_EXIT_IOAPIC_EOI).  Kicks use a real-time signal whose
 * handler sets kvm_run.immediate_exit.
 *
 * On hosts whose /dev/kvm is PVM (kvm_pvm) the same API works but real
 * mode and kernel code are emulated; see vmm-platform.md section 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/util/fileio.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"
#include "lib/vmm/vmm-int.h"

#define KVM_CPUID_MAX 256
#define IDENTITY_MAP_ADDR 0xfeffc000ull
#define TSS_ADDR          0xfeffd000ull

#define MSR_IA32_TSC            0x10
#define MSR_IA32_SYSENTER_CS    0x174
#define MSR_IA32_SYSENTER_ESP   0x175
#define MSR_IA32_SYSENTER_EIP   0x176
#define MSR_IA32_MISC_ENABLE    0x1a0
#define MSR_IA32_CR_PAT         0x277
#define MSR_STAR                0xc0000081
#define MSR_LSTAR               0xc0000082
#define MSR_CSTAR               0xc0000083
#define MSR_SYSCALL_MASK        0xc0000084
#define MSR_KERNEL_GS_BASE      0xc0000102

#define APIC_LVT0 0x350
#define APIC_LVT1 0x360

struct kvm_vmdata {
	int kvm_fd, vm_fd;
	int run_size;
	struct vmm_cpuid_entry cpuid[KVM_CPUID_MAX];
	unsigned ncpuid;
	int sig;
	bool readonly_mem;
};

struct kvm_vcpudata {
	uint64_t exits_io, exits_mmio;
	uint64_t port_exits[0x10000 / 8];       /* by port / 8 */
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	atomic_bool has_thread;
	atomic_bool kick;
	struct kvm_lapic_state lapic0;
	uint32_t cpuid1_eax;
};

static __thread struct kvm_run *tls_run;

static void kick_handler(int sig)
{
	(void)sig;
	if (tls_run)
		tls_run->immediate_exit = 1;
}

static struct kvm_vmdata *VD(struct vmm_vm *vm)
{
	return vmm_engine_data(vm);
}

static struct kvm_vcpudata *CD(struct vmm_vcpu *c)
{
	return vmm_vcpu_engine_data(c);
}

/* ------------------------------------------------------------------ */
/* Host facts                                                          */

static bool module_loaded(const char *m)
{
	char p[128];

	snprintf(p, sizeof(p), "/sys/module/%s", m);
	return path_is_dir(p);
}

static char module_param(const char *mod, const char *param)
{
	char p[160], *data = NULL;
	size_t len;
	char c = '?';

	snprintf(p, sizeof(p), "/sys/module/%s/parameters/%s", mod, param);
	if (vb_read_file(p, 64, &data, &len, NULL) == 0 && len)
		c = data[0];
	free(data);
	return c;
}

bool vmm_kvm_host_is_pvm(void)
{
	return module_loaded("kvm_pvm");
}

static const char *host_module(void)
{
	if (module_loaded("kvm_pvm"))
		return "kvm_pvm";
	if (module_loaded("kvm_intel"))
		return "kvm_intel";
	if (module_loaded("kvm_amd"))
		return "kvm_amd";
	return "kvm";
}

/* ------------------------------------------------------------------ */
/* Probe and VM set-up                                                 */

static int nem_error(struct vb_error *err, int e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int nem_error(struct vb_error *err, int e, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return vb_err(err, e, VB_E_FAIL, "KVM is not usable: %s (VERR_NEM_NOT_AVAILABLE).", msg);
}

static int open_kvm(struct vb_error *err)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC), e, v;

	if (fd < 0) {
		e = errno;
		if (e == ENOENT)
			return nem_error(err, ENOENT,
					 "/dev/kvm does not exist (no hardware virtualization, or the kvm modules are not loaded)");
		if (e == EACCES || e == EPERM)
			return nem_error(err, e,
					 "no permission to open /dev/kvm (the user needs to be in the group that owns it)");
		return nem_error(err, e, "cannot open /dev/kvm: %s", strerror(e));
	}
	v = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (v != KVM_API_VERSION) {
		close(fd);
		return nem_error(err, ENOTSUP, "/dev/kvm has API version %d, %d is needed",
				 v, KVM_API_VERSION);
	}
	return fd;
}

static const struct { int cap; const char *name; } needed_caps[] = {
	{ KVM_CAP_USER_MEMORY, "user memory" },
	{ KVM_CAP_SPLIT_IRQCHIP, "split irqchip" },
	{ KVM_CAP_IMMEDIATE_EXIT, "immediate exit" },
	{ KVM_CAP_SIGNAL_MSI, "KVM_SIGNAL_MSI" },
	{ KVM_CAP_IRQ_ROUTING, "IRQ routing" },
	{ KVM_CAP_EXT_CPUID, "KVM_GET_SUPPORTED_CPUID" },
	{ KVM_CAP_SET_TSS_ADDR, "KVM_SET_TSS_ADDR" },
};

static int kvm_probe(struct vmm_vm *vm, struct vb_error *err)
{
	const struct vmm_cpu_config *c = vmm_cpu_config(vm);
	int fd = open_kvm(err), max;
	unsigned i;
	bool legacy = false;

	if (fd < 0)
		return fd;
	for (i = 0; i < sizeof(needed_caps) / sizeof(needed_caps[0]); i++) {
		if (ioctl(fd, KVM_CHECK_EXTENSION, needed_caps[i].cap) <= 0) {
			close(fd);
			return nem_error(err, ENOTSUP, "the host KVM lacks %s",
					 needed_caps[i].name);
		}
	}
	max = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (max <= 0)
		max = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	close(fd);
	if (max > 0 && c->cpus > (unsigned)max)
		return nem_error(err, EINVAL, "the host KVM allows %d vCPUs, the machine has %u",
				 max, c->cpus);
	if (c->profile && vmm_cpu_profile_lookup(c->profile, &legacy) == 0 && legacy)
		return vb_err(err, ENOTSUP, VB_E_FAIL,
			      "The CPU profile '%s' can only be emulated by the software execution engine, not with KVM (VERR_NOT_SUPPORTED).",
			      c->profile);
	return 0;
}

static int get_supported_cpuid(struct kvm_vmdata *d, struct vb_error *err)
{
	struct kvm_cpuid2 *cp;
	unsigned i;

	cp = calloc(1, sizeof(*cp) + KVM_CPUID_MAX * sizeof(cp->entries[0]));
	if (!cp)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	cp->nent = KVM_CPUID_MAX;
	if (ioctl(d->kvm_fd, KVM_GET_SUPPORTED_CPUID, cp) < 0) {
		int e = errno;

		free(cp);
		return nem_error(err, e, "KVM_GET_SUPPORTED_CPUID failed: %s", strerror(e));
	}
	for (i = 0; i < cp->nent && i < KVM_CPUID_MAX; i++) {
		struct kvm_cpuid_entry2 *k = &cp->entries[i];
		struct vmm_cpuid_entry *e = &d->cpuid[i];

		e->function = k->function;
		e->index = k->index;
		e->flags = (k->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) ? VMM_CPUID_SUBLEAF : 0;
		e->eax = k->eax;
		e->ebx = k->ebx;
		e->ecx = k->ecx;
		e->edx = k->edx;
	}
	d->ncpuid = i;
	free(cp);
	return 0;
}

static int kvm_vm_init(struct vmm_vm *vm, struct vb_error *err)
{
	struct kvm_vmdata *d = calloc(1, sizeof(*d));
	struct kvm_enable_cap cap;
	struct sigaction sa;
	uint64_t ident = IDENTITY_MAP_ADDR;
	unsigned i;
	int rc;

	if (!d)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	vmm_set_engine_data(vm, d);
	d->vm_fd = -1;
	d->kvm_fd = open_kvm(err);
	if (d->kvm_fd < 0)
		return d->kvm_fd;
	d->run_size = ioctl(d->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (d->run_size < (int)sizeof(struct kvm_run))
		return nem_error(err, EINVAL, "bad KVM_GET_VCPU_MMAP_SIZE");
	d->readonly_mem = ioctl(d->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_READONLY_MEM) > 0;
	d->vm_fd = ioctl(d->kvm_fd, KVM_CREATE_VM, 0);
	if (d->vm_fd < 0)
		return nem_error(err, errno, "KVM_CREATE_VM failed: %s", strerror(errno));
	if (ioctl(d->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &ident) < 0)
		vmm_log(vm, "KVM: KVM_SET_IDENTITY_MAP_ADDR failed (%s); not needed on this host",
			strerror(errno));
	if (ioctl(d->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)TSS_ADDR) < 0)
		vmm_log(vm, "KVM: KVM_SET_TSS_ADDR failed (%s)", strerror(errno));
	memset(&cap, 0, sizeof(cap));
	cap.cap = KVM_CAP_SPLIT_IRQCHIP;
	cap.args[0] = 24;
	if (ioctl(d->vm_fd, KVM_ENABLE_CAP, &cap) < 0)
		return nem_error(err, errno, "enabling the split irqchip failed: %s",
				 strerror(errno));
	for (i = 0; i < vmm_mem_region_count(vm); i++) {
		const struct vmm_mem_region *r = vmm_mem_region(vm, i);
		struct kvm_userspace_memory_region mr;

		memset(&mr, 0, sizeof(mr));
		mr.slot = i;
		mr.guest_phys_addr = r->gpa;
		mr.memory_size = r->size;
		mr.userspace_addr = (uintptr_t)r->hva;
		if ((r->flags & VMM_MEM_ROM) && d->readonly_mem)
			mr.flags = KVM_MEM_READONLY;
		if (ioctl(d->vm_fd, KVM_SET_USER_MEMORY_REGION, &mr) < 0)
			return nem_error(err, errno,
					 "mapping guest memory at %#llx (%llu bytes) failed: %s",
					 (unsigned long long)r->gpa,
					 (unsigned long long)r->size, strerror(errno));
	}
	rc = get_supported_cpuid(d, err);
	if (rc)
		return rc;
	d->sig = SIGRTMIN + 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;
	sigemptyset(&sa.sa_mask);
	if (sigaction(d->sig, &sa, NULL) < 0)
		return nem_error(err, errno, "cannot install the vCPU kick signal");
	return 0;
}

static void kvm_vm_release(struct vmm_vm *vm)
{
	struct kvm_vmdata *d = VD(vm);

	if (!d)
		return;
	if (d->vm_fd >= 0)
		close(d->vm_fd);
	if (d->kvm_fd >= 0)
		close(d->kvm_fd);
	free(d);
	vmm_set_engine_data(vm, NULL);
}

/* ------------------------------------------------------------------ */
/* vCPUs                                                               */

static int set_cpuid(struct vmm_vcpu *c, struct vb_error *err)
{
	struct vmm_vm *vm = vmm_vcpu_vm(c);
	struct kvm_vmdata *d = VD(vm);
	struct kvm_vcpudata *cd = CD(c);
	struct vmm_cpuid_entry tab[KVM_CPUID_MAX];
	struct kvm_cpuid2 *cp;
	unsigned n, i;
	int rc = 0;

	memcpy(tab, d->cpuid, d->ncpuid * sizeof(tab[0]));
	n = vmm_cpuid_shape(vm, vmm_vcpu_index(c), tab, d->ncpuid, KVM_CPUID_MAX);
	cp = calloc(1, sizeof(*cp) + n * sizeof(cp->entries[0]));
	if (!cp)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	cp->nent = n;
	for (i = 0; i < n; i++) {
		struct kvm_cpuid_entry2 *k = &cp->entries[i];

		k->function = tab[i].function;
		k->index = tab[i].index;
		k->flags = (tab[i].flags & VMM_CPUID_SUBLEAF) ?
			   KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0;
		k->eax = tab[i].eax;
		k->ebx = tab[i].ebx;
		k->ecx = tab[i].ecx;
		k->edx = tab[i].edx;
		if (tab[i].function == 1)
			cd->cpuid1_eax = tab[i].eax;
		if (vmm_vcpu_index(c) == 0 &&
		    (tab[i].function <= 1 || tab[i].function == 0x80000001u))
			vmm_log(vm, "CPUID: leaf %#010x/%u: %08x %08x %08x %08x",
				tab[i].function, tab[i].index, tab[i].eax,
				tab[i].ebx, tab[i].ecx, tab[i].edx);
	}
	if (ioctl(cd->fd, KVM_SET_CPUID2, cp) < 0)
		rc = nem_error(err, errno, "KVM_SET_CPUID2 failed: %s", strerror(errno));
	free(cp);
	return rc;
}

static int kvm_vcpu_init(struct vmm_vcpu *c, struct vb_error *err)
{
	struct vmm_vm *vm = vmm_vcpu_vm(c);
	struct kvm_vmdata *d = VD(vm);
	struct kvm_vcpudata *cd = calloc(1, sizeof(*cd));
	int rc;

	if (!cd)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	vmm_vcpu_set_engine_data(c, cd);
	cd->fd = ioctl(d->vm_fd, KVM_CREATE_VCPU, (unsigned long)vmm_vcpu_index(c));
	if (cd->fd < 0)
		return nem_error(err, errno, "KVM_CREATE_VCPU failed: %s", strerror(errno));
	cd->run = mmap(NULL, (size_t)d->run_size, PROT_READ | PROT_WRITE,
		       MAP_SHARED, cd->fd, 0);
	if (cd->run == MAP_FAILED) {
		cd->run = NULL;
		return nem_error(err, errno, "mapping kvm_run failed: %s", strerror(errno));
	}
	rc = set_cpuid(c, err);
	if (rc)
		return rc;
	if (ioctl(cd->fd, KVM_GET_LAPIC, &cd->lapic0) < 0)
		return nem_error(err, errno, "KVM_GET_LAPIC failed: %s", strerror(errno));
	return 0;
}

/* Exit statistics for the log: where the time of a slow boot goes. */
static void log_exit_stats(struct vmm_vcpu *c, struct kvm_vcpudata *cd)
{
	struct strbuf sb = STRBUF_INIT;
	bool used[0x10000 / 8] = { false };
	unsigned k, i;

	for (k = 0; k < 5; k++) {
		unsigned best = 0;
		uint64_t n = 0;

		for (i = 0; i < 0x10000 / 8; i++) {
			if (!used[i] && cd->port_exits[i] > n) {
				n = cd->port_exits[i];
				best = i;
			}
		}
		if (!n)
			break;
		used[best] = true;
		sb_addf(&sb, " %#x-%#x: %llu", best * 8, best * 8 + 7,
			(unsigned long long)n);
	}
	vmm_log(vmm_vcpu_vm(c), "KVM: vCPU %u exits: %llu port I/O, %llu MMIO; busiest ports:%s",
		vmm_vcpu_index(c), (unsigned long long)cd->exits_io,
		(unsigned long long)cd->exits_mmio, sb_str(&sb));
	sb_release(&sb);
}

static void kvm_vcpu_release(struct vmm_vcpu *c)
{
	struct kvm_vcpudata *cd = CD(c);

	if (!cd)
		return;
	if (cd->exits_io || cd->exits_mmio)
		log_exit_stats(c, cd);
	if (cd->run)
		munmap(cd->run, (size_t)VD(vmm_vcpu_vm(c))->run_size);
	if (cd->fd >= 0)
		close(cd->fd);
	free(cd);
	vmm_vcpu_set_engine_data(c, NULL);
}

static void seg(struct kvm_segment *s, uint16_t sel, uint64_t base,
		uint8_t type)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->base = base;
	s->limit = 0xffff;
	s->type = type;
	s->present = 1;
	s->s = 1;
}

static int kvm_vcpu_reset(struct vmm_vcpu *c)
{
	struct vmm_vm *vm = vmm_vcpu_vm(c);
	struct kvm_vcpudata *cd = CD(c);
	bool bsp = vmm_vcpu_index(c) == 0;
	struct kvm_sregs sr;
	struct kvm_regs regs;
	struct kvm_fpu fpu;
	struct kvm_mp_state mp;
	struct kvm_vcpu_events ev;
	struct kvm_lapic_state lapic;
	union {
		struct kvm_msrs hdr;
		uint8_t raw[sizeof(struct kvm_msrs) + 12 * sizeof(struct kvm_msr_entry)];
	} msrs;
	static const uint32_t zero_msrs[] = {
		MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
		MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK, MSR_KERNEL_GS_BASE,
	};
	unsigned i, n = 0;

	if (ioctl(cd->fd, KVM_GET_SREGS, &sr) < 0)
		goto fail;
	seg(&sr.cs, 0xf000, 0xffff0000ull, 0xb);
	seg(&sr.ds, 0, 0, 0x3);
	sr.es = sr.fs = sr.gs = sr.ss = sr.ds;
	seg(&sr.tr, 0, 0, 0xb);
	sr.tr.s = 0;
	seg(&sr.ldt, 0, 0, 0x2);
	sr.ldt.s = 0;
	sr.gdt.base = sr.idt.base = 0;
	sr.gdt.limit = sr.idt.limit = 0xffff;
	sr.cr0 = 0x60000010ull;
	sr.cr2 = sr.cr3 = sr.cr4 = sr.cr8 = 0;
	sr.efer = 0;
	sr.apic_base = 0xfee00000ull | 0x800 | (bsp ? 0x100 : 0);
	memset(sr.interrupt_bitmap, 0, sizeof(sr.interrupt_bitmap));
	if (ioctl(cd->fd, KVM_SET_SREGS, &sr) < 0)
		goto fail;
	memset(&regs, 0, sizeof(regs));
	regs.rip = 0xfff0;
	regs.rflags = 0x2;
	regs.rdx = cd->cpuid1_eax;
	if (ioctl(cd->fd, KVM_SET_REGS, &regs) < 0)
		goto fail;
	memset(&fpu, 0, sizeof(fpu));
	fpu.fcw = 0x37f;
	fpu.mxcsr = 0x1f80;
	if (ioctl(cd->fd, KVM_SET_FPU, &fpu) < 0)
		goto fail;
	memset(&msrs, 0, sizeof(msrs));
	for (i = 0; i < sizeof(zero_msrs) / sizeof(zero_msrs[0]); i++)
		msrs.hdr.entries[n++].index = zero_msrs[i];
	msrs.hdr.entries[n].index = MSR_IA32_CR_PAT;
	msrs.hdr.entries[n++].data = 0x0007040600070406ull;
	msrs.hdr.entries[n].index = MSR_IA32_MISC_ENABLE;
	msrs.hdr.entries[n++].data = 1;         /* fast strings */
	msrs.hdr.nmsrs = n;
	if (ioctl(cd->fd, KVM_SET_MSRS, &msrs) < 0)
		vmm_log(vm, "KVM: vCPU %u: resetting MSRs failed: %s",
			vmm_vcpu_index(c), strerror(errno));
	/* A fresh local APIC; LINT0 takes the PIC (ExtINT) and LINT1 NMIs
	 * on the BSP, as the firmware would leave them. */
	lapic = cd->lapic0;
	if (bsp) {
		uint32_t lint0 = 0x700, lint1 = 0x400;

		memcpy(&lapic.regs[APIC_LVT0], &lint0, 4);
		memcpy(&lapic.regs[APIC_LVT1], &lint1, 4);
	}
	if (ioctl(cd->fd, KVM_SET_LAPIC, &lapic) < 0)
		goto fail;
	memset(&ev, 0, sizeof(ev));
	if (ioctl(cd->fd, KVM_SET_VCPU_EVENTS, &ev) < 0)
		vmm_log(vm, "KVM: vCPU %u: clearing pending events failed: %s",
			vmm_vcpu_index(c), strerror(errno));
	mp.mp_state = bsp ? KVM_MP_STATE_RUNNABLE : KVM_MP_STATE_UNINITIALIZED;
	if (ioctl(cd->fd, KVM_SET_MP_STATE, &mp) < 0)
		goto fail;
	cd->run->request_interrupt_window = 0;
	cd->run->immediate_exit = 0;
	return 0;
fail:
	vmm_log(vm, "KVM: vCPU %u: reset failed: %s", vmm_vcpu_index(c), strerror(errno));
	return -errno;
}

static void kvm_vcpu_thread(struct vmm_vcpu *c)
{
	struct kvm_vcpudata *cd = CD(c);
	sigset_t set;

	cd->thread = pthread_self();
	tls_run = cd->run;
	atomic_store(&cd->has_thread, true);
	sigemptyset(&set);
	sigaddset(&set, VD(vmm_vcpu_vm(c))->sig);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

static void kvm_vcpu_kick(struct vmm_vcpu *c)
{
	struct kvm_vcpudata *cd = CD(c);

	if (!cd)
		return;
	atomic_store(&cd->kick, true);
	if (atomic_load(&cd->has_thread))
		pthread_kill(cd->thread, VD(vmm_vcpu_vm(c))->sig);
}

/* ------------------------------------------------------------------ */
/* Running                                                             */

static void inject_pic(struct vmm_vcpu *c, struct board *b)
{
	struct kvm_vcpudata *cd = CD(c);
	struct kvm_run *run = cd->run;

	if (!board_intr_pending(b)) {
		run->request_interrupt_window = 0;
		return;
	}
	if (run->ready_for_interrupt_injection) {
		struct kvm_interrupt irq;

		irq.irq = (uint32_t)board_intr_ack(b);
		if (ioctl(cd->fd, KVM_INTERRUPT, &irq) < 0 && errno != EEXIST)
			vmm_log(vmm_vcpu_vm(c), "KVM: KVM_INTERRUPT of vector %#x failed: %s",
				irq.irq, strerror(errno));
		run->request_interrupt_window = board_intr_pending(b);
	} else {
		run->request_interrupt_window = 1;
	}
}

static void dump_state(struct vmm_vcpu *c, const char *why)
{
	struct vmm_vm *vm = vmm_vcpu_vm(c);
	struct kvm_vcpudata *cd = CD(c);
	struct kvm_regs r;
	struct kvm_sregs s;

	vmm_log(vm, "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
	vmm_log(vm, "!!");
	vmm_log(vm, "!! VCPU%u: Guru Meditation: %s", vmm_vcpu_index(c), why);
	vmm_log(vm, "!!");
	if (ioctl(cd->fd, KVM_GET_REGS, &r) == 0 && ioctl(cd->fd, KVM_GET_SREGS, &s) == 0) {
		vmm_log(vm, "rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx",
			r.rax, r.rbx, r.rcx, r.rdx);
		vmm_log(vm, "rsi=%016llx rdi=%016llx rbp=%016llx rsp=%016llx",
			r.rsi, r.rdi, r.rbp, r.rsp);
		vmm_log(vm, "rip=%016llx rflags=%08llx cs=%04x (base %llx) ss=%04x ds=%04x",
			r.rip, r.rflags, s.cs.selector, s.cs.base, s.ss.selector,
			s.ds.selector);
		vmm_log(vm, "cr0=%08llx cr3=%016llx cr4=%08llx efer=%llx",
			s.cr0, s.cr3, s.cr4, s.efer);
	}
}

static enum vmm_run exit_internal(struct vmm_vcpu *c, struct kvm_run *run)
{
	char buf[200], why[320];
	struct strbuf sb = STRBUF_INIT;
	unsigned i;

	for (i = 0; i < run->internal.ndata && i < 8; i++)
		sb_addf(&sb, " %#llx", (unsigned long long)run->internal.data[i]);
	snprintf(buf, sizeof(buf), "%s", sb_str(&sb));
	sb_release(&sb);
	snprintf(why, sizeof(why), "KVM internal error, suberror %u%s (data:%s)",
		 run->internal.suberror,
		 run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION ?
		 " (instruction emulation failed)" : "", buf);
	dump_state(c, why);
	return VMM_RUN_FATAL;
}

static enum vmm_run kvm_vcpu_run(struct vmm_vcpu *c)
{
	struct vmm_vm *vm = vmm_vcpu_vm(c);
	struct kvm_vcpudata *cd = CD(c);
	struct kvm_run *run = cd->run;
	struct board *b = vmm_board(vm);
	bool bsp = vmm_vcpu_index(c) == 0;
	char why[128];

	for (;;) {
		if (atomic_exchange(&cd->kick, false))
			return VMM_RUN_AGAIN;
		if (bsp)
			inject_pic(c, b);
		if (ioctl(cd->fd, KVM_RUN, 0) < 0) {
			int e = errno;

			run->immediate_exit = 0;
			if (e == EINTR || e == EAGAIN)
				return VMM_RUN_AGAIN;
			snprintf(why, sizeof(why), "KVM_RUN failed: %s", strerror(e));
			dump_state(c, why);
			return VMM_RUN_FATAL;
		}
		switch (run->exit_reason) {
		case KVM_EXIT_IO: {
			cd->exits_io++;
			cd->port_exits[run->io.port / 8]++;
			uint8_t *data = (uint8_t *)run + run->io.data_offset;
			bool out = run->io.direction == KVM_EXIT_IO_OUT;

			if (run->io.count == 1) {
				uint32_t v = 0;

				if (out)
					memcpy(&v, data, run->io.size);
				board_pio(b, run->io.port, out, run->io.size, &v);
				if (!out)
					memcpy(data, &v, run->io.size);
			} else {
				board_pio_string(b, run->io.port, out, run->io.size,
						 run->io.count, data);
			}
			break;
		}
		case KVM_EXIT_MMIO:
			cd->exits_mmio++;
			board_mmio(b, run->mmio.phys_addr, run->mmio.is_write,
				   run->mmio.len, run->mmio.data);
			break;
		case KVM_EXIT_IRQ_WINDOW_OPEN:
		case KVM_EXIT_HLT:
		case KVM_EXIT_INTR:
			break;
		case KVM_EXIT_IOAPIC_EOI:
			board_ioapic_eoi(b, run->eoi.vector);
			break;
		case KVM_EXIT_SHUTDOWN:
			return VMM_RUN_SHUTDOWN;
		case KVM_EXIT_SYSTEM_EVENT:
			if (run->system_event.type == KVM_SYSTEM_EVENT_RESET ||
			    run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN)
				return VMM_RUN_SHUTDOWN;
			snprintf(why, sizeof(why), "KVM system event %u",
				 run->system_event.type);
			dump_state(c, why);
			return VMM_RUN_FATAL;
		case KVM_EXIT_INTERNAL_ERROR:
			return exit_internal(c, run);
		case KVM_EXIT_FAIL_ENTRY:
			snprintf(why, sizeof(why), "VM entry failed, hardware reason %#llx",
				 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
			dump_state(c, why);
			return VMM_RUN_FATAL;
		default:
			snprintf(why, sizeof(why), "unexpected KVM exit %u", run->exit_reason);
			dump_state(c, why);
			return VMM_RUN_FATAL;
		}
	}
}

/* ------------------------------------------------------------------ */
/* Interrupts from the board (board lock held)                         */

static void kvm_irq_extint(struct vmm_vm *vm, bool level)
{
	if (level && vmm_vcpu_count(vm))
		kvm_vcpu_kick(vmm_vcpu_get(vm, 0));
}

static void kvm_irq_msi(struct vmm_vm *vm, uint64_t addr, uint32_t data)
{
	struct kvm_vmdata *d = VD(vm);
	struct kvm_msi msi;

	if (!d)
		return;
	memset(&msi, 0, sizeof(msi));
	msi.address_lo = (uint32_t)addr;
	msi.address_hi = (uint32_t)(addr >> 32);
	msi.data = data;
	if (ioctl(d->vm_fd, KVM_SIGNAL_MSI, &msi) < 0)
		vmm_log(vm, "KVM: KVM_SIGNAL_MSI failed: %s", strerror(errno));
}

static void kvm_ioapic_routes(struct vmm_vm *vm,
			      const struct board_msi_route routes[24])
{
	struct kvm_vmdata *d = VD(vm);
	union {
		struct kvm_irq_routing hdr;
		uint8_t raw[sizeof(struct kvm_irq_routing) +
			    24 * sizeof(struct kvm_irq_routing_entry)];
	} r;
	struct kvm_irq_routing_entry *e = r.hdr.entries;
	unsigned i, n = 0;

	if (!d)
		return;
	memset(&r, 0, sizeof(r));
	for (i = 0; i < 24; i++) {
		if (!routes[i].valid)
			continue;
		e[n].gsi = i;
		e[n].type = KVM_IRQ_ROUTING_MSI;
		e[n].u.msi.address_lo = (uint32_t)routes[i].addr;
		e[n].u.msi.address_hi = (uint32_t)(routes[i].addr >> 32);
		e[n].u.msi.data = routes[i].data;
		n++;
	}
	r.hdr.nr = n;
	if (ioctl(d->vm_fd, KVM_SET_GSI_ROUTING, &r) < 0)
		vmm_log(vm, "KVM: KVM_SET_GSI_ROUTING failed: %s", strerror(errno));
}

/* ------------------------------------------------------------------ */
/* The log: KVM facts and the hardware virtualization settings         */

static const char *param_yn(char c)
{
	return c == 'Y' || c == '1' ? "Y" : c == '?' ? "unknown" : "N";
}

static void log_knob(struct vmm_vm *vm, const char *what, bool want,
		     const char *enabled_line, const char *mod,
		     const char *param, char val)
{
	bool on = val == 'Y' || val == '1';

	if (want && on)
		vmm_log(vm, "HM: %s", enabled_line);
	else if (want)
		vmm_log(vm, "HM: %s: requested by the VM settings, but the host KVM has it off (%s %s=%s)",
			what, mod, param, param_yn(val));
	else if (on)
		vmm_log(vm, "HM: %s: disabled in the VM settings, but KVM decides this per host, not per VM: %s %s=%s stays in effect",
			what, mod, param, param_yn(val));
	else
		vmm_log(vm, "HM: %s: disabled (VM settings; host KVM %s %s=%s)",
			what, mod, param, param_yn(val));
}

static void kvm_log_facts(struct vmm_vm *vm)
{
	struct kvm_vmdata *d = VD(vm);
	const struct vmm_cpu_config *c = vmm_cpu_config(vm);
	const char *mod = host_module();

	vmm_log(vm, "KVM: API version %d, host module %s, vCPU mmap size %d, read-only memory %s",
		KVM_API_VERSION, mod, d->run_size, d->readonly_mem ? "yes" : "no");
	vmm_log(vm, "KVM: in-kernel local APICs, split irqchip (8259 pair, I/O APIC and 8254 in user space)");
	vmm_log(vm, "KVM: %u CPUID leaves from KVM_GET_SUPPORTED_CPUID", d->ncpuid);
	if (!strcmp(mod, "kvm_pvm")) {
		vmm_log(vm, "HM: The host KVM is PVM (kvm_pvm): no VT-x/AMD-V underneath; real mode, 16/32-bit protected mode and kernel-mode guest code are emulated by KVM (about 1 M instructions/s)");
		vmm_log(vm, "HM: Nested paging: %s by the VM settings, not available with kvm_pvm (guest page tables are shadowed by PVM)",
			c->nested_paging ? "requested" : "disabled");
		vmm_log(vm, "HM: VPID: %s by the VM settings, not available with kvm_pvm (no VT-x)",
			c->vpid ? "requested" : "disabled");
		vmm_log(vm, "HM: Unrestricted guest execution: %s by the VM settings, not available with kvm_pvm (real mode is emulated)",
			c->unrestricted ? "requested" : "disabled");
	} else if (!strcmp(mod, "kvm_intel")) {
		vmm_log(vm, "HM: Using VT-x through KVM (kvm_intel)");
		log_knob(vm, "Nested paging", c->nested_paging, "Enabled nested paging",
			 "kvm_intel", "ept", module_param("kvm_intel", "ept"));
		log_knob(vm, "Unrestricted guest execution", c->unrestricted,
			 "Enabled unrestricted guest execution", "kvm_intel",
			 "unrestricted_guest", module_param("kvm_intel", "unrestricted_guest"));
		log_knob(vm, "VPID", c->vpid, "Enabled VPID", "kvm_intel", "vpid",
			 module_param("kvm_intel", "vpid"));
	} else if (!strcmp(mod, "kvm_amd")) {
		vmm_log(vm, "HM: Using AMD-V through KVM (kvm_amd)");
		log_knob(vm, "Nested paging", c->nested_paging, "Enabled nested paging",
			 "kvm_amd", "npt", module_param("kvm_amd", "npt"));
		vmm_log(vm, "HM: VPID: AMD-V always uses ASIDs (the setting only applies to VT-x)");
		vmm_log(vm, "HM: Unrestricted guest execution: always available with AMD-V (the setting only applies to VT-x)");
	} else {
		vmm_log(vm, "HM: Host KVM module not identified; nested paging, VPID and unrestricted guest are whatever it provides");
	}
}

const struct vmm_engine vmm_engine_kvm = {
	.name = "kvm",
	.label = "KVM",
	.probe = kvm_probe,
	.vm_init = kvm_vm_init,
	.vm_release = kvm_vm_release,
	.vcpu_init = kvm_vcpu_init,
	.vcpu_release = kvm_vcpu_release,
	.vcpu_reset = kvm_vcpu_reset,
	.vcpu_thread = kvm_vcpu_thread,
	.vcpu_run = kvm_vcpu_run,
	.vcpu_kick = kvm_vcpu_kick,
	.irq_extint = kvm_irq_extint,
	.irq_msi = kvm_irq_msi,
	.ioapic_routes = kvm_ioapic_routes,
	.log_facts = kvm_log_facts,
};
