/* SPDX-License-Identifier: GPL-2.0-or-later */
/* format_bytes(): the one formatter of sizes for people. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "bytes.h"

static void assert_bytes(uint64_t bytes, const char *want)
{
	char buf[32];

	assert_string_equal(format_bytes(bytes, buf, sizeof(buf)), want);
}

static void test_exact(void **state)
{
	assert_bytes(0, "0 B");
	assert_bytes(100, "100 B");
	assert_bytes(1023, "1023 B");
	assert_bytes(1024, "1 KiB");
	assert_bytes(512ULL << 20, "512 MiB");
	assert_bytes(1ULL << 30, "1 GiB");
	assert_bytes(192256ULL << 20, "187.8 GiB");
	assert_bytes(3ULL << 40, "3 TiB");
}

static void test_rounded(void **state)
{
	/* The small-vm guest's RAM: once "766 MiB", "767 MiB" and "0.7 GiB" in one run. */
	assert_bytes(804126720, "766.9 MiB");
	assert_bytes(16256ULL << 10, "15.9 MiB");
	assert_bytes(1536, "1.5 KiB");
	/* Never "1024.0 MiB": the next unit. */
	assert_bytes((1ULL << 30) - 1, "1.0 GiB");
	assert_bytes((1ULL << 20) + 1, "1.0 MiB");
	assert_bytes(UINT64_MAX, "16384.0 PiB");
}

static void test_short_buffer(void **state)
{
	char buf[4];

	assert_string_equal(format_bytes(804126720, buf, sizeof(buf)), "766");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact),
		cmocka_unit_test(test_rounded),
		cmocka_unit_test(test_short_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
