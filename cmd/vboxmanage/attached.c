/*
 * The media a machine uses: every <AttachedDevice><Image uuid> below the
 * <Machine> element, in the current state and in its snapshots.  Shared
 * by unregistervm (what goes with the machine) and movevm (what moves
 * with it).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/vboxmanage/vboxmanage.h"

int vbm_media_add(struct vbm_media *l, const struct vb_uuid *u,
		  enum mediareg_kind k)
{
	unsigned i;

	for (i = 0; i < l->n; i++)
		if (vb_uuid_eq(&l->v[i], u))
			return 0;
	if (l->n == l->cap) {
		unsigned cap = l->cap ? l->cap * 2 : 8;
		struct vb_uuid *nv = realloc(l->v, cap * sizeof(*nv));
		enum mediareg_kind *nk;

		if (!nv)
			return -ENOMEM;
		l->v = nv;
		nk = realloc(l->kind, cap * sizeof(*nk));
		if (!nk)
			return -ENOMEM;
		l->kind = nk;
		l->cap = cap;
	}
	l->v[l->n] = *u;
	l->kind[l->n++] = k;
	return 0;
}

bool vbm_media_has(const struct vbm_media *l, const struct vb_uuid *u)
{
	unsigned i;

	for (i = 0; i < l->n; i++)
		if (vb_uuid_eq(&l->v[i], u))
			return true;
	return false;
}

void vbm_media_free(struct vbm_media *l)
{
	free(l->v);
	free(l->kind);
	memset(l, 0, sizeof(*l));
}

int vbm_media_attached(struct snode *n, struct vbm_media *out)
{
	struct snode *c;
	int rc = 0;

	for (c = snode_child(n, NULL); c && !rc; c = snode_next(c, NULL)) {
		if (!strcmp(snode_name(c), "AttachedDevice")) {
			const char *type = snode_attr(c, "type");
			struct snode *img = snode_child(c, "Image");
			const char *us = snode_attr(img, "uuid");
			struct vb_uuid u;
			enum mediareg_kind k;

			if (!type || !us || vb_uuid_parse(us, &u))
				continue;
			if (!strcmp(type, "HardDisk"))
				k = MR_HDD;
			else if (!strcmp(type, "DVD"))
				k = MR_DVD;
			else if (!strcmp(type, "Floppy"))
				k = MR_FLOPPY;
			else
				continue;
			rc = vbm_media_add(out, &u, k);
		} else {
			rc = vbm_media_attached(c, out);
		}
	}
	return rc;
}
