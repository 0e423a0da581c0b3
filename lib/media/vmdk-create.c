/*
 * VMDK image creation (every create type VirtualBox makes), growing and
 * moving; see vmdk.c for the format notes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "lib/media/vmdk-int.h"
#include "lib/media/vmdk-stream.h"
#include "lib/util/path.h"

/* ------------------------------------------------------------------ */
/* Create                                                              */

/* "dir/disk.vmdk" -> "disk" + suffix + ".vmdk" (basename only). */
static char *extent_name(const char *path, const char *suffix)
{
	const char *base = path_basename(path);
	const char *dot = strrchr(base, '.');
	size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);

	return vb_asprintf("%.*s%s.vmdk", (int)n, base, suffix);
}

/* Write an empty hosted sparse extent of `sectors` into f. */
static int sparse_create(struct mfile *f, uint64_t sectors, uint64_t desc_off,
			 uint64_t desc_size, bool stream, struct vmdk_ext *e)
{
	uint8_t *h = e->hdr;
	uint64_t grain = VMDK_GRAIN_DEFAULT, gtes = VMDK_GTES_DEFAULT;
	uint64_t cap = VB_ALIGN_UP(sectors, grain);
	uint64_t ngd = (cap + gtes * grain - 1) / (gtes * grain);
	uint64_t gd_secs = (4 * ngd + 511) / 512, gt_secs = (4 * gtes + 511) / 512;
	uint64_t rgd = desc_off ? desc_off + desc_size : 1, gd, overhead, i;
	int rc;

	memset(h, 0, VMDK_HDR_SIZE);
	put_le32(h, VMDK_MAGIC);
	put_le32(h + 4, stream ? 3 : 1);
	put_le32(h + 8, stream ? VMDK_FLAG_NL | VMDK_FLAG_COMPRESS | VMDK_FLAG_MARKERS
			       : VMDK_FLAG_NL | VMDK_FLAG_RGD);
	put_le64(h + 0x0C, cap);
	put_le64(h + 0x14, grain);
	put_le64(h + 0x1C, desc_off);
	put_le64(h + 0x24, desc_size);
	put_le32(h + 0x2C, (uint32_t)gtes);
	memcpy(h + 0x49, "\n \r\n", 4);
	e->version = stream ? 3 : 1;
	e->flags = le32(h + 8);
	e->capacity = cap;
	e->grain = grain;
	e->gtes = (uint32_t)gtes;
	e->ngd = (uint32_t)ngd;
	e->gshift = (unsigned)__builtin_ctzll(grain * 512);
	e->type = VE_SPARSE;
	if (stream) {
		overhead = VB_ALIGN_UP((desc_off ? desc_off + desc_size : 1), grain);
		put_le64(h + 0x30, 0);
		put_le64(h + 0x38, VMDK_GD_AT_END);
		put_le64(h + 0x40, overhead);
		put_le16(h + 0x4D, 1);
		e->overhead = overhead;
		e->compress = 1;
		e->compressed = e->markers = true;
		e->next_sector = overhead;
		rc = mf_pwrite(f, h, VMDK_HDR_SIZE, 0);
		return rc ? rc : mf_truncate(f, overhead * 512);
	}
	gd = rgd + gd_secs + ngd * gt_secs;
	overhead = VB_ALIGN_UP(gd + gd_secs + ngd * gt_secs, grain);
	if (overhead > UINT32_MAX)
		return -EFBIG;
	put_le64(h + 0x30, rgd);
	put_le64(h + 0x38, gd);
	put_le64(h + 0x40, overhead);
	e->rgd_off = rgd;
	e->gd_off = gd;
	e->overhead = overhead;
	e->gd = malloc(4 * ngd);
	e->rgd = malloc(4 * ngd);
	e->gt = calloc(ngd, sizeof(*e->gt));
	e->gt_dirty = calloc(ngd, 1);
	if (!e->gd || !e->rgd || !e->gt || !e->gt_dirty)
		return -ENOMEM;
	for (i = 0; i < ngd; i++) {
		e->rgd[i] = (uint32_t)(rgd + gd_secs + i * gt_secs);
		e->gd[i] = (uint32_t)(gd + gd_secs + i * gt_secs);
	}
	rc = mf_pwrite(f, h, VMDK_HDR_SIZE, 0);
	if (!rc)
		rc = vmdk_write_gd(e);
	if (!rc)
		rc = mf_truncate(f, overhead * 512);
	e->next_sector = overhead;
	e->file_size = overhead * 512;
	return rc;
}

