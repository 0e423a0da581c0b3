/* Test board for the iem engine (see iem-harness.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "iem-harness.h"
#include "lib/util/error.h"

#define ROM_BASE 0xffff0000ull

static void *b_page(void *opaque, uint64_t gpa, bool *rom)
{
	struct iemt *t = opaque;

	if (gpa < t->ram_size)
		return t->ram + gpa;
	if (gpa >= ROM_BASE && gpa < 0x100000000ull) {
		*rom = true;
		return t->rom + (gpa - ROM_BASE);
	}
	return NULL;
}

static uint64_t b_mmio_read(void *opaque, int cpu, uint64_t gpa, unsigned size)
{
	struct iemt *t = opaque;

	(void)cpu;
	(void)size;
	t->mmio_reads++;
	t->mmio_last = gpa;
	return 0x1122334455667788ull;
}

static void b_mmio_write(void *opaque, int cpu, uint64_t gpa, unsigned size, uint64_t val)
{
	struct iemt *t = opaque;

	(void)cpu;
	(void)size;
	t->mmio_writes++;
	t->mmio_last = gpa ^ val;
}

static uint32_t b_in(void *opaque, int cpu, uint16_t port, unsigned size)
{
	struct iemt *t = opaque;

	(void)cpu;
	(void)size;
	if (port == 0xf5)
		return t->latch;
	if (port == 0xf6)
		return t->latch + 1;
	return 0xffffffffu;
}

static void b_out(void *opaque, int cpu, uint16_t port, unsigned size, uint32_t val)
{
	struct iemt *t = opaque;

	(void)size;
	if (port == 0xe9 && t->nout < sizeof(t->out) - 1) {
		t->out[t->nout++] = (char)val;
	} else if (port == 0xf4) {
		t->stopped = 1;
		t->exit_val = val;
		iem_cpu_kick(iem_machine_cpu(t->m, (unsigned)cpu));
	} else if (port == 0xf5) {
		t->latch = val;
	}
}

uint32_t iemt_jit_threshold;
uint64_t (*iemt_now_hook)(void *opaque);

void iemt_init(struct iemt *t, unsigned ram_mb, unsigned ncpus)
{
	struct iem_config cfg = { .ncpus = ncpus, .pae = true, .long_mode = true, .apic = true,
				  .jit_threshold = iemt_jit_threshold };
	struct iem_board_ops ops = {
		.page = b_page, .mmio_read = b_mmio_read, .mmio_write = b_mmio_write,
		.pio_in = b_in, .pio_out = b_out, .opaque = t,
	};
	struct vb_error err;

	memset(t, 0, sizeof(*t));
	t->ram_size = (size_t)ram_mb << 20;
	t->ram = calloc(1, t->ram_size);
	t->rom = calloc(1, 0x10000);
	T_ASSERT(t->ram && t->rom);
	if (iemt_now_hook)
		ops.now_ns = iemt_now_hook;
	memset(&err, 0, sizeof(err));
	if (iem_machine_new(&cfg, &ops, &t->m, &err))
		t_fail(__FILE__, __LINE__, "iem_machine_new: %s", err.msg);
	t->c = iem_machine_cpu(t->m, 0);
}

void iemt_free(struct iemt *t)
{
	iem_machine_free(t->m);
	free(t->ram);
	free(t->rom);
}

size_t iemt_asm_buf(unsigned bits, uint64_t org, const char *src, uint8_t *out, size_t max)
{
	static unsigned seq;
	char base[256], cmd[2048];
	FILE *f;
	size_t n;

	snprintf(base, sizeof(base), "%s/asm%u", t_tmpdir(), seq++);
	snprintf(cmd, sizeof(cmd), "%s.s", base);
	f = fopen(cmd, "w");
	T_ASSERT(f != NULL);
	fprintf(f, ".code%u\n%s\n", bits, src);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "as --64 -o %s.o %s.s 2>%s.err && "
		 "ld -m elf_x86_64 -Ttext=0x%llx -e 0 --oformat binary -o %s.bin %s.o 2>>%s.err",
		 base, base, base, (unsigned long long)org, base, base, base);
	if (system(cmd) != 0) {
		char msg[1024] = "";

		snprintf(cmd, sizeof(cmd), "%s.err", base);
		f = fopen(cmd, "r");
		if (f) {
			n = fread(msg, 1, sizeof(msg) - 1, f);
			msg[n] = 0;
			fclose(f);
		}
		t_fail(__FILE__, __LINE__, "assembler failed: %s\n%s", msg, src);
	}
	snprintf(cmd, sizeof(cmd), "%s.bin", base);
	f = fopen(cmd, "rb");
	T_ASSERT(f != NULL);
	n = fread(out, 1, max, f);
	fclose(f);
	return n;
}

size_t iemt_asm(struct iemt *t, unsigned bits, uint64_t org, const char *src)
{
	uint8_t *buf = malloc(1 << 20);
	size_t n;

	T_ASSERT(buf != NULL);
	n = iemt_asm_buf(bits, org, src, buf, 1 << 20);
	T_ASSERT(org + n <= t->ram_size);
	memcpy(t->ram + org, buf, n);
	free(buf);
	return n;
}

uint64_t iemt_rd(struct iemt *t, uint64_t gpa, unsigned n)
{
	uint64_t v = 0;

	memcpy(&v, t->ram + gpa, n);
	return v;
}

void iemt_wr(struct iemt *t, uint64_t gpa, unsigned n, uint64_t v)
{
	memcpy(t->ram + gpa, &v, n);
}

void iemt_regs(struct iemt *t, struct iem_regs *r)
{
	iem_cpu_get_regs(t->c, r);
}

static void seg(struct iem_segment *s, uint16_t sel, uint64_t base, uint32_t limit, uint32_t attr)
{
	s->sel = sel;
	s->base = base;
	s->limit = limit;
	s->attr = attr;
}

static void build_tables(struct iemt *t)
{
	static const uint64_t gdt[] = {
		0, 0x00cf9b000000ffffull, 0x00cf93000000ffffull, 0x00af9b000000ffffull,
		0x00009b000000ffffull, 0x000093000000ffffull, 0x00cffb000000ffffull,
		0x00cff3000000ffffull, 0x00affb000000ffffull,
		/* 0x48: TSS at 0x3000, limit 0x67, available */
		0x0000890030000067ull, 0,
	};
	unsigned k;

	memcpy(t->ram + 0x1000, gdt, sizeof(gdt));
	/* identity map of 1 GiB: PML4 0x70000 -> PDPT 0x71000 -> PD 0x72000 */
	memset(t->ram + 0x70000, 0, 0x3000);
	iemt_wr(t, 0x70000, 8, 0x71000 | 7);
	iemt_wr(t, 0x71000, 8, 0x72000 | 7);
	/* the same 1 GiB again at 0xffffffff80000000 (the kernel's half) */
	iemt_wr(t, 0x70000 + 511 * 8, 8, 0x71000 | 7);
	iemt_wr(t, 0x71000 + 510 * 8, 8, 0x72000 | 7);
	for (k = 0; k < 512; k++)
		iemt_wr(t, 0x72000 + 8 * k, 8, ((uint64_t)k << 21) | 0x87);
	/* TSS: RSP0 = 0x7c000, IST1 = 0x7a000 */
	memset(t->ram + 0x3000, 0, 0x68);
	iemt_wr(t, 0x3004, 8, 0x7c000);
	iemt_wr(t, 0x3024, 8, 0x7a000);
	iemt_wr(t, 0x3066, 2, 0x68);
}

