/*
 * CRC-32C (Castagnoli, polynomial 0x1EDC6F41 reflected), as iSCSI and
 * ext4 use it; the SSE 4.2 CRC32 instruction computes it where the host
 * has one, a table-driven loop (8 bytes a step) elsewhere.
 *
 * crc = vb_crc32c(0, buf, len) for a whole buffer; feed the result back
 * in to continue over more data.
 */
#ifndef VB_UTIL_CRC32C_H
#define VB_UTIL_CRC32C_H

#include <stddef.h>
#include <stdint.h>

uint32_t vb_crc32c(uint32_t crc, const void *buf, size_t len);

#endif
