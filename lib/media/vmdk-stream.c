/*
 * Stream-optimized VMDK writer (VMware's VMDK 5.0 "stream-optimized
 * compressed sparse extent" layout, media-formats.md 2.5): after the
 * header and descriptor come grain markers with zlib-compressed grains in
 * ascending LBA order, a GT marker and grain table after each span of
 * gtes grains that holds data, then the GD marker and directory, a footer
 * (header copy with the real GD offset) and the end-of-stream marker.
 * All-zero grains are left out.
 *
 * Grains are collected in batches and compressed in parallel (one
 * libdeflate compressor per thread, as many threads as online CPUs, up
 * to 8); the compressed grains are then written in LBA order, combined
 * into large writes.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libdeflate.h>

#include "lib/media/vmdk-int.h"
#include "lib/media/vmdk-stream.h"

#define STREAM_LEVEL        6       /* zlib's default, as VirtualBox */
#define STREAM_MAX_THREADS  8
#define STREAM_GRAINS_PER_THREAD 16
#define STREAM_OUT_FLUSH    (4u << 20)

struct vmdk_stream {
	struct mfile *f;
	uint8_t hdr[VMDK_HDR_SIZE];
	uint64_t grain, grain_bytes;
	uint32_t gtes, ngd, gt_secs, gd_secs;
	unsigned gshift;
	/* batch of grains waiting for compression */
	unsigned nthreads, cap, nbatch;
	uint8_t *in;
	uint64_t *lba;              /* grain numbers */
	uint8_t *out;
	size_t ostride;
	size_t *olen;
	struct libdeflate_compressor *comp[STREAM_MAX_THREADS];
	/* the grain being assembled (a slot of `in`) */
	bool have_cur;
	uint64_t cur_g, next_g;
	/* tables */
	uint32_t *gt, *gd;
	int64_t cur_gti;            /* -1: none yet */
	bool gt_used;
	/* output */
	uint64_t pos;               /* file sector where obuf starts */
	uint8_t *obuf;
	size_t olen_buf, ocap;
	bool finished;
	int error;
};

struct vmdk_stream *vmdk_stream_new(struct mfile *f, const uint8_t *hdr,
				    uint64_t capacity, uint64_t grain,
				    uint32_t gtes, uint64_t overhead)
{
	struct vmdk_stream *s = calloc(1, sizeof(*s));
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned i;

	if (!s)
		return NULL;
	s->f = f;
	memcpy(s->hdr, hdr, VMDK_HDR_SIZE);
	s->grain = grain;
	s->grain_bytes = grain * 512;
	s->gshift = (unsigned)__builtin_ctzll(s->grain_bytes);
	s->gtes = gtes;
	s->ngd = (uint32_t)((capacity + (uint64_t)gtes * grain - 1) /
			    ((uint64_t)gtes * grain));
	s->gt_secs = (uint32_t)((4ull * gtes + 511) / 512);
	s->gd_secs = (uint32_t)((4ull * s->ngd + 511) / 512);
	s->nthreads = cpus < 1 ? 1 : cpus > STREAM_MAX_THREADS ?
		      STREAM_MAX_THREADS : (unsigned)cpus;
	s->cap = s->nthreads * STREAM_GRAINS_PER_THREAD;
	s->in = malloc(s->cap * s->grain_bytes);
	s->lba = calloc(s->cap, sizeof(*s->lba));
	s->olen = calloc(s->cap, sizeof(*s->olen));
	s->gt = calloc(gtes, 4);
	s->gd = calloc(VB_MAX(s->ngd, 1u), 4);
	s->ocap = STREAM_OUT_FLUSH + 2 * s->grain_bytes + 4096;
	s->obuf = malloc(s->ocap);
	s->cur_gti = -1;
	s->pos = overhead;
	for (i = 0; i < s->nthreads; i++)
		s->comp[i] = libdeflate_alloc_compressor(STREAM_LEVEL);
	if (s->comp[0])
		s->ostride = VB_ALIGN_UP(libdeflate_zlib_compress_bound(
					 s->comp[0], s->grain_bytes), 64);
	s->out = s->ostride ? malloc(s->cap * s->ostride) : NULL;
	if (!s->in || !s->lba || !s->olen || !s->gt || !s->gd || !s->obuf ||
	    !s->out) {
		s->finished = true;
		vmdk_stream_free(s);
		return NULL;
	}
	for (i = 0; i < s->nthreads; i++) {
		if (!s->comp[i]) {
			s->finished = true;
			vmdk_stream_free(s);
			return NULL;
		}
	}
	return s;
}

