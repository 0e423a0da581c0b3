/*
 * Settings documents: loading, the version string, and saving with
 * VirtualBox's rules (version bump with a backup copy of the old file,
 * then the safe-save sequence in lib/util/fileio.c).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "lib/settings/settings-int.h"
#include "lib/util/fileio.h"
#include "lib/util/path.h"

const char *settings_host_suffix(void)
{
	return "linux";
}

/* "1.19-linux" -> 19; future versions -> SV_NEWEST + 1; errors -> 0. */
static unsigned parse_version(const char *v, bool *future)
{
	unsigned long major = 0, minor = 0;
	const char *p = v;

	*future = false;
	if (!v || strlen(v) <= 3 || !isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p)) {
		major = major * 10 + (unsigned long)(*p++ - '0');
		if (major > 1000)
			return 0;
	}
	if (*p++ != '.' || !isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p)) {
		minor = minor * 10 + (unsigned long)(*p++ - '0');
		if (minor > 100000)
			return 0;
	}
	if (major > 1 || (major == 1 && minor > SV_NEWEST)) {
		*future = true;
		return SV_NEWEST;
	}
	if (major != 1 || minor < SV_MIN_READ)
		return 0;
	return (unsigned)minor;
}

/* The checks every settings file passes before its content is looked at
 * (ConfigFileBase and readMachine in VirtualBox), shared by the full load
 * and the cheap peek so that both give the same verdict and message. */
struct head {
	bool have_root;
	const char *root;
	long root_line;
	const char *version;
	bool has_top;
	long top_line;
	const char *uuid;       /* machine files */
	const char *name;
};

static int check_head(const char *path, enum sdoc_kind kind,
		      const struct head *h, unsigned *version, bool *future,
		      struct vb_error *err)
{
	const char *want = kind == SDOC_GLOBAL ? "Global" : "Machine";
	struct vb_uuid x;

	if (!h->have_root || strcmp(h->root, "VirtualBox"))
		return vb_err(err, EINVAL, VBOX_E_XML_ERROR,
			      "Error in %s (line %ld) -- Root element in VirtualBox settings files must be \"VirtualBox\".",
			      path, h->have_root ? h->root_line : 1);
	if (!h->version)
		return vb_err(err, EINVAL, VBOX_E_XML_ERROR,
			      "Error in %s (line %ld) -- Required VirtualBox/@version attribute is missing.",
			      path, h->root_line);
	*version = parse_version(h->version, future);
	if (!*version)
		return vb_err(err, EINVAL, VBOX_E_XML_ERROR,
			      "Error in %s (line %ld) -- Cannot handle settings version '%s'.",
			      path, h->root_line, h->version);
	if (!h->has_top)
		return vb_err(err, EINVAL, VBOX_E_XML_ERROR,
			      "Error in %s (line %ld) -- Required %s element is missing.",
			      path, h->root_line, want);
	if (kind != SDOC_MACHINE)
		return 0;
	if (!h->uuid || !h->name)
		return vb_err(err, EINVAL, VBOX_E_XML_ERROR,
			      "Error in %s (line %ld) -- Required Machine/@uuid or @name attributes is missing.",
			      path, h->top_line);
	if (vb_uuid_parse(h->uuid, &x))
		return vb_err(err, EINVAL, VBOX_E_XML_ERROR,
			      "Error in %s (line %ld) -- UUID \"%s\" has invalid format.",
			      path, h->top_line, h->uuid);
	return 0;
}

static int finish_load(struct sdoc *d, enum sdoc_kind kind,
		       struct vb_error *err)
{
	xmlNode *root = xmlDocGetRootElement(d->xml);
	struct snode *top = root ? snode_child(SN(root),
			kind == SDOC_GLOBAL ? "Global" : "Machine") : NULL;
	struct head h = {
		.have_root = root != NULL,
		.root = root ? (const char *)root->name : "",
		.root_line = root ? xmlGetLineNo(root) : 1,
		.version = root ? snode_attr(SN(root), "version") : NULL,
		.has_top = top != NULL,
		.top_line = top ? xmlGetLineNo(XN(top)) : 1,
		.uuid = snode_attr(top, "uuid"),
		.name = snode_attr(top, "name"),
	};
	int rc;

	rc = check_head(d->path, kind, &h, &d->version_read, &d->future, err);
	if (rc)
		return rc;
	d->version_string_read = strdup(h.version);
	if (!d->version_string_read)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	d->version = d->version_read;
	rc = kind == SDOC_GLOBAL ? legacy_global_load(d, err)
				 : legacy_machine_load(d, err);
	if (rc)
		return rc;
	if (d->version < SV_MIN_WRITE)
		d->version = SV_MIN_WRITE;
	d->version_loaded = d->version;
	return 0;
}

