/*
 * iem-trace: the iem engine's half of the lockstep comparison against
 * QEMU TCG (tests/lockstep/lockstep.py).
 *
 *   iem-trace ROM [--mem MB] [--max N]
 *
 * ROM (a multiple of 64 KiB, at most 128 KiB) is mapped below 4 GiB and
 * its last 64 KiB at 0xF0000, as QEMU maps a -bios image; RAM is MB MiB
 * (default 32).  The vCPU starts from reset with interrupts never
 * delivered (no interrupt controller on this board) and runs one
 * instruction per block.  Before every instruction one line goes to
 * stdout:
 *
 *   S <64> <cs> <rip> <rflags> <rax> <rbx> <rcx> <rdx> <rsi> <rdi> <rbp>
 *     <rsp> [<r8> .. <r15>] <cr0> <ss> <ds> <es>
 *
 * hex, registers cut to 32 bits and r8-r15 absent unless the code runs
 * in 64-bit mode (EFER.LMA and CS.L), as QEMU's "-d cpu" prints them.  A write to port 0xF4 ends the run (QEMU:
 * isa-debug-exit at 0xF4); so do a triple fault and N instructions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util/error.h"
#include "lib/vmm/iem/iem.h"

struct board {
	uint8_t *ram;
	uint64_t ram_size;
	uint8_t *rom;
	size_t rom_size;
	struct iem_machine *m;
	bool done;
};

static void *b_page(void *opaque, uint64_t gpa, bool *rom)
{
	struct board *b = opaque;

	if (gpa >= 0xf0000 && gpa < 0x100000) {
		*rom = true;
		return b->rom + b->rom_size - 0x10000 + (gpa - 0xf0000);
	}
	if (gpa >= 0x100000000ull - b->rom_size && gpa < 0x100000000ull) {
		*rom = true;
		return b->rom + (gpa - (0x100000000ull - b->rom_size));
	}
	return gpa < b->ram_size ? b->ram + gpa : NULL;
}

static uint64_t b_mmio_read(void *opaque, int cpu, uint64_t gpa, unsigned size)
{
	(void)opaque;
	(void)cpu;
	(void)gpa;
	(void)size;
	return ~0ull;
}

static void b_mmio_write(void *opaque, int cpu, uint64_t gpa, unsigned size, uint64_t val)
{
	(void)opaque;
	(void)cpu;
	(void)gpa;
	(void)size;
	(void)val;
}

static uint32_t b_in(void *opaque, int cpu, uint16_t port, unsigned size)
{
	(void)opaque;
	(void)cpu;
	(void)port;
	(void)size;
	return 0xffffffffu;
}

static void b_out(void *opaque, int cpu, uint16_t port, unsigned size, uint32_t val)
{
	struct board *b = opaque;

	(void)size;
	(void)val;
	if (port == 0xf4) {
		b->done = true;
		iem_cpu_kick(iem_machine_cpu(b->m, (unsigned)cpu));
	}
}

static int step(struct iem_cpu *c, void *opaque)
{
	struct iem_regs r;
	bool lma;
	unsigned k, n;
	uint64_t mask;
	static const unsigned order[] = { 0, 3, 1, 2, 6, 7, 5, 4 };     /* rax rbx rcx rdx rsi rdi rbp rsp */

	(void)opaque;
	iem_cpu_get_regs(c, &r);
	/* QEMU prints the 64-bit layout while CS is a 64-bit code segment */
	lma = ((r.efer >> 10) & 1) && (r.cs.attr & IEM_SEG_L);
	mask = lma ? ~0ull : 0xffffffffull;
	printf("S %d %x %llx %llx", lma, r.cs.sel, (unsigned long long)(r.rip & mask),
	       (unsigned long long)r.rflags);
	n = lma ? 16 : 8;
	for (k = 0; k < n; k++)
		printf(" %llx", (unsigned long long)(r.gpr[k < 8 ? order[k] : k] & mask));
	printf(" %llx %x %x %x\n", (unsigned long long)(r.cr0 & 0xffffffffull), r.ss.sel, r.ds.sel,
	       r.es.sel);
	return 0;
}

int main(int argc, char **argv)
{
	struct board b;
	struct iem_config cfg = { .ncpus = 1, .pae = true, .long_mode = true, .apic = false,
				  .jit_threshold = IEM_JIT_OFF };
	struct iem_board_ops ops = { .page = b_page, .mmio_read = b_mmio_read,
				     .mmio_write = b_mmio_write, .pio_in = b_in, .pio_out = b_out };
	struct vb_error err;
	struct iem_cpu *c;
	enum iem_exit e;
	unsigned long long max = 10000000;
	unsigned mb = 32;
	const char *rom = NULL;
	FILE *f;
	long len;
	int a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--mem") && a + 1 < argc)
			mb = (unsigned)strtoul(argv[++a], NULL, 0);
		else if (!strcmp(argv[a], "--max") && a + 1 < argc)
			max = strtoull(argv[++a], NULL, 0);
		else if (argv[a][0] != '-' && !rom)
			rom = argv[a];
		else {
			fprintf(stderr, "usage: iem-trace ROM [--mem MB] [--max N]\n");
			return 2;
		}
	}
	if (!rom || mb < 1 || mb > 3072) {
		fprintf(stderr, "usage: iem-trace ROM [--mem MB] [--max N]\n");
		return 2;
	}
	memset(&b, 0, sizeof(b));
	f = fopen(rom, "rb");
	if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) <= 0 || len % 0x10000 ||
	    len > 0x20000 || fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "iem-trace: %s: not a 64 or 128 KiB ROM image\n", rom);
		return 1;
	}
	b.rom_size = (size_t)len;
	b.rom = malloc(b.rom_size);
	b.ram_size = (uint64_t)mb << 20;
	b.ram = calloc(1, b.ram_size);
	if (!b.rom || !b.ram || fread(b.rom, 1, b.rom_size, f) != b.rom_size) {
		fprintf(stderr, "iem-trace: cannot load %s\n", rom);
		return 1;
	}
	fclose(f);
	ops.opaque = &b;
	memset(&err, 0, sizeof(err));
	if (iem_machine_new(&cfg, &ops, &b.m, &err)) {
		fprintf(stderr, "iem-trace: %s\n", err.msg);
		return 1;
	}
	c = iem_machine_cpu(b.m, 0);
	iem_cpu_set_step(c, true, step, NULL);
	do {
		e = iem_cpu_run_n(c, max);
	} while (e == IEM_EXIT_STOP && !b.done);
	fflush(stdout);
	iem_machine_free(b.m);
	free(b.ram);
	free(b.rom);
	if (e == IEM_EXIT_SHUTDOWN) {
		fprintf(stderr, "iem-trace: triple fault\n");
		return 3;
	}
	return b.done ? 0 : 4;
}
