/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The crash kernel's device tree: the running kernel's flattened tree (/sys/firmware/fdt, the
 * blob the boot loader or EFI stub handed it) with /chosen set for a crash kernel, as the
 * kernel's Documentation/devicetree/bindings/chosen.txt defines the properties:
 *
 *   bootargs                       the command line
 *   linux,initrd-start, -end       the initrd, start inclusive and end exclusive (both as
 *                                  64-bit values; deleted without an initrd)
 *   linux,elfcorehdr               <address size> of the ELF core header segment
 *   linux,usable-memory-range      <address size> pairs of the memory the crash kernel may
 *                                  use: the crash regions, the main (high) one first and a
 *                                  low one last, as drivers/of/fdt.c expects
 *
 * The last two are written in the root node's #address-cells and #size-cells. kaslr-seed
 * and rng-seed are deleted (see dtb.c). */
#pragma once

#include "../diag.h"
#include "../topology.h"

/* The blob booting.rst allows: at most 2 MiB. */
#define ARM64_DTB_MAX_SIZE (2u << 20)

typedef struct Arm64DtbInput {
	const char *cmdline;
	uint64_t initrd, initrd_size;      /* initrd_size 0: no initrd */
	uint64_t elfcorehdr, elfcorehdr_size;
	const Range *usable;               /* inclusive ranges, main first */
	size_t n_usable;
} Arm64DtbInput;

/* Reads the flattened tree at path under root (the caller names it: /sys/firmware/fdt) into a
 * new buffer (*ret, caller frees) and checks its header. -ENOENT (no such file: a kernel
 * without CONFIG_OF), -EINVAL (not a valid FDT), -EFBIG (over 2 MiB) with d naming the file. */
int arm64_dtb_read(const char *root, const char *path, uint8_t **ret, size_t *ret_size, Diag *d);

/* A copy of the tree fdt (size bytes, from what: its name for d) with /chosen set from in, packed,
 * into a new buffer (*ret, caller frees, *ret_size its length). -EINVAL with d naming what and
 * the libfdt error when the tree cannot be edited, -ERANGE when an address or size does not fit
 * the root's cells, -EFBIG when the result is over ARM64_DTB_MAX_SIZE. */
int arm64_dtb_build(const void *fdt, size_t size, const char *what, const Arm64DtbInput *in, uint8_t **ret,
		    size_t *ret_size, Diag *d);
