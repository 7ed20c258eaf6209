/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The reload policy as pure functions: which loaders to try in which order, whether a
 * snapshot needs a reload, how long to wait before trying again. The manager applies it. */
#pragma once

#include "loader.h" /* LoaderKind, through lib/config.h */

/* Transient failures (EBUSY, EINTR, ENOMEM) of one loader before falling back to the next. */
#define RELOAD_MAX_ATTEMPTS 5
/* Snapshot-load-snapshot rounds when the topology keeps moving during loads; then the next
 * uevent or a debounce period takes over. */
#define RELOAD_MAX_ROUNDS 3

/* Fills chain with the loaders to try for Loader=configured: the auto order for auto and for
 * kernel (whose repairs need real loaders), else just the one named. Returns the count. */
size_t reload_chain(LoaderKind configured, LoaderKind chain[static _LOADER_MAX]);

/* Moves kind, if it comes later in chain[0..n) than position after, to after + 1, keeping
 * the order of the others: the next loader tried is then kind. A repair of the kernel's
 * header prefers file (kexec_file_load: the kernel keeps updating the new image), a header
 * over the kernel's capacity prefers segments (our own, MaxPhdrs). True if kind is there. */
bool reload_chain_prefer(LoaderKind *chain, size_t n, size_t after, LoaderKind kind);

typedef enum ReloadDecision {
	RELOAD_SKIP,  /* the loaded header describes this topology */
	RELOAD_NEEDED,
} ReloadDecision;

/* loaded_known: a header we loaded (or checked) describes loaded_fp. force: reload whatever
 * the fingerprints say (loaded by someone else, configuration or kernel files changed, the
 * kernel reported a failure). */
ReloadDecision reload_decide(bool loaded_known, uint64_t loaded_fp, uint64_t fp, bool force);

/* What a storm of changes may cost: every load attempt is a window without a crash kernel
 * and one of kernel.kexec_load_limit_panic's loads. Loads start at least
 * RELOAD_MIN_SPACING_USEC apart; at most RELOAD_BURST in a row, then one per
 * RELOAD_REFILL_USEC (a token bucket). A load that must wait runs when allowed, on the
 * topology of that moment. */
#define RELOAD_MIN_SPACING_USEC (1000000ULL)
#define RELOAD_BURST 10u
#define RELOAD_REFILL_USEC (30ULL * 1000000ULL)

typedef struct ReloadBudget {
	unsigned tokens;      /* loads allowed right now, at most RELOAD_BURST */
	uint64_t refill_usec; /* when the next token comes, 0 when full */
	uint64_t last_usec;   /* when the last load started, 0 for none */
} ReloadBudget;

void reload_budget_init(ReloadBudget *b);

/* 0 if a load may start at now (CLOCK_BOOTTIME), else the time from which it may. */
uint64_t reload_budget_wait(ReloadBudget *b, uint64_t now);

/* A load starts at now: takes a token. */
void reload_budget_spend(ReloadBudget *b, uint64_t now);

/* Delay before retry number attempt (1-based) of a transient failure: 100 ms doubling. */
uint64_t reload_retry_delay_usec(unsigned attempt);

/* Delay before the n-th (1-based) retry while unprotected: 10 s doubling up to 10 min, so a
 * machine that cannot load keeps trying without spinning. */
uint64_t reload_unprotected_delay_usec(unsigned n);
