/*
 * Guest properties of a running machine.  While a VM runs, its property
 * store lives in the VM process, as VirtualBox's guest property service
 * lives in its VM process: VBoxManage guestproperty get/set/delete/
 * enumerate/wait talk to it over the control socket.
 *
 *   at power-up    the properties from the .vbox (settings-format 7.14),
 *                  plus /VirtualBox/HostInfo/VBoxVer, VBoxVerExt and
 *                  VBoxRev (TRANSIENT, RDONLYGUEST) as Console sets them
 *   at power-off   the properties without TRANSIENT/TRANSRESET go back
 *                  into the .vbox; the others are dropped
 *   at save state  all of them go into the .vbox (they come back with the
 *                  restore, as VirtualBox keeps them with a saved state)
 *
 * Flags are kept as the client normalised them ("TRANSIENT, RDONLYGUEST");
 * names and values were validated by the client as well, and again here
 * for length.  Waiters sleep on a condition variable and are woken by
 * every change and by the shutdown of the VM.
 *
 * Limits: there are no Guest Additions, so only the host changes them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/settings/hwmodel.h"
#include "lib/util/strbuf.h"
#include "lib/util/timefmt.h"
#include "lib/vmm/vmm-int.h"
#include "lib/vmm/vmctl.h"

#define GP_MAX 4096

#define STR_(x) #x
#define STR(x) STR_(x)
#define GP_VER STR(VB_VERSION_MAJOR) "." STR(VB_VERSION_MINOR) "." STR(VB_VERSION_BUILD)

struct gprop {
	char *name, *value, *flags;
	int64_t ts;             /* ns since the epoch */
};

struct vmm_gprops {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct gprop *v;
	unsigned n;
	bool closing;
	/* the last change, for waiters */
	uint64_t seq;
	char *last_name, *last_value, *last_flags;
	bool last_deleted;
};

static void gp_clear(struct gprop *p)
{
	free(p->name);
	free(p->value);
	free(p->flags);
	memset(p, 0, sizeof(*p));
}

static struct gprop *gp_find(struct vmm_gprops *g, const char *name)
{
	unsigned i;

	for (i = 0; i < g->n; i++)
		if (!strcmp(g->v[i].name, name))
			return &g->v[i];
	return NULL;
}

static bool has_flag(const char *flags, const char *f)
{
	size_t n = strlen(f);
	const char *p = flags;

	while (p && (p = strstr(p, f))) {
		if ((p == flags || p[-1] == ' ' || p[-1] == ',') &&
		    (p[n] == 0 || p[n] == ',' || p[n] == ' '))
			return true;
		p += n;
	}
	return false;
}

/* Set or (value NULL) delete; lock held.  0, -ENOENT, -ENOMEM, -ENOSPC. */
static int gp_put(struct vmm_gprops *g, const char *name, const char *value,
		  const char *flags, int64_t ts)
{
	struct gprop *p = gp_find(g, name);
	char *nv, *nf;

	if (!value) {
		if (!p)
			return -ENOENT;
		gp_clear(p);
		*p = g->v[--g->n];
		return 0;
	}
	nv = vb_strdup(value);
	nf = vb_strdup(flags ? flags : p ? p->flags : "");
	if (!nv || !nf) {
		free(nv);
		free(nf);
		return -ENOMEM;
	}
	if (!p) {
		struct gprop *nvv;

		if (g->n >= GP_MAX) {
			free(nv);
			free(nf);
			return -ENOSPC;
		}
		nvv = realloc(g->v, (g->n + 1) * sizeof(*g->v));
		if (!nvv) {
			free(nv);
			free(nf);
			return -ENOMEM;
		}
		g->v = nvv;
		p = &g->v[g->n];
		memset(p, 0, sizeof(*p));
		p->name = vb_strdup(name);
		if (!p->name) {
			free(nv);
			free(nf);
			return -ENOMEM;
		}
		g->n++;
	}
	free(p->value);
	free(p->flags);
	p->value = nv;
	p->flags = nf;
	p->ts = ts;
	return 0;
}

static void gp_note(struct vmm_gprops *g, const char *name, const char *value,
		    const char *flags)
{
	free(g->last_name);
	free(g->last_value);
	free(g->last_flags);
	g->last_name = vb_strdup(name);
	g->last_value = vb_strdup(value ? value : "");
	g->last_flags = vb_strdup(flags ? flags : "");
	g->last_deleted = value == NULL;
	g->seq++;
	pthread_cond_broadcast(&g->cond);
}