/* ---- output combining ---- */

static void out_flush(struct vmdk_stream *s)
{
	int rc;

	if (!s->olen_buf || s->error)
		return;
	rc = mf_pwrite(s->f, s->obuf, s->olen_buf, s->pos * 512);
	if (rc) {
		s->error = rc;
		return;
	}
	s->pos += s->olen_buf / 512;
	s->olen_buf = 0;
}

/* Append a record (padded to a sector); returns the sector it starts at. */
static uint64_t out_add(struct vmdk_stream *s, const void *a, size_t alen,
			const void *b, size_t blen)
{
	size_t total = VB_ALIGN_UP(alen + blen, 512);
	uint64_t at;

	if (s->olen_buf + total > s->ocap)
		out_flush(s);
	at = s->pos + s->olen_buf / 512;
	if (s->error)
		return at;
	memcpy(s->obuf + s->olen_buf, a, alen);
	if (blen)
		memcpy(s->obuf + s->olen_buf + alen, b, blen);
	memset(s->obuf + s->olen_buf + alen + blen, 0, total - alen - blen);
	s->olen_buf += total;
	if (s->olen_buf >= STREAM_OUT_FLUSH)
		out_flush(s);
	return at;
}

static uint64_t meta_marker(struct vmdk_stream *s, uint64_t nsec,
			    uint32_t type, const void *data, size_t len)
{
	uint8_t mk[512] = { 0 };

	put_le64(mk, nsec);
	put_le32(mk + 8, 0);
	put_le32(mk + 12, type);
	return out_add(s, mk, sizeof(mk), data, len) + 1;
}

static void flush_gt(struct vmdk_stream *s)
{
	uint32_t *buf;
	uint32_t k;

	if (s->cur_gti < 0 || !s->gt_used)
		return;
	buf = malloc(4ull * s->gtes);
	if (!buf) {
		s->error = -ENOMEM;
		return;
	}
	for (k = 0; k < s->gtes; k++)
		put_le32(&buf[k], s->gt[k]);
	s->gd[s->cur_gti] = (uint32_t)meta_marker(s, s->gt_secs, VMDK_MARKER_GT,
						  buf, 4ull * s->gtes);
	free(buf);
	memset(s->gt, 0, 4ull * s->gtes);
	s->gt_used = false;
}

/* ---- compression ---- */

struct worker {
	struct vmdk_stream *s;
	unsigned t;
};

static void *compress_part(void *arg)
{
	struct worker *w = arg;
	struct vmdk_stream *s = w->s;
	unsigned i;

	for (i = w->t; i < s->nbatch; i += s->nthreads)
		s->olen[i] = libdeflate_zlib_compress(s->comp[w->t],
						      s->in + i * s->grain_bytes,
						      s->grain_bytes,
						      s->out + i * s->ostride,
						      s->ostride);
	return NULL;
}

static void process_batch(struct vmdk_stream *s)
{
	struct worker w[STREAM_MAX_THREADS];
	pthread_t th[STREAM_MAX_THREADS];
	bool started[STREAM_MAX_THREADS] = { false };
	unsigned t, i, n = VB_MIN(s->nthreads, s->nbatch);

	if (!s->nbatch || s->error)
		goto done;
	for (t = 0; t < n; t++) {
		w[t].s = s;
		w[t].t = t;
	}
	for (t = 1; t < n; t++)
		started[t] = !pthread_create(&th[t], NULL, compress_part, &w[t]);
	compress_part(&w[0]);
	for (t = 1; t < n; t++) {
		if (started[t])
			pthread_join(th[t], NULL);
		else
			compress_part(&w[t]);   /* no thread: do it here */
	}
	for (i = 0; i < s->nbatch && !s->error; i++) {
		uint64_t g = s->lba[i];
		int64_t gti = (int64_t)(g / s->gtes);
		uint8_t mk[12];

		if (!s->olen[i]) {
			s->error = -EIO;
			break;
		}
		if (gti != s->cur_gti) {
			flush_gt(s);
			s->cur_gti = gti;
		}
		put_le64(mk, g * s->grain);
		put_le32(mk + 8, (uint32_t)s->olen[i]);
		s->gt[g % s->gtes] = (uint32_t)out_add(s, mk, sizeof(mk),
						       s->out + i * s->ostride,
						       s->olen[i]);
		s->gt_used = true;
	}
done:
	s->nbatch = 0;
}

