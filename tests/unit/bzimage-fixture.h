/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A synthetic bzImage: a setup header as a Debian 6.1 kernel carries it (protocol 2.15,
 * XLF_KERNEL_64 and friends, 2 MiB alignment, LOAD_PHYSICAL_ADDR 16 MiB), 3 setup sectors
 * and a protected-mode part filled with a pattern. Tests tweak fields from there. */
#pragma once

#include <stdlib.h>

#include "x86/bootparam.h"

#define FAKE_SETUP_SECTS 3
#define FAKE_SETUP_SIZE ((FAKE_SETUP_SECTS + 1) * 512)
#define FAKE_INIT_SIZE 0x1800000u /* 24 MiB */

static inline uint8_t *fake_bzimage(size_t kernel_size, size_t *ret_size)
{
	size_t size = FAKE_SETUP_SIZE + kernel_size;
	uint8_t *p = calloc(1, size);

	if (!p)
		abort();
	p[HDR_SETUP_SECTS] = FAKE_SETUP_SECTS;
	put_le32(p + HDR_SYSSIZE, (uint32_t)(kernel_size / 16));
	put_le16(p + HDR_BOOT_FLAG, BOOT_FLAG_MAGIC);
	p[HDR_JUMP] = 0xeb;       /* jmp short */
	p[HDR_JUMP + 1] = 0x6a;   /* over the header: it ends at 0x26c */
	put_le32(p + HDR_HEADER, HDR_MAGIC);
	put_le16(p + HDR_VERSION, 0x020f);
	p[HDR_LOADFLAGS] = LOADFLAG_LOADED_HIGH;
	put_le32(p + HDR_INITRD_ADDR_MAX, 0x7fffffff);
	put_le32(p + HDR_KERNEL_ALIGNMENT, 0x200000);
	p[HDR_RELOCATABLE_KERNEL] = 1;
	p[HDR_MIN_ALIGNMENT] = 21;
	put_le16(p + HDR_XLOADFLAGS, 0x7f);
	put_le32(p + HDR_CMDLINE_SIZE, 2047);
	put_le64(p + HDR_PREF_ADDRESS, 0x1000000);
	put_le32(p + HDR_INIT_SIZE, FAKE_INIT_SIZE);
	for (size_t i = 0; i < kernel_size; i++)
		p[FAKE_SETUP_SIZE + i] = (uint8_t)(i * 31 + 7);
	*ret_size = size;
	return p;
}
