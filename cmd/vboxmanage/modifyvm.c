/*
 * modifyvm: change a machine's settings.
 *
 * Spec: vboxmanage-cli.md 3.4, 1.5 (exit codes); VirtualBox 7.0's
 * VBoxManageModifyVM.cpp for spellings, order of checks and messages, and
 * Main's setters for the API errors.  Options are applied left to right
 * to the locked machine; the first failure stops the command and nothing
 * is saved (VirtualBox discards the session's changes); on success the
 * file is written once, renamed when --name or --groups moved it.
 *
 * Exit codes as VirtualBox's: unknown options and bad values exit 1;
 * "Not enough parameters", a missing second value (natpf delete,
 * usb-rename, uart-mode, uart, lpt, cpuid-set) and the few places where
 * VirtualBox returns from the handler (--boot, --uart-type, ...) exit 2.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/vboxmanage/modifyvm.h"
#include "lib/settings/mediareg.h"
#include "lib/settings/state.h"
#include "lib/util/fileio.h"
#include "lib/util/path.h"
#include "lib/util/sha512.h"
#include "lib/util/strbuf.h"

#define MV_FILE "VBoxManageModifyVM.cpp"

/* Long option plus its legacy spelling (inner hyphens removed). */
#define O2(a, b, id, f) { a, id, f }, { b, id, f }
#define O1(a, id, f) { a, id, f }
#define IDX VBGO_INDEX

