/*
 * The saved-state file (lib/vmm/savestate.c): round trips, zero-page
 * elision, and refusal of every kind of damage: flipped bytes anywhere,
 * truncation at any length, foreign machines, unknown versions.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "lib/util/crc32c.h"
#include "lib/util/strbuf.h"
#include "lib/vmm/savestate.h"

#define R0 (1u << 20)
#define R1 (256u << 10)

struct simg {
	struct vmm_sav_image img;
	struct vmm_cpu_state cpus[2];
	uint8_t *r0, *r1;
	uint8_t devs[300];
};

static void fill_cpu(struct vmm_cpu_state *s, unsigned seed)
{
	unsigned i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < 16; i++)
		s->gpr[i] = 0x1111111111111111ull * (i + 1) + seed;
	s->rip = 0xfff0 + seed;
	s->rflags = 0x202;
	s->cs.sel = 0xf000;
	s->cs.base = 0xffff0000;
	s->cs.limit = 0xffff;
	s->cs.attr = 0x9b;
	s->ss.attr = 0x93;
	s->tr.attr = 0x8b;
	s->ldtr.attr = VMM_SEG_UNUSABLE;
	s->gdtr.limit = 0xffff;
	s->cr0 = 0x60000010;
	s->efer = 0x500;
	s->tsc = 123456789 + seed;
	s->apic_base = 0xfee00900;
	s->mtrr_var[3] = 0xabc;
	s->xsave_len = 4096;
	for (i = 0; i < 4096; i++)
		s->xsave[i] = (uint8_t)(i * 7 + seed);
	s->lapic_valid = seed == 0;
	if (s->lapic_valid)
		s->lapic[0x20] = 0x77;
	s->activity = seed ? VMM_CPU_WAIT_SIPI : VMM_CPU_HALTED;
	s->irq_injected = seed ? -1 : 0x30;
	s->exc_pending = true;
	s->exc_vector = 14;
	s->exc_has_error = true;
	s->exc_error = 6;
	s->n_msrs = 2;
	s->msrs[0].index = 0x4b564d01;
	s->msrs[0].value = 0x1234;
	s->msrs[1].index = 0x48;
	s->msrs[1].value = 1;
}

static void simg_init(struct simg *s)
{
	unsigned i;

	memset(s, 0, sizeof(*s));
	s->r0 = calloc(1, R0);
	s->r1 = calloc(1, R1);
	T_ASSERT(s->r0 && s->r1);
	for (i = 0; i < 16; i++)
		s->img.uuid[i] = (uint8_t)(0xa0 + i);
	snprintf(s->img.engine, sizeof(s->img.engine), "kvm");
	s->img.paused = true;
	s->img.created_ns = 1700000000000000000ull;
	s->img.engine_state.clock_valid = true;
	s->img.engine_state.clock_ns = 987654321;
	s->img.ncpus = 2;
	s->img.cpus = s->cpus;
	s->img.n_ram = 2;
	s->img.ram[0].gpa = 0;
	s->img.ram[0].size = R0;
	s->img.ram[0].hva = s->r0;
	s->img.ram[1].gpa = 0x100000000ull;
	s->img.ram[1].size = R1;
	s->img.ram[1].hva = s->r1;
	s->img.devs = s->devs;
	s->img.devs_len = sizeof(s->devs);
}

static void simg_content(struct simg *s)
{
	unsigned i;

	fill_cpu(&s->cpus[0], 0);
	fill_cpu(&s->cpus[1], 1);
	for (i = 0; i < sizeof(s->devs); i++)
		s->devs[i] = (uint8_t)(i ^ 0x5a);
	/* a few non-zero pages in each region, most left zero */
	memset(s->r0 + 0x7c00, 0xcc, 512);
	memset(s->r0 + 0xe0000, 0x90, 0x20000);
	s->r0[R0 - 1] = 1;
	s->r1[5000] = 0x42;
}

static void simg_free(struct simg *s)
{
	free(s->r0);
	free(s->r1);
}

/* A reader image for the same machine with garbage in RAM and CPUs. */
static void reader(struct simg *d, const struct simg *src)
{
	simg_init(d);
	memcpy(d->img.uuid, src->img.uuid, 16);
	memset(d->r0, 0xee, R0);
	memset(d->r1, 0xee, R1);
	memset(d->cpus, 0xee, sizeof(d->cpus));
	d->img.engine[0] = 0;
	d->img.paused = false;
	d->img.devs = NULL;
	d->img.devs_len = 0;
}

static char *write_sample(struct simg *s, const char *name)
{
	struct vb_error err = { 0 };
	char *p = vb_asprintf("%s/%s", t_tmpdir(), name);

	T_ASSERT(p);
	simg_init(s);
	simg_content(s);
	if (vmm_sav_write(p, &s->img, NULL, NULL, &err))
		t_fail(__FILE__, __LINE__, "write: %s", err.msg);
	return p;
}

