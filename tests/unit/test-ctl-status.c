/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../../daemon/ctl-status.h" /* crash-hotplugctl's reader, built into this test */
#include "../emulated.h"

static const char full[] =
	"{\"pid\":1234,\"start_time\":163783,\"state\":\"protected\",\"loader\":\"file\",\"reloads\":3,\"failures\":1,"
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
	assert_int_equal(s.start_time, 163783);
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
	ctl_status_print_json(&a, &(StatusJsonVerdict){ .running = true, .kernel_loaded = -1 }, f);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(text, "{\"pid\":1234,\"start_time\":163783,\"running\":true,"));
	assert_int_equal(ctl_status_parse(text, len, &b, NULL, 0), 0);
	assert_memory_equal(&a, &b, sizeof(a));
}

static void test_minimal_and_unknown_keys(void **state)
{
	CtlStatus s;

	assert_int_equal(parse(" { \"state\" : \"starting\" , \"pid\" : 7 } ", &s, NULL, 0), 0);
	assert_int_equal(s.pid, 7);
	assert_int_equal(s.start_time, 0); /* a daemon before start_time: unknown */
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
	/* json-c makes a lone surrogate U+FFFD (the hand-written parser refused the file). */
	assert_int_equal(parse("{\"pid\":1,\"state\":\"x\",\"message\":\"\\ud800\"}", &s, NULL, 0), 0);
	assert_string_equal(s.message, "\xef\xbf\xbd");
	/* ... and takes a raw control character in a string as it is (crash-hotplugctl escapes
	 * every string it prints to a terminal anyway). */
	assert_int_equal(parse("{\"pid\":1,\"state\":\"x\",\"message\":\"raw\ttab\"}", &s, NULL, 0), 0);
	assert_string_equal(s.message, "raw\ttab");
}

/* What status.json gained: state_since, unprotected_usec and the per-loader tables. */
static void test_tables(void **state)
{
	_cleanup_(freep) char *text = NULL;
	CtlStatus s, again;
	size_t len = 0;
	FILE *f;

	assert_int_equal(parse("{\"pid\":9,\"state\":\"dry-run\",\"state_since\":1700000000000001,"
			       "\"unprotected_usec\":5,\"reloads_by_loader\":{\"file\":3,\"segments\":0},"
			       "\"failures_by_reason\":{\"file\":{\"EBUSY\":2,\"ENOMEM\":1},\"segments\":{\"EPERM\":4}}}",
			       &s, NULL, 0),
			 0);
	assert_int_equal(s.state_since_usec, 1700000000000001ULL);
	assert_int_equal(s.unprotected_usec, 5);
	assert_int_equal(s.n_reloads_by, 2);
	assert_string_equal(s.reloads_by[0].loader, "file");
	assert_int_equal(s.reloads_by[0].count, 3);
	assert_int_equal(s.n_failures_by, 3);
	assert_string_equal(s.failures_by[1].loader, "file");
	assert_string_equal(s.failures_by[1].reason, "ENOMEM");
	assert_string_equal(s.failures_by[2].loader, "segments");
	assert_int_equal(s.failures_by[2].count, 4);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(ctl_status_print_json(&s, &(StatusJsonVerdict){ .running = true, .kernel_loaded = -1 }, f), 0);
	assert_int_equal(fclose(f), 0);
	/* dry-run is never protected, running or not. */
	assert_non_null(strstr(text, "\"running\":true,\"protected\":false,"));
	assert_int_equal(ctl_status_parse(text, len, &again, NULL, 0), 0);
	assert_memory_equal(&s, &again, sizeof(s));
}

/* The kernel's word: a protected daemon with nothing loaded is not protected, and says why;
 * a kernel that agrees is shown too. */
static void test_kernel_verdict_json(void **state)
{
	_cleanup_(freep) char *text = NULL, *text2 = NULL;
	CtlStatus s;
	size_t len = 0, len2 = 0;
	FILE *f;

	assert_int_equal(parse("{\"pid\":7,\"start_time\":9,\"state\":\"protected\"}", &s, NULL, 0), 0);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(ctl_status_print_json(&s, &(StatusJsonVerdict){ .running = true, .kernel_loaded = 0,
									 .warning = "NOT PROTECTED: x" }, f), 0);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(text, "{\"pid\":7,\"start_time\":9,\"running\":true,\"protected\":false,"
				     "\"kernel_loaded\":false,\"warning\":\"NOT PROTECTED: x\",\"state\":\"protected\","));
	f = open_memstream(&text2, &len2);
	assert_non_null(f);
	assert_int_equal(ctl_status_print_json(&s, &(StatusJsonVerdict){ .running = true, .kernel_loaded = 1 }, f), 0);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(text2, "\"running\":true,\"protected\":true,\"kernel_loaded\":true,\"state\""));
}

