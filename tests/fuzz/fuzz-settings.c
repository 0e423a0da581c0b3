/*
 * libFuzzer harness for settings files (VirtualBox.xml, .vbox, legacy
 * machine .xml).  Each input is loaded as a global and as a machine file;
 * whatever loads is serialised, the result must load again and serialise
 * to the very same bytes (what we write we can read, and a second save
 * changes nothing).  Machine files are also raised to the newest layout
 * (every conversion in bump.c) and must survive the same round trip.
 * The cheap identity read used by `list vms` (sdoc_peek_machine_mem) must
 * give the same verdict and message as the full load.
 *
 * Seed corpus: tests/fuzz/corpus/settings/ (the real fixtures plus small
 * legacy samples).  Crashes found here become named regression tests in
 * tests/unit/t-settings-xml-regress.c.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/settings/settings-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *machine_name_of(struct sdoc *d)
{
	const char *n = d ? snode_attr(sdoc_top(d), "name") : NULL;

	return n ? n : "";
}

static void check(int ok, const char *what, const char *a, const char *b)
{
	if (ok)
		return;
	fprintf(stderr, "fuzz-settings: %s\n--- first:\n%s\n--- second:\n%s\n",
		what, a ? a : "", b ? b : "");
	abort();
}

/* serialise d; the output must load and serialise to the same bytes */
static void round_trip(struct sdoc *d, enum sdoc_kind kind, const char *path)
{
	struct vb_error err = { 0 };
	struct sdoc *again = NULL;
	char *one = NULL, *two = NULL;
	size_t l1, l2;

	if (sdoc_serialize(d, &one, &l1, &err))
		return;         /* out of memory only */
	check(strlen(one) == l1, "NUL inside the output", one, NULL);
	if (sdoc_load_mem(one, l1, path, kind, &again, &err)) {
		check(0, err.msg, one, NULL);
	}
	if (sdoc_serialize(again, &two, &l2, &err) == 0)
		check(l1 == l2 && !memcmp(one, two, l1),
		      "second serialisation differs", one, two);
	free(two);
	free(one);
	sdoc_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct {
		enum sdoc_kind kind;
		const char *path;
	} as[] = {
		{ SDOC_GLOBAL, "/nonexistent/fuzz/VirtualBox.xml" },
		{ SDOC_MACHINE, "/nonexistent/fuzz/Machines/m/m.xml" },
	};
	unsigned i;

	if (size > (1u << 20))
		return 0;
	for (i = 0; i < 2; i++) {
		struct vb_error err = { 0 }, perr = { 0 };
		struct sdoc *d = NULL;
		struct vb_uuid u;
		char *name = NULL;
		int rc, prc = 1;

		rc = sdoc_load_mem((const char *)data, size, as[i].path,
				   as[i].kind, &d, &err);
		if (as[i].kind == SDOC_MACHINE)
			prc = sdoc_peek_machine_mem((const char *)data, size,
						    as[i].path, &name, &u, &perr);
		if (prc == 0)
			check(rc == 0 && !strcmp(name, machine_name_of(d)),
			      "peek accepts what load refuses", err.msg, name);
		else if (prc < 0 && prc != -ENOMEM)
			check(rc != 0 && !strcmp(err.msg, perr.msg),
			      "peek and load disagree", err.msg, perr.msg);
		free(name);
		if (rc)
			continue;
		round_trip(d, as[i].kind, as[i].path);
		if (as[i].kind == SDOC_MACHINE &&
		    sdoc_require_version(d, SV_NEWEST) == 0)
			round_trip(d, as[i].kind, as[i].path);
		sdoc_free(d);
	}
	return 0;
}
