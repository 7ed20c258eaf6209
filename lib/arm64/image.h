/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The arm64 kernel Image header (the kernel's Documentation/arch/arm64/booting.rst, "Call the
 * kernel image"): 64 bytes at the start of the uncompressed Image Debian installs as
 * /boot/vmlinuz-*. Little-endian fields:
 *
 *   0x00 code0, 0x04 code1   executable (a branch; "MZ" first on EFI-stub kernels)
 *   0x08 text_offset         load offset from a 2 MiB aligned base
 *   0x10 image_size          memory the kernel takes from its load address, bss included
 *   0x18 flags               bit 0 big-endian, bits 1-2 page size (0 unspecified, 1 4 KiB,
 *                            2 16 KiB, 3 64 KiB), bit 3 placement (1: any 2 MiB aligned
 *                            base in RAM; 0: as close to the start of DRAM as possible)
 *   0x20..0x37               reserved
 *   0x38 magic               "ARM\x64"
 *   0x3c res5                PE header offset (EFI stub)
 */
#pragma once

#include "../diag.h"

#define ARM64_IMAGE_HEADER_SIZE 64
#define ARM64_IMAGE_MAGIC_OFFSET 0x38
#define ARM64_IMAGE_FLAG_BE (1u << 0)
#define ARM64_IMAGE_FLAG_ANYWHERE (1u << 3)

typedef struct Arm64Image {
	const uint8_t *data;  /* the whole file, borrowed from the caller */
	size_t size;
	uint64_t text_offset;
	uint64_t image_size;  /* >= size */
	uint64_t flags;
	unsigned page_kib;    /* 4, 16, 64; 0 unspecified */
	bool anywhere;        /* flags bit 3 */
} Arm64Image;

/* Checks that data[0..size) is a little-endian arm64 Image this loader can place and fills
 * *ret (pointing into data). -ENOEXEC with d (naming path) for anything else: too short for
 * the header, gzip-compressed (Debian's arm64 kernels are not, but a vmlinuz.gz is), an EFI
 * zboot image ("zimg"), no "ARM\x64" magic, a big-endian kernel, image_size 0 (kernels before
 * 3.17) or smaller than the file, a text_offset that is not 4 KiB aligned or beyond 2 MiB. */
int arm64_image_parse(const uint8_t *data, size_t size, const char *path, Arm64Image *ret, Diag *d);
