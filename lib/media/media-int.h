/*
 * lib/media internals: the backing-file interface, the format driver
 * table and the per-image state that drivers share with the generic
 * layer (media.c).  Only lib/media, its unit tests and its fuzzers
 * include this header.
 *
 * Layering:
 *   media.c       public API, probing, chains, unaligned I/O, locking
 *   backing.c     struct mfs / struct mfile: POSIX files and in-memory
 *                 files (tests, fuzzers) with injectable I/O errors
 *   raw.c iso.c vdi.c vmdk*.c vhd.c   one driver per format
 *   copy.c        clone / convert engine
 *
 * Drivers see only 512-byte aligned offsets and lengths inside the
 * virtual disk; media.c splits and pads everything else.
 */
#ifndef VB_MEDIA_INT_H
#define VB_MEDIA_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "lib/media/media.h"
#include "lib/util/checked.h"
#include "lib/util/strbuf.h"

#define MEDIA_SECTOR            512u
#define MEDIA_MAX_CHAIN         256     /* differencing depth we follow */
/* Upper bound for metadata we keep in memory for one image (maps, tables,
 * descriptors).  A header asking for more is refused as hostile. */
#define MEDIA_META_MAX          (512u << 20)

/* ------------------------------------------------------------------ */
/* Backing files                                                       */

struct mfile;
struct mfs;

struct mfile_ops {
	/* Read up to len bytes at off; returns bytes read (short only at
	 * end of file) or a negative errno. */
	ssize_t (*pread)(struct mfile *f, void *buf, size_t len, uint64_t off);
	/* Write all of buf at off (the file grows as needed). */
	int (*pwrite)(struct mfile *f, const void *buf, size_t len,
		      uint64_t off);
	int (*size)(struct mfile *f, uint64_t *out);
	int (*truncate)(struct mfile *f, uint64_t size);
	/* Make written data durable. */
	int (*sync)(struct mfile *f);
	/* Reserve space for [0, size) (fixed images); may be NULL. */
	int (*reserve)(struct mfile *f, uint64_t size);
	/* Bytes the file really occupies (for sparse files), may be NULL. */
	int (*allocated)(struct mfile *f, uint64_t *out);
	void (*close)(struct mfile *f);
};

struct mfile {
	const struct mfile_ops *ops;
	struct mfs *fs;
};

#define MF_RDONLY   0x0
#define MF_RDWR     0x1
#define MF_CREATE   0x2     /* create; fails with -EEXIST if present */
#define MF_TRUNC    0x4     /* with MF_CREATE: replace an existing file */
#define MF_LOCK_SH  0x8     /* shared lock, -EBUSY when write-locked */
#define MF_LOCK_EX  0x10    /* exclusive lock, -EBUSY when locked */

struct mfs_ops {
	int (*open)(struct mfs *fs, const char *path, unsigned flags,
		    struct mfile **out);
	int (*remove)(struct mfs *fs, const char *path);
	int (*rename)(struct mfs *fs, const char *from, const char *to);
	bool (*exists)(struct mfs *fs, const char *path);
	void (*free)(struct mfs *fs);
};

struct mfs {
	const struct mfs_ops *ops;
};

/* The host file system (a static object; free is a no-op). */
struct mfs *mfs_posix(void);

/* In-memory file system for tests and fuzzers. */
struct mfs *mfs_mem_new(void);
/* Add (or replace) a file with a copy of data. 0 or -ENOMEM. */
int mfs_mem_put(struct mfs *fs, const char *path, const void *data,
		size_t len);
/* Lend the current contents of a file; NULL if absent. */
const uint8_t *mfs_mem_get(struct mfs *fs, const char *path, size_t *len);
/* Error injection: after `ops` more successful operations (pread, pwrite,
 * truncate, sync, reserve, open), fail the next one with -EIO; with
 * sticky, every later one fails too.  ops < 0 disables it. */