static unsigned last_pct;

static void progress(void *ctx, unsigned pct)
{
	(void)ctx;
	T_ASSERT(pct >= last_pct && pct <= 100);
	last_pct = pct;
}

void test_crc32c__known_values(void)
{
	static const char v[] = "123456789";
	uint8_t buf[1000];
	unsigned i, split;
	uint32_t whole;

	T_EQ_U64(vb_crc32c(0, v, 9), 0xe3069283u);
	T_EQ_U64(vb_crc32c(0, "", 0), 0);
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 31 + 7);
	whole = vb_crc32c(0, buf, sizeof(buf));
	for (split = 0; split < 40; split += 3)
		T_EQ_U64(vb_crc32c(vb_crc32c(0, buf, split), buf + split,
				   sizeof(buf) - split), whole);
	/* misaligned starts give the same answer */
	T_EQ_U64(vb_crc32c(0, buf + 1, 100), vb_crc32c(0, buf + 1, 100));
}

void test_savestate__round_trip(void)
{
	struct simg s, d;
	struct vb_error err = { 0 };
	struct stat st;
	char *p = write_sample(&s, "a.sav"), *tmp = vb_asprintf("%s-tmp", p);

	T_OK(stat(p, &st));
	T_ASSERT(access(tmp, F_OK) != 0);               /* renamed into place */
	/* zero pages are elided: far below the 1.25 MiB of RAM */
	T_ASSERT(st.st_size < 0x20000 + 3 * 4096 + 40000);
	T_ASSERT(st.st_size > 0x20000);
	reader(&d, &s);
	last_pct = 0;
	if (vmm_sav_read(p, &d.img, progress, NULL, &err))
		t_fail(__FILE__, __LINE__, "read: %s", err.msg);
	T_EQ_INT(last_pct, 100);
	T_EQ_MEM(d.r0, s.r0, R0);
	T_EQ_MEM(d.r1, s.r1, R1);
	T_EQ_MEM(&d.cpus[0], &s.cpus[0], sizeof(s.cpus[0]));
	T_EQ_MEM(&d.cpus[1], &s.cpus[1], sizeof(s.cpus[1]));
	T_EQ_INT(d.img.devs_len, sizeof(s.devs));
	T_EQ_MEM(d.img.devs, s.devs, sizeof(s.devs));
	T_EQ_STR(d.img.engine, "kvm");
	T_ASSERT(d.img.paused);
	T_ASSERT(d.img.engine_state.clock_valid);
	T_EQ_U64(d.img.engine_state.clock_ns, 987654321);
	T_EQ_U64(d.img.created_ns, s.img.created_ns);
	free(d.img.devs);
	simg_free(&d);
	simg_free(&s);
	free(tmp);
	free(p);
}

