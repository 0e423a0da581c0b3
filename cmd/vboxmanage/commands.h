/* Handlers and help texts of every command (see commands.c). */
#ifndef VBM_COMMANDS_H
#define VBM_COMMANDS_H

#include "cmd/vboxmanage/vboxmanage.h"

#define VBM_DECLARE(name) \
	int cmd_##name(struct vbm_ctx *ctx, int argc, char **argv); \
	extern const struct vbm_help help_##name

VBM_DECLARE(list);
VBM_DECLARE(createvm);
VBM_DECLARE(registervm);
VBM_DECLARE(unregistervm);
VBM_DECLARE(getextradata);
VBM_DECLARE(setextradata);
VBM_DECLARE(showvminfo);
VBM_DECLARE(modifyvm);
VBM_DECLARE(movevm);
VBM_DECLARE(setproperty);
VBM_DECLARE(usbfilter);
VBM_DECLARE(sharedfolder);
VBM_DECLARE(guestproperty);
VBM_DECLARE(hostonlyif);
VBM_DECLARE(dhcpserver);
VBM_DECLARE(natnetwork);
VBM_DECLARE(bandwidthctl);
VBM_DECLARE(createmedium);
VBM_DECLARE(showmediuminfo);
VBM_DECLARE(closemedium);
VBM_DECLARE(clonemedium);
VBM_DECLARE(convertfromraw);
VBM_DECLARE(modifymedium);
VBM_DECLARE(mediumproperty);
VBM_DECLARE(mediumio);
VBM_DECLARE(internalcommands);
VBM_DECLARE(storagectl);
VBM_DECLARE(storageattach);

/* list hdds | dvds | floppies (showmediuminfo.c); kind is enum
 * mediareg_kind. */
int vbm_list_media(struct vbm_ctx *ctx, int kind, bool long_fmt);
VBM_DECLARE(snapshot);
VBM_DECLARE(clonevm);
VBM_DECLARE(export);
VBM_DECLARE(import);

#endif
