/*
 * Stream-optimized VMDK writer (VMware's VMDK 5.0 "stream-optimized
 * compressed sparse extent" layout, media-formats.md 2.5): after the
 * header and descriptor come grain markers with zlib-compressed grains in
 * ascending LBA order, a GT marker and grain table after each span of
 * gtes grains that holds data, then the GD marker and directory, a footer
 * (header copy with the real GD offset) and the end-of-stream marker.
 * All-zero grains are left out.
 *
 * Grains are collected in batches; a pool of worker threads (one per
 * online CPU, up to 8, each with its own libdeflate compressor) compresses
 * a full batch while the caller fills the next one, and the compressed
 * grains are written in LBA order, combined into large writes.  A grain
 * whose samples do not compress is stored as uncompressed deflate blocks
 * inside its zlib stream, which the format allows and which costs a copy
 * instead of a futile search for matches.
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

struct worker {
	struct vmdk_stream *s;
	unsigned t;
};

struct batch {
	uint8_t *in;                /* cap grains */
	uint64_t *lba;              /* grain numbers */
	uint8_t *out;               /* cap * ostride */
	size_t *olen;
	unsigned n;
	bool busy;                  /* handed to the workers */
};

struct vmdk_stream {
	struct mfile *f;
	uint8_t hdr[VMDK_HDR_SIZE];
	uint64_t grain, grain_bytes;
	uint32_t gtes, ngd, gt_secs, gd_secs;
	unsigned gshift;
	unsigned nthreads, cap;
	size_t ostride;
	struct batch b[2];
	unsigned fill;              /* index of the batch being filled */
	/* worker pool */
	pthread_t th[STREAM_MAX_THREADS];
	struct libdeflate_compressor *comp[STREAM_MAX_THREADS];
	unsigned nstarted;
	struct worker wargs[STREAM_MAX_THREADS];
	pthread_mutex_t mu;
	pthread_cond_t cv_work, cv_done;
	struct batch *job;          /* the batch being compressed */
	unsigned long job_gen;
	unsigned workers_done;
	bool quit;
	/* the grain being assembled (a slot of the fill batch) */
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

/* zlib stream of stored (uncompressed) deflate blocks. */
static size_t store_zlib(const uint8_t *in, size_t n, uint8_t *out,
			 size_t cap)
{
	size_t need = 2 + n + 5 * ((n + 65534) / 65535 + (n == 0)) + 4, o = 2;
	if (need > cap)
		return 0;
	out[0] = 0x78;
	out[1] = 0x01;
	do {
		size_t k = n > 65535 ? 65535 : n;

		out[o] = k == n ? 1 : 0;
		put_le16(out + o + 1, (uint16_t)k);
		put_le16(out + o + 3, (uint16_t)~k);
		memcpy(out + o + 5, in, k);
		o += 5 + k;
		in += k;
		n -= k;
	} while (n);
	return o;
}

/* Compress grain i of batch b with compressor c. */
static void compress_one(struct vmdk_stream *s, struct batch *b, unsigned i,
			 struct libdeflate_compressor *c)
{
	const uint8_t *in = b->in + i * s->grain_bytes;
	uint8_t *out = b->out + i * s->ostride;
	uint8_t sample[3 * 2048], tmp[3 * 2048 + 512];
	size_t half = s->grain_bytes / 2, n;

	/* three 2 KiB samples: if they do not shrink, store the grain */
	memcpy(sample, in, 2048);
	memcpy(sample + 2048, in + half, 2048);
	memcpy(sample + 4096, in + s->grain_bytes - 2048, 2048);
	n = libdeflate_deflate_compress(c, sample, sizeof(sample), tmp,
					sizeof(tmp));
	if (!n || n > sizeof(sample) * 97 / 100) {
		n = store_zlib(in, s->grain_bytes, out, s->ostride - 4);
		if (n) {
			uint32_t a = libdeflate_adler32(1, in, s->grain_bytes);

			put_be32(out + n, a);
			b->olen[i] = n + 4;
			return;
		}
	}
	b->olen[i] = libdeflate_zlib_compress(c, in, s->grain_bytes, out,
					      s->ostride);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct vmdk_stream *s = w->s;
	unsigned long seen = 0;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		struct batch *b;
		unsigned i;

