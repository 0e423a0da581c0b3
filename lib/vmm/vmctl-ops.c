/*
 * What a running machine can be asked to do (controlvm, VBoxHeadless's
 * signals), each run on the event-loop thread: pause, resume, reset,
 * power off, the ACPI buttons, saving the state; and the restore of a
 * saved state at power-up.
 *
 * Which machine states allow what, and the error texts, follow
 * VirtualBox's Console and SessionMachine (ConsoleImpl.cpp, MachineImpl.cpp).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/media/media.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"
#include "lib/util/timefmt.h"
#include "lib/vmm/savestate.h"
#include "lib/vmm/vmm-int.h"

static int console_err(struct vb_error *err, uint32_t hrc, const char *msg)
{
	vb_err(err, EINVAL, hrc, "%s", msg);
	vb_err_where(err, "ConsoleWrap", "IConsole", "nsISupports");
	return -EINVAL;
}

static int invalid_state(struct vb_error *err, enum vm_state ms)
{
	vb_err(err, EINVAL, VBOX_E_INVALID_VM_STATE, "Invalid machine state: %s",
	       vm_state_api_name(ms));
	vb_err_where(err, "ConsoleWrap", "IConsole", "nsISupports");
	return -EINVAL;
}

static void stop_guest(struct vmm_vm *vm)
{
	vmm_vm_park_all(vm);
	board_clock_pause(vm->board);
}

static void start_guest(struct vmm_vm *vm)
{
	board_clock_resume(vm->board);
	vmm_vm_unpark_all(vm);
}

int vmm_op_pause(struct vmm_vm *vm, struct vb_error *err)
{
	enum vm_state ms = vmm_vm_mstate(vm, NULL);

	if (ms == VMS_PAUSED || ms == VMS_SAVING)
		return console_err(err, VBOX_E_INVALID_VM_STATE, "Already paused");
	if (ms != VMS_RUNNING)
		return invalid_state(err, ms);
	stop_guest(vm);
	vmm_vm_set_state(vm, VMM_SUSPENDED);
	vmm_vm_set_mstate(vm, VMS_PAUSED);
	return 0;
}

int vmm_op_resume(struct vmm_vm *vm, struct vb_error *err)
{
	enum vm_state ms = vmm_vm_mstate(vm, NULL);

	if (ms != VMS_PAUSED) {
		vb_err(err, EINVAL, VBOX_E_INVALID_VM_STATE,
		       "Cannot resume the machine as it is not paused (machine state: %s)",
		       vm_state_api_name(ms));
		vb_err_where(err, "ConsoleWrap", "IConsole", "nsISupports");
		return -EINVAL;
	}
	vmm_vm_set_state(vm, VMM_RUNNING);
	vmm_vm_set_mstate(vm, VMS_RUNNING);
	start_guest(vm);
	return 0;
}

int vmm_op_reset(struct vmm_vm *vm, struct vb_error *err)
{
	enum vm_state ms = vmm_vm_mstate(vm, NULL);

	if (ms != VMS_RUNNING)
		return invalid_state(err, ms);
	vmm_vm_do_reset(vm, "requested by the front end");
	return 0;
}

int vmm_op_poweroff(struct vmm_vm *vm, struct vb_error *err)
{
	enum vm_state ms = vmm_vm_mstate(vm, NULL);

	switch (ms) {
	case VMS_RUNNING:
	case VMS_PAUSED:
	case VMS_STUCK:
		break;
	case VMS_SAVING:
		return console_err(err, VBOX_E_INVALID_VM_STATE,
				   "Cannot power down at this point during a save state");
	case VMS_STOPPING:
		return console_err(err, VBOX_E_INVALID_VM_STATE,
				   "The virtual machine is being powered down");
	default:
		vb_err(err, EINVAL, VBOX_E_INVALID_VM_STATE,
		       "Invalid machine state: %s (must be Running, Paused or Stuck)",
		       vm_state_api_name(ms));
		vb_err_where(err, "ConsoleWrap", "IConsole", "nsISupports");
		return -EINVAL;
	}
	vm->poweroff_reason = "power off requested";
	vm->done = true;
	vmm_vm_set_mstate(vm, VMS_STOPPING);
	return 0;
}

int vmm_op_power_button(struct vmm_vm *vm, bool sleep, struct vb_error *err)
{
	enum vm_state ms = vmm_vm_mstate(vm, NULL);

	if (ms != VMS_RUNNING)
		return invalid_state(err, ms);
	if (!vm->cfg.acpi)
		return console_err(err, VBOX_E_PDM_ERROR, sleep ?
				   "Sending sleep button event failed (VERR_PDM_DEVICE_NOT_FOUND)" :
				   "Controlled power off failed (VERR_PDM_DEVICE_NOT_FOUND)");
	if (sleep) {
		vmm_log(vm, "ACPI: sleep button pressed");
		board_acpi_sleep_button(vm->board);
	} else {
		vmm_log(vm, "ACPI: power button pressed%s",
			board_acpi_power_button_enabled(vm->board) ? "" :
			" (the guest has not enabled the power button event yet)");
		board_acpi_power_button(vm->board);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Removable media                                                     */