static const struct vb_option mv_opts[] = {
	O1("--name", MV_NAME, VBGO_STRING),
	O1("--groups", MV_GROUPS, VBGO_STRING),
	O1("--description", MV_DESCRIPTION, VBGO_STRING),
	O2("--os-type", "--ostype", MV_OSTYPE, VBGO_STRING),
	O2("--icon-file", "--iconfile", MV_ICONFILE, VBGO_STRING),
	O1("--memory", MV_MEMORY, VBGO_U32),
	O2("--page-fusion", "--pagefusion", MV_PAGEFUSION, VBGO_ONOFF),
	O1("--vram", MV_VRAM, VBGO_U32),
	O1("--firmware", MV_FIRMWARE, VBGO_STRING),
	O1("--acpi", MV_ACPI, VBGO_ONOFF),
	O1("--ioapic", MV_IOAPIC, VBGO_ONOFF),
	O1("--pae", MV_PAE, VBGO_ONOFF),
	O2("--long-mode", "--longmode", MV_LONGMODE, VBGO_ONOFF),
	O1("--cpuid-portability-level", MV_CPUID_PORTABILITY, VBGO_U32),
	O2("--triple-fault-reset", "--triplefaultreset", MV_TFRESET, VBGO_ONOFF),
	O1("--apic", MV_APIC, VBGO_ONOFF),
	O1("--x2apic", MV_X2APIC, VBGO_ONOFF),
	O2("--paravirt-provider", "--paravirtprovider", MV_PARAVIRTPROVIDER,
	   VBGO_STRING),
	O2("--paravirt-debug", "--paravirtdebug", MV_PARAVIRTDEBUG, VBGO_STRING),
	O1("--hwvirtex", MV_HWVIRTEX, VBGO_ONOFF),
	O2("--nested-paging", "--nestedpaging", MV_NESTEDPAGING, VBGO_ONOFF),
	O2("--large-pages", "--largepages", MV_LARGEPAGES, VBGO_ONOFF),
	O2("--vtx-vpid", "--vtxvpid", MV_VTXVPID, VBGO_ONOFF),
	O2("--vtx-ux", "--vtxux", MV_VTXUX, VBGO_ONOFF),
	O1("--virt-vmsave-vmload", MV_VIRT_VMSAVE_VMLOAD, VBGO_ONOFF),
	O1("--ibpb-on-vm-exit", MV_IBPB_ON_VM_EXIT, VBGO_ONOFF),
	O1("--ibpb-on-vm-entry", MV_IBPB_ON_VM_ENTRY, VBGO_ONOFF),
	O1("--spec-ctrl", MV_SPEC_CTRL, VBGO_ONOFF),
	O1("--l1d-flush-on-sched", MV_L1D_FLUSH_ON_SCHED, VBGO_ONOFF),
	O1("--l1d-flush-on-vm-entry", MV_L1D_FLUSH_ON_VM_ENTRY, VBGO_ONOFF),
	O1("--mds-clear-on-sched", MV_MDS_CLEAR_ON_SCHED, VBGO_ONOFF),
	O1("--mds-clear-on-vm-entry", MV_MDS_CLEAR_ON_VM_ENTRY, VBGO_ONOFF),
	O1("--nested-hw-virt", MV_NESTED_HW_VIRT, VBGO_ONOFF),
	O2("--cpuid-set", "--cpuidset", MV_SETCPUID, VBGO_STRING),
	O1("--cpuid-remove", MV_DELCPUID, VBGO_STRING),
	O1("--cpuidremove", MV_DELCPUID_OLD, VBGO_U32 | VBGO_HEX),
	O2("--cpuid-remove-all", "--cpuidremoveall", MV_DELALLCPUID, VBGO_NOVAL),
	O1("--cpus", MV_CPUS, VBGO_U32),
	O2("--cpu-hotplug", "--cpuhotplug", MV_CPUHOTPLUG, VBGO_ONOFF),
	O1("--cpu-profile", MV_CPU_PROFILE, VBGO_STRING),
	O2("--plug-cpu", "--plugcpu", MV_PLUGCPU, VBGO_U32),
	O2("--unplug-cpu", "--unplugcpu", MV_UNPLUGCPU, VBGO_U32),
	O2("--cpu-execution-cap", "--cpuexecutioncap", MV_CPU_EXECUTION_CAP,
	   VBGO_U32),
	O2("--rtc-use-utc", "--rtcuseutc", MV_RTCUSEUTC, VBGO_ONOFF),
	O1("--graphicscontroller", MV_GRAPHICSCONTROLLER, VBGO_STRING),
	O2("--monitor-count", "--monitorcount", MV_MONITORCOUNT, VBGO_U32),
	O2("--accelerate-3d", "--accelerate3d", MV_ACCELERATE3D, VBGO_ONOFF),
	O2("--accelerate-2d-video", "--accelerate2dvideo", MV_ACCELERATE2DVIDEO,
	   VBGO_ONOFF),
	O2("--bios-logo-fade-in", "--bioslogofadein", MV_BIOSLOGOFADEIN,
	   VBGO_ONOFF),
	O2("--bios-logo-fade-out", "--bioslogofadeout", MV_BIOSLOGOFADEOUT,
	   VBGO_ONOFF),
	O2("--bios-logo-display-time", "--bioslogodisplaytime",
	   MV_BIOSLOGODISPLAYTIME, VBGO_U32),
	O2("--bios-logo-image-path", "--bioslogoimagepath", MV_BIOSLOGOIMAGEPATH,
	   VBGO_STRING),
	O2("--bios-boot-menu", "--biosbootmenu", MV_BIOSBOOTMENU, VBGO_STRING),
	O2("--bios-system-time-offset", "--biossystemtimeoffset",
	   MV_BIOSSYSTEMTIMEOFFSET, VBGO_I64),
	O2("--bios-apic", "--biosapic", MV_BIOSAPIC, VBGO_STRING),
	O2("--bios-pxe-debug", "--biospxedebug", MV_BIOSPXEDEBUG, VBGO_ONOFF),
	O1("--system-uuid-le", MV_SYSTEMUUIDLE, VBGO_ONOFF),
	O1("--boot", MV_BOOT, VBGO_STRING | IDX),
	O1("--hda", MV_HDA, VBGO_STRING),
	O1("--hdb", MV_HDB, VBGO_STRING),
	O1("--hdd", MV_HDD, VBGO_STRING),
	O2("--idec-ontroller", "--idecontroller", MV_IDECONTROLLER, VBGO_STRING),
	O2("--sata-port-count", "--sataportcount", MV_SATAPORTCOUNT, VBGO_U32),
	O2("--sata-port", "--sataport", MV_SATAPORT, VBGO_STRING | IDX),
	O1("--sata", MV_SATA, VBGO_STRING),
	O2("--scsi-port", "--scsiport", MV_SCSIPORT, VBGO_STRING | IDX),
	O2("--scsi-type", "--scsitype", MV_SCSITYPE, VBGO_STRING),
	O1("--scsi", MV_SCSI, VBGO_STRING),
	O2("--dvd-pass-through", "--dvdpassthrough", MV_DVDPASSTHROUGH,
	   VBGO_STRING),
	O1("--dvd", MV_DVD, VBGO_STRING),
	O1("--floppy", MV_FLOPPY, VBGO_STRING),
	O2("--nic-trace-file", "--nictracefile", MV_NICTRACEFILE,
	   VBGO_STRING | IDX),
	O2("--nic-trace", "--nictrace", MV_NICTRACE, VBGO_ONOFF | IDX),
	O2("--nic-property", "--nicproperty", MV_NICPROPERTY, VBGO_STRING | IDX),
	O2("--nic-type", "--nictype", MV_NICTYPE, VBGO_STRING | IDX),
	O2("--nic-speed", "--nicspeed", MV_NICSPEED, VBGO_U32 | IDX),
	O2("--nic-boot-prio", "--nicbootprio", MV_NICBOOTPRIO, VBGO_U32 | IDX),
	O2("--nic-promisc", "--nicpromisc", MV_NICPROMISC, VBGO_STRING | IDX),
	O2("--nic-bandwidth-group", "--nicbandwidthgroup", MV_NICBWGROUP,
	   VBGO_STRING | IDX),
	O1("--nic", MV_NIC, VBGO_STRING | IDX),
	O2("--cable-connected", "--cableconnected", MV_CABLECONNECTED,
	   VBGO_ONOFF | IDX),
	O2("--bridge-adapter", "--bridgeadapter", MV_BRIDGEADAPTER,
	   VBGO_STRING | IDX),
	O2("--cloud-network", "--cloudnetwork", MV_CLOUDNET, VBGO_STRING | IDX),
	O2("--host-only-adapter", "--hostonlyadapter", MV_HOSTONLYADAPTER,
	   VBGO_STRING | IDX),
	O1("--intnet", MV_INTNET, VBGO_STRING | IDX),
	O2("--nic-generic-drv", "--nicgenericdrv", MV_GENERICDRV,
	   VBGO_STRING | IDX),
	O2("--nat-network", "--natnetwork", MV_NATNETWORKNAME, VBGO_STRING | IDX),
	O2("--nat-net", "--natnet", MV_NATNET, VBGO_STRING | IDX),
	O2("--nat-bind-ip", "--natbindip", MV_NATBINDIP, VBGO_STRING | IDX),
	O2("--nat-settings", "--natsettings", MV_NATSETTINGS, VBGO_STRING | IDX),
	O2("--nat-pf", "--natpf", MV_NATPF, VBGO_STRING | IDX),
	O2("--nat-alias-mode", "--nataliasmode", MV_NATALIASMODE,
	   VBGO_STRING | IDX),
	O2("--nat-tftp-prefix", "--nattftpprefix", MV_NATTFTPPREFIX,
	   VBGO_STRING | IDX),
	O2("--nat-tftp-file", "--nattftpfile", MV_NATTFTPFILE, VBGO_STRING | IDX),
	O2("--nat-tftp-server", "--nattftpserver", MV_NATTFTPSERVER,
	   VBGO_STRING | IDX),
	O2("--nat-dns-pass-domain", "--natdnspassdomain", MV_NATDNSPASSDOMAIN,
	   VBGO_ONOFF | IDX),
	O2("--nat-dns-proxy", "--natdnsproxy", MV_NATDNSPROXY, VBGO_ONOFF | IDX),
	O2("--nat-dns-host-resolver", "--natdnshostresolver",
	   MV_NATDNSHOSTRESOLVER, VBGO_ONOFF | IDX),
	O2("--nat-localhostreachable", "--natlocalhostreachable",
	   MV_NATLOCALHOSTREACHABLE, VBGO_ONOFF | IDX),
	O2("--mac-address", "--macaddress", MV_MACADDRESS, VBGO_STRING | IDX),
	O1("--mouse", MV_HIDPTR, VBGO_STRING),
	O1("--keyboard", MV_HIDKBD, VBGO_STRING),
	O2("--uart-mode", "--uartmode", MV_UARTMODE, VBGO_STRING | IDX),
	O2("--uart-type", "--uarttype", MV_UARTTYPE, VBGO_STRING | IDX),
	O1("--uart", MV_UART, VBGO_STRING | IDX),
	O2("--lpt-mode", "--lptmode", MV_LPTMODE, VBGO_STRING | IDX),
	O1("--lpt", MV_LPT, VBGO_STRING | IDX),
	O2("--guest-memory-balloon", "--guestmemoryballoon",
	   MV_GUESTMEMORYBALLOON, VBGO_U32),
	O2("--audio-controller", "--audiocontroller", MV_AUDIOCONTROLLER,
	   VBGO_STRING),
	O2("--audio-codec", "--audiocodec", MV_AUDIOCODEC, VBGO_STRING),
	O1("--audio", MV_AUDIO, VBGO_STRING),
	O2("--audio-driver", "--audiodriver", MV_AUDIODRIVER, VBGO_STRING),
	O2("--audio-enabled", "--audioenabled", MV_AUDIOENABLED, VBGO_ONOFF),
	O2("--audio-in", "--audioin", MV_AUDIOIN, VBGO_ONOFF),
	O2("--audio-out", "--audioout", MV_AUDIOOUT, VBGO_ONOFF),
	O1("--clipboard-mode", MV_CLIPBOARD_MODE, VBGO_STRING),
	O1("--clipboard", MV_CLIPBOARD_MODE, VBGO_STRING),
	O2("--drag-and-drop", "--draganddrop", MV_DRAGANDDROP, VBGO_STRING),
	O2("--vrdp-port", "--vrdpport", MV_VRDPPORT, VBGO_STRING),
	O2("--vrdp-address", "--vrdpaddress", MV_VRDPADDRESS, VBGO_STRING),
	O2("--vrdp-auth-type", "--vrdpauthtype", MV_VRDPAUTHTYPE, VBGO_STRING),
	O2("--vrdp-multi-con", "--vrdpmulticon", MV_VRDPMULTICON, VBGO_ONOFF),
	O2("--vrdp-reuse-con", "--vrdpreusecon", MV_VRDPREUSECON, VBGO_ONOFF),
	O2("--vrdp-video-channel", "--vrdpvideochannel", MV_VRDPVIDEOCHANNEL,
	   VBGO_ONOFF),
	O2("--vrdp-video-channel-quality", "--vrdpvideochannelquality",
	   MV_VRDPVIDEOCHANNELQUALITY, VBGO_STRING),
	O1("--vrdp", MV_VRDP, VBGO_ONOFF),
	O2("--vrde-property", "--vrdeproperty", MV_VRDEPROPERTY, VBGO_STRING),
	O2("--vrde-port", "--vrdeport", MV_VRDEPORT, VBGO_STRING),
	O2("--vrde-address", "--vrdeaddress", MV_VRDEADDRESS, VBGO_STRING),
	O2("--vrde-auth-type", "--vrdeauthtype", MV_VRDEAUTHTYPE, VBGO_STRING),
	O2("--vrde-auth-library", "--vrdeauthlibrary", MV_VRDEAUTHLIBRARY,
	   VBGO_STRING),
	O2("--vrde-multi-con", "--vrdemulticon", MV_VRDEMULTICON, VBGO_ONOFF),
	O2("--vrde-reuse-con", "--vrdereusecon", MV_VRDEREUSECON, VBGO_ONOFF),
	O2("--vrde-video-channel", "--vrdevideochannel", MV_VRDEVIDEOCHANNEL,
	   VBGO_ONOFF),
	O2("--vrde-video-channel-quality", "--vrdevideochannelquality",
	   MV_VRDEVIDEOCHANNELQUALITY, VBGO_STRING),
	O2("--vrde-extpack", "--vrdeextpack", MV_VRDE_EXTPACK, VBGO_STRING),
	O1("--vrde", MV_VRDE, VBGO_ONOFF),
	O2("--usb-rename", "--usbrename", MV_USBRENAME, VBGO_STRING),
	O2("--usb-xhci", "--usbxhci", MV_USBXHCI, VBGO_ONOFF),
	O2("--usb-ehci", "--usbehci", MV_USBEHCI, VBGO_ONOFF),
	O2("--usb-ohci", "--usbohci", MV_USBOHCI, VBGO_ONOFF),
	O1("--usb", MV_USBOHCI, VBGO_ONOFF),
	O2("--snapshot-folder", "--snapshotfolder", MV_SNAPSHOTFOLDER,
	   VBGO_STRING),
	O1("--teleporter", MV_TELEPORTER_ENABLED, VBGO_ONOFF),
	O2("--teleporter-enabled", "--teleporterenabled", MV_TELEPORTER_ENABLED,
	   VBGO_ONOFF),
	O2("--teleporter-port", "--teleporterport", MV_TELEPORTER_PORT,
	   VBGO_U32),
	O2("--teleporter-address", "--teleporteraddress", MV_TELEPORTER_ADDRESS,
	   VBGO_STRING),
	O2("--teleporter-password", "--teleporterpassword",
	   MV_TELEPORTER_PASSWORD, VBGO_STRING),
	O2("--teleporter-password-file", "--teleporterpasswordfile",
	   MV_TELEPORTER_PASSWORD_FILE, VBGO_STRING),
	O1("--tracing-enabled", MV_TRACING_ENABLED, VBGO_ONOFF),
	O1("--tracing-config", MV_TRACING_CONFIG, VBGO_STRING),
	O1("--tracing-allow-vm-access", MV_TRACING_ALLOW_VM_ACCESS, VBGO_ONOFF),
	O2("--hardware-uuid", "--hardwareuuid", MV_HARDWARE_UUID, VBGO_STRING),
	O1("--hpet", MV_HPET, VBGO_ONOFF),
	O1("--iocache", MV_IOCACHE, VBGO_ONOFF),
	O2("--iocache-size", "--iocachesize", MV_IOCACHESIZE, VBGO_U32),
	O1("--chipset", MV_CHIPSET, VBGO_STRING),
	O1("--iommu", MV_IOMMU, VBGO_STRING),
	O1("--tpm-type", MV_TPM_TYPE, VBGO_STRING),
	O1("--tpm-location", MV_TPM_LOCATION, VBGO_STRING),
	O1("--recording", MV_RECORDING, VBGO_ONOFF),
	O2("--recording-screens", "--recordingscreens", MV_RECORDING_SCREENS,
	   VBGO_STRING),
	O2("--recording-file", "--recordingfile", MV_RECORDING_FILENAME,
	   VBGO_STRING),
	O2("--recording-max-time", "--recordingmaxtime", MV_RECORDING_MAXTIME,
	   VBGO_I32),
	O2("--recording-max-size", "--recordingmaxsize", MV_RECORDING_MAXSIZE,
	   VBGO_I32),
	O2("--recording-opts", "--recordingopts", MV_RECORDING_OPTIONS,
	   VBGO_STRING),
	O2("--recording-options", "--recordingoptions", MV_RECORDING_OPTIONS,
	   VBGO_STRING),
	O2("--recording-video-res", "--recordingvideores",
	   MV_RECORDING_VIDEO_RES, VBGO_STRING),
	O2("--recording-video-resolution", "--recordingvideoresolution",
	   MV_RECORDING_VIDEO_RES, VBGO_STRING),
	O2("--recording-video-rate", "--recordingvideorate",
	   MV_RECORDING_VIDEO_RATE, VBGO_U32),
	O2("--recording-video-fps", "--recordingvideofps", MV_RECORDING_VIDEO_FPS,
	   VBGO_U32),
	O1("--autostart-enabled", MV_AUTOSTART_ENABLED, VBGO_ONOFF),
	O1("--autostart-delay", MV_AUTOSTART_DELAY, VBGO_U32),
	O1("--autostop-type", MV_AUTOSTOP_TYPE, VBGO_STRING),
	O2("--usb-card-reader", "--usbcardreader", MV_USBCARDREADER, VBGO_ONOFF),
	O2("--default-frontend", "--defaultfrontend", MV_DEFAULTFRONTEND,
	   VBGO_STRING),
	O1("--vm-process-priority", MV_VMPROC_PRIORITY, VBGO_STRING),
	O1("--testing-enabled", MV_TESTING_ENABLED, VBGO_ONOFF),
	O1("--testing-mmio", MV_TESTING_MMIO, VBGO_ONOFF),
	O1("--testing-cfg-dword", MV_TESTING_CFG_DWORD, VBGO_U32 | IDX),
	O1("--guest-debug-provider", MV_GUEST_DEBUG_PROVIDER, VBGO_STRING),
	O1("--guest-debug-io-provider", MV_GUEST_DEBUG_IO_PROVIDER, VBGO_STRING),
	O1("--guest-debug-address", MV_GUEST_DEBUG_ADDRESS, VBGO_STRING),
	O1("--guest-debug-port", MV_GUEST_DEBUG_PORT, VBGO_U32),
};

