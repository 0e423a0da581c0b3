/*
 * setproperty: global settings (<SystemProperties> of VirtualBox.xml), as
 * VBoxManage 7.0's handleSetProperty over ISystemProperties.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/vboxmanage/commands.h"
#include "lib/settings/sysprops.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"

#define FILE_MISC "VBoxManageMisc.cpp"

static void sp_where(struct vb_error *err)
{
	vb_err_where(err, "SystemPropertiesWrap", "ISystemProperties",
		     "nsISupports");
}

/* ISystemProperties::ProxyURL's checks (scheme added when missing; a
 * host and nothing after host and port). */
static int check_proxy_url(const char *in, char **out, struct vb_error *err)
{
	char *url = strstr(in, "://") ? strdup(in) : vb_asprintf("http://%s", in);
	const char *p, *host, *end;

	*out = url;
	if (!url)
		return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
	if (!*in)
		return 0;
	p = strstr(url, "://") + 3;
	host = p;
	end = p + strcspn(p, "/?#");
	{
		const char *at = memchr(host, '@', (size_t)(end - host));

		if (at)
			host = at + 1;
	}
	if (end == host || *host == ':') {
		if (strncasecmp(url, "direct:", 7)) {
			free(url);
			*out = NULL;
			vb_err(err, EINVAL, VB_E_INVALIDARG,
			       "Proxy URL must include a hostname");
			sp_where(err);
			return -EINVAL;
		}
	}
	p = end;
	if (*p == '/') {
		size_t n = strcspn(p, "?#");

		vb_err(err, EINVAL, VB_E_INVALIDARG,
		       "Proxy URL must not include a path component (%.*s)",
		       (int)n, p);
		goto bad;
	}
	if (*p == '?') {
		size_t n = strcspn(p + 1, "#");

		vb_err(err, EINVAL, VB_E_INVALIDARG,
		       "Proxy URL must not include a query component (?%.*s)",
		       (int)n, p + 1);
		goto bad;
	}
	if (*p == '#') {
		vb_err(err, EINVAL, VB_E_INVALIDARG,
		       "Proxy URL must not include a fragment component (#%s)",
		       p + 1);
		goto bad;
	}
	return 0;
bad:
	sp_where(err);
	free(url);
	*out = NULL;
	return -EINVAL;
}

/* "C", "ll" or "ll_CC", as VirtualBox's translator accepts. */
static bool language_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 1 && s[0] == 'C')
		return true;
	if ((n == 2 || n == 5) && islower((unsigned char)s[0]) &&
	    islower((unsigned char)s[1]))
		return n == 2 || (s[2] == '_' && isupper((unsigned char)s[3]) &&
				  isupper((unsigned char)s[4]));
	return false;
}

