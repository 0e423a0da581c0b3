/*
 * dhcpserver add|modify|remove|start|restart|stop|findlease: DHCP servers
 * in VirtualBox.xml, as VBoxManage 7.0's handleDHCPServer over
 * IDHCPServer and its IDHCPConfig objects (global, group, VM NIC and MAC
 * configurations).  add/modify parse the command line twice like
 * VirtualBox: the first pass checks it and sets the server attributes,
 * the second changes the configurations in command-line order.  Every
 * change VirtualBox would have saved before a failure is saved too.
 *
 * The DHCP server process (VBoxNetDHCP) belongs to the VM runtime, which
 * this command does not start: start fails as VirtualBox does when it
 * cannot launch it, restart finds nothing running.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/vboxmanage/commands.h"
#include "cmd/vboxmanage/host.h"
#include "lib/settings/dhcpsrv.h"
#include "lib/settings/netsvc.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"

#define FILE_DHCP "VBoxManageDHCPServer.cpp"

enum dh_sub { DH_ADD, DH_MODIFY, DH_REMOVE, DH_START, DH_RESTART, DH_STOP,
	      DH_FINDLEASE };

struct dh_ctx {
	struct vbm_ctx *vbm;
	enum dh_sub sub;
	const char *network, *interface;
};

/* ---- options ---- */

enum {
	O_NETWORK = 999, O_INTERFACE = 998,
	O_FORCE = 1001, O_UNFORCE, O_SUPPRESS, O_UNSUPPRESS, O_ZAP_OPTIONS,
	O_INCL_MAC, O_EXCL_MAC, O_DEL_MAC, O_INCL_MAC_WILD, O_EXCL_MAC_WILD,
	O_DEL_MAC_WILD, O_INCL_VENDOR, O_EXCL_VENDOR, O_DEL_VENDOR,
	O_INCL_VENDOR_WILD, O_EXCL_VENDOR_WILD, O_DEL_VENDOR_WILD,
	O_INCL_USER, O_EXCL_USER, O_DEL_USER, O_INCL_USER_WILD,
	O_EXCL_USER_WILD, O_DEL_USER_WILD, O_ZAP_CONDITIONS,
};

#define COMMON_OPTS \
	{ "--network", O_NETWORK, VBGO_STRING }, \
	{ "--netname", O_NETWORK, VBGO_STRING }, \
	{ "--interface", O_INTERFACE, VBGO_STRING }, \
	{ "--ifname", O_INTERFACE, VBGO_STRING }

/* The common options; 1 when handled, or the exit code (negative). */
static int common_opt(struct dh_ctx *c, int opt, const char *v)
{
	if (opt == O_NETWORK) {
		if (c->interface)
			return -vbm_syntax(c->vbm, "Either --network or --interface, not both");
		c->network = v;
		return 1;
	}
	if (opt == O_INTERFACE) {
		if (c->network)
			return -vbm_syntax(c->vbm, "Either --interface or --network, not both");
		c->interface = v;
		return 1;
	}
	return 0;
}

/* A failing API call (CHECK_ERROR): the error block. */
static int api(struct vb_error *err, const char *comp, const char *iface,
	       const char *context, int line)
{
	vb_err_where(err, comp, iface, "nsISupports");
	return vbm_api_error(err, context, FILE_DHCP, line);
}

static int interface_not_found(const char *name, const char *context,
			       int line)
{
	struct vb_error err = { 0 };

	vb_err(&err, ENOENT, VB_E_INVALIDARG,
	       "The host network interface named '%s' could not be found",
	       name);
	return api(&err, "HostWrap", "IHost", context, line);
}

/* dhcpdFindServer: the server element or NULL (complaint printed). */
static struct snode *find_server(struct dh_ctx *c, struct vbox *vb)
{
	char *net = NULL;
	struct snode *n;

	if (!c->network && !c->interface) {
		vbm_syntax(c->vbm, "You need to specify either --network or --interface to identify the DHCP server");
		return NULL;
	}
	if (!c->network) {
		if (!host_netif_exists(c->interface)) {
			interface_not_found(c->interface,
					    "FindHostNetworkInterfaceByName(bstrInterface.raw(), ptrIHostIf.asOutParam())",
					    187);
			vbm_syntax_arg("Failed to locate host-only interface '%s'",
				       c->interface);
			return NULL;
		}
		net = vb_asprintf("HostInterfaceNetworking-%s", c->interface);
		if (!net)
			return NULL;
	}
	n = netsvc_find(vb, "DHCPServers", net ? net : c->network);
	if (!n) {
		if (c->network)
			vbm_syntax_arg("Failed to find DHCP server for network '%s'",
				       c->network);
		else
			vbm_syntax_arg("Failed to find DHCP server for host-only interface '%s' (network '%s')",
				       c->interface, net);
	}
	free(net);
	return n;
}

/* ---- add / modify ---- */

enum scope_kind { SC_GLOBAL, SC_GROUP, SC_VM, SC_MAC };

struct scope {
	enum scope_kind kind;
	const char *name;
	char mac[18];
	unsigned slot;
	struct dhcp_config *cfg;        /* resolved (pass 2) */
	struct dhcp_group *group;
	struct dhcp_indiv *indiv;
};

static void scope_set(struct scope *s, enum scope_kind k, const char *name)
{
	s->kind = k;
	s->name = name;
	s->slot = 0;
	s->cfg = NULL;
	s->group = NULL;
	s->indiv = NULL;
}

static const char *cfg_component(const struct scope *s, const char **iface)
{
	switch (s->kind) {
	case SC_GLOBAL:
		*iface = "IDHCPGlobalConfig";
		return "DHCPGlobalConfigWrap";
	case SC_GROUP:
		*iface = "IDHCPGroupConfig";
		return "DHCPGroupConfigWrap";
	default:
		*iface = "IDHCPIndividualConfig";
		return "DHCPIndividualConfigWrap";
	}
}

/* IDHCPServer::GetConfig(scope, name, slot, mayAdd=TRUE). */
static struct dhcp_config *get_config(struct dh_ctx *c, struct vbox *vb,
				      struct dhcp_server *srv, struct scope *s)
{
	static const char ctx_get[] =
		"GetConfig(m_enmScope, Bstr(m_pszName).raw(), m_uSlot, TRUE /*mayAdd*/, m_ptrConfig.asOutParam())";
	struct vb_error err = { 0 };
	struct vb_uuid u;
	char key[64], ub[40];

