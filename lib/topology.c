/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The snapshot holds what the kernel itself (or, where it builds none, kexec-tools) would put
 * into the crash header: the RAM ranges by the architecture's rules (lib/<arch>/crash-rules.c:
 * which iomem entries are RAM, what low memory is left out), minus the crash kernel regions,
 * one note per CPU, VMCOREINFO and the kernel text mapping. Matching them exactly matters
 * twice: the dump describes the same memory whichever loader built the header, and "did
 * anything change" compares like with like.
 */
#include <inttypes.h>

#include "bytes.h"
#include "cpulist.h"
#include "kvalues.h"
#include "path.h"
#include "topology.h"

#define CPU_SYSFS "/sys/devices/system/cpu"

Topology *topology_free(Topology *t)
{
	if (!t)
		return NULL;
	free(t->ram);
	free(t->cpus);
	free(t);
	return NULL;
}

typedef struct RangeVec {
	Range *v;
	size_t n, cap;
} RangeVec;

static int range_push(RangeVec *rv, uint64_t start, uint64_t end)
{
	if (rv->n == rv->cap) {
		size_t ncap = rv->cap ? rv->cap * 2 : 32;
		Range *n = reallocarray(rv->v, ncap, sizeof(*n));

		if (!n)
			return -ENOMEM;
		rv->v = n;
		rv->cap = ncap;
	}
	rv->v[rv->n++] = (Range){ start, end };
	return 0;
}

/* Appends [start, end] minus the sorted exclusions (crash_exclude_mem_range(): split, trim
 * or drop, never merge). */
static int push_excluding(RangeVec *rv, uint64_t start, uint64_t end, const Range *excl, size_t n_excl)
{
	uint64_t cur = start;

	for (size_t i = 0; i < n_excl; i++) {
		int r;

		if (excl[i].end < cur || excl[i].start > end)
			continue;
		if (excl[i].start > cur) {
			r = range_push(rv, cur, excl[i].start - 1);
			if (r < 0)
				return r;
		}
		if (excl[i].end >= end)
			return 0;
		cur = excl[i].end + 1;
	}
	return range_push(rv, cur, end);
}

int topology_main_crash_region(const Range *crash, size_t n, size_t *ret)
{
	size_t best = 0;

	if (n == 0)
		return -ENOENT;
	for (size_t i = 1; i < n; i++)
		if (crash[i].start > crash[best].start)
			best = i;
	*ret = best;
	return 0;
}

int topology_ram_from_iomem(const Iomem *m, Topology *t, Diag *d)
{
	_cleanup_(freep) Range *ram = NULL;
	RangeVec rv = {};
	const ArchRules *arch = t->arch ? t->arch : arch_native();
	Range crash[TOPOLOGY_MAX_CRASH_REGIONS], excl[TOPOLOGY_MAX_CRASH_REGIONS + 1];
	size_t n_crash = 0, n_excl = 0;
	uint64_t cursor = 0, driver_managed = 0;
	int r = 0;

	for (size_t i = 0; i < m->n_entries; i++) {
		const IomemEntry *e = &m->entries[i];

		/* crashk_res and crashk_low_res are both named "Crash kernel". */
		if (!streq(e->name, "Crash kernel"))
			continue;
		if (n_crash == TOPOLOGY_MAX_CRASH_REGIONS)
			return diag_set(d, E2BIG, "/proc/iomem", e->line, "more than %d \"Crash kernel\" regions",
					TOPOLOGY_MAX_CRASH_REGIONS);
		crash[n_crash++] = (Range){ e->start, e->end };
	}

	/* Exclusions sorted by start, so one forward pass over each RAM range suffices. */
	if (arch->ram_floor > 0)
		excl[n_excl++] = (Range){ 0, arch->ram_floor - 1 };
	for (size_t i = 0; i < n_crash; i++) {
		size_t j = n_excl++;

		while (j > 0 && excl[j - 1].start > crash[i].start) {
			excl[j] = excl[j - 1];
			j--;
		}
		excl[j] = crash[i];
	}

	/* As walk_system_ram_res(0, -1): the first RAM resource in tree order that ends at or
	 * after the cursor, at any depth (virtio-mem and kmem RAM sit below non-RAM parents),
	 * then continue after its end, which skips the RAM-flagged children of a RAM range
	 * ("Kernel code", "Crash kernel"). */
	for (size_t i = 0; i < m->n_entries; i++) {
		const IomemEntry *e = &m->entries[i];

		if (!arch->is_ram(e->name) || e->end < cursor)
			continue;
		r = push_excluding(&rv, e->start > cursor ? e->start : cursor, e->end, excl, n_excl);
		if (r < 0)
			break;
		/* "System RAM (virtio_mem)", "(kmem)": what arm64's kexec-tools would not dump. */
		if (!streq(e->name, "System RAM"))
			driver_managed += e->end - (e->start > cursor ? e->start : cursor) + 1;
		if (e->end == UINT64_MAX)
			break;
		cursor = e->end + 1;
	}
	ram = rv.v;
	if (r < 0)
		return r;

	free(t->ram);
	t->ram = TAKE_PTR(ram);
	t->n_ram = rv.n;
	memcpy(t->crash, crash, n_crash * sizeof(crash[0]));
	t->n_crash = n_crash;
	t->ram_driver_managed = driver_managed;
	return 0;
}

