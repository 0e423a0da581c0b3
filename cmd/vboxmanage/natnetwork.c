/*
 * natnetwork add|modify|remove|start|stop|list: NAT networks in
 * VirtualBox.xml (<NetserviceRegistry><NATNetworks>, settings-format
 * 6.4), as VBoxManage 7.0's handleNATNetwork over INATNetwork, with the
 * checks of NATNetworkImpl.cpp and its quirks: a new network's IPv6
 * prefix is derived from the default 10.0.2.0/24, a network stays
 * created when a later setting fails, loopback deletions do nothing and
 * --loopback-6 is not stored.
 *
 * Running the NAT network service belongs to the VM runtime: start
 * fails as VirtualBox does when it cannot launch the service, stop has
 * nothing to stop.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/vboxmanage/commands.h"
#include "lib/settings/netsvc.h"
#include "lib/util/strbuf.h"

#define FILE_NAT "VBoxManageNATNetwork.cpp"
#define PF_NAMELEN 64

enum nat_op { OP_ADD, OP_REMOVE, OP_MODIFY, OP_START, OP_STOP };

struct pf_rule {
	char name[PF_NAMELEN];
	bool tcp, ipv6;
	char host[INET6_ADDRSTRLEN], guest[INET6_ADDRSTRLEN];
	unsigned hport, gport;
};

struct nat_args {
	const char *name, *ipv4, *ipv6prefix;
	int enable, dhcp, ipv6, ipv6_default;
	struct pf_rule *add;
	unsigned nadd;
	struct { char name[PF_NAMELEN]; bool ipv6; } *del;
	unsigned ndel;
	const char **lb_add;
	unsigned nlb_add;
};

/* RTStrToUInt16Ex(base 0) of a port up to the next ':' or the end;
 * 0 when invalid. */
static unsigned parse_port(const char *s, const char **end)
{
	unsigned long v;
	char *e;

	if (!isdigit((unsigned char)*s))
		return 0;
	errno = 0;
	v = strtoul(s, &e, 0);
	if (errno || v > 65535 || (*e && *e != ':'))
		return 0;
	*end = e;
	return (unsigned)v;
}

/* "[ip]:port" after a ':'; returns the rest or NULL. */
static const char *parse_addr_port(const char *p, char *addr, bool empty_ok,
				   unsigned *port)
{
	const char *close;
	size_t n;

	if (*p++ != ':' || *p != '[')
		return NULL;
	close = strchr(p + 1, ']');
	if (!close)
		return NULL;
	n = (size_t)(close - p - 1);
	if (!n && !empty_ok)
		return NULL;
	if (n >= INET6_ADDRSTRLEN)
		n = INET6_ADDRSTRLEN - 1;
	memcpy(addr, p + 1, n);
	addr[n] = '\0';
	p = close + 1;
	if (*p != ':')
		return NULL;
	*port = parse_port(p + 1, &p);
	return *port ? p : NULL;
}

/* netPfStrToPf: "[name]:tcp|udp:[hostip]:hostport:[guestip]:guestport". */
static int parse_rule(const char *s, bool ipv6, struct pf_rule *r)
{
	const char *p = s, *colon;

	memset(r, 0, sizeof(*r));
	if (strlen(s) <= 14)
		return -EINVAL;
	if (*p != ':') {
		colon = strchr(p + 1, ':');
		if (!colon || (size_t)(colon - p) >= PF_NAMELEN)
			return -EINVAL;
		memcpy(r->name, p, (size_t)(colon - p));
		p = colon;
	}
	p++;
	if (strncasecmp(p, "tcp", 3) && strncasecmp(p, "udp", 3))
		return -EINVAL;
	r->tcp = !strncasecmp(p, "tcp", 3);
	p += 3;
	if (*p != ':')
		return -EINVAL;
	p = parse_addr_port(p, r->host, true, &r->hport);
	if (!p)
		return -EINVAL;
	p = parse_addr_port(p, r->guest, false, &r->gport);
	if (!p)
		return -EINVAL;
	r->ipv6 = ipv6;
	return 0;
}

static int nat_api(struct vb_error *err, const char *context, int line,
		   const char *then)
{
	vb_err_where(err, "NATNetworkWrap", "INATNetwork", "nsISupports");
	vbm_api_error(err, context, FILE_NAT, line);
	if (then)
		vbm_syntax_arg("%s", then);
	return then ? VBM_SYNTAX : VBM_FAIL;
}