	if (s->cfg)
		return s->cfg;
	switch (s->kind) {
	case SC_GLOBAL:
		s->cfg = &srv->global;
		break;
	case SC_GROUP:
		s->group = dhcpsrv_group(srv, s->name, true);
		s->cfg = s->group ? &s->group->cfg : NULL;
		break;
	case SC_MAC:
		s->indiv = dhcpsrv_indiv(srv, s->mac, s->mac, NULL, 0, true);
		s->cfg = s->indiv ? &s->indiv->cfg : NULL;
		break;
	case SC_VM:
		if (s->slot > 32) {
			vb_err(&err, EINVAL, VB_E_INVALIDARG,
			       "NIC slot number (%u) is out of range (0..32)",
			       s->slot);
			api(&err, "DHCPServerWrap", "IDHCPServer", ctx_get, 280);
			return NULL;
		}
		if (vb_uuid_parse(s->name, &u) || vb_uuid_is_zero(&u)) {
			unsigned i;
			bool found = false;

			for (i = 0; i < vbox_machine_count(vb) && !found; i++) {
				struct machine *m;

				if (vbox_machine_open_at(vb, i, &m, NULL))
					continue;
				if (machine_accessible(m) &&
				    !strcmp(machine_name(m), s->name)) {
					u = *machine_uuid(m);
					found = true;
				}
				machine_free(m);
			}
			if (!found) {
				vb_err(&err, ENOENT, VBOX_E_OBJECT_NOT_FOUND,
				       "Could not find a registered machine named '%s'",
				       s->name);
				api(&err, "VirtualBoxWrap", "IVirtualBox", ctx_get, 280);
				return NULL;
			}
		}
		snprintf(key, sizeof(key), "%s/%u", vb_uuid_fmt(&u, ub), s->slot);
		s->indiv = dhcpsrv_indiv(srv, key, NULL, ub, s->slot, true);
		s->cfg = s->indiv ? &s->indiv->cfg : NULL;
		break;
	}
	if (!s->cfg)
		vbm_error("Out of memory");
	return s->cfg;
}

/* IDHCPConfig::SetOption */
static int set_option(struct scope *s, unsigned code, int enc,
		      const char *value, int line)
{
	const char *comp, *iface, *e;
	struct vb_error err = { 0 };
	const char *context = line == 558
		? "SetOption((DHCPOption_T)idAddOpt, DHCPOptionEncoding_Hex, Bstr(ValueUnion.psz).raw())"
		: line == 866
		? "SetOption((DHCPOption_T)u8OptId, DHCPOptionEncoding_Normal, Bstr(ValueUnion.psz).raw())"
		: "SetOption((DHCPOption_T)idAddOpt, DHCPOptionEncoding_Normal, Bstr(ValueUnion.psz).raw())";

	comp = cfg_component(s, &iface);
	if (s->kind == SC_GLOBAL && code == DHCP_OPT_SUBNET_MASK &&
	    enc != DHCP_ENC_NORMAL) {
		vb_err(&err, EINVAL, VB_E_FAIL,
		       "DHCPOption_SubnetMask must use DHCPOptionEncoding_Normal as it is reflected by IDHCPServer::networkMask");
		return api(&err, comp, iface, context, line);
	}
	e = dhcpopt_check(code, enc, value);
	if (e) {
		if (!strcmp(e, "VERR_WRONG_TYPE"))
			vb_err(&err, EINVAL, VB_E_INVALIDARG,
			       "Unsupported encoding %d (option %u, value %s)",
			       enc, code, value);
		else
			vb_err(&err, EINVAL, VB_E_INVALIDARG,
			       "Malformed option %u value '%s' (encoding %d, vrc=%s)",
			       code, value, enc, e);
		return api(&err, comp, iface, context, line);
	}
	if (dhcpcfg_set_option(s->cfg, code, enc, value)) {
		vbm_error("Out of memory");
		return VBM_FAIL;
	}
	return VBM_OK;
}

static int remove_option(struct scope *s, unsigned code, const char *context,
			 int line)
{
	const char *comp, *iface;
	struct vb_error err = { 0 };

	comp = cfg_component(s, &iface);
	if (s->kind == SC_GLOBAL && code == DHCP_OPT_SUBNET_MASK) {
		vb_err(&err, EINVAL, VB_E_FAIL,
		       "DHCPOption_SubnetMask cannot be removed as it reflects IDHCPServer::networkMask");
		return api(&err, comp, iface, context, line);
	}
	if (!s->cfg->opt[code]) {
		vb_err(&err, ENOENT, VBOX_E_OBJECT_NOT_FOUND,
		       "DHCP option %u was not found", code);
		return api(&err, comp, iface, context, line);
	}
	free(s->cfg->opt[code]);
	s->cfg->opt[code] = NULL;
	return VBM_OK;
}

/* --force-opt / --unforce-opt / --suppress-opt / --unsuppress-opt */
static void change_list(struct dhcp_config *cfg, int opt, uint8_t code)
{
	bool forced = opt == O_FORCE || opt == O_UNFORCE;
	bool add = opt == O_FORCE || opt == O_SUPPRESS;
	uint8_t *v = forced ? cfg->forced : cfg->suppressed;
	unsigned *n = forced ? &cfg->nforced : &cfg->nsuppressed;
	unsigned i, j;

	for (i = 0; i < *n && v[i] != code; i++)
		;
	if (add) {
		if (i < *n || *n >= 256)
			return;
		v[(*n)++] = code;
		if (!forced) {  /* kept sorted (a std::map in VirtualBox) */
			for (j = *n - 1; j > 0 && v[j - 1] > v[j]; j--) {
				uint8_t t = v[j];

				v[j] = v[j - 1];
				v[j - 1] = t;
			}
		}
	} else if (i < *n) {
		memmove(&v[i], &v[i + 1], *n - i - 1);
		(*n)--;
	}
}

static int cond_type(int opt)
{
	switch (opt) {
	case O_INCL_MAC: case O_EXCL_MAC: case O_DEL_MAC:
		return DHCP_COND_MAC;
	case O_INCL_MAC_WILD: case O_EXCL_MAC_WILD: case O_DEL_MAC_WILD:
		return DHCP_COND_MAC_WILD;
	case O_INCL_VENDOR: case O_EXCL_VENDOR: case O_DEL_VENDOR:
		return DHCP_COND_VENDOR;
	case O_INCL_VENDOR_WILD: case O_EXCL_VENDOR_WILD: case O_DEL_VENDOR_WILD:
		return DHCP_COND_VENDOR_WILD;
	case O_INCL_USER: case O_EXCL_USER: case O_DEL_USER:
		return DHCP_COND_USER;
	default:
		return DHCP_COND_USER_WILD;
	}
}

