/*
 * The VM object: configuration, session lock, log, memory, board, engine,
 * vCPU threads, the event loop and the state machine.
 *
 * Threads: the caller of vmm_vm_run() runs the event loop (board timers,
 * backends, requests); each vCPU has its own thread running the engine.
 * Requests (power off, reset, triple fault, engine failure) are posted as
 * bits and handled on the event-loop thread, which parks every vCPU
 * (kick, then wait until all sit in the park) before it touches CPU or
 * machine state.
 *
 * States and their log lines follow VirtualBox: "Changing the VM state
 * from 'X' to 'Y'" and "Console: Machine state changed to 'Z'".
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "lib/util/fileio.h"
#include "lib/util/strbuf.h"
#include "lib/util/timefmt.h"
#include "lib/vmm/vmm-int.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define VB_VERSION_STRING STR(VB_VERSION_MAJOR) "." STR(VB_VERSION_MINOR) "." \
	STR(VB_VERSION_BUILD) "_" VB_VERSION_TAG

#define CAP_WINDOW_NS 100000000ull      /* execution cap accounting */
#define CAP_TICK_MS   10

/* ------------------------------------------------------------------ */
/* Services for engines                                                */

struct board *vmm_board(struct vmm_vm *vm) { return vm->board; }
unsigned vmm_vcpu_count(struct vmm_vm *vm) { return vm->ncpus; }
struct vmm_vcpu *vmm_vcpu_get(struct vmm_vm *vm, unsigned i)
{
	return i < vm->ncpus ? &vm->vcpus[i] : NULL;
}
struct vmm_vm *vmm_vcpu_vm(struct vmm_vcpu *c) { return c->vm; }
unsigned vmm_vcpu_index(struct vmm_vcpu *c) { return c->idx; }
void *vmm_engine_data(struct vmm_vm *vm) { return vm->engine_data; }
void vmm_set_engine_data(struct vmm_vm *vm, void *p) { vm->engine_data = p; }
void *vmm_vcpu_engine_data(struct vmm_vcpu *c) { return c->engine_data; }
void vmm_vcpu_set_engine_data(struct vmm_vcpu *c, void *p) { c->engine_data = p; }
const struct vmm_cpu_config *vmm_cpu_config(struct vmm_vm *vm) { return &vm->cfg.cpu; }
unsigned vmm_mem_region_count(struct vmm_vm *vm) { return vm->mem.n; }

const struct vmm_mem_region *vmm_mem_region(struct vmm_vm *vm, unsigned i)
{
	return i < vm->mem.n ? &vm->mem.region[i] : NULL;
}

void *vmm_gpa_ptr(struct vmm_vm *vm, uint64_t gpa, size_t len, bool write)
{
	unsigned i;

	for (i = 0; i < vm->mem.n; i++) {
		const struct vmm_mem_region *r = &vm->mem.region[i];

		if (gpa >= r->gpa && gpa - r->gpa <= r->size &&
		    len <= r->size - (gpa - r->gpa)) {
			if (write && (r->flags & VMM_MEM_ROM))
				return NULL;
			return r->hva + (gpa - r->gpa);
		}
	}
	return NULL;
}

void vmm_log(struct vmm_vm *vm, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmm_log_vline(&vm->log, fmt, ap);
	va_end(ap);
}

