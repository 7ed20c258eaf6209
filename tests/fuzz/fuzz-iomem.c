/* SPDX-License-Identifier: GPL-2.0-or-later */
/* /proc/iomem through its stream entry point, then every architecture's RAM computation on it. */
#include "fuzz.h"
#include "iomem.h"
#include "topology.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_(iomem_freep) Iomem *m = NULL;
	_cleanup_(fclosep) FILE *f = NULL;
	static const ArchRules *const arches[] = { &arch_rules_x86_64, &arch_rules_arm64 };
	Diag d;

	if (size == 0) /* fmemopen() refuses an empty buffer; the empty file has a unit test */
		return 0;
	f = fmemopen((void *)data, size, "r");
	if (!f || iomem_parse_stream(f, "fuzz", &m, &d) < 0)
		return 0;
	for (size_t i = 0; i < m->n_entries; i++)
		if (m->entries[i].start > m->entries[i].end || !m->entries[i].name)
			abort();
	/* Every architecture's rules, on any host. */
	for (size_t a = 0; a < ELEMENTSOF(arches); a++) {
		Topology t = { .arch = arches[a] };

		if (topology_ram_from_iomem(m, &t, &d) < 0)
			continue;
		/* What the header gets must be ascending, disjoint and above the floor. */
		for (size_t i = 0; i < t.n_ram; i++)
			if (t.ram[i].start > t.ram[i].end || t.ram[i].start < arches[a]->ram_floor ||
			    (i > 0 && t.ram[i].start <= t.ram[i - 1].end))
				abort();
		free(t.ram);
	}
	return 0;
}
