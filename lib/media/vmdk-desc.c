/*
 * The VMDK text descriptor (VMware "Virtual Disk Format 1.1", section
 * "The Descriptor File"; media-formats.md 2.2): a comment line, header
 * keys (version, CID, parentCID, createType, parentFileNameHint...),
 * extent lines "ACCESS SECTORS TYPE [\"file\" [offset]]" and the disk
 * database "ddb.key = \"value\"".
 *
 * The text is kept line by line: keys we change are rewritten in place,
 * new keys go to the end of their section, and everything else (unknown
 * keys, comments, blank lines, VMware's spacing) survives a round trip.
 * Limits: at most 1100 lines and 10 MiB, as VirtualBox; a lone CR is
 * taken as a line break like CRLF.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/media/vmdk-int.h"
#include "lib/util/strbuf.h"

static int add_line(struct vmdk_desc *d, const char *s, size_t n)
{
	char *l;

	if (d->nlines >= VMDK_DESC_LINES_MAX)
		return -E2BIG;
	if (d->nlines == d->alines) {
		size_t na = d->alines ? d->alines * 2 : 32;
		char **nl = realloc(d->lines, na * sizeof(*nl));

		if (!nl)
			return -ENOMEM;
		d->lines = nl;
		d->alines = na;
	}
	l = strndup(s, n);
	if (!l)
		return -ENOMEM;
	d->lines[d->nlines++] = l;
	return 0;
}

static int insert_line(struct vmdk_desc *d, size_t at, const char *s)
{
	size_t n = d->nlines;
	int rc = add_line(d, s, strlen(s));

	if (rc)
		return rc;
	if (at < n) {
		char *l = d->lines[n];

		memmove(d->lines + at + 1, d->lines + at,
			(n - at) * sizeof(*d->lines));
		d->lines[at] = l;
	}
	return 0;
}

void vmdk_desc_release(struct vmdk_desc *d)
{
	size_t i;

	for (i = 0; i < d->nlines; i++)
		free(d->lines[i]);
	free(d->lines);
	for (i = 0; i < d->next; i++)
		free(d->ext[i].file);
	free(d->ext);
	memset(d, 0, sizeof(*d));
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static bool is_extent_line(const char *l)
{
	l = skip_ws(l);
	return !strncmp(l, "RW ", 3) || !strncmp(l, "RDONLY ", 7) ||
	       !strncmp(l, "NOACCESS ", 9) || !strncmp(l, "RW\t", 3) ||
	       !strncmp(l, "RDONLY\t", 7) || !strncmp(l, "NOACCESS\t", 9);
}

static bool is_ddb_line(const char *l)
{
	return !strncmp(skip_ws(l), "ddb.", 4);
}

static bool is_comment_or_blank(const char *l)
{
	l = skip_ws(l);
	return !*l || *l == '#';
}

/* "key = value" -> key and value (unquoted); false if no '='. */
static bool split_kv(const char *l, char *key, size_t ksz, char **val)
{
	const char *eq, *k = skip_ws(l), *v, *end;
	size_t kl;

	eq = strchr(k, '=');
	if (!eq)
		return false;
	kl = (size_t)(eq - k);
	while (kl && (k[kl - 1] == ' ' || k[kl - 1] == '\t'))
		kl--;
	if (!kl || kl >= ksz)
		return false;
	memcpy(key, k, kl);
	key[kl] = '\0';
	v = skip_ws(eq + 1);
	end = v + strlen(v);
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (end - v >= 2 && *v == '"' && end[-1] == '"') {
		v++;
		end--;
	}
	*val = strndup(v, (size_t)(end - v));
	return *val != NULL;
}

