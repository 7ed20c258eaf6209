/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "x86/firmware.h"

#include <dirent.h>
#include <inttypes.h>

#include "path.h"

#define BOOT_PARAMS_DATA "/sys/kernel/boot_params/data"
#define EFI_DIR "/sys/firmware/efi"
#define EFI_RUNTIME_MAP EFI_DIR "/runtime-map"
#define EFI_LOADER_SIGNATURE_64 0x34364c45u /* "EL64" */
#define EFI_RUNTIME_MAP_MAX 4096            /* sanity bound, real maps have tens of entries */

/* "0x" then 1..16 hex digits, nothing else: the kernel's "0x%lx" sysfs format. */
static int parse_0x_u64(const char *s, uint64_t *ret)
{
	uint64_t v = 0;
	size_t n = 0;

	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return -EINVAL;
	for (s += 2; *s; s++, n++) {
		int c = *s, digit;

		if (c >= '0' && c <= '9')
			digit = c - '0';
		else if (c >= 'a' && c <= 'f')
			digit = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			digit = c - 'A' + 10;
		else
			return -EINVAL;
		if (n >= 16)
			return -ERANGE;
		v = v << 4 | (uint64_t)digit;
	}
	if (n == 0)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int read_0x(const char *root, const char *path, uint64_t *ret, Diag *d)
{
	char buf[64];
	int r = path_read_line(root, path, buf, sizeof(buf), d);

	if (r < 0)
		return r;
	if (parse_0x_u64(buf, ret) < 0)
		return diag_set(d, EINVAL, path, 1, "\"%s\" is not a 0x-prefixed hex number", buf);
	return 0;
}

int x86_efi_systab_parse_stream(FILE *f, const char *name, uint64_t *acpi, uint64_t *smbios, Diag *d)
{
	uint64_t acpi20 = 0, acpi10 = 0, smb = 0;
	char line[256];
	unsigned n = 0;

	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);
		char *eq;
		uint64_t v;

		n++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		else if (!feof(f))
			return diag_set(d, EINVAL, name, n, "line too long");
		if (len == 0)
			continue;
		eq = strchr(line, '=');
		if (!eq || eq == line)
			return diag_set(d, EINVAL, name, n, "\"%s\": expected KEY=0xADDRESS", line);
		*eq = '\0';
		if (parse_0x_u64(eq + 1, &v) < 0)
			return diag_set(d, EINVAL, name, n, "%s=\"%s\" is not a 0x-prefixed hex number", line, eq + 1);
		if (streq(line, "ACPI20"))
			acpi20 = v;
		else if (streq(line, "ACPI"))
			acpi10 = v;
		else if (streq(line, "SMBIOS"))
			smb = v;
	}
	if (ferror(f))
		return diag_set(d, EIO, name, 0, "read error");
	*acpi = acpi20 ? acpi20 : acpi10;
	*smbios = smb;
	return 0;
}

static int read_boot_params(const char *root, X86Firmware *fw, Diag *d)
{
	_cleanup_(fclosep) FILE *f = NULL;
	size_t n;

	f = path_fopen(root, BOOT_PARAMS_DATA, "re");
	if (!f) {
		if (errno == ENOENT)
			return 0; /* kernels before 3.x or without sysfs: pass defaults */
		return diag_set(d, errno, BOOT_PARAMS_DATA, 0, "cannot open: %s", strerror(errno));
	}
	n = fread(fw->boot_params, 1, sizeof(fw->boot_params), f);
	if (ferror(f))
		return diag_set(d, EIO, BOOT_PARAMS_DATA, 0, "read error");
	if (n != sizeof(fw->boot_params) || fgetc(f) != EOF)
		return diag_set(d, EINVAL, BOOT_PARAMS_DATA, 0, "expected exactly %u bytes (struct boot_params)", BP_SIZE);
	fw->have_boot_params = true;
	return 0;
}

