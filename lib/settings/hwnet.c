/*
 * Machine configuration model: network adapters.
 *
 *   Network/Adapter slot= enabled= MACAddress= cable= speed= bootPriority=
 *           trace= tracefile= bandwidthGroup= promiscuousModePolicy= type=
 *     DisabledModes/<settings of the inactive attachment types>
 *     NAT | BridgedInterface | InternalNetwork | HostOnlyInterface |
 *     GenericInterface | NATNetwork | CloudNetwork | HostOnlyNetwork
 *
 * Spec: settings-format.md 7.10.  An adapter at its defaults is not
 * written; the cable and type defaults changed at 1.16, the NAT
 * localhost-reachable default at 1.19 (bump.c converts on upgrade).
 * NAT rules are kept sorted by name, generic properties too.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lib/settings/hwmodel.h"
#include "lib/util/strbuf.h"

static const char *const att_elem[HWA_COUNT] = {
	[HWA_NULL] = NULL,
	[HWA_NAT] = "NAT",
	[HWA_BRIDGED] = "BridgedInterface",
	[HWA_INTNET] = "InternalNetwork",
	[HWA_HOSTONLY] = "HostOnlyInterface",
	[HWA_GENERIC] = "GenericInterface",
	[HWA_NATNETWORK] = "NATNetwork",
	[HWA_CLOUD] = "CloudNetwork",
	[HWA_HOSTONLYNET] = "HostOnlyNetwork",
};

const char *hwm_att_element(enum hwm_att a)
{
	return (unsigned)a < HWA_COUNT ? att_elem[a] : NULL;
}

unsigned hwm_nic_count(struct machine *m)
{
	return strcmp(hwm_get_str(m, HWM_CHIPSET), "ICH9") ? 8 : HWM_NIC_MAX;
}

static unsigned file_version(struct machine *m)
{
	return sdoc_version(machine_doc(m));
}

/* ------------------------------------------------------------------ */
/* adapter attributes                                                  */

enum { NT_BOOL, NT_U32, NT_STR };

struct nic_def {
	const char *attr;
	int type;
	const char *def;
};

static const struct nic_def nic_defs[HWN_COUNT] = {
	[HWN_ENABLED] = { "enabled", NT_BOOL, "false" },
	[HWN_MAC] = { "MACAddress", NT_STR, "" },
	[HWN_CABLE] = { "cable", NT_BOOL, "true" },
	[HWN_SPEED] = { "speed", NT_U32, "0" },
	[HWN_BOOT_PRIO] = { "bootPriority", NT_U32, "0" },
	[HWN_TRACE] = { "trace", NT_BOOL, "false" },
	[HWN_TRACE_FILE] = { "tracefile", NT_STR, "" },
	[HWN_BWGROUP] = { "bandwidthGroup", NT_STR, "" },
	[HWN_PROMISC] = { "promiscuousModePolicy", NT_STR, "Deny" },
	[HWN_TYPE] = { "type", NT_STR, "Am79C973" },
};

static const char *nic_default(struct machine *m, enum hwm_nic_attr a)
{
	if (file_version(m) < 16) {
		if (a == HWN_CABLE)
			return "false";
		if (a == HWN_TYPE)
			return "Am79C970A";
	}
	return nic_defs[a].def;
}

static struct snode *nic_node(struct machine *m, unsigned slot, bool create)
{
	struct snode *net = machine_elem(m, ME_NETWORK, create), *a;
	char buf[16];

	if (!net)
		return NULL;
	snprintf(buf, sizeof(buf), "%u", slot);
	a = snode_child_with(net, "Adapter", "slot", buf);
	if (a || !create)
		return a;
	/* new adapters go in slot order: append, then move the adapters of
	 * higher slots behind it */
	a = snode_add(net, "Adapter");
	if (!a || snode_set_attr(a, "slot", buf))
		return NULL;
	{
		struct snode *c = snode_child(net, "Adapter"), *next;

		for (; c && c != a; c = next) {
			next = snode_next(c, "Adapter");
			if (snode_u32(c, "slot", 0) > slot &&
			    snode_move(c, net))
				return NULL;
		}
	}
	return a;
}