int cmd_setproperty(struct vbm_ctx *ctx, int argc, char **argv)
{
	struct vb_error err = { 0 };
	const char *name, *val, *set = NULL, *ctxstr = NULL;
	char *owned = NULL;
	struct vbox *vb;
	int line = 0, rc;

	if (argc != 3)
		return vbm_syntax(ctx, "Incorrect number of parameters");
	name = argv[1];
	val = argv[2];
	vb = vbm_vbox(ctx);
	if (!vb)
		return VBM_FAIL;

	if (!strcmp(name, "machinefolder")) {
		bool dflt = !strcmp(val, "default");

		ctxstr = dflt ? "COMSETTER(DefaultMachineFolder)(NULL)"
			      : "COMSETTER(DefaultMachineFolder)(Bstr(a->argv[1]).raw())";
		line = dflt ? 1436 : 1438;
		if (dflt || !strcmp(val, "Machines")) {
			owned = settings_default_machine_folder();
			set = owned;
		} else {
			set = val;
		}
		if (!set || !path_is_abs(set)) {
			vb_err(&err, EINVAL, VB_E_INVALIDARG,
			       "Given default machine folder '%s' is not fully qualified",
			       set ? set : "");
			sp_where(&err);
			goto api_fail;
		}
		name = "defaultMachineFolder";
	} else if (!strcmp(name, "hwvirtexclusive")) {
		if (strcmp(val, "on") && strcmp(val, "off"))
			return vbm_syntax_arg("Invalid hwvirtexclusive argument '%s'",
					      val);
		set = strcmp(val, "on") ? "false" : "true";
		name = "exclusiveHwVirt";
		ctxstr = "COMSETTER(ExclusiveHwVirt)(fHwVirtExclusive)";
		line = 1450;
	} else if (!strcmp(name, "vrdeauthlibrary") ||
		   !strcmp(name, "vrdpauthlibrary")) {
		if (!strcmp(name, "vrdpauthlibrary"))
			fprintf(stderr, "Warning: 'vrdpauthlibrary' is deprecated. Use 'vrdeauthlibrary'.\n");
		set = strcmp(val, "default") ? val : NULL;
		name = "VRDEAuthLibrary";
	} else if (!strcmp(name, "websrvauthlibrary")) {
		set = strcmp(val, "default") ? val : NULL;
		name = "webServiceAuthLibrary";
	} else if (!strcmp(name, "vrdeextpack")) {
		if (strcmp(val, "null") && strcmp(val, "Built-in-VBoxVRDP")) {
			/* no extension packs are installed in this build */
			vb_err(&err, ENOENT, VBOX_E_OBJECT_NOT_FOUND,
			       "No extension pack by the name '%s' was found",
			       val);
			vb_err_where(&err, "ExtPackManagerWrap",
				     "IExtPackManager", "nsISupports");
			ctxstr = "COMSETTER(DefaultVRDEExtPack)(Bstr(a->argv[1]).raw())";
			line = 1478;
			goto api_fail;
		}
		set = strcmp(val, "null") ? val : NULL;
		name = "defaultVRDEExtPack";
	} else if (!strcmp(name, "loghistorycount")) {
		unsigned long long v;

		if (vb_parse_u64(val, &v) || v > 0xffffffffu)
			return vbm_syntax_arg("Error parsing Log history count '%s'",
					      val);
		owned = vb_asprintf("%llu", v);
		set = owned;
		name = "LogHistoryCount";
	} else if (!strcmp(name, "autostartdbpath")) {
		set = strcmp(val, "null") ? val : NULL;
		name = "autostartDatabasePath";
	} else if (!strcmp(name, "defaultfrontend")) {
		set = strcmp(val, "default") ? val : NULL;
		name = "defaultFrontend";
	} else if (!strcmp(name, "logginglevel")) {
		set = strcmp(val, "default") && strcmp(val, "all") ? val : NULL;
		name = "LoggingLevel";
	} else if (!strcmp(name, "proxymode")) {
		if (!strcasecmp(val, "system"))
			set = "0";
		else if (!strcasecmp(val, "noproxy"))
			set = "1";
		else if (!strcasecmp(val, "manual"))
			set = "2";
		else
			return vbm_syntax_arg("Unknown proxy mode: '%s'", val);
		name = "proxyMode";
	} else if (!strcmp(name, "proxyurl")) {
		if (check_proxy_url(val, &owned, &err)) {
			ctxstr = "COMSETTER(ProxyURL)(bstrProxyUrl.raw())";
			line = 1527;
			goto api_fail;
		}
		set = *val ? owned : NULL;
		name = "proxyUrl";
	} else if (!strcmp(name, "language")) {
		if (!language_ok(val))
			return vbm_api_error_noinfo(VB_E_INVALIDARG,
						    "COMSETTER(LanguageId)(bstrLanguage.raw())",
						    FILE_MISC, 1533);
		set = val;
		name = "LanguageId";
	} else {
		return vbm_syntax(ctx, "Invalid parameter '%s'", name);
	}

	rc = vbox_global_lock(vb, &err);
	if (!rc)
		rc = sysprops_set(vb, name, set, &err);
	if (!rc)
		rc = vbox_global_commit(vb, &err);
	else
		vbox_global_unlock(vb);
	if (rc) {
		vb_err_where(&err, "SystemPropertiesWrap", "ISystemProperties",
			     "nsISupports");
		ctxstr = "i_saveSettings()";
		goto api_fail;
	}
	free(owned);
	return VBM_OK;
api_fail:
	free(owned);
	return vbm_api_error(&err, ctxstr, FILE_MISC, line);
}

const struct vbm_help help_setproperty = {
	"change global settings",
	"VBoxManage\bsetproperty <property-name> <property-value>",
	"Changes a setting of the whole installation:\n"
	"\n"
	"  machinefolder      the folder for new machines (\"default\":\n"
	"                     \"VirtualBox VMs\" in your home)\n"
	"  hwvirtexclusive    on|off: use hardware virtualization exclusively\n"
	"  vrdeauthlibrary    library for remote desktop authentication\n"
	"                     (\"default\": VBoxAuth)\n"
	"  websrvauthlibrary  library for web service authentication\n"
	"  vrdeextpack        extension pack for remote desktop (\"null\": none)\n"
	"  loghistorycount    how many old VM logs to keep\n"
	"  autostartdbpath    autostart database folder (\"null\": none)\n"
	"  defaultfrontend    front end for started machines (\"default\")\n"
	"  logginglevel       logging groups and flags (\"default\")\n"
	"  proxymode          system|noproxy|manual\n"
	"  proxyurl           proxy for manual mode, [scheme://]host[:port]\n"
	"  language           user interface language: C, ll or ll_CC\n",
};
