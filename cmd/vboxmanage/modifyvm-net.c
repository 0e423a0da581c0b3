/*
 * modifyvm: network adapter and NAT engine options (--nicN, --nat-pfN...).
 *
 * Spec: vboxmanage-cli.md 3.4 "Network"; VirtualBox 7.0's option handling
 * (an out-of-range NIC number prints "Invalid NIC number <n>" and the
 * option is skipped without failing the command) and Main's NIC/NAT
 * setter checks.  Bridged/host-only interface names are not checked
 * against the host's interfaces.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

#include "cmd/vboxmanage/modifyvm.h"
#include "lib/util/strbuf.h"

/* VirtualBox's parseNum(): 1..count, else a message and "skip". */
static bool nic_ok(struct mv *mv)
{
	unsigned i = mv->g->index;

	if (i >= 1 && i <= mv->nics)
		return true;
	vbm_error("Invalid NIC number %u", i);
	return false;
}

static int nic_err(const char *context, int line, const char *msg)
{
	struct vb_error err = { 0 };

	vb_err(&err, EINVAL, VB_E_FAIL, "%s", msg);
	vb_err_where(&err, "NetworkAdapterWrap", "INetworkAdapter",
		     "nsISupports");
	return mv_api(&err, context, line);
}

static int nat_err(const char *context, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int nat_err(const char *context, int line, const char *fmt, ...)
{
	struct vb_error err = { 0 };
	va_list ap;

	va_start(ap, fmt);
	vb_verr(&err, EINVAL, VB_E_INVALIDARG, fmt, ap);
	va_end(ap);
	vb_err_where(&err, "NATEngineWrap", "INATEngine", "nsISupports");
	return mv_api(&err, context, line);
}

/*
 * IPRT's RTStrToUInt64Ex() as RTStrToUInt32()/RTStrToUInt16() use it:
 * blanks and signs skipped, base from the prefix (0x hex, 0 octal), the
 * leading digits taken, wrapping on overflow, a minus negating; 0 when
 * there is no digit.  The callers truncate like those functions do.
 */
static uint64_t lenient_u64(const char *s)
{
	uint64_t v = 0;
	bool neg = false;
	unsigned base = 10;

	while (isspace((unsigned char)*s))
		s++;
	for (; *s == '+' || *s == '-'; s++)
		if (*s == '-')
			neg = !neg;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
	    isxdigit((unsigned char)s[2])) {
		base = 16;
		s += 2;
	} else if (s[0] == '0' && s[1] >= '0' && s[1] <= '7') {
		base = 8;
		s++;
	}
	for (; *s; s++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (isxdigit((unsigned char)*s))
			d = (unsigned)(tolower((unsigned char)*s) - 'a' + 10);
		else
			break;
		if (d >= base)
			break;
		v = v * base + d;
	}
	return neg ? (uint64_t)0 - v : v;
}

static uint32_t lenient_u32(const char *s)
{
	return (uint32_t)lenient_u64(s);
}

static uint16_t lenient_u16(const char *s)
{
	return (uint16_t)lenient_u64(s);
}

/* RTStrStrip() in place. */
static char *strip(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Split at ',' into n terms; false when there are fewer commas. */
static bool split_terms(char *s, char **terms, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		char *comma = i + 1 < n ? strchr(s, ',') : NULL;

		if (i + 1 < n && !comma)
			return false;
		if (comma)
			*comma = '\0';
		terms[i] = strip(s);
		s = comma ? comma + 1 : s;
	}
	return true;
}

static const struct {
	const char *cli, *settings;
} nic_types[] = {
	{ "Am79C970A", "Am79C970A" }, { "Am79C973", "Am79C973" },
	{ "Am79C960", "Am79C960" }, { "82540EM", "82540EM" },
	{ "82543GC", "82543GC" }, { "82545EM", "82545EM" },
	{ "virtio", "virtio" },
};

