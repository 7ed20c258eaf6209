/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../../daemon/ctl-status.h" /* crash-hotplugctl's reader, built into this test */

static const char full[] =
	"{\"pid\":1234,\"state\":\"protected\",\"loader\":\"file\",\"reloads\":3,\"failures\":1,"
	"\"events_total\":250,\"last_burst_events\":200,\"last_reload_realtime_usec\":1700000000123456,"
	"\"last_reload_syscall_usec\":38211,\"last_event_to_reload_usec\":1042000,\"cpus\":4,"
	"\"ram_ranges\":37,\"ram_bytes\":17179869184,\"phdrs_used\":43,\"max_phdrs\":8198,"
	"\"fingerprint\":\"0123456789abcdef\",\"message\":\"protected: 4 CPUs, 37 RAM ranges (16.0 GiB)\"}\n";

static int parse(const char *text, CtlStatus *s, char *reason, size_t size)
{
	return ctl_status_parse(text, strlen(text), s, reason, size);
}

static void test_full_object(void **state)
{
	CtlStatus s;
	char reason[128];

	assert_int_equal(parse(full, &s, reason, sizeof(reason)), 0);
	assert_int_equal(s.pid, 1234);
	assert_string_equal(s.state, "protected");
	assert_string_equal(s.loader, "file");
	assert_int_equal(s.reloads, 3);
	assert_int_equal(s.failures, 1);
	assert_int_equal(s.events_total, 250);
	assert_int_equal(s.last_burst_events, 200);
	assert_int_equal(s.last_reload_realtime_usec, 1700000000123456ULL);
	assert_int_equal(s.last_reload_syscall_usec, 38211);
	assert_int_equal(s.last_event_to_reload_usec, 1042000);
	assert_int_equal(s.cpus, 4);
	assert_int_equal(s.ram_ranges, 37);
	assert_int_equal(s.ram_bytes, 17179869184ULL);
	assert_int_equal(s.phdrs_used, 43);
	assert_int_equal(s.max_phdrs, 8198);
	assert_int_equal(s.fingerprint, 0x0123456789abcdefULL);
	assert_string_equal(s.message, "protected: 4 CPUs, 37 RAM ranges (16.0 GiB)");
}

static void test_round_trip(void **state)
{
	_cleanup_(freep) char *text = NULL;
	CtlStatus a, b;
	size_t len = 0;
	FILE *f;

	assert_int_equal(parse(full, &a, NULL, 0), 0);
	snprintf(a.message, sizeof(a.message), "quote \" backslash \\ tab \t newline \n del \x7f é");
	f = open_memstream(&text, &len);
	assert_non_null(f);
	ctl_status_print_json(&a, true, f);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(text, "\"running\":true"));
	assert_int_equal(ctl_status_parse(text, len, &b, NULL, 0), 0);
	assert_memory_equal(&a, &b, sizeof(a));
}

static void test_minimal_and_unknown_keys(void **state)
{
	CtlStatus s;

	assert_int_equal(parse(" { \"state\" : \"starting\" , \"pid\" : 7 } ", &s, NULL, 0), 0);
	assert_int_equal(s.pid, 7);
	assert_int_equal(s.reloads, 0);
	assert_string_equal(s.loader, "");
	/* A newer daemon may add keys of any type: skipped. */
	assert_int_equal(parse("{\"pid\":7,\"new\":{\"a\":[1,2.5e3,-3,true,false,null,\"x\",{}],\"b\":[]},"
			       "\"state\":\"protected\",\"ratio\":-0.25}",
			       &s, NULL, 0),
			 0);
	assert_string_equal(s.state, "protected");
}

static void test_escapes(void **state)
{
	CtlStatus s;

	assert_int_equal(parse("{\"pid\":1,\"state\":\"x\",\"message\":\"a\\u00e9b\\ud83d\\ude00c\\/\\n\"}", &s, NULL, 0), 0);
	assert_string_equal(s.message, "a\xc3\xa9" "b\xf0\x9f\x98\x80" "c/\n");
}

static void test_rejects(void **state)
{
	static const char *const bad[] = {
		"",
		"[]",
		"{}",                                         /* no pid, no state */
		"{\"pid\":1}",
		"{\"state\":\"x\"}",
		"{\"pid\":0,\"state\":\"x\"}",
		"{\"pid\":-1,\"state\":\"x\"}",
		"{\"pid\":99999999999,\"state\":\"x\"}",
		"{\"pid\":1,\"state\":\"x\",\"reloads\":-3}",
		"{\"pid\":1,\"state\":\"x\",\"reloads\":1.5}",
		"{\"pid\":1,\"state\":\"x\",\"reloads\":18446744073709551616}",
		"{\"pid\":1,\"state\":\"x\",\"reloads\":\"3\"}",
		"{\"pid\":1,\"state\":\"x\",\"fingerprint\":\"xyz\"}",
		"{\"pid\":1,\"state\":\"x\",\"fingerprint\":\"-1\"}",
		"{\"pid\":1,\"state\":\"x\",\"fingerprint\":\"10000000000000000\"}",
		"{\"pid\":1,\"state\":\"a very long state name that does not fit\"}",
		"{\"pid\":1,\"state\":\"x\"} trailing",
		"{\"pid\":1,\"state\":\"x\",}",
		"{\"pid\":1 \"state\":\"x\"}",
		"{\"pid\":1,\"state\":\"x\",\"message\":\"\\u0000\"}",
		"{\"pid\":1,\"state\":\"x\",\"message\":\"\\ud800\"}",
		"{\"pid\":1,\"state\":\"x\",\"message\":\"\\q\"}",
		"{\"pid\":1,\"state\":\"x\",\"message\":\"raw\ttab\"}",
		"{\"pid\":1,\"state\":\"x\",\"n\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}",
		"{\"pid\":1,\"state\":\"x\",\"n\":tru}",
	};

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		CtlStatus s = { .pid = 42 };
		char reason[128] = "";

		if (parse(bad[i], &s, reason, sizeof(reason)) != -EINVAL)
			fail_msg("accepted: %s", bad[i]);
		assert_int_equal(s.pid, 42); /* untouched */
		assert_true(reason[0] != '\0');
	}
}

/* Every prefix of a valid file (a write cut short) is refused, never read out of bounds:
 * parse from an exact-size heap copy so ASan sees any overrun. */
static void test_truncations(void **state)
{
	size_t len = strlen(full);

	for (size_t n = 0; n < len - 1; n++) {
		_cleanup_(freep) char *copy = malloc(n ? n : 1);
		CtlStatus s;

		assert_non_null(copy);
		memcpy(copy, full, n);
		assert_int_equal(ctl_status_parse(copy, n, &s, NULL, 0), -EINVAL);
	}
}

static void test_read_file(void **state)
{
	CtlStatus s;
	char reason[128];

	assert_int_equal(ctl_status_read("/nonexistent/status.json", &s, reason, sizeof(reason)), -ENOENT);
	assert_int_equal(ctl_status_read("/dev/null", &s, reason, sizeof(reason)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_object),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_minimal_and_unknown_keys),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_read_file),
	};
	return cmocka_run_group_tests_name("ctl-status", tests, NULL, NULL);
}