static int parse_extent(const char *l, struct vmdk_desc_extent *e,
			char *why, size_t whysz)
{
	const char *p = skip_ws(l), *q;
	unsigned long long v;
	char *endp;

	memset(e, 0, sizeof(*e));
	if (!strncmp(p, "RW", 2)) {
		e->access = VA_RW;
		p += 2;
	} else if (!strncmp(p, "RDONLY", 6)) {
		e->access = VA_RDONLY;
		p += 6;
	} else {
		e->access = VA_NOACCESS;
		p += 8;
	}
	p = skip_ws(p);
	if (!isdigit((unsigned char)*p))
		goto bad;
	errno = 0;
	v = strtoull(p, &endp, 10);
	if (errno || endp == p || !v)
		goto bad;
	e->sectors = v;
	p = skip_ws(endp);
	if (!strncmp(p, "SPARSE", 6) && (p[6] == ' ' || p[6] == '\t' || !p[6])) {
		e->type = VE_SPARSE;
		p += 6;
	} else if (!strncmp(p, "FLAT", 4) && (p[4] == ' ' || p[4] == '\t' || !p[4])) {
		e->type = VE_FLAT;
		p += 4;
	} else if (!strncmp(p, "ZERO", 4) && (p[4] == ' ' || p[4] == '\t' || !p[4])) {
		e->type = VE_ZERO;
		p += 4;
	} else if (!strncmp(p, "VMFS", 4) && (p[4] == ' ' || p[4] == '\t' || !p[4])) {
		e->type = VE_VMFS;
		p += 4;
	} else {
		snprintf(why, whysz, "unsupported extent type in '%s'", l);
		return -ENOTSUP;
	}
	p = skip_ws(p);
	if (e->type == VE_ZERO)
		return *p ? -EINVAL : 0;
	if (*p != '"')
		goto bad;
	q = strchr(p + 1, '"');
	if (!q || q == p + 1)
		goto bad;
	e->file = strndup(p + 1, (size_t)(q - p - 1));
	if (!e->file)
		return -ENOMEM;
	p = skip_ws(q + 1);
	if (*p) {
		if (e->type == VE_SPARSE)
			goto bad_free;
		errno = 0;
		v = strtoull(p, &endp, 10);
		if (errno || endp == p || *skip_ws(endp))
			goto bad_free;
		e->offset = v;
	}
	return 0;
bad_free:
	free(e->file);
	e->file = NULL;
bad:
	snprintf(why, whysz, "invalid extent line '%s'", l);
	return -EINVAL;
}

int vmdk_desc_parse(struct vmdk_desc *d, const char *text, size_t len,
		    char *why, size_t whysz)
{
	size_t i = 0, start;
	int section = 0;    /* 0 header, 1 extents, 2 ddb */
	int rc;

	memset(d, 0, sizeof(*d));
	if (len > VMDK_DESC_MAX) {
		snprintf(why, whysz, "descriptor too large");
		return -EINVAL;
	}
	/* an embedded descriptor ends at the first NUL */
	for (i = 0; i < len && text[i]; i++)
		;
	len = i;
	i = 0;
	while (i < len) {
		start = i;
		while (i < len && text[i] != '\n' && text[i] != '\r')
			i++;
		rc = add_line(d, text + start, i - start);
		if (rc) {
			snprintf(why, whysz, rc == -E2BIG ?
				 "descriptor has too many lines" : "out of memory");
			goto fail;
		}
		if (i < len && text[i] == '\r')
			i++;
		if (i < len && text[i] == '\n')
			i++;
	}
	for (i = 0; i < d->nlines; i++) {
		const char *l = d->lines[i];

		if (is_comment_or_blank(l))
			continue;
		if (is_extent_line(l)) {
			struct vmdk_desc_extent *ne;

			if (section > 1) {
				snprintf(why, whysz, "incorrect ordering of entries");
				rc = -EINVAL;
				goto fail;
			}
			section = 1;
			ne = realloc(d->ext, (d->next + 1) * sizeof(*ne));
			if (!ne) {
				rc = -ENOMEM;
				snprintf(why, whysz, "out of memory");
				goto fail;
			}
			d->ext = ne;
			rc = parse_extent(l, &d->ext[d->next], why, whysz);
			if (rc)
				goto fail;
			d->next++;
			if (!d->has_extent_lines)
				d->first_extent_line = i;
			d->has_extent_lines = true;
			d->last_extent_line = i;
		} else if (is_ddb_line(l)) {
			section = 2;
		} else {
			char key[128], *v = NULL;

			if (section > 0 || !split_kv(l, key, sizeof(key), &v)) {
				snprintf(why, whysz, section > 0 ?
					 "incorrect ordering of entries" :
					 "invalid line '%s'", l);
				rc = -EINVAL;
				goto fail;
			}
			free(v);
		}
	}
	{
		char *ver = vmdk_desc_get(d, "version");
		bool ok = ver && (!strcmp(ver, "1") || !strcmp(ver, "2") ||
				  !strcmp(ver, "3"));

		free(ver);
		if (!ok) {
			snprintf(why, whysz, "missing or unsupported version");
			rc = -EINVAL;
			goto fail;
		}
	}
	if (!d->next) {
		snprintf(why, whysz, "no extents");
		rc = -EINVAL;
		goto fail;
	}
	return 0;
fail:
	vmdk_desc_release(d);
	return rc;
}

