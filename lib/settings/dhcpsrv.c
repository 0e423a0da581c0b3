/*
 * DHCP servers of VirtualBox.xml (see dhcpsrv.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/settings/dhcpsrv.h"
#include "lib/settings/netsvc.h"
#include "lib/util/strbuf.h"

/* ------------------------------------------------------------------ */
/* values                                                              */

static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

int dhcp_hex_bytes(const char *s, unsigned max)
{
	unsigned n = 0;

	if (strchr(s, ':')) {
		for (;;) {
			unsigned d = 0;

			while (d < 2 && isxdigit((unsigned char)*s)) {
				s++;
				d++;
			}
			if (!d || ++n > max)
				return -1;
			if (!*s)
				return (int)n;
			if (*s++ != ':')
				return -1;
		}
	}
	while (*s) {
		if (!isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1]))
			return -1;
		if (++n > max)
			return -1;
		s += 2;
	}
	return n ? (int)n : -1;
}

int dhcp_parse_mac(const char *s, char out[18])
{
	unsigned b[6], i;
	char sep = 0;

	s = skip_blanks(s);
	if (strlen(s) == 12 && dhcp_hex_bytes(s, 6) == 6) {
		for (i = 0; i < 6; i++)
			sscanf(s + 2 * i, "%2x", &b[i]);
	} else {
		for (i = 0; i < 6; i++) {
			unsigned d = 0, v = 0;

			while (d < 2 && isxdigit((unsigned char)*s)) {
				v = v * 16 + (unsigned)(isdigit((unsigned char)*s) ? *s - '0'
					: tolower((unsigned char)*s) - 'a' + 10);
				s++;
				d++;
			}
			if (!d)
				return -1;
			b[i] = v;
			if (i == 5)
				break;
			if (!sep && (*s == ':' || *s == '-'))
				sep = *s;
			if (*s++ != sep)
				return -1;
		}
		if (*skip_blanks(s))
			return -1;
	}
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2],
		 b[3], b[4], b[5]);
	return 0;
}

/* RTStrToUInt{8,16,32}Full(base 10) after RTStrStripL, trailing spaces
 * allowed. */
static const char *parse_uint(const char *s, unsigned long long max)
{
	unsigned long long v = 0;

	s = skip_blanks(s);
	if (*s == '+')
		s++;
	if (!isdigit((unsigned char)*s))
		return "VERR_NO_DIGITS";
	while (isdigit((unsigned char)*s)) {
		v = v * 10 + (unsigned)(*s - '0');
		if (v > max)
			v = max + 1;
		s++;
	}
	if (*skip_blanks(s))
		return "VERR_TRAILING_CHARS";
	/* too big is only a warning for IPRT */
	return NULL;
}

static const char *parse_ipv4(const char *s)
{
	uint32_t a;

	return netsvc_parse_ipv4(s, &a) ? "VERR_INVALID_PARAMETER" : NULL;
}

static const char *parse_bool(const char *s)
{
	static const char *const words[] = { "true", "1", "yes", "on",
		"false", "0", "no", "off" };
	unsigned i;

	s = skip_blanks(s);
	for (i = 0; i < 8; i++)
		if (!strcmp(s, words[i]))
			return NULL;
	return parse_uint(s, 255);
}

static const char *parse_cidr(const char *s)
{
	uint32_t a, m;

	s = skip_blanks(s);
	if (!strchr(s, '/'))
		return parse_ipv4(s);
	return netsvc_parse_cidr(s, &a, &m) ? "VERR_INVALID_PARAMETER" : NULL;
}

enum otype { O_NONE, O_ADDR, O_ADDRS, O_PAIRS, O_CIDRS, O_STR, O_U8, O_U16,
	     O_U16S, O_U32, O_BOOL };

