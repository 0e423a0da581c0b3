/*
 * Host facts (see host.h).  Where VirtualBox asks its kernel driver
 * (VT-x capabilities), we read what Linux reports: the CPU flags and the
 * "vmx flags" of /proc/cpuinfo, AMD's SVM leaf of CPUID.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "cmd/vboxmanage/host.h"
#include "lib/util/strbuf.h"

#ifndef SIOCGIWNAME
#define SIOCGIWNAME 0x8B01
#endif

/* ------------------------------------------------------------------ */
/* CPUs                                                                */

bool host_is_x86(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return true;
#else
	return false;
#endif
}

void host_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t r[4])
{
#if defined(__x86_64__) || defined(__i386__)
	cpu_set_t old, zero;
	bool pinned = false;

	if (sched_getaffinity(0, sizeof(old), &old) == 0) {
		CPU_ZERO(&zero);
		CPU_SET(0, &zero);
		pinned = sched_setaffinity(0, sizeof(zero), &zero) == 0;
	}
	__cpuid_count(leaf, subleaf, r[0], r[1], r[2], r[3]);
	if (pinned)
		sched_setaffinity(0, sizeof(old), &old);
#else
	(void)leaf;
	(void)subleaf;
	r[0] = r[1] = r[2] = r[3] = 0;
#endif
}

static int read_long(const char *path, long long *out)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -errno;
	ok = fscanf(f, "%lld", out) == 1;
	fclose(f);
	return ok ? 0 : -EINVAL;
}

static bool cpu_sys(unsigned cpu, const char *leaf, long long *v)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%u%s%s",
		 cpu, leaf ? "/" : "", leaf ? leaf : "");
	if (!leaf) {
		struct stat st;

		return stat(path, &st) == 0;
	}
	return read_long(path, v) == 0;
}

static unsigned max_cpus(void)
{
	static unsigned n;
	unsigned i;

	if (n)
		return n;
	n = 1;
	for (i = 0; i < 4096; i++)
		if (cpu_sys(i, NULL, NULL))
			n = i + 1;
	return n;
}

bool host_cpu_present(unsigned cpu)
{
	return cpu_sys(cpu, NULL, NULL);
}

static bool cpu_online(unsigned cpu)
{
	long long v = 0;

	if (!cpu_sys(cpu, "online", &v))
		return host_cpu_present(cpu);
	return v != 0;
}

unsigned host_cpu_count(void)
{
	unsigned i, n = 0, max = max_cpus();

	for (i = 0; i < max; i++)
		n += host_cpu_present(i);
	return n;
}

unsigned host_cpu_online_count(void)
{
	unsigned i, n = 0, max = max_cpus();

	for (i = 0; i < max; i++)
		n += cpu_online(i);
	return n;
}

unsigned host_core_count(bool online_only)
{
	unsigned max = max_cpus(), i, k, n = 0;
	long long *core = calloc(max, sizeof(*core));
	long long *pkg = calloc(max, sizeof(*pkg));

	for (i = 0; core && pkg && i < max; i++) {
		long long c, p;

		if (online_only ? !cpu_online(i) : !host_cpu_present(i))
			continue;
		if (!cpu_sys(i, "topology/core_id", &c) ||
		    !cpu_sys(i, "topology/physical_package_id", &p))
			continue;
		for (k = 0; k < n; k++)
			if (core[k] == c && pkg[k] == p)
				break;
		if (k == n) {
			core[n] = c;
			pkg[n] = p;
			n++;
		}
	}
	free(core);
	free(pkg);
	return n;
}

/* "cpu MHz" of a processor in /proc/cpuinfo. */
static unsigned cpuinfo_mhz(unsigned cpu)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];
	long long cur = -1;
	unsigned mhz = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!colon)
			continue;
		if (!strncmp(line, "processor", 9) &&
		    (line[9] == ' ' || line[9] == '\t' || line[9] == ':'))
			cur = strtoll(colon + 1, NULL, 0);
		else if (cur == (long long)cpu && !strncmp(line, "cpu MHz", 7)) {
			mhz = (unsigned)strtoul(colon + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return mhz;
}

unsigned host_cpu_mhz(unsigned cpu)
{
	long long khz = 0;

	if (!cpu_sys(cpu, "cpufreq/cpuinfo_max_freq", &khz)) {
		char path[128];
		struct stat st;

		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu%u/cpufreq/cpuinfo_max_freq",
			 cpu);
		khz = stat(path, &st) == 0 ? 0 : (long long)cpuinfo_mhz(cpu) * 1000;
	}
	return (unsigned)((khz + 999) / 1000);
}

