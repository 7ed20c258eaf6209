/* SPDX-License-Identifier: GPL-2.0-or-later */
/* arm64's Loader=segments on any host: the Image header parser, the entry stub's encoding
 * (decoded back field by field), the device tree edit on a real QEMU virt tree
 * (tests/fixtures/arm64-qemu-virt-virtio-mem/sys/firmware/fdt), the placement, and the loader
 * against a fake kexec_load: it receives exactly the planned segments, a reload replaces only
 * the header, and the header it carries is EM_AARCH64 with the virtio-mem RAM in it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <elf.h>
#include <inttypes.h>
#include <ftw.h>
#include <libfdt.h>
#include <sys/stat.h>

#include "arm64/dtb.h"
#include "arm64/image.h"
#include "arm64/layout.h"
#include "arm64/loader-segments.h"
#include "arm64/purgatory.h"
#include "config.h"
#include "elfcorehdr.h"
#include "fake-kexec.h"
#include "le.h"
#include "path.h"
#include "scratch-root.h"

#define FIXTURE "arm64-qemu-virt-virtio-mem"
#define IMAGE_FILE_SIZE 0x23456u
#define IMAGE_SIZE 0x2010000u /* Debian 6.1's: about 32 MiB with bss */
#define INITRD_SIZE 0x12345u
#define MAX_PHDRS 64u
#define USER_CMDLINE "console=ttyAMA0 nr_cpus=1 reset_devices"
#define SZ_64K 0x10000u
#define SZ_2M 0x200000u
/* The fixture's "Crash kernel" a9a00000-b99fffff. */
#define CRASH_START 0xa9a00000ULL
#define CRASH_END 0xb99fffffULL

static uint8_t *fake_image(size_t size, uint64_t text_offset, uint64_t image_size, uint64_t flags)
{
	uint8_t *p = calloc(1, size);

	assert_non_null(p);
	for (size_t i = 64; i < size; i++)
		p[i] = (uint8_t)(i * 7 + 1);
	put_le32(p, 0x91005a4d);       /* "MZ" + add x13, x18, #0x16: an EFI stub kernel's code0 */
	put_le32(p + 4, 0x14000000);   /* b . : code1 */
	put_le64(p + 8, text_offset);
	put_le64(p + 16, image_size);
	put_le64(p + 24, flags);
	memcpy(p + ARM64_IMAGE_MAGIC_OFFSET, "ARM\x64", 4);
	put_le32(p + 0x3c, 0x40);      /* PE header offset */
	return p;
}

static const char *fixture_dir(char *buf, size_t size)
{
	const char *f = getenv("FIXTURES");

	assert_non_null(f);
	snprintf(buf, size, "%s/" FIXTURE, f);
	return buf;
}

/* ---- Image ---- */

