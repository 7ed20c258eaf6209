/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The x86 "zero page" (struct boot_params) and the bzImage setup header, as byte offsets.
 *
 * Offsets rather than a C struct mirror: the layout is a fixed binary ABI (the kernel's
 * Documentation/arch/x86/boot.rst and zero-page.rst), we only touch a few dozen fields, and
 * explicit little-endian accessors keep the code free of packed-struct alignment traps. The
 * setup header sits at the same offset in the bzImage file and in boot_params, so the same
 * constants serve the parser and the builder. */
#pragma once

#include <stdint.h>
#include <string.h>

#include "../le.h"

#define BP_SIZE 4096u

/* boot_params (zero-page.rst) */
#define BP_SCREEN_INFO 0x000 /* 0x40 bytes; ext_mem_k at +0x002 */
#define BP_SCREEN_INFO_SIZE 0x40
#define BP_EXT_MEM_K 0x002
#define BP_ACPI_RSDP_ADDR 0x070 /* u64, protocol 2.14+ */
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE 0x0c4
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_EFI_INFO 0x1c0 /* 0x20 bytes, see BP_EFI_* */
#define BP_EFI_INFO_SIZE 0x20
#define BP_ALT_MEM_K 0x1e0
#define BP_E820_ENTRIES 0x1e8
#define BP_EDDBUF_ENTRIES 0x1e9
#define BP_EDD_MBR_SIG_BUF_ENTRIES 0x1ea
#define BP_SECURE_BOOT 0x1ec
#define BP_SENTINEL 0x1ef /* must stay 0, or the kernel wipes "uninitialised" fields */
#define BP_HDR 0x1f1      /* setup header starts here, in the file and in boot_params */
#define BP_EDD_MBR_SIG_BUFFER 0x290
#define BP_EDD_MBR_SIG_BUFFER_SIZE (16 * 4)
#define BP_E820_TABLE 0x2d0
#define BP_E820_MAX 128 /* entries in the zero page; more go to SETUP_E820_EXT */
#define BP_EDDBUF 0xd00
#define BP_EDDBUF_SIZE (6 * 82)

/* efi_info, relative to BP_EFI_INFO */
#define BP_EFI_LOADER_SIGNATURE 0x00
#define BP_EFI_SYSTAB 0x04
#define BP_EFI_MEMDESC_SIZE 0x08
#define BP_EFI_MEMDESC_VERSION 0x0c
#define BP_EFI_MEMMAP 0x10
#define BP_EFI_MEMMAP_SIZE 0x14
#define BP_EFI_SYSTAB_HI 0x18
#define BP_EFI_MEMMAP_HI 0x1c

/* setup header (boot.rst), absolute offsets */
#define HDR_SETUP_SECTS 0x1f1
#define HDR_SYSSIZE 0x1f4
#define HDR_BOOT_FLAG 0x1fe /* 0xaa55 */
#define HDR_JUMP 0x200      /* byte at 0x201 = length of the header after 0x202 */
#define HDR_HEADER 0x202    /* "HdrS" */
#define HDR_VERSION 0x206
#define HDR_TYPE_OF_LOADER 0x210
#define HDR_LOADFLAGS 0x211
#define HDR_CODE32_START 0x214
#define HDR_RAMDISK_IMAGE 0x218
#define HDR_RAMDISK_SIZE 0x21c
#define HDR_HEAP_END_PTR 0x224
#define HDR_CMD_LINE_PTR 0x228
#define HDR_INITRD_ADDR_MAX 0x22c
#define HDR_KERNEL_ALIGNMENT 0x230
#define HDR_RELOCATABLE_KERNEL 0x234
#define HDR_MIN_ALIGNMENT 0x235
#define HDR_XLOADFLAGS 0x236
#define HDR_CMDLINE_SIZE 0x238
#define HDR_HARDWARE_SUBARCH 0x23c
#define HDR_PAYLOAD_OFFSET 0x248
#define HDR_PAYLOAD_LENGTH 0x24c
#define HDR_SETUP_DATA 0x250
#define HDR_PREF_ADDRESS 0x258
#define HDR_INIT_SIZE 0x260
#define HDR_END_MAX BP_EDD_MBR_SIG_BUFFER /* a header running past this would clobber boot_params */

#define HDR_MAGIC 0x53726448u /* "HdrS" little-endian */
#define BOOT_FLAG_MAGIC 0xaa55u

#define LOADFLAG_LOADED_HIGH 0x01
#define XLF_KERNEL_64 (1u << 0)
#define XLF_CAN_BE_LOADED_ABOVE_4G (1u << 1)
#define XLF_5LEVEL (1u << 5)

#define TYPE_OF_LOADER_UNDEFINED 0xff
/* The 64-bit entry point is 0x200 bytes into the protected-mode kernel (boot.rst, 64-bit boot
 * protocol). */
#define KERNEL_ENTRY64_OFFSET 0x200

/* E820 types (zero-page e820_table[].type) */
#define E820_RAM 1
#define E820_RESERVED 2
#define E820_ACPI 3
#define E820_NVS 4
#define E820_ENTRY_SIZE 20 /* u64 addr, u64 size, u32 type, packed */

/* setup_data: u64 next, u32 type, u32 len, data[len] */
#define SETUP_DATA_HDR_SIZE 16
#define SETUP_E820_EXT 1
#define SETUP_EFI 4
/* efi_setup_data payload: fw_vendor, (unused, was runtime), tables, smbios, reserved[8] */
#define EFI_SETUP_DATA_SIZE (12 * 8)
#define EFI_MEMDESC_SIZE 40 /* u32 type, u32 pad, u64 phys, u64 virt, u64 num_pages, u64 attribute */

