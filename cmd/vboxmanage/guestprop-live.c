/*
 * Guest properties of running machines: their store lives in the VM
 * process (lib/vmm/gprops.c), as in VirtualBox, and guestproperty talks
 * to it through the control socket.  For get and enumerate the live list
 * replaces the file's in the in-memory settings document (never saved),
 * so guestprop.c prints it as usual; set and delete go to the VM; wait
 * waits for the VM's next change, or, for a machine that is not running,
 * watches its settings file (other VBoxManage processes change it there).
 *
 * Output of wait as VBoxManage 7.0's handleWaitGuestProperty:
 * "Name: <n>, value: <v>, flags: <f>" or "Property <n> was deleted";
 * "Time out or interruption while waiting for a notification." (exit 0,
 * or 2 with --fail-on-timeout).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cmd/vboxmanage/vboxmanage.h"
#include "lib/util/strbuf.h"
#include "lib/util/timefmt.h"
#include "lib/vmm/vmctl.h"

bool vbm_guestprop_live(struct machine *m)
{
	static const char *const req[1] = { "gp-enum" };
	struct vmm_ctl_reply r;
	struct snode *gp, *p, *next;
	char ub[40];
	unsigned i;

	vb_uuid_fmt(machine_uuid(m), ub);
	if (!vmm_ctl_alive(ub) || vmm_ctl_call(ub, 1, req, NULL, NULL, &r, NULL))
		return false;
	gp = machine_elem(m, ME_GUESTPROPS, r.n > 0);
	for (p = snode_child(gp, "GuestProperty"); p; p = next) {
		next = snode_next(p, "GuestProperty");
		snode_remove(p);
	}
	for (i = 0; gp && i + 4 <= r.n; i += 4) {
		p = snode_add(gp, "GuestProperty");
		if (!p || snode_set_attr(p, "name", r.f[i]) ||
		    snode_set_attr(p, "value", r.f[i + 1]) ||
		    snode_set_attr(p, "timestamp", r.f[i + 2]) ||
		    snode_set_attr(p, "flags", r.f[i + 3]))
			break;
	}
	vmm_ctl_reply_free(&r);
	return true;
}

int vbm_guestprop_live_set(struct machine *m, const char *name,
			   const char *value, const char *flags,
			   struct vb_error *err)
{
	struct vmm_ctl_reply r;
	const char *args[4];
	char ub[40];
	unsigned n = 0;
	int rc;

	vb_uuid_fmt(machine_uuid(m), ub);
	/* an empty value deletes, as the guest property service does */
	if (!value || !*value) {
		args[n++] = "gp-del";
		args[n++] = name;
	} else {
		args[n++] = "gp-set";
		args[n++] = name;
		args[n++] = value;
		if (flags)
			args[n++] = flags;
	}
	rc = vmm_ctl_call(ub, n, args, NULL, NULL, &r, err);
	if (rc == -ESRCH)
		return vb_err(err, ESRCH, VBOX_E_INVALID_VM_STATE,
			      "The machine is not running any more");
	if (!rc)
		vmm_ctl_reply_free(&r);
	return rc;
}

/* ------------------------------------------------------------------ */
/* wait                                                                */

struct prop {
	char *name, *value, *flags;
};

struct plist {
	struct prop *v;
	unsigned n;
};

static void plist_free(struct plist *l)
{
	unsigned i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].value);
		free(l->v[i].flags);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static const struct prop *plist_find(const struct plist *l, const char *name)
{
	unsigned i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return &l->v[i];
	return NULL;
}

/* The stored properties of a machine file, as VirtualBox loads them
 * (transient ones only with a saved state). */
static int plist_load(const char *path, struct plist *out)
{
	struct machine *m;
	struct snode *p, *mn;
	bool saved;

	out->v = NULL;
	out->n = 0;
	if (machine_load(NULL, path, &m, NULL))
		return -EIO;
	mn = machine_elem(m, ME_MACHINE, false);
	saved = snode_attr(mn, "stateFile") && *snode_attr(mn, "stateFile");
	for (p = snode_child(machine_elem(m, ME_GUESTPROPS, false), "GuestProperty");
	     p; p = snode_next(p, "GuestProperty")) {
		const char *fl = snode_attr(p, "flags") ?: "";
		struct prop *nv;

		if (!snode_attr(p, "name") ||
		    (!saved && (strstr(fl, "TRANSIENT") || strstr(fl, "TRANSRESET"))))
			continue;
		nv = realloc(out->v, (out->n + 1) * sizeof(*out->v));
		if (!nv)
			break;
		out->v = nv;
		nv[out->n].name = vb_strdup(snode_attr(p, "name"));
		nv[out->n].value = vb_strdup(snode_attr(p, "value") ?: "");
		nv[out->n].flags = vb_strdup(fl);
		out->n++;
	}
	machine_free(m);
	return 0;
}

