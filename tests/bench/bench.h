/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the benchmarks share: a monotonic clock and the median of a run of samples. They print
 * figures; they assert nothing about time (machines differ, CI machines more so). */
#pragma once

#include <time.h>

#include "util.h"

static inline uint64_t bench_now_nsec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static inline int bench_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorts samples in place and returns the median. */
static inline uint64_t bench_median(uint64_t *samples, size_t n)
{
	qsort(samples, n, sizeof(*samples), bench_cmp_u64);
	return n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
}

/* Iterations: BENCH_RUNS in the environment, or the default. */
static inline size_t bench_runs(size_t fallback)
{
	const char *s = getenv("BENCH_RUNS");
	long v = s ? strtol(s, NULL, 10) : 0;

	return v > 0 ? (size_t)v : fallback;
}
