#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/util/strbuf.h"

void sb_init(struct strbuf *sb)
{
	sb->buf = NULL;
	sb->len = 0;
	sb->alloc = 0;
	sb->oom = false;
}

void sb_release(struct strbuf *sb)
{
	free(sb->buf);
	sb_init(sb);
}

char *sb_detach(struct strbuf *sb)
{
	char *s;

	if (sb->oom) {
		sb_release(sb);
		return NULL;
	}
	if (!sb->buf && !sb_grow(sb, 1)) {
		sb_release(sb);
		return NULL;
	}
	s = sb->buf;
	sb_init(sb);
	return s;
}

void sb_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

bool sb_grow(struct strbuf *sb, size_t extra)
{
	size_t need, nalloc;
	char *n;

	if (sb->oom)
		return false;
	if (extra > SIZE_MAX - sb->len - 1) {
		sb->oom = true;
		return false;
	}
	need = sb->len + extra + 1;
	if (need <= sb->alloc)
		return true;
	nalloc = sb->alloc ? sb->alloc : 64;
	while (nalloc < need) {
		if (nalloc > SIZE_MAX / 2) {
			nalloc = need;
			break;
		}
		nalloc *= 2;
	}
	n = realloc(sb->buf, nalloc);
	if (!n) {
		sb->oom = true;
		return false;
	}
	if (!sb->buf)
		n[0] = '\0';
	sb->buf = n;
	sb->alloc = nalloc;
	return true;
}

void sb_add(struct strbuf *sb, const void *data, size_t len)
{
	if (!sb_grow(sb, len))
		return;
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void sb_adds(struct strbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

void sb_addc(struct strbuf *sb, char c)
{
	sb_add(sb, &c, 1);
}

void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	if (!sb_grow(sb, 64))
		return;
	va_copy(cp, ap);
	n = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, cp);
	va_end(cp);
	if (n < 0) {
		sb->buf[sb->len] = '\0';
		return;
	}
	if ((size_t)n >= sb->alloc - sb->len) {
		if (!sb_grow(sb, (size_t)n))
			return;
		vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, ap);
	}
	sb->len += (size_t)n;
}

void sb_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sb_vaddf(sb, fmt, ap);
	va_end(ap);
}

const char *sb_str(const struct strbuf *sb)
{
	return sb->buf ? sb->buf : "";
}

char *vb_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

char *vb_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

bool vb_streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

bool vb_strcaseeq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcasecmp(a, b) == 0;
}

bool vb_starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool vb_ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

size_t vb_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size) {
		size_t c = n < size - 1 ? n : size - 1;

		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

int vb_parse_u64(const char *s, unsigned long long *out)
{
	char *end;
	unsigned long long v;
	int base = 10;

	if (!s || !*s || isspace((unsigned char)*s) || *s == '-' || *s == '+')
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!isxdigit((unsigned char)*s))
			return -EINVAL;
	}
	errno = 0;
	v = strtoull(s, &end, base);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE)
		return -ERANGE;
	*out = v;
	return 0;
}

int vb_parse_i64(const char *s, long long *out)
{
	unsigned long long u;
	int neg = 0, rc;

	if (s && (*s == '-' || *s == '+')) {
		neg = *s == '-';
		s++;
	}
	rc = vb_parse_u64(s, &u);
	if (rc)
		return rc;
	if (neg) {
		if (u > (unsigned long long)LLONG_MAX + 1)
			return -ERANGE;
		*out = u == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN
							      : -(long long)u;
	} else {
		if (u > LLONG_MAX)
			return -ERANGE;
		*out = (long long)u;
	}
	return 0;
}

int vb_parse_u32(const char *s, unsigned int *out)
{
	unsigned long long v;
	int rc = vb_parse_u64(s, &v);

	if (rc)
		return rc;
	if (v > UINT32_MAX)
		return -ERANGE;
	*out = (unsigned int)v;
	return 0;
}

int vb_parse_hex_u32(const char *s, unsigned int *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || !isxdigit((unsigned char)*s))
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	errno = 0;
	v = strtoull(s, &end, 16);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v > UINT32_MAX)
		return -ERANGE;
	*out = (unsigned int)v;
	return 0;
}
