/*
 * A tiny unit-test harness.  Write functions named
 * test_<suite>__<case>(void) in tests/unit/t-<part>-<topic>.c; collect.sh
 * finds them.  Each test runs in a child process, so a crash fails only
 * that test.
 */
#ifndef VB_TEST_HARNESS_H
#define VB_TEST_HARNESS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void t_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));
void t_skip(const char *reason) __attribute__((noreturn));
/* A scratch directory for this test (removed afterwards). */
const char *t_tmpdir(void);
/* Path of a file in ../shared/fixtures or tests/data, or NULL. */
const char *t_shared_dir(void);

#define T_ASSERT(c) do { if (!(c)) t_fail(__FILE__, __LINE__, "assertion failed: %s", #c); } while (0)
#define T_EQ_INT(a, b) do { long long _a = (long long)(a), _b = (long long)(b); \
	if (_a != _b) t_fail(__FILE__, __LINE__, "%s == %lld, expected %s == %lld", #a, _a, #b, _b); } while (0)
#define T_EQ_U64(a, b) do { unsigned long long _a = (unsigned long long)(a), _b = (unsigned long long)(b); \
	if (_a != _b) t_fail(__FILE__, __LINE__, "%s == 0x%llx, expected 0x%llx", #a, _a, _b); } while (0)
#define T_EQ_STR(a, b) do { const char *_a = (a), *_b = (b); \
	if (!_a || !_b || strcmp(_a, _b)) t_fail(__FILE__, __LINE__, "%s == \"%s\", expected \"%s\"", #a, _a ? _a : "(null)", _b ? _b : "(null)"); } while (0)
#define T_EQ_MEM(a, b, n) do { if (memcmp((a), (b), (n))) t_fail(__FILE__, __LINE__, "memory %s differs from %s", #a, #b); } while (0)
#define T_OK(expr) do { long long _r = (long long)(expr); if (_r != 0) t_fail(__FILE__, __LINE__, "%s returned %lld", #expr, _r); } while (0)
#define T_SKIP(reason) t_skip(reason)

#endif