void mfs_mem_fail_after(struct mfs *fs, long ops, bool sticky);
/* Operations performed so far (to enumerate injection points). */
long mfs_mem_op_count(struct mfs *fs);
/* Record the operations done from now on (tests of write ordering). */
struct mfs_trace_op {
	char op;                /* 'r' read, 'w' write, 't' truncate, 's' sync */
	uint64_t off, len;
	char file[64];
};
void mfs_mem_trace(struct mfs *fs, bool on);
/* The recorded operations (lent until the next operation or trace). */
const struct mfs_trace_op *mfs_mem_trace_ops(struct mfs *fs, size_t *n);
/* Limit any file's size (to simulate a full disk, -ENOSPC). 0 = none. */
void mfs_mem_set_limit(struct mfs *fs, uint64_t max_file_size);

static inline ssize_t mf_pread_some(struct mfile *f, void *buf, size_t len,
				    uint64_t off)
{
	return f->ops->pread(f, buf, len, off);
}

/* Read exactly len bytes or fail (-EIO for a short read). */
int mf_pread(struct mfile *f, void *buf, size_t len, uint64_t off);
/* Read len bytes; the part past end of file reads as zeros. */
int mf_pread_zero(struct mfile *f, void *buf, size_t len, uint64_t off);
int mf_pwrite(struct mfile *f, const void *buf, size_t len, uint64_t off);
int mf_size(struct mfile *f, uint64_t *out);
int mf_truncate(struct mfile *f, uint64_t size);
int mf_sync(struct mfile *f);
void mf_close(struct mfile *f);

/* ------------------------------------------------------------------ */
/* Drivers                                                             */

/* Block status answers of a driver. */
#define MST_DATA    1   /* this image holds the data */
#define MST_ZERO    2   /* reads as zeros, the parent is not consulted */
#define MST_UNALLOC 3   /* not here: the parent's data (zeros for a base) */

/* MediumFormatCapabilities (API values). */
#define MCAP_UUID           0x001
#define MCAP_CREATE_FIXED   0x002
#define MCAP_CREATE_DYNAMIC 0x004
#define MCAP_CREATE_SPLIT2G 0x008
#define MCAP_DIFFERENCING   0x010
#define MCAP_ASYNC          0x020
#define MCAP_FILE           0x040
#define MCAP_PROPERTIES     0x080
#define MCAP_TCP            0x100
#define MCAP_VFS            0x200
#define MCAP_DISCARD        0x400
#define MCAP_PREFERRED      0x800

struct media_driver {
	const char *name;           /* "VDI", as VirtualBox names the back-end */
	unsigned caps;              /* MCAP_* */
	const char *const *exts;    /* file extensions, NULL-terminated */
	/* Confidence that f holds this format, 0 (no) .. 100. */
	int (*probe)(struct mfile *f, uint64_t size, const char *path);
	/* Parse the image whose main file is m->file. */
	int (*open)(struct medium *m, struct vb_error *err);
	/* Write a new image at m->path (m->fs), fill m's fields. */
	int (*create)(struct medium *m, const struct media_create_opts *o,
		      struct vb_error *err);
	/* State of [off, off+len): returns MST_* and sets *n (>= 512, a
	 * multiple of 512, <= len) to the length with that same state. */
	int (*status)(struct medium *m, uint64_t off, uint64_t len,
		      uint64_t *n);
	/* Read a range the driver reported as MST_DATA. */
	int (*read)(struct medium *m, uint64_t off, void *buf, size_t len);
	int (*write)(struct medium *m, uint64_t off, const void *buf,
		     size_t len);
	/* Make everything durable: sync the data, then write dirty maps
	 * and (when m->meta_dirty) the header fields kept in struct medium
	 * (UUIDs, comment, geometry), then sync again. */
	int (*flush)(struct medium *m);
	/* Which struct medium fields the format stores (MMETA_*). */
	unsigned meta;
	int (*resize)(struct medium *m, uint64_t size, struct vb_error *err);
	int (*compact)(struct medium *m, media_progress_fn progress,
		       void *pctx, struct vb_error *err);
	/* Mark a range as unused (VDI discard); may be NULL. */
	int (*discard)(struct medium *m, uint64_t off, uint64_t len);
	/* Text for "internalcommands dumphdinfo"; appended to sb. */
	void (*dump)(struct medium *m, struct strbuf *sb);
	/* Every file of the image (descriptor first).  Allocated array of
	 * allocated strings, NULL-terminated. */
	char **(*files)(struct medium *m);
	/* Move the image to new_path (files renamed, references inside the
	 * image rewritten); NULL: the generic single-file rename. */
	int (*rename)(struct medium *m, const char *new_path,
		      struct vb_error *err);
	/* Release driver state (after a final flush by media.c). */
	void (*close)(struct medium *m);
};

