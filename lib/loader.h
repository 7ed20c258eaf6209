/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One small interface for every way of (re)loading the crash kernel. The raw syscalls sit
 * behind KexecOps so tests inject faults (EBUSY, ENOMEM, EPERM) without root or a kernel. */
#pragma once

#include <linux/kexec.h>

#include "config.h"
#include "topology.h"

typedef struct KexecOps {
	/* Same arguments and return convention as the syscalls: -1 with errno set on failure. */
	long (*kexec_load)(void *userdata, unsigned long entry, unsigned long nr_segments,
			   struct kexec_segment *segments, unsigned long flags);
	long (*kexec_file_load)(void *userdata, int kernel_fd, int initrd_fd, unsigned long cmdline_len,
				const char *cmdline, unsigned long flags);
	/* posix_spawn + wait of argv (kexec-tools); returns the exit status or -errno. */
	int (*run)(void *userdata, char *const argv[]);
	void *userdata;
} KexecOps;

/* The real syscalls and posix_spawn. */
extern const KexecOps kexec_ops_real;

typedef struct LoadRequest {
	const Topology *topology;
	const void *header;     /* elfcorehdr buffer of the fixed capacity */
	size_t header_used;     /* bytes of ELF data in it */
	size_t header_capacity; /* elfcorehdr_capacity(MaxPhdrs) */
	const char *reason;     /* human: "+512 MiB RAM at 0x140000000; +cpu3" */
} LoadRequest;

typedef struct LoadResult {
	uint64_t syscall_usec;  /* time inside the load syscall (the window without a crash kernel) */
	uint64_t total_usec;    /* whole load, preparation included */
	char detail[256];       /* what failed and what it means here, or what was done */
} LoadResult;

typedef struct Loader Loader;

typedef struct LoaderVtable {
	const char *name; /* as in Loader= */
	/* 0 if this loader can work on this machine (root-relative probes), else -errno and why. */
	int (*probe)(const char *root, const Config *c, char *why, size_t why_size);
	int (*new)(const char *root, const Config *c, const KexecOps *ops, Loader **ret);
	/* Loads (or, for "kernel", checks). 0 on success, -errno with res->detail on failure. */
	int (*load)(Loader *l, const LoadRequest *req, LoadResult *res);
	Loader *(*free)(Loader *l);
} LoaderVtable;

/* Every loader embeds this first. */
struct Loader {
	const LoaderVtable *vtable;
};
