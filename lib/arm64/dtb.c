/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "dtb.h"

#include <libfdt.h>

#include "../path.h"

/* Room for what is added: the command line (at most a page on arm64, COMMAND_LINE_SIZE 2048),
 * four properties of at most 4 cells each and a usable range per crash region, their names,
 * and a /chosen node if the tree has none. */
#define DTB_EXTRA (16u << 10)

int arm64_dtb_read(const char *root, const char *path, uint8_t **ret, size_t *ret_size, Diag *d)
{
	_cleanup_(freep) char *buf = NULL;
	size_t size = 0;
	int r;

	r = path_read_file(root, path, ARM64_DTB_MAX_SIZE, 0, &buf, &size, d);
	if (r < 0)
		return r;
	if (size < sizeof(struct fdt_header) || fdt_check_header(buf) != 0 || fdt_totalsize(buf) > size)
		return diag_set(d, EINVAL, path, 0, "not a flattened device tree (%s)",
				size < sizeof(struct fdt_header) ? "too short" : fdt_strerror(fdt_check_header(buf)));
	*ret_size = fdt_totalsize(buf);
	*ret = (uint8_t *)TAKE_PTR(buf);
	return 0;
}

/* Appends v as cells big-endian 32-bit words to *p. -ERANGE if it does not fit. */
static int put_cells(fdt32_t **p, uint64_t v, int cells)
{
	if (cells == 1 && v > UINT32_MAX)
		return -ERANGE;
	if (cells == 2) {
		*(*p)++ = cpu_to_fdt32((uint32_t)(v >> 32));
		*(*p)++ = cpu_to_fdt32((uint32_t)v);
	} else
		*(*p)++ = cpu_to_fdt32((uint32_t)v);
	return 0;
}

/* prop = <address size>... in the root's cells. */
static int set_ranges(void *fdt, int node, const char *prop, const uint64_t (*pairs)[2], size_t n, int ac, int sc,
		      const char *what, Diag *d)
{
	fdt32_t cells[4 * TOPOLOGY_MAX_CRASH_REGIONS], *p = cells;
	int r;

	for (size_t i = 0; i < n; i++)
		if (put_cells(&p, pairs[i][0], ac) < 0 || put_cells(&p, pairs[i][1], sc) < 0)
			return diag_set(d, ERANGE, what, 0, "%s: 0x%llx+0x%llx does not fit #address-cells %d, "
					"#size-cells %d", prop, (unsigned long long)pairs[i][0],
					(unsigned long long)pairs[i][1], ac, sc);
	r = fdt_setprop(fdt, node, prop, cells, (int)((size_t)(p - cells) * sizeof(cells[0])));
	if (r < 0)
		return diag_set(d, EINVAL, what, 0, "cannot set /chosen/%s: %s", prop, fdt_strerror(r));
	return 0;
}

static int del_prop(void *fdt, int node, const char *prop, const char *what, Diag *d)
{
	int r = fdt_delprop(fdt, node, prop);

	if (r < 0 && r != -FDT_ERR_NOTFOUND)
		return diag_set(d, EINVAL, what, 0, "cannot delete /chosen/%s: %s", prop, fdt_strerror(r));
	return 0;
}

int arm64_dtb_build(const void *fdt, size_t size, const char *what, const Arm64DtbInput *in, uint8_t **ret,
		    size_t *ret_size, Diag *d)
{
	_cleanup_(freep) uint8_t *buf = NULL;
	uint64_t pairs[TOPOLOGY_MAX_CRASH_REGIONS][2];
	size_t cap;
	int chosen, ac, sc, r;

	if (!in->cmdline || in->n_usable == 0 || in->n_usable > TOPOLOGY_MAX_CRASH_REGIONS)
		return -EINVAL;
	if (size < sizeof(struct fdt_header) || fdt_check_header(fdt) != 0 || fdt_totalsize(fdt) > size)
		return diag_set(d, EINVAL, what, 0, "not a flattened device tree");
	cap = fdt_totalsize(fdt) + strlen(in->cmdline) + DTB_EXTRA;
	if (cap > INT_MAX)
		return diag_set(d, EFBIG, what, 0, "%zu bytes: too large", cap);
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	r = fdt_open_into(fdt, buf, (int)cap);
	if (r < 0)
		return diag_set(d, EINVAL, what, 0, "cannot open the tree: %s", fdt_strerror(r));

	/* The root's cells; libfdt's defaults (2 and 1) when the root does not say. */
	ac = fdt_address_cells(buf, 0);
	sc = fdt_size_cells(buf, 0);
	if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
		return diag_set(d, EINVAL, what, 0, "root #address-cells %d / #size-cells %d: only 1 or 2 are supported",
				ac, sc);
	chosen = fdt_path_offset(buf, "/chosen");
	if (chosen == -FDT_ERR_NOTFOUND)
		chosen = fdt_add_subnode(buf, 0, "chosen");
	if (chosen < 0)
		return diag_set(d, EINVAL, what, 0, "no /chosen node: %s", fdt_strerror(chosen));

	r = fdt_setprop_string(buf, chosen, "bootargs", in->cmdline);
	if (r < 0)
		return diag_set(d, EINVAL, what, 0, "cannot set /chosen/bootargs: %s", fdt_strerror(r));
	if (in->initrd_size) {
		r = fdt_setprop_u64(buf, chosen, "linux,initrd-start", in->initrd);
		if (r >= 0)
			r = fdt_setprop_u64(buf, chosen, "linux,initrd-end", in->initrd + in->initrd_size);
		if (r < 0)
			return diag_set(d, EINVAL, what, 0, "cannot set /chosen/linux,initrd-*: %s", fdt_strerror(r));
	} else if ((r = del_prop(buf, chosen, "linux,initrd-start", what, d)) < 0 ||
		   (r = del_prop(buf, chosen, "linux,initrd-end", what, d)) < 0)
		return r;

	pairs[0][0] = in->elfcorehdr;
	pairs[0][1] = in->elfcorehdr_size;
	r = set_ranges(buf, chosen, "linux,elfcorehdr", pairs, 1, ac, sc, what, d);
	if (r < 0)
		return r;
	for (size_t i = 0; i < in->n_usable; i++) {
		pairs[i][0] = in->usable[i].start;
		pairs[i][1] = in->usable[i].end - in->usable[i].start + 1;
	}
	r = set_ranges(buf, chosen, "linux,usable-memory-range", pairs, in->n_usable, ac, sc, what, d);
	if (r < 0)
		return r;

	/* The seeds in the running kernel's tree are the ones it consumed at boot (the kernel
	 * wipes rng-seed once read; a kaslr-seed may have been zeroed or be one already used):
	 * passing them on would give the crash kernel a known or null seed and credit stale
	 * entropy. A crash kernel needs neither; without them it boots unrandomised and seeds
	 * its RNG from the hardware, as under kexec-tools when it finds no fresh seed. */
	if ((r = del_prop(buf, chosen, "kaslr-seed", what, d)) < 0 || (r = del_prop(buf, chosen, "rng-seed", what, d)) < 0)
		return r;

	r = fdt_pack(buf);
	if (r < 0)
		return diag_set(d, EINVAL, what, 0, "cannot pack the tree: %s", fdt_strerror(r));
	if (fdt_totalsize(buf) > ARM64_DTB_MAX_SIZE)
		return diag_set(d, EFBIG, what, 0, "the crash kernel's tree is %u bytes, over the 2 MiB an arm64 kernel "
				"accepts", fdt_totalsize(buf));
	*ret_size = fdt_totalsize(buf);
	*ret = TAKE_PTR(buf);
	return 0;
}
