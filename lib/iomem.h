/* SPDX-License-Identifier: GPL-2.0-or-later */
/* /proc/iomem: the kernel's resource tree, as text. Strict parser: every line accounted for. */
#pragma once

#include "diag.h"

typedef struct IomemEntry {
	uint64_t start, end; /* inclusive, as printed */
	unsigned depth;      /* nesting level: leading spaces / 2; past level 5, where the kernel
	                      * stops indenting, reconstructed from the ranges */
	unsigned line;       /* 1-based line number in the source */
	char *name;          /* "System RAM (virtio_mem)", "Crash kernel", ... */
} IomemEntry;

typedef struct Iomem {
	IomemEntry *entries;
	size_t n_entries;
} Iomem;

/* Parses the stream f (name is used in diagnostics). No limit on the number of lines other
 * than memory. Errors: -EINVAL with d naming line and reason (bad hex, start > end, bad
 * indentation, child outside its parent, overlapping or unsorted siblings, missing " : ",
 * line without its newline), -EACCES when the kernel hid the addresses (all 0: not root),
 * -ENODATA for an empty stream, -ENOMEM. */
int iomem_parse_stream(FILE *f, const char *name, Iomem **ret, Diag *d);

/* Parses <root>/proc/iomem, read through path_open_stream(): also -ENOENT/-EACCES from
 * opening it, -EINVAL when it is not a regular file, -EFBIG above READ_CAP_IOMEM (4 MiB). */
int iomem_parse_file(const char *root, Iomem **ret, Diag *d);

Iomem *iomem_free(Iomem *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Iomem *, iomem_free);

/* The first entry (in file order) named exactly name, or NULL. */
const IomemEntry *iomem_find(const Iomem *m, const char *name);

/* True for "System RAM" and its variants ("System RAM (virtio_mem)", "System RAM (kmem)"). */
bool iomem_is_system_ram(const char *name);
