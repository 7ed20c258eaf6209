/* SPDX-License-Identifier: GPL-2.0-or-later */
/* arm64's Loader=segments (lib/loader-segments.h): the kernel Image, the initrd, a device tree
 * made from the running kernel's (/sys/firmware/fdt) with /chosen set for a crash kernel, an
 * entry stub (purgatory.h) and the header, placed in the crash region by layout.h and loaded
 * with kexec_load(KEXEC_ON_CRASH | KEXEC_ARCH_AARCH64). Image, initrd, device tree and stub are
 * built once per plan; a reload re-submits them from memory with the new header.
 *
 * Built on arm64 into the core library (where lib/loader.c registers it, through
 * segments-native.c's loader_segments_*() names) and, on every other host that has libfdt,
 * into a library of its own for the unit tests, so both architectures test it. */
#pragma once

#include "../loader-segments.h"

/* Where the running kernel's flattened device tree is, under the root. */
#define ARM64_FDT_PATH "/sys/firmware/fdt"

extern const LoaderVtable arm64_segments_vtable;

int arm64_segments_new_with(const char *root, const Config *c, const KexecOps *ops, const SegmentsOptions *o,
			    Loader **ret);
int arm64_segments_stats(const Loader *l, SegmentsStats *ret);
int arm64_segments_plan(Loader *l, const Topology *t, size_t header_capacity, SegmentsPlan *ret, Diag *d);
