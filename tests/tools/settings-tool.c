/*
 * settings-tool: test helper over lib/settings.
 *
 *   settings-tool serialize machine|global FILE
 *       Load FILE the way VBoxManage does and print what a save would
 *       write (version bump and all) to stdout.
 *   settings-tool xmlcmp OLD NEW [--ignore SPEC]...
 *       Compare two settings files as XML trees: element names and order,
 *       attribute names and values (in any order), text content.  Prints
 *       each difference with its element path and exits 1 when there is
 *       one, 0 when the trees are equal.  SPEC names what a test changed
 *       on purpose and is skipped on both sides:
 *         Name[attr=value]   any element called Name with that attribute
 *                            value (with its subtree)
 *         Name@attr          the attribute attr of elements called Name
 *       Elements left empty after skipping (an <ExtraData> that held only
 *       the ignored item) count as absent.
 *   settings-tool version FILE
 *       Print the settings version string of FILE.
 *   settings-tool watch machine|global FILE STOPFILE
 *       Read and parse FILE in a tight loop (as an unlocked reader does)
 *       until STOPFILE exists; print every failure (missing, empty, torn
 *       or unparsable file) and the number of reads.  Exit 1 on failures.
 *
 * Exit status 2 for usage or load errors.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "lib/settings/settings.h"
#include "lib/util/strbuf.h"

#define MAX_IGNORES 32

struct ignore {
	char name[128];
	char attr[128];
	char value[512];
	bool whole;     /* element match (Name[attr=value]) */
};

static struct ignore ignores[MAX_IGNORES];
static unsigned nignores;
static unsigned ndiffs;

static int usage(void)
{
	fprintf(stderr,
		"usage: settings-tool serialize machine|global FILE\n"
		"       settings-tool xmlcmp OLD NEW [--ignore SPEC]...\n"
		"       settings-tool version FILE\n"
		"       settings-tool watch machine|global FILE STOPFILE\n");
	return 2;
}

static int parse_ignore(const char *spec, struct ignore *ig)
{
	const char *br = strchr(spec, '['), *at = strchr(spec, '@');

	memset(ig, 0, sizeof(*ig));
	if (br) {
		const char *eq = strchr(br, '='), *end = strrchr(spec, ']');

		if (!eq || !end || end < eq || (size_t)(br - spec) >= sizeof(ig->name))
			return -1;
		snprintf(ig->name, sizeof(ig->name), "%.*s", (int)(br - spec), spec);
		snprintf(ig->attr, sizeof(ig->attr), "%.*s", (int)(eq - br - 1), br + 1);
		snprintf(ig->value, sizeof(ig->value), "%.*s", (int)(end - eq - 1), eq + 1);
		ig->whole = true;
		return 0;
	}
	if (at) {
		snprintf(ig->name, sizeof(ig->name), "%.*s", (int)(at - spec), spec);
		snprintf(ig->attr, sizeof(ig->attr), "%s", at + 1);
		return 0;
	}
	return -1;
}

static bool elem_ignored(const xmlNode *n)
{
	unsigned i;

	for (i = 0; i < nignores; i++) {
		xmlChar *v;
		bool eq;

		if (!ignores[i].whole || strcmp((const char *)n->name, ignores[i].name))
			continue;
		v = xmlGetProp(n, BAD_CAST ignores[i].attr);
		eq = v && !strcmp((const char *)v, ignores[i].value);
		xmlFree(v);
		if (eq)
			return true;
	}
	return false;
}

static bool attr_ignored(const xmlNode *n, const char *attr)
{
	unsigned i;

	for (i = 0; i < nignores; i++)
		if (!ignores[i].whole && !strcmp((const char *)n->name, ignores[i].name) &&
		    !strcmp(attr, ignores[i].attr))
			return true;
	return false;
}