/* ------------------------------------------------------------------ */
/* error output                                                        */

static void mv_verror(const char *fmt, va_list ap)
{
	char *s = NULL;

	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	vbm_error("%s", s ? s : "(out of memory)");
	free(s);
}

int mv_argerr(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mv_verror(fmt, ap);
	va_end(ap);
	return MV_FAIL;
}

int mv_argexit(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mv_verror(fmt, ap);
	va_end(ap);
	return MV_EXIT2;
}

int mv_syntax(struct mv *mv, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	vbm_syntax(mv->ctx, "%s", s ? s : "(out of memory)");
	free(s);
	return MV_EXIT2;
}

int mv_api(const struct vb_error *err, const char *context, int line)
{
	vbm_api_error(err, context, MV_FILE, line);
	return MV_FAIL;
}

int mv_machine_err(uint32_t hrc, const char *context, int line,
		   const char *fmt, ...)
{
	struct vb_error err = { 0 };
	va_list ap;

	va_start(ap, fmt);
	vb_verr(&err, EINVAL, hrc, fmt, ap);
	va_end(ap);
	vb_err_where(&err, "SessionMachine", "IMachine", "nsISupports");
	return mv_api(&err, context, line);
}

int mv_plain_err(uint32_t hrc, const char *context, int line)
{
	const char *desc = hrc == VB_E_INVALIDARG ? "Invalid argument value" :
			   hrc == VB_E_FAIL ? "Operation failed" :
			   "Unexpected error";

	fprintf(stderr,
		"VBoxManage: error: Code %s (0x%08X) - %s (extended info not available)\n",
		vb_hrc_name(hrc), hrc, desc);
	fprintf(stderr, "VBoxManage: error: Context: \"%s\" at line %d of file %s\n",
		context, line, MV_FILE);
	return MV_FAIL;
}

int mv_rc(int rc)
{
	if (!rc)
		return MV_OK;
	vbm_error("Out of memory");
	return MV_FAIL;
}

/* ------------------------------------------------------------------ */
/* value tables                                                        */

struct word {
	const char *cli;
	const char *settings;
};

/* The settings value for a command-line word (case-insensitive). */
static const char *lookup(const struct word *t, const char *w)
{
	for (; t->cli; t++)
		if (!strcasecmp(t->cli, w))
			return t->settings;
	return NULL;
}

static const struct word firmware_words[] = {
	{ "efi", "EFI" }, { "efi32", "EFI32" }, { "efi64", "EFI64" },
	{ "efidual", "EFIDUAL" }, { "bios", "BIOS" }, { NULL, NULL } };
static const struct word paravirt_words[] = {
	{ "none", "None" }, { "disabled", "None" }, { "default", "Default" },
	{ "legacy", "Legacy" }, { "minimal", "Minimal" }, { "hyperv", "HyperV" },
	{ "kvm", "KVM" }, { NULL, NULL } };
static const struct word gfx_words[] = {
	{ "none", "None" }, { "disabled", "None" }, { "vboxvga", "VBoxVGA" },
	{ "vbox", "VBoxVGA" }, { "vga", "VBoxVGA" }, { "vesa", "VBoxVGA" },
	{ "vmsvga", "VMSVGA" }, { "vmware", "VMSVGA" },
	{ "vboxsvga", "VBoxSVGA" }, { "svga", "VBoxSVGA" }, { NULL, NULL } };
static const struct word bootmenu_words[] = {
	{ "disabled", "Disabled" }, { "menuonly", "MenuOnly" },
	{ "messageandmenu", "MessageAndMenu" }, { NULL, NULL } };
static const struct word biosapic_words[] = {
	{ "disabled", "Disabled" }, { "apic", "APIC" }, { "lapic", "APIC" },
	{ "xapic", "APIC" }, { "x2apic", "X2APIC" }, { NULL, NULL } };
static const struct word boot_words[] = {
	{ "none", "None" }, { "floppy", "Floppy" }, { "dvd", "DVD" },
	{ "disk", "HardDisk" }, { "net", "Network" }, { NULL, NULL } };
static const struct word iommu_words[] = {
	{ "none", "None" }, { "disabled", "None" }, { "amd", "AMD" },
	{ "intel", "Intel" }, { "automatic", "Automatic" }, { NULL, NULL } };
static const struct word tpm_words[] = {
	{ "none", "None" }, { "disabled", "None" }, { "1.2", "v1_2" },
	{ "2.0", "v2_0" }, { "host", "Host" }, { "swtpm", "Swtpm" },
	{ NULL, NULL } };
static const struct word prio_words[] = {
	{ "default", "Default" }, { "flat", "Flat" }, { "low", "Low" },
	{ "normal", "Normal" }, { "high", "High" }, { NULL, NULL } };
static const struct word autostop_words[] = {
	{ "disabled", "Disabled" }, { "savestate", "SaveState" },
	{ "poweroff", "PowerOff" }, { "acpishutdown", "AcpiShutdown" },
	{ NULL, NULL } };
static const struct word gdbg_words[] = {
	{ "none", "None" }, { "native", "Native" }, { "gdb", "GDB" },
	{ "kd", "KD" }, { NULL, NULL } };
static const struct word gdbg_io_words[] = {
	{ "none", "None" }, { "tcp", "TCP" }, { "udp", "UDP" }, { "ipc", "IPC" },
	{ NULL, NULL } };

/* ------------------------------------------------------------------ */
/* options on the machine, CPU, firmware and display                   */

/* Parse "leaf[:sub]" (hex; ':', '/' or '|' between). */
static int parse_pair(const char *s, uint32_t *a, uint32_t *b)
{
	char buf[64], *sep;
	unsigned int x, y;

	if (strlen(s) >= sizeof(buf))
		return -1;
	vb_strlcpy(buf, s, sizeof(buf));
	sep = strpbrk(buf, ":/|");
	if (sep)
		*sep++ = '\0';
	if (!strncasecmp(buf, "0x", 2))
		memmove(buf, buf + 2, strlen(buf + 2) + 1);
	if (vb_parse_hex_u32(buf, &x))
		return -1;
	*a = x;
	*b = UINT32_MAX;
	if (sep) {
		if (!strncasecmp(sep, "0x", 2))
			sep += 2;
		if (vb_parse_hex_u32(sep, &y))
			return -1;
		*b = y;
	}
	return 0;
}

/* Error text: "<pre>'<value>'<post>". */
static int set_enum(struct mv *mv, enum hwm_id id, const struct word *t,
		    const char *pre, const char *post)
{
	const char *v = lookup(t, mv->g->v.str);

	if (!v)
		return mv_argerr("%s'%s'%s", pre, mv->g->v.str, post);
	return mv_rc(hwm_set_str(mv->m, id, v));
}

/* VirtualBox's --icon-file: at most 256 KiB, stored base64. */
static int set_icon(struct mv *mv)
{
	const char *f = mv->g->v.str;
	struct vb_error err = { 0 };
	struct stat st;
	char *data, *b64;
	size_t len;
	int rc;

	if (stat(f, &st) || !S_ISREG(st.st_mode))
		return mv_argerr("Cannot open file \"%s\": %s", f,
				 errno == ENOENT || !errno ? "VERR_FILE_NOT_FOUND"
				 : errno == EACCES ? "VERR_ACCESS_DENIED"
				 : "VERR_OPEN_FAILED");
	if (st.st_size > 256 * 1024)
		return mv_argerr("File \"%s\" is bigger than 256KByte", f);
	rc = vb_read_file(f, 256 * 1024, &data, &len, &err);
	if (rc)
		return mv_argerr("Cannot read contents of file \"%s\": %s", f,
				 "VERR_READ_ERROR");
	b64 = vb_base64_encode(data, len);
	free(data);
	if (!b64)
		return mv_rc(-ENOMEM);
	rc = hwm_set_str(mv->m, HWM_ICON, b64);
	free(b64);
	return mv_rc(rc);
}

/* First line of a password file or of stdin ("stdin"). */
static char *read_password_file(const char *f)
{
	char buf[512];
	FILE *fp = strcmp(f, "stdin") ? fopen(f, "r") : stdin;
	size_t n;

	if (!fp) {
		vbm_error("Cannot open password file '%s' (%s)", f,
			  errno == ENOENT ? "VERR_FILE_NOT_FOUND"
					  : "VERR_OPEN_FAILED");
		return NULL;
	}
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	if (fp != stdin)
		fclose(fp);
	buf[n] = '\0';
	for (n = 0; buf[n] && (unsigned char)buf[n] >= 0x20; n++)
		;
	buf[n] = '\0';
	return strdup(buf);
}