static void test_image(void **state)
{
	_cleanup_(freep) uint8_t *img = fake_image(IMAGE_FILE_SIZE, 0, IMAGE_SIZE, 0xa);
	uint8_t gz[64] = { 0x1f, 0x8b, 8 }, garbage[256];
	Arm64Image a;
	Diag d = {};

	assert_int_equal(arm64_image_parse(img, IMAGE_FILE_SIZE, "/boot/vmlinuz", &a, &d), 0);
	assert_ptr_equal(a.data, img);
	assert_int_equal(a.size, IMAGE_FILE_SIZE);
	assert_int_equal(a.text_offset, 0);
	assert_int_equal(a.image_size, IMAGE_SIZE);
	assert_int_equal(a.page_kib, 4);
	assert_true(a.anywhere);

	for (size_t i = 0; i < sizeof(garbage); i++)
		garbage[i] = (uint8_t)(i * 31 + 5);
	assert_int_equal(arm64_image_parse(garbage, sizeof(garbage), "/boot/x", &a, &d), -ENOEXEC);
	assert_string_equal(d.file, "/boot/x");
	assert_string_equal(d.reason, "not an arm64 Image: no \"ARM\\x64\" magic at 0x38");

	assert_int_equal(arm64_image_parse(img, 63, "/boot/vmlinuz", &a, &d), -ENOEXEC);
	assert_string_equal(d.reason, "63 bytes: too short for an arm64 Image header (64)");

	put_le64(img + 24, 0xb); /* bit 0: big-endian */
	assert_int_equal(arm64_image_parse(img, IMAGE_FILE_SIZE, "/boot/vmlinuz", &a, &d), -ENOEXEC);
	assert_non_null(strstr(d.reason, "big-endian"));
	put_le64(img + 24, 0x6); /* 64 KiB pages, placement near the start of DRAM */
	assert_int_equal(arm64_image_parse(img, IMAGE_FILE_SIZE, "/boot/vmlinuz", &a, &d), 0);
	assert_int_equal(a.page_kib, 64);
	assert_false(a.anywhere);

	put_le64(img + 16, 0);
	assert_int_equal(arm64_image_parse(img, IMAGE_FILE_SIZE, "/boot/vmlinuz", &a, &d), -ENOEXEC);
	assert_non_null(strstr(d.reason, "older than 3.17"));
	put_le64(img + 16, IMAGE_FILE_SIZE - 1);
	assert_int_equal(arm64_image_parse(img, IMAGE_FILE_SIZE, "/boot/vmlinuz", &a, &d), -ENOEXEC);
	assert_non_null(strstr(d.reason, "smaller than the file"));
	put_le64(img + 16, IMAGE_SIZE);
	put_le64(img + 8, 0x80001);
	assert_int_equal(arm64_image_parse(img, IMAGE_FILE_SIZE, "/boot/vmlinuz", &a, &d), -ENOEXEC);
	assert_non_null(strstr(d.reason, "text_offset 0x80001"));

	assert_int_equal(arm64_image_parse(gz, sizeof(gz), "/boot/vmlinuz.gz", &a, &d), -ENOEXEC);
	assert_non_null(strstr(d.reason, "gzip-compressed"));
	memcpy(img, "MZ\0\0zimg", 8);
	assert_int_equal(arm64_image_parse(img, IMAGE_FILE_SIZE, "/boot/vmlinuz", &a, &d), -ENOEXEC);
	assert_non_null(strstr(d.reason, "EFI zboot"));
}

/* ---- the entry stub, decoded back ---- */

static uint64_t ldr_literal_target(uint32_t w, uint64_t pc, unsigned *rt)
{
	/* LDR (literal), 64-bit: opc 01, bits 29-24 011000. */
	assert_int_equal(w >> 24, 0x58);
	*rt = w & 31;
	return pc + 4 * (uint64_t)((w >> 5) & 0x7ffff);
}

static void assert_mov_xzr(uint32_t w, unsigned rd)
{
	/* ORR (shifted register), 64-bit, LSL #0: Rm = Rn = xzr. */
	assert_int_equal(w & 0xffe0fc00u, 0xaa000000u);
	assert_int_equal((w >> 16) & 31, 31);
	assert_int_equal((w >> 5) & 31, 31);
	assert_int_equal(w & 31, rd);
}

static void test_purgatory(void **state)
{
	uint8_t p[ARM64_PURGATORY_SIZE];
	unsigned rt;
	uint64_t at;

	memset(p, 0xee, sizeof(p));
	arm64_purgatory_build(0xb5ff0000ULL, 0xa9a00000ULL, p);

	at = ldr_literal_target(get_le32(p + 0), 0, &rt);
	assert_int_equal(rt, 0);
	assert_int_equal(at, ARM64_PURGATORY_DTB_OFFSET);
	assert_int_equal(get_le64(p + at), 0xb5ff0000ULL);
	assert_mov_xzr(get_le32(p + 4), 1);
	assert_mov_xzr(get_le32(p + 8), 2);
	assert_mov_xzr(get_le32(p + 12), 3);
	at = ldr_literal_target(get_le32(p + 16), 16, &rt);
	assert_int_equal(rt, 4);
	assert_int_equal(at, ARM64_PURGATORY_KERNEL_OFFSET);
	assert_int_equal(get_le64(p + at), 0xa9a00000ULL);
	/* BR x4: 1101011 0000 11111 000000 Rn 00000. */
	assert_int_equal(get_le32(p + 20) & 0xfffffc1fu, 0xd61f0000u);
	assert_int_equal((get_le32(p + 20) >> 5) & 31, 4);
	/* The literals are 8-byte aligned (LDR literal needs only 4, but the code keeps it). */
	assert_int_equal(ARM64_PURGATORY_DTB_OFFSET % 8, 0);
	assert_int_equal(ARM64_PURGATORY_KERNEL_OFFSET, ARM64_PURGATORY_DTB_OFFSET + 8);
}

