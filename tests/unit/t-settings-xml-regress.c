/*
 * Regression tests for faults the settings fuzzer (tests/fuzz/
 * fuzz-settings.c) found.  Each input is also kept in the seed corpus
 * (tests/fuzz/corpus/settings/regress-*).  Run under ASan by the full
 * suite, where the memory faults show.
 */
#include <stdio.h>

#include "harness.h"
#include "lib/settings/settings-int.h"
#include "lib/util/strbuf.h"

static char *ser(struct sdoc *d)
{
	char *out = NULL;
	size_t len;

	T_OK(sdoc_serialize(d, &out, &len, NULL));
	return out;
}

/* Load, serialise, load the output, serialise again: same bytes. */
static void stable(const char *x, enum sdoc_kind kind, bool newest)
{
	struct vb_error err = { 0 };
	struct sdoc *d = NULL, *e = NULL;
	char *one, *two;

	if (sdoc_load_mem(x, strlen(x), "/x/r.xml", kind, &d, &err))
		t_fail(__FILE__, __LINE__, "load: %s", err.msg);
	if (newest)
		T_OK(sdoc_require_version(d, SV_NEWEST));
	one = ser(d);
	if (sdoc_load_mem(one, strlen(one), "/x/r.xml", kind, &e, &err))
		t_fail(__FILE__, __LINE__, "reload: %s\n%s", err.msg, one);
	two = ser(e);
	T_EQ_STR(two, one);
	free(one);
	free(two);
	sdoc_free(d);
	sdoc_free(e);
}

/* fuzz crash-5e19ada5: expanding the short name "SATA" freed the string
 * the loop went on comparing (heap use after free in level_short_names). */
void test_settings_regress__short_controller_name_use_after_free(void)
{
	static const char x[] =
		"<VirtualBox version=\"1.7-linux\"><Machine uuid=\"{11111111-2222-3333-4444-555555555555}\" name=\"r\">"
		"<Hardware><DVDDrive/></Hardware><StorageControllers>"
		"<StorageController name=\"SATA\" type=\"AHCI\"/>"
		"<StorageController name=\"SCSI\" type=\"LsiLogic\"/>"
		"<StorageController name=\"IDE\" type=\"PIIX4\"/>"
		"<StorageController name=\"IDEx\" type=\"PIIX4\"/>"
		"</StorageControllers></Machine></VirtualBox>";
	struct vb_error err = { 0 };
	struct sdoc *d = NULL;
	struct snode *c;
	const char *want[] = { "SATA Controller", "SCSI Controller",
			       "IDE Controller", "IDEx" };
	unsigned i = 0;

	T_OK(sdoc_load_mem(x, strlen(x), "/x/r.xml", SDOC_MACHINE, &d, &err));
	for (c = snode_path(sdoc_top(d), "StorageControllers/StorageController");
	     c; c = snode_next(c, "StorageController"), i++)
		T_EQ_STR(snode_attr(c, "name"), want[i]);
	T_EQ_INT(i, 4);
	sdoc_free(d);
}

/* fuzz crash-4cb469d1: whitespace left in <CPU> when the bump to 1.9
 * added <PAE> made the element "mixed"; the next save wrote it another
 * way (a second save must not change anything). */
void test_settings_regress__whitespace_then_new_child(void)
{
	stable("<VirtualBox version=\"1.8-linux\"><Machine uuid=\"{11111111-2222-3333-4444-555555555555}\" name=\"r\">"
	       "<Hardware><CPU>\n      </CPU><BIOS/><DVDDrive/></Hardware>"
	       "<StorageControllers><StorageController name=\"IDE\" type=\"PIIX4\"/></StorageControllers>"
	       "</Machine></VirtualBox>", SDOC_MACHINE, true);
	/* real mixed content is written as it is and stays so */
	stable("<VirtualBox version=\"1.19-linux\"><Machine uuid=\"{11111111-2222-3333-4444-555555555555}\" name=\"r\">"
	       "<Hardware><CPU>text<PAE enabled=\"true\"/> more </CPU></Hardware>"
	       "</Machine></VirtualBox>", SDOC_MACHINE, true);
	stable("<VirtualBox version=\"1.12-linux\"><Global><ExtraData>\n  </ExtraData>"
	       "<Foo> <Bar/> </Foo></Global></VirtualBox>", SDOC_GLOBAL, false);
}