static int set_teleporter_password(struct mv *mv, const char *pw)
{
	char hex[129], *h;
	int rc;

	if (!*pw)
		return mv_rc(hwm_set_str(mv->m, HWM_TELEPORTER_PASSWORD, ""));
	if (!strncmp(pw, "#SHA-512#", 9))
		return mv_machine_err(VB_E_INVALIDARG,
				      "COMSETTER(TeleporterPassword)(Bstr(ValueUnion.psz).raw())",
				      3364,
				      "Cannot set an already hashed password, only plain text password please");
	vb_sha512_hex(pw, strlen(pw), hex);
	h = vb_asprintf("#SHA-512##%s", hex);
	if (!h)
		return mv_rc(-ENOMEM);
	rc = hwm_set_str(mv->m, HWM_TELEPORTER_PASSWORD, h);
	free(h);
	return mv_rc(rc);
}

static int set_snapshot_folder(struct mv *mv)
{
	const char *v = mv->g->v.str;
	char *abs, *rel;
	int rc;

	if (hwm_snapshot_root(mv->m))
		return mv_machine_err(VB_E_FAIL,
				      "COMSETTER(SnapshotFolder)(Bstr(ValueUnion.psz).raw())",
				      3339,
				      "The snapshot folder of a machine with snapshots cannot be changed (please delete all snapshots first)");
	if (!strcasecmp(v, "default") || !*v)
		v = "Snapshots";
	abs = path_abs_from(machine_folder(mv->m), v);
	if (!abs)
		return mv_rc(-ENOMEM);
	rel = mediareg_location_for(machine_folder(mv->m), abs);
	free(abs);
	if (!rel)
		return mv_rc(-ENOMEM);
	rc = hwm_set_str(mv->m, HWM_SNAPSHOT_FOLDER, rel);
	free(rel);
	return mv_rc(rc);
}

/* Only allowed while powered off (VirtualBox's check in the setter). */
static int powered_off_only(struct mv *mv, const char *context, int line)
{
	struct vb_error err = { 0 };
	struct vm_state_info si;
	enum vm_state s;

	if (machine_state_get(mv->m, &si))
		return mv_rc(-ENOMEM);
	s = si.state;
	vm_state_info_release(&si);
	if (s == VMS_POWEROFF || s == VMS_TELEPORTED || s == VMS_ABORTED)
		return MV_OK;
	vb_err(&err, EINVAL, VBOX_E_INVALID_VM_STATE,
	       "The machine is not powered off (state is %s)",
	       vm_state_api_name(s));
	vb_err_where(&err, "SessionMachine", "IMachine", "nsISupports");
	return mv_api(&err, context, line);
}

/* Switching to PIIX3 drops the adapters beyond slot 7 (Main resizes its
 * adapter list to the chipset's count on commit). */
static int drop_extra_nics(struct machine *m)
{
	struct snode *net = machine_elem(m, ME_NETWORK, false), *a, *next;

	for (a = snode_child(net, "Adapter"); a; a = next) {
		next = snode_next(a, "Adapter");
		if (snode_u32(a, "slot", 0) >= 8)
			snode_remove(a);
	}
	if (net)
		snode_prune_empty(net, machine_elem(m, ME_HARDWARE, false));
	return 0;
}


/* Whether a registered machine is named name (VirtualBox checks group
 * paths against machine names). */
static bool name_taken(void *ctx, const char *name)
{
	struct vbox *vb = ctx;
	unsigned i, n = vb ? vbox_machine_count(vb) : 0;

	for (i = 0; i < n; i++) {
		struct machine *o = NULL;
		bool same;

		if (vbox_machine_open_at(vb, i, &o, NULL) || !o)
			continue;
		same = machine_accessible(o) && machine_name(o) &&
		       !strcmp(machine_name(o), name);
		machine_free(o);
		if (same)
			return true;
	}
	return false;
}