/* ---- the device tree ---- */

static uint64_t cells_at(const fdt32_t *c, int n)
{
	return n == 2 ? (uint64_t)fdt32_to_cpu(c[0]) << 32 | fdt32_to_cpu(c[1]) : fdt32_to_cpu(c[0]);
}

static void read_fixture_fdt(uint8_t **fdt, size_t *size)
{
	char dir[PATH_MAX];
	Diag d = {};

	assert_int_equal(arm64_dtb_read(fixture_dir(dir, sizeof(dir)), ARM64_FDT_PATH, fdt, size, &d), 0);
}

static void test_dtb_real_tree(void **state)
{
	_cleanup_(freep) uint8_t *fdt = NULL, *out = NULL, *out2 = NULL;
	const Range usable[] = { { CRASH_START, CRASH_END }, { 0x20000000, 0x2fffffff } };
	Arm64DtbInput in = {
		.cmdline = USER_CMDLINE " elfcorehdr-is-not-here",
		.initrd = 0xabc00000, .initrd_size = INITRD_SIZE,
		.elfcorehdr = 0xb9990000, .elfcorehdr_size = 0x10000,
		.usable = usable, .n_usable = 2,
	};
	size_t size, out_size, out2_size;
	const fdt32_t *c;
	const char *s;
	int chosen, len, mem_before, mem_after;
	Diag d = {};

	read_fixture_fdt(&fdt, &size);
	/* What the real tree has before: QEMU's /chosen, with a kaslr-seed. */
	chosen = fdt_path_offset(fdt, "/chosen");
	assert_true(chosen >= 0);
	assert_non_null(fdt_getprop(fdt, chosen, "kaslr-seed", &len));
	assert_string_equal(fdt_getprop(fdt, chosen, "bootargs", NULL), "console=ttyAMA0 crashkernel=256M panic=-1");
	assert_int_equal(fdt_address_cells(fdt, 0), 2);
	assert_int_equal(fdt_size_cells(fdt, 0), 2);
	mem_before = fdt_path_offset(fdt, "/memory@40000000");
	assert_true(mem_before >= 0);

	assert_int_equal(arm64_dtb_build(fdt, size, ARM64_FDT_PATH, &in, &out, &out_size, &d), 0);
	assert_int_equal(fdt_check_header(out), 0);
	assert_int_equal(fdt_totalsize(out), out_size);
	assert_true(out_size <= ARM64_DTB_MAX_SIZE);
	chosen = fdt_path_offset(out, "/chosen");
	assert_true(chosen >= 0);
	s = fdt_getprop(out, chosen, "bootargs", &len);
	assert_non_null(s);
	assert_string_equal(s, in.cmdline);
	c = fdt_getprop(out, chosen, "linux,initrd-start", &len);
	assert_int_equal(len, 8);
	assert_int_equal(cells_at(c, 2), 0xabc00000);
	c = fdt_getprop(out, chosen, "linux,initrd-end", &len);
	assert_int_equal(len, 8);
	assert_int_equal(cells_at(c, 2), 0xabc00000 + INITRD_SIZE); /* exclusive */
	c = fdt_getprop(out, chosen, "linux,elfcorehdr", &len);
	assert_int_equal(len, 16); /* <address size> in 2 + 2 cells */
	assert_int_equal(cells_at(c, 2), 0xb9990000);
	assert_int_equal(cells_at(c + 2, 2), 0x10000);
	c = fdt_getprop(out, chosen, "linux,usable-memory-range", &len);
	assert_int_equal(len, 32);
	assert_int_equal(cells_at(c, 2), CRASH_START); /* the main region first */
	assert_int_equal(cells_at(c + 2, 2), CRASH_END - CRASH_START + 1);
	assert_int_equal(cells_at(c + 4, 2), 0x20000000); /* the low one last */
	assert_int_equal(cells_at(c + 6, 2), 0x10000000);
	assert_null(fdt_getprop(out, chosen, "kaslr-seed", &len));
	assert_int_equal(len, -FDT_ERR_NOTFOUND);
	assert_null(fdt_getprop(out, chosen, "rng-seed", NULL));
	/* The rest of the tree is the running kernel's. */
	assert_string_equal(fdt_getprop(out, chosen, "stdout-path", NULL), fdt_getprop(fdt, fdt_path_offset(fdt, "/chosen"), "stdout-path", NULL));
	mem_after = fdt_path_offset(out, "/memory@40000000");
	assert_true(mem_after >= 0);
	assert_memory_equal(fdt_getprop(out, mem_after, "reg", &len), fdt_getprop(fdt, mem_before, "reg", NULL), 16);
	assert_string_equal(fdt_getprop(out, 0, "compatible", NULL), "linux,dummy-virt");

	/* Without an initrd the properties go (the running kernel's were QEMU's). */
	in.initrd_size = 0;
	in.n_usable = 1;
	assert_int_equal(arm64_dtb_build(out, out_size, "first", &in, &out2, &out2_size, &d), 0);
	chosen = fdt_path_offset(out2, "/chosen");
	assert_null(fdt_getprop(out2, chosen, "linux,initrd-start", NULL));
	assert_null(fdt_getprop(out2, chosen, "linux,initrd-end", NULL));
	assert_non_null(fdt_getprop(out2, chosen, "linux,usable-memory-range", &len));
	assert_int_equal(len, 16);
}