#define MMETA_UUID          0x01
#define MMETA_MODIFY_UUID   0x02
#define MMETA_PARENT_UUID   0x04
#define MMETA_PARENT_MODIFY 0x08
#define MMETA_COMMENT       0x10
#define MMETA_PCHS          0x20
#define MMETA_LCHS          0x40

extern const struct media_driver media_drv_vmdk;
extern const struct media_driver media_drv_vdi;
extern const struct media_driver media_drv_vhd;
extern const struct media_driver media_drv_raw;

/* The table, in VirtualBox's probe order, NULL-terminated. */
extern const struct media_driver *const media_formats[];

/* ------------------------------------------------------------------ */
/* An open image                                                       */

struct medium {
	const struct media_driver *drv;
	struct mfs *fs;
	char *path;                 /* as opened (absolute for POSIX) */
	struct mfile *file;         /* main file (descriptor for VMDK) */
	unsigned flags;             /* MEDIA_RDONLY / MEDIA_RDWR ... */
	uint64_t size;              /* virtual size in bytes */
	unsigned variant;           /* MEDIA_VARIANT_* */
	bool iso;                   /* RAW content is ISO 9660 / UDF */

	bool has_uuid;              /* format stores UUIDs */
	bool uuid_missing;          /* ... but this image has none yet */
	struct vb_uuid uuid;
	struct vb_uuid modify_uuid;
	struct vb_uuid parent_uuid; /* zero for a base image */
	struct vb_uuid parent_modify_uuid;
	char *comment;              /* description, or NULL */
	struct media_geometry pchs, lchs;

	struct medium *parent;      /* opened chain, read-only below */
	char *parent_hint;          /* parent path stored in the image, or NULL */
	unsigned depth;             /* 0 for the image opened by the user */
	bool modified;              /* written since open */
	bool meta_dirty;            /* write_meta needed at flush */

	/* Shared for guest I/O, exclusive for resize/compact/metadata. */
	pthread_rwlock_t lock;
	/* Serialises read-modify-write of partial sectors. */
	pthread_mutex_t rmw_lock;

	void *priv;                 /* driver state */
};

/* Read [off, off+len) of the chain below m (zeros where there is none).
 * Aligned to 512. */
int media_read_below(struct medium *m, uint64_t off, void *buf, size_t len);
/* The generic aligned read of one image and its chain. */
int media_chain_read(struct medium *m, uint64_t off, void *buf, size_t len);

/* True when all len bytes are zero (fast). */
bool media_is_zero(const void *buf, size_t len);

/* Directory of the image (allocated) and a sibling path. */
char *media_sibling(const struct medium *m, const char *name);

/* ISO 9660 / UDF volume recognition on a raw file of the given size. */
bool media_iso_detect(struct mfile *f, uint64_t size);

/* Little/big-endian field access. */
static inline uint16_t le16(const void *p)
{
	const uint8_t *b = p;

	return (uint16_t)(b[0] | b[1] << 8);
}

static inline uint32_t le32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static inline uint64_t le64(const void *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32((const uint8_t *)p + 4) << 32;
}

static inline uint16_t be16(const void *p)
{
	const uint8_t *b = p;

	return (uint16_t)(b[0] << 8 | b[1]);
}

static inline uint32_t be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

static inline uint64_t be64(const void *p)
{
	return (uint64_t)be32(p) << 32 | be32((const uint8_t *)p + 4);
}

static inline void put_le16(void *p, uint16_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

static inline void put_le32(void *p, uint32_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

static inline void put_le64(void *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32((uint8_t *)p + 4, (uint32_t)(v >> 32));
}

static inline void put_be16(void *p, uint16_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static inline void put_be32(void *p, uint32_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static inline void put_be64(void *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32((uint8_t *)p + 4, (uint32_t)v);
}

static inline bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

#endif
