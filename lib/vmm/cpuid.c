/*
 * CPUID as the machine's settings shape it, for every engine: vCPU count
 * and APIC IDs (leaves 1, 4, 0xb, 0x1f, 0x80000008), PAE, long mode, NX
 * (needs PAE), APIC/x2APIC, nested VT-x/AMD-V, the paravirtualisation
 * leaves (0x40000000.., kept only for the KVM/Default providers), a CPU
 * profile (vendor, family/model/stepping, brand string) and the
 * --cpuid-set overrides, which win over everything.
 *
 * Facts: Intel SDM vol. 2A CPUID; AMD APM vol. 3 E.4.
 */
#include <errno.h>
#include <string.h>

#include "lib/util/strbuf.h"
#include "lib/util/checked.h"
#include "lib/vmm/vmm-int.h"

struct cpu_profile {
	const char *name;
	const char *vendor;     /* 12 characters */
	unsigned family, model, stepping;
	const char *brand;
	bool legacy;            /* pre-CPUID CPUs: software engine only */
};

static const struct cpu_profile profiles[] = {
	{ "Intel 8086", "GenuineIntel", 0, 0, 0, "", true },
	{ "Intel 80186", "GenuineIntel", 1, 0, 0, "", true },
	{ "Intel 80286", "GenuineIntel", 2, 0, 0, "", true },
	{ "Intel 80386", "GenuineIntel", 3, 0, 0, "", true },
	{ "Intel 80486", "GenuineIntel", 4, 8, 0, "", true },
	{ "Intel Pentium 4 3.00GHz", "GenuineIntel", 0xf, 4, 1,
	  "Intel(R) Pentium(R) 4 CPU 3.00GHz", false },
	{ "Intel Core i5-3570", "GenuineIntel", 6, 0x3a, 9,
	  "Intel(R) Core(TM) i5-3570 CPU @ 3.40GHz", false },
	{ "Intel Core i7-3960X", "GenuineIntel", 6, 0x2d, 7,
	  "Intel(R) Core(TM) i7-3960X CPU @ 3.30GHz", false },
	{ "Intel Core i7-6700K", "GenuineIntel", 6, 0x5e, 3,
	  "Intel(R) Core(TM) i7-6700K CPU @ 4.00GHz", false },
	{ "AMD Phenom II X6 1100T", "AuthenticAMD", 0x10, 0xa, 0,
	  "AMD Phenom(tm) II X6 1100T Processor", false },
	{ "AMD FX-8150 Eight-Core", "AuthenticAMD", 0x15, 1, 2,
	  "AMD FX(tm)-8150 Eight-Core Processor", false },
	{ "AMD Ryzen 7 1800X Eight-Core", "AuthenticAMD", 0x17, 1, 1,
	  "AMD Ryzen 7 1800X Eight-Core Processor", false },
};

const char *vmm_cpu_profile_at(unsigned i, const char **full_name,
			       bool *x86_only)
{
	if (i >= VB_ARRAY_SIZE(profiles))
		return NULL;
	*full_name = profiles[i].brand[0] ? profiles[i].brand
					  : profiles[i].name;
	*x86_only = profiles[i].legacy;
	return profiles[i].name;
}

/* 0 and *legacy for a known profile; -ENOENT for an unknown one. */
int vmm_cpu_profile_lookup(const char *name, bool *legacy)
{
	unsigned i;

	for (i = 0; i < VB_ARRAY_SIZE(profiles); i++) {
		if (!strcmp(profiles[i].name, name)) {
			*legacy = profiles[i].legacy;
			return 0;
		}
	}
	return -ENOENT;
}

static struct vmm_cpuid_entry *find(struct vmm_cpuid_entry *t, unsigned n,
				    uint32_t fn, uint32_t idx)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (t[i].function == fn &&
		    (!(t[i].flags & VMM_CPUID_SUBLEAF) || t[i].index == idx))
			return &t[i];
	return NULL;
}

static uint32_t fms(unsigned family, unsigned model, unsigned stepping)
{
	uint32_t v = stepping & 0xf;

	v |= (model & 0xf) << 4;
	if (family >= 0xf) {
		v |= 0xfu << 8;
		v |= ((family - 0xf) & 0xff) << 20;
	} else {
		v |= (family & 0xf) << 8;
	}
	if (family == 6 || family >= 0xf)
		v |= ((model >> 4) & 0xf) << 16;
	return v;
}

