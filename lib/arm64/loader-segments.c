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
	Loader base;
	SegmentsCommon c;
	Arm64Image image;         /* points into c.kernel */

	/* The plan (c.planned): the layout, the crash kernel's device tree and the entry stub. */
	Arm64Layout layout;
	uint8_t *dtb;
	size_t dtb_size;
	uint8_t purgatory[ARM64_PURGATORY_SIZE];
} Arm64SegmentsLoader;

static void plan_drop(Arm64SegmentsLoader *l)
{
	free(l->dtb);
	l->dtb = NULL;
	l->dtb_size = 0;
	l->c.planned = false;
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
	r = arm64_dtb_read(l->c.root, ARM64_FDT_PATH, &fdt, &fdt_size, d);
	if (r < 0)
		return r;

	/* The device tree holds the header's and the initrd's addresses, which do not depend on
	 * its own size (it follows the initrd, the header is at the top): a first layout for
	 * the addresses, then the tree, then the layout again with its real size. */
	r = arm64_layout(crash, &l->image, l->c.initrd.size, 1, ARM64_PURGATORY_SIZE, header_capacity, &lay, d);
	if (r < 0)
		return r;
	in = (Arm64DtbInput){
		.cmdline = l->c.cmdline,
		.initrd = lay.initrd,
		.initrd_size = l->c.initrd.size,
		.elfcorehdr = lay.header,
		.elfcorehdr_size = lay.header_memsz,
		.usable = usable,
		.n_usable = usable_ranges(t, main_idx, usable),
	};
	r = arm64_dtb_build(fdt, fdt_size, ARM64_FDT_PATH, &in, &dtb, &dtb_size, d);
	if (r < 0)
		return r;
	r = arm64_layout(crash, &l->image, l->c.initrd.size, dtb_size, ARM64_PURGATORY_SIZE, header_capacity, &again, d);
	if (r < 0)
		return r;
	if (again.header != lay.header || again.initrd != lay.initrd || again.dtb != lay.dtb)
		return diag_set(d, EINVAL, "layout", 0, "internal: the device tree's size moved the segments");
	lay = again;

	arm64_purgatory_build(lay.dtb, lay.kernel, l->purgatory);
	l->c.n_segs = 0;
	segments_add(&l->c, "kernel", l->image.data, l->image.size, lay.kernel, lay.kernel_memsz);
	if (l->c.initrd.size)
		segments_add(&l->c, "initrd", l->c.initrd.data, l->c.initrd.size, lay.initrd, lay.initrd_memsz);
	segments_add(&l->c, "dtb", dtb, dtb_size, lay.dtb, lay.dtb_memsz);
	segments_add(&l->c, "purgatory", l->purgatory, ARM64_PURGATORY_SIZE, lay.purgatory, lay.purgatory_memsz);
	l->c.header_seg = l->c.n_segs;
	segments_add(&l->c, "elfcorehdr", NULL, 0, lay.header, lay.header_memsz);
	r = segments_check_placed(&l->c, crash, d);
	if (r < 0)
		return r;

	l->layout = lay;
	l->c.crash = *crash;
	l->c.header_capacity = header_capacity;
	l->dtb = TAKE_PTR(dtb);
	l->dtb_size = dtb_size;
	l->c.planned = true;
	l->c.stats.plans++;
	l->c.stats.header_addr = lay.header;
	l->c.stats.header_capacity = header_capacity;
	l->c.stats.entry = lay.purgatory;
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

	r = segments_read_images(l->c.root, kernel, initrd, parse_image, &img, &k, &i, d);
	if (r < 0)
		return r;
	/* The plan points into the old buffers. */
	plan_drop(l);
	held_image_done(&l->c.kernel);
	held_image_done(&l->c.initrd);
	l->c.kernel = k;
	l->c.initrd = i;
	l->image = img;
	return 0;
}

static int segments_refresh(Loader *base)
{
	Arm64SegmentsLoader *l = (Arm64SegmentsLoader *)base;

	return held_reload(l, l->c.kernel.file.path, l->c.initrd.file.path, NULL);
}

static const char *segments_file(Loader *base, size_t i)
{
	return segments_common_file(&((Arm64SegmentsLoader *)base)->c, i);
}

static int plan_current(Arm64SegmentsLoader *l, const Topology *t, size_t main_idx, size_t header_capacity, Diag *d)
{
	/* What the daemon's inotify could not see (changed while it was not running). */
	if (held_file_changed(l->c.root, &l->c.kernel.file) || held_file_changed(l->c.root, &l->c.initrd.file))
		(void)segments_refresh(&l->base);
	if (segments_plan_kept(&l->c, &t->crash[main_idx], header_capacity))
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
	segments_plan_export(&l->c, &p);
	p.entry = l->layout.purgatory;
	p.kernel_entry = l->layout.kernel;
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
	l->c.segs[l->c.header_seg].buf = req->header;
	l->c.segs[l->c.header_seg].bufsz = req->header_used;
	/* No KEXEC_UPDATE_ELFCOREHDR: with it the kernel would rewrite our header itself. */
	t1 = loader_now_usec();
	k = l->c.ops->kexec_load(l->c.ops->userdata, l->layout.purgatory, l->c.n_segs, l->c.segs,
			       KEXEC_ON_CRASH | KEXEC_ARCH_AARCH64);
	r = k < 0 ? (errno > 0 ? errno : EIO) : 0;
	res->syscall_usec = loader_now_usec() - t1;
	res->total_usec = loader_now_usec() - t0;
	l->c.stats.loads++;
	l->c.stats.hashed_last = 0;
	if (r)
		return segments_syscall_failed(r, l->c.kernel.file.path, NULL, res);
	loader_set_detail(res, "kexec_load of %s: %zu segments, elfcorehdr at 0x%" PRIx64 " (%zu of %zu bytes), "
			  "device tree at 0x%" PRIx64, l->c.kernel.file.path, l->c.n_segs, l->layout.header, req->header_used,
			  req->header_capacity, l->layout.dtb);
	return 0;
}

static Loader *segments_free(Loader *base)
{
	Arm64SegmentsLoader *l = (Arm64SegmentsLoader *)base;

	if (!l)
		return NULL;
	plan_drop(l);
	segments_common_done(&l->c);
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
	int r;

	(void)o; /* x86_64's options: nothing of them applies here */
	if (!c || !ops || !ops->kexec_load)
		return -EINVAL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->base.vtable = &arm64_segments_vtable;
	r = segments_common_init(&l->c, root, c, ops, &in);
	if (r < 0)
		return r;
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
	*ret = ((const Arm64SegmentsLoader *)base)->c.stats;
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
