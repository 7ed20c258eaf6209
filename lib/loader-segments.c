/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The segments loader's plumbing, the same on both architectures; what differs comes from the
 * architecture's SegmentsArch table (lib/loader-segments.h). */
#include "loader-segments.h"

#include <inttypes.h>

#include "loader-internal.h"

/* Reads kernel and initrd (NULL: none) under root, the kernel checked by parse into parsed,
 * into *ret_kernel and *ret_initrd. On failure nothing is held and both are untouched. */
static int segments_read_images(const char *root, const char *kernel, const char *initrd, SegmentsParseKernel parse,
			 void *parsed, HeldImage *ret_kernel, HeldImage *ret_initrd, Diag *d)
{
	HeldImage k = {}, i = {};
	int r;

	r = held_image_read(root, kernel, &k, d);
	if (r >= 0)
		r = parse(k.data, k.size, kernel, parsed, d);
	if (r >= 0 && initrd)
		r = held_image_read(root, initrd, &i, d);
	if (r < 0) {
		held_image_done(&k);
		held_image_done(&i);
		return r;
	}
	*ret_kernel = k;
	*ret_initrd = i;
	return 0;
}

/* The checks at the start of load(): res cleared, then -EINVAL for a request without a header
 * (req->header_rejected says why) or with an impossible size, -EADDRNOTAVAIL without a crash
 * region, each with res->detail; 0 with *ret_main the main crash region's index. */
static int segments_check_request(const LoadRequest *req, LoadResult *res, size_t *ret_main)
{
	const Topology *t = req->topology;

	*res = (LoadResult){};
	if (t && !req->header && req->header_rejected) {
		loader_set_detail(res, "no header to load: %s", req->header_rejected);
		return -EINVAL;
	}
	if (!t || !req->header || req->header_used == 0 || req->header_used > req->header_capacity ||
	    req->header_capacity == 0 || req->header_capacity % 4096) {
		loader_set_detail(res, "invalid load request (header of %zu bytes, capacity %zu)", req->header_used,
				  req->header_capacity);
		return -EINVAL;
	}
	if (topology_main_crash_region(t->crash, t->n_crash, ret_main) < 0)
		return loader_fail(res, EADDRNOTAVAIL, "no \"Crash kernel\" region in /proc/iomem (boot with crashkernel=)");
	return 0;
}

/* res for a plan that failed with r: detail from d, the time since t0. Returns r. */
static int segments_plan_failed(LoadResult *res, const Diag *d, uint64_t t0, int r)
{
	char buf[sizeof(d->file) + sizeof(d->reason) + 32];

	loader_set_detail(res, "%s", diag_format(d, buf, sizeof(buf)));
	res->total_usec = loader_now_usec() - t0;
	return r;
}

/* res->detail for kexec_load failing with err (positive) for kernel: what EPERM,
 * EADDRNOTAVAIL and EINVAL mean here (eperm_hint, if any, appended to EPERM's), else the
 * errno's meaning. Returns -err. */
static int segments_syscall_failed(int err, const char *kernel, const char *eperm_hint, LoadResult *res)
{
	switch (err) {
	case EPERM:
		loader_set_detail(res, "EPERM: kexec_load refused: kernel lockdown (Secure Boot), "
				  "kernel.kexec_load_disabled=1, kexec_load_limit_panic used up, or no CAP_SYS_BOOT%s%s",
				  eperm_hint ? "; " : "", eperm_hint ? eperm_hint : "");
		break;
	case EADDRNOTAVAIL:
		loader_set_detail(res, "EADDRNOTAVAIL: a segment lies outside the crash region (crashk_res) the kernel accepts");
		break;
	case EINVAL:
		loader_set_detail(res, "EINVAL: kexec_load rejected the segment list");
		break;
	default:
		(void)loader_fail(res, err, "kexec_load of %s", kernel);
	}
	return -err;
}

void segments_add(SegmentsCommon *s, const char *name, const void *buf, size_t bufsz, uint64_t mem, uint64_t memsz)
{
	s->seg_names[s->n_segs] = name;
	s->segs[s->n_segs++] = (struct kexec_segment){
		.buf = buf, .bufsz = bufsz, .mem = (void *)(uintptr_t)mem, .memsz = (size_t)memsz,
	};
}

/* 0 if the planned segments ascend inside crash without overlapping, each with bufsz <= memsz;
 * else -EINVAL with d (an internal error: the layout is wrong). */
static int check_placed(const SegmentsCommon *s, const Range *crash, Diag *d)
{
	for (size_t i = 0; i < s->n_segs; i++) {
		uint64_t mem = (uint64_t)(uintptr_t)s->segs[i].mem, memsz = s->segs[i].memsz;

		if (memsz == 0 || mem < crash->start || mem + memsz - 1 > crash->end || s->segs[i].bufsz > memsz ||
		    (i > 0 && mem < (uint64_t)(uintptr_t)s->segs[i - 1].mem + s->segs[i - 1].memsz))
			return diag_set(d, EINVAL, "layout", 0, "internal: segment %zu (%s) is outside the region or "
					"overlaps the one before", i, s->seg_names[i]);
	}
	return 0;
}

