/*
 * VBoxManage: global options, response files, command dispatch.
 *
 *   VBoxManage [global options] <command> [arguments]
 *
 * Global options are matched exactly, left to right, until the first word
 * that is not one (vboxmanage-cli.md 1.1).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/vboxmanage/vboxmanage.h"
#include "lib/util/fileio.h"
#include "lib/util/strbuf.h"

static struct vbox *g_vb;

struct vbox *vbm_vbox(struct vbm_ctx *ctx)
{
	struct vb_error err = { 0 };

	if (ctx->vb)
		return ctx->vb;
	if (g_vb) {
		ctx->vb = g_vb;
		return g_vb;
	}
	if (vbox_open(&g_vb, &err)) {
		if (err.hrc == VBOX_E_XML_ERROR) {
			vbm_error("Failed to create the VirtualBox object!");
			vbm_error("%s", err.msg);
			vbm_error("Most likely, the VirtualBox COM server is not running or failed to start.");
		} else {
			vbm_error("%s", err.msg);
		}
		g_vb = NULL;
		return NULL;
	}
	ctx->vb = g_vb;
	return g_vb;
}

const struct vbm_command *vbm_find_command(const char *name)
{
	const struct vbm_command *c;
	int i;

	for (c = vbm_commands; c->name; c++) {
		if (!strcmp(c->name, name))
			return c;
		for (i = 0; i < 4 && c->aliases[i]; i++)
			if (!strcmp(c->aliases[i], name))
				return c;
	}
	return NULL;
}

/*
 * Split a response file the way IPRT's RTGetOptArgvFromString does with
 * Bourne-shell quoting: words separated by space, tab, CR and LF; '...'
 * literal; "..." with \" \\ \$ \` and \<newline> escapes (any other
 * escaped character comes out after a '"', as in IPRT); \x outside quotes
 * is x; an unterminated quote ends with the text.
 */
static void split_response(const char *p, struct strbuf *words, int *count)
{
	*count = 0;
	for (;;) {
		char quote = 0;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p)
			break;
		for (; *p; p++) {
			char c = *p;

			if (!quote) {
				if (c == '"' || c == '\'') {
					quote = c;
				} else if (c == ' ' || c == '\t' || c == '\n' ||
					   c == '\r') {
					break;
				} else if (c != '\\') {
					sb_addc(words, c);
				} else {
					if (!p[1])
						break;
					sb_addc(words, *++p);
				}
			} else if (c != quote) {
				if (c != '\\' || quote == '\'') {
					sb_addc(words, c);
				} else {
					if (!p[1])
						break;
					c = *++p;
					if (!strchr("\"\\`$\n", c))
						sb_addc(words, quote);
					sb_addc(words, c);
				}
			} else {
				quote = 0;
			}
		}
		sb_addc(words, '\0');
		(*count)++;
		if (!*p)
			break;
		p++;
	}
}

