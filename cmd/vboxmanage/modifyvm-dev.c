/*
 * modifyvm: HID, serial and parallel ports, audio, clipboard, VRDE, USB,
 * recording, testing and the deprecated storage shortcuts.
 *
 * Spec: vboxmanage-cli.md 3.4 "Devices", "VRDE ..."; VirtualBox 7.0's
 * handling of each option (which ones exit 2, the --vrdp* warnings).
 * The deprecated storage shortcuts (--hda, --dvd, --sata, ...) change
 * storage controllers and media, which storagectl/storageattach own:
 * they are refused with a message naming those commands.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/vboxmanage/modifyvm.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"

/* Main's GetSerialPort()/GetParallelPort() slot check. */
static int port_slot(struct mv *mv, unsigned count, bool uart)
{
	unsigned slot = mv->g->index - 1;

	if (mv->g->index >= 1 && mv->g->index <= count)
		return MV_OK;
	return mv_machine_err(VB_E_INVALIDARG,
			      uart ? "GetSerialPort(GetOptState.uIndex - 1, uart.asOutParam())"
				   : "GetParallelPort(GetOptState.uIndex - 1, lpt.asOutParam())",
			      uart ? 2238 : 2338,
			      "Invalid slot number: %u (must be in range [0, %u])",
			      slot, count - 1);
}

static int port_err(bool uart, const char *context, int line,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int port_err(bool uart, const char *context, int line,
		    const char *fmt, ...)
{
	struct vb_error err = { 0 };
	va_list ap;

	va_start(ap, fmt);
	vb_verr(&err, EINVAL, VB_E_INVALIDARG, fmt, ap);
	va_end(ap);
	vb_err_where(&err, uart ? "SerialPortWrap" : "ParallelPortWrap",
		     uart ? "ISerialPort" : "IParallelPort", "nsISupports");
	return mv_api(&err, context, line);
}

/* USB HID needs a USB controller: add OHCI when there is neither OHCI
 * nor xHCI. */
static int ensure_usb(struct mv *mv)
{
	struct vb_error err = { 0 };

	if (hwm_usb_count(mv->m, "OHCI") + hwm_usb_count(mv->m, "XHCI"))
		return MV_OK;
	if (hwm_usb_add(mv->m, "OHCI", "OHCI", &err))
		return err.hrc ? mv_api(&err,
					"AddUSBController(Bstr(\"OHCI\").raw(), USBControllerType_OHCI, UsbCtl.asOutParam())",
					2160)
			       : mv_rc(-ENOMEM);
	return MV_OK;
}

static int set_mouse(struct mv *mv)
{
	static const struct {
		const char *cli, *settings;
		bool usb;
	} t[] = {
		{ "ps2", "PS2Mouse", false }, { "usb", "USBMouse", true },
		{ "usbtablet", "USBTablet", true },
		{ "usbmultitouch", "USBMultiTouch", true },
		{ "usbmtscreenpluspad", "USBMTScreenPlusPad", true },
		{ "none", "None", false },
	};
	size_t i;
	int rc;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (strcasecmp(mv->g->v.str, t[i].cli))
			continue;
		rc = mv_rc(hwm_set_str(mv->m, HWM_POINTING, t[i].settings));
		if (rc == MV_OK && t[i].usb)
			rc = ensure_usb(mv);
		return rc;
	}
	return mv_argerr("Invalid type '%s' specfied for pointing device",
			 mv->g->v.str);
}

static int set_keyboard(struct mv *mv)
{
	static const struct {
		const char *cli, *settings;
		bool usb;
	} t[] = {
		{ "ps2", "PS2Keyboard", false }, { "usb", "USBKeyboard", true },
		{ "none", "None", true },
	};
	size_t i;
	int rc;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (strcasecmp(mv->g->v.str, t[i].cli))
			continue;
		rc = mv_rc(hwm_set_str(mv->m, HWM_KEYBOARD, t[i].settings));
		if (rc == MV_OK && t[i].usb)
			rc = ensure_usb(mv);
		return rc;
	}
	return mv_argerr("Invalid type '%s' specfied for keyboard",
			 mv->g->v.str);
}