void vmm_vm_log(struct vmm_vm *vm, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmm_log_vline(&vm->log, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------ */
/* States and requests                                                 */

const char *vmm_state_name(enum vmm_state s)
{
	static const char *const names[] = {
		"CREATING", "CREATED", "POWERING_ON", "RUNNING", "SUSPENDED",
		"RESETTING", "GURU_MEDITATION", "POWERING_OFF", "OFF",
	};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

void vmm_vm_set_state(struct vmm_vm *vm, enum vmm_state s)
{
	enum vmm_state old;

	pthread_mutex_lock(&vm->state_lock);
	old = vm->state;
	vm->state = s;
	pthread_mutex_unlock(&vm->state_lock);
	if (old != s)
		vmm_log(vm, "Changing the VM state from '%s' to '%s'",
			vmm_state_name(old), vmm_state_name(s));
}

enum vmm_state vmm_vm_state(struct vmm_vm *vm)
{
	enum vmm_state s;

	pthread_mutex_lock(&vm->state_lock);
	s = vm->state;
	pthread_mutex_unlock(&vm->state_lock);
	return s;
}

void vmm_vm_post(struct vmm_vm *vm, unsigned req)
{
	atomic_fetch_or(&vm->requests, req);
	loop_wake(&vm->loop);
}

void vmm_vm_request_poweroff(struct vmm_vm *vm)
{
	vmm_vm_post(vm, REQ_POWEROFF);
}

int vmm_vm_fd_watch(struct vmm_vm *vm, int fd, uint32_t events,
		    void (*cb)(void *arg, uint32_t revents), void *arg)
{
	return loop_watch(&vm->loop, fd, events, cb, arg);
}

void vmm_vm_fd_unwatch(struct vmm_vm *vm, int fd)
{
	loop_unwatch(&vm->loop, fd);
}

/* ------------------------------------------------------------------ */
/* The board's view of the host                                        */

static void host_log(void *o, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void host_log(void *o, const char *fmt, va_list ap)
{
	struct vmm_vm *vm = o;

	vmm_log_vline(&vm->log, fmt, ap);
}

static bool engine_ready(struct vmm_vm *vm)
{
	return vm->engine && vm->engine_data;
}

static void host_intr(void *o, bool level)
{
	struct vmm_vm *vm = o;

	if (engine_ready(vm) && vm->engine->irq_extint)
		vm->engine->irq_extint(vm, level);
}

static void host_msi(void *o, uint64_t addr, uint32_t data)
{
	struct vmm_vm *vm = o;

	if (engine_ready(vm) && vm->engine->irq_msi)
		vm->engine->irq_msi(vm, addr, data);
}

static void host_ioapic(void *o, const struct board_msi_route r[24])
{
	struct vmm_vm *vm = o;

	if (engine_ready(vm) && vm->engine->ioapic_routes)
		vm->engine->ioapic_routes(vm, r);
}

static void host_reset(void *o, enum board_reset_cause c)
{
	(void)c;
	vmm_vm_post(o, REQ_RESET);
}

static void host_poweroff(void *o)
{
	vmm_vm_post(o, REQ_GUEST_POWEROFF);
}

static void host_timers(void *o)
{
	struct vmm_vm *vm = o;

	loop_wake(&vm->loop);
}

static int host_fd_watch(void *o, int fd, uint32_t ev,
			 void (*cb)(void *, uint32_t), void *arg)
{
	struct vmm_vm *vm = o;

	return loop_watch(&vm->loop, fd, ev, cb, arg);
}

static int host_fd_modify(void *o, int fd, uint32_t ev)
{
	struct vmm_vm *vm = o;

	return loop_modify(&vm->loop, fd, ev);
}

static void host_fd_unwatch(void *o, int fd)
{
	struct vmm_vm *vm = o;

	loop_unwatch(&vm->loop, fd);
}

/* ------------------------------------------------------------------ */
/* The log's opening                                                   */

static void log_header(struct vmm_vm *vm)
{
	struct utsname u;
	struct sysinfo si;
	char now[64], exe[512], *cpuinfo = NULL;
	size_t len;
	ssize_t n;
	const char *model = "unknown";
	char *line_end;

	vmm_log(vm, "VirtualBox VM %s r%d linux.amd64 (%s %s) release log",
		VB_VERSION_STRING, VB_REVISION, __DATE__, __TIME__);
	vmm_log(vm, "Log opened %s", vb_time_iso_ns(vb_now_ns(), now, sizeof(now)));
	vmm_log(vm, "Build Type: release");
	if (uname(&u) == 0) {
		vmm_log(vm, "OS Product: %s", u.sysname);
		vmm_log(vm, "OS Release: %s", u.release);
		vmm_log(vm, "OS Version: %s", u.version);
	}
	if (sysinfo(&si) == 0) {
		uint64_t tot = (uint64_t)si.totalram * si.mem_unit >> 20;
		uint64_t fr = (uint64_t)(si.freeram + si.bufferram) * si.mem_unit >> 20;

		vmm_log(vm, "Host RAM: %lluMB (%.1fGB) total, %lluMB (%.1fGB) available",
			(unsigned long long)tot, tot / 1024.0,
			(unsigned long long)fr, fr / 1024.0);
	}
	if (vb_read_file("/proc/cpuinfo", 1 << 20, &cpuinfo, &len, NULL) == 0) {
		char *p = strstr(cpuinfo, "model name");

		if (p && (p = strchr(p, ':'))) {
			p += 2;
			line_end = strchr(p, '\n');
			if (line_end)
				*line_end = 0;
			model = p;
		}
	}
	vmm_log(vm, "Host CPU: %s, %ld logical CPUs", model, sysconf(_SC_NPROCESSORS_ONLN));
	free(cpuinfo);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	vmm_log(vm, "Executable: %s", vm->opt.executable ? vm->opt.executable : exe);
	vmm_log(vm, "Process ID: %d", (int)getpid());
	vmm_log(vm, "Package type: LINUX_64BITS_GENERIC");
	vmm_log(vm, "Front end: %s", vm->opt.frontend ? vm->opt.frontend : "headless");
}

static const char *onoff(bool b)
{
	return b ? "on" : "off";
}

static const char *boot_name(enum board_boot_dev d)
{
	switch (d) {
	case BOARD_BOOT_FLOPPY: return "Floppy";
	case BOARD_BOOT_DVD: return "DVD";
	case BOARD_BOOT_HDD: return "HardDisk";
	case BOARD_BOOT_NET: return "Network";
	default: return "None";
	}
}

static const char *pv_name(enum vmm_paravirt p)
{
	static const char *const n[] = { "None", "Default", "Legacy", "Minimal",
					 "HyperV", "KVM" };

	return n[p];
}

static void log_config(struct vmm_vm *vm)
{
	struct vmm_config *c = &vm->cfg;
	unsigned i;

	vmm_log(vm, "Effective configuration:");
	vmm_log(vm, "  Name: %s", c->name);
	vmm_log(vm, "  UUID: %s", c->uuid);
	vmm_log(vm, "  Settings file: %s", c->settings_path);
	vmm_log(vm, "  OS type: %s", c->ostype);
	vmm_log(vm, "  RAM: %llu MB (%llu MB below 4 GiB)",
		(unsigned long long)c->ram_mb,
		(unsigned long long)(c->board.ram_below_4g >> 20));
	vmm_log(vm, "  CPUs: %u, execution cap %u%%, profile %s", c->cpu.cpus,
		c->cpu.exec_cap, c->cpu.profile ? c->cpu.profile : "host");
	vmm_log(vm, "  CPU: PAE %s, long mode %s, APIC %s, x2APIC %s, nested hardware virtualization %s, paravirt provider %s",
		onoff(c->cpu.pae), onoff(c->cpu.long_mode), onoff(c->cpu.apic),
		onoff(c->cpu.x2apic), onoff(c->cpu.nested_hw_virt),
		pv_name(c->cpu.paravirt));
	vmm_log(vm, "  Hardware virtualization settings: hwvirtex %s, nested paging %s, VPID %s, unrestricted guest %s, large pages %s, triple fault reset %s",
		onoff(c->cpu.hwvirtex), onoff(c->cpu.nested_paging),
		onoff(c->cpu.vpid), onoff(c->cpu.unrestricted),
		onoff(c->cpu.large_pages), onoff(c->cpu.triple_fault_reset));
	for (i = 0; i < c->cpu.n_overrides; i++) {
		const struct vmm_cpuid_leaf *l = &c->cpu.overrides[i];

		vmm_log(vm, "  CPUID override: leaf %#x%s%.0x eax=%#010x ebx=%#010x ecx=%#010x edx=%#010x",
			l->leaf, l->has_subleaf ? " subleaf " : "",
			l->has_subleaf ? l->subleaf : 0, l->eax, l->ebx, l->ecx, l->edx);
	}
	vmm_log(vm, "  Chipset: %s, firmware %s (%s), ACPI %s, I/O APIC %s, RTC %s, time offset %lld ms",
		c->chipset, c->firmware, c->bios_path, onoff(c->acpi),
		onoff(c->ioapic), c->rtc_utc ? "UTC" : "local time",
		(long long)c->board.time_offset_ms);
	vmm_log(vm, "  Boot order: %s, %s, %s, %s", boot_name(c->board.boot[0]),
		boot_name(c->board.boot[1]), boot_name(c->board.boot[2]),
		boot_name(c->board.boot[3]));
	for (i = 0; i < c->n_lines; i++)
		vmm_log(vm, "  %s", c->lines[i]);
}

/* ------------------------------------------------------------------ */
/* Engine choice                                                       */

static int select_engine(struct vmm_vm *vm, enum vmm_fail *where,
			 struct vb_error *err)
{
	const struct vmm_engine *kvm = &vmm_engine_kvm, *iem = &vmm_engine_iem;
	struct vb_error kerr = { 0 }, ierr = { 0 };
	const char *src = vm->cfg.engine_req_src;
	bool kvm_ok, iem_ok, pvm;

	*where = VMM_FAIL_POWERUP;
	switch (vm->cfg.engine_req) {
	case ENGINE_REQ_KVM:
		if (kvm->probe(vm, &kerr)) {
			vb_err(err, kerr.errnum, VB_E_FAIL,
			       "The KVM execution engine was requested (%s) but cannot run here. %s",
			       src, kerr.msg);
			return -kerr.errnum;
		}
		vm->engine = kvm;
		vmm_log(vm, "EM: Execution engine: KVM (requested by %s)", src);
		return 0;
	case ENGINE_REQ_IEM:
		if (iem->probe(vm, &ierr)) {
			vb_err(err, ierr.errnum, VB_E_FAIL,
			       "The software execution engine was requested (%s) but cannot run here. %s",
			       src, ierr.msg);
			return -ierr.errnum;
		}
		vm->engine = iem;
		vmm_log(vm, "EM: Execution engine: %s (requested by %s)", iem->label, src);
		return 0;
	default:
		break;
	}
	kvm_ok = kvm->probe(vm, &kerr) == 0;
	iem_ok = iem->probe(vm, &ierr) == 0;
	pvm = vmm_kvm_host_is_pvm();
	if (vm->cfg.engine_req == ENGINE_REQ_AUTO && kvm_ok && pvm) {
		if (iem_ok) {
			vm->engine = iem;
			vmm_log(vm, "EM: Execution engine: %s (auto: the host KVM is PVM, which emulates guest kernel code at about 1 M instructions/s)",
				iem->label);
		} else {
			vm->engine = kvm;
			vmm_log(vm, "EM: Execution engine: KVM (auto: the host KVM is PVM and would emulate kernel code slowly, but the software engine is not available: %s)",
				ierr.msg);
		}
		return 0;
	}
	if (kvm_ok) {
		vm->engine = kvm;
		vmm_log(vm, "EM: Execution engine: KVM (%s)", src);
		return 0;
	}
	if (iem_ok) {
		vm->engine = iem;
		vmm_log(vm, "EM: Execution engine: %s (%s; KVM is not usable: %s)",
			iem->label, src, kerr.msg);
		return 0;
	}
	vb_err(err, kerr.errnum ? kerr.errnum : ENOTSUP, VB_E_FAIL, "%s\n%s",
	       kerr.msg, ierr.msg);
	return -(kerr.errnum ? kerr.errnum : ENOTSUP);
}

/* ------------------------------------------------------------------ */
/* Creation                                                            */

/* The IPRT status of an error: the last "(VERR_...)" in its text, else
 * one derived from the errno. */
static void status_of(const struct vb_error *err, char *buf, size_t size)
{
	const char *p = err->msg, *q, *last = NULL;

	while ((q = strstr(p, "(VERR_"))) {
		last = q + 1;
		p = q + 1;
	}
	if (last && (q = strchr(last, ')')) && (size_t)(q - last) < size) {
		memcpy(buf, last, (size_t)(q - last));
		buf[q - last] = 0;
		return;
	}
	snprintf(buf, size, "%s", vmm_verr_name(err->errnum));
}

static int vm_fail(struct vmm_vm *vm, struct vb_error *err, bool logged)
{
	if (logged) {
		char *p, *msg = vb_strdup(err->msg), vrc[64];

		if (msg) {
			for (p = msg; *p; p++)
				if (*p == '\n')
					*p = ' ';
			vmm_log(vm, "VMSetError: %s", msg);
			free(msg);
		}
		status_of(err, vrc, sizeof(vrc));
		vmm_log(vm, "Power up failed (vrc=%s, rc=%s (0X%08X))",
			vrc, vb_hrc_name(err->hrc ? err->hrc : VB_E_FAIL),
			err->hrc ? err->hrc : VB_E_FAIL);
		vmm_vm_set_state(vm, VMM_OFF);
		vmm_log(vm, "Console: Machine state changed to 'PoweredOff'");
	}
	return -(err->errnum ? err->errnum : EINVAL);
}

int vmm_vm_create(struct machine *m, const struct vmm_options *opt,
		  struct vmm_vm **out, enum vmm_fail *where,
		  struct vb_error *err)
{
	struct vmm_vm *vm;
	struct board_host host;
	struct vb_error lerr;
	enum vmm_fail cfg_where;
	unsigned i;
	int rc;

	*out = NULL;
	*where = VMM_FAIL_LOCK;
	memset(&lerr, 0, sizeof(lerr));
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	*out = vm;
	vm->session.fd = -1;
	vm->loop.epfd = vm->loop.wakefd = vm->loop.timerfd = -1;
	pthread_mutex_init(&vm->state_lock, NULL);
	pthread_cond_init(&vm->state_cond, NULL);
	vm->opt = *opt;
	vm->state = VMM_CREATING;

	rc = vmm_config_load(m, &vm->cfg, where, err);
	if (rc && *where == VMM_FAIL_LOCK)
		return rc;
	cfg_where = *where;
	/* The session lock before anything touches the machine's files; a
	 * running VM wins over any configuration complaint. */
	if (vmm_session_lock(vm->cfg.uuid, machine_name(m), &vm->session,
			     &vm->runtime_dir, &lerr) < 0) {
		*err = lerr;
		*where = VMM_FAIL_LOCK;
		return -EBUSY;
	}
	if (vmm_log_open(&vm->log, vm->cfg.log_dir, vm->cfg.log_history, &lerr)) {
		if (!rc) {
			*err = lerr;
			*where = VMM_FAIL_POWERUP;
			return -EIO;
		}
		return rc;
	}
	log_header(vm);
	if (rc) {
		*where = cfg_where;
		return vm_fail(vm, err, true);
	}
	log_config(vm);

	*where = VMM_FAIL_POWERUP;
	vm->ncpus = vm->cfg.cpu.cpus;
	rc = select_engine(vm, where, err);
	if (rc)
		return vm_fail(vm, err, true);
	rc = vmm_mem_init(&vm->mem, &vm->cfg, err);
	if (rc)
		return vm_fail(vm, err, true);
	vmm_log(vm, vm->mem.huge ? "HM: Enabled large page support" :
		"HM: Large page support disabled (VM settings)");
	vmm_log(vm, "MM: Guest RAM %llu MB at %p, %s", (unsigned long long)vm->cfg.ram_mb,
		(void *)vm->mem.ram,
		vm->mem.huge ? "backed by transparent huge pages (madvise MADV_HUGEPAGE)" :
		"small pages only (madvise MADV_NOHUGEPAGE)");
	rc = loop_init(&vm->loop);
	if (rc) {
		vb_err(err, -rc, VB_E_FAIL, "Cannot create the event loop (%s)", strerror(-rc));
		return vm_fail(vm, err, true);
	}
	memset(&host, 0, sizeof(host));
	host.opaque = vm;
	host.log = host_log;
	host.intr_changed = host_intr;
	host.msi = host_msi;
	host.ioapic_changed = host_ioapic;
	host.reset = host_reset;
	host.poweroff = host_poweroff;
	host.timers_changed = host_timers;
	host.fd_watch = host_fd_watch;
	host.fd_modify = host_fd_modify;
	host.fd_unwatch = host_fd_unwatch;
	rc = board_new(&vm->cfg.board, &host, &vm->board, err);
	if (rc)
		return vm_fail(vm, err, true);
	{
		char devs[512];

		board_describe(vm->board, devs, sizeof(devs));
		vmm_log(vm, "  Devices: %s", devs);
	}
	rc = vm->engine->vm_init(vm, err);
	if (rc)
		return vm_fail(vm, err, true);
	vm->vcpus = calloc(vm->ncpus, sizeof(*vm->vcpus));
	if (!vm->vcpus) {
		vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
		return vm_fail(vm, err, true);
	}
	for (i = 0; i < vm->ncpus; i++) {
		vm->vcpus[i].vm = vm;
		vm->vcpus[i].idx = i;
		rc = vm->engine->vcpu_init(&vm->vcpus[i], err);
		if (rc)
			return vm_fail(vm, err, true);
	}
	if (vm->engine->log_facts)
		vm->engine->log_facts(vm);
	{
		struct board_msi_route r[24];

		if (board_ioapic_routes(vm->board, r) && vm->engine->ioapic_routes)
			vm->engine->ioapic_routes(vm, r);
	}
	vmm_vm_set_state(vm, VMM_CREATED);
	*where = VMM_FAIL_NONE;
	return 0;
}

/* ------------------------------------------------------------------ */
/* vCPU threads                                                        */

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* --cpu-execution-cap: keep the vCPU thread's CPU time at cap % of the
 * wall-clock time by sleeping when it ran ahead (VirtualBox halts its EMT
 * the same way).  The event loop kicks capped vCPUs every 10 ms so that
 * this is checked often. */
static void exec_cap_throttle(unsigned cap, uint64_t *win_start,
			      uint64_t *win_cpu, uint64_t used)
{
	uint64_t now = mono_ns(), elapsed, due;

	*win_cpu += used;
	elapsed = now - *win_start;
	due = *win_cpu * 100 / cap;
	if (due > elapsed) {
		struct timespec ts;
		uint64_t d = due - elapsed;

		if (d > 1000000000ull)
			d = 1000000000ull;
		ts.tv_sec = (time_t)(d / 1000000000ull);
		ts.tv_nsec = (long)(d % 1000000000ull);
		nanosleep(&ts, NULL);
		now = mono_ns();
		elapsed = now - *win_start;
	}
	if (elapsed >= CAP_WINDOW_NS) {
		*win_start = now;
		*win_cpu = 0;
	}
}

static void *vcpu_main(void *arg)
{
	struct vmm_vcpu *c = arg;
	struct vmm_vm *vm = c->vm;
	uint64_t win_start = mono_ns(), win_cpu = 0;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (vm->engine->vcpu_thread)
		vm->engine->vcpu_thread(c);
	for (;;) {
		enum vmm_run r;
		uint64_t t0;
		bool quit;

		pthread_mutex_lock(&vm->state_lock);
		while ((vm->stop || c->parked) && !vm->quit) {
			if (!c->parked) {
				c->parked = true;
				vm->parked++;
				pthread_cond_broadcast(&vm->state_cond);
			}
			pthread_cond_wait(&vm->state_cond, &vm->state_lock);
			if (!vm->stop && !c->hold) {
				c->parked = false;
				vm->parked--;
			}
		}
		quit = vm->quit;
		pthread_mutex_unlock(&vm->state_lock);
		if (quit)
			break;
		t0 = thread_cpu_ns();
		r = vm->engine->vcpu_run(c);
		if (vm->cfg.cpu.exec_cap < 100)
			exec_cap_throttle(vm->cfg.cpu.exec_cap, &win_start, &win_cpu,
					  thread_cpu_ns() - t0);
		if (r == VMM_RUN_AGAIN)
			continue;
		/* The vCPU cannot go on by itself: hold it until the event
		 * loop resets or powers off the machine. */
		pthread_mutex_lock(&vm->state_lock);
		c->hold = true;
		c->parked = true;
		vm->parked++;
		pthread_cond_broadcast(&vm->state_cond);
		pthread_mutex_unlock(&vm->state_lock);
		vmm_vm_post(vm, r == VMM_RUN_SHUTDOWN ? REQ_SHUTDOWN : REQ_FATAL);
	}
	return NULL;
}

static void park_all(struct vmm_vm *vm)
{
	unsigned i;

	pthread_mutex_lock(&vm->state_lock);
	vm->stop = true;
	pthread_mutex_unlock(&vm->state_lock);
	for (i = 0; i < vm->ncpus; i++)
		if (vm->engine->vcpu_kick)
			vm->engine->vcpu_kick(&vm->vcpus[i]);
	pthread_mutex_lock(&vm->state_lock);
	while (vm->parked < vm->nthreads)
		pthread_cond_wait(&vm->state_cond, &vm->state_lock);
	pthread_mutex_unlock(&vm->state_lock);
}

static void unpark_all(struct vmm_vm *vm)
{
	unsigned i;

	pthread_mutex_lock(&vm->state_lock);
	vm->stop = false;
	for (i = 0; i < vm->ncpus; i++)
		vm->vcpus[i].hold = false;
	pthread_cond_broadcast(&vm->state_cond);
	pthread_mutex_unlock(&vm->state_lock);
}

static int reset_cpus(struct vmm_vm *vm)
{
	unsigned i;
	int rc;

	for (i = 0; i < vm->ncpus; i++) {
		rc = vm->engine->vcpu_reset(&vm->vcpus[i]);
		if (rc)
			return rc;
	}
	return 0;
}

static void do_reset(struct vmm_vm *vm, const char *why)
{
	park_all(vm);
	vmm_log(vm, "VM reset: %s", why);
	vmm_vm_set_state(vm, VMM_RESETTING);
	board_reset(vm->board);
	vmm_mem_load_bios(&vm->mem);
	if (reset_cpus(vm)) {
		vmm_log(vm, "VM reset failed; the VM stays stopped");
		vmm_vm_set_state(vm, VMM_GURU_MEDITATION);
		vmm_log(vm, "Console: Machine state changed to 'Stuck'");
		return;
	}
	vmm_vm_set_state(vm, VMM_RUNNING);
	unpark_all(vm);
}

static void guru(struct vmm_vm *vm, const char *why)
{
	park_all(vm);
	vmm_log(vm, "EM: %s; the VM is stopped until it is powered off or reset", why);
	vmm_vm_set_state(vm, VMM_GURU_MEDITATION);
	vmm_log(vm, "Console: Machine state changed to 'Stuck'");
}

static void stop_threads(struct vmm_vm *vm)
{
	unsigned i;

	pthread_mutex_lock(&vm->state_lock);
	vm->quit = true;
	pthread_cond_broadcast(&vm->state_cond);
	pthread_mutex_unlock(&vm->state_lock);
	for (i = 0; i < vm->ncpus; i++) {
		if (!vm->vcpus[i].thread_started)
			continue;
		if (vm->engine->vcpu_kick)
			vm->engine->vcpu_kick(&vm->vcpus[i]);
		pthread_join(vm->vcpus[i].thread, NULL);
		vm->vcpus[i].thread_started = false;
	}
	vm->nthreads = 0;
}

int vmm_vm_run(struct vmm_vm *vm, struct vb_error *err)
{
	unsigned i;
	bool done = false;
	uint64_t last_kick = mono_ns();

	vmm_vm_set_state(vm, VMM_POWERING_ON);
	if (reset_cpus(vm)) {
		vb_err(err, EIO, VB_E_FAIL, "Resetting the virtual CPUs failed");
		vmm_vm_set_state(vm, VMM_OFF);
		return -EIO;
	}
	vm->stop = vm->opt.start_paused;
	for (i = 0; i < vm->ncpus; i++) {
		struct vmm_vcpu *c = &vm->vcpus[i];

		if (pthread_create(&c->thread, NULL, vcpu_main, c)) {
			vb_err(err, EAGAIN, VB_E_FAIL, "Cannot create the vCPU threads");
			stop_threads(vm);
			vmm_vm_set_state(vm, VMM_OFF);
			return -EAGAIN;
		}
		c->thread_started = true;
		vm->nthreads++;
	}
	if (vm->opt.start_paused) {
		vmm_vm_set_state(vm, VMM_SUSPENDED);
		vmm_log(vm, "Console: Machine state changed to 'Paused'");
	} else {
		vmm_vm_set_state(vm, VMM_RUNNING);
		vmm_log(vm, "Console: Machine state changed to 'Running'");
	}
	while (!done) {
		uint64_t next = board_timers_run(vm->board);
		unsigned req;
		bool timer;

		loop_arm_timer(&vm->loop, next == UINT64_MAX ? UINT64_MAX :
			       board_clock_host_ns(vm->board, next));
		loop_run_once(&vm->loop, vm->cfg.cpu.exec_cap < 100 ? CAP_TICK_MS : -1,
			      &timer);
		req = atomic_exchange(&vm->requests, 0);
		if (req & REQ_GUEST_POWEROFF) {
			vm->poweroff_reason = "the guest powered off (ACPI S5)";
			done = true;
		} else if (req & REQ_POWEROFF) {
			vm->poweroff_reason = "power off requested";
			done = true;
		} else if (req & REQ_FATAL) {
			guru(vm, "a virtual CPU hit an error it cannot continue from (Guru Meditation)");
		} else if (req & REQ_SHUTDOWN) {
			if (vm->cfg.cpu.triple_fault_reset)
				do_reset(vm, "triple fault, and TripleFaultReset is on");
			else
				guru(vm, "Triple fault (VINF_EM_TRIPLE_FAULT); TripleFaultReset is off");
		} else if (req & REQ_RESET) {
			if (vmm_vm_state(vm) == VMM_RUNNING)
				do_reset(vm, "requested by the guest");
		}
		if (vm->cfg.cpu.exec_cap < 100 && mono_ns() - last_kick >= CAP_TICK_MS * 1000000ull &&
		    vmm_vm_state(vm) == VMM_RUNNING) {
			last_kick = mono_ns();
			for (i = 0; i < vm->ncpus; i++)
				vm->engine->vcpu_kick(&vm->vcpus[i]);
		}
	}
	vmm_log(vm, "Powering off: %s", vm->poweroff_reason);
	vmm_vm_set_state(vm, VMM_POWERING_OFF);
	stop_threads(vm);
	vmm_vm_set_state(vm, VMM_OFF);
	vmm_log(vm, "Console: Machine state changed to 'PoweredOff'");
	return 0;
}

void vmm_vm_free(struct vmm_vm *vm)
{
	unsigned i;

	if (!vm)
		return;
	if (vm->nthreads)
		stop_threads(vm);
	if (vm->engine) {
		for (i = 0; vm->vcpus && i < vm->ncpus; i++)
			if (vm->vcpus[i].engine_data && vm->engine->vcpu_release)
				vm->engine->vcpu_release(&vm->vcpus[i]);
		if (vm->engine_data && vm->engine->vm_release)
			vm->engine->vm_release(vm);
	}
	free(vm->vcpus);
	board_free(vm->board);
	vmm_mem_release(&vm->mem);
	if (vm->loop.epfd >= 0)
		loop_release(&vm->loop);
	vmm_config_release(&vm->cfg);
	if (vm->log.f)
		vmm_log_line(&vm->log, "VM process exiting");
	vmm_log_close(&vm->log);
	vb_lock_release(&vm->session);
	free(vm->runtime_dir);
	pthread_cond_destroy(&vm->state_cond);
	pthread_mutex_destroy(&vm->state_lock);
	free(vm);
}
