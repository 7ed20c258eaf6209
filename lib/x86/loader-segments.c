/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "loader-segments.h"

#include <inttypes.h>

#include "../iomem.h"
#include "../loader-internal.h"
#include "../path.h"
#include "../sha256.h"
#include "bzimage.h"
#include "e820.h"
#include "firmware.h"
#include "layout.h"
#include "purgatory.h"
#include "zeropage.h"

#define MAX_IMAGE_SIZE (2ULL << 30) /* kernel or initrd: refuse to slurp anything larger */
#define L4_KERNEL_HALF 0xffff800000000000ULL

/* kernel, initrd, purgatory, boot_params, elfcorehdr */
#define MAX_SEGMENTS 5

typedef struct HeldImage {
	HeldFile file;            /* path NULL = none; the fd is closed once read */
	uint8_t *data;
	size_t size;
} HeldImage;

typedef struct SegmentsLoader {
	Loader base;
	char *root;
	const KexecOps *ops;
	SegmentsOptions opts;

	HeldImage kernel;         /* the whole bzImage; image points into it */
	BzImage image;
	HeldImage initrd;         /* file.path NULL: no initrd */
	char *user_cmdline;       /* configured crash command line, without elfcorehdr= */

	/* The plan: valid when planned, for crash/header_capacity. */
	bool planned;
	Range crash;
	size_t header_capacity;
	X86Layout layout;
	uint8_t *boot_params;     /* the boot_params segment */
	size_t boot_params_size;
	uint8_t *purgatory;       /* patched copy of purgatory_blob */
	PurgatoryParams params;   /* what is patched into it */
	Sha256 prefix;            /* SHA-256 state after every region but the header */
	struct kexec_segment segs[MAX_SEGMENTS];
	const char *seg_names[MAX_SEGMENTS]; /* what each segment holds, for a plan */
	size_t n_segs;
	size_t header_seg;        /* index of the header in segs[] */
	char plan_note[160];      /* e.g. why EFI is not passed on */

	SegmentsStats stats;
} SegmentsLoader;

/* Reads root + path whole into h. The contents stay for the loader's lifetime: a reload must
 * not depend on the files still being there (a package upgrade removes the old kernel). */