static bool is_blank_text(const xmlNode *c)
{
	const xmlChar *s;

	if (c->type != XML_TEXT_NODE)
		return false;
	for (s = c->content; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

/* Does the element hold anything once ignored parts are taken away? */
static bool effectively_empty(const xmlNode *n)
{
	const xmlAttr *a;
	const xmlNode *c;

	for (a = n->properties; a; a = a->next)
		if (!attr_ignored(n, (const char *)a->name))
			return false;
	for (c = n->children; c; c = c->next) {
		if (c->type == XML_ELEMENT_NODE) {
			if (!elem_ignored(c) && !effectively_empty(c))
				return false;
		} else if (c->type == XML_TEXT_NODE && !is_blank_text(c)) {
			return false;
		}
	}
	return true;
}

/* Next element child that takes part in the comparison. */
static const xmlNode *next_elem(const xmlNode *c)
{
	for (; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || elem_ignored(c))
			continue;
		if (effectively_empty(c) && (c->properties || c->children))
			continue;       /* emptied by ignoring: absent */
		return c;
	}
	return NULL;
}

static void diff(const char *path, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void diff(const char *path, const char *fmt, ...)
{
	va_list ap;

	ndiffs++;
	if (ndiffs > 50)
		return;
	printf("%s: ", path);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static char *text_of(const xmlNode *n)
{
	struct strbuf sb = STRBUF_INIT;
	const xmlNode *c;

	for (c = n->children; c; c = c->next)
		if (c->type == XML_TEXT_NODE && !is_blank_text(c))
			sb_adds(&sb, (const char *)c->content);
	return sb_detach(&sb);
}

static void cmp_attrs(const char *path, const xmlNode *a, const xmlNode *b)
{
	const xmlAttr *p;

	for (p = a->properties; p; p = p->next) {
		xmlChar *va, *vb;

		if (attr_ignored(a, (const char *)p->name))
			continue;
		va = xmlGetProp(a, p->name);
		vb = xmlGetProp(b, p->name);
		if (!vb)
			diff(path, "attribute %s=\"%s\" removed", p->name, va);
		else if (strcmp((const char *)va, (const char *)vb))
			diff(path, "attribute %s changed from \"%s\" to \"%s\"",
			     p->name, va, vb);
		xmlFree(va);
		xmlFree(vb);
	}
	for (p = b->properties; p; p = p->next) {
		xmlChar *v;

		if (attr_ignored(b, (const char *)p->name) ||
		    xmlHasProp(a, p->name))
			continue;
		v = xmlGetProp(b, p->name);
		diff(path, "attribute %s=\"%s\" added", p->name, v);
		xmlFree(v);
	}
}

/* The attribute that tells siblings of one kind apart. */
static const char *key_attr(const xmlNode *n)
{
	static const char *const keys[] = { "name", "uuid", "slot", "position",
		NULL };
	unsigned i;

	for (i = 0; keys[i]; i++)
		if (xmlHasProp(n, BAD_CAST keys[i]))
			return keys[i];
	return NULL;
}

static bool same_item(const xmlNode *a, const xmlNode *b)
{
	const char *k = key_attr(a);
	xmlChar *va, *vb;
	bool eq;

	if (strcmp((const char *)a->name, (const char *)b->name))
		return false;
	if (!k)
		return !key_attr(b);
	va = xmlGetProp(a, BAD_CAST k);
	vb = xmlGetProp(b, BAD_CAST k);
	eq = va && vb && !strcmp((const char *)va, (const char *)vb);
	xmlFree(va);
	xmlFree(vb);
	return eq;
}

/* How many siblings after `from` the first one matching `want` is, or -1. */
static int distance(const xmlNode *from, const xmlNode *want)
{
	int d = 0;

	for (; from; from = next_elem(from->next), d++)
		if (same_item(from, want))
			return d;
	return -1;
}

static void cmp_elem(const char *parent, const xmlNode *a, const xmlNode *b)
{
	char path[2048];
	const xmlNode *ca, *cb;
	char *ta, *tb;
	const xmlChar *key = xmlHasProp(a, BAD_CAST "name") ? BAD_CAST "name"
			     : xmlHasProp(a, BAD_CAST "uuid") ? BAD_CAST "uuid"
			     : NULL;

	if (key) {
		xmlChar *kv = xmlGetProp(a, key);

		snprintf(path, sizeof(path), "%s/%s[%s=%s]", parent, a->name,
			 key, kv);
		xmlFree(kv);
	} else {
		snprintf(path, sizeof(path), "%s/%s", parent, a->name);
	}
	if (strcmp((const char *)a->name, (const char *)b->name)) {
		diff(path, "element replaced by <%s>", b->name);
		return;
	}
	cmp_attrs(path, a, b);
	ta = text_of(a);
	tb = text_of(b);
	if (ta && tb && strcmp(ta, tb))
		diff(path, "text changed from \"%s\" to \"%s\"", ta, tb);
	free(ta);
	free(tb);
	ca = next_elem(a->children);
	cb = next_elem(b->children);
	while (ca || cb) {
		if (!cb) {
			diff(path, "child <%s> removed", ca->name);
			ca = next_elem(ca->next);
			continue;
		}
		if (!ca) {
			diff(path, "child <%s> added", cb->name);
			cb = next_elem(cb->next);
			continue;
		}
		if (!same_item(ca, cb)) {
			/* realign on the nearest match: elements dropped from
			 * the old tree or inserted into the new one */
			int da = distance(ca, cb), db = distance(cb, ca);

			if (da >= 0 && (db < 0 || da <= db)) {
				for (; da > 0; da--) {
					diff(path, "child <%s> removed", ca->name);
					ca = next_elem(ca->next);
				}
			} else if (db >= 0) {
				for (; db > 0; db--) {
					diff(path, "child <%s> added", cb->name);
					cb = next_elem(cb->next);
				}
			}
		}
		cmp_elem(path, ca, cb);
		ca = next_elem(ca->next);
		cb = next_elem(cb->next);
	}
}

static xmlDoc *load_xml(const char *path)
{
	xmlDoc *d = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);

	if (!d)
		fprintf(stderr, "settings-tool: cannot parse %s\n", path);
	return d;
}

static int cmd_xmlcmp(int argc, char **argv)
{
	xmlDoc *a, *b;
	int i;

	if (argc < 4)
		return usage();
	for (i = 4; i < argc; i++) {
		if (strcmp(argv[i], "--ignore") || i + 1 >= argc ||
		    nignores >= MAX_IGNORES ||
		    parse_ignore(argv[i + 1], &ignores[nignores]))
			return usage();
		nignores++;
		i++;
	}
	a = load_xml(argv[2]);
	b = load_xml(argv[3]);
	if (!a || !b) {
		xmlFreeDoc(a);
		xmlFreeDoc(b);
		return 2;
	}
	cmp_elem("", xmlDocGetRootElement(a), xmlDocGetRootElement(b));
	xmlFreeDoc(a);
	xmlFreeDoc(b);
	if (ndiffs > 50)
		printf("... %u differences in all\n", ndiffs);
	return ndiffs ? 1 : 0;
}

static int cmd_serialize(int argc, char **argv)
{
	struct vb_error err = { 0 };
	struct sdoc *d;
	char *out;
	size_t len;
	enum sdoc_kind kind;

	if (argc != 4)
		return usage();
	if (!strcmp(argv[2], "machine"))
		kind = SDOC_MACHINE;
	else if (!strcmp(argv[2], "global"))
		kind = SDOC_GLOBAL;
	else
		return usage();
	if (sdoc_load(argv[3], kind, &d, &err)) {
		fprintf(stderr, "settings-tool: %s\n", err.msg);
		return 2;
	}
	if (sdoc_serialize(d, &out, &len, &err)) {
		fprintf(stderr, "settings-tool: %s\n", err.msg);
		sdoc_free(d);
		return 2;
	}
	fwrite(out, 1, len, stdout);
	free(out);
	sdoc_free(d);
	return 0;
}

static int cmd_version(int argc, char **argv)
{
	xmlDoc *d;
	xmlChar *v;

	if (argc != 3)
		return usage();
	d = load_xml(argv[2]);
	if (!d)
		return 2;
	v = xmlGetProp(xmlDocGetRootElement(d), BAD_CAST "version");
	printf("%s\n", v ? (const char *)v : "");
	xmlFree(v);
	xmlFreeDoc(d);
	return 0;
}

static int cmd_watch(int argc, char **argv)
{
	unsigned long reads = 0, bad = 0;
	enum sdoc_kind kind;

	if (argc != 5)
		return usage();
	kind = !strcmp(argv[2], "global") ? SDOC_GLOBAL : SDOC_MACHINE;
	while (access(argv[4], F_OK) != 0) {
		struct vb_error err = { 0 };
		struct sdoc *d;

		if (sdoc_load(argv[3], kind, &d, &err)) {
			if (bad++ < 20)
				printf("read %lu: %s\n", reads, err.msg);
		} else {
			sdoc_free(d);
		}
		reads++;
	}
	printf("%lu reads, %lu failed\n", reads, bad);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "serialize"))
		return cmd_serialize(argc, argv);
	if (!strcmp(argv[1], "xmlcmp"))
		return cmd_xmlcmp(argc, argv);
	if (!strcmp(argv[1], "version"))
		return cmd_version(argc, argv);
	if (!strcmp(argv[1], "watch"))
		return cmd_watch(argc, argv);
	return usage();
}