char *host_cpu_description(unsigned cpu)
{
	char s[49] = { 0 };
	uint32_t r[4];
	size_t n;
	char *p;

	(void)cpu;      /* VirtualBox asks the CPU it runs on */
	if (!host_is_x86())
		return strdup("Unknown");
	host_cpuid(0x80000000, 0, r);
	if (r[0] >= 0x80000002) {
		for (uint32_t l = 0; l < 3 && 0x80000002 + l <= r[0]; l++) {
			host_cpuid(0x80000002 + l, 0, r);
			memcpy(s + 16 * l, r, 16);
			host_cpuid(0x80000000, 0, r);
		}
	} else {
		host_cpuid(0, 0, r);
		memcpy(s, &r[1], 4);
		memcpy(s + 4, &r[3], 4);
		memcpy(s + 8, &r[2], 4);
	}
	for (p = s; *p == ' '; p++)
		;
	n = strlen(p);
	while (n && isspace((unsigned char)p[n - 1]))
		p[--n] = '\0';
	return strdup(p);
}

/* A word in the "flags" or "vmx flags" line of /proc/cpuinfo. */
static bool cpuinfo_flag(const char *field, const char *flag)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[4096];
	bool found = false;
	size_t fl = strlen(field), wl = strlen(flag);

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *colon, *w;

		if (strncmp(line, field, fl) ||
		    (line[fl] != ' ' && line[fl] != '\t' && line[fl] != ':'))
			continue;
		colon = strchr(line, ':');
		for (w = colon ? colon + 1 : NULL; w && *w;) {
			w += strspn(w, " \t\n");
			if (!strncmp(w, flag, wl) && (!w[wl] || isspace(
						(unsigned char)w[wl])))
				found = true;
			w += strcspn(w, " \t\n");
		}
		break;  /* the first processor is enough */
	}
	fclose(f);
	return found;
}

static bool vendor_is(const char *v)
{
	uint32_t r[4];
	char s[13];

	host_cpuid(0, 0, r);
	memcpy(s, &r[1], 4);
	memcpy(s + 4, &r[3], 4);
	memcpy(s + 8, &r[2], 4);
	s[12] = '\0';
	return !strcmp(s, v);
}

bool host_cpu_feature(enum host_feature f)
{
	uint32_t std[4], ext[4], max[4], svm[4] = { 0 };
	bool intel, amd, vt;

	if (!host_is_x86())
		return false;
	host_cpuid(1, 0, std);
	host_cpuid(0x80000000, 0, max);
	host_cpuid(0x80000001, 0, ext);
	if (max[0] >= 0x8000000a)
		host_cpuid(0x8000000a, 0, svm);
	intel = vendor_is("GenuineIntel") || vendor_is("CentaurHauls") ||
		vendor_is("  Shanghai  ");
	amd = vendor_is("AuthenticAMD") || vendor_is("HygonGenuine");
	if (intel)
		vt = (std[2] & (1u << 5)) && (std[3] & (1u << 5)) &&
		     (std[3] & (1u << 24)) && cpuinfo_flag("flags", "vmx");
	else if (amd)
		vt = (ext[2] & (1u << 2)) && (std[3] & (1u << 5)) &&
		     (std[3] & (1u << 24)) && max[0] >= 0x80000000;
	else
		vt = false;
	switch (f) {
	case HF_PAE:
		return std[3] & (1u << 6);
	case HF_LONGMODE:
		return max[0] >= 0x80000001 && (ext[3] & (1u << 29));
	case HF_HWVIRT:
		return vt;
	case HF_NESTED_PAGING:
		return vt && (amd ? (svm[3] & 1u) : cpuinfo_flag("vmx flags", "ept"));
	case HF_UNRESTRICTED:
		return vt && (amd || cpuinfo_flag("vmx flags", "unrestricted_guest"));
	case HF_NESTED_HWVIRT:
		if (!vt)
			return false;
		if (amd)
			return svm[3] & 1u;
		return cpuinfo_flag("vmx flags", "ept") &&
		       cpuinfo_flag("vmx flags", "unrestricted_guest") &&
		       cpuinfo_flag("vmx flags", "shadow_vmcs");
	case HF_VMSAVE_VMLOAD:
		return vt && amd && (svm[3] & (1u << 15));
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* memory                                                              */

static uint64_t meminfo_kb(const char *key, bool *found)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	size_t kl = strlen(key);
	uint64_t v = 0;

	*found = false;
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			v = strtoull(line + kl + 1, NULL, 10);
			*found = true;
			break;
		}
	fclose(f);
	return v;
}

