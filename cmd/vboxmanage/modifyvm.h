/*
 * modifyvm internals shared by modifyvm.c (table, loop, general and CPU
 * options, saving and renaming), modifyvm-net.c (network adapters and
 * NAT) and modifyvm-dev.c (ports, audio, USB, VRDE, recording, the rest).
 */
#ifndef VBM_MODIFYVM_H
#define VBM_MODIFYVM_H

#include "cmd/vboxmanage/commands.h"
#include "lib/settings/hwmodel.h"

enum mv_id {
	MV_NAME = 1000, MV_GROUPS, MV_DESCRIPTION, MV_OSTYPE, MV_ICONFILE,
	MV_MEMORY, MV_PAGEFUSION, MV_VRAM, MV_FIRMWARE, MV_ACPI, MV_IOAPIC,
	MV_PAE, MV_LONGMODE, MV_CPUID_PORTABILITY, MV_TFRESET, MV_APIC,
	MV_X2APIC, MV_PARAVIRTPROVIDER, MV_PARAVIRTDEBUG, MV_HWVIRTEX,
	MV_NESTEDPAGING, MV_LARGEPAGES, MV_VTXVPID, MV_VTXUX,
	MV_VIRT_VMSAVE_VMLOAD, MV_IBPB_ON_VM_EXIT, MV_IBPB_ON_VM_ENTRY,
	MV_SPEC_CTRL, MV_L1D_FLUSH_ON_SCHED, MV_L1D_FLUSH_ON_VM_ENTRY,
	MV_MDS_CLEAR_ON_SCHED, MV_MDS_CLEAR_ON_VM_ENTRY, MV_NESTED_HW_VIRT,
	MV_SETCPUID, MV_DELCPUID, MV_DELCPUID_OLD, MV_DELALLCPUID, MV_CPUS,
	MV_CPUHOTPLUG, MV_CPU_PROFILE, MV_PLUGCPU, MV_UNPLUGCPU,
	MV_CPU_EXECUTION_CAP, MV_RTCUSEUTC, MV_GRAPHICSCONTROLLER,
	MV_MONITORCOUNT, MV_ACCELERATE3D, MV_ACCELERATE2DVIDEO,
	MV_BIOSLOGOFADEIN, MV_BIOSLOGOFADEOUT, MV_BIOSLOGODISPLAYTIME,
	MV_BIOSLOGOIMAGEPATH, MV_BIOSBOOTMENU, MV_BIOSSYSTEMTIMEOFFSET,
	MV_BIOSAPIC, MV_BIOSPXEDEBUG, MV_SYSTEMUUIDLE, MV_BOOT,
	MV_HDA, MV_HDB, MV_HDD, MV_IDECONTROLLER, MV_SATAPORTCOUNT,
	MV_SATAPORT, MV_SATA, MV_SCSIPORT, MV_SCSITYPE, MV_SCSI,
	MV_DVDPASSTHROUGH, MV_DVD, MV_FLOPPY,
	/* network */
	MV_NICTRACEFILE, MV_NICTRACE, MV_NICPROPERTY, MV_NICTYPE, MV_NICSPEED,
	MV_NICBOOTPRIO, MV_NICPROMISC, MV_NICBWGROUP, MV_NIC,
	MV_CABLECONNECTED, MV_BRIDGEADAPTER, MV_CLOUDNET, MV_HOSTONLYADAPTER,
	MV_INTNET, MV_GENERICDRV, MV_NATNETWORKNAME, MV_NATNET, MV_NATBINDIP,
	MV_NATSETTINGS, MV_NATPF, MV_NATALIASMODE, MV_NATTFTPPREFIX,
	MV_NATTFTPFILE, MV_NATTFTPSERVER, MV_NATDNSPASSDOMAIN, MV_NATDNSPROXY,
	MV_NATDNSHOSTRESOLVER, MV_NATLOCALHOSTREACHABLE, MV_MACADDRESS,
	/* devices */
	MV_HIDPTR, MV_HIDKBD, MV_UARTMODE, MV_UARTTYPE, MV_UART, MV_LPTMODE,
	MV_LPT, MV_GUESTMEMORYBALLOON, MV_AUDIOCONTROLLER, MV_AUDIOCODEC,
	MV_AUDIO, MV_AUDIODRIVER, MV_AUDIOENABLED, MV_AUDIOIN, MV_AUDIOOUT,
	MV_CLIPBOARD_MODE, MV_DRAGANDDROP,
	MV_VRDPPORT, MV_VRDPADDRESS, MV_VRDPAUTHTYPE, MV_VRDPMULTICON,
	MV_VRDPREUSECON, MV_VRDPVIDEOCHANNEL, MV_VRDPVIDEOCHANNELQUALITY,
	MV_VRDP, MV_VRDEPROPERTY, MV_VRDEPORT, MV_VRDEADDRESS,
	MV_VRDEAUTHTYPE, MV_VRDEAUTHLIBRARY, MV_VRDEMULTICON, MV_VRDEREUSECON,
	MV_VRDEVIDEOCHANNEL, MV_VRDEVIDEOCHANNELQUALITY, MV_VRDE_EXTPACK,
	MV_VRDE, MV_USBRENAME, MV_USBXHCI, MV_USBEHCI, MV_USBOHCI,
	MV_SNAPSHOTFOLDER, MV_TELEPORTER_ENABLED, MV_TELEPORTER_PORT,
	MV_TELEPORTER_ADDRESS, MV_TELEPORTER_PASSWORD,
	MV_TELEPORTER_PASSWORD_FILE, MV_TRACING_ENABLED, MV_TRACING_CONFIG,
	MV_TRACING_ALLOW_VM_ACCESS, MV_HARDWARE_UUID, MV_HPET, MV_IOCACHE,
	MV_IOCACHESIZE, MV_CHIPSET, MV_IOMMU, MV_TPM_TYPE, MV_TPM_LOCATION,
	MV_RECORDING, MV_RECORDING_SCREENS, MV_RECORDING_FILENAME,
	MV_RECORDING_VIDEO_RES, MV_RECORDING_VIDEO_RATE,
	MV_RECORDING_VIDEO_FPS, MV_RECORDING_MAXTIME, MV_RECORDING_MAXSIZE,
	MV_RECORDING_OPTIONS, MV_AUTOSTART_ENABLED, MV_AUTOSTART_DELAY,
	MV_AUTOSTOP_TYPE, MV_USBCARDREADER, MV_DEFAULTFRONTEND,
	MV_VMPROC_PRIORITY, MV_TESTING_ENABLED, MV_TESTING_MMIO,
	MV_TESTING_CFG_DWORD, MV_GUEST_DEBUG_PROVIDER,
	MV_GUEST_DEBUG_IO_PROVIDER, MV_GUEST_DEBUG_ADDRESS,
	MV_GUEST_DEBUG_PORT,
	MV_ID_END
};

