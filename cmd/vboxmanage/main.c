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

static void usage_all(FILE *f)
{
	const struct vbm_command *c;

	fprintf(f, "Usage:\n\n");
	for (c = vbm_commands; c->name; c++) {
		const char *p;

		if (c->flags & VBMC_HIDDEN)
			continue;
		if (!c->help) {
			fprintf(f, "  VBoxManage %s\n\n", c->name);
			continue;
		}
		for (p = c->help->synopsis; p && *p;) {
			const char *nl = strchr(p, '\n');
			int len = nl ? (int)(nl - p) : (int)strlen(p);

			fprintf(f, "  %.*s\n", len, p);
			p = nl ? nl + 1 : NULL;
		}
		fputc('\n', f);
	}
}

/* Split a response file with Bourne-shell quoting. */
static int split_response(const char *text, struct strbuf *words, int *count)
{
	const char *p = text;

	*count = 0;
	for (;;) {
		bool any = false;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p)
			break;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' &&
		       *p != '\r') {
			any = true;
			if (*p == '\'') {
				const char *e = strchr(p + 1, '\'');

				if (!e)
					return -EINVAL;
				sb_add(words, p + 1, (size_t)(e - p - 1));
				p = e + 1;
			} else if (*p == '"') {
				p++;
				while (*p && *p != '"') {
					if (*p == '\\' && p[1] &&
					    strchr("\"\\$`\n", p[1]))
						p++;
					sb_addc(words, *p++);
				}
				if (*p != '"')
					return -EINVAL;
				p++;
			} else if (*p == '\\' && p[1]) {
				sb_addc(words, p[1]);
				p += 2;
			} else {
				sb_addc(words, *p++);
			}
		}
		if (any) {
			sb_addc(words, '\0');
			(*count)++;
		}
	}
	return words->oom ? -ENOMEM : 0;
}

static int splice_response(int *argcp, char ***argvp, int at)
{
	struct strbuf words = STRBUF_INIT;
	struct vb_error err = { 0 };
	char *text, **nargv;
	const char *w;
	size_t len;
	int n, i, k, argc = *argcp;

	if (vb_read_file((*argvp)[at] + 1, 16u << 20, &text, &len, &err)) {
		vbm_error("%s", err.msg);
		return -1;
	}
	if (split_response(text, &words, &n)) {
		free(text);
		sb_release(&words);
		vbm_error("Failed to parse response file '%s'", (*argvp)[at] + 1);
		return -1;
	}
	free(text);
	nargv = calloc((size_t)argc + (size_t)n + 1, sizeof(char *));
	if (!nargv)
		return -1;
	for (i = 0; i < at; i++)
		nargv[i] = (*argvp)[i];
	k = at;
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
	/* words.buf stays allocated for the life of the process */
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

int main(int argc, char **argv)
{
	struct vbm_ctx ctx = { 0 };
	const struct vbm_command *cmd;
	bool response_done = false;
	int i = 1, rc;

	ctx.progname = "VBoxManage";
	while (i < argc) {
		const char *a = argv[i];

		if (is_help(a)) {
			if (i + 1 >= argc) {
				vbm_logo(false);
				usage_all(stdout);
				return VBM_OK;
			}
			cmd = vbm_find_command(argv[i + 1]);
			vbm_logo(false);
			if (!cmd) {
				usage_all(stdout);
				return VBM_OK;
			}
			vbm_full_help(cmd);
			return VBM_FAIL;
		}
		if (is_version(a)) {
			printf("%s\n", vbm_version_string());
			return VBM_OK;
		}
		if (!strcmp(a, "--dump-build-type")) {
			printf("release\n");
			return VBM_OK;
		}
		if (!strcmp(a, "--dumpopts") || !strcmp(a, "-dumpopts")) {
			usage_all(stdout);
			return VBM_OK;
		}
		if (!strcmp(a, "--nologo") || !strcmp(a, "-q") ||
		    !strcmp(a, "-nologo") || !strcmp(a, "--detailed-progress") ||
		    !strcmp(a, "-d")) {
			i++;
			continue;
		}
		if (!strcmp(a, "--settingspw")) {
			if (i + 1 >= argc) {
				vbm_error("Password expected");
				return VBM_FAIL;
			}
			i += 2;
			continue;
		}
		if (!strcmp(a, "--settingspwfile")) {
			if (i + 1 >= argc) {
				vbm_error("No password file specified");
				return VBM_FAIL;
			}
			i += 2;
			continue;
		}
		if (a[0] == '@') {
			if (response_done) {
				vbm_error("Only one response file allowed");
				return VBM_FAIL;
			}
			response_done = true;
			if (splice_response(&argc, &argv, i))
				return VBM_FAIL;
			continue;
		}
		break;
	}
	if (i >= argc) {
		vbm_logo(false);
		usage_all(stdout);
		return VBM_OK;
	}
	if (!strcmp(argv[i], "commands")) {
		const struct vbm_command *c;

		printf("commands:\n");
		for (c = vbm_commands; c->name; c++)
			if (!(c->flags & VBMC_HIDDEN))
				printf("    %s\n", c->name);
		return VBM_OK;
	}
	cmd = vbm_find_command(argv[i]);
	if (!cmd) {
		vbm_logo(true);
		vbm_error("Invalid command '%s'", argv[i]);
		fputc('\n', stderr);
		usage_all(stderr);
		return VBM_SYNTAX;
	}
	ctx.cmd = cmd;
	if (i + 1 >= argc && !(cmd->flags & VBMC_NOARGS_OK)) {
		vbm_usage(cmd, false);
		return VBM_FAIL;
	}
	rc = cmd->fn(&ctx, argc - i, argv + i);
	fflush(stdout);
	vbox_free(g_vb);
	return rc;
}
