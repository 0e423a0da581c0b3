/* The snapshot tree in a machine document: take, restore, find, image
 * references, remove (children move up, the root rule, the current
 * snapshot moves to the parent). */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "lib/settings/snapshot.h"
#include "lib/settings/snode.h"
#include "lib/util/strbuf.h"
#include "lib/util/uuid.h"

#define DISK_A "0f8c4a36-7d02-4d57-b7a8-3f7a38b9d6a2"
#define DISK_B "1f8c4a36-7d02-4d57-b7a8-3f7a38b9d6a3"

static const char xml[] =
	"<?xml version=\"1.0\"?>\n"
	"<VirtualBox xmlns=\"http://www.virtualbox.org/\" version=\"1.19-linux\">\n"
	"  <Machine uuid=\"{6a0c4a36-7d02-4d57-b7a8-3f7a38b9d6a1}\" name=\"vm\" OSType=\"Debian_64\" snapshotFolder=\"Snapshots\">\n"
	"    <Hardware>\n"
	"      <Memory RAMSize=\"512\"/>\n"
	"      <StorageControllers>\n"
	"        <StorageController name=\"SATA\" type=\"AHCI\" PortCount=\"1\" useHostIOCache=\"false\" Bootable=\"true\">\n"
	"          <AttachedDevice type=\"HardDisk\" hotpluggable=\"false\" port=\"0\" device=\"0\">\n"
	"            <Image uuid=\"{" DISK_A "}\"/>\n"
	"          </AttachedDevice>\n"
	"        </StorageController>\n"
	"      </StorageControllers>\n"
	"    </Hardware>\n"
	"  </Machine>\n"
	"</VirtualBox>\n";

static struct machine *load(void)
{
	struct vb_error err = { 0 };
	struct machine *m = NULL;
	char *p = vb_asprintf("%s/vm/vm.vbox", t_tmpdir());

	T_OK(machine_load_mem(NULL, xml, strlen(xml), p, &m, &err));
	free(p);
	return m;
}

static struct vb_uuid uid(unsigned n)
{
	struct vb_uuid u;
	char s[40];

	snprintf(s, sizeof(s), "00000000-0000-4000-8000-%012x", n);
	T_OK(vb_uuid_parse(s, &u));
	return u;
}

static void set_mem(struct machine *m, const char *mb)
{
	struct snode *hw = snode_child(sdoc_top(machine_doc(m)), "Hardware");

	T_OK(snode_set_attr(snode_child(hw, "Memory"), "RAMSize", mb));
}

static const char *mem_of(struct snode *level)
{
	return snode_attr(snode_child(snode_child(level, "Hardware"), "Memory"),
			  "RAMSize");
}

void test_snapshot__take_and_restore(void)
{
	struct machine *m = load();
	struct vb_error err = { 0 };
	struct vb_uuid u1 = uid(1), u2 = uid(2), got;
	struct snode *s1, *s2, *top = sdoc_top(machine_doc(m));

	T_ASSERT(!snapshot_root(m));
	T_EQ_INT(snapshot_count(m), 0);
	s1 = snapshot_take(m, &u1, "one", "first", 1000, &err);
	T_ASSERT(s1);
	T_ASSERT(snapshot_root(m) == s1);
	T_ASSERT(snapshot_current(m) == s1);
	T_EQ_STR(snapshot_name(s1), "one");
	T_OK(snapshot_uuid(s1, &got));
	T_ASSERT(vb_uuid_eq(&got, &u1));
	{
		char *d = snapshot_description(s1);

		T_EQ_STR(d, "first");
		free(d);
	}
	T_EQ_STR(mem_of(s1), "512");
	/* the current state changes, the snapshot does not */
	set_mem(m, "1024");
	T_EQ_STR(mem_of(s1), "512");
	s2 = snapshot_take(m, &u2, "two", NULL, 2000, &err);
	T_ASSERT(s2);
	T_ASSERT(snapshot_parent(s2) == s1);
	T_EQ_INT(snapshot_child_count(s1), 1);
	T_ASSERT(snapshot_current(m) == s2);
	T_EQ_STR(mem_of(s2), "1024");
	T_EQ_INT(snapshot_count(m), 2);
	/* restore s1: its settings come back, it becomes current */
	T_OK(snapshot_restore(m, s1, 3000, &err));
	T_EQ_STR(mem_of(top), "512");
	T_ASSERT(snapshot_current(m) == s1);
	/* a snapshot taken now is a second child of s1 */
	{
		struct vb_uuid u3 = uid(3);
		struct snode *s3 = snapshot_take(m, &u3, "three", NULL, 4000,
						 &err);

		T_ASSERT(s3);
		T_ASSERT(snapshot_parent(s3) == s1);
		T_EQ_INT(snapshot_child_count(s1), 2);
		T_EQ_STR(mem_of(s3), "512");
	}
	machine_free(m);
}