int sdoc_load_mem(const char *data, size_t len, const char *path,
		  enum sdoc_kind kind, struct sdoc **out, struct vb_error *err)
{
	struct sdoc *d;
	int rc;

	*out = NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	d->kind = kind;
	d->path = strdup(path);
	if (!d->path) {
		free(d);
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	}
	rc = sxml_parse(data, len, path, &d->xml, err);
	if (!rc) {
		d->xml->_private = d;
		rc = finish_load(d, kind, err);
	}
	if (rc) {
		sdoc_free(d);
		return rc;
	}
	sdoc_mark_clean(d);
	*out = d;
	return 0;
}

/* IPRT's status for an errno, as VirtualBox's file errors print it. */
static const struct {
	int err;
	int vrc;
	const char *msg;
} iprt_errs[] = {
	{ ENOENT, -102, "File not found." },
	{ ENOTDIR, -103, "Path not found." },
	{ EACCES, -38, "Access denied." },
	{ EPERM, -38, "Access denied." },
	{ EISDIR, -127, "A non-directory operation was attempted on a directory object." },
	{ EROFS, -113, "Write protect error." },
	{ ENOSPC, -152, "Disk is full." },
	{ EDQUOT, -152, "Disk is full." },
	{ EMFILE, -106, "Too many open files." },
	{ ENAMETOOLONG, -120, "The filename or extension is too long." },
	{ EFBIG, -128, "Tried to grow a file beyond the limit imposed by the process or the filesystem." },
	{ EIO, -150, "Unresolved (unknown) disk i/o error." },
};

static int file_error(struct vb_error *err, int errnum, const char *what,
		      const char *path)
{
	size_t i;

	for (i = 0; i < sizeof(iprt_errs) / sizeof(iprt_errs[0]); i++)
		if (iprt_errs[i].err == errnum)
			return vb_err(err, errnum, VBOX_E_FILE_ERROR,
				      "Runtime error %s '%s'%s: %d (%s).", what, path,
				      strcmp(what, "opening") ? "" : " for reading",
				      iprt_errs[i].vrc, iprt_errs[i].msg);
	return vb_err(err, errnum, VBOX_E_FILE_ERROR,
		      "Runtime error %s '%s'%s: -101 (File/Device open failed.) (%s).",
		      what, path, strcmp(what, "opening") ? "" : " for reading",
		      strerror(errnum));
}

/* Read a settings file with VirtualBox's error texts; regular files
 * only (a FIFO would block the open, a device would never end). */
static int read_settings(const char *path, char **data, size_t *len,
			 struct vb_error *err)
{
	struct vb_error e2 = { 0 };
	struct stat st;
	int rc;

	if (stat(path, &st) < 0)
		return file_error(err, errno, "opening", path);
	if (S_ISDIR(st.st_mode))
		return file_error(err, EISDIR, "opening", path);
	if (!S_ISREG(st.st_mode))
		return vb_err(err, EINVAL, VBOX_E_FILE_ERROR,
			      "Runtime error opening '%s' for reading: -101 (File/Device open failed.).",
			      path);
	rc = vb_read_file(path, SETTINGS_MAX_FILE, data, len, &e2);
	if (rc == -ENOMEM || rc == -EFBIG) {
		if (err)
			*err = e2;
		return rc;
	}
	if (rc)
		return file_error(err, -rc, "opening", path);
	return 0;
}

int sdoc_load(const char *path, enum sdoc_kind kind, struct sdoc **out,
	      struct vb_error *err)
{
	char *data;
	size_t len;
	int rc;

	*out = NULL;
	rc = read_settings(path, &data, &len, err);
	if (rc)
		return rc;
	rc = sdoc_load_mem(data, len, path, kind, out, err);
	free(data);
	return rc;
}

int sdoc_peek_machine(const char *path, char **name, struct vb_uuid *uuid,
		      struct vb_error *err)
{
	char *data;
	size_t len;
	int rc;

	*name = NULL;
	rc = read_settings(path, &data, &len, err);
	if (rc)
		return rc;
	rc = sdoc_peek_machine_mem(data, len, path, name, uuid, err);
	free(data);
	return rc;
}

int sdoc_peek_machine_mem(const char *data, size_t len, const char *path,
			  char **name, struct vb_uuid *uuid,
			  struct vb_error *err)
{
	struct sxml_head sh;
	unsigned version;
	bool future;
	int rc;

	*name = NULL;
	rc = sxml_peek(data, len, path, "Machine", &sh, err);
	if (rc)
		return rc;
	{
		struct head h = {
			.have_root = sh.have_root, .root = sh.root,
			.root_line = sh.root_line, .version = sh.version,
			.has_top = sh.has_top, .top_line = sh.top_line,
			.uuid = sh.uuid, .name = sh.name,
		};

		rc = check_head(path, SDOC_MACHINE, &h, &version, &future, err);
	}
	if (!rc && version <= 9) {
		/* old layouts are converted on load, which can fail too */
		rc = 1;
	} else if (!rc) {
		vb_uuid_parse(sh.uuid, uuid);
		*name = sh.name;
		sh.name = NULL;
	}
	sxml_head_release(&sh);
	return rc;
}