static int mv_general(struct mv *mv)
{
	struct vb_getopt *g = mv->g;
	struct machine *m = mv->m;
	struct vb_error err = { 0 };
	unsigned type = g->def ? g->def->flags & VBGO_TYPE_MASK : VBGO_NOVAL;
	uint32_t u = type == VBGO_U32 ? g->v.u32 : 0;
	/* only the member the option filled may be read */
	bool f = (type == VBGO_ONOFF || type == VBGO_BOOL) && g->v.b;
	int rc;

	switch (mv->c) {
	case MV_NAME: {
		struct vb_uuid x;

		if (!*g->v.str)
			return mv_machine_err(VB_E_INVALIDARG,
					      "COMSETTER(Name)(Bstr(ValueUnion.psz).raw())",
					      2343,
					      "Machine name must not be empty");
		if (!vb_uuid_parse(g->v.str, &x))
			return mv_machine_err(VB_E_INVALIDARG,
					      "COMSETTER(Name)(Bstr(ValueUnion.psz).raw())",
					      2343,
					      "A machine cannot have a UUID as its name");
		{
			struct snode *mn = machine_elem(m, ME_MACHINE, false);
			char *v = strdup(g->v.str);

			if (!v)
				return mv_rc(-ENOMEM);
			rc = hwm_attr_set(mn, "name", v);
			free(v);
			machine_refresh(m);
			return mv_rc(rc);
		}
	}
	case MV_GROUPS:
		if (hwm_set_groups(m, g->v.str, name_taken, mv->ctx->vb, &err))
			return err.hrc ? mv_api(&err,
						"COMSETTER(Groups)(ComSafeArrayAsInParam(groups))",
						2350)
				       : mv_rc(-ENOMEM);
		return MV_OK;
	case MV_DESCRIPTION:
		return mv_rc(hwm_set_description(m, g->v.str));
	case MV_OSTYPE: {
		const struct ostype *t = ostype_find(g->v.str);

		/* an unknown id is refused once the OS type table is in the
		 * library (it always knows "Other") */
		if (!t && ostype_find("Other")) {
			vb_err(&err, ENOENT, VBOX_E_OBJECT_NOT_FOUND,
			       "'%s' is not a valid Guest OS type", g->v.str);
			vb_err_where(&err, "VirtualBoxWrap", "IVirtualBox",
				     "nsISupports");
			return mv_api(&err,
				      "COMSETTER(OSTypeId)(Bstr(ValueUnion.psz).raw())",
				      2373);
		}
		return mv_rc(hwm_set_str(m, HWM_OSTYPE, t ? t->id : g->v.str));
	}
	case MV_ICONFILE:
		return set_icon(mv);
	case MV_MEMORY:
		if (u < 4 || u > 2097152)
			return mv_machine_err(VB_E_INVALIDARG,
					      "COMSETTER(MemorySize)(ValueUnion.u32)",
					      2400,
					      "Invalid RAM size: %u MB (must be in range [%u, %u] MB)",
					      u, 4, 2097152);
		return mv_rc(hwm_set_u32(m, HWM_MEMORY, u));
	case MV_PAGEFUSION:
		return mv_rc(hwm_set_bool(m, HWM_PAGE_FUSION, f));
	case MV_VRAM:
		if (u > 256) {
			vb_err(&err, EINVAL, VB_E_INVALIDARG,
			       "Invalid VRAM size: %u MB (must be in range [%u, %u] MB)",
			       u, 1, 256);
			vb_err_where(&err, "GraphicsAdapterWrap",
				     "IGraphicsAdapter", "nsISupports");
			return mv_api(&err, "COMSETTER(VRAMSize)(ValueUnion.u32)",
				      2412);
		}
		return mv_rc(hwm_set_u32(m, HWM_VRAM, u));
	case MV_FIRMWARE:
		return set_enum(mv, HWM_FIRMWARE, firmware_words,
				"Invalid --firmware argument ", "");
	case MV_ACPI:
		return mv_rc(hwm_set_bool(m, HWM_ACPI, f));
	case MV_IOAPIC:
		return mv_rc(hwm_set_bool(m, HWM_IOAPIC, f));
	case MV_PAE:
		return mv_rc(hwm_set_bool(m, HWM_PAE, f));
	case MV_LONGMODE:
		return mv_rc(hwm_set_bool(m, HWM_LONG_MODE, f));
	case MV_CPUID_PORTABILITY:
		return mv_rc(hwm_set_u32(m, HWM_CPUID_PORTABILITY, u));
	case MV_TFRESET:
		return mv_rc(hwm_set_bool(m, HWM_TRIPLE_FAULT, f));
	case MV_APIC:
		return mv_rc(hwm_set_apic(m, f));
	case MV_X2APIC:
		return mv_rc(hwm_set_x2apic(m, f));
	case MV_PARAVIRTPROVIDER:
		return set_enum(mv, HWM_PARAVIRT, paravirt_words,
				"Invalid --paravirtprovider argument ", "");
	case MV_PARAVIRTDEBUG:
		return mv_rc(hwm_set_str(m, HWM_PARAVIRT_DEBUG, g->v.str));
	case MV_HWVIRTEX:
		return mv_rc(hwm_set_bool(m, HWM_HWVIRTEX, f));
	case MV_NESTEDPAGING:
		return mv_rc(hwm_set_bool(m, HWM_NESTED_PAGING, f));
	case MV_LARGEPAGES:
		return mv_rc(hwm_set_bool(m, HWM_LARGE_PAGES, f));
	case MV_VTXVPID:
		return mv_rc(hwm_set_bool(m, HWM_VTX_VPID, f));
	case MV_VTXUX:
		return mv_rc(hwm_set_bool(m, HWM_VTX_UX, f));
	case MV_VIRT_VMSAVE_VMLOAD:
		return mv_rc(hwm_set_bool(m, HWM_VIRT_VMSAVE, f));
	case MV_IBPB_ON_VM_EXIT:
		return mv_rc(hwm_set_bool(m, HWM_IBPB_EXIT, f));
	case MV_IBPB_ON_VM_ENTRY:
		return mv_rc(hwm_set_bool(m, HWM_IBPB_ENTRY, f));
	case MV_SPEC_CTRL:
		return mv_rc(hwm_set_bool(m, HWM_SPEC_CTRL, f));
	case MV_L1D_FLUSH_ON_SCHED:
		return mv_rc(hwm_set_bool(m, HWM_L1D_SCHED, f));
	case MV_L1D_FLUSH_ON_VM_ENTRY:
		return mv_rc(hwm_set_bool(m, HWM_L1D_ENTRY, f));
	case MV_MDS_CLEAR_ON_SCHED:
		return mv_rc(hwm_set_bool(m, HWM_MDS_SCHED, f));
	case MV_MDS_CLEAR_ON_VM_ENTRY:
		return mv_rc(hwm_set_bool(m, HWM_MDS_ENTRY, f));
	case MV_NESTED_HW_VIRT:
		return mv_rc(hwm_set_bool(m, HWM_NESTED_HWVIRT, f));
	case MV_SETCPUID: {
		uint32_t leaf, sub, regs[4];
		unsigned i;

		if (parse_pair(g->v.str, &leaf, &sub)) {
			vbm_getopt_error(mv->ctx, g, VBGO_ERR_FORMAT);
			return MV_FAIL;
		}
		for (i = 0; i < 4; i++) {
			if (vb_getopt_fetch(g, VBGO_U32 | VBGO_HEX) != 1)
				return mv_syntax(mv,
						 "Missing or invalid argument to '%s'",
						 mv->name);
			regs[i] = g->v.u32;
		}
		if (hwm_cpuid_set(m, leaf, sub, regs, &err))
			return err.hrc ? mv_api(&err,
						"SetCPUIDLeaf(idx, idxSub, aValue[0], aValue[1], aValue[2], aValue[3])",
						2470)
				       : mv_rc(-ENOMEM);
		return MV_OK;
	}
	case MV_DELCPUID: {
		uint32_t leaf, sub;

		if (parse_pair(g->v.str, &leaf, &sub)) {
			vbm_getopt_error(mv->ctx, g, VBGO_ERR_FORMAT);
			return MV_FAIL;
		}
		return mv_rc(hwm_cpuid_remove(m, leaf, sub));
	}
	case MV_DELCPUID_OLD:
		return mv_rc(hwm_cpuid_remove(m, u, UINT32_MAX));
	case MV_DELALLCPUID:
		return mv_rc(hwm_cpuid_remove_all(m));
	case MV_CPUS:
		if (hwm_set_cpu_count(m, u, &err))
			return err.hrc ? mv_api(&err,
						"COMSETTER(CPUCount)(ValueUnion.u32)",
						2510)
				       : mv_rc(-ENOMEM);
		return MV_OK;
	case MV_CPUHOTPLUG:
		if (hwm_set_cpu_hotplug(m, f, &err))
			return err.hrc ? mv_api(&err,
						"COMSETTER(CPUHotPlugEnabled)(ValueUnion.f)",
						2522)
				       : mv_rc(-ENOMEM);
		return MV_OK;
	case MV_CPU_PROFILE:
		return mv_rc(hwm_set_str(m, HWM_CPU_PROFILE, g->v.str));
	case MV_PLUGCPU:
		if (hwm_cpu_plug(m, u, &err))
			return err.hrc ? mv_api(&err, "HotPlugCPU(ValueUnion.u32)",
						2534)
				       : mv_rc(-ENOMEM);
		return MV_OK;
	case MV_UNPLUGCPU:
		if (hwm_cpu_unplug(m, u, &err))
			return err.hrc ? mv_api(&err, "HotUnplugCPU(ValueUnion.u32)",
						2540)
				       : mv_rc(-ENOMEM);
		return MV_OK;
	case MV_CPU_EXECUTION_CAP:
		if (u < 1 || u > 100)
			return mv_machine_err(VB_E_INVALIDARG,
					      "COMSETTER(CPUExecutionCap)(ValueUnion.u32)",
					      2546,
					      "Invalid CPU execution cap value: %u (must be in range [%u, %u])",
					      u, 1, 100);
		return mv_rc(hwm_set_u32(m, HWM_CPU_EXEC_CAP, u));
	case MV_RTCUSEUTC:
		if (f && (rc = powered_off_only(mv,
						"COMSETTER(RTCUseUTC)(ValueUnion.f)",
						2516)))
			return rc;
		return mv_rc(hwm_set_bool(m, HWM_RTC_UTC, f));
	case MV_GRAPHICSCONTROLLER:
		return set_enum(mv, HWM_GFX, gfx_words,
				"Invalid --graphicscontroller argument ", "");
	case MV_MONITORCOUNT:
		if (u < 1 || u > 64) {
			vb_err(&err, EINVAL, VB_E_INVALIDARG,
			       "Invalid monitor count: %u (must be in range [%u, %u])",
			       u, 1, 64);
			vb_err_where(&err, "GraphicsAdapterWrap",
				     "IGraphicsAdapter", "nsISupports");
			return mv_api(&err, "COMSETTER(MonitorCount)(ValueUnion.u32)",
				      2588);
		}
		return mv_rc(hwm_set_u32(m, HWM_MONITORS, u));
	case MV_ACCELERATE3D:
		return mv_rc(hwm_set_bool(m, HWM_ACCEL3D, f));
	case MV_ACCELERATE2DVIDEO:
		return mv_rc(hwm_set_bool(m, HWM_ACCEL2D, f));
	case MV_BIOSLOGOFADEIN:
		return mv_rc(hwm_set_bool(m, HWM_LOGO_FADE_IN, f));
	case MV_BIOSLOGOFADEOUT:
		return mv_rc(hwm_set_bool(m, HWM_LOGO_FADE_OUT, f));
	case MV_BIOSLOGODISPLAYTIME:
		return mv_rc(hwm_set_u32(m, HWM_LOGO_TIME, u));
	case MV_BIOSLOGOIMAGEPATH:
		return mv_rc(hwm_set_str(m, HWM_LOGO_IMAGE, g->v.str));
	case MV_BIOSBOOTMENU:
		return set_enum(mv, HWM_BOOT_MENU, bootmenu_words,
				"Invalid --biosbootmenu argument ", "");
	case MV_BIOSSYSTEMTIMEOFFSET:
		return mv_rc(hwm_set_i64(m, HWM_TIME_OFFSET, g->v.i64));
	case MV_BIOSAPIC:
		return set_enum(mv, HWM_BIOS_APIC, biosapic_words,
				"Invalid --biosapic argument ", "");
	case MV_BIOSPXEDEBUG:
		return mv_rc(hwm_set_bool(m, HWM_PXE_DEBUG, f));
	case MV_SYSTEMUUIDLE:
		return mv_rc(hwm_set_bool(m, HWM_SMBIOS_UUID_LE, f));
	case MV_BOOT: {
		const char *d = lookup(boot_words, g->v.str);

		if (!d)
			return mv_argexit("Invalid boot device '%s'", g->v.str);
		if (hwm_set_boot_device(m, g->index, d, &err))
			return err.hrc ? mv_api(&err,
						"SetBootOrder(GetOptState.uIndex, DeviceType_Null)",
						2690)
				       : mv_rc(-ENOMEM);
		return MV_OK;
	}
	case MV_SNAPSHOTFOLDER:
		return set_snapshot_folder(mv);
	case MV_TELEPORTER_ENABLED:
		if (f && (rc = powered_off_only(mv,
						"COMSETTER(TeleporterEnabled)(ValueUnion.f)",
						3346)))
			return rc;
		return mv_rc(hwm_set_bool(m, HWM_TELEPORTER_ENABLED, f));
	case MV_TELEPORTER_PORT:
		if (u >= 65536)
			return mv_machine_err(VB_E_INVALIDARG,
					      "COMSETTER(TeleporterPort)(ValueUnion.u32)",
					      3352, "Invalid port number %u", u);
		return mv_rc(hwm_set_u32(m, HWM_TELEPORTER_PORT, u));
	case MV_TELEPORTER_ADDRESS:
		return mv_rc(hwm_set_str(m, HWM_TELEPORTER_ADDRESS, g->v.str));
	case MV_TELEPORTER_PASSWORD:
		return set_teleporter_password(mv, g->v.str);
	case MV_TELEPORTER_PASSWORD_FILE: {
		char *pw = read_password_file(g->v.str);

		if (!pw)
			return MV_FAIL;
		rc = set_teleporter_password(mv, pw);
		free(pw);
		return rc;
	}
	case MV_TRACING_ENABLED:
		return mv_rc(hwm_set_bool(m, HWM_TRACING_ENABLED, f));
	case MV_TRACING_CONFIG:
		return mv_rc(hwm_set_str(m, HWM_TRACING_CONFIG, g->v.str));
	case MV_TRACING_ALLOW_VM_ACCESS:
		return mv_rc(hwm_set_bool(m, HWM_TRACING_ALLOW_VM, f));
	case MV_HARDWARE_UUID: {
		struct vb_uuid x;

		if (vb_uuid_parse(g->v.str, &x) || vb_uuid_is_zero(&x))
			return mv_plain_err(VB_E_INVALIDARG,
					    "COMSETTER(HardwareUUID)(Bstr(ValueUnion.psz).raw())",
					    3400);
		return mv_rc(hwm_set_hardware_uuid(m, &x));
	}
	case MV_HPET:
		return mv_rc(hwm_set_bool(m, HWM_HPET, f));
	case MV_IOCACHE:
		return mv_rc(hwm_set_bool(m, HWM_IOCACHE, f));
	case MV_IOCACHESIZE:
		return mv_rc(hwm_set_u32(m, HWM_IOCACHE_SIZE, u));
	case MV_CHIPSET:
		if (!strcasecmp(g->v.str, "piix3")) {
			rc = hwm_set_str(m, HWM_CHIPSET, "PIIX3");
			if (!rc)
				rc = drop_extra_nics(m);
			return mv_rc(rc);
		}
		if (strcasecmp(g->v.str, "ich9"))
			return mv_argerr("Invalid --chipset argument '%s' (valid: piix3,ich9)",
					 g->v.str);
		rc = hwm_set_str(m, HWM_CHIPSET, "ICH9");
		if (!rc && !hwm_get_bool(m, HWM_IOAPIC)) {
			fprintf(stderr, "*** I/O APIC must be enabled for ICH9, enabling. ***\n");
			rc = hwm_set_bool(m, HWM_IOAPIC, true);
		}
		return mv_rc(rc);
	case MV_IOMMU:
		return set_enum(mv, HWM_IOMMU, iommu_words,
				"Invalid --iommu argument ", "");
	case MV_TPM_TYPE:
		return set_enum(mv, HWM_TPM_TYPE, tpm_words,
				"Invalid --tpm-type argument ", "");
	case MV_TPM_LOCATION:
		return mv_rc(hwm_set_str(m, HWM_TPM_LOCATION, g->v.str));
	case MV_AUTOSTART_ENABLED:
		return mv_rc(hwm_set_bool(m, HWM_AUTOSTART_ENABLED, f));
	case MV_AUTOSTART_DELAY:
		return mv_rc(hwm_set_u32(m, HWM_AUTOSTART_DELAY, u));
	case MV_AUTOSTOP_TYPE:
		return set_enum(mv, HWM_AUTOSTOP, autostop_words,
				"Invalid --autostop-type argument ", " (valid: disabled, savestate, poweroff, acpishutdown)");
	case MV_DEFAULTFRONTEND:
		return mv_rc(hwm_set_str(m, HWM_FRONTEND,
					 strcmp(g->v.str, "default") ? g->v.str
								      : ""));
	case MV_VMPROC_PRIORITY:
		return set_enum(mv, HWM_PROC_PRIORITY, prio_words,
				"Invalid --vm-process-priority ", "");
	case MV_GUEST_DEBUG_PROVIDER:
		return set_enum(mv, HWM_GDBG_PROVIDER, gdbg_words,
				"Invalid --guest-debug-provider ", " (valid: none, native, gdb, kd)");
	case MV_GUEST_DEBUG_IO_PROVIDER:
		return set_enum(mv, HWM_GDBG_IO, gdbg_io_words,
				"Invalid --guest-debug-io-provider ", " (valid: none, tcp, udp, ipc)");
	case MV_GUEST_DEBUG_ADDRESS:
		return mv_rc(hwm_set_str(m, HWM_GDBG_ADDRESS, g->v.str));
	case MV_GUEST_DEBUG_PORT:
		return mv_rc(hwm_set_u32(m, HWM_GDBG_PORT, u));
	default:
		return MV_UNHANDLED;
	}
}

