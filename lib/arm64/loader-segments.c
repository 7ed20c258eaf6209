/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "loader-segments.h"

#include <inttypes.h>

#include "../iomem.h"
#include "../loader-internal.h"
#include "dtb.h"
#include "image.h"
#include "layout.h"
#include "purgatory.h"

#ifndef KEXEC_ARCH_AARCH64
#define KEXEC_ARCH_AARCH64 (183 << 16) /* EM_AARCH64 << 16, include/uapi/linux/kexec.h */
#endif

typedef struct Arm64SegmentsLoader {
	SegmentsCommon c;         /* first (lib/loader-segments.h); c.image: an Arm64Image into c.kernel */

	/* The plan (c.planned): the crash kernel's device tree and the entry stub. */
	uint64_t dtb_addr;
	uint8_t *dtb;
	uint8_t purgatory[ARM64_PURGATORY_SIZE];
} Arm64SegmentsLoader;

static void plan_drop(SegmentsCommon *c)
{
	Arm64SegmentsLoader *l = (Arm64SegmentsLoader *)c;

	free(l->dtb);
	l->dtb = NULL;
}

/* The crash regions for linux,usable-memory-range: the main one first, the others (a low one)
 * after it, as drivers/of/fdt.c takes the last as the low region. */
static size_t usable_ranges(const Topology *t, size_t main_idx, Range *out)
{
	size_t n = 0;

	out[n++] = t->crash[main_idx];
	for (size_t i = 0; i < t->n_crash; i++)
		if (i != main_idx)
			out[n++] = t->crash[i];
	return n;
}

/* SegmentsArch.plan: Image, initrd, device tree, entry stub. */
static int plan(SegmentsCommon *c, const Topology *t, size_t main_idx, size_t header_capacity, Diag *d)
{
	Arm64SegmentsLoader *l = (Arm64SegmentsLoader *)c;
	const Arm64Image *image = c->image;
	_cleanup_(freep) uint8_t *fdt = NULL, *dtb = NULL;
	Range usable[TOPOLOGY_MAX_CRASH_REGIONS];
	const Range *crash = &t->crash[main_idx];
	size_t fdt_size = 0, dtb_size = 0;
	Arm64DtbInput in;
	Arm64Layout lay, again;
	int r;

	r = arm64_dtb_read(c->root, ARM64_FDT_PATH, &fdt, &fdt_size, d);
	if (r < 0)
		return r;

	/* The device tree holds the header's and the initrd's addresses, which do not depend on
	 * its own size (it follows the initrd, the header is at the top): a first layout for
	 * the addresses, then the tree, then the layout again with its real size. */
	r = arm64_layout(crash, image, c->initrd.size, 1, ARM64_PURGATORY_SIZE, header_capacity, &lay, d);
	if (r < 0)
		return r;
	in = (Arm64DtbInput){
		.cmdline = c->cmdline,
		.initrd = lay.initrd,
		.initrd_size = c->initrd.size,
		.elfcorehdr = lay.header,
		.elfcorehdr_size = lay.header_memsz,
		.usable = usable,
		.n_usable = usable_ranges(t, main_idx, usable),
	};
	r = arm64_dtb_build(fdt, fdt_size, ARM64_FDT_PATH, &in, &dtb, &dtb_size, d);
	if (r < 0)
		return r;
	r = arm64_layout(crash, image, c->initrd.size, dtb_size, ARM64_PURGATORY_SIZE, header_capacity, &again, d);
	if (r < 0)
		return r;
	if (again.header != lay.header || again.initrd != lay.initrd || again.dtb != lay.dtb)
		return diag_set(d, EINVAL, "layout", 0, "internal: the device tree's size moved the segments");
	lay = again;

	arm64_purgatory_build(lay.dtb, lay.kernel, l->purgatory);
	segments_add(c, "kernel", image->data, image->size, lay.kernel, lay.kernel_memsz);
	if (c->initrd.size)
		segments_add(c, "initrd", c->initrd.data, c->initrd.size, lay.initrd, lay.initrd_memsz);
	segments_add(c, "dtb", dtb, dtb_size, lay.dtb, lay.dtb_memsz);
	segments_add(c, "purgatory", l->purgatory, ARM64_PURGATORY_SIZE, lay.purgatory, lay.purgatory_memsz);
	c->header_seg = c->n_segs;
	segments_add(c, "elfcorehdr", NULL, 0, lay.header, lay.header_memsz);

	c->entry = lay.purgatory;
	c->kernel_entry = lay.kernel;
	l->dtb_addr = lay.dtb;
	l->dtb = TAKE_PTR(dtb);
	return 0;
}

static void detail(const SegmentsCommon *c, char *buf, size_t size)
{
	snprintf(buf, size, "device tree at 0x%" PRIx64, ((const Arm64SegmentsLoader *)c)->dtb_addr);
}

static int parse_image(const uint8_t *data, size_t size, const char *path, void *ret, Diag *d)
{
	return arm64_image_parse(data, size, path, ret, d);
}

/* SegmentsArch.probe_more: new() would fail without a readable device tree to start from. */
static int probe_fdt(const char *root, Diag *d)
{
	_cleanup_(freep) uint8_t *fdt = NULL;
	size_t fdt_size;

	return arm64_dtb_read(root, ARM64_FDT_PATH, &fdt, &fdt_size, d);
}

static const SegmentsArch arm64_segments = {
	.vtable = &arm64_segments_vtable,
	.loader_size = sizeof(Arm64SegmentsLoader),
	.image_size = sizeof(Arm64Image),
	.parse_kernel = parse_image,
	.plan = plan,
	.plan_drop = plan_drop,
	.before_load = NULL, /* the entry stub checks nothing: nothing to patch per load */
	.kexec_flags = KEXEC_ARCH_AARCH64,
	.eperm_hint = NULL,
	.probe_instead = NULL,
	.detail = detail,
	.probe_more = probe_fdt,
};

/* o: x86_64's options, nothing of which applies here (kept, unused). */
int arm64_segments_new_with(const char *root, const Config *c, const KexecOps *ops, const SegmentsOptions *o,
			    Loader **ret)
{
	return segments_new_with(&arm64_segments, root, c, ops, o, ret);
}

static int arm64_new(const char *root, const Config *c, const KexecOps *ops, Loader **ret)
{
	return segments_new_with(&arm64_segments, root, c, ops, NULL, ret);
}

static int arm64_probe(const char *root, const Config *c, char *why, size_t why_size)
{
	return segments_probe(&arm64_segments, root, c, why, why_size);
}

int arm64_segments_plan(Loader *l, const Topology *t, size_t header_capacity, SegmentsPlan *ret, Diag *d)
{
	return segments_plan(&arm64_segments, l, t, header_capacity, ret, d);
}

int arm64_segments_stats(const Loader *l, SegmentsStats *ret)
{
	return segments_stats(&arm64_segments, l, ret);
}

const LoaderVtable arm64_segments_vtable = {
	.name = "segments",
	.probe = arm64_probe,
	.new = arm64_new,
	.load = segments_load,
	.free = segments_free,
	.refresh = segments_refresh,
	.file = segments_file,
};
