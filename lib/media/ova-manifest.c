/*
 * Appliance manifests (.mf): one "ALGO (file) = hexdigest" line per file
 * of the package (OVF 1.x/2.0 DSP0243 section 5.1; VirtualBox writes SHA1
 * for OVF 0.9/1.0 and SHA256 for 2.0, and reads MD5, SHA1, SHA256 and
 * SHA512).  Digests come from GNU Nettle.
 *
 * Reading is lenient about blanks around "(" ")" and "=", as IPRT's
 * reader is; a line that is none of that is an error naming its number.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <nettle/md5.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>

#include "lib/media/ova.h"
#include "lib/util/strbuf.h"

struct ova_hash {
	unsigned mask;
	struct md5_ctx md5;
	struct sha1_ctx sha1;
	struct sha256_ctx sha256;
	struct sha512_ctx sha512;
};

static const char *const digest_names[OVA_NDIGESTS] = {
	"MD5", "SHA1", "SHA256", "SHA512"
};

const char *ova_digest_name(enum ova_digest d)
{
	return d < OVA_NDIGESTS ? digest_names[d] : "?";
}

struct ova_hash *ova_hash_new(unsigned mask)
{
	struct ova_hash *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->mask = mask;
	md5_init(&h->md5);
	sha1_init(&h->sha1);
	sha256_init(&h->sha256);
	sha512_init(&h->sha512);
	return h;
}

void ova_hash_update(struct ova_hash *h, const void *data, size_t len)
{
	if (!h)
		return;
	if (h->mask & OVA_DIGEST_BIT(OVA_MD5))
		md5_update(&h->md5, len, data);
	if (h->mask & OVA_DIGEST_BIT(OVA_SHA1))
		sha1_update(&h->sha1, len, data);
	if (h->mask & OVA_DIGEST_BIT(OVA_SHA256))
		sha256_update(&h->sha256, len, data);
	if (h->mask & OVA_DIGEST_BIT(OVA_SHA512))
		sha512_update(&h->sha512, len, data);
}

void ova_hash_hex(struct ova_hash *h, enum ova_digest d,
		  char out[OVA_HEX_MAX])
{
	uint8_t raw[SHA512_DIGEST_SIZE];
	size_t n = 0, i;

	switch (d) {
	case OVA_MD5:
		n = MD5_DIGEST_SIZE;
		md5_digest(&h->md5, n, raw);
		break;
	case OVA_SHA1:
		n = SHA1_DIGEST_SIZE;
		sha1_digest(&h->sha1, n, raw);
		break;
	case OVA_SHA256:
		n = SHA256_DIGEST_SIZE;
		sha256_digest(&h->sha256, n, raw);
		break;
	case OVA_SHA512:
		n = SHA512_DIGEST_SIZE;
		sha512_digest(&h->sha512, n, raw);
		break;
	default:
		break;
	}
	for (i = 0; i < n; i++) {
		out[2 * i] = "0123456789abcdef"[raw[i] >> 4];
		out[2 * i + 1] = "0123456789abcdef"[raw[i] & 15];
	}
	out[2 * n] = '\0';
}

void ova_hash_free(struct ova_hash *h)
{
	free(h);
}

int ova_hash_file(const char *path, uint64_t off, uint64_t len,
		  struct ova_hash *h, struct vb_error *err)
{
	const size_t bufsz = 1u << 20;
	uint8_t *buf;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vb_err(err, errno, VBOX_E_FILE_ERROR,
			      "Could not open the file '%s' (%s)", path,
			      strerror(errno));
	buf = malloc(bufsz);
	if (!buf) {
		close(fd);
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	}
	posix_fadvise(fd, (off_t)off, 0, POSIX_FADV_SEQUENTIAL);
	for (;;) {
		size_t want = bufsz;
		ssize_t n;

		if (len != UINT64_MAX && len < want)
			want = (size_t)len;
		if (!want)
			break;
		n = pread(fd, buf, want, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = vb_err(err, errno, VBOX_E_FILE_ERROR,
				    "Could not read the file '%s' (%s)", path,
				    strerror(errno));
			break;
		}
		if (n == 0) {
			if (len != UINT64_MAX)
				rc = vb_err(err, EIO, VBOX_E_FILE_ERROR,
					    "Could not read the file '%s' (unexpected end of file)",
					    path);
			break;
		}
		ova_hash_update(h, buf, (size_t)n);
		off += (uint64_t)n;
		if (len != UINT64_MAX)
			len -= (uint64_t)n;
	}
	free(buf);
	close(fd);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Manifest text                                                       */

int ova_manifest_add(struct ova_manifest *m, const char *name,
		     enum ova_digest type, const char *hex)
{
	struct ova_mf_entry *e;
	size_t i;