static int compare_desc_index(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* Runtime map entries in the order of their directory numbers, which is the order of the
 * firmware's map (kexec-tools takes readdir order, which is not guaranteed). */
static int read_runtime_map(const char *root, X86Firmware *fw, Diag *d)
{
	char dirpath[PATH_MAX];
	_cleanup_(freep) unsigned long *idx = NULL;
	_cleanup_(freep) EfiRuntimeDesc *map = NULL;
	size_t n = 0, allocated = 0, i;
	DIR *dir;
	struct dirent *de;
	int r;

	r = path_join(root, EFI_RUNTIME_MAP, dirpath, sizeof(dirpath));
	if (r < 0)
		return diag_set(d, -r, EFI_RUNTIME_MAP, 0, "path too long");
	dir = opendir(dirpath);
	if (!dir) {
		if (errno == ENOENT) {
			snprintf(fw->efi_why_not, sizeof(fw->efi_why_not),
				 "%s is missing (CONFIG_EFI_RUNTIME_MAP off): the crash kernel runs without EFI runtime services",
				 EFI_RUNTIME_MAP);
			return 0;
		}
		return diag_set(d, errno, EFI_RUNTIME_MAP, 0, "cannot open: %s", strerror(errno));
	}
	while ((errno = 0, de = readdir(dir))) {
		char *end;
		unsigned long v;

		if (de->d_name[0] == '.')
			continue;
		errno = 0;
		v = strtoul(de->d_name, &end, 10);
		if (errno || *end || end == de->d_name || de->d_name[0] == '+' || de->d_name[0] == '-') {
			closedir(dir);
			return diag_set(d, EINVAL, EFI_RUNTIME_MAP, 0, "unexpected entry \"%s\"", de->d_name);
		}
		if (n >= EFI_RUNTIME_MAP_MAX) {
			closedir(dir);
			return diag_set(d, E2BIG, EFI_RUNTIME_MAP, 0, "more than %d entries", EFI_RUNTIME_MAP_MAX);
		}
		if (n == allocated) {
			size_t na = allocated ? allocated * 2 : 32;
			unsigned long *p = realloc(idx, na * sizeof(*p));

			if (!p) {
				closedir(dir);
				return -ENOMEM;
			}
			idx = p;
			allocated = na;
		}
		idx[n++] = v;
	}
	r = errno;
	closedir(dir);
	if (r)
		return diag_set(d, r, EFI_RUNTIME_MAP, 0, "readdir: %s", strerror(r));
	if (n == 0) {
		snprintf(fw->efi_why_not, sizeof(fw->efi_why_not), "%s is empty", EFI_RUNTIME_MAP);
		return 0;
	}
	qsort(idx, n, sizeof(*idx), compare_desc_index);

	map = calloc(n, sizeof(*map));
	if (!map)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		static const char *const field[] = { "type", "phys_addr", "virt_addr", "num_pages", "attribute" };
		uint64_t v[ELEMENTSOF(field)];
		size_t k;

		for (k = 0; k < ELEMENTSOF(field); k++) {
			char p[PATH_MAX];

			snprintf(p, sizeof(p), EFI_RUNTIME_MAP "/%lu/%s", idx[i], field[k]);
			r = read_0x(root, p, &v[k], d);
			if (r < 0)
				return r;
		}
		if (v[0] > UINT32_MAX)
			return diag_set(d, EINVAL, EFI_RUNTIME_MAP, 0, "entry %lu: type 0x%" PRIx64 " does not fit 32 bits",
					idx[i], v[0]);
		map[i] = (EfiRuntimeDesc){ (uint32_t)v[0], v[1], v[2], v[3], v[4] };
	}
	fw->efi_map = TAKE_PTR(map);
	fw->n_efi_map = n;
	return 0;
}

static int read_efi(const char *root, X86Firmware *fw, Diag *d)
{
	const uint8_t *ei = fw->boot_params + BP_EFI_INFO;
	_cleanup_(fclosep) FILE *f = NULL;
	uint64_t acpi = 0;
	int r;

	/* The running kernel saw an EFI memory map at boot: it was started by EFI. */
	fw->efi_boot = fw->have_boot_params && get_le32(ei + BP_EFI_MEMMAP_SIZE) != 0;

	f = path_fopen(root, EFI_DIR "/systab", "re");
	if (!f) {
		if (errno != ENOENT)
			return diag_set(d, errno, EFI_DIR "/systab", 0, "cannot open: %s", strerror(errno));
		if (fw->efi_boot)
			snprintf(fw->efi_why_not, sizeof(fw->efi_why_not), "%s/systab is missing", EFI_DIR);
		return 0;
	}
	r = x86_efi_systab_parse_stream(f, EFI_DIR "/systab", &acpi, &fw->efi_smbios, d);
	if (r < 0)
		return r;
	/* boot_params.acpi_rsdp_addr (set by some boot loaders) wins, as in kexec-tools. */
	if (!fw->acpi_rsdp)
		fw->acpi_rsdp = acpi;

	if (!fw->efi_boot)
		return 0;
	if (get_le32(ei + BP_EFI_LOADER_SIGNATURE) != EFI_LOADER_SIGNATURE_64) {
		snprintf(fw->efi_why_not, sizeof(fw->efi_why_not),
			 "not a 64-bit EFI boot (efi_loader_signature is not \"EL64\")");
		return 0;
	}
	if (get_le32(ei + BP_EFI_MEMDESC_VERSION) != 1) {
		snprintf(fw->efi_why_not, sizeof(fw->efi_why_not), "EFI memory descriptor version %u is not 1",
			 get_le32(ei + BP_EFI_MEMDESC_VERSION));
		return 0;
	}
	r = read_0x(root, EFI_DIR "/fw_vendor", &fw->efi_fw_vendor, d);
	if (r == -ENOENT) {
		snprintf(fw->efi_why_not, sizeof(fw->efi_why_not), "%s/fw_vendor is missing", EFI_DIR);
		return 0;
	}
	if (r < 0)
		return r;
	r = read_0x(root, EFI_DIR "/runtime", &fw->efi_runtime, d);
	if (r < 0 && r != -ENOENT)
		return r;
	r = read_0x(root, EFI_DIR "/config_table", &fw->efi_config_table, d);
	if (r == -ENOENT) {
		snprintf(fw->efi_why_not, sizeof(fw->efi_why_not), "%s/config_table is missing", EFI_DIR);
		return 0;
	}
	if (r < 0)
		return r;
	r = read_runtime_map(root, fw, d);
	if (r < 0)
		return r;
	fw->efi = fw->n_efi_map > 0;
	return 0;
}

int x86_firmware_read(const char *root, X86Firmware **ret, Diag *d)
{
	_cleanup_(x86_firmware_freep) X86Firmware *fw = NULL;
	int r;

	fw = calloc(1, sizeof(*fw));
	if (!fw)
		return -ENOMEM;
	r = read_boot_params(root, fw, d);
	if (r < 0)
		return r;
	fw->acpi_rsdp = get_le64(fw->boot_params + BP_ACPI_RSDP_ADDR);
	r = read_efi(root, fw, d);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(fw);
	return 0;
}

X86Firmware *x86_firmware_free(X86Firmware *f)
{
	if (f) {
		free(f->efi_map);
		free(f);
	}
	return NULL;
}
