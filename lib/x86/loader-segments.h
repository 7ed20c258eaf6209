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

#include "../loader.h"

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

#define SEGMENTS_PLAN_MAX 5 /* kernel, initrd, purgatory, boot_params, elfcorehdr */

typedef struct SegmentsPlanSegment {
	const char *what;    /* "kernel", "initrd", "purgatory", "boot_params", "elfcorehdr" */
	uint64_t mem, memsz; /* where in the crash region, and how much of it */
	uint64_t bufsz;      /* bytes submitted (the rest of memsz is zeroed); 0 for the header,
			      * which each load fills with what it holds then */
} SegmentsPlanSegment;

/* What load() would submit to kexec_load(2), in its order (ascending addresses). */
typedef struct SegmentsPlan {
	SegmentsPlanSegment segs[SEGMENTS_PLAN_MAX];
	size_t n_segs;
	size_t header_seg;     /* index of the elfcorehdr segment */
	uint64_t entry;        /* purgatory entry point, the kexec_load entry */
	uint64_t kernel_entry; /* where the purgatory jumps once the digest matches */
	Range crash;           /* the crash region it is placed in */
	uint64_t hashed;       /* bytes hashed once per plan (kernel, initrd, boot_params) */
	char note[160];        /* e.g. why EFI tables are not passed on; "" when none */
} SegmentsPlan;

/* The plan load() would use for t (its main crash region) and a header of header_capacity
 * bytes, made now (or the one kept) without loading: the same code, so what it shows is what a
 * load submits. 0; -EINVAL (not a segments loader, a capacity not a multiple of 4096),
 * -EADDRNOTAVAIL (no crash region), or plan's -errno, with d. *ret is untouched on failure. */
int loader_segments_plan(Loader *l, const Topology *t, size_t header_capacity, SegmentsPlan *ret, Diag *d);
