/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where each segment of the crash image goes inside the main crash region.
 *
 *   crash start                                                          crash end
 *   | kernel (aligned, memsz = max(init_size, size)) | initrd |  free  | purgatory+stack
 *   | boot_params+cmdline+setup_data | elfcorehdr (fixed capacity) |
 *
 * The header takes the top pages so its address depends only on the region and MaxPhdrs:
 * it stays put across reloads and across changes of kernel, initrd or command line. The
 * free gap is left for the kernel's own kexec control pages and identity page tables, which
 * it allocates from the crash region too, and for the decompressor's KASLR choice. */
#pragma once

#include "topology.h"
#include "x86/bzimage.h"

/* Free bytes the layout keeps for the kernel's control pages and page tables. */
#define X86_LAYOUT_MIN_FREE (2ULL << 20)

typedef struct X86Layout {
	uint64_t kernel, kernel_memsz;
	uint64_t initrd, initrd_memsz;         /* 0, 0 without an initrd */
	uint64_t purgatory, purgatory_memsz;
	uint64_t boot_params, boot_params_memsz;
	uint64_t header, header_memsz;
	uint64_t free_bytes;                   /* the gap between initrd and purgatory */
} X86Layout;

/* Index of the region kexec_load(KEXEC_ON_CRASH) accepts (crashk_res): with crashkernel=,high
 * plus ,low there are two and crashk_res is the high one; otherwise there is one. -ENOENT if
 * n == 0. */
int x86_main_crash_region(const Range *crash, size_t n, size_t *ret);

/* Places the segments in crash (inclusive range). Sizes are bytes (rounded up to pages here);
 * header_capacity must already be page aligned. -ENOSPC with d saying what does not fit,
 * -EINVAL for an unaligned region or capacity. */
int x86_layout(const Range *crash, const BzImage *b, uint64_t initrd_size, uint64_t purgatory_memsz,
	       uint64_t boot_params_size, uint64_t header_capacity, X86Layout *ret, Diag *d);
