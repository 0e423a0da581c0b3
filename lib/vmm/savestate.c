/*
 * Saved-state files (.sav): our own format, versioned and checksummed.
 *
 * Layout (all integers little endian):
 *
 *   header, 64 bytes:
 *     0  "VBKVMSAV"               8  u32 format version (1)
 *     12 u32 header size (64)     16 uuid of the machine (16 bytes)
 *     32 u64 RAM bytes            40 u32 vCPUs
 *     44 u32 flags (1 = paused)   48 u64 created (Unix ns)
 *     56 u32 0                    60 u32 CRC-32C of bytes 0..59
 *   sections, each: u32 tag, u32 version, u64 payload length,
 *                   u32 CRC-32C of the payload, u32 0, payload
 *     "ENGN"  engine name (16 bytes), flags, VM-wide engine state
 *     "CPU "  one per vCPU in order: index, then struct vmm_cpu_state
 *             field by field
 *     "DEVS"  the board's state (board_state_save)
 *     "RAM "  u32 regions; per region u64 gpa, u64 size, u64 stored
 *             pages, a bitmap of one bit per 4 KiB page (set = stored),
 *             then the stored pages in order.  All-zero pages are not
 *             stored and read back as zeros.
 *     "END "  empty, last
 *
 * The reader trusts nothing: it checks the header checksum, the format
 * and section versions, that sections come in the order above and fit in
 * the file, every section's checksum, and every value that ends up in a
 * vCPU or a device.  RAM is read straight into guest memory and its
 * checksum checked at the end of the section; a mismatch fails the
 * restore (the caller then discards the half-loaded VM).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "lib/devices/dev.h"
#include "lib/devices/devstate.h"
#include "lib/util/checked.h"
#include "lib/util/crc32c.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"
#include "lib/vmm/savestate.h"

#define SAV_MAGIC       "VBKVMSAV"
#define SAV_VERSION     1u
#define SAV_HDR_SIZE    64u
#define SAV_SEC_HDR     24u
#define SAV_PAGE        4096u
#define SAV_CPU_VERSION 1u

#define TAG(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | \
			 (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define TAG_ENGN TAG('E', 'N', 'G', 'N')
#define TAG_CPU  TAG('C', 'P', 'U', ' ')
#define TAG_DEVS TAG('D', 'E', 'V', 'S')
#define TAG_RAM  TAG('R', 'A', 'M', ' ')
#define TAG_END  TAG('E', 'N', 'D', ' ')

/* Biggest non-RAM section we accept: an XSAVE area and some. */
#define SAV_MAX_SMALL   (16u << 20)

static const char *tag_name(uint32_t tag)
{
	switch (tag) {
	case TAG_ENGN: return "engine";
	case TAG_CPU: return "CPU";
	case TAG_DEVS: return "device";
	case TAG_RAM: return "memory";
	case TAG_END: return "end";
	default: return "unknown";
	}
}

static const char *verr_of(int e)
{
	switch (e) {
	case ENOENT: return "VERR_FILE_NOT_FOUND";
	case EACCES: case EPERM: return "VERR_ACCESS_DENIED";
	case ENOSPC: return "VERR_DISK_FULL";
	case EISDIR: return "VERR_IS_A_DIRECTORY";
	case ENOMEM: return "VERR_NO_MEMORY";
	default: return "VERR_FILE_IO_ERROR";
	}
}

/* ------------------------------------------------------------------ */
/* vCPU state <-> bytes                                                */

static void put_seg(struct devst_out *o, const struct vmm_seg *s)
{
	devst_put_u64(o, s->base);
	devst_put_u32(o, s->limit);
	devst_put_u32(o, s->attr);
	devst_put_u16(o, s->sel);
}

