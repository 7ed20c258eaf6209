/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "layout.h"

#include <inttypes.h>

#include "dtb.h"

#define SZ_2M (2ULL << 20)
#define SZ_1G (1ULL << 30)
#define INITRD_WINDOW (32ULL << 30)
#define WHERE "crash region"

static uint64_t seg_up(uint64_t x)
{
	return ALIGN_UP(x, ARM64_SEGMENT_ALIGN);
}

int arm64_layout(const Range *crash, const Arm64Image *img, uint64_t initrd_size, uint64_t dtb_size,
		 uint64_t purgatory_size, uint64_t header_capacity, Arm64Layout *ret, Diag *d)
{
	Arm64Layout l = {};
	uint64_t end = crash->end + 1, cur, top;

	if (crash->end < crash->start || dtb_size == 0 || purgatory_size == 0 || header_capacity == 0)
		return -EINVAL;
	if (dtb_size > ARM64_DTB_MAX_SIZE)
		return diag_set(d, EINVAL, WHERE, 0, "the device tree is %" PRIu64 " bytes, over 2 MiB", dtb_size);

	/* From the top: the header, then the purgatory below it. */
	l.header_memsz = seg_up(header_capacity);
	l.purgatory_memsz = seg_up(purgatory_size);
	if (end < crash->start + l.header_memsz + l.purgatory_memsz || (end & (ARM64_SEGMENT_ALIGN - 1)))
		return diag_set(d, ENOSPC, WHERE, 0, "0x%" PRIx64 "-0x%" PRIx64 " is too small or not 64 KiB aligned at its end",
				crash->start, crash->end);
	l.header = end - l.header_memsz;
	l.purgatory = l.header - l.purgatory_memsz;
	top = l.purgatory;

	/* From the bottom: the Image, initrd and DTB. */
	l.kernel = ALIGN_UP(crash->start, SZ_2M) + img->text_offset;
	l.kernel_memsz = seg_up(img->image_size);
	if (l.kernel % ARM64_SEGMENT_ALIGN)
		return diag_set(d, EINVAL, WHERE, 0, "text_offset 0x%" PRIx64 " is not 64 KiB aligned", img->text_offset);
	cur = l.kernel + l.kernel_memsz;
	if (initrd_size) {
		l.initrd = cur;
		l.initrd_memsz = seg_up(initrd_size);
		cur += l.initrd_memsz;
		if (cur - (l.kernel & ~(SZ_1G - 1)) > INITRD_WINDOW)
			return diag_set(d, EINVAL, WHERE, 0, "the initrd would end outside the 32 GiB window the Image at "
					"0x%" PRIx64 " can reach", l.kernel);
	}
	l.dtb = cur;
	l.dtb_memsz = seg_up(dtb_size);
	cur += l.dtb_memsz;

	if (cur > top || top - cur < ARM64_LAYOUT_MIN_FREE)
		return diag_set(d, ENOSPC, WHERE, 0, "0x%" PRIx64 "-0x%" PRIx64 " (%" PRIu64 " MiB) cannot hold the Image "
				"(%" PRIu64 " KiB), initrd (%" PRIu64 " KiB), device tree, purgatory, header (%" PRIu64
				" KiB) and 2 MiB free: raise crashkernel=", crash->start, crash->end,
				(crash->end - crash->start + 1) >> 20, l.kernel_memsz >> 10, l.initrd_memsz >> 10,
				l.header_memsz >> 10);
	l.free_bytes = top - cur;
	*ret = l;
	return 0;
}
