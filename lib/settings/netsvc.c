/*
 * Network services in VirtualBox.xml (see netsvc.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/settings/netsvc.h"
#include "lib/util/strbuf.h"

struct snode *netsvc_list(struct vbox *vb, const char *list, bool create)
{
	struct snode *reg = vbox_global_node(vb, "NetserviceRegistry", create);

	if (!reg)
		return NULL;
	return create ? snode_ensure(reg, list) : snode_child(reg, list);
}

struct snode *netsvc_find(struct vbox *vb, const char *list,
			  const char *name)
{
	struct snode *l = netsvc_list(vb, list, false), *it;
	const char *key = strcmp(list, "CloudNetworks") ? "networkName"
							 : "name";

	for (it = snode_child(l, NULL); it; it = snode_next(it, NULL)) {
		const char *v = snode_attr(it, key);

		if (v && !strcmp(v, name))
			return it;
	}
	return NULL;
}

int netsvc_parse_ipv4(const char *s, uint32_t *out)
{
	unsigned a[4];
	char tail;
	int i;

	if (!s || sscanf(s, "%u.%u.%u.%u%c", &a[0], &a[1], &a[2], &a[3],
			 &tail) != 4)
		return -EINVAL;
	for (i = 0; i < 4; i++)
		if (a[i] > 255)
			return -EINVAL;
	for (i = 0; s[i]; i++)
		if ((s[i] < '0' || s[i] > '9') && s[i] != '.')
			return -EINVAL;
	*out = a[0] << 24 | a[1] << 16 | a[2] << 8 | a[3];
	return 0;
}

void netsvc_fmt_ipv4(uint32_t a, char out[16])
{
	snprintf(out, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255,
		 (a >> 8) & 255, a & 255);
}

int netsvc_parse_cidr(const char *s, uint32_t *addr, uint32_t *mask)
{
	const char *slash = s ? strchr(s, '/') : NULL;
	char ip[32];
	unsigned long len;
	char *end;

	if (!slash || (size_t)(slash - s) >= sizeof(ip))
		return -EINVAL;
	memcpy(ip, s, (size_t)(slash - s));
	ip[slash - s] = '\0';
	if (netsvc_parse_ipv4(ip, addr))
		return -EINVAL;
	len = strtoul(slash + 1, &end, 10);
	if (*end || end == slash + 1 || len > 32)
		return -EINVAL;
	*mask = len ? 0xffffffffu << (32 - len) : 0;
	return 0;
}

int netsvc_natnet_gateway(const char *cidr, char out[16])
{
	uint32_t a, m;

	if (netsvc_parse_cidr(cidr, &a, &m))
		return -EINVAL;
	netsvc_fmt_ipv4((a & m) + 1, out);
	return 0;
}

int netsvc_natnet_ipv6_prefix(const char *cidr, char out[64])
{
	unsigned char b[16] = { 0xfd, 0x17, 0x62, 0x5c, 0xf0, 0x37 };
	char txt[INET6_ADDRSTRLEN];
	uint32_t a, m;

	if (netsvc_parse_cidr(cidr, &a, &m))
		return -EINVAL;
	b[6] = (unsigned char)(a >> 16);
	b[7] = (unsigned char)(a >> 8);
	if (!inet_ntop(AF_INET6, b, txt, sizeof(txt)))
		return -EINVAL;
	snprintf(out, 64, "%s/64", txt);
	return 0;
}

char *netsvc_rule_string(struct snode *fwd)
{
	const char *hip = snode_attr(fwd, "hostip");
	const char *gip = snode_attr(fwd, "guestip");

	return vb_asprintf("%s:%s:[%s]:%u:[%s]:%u",
			   snode_attr(fwd, "name") ?: "",
			   snode_u32(fwd, "proto", 0) == 1 ? "tcp" : "udp",
			   hip ? hip : "", snode_u32(fwd, "hostport", 0),
			   gip ? gip : "", snode_u32(fwd, "guestport", 0));
}
