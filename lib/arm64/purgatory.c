/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "purgatory.h"

#include "../le.h"

/* A64 encodings (Arm ARM C6): LDR (literal, 64-bit) = 0x58000000 | imm19 << 5 | Rt, imm19 the
 * word offset from this instruction; ORR (shifted register, 64-bit) = 0xaa000000 | Rm << 16 |
 * Rn << 5 | Rd, and mov xd, xzr is orr xd, xzr, xzr; BR = 0xd61f0000 | Rn << 5. */
#define A64_LDR_LITERAL(rt, byte_offset) (0x58000000u | (uint32_t)((byte_offset) / 4) << 5 | (rt))
#define A64_MOV_XZR(rd) (0xaa000000u | 31u << 16 | 31u << 5 | (rd))
#define A64_BR(rn) (0xd61f0000u | (uint32_t)(rn) << 5)

static const uint32_t stub[ARM64_PURGATORY_WORDS] = {
	A64_LDR_LITERAL(0, ARM64_PURGATORY_DTB_OFFSET - 0x00),    /* 0x00 ldr x0, dtb */
	A64_MOV_XZR(1),                                           /* 0x04 mov x1, xzr */
	A64_MOV_XZR(2),                                           /* 0x08 mov x2, xzr */
	A64_MOV_XZR(3),                                           /* 0x0c mov x3, xzr */
	A64_LDR_LITERAL(4, ARM64_PURGATORY_KERNEL_OFFSET - 0x10), /* 0x10 ldr x4, kernel */
	A64_BR(4),                                                /* 0x14 br x4 */
};

void arm64_purgatory_build(uint64_t dtb, uint64_t kernel, uint8_t out[static ARM64_PURGATORY_SIZE])
{
	/* Instructions are little-endian whatever the data endianness (booting.rst: the kernel
	 * is entered little-endian here anyway). */
	for (size_t i = 0; i < ARM64_PURGATORY_WORDS; i++)
		put_le32(out + 4 * i, stub[i]);
	put_le64(out + ARM64_PURGATORY_DTB_OFFSET, dtb);
	put_le64(out + ARM64_PURGATORY_KERNEL_OFFSET, kernel);
}