/* No status file: still an object. */
static void test_absent_json(void **state)
{
	_cleanup_(freep) char *text = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(ctl_status_print_json(NULL, &(StatusJsonVerdict){ .reason = "no /run/x/status.json" }, f), 0);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(text, "{\"running\":false,\"protected\":false,\"reason\":\"no /run/x/status.json\"}\n");
}

static void test_rejects(void **state)
{
	static const char nul_after[] = "{\"pid\":1,\"state\":\"x\"}\n\0";
	static const char nul_inside[] = "{\"pid\":1,\"state\":\"x\0y\"}";
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
		"{\"pid\":1,\"state\":\"x\",\"start_time\":-3}",
		"{\"pid\":1,\"state\":\"x\",\"start_time\":\"163783\"}",
		"{\"pid\":1,\"state\":\"x\",\"start_time\":1e5}",
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
		"{\"pid\":1,\"state\":\"x\",\"reloads\":18446744073709551615}", /* json-c saturates here */
		"{\"pid\":1,\"state\":\"x\",\"state_since\":-1}",
		"{\"pid\":1,\"state\":\"x\",\"reloads_by_loader\":[]}",
		"{\"pid\":1,\"state\":\"x\",\"reloads_by_loader\":{\"file\":-1}}",
		"{\"pid\":1,\"state\":\"x\",\"reloads_by_loader\":{\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,\"f\":1,\"g\":1,\"h\":1,\"i\":1}}",
		"{\"pid\":1,\"state\":\"x\",\"failures_by_reason\":{\"file\":3}}",
		"{\"pid\":1,\"state\":\"x\",\"failures_by_reason\":{\"file\":{\"EBUSY\":\"2\"}}}",
		"{\"pid\":1,\"state\":\"x\",\"failures_by_reason\":{\"file\":{\"a reason longer than thirty-two bytes\":1}}}",
		"{\"pid\":1,\"state\":7}",
		"{\"pid\":\"1\",\"state\":\"x\"}",
		"{\"pid\":1,\"state\":\"x\",\"message\":\"\\q\"}",
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
	/* NUL bytes read from the file: after the object, inside a string. */
	{
		CtlStatus s;

		assert_int_equal(ctl_status_parse(nul_after, sizeof(nul_after) - 1, &s, NULL, 0), -EINVAL);
		assert_int_equal(ctl_status_parse(nul_inside, sizeof(nul_inside) - 1, &s, NULL, 0), -EINVAL);
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

/* Without start_time (an older daemon) the JSON has none either, and says so by leaving it out. */
static void test_no_start_time_json(void **state)
{
	_cleanup_(freep) char *text = NULL;
	CtlStatus s;
	size_t len = 0;
	FILE *f;

	assert_int_equal(parse("{\"pid\":7,\"state\":\"protected\"}", &s, NULL, 0), 0);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	ctl_status_print_json(&s, &(StatusJsonVerdict){ .reason = "gone", .kernel_loaded = -1 }, f);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(text, "{\"pid\":7,\"running\":false,"));
	assert_null(strstr(text, "start_time"));
}

static const char *escape(const char *s, char *buf, size_t size)
{
	return ctl_escape(s, buf, size);
}

static void test_escape(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "protected: 4 CPUs", "protected: 4 CPUs" },
		{ "", "" },
		{ "\x1b[2J\x1b]0;title\x07", "\\x1b[2J\\x1b]0;title\\x07" },
		{ "tab\tnewline\ncr\rdel\x7f", "tab\\x09newline\\x0acr\\x0ddel\\x7f" },
		{ "back\\slash \\x1b", "back\\\\slash \\\\x1b" }, /* a literal "\x1b" stays told apart */
		{ "\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80" },
		{ "\xc2\x9b" "6n \xc2\x80 \xc2\x9f \xc2\xa0", "\\xc2\\x9b6n \\xc2\\x80 \\xc2\\x9f \xc2\xa0" }, /* C1 */
		{ "\x9b" "6n", "\\x9b6n" },                                       /* a lone continuation byte */
		{ "\xc0\xaf \xe0\x80\xaf \xf0\x80\x80\xaf", "\\xc0\\xaf \\xe0\\x80\\xaf \\xf0\\x80\\x80\\xaf" }, /* overlong */
		{ "\xed\xa0\x80", "\\xed\\xa0\\x80" },                            /* a surrogate */
		{ "\xf4\x90\x80\x80 \xf5\x80", "\\xf4\\x90\\x80\\x80 \\xf5\\x80" }, /* beyond U+10FFFF */
		{ "cut \xe2\x82", "cut \\xe2\\x82" },                             /* a sequence cut by the end */
		{ "\xe2\x82\x1b", "\\xe2\\x82\\x1b" },                            /* ... or by a control */
	};
	char buf[128];

	for (size_t i = 0; i < ELEMENTSOF(cases); i++)
		if (!streq(escape(cases[i].in, buf, sizeof(buf)), cases[i].out))
			fail_msg("case %zu: got \"%s\", expected \"%s\"", i, buf, cases[i].out);

	/* A short buffer ends at a whole escape or character, always terminated. */
	assert_string_equal(escape("\x1b\x1b", buf, 8), "\\x1b");
	assert_string_equal(escape("ab\xc3\xa9", buf, 4), "ab");
	assert_string_equal(escape("abc", buf, 1), "");
}