static int read_cpu_notes(const char *root, unsigned cpu, CpuNote *ret, Diag *d)
{
	char path[128], buf[128];
	uint64_t addr, size;
	int r;

	snprintf(path, sizeof(path), CPU_SYSFS "/cpu%u/crash_notes", cpu);
	r = path_read_line(root, path, buf, sizeof(buf), d);
	if (r == -ENOENT)
		return diag_set(d, ENOENT, path, 0,
				"missing although cpu%u is present (kernel without CONFIG_CRASH_DUMP?)", cpu);
	if (r < 0)
		return r;
	r = kvalue_parse_crash_notes(buf, path, &addr, d);
	if (r < 0)
		return r;

	snprintf(path, sizeof(path), CPU_SYSFS "/cpu%u/crash_notes_size", cpu);
	r = path_read_line(root, path, buf, sizeof(buf), d);
	if (r < 0)
		return r;
	r = kvalue_parse_crash_notes_size(buf, path, &size, d);
	if (r < 0)
		return r;
	*ret = (CpuNote){ .cpu = cpu, .addr = addr, .size = size };
	return 0;
}

static int read_kernel_map(const char *root, const ArchRules *arch, const Iomem *m, KernelMap *ret, Diag *d)
{
	Diag kd = {};
	int r;

	r = kcore_parse_file(root, ret, &kd);
	if (r >= 0) {
		const ArchRules *k = kcore_arch(root);

		if (k && k != arch)
			return diag_set(d, EINVAL, "/proc/kcore", 0, "is an %s core, the snapshot follows %s rules", k->name,
					arch->name);
		return 0;
	}
	/* Only "cannot open" falls back: a kcore that opens but makes no sense is an error,
	 * not a reason to guess. */
	if (r != -ENOENT && r != -EACCES && r != -EPERM) {
		if (d)
			*d = kd;
		return r;
	}
	r = arch->kernel_map_fallback(m, ret, d);
	if (r == -ENOENT && d) {
		size_t n = strlen(d->reason);

		snprintf(d->reason + n, sizeof(d->reason) - n, " (/proc/kcore: %s)", kd.reason);
	}
	return r;
}

int topology_read(const char *root, Topology **ret, Diag *d)
{
	const ArchRules *arch = kcore_arch(root);

	return topology_read_arch(root, arch ? arch : arch_native(), ret, d);
}