static int noinfo(uint32_t hrc, const char *context, int line,
		  const char *then)
{
	vbm_api_error_noinfo(hrc, context, FILE_NAT, line);
	if (then)
		vbm_syntax_arg("%s", then);
	return then ? VBM_SYNTAX : VBM_FAIL;
}

/* INATNetwork::Network setter; 0 or the exit code. */
static int set_network(struct snode *n, const char *cidr)
{
	static const char ctx[] = "COMSETTER(Network)(Bstr(pPrefixIPv4).raw())";
	struct vb_error err = { 0 };
	char buf[64], norm[32], ip[16];
	const char *s = cidr, *slash;
	uint32_t a, m;
	unsigned long len = 32;
	size_t l;

	while (*s == ' ' || *s == '\t')
		s++;
	l = strlen(s);
	while (l && (s[l - 1] == ' ' || s[l - 1] == '\t'))
		l--;
	if (l >= sizeof(buf))
		goto bad;
	memcpy(buf, s, l);
	buf[l] = '\0';
	slash = strchr(buf, '/');
	if (slash) {
		char *end;

		buf[slash - buf] = '\0';
		len = strtoul(slash + 1, &end, 10);
		if (*end || end == slash + 1 || len > 32)
			goto bad;
	}
	if (netsvc_parse_ipv4(buf, &a))
		goto bad;
	if (len > 30) {
		vb_err(&err, EINVAL, VB_E_FAIL, "%s network is too small", cidr);
		return nat_api(&err, ctx, 434, "Failed to set configuration");
	}
	if (!len) {
		vb_err(&err, EINVAL, VB_E_FAIL, "%s specifies zero prefix", cidr);
		return nat_api(&err, ctx, 434, "Failed to set configuration");
	}
	m = 0xffffffffu << (32 - len);
	if (a & ~m) {
		vb_err(&err, EINVAL, VB_E_FAIL,
		       "%s: the specified address is longer than the specified prefix",
		       cidr);
		return nat_api(&err, ctx, 434, "Failed to set configuration");
	}
	netsvc_fmt_ipv4(a, ip);
	snprintf(norm, sizeof(norm), "%s/%lu", ip, len);
	/* rules pointing into the old network follow it where they fit */
	{
		struct snode *pf = snode_child(n, "PortForwarding4"), *r;
		uint32_t oa, om;

		if (!netsvc_parse_cidr(snode_attr(n, "network"), &oa, &om)) {
			for (r = snode_child(pf, "Forwarding"); r;
			     r = snode_next(r, "Forwarding")) {
				uint32_t g, hostpart;
				char ng[16];

				if (netsvc_parse_ipv4(snode_attr(r, "guestip"), &g) ||
				    (g & om) != oa)
					continue;
				hostpart = g & ~om;
				if (hostpart & m)
					continue;
				netsvc_fmt_ipv4(a | hostpart, ng);
				snode_set_attr(r, "guestip", ng);
			}
		}
	}
	return snode_set_attr(n, "network", norm) ? VBM_FAIL : 0;
bad:
	vb_err(&err, EINVAL, VB_E_FAIL, "%s is not a valid IPv4 CIDR notation",
	       cidr);
	return nat_api(&err, ctx, 434, "Failed to set configuration");
}

