#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/util/getopt.h"
#include "lib/util/strbuf.h"

void vb_getopt_init(struct vb_getopt *g, int argc, char **argv, int first,
		    const struct vb_option *opts, size_t nopts)
{
	memset(g, 0, sizeof(*g));
	g->argc = argc;
	g->argv = argv;
	g->next = first;
	g->opts = opts;
	g->nopts = nopts;
}

int vb_parse_bool_word(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "t", "yes", "y", "enabled",
		"e", "en", "enable", "on", "1" };
	static const char *const no[] = { "false", "f", "no", "n", "disabled",
		"d", "dis", "disable", "off", "0" };
	char low[16];
	size_t i, n = strlen(s);
	bool all_lower = true, all_upper = true;

	if (n == 0 || n >= sizeof(low))
		return -1;
	for (i = 0; i < n; i++) {
		if (isupper((unsigned char)s[i]))
			all_lower = false;
		if (islower((unsigned char)s[i]))
			all_upper = false;
		low[i] = (char)tolower((unsigned char)s[i]);
	}
	low[n] = '\0';
	if (!all_lower && !all_upper)
		return -1;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!strcmp(low, yes[i])) {
			*out = true;
			return 0;
		}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (!strcmp(low, no[i])) {
			*out = false;
			return 0;
		}
	return -1;
}

int vb_getopt_convert(const char *s, unsigned flags, union vb_optval *v)
{
	unsigned long long u;
	long long i;
	unsigned int h;

	switch (flags & VBGO_TYPE_MASK) {
	case VBGO_STRING:
		v->str = s;
		return 0;
	case VBGO_U32:
		if (flags & VBGO_HEX) {
			if (vb_parse_hex_u32(s, &h))
				return VBGO_ERR_FORMAT;
			v->u32 = h;
			return 0;
		}
		if (vb_parse_u64(s, &u) || u > UINT32_MAX)
			return VBGO_ERR_FORMAT;
		v->u32 = (uint32_t)u;
		return 0;
	case VBGO_U64:
		if (vb_parse_u64(s, &u))
			return VBGO_ERR_FORMAT;
		v->u64 = u;
		return 0;
	case VBGO_I32:
		if (vb_parse_i64(s, &i) || i < INT32_MIN || i > INT32_MAX)
			return VBGO_ERR_FORMAT;
		v->i32 = (int32_t)i;
		return 0;
	case VBGO_I64:
		if (vb_parse_i64(s, &i))
			return VBGO_ERR_FORMAT;
		v->i64 = i;
		return 0;
	case VBGO_ONOFF:
		if (!strcasecmp(s, "on"))
			v->b = true;
		else if (!strcasecmp(s, "off"))
			v->b = false;
		else
			return VBGO_ERR_FORMAT;
		return 0;
	case VBGO_BOOL:
		return vb_parse_bool_word(s, &v->b) ? VBGO_ERR_FORMAT : 0;
	case VBGO_UUID:
		return vb_uuid_parse(s, &v->uuid) ? VBGO_ERR_FORMAT : 0;
	default:
		return 0;
	}
}

static bool name_eq(const struct vb_option *o, const char *s, size_t n)
{
	if (strlen(o->name) != n)
		return false;
	return (o->flags & VBGO_ICASE) ? !strncasecmp(o->name, s, n)
				       : !strncmp(o->name, s, n);
}

/* Match a long word against the table: exact name, "name=v", "name:v",
 * or for indexed options "name<digits>[=v]".  Sets *val to the glued
 * value (or NULL). */
static const struct vb_option *match_long(struct vb_getopt *g, const char *w,
					  const char **val)
{
	size_t i, wl = strlen(w);

	*val = NULL;
	for (i = 0; i < g->nopts; i++) {
		const struct vb_option *o = &g->opts[i];

		if (!o->name || (o->flags & VBGO_INDEX))
			continue;
		if (name_eq(o, w, wl))
			return o;
	}
	for (i = 0; i < g->nopts; i++) {
		const struct vb_option *o = &g->opts[i];
		size_t nl;

		if (!o->name || (o->flags & VBGO_INDEX) ||
		    (o->flags & VBGO_TYPE_MASK) == VBGO_NOVAL)
			continue;
		nl = strlen(o->name);
		if (wl > nl && (w[nl] == '=' || w[nl] == ':') &&
		    name_eq(o, w, nl)) {
			*val = w + nl + 1;
			return o;
		}
	}
	for (i = 0; i < g->nopts; i++) {
		const struct vb_option *o = &g->opts[i];
		size_t nl;
		const char *p;
		unsigned long idx = 0;

		if (!o->name || !(o->flags & VBGO_INDEX))
			continue;
		nl = strlen(o->name);
		if (wl < nl || !name_eq(o, w, nl))
			continue;
		p = w + nl;
		if (!isdigit((unsigned char)*p)) {
			if (*p == '\0') {
				g->index = 0;
				return o;       /* index missing: caller errors */
			}
			continue;
		}
		while (isdigit((unsigned char)*p)) {
			idx = idx * 10 + (unsigned long)(*p - '0');
			if (idx > 1000000)
				break;
			p++;
		}
		if (*p && *p != '=' && *p != ':')
			continue;
		g->index = (unsigned)idx;
		if (*p)
			*val = p + 1;
		return o;
	}
	return NULL;
}

