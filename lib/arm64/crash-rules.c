/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * arm64, as the kernel builds the header for kexec_file_load (arch/arm64/kernel/
 * machine_kexec_file.c prepare_elf_headers()): memblock memory by for_each_mem_range() minus
 * crashk_res and crashk_low_res. Since Linux 5.16 for_each_mem_range() asks for
 * MEMBLOCK_HOTPLUG | MEMBLOCK_DRIVER_MANAGED (include/linux/memblock.h; should_skip_region()
 * skips driver-managed memory only when that flag is not asked for), so memory hot-added by
 * virtio-mem or dax kmem is in the dump; only segment placement avoids it. In /proc/iomem
 * that is every "System RAM" line and its variants ("System RAM (virtio_mem)", "(kmem)"),
 * at any depth; a no-map region shows as "reserved". No low-memory exclusion.
 *
 * Debian 12's kernel has no KEXEC_FILE, so without crash-hotplugd's own loader
 * (Loader=segments, lib/arm64/loader-segments.c) the header is kexec-tools' (2.0.25,
 * kexec/arch/arm64/crashdump-arm64.c), which compares the iomem name with "System RAM\n",
 * newline included, and so drops the variants: a kexec-tools defect, not a rule to copy
 * (kexec_tools_drops_driver_managed below; check warns where Loader resolves to it).
 *
 * Both then add one note per present CPU, the VMCOREINFO note, a PT_LOAD for the kernel
 * image (_text.._end at __pa_symbol(_text)) and one per RAM range with p_vaddr = __va(paddr)
 * = paddr - PHYS_OFFSET + PAGE_OFFSET, e_machine EM_AARCH64.
 *
 * Virtual layout (5.4 and later): the linear map is the lower half of the kernel's VA range,
 * [PAGE_OFFSET, PAGE_END) with PAGE_OFFSET = -2^VA_BITS and PAGE_END = -2^(VA_BITS_MIN - 1)
 * (VA_BITS_MIN = min(VA_BITS, 48)); the kernel image sits above PAGE_END, at KIMAGE_VADDR
 * (PAGE_END + 128 MiB of modules on 6.1) plus the KASLR offset. KASLR also moves the linear
 * map's physical base (memstart_addr, PHYS_OFFSET). /proc/kcore shows both.
 */
#include <elf.h>

#include "../arch-rules.h"

#define SZ_2M (1ULL << 21)
#define SZ_1G (1ULL << 30)
#define SZ_128M (1ULL << 27)
#define VA_BITS_MIN_MAX 48 /* VA_BITS_MIN is 48 with 52-bit VA */

/* -2^bits, 0 < bits < 64 */
static uint64_t top(unsigned bits)
{
	return ~0ULL << bits;
}

static uint64_t page_end(unsigned va_bits)
{
	return top((va_bits < VA_BITS_MIN_MAX ? va_bits : VA_BITS_MIN_MAX) - 1);
}

static bool arm64_is_ram(const char *name)
{
	return iomem_is_system_ram(name);
}

static unsigned arm64_va_bits(uint64_t lowest_ram_vaddr)
{
	/* A linear map address has ones above VA_BITS and a zero at VA_BITS - 1. */
	unsigned ones = lowest_ram_vaddr == ~0ULL ? 64 : (unsigned)__builtin_clzll(~lowest_ram_vaddr);
	unsigned bits = 64 - ones;

	/* arch/arm64/Kconfig: ARM64_VA_BITS is 36, 39, 42, 47, 48 or 52. */
	return bits >= 36 && bits <= 52 ? bits : 0;
}

static KcoreSegment arm64_kcore_segment(uint64_t vaddr, unsigned va_bits)
{
	if (vaddr >= page_end(va_bits))
		return KCORE_SEGMENT_TEXT;
	if (vaddr >= top(va_bits))
		return KCORE_SEGMENT_RAM;
	return KCORE_SEGMENT_OTHER;
}

static int arm64_kernel_map_fallback(const Iomem *m, KernelMap *ret, Diag *d)
{
	const IomemEntry *code = iomem_find(m, "Kernel code"), *data = iomem_find(m, "Kernel data"), *ram = NULL;
	uint64_t text_paddr, phys_offset;

	if (!code || !data)
		return diag_set(d, ENOENT, "/proc/iomem", 0, "no \"Kernel code\" and \"Kernel data\" entries to fall back on");
	/* "Kernel code" starts at _stext; the image (_text) starts at the 2 MiB boundary below,
	 * which is what kexec-tools takes too. */
	text_paddr = code->start & ~(SZ_2M - 1);
	if (data->end < text_paddr)
		return diag_set(d, EINVAL, "/proc/iomem", data->line, "\"Kernel data\" ends before \"Kernel code\" (line %u) starts",
				code->line);
	for (size_t i = 0; i < m->n_entries && !ram; i++)
		if (arm64_is_ram(m->entries[i].name))
			ram = &m->entries[i];
	if (!ram)
		return diag_set(d, ENOENT, "/proc/iomem", 0, "no \"System RAM\" entry to place the linear map by");
	/* Without KASLR, PHYS_OFFSET is the start of DRAM rounded down to ARM64_MEMSTART_ALIGN
	 * (1 GiB with 4 KiB pages), and the layout is 48-bit VA. */
	phys_offset = ram->start & ~(SZ_1G - 1);
	*ret = (KernelMap){
		.page_offset = top(48) - phys_offset,
		.text_vaddr = page_end(48) + SZ_128M,
		.text_paddr = text_paddr,
		.text_size = data->end + 1 - text_paddr,
		.va_bits = 48,
		.from_kcore = false,
	};
	return 0;
}

static void arm64_format_kernel_map(const KernelMap *k, FILE *out)
{
	uint64_t page_offset;

	if (k->va_bits == 0)
		return;
	page_offset = top(k->va_bits);
	fprintf(out, "va-bits %u\n", k->va_bits);
	/* p_vaddr - p_paddr = PAGE_OFFSET - PHYS_OFFSET (mod 2^64). */
	fprintf(out, "linear-map PAGE_OFFSET 0x%llx PHYS_OFFSET 0x%llx\n", (unsigned long long)page_offset,
		(unsigned long long)(page_offset - k->page_offset));
	fprintf(out, "kimage-voffset 0x%llx\n", (unsigned long long)(k->text_vaddr - k->text_paddr));
	/* Against 6.1's KIMAGE_VADDR (PAGE_END + 128 MiB of modules); later kernels moved it. */
	fprintf(out, "kaslr-offset 0x%llx\n", (unsigned long long)(k->text_vaddr - (page_end(k->va_bits) + SZ_128M)));
}

const ArchRules arch_rules_arm64 = {
	.name = "arm64",
	.e_machine = EM_AARCH64,
	.ram_floor = 0,
	.is_ram = arm64_is_ram,
	.kexec_tools_drops_driver_managed = true,
	.max_phys = 1ULL << 52, /* 52-bit PA (LPA) is the most arm64 has */
	.text_vaddr_min = 0xffff800000000000ULL, /* PAGE_END with 47 or more VA bits; above it for fewer */
	.text_vaddr_unrandomised = 0xffff800008000000ULL,
	.va_bits = arm64_va_bits,
	.kcore_segment = arm64_kcore_segment,
	.kernel_map_fallback = arm64_kernel_map_fallback,
	.format_kernel_map = arm64_format_kernel_map,
};
