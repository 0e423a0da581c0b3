/*
 * Internal to lib/settings: the libxml2 side of struct snode, the document
 * object, the element-order schema and version rules.
 */
#ifndef VB_SETTINGS_INT_H
#define VB_SETTINGS_INT_H

#include <libxml/tree.h>

#include "lib/settings/settings.h"
#include "lib/util/strbuf.h"

#define SN(x)   ((struct snode *)(x))
#define XN(x)   ((xmlNode *)(x))

/* Largest settings file we agree to load. */
#define SETTINGS_MAX_FILE (64u << 20)

/* Parse a settings file's bytes.  Rejects DTDs and external entities. */
int sxml_parse(const char *data, size_t len, const char *path, xmlDoc **out,
	       struct vb_error *err);
/* The head of a settings file: root element and version, the first
 * <want_top> child of the root with its name and uuid attributes.  Read by
 * a full well-formedness parse that builds no tree (sxml_peek), with the
 * same errors as sxml_parse. */
struct sxml_head {
	const char *want_top;
	char root[64];
	bool have_root;
	int root_line;
	char *version;
	bool has_top;
	int top_line;
	char *name;
	char *uuid;
	int depth;
	bool oom;
};
int sxml_peek(const char *data, size_t len, const char *path,
	      const char *want_top, struct sxml_head *h, struct vb_error *err);
void sxml_head_release(struct sxml_head *h);
/* Serialise the way VirtualBox (libxml2, formatted) writes settings. */
int sxml_serialize(xmlDoc *doc, struct strbuf *out);
/* The position rank of child name under parent name, or -1. */
int schema_rank(const char *parent, const char *child);

struct sdoc {
	xmlDoc *xml;
	char *path;                 /* absolute path of the file */
	unsigned version_read;      /* minor of 1.x as read (0 = new file) */
	unsigned version;           /* working version (minor of 1.x) */
	unsigned version_loaded;    /* working version right after loading */
	char *version_string_read;  /* e.g. "1.12-linux" */
	bool future;                /* read a version newer than we know */
	bool is_new;                /* not on disk yet */
	enum sdoc_kind kind;
	char *clean_image;          /* the content before the first change */
	bool clean_pending;         /* unchanged since sdoc_mark_clean() */
};

/* Remember the current content as "unchanged" (after a locked reload).
 * The image to compare with is only made when the first change comes
 * (sdoc_before_change), so read-only users never serialise. */
void sdoc_mark_clean(struct sdoc *d);
/* Called by every snode mutator before it changes document x. */
void sdoc_before_change(xmlDoc *x);
/* Whether the content differs from the one remembered. */
bool sdoc_changed(struct sdoc *d);

/* Version-dependent machine file rules (bump.c). */
unsigned machine_needed_version(struct sdoc *d);
int machine_upgrade_layout(struct sdoc *d, unsigned from, unsigned to);
unsigned global_needed_version(struct sdoc *d);
/* Load-time conversions of old files (legacy.c), run on every document
 * after parsing: < 1.7 layouts are converted to 1.7, pre-1.9 DVD/floppy
 * drives are held as storage attachments, global paths are made absolute
 * against the home and legacy SystemProperties spellings replaced. */
int legacy_machine_load(struct sdoc *d, struct vb_error *err);
int legacy_global_load(struct sdoc *d, struct vb_error *err);
/* The < 1.7 conversions alone (called by the two above). */
int legacy_machine_convert(struct sdoc *d, struct vb_error *err);
int legacy_global_convert(struct sdoc *d, struct vb_error *err);
/* Whether one machine level's storage can be written in the pre-1.9
 * layout (one DVD drive at IDE 1:0, at most one floppy drive). */
bool legacy_storage_fits_pre19(const struct snode *level);
/* A copy of a machine document in the pre-1.9 layout (DVDDrive and
 * FloppyDrive in Hardware), for writing a file below 1.9. */
int legacy_machine_pre19_copy(struct sdoc *d, xmlDoc **out);
/* A machine file's name and UUID without building its tree: 0 when a
 * full load would succeed (*name allocated), 1 when only a full load can
 * tell (files older than 1.10 are converted on load), or the error the
 * full load would give. */
int sdoc_peek_machine(const char *path, char **name, struct vb_uuid *uuid,
		      struct vb_error *err);
int sdoc_peek_machine_mem(const char *data, size_t len, const char *path,
			  char **name, struct vb_uuid *uuid,
			  struct vb_error *err);
/* Whether this process holds the global lock (vbox.c). */
bool vbox_global_locked(const struct vbox *vb);
/* A pre-1.11 machine whose save will reach 1.11: its media move from the
 * global registry into its own (migrate.c).  machine_save() uses these. */
bool machine_needs_migration(struct machine *m);
int machine_migrate_and_save(struct machine *m, struct vb_error *err);
/* VirtualBox's default DHCP server (vboxnet0) when <Global> has none. */
int global_add_default_dhcp(struct snode *g);
/* Map pre-1.5 OS type ids. */
const char *legacy_ostype_map(const char *old);

#endif