static void get_seg(struct devst_in *in, struct vmm_seg *s)
{
	s->base = devst_get_u64(in);
	s->limit = devst_get_u32(in);
	s->attr = devst_get_u32(in);
	s->sel = devst_get_u16(in);
	if (s->attr & ~(0xf0ffu | VMM_SEG_UNUSABLE))
		in->bad = true;
}

static void put_cpu(struct devst_out *o, unsigned idx, const struct vmm_cpu_state *s)
{
	const uint64_t *named[] = {
		&s->rip, &s->rflags, &s->cr0, &s->cr2, &s->cr3, &s->cr4, &s->cr8,
		&s->efer, &s->xcr0, &s->star, &s->lstar, &s->cstar, &s->sfmask,
		&s->kernel_gs_base, &s->sysenter_cs, &s->sysenter_esp,
		&s->sysenter_eip, &s->pat, &s->tsc, &s->tsc_aux, &s->tsc_deadline,
		&s->apic_base, &s->misc_enable, &s->mtrr_def_type,
	};
	unsigned i;

	devst_put_u32(o, idx);
	for (i = 0; i < 16; i++)
		devst_put_u64(o, s->gpr[i]);
	for (i = 0; i < VB_ARRAY_SIZE(named); i++)
		devst_put_u64(o, *named[i]);
	put_seg(o, &s->es);
	put_seg(o, &s->cs);
	put_seg(o, &s->ss);
	put_seg(o, &s->ds);
	put_seg(o, &s->fs);
	put_seg(o, &s->gs);
	put_seg(o, &s->ldtr);
	put_seg(o, &s->tr);
	devst_put_u64(o, s->gdtr.base);
	devst_put_u16(o, s->gdtr.limit);
	devst_put_u64(o, s->idtr.base);
	devst_put_u16(o, s->idtr.limit);
	for (i = 0; i < 8; i++)
		devst_put_u64(o, s->dr[i]);
	for (i = 0; i < 11; i++)
		devst_put_u64(o, s->mtrr_fixed[i]);
	for (i = 0; i < 16; i++)
		devst_put_u64(o, s->mtrr_var[i]);
	devst_put_u32(o, s->xsave_len);
	devst_put_bytes(o, s->xsave, s->xsave_len);
	devst_put_bool(o, s->lapic_valid);
	if (s->lapic_valid)
		devst_put_bytes(o, s->lapic, VMM_LAPIC_SIZE);
	devst_put_u8(o, (uint8_t)s->activity);
	devst_put_bool(o, s->irq_shadow);
	devst_put_bool(o, s->nmi_masked);
	devst_put_bool(o, s->nmi_pending);
	devst_put_u32(o, (uint32_t)s->irq_injected);
	devst_put_bool(o, s->exc_pending);
	devst_put_u8(o, s->exc_vector);
	devst_put_bool(o, s->exc_has_error);
	devst_put_u32(o, s->exc_error);
	devst_put_u32(o, s->n_msrs);
	for (i = 0; i < s->n_msrs; i++) {
		devst_put_u32(o, s->msrs[i].index);
		devst_put_u64(o, s->msrs[i].value);
	}
}

