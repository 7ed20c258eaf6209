/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where each segment of the arm64 crash image goes inside the main crash region.
 *
 *   crash start                                                               crash end
 *   | 2 MiB base + text_offset: Image (image_size) | initrd | DTB |  free  | purgatory |
 *   | elfcorehdr (fixed capacity) |
 *
 * booting.rst: the Image at text_offset from a 2 MiB aligned base, taking image_size bytes
 * (bss included); the DTB 8-byte aligned and at most 2 MiB; the initrd within one 1 GiB
 * aligned window of up to 32 GiB that also covers the Image. Every segment starts and ends
 * on a 64 KiB boundary, the largest arm64 page, so kexec_load's page alignment rule holds
 * whatever page size the running kernel has. The header takes the top so that its address
 * depends only on the region and MaxPhdrs, as on x86 (lib/x86/layout.h); the free gap is
 * for the kernel's own kexec control page, which it takes from the crash region too. */
#pragma once

#include "../topology.h"
#include "image.h"

#define ARM64_SEGMENT_ALIGN (64ULL << 10)
/* Free bytes the layout keeps for the kernel's control page. */
#define ARM64_LAYOUT_MIN_FREE (2ULL << 20)

typedef struct Arm64Layout {
	uint64_t kernel, kernel_memsz;   /* kernel: the load address, 2 MiB base + text_offset */
	uint64_t initrd, initrd_memsz;   /* 0, 0 without an initrd */
	uint64_t dtb, dtb_memsz;
	uint64_t purgatory, purgatory_memsz;
	uint64_t header, header_memsz;
	uint64_t free_bytes;             /* between the DTB and the purgatory */
} Arm64Layout;

/* Places the segments in crash (inclusive range). Sizes in bytes, rounded up here; dtb_size
 * at most ARM64_DTB_MAX_SIZE. -ENOSPC with d saying what does not fit, -EINVAL for a DTB
 * over 2 MiB or an initrd the Image cannot reach. */
int arm64_layout(const Range *crash, const Arm64Image *img, uint64_t initrd_size, uint64_t dtb_size,
		 uint64_t purgatory_size, uint64_t header_capacity, Arm64Layout *ret, Diag *d);
