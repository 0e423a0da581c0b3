/*
 * Command-line option parsing with the semantics of VirtualBox's option
 * parser (IPRT RTGetOpt), which every VBoxManage command uses:
 *
 *   --opt v, --opt=v, --opt:v      long options with a value
 *   -x v, -xv, -x=v, -x:v          an id that is a printable character is
 *                                  also a short option; value-less shorts
 *                                  may be bundled (-ls)
 *   -name                          single-dash long forms where listed
 *   --nic1 nat, --nic1=nat         indexed options (VBGO_INDEX)
 *   --                             ends option parsing
 *
 * Options and other words may be interleaved; other words come back as
 * VBGO_NOT_OPTION with the word in g->v.str.
 */
#ifndef VB_UTIL_GETOPT_H
#define VB_UTIL_GETOPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/util/uuid.h"

enum vbgo_type {
	VBGO_NOVAL = 0,
	VBGO_STRING,
	VBGO_U32,
	VBGO_I32,
	VBGO_U64,
	VBGO_I64,
	VBGO_ONOFF,     /* exactly on|off, any case */
	VBGO_BOOL,      /* true/false/yes/no/on/off/1/0/... */
	VBGO_UUID,
	VBGO_TYPE_MASK = 0xff,
};
#define VBGO_INDEX  0x100   /* name is followed by a decimal index */
#define VBGO_HEX    0x200   /* integers are plain hexadecimal */
#define VBGO_ICASE  0x400   /* name matched case-insensitively */

/* Return values of vb_getopt_next() besides option ids (which are > 0). */
#define VBGO_END                0
#define VBGO_NOT_OPTION         0x7fff0001
#define VBGO_ERR_UNKNOWN        (-1)    /* unknown option */
#define VBGO_ERR_MISSING        (-2)    /* option needs a value */
#define VBGO_ERR_FORMAT         (-3)    /* value has a bad format */
#define VBGO_ERR_INDEX          (-4)    /* indexed option without index */

struct vb_option {
	const char *name;       /* "--memory", "-name" or NULL (short only) */
	int id;                 /* > 0; printable ASCII ids are short options */
	unsigned flags;         /* enum vbgo_type | VBGO_* */
};

union vb_optval {
	const char *str;
	uint32_t u32;
	int32_t i32;
	uint64_t u64;
	int64_t i64;
	bool b;
	struct vb_uuid uuid;
};

struct vb_getopt {
	int argc;
	char **argv;
	const struct vb_option *opts;
	size_t nopts;
	int next;               /* next argv index to look at */
	const char *bundle;     /* remaining bundled short options */
	bool no_more_opts;      /* "--" seen */
	/* results of the last call */
	const struct vb_option *def;    /* option matched (or NULL) */
	const char *arg;        /* the word being looked at (for messages) */
	unsigned index;         /* VBGO_INDEX options */
	union vb_optval v;
};

void vb_getopt_init(struct vb_getopt *g, int argc, char **argv, int first,
		    const struct vb_option *opts, size_t nopts);
int vb_getopt_next(struct vb_getopt *g);
/* Take the next word as a further value of the current option (options
 * with several values, e.g. --uart1 <base> <irq>).  Returns 1 on success,
 * VBGO_ERR_MISSING or VBGO_ERR_FORMAT. */
int vb_getopt_fetch(struct vb_getopt *g, unsigned flags);
/* Convert a value string by type; 0 or VBGO_ERR_FORMAT. */
int vb_getopt_convert(const char *s, unsigned flags, union vb_optval *v);
/* The IPRT-style status text for an error return ("RTGetOpt: ..."). */
const char *vb_getopt_strerror(int rc);
/* Generic boolean parser (true t yes y enabled e en enable on 1 ...).
 * 0 with *out set, or -1. */
int vb_parse_bool_word(const char *s, bool *out);

#endif