/* 0, or -EINVAL for impossible values. */
static int get_cpu(struct devst_in *in, unsigned idx, struct vmm_cpu_state *s)
{
	uint64_t *named[] = {
		&s->rip, &s->rflags, &s->cr0, &s->cr2, &s->cr3, &s->cr4, &s->cr8,
		&s->efer, &s->xcr0, &s->star, &s->lstar, &s->cstar, &s->sfmask,
		&s->kernel_gs_base, &s->sysenter_cs, &s->sysenter_esp,
		&s->sysenter_eip, &s->pat, &s->tsc, &s->tsc_aux, &s->tsc_deadline,
		&s->apic_base, &s->misc_enable, &s->mtrr_def_type,
	};
	uint32_t irq;
	uint8_t act;
	unsigned i;

	memset(s, 0, sizeof(*s));
	if (devst_get_u32(in) != idx)
		return -EINVAL;
	for (i = 0; i < 16; i++)
		s->gpr[i] = devst_get_u64(in);
	for (i = 0; i < VB_ARRAY_SIZE(named); i++)
		*named[i] = devst_get_u64(in);
	get_seg(in, &s->es);
	get_seg(in, &s->cs);
	get_seg(in, &s->ss);
	get_seg(in, &s->ds);
	get_seg(in, &s->fs);
	get_seg(in, &s->gs);
	get_seg(in, &s->ldtr);
	get_seg(in, &s->tr);
	s->gdtr.base = devst_get_u64(in);
	s->gdtr.limit = devst_get_u16(in);
	s->idtr.base = devst_get_u64(in);
	s->idtr.limit = devst_get_u16(in);
	for (i = 0; i < 8; i++)
		s->dr[i] = devst_get_u64(in);
	for (i = 0; i < 11; i++)
		s->mtrr_fixed[i] = devst_get_u64(in);
	for (i = 0; i < 16; i++)
		s->mtrr_var[i] = devst_get_u64(in);
	s->xsave_len = devst_get_u32(in);
	if (in->bad || s->xsave_len < 512 || s->xsave_len > VMM_XSAVE_MAX)
		return -EINVAL;
	devst_get_bytes(in, s->xsave, s->xsave_len);
	s->lapic_valid = devst_get_bool(in);
	if (s->lapic_valid)
		devst_get_bytes(in, s->lapic, VMM_LAPIC_SIZE);
	act = devst_get_u8(in);
	s->irq_shadow = devst_get_bool(in);
	s->nmi_masked = devst_get_bool(in);
	s->nmi_pending = devst_get_bool(in);
	irq = devst_get_u32(in);
	s->exc_pending = devst_get_bool(in);
	s->exc_vector = devst_get_u8(in);
	s->exc_has_error = devst_get_bool(in);
	s->exc_error = devst_get_u32(in);
	s->n_msrs = devst_get_max(in, VMM_EXTRA_MSRS);
	for (i = 0; i < s->n_msrs; i++) {
		s->msrs[i].index = devst_get_u32(in);
		s->msrs[i].value = devst_get_u64(in);
	}
	if (in->bad || act > VMM_CPU_WAIT_SIPI || s->exc_vector > 31 ||
	    (irq != UINT32_MAX && irq > 255) || !(s->rflags & 2))
		return -EINVAL;
	s->activity = (enum vmm_cpu_activity)act;
	s->irq_injected = irq == UINT32_MAX ? -1 : (int)irq;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Writing                                                             */

struct sav_w {
	int fd;
	uint64_t off;
	const char *path;
	struct vb_error *err;
};

static int w_fail(struct sav_w *w, int e)
{
	return vb_err(w->err, e, VBOX_E_FILE_ERROR,
		      "Failed to write the saved state file '%s': %s (%s)",
		      w->path, strerror(e), verr_of(e));
}

static int w_at(struct sav_w *w, uint64_t off, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n) {
		ssize_t r = pwrite(w->fd, b, n, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return w_fail(w, r < 0 ? errno : ENOSPC);
		b += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

static void sec_header(uint8_t *h, uint32_t tag, uint32_t version,
		       uint64_t len, uint32_t crc)
{
	memset(h, 0, SAV_SEC_HDR);
	dev_put_le32(h, tag);
	dev_put_le32(h + 4, version);
	dev_put_le64(h + 8, len);
	dev_put_le32(h + 16, crc);
}

static int w_section(struct sav_w *w, uint32_t tag, uint32_t version,
		     const uint8_t *p, size_t len)
{
	uint8_t h[SAV_SEC_HDR];
	int rc;

	sec_header(h, tag, version, len, vb_crc32c(0, p, len));
	rc = w_at(w, w->off, h, sizeof(h));
	if (!rc)
		rc = w_at(w, w->off + SAV_SEC_HDR, p, len);
	if (!rc)
		w->off += SAV_SEC_HDR + len;
	return rc;
}

static bool page_zero(const uint8_t *p)
{
	const uint64_t *q = (const uint64_t *)(const void *)p;
	uint64_t acc = 0;
	unsigned i;

	for (i = 0; i < SAV_PAGE / 8; i += 8)
		acc |= q[i] | q[i + 1] | q[i + 2] | q[i + 3] |
		       q[i + 4] | q[i + 5] | q[i + 6] | q[i + 7];
	return acc == 0;
}

static int w_ram(struct sav_w *w, const struct vmm_sav_image *img,
		 vmm_sav_progress_fn progress, void *ctx)
{
	struct devst_out head = { 0 };
	uint8_t *maps[VMM_SAV_MAX_RAM] = { NULL };
	uint64_t stored[VMM_SAV_MAX_RAM] = { 0 }, total = 0, done = 0, len;
	uint64_t start = w->off, pos;
	uint32_t crc = 0;
	unsigned r;
	int rc = 0;

	/* pass 1: which pages hold anything */
	for (r = 0; r < img->n_ram; r++) {
		const struct vmm_sav_ram *m = &img->ram[r];
		uint64_t pages = m->size / SAV_PAGE, pg;

		maps[r] = calloc(1, (size_t)((pages + 7) / 8) + 1);
		if (!maps[r]) {
			rc = w_fail(w, ENOMEM);
			goto out;
		}
		for (pg = 0; pg < pages; pg++) {
			if (!page_zero(m->hva + pg * SAV_PAGE)) {
				maps[r][pg / 8] |= (uint8_t)(1u << (pg % 8));
				stored[r]++;
			}
		}
		total += stored[r];
	}
	/* the section: header after the payload, when the CRC is known */
	pos = start + SAV_SEC_HDR;
	devst_put_u32(&head, img->n_ram);
	if (head.oom) {
		rc = w_fail(w, ENOMEM);
		goto out;
	}
	if ((rc = w_at(w, pos, head.buf, head.len)))
		goto out;
	crc = vb_crc32c(crc, head.buf, head.len);
	pos += head.len;
	for (r = 0; r < img->n_ram; r++) {
		const struct vmm_sav_ram *m = &img->ram[r];
		uint64_t pages = m->size / SAV_PAGE, pg;
		size_t mlen = (size_t)((pages + 7) / 8);
		uint8_t rh[24];

		dev_put_le64(rh, m->gpa);
		dev_put_le64(rh + 8, m->size);
		dev_put_le64(rh + 16, stored[r]);
		if ((rc = w_at(w, pos, rh, sizeof(rh))) ||
		    (rc = w_at(w, pos + sizeof(rh), maps[r], mlen)))
			goto out;
		crc = vb_crc32c(crc, rh, sizeof(rh));
		crc = vb_crc32c(crc, maps[r], mlen);
		pos += sizeof(rh) + mlen;
		/* runs of stored pages, written straight from guest RAM */
		for (pg = 0; pg < pages;) {
			uint64_t run;

			if (!(maps[r][pg / 8] & (1u << (pg % 8)))) {
				pg++;
				continue;
			}
			for (run = 1; pg + run < pages && run < 256 &&
			     (maps[r][(pg + run) / 8] & (1u << ((pg + run) % 8))); run++)
				;
			rc = w_at(w, pos, m->hva + pg * SAV_PAGE,
				  (size_t)(run * SAV_PAGE));
			if (rc)
				goto out;
			crc = vb_crc32c(crc, m->hva + pg * SAV_PAGE,
					(size_t)(run * SAV_PAGE));
			pos += run * SAV_PAGE;
			pg += run;
			done += run;
			if (progress && total)
				progress(ctx, (unsigned)(done * 100 / total));
		}
	}
	len = pos - start - SAV_SEC_HDR;
	{
		uint8_t h[SAV_SEC_HDR];

		sec_header(h, TAG_RAM, 1, len, crc);
		rc = w_at(w, start, h, sizeof(h));
	}
	if (!rc)
		w->off = pos;
out:
	for (r = 0; r < VMM_SAV_MAX_RAM; r++)
		free(maps[r]);
	free(head.buf);
	return rc;
}

static int w_body(struct sav_w *w, const struct vmm_sav_image *img,
		  vmm_sav_progress_fn progress, void *ctx)
{
	struct devst_out o = { 0 };
	uint8_t hdr[SAV_HDR_SIZE];
	uint64_t ram = 0;
	unsigned i;
	int rc;

	for (i = 0; i < img->n_ram; i++)
		ram += img->ram[i].size;
	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, SAV_MAGIC, 8);
	dev_put_le32(hdr + 8, SAV_VERSION);
	dev_put_le32(hdr + 12, SAV_HDR_SIZE);
	memcpy(hdr + 16, img->uuid, 16);
	dev_put_le64(hdr + 32, ram);
	dev_put_le32(hdr + 40, img->ncpus);
	dev_put_le32(hdr + 44, img->paused ? 1 : 0);
	dev_put_le64(hdr + 48, img->created_ns);
	dev_put_le32(hdr + 60, vb_crc32c(0, hdr, 60));
	rc = w_at(w, 0, hdr, sizeof(hdr));
	if (rc)
		return rc;
	w->off = SAV_HDR_SIZE;

	devst_put_bytes(&o, img->engine, sizeof(img->engine));
	devst_put_bool(&o, img->engine_state.clock_valid);
	devst_put_u64(&o, img->engine_state.clock_ns);
	if (o.oom)
		return w_fail(w, ENOMEM);
	rc = w_section(w, TAG_ENGN, 1, o.buf, o.len);
	for (i = 0; !rc && i < img->ncpus; i++) {
		o.len = 0;
		put_cpu(&o, i, &img->cpus[i]);
		rc = o.oom ? w_fail(w, ENOMEM) :
		     w_section(w, TAG_CPU, SAV_CPU_VERSION, o.buf, o.len);
	}
	free(o.buf);
	if (!rc)
		rc = w_section(w, TAG_DEVS, 1, img->devs, img->devs_len);
	if (!rc)
		rc = w_ram(w, img, progress, ctx);
	if (!rc)
		rc = w_section(w, TAG_END, 1, NULL, 0);
	return rc;
}

int vmm_sav_write(const char *path, const struct vmm_sav_image *img,
		  vmm_sav_progress_fn progress, void *ctx,
		  struct vb_error *err)
{
	struct sav_w w = { -1, 0, path, err };
	char *tmp = vb_asprintf("%s-tmp", path), *dir = NULL;
	int rc, dfd;

	if (!tmp)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	if (img->n_ram > VMM_SAV_MAX_RAM || img->ncpus < 1 ||
	    img->ncpus > VMM_SAV_MAX_CPUS) {
		free(tmp);
		return vb_err(err, EINVAL, VB_E_INVALIDARG, "Invalid saved state image");
	}
	w.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (w.fd < 0) {
		rc = w_fail(&w, errno);
		free(tmp);
		return rc;
	}
	rc = w_body(&w, img, progress, ctx);
	if (!rc && fsync(w.fd) < 0)
		rc = w_fail(&w, errno);
	if (close(w.fd) < 0 && !rc)
		rc = w_fail(&w, errno);
	if (!rc && rename(tmp, path) < 0)
		rc = w_fail(&w, errno);
	if (rc) {
		unlink(tmp);
	} else {
		dir = path_dirname(path);
		dfd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
		free(dir);
	}
	free(tmp);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */

struct sav_r {
	int fd;
	uint64_t off, size;
	const char *name;
	struct vb_error *err;
};

static int r_fail_io(struct sav_r *r, int e)
{
	return vb_err(r->err, e, VBOX_E_FILE_ERROR,
		      "Failed to read the saved state file '%s': %s (%s)",
		      r->name, strerror(e), verr_of(e));
}

static int r_truncated(struct sav_r *r)
{
	return vb_err(r->err, EINVAL, VBOX_E_FILE_ERROR,
		      "The saved state file '%s' is truncated (VERR_SSM_INTEGRITY_SIZES)",
		      r->name);
}

static int r_bad(struct sav_r *r, const char *what)
{
	return vb_err(r->err, EINVAL, VBOX_E_FILE_ERROR,
		      "The saved state file '%s' has an invalid %s section (VERR_SSM_UNEXPECTED_DATA)",
		      r->name, what);
}

static int r_crc(struct sav_r *r, const char *what)
{
	return vb_err(r->err, EINVAL, VBOX_E_FILE_ERROR,
		      "The saved state file '%s' is damaged: the checksum of its %s section does not match (VERR_SSM_INTEGRITY_CRC)",
		      r->name, what);
}

static int r_mismatch(struct sav_r *r, const char *what)
{
	return vb_err(r->err, EINVAL, VBOX_E_FILE_ERROR,
		      "The saved state file '%s' does not fit this machine: %s (VERR_SSM_LOAD_CONFIG_MISMATCH)",
		      r->name, what);
}

/* Read exactly n bytes at the current offset. */
static int r_read(struct sav_r *r, void *p, size_t n)
{
	uint8_t *b = p;

	if (!ck_range(r->off, n, r->size))
		return r_truncated(r);
	while (n) {
		ssize_t k = pread(r->fd, b, n, (off_t)r->off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return r_fail_io(r, errno);
		if (k == 0)
			return r_truncated(r);
		b += k;
		n -= (size_t)k;
		r->off += (uint64_t)k;
	}
	return 0;
}

struct sec {
	uint32_t tag, version, crc;
	uint64_t len;
};

static int r_sec(struct sav_r *r, uint32_t want, struct sec *s)
{
	uint8_t h[SAV_SEC_HDR];
	int rc = r_read(r, h, sizeof(h));

	if (rc)
		return rc;
	s->tag = dev_le32(h);
	s->version = dev_le32(h + 4);
	s->len = dev_le64(h + 8);
	s->crc = dev_le32(h + 16);
	if (s->tag != want || dev_le32(h + 20))
		return vb_err(r->err, EINVAL, VBOX_E_FILE_ERROR,
			      "The saved state file '%s' is damaged: a %s section was expected (VERR_SSM_INTEGRITY_UNIT)",
			      r->name, tag_name(want));
	if (s->version != 1)
		return vb_err(r->err, EINVAL, VBOX_E_FILE_ERROR,
			      "The saved state file '%s' has a %s section of the unsupported version %u (VERR_SSM_UNSUPPORTED_DATA_UNIT_VERSION)",
			      r->name, tag_name(want), s->version);
	if (!ck_range(r->off, s->len, r->size))
		return r_truncated(r);
	return 0;
}

/* A small section's payload, checksum verified (malloc'ed). */
static int r_small(struct sav_r *r, uint32_t want, uint8_t **out,
		   size_t *len)
{
	struct sec s;
	uint8_t *p;
	int rc = r_sec(r, want, &s);

	*out = NULL;
	*len = 0;
	if (rc)
		return rc;
	if (s.len > SAV_MAX_SMALL)
		return r_bad(r, tag_name(want));
	p = malloc(s.len ? (size_t)s.len : 1);
	if (!p)
		return r_fail_io(r, ENOMEM);
	rc = r_read(r, p, (size_t)s.len);
	if (!rc && vb_crc32c(0, p, (size_t)s.len) != s.crc)
		rc = r_crc(r, tag_name(want));
	if (rc) {
		free(p);
		return rc;
	}
	*out = p;
	*len = (size_t)s.len;
	return 0;
}

static int r_ram(struct sav_r *r, struct vmm_sav_image *img,
		 vmm_sav_progress_fn progress, void *ctx)
{
	struct sec s;
	uint8_t b4[4], *map = NULL;
	uint64_t end, total = 0, done = 0;
	uint32_t crc = 0, n;
	unsigned i;
	int rc = r_sec(r, TAG_RAM, &s);

	if (rc)
		return rc;
	end = r->off + s.len;
	if ((rc = r_read(r, b4, 4)))
		return rc;
	crc = vb_crc32c(crc, b4, 4);
	n = dev_le32(b4);
	if (n != img->n_ram)
		return r_mismatch(r, "its memory layout differs");
	for (i = 0; i < img->n_ram; i++)
		total += img->ram[i].size / SAV_PAGE;
	for (i = 0; i < n; i++) {
		struct vmm_sav_ram *m = &img->ram[i];
		uint64_t pages = m->size / SAV_PAGE, pg, stored, count = 0;
		size_t mlen = (size_t)((pages + 7) / 8);
		uint8_t rh[24];

		if ((rc = r_read(r, rh, sizeof(rh))))
			goto out;
		crc = vb_crc32c(crc, rh, sizeof(rh));
		if (dev_le64(rh) != m->gpa || dev_le64(rh + 8) != m->size) {
			rc = r_mismatch(r, "its memory layout differs");
			goto out;
		}
		stored = dev_le64(rh + 16);
		free(map);
		map = malloc(mlen + 1);
		if (!map) {
			rc = r_fail_io(r, ENOMEM);
			goto out;
		}
		if ((rc = r_read(r, map, mlen)))
			goto out;
		crc = vb_crc32c(crc, map, mlen);
		for (pg = 0; pg < pages; pg++)
			count += (map[pg / 8] >> (pg % 8)) & 1;
		if (count != stored || (pages % 8 && (map[mlen - 1] >> (pages % 8)))) {
			rc = r_bad(r, "memory");
			goto out;
		}
		for (pg = 0; pg < pages;) {
			uint64_t run;

			if (!(map[pg / 8] & (1u << (pg % 8)))) {
				uint8_t *p = m->hva + pg * SAV_PAGE;

				if (!page_zero(p))
					memset(p, 0, SAV_PAGE);
				pg++;
				done++;
				continue;
			}
			for (run = 1; pg + run < pages && run < 256 &&
			     (map[(pg + run) / 8] & (1u << ((pg + run) % 8))); run++)
				;
			if ((rc = r_read(r, m->hva + pg * SAV_PAGE,
					 (size_t)(run * SAV_PAGE))))
				goto out;
			crc = vb_crc32c(crc, m->hva + pg * SAV_PAGE,
					(size_t)(run * SAV_PAGE));
			pg += run;
			done += run;
			if (progress && total)
				progress(ctx, (unsigned)(done * 100 / total));
		}
	}
	if (r->off != end)
		rc = r_bad(r, "memory");
	else if (crc != s.crc)
		rc = r_crc(r, "memory");
	else if (progress)
		progress(ctx, 100);
out:
	free(map);
	return rc;
}

int vmm_sav_read_fd(int fd, const char *name, struct vmm_sav_image *img,
		    vmm_sav_progress_fn progress, void *ctx,
		    struct vb_error *err)
{
	struct sav_r r = { fd, 0, 0, name, err };
	uint8_t hdr[SAV_HDR_SIZE], *p = NULL;
	struct stat st;
	uint64_t ram = 0;
	size_t len;
	unsigned i;
	int rc;

	img->devs = NULL;
	img->devs_len = 0;
	if (fstat(fd, &st) < 0)
		return r_fail_io(&r, errno);
	r.size = (uint64_t)st.st_size;
	if (r.size == 0)
		return r_truncated(&r);
	if (r.size < 8)
		goto magic;
	if ((rc = r_read(&r, hdr, 8)))
		return rc;
	if (memcmp(hdr, SAV_MAGIC, 8))
		goto magic;
	if ((rc = r_read(&r, hdr + 8, SAV_HDR_SIZE - 8)))
		return rc;
	if (vb_crc32c(0, hdr, 60) != dev_le32(hdr + 60))
		return vb_err(err, EINVAL, VBOX_E_FILE_ERROR,
			      "The saved state file '%s' has a damaged header (VERR_SSM_INTEGRITY_HEADER)",
			      name);
	if (dev_le32(hdr + 8) != SAV_VERSION || dev_le32(hdr + 12) != SAV_HDR_SIZE)
		return vb_err(err, EINVAL, VBOX_E_FILE_ERROR,
			      "The saved state file '%s' has the unsupported format version %u (VERR_SSM_INTEGRITY_VERSION)",
			      name, dev_le32(hdr + 8));
	for (i = 0; i < img->n_ram; i++)
		ram += img->ram[i].size;
	if (memcmp(hdr + 16, img->uuid, 16))
		return r_mismatch(&r, "it was saved by another machine");
	if (dev_le32(hdr + 40) != img->ncpus)
		return r_mismatch(&r, "it was saved with another number of virtual CPUs");
	if (dev_le64(hdr + 32) != ram)
		return r_mismatch(&r, "it was saved with another amount of memory");
	if (dev_le32(hdr + 44) & ~1u)
		return vb_err(err, EINVAL, VBOX_E_FILE_ERROR,
			      "The saved state file '%s' has a damaged header (VERR_SSM_INTEGRITY_HEADER)",
			      name);
	img->paused = dev_le32(hdr + 44) & 1;
	img->created_ns = dev_le64(hdr + 48);

	if ((rc = r_small(&r, TAG_ENGN, &p, &len)))
		return rc;
	{
		struct devst_in in = { p, len, 0, false };

		devst_get_bytes(&in, img->engine, sizeof(img->engine));
		img->engine_state.clock_valid = devst_get_bool(&in);
		img->engine_state.clock_ns = devst_get_u64(&in);
		if (in.bad || in.pos != len || img->engine[sizeof(img->engine) - 1]) {
			free(p);
			return r_bad(&r, "engine");
		}
	}
	free(p);
	for (i = 0; i < img->ncpus; i++) {
		struct devst_in in;

		if ((rc = r_small(&r, TAG_CPU, &p, &len)))
			return rc;
		in.p = p;
		in.len = len;
		in.pos = 0;
		in.bad = false;
		rc = get_cpu(&in, i, &img->cpus[i]);
		free(p);
		if (rc || in.pos != len)
			return r_bad(&r, "CPU");
	}
	if ((rc = r_small(&r, TAG_DEVS, &img->devs, &img->devs_len)))
		return rc;
	rc = r_ram(&r, img, progress, ctx);
	if (!rc)
		rc = r_small(&r, TAG_END, &p, &len);
	if (!rc) {
		free(p);
		if (len || r.off != r.size)
			rc = r_bad(&r, "end");
	}
	if (rc) {
		free(img->devs);
		img->devs = NULL;
		img->devs_len = 0;
	}
	return rc;
magic:
	return vb_err(err, EINVAL, VBOX_E_FILE_ERROR,
		      "The file '%s' is not a saved state of this VirtualBox (VERR_SSM_INTEGRITY_MAGIC)",
		      name);
}

int vmm_sav_read(const char *path, struct vmm_sav_image *img,
		 vmm_sav_progress_fn progress, void *ctx,
		 struct vb_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0) {
		int e = errno;

		return vb_err(err, e, VBOX_E_FILE_ERROR,
			      "Could not open the saved state file '%s' (%s)",
			      path, verr_of(e));
	}
	rc = vmm_sav_read_fd(fd, path, img, progress, ctx, err);
	close(fd);
	return rc;
}
