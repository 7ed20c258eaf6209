/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "x86/layout.h"

#include <inttypes.h>

#include "bytes.h"
#include "x86/bootparam.h"

#define PAGE 4096ULL
#define WHERE "crash region"

int x86_main_crash_region(const Range *crash, size_t n, size_t *ret)
{
	return topology_main_crash_region(crash, n, ret);
}

static uint64_t page_up(uint64_t x)
{
	return ALIGN_UP(x, PAGE);
}

int x86_layout(const Range *crash, const BzImage *b, uint64_t initrd_size, uint64_t purgatory_memsz,
	       uint64_t boot_params_size, uint64_t header_capacity, X86Layout *ret, Diag *d)
{
	uint64_t start = crash->start, top = crash->end + 1, floor, need;
	char s1[32], s2[32];
	X86Layout l = {};

	if ((start & (PAGE - 1)) || (top & (PAGE - 1)) || top <= start)
		return diag_set(d, EINVAL, WHERE, 0, "0x%" PRIx64 "-0x%" PRIx64 " is not a page-aligned range", start,
				crash->end);
	if (header_capacity == 0 || (header_capacity & (PAGE - 1)))
		return diag_set(d, EINVAL, WHERE, 0, "elfcorehdr capacity %" PRIu64 " is not a whole number of pages",
				header_capacity);

	/* From the top: header, boot_params, purgatory. */
	l.header_memsz = header_capacity;
	l.boot_params_memsz = page_up(boot_params_size);
	l.purgatory_memsz = page_up(purgatory_memsz);
	need = l.header_memsz + l.boot_params_memsz + l.purgatory_memsz;
	if (need > top - start)
		return diag_set(d, ENOSPC, WHERE, 0, "%s region cannot hold a %s elfcorehdr",
				format_bytes(top - start, s1, sizeof(s1)), format_bytes(header_capacity, s2, sizeof(s2)));
	l.header = top - l.header_memsz;
	l.boot_params = l.header - l.boot_params_memsz;
	l.purgatory = l.boot_params - l.purgatory_memsz;

	/* From the bottom: the kernel at its alignment and never below pref_address: a
	 * relocatable kernel's startup_64 rounds its address up to kernel_alignment and moves to
	 * LOAD_PHYSICAL_ADDR when below it, which would be outside the region. */
	floor = start > b->pref_address ? start : b->pref_address;
	l.kernel = ALIGN_UP(floor, (uint64_t)b->kernel_alignment);
	l.kernel_memsz = bzimage_load_size(b);
	if (l.kernel < floor || l.kernel > l.purgatory || l.kernel_memsz > l.purgatory - l.kernel)
		return diag_set(d, ENOSPC, WHERE, 0,
				"kernel needs %s at 0x%" PRIx64 " (aligned to 0x%" PRIx32 "), only up to 0x%" PRIx64
				" is free in 0x%" PRIx64 "-0x%" PRIx64,
				format_bytes(l.kernel_memsz, s1, sizeof(s1)), l.kernel, b->kernel_alignment, l.purgatory, start, crash->end);

	/* Above 4 GiB only an image that says it copes (crashkernel=,high puts crashk_res there). */
	if (!(b->xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G) && l.kernel + l.kernel_memsz > (1ULL << 32))
		return diag_set(d, ENOSPC, WHERE, 0,
				"0x%" PRIx64 "-0x%" PRIx64 " is above 4 GiB and the kernel lacks XLF_CAN_BE_LOADED_ABOVE_4G",
				start, crash->end);

	if (initrd_size) {
		l.initrd = l.kernel + l.kernel_memsz;
		l.initrd_memsz = page_up(initrd_size);
		if (l.initrd_memsz > l.purgatory - l.initrd)
			return diag_set(d, ENOSPC, WHERE, 0,
					"kernel (%s) and initrd (%s) do not fit in 0x%" PRIx64 "-0x%" PRIx64,
					format_bytes(l.kernel_memsz, s1, sizeof(s1)), format_bytes(l.initrd_memsz, s2, sizeof(s2)),
					start, crash->end);
		/* An image that cannot take an initrd above 4 GiB announces its limit. */
		if (!(b->xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G) && l.initrd + initrd_size - 1 > b->initrd_addr_max)
			return diag_set(d, ENOSPC, WHERE, 0,
					"initrd would end at 0x%" PRIx64 ", above the kernel's initrd_addr_max 0x%" PRIx32,
					l.initrd + initrd_size - 1, b->initrd_addr_max);
	}
	l.free_bytes = l.purgatory - (l.initrd_memsz ? l.initrd + l.initrd_memsz : l.kernel + l.kernel_memsz);
	if (l.free_bytes < X86_LAYOUT_MIN_FREE)
		return diag_set(d, ENOSPC, WHERE, 0,
				"only %s left free in 0x%" PRIx64 "-0x%" PRIx64 "; the kernel needs about %s there for "
				"kexec control pages (enlarge crashkernel= or lower MaxPhdrs)",
				format_bytes(l.free_bytes, s1, sizeof(s1)), start, crash->end,
				format_bytes(X86_LAYOUT_MIN_FREE, s2, sizeof(s2)));
	*ret = l;
	return 0;
}