/* Drop elements under DisabledModes that say nothing, then the adapter
 * itself when it is back at its defaults. */
static void nic_tidy(struct machine *m, struct snode *a)
{
	struct snode *dm = snode_child(a, "DisabledModes"), *c, *next;
	struct snode *net;
	const char *name, *v;

	for (c = snode_child(dm, NULL); c; c = next) {
		next = snode_next(c, NULL);
		if (snode_is_empty(c))
			snode_remove(c);
	}
	if (dm && snode_is_empty(dm))
		snode_remove(dm);
	if (snode_child(a, NULL))
		return;
	name = snode_attr_at(a, 1, &v);
	if (name)
		return;
	net = snode_parent(a);
	snode_remove(a);
	snode_prune_empty(net, machine_elem(m, ME_HARDWARE, false));
}

/* The value as read: booleans as "true"/"false", numbers in range,
 * anything unreadable as the default def. */
static const char *attr_value(const char *v, int type, const char *def,
			      char *buf, size_t size)
{
	unsigned long long u;

	switch (type) {
	case NT_BOOL:
		if (v && (!strcmp(v, "true") || !strcmp(v, "1") ||
			  !strcmp(v, "yes")))
			return "true";
		if (v && (!strcmp(v, "false") || !strcmp(v, "0") ||
			  !strcmp(v, "no")))
			return "false";
		return def;
	case NT_U32:
		if (!v || vb_parse_u64(v, &u) || u > UINT32_MAX)
			return def;
		snprintf(buf, size, "%llu", u);
		return buf;
	default:
		return v ? v : def;
	}
}

static const char *nic_cur(struct machine *m, unsigned slot,
			   enum hwm_nic_attr a, char *buf, size_t size)
{
	return attr_value(snode_attr(nic_node(m, slot, false), nic_defs[a].attr),
			  nic_defs[a].type, nic_default(m, a), buf, size);
}

bool hwm_nic_bool(struct machine *m, unsigned slot, enum hwm_nic_attr a)
{
	char buf[24];

	return !strcmp(nic_cur(m, slot, a, buf, sizeof(buf)), "true");
}

uint32_t hwm_nic_u32(struct machine *m, unsigned slot, enum hwm_nic_attr a)
{
	char buf[24];
	unsigned long long u = 0;

	vb_parse_u64(nic_cur(m, slot, a, buf, sizeof(buf)), &u);
	return (uint32_t)u;
}

const char *hwm_nic_str(struct machine *m, unsigned slot,
			enum hwm_nic_attr a)
{
	const char *v = snode_attr(nic_node(m, slot, false), nic_defs[a].attr);

	return v ? v : nic_default(m, a);
}

static int nic_set_text(struct machine *m, unsigned slot,
			enum hwm_nic_attr a, const char *text)
{
	struct snode *n;

	if (!strcmp(text, nic_default(m, a))) {
		n = nic_node(m, slot, false);
		if (!n)
			return 0;
		snode_set_attr(n, nic_defs[a].attr, NULL);
		nic_tidy(m, n);
		return 0;
	}
	n = nic_node(m, slot, true);
	if (!n)
		return -ENOMEM;
	return hwm_attr_set(n, nic_defs[a].attr, text);
}

int hwm_nic_set_bool(struct machine *m, unsigned slot, enum hwm_nic_attr a,
		     bool v)
{
	return nic_set_text(m, slot, a, v ? "true" : "false");
}

int hwm_nic_set_u32(struct machine *m, unsigned slot, enum hwm_nic_attr a,
		    uint32_t v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%" PRIu32, v);
	return nic_set_text(m, slot, a, buf);
}

int hwm_nic_set_str(struct machine *m, unsigned slot, enum hwm_nic_attr a,
		    const char *v)
{
	char *copy = strdup(v ? v : "");
	int rc;

	if (!copy)
		return -ENOMEM;
	rc = nic_set_text(m, slot, a, *copy ? copy : nic_default(m, a));
	free(copy);
	return rc;
}

static int random_bytes(unsigned char *b, size_t n)
{
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -errno;
	r = read(fd, b, n);
	close(fd);
	return r == (ssize_t)n ? 0 : -EIO;
}

