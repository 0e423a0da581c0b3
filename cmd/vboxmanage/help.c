/*
 * Usage, full help and man pages, all printed from the struct vbm_help of
 * each command in vbm_commands[].
 *
 * Layout follows VirtualBox 7.0 (VBoxManageHelp.cpp over IPRT's
 * RTMsgRefEntryPrintStringTable): a usage is "Usage - <Brief>:" followed by
 * the command forms, each after an empty line, indented by two spaces and
 * wrapped at the terminal width minus one with a hanging indent of four
 * more; with a sub-command scope the title is "Usage:" and only that
 * sub-command's forms are shown.  The width comes from $IPRT_SCREEN_WIDTH,
 * else the terminal behind the stream (or the other standard streams),
 * else 80.  The full help adds "VBoxManage <cmd> -- <Brief>." and our own
 * description.  The usage of all commands lists them in the order of
 * VirtualBox's manual.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cmd/vboxmanage/vboxmanage.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"

#define NBSP '\b'
#define HARD_BREAK '\v'

/* The global forms ("VBoxManage [-q | --nologo] ..."). */
extern const struct vbm_help vbm_help_common;

/* Order of the usage of all commands: VirtualBox's manual page order. */
static const char *const help_order[] = {
	"list", "showvminfo", "registervm", "unregistervm", "createvm",
	"modifyvm", "snapshot", "clonevm", "movevm", "encryptvm", "startvm",
	"controlvm", "import", "export", "mediumio", "sharedfolder",
	"dhcpserver", "debugvm", "extpack", "unattended", "cloud",
	"cloudprofile", "signova", "modifynvram", "hostonlynet", "updatecheck",
	"discardstate", "adoptstate", "closemedium", "storageattach",
	"storagectl", "bandwidthctl", "showmediuminfo", "createmedium",
	"modifymedium", "clonemedium", "mediumproperty", "encryptmedium",
	"checkmediumpwd", "convertfromraw", "setextradata", "getextradata",
	"setproperty", "usbfilter", "guestproperty", "guestcontrol", "metrics",
	"natnetwork", "hostonlyif", "usbdevsource", NULL
};

/* ------------------------------------------------------------------ */
/* screen width                                                        */

static unsigned fd_width(int fd)
{
	struct winsize ws;

	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 0;
}

static unsigned screen_width(FILE *f)
{
	static unsigned cache[2];
	int which = f == stderr ? 1 : 0;
	const char *env = getenv("IPRT_SCREEN_WIDTH");
	unsigned long long v;
	unsigned w;

	if (cache[which])
		return cache[which];
	if (env && !vb_parse_u64(env, &v) && v > 0 && v <= 0xffffffffu) {
		w = (unsigned)v;
	} else {
		w = fd_width(which ? 2 : 1);
		if (!w)
			w = fd_width(which ? 1 : 2);
		if (!w)
			w = fd_width(0);
		if (!w)
			w = 80;
	}
	cache[which] = w;
	return w;
}

/* ------------------------------------------------------------------ */
/* the string table printer                                            */

struct table {
	FILE *f;
	size_t width;           /* screen width - 1 */
	unsigned pending;       /* empty lines owed before the next text */
	unsigned lines;         /* lines written */
};

static void table_init(struct table *t, FILE *f)
{
	t->f = f;
	t->width = screen_width(f) - 1;
	t->pending = 0;
	t->lines = 0;
}

static void put_word(FILE *f, const char *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fputc(w[i] == NBSP ? ' ' : w[i], f);
}

/* One paragraph: wrapped at words (NBSP does not break), hanging indent
 * of 4 for command forms. */
