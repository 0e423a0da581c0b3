#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "lib/util/uuid.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int vb_uuid_parse(const char *s, struct vb_uuid *out)
{
	struct vb_uuid u;
	size_t len;
	int i, j = 0, braced = 0;

	if (!s)
		return -EINVAL;
	len = strlen(s);
	if (len == VB_UUID_STRLEN + 2 && s[0] == '{' && s[len - 1] == '}') {
		braced = 1;
		s++;
	} else if (len != VB_UUID_STRLEN) {
		return -EINVAL;
	}
	(void)braced;
	for (i = 0; i < VB_UUID_STRLEN;) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return -EINVAL;
			i++;
			continue;
		}
		hi = hexval((unsigned char)s[i]);
		lo = hexval((unsigned char)s[i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		u.b[j++] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	*out = u;
	return 0;
}

char *vb_uuid_fmt(const struct vb_uuid *u, char *buf)
{
	const uint8_t *b = u->b;

	snprintf(buf, VB_UUID_STRLEN + 1,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
	return buf;
}

char *vb_uuid_fmt_braced(const struct vb_uuid *u, char *buf)
{
	buf[0] = '{';
	vb_uuid_fmt(u, buf + 1);
	buf[VB_UUID_STRLEN + 1] = '}';
	buf[VB_UUID_STRLEN + 2] = '\0';
	return buf;
}

int vb_uuid_generate(struct vb_uuid *out)
{
	size_t got = 0;

	while (got < sizeof(out->b)) {
		ssize_t n = getrandom(out->b + got, sizeof(out->b) - got, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += (size_t)n;
	}
	out->b[6] = (uint8_t)((out->b[6] & 0x0f) | 0x40);
	out->b[8] = (uint8_t)((out->b[8] & 0x3f) | 0x80);
	return 0;
}

bool vb_uuid_is_zero(const struct vb_uuid *u)
{
	static const struct vb_uuid zero;

	return memcmp(u, &zero, sizeof(zero)) == 0;
}

bool vb_uuid_eq(const struct vb_uuid *a, const struct vb_uuid *b)
{
	return memcmp(a->b, b->b, 16) == 0;
}

void vb_uuid_to_le(const struct vb_uuid *u, uint8_t out[16])
{
	const uint8_t *b = u->b;
	uint8_t t[16] = { b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6] };

	memcpy(t + 8, b + 8, 8);
	memcpy(out, t, 16);
}

void vb_uuid_from_le(const uint8_t in[16], struct vb_uuid *u)
{
	uint8_t t[16] = { in[3], in[2], in[1], in[0], in[5], in[4], in[7], in[6] };

	memcpy(t + 8, in + 8, 8);
	memcpy(u->b, t, 16);
}

bool vb_is_uuid(const char *s)
{
	struct vb_uuid u;

	return vb_uuid_parse(s, &u) == 0;
}