static int cond_mode(int opt)  /* 1 include, 0 exclude, -1 delete */
{
	switch (opt) {
	case O_DEL_MAC: case O_DEL_MAC_WILD: case O_DEL_USER:
	case O_DEL_USER_WILD: case O_DEL_VENDOR: case O_DEL_VENDOR_WILD:
		return -1;
	case O_EXCL_MAC: case O_EXCL_MAC_WILD: case O_EXCL_USER:
	case O_EXCL_USER_WILD: case O_EXCL_VENDOR: case O_EXCL_VENDOR_WILD:
		return 0;
	default:
		return 1;
	}
}

struct addmod {
	const char *ip, *mask, *lower, *upper;
	int enabled;
};

/* One pass over the options (dhcpdHandleAddAndModify).  pass 0 checks
 * the command line and records the server attributes; pass 1 changes
 * the configurations of srv.  Returns the exit code so far; *stop is
 * set when VirtualBox returns at once. */
static int addmod_pass(struct dh_ctx *c, int argc, char **argv, int pass,
		       struct addmod *am, struct vbox *vb,
		       struct dhcp_server *srv, bool *stop)
{
	static const struct vb_option opts[] = {
		COMMON_OPTS,
		{ "--server-ip", 'a', VBGO_STRING }, { "--ip", 'a', VBGO_STRING },
		{ "-ip", 'a', VBGO_STRING },
		{ "--netmask", 'm', VBGO_STRING }, { "-netmask", 'm', VBGO_STRING },
		{ "--lower-ip", 'l', VBGO_STRING }, { "--lowerip", 'l', VBGO_STRING },
		{ "-lowerip", 'l', VBGO_STRING },
		{ "--upper-ip", 'u', VBGO_STRING }, { "--upperip", 'u', VBGO_STRING },
		{ "-upperip", 'u', VBGO_STRING },
		{ "--enable", 'e', VBGO_NOVAL }, { "-enable", 'e', VBGO_NOVAL },
		{ "--disable", 'd', VBGO_NOVAL }, { "-disable", 'd', VBGO_NOVAL },
		{ "--global", 'g', VBGO_NOVAL },
		{ "--group", 'G', VBGO_STRING },
		{ "--mac-address", 'E', VBGO_STRING },
		{ "--vm", 'M', VBGO_STRING },
		{ "--nic", 'n', VBGO_U32 },
		{ "--set-opt", 's', VBGO_U32 },
		{ "--set-opt-hex", 'x', VBGO_U32 },
		{ "--del-opt", 'D', VBGO_U32 },
		{ "--force-opt", O_FORCE, VBGO_U32 },
		{ "--unforce-opt", O_UNFORCE, VBGO_U32 },
		{ "--suppress-opt", O_SUPPRESS, VBGO_U32 },
		{ "--unsuppress-opt", O_UNSUPPRESS, VBGO_U32 },
		{ "--zap-options", O_ZAP_OPTIONS, VBGO_NOVAL },
		{ "--min-lease-time", 'q', VBGO_U32 },
		{ "--default-lease-time", 'L', VBGO_U32 },
		{ "--max-lease-time", 'Q', VBGO_U32 },
		{ "--remove-config", 'R', VBGO_NOVAL },
		{ "--fixed-address", 'f', VBGO_STRING },
		{ "--incl-mac", O_INCL_MAC, VBGO_STRING },
		{ "--excl-mac", O_EXCL_MAC, VBGO_STRING },
		{ "--del-mac", O_DEL_MAC, VBGO_STRING },
		{ "--incl-mac-wild", O_INCL_MAC_WILD, VBGO_STRING },
		{ "--excl-mac-wild", O_EXCL_MAC_WILD, VBGO_STRING },
		{ "--del-mac-wild", O_DEL_MAC_WILD, VBGO_STRING },
		{ "--incl-vendor", O_INCL_VENDOR, VBGO_STRING },
		{ "--excl-vendor", O_EXCL_VENDOR, VBGO_STRING },
		{ "--del-vendor", O_DEL_VENDOR, VBGO_STRING },
		{ "--incl-vendor-wild", O_INCL_VENDOR_WILD, VBGO_STRING },
		{ "--excl-vendor-wild", O_EXCL_VENDOR_WILD, VBGO_STRING },
		{ "--del-vendor-wild", O_DEL_VENDOR_WILD, VBGO_STRING },
		{ "--incl-user", O_INCL_USER, VBGO_STRING },
		{ "--excl-user", O_EXCL_USER, VBGO_STRING },
		{ "--del-user", O_DEL_USER, VBGO_STRING },
		{ "--incl-user-wild", O_INCL_USER_WILD, VBGO_STRING },
		{ "--excl-user-wild", O_EXCL_USER_WILD, VBGO_STRING },
		{ "--del-user-wild", O_DEL_USER_WILD, VBGO_STRING },
		{ "--zap-conditions", O_ZAP_CONDITIONS, VBGO_NOVAL },
		{ "--id", 'i', VBGO_U32 },
		{ "--value", 'p', VBGO_STRING },
		{ "--remove", 'r', VBGO_NOVAL },
		{ "--options", 'o', VBGO_NOVAL },
		VBM_STD_OPTIONS,
	};
	bool add = c->sub == DH_ADD, need_value = false;
	struct scope sc;
	struct vb_getopt g;
	unsigned opt_id = 0;
	int ch, rc = VBM_OK, r;
	const char *comp, *iface;
	struct vb_error err = { 0 };

#define SYNTAX(...) do { *stop = true; return vbm_syntax(c->vbm, __VA_ARGS__); } while (0)
#define NEED_CFG() do { if (!get_config(c, vb, srv, &sc)) { *stop = true; \
		return VBM_FAIL; } } while (0)