int hwm_nic_set_mac(struct machine *m, unsigned slot, const char *mac,
		    struct vb_error *err)
{
	char buf[13];
	size_t i;

	if (!mac || !*mac) {
		unsigned char r[3];
		int rc = random_bytes(r, sizeof(r));

		if (rc)
			return vb_err(err, -rc, VB_E_FAIL,
				      "Could not generate a MAC address");
		snprintf(buf, sizeof(buf), "080027%02X%02X%02X", r[0], r[1],
			 r[2]);
		return hwm_nic_set_str(m, slot, HWN_MAC, buf);
	}
	if (strlen(mac) != 12)
		goto bad;
	for (i = 0; i < 12; i++) {
		char c = mac[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		      (c >= 'A' && c <= 'F')))
			goto bad;
		buf[i] = (char)(c >= 'a' ? c - 'a' + 'A' : c);
	}
	buf[12] = '\0';
	/* unicast only: the low bit of the first byte must be clear */
	if ((buf[1] <= '9' ? buf[1] - '0' : buf[1] - 'A' + 10) & 1)
		goto bad;
	return hwm_nic_set_str(m, slot, HWN_MAC, buf);
bad:
	vb_err(err, EINVAL, VB_E_INVALIDARG, "Invalid MAC address format");
	vb_err_where(err, "NetworkAdapterWrap", "INetworkAdapter",
		     "nsISupports");
	return -EINVAL;
}

/* ------------------------------------------------------------------ */
/* attachments                                                         */

static enum hwm_att att_of(const char *name)
{
	unsigned i;

	for (i = 1; i < HWA_COUNT; i++)
		if (!strcmp(att_elem[i], name))
			return (enum hwm_att)i;
	return HWA_NULL;
}

/* The active attachment element of an adapter, or NULL. */
static struct snode *active_att(struct snode *a)
{
	struct snode *c;

	for (c = snode_child(a, NULL); c; c = snode_next(c, NULL))
		if (att_of(snode_name(c)) != HWA_NULL)
			return c;
	return NULL;
}

enum hwm_att hwm_nic_attachment(struct machine *m, unsigned slot)
{
	struct snode *c = active_att(nic_node(m, slot, false));

	return c ? att_of(snode_name(c)) : HWA_NULL;
}

/* The element holding the settings of attachment type t: the active one
 * when t is active, else the one remembered under DisabledModes. */
static struct snode *att_node(struct machine *m, unsigned slot,
			      enum hwm_att t, bool create)
{
	struct snode *a = nic_node(m, slot, create), *c, *dm;

	if (!a || t == HWA_NULL)
		return NULL;
	c = snode_child(a, att_elem[t]);
	if (c)
		return c;
	dm = snode_child(a, "DisabledModes");
	c = snode_child(dm, att_elem[t]);
	if (c || !create)
		return c;
	dm = snode_ensure(a, "DisabledModes");
	return dm ? snode_add(dm, att_elem[t]) : NULL;
}

int hwm_nic_set_attachment(struct machine *m, unsigned slot, enum hwm_att t)
{
	struct snode *a = nic_node(m, slot, t != HWA_NULL), *cur, *dm, *c;

	if (!a)
		return t == HWA_NULL ? 0 : -ENOMEM;
	cur = active_att(a);
	if (cur && att_of(snode_name(cur)) == t)
		return 0;
	if (cur) {
		dm = snode_ensure(a, "DisabledModes");
		if (!dm || snode_move(cur, dm))
			return -ENOMEM;
	}
	if (t != HWA_NULL) {
		dm = snode_child(a, "DisabledModes");
		c = snode_child(dm, att_elem[t]);
		if (c) {
			if (snode_move(c, a))
				return -ENOMEM;
		} else {
			c = snode_add(a, att_elem[t]);
			if (!c)
				return -ENOMEM;
		}
		/* Main insists on a network name for these two */
		if (t == HWA_INTNET && !snode_attr(c, "name") &&
		    snode_set_attr(c, "name", "intnet"))
			return -ENOMEM;
		if (t == HWA_NATNETWORK && !snode_attr(c, "name") &&
		    snode_set_attr(c, "name", "NatNetwork"))
			return -ENOMEM;
	}
	nic_tidy(m, a);
	return 0;
}