static int uart_mode(struct mv *mv)
{
	struct vb_getopt *g = mv->g;
	unsigned slot = g->index - 1;
	const char *mode = g->v.str;
	struct hwm_port p;
	char *path = NULL;
	int rc;

	hwm_uart_get(mv->m, slot, &p);
	if (!strcasecmp(mode, "disconnected")) {
		p.mode = "Disconnected";
		return mv_rc(hwm_uart_put(mv->m, slot, &p));
	}
	if (!strcasecmp(mode, "server") || !strcasecmp(mode, "client") ||
	    !strcasecmp(mode, "tcpserver") || !strcasecmp(mode, "tcpclient") ||
	    !strcasecmp(mode, "file")) {
		char m0 = (char)(mode[0] | 0x20);
		bool tcp = m0 == 't', file = m0 == 'f';
		bool server = !file && (mode[tcp ? 3 : 0] | 0x20) == 's';

		if (vb_getopt_fetch(g, VBGO_STRING) != 1)
			return mv_syntax(mv, "Missing or invalid argument to '%s'",
					 mv->name);
		path = strdup(g->v.str);
		if (!path)
			return mv_rc(-ENOMEM);
		p.path = path;
		p.mode = file ? "RawFile" : tcp ? "TCP" : "HostPipe";
		if (!file)
			p.server = server;
	} else {
		p.path = mode;
		p.mode = "HostDevice";
	}
	rc = mv_rc(hwm_uart_put(mv->m, slot, &p));
	free(path);
	return rc;
}

/* --uartN / --lptN: "off" or "<iobase> <irq>". */
static int port_base_irq(struct mv *mv, bool uart)
{
	struct vb_getopt *g = mv->g;
	unsigned slot = g->index - 1;
	const char *base = g->v.str;
	unsigned long long v;
	struct hwm_port p;
	uint32_t irq;

	if (uart)
		hwm_uart_get(mv->m, slot, &p);
	else
		hwm_lpt_get(mv->m, slot, &p);
	if (!strcasecmp(base, "off") || !strcasecmp(base, "disable")) {
		p.enabled = false;
	} else {
		if (vb_getopt_fetch(g, VBGO_U32) != 1)
			return mv_syntax(mv, "Missing or invalid argument to '%s'",
					 mv->name);
		irq = g->v.u32;
		if (irq > 255)
			return port_err(uart, "COMSETTER(IRQ)(ValueUnion.u32)",
					uart ? 2300 : 2360,
					"Invalid IRQ number of the %s port %u: %u (must be in range [0, 255])",
					uart ? "serial" : "parallel", slot, irq);
		if (vb_parse_u64(base, &v) || v == 0 || v > UINT32_MAX)
			return mv_argexit("Error parsing %s I/O base '%s'",
					  uart ? "UART" : "LPT", base);
		if (v > 0xffff)
			return port_err(uart, uart ? "COMSETTER(IOAddress)(uVal)"
						   : "COMSETTER(IOBase)(uVal)",
					uart ? 2306 : 2366,
					"Invalid I/O port base address of the %s port %u: %u (must be in range [0, 0xFFFF])",
					uart ? "serial" : "parallel", slot,
					(unsigned)v);
		p.irq = irq;
		p.iobase = (uint32_t)v;
		p.enabled = true;
	}
	return mv_rc(uart ? hwm_uart_put(mv->m, slot, &p)
			  : hwm_lpt_put(mv->m, slot, &p));
}

static int set_audio_codec(struct mv *mv)
{
	static const struct {
		const char *cli, *settings;
		int num;
	} t[] = {
		{ "sb16", "SB16", 1 }, { "stac9700", "STAC9700", 2 },
		{ "ad1980", "AD1980", 3 }, { "stac9221", "STAC9221", 4 },
	};
	const char *ctl = hwm_get_str(mv->m, HWM_AUDIO_CTL);
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		bool ok;

		if (strcasecmp(mv->g->v.str, t[i].cli))
			continue;
		ok = !strcmp(ctl, "SB16") ? t[i].num == 1 :
		     !strcmp(ctl, "HDA") ? t[i].num == 4 :
		     t[i].num == 2 || t[i].num == 3;
		if (!ok) {
			struct vb_error err = { 0 };
			char ctx[64];

			vb_err(&err, EINVAL, VB_E_INVALIDARG,
			       "Invalid audio codec type %d", t[i].num);
			vb_err_where(&err, "AudioAdapterWrap", "IAudioAdapter",
				     "nsISupports");
			snprintf(ctx, sizeof(ctx),
				 "COMSETTER(AudioCodec)(AudioCodecType_%s)",
				 t[i].settings);
			return mv_api(&err, ctx, 2430);
		}
		return mv_rc(hwm_set_str(mv->m, HWM_AUDIO_CODEC, t[i].settings));
	}
	return mv_argerr("Invalid --audiocodec argument '%s'", mv->g->v.str);
}