uint64_t host_mem_total_mb(void)
{
	bool f;
	uint64_t kb = meminfo_kb("MemTotal", &f);

	return kb * 1024 / (1024 * 1024);
}

uint64_t host_mem_available_mb(void)
{
	bool f1, f2, f3;
	uint64_t kb = meminfo_kb("MemFree", &f1) + meminfo_kb("Buffers", &f2) +
		      meminfo_kb("Cached", &f3);

	return kb * 1024 / (1024 * 1024);
}

/* ------------------------------------------------------------------ */
/* network interfaces                                                  */

/* Name of the interface with the default route, "" if none. */
static void default_iface(char *out, size_t n)
{
	FILE *f = fopen("/proc/net/route", "r");
	char line[1024], name[17];
	unsigned dest, gw, flags, mask;
	int t;

	out[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%16s %x %x %x %d %d %d %x", name, &dest, &gw,
			   &flags, &t, &t, &t, &mask) < 8 || !(flags & 1))
			continue;
		if (dest == 0 && mask == 0) {
			snprintf(out, n, "%s", name);
			break;
		}
	}
	fclose(f);
}

/* The GUID VirtualBox derives from the interface name and MAC: the name's
 * first 16 bytes laid over a UUID (printed with its little-endian
 * fields), version 4 and variant bits forced, the node being the MAC. */
static void netif_guid(const char *name, const unsigned char mac[6],
		       char out[40])
{
	unsigned char b[16] = { 0 };
	unsigned v;

	memcpy(b, name, strnlen(name, 16));
	v = ((unsigned)b[7] << 8 | b[6]);
	v = (v & 0x0fff) | 0x4000;
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 40,
		 "%02x%02x%02x%02x-%02x%02x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[3], b[2], b[1], b[0], b[5], b[4], v, b[8], b[9], mac[0],
		 mac[1], mac[2], mac[3], mac[4], mac[5]);
}

static void netif_ipv6(struct host_netif *nif)
{
	FILE *f = fopen("/proc/net/if_inet6", "r");
	unsigned a[4], idx, len, scope, fl;
	char name[32];

	if (!f)
		return;
	for (;;) {
		int n = fscanf(f, "%08x%08x%08x%08x %02x %02x %02x %02x %20s\n",
			       &a[0], &a[1], &a[2], &a[3], &idx, &len, &scope,
			       &fl, name);
		struct in6_addr in6;
		char txt[INET6_ADDRSTRLEN];

		if (n == EOF)
			break;
		if (n != 9 || len > 128)
			break;
		if (strcmp(name, nif->name))
			continue;
		for (int k = 0; k < 4; k++) {
			uint32_t be = htonl(a[k]);

			memcpy(&in6.s6_addr[4 * k], &be, 4);
		}
		if (!inet_ntop(AF_INET6, &in6, txt, sizeof(txt)))
			continue;
		snprintf(nif->ipv6, sizeof(nif->ipv6), "%s", txt);
		nif->ipv6_prefix = len;
	}
	fclose(f);
}

