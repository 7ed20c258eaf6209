/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "cpulist.h"

/* Shows the input on one TAP comment line, newlines escaped. */
static void show_input(const char *s)
{
	char buf[128];
	size_t n = 0;

	for (; *s && n < sizeof(buf) - 3; s++) {
		if (*s == '\n') {
			buf[n++] = '\\';
			buf[n++] = 'n';
		} else
			buf[n++] = *s;
	}
	buf[n] = '\0';
	print_message("# input \"%s\"\n", buf);
}

static void assert_list(const char *s, const unsigned *want, size_t n)
{
	_cleanup_(cpulist_freep) CpuList *l = NULL;
	Diag d = {};

	show_input(s);
	assert_int_equal(cpulist_parse(s, "present", 1, &l, &d), 0);
	assert_int_equal(l->n_cpus, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(l->cpus[i], want[i]);
}

static void test_valid(void **state)
{
	static const unsigned a[] = { 0, 1, 2, 3, 8, 10, 11 };
	static const unsigned b[] = { 0, 1, 4, 7 };
	static const unsigned c[] = { 0 };
	static const unsigned e[] = { 0, 1, 2, 3 };

	assert_list("0-3,8,10-11", a, ELEMENTSOF(a));
	assert_list("0-3,8,10-11\n", a, ELEMENTSOF(a));
	assert_list("0-1,4,7\n", b, ELEMENTSOF(b));
	assert_list("0\n", c, 1);
	assert_list("5-5", (const unsigned[]){ 5 }, 1);
	/* Not how the kernel prints it, but neither ambiguous nor overlapping. */
	assert_list("0-1,2-3", e, ELEMENTSOF(e));
}

static void test_empty(void **state)
{
	_cleanup_(cpulist_freep) CpuList *a = NULL, *b = NULL;

	/* cpu/offline on a machine with every CPU online is just "\n". */
	assert_int_equal(cpulist_parse("", "offline", 1, &a, NULL), 0);
	assert_int_equal(a->n_cpus, 0);
	assert_int_equal(cpulist_parse("\n", "offline", 1, &b, NULL), 0);
	assert_int_equal(b->n_cpus, 0);
	assert_false(cpulist_contains(b, 0));
}

static void test_contains(void **state)
{
	_cleanup_(cpulist_freep) CpuList *l = NULL;

	assert_int_equal(cpulist_parse("0-1,4,7,100-200", "possible", 1, &l, NULL), 0);
	assert_true(cpulist_contains(l, 0));
	assert_true(cpulist_contains(l, 1));
	assert_false(cpulist_contains(l, 2));
	assert_true(cpulist_contains(l, 4));
	assert_true(cpulist_contains(l, 7));
	assert_false(cpulist_contains(l, 8));
	assert_true(cpulist_contains(l, 150));
	assert_true(cpulist_contains(l, 200));
	assert_false(cpulist_contains(l, 201));
}

static void test_largest(void **state)
{
	_cleanup_(cpulist_freep) CpuList *l = NULL;
	char s[64];

	snprintf(s, sizeof(s), "0-%u\n", CPULIST_MAX_CPU);
	assert_int_equal(cpulist_parse(s, "possible", 1, &l, NULL), 0);
	assert_int_equal(l->n_cpus, CPULIST_MAX_CPU + 1);
	assert_int_equal(l->cpus[CPULIST_MAX_CPU], CPULIST_MAX_CPU);
}

static void test_invalid(void **state)
{
	static const struct {
		const char *s, *reason;
	} cases[] = {
		{ "3,1", "CPU 1 overlaps or precedes an earlier entry (the list must ascend)" },
		{ "0-3,2", "CPU 2 overlaps or precedes an earlier entry (the list must ascend)" },
		{ "1,1", "CPU 1 overlaps or precedes an earlier entry (the list must ascend)" },
		{ "3-1", "reversed range 3-1" },
		{ "a", "expected a CPU number at \"a\"" },
		{ "1,", "expected a CPU number at \"\"" },
		{ ",1", "expected a CPU number at \",1\"" },
		{ "1--2", "expected a CPU number at \"-2\"" },
		{ "1 2", "expected ',' at \" 2\"" },
		{ " 1", "expected a CPU number at \" 1\"" },
		{ "-1", "expected a CPU number at \"-1\"" },
		{ "0-3:2/4", "expected ',' at \":2/4\"" },
		{ "1\n2", "unexpected text after the list" },
		{ "1\n\n", "unexpected text after the list" },
		{ "99999999999999999999", "CPU number above 1048576" },
		{ "0-1048577", "CPU number above 1048576" },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		CpuList *l = (CpuList *)0x1;
		Diag d = {};

		show_input(cases[i].s);
		assert_int_equal(cpulist_parse(cases[i].s, "present", 1, &l, &d), -EINVAL);
		assert_ptr_equal(l, (CpuList *)0x1);
		assert_string_equal(d.file, "present");
		assert_int_equal(d.line, 1);
		assert_string_equal(d.reason, cases[i].reason);
	}
}

static void test_stream(void **state)
{
	_cleanup_(cpulist_freep) CpuList *l = NULL;
	_cleanup_(fclosep) FILE *f = NULL, *g = NULL;
	CpuList *none = NULL;
	Diag d = {};

	f = fmemopen((void *)"\n", 1, "r");
	assert_non_null(f);
	assert_int_equal(cpulist_parse_stream(f, "offline", &l, &d), 0);
	assert_int_equal(l->n_cpus, 0);

	/* The kernel always writes the newline: a file of zero bytes is broken. */
	g = fopen("/dev/null", "re");
	assert_non_null(g);
	assert_int_equal(cpulist_parse_stream(g, "present", &none, &d), -ENODATA);
	assert_string_equal(d.reason, "file is empty");
	assert_null(none);
}

static void test_file(void **state)
{
	_cleanup_(cpulist_freep) CpuList *l = NULL;
	const char *fixtures = getenv("FIXTURES");
	char root[PATH_MAX];
	Diag d = {};

	assert_int_equal(cpulist_parse_file("/nonexistent-root", "/sys/devices/system/cpu/present", &l, &d), -ENOENT);
	assert_string_equal(d.file, "/sys/devices/system/cpu/present");

	if (!fixtures)
		skip();
	snprintf(root, sizeof(root), "%s/cpu-holes", fixtures);
	assert_int_equal(cpulist_parse_file(root, "/sys/devices/system/cpu/present", &l, &d), 0);
	assert_int_equal(l->n_cpus, 4);
	assert_int_equal(l->cpus[2], 4);
	assert_int_equal(l->cpus[3], 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_contains),
		cmocka_unit_test(test_largest),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_file),
	};
	return cmocka_run_group_tests_name("cpulist", tests, NULL, NULL);
}