#define U8_CHECK() do { if (g.v.u32 > 255) { *stop = true; \
		return vbm_getopt_error(c->vbm, &g, VBGO_ERR_FORMAT); } } while (0)

	memset(&sc, 0, sizeof(sc));
	scope_set(&sc, SC_GLOBAL, NULL);
	vb_getopt_init(&g, argc, argv, 1, opts, sizeof(opts) / sizeof(opts[0]));
	while ((ch = vb_getopt_next(&g)) != VBGO_END) {
		r = common_opt(c, ch, ch == O_NETWORK || ch == O_INTERFACE
			       ? g.v.str : NULL);
		if (r < 0) {
			*stop = true;
			return -r;
		}
		if (r)
			continue;
		switch (ch) {
		case 'a': am->ip = g.v.str; break;
		case 'm': am->mask = g.v.str; break;
		case 'l': am->lower = g.v.str; break;
		case 'u': am->upper = g.v.str; break;
		case 'e': am->enabled = 1; break;
		case 'd': am->enabled = 0; break;
		case 'g':
			if (need_value)
				SYNTAX("Incomplete option sequence preseeding '--global'");
			scope_set(&sc, SC_GLOBAL, NULL);
			break;
		case 'G':
			if (need_value)
				SYNTAX("Incomplete option sequence preseeding '--group'");
			if (!*g.v.str)
				SYNTAX("Group name cannot be empty");
			scope_set(&sc, SC_GROUP, g.v.str);
			break;
		case 'E':
			if (dhcp_parse_mac(g.v.str, sc.mac)) {
				*stop = true;
				return vbm_getopt_error(c->vbm, &g, VBGO_ERR_FORMAT);
			}
			if (need_value)
				SYNTAX("Incomplete option sequence preseeding '--mac-address'");
			{
				char mac[18];

				memcpy(mac, sc.mac, sizeof(mac));
				scope_set(&sc, SC_MAC, NULL);
				memcpy(sc.mac, mac, sizeof(mac));
			}
			break;
		case 'M':
			if (need_value)
				SYNTAX("Incomplete option sequence preseeding '--vm'");
			scope_set(&sc, SC_VM, g.v.str);
			break;
		case 'n':
			U8_CHECK();
			if (sc.kind != SC_VM)
				SYNTAX("--nic option requires a --vm preceeding selecting the VM it should apply to");
			if (need_value)
				SYNTAX("Incomplete option sequence preseeding '--nic=%u", g.v.u32);
			if (g.v.u32 < 1)
				SYNTAX("invalid NIC number: %u", g.v.u32);
			sc.slot = g.v.u32 - 1;
			sc.cfg = NULL;
			sc.indiv = NULL;
			break;
		case 's':
		case 'x': {
			unsigned code = g.v.u32;

			U8_CHECK();
			if (vb_getopt_fetch(&g, VBGO_STRING) != 1) {
				*stop = true;
				vbm_logo(true);
				vbm_error("Missing the 1st value for option %s",
					  ch == 's' ? "--set-opt" : "--set-opt-hex");
				return VBM_SYNTAX;
			}
			if (ch == 'x' && dhcp_hex_bytes(g.v.str, 256) < 0) {
				*stop = true;
				return vbm_syntax_arg("Malformed hex string given to --set-opt-hex %u: %s\n",
						      code, g.v.str);
			}
			if (pass == 1) {
				NEED_CFG();
				if (set_option(&sc, code, ch == 'x' ? DHCP_ENC_HEX
					       : DHCP_ENC_NORMAL, g.v.str,
					       ch == 'x' ? 558 : 534))
					rc = VBM_FAIL;
			}
			break;
		}
		case 'D':
			U8_CHECK();
			if (add)
				SYNTAX("--del-opt does not apply to the 'add' subcommand");
			if (pass == 1) {
				NEED_CFG();
				if (remove_option(&sc, g.v.u32,
						  "RemoveOption((DHCPOption_T)ValueUnion.u8)",
						  571))
					rc = VBM_FAIL;
			}
			break;
		case O_UNFORCE:
			if (add)
				SYNTAX("--unforce-opt does not apply to the 'add' subcommand");
			/* fall through */
		case O_UNSUPPRESS:
			if (add)
				SYNTAX("--unsuppress-opt does not apply to the 'add' subcommand");
			/* fall through */
		case O_FORCE:
		case O_SUPPRESS:
			U8_CHECK();
			if (pass == 1) {
				NEED_CFG();
				if (g.v.u32 == 0 || g.v.u32 == 255) {
					bool f = ch == O_FORCE || ch == O_UNFORCE;

					if (ch == O_UNFORCE || ch == O_UNSUPPRESS)
						break;  /* not found: nothing */
					comp = cfg_component(&sc, &iface);
					vb_err(&err, EINVAL, VB_E_INVALIDARG,
					       "Invalid option value: %u", g.v.u32);
					api(&err, comp, iface,
					    f ? "COMSETTER(ForcedOptions)(ComSafeArrayAsInParam(Options))"
					    : "COMSETTER(SuppressedOptions)(ComSafeArrayAsInParam(Options))",
					    f ? 630 : 633);
					rc = VBM_FAIL;
					break;
				}
				change_list(sc.cfg, ch, (uint8_t)g.v.u32);
			}
			break;
		case O_ZAP_OPTIONS:
			if (add)
				SYNTAX("--zap-options does not apply to the 'add' subcommand");
			if (pass == 1) {
				unsigned i;

				NEED_CFG();
				for (i = 0; i < 256; i++) {
					if (sc.kind == SC_GLOBAL && i == 1)
						continue;
					free(sc.cfg->opt[i]);
					sc.cfg->opt[i] = NULL;
				}
			}
			break;
		case 'q':
		case 'L':
		case 'Q':
			if (pass == 1) {
				NEED_CFG();
				if (ch == 'q')
					sc.cfg->min_lease = g.v.u32;
				else if (ch == 'L')
					sc.cfg->def_lease = g.v.u32;
				else
					sc.cfg->max_lease = g.v.u32;
			}
			break;
		case 'R':
			if (add)
				SYNTAX("--remove-config does not apply to the 'add' subcommand");
			if (sc.kind == SC_GLOBAL)
				SYNTAX("--remove-config cannot be applied to the global config");
			if (pass == 1) {
				NEED_CFG();
				if (sc.group)
					dhcpsrv_remove_group(srv, sc.group);
				else if (sc.indiv)
					dhcpsrv_remove_indiv(srv, sc.indiv);
			}
			scope_set(&sc, SC_GLOBAL, NULL);
			break;
		case 'f':
			if (sc.kind != SC_VM && sc.kind != SC_MAC)
				SYNTAX("--fixed-address can only be applied to a VM NIC or an MAC address");
			if (pass == 1) {
				uint32_t a;

				NEED_CFG();
				if (*g.v.str && netsvc_parse_ipv4(g.v.str, &a)) {
					vb_err(&err, EINVAL, VB_E_INVALIDARG,
					       "Invalid IPv4 address '%s': VERR_INVALID_PARAMETER",
					       g.v.str);
					api(&err, "DHCPIndividualConfigWrap",
					    "IDHCPIndividualConfig",
					    "COMSETTER(FixedAddress)(Bstr(ValueUnion.psz).raw())",
					    703);
					rc = VBM_FAIL;
					break;
				}
				free(sc.indiv->fixed);
				sc.indiv->fixed = vb_strdup(g.v.str);
			}
			break;
		case O_INCL_MAC: case O_EXCL_MAC: case O_DEL_MAC:
		case O_INCL_MAC_WILD: case O_EXCL_MAC_WILD: case O_DEL_MAC_WILD:
		case O_INCL_VENDOR: case O_EXCL_VENDOR: case O_DEL_VENDOR:
		case O_INCL_VENDOR_WILD: case O_EXCL_VENDOR_WILD:
		case O_DEL_VENDOR_WILD:
		case O_INCL_USER: case O_EXCL_USER: case O_DEL_USER:
		case O_INCL_USER_WILD: case O_EXCL_USER_WILD: case O_DEL_USER_WILD: {
			int type = cond_type(ch), mode = cond_mode(ch);
			struct dhcp_group *gr;

			if (sc.kind != SC_GROUP)
				SYNTAX("A group must be selected to perform condition alterations.");
			if (!*g.v.str)
				SYNTAX("Condition value cannot be empty");
			if (pass != 1)
				break;
			NEED_CFG();
			gr = sc.group;
			if (mode >= 0) {
				const char *e = dhcp_cond_check(type, g.v.str);
				struct dhcp_cond *nv;

				if (e) {
					vb_err(&err, EINVAL, VB_E_INVALIDARG, "%s", e);
					api(&err, "DHCPGroupConfigWrap",
					    "IDHCPGroupConfig",
					    "AddCondition((BOOL)fInclusive, enmType, Bstr(ValueUnion.psz).raw(), ptrCondition.asOutParam())",
					    799);
					rc = VBM_FAIL;
					break;
				}
				nv = realloc(gr->conds, (gr->nconds + 1) * sizeof(*nv));
				if (!nv) {
					*stop = true;
					vbm_error("Out of memory");
					return VBM_FAIL;
				}
				gr->conds = nv;
				nv[gr->nconds].inclusive = mode == 1;
				nv[gr->nconds].type = type;
				nv[gr->nconds].value = vb_strdup(g.v.str);
				gr->nconds++;
			} else {
				unsigned i = 0;
				bool found = false;

				while (i < gr->nconds) {
					if (gr->conds[i].type == type &&
					    !strcmp(gr->conds[i].value, g.v.str)) {
						free(gr->conds[i].value);
						memmove(&gr->conds[i], &gr->conds[i + 1],
							(gr->nconds - i - 1) *
							sizeof(gr->conds[0]));
						gr->nconds--;
						found = true;
					} else {
						i++;
					}
				}
				if (!found) {
					vbm_error("Could not find any condition of type %d with value '%s' to delete",
						  type, g.v.str);
					rc = VBM_FAIL;
				}
			}
			break;
		}
		case O_ZAP_CONDITIONS:
			if (sc.kind != SC_GROUP)
				SYNTAX("--zap-conditions can only be with a group selected");
			if (pass == 1) {
				unsigned i;

				NEED_CFG();
				for (i = 0; i < sc.group->nconds; i++)
					free(sc.group->conds[i].value);
				sc.group->nconds = 0;
			}
			break;
		case 'o':
			break;
		case 'i':
			U8_CHECK();
			if (need_value)
				SYNTAX("Incomplete option sequence preseeding '--id=%u", g.v.u32);
			opt_id = g.v.u32;
			need_value = true;
			break;
		case 'p':
			if (!need_value)
				SYNTAX("--value without --id=dhcp-opt-no");
			if (pass == 1) {
				NEED_CFG();
				if (set_option(&sc, opt_id, DHCP_ENC_NORMAL,
					       g.v.str, 866))
					rc = VBM_FAIL;
			}
			need_value = false;
			break;
		case 'r':
			if (add)
				SYNTAX("--remove does not apply to the 'add' subcommand");
			if (!need_value)
				SYNTAX("--remove without --id=dhcp-opt-no");
			if (pass == 1) {
				NEED_CFG();
				if (remove_option(&sc, opt_id,
						  "RemoveOption((DHCPOption_T)u8OptId)",
						  882))
					rc = VBM_FAIL;
			}
			need_value = false;
			break;
		default:
			*stop = true;
			return vbm_getopt_error(c->vbm, &g, ch);
		}
	}
	return rc;