static int dvd_read(void *o, uint64_t off, void *buf, size_t len)
{
	return media_read(o, off, buf, len);
}

static int dvd_write(void *o, uint64_t off, const void *buf, size_t len)
{
	(void)o;
	(void)off;
	(void)buf;
	(void)len;
	return -EROFS;
}

static int dvd_flush(void *o)
{
	(void)o;
	return 0;
}

static const struct board_blk_ops dvd_ops = { dvd_read, dvd_write, dvd_flush };

/* Console::i_changeRemovableMedium: the drive must exist; a tray the
 * guest locked stays closed unless forced. */
int vmm_op_dvd(struct vmm_vm *vm, const char *ctl, unsigned port,
	       unsigned dev, const char *path, bool force, struct vb_error *err)
{
	struct vmm_config *c = &vm->cfg;
	struct medium *med = NULL, *old;
	struct board_blk blk;
	struct vb_error merr = { 0 };
	unsigned s, idx, i;
	int rc;

	for (s = 0; s < c->board.n_storage; s++)
		if (c->ctl_names[s] && !strcmp(c->ctl_names[s], ctl))
			break;
	if (s == c->board.n_storage)
		return vb_err(err, ENODEV, VBOX_E_OBJECT_NOT_FOUND,
			      "The VM has no storage controller named '%s'", ctl);
	idx = c->board.storage[s].type == BOARD_CTL_AHCI ? port : port * 2 + dev;
	if (idx >= BOARD_AHCI_MAX_PORTS ||
	    c->board.storage[s].drives[idx].kind != BOARD_DRIVE_CDROM)
		return vb_err(err, ENODEV, VBOX_E_OBJECT_NOT_FOUND,
			      "The VM has no DVD drive on port %u, device %u of '%s'",
			      port, dev, ctl);
	memset(&blk, 0, sizeof(blk));
	if (*path) {
		rc = media_open(path, MEDIA_RDONLY, NULL, NULL, &med, &merr);
		if (rc)
			return vb_err(err, -rc, VBOX_E_VM_ERROR,
				      "Could not mount the media/drive '%s' (%s)",
				      path, vmm_verr_name(-rc));
		blk.ops = &dvd_ops;
		blk.opaque = med;
		blk.size = media_size(med);
		blk.readonly = true;
	}
	rc = board_drive_change(vm->board, s, idx, &blk, force);
	if (rc) {
		media_close(med);
		return vb_err(err, -rc, VBOX_E_VM_ERROR,
			      "Could not unmount the currently mounted media/drive (%s)",
			      rc == -EBUSY ? "VERR_PDM_MEDIA_LOCKED" : "VERR_PDM_DEVICE_NOT_FOUND");
	}
	/* the old medium is not read any more: close it */
	old = c->board.storage[s].drives[idx].blk.opaque;
	c->board.storage[s].drives[idx].blk = blk;
	for (i = 0; old && i < c->n_media; i++) {
		if (c->media[i] == old) {
			media_close(old);
			c->media[i] = c->media[--c->n_media];
			break;
		}
	}
	if (med) {
		if (c->n_media < VMM_MAX_MEDIA)
			c->media[c->n_media++] = med;
		else
			vmm_log(vm, "DVD: too many media; '%s' stays open until the VM ends", path);
	}
	vmm_log(vm, "DVD: %s port %u device %u: %s%s%s", ctl, port, dev,
		*path ? "medium '" : "medium removed", path, *path ? "' inserted" : "");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Saved state                                                         */

static void image_ram(struct vmm_vm *vm, struct vmm_sav_image *img)
{
	unsigned i;

	img->n_ram = 0;
	for (i = 0; i < vm->mem.n && img->n_ram < VMM_SAV_MAX_RAM; i++) {
		const struct vmm_mem_region *r = &vm->mem.region[i];

		if (r->flags & VMM_MEM_ROM)
			continue;
		img->ram[img->n_ram].gpa = r->gpa;
		img->ram[img->n_ram].size = r->size;
		img->ram[img->n_ram].hva = r->hva;
		img->n_ram++;
	}
}

static int image_uuid(struct vmm_vm *vm, struct vmm_sav_image *img)
{
	struct vb_uuid u;

	if (vb_uuid_parse(vm->cfg.uuid, &u))
		return -EINVAL;
	memcpy(img->uuid, u.b, 16);
	return 0;
}

static int no_engine_support(struct vmm_vm *vm, struct vb_error *err)
{
	return vb_err(err, ENOTSUP, VBOX_E_NOT_SUPPORTED,
		      "The %s execution engine cannot save or restore the state of a virtual machine (VERR_NOT_SUPPORTED)",
		      vm->engine->label);
}

static int collect(struct vmm_vm *vm, struct vmm_sav_image *img,
		   struct vb_error *err)
{
	unsigned i;

	memset(img, 0, sizeof(*img));
	if (image_uuid(vm, img))
		return vb_err(err, EINVAL, VB_E_FAIL, "Invalid machine UUID");
	snprintf(img->engine, sizeof(img->engine), "%s", vm->engine->name);
	img->created_ns = (uint64_t)vb_now_ns();
	img->ncpus = vm->ncpus;
	img->cpus = calloc(vm->ncpus, sizeof(*img->cpus));
	if (!img->cpus)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	if (vm->engine->vm_get_state &&
	    vm->engine->vm_get_state(vm, &img->engine_state) < 0)
		return vb_err(err, EIO, VBOX_E_VM_ERROR,
			      "Could not get the state of the execution engine (VERR_GENERAL_FAILURE)");
	for (i = 0; i < vm->ncpus; i++)
		if (vm->engine->vcpu_get_state(&vm->vcpus[i], &img->cpus[i]) < 0)
			return vb_err(err, EIO, VBOX_E_VM_ERROR,
				      "Could not get the state of virtual CPU %u (VERR_GENERAL_FAILURE)",
				      i);
	if (board_state_save(vm->board, &img->devs, &img->devs_len) < 0)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	image_ram(vm, img);
	return 0;
}

int vmm_op_savestate(struct vmm_vm *vm, void (*progress)(void *ctx, unsigned pct),
		     void *ctx, struct vb_error *err)
{
	enum vm_state ms = vmm_vm_mstate(vm, NULL);
	enum vmm_state before = vmm_vm_state(vm);
	struct vmm_sav_image img;
	char *path = NULL, *dir = NULL;
	uint64_t t0 = (uint64_t)vb_mono_ms();
	int rc;

	if (ms != VMS_RUNNING && ms != VMS_PAUSED) {
		vb_err(err, EINVAL, VBOX_E_INVALID_VM_STATE,
		       "Cannot save the execution state as the machine is not running or paused (machine state: %s)",
		       vm_state_api_name(ms));
		vb_err_where(err, "SessionMachine", "IMachine", "nsISupports");
		return -EINVAL;
	}
	if (!vm->engine->vcpu_get_state || !vm->engine->vcpu_set_state)
		return no_engine_support(vm, err);
	if (ms == VMS_RUNNING)
		stop_guest(vm);
	vmm_vm_set_state(vm, VMM_SAVING);
	vmm_vm_set_mstate(vm, VMS_SAVING);
	memset(&img, 0, sizeof(img));
	path = vmm_mf_new_state_path(vm);
	dir = path ? path_dirname(path) : NULL;
	if (!dir) {
		rc = vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
		goto fail;
	}
	rc = path_mkdirs(dir, 0755);
	if (rc < 0) {
		rc = vb_err(err, -rc, VBOX_E_FILE_ERROR,
			    "Could not create the snapshot folder '%s' (%s)", dir,
			    strerror(-rc));
		goto fail;
	}
	rc = collect(vm, &img, err);
	if (rc)
		goto fail;
	img.paused = ms == VMS_PAUSED;
	vmm_log(vm, "SSM: Saving the state to '%s'", path);
	rc = vmm_sav_write(path, &img, progress, ctx, err);
	if (rc)
		goto fail;
	rc = vmm_gprops_store_all(vm, err);
	if (!rc)
		rc = vmm_mf_mark_saved(vm, path, err);
	if (rc) {
		unlink(path);
		goto fail;
	}
	vmm_log(vm, "SSM: Saved the state in %llu ms",
		(unsigned long long)((uint64_t)vb_mono_ms() - t0));
	vm->exit_kind = VMM_EXIT_SAVED;
	vm->done = true;
	free(img.cpus);
	free(img.devs);
	free(path);
	free(dir);
	return 0;
fail:
	vmm_log(vm, "SSM: Saving the state failed: %s", err->msg);
	free(img.cpus);
	free(img.devs);
	free(path);
	free(dir);
	vmm_vm_set_state(vm, before);
	vmm_vm_set_mstate(vm, ms);
	if (ms == VMS_RUNNING)
		start_guest(vm);
	return rc < 0 ? rc : -EIO;
}

/* After the board and the engine exist, before any vCPU runs. */
int vmm_op_restore(struct vmm_vm *vm, bool *paused, struct vb_error *err)
{
	struct vmm_sav_image img;
	struct board_msi_route routes[24];
	unsigned i;
	int rc;

	*paused = vm->opt.start_paused;
	if (!vm->engine->vcpu_get_state || !vm->engine->vcpu_set_state)
		return no_engine_support(vm, err);
	/* a clean baseline for anything the state leaves out */
	for (i = 0; i < vm->ncpus; i++)
		if (vm->engine->vcpu_reset(&vm->vcpus[i]))
			return vb_err(err, EIO, VB_E_FAIL, "Resetting the virtual CPUs failed");
	memset(&img, 0, sizeof(img));
	if (image_uuid(vm, &img))
		return vb_err(err, EINVAL, VB_E_FAIL, "Invalid machine UUID");
	img.ncpus = vm->ncpus;
	img.cpus = calloc(vm->ncpus, sizeof(*img.cpus));
	if (!img.cpus)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	image_ram(vm, &img);
	vmm_log(vm, "SSM: Restoring the state from '%s'", vm->restore_path);
	rc = vmm_sav_read(vm->restore_path, &img, NULL, NULL, err);
	if (!rc) {
		struct vb_error derr = { 0 };

		if (board_state_load(vm->board, img.devs, img.devs_len, &derr))
			rc = vb_err(err, EINVAL, VBOX_E_FILE_ERROR,
				    "The saved state file '%s' cannot be loaded: %s",
				    vm->restore_path, derr.msg);
	}
	if (!rc && strcmp(img.engine, vm->engine->name))
		vmm_log(vm, "SSM: The state was saved by the %s engine; it continues on %s",
			img.engine, vm->engine->label);
	if (!rc && vm->engine->vm_set_state &&
	    vm->engine->vm_set_state(vm, &img.engine_state) < 0)
		rc = vb_err(err, EIO, VBOX_E_VM_ERROR,
			    "The execution engine did not accept the saved state (VERR_SSM_UNEXPECTED_DATA)");
	for (i = 0; !rc && i < vm->ncpus; i++)
		if (vm->engine->vcpu_set_state(&vm->vcpus[i], &img.cpus[i]) < 0)
			rc = vb_err(err, EIO, VBOX_E_VM_ERROR,
				    "Virtual CPU %u did not accept its saved state (VERR_SSM_UNEXPECTED_DATA)",
				    i);
	if (!rc) {
		/* the engine learns what the board's interrupt lines say */
		if (board_ioapic_routes(vm->board, routes) && vm->engine->ioapic_routes)
			vm->engine->ioapic_routes(vm, routes);
		if (board_intr_pending(vm->board) && vm->engine->irq_extint)
			vm->engine->irq_extint(vm, true);
		vmm_log(vm, "SSM: Restored the state saved %s",
			img.paused ? "while paused" : "while running");
	} else {
		char *p, *msg = vb_strdup(err->msg);

		if (msg) {
			for (p = msg; *p; p++)
				if (*p == '\n')
					*p = ' ';
			vmm_log(vm, "VMSetError: %s", msg);
			free(msg);
		}
		vb_err_where(err, "ConsoleWrap", "IConsole", NULL);
	}
	free(img.cpus);
	free(img.devs);
	return rc;
}
