/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "x86/zeropage.h"

#include <inttypes.h>

#define SEGMENT_NAME "boot_params"
#define PROTOCOL_ACPI_RSDP 0x020e /* boot_params.acpi_rsdp_addr is read from 2.14 on */

typedef struct Layout {
	size_t cmdline_len;   /* with the NUL */
	size_t efi_sd;        /* offset of the SETUP_EFI setup_data, 0 = none */
	size_t efi_map;       /* offset of the EFI runtime map */
	size_t e820_sd;       /* offset of the SETUP_E820_EXT setup_data, 0 = none */
	size_t n_e820_ext;
	size_t size;
} Layout;

static size_t align16(size_t x)
{
	return ALIGN_UP(x, (size_t)16);
}

static int layout(const ZeroPageInput *in, Layout *l, Diag *d)
{
	size_t off;

	*l = (Layout){ .cmdline_len = strlen(in->cmdline) + 1 };
	if (l->cmdline_len - 1 > in->image->cmdline_size)
		return diag_set(d, E2BIG, SEGMENT_NAME, 0, "command line of %zu bytes exceeds the kernel's cmdline_size %" PRIu32,
				l->cmdline_len - 1, in->image->cmdline_size);
	off = align16(ZEROPAGE_CMDLINE_OFFSET + l->cmdline_len);
	if (in->fw && in->fw->efi) {
		l->efi_sd = off;
		off = align16(off + SETUP_DATA_HDR_SIZE + EFI_SETUP_DATA_SIZE);
		l->efi_map = off;
		off = align16(off + in->fw->n_efi_map * EFI_MEMDESC_SIZE);
	}
	if (in->n_e820 > BP_E820_MAX) {
		l->n_e820_ext = in->n_e820 - BP_E820_MAX;
		l->e820_sd = off;
		off = align16(off + SETUP_DATA_HDR_SIZE + l->n_e820_ext * E820_ENTRY_SIZE);
	}
	l->size = off;
	return 0;
}

int x86_zeropage_size(const ZeroPageInput *in, size_t *ret, Diag *d)
{
	Layout l;
	int r = layout(in, &l, d);

	if (r < 0)
		return r;
	*ret = l.size;
	return 0;
}

static void put_e820(uint8_t *p, const E820Entry *e)
{
	put_le64(p, e->addr);
	put_le64(p + 8, e->size);
	put_le32(p + 16, e->type);
}

/* Appends a setup_data node at off to the list headed by hdr.setup_data (the list order does
 * not matter to the kernel; new nodes go in front). */
static void link_setup_data(uint8_t *buf, uint64_t addr, size_t off, uint32_t type, uint32_t len)
{
	put_le64(buf + off, get_le64(buf + HDR_SETUP_DATA));
	put_le32(buf + off + 8, type);
	put_le32(buf + off + 12, len);
	put_le64(buf + HDR_SETUP_DATA, addr + off);
}

/* Fields kexec_file's setup_boot_parameters also takes from the running kernel: the console
 * (screen_info, so an EFI framebuffer console keeps working), the subarch, EDD and the
 * Secure Boot state. */
static void copy_from_running(uint8_t *bp, const uint8_t *run)
{
	memcpy(bp + BP_SCREEN_INFO, run + BP_SCREEN_INFO, BP_SCREEN_INFO_SIZE);
	put_le16(bp + BP_EXT_MEM_K, 0); /* recomputed from the e820 map below */
	memcpy(bp + HDR_HARDWARE_SUBARCH, run + HDR_HARDWARE_SUBARCH, 4);
	bp[BP_EDDBUF_ENTRIES] = run[BP_EDDBUF_ENTRIES];
	bp[BP_EDD_MBR_SIG_BUF_ENTRIES] = run[BP_EDD_MBR_SIG_BUF_ENTRIES];
	memcpy(bp + BP_EDDBUF, run + BP_EDDBUF, BP_EDDBUF_SIZE);
	memcpy(bp + BP_EDD_MBR_SIG_BUFFER, run + BP_EDD_MBR_SIG_BUFFER, BP_EDD_MBR_SIG_BUFFER_SIZE);
	bp[BP_SECURE_BOOT] = run[BP_SECURE_BOOT];
}