static void print_string(struct table *t, const char *s, bool form)
{
	size_t len = strlen(s), indent = 0, hang = 0, width = t->width;

	if (len <= width) {
		put_word(t->f, s, len);
		fputc('\n', t->f);
		t->lines++;
		return;
	}
	while (*s == ' ') {
		indent++;
		s++;
	}
	if (indent + 8 >= width)
		width += indent + 8;
	do {
		size_t off = indent + hang, i;
		bool pending_space = false;

		for (i = 0; i < off; i++)
			fputc(' ', t->f);
		do {
			const char *sp = strchr(s, ' ');
			size_t wl = sp ? (size_t)(sp - s) : strlen(s);

			if (off + wl + pending_space > width &&
			    off != indent && pending_space)
				break;
			if (pending_space)
				fputc(' ', t->f);
			put_word(t->f, s, wl);
			off += wl + pending_space;
			s = sp ? sp + 1 : s + wl;
			pending_space = true;
		} while (off < width && *s);
		fputc('\n', t->f);
		t->lines++;
		if (form)
			hang = 4;
	} while (*s);
}

static void table_blank(struct table *t)
{
	t->pending++;
}

static void table_text(struct table *t, const char *s, bool form)
{
	const char *p;

	for (p = s; *p == ' '; p++)
		;
	if (!*p) {
		t->pending++;
		return;
	}
	while (t->pending) {
		fputc('\n', t->f);
		t->pending--;
		t->lines++;
	}
	print_string(t, s, form);
}

/* ------------------------------------------------------------------ */
/* command forms                                                       */

/* Next form of a synopsis: continuation lines joined with one space.
 * Returns the position after it, NULL at the end. */
static const char *next_form(const char *p, struct strbuf *out)
{
	sb_reset(out);
	while (*p == '\n')
		p++;
	if (!*p)
		return NULL;
	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		sb_add(out, p, n);
		if (!nl)
			return p + strlen(p);
		p = nl + 1;
		if (*p != ' ' && *p != '\t')
			return p;
		while (*p == ' ' || *p == '\t')
			p++;
		sb_addc(out, ' ');
	}
}

static bool form_in_scope(const char *form, const char *scope)
{
	size_t sl;
	int tok;

	if (!scope)
		return true;
	sl = strlen(scope);
	for (tok = 0; tok < 5 && *form; tok++) {
		size_t n = strcspn(form, " \b");

		if (n == sl && !strncmp(form, scope, n))
			return true;
		form += n;
		form += strspn(form, " \b");
	}
	return false;
}

/* The forms of one help, each after an empty line; '\v' starts a new
 * output line indented by six. */
static void table_forms(struct table *t, const struct vbm_help *h,
			const char *scope, const char *fallback_name)
{
	struct strbuf form = STRBUF_INIT, line = STRBUF_INIT;
	const char *p = h ? h->synopsis : NULL;

	if (!p) {
		char *s = vb_asprintf("  VBoxManage %s", fallback_name);

		table_blank(t);
		if (s)
			table_text(t, s, true);
		free(s);
		return;
	}
	while ((p = next_form(p, &form))) {
		const char *f = sb_str(&form), *brk;
		bool first = true;

		if (!form_in_scope(f, scope))
			continue;
		table_blank(t);
		do {
			brk = strchr(f, HARD_BREAK);
			sb_reset(&line);
			sb_adds(&line, first ? "  " : "      ");
			sb_add(&line, f, brk ? (size_t)(brk - f) : strlen(f));
			table_text(t, sb_str(&line), true);
			f = brk ? brk + 1 : NULL;
			first = false;
		} while (f);
	}
	sb_release(&form);
	sb_release(&line);
}

static void print_title(FILE *f, const char *brief)
{
	fprintf(f, "Usage - %c%s:\n",
		brief[0] >= 'a' && brief[0] <= 'z' ? brief[0] - 'a' + 'A'
						     : brief[0],
		brief[0] ? brief + 1 : "");
}

void vbm_set_subcommand(struct vbm_ctx *ctx, const char *sub)
{
	ctx->scope = sub;
}

unsigned vbm_usage(struct vbm_ctx *ctx, bool to_stderr)
{
	const struct vbm_command *cmd = ctx->cmd;
	const struct vbm_help *h = cmd ? cmd->help : NULL;
	struct table t;

	table_init(&t, to_stderr ? stderr : stdout);
	if (!cmd)
		return vbm_usage_all(t.f);
	if (ctx->scope || !h)
		fprintf(t.f, "Usage:\n");
	else
		print_title(t.f, h->brief);
	table_forms(&t, h, ctx->scope, cmd->name);
	fflush(t.f);
	return t.lines;
}