/* CTL_ESCAPED_SIZE is enough for the worst input a field can hold. */
static void test_escape_worst_case(void **state)
{
	char in[sizeof(((CtlStatus *)0)->message)], out[CTL_ESCAPED_SIZE(sizeof(in) - 1)];

	memset(in, '\x1b', sizeof(in) - 1);
	in[sizeof(in) - 1] = '\0';
	assert_int_equal(strlen(ctl_escape(in, out, sizeof(out))), 4 * (sizeof(in) - 1));
}

static int parse_stat(const char *text, CtlProc *p)
{
	return ctl_proc_parse_stat(text, strlen(text), p);
}

static void test_proc_stat(void **state)
{
	static const char line[] = "29961 (crash-hotplugd) S 29953 29953 25880 0 -1 4194560 253 0 3 0 0 1 0 0 20 0 1 0 "
				   "163783 2990080 414 18446744073709551615 94915162644480 94915162662409 0 0 17 0 0 0\n";
	CtlProc p = {};

	assert_int_equal(parse_stat(line, &p), 0);
	assert_string_equal(p.comm, "crash-hotplugd");
	assert_int_equal(p.state, 'S');
	assert_int_equal(p.start_time, 163783);

	/* A name may hold spaces and parentheses: the fields count from the last ')'. */
	assert_int_equal(parse_stat("7 (x) 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20) (y) Z 1 1 1 0 -1 0 0 0 0 0 "
				    "0 0 0 0 20 0 1 0 42 0\n",
				    &p),
			 0);
	assert_string_equal(p.comm, "x) 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20) (y");
	assert_int_equal(p.state, 'Z');
	assert_int_equal(p.start_time, 42);
	/* Field 22 may end the text. */
	assert_int_equal(parse_stat("7 () R 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 43", &p), 0);
	assert_string_equal(p.comm, "");
	assert_int_equal(p.start_time, 43);
}

static void test_proc_stat_rejects(void **state)
{
	static const char *const bad[] = {
		"",
		"7 crash-hotplugd S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 42 0\n",   /* no parentheses */
		"7 )crash-hotplugd( S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 42 0\n", /* ')' first */
		"7 (crash-hotplugd)S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 42 0\n",
		"7 (crash-hotplugd) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0\n",      /* ends at field 21 */
		"7 (crash-hotplugd) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 ",
		"7 (crash-hotplugd) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1  0 42 0\n", /* an empty field */
		"7 (crash-hotplugd) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 -42 0\n",
		"7 (crash-hotplugd) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 4x2 0\n",
		"7 (crash-hotplugd) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 18446744073709551616 0\n",
		/* a name longer than any the kernel shows */
		"7 (0123456789012345678901234567890123456789012345678901234567890123) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 42 0\n",
	};
	static const char nul[] = "7 (a\0b) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 42 0\n";
	CtlProc p = { .state = '?' };

	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		if (parse_stat(bad[i], &p) != -EINVAL)
			fail_msg("accepted: %s", bad[i]);
	assert_int_equal(p.state, '?'); /* untouched */
	/* A NUL inside the name. */
	assert_int_equal(ctl_proc_parse_stat(nul, sizeof(nul) - 1, &p), -EINVAL);
}

static int parse_status(const char *text, CtlProc *p)
{
	return ctl_proc_parse_status(text, strlen(text), p);
}