/* Legacy memory size fields: KiB of RAM above 1 MiB in the entry that spans 1 MiB. */
static void set_mem_k(uint8_t *bp, const E820Entry *e, size_t n)
{
	const uint64_t mb = 0x100000;
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t end = e[i].addr + e[i].size;
		uint64_t k;

		if (e[i].type != E820_RAM || e[i].addr > mb || end <= mb)
			continue;
		k = (end - mb) >> 10;
		put_le16(bp + BP_EXT_MEM_K, (uint16_t)(k > 0xfc00 ? 0xfc00 : k));
		put_le32(bp + BP_ALT_MEM_K, (uint32_t)(k > UINT32_MAX ? UINT32_MAX : k));
	}
}

int x86_zeropage_build(const ZeroPageInput *in, uint64_t addr, uint8_t **ret, size_t *ret_size, Diag *d)
{
	const BzImage *img = in->image;
	const X86Firmware *fw = in->fw;
	_cleanup_(freep) uint8_t *buf = NULL;
	uint64_t cmdline_addr = addr + ZEROPAGE_CMDLINE_OFFSET;
	size_t i, n_zp;
	Layout l;
	int r;

	if (addr & 4095)
		return diag_set(d, EINVAL, SEGMENT_NAME, 0, "load address 0x%" PRIx64 " is not page aligned", addr);
	r = layout(in, &l, d);
	if (r < 0)
		return r;
	buf = calloc(1, l.size);
	if (!buf)
		return -ENOMEM;

	/* The setup header exactly as the image carries it (boot.rst: "copy the header, then
	 * fill in the fields a boot loader writes"). Everything else starts at zero, which also
	 * keeps the sentinel at 0x1ef zero so the kernel trusts the fields we set. */
	memcpy(buf + BP_HDR, img->image + BP_HDR, img->header_end - BP_HDR);
	if (fw && fw->have_boot_params)
		copy_from_running(buf, fw->boot_params);

	buf[HDR_TYPE_OF_LOADER] = TYPE_OF_LOADER_UNDEFINED;
	/* Keep only LOADED_HIGH (a property of the image); heap and quiet flags are requests
	 * of a real-mode boot loader that this 64-bit entry does not make. */
	buf[HDR_LOADFLAGS] = img->loadflags & LOADFLAG_LOADED_HIGH;
	put_le32(buf + HDR_CMD_LINE_PTR, (uint32_t)cmdline_addr);
	put_le32(buf + BP_EXT_CMD_LINE_PTR, (uint32_t)(cmdline_addr >> 32));
	put_le32(buf + HDR_RAMDISK_IMAGE, (uint32_t)in->initrd_addr);
	put_le32(buf + BP_EXT_RAMDISK_IMAGE, (uint32_t)(in->initrd_addr >> 32));
	put_le32(buf + HDR_RAMDISK_SIZE, (uint32_t)in->initrd_size);
	put_le32(buf + BP_EXT_RAMDISK_SIZE, (uint32_t)(in->initrd_size >> 32));
	put_le64(buf + HDR_SETUP_DATA, 0);
	memcpy(buf + ZEROPAGE_CMDLINE_OFFSET, in->cmdline, l.cmdline_len);

	if (fw && fw->acpi_rsdp && img->version >= PROTOCOL_ACPI_RSDP)
		put_le64(buf + BP_ACPI_RSDP_ADDR, fw->acpi_rsdp);

	n_zp = in->n_e820 < BP_E820_MAX ? in->n_e820 : BP_E820_MAX;
	for (i = 0; i < n_zp; i++)
		put_e820(buf + BP_E820_TABLE + i * E820_ENTRY_SIZE, &in->e820[i]);
	buf[BP_E820_ENTRIES] = (uint8_t)n_zp;
	if (l.e820_sd) {
		for (i = 0; i < l.n_e820_ext; i++)
			put_e820(buf + l.e820_sd + SETUP_DATA_HDR_SIZE + i * E820_ENTRY_SIZE, &in->e820[BP_E820_MAX + i]);
		link_setup_data(buf, addr, l.e820_sd, SETUP_E820_EXT, (uint32_t)(l.n_e820_ext * E820_ENTRY_SIZE));
	}
	set_mem_k(buf, in->e820, in->n_e820);

	if (l.efi_sd) {
		/* What kexec_file's setup_efi_state passes: the running kernel's system table and
		 * descriptor version, the runtime map (the only regions the dead kernel mapped at
		 * EFI virtual addresses) and, in SETUP_EFI, the tables' physical addresses: after
		 * SetVirtualAddressMap the system table holds virtual ones. */
		const uint8_t *run = fw->boot_params + BP_EFI_INFO;
		uint8_t *ei = buf + BP_EFI_INFO, *sd = buf + l.efi_sd + SETUP_DATA_HDR_SIZE;
		uint64_t map_addr = addr + l.efi_map;

		memcpy(ei + BP_EFI_LOADER_SIGNATURE, run + BP_EFI_LOADER_SIGNATURE, 4);
		memcpy(ei + BP_EFI_SYSTAB, run + BP_EFI_SYSTAB, 4);
		memcpy(ei + BP_EFI_SYSTAB_HI, run + BP_EFI_SYSTAB_HI, 4);
		memcpy(ei + BP_EFI_MEMDESC_VERSION, run + BP_EFI_MEMDESC_VERSION, 4);
		put_le32(ei + BP_EFI_MEMDESC_SIZE, EFI_MEMDESC_SIZE);
		put_le32(ei + BP_EFI_MEMMAP, (uint32_t)map_addr);
		put_le32(ei + BP_EFI_MEMMAP_HI, (uint32_t)(map_addr >> 32));
		put_le32(ei + BP_EFI_MEMMAP_SIZE, (uint32_t)(fw->n_efi_map * EFI_MEMDESC_SIZE));
		for (i = 0; i < fw->n_efi_map; i++) {
			uint8_t *md = buf + l.efi_map + i * EFI_MEMDESC_SIZE;
			const EfiRuntimeDesc *e = &fw->efi_map[i];

			put_le32(md, e->type);
			put_le64(md + 8, e->phys_addr);
			put_le64(md + 16, e->virt_addr);
			put_le64(md + 24, e->num_pages);
			put_le64(md + 32, e->attribute);
		}
		put_le64(sd, fw->efi_fw_vendor);
		put_le64(sd + 8, fw->efi_runtime); /* unused since 4.x, kept for older crash kernels */
		put_le64(sd + 16, fw->efi_config_table);
		put_le64(sd + 24, fw->efi_smbios);
		link_setup_data(buf, addr, l.efi_sd, SETUP_EFI, EFI_SETUP_DATA_SIZE);
	}

	*ret = TAKE_PTR(buf);
	*ret_size = l.size;
	return 0;
}