int vmm_gprops_init(struct vmm_vm *vm, struct vb_error *err)
{
	struct vmm_gprops *g = calloc(1, sizeof(*g));
	struct snode *gp, *p;
	int64_t now = vb_now_ns();
	char rev[32];
	int rc = 0;

	if (!g)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->cond, NULL);
	vm->gprops = g;
	gp = vm->machine ? machine_elem(vm->machine, ME_GUESTPROPS, false) : NULL;
	for (p = snode_child(gp, "GuestProperty"); p && !rc;
	     p = snode_next(p, "GuestProperty")) {
		const char *name = snode_attr(p, "name");

		if (!name || !*name)
			continue;
		rc = gp_put(g, name, snode_attr(p, "value") ?: "",
			    snode_attr(p, "flags") ?: "",
			    snode_i64(p, "timestamp", now));
	}
	snprintf(rev, sizeof(rev), "%d", VB_REVISION);
	if (!rc)
		rc = gp_put(g, "/VirtualBox/HostInfo/VBoxVer", GP_VER,
			    "TRANSIENT, RDONLYGUEST", now);
	if (!rc)
		rc = gp_put(g, "/VirtualBox/HostInfo/VBoxVerExt", GP_VER "_" VB_VERSION_TAG,
			    "TRANSIENT, RDONLYGUEST", now);
	if (!rc)
		rc = gp_put(g, "/VirtualBox/HostInfo/VBoxRev", rev,
			    "TRANSIENT, RDONLYGUEST", now);
	if (rc)
		return vb_err(err, -rc, VB_E_OUTOFMEMORY, "Out of memory");
	return 0;
}