void iemt_mode(struct iemt *t, enum iemt_mode mode, uint64_t rip)
{
	struct iem_regs r;
	uint32_t code32 = IEM_SEG_P | IEM_SEG_S | 0xb | IEM_SEG_DB | IEM_SEG_G;
	uint32_t data32 = IEM_SEG_P | IEM_SEG_S | 0x3 | IEM_SEG_DB | IEM_SEG_G;
	uint32_t code64 = IEM_SEG_P | IEM_SEG_S | 0xb | IEM_SEG_L | IEM_SEG_G;
	uint32_t code16 = IEM_SEG_P | IEM_SEG_S | 0xb;
	uint32_t data16 = IEM_SEG_P | IEM_SEG_S | 0x3;

	build_tables(t);
	iem_cpu_get_regs(t->c, &r);
	memset(r.gpr, 0, sizeof(r.gpr));
	r.rflags = 2;
	r.gdtr.base = 0x1000;
	r.gdtr.limit = 0x5f;
	seg(&r.tr, 0x48, 0x3000, 0x67, IEM_SEG_P | 0xb);
	seg(&r.ldtr, 0, 0, 0, IEM_SEG_UNUSABLE);
	switch (mode) {
	case IEMT_REAL:
		r.cr0 = 0x10;
		r.idtr.base = 0;
		r.idtr.limit = 0x3ff;
		seg(&r.cs, 0, 0, 0xffff, code16);
		seg(&r.ds, 0, 0, 0xffff, data16);
		r.es = r.fs = r.gs = r.ds;
		seg(&r.ss, 0x7000, 0x70000, 0xffff, data16);
		r.gpr[4] = 0xff00;
		break;
	case IEMT_PROT16:
		r.cr0 = 0x11;
		r.idtr.base = 0x2000;
		r.idtr.limit = 0x7ff;
		seg(&r.cs, 0x20, 0, 0xffff, code16);
		seg(&r.ds, 0x28, 0, 0xffff, data16);
		r.es = r.fs = r.gs = r.ds;
		seg(&r.ss, 0x28, 0, 0xffff, data16);
		r.gpr[4] = 0x7f00;
		break;
	case IEMT_PROT32:
		r.cr0 = 0x11;
		r.idtr.base = 0x2000;
		r.idtr.limit = 0x7ff;
		seg(&r.cs, 0x08, 0, 0xffffffff, code32);
		seg(&r.ds, 0x10, 0, 0xffffffff, data32);
		r.es = r.fs = r.gs = r.ss = r.ds;
		r.gpr[4] = 0x7f000;
		break;
	case IEMT_LONG64:
	case IEMT_COMPAT32:
		r.cr0 = 0x80000011;
		r.cr4 = 0x20 | 0x200 | 0x400;
		r.cr3 = 0x70000;
		r.efer = 0x100 | 0x400 | 0x800 | 1;
		r.idtr.base = 0x2000;
		r.idtr.limit = 0xfff;
		if (mode == IEMT_LONG64)
			seg(&r.cs, 0x18, 0, 0xffffffff, code64);
		else
			seg(&r.cs, 0x08, 0, 0xffffffff, code32);
		seg(&r.ds, 0x10, 0, 0xffffffff, data32);
		r.es = r.fs = r.gs = r.ss = r.ds;
		r.gpr[4] = 0x7f000;
		seg(&r.tr, 0x48, 0x3000, 0x67, IEM_SEG_P | 0xb);
		break;
	}
	if (mode != IEMT_LONG64 && mode != IEMT_COMPAT32)
		r.cr4 = 0x200 | 0x400;
	r.rip = rip;
	r.halted = false;
	r.wait_sipi = false;
	T_OK(iem_cpu_set_regs(t->c, &r));
}