static const struct vb_option *match_short(struct vb_getopt *g, int c)
{
	size_t i;

	for (i = 0; i < g->nopts; i++)
		if (g->opts[i].id == c && c > 0 && c < 127 && isprint(c))
			return &g->opts[i];
	return NULL;
}

static int take_value(struct vb_getopt *g, const struct vb_option *o,
		      const char *glued)
{
	const char *val = glued;

	if ((o->flags & VBGO_TYPE_MASK) == VBGO_NOVAL)
		return o->id;
	if (!val) {
		if (g->next >= g->argc)
			return VBGO_ERR_MISSING;
		val = g->argv[g->next++];
	}
	g->v.str = val;
	if (vb_getopt_convert(val, o->flags, &g->v)) {
		g->v.str = val;
		return VBGO_ERR_FORMAT;
	}
	return o->id;
}

/* Accept Unicode dashes (en dash, em dash, minus sign) as '-'. */
static const char *skip_dash(const char *w, int *is_dash)
{
	static const char *const dashes[] = { "\xe2\x80\x93", "\xe2\x80\x94",
		"\xe2\x88\x92" };
	size_t i;

	*is_dash = 0;
	if (w[0] == '-') {
		*is_dash = 1;
		return w + 1;
	}
	for (i = 0; i < 3; i++)
		if (!strncmp(w, dashes[i], 3)) {
			*is_dash = 1;
			return w + 3;
		}
	return w;
}

int vb_getopt_next(struct vb_getopt *g)
{
	const struct vb_option *o;
	const char *w, *val, *rest, *norm;
	char normbuf[4096];
	int dash1, dash2;

	g->def = NULL;
	g->index = 0;
	memset(&g->v, 0, sizeof(g->v));

	if (g->bundle && *g->bundle) {
		int c = (unsigned char)*g->bundle++;

		o = match_short(g, c);
		g->def = o;
		if (!o) {
			g->v.i32 = c;
			return VBGO_ERR_UNKNOWN;
		}
		if ((o->flags & VBGO_TYPE_MASK) == VBGO_NOVAL)
			return o->id;
		rest = g->bundle;
		g->bundle = NULL;
		if (*rest == '=' || *rest == ':')
			rest++;
		return take_value(g, o, *rest ? rest : NULL);
	}
	g->bundle = NULL;
	if (g->next >= g->argc)
		return VBGO_END;
	w = g->argv[g->next++];
	g->arg = w;
	if (g->no_more_opts) {
		g->v.str = w;
		return VBGO_NOT_OPTION;
	}
	rest = skip_dash(w, &dash1);
	if (!dash1 || !*rest) {
		g->v.str = w;
		return VBGO_NOT_OPTION;
	}
	/* Normalise a Unicode-dash prefix into ASCII for matching. */
	{
		const char *r2 = skip_dash(rest, &dash2);

		if (dash2 && !*r2) {
			g->no_more_opts = true;
			return vb_getopt_next(g);
		}
		norm = w;
		if (w[0] != '-' || (dash2 && rest[0] != '-')) {
			snprintf(normbuf, sizeof(normbuf), "%s%s",
				 dash2 ? "--" : "-", dash2 ? r2 : rest);
			norm = normbuf;
		}
	}
	o = match_long(g, norm, &val);
	if (o) {
		g->def = o;
		if ((o->flags & VBGO_INDEX) && !g->index &&
		    !isdigit((unsigned char)norm[strlen(o->name)]))
			return VBGO_ERR_INDEX;
		return take_value(g, o, val);
	}
	if (norm[1] == '-') {
		g->v.str = w;
		return VBGO_ERR_UNKNOWN;
	}
	/* short option(s) */
	o = match_short(g, (unsigned char)norm[1]);
	if (!o) {
		g->v.str = w;
		return VBGO_ERR_UNKNOWN;
	}
	g->def = o;
	if ((o->flags & VBGO_TYPE_MASK) == VBGO_NOVAL) {
		if (norm[2]) {
			/* keep the remaining letters for the next calls */
			g->bundle = rest + 1;
		}
		return o->id;
	}
	val = rest + 1;
	if (*val == '=' || *val == ':')
		val++;
	return take_value(g, o, *val ? val : NULL);
}

int vb_getopt_fetch(struct vb_getopt *g, unsigned flags)
{
	const char *w;

	if (g->next >= g->argc)
		return VBGO_ERR_MISSING;
	w = g->argv[g->next++];
	memset(&g->v, 0, sizeof(g->v));
	g->v.str = w;
	if (vb_getopt_convert(w, flags, &g->v)) {
		g->v.str = w;
		return VBGO_ERR_FORMAT;
	}
	return 1;
}

const char *vb_getopt_strerror(int rc)
{
	switch (rc) {
	case VBGO_ERR_UNKNOWN:
		return "RTGetOpt: Command line option not recognized.";
	case VBGO_ERR_MISSING:
		return "RTGetOpt: Command line option needs argument.";
	case VBGO_ERR_FORMAT:
		return "RTGetOpt: Command line option has argument with bad format.";
	case VBGO_ERR_INDEX:
		return "RTGetOpt: Command line option needs an index.";
	default:
		return "RTGetOpt: Unknown error.";
	}
}
