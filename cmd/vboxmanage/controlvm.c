/*
 * controlvm: change the state and run-time settings of a running machine
 * (vboxmanage-cli.md 3.5), as VirtualBox 7.0's VBoxManageControlVM.cpp
 * over IConsole and the session machine.  Requests go to the VM process
 * over its control socket (lib/vmm/vmctl.h); settings that VirtualBox
 * changes and saves at run time are written to the .vbox here.
 *
 * Exit codes as VirtualBox: 0, 1 for every failure (even the usage
 * errors after the machine was found, which VirtualBox reports and then
 * ends with E_FAIL), 2 for too few words.
 *
 * What the VM process cannot do is refused with a clear error: network
 * adapters (there are no network devices yet), the display (no graphics
 * device yet), USB, recording, teleporting, CPU hot-plug, guest
 * credentials and shutdown (no Guest Additions).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cmd/vboxmanage/commands.h"
#include "lib/settings/hwmodel.h"
#include "lib/util/fileio.h"
#include "lib/util/strbuf.h"
#include "lib/util/timefmt.h"
#include "lib/vmm/vmctl.h"

#define FILE_CVM "VBoxManageControlVM.cpp"

struct cvm {
	struct vbm_ctx *ctx;
	struct machine *m;
	const char *vm;         /* as typed */
	char uuid[40];
	int argc;               /* words after "controlvm" */
	char **argv;            /* argv[0] = vm, argv[1] = sub-command */
};

/* The VM process went away between our look and our request. */
static int gone(struct cvm *c)
{
	vbm_error("Machine '%s' is not currently running.", c->vm);
	return VBM_FAIL;
}

/* One request; VirtualBox's error block on refusal. */
static int request(struct cvm *c, unsigned n, const char *const *args,
		   const char *context, int line, struct vmm_ctl_reply *reply)
{
	struct vmm_ctl_reply r;
	struct vb_error err = { 0 };
	int rc = vmm_ctl_call(c->uuid, n, args, NULL, NULL, &r, &err);

	if (rc == -ESRCH)
		return gone(c);
	if (rc)
		return vbm_api_error(&err, context, FILE_CVM, line);
	if (reply)
		*reply = r;
	else
		vmm_ctl_reply_free(&r);
	return VBM_OK;
}

static int simple(struct cvm *c, const char *op, const char *context,
		  int line)
{
	const char *args[1] = { op };

	vbm_set_subcommand(c->ctx, op);
	return request(c, 1, args, context, line, NULL);
}

/* Machine::i_... setters refused: what this VM process cannot do. */
static int cannot(struct cvm *c, const char *what)
{
	vbm_error("%s", what);
	(void)c;
	return VBM_FAIL;
}

