/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cpulist strings as in /sys/devices/system/cpu/{possible,present,online}: "0-3,8,10-11". */
#pragma once

#include "diag.h"

#define CPULIST_MAX_CPU (1u << 20) /* far above any NR_CPUS; guards against absurd ranges */

typedef struct CpuList {
	unsigned *cpus; /* ascending, no duplicates */
	size_t n_cpus;
} CpuList;

/* Parses s (one line, optional trailing newline; an empty string is an empty list).
 * name/line are for diagnostics. -EINVAL on garbage, reversed or overlapping ranges, numbers
 * above CPULIST_MAX_CPU; -ENOMEM. */
int cpulist_parse(const char *s, const char *name, unsigned line, CpuList **ret, Diag *d);

/* Reads the whole stream (one line as sysfs prints it, at most 64 KiB) and parses it.
 * A stream holding only "\n" is an empty list; zero bytes is -ENODATA (the kernel always
 * writes the newline). This is the fuzzers' entry point. */
int cpulist_parse_stream(FILE *f, const char *name, CpuList **ret, Diag *d);

/* Reads and parses <root><path> (e.g. "/sys/devices/system/cpu/present") through
 * path_open_stream(): a FIFO or device is -EINVAL, nothing blocks. */
int cpulist_parse_file(const char *root, const char *path, CpuList **ret, Diag *d);

bool cpulist_contains(const CpuList *l, unsigned cpu);

CpuList *cpulist_free(CpuList *l);
DEFINE_TRIVIAL_CLEANUP_FUNC(CpuList *, cpulist_free);
