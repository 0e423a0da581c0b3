/*
 * New machines: the settings VirtualBox 7.0 gives a machine it creates
 * (Machine::init for a new machine, then Machine::applyDefaults for
 * "createvm --default"), written the way its settings writer leaves out
 * defaults, plus the naming rules of IVirtualBox::composeMachineFilename.
 */
#ifndef VB_SETTINGS_NEWVM_H
#define VB_SETTINGS_NEWVM_H

#include <stdbool.h>

#include "lib/settings/settings.h"

/* Replace characters VirtualBox does not allow in machine file names by
 * '_' (each byte of a rejected character), no leading '.'/'-', no
 * trailing '.', no leading or trailing spaces.  In place.  -EINVAL for
 * text that is not UTF-8. */
int settings_sanitise_name(char *name);

/* A machine group path: "/" or "/a/b" with components that survive
 * settings_sanitise_name().  0 or -EINVAL. */
int settings_group_check(const char *group);

/* The host's default audio back end as VirtualBox 7.0 detects it on
 * Linux: "Pulse" when a pulseaudio or pipewire-pulse process runs and
 * libpulse.so.0 loads, else "ALSA" when libasound.so.2 loads, else "OSS". */
const char *settings_host_audio_driver(void);

/* A fresh VirtualBox MAC address "080027XXXXXX" (12 upper-case hex
 * digits) into out[13]. */
int settings_random_mac(char out[13]);

/*
 * Fill the <Hardware> of a machine made by machine_create() the way
 * VirtualBox 7.0 initialises a new machine: ot is the OS type found for
 * the id given (NULL when none was given or the id is unknown; then
 * VirtualBox stores the id as given and every network adapter is
 * written).  groups (n entries, already checked; NULL/0 = "/") go into
 * <Groups> unless they are just "/".
 */
int machine_init_new(struct machine *m, const struct ostype *ot,
		     const char *const *groups, unsigned ngroups,
		     struct vb_error *err);

/*
 * VirtualBox 7.0's Machine::applyDefaults for the machine's OS type:
 * CPU, memory, graphics, firmware, chipset, HID, audio, the storage
 * controllers for the DVD drive and hard disk (and a floppy controller),
 * USB controllers.  VBOX_E_OBJECT_NOT_FOUND with VirtualBox's message
 * when the machine's OS type is not a known one.
 *
 * Not done: Secure Boot key enrolment in a new UEFI variable store
 * (Windows 11); the type is set to EFI and the TPM to 2.0 regardless.
 */
int machine_apply_defaults(struct machine *m, struct vb_error *err);

#endif