struct sdoc *sdoc_new(enum sdoc_kind kind, const char *path)
{
	struct sdoc *d = calloc(1, sizeof(*d));
	xmlNode *root;
	xmlNs *ns;

	if (!d)
		return NULL;
	d->kind = kind;
	d->is_new = true;
	d->version = kind == SDOC_GLOBAL ? SV_GLOBAL_NEW : SV_MACHINE_NEW;
	d->version_loaded = d->version;
	d->path = strdup(path);
	d->xml = xmlNewDoc(BAD_CAST "1.0");
	if (!d->path || !d->xml)
		goto fail;
	d->xml->_private = d;
	root = xmlNewDocNode(d->xml, NULL, BAD_CAST "VirtualBox", NULL);
	if (!root)
		goto fail;
	xmlDocSetRootElement(d->xml, root);
	ns = xmlNewNs(root, BAD_CAST VBOX_SETTINGS_NS, NULL);
	if (!ns)
		goto fail;
	xmlSetNs(root, ns);
	if (snode_set_attrf(SN(root), "version", "1.%u-%s", d->version,
			    settings_host_suffix()))
		goto fail;
	if (!xmlNewChild(root, ns, BAD_CAST(kind == SDOC_GLOBAL ? "Global"
								: "Machine"),
			 NULL))
		goto fail;
	return d;
fail:
	sdoc_free(d);
	return NULL;
}

void sdoc_free(struct sdoc *d)
{
	if (!d)
		return;
	if (d->xml)
		xmlFreeDoc(d->xml);
	free(d->path);
	free(d->version_string_read);
	free(d->clean_image);
	free(d);
}

struct snode *sdoc_root(const struct sdoc *d)
{
	return SN(xmlDocGetRootElement(d->xml));
}

struct snode *sdoc_top(const struct sdoc *d)
{
	return snode_child(sdoc_root(d),
			   d->kind == SDOC_GLOBAL ? "Global" : "Machine");
}

const char *sdoc_path(const struct sdoc *d)
{
	return d->path;
}

int sdoc_set_path(struct sdoc *d, const char *path)
{
	char *p = strdup(path);

	if (!p)
		return -ENOMEM;
	free(d->path);
	d->path = p;
	return 0;
}

unsigned sdoc_version(const struct sdoc *d)
{
	return d->version;
}

unsigned sdoc_version_read(const struct sdoc *d)
{
	return d->is_new ? 0 : d->version_read;
}

const char *sdoc_version_string_read(const struct sdoc *d)
{
	return d->version_string_read;
}

bool sdoc_is_new(const struct sdoc *d)
{
	return d->is_new;
}

int sdoc_require_version(struct sdoc *d, unsigned v)
{
	int rc;

	if (v <= d->version)
		return 0;
	if (d->kind == SDOC_MACHINE) {
		rc = machine_upgrade_layout(d, d->version, v);
		if (rc)
			return rc;
	}
	d->version = v;
	return 0;
}

/* Bring the working version up to what the content needs and stamp the
 * root element. */
static int prepare(struct sdoc *d)
{
	unsigned need;
	int rc;

	need = d->kind == SDOC_MACHINE ? machine_needed_version(d)
				       : global_needed_version(d);
	if (need < SV_MIN_WRITE)
		need = SV_MIN_WRITE;
	rc = sdoc_require_version(d, need);
	if (rc)
		return rc;
	return snode_set_attrf(sdoc_root(d), "version", "1.%u-%s", d->version,
			       settings_host_suffix());
}

int sdoc_serialize(struct sdoc *d, char **out, size_t *len,
		   struct vb_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	int rc;

	rc = prepare(d);
	if (!rc && d->kind == SDOC_MACHINE && d->version < 9) {
		/* held in the 1.9 storage layout, written in the old one */
		xmlDoc *old;

		rc = legacy_machine_pre19_copy(d, &old);
		if (!rc) {
			rc = sxml_serialize(old, &sb);
			xmlFreeDoc(old);
		}
	} else if (!rc) {
		rc = sxml_serialize(d->xml, &sb);
	}
	if (rc) {
		sb_release(&sb);
		return vb_err(err, -rc, VB_E_OUTOFMEMORY,
			      "Could not serialise the settings of '%s'",
			      d->path);
	}
	*len = sb.len;
	*out = sb_detach(&sb);
	return *out ? 0 : vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
}

