/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A snapshot of what the crash header must describe: RAM ranges, CPUs, VMCOREINFO, kernel text. */
#pragma once

#include "arch-rules.h"
#include "diag.h"
#include "iomem.h"
#include "kcore.h"

#define TOPOLOGY_MAX_CRASH_REGIONS 8

typedef struct Range {
	uint64_t start, end; /* inclusive */
} Range;

typedef struct CpuNote {
	unsigned cpu;        /* N in /sys/devices/system/cpu/cpuN */
	uint64_t addr, size; /* cpuN/crash_notes, cpuN/crash_notes_size */
} CpuNote;

typedef struct Topology {
	const ArchRules *arch; /* whose rules made it (NULL: arch_native()) */
	Range *ram;          /* ascending; the architecture's RAM minus its floor and every crash region */
	size_t n_ram;
	CpuNote *cpus;       /* present CPUs, ascending */
	size_t n_cpus;
	unsigned n_possible; /* CPUs in cpu/possible (for the default MaxPhdrs) */
	unsigned n_online;
	Range crash[TOPOLOGY_MAX_CRASH_REGIONS]; /* every "Crash kernel" line, high and low */
	size_t n_crash;
	uint64_t vmcoreinfo_addr, vmcoreinfo_size;
	KernelMap kmap;
	uint64_t block_size; /* memory/block_size_bytes, 0 if the file is absent */
	/* Bytes of driver-managed "System RAM (...)" entries (virtio-mem, kmem) among the RAM: in
	 * the header (the kernel's builders take them on both architectures), but arm64's
	 * kexec-tools 2.0.25 leaves them out (check warns). Not in the fingerprint. */
	uint64_t ram_driver_managed;
} Topology;

/* Index in crash[0..n) of the region kexec_load(KEXEC_ON_CRASH) accepts (crashk_res): with
 * crashkernel=,high plus ,low there are two and crashk_res is the high one (crashk_low_res
 * always lies below 4 GiB, under it); otherwise there is one. -ENOENT if n == 0. */
int topology_main_crash_region(const Range *crash, size_t n, size_t *ret);

/* The header's RAM list from a parsed iomem by t->arch's rules (NULL: arch_native()): every
 * entry arch->is_ram() takes, at any depth in tree order (a RAM entry's RAM children are
 * skipped), minus [0, arch->ram_floor), minus every "Crash kernel" range. Adjacent ranges stay
 * separate, as the kernel keeps them. Also fills crash[]. -E2BIG if more than
 * TOPOLOGY_MAX_CRASH_REGIONS crash regions. */
int topology_ram_from_iomem(const struct Iomem *m, Topology *t, Diag *d);

/* Reads everything under root (see README "What a snapshot reads"), and nothing else, by the
 * rules of the architecture root's proc/kcore was written for (arch_native() without one):
 *   proc/iomem, proc/kcore (ELF program headers only),
 *   sys/devices/system/cpu/{possible,present,online},
 *   sys/devices/system/cpu/cpuN/{crash_notes,crash_notes_size} for every present N,
 *   sys/kernel/vmcoreinfo, sys/devices/system/memory/block_size_bytes (optional).
 * A missing cpuN/crash_notes for a present CPU, an unreadable or malformed iomem,
 * vmcoreinfo or cpulist is an error with d set (file as seen from root, e.g. "/proc/iomem").
 * kcore that cannot be opened (-ENOENT, -EACCES, -EPERM): falls back to the architecture's
 * kernel_map_fallback() from iomem (kmap.from_kcore = false); a kcore that opens but
 * does not parse is an error. *ret untouched on failure. */
int topology_read(const char *root, Topology **ret, Diag *d);
/* The same by the rules of arch, whatever kcore says (a fixture tree without a kcore). */
int topology_read_arch(const char *root, const ArchRules *arch, Topology **ret, Diag *d);

Topology *topology_free(Topology *t);
DEFINE_TRIVIAL_CLEANUP_FUNC(Topology *, topology_free);

/* Cheap 64-bit fingerprint over every field that reaches the header (RAM ranges, CPU
 * numbers and notes, VMCOREINFO, kernel map values; not n_possible, n_online, crash[],
 * block_size, from_kcore). topology_equal() compares the same fields; equal snapshots give
 * equal fingerprints. */
uint64_t topology_fingerprint(const Topology *t);
bool topology_equal(const Topology *a, const Topology *b);

/* Human diff, one change per line, '\n'-terminated: RAM by address, merged where adjacent
 * ("+512 MiB RAM at 0x140000000", "-256 MiB RAM at 0x100000000", "~RAM regrouped: ..." when
 * the same bytes are split differently), then CPUs ("+cpu3", "-cpu2", "~cpu1 notes ..."),
 * then "~vmcoreinfo moved ...", "~kernel text ...", "~PAGE_OFFSET ...". *ret (free()) is ""
 * when equal. a may be NULL (everything is new: "+..." lines). */
int topology_diff(const Topology *a, const Topology *b, char **ret);

/* RAM that a holds and b does not (bytes of a->ram not covered by b->ram): the total in
 * *ret_bytes, the lowest such range (merged where adjacent) in *ret_first (untouched when
 * nothing is gone). 0, or -ENOMEM. a or b NULL: nothing is gone. */
int topology_ram_removed(const Topology *a, const Topology *b, uint64_t *ret_bytes, Range *ret_first);

/* Total bytes of RAM in t->ram. */
uint64_t topology_ram_bytes(const Topology *t);

/* Canonical text dump, one fact per line (what `crash-hotplugctl show` prints and what the
 * fixtures' expected-topology.txt holds). */
int topology_format(const Topology *t, FILE *out);