static const char *name_attr(enum hwm_att t)
{
	return t == HWA_GENERIC ? "driver" : "name";
}

const char *hwm_nic_net_name(struct machine *m, unsigned slot, enum hwm_att t)
{
	const char *v = snode_attr(att_node(m, slot, t, false), name_attr(t));

	return v ? v : "";
}

int hwm_nic_set_net_name(struct machine *m, unsigned slot, enum hwm_att t,
			 const char *name)
{
	struct snode *n;
	char *copy;
	int rc;

	if (t == HWA_NULL || t == HWA_NAT)
		return -EINVAL;
	if (!name || !*name) {
		n = att_node(m, slot, t, false);
		if (!n)
			return 0;
		snode_set_attr(n, name_attr(t), NULL);
		nic_tidy(m, nic_node(m, slot, false));
		return 0;
	}
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	n = att_node(m, slot, t, true);
	rc = n ? hwm_attr_set(n, name_attr(t), copy) : -ENOMEM;
	free(copy);
	return rc;
}

unsigned hwm_nic_prop_count(struct machine *m, unsigned slot)
{
	return snode_count(att_node(m, slot, HWA_GENERIC, false), "Property");
}

const char *hwm_nic_prop_at(struct machine *m, unsigned slot, unsigned i,
			    const char **value)
{
	struct snode *p = snode_child(att_node(m, slot, HWA_GENERIC, false),
				      "Property");

	for (; p && i; p = snode_next(p, "Property"))
		i--;
	if (!p)
		return NULL;
	*value = snode_attr(p, "value") ? snode_attr(p, "value") : "";
	return snode_attr(p, "name") ? snode_attr(p, "name") : "";
}

int hwm_nic_set_prop(struct machine *m, unsigned slot, const char *name,
		     const char *value)
{
	struct snode *g, *p;

	if (!value || !*value) {
		g = att_node(m, slot, HWA_GENERIC, false);
		p = snode_child_with(g, "Property", "name", name);
		if (p) {
			snode_remove(p);
			nic_tidy(m, nic_node(m, slot, false));
		}
		return 0;
	}
	g = att_node(m, slot, HWA_GENERIC, true);
	if (!g)
		return -ENOMEM;
	p = snode_child_with(g, "Property", "name", name);
	if (!p) {
		p = snode_add(g, "Property");
		if (!p || hwm_attr_set(p, "name", name))
			return -ENOMEM;
	}
	if (hwm_attr_set(p, "value", value))
		return -ENOMEM;
	snode_sort_children(g, "Property", "name");
	return 0;
}

/* ------------------------------------------------------------------ */
/* NAT engine                                                          */

struct nat_def {
	const char *child;      /* NULL = the NAT element itself */
	const char *attr;
	int type;
	const char *def;
};

static const struct nat_def nat_defs[HWT_COUNT] = {
	[HWT_NETWORK] = { NULL, "network", NT_STR, "" },
	[HWT_HOSTIP] = { NULL, "hostip", NT_STR, "" },
	[HWT_MTU] = { NULL, "mtu", NT_U32, "0" },
	[HWT_SOCKRCV] = { NULL, "sockrcv", NT_U32, "0" },
	[HWT_SOCKSND] = { NULL, "socksnd", NT_U32, "0" },
	[HWT_TCPRCV] = { NULL, "tcprcv", NT_U32, "0" },
	[HWT_TCPSND] = { NULL, "tcpsnd", NT_U32, "0" },
	[HWT_LOCALHOST] = { NULL, "localhost-reachable", NT_BOOL, "false" },
	[HWT_DNS_PASS_DOMAIN] = { "DNS", "pass-domain", NT_BOOL, "true" },
	[HWT_DNS_PROXY] = { "DNS", "use-proxy", NT_BOOL, "false" },
	[HWT_DNS_HOST_RESOLVER] = { "DNS", "use-host-resolver", NT_BOOL,
				    "false" },
	[HWT_ALIAS_LOG] = { "Alias", "logging", NT_BOOL, "false" },
	[HWT_ALIAS_PROXY_ONLY] = { "Alias", "proxy-only", NT_BOOL, "false" },
	[HWT_ALIAS_SAME_PORTS] = { "Alias", "use-same-ports", NT_BOOL,
				   "false" },
	[HWT_TFTP_PREFIX] = { "TFTP", "prefix", NT_STR, "" },
	[HWT_TFTP_FILE] = { "TFTP", "boot-file", NT_STR, "" },
	[HWT_TFTP_SERVER] = { "TFTP", "next-server", NT_STR, "" },
};

