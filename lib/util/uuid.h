/*
 * UUIDs as VirtualBox writes them: text "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
 * in lower case (with braces in settings files).  The 16 bytes are kept in
 * text order; disk formats that store the Microsoft GUID layout (VDI, VHD's
 * parent locator) convert with vb_uuid_to_le()/vb_uuid_from_le().
 */
#ifndef VB_UTIL_UUID_H
#define VB_UTIL_UUID_H

#include <stdbool.h>
#include <stdint.h>

struct vb_uuid {
	uint8_t b[16];
};

#define VB_UUID_STRLEN 36     /* without braces */

/* Accepts with or without braces, either case.  0 or -EINVAL. */
int vb_uuid_parse(const char *s, struct vb_uuid *out);
/* buf must hold 37 bytes; lower case, no braces. Returns buf. */
char *vb_uuid_fmt(const struct vb_uuid *u, char *buf);
/* buf must hold 39 bytes; "{...}". Returns buf. */
char *vb_uuid_fmt_braced(const struct vb_uuid *u, char *buf);
/* Random (version 4) UUID.  0 or negative errno. */
int vb_uuid_generate(struct vb_uuid *out);
bool vb_uuid_is_zero(const struct vb_uuid *u);
bool vb_uuid_eq(const struct vb_uuid *a, const struct vb_uuid *b);
/* Byte swapping between text order and the little-endian GUID layout. */
void vb_uuid_to_le(const struct vb_uuid *u, uint8_t out[16]);
void vb_uuid_from_le(const uint8_t in[16], struct vb_uuid *u);
/* True if s parses as a UUID (braces optional). */
bool vb_is_uuid(const char *s);

#endif