/* INATNetwork::IPv6Prefix setter. */
static int set_ipv6_prefix(struct snode *n, const char *prefix)
{
	static const char ctx[] = "COMSETTER(IPv6Prefix)(Bstr(pPrefixIPv6).raw())";
	struct vb_error err = { 0 };
	unsigned char b[16];
	char addr[64], txt[INET6_ADDRSTRLEN], norm[80] = "";
	const char *s = prefix, *slash;
	unsigned long len = 128;
	unsigned i;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s) {
		char *end;
		size_t l;

		slash = strchr(s, '/');
		l = slash ? (size_t)(slash - s) : strlen(s);
		if (l >= sizeof(addr))
			goto bad;
		memcpy(addr, s, l);
		addr[l] = '\0';
		if (slash) {
			len = strtoul(slash + 1, &end, 10);
			if (*end || end == slash + 1 || len > 128)
				goto bad;
		}
		if (inet_pton(AF_INET6, addr, b) != 1)
			goto bad;
		if (len == 128)
			len = 64;
		if (len != 64) {
			vb_err(&err, EINVAL, VB_E_INVALIDARG,
			       "Invalid IPv6 prefix length %lu, must be 64", len);
			return nat_api(&err, ctx, 459, "Failed to set configuration");
		}
		inet_ntop(AF_INET6, b, txt, sizeof(txt));
		if ((b[0] & 0xe0) != 0x20 && (b[0] & 0xfe) != 0xfc) {
			vb_err(&err, EINVAL, VB_E_INVALIDARG,
			       "IPv6 prefix %s is not unicast", txt);
			return nat_api(&err, ctx, 459, "Failed to set configuration");
		}
		for (i = 8; i < 16; i++)
			if (b[i])
				break;
		if (i < 16) {
			vb_err(&err, EINVAL, VB_E_INVALIDARG,
			       "Non-zero bits in the interface ID part of the IPv6 prefix %s/64",
			       txt);
			return nat_api(&err, ctx, 459, "Failed to set configuration");
		}
		snprintf(norm, sizeof(norm), "%s/64", txt);
	}
	if (!strcmp(norm, snode_attr(n, "ipv6prefix") ? snode_attr(n, "ipv6prefix") : ""))
		return 0;
	if (!*norm && snode_bool(n, "ipv6", false)) {
		vb_err(&err, EINVAL, VB_E_FAIL,
		       "Setting an empty IPv6 prefix when IPv6 is enabled");
		return nat_api(&err, ctx, 459, "Failed to set configuration");
	}
	/* silently ignored while IPv6 rules exist (as VirtualBox) */
	if (snode_child(snode_child(n, "PortForwarding6"), "Forwarding"))
		return 0;
	return snode_set_attr(n, "ipv6prefix", norm) ? VBM_FAIL : 0;
bad:
	vb_err(&err, EINVAL, VB_E_INVALIDARG, "%s is not a valid IPv6 prefix",
	       prefix);
	return nat_api(&err, ctx, 459, "Failed to set configuration");
}

static int set_ipv6(struct snode *n, bool on)
{
	const char *p = snode_attr(n, "ipv6prefix");

	if (on && (!p || !*p)) {
		char p6[64];

		if (!netsvc_natnet_ipv6_prefix(snode_attr(n, "network"), p6))
			snode_set_attr(n, "ipv6prefix", p6);
	}
	return snode_set_attr(n, "ipv6", on ? "1" : "0") ? VBM_FAIL : 0;
}

static int add_rule(struct snode *n, const struct pf_rule *r)
{
	static const char ctx[] =
		"AddPortForwardRule((BOOL)(*it).fPfrIPv6, Bstr((*it).szPfrName).raw(), proto, Bstr((*it).szPfrHostAddr).raw(), (*it).u16PfrHostPort, Bstr((*it).szPfrGuestAddr).raw(), (*it).u16PfrGuestPort)";
	const char *list_name = r->ipv6 ? "PortForwarding6" : "PortForwarding4";
	struct vb_error err = { 0 };
	struct snode *list = snode_child(n, list_name), *f;
	char name[256];

	if (r->name[0])
		snprintf(name, sizeof(name), "%s", r->name);
	else
		snprintf(name, sizeof(name), "%s_[%s]%%%u_[%s]%%%u",
			 r->tcp ? "tcp" : "udp", r->host, r->hport, r->guest,
			 r->gport);
	for (f = snode_child(list, "Forwarding"); f;
	     f = snode_next(f, "Forwarding")) {
		const char *fn = snode_attr(f, "name");
		const char *fh = snode_attr(f, "hostip");

		if (fn && !strcmp(fn, name)) {
			vb_err(&err, EEXIST, VB_E_INVALIDARG,
			       "A NAT rule of this name already exists");
			return nat_api(&err, ctx, 514, "Failed to add pf");
		}
		if (!strcmp(fh ? fh : "", r->host) &&
		    snode_u32(f, "hostport", 0) == r->hport &&
		    snode_u32(f, "proto", 0) == (r->tcp ? 1u : 0u)) {
			vb_err(&err, EEXIST, VB_E_INVALIDARG,
			       "A NAT rule for this host port and this host IP already exists");
			return nat_api(&err, ctx, 514, "Failed to add pf");
		}
	}
	list = snode_ensure(n, list_name);
	f = list ? snode_add(list, "Forwarding") : NULL;
	if (!f || snode_set_attr(f, "name", name) ||
	    snode_set_attr(f, "proto", r->tcp ? "1" : "0") ||
	    (r->host[0] && snode_set_attr(f, "hostip", r->host)) ||
	    snode_set_attrf(f, "hostport", "%u", r->hport) ||
	    snode_set_attr(f, "guestip", r->guest) ||
	    snode_set_attrf(f, "guestport", "%u", r->gport))
		return VBM_FAIL;
	/* a std::map keyed by name in VirtualBox */
	snode_sort_children(list, "Forwarding", "name");
	return 0;
}

