/*
 * VBoxManage front end: shared declarations for the command handlers.
 *
 * A handler gets argv with argv[0] = the command word and returns the
 * process exit code: VBM_OK (0), VBM_FAIL (1, an operation failed),
 * VBM_SYNTAX (2, bad command line).  Handlers print with the helpers here
 * so that every message has VirtualBox's shape.
 */
#ifndef VBM_VBOXMANAGE_H
#define VBM_VBOXMANAGE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/settings/mediareg.h"
#include "lib/settings/settings.h"
#include "lib/util/error.h"
#include "lib/util/getopt.h"

#define VBM_OK      0
#define VBM_FAIL    1
#define VBM_SYNTAX  2

struct vbm_ctx;

/*
 * Help for one command.
 *
 * brief:       VirtualBox's one-line purpose ("create a new virtual
 *              machine"); "Usage - <Brief>:" titles the usage.
 * synopsis:    the command forms as VirtualBox 7.0 prints them, before
 *              line wrapping.  Forms are separated by '\n' and start with
 *              "VBoxManage".  A line that starts with white space continues
 *              the previous form (so long forms may be pre-wrapped).  Inside
 *              a form, '\b' is a space that never breaks a line (option
 *              names with their values) and '\v' forces a new line.  The
 *              printer wraps forms to the terminal width the way VirtualBox
 *              does (help.c).
 * description: our own words: paragraphs separated by empty lines, printed
 *              as they are (indented) by "help <cmd>" and in the man page.
 */
struct vbm_help {
	const char *brief;
	const char *synopsis;
	const char *description;
};

struct vbm_command {
	const char *name;
	const char *aliases[4];
	int (*fn)(struct vbm_ctx *ctx, int argc, char **argv);
	const struct vbm_help *help;
	unsigned flags;
};
#define VBMC_HIDDEN      0x01   /* not listed by "commands" / help */
#define VBMC_NO_HOME     0x02   /* runs without opening the VirtualBox home */
#define VBMC_NOARGS_OK   0x04   /* no arguments is not a usage request */

extern const struct vbm_command vbm_commands[];
const struct vbm_command *vbm_find_command(const char *name);

struct vbm_ctx {
	const struct vbm_command *cmd;
	struct vbox *vb;        /* opened on demand by vbm_vbox() */
	const char *progname;   /* "VBoxManage" */
	const char *scope;      /* sub-command whose forms usage shows */
};

/* Usage and errors show only the forms of this sub-command (VirtualBox's
 * setCurrentSubcommand); the title becomes "Usage:".  NULL resets. */
void vbm_set_subcommand(struct vbm_ctx *ctx, const char *sub);

/* The VirtualBox home, opened on first use; prints the error and returns
 * NULL if it cannot be opened. */
struct vbox *vbm_vbox(struct vbm_ctx *ctx);

/* ---- messages (all on stderr) ---- */
void vbm_logo(bool to_stderr);  /* at most once per process */
void vbm_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vbm_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vbm_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An API failure: message lines, "Details: code ..." and "Context: ...".
 * context is the call as VirtualBox's source writes it, file/line where
 * VirtualBox makes that call.  Returns VBM_FAIL. */
int vbm_api_error(const struct vb_error *err, const char *context,
		  const char *file, int line);
/* A failure that carries no error information: "Code <NAME> (0x..) -
 * <text> (extended info not available)" and the Context line. */
int vbm_api_error_noinfo(uint32_t hrc, const char *context, const char *file,
			 int line);
/* The same with a first line such as "Failed to clone medium". */
int vbm_api_error_head(const char *head, const struct vb_error *err,
		       const char *context, const char *file, int line);
/* Syntax error: logo, message, empty line, usage of the command (and the
 * message again after a usage of 16 lines or more); returns VBM_SYNTAX. */