static bool netif_info(int sock, const char *name, struct host_netif *nif)
{
	struct ifreq rq;
	unsigned char mac[6];

	memset(nif, 0, sizeof(*nif));
	snprintf(nif->name, sizeof(nif->name), "%s", name);
	memset(&rq, 0, sizeof(rq));
	snprintf(rq.ifr_name, sizeof(rq.ifr_name), "%s", name);
	if (ioctl(sock, SIOCGIFHWADDR, &rq) < 0)
		return false;
	nif->ethernet = rq.ifr_hwaddr.sa_family == ARPHRD_ETHER;
	memcpy(mac, rq.ifr_hwaddr.sa_data, 6);
	netif_guid(rq.ifr_name, mac, nif->guid);
	snprintf(nif->mac, sizeof(nif->mac), "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	snprintf(nif->ipv4, sizeof(nif->ipv4), "0.0.0.0");
	snprintf(nif->mask, sizeof(nif->mask), "0.0.0.0");
	if (ioctl(sock, SIOCGIFADDR, &rq) >= 0)
		inet_ntop(AF_INET,
			  &((struct sockaddr_in *)(void *)&rq.ifr_addr)->sin_addr,
			  nif->ipv4, sizeof(nif->ipv4));
	if (ioctl(sock, SIOCGIFNETMASK, &rq) >= 0)
		inet_ntop(AF_INET,
			  &((struct sockaddr_in *)(void *)&rq.ifr_addr)->sin_addr,
			  nif->mask, sizeof(nif->mask));
	if (ioctl(sock, SIOCGIFFLAGS, &rq) >= 0)
		nif->up = rq.ifr_flags & IFF_UP;
	{
		char wrq[64] = { 0 };

		snprintf(wrq, 16, "%s", name);
		nif->wireless = ioctl(sock, SIOCGIWNAME, wrq) >= 0;
	}
	netif_ipv6(nif);
	return true;
}

unsigned host_netifs(bool hostonly, struct host_netif **out)
{
	char def[64], line[512];
	struct host_netif *v = NULL;
	unsigned n = 0;
	FILE *f;
	int sock;

	*out = NULL;
	default_iface(def, sizeof(def));
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	f = sock >= 0 ? fopen("/proc/net/dev", "r") : NULL;
	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *name;
		struct host_netif nif, *nv;

		if (!colon)
			continue;
		*colon = '\0';
		name = line + strspn(line, " ");
		if (!netif_info(sock, name, &nif) || !nif.ethernet)
			continue;
		if (hostonly != !strncmp(name, "vboxnet", 7))
			continue;
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv)
			break;
		v = nv;
		if (!strcmp(name, def)) {
			memmove(v + 1, v, n * sizeof(*v));
			v[0] = nif;
		} else {
			v[n] = nif;
		}
		n++;
	}
	if (f)
		fclose(f);
	if (sock >= 0)
		close(sock);
	*out = v;
	return n;
}

/* ------------------------------------------------------------------ */
/* drives                                                              */

