/* lib/vmm building blocks: VBox.log rotation and format, the event loop,
 * CPUID shaping, the session lock. */
#include <stdlib.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "lib/util/fileio.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"
#include "lib/vmm/vmm-int.h"

static char *slurp(const char *path)
{
	char *d = NULL;
	size_t n;

	if (vb_read_file(path, 1 << 20, &d, &n, NULL))
		return NULL;
	return d;
}

void test_vmm_log__format_and_rotation(void)
{
	struct vmm_log l;
	char dir[512], *p, *t;
	unsigned i;

	snprintf(dir, sizeof(dir), "%s/Logs", t_tmpdir());
	for (i = 0; i < 5; i++) {
		T_OK(vmm_log_open(&l, dir, 3, NULL));
		vmm_log_line(&l, "run %u", i);
		vmm_log_line(&l, "two\nlines");
		vmm_log_close(&l);
	}
	p = path_join(dir, "VBox.log");
	t = slurp(p);
	T_ASSERT(t);
	/* "00:00:00.000012 run 4" */
	T_ASSERT(strlen(t) > 16 && t[2] == ':' && t[5] == ':' && t[8] == '.');
	T_ASSERT(!strncmp(t + 16, "run 4\n", 6));
	T_ASSERT(strstr(t, " two\n") && strstr(t, " lines\n"));
	free(t);
	free(p);
	p = path_join(dir, "VBox.log.1");
	t = slurp(p);
	T_ASSERT(t && strstr(t, "run 3"));
	free(t);
	free(p);
	p = path_join(dir, "VBox.log.3");
	t = slurp(p);
	T_ASSERT(t && strstr(t, "run 1"));
	free(t);
	free(p);
	p = path_join(dir, "VBox.log.4");
	T_ASSERT(!path_exists(p));
	free(p);
}

static int hits;

static void on_readable(void *arg, uint32_t ev)
{
	int fd = *(int *)arg;
	char c;

	T_ASSERT(ev & EPOLLIN);
	T_EQ_INT(read(fd, &c, 1), 1);
	hits++;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void test_vmm_loop__watch_wake_timer(void)
{
	struct vmm_loop l;
	int p[2];
	bool timer;
	uint64_t t0;

	T_OK(loop_init(&l));
	T_OK(pipe(p));
	T_OK(loop_watch(&l, p[0], EPOLLIN, on_readable, &p[0]));
	T_EQ_INT(write(p[1], "x", 1), 1);
	T_ASSERT(!loop_run_once(&l, 1000, &timer));
	T_EQ_INT(hits, 1);
	T_ASSERT(!timer);
	loop_wake(&l);
	T_ASSERT(loop_run_once(&l, 1000, &timer));
	t0 = now_ns();
	loop_arm_timer(&l, t0 + 20000000ull);
	T_ASSERT(!loop_run_once(&l, 2000, &timer));
	T_ASSERT(timer);
	T_ASSERT(now_ns() - t0 >= 19000000ull);
	loop_unwatch(&l, p[0]);
	T_EQ_INT(write(p[1], "y", 1), 1);
	loop_run_once(&l, 50, &timer);
	T_EQ_INT(hits, 1);
	loop_release(&l);
	close(p[0]);
	close(p[1]);
}

static struct vmm_cpuid_entry entry(uint32_t fn, uint32_t a, uint32_t b,
				    uint32_t c, uint32_t d)
{
	struct vmm_cpuid_entry e;

	memset(&e, 0, sizeof(e));
	e.function = fn;
	e.eax = a;
	e.ebx = b;
	e.ecx = c;
	e.edx = d;
	return e;
}

void test_vmm_cpuid__shaped_by_settings(void)
{
	struct vmm_vm *vm = calloc(1, sizeof(*vm));
	struct vmm_cpuid_entry t[16];
	struct vmm_cpuid_leaf ov = { 0x40000010, 0, false, 1, 2, 3, 4 };
	unsigned n;

	T_ASSERT(vm);
	vm->cfg.cpu.cpus = 2;
	vm->cfg.cpu.pae = false;
	vm->cfg.cpu.long_mode = false;
	vm->cfg.cpu.apic = true;
	vm->cfg.cpu.paravirt = VMM_PV_NONE;
	vm->cfg.cpu.profile = "Intel Core i7-6700K";
	vm->cfg.cpu.overrides = &ov;
	vm->cfg.cpu.n_overrides = 1;
	t[0] = entry(0, 0xd, 0x68747541, 0x444d4163, 0x69746e65);
	t[1] = entry(1, 0x00b00f21, 0x00000800, 0x00202000 | (1u << 21) | (1u << 5),
		     0x178bfbff);
	t[2] = entry(0x40000000, 0x40000001, 0x4b4d564b, 0x564b4d56, 0x4d);
	t[3] = entry(0x80000001, 0, 0, 1u << 2, (1u << 29) | (1u << 20) | (1u << 11));
	n = vmm_cpuid_shape(vm, 1, t, 4, 16);
	T_EQ_INT(n, 4);                         /* KVM leaf out, override in */
	T_EQ_U64(t[0].ebx, 0x756e6547);         /* "Genu" */
	T_EQ_U64(t[1].eax, 0x000506e3);         /* family 6, model 0x5e, step 3 */
	T_EQ_U64(t[1].ebx >> 24, 1);            /* APIC ID */
	T_EQ_U64((t[1].ebx >> 16) & 0xff, 2);   /* logical CPUs */
	T_EQ_U64(t[1].edx & (1u << 6), 0);      /* no PAE */
	T_ASSERT(t[1].edx & (1u << 28));        /* HTT */
	T_EQ_U64(t[1].ecx & ((1u << 21) | (1u << 5)), 0);       /* no x2APIC, VMX */
	T_ASSERT(t[1].ecx & (1u << 31));        /* hypervisor */
	T_EQ_U64(t[2].function, 0x80000001);
	T_EQ_U64(t[2].edx & ((1u << 29) | (1u << 20)), 0);      /* no LM, no NX */
	T_ASSERT(t[2].edx & (1u << 11));
	T_EQ_U64(t[2].ecx & (1u << 2), 0);      /* no SVM */
	T_EQ_U64(t[3].function, 0x40000010);
	T_EQ_U64(t[3].edx, 4);
	free(vm);
}

void test_vmm_session__second_lock_refused(void)
{
	struct vb_lock a = VB_LOCK_INIT, b = VB_LOCK_INIT;
	struct vb_error err = { 0 };
	char *da = NULL, *db = NULL;

	setenv("XDG_RUNTIME_DIR", t_tmpdir(), 1);
	T_OK(vmm_session_lock("00000000-1111-2222-3333-444444444444", "vm", &a, &da, NULL));
	T_ASSERT(vmm_session_lock("00000000-1111-2222-3333-444444444444", "vm", &b, &db, &err) < 0);
	T_EQ_U64(err.hrc, VBOX_E_INVALID_OBJECT_STATE);
	T_EQ_STR(err.msg, "The machine 'vm' is already locked by a session (or being locked or unlocked)");
	vb_lock_release(&a);
	T_OK(vmm_session_lock("00000000-1111-2222-3333-444444444444", "vm", &b, &db, NULL));
	vb_lock_release(&b);
	T_ASSERT(vb_ends_with(da, "/vbox"));
	free(da);
	free(db);
}