int vbm_syntax(struct vbm_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A bad value reported without logo and usage (errorArgument): one
 * "error:" line, returns VBM_SYNTAX. */
int vbm_syntax_arg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Report a vb_getopt_next() result the handler did not expect (IPRT's
 * errorGetOpt): 'h' prints the full help and 'V' the version (both return
 * VBM_OK); anything else is a syntax error.  Returns the exit code. */
int vbm_getopt_error(struct vbm_ctx *ctx, struct vb_getopt *g, int rc);
/* A vb_getopt_fetch() failure for the value_no'th extra value of opt. */
int vbm_fetch_error(struct vbm_ctx *ctx, struct vb_getopt *g, int value_no,
		    const char *opt, int rc);
/* "No subcommand specified" / "Unknown subcommand: x" (the latter prints
 * the full help for --help, -h and -?, returning VBM_OK) / "Too many
 * parameters" (with the same help check over the remaining words). */
int vbm_no_subcommand(struct vbm_ctx *ctx);
int vbm_unknown_subcommand(struct vbm_ctx *ctx, const char *word);
int vbm_too_many(struct vbm_ctx *ctx, char **rest);
/* IPRT's standard options (--help, -help, -h, -?, --version, -version,
 * -V), for option tables of commands that accept them: append these
 * entries; the ids are 'h' and 'V' ('?' comes back as 'h'). */
#define VBM_STD_OPTIONS \
	{ "--help", 'h', VBGO_NOVAL }, { "-help", 'h', VBGO_NOVAL }, \
	{ "--version", 'V', VBGO_NOVAL }, { "-version", 'V', VBGO_NOVAL }, \
	{ NULL, '?', VBGO_NOVAL }
/* Brief usage of a command on stdout (or stderr), honouring the scope;
 * returns the number of lines written below the title. */
unsigned vbm_usage(struct vbm_ctx *ctx, bool to_stderr);
/* Brief usage of every command (VBoxManage with no command). */
unsigned vbm_usage_all(FILE *f);
/* Full help of a command (help <cmd>, --help). */
void vbm_full_help(struct vbm_ctx *ctx);
/* Write the man pages of VBoxManage and of every command into dir. */
int vbm_write_manpages(const char *dir);

/* ---- machine-readable output ---- */
/* key="value" with '"' and '\' escaped; the key quoted when it holds '='
 * or when force_quote_key. */
void vbm_mr_str(const char *key, const char *value);
void vbm_mr_strq(const char *key, const char *value); /* key always quoted */
void vbm_mr_u64(const char *key, unsigned long long v);
void vbm_mr_i64(const char *key, long long v);
/* printf("%-28s %s\n") style human lines. */
void vbm_human(const char *label, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- progress (stderr): 0%...10%...100% ---- */
struct vbm_progress {
	int last;       /* last printed tenth, -1 before start */
};
void vbm_progress_start(struct vbm_progress *p);
void vbm_progress_update(struct vbm_progress *p, unsigned percent);
void vbm_progress_done(struct vbm_progress *p, bool ok);
/* Adapter usable as a library progress callback (ctx = struct vbm_progress). */
void vbm_progress_cb(void *ctx, unsigned percent);

/* ---- helpers for handlers ---- */
/* Look a machine up; prints VirtualBox's error block (Context as given)
 * and returns NULL when not found. */
struct machine *vbm_find_machine(struct vbm_ctx *ctx, const char *spec,
				 const char *file, int line);
/* The same with the Context text of the calling command. */
struct machine *vbm_find_machine_ctx(struct vbm_ctx *ctx, const char *spec,
				     const char *context, const char *file,
				     int line);

/*
 * Printers that other parts provide; "list" calls them when they are
 * linked in (weak references) and reports their absence otherwise:
 *   vbm_list_media    "list hdds|dvds|floppies": kind is enum
 *                     mediareg_kind (MR_HDD 0, MR_DVD 1, MR_FLOPPY 2),
 *                     from the medium commands;
 * It returns an exit code (VBM_OK/VBM_FAIL).
 */
int vbm_list_media(struct vbm_ctx *ctx, int kind, bool long_fmt)
	__attribute__((weak));
/* "guestproperty wait" on a machine whose VM process may change its
 * properties (from the VM runtime code): print the first change of a
 * property matching patterns as VirtualBox does, or the time-out
 * message after timeout_ms (UINT32_MAX: no limit).  Returns the exit
 * code (VBM_SYNTAX on a time-out with fail_on_timeout). */
int vbm_guestprop_wait(struct vbm_ctx *ctx, struct machine *m,
		       const char *patterns, uint32_t timeout_ms,
		       bool fail_on_timeout) __attribute__((weak));

/* IPRT's simple pattern match: '*' any run, '?' one character. */
bool vbm_pattern_match(const char *pattern, const char *s);

/* NAT networks as "list natnets" and "natnetwork list" show them
 * (list.c); vbm_list_natnets returns how many matched. */
void vbm_print_natnet(struct snode *n, bool lng);
unsigned vbm_list_natnets(struct vbox *vb, bool lng, bool sorted,
			  const char *pattern);

/* Machine state as VirtualBox names it internally: "PoweredOff",
 * "Aborted", "Saved", "AbortedSaved" or "Running" (VM process alive). */
const char *vbm_machine_state_name(struct machine *m);
/* IMachine::LockMachine(Write) for a settings change: refused like
 * VirtualBox while a VM process runs the machine, else takes the
 * settings file lock (reloading it).  Prints the error block with the
 * given context; returns VBM_OK or VBM_FAIL. */
int vbm_lock_for_write(struct machine *m, const char *context,
		       const char *file, int line);
/* Machine::i_checkStateDependency. */
enum vbm_state_dep {
	VBM_DEP_MUTABLE,
	VBM_DEP_MUTABLE_OR_SAVED,
	VBM_DEP_MUTABLE_OR_RUNNING,
	VBM_DEP_ANY_BUT_LOCKED,         /* mutable, saved or running */
};
int vbm_check_state(struct machine *m, enum vbm_state_dep dep,
		    const char *context, const char *file, int line);

/* Media used by a machine (attached.c): a set of UUIDs with their kind. */
struct vbm_media {
	struct vb_uuid *v;
	enum mediareg_kind *kind;
	unsigned n, cap;
};
int vbm_media_add(struct vbm_media *l, const struct vb_uuid *u,
		  enum mediareg_kind k);
bool vbm_media_has(const struct vbm_media *l, const struct vb_uuid *u);
void vbm_media_free(struct vbm_media *l);
/* Add every medium attached below n (a <Machine>: current state and
 * snapshots). */
int vbm_media_attached(struct snode *n, struct vbm_media *out);

/* Whether the machine's VM process is alive (holds its runtime lock). */
bool vbm_machine_running(const struct vb_uuid *uuid);

/* IPRT status name for an errno value, as %Rrc prints it
 * ("VERR_FILE_NOT_FOUND"). */
const char *vbm_vrc_name(int errnum);

/* The product name and version strings. */
const char *vbm_version_string(void);   /* "7.0.26_KVMr123" */
const char *vbm_version_short(void);    /* "7.0.26_KVM" */
const char *vbm_product(void);

#endif
