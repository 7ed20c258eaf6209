/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What both architectures' segments loaders do the same way (lib/loader-segments.h). */
#include "loader-segments.h"

#include "loader-internal.h"

int segments_read_images(const char *root, const char *kernel, const char *initrd, SegmentsParseKernel parse,
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

int segments_check_request(const LoadRequest *req, LoadResult *res, size_t *ret_main)
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

int segments_plan_failed(LoadResult *res, const Diag *d, uint64_t t0, int r)
{
	char buf[sizeof(d->file) + sizeof(d->reason) + 32];

	loader_set_detail(res, "%s", diag_format(d, buf, sizeof(buf)));
	res->total_usec = loader_now_usec() - t0;
	return r;
}

int segments_syscall_failed(int err, const char *kernel, const char *eperm_hint, LoadResult *res)
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

int segments_common_init(SegmentsCommon *s, const char *root, const Config *c, const KexecOps *ops, LoaderInputs *in)
{
	char why[256];
	int r;

	r = loader_resolve_inputs(root, c, true, in, why, sizeof(why));
	if (r < 0)
		return r;
	s->ops = ops;
	s->cmdline = TAKE_PTR(in->cmdline);
	s->root = strdup(root ? root : "/");
	return s->root ? 0 : -ENOMEM;
}

void segments_common_done(SegmentsCommon *s)
{
	held_image_done(&s->kernel);
	held_image_done(&s->initrd);
	free(s->cmdline);
	free(s->root);
	s->cmdline = s->root = NULL;
}

void segments_add(SegmentsCommon *s, const char *name, const void *buf, size_t bufsz, uint64_t mem, uint64_t memsz)
{
	s->seg_names[s->n_segs] = name;
	s->segs[s->n_segs++] = (struct kexec_segment){
		.buf = buf, .bufsz = bufsz, .mem = (void *)(uintptr_t)mem, .memsz = (size_t)memsz,
	};
}

int segments_check_placed(const SegmentsCommon *s, const Range *crash, Diag *d)
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

bool segments_plan_kept(const SegmentsCommon *s, const Range *crash, size_t header_capacity)
{
	return s->planned && s->header_capacity == header_capacity && s->crash.start == crash->start &&
	       s->crash.end == crash->end;
}

void segments_plan_export(const SegmentsCommon *s, SegmentsPlan *p)
{
	for (size_t i = 0; i < s->n_segs; i++)
		p->segs[i] = (SegmentsPlanSegment){
			.what = s->seg_names[i],
			.mem = (uint64_t)(uintptr_t)s->segs[i].mem,
			.memsz = s->segs[i].memsz,
			.bufsz = i == s->header_seg ? 0 : s->segs[i].bufsz,
		};
	p->n_segs = s->n_segs;
	p->header_seg = s->header_seg;
	p->crash = s->crash;
}

const char *segments_common_file(const SegmentsCommon *s, size_t i)
{
	return loader_kernel_initrd_file(s->kernel.file.path, s->initrd.file.path, i);
}
