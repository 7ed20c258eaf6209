/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The contract between the segments loader and our purgatory (purgatory/ in the source tree).
 *
 * The purgatory is a flat, position-independent x86_64 blob. kexec's relocate_kernel jumps to
 * its first byte (the segment address is the image entry point) in 64-bit mode, on identity
 * page tables, interrupts off, all general registers zero, its own stack. The purgatory:
 *   1. hashes regions[0..n_regions) in order with SHA-256 and compares with digest; on a
 *      mismatch it halts for good: a crash kernel whose memory was overwritten (stray DMA, a
 *      wild write in the dying kernel) must not run and write a garbage dump;
 *   2. loads its own GDT (selector 0x10: flat 64-bit code, 0x18: flat data), as the 64-bit
 *      boot protocol requires, and reloads every segment register;
 *   3. jumps to kernel_entry with %rsi = boot_params and the other registers zero.
 *
 * The loader copies purgatory_blob, patches the struct PurgatoryParams found at
 * PURGATORY_PARAMS_OFFSET (checked through magic/version/size), and loads the result as one
 * segment of purgatory_memsz bytes (the zero-filled tail above the blob is the stack).
 *
 * This header is also compiled into the freestanding purgatory and its assembly, so it uses
 * only <stdint.h> and plain macros. */
#pragma once

#define PURGATORY_MAGIC 0x3147525550504843ULL /* "CHPPURG1", little-endian */
#define PURGATORY_VERSION 1
#define PURGATORY_PARAMS_OFFSET 64
#define PURGATORY_MAX_REGIONS 15 /* KEXEC_SEGMENT_MAX minus the purgatory itself */
#define PURGATORY_STACK_SIZE 16384
#define PURGATORY_DIGEST_SIZE 32

/* Field offsets for the assembly side; purgatory.c checks them against the struct. */
#define PP_MAGIC 0
#define PP_VERSION 8
#define PP_SIZE 12
#define PP_KERNEL_ENTRY 16
#define PP_BOOT_PARAMS 24
#define PP_N_REGIONS 32
#define PP_SERIAL_PORT 36
#define PP_DIGEST 40
#define PP_REGIONS 72
#define PP_STRUCT_SIZE (PP_REGIONS + PURGATORY_MAX_REGIONS * 16)

/* Boot protocol selectors (boot.rst: __BOOT_CS / __BOOT_DS). */
#define PURGATORY_BOOT_CS 0x10
#define PURGATORY_BOOT_DS 0x18

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

typedef struct PurgatoryRegion {
	uint64_t start; /* physical address */
	uint64_t len;   /* bytes */
} PurgatoryRegion;

typedef struct PurgatoryParams {
	uint64_t magic;        /* PURGATORY_MAGIC */
	uint32_t version;      /* PURGATORY_VERSION */
	uint32_t size;         /* sizeof(PurgatoryParams) */
	uint64_t kernel_entry; /* kernel load address + 0x200: the 64-bit entry */
	uint64_t boot_params;  /* physical address of the zero page, goes to %rsi */
	uint32_t n_regions;    /* <= PURGATORY_MAX_REGIONS */
	uint16_t serial_port;  /* 8250 I/O port for progress lines ("0x3f8"), 0 = silent */
	uint16_t reserved;
	uint8_t digest[PURGATORY_DIGEST_SIZE]; /* SHA-256 over the regions, in order */
	PurgatoryRegion regions[PURGATORY_MAX_REGIONS];
} PurgatoryParams;

/* The blob, generated at build time from purgatory/ (purgatory-blob.c). */
extern const uint8_t purgatory_blob[];
extern const size_t purgatory_blob_size;
/* Bytes the purgatory segment must span from its load address: blob plus stack. */
extern const size_t purgatory_memsz;
/* Offset of "int purgatory_verify(void)" (SysV ABI, reads only memory): lets the unit tests
 * run the real check in user space against the params they patched. */
extern const size_t purgatory_verify_offset;
#endif
