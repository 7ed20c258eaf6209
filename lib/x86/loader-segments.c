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

#define L4_KERNEL_HALF 0xffff800000000000ULL

typedef struct SegmentsLoader {
	Loader base;
	SegmentsCommon c;         /* c.kernel: the whole bzImage; c.cmdline without elfcorehdr= */
	SegmentsOptions opts;
	BzImage image;            /* points into c.kernel */

	/* The plan (c.planned). */
	X86Layout layout;
	uint8_t *boot_params;     /* the boot_params segment */
	size_t boot_params_size;
	uint8_t *purgatory;       /* patched copy of purgatory_blob */
	PurgatoryParams params;   /* what is patched into it */
	Sha256 prefix;            /* SHA-256 state after every region but the header */
	char plan_note[160];      /* e.g. why EFI is not passed on */
} SegmentsLoader;

static void plan_drop(SegmentsLoader *l)
{
	free(l->boot_params);
	free(l->purgatory);
	l->boot_params = l->purgatory = NULL;
	l->c.planned = false;
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
	size_t n_e820 = 0, bp_size = 0, main_idx = 0;
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
		return diag_set(d, ENOEXEC, l->c.kernel.file.path, 0,
				"the running kernel uses 5-level paging and this kernel cannot boot with it (no XLF_5LEVEL)");

	r = iomem_parse_file(l->c.root, &iomem, d);
	if (r < 0)
		return r;
	r = x86_firmware_read(l->c.root, &fw, d);
	if (r < 0)
		return r;
	r = x86_main_crash_region(t->crash, t->n_crash, &main_idx);
	if (r < 0)
		return diag_set(d, ENOENT, "/proc/iomem", 0, "no \"Crash kernel\" region: boot with crashkernel=");

	/* The header's address depends only on the region and the capacity (see layout.h); the
	 * command line and the e820 map need it before the boot_params size is known. */
	header_addr = crash->end + 1 - header_capacity;
	r = x86_crash_cmdline(header_addr, l->c.cmdline, fw->acpi_rsdp, l->image.cmdline_size, &cmdline, d);
	if (r < 0)
		return r;
	r = x86_crash_e820(iomem, t->crash, t->n_crash, main_idx, header_addr, header_capacity, &e820, &n_e820, d);
	if (r < 0)
		return r;
	zin = (ZeroPageInput){
		.image = &l->image, .fw = fw, .e820 = e820, .n_e820 = n_e820, .cmdline = cmdline,
		.initrd_size = l->c.initrd.size,
	};
	r = x86_zeropage_size(&zin, &bp_size, d);
	if (r < 0)
		return r;
	r = x86_layout(crash, &l->image, l->c.initrd.size, purgatory_memsz, bp_size, header_capacity, &lay, d);
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
	if (l->c.initrd.size) {
		add_region(&pp, lay.initrd, l->c.initrd.size);
		sha256_update(&s, l->c.initrd.data, l->c.initrd.size);
	}
	add_region(&pp, lay.boot_params, bp_size);
	sha256_update(&s, bp, bp_size);
	add_region(&pp, lay.header, 0); /* length set per load */
	l->c.stats.hashed_last = l->image.kernel_size + l->c.initrd.size + bp_size;

	l->c.n_segs = 0;
	segments_add(&l->c, "kernel", l->image.kernel, l->image.kernel_size, lay.kernel, lay.kernel_memsz);
	if (l->c.initrd.size)
		segments_add(&l->c, "initrd", l->c.initrd.data, l->c.initrd.size, lay.initrd, lay.initrd_memsz);
	segments_add(&l->c, "purgatory", purg, purgatory_blob_size, lay.purgatory, lay.purgatory_memsz);
	segments_add(&l->c, "boot_params", bp, bp_size, lay.boot_params, lay.boot_params_memsz);
	l->c.header_seg = l->c.n_segs;
	segments_add(&l->c, "elfcorehdr", NULL, 0, lay.header, lay.header_memsz);
	r = segments_check_placed(&l->c, crash, d);
	if (r < 0)
		return r;

	snprintf(l->plan_note, sizeof(l->plan_note), "%s", fw->efi_boot && !fw->efi ? fw->efi_why_not : "");
	l->prefix = s;
	l->params = pp;
	l->layout = lay;
	l->c.crash = *crash;
	l->c.header_capacity = header_capacity;
	l->boot_params = TAKE_PTR(bp);
	l->boot_params_size = bp_size;
	l->purgatory = TAKE_PTR(purg);
	l->c.planned = true;
	l->c.stats.plans++;
	l->c.stats.header_addr = lay.header;
	l->c.stats.header_capacity = header_capacity;
	l->c.stats.entry = lay.purgatory;
	return 0;
}

/* Reads kernel and initrd (NULL: none) and checks the kernel; on failure l keeps what it had.
 * The paths may be the held ones' own: the new images hold copies before the old go. */
static int parse_bzimage(const uint8_t *data, size_t size, const char *path, void *ret, Diag *d)
{
	return bzimage_parse(data, size, path, ret, d);
}