	if (m->n == m->cap) {
		unsigned cap = m->cap ? m->cap * 2 : 8;

		e = realloc(m->e, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		m->e = e;
		m->cap = cap;
	}
	e = &m->e[m->n];
	e->name = strdup(name);
	if (!e->name)
		return -ENOMEM;
	e->type = type;
	for (i = 0; hex[i] && i + 1 < OVA_HEX_MAX; i++)
		e->hex[i] = (char)tolower((unsigned char)hex[i]);
	e->hex[i] = '\0';
	m->n++;
	return 0;
}

void ova_manifest_release(struct ova_manifest *m)
{
	unsigned i;

	for (i = 0; i < m->n; i++)
		free(m->e[i].name);
	free(m->e);
	memset(m, 0, sizeof(*m));
}

static size_t hex_len(enum ova_digest d)
{
	static const size_t lens[OVA_NDIGESTS] = { 32, 40, 64, 128 };

	return lens[d];
}

static int parse_line(const char *s, size_t len, struct ova_manifest *out)
{
	const char *end = s + len, *open, *close, *eq;
	size_t alen, i;
	char name[4096], hex[OVA_HEX_MAX];
	enum ova_digest d = OVA_NDIGESTS;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
			   end[-1] == '\r'))
		end--;
	if (s == end)
		return 0;                       /* blank line */
	open = memchr(s, '(', (size_t)(end - s));
	if (!open)
		return -EINVAL;
	alen = (size_t)(open - s);
	while (alen && (s[alen - 1] == ' ' || s[alen - 1] == '\t'))
		alen--;
	for (i = 0; i < OVA_NDIGESTS; i++)
		if (strlen(digest_names[i]) == alen &&
		    !strncasecmp(s, digest_names[i], alen))
			d = (enum ova_digest)i;
	if (d == OVA_NDIGESTS)
		return -EINVAL;
	/* the name ends at the last ')' before the last '=' */
	for (eq = end; eq > open && eq[-1] != '='; eq--)
		;
	if (eq == open)
		return -EINVAL;
	eq--;
	for (close = eq; close > open && *close != ')'; close--)
		;
	if (close == open || (size_t)(close - open - 1) >= sizeof(name))
		return -EINVAL;
	memcpy(name, open + 1, (size_t)(close - open - 1));
	name[close - open - 1] = '\0';
	if (!*name || memchr(name, '\0', (size_t)(close - open - 1)))
		return -EINVAL;
	s = eq + 1;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if ((size_t)(end - s) != hex_len(d))
		return -EINVAL;
	for (i = 0; s + i < end; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -EINVAL;
		hex[i] = s[i];
	}
	hex[i] = '\0';
	return ova_manifest_add(out, name, d, hex) ? -ENOMEM : 0;
}

int ova_manifest_parse(const char *data, size_t len, const char *mf_name,
		       const char *pkg, struct ova_manifest *out,
		       struct vb_error *err)
{
	size_t pos = 0;
	unsigned line = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len > (16u << 20))
		return vb_err(err, EFBIG, VBOX_E_FILE_ERROR,
			      "Failed to parse manifest file '%s' for '%s' (VERR_TOO_MUCH_DATA)",
			      mf_name, pkg);
	while (pos < len) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (data + pos)) : len - pos;

		line++;
		rc = parse_line(data + pos, l, out);
		if (rc == -ENOMEM) {
			ova_manifest_release(out);
			return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY,
				      "Out of memory");
		}
		if (rc) {
			ova_manifest_release(out);
			return vb_err(err, EINVAL, VBOX_E_FILE_ERROR,
				      "Failed to parse manifest file '%s' for '%s' (VERR_PARSE_ERROR): Line %u: not a digest line",
				      mf_name, pkg, line);
		}
		pos += l + (nl ? 1 : 0);
	}
	return 0;
}

char *ova_manifest_format(const struct ova_manifest *m)
{
	struct strbuf sb = STRBUF_INIT;
	unsigned i;

	sb_adds(&sb, "");
	for (i = 0; i < m->n; i++)
		sb_addf(&sb, "%s (%s) = %s\n", digest_names[m->e[i].type],
			m->e[i].name, m->e[i].hex);
	if (sb.oom) {
		sb_release(&sb);
		return NULL;
	}
	return sb_detach(&sb);
}

unsigned ova_manifest_types(const struct ova_manifest *m)
{
	unsigned mask = 0, i;

	for (i = 0; i < m->n; i++)
		mask |= OVA_DIGEST_BIT(m->e[i].type);
	return mask;
}

static bool names_eq(const char *a, const char *b)
{
	/* entries are matched case-insensitively, as IPRT's manifest does */
	return !strcasecmp(a, b);
}

int ova_manifest_verify(const struct ova_manifest *theirs,
			const struct ova_manifest *ours, const char *optional,
			struct vb_error *err)
{
	unsigned i, j;

	for (i = 0; i < ours->n; i++) {
		const struct ova_mf_entry *o = &ours->e[i];
		bool entry = false, common = false;

		if (optional && names_eq(o->name, optional)) {
			for (j = 0; j < theirs->n; j++)
				if (names_eq(theirs->e[j].name, optional))
					break;
			if (j == theirs->n)
				continue;       /* VirtualBox fills it in */
		}

		for (j = 0; j < theirs->n; j++) {
			const struct ova_mf_entry *t = &theirs->e[j];

			if (!names_eq(t->name, o->name))
				continue;
			entry = true;
			if (t->type != o->type)
				continue;
			common = true;
			if (strcasecmp(t->hex, o->hex))
				return vb_err(err, EINVAL, VBOX_E_FILE_ERROR,
					      "Digest mismatch (VERR_NOT_EQUAL): Attribute '%s' on '%s' does not match ('%s' vs. '%s')",
					      digest_names[t->type], t->name,
					      t->hex, o->hex);
		}
		if (!entry)
			return vb_err(err, EINVAL, VBOX_E_FILE_ERROR,
				      "Digest mismatch (VERR_NOT_EQUAL): '%s' not found in the 1st manifest",
				      o->name);
		if (!common)
			continue;       /* kinds we did not compute */
	}
	return 0;
}
