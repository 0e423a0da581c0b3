/*
 * internalcommands: the image-level helpers scripts use: sethduuid,
 * sethdparentuuid and dumphdinfo.  They work on image files directly,
 * without the media registry, as VirtualBox's do.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/vboxmanage/commands.h"
#include "cmd/vboxmanage/medium.h"

static int set_uuid(struct vbm_ctx *ctx, int argc, char **argv)
{
	bool parent = !strcmp(argv[0], "sethdparentuuid");
	struct media_open_opts o = { .flags = MEDIA_RDWR | MEDIA_NO_PARENT };
	struct vb_error err = { 0 };
	struct medium *m;
	struct vb_uuid u;
	char ub[40];
	int rc;

	if (parent ? argc != 3 : (argc != 2 && argc != 3))
		return vbm_syntax(ctx, "Not enough parameters");
	if (argc == 3) {
		if (vb_uuid_parse(argv[2], &u))
			return vbm_syntax(ctx, "Invalid UUID parameter");
	} else {
		vb_uuid_generate(&u);
	}
	if (!media_probe(argv[1], NULL, &err)) {
		vbm_error("Format autodetect failed: %s",
			  media_vbox_status(-err.errnum));
		return VBM_FAIL;
	}
	rc = media_open_ex(argv[1], &o, &m, &err);
	if (rc) {
		vbm_error("Cannot open the image: %s", media_vbox_status(rc));
		return VBM_FAIL;
	}
	rc = parent ? media_set_parent_uuid(m, &u, &err)
		    : media_set_uuid(m, &u, &err);
	if (rc)
		vbm_error("Cannot set a new UUID: %s", media_vbox_status(rc));
	else
		printf("UUID changed to: %s\n", vb_uuid_fmt(&u, ub));
	media_close(m);
	return rc ? VBM_FAIL : VBM_OK;
}

static int dump_hd(struct vbm_ctx *ctx, int argc, char **argv)
{
	struct media_open_opts o = {
		.flags = MEDIA_RDONLY | MEDIA_NO_PARENT | MEDIA_NOLOCK,
	};
	struct vb_error err = { 0 };
	struct medium *m;
	const char *fmt;
	char *text;
	int rc;

	if (argc != 2)
		return vbm_syntax(ctx, "Not enough parameters");
	fmt = media_probe(argv[1], NULL, &err);
	if (!fmt) {
		vbm_error("Format autodetect failed: %s",
			  media_vbox_status(-err.errnum));
		return VBM_FAIL;
	}
	rc = media_open_ex(argv[1], &o, &m, &err);
	if (rc) {
		vbm_error("Cannot open the image: %s", media_vbox_status(rc));
		return VBM_FAIL;
	}
	printf("--- Dumping VD Disk, Images=1\n");
	printf("Dumping VD image \"%s\" (Backend=%s)\n", argv[1], fmt);
	printf("Dumping %s image \"%s\" mode=r/o uOpenFlags=9\n", fmt, argv[1]);
	text = media_dump(m);
	if (text)
		fputs(text, stdout);
	free(text);
	media_close(m);
	return VBM_OK;
}

static const struct {
	const char *name;
	int (*fn)(struct vbm_ctx *, int, char **);
} subcommands[] = {
	{ "sethduuid", set_uuid },
	{ "sethdparentuuid", set_uuid },
	{ "dumphdinfo", dump_hd },
};

int cmd_internalcommands(struct vbm_ctx *ctx, int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		return vbm_syntax(ctx, "Command missing");
	for (i = 0; i < VB_ARRAY_SIZE(subcommands); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].fn(ctx, argc - 1, argv + 1);
	return vbm_syntax(ctx, "Invalid command '%s'", argv[1]);
}

const struct vbm_help help_internalcommands = {
	"internal commands for experts",
	"VBoxManage internalcommands <command> [command arguments]\n"
	"\n"
	"Commands:\n"
	"\n"
	"  sethduuid <filepath> [<uuid>]\n"
	"      Assigns a new UUID to the given image file. This way, multiple copies\n"
	"      of a container can be registered.\n"
	"\n"
	"  sethdparentuuid <filepath> <uuid>\n"
	"      Assigns a new parent UUID to the given image file.\n"
	"\n"
	"  dumphdinfo <filepath>\n"
	"      Prints information about the image at the given location.",
	"Low-level operations on image files that bypass the media registry.\n",
};