static const struct {
	const char *cli;
	enum hwm_att att;
} nic_modes[] = {
	{ "null", HWA_NULL }, { "nat", HWA_NAT }, { "bridged", HWA_BRIDGED },
	{ "hostif", HWA_BRIDGED }, { "intnet", HWA_INTNET },
	{ "hostonly", HWA_HOSTONLY }, { "generic", HWA_GENERIC },
	{ "natnetwork", HWA_NATNETWORK }, { "cloud", HWA_CLOUD },
};

static int set_nic_mode(struct mv *mv, unsigned slot)
{
	const char *v = mv->g->v.str;
	size_t i;
	int rc;

	if (!strcasecmp(v, "none"))
		return mv_rc(hwm_nic_set_bool(mv->m, slot, HWN_ENABLED, false));
	for (i = 0; i < sizeof(nic_modes) / sizeof(nic_modes[0]); i++) {
		if (strcasecmp(v, nic_modes[i].cli))
			continue;
		rc = hwm_nic_set_bool(mv->m, slot, HWN_ENABLED, true);
		if (!rc)
			rc = hwm_nic_set_attachment(mv->m, slot,
						    nic_modes[i].att);
		return mv_rc(rc);
	}
	return mv_argerr("Invalid type '%s' specfied for NIC %u", v,
			 mv->g->index);
}

static int set_net_name(struct mv *mv, unsigned slot, enum hwm_att t,
			bool none_clears, const char *context, int line)
{
	const char *v = mv->g->v.str;
	char ctx[160];

	/* "none" (exactly) clears; VirtualBox then passes an empty string,
	 * which its error context shows */
	if (none_clears && !strcmp(v, "none")) {
		const char *p = strstr(context, "ValueUnion.psz");

		v = "";
		if (p) {
			snprintf(ctx, sizeof(ctx), "%.*s%s", (int)(p - context),
				 context, p + strlen("ValueUnion.psz"));
			context = ctx;
		}
	}
	if (!*v && hwm_nic_attachment(mv->m, slot) == t) {
		if (t == HWA_INTNET)
			return nic_err(context, line,
				       "Empty or null internal network name is not valid");
		if (t == HWA_NATNETWORK)
			return nic_err(context, line,
				       "Empty or null NAT network name is not valid");
	}
	return mv_rc(hwm_nic_set_net_name(mv->m, slot, t, v));
}

static int set_natpf(struct mv *mv, unsigned slot)
{
	struct vb_getopt *g = mv->g;
	struct vb_error err = { 0 };
	struct hwm_natrule r;
	char *raw, *t[6];
	int rc;

	if (!strcmp(g->v.str, "delete")) {
		if (vb_getopt_fetch(g, VBGO_STRING) != 1)
			return mv_syntax(mv, "Not enough parameters");
		if (hwm_natrule_remove(mv->m, slot, g->v.str))
			return mv_plain_err(VB_E_INVALIDARG,
					    "RemoveRedirect(Bstr(ValueUnion.psz).raw())",
					    1951);
		return MV_OK;
	}
	raw = strdup(g->v.str);
	if (!raw)
		return mv_rc(-ENOMEM);
	if (!split_terms(raw, t, 6)) {
		free(raw);
		return mv_syntax(mv, "Missing or invalid argument to '%s'",
				 mv->name);
	}
	if (strcasecmp(t[1], "udp") && strcasecmp(t[1], "tcp")) {
		free(raw);
		return mv_argerr("Invalid proto '%s' specfied for NIC %u",
				 g->v.str, g->index);
	}
	r.name = t[0];
	r.tcp = !strcasecmp(t[1], "tcp");
	r.host_ip = t[2];
	r.host_port = lenient_u16(t[3]);
	r.guest_ip = t[4];
	r.guest_port = lenient_u16(t[5]);
	rc = hwm_natrule_add(mv->m, slot, &r, &err);
	free(raw);
	if (rc == -ENOMEM)
		return mv_rc(rc);
	if (rc)
		return mv_api(&err,
			      "AddRedirect(Bstr(strName).raw(), proto, Bstr(strHostIp).raw(), RTStrToUInt16(strHostPort), Bstr(strGuestIp).raw(), RTStrToUInt16(strGuestPort))",
			      1923);
	return MV_OK;
}