int topology_read_arch(const char *root, const ArchRules *arch, Topology **ret, Diag *d)
{
	_cleanup_(topology_freep) Topology *t = NULL;
	_cleanup_(iomem_freep) Iomem *m = NULL;
	_cleanup_(cpulist_freep) CpuList *possible = NULL, *present = NULL, *online = NULL;
	char buf[128];
	int r;

	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->arch = arch;

	r = iomem_parse_file(root, &m, d);
	if (r < 0)
		return r;
	r = topology_ram_from_iomem(m, t, d);
	if (r < 0)
		return r;

	r = cpulist_parse_file(root, CPU_SYSFS "/possible", &possible, d);
	if (r < 0)
		return r;
	r = cpulist_parse_file(root, CPU_SYSFS "/present", &present, d);
	if (r < 0)
		return r;
	r = cpulist_parse_file(root, CPU_SYSFS "/online", &online, d);
	if (r < 0)
		return r;
	if (present->n_cpus == 0)
		return diag_set(d, EINVAL, CPU_SYSFS "/present", 1, "no present CPU");

	t->cpus = calloc(present->n_cpus, sizeof(*t->cpus));
	if (!t->cpus)
		return -ENOMEM;
	for (size_t i = 0; i < present->n_cpus; i++) {
		unsigned cpu = present->cpus[i];

		/* The kernel only ever marks possible CPUs present. */
		if (!cpulist_contains(possible, cpu))
			return diag_set(d, EINVAL, CPU_SYSFS "/present", 1, "cpu%u is present but not possible", cpu);
		r = read_cpu_notes(root, cpu, &t->cpus[i], d);
		if (r < 0)
			return r;
		t->n_cpus++;
	}
	t->n_possible = (unsigned)possible->n_cpus;
	t->n_online = (unsigned)online->n_cpus;

	r = path_read_line(root, "/sys/kernel/vmcoreinfo", buf, sizeof(buf), d);
	if (r < 0)
		return r;
	r = kvalue_parse_vmcoreinfo(buf, "/sys/kernel/vmcoreinfo", &t->vmcoreinfo_addr, &t->vmcoreinfo_size, d);
	if (r < 0)
		return r;

	/* Only informative (hotplug granularity): absent without CONFIG_MEMORY_HOTPLUG. */
	r = path_read_line(root, "/sys/devices/system/memory/block_size_bytes", buf, sizeof(buf), d);
	if (r >= 0)
		r = kvalue_parse_block_size(buf, "/sys/devices/system/memory/block_size_bytes", &t->block_size, d);
	if (r < 0 && r != -ENOENT)
		return r;

	r = read_kernel_map(root, arch, m, &t->kmap, d);
	if (r < 0)
		return r;

	*ret = TAKE_PTR(t);
	return 0;
}

uint64_t topology_ram_bytes(const Topology *t)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < t->n_ram; i++)
		sum += t->ram[i].end - t->ram[i].start + 1;
	return sum;
}

static uint64_t hash_word(uint64_t h, uint64_t v)
{
	h ^= v;
	h = (h << 27) | (h >> 37);
	return h * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL;
}