/* ------------------------------------------------------------------ */
/* saved machines: which options Main still accepts                    */

static bool allowed_when_saved(int c)
{
	switch (c) {
	case MV_NAME: case MV_GROUPS: case MV_DESCRIPTION:
	case MV_TELEPORTER_PORT: case MV_TELEPORTER_ADDRESS:
	case MV_TELEPORTER_PASSWORD: case MV_TELEPORTER_PASSWORD_FILE:
	case MV_TELEPORTER_ENABLED: case MV_RTCUSEUTC:
	case MV_USBCARDREADER: case MV_AUTOSTART_ENABLED:
	case MV_AUTOSTART_DELAY: case MV_AUTOSTOP_TYPE:
	case MV_NIC: case MV_CABLECONNECTED: case MV_BRIDGEADAPTER:
	case MV_CLOUDNET: case MV_HOSTONLYADAPTER: case MV_INTNET:
	case MV_GENERICDRV: case MV_NATNETWORKNAME: case MV_NICPROPERTY:
	case MV_NATNET: case MV_NATBINDIP: case MV_NATSETTINGS: case MV_NATPF:
	case MV_NATALIASMODE: case MV_NATTFTPPREFIX: case MV_NATTFTPFILE:
	case MV_NATTFTPSERVER: case MV_NATDNSPASSDOMAIN: case MV_NATDNSPROXY:
	case MV_NATDNSHOSTRESOLVER: case MV_NATLOCALHOSTREACHABLE:
	case MV_NICPROMISC: case MV_NICTRACE: case MV_NICTRACEFILE:
	case MV_VRDPPORT: case MV_VRDPADDRESS: case MV_VRDPAUTHTYPE:
	case MV_VRDPMULTICON: case MV_VRDPREUSECON: case MV_VRDPVIDEOCHANNEL:
	case MV_VRDPVIDEOCHANNELQUALITY: case MV_VRDP: case MV_VRDEPROPERTY:
	case MV_VRDEPORT: case MV_VRDEADDRESS: case MV_VRDEAUTHTYPE:
	case MV_VRDEAUTHLIBRARY: case MV_VRDEMULTICON: case MV_VRDEREUSECON:
	case MV_VRDEVIDEOCHANNEL: case MV_VRDEVIDEOCHANNELQUALITY:
	case MV_VRDE_EXTPACK: case MV_VRDE:
	case MV_TESTING_ENABLED: case MV_TESTING_MMIO:
	case MV_TESTING_CFG_DWORD:
		return true;
	default:
		return false;
	}
}

/* ------------------------------------------------------------------ */
/* saving, with VirtualBox's rename of folder and file                 */

static bool is_dir(const char *p)
{
	struct stat st;

	return !stat(p, &st) && S_ISDIR(st.st_mode);
}

/* "/" -> "", "/a/b" -> "/a/b" (first group of the list). */
static char *first_group(struct machine *m)
{
	char *g = hwm_groups(m), *comma;

	if (!g)
		return NULL;
	comma = strchr(g, ',');
	if (comma)
		*comma = '\0';
	if (!strcmp(g, "/"))
		g[0] = '\0';
	return g;
}

/* A name made safe for the file system ('/' and '\' become '_'). */
static char *file_safe(const char *name)
{
	char *s = strdup(name), *p;

	for (p = s; p && *p; p++)
		if (*p == '/' || *p == '\\')
			*p = '_';
	return s;
}

static int rename_error(const char *msg)
{
	struct vb_error err = { 0 };

	vb_err(&err, EEXIST, VB_E_FAIL, "%s", msg);
	vb_err_where(&err, "SessionMachine", "IMachine", "nsISupports");
	return mv_api(&err, "SaveSettings()", 3640);
}

static int rename_dir_error(const char *a, const char *b, const char *rc)
{
	char msg[3 * 4096];

	snprintf(msg, sizeof(msg),
		 "Could not rename the directory '%s' to '%s' to save the settings file (%s)",
		 a, b, rc);
	return rename_error(msg);
}

static int rename_file_error(const char *a, const char *b, const char *rc)
{
	char msg[3 * 4096];

	snprintf(msg, sizeof(msg),
		 "Could not rename the settings file '%s' to '%s' (%s)", a, b,
		 rc);
	return rename_error(msg);
}

static const char *errno_rc(int e)
{
	switch (e) {
	case EEXIST:
	case ENOTEMPTY:
		return "VERR_ALREADY_EXISTS";
	case ENOENT:
		return "VERR_FILE_NOT_FOUND";
	case EACCES:
	case EPERM:
		return "VERR_ACCESS_DENIED";
	case ENOSPC:
		return "VERR_DISK_FULL";
	default:
		return "VERR_GENERAL_FAILURE";
	}
}

/* Replace a path prefix in absolute locations of a registry. */
static int move_locations(struct snode *n, const char *old_dir,
			  const char *new_dir)
{
	struct snode *c;
	size_t ol = strlen(old_dir);

	for (c = snode_child(n, NULL); c; c = snode_next(c, NULL)) {
		const char *loc = snode_attr(c, "location");

		if (loc && !strncmp(loc, old_dir, ol) && loc[ol] == '/') {
			char *nl = vb_asprintf("%s%s", new_dir, loc + ol);

			if (!nl || snode_set_attr(c, "location", nl)) {
				free(nl);
				return -ENOMEM;
			}
			free(nl);
		}
		if (move_locations(c, old_dir, new_dir))
			return -ENOMEM;
	}
	return 0;
}

/* After the folder moved: saved-state files, the snapshot folder and
 * NVRAM files given as absolute paths inside the old folder become
 * relative to the machine folder, as VirtualBox writes such paths. */
static int relativize_paths(struct snode *n, const char *old_dir)
{
	static const char *const attrs[] = { "stateFile", "snapshotFolder",
					     "path" };
	size_t ol = strlen(old_dir), i;
	struct snode *c;

	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		const char *v = snode_attr(n, attrs[i]);
		char *rel;

		if (i == 2 && strcmp(snode_name(n), "NVRAM"))
			continue;
		if (!v || strncmp(v, old_dir, ol) || v[ol] != '/')
			continue;
		rel = strdup(v + ol + 1);
		if (!rel || snode_set_attr(n, attrs[i], rel)) {
			free(rel);
			return -ENOMEM;
		}
		free(rel);
	}
	for (c = snode_child(n, NULL); c; c = snode_next(c, NULL))
		if (relativize_paths(c, old_dir))
			return -ENOMEM;
	return 0;
}