/* INATNetwork::AddLocalMapping (E_INVALIDARG without error info). */
static int add_mapping(struct snode *n, const char *spec)
{
	static const char ctx[] = "AddLocalMapping(bstrAddress.raw(), lOffset)";
	const char *eq = strchr(spec, '=');
	char addr[64];
	unsigned long off;
	uint32_t a, net, mask;
	struct snode *maps, *lb, *same = NULL;
	char *end;

	if (!eq || (size_t)(eq - spec) >= sizeof(addr)) {
		vbm_syntax_arg("invalid loopback string");
		return VBM_SYNTAX;
	}
	memcpy(addr, spec, (size_t)(eq - spec));
	addr[eq - spec] = '\0';
	off = strtoul(eq + 1, &end, 10);   /* RTStrToUInt32: 0 on junk */
	if (*end || off > UINT32_MAX)
		off = 0;
	if (!off || off > 0x7fffffff) {
		vbm_syntax_arg("invalid loopback string");
		return VBM_SYNTAX;
	}
	if (netsvc_parse_ipv4(addr, &a) || (a >> 24) != 127 ||
	    netsvc_parse_cidr(snode_attr(n, "network"), &net, &mask) ||
	    ((net + (uint32_t)off) & mask) != net)
		return noinfo(VB_E_INVALIDARG, ctx, 552, NULL);
	maps = snode_child(n, "Mappings");
	for (lb = snode_child(maps, "Loopback4"); lb;
	     lb = snode_next(lb, "Loopback4")) {
		if (!strcmp(snode_attr(lb, "address") ? snode_attr(lb, "address")
			    : "", addr))
			same = lb;
		else if (snode_u32(lb, "offset", 0) == off)
			return noinfo(VB_E_INVALIDARG, ctx, 552, NULL);
	}
	if (same) {
		if (snode_u32(same, "offset", 0) == off)
			return noinfo(VB_E_INVALIDARG, ctx, 552, NULL);
		return snode_set_attrf(same, "offset", "%lu", off) ? VBM_FAIL : 0;
	}
	maps = snode_ensure(n, "Mappings");
	lb = maps ? snode_add(maps, "Loopback4") : NULL;
	if (!lb || snode_set_attr(lb, "address", addr) ||
	    snode_set_attrf(lb, "offset", "%lu", off))
		return VBM_FAIL;
	return 0;
}

/* A new <NATNetwork> as NATNetwork::init makes it. */
static struct snode *create_network(struct vbox *vb, const char *name)
{
	struct snode *list = netsvc_list(vb, "NATNetworks", true), *n, *m, *lb;
	char p6[64];

	n = list ? snode_add(list, "NATNetwork") : NULL;
	if (!n || netsvc_natnet_ipv6_prefix("10.0.2.0/24", p6) ||
	    snode_set_attr(n, "networkName", name) ||
	    snode_set_attr(n, "network", "10.0.2.0/24") ||
	    snode_set_attr(n, "ipv6", "0") ||
	    snode_set_attr(n, "ipv6prefix", p6) ||
	    snode_set_attr(n, "advertiseDefaultIPv6Route", "0") ||
	    snode_set_attr(n, "needDhcp", "1") ||
	    snode_set_attr(n, "enabled", "1"))
		return NULL;
	m = snode_add(n, "Mappings");
	lb = m ? snode_add(m, "Loopback4") : NULL;
	if (!lb || snode_set_attr(lb, "address", "127.0.0.1") ||
	    snode_set_attr(lb, "offset", "2"))
		return NULL;
	return n;
}

/* The changes of add/modify on the network element; 0 or the exit
 * code (changes made so far stay, as VirtualBox saves each). */
