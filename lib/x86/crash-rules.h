/* SPDX-License-Identifier: GPL-2.0-or-later */
/* x86_64's crash header rules (arch_rules_x86_64) and the fallback kernel map they use. */
#pragma once

#include "../arch-rules.h"

#define X86_DEFAULT_PAGE_OFFSET 0xffff888000000000ULL /* 4-level paging, no KASLR */
#define X86_START_KERNEL_MAP 0xffffffff80000000ULL
/* _text at its link address: __START_KERNEL_map + CONFIG_PHYSICAL_START (16 MiB). */
#define X86_DEFAULT_TEXT_VADDR (X86_START_KERNEL_MAP + 0x1000000ULL)

/* Documented fallback when kcore is not readable: PAGE_OFFSET = X86_DEFAULT_PAGE_OFFSET,
 * text paddr/size from iomem "Kernel code" start to "Kernel bss" end (kernel_end, inclusive
 * as iomem prints it; the size is rounded up to a page; the kernel's _end also covers the brk
 * area after bss, so the size can be a little short), text vaddr = X86_DEFAULT_TEXT_VADDR,
 * i.e. right only when the kernel's virtual address is not randomised (no KASLR). */
void x86_kernel_map_guess(uint64_t kernel_code_start, uint64_t kernel_end, KernelMap *ret);
