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
	SegmentsCommon c;         /* first (lib/loader-segments.h); c.image: a BzImage into c.kernel,
				   * c.cmdline without elfcorehdr= */

	/* The plan (c.planned). */
	uint8_t *boot_params;     /* the boot_params segment */
	uint8_t *purgatory;       /* patched copy of purgatory_blob */
	PurgatoryParams params;   /* what is patched into it */
	Sha256 prefix;            /* SHA-256 state after every region but the header */
} SegmentsLoader;

static void plan_drop(SegmentsCommon *c)
{
	SegmentsLoader *l = (SegmentsLoader *)c;

	free(l->boot_params);
	free(l->purgatory);
	l->boot_params = l->purgatory = NULL;
}

static void add_region(PurgatoryParams *p, uint64_t start, uint64_t len)
{
	p->regions[p->n_regions++] = (PurgatoryRegion){ start, len };
}

/* SegmentsArch.plan: bzImage, initrd, purgatory, boot_params with the e820 map, and the
 * SHA-256 state over all but the header. */
static int plan(SegmentsCommon *c, const Topology *t, size_t main_idx, size_t header_capacity, Diag *d)
{
	SegmentsLoader *l = (SegmentsLoader *)c;
	const BzImage *image = c->image;
	const Range *crash = &t->crash[main_idx];
	_cleanup_(iomem_freep) Iomem *iomem = NULL;
	_cleanup_(x86_firmware_freep) X86Firmware *fw = NULL;
	_cleanup_(freep) E820Entry *e820 = NULL;
	_cleanup_(freep) char *cmdline = NULL;
	_cleanup_(freep) uint8_t *bp = NULL;
	_cleanup_(freep) uint8_t *purg = NULL;
	size_t n_e820 = 0, bp_size = 0;
	uint64_t header_addr;
	ZeroPageInput zin;
	X86Layout lay;
	PurgatoryParams pp;
	Sha256 s;
	int r;

	/* A 5-level-paging kernel hands over with CR4.LA57 set (relocate_kernel keeps it); a crash
	 * kernel without 5-level support would die at its first page table load. PAGE_OFFSET
	 * below the 4-level kernel half means the running kernel uses 5 levels. */
	if (t->kmap.from_kcore && t->kmap.page_offset < L4_KERNEL_HALF && !(image->xloadflags & XLF_5LEVEL))
		return diag_set(d, ENOEXEC, c->kernel.file.path, 0,
				"the running kernel uses 5-level paging and this kernel cannot boot with it (no XLF_5LEVEL)");

	r = iomem_parse_file(c->root, &iomem, d);
	if (r < 0)
		return r;
	r = x86_firmware_read(c->root, &fw, d);
	if (r < 0)
		return r;

	/* The header's address depends only on the region and the capacity (see layout.h); the
	 * command line and the e820 map need it before the boot_params size is known. */
	header_addr = crash->end + 1 - header_capacity;
	r = x86_crash_cmdline(header_addr, c->cmdline, fw->acpi_rsdp, image->cmdline_size, &cmdline, d);
	if (r < 0)
		return r;
	r = x86_crash_e820(iomem, t->crash, t->n_crash, main_idx, header_addr, header_capacity, &e820, &n_e820, d);
	if (r < 0)
		return r;
	zin = (ZeroPageInput){
		.image = image, .fw = fw, .e820 = e820, .n_e820 = n_e820, .cmdline = cmdline,
		.initrd_size = c->initrd.size,
	};
	r = x86_zeropage_size(&zin, &bp_size, d);
	if (r < 0)
		return r;
	r = x86_layout(crash, image, c->initrd.size, purgatory_memsz, bp_size, header_capacity, &lay, d);
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
	pp.serial_port = c->opts.serial_port;
	pp.n_regions = 0;

	/* Region order = hash order; the header comes last so the state before it can be kept.
	 * Only the bytes given to the kernel are hashed, not the zero fill up to memsz: the
	 * kernel's decompression scratch space and bss are overwritten at boot anyway. */
	sha256_init(&s);
	add_region(&pp, lay.kernel, image->kernel_size);
	sha256_update(&s, image->kernel, image->kernel_size);
	if (c->initrd.size) {
		add_region(&pp, lay.initrd, c->initrd.size);
		sha256_update(&s, c->initrd.data, c->initrd.size);
	}
	add_region(&pp, lay.boot_params, bp_size);
	sha256_update(&s, bp, bp_size);
	add_region(&pp, lay.header, 0); /* length set per load */

	segments_add(c, "kernel", image->kernel, image->kernel_size, lay.kernel, lay.kernel_memsz);
	if (c->initrd.size)
		segments_add(c, "initrd", c->initrd.data, c->initrd.size, lay.initrd, lay.initrd_memsz);
	segments_add(c, "purgatory", purg, purgatory_blob_size, lay.purgatory, lay.purgatory_memsz);
	segments_add(c, "boot_params", bp, bp_size, lay.boot_params, lay.boot_params_memsz);
	c->header_seg = c->n_segs;
	segments_add(c, "elfcorehdr", NULL, 0, lay.header, lay.header_memsz);

	c->entry = lay.purgatory;
	c->kernel_entry = pp.kernel_entry;
	c->hashed = image->kernel_size + c->initrd.size + bp_size;
	snprintf(c->note, sizeof(c->note), "%s", fw->efi_boot && !fw->efi ? fw->efi_why_not : "");
	l->prefix = s;
	l->params = pp;
	l->boot_params = TAKE_PTR(bp);
	l->purgatory = TAKE_PTR(purg);
	return 0;
}

