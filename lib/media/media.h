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
 * the implementation serialises metadata updates itself.  Resize, compact
 * and the metadata setters wait for I/O in flight and block new I/O.
 */
#ifndef VB_MEDIA_H
#define VB_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/util/error.h"
#include "lib/util/uuid.h"

struct medium;
struct mfs;             /* backing file system, media-int.h */

#define MEDIA_RDONLY    0x0
#define MEDIA_RDWR      0x1
/* Open flags beyond the access mode (media_open_opts.flags). */
#define MEDIA_NO_PARENT 0x100   /* do not open the parent chain */
#define MEDIA_NOLOCK    0x400   /* take no lock (looking at an image in use) */

/* How a differencing image finds its parent: given the parent's UUID,
 * return its path (allocated) or a negative errno.  NULL resolver: only
 * the location hints stored in the image itself are used. */
typedef int (*media_parent_fn)(void *ctx, const struct vb_uuid *parent,
			       char **path);

/* Progress of long operations, 0..100. */
typedef void (*media_progress_fn)(void *ctx, unsigned percent);

/* Open an image of any supported format (probed by content), with its
 * parent chain for differencing images.  Reads of unallocated areas
 * return the parent's data or zeros. */
int media_open(const char *path, unsigned flags, media_parent_fn resolve,
	       void *ctx, struct medium **out, struct vb_error *err);
/* Flushes (when writable) and frees the whole chain. */
void media_close(struct medium *m);

/* The same with every knob. */
struct media_open_opts {
	unsigned flags;             /* MEDIA_RDONLY/RDWR | MEDIA_NO_PARENT ... */
	const char *format;         /* force a format ("RAW"), NULL = probe */
	media_parent_fn resolve;
	void *ctx;
	struct mfs *fs;             /* NULL = host files (media-int.h) */
};
int media_open_ex(const char *path, const struct media_open_opts *o,
		  struct medium **out, struct vb_error *err);

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

/* ------------------------------------------------------------------ */
/* Image properties                                                    */

/* MediumVariant bits (VirtualBox API values). */
#define MEDIA_VARIANT_STANDARD     0x0
#define MEDIA_VARIANT_SPLIT2G      0x1
#define MEDIA_VARIANT_RAWDISK      0x2
#define MEDIA_VARIANT_STREAM       0x4
#define MEDIA_VARIANT_ESX          0x8
#define MEDIA_VARIANT_ZERO_EXPAND  0x100
#define MEDIA_VARIANT_FIXED        0x10000
#define MEDIA_VARIANT_DIFF         0x20000
#define MEDIA_VARIANT_FORMATTED    0x20000000
#define MEDIA_VARIANT_NOCREATEDIR  0x40000000

struct media_geometry {
	uint32_t cylinders, heads, sectors;
};

unsigned media_variant(const struct medium *m);
/* "dynamic default", "fixed split2G", ... as showmediuminfo prints. */
const char *media_variant_string(unsigned variant, char *buf, size_t size);
int media_modify_uuid(const struct medium *m, struct vb_uuid *out);
int media_parent_modify_uuid(const struct medium *m, struct vb_uuid *out);
/* Description stored in the image (lent), or NULL. */
const char *media_comment(const struct medium *m);
/* Stored geometries (zero = not set). */
void media_geometry(const struct medium *m, struct media_geometry *pchs,
		    struct media_geometry *lchs);
/* The parent in the opened chain, or NULL. */
struct medium *media_parent(const struct medium *m);
/* Path the image was opened with (lent). */
const char *media_path(const struct medium *m);
/* Sum of the lengths of all files of the image, in bytes. */
uint64_t media_file_size(struct medium *m);
/* Every file of the image, descriptor first: allocated NULL-terminated
 * array of allocated strings (free with media_free_list). */
char **media_files(struct medium *m);
void media_free_list(char **list);
/* MediumFormatCapabilities of a format name, 0 if unknown. */
unsigned media_format_caps(const char *format);
/* Canonical name of a format given case-insensitively ("vdi" -> "VDI"),
 * NULL if unknown. */
const char *media_format_name(const char *format);
/* Default file extension of a format ("vdi"), lent. */
const char *media_format_ext(const char *format);
/* The i-th back-end in probe order ("VMDK", "VDI", ...), NULL past the
 * last one. */
const char *media_format_at(unsigned i);
/* The i-th file extension of a format and the kind of medium it names
 * (0 hard disk, 1 DVD, 2 floppy); NULL past the last one. */
const char *media_format_ext_at(const char *format, unsigned i, int *kind);
/* Configuration properties of a back-end (IMediumFormat properties). */
struct media_property {
	const char *name;
	const char *def;            /* default value shown, "" if none */
	const char *type;           /* "int", "string" */
	unsigned flags;             /* VD_CFGKEY_* as VirtualBox reports */
};
/* NULL-name-terminated table (never NULL) for a format name. */
const struct media_property *media_format_props(const char *format);

