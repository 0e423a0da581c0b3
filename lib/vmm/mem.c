/*
 * Guest physical memory: RAM as one anonymous mapping split at the PCI
 * hole (below 0xe0000000, the rest from 4 GiB), the legacy VGA window
 * 0xa0000-0xbffff left as MMIO, and the firmware ROM.
 *
 * --large-pages on marks RAM MADV_HUGEPAGE (transparent huge pages; the
 * mapping is 2 MiB aligned so guest and host huge pages line up), off
 * marks it MADV_NOHUGEPAGE so that a host with THP "always" does not use
 * them either.  --page-fusion would be MADV_MERGEABLE (not wired yet).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util/fileio.h"
#include "lib/vmm/vmm-int.h"

#define HUGE_2M (2ull << 20)
#define VGA_START 0xa0000ull
#define VGA_END   0xc0000ull
#define GiB4 0x100000000ull

static void add_region(struct vmm_mem *mm, uint64_t gpa, uint64_t size,
		       uint8_t *hva, unsigned flags)
{
	struct vmm_mem_region *r = &mm->region[mm->n++];

	r->gpa = gpa;
	r->size = size;
	r->hva = hva;
	r->flags = flags;
}

int vmm_mem_init(struct vmm_mem *mm, struct vmm_config *cfg,
		 struct vb_error *err)
{
	struct board_config *bc = &cfg->board;
	uint64_t below = bc->ram_below_4g, above = bc->ram_size - below;
	size_t map_len;
	uint8_t *p, *base;
	char *data = NULL;
	size_t len = 0;
	int rc;

	memset(mm, 0, sizeof(*mm));
	/* Firmware first: a bad image is a configuration error. */
	rc = vb_read_file(cfg->bios_path, 16u << 20, &data, &len, NULL);
	if (rc || len < 128 * 1024 || len % 65536)
		return vb_err(err, rc ? -rc : EINVAL, VB_E_FAIL,
			      "Failed to load the system BIOS image '%s' (%s). Install the Debian package seabios (VERR_FILE_NOT_FOUND).",
			      cfg->bios_path, rc ? strerror(-rc) : "not a BIOS image");
	mm->rom = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mm->rom == MAP_FAILED) {
		mm->rom = NULL;
		free(data);
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory for the BIOS");
	}
	memcpy(mm->rom, data, len);
	mm->rom_len = len;
	free(data);

	/* RAM: over-allocate to align the start to 2 MiB. */
	map_len = (size_t)bc->ram_size + HUGE_2M;
	p = mmap(NULL, map_len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return vb_err(err, ENOMEM, VB_E_FAIL,
			      "Failed to allocate %llu MB of guest RAM (VERR_NO_MEMORY).",
			      (unsigned long long)(bc->ram_size >> 20));
	base = (uint8_t *)(((uintptr_t)p + HUGE_2M - 1) & ~(uintptr_t)(HUGE_2M - 1));
	if (base > p)
		munmap(p, (size_t)(base - p));
	if (base + bc->ram_size < p + map_len)
		munmap(base + bc->ram_size, (size_t)((p + map_len) - (base + bc->ram_size)));
	mm->ram = base;
	mm->ram_len = (size_t)bc->ram_size;
	mm->huge = cfg->cpu.large_pages;
	madvise(mm->ram, mm->ram_len, mm->huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	madvise(mm->ram, mm->ram_len, MADV_DONTDUMP);

	add_region(mm, 0, VGA_START, mm->ram, 0);
	add_region(mm, VGA_END, below - VGA_END, mm->ram + VGA_END, 0);
	if (above)
		add_region(mm, GiB4, above, mm->ram + below, 0);
	add_region(mm, GiB4 - mm->rom_len, mm->rom_len, mm->rom, VMM_MEM_ROM);

	/* The board sees RAM for DMA and the firmware's memory map. */
	bc->n_ram = 0;
	bc->ram[bc->n_ram].gpa = 0;
	bc->ram[bc->n_ram].size = below;
	bc->ram[bc->n_ram++].hva = mm->ram;
	if (above) {
		bc->ram[bc->n_ram].gpa = GiB4;
		bc->ram[bc->n_ram].size = above;
		bc->ram[bc->n_ram++].hva = mm->ram + below;
	}
	vmm_mem_load_bios(mm);
	return 0;
}

void vmm_mem_load_bios(struct vmm_mem *mm)
{
	size_t n = mm->rom_len < 128 * 1024 ? mm->rom_len : 128 * 1024;

	/* The ISA BIOS alias: the last 128 KiB at 0xe0000-0xfffff. */
	memcpy(mm->ram + 0x100000 - n, mm->rom + mm->rom_len - n, n);
}

void vmm_mem_release(struct vmm_mem *mm)
{
	if (mm->ram)
		munmap(mm->ram, mm->ram_len);
	if (mm->rom)
		munmap(mm->rom, mm->rom_len);
	memset(mm, 0, sizeof(*mm));
}
