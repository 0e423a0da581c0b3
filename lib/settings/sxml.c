/*
 * The DOM under every settings file: parsing with libxml2 (hardened), our
 * own serialiser that writes exactly what VirtualBox's libxml2-based writer
 * writes, and the struct snode accessors.
 *
 * Output format (VirtualBox 4.0 .. 7.1): '<?xml version="1.0"?>', the
 * DO-NOT-EDIT comment, then the tree indented by two spaces per level,
 * attributes in document order, childless elements self-closed, elements
 * holding only text written on one line.  Non-ASCII characters become
 * upper-case hexadecimal character references.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>

#include "lib/settings/settings-int.h"
#include "lib/util/checked.h"
#include "lib/util/error.h"

/* ------------------------------------------------------------------ */
/* parsing                                                             */

struct parse_ctx {
	char msg[512];
	int line;
	int int1;
	int col;
	int have;
};

static void quiet_error(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static void structured_error(void *userdata, xmlErrorPtr e)
{
	struct parse_ctx *pc = userdata;
	size_t n;

	if (pc->have || !e || !e->message)
		return;
	vb_strlcpy(pc->msg, e->message, sizeof(pc->msg));
	n = strlen(pc->msg);
	/* as IPRT's XmlError: no trailing blanks, newlines or full stop */
	while (n && strchr(" \n.?!", pc->msg[n - 1]))
		pc->msg[--n] = '\0';
	pc->line = e->line;
	pc->int1 = e->int1;
	pc->col = e->int2;
	pc->have = 1;
}

static bool blank_text(const xmlNode *c)
{
	const xmlChar *s;

	if (c->type != XML_TEXT_NODE)
		return false;
	for (s = c->content; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

/* Whitespace between elements is layout, not content (VirtualBox never
 * keeps it): drop blank text children of an element that has element
 * children, so that the serialiser's layout is the only one. */
static void drop_layout_text(xmlNode *p)
{
	xmlNode *c, *next;
	bool elems = false;

	for (c = p->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			elems = true;
	for (c = p->children; c; c = next) {
		next = c->next;
		if (elems && blank_text(c)) {
			xmlUnlinkNode(c);
			xmlFreeNode(c);
		} else if (c->type == XML_ELEMENT_NODE) {
			drop_layout_text(c);
		}
	}
}

static bool has_doctype(const char *data, size_t len)
{
	static const char pat[] = "<!DOCTYPE";
	size_t i;

	for (i = 0; i + sizeof(pat) - 1 <= len; i++)
		if (data[i] == '<' && !memcmp(data + i, pat, sizeof(pat) - 1))
			return true;
	return false;
}

/* Run libxml2 over a settings file's bytes.  With sax NULL the tree is
 * built (*doc); otherwise only sax is called (ctxt->_private = priv).
 * The same checks and error texts either way. */
static int run_parser(const char *data, size_t len, const char *path,
		      const xmlSAXHandler *sax, void *priv, int opts,
		      xmlDoc **doc, struct vb_error *err)
{
	struct parse_ctx pc = { { 0 }, 0, 0, 0, 0 };
	xmlParserCtxt *ctxt;
	xmlDoc *d;
	int well;

	*doc = NULL;
	if (len > SETTINGS_MAX_FILE || len > (size_t)INT32_MAX)
		return vb_err(err, EFBIG, VBOX_E_XML_ERROR,
			      "Settings file '%s' is too large", path);
	if (has_doctype(data, len))
		return vb_err(err, EINVAL, VBOX_E_XML_ERROR,
			      "Error in %s (line 1) -- document type declarations are not allowed in settings files.",
			      path);
	xmlSetGenericErrorFunc(NULL, quiet_error);
	ctxt = xmlNewParserCtxt();
	if (!ctxt)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	if (sax) {
		memcpy(ctxt->sax, sax, sizeof(*sax));
		ctxt->_private = priv;
	}
	xmlSetStructuredErrorFunc(&pc, structured_error);
	d = xmlCtxtReadMemory(ctxt, data, (int)len, path, NULL,
			      XML_PARSE_NONET | XML_PARSE_NOBLANKS |
			      XML_PARSE_NOCDATA | XML_PARSE_NOWARNING |
			      XML_PARSE_NOERROR | opts);
	xmlSetStructuredErrorFunc(NULL, NULL);
	well = ctxt->wellFormed;
	if (!d && ctxt->myDoc)
		d = ctxt->myDoc;
	ctxt->myDoc = NULL;
	xmlFreeParserCtxt(ctxt);
	if (!well || (!sax && !d)) {
		xmlFreeDoc(d);
		/* VirtualBox's text for libxml2 errors (IPRT XmlError) */
		return vb_err(err, EINVAL, VBOX_E_XML_ERROR,
			      "%s.\nLocation: '%s', line %d (%d), column %d.",
			      pc.have ? pc.msg : "Document is not well-formed",
			      path, pc.line, pc.int1, pc.col);
	}
	if (sax) {
		xmlFreeDoc(d);
		return 0;
	}
	*doc = d;
	return 0;
}

int sxml_parse(const char *data, size_t len, const char *path, xmlDoc **out,
	       struct vb_error *err)
{
	xmlDoc *doc;
	int rc;

	*out = NULL;
	rc = run_parser(data, len, path, NULL, NULL, 0, &doc, err);
	if (rc)
		return rc;
	if (doc->intSubset || doc->extSubset) {
		xmlFreeDoc(doc);
		return vb_err(err, EINVAL, VBOX_E_XML_ERROR,
			      "Error in %s (line 1) -- document type declarations are not allowed in settings files.",
			      path);
	}
	drop_layout_text(xmlDocGetRootElement(doc));
	*out = doc;
	return 0;
}

/* The head of a settings file, read without building a tree. */
static void peek_start(void *ctx, const xmlChar *local, const xmlChar *prefix,
		       const xmlChar *uri, int nns, const xmlChar **nss,
		       int nattr, int ndef, const xmlChar **attrs)
{
	xmlParserCtxt *ctxt = ctx;
	struct sxml_head *h = ctxt->_private;
	int i, line = xmlSAX2GetLineNumber(ctx);

	(void)prefix;
	(void)uri;
	(void)nns;
	(void)nss;
	(void)ndef;
	h->depth++;
	if (h->depth > 2 || h->oom)
		return;
	if (h->depth == 1) {
		vb_strlcpy(h->root, (const char *)local, sizeof(h->root));
		h->root_line = line;
	} else if (h->has_top || strcmp((const char *)local, h->want_top)) {
		return;
	} else {
		h->has_top = true;
		h->top_line = line;
	}
	/* attrs: localname, prefix, URI, value, end for each */
	for (i = 0; i < nattr; i++) {
		const char *name = (const char *)attrs[5 * i];
		const char *v = (const char *)attrs[5 * i + 3];
		size_t len = (size_t)(attrs[5 * i + 4] - attrs[5 * i + 3]);
		char **slot = NULL;

		/* like snode_attr: by local name, the first one */
		if (h->depth == 1 && !strcmp(name, "version"))
			slot = &h->version;
		else if (h->depth == 2 && !strcmp(name, "name"))
			slot = &h->name;
		else if (h->depth == 2 && !strcmp(name, "uuid"))
			slot = &h->uuid;
		if (!slot || *slot)
			continue;
		*slot = strndup(v, len);
		if (!*slot)
			h->oom = true;
	}
}

static void peek_end(void *ctx, const xmlChar *local, const xmlChar *prefix,
		     const xmlChar *uri)
{
	struct sxml_head *h = ((xmlParserCtxt *)ctx)->_private;

	(void)local;
	(void)prefix;
	(void)uri;
	h->depth--;
}

/* Content is parsed (and checked) as for the tree, then dropped: with no
 * handler libxml2 takes other paths and words some errors differently. */
static void peek_chars(void *ctx, const xmlChar *ch, int len)
{
	(void)ctx;
	(void)ch;
	(void)len;
}

static void peek_comment(void *ctx, const xmlChar *value)
{
	(void)ctx;
	(void)value;
}

static void peek_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
	(void)ctx;
	(void)target;
	(void)data;
}

void sxml_head_release(struct sxml_head *h)
{
	free(h->version);
	free(h->name);
	free(h->uuid);
	memset(h, 0, sizeof(*h));
}

int sxml_peek(const char *data, size_t len, const char *path,
	      const char *want_top, struct sxml_head *h, struct vb_error *err)
{
	xmlSAXHandler sax;
	xmlDoc *none;
	int rc;

	memset(h, 0, sizeof(*h));
	h->want_top = want_top;
	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = peek_start;
	sax.endElementNs = peek_end;
	sax.characters = peek_chars;
	sax.cdataBlock = peek_chars;
	sax.ignorableWhitespace = peek_chars;
	sax.comment = peek_comment;
	sax.processingInstruction = peek_pi;
	/* NOENT: with no DTD this only resolves &amp; and friends into the
	 * values, as the tree builder does */
	rc = run_parser(data, len, path, &sax, h, XML_PARSE_NOENT, &none, err);
	if (!rc && h->oom)
		rc = vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	if (rc) {
		sxml_head_release(h);
		return rc;
	}
	h->have_root = h->root[0] != '\0';
	return 0;
}

/* ------------------------------------------------------------------ */
/* serialising                                                         */

static const char do_not_edit[] =
	"<!--\n"
	"** DO NOT EDIT THIS FILE.\n"
	"** If you make changes to this file while any VirtualBox related application\n"
	"** is running, your changes will be overwritten later, without taking effect.\n"
	"** Use VBoxManage or the VirtualBox Manager GUI to make changes.\n"
	"-->\n";

/* Decode one UTF-8 sequence into *cp and return its length.  A byte that
 * does not start a well-formed sequence (stray continuation, overlong
 * form, surrogate, beyond U+10FFFF, cut short) gives length 1 and
 * *cp = -1. */
static size_t utf8_decode(const unsigned char *s, long *cp)
{
	static const unsigned long min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	unsigned long c = s[0];
	size_t n, i;

	if (c < 0x80) {
		*cp = (long)c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		n = 2;
		c &= 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3;
		c &= 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4;
		c &= 0x07;
	} else {
		*cp = -1;
		return 1;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*cp = -1;
			return 1;
		}
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
		*cp = -1;
		return 1;
	}
	*cp = (long)c;
	return n;
}

/* A character XML 1.0 can carry (the Char production). */
static bool xml_char(long c)
{
	return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 && c <= 0xd7ff) ||
	       (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

/* Escape as libxml2 writes a document without a declared encoding.  What
 * a file cannot hold (bytes that are not UTF-8, control characters; they
 * can only come from a command line, never from a parsed file) becomes
 * U+FFFD, so that a written file always reads back. */
static void escape(struct strbuf *sb, const char *text, int in_attr)
{
	const unsigned char *s = (const unsigned char *)text;

	while (*s) {
		long cp;
		size_t n;

		switch (*s) {
		case '&':
			sb_adds(sb, "&amp;");
			s++;
			continue;
		case '<':
			sb_adds(sb, "&lt;");
			s++;
			continue;
		case '>':
			sb_adds(sb, "&gt;");
			s++;
			continue;
		case '\r':
			sb_adds(sb, "&#13;");
			s++;
			continue;
		case '"':
			sb_adds(sb, in_attr ? "&quot;" : "\"");
			s++;
			continue;
		case '\n':
			sb_adds(sb, in_attr ? "&#10;" : "\n");
			s++;
			continue;
		case '\t':
			sb_adds(sb, in_attr ? "&#9;" : "\t");
			s++;
			continue;
		default:
			break;
		}
		n = utf8_decode(s, &cp);
		if (cp < 0 || !xml_char(cp))
			sb_adds(sb, "&#xFFFD;");
		else if (cp < 0x80)
			sb_addc(sb, (char)cp);
		else
			sb_addf(sb, "&#x%lX;", (unsigned long)cp);
		s += n;
	}
}

static void indent(struct strbuf *sb, int depth)
{
	int i;

	for (i = 0; i < depth; i++)
		sb_adds(sb, "  ");
}

static void put_name(struct strbuf *sb, const xmlNs *ns, const xmlChar *name)
{
	if (ns && ns->prefix)
		sb_addf(sb, "%s:", (const char *)ns->prefix);
	sb_adds(sb, (const char *)name);
}

/* libxml2 stops formatting inside an element that has text among its
 * children: such content is written exactly as it is. */
static bool has_text(const xmlNode *n)
{
	const xmlNode *c;

	for (c = n->children; c; c = c->next)
		if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
			return true;
	return false;
}

static bool is_blank(const xmlChar *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

static void write_node(struct strbuf *sb, const xmlNode *n, int depth,
		       bool format)
{
	const xmlAttr *a;
	const xmlNs *ns;
	const xmlNode *c;
	bool inner;

	switch (n->type) {
	case XML_TEXT_NODE:
	case XML_CDATA_SECTION_NODE:
		escape(sb, (const char *)n->content, 0);
		return;
	case XML_COMMENT_NODE:
		if (format)
			indent(sb, depth);
		sb_adds(sb, "<!--");
		sb_adds(sb, (const char *)n->content);
		sb_adds(sb, "-->");
		if (format)
			sb_addc(sb, '\n');
		return;
	case XML_PI_NODE:
		if (format)
			indent(sb, depth);
		sb_addf(sb, "<?%s", (const char *)n->name);
		if (n->content && *n->content)
			sb_addf(sb, " %s", (const char *)n->content);
		sb_adds(sb, "?>");
		if (format)
			sb_addc(sb, '\n');
		return;
	case XML_ELEMENT_NODE:
		break;
	default:
		return;
	}
	if (format)
		indent(sb, depth);
	sb_addc(sb, '<');
	put_name(sb, n->ns, n->name);
	for (ns = n->nsDef; ns; ns = ns->next) {
		if (ns->prefix)
			sb_addf(sb, " xmlns:%s=\"", (const char *)ns->prefix);
		else
			sb_adds(sb, " xmlns=\"");
		escape(sb, (const char *)ns->href, 1);
		sb_addc(sb, '"');
	}
	for (a = n->properties; a; a = a->next) {
		xmlChar *v = xmlNodeGetContent((const xmlNode *)a);

		sb_addc(sb, ' ');
		put_name(sb, a->ns, a->name);
		sb_adds(sb, "=\"");
		escape(sb, v ? (const char *)v : "", 1);
		sb_addc(sb, '"');
		xmlFree(v);
	}
	if (!n->children) {
		sb_adds(sb, "/>");
	} else {
		inner = format && !has_text(n);
		sb_addc(sb, '>');
		if (inner)
			sb_addc(sb, '\n');
		for (c = n->children; c; c = c->next)
			write_node(sb, c, depth + 1, inner);
		if (inner)
			indent(sb, depth);
		sb_adds(sb, "</");
		put_name(sb, n->ns, n->name);
		sb_addc(sb, '>');
	}
	if (format)
		sb_addc(sb, '\n');
}

int sxml_serialize(xmlDoc *doc, struct strbuf *out)
{
	xmlNode *root = xmlDocGetRootElement(doc);

	if (!root)
		return -EINVAL;
	sb_adds(out, "<?xml version=\"1.0\"?>\n");
	sb_adds(out, do_not_edit);
	write_node(out, root, 0, true);
	return out->oom ? -ENOMEM : 0;
}

/* ------------------------------------------------------------------ */
/* snode accessors                                                     */

/* Every mutator tells the document first (doc.c keeps what it was). */
static void touch(const struct snode *n)
{
	if (n && XN(n)->doc)
		sdoc_before_change(XN(n)->doc);
}

const char *snode_name(const struct snode *n)
{
	return n ? (const char *)XN(n)->name : NULL;
}

struct snode *snode_parent(const struct snode *n)
{
	xmlNode *p = n ? XN(n)->parent : NULL;

	return p && p->type == XML_ELEMENT_NODE ? SN(p) : NULL;
}

static bool name_is(const xmlNode *x, const char *name)
{
	return x->type == XML_ELEMENT_NODE &&
	       (!name || !strcmp((const char *)x->name, name));
}

struct snode *snode_child(const struct snode *n, const char *name)
{
	xmlNode *c;

	if (!n)
		return NULL;
	for (c = XN(n)->children; c; c = c->next)
		if (name_is(c, name))
			return SN(c);
	return NULL;
}

struct snode *snode_next(const struct snode *n, const char *name)
{
	xmlNode *c;

	if (!n)
		return NULL;
	for (c = XN(n)->next; c; c = c->next)
		if (name_is(c, name))
			return SN(c);
	return NULL;
}

struct snode *snode_path(const struct snode *n, const char *path)
{
	char step[128];
	const char *p = path, *slash;

	while (n && *p) {
		size_t len;

		slash = strchr(p, '/');
		len = slash ? (size_t)(slash - p) : strlen(p);
		if (len >= sizeof(step))
			return NULL;
		memcpy(step, p, len);
		step[len] = '\0';
		n = snode_child(n, step);
		p += len;
		if (*p == '/')
			p++;
	}
	return (struct snode *)n;
}

struct snode *snode_child_with(const struct snode *n, const char *name,
			       const char *attr, const char *value)
{
	struct snode *c;

	for (c = snode_child(n, name); c; c = snode_next(c, name)) {
		const char *v = snode_attr(c, attr);

		if (v && !strcmp(v, value))
			return c;
	}
	return NULL;
}

unsigned snode_count(const struct snode *n, const char *name)
{
	struct snode *c;
	unsigned k = 0;

	for (c = snode_child(n, name); c; c = snode_next(c, name))
		k++;
	return k;
}

const char *snode_attr(const struct snode *n, const char *attr)
{
	xmlAttr *a;

	if (!n)
		return NULL;
	for (a = XN(n)->properties; a; a = a->next)
		if (!strcmp((const char *)a->name, attr)) {
			if (a->children && a->children->type == XML_TEXT_NODE &&
			    !a->children->next)
				return (const char *)a->children->content;
			return a->children ? (const char *)a->children->content
					   : "";
		}
	return NULL;
}

bool snode_has_attr(const struct snode *n, const char *attr)
{
	return snode_attr(n, attr) != NULL;
}

int snode_set_attr(struct snode *n, const char *attr, const char *value)
{
	xmlAttr *a;

	touch(n);
	if (!n)
		return -EINVAL;
	if (!value) {
		for (a = XN(n)->properties; a; a = a->next)
			if (!strcmp((const char *)a->name, attr)) {
				xmlRemoveProp(a);
				break;
			}
		return 0;
	}
	/* xmlSetProp keeps the attribute's position when it exists */
	return xmlSetProp(XN(n), BAD_CAST attr, BAD_CAST value) ? 0 : -ENOMEM;
}

static xmlAttr *find_attr(const struct snode *n, const char *attr)
{
	xmlAttr *a;

	for (a = XN(n)->properties; a; a = a->next)
		if (!strcmp((const char *)a->name, attr))
			return a;
	return NULL;
}

/* Unlink an attribute from its element's list (without freeing it). */
static void attr_unlink(xmlAttr *a)
{
	xmlNode *p = a->parent;

	if (a->prev)
		a->prev->next = a->next;
	else
		p->properties = a->next;
	if (a->next)
		a->next->prev = a->prev;
	a->prev = a->next = NULL;
}

/* Link attribute a into p's list before `before` (NULL: at the end). */
static void attr_link_before(xmlNode *p, xmlAttr *a, xmlAttr *before)
{
	xmlAttr *last;

	a->parent = p;
	if (before) {
		a->next = before;
		a->prev = before->prev;
		if (before->prev)
			before->prev->next = a;
		else
			p->properties = a;
		before->prev = a;
		return;
	}
	a->next = NULL;
	if (!p->properties) {
		a->prev = NULL;
		p->properties = a;
		return;
	}
	for (last = p->properties; last->next; last = last->next)
		;
	last->next = a;
	a->prev = last;
}

int snode_rename_attr(struct snode *n, const char *from, const char *to)
{
	xmlAttr *old, *nu, *next;
	xmlChar *v;

	touch(n);
	if (!n || !(old = find_attr(n, from)))
		return 0;
	if (find_attr(n, to)) {
		xmlRemoveProp(old);
		return 0;
	}
	v = xmlNodeGetContent((xmlNode *)old);
	next = old->next;
	nu = xmlNewProp(XN(n), BAD_CAST to, v ? v : BAD_CAST "");
	xmlFree(v);
	if (!nu)
		return -ENOMEM;
	/* xmlNewProp appended it: move it to the old one's place */
	attr_unlink(nu);
	xmlRemoveProp(old);
	attr_link_before(XN(n), nu, next);
	return 0;
}

void snode_order_attrs(struct snode *n, const char *const *order)
{
	xmlAttr *first_rest, *a;
	size_t i;

	touch(n);
	if (!n)
		return;
	/* move each listed attribute, in turn, to the end of the ordered
	 * prefix, i.e. before the first attribute not yet placed */
	first_rest = XN(n)->properties;
	for (i = 0; order[i]; i++) {
		a = find_attr(n, order[i]);
		if (!a)
			continue;
		if (a == first_rest) {
			first_rest = a->next;
			continue;
		}
		attr_unlink(a);
		attr_link_before(XN(n), a, first_rest);
	}
}

int snode_set_attrf(struct snode *n, const char *attr, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return snode_set_attr(n, attr, buf);
}

const char *snode_attr_at(const struct snode *n, unsigned i,
			  const char **value)
{
	xmlAttr *a;

	if (!n)
		return NULL;
	for (a = XN(n)->properties; a && i; a = a->next)
		i--;
	if (!a)
		return NULL;
	*value = a->children ? (const char *)a->children->content : "";
	return (const char *)a->name;
}

char *snode_text(const struct snode *n)
{
	xmlChar *t;
	char *r;

	if (!n)
		return NULL;
	t = xmlNodeGetContent(XN(n));
	if (!t)
		return NULL;
	r = strdup((const char *)t);
	xmlFree(t);
	return r;
}

int snode_set_text(struct snode *n, const char *text)
{
	xmlChar *enc;

	touch(n);
	if (!n)
		return -EINVAL;
	enc = xmlEncodeSpecialChars(XN(n)->doc, BAD_CAST text);
	if (!enc)
		return -ENOMEM;
	xmlNodeSetContent(XN(n), enc);
	xmlFree(enc);
	return 0;
}

bool snode_bool(const struct snode *n, const char *attr, bool def)
{
	const char *v = snode_attr(n, attr);

	if (!v)
		return def;
	if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1"))
		return true;
	if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "0"))
		return false;
	return def;
}

uint64_t snode_u64(const struct snode *n, const char *attr, uint64_t def)
{
	const char *v = snode_attr(n, attr);
	unsigned long long r;

	if (!v || vb_parse_u64(v, &r))
		return def;
	return r;
}

int64_t snode_i64(const struct snode *n, const char *attr, int64_t def)
{
	const char *v = snode_attr(n, attr);
	long long r;

	if (!v || vb_parse_i64(v, &r))
		return def;
	return r;
}

uint32_t snode_u32(const struct snode *n, const char *attr, uint32_t def)
{
	uint64_t v = snode_u64(n, attr, def);

	return v > UINT32_MAX ? def : (uint32_t)v;
}

bool snode_child_enabled(const struct snode *n, const char *name, bool def)
{
	struct snode *c = snode_child(n, name);

	return c ? snode_bool(c, "enabled", def) : def;
}

int snode_set_bool(struct snode *n, const char *attr, bool v)
{
	return snode_set_attr(n, attr, v ? "true" : "false");
}

int snode_set_u64(struct snode *n, const char *attr, uint64_t v)
{
	return snode_set_attrf(n, attr, "%llu", (unsigned long long)v);
}

int snode_set_i64(struct snode *n, const char *attr, int64_t v)
{
	return snode_set_attrf(n, attr, "%lld", (long long)v);
}

/* Insert c as a child of p at its schema position: after the last child
 * whose rank is not greater than c's; unknown names keep their place. */
static void place_by_schema(xmlNode *p, xmlNode *c);

/* Insert, then drop the whitespace that no longer stands alone. */
static void insert_ordered(xmlNode *p, xmlNode *c)
{
	xmlNode *k, *next;

	place_by_schema(p, c);
	for (k = p->children; k; k = next) {
		next = k->next;
		if (blank_text(k)) {
			xmlUnlinkNode(k);
			xmlFreeNode(k);
		}
	}
}

static void place_by_schema(xmlNode *p, xmlNode *c)
{
	int rank = schema_rank((const char *)p->name, (const char *)c->name);
	xmlNode *k, *after = NULL;

	if (rank < 0) {
		xmlAddChild(p, c);
		return;
	}
	for (k = p->children; k; k = k->next) {
		int r;

		if (k->type != XML_ELEMENT_NODE)
			continue;
		r = schema_rank((const char *)p->name, (const char *)k->name);
		if (r < 0)
			continue;
		if (r <= rank)
			after = k;
	}
	if (after) {
		xmlAddNextSibling(after, c);
		return;
	}
	/* before the first ranked element, else at the end */
	for (k = p->children; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE &&
		    schema_rank((const char *)p->name, (const char *)k->name) >= 0) {
			xmlAddPrevSibling(k, c);
			return;
		}
	xmlAddChild(p, c);
}

struct snode *snode_add(struct snode *n, const char *name)
{
	xmlNode *c;

	touch(n);
	if (!n)
		return NULL;
	c = xmlNewDocNode(XN(n)->doc, XN(n)->ns, BAD_CAST name, NULL);
	if (!c)
		return NULL;
	insert_ordered(XN(n), c);
	return SN(c);
}

struct snode *snode_ensure(struct snode *n, const char *name)
{
	struct snode *c = snode_child(n, name);

	return c ? c : snode_add(n, name);
}

struct snode *snode_ensure_path(struct snode *n, const char *path)
{
	char step[128];
	const char *p = path, *slash;

	while (n && *p) {
		size_t len;

		slash = strchr(p, '/');
		len = slash ? (size_t)(slash - p) : strlen(p);
		if (len >= sizeof(step))
			return NULL;
		memcpy(step, p, len);
		step[len] = '\0';
		n = snode_ensure(n, step);
		p += len;
		if (*p == '/')
			p++;
	}
	return n;
}

void snode_remove(struct snode *n)
{
	touch(n);
	if (!n)
		return;
	xmlUnlinkNode(XN(n));
	xmlFreeNode(XN(n));
}

bool snode_is_empty(const struct snode *n)
{
	const xmlNode *c;

	if (!n || XN(n)->properties)
		return false;
	for (c = XN(n)->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE ||
		    (c->type == XML_TEXT_NODE && !is_blank(c->content)) ||
		    c->type == XML_COMMENT_NODE)
			return false;
	return true;
}

void snode_prune_empty(struct snode *n, const struct snode *stop)
{
	while (n && n != stop && snode_is_empty(n)) {
		struct snode *p = snode_parent(n);

		snode_remove(n);
		n = p;
	}
}

int snode_move(struct snode *n, struct snode *new_parent)
{
	touch(n);
	if (!n || !new_parent)
		return -EINVAL;
	xmlUnlinkNode(XN(n));
	insert_ordered(XN(new_parent), XN(n));
	return 0;
}

/* A copied subtree: put it in its new parent's namespace instead of the
 * declarations libxml2 made for it. */
static void adopt_ns(xmlNode *x, xmlNs *ns)
{
	xmlNode *c;
	xmlAttr *a;

	if (x->type != XML_ELEMENT_NODE)
		return;
	for (a = x->properties; a; a = a->next)
		a->ns = NULL;   /* may point into the declarations freed below */
	if (x->nsDef) {
		xmlFreeNsList(x->nsDef);
		x->nsDef = NULL;
	}
	x->ns = ns;
	for (c = x->children; c; c = c->next)
		adopt_ns(c, ns);
}

struct snode *snode_copy(const struct snode *n, struct snode *new_parent)
{
	xmlNode *c;

	touch(new_parent);
	if (!n || !new_parent)
		return NULL;
	c = xmlDocCopyNode(XN(n), XN(new_parent)->doc, 1);
	if (!c)
		return NULL;
	/* libxml2 re-declares a namespace the copy's ancestors held */
	adopt_ns(c, XN(new_parent)->ns);
	insert_ordered(XN(new_parent), c);
	return SN(c);
}

int snode_rename(struct snode *n, const char *name)
{
	touch(n);
	if (!n)
		return -EINVAL;
	xmlNodeSetName(XN(n), BAD_CAST name);
	return 0;
}

static int cmp_by_attr(const void *a, const void *b, void *attr)
{
	const char *va = snode_attr(a, attr);
	const char *vb = snode_attr(b, attr);

	return strcmp(va ? va : "", vb ? vb : "");
}

/* Stable merge sort of n pointers (O(n log n): a hostile file may hold
 * a million ExtraData items).  -ENOMEM when the scratch array fails. */
static int stable_sort(void **v, size_t n,
		       int (*cmp)(const void *, const void *, void *), void *arg)
{
	void **tmp;
	size_t width, i;

	if (n < 2)
		return 0;
	tmp = calloc(n, sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	for (width = 1; width < n; width *= 2) {
		for (i = 0; i < n; i += 2 * width) {
			size_t lo = i, mid = i + width, hi = i + 2 * width;
			size_t a, b, k;

			if (mid > n)
				mid = n;
			if (hi > n)
				hi = n;
			a = lo;
			b = mid;
			k = lo;
			while (a < mid && b < hi)
				tmp[k++] = cmp(v[b], v[a], arg) < 0 ? v[b++] : v[a++];
			while (a < mid)
				tmp[k++] = v[a++];
			while (b < hi)
				tmp[k++] = v[b++];
		}
		memcpy(v, tmp, n * sizeof(*v));
	}
	free(tmp);
	return 0;
}

/* Put the sibling elements v[] back in array order, starting where `at`
 * (one of them) is.  The anchor is a comment node because libxml2 merges
 * adjacent text nodes. */
static void relink(xmlNode *at, xmlNode **v, size_t cnt)
{
	xmlNode *anchor = xmlNewDocComment(at->doc, BAD_CAST "");
	size_t i;

	if (!anchor)
		return;
	xmlAddPrevSibling(at, anchor);
	for (i = 0; i < cnt; i++)
		xmlUnlinkNode(v[i]);
	for (i = cnt; i-- > 0;)
		xmlAddNextSibling(anchor, v[i]);
	xmlUnlinkNode(anchor);
	xmlFreeNode(anchor);
}

struct ranked {
	xmlNode *x;
	int rank;
};

static int cmp_rank(const void *a, const void *b, void *unused)
{
	const struct ranked *x = a, *y = b;

	(void)unused;
	return (x->rank > y->rank) - (x->rank < y->rank);
}

void snode_sort_by_schema(struct snode *n)
{
	struct ranked *items;
	void **v;
	xmlNode **order;
	xmlNode *c;
	size_t k = 0, i, cnt = snode_count(n, NULL);
	int last = -1;

	touch(n);
	if (cnt < 2)
		return;
	items = calloc(cnt, sizeof(*items));
	v = calloc(cnt, sizeof(*v));
	order = calloc(cnt, sizeof(*order));
	if (!items || !v || !order)
		goto out;
	for (c = XN(n)->children; c && k < cnt; c = c->next) {
		int r;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		r = schema_rank((const char *)XN(n)->name, (const char *)c->name);
		if (r >= 0)
			last = r;
		items[k].x = c;
		items[k].rank = r >= 0 ? r : last;
		v[k] = &items[k];
		k++;
	}
	if (stable_sort(v, k, cmp_rank, NULL))
		goto out;
	for (i = 0; i < k; i++)
		order[i] = ((struct ranked *)v[i])->x;
	relink(XN(snode_child(n, NULL)), order, k);
out:
	free(items);
	free(v);
	free(order);
}

void snode_sort_children(struct snode *n, const char *name, const char *attr)
{
	void **v;
	struct snode *c;
	size_t k = 0, cnt = snode_count(n, name);

	touch(n);
	if (cnt < 2)
		return;
	v = calloc(cnt, sizeof(*v));
	if (!v)
		return;
	for (c = snode_child(n, name); c && k < cnt; c = snode_next(c, name))
		v[k++] = c;
	/* the sorted run goes where the first of them was */
	if (stable_sort(v, k, cmp_by_attr, (void *)attr) == 0)
		relink(XN(snode_child(n, name)), (xmlNode **)v, k);
	free(v);
}
