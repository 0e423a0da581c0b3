/*
 * Fuzzer for VMDK images: header and table validation, reads, writes and
 * flushes of whatever the input claims to be.
 */
#include "fuzz-media-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mfs *fs = mfs_mem_new();

	if (!fs)
		return 0;
	fz_image(fs, "VMDK", "f.vmdk", data, size);
	fs->ops->free(fs);
	return 0;
}
