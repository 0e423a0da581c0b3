/*
 * lib/media: disk images (VDI, VMDK, VHD, raw, ISO).
 *
 * This header is the contract between the image code and its users (the
 * medium commands, storage attachment, OVA import/export and the VMM's
 * disk controllers).  Byte offsets throughout; all file access goes
 * through a backing-file interface (media-int.h) so images can also live
 * in memory (tests, fuzzers).
 *
 * Thread safety: one struct medium may be used by several readers and one
 * writer at the same time (the VMM serves guest I/O from several threads);
 * the implementation serialises metadata updates itself.
 */
#ifndef VB_MEDIA_H
#define VB_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/util/error.h"
#include "lib/util/uuid.h"

struct medium;

#define MEDIA_RDONLY    0x0
#define MEDIA_RDWR      0x1

/* How a differencing image finds its parent: given the parent's UUID,
 * return its path (allocated) or a negative errno.  NULL resolver: only
 * the location hints stored in the image itself are used. */
typedef int (*media_parent_fn)(void *ctx, const struct vb_uuid *parent,
			       char **path);

/* Open an image of any supported format (probed by content), with its
 * parent chain for differencing images.  Reads of unallocated areas
 * return the parent's data or zeros. */
int media_open(const char *path, unsigned flags, media_parent_fn resolve,
	       void *ctx, struct medium **out, struct vb_error *err);
void media_close(struct medium *m);

/* Virtual disk size in bytes. */
uint64_t media_size(const struct medium *m);
/* Sector-granular I/O is not required; any offset/length inside the disk
 * is accepted.  0 or a negative errno (-EIO, -ENOSPC, -EINVAL...). */
int media_read(struct medium *m, uint64_t off, void *buf, size_t len);
int media_write(struct medium *m, uint64_t off, const void *buf, size_t len);
/* Data, then metadata, durable on return. */
int media_flush(struct medium *m);

/* Format name as VirtualBox shows it: "VDI", "VMDK", "VHD", "RAW". */
const char *media_format(const struct medium *m);
/* UUIDs stored in the image (RAW/ISO: none, returns -ENOENT). */
int media_uuid(const struct medium *m, struct vb_uuid *out);
int media_parent_uuid(const struct medium *m, struct vb_uuid *out);
/* True for an ISO 9660 / UDF image. */
bool media_is_iso(const struct medium *m);

#endif
