/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "debounce.h"

#define MS 1000ULL

static void test_single_event_fires_after_quiet(void **state)
{
	Debounce b;
	unsigned n = 0;

	debounce_init(&b, 500 * MS, 5000 * MS);
	assert_true(debounce_idle(&b));
	assert_int_equal(debounce_event(&b, 1000 * MS), 1500 * MS);
	assert_false(debounce_fire(&b, 1499 * MS, &n));
	assert_true(debounce_fire(&b, 1500 * MS, &n));
	assert_int_equal(n, 1);
	assert_true(debounce_idle(&b));
}

static void test_events_rearm_quiet_period(void **state)
{
	Debounce b;
	unsigned n = 0;

	debounce_init(&b, 500 * MS, 5000 * MS);
	debounce_event(&b, 1000 * MS);
	assert_int_equal(debounce_event(&b, 1400 * MS), 1900 * MS);
	/* The timer armed for the first deadline fires early: not due yet. */
	assert_false(debounce_fire(&b, 1500 * MS, &n));
	assert_true(debounce_fire(&b, 1900 * MS, &n));
	assert_int_equal(n, 2);
}

static void test_stream_capped_by_max_delay(void **state)
{
	Debounce b;
	unsigned n = 0;
	uint64_t t, deadline = 0;

	debounce_init(&b, 500 * MS, 2000 * MS);
	/* One event every 100 ms forever: the quiet period never passes. */
	for (t = 1000 * MS; t < 3000 * MS; t += 100 * MS) {
		deadline = debounce_event(&b, t);
		assert_true(deadline <= 3000 * MS);
	}
	assert_int_equal(deadline, 3000 * MS);
	assert_true(debounce_fire(&b, 3000 * MS, &n));
	assert_int_equal(n, 20);
	/* The next event starts a new burst with its own cap. */
	assert_int_equal(debounce_event(&b, 3050 * MS), 3550 * MS);
}

static void test_max_delay_below_quiet_is_raised(void **state)
{
	Debounce b;

	debounce_init(&b, 800 * MS, 100 * MS);
	assert_int_equal(b.max_delay_usec, 800 * MS);
	assert_int_equal(debounce_event(&b, 10 * MS), 810 * MS);
}

static void test_fire_when_idle_is_false(void **state)
{
	Debounce b;
	unsigned n = 77;

	debounce_init(&b, 1, 1);
	assert_false(debounce_fire(&b, 1000, &n));
	assert_int_equal(n, 77);
}

static void test_clock_at_zero_is_not_idle(void **state)
{
	Debounce b;

	debounce_init(&b, 0, 0);
	assert_int_not_equal(debounce_event(&b, 0), 0);
	assert_false(debounce_idle(&b));
}

static void test_set_periods_mid_burst(void **state)
{
	Debounce b;
	unsigned n = 0;

	debounce_init(&b, 500 * MS, 5000 * MS);
	assert_int_equal(debounce_event(&b, 1000 * MS), 1500 * MS);
	/* A configuration reload shortens both periods: the armed deadline stays ... */
	debounce_set_periods(&b, 100 * MS, 50 * MS);
	assert_int_equal(b.deadline_usec, 1500 * MS);
	assert_int_equal(b.max_delay_usec, 100 * MS);
	/* ... and the next event uses the new ones, capped from the burst's first event. */
	assert_int_equal(debounce_event(&b, 1050 * MS), 1100 * MS);
	assert_true(debounce_fire(&b, 1100 * MS, &n));
	assert_int_equal(n, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_event_fires_after_quiet),
		cmocka_unit_test(test_events_rearm_quiet_period),
		cmocka_unit_test(test_stream_capped_by_max_delay),
		cmocka_unit_test(test_max_delay_below_quiet_is_raised),
		cmocka_unit_test(test_fire_when_idle_is_false),
		cmocka_unit_test(test_clock_at_zero_is_not_idle),
		cmocka_unit_test(test_set_periods_mid_burst),
	};
	return cmocka_run_group_tests_name("debounce", tests, NULL, NULL);
}
