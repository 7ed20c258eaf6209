/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Header build + validate for 2 + 8192 + 8192 program headers (8192 CPUs, 8192 RAM ranges:
 * a full default-sized header), against a plain memcpy of the same bytes in the same run.
 * Target: build + validate <= 1 ms. */
#include "bench.h"
#include "elfcorehdr.h"

#define N_CPUS 8192
#define N_RAM 8192

int main(void)
{
	_cleanup_(elfcorehdr_builder_freep) ElfcorehdrBuilder *b = NULL;
	_cleanup_(freep) uint64_t *t_reuse = NULL, *t_fresh = NULL, *t_build = NULL, *t_validate = NULL, *t_copy = NULL;
	_cleanup_(freep) uint8_t *buf = NULL, *copy = NULL;
	_cleanup_(freep) CpuNote *cpus = NULL;
	_cleanup_(freep) Range *ram = NULL;
	const unsigned max = 2 + N_CPUS + N_RAM;
	size_t runs = bench_runs(300), cap = elfcorehdr_capacity(max), used = 0;
	uint64_t checksum = 0, m_reuse, m_fresh, m_build, m_validate, m_copy;
	Topology t = {};
	char reason[256];

	cpus = calloc(N_CPUS, sizeof(*cpus));
	ram = calloc(N_RAM, sizeof(*ram));
	buf = malloc(cap);
	copy = malloc(cap);
	t_reuse = calloc(runs, sizeof(uint64_t));
	t_fresh = calloc(runs, sizeof(uint64_t));
	t_build = calloc(runs, sizeof(uint64_t));
	t_validate = calloc(runs, sizeof(uint64_t));
	t_copy = calloc(runs, sizeof(uint64_t));
	if (!cpus || !ram || !buf || !copy || !t_reuse || !t_fresh || !t_build || !t_validate || !t_copy ||
	    elfcorehdr_builder_new(&b) < 0) {
		fprintf(stderr, "set-up failed\n");
		return 1;
	}
	/* Shaped like a large virtio-mem guest: 128 MiB blocks with holes between them. */
	for (unsigned i = 0; i < N_CPUS; i++)
		cpus[i] = (CpuNote){ .cpu = i, .addr = 0x7f000000000ULL + i * 0x40000ULL, .size = 368 };
	for (unsigned i = 0; i < N_RAM; i++) {
		ram[i].start = 0x100000000ULL + (uint64_t)i * 0x10000000ULL;
		ram[i].end = ram[i].start + 0x8000000ULL - 1;
	}
	t = (Topology){ .cpus = cpus, .n_cpus = N_CPUS, .n_possible = N_CPUS, .ram = ram, .n_ram = N_RAM,
			.vmcoreinfo_addr = 0x1b3e000, .vmcoreinfo_size = 0x1024,
			.kmap = { .page_offset = 0xffff888000000000ULL, .text_vaddr = 0xffffffff81000000ULL,
				  .text_paddr = 0x1000000, .text_size = 0x2000000, .from_kcore = true } };

	/* Warm up: the memfd's pages, libelf's allocations, the caches. */
	for (int i = 0; i < 20; i++)
		if (elfcorehdr_builder_build(b, &t, max, buf, cap, &used) != 0 ||
		    elfcorehdr_validate(buf, cap, NULL, reason, sizeof(reason)) != 0) {
			fprintf(stderr, "build/validate failed: %s\n", reason);
			return 1;
		}

	for (size_t i = 0; i < runs; i++) {
		uint64_t t0, t1, t2, t3, t4;

		t0 = bench_now_nsec();
		elfcorehdr_builder_build(b, &t, max, buf, cap, &used);
		t1 = bench_now_nsec();
		elfcorehdr_validate(buf, cap, NULL, NULL, 0);
		t2 = bench_now_nsec();
		/* A builder per call: what elfcorehdr_build() costs (memfd + close each time). */
		elfcorehdr_build(&t, max, buf, cap, &used);
		elfcorehdr_validate(buf, cap, NULL, NULL, 0);
		t3 = bench_now_nsec();
		memcpy(copy, buf, cap);
		t4 = bench_now_nsec();
		checksum += copy[i % cap]; /* keep the copy observable */
		t_build[i] = t1 - t0;
		t_validate[i] = t2 - t1;
		t_reuse[i] = t2 - t0;
		t_fresh[i] = t3 - t2;
		t_copy[i] = t4 - t3;
	}
	m_build = bench_median(t_build, runs);
	m_validate = bench_median(t_validate, runs);
	m_reuse = bench_median(t_reuse, runs);
	m_fresh = bench_median(t_fresh, runs);
	m_copy = bench_median(t_copy, runs);
	if (m_copy == 0)
		m_copy = 1;

	printf("elfcorehdr: %u program headers (%u CPUs, %u RAM ranges), %zu bytes of ELF data, capacity %zu bytes\n",
	       max, N_CPUS, N_RAM, used, cap);
	printf("median of %zu runs:\n", runs);
	printf("  build (builder reused)         %8.1f us\n", (double)m_build / 1e3);
	printf("  validate                       %8.1f us\n", (double)m_validate / 1e3);
	printf("  build + validate (reused)      %8.1f us   %5.1fx memcpy   target <= 1000 us: %s\n",
	       (double)m_reuse / 1e3, (double)m_reuse / (double)m_copy, m_reuse <= 1000000 ? "met" : "MISSED");
	printf("  build + validate (new builder) %8.1f us   %5.1fx memcpy\n", (double)m_fresh / 1e3,
	       (double)m_fresh / (double)m_copy);
	printf("  memcpy of the %zu bytes     %8.1f us   (baseline, same run)\n", cap, (double)m_copy / 1e3);
	return checksum == UINT64_MAX; /* never true; ties the checksum to the result */
}