/* True if s holds the parameter key= as a word (start of string or after a space). */
static bool has_param(const char *s, const char *key)
{
	size_t n = strlen(key);
	const char *p;

	for (p = s; (p = strstr(p, key)); p += n)
		if (p == s || p[-1] == ' ' || p[-1] == '\t')
			return true;
	return false;
}

int x86_crash_cmdline(uint64_t elfcorehdr, const char *user, uint64_t rsdp, uint32_t cmdline_size, char **ret,
		      Diag *d)
{
	_cleanup_(freep) char *s = NULL;
	char rsdp_arg[40] = "";
	int n;

	if (!user)
		user = "";
	if (has_param(user, "elfcorehdr="))
		return diag_set(d, EINVAL, "command line", 0,
				"the crash command line must not set elfcorehdr=: the loader puts the header's address first and a later one would win");
	if (rsdp && !has_param(user, "acpi_rsdp="))
		snprintf(rsdp_arg, sizeof(rsdp_arg), " acpi_rsdp=0x%" PRIx64, rsdp);
	n = asprintf(&s, "elfcorehdr=0x%" PRIx64 " %s%s", elfcorehdr, user, rsdp_arg);
	if (n < 0) {
		s = NULL;
		return -ENOMEM;
	}
	if ((size_t)n > cmdline_size)
		return diag_set(d, E2BIG, "command line", 0, "%d bytes exceed the kernel's cmdline_size %" PRIu32, n,
				cmdline_size);
	*ret = TAKE_PTR(s);
	return 0;
}