/* DhcpOption::parse with DHCPOptionEncoding_Normal inside VBoxSVC. */
static enum otype option_type(unsigned code)
{
	static const unsigned char t[81] = {
		[1] = O_ADDR, [2] = O_U32, [3] = O_ADDRS, [4] = O_ADDRS,
		[5] = O_ADDRS, [6] = O_ADDRS, [7] = O_ADDRS, [8] = O_ADDRS,
		[9] = O_ADDRS, [10] = O_ADDRS, [11] = O_ADDRS, [12] = O_STR,
		[13] = O_U16, [14] = O_STR, [15] = O_STR, [16] = O_ADDR,
		[17] = O_STR, [18] = O_STR, [19] = O_BOOL, [20] = O_BOOL,
		[21] = O_CIDRS, [22] = O_U16, [23] = O_U16, [24] = O_U32,
		[25] = O_U16S, [26] = O_U16, [27] = O_BOOL, [28] = O_ADDR,
		[29] = O_BOOL, [30] = O_BOOL, [31] = O_BOOL, [32] = O_ADDR,
		[33] = O_PAIRS, [34] = O_BOOL, [35] = O_U32, [36] = O_BOOL,
		[37] = O_U8, [38] = O_U32, [39] = O_BOOL, [40] = O_STR,
		[41] = O_ADDRS, [42] = O_ADDRS, [44] = O_ADDRS, [45] = O_ADDRS,
		[46] = O_U8, [48] = O_ADDRS, [49] = O_ADDRS, [62] = O_STR,
		[64] = O_STR, [65] = O_STR, [66] = O_STR, [67] = O_STR,
		[68] = O_ADDRS, [69] = O_ADDRS, [70] = O_ADDRS, [71] = O_ADDRS,
		[72] = O_ADDRS, [73] = O_ADDRS, [74] = O_ADDRS, [75] = O_ADDRS,
		[76] = O_ADDRS,
	};

	return code < 81 ? (enum otype)t[code] : O_NONE;
}

/* DhcpOption::parseList: items separated by blanks , ; : */
static const char *parse_list(const char *s, enum otype item, unsigned *count)
{
	char buf[256];

	*count = 0;
	s = skip_blanks(s);
	for (;;) {
		const char *next = strpbrk(s, " ,;:\t\n\r");
		const char *e;

		if (next) {
			size_t n = (size_t)(next - s);

			if (n >= sizeof(buf))
				return "VERR_INVALID_PARAMETER";
			memcpy(buf, s, n);
			buf[n] = '\0';
			do
				next++;
			while (*next == ' ' || *next == ':' || *next == ';' ||
			       *next == '\t' || *next == '\n' || *next == '\r');
			if (!*next)
				next = NULL;
		} else {
			snprintf(buf, sizeof(buf), "%s", s);
		}
		e = item == O_ADDR ? parse_ipv4(buf)
		    : item == O_CIDRS ? parse_cidr(buf) : parse_uint(buf, 65535);
		if (e)
			return "VERR_INVALID_PARAMETER";
		(*count)++;
		if (!next)
			return NULL;
		s = next;
	}
}

const char *dhcpopt_check(unsigned code, int enc, const char *value)
{
	unsigned n;
	const char *e;

	if (enc == DHCP_ENC_HEX)
		return dhcp_hex_bytes(skip_blanks(value), 255) < 0
		       ? "VERR_INVALID_PARAMETER" : NULL;
	if (enc != DHCP_ENC_NORMAL)
		return "VERR_WRONG_TYPE";
	switch (option_type(code)) {
	case O_ADDR: return parse_ipv4(value);
	case O_STR: return NULL;
	case O_U8: return parse_uint(value, 255);
	case O_U16: return parse_uint(value, 65535);
	case O_U32: return parse_uint(value, 0xffffffffull);
	case O_BOOL: return parse_bool(value);
	case O_ADDRS:
	case O_PAIRS:
		e = parse_list(value, O_ADDR, &n);
		if (e)
			return e;
		if (!n)
			return "VERR_NO_DATA";
		if (option_type(code) == O_PAIRS && (n & 1))
			return "VERR_UNEVEN_INPUT";
		return NULL;
	case O_CIDRS:
	case O_U16S:
		e = parse_list(value, option_type(code), &n);
		return e ? e : n ? NULL : "VERR_NO_DATA";
	case O_NONE:
	default:
		return "VERR_NOT_IMPLEMENTED";
	}
}

const char *dhcp_cond_check(int type, const char *value)
{
	static char msg[512];
	const char *p = value;
	size_t off = 0;
	unsigned pairs = 6;
	bool star = false;
	char ch;
	char mac[18];

#define MALFORMED(o) do { snprintf(msg, sizeof(msg), \
	"Malformed MAC wildcard address: %s (offset %zu)", value, (size_t)(o)); \
	return msg; } while (0)
