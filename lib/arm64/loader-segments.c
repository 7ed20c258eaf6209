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

/* kernel, initrd, dtb, purgatory, elfcorehdr */
#define MAX_SEGMENTS 5

typedef struct Arm64SegmentsLoader {
	Loader base;
	char *root;
	const KexecOps *ops;

	HeldImage kernel;         /* the whole Image; image points into it */
	Arm64Image image;
	HeldImage initrd;         /* file.path NULL: no initrd */
	char *cmdline;            /* the crash command line */

	/* The plan: valid when planned, for crash/header_capacity. */
	bool planned;
	Range crash;
	size_t header_capacity;
	Arm64Layout layout;
	uint8_t *dtb;             /* the crash kernel's device tree */
	size_t dtb_size;
	uint8_t purgatory[ARM64_PURGATORY_SIZE];
	struct kexec_segment segs[MAX_SEGMENTS];
	const char *seg_names[MAX_SEGMENTS];
	size_t n_segs;
	size_t header_seg;

	SegmentsStats stats;
} Arm64SegmentsLoader;

static void plan_drop(Arm64SegmentsLoader *l)
{
	free(l->dtb);
	l->dtb = NULL;
	l->dtb_size = 0;
	l->planned = false;
}

static void add_segment(Arm64SegmentsLoader *l, const char *name, const void *buf, size_t bufsz, uint64_t mem,
			uint64_t memsz)
{
	l->seg_names[l->n_segs] = name;
	l->segs[l->n_segs++] = (struct kexec_segment){
		.buf = buf, .bufsz = bufsz, .mem = (void *)(uintptr_t)mem, .memsz = (size_t)memsz,
	};
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

/* Computes everything that does not change from one reload to the next. */
static int plan(Arm64SegmentsLoader *l, const Topology *t, size_t main_idx, size_t header_capacity, Diag *d)
{
	_cleanup_(freep) uint8_t *fdt = NULL, *dtb = NULL;
	Range usable[TOPOLOGY_MAX_CRASH_REGIONS];
	const Range *crash = &t->crash[main_idx];
	size_t fdt_size = 0, dtb_size = 0;
	Arm64DtbInput in;
	Arm64Layout lay, again;
	int r;

	plan_drop(l);
	r = arm64_dtb_read(l->root, ARM64_FDT_PATH, &fdt, &fdt_size, d);
	if (r < 0)
		return r;

	/* The device tree holds the header's and the initrd's addresses, which do not depend on
	 * its own size (it follows the initrd, the header is at the top): a first layout for
	 * the addresses, then the tree, then the layout again with its real size. */
	r = arm64_layout(crash, &l->image, l->initrd.size, 1, ARM64_PURGATORY_SIZE, header_capacity, &lay, d);
	if (r < 0)
		return r;
	in = (Arm64DtbInput){
		.cmdline = l->cmdline,
		.initrd = lay.initrd,
		.initrd_size = l->initrd.size,
		.elfcorehdr = lay.header,
		.elfcorehdr_size = lay.header_memsz,
		.usable = usable,
		.n_usable = usable_ranges(t, main_idx, usable),
	};
	r = arm64_dtb_build(fdt, fdt_size, ARM64_FDT_PATH, &in, &dtb, &dtb_size, d);
	if (r < 0)
		return r;
	r = arm64_layout(crash, &l->image, l->initrd.size, dtb_size, ARM64_PURGATORY_SIZE, header_capacity, &again, d);
	if (r < 0)
		return r;
	if (again.header != lay.header || again.initrd != lay.initrd || again.dtb != lay.dtb)
		return diag_set(d, EINVAL, "layout", 0, "internal: the device tree's size moved the segments");
	lay = again;

	arm64_purgatory_build(lay.dtb, lay.kernel, l->purgatory);
	l->n_segs = 0;
	add_segment(l, "kernel", l->image.data, l->image.size, lay.kernel, lay.kernel_memsz);
	if (l->initrd.size)
		add_segment(l, "initrd", l->initrd.data, l->initrd.size, lay.initrd, lay.initrd_memsz);
	add_segment(l, "dtb", dtb, dtb_size, lay.dtb, lay.dtb_memsz);
	add_segment(l, "purgatory", l->purgatory, ARM64_PURGATORY_SIZE, lay.purgatory, lay.purgatory_memsz);
	l->header_seg = l->n_segs;
	add_segment(l, "elfcorehdr", NULL, 0, lay.header, lay.header_memsz);
	for (size_t i = 0; i < l->n_segs; i++) {
		uint64_t mem = (uint64_t)(uintptr_t)l->segs[i].mem, memsz = l->segs[i].memsz;

		if (mem < crash->start || mem + memsz - 1 > crash->end || l->segs[i].bufsz > memsz ||
		    (i > 0 && mem < (uint64_t)(uintptr_t)l->segs[i - 1].mem + l->segs[i - 1].memsz))
			return diag_set(d, EINVAL, "layout", 0, "internal: segment %zu (%s) is outside the region or "
					"overlaps the one before", i, l->seg_names[i]);
	}

	l->layout = lay;
	l->crash = *crash;
	l->header_capacity = header_capacity;
	l->dtb = TAKE_PTR(dtb);
	l->dtb_size = dtb_size;
	l->planned = true;
	l->stats.plans++;
	l->stats.header_addr = lay.header;
	l->stats.header_capacity = header_capacity;
	l->stats.entry = lay.purgatory;
	return 0;
}

/* Reads kernel and initrd (NULL: none) and checks the kernel; on failure l keeps what it had. */
static int parse_image(const uint8_t *data, size_t size, const char *path, void *ret, Diag *d)
{
	return arm64_image_parse(data, size, path, ret, d);
}

static int held_reload(Arm64SegmentsLoader *l, const char *kernel, const char *initrd, Diag *d)
{
	HeldImage k, i;
	Arm64Image img;
	int r;

	r = segments_read_images(l->root, kernel, initrd, parse_image, &img, &k, &i, d);
	if (r < 0)
		return r;
	/* The plan points into the old buffers. */
	plan_drop(l);
	held_image_done(&l->kernel);
	held_image_done(&l->initrd);
	l->kernel = k;
	l->initrd = i;
	l->image = img;
	return 0;
}

static int segments_refresh(Loader *base)
{
	Arm64SegmentsLoader *l = (Arm64SegmentsLoader *)base;

	return held_reload(l, l->kernel.file.path, l->initrd.file.path, NULL);
}

static const char *segments_file(Loader *base, size_t i)
{
	Arm64SegmentsLoader *l = (Arm64SegmentsLoader *)base;

	return loader_kernel_initrd_file(l->kernel.file.path, l->initrd.file.path, i);
}

static int plan_current(Arm64SegmentsLoader *l, const Topology *t, size_t main_idx, size_t header_capacity, Diag *d)
{
	/* What the daemon's inotify could not see (changed while it was not running). */
	if (held_file_changed(l->root, &l->kernel.file) || held_file_changed(l->root, &l->initrd.file))
		(void)segments_refresh(&l->base);
	if (l->planned && l->header_capacity == header_capacity && l->crash.start == t->crash[main_idx].start &&
	    l->crash.end == t->crash[main_idx].end)
		return 0;
	return plan(l, t, main_idx, header_capacity, d);
}

int arm64_segments_plan(Loader *base, const Topology *t, size_t header_capacity, SegmentsPlan *ret, Diag *d)
{
	Arm64SegmentsLoader *l = (Arm64SegmentsLoader *)base;
	SegmentsPlan p = {};
	size_t main_idx = 0;
	int r;

	if (!base || base->vtable != &arm64_segments_vtable || !t || header_capacity == 0 || header_capacity % 4096)
		return -EINVAL;
	if (topology_main_crash_region(t->crash, t->n_crash, &main_idx) < 0)
		return diag_set(d, EADDRNOTAVAIL, "/proc/iomem", 0, "no \"Crash kernel\" region: boot with crashkernel=");
	r = plan_current(l, t, main_idx, header_capacity, d);
	if (r < 0)
		return r;
	for (size_t i = 0; i < l->n_segs; i++)
		p.segs[i] = (SegmentsPlanSegment){
			.what = l->seg_names[i],
			.mem = (uint64_t)(uintptr_t)l->segs[i].mem,
			.memsz = l->segs[i].memsz,
			.bufsz = i == l->header_seg ? 0 : l->segs[i].bufsz,
		};
	p.n_segs = l->n_segs;
	p.header_seg = l->header_seg;
	p.entry = l->layout.purgatory;
	p.kernel_entry = l->layout.kernel;
	p.crash = l->crash;
	*ret = p;
	return 0;
}

static int segments_load(Loader *base, const LoadRequest *req, LoadResult *res)
{
	Arm64SegmentsLoader *l = (Arm64SegmentsLoader *)base;
	const Topology *t = req->topology;
	uint64_t t0 = loader_now_usec(), t1;
	size_t main_idx = 0;
	Diag d = {};
	long k;
	int r;

	r = segments_check_request(req, res, &main_idx);
	if (r < 0)
		return r;
	r = plan_current(l, t, main_idx, req->header_capacity, &d);
	if (r < 0)
		return segments_plan_failed(res, &d, t0, r);

	/* The only per-reload work: point the header segment at the new header. */
	l->segs[l->header_seg].buf = req->header;
	l->segs[l->header_seg].bufsz = req->header_used;
	/* No KEXEC_UPDATE_ELFCOREHDR: with it the kernel would rewrite our header itself. */
	t1 = loader_now_usec();
	k = l->ops->kexec_load(l->ops->userdata, l->layout.purgatory, l->n_segs, l->segs,
			       KEXEC_ON_CRASH | KEXEC_ARCH_AARCH64);
	r = k < 0 ? (errno > 0 ? errno : EIO) : 0;
	res->syscall_usec = loader_now_usec() - t1;
	res->total_usec = loader_now_usec() - t0;
	l->stats.loads++;
	l->stats.hashed_last = 0;
	if (r)
		return segments_syscall_failed(r, l->kernel.file.path, NULL, res);
	loader_set_detail(res, "kexec_load of %s: %zu segments, elfcorehdr at 0x%" PRIx64 " (%zu of %zu bytes), "
			  "device tree at 0x%" PRIx64, l->kernel.file.path, l->n_segs, l->layout.header, req->header_used,
			  req->header_capacity, l->layout.dtb);
	return 0;
}

static Loader *segments_free(Loader *base)
{
	Arm64SegmentsLoader *l = (Arm64SegmentsLoader *)base;

	if (!l)
		return NULL;
	plan_drop(l);
	held_image_done(&l->kernel);
	held_image_done(&l->initrd);
	free(l->cmdline);
	free(l->root);
	free(l);
	return NULL;
}

static void segments_freep(Arm64SegmentsLoader **l)
{
	if (*l)
		segments_free(&(*l)->base);
}

int arm64_segments_new_with(const char *root, const Config *c, const KexecOps *ops, const SegmentsOptions *o,
			    Loader **ret)
{
	_cleanup_(segments_freep) Arm64SegmentsLoader *l = NULL;
	_cleanup_(loader_inputs_done) LoaderInputs in = {};
	char why[256];
	int r;

	(void)o; /* x86_64's options: nothing of them applies here */
	if (!c || !ops || !ops->kexec_load)
		return -EINVAL;
	r = loader_resolve_inputs(root, c, true, &in, why, sizeof(why));
	if (r < 0)
		return r;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->base.vtable = &arm64_segments_vtable;
	l->ops = ops;
	l->cmdline = TAKE_PTR(in.cmdline);
	l->root = strdup(root ? root : "/");
	if (!l->root)
		return -ENOMEM;
	r = held_reload(l, in.kernel, in.initrd[0] ? in.initrd : NULL, NULL);
	if (r < 0)
		return r;
	*ret = &TAKE_PTR(l)->base;
	return 0;
}

static int segments_new(const char *root, const Config *c, const KexecOps *ops, Loader **ret)
{
	return arm64_segments_new_with(root, c, ops, NULL, ret);
}

/* new() cannot say why it failed, so probe() checks the image and the device tree. */
static int check_files(const char *root, const char *path, char *why, size_t why_size)
{
	_cleanup_(freep) uint8_t *fdt = NULL;
	HeldImage k, none;
	Arm64Image img;
	size_t fdt_size;
	Diag d = {};
	int r;

	r = segments_read_images(root, path, NULL, parse_image, &img, &k, &none, &d);
	if (r >= 0) {
		held_image_done(&k);
		r = arm64_dtb_read(root, ARM64_FDT_PATH, &fdt, &fdt_size, &d);
	}
	if (r < 0) {
		char buf[sizeof(d.file) + sizeof(d.reason) + 32];

		snprintf(why, why_size, "%s", diag_format(&d, buf, sizeof(buf)));
	}
	return r;
}

static int segments_probe(const char *root, const Config *c, char *why, size_t why_size)
{
	LoaderInputs in;
	int r;

	r = loader_probe_kexec_load(root, NULL, why, why_size);
	if (r < 0)
		return r;
	r = loader_probe_crash_region(root, why, why_size);
	if (r < 0)
		return r;
	r = loader_resolve_inputs(root, c, false, &in, why, why_size);
	if (r < 0)
		return r;
	return check_files(root, in.kernel, why, why_size);
}

int arm64_segments_stats(const Loader *base, SegmentsStats *ret)
{
	if (!base || base->vtable != &arm64_segments_vtable)
		return -EINVAL;
	*ret = ((const Arm64SegmentsLoader *)base)->stats;
	return 0;
}

const LoaderVtable arm64_segments_vtable = {
	.name = "segments",
	.probe = segments_probe,
	.new = segments_new,
	.load = segments_load,
	.free = segments_free,
	.refresh = segments_refresh,
	.file = segments_file,
};
