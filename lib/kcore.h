/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Kernel text mapping and PAGE_OFFSET, read from /proc/kcore's program headers. */
#pragma once

#include "diag.h"

#define KCORE_DEFAULT_PAGE_OFFSET 0xffff888000000000ULL /* x86_64 4-level, no KASLR */
#define KCORE_START_KERNEL_MAP 0xffffffff80000000ULL

typedef struct KernelMap {
	uint64_t page_offset;          /* p_vaddr - p_paddr of a RAM PT_LOAD */
	uint64_t text_vaddr, text_paddr, text_size; /* _text.._end */
	bool from_kcore;               /* false: fallback values, see kcore_fallback() */
} KernelMap;

/* Reads the ELF program headers of an open kcore-like stream (only the headers are read).
 * RAM = PT_LOAD with p_paddr != -1 below __START_KERNEL_map (all must agree on PAGE_OFFSET);
 * text = the PT_LOAD with p_paddr != -1 in [__START_KERNEL_map, +1 GiB) (exactly one).
 * -EINVAL (d says why) when it is not an x86_64 ELF core or holds no text/RAM segment. */
int kcore_parse_stream(FILE *f, const char *name, KernelMap *ret, Diag *d);

/* Reads <root>/proc/kcore (opened with path_open_regular(): never blocks, a FIFO or device
 * is -EINVAL). -EACCES/-EPERM (lockdown, no CAP_SYS_RAWIO) and -ENOENT are returned as is so
 * the caller can fall back. */
int kcore_parse_file(const char *root, KernelMap *ret, Diag *d);

/* Documented fallback when kcore is not readable: PAGE_OFFSET = KCORE_DEFAULT_PAGE_OFFSET,
 * text paddr/size from iomem "Kernel code" start to "Kernel bss" end (kernel_end, inclusive
 * as iomem prints it; the size is rounded up to a page; the kernel's _end also covers the brk
 * area after bss, so the size can be a little short),
 * text vaddr = __START_KERNEL_map + 16 MiB (the default link address, CONFIG_PHYSICAL_START),
 * i.e. right only when the kernel's virtual address is not randomised (no KASLR). */
void kcore_fallback(uint64_t kernel_code_start, uint64_t kernel_end, KernelMap *ret);