static void commit_cur(struct vmdk_stream *s)
{
	uint8_t *slot = s->in + s->nbatch * s->grain_bytes;

	s->have_cur = false;
	s->next_g = s->cur_g + 1;
	if (media_is_zero(slot, s->grain_bytes))
		return;         /* zero grains are left out */
	s->lba[s->nbatch++] = s->cur_g;
	if (s->nbatch == s->cap)
		process_batch(s);
}

int vmdk_stream_write(struct vmdk_stream *s, uint64_t off, const void *buf,
		      size_t len)
{
	const uint8_t *p = buf;

	if (s->finished)
		return -EROFS;
	while (len && !s->error) {
		uint64_t g = off >> s->gshift;
		size_t gin = (size_t)(off & (s->grain_bytes - 1));
		size_t n = (size_t)VB_MIN((uint64_t)len, s->grain_bytes - gin);
		uint8_t *slot;

		if (s->have_cur && g != s->cur_g)
			commit_cur(s);
		if (g < s->next_g)
			return -EINVAL;     /* VERR_VD_VMDK_INVALID_WRITE */
		slot = s->in + s->nbatch * s->grain_bytes;
		if (!s->have_cur) {
			s->have_cur = true;
			s->cur_g = g;
			if (gin || n != s->grain_bytes)
				memset(slot, 0, s->grain_bytes);
		}
		memcpy(slot + gin, p, n);
		if (gin + n == s->grain_bytes)
			commit_cur(s);
		p += n;
		off += n;
		len -= n;
	}
	return s->error;
}

int vmdk_stream_finish(struct vmdk_stream *s)
{
	uint8_t footer[VMDK_HDR_SIZE], eos[512] = { 0 };
	uint32_t *gd;
	uint64_t gd_at;
	uint32_t k;

	if (s->finished)
		return s->error;
	if (s->have_cur)
		commit_cur(s);
	process_batch(s);
	flush_gt(s);
	gd = malloc(4ull * VB_MAX(s->ngd, 1u));
	if (!gd) {
		s->error = s->error ? s->error : -ENOMEM;
	} else {
		for (k = 0; k < s->ngd; k++)
			put_le32(&gd[k], s->gd[k]);
		gd_at = meta_marker(s, s->gd_secs, VMDK_MARKER_GD, gd,
				    4ull * s->ngd);
		free(gd);
		memcpy(footer, s->hdr, sizeof(footer));
		put_le64(footer + 0x38, gd_at);
		meta_marker(s, 1, VMDK_MARKER_FOOTER, footer, sizeof(footer));
		out_add(s, eos, sizeof(eos), NULL, 0);
		out_flush(s);
	}
	if (!s->error)
		s->error = mf_truncate(s->f, s->pos * 512);
	if (!s->error)
		s->error = mf_sync(s->f);
	s->finished = true;
	return s->error;
}

void vmdk_stream_free(struct vmdk_stream *s)
{
	unsigned i;

	if (!s)
		return;
	if (!s->finished)
		vmdk_stream_finish(s);
	for (i = 0; i < STREAM_MAX_THREADS; i++)
		if (s->comp[i])
			libdeflate_free_compressor(s->comp[i]);
	free(s->in);
	free(s->lba);
	free(s->out);
	free(s->olen);
	free(s->gt);
	free(s->gd);
	free(s->obuf);
	free(s);
}
