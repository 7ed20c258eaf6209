/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Single-value kernel files: each has its own number format (see the research notes). */
#pragma once

#include "diag.h"

/* cpuN/crash_notes: hex without "0x" ("%llx\n"). */
int kvalue_parse_crash_notes(const char *s, const char *name, uint64_t *ret, Diag *d);
/* cpuN/crash_notes_size: decimal ("%zu\n"), must be > 0. */
int kvalue_parse_crash_notes_size(const char *s, const char *name, uint64_t *ret, Diag *d);
/* /sys/kernel/vmcoreinfo: "0x<addr> <size in hex without 0x>". */
int kvalue_parse_vmcoreinfo(const char *s, const char *name, uint64_t *ret_addr, uint64_t *ret_size, Diag *d);
/* memory/block_size_bytes: hex without "0x", must be a power of two. */
int kvalue_parse_block_size(const char *s, const char *name, uint64_t *ret, Diag *d);

/* Stream entry point used by the fuzzer: reads one line from f and parses /sys/kernel/vmcoreinfo. */
int kvalue_parse_vmcoreinfo_stream(FILE *f, const char *name, uint64_t *ret_addr, uint64_t *ret_size, Diag *d);