/* The identity read of `list vms` (sdoc_peek_machine_mem) and the full
 * load agree: same acceptance, same name, same message. */
static void peek_agrees(const char *x)
{
	struct vb_error e1 = { 0 }, e2 = { 0 };
	struct sdoc *d = NULL;
	struct vb_uuid u;
	char *name = NULL;
	int rc, prc;

	rc = sdoc_load_mem(x, strlen(x), "/x/p.vbox", SDOC_MACHINE, &d, &e1);
	prc = sdoc_peek_machine_mem(x, strlen(x), "/x/p.vbox", &name, &u, &e2);
	if (prc == 1) {
		/* only the full load can tell (old layouts) */
	} else if (prc == 0) {
		T_OK(rc);
		T_EQ_STR(name, snode_attr(sdoc_top(d), "name"));
	} else {
		T_ASSERT(rc < 0);
		T_EQ_STR(e2.msg, e1.msg);
	}
	free(name);
	sdoc_free(d);
}

/* fuzz crash-ac6bd0eb: a "--" inside a comment was worded differently by
 * the tree-less parse ("Double hyphen within comment" without the text). */
void test_settings_regress__peek_and_load_agree(void)
{
	static const char *const cases[] = {
		"<?xml version=\"1.0\"?>\n<!--\n** x <!--\n-->\n<VirtualBox version=\"1.19-linux\"><Machine uuid=\"{11111111-2222-3333-4444-555555555555}\" name=\"a\"/></VirtualBox>",
		"<VirtualBox version=\"1.19-linux\"><Machine uuid=\"{11111111-2222-3333-4444-555555555555}\" name=\"a &amp; b &#xE9;\"><!-- c --><?pi x?><Hardware>t<![CDATA[x]]></Hardware></Machine></VirtualBox>",
		"<VirtualBox version=\"1.19-linux\"><Machine uuid=\"{11111111-2222-3333-4444-555555555555}\" name=\"a\"><Hardware></Machine></VirtualBox>",
		"<VirtualBox version=\"1.19-linux\"><Machine name=\"a\"/></VirtualBox>",
		"<VirtualBox version=\"1.19-linux\"><Global/><Machine uuid=\"{11111111-2222-3333-4444-555555555555}\" name=\"second\"/></VirtualBox>",
		"<VirtualBox version=\"1.19-linux\"><Machine uuid=\"{11111111-2222-3333-4444-555555555555}\" name=\"first\"/><Machine uuid=\"{11111111-2222-3333-4444-555555555556}\" name=\"second\"/></VirtualBox>",
		"<VirtualBox><Machine/></VirtualBox>",
		"<Other version=\"1.19-linux\"/>",
		"<VirtualBox version=\"1.2-linux\"/>",
		"<VirtualBox version=\"1.19-linux\"><x:Machine xmlns:x=\"u\" uuid=\"{11111111-2222-3333-4444-555555555555}\" name=\"ns\"/></VirtualBox>",
		"<VirtualBox version=\"1.19-linux\"><Machine x:uuid=\"{11111111-2222-3333-4444-555555555555}\" xmlns:x=\"u\" name=\"ns\"/></VirtualBox>",
		"",
		"<VirtualBox version=\"1.8-linux\"><Machine uuid=\"{11111111-2222-3333-4444-555555555555}\" name=\"old\"><Hardware><DVDDrive/></Hardware></Machine></VirtualBox>",
		"<!DOCTYPE x><VirtualBox version=\"1.19-linux\"/>",
		"\xef\xbb\xbf<VirtualBox version=\"1.19-linux\"><Machine uuid=\"{11111111-2222-3333-4444-555555555555}\" name=\"bom\"/></VirtualBox>",
	};
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		peek_agrees(cases[i]);
}
