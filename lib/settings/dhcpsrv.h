/*
 * A DHCP server of VirtualBox.xml (<NetserviceRegistry><DHCPServers>
 * <DHCPServer>, settings-format 6.3) as an editable structure, read and
 * written the way VirtualBox 7.0's Settings.cpp does (readDHCPServers,
 * buildDHCPServers), plus the value checks of its DHCP server objects
 * (DHCPServerImpl.cpp, DHCPConfigImpl.cpp, the DHCP daemon's option
 * parser).
 */
#ifndef VB_SETTINGS_DHCPSRV_H
#define VB_SETTINGS_DHCPSRV_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/settings/settings.h"

#define DHCP_OPT_SUBNET_MASK 1
#define DHCP_ENC_NORMAL 0
#define DHCP_ENC_HEX    1

/* DHCPGroupConditionType */
enum dhcp_cond_type {
	DHCP_COND_MAC, DHCP_COND_MAC_WILD, DHCP_COND_VENDOR,
	DHCP_COND_VENDOR_WILD, DHCP_COND_USER, DHCP_COND_USER_WILD,
};

/* Options, lease times, forced and suppressed option lists of one
 * configuration (global, group or individual). */
struct dhcp_config {
	uint32_t min_lease, def_lease, max_lease;
	uint8_t forced[256];
	unsigned nforced;
	uint8_t suppressed[256];    /* kept sorted */
	unsigned nsuppressed;
	char *opt[256];             /* value by option code, NULL if unset */
	int enc[256];
};

struct dhcp_cond {
	bool inclusive;
	int type;
	char *value;
};

struct dhcp_group {
	char *name;
	struct dhcp_config cfg;
	struct dhcp_cond *conds;
	unsigned nconds;
};

/* A per-MAC or per-VM-NIC configuration.  key orders them as
 * VirtualBox's map does: "xx:xx:xx:xx:xx:xx" or "<uuid>/<slot>". */
struct dhcp_indiv {
	char *key;
	char *mac;          /* "00:00:00:00:00:00" for VM configurations */
	char *vm;           /* machine UUID, NULL for MAC configurations */
	unsigned slot;
	char *fixed;        /* fixed address or NULL */
	struct dhcp_config cfg;
};

struct dhcp_server {
	char *name, *ip, *lower, *upper;
	bool enabled;
	struct dhcp_config global;  /* option 1 is the network mask */
	struct dhcp_group *groups;  /* sorted by name */
	unsigned ngroups;
	struct dhcp_indiv *indivs;  /* sorted by key */
	unsigned nindivs;
};

/* A new server as IVirtualBox::CreateDHCPServer makes it. */
int dhcpsrv_init(struct dhcp_server *s, const char *name);
/* Read a <DHCPServer> element; -EINVAL when a required attribute is
 * missing. */
int dhcpsrv_read(struct snode *n, struct dhcp_server *s);
/* Rewrite the element n (attributes and children) from s. */
int dhcpsrv_write(const struct dhcp_server *s, struct snode *n);
void dhcpsrv_free(struct dhcp_server *s);

/* The configuration of a group / individual key, created when create is
 * set (NULL if absent or out of memory). */
struct dhcp_group *dhcpsrv_group(struct dhcp_server *s, const char *name,
				 bool create);
struct dhcp_indiv *dhcpsrv_indiv(struct dhcp_server *s, const char *key,
				 const char *mac, const char *vm,
				 unsigned slot, bool create);
void dhcpsrv_remove_group(struct dhcp_server *s, struct dhcp_group *g);
void dhcpsrv_remove_indiv(struct dhcp_server *s, struct dhcp_indiv *i);

int dhcpcfg_set_option(struct dhcp_config *c, unsigned code, int enc,
		       const char *value);
void dhcpcfg_clear(struct dhcp_config *c);

/* DhcpOption::parse as VBoxSVC runs it: NULL when the value is
 * acceptable for the option and encoding, else the IPRT status name
 * ("VERR_INVALID_PARAMETER", "VERR_NOT_IMPLEMENTED", "VERR_WRONG_TYPE",
 * ...). */
const char *dhcpopt_check(unsigned code, int enc, const char *value);
/* RTStrConvertHexBytesEx with RTSTRCONVERTHEXBYTES_F_SEP_COLON into at
 * most max bytes; returns the byte count or -1. */
int dhcp_hex_bytes(const char *s, unsigned max);
/* RTNetStrToMacAddr; canonical "xx:xx:xx:xx:xx:xx" into out. 0 or -1. */
int dhcp_parse_mac(const char *s, char out[18]);
/* DHCPGroupCondition::i_validateTypeAndValue: NULL or the message
 * (static buffer). */
const char *dhcp_cond_check(int type, const char *value);

#endif