static ssize_t find_key(const struct vmdk_desc *d, const char *key)
{
	size_t i;

	for (i = 0; i < d->nlines; i++) {
		char k[128], *v;

		if (is_comment_or_blank(d->lines[i]) ||
		    is_extent_line(d->lines[i]))
			continue;
		if (!split_kv(d->lines[i], k, sizeof(k), &v))
			continue;
		free(v);
		if (!strcasecmp(k, key))
			return (ssize_t)i;
	}
	return -1;
}

char *vmdk_desc_get(const struct vmdk_desc *d, const char *key)
{
	ssize_t i = find_key(d, key);
	char k[128], *v = NULL;

	if (i < 0 || !split_kv(d->lines[i], k, sizeof(k), &v))
		return NULL;
	return v;
}

int vmdk_desc_set(struct vmdk_desc *d, const char *key, const char *value,
		  bool quote)
{
	bool ddb = !strncmp(key, "ddb.", 4);
	ssize_t i = find_key(d, key);
	char *line;
	int rc;

	if (ddb || quote)
		line = vb_asprintf("%s=\"%s\"", key, value);
	else
		line = vb_asprintf("%s=%s", key, value);
	if (!line)
		return -ENOMEM;
	if (i >= 0) {
		free(d->lines[i]);
		d->lines[i] = line;
		return 0;
	}
	if (ddb) {
		size_t at = d->nlines;

		/* after the last ddb line, or at the end */
		for (size_t j = 0; j < d->nlines; j++)
			if (is_ddb_line(d->lines[j]))
				at = j + 1;
		rc = insert_line(d, at, line);
	} else {
		/* after the last header key, before the extent block */
		size_t at = 0, j;

		for (j = 0; j < d->nlines; j++) {
			if (is_extent_line(d->lines[j]) || is_ddb_line(d->lines[j]))
				break;
			if (!is_comment_or_blank(d->lines[j]))
				at = j + 1;
		}
		rc = insert_line(d, at, line);
		if (!rc && d->has_extent_lines && at <= d->first_extent_line) {
			d->first_extent_line++;
			d->last_extent_line++;
		}
	}
	free(line);
	return rc;
}

static char *extent_line(const struct vmdk_desc_extent *e)
{
	static const char *const acc[] = { "RW", "RDONLY", "NOACCESS" };
	static const char *const typ[] = { "SPARSE", "FLAT", "ZERO", "VMFS" };

	if (e->type == VE_ZERO)
		return vb_asprintf("%s %llu ZERO", acc[e->access],
				   (unsigned long long)e->sectors);
	if (e->type == VE_FLAT)
		return vb_asprintf("%s %llu FLAT \"%s\" %llu", acc[e->access],
				   (unsigned long long)e->sectors, e->file,
				   (unsigned long long)e->offset);
	return vb_asprintf("%s %llu %s \"%s\"", acc[e->access],
			   (unsigned long long)e->sectors, typ[e->type],
			   e->file);
}

