/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The arm64 purgatory: what kexec_load's entry point runs in the crash kernel's place.
 *
 * arch/arm64/kernel/machine_kexec.c machine_kexec() enters kimage->start through
 * cpu_soft_restart() with the MMU and caches off and x0 = kimage->arch.dtb_mem, which only
 * kexec_file_load sets: for kexec_load x0 is 0. booting.rst wants x0 = the DTB's physical
 * address and x1 = x2 = x3 = 0 at the Image's first instruction, so the entry is this stub:
 *
 *   0x00  ldr x0, 0x18     the DTB address (literal below)
 *   0x04  mov x1, xzr
 *   0x08  mov x2, xzr
 *   0x0c  mov x3, xzr
 *   0x10  ldr x4, 0x20     the Image's load address (literal below)
 *   0x14  br  x4
 *   0x18  .quad dtb
 *   0x20  .quad kernel
 *
 * Position independent (PC-relative literals), so it runs wherever the segment lies.
 *
 * Unlike the x86 purgatory (purgatory/, which hashes every segment before it jumps) it checks
 * nothing, by choice. The crash region is reserved memory the first kernel does not allocate
 * from, and where arm64 maps it with pages it also takes it out of the linear map while an
 * image is loaded (arch_kexec_protect_crashkres()), so a stray write by the dying kernel
 * faults instead of landing; machine_kexec() cleans the segments to the point of coherency
 * at load time, so what the MMU-off stub and the kernel read is what was loaded. What is
 * left, DMA into the region or a kernel that maps it with blocks, is what the x86 check
 * catches and kexec-tools' arm64 purgatory (SHA-256) would too: a known gap, written in
 * README's arm64 section, and the x86 purgatory stays the model for closing it (an arm64
 * build of purgatory/'s SHA-256 check; its fault tests show what such a check must do). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define ARM64_PURGATORY_WORDS 6
#define ARM64_PURGATORY_DTB_OFFSET 0x18
#define ARM64_PURGATORY_KERNEL_OFFSET 0x20
#define ARM64_PURGATORY_SIZE 0x28

/* Writes the stub, entering kernel with the DTB at dtb, into out. */
void arm64_purgatory_build(uint64_t dtb, uint64_t kernel, uint8_t out[static ARM64_PURGATORY_SIZE]);