/* Who holds an image file: 0 nobody, 1 readers, 2 a writer, or -errno. */
int media_lock_state(const char *path);
/* Probe a file: canonical format name, or NULL when unreadable. */
const char *media_probe(const char *path, bool *is_iso, struct vb_error *err);

/* ------------------------------------------------------------------ */
/* Changing images                                                     */

struct media_create_opts {
	const char *format;         /* "VDI", "VMDK", "VHD", "RAW" */
	unsigned variant;           /* MEDIA_VARIANT_* */
	uint64_t size;              /* bytes (ignored for differencing) */
	const struct vb_uuid *uuid; /* NULL: a random one */
	struct medium *parent;      /* differencing: the open parent */
	struct media_geometry pchs, lchs;
	uint32_t block_size;        /* VDI AllocationBlockSize, 0 = default */
	const char *comment;        /* description stored in the image */
	struct mfs *fs;             /* NULL = host files */
};

/* Create a new image (the file must not exist) and return it opened
 * read-write.  A failed create removes what it wrote. */
int media_create(const char *path, const struct media_create_opts *o,
		 struct medium **out, struct vb_error *err);

/* Metadata kept in the image (VDI, VMDK, VHD).  RAW: -ENOTSUP. */
int media_set_uuid(struct medium *m, const struct vb_uuid *u,
		   struct vb_error *err);
int media_set_parent_uuid(struct medium *m, const struct vb_uuid *u,
			  struct vb_error *err);
int media_set_modify_uuid(struct medium *m, const struct vb_uuid *u,
			  struct vb_error *err);
int media_set_parent_modify_uuid(struct medium *m, const struct vb_uuid *u,
				 struct vb_error *err);
int media_set_comment(struct medium *m, const char *text,
		      struct vb_error *err);
int media_set_geometry(struct medium *m, const struct media_geometry *pchs,
		       const struct media_geometry *lchs, struct vb_error *err);

/* Grow the virtual size (shrinking is refused). */
int media_resize(struct medium *m, uint64_t size, media_progress_fn progress,
		 void *pctx, struct vb_error *err);
/* Give back blocks that read as zeros (or equal the parent). */
int media_compact(struct medium *m, media_progress_fn progress, void *pctx,
		  struct vb_error *err);
/* Discard a range (guest TRIM): whole unused blocks are given back.
 * -ENOTSUP for formats without discard (only VDI has it). */
int media_discard(struct medium *m, uint64_t off, uint64_t len);

/* Copy the whole virtual content of src (with its chain) into dst, which
 * is new or empty enough to be overwritten.  Ranges unallocated in the
 * whole source chain are skipped when dst reads zeros there already
 * (dst_fresh), all-zero ranges likewise.  When dst is smaller than src
 * the copy stops at dst's size. */
int media_copy(struct medium *src, struct medium *dst, bool dst_fresh,
	       media_progress_fn progress, void *pctx, struct vb_error *err);

/* Geometries a copy of src gets (VirtualBox's rules for VDCopy): the
 * source PCHS if valid, else C/16/63; the source LCHS with its
 * cylinders recomputed, or nothing. */
void media_clone_geometry(const struct medium *src, uint64_t size,
			  struct media_geometry *pchs,
			  struct media_geometry *lchs);

/* Merging neighbours of a differencing chain (snapshot deletion; both
 * images are opened by path without their chains, merge.c):
 * media_merge_down writes the child's own blocks into its parent (which
 * then stands in for the child); media_merge_up writes the parent's own
 * blocks into the child where it has none and makes new_parent (with its
 * modification UUID) the child's parent.  Never used on a base parent
 * with media_merge_up. */
int media_merge_down(const char *child, const char *parent,
		     media_progress_fn progress, void *pctx,
		     struct vb_error *err);
int media_merge_up(const char *parent, const char *child,
		   const struct vb_uuid *new_parent,
		   const struct vb_uuid *new_parent_modify,
		   media_progress_fn progress, void *pctx,
		   struct vb_error *err);
/* Copy only the blocks the image at src holds itself (not its parent's)
 * into dst (cloning a differencing image onto a cloned parent). */
int media_copy_own(const char *src, struct medium *dst,
		   media_progress_fn progress, void *pctx,
		   struct vb_error *err);

/* Remove every file of an image given by path (any format). */
int media_delete(const char *path, struct vb_error *err);
/* Move/rename all files of an image (VMDK rewrites its extent names). */
int media_move(struct medium *m, const char *new_path, struct vb_error *err);

/* Write an empty FAT12/16/32 file system over the whole medium (no
 * partition table); quick: only the metadata area is zeroed. */
int media_format_fat(struct medium *m, bool quick, struct vb_error *err);

/* Human dump of the header and maps ("dumphdinfo"), allocated text. */
char *media_dump(struct medium *m);

/* IPRT status name for a negative errno ("VERR_FILE_NOT_FOUND"). */
const char *media_vbox_status(int neg_errno);

/* True when all len bytes are zero. */
bool media_buf_is_zero(const void *buf, size_t len);

#endif