#undef SYNTAX
#undef NEED_CFG
#undef U8_CHECK
}

/* DHCPServer::setConfiguration: NULL or the error message. */
static const char *check_configuration(const struct addmod *am, char *buf,
				       size_t len, uint32_t *hrc)
{
	uint32_t ip, mask, lo, up, inv;
	int bits;

	*hrc = VB_E_INVALIDARG;
	if (netsvc_parse_ipv4(am->ip, &ip))
		snprintf(buf, len, "Invalid server address: %s", am->ip);
	else if (netsvc_parse_ipv4(am->mask, &mask))
		snprintf(buf, len, "Invalid netmask: %s", am->mask);
	else if (netsvc_parse_ipv4(am->lower, &lo))
		snprintf(buf, len, "Invalid range lower address: %s", am->lower);
	else if (netsvc_parse_ipv4(am->upper, &up))
		snprintf(buf, len, "Invalid range upper address: %s", am->upper);
	else {
		inv = ~mask;
		for (bits = 0; bits < 32 && (mask & (0x80000000u >> bits)); bits++)
			;
		if ((bits < 32 && (mask << bits)) != 0)
			snprintf(buf, len, "Invalid netmask: %s", am->mask);
		else if ((ip & 0xe0000000u) == 0xe0000000u || !(ip & inv) ||
			 (ip | mask) == 0xffffffffu)
			snprintf(buf, len, "Invalid server address: %s (mask %s)",
				 am->ip, am->mask);
		else if ((lo & 0xe0000000u) == 0xe0000000u ||
			 (lo & mask) != (ip & mask) || !(lo & inv) ||
			 (lo | mask) == 0xffffffffu)
			snprintf(buf, len, "Invalid range lower address: %s (mask %s)",
				 am->lower, am->mask);
		else if ((up & 0xe0000000u) == 0xe0000000u ||
			 (up & mask) != (ip & mask) || !(up & inv) ||
			 (up | mask) == 0xffffffffu)
			snprintf(buf, len, "Invalid range upper address");
		else if (lo > up)
			snprintf(buf, len, "Lower bound must be less or eqaul than the upper: %s vs %s",
				 am->lower, am->upper);
		else
			return NULL;
	}
	return buf;
}