static int set_nat_settings(struct mv *mv)
{
	char *raw = strdup(mv->g->v.str), *t[5];
	static const enum hwm_nat_attr attrs[5] = { HWT_MTU, HWT_SOCKSND,
		HWT_SOCKRCV, HWT_TCPSND, HWT_TCPRCV };
	uint32_t v[5];
	unsigned i, slot;
	int rc = 0;

	if (!raw)
		return mv_rc(-ENOMEM);
	if (!split_terms(raw, t, 5)) {
		free(raw);
		return mv_syntax(mv, "Missing or invalid argument to '%s'",
				 mv->name);
	}
	for (i = 0; i < 5; i++)
		v[i] = lenient_u32(t[i]);
	free(raw);
	if (!nic_ok(mv))
		return MV_OK;
	slot = mv->g->index - 1;
	/* Main's SetNetworkSettings() keeps zeros as "unchanged" and, as
	 * VirtualBox 7.0 does, stores the send buffer size as receive size */
	for (i = 0; i < 5 && !rc; i++)
		if (v[i])
			rc = hwm_nat_set_u32(mv->m, slot, attrs[i],
					     i == 2 ? v[1] : v[i]);
	return mv_rc(rc);
}

static int set_alias_mode(struct mv *mv)
{
	const char *tok = mv->g->v.str;
	bool log = false, proxy = false, same = false;
	unsigned slot;
	int rc;

	if (mv->g->index < 1 || mv->g->index > mv->nics) {
		struct vb_error err = { 0 };

		vb_err(&err, EINVAL, VB_E_INVALIDARG,
		       "No network adapter in slot %u (total %u adapters)",
		       mv->g->index - 1, mv->nics);
		vb_err_where(&err, "SessionMachine", "IMachine", "nsISupports");
		return mv_api(&err,
			      "GetNetworkAdapter(GetOptState.uIndex - 1, nic.asOutParam())",
			      1968);
	}
	slot = mv->g->index - 1;
	if (strcmp(tok, "default")) {
		while (tok) {
			if (!strncmp(tok, "log", 3))
				log = true;
			else if (!strncmp(tok, "proxyonly", 9))
				proxy = true;
			else if (!strncmp(tok, "sameports", 9))
				same = true;
			tok = strchr(tok, ',');
			if (tok)
				tok++;
		}
	}
	rc = hwm_nat_set_bool(mv->m, slot, HWT_ALIAS_LOG, log);
	if (!rc)
		rc = hwm_nat_set_bool(mv->m, slot, HWT_ALIAS_PROXY_ONLY, proxy);
	if (!rc)
		rc = hwm_nat_set_bool(mv->m, slot, HWT_ALIAS_SAME_PORTS, same);
	return mv_rc(rc);
}

static int set_bind_ip(struct mv *mv, unsigned slot)
{
	const char *ip = mv->g->v.str;
	struct in_addr a;

	if (*ip) {
		if (inet_pton(AF_INET, ip, &a) != 1)
			return nat_err("COMSETTER(HostIP)(Bstr(ValueUnion.psz).raw())",
				       1828, "Invalid IPv4 address \"%s\"", ip);
		if ((ntohl(a.s_addr) & 0xe0000000u) == 0xe0000000u)
			return nat_err("COMSETTER(HostIP)(Bstr(ValueUnion.psz).raw())",
				       1828, "Cannot bind to a multicast address %s",
				       ip);
	}
	return mv_rc(hwm_nat_set_str(mv->m, slot, HWT_HOSTIP, ip));
}

