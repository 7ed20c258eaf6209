/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cpulist files (cpu/possible, present, online) through their stream entry point. */
#include "cpulist.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_(cpulist_freep) CpuList *l = NULL;
	_cleanup_(fclosep) FILE *f = NULL;
	Diag d;

	if (size == 0) /* fmemopen() refuses an empty buffer; the empty file has a unit test */
		return 0;
	f = fmemopen((void *)data, size, "r");
	if (!f || cpulist_parse_stream(f, "fuzz", &l, &d) < 0)
		return 0;
	/* Strictly ascending, bounded, and every member found by the lookup. */
	for (size_t i = 0; i < l->n_cpus; i++)
		if (l->cpus[i] > CPULIST_MAX_CPU || (i > 0 && l->cpus[i] <= l->cpus[i - 1]) ||
		    !cpulist_contains(l, l->cpus[i]))
			abort();
	return 0;
}
