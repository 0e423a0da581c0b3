/* lib/settings parts of the VBoxManage global commands: the guest OS
 * table, new-machine naming, network service values, DHCP servers and
 * system properties. */
#include <errno.h>
#include <string.h>

#include "harness.h"
#include "lib/settings/dhcpsrv.h"
#include "lib/settings/netsvc.h"
#include "lib/settings/newvm.h"
#include "lib/settings/settings.h"
#include "lib/settings/snode.h"
#include "lib/settings/sysprops.h"

void test_ostypes__table(void)
{
	const struct ostype *o;

	T_EQ_INT(ostype_count(), 188);
	T_EQ_STR(ostype_table[0].id, "Other");
	T_ASSERT(ostype_table[ostype_count()].id == NULL);
	o = ostype_find("ubuntu_64");           /* case-insensitive */
	T_ASSERT(o);
	T_EQ_STR(o->id, "Ubuntu_64");
	T_EQ_STR(o->description, "Ubuntu (64-bit)");
	T_EQ_STR(o->family, "Linux");
	T_ASSERT(o->is64);
	T_EQ_INT(o->ram_mb, 2048);
	T_EQ_STR(o->nic, "82540EM");
	o = ostype_find("WindowsXP");
	T_ASSERT(o && !o->is64);
	T_EQ_STR(o->nic, "82543GC");
	T_EQ_INT(o->ram_mb, 192);
	o = ostype_find("Windows11_64");
	T_ASSERT(o && (o->hints & OSH_EFI) && (o->hints & OSH_TPM2));
	T_ASSERT(ostype_find("Bogus") == NULL);
	T_ASSERT(ostype_find("") == NULL);
}

void test_ostypes__unique_ids(void)
{
	unsigned i, j, n = ostype_count();

	for (i = 0; i < n; i++) {
		T_ASSERT(ostype_table[i].description && ostype_table[i].family);
		for (j = i + 1; j < n; j++)
			T_ASSERT(strcasecmp(ostype_table[i].id, ostype_table[j].id));
	}
}

void test_newvm__sanitise(void)
{
	char a[] = "a/b:c", b[] = ".hidden", c[] = " sp ", d[] = "ok-name";

	T_OK(settings_sanitise_name(a));
	T_EQ_STR(a, "a_b_c");
	T_OK(settings_sanitise_name(b));
	T_EQ_STR(b, "_hidden");
	T_OK(settings_sanitise_name(c));
	T_EQ_STR(c, "_sp_");
	T_OK(settings_sanitise_name(d));
	T_EQ_STR(d, "ok-name");
}

void test_newvm__groups(void)
{
	T_OK(settings_group_check("/"));
	T_OK(settings_group_check("/a/b"));
	T_ASSERT(settings_group_check("a") != 0);
	T_ASSERT(settings_group_check("/a/") != 0);
	T_ASSERT(settings_group_check("") != 0);
}

void test_newvm__mac(void)
{
	char m[13];
	unsigned i;

	T_OK(settings_random_mac(m));
	T_EQ_INT(strlen(m), 12);
	T_ASSERT(!strncmp(m, "080027", 6));
	for (i = 0; i < 12; i++)
		T_ASSERT(strchr("0123456789ABCDEF", m[i]));
}

void test_netsvc__cidr(void)
{
	uint32_t a, m;
	char gw[16], p6[64];

	T_OK(netsvc_parse_cidr("192.168.15.0/24", &a, &m));
	T_EQ_U64(a, 0xc0a80f00);
	T_EQ_U64(m, 0xffffff00);
	T_ASSERT(netsvc_parse_cidr("192.168.15.0", &a, &m) != 0);
	T_ASSERT(netsvc_parse_cidr("1.2.3.256/8", &a, &m) != 0);
	T_ASSERT(netsvc_parse_cidr("1.2.3.4/33", &a, &m) != 0);
	T_OK(netsvc_natnet_gateway("10.0.2.0/24", gw));
	T_EQ_STR(gw, "10.0.2.1");
	T_OK(netsvc_natnet_ipv6_prefix("10.0.2.0/24", p6));
	T_EQ_STR(p6, "fd17:625c:f037:2::/64");
	T_OK(netsvc_natnet_ipv6_prefix("10.222.173.0/24", p6));
	T_EQ_STR(p6, "fd17:625c:f037:dead::/64");
}