static int parse_bool(const char *s, bool *out)
{
	static const char *const on[] = { "on", "yes", "true", "1", "enable" };
	static const char *const off[] = { "off", "no", "false", "0", "disable" };
	unsigned i;

	for (i = 0; i < 5; i++) {
		if (!strcasecmp(s, on[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, off[i])) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

/* parseNum(): "Invalid %s number '%s'." and 0 on a bad number. */
static unsigned parse_num(const char *s, unsigned max, const char *name)
{
	unsigned v;

	if (vb_parse_u32(s, &v) || v < 1 || v > max || *s == '0' || *s == '+' ||
	    !strncmp(s, "0x", 2)) {
		vbm_error("Invalid %s number '%s'.", name, s);
		return 0;
	}
	return v;
}

/* errorSyntax() in a sub-command: usage printed, but the command ends
 * with E_FAIL, so exit 1. */
static int sub_syntax(struct cvm *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int sub_syntax(struct cvm *c, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	vbm_syntax(c->ctx, "%s", buf);
	return VBM_FAIL;
}

/* ------------------------------------------------------------------ */
/* Power                                                               */

static void progress(void *ctx, unsigned pct)
{
	vbm_progress_update(ctx, pct);
}

static int do_poweroff(struct cvm *c)
{
	const char *args[1] = { "poweroff" };
	struct vmm_ctl_reply r;
	struct vb_error err = { 0 };
	struct vbm_progress p;
	int rc;

	vbm_set_subcommand(c->ctx, "poweroff");
	rc = vmm_ctl_call(c->uuid, 1, args, NULL, NULL, &r, &err);
	if (rc == -ESRCH)
		return gone(c);
	if (rc)
		return vbm_api_error(&err, "PowerDown(progress.asOutParam())",
				     FILE_CVM, 444);
	vmm_ctl_reply_free(&r);
	vbm_progress_start(&p);
	/* the progress completes when the VM process has let go */
	vmm_ctl_wait_gone(c->uuid, 60000);
	vbm_progress_done(&p, true);
	return VBM_OK;
}

static int do_savestate(struct cvm *c)
{
	static const char *const pause[1] = { "pause" };
	static const char *const save[1] = { "savestate" };
	static const char *const resume[1] = { "resume" };
	struct vmm_ctl_reply r;
	struct vb_error err = { 0 };
	struct vbm_progress p;
	bool paused_by_us = false;
	int rc;

	vbm_set_subcommand(c->ctx, "savestate");
	/* first pause, as VirtualBox does, so no live save is needed */
	rc = vmm_ctl_call(c->uuid, 1, pause, NULL, NULL, &r, &err);
	if (rc == -ESRCH)
		return gone(c);
	if (rc == 0) {
		vmm_ctl_reply_free(&r);
		paused_by_us = true;
	} else if (err.hrc == VBOX_E_INVALID_VM_STATE) {
		enum vm_state st = VMS_COUNT;
		int64_t since;

		if (vmm_ctl_state(c->uuid, &st, &since, NULL) == 1 &&
		    st != VMS_PAUSED) {
			vbm_error("Machine in invalid state %d -- %s.", (int)st + 1,
				  vm_state_name(st, false));
			return VBM_FAIL;
		}
	} else {
		return VBM_FAIL;        /* VirtualBox prints nothing here */
	}
	vbm_progress_start(&p);
	rc = vmm_ctl_call(c->uuid, 1, save, progress, &p, &r, &err);
	if (rc == -ESRCH) {
		vbm_progress_done(&p, false);
		return gone(c);
	}
	if (rc) {
		vbm_progress_done(&p, false);
		fprintf(stderr, "Progress state: %s\n", vb_hrc_name(err.hrc));
		if (err.hrc == VBOX_E_INVALID_VM_STATE || err.hrc == VBOX_E_NOT_SUPPORTED)
			vbm_api_error(&err, "SaveState(progress.asOutParam())",
				      FILE_CVM, 478);
		else
			vbm_api_error_head("Failed to save machine state.", &err,
					   "RTEXITCODE handleControlVM(HandlerArg *)",
					   FILE_CVM, 487);
		if (paused_by_us) {
			struct vmm_ctl_reply r2;

			if (vmm_ctl_call(c->uuid, 1, resume, NULL, NULL, &r2, NULL) == 0)
				vmm_ctl_reply_free(&r2);
		}
		return VBM_FAIL;
	}
	vmm_ctl_reply_free(&r);
	vmm_ctl_wait_gone(c->uuid, 60000);
	vbm_progress_done(&p, true);
	return VBM_OK;
}

/* ------------------------------------------------------------------ */
/* Keyboard                                                            */

/* US layout, scan code set 1: make code of each printable character;
 * '+' in front means with Shift.  (VirtualBox sends 0x28 for '`'.) */
static const char *const kbd_map[95] = {
	" 39", "+02", "+28", "+04", "+05", "+06", "+08", " 28",  /* sp ! " # $ % & ' */
	"+0a", "+0b", "+09", "+0d", " 33", " 0c", " 34", " 35",  /* ( ) * + , - . / */
	" 0b", " 02", " 03", " 04", " 05", " 06", " 07", " 08",  /* 0 - 7 */
	" 09", " 0a", "+27", " 27", "+33", " 0d", "+34", "+35",  /* 8 9 : ; < = > ? */
	"+03", "+1e", "+30", "+2e", "+20", "+12", "+21", "+22",  /* @ A - G */
	"+23", "+17", "+24", "+25", "+26", "+32", "+31", "+18",  /* H - O */
	"+19", "+10", "+13", "+1f", "+14", "+16", "+2f", "+11",  /* P - W */
	"+2d", "+15", "+2c", " 1a", " 2b", " 1b", "+07", "+0c",  /* X Y Z [ \ ] ^ _ */
	" 28", " 1e", " 30", " 2e", " 20", " 12", " 21", " 22",  /* ` a - g */
	" 23", " 17", " 24", " 25", " 26", " 32", " 31", " 18",  /* h - o */
	" 19", " 10", " 13", " 1f", " 14", " 16", " 2f", " 11",  /* p - w */
	" 2d", " 15", " 2c", "+1a", "+2b", "+1b", "+29",         /* x y z { | } ~ */
};

struct codes {
	uint8_t *v;
	size_t n, cap;
	bool shift;
};

static int codes_add(struct codes *k, uint8_t c)
{
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 256;
		uint8_t *nv = realloc(k->v, cap);

		if (!nv)
			return -ENOMEM;
		k->v = nv;
		k->cap = cap;
	}
	k->v[k->n++] = c;
	return 0;
}

static int codes_text(struct codes *k, const char *s, size_t len)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < len && !rc; i++) {
		unsigned char ch = (unsigned char)s[i];
		const char *d = NULL;
		unsigned v;

		if (ch == '\t')
			d = " 0f";
		else if (ch == '\n')
			d = " 1c";
		else if (ch >= 0x20 && ch < 0x7f)
			d = kbd_map[ch - 0x20];
		if (!d)
			continue;       /* no key for it */
		if ((d[0] == '+') != k->shift) {
			k->shift = d[0] == '+';
			rc = codes_add(k, k->shift ? 0x2a : 0xaa);
		}
		vb_parse_hex_u32(d + 1, &v);
		if (!rc)
			rc = codes_add(k, (uint8_t)v);
		if (!rc)
			rc = codes_add(k, (uint8_t)(v | 0x80));
	}
	return rc;
}

/* Hand the codes to the VM, as fast as its keyboard queue takes them. */
static int send_codes(struct cvm *c, const struct codes *k)
{
	size_t done = 0;
	int64_t stuck_since = vb_mono_ms();

	while (done < k->n) {
		const char *args[65];
		char hex[64][4];
		struct vmm_ctl_reply r;
		struct vb_error err = { 0 };
		unsigned n = 0, acc;
		const char *a;
		int rc;

		args[n++] = "kbd";
		while (n < 65 && done + n - 1 < k->n) {
			snprintf(hex[n - 1], sizeof(hex[0]), "%02x", k->v[done + n - 1]);
			args[n] = hex[n - 1];
			n++;
		}
		rc = vmm_ctl_call(c->uuid, n, args, NULL, NULL, &r, &err);
		if (rc == -ESRCH)
			return gone(c);
		if (rc) {
			vbm_error("Failed to send a scancode.");
			return VBM_FAIL;
		}
		a = vmm_ctl_reply_get(&r, "accepted");
		acc = a ? (unsigned)strtoul(a, NULL, 10) : 0;
		vmm_ctl_reply_free(&r);
		done += acc;
		if (acc) {
			stuck_since = vb_mono_ms();
		} else {
			struct timespec ts = { 0, 10000000 };

			/* the guest does not read its keyboard */
			if (vb_mono_ms() - stuck_since > 5000) {
				vbm_error("Failed to send a scancode.");
				return VBM_FAIL;
			}
			nanosleep(&ts, NULL);
		}
	}
	return VBM_OK;
}

static int do_scancodes(struct cvm *c)
{
	struct codes k = { 0 };
	int i, rc;

	vbm_set_subcommand(c->ctx, "keyboardputscancode");
	if (c->argc <= 2)
		return sub_syntax(c, "Missing argument to '%s'. Expected IBM PC AT set 2 keyboard scancode(s).",
				  c->argv[1]);
	for (i = 2; i < c->argc; i++) {
		const char *a = c->argv[i];
		unsigned v;

		if (strlen(a) != 2 || vb_parse_hex_u32(a, &v)) {
			vbm_error("'%s' is not a hex byte!", a);
			free(k.v);
			return VBM_FAIL;
		}
		if (codes_add(&k, (uint8_t)v)) {
			free(k.v);
			vbm_error("Out of memory");
			return VBM_FAIL;
		}
	}
	rc = send_codes(c, &k);
	free(k.v);
	return rc;
}

static int do_putstring(struct cvm *c)
{
	struct codes k = { 0 };
	int i, rc = 0;

	vbm_set_subcommand(c->ctx, "keyboardputstring");
	if (c->argc <= 2)
		return sub_syntax(c, "Missing argument to '%s'. Expected ASCII string(s).",
				  c->argv[1]);
	for (i = 2; i < c->argc && !rc; i++) {
		if (i > 2)
			rc = codes_add(&k, 0x39) || codes_add(&k, 0xb9);
		if (!rc)
			rc = codes_text(&k, c->argv[i], strlen(c->argv[i]));
	}
	if (!rc && k.shift)
		rc = codes_add(&k, 0xaa);
	rc = rc ? (vbm_error("Out of memory"), VBM_FAIL) : send_codes(c, &k);
	free(k.v);
	return rc;
}

static int do_putfile(struct cvm *c)
{
	struct codes k = { 0 };
	struct vb_error err = { 0 };
	char *data = NULL;
	size_t len;
	int rc;

	vbm_set_subcommand(c->ctx, "keyboardputfile");
	if (c->argc <= 2)
		return sub_syntax(c, "Missing argument to '%s'.", c->argv[1]);
	rc = vb_read_file(c->argv[2], 64 * 1024 + 1, &data, &len, &err);
	if (rc == -EFBIG || (!rc && len > 64 * 1024)) {
		vbm_error("File size %zu is greater than 65536: '%s'.",
			  rc ? (size_t)0 : len, c->argv[2]);
		free(data);
		return VBM_FAIL;
	}
	if (rc) {
		vbm_error("Cannot open file '%s': %s.", c->argv[2], vbm_vrc_name(-rc));
		return VBM_FAIL;
	}
	rc = codes_text(&k, data, len);
	free(data);
	if (!rc && k.shift)
		rc = codes_add(&k, 0xaa);
	rc = rc ? (vbm_error("Out of memory"), VBM_FAIL) : send_codes(c, &k);
	free(k.v);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Settings changed at run time                                        */

/* Change the .vbox as the session machine's setters and SaveSettings()
 * would; edit returns VBM_OK or prints its own error. */
static int settings(struct cvm *c, int (*edit)(struct cvm *c, void *arg),
		    void *arg)
{
	struct vb_error err = { 0 };
	int rc;

	if (machine_lock(c->m, &err))
		return vbm_api_error(&err, "SaveSettings()", FILE_CVM, 1296);
	rc = edit(c, arg);
	if (rc == VBM_OK && machine_save(c->m, &err))
		rc = vbm_api_error(&err, "SaveSettings()", FILE_CVM, 1296);
	machine_unlock(c->m);
	return rc;
}

struct setting {
	enum hwm_id id;
	const char *str;        /* string value, or NULL for b */
	bool b;
	uint32_t u;
	int kind;               /* 0 bool, 1 string, 2 u32 */
};

static int edit_hwm(struct cvm *c, void *arg)
{
	struct setting *s = arg;
	int rc = s->kind == 0 ? hwm_set_bool(c->m, s->id, s->b) :
		 s->kind == 1 ? hwm_set_str(c->m, s->id, s->str) :
		 hwm_set_u32(c->m, s->id, s->u);

	if (rc) {
		vbm_error("Out of memory");
		return VBM_FAIL;
	}
	return VBM_OK;
}

struct vrdeprop {
	const char *name, *value;
};

static int edit_vrde_prop(struct cvm *c, void *arg)
{
	struct vrdeprop *p = arg;

	if (hwm_vrde_set_prop(c->m, p->name, p->value)) {
		vbm_error("Out of memory");
		return VBM_FAIL;
	}
	return VBM_OK;
}

/* bad: the message for a bad value ("... '%s'.") */
static int set_bool(struct cvm *c, enum hwm_id id, const char *val,
		    const char *bad_head)
{
	struct setting s = { id, NULL, false, 0, 0 };

	if (parse_bool(val, &s.b))
		return sub_syntax(c, "%s '%s'.", bad_head, val);
	return settings(c, edit_hwm, &s);
}

static int set_str(struct cvm *c, enum hwm_id id, const char *val)
{
	struct setting s = { id, val, false, 0, 1 };

	return settings(c, edit_hwm, &s);
}

static int do_vrde(struct cvm *c, const char *sub)
{
	const char *w = c->argv[1];

	if (!strcmp(w, "vrdp") || !strcmp(w, "vrdpport") ||
	    !strcmp(w, "vrdpvideochannelquality"))
		vbm_warning("'%s' is deprecated. Use '%s'.", w, sub);
	vbm_set_subcommand(c->ctx, sub);
	if (c->argc <= 2)
		return sub_syntax(c, "Missing argument to '%s'.", w);
	if (!strcmp(sub, "vrde"))
		return set_bool(c, HWM_VRDE_ENABLED, c->argv[2],
				"Invalid remote desktop server state");
	if (!strcmp(sub, "vrdeport")) {
		struct vrdeprop p = { "TCP/Ports",
				      !strcmp(c->argv[2], "default") ? "0" : c->argv[2] };

		if (!strcmp(p.value, "0"))
			p.value = "3389";
		return settings(c, edit_vrde_prop, &p);
	}
	if (!strcmp(sub, "vrdevideochannelquality")) {
		struct vrdeprop p = { "VideoChannel/Quality", c->argv[2] };

		return settings(c, edit_vrde_prop, &p);
	}
	/* vrdeproperty name=value */
	{
		char *dup = strdup(c->argv[2]), *eq;
		struct vrdeprop p;
		int rc;

		if (!dup) {
			vbm_error("Failed to allocate memory for VRDE property '%s'.",
				  c->argv[2]);
			return VBM_FAIL;
		}
		eq = strchr(dup, '=');
		if (!eq) {
			free(dup);
			return sub_syntax(c, "Invalid vrdeproperty argument '%s'.",
					  c->argv[2]);
		}
		*eq = 0;
		p.name = dup;
		p.value = eq + 1;
		rc = settings(c, edit_vrde_prop, &p);
		free(dup);
		return rc;
	}
}

static int do_balloon(struct cvm *c)
{
	struct setting s = { HWM_BALLOON, NULL, false, 0, 2 };
	uint32_t max = hwm_get_u32(c->m, HWM_MEMORY) * 90 / 100;
	unsigned long long v;

	vbm_set_subcommand(c->ctx, "guestmemoryballoon");
	if (c->argc != 3)
		return sub_syntax(c, "%s", "Incorrect number of parameters.");
	if (vb_parse_u64(c->argv[2], &v) || v > UINT32_MAX)
		return sub_syntax(c, "Error parsing guest memory balloon size '%s'.",
				  c->argv[2]);
	if (v >= max) {
		struct vb_error err = { 0 };

		vb_err(&err, EINVAL, VB_E_INVALIDARG,
		       "Invalid memory balloon size: %llu MB (must be in range [%u, %u] MB)",
		       v, 0, max);
		vb_err_where(&err, "GuestWrap", "IGuest", "nsISupports");
		return vbm_api_error(&err, "COMSETTER(MemoryBalloonSize)(uVal)",
				     FILE_CVM, 1006);
	}
	/* stored: without Guest Additions there is no balloon driver to
	 * inflate, which VirtualBox does not report either */
	s.u = (uint32_t)v;
	return settings(c, edit_hwm, &s);
}

static int do_mode(struct cvm *c, enum hwm_id id, int first)
{
	static const struct {
		const char *arg, *value;
	} modes[] = {
		{ "disabled", "Disabled" }, { "hosttoguest", "HostToGuest" },
		{ "guesttohost", "GuestToHost" }, { "bidirectional", "Bidirectional" },
	};
	unsigned i;

	for (i = 0; i < 4; i++)
		if (!strcmp(c->argv[first], modes[i].arg))
			return set_str(c, id, modes[i].value);
	if (first == 3) {
		vbm_syntax(c->ctx, "Invalid '%s %s' argument '%s'.", c->argv[1],
			   c->argv[2], c->argv[3]);
		return VBM_FAIL;
	}
	vbm_syntax(c->ctx, "Invalid '%s' argument '%s'.", c->argv[1], c->argv[2]);
	return VBM_FAIL;
}

/* ------------------------------------------------------------------ */
/* Network adapters                                                    */

static int do_nic(struct cvm *c, const char *prefix, const char *scope,
		  const char *disabled_what)
{
	unsigned n = parse_num(c->argv[1] + strlen(prefix), hwm_nic_count(c->m), "NIC");

	vbm_set_subcommand(c->ctx, scope);
	if (!n)
		return VBM_FAIL;
	if (c->argc <= 2)
		return sub_syntax(c, "Missing argument to '%s'.", c->argv[1]);
	if (disabled_what && !hwm_nic_bool(c->m, n - 1, HWN_ENABLED)) {
		/* VirtualBox reports this and still succeeds */
		vbm_error("The NIC %u is currently disabled and thus its %s can't be changed.",
			  n, disabled_what);
		return VBM_OK;
	}
	vbm_error("Network adapter %u cannot be changed while the machine runs: this VM process has no network devices yet (VERR_NOT_SUPPORTED)",
		  n);
	return VBM_FAIL;
}

/* ------------------------------------------------------------------ */
/* The command                                                         */

static int dispatch(struct cvm *c)
{
	const char *s = c->argv[1];

	if (!strcmp(s, "pause"))
		return simple(c, "pause", "Pause()", 336);
	if (!strcmp(s, "resume"))
		return simple(c, "resume", "Resume()", 341);
	if (!strcmp(s, "reset"))
		return simple(c, "reset", "Reset()", 346);
	if (!strcmp(s, "poweroff"))
		return do_poweroff(c);
	if (!strcmp(s, "savestate"))
		return do_savestate(c);
	if (!strcmp(s, "acpipowerbutton"))
		return simple(c, "acpipowerbutton", "PowerButton()", 494);
	if (!strcmp(s, "acpisleepbutton"))
		return simple(c, "acpisleepbutton", "SleepButton()", 499);
	if (!strcmp(s, "keyboardputscancode"))
		return do_scancodes(c);
	if (!strcmp(s, "keyboardputstring"))
		return do_putstring(c);
	if (!strcmp(s, "keyboardputfile"))
		return do_putfile(c);
	if (!strcmp(s, "reboot") || !strcmp(s, "shutdown")) {
		vbm_set_subcommand(c->ctx, s);
		return cannot(c, !strcmp(s, "reboot") ?
			      "Current installed Guest Additions don't support rebooting the guest." :
			      "Current installed Guest Additions don't support shutting down the guest.");
	}
	if (!strncmp(s, "setlinkstate", 12))
		return do_nic(c, "setlinkstate", "setlinkstate", NULL);
	if (!strncmp(s, "nictracefile", 12))
		return do_nic(c, "nictracefile", "nictracefile", "tracefile");
	if (!strncmp(s, "nictrace", 8))
		return do_nic(c, "nictrace", "nictrace", "trace flag");
	if (!strncmp(s, "natpf", 5) && c->argc > 2)
		return do_nic(c, "natpf", !strcmp(c->argv[2], "delete") ?
			      "natpf delete" : "natpf", NULL);
	if (!strncmp(s, "nicproperty", 11))
		return do_nic(c, "nicproperty", "nicproperty", "properties");
	if (!strncmp(s, "nicpromisc", 10))
		return do_nic(c, "nicpromisc", "nicpromisc", "promiscuous mode");
	if (!strncmp(s, "nic", 3))
		return do_nic(c, "nic", "nic", "attachment type");
	if (!strcmp(s, "vrde") || !strcmp(s, "vrdp"))
		return do_vrde(c, "vrde");
	if (!strcmp(s, "vrdeport") || !strcmp(s, "vrdpport"))
		return do_vrde(c, "vrdeport");
	if (!strcmp(s, "vrdeproperty"))
		return do_vrde(c, "vrdeproperty");
	if (!strcmp(s, "vrdevideochannelquality") ||
	    !strcmp(s, "vrdpvideochannelquality"))
		return do_vrde(c, "vrdevideochannelquality");
	if (!strcmp(s, "guestmemoryballoon"))
		return do_balloon(c);
	if (!strcmp(s, "audioin") || !strcmp(s, "audioout")) {
		vbm_set_subcommand(c->ctx, s);
		if (!hwm_get_bool(c->m, HWM_AUDIO_ENABLED)) {
			vbm_syntax(c->ctx, "Audio adapter not enabled in VM configuration.");
			return VBM_FAIL;
		}
		if (c->argc <= 2)
			return sub_syntax(c, "Invalid value '%s'.", "");
		return set_bool(c, !strcmp(s, "audioin") ? HWM_AUDIO_IN : HWM_AUDIO_OUT,
				c->argv[2], "Invalid value");
	}
	if (!strcmp(s, "clipboard")) {
		if (c->argc <= 2) {
			vbm_syntax_arg("Missing argument to '%s'.", s);
			return VBM_FAIL;
		}
		if (!strcmp(c->argv[2], "mode")) {
			vbm_set_subcommand(c->ctx, "clipboard");
			if (c->argc <= 3) {
				vbm_syntax(c->ctx, "Missing argument to '%s %s'.", s, c->argv[2]);
				return VBM_FAIL;
			}
			return do_mode(c, HWM_CLIPBOARD, 3);
		}
		vbm_syntax_arg("Invalid '%s' argument '%s'.", s, c->argv[2]);
		return VBM_FAIL;
	}
	if (!strcmp(s, "draganddrop")) {
		vbm_set_subcommand(c->ctx, s);
		if (c->argc <= 2)
			return sub_syntax(c, "Missing argument to '%s'.", s);
		return do_mode(c, HWM_DND, 2);
	}
	if (!strncmp(s, "autostart-enabled", 17)) {
		vbm_set_subcommand(c->ctx, "autostart-enabled");
		if (c->argc != 3)
			return sub_syntax(c, "Incorrect arguments to '%s'.", s);
		/* VirtualBox turns it on whatever the value says */
		{
			bool b;

			if (parse_bool(c->argv[2], &b))
				return sub_syntax(c, "Invalid value '%s'.", c->argv[2]);
		}
		return set_bool(c, HWM_AUTOSTART_ENABLED, "on", "Invalid value");
	}
	if (!strncmp(s, "autostart-delay", 15)) {
		struct setting st = { HWM_AUTOSTART_DELAY, NULL, false, 0, 2 };

		vbm_set_subcommand(c->ctx, "autostart-delay");
		if (c->argc != 3)
			return sub_syntax(c, "Incorrect arguments to '%s'.", s);
		if (vb_parse_u32(c->argv[2], &st.u) || !strncmp(c->argv[2], "0x", 2))
			return sub_syntax(c, "Invalid autostart delay number '%s'.",
					  c->argv[2]);
		return settings(c, edit_hwm, &st);
	}
	if (!strcmp(s, "setvideomodehint") || !strcmp(s, "setscreenlayout") ||
	    !strcmp(s, "screenshotpng")) {
		vbm_set_subcommand(c->ctx, s);
		if ((!strcmp(s, "setvideomodehint") && c->argc != 5 && c->argc != 6 &&
		     c->argc != 7 && c->argc != 9) ||
		    (!strcmp(s, "setscreenlayout") && c->argc < 4) ||
		    (!strcmp(s, "screenshotpng") && (c->argc <= 2 || c->argc > 4)))
			return sub_syntax(c, "%s", "Incorrect number of parameters.");
		return cannot(c, "The machine has no display: this VirtualBox implementation has no graphics device yet (VERR_NOT_SUPPORTED)");
	}
	if (!strcmp(s, "usbattach") || !strcmp(s, "usbdetach") ||
	    !strcmp(s, "webcam"))
		return cannot(c, "The machine has no USB controller in this VirtualBox implementation (VERR_NOT_SUPPORTED)");
	if (!strcmp(s, "recording") || !strcmp(s, "videocap"))
		return cannot(c, "Recording needs a display, which this VirtualBox implementation does not have yet (VERR_NOT_SUPPORTED)");
	if (!strcmp(s, "teleport"))
		return cannot(c, "Teleporting is not supported by this VirtualBox implementation (VERR_NOT_SUPPORTED)");
	if (!strcmp(s, "plugcpu") || !strcmp(s, "unplugcpu") ||
	    !strcmp(s, "cpuexecutioncap") || !strcmp(s, "vm-process-priority") ||
	    !strncmp(s, "changeuartmode", 14))
		return cannot(c, "This setting cannot be changed while the machine runs in this VirtualBox implementation; change it with modifyvm while the machine is powered off (VERR_NOT_SUPPORTED)");
	if (!strcmp(s, "setcredentials"))
		return cannot(c, "Guest credentials need the Guest Additions, which this VirtualBox implementation does not provide (VERR_NOT_SUPPORTED)");
	if (!strcmp(s, "addencpassword") || !strcmp(s, "removeencpassword") ||
	    !strcmp(s, "removeallencpasswords"))
		return cannot(c, "The machine is not encrypted; this VirtualBox implementation does not encrypt machines (VERR_NOT_SUPPORTED)");
	vbm_syntax(c->ctx, "Invalid parameter '%s'.", s);
	return VBM_FAIL;
}

int cmd_controlvm(struct vbm_ctx *ctx, int argc, char **argv)
{
	struct cvm c;
	int rc;

	if (argc < 3)
		return vbm_syntax(ctx, "Not enough parameters.");
	memset(&c, 0, sizeof(c));
	c.ctx = ctx;
	c.vm = argv[1];
	c.argc = argc - 1;
	c.argv = argv + 1;
	c.m = vbm_find_machine_ctx(ctx, argv[1],
				   "FindMachine(Bstr(a->argv[0]).raw(), machine.asOutParam())",
				   FILE_CVM, 318);
	if (!c.m)
		return VBM_FAIL;
	vb_uuid_fmt(machine_uuid(c.m), c.uuid);
	if (!vmm_ctl_alive(c.uuid)) {
		vbm_error("Machine '%s' is not currently running.", c.vm);
		machine_free(c.m);
		return VBM_FAIL;
	}
	rc = dispatch(&c);
	machine_free(c.m);
	return rc;
}

const struct vbm_help help_controlvm = {
	"change state and settings for a running virtual machine",
	"VBoxManage\bcontrolvm <uuid | vmname> pause\n"
	"VBoxManage\bcontrolvm <uuid | vmname> resume\n"
	"VBoxManage\bcontrolvm <uuid | vmname> reset\n"
	"VBoxManage\bcontrolvm <uuid | vmname> poweroff\n"
	"VBoxManage\bcontrolvm <uuid | vmname> savestate\n"
	"VBoxManage\bcontrolvm <uuid | vmname> acpipowerbutton\n"
	"VBoxManage\bcontrolvm <uuid | vmname> acpisleepbutton\n"
	"VBoxManage\bcontrolvm <uuid | vmname> reboot\n"
	"VBoxManage\bcontrolvm <uuid | vmname> shutdown [--force]\n"
	"VBoxManage\bcontrolvm <uuid | vmname> keyboardputscancode <hex> [hex...]\n"
	"VBoxManage\bcontrolvm <uuid | vmname> keyboardputstring <string> [string...]\n"
	"VBoxManage\bcontrolvm <uuid | vmname> keyboardputfile <filename>\n"
	"VBoxManage\bcontrolvm <uuid | vmname> setlinkstate<N> on | off\n"
	"VBoxManage\bcontrolvm <uuid | vmname> nic<N> null | nat | bridged | "
	"intnet | hostonly | generic | natnetwork [device-name]\n"
	"VBoxManage\bcontrolvm <uuid | vmname> nictrace<N> on | off\n"
	"VBoxManage\bcontrolvm <uuid | vmname> nictracefile<N> <filename>\n"
	"VBoxManage\bcontrolvm <uuid | vmname> nicproperty<N> "
	"prop-name=prop-value\n"
	"VBoxManage\bcontrolvm <uuid | vmname> nicpromisc<N> deny | allow-vms | "
	"allow-all\n"
	"VBoxManage\bcontrolvm <uuid | vmname> natpf<N> [rulename],tcp | "
	"udp,host-IP,hostport,guest-IP,guestport\n"
	"VBoxManage\bcontrolvm <uuid | vmname> natpf<N> delete <rulename>\n"
	"VBoxManage\bcontrolvm <uuid | vmname> guestmemoryballoon "
	"<balloon-size>\n"
	"VBoxManage\bcontrolvm <uuid | vmname> usbattach <uuid | address> "
	"[--capturefile=filename]\n"
	"VBoxManage\bcontrolvm <uuid | vmname> usbdetach <uuid | address>\n"
	"VBoxManage\bcontrolvm <uuid | vmname> audioin on | off\n"
	"VBoxManage\bcontrolvm <uuid | vmname> audioout on | off\n"
	"VBoxManage\bcontrolvm <uuid | vmname> clipboard mode disabled | "
	"hosttoguest | guesttohost | bidirectional\n"
	"VBoxManage\bcontrolvm <uuid | vmname> draganddrop disabled | "
	"hosttoguest | guesttohost | bidirectional\n"
	"VBoxManage\bcontrolvm <uuid | vmname> vrde on | off\n"
	"VBoxManage\bcontrolvm <uuid | vmname> vrdeport <port>\n"
	"VBoxManage\bcontrolvm <uuid | vmname> vrdeproperty "
	"prop-name=prop-value\n"
	"VBoxManage\bcontrolvm <uuid | vmname> vrdevideochannelquality "
	"<percentage>\n"
	"VBoxManage\bcontrolvm <uuid | vmname> setvideomodehint <xres> <yres> "
	"<bpp> [[display] [enabled:yes | no | [x-origin y-origin]]]\n"
	"VBoxManage\bcontrolvm <uuid | vmname> setscreenlayout <display> on | "
	"primary <x-origin> <y-origin> <x-resolution> <y-resolution> <bpp> | off\n"
	"VBoxManage\bcontrolvm <uuid | vmname> screenshotpng <filename> "
	"[display]\n"
	"VBoxManage\bcontrolvm <uuid | vmname> recording on | off\n"
	"VBoxManage\bcontrolvm <uuid | vmname> setcredentials <username> "
	"--passwordfile=<filename> | <password> <domain-name> "
	"--allowlocallogon=yes | no\n"
	"VBoxManage\bcontrolvm <uuid | vmname> teleport --host=<hostname> "
	"--port=<portname> [--maxdowntime=msec] [--passwordfile=filename | "
	"--password=password]\n"
	"VBoxManage\bcontrolvm <uuid | vmname> plugcpu <ID>\n"
	"VBoxManage\bcontrolvm <uuid | vmname> unplugcpu <ID>\n"
	"VBoxManage\bcontrolvm <uuid | vmname> cpuexecutioncap <num>\n"
	"VBoxManage\bcontrolvm <uuid | vmname> vm-process-priority default | "
	"flat | low | normal | high\n"
	"VBoxManage\bcontrolvm <uuid | vmname> webcam attach [pathname "
	"[settings]]\n"
	"VBoxManage\bcontrolvm <uuid | vmname> webcam detach [pathname]\n"
	"VBoxManage\bcontrolvm <uuid | vmname> webcam list\n"
	"VBoxManage\bcontrolvm <uuid | vmname> addencpassword <ID> "
	"password-file | - [--removeonsuspend=yes | no]\n"
	"VBoxManage\bcontrolvm <uuid | vmname> removeencpassword <ID>\n"
	"VBoxManage\bcontrolvm <uuid | vmname> removeallencpasswords\n"
	"VBoxManage\bcontrolvm <uuid | vmname> changeuartmode<N> disconnected "
	"| server <pipe-name> | client <pipe-name> | tcpserver <port> | "
	"tcpclient <hostname:port> | file <filename> | <device-name>\n"
	"VBoxManage\bcontrolvm <uuid | vmname> autostart-enabled<N> on | off\n"
	"VBoxManage\bcontrolvm <uuid | vmname> autostart-delay <seconds>",
	"Changes the state of a running machine, or settings that may change\n"
	"while it runs.  The request goes to the machine's VM process; a\n"
	"machine without one gets \"Machine '<vm>' is not currently running.\".\n"
	"\n"
	"pause and resume stop and continue the virtual CPUs and the virtual\n"
	"time; reset restarts the machine from its firmware; poweroff ends it\n"
	"at once.  savestate pauses the machine, writes its CPU, device and\n"
	"memory state to a .sav file in the snapshot folder and ends the VM\n"
	"process; the next startvm continues from there.  acpipowerbutton and\n"
	"acpisleepbutton press the buttons of the ACPI device, which the\n"
	"guest handles as it likes.\n"
	"\n"
	"keyboardputscancode sends PC scan codes (hex bytes, set 1 as the\n"
	"keyboard controller delivers them); keyboardputstring and\n"
	"keyboardputfile type text on a US layout.\n"
	"\n"
	"vrde*, audioin, audioout, clipboard, draganddrop, guestmemoryballoon\n"
	"and autostart-* change and save the machine's settings.  What this\n"
	"VM process cannot do (network adapters, the display, USB, recording,\n"
	"teleporting, CPU hot-plug, guest credentials) is refused.\n",
};