void vmm_gprops_close(struct vmm_vm *vm)
{
	struct vmm_gprops *g = vm->gprops;

	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	g->closing = true;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

void vmm_gprops_free(struct vmm_vm *vm)
{
	struct vmm_gprops *g = vm->gprops;
	unsigned i;

	if (!g)
		return;
	for (i = 0; i < g->n; i++)
		gp_clear(&g->v[i]);
	free(g->v);
	free(g->last_name);
	free(g->last_value);
	free(g->last_flags);
	pthread_cond_destroy(&g->cond);
	pthread_mutex_destroy(&g->lock);
	free(g);
	vm->gprops = NULL;
}

static int gp_cmp(const void *a, const void *b)
{
	return strcmp(((const struct gprop *)a)->name,
		      ((const struct gprop *)b)->name);
}

/* Write the store into the .vbox: all = with transient ones (saved
 * state), else only the persistent ones (power off). */
static int store(struct vmm_vm *vm, bool all, struct vb_error *err)
{
	struct vmm_gprops *g = vm->gprops;
	struct machine *m = vm->machine;
	struct snode *gp, *p, *next;
	unsigned i;
	int rc = 0;

	if (!g || !m)
		return 0;
	rc = machine_lock(m, err);
	if (rc)
		return rc;
	pthread_mutex_lock(&g->lock);
	qsort(g->v, g->n, sizeof(*g->v), gp_cmp);
	gp = machine_elem(m, ME_GUESTPROPS, false);
	for (p = snode_child(gp, "GuestProperty"); p; p = next) {
		next = snode_next(p, "GuestProperty");
		snode_remove(p);
	}
	for (i = 0; i < g->n && !rc; i++) {
		struct gprop *q = &g->v[i];

		if (!all && (has_flag(q->flags, "TRANSIENT") ||
			     has_flag(q->flags, "TRANSRESET")))
			continue;
		if (!gp)
			gp = machine_elem(m, ME_GUESTPROPS, true);
		p = gp ? snode_add(gp, "GuestProperty") : NULL;
		if (!p || snode_set_attr(p, "name", q->name) ||
		    snode_set_attr(p, "value", q->value) ||
		    snode_set_i64(p, "timestamp", q->ts) ||
		    snode_set_attr(p, "flags", q->flags))
			rc = -ENOMEM;
	}
	pthread_mutex_unlock(&g->lock);
	if (gp)
		snode_prune_empty(gp, machine_elem(m, ME_MACHINE, false));
	if (rc)
		vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	else
		rc = machine_save(m, err);
	machine_unlock(m);
	return rc;
}

int vmm_gprops_store(struct vmm_vm *vm, struct vb_error *err)
{
	return store(vm, false, err);
}

int vmm_gprops_store_all(struct vmm_vm *vm, struct vb_error *err)
{
	return store(vm, true, err);
}

/* ------------------------------------------------------------------ */
/* Requests                                                            */

int vmm_gprops_get(struct vmm_vm *vm, const char *name, char **value,
		   int64_t *ts, char **flags)
{
	struct vmm_gprops *g = vm->gprops;
	struct gprop *p;
	int rc = -ENOENT;

	*value = *flags = NULL;
	pthread_mutex_lock(&g->lock);
	p = gp_find(g, name);
	if (p) {
		*value = vb_strdup(p->value);
		*flags = vb_strdup(p->flags);
		*ts = p->ts;
		rc = *value && *flags ? 0 : -ENOMEM;
	}
	pthread_mutex_unlock(&g->lock);
	if (rc) {
		free(*value);
		free(*flags);
		*value = *flags = NULL;
	}
	return rc;
}

int vmm_gprops_set(struct vmm_vm *vm, const char *name, const char *value,
		   const char *flags, struct vb_error *err)
{
	struct vmm_gprops *g = vm->gprops;
	struct gprop *p;
	int rc;

	if (!*name || strlen(name) > 63 || strpbrk(name, "*?|") ||
	    (value && strlen(value) > 1023))
		return vb_err(err, EINVAL, VB_E_INVALIDARG,
			      "Invalid parameter (VERR_INVALID_PARAMETER)");
	pthread_mutex_lock(&g->lock);
	p = gp_find(g, name);
	if (p && has_flag(p->flags, "RDONLYHOST")) {
		pthread_mutex_unlock(&g->lock);
		return vb_err(err, EACCES, VB_E_ACCESSDENIED,
			      "The property '%s' cannot be changed by the host",
			      name);
	}
	rc = gp_put(g, name, value, flags, vb_now_ns());
	if (rc == -ENOENT) {
		rc = 0;         /* deleting what is not there is fine */
	} else if (!rc) {
		p = value ? gp_find(g, name) : NULL;
		gp_note(g, name, value, p ? p->flags : "");
	}
	pthread_mutex_unlock(&g->lock);
	if (rc == -ENOSPC)
		return vb_err(err, ENOSPC, VB_E_FAIL,
			      "Too many guest properties (VERR_TOO_MUCH_DATA)");
	if (rc)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	return 0;
}

void vmm_gprops_each(struct vmm_vm *vm,
		     void (*fn)(void *ctx, const char *name, const char *value,
				int64_t ts, const char *flags),
		     void *ctx)
{
	struct vmm_gprops *g = vm->gprops;
	unsigned i;

	pthread_mutex_lock(&g->lock);
	for (i = 0; i < g->n; i++)
		fn(ctx, g->v[i].name, g->v[i].value, g->v[i].ts, g->v[i].flags);
	pthread_mutex_unlock(&g->lock);
}

int vmm_gprops_wait(struct vmm_vm *vm, const char *patterns,
		    uint32_t timeout_ms, char **name, char **value,
		    char **flags, bool *deleted)
{
	struct vmm_gprops *g = vm->gprops;
	struct timespec until;
	uint64_t seen;
	int rc = 0;

	*name = *value = *flags = NULL;
	*deleted = false;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&g->lock);
	seen = g->seq;
	for (;;) {
		if (g->closing) {
			rc = -ESHUTDOWN;
			break;
		}
		if (g->seq != seen) {
			seen = g->seq;
			if (g->last_name && vmm_ctl_pattern_match(patterns, g->last_name)) {
				*name = vb_strdup(g->last_name);
				*value = vb_strdup(g->last_value);
				*flags = vb_strdup(g->last_flags);
				*deleted = g->last_deleted;
				rc = *name && *value && *flags ? 0 : -ENOMEM;
				break;
			}
		}
		if (timeout_ms == UINT32_MAX)
			rc = pthread_cond_wait(&g->cond, &g->lock);
		else
			rc = pthread_cond_timedwait(&g->cond, &g->lock, &until);
		if (rc == ETIMEDOUT) {
			rc = -ETIMEDOUT;
			break;
		}
		rc = 0;
	}
	pthread_mutex_unlock(&g->lock);
	if (rc) {
		free(*name);
		free(*value);
		free(*flags);
		*name = *value = *flags = NULL;
	}
	return rc;
}