#define TRAILING(o) do { snprintf(msg, sizeof(msg), \
	"Trailing chars in MAC wildcard address: %s (offset %zu)", value, (size_t)(o)); \
	return msg; } while (0)
#define XD(c) (isxdigit((unsigned char)(c)) || (c) == '?')

	switch (type) {
	case DHCP_COND_MAC:
		if (!dhcp_parse_mac(value, mac))
			return NULL;
		snprintf(msg, sizeof(msg), "Not a valid MAC address: %s", value);
		return msg;
	case DHCP_COND_MAC_WILD:
		/* DHCPGroupCondition::i_validateTypeAndValue, step by step */
		for (;;) {
			ch = p[off++];
			if (XD(ch)) {
				ch = p[off++];
				if (XD(ch)) {
					ch = p[off++];
					if (--pairs == 0) {
						if (!ch)
							return NULL;
						TRAILING(off - 1);
					}
					if (ch == ':' || ch == '*')
						continue;
					if (!ch && star)
						return NULL;
					MALFORMED(off - 1);
				}
				if (ch == '*') {
					star = true;
					do
						ch = p[off++];
					while (ch == '*');
					if (!ch)
						return NULL;
					if (--pairs == 0)
						TRAILING(off - 1);
					if (ch == ':')
						continue;
				} else {
					MALFORMED(off - 1);
				}
			} else if (ch == '*') {
				star = true;
				do
					ch = p[off++];
				while (ch == '*');
				if (!ch)
					return NULL;
				if (ch == ':') {
					if (--pairs == 0)
						TRAILING(off - 1);
					continue;
				}
			} else {
				MALFORMED(off - 1);
			}
			if (XD(ch)) {
				ch = p[off++];
				if (XD(ch) || ch == '*') {
					off -= 2;
					continue;
				}
				if (ch == ':') {
					ch = p[off++];
					if (!ch)
						return NULL;
					if (--pairs == 0)
						TRAILING(off - 1);
					continue;
				}
				if (!ch)
					return NULL;
				TRAILING(off - 1);
			}
			MALFORMED(off - 1);
		}
	case DHCP_COND_VENDOR:
	case DHCP_COND_VENDOR_WILD:
	case DHCP_COND_USER:
	case DHCP_COND_USER_WILD:
		if (!*value)
			return "Value cannot be empty";
		/* VirtualBox 7.0 compares the wrong way round: every value
		 * shorter than 255 bytes is "too long" */
		if (strlen(value) < 255) {
			snprintf(msg, sizeof(msg), "Value is too long: %zu bytes",
				 strlen(value));
			return msg;
		}
		return NULL;
	default:
		snprintf(msg, sizeof(msg), "Invalid condition type: %d", type);
		return msg;
	}
#undef MALFORMED
#undef TRAILING
#undef XD
}

/* ------------------------------------------------------------------ */
/* the structure                                                       */

int dhcpcfg_set_option(struct dhcp_config *c, unsigned code, int enc,
		       const char *value)
{
	char *v = vb_strdup(value ? value : "");

	if (!v || code > 255) {
		free(v);
		return -ENOMEM;
	}
	free(c->opt[code]);
	c->opt[code] = v;
	c->enc[code] = enc;
	return 0;
}

void dhcpcfg_clear(struct dhcp_config *c)
{
	unsigned i;

	for (i = 0; i < 256; i++)
		free(c->opt[i]);
	memset(c, 0, sizeof(*c));
}

static void group_free(struct dhcp_group *g)
{
	unsigned i;

	free(g->name);
	dhcpcfg_clear(&g->cfg);
	for (i = 0; i < g->nconds; i++)
		free(g->conds[i].value);
	free(g->conds);
}

static void indiv_free(struct dhcp_indiv *d)
{
	free(d->key);
	free(d->mac);
	free(d->vm);
	free(d->fixed);
	dhcpcfg_clear(&d->cfg);
}

void dhcpsrv_free(struct dhcp_server *s)
{
	unsigned i;

	free(s->name);
	free(s->ip);
	free(s->lower);
	free(s->upper);
	dhcpcfg_clear(&s->global);
	for (i = 0; i < s->ngroups; i++)
		group_free(&s->groups[i]);
	free(s->groups);
	for (i = 0; i < s->nindivs; i++)
		indiv_free(&s->indivs[i]);
	free(s->indivs);
	memset(s, 0, sizeof(*s));
}