struct vmdk_layout {
	const char *create_type;
	bool flat, split, stream, esx;
};

static int layout_for(unsigned variant, struct vmdk_layout *l)
{
	unsigned base = variant & ~MEDIA_VARIANT_DIFF;

	memset(l, 0, sizeof(*l));
	if (base & ~(MEDIA_VARIANT_FIXED | MEDIA_VARIANT_SPLIT2G |
		     MEDIA_VARIANT_STREAM | MEDIA_VARIANT_ESX))
		return -EINVAL;
	if (base & MEDIA_VARIANT_STREAM) {
		if (base != MEDIA_VARIANT_STREAM)
			return -EINVAL;
		l->stream = true;
		l->create_type = "streamOptimized";
		return 0;
	}
	if (base & MEDIA_VARIANT_ESX) {
		if (base != (MEDIA_VARIANT_ESX | MEDIA_VARIANT_FIXED))
			return -EINVAL;
		l->flat = l->esx = true;
		l->create_type = "vmfs";
		return 0;
	}
	l->flat = (base & MEDIA_VARIANT_FIXED) != 0;
	l->split = (base & MEDIA_VARIANT_SPLIT2G) != 0;
	l->create_type = l->split ? (l->flat ? "twoGbMaxExtentFlat" :
				     "twoGbMaxExtentSparse") :
		         l->flat ? "monolithicFlat" : "monolithicSparse";
	return 0;
}

static void remove_created(struct medium *m, struct vmdk *v)
{
	size_t i;

	for (i = 0; i < v->desc.next; i++) {
		char *p;

		if (!v->desc.ext[i].file || (v->embedded && i == 0))
			continue;
		p = media_sibling(m, v->desc.ext[i].file);
		if (p)
			m->fs->ops->remove(m->fs, p);
		free(p);
	}
}

int vmdk_create(struct medium *m, const struct media_create_opts *o,
		       struct vb_error *err)
{
	struct vmdk *v = calloc(1, sizeof(*v));
	struct vmdk_layout l;
	uint64_t size, sectors, left, cid;
	size_t nfiles = 1, i;
	int rc;

