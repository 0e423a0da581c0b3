/*
 * Execution engines: what runs the guest's instructions.
 *
 * The VM (vm.c) owns the machine: guest RAM and ROM (mem.c), the board
 * with every device and the PIC/IOAPIC/PIT (lib/devices), the event loop,
 * the vCPU threads and the state machine.  An engine only runs vCPUs:
 *
 *   kvm.c      Linux KVM with its in-kernel local APICs (split irqchip)
 *   iem/       our software x86 CPU (written separately; it replaces the
 *              placeholder in iem-missing.c with a `vmm_engine_iem`)
 *
 * Registration: the table in engines.c lists every engine by name; the
 * name is the value of extradata VBoxInternal/EM/Engine.
 *
 * Life cycle, all calls from the VM except where noted:
 *
 *   probe()          can the engine run this machine on this host?
 *                    0, or -errno with VirtualBox-like text in err.
 *                    Nothing is allocated yet (vmm_mem_* not usable).
 *   vm_init()        RAM, ROM and the board exist; set up VM-wide state.
 *   vcpu_init()      once per vCPU, on the main thread.
 *   vcpu_reset()     power-on and every machine reset, for each vCPU,
 *                    while no vCPU runs: the BSP gets the architectural
 *                    reset state (CS:IP F000:FFF0, CS base FFFF0000),
 *                    application processors wait for INIT/SIPI.
 *   vcpu_thread()    first call on the vCPU's own thread (signals, TLS).
 *   vcpu_run()       on the vCPU thread: run guest code until kicked or
 *                    until something only the VM can handle (see enum
 *                    vmm_run).  Port and MMIO accesses go straight to
 *                    board_pio()/board_pio_string()/board_mmio(); RAM and
 *                    ROM through vmm_mem_region()/vmm_gpa_ptr().  HLT is
 *                    handled inside: wait for an interrupt, but return
 *                    promptly when kicked.
 *   vcpu_kick()      any thread: make vcpu_run() return VMM_RUN_AGAIN
 *                    soon (pause, reset, power off).  Must not block.
 *   vcpu_release(), vm_release()  tear down.
 *
 * Interrupts.  The board's 8259 pair, IOAPIC and PIT are shared by all
 * engines; the local APICs belong to the engine (KVM's in-kernel ones, or
 * the software CPU's own):
 *
 *   irq_extint(level)   the PIC's INTR output changed (to the BSP's LINT0
 *                       when the APIC routes ExtINT, or the CPU's INTR pin
 *                       when the APIC is off).  To deliver: check
 *                       board_intr_pending(), then take the vector with
 *                       board_intr_ack() when the CPU accepts it.
 *   irq_msi(addr,data)  the IOAPIC sends an interrupt message (x86 MSI
 *                       format: destination in address bits 19:12,
 *                       vector/delivery mode/trigger in data).
 *   ioapic_routes(r)    the IOAPIC's redirection table changed; r[pin] is
 *                       the message each unmasked pin would send.  KVM
 *                       needs it to ask for EOI exits of level vectors.
 *   An engine's local APIC must call board_ioapic_eoi(vector) when the
 *   guest EOIs a level-triggered vector.
 *
 *   These three are called with the board lock held, from any thread:
 *   they must not call back into the board; set state and kick instead.
 *
 * CPUID: vmm_cpuid_shape() applies the machine's CPU settings (vCPU count
 * and APIC IDs, PAE, long mode, x2APIC, nested VT-x/AMD-V, paravirt
 * leaves, CPU profile, --cpuid-set overrides) to a table the engine built
 * from its own CPU model (KVM: KVM_GET_SUPPORTED_CPUID).
 */
#ifndef VB_VMM_ENGINE_H
#define VB_VMM_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/devices/devices.h"
#include "lib/util/error.h"

struct vmm_vm;
struct vmm_vcpu;

enum vmm_run {
	VMM_RUN_AGAIN,          /* kicked, or nothing to report: call again */
	VMM_RUN_SHUTDOWN,       /* triple fault */
	VMM_RUN_FATAL,          /* this vCPU cannot go on (already logged) */
};