static const char *nat_default(struct machine *m, enum hwm_nat_attr a)
{
	if (a == HWT_LOCALHOST && file_version(m) < 19)
		return "true";
	return nat_defs[a].def;
}

static struct snode *nat_attr_node(struct machine *m, unsigned slot,
				   enum hwm_nat_attr a, bool create)
{
	struct snode *nat = att_node(m, slot, HWA_NAT, create);

	if (!nat || !nat_defs[a].child)
		return nat;
	return create ? snode_ensure(nat, nat_defs[a].child)
		      : snode_child(nat, nat_defs[a].child);
}

static const char *nat_cur(struct machine *m, unsigned slot,
			   enum hwm_nat_attr a, char *buf, size_t size)
{
	return attr_value(snode_attr(nat_attr_node(m, slot, a, false),
				     nat_defs[a].attr),
			  nat_defs[a].type, nat_default(m, a), buf, size);
}

bool hwm_nat_bool(struct machine *m, unsigned slot, enum hwm_nat_attr a)
{
	char buf[24];

	return !strcmp(nat_cur(m, slot, a, buf, sizeof(buf)), "true");
}

uint32_t hwm_nat_u32(struct machine *m, unsigned slot, enum hwm_nat_attr a)
{
	char buf[24];
	unsigned long long u = 0;

	vb_parse_u64(nat_cur(m, slot, a, buf, sizeof(buf)), &u);
	return (uint32_t)u;
}

const char *hwm_nat_str(struct machine *m, unsigned slot,
			enum hwm_nat_attr a)
{
	const char *v = snode_attr(nat_attr_node(m, slot, a, false),
				   nat_defs[a].attr);

	return v ? v : nat_default(m, a);
}

static int nat_set_text(struct machine *m, unsigned slot,
			enum hwm_nat_attr a, const char *text)
{
	struct snode *n;
	char *copy;
	int rc;

	if (!strcmp(text, nat_default(m, a))) {
		n = nat_attr_node(m, slot, a, false);
		if (!n)
			return 0;
		snode_set_attr(n, nat_defs[a].attr, NULL);
		if (nat_defs[a].child && snode_is_empty(n))
			snode_remove(n);
		nic_tidy(m, nic_node(m, slot, false));
		return 0;
	}
	copy = strdup(text);
	if (!copy)
		return -ENOMEM;
	n = nat_attr_node(m, slot, a, true);
	rc = n ? hwm_attr_set(n, nat_defs[a].attr, copy) : -ENOMEM;
	free(copy);
	return rc;
}

int hwm_nat_set_bool(struct machine *m, unsigned slot, enum hwm_nat_attr a,
		     bool v)
{
	return nat_set_text(m, slot, a, v ? "true" : "false");
}

int hwm_nat_set_u32(struct machine *m, unsigned slot, enum hwm_nat_attr a,
		    uint32_t v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%" PRIu32, v);
	return nat_set_text(m, slot, a, buf);
}

int hwm_nat_set_str(struct machine *m, unsigned slot, enum hwm_nat_attr a,
		    const char *v)
{
	return nat_set_text(m, slot, a, v ? v : "");
}

/* ------------------------------------------------------------------ */
/* port-forwarding rules                                               */

bool hwm_natrule_at(struct machine *m, unsigned slot, unsigned i,
		    struct hwm_natrule *out)
{
	struct snode *f = snode_child(att_node(m, slot, HWA_NAT, false),
				      "Forwarding");

	for (; f && i; f = snode_next(f, "Forwarding"))
		i--;
	if (!f)
		return false;
	out->name = snode_attr(f, "name") ? snode_attr(f, "name") : "";
	out->tcp = snode_u32(f, "proto", 0) == 1;
	out->host_ip = snode_attr(f, "hostip") ? snode_attr(f, "hostip") : "";
	out->host_port = (uint16_t)snode_u32(f, "hostport", 0);
	out->guest_ip = snode_attr(f, "guestip") ? snode_attr(f, "guestip")
						 : "";
	out->guest_port = (uint16_t)snode_u32(f, "guestport", 0);
	return true;
}

