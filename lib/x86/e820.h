/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The memory map the crash kernel boots with. Same rules as the kernel's own kexec_file
 * loader (arch/x86/kernel/crash.c, crash_setup_memmap_entries), so both loaders give the
 * capture kernel the same view:
 *   - RAM: System RAM below 1 MiB, every crash region but the main one, and the main crash
 *     region minus the elfcorehdr segment (pieces under a page dropped);
 *   - ACPI Tables as ACPI, ACPI Non-volatile Storage as NVS, Reserved as reserved, wherever
 *     they sit in /proc/iomem (outermost entry when nested in one of the same kind).
 * Everything else of the dead kernel's memory stays invisible, so the capture kernel never
 * allocates from it and /proc/vmcore can read it intact. */
#pragma once

#include "iomem.h"
#include "topology.h"

typedef struct E820Entry {
	uint64_t addr, size;
	uint32_t type; /* E820_RAM, E820_RESERVED, E820_ACPI, E820_NVS */
} E820Entry;

/* crash[n_crash] are the "Crash kernel" ranges, crash[main_idx] the one the segments go in;
 * [excl_start, excl_start + excl_size) is the elfcorehdr segment inside it. Entries come out
 * sorted by address (type breaks ties). Overlaps are kept as the kernel's loader keeps them:
 * the capture kernel's e820 sanitizer resolves them (the stricter type wins). -EINVAL (d says
 * why) if the exclusion is not inside the main region; -ENOMEM. */
int x86_crash_e820(const Iomem *m, const Range *crash, size_t n_crash, size_t main_idx, uint64_t excl_start,
		   uint64_t excl_size, E820Entry **ret, size_t *ret_n, Diag *d);
