/*
 * libFuzzer harness for OVF descriptors (and, on the same bytes,
 * manifests).  Each input is parsed as a descriptor; whatever parses is
 * interpreted into virtual system descriptions as "import -n" does (the
 * machine folder is a temporary VirtualBox home made once), and the
 * <vbox:Machine> text of every virtual system must load as a machine or
 * fail cleanly.  The input is also parsed as a .mf manifest, and a parsed
 * manifest must format and parse back to the same entries.
 *
 * Seed corpus: tests/fuzz/corpus/ovf/ (a Vagrant-style DMTF 1.0 box, our
 * own 0.9/1.0/2.0 exports with vbox:Machine, a manifest, small broken
 * samples).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/media/ova.h"
#include "lib/settings/ovf.h"
#include "lib/util/fileio.h"
#include "lib/util/strbuf.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vbox *g_vb;
static char home[] = "/tmp/fuzz-ovf-XXXXXX";

/* the temporary home goes when the fuzzer exits */
static void remove_home(void)
{
	char *p;

	vbox_free(g_vb);
	p = vb_asprintf("%s/VirtualBox.xml", home);
	if (p)
		unlink(p);
	free(p);
	p = vb_asprintf("%s/vms", home);
	if (p)
		rmdir(p);
	free(p);
	rmdir(home);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct vb_error err = { 0 };
	char *g, *x;

	(void)argc;
	(void)argv;
	if (!mkdtemp(home))
		abort();
	atexit(remove_home);
	g = vb_asprintf("%s/VirtualBox.xml", home);
	x = vb_asprintf(
		"<?xml version=\"1.0\"?>\n<VirtualBox xmlns=\"http://www.virtualbox.org/\" version=\"1.12-linux\">"
		"<Global><MachineRegistry/><SystemProperties defaultMachineFolder=\"%s/vms\"/></Global></VirtualBox>\n",
		home);
	if (!g || !x || vb_write_file(g, x, strlen(x), &err) ||
	    vbox_open_at(home, &g_vb, &err))
		abort();
	free(g);
	free(x);
	return 0;
}

static void descriptor(const uint8_t *data, size_t size)
{
	struct vb_error err = { 0 };
	struct ovf_envelope *e = NULL;
	struct strbuf warn;
	struct vsd *vsds;
	unsigned i;

	if (ovf_parse((const char *)data, size, "/fuzz/a.ovf", &e, &err))
		return;
	for (i = 0; i < e->n_systems; i++) {
		struct ovf_system *s = &e->systems[i];
		struct machine *m = NULL;

		if (!s->machine_xml)
			continue;
		if (!machine_load_mem(g_vb, s->machine_xml,
				      strlen(s->machine_xml), "/fuzz/m/m.vbox",
				      &m, &err))
			machine_free(m);
	}
	vsds = calloc(e->n_systems ? e->n_systems : 1, sizeof(*vsds));
	if (vsds) {
		sb_init(&warn);
		if (!ovf_interpret(g_vb, e, vsds, &warn, &err)) {
			/* every disk entry names a disk of the envelope */
			for (i = 0; i < e->n_systems; i++) {
				unsigned k;

				for (k = 0; k < vsds[i].n; k++)
					if (vsds[i].e[k].type == VSD_HD_IMAGE &&
					    !ovf_find_disk(e, vsds[i].e[k].ref))
						abort();
			}
		}
		for (i = 0; i < e->n_systems; i++)
			vsd_release(&vsds[i]);
		free(vsds);
		sb_release(&warn);
	}
	ovf_free(e);
}

static void manifest(const uint8_t *data, size_t size)
{
	struct ova_manifest m = { 0 }, again = { 0 };
	struct vb_error err = { 0 };
	char *text;
	unsigned i;

	if (ova_manifest_parse((const char *)data, size, "a.mf", "/fuzz",
			       &m, &err))
		return;
	text = ova_manifest_format(&m);
	if (text) {
		if (ova_manifest_parse(text, strlen(text), "a.mf", "/fuzz",
				       &again, &err) || again.n != m.n)
			abort();
		for (i = 0; i < m.n; i++)
			if (strcmp(m.e[i].name, again.e[i].name) ||
			    m.e[i].type != again.e[i].type ||
			    strcmp(m.e[i].hex, again.e[i].hex))
				abort();
		ova_manifest_release(&again);
		free(text);
	}
	ova_manifest_release(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	descriptor(data, size);
	manifest(data, size);
	return 0;
}