static bool valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i], need, cp;

		if (c < 0x80) {
			if (!c)
				return true;    /* the text ends here, as in IPRT */
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		for (unsigned k = 1; k <= need; k++) {
			if (i + k >= n || (s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += need + 1;
	}
	return true;
}

/* Replace argv[at] ("@file") by the words of the file. */
static int splice_response(int *argcp, char ***argvp, int at)
{
	struct strbuf words = STRBUF_INIT;
	struct vb_error err = { 0 };
	const char *file = (*argvp)[at] + 1;
	char *text, **nargv;
	const char *w;
	size_t len;
	int n, i, k, argc = *argcp, rc;

	rc = vb_read_file(file, 64u << 20, &text, &len, &err);
	if (rc) {
		vbm_error("Error reading response file '%s': %s", file,
			  vbm_vrc_name(rc));
		return -1;
	}
	if (!valid_utf8((const unsigned char *)text, len)) {
		free(text);
		vbm_error("Invalid response file ('%s') encoding: %s", file,
			  "VERR_INVALID_UTF8_ENCODING");
		return -1;
	}
	split_response(text, &words, &n);
	free(text);
	nargv = calloc((size_t)argc + (size_t)n + 1, sizeof(char *));
	if (words.oom || !nargv) {
		free(nargv);
		sb_release(&words);
		vbm_error("out of memory");
		return -1;
	}
	for (i = 0; i <= at; i++)
		nargv[i] = (*argvp)[i];
	k = at + 1;
	w = words.buf;
	for (i = 0; i < n; i++) {
		nargv[k++] = (char *)w;
		w += strlen(w) + 1;
	}
	for (i = at + 1; i < argc; i++)
		nargv[k++] = (*argvp)[i];
	nargv[k] = NULL;
	*argcp = k;
	*argvp = nargv;
	/* words.buf and nargv live as long as the process */
	return 0;
}

static bool is_help(const char *a)
{
	return !strcmp(a, "help") || !strcmp(a, "--help") || !strcmp(a, "-h") ||
	       !strcmp(a, "-?") || !strcmp(a, "-help");
}

static bool is_version(const char *a)
{
	return !strcmp(a, "-V") || !strcmp(a, "--version") ||
	       !strcmp(a, "-v") || !strcmp(a, "-version") ||
	       !strcmp(a, "-Version");
}

/* --settingspwfile: the first line of the file ("stdin" = standard
 * input), as VirtualBox's readPasswordFile.  The settings secret only
 * protects stored iSCSI secrets, which nothing here writes yet. */
static int read_settings_pw_file(const char *file)
{
	char buf[512];
	size_t n;
	FILE *f = strcmp(file, "stdin") ? fopen(file, "r") : stdin;

	if (!f) {
		vbm_error("Cannot open password file '%s' (%s)", file,
			  vbm_vrc_name(errno));
		return VBM_FAIL;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	if (ferror(f)) {
		vbm_error("Cannot read password from file '%s': %s", file,
			  vbm_vrc_name(errno));
		if (f != stdin)
			fclose(f);
		return VBM_FAIL;
	}
	if (f != stdin)
		fclose(f);
	buf[n] = '\0';
	if (strcspn(buf, "\r\n\t") >= sizeof(buf) - 1 && n >= sizeof(buf) - 1) {
		vbm_error("Provided password in file '%s' is too long", file);
		return VBM_FAIL;
	}
	return VBM_OK;
}

/*
 * Global options, as VirtualBox's main(): words are looked at left to
 * right while iCmd counts the words consumed (a password value counts
 * without being skipped, as in VirtualBox).
 */
int main(int argc, char **argv)
{
	struct vbm_ctx ctx = { 0 };
	const struct vbm_command *cmd;
	const char *pwfile = NULL;
	bool show_logo = false, show_help = false, response_done = false;
	int i, icmd = 1, rc;

	ctx.progname = "VBoxManage";
	for (i = 1; i < argc || argc <= icmd; i++) {
		const char *a;

		if (argc <= icmd || is_help(argv[i])) {
			if (i >= argc - 1) {
				vbm_logo(false);
				vbm_usage_all(stdout);
				return VBM_OK;
			}
			show_logo = show_help = true;
			icmd++;
			continue;
		}
		a = argv[i];
		if (is_version(a)) {
			printf("%s\n", vbm_version_string());
			return VBM_OK;
		}
		if (!strcmp(a, "--dump-build-type")) {
			printf("release\n");
			return VBM_OK;
		}
		if (!strcmp(a, "--dumpopts") || !strcmp(a, "-dumpopts")) {
			vbm_usage_all(stdout);
			return VBM_OK;
		}
		if (!strcmp(a, "--dump-manpages") && i + 1 < argc) {
			/* our own: regenerate man/ from the built-in help */
			rc = vbm_write_manpages(argv[i + 1]);
			if (rc)
				vbm_error("Cannot write the man pages into '%s': %s",
					  argv[i + 1], strerror(-rc));
			return rc ? VBM_FAIL : VBM_OK;
		}
		if (!strcmp(a, "--nologo") || !strcmp(a, "-q") ||
		    !strcmp(a, "-nologo")) {
			show_logo = false;
			icmd++;
		} else if (!strcmp(a, "--detailed-progress") || !strcmp(a, "-d")) {
			icmd++;
		} else if (!strcmp(a, "--settingspw")) {
			if (i >= argc - 1) {
				vbm_error("Password expected");
				return VBM_FAIL;
			}
			icmd += 2;
		} else if (!strcmp(a, "--settingspwfile")) {
			if (i >= argc - 1) {
				vbm_error("No password file specified");
				return VBM_FAIL;
			}
			pwfile = argv[i + 1];
			icmd += 2;
		} else if (a[0] == '@') {
			if (response_done) {
				vbm_error("Only one response file allowed");
				return VBM_FAIL;
			}
			response_done = true;
			if (splice_response(&argc, &argv, i))
				return VBM_FAIL;
			icmd++;
		} else {
			break;
		}
	}
	if (icmd >= argc) {
		vbm_logo(false);
		vbm_usage_all(stdout);
		return VBM_OK;
	}
	if (show_logo)
		vbm_logo(false);
	cmd = vbm_find_command(argv[icmd]);
	ctx.cmd = cmd;
	if (cmd && (show_help || argc - (icmd + 1) == 0)) {
		if (show_help)
			vbm_full_help(&ctx);
		else
			vbm_usage(&ctx, false);
		return VBM_FAIL;
	}
	if (!cmd) {
		const struct vbm_command *c;

		if (strcmp(argv[icmd], "commands"))
			return vbm_syntax(&ctx, "Invalid command '%s'",
					  argv[icmd]);
		printf("commands:\n");
		for (c = vbm_commands; c->name; c++)
			if (!(c->flags & VBMC_HIDDEN))
				printf("    %s\n", c->name);
		return VBM_OK;
	}
	if (pwfile && read_settings_pw_file(pwfile))
		return VBM_FAIL;
	rc = cmd->fn(&ctx, argc - icmd, argv + icmd);
	fflush(stdout);
	vbox_free(g_vb);
	return rc;
}

/* The global forms, shown first in the usage of all commands. */
const struct vbm_help vbm_help_common = {
	"VBox-KVM command-line interface",
	"VBoxManage [-V | --version] [--dump-build-type] [-q | --nologo]"
	" [--settingspw=password] [--settingspwfile=pw-file] [@response-file]"
	" [[help] subcommand]",
	"VBoxManage creates, changes, inspects and runs virtual machines and\n"
	"their media from the command line.  It reads and writes the settings\n"
	"files of VirtualBox itself, so machines made with either tool work\n"
	"with the other.\n"
	"\n"
	"Global options come before the command:\n"
	"\n"
	"  -V, --version        print the version and exit\n"
	"  --dump-build-type    print the build type and exit\n"
	"  -q, --nologo         do not print the product banner\n"
	"  --settingspw PW      settings password (protects stored secrets)\n"
	"  --settingspwfile F   read that password from a file (\"stdin\")\n"
	"  @FILE                read further arguments from FILE, quoted as\n"
	"                       in a Bourne shell\n"
	"\n"
	"\"VBoxManage help COMMAND\" shows the help of one command,\n"
	"\"VBoxManage commands\" lists every command, and \"VBoxManage\"\n"
	"alone the forms of all of them.  Successful commands exit with 0,\n"
	"failed operations with 1 and command line errors with 2.\n",
};