/* Point the MachineEntry and the global media at the new place. */
static int update_registry(struct vbm_ctx *ctx, struct machine *m,
			   const char *new_path, const char *old_dir,
			   const char *new_dir)
{
	struct vbox *vb = vbm_vbox(ctx);
	struct vb_error err = { 0 };
	struct snode *reg, *e;
	char ub[40];
	int rc;

	if (!vb)
		return -EINVAL;
	rc = vbox_global_lock(vb, &err);
	if (rc)
		return mv_api(&err, "SaveSettings()", 3640);
	reg = vbox_global_node(vb, "MachineRegistry", false);
	vb_uuid_fmt_braced(machine_uuid(m), ub);
	for (e = snode_child(reg, "MachineEntry"); e;
	     e = snode_next(e, "MachineEntry")) {
		struct vb_uuid u;
		const char *us = snode_attr(e, "uuid");

		if (!us || vb_uuid_parse(us, &u) ||
		    !vb_uuid_eq(&u, machine_uuid(m)))
			continue;
		if (snode_set_attr(e, "src", new_path))
			rc = -ENOMEM;
	}
	if (!rc && old_dir)
		rc = move_locations(vbox_global_node(vb, "MediaRegistry", false),
				    old_dir, new_dir);
	if (rc) {
		vbox_global_unlock(vb);
		return mv_rc(rc);
	}
	if (vbox_global_commit(vb, &err))
		return mv_api(&err, "SaveSettings()", 3640);
	return MV_OK;
}

/* With the settings file, VirtualBox renames the NVRAM file of the current
 * state to <new name>.nvram beside it (whether or not the file exists)
 * and records the new path, relative to the machine folder. */
static int rename_nvram(struct machine *m, const char *old_dir,
			const char *new_dir, const char *nname)
{
	struct snode *nv = snode_child(machine_elem(m, ME_BIOS, false),
				       "NVRAM");
	const char *p = snode_attr(nv, "path");
	char *from, *to;
	size_t ol = strlen(old_dir);
	int rc;

	if (!p || !*p)
		return 0;
	if (p[0] == '/' && !(strncmp(p, old_dir, ol) == 0 && p[ol] == '/'))
		from = strdup(p);
	else
		from = vb_asprintf("%s/%s", new_dir,
				   p[0] == '/' ? p + ol + 1 : p);
	to = vb_asprintf("%s/%s.nvram", new_dir, nname);
	if (!from || !to) {
		free(from);
		free(to);
		return -ENOMEM;
	}
	if (strcmp(from, to))
		rename(from, to);
	rc = hwm_attr_set(nv, "path", to + strlen(new_dir) + 1);
	free(from);
	free(to);
	return rc;
}

/* Machine::i_prepareSaveSettings(): with name sync, a folder named after
 * [group/]name and the file name follow the new name. */
static int save_with_rename(struct mv *mv, const char *old_name,
			    const char *old_group)
{
	struct machine *m = mv->m;
	struct vb_error err = { 0 };
	char *new_group = first_group(m), *sname = file_safe(old_name);
	char *nname = file_safe(machine_name(m));
	char *cfg = strdup(machine_path(m)), *dir = strdup(machine_folder(m));
	char *gpn = NULL, *ngpn = NULL, *new_dir = NULL, *new_cfg = NULL;
	char *moved_cfg = NULL;
	bool renamed = false, dir_renamed = false;
	int rc = MV_FAIL;

	if (!new_group || !sname || !nname || !cfg || !dir)
		goto oom;
	if (!snode_bool(machine_elem(m, ME_MACHINE, false), "nameSync", true) ||
	    (!strcmp(old_name, machine_name(m)) &&
	     !strcmp(old_group, new_group)))
		goto plain;
	gpn = vb_asprintf("%s/%s", old_group, sname);
	ngpn = vb_asprintf("%s/%s", new_group, nname);
	if (!gpn || !ngpn)
		goto oom;
	new_dir = strdup(dir);
	if (!new_dir)
		goto oom;
	if (strlen(dir) >= strlen(gpn) &&
	    !strcmp(dir + strlen(dir) - strlen(gpn), gpn)) {
		free(new_dir);
		new_dir = vb_asprintf("%.*s%s", (int)(strlen(dir) - strlen(gpn)),
				      dir, ngpn);
		if (!new_dir)
			goto oom;
		if (strcmp(dir, new_dir)) {
			char *parent = path_dirname(new_dir);

			if (path_exists(new_dir)) {
				free(parent);
				rc = rename_dir_error(dir, new_dir,
						      "VERR_ALREADY_EXISTS");
				goto out;
			}
			if (parent && !is_dir(parent))
				path_mkdirs(parent, 0755);
			free(parent);
			if (rename(dir, new_dir)) {
				rc = rename_dir_error(dir, new_dir,
						      errno_rc(errno));
				goto out;
			}
			dir_renamed = true;
			/* an emptied group folder goes away */
			if (*old_group) {
				char *op = path_dirname(dir);

				if (op)
					rmdir(op);
				free(op);
			}
		}
	}
	new_cfg = vb_asprintf("%s/%s.vbox", new_dir, nname);
	moved_cfg = vb_asprintf("%s/%s", new_dir, path_basename(cfg));
	if (!new_cfg || !moved_cfg)
		goto oom;
	if (strcmp(moved_cfg, new_cfg)) {
		char *a, *b;

		if (path_exists(new_cfg)) {
			rc = rename_file_error(moved_cfg, new_cfg,
					       "VERR_ALREADY_EXISTS");
			goto out;
		}
		if (rename(moved_cfg, new_cfg)) {
			rc = rename_file_error(moved_cfg, new_cfg,
					       errno_rc(errno));
			goto out;
		}
		a = vb_asprintf("%s-prev", moved_cfg);
		b = vb_asprintf("%s-prev", new_cfg);
		if (a && b)
			rename(a, b);
		free(a);
		free(b);
		if (rename_nvram(m, dir, new_dir, nname))
			goto oom;
	}
	renamed = dir_renamed || strcmp(cfg, new_cfg);
	if (renamed) {
		if (sdoc_set_path(machine_doc(m), new_cfg))
			goto oom;
		if (dir_renamed &&
		    (move_locations(machine_elem(m, ME_MEDIAREG, false), dir,
				    new_dir) ||
		     relativize_paths(machine_elem(m, ME_MACHINE, false), dir)))
			goto oom;
	}
plain:
	if (machine_save(m, &err)) {
		rc = mv_api(&err, "SaveSettings()", 3640);
		goto out;
	}
	rc = MV_OK;
	if (renamed)
		rc = update_registry(mv->ctx, m, new_cfg,
				     dir_renamed ? dir : NULL, new_dir);
	goto out;
oom:
	rc = mv_rc(-ENOMEM);
out:
	free(new_group);
	free(sname);
	free(nname);
	free(cfg);
	free(dir);
	free(gpn);
	free(ngpn);
	free(new_dir);
	free(new_cfg);
	free(moved_cfg);
	return rc;
}

/* ------------------------------------------------------------------ */
/* the command                                                         */

static int run_options(struct mv *mv)
{
	struct vm_state_info si;
	enum vm_state state;
	int c, rc;

	if (machine_state_get(mv->m, &si))
		return mv_rc(-ENOMEM);
	state = si.state;
	vm_state_info_release(&si);
	while ((c = vb_getopt_next(mv->g)) != VBGO_END) {
		if (c < 0 || c == VBGO_NOT_OPTION) {
			/* errorGetOpt() prints, the command exits 1 */
			vbm_getopt_error(mv->ctx, mv->g, c);
			return MV_FAIL;
		}
		mv->c = c;
		mv->name = mv->g->def ? mv->g->def->name : "";
		if (vm_state_is_saved(state) && !allowed_when_saved(c))
			return mv_machine_err(VBOX_E_INVALID_VM_STATE,
					      "SaveSettings()", 3640,
					      "The machine is not mutable (state is %s)",
					      vm_state_api_name(state));
		rc = mv_general(mv);
		if (rc == MV_UNHANDLED)
			rc = mv_net(mv);
		if (rc == MV_UNHANDLED)
			rc = mv_dev(mv);
		if (rc == MV_UNHANDLED) {
			vbm_getopt_error(mv->ctx, mv->g, VBGO_ERR_UNKNOWN);
			rc = MV_FAIL;
		}
		if (rc != MV_OK)
			return rc;
	}
	return MV_OK;
}

int cmd_modifyvm(struct vbm_ctx *ctx, int argc, char **argv)
{
	struct vb_error err = { 0 };
	struct vm_state_info si;
	struct vb_getopt g;
	struct mv mv = { 0 };
	struct vbox *vb;
	struct machine *m;
	char *old_name = NULL, *old_group = NULL;
	int rc;

	if (argc < 3)
		return vbm_syntax(ctx, "Not enough parameters");
	vb = vbm_vbox(ctx);
	if (!vb)
		return VBM_FAIL;
	if (vbox_find_machine(vb, argv[1], &m, &err)) {
		vbm_api_error(&err,
			      "FindMachine(Bstr(a->argv[0]).raw(), machine.asOutParam())",
			      MV_FILE, 2318);
		return VBM_FAIL;
	}
	if (!machine_accessible(m)) {
		vb_err(&err, EINVAL, VBOX_E_INVALID_OBJECT_STATE,
		       "The object is not ready");
		vb_err_where(&err, "MachineWrap", "IMachine", "nsISupports");
		machine_free(m);
		return vbm_api_error(&err, "LockMachine(a->session, LockType_Write)",
				     MV_FILE, 2326);
	}
	/* Check point for the running-VM part: a machine that a VM process
	 * holds cannot be write-locked (the state hook reports it). */
	if (machine_state_get(m, &si) == 0 && vm_state_is_online(si.state)) {
		vm_state_info_release(&si);
		vb_err(&err, EBUSY, VBOX_E_INVALID_OBJECT_STATE,
		       "The machine '%s' is already locked for a session (or being unlocked)",
		       machine_name(m));
		vb_err_where(&err, "MachineWrap", "IMachine", "nsISupports");
		machine_free(m);
		return vbm_api_error(&err, "LockMachine(a->session, LockType_Write)",
				     MV_FILE, 2326);
	}
	vm_state_info_release(&si);
	if (machine_lock(m, &err)) {
		machine_free(m);
		return vbm_api_error(&err, "LockMachine(a->session, LockType_Write)",
				     MV_FILE, 2326);
	}
	vb_getopt_init(&g, argc, argv, 2, mv_opts,
		       sizeof(mv_opts) / sizeof(mv_opts[0]));
	mv.ctx = ctx;
	mv.m = m;
	mv.g = &g;
	mv.nics = hwm_nic_count(m);
	old_name = strdup(machine_name(m));
	old_group = first_group(m);
	if (!old_name || !old_group) {
		rc = mv_rc(-ENOMEM);
		goto out;
	}
	rc = run_options(&mv);
	if (rc == MV_OK)
		rc = mv_rc(hwm_normalize(m));
	if (rc == MV_OK)
		rc = save_with_rename(&mv, old_name, old_group);
out:
	machine_unlock(m);
	machine_free(m);
	free(old_name);
	free(old_group);
	return rc == MV_OK ? VBM_OK : rc == MV_EXIT2 ? VBM_SYNTAX : VBM_FAIL;
}

