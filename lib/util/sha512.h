/*
 * SHA-512 (FIPS 180-4) for the few places VirtualBox stores hashes in
 * settings files (the teleporter password).
 */
#ifndef VB_UTIL_SHA512_H
#define VB_UTIL_SHA512_H

#include <stddef.h>
#include <stdint.h>

#define VB_SHA512_SIZE 64

void vb_sha512(const void *data, size_t len, uint8_t out[VB_SHA512_SIZE]);
/* Lower-case hex of the digest into hex[129]. */
void vb_sha512_hex(const void *data, size_t len, char hex[129]);

/* Base64 (RFC 4648, with padding, one line); allocated, NULL on ENOMEM. */
char *vb_base64_encode(const void *data, size_t len);

#endif