/* A tree with 1-cell addresses and no /chosen: the node is made, values that do not fit the
 * cells are refused; garbage is not a tree. */
static void test_dtb_cells(void **state)
{
	uint8_t tree[1024], junk[128];
	_cleanup_(freep) uint8_t *out = NULL;
	const Range usable[] = { { 0x80000000, 0x8fffffff } };
	Arm64DtbInput in = {
		.cmdline = "console=ttyS0", .elfcorehdr = 0x8fff0000, .elfcorehdr_size = 0x10000,
		.usable = usable, .n_usable = 1,
	};
	const fdt32_t *c;
	size_t size;
	int len;
	Diag d = {};

	assert_int_equal(fdt_create_empty_tree(tree, sizeof(tree)), 0);
	assert_int_equal(fdt_setprop_u32(tree, 0, "#address-cells", 1), 0);
	assert_int_equal(fdt_setprop_u32(tree, 0, "#size-cells", 1), 0);
	assert_int_equal(arm64_dtb_build(tree, fdt_totalsize(tree), "small", &in, &out, &size, &d), 0);
	c = fdt_getprop(out, fdt_path_offset(out, "/chosen"), "linux,elfcorehdr", &len);
	assert_int_equal(len, 8);
	assert_int_equal(cells_at(c, 1), 0x8fff0000);
	assert_int_equal(cells_at(c + 1, 1), 0x10000);
	free(TAKE_PTR(out));

	in.elfcorehdr = 0x1fff0000ULL << 4;
	assert_int_equal(arm64_dtb_build(tree, fdt_totalsize(tree), "small", &in, &out, &size, &d), -ERANGE);
	assert_string_equal(d.file, "small");
	assert_non_null(strstr(d.reason, "linux,elfcorehdr: 0x1fff00000+0x10000 does not fit #address-cells 1"));

	memset(junk, 0x5a, sizeof(junk));
	assert_int_equal(arm64_dtb_build(junk, sizeof(junk), "junk", &in, &out, &size, &d), -EINVAL);
	assert_string_equal(d.reason, "not a flattened device tree");
}

/* ---- placement ---- */

static void assert_in_order(const Arm64Layout *l, const Range *crash)
{
	const uint64_t s[][2] = {
		{ l->kernel, l->kernel_memsz }, { l->initrd, l->initrd_memsz }, { l->dtb, l->dtb_memsz },
		{ l->purgatory, l->purgatory_memsz }, { l->header, l->header_memsz },
	};
	uint64_t prev_end = crash->start;

	for (size_t i = 0; i < ELEMENTSOF(s); i++) {
		if (s[i][1] == 0)
			continue;
		assert_int_equal(s[i][0] % SZ_64K, 0);
		assert_int_equal(s[i][1] % SZ_64K, 0);
		assert_true(s[i][0] >= prev_end); /* in the region, no overlap */
		prev_end = s[i][0] + s[i][1];
	}
	assert_true(prev_end - 1 <= crash->end);
}