	if (!v)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	size = o->parent ? o->parent->size : o->size;
	if (layout_for(o->parent ? (o->variant & MEDIA_VARIANT_SPLIT2G) :
		       o->variant, &l)) {
		free(v);
		return vb_err(err, EINVAL, VBOX_E_NOT_SUPPORTED,
			      "VMDK: invalid image type for '%s' (VERR_VD_INVALID_TYPE)",
			      m->path);
	}
	if (!size || size % 512 || (!l.flat && size > VMDK_MAX_SPARSE)) {
		free(v);
		return vb_err(err, EINVAL, VBOX_E_FILE_ERROR,
			      "VMDK: invalid image size for '%s' (VERR_VD_INVALID_SIZE)",
			      m->path);
	}
	sectors = size / 512;
	if (l.split)
		nfiles = (size_t)((sectors + VMDK_SPLIT_SECTORS - 1) /
				  VMDK_SPLIT_SECTORS);
	getrandom(&cid, sizeof(cid), 0);
	rc = vmdk_desc_new(&v->desc, (uint32_t)cid, l.create_type);
	if (rc)
		goto nomem;
	v->desc.ext = calloc(nfiles, sizeof(*v->desc.ext));
	v->ext = calloc(nfiles, sizeof(*v->ext));
	if (!v->desc.ext || !v->ext)
		goto nomem;
	v->embedded = !l.flat && !l.split;
	left = sectors;
	for (i = 0; i < nfiles; i++) {
		struct vmdk_desc_extent *d = &v->desc.ext[i];
		char suffix[16];

		pthread_mutex_init(&v->ext[i].lock, NULL);
		v->desc.next = i + 1;
		v->next = i + 1;
		d->access = l.stream ? VA_RDONLY : VA_RW;
		d->sectors = l.split ? VB_MIN(left, VMDK_SPLIT_SECTORS) : sectors;
		d->type = l.esx ? VE_VMFS : l.flat ? VE_FLAT : VE_SPARSE;
		if (v->embedded)
			snprintf(suffix, sizeof(suffix), "%s", "");
		else if (l.split)
			snprintf(suffix, sizeof(suffix), "-%c%03zu",
				 l.flat ? 'f' : 's', i + 1);
		else
			snprintf(suffix, sizeof(suffix), "-flat");
		d->file = v->embedded ? strdup(path_basename(m->path))
				      : extent_name(m->path, suffix);
		if (!d->file)
			goto nomem;
		left -= d->sectors;
	}
	rc = vmdk_desc_set_extents(&v->desc);
	if (rc)
		goto nomem;
	rc = vmdk_desc_set(&v->desc, "ddb.adapterType", l.esx ? "lsilogic" : "ide",
			   true);
	if (rc)
		goto nomem;
	if (o->uuid)
		m->uuid = *o->uuid;
	else
		vb_uuid_generate(&m->uuid);
	memset(&m->modify_uuid, 0, sizeof(m->modify_uuid));
	if (o->parent) {
		media_uuid(o->parent, &m->parent_uuid);
		media_modify_uuid(o->parent, &m->parent_modify_uuid);
	}
	m->pchs = o->pchs;
	m->lchs = o->lchs;
	if (o->comment && *o->comment)
		m->comment = strdup(o->comment);
	m->has_uuid = true;
	m->size = size;
	m->variant = vmdk_variant_of(l.create_type, o->parent != NULL);
	rc = vmdk_desc_update(m, v);
	if (rc)
		goto nomem;
	/* the extents */
	for (i = 0; i < nfiles; i++) {
		struct vmdk_ext *e = &v->ext[i];
		const struct vmdk_desc_extent *d = &v->desc.ext[i];

		e->access = d->access;
		e->start = i ? v->ext[i - 1].start + v->ext[i - 1].sectors : 0;
		e->sectors = d->sectors;
		e->type = l.flat ? VE_FLAT : VE_SPARSE;
		if (v->embedded) {
			e->f = m->file;
		} else {
			char *p = media_sibling(m, d->file);

			rc = p ? m->fs->ops->open(m->fs, p, MF_CREATE | MF_RDWR,
						  &e->f) : -ENOMEM;
			free(p);
			if (rc)
				goto io_fail;
			e->own_file = true;
		}
		if (l.flat) {
			if (e->f->ops->reserve)
				rc = e->f->ops->reserve(e->f, d->sectors * 512);
			if (!rc)
				rc = mf_truncate(e->f, d->sectors * 512);
		} else {
			rc = sparse_create(e->f, d->sectors,
					   v->embedded ? 1 : 0,
					   v->embedded ? VMDK_DESC_SECTORS : 0,
					   l.stream, e);
		}
		if (rc)
			goto io_fail;
		if (l.stream) {
			e->ws = vmdk_stream_new(e->f, e->hdr, e->capacity,
						e->grain, e->gtes, e->overhead);
			if (!e->ws) {
				rc = -ENOMEM;
				goto io_fail;
			}
		}
	}
	if (v->embedded) {
		v->desc_off = 512;
		v->desc_cap = VMDK_DESC_SECTORS * 512;
	}
	rc = vmdk_desc_write(m, v);
	for (i = 0; !rc && i < nfiles; i++)
		if (v->ext[i].own_file)
			rc = mf_sync(v->ext[i].f);
	if (!rc)
		rc = mf_sync(m->file);
	if (rc)
		goto io_fail;
	m->priv = v;
	return 0;
nomem:
	vmdk_free(v);
	return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
io_fail:
	remove_created(m, v);
	vmdk_free(v);
	return vb_err(err, -rc, VBOX_E_FILE_ERROR,
		      "VMDK: could not create new file '%s' (%s)", m->path,
		      media_vbox_status(rc));
}