static int add_modify(struct dh_ctx *c, int argc, char **argv)
{
	struct vbox *vb = vbm_vbox(c->vbm);
	struct vb_error err = { 0 };
	struct dhcp_server srv;
	struct addmod am = { .enabled = -1 };
	struct snode *list, *n;
	char *netname = NULL, msg[512];
	bool stop = false, have = false;
	int rc;

	if (!vb)
		return VBM_FAIL;
	rc = addmod_pass(c, argc, argv, 0, &am, NULL, NULL, &stop);
	if (stop)
		return rc;
	if (!c->network && !c->interface)
		return vbm_syntax(c->vbm, "You need to specify either --network or --interface to identify the DHCP server");
	if (c->sub == DH_ADD) {
		rc = VBM_OK;
		if (!am.ip)
			rc = vbm_syntax(c->vbm, "Missing required option: --ip");
		if (!am.mask)
			rc = vbm_syntax(c->vbm, "Missing required option: --netmask");
		if (!am.lower)
			rc = vbm_syntax(c->vbm, "Missing required option: --lowerip");
		if (!am.upper)
			rc = vbm_syntax(c->vbm, "Missing required option: --upperip");
		if (rc)
			return rc;
	}
	if (!c->network) {
		if (!host_netif_exists(c->interface)) {
			interface_not_found(c->interface,
					    "FindHostNetworkInterfaceByName(Bstr(pCtx->pszInterface).mutableRaw(), hif.asOutParam())",
					    927);
			return vbm_syntax_arg("Could not find interface '%s'",
					      c->interface);
		}
		netname = vb_asprintf("HostInterfaceNetworking-%s", c->interface);
	} else {
		netname = vb_strdup(c->network);
	}
	if (!netname)
		goto oom;
	if (vbox_global_lock(vb, &err)) {
		free(netname);
		return vbm_api_error(&err, NULL, FILE_DHCP, 0);
	}
	n = netsvc_find(vb, "DHCPServers", netname);
	if (c->sub == DH_ADD) {
		if (n) {
			vbox_global_unlock(vb);
			free(netname);
			return vbm_syntax_arg("DHCP server already exists");
		}
		list = netsvc_list(vb, "DHCPServers", true);
		n = list ? snode_add(list, "DHCPServer") : NULL;
		if (!n || dhcpsrv_init(&srv, netname))
			goto oom_locked;
	} else {
		if (!n) {
			vbox_global_unlock(vb);
			free(netname);
			return vbm_syntax_arg("DHCP server does not exist");
		}
		if (dhcpsrv_read(n, &srv))
			goto oom_locked;
	}
	have = true;
	rc = VBM_OK;
	if (am.ip || am.mask || am.lower || am.upper) {
		struct addmod cur = am;
		const char *e;
		uint32_t hrc;

		if (!cur.ip)
			cur.ip = srv.ip;
		if (!cur.mask)
			cur.mask = srv.global.opt[1] ? srv.global.opt[1] : "";
		if (!cur.lower)
			cur.lower = srv.lower;
		if (!cur.upper)
			cur.upper = srv.upper;
		e = check_configuration(&cur, msg, sizeof(msg), &hrc);
		if (e) {
			vb_err(&err, EINVAL, hrc, "%s", e);
			api(&err, "DHCPServerWrap", "IDHCPServer",
			    "SetConfiguration(bstrServerIp.raw(), bstrNetmask.raw(), bstrLowerIp.raw(), bstrUpperIp.raw())",
			    983);
			rc = vbm_syntax_arg("Failed to set configuration (%s, %s, %s, %s)",
					    cur.ip, cur.mask, cur.lower, cur.upper);
		} else {
			char *ip = vb_strdup(cur.ip), *lo = vb_strdup(cur.lower);
			char *up = vb_strdup(cur.upper);

			if (!ip || !lo || !up ||
			    dhcpcfg_set_option(&srv.global, 1, DHCP_ENC_NORMAL,
					       cur.mask)) {
				free(ip);
				free(lo);
				free(up);
				goto oom_locked;
			}
			free(srv.ip);
			free(srv.lower);
			free(srv.upper);
			srv.ip = ip;
			srv.lower = lo;
			srv.upper = up;
		}
	}
	if (am.enabled >= 0)
		srv.enabled = am.enabled;
	/* second pass: the configurations */
	{
		struct addmod ignored = { .enabled = -1 };
		int r2;

		stop = false;
		r2 = addmod_pass(c, argc, argv, 1, &ignored, vb, &srv, &stop);
		if (r2 && (stop || rc == VBM_OK))
			rc = r2;
	}
	if (dhcpsrv_write(&srv, n))
		goto oom_locked;
	dhcpsrv_free(&srv);
	free(netname);
	if (vbox_global_commit(vb, &err))
		return vbm_api_error(&err, NULL, FILE_DHCP, 0);
	return rc;
oom_locked:
	if (have)
		dhcpsrv_free(&srv);
	vbox_global_unlock(vb);
oom:
	free(netname);
	vbm_error("Out of memory");
	return VBM_FAIL;
}

/* ---- remove, start, restart, stop, findlease ---- */

