/*
 * The VM's event loop: one epoll set with an eventfd for requests from
 * other threads (and signal handlers), a timerfd for the board's timers
 * and the file descriptors of I/O backends and control sockets.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "lib/vmm/vmm-int.h"

#define TAG_WAKE  ((void *)1)
#define TAG_TIMER ((void *)2)

int loop_init(struct vmm_loop *l)
{
	struct epoll_event ev;
	unsigned i;

	memset(l, 0, sizeof(*l));
	for (i = 0; i < LOOP_MAX_WATCH; i++)
		l->watch[i].fd = -1;
	pthread_mutex_init(&l->lock, NULL);
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	l->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	l->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (l->epfd < 0 || l->wakefd < 0 || l->timerfd < 0)
		goto fail;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = TAG_WAKE;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->wakefd, &ev) < 0)
		goto fail;
	ev.data.ptr = TAG_TIMER;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->timerfd, &ev) < 0)
		goto fail;
	return 0;
fail:
	loop_release(l);
	return -errno;
}

void loop_release(struct vmm_loop *l)
{
	if (l->epfd >= 0)
		close(l->epfd);
	if (l->wakefd >= 0)
		close(l->wakefd);
	if (l->timerfd >= 0)
		close(l->timerfd);
	l->epfd = l->wakefd = l->timerfd = -1;
	pthread_mutex_destroy(&l->lock);
}

int loop_watch(struct vmm_loop *l, int fd, uint32_t events,
	       void (*cb)(void *arg, uint32_t revents), void *arg)
{
	struct epoll_event ev;
	unsigned i;
	int rc = -ENOSPC;

	pthread_mutex_lock(&l->lock);
	for (i = 0; i < LOOP_MAX_WATCH; i++) {
		if (l->watch[i].fd >= 0)
			continue;
		memset(&ev, 0, sizeof(ev));
		ev.events = events;
		ev.data.ptr = &l->watch[i];
		l->watch[i].fd = fd;
		l->watch[i].cb = cb;
		l->watch[i].arg = arg;
		rc = 0;
		if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			rc = -errno;
			l->watch[i].fd = -1;
		}
		break;
	}
	pthread_mutex_unlock(&l->lock);
	return rc;
}

static struct loop_watch *find(struct vmm_loop *l, int fd)
{
	unsigned i;

	for (i = 0; i < LOOP_MAX_WATCH; i++)
		if (l->watch[i].fd == fd)
			return &l->watch[i];
	return NULL;
}

int loop_modify(struct vmm_loop *l, int fd, uint32_t events)
{
	struct epoll_event ev;
	struct loop_watch *w;
	int rc = -ENOENT;

	pthread_mutex_lock(&l->lock);
	w = find(l, fd);
	if (w) {
		memset(&ev, 0, sizeof(ev));
		ev.events = events;
		ev.data.ptr = w;
		rc = epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) < 0 ? -errno : 0;
	}
	pthread_mutex_unlock(&l->lock);
	return rc;
}

void loop_unwatch(struct vmm_loop *l, int fd)
{
	struct loop_watch *w;

	pthread_mutex_lock(&l->lock);
	w = find(l, fd);
	if (w) {
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
		w->fd = -1;
	}
	pthread_mutex_unlock(&l->lock);
}

void loop_wake(struct vmm_loop *l)
{
	uint64_t one = 1;
	ssize_t n = write(l->wakefd, &one, sizeof(one));

	(void)n;
}

void loop_arm_timer(struct vmm_loop *l, uint64_t host_ns)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	if (host_ns != UINT64_MAX) {
		if (!host_ns)
			host_ns = 1;
		its.it_value.tv_sec = (time_t)(host_ns / 1000000000ull);
		its.it_value.tv_nsec = (long)(host_ns % 1000000000ull);
	}
	timerfd_settime(l->timerfd, TFD_TIMER_ABSTIME, &its, NULL);
}

bool loop_run_once(struct vmm_loop *l, int timeout_ms, bool *timer)
{
	struct epoll_event ev[16];
	bool woken = false;
	int n, i;

	*timer = false;
	n = epoll_wait(l->epfd, ev, 16, timeout_ms);
	for (i = 0; i < n; i++) {
		void *p = ev[i].data.ptr;
		uint64_t v;

		if (p == TAG_WAKE) {
			while (read(l->wakefd, &v, sizeof(v)) > 0)
				;
			woken = true;
		} else if (p == TAG_TIMER) {
			while (read(l->timerfd, &v, sizeof(v)) > 0)
				;
			*timer = true;
		} else {
			struct loop_watch *w = p;
			void (*cb)(void *, uint32_t);
			void *arg;

			pthread_mutex_lock(&l->lock);
			cb = w->fd >= 0 ? w->cb : NULL;
			arg = w->arg;
			pthread_mutex_unlock(&l->lock);
			if (cb)
				cb(arg, ev[i].events);
		}
	}
	return woken;
}
