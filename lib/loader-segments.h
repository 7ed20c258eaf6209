/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Loader=segments: the crash kernel loaded with kexec_load(2) from segments the daemon builds
 * and keeps in memory, one implementation per architecture (lib/x86/loader-segments.c: bzImage,
 * boot_params, e820 and a SHA-256 checking purgatory; lib/arm64/loader-segments.c: Image, device
 * tree and an entry stub). The elfcorehdr segment has a fixed capacity (MaxPhdrs) at a fixed
 * address, so a reload rebuilds nothing but the header (on x86 also the purgatory's digest)
 * and re-submits every other segment from memory.
 *
 * Planning (placement and everything built once) happens on the first load and again only
 * when the crash region or the header capacity changes, or the kernel or initrd file did.
 * Under kernel lockdown kexec_load fails with EPERM: load() says so in res->detail and returns
 * -EPERM, the cue for the registry to fall back to Loader=file. */
#pragma once

#include "loader.h"
#include "loader-internal.h"

extern const LoaderVtable loader_segments_vtable;

typedef struct SegmentsOptions {
	/* x86_64 only (arm64's entry stub prints nothing, checks nothing). */
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
	uint64_t hashed_last;        /* bytes run through SHA-256 by the last load (x86_64; 0 on arm64) */
	uint64_t hashed_total;
	uint64_t header_addr;        /* fixed elfcorehdr address, 0 before the first plan */
	uint64_t header_capacity;
	uint64_t entry;              /* purgatory entry point */
} SegmentsStats;

/* Counters of a segments loader; -EINVAL if l is another kind of loader. */
int loader_segments_stats(const Loader *l, SegmentsStats *ret);

#define SEGMENTS_PLAN_MAX 5 /* x86_64: kernel, initrd, purgatory, boot_params, elfcorehdr; arm64: kernel,
			     * initrd, dtb, purgatory, elfcorehdr */

typedef struct SegmentsPlanSegment {
	const char *what;    /* "kernel", "initrd", "purgatory", "boot_params" or "dtb", "elfcorehdr" */
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
	uint64_t kernel_entry; /* where the purgatory jumps (x86_64: once the digest matches) */
	Range crash;           /* the crash region it is placed in */
	uint64_t hashed;       /* bytes hashed once per plan (x86_64: kernel, initrd, boot_params; arm64: 0) */
	char note[160];        /* e.g. why EFI tables are not passed on; "" when none */
} SegmentsPlan;

/* The plan load() would use for t (its main crash region) and a header of header_capacity
 * bytes, made now (or the one kept) without loading: the same code, so what it shows is what a
 * load submits. 0; -EINVAL (not a segments loader, a capacity not a multiple of 4096),
 * -EADDRNOTAVAIL (no crash region), or plan's -errno, with d. *ret is untouched on failure. */
int loader_segments_plan(Loader *l, const Topology *t, size_t header_capacity, SegmentsPlan *ret, Diag *d);

/* ---- shared by the architectures' implementations (lib/loader-segments.c) ---- */

/* An architecture's kernel image check: 0 and *ret filled, or -ENOEXEC with d naming path. */
typedef int (*SegmentsParseKernel)(const uint8_t *data, size_t size, const char *path, void *ret, Diag *d);

/* Reads kernel and initrd (NULL: none) under root, the kernel checked by parse into parsed,
 * into *ret_kernel and *ret_initrd. On failure nothing is held and both are untouched. */
int segments_read_images(const char *root, const char *kernel, const char *initrd, SegmentsParseKernel parse,
			 void *parsed, HeldImage *ret_kernel, HeldImage *ret_initrd, Diag *d);

/* The checks at the start of load(): res cleared, then -EINVAL for a request without a header
 * (req->header_rejected says why) or with an impossible size, -EADDRNOTAVAIL without a crash
 * region, each with res->detail; 0 with *ret_main the main crash region's index. */
int segments_check_request(const LoadRequest *req, LoadResult *res, size_t *ret_main);

/* res for a plan that failed with r: detail from d, the time since t0. Returns r. */
int segments_plan_failed(LoadResult *res, const Diag *d, uint64_t t0, int r);

/* res->detail for kexec_load failing with err (positive) for kernel: what EPERM,
 * EADDRNOTAVAIL and EINVAL mean here (eperm_hint, if any, appended to EPERM's), else the
 * errno's meaning. Returns -err. */
int segments_syscall_failed(int err, const char *kernel, const char *eperm_hint, LoadResult *res);

/* What a segments loader holds whatever its architecture; embedded in each one's loader. */
typedef struct SegmentsCommon {
	char *root;
	const KexecOps *ops;
	HeldImage kernel;         /* the whole kernel file */
	HeldImage initrd;         /* file.path NULL: no initrd */
	char *cmdline;            /* the crash command line (x86_64: without elfcorehdr=) */

	/* The plan: valid when planned, for crash/header_capacity. */
	bool planned;
	Range crash;
	size_t header_capacity;
	struct kexec_segment segs[SEGMENTS_PLAN_MAX];
	const char *seg_names[SEGMENTS_PLAN_MAX]; /* what each segment holds, for a plan */
	size_t n_segs;
	size_t header_seg;        /* index of the header in segs[] */

	SegmentsStats stats;
} SegmentsCommon;

/* Resolves Kernel=, Initrd= and the command line for c into *in and sets up root, ops and
 * cmdline (taken from in). 0 or -errno; the caller then reads the files. */
int segments_common_init(SegmentsCommon *s, const char *root, const Config *c, const KexecOps *ops, LoaderInputs *in);
void segments_common_done(SegmentsCommon *s);

/* Appends a segment to the plan. */
void segments_add(SegmentsCommon *s, const char *name, const void *buf, size_t bufsz, uint64_t mem, uint64_t memsz);

/* 0 if the planned segments ascend inside crash without overlapping, each with bufsz <= memsz;
 * else -EINVAL with d (an internal error: the layout is wrong). */
int segments_check_placed(const SegmentsCommon *s, const Range *crash, Diag *d);

/* Whether the plan kept is for this crash region and header capacity. */
bool segments_plan_kept(const SegmentsCommon *s, const Range *crash, size_t header_capacity);

/* The segments of the plan kept into p (what, mem, memsz, bufsz; the header's bufsz 0), and
 * n_segs, header_seg and crash. */
void segments_plan_export(const SegmentsCommon *s, SegmentsPlan *p);

/* LoaderVtable.file for a segments loader. */
const char *segments_common_file(const SegmentsCommon *s, size_t i);
