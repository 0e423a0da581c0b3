/*
 * Optical image recognition: ISO 9660 (ECMA-119 8.1, volume descriptor
 * set starting at logical sector 16 of 2048 bytes) and UDF (ECMA-167
 * 2/9.1, volume recognition sequence BEA01 NSR02/NSR03 TEA01 in the same
 * place).  VirtualBox's RAW back-end uses the same test to decide that a
 * file is a DVD image: the size must be a multiple of 2048 and larger than
 * 32 KiB, and at most 32 descriptors are looked at.
 *
 * Subset: recognition only; the image itself is read as raw sectors.
 */
#include <string.h>

#include "lib/media/media-int.h"

#define ISO_SECTOR      2048u
#define ISO_VDS_START   (16u * ISO_SECTOR)
#define ISO_MAX_DESC    32u

static bool iso9660_set(struct mfile *f, uint64_t size)
{
	unsigned i, primaries = 0;
	uint8_t d[8];

	for (i = 0; i < ISO_MAX_DESC; i++) {
		uint64_t off = ISO_VDS_START + (uint64_t)i * ISO_SECTOR;

		if (off + ISO_SECTOR > size || mf_pread(f, d, sizeof(d), off))
			return false;
		if (memcmp(d + 1, "CD001", 5) || d[6] != 1)
			return false;
		switch (d[0]) {
		case 0:         /* boot record */
		case 2:         /* supplementary / enhanced */
		case 3:         /* partition */
			break;
		case 1:
			if (++primaries > 2)
				return false;
			break;
		case 255:       /* set terminator */
			return primaries > 0;
		default:
			return false;
		}
	}
	return false;
}

static bool udf_sequence(struct mfile *f, uint64_t size)
{
	unsigned i;
	bool bea = false, nsr = false;
	uint8_t d[8];

	for (i = 0; i < ISO_MAX_DESC; i++) {
		uint64_t off = ISO_VDS_START + (uint64_t)i * ISO_SECTOR;

		if (off + ISO_SECTOR > size || mf_pread(f, d, sizeof(d), off))
			return false;
		if (!memcmp(d + 1, "CD001", 5))
			continue;   /* bridge media: ISO descriptors first */
		if (d[0] != 0)
			return false;
		if (!memcmp(d + 1, "BEA01", 5)) {
			bea = true;
		} else if (!memcmp(d + 1, "NSR02", 5) ||
			   !memcmp(d + 1, "NSR03", 5)) {
			if (!bea)
				return false;
			nsr = true;
		} else if (!memcmp(d + 1, "TEA01", 5)) {
			return bea && nsr;
		} else if (!memcmp(d + 1, "BOOT2", 5)) {
			continue;
		} else {
			return false;
		}
	}
	return false;
}

bool media_iso_detect(struct mfile *f, uint64_t size)
{
	uint8_t d[8];
	uint64_t off = ISO_VDS_START;

	if (size % ISO_SECTOR || size <= ISO_VDS_START)
		return false;
	if (mf_pread(f, d, sizeof(d), off))
		return false;
	if (!memcmp(d + 1, "CD001", 5) && iso9660_set(f, size))
		return true;
	return udf_sequence(f, size);
}