static int simple(struct dh_ctx *c, int argc, char **argv)
{
	static const struct vb_option opts_find[] = {
		COMMON_OPTS,
		{ "--mac-address", 'm', VBGO_STRING },
		VBM_STD_OPTIONS,
	};
	static const struct vb_option opts[] = { COMMON_OPTS, VBM_STD_OPTIONS };
	struct vbox *vb = vbm_vbox(c->vbm);
	struct vb_error err = { 0 };
	struct vb_getopt g;
	struct snode *n;
	char mac[18] = "";
	bool have_mac = false;
	int ch, r;

	if (!vb)
		return VBM_FAIL;
	if (c->sub == DH_FINDLEASE)
		vb_getopt_init(&g, argc, argv, 1, opts_find,
			       sizeof(opts_find) / sizeof(opts_find[0]));
	else
		vb_getopt_init(&g, argc, argv, 1, opts,
			       sizeof(opts) / sizeof(opts[0]));
	while ((ch = vb_getopt_next(&g)) != VBGO_END) {
		r = common_opt(c, ch, ch == O_NETWORK || ch == O_INTERFACE
			       ? g.v.str : NULL);
		if (r < 0)
			return -r;
		if (r)
			continue;
		if (ch == 'm') {
			if (dhcp_parse_mac(g.v.str, mac))
				return vbm_getopt_error(c->vbm, &g, VBGO_ERR_FORMAT);
			have_mac = true;
			continue;
		}
		return vbm_getopt_error(c->vbm, &g, ch);
	}
	if (c->sub == DH_FINDLEASE && !have_mac)
		return vbm_syntax(c->vbm, "You need to specify a MAC address too look for");
	if (c->sub == DH_REMOVE) {
		if (vbox_global_lock(vb, &err))
			return vbm_api_error(&err, NULL, FILE_DHCP, 0);
		n = find_server(c, vb);
		if (!n) {
			vbox_global_unlock(vb);
			return VBM_FAIL;
		}
		snode_remove(n);
		if (vbox_global_commit(vb, &err))
			return vbm_api_error(&err, NULL, FILE_DHCP, 0);
		return VBM_OK;
	}
	n = find_server(c, vb);
	if (!n)
		return VBM_FAIL;
	switch (c->sub) {
	case DH_START: {
		const char *name = snode_attr(n, "networkName");

		if (!snode_bool(n, "enabled", false))
			return VBM_OK;
		vbm_syntax_arg("Failed to start the server");
		vbm_error("Failed to start DHCP server for '%s': VERR_FILE_NOT_FOUND",
			  name ? name : "");
		fprintf(stderr, "VBoxManage: error: Details: code %s (0x%08x), component DHCPServerWrap, interface IDHCPServer\n",
			vb_hrc_name(VBOX_E_OBJECT_NOT_FOUND), VBOX_E_OBJECT_NOT_FOUND);
		return VBM_FAIL;
	}
	case DH_RESTART:
		vbm_syntax_arg("Failed to restart the server");
		vbm_error("not running");
		fprintf(stderr, "VBoxManage: error: Details: code %s (0x%08x), component DHCPServerWrap, interface IDHCPServer\n",
			vb_hrc_name(VB_E_FAIL), VB_E_FAIL);
		return VBM_FAIL;
	case DH_STOP:
		return VBM_OK;
	case DH_FINDLEASE: {
		const char *name = snode_attr(n, "networkName");
		char *file, *p;

		/* no DHCP server has run, so there is no lease database */
		file = vb_asprintf("%s/%s-Dhcpd.leases", vbox_home(vb),
				   name ? name : "");
		if (!file) {
			vbm_error("Out of memory");
			return VBM_FAIL;
		}
		/* RTPathPurgeFilename on the network name part */
		for (p = file + strlen(vbox_home(vb)) + 1;
		     *p && strcmp(p, "-Dhcpd.leases"); p++)
			if (*p == '/')
				*p = '_';
		if (path_exists(file)) {
			vb_err(&err, ENOENT, VBOX_E_OBJECT_NOT_FOUND,
			       "Could not find a lease for %s", mac);
		} else {
			vb_err(&err, ENOENT, VBOX_E_FILE_ERROR,
			       "Reading '%s' failed: VERR_FILE_NOT_FOUND - Runtime error opening '%s' for reading VERR_FILE_NOT_FOUND (File not found.)",
			       file, file);
		}
		free(file);
		return api(&err, "DHCPServerWrap", "IDHCPServer",
			   "FindLeaseByMAC(Bstr(szMac).raw(), 0 /*type*/, bstrAddress.asOutParam(), bstrState.asOutParam(), &secIssued, &secExpire)",
			   1253);
	}
	default:
		return VBM_FAIL;
	}
}

int cmd_dhcpserver(struct vbm_ctx *ctx, int argc, char **argv)
{
	static const struct { const char *name; enum dh_sub sub; } subs[] = {
		{ "add", DH_ADD }, { "modify", DH_MODIFY },
		{ "remove", DH_REMOVE }, { "start", DH_START },
		{ "restart", DH_RESTART }, { "stop", DH_STOP },
		{ "findlease", DH_FINDLEASE },
	};
	static const struct vb_option opts[] = { COMMON_OPTS, VBM_STD_OPTIONS };
	struct dh_ctx c = { .vbm = ctx };
	struct vb_getopt g;
	unsigned i;
	int ch, r;

	vb_getopt_init(&g, argc, argv, 1, opts, sizeof(opts) / sizeof(opts[0]));
	while ((ch = vb_getopt_next(&g)) != VBGO_END) {
		r = common_opt(&c, ch, ch == O_NETWORK || ch == O_INTERFACE
			       ? g.v.str : NULL);
		if (r < 0)
			return -r;
		if (r)
			continue;
		if (ch != VBGO_NOT_OPTION)
			return vbm_getopt_error(ctx, &g, ch);
		for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
			if (strcmp(subs[i].name, g.v.str))
				continue;
			c.sub = subs[i].sub;
			vbm_set_subcommand(ctx, subs[i].name);
			/* the handler sees the words from the sub-command on */
			argc -= g.next - 1;
			argv += g.next - 1;
			if (c.sub == DH_ADD || c.sub == DH_MODIFY)
				return add_modify(&c, argc, argv);
			return simple(&c, argc, argv);
		}
		return vbm_unknown_subcommand(ctx, g.v.str);
	}
	return vbm_no_subcommand(ctx);
}