struct vmm_engine {
	const char *name;       /* "kvm", "iem": VBoxInternal/EM/Engine */
	const char *label;      /* for the log */
	int (*probe)(struct vmm_vm *vm, struct vb_error *err);
	int (*vm_init)(struct vmm_vm *vm, struct vb_error *err);
	void (*vm_release)(struct vmm_vm *vm);
	int (*vcpu_init)(struct vmm_vcpu *c, struct vb_error *err);
	void (*vcpu_release)(struct vmm_vcpu *c);
	int (*vcpu_reset)(struct vmm_vcpu *c);
	void (*vcpu_thread)(struct vmm_vcpu *c);
	enum vmm_run (*vcpu_run)(struct vmm_vcpu *c);
	void (*vcpu_kick)(struct vmm_vcpu *c);
	void (*irq_extint)(struct vmm_vm *vm, bool level);
	void (*irq_msi)(struct vmm_vm *vm, uint64_t addr, uint32_t data);
	void (*ioapic_routes)(struct vmm_vm *vm,
			      const struct board_msi_route routes[24]);
	/* Host and engine facts for VBox.log (after vm_init). */
	void (*log_facts)(struct vmm_vm *vm);
};

/* engines.c */
const struct vmm_engine *vmm_engine_find(const char *name);
extern const struct vmm_engine vmm_engine_kvm;
extern const struct vmm_engine vmm_engine_iem;

/* ------------------------------------------------------------------ */
/* What the VM offers engines                                          */

struct board *vmm_board(struct vmm_vm *vm);
unsigned vmm_vcpu_count(struct vmm_vm *vm);
struct vmm_vcpu *vmm_vcpu_get(struct vmm_vm *vm, unsigned idx);
struct vmm_vm *vmm_vcpu_vm(struct vmm_vcpu *c);
unsigned vmm_vcpu_index(struct vmm_vcpu *c);

/* Engine-private pointers. */
void *vmm_engine_data(struct vmm_vm *vm);
void vmm_set_engine_data(struct vmm_vm *vm, void *p);
void *vmm_vcpu_engine_data(struct vmm_vcpu *c);
void vmm_vcpu_set_engine_data(struct vmm_vcpu *c, void *p);

/* Guest physical memory: RAM (below the PCI hole and above 4 GiB) and the
 * firmware ROM (read-only; its last 128 KiB also copied into RAM at
 * 0xe0000 on every reset). */
#define VMM_MEM_ROM 0x1

struct vmm_mem_region {
	uint64_t gpa;
	uint64_t size;
	uint8_t *hva;
	unsigned flags;
};

unsigned vmm_mem_region_count(struct vmm_vm *vm);
const struct vmm_mem_region *vmm_mem_region(struct vmm_vm *vm, unsigned i);
/* Host pointer for [gpa, gpa+len) when it lies in one RAM/ROM region (ROM
 * only when !write); NULL means MMIO (use board_mmio()). */
void *vmm_gpa_ptr(struct vmm_vm *vm, uint64_t gpa, size_t len, bool write);

/* The machine's CPU settings. */
struct vmm_cpuid_leaf {
	uint32_t leaf, subleaf;
	bool has_subleaf;
	uint32_t eax, ebx, ecx, edx;
};

enum vmm_paravirt {
	VMM_PV_NONE, VMM_PV_DEFAULT, VMM_PV_LEGACY, VMM_PV_MINIMAL,
	VMM_PV_HYPERV, VMM_PV_KVM,
};

struct vmm_cpu_config {
	unsigned cpus;
	bool pae, long_mode, apic, x2apic, nested_hw_virt;
	bool hwvirtex, nested_paging, vpid, unrestricted, large_pages;
	bool triple_fault_reset;
	unsigned exec_cap;              /* 1..100 % */
	const char *profile;            /* NULL or "host" = host CPU */
	enum vmm_paravirt paravirt;
	const struct vmm_cpuid_leaf *overrides;
	unsigned n_overrides;
};

const struct vmm_cpu_config *vmm_cpu_config(struct vmm_vm *vm);

/* A CPUID table entry (same layout idea as KVM's, no KVM types). */
#define VMM_CPUID_SUBLEAF 0x1   /* index is significant */

struct vmm_cpuid_entry {
	uint32_t function, index, flags;
	uint32_t eax, ebx, ecx, edx;
};

/* Shape tab (n entries, room for cap) for vCPU idx by the machine's
 * settings; returns the new count.  Entries may be added (overrides,
 * brand string) up to cap. */
unsigned vmm_cpuid_shape(struct vmm_vm *vm, unsigned idx,
			 struct vmm_cpuid_entry *tab, unsigned n, unsigned cap);

/* A line in VBox.log. */
void vmm_log(struct vmm_vm *vm, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
