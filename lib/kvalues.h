/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Single-value kernel files: each has its own number format (see the research notes). */
#pragma once

#include "diag.h"

/* Each parser takes the file's text (one optional trailing newline, nothing else), names the
 * file in d with line 1, and leaves *ret untouched on failure: -ENODATA when empty, -EINVAL
 * for anything the kernel would not print. */

/* cpuN/crash_notes: hex without "0x" ("%llx\n"), not 0. */
int kvalue_parse_crash_notes(const char *s, const char *name, uint64_t *ret, Diag *d);
/* cpuN/crash_notes_size: decimal ("%zu\n"), must be > 0. */
int kvalue_parse_crash_notes_size(const char *s, const char *name, uint64_t *ret, Diag *d);
/* /sys/kernel/vmcoreinfo: "0x<addr> <size in hex without 0x>" ("%pa %x\n"), both not 0. */
int kvalue_parse_vmcoreinfo(const char *s, const char *name, uint64_t *ret_addr, uint64_t *ret_size, Diag *d);
/* memory/block_size_bytes: hex without "0x", must be a power of two. */
int kvalue_parse_block_size(const char *s, const char *name, uint64_t *ret, Diag *d);

/* Stream entry point used by the fuzzer: reads f (at most 256 bytes) and parses it as
 * /sys/kernel/vmcoreinfo. */
int kvalue_parse_vmcoreinfo_stream(FILE *f, const char *name, uint64_t *ret_addr, uint64_t *ret_size, Diag *d);

/* Scans 1..16 hex digits (either case, no prefix) at *p and advances *p past them.
 * -EINVAL (no digit) or -ERANGE (more than 16 digits) with *why set; *p untouched then. */
int kvalue_scan_hex(const char **p, uint64_t *ret, const char **why);