static int held_reload(SegmentsLoader *l, const char *kernel, const char *initrd, Diag *d)
{
	HeldImage k, i;
	BzImage b;
	int r;

	r = segments_read_images(l->c.root, kernel, initrd, parse_bzimage, &b, &k, &i, d);
	if (r < 0)
		return r;
	/* The plan points into the old buffers and hashed their contents. */
	plan_drop(l);
	held_image_done(&l->c.kernel);
	held_image_done(&l->c.initrd);
	l->c.kernel = k;
	l->c.initrd = i;
	l->image = b;
	return 0;
}

static int segments_refresh(Loader *base)
{
	SegmentsLoader *l = (SegmentsLoader *)base;

	return held_reload(l, l->c.kernel.file.path, l->c.initrd.file.path, NULL);
}

static const char *segments_file(Loader *base, size_t i)
{
	return segments_common_file(&((SegmentsLoader *)base)->c, i);
}

/* The plan for t's main crash region and a header of header_capacity bytes: kept when it is
 * for the same region and capacity and the files did not change, else made again. 0 or -errno
 * with d. */
static int plan_current(SegmentsLoader *l, const Topology *t, size_t main_idx, size_t header_capacity, Diag *d)
{
	/* What the daemon's inotify could not see (changed while it was not running). */
	if (held_file_changed(l->c.root, &l->c.kernel.file) || held_file_changed(l->c.root, &l->c.initrd.file))
		(void)segments_refresh(&l->base);

	if (segments_plan_kept(&l->c, &t->crash[main_idx], header_capacity)) {
		l->c.stats.hashed_last = 0;
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
	segments_plan_export(&l->c, &p);
	p.entry = l->layout.purgatory;
	p.kernel_entry = l->params.kernel_entry;
	p.hashed = l->image.kernel_size + l->c.initrd.size + l->boot_params_size;
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

	r = segments_check_request(req, res, &main_idx);
	if (r < 0)
		return r;
	r = plan_current(l, t, main_idx, req->header_capacity, &d);
	if (r < 0)
		return segments_plan_failed(res, &d, t0, r);

	/* The only per-reload work: point the header segment at the new header and finish the
	 * kept SHA-256 state over it. */
	l->c.segs[l->c.header_seg].buf = req->header;
	l->c.segs[l->c.header_seg].bufsz = req->header_used;
	s = l->prefix;
	sha256_update(&s, req->header, req->header_used);
	sha256_final(&s, digest);
	l->c.stats.hashed_last += req->header_used;
	l->c.stats.hashed_total += l->c.stats.hashed_last;
	l->params.regions[l->params.n_regions - 1].len = req->header_used;
	memcpy(l->params.digest, digest, sizeof(digest));
	if (l->opts.corrupt_digest)
		l->params.digest[0] ^= 0x01;
	memcpy(l->purgatory + PURGATORY_PARAMS_OFFSET, &l->params, sizeof(l->params));

	/* No KEXEC_UPDATE_ELFCOREHDR: with it the kernel would rewrite our header itself. */
	t1 = loader_now_usec();
	k = l->c.ops->kexec_load(l->c.ops->userdata, l->layout.purgatory, l->c.n_segs, l->c.segs,
			       KEXEC_ON_CRASH | KEXEC_ARCH_X86_64);
	r = k < 0 ? (errno > 0 ? errno : EIO) : 0;
	res->syscall_usec = loader_now_usec() - t1;
	res->total_usec = loader_now_usec() - t0;
	res->phdrs_capacity = 0;
	l->c.stats.loads++;
	if (r)
		return segments_syscall_failed(r, l->c.kernel.file.path, "Loader=file works under lockdown", res);
	loader_set_detail(res, "kexec_load of %s: %zu segments, elfcorehdr at 0x%" PRIx64 " (%zu of %zu bytes), %" PRIu64
			  " bytes hashed%s%s", l->c.kernel.file.path, l->c.n_segs, l->layout.header, req->header_used,
			  req->header_capacity, l->c.stats.hashed_last, l->plan_note[0] ? "; " : "", l->plan_note);
	return 0;
}

static Loader *segments_free(Loader *base)
{
	SegmentsLoader *l = (SegmentsLoader *)base;

	if (!l)
		return NULL;
	plan_drop(l);
	segments_common_done(&l->c);
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
	int r;

	if (!c || !ops || !ops->kexec_load)
		return -EINVAL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->base.vtable = &loader_segments_vtable;
	if (o)
		l->opts = *o;
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
	return loader_segments_new_with(root, c, ops, NULL, ret);
}

/* new() cannot say why it failed, so probe() checks the image where it can. */
static int check_image(const char *root, const char *path, char *why, size_t why_size)
{
	HeldImage k, none;
	Diag d = {};
	BzImage b;
	int r;

	r = segments_read_images(root, path, NULL, parse_bzimage, &b, &k, &none, &d);
	if (r >= 0)
		held_image_done(&k);
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

	r = loader_probe_kexec_load(root, "use Loader=file", why, why_size);
	if (r < 0)
		return r;
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
	*ret = ((const SegmentsLoader *)base)->c.stats;
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
