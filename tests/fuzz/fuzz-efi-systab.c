/* SPDX-License-Identifier: GPL-2.0-or-later */
/* /sys/firmware/efi/systab through its stream entry point. */
#include "fuzz.h"
#include "x86/firmware.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_(fclosep) FILE *f = NULL;
	uint64_t acpi = 1, smbios = 1;
	Diag d = {};

	if (size == 0) /* fmemopen() refuses an empty buffer */
		return 0;
	f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	/* A failure says where and why and leaves the outputs alone: the caller keeps the RSDP
	 * it got from boot_params. */
	if (x86_efi_systab_parse_stream(f, "fuzz", &acpi, &smbios, &d) < 0 &&
	    (acpi != 1 || smbios != 1 || !streq(d.file, "fuzz") || !d.reason[0]))
		abort();
	return 0;
}
