/*
 * Message and output shapes of VBoxManage (see vboxmanage-cli.md 1.3-1.8):
 * the logo, "VBoxManage: error:" lines, the API error block with its
 * Details/Context lines, syntax errors with usage, machine-readable
 * quoting and the progress line.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/vboxmanage/vboxmanage.h"
#include "lib/util/strbuf.h"

#define STR_(x) #x
#define STR(x) STR_(x)

const char *vbm_product(void)
{
	return "VBox-KVM";
}

const char *vbm_version_string(void)
{
	return STR(VB_VERSION_MAJOR) "." STR(VB_VERSION_MINOR) "."
		STR(VB_VERSION_BUILD) "_" VB_VERSION_TAG "r" STR(VB_REVISION);
}

const char *vbm_version_short(void)
{
	return STR(VB_VERSION_MAJOR) "." STR(VB_VERSION_MINOR) "."
		STR(VB_VERSION_BUILD) "_" VB_VERSION_TAG;
}

void vbm_logo(bool to_stderr)
{
	static bool shown;
	FILE *f = to_stderr ? stderr : stdout;

	if (shown)
		return;
	shown = true;
	fprintf(f, "%s Command Line Management Interface Version %s\n",
		vbm_product(), vbm_version_short());
	fprintf(f, "Copyright (C) %d the %s authors\n\n", VB_BUILD_YEAR,
		vbm_product());
	fflush(f);
}

/* Print every line of text with the prefix. */
/* Print every line of text with the prefix.  Messages can quote names
 * taken from files (an extent name in a VMDK descriptor, say): control
 * characters other than TAB are shown as '?' so that such a file cannot
 * drive the user's terminal. */
static void lines(const char *prefix, const char *text)
{
	const char *p = text;

	do {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p), i;

		fprintf(stderr, "VBoxManage: %s", prefix);
		for (i = 0; i < len; i++) {
			unsigned char c = (unsigned char)p[i];

			fputc((c < 0x20 && c != '\t') || c == 0x7f ? '?' : c,
			      stderr);
		}
		fputc('\n', stderr);
		p = nl ? nl + 1 : NULL;
	} while (p && *p);
}

static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	char *s = NULL;

	if (vasprintf(&s, fmt, ap) < 0) {
		fprintf(stderr, "VBoxManage: %s(out of memory)\n", prefix);
		return;
	}
	lines(prefix, s);
	free(s);
}

void vbm_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("error: ", fmt, ap);
	va_end(ap);
}

void vbm_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void vbm_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("info: ", fmt, ap);
	va_end(ap);
}

int vbm_api_error(const struct vb_error *err, const char *context,
		  const char *file, int line)
{
	uint32_t hrc = err->hrc ? err->hrc : VB_E_FAIL;

	lines("error: ", err->msg[0] ? err->msg : "Unknown error");
	if (err->component) {
		fprintf(stderr,
			"VBoxManage: error: Details: code %s (0x%08x), component %s, interface %s",
			vb_hrc_name(hrc), hrc, err->component,
			err->iface ? err->iface : "IUnknown");
		if (err->callee)
			fprintf(stderr, ", callee %s", err->callee);
		fputc('\n', stderr);
	} else {
		fprintf(stderr,
			"VBoxManage: error: Details: code %s (0x%08x), component %s, interface %s\n",
			vb_hrc_name(hrc), hrc, "SessionMachine", "IMachine");
	}
	if (context)
		fprintf(stderr,
			"VBoxManage: error: Context: \"%s\" at line %d of file %s\n",
			context, line, file);
	return VBM_FAIL;
}

/* XPCOM's texts for the codes a call can fail with without error info. */
static const char *hrc_text(uint32_t hrc)
{
	switch (hrc) {
	case VB_E_INVALIDARG: return "Invalid argument value";
	case VB_E_NOTIMPL: return "Not implemented";
	case VB_E_OUTOFMEMORY: return "Out of memory";
	case VB_E_ACCESSDENIED: return "Access denied";
	case VB_E_UNEXPECTED: return "Unexpected error";
	default: return "Operation failed";
	}
}

int vbm_api_error_noinfo(uint32_t hrc, const char *context, const char *file,
			 int line)
{
	fprintf(stderr,
		"VBoxManage: error: Code %s (0x%08X) - %s (extended info not available)\n",
		vb_hrc_name(hrc), hrc, hrc_text(hrc));
	if (context)
		fprintf(stderr,
			"VBoxManage: error: Context: \"%s\" at line %d of file %s\n",
			context, line, file);
	return VBM_FAIL;
}