static int apply(struct nat_args *a, struct snode *n)
{
	unsigned i;
	int rc;

	if (a->ipv4 && (rc = set_network(n, a->ipv4)))
		return rc;
	if (a->dhcp >= 0 && snode_set_attr(n, "needDhcp", a->dhcp ? "1" : "0"))
		return VBM_FAIL;
	if (a->ipv6 == 0 && (rc = set_ipv6(n, false)))
		return rc;
	if (a->ipv6prefix && (rc = set_ipv6_prefix(n, a->ipv6prefix)))
		return rc;
	if (a->ipv6 > 0 && (rc = set_ipv6(n, true)))
		return rc;
	if (a->ipv6_default >= 0 &&
	    snode_set_attr(n, "advertiseDefaultIPv6Route",
			   a->ipv6_default ? "1" : "0"))
		return VBM_FAIL;
	for (i = 0; i < a->ndel; i++) {
		struct snode *list = snode_child(n, a->del[i].ipv6
						 ? "PortForwarding6"
						 : "PortForwarding4");
		struct snode *f = snode_child_with(list, "Forwarding", "name",
						   a->del[i].name);

		if (!f)
			return noinfo(VB_E_INVALIDARG,
				      "RemovePortForwardRule((BOOL)(*it).fIPv6, Bstr((*it).szName).raw())",
				      489, "Failed to delete pf");
		snode_remove(f);
		snode_prune_empty(list, n);
	}
	for (i = 0; i < a->nadd; i++)
		if ((rc = add_rule(n, &a->add[i])))
			return rc;
	for (i = 0; i < a->nlb_add; i++)
		if ((rc = add_mapping(n, a->lb_add[i])))
			return rc;
	if (a->enable >= 0 &&
	    snode_set_attr(n, "enabled", a->enable ? "1" : "0"))
		return VBM_FAIL;
	return 0;
}

/* VirtualBox writes PortForwarding4, PortForwarding6, Mappings. */
static void order_children(struct snode *n)
{
	static const char *const names[] = { "PortForwarding4",
		"PortForwarding6", "Mappings" };
	unsigned i;

	for (i = 0; i < 3; i++)
		if (snode_child(n, names[i]))
			snode_move(snode_child(n, names[i]), n);
}

static int run(struct vbm_ctx *ctx, enum nat_op op, struct nat_args *a)
{
	struct vbox *vb = vbm_vbox(ctx);
	struct vb_error err = { 0 };
	struct snode *n;
	int rc = 0;

	if (!vb)
		return VBM_FAIL;
	if (vbox_global_lock(vb, &err))
		return vbm_api_error(&err, NULL, FILE_NAT, 0);
	n = netsvc_find(vb, "NATNetworks", a->name);
	if (op == OP_ADD) {
		if (n) {
			vbox_global_unlock(vb);
			vbm_syntax_arg("NATNetwork server already exists");
			return VBM_SYNTAX;
		}
		n = create_network(vb, a->name);
		if (!n) {
			vbox_global_unlock(vb);
			vbm_error("Out of memory");
			return VBM_FAIL;
		}
	} else if (!n) {
		vbox_global_unlock(vb);
		vbm_syntax_arg("NATNetwork server does not exist");
		return VBM_SYNTAX;
	}
	switch (op) {
	case OP_ADD:
	case OP_MODIFY:
		rc = apply(a, n);
		order_children(n);
		break;
	case OP_REMOVE:
		snode_remove(n);
		snode_prune_empty(netsvc_list(vb, "NATNetworks", false),
				  vbox_global_node(vb, "NetserviceRegistry", false));
		break;
	case OP_START:
		/* the service (VBoxNetNAT) is not available here */
		if (snode_bool(n, "enabled", true)) {
			vbox_global_unlock(vb);
			return noinfo(VB_E_FAIL, "Start()", 588,
				      "Failed to start network");
		}
		break;
	case OP_STOP:
		break;
	}
	if (vbox_global_commit(vb, &err)) {
		vbm_api_error(&err, NULL, FILE_NAT, 0);
		return VBM_FAIL;
	}
	return rc;
}