static int held_read(const char *root, const char *path, HeldImage *h, Diag *d)
{
	_cleanup_(held_file_done) HeldFile f = HELD_FILE_NONE;
	_cleanup_(freep) uint8_t *buf = NULL;
	size_t done = 0;
	int r;

	r = held_file_open(root, path, &f, d);
	if (r < 0)
		return r;
	if (f.st.st_size <= 0 || (uint64_t)f.st.st_size > MAX_IMAGE_SIZE)
		return diag_set(d, EFBIG, path, 0, "size %jd is out of range", (intmax_t)f.st.st_size);
	buf = malloc((size_t)f.st.st_size);
	if (!buf)
		return -ENOMEM;
	while (done < (size_t)f.st.st_size) {
		ssize_t n = read(f.fd, buf + done, (size_t)f.st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return diag_set(d, errno, path, 0, "read error: %s", strerror(errno));
		if (n == 0)
			return diag_set(d, EIO, path, 0, "file shrank while reading");
		done += (size_t)n;
	}
	close(TAKE_FD(f.fd)); /* the bytes are what is held, not the file */
	*h = (HeldImage){ .file = f, .data = TAKE_PTR(buf), .size = done };
	f = HELD_FILE_NONE; /* the path is h's now */
	return 0;
}

static void held_done(HeldImage *h)
{
	held_file_done(&h->file);
	free(h->data);
	h->data = NULL;
	h->size = 0;
}

static void plan_drop(SegmentsLoader *l)
{
	free(l->boot_params);
	free(l->purgatory);
	l->boot_params = l->purgatory = NULL;
	l->planned = false;
}

static void add_segment(SegmentsLoader *l, const char *name, const void *buf, size_t bufsz, uint64_t mem,
			uint64_t memsz)
{
	l->seg_names[l->n_segs] = name;
	l->segs[l->n_segs++] = (struct kexec_segment){
		.buf = buf, .bufsz = bufsz, .mem = (void *)(uintptr_t)mem, .memsz = (size_t)memsz,
	};
}

static void add_region(PurgatoryParams *p, uint64_t start, uint64_t len)
{
	p->regions[p->n_regions++] = (PurgatoryRegion){ start, len };
}

/* Computes everything that does not change from one reload to the next. */
static int plan(SegmentsLoader *l, const Topology *t, const Range *crash, size_t header_capacity, Diag *d)
{
	_cleanup_(iomem_freep) Iomem *iomem = NULL;
	_cleanup_(x86_firmware_freep) X86Firmware *fw = NULL;
	_cleanup_(freep) E820Entry *e820 = NULL;
	_cleanup_(freep) char *cmdline = NULL;
	_cleanup_(freep) uint8_t *bp = NULL;
	_cleanup_(freep) uint8_t *purg = NULL;
	size_t n_e820 = 0, bp_size = 0, main_idx = 0, i;
	uint64_t header_addr;
	ZeroPageInput zin;
	X86Layout lay;
	PurgatoryParams pp;
	Sha256 s;
	int r;

	plan_drop(l);

	/* A 5-level-paging kernel hands over with CR4.LA57 set (relocate_kernel keeps it); a crash
	 * kernel without 5-level support would die at its first page table load. PAGE_OFFSET
	 * below the 4-level kernel half means the running kernel uses 5 levels. */
	if (t->kmap.from_kcore && t->kmap.page_offset < L4_KERNEL_HALF && !(l->image.xloadflags & XLF_5LEVEL))
		return diag_set(d, ENOEXEC, l->kernel.file.path, 0,
				"the running kernel uses 5-level paging and this kernel cannot boot with it (no XLF_5LEVEL)");

	r = iomem_parse_file(l->root, &iomem, d);
	if (r < 0)
		return r;
	r = x86_firmware_read(l->root, &fw, d);
	if (r < 0)
		return r;
	r = x86_main_crash_region(t->crash, t->n_crash, &main_idx);
	if (r < 0)
		return diag_set(d, ENOENT, "/proc/iomem", 0, "no \"Crash kernel\" region: boot with crashkernel=");

	/* The header's address depends only on the region and the capacity (see layout.h); the
	 * command line and the e820 map need it before the boot_params size is known. */
	header_addr = crash->end + 1 - header_capacity;
	r = x86_crash_cmdline(header_addr, l->user_cmdline, fw->acpi_rsdp, l->image.cmdline_size, &cmdline, d);
	if (r < 0)
		return r;
	r = x86_crash_e820(iomem, t->crash, t->n_crash, main_idx, header_addr, header_capacity, &e820, &n_e820, d);
	if (r < 0)
		return r;
	zin = (ZeroPageInput){
		.image = &l->image, .fw = fw, .e820 = e820, .n_e820 = n_e820, .cmdline = cmdline,
		.initrd_size = l->initrd.size,
	};
	r = x86_zeropage_size(&zin, &bp_size, d);
	if (r < 0)
		return r;
	r = x86_layout(crash, &l->image, l->initrd.size, purgatory_memsz, bp_size, header_capacity, &lay, d);
	if (r < 0)
		return r;
	if (lay.header != header_addr)
		return diag_set(d, EINVAL, "layout", 0, "internal: header placed at 0x%" PRIx64 ", expected 0x%" PRIx64,
				lay.header, header_addr);
	zin.initrd_addr = lay.initrd;
	r = x86_zeropage_build(&zin, lay.boot_params, &bp, &bp_size, d);
	if (r < 0)
		return r;

	/* The purgatory, patched. Its own segment is not hashed: it changes on every reload and
	 * is the code doing the checking. */
	purg = malloc(purgatory_blob_size);
	if (!purg)
		return -ENOMEM;
	memcpy(purg, purgatory_blob, purgatory_blob_size);
	memcpy(&pp, purg + PURGATORY_PARAMS_OFFSET, sizeof(pp));
	if (pp.magic != PURGATORY_MAGIC || pp.version != PURGATORY_VERSION || pp.size != sizeof(pp))
		return diag_set(d, EINVAL, "purgatory", 0, "built-in purgatory does not match this loader");
	pp.kernel_entry = lay.kernel + KERNEL_ENTRY64_OFFSET;
	pp.boot_params = lay.boot_params;
	pp.serial_port = l->opts.serial_port;
	pp.n_regions = 0;

	/* Region order = hash order; the header comes last so the state before it can be kept.
	 * Only the bytes given to the kernel are hashed, not the zero fill up to memsz: the
	 * kernel's decompression scratch space and bss are overwritten at boot anyway. */
	sha256_init(&s);
	add_region(&pp, lay.kernel, l->image.kernel_size);
	sha256_update(&s, l->image.kernel, l->image.kernel_size);
	if (l->initrd.size) {
		add_region(&pp, lay.initrd, l->initrd.size);
		sha256_update(&s, l->initrd.data, l->initrd.size);
	}
	add_region(&pp, lay.boot_params, bp_size);
	sha256_update(&s, bp, bp_size);
	add_region(&pp, lay.header, 0); /* length set per load */
	l->stats.hashed_last = l->image.kernel_size + l->initrd.size + bp_size;

	l->n_segs = 0;
	add_segment(l, "kernel", l->image.kernel, l->image.kernel_size, lay.kernel, lay.kernel_memsz);
	if (l->initrd.size)
		add_segment(l, "initrd", l->initrd.data, l->initrd.size, lay.initrd, lay.initrd_memsz);
	add_segment(l, "purgatory", purg, purgatory_blob_size, lay.purgatory, lay.purgatory_memsz);
	add_segment(l, "boot_params", bp, bp_size, lay.boot_params, lay.boot_params_memsz);
	l->header_seg = l->n_segs;
	add_segment(l, "elfcorehdr", NULL, 0, lay.header, lay.header_memsz);
	for (i = 1; i < l->n_segs; i++)
		if ((uintptr_t)l->segs[i].mem < (uintptr_t)l->segs[i - 1].mem + l->segs[i - 1].memsz)
			return diag_set(d, EINVAL, "layout", 0, "internal: segments %zu and %zu overlap", i - 1, i);

	snprintf(l->plan_note, sizeof(l->plan_note), "%s", fw->efi_boot && !fw->efi ? fw->efi_why_not : "");
	l->prefix = s;
	l->params = pp;
	l->layout = lay;
	l->crash = *crash;
	l->header_capacity = header_capacity;
	l->boot_params = TAKE_PTR(bp);
	l->boot_params_size = bp_size;
	l->purgatory = TAKE_PTR(purg);
	l->planned = true;
	l->stats.plans++;
	l->stats.header_addr = lay.header;
	l->stats.header_capacity = header_capacity;
	l->stats.entry = lay.purgatory;
	return 0;
}

/* Reads kernel and initrd (NULL: none) and checks the kernel; on failure l keeps what it had.
 * The paths may be the held ones' own: the new images hold copies before the old go. */
static int held_reload(SegmentsLoader *l, const char *kernel, const char *initrd, Diag *d)
{
	HeldImage k = {}, i = {};
	BzImage b;
	int r;

	r = held_read(l->root, kernel, &k, d);
	if (r >= 0)
		r = bzimage_parse(k.data, k.size, kernel, &b, d);
	if (r >= 0 && initrd)
		r = held_read(l->root, initrd, &i, d);
	if (r < 0) {
		held_done(&k);
		held_done(&i);
		return r;
	}
	/* The plan points into the old buffers and hashed their contents. */
	plan_drop(l);
	held_done(&l->kernel);
	held_done(&l->initrd);
	l->kernel = k;
	l->initrd = i;
	l->image = b;
	return 0;
}

static int segments_refresh(Loader *base)
{
	SegmentsLoader *l = (SegmentsLoader *)base;

	return held_reload(l, l->kernel.file.path, l->initrd.file.path, NULL);
}

static const char *segments_file(Loader *base, size_t i)
{
	SegmentsLoader *l = (SegmentsLoader *)base;

	return loader_kernel_initrd_file(l->kernel.file.path, l->initrd.file.path, i);
}

static const char *explain_errno(int e)
{
	switch (e) {
	case EPERM:
		return "EPERM: kexec_load refused: kernel lockdown (Secure Boot), kernel.kexec_load_disabled=1, "
		       "kexec_load_limit_panic used up, or no CAP_SYS_BOOT; Loader=file works under lockdown";
	case EADDRNOTAVAIL:
		return "EADDRNOTAVAIL: a segment lies outside the crash region (crashk_res) the kernel accepts";
	case EINVAL:
		return "EINVAL: kexec_load rejected the segment list";
	default:
		return NULL;
	}
}

/* The plan for t's main crash region and a header of header_capacity bytes: kept when it is
 * for the same region and capacity and the files did not change, else made again. 0 or -errno
 * with d. */
static int plan_current(SegmentsLoader *l, const Topology *t, size_t main_idx, size_t header_capacity, Diag *d)
{
	/* What the daemon's inotify could not see (changed while it was not running). */
	if (held_file_changed(l->root, &l->kernel.file) || held_file_changed(l->root, &l->initrd.file))
		(void)segments_refresh(&l->base);

	if (l->planned && l->header_capacity == header_capacity && l->crash.start == t->crash[main_idx].start &&
	    l->crash.end == t->crash[main_idx].end) {
		l->stats.hashed_last = 0;
		return 0;
	}
	return plan(l, t, &t->crash[main_idx], header_capacity, d);
}

int loader_segments_plan(Loader *base, const Topology *t, size_t header_capacity, SegmentsPlan *ret, Diag *d)
{
	SegmentsLoader *l = (SegmentsLoader *)base;
	SegmentsPlan p = {};
	size_t main_idx = 0;
	int r;

	if (!base || base->vtable != &loader_segments_vtable || !t || header_capacity == 0 || header_capacity % 4096)
		return -EINVAL;
	if (x86_main_crash_region(t->crash, t->n_crash, &main_idx) < 0)
		return diag_set(d, EADDRNOTAVAIL, "/proc/iomem", 0, "no \"Crash kernel\" region: boot with crashkernel=");
	r = plan_current(l, t, main_idx, header_capacity, d);
	if (r < 0)
		return r;
	for (size_t i = 0; i < l->n_segs; i++)
		p.segs[i] = (SegmentsPlanSegment){
			.what = l->seg_names[i],
			.mem = (uint64_t)(uintptr_t)l->segs[i].mem,
			.memsz = l->segs[i].memsz,
			.bufsz = l->segs[i].bufsz,
		};
	p.n_segs = l->n_segs;
	p.header_seg = l->header_seg;
	p.entry = l->layout.purgatory;
	p.kernel_entry = l->params.kernel_entry;
	p.crash = l->crash;
	p.hashed = l->image.kernel_size + l->initrd.size + l->boot_params_size;
	snprintf(p.note, sizeof(p.note), "%s", l->plan_note);
	*ret = p;
	return 0;
}

static int segments_load(Loader *base, const LoadRequest *req, LoadResult *res)
{
	SegmentsLoader *l = (SegmentsLoader *)base;
	const Topology *t = req->topology;
	uint8_t digest[SHA256_DIGEST_SIZE];
	uint64_t t0 = loader_now_usec(), t1;
	size_t main_idx = 0;
	Diag d = {};
	Sha256 s;
	long k;
	int r;

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
	if (x86_main_crash_region(t->crash, t->n_crash, &main_idx) < 0)
		return loader_fail(res, EADDRNOTAVAIL, "no \"Crash kernel\" region in /proc/iomem (boot with crashkernel=)");

	r = plan_current(l, t, main_idx, req->header_capacity, &d);
	if (r < 0) {
		char buf[sizeof(d.file) + sizeof(d.reason) + 32];

		loader_set_detail(res, "%s", diag_format(&d, buf, sizeof(buf)));
		res->total_usec = loader_now_usec() - t0;
		return r;
	}

	/* The only per-reload work: point the header segment at the new header and finish the
	 * kept SHA-256 state over it. */
	l->segs[l->header_seg].buf = req->header;
	l->segs[l->header_seg].bufsz = req->header_used;
	s = l->prefix;
	sha256_update(&s, req->header, req->header_used);
	sha256_final(&s, digest);
	l->stats.hashed_last += req->header_used;
	l->stats.hashed_total += l->stats.hashed_last;
	l->params.regions[l->params.n_regions - 1].len = req->header_used;
	memcpy(l->params.digest, digest, sizeof(digest));
	if (l->opts.corrupt_digest)
		l->params.digest[0] ^= 0x01;
	memcpy(l->purgatory + PURGATORY_PARAMS_OFFSET, &l->params, sizeof(l->params));

	/* No KEXEC_UPDATE_ELFCOREHDR: with it the kernel would rewrite our header itself. */
	t1 = loader_now_usec();
	k = l->ops->kexec_load(l->ops->userdata, l->layout.purgatory, l->n_segs, l->segs,
			       KEXEC_ON_CRASH | KEXEC_ARCH_X86_64);
	r = k < 0 ? (errno > 0 ? errno : EIO) : 0;
	res->syscall_usec = loader_now_usec() - t1;
	res->total_usec = loader_now_usec() - t0;
	res->phdrs_capacity = 0;
	l->stats.loads++;
	if (r) {
		const char *why = explain_errno(r);

		if (why)
			loader_set_detail(res, "%s", why);
		else
			(void)loader_fail(res, r, "kexec_load of %s", l->kernel.file.path);
		return -r;
	}
	loader_set_detail(res, "kexec_load of %s: %zu segments, elfcorehdr at 0x%" PRIx64 " (%zu of %zu bytes), %" PRIu64
			  " bytes hashed%s%s", l->kernel.file.path, l->n_segs, l->layout.header, req->header_used,
			  req->header_capacity, l->stats.hashed_last, l->plan_note[0] ? "; " : "", l->plan_note);
	return 0;
}

static Loader *segments_free(Loader *base)
{
	SegmentsLoader *l = (SegmentsLoader *)base;

	if (!l)
		return NULL;
	plan_drop(l);
	held_done(&l->kernel);
	held_done(&l->initrd);
	free(l->user_cmdline);
	free(l->root);
	free(l);
	return NULL;
}

static void segments_freep(SegmentsLoader **l)
{
	if (*l)
		segments_free(&(*l)->base);
}

int loader_segments_new_with(const char *root, const Config *c, const KexecOps *ops, const SegmentsOptions *o,
			     Loader **ret)
{
	_cleanup_(segments_freep) SegmentsLoader *l = NULL;
	_cleanup_(loader_inputs_done) LoaderInputs in = {};
	char why[256];
	int r;

	if (!c || !ops || !ops->kexec_load)
		return -EINVAL;
	r = loader_resolve_inputs(root, c, true, &in, why, sizeof(why));
	if (r < 0)
		return r;

	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->base.vtable = &loader_segments_vtable;
	l->ops = ops;
	if (o)
		l->opts = *o;
	l->user_cmdline = TAKE_PTR(in.cmdline);
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
	return loader_segments_new_with(root, c, ops, NULL, ret);
}

/* "[none] integrity confidentiality": the bracketed word is the active level. */
static int lockdown_level(const char *root, char *level, size_t size)
{
	char buf[128];
	const char *a, *b;

	if (path_read_line(root, "/sys/kernel/security/lockdown", buf, sizeof(buf), NULL) < 0)
		return -ENOENT;
	a = strchr(buf, '[');
	b = a ? strchr(a, ']') : NULL;
	if (!b)
		return -EINVAL;
	snprintf(level, size, "%.*s", (int)(b - a - 1), a + 1);
	return 0;
}

/* new() cannot say why it failed, so probe() checks the image where it can. */
static int check_image(const char *root, const char *path, char *why, size_t why_size)
{
	HeldImage h = {};
	Diag d = {};
	BzImage b;
	int r;

	r = held_read(root, path, &h, &d);
	if (r >= 0)
		r = bzimage_parse(h.data, h.size, path, &b, &d);
	held_done(&h);
	if (r < 0) {
		char buf[sizeof(d.file) + sizeof(d.reason) + 32];

		snprintf(why, why_size, "%s", diag_format(&d, buf, sizeof(buf)));
	}
	return r;
}

static int segments_probe(const char *root, const Config *c, char *why, size_t why_size)
{
	char level[32], buf[32];
	LoaderInputs in;
	int r;

	if (lockdown_level(root, level, sizeof(level)) == 0 && !streq(level, "none")) {
		snprintf(why, why_size, "kernel lockdown \"%s\" forbids kexec_load (use Loader=file)", level);
		return -EPERM;
	}
	if (path_read_line(root, "/proc/sys/kernel/kexec_load_disabled", buf, sizeof(buf), NULL) == 0 &&
	    !streq(buf, "0")) {
		snprintf(why, why_size, "kernel.kexec_load_disabled=%s forbids kexec_load", buf);
		return -EPERM;
	}
	r = loader_probe_crash_region(root, why, why_size);
	if (r < 0)
		return r;
	r = loader_resolve_inputs(root, c, false, &in, why, why_size);
	if (r < 0)
		return r;
	return check_image(root, in.kernel, why, why_size);
}

int loader_segments_stats(const Loader *base, SegmentsStats *ret)
{
	if (!base || base->vtable != &loader_segments_vtable)
		return -EINVAL;
	*ret = ((const SegmentsLoader *)base)->stats;
	return 0;
}


const LoaderVtable loader_segments_vtable = {
	.name = "segments",
	.probe = segments_probe,
	.new = segments_new,
	.load = segments_load,
	.free = segments_free,
	.refresh = segments_refresh,
	.file = segments_file,
};
