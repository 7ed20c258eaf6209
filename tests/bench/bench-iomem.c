/* SPDX-License-Identifier: GPL-2.0-or-later */
/* /proc/iomem parse of a generated 20,000-line file (a guest grown by virtio-mem in 128 MiB
 * blocks), against a plain read of the same bytes through the same kind of stream in the
 * same run. Target: <= 10 ms. */
#include <inttypes.h>

#include "bench.h"
#include "iomem.h"
#include "topology.h"

#define LINES 20000

/* Writes a valid iomem text of exactly `lines` lines, as the kernel prints it. */
static char *generate(unsigned lines, size_t *ret_len)
{
	static const char *const head[] = {
		"00000000-00000fff : Reserved\n",
		"00001000-0009fbff : System RAM\n",
		"0009fc00-0009ffff : Reserved\n",
		"000a0000-000bffff : PCI Bus 0000:00\n",
		"000f0000-000fffff : Reserved\n",
		"  000f0000-000fffff : System ROM\n",
		"00100000-bffdffff : System RAM\n",
		"  01000000-01e01c96 : Kernel code\n",
		"  02000000-028f1fff : Kernel rodata\n",
		"  02a00000-02cab27f : Kernel data\n",
		"  0362e000-03bfffff : Kernel bss\n",
		"  ae000000-bdffffff : Crash kernel\n",
		"bffe0000-bfffffff : Reserved\n",
		"c0000000-febfffff : PCI Bus 0000:00\n",
		"fec00000-fec003ff : IOAPIC 0\n",
		"fee00000-fee00fff : Local APIC\n",
		"100000000-23fffffff : System RAM\n",
	};
	const unsigned n_head = (unsigned)ELEMENTSOF(head), blocks = lines - n_head - 1;
	const uint64_t base = 0x240000000ULL, block = 0x8000000ULL;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	for (unsigned i = 0; i < n_head; i++)
		fputs(head[i], f);
	fprintf(f, "%" PRIx64 "-%" PRIx64 " : virtio0\n", base, base + (uint64_t)blocks * block - 1);
	for (unsigned i = 0; i < blocks; i++)
		fprintf(f, "  %" PRIx64 "-%" PRIx64 " : System RAM (virtio_mem)\n", base + i * block,
			base + (i + 1) * block - 1);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	*ret_len = len;
	return text;
}

int main(void)
{
	_cleanup_(freep) char *text = NULL, *sink = NULL;
	_cleanup_(freep) uint64_t *t_parse = NULL, *t_ram = NULL, *t_read = NULL;
	size_t runs = bench_runs(100), len = 0, n_entries = 0, n_ram = 0;
	uint64_t m_parse, m_ram, m_read, checksum = 0;

	text = generate(LINES, &len);
	sink = malloc(len + 1);
	t_parse = calloc(runs, sizeof(uint64_t));
	t_ram = calloc(runs, sizeof(uint64_t));
	t_read = calloc(runs, sizeof(uint64_t));
	if (!text || !sink || !t_parse || !t_ram || !t_read) {
		fprintf(stderr, "set-up failed\n");
		return 1;
	}

	for (size_t i = 0; i < runs + 5; i++) {
		_cleanup_(iomem_freep) Iomem *m = NULL;
		Topology t = {};
		FILE *f;
		Diag d;
		uint64_t t0, t1, t2, t3;
		size_t got;
		int r;

		/* The parser reads a FILE: so does the baseline, from the same bytes. */
		t0 = bench_now_nsec();
		f = fmemopen(text, len, "r");
		r = f ? iomem_parse_stream(f, "generated", &m, &d) : -errno;
		if (f)
			fclose(f);
		t1 = bench_now_nsec();
		if (r < 0) {
			fprintf(stderr, "parse failed: %s:%u: %s\n", d.file, d.line, d.reason);
			return 1;
		}
		r = topology_ram_from_iomem(m, &t, &d);
		t2 = bench_now_nsec();
		if (r < 0) {
			fprintf(stderr, "RAM computation failed: %s\n", d.reason);
			return 1;
		}
		f = fmemopen(text, len, "r");
		got = f ? fread(sink, 1, len, f) : 0;
		if (f)
			fclose(f);
		t3 = bench_now_nsec();
		checksum += got + (uint8_t)sink[i % len];
		n_entries = m->n_entries;
		n_ram = t.n_ram;
		free(t.ram);
		if (i < 5)
			continue; /* warm-up */
		t_parse[i - 5] = t1 - t0;
		t_ram[i - 5] = t2 - t1;
		t_read[i - 5] = t3 - t2;
	}
	m_parse = bench_median(t_parse, runs);
	m_ram = bench_median(t_ram, runs);
	m_read = bench_median(t_read, runs);
	if (m_read == 0)
		m_read = 1;

	printf("iomem: %u lines, %zu bytes, %zu entries, %zu RAM ranges for the header\n", LINES, len, n_entries, n_ram);
	printf("median of %zu runs:\n", runs);
	printf("  iomem_parse_stream          %8.2f ms   %6.1fx read   target <= 10 ms: %s\n", (double)m_parse / 1e6,
	       (double)m_parse / (double)m_read, m_parse <= 10000000 ? "met" : "MISSED");
	printf("  topology_ram_from_iomem     %8.2f ms\n", (double)m_ram / 1e6);
	printf("  fread of the same bytes     %8.3f ms   (baseline, same run)\n", (double)m_read / 1e6);
	return checksum == UINT64_MAX;
}