void test_dhcp__option_checks(void)
{
	T_ASSERT(dhcpopt_check(6, DHCP_ENC_NORMAL, "8.8.8.8 8.8.4.4") == NULL);
	T_ASSERT(dhcpopt_check(6, DHCP_ENC_NORMAL, "8.8.8.8,1.1.1.1") == NULL);
	T_EQ_STR(dhcpopt_check(6, DHCP_ENC_NORMAL, "x"), "VERR_INVALID_PARAMETER");
	T_EQ_STR(dhcpopt_check(6, DHCP_ENC_NORMAL, ""), "VERR_INVALID_PARAMETER");
	T_EQ_STR(dhcpopt_check(33, DHCP_ENC_NORMAL, "1.1.1.1"), "VERR_UNEVEN_INPUT");
	T_ASSERT(dhcpopt_check(15, DHCP_ENC_NORMAL, "any string") == NULL);
	T_ASSERT(dhcpopt_check(26, DHCP_ENC_NORMAL, "1500") == NULL);
	T_EQ_STR(dhcpopt_check(26, DHCP_ENC_NORMAL, "15x"), "VERR_TRAILING_CHARS");
	T_ASSERT(dhcpopt_check(19, DHCP_ENC_NORMAL, "on") == NULL);
	/* lease times are not options inside VBoxSVC */
	T_EQ_STR(dhcpopt_check(51, DHCP_ENC_NORMAL, "100"), "VERR_NOT_IMPLEMENTED");
	T_ASSERT(dhcpopt_check(43, DHCP_ENC_HEX, "01:02:0a") == NULL);
	T_ASSERT(dhcpopt_check(43, DHCP_ENC_HEX, "01020a") == NULL);
	T_EQ_STR(dhcpopt_check(43, DHCP_ENC_HEX, "012"), "VERR_INVALID_PARAMETER");
	T_EQ_STR(dhcpopt_check(43, 7, "00"), "VERR_WRONG_TYPE");
}

void test_dhcp__mac_and_conditions(void)
{
	char mac[18];

	T_OK(dhcp_parse_mac("08:00:27:AA:bb:CC", mac));
	T_EQ_STR(mac, "08:00:27:aa:bb:cc");
	T_OK(dhcp_parse_mac("080027aabbcc", mac));
	T_EQ_STR(mac, "08:00:27:aa:bb:cc");
	T_OK(dhcp_parse_mac("8-0-27-aa-bb-cc", mac));
	T_EQ_STR(mac, "08:00:27:aa:bb:cc");
	T_ASSERT(dhcp_parse_mac("08:00:27:aa:bb", mac) != 0);
	T_ASSERT(dhcp_cond_check(DHCP_COND_MAC, "08:00:27:00:00:01") == NULL);
	T_ASSERT(dhcp_cond_check(DHCP_COND_MAC_WILD, "08:00:27:*") == NULL);
	T_ASSERT(dhcp_cond_check(DHCP_COND_MAC_WILD, "08:??:27:00:00:01") == NULL);
	T_EQ_STR(dhcp_cond_check(DHCP_COND_MAC_WILD, "08:00:27:00:00:01:02"),
		 "Trailing chars in MAC wildcard address: 08:00:27:00:00:01:02 (offset 17)");
	T_EQ_STR(dhcp_cond_check(DHCP_COND_MAC_WILD, "0x"),
		 "Malformed MAC wildcard address: 0x (offset 1)");
	/* VirtualBox 7.0 rejects every short vendor/user value */
	T_EQ_STR(dhcp_cond_check(DHCP_COND_VENDOR, "abc"), "Value is too long: 3 bytes");
	T_EQ_STR(dhcp_cond_check(DHCP_COND_USER, ""), "Value cannot be empty");
}

