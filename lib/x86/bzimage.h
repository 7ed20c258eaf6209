/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bzImage header parser for the x86_64 crash kernel (boot protocol 2.12 or newer, 64-bit
 * entry, relocatable). Only what loading through the 64-bit entry point needs. */
#pragma once

#include "diag.h"

#define BZIMAGE_MIN_VERSION 0x020c /* 2.12: xloadflags, ext_* pointers for >4 GiB */

typedef struct BzImage {
	const uint8_t *image;      /* the whole file, borrowed */
	size_t image_size;
	uint16_t version;          /* boot protocol, e.g. 0x020f */
	size_t setup_size;         /* real-mode part: (setup_sects + 1) * 512 */
	const uint8_t *kernel;     /* protected-mode part = image + setup_size */
	size_t kernel_size;
	size_t header_end;         /* setup header is [0x1f1, header_end) of the file */
	uint8_t loadflags;
	uint16_t xloadflags;
	uint32_t kernel_alignment; /* power of two, >= 4096 */
	uint32_t init_size;        /* bytes the kernel needs from its load address while booting */
	uint32_t cmdline_size;     /* longest command line, without the NUL */
	uint32_t initrd_addr_max;  /* highest byte address of an initrd (32-bit entry limit) */
	uint64_t pref_address;     /* LOAD_PHYSICAL_ADDR: a relocatable kernel never runs below it */
} BzImage;

/* Parses the image in data (kept borrowed in ret). name is used in diagnostics. -ENOEXEC with
 * d saying why for anything that is not a 64-bit relocatable bzImage of protocol >= 2.12
 * (too short, no 0xAA55/"HdrS", old protocol, no XLF_KERNEL_64, not relocatable, bad
 * alignment, zero init_size or cmdline_size, setup or header outside the file). */
int bzimage_parse(const void *data, size_t size, const char *name, BzImage *ret, Diag *d);

/* Bytes the kernel segment reserves at its load address: max(init_size, kernel_size),
 * page aligned. */
uint64_t bzimage_load_size(const BzImage *b);