static int set_audio_driver(struct mv *mv)
{
	static const struct {
		const char *cli, *settings;
	} t[] = {
		{ "none", "Null" }, { "null", "Null" }, { "default", NULL },
		{ "oss", "OSS" }, { "alsa", "ALSA" }, { "pulse", "Pulse" },
	};
	const char *v = mv->g->v.str;
	size_t i;
	int rc = -EINVAL;

	if (mv->c == MV_AUDIO)
		fprintf(stderr, "Warning: --audio is deprecated and will be removed soon. Use --audio-driver instead!\n");
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (strcasecmp(v, t[i].cli))
			continue;
		if (!t[i].settings) {
			/* "default": remembered as such, with the concrete
			 * backend of this host beside it */
			rc = hwm_set_bool(mv->m, HWM_AUDIO_DEFAULT_DRV, true);
			if (!rc)
				rc = hwm_set_str(mv->m, HWM_AUDIO_DRIVER,
						 hwm_audio_host_default());
		} else {
			rc = hwm_set_bool(mv->m, HWM_AUDIO_DEFAULT_DRV, false);
			if (!rc)
				rc = hwm_set_str(mv->m, HWM_AUDIO_DRIVER,
						 t[i].settings);
		}
		break;
	}
	if (rc == -EINVAL)
		return mv_argerr("Invalid %s argument '%s'",
				 mv->c == MV_AUDIO ? "--audio" : "--audio-driver",
				 v);
	if (!rc && mv->c == MV_AUDIO)
		rc = hwm_set_bool(mv->m, HWM_AUDIO_ENABLED,
				  strcasecmp(v, "none") != 0);
	return mv_rc(rc);
}

/* A VRDE port list: "p[-p][,p[-p]...]" with ports 1..65535 of up to
 * five digits. */
static bool vrde_port_ok(const char *p, size_t n)
{
	unsigned v = 0;
	size_t i;

	if (n == 0 || n > 5)
		return false;
	for (i = 0; i < n; i++)
		v = v * 10 + (unsigned)(p[i] - '0');
	return v != 0 && v < 0x10000;
}

static bool vrde_ports_valid(const char *s)
{
	if (!*s)
		return false;
	while (*s) {
		const char *start = s, *dash = NULL;

		for (; *s && *s != ','; s++) {
			if (*s == '-') {
				if (dash)
					return false;
				dash = s;
			} else if (*s < '0' || *s > '9') {
				return false;
			}
		}
		if (dash ? !vrde_port_ok(start, (size_t)(dash - start)) ||
			   !vrde_port_ok(dash + 1, (size_t)(s - dash - 1))
			 : !vrde_port_ok(start, (size_t)(s - start)))
			return false;
		if (*s == ',')
			s++;
	}
	return true;
}

static const char *mode_word(const char *w)
{
	if (!strcasecmp(w, "disabled"))
		return "Disabled";
	if (!strcasecmp(w, "hosttoguest"))
		return "HostToGuest";
	if (!strcasecmp(w, "guesttohost"))
		return "GuestToHost";
	if (!strcasecmp(w, "bidirectional"))
		return "Bidirectional";
	return NULL;
}

static void vrdp_warning(int c)
{
	const char *sfx = c == MV_VRDPPORT ? "port" :
			  c == MV_VRDPADDRESS ? "address" :
			  c == MV_VRDPAUTHTYPE ? "authtype" :
			  c == MV_VRDPMULTICON ? "multicon" :
			  c == MV_VRDPREUSECON ? "reusecon" :
			  c == MV_VRDPVIDEOCHANNEL ? "videochannel" :
			  c == MV_VRDPVIDEOCHANNELQUALITY ? "videochannelquality"
							   : "";

	fprintf(stderr, "Warning: '--vrdp%s' is deprecated. Use '--vrde%s'.\n",
		sfx, sfx);
}