static int print_change(const char *name, const char *value,
			const char *flags, bool deleted)
{
	if (deleted)
		printf("Property %s was deleted\n", name);
	else
		printf("Name: %s, value: %s, flags: %s\n", name, value, flags);
	return VBM_OK;
}

/* The first difference between two lists that matches the patterns. */
static bool diff(const struct plist *a, const struct plist *b,
		 const char *patterns)
{
	unsigned i;

	for (i = 0; i < b->n; i++) {
		const struct prop *o = plist_find(a, b->v[i].name);

		if (!vmm_ctl_pattern_match(patterns, b->v[i].name))
			continue;
		if (!o || strcmp(o->value, b->v[i].value) ||
		    strcmp(o->flags, b->v[i].flags)) {
			print_change(b->v[i].name, b->v[i].value, b->v[i].flags,
				     false);
			return true;
		}
	}
	for (i = 0; i < a->n; i++) {
		if (vmm_ctl_pattern_match(patterns, a->v[i].name) &&
		    !plist_find(b, a->v[i].name)) {
			print_change(a->v[i].name, "", "", true);
			return true;
		}
	}
	return false;
}

static int64_t mtime_ns(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return 0;
	return (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
}

int vbm_guestprop_wait(struct vbm_ctx *ctx, struct machine *m,
		       const char *patterns, uint32_t timeout_ms,
		       bool fail_on_timeout)
{
	const char *path = machine_path(m);
	int64_t end = timeout_ms == UINT32_MAX ? INT64_MAX :
		      vb_mono_ms() + (int64_t)timeout_ms;
	struct plist base = { NULL, 0 };
	int64_t seen = -1;
	char ub[40];

	(void)ctx;
	vb_uuid_fmt(machine_uuid(m), ub);
	for (;;) {
		int64_t now = vb_mono_ms(), left = end - now;

		if (left <= 0)
			break;
		if (vmm_ctl_alive(ub)) {
			struct vmm_ctl_reply r;
			char tbuf[16];
			const char *args[3] = { "gp-wait", patterns, tbuf };
			uint32_t t = left > UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)left;

			snprintf(tbuf, sizeof(tbuf), "%u",
				 timeout_ms == UINT32_MAX ? UINT32_MAX : t);
			if (vmm_ctl_call(ub, 3, args, NULL, NULL, &r, NULL) == 0) {
				if (r.n >= 4 && (!strcmp(r.f[0], "changed") ||
						 !strcmp(r.f[0], "deleted"))) {
					print_change(r.f[1], r.f[2], r.f[3],
						     !strcmp(r.f[0], "deleted"));
					vmm_ctl_reply_free(&r);
					plist_free(&base);
					return VBM_OK;
				}
				if (r.n >= 1 && !strcmp(r.f[0], "timeout")) {
					vmm_ctl_reply_free(&r);
					break;
				}
				vmm_ctl_reply_free(&r);
			}
			plist_free(&base);
			seen = -1;
			continue;       /* the VM went away: watch the file */
		}
		/* not running: changes arrive in the settings file */
		if (seen < 0) {
			seen = mtime_ns(path);
			plist_load(path, &base);
		} else if (mtime_ns(path) != seen) {
			struct plist cur;

			seen = mtime_ns(path);
			if (plist_load(path, &cur) == 0) {
				bool hit = diff(&base, &cur, patterns);

				plist_free(&base);
				base = cur;
				if (hit) {
					plist_free(&base);
					return VBM_OK;
				}
			}
		}
		{
			struct timespec ts = { 0, 100000000 };

			nanosleep(&ts, NULL);
		}
	}
	plist_free(&base);
	vbm_error("Time out or interruption while waiting for a notification.");
	return fail_on_timeout ? VBM_SYNTAX : VBM_OK;
}
