/*
 * Fuzzer for the VMDK text descriptor: parsing, key lookups and edits,
 * the text round trip, and opening it as an image whose extent files
 * (a flat one and a sparse one) exist in memory.
 */
#include "fuzz-media-common.h"
#include "lib/media/vmdk-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t flat[65536];
	struct vmdk_desc d;
	struct mfs *fs;
	char why[200];

	if (vmdk_desc_parse(&d, (const char *)data, size, why,
			    sizeof(why)) == 0) {
		size_t len;
		char *v = vmdk_desc_get(&d, "ddb.uuid.image"), *t;

		free(v);
		vmdk_desc_set(&d, "ddb.comment", "fuzz", true);
		vmdk_desc_set(&d, "CID", "12345678", false);
		vmdk_desc_set_extents(&d);
		t = vmdk_desc_text(&d, &len);
		if (t) {
			struct vmdk_desc d2;

			if (vmdk_desc_parse(&d2, t, len, why, sizeof(why)) == 0)
				vmdk_desc_release(&d2);
			free(t);
		}
		vmdk_desc_release(&d);
	}
	fs = mfs_mem_new();
	if (!fs)
		return 0;
	mfs_mem_put(fs, "d-flat.vmdk", flat, sizeof(flat));
	mfs_mem_put(fs, "d-f001.vmdk", flat, sizeof(flat));
	fz_image(fs, "VMDK", "d.vmdk", data, size);
	fs->ops->free(fs);
	return 0;
}
