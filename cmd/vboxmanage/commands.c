/*
 * The table of VBoxManage commands: name, aliases, handler, help.
 * Handlers live in one file per command (or group of close commands).
 */
#include <stddef.h>

#include "cmd/vboxmanage/commands.h"

const struct vbm_command vbm_commands[] = {
	{ "list", { 0 }, cmd_list, &help_list, 0 },
	{ "createvm", { 0 }, cmd_createvm, &help_createvm, 0 },
	{ "registervm", { 0 }, cmd_registervm, &help_registervm, 0 },
	{ "unregistervm", { 0 }, cmd_unregistervm, &help_unregistervm, 0 },
	{ "getextradata", { 0 }, cmd_getextradata, &help_getextradata, 0 },
	{ "setextradata", { 0 }, cmd_setextradata, &help_setextradata, 0 },
	{ "createmedium", { "createhd", "createvdi" }, cmd_createmedium,
	  &help_createmedium, 0 },
	{ "showmediuminfo", { "showhdinfo", "showvdiinfo" }, cmd_showmediuminfo,
	  &help_showmediuminfo, 0 },
	{ "closemedium", { 0 }, cmd_closemedium, &help_closemedium, 0 },
	{ "clonemedium", { "clonehd", "clonevdi" }, cmd_clonemedium,
	  &help_clonemedium, 0 },
	{ "convertfromraw", { "convertdd" }, cmd_convertfromraw,
	  &help_convertfromraw, 0 },
	{ "modifymedium", { "modifyhd", "modifyvdi" }, cmd_modifymedium,
	  &help_modifymedium, 0 },
	{ "mediumproperty", { "hdproperty" }, cmd_mediumproperty,
	  &help_mediumproperty, 0 },
	{ "mediumio", { 0 }, cmd_mediumio, &help_mediumio, 0 },
	{ "internalcommands", { 0 }, cmd_internalcommands,
	  &help_internalcommands, 0 },
	{ "storagectl", { 0 }, cmd_storagectl, &help_storagectl, 0 },
	{ "storageattach", { 0 }, cmd_storageattach, &help_storageattach, 0 },
	{ NULL, { 0 }, NULL, NULL, 0 },
};