uint64_t topology_fingerprint(const Topology *t)
{
	uint64_t h = 0x243f6a8885a308d3ULL;

	/* Counts go in first, so that moving a value from one list to the other changes it. */
	h = hash_word(h, t->n_ram);
	for (size_t i = 0; i < t->n_ram; i++) {
		h = hash_word(h, t->ram[i].start);
		h = hash_word(h, t->ram[i].end);
	}
	h = hash_word(h, t->n_cpus);
	for (size_t i = 0; i < t->n_cpus; i++) {
		h = hash_word(h, t->cpus[i].cpu);
		h = hash_word(h, t->cpus[i].addr);
		h = hash_word(h, t->cpus[i].size);
	}
	h = hash_word(h, t->vmcoreinfo_addr);
	h = hash_word(h, t->vmcoreinfo_size);
	h = hash_word(h, t->kmap.page_offset);
	h = hash_word(h, t->kmap.text_vaddr);
	h = hash_word(h, t->kmap.text_paddr);
	h = hash_word(h, t->kmap.text_size);
	/* murmur3's finaliser: every input bit reaches every output bit. */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

bool topology_equal(const Topology *a, const Topology *b)
{
	if (a->n_ram != b->n_ram || a->n_cpus != b->n_cpus)
		return false;
	for (size_t i = 0; i < a->n_ram; i++)
		if (a->ram[i].start != b->ram[i].start || a->ram[i].end != b->ram[i].end)
			return false;
	for (size_t i = 0; i < a->n_cpus; i++)
		if (a->cpus[i].cpu != b->cpus[i].cpu || a->cpus[i].addr != b->cpus[i].addr ||
		    a->cpus[i].size != b->cpus[i].size)
			return false;
	return a->vmcoreinfo_addr == b->vmcoreinfo_addr && a->vmcoreinfo_size == b->vmcoreinfo_size &&
	       a->kmap.page_offset == b->kmap.page_offset && a->kmap.text_vaddr == b->kmap.text_vaddr &&
	       a->kmap.text_paddr == b->kmap.text_paddr && a->kmap.text_size == b->kmap.text_size;
}

static int push_merged(RangeVec *rv, uint64_t start, uint64_t end)
{
	if (rv->n > 0 && rv->v[rv->n - 1].end + 1 == start) {
		rv->v[rv->n - 1].end = end;
		return 0;
	}
	return range_push(rv, start, end);
}

/* a minus b, both ascending and disjoint; adjacent pieces of the result are merged, since a
 * human reads "+1 GiB" better than eight "+128 MiB" lines. */
static int coverage_minus(const Range *a, size_t na, const Range *b, size_t nb, RangeVec *out)
{
	size_t j = 0;

	for (size_t i = 0; i < na; i++) {
		uint64_t cur = a[i].start, end = a[i].end;
		bool covered = false;
		int r;

		while (j < nb && b[j].end < cur)
			j++;
		for (size_t k = j; k < nb && b[k].start <= end; k++) {
			if (b[k].start > cur) {
				r = push_merged(out, cur, b[k].start - 1);
				if (r < 0)
					return r;
			}
			if (b[k].end >= end) {
				covered = true;
				break;
			}
			cur = b[k].end + 1;
		}
		if (!covered) {
			r = push_merged(out, cur, end);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

int topology_ram_removed(const Topology *a, const Topology *b, uint64_t *ret_bytes, Range *ret_first)
{
	_cleanup_(freep) Range *gone = NULL;
	RangeVec g = {};
	uint64_t total = 0;
	int r;

	*ret_bytes = 0;
	if (!a || !b)
		return 0;
	r = coverage_minus(a->ram, a->n_ram, b->ram, b->n_ram, &g);
	gone = g.v;
	if (r < 0)
		return r;
	for (size_t i = 0; i < g.n; i++)
		total += g.v[i].end - g.v[i].start + 1;
	if (g.n > 0 && ret_first)
		*ret_first = g.v[0];
	*ret_bytes = total;
	return 0;
}

static int diff_ram(FILE *f, const Topology *a, const Topology *b)
{
	_cleanup_(freep) Range *gone = NULL, *added = NULL;
	RangeVec g = {}, n = {};
	size_t i = 0, j = 0;
	char sz[32];
	int r;

	r = coverage_minus(a->ram, a->n_ram, b->ram, b->n_ram, &g);
	gone = g.v;
	if (r < 0)
		return r;
	r = coverage_minus(b->ram, b->n_ram, a->ram, a->n_ram, &n);
	added = n.v;
	if (r < 0)
		return r;

	/* Merged by address, so a move reads as "-old" next to "+new". */
	while (i < g.n || j < n.n) {
		if (j == n.n || (i < g.n && g.v[i].start < n.v[j].start)) {
			fprintf(f, "-%s RAM at 0x%" PRIx64 "\n",
				format_bytes(g.v[i].end - g.v[i].start + 1, sz, sizeof(sz)), g.v[i].start);
			i++;
		} else {
			fprintf(f, "+%s RAM at 0x%" PRIx64 "\n",
				format_bytes(n.v[j].end - n.v[j].start + 1, sz, sizeof(sz)), n.v[j].start);
			j++;
		}
	}

	if (g.n == 0 && n.n == 0) {
		bool same = a->n_ram == b->n_ram;

		for (size_t k = 0; same && k < a->n_ram; k++)
			same = a->ram[k].start == b->ram[k].start && a->ram[k].end == b->ram[k].end;
		/* Same bytes, different split: still a different header. */
		if (!same)
			fprintf(f, "~RAM regrouped: %zu ranges -> %zu ranges\n", a->n_ram, b->n_ram);
	}
	return 0;
}

static void diff_cpus(FILE *f, const Topology *a, const Topology *b)
{
	size_t i = 0, j = 0;

	while (i < a->n_cpus || j < b->n_cpus) {
		const CpuNote *x = i < a->n_cpus ? &a->cpus[i] : NULL;
		const CpuNote *y = j < b->n_cpus ? &b->cpus[j] : NULL;

		if (x && (!y || x->cpu < y->cpu)) {
			fprintf(f, "-cpu%u\n", x->cpu);
			i++;
		} else if (y && (!x || y->cpu < x->cpu)) {
			fprintf(f, "+cpu%u\n", y->cpu);
			j++;
		} else {
			if (x->addr != y->addr || x->size != y->size)
				fprintf(f, "~cpu%u notes 0x%" PRIx64 " size %" PRIu64 " -> 0x%" PRIx64 " size %" PRIu64 "\n",
					x->cpu, x->addr, x->size, y->addr, y->size);
			i++;
			j++;
		}
	}
}

int topology_diff(const Topology *a, const Topology *b, char **ret)
{
	_cleanup_(freep) char *buf = NULL;
	const Topology empty = {};
	size_t size = 0;
	FILE *f;
	int r;

	f = open_memstream(&buf, &size);
	if (!f)
		return -ENOMEM;

	r = diff_ram(f, a ? a : &empty, b);
	if (r < 0) {
		fclose(f);
		return r;
	}
	diff_cpus(f, a ? a : &empty, b);

	if (!a) {
		fprintf(f, "+vmcoreinfo 0x%" PRIx64 " size %" PRIu64 "\n", b->vmcoreinfo_addr, b->vmcoreinfo_size);
		fprintf(f, "+kernel text 0x%" PRIx64 " paddr 0x%" PRIx64 " size %" PRIu64 "\n",
			b->kmap.text_vaddr, b->kmap.text_paddr, b->kmap.text_size);
		fprintf(f, "+PAGE_OFFSET 0x%" PRIx64 "\n", b->kmap.page_offset);
	} else {
		if (a->vmcoreinfo_addr != b->vmcoreinfo_addr || a->vmcoreinfo_size != b->vmcoreinfo_size)
			fprintf(f, "~vmcoreinfo moved 0x%" PRIx64 " size %" PRIu64 " -> 0x%" PRIx64 " size %" PRIu64 "\n",
				a->vmcoreinfo_addr, a->vmcoreinfo_size, b->vmcoreinfo_addr, b->vmcoreinfo_size);
		if (a->kmap.text_vaddr != b->kmap.text_vaddr || a->kmap.text_paddr != b->kmap.text_paddr ||
		    a->kmap.text_size != b->kmap.text_size)
			fprintf(f, "~kernel text 0x%" PRIx64 " paddr 0x%" PRIx64 " size %" PRIu64
				" -> 0x%" PRIx64 " paddr 0x%" PRIx64 " size %" PRIu64 "\n",
				a->kmap.text_vaddr, a->kmap.text_paddr, a->kmap.text_size,
				b->kmap.text_vaddr, b->kmap.text_paddr, b->kmap.text_size);
		if (a->kmap.page_offset != b->kmap.page_offset)
			fprintf(f, "~PAGE_OFFSET 0x%" PRIx64 " -> 0x%" PRIx64 "\n",
				a->kmap.page_offset, b->kmap.page_offset);
	}

	if (fclose(f) != 0)
		return -ENOMEM;
	*ret = TAKE_PTR(buf);
	return 0;
}

int topology_format(const Topology *t, FILE *out)
{
	char sz[32];

	fprintf(out, "ram-ranges %zu\n", t->n_ram);
	fprintf(out, "ram-bytes %" PRIu64 "\n", topology_ram_bytes(t));
	for (size_t i = 0; i < t->n_ram; i++)
		fprintf(out, "ram 0x%" PRIx64 "-0x%" PRIx64 " %s\n", t->ram[i].start, t->ram[i].end,
			format_bytes(t->ram[i].end - t->ram[i].start + 1, sz, sizeof(sz)));
	for (size_t i = 0; i < t->n_crash; i++)
		fprintf(out, "crash 0x%" PRIx64 "-0x%" PRIx64 " %s\n", t->crash[i].start, t->crash[i].end,
			format_bytes(t->crash[i].end - t->crash[i].start + 1, sz, sizeof(sz)));
	fprintf(out, "cpus-possible %u\n", t->n_possible);
	fprintf(out, "cpus-present %zu\n", t->n_cpus);
	fprintf(out, "cpus-online %u\n", t->n_online);
	for (size_t i = 0; i < t->n_cpus; i++)
		fprintf(out, "cpu %u notes 0x%" PRIx64 " size %" PRIu64 "\n", t->cpus[i].cpu, t->cpus[i].addr,
			t->cpus[i].size);
	fprintf(out, "vmcoreinfo 0x%" PRIx64 " size %" PRIu64 "\n", t->vmcoreinfo_addr, t->vmcoreinfo_size);
	fprintf(out, "page-offset 0x%" PRIx64 "\n", t->kmap.page_offset);
	fprintf(out, "kernel-text 0x%" PRIx64 " paddr 0x%" PRIx64 " size %" PRIu64 "\n", t->kmap.text_vaddr,
		t->kmap.text_paddr, t->kmap.text_size);
	fprintf(out, "kernel-map %s\n", t->kmap.from_kcore ? "kcore" : "fallback");
	fprintf(out, "memory-block-size %" PRIu64 "\n", t->block_size);
	fprintf(out, "arch %s\n", (t->arch ? t->arch : arch_native())->name);
	if (t->arch && t->arch->format_kernel_map)
		t->arch->format_kernel_map(&t->kmap, out);
	return ferror(out) ? -EIO : 0;
}
