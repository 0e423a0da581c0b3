/* lib/util: option parsing, UUIDs, paths, integers, atomic writes. */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "lib/util/error.h"
#include "lib/util/fileio.h"
#include "lib/util/getopt.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"
#include "lib/util/uuid.h"

enum { O_MEM = 1000, O_NIC, O_FLAG = 'f', O_NAME = 'n' };

static const struct vb_option opts[] = {
	{ "--memory", O_MEM, VBGO_U32 },
	{ "--nic", O_NIC, VBGO_STRING | VBGO_INDEX },
	{ "--flag", O_FLAG, VBGO_NOVAL },
	{ "--name", O_NAME, VBGO_STRING },
	{ "-name", O_NAME, VBGO_STRING },
};

static int next(struct vb_getopt *g)
{
	return vb_getopt_next(g);
}

void test_getopt__long_forms(void)
{
	char *argv[] = { "x", "--memory", "512", "--memory=0x400", "--memory:7",
			 "vm", "--", "--flag", NULL };
	struct vb_getopt g;

	vb_getopt_init(&g, 8, argv, 1, opts, 5);
	T_EQ_INT(next(&g), O_MEM);
	T_EQ_INT(g.v.u32, 512);
	T_EQ_INT(next(&g), O_MEM);
	T_EQ_INT(g.v.u32, 1024);
	T_EQ_INT(next(&g), O_MEM);
	T_EQ_INT(g.v.u32, 7);
	T_EQ_INT(next(&g), VBGO_NOT_OPTION);
	T_EQ_STR(g.v.str, "vm");
	T_EQ_INT(next(&g), VBGO_NOT_OPTION);
	T_EQ_STR(g.v.str, "--flag");
	T_EQ_INT(next(&g), VBGO_END);
}

void test_getopt__index_and_shorts(void)
{
	char *argv[] = { "x", "--nic1", "nat", "--nic8=none", "-f", "-nfoo",
			 "-name", "bar", "-n=baz", NULL };
	struct vb_getopt g;

	vb_getopt_init(&g, 9, argv, 1, opts, 5);
	T_EQ_INT(next(&g), O_NIC);
	T_EQ_INT(g.index, 1);
	T_EQ_STR(g.v.str, "nat");
	T_EQ_INT(next(&g), O_NIC);
	T_EQ_INT(g.index, 8);
	T_EQ_STR(g.v.str, "none");
	T_EQ_INT(next(&g), O_FLAG);
	T_EQ_INT(next(&g), O_NAME);
	T_EQ_STR(g.v.str, "foo");
	T_EQ_INT(next(&g), O_NAME);
	T_EQ_STR(g.v.str, "bar");
	T_EQ_INT(next(&g), O_NAME);
	T_EQ_STR(g.v.str, "baz");
	T_EQ_INT(next(&g), VBGO_END);
}

void test_getopt__errors(void)
{
	char *argv[] = { "x", "--memory", "lots", "--bogus", "--nic", "a",
			 "--name", NULL };
	struct vb_getopt g;

	vb_getopt_init(&g, 7, argv, 1, opts, 5);
	T_EQ_INT(next(&g), VBGO_ERR_FORMAT);
	T_EQ_STR(g.v.str, "lots");
	T_EQ_INT(next(&g), VBGO_ERR_UNKNOWN);
	T_EQ_INT(next(&g), VBGO_ERR_INDEX);
	T_EQ_INT(next(&g), VBGO_NOT_OPTION);
	T_EQ_INT(next(&g), VBGO_ERR_MISSING);
}

void test_uuid__round_trip(void)
{
	struct vb_uuid u, v;
	uint8_t le[16];
	char buf[40];

	T_OK(vb_uuid_parse("{C750AA97-1253-4a9c-8483-d9ee248d267c}", &u));
	T_EQ_STR(vb_uuid_fmt(&u, buf), "c750aa97-1253-4a9c-8483-d9ee248d267c");
	T_EQ_STR(vb_uuid_fmt_braced(&u, buf),
		 "{c750aa97-1253-4a9c-8483-d9ee248d267c}");
	vb_uuid_to_le(&u, le);
	T_EQ_INT(le[0], 0x97);
	T_EQ_INT(le[4], 0x53);
	vb_uuid_from_le(le, &v);
	T_ASSERT(vb_uuid_eq(&u, &v));
	T_ASSERT(vb_uuid_parse("c750aa97-1253-4a9c-8483-d9ee248d267", &u) < 0);
	T_ASSERT(vb_uuid_parse("c750aa97x1253-4a9c-8483-d9ee248d267c", &u) < 0);
	T_OK(vb_uuid_generate(&u));
	T_EQ_INT(u.b[6] >> 4, 4);
}

void test_path__normalise(void)
{
	char *p = path_abs_from("/a/b", "../c/./d//e/..");

	T_EQ_STR(p, "/a/c/d");
	free(p);
	p = path_abs_from("/", "..");
	T_EQ_STR(p, "/");
	free(p);
	T_EQ_STR(path_inside("/x/y", "/x/y/z.vdi"), "z.vdi");
	T_ASSERT(path_inside("/x/y", "/x/yz/z.vdi") == NULL);
	T_EQ_STR(path_ext("/a.b/c.vbox"), ".vbox");
	T_EQ_STR(path_ext("/a.b/c"), "");
}

void test_strbuf__integers(void)
{
	unsigned long long u;
	long long i;

	T_OK(vb_parse_u64("0x10", &u));
	T_EQ_INT(u, 16);
	T_EQ_INT(vb_parse_u64("18446744073709551616", &u), -ERANGE);
	T_EQ_INT(vb_parse_u64("12a", &u), -EINVAL);
	T_EQ_INT(vb_parse_u64("", &u), -EINVAL);
	T_EQ_INT(vb_parse_u64("-1", &u), -EINVAL);
	T_OK(vb_parse_i64("-9223372036854775808", &i));
	T_ASSERT(i == (-9223372036854775807LL - 1));
}

void test_fileio__atomic_keeps_prev(void)
{
	char *path = path_join(t_tmpdir(), "f.vbox");
	char *prev = path_join(t_tmpdir(), "f.vbox-prev");
	char *data;
	size_t len;

	T_OK(vb_write_file_atomic(path, "first version of the file\n", 26, 1,
				  NULL));
	T_ASSERT(!path_exists(prev));
	T_OK(vb_write_file_atomic(path, "second\n", 7, 1, NULL));
	T_OK(vb_read_file(path, 1000, &data, &len, NULL));
	T_EQ_STR(data, "second\n");
	free(data);
	T_OK(vb_read_file(prev, 1000, &data, &len, NULL));
	T_EQ_STR(data, "first version of the file\n");
	free(data);
	free(path);
	free(prev);
}

void test_fileio__readonly_dir_keeps_old(void)
{
	char *dir = path_join(t_tmpdir(), "ro");
	char *path = path_join(dir, "x.xml");
	struct vb_error err = { 0 };
	char *data;
	size_t len;

	if (geteuid() == 0)
		T_SKIP("root ignores directory permissions");
	T_OK(path_mkdirs(dir, 0755));
	T_OK(vb_write_file_atomic(path, "old contents here\n", 18, 1, NULL));
	chmod(dir, 0555);
	T_ASSERT(vb_write_file_atomic(path, "new\n", 4, 1, &err) < 0);
	T_EQ_INT(err.hrc, VBOX_E_FILE_ERROR);
	T_OK(vb_read_file(path, 1000, &data, &len, NULL));
	T_EQ_STR(data, "old contents here\n");
	chmod(dir, 0755);
	free(data);
	free(path);
	free(dir);
}
