/*
 * CPUID of the iem engine: a small AMD-like x86-64 CPU (softcpu.md 4.7).
 *
 * Vendor "AuthenticAMD", family 0xF model 0x6B stepping 1 like QEMU's
 * qemu64 (keeps Linux on its cheap mitigation paths and off the Zen-only
 * ones).  Advertised: FPU DE PSE TSC MSR PAE CX8 APIC SEP MTRR PGE CMOV PAT
 * PSE36 CLFSH MMX FXSR SSE SSE2, TSC-deadline, ERMS/FSRM, SYSCALL NX LM
 * LAHF_LM, invariant TSC, 40 physical / 48 virtual address bits.  Not
 * advertised (decoded as #UD or absent): SSE3 and later, XSAVE, MCE/MCA,
 * x2APIC, PCID, FSGSBASE, SMEP/SMAP, 1 GiB pages, RDTSCP, the hypervisor
 * bit.  The machine's settings remove PAE/NX, long mode or the APIC, and
 * --cpuid-set/--cpuid-remove overrides replace whole leaves (the initial
 * APIC ID in leaf 1 stays per vCPU).  Unknown leaves read as zeros (AMD).
 */
#include <stdlib.h>

#include "lib/vmm/iem/iem-int.h"

#define SIG 0x00060fb1u

static const char brand[48] = "VBox-KVM iem virtual CPU";

bool iem_has_nx(const struct iem_cpu *c)
{
	uint32_t r[4];

	iem_cpuid((struct iem_cpu *)c, 0x80000001u, 0, r);
	return (r[3] >> 20) & 1;
}

static void base_leaf(const struct iem_cpu *c, uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	const struct iem_config *cfg = &c->m->cfg;
	uint32_t edx1 = (1u << 0) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 8) |
			(1u << 11) | (1u << 12) | (1u << 13) | (1u << 15) | (1u << 16) |
			(1u << 17) | (1u << 19) | (1u << 23) | (1u << 24) | (1u << 25) | (1u << 26);

	if (cfg->pae)
		edx1 |= 1u << 6;
	if (cfg->apic)
		edx1 |= 1u << 9;
	r[0] = r[1] = r[2] = r[3] = 0;
	switch (leaf) {
	case 0:
	case 0x80000000u:
		r[0] = leaf ? 0x80000008u : 7;
		r[1] = 0x68747541u;     /* "Auth" */
		r[3] = 0x69746e65u;     /* "enti" */
		r[2] = 0x444d4163u;     /* "cAMD" */
		break;
	case 1:
		r[0] = SIG;
		r[1] = (8u << 8) | (1u << 16) | ((uint32_t)c->lapic.id << 24);
		r[2] = cfg->apic ? (1u << 24) : 0;      /* TSC-deadline */
		r[3] = edx1;
		break;
	case 7:
		if (sub == 0) {
			r[1] = 1u << 9;         /* ERMS */
			r[3] = 1u << 4;         /* FSRM */
		}
		break;
	case 0x80000001u:
		r[0] = SIG;
		r[2] = 1u << 0;                 /* LAHF/SAHF in 64-bit mode */
		r[3] = edx1 & 0x0183f3ffu;      /* AMD mirror of the leaf-1 bits */
		if (cfg->long_mode)
			r[3] |= (1u << 11) | (1u << 29);
		if (cfg->pae)
			r[3] |= 1u << 20;
		break;
	case 0x80000002u:
	case 0x80000003u:
	case 0x80000004u:
		memcpy(r, brand + (leaf - 0x80000002u) * 16, 16);
		break;
	case 0x80000005u:
		r[0] = 0xff48ff48u;
		r[1] = 0xff48ff48u;
		r[2] = 0x40020140u;     /* L1D 64 KiB, 2-way, 64-byte lines */
		r[3] = 0x40020140u;
		break;
	case 0x80000006u:
		r[2] = 0x02008040u;     /* L2 512 KiB, 16-way, 64-byte lines */
		break;
	case 0x80000007u:
		r[3] = 1u << 8;         /* invariant TSC */
		break;
	case 0x80000008u:
		r[0] = 0x3000u | c->m->maxphys;
		break;
	default:
		break;
	}
}

void iem_cpuid(struct iem_cpu *c, uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	const struct iem_config *cfg = &c->m->cfg;
	size_t k;

	if (c->cpuid_tab) {
		r[0] = r[1] = r[2] = r[3] = 0;
		for (k = 0; k < c->ncpuid_tab; k++) {
			const struct iem_cpuid_leaf *e = &c->cpuid_tab[k];

			if (e->leaf == leaf && (!e->has_subleaf || e->subleaf == sub)) {
				r[0] = e->eax;
				r[1] = e->ebx;
				r[2] = e->ecx;
				r[3] = e->edx;
				break;
			}
		}
		return;
	}
	base_leaf(c, leaf, sub, r);
	for (k = 0; k < cfg->ncpuid; k++) {
		const struct iem_cpuid_leaf *o = &cfg->cpuid[k];

		if (o->leaf != leaf || (o->subleaf != sub && o->subleaf != UINT32_MAX))
			continue;
		if (o->remove) {
			r[0] = r[1] = r[2] = r[3] = 0;
		} else {
			r[0] = o->eax;
			r[1] = o->ebx;
			r[2] = o->ecx;
			r[3] = o->edx;
			if (leaf == 1)
				r[1] = (r[1] & 0x00ffffffu) | ((uint32_t)c->lapic.id << 24);
		}
	}
}

size_t iem_cpuid_model(struct iem_machine *m, unsigned index, struct iem_cpuid_leaf *out,
		       size_t cap)
{
	static const uint32_t leaves[] = {
		0, 1, 2, 3, 4, 5, 6, 7, 0x80000000u, 0x80000001u, 0x80000002u, 0x80000003u,
		0x80000004u, 0x80000005u, 0x80000006u, 0x80000007u, 0x80000008u,
	};
	struct iem_cpu *c = iem_machine_cpu(m, index);
	size_t n = 0, k;

	if (!c)
		return 0;
	for (k = 0; k < sizeof(leaves) / sizeof(leaves[0]) && n < cap; k++) {
		uint32_t r[4];

		base_leaf(c, leaves[k], 0, r);
		memset(&out[n], 0, sizeof(out[n]));
		out[n].leaf = leaves[k];
		out[n].has_subleaf = leaves[k] == 7 || leaves[k] == 4;
		out[n].eax = r[0];
		out[n].ebx = r[1];
		out[n].ecx = r[2];
		out[n].edx = r[3];
		n++;
	}
	return n;
}

int iem_cpu_set_cpuid(struct iem_cpu *c, const struct iem_cpuid_leaf *tab, size_t n)
{
	struct iem_cpuid_leaf *t = malloc(n ? n * sizeof(*t) : 1);

	if (!t)
		return -12;
	memcpy(t, tab, n * sizeof(*t));
	free(c->cpuid_tab);
	c->cpuid_tab = t;
	c->ncpuid_tab = n;
	return 0;
}
