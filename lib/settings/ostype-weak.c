/*
 * Stand-in for the guest OS type table until the part that owns it
 * (ostype_table / ostype_find in settings.h) is merged: every lookup finds
 * nothing, and callers fall back to the raw type id as VirtualBox does for
 * an unknown type.  The definition is weak so the real table replaces it;
 * delete this file once the table is in the library.
 */
#include <stddef.h>

#include "lib/settings/settings.h"

__attribute__((weak)) const struct ostype *ostype_find(const char *id)
{
	(void)id;
	return NULL;
}