static void plan_drop(SegmentsCommon *s)
{
	s->arch->plan_drop(s);
	s->planned = false;
}

/* Computes everything that does not change from one reload to the next: the architecture's
 * part, the placement check, then what every plan records. */
static int plan(SegmentsCommon *s, const Topology *t, size_t main_idx, size_t header_capacity, Diag *d)
{
	const Range *crash = &t->crash[main_idx];
	int r;

	plan_drop(s);
	s->n_segs = s->header_seg = 0;
	s->entry = s->kernel_entry = s->hashed = 0;
	s->note[0] = '\0';
	r = s->arch->plan(s, t, main_idx, header_capacity, d);
	if (r >= 0)
		r = check_placed(s, crash, d);
	if (r < 0) {
		plan_drop(s);
		return r;
	}
	s->crash = *crash;
	s->header_capacity = header_capacity;
	s->planned = true;
	s->stats.plans++;
	s->stats.hashed_last = s->hashed;
	s->stats.header_addr = (uint64_t)(uintptr_t)s->segs[s->header_seg].mem;
	s->stats.header_capacity = header_capacity;
	s->stats.entry = s->entry;
	return 0;
}

/* Reads kernel and initrd (NULL: none) and checks the kernel; on failure s keeps what it had.
 * The paths may be the held ones' own: the new images hold copies before the old go. */
static int held_reload(SegmentsCommon *s, const char *kernel, const char *initrd, Diag *d)
{
	_cleanup_(freep) void *image = malloc(s->arch->image_size);
	HeldImage k, i;
	int r;

	if (!image)
		return -ENOMEM;
	r = segments_read_images(s->root, kernel, initrd, s->arch->parse_kernel, image, &k, &i, d);
	if (r < 0)
		return r;
	/* The plan points into the old buffers (on x86_64 it also hashed their contents). */
	plan_drop(s);
	held_image_done(&s->kernel);
	held_image_done(&s->initrd);
	free(s->image);
	s->kernel = k;
	s->initrd = i;
	s->image = TAKE_PTR(image);
	return 0;
}

int segments_refresh(Loader *l)
{
	SegmentsCommon *s = (SegmentsCommon *)l;

	return held_reload(s, s->kernel.file.path, s->initrd.file.path, NULL);
}

const char *segments_file(Loader *l, size_t i)
{
	SegmentsCommon *s = (SegmentsCommon *)l;

	return loader_kernel_initrd_file(s->kernel.file.path, s->initrd.file.path, i);
}

/* The plan for t's main crash region and a header of header_capacity bytes: kept when it is
 * for the same region and capacity and the files did not change, else made again. 0 or -errno
 * with d. */
static int plan_current(SegmentsCommon *s, const Topology *t, size_t main_idx, size_t header_capacity, Diag *d)
{
	const Range *crash = &t->crash[main_idx];

	/* What the daemon's inotify could not see (changed while it was not running). */
	if (held_file_changed(s->root, &s->kernel.file) || held_file_changed(s->root, &s->initrd.file))
		(void)segments_refresh(&s->base);

	if (s->planned && s->header_capacity == header_capacity && s->crash.start == crash->start &&
	    s->crash.end == crash->end) {
		s->stats.hashed_last = 0; /* a kept plan hashes nothing again */
		return 0;
	}
	return plan(s, t, main_idx, header_capacity, d);
}

int segments_plan(const SegmentsArch *a, Loader *l, const Topology *t, size_t header_capacity, SegmentsPlan *ret,
		  Diag *d)
{
	SegmentsCommon *s = (SegmentsCommon *)l;
	SegmentsPlan p = {};
	size_t main_idx = 0;
	int r;

	if (!l || l->vtable != a->vtable || !t || header_capacity == 0 || header_capacity % 4096)
		return -EINVAL;
	if (topology_main_crash_region(t->crash, t->n_crash, &main_idx) < 0)
		return diag_set(d, EADDRNOTAVAIL, "/proc/iomem", 0, "no \"Crash kernel\" region: boot with crashkernel=");
	r = plan_current(s, t, main_idx, header_capacity, d);
	if (r < 0)
		return r;
	for (size_t i = 0; i < s->n_segs; i++)
		p.segs[i] = (SegmentsPlanSegment){
			.what = s->seg_names[i],
			.mem = (uint64_t)(uintptr_t)s->segs[i].mem,
			.memsz = s->segs[i].memsz,
			.bufsz = i == s->header_seg ? 0 : s->segs[i].bufsz,
		};
	p.n_segs = s->n_segs;
	p.header_seg = s->header_seg;
	p.crash = s->crash;
	p.entry = s->entry;
	p.kernel_entry = s->kernel_entry;
	p.hashed = s->hashed;
	snprintf(p.note, sizeof(p.note), "%s", s->note);
	*ret = p;
	return 0;
}