static const struct vbm_command *command_named(const char *name)
{
	const struct vbm_command *c;

	for (c = vbm_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static bool in_help_order(const char *name)
{
	int i;

	for (i = 0; help_order[i]; i++)
		if (!strcmp(help_order[i], name))
			return true;
	return false;
}

unsigned vbm_usage_all(FILE *f)
{
	const struct vbm_command *c;
	struct table t;
	int i;

	table_init(&t, f);
	print_title(f, vbm_help_common.brief);
	table_forms(&t, &vbm_help_common, NULL, "");
	for (i = 0; help_order[i]; i++) {
		c = command_named(help_order[i]);
		if (!c || (c->flags & VBMC_HIDDEN))
			continue;
		if (!t.pending)
			t.pending = 1;
		table_forms(&t, c->help, NULL, c->name);
	}
	for (c = vbm_commands; c->name; c++) {
		if ((c->flags & VBMC_HIDDEN) || in_help_order(c->name))
			continue;
		if (!t.pending)
			t.pending = 1;
		table_forms(&t, c->help, NULL, c->name);
	}
	fflush(f);
	return t.lines;
}

void vbm_full_help(struct vbm_ctx *ctx)
{
	const struct vbm_command *cmd = ctx->cmd;
	const struct vbm_help *h = cmd ? cmd->help : NULL;
	struct strbuf sb = STRBUF_INIT;
	struct table t;
	const char *p;

	table_init(&t, stdout);
	if (!cmd) {
		vbm_usage_all(stdout);
		return;
	}
	sb_addf(&sb, "VBoxManage %s -- ", cmd->name);
	if (h && h->brief[0]) {
		char c = h->brief[0];

		sb_addc(&sb, c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c);
		sb_adds(&sb, h->brief + 1);
	}
	sb_addc(&sb, '.');
	table_text(&t, sb_str(&sb), false);
	table_blank(&t);
	table_text(&t, "Usage", false);
	table_text(&t, "=====", false);
	table_forms(&t, h, ctx->scope, cmd->name);
	if (h && h->description) {
		table_blank(&t);
		table_text(&t, "Description", false);
		table_text(&t, "===========", false);
		table_blank(&t);
		for (p = h->description; *p;) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);

			sb_reset(&sb);
			if (n)
				sb_adds(&sb, "  ");
			sb_add(&sb, p, n);
			table_text(&t, sb_str(&sb), false);
			p = nl ? nl + 1 : p + n;
		}
	}
	sb_release(&sb);
	fflush(stdout);
}

/* ------------------------------------------------------------------ */
/* man pages                                                           */

static void roff_text(FILE *f, const char *s, size_t n)
{
	size_t i;

	if (n && (s[0] == '.' || s[0] == '\''))
		fputs("\\&", f);
	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '\\':
			fputs("\\e", f);
			break;
		case '-':
			fputs("\\-", f);
			break;
		case NBSP:
			fputs("\\ ", f);
			break;
		case HARD_BREAK:
			fputs("\n.br\n", f);
			break;
		default:
			fputc(s[i], f);
		}
	}
}

static void man_forms(FILE *f, const struct vbm_help *h)
{
	struct strbuf form = STRBUF_INIT;
	const char *p = h->synopsis;

	while (p && (p = next_form(p, &form))) {
		fputs(".HP 4\n", f);
		roff_text(f, sb_str(&form), form.len);
		fputc('\n', f);
	}
	sb_release(&form);
}

/* Paragraphs separated by empty lines become .PP; lines that start with
 * white space are kept as they are (.nf). */
static void man_description(FILE *f, const char *d)
{
	bool in_nf = false, need_pp = true;

	while (d && *d) {
		const char *nl = strchr(d, '\n');
		size_t n = nl ? (size_t)(nl - d) : strlen(d);

		if (!n) {
			if (in_nf) {
				fputs(".fi\n", f);
				in_nf = false;
			}
			need_pp = true;
		} else {
			bool pre = d[0] == ' ' || d[0] == '\t';

			if (need_pp) {
				fputs(".PP\n", f);
				need_pp = false;
			}
			if (pre && !in_nf) {
				fputs(".nf\n", f);
				in_nf = true;
			} else if (!pre && in_nf) {
				fputs(".fi\n", f);
				in_nf = false;
			}
			roff_text(f, d, n);
			fputc('\n', f);
		}
		d = nl ? nl + 1 : d + n;
	}
	if (in_nf)
		fputs(".fi\n", f);
}