static int handle_op(struct vbm_ctx *ctx, enum nat_op op, int argc,
		     char **argv)
{
	enum { O_IPV6_DEFAULT = 1000, O_IPV6_PREFIX };
	static const struct vb_option opts[] = {
		{ "--netname", 't', VBGO_STRING },
		{ "--network", 'n', VBGO_STRING },
		{ "--ipv4-prefix", 'n', VBGO_STRING },
		{ "--dhcp", 'h', VBGO_BOOL },
		{ "--ipv6", '6', VBGO_BOOL },
		{ "--ipv6-default", O_IPV6_DEFAULT, VBGO_BOOL },
		{ "--ipv6-enable", '6', VBGO_BOOL },
		{ "--ipv6-prefix", O_IPV6_PREFIX, VBGO_STRING },
		{ "--enable", 'e', VBGO_NOVAL },
		{ "--disable", 'd', VBGO_NOVAL },
		{ "--port-forward-4", 'p', VBGO_STRING },
		{ "--port-forward-6", 'P', VBGO_STRING },
		{ "--loopback-4", 'l', VBGO_STRING },
		{ "--loopback-6", 'L', VBGO_STRING },
	};
	struct nat_args a;
	struct vb_getopt g;
	int c, rc = VBM_SYNTAX;

	if (argc - 1 <= 1)
		return vbm_syntax(ctx, "Not enough parameters");
	memset(&a, 0, sizeof(a));
	a.enable = a.dhcp = a.ipv6 = a.ipv6_default = -1;
	vb_getopt_init(&g, argc, argv, 1, opts,
		       op != OP_REMOVE ? sizeof(opts) / sizeof(opts[0]) : 4);
	while ((c = vb_getopt_next(&g)) != VBGO_END) {
		switch (c) {
		case 't':
			if (a.name) {
				rc = vbm_syntax(ctx, "You can only specify --netname only once.");
				goto out;
			}
			a.name = g.v.str;
			break;
		case 'n':
			if (a.ipv4) {
				rc = vbm_syntax(ctx, "You can only specify --network only once.");
				goto out;
			}
			a.ipv4 = g.v.str;
			break;
		case 'e':
		case 'd':
			if (a.enable >= 0) {
				rc = vbm_syntax(ctx, "You can specify either --enable or --disable once.");
				goto out;
			}
			a.enable = c == 'e';
			break;
		case 'h':
			if (a.dhcp != -1) {
				rc = vbm_syntax(ctx, "You can specify --dhcp only once.");
				goto out;
			}
			a.dhcp = g.v.b;
			break;
		case '6':
			if (a.ipv6 != -1) {
				rc = vbm_syntax(ctx, "You can specify --ipv6 only once.");
				goto out;
			}
			a.ipv6 = g.v.b;
			break;
		case O_IPV6_PREFIX:
			if (a.ipv6prefix) {
				rc = vbm_syntax(ctx, "You can specify --ipv6-prefix only once.");
				goto out;
			}
			a.ipv6prefix = g.v.str;
			break;
		case O_IPV6_DEFAULT:
			if (a.ipv6_default != -1) {
				rc = vbm_syntax(ctx, "You can specify --ipv6-default only once.");
				goto out;
			}
			a.ipv6_default = g.v.b;
			break;
		case 'l':
		case 'L':
			if (!strcmp(g.v.str, "delete")) {
				if (op != OP_MODIFY)    /* reported, not fatal */
					vbm_syntax(ctx, "loopback couldn't be deleted on modified\n");
				/* VirtualBox's deletion loop never deletes */
				if (c == 'l' && vb_getopt_fetch(&g, VBGO_STRING) != 1) {
					rc = vbm_syntax(ctx, "Not enough par\xd0\xb0meters\n");
					goto out;
				}
			} else if (c == 'l') {
				const char **nv = realloc(a.lb_add, (a.nlb_add + 1) *
							  sizeof(*nv));

				if (!nv)
					goto oom;
				a.lb_add = nv;
				a.lb_add[a.nlb_add++] = g.v.str;
			}
			/* --loopback-6 values are not stored by VirtualBox */
			break;
		case 'p':
		case 'P':
			if (strcmp(g.v.str, "delete")) {
				struct pf_rule *nv = realloc(a.add, (a.nadd + 1) *
							     sizeof(*nv));

				if (!nv)
					goto oom;
				a.add = nv;
				if (parse_rule(g.v.str, c == 'P', &a.add[a.nadd])) {
					rc = vbm_syntax(ctx, "Invalid port-forward rule %s\n",
							g.v.str);
					goto out;
				}
				a.nadd++;
			} else {
				void *nv;

				if (op != OP_MODIFY) {
					rc = vbm_syntax(ctx, "Port-forward could be deleted on modify\n");
					goto out;
				}
				if (vb_getopt_fetch(&g, VBGO_STRING) != 1) {
					rc = vbm_syntax(ctx, "Not enough par\xd0\xb0meters\n");
					goto out;
				}
				if (strlen(g.v.str) > PF_NAMELEN) {
					rc = vbm_syntax(ctx, "Port-forward rule name is too long\n");
					goto out;
				}
				nv = realloc(a.del, (a.ndel + 1) * sizeof(*a.del));
				if (!nv)
					goto oom;
				a.del = nv;
				snprintf(a.del[a.ndel].name, PF_NAMELEN, "%s", g.v.str);
				a.del[a.ndel++].ipv6 = c == 'P';
			}
			break;
		default:
			rc = vbm_getopt_error(ctx, &g, c);
			goto out;
		}
	}
	if (!a.name) {
		rc = vbm_syntax(ctx, "You need to specify the --netname option");
		goto out;
	}
	if (op == OP_ADD && !a.ipv4) {
		rc = vbm_syntax(ctx, "You need to specify the --network option");
		goto out;
	}
	rc = run(ctx, op, &a);
	goto out;
oom:
	vbm_error("Out of memory");
	rc = VBM_FAIL;
out:
	free(a.add);
	free(a.del);
	free(a.lb_add);
	return rc;
}