static void test_layout(void **state)
{
	_cleanup_(freep) uint8_t *data = fake_image(IMAGE_FILE_SIZE, 0, IMAGE_SIZE, 0xa);
	const Range crash = { CRASH_START, CRASH_END }, odd = { 0x40100000, 0x4fffffff }, tiny = { CRASH_START, CRASH_START + (16 << 20) - 1 };
	Arm64Image img;
	Arm64Layout l;
	Diag d = {};

	assert_int_equal(arm64_image_parse(data, IMAGE_FILE_SIZE, "k", &img, &d), 0);
	assert_int_equal(arm64_layout(&crash, &img, INITRD_SIZE, 7867, ARM64_PURGATORY_SIZE, elfcorehdr_capacity(8200), &l, &d), 0);
	assert_in_order(&l, &crash);
	assert_int_equal(l.kernel, CRASH_START); /* already 2 MiB aligned, text_offset 0 */
	assert_int_equal(l.kernel_memsz, ALIGN_UP(IMAGE_SIZE, SZ_64K));
	assert_int_equal(l.initrd, l.kernel + l.kernel_memsz);
	assert_int_equal(l.initrd_memsz, ALIGN_UP(INITRD_SIZE, SZ_64K));
	assert_int_equal(l.dtb, l.initrd + l.initrd_memsz);
	assert_int_equal(l.dtb % 8, 0);
	assert_int_equal(l.header + l.header_memsz, CRASH_END + 1); /* the top: fixed by region and MaxPhdrs */
	assert_int_equal(l.header_memsz, ALIGN_UP(elfcorehdr_capacity(8200), SZ_64K));
	assert_int_equal(l.purgatory + l.purgatory_memsz, l.header);
	assert_true(l.free_bytes >= ARM64_LAYOUT_MIN_FREE);

	/* A region not 2 MiB aligned at its start, a legacy text_offset of 512 KiB, no initrd. */
	put_le64(data + 8, 0x80000);
	assert_int_equal(arm64_image_parse(data, IMAGE_FILE_SIZE, "k", &img, &d), 0);
	assert_int_equal(arm64_layout(&odd, &img, 0, 7867, ARM64_PURGATORY_SIZE, 0x3000, &l, &d), 0);
	assert_in_order(&l, &odd);
	assert_int_equal(l.kernel, 0x40200000 + 0x80000);
	assert_int_equal(l.initrd_memsz, 0);
	assert_int_equal(l.dtb, l.kernel + l.kernel_memsz);

	/* Too small: 16 MiB for a 32 MiB Image. */
	assert_int_equal(arm64_layout(&tiny, &img, INITRD_SIZE, 7867, ARM64_PURGATORY_SIZE, 0x3000, &l, &d), -ENOSPC);
	assert_non_null(strstr(d.reason, "raise crashkernel="));
	/* A DTB over 2 MiB is refused whatever the room. */
	assert_int_equal(arm64_layout(&crash, &img, 0, ARM64_DTB_MAX_SIZE + 1, ARM64_PURGATORY_SIZE, 0x3000, &l, &d), -EINVAL);
}

/* ---- the loader against a fake kexec_load ---- */

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

typedef struct Env {
	char root[512];
	Fake fake;
	KexecOps ops;
	Config cfg;
	Topology *topo;
	size_t capacity;
	uint8_t *header;
	size_t header_used;
	Loader *loader;
} Env;

/* A root with the fixture's proc/ and sys/firmware/, a fake Image and an initrd; the
 * topology is the fixture's own, read by its kcore's architecture (arm64). */