int dhcpsrv_init(struct dhcp_server *s, const char *name)
{
	memset(s, 0, sizeof(*s));
	s->name = vb_strdup(name);
	s->ip = vb_strdup("0.0.0.0");
	s->lower = vb_strdup("0.0.0.0");
	s->upper = vb_strdup("0.0.0.0");
	if (!s->name || !s->ip || !s->lower || !s->upper ||
	    dhcpcfg_set_option(&s->global, DHCP_OPT_SUBNET_MASK,
			       DHCP_ENC_NORMAL, "0.0.0.0")) {
		dhcpsrv_free(s);
		return -ENOMEM;
	}
	return 0;
}

/* "1 3 5" -> codes */
static unsigned parse_codes(const char *s, uint8_t *out)
{
	unsigned n = 0;
	char *end;

	while (s && *s && n < 256) {
		unsigned long v = strtoul(s, &end, 10);

		if (end == s)
			break;
		if (v > 0 && v < 255)
			out[n++] = (uint8_t)v;
		s = end;
	}
	return n;
}

static int read_config(struct snode *n, struct dhcp_config *c, bool skip_mask)
{
	struct snode *o;

	c->min_lease = snode_u32(n, "secMinLeaseTime", 0);
	c->def_lease = snode_u32(n, "secDefaultLeaseTime", 0);
	c->max_lease = snode_u32(n, "secMaxLeaseTime", 0);
	c->nforced = parse_codes(snode_attr(n, "forcedOptions"), c->forced);
	c->nsuppressed = parse_codes(snode_attr(n, "suppressedOptions"),
				     c->suppressed);
	for (o = snode_child(n, "Option"); o; o = snode_next(o, "Option")) {
		const char *name = snode_attr(o, "name");
		const char *v = snode_attr(o, "value");
		unsigned long code;
		char *end;

		if (!name)
			continue;
		code = strtoul(name, &end, 10);
		if (*end || code > 255 || (skip_mask && code == 1))
			continue;
		if (dhcpcfg_set_option(c, (unsigned)code,
				       (int)snode_i64(o, "encoding", 0), v))
			return -ENOMEM;
	}
	return 0;
}

static int cmp_group(const void *a, const void *b)
{
	return strcmp(((const struct dhcp_group *)a)->name,
		      ((const struct dhcp_group *)b)->name);
}

static int cmp_indiv(const void *a, const void *b)
{
	return strcmp(((const struct dhcp_indiv *)a)->key,
		      ((const struct dhcp_indiv *)b)->key);
}

int dhcpsrv_read(struct snode *n, struct dhcp_server *s)
{
	const char *name = snode_attr(n, "networkName");
	const char *ip = snode_attr(n, "IPAddress");
	const char *mask = snode_attr(n, "networkMask");
	const char *lo = snode_attr(n, "lowerIP"), *up = snode_attr(n, "upperIP");
	struct snode *c;
	unsigned unnamed = 0;

	memset(s, 0, sizeof(*s));
	if (!name || !ip || !mask || !lo || !up || !snode_has_attr(n, "enabled"))
		return -EINVAL;
	s->name = vb_strdup(name);
	s->ip = vb_strdup(ip);
	s->lower = vb_strdup(lo);
	s->upper = vb_strdup(up);
	s->enabled = snode_bool(n, "enabled", false);
	if (!s->name || !s->ip || !s->lower || !s->upper ||
	    dhcpcfg_set_option(&s->global, 1, DHCP_ENC_NORMAL, mask))
		goto oom;
	for (c = snode_child(n, "Options"); c; c = snode_next(c, "Options"))
		if (read_config(c, &s->global, true))
			goto oom;
	for (c = snode_child(n, "Group"); c; c = snode_next(c, "Group")) {
		struct dhcp_group *g;
		struct snode *cond;
		char nb[48];
		const char *gn = snode_attr(c, "name");

		if (!gn) {
			snprintf(nb, sizeof(nb), "Unamed Group #%u", ++unnamed);
			gn = nb;
		}
		g = dhcpsrv_group(s, gn, true);
		if (!g || read_config(c, &g->cfg, false))
			goto oom;
		for (cond = snode_child(c, "Condition"); cond;
		     cond = snode_next(cond, "Condition")) {
			struct dhcp_cond *nv = realloc(g->conds, (g->nconds + 1) *
						       sizeof(*nv));

			if (!nv)
				goto oom;
			g->conds = nv;
			nv[g->nconds].inclusive = snode_bool(cond, "inclusive", true);
			nv[g->nconds].type = (int)snode_i64(cond, "type", 0);
			nv[g->nconds].value = vb_strdup(snode_attr(cond, "value")
							? snode_attr(cond, "value") : "");
			if (!nv[g->nconds++].value)
				goto oom;
		}
	}
	for (c = snode_child(n, "Config"); c; c = snode_next(c, "Config")) {
		const char *mac = snode_attr(c, "MACAddress");
		const char *vm = snode_attr(c, "vm-name");
		unsigned slot = snode_u32(c, "slot", 0);
		struct dhcp_indiv *d;
		char *key;

		if (vm && *vm)
			key = vb_asprintf("%s/%u", vm, slot);
		else
			key = vb_strdup(mac ? mac : "");
		d = key ? dhcpsrv_indiv(s, key, mac, vm && *vm ? vm : NULL, slot,
					true) : NULL;
		free(key);
		if (!d || read_config(c, &d->cfg, false))
			goto oom;
		if (snode_attr(c, "fixedAddress")) {
			d->fixed = vb_strdup(snode_attr(c, "fixedAddress"));
			if (!d->fixed)
				goto oom;
		}
	}
	return 0;
oom:
	dhcpsrv_free(s);
	return -ENOMEM;
}

