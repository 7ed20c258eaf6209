/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The reload policy: which loaders, in which order, and how a repair reorders them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../../daemon/reload.h" /* the daemon's policy, built into this test */

static void test_chain(void **state)
{
	LoaderKind chain[_LOADER_MAX];
	size_t n;

	n = reload_chain(LOADER_AUTO, chain);
	assert_true(n >= 3);
	assert_int_equal(chain[0], LOADER_KERNEL);
	/* Loader=kernel keeps the real loaders behind it: its repairs need one. */
	assert_int_equal(reload_chain(LOADER_KERNEL, chain), n);
	assert_int_equal(chain[0], LOADER_KERNEL);
	assert_int_equal(reload_chain(LOADER_FILE, chain), 1);
	assert_int_equal(chain[0], LOADER_FILE);
}

static void test_prefer(void **state)
{
	LoaderKind chain[] = { LOADER_KERNEL, LOADER_SEGMENTS, LOADER_FILE, LOADER_KEXEC_TOOLS };

	/* A repair: file right after kernel, the others keep their order. */
	assert_true(reload_chain_prefer(chain, 4, 0, LOADER_FILE));
	assert_int_equal(chain[1], LOADER_FILE);
	assert_int_equal(chain[2], LOADER_SEGMENTS);
	assert_int_equal(chain[3], LOADER_KEXEC_TOOLS);
	/* Already next: unchanged. */
	assert_true(reload_chain_prefer(chain, 4, 0, LOADER_FILE));
	assert_int_equal(chain[1], LOADER_FILE);
	/* Capacity: segments first again. */
	assert_true(reload_chain_prefer(chain, 4, 0, LOADER_SEGMENTS));
	assert_int_equal(chain[1], LOADER_SEGMENTS);
	assert_int_equal(chain[2], LOADER_FILE);
	/* Not behind position 2, or not there at all: nothing moves. */
	assert_false(reload_chain_prefer(chain, 4, 2, LOADER_SEGMENTS));
	assert_false(reload_chain_prefer(chain, 3, 0, LOADER_KEXEC_TOOLS));
	assert_int_equal(chain[0], LOADER_KERNEL);
	assert_int_equal(chain[3], LOADER_KEXEC_TOOLS);
}

static void test_decide(void **state)
{
	assert_int_equal(reload_decide(true, 1, 1, false), RELOAD_SKIP);
	assert_int_equal(reload_decide(true, 1, 2, false), RELOAD_NEEDED);
	assert_int_equal(reload_decide(false, 1, 1, false), RELOAD_NEEDED);
	assert_int_equal(reload_decide(true, 1, 1, true), RELOAD_NEEDED);
}

#define SEC 1000000ULL

static void test_budget(void **state)
{
	ReloadBudget b;
	uint64_t t = 100 * SEC;

	reload_budget_init(&b);
	assert_int_equal(reload_budget_wait(&b, t), 0);
	reload_budget_spend(&b, t);
	/* Spacing: not again within a second. */
	assert_int_equal(reload_budget_wait(&b, t + SEC / 2), t + SEC);
	assert_int_equal(reload_budget_wait(&b, t + SEC), 0);
	/* A storm: a load every second drains the burst, then one per refill period. */
	for (unsigned i = 1; i < RELOAD_BURST; i++) {
		assert_int_equal(reload_budget_wait(&b, t + i * SEC), 0);
		reload_budget_spend(&b, t + i * SEC);
	}
	assert_int_equal(reload_budget_wait(&b, t + RELOAD_BURST * SEC), t + RELOAD_REFILL_USEC);
	reload_budget_spend(&b, t + RELOAD_REFILL_USEC);
	assert_int_equal(reload_budget_wait(&b, t + RELOAD_REFILL_USEC + SEC), t + 2 * RELOAD_REFILL_USEC);
	/* Quiet for long enough: the whole burst is back. */
	t += 2 * RELOAD_REFILL_USEC + RELOAD_BURST * RELOAD_REFILL_USEC;
	for (unsigned i = 0; i < RELOAD_BURST; i++) {
		assert_int_equal(reload_budget_wait(&b, t + i * SEC), 0);
		reload_budget_spend(&b, t + i * SEC);
	}
	assert_true(reload_budget_wait(&b, t + RELOAD_BURST * SEC) > t + RELOAD_BURST * SEC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_prefer),
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_budget),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
