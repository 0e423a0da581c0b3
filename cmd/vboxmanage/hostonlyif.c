/*
 * hostonlyif create|remove|ipconfig, as VBoxManage 7.0's handleHostonlyIf
 * on a Linux host where the vboxnetadp driver is not loaded (this
 * project has none): creating an interface fails the way VBoxNetAdpCtl
 * fails without /dev/vboxnetctl, and the other sub-commands see only the
 * host's real interfaces, which are not host-only ones.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/vboxmanage/commands.h"
#include "cmd/vboxmanage/host.h"
#include "lib/util/strbuf.h"

#define FILE_HO "VBoxManageHostonly.cpp"

/* A failed IProgress as showProgress and CHECK_PROGRESS_ERROR_RET print
 * it; head NULL for the machine-readable form (no progress, empty
 * message). */
static int progress_failed(const char *head, const char *msg,
			   const char *func, int line)
{
	struct vb_error err = { 0 };

	if (head) {
		fputs("0%...\n", stderr);
		fprintf(stderr, "Progress state: %s\n", vb_hrc_name(VB_E_FAIL));
	}
	vbm_error("%s", head ? head : "");
	vb_err(&err, EIO, VB_E_FAIL, "%s", msg);
	vb_err_where(&err, "HostNetworkInterfaceWrap", "IHostNetworkInterface",
		     NULL);
	return vbm_api_error(&err, func, FILE_HO, line);
}

static int not_found(const char *name, int line)
{
	struct vb_error err = { 0 };

	vb_err(&err, ENOENT, VB_E_INVALIDARG,
	       "The host network interface named '%s' could not be found",
	       name);
	vb_err_where(&err, "HostWrap", "IHost", "nsISupports");
	return vbm_api_error(&err,
			     "FindHostNetworkInterfaceByName(Bstr(pszName).raw(), hif.asOutParam())",
			     FILE_HO, line);
}

static int ho_create(struct vbm_ctx *ctx, int argc, char **argv)
{
	static const struct vb_option opts[] = {
		{ "--machinereadable", 'M', VBGO_NOVAL },
	};
	static const char msg[] =
		"VBoxNetAdpCtl: Error while adding new interface: failed to open /dev/vboxnetctl: No such file or directory";
	struct vb_getopt g;
	bool mr = false;
	int c;

	vb_getopt_init(&g, argc, argv, 1, opts, 1);
	while ((c = vb_getopt_next(&g)) != VBGO_END) {
		if (c == 'M')
			mr = true;
		else
			return vbm_getopt_error(ctx, &g, c);
	}
	if (mr)
		return progress_failed(NULL, msg,
				       "RTEXITCODE handleCreate(HandlerArg *)", 100);
	return progress_failed("Failed to create the host-only adapter", msg,
			       "RTEXITCODE handleCreate(HandlerArg *)", 105);
}

static int ho_remove(struct vbm_ctx *ctx, int argc, char **argv)
{
	const char *name = NULL;
	struct vb_getopt g;
	char *msg;
	int c, rc;

	vb_getopt_init(&g, argc, argv, 1, NULL, 0);
	while ((c = vb_getopt_next(&g)) != VBGO_END) {
		if (c != VBGO_NOT_OPTION)
			return vbm_getopt_error(ctx, &g, c);
		if (name)
			return vbm_syntax(ctx, "Only one interface name can be specified");
		name = g.v.str;
	}
	if (!name)
		return vbm_syntax(ctx, "No interface name was specified");
	if (!host_netif_exists(name))
		return not_found(name, 150);
	/* a real interface: VBoxNetAdpCtl refuses the name */
	msg = vb_asprintf("Failed to execute 'VBoxNetAdpCtl %s remove' (VERR_INVALID_PARAMETER)",
			  name);
	rc = progress_failed("Failed to remove the host-only adapter",
			     msg ? msg : "Out of memory",
			     "RTEXITCODE handleRemove(HandlerArg *)", 159);
	free(msg);
	return rc;
}

