/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Loader=segments: the crash kernel loaded with kexec_load(2) from segments the daemon builds
 * and keeps in memory: one implementation (lib/loader-segments.c) with a table per architecture
 * for what is its own (lib/x86/loader-segments.c: bzImage, boot_params, e820 and a SHA-256
 * checking purgatory; lib/arm64/loader-segments.c: Image, device tree and an entry stub). The
 * elfcorehdr segment has a fixed capacity (MaxPhdrs) at a fixed address, so a reload rebuilds
 * nothing but the header (on x86 also the purgatory's digest) and re-submits every other
 * segment from memory.
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

/* ---- the implementation both architectures share (lib/loader-segments.c) ----
 *
 * One generic loader drives the plumbing (files held and re-read, the plan kept or made again,
 * the header segment pointed at each new header, kexec_load, timing, stats, details); a const
 * SegmentsArch table per architecture supplies what is its own (image format, placement,
 * per-load patching, flags, wording), so both loaders behave the same where they can. */

/* An architecture's kernel image check: 0 and *ret filled, or -ENOEXEC with d naming path. */
typedef int (*SegmentsParseKernel)(const uint8_t *data, size_t size, const char *path, void *ret, Diag *d);

typedef struct SegmentsArch SegmentsArch;

/* What a segments loader holds whatever its architecture. Each architecture's loader begins
 * with it (the generic code allocates arch->loader_size bytes and casts back and forth), and it
 * begins with the Loader, so a Loader * is a SegmentsCommon * is the architecture's loader. */
typedef struct SegmentsCommon {
	Loader base;
	const SegmentsArch *arch;
	SegmentsOptions opts;     /* x86_64's; arm64 has none it could use */
	char *root;
	const KexecOps *ops;
	HeldImage kernel;         /* the whole kernel file */
	HeldImage initrd;         /* file.path NULL: no initrd */
	void *image;              /* arch->parse_kernel's result for kernel (arch->image_size bytes) */
	char *cmdline;            /* the crash command line (x86_64: without elfcorehdr=) */

	/* The plan: valid when planned, for crash/header_capacity. arch->plan fills segs (with
	 * segments_add), header_seg, entry, kernel_entry, hashed and note; the rest is generic. */
	bool planned;
	Range crash;
	size_t header_capacity;
	struct kexec_segment segs[SEGMENTS_PLAN_MAX];
	const char *seg_names[SEGMENTS_PLAN_MAX]; /* what each segment holds, for a plan */
	size_t n_segs;
	size_t header_seg;        /* index of the header in segs[] */
	uint64_t entry;           /* the kexec_load entry (the purgatory's) */
	uint64_t kernel_entry;    /* where the purgatory jumps */
	uint64_t hashed;          /* bytes hashed once per plan (0 where nothing is hashed) */
	char note[160];           /* SegmentsPlan.note; "" when none */

	SegmentsStats stats;
} SegmentsCommon;

struct SegmentsArch {
	const LoaderVtable *vtable;   /* the architecture's, whose loaders these are */
	size_t loader_size;           /* sizeof its loader, which begins with SegmentsCommon */
	size_t image_size;            /* sizeof what parse_kernel fills */
	SegmentsParseKernel parse_kernel;
	/* Builds the plan for t's main crash region t->crash[main_idx] into s (see SegmentsCommon)
	 * and whatever the architecture keeps with it; 0 or -errno with d. Called with nothing
	 * planned; on failure plan_drop() follows, so it may keep what it built. */
	int (*plan)(SegmentsCommon *s, const Topology *t, size_t main_idx, size_t header_capacity, Diag *d);
	/* Frees what plan() kept (called also when nothing is planned). */
	void (*plan_drop)(SegmentsCommon *s);
	/* The per-load work once the header segment holds req's header (x86_64: the purgatory's
	 * digest); NULL: none. */
	void (*before_load)(SegmentsCommon *s, const LoadRequest *req);
	unsigned long kexec_flags;    /* for kexec_load, with KEXEC_ON_CRASH */
	const char *eperm_hint;       /* appended to the EPERM detail; NULL: none */
	const char *probe_instead;    /* loader_probe_kexec_load's instead; NULL: none */
	/* The end of a successful load's detail (after "..., elfcorehdr at ... (n of m bytes), "). */
	void (*detail)(const SegmentsCommon *s, char *buf, size_t size);
	/* What probe() checks besides the kernel image (arm64: the device tree); NULL: nothing. */
	int (*probe_more)(const char *root, Diag *d);
};

/* Appends a segment to the plan (from arch->plan). */
void segments_add(SegmentsCommon *s, const char *name, const void *buf, size_t bufsz, uint64_t mem, uint64_t memsz);

/* The architectures' public functions, with their table. */
int segments_new_with(const SegmentsArch *a, const char *root, const Config *c, const KexecOps *ops,
		      const SegmentsOptions *o, Loader **ret);
int segments_probe(const SegmentsArch *a, const char *root, const Config *c, char *why, size_t why_size);
int segments_plan(const SegmentsArch *a, Loader *l, const Topology *t, size_t header_capacity, SegmentsPlan *ret,
		  Diag *d);
int segments_stats(const SegmentsArch *a, const Loader *l, SegmentsStats *ret);

/* LoaderVtable members for both architectures' tables. */
int segments_load(Loader *l, const LoadRequest *req, LoadResult *res);
Loader *segments_free(Loader *l);
int segments_refresh(Loader *l);
const char *segments_file(Loader *l, size_t i);