void test_snapshot__find(void)
{
	struct machine *m = load();
	struct vb_error err = { 0 };
	struct vb_uuid u1 = uid(1), u2 = uid(2);
	struct snode *s1, *s2, *f = NULL;

	T_ASSERT(snapshot_find(m, "x", &f, &err) != 0);
	T_EQ_STR(err.msg, "This machine does not have any snapshots");
	s1 = snapshot_take(m, &u1, "one", NULL, 1, &err);
	s2 = snapshot_take(m, &u2, "two", NULL, 2, &err);
	T_ASSERT(s1 && s2);
	T_OK(snapshot_find(m, "two", &f, &err));
	T_ASSERT(f == s2);
	T_OK(snapshot_find(m, "00000000-0000-4000-8000-000000000001", &f, &err));
	T_ASSERT(f == s1);
	T_OK(snapshot_find(m, "{00000000-0000-4000-8000-000000000002}", &f, &err));
	T_ASSERT(f == s2);
	T_OK(snapshot_find(m, "", &f, &err));
	T_ASSERT(f == s1);
	T_ASSERT(snapshot_find(m, "three", &f, &err) != 0);
	T_EQ_STR(err.msg, "Could not find a snapshot named 'three'");
	T_ASSERT(snapshot_find(m, "00000000-0000-4000-8000-000000000009", &f, &err) != 0);
	T_EQ_STR(err.msg, "Could not find a snapshot with UUID {00000000-0000-4000-8000-000000000009}");
	/* edit */
	T_OK(snapshot_set_name(s2, "deux"));
	T_OK(snapshot_find(m, "deux", &f, &err));
	T_OK(snapshot_set_description(s2, "line one\nline two"));
	{
		char *d = snapshot_description(s2);

		T_EQ_STR(d, "line one\nline two");
		free(d);
	}
	machine_free(m);
}

void test_snapshot__image_refs_and_replace(void)
{
	struct machine *m = load();
	struct vb_error err = { 0 };
	struct vb_uuid u1 = uid(1), a, b;

	T_OK(vb_uuid_parse(DISK_A, &a));
	T_OK(vb_uuid_parse(DISK_B, &b));
	T_EQ_INT(snapshot_image_refs(m, &a), 1);
	T_ASSERT(snapshot_take(m, &u1, "one", NULL, 1, &err));
	/* the snapshot and the current state both use it */
	T_EQ_INT(snapshot_image_refs(m, &a), 2);
	T_EQ_INT(snapshot_image_refs(m, &b), 0);
	T_OK(snapshot_replace_image(m, &a, &b));
	T_EQ_INT(snapshot_image_refs(m, &a), 0);
	T_EQ_INT(snapshot_image_refs(m, &b), 2);
	machine_free(m);
}

void test_snapshot__remove(void)
{
	struct machine *m = load();
	struct vb_error err = { 0 };
	struct vb_uuid u[5];
	struct snode *s[5];
	unsigned i;

	for (i = 0; i < 5; i++)
		u[i] = uid(i + 1);
	/* s0 -> s1 -> s2, then s0 -> s3 (restore s0, take) */
	s[0] = snapshot_take(m, &u[0], "s0", NULL, 1, &err);
	s[1] = snapshot_take(m, &u[1], "s1", NULL, 2, &err);
	s[2] = snapshot_take(m, &u[2], "s2", NULL, 3, &err);
	T_OK(snapshot_restore(m, s[0], 4, &err));
	s[3] = snapshot_take(m, &u[3], "s3", NULL, 5, &err);
	T_ASSERT(s[0] && s[1] && s[2] && s[3]);
	T_EQ_INT(snapshot_child_count(s[0]), 2);
	/* the root with two children cannot go */
	T_ASSERT(snapshot_remove(m, s[0], &err) != 0);
	T_EQ_INT(snapshot_count(m), 4);
	/* a middle one: its child moves up to its parent */
	T_OK(snapshot_remove(m, s[1], &err));
	T_EQ_INT(snapshot_count(m), 3);
	{
		struct snode *f = NULL;

		T_OK(snapshot_find(m, "s2", &f, &err));
		T_EQ_STR(snapshot_name(snapshot_parent(f)), "s0");
	}
	T_EQ_INT(snapshot_child_count(snapshot_root(m)), 2);
	/* the current one: its parent becomes current */
	T_ASSERT(snapshot_current(m) == s[3]);
	T_OK(snapshot_remove(m, s[3], &err));
	T_EQ_STR(snapshot_name(snapshot_current(m)), "s0");
	/* now the root has one child, which becomes the root */
	T_OK(snapshot_remove(m, snapshot_root(m), &err));
	T_EQ_STR(snapshot_name(snapshot_root(m)), "s2");
	T_ASSERT(!snapshot_parent(snapshot_root(m)));
	T_OK(snapshot_remove(m, snapshot_root(m), &err));
	T_ASSERT(!snapshot_root(m));
	T_EQ_INT(snapshot_count(m), 0);
	T_ASSERT(!snode_attr(sdoc_top(machine_doc(m)), "currentSnapshot"));
	machine_free(m);
}

void test_snapshot__walk_order(void)
{
	struct machine *m = load();
	struct vb_error err = { 0 };
	struct vb_uuid u[4];
	struct snode *s;
	struct strbuf sb = { 0 };
	unsigned i;

	for (i = 0; i < 4; i++)
		u[i] = uid(i + 1);
	T_ASSERT(snapshot_take(m, &u[0], "a", NULL, 1, &err));
	T_ASSERT(snapshot_take(m, &u[1], "b", NULL, 2, &err));
	T_OK(snapshot_restore(m, snapshot_root(m), 3, &err));
	T_ASSERT(snapshot_take(m, &u[2], "c", NULL, 4, &err));
	T_ASSERT(snapshot_take(m, &u[3], "d", NULL, 5, &err));
	/* depth first, children in order */
	for (s = snapshot_root(m); s; s = snapshot_next(s))
		sb_addf(&sb, "%s", snapshot_name(s));
	T_EQ_STR(sb.buf, "abcd");
	sb_release(&sb);
	machine_free(m);
}