static int set_usb(struct mv *mv, const char *type, const char *name)
{
	struct vb_error err = { 0 };
	unsigned n = hwm_usb_count(mv->m, type);

	if (!n && mv->g->v.b) {
		if (hwm_usb_add(mv->m, name, type, &err))
			return err.hrc ? mv_api(&err,
						"AddUSBController(Bstr(\"OHCI\").raw(), USBControllerType_OHCI, UsbCtl.asOutParam())",
						3160)
				       : mv_rc(-ENOMEM);
	} else if (n && !mv->g->v.b) {
		return mv_rc(hwm_usb_remove_type(mv->m, type));
	}
	return MV_OK;
}

/* ------------------------------------------------------------------ */
/* recording                                                           */

static int rec_each(struct mv *mv, int (*fn)(struct hwm_recscreen *, void *),
		    void *arg)
{
	uint32_t n = hwm_get_u32(mv->m, HWM_MONITORS), i;
	int rc = 0;

	for (i = 0; i < n && !rc; i++) {
		struct hwm_recscreen s;

		hwm_recscreen_get(mv->m, i, &s);
		rc = fn(&s, arg);
		if (!rc)
			rc = hwm_recscreen_put(mv->m, i, &s);
	}
	return mv_rc(rc);
}

static int rec_file(struct hwm_recscreen *s, void *a)
{
	s->file = a;
	return 0;
}

static int rec_opts(struct hwm_recscreen *s, void *a)
{
	s->options = a;
	return 0;
}

static int rec_u32(struct hwm_recscreen *s, void *a)
{
	const uint32_t *v = a;

	switch (v[0]) {
	case MV_RECORDING_MAXTIME:
		s->max_time = v[1];
		break;
	case MV_RECORDING_MAXSIZE:
		s->max_size = v[1];
		break;
	case MV_RECORDING_VIDEO_RATE:
		s->rate = v[1];
		break;
	case MV_RECORDING_VIDEO_FPS:
		s->fps = v[1];
		break;
	case MV_RECORDING_VIDEO_RES:
		s->width = v[1];
		s->height = v[2];
		break;
	}
	return 0;
}

static int rec_screens(struct mv *mv)
{
	uint32_t n = hwm_get_u32(mv->m, HWM_MONITORS), i;
	const char *p = mv->g->v.str;
	bool on[64] = { false };
	int rc = 0;

	if (!strcasecmp(p, "all") || !strcasecmp(p, "none")) {
		for (i = 0; i < n && i < 64; i++)
			on[i] = !strcasecmp(p, "all");
	} else {
		while (*p) {
			char *end;
			unsigned long s = strtoul(p, &end, 0);

			if (end == p || s >= n)
				return mv_argerr("Invalid list of screens specified\n");
			on[s] = true;
			p = end;
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p && *p++ != ',')
				return mv_argerr("Invalid list of screens specified\n");
		}
	}
	for (i = 0; i < n && i < 64 && !rc; i++) {
		struct hwm_recscreen s;

		hwm_recscreen_get(mv->m, i, &s);
		s.enabled = on[i];
		rc = hwm_recscreen_put(mv->m, i, &s);
	}
	return mv_rc(rc);
}

static int rec_option(struct mv *mv)
{
	uint32_t v[3] = { (uint32_t)mv->c, mv->g->v.u32, 0 };

	switch (mv->c) {
	case MV_RECORDING:
		return mv_rc(hwm_set_bool(mv->m, HWM_RECORDING_ENABLED,
					  mv->g->v.b));
	case MV_RECORDING_SCREENS:
		return rec_screens(mv);
	case MV_RECORDING_FILENAME: {
		char *abs = *mv->g->v.str ? path_abs(mv->g->v.str)
					  : strdup("");
		int rc;

		if (!abs)
			return mv_argerr("Cannot convert filename \"%s\" to absolute path\n",
					 mv->g->v.str);
		rc = rec_each(mv, rec_file, abs);
		free(abs);
		return rc;
	}
	case MV_RECORDING_OPTIONS:
		return rec_each(mv, rec_opts, (void *)mv->g->v.str);
	case MV_RECORDING_MAXTIME:
	case MV_RECORDING_MAXSIZE:
		v[1] = (uint32_t)mv->g->v.i32;
		return rec_each(mv, rec_u32, v);
	case MV_RECORDING_VIDEO_RATE:
	case MV_RECORDING_VIDEO_FPS:
		return rec_each(mv, rec_u32, v);
	case MV_RECORDING_VIDEO_RES: {
		const char *s = mv->g->v.str;
		char *end;
		unsigned long long w, h;

		w = strtoull(s, &end, 0);
		if (end == s || *end != 'x' || w > UINT32_MAX)
			return mv_argerr("Error parsing video resolution '%s' (expected <width>x<height>)",
					 s);
		if (vb_parse_u64(end + 1, &h) || h > UINT32_MAX)
			return mv_argerr("Error parsing video resolution '%s' (expected <width>x<height>)",
					 s);
		v[1] = (uint32_t)w;
		v[2] = (uint32_t)h;
		return rec_each(mv, rec_u32, v);
	}
	default:
		return MV_UNHANDLED;
	}
}

