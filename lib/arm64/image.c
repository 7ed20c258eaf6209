/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "image.h"

#include "../le.h"

#define SZ_2M (2ULL << 20)

int arm64_image_parse(const uint8_t *data, size_t size, const char *path, Arm64Image *ret, Diag *d)
{
	uint64_t text_offset, image_size, flags;
	unsigned page_bits;

	/* The compressed forms first: they are what a wrong Kernel= most often names, and the
	 * user is better told what they have than that a magic is missing. */
	if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b)
		return diag_set(d, ENOEXEC, path, 0, "a gzip-compressed kernel: Loader=segments needs the uncompressed "
				"arm64 Image (gunzip it, or use Debian's /boot/vmlinuz-*)");
	if (size >= 8 && memcmp(data, "MZ", 2) == 0 && memcmp(data + 4, "zimg", 4) == 0)
		return diag_set(d, ENOEXEC, path, 0, "an EFI zboot (compressed) kernel: Loader=segments needs the "
				"uncompressed arm64 Image");
	if (size < ARM64_IMAGE_HEADER_SIZE)
		return diag_set(d, ENOEXEC, path, 0, "%zu bytes: too short for an arm64 Image header (64)", size);
	if (memcmp(data + ARM64_IMAGE_MAGIC_OFFSET, "ARM\x64", 4) != 0)
		return diag_set(d, ENOEXEC, path, 0, "not an arm64 Image: no \"ARM\\x64\" magic at 0x38");
	text_offset = get_le64(data + 8);
	image_size = get_le64(data + 16);
	flags = get_le64(data + 24);
	if (flags & ARM64_IMAGE_FLAG_BE)
		return diag_set(d, ENOEXEC, path, 0, "a big-endian arm64 kernel (flags 0x%llx): the running kernel "
				"is little-endian", (unsigned long long)flags);
	/* Before 3.17 image_size was 0 and text_offset unreliable (booting.rst). */
	if (image_size == 0)
		return diag_set(d, ENOEXEC, path, 0, "image_size 0: an arm64 kernel older than 3.17, which this loader "
				"cannot place");
	if (image_size < size)
		return diag_set(d, ENOEXEC, path, 0, "image_size %llu is smaller than the file (%zu bytes)",
				(unsigned long long)image_size, size);
	if (text_offset % 4096 || text_offset >= SZ_2M)
		return diag_set(d, ENOEXEC, path, 0, "text_offset 0x%llx is not a 4 KiB aligned offset below 2 MiB",
				(unsigned long long)text_offset);
	page_bits = (unsigned)(flags >> 1) & 3;
	*ret = (Arm64Image){
		.data = data,
		.size = size,
		.text_offset = text_offset,
		.image_size = image_size,
		.flags = flags,
		.page_kib = page_bits == 0 ? 0 : page_bits == 1 ? 4 : page_bits == 2 ? 16 : 64,
		.anywhere = flags & ARM64_IMAGE_FLAG_ANYWHERE,
	};
	return 0;
}