/* ------------------------------------------------------------------ */
/* Resize, files, rename                                              */

int vmdk_resize(struct medium *m, uint64_t size, struct vb_error *err)
{
	struct vmdk *v = m->priv;
	struct vmdk_ext *e = &v->ext[0];
	uint64_t sectors = size / 512;
	int rc = 0;

	if (size < m->size)
		return vb_err(err, ENOTSUP, VBOX_E_NOT_SUPPORTED,
			      "Shrinking is not yet supported for medium '%s'",
			      m->path);
	if (size % 512)
		return vb_err(err, EINVAL, VBOX_E_NOT_SUPPORTED,
			      "VMDK: invalid image size for '%s' (VERR_VD_INVALID_SIZE)",
			      m->path);
	if (size == m->size)
		return 0;
	if (v->next != 1 || e->compressed || e->type == VE_ZERO)
		return vb_err(err, ENOTSUP, VBOX_E_NOT_SUPPORTED,
			      "Resizing to new size %llu is not yet supported for medium '%s'",
			      (unsigned long long)size, m->path);
	rc = vmdk_flush(m);
	if (rc)
		goto io;
	if (e->type == VE_FLAT) {
		rc = mf_truncate(e->f, e->flat_off + size);
	} else {
		uint64_t cap = VB_ALIGN_UP(sectors, e->grain), ngd, i;
		uint64_t gd_secs_old = (4ull * e->ngd + 511) / 512, gd_secs;
		uint32_t *gd, *rgd = NULL, **gt;
		uint8_t *dirty;

		if (size > VMDK_MAX_SPARSE)
			return vb_err(err, EINVAL, VBOX_E_NOT_SUPPORTED,
				      "VMDK: invalid image size for '%s' (VERR_VD_INVALID_SIZE)",
				      m->path);
		ngd = (cap + (uint64_t)e->gtes * e->grain - 1) /
		      ((uint64_t)e->gtes * e->grain);
		gd_secs = (4 * ngd + 511) / 512;
		gd = realloc(e->gd, 4 * ngd);
		if (gd)
			e->gd = gd;
		if (e->rgd && gd && (rgd = realloc(e->rgd, 4 * ngd)))
			e->rgd = rgd;
		gt = gd ? realloc(e->gt, ngd * sizeof(*gt)) : NULL;
		if (gt)
			e->gt = gt;
		dirty = gt ? realloc(e->gt_dirty, ngd) : NULL;
		if (!gd || !gt || !dirty || (e->rgd && !rgd))
			return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY,
				      "Out of memory");
		e->gt_dirty = dirty;
		for (i = e->ngd; i < ngd; i++) {
			e->gd[i] = 0;
			if (e->rgd)
				e->rgd[i] = 0;
			e->gt[i] = NULL;
			e->gt_dirty[i] = 0;
		}
		if (gd_secs > gd_secs_old) {
			/* the directories move to the end of the file */
			e->gd_off = e->next_sector;
			e->next_sector += gd_secs;
			if (e->rgd) {
				e->rgd_off = e->next_sector;
				e->next_sector += gd_secs;
			}
			e->next_sector = VB_ALIGN_UP(e->next_sector, e->grain);
			put_le64(e->hdr + 0x30, e->rgd_off);
			put_le64(e->hdr + 0x38, e->gd_off);
		}
		e->ngd = (uint32_t)ngd;
		e->capacity = cap;
		put_le64(e->hdr + 0x0C, cap);
		e->gd_dirty = true;
		e->any_dirty = true;
		rc = mf_pwrite(e->f, e->hdr, VMDK_HDR_SIZE, 0);
	}
	if (rc)
		goto io;
	e->sectors = sectors;
	v->desc.ext[0].sectors = sectors;
	rc = vmdk_desc_set_extents(&v->desc);
	if (rc)
		goto io;
	m->size = size;
	v->desc_dirty = true;
	rc = vmdk_flush(m);
	if (rc)
		goto io;
	return 0;
