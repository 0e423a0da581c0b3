/*
 * VMDK internals shared by vmdk.c (extents, sparse and flat I/O, create),
 * vmdk-desc.c (the text descriptor) and vmdk-stream.c (stream-optimized
 * writing with parallel compression).  See vmdk.c for the format notes.
 */
#ifndef VB_MEDIA_VMDK_INT_H
#define VB_MEDIA_VMDK_INT_H

#include "lib/media/media-int.h"

#define VMDK_MAGIC          0x564D444Bu     /* "KDMV" */
#define VMDK_HDR_SIZE       512u
#define VMDK_GD_AT_END      UINT64_MAX
#define VMDK_DESC_MAX       (20480ull * 512)    /* 10 MiB */
#define VMDK_DESC_LINES_MAX 1100
#define VMDK_FLAG_NL        0x1u
#define VMDK_FLAG_RGD       0x2u
#define VMDK_FLAG_ZERO_GTE  0x4u
#define VMDK_FLAG_COMPRESS  0x10000u
#define VMDK_FLAG_MARKERS   0x20000u
#define VMDK_MARKER_EOS     0
#define VMDK_MARKER_GT      1
#define VMDK_MARKER_GD      2
#define VMDK_MARKER_FOOTER  3

/* ---- descriptor ---- */

enum vmdk_access { VA_RW, VA_RDONLY, VA_NOACCESS };
enum vmdk_etype { VE_SPARSE, VE_FLAT, VE_ZERO, VE_VMFS };

struct vmdk_desc_extent {
	enum vmdk_access access;
	uint64_t sectors;
	enum vmdk_etype type;
	char *file;             /* NULL for ZERO */
	uint64_t offset;        /* FLAT: start sector in the file */
};

struct vmdk_desc {
	char **lines;           /* the text, one entry per line, no newline */
	size_t nlines, alines;
	struct vmdk_desc_extent *ext;
	size_t next;
	size_t first_extent_line, last_extent_line; /* for rewriting */
	bool has_extent_lines;
	size_t extent_anchor;   /* new descriptors: where extents go */
};

/* Parse descriptor text (len bytes, need not be NUL-terminated).
 * 0 or -EINVAL with a reason in err. */
int vmdk_desc_parse(struct vmdk_desc *d, const char *text, size_t len,
		    char *why, size_t whysz);
void vmdk_desc_release(struct vmdk_desc *d);
/* Value of a header key ("createType") or DDB key ("ddb.uuid.image"),
 * unquoted, allocated; NULL when absent. */
char *vmdk_desc_get(const struct vmdk_desc *d, const char *key);
/* Set a key in place (or add it to its section).  ddb.* keys are written
 * ddb.key="value", header keys key=value (quoted when quote). */
int vmdk_desc_set(struct vmdk_desc *d, const char *key, const char *value,
		  bool quote);
/* Rewrite the extent lines from d->ext. */
int vmdk_desc_set_extents(struct vmdk_desc *d);
/* The text, lines joined with "\n" and a final newline (allocated). */
char *vmdk_desc_text(const struct vmdk_desc *d, size_t *len);
/* Escape / unescape ddb.comment values (\\ \n \r). */
char *vmdk_comment_escape(const char *s);
char *vmdk_comment_unescape(const char *s);

/* ---- extents ---- */

struct vmdk_stream;
struct libdeflate_decompressor;

struct vmdk_ext {
	enum vmdk_etype type;       /* VE_VMFS is opened as VE_FLAT */
	enum vmdk_access access;
	uint64_t start, sectors;    /* virtual range, sectors */
	struct mfile *f;
	bool own_file;              /* false: the descriptor's file */
	uint64_t flat_off;          /* FLAT: bytes into the file */
	/* hosted sparse */
	uint8_t hdr[VMDK_HDR_SIZE];
	uint32_t version, flags, gtes, ngd;
	uint64_t capacity, grain, desc_off, desc_size;
	uint64_t rgd_off, gd_off, overhead;   /* sectors */
	uint16_t compress;
	bool compressed, markers;
	unsigned gshift;            /* log2(grain bytes) */
	uint32_t *gd, *rgd;
	uint32_t **gt;              /* cached tables, NULL = not loaded */
	uint8_t *gt_dirty;
	bool gd_dirty, any_dirty;
	uint64_t file_size;         /* at open */
	uint64_t next_sector;       /* where the next grain goes */
	pthread_mutex_t lock;
	/* inflated grain cache (compressed extents) */
	uint8_t *cache;
	uint64_t cache_grain;
	bool cache_valid;
	struct libdeflate_decompressor *dec;
	/* writer of a stream-optimized extent being created */
	struct vmdk_stream *ws;
};

/* A new descriptor for VirtualBox's create profile. */
int vmdk_desc_new(struct vmdk_desc *d, uint32_t cid, const char *create_type);

/* ---- the image (vmdk.c, vmdk-create.c) ---- */

#define VMDK_GRAIN_DEFAULT  128u            /* sectors: 64 KiB */
#define VMDK_GTES_DEFAULT   512u
#define VMDK_DESC_SECTORS   20u
#define VMDK_SPLIT_SECTORS  (2047ull * 2048) /* 2047 MiB */
#define VMDK_MAX_SPARSE     ((256ull << 40) - (64ull << 10))

struct vmdk {
	struct vmdk_desc desc;
	bool embedded;              /* descriptor inside extent 0's file */
	uint64_t desc_off, desc_cap;/* bytes (embedded) */
	struct vmdk_ext *ext;
	size_t next;
	bool desc_dirty;
	bool readonly_extents;
};

int vmdk_bad(struct medium *m, struct vb_error *err, const char *what);
int vmdk_write_gd(struct vmdk_ext *e);
int vmdk_desc_update(struct medium *m, struct vmdk *v);
int vmdk_desc_write(struct medium *m, struct vmdk *v);
int vmdk_flush(struct medium *m);
void vmdk_free(struct vmdk *v);
unsigned vmdk_variant_of(const char *create_type, bool has_parent);
int vmdk_create(struct medium *m, const struct media_create_opts *o,
		struct vb_error *err);
int vmdk_resize(struct medium *m, uint64_t size, struct vb_error *err);
char **vmdk_files(struct medium *m);
int vmdk_rename(struct medium *m, const char *new_path, struct vb_error *err);

#endif
