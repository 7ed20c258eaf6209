/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "kvalues.h"

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

typedef int (*ParseFn)(const char *s, const char *name, uint64_t *ret, Diag *d);

static void assert_bad(ParseFn fn, const char *s, int error, const char *reason)
{
	uint64_t v = 77;
	Diag d = {};

	show_input(s);
	assert_int_equal(fn(s, "file", &v, &d), -error);
	assert_int_equal(v, 77);
	assert_string_equal(d.file, "file");
	assert_int_equal(d.line, 1);
	assert_string_equal(d.reason, reason);
}

static void test_crash_notes(void **state)
{
	uint64_t v = 0;

	assert_int_equal(kvalue_parse_crash_notes("3fa1d8c0\n", "f", &v, NULL), 0);
	assert_int_equal(v, 0x3fa1d8c0);
	assert_int_equal(kvalue_parse_crash_notes("63fa1d8c0", "f", &v, NULL), 0);
	assert_int_equal(v, 0x63fa1d8c0ULL);
	assert_int_equal(kvalue_parse_crash_notes("ffffffffffffffff\n", "f", &v, NULL), 0);
	assert_int_equal(v, UINT64_MAX);

	assert_bad(kvalue_parse_crash_notes, "", ENODATA, "empty crash_notes address");
	assert_bad(kvalue_parse_crash_notes, "\n", ENODATA, "empty crash_notes address");
	assert_bad(kvalue_parse_crash_notes, "0x3fa1d8c0", EINVAL,
		   "crash_notes address: unexpected \"0x\" (the kernel prints bare hex)");
	assert_bad(kvalue_parse_crash_notes, "xyz", EINVAL, "crash_notes address: not a hex number");
	assert_bad(kvalue_parse_crash_notes, "10000000000000000", EINVAL, "crash_notes address: more than 16 hex digits");
	assert_bad(kvalue_parse_crash_notes, "3fa1d8c0 368", EINVAL,
		   "crash_notes address: unexpected text after the hex number");
	assert_bad(kvalue_parse_crash_notes, "3fa1d8c0\n\n", EINVAL,
		   "crash_notes address: unexpected text after the hex number");
	assert_bad(kvalue_parse_crash_notes, "0\n", EINVAL, "crash_notes address is 0");
}

static void test_crash_notes_size(void **state)
{
	uint64_t v = 0;

	assert_int_equal(kvalue_parse_crash_notes_size("368\n", "f", &v, NULL), 0);
	assert_int_equal(v, 368);
	assert_int_equal(kvalue_parse_crash_notes_size("18446744073709551615", "f", &v, NULL), 0);
	assert_int_equal(v, UINT64_MAX);

	/* "1024" here means 1024: the hex reading of vmcoreinfo's size must not leak in. */
	assert_int_equal(kvalue_parse_crash_notes_size("1024", "f", &v, NULL), 0);
	assert_int_equal(v, 1024);

	assert_bad(kvalue_parse_crash_notes_size, "", ENODATA, "empty crash_notes_size");
	assert_bad(kvalue_parse_crash_notes_size, "0\n", EINVAL, "crash_notes_size is 0");
	assert_bad(kvalue_parse_crash_notes_size, "-1", EINVAL, "crash_notes_size: not a decimal number");
	assert_bad(kvalue_parse_crash_notes_size, "0x170", EINVAL, "crash_notes_size: unexpected text after the number");
	assert_bad(kvalue_parse_crash_notes_size, "170h", EINVAL, "crash_notes_size: unexpected text after the number");
	assert_bad(kvalue_parse_crash_notes_size, "18446744073709551616", EINVAL, "crash_notes_size: number too large");
}