static int nat_list(struct vbm_ctx *ctx, int argc, char **argv)
{
	struct vbox *vb = vbm_vbox(ctx);
	unsigned n;

	if (!vb)
		return VBM_FAIL;
	printf("NAT Networks:\n\n");
	n = vbm_list_natnets(vb, true, false, argc > 1 ? argv[1] : NULL);
	printf("%u %s found\n", n, n == 1 ? "network" : "networks");
	return VBM_OK;
}

int cmd_natnetwork(struct vbm_ctx *ctx, int argc, char **argv)
{
	static const struct { const char *word; enum nat_op op; } ops[] = {
		{ "modify", OP_MODIFY }, { "add", OP_ADD },
		{ "remove", OP_REMOVE }, { "start", OP_START },
		{ "stop", OP_STOP },
	};
	unsigned i;

	if (argc < 2)
		return vbm_syntax(ctx, "Not enough parameters");
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (!strcmp(argv[1], ops[i].word)) {
			vbm_set_subcommand(ctx, ops[i].word);
			return handle_op(ctx, ops[i].op, argc - 1, argv + 1);
		}
	}
	if (!strcmp(argv[1], "list")) {
		vbm_set_subcommand(ctx, "list");
		return nat_list(ctx, argc - 1, argv + 1);
	}
	return vbm_syntax(ctx, "Invalid parameter '%s'", argv[1]);
}

const struct vbm_help help_natnetwork = {
	"create, modify, and manage a NAT network",
	"VBoxManage\bnatnetwork\badd [--disable | --enable] <--netname=name> "
	"<--network=network> [--dhcp=on|off] [--ipv6=on|off] "
	"[--loopback-4=rule] [--loopback-6=rule] [--port-forward-4=rule] "
	"[--port-forward-6=rule]\n"
	"VBoxManage\bnatnetwork\blist [filter-pattern]\n"
	"VBoxManage\bnatnetwork\bmodify [--dhcp=on|off] [--disable | "
	"--enable] <--netname=name> <--network=network> [--ipv6=on|off] "
	"[--loopback-4=rule] [--loopback-6=rule] [--port-forward-4=rule] "
	"[--port-forward-6=rule]\n"
	"VBoxManage\bnatnetwork\bremove <--netname=name>\n"
	"VBoxManage\bnatnetwork\bstart <--netname=name>\n"
	"VBoxManage\bnatnetwork\bstop <--netname=name>",
	"A NAT network is an internal network whose machines reach the\n"
	"outside world through a shared NAT service, like the NAT of a single\n"
	"adapter but common to all machines on it.  The network is given in\n"
	"CIDR notation; the gateway is its first address.\n"
	"\n"
	"Port-forwarding rules have the form\n"
	"name:tcp|udp:[host-ip]:host-port:[guest-ip]:guest-port; \"delete\n"
	"name\" removes one (modify only).  Loopback rules map a host\n"
	"loopback address to an offset in the network (127.0.0.1=2 is the\n"
	"default).  list shows the networks whose names match the pattern\n"
	"(* and ?).  start and stop control the NAT service of the network.\n",
};