int vbm_api_error_head(const char *head, const struct vb_error *err,
		       const char *context, const char *file, int line)
{
	vbm_error("%s", head);
	return vbm_api_error(err, context, file, line);
}

int vbm_syntax(struct vbm_ctx *ctx, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	vbm_logo(true);
	lines("error: ", msg ? msg : "(out of memory)");
	fputc('\n', stderr);
	if (ctx && vbm_usage(ctx, true) >= 16) {
		fputc('\n', stderr);
		lines("error: ", msg ? msg : "(out of memory)");
	}
	free(msg);
	return VBM_SYNTAX;
}

int vbm_syntax_arg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("error: ", fmt, ap);
	va_end(ap);
	return VBM_SYNTAX;
}

/* The message of IPRT's errorGetOptWorker for one RTGetOpt result. */
static void getopt_message(struct vb_getopt *g, int rc, char *msg, size_t n)
{
	if (rc == VBGO_NOT_OPTION)
		snprintf(msg, n, "Invalid parameter '%s'", g->v.str);
	else if (rc > 0 && rc < 127 && rc >= ' ')
		snprintf(msg, n, "Invalid option -%c", rc);
	else if (rc > 0)
		snprintf(msg, n, "Invalid option case %i", rc);
	else if (rc == VBGO_ERR_UNKNOWN)
		snprintf(msg, n, "Unknown option: %s",
			 g->v.str ? g->v.str : g->arg);
	else if (rc == VBGO_ERR_FORMAT)
		snprintf(msg, n, "Invalid argument format: %s",
			 g->v.str ? g->v.str : g->arg);
	else if (g->def && g->def->name)
		snprintf(msg, n, "%s: %s", g->def->name, vb_getopt_strerror(rc));
	else
		snprintf(msg, n, "%s", vb_getopt_strerror(rc));
}

int vbm_getopt_error(struct vbm_ctx *ctx, struct vb_getopt *g, int rc)
{
	char msg[1024];

	if (rc == 'V') {
		printf("%s\n", vbm_version_string());
		return VBM_OK;
	}
	if (rc == 'h' || rc == '?') {
		vbm_full_help(ctx);
		return VBM_OK;
	}
	getopt_message(g, rc, msg, sizeof(msg));
	vbm_logo(true);
	lines("error: ", msg);
	if (ctx && vbm_usage(ctx, true) >= 16) {
		fputc('\n', stderr);
		lines("error: ", msg);
	}
	return VBM_SYNTAX;
}

int vbm_fetch_error(struct vbm_ctx *ctx, struct vb_getopt *g, int value_no,
		    const char *opt, int rc)
{
	char msg[1024];

	(void)ctx;
	vbm_logo(true);
	if (rc == VBGO_ERR_MISSING) {
		vbm_error("Missing the %u%s value for option %s", value_no,
			  value_no == 1 ? "st" : value_no == 2 ? "nd" :
			  value_no == 3 ? "rd" : "th", opt);
	} else {
		getopt_message(g, rc, msg, sizeof(msg));
		lines("error: ", msg);
	}
	return VBM_SYNTAX;
}

int vbm_no_subcommand(struct vbm_ctx *ctx)
{
	return vbm_syntax(ctx, "No subcommand specified");
}

static bool is_help_word(const char *w)
{
	return !strcmp(w, "--help") || !strcmp(w, "-h") || !strcmp(w, "-?");
}

int vbm_unknown_subcommand(struct vbm_ctx *ctx, const char *word)
{
	if (is_help_word(word)) {
		vbm_full_help(ctx);
		return VBM_OK;
	}
	return vbm_syntax(ctx, "Unknown subcommand: %s", word);
}

int vbm_too_many(struct vbm_ctx *ctx, char **rest)
{
	int i;

	for (i = 0; rest && rest[i]; i++) {
		if (is_help_word(rest[i])) {
			vbm_full_help(ctx);
			return VBM_OK;
		}
		if (!strcmp(rest[i], "--"))
			break;
	}
	return vbm_syntax(ctx, "Too many parameters");
}