char *sdoc_backup_name(const char *path, const char *vs)
{
	const char *ext = path_ext(path);
	size_t stem;

	if (strcmp(ext, ".xml") && strcmp(ext, ".vbox"))
		ext = "";
	stem = strlen(path) - strlen(ext);
	return vb_asprintf("%.*s-%s%s", (int)stem, path, vs, ext);
}

/* The document as it would be written at the version it was read, for
 * telling whether anything changed since sdoc_mark_clean(). */
static int image_as_read(struct sdoc *d, struct strbuf *sb)
{
	xmlNode *root = xmlDocGetRootElement(d->xml);
	int rc;

	if (!d->version_string_read)
		return -EINVAL;
	rc = snode_set_attr(SN(root), "version", d->version_string_read);
	if (!rc)
		rc = sxml_serialize(d->xml, sb);
	return rc;
}

void sdoc_mark_clean(struct sdoc *d)
{
	free(d->clean_image);
	d->clean_image = NULL;
	d->clean_pending = !d->is_new && d->version == d->version_loaded;
}

void sdoc_before_change(xmlDoc *x)
{
	struct sdoc *d = x ? x->_private : NULL;
	struct strbuf sb = STRBUF_INIT;

	if (!d || !d->clean_pending)
		return;
	d->clean_pending = false;       /* image_as_read changes the root */
	if (image_as_read(d, &sb) == 0)
		d->clean_image = sb_detach(&sb);
	else
		sb_release(&sb);
}

bool sdoc_changed(struct sdoc *d)
{
	struct strbuf sb = STRBUF_INIT;
	bool changed = true;

	if (d->clean_pending)
		return false;           /* nothing was touched */
	if (!d->clean_image || d->is_new || d->version != d->version_loaded ||
	    (d->kind == SDOC_MACHINE && machine_needed_version(d) > d->version) ||
	    (d->kind == SDOC_GLOBAL && global_needed_version(d) > d->version))
		return true;
	if (image_as_read(d, &sb) == 0 && !strcmp(sb_str(&sb), d->clean_image))
		changed = false;
	sb_release(&sb);
	return changed;
}

/* The previous generation, "<file>-prev", as VirtualBox keeps it.  It is
 * made as a second name of the current file (a copy where hard links are
 * not possible) rather than by renaming the file away, so that the file
 * never stops existing: other processes read settings without a lock. */
static void keep_prev(const char *path)
{
	char *prev = vb_asprintf("%s-prev", path);
	struct stat st;

	if (!prev)
		return;
	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 16) {
		unlink(prev);
		if (link(path, prev) < 0 && vb_copy_file(path, prev, 1, NULL))
			unlink(prev);
	}
	free(prev);
}

int sdoc_save(struct sdoc *d, struct vb_error *err)
{
	char *data = NULL;
	size_t len;
	int rc;

	if (!sdoc_changed(d))
		return 0;       /* VirtualBox does not touch an unchanged file */
	rc = sdoc_serialize(d, &data, &len, err);
	if (rc)
		return rc;
	if (!d->is_new && d->version > d->version_read &&
	    d->version_string_read && path_exists(d->path)) {
		char *bak = sdoc_backup_name(d->path, d->version_string_read);

		if (!bak) {
			free(data);
			return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY,
				      "Out of memory");
		}
		if (!path_exists(bak)) {
			struct vb_error e2 = { 0 };

			rc = vb_copy_file(d->path, bak, 0, &e2);
			if (rc == -ENOSPC) {
				free(bak);
				free(data);
				*err = e2;
				return rc;
			}
		}
		free(bak);
	}
	keep_prev(d->path);
	rc = vb_write_file_atomic(d->path, data, len, 0, err);
	free(data);
	if (rc == -ENOSPC || rc == -EDQUOT || rc == -EIO || rc == -EFBIG) {
		char *tmp = vb_asprintf("%s-tmp", d->path);

		file_error(err, -rc, "writing to file", tmp ? tmp : d->path);
		free(tmp);
	} else if (rc && rc != -ENOMEM) {
		char *tmp = vb_asprintf("%s-tmp", d->path);

		file_error(err, -rc, "opening", tmp ? tmp : d->path);
		/* the same text with "for writing" */
		if (err && strstr(err->msg, " for reading"))
			memcpy(strstr(err->msg, " for reading"), " for writing", 12);
		free(tmp);
	}
	if (rc)
		return rc;
	d->is_new = false;
	if (d->version != d->version_read || !d->version_string_read) {
		char *vs = vb_asprintf("1.%u-%s", d->version,
				       settings_host_suffix());

		if (vs) {
			free(d->version_string_read);
			d->version_string_read = vs;
		}
		d->version_read = d->version;
	}
	d->version_loaded = d->version;
	sdoc_mark_clean(d);
	return 0;
}