static void man_header(FILE *f, const char *title)
{
	fputs(".\\\" Generated from the built-in help of VBoxManage "
	      "(make man-update); do not edit.\n", f);
	fprintf(f, ".TH \"%s\" \"1\" \"\" \"%s %s\" \"User Commands\"\n",
		title, vbm_product(), vbm_version_short());
	/* no hyphenation inside option names, ragged right margin */
	fputs(".nh\n.ad l\n", f);
}

static int write_command_page(const char *dir, const struct vbm_command *c)
{
	char *path = vb_asprintf("%s/VBoxManage-%s.1", dir, c->name);
	char upper[64];
	FILE *f;
	size_t i;
	int k;

	if (!path)
		return -ENOMEM;
	f = fopen(path, "w");
	free(path);
	if (!f)
		return -errno;
	snprintf(upper, sizeof(upper), "VBOXMANAGE-%s", c->name);
	for (i = 0; upper[i]; i++)
		if (upper[i] >= 'a' && upper[i] <= 'z')
			upper[i] = (char)(upper[i] - 'a' + 'A');
	man_header(f, upper);
	fputs(".SH NAME\n", f);
	fprintf(f, "VBoxManage\\-%s \\- ", c->name);
	roff_text(f, c->help->brief, strlen(c->help->brief));
	fputs("\n.SH SYNOPSIS\n", f);
	man_forms(f, c->help);
	if (c->aliases[0]) {
		fputs(".PP\nAlso available as", f);
		for (k = 0; k < 4 && c->aliases[k]; k++)
			fprintf(f, "%s \\fB%s\\fR", k ? "," : "", c->aliases[k]);
		fputs(".\n", f);
	}
	if (c->help->description) {
		fputs(".SH DESCRIPTION\n", f);
		man_description(f, c->help->description);
	}
	fputs(".SH SEE ALSO\n.BR VBoxManage (1)\n", f);
	return fclose(f) ? -errno : 0;
}

static int write_main_page(const char *dir)
{
	const struct vbm_command *c;
	char *path = vb_asprintf("%s/VBoxManage.1", dir);
	FILE *f;
	bool first = true;

	if (!path)
		return -ENOMEM;
	f = fopen(path, "w");
	free(path);
	if (!f)
		return -errno;
	man_header(f, "VBOXMANAGE");
	fputs(".SH NAME\nVBoxManage \\- ", f);
	roff_text(f, vbm_help_common.brief, strlen(vbm_help_common.brief));
	fputs("\n.SH SYNOPSIS\n", f);
	man_forms(f, &vbm_help_common);
	fputs(".SH DESCRIPTION\n", f);
	man_description(f, vbm_help_common.description);
	fputs(".SH COMMANDS\n", f);
	for (c = vbm_commands; c->name; c++) {
		if ((c->flags & VBMC_HIDDEN) || !c->help)
			continue;
		fputs(".TP\n", f);
		fprintf(f, ".BR VBoxManage\\-%s (1)\n", c->name);
		roff_text(f, c->help->brief, strlen(c->help->brief));
		fputc('\n', f);
	}
	fputs(".SH SEE ALSO\n", f);
	for (c = vbm_commands; c->name; c++) {
		if ((c->flags & VBMC_HIDDEN) || !c->help)
			continue;
		fprintf(f, "%s.BR VBoxManage\\-%s (1)", first ? "" : ",\n",
			c->name);
		first = false;
	}
	fputs("\n", f);
	return fclose(f) ? -errno : 0;
}

int vbm_write_manpages(const char *dir)
{
	const struct vbm_command *c;
	int rc;

	rc = write_main_page(dir);
	for (c = vbm_commands; !rc && c->name; c++)
		if (!(c->flags & VBMC_HIDDEN) && c->help)
			rc = write_command_page(dir, c);
	return rc;
}