bool vbm_pattern_match(const char *pat, const char *s)
{
	if (!*pat)
		return !*s;
	if (*pat == '*') {
		for (;;) {
			if (vbm_pattern_match(pat + 1, s))
				return true;
			if (!*s)
				return false;
			s++;
		}
	}
	if (!*s)
		return false;
	if (*pat != '?' && *pat != *s)
		return false;
	return vbm_pattern_match(pat + 1, s + 1);
}

const char *vbm_vrc_name(int errnum)
{
	switch (errnum < 0 ? -errnum : errnum) {
	case 0: return "VINF_SUCCESS";
	case ENOENT: return "VERR_FILE_NOT_FOUND";
	case ENOTDIR: return "VERR_PATH_NOT_FOUND";
	case EACCES: case EPERM: return "VERR_ACCESS_DENIED";
	case EISDIR: return "VERR_IS_A_DIRECTORY";
	case EEXIST: return "VERR_ALREADY_EXISTS";
	case ENOMEM: return "VERR_NO_MEMORY";
	case ENOSPC: return "VERR_DISK_FULL";
	case EROFS: return "VERR_WRITE_PROTECT";
	case EFBIG: return "VERR_FILE_TOO_BIG";
	case EINVAL: return "VERR_INVALID_PARAMETER";
	case EILSEQ: return "VERR_INVALID_UTF8_ENCODING";
	case ENAMETOOLONG: return "VERR_FILENAME_TOO_LONG";
	case ELOOP: return "VERR_TOO_MANY_SYMLINKS";
	case EBUSY: return "VERR_RESOURCE_BUSY";
	case ENOTEMPTY: return "VERR_DIR_NOT_EMPTY";
	case EXDEV: return "VERR_NOT_SAME_DEVICE";
	default: return "VERR_GENERAL_FAILURE";
	}
}

/* ---- machine-readable ---- */

static void put_quoted(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

void vbm_mr_str(const char *key, const char *value)
{
	if (strchr(key, '='))
		put_quoted(key);
	else
		fputs(key, stdout);
	putchar('=');
	put_quoted(value ? value : "");
	putchar('\n');
}

void vbm_mr_strq(const char *key, const char *value)
{
	put_quoted(key);
	putchar('=');
	put_quoted(value ? value : "");
	putchar('\n');
}

void vbm_mr_u64(const char *key, unsigned long long v)
{
	printf("%s=%llu\n", key, v);
}

void vbm_mr_i64(const char *key, long long v)
{
	printf("%s=%lld\n", key, v);
}

void vbm_human(const char *label, const char *fmt, ...)
{
	char lab[128];
	va_list ap;

	snprintf(lab, sizeof(lab), "%s:", label);
	printf("%-28s ", lab);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* ---- progress ---- */

void vbm_progress_start(struct vbm_progress *p)
{
	p->last = -1;
	vbm_progress_update(p, 0);
}

void vbm_progress_update(struct vbm_progress *p, unsigned percent)
{
	int tenth;

	if (percent > 100)
		percent = 100;
	tenth = (int)(percent / 10);
	if (tenth >= 10)
		tenth = 9;      /* 100% is printed by _done */
	while (p->last < tenth) {
		p->last++;
		fprintf(stderr, "%d%%...", p->last * 10);
	}
	fflush(stderr);
}

void vbm_progress_done(struct vbm_progress *p, bool ok)
{
	if (ok) {
		vbm_progress_update(p, 99);
		fprintf(stderr, "100%%\n");
	} else {
		fprintf(stderr, "\n");
	}
	fflush(stderr);
}

void vbm_progress_cb(void *ctx, unsigned percent)
{
	vbm_progress_update(ctx, percent);
}

struct machine *vbm_find_machine(struct vbm_ctx *ctx, const char *spec,
				 const char *file, int line)
{
	return vbm_find_machine_ctx(ctx, spec,
				    "FindMachine(Bstr(VMNameOrUuid).raw(), machine.asOutParam())",
				    file, line);
}

struct machine *vbm_find_machine_ctx(struct vbm_ctx *ctx, const char *spec,
				     const char *context, const char *file,
				     int line)
{
	struct vbox *vb = vbm_vbox(ctx);
	struct vb_error err = { 0 };
	struct machine *m;

	if (!vb)
		return NULL;
	if (vbox_find_machine(vb, spec, &m, &err)) {
		vbm_api_error(&err, context, file, line);
		return NULL;
	}
	return m;
}
