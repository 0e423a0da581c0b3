/*
 * Writer of stream-optimized VMDK extents (vmdk-stream.c).
 */
#ifndef VB_MEDIA_VMDK_STREAM_H
#define VB_MEDIA_VMDK_STREAM_H

#include "lib/media/media-int.h"

struct vmdk_stream;

/* hdr: the extent's header (copied into the footer at the end). */
struct vmdk_stream *vmdk_stream_new(struct mfile *f, const uint8_t *hdr,
				    uint64_t capacity, uint64_t grain,
				    uint32_t gtes, uint64_t overhead);
/* Data at byte offset off of the extent; offsets must not go back to a
 * grain already completed (-EINVAL, VirtualBox's invalid write). */
int vmdk_stream_write(struct vmdk_stream *s, uint64_t off, const void *buf,
		      size_t len);
/* Write the remaining grains, the tables, the footer and the end-of-
 * stream marker; later writes fail.  Idempotent. */
int vmdk_stream_finish(struct vmdk_stream *s);
/* Finishes (ignoring errors) and frees. */
void vmdk_stream_free(struct vmdk_stream *s);

#endif