const struct vbm_help help_dhcpserver = {
	"DHCP server management",
	"VBoxManage\bdhcpserver\badd <--network=netname | --interface=ifname> "
	"<--server-ip=address> <--netmask=mask> <--lower-ip=address> "
	"<--upper-ip=address> <--enable | --disable>\v [--global | "
	"--set-opt=dhcp-opt-no value... | --set-opt-hex=dhcp-opt-no "
	"hexstring... | --force-opt=dhcp-opt-no... | "
	"--supress-opt=dhcp-opt-no... | --min-lease-time=seconds | "
	"--default-lease-time=seconds | --max-lease-time=seconds...]\v "
	"[--group=name | --set-opt=dhcp-opt-no value... | "
	"--set-opt-hex=dhcp-opt-no hexstring... | "
	"--force-opt=dhcp-opt-no... | --supress-opt=dhcp-opt-no... | "
	"--incl-mac=address... | --excl-mac=address... | "
	"--incl-mac-wild=pattern... | --excl-mac-wild=pattern... | "
	"--incl-vendor=string... | --excl-vendor=string... | "
	"--incl-vendor-wild=pattern... | --excl-vendor-wild=pattern... | "
	"--incl-user=string... | --excl-user=string... | "
	"--incl-user-wild=pattern... | --excl-user-wild=pattern... | "
	"--min-lease-time=seconds | --default-lease-time=seconds | "
	"--max-lease-time=seconds...]\v [--vm=name|uuid | --nic=1-N | "
	"--set-opt=dhcp-opt-no value... | --set-opt-hex=dhcp-opt-no "
	"hexstring... | --force-opt=dhcp-opt-no... | "
	"--supress-opt=dhcp-opt-no... | --min-lease-time=seconds | "
	"--default-lease-time=seconds | --max-lease-time=seconds | "
	"--fixed-address=address...]\v [--mac-address=address | "
	"--set-opt=dhcp-opt-no value... | --set-opt-hex=dhcp-opt-no "
	"hexstring... | --force-opt=dhcp-opt-no... | "
	"--supress-opt=dhcp-opt-no... | --min-lease-time=seconds | "
	"--default-lease-time=seconds | --max-lease-time=seconds | "
	"--fixed-address=address...]\n"
	"VBoxManage\bdhcpserver\bmodify <--network=netname | "
	"--interface=ifname> [--server-ip=address] [--lower-ip=address] "
	"[--upper-ip=address] [--netmask=mask] [--enable | --disable]\v "
	"[--global | --del-opt=dhcp-opt-no... | --set-opt=dhcp-opt-no "
	"value... | --set-opt-hex=dhcp-opt-no hexstring... | "
	"--force-opt=dhcp-opt-no... | --unforce-opt=dhcp-opt-no... | "
	"--supress-opt=dhcp-opt-no... | --unsupress-opt=dhcp-opt-no... | "
	"--min-lease-time=seconds | --default-lease-time=seconds | "
	"--max-lease-time=seconds | --remove-config...]\v [--group=name | "
	"--set-opt=dhcp-opt-no value... | --set-opt-hex=dhcp-opt-no "
	"hexstring... | --force-opt=dhcp-opt-no... | "
	"--unforce-opt=dhcp-opt-no... | --supress-opt=dhcp-opt-no... | "
	"--unsupress-opt=dhcp-opt-no... | --del-mac=address... | "
	"--incl-mac=address... | --excl-mac=address... | "
	"--del-mac-wild=pattern... | --incl-mac-wild=pattern... | "
	"--excl-mac-wild=pattern... | --del-vendor=string... | "
	"--incl-vendor=string... | --excl-vendor=string... | "
	"--del-vendor-wild=pattern... | --incl-vendor-wild=pattern... | "
	"--excl-vendor-wild=pattern... | --del-user=string... | "
	"--incl-user=string... | --excl-user=string... | "
	"--del-user-wild=pattern... | --incl-user-wild=pattern... | "
	"--excl-user-wild=pattern... | --zap-conditions | "
	"--min-lease-time=seconds | --default-lease-time=seconds | "
	"--max-lease-time=seconds | --remove-config...]\v [--vm=name|uuid | "
	"--nic=1-N | --del-opt=dhcp-opt-no... | --set-opt=dhcp-opt-no "
	"value... | --set-opt-hex=dhcp-opt-no hexstring... | "
	"--force-opt=dhcp-opt-no... | --unforce-opt=dhcp-opt-no... | "
	"--supress-opt=dhcp-opt-no... | --unsupress-opt=dhcp-opt-no... | "
	"--min-lease-time=seconds | --default-lease-time=seconds | "
	"--max-lease-time=seconds | --fixed-address=address | "
	"--remove-config...]\v [--mac-address=address | "
	"--del-opt=dhcp-opt-no... | --set-opt=dhcp-opt-no value... | "
	"--set-opt-hex=dhcp-opt-no hexstring... | "
	"--force-opt=dhcp-opt-no... | --unforce-opt=dhcp-opt-no... | "
	"--supress-opt=dhcp-opt-no... | --unsupress-opt=dhcp-opt-no... | "
	"--min-lease-time=seconds | --default-lease-time=seconds | "
	"--max-lease-time=seconds | --fixed-address=address | "
	"--remove-config...]\n"
	"VBoxManage\bdhcpserver\bremove <--network=netname | "
	"--interface=ifname>\n"
	"VBoxManage\bdhcpserver\bstart <--network=netname | "
	"--interface=ifname>\n"
	"VBoxManage\bdhcpserver\brestart <--network=netname | "
	"--interface=ifname>\n"
	"VBoxManage\bdhcpserver\bstop <--network=netname | "
	"--interface=ifname>\n"
	"VBoxManage\bdhcpserver\bfindlease <--network=netname | "
	"--interface=ifname> <--mac-address=mac>",
	"Manages the DHCP servers VirtualBox runs for host-only interfaces\n"
	"and internal or NAT networks.  A server is named by its network\n"
	"(--network) or, for host-only networking, by the host interface\n"
	"(--interface, network HostInterfaceNetworking-<ifname>).\n"
	"\n"
	"add and modify set the server address, the netmask and the range of\n"
	"addresses it hands out, and enable or disable the server.  Options\n"
	"after --global, --group, --vm (with --nic) or --mac-address apply to\n"
	"that configuration: --set-opt and --set-opt-hex set a DHCP option by\n"
	"number, --force-opt sends an option unasked, --suppress-opt never\n"
	"sends it, the lease times are in seconds and --fixed-address gives a\n"
	"machine or MAC address a fixed IP address.  Groups select clients by\n"
	"MAC address, vendor class or user class, exactly or by pattern.\n"
	"\n"
	"remove deletes the server; start, restart and stop control its\n"
	"process; findlease looks a MAC address up in its lease database.\n",
};
