/*
 * The table of VBoxManage commands: name, aliases, handler, help.
 * Handlers live in one file per command (or group of close commands).
 *
 * Keep VirtualBox 7.0's order (g_aCommands in VBoxManage.cpp): it is the
 * order "VBoxManage commands" prints.  VirtualBox's order, for inserting
 * new entries: list showvminfo registervm unregistervm clonevm movevm
 * encryptvm mediumproperty createmedium modifymedium clonemedium
 * encryptmedium checkmediumpwd createvm modifyvm startvm controlvm
 * unattended discardstate adoptstate snapshot closemedium storageattach
 * storagectl showmediuminfo mediumio getextradata setextradata
 * setproperty usbfilter sharedfolder guestproperty guestcontrol metrics
 * import export signova hostonlyif dhcpserver natnetwork extpack
 * bandwidthctl debugvm convertfromraw usbdevsource cloudprofile cloud
 * updatecheck modifynvram.
 */
#include <stddef.h>

#include "cmd/vboxmanage/commands.h"

const struct vbm_command vbm_commands[] = {
	{ "internalcommands", { 0 }, cmd_internalcommands,
	  &help_internalcommands, VBMC_HIDDEN },
	{ "list", { 0 }, cmd_list, &help_list, 0 },
	{ "showvminfo", { 0 }, cmd_showvminfo, &help_showvminfo, 0 },
	{ "registervm", { 0 }, cmd_registervm, &help_registervm, 0 },
	{ "unregistervm", { 0 }, cmd_unregistervm, &help_unregistervm, 0 },
	{ "clonevm", { 0 }, cmd_clonevm, &help_clonevm, 0 },
	{ "createvm", { 0 }, cmd_createvm, &help_createvm, 0 },
	{ "modifyvm", { 0 }, cmd_modifyvm, &help_modifyvm, 0 },
	{ "movevm", { 0 }, cmd_movevm, &help_movevm, 0 },
	{ "snapshot", { 0 }, cmd_snapshot, &help_snapshot, 0 },
	{ "closemedium", { 0 }, cmd_closemedium, &help_closemedium, 0 },
	{ "storageattach", { 0 }, cmd_storageattach, &help_storageattach, 0 },
	{ "storagectl", { 0 }, cmd_storagectl, &help_storagectl, 0 },
	{ "showmediuminfo", { "showhdinfo", "showvdiinfo" }, cmd_showmediuminfo,
	  &help_showmediuminfo, 0 },
	{ "createmedium", { "createhd", "createvdi" }, cmd_createmedium,
	  &help_createmedium, 0 },
	{ "modifymedium", { "modifyhd", "modifyvdi" }, cmd_modifymedium,
	  &help_modifymedium, 0 },
	{ "clonemedium", { "clonehd", "clonevdi" }, cmd_clonemedium,
	  &help_clonemedium, 0 },
	{ "mediumproperty", { "hdproperty" }, cmd_mediumproperty,
	  &help_mediumproperty, 0 },
	{ "convertfromraw", { "convertdd" }, cmd_convertfromraw,
	  &help_convertfromraw, 0 },
	{ "getextradata", { 0 }, cmd_getextradata, &help_getextradata, 0 },
	{ "setextradata", { 0 }, cmd_setextradata, &help_setextradata, 0 },
	{ "setproperty", { 0 }, cmd_setproperty, &help_setproperty, 0 },
	{ "usbfilter", { 0 }, cmd_usbfilter, &help_usbfilter, 0 },
	{ "sharedfolder", { 0 }, cmd_sharedfolder, &help_sharedfolder, 0 },
	{ "guestproperty", { 0 }, cmd_guestproperty, &help_guestproperty, 0 },
	{ "import", { 0 }, cmd_import, &help_import, 0 },
	{ "export", { 0 }, cmd_export, &help_export, 0 },
	{ "natnetwork", { 0 }, cmd_natnetwork, &help_natnetwork, 0 },
	{ "hostonlyif", { 0 }, cmd_hostonlyif, &help_hostonlyif, 0 },
	{ "dhcpserver", { 0 }, cmd_dhcpserver, &help_dhcpserver, 0 },
	{ "bandwidthctl", { 0 }, cmd_bandwidthctl, &help_bandwidthctl, 0 },
	{ "mediumio", { 0 }, cmd_mediumio, &help_mediumio, 0 },
	{ NULL, { 0 }, NULL, NULL, 0 },
};
