/*
 * The real settings files in ../shared/fixtures/real-settings: every one
 * loads, and for every file VirtualBox 4.0 or later wrote, our serialiser
 * gives back the same bytes.  The only differences allowed are the ones
 * VirtualBox 7.0 itself makes when it writes the file:
 *
 *  - the host suffix of the version string is the writer's host
 *    ("1.15-windows" comes back as "1.15-linux");
 *  - the header comment is 7.0's: 7.2 adds "**" and "** Written by
 *    VirtualBox 7.2.x (rN)" lines that 7.0 does not write;
 *  - v1.16-linux-coderMaruf-Arch_Linux.vbox has an NVRAM path in a 1.16
 *    file, which 7.0's bumpSettingsVersionIfNeeded raises to 1.18 (with the
 *    1.17 layout: StorageControllers inside Hardware, audio in/out
 *    defaults) -- checked separately below.
 *
 * Files written before 4.0 (the 1.3 pair and the 1.10 global file) are
 * converted on load; t-settings-xml-legacy.c covers what they become.
 */
#include <dirent.h>
#include <stdio.h>

#include "harness.h"
#include "lib/settings/settings-int.h"
#include "lib/util/fileio.h"
#include "lib/util/strbuf.h"

static const char *fixture_dir(void)
{
	static char dir[4096];
	const char *sh = t_shared_dir();

	if (!sh)
		T_SKIP("../shared is not beside the checkout");
	snprintf(dir, sizeof(dir), "%s/fixtures/real-settings", sh);
	return dir;
}

static bool is_global(const char *name)
{
	return strstr(name, "VirtualBox") != NULL &&
	       (vb_ends_with(name, ".xml") || vb_ends_with(name, ".xml-prev"));
}

static bool pre_4_0(const char *name)
{
	return vb_starts_with(name, "v1.3-") || vb_starts_with(name, "v1.10-");
}

/* What VirtualBox 7.0 writes for a file it read: host suffix and header. */
static char *as_70_writes(const char *orig)
{
	static const char w72[] = "**\n** Written by VirtualBox ";
	struct strbuf sb = STRBUF_INIT;
	const char *p = orig, *w, *v;

	w = strstr(p, w72);
	if (w) {
		const char *eol = strchr(w + sizeof(w72) - 1, '\n');

		sb_add(&sb, p, (size_t)(w - p));
		p = eol ? eol + 1 : w;
	}
	v = strstr(p, "<VirtualBox ");
	v = v ? strstr(v, " version=\"1.") : NULL;
	if (v) {
		const char *dash = strchr(v + 12, '-'), *q;

		q = dash ? strchr(dash, '"') : NULL;
		if (dash && q) {
			sb_add(&sb, p, (size_t)(dash - p));
			sb_adds(&sb, "-linux");
			p = q;
		}
	}
	sb_adds(&sb, p);
	return sb_detach(&sb);
}

static char *load_and_serialize(const char *path, enum sdoc_kind kind,
				struct vb_error *err)
{
	struct sdoc *d;
	char *out = NULL;
	size_t len;

	if (sdoc_load(path, kind, &d, err))
		return NULL;
	if (sdoc_serialize(d, &out, &len, err))
		out = NULL;
	sdoc_free(d);
	return out;
}

void test_settings_fixtures__all_load_and_round_trip(void)
{
	const char *dir = fixture_dir();
	struct dirent *de;
	unsigned files = 0, exact = 0, bad = 0;
	DIR *dh = opendir(dir);

	T_ASSERT(dh);
	while ((de = readdir(dh))) {
		struct vb_error err = { 0 };
		char *path, *orig = NULL, *out, *want;
		size_t len;

		if (de->d_name[0] != 'v')
			continue;
		files++;
		path = vb_asprintf("%s/%s", dir, de->d_name);
		T_OK(vb_read_file(path, 1 << 24, &orig, &len, NULL));
		out = load_and_serialize(path, is_global(de->d_name) ?
					 SDOC_GLOBAL : SDOC_MACHINE, &err);
		if (!out) {
			fprintf(stderr, "%s: %s\n", de->d_name, err.msg);
			bad++;
		} else if (!pre_4_0(de->d_name)) {
			want = as_70_writes(orig);
			if (strcmp(want, out)) {
				fprintf(stderr, "%s: serialised differently\n",
					de->d_name);
				bad++;
			} else {
				exact++;
			}
			free(want);
		}
		free(out);
		free(orig);
		free(path);
	}
	closedir(dh);
	T_EQ_INT(bad, 0);
	T_EQ_INT(files, 40);
	T_EQ_INT(exact, 37);
}

/* 1.16 with an NVRAM path only inside a snapshot: VirtualBox (6.1) wrote
 * it at 1.16, because only the current state decides the version, so it
 * stays 1.16 and comes back unchanged. */
void test_settings_fixtures__nvram_in_snapshot_keeps_1_16(void)
{
	char *path = vb_asprintf("%s/v1.16-linux-coderMaruf-Arch_Linux.vbox",
				 fixture_dir());
	struct vb_error err = { 0 };
	char *out = load_and_serialize(path, SDOC_MACHINE, &err);
	char *orig;
	size_t len;

	T_ASSERT(out);
	T_OK(vb_read_file(path, 1 << 24, &orig, &len, NULL));
	T_ASSERT(strstr(out, "version=\"1.16-linux\""));
	T_EQ_STR(out, orig);
	free(orig);
	free(out);
	free(path);
}

/* The identity read `list vms` uses agrees with the full load. */
void test_settings_fixtures__peek_gives_the_loaded_identity(void)
{
	const char *dir = fixture_dir();
	struct dirent *de;
	unsigned fast = 0;
	DIR *dh = opendir(dir);

	T_ASSERT(dh);
	while ((de = readdir(dh))) {
		struct vb_error err = { 0 };
		struct sdoc *d = NULL;
		struct vb_uuid u, lu;
		char *path, *name = NULL;
		int prc;

		if (de->d_name[0] != 'v' || is_global(de->d_name))
			continue;
		path = vb_asprintf("%s/%s", dir, de->d_name);
		prc = sdoc_peek_machine(path, &name, &u, &err);
		T_OK(sdoc_load(path, SDOC_MACHINE, &d, &err));
		if (prc == 0) {
			T_EQ_STR(name, snode_attr(sdoc_top(d), "name"));
			T_OK(vb_uuid_parse(snode_attr(sdoc_top(d), "uuid"), &lu));
			T_ASSERT(vb_uuid_eq(&u, &lu));
			fast++;
		} else {
			/* only old layouts need the full load */
			T_EQ_INT(prc, 1);
			T_ASSERT(sdoc_version_read(d) <= 9);
		}
		free(name);
		sdoc_free(d);
		free(path);
	}
	closedir(dh);
	T_EQ_INT(fast, 25);
}