static bool has_err(unsigned v)
{
	return v == 8 || (v >= 10 && v <= 14) || v == 17;
}

void iemt_install_handlers(struct iemt *t, enum iemt_mode mode)
{
	char *src = malloc(256 * 200 + 2048);
	size_t len = 0;
	unsigned v;
	unsigned bits = mode == IEMT_LONG64 || mode == IEMT_COMPAT32 ? 64 :
			mode == IEMT_PROT32 ? 32 : 16;

	T_ASSERT(src != NULL);
	for (v = 0; v < 256; v++) {
		len += (size_t)sprintf(src + len, ".org 0x%x\nmovl $%u, 0x500\njmp %s\n",
				       32 * v, v, has_err(v) ? "common_err" : "common");
	}
	if (bits == 64) {
		len += (size_t)sprintf(src + len,
			".org 0x2000\ncommon: mov (%%rsp),%%rax\nmov %%rax,0x510\n"
			"mov 0x500,%%eax\nout %%al,$0xf4\nhlt\n"
			"common_err: mov (%%rsp),%%rax\nmov %%rax,0x508\nmov 8(%%rsp),%%rax\n"
			"mov %%rax,0x510\nmov 0x500,%%eax\nout %%al,$0xf4\nhlt\n");
	} else if (bits == 32) {
		len += (size_t)sprintf(src + len,
			".org 0x2000\ncommon: mov (%%esp),%%eax\nmov %%eax,0x510\n"
			"mov 0x500,%%eax\nout %%al,$0xf4\nhlt\n"
			"common_err: mov (%%esp),%%eax\nmov %%eax,0x508\nmov 4(%%esp),%%eax\n"
			"mov %%eax,0x510\nmov 0x500,%%eax\nout %%al,$0xf4\nhlt\n");
	} else {
		len += (size_t)sprintf(src + len,
			".org 0x2000\ncommon: mov %%sp,%%bp\nmov (%%bp),%%ax\nmov %%ax,0x510\n"
			"mov 0x500,%%ax\nout %%al,$0xf4\nhlt\n"
			"common_err: mov %%sp,%%bp\nmov (%%bp),%%ax\nmov %%ax,0x508\nmov 2(%%bp),%%ax\n"
			"mov %%ax,0x510\nmov 0x500,%%ax\nout %%al,$0xf4\nhlt\n");
	}
	(void)len;
	iemt_asm(t, bits, 0x4000, src);
	free(src);
	for (v = 0; v < 256; v++) {
		uint64_t h = 0x4000 + 32 * v;

		if (mode == IEMT_REAL) {
			iemt_wr(t, 4 * v, 4, h);
		} else if (bits == 64) {
			uint64_t lo = (h & 0xffff) | (0x18ull << 16) | (0x8eull << 40) |
				      ((h >> 16) << 48);

			iemt_wr(t, 0x2000 + 16 * v, 8, lo);
			iemt_wr(t, 0x2000 + 16 * v + 8, 8, h >> 32);
		} else {
			uint64_t sel = bits == 32 ? 0x08 : 0x20;
			uint64_t type = bits == 32 ? 0x8e : 0x86;
			uint64_t lo = (h & 0xffff) | (sel << 16) | (type << 40) | ((h >> 16) << 48);

			iemt_wr(t, 0x2000 + 8 * v, 8, lo);
		}
	}
	/* the DPL of vectors 3 and 0x80 allows INT from ring 3 */
	if (bits == 64) {
		t->ram[0x2000 + 16 * 3 + 5] = 0xee;
		t->ram[0x2000 + 16 * 0x80 + 5] = 0xee;
	}
}

enum iem_exit iemt_run(struct iemt *t, uint64_t max)
{
	enum iem_exit e;

	t->stopped = 0;
	e = iem_cpu_run_n(t->c, max);
	return e;
}