const struct vbm_help help_modifyvm = {
	"change settings for a virtual machine that is stopped",
	"VBoxManage modifyvm <uuid | vmname> [--name=name] [--groups=group [,group...]]\n"
	"     [--description=description] [--os-type=OS-type]\n"
	"     [--icon-file=filename] [--memory=size-in-MB] [--page-fusion= on | off ]\n"
	"     [--vram=size-in-MB] [--acpi= on | off ] [--ioapic= on | off ]\n"
	"     [--hardware-uuid=UUID] [--cpus=CPU-count] [--cpu-hotplug= on | off ]\n"
	"     [--plug-cpu=CPU-ID] [--unplug-cpu=CPU-ID]\n"
	"     [--cpu-execution-cap=number] [--pae= on | off ] [--long-mode= on | off ]\n"
	"     [--ibpb-on-vm-exit= on | off ] [--ibpb-on-vm-entry= on | off ]\n"
	"     [--spec-ctrl= on | off ] [--l1d-flush-on-sched= on | off ]\n"
	"     [--l1d-flush-on-vm-entry= on | off ] [--mds-clear-on-sched= on | off ]\n"
	"     [--mds-clear-on-vm-entry= on | off ] [--cpu-profile= host | Intel 8086 |\n"
	"     Intel 80286 | Intel 80386 ] [--hpet= on | off ] [--hwvirtex= on | off ]\n"
	"     [--triple-fault-reset= on | off ] [--apic= on | off ] [--x2apic= on | off ]\n"
	"     [--paravirt-provider= none | default | legacy | minimal | hyperv | kvm ]\n"
	"     [--paravirt-debug= key=value [,key=value...]] [--nested-paging= on | off ]\n"
	"     [--large-pages= on | off ] [--vtx-vpid= on | off ] [--vtx-ux= on | off ]\n"
	"     [--nested-hw-virt= on | off ] [--virt-vmsave-vmload= on | off ]\n"
	"     [--accelerate-3d= on | off ] [--accelerate-2d-video= on | off ]\n"
	"     [--chipset= ich9 | piix3 ] [--iommu= none | automatic | amd | intel ]\n"
	"     [--tpm-type= none | 1.2 | 2.0 | host | swtpm ] [--tpm-location=\n"
	"     location ] [--bios-logo-fade-in= on | off ] [--bios-logo-fade-out= on | off ]\n"
	"     [--bios-logo-display-time=msec] [--bios-logo-image-path=pathname]\n"
	"     [--bios-boot-menu= disabled | menuonly | messageandmenu ]\n"
	"     [--bios-apic= disabled | apic | x2apic ]\n"
	"     [--bios-system-time-offset=msec] [--bios-pxe-debug= on | off ]\n"
	"     [--system-uuid-le= on | off ] [--bootX= none | floppy | dvd | disk | net ]\n"
	"     [--rtc-use-utc= on | off ] [--graphicscontroller= none | vboxvga | vmsvga |\n"
	"     vboxsvga ] [--snapshot-folder= default | pathname ] [--firmware= bios | efi |\n"
	"     efi32 | efi64 ] [--guest-memory-balloon=size-in-MB]\n"
	"     [--default-frontend= default | name ] [--vm-process-priority= default |\n"
	"     flat | low | normal | high ]\n"
	"VBoxManage modifyvm <uuid | vmname> [--nicN= none | null | nat | bridged |\n"
	"     intnet | hostonly | hostonlynet | generic | natnetwork | cloud ]\n"
	"     [--nic-typeN= Am79C970A | Am79C973 | 82540EM | 82543GC | 82545EM | virtio ]\n"
	"     [--cable-connectedN= on | off ] [--nic-traceN= on | off ]\n"
	"     [--nic-trace-fileN=filename] [--nic-propertyN=name= [value]]\n"
	"     [--nic-speedN=kbps] [--nic-boot-prioN=priority]\n"
	"     [--nic-promiscN= deny | allow-vms | allow-all ]\n"
	"     [--nic-bandwidth-groupN= none | name ] [--bridge-adapterN= none |\n"
	"     device-name ] [--cloud-networkN=network-name] [--host-only-adapterN= none |\n"
	"     device-name ] [--host-only-netN=network-name] [--intnetN=network-name]\n"
	"     [--nat-networkN=network-name] [--nic-generic-drvN=driver-name]\n"
	"     [--mac-addressN= auto | MAC-address ]\n"
	"VBoxManage modifyvm <uuid | vmname> [--nat-netN= network | default ]\n"
	"     [--nat-pfN=[rule-name],tcp | udp,[host-IP],hostport,[guest-IP],guestport ]\n"
	"     [--nat-pfN=delete=rule-name] [--nat-tftp-prefixN=prefix]\n"
	"     [--nat-tftp-fileN=filename] [--nat-tftp-serverN=IP-address]\n"
	"     [--nat-bind-ipN=IP-address] [--nat-dns-pass-domainN= on | off ]\n"
	"     [--nat-dns-proxyN= on | off ] [--nat-dns-host-resolverN= on | off ]\n"
	"     [--nat-localhostreachableN= on | off ]\n"
	"     [--nat-settingsN=[mtu],[socksnd],[sockrcv],[tcpsnd],[tcprcv]]\n"
	"     [--nat-alias-modeN= default | [log],[proxyonly],[sameports] ]\n"
	"VBoxManage modifyvm <uuid | vmname> [--mouse= ps2 | usb | usbtablet |\n"
	"     usbmultitouch | usbmtscreenpluspad ] [--keyboard= ps2 | usb ]\n"
	"     [--uartN= off | IO-base IRQ ] [--uart-modeN= disconnected |\n"
	"     server pipe | client pipe | tcpserver port | tcpclient hostname:port |\n"
	"     file filename | device-name ] [--uart-typeN= 16450 | 16550A | 16750 ]\n"
	"     [--lpt-modeN=device-name] [--lptN= off | IO-base IRQ ]\n"
	"     [--audio-controller= ac97 | hda | sb16 ] [--audio-codec= stac9700 |\n"
	"     ad1980 | stac9221 | sb16 ] [--audio-driver= none | default | null |\n"
	"     dsound | was | oss | alsa | pulse | coreaudio ] [--audio-enabled= on |\n"
	"     off ] [--audio-in= on | off ] [--audio-out= on | off ]\n"
	"     [--clipboard-mode= disabled | hosttoguest | guesttohost |\n"
	"     bidirectional ] [--drag-and-drop= disabled | hosttoguest | guesttohost |\n"
	"     bidirectional ] [--monitor-count=number] [--usb-ehci= on | off ]\n"
	"     [--usb-ohci= on | off ] [--usb-xhci= on | off ]\n"
	"     [--usb-rename=old-name new-name]\n"
	"VBoxManage modifyvm <uuid | vmname> [--recording= on | off ]\n"
	"     [--recording-screens= all | none | screen-ID [,screen-ID...]]\n"
	"     [--recording-file=filename] [--recording-max-size=MB]\n"
	"     [--recording-max-time=seconds] [--recording-opts= key=value\n"
	"     [,key=value...]] [--recording-video-fps=fps]\n"
	"     [--recording-video-rate=rate] [--recording-video-res=width height]\n"
	"VBoxManage modifyvm <uuid | vmname> [--vrde= on | off ]\n"
	"     [--vrde-property=property-name= [property-value]] [--vrde-extpack=\n"
	"     default | name ] [--vrde-port=port] [--vrde-address=hostip]\n"
	"     [--vrde-auth-type= null | external | guest ] [--vrde-auth-library=\n"
	"     default | name ] [--vrde-multi-con= on | off ] [--vrde-reuse-con= on |\n"
	"     off ] [--vrde-video-channel= on | off ]\n"
	"     [--vrde-video-channel-quality=percent]\n"
	"VBoxManage modifyvm <uuid | vmname> [--teleporter= on | off ]\n"
	"     [--teleporter-port=port] [--teleporter-address= address | empty ]\n"
	"     [--teleporter-password=password]\n"
	"     [--teleporter-password-file= filename | stdin ]\n"
	"     [--cpuid-portability-level=level] [--cpuid-set=leaf [:subleaf] eax ebx ecx\n"
	"     edx] [--cpuid-remove=leaf [:subleaf]] [--cpuid-remove-all]\n"
	"VBoxManage modifyvm <uuid | vmname> [--tracing-enabled= on | off ]\n"
	"     [--tracing-config=string] [--tracing-allow-vm-access= on | off ]\n"
	"VBoxManage modifyvm <uuid | vmname> [--usb-card-reader= on | off ]\n"
	"VBoxManage modifyvm <uuid | vmname> [--autostart-enabled= on | off ]\n"
	"     [--autostart-delay=seconds]\n"
	"VBoxManage modifyvm <uuid | vmname> [--guest-debug-provider= none |\n"
	"     native | gdb | kd ] [--guest-debug-io-provider= none | tcp | udp | ipc ]\n"
	"     [--guest-debug-address= IP-Address | path ] [--guest-debug-port=port]",
	"Changes the settings of a machine that is not running.  Several options\n"
	"may be given; they are applied from left to right and the machine is\n"
	"saved once.  The first failing option stops the command and nothing is\n"
	"saved.\n",
};