static void test_vmcoreinfo(void **state)
{
	static const struct {
		const char *s, *reason;
		int error;
	} bad[] = {
		{ "", "empty vmcoreinfo", ENODATA },
		{ "3fd1d000 1024", "expected \"0x<address> <size in hex>\"", EINVAL },
		{ "0x 1024", "vmcoreinfo address: not a hex number", EINVAL },
		{ "0x3fd1d000", "expected one space after the vmcoreinfo address", EINVAL },
		{ "0x3fd1d000  1024", "vmcoreinfo size: not a hex number", EINVAL },
		{ "0x3fd1d000 0x1024", "vmcoreinfo size: unexpected \"0x\" (the kernel prints bare hex)", EINVAL },
		{ "0x3fd1d000 1024 5", "unexpected text after the vmcoreinfo size", EINVAL },
		{ "0x3fd1d000 1024\nx", "unexpected text after the vmcoreinfo size", EINVAL },
		{ "0x0000000000000000 1024", "vmcoreinfo address or size is 0", EINVAL },
		{ "0x3fd1d000 0", "vmcoreinfo address or size is 0", EINVAL },
		{ "0xfffffffffffff000 2000", "vmcoreinfo note wraps around the address space", EINVAL },
	};
	uint64_t addr = 0, size = 0;
	Diag d = {};

	assert_int_equal(kvalue_parse_vmcoreinfo("0x000000003fd1d000 1024\n", "f", &addr, &size, &d), 0);
	assert_int_equal(addr, 0x3fd1d000);
	assert_int_equal(size, 0x1024); /* hex: 4132 bytes */

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		addr = size = 77;
		show_input(bad[i].s);
		assert_int_equal(kvalue_parse_vmcoreinfo(bad[i].s, "f", &addr, &size, &d), -bad[i].error);
		assert_int_equal(addr, 77);
		assert_int_equal(size, 77);
		assert_string_equal(d.reason, bad[i].reason);
	}
}

static void test_vmcoreinfo_stream(void **state)
{
	static const char ok[] = "0x0000000100c66000 1024\n";
	_cleanup_(fclosep) FILE *f = NULL, *g = NULL;
	char big[400];
	uint64_t addr = 0, size = 0;
	Diag d = {};

	f = fmemopen((void *)ok, strlen(ok), "r");
	assert_non_null(f);
	assert_int_equal(kvalue_parse_vmcoreinfo_stream(f, "vmcoreinfo", &addr, &size, &d), 0);
	assert_int_equal(addr, 0x100c66000ULL);
	assert_int_equal(size, 0x1024);

	memset(big, '0', sizeof(big));
	g = fmemopen(big, sizeof(big), "r");
	assert_non_null(g);
	assert_int_equal(kvalue_parse_vmcoreinfo_stream(g, "vmcoreinfo", &addr, &size, &d), -EFBIG);
	assert_string_equal(d.reason, "longer than 256 bytes");
}

static void test_block_size(void **state)
{
	uint64_t v = 0;

	assert_int_equal(kvalue_parse_block_size("8000000\n", "f", &v, NULL), 0);
	assert_int_equal(v, 128 << 20);
	assert_int_equal(kvalue_parse_block_size("80000000", "f", &v, NULL), 0);
	assert_int_equal(v, 2ULL << 30);

	assert_bad(kvalue_parse_block_size, "", ENODATA, "empty block_size_bytes");
	assert_bad(kvalue_parse_block_size, "0", EINVAL, "block_size_bytes 0x0 is not a power of two");
	assert_bad(kvalue_parse_block_size, "c000000", EINVAL, "block_size_bytes 0xc000000 is not a power of two");
	assert_bad(kvalue_parse_block_size, "0x8000000", EINVAL,
		   "block_size_bytes: unexpected \"0x\" (the kernel prints bare hex)");
	assert_bad(kvalue_parse_block_size, "134217728x", EINVAL, "block_size_bytes: unexpected text after the hex number");
}

static void test_scan_hex(void **state)
{
	const char *s = "DeadBeef-", *p = s, *why = NULL;
	uint64_t v = 0;

	assert_int_equal(kvalue_scan_hex(&p, &v, &why), 0);
	assert_int_equal(v, 0xdeadbeef);
	assert_ptr_equal(p, s + 8);
	p = "-";
	assert_int_equal(kvalue_scan_hex(&p, &v, &why), -EINVAL);
	assert_string_equal(why, "not a hex number");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crash_notes),
		cmocka_unit_test(test_crash_notes_size),
		cmocka_unit_test(test_vmcoreinfo),
		cmocka_unit_test(test_vmcoreinfo_stream),
		cmocka_unit_test(test_block_size),
		cmocka_unit_test(test_scan_hex),
	};
	return cmocka_run_group_tests_name("kvalues", tests, NULL, NULL);
}