io:
	return vb_err(err, -rc, VBOX_E_FILE_ERROR,
		      "VMDK: error resizing '%s' (%s)", m->path,
		      media_vbox_status(rc));
}

char **vmdk_files(struct medium *m)
{
	struct vmdk *v = m->priv;
	char **l = calloc(v->desc.next + 2, sizeof(*l));
	size_t i, n = 0;

	if (!l)
		return NULL;
	l[n++] = strdup(m->path);
	for (i = 0; i < v->desc.next; i++) {
		if (!v->desc.ext[i].file || (v->embedded && i == 0))
			continue;
		l[n++] = media_sibling(m, v->desc.ext[i].file);
	}
	for (i = 0; i < n; i++) {
		if (!l[i]) {
			media_free_list(l);
			return NULL;
		}
	}
	return l;
}

int vmdk_rename(struct medium *m, const char *new_path,
		       struct vb_error *err)
{
	struct vmdk *v = m->priv;
	char *np = m->fs == mfs_posix() ? path_abs(new_path) : strdup(new_path);
	char **old_names = NULL, *ndir = NULL;
	size_t i, done = 0;
	int rc = 0;

	if (!np)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	if (m->fs->ops->exists(m->fs, np)) {
		free(np);
		return vb_err(err, EEXIST, VBOX_E_FILE_ERROR,
			      "Cannot move medium '%s' to '%s': the target exists",
			      m->path, new_path);
	}
	ndir = path_dirname(np);
	old_names = calloc(v->desc.next + 1, sizeof(*old_names));
	if (!ndir || !old_names) {
		rc = -ENOMEM;
		goto out;
	}
	/* extent files follow the new base name */
	for (i = 0; i < v->desc.next; i++) {
		struct vmdk_desc_extent *d = &v->desc.ext[i];
		char *from, *to, *nn, suffix[32];
		const char *b;

		if (!d->file || (v->embedded && i == 0))
			continue;
		b = path_basename(d->file);
		if (strstr(b, "-flat."))
			snprintf(suffix, sizeof(suffix), "-flat");
		else if (strlen(b) > 10 && (strstr(b, "-s0") || strstr(b, "-f0")))
			snprintf(suffix, sizeof(suffix), "%.5s",
				 strrchr(b, '-'));
		else
			snprintf(suffix, sizeof(suffix), "-%zu", i + 1);
		nn = extent_name(np, suffix);
		from = media_sibling(m, d->file);
		to = nn ? path_join(ndir, nn) : NULL;
		rc = from && to ? m->fs->ops->rename(m->fs, from, to) : -ENOMEM;
		free(from);
		free(to);
		if (rc) {
			free(nn);
			goto rollback;
		}
		old_names[i] = d->file;
		d->file = nn;
		done = i + 1;
	}
	if (v->embedded) {
		free(v->desc.ext[0].file);
		v->desc.ext[0].file = strdup(path_basename(np));
	}
	rc = m->fs->ops->rename(m->fs, m->path, np);
	if (rc)
		goto rollback;
	free(m->path);
	m->path = np;
	np = NULL;
	vmdk_desc_set_extents(&v->desc);
	v->desc_dirty = true;
	if (m->flags & MEDIA_RDWR)
		rc = vmdk_flush(m);
	else
		rc = vmdk_desc_write(m, v);
	goto out;
rollback:
	for (i = 0; i < done; i++) {
		struct vmdk_desc_extent *d = &v->desc.ext[i];
		char *from, *to;

		if (!old_names[i])
			continue;
		to = media_sibling(m, old_names[i]);
		from = path_join(ndir, d->file);
		if (from && to)
			m->fs->ops->rename(m->fs, from, to);
		free(from);
		free(to);
		free(d->file);
		d->file = old_names[i];
		old_names[i] = NULL;
	}
out:
	if (old_names) {
		for (i = 0; i < v->desc.next; i++)
			free(old_names[i]);
		free(old_names);
	}
	free(ndir);
	free(np);
	if (rc)
		return vb_err(err, -rc, VBOX_E_FILE_ERROR,
			      "Could not move medium '%s' to '%s' (%s)", m->path,
			      new_path, media_vbox_status(rc));
	return 0;
}