int vmdk_desc_set_extents(struct vmdk_desc *d)
{
	size_t at, i, old;

	if (d->has_extent_lines) {
		at = d->first_extent_line;
		old = d->last_extent_line - d->first_extent_line + 1;
		for (i = 0; i < old; i++)
			free(d->lines[at + i]);
		memmove(d->lines + at, d->lines + at + old,
			(d->nlines - at - old) * sizeof(*d->lines));
		d->nlines -= old;
	} else {
		at = d->extent_anchor ? d->extent_anchor : d->nlines;
	}
	for (i = 0; i < d->next; i++) {
		char *l = extent_line(&d->ext[i]);
		int rc;

		if (!l)
			return -ENOMEM;
		rc = insert_line(d, at + i, l);
		free(l);
		if (rc)
			return rc;
	}
	d->has_extent_lines = d->next > 0;
	d->first_extent_line = at;
	d->last_extent_line = at + d->next - 1;
	return 0;
}

char *vmdk_desc_text(const struct vmdk_desc *d, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < d->nlines; i++) {
		sb_adds(&sb, d->lines[i]);
		sb_addc(&sb, '\n');
	}
	*len = sb.len;
	return sb_detach(&sb);
}

char *vmdk_comment_escape(const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	for (; *s; s++) {
		if (*s == '\\')
			sb_adds(&sb, "\\\\");
		else if (*s == '\n')
			sb_adds(&sb, "\\n");
		else if (*s == '\r')
			sb_adds(&sb, "\\r");
		else
			sb_addc(&sb, *s);
		if (sb.len > 1024)
			break;      /* VirtualBox truncates at about 1 KiB */
	}
	sb_adds(&sb, "");
	return sb_detach(&sb);
}

char *vmdk_comment_unescape(const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	for (; *s; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			sb_addc(&sb, *s == 'n' ? '\n' : *s == 'r' ? '\r' : *s);
		} else {
			sb_addc(&sb, *s);
		}
	}
	sb_adds(&sb, "");
	return sb_detach(&sb);
}

int vmdk_desc_new(struct vmdk_desc *d, uint32_t cid, const char *create_type)
{
	char buf[64];
	int rc;

	memset(d, 0, sizeof(*d));
	rc = add_line(d, "# Disk DescriptorFile", 21);
	if (!rc)
		rc = add_line(d, "version=1", 9);
	snprintf(buf, sizeof(buf), "CID=%08x", cid);
	if (!rc)
		rc = add_line(d, buf, strlen(buf));
	if (!rc)
		rc = add_line(d, "parentCID=ffffffff", 18);
	snprintf(buf, sizeof(buf), "createType=\"%s\"", create_type);
	if (!rc)
		rc = add_line(d, buf, strlen(buf));
	if (!rc)
		rc = add_line(d, "", 0);
	if (!rc)
		rc = add_line(d, "# Extent description", 20);
	/* extent lines go here (vmdk_desc_set_extents) */
	if (!rc)
		rc = add_line(d, "", 0);
	if (!rc)
		rc = add_line(d, "# The disk Data Base ", 21);
	if (!rc)
		rc = add_line(d, "#DDB", 4);
	if (!rc)
		rc = add_line(d, "", 0);
	if (!rc)
		rc = add_line(d, "ddb.virtualHWVersion = \"4\"", 26);
	if (rc) {
		vmdk_desc_release(d);
		return rc;
	}
	d->has_extent_lines = false;
	d->first_extent_line = d->last_extent_line = 0;
	d->extent_anchor = 7;   /* after "# Extent description" */
	return 0;
}