static void env_setup(Env *e, const uint8_t *kernel, size_t kernel_size)
{
	char fixture[PATH_MAX - 64], src[PATH_MAX], dst[PATH_MAX];
	_cleanup_(freep) uint8_t *initrd = malloc(INITRD_SIZE);
	Diag d = {};

	*e = (Env){};
	fixture_dir(fixture, sizeof(fixture));
	snprintf(e->root, sizeof(e->root), "%s/test-arm64-segments-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : P_tmpdir);
	assert_non_null(mkdtemp(e->root));
	snprintf(src, sizeof(src), "%s/proc", fixture);
	snprintf(dst, sizeof(dst), "%s/proc", e->root);
	assert_int_equal(symlink(src, dst), 0);
	snprintf(dst, sizeof(dst), "%s/sys", e->root);
	assert_int_equal(mkdir(dst, 0755), 0);
	snprintf(src, sizeof(src), "%s/sys/firmware", fixture);
	snprintf(dst, sizeof(dst), "%s/sys/firmware", e->root);
	assert_int_equal(symlink(src, dst), 0);
	scratch_put_data(e->root, "/sys/kernel/kexec_crash_size", "268435456\n", 10);
	scratch_put_data(e->root, "/boot/vmlinuz", kernel, kernel_size);
	assert_non_null(initrd);
	for (size_t i = 0; i < INITRD_SIZE; i++)
		initrd[i] = (uint8_t)(i * 13 + 1);
	scratch_put_data(e->root, "/boot/initrd.img", initrd, INITRD_SIZE);

	e->ops = (KexecOps){ .kexec_load = fake_kexec_load, .kexec_file_load = no_file_load, .userdata = &e->fake };
	config_init(&e->cfg);
	e->cfg.kernel = strdup("/boot/vmlinuz");
	e->cfg.initrd = strdup("/boot/initrd.img");
	e->cfg.command_line = strdup(USER_CMDLINE);
	assert_int_equal(topology_read(fixture, &e->topo, &d), 0);
	e->capacity = elfcorehdr_capacity(MAX_PHDRS);
	e->header = calloc(1, e->capacity);
	assert_non_null(e->header);
	assert_int_equal(elfcorehdr_build(e->topo, MAX_PHDRS, e->header, e->capacity, &e->header_used), 0);
}

static void env_teardown(Env *e)
{
	if (e->loader)
		e->loader->vtable->free(e->loader);
	call_clear(&e->fake.last);
	free(e->header);
	topology_free(e->topo);
	config_done(&e->cfg);
	assert_int_equal(nftw(e->root, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static int env_load(Env *e, LoadResult *res)
{
	LoadRequest req = {
		.topology = e->topo, .header = e->header, .header_used = e->header_used,
		.header_capacity = e->capacity, .reason = "test",
	};

	return e->loader->vtable->load(e->loader, &req, res);
}

static void test_loader(void **state)
{
	_cleanup_(freep) uint8_t *kernel = fake_image(IMAGE_FILE_SIZE, 0, IMAGE_SIZE, 0xa);
	uint8_t *first_copy[16] = {};
	const struct kexec_segment *dtb_seg = NULL, *hdr_seg = NULL;
	const Elf64_Ehdr *eh;
	const Elf64_Phdr *ph;
	const fdt32_t *c;
	SegmentsPlan plan;
	SegmentsStats st;
	LoadResult res;
	bool virtio_mem = false;
	char want[256];
	int chosen, len;
	Diag d = {};
	Env e;

	env_setup(&e, kernel, IMAGE_FILE_SIZE);
	assert_int_equal(arm64_segments_new_with(e.root, &e.cfg, &e.ops, NULL, &e.loader), 0);
	assert_int_equal(arm64_segments_plan(e.loader, e.topo, e.capacity, &plan, &d), 0);
	assert_int_equal(plan.n_segs, 5);
	assert_string_equal(plan.segs[0].what, "kernel");
	assert_string_equal(plan.segs[1].what, "initrd");
	assert_string_equal(plan.segs[2].what, "dtb");
	assert_string_equal(plan.segs[3].what, "purgatory");
	assert_string_equal(plan.segs[4].what, "elfcorehdr");
	assert_int_equal(plan.header_seg, 4);
	assert_int_equal(plan.crash.start, CRASH_START);
	assert_int_equal(plan.crash.end, CRASH_END);
	assert_int_equal(plan.entry, plan.segs[3].mem);
	assert_int_equal(plan.kernel_entry, plan.segs[0].mem);
	assert_int_equal(plan.segs[4].mem + plan.segs[4].memsz, CRASH_END + 1);

	assert_int_equal(env_load(&e, &res), 0);
	assert_int_equal(e.fake.calls, 1);
	/* The detail: the segments, where the header went and how full it is, the device tree. */
	snprintf(want, sizeof(want), ": %zu segments, elfcorehdr at 0x%" PRIx64 " (%zu of %zu bytes), device tree at 0x%"
		 PRIx64, plan.n_segs, plan.segs[4].mem, e.header_used, e.capacity, plan.segs[2].mem);
	assert_true(startswith(res.detail, "kexec_load of "));
	assert_true(strlen(res.detail) > strlen(want));
	assert_string_equal(res.detail + strlen(res.detail) - strlen(want), want);
	/* Exactly the planned segments, entry and flags. */
	assert_int_equal(e.fake.last.flags, KEXEC_ON_CRASH | (183 << 16));
	assert_int_equal(e.fake.last.entry, plan.entry);
	assert_int_equal(e.fake.last.n, plan.n_segs);
	for (size_t i = 0; i < plan.n_segs; i++) {
		assert_int_equal((uint64_t)(uintptr_t)e.fake.last.seg[i].mem, plan.segs[i].mem);
		assert_int_equal(e.fake.last.seg[i].memsz, plan.segs[i].memsz);
		if (i != plan.header_seg)
			assert_int_equal(e.fake.last.seg[i].bufsz, plan.segs[i].bufsz);
	}
	dtb_seg = &e.fake.last.seg[2];
	hdr_seg = &e.fake.last.seg[4];
	/* The kernel and initrd as read from disk. */
	assert_memory_equal(e.fake.last.copy[0], kernel, IMAGE_FILE_SIZE);
	assert_int_equal(e.fake.last.seg[1].bufsz, INITRD_SIZE);
	/* The header as given: EM_AARCH64, the virtio-mem RAM at 0xc0000000 among its PT_LOADs. */
	assert_int_equal(hdr_seg->bufsz, e.header_used);
	assert_memory_equal(e.fake.last.copy[4], e.header, e.header_used);
	eh = (const Elf64_Ehdr *)e.fake.last.copy[4];
	assert_int_equal(eh->e_machine, EM_AARCH64);
	ph = (const Elf64_Phdr *)(e.fake.last.copy[4] + eh->e_phoff);
	for (size_t i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_paddr == 0xc0000000 && ph[i].p_memsz == 0x20000000)
			virtio_mem = true;
	assert_true(virtio_mem);
	/* The device tree points at the header segment and the initrd, and the stub at both. */
	assert_int_equal(fdt_check_header(e.fake.last.copy[2]), 0);
	chosen = fdt_path_offset(e.fake.last.copy[2], "/chosen");
	c = fdt_getprop(e.fake.last.copy[2], chosen, "linux,elfcorehdr", &len);
	assert_int_equal(len, 16);
	assert_int_equal(cells_at(c, 2), (uint64_t)(uintptr_t)hdr_seg->mem);
	assert_int_equal(cells_at(c + 2, 2), hdr_seg->memsz);
	c = fdt_getprop(e.fake.last.copy[2], chosen, "linux,initrd-start", &len);
	assert_int_equal(cells_at(c, 2), (uint64_t)(uintptr_t)e.fake.last.seg[1].mem);
	c = fdt_getprop(e.fake.last.copy[2], chosen, "linux,usable-memory-range", &len);
	assert_int_equal(len, 16);
	assert_int_equal(cells_at(c, 2), CRASH_START);
	assert_int_equal(cells_at(c + 2, 2), CRASH_END - CRASH_START + 1);
	/* CommandLine= and what the daemon appends for a capture kernel (config_capture_cmdline()). */
	assert_true(startswith(fdt_getprop(e.fake.last.copy[2], chosen, "bootargs", NULL), USER_CMDLINE " "));
	assert_int_equal(get_le64(e.fake.last.copy[3] + ARM64_PURGATORY_DTB_OFFSET), (uint64_t)(uintptr_t)dtb_seg->mem);
	assert_int_equal(get_le64(e.fake.last.copy[3] + ARM64_PURGATORY_KERNEL_OFFSET), plan.kernel_entry);
	for (size_t i = 0; i < e.fake.last.n; i++) {
		first_copy[i] = malloc(e.fake.last.seg[i].memsz);
		assert_non_null(first_copy[i]);
		memcpy(first_copy[i], e.fake.last.copy[i], e.fake.last.seg[i].memsz);
	}

	/* A reload with another header (a CPU gone: one note less) replaces only the header;
	 * nothing is planned again. */
	{
		Topology *t = e.topo;
		const void *bufs[16];

		for (size_t i = 0; i < e.fake.last.n; i++)
			bufs[i] = e.fake.last.seg[i].buf;
		t->n_cpus = 1;
		memset(e.header, 0, e.capacity);
		assert_int_equal(elfcorehdr_build(t, MAX_PHDRS, e.header, e.capacity, &e.header_used), 0);
		assert_int_equal(env_load(&e, &res), 0);
		assert_int_equal(e.fake.calls, 2);
		assert_int_equal(arm64_segments_stats(e.loader, &st), 0);
		assert_int_equal(st.plans, 1);
		assert_int_equal(st.loads, 2);
		assert_int_equal(st.header_addr, plan.segs[4].mem);
		for (size_t i = 0; i < e.fake.last.n; i++) {
			assert_int_equal((uint64_t)(uintptr_t)e.fake.last.seg[i].mem, plan.segs[i].mem);
			if (i == plan.header_seg)
				continue;
			assert_ptr_equal(e.fake.last.seg[i].buf, bufs[i]); /* re-submitted from memory */
			assert_memory_equal(e.fake.last.copy[i], first_copy[i], e.fake.last.seg[i].memsz);
		}
		assert_int_equal(e.fake.last.seg[4].bufsz, e.header_used);
		assert_memory_equal(e.fake.last.copy[4], e.header, e.header_used);
		assert_memory_not_equal(e.fake.last.copy[4], first_copy[4], 64 + 56 * 3);
	}

	/* The kernel's answer is reported, not hidden. */
	e.fake.fail_errno = EADDRNOTAVAIL;
	assert_int_equal(env_load(&e, &res), -EADDRNOTAVAIL);
	assert_non_null(strstr(res.detail, "outside the crash region"));
	for (size_t i = 0; i < ELEMENTSOF(first_copy); i++)
		free(first_copy[i]);
	memset(first_copy, 0, sizeof(first_copy));
	env_teardown(&e);
}

/* probe() and new() refuse what cannot load, before anything is unloaded. */
static void test_probe(void **state)
{
	uint8_t garbage[4096];
	char why[512];
	Loader *l = NULL;
	Env e;

	for (size_t i = 0; i < sizeof(garbage); i++)
		garbage[i] = (uint8_t)(i * 31 + 5);
	env_setup(&e, garbage, sizeof(garbage));
	assert_int_equal(arm64_segments_vtable.probe(e.root, &e.cfg, why, sizeof(why)), -ENOEXEC);
	assert_string_equal(why, "/boot/vmlinuz: not an arm64 Image: no \"ARM\\x64\" magic at 0x38");
	assert_int_equal(arm64_segments_new_with(e.root, &e.cfg, &e.ops, NULL, &l), -ENOEXEC);
	assert_null(l);
	assert_int_equal(e.fake.calls, 0);
	scratch_put_data(e.root, "/sys/kernel/security/lockdown", "none [integrity] confidentiality\n", 34);
	assert_int_equal(arm64_segments_vtable.probe(e.root, &e.cfg, why, sizeof(why)), -EPERM);
	assert_string_equal(why, "kernel lockdown \"integrity\" forbids kexec_load");
	env_teardown(&e);

	{
		_cleanup_(freep) uint8_t *kernel = fake_image(IMAGE_FILE_SIZE, 0, IMAGE_SIZE, 0xa);
		char path[PATH_MAX];

		env_setup(&e, kernel, IMAGE_FILE_SIZE);
		assert_int_equal(arm64_segments_vtable.probe(e.root, &e.cfg, why, sizeof(why)), 0);
		/* No /sys/firmware/fdt (an ACPI-only kernel without CONFIG_OF): said, not guessed. */
		snprintf(path, sizeof(path), "%s/sys/firmware", e.root);
		assert_int_equal(unlink(path), 0);
		assert_int_equal(arm64_segments_vtable.probe(e.root, &e.cfg, why, sizeof(why)), -ENOENT);
		assert_non_null(strstr(why, "/sys/firmware/fdt"));
		env_teardown(&e);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_image),
		cmocka_unit_test(test_purgatory),
		cmocka_unit_test(test_dtb_real_tree),
		cmocka_unit_test(test_dtb_cells),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_loader),
		cmocka_unit_test(test_probe),
	};
	return cmocka_run_group_tests_name("arm64-segments", tests, NULL, NULL);
}