static int natrule_err(struct vb_error *err, const char *msg)
{
	vb_err(err, EINVAL, VB_E_INVALIDARG, "%s", msg);
	vb_err_where(err, "NATEngineWrap", "INATEngine", "nsISupports");
	return -EINVAL;
}

int hwm_natrule_add(struct machine *m, unsigned slot,
		    const struct hwm_natrule *r, struct vb_error *err)
{
	struct snode *nat, *f;
	char gen[64];
	const char *name = r->name, *s;
	unsigned i;
	struct hwm_natrule x;

	if (!name || !*name) {
		snprintf(gen, sizeof(gen), "%s_%u_%u", r->tcp ? "tcp" : "udp",
			 r->host_port, r->guest_port);
		name = gen;
	} else {
		for (s = name; *s; s++)
			if (*s == ',')
				return natrule_err(err,
						   "',' - invalid character in NAT rule name");
	}
	for (i = 0; hwm_natrule_at(m, slot, i, &x); i++) {
		if (!strcmp(x.name, name))
			return natrule_err(err,
					   "A NAT rule of this name already exists");
		if (!strcmp(x.host_ip, r->host_ip ? r->host_ip : "") &&
		    x.host_port == r->host_port && x.tcp == r->tcp)
			return natrule_err(err,
					   "A NAT rule for this host port and this host IP already exists");
	}
	nat = att_node(m, slot, HWA_NAT, true);
	f = nat ? snode_add(nat, "Forwarding") : NULL;
	if (!f || hwm_attr_set(f, "name", name) ||
	    hwm_attr_set(f, "proto", r->tcp ? "1" : "0"))
		return -ENOMEM;
	if (r->host_ip && *r->host_ip && hwm_attr_set(f, "hostip", r->host_ip))
		return -ENOMEM;
	if (r->host_port && snode_set_attrf(f, "hostport", "%u", r->host_port))
		return -ENOMEM;
	if (r->guest_ip && *r->guest_ip &&
	    hwm_attr_set(f, "guestip", r->guest_ip))
		return -ENOMEM;
	if (r->guest_port &&
	    snode_set_attrf(f, "guestport", "%u", r->guest_port))
		return -ENOMEM;
	snode_sort_children(nat, "Forwarding", "name");
	return 0;
}

int hwm_natrule_remove(struct machine *m, unsigned slot, const char *name)
{
	struct snode *nat = att_node(m, slot, HWA_NAT, false);
	struct snode *f = snode_child_with(nat, "Forwarding", "name", name);

	if (!f)
		return -ENOENT;
	snode_remove(f);
	nic_tidy(m, nic_node(m, slot, false));
	return 0;
}

/* ------------------------------------------------------------------ */
/* write-time rules                                                    */

int hwm_normalize(struct machine *m)
{
	struct snode *net = machine_elem(m, ME_NETWORK, false), *a, *next;

	for (a = snode_child(net, "Adapter"); a; a = next) {
		next = snode_next(a, "Adapter");
		/* VirtualBox writes the trace file only while tracing */
		if (!snode_bool(a, "trace", false)) {
			snode_set_attr(a, "trace", NULL);
			snode_set_attr(a, "tracefile", NULL);
		}
		nic_tidy(m, a);
	}
	/* an enabled adapter needs a MAC address: VirtualBox makes one up
	 * when it finds none (and writes it); disabled adapters stay as
	 * they are (VirtualBox also writes those without one) */
	for (a = snode_child(machine_elem(m, ME_NETWORK, false), "Adapter"); a;
	     a = snode_next(a, "Adapter")) {
		unsigned slot = snode_u32(a, "slot", 0);
		int rc;

		if (snode_attr(a, "MACAddress") ||
		    !snode_bool(a, "enabled", false))
			continue;
		rc = hwm_nic_set_mac(m, slot, NULL, NULL);
		if (rc)
			return rc;
	}
	return 0;
}
