/*
 * Saved-state hooks of the iem engine (iem-state.c), wired into
 * vmm_engine_iem by engine.c.
 */
#ifndef VB_VMM_IEM_STATE_H
#define VB_VMM_IEM_STATE_H

struct vmm_vcpu;
struct vmm_cpu_state;

int iem_state_vcpu_get(struct vmm_vcpu *vc, struct vmm_cpu_state *s);
int iem_state_vcpu_set(struct vmm_vcpu *vc, const struct vmm_cpu_state *s);

#endif