		while (!s->quit && s->job_gen == seen)
			pthread_cond_wait(&s->cv_work, &s->mu);
		if (s->quit)
			break;
		seen = s->job_gen;
		b = s->job;
		pthread_mutex_unlock(&s->mu);
		for (i = w->t; i < b->n; i += s->nthreads)
			compress_one(s, b, i, s->comp[w->t]);
		pthread_mutex_lock(&s->mu);
		if (++s->workers_done == s->nthreads)
			pthread_cond_signal(&s->cv_done);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

static void free_batches(struct vmdk_stream *s)
{
	unsigned k;

	for (k = 0; k < 2; k++) {
		free(s->b[k].in);
		free(s->b[k].lba);
		free(s->b[k].out);
		free(s->b[k].olen);
	}
}

struct vmdk_stream *vmdk_stream_new(struct mfile *f, const uint8_t *hdr,
				    uint64_t capacity, uint64_t grain,
				    uint32_t gtes, uint64_t overhead)
{
	struct vmdk_stream *s = calloc(1, sizeof(*s));
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned i, k;

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
	s->gt = calloc(gtes, 4);
	s->gd = calloc(VB_MAX(s->ngd, 1u), 4);
	s->ocap = STREAM_OUT_FLUSH + 2 * s->grain_bytes + 4096;
	s->obuf = malloc(s->ocap);
	s->cur_gti = -1;
	s->pos = overhead;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv_work, NULL);
	pthread_cond_init(&s->cv_done, NULL);
	for (i = 0; i < s->nthreads; i++)
		s->comp[i] = libdeflate_alloc_compressor(STREAM_LEVEL);
	if (s->comp[0])
		s->ostride = VB_ALIGN_UP(libdeflate_zlib_compress_bound(
					 s->comp[0], s->grain_bytes) + 64, 64);
	for (k = 0; k < 2 && s->ostride; k++) {
		s->b[k].in = malloc(s->cap * s->grain_bytes);
		s->b[k].lba = calloc(s->cap, sizeof(*s->b[k].lba));
		s->b[k].out = malloc(s->cap * s->ostride);
		s->b[k].olen = calloc(s->cap, sizeof(*s->b[k].olen));
		if (!s->b[k].in || !s->b[k].lba || !s->b[k].out ||
		    !s->b[k].olen)
			goto fail;
	}
	if (!s->gt || !s->gd || !s->obuf || !s->ostride)
		goto fail;
	for (i = 0; i < s->nthreads; i++)
		if (!s->comp[i])
			goto fail;
	for (i = 0; i < s->nthreads; i++) {
		s->wargs[i].s = s;
		s->wargs[i].t = i;
		if (pthread_create(&s->th[i], NULL, worker_main, &s->wargs[i]))
			break;
		s->nstarted++;
	}
	if (s->nstarted != s->nthreads)
		goto fail;
	return s;
fail:
	s->finished = true;
	vmdk_stream_free(s);
	return NULL;
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

/* ---- batches ---- */

/* Write the compressed grains of a finished batch in LBA order. */
static void emit(struct vmdk_stream *s, struct batch *b)
{
	unsigned i;

	for (i = 0; i < b->n && !s->error; i++) {
		uint64_t g = b->lba[i];
		int64_t gti = (int64_t)(g / s->gtes);
		uint8_t mk[12];

		if (!b->olen[i]) {
			s->error = -EIO;
			break;
		}
		if (gti != s->cur_gti) {
			flush_gt(s);
			s->cur_gti = gti;
		}
		put_le64(mk, g * s->grain);
		put_le32(mk + 8, (uint32_t)b->olen[i]);
		s->gt[g % s->gtes] = (uint32_t)out_add(s, mk, sizeof(mk),
						       b->out + i * s->ostride,
						       b->olen[i]);
		s->gt_used = true;
	}
	b->n = 0;
	b->busy = false;
}

/* Wait for the batch the workers have (if any) and write it. */
static void drain(struct vmdk_stream *s)
{
	struct batch *b;

	pthread_mutex_lock(&s->mu);
	b = s->job;
	if (!b || !b->busy) {
		pthread_mutex_unlock(&s->mu);
		return;
	}
	while (s->workers_done != s->nthreads)
		pthread_cond_wait(&s->cv_done, &s->mu);
	s->job = NULL;
	pthread_mutex_unlock(&s->mu);
	emit(s, b);
}

/* Hand the fill batch to the workers and start filling the other one. */
static void submit(struct vmdk_stream *s)
{
	struct batch *b = &s->b[s->fill];

	drain(s);
	if (!b->n)
		return;
	pthread_mutex_lock(&s->mu);
	b->busy = true;
	s->job = b;
	s->workers_done = 0;
	s->job_gen++;
	pthread_cond_broadcast(&s->cv_work);
	pthread_mutex_unlock(&s->mu);
	s->fill ^= 1;
}

static void commit_cur(struct vmdk_stream *s)
{
	struct batch *b = &s->b[s->fill];
	uint8_t *slot = b->in + b->n * s->grain_bytes;

	s->have_cur = false;
	s->next_g = s->cur_g + 1;
	if (media_is_zero(slot, s->grain_bytes))
		return;         /* zero grains are left out */
	b->lba[b->n++] = s->cur_g;
	if (b->n == s->cap)
		submit(s);
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
		slot = s->b[s->fill].in + s->b[s->fill].n * s->grain_bytes;
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
	submit(s);
	drain(s);
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
	pthread_mutex_lock(&s->mu);
	s->quit = true;
	pthread_cond_broadcast(&s->cv_work);
	pthread_mutex_unlock(&s->mu);
	for (i = 0; i < s->nstarted; i++)
		pthread_join(s->th[i], NULL);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv_work);
	pthread_cond_destroy(&s->cv_done);
	for (i = 0; i < STREAM_MAX_THREADS; i++)
		if (s->comp[i])
			libdeflate_free_compressor(s->comp[i]);
	free_batches(s);
	free(s->gt);
	free(s->gd);
	free(s->obuf);
	free(s);
}