static int push(char ***v, unsigned *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n] = strdup(s);
	if (!nv[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* $VBOX_CDROM / $VBOX_FLOPPY (':'-separated device paths) override the
 * scan, as in VirtualBox; otherwise block devices sr* (optical) and fd*
 * (floppy) from sysfs. */
unsigned host_drives(bool dvd, char ***out)
{
	const char *env = getenv(dvd ? "VBOX_CDROM" : "VBOX_FLOPPY");
	unsigned n = 0;
	DIR *d;
	struct dirent *e;

	*out = NULL;
	if (env && *env) {
		char *copy = strdup(env), *p, *next;

		for (p = copy; p && *p; p = next) {
			next = strchr(p, ':');
			if (next)
				*next++ = '\0';
			if (*p && push(out, &n, p))
				break;
		}
		free(copy);
		return n;
	}
	d = opendir("/sys/block");
	while (d && (e = readdir(d))) {
		char path[300];

		if (strncmp(e->d_name, dvd ? "sr" : "fd", 2) ||
		    !isdigit((unsigned char)e->d_name[2]))
			continue;
		snprintf(path, sizeof(path), "/dev/%s", e->d_name);
		if (push(out, &n, path))
			break;
	}
	if (d)
		closedir(d);
	if (n)
		qsort(*out, n, sizeof(**out), cmp_str);
	return n;
}

void host_drive_uuid(bool dvd, const char *path, char out[37])
{
	unsigned char b[16] = { 0 };
	size_t len = strlen(path);

	memcpy(b, dvd ? "DVD" : "FD", dvd ? 3 : 2);
	if (len > 12)
		memcpy(b + 4, path + len - 12, 12);
	else
		memcpy(b + 4 + 12 - len, path, len);
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
}

bool host_netif_exists(const char *name)
{
	struct host_netif *ifs = NULL;
	unsigned n, i;
	bool found = false;
	int pass;

	for (pass = 0; pass < 2 && !found; pass++) {
		n = host_netifs(pass == 1, &ifs);
		for (i = 0; i < n && !found; i++)
			found = !strcmp(ifs[i].name, name);
		free(ifs);
		ifs = NULL;
	}
	return found;
}

/* First line of a sysfs attribute without trailing blanks; "" if none. */
static void sys_text(const char *dir, const char *leaf, char *buf,
		     size_t size)
{
	char path[PATH_MAX];
	size_t n;
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", dir, leaf);
	f = fopen(path, "r");
	if (!f)
		return;
	if (!fgets(buf, (int)size, f))
		buf[0] = '\0';
	fclose(f);
	n = strlen(buf);
	while (n && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
}

static unsigned sys_hex(const char *dir, const char *leaf)
{
	char buf[32];

	sys_text(dir, leaf, buf, sizeof(buf));
	return (unsigned)strtoul(buf, NULL, 16);
}

static const char *usb_speed(const char *mbps)
{
	double v = strtod(mbps, NULL);

	if (v <= 1.5)
		return "Low";
	if (v <= 12)
		return "Full";
	if (v <= 480)
		return "High";
	if (v <= 5000)
		return "Super";
	return "SuperPlus";
}

static int cmp_usb(const void *a, const void *b)
{
	const struct host_usb *x = a, *y = b;

	return strcmp(x->address, y->address);
}

unsigned host_usb_devices(struct host_usb **out)
{
	const char *base = "/sys/bus/usb/devices";
	struct host_usb *v = NULL, *nv, *u;
	unsigned n = 0, cap = 0, i;
	struct dirent *de;
	DIR *d;

	*out = NULL;
	d = opendir(base);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char dir[PATH_MAX], real[PATH_MAX], buf[64];
		unsigned busnum, devnum, h = 2166136261u;
		const char *dot, *dash;

		/* devices are "B-P[.P...]" (no ':' interface suffix) */
		if (!isdigit((unsigned char)de->d_name[0]) ||
		    strchr(de->d_name, ':') || !strchr(de->d_name, '-'))
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", base, de->d_name);
		sys_text(dir, "idVendor", buf, sizeof(buf));
		if (!buf[0] || sys_hex(dir, "bDeviceClass") == 0x09)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				break;
			v = nv;
		}
		u = &v[n];
		memset(u, 0, sizeof(*u));
		u->vendor = sys_hex(dir, "idVendor");
		u->product = sys_hex(dir, "idProduct");
		u->bcd_device = sys_hex(dir, "bcdDevice");
		dot = strrchr(de->d_name, '.');
		dash = strrchr(de->d_name, '-');
		u->port = (unsigned)strtoul((dot > dash ? dot : dash) + 1, NULL, 10);
		sys_text(dir, "version", buf, sizeof(buf));
		u->version = (unsigned)strtoul(buf, NULL, 10);
		sys_text(dir, "speed", buf, sizeof(buf));
		u->speed = usb_speed(buf);
		sys_text(dir, "manufacturer", u->manufacturer,
			 sizeof(u->manufacturer));
		sys_text(dir, "product", u->product_name, sizeof(u->product_name));
		sys_text(dir, "serial", u->serial, sizeof(u->serial));
		sys_text(dir, "busnum", buf, sizeof(buf));
		busnum = (unsigned)strtoul(buf, NULL, 10);
		sys_text(dir, "devnum", buf, sizeof(buf));
		devnum = (unsigned)strtoul(buf, NULL, 10);
		if (!realpath(dir, real))
			snprintf(real, sizeof(real), "%s", dir);
		snprintf(u->address, sizeof(u->address),
			 "sysfs:%s//device:/dev/bus/usb/%03u/%03u", real, busnum,
			 devnum);
		/* an identifier that stays the same while the device stays
		 * plugged in where it is: FNV-1a over its address */
		for (i = 0; u->address[i]; i++)
			h = (h ^ (unsigned char)u->address[i]) * 16777619u;
		snprintf(u->uuid, sizeof(u->uuid),
			 "%08x-%04x-4%03x-8%03x-%04x%08x", h, u->vendor,
			 u->product & 0xfff, busnum & 0xfff, devnum & 0xffff,
			 h ^ 0x5a5a5a5au);
		n++;
	}
	closedir(d);
	qsort(v, n, sizeof(*v), cmp_usb);
	*out = v;
	return n;
}
