/*
 * The saved-state file (.sav) of a VM: our own versioned format holding
 * every vCPU's state, the devices' state and guest RAM (savestate.c).
 *
 * Used by vm.c (controlvm savestate, the restore at the next start) and
 * by the unit tests and the fuzzer, which is why it knows nothing of
 * struct vmm_vm: the caller passes what is saved or where it goes.
 */
#ifndef VB_VMM_SAVESTATE_H
#define VB_VMM_SAVESTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/util/error.h"
#include "lib/vmm/engine.h"

#define VMM_SAV_MAX_RAM 4
#define VMM_SAV_MAX_CPUS 256

struct vmm_sav_ram {
	uint64_t gpa;
	uint64_t size;          /* multiple of 4 KiB */
	uint8_t *hva;
};

struct vmm_sav_image {
	uint8_t uuid[16];               /* the machine's */
	char engine[16];                /* engine that saved ("kvm", "iem") */
	bool paused;                    /* the VM was paused when saved */
	uint64_t created_ns;            /* wall clock */
	struct vmm_vm_engine_state engine_state;
	unsigned ncpus;
	struct vmm_cpu_state *cpus;     /* ncpus entries */
	uint8_t *devs;                  /* board_state_save() bytes */
	size_t devs_len;
	struct vmm_sav_ram ram[VMM_SAV_MAX_RAM];
	unsigned n_ram;
};

/* Progress of a long operation, 0..100. */
typedef void (*vmm_sav_progress_fn)(void *ctx, unsigned percent);

/*
 * Write img to path: a temporary file next to it, synced, then renamed
 * over path (the directory synced too), so path is either absent or
 * complete.  RAM pages that are all zero are not stored.  0 or -errno
 * with VirtualBox-style text in err.
 */
int vmm_sav_write(const char *path, const struct vmm_sav_image *img,
		  vmm_sav_progress_fn progress, void *ctx,
		  struct vb_error *err);

/*
 * Read a state file into img.  The caller fills in what this machine is:
 * uuid, ncpus with cpus[] room for them, and the RAM regions (whose
 * layout must match the file's exactly).  The reader fills in the rest,
 * allocating img->devs (free it).  Every byte is checked: versions,
 * sizes, checksums; a damaged, truncated or foreign file is refused with
 * a clear message naming the VirtualBox status (VERR_SSM_...), after
 * which RAM and cpus[] hold no useful data.
 */
int vmm_sav_read(const char *path, struct vmm_sav_image *img,
		 vmm_sav_progress_fn progress, void *ctx,
		 struct vb_error *err);
/* The same from an open file descriptor (fuzzer, tests). */
int vmm_sav_read_fd(int fd, const char *name, struct vmm_sav_image *img,
		    vmm_sav_progress_fn progress, void *ctx,
		    struct vb_error *err);

#endif