static void test_proc_status(void **state)
{
	CtlProc p = {};

	assert_int_equal(parse_status("Name:\tcrash-hotplugd\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t1\n"
				      "Uid:\t0\t65534\t2\t3\nGid:\t0\t0\t0\t0\n",
				      &p),
			 0);
	assert_int_equal(p.uid[0], 0);
	assert_int_equal(p.uid[1], 65534);
	assert_int_equal(p.uid[2], 2);
	assert_int_equal(p.uid[3], 3);
	/* Only a line that starts with "Uid:" counts (the kernel escapes a newline in Name:). */
	assert_int_equal(parse_status("Name:\tUid:\t0\t0\t0\t0\nUid:\t1000\t1000\t1000\t1000", &p), 0);
	assert_int_equal(p.uid[0], 1000);
	assert_int_equal(p.uid[3], 1000);
}

static void test_proc_status_rejects(void **state)
{
	static const char *const bad[] = {
		"",
		"Name:\tx\nGid:\t0\t0\t0\t0\n",
		"Uid:\t0\t0\t0\n",
		"Uid:\t0\t0\t0\t0\t0\n",
		"Uid:\t0\t-1\t0\t0\n",
		"Uid:\t0\t0x\t0\t0\n",
		"Uid:0\t0\t0\t0\n",
		"Uid:\t0\t0\t0\t18446744073709551616\n",
		" Uid:\t0\t0\t0\t0\n",
	};
	CtlProc p = { .uid = { 7, 7, 7, 7 } };

	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		if (parse_status(bad[i], &p) != -EINVAL)
			fail_msg("accepted: %s", bad[i]);
	assert_int_equal(p.uid[0], 7); /* untouched */
}

/* What the kernel shows for this very process. */
static void test_proc_self(void **state)
{
	char buf[4096];
	CtlProc p = {};
	ssize_t n;
	int fd;

	if (test_exe_wrapper()) {
		print_message("# under %s /proc/self is the emulator's: SKIP\n", test_exe_wrapper());
		return; /* not skip(): cmocka 1.1's TAP says "not ok # SKIP", which meson counts as failed */
	}
	fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf));
	assert_true(n > 0);
	close(fd);
	assert_int_equal(ctl_proc_parse_stat(buf, (size_t)n, &p), 0);
	assert_string_equal(p.comm, "test-ctl-status");
	assert_int_equal(p.state, 'R');
	assert_true(p.start_time > 0);

	fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf));
	assert_true(n > 0);
	close(fd);
	assert_int_equal(ctl_proc_parse_status(buf, (size_t)n, &p), 0);
	assert_int_equal(p.uid[0], getuid());
	assert_int_equal(p.uid[1], geteuid());
}

static void test_pid_check(void **state)
{
	const CtlStatus s = { .pid = 42, .start_time = 163783 }, old = { .pid = 42 };
	const CtlProc daemon = { .comm = "crash-hotplugd", .state = 'S', .start_time = 163783 };
	CtlProc p;

	assert_int_equal(ctl_pid_check(&s, &daemon, "crash-hotplugd"), CTL_PID_DAEMON);
	p = daemon;
	p.state = 'Z';
	assert_int_equal(ctl_pid_check(&s, &p, "crash-hotplugd"), CTL_PID_GONE);
	p = daemon;
	strcpy(p.comm, "crash-hotplugd-");
	assert_int_equal(ctl_pid_check(&s, &p, "crash-hotplugd"), CTL_PID_OTHER);
	for (size_t i = 0; i < ELEMENTSOF(p.uid); i++) {
		p = daemon;
		p.uid[i] = 65534;
		assert_int_equal(ctl_pid_check(&s, &p, "crash-hotplugd"), CTL_PID_NOT_ROOT);
		assert_int_equal(ctl_pid_check(&old, &p, "crash-hotplugd"), CTL_PID_NOT_ROOT);
	}
	assert_int_equal(ctl_pid_check(&old, &daemon, "crash-hotplugd"), CTL_PID_UNVERIFIED);
	p = daemon;
	p.start_time++;
	assert_int_equal(ctl_pid_check(&s, &p, "crash-hotplugd"), CTL_PID_REUSED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_object),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_minimal_and_unknown_keys),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_absent_json),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_read_file),
		cmocka_unit_test(test_no_start_time_json),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_escape_worst_case),
		cmocka_unit_test(test_proc_stat),
		cmocka_unit_test(test_proc_stat_rejects),
		cmocka_unit_test(test_proc_status),
		cmocka_unit_test(test_proc_status_rejects),
		cmocka_unit_test(test_proc_self),
		cmocka_unit_test(test_pid_check),
		cmocka_unit_test(test_kernel_verdict_json),
	};
	return cmocka_run_group_tests_name("ctl-status", tests, NULL, NULL);
}
