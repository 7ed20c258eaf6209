/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86_64, as the kernel builds the header for kexec_file_load (arch/x86/kernel/crash.c
 * prepare_elf_headers()): every System RAM resource walk_system_ram_res() finds, at any
 * depth and in every variant ("System RAM (virtio_mem)", "System RAM (kmem)"), minus the
 * low 1 MiB and the crash kernel regions. kexec-tools matches any "System RAM" too. The
 * direct map is PAGE_OFFSET + paddr; the kernel image lives in [__START_KERNEL_map, +1 GiB).
 */
#include <elf.h>

#include "crash-rules.h"

#define SZ_1M (1ULL << 20)
#define SZ_1G (1ULL << 30)

static KcoreSegment x86_kcore_segment(uint64_t vaddr, unsigned va_bits)
{
	/* KASLR keeps the image in [__START_KERNEL_map, +1 GiB); modules above it have no
	 * physical address, the direct map is below. */
	if (vaddr >= X86_START_KERNEL_MAP && vaddr - X86_START_KERNEL_MAP < SZ_1G)
		return KCORE_SEGMENT_TEXT;
	if (vaddr < X86_START_KERNEL_MAP)
		return KCORE_SEGMENT_RAM;
	return KCORE_SEGMENT_OTHER;
}

void x86_kernel_map_guess(uint64_t kernel_code_start, uint64_t kernel_end, KernelMap *ret)
{
	*ret = (KernelMap){
		.page_offset = X86_DEFAULT_PAGE_OFFSET,
		.text_vaddr = X86_DEFAULT_TEXT_VADDR,
		.text_paddr = kernel_code_start,
		.text_size = ALIGN_UP(kernel_end + 1, 4096ULL) - kernel_code_start,
		.from_kcore = false,
	};
}

static int x86_kernel_map_fallback(const Iomem *m, KernelMap *ret, Diag *d)
{
	const IomemEntry *code = iomem_find(m, "Kernel code"), *bss = iomem_find(m, "Kernel bss");

	if (!code || !bss)
		return diag_set(d, ENOENT, "/proc/iomem", 0, "no \"Kernel code\" and \"Kernel bss\" entries to fall back on");
	if (bss->end < code->start)
		return diag_set(d, EINVAL, "/proc/iomem", bss->line, "\"Kernel bss\" ends before \"Kernel code\" (line %u) starts",
				code->line);
	x86_kernel_map_guess(code->start, bss->end, ret);
	return 0;
}

const ArchRules arch_rules_x86_64 = {
	.name = "x86_64",
	.e_machine = EM_X86_64,
	.ram_floor = SZ_1M,
	.is_ram = iomem_is_system_ram,
	.max_phys = 1ULL << 52, /* MAX_PHYSMEM_BITS with 5-level paging */
	.text_vaddr_min = X86_START_KERNEL_MAP,
	.text_vaddr_unrandomised = X86_DEFAULT_TEXT_VADDR,
	.kcore_segment = x86_kcore_segment,
	.kernel_map_fallback = x86_kernel_map_fallback,
};
