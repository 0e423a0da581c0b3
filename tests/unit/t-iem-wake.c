/*
 * iem engine: waking a halted vCPU from another thread while that thread
 * holds the board's lock, as the device model does when a timer or a
 * serial port raises an interrupt through the IOAPIC.
 *
 * The board clock (iem_board_ops.now_ns) takes the same board lock, so a
 * halted vCPU must never read the clock while it holds the lock that a
 * wake-up (iem_kick_self) takes: that was an ABBA deadlock that froze SMP
 * guests (one vCPU halted and polling its timer, another delivering an
 * interrupt from a port write).
 */
#include <errno.h>
#include <stdatomic.h>
#include <pthread.h>
#include <semaphore.h>
#include <time.h>

#include "harness.h"
#include "iem-harness.h"

#define CODE 0x100000ull

static pthread_mutex_t board_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_t vcpu_thread;
static sem_t in_clock;          /* the vCPU thread is inside now_ns */
static sem_t go;                /* ... and may go on to take the board lock */
static _Atomic int armed;       /* report the next clock read of the vCPU thread */
static _Atomic int stuck;       /* a clock read could not get the board lock */

/* The board clock of lib/devices: virtual time under the board lock. */
static uint64_t locked_now(void *opaque)
{
	struct timespec ts;
	uint64_t ns;

	(void)opaque;
	if (pthread_equal(pthread_self(), vcpu_thread) && atomic_exchange(&armed, 0)) {
		sem_post(&in_clock);
		sem_wait(&go);
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 3;
	if (pthread_mutex_timedlock(&board_lock, &ts) == ETIMEDOUT) {
		atomic_store(&stuck, 1);
	} else {
		pthread_mutex_unlock(&board_lock);
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	return ns;
}

struct run_arg {
	struct iemt *t;
	enum iem_exit exit;
};

static void *run_vcpu(void *p)
{
	struct run_arg *a = p;

	a->exit = iem_cpu_run(a->t->c);
	return NULL;
}

void test_iem_wake__interrupt_under_board_lock(void)
{
	struct iemt t;
	struct run_arg a;
	int round;

	iemt_now_hook = locked_now;
	iemt_init(&t, 16, 1);
	iemt_now_hook = NULL;
	/* enable the local APIC, then wait for an interrupt with IF set */
	iemt_asm(&t, 32, CODE, "movl $0x1ff, 0xfee000f0\nsti\n1: hlt\njmp 1b\n");
	iemt_mode(&t, IEMT_PROT32, CODE);
	iemt_install_handlers(&t, IEMT_PROT32);
	iemt_wr(&t, 0x500, 4, 0xffff);
	T_OK(sem_init(&in_clock, 0, 0));
	T_OK(sem_init(&go, 0, 0));
	atomic_store(&stuck, 0);
	a.t = &t;
	a.exit = IEM_EXIT_INSNS;
	T_OK(pthread_create(&vcpu_thread, NULL, run_vcpu, &a));
	/*
	 * Let it halt and poll its clock a few times, then hold it inside a
	 * clock read until this thread has the board lock, and deliver a
	 * fixed interrupt (vector 0x40 to APIC 0) as the IOAPIC would.
	 */
	for (round = 0; round < 8; round++) {
		atomic_store(&armed, 1);
		T_OK(sem_wait(&in_clock));
		T_OK(sem_post(&go));
	}
	atomic_store(&armed, 1);
	T_OK(sem_wait(&in_clock));
	pthread_mutex_lock(&board_lock);
	T_OK(sem_post(&go));
	iem_machine_msi(t.m, 0xfee00000ull, 0x40);
	pthread_mutex_unlock(&board_lock);
	T_OK(pthread_join(vcpu_thread, NULL));
	T_EQ_INT(atomic_load(&stuck), 0);
	T_EQ_INT(a.exit, IEM_EXIT_STOP);
	T_EQ_INT(t.exit_val, 0x40);
	T_EQ_INT(iemt_rd(&t, 0x500, 4), 0x40);
	sem_destroy(&in_clock);
	sem_destroy(&go);
	iemt_free(&t);
}