/* ------------------------------------------------------------------ */

static int testing_extradata(struct mv *mv, const char *name,
			     const char *value)
{
	struct vb_error err = { 0 };
	char key[128];

	snprintf(key, sizeof(key), "VBoxInternal/Devices/VMMDev/0/Config/%s",
		 name);
	if (machine_extradata_set(mv->m, key, value, &err)) {
		char ctx[256];

		snprintf(ctx, sizeof(ctx), "IMachine::SetExtraData('%s', '%s')",
			 key, value ? value : "");
		return mv_api(&err, ctx, 512);
	}
	return MV_OK;
}

/* The storage shortcuts: values checked as VirtualBox does, the change
 * itself left to storagectl/storageattach. */
static int storage_shortcut(struct mv *mv)
{
	const char *v = mv->g->v.str;

	if (mv->c == MV_SATA && strcasecmp(v, "on") && strcasecmp(v, "enable") &&
	    strcasecmp(v, "off") && strcasecmp(v, "disable"))
		return mv_argexit("Invalid --usb argument '%s'", v);
	if (mv->c == MV_SCSITYPE && strcasecmp(v, "LsiLogic") &&
	    strcasecmp(v, "BusLogic"))
		return mv_argexit("Invalid --scsitype argument '%s'", v);
	if (mv->c == MV_IDECONTROLLER && strcasecmp(v, "PIIX3") &&
	    strcasecmp(v, "PIIX4") && strcasecmp(v, "ICH6"))
		return mv_argerr("Invalid --idecontroller argument '%s'", v);
	return mv_argerr("The deprecated option '%s' is not supported; use storagectl or storageattach",
			 mv->name);
}

