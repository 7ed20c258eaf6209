/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "x86/e820.h"

#include "x86/bootparam.h"

#define LOW_1M 0x100000ULL
#define PAGE_4K 4096ULL

typedef struct Builder {
	E820Entry *e;
	size_t n, allocated;
} Builder;

static int add(Builder *b, uint64_t addr, uint64_t size, uint32_t type)
{
	if (size == 0)
		return 0;
	if (b->n == b->allocated) {
		size_t na = b->allocated ? b->allocated * 2 : 32;
		E820Entry *p = realloc(b->e, na * sizeof(*p));

		if (!p)
			return -ENOMEM;
		b->e = p;
		b->allocated = na;
	}
	b->e[b->n++] = (E820Entry){ addr, size, type };
	return 0;
}

static bool is_acpi_tables(const char *name)
{
	return streq(name, "ACPI Tables");
}

static bool is_acpi_nvs(const char *name)
{
	return streq(name, "ACPI Non-volatile Storage");
}

/* e820 "reserved" was spelled lower case before 4.16 ("x86/e820: Use 'Reserved'"...). */
static bool is_reserved(const char *name)
{
	return streq(name, "Reserved") || streq(name, "reserved");
}

/* Adds every entry matching the predicate whose nearest matching ancestor is not itself
 * matched (the kernel's walk resumes after a match's end, skipping what is nested in it),
 * clipped to [lo, hi]. */
static int add_matching(Builder *b, const Iomem *m, bool (*match)(const char *), uint64_t lo, uint64_t hi,
			uint32_t type)
{
	uint64_t resume = 0;
	bool any = false;
	size_t i;
	int r;

	for (i = 0; i < m->n_entries; i++) {
		const IomemEntry *x = &m->entries[i];
		uint64_t s, e;

		if (!match(x->name))
			continue;
		if (any && x->start < resume)
			continue; /* inside the previous match */
		any = true;
		resume = x->end + 1;
		if (x->end == UINT64_MAX)
			resume = UINT64_MAX;
		if (x->end < lo || x->start > hi)
			continue;
		s = x->start > lo ? x->start : lo;
		e = x->end < hi ? x->end : hi;
		r = add(b, s, e - s + 1, type);
		if (r < 0)
			return r;
	}
	return 0;
}

static int compare_entry(const void *a, const void *b)
{
	const E820Entry *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return (x->type > y->type) - (x->type < y->type);
}

int x86_crash_e820(const Iomem *m, const Range *crash, size_t n_crash, size_t main_idx, uint64_t excl_start,
		   uint64_t excl_size, E820Entry **ret, size_t *ret_n, Diag *d)
{
	_cleanup_(freep) E820Entry *owned = NULL;
	Builder b = {};
	const Range *c;
	uint64_t excl_end;
	size_t i;
	int r;

	if (main_idx >= n_crash)
		return diag_set(d, EINVAL, "/proc/iomem", 0, "no main crash region");
	c = &crash[main_idx];
	excl_end = excl_start + excl_size - 1;
	if (excl_size == 0 || excl_end < excl_start || excl_start < c->start || excl_end > c->end)
		return diag_set(d, EINVAL, "/proc/iomem", 0,
				"elfcorehdr [0x%llx, +0x%llx) is not inside the crash region 0x%llx-0x%llx",
				(unsigned long long)excl_start, (unsigned long long)excl_size,
				(unsigned long long)c->start, (unsigned long long)c->end);

	r = add_matching(&b, m, iomem_is_system_ram, 0, LOW_1M - 1, E820_RAM);
	if (r >= 0)
		r = add_matching(&b, m, is_acpi_tables, 0, UINT64_MAX, E820_ACPI);
	if (r >= 0)
		r = add_matching(&b, m, is_acpi_nvs, 0, UINT64_MAX, E820_NVS);
	if (r >= 0)
		r = add_matching(&b, m, is_reserved, 0, UINT64_MAX, E820_RESERVED);
	for (i = 0; r >= 0 && i < n_crash; i++)
		if (i != main_idx)
			r = add(&b, crash[i].start, crash[i].end - crash[i].start + 1, E820_RAM);
	/* The main region around the header; a sliver under a page is useless to the kernel. */
	if (r >= 0 && excl_start - c->start >= PAGE_4K)
		r = add(&b, c->start, excl_start - c->start, E820_RAM);
	if (r >= 0 && c->end - excl_end >= PAGE_4K)
		r = add(&b, excl_end + 1, c->end - excl_end, E820_RAM);
	owned = b.e;
	if (r < 0)
		return r;

	qsort(owned, b.n, sizeof(*owned), compare_entry);
	*ret = TAKE_PTR(owned);
	*ret_n = b.n;
	return 0;
}
