/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "loader.h"
#include "reload.h"

size_t reload_chain(LoaderKind configured, LoaderKind chain[static _LOADER_MAX])
{
	const LoaderKind *order;
	size_t n;

	/* Loader=kernel guards the kernel's own updates: it needs real loaders for repairs, in
	 * the auto order after it. Any other loader named is the only one. */
	if (configured != LOADER_AUTO && configured != LOADER_KERNEL) {
		chain[0] = configured;
		return 1;
	}
	/* Kinds this build has no loader for stay out: auto must never pick them. */
	order = loader_auto_order(&n);
	size_t k = 0;
	for (size_t i = 0; i < n && k < _LOADER_MAX; i++)
		if (loader_vtable_for(order[i]))
			chain[k++] = order[i];
	return k;
}

bool reload_chain_prefer(LoaderKind *chain, size_t n, size_t after, LoaderKind kind)
{
	size_t i;

	for (i = after + 1; i < n && chain[i] != kind; i++)
		;
	if (i >= n)
		return false;
	/* Shift the loaders between after and i one place down, kind goes first. */
	for (; i > after + 1; i--)
		chain[i] = chain[i - 1];
	chain[after + 1] = kind;
	return true;
}

ReloadDecision reload_decide(bool loaded_known, uint64_t loaded_fp, uint64_t fp, bool force)
{
	if (force || !loaded_known)
		return RELOAD_NEEDED;
	return loaded_fp == fp ? RELOAD_SKIP : RELOAD_NEEDED;
}

uint64_t reload_retry_delay_usec(unsigned attempt)
{
	if (attempt == 0)
		attempt = 1;
	if (attempt > 10)
		attempt = 10;
	return 100000ULL << (attempt - 1);
}

uint64_t reload_unprotected_delay_usec(unsigned n)
{
	const uint64_t cap = 600ULL * 1000000ULL;
	uint64_t d;

	if (n == 0)
		n = 1;
	if (n > 7)
		return cap;
	d = 10ULL * 1000000ULL << (n - 1);
	return d > cap ? cap : d;
}

void reload_budget_init(ReloadBudget *b)
{
	*b = (ReloadBudget){ .tokens = RELOAD_BURST };
}

static void budget_refill(ReloadBudget *b, uint64_t now)
{
	while (b->refill_usec && now >= b->refill_usec) {
		b->tokens++;
		b->refill_usec = b->tokens < RELOAD_BURST ? b->refill_usec + RELOAD_REFILL_USEC : 0;
	}
}

uint64_t reload_budget_wait(ReloadBudget *b, uint64_t now)
{
	uint64_t when = 0;

	budget_refill(b, now);
	if (b->last_usec)
		when = b->last_usec + RELOAD_MIN_SPACING_USEC;
	if (b->tokens == 0 && b->refill_usec > when)
		when = b->refill_usec;
	return when > now ? when : 0;
}

void reload_budget_spend(ReloadBudget *b, uint64_t now)
{
	budget_refill(b, now);
	if (b->tokens > 0)
		b->tokens--;
	if (!b->refill_usec)
		b->refill_usec = now + RELOAD_REFILL_USEC;
	b->last_usec = now;
}