static char *slurp(const char *p, size_t *len)
{
	struct stat st;
	char *buf;
	int fd = open(p, O_RDONLY);

	T_ASSERT(fd >= 0);
	T_OK(fstat(fd, &st));
	buf = malloc((size_t)st.st_size);
	T_ASSERT(buf);
	T_EQ_INT(read(fd, buf, (size_t)st.st_size), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

static void spit(const char *p, const void *buf, size_t len)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	T_ASSERT(fd >= 0);
	T_EQ_INT(write(fd, buf, len), (long long)len);
	close(fd);
}

/* Read back with a fresh reader; returns the error text ("" = loaded). */
static char *try_read(const char *p, const struct simg *s)
{
	struct simg d;
	struct vb_error err = { 0 };
	char *msg;

	reader(&d, s);
	if (vmm_sav_read(p, &d.img, NULL, NULL, &err) == 0) {
		free(d.img.devs);
		err.msg[0] = 0;
	} else {
		T_ASSERT(d.img.devs == NULL);
		T_ASSERT(err.msg[0]);
	}
	simg_free(&d);
	msg = strdup(err.msg);
	T_ASSERT(msg);
	return msg;
}

void test_savestate__every_flipped_byte_refused(void)
{
	struct simg s;
	char *p = write_sample(&s, "b.sav"), *q = vb_asprintf("%s/b2.sav", t_tmpdir());
	char *orig, *buf, *msg;
	size_t len, i, step;

	orig = slurp(p, &len);
	buf = malloc(len);
	T_ASSERT(buf && q);
	/* every byte of the header and the engine section, then samples
	 * through the CPU and device sections and the memory */
	for (i = 0; i < len; i += step) {
		step = i < 600 ? 1 : i < 12000 ? 7 : 509;
		memcpy(buf, orig, len);
		buf[i] ^= 0x01;
		spit(q, buf, len);
		msg = try_read(q, &s);
		if (!msg[0])
			t_fail(__FILE__, __LINE__, "flipped byte %zu was accepted", i);
		T_ASSERT(strstr(msg, "(VERR_"));
		free(msg);
	}
	/* the whole-page data is covered by the memory checksum */
	memcpy(buf, orig, len);
	buf[len - 100] ^= 0x80;
	spit(q, buf, len);
	msg = try_read(q, &s);
	T_ASSERT(strstr(msg, "VERR_SSM_INTEGRITY"));
	free(msg);
	free(buf);
	free(orig);
	simg_free(&s);
	free(q);
	free(p);
}

void test_savestate__truncated_refused(void)
{
	struct simg s;
	char *p = write_sample(&s, "c.sav"), *q = vb_asprintf("%s/c2.sav", t_tmpdir());
	char *orig, *msg;
	size_t len, n;

	orig = slurp(p, &len);
	for (n = 0; n < len; n += n < 12000 ? 1 : 4093) {
		spit(q, orig, n);
		msg = try_read(q, &s);
		if (!msg[0])
			t_fail(__FILE__, __LINE__, "file cut at %zu was accepted", n);
		free(msg);
	}
	spit(q, orig, len - 1);
	msg = try_read(q, &s);
	T_ASSERT(strstr(msg, "is truncated (VERR_SSM_INTEGRITY_SIZES)"));
	free(msg);
	/* and something appended is refused as well */
	{
		char *longer = malloc(len + 10);

		T_ASSERT(longer);
		memcpy(longer, orig, len);
		memset(longer + len, 0, 10);
		spit(q, longer, len + 10);
		msg = try_read(q, &s);
		T_ASSERT(msg[0]);
		free(msg);
		free(longer);
	}
	free(orig);
	simg_free(&s);
	free(q);
	free(p);
}

void test_savestate__foreign_and_unknown_refused(void)
{
	struct simg s, d;
	struct vb_error err = { 0 };
	char *p = write_sample(&s, "d.sav"), *q = vb_asprintf("%s/d2.sav", t_tmpdir());
	char *orig, *msg;
	size_t len;
	uint32_t crc;

	/* another machine */
	reader(&d, &s);
	d.img.uuid[3] ^= 1;
	T_ASSERT(vmm_sav_read(p, &d.img, NULL, NULL, &err) < 0);
	T_ASSERT(strstr(err.msg, "saved by another machine (VERR_SSM_LOAD_CONFIG_MISMATCH)"));
	simg_free(&d);
	/* other CPU count, other RAM */
	reader(&d, &s);
	d.img.ncpus = 1;
	T_ASSERT(vmm_sav_read(p, &d.img, NULL, NULL, &err) < 0);
	T_ASSERT(strstr(err.msg, "another number of virtual CPUs"));
	simg_free(&d);
	reader(&d, &s);
	d.img.ram[1].size = R1 / 2;
	T_ASSERT(vmm_sav_read(p, &d.img, NULL, NULL, &err) < 0);
	T_ASSERT(strstr(err.msg, "another amount of memory"));
	simg_free(&d);
	/* a newer format version (with a valid header checksum) */
	orig = slurp(p, &len);
	orig[8] = 2;
	crc = vb_crc32c(0, orig, 60);
	memcpy(orig + 60, &crc, 4);
	spit(q, orig, len);
	msg = try_read(q, &s);
	T_ASSERT(strstr(msg, "unsupported format version 2 (VERR_SSM_INTEGRITY_VERSION)"));
	free(msg);
	/* not a state file at all */
	spit(q, "<?xml version=\"1.0\"?>\n<x/>\n", 27);
	msg = try_read(q, &s);
	T_ASSERT(strstr(msg, "is not a saved state of this VirtualBox (VERR_SSM_INTEGRITY_MAGIC)"));
	free(msg);
	spit(q, "", 0);
	msg = try_read(q, &s);
	T_ASSERT(strstr(msg, "truncated"));
	free(msg);
	/* missing */
	unlink(q);
	msg = try_read(q, &s);
	T_ASSERT(strstr(msg, "(VERR_FILE_NOT_FOUND)"));
	free(msg);
	free(orig);
	simg_free(&s);
	free(q);
	free(p);
}

void test_savestate__write_failure_leaves_nothing(void)
{
	struct simg s;
	struct vb_error err = { 0 };
	char *p = vb_asprintf("%s/no-such-dir/x.sav", t_tmpdir());

	simg_init(&s);
	simg_content(&s);
	T_ASSERT(vmm_sav_write(p, &s.img, NULL, NULL, &err) < 0);
	T_ASSERT(strstr(err.msg, "Failed to write the saved state file"));
	T_ASSERT(access(p, F_OK) != 0);
	simg_free(&s);
	free(p);
}