void test_dhcp__write_read_roundtrip(void)
{
	struct sdoc *d = sdoc_new(SDOC_GLOBAL, "/nonexistent/VirtualBox.xml");
	struct dhcp_server s, r;
	struct dhcp_group *g;
	struct dhcp_indiv *i;
	struct snode *n;
	char *xml = NULL;
	size_t len;

	T_ASSERT(d);
	n = snode_add(sdoc_top(d), "DHCPServer");
	T_ASSERT(n);
	T_OK(dhcpsrv_init(&s, "net"));
	T_EQ_STR(s.global.opt[1], "0.0.0.0");
	T_OK(dhcpcfg_set_option(&s.global, 6, DHCP_ENC_NORMAL, "1.1.1.1"));
	s.global.min_lease = 30;
	g = dhcpsrv_group(&s, "zz", true);
	T_ASSERT(g);
	g = dhcpsrv_group(&s, "aa", true);
	T_ASSERT(g);
	T_EQ_STR(s.groups[0].name, "aa");
	i = dhcpsrv_indiv(&s, "08:00:27:00:00:01", "08:00:27:00:00:01", NULL, 0, true);
	T_ASSERT(i);
	s.enabled = true;
	T_OK(dhcpsrv_write(&s, n));
	T_OK(sdoc_serialize(d, &xml, &len, NULL));
	T_ASSERT(strstr(xml, "<DHCPServer networkName=\"net\" IPAddress=\"0.0.0.0\" networkMask=\"0.0.0.0\" lowerIP=\"0.0.0.0\" upperIP=\"0.0.0.0\" enabled=\"1\">"));
	T_ASSERT(strstr(xml, "<Options secMinLeaseTime=\"30\">"));
	T_ASSERT(strstr(xml, "<Group name=\"aa\"/>"));
	T_ASSERT(strstr(xml, "<Config MACAddress=\"08:00:27:00:00:01\"/>"));
	T_OK(dhcpsrv_read(n, &r));
	T_EQ_STR(r.name, "net");
	T_ASSERT(r.enabled);
	T_EQ_INT(r.ngroups, 2);
	T_EQ_INT(r.nindivs, 1);
	T_EQ_STR(r.global.opt[6], "1.1.1.1");
	T_EQ_INT(r.global.min_lease, 30);
	free(xml);
	dhcpsrv_free(&s);
	dhcpsrv_free(&r);
	sdoc_free(d);
}

void test_sysprops__order(void)
{
	struct vb_error err = { 0 };
	struct vbox *vb;
	struct snode *sp;
	const char *v;
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/VirtualBox.xml", t_tmpdir());
	f = fopen(path, "w");
	T_ASSERT(f);
	fputs("<?xml version=\"1.0\"?>\n<VirtualBox xmlns=\"http://www.virtualbox.org/\" version=\"1.12-linux\">\n"
	      "  <Global>\n    <SystemProperties proxyMode=\"0\" defaultMachineFolder=\"/vms\" unknownAttr=\"x\"/>\n"
	      "    <USBDeviceFilters/>\n  </Global>\n</VirtualBox>\n", f);
	fclose(f);
	T_OK(vbox_open_at(t_tmpdir(), &vb, &err));
	T_OK(vbox_global_lock(vb, &err));
	T_OK(sysprops_set(vb, "defaultFrontend", "headless", &err));
	T_OK(vbox_global_commit(vb, &err));
	sp = vbox_global_node(vb, "SystemProperties", false);
	T_ASSERT(sp);
	T_EQ_STR(snode_attr_at(sp, 0, &v), "defaultMachineFolder");
	T_EQ_STR(v, "/vms");
	T_EQ_STR(snode_attr(sp, "defaultFrontend"), "headless");
	T_EQ_STR(snode_attr(sp, "unknownAttr"), "x");
	T_EQ_STR(snode_attr(sp, "defaultHardDiskFormat"), "VDI");
	vbox_free(vb);
}
