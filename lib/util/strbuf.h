/*
 * Growable strings.  An allocation failure sets ->oom and turns further
 * appends into no-ops, so a caller can build a whole string and check once.
 */
#ifndef VB_UTIL_STRBUF_H
#define VB_UTIL_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *buf;      /* always NUL-terminated once anything was added */
	size_t len;
	size_t alloc;
	bool oom;
};

#define STRBUF_INIT { NULL, 0, 0, false }

void sb_init(struct strbuf *sb);
void sb_release(struct strbuf *sb);
/* Hand the buffer to the caller (free() it); the strbuf is reset. Returns
 * NULL after an allocation failure. */
char *sb_detach(struct strbuf *sb);
void sb_reset(struct strbuf *sb);
bool sb_grow(struct strbuf *sb, size_t extra);
void sb_add(struct strbuf *sb, const void *data, size_t len);
void sb_adds(struct strbuf *sb, const char *s);
void sb_addc(struct strbuf *sb, char c);
void sb_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* The current text ("" when empty); lent, valid until the next change. */
const char *sb_str(const struct strbuf *sb);

/* Small string helpers. */
char *vb_strdup(const char *s);                 /* NULL-safe strdup */
char *vb_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool vb_streq(const char *a, const char *b);    /* NULL-safe */
bool vb_strcaseeq(const char *a, const char *b);
bool vb_starts_with(const char *s, const char *prefix);
bool vb_ends_with(const char *s, const char *suffix);
/* Copy with truncation, always terminating; returns strlen(src). */
size_t vb_strlcpy(char *dst, const char *src, size_t size);

/* Parse a whole string as an integer (decimal or 0x hex).  Return 0 on
 * success, -EINVAL on bad syntax, -ERANGE when it does not fit. */
int vb_parse_u64(const char *s, unsigned long long *out);
int vb_parse_i64(const char *s, long long *out);
int vb_parse_u32(const char *s, unsigned int *out);
int vb_parse_hex_u32(const char *s, unsigned int *out); /* plain hex */

#endif