int mv_dev(struct mv *mv)
{
	struct vb_getopt *g = mv->g;
	struct machine *m = mv->m;
	struct hwm_port p;
	const char *v;
	int rc;

	switch (mv->c) {
	case MV_HIDPTR:
		return set_mouse(mv);
	case MV_HIDKBD:
		return set_keyboard(mv);
	case MV_UARTMODE:
		if ((rc = port_slot(mv, HWM_UARTS, true)))
			return rc;
		return uart_mode(mv);
	case MV_UARTTYPE:
		if ((rc = port_slot(mv, HWM_UARTS, true)))
			return rc;
		v = !strcasecmp(g->v.str, "16450") ? "16450" :
		    !strcasecmp(g->v.str, "16550A") ? "16550A" :
		    !strcasecmp(g->v.str, "16750") ? "16750" : NULL;
		if (!v)
			return mv_syntax(mv, "Invalid argument to '%s'", mv->name);
		hwm_uart_get(m, g->index - 1, &p);
		p.uart_type = v;
		return mv_rc(hwm_uart_put(m, g->index - 1, &p));
	case MV_UART:
		if ((rc = port_slot(mv, HWM_UARTS, true)))
			return rc;
		return port_base_irq(mv, true);
	case MV_LPTMODE:
		if ((rc = port_slot(mv, HWM_LPTS, false)))
			return rc;
		hwm_lpt_get(m, g->index - 1, &p);
		p.path = g->v.str;
		return mv_rc(hwm_lpt_put(m, g->index - 1, &p));
	case MV_LPT:
		if ((rc = port_slot(mv, HWM_LPTS, false)))
			return rc;
		return port_base_irq(mv, false);
	case MV_GUESTMEMORYBALLOON: {
		uint32_t max = hwm_get_u32(m, HWM_MEMORY) * 90 / 100;

		if (g->v.u32 >= max)
			return mv_machine_err(VB_E_INVALIDARG,
					      "COMSETTER(MemoryBalloonSize)(ValueUnion.u32)",
					      2400,
					      "Invalid memory balloon size: %u MB (must be in range [%u, %u] MB)",
					      g->v.u32, 0, max);
		return mv_rc(hwm_set_u32(m, HWM_BALLOON, g->v.u32));
	}
	case MV_AUDIOCONTROLLER:
		v = !strcasecmp(g->v.str, "sb16") ? "SB16" :
		    !strcasecmp(g->v.str, "ac97") ? "AC97" :
		    !strcasecmp(g->v.str, "hda") ? "HDA" : NULL;
		if (!v)
			return mv_argerr("Invalid --audiocontroller argument '%s'",
					 g->v.str);
		if (strcmp(v, hwm_get_str(m, HWM_AUDIO_CTL))) {
			rc = hwm_set_str(m, HWM_AUDIO_CTL, v);
			/* Main resets the codec to the controller's own */
			if (!rc)
				rc = hwm_set_str(m, HWM_AUDIO_CODEC,
						 hwm_audio_codec_default(v));
			return mv_rc(rc);
		}
		return MV_OK;
	case MV_AUDIOCODEC:
		return set_audio_codec(mv);
	case MV_AUDIODRIVER:
	case MV_AUDIO:
		return set_audio_driver(mv);
	case MV_AUDIOENABLED:
		return mv_rc(hwm_set_bool(m, HWM_AUDIO_ENABLED, g->v.b));
	case MV_AUDIOIN:
		return mv_rc(hwm_set_bool(m, HWM_AUDIO_IN, g->v.b));
	case MV_AUDIOOUT:
		return mv_rc(hwm_set_bool(m, HWM_AUDIO_OUT, g->v.b));
	case MV_CLIPBOARD_MODE:
		v = mode_word(g->v.str);
		if (!v)
			return mv_argerr("Invalid --clipboard-mode argument '%s'",
					 g->v.str);
		return mv_rc(hwm_set_str(m, HWM_CLIPBOARD, v));
	case MV_DRAGANDDROP:
		v = mode_word(g->v.str);
		if (!v)
			return mv_argerr("Invalid --draganddrop argument '%s'",
					 g->v.str);
		return mv_rc(hwm_set_str(m, HWM_DND, v));
	case MV_VRDE_EXTPACK:
		return mv_rc(hwm_set_str(m, HWM_VRDE_EXTPACK,
					 strcasecmp(g->v.str, "default") ? g->v.str
									 : ""));
	case MV_VRDEPROPERTY: {
		char *prop = strdup(g->v.str), *eq;

		if (!prop)
			return mv_rc(-ENOMEM);
		eq = strchr(prop, '=');
		if (!eq) {
			free(prop);
			return mv_argerr("Invalid --vrdeproperty argument '%s'",
					 g->v.str);
		}
		*eq = '\0';
		rc = hwm_vrde_set_prop(m, prop, eq + 1);
		free(prop);
		return mv_rc(rc);
	}
	case MV_VRDPPORT:
		vrdp_warning(mv->c);
		/* fall through */
	case MV_VRDEPORT: {
		bool dflt = !strcmp(g->v.str, "default");
		const char *ports = dflt || !strcmp(g->v.str, "0") ? "3389"
								   : g->v.str;

		/* "0" (what "default" passes) is the default port 3389;
		 * anything but port lists and ranges is refused without an
		 * error text */
		if (!vrde_ports_valid(ports))
			return mv_plain_err(VB_E_INVALIDARG,
					    dflt ? "SetVRDEProperty(Bstr(\"TCP/Ports\").raw(), Bstr(\"0\").raw())"
						 : "SetVRDEProperty(Bstr(\"TCP/Ports\").raw(), Bstr(ValueUnion.psz).raw())",
					    2870);
		return mv_rc(hwm_vrde_set_prop(m, "TCP/Ports", ports));
	}
	case MV_VRDPADDRESS:
		vrdp_warning(mv->c);
		/* fall through */
	case MV_VRDEADDRESS:
		return mv_rc(hwm_vrde_set_prop(m, "TCP/Address", g->v.str));
	case MV_VRDPAUTHTYPE:
		vrdp_warning(mv->c);
		/* fall through */
	case MV_VRDEAUTHTYPE:
		v = !strcasecmp(g->v.str, "null") ? "Null" :
		    !strcasecmp(g->v.str, "external") ? "External" :
		    !strcasecmp(g->v.str, "guest") ? "Guest" : NULL;
		if (!v)
			return mv_argerr("Invalid --vrdeauthtype argument '%s'",
					 g->v.str);
		return mv_rc(hwm_set_str(m, HWM_VRDE_AUTH_TYPE, v));
	case MV_VRDEAUTHLIBRARY:
		return mv_rc(hwm_set_str(m, HWM_VRDE_AUTH_LIB,
					 strcasecmp(g->v.str, "default") ? g->v.str
									 : ""));
	case MV_VRDPMULTICON:
		vrdp_warning(mv->c);
		/* fall through */
	case MV_VRDEMULTICON:
		return mv_rc(hwm_set_bool(m, HWM_VRDE_MULTICON, g->v.b));
	case MV_VRDPREUSECON:
		vrdp_warning(mv->c);
		/* fall through */
	case MV_VRDEREUSECON:
		return mv_rc(hwm_set_bool(m, HWM_VRDE_REUSECON, g->v.b));
	case MV_VRDPVIDEOCHANNEL:
		vrdp_warning(mv->c);
		/* fall through */
	case MV_VRDEVIDEOCHANNEL:
		return mv_rc(hwm_vrde_set_prop(m, "VideoChannel/Enabled",
					       g->v.b ? "true" : "false"));
	case MV_VRDPVIDEOCHANNELQUALITY:
		vrdp_warning(mv->c);
		/* fall through */
	case MV_VRDEVIDEOCHANNELQUALITY:
		return mv_rc(hwm_vrde_set_prop(m, "VideoChannel/Quality",
					       g->v.str));
	case MV_VRDP:
		vrdp_warning(mv->c);
		/* fall through */
	case MV_VRDE:
		return mv_rc(hwm_set_bool(m, HWM_VRDE_ENABLED, g->v.b));
	case MV_USBRENAME: {
		char *old = strdup(g->v.str);

		if (!old)
			return mv_rc(-ENOMEM);
		if (vb_getopt_fetch(g, VBGO_STRING) != 1) {
			free(old);
			return mv_syntax(mv, "Missing or invalid argument to '%s'",
					 mv->name);
		}
		rc = hwm_usb_rename(m, old, g->v.str);
		free(old);
		if (rc == -ENOENT)
			return mv_argerr("Invalid --usbrename parameters, nothing renamed");
		return mv_rc(rc);
	}
	case MV_USBXHCI:
		return set_usb(mv, "XHCI", "xHCI");
	case MV_USBEHCI:
		return set_usb(mv, "EHCI", "EHCI");
	case MV_USBOHCI:
		return set_usb(mv, "OHCI", "OHCI");
	case MV_USBCARDREADER:
		return mv_rc(hwm_set_bool(m, HWM_CARDREADER, g->v.b));
	case MV_TESTING_ENABLED:
		return testing_extradata(mv, "TestingEnabled",
					 g->v.b ? "1" : NULL);
	case MV_TESTING_MMIO:
		return testing_extradata(mv, "TestingMMIO", g->v.b ? "1" : NULL);
	case MV_TESTING_CFG_DWORD: {
		char name[32], val[16];

		if (g->index > 9)
			return mv_argerr("--testing-cfg-dword index %u is out of range: 0 thru 9",
					 g->index);
		snprintf(name, sizeof(name), "TestingCfgDword%u", g->index);
		snprintf(val, sizeof(val), "%u", g->v.u32);
		return testing_extradata(mv, name, val);
	}
	case MV_HDA: case MV_HDB: case MV_HDD: case MV_IDECONTROLLER:
	case MV_SATAPORTCOUNT: case MV_SATAPORT: case MV_SATA:
	case MV_SCSIPORT: case MV_SCSITYPE: case MV_SCSI:
	case MV_DVDPASSTHROUGH: case MV_DVD: case MV_FLOPPY:
		return storage_shortcut(mv);
	default:
		return rec_option(mv);
	}
}