struct dhcp_group *dhcpsrv_group(struct dhcp_server *s, const char *name,
				 bool create)
{
	struct dhcp_group *nv, key = { .name = (char *)name };
	unsigned i;

	for (i = 0; i < s->ngroups; i++)
		if (!strcmp(s->groups[i].name, name))
			return &s->groups[i];
	if (!create)
		return NULL;
	nv = realloc(s->groups, (s->ngroups + 1) * sizeof(*nv));
	if (!nv)
		return NULL;
	s->groups = nv;
	memset(&nv[s->ngroups], 0, sizeof(nv[0]));
	nv[s->ngroups].name = vb_strdup(name);
	if (!nv[s->ngroups].name)
		return NULL;
	s->ngroups++;
	qsort(s->groups, s->ngroups, sizeof(*nv), cmp_group);
	return bsearch(&key, s->groups, s->ngroups, sizeof(*nv), cmp_group);
}

struct dhcp_indiv *dhcpsrv_indiv(struct dhcp_server *s, const char *key,
				 const char *mac, const char *vm,
				 unsigned slot, bool create)
{
	struct dhcp_indiv *nv, k = { .key = (char *)key }, *d;
	unsigned i;

	for (i = 0; i < s->nindivs; i++)
		if (!strcmp(s->indivs[i].key, key))
			return &s->indivs[i];
	if (!create)
		return NULL;
	nv = realloc(s->indivs, (s->nindivs + 1) * sizeof(*nv));
	if (!nv)
		return NULL;
	s->indivs = nv;
	d = &nv[s->nindivs];
	memset(d, 0, sizeof(*d));
	d->key = vb_strdup(key);
	d->mac = vb_strdup(mac ? mac : "00:00:00:00:00:00");
	d->vm = vm ? vb_strdup(vm) : NULL;
	d->slot = slot;
	if (!d->key || !d->mac || (vm && !d->vm)) {
		indiv_free(d);
		return NULL;
	}
	s->nindivs++;
	qsort(s->indivs, s->nindivs, sizeof(*nv), cmp_indiv);
	return bsearch(&k, s->indivs, s->nindivs, sizeof(*nv), cmp_indiv);
}

void dhcpsrv_remove_group(struct dhcp_server *s, struct dhcp_group *g)
{
	unsigned i = (unsigned)(g - s->groups);

	group_free(g);
	memmove(&s->groups[i], &s->groups[i + 1],
		(s->ngroups - i - 1) * sizeof(*g));
	s->ngroups--;
}

void dhcpsrv_remove_indiv(struct dhcp_server *s, struct dhcp_indiv *d)
{
	unsigned i = (unsigned)(d - s->indivs);

	indiv_free(d);
	memmove(&s->indivs[i], &s->indivs[i + 1],
		(s->nindivs - i - 1) * sizeof(*d));
	s->nindivs--;
}