int segments_load(Loader *l, const LoadRequest *req, LoadResult *res)
{
	SegmentsCommon *s = (SegmentsCommon *)l;
	const SegmentsArch *a = s->arch;
	uint64_t t0 = loader_now_usec(), t1;
	size_t main_idx = 0;
	char more[sizeof(res->detail)];
	Diag d = {};
	long k;
	int r;

	r = segments_check_request(req, res, &main_idx);
	if (r < 0)
		return r;
	r = plan_current(s, req->topology, main_idx, req->header_capacity, &d);
	if (r < 0)
		return segments_plan_failed(res, &d, t0, r);

	/* The only per-reload work: point the header segment at the new header, and what the
	 * architecture does with it (x86_64: the purgatory's digest over it). */
	s->segs[s->header_seg].buf = req->header;
	s->segs[s->header_seg].bufsz = req->header_used;
	if (a->before_load)
		a->before_load(s, req);

	/* No KEXEC_UPDATE_ELFCOREHDR: with it the kernel would rewrite our header itself. */
	t1 = loader_now_usec();
	k = s->ops->kexec_load(s->ops->userdata, s->entry, s->n_segs, s->segs, KEXEC_ON_CRASH | a->kexec_flags);
	r = k < 0 ? (errno > 0 ? errno : EIO) : 0;
	res->syscall_usec = loader_now_usec() - t1;
	res->total_usec = loader_now_usec() - t0;
	s->stats.loads++;
	if (r)
		return segments_syscall_failed(r, s->kernel.file.path, a->eperm_hint, res);
	a->detail(s, more, sizeof(more));
	loader_set_detail(res, "kexec_load of %s: %zu segments, elfcorehdr at 0x%" PRIx64 " (%zu of %zu bytes), %s",
			  s->kernel.file.path, s->n_segs, (uint64_t)(uintptr_t)s->segs[s->header_seg].mem, req->header_used,
			  req->header_capacity, more);
	return 0;
}

Loader *segments_free(Loader *l)
{
	SegmentsCommon *s = (SegmentsCommon *)l;

	if (!s)
		return NULL;
	plan_drop(s);
	held_image_done(&s->kernel);
	held_image_done(&s->initrd);
	free(s->image);
	free(s->cmdline);
	free(s->root);
	free(s);
	return NULL;
}

static void segments_freep(SegmentsCommon **s)
{
	if (*s)
		segments_free(&(*s)->base);
}

int segments_new_with(const SegmentsArch *a, const char *root, const Config *c, const KexecOps *ops,
		      const SegmentsOptions *o, Loader **ret)
{
	_cleanup_(segments_freep) SegmentsCommon *s = NULL;
	_cleanup_(loader_inputs_done) LoaderInputs in = {};
	char why[256];
	int r;

	if (!c || !ops || !ops->kexec_load)
		return -EINVAL;
	s = calloc(1, a->loader_size);
	if (!s)
		return -ENOMEM;
	s->base.vtable = a->vtable;
	s->arch = a;
	if (o)
		s->opts = *o;
	r = loader_resolve_inputs(root, c, true, &in, why, sizeof(why));
	if (r < 0)
		return r;
	s->ops = ops;
	s->cmdline = TAKE_PTR(in.cmdline);
	s->root = strdup(root ? root : "/");
	if (!s->root)
		return -ENOMEM;
	r = held_reload(s, in.kernel, in.initrd[0] ? in.initrd : NULL, NULL);
	if (r < 0)
		return r;
	*ret = &TAKE_PTR(s)->base;
	return 0;
}

/* new() cannot say why it failed, so probe() checks the image (and what else the architecture
 * needs) where it can. */
static int probe_files(const SegmentsArch *a, const char *root, const char *path, char *why, size_t why_size)
{
	_cleanup_(freep) void *image = malloc(a->image_size);
	HeldImage k, none;
	Diag d = {};
	int r;

	if (!image)
		return -ENOMEM;
	r = segments_read_images(root, path, NULL, a->parse_kernel, image, &k, &none, &d);
	if (r >= 0) {
		held_image_done(&k);
		if (a->probe_more)
			r = a->probe_more(root, &d);
	}
	if (r < 0) {
		char buf[sizeof(d.file) + sizeof(d.reason) + 32];

		snprintf(why, why_size, "%s", diag_format(&d, buf, sizeof(buf)));
	}
	return r;
}

int segments_probe(const SegmentsArch *a, const char *root, const Config *c, char *why, size_t why_size)
{
	LoaderInputs in;
	int r;

	r = loader_probe_kexec_load(root, a->probe_instead, why, why_size);
	if (r < 0)
		return r;
	r = loader_probe_crash_region(root, why, why_size);
	if (r < 0)
		return r;
	r = loader_resolve_inputs(root, c, false, &in, why, why_size);
	if (r < 0)
		return r;
	return probe_files(a, root, in.kernel, why, why_size);
}

int segments_stats(const SegmentsArch *a, const Loader *l, SegmentsStats *ret)
{
	if (!l || l->vtable != a->vtable)
		return -EINVAL;
	*ret = ((const SegmentsCommon *)l)->stats;
	return 0;
}