/* SegmentsArch.before_load: finishes the kept SHA-256 state over the header and patches the
 * digest and the header's length into the purgatory, which checks them before it jumps. */
static void before_load(SegmentsCommon *c, const LoadRequest *req)
{
	SegmentsLoader *l = (SegmentsLoader *)c;
	uint8_t digest[SHA256_DIGEST_SIZE];
	Sha256 s = l->prefix;

	sha256_update(&s, req->header, req->header_used);
	sha256_final(&s, digest);
	c->stats.hashed_last += req->header_used;
	c->stats.hashed_total += c->stats.hashed_last;
	l->params.regions[l->params.n_regions - 1].len = req->header_used;
	memcpy(l->params.digest, digest, sizeof(digest));
	if (c->opts.corrupt_digest)
		l->params.digest[0] ^= 0x01;
	memcpy(l->purgatory + PURGATORY_PARAMS_OFFSET, &l->params, sizeof(l->params));
}

static void detail(const SegmentsCommon *c, char *buf, size_t size)
{
	snprintf(buf, size, "%" PRIu64 " bytes hashed%s%s", c->stats.hashed_last, c->note[0] ? "; " : "", c->note);
}

static int parse_bzimage(const uint8_t *data, size_t size, const char *path, void *ret, Diag *d)
{
	return bzimage_parse(data, size, path, ret, d);
}

static const SegmentsArch x86_segments = {
	.vtable = &loader_segments_vtable,
	.loader_size = sizeof(SegmentsLoader),
	.image_size = sizeof(BzImage),
	.parse_kernel = parse_bzimage,
	.plan = plan,
	.plan_drop = plan_drop,
	.before_load = before_load,
	.kexec_flags = KEXEC_ARCH_X86_64,
	.eperm_hint = "Loader=file works under lockdown",
	.probe_instead = "use Loader=file",
	.detail = detail,
};

int loader_segments_new_with(const char *root, const Config *c, const KexecOps *ops, const SegmentsOptions *o,
			     Loader **ret)
{
	return segments_new_with(&x86_segments, root, c, ops, o, ret);
}

static int x86_new(const char *root, const Config *c, const KexecOps *ops, Loader **ret)
{
	return segments_new_with(&x86_segments, root, c, ops, NULL, ret);
}

static int x86_probe(const char *root, const Config *c, char *why, size_t why_size)
{
	return segments_probe(&x86_segments, root, c, why, why_size);
}

int loader_segments_plan(Loader *l, const Topology *t, size_t header_capacity, SegmentsPlan *ret, Diag *d)
{
	return segments_plan(&x86_segments, l, t, header_capacity, ret, d);
}

int loader_segments_stats(const Loader *l, SegmentsStats *ret)
{
	return segments_stats(&x86_segments, l, ret);
}

const LoaderVtable loader_segments_vtable = {
	.name = "segments",
	.probe = x86_probe,
	.new = x86_new,
	.load = segments_load,
	.free = segments_free,
	.refresh = segments_refresh,
	.file = segments_file,
};
