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
/* Serialise the way VirtualBox (libxml2, formatted) writes settings. */
int sxml_serialize(xmlDoc *doc, struct strbuf *out);
/* The position rank of child name under parent name, or -1. */
int schema_rank(const char *parent, const char *child);

struct sdoc {
	xmlDoc *xml;
	char *path;                 /* absolute path of the file */
	unsigned version_read;      /* minor of 1.x as read (0 = new file) */
	unsigned version;           /* working version (minor of 1.x) */
	char *version_string_read;  /* e.g. "1.12-linux" */
	bool future;                /* read a version newer than we know */
	bool is_new;                /* not on disk yet */
	enum sdoc_kind kind;
	char *clean_image;          /* serialised at sdoc_mark_clean() */
};

/* Remember the current content as "unchanged" (after a locked reload). */
void sdoc_mark_clean(struct sdoc *d);
/* Whether the content differs from the one remembered. */
bool sdoc_changed(struct sdoc *d);

/* Version-dependent machine file rules (bump.c). */
unsigned machine_needed_version(struct sdoc *d);
int machine_upgrade_layout(struct sdoc *d, unsigned from, unsigned to);
unsigned global_needed_version(struct sdoc *d);
/* Legacy (< 1.7) machine and global files: convert the DOM (legacy.c). */
int legacy_machine_convert(struct sdoc *d, struct vb_error *err);
int legacy_global_convert(struct sdoc *d, struct vb_error *err);
/* Map pre-1.5 OS type ids. */
const char *legacy_ostype_map(const char *old);

#endif
