/*
 * Shared code of the medium commands (createmedium, showmediuminfo, list
 * hdds, clonemedium, modifymedium, closemedium, mediumproperty, mediumio,
 * storageattach): opening media the way IVirtualBox::OpenMedium does
 * (registering unknown files in the global registry), editing registry
 * entries under the right file lock, and printing a medium the way
 * showMediumInfo() does.
 */
#ifndef VBM_MEDIUM_H
#define VBM_MEDIUM_H

#include "cmd/vboxmanage/vboxmanage.h"
#include "lib/media/media.h"
#include "lib/settings/mediareg.h"
#include "lib/util/checked.h"

/* A registered medium found (or registered) by vbm_medium_open(). */
struct vbm_medium {
	struct mediareg_entry e;    /* e.owner lent from `loaded` or caller */
	struct machine *loaded;     /* machine loaded for the lookup */
	bool fresh;                 /* registered by this call */
};

void vbm_medium_release(struct vbm_medium *m);

/* "disk"/"dvd"/"floppy" word of a command line, or -1. */
int vbm_medium_kind_word(const char *w);
const char *vbm_kind_noun(enum mediareg_kind kind); /* "hard disk" ... */

/*
 * A positional word of a medium command: a kind word ("disk", "dvd",
 * "floppy"; at most one) goes to *kind, anything else into the first
 * empty slot of slot[0..nslots-1].  VBM_OK, or the syntax error's exit
 * code after printing it.
 */
int vbm_medium_word(struct vbm_ctx *ctx, const char *word, int *kind,
		    const char **slot[], unsigned nslots);

/*
 * Find a medium by UUID or path in every registry; a path that is not
 * registered is opened, checked and added to the global registry, as
 * VirtualBox's OpenMedium does.  On failure the error block is printed
 * (unless quiet) and VBM_FAIL returned.
 */
int vbm_medium_open(struct vbm_ctx *ctx, const char *spec,
		    enum mediareg_kind kind, bool quiet, struct vbm_medium *out);
/* The same without printing; details in err. */
int vbm_medium_lookup(struct vbm_ctx *ctx, const char *spec,
		      enum mediareg_kind kind, struct vbm_medium *out,
		      struct vb_error *err);

/* Open the image of a registered medium (its chain through the
 * registry).  flags: MEDIA_RDONLY/RDWR... */
int vbm_image_open(struct vbm_ctx *ctx, const struct mediareg_entry *e,
		   unsigned flags, struct medium **out, struct vb_error *err);
/* Parent resolver over the registries (ctx = struct vbox *). */
int vbm_resolve_parent(void *ctx, const struct vb_uuid *u, char **path);

/*
 * Change a registry entry: lock the settings file that holds it (global
 * or machine), find the element again, call fn, save.  fn gets the
 * element (NULL when it vanished meanwhile) and its registry.
 */
typedef int (*vbm_reg_edit_fn)(void *arg, struct snode *item,
			       struct snode *registry, const char *base_dir,
			       struct vb_error *err);
int vbm_registry_edit(struct vbm_ctx *ctx, const struct mediareg_entry *e,
		      vbm_reg_edit_fn fn, void *arg, struct vb_error *err);

/* Register a new medium: nested under parent (a registered medium) when
 * given, else in the global registry. */
int vbm_registry_add(struct vbm_ctx *ctx, enum mediareg_kind kind,
		     const struct vb_uuid *uuid, const char *abs_path,
		     const char *format, const struct mediareg_entry *parent,
		     struct vb_error *err);

/* Refuse a location some registered medium already uses (creating a new
 * image there).  Prints the error block; VBM_OK or VBM_FAIL. */
int vbm_location_free(struct vbm_ctx *ctx, enum mediareg_kind kind,
		      const char *abs_path, const char *context, int line);

/* Settings file that holds an entry (lent). */
const char *vbm_registry_file(struct vbm_ctx *ctx,
			      const struct mediareg_entry *e);

/* Print one medium in showMediumInfo()'s format.  parent: "base", a
 * UUID, or NULL (no Parent UUID line). */
void vbm_medium_print(struct vbm_ctx *ctx, const struct mediareg_entry *e,
		      const char *parent, bool long_fmt);

/* MediumType names: registry spelling -> showmediuminfo text. */
const char *vbm_medium_type_text(const struct mediareg_entry *e,
				 bool differencing);
/* Parse a --type/--mtype value into the registry spelling ("Normal",
 * "Immutable", ...), NULL if invalid. */
const char *vbm_medium_type_parse(const char *s);

/* Parse a --variant list into *variant (VBoxManage's parseMediumVariant).
 * 0 or -1. */
int vbm_variant_parse(const char *s, unsigned *variant);

/* Medium type (registry spelling) and description, with VirtualBox's
 * checks and error blocks (modifymedium.c).  VBM_OK or VBM_FAIL. */
int vbm_medium_set_type(struct vbm_ctx *ctx, struct vbm_medium *med,
			const char *type);
int vbm_medium_set_description(struct vbm_ctx *ctx, struct vbm_medium *med,
			       const char *text);

/* Error block for a medium-level API failure (component MediumWrap). */
int vbm_medium_error(struct vb_error *err, const char *context, int line);

/* Progress callback printing 0%...100% (ctx = struct vbm_progress). */
void vbm_medium_progress(void *ctx, unsigned pct);

#endif
