/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "bzimage.h"

#include "bootparam.h"

#define PAGE_SIZE_4K 4096u

int bzimage_parse(const void *data, size_t size, const char *name, BzImage *ret, Diag *d)
{
	const uint8_t *p = data;
	BzImage b = { .image = p, .image_size = size };
	unsigned setup_sects;

	/* Enough to read every field up to init_size (0x260..0x263). */
	if (size < HDR_INIT_SIZE + 4)
		return diag_set(d, ENOEXEC, name, 0, "%zu bytes: too short for a bzImage setup header", size);
	if (get_le16(p + HDR_BOOT_FLAG) != BOOT_FLAG_MAGIC)
		return diag_set(d, ENOEXEC, name, 0, "no 0xAA55 boot flag at 0x1fe: not a bzImage");
	if (get_le32(p + HDR_HEADER) != HDR_MAGIC)
		return diag_set(d, ENOEXEC, name, 0, "no \"HdrS\" at 0x202: not a bzImage (or a pre-2.00 zImage)");

	b.version = get_le16(p + HDR_VERSION);
	if (b.version < BZIMAGE_MIN_VERSION)
		return diag_set(d, ENOEXEC, name, 0, "boot protocol %u.%02u is older than 2.12 (no 64-bit load flags)",
				b.version >> 8, b.version & 0xff);

	/* The header's own length is encoded in the jump instruction at 0x200 (a short jmp over
	 * the header): it ends 0x202 + that byte. */
	b.header_end = 0x202u + p[HDR_JUMP + 1];
	if (b.header_end < HDR_INIT_SIZE + 4 || b.header_end > HDR_END_MAX)
		return diag_set(d, ENOEXEC, name, 0, "setup header length 0x%zx is outside 0x%x..0x%x",
				b.header_end - BP_HDR, HDR_INIT_SIZE + 4 - BP_HDR, HDR_END_MAX - BP_HDR);

	setup_sects = p[HDR_SETUP_SECTS];
	if (setup_sects == 0) /* boot.rst: 0 means 4, for ancient images */
		setup_sects = 4;
	b.setup_size = (size_t)(setup_sects + 1) * 512;
	if (b.setup_size < b.header_end || b.setup_size >= size)
		return diag_set(d, ENOEXEC, name, 0, "setup_sects %u puts the kernel at 0x%zx, outside the %zu-byte file",
				setup_sects, b.setup_size, size);
	b.kernel = p + b.setup_size;
	b.kernel_size = size - b.setup_size;
	/* syssize counts 16-byte paragraphs of the protected-mode part; a file shorter than that
	 * was cut off (interrupted copy, partial download). */
	if ((uint64_t)get_le32(p + HDR_SYSSIZE) * 16 > b.kernel_size)
		return diag_set(d, ENOEXEC, name, 0, "truncated: syssize says %llu bytes of kernel, the file has %zu",
				(unsigned long long)get_le32(p + HDR_SYSSIZE) * 16, b.kernel_size);

	b.loadflags = p[HDR_LOADFLAGS];
	b.xloadflags = get_le16(p + HDR_XLOADFLAGS);
	if (!(b.xloadflags & XLF_KERNEL_64))
		return diag_set(d, ENOEXEC, name, 0, "xloadflags 0x%x lacks XLF_KERNEL_64: no 64-bit entry point",
				b.xloadflags);
	if (!p[HDR_RELOCATABLE_KERNEL])
		return diag_set(d, ENOEXEC, name, 0, "kernel is not relocatable: it cannot run inside the crash region");

	b.kernel_alignment = get_le32(p + HDR_KERNEL_ALIGNMENT);
	if (b.kernel_alignment < PAGE_SIZE_4K || (b.kernel_alignment & (b.kernel_alignment - 1)))
		return diag_set(d, ENOEXEC, name, 0, "kernel_alignment 0x%x is not a power of two >= 4096",
				b.kernel_alignment);
	b.init_size = get_le32(p + HDR_INIT_SIZE);
	if (b.init_size == 0)
		return diag_set(d, ENOEXEC, name, 0, "init_size is 0");
	b.cmdline_size = get_le32(p + HDR_CMDLINE_SIZE);
	if (b.cmdline_size == 0)
		return diag_set(d, ENOEXEC, name, 0, "cmdline_size is 0");
	b.initrd_addr_max = get_le32(p + HDR_INITRD_ADDR_MAX);
	b.pref_address = get_le64(p + HDR_PREF_ADDRESS);
	if (b.pref_address & (PAGE_SIZE_4K - 1))
		return diag_set(d, ENOEXEC, name, 0, "pref_address 0x%llx is not page aligned",
				(unsigned long long)b.pref_address);

	*ret = b;
	return 0;
}

uint64_t bzimage_load_size(const BzImage *b)
{
	uint64_t n = b->init_size > b->kernel_size ? b->init_size : b->kernel_size;

	return ALIGN_UP(n, (uint64_t)PAGE_SIZE_4K);
}