static int ho_ipconfig(struct vbm_ctx *ctx, int argc, char **argv)
{
	static const struct vb_option opts[] = {
		{ "--dhcp", 'd', VBGO_NOVAL }, { "-dhcp", 'd', VBGO_NOVAL },
		{ "--ip", 'a', VBGO_STRING }, { "-ip", 'a', VBGO_STRING },
		{ "--netmask", 'm', VBGO_STRING },
		{ "-netmask", 'm', VBGO_STRING },
		{ "--ipv6", 'b', VBGO_STRING }, { "-ipv6", 'b', VBGO_STRING },
		{ "--netmasklengthv6", 'l', VBGO_U32 },
		{ "-netmasklengthv6", 'l', VBGO_U32 },
	};
	const char *name = NULL, *ip = NULL, *mask = NULL, *ip6 = NULL;
	bool dhcp = false, have_len = false;
	uint32_t len6 = UINT32_MAX;
	struct vb_error err = { 0 };
	struct vb_getopt g;
	int c;

	vb_getopt_init(&g, argc, argv, 1, opts, sizeof(opts) / sizeof(opts[0]));
	while ((c = vb_getopt_next(&g)) != VBGO_END) {
		switch (c) {
		case 'd':
			dhcp = true;
			break;
		case 'a':
			if (ip)
				vbm_warning("The --ip option is specified more than once");
			ip = g.v.str;
			break;
		case 'm':
			if (mask)
				vbm_warning("The --netmask option is specified more than once");
			mask = g.v.str;
			break;
		case 'b':
			if (ip6)
				vbm_warning("The --ipv6 option is specified more than once");
			ip6 = g.v.str;
			break;
		case 'l':
			if (have_len)
				vbm_warning("The --netmasklengthv6 option is specified more than once");
			/* RTGETOPT_REQ_UINT8 */
			if (g.v.u32 > 255)
				return vbm_getopt_error(ctx, &g, VBGO_ERR_FORMAT);
			have_len = true;
			len6 = g.v.u32;
			break;
		case VBGO_NOT_OPTION:
			if (name)
				return vbm_syntax(ctx, "Only one interface name can be specified");
			name = g.v.str;
			break;
		default:
			return vbm_getopt_error(ctx, &g, c);
		}
	}
	if (dhcp && (have_len || ip6 || ip || mask))
		return vbm_syntax(ctx, "You can not use --dhcp with static ip configuration parameters: --ip, --netmask, --ipv6 and --netmasklengthv6.");
	if ((ip || mask) && (have_len || ip6))
		return vbm_syntax(ctx, "You can not use ipv4 configuration (--ip and --netmask) with ipv6 (--ipv6 and --netmasklengthv6) simultaneously.");
	if (!host_netif_exists(name ? name : ""))
		return not_found(name ? name : "", 242);
	/* the interface is a real one, which VBoxNetAdpCtl does not
	 * configure */
	if (dhcp)
		return vbm_api_error_noinfo(VB_E_FAIL, "EnableDynamicIPConfig()",
					    FILE_HO, 247);
	if (ip) {
		if (inet_addr(ip) == INADDR_NONE) {
			vb_err(&err, EINVAL, VB_E_INVALIDARG,
			       "Invalid IP address");
			vb_err_where(&err, "HostNetworkInterfaceWrap",
				     "IHostNetworkInterface", "nsISupports");
			return vbm_api_error(&err,
					     "EnableStaticIPConfig(Bstr(pszIp).raw(), Bstr(pszNetmask).raw())",
					     FILE_HO, 252);
		}
		return vbm_api_error_noinfo(VB_E_FAIL,
					    "EnableStaticIPConfig(Bstr(pszIp).raw(), Bstr(pszNetmask).raw())",
					    FILE_HO, 252);
	}
	if (ip6) {
		struct in6_addr a6;
		const char *what = NULL;

		if (len6 != UINT32_MAX && len6 > 128)
			what = "Invalid IPv6 prefix length";
		else if (inet_pton(AF_INET6, ip6, &a6) != 1)
			what = "Invalid IPv6 address";
		if (what) {
			vb_err(&err, EINVAL, VB_E_INVALIDARG, "%s", what);
			vb_err_where(&err, "VirtualBoxWrap", "IVirtualBox",
				     "nsISupports");
			return vbm_api_error(&err,
					     "EnableStaticIPConfigV6(Bstr(pszIpv6).raw(), (ULONG)uNetmasklengthv6)",
					     FILE_HO, 266);
		}
		return vbm_api_error_noinfo(VB_E_FAIL,
					    "EnableStaticIPConfigV6(Bstr(pszIpv6).raw(), (ULONG)uNetmasklengthv6)",
					    FILE_HO, 266);
	}
	return vbm_syntax(ctx, "Neither -dhcp nor -ip nor -ipv6 was specfified");
}

int cmd_hostonlyif(struct vbm_ctx *ctx, int argc, char **argv)
{
	if (argc < 2)
		return vbm_syntax(ctx, "No sub-command specified");
	if (!strcmp(argv[1], "ipconfig")) {
		vbm_set_subcommand(ctx, "ipconfig");
		return ho_ipconfig(ctx, argc - 1, argv + 1);
	}
	if (!strcmp(argv[1], "create")) {
		vbm_set_subcommand(ctx, "create");
		return ho_create(ctx, argc - 1, argv + 1);
	}
	if (!strcmp(argv[1], "remove")) {
		vbm_set_subcommand(ctx, "remove");
		return ho_remove(ctx, argc - 1, argv + 1);
	}
	return vbm_syntax(ctx, "Unknown sub-command '%s'", argv[1]);
}

const struct vbm_help help_hostonlyif = {
	"manage host-only network interfaces",
	"VBoxManage\bhostonlyif\bipconfig <ifname> [--dhcp | "
	"--ip=IPv4-address --netmask=IPv4-netmask | --ipv6=IPv6-address "
	"--netmasklengthv6=length]\n"
	"VBoxManage\bhostonlyif\bcreate\n"
	"VBoxManage\bhostonlyif\bremove <ifname>",
	"Host-only interfaces (vboxnetN) connect machines with the host\n"
	"through VirtualBox's vboxnetadp kernel driver.  This build runs\n"
	"without VirtualBox's kernel drivers, so create fails the way\n"
	"VirtualBox does when the driver is not loaded, and remove and\n"
	"ipconfig find only the host's own interfaces, which they cannot\n"
	"change.  Machines can use NAT or NAT networks instead.\n",
};
