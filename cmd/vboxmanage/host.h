/*
 * Facts about the host, read the way VirtualBox 7.0's Main reads them on
 * Linux (HostImpl.cpp, NetIf-linux.cpp, IPRT's mp-linux.cpp and
 * systemmem-linux.cpp): CPUs and their features from CPUID, sysfs and
 * /proc, memory from /proc/meminfo, network interfaces from /proc/net/dev
 * and ioctls, optical and floppy drives from sysfs.
 */
#ifndef VBM_HOST_H
#define VBM_HOST_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

/* CPUID on CPU 0 (zeros on other architectures). */
void host_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t r[4]);
bool host_is_x86(void);

unsigned host_cpu_count(void);          /* cpuN directories */
unsigned host_cpu_online_count(void);
unsigned host_core_count(bool online_only);
bool host_cpu_present(unsigned cpu);
/* Maximum speed of a CPU in MHz, 0 when unknown. */
unsigned host_cpu_mhz(unsigned cpu);
/* Brand string of a CPU (allocated). */
char *host_cpu_description(unsigned cpu);

enum host_feature {
	HF_HWVIRT, HF_PAE, HF_LONGMODE, HF_NESTED_PAGING, HF_UNRESTRICTED,
	HF_NESTED_HWVIRT, HF_VMSAVE_VMLOAD,
};
bool host_cpu_feature(enum host_feature f);

uint64_t host_mem_total_mb(void);
uint64_t host_mem_available_mb(void);

/* A host network interface as "list bridgedifs" shows it. */
struct host_netif {
	char name[64];
	char guid[40];
	char ipv4[16];
	char mask[16];
	char ipv6[48];      /* "" when none */
	unsigned ipv6_prefix;
	char mac[18];
	bool ethernet, up, wireless;
};

/* Ethernet interfaces, the one with the default route first; bridged
 * (hostonly false) or VirtualBox host-only vboxnetN (hostonly true).
 * *out is allocated; returns the count. */
unsigned host_netifs(bool hostonly, struct host_netif **out);
/* Whether IHost::FindHostNetworkInterfaceByName finds an interface. */
bool host_netif_exists(const char *name);

/* Host optical (dvd true) or floppy drives: device paths, allocated
 * array of allocated strings; returns the count. */
unsigned host_drives(bool dvd, char ***out);
/* The UUID VirtualBox gives a host drive (from its path). */
void host_drive_uuid(bool dvd, const char *path, char out[37]);

/* A USB device of the host (not hubs) as sysfs describes it. */
struct host_usb {
	char uuid[37];          /* stable for the device's bus position */
	unsigned vendor, product, bcd_device, port, version;
	const char *speed;      /* "Low", "Full", "High", "Super", "SuperPlus" */
	char manufacturer[128], product_name[128], serial[128];
	char address[PATH_MAX + 48]; /* "sysfs:<dir>//device:/dev/bus/usb/BBB/DDD" */
};
/* Every USB device in /sys/bus/usb/devices, *out allocated; the count. */
unsigned host_usb_devices(struct host_usb **out);

#endif