static void apply_profile(const struct cpu_profile *p,
			  struct vmm_cpuid_entry *t, unsigned n)
{
	struct vmm_cpuid_entry *e;
	char brand[48];
	unsigned i;

	e = find(t, n, 0, 0);
	if (e) {
		memcpy(&e->ebx, p->vendor, 4);
		memcpy(&e->edx, p->vendor + 4, 4);
		memcpy(&e->ecx, p->vendor + 8, 4);
	}
	e = find(t, n, 1, 0);
	if (e)
		e->eax = fms(p->family, p->model, p->stepping);
	e = find(t, n, 0x80000001, 0);
	if (e)
		e->eax = fms(p->family, p->model, p->stepping);
	memset(brand, 0, sizeof(brand));
	memcpy(brand, p->brand, strlen(p->brand) < 47 ? strlen(p->brand) : 47);
	for (i = 0; i < 3; i++) {
		e = find(t, n, 0x80000002 + i, 0);
		if (!e)
			continue;
		memcpy(&e->eax, brand + 16 * i, 4);
		memcpy(&e->ebx, brand + 16 * i + 4, 4);
		memcpy(&e->ecx, brand + 16 * i + 8, 4);
		memcpy(&e->edx, brand + 16 * i + 12, 4);
	}
}

unsigned vmm_cpuid_shape(struct vmm_vm *vm, unsigned idx,
			 struct vmm_cpuid_entry *t, unsigned n, unsigned cap)
{
	const struct vmm_cpu_config *c = vmm_cpu_config(vm);
	unsigned i, j, out = 0;

	for (i = 0; i < n; i++) {
		struct vmm_cpuid_entry *e = &t[i];
		bool keep = true;

		switch (e->function) {
		case 1:
			e->ebx = (e->ebx & 0x0000ffffu) | (idx << 24) |
				 ((c->cpus > 1 ? c->cpus : 1) << 16);
			if (c->cpus > 1)
				e->edx |= 1u << 28;             /* HTT */
			else
				e->edx &= ~(1u << 28);
			e->ecx |= 1u << 31;                     /* hypervisor */
			if (!c->pae)
				e->edx &= ~(1u << 6);
			if (!c->apic)
				e->edx &= ~(1u << 9);
			if (!c->x2apic)
				e->ecx &= ~(1u << 21);
			if (!c->nested_hw_virt)
				e->ecx &= ~(1u << 5);           /* VMX */
			break;
		case 4:
			if (e->eax & 0x1f)
				e->eax = (e->eax & 0x03ffffffu) |
					 ((c->cpus - 1) << 26);
			break;
		case 0xb:
		case 0x1f:
			e->edx = idx;
			if (e->index == 0)
				e->ebx = 1;
			else if (e->index == 1)
				e->ebx = c->cpus;
			break;
		case 0x80000001:
			if (!c->long_mode)
				e->edx &= ~(1u << 29);
			if (!c->pae)
				e->edx &= ~(1u << 20);          /* NX */
			if (!c->nested_hw_virt)
				e->ecx &= ~(1u << 2);           /* SVM */
			break;
		case 0x80000008:
			e->ecx = (e->ecx & ~0xffu) | ((c->cpus - 1) & 0xff);
			break;
		default:
			if ((e->function & 0xffffff00u) == 0x40000000u &&
			    c->paravirt != VMM_PV_DEFAULT && c->paravirt != VMM_PV_KVM)
				keep = false;
			break;
		}
		if (keep)
			t[out++] = *e;
	}
	n = out;
	if (c->profile) {
		for (i = 0; i < VB_ARRAY_SIZE(profiles); i++)
			if (!strcmp(profiles[i].name, c->profile))
				apply_profile(&profiles[i], t, n);
	}
	for (j = 0; j < c->n_overrides; j++) {
		const struct vmm_cpuid_leaf *o = &c->overrides[j];
		struct vmm_cpuid_entry *e = find(t, n, o->leaf, o->subleaf);

		if (!e && n < cap) {
			e = &t[n++];
			memset(e, 0, sizeof(*e));
			e->function = o->leaf;
			e->index = o->subleaf;
			e->flags = o->has_subleaf ? VMM_CPUID_SUBLEAF : 0;
		}
		if (e) {
			e->eax = o->eax;
			e->ebx = o->ebx;
			e->ecx = o->ecx;
			e->edx = o->edx;
		}
	}
	return n;
}
