/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Prometheus formatter (daemon/metrics.c). With --print it writes a record that needs
 * every escape to stdout instead, for test-metrics.py to parse with prometheus_client. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "../../daemon/metrics.h"

static void sample_record(StatusRecord *s)
{
	*s = (StatusRecord){
		.pid = 42,
		.state = "protected",
		.loader = "file",
		.reloads = 4,
		.failures = 3,
		.events_total = 250,
		.last_reload_realtime_usec = 1700000000123456ULL,
		.last_reload_syscall_usec = 38211,
		.unprotected_usec = 2500000,
		.phdrs_used = 43,
		.max_phdrs = 8198,
		.repairs = 1,
		.n_reloads_by = 2,
		.reloads_by = { { "file", 3 }, { "segments", 1 } },
		.n_failures_by = 3,
		.failures_by = { { "file", "EBUSY", 2 }, { "segments", "ENOMEM", 1 }, { "odd\\loader\"\n", "E\"X", 0 } },
	};
}

static char *format(const StatusRecord *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(metrics_format(s, f), 0);
	assert_int_equal(fclose(f), 0);
	return text;
}

static void test_families(void **state)
{
	_cleanup_(freep) char *text = NULL;
	StatusRecord s;

	sample_record(&s);
	text = format(&s);
	assert_non_null(strstr(text, "# HELP crash_hotplugd_protected "));
	assert_non_null(strstr(text, "# TYPE crash_hotplugd_protected gauge\ncrash_hotplugd_protected 1\n"));
	assert_non_null(strstr(text, "crash_hotplugd_state{state=\"protected\"} 1\n"));
	assert_non_null(strstr(text, "crash_hotplugd_state{state=\"dry-run\"} 0\n"));
	assert_non_null(strstr(text, "# TYPE crash_hotplugd_reloads_total counter\n"));
	assert_non_null(strstr(text, "crash_hotplugd_reloads_total{loader=\"file\"} 3\n"));
	assert_non_null(strstr(text, "crash_hotplugd_reload_failures_total{loader=\"file\",reason=\"EBUSY\"} 2\n"));
	/* Backslash, double quote and newline escaped in label values. */
	assert_non_null(strstr(text, "{loader=\"odd\\\\loader\\\"\\n\",reason=\"E\\\"X\"} 0\n"));
	assert_non_null(strstr(text, "crash_hotplugd_repairs_total 1\n"));
	assert_non_null(strstr(text, "crash_hotplugd_events_total 250\n"));
	assert_non_null(strstr(text, "crash_hotplugd_last_reload_timestamp_seconds 1700000000.123456\n"));
	assert_non_null(strstr(text, "crash_hotplugd_last_reload_window_seconds 0.038211\n"));
	assert_non_null(strstr(text, "crash_hotplugd_unprotected_seconds_total 2.500000\n"));
	assert_non_null(strstr(text, "crash_hotplugd_phdrs_used 43\n"));
	assert_non_null(strstr(text, "crash_hotplugd_phdrs_capacity 8198\n"));
	assert_non_null(strstr(text, "crash_hotplugd_kernel_managed 0\n"));
}

static void test_states(void **state)
{
	static const struct {
		const char *state;
		int protected, kernel;
	} cases[] = {
		{ "protected", 1, 0 }, { "kernel-managed", 1, 1 }, { "dry-run", 0, 0 },
		{ "unprotected", 0, 0 }, { "starting", 0, 0 }, { "reloading", 0, 0 },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_(freep) char *text = NULL;
		char want[128];
		StatusRecord s;

		sample_record(&s);
		snprintf(s.state, sizeof(s.state), "%s", cases[i].state);
		text = format(&s);
		snprintf(want, sizeof(want), "\ncrash_hotplugd_protected %d\n", cases[i].protected);
		assert_non_null(strstr(text, want));
		snprintf(want, sizeof(want), "\ncrash_hotplugd_kernel_managed %d\n", cases[i].kernel);
		assert_non_null(strstr(text, want));
		snprintf(want, sizeof(want), "crash_hotplugd_state{state=\"%s\"} 1\n", cases[i].state);
		assert_non_null(strstr(text, want));
	}
}

/* A state this build does not know (a newer daemon's) is shown, escaped, never protected. */
static void test_unknown_state(void **state)
{
	_cleanup_(freep) char *text = NULL;
	StatusRecord s;

	sample_record(&s);
	snprintf(s.state, sizeof(s.state), "new\"one");
	text = format(&s);
	assert_non_null(strstr(text, "crash_hotplugd_state{state=\"new\\\"one\"} 1\n"));
	assert_non_null(strstr(text, "\ncrash_hotplugd_protected 0\n"));
}

static void test_write(void **state)
{
	char dir[] = "/tmp/test-metrics-XXXXXX", path[64], *text;
	StatusRecord s;
	struct stat st;
	size_t len;
	FILE *f;

	sample_record(&s);
	assert_non_null(mkdtemp(dir));
	assert_int_equal(metrics_write(dir, &s), 0);
	snprintf(path, sizeof(path), "%s/metrics.prom", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	f = fopen(path, "re");
	assert_non_null(f);
	text = format(&s);
	len = strlen(text);
	{
		_cleanup_(freep) char *got = calloc(1, len + 2);

		assert_non_null(got);
		assert_int_equal(fread(got, 1, len + 1, f), len);
		assert_string_equal(got, text);
	}
	free(text);
	fclose(f);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0); /* no temporary file left behind */
}

int main(int argc, char *argv[])
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_families),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_unknown_state),
		cmocka_unit_test(test_write),
	};

	if (argc > 1 && streq(argv[1], "--print")) {
		StatusRecord s;

		sample_record(&s);
		return metrics_format(&s, stdout) < 0 || fflush(stdout) != 0;
	}
	return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
