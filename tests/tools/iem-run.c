/*
 * iem-run: run the iem engine on its own, without the emulated PC.
 *
 *   iem-run --loop [--mb N]
 *       The benchmark loop (the byte-wise CRC32 loop that dominates the
 *       Linux XZ decompressor, softcpu.md 2.2) over N MiB; prints guest
 *       instructions per second.
 *   iem-run --kernel bzImage [--initrd FILE] [--append CMDLINE] [--mem MB]
 *           [--insns N] [--until TEXT] [--stats] [--dump FILE GPA LEN]
 *       Boot a Linux bzImage by the 32-bit boot protocol
 *       (Documentation/x86/boot.rst: zero page with the setup header, an
 *       e820 map, command line, initrd; entry at code32_start in flat
 *       protected mode with ESI = boot_params) on a board that has RAM and
 *       a COM1 transmitter only.  Serial output goes to stdout.  Stops after
 *       N instructions, when TEXT appears on the console, or on shutdown.
 *       Enough for the decompressor and the kernel's early boot; the real
 *       machine is VBoxHeadless.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/util/error.h"
#include "lib/vmm/iem/iem.h"

struct board {
	uint8_t *ram;
	uint64_t ram_size;
	struct iem_machine *m;
	char line[4096];
	size_t nline;
	const char *until;
	bool seen;
	char tail[256];
	size_t ntail;
};

static void *b_page(void *opaque, uint64_t gpa, bool *rom)
{
	struct board *b = opaque;

	(void)rom;
	return gpa < b->ram_size ? b->ram + gpa : NULL;
}

static uint32_t b_in(void *opaque, int cpu, uint16_t port, unsigned size)
{
	(void)opaque;
	(void)cpu;
	(void)size;
	if (port == 0x3fd)
		return 0x60;            /* transmitter empty */
	return 0xffffffffu;
}

static void b_out(void *opaque, int cpu, uint16_t port, unsigned size, uint32_t val)
{
	struct board *b = opaque;

	(void)size;
	if (port == 0xf4) {
		iem_cpu_kick(iem_machine_cpu(b->m, (unsigned)cpu));
		return;
	}
	if (port != 0x3f8)
		return;
	putchar((int)(val & 0xff));
	if ((val & 0xff) == 0x0a)
		fflush(stdout);
	if (b->until) {
		size_t n = strlen(b->until);

		if (b->ntail == sizeof(b->tail) - 1) {
			memmove(b->tail, b->tail + 1, b->ntail - 1);
			b->ntail--;
		}
		b->tail[b->ntail++] = (char)val;
		b->tail[b->ntail] = 0;
		if (b->ntail >= n && !memcmp(b->tail + b->ntail - n, b->until, n)) {
			b->seen = true;
			iem_cpu_kick(iem_machine_cpu(b->m, (unsigned)cpu));
		}
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return NULL;
	}
	p = malloc((size_t)n + 1);
	if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
		free(p);
		p = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return p;
}

static void wr(struct board *b, uint64_t gpa, unsigned n, uint64_t v)
{
	memcpy(b->ram + gpa, &v, n);
}