/* Outcome of one option. */
#define MV_OK           0
#define MV_FAIL         (-1)    /* stop, save nothing, exit 1 */
#define MV_EXIT2        (-2)    /* stop, save nothing, exit 2 */
#define MV_UNHANDLED    (-3)    /* not an option of this file */

struct mv {
	struct vbm_ctx *ctx;
	struct machine *m;
	struct vb_getopt *g;
	int c;                  /* option id */
	const char *name;       /* option spelling matched ("--natpf") */
	unsigned nics;          /* network adapters of the chipset */
};

/* "VBoxManage: error: <msg>" (errorArgument); returns MV_FAIL. */
int mv_argerr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same, returning MV_EXIT2 (VirtualBox's `return errorArgument()`). */
int mv_argexit(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Syntax error with usage; returns MV_EXIT2. */
int mv_syntax(struct mv *mv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* An API error block with the call VirtualBox makes as Context. */
int mv_api(const struct vb_error *err, const char *context, int line);
/* An error of the session machine's setter (component SessionMachine). */
int mv_machine_err(uint32_t hrc, const char *context, int line,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* A failed call that set no error information ("Code ... (extended info
 * not available)"). */
int mv_plain_err(uint32_t hrc, const char *context, int line);
/* Result of a model setter that can only fail for lack of memory. */
int mv_rc(int rc);

/* Option handlers; MV_UNHANDLED when the id is not theirs. */
int mv_net(struct mv *mv);
int mv_dev(struct mv *mv);

#endif
