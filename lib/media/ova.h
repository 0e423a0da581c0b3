/*
 * Appliance packages: OVA archives (a tar holding the descriptor, the
 * disk images and the manifest) and manifests (.mf digests).
 *
 * Reading uses libarchive and refuses anything but plain files with plain
 * relative names; writing produces POSIX.1-1988 ustar entries as
 * VirtualBox does and lets disk images be written straight into the
 * archive (no temporary copy).
 */
#ifndef VB_MEDIA_OVA_H
#define VB_MEDIA_OVA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/util/error.h"

struct mfs;

/* ------------------------------------------------------------------ */
/* Digests and manifests                                               */

enum ova_digest { OVA_MD5, OVA_SHA1, OVA_SHA256, OVA_SHA512, OVA_NDIGESTS };
#define OVA_DIGEST_BIT(d)   (1u << (d))
#define OVA_HEX_MAX         129         /* SHA-512 in hex + NUL */

/* Incremental digests of several kinds at once (mask of OVA_DIGEST_BIT). */
struct ova_hash;
struct ova_hash *ova_hash_new(unsigned mask);
void ova_hash_update(struct ova_hash *h, const void *data, size_t len);
/* Lower-case hex of one kind (must be in the mask), into out. */
void ova_hash_hex(struct ova_hash *h, enum ova_digest d,
		  char out[OVA_HEX_MAX]);
void ova_hash_free(struct ova_hash *h);
/* Digest a whole file (or [off, off+len) of it when len != UINT64_MAX). */
int ova_hash_file(const char *path, uint64_t off, uint64_t len,
		  struct ova_hash *h, struct vb_error *err);

/* "SHA1", "SHA256"... as manifests write them. */
const char *ova_digest_name(enum ova_digest d);

struct ova_mf_entry {
	char *name;
	enum ova_digest type;
	char hex[OVA_HEX_MAX];
};

struct ova_manifest {
	struct ova_mf_entry *e;
	unsigned n, cap;
};

/* Parse "ALGO (file) = hex" lines.  mf_name and pkg (the appliance) are
 * used in messages. */
int ova_manifest_parse(const char *data, size_t len, const char *mf_name,
		       const char *pkg, struct ova_manifest *out,
		       struct vb_error *err);
int ova_manifest_add(struct ova_manifest *m, const char *name,
		     enum ova_digest type, const char *hex);
/* The text VirtualBox writes: "SHA1 (name) = hex\n" per entry. */
char *ova_manifest_format(const struct ova_manifest *m);
/* Kinds of digest used by the entries (mask). */
unsigned ova_manifest_types(const struct ova_manifest *m);
/*
 * Compare theirs (the package's manifest) with ours (what we computed):
 * every entry both have must agree in every digest kind both have; an
 * entry of ours that theirs lacks is an error, except `optional` (the
 * descriptor, whose digest VirtualBox supplies when it is missing).
 * VirtualBox's messages ("Digest mismatch (VERR_NOT_EQUAL): ...").
 */
int ova_manifest_verify(const struct ova_manifest *theirs,
			const struct ova_manifest *ours, const char *optional,
			struct vb_error *err);
void ova_manifest_release(struct ova_manifest *m);

/* ------------------------------------------------------------------ */
/* Reading                                                             */

struct ova_reader;

int ova_open(const char *path, struct ova_reader **out, struct vb_error *err);
/* Next entry: 1 with *name (lent until the next call) and *size, 0 at
 * the end, or a negative errno.  Entries that are not regular files, or
 * whose names are absolute, contain "..", backslashes or control
 * characters, are refused with VirtualBox-style messages. */
int ova_next(struct ova_reader *r, const char **name, uint64_t *size,
	     struct vb_error *err);
/* Read the current entry's data: bytes read, 0 at its end, or -errno. */
ssize_t ova_read(struct ova_reader *r, void *buf, size_t len,
		 struct vb_error *err);
/* Copy the rest of the current entry to a new file (mode 0600), with the
 * digests in h (may be NULL); refuses more than max bytes. */
int ova_extract(struct ova_reader *r, const char *dst, struct ova_hash *h,
		uint64_t max, struct vb_error *err);
void ova_close(struct ova_reader *r);

/* ------------------------------------------------------------------ */
/* Writing                                                             */

struct ova_writer;

/* Create the archive (the file must not exist).  owner/group are the
 * names VirtualBox puts in the headers ("vboxovf10", "vbox_v7.0.26r1"). */
int ova_writer_open(const char *path, const char *owner, const char *group,
		    struct ova_writer **out, struct vb_error *err);
/* A whole entry from memory. */
int ova_add_buffer(struct ova_writer *w, const char *name, const void *data,
		   size_t len, struct vb_error *err);
/* A whole entry copied from a file (ISO images). */
int ova_add_file(struct ova_writer *w, const char *name, const char *src,
		 struct vb_error *err);
/* Start an entry whose content is written through the returned file
 * system: media_create(name, {.fs = fs}) etc.  The entry's size is what
 * was written when ova_entry_end() is called. */
struct mfs *ova_entry_begin(struct ova_writer *w, const char *name,
			    struct vb_error *err);
int ova_entry_end(struct ova_writer *w, struct vb_error *err);
/* Digest the data of the entry ended last (for the manifest). */
int ova_last_entry_hash(struct ova_writer *w, struct ova_hash *h,
			struct vb_error *err);
/* End of archive, fsync, close.  On failure the file is removed. */
int ova_writer_finish(struct ova_writer *w, struct vb_error *err);
/* Give up: close and remove the file. */
void ova_writer_abort(struct ova_writer *w);

#endif
