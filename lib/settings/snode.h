/*
 * Element-level access to a settings document, without libxml2 types.
 *
 * A settings file is kept as a DOM for its whole life: everything this
 * code does not understand stays in the tree and is written back.  A
 * struct snode is an element of that tree (it is an xmlNode inside
 * lib/settings).  Strings returned as const char * are lent and stay valid
 * until the element or attribute is changed or the document is freed.
 *
 * Elements created with snode_ensure()/snode_add() are placed where
 * VirtualBox 7.0 writes them among their siblings (see schema.c), so files
 * we write look like VirtualBox's.
 */
#ifndef VB_SETTINGS_SNODE_H
#define VB_SETTINGS_SNODE_H

#include <stdbool.h>
#include <stdint.h>

struct snode;

const char *snode_name(const struct snode *n);
struct snode *snode_parent(const struct snode *n);
/* First child element with this name (any element when name is NULL). */
struct snode *snode_child(const struct snode *n, const char *name);
/* Next sibling element with this name (any when NULL). */
struct snode *snode_next(const struct snode *n, const char *name);
/* Child by "A/B/C" path; NULL if any step is missing. */
struct snode *snode_path(const struct snode *n, const char *path);
/* First child with name whose attribute attr equals value. */
struct snode *snode_child_with(const struct snode *n, const char *name,
			       const char *attr, const char *value);
unsigned snode_count(const struct snode *n, const char *name);

const char *snode_attr(const struct snode *n, const char *attr);
bool snode_has_attr(const struct snode *n, const char *attr);
/* Set (value != NULL) or remove (value == NULL).  0 or -ENOMEM. */
int snode_set_attr(struct snode *n, const char *attr, const char *value);
int snode_set_attrf(struct snode *n, const char *attr, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Rename an attribute in place (its position is kept).  When `to` exists
 * already, `from` is simply removed.  0, or -ENOMEM. */
int snode_rename_attr(struct snode *n, const char *from, const char *to);
/* Put the attributes named in order[] (NULL-terminated) first, in that
 * order; the others follow in their current order. */
void snode_order_attrs(struct snode *n, const char *const *order);
/* Attribute list walk: index i, returns name and sets *value; NULL at end. */
const char *snode_attr_at(const struct snode *n, unsigned i,
			  const char **value);

/* Text content of an element (newly allocated, caller frees), or NULL. */
char *snode_text(const struct snode *n);
int snode_set_text(struct snode *n, const char *text);

/* Typed reads with VirtualBox's rules: a value that does not parse counts
 * as absent and gives the default. */
bool snode_bool(const struct snode *n, const char *attr, bool def);
uint64_t snode_u64(const struct snode *n, const char *attr, uint64_t def);
int64_t snode_i64(const struct snode *n, const char *attr, int64_t def);
uint32_t snode_u32(const struct snode *n, const char *attr, uint32_t def);
/* Boolean of a child's "enabled" attribute: <name enabled="..."/>. */
bool snode_child_enabled(const struct snode *n, const char *name, bool def);

/* Typed writes ("true"/"false", decimal). */
int snode_set_bool(struct snode *n, const char *attr, bool v);
int snode_set_u64(struct snode *n, const char *attr, uint64_t v);
int snode_set_i64(struct snode *n, const char *attr, int64_t v);

/* The child with this name, created in schema order if missing. */
struct snode *snode_ensure(struct snode *n, const char *name);
/* A new child with this name, after any existing ones of the same name. */
struct snode *snode_add(struct snode *n, const char *name);
/* Ensure a whole "A/B/C" path. */
struct snode *snode_ensure_path(struct snode *n, const char *path);
/* Unlink and free an element and its subtree. */
void snode_remove(struct snode *n);
/* Remove the element when it has neither attributes nor children, then
 * its parent likewise (up to, not including, stop). */
void snode_prune_empty(struct snode *n, const struct snode *stop);
bool snode_is_empty(const struct snode *n);
/* Move an element (with its subtree) under a new parent, in schema order. */
int snode_move(struct snode *n, struct snode *new_parent);
/* Deep copy under a new parent (schema order).  NULL on failure. */
struct snode *snode_copy(const struct snode *n, struct snode *new_parent);
/* Rename an element in place. */
int snode_rename(struct snode *n, const char *name);

/* Sort the children called name by an attribute, strcmp order (ExtraData
 * items, NAT rules, guest properties, property maps). */
void snode_sort_children(struct snode *n, const char *name, const char *attr);
/* Reorder the child elements into schema order (stable; an element the
 * schema does not know stays behind its preceding sibling). */
void snode_sort_by_schema(struct snode *n);

#endif
