/*
 * The network services of VirtualBox.xml (settings-format.md 6.3, 6.4):
 * <NetserviceRegistry><DHCPServers><DHCPServer>, <NATNetworks><NATNetwork>
 * and <CloudNetworks>, with the values VirtualBox derives from them
 * (NAT network gateway and IPv6 prefix).
 */
#ifndef VB_SETTINGS_NETSVC_H
#define VB_SETTINGS_NETSVC_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/settings/settings.h"

/* <NetserviceRegistry>/<list> ("DHCPServers", "NATNetworks", ...). */
struct snode *netsvc_list(struct vbox *vb, const char *list, bool create);
/* The entry of a list whose name attribute (networkName for DHCP servers
 * and NAT networks, name for cloud networks) equals name, or NULL. */
struct snode *netsvc_find(struct vbox *vb, const char *list,
			  const char *name);

/* "a.b.c.d" -> host-order address; 0 or -EINVAL. */
int netsvc_parse_ipv4(const char *s, uint32_t *out);
void netsvc_fmt_ipv4(uint32_t a, char out[16]);
/* "a.b.c.d/len" (len 0..32) -> host-order network and mask (network
 * bits outside the mask are kept, as given); 0 or -EINVAL. */
int netsvc_parse_cidr(const char *s, uint32_t *addr, uint32_t *mask);
/* A NAT network's gateway: the first address of its network. */
int netsvc_natnet_gateway(const char *cidr, char out[16]);
/* The IPv6 prefix VirtualBox gives a NAT network without one:
 * fd17:625c:f037:XXYY::/64 from the 2nd and 3rd byte of the IPv4
 * network. */
int netsvc_natnet_ipv6_prefix(const char *cidr, char out[64]);
/* "name:tcp|udp:[hostip]:hostport:[guestip]:guestport" of a
 * <Forwarding> element (allocated). */
char *netsvc_rule_string(struct snode *fwd);

#endif
