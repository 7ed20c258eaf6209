/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Kernel text mapping and PAGE_OFFSET, read from /proc/kcore's program headers. */
#pragma once

#include "diag.h"

typedef struct KernelMap {
	uint64_t page_offset;          /* p_vaddr - p_paddr of a RAM PT_LOAD (x86_64: PAGE_OFFSET;
	                                * arm64: PAGE_OFFSET - PHYS_OFFSET) */
	uint64_t text_vaddr, text_paddr, text_size; /* _text.._end */
	bool from_kcore;               /* false: the architecture's fallback (ArchRules) */
	unsigned va_bits;              /* arm64: VA_BITS of the linear map; 0 where unused */
} KernelMap;

/* Reads the ELF program headers of an open kcore-like stream (only the headers are read).
 * The architecture is kcore's e_machine (arch_by_machine()); its kcore_segment() sorts the
 * PT_LOADs with p_paddr != -1 into RAM (all must agree on p_vaddr - p_paddr) and the text
 * (exactly one). -EINVAL (d says why) when it is not an ELF core of a known architecture or
 * holds no text/RAM segment. */
int kcore_parse_stream(FILE *f, const char *name, KernelMap *ret, Diag *d);

/* The architecture <root>/proc/kcore was written for (its e_machine), or NULL when it cannot
 * be opened or read or is of no known architecture (the caller takes arch_native(); a
 * broken kcore is reported by kcore_parse_file()). */
const struct ArchRules *kcore_arch(const char *root);

/* Reads <root>/proc/kcore (opened with path_open_regular(): never blocks, a FIFO or device
 * is -EINVAL). -EACCES/-EPERM (lockdown, no CAP_SYS_RAWIO) and -ENOENT are returned as is so
 * the caller can fall back. */
int kcore_parse_file(const char *root, KernelMap *ret, Diag *d);
