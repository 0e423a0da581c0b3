/*
 * Fuzzer for VDI images: header and table validation, reads, writes and
 * flushes of whatever the input claims to be.
 */
#include "fuzz-media-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mfs *fs = mfs_mem_new();

	if (!fs)
		return 0;
	fz_image(fs, "VDI", "f.vdi", data, size);
	fs->ops->free(fs);
	return 0;
}