int mv_net(struct mv *mv)
{
	struct vb_getopt *g = mv->g;
	struct machine *m = mv->m;
	struct vb_error err = { 0 };
	unsigned slot = g->index ? g->index - 1 : 0;
	size_t i;

	switch (mv->c) {
	case MV_NICPROMISC: {
		const char *p = !strcasecmp(g->v.str, "deny") ? "Deny" :
				!strcasecmp(g->v.str, "allow-vms") ||
				!strcasecmp(g->v.str, "allow-network")
				? "AllowNetwork" :
				!strcasecmp(g->v.str, "allow-all") ? "AllowAll"
								   : NULL;

		if (!p)
			return mv_argerr("Unknown promiscuous mode policy '%s'",
					 g->v.str);
		if (!nic_ok(mv))
			return MV_OK;
		return mv_rc(hwm_nic_set_str(m, slot, HWN_PROMISC, p));
	}
	case MV_NATSETTINGS:
		return set_nat_settings(mv);
	case MV_NATALIASMODE:
		return set_alias_mode(mv);
	case MV_NICTRACEFILE: case MV_NICTRACE: case MV_NICPROPERTY:
	case MV_NICTYPE: case MV_NICSPEED: case MV_NICBOOTPRIO:
	case MV_NICBWGROUP: case MV_NIC: case MV_CABLECONNECTED:
	case MV_BRIDGEADAPTER: case MV_CLOUDNET: case MV_HOSTONLYADAPTER:
	case MV_INTNET: case MV_GENERICDRV: case MV_NATNETWORKNAME:
	case MV_NATNET: case MV_NATBINDIP: case MV_NATPF:
	case MV_NATTFTPPREFIX: case MV_NATTFTPFILE: case MV_NATTFTPSERVER:
	case MV_NATDNSPASSDOMAIN: case MV_NATDNSPROXY:
	case MV_NATDNSHOSTRESOLVER: case MV_NATLOCALHOSTREACHABLE:
	case MV_MACADDRESS:
		if (!nic_ok(mv))
			return MV_OK;
		break;
	default:
		return MV_UNHANDLED;
	}

	switch (mv->c) {
	case MV_NICTRACEFILE:
		return mv_rc(hwm_nic_set_str(m, slot, HWN_TRACE_FILE, g->v.str));
	case MV_NICTRACE:
		return mv_rc(hwm_nic_set_bool(m, slot, HWN_TRACE, g->v.b));
	case MV_NICPROPERTY: {
		char *p = strdup(g->v.str), *eq;
		int rc;

		if (!p)
			return mv_rc(-ENOMEM);
		eq = strchr(p, '=');
		if (!eq) {
			free(p);
			return mv_argerr("Invalid --nicproperty%u argument '%s'",
					 g->index, g->v.str);
		}
		*eq = '\0';
		rc = hwm_nic_set_prop(m, slot, p, eq + 1);
		free(p);
		return mv_rc(rc);
	}
	case MV_NICTYPE:
		for (i = 0; i < sizeof(nic_types) / sizeof(nic_types[0]); i++)
			if (!strcasecmp(g->v.str, nic_types[i].cli))
				return mv_rc(hwm_nic_set_str(m, slot, HWN_TYPE,
							     nic_types[i].settings));
		return mv_argerr("Invalid NIC type '%s' specified for NIC %u",
				 g->v.str, g->index);
	case MV_NICSPEED:
		return mv_rc(hwm_nic_set_u32(m, slot, HWN_SPEED, g->v.u32));
	case MV_NICBOOTPRIO:
		if (g->v.u32 > 4)
			return mv_argerr("Invalid boot priority '%u' specfied for NIC %u",
					 g->v.u32, g->index);
		return mv_rc(hwm_nic_set_u32(m, slot, HWN_BOOT_PRIO, g->v.u32));
	case MV_NICBWGROUP:
		if (!strcasecmp(g->v.str, "none"))
			return mv_rc(hwm_nic_set_str(m, slot, HWN_BWGROUP, ""));
		if (!hwm_bwgroup_exists(m, g->v.str)) {
			vb_err(&err, ENOENT, VBOX_E_OBJECT_NOT_FOUND,
			       "Could not find a bandwidth group named '%s'",
			       g->v.str);
			vb_err_where(&err, "BandwidthControlWrap",
				     "IBandwidthControl", "nsISupports");
			return mv_api(&err,
				      "GetBandwidthGroup(Bstr(ValueUnion.psz).raw(), bwGroup.asOutParam())",
				      1700);
		}
		return mv_rc(hwm_nic_set_str(m, slot, HWN_BWGROUP, g->v.str));
	case MV_NIC:
		return set_nic_mode(mv, slot);
	case MV_CABLECONNECTED:
		return mv_rc(hwm_nic_set_bool(m, slot, HWN_CABLE, g->v.b));
	case MV_BRIDGEADAPTER:
		return set_net_name(mv, slot, HWA_BRIDGED, true,
				    "COMSETTER(BridgedInterface)(Bstr(ValueUnion.psz).raw())",
				    1780);
	case MV_CLOUDNET:
		return set_net_name(mv, slot, HWA_CLOUD, true,
				    "COMSETTER(CloudNetwork)(Bstr(ValueUnion.psz).raw())",
				    1800);
	case MV_HOSTONLYADAPTER:
		return set_net_name(mv, slot, HWA_HOSTONLY, true,
				    "COMSETTER(HostOnlyInterface)(Bstr(ValueUnion.psz).raw())",
				    1815);
	case MV_INTNET:
		return set_net_name(mv, slot, HWA_INTNET, true,
				    "COMSETTER(InternalNetwork)(Bstr(ValueUnion.psz).raw())",
				    1834);
	case MV_GENERICDRV:
		return mv_rc(hwm_nic_set_net_name(m, slot, HWA_GENERIC,
						  g->v.str));
	case MV_NATNETWORKNAME:
		return set_net_name(mv, slot, HWA_NATNETWORK, false,
				    "COMSETTER(NATNetwork)(Bstr(ValueUnion.psz).raw())",
				    1858);
	case MV_NATNET:
		return mv_rc(hwm_nat_set_str(m, slot, HWT_NETWORK,
					     strcasecmp(g->v.str, "default")
					     ? g->v.str : ""));
	case MV_NATBINDIP:
		return set_bind_ip(mv, slot);
	case MV_NATPF:
		return set_natpf(mv, slot);
	case MV_NATTFTPPREFIX:
		return mv_rc(hwm_nat_set_str(m, slot, HWT_TFTP_PREFIX, g->v.str));
	case MV_NATTFTPFILE:
		return mv_rc(hwm_nat_set_str(m, slot, HWT_TFTP_FILE, g->v.str));
	case MV_NATTFTPSERVER:
		return mv_rc(hwm_nat_set_str(m, slot, HWT_TFTP_SERVER, g->v.str));
	case MV_NATDNSPASSDOMAIN:
		return mv_rc(hwm_nat_set_bool(m, slot, HWT_DNS_PASS_DOMAIN,
					      g->v.b));
	case MV_NATDNSPROXY:
		return mv_rc(hwm_nat_set_bool(m, slot, HWT_DNS_PROXY, g->v.b));
	case MV_NATDNSHOSTRESOLVER:
		return mv_rc(hwm_nat_set_bool(m, slot, HWT_DNS_HOST_RESOLVER,
					      g->v.b));
	case MV_NATLOCALHOSTREACHABLE:
		return mv_rc(hwm_nat_set_bool(m, slot, HWT_LOCALHOST, g->v.b));
	case MV_MACADDRESS: {
		int rc = hwm_nic_set_mac(m, slot, strcasecmp(g->v.str, "auto")
						  ? g->v.str : NULL, &err);

		if (rc == -ENOMEM)
			return mv_rc(rc);
		if (rc)
			return mv_api(&err,
				      "COMSETTER(MACAddress)(Bstr(ValueUnion.psz).raw())",
				      2120);
		return MV_OK;
	}
	default:
		return MV_UNHANDLED;
	}
}