static int make_machine(struct board *b, uint64_t mb)
{
	struct iem_config cfg = { .ncpus = 1, .pae = true, .long_mode = true, .apic = true };
	struct iem_board_ops ops = { .page = b_page, .pio_in = b_in, .pio_out = b_out,
				     .opaque = b };
	struct vb_error err;

	b->ram_size = mb << 20;
	b->ram = calloc(1, b->ram_size);
	if (!b->ram) {
		fprintf(stderr, "iem-run: cannot allocate %llu MiB\n", (unsigned long long)mb);
		return -1;
	}
	if (iem_machine_new(&cfg, &ops, &b->m, &err)) {
		fprintf(stderr, "iem-run: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static void seg(struct iem_segment *s, uint16_t sel, uint32_t attr)
{
	s->sel = sel;
	s->base = 0;
	s->limit = 0xffffffffu;
	s->attr = attr;
}

/* The CRC loop benchmark in 64-bit mode. */
static int run_loop(unsigned mb)
{
	static const uint8_t code[] = {
		0x0f, 0xb6, 0x06,               /* 1: movzbl (%rsi),%eax */
		0x48, 0x83, 0xc6, 0x01,         /* add $1,%rsi */
		0x31, 0xd0,                     /* xor %edx,%eax */
		0xc1, 0xea, 0x08,               /* shr $8,%edx */
		0x0f, 0xb6, 0xc0,               /* movzbl %al,%eax */
		0x41, 0x33, 0x14, 0x80,         /* xor (%r8,%rax,4),%edx */
		0x48, 0x39, 0xf1,               /* cmp %rsi,%rcx */
		0x75, 0xe8,                     /* jne 1b */
		0xe6, 0xf4,                     /* out %al,$0xf4: stop */
		0xf4,                           /* hlt */
	};
	struct board b;
	struct iem_regs r;
	struct iem_cpu *c;
	uint64_t k, bytes = (uint64_t)mb << 20;
	double t0, t1;
	enum iem_exit e;

	memset(&b, 0, sizeof(b));
	if (make_machine(&b, 64 + mb))
		return 1;
	c = iem_machine_cpu(b.m, 0);
	memcpy(b.ram + 0x100000, code, sizeof(code));
	for (k = 0; k < 256; k++) {
		uint32_t crc = (uint32_t)k;
		unsigned j;

		for (j = 0; j < 8; j++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
		wr(&b, 0x200000 + 4 * k, 4, crc);
	}
	for (k = 0; k < bytes; k++)
		b.ram[0x4000000 + k] = (uint8_t)(k * 7 + (k >> 9));
	/* identity map 0..64 GiB region we use: PML4 0x10000 PDPT 0x11000 PD 0x12000.. */
	wr(&b, 0x10000, 8, 0x11000 | 3);
	for (k = 0; k < 4; k++) {
		unsigned j;

		wr(&b, 0x11000 + 8 * k, 8, (0x12000 + 0x1000 * k) | 3);
		for (j = 0; j < 512; j++)
			wr(&b, 0x12000 + 0x1000 * k + 8 * j, 8, ((k * 512 + j) << 21) | 0x83);
	}
	iem_cpu_get_regs(c, &r);
	memset(r.gpr, 0, sizeof(r.gpr));
	r.gpr[6] = 0x4000000;                   /* rsi */
	r.gpr[1] = 0x4000000 + bytes;           /* rcx = end */
	r.gpr[8] = 0x200000;
	r.cr0 = 0x80000011;
	r.cr3 = 0x10000;
	r.cr4 = 0x20;
	r.efer = 0x500;
	seg(&r.cs, 0x08, IEM_SEG_P | IEM_SEG_S | 0xb | IEM_SEG_L | IEM_SEG_G);
	seg(&r.ds, 0x10, IEM_SEG_P | IEM_SEG_S | 0x3 | IEM_SEG_DB | IEM_SEG_G);
	r.ss = r.es = r.fs = r.gs = r.ds;
	r.rip = 0x100000;
	r.rflags = 2;
	r.wait_sipi = false;
	if (iem_cpu_set_regs(c, &r)) {
		fprintf(stderr, "iem-run: bad state\n");
		return 1;
	}
	t0 = now();
	e = iem_cpu_run(c);
	t1 = now();
	printf("loop: %s after %llu instructions in %.3f s: %.0f M instructions/s\n",
	       iem_exit_name(e), (unsigned long long)iem_cpu_icount(c), t1 - t0,
	       (double)iem_cpu_icount(c) / (t1 - t0) / 1e6);
	iem_machine_free(b.m);
	free(b.ram);
	return 0;
}

static uint64_t trace_from;

static int trace_hook(struct iem_cpu *c, void *opaque)
{
	struct iem_regs r;

	(void)opaque;
	iem_cpu_get_regs(c, &r);
	fprintf(stderr, "T %llu rip=%016llx rax=%llx rcx=%llx rdx=%llx rsp=%llx fl=%llx cs=%x\n",
		(unsigned long long)iem_cpu_icount(c), (unsigned long long)r.rip,
		(unsigned long long)r.gpr[0], (unsigned long long)r.gpr[1],
		(unsigned long long)r.gpr[2], (unsigned long long)r.gpr[4],
		(unsigned long long)r.rflags, r.cs.sel);
	return 0;
}

static const char *dump_path;
static uint64_t dump_gpa, dump_len;

static int run_kernel(const char *kernel, const char *initrd, const char *append, unsigned mb,
		      uint64_t insns, const char *until, bool stats)
{
	struct board b;
	struct iem_regs r;
	struct iem_cpu *c;
	uint8_t *k, *bp;
	size_t klen, ilen = 0;
	unsigned setup, hdr_end;
	uint64_t zp = 0x10000, cmd = 0x20000, initrd_at = 0;
	double t0, t1;
	enum iem_exit e;
	struct iem_stats st;

	memset(&b, 0, sizeof(b));
	k = read_file(kernel, &klen);
	if (!k || klen < 0x1000 || memcmp(k + 0x202, "HdrS", 4)) {
		fprintf(stderr, "iem-run: %s: not a bzImage\n", kernel);
		return 1;
	}
	if (make_machine(&b, mb))
		return 1;
	b.until = until;
	c = iem_machine_cpu(b.m, 0);
	setup = k[0x1f1] ? k[0x1f1] : 4;
	hdr_end = 0x202 + k[0x201];
	if ((setup + 1u) * 512 > klen || 0x100000 + klen > b.ram_size) {
		fprintf(stderr, "iem-run: kernel does not fit\n");
		return 1;
	}
	memcpy(b.ram + 0x100000, k + (setup + 1) * 512, klen - (setup + 1) * 512);
	bp = b.ram + zp;
	memcpy(bp + 0x1f1, k + 0x1f1, hdr_end - 0x1f1);
	bp[0x210] = 0xff;                       /* type_of_loader */
	bp[0x211] |= 0x80;                      /* CAN_USE_HEAP */
	wr(&b, zp + 0x224, 2, 0xfe00);          /* heap_end_ptr */
	wr(&b, zp + 0x228, 4, cmd);
	snprintf((char *)b.ram + cmd, 2048, "%s", append ? append : "console=ttyS0 earlyprintk=serial,ttyS0,115200");
	if (initrd) {
		uint8_t *ird = read_file(initrd, &ilen);

		if (!ird) {
			fprintf(stderr, "iem-run: cannot read %s\n", initrd);
			return 1;
		}
		initrd_at = (b.ram_size - ilen - 0x100000) & ~0xfffull;
		memcpy(b.ram + initrd_at, ird, ilen);
		free(ird);
		wr(&b, zp + 0x218, 4, initrd_at);
		wr(&b, zp + 0x21c, 4, ilen);
	}
	/* e820: low RAM, high RAM */
	wr(&b, zp + 0x1e8, 1, 2);
	wr(&b, zp + 0x2d0, 8, 0);
	wr(&b, zp + 0x2d8, 8, 0x9fc00);
	wr(&b, zp + 0x2e0, 4, 1);
	wr(&b, zp + 0x2e4, 8, 0x100000);
	wr(&b, zp + 0x2ec, 8, b.ram_size - 0x100000);
	wr(&b, zp + 0x2f4, 4, 1);
	/* GDT: 0x10 code32, 0x18 data32 (boot protocol selectors) */
	wr(&b, 0x1000 + 0x10, 8, 0x00cf9b000000ffffull);
	wr(&b, 0x1000 + 0x18, 8, 0x00cf93000000ffffull);
	iem_cpu_get_regs(c, &r);
	memset(r.gpr, 0, sizeof(r.gpr));
	r.gpr[6] = zp;
	r.cr0 = 0x11;
	r.gdtr.base = 0x1000;
	r.gdtr.limit = 0x1f;
	seg(&r.cs, 0x10, IEM_SEG_P | IEM_SEG_S | 0xb | IEM_SEG_DB | IEM_SEG_G);
	seg(&r.ds, 0x18, IEM_SEG_P | IEM_SEG_S | 0x3 | IEM_SEG_DB | IEM_SEG_G);
	r.ss = r.es = r.fs = r.gs = r.ds;
	r.rip = 0x100000;
	r.rflags = 2;
	r.wait_sipi = false;
	if (iem_cpu_set_regs(c, &r)) {
		fprintf(stderr, "iem-run: bad state\n");
		return 1;
	}
	fflush(stdout);
	t0 = now();
	if (trace_from) {
		e = iem_cpu_run_n(c, trace_from);
		iem_cpu_set_step(c, true, trace_hook, NULL);
	}
	do {
		e = iem_cpu_run_n(c, insns);
	} while (e == IEM_EXIT_STOP && !b.seen);
	t1 = now();
	fflush(stdout);
	iem_cpu_get_stats(c, &st);
	iem_cpu_get_regs(c, &r);
	fprintf(stderr, "\niem-run: %s after %llu instructions in %.3f s (%.0f M/s), rip %llx\n",
		b.seen ? "marker seen" : iem_exit_name(e), (unsigned long long)st.insns, t1 - t0,
		(double)st.insns / (t1 - t0) / 1e6, (unsigned long long)r.rip);
	if (stats)
		fprintf(stderr, "iem-run: blocks %llu, decoded %llu, flushes %llu, smc %llu, "
			"exceptions %llu, interrupts %llu, tlb flushes %llu\n",
			(unsigned long long)st.blocks_decoded, (unsigned long long)st.insns_decoded,
			(unsigned long long)st.cache_flushes, (unsigned long long)st.smc_invalidations,
			(unsigned long long)st.exceptions, (unsigned long long)st.interrupts,
			(unsigned long long)st.tlb_flushes);
	if (dump_path && dump_gpa + dump_len <= b.ram_size) {
		FILE *f = fopen(dump_path, "wb");

		if (!f || fwrite(b.ram + dump_gpa, 1, dump_len, f) != dump_len)
			fprintf(stderr, "iem-run: cannot write %s\n", dump_path);
		if (f)
			fclose(f);
	}
	iem_machine_free(b.m);
	free(b.ram);
	free(k);
	return b.seen || e == IEM_EXIT_INSNS ? 0 : 2;
}

int main(int argc, char **argv)
{
	const char *kernel = NULL, *initrd = NULL, *append = NULL, *until = NULL;
	unsigned mb = 0;
	uint64_t insns = 0;
	bool loop = false, stats = false;
	int a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--loop"))
			loop = true;
		else if (!strcmp(argv[a], "--stats"))
			stats = true;
		else if (!strcmp(argv[a], "--kernel") && a + 1 < argc)
			kernel = argv[++a];
		else if (!strcmp(argv[a], "--initrd") && a + 1 < argc)
			initrd = argv[++a];
		else if (!strcmp(argv[a], "--append") && a + 1 < argc)
			append = argv[++a];
		else if (!strcmp(argv[a], "--until") && a + 1 < argc)
			until = argv[++a];
		else if ((!strcmp(argv[a], "--mb") || !strcmp(argv[a], "--mem")) && a + 1 < argc)
			mb = (unsigned)strtoul(argv[++a], NULL, 0);
		else if (!strcmp(argv[a], "--trace-from") && a + 1 < argc)
			trace_from = strtoull(argv[++a], NULL, 0);
		else if (!strcmp(argv[a], "--dump") && a + 3 < argc) {
			dump_path = argv[++a];
			dump_gpa = strtoull(argv[++a], NULL, 0);
			dump_len = strtoull(argv[++a], NULL, 0);
		} else if (!strcmp(argv[a], "--insns") && a + 1 < argc)
			insns = strtoull(argv[++a], NULL, 0);
		else {
			fprintf(stderr, "usage: iem-run --loop [--mb N] | --kernel bzImage [--initrd F] "
				"[--append S] [--mem MB] [--insns N] [--until TEXT] [--stats] [--dump FILE GPA LEN]\n");
			return 2;
		}
	}
	if (loop)
		return run_loop(mb ? mb : 32);
	if (kernel)
		return run_kernel(kernel, initrd, append, mb ? mb : 256, insns, until, stats);
	fprintf(stderr, "iem-run: --loop or --kernel required\n");
	return 2;
}
