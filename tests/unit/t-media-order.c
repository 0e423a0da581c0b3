/*
 * Crash ordering: after a write that allocates, the map entry that makes
 * the new data reachable (VDI block map, VHD BAT, VMDK grain table) must
 * reach the file only after the data was written and synced.
 */
#include "t-media-helpers.h"

static void check_order(const char *fmt, const char *name, uint64_t map_lo,
			uint64_t map_hi)
{
	struct mfs *fs = mfs_mem_new();
	struct medium *m = tm_create(fs, fmt, name, 8 * MiB, 0, NULL);
	const struct mfs_trace_op *ops;
	uint8_t data[65536];
	size_t n, i, data_at = SIZE_MAX, sync_at = SIZE_MAX, map_at = SIZE_MAX;

	T_OK(media_flush(m));
	tm_pattern(data, sizeof(data), 3);
	mfs_mem_trace(fs, true);
	T_OK(media_write(m, MiB, data, sizeof(data)));
	T_OK(media_flush(m));
	ops = mfs_mem_trace_ops(fs, &n);
	for (i = 0; i < n; i++) {
		if (ops[i].op == 'w' && ops[i].len >= sizeof(data))
			data_at = i;
		if (ops[i].op == 's' && data_at != SIZE_MAX && sync_at == SIZE_MAX)
			sync_at = i;
		if (ops[i].op == 'w' && ops[i].off < map_hi &&
		    ops[i].off + ops[i].len > map_lo && map_at == SIZE_MAX)
			map_at = i;
	}
	mfs_mem_trace(fs, false);
	T_ASSERT(data_at != SIZE_MAX);
	T_ASSERT(map_at != SIZE_MAX);
	T_ASSERT(sync_at != SIZE_MAX);
	T_ASSERT(data_at < sync_at);
	T_ASSERT(sync_at < map_at);
	/* and the metadata is synced before flush returns */
	T_ASSERT(ops[n - 1].op == 's');
	media_close(m);
	fs->ops->free(fs);
}

void test_media_order__vdi_map_after_data(void)
{
	check_order("VDI", "o.vdi", MiB, MiB + 4 * 8);
}

void test_media_order__vhd_bat_after_data(void)
{
	check_order("VHD", "o.vhd", 0x600, 0x600 + 4 * 4);
}

void test_media_order__vmdk_gt_after_data(void)
{
	/* 8 MiB: RGD at sector 21, RGT 22-25, GD 26, GT 27-30 */
	check_order("VMDK", "o.vmdk", 22 * 512, 31 * 512);
}
