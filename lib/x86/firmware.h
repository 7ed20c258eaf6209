/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the crash kernel needs to know about the firmware, read from the running kernel:
 * its boot_params (screen, EDD, subarch, EFI info, ACPI RSDP) and, on an EFI boot, the EFI
 * system table pointers and runtime memory map, so the crash kernel can use EFI runtime
 * services at the dead kernel's virtual addresses and find ACPI without scanning. */
#pragma once

#include "diag.h"
#include "x86/bootparam.h"

typedef struct EfiRuntimeDesc {
	uint32_t type;
	uint64_t phys_addr, virt_addr, num_pages, attribute;
} EfiRuntimeDesc;

typedef struct X86Firmware {
	bool have_boot_params;          /* /sys/kernel/boot_params/data was readable */
	uint8_t boot_params[BP_SIZE];   /* the running kernel's zero page, zeros if not */
	uint64_t acpi_rsdp;             /* 0 = not known (the crash kernel scans the BIOS area) */
	bool efi_boot;                  /* the running kernel was booted through 64-bit EFI */
	bool efi;                       /* ... and everything below is known: pass EFI on */
	uint64_t efi_fw_vendor, efi_runtime, efi_config_table, efi_smbios;
	EfiRuntimeDesc *efi_map;        /* /sys/firmware/efi/runtime-map/N, ascending N */
	size_t n_efi_map;
	char efi_why_not[160];          /* efi_boot && !efi: why EFI is not passed on */
} X86Firmware;

/* Reads under root: sys/kernel/boot_params/data, sys/firmware/efi/{systab,fw_vendor,runtime,
 * config_table,runtime-map/}. Absent files are not errors: they only remove what can be
 * passed on (see efi_why_not). Malformed contents are -EINVAL with d naming the file. */
int x86_firmware_read(const char *root, X86Firmware **ret, Diag *d);

/* Parses /sys/firmware/efi/systab text: "ACPI20=0x..", "ACPI=0x..", "SMBIOS=0x..", ...
 * Sets *acpi (ACPI20 preferred over ACPI) and *smbios (the 32-bit SMBIOS entry, which is what
 * efi_setup_data carries), 0 if absent. Other keys (SMBIOS3, MPS, ...) are accepted. */
int x86_efi_systab_parse_stream(FILE *f, const char *name, uint64_t *acpi, uint64_t *smbios, Diag *d);

X86Firmware *x86_firmware_free(X86Firmware *f);
DEFINE_TRIVIAL_CLEANUP_FUNC(X86Firmware *, x86_firmware_free);
