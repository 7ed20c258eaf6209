/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The boot_params segment of the crash kernel: the zero page, then the command line, then
 * setup_data (EFI, extra e820 entries) and the EFI runtime map it points to. One segment, so
 * one page-aligned placement and one hashed region cover all of it. */
#pragma once

#include "x86/bzimage.h"
#include "x86/e820.h"
#include "x86/firmware.h"

typedef struct ZeroPageInput {
	const BzImage *image;
	const X86Firmware *fw;  /* NULL: defaults only (no screen, EDD, EFI, RSDP) */
	const E820Entry *e820;
	size_t n_e820;
	const char *cmdline;    /* the whole command line, "elfcorehdr=..." already in front */
	uint64_t initrd_addr, initrd_size; /* 0, 0 without an initrd */
} ZeroPageInput;

/* Offsets inside the segment; the command line always follows the zero page. */
#define ZEROPAGE_CMDLINE_OFFSET BP_SIZE

/* Bytes the segment needs (not page aligned). -E2BIG (d set) if the command line is longer
 * than the image's cmdline_size. */
int x86_zeropage_size(const ZeroPageInput *in, size_t *ret, Diag *d);

/* Builds the segment for load address addr (page aligned) into a zeroed buffer of
 * x86_zeropage_size() bytes. Pointers inside (cmd_line_ptr, setup_data, efi_memmap) are
 * physical addresses relative to addr. */
int x86_zeropage_build(const ZeroPageInput *in, uint64_t addr, uint8_t **ret, size_t *ret_size, Diag *d);

/* The crash kernel's command line: "elfcorehdr=0x<hdr> " first (as the kernel's own loader
 * puts it: a stale elfcorehdr= later in user text would override it, see the research notes,
 * so user text must not carry one), then user, then " acpi_rsdp=0x<rsdp>" when rsdp != 0 and
 * user does not set acpi_rsdp= itself. -EINVAL if user holds elfcorehdr=; -E2BIG if the result
 * exceeds cmdline_size. */
int x86_crash_cmdline(uint64_t elfcorehdr, const char *user, uint64_t rsdp, uint32_t cmdline_size, char **ret,
		      Diag *d);
