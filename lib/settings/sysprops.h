/*
 * <Global><SystemProperties> of VirtualBox.xml (settings-format.md 6.5).
 */
#ifndef VB_SETTINGS_SYSPROPS_H
#define VB_SETTINGS_SYSPROPS_H

#include "lib/settings/settings.h"

/*
 * Set (value != NULL) or clear one attribute, then rewrite the element
 * the way VirtualBox's writer does on every save: its attributes in
 * VirtualBox's order, the always-written ones (machine folder, hard disk
 * format, the two auth libraries, log history count, proxy mode,
 * exclusive HW virtualization) filled with their effective values,
 * string attributes left out when empty; attributes we do not know stay,
 * after the known ones.  Needs the global lock.  0 or -ENOMEM.
 */
int sysprops_set(struct vbox *vb, const char *attr, const char *value,
		 struct vb_error *err);

#endif
