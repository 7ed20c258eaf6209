/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Loader=segments: the crash kernel loaded with kexec_load(2) from segments the daemon builds
 * and keeps in memory (x86_64). The elfcorehdr segment has a fixed capacity (MaxPhdrs) at a
 * fixed address, so a reload rebuilds nothing but the header and the purgatory's digest, and
 * hashes nothing but the header: the SHA-256 state over kernel, initrd and boot parameters is
 * computed once and reused.
 *
 * Planning (placement, boot parameters, hashing) happens on the first load and again only
 * when the crash region or the header capacity changes. Under kernel lockdown kexec_load
 * fails with EPERM: load() says so in res->detail and returns -EPERM, the cue for the
 * registry to fall back to Loader=file. */
#pragma once

#include "loader.h"

extern const LoaderVtable loader_segments_vtable;

typedef struct SegmentsOptions {
	/* The purgatory prints progress lines on this 8250 I/O port (0x3f8 = ttyS0); 0 = silent.
	 * For VM tests: the dead kernel's console already set the UART up. */
	uint16_t serial_port;
	/* Test hook: flip one bit of the digest the purgatory expects, so it must refuse to
	 * start the crash kernel. */
	bool corrupt_digest;
} SegmentsOptions;

/* Like loader_segments_vtable.new, with options (o may be NULL = defaults). */
int loader_segments_new_with(const char *root, const Config *c, const KexecOps *ops, const SegmentsOptions *o,
			     Loader **ret);

typedef struct SegmentsStats {
	unsigned plans;              /* times the layout was (re)computed */
	unsigned loads;              /* kexec_load calls made */
	uint64_t hashed_last;        /* bytes run through SHA-256 by the last load */
	uint64_t hashed_total;
	uint64_t header_addr;        /* fixed elfcorehdr address, 0 before the first plan */
	uint64_t header_capacity;
	uint64_t entry;              /* purgatory entry point */
} SegmentsStats;

/* Counters of a segments loader; -EINVAL if l is another kind of loader. */
int loader_segments_stats(const Loader *l, SegmentsStats *ret);