/* buildDHCPOptions */
static int write_config(struct snode *n, const struct dhcp_config *c,
			bool skip_mask)
{
	struct strbuf sb = STRBUF_INIT;
	unsigned i;
	int rc = 0;

	if (c->min_lease)
		rc |= snode_set_attrf(n, "secMinLeaseTime", "%u", c->min_lease);
	if (c->def_lease)
		rc |= snode_set_attrf(n, "secDefaultLeaseTime", "%u", c->def_lease);
	if (c->max_lease)
		rc |= snode_set_attrf(n, "secMaxLeaseTime", "%u", c->max_lease);
	for (i = 0; i < c->nforced; i++)
		sb_addf(&sb, i ? " %u" : "%u", c->forced[i]);
	if (c->nforced)
		rc |= snode_set_attr(n, "forcedOptions", sb.buf);
	sb_release(&sb);
	for (i = 0; i < c->nsuppressed; i++)
		sb_addf(&sb, i ? " %u" : "%u", c->suppressed[i]);
	if (c->nsuppressed)
		rc |= snode_set_attr(n, "suppressedOptions", sb.buf);
	sb_release(&sb);
	for (i = 0; i < 256 && !rc; i++) {
		struct snode *o;

		if (!c->opt[i] || (skip_mask && i == 1))
			continue;
		o = snode_add(n, "Option");
		if (!o || snode_set_attrf(o, "name", "%u", i) ||
		    snode_set_attr(o, "value", c->opt[i]) ||
		    (c->enc[i] != DHCP_ENC_NORMAL &&
		     snode_set_attrf(o, "encoding", "%d", c->enc[i])))
			rc = -ENOMEM;
	}
	return rc ? -ENOMEM : 0;
}

static unsigned option_count(const struct dhcp_config *c)
{
	unsigned i, n = 0;

	for (i = 0; i < 256; i++)
		n += c->opt[i] != NULL;
	return n;
}

int dhcpsrv_write(const struct dhcp_server *s, struct snode *n)
{
	struct snode *c;
	unsigned i, j;
	int rc = 0;

	while ((c = snode_child(n, NULL)))
		snode_remove(c);
	rc |= snode_set_attr(n, "networkName", s->name);
	rc |= snode_set_attr(n, "IPAddress", s->ip);
	rc |= snode_set_attr(n, "networkMask", s->global.opt[1]);
	rc |= snode_set_attr(n, "lowerIP", s->lower);
	rc |= snode_set_attr(n, "upperIP", s->upper);
	rc |= snode_set_attr(n, "enabled", s->enabled ? "1" : "0");
	if (rc)
		return -ENOMEM;
	if (option_count(&s->global) > (s->global.opt[1] ? 1u : 0u)) {
		c = snode_add(n, "Options");
		if (!c || write_config(c, &s->global, true))
			return -ENOMEM;
	}
	for (i = 0; i < s->ngroups; i++) {
		const struct dhcp_group *g = &s->groups[i];

		c = snode_add(n, "Group");
		if (!c || snode_set_attr(c, "name", g->name) ||
		    write_config(c, &g->cfg, false))
			return -ENOMEM;
		for (j = 0; j < g->nconds; j++) {
			struct snode *cn = snode_add(c, "Condition");

			if (!cn || snode_set_bool(cn, "inclusive", g->conds[j].inclusive) ||
			    snode_set_attrf(cn, "type", "%d", g->conds[j].type) ||
			    snode_set_attr(cn, "value", g->conds[j].value))
				return -ENOMEM;
		}
	}
	for (i = 0; i < s->nindivs; i++) {
		const struct dhcp_indiv *d = &s->indivs[i];

		c = snode_add(n, "Config");
		if (!c || (d->mac && *d->mac && snode_set_attr(c, "MACAddress", d->mac)) ||
		    (d->vm && snode_set_attr(c, "vm-name", d->vm)) ||
		    ((d->slot || d->vm) &&
		     snode_set_attrf(c, "slot", "%u", d->slot)) ||
		    (d->fixed && *d->fixed &&
		     snode_set_attr(c, "fixedAddress", d->fixed)) ||
		    write_config(c, &d->cfg, false))
			return -ENOMEM;
	}
	return 0;
}
