/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Loader=segments against a fake kexec_load: placement, boot_params, e820, command line,
 * purgatory parameters (checked by running the real purgatory's verify routine on the
 * segments as the kernel would place them), reload cost, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "bzimage-fixture.h"
#include "fake-kexec.h"
#include "config.h"
#include "elfcorehdr.h"
#include "iomem.h"
#include "x86/loader-segments.h"
#include "path.h"
#include "sha256.h"
#include "x86/e820.h"
#include "x86/firmware.h"
#include "x86/layout.h"
#include "x86/purgatory.h"
#include "x86/zeropage.h"

#define KERNEL_SIZE 0x30000u
#define INITRD_SIZE 0x12345u
#define MAX_PHDRS 8200u
#define PAGE 4096u
#define USER_CMDLINE "console=ttyS0 irqpoll nr_cpus=1 reset_devices"

/* ---- a root directory: fixture proc/ and sys/firmware/, generated boot files ---- */

typedef struct Root {
	char dir[512];
} Root;

typedef struct RootSpec {
	const char *fixture;        /* tests/fixtures/<name> */
	const uint8_t *boot_params; /* 4096 bytes for sys/kernel/boot_params/data, or NULL */
	const char *lockdown;       /* sys/kernel/security/lockdown, or NULL */
	bool no_initrd;
	bool bad_kernel;
} RootSpec;

static void write_file(const char *root, const char *path, const void *data, size_t size)
{
	char full[PATH_MAX], dir[PATH_MAX], *slash;
	FILE *f;

	assert_int_equal(path_join(root, path, full, sizeof(full)), 0);
	snprintf(dir, sizeof(dir), "%s", full);
	for (slash = strchr(dir + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		(void)mkdir(dir, 0755);
		*slash = '/';
	}
	f = fopen(full, "we");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, size, f), size);
	assert_int_equal(fclose(f), 0);
}

static void root_make(Root *r, const RootSpec *spec)
{
	const char *fixtures = getenv("FIXTURES");
	char src[PATH_MAX], dst[PATH_MAX];
	size_t ksize;
	uint8_t *k;
	struct stat st;

	assert_non_null(fixtures);
	snprintf(r->dir, sizeof(r->dir), "%s/test-segments-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : P_tmpdir);
	assert_non_null(mkdtemp(r->dir));

	snprintf(src, sizeof(src), "%s/%s/proc", fixtures, spec->fixture);
	snprintf(dst, sizeof(dst), "%s/proc", r->dir);
	assert_int_equal(symlink(src, dst), 0);
	snprintf(src, sizeof(src), "%s/%s/sys/firmware", fixtures, spec->fixture);
	if (stat(src, &st) == 0) {
		snprintf(dst, sizeof(dst), "%s/sys", r->dir);
		assert_int_equal(mkdir(dst, 0755), 0);
		snprintf(dst, sizeof(dst), "%s/sys/firmware", r->dir);
		assert_int_equal(symlink(src, dst), 0);
	}
	write_file(r->dir, "/sys/kernel/kexec_crash_size", "268435456\n", 10);
	if (spec->boot_params)
		write_file(r->dir, "/sys/kernel/boot_params/data", spec->boot_params, BP_SIZE);
	if (spec->lockdown)
		write_file(r->dir, "/sys/kernel/security/lockdown", spec->lockdown, strlen(spec->lockdown));

	k = fake_bzimage(KERNEL_SIZE, &ksize);
	if (spec->bad_kernel)
		put_le16(k + HDR_XLOADFLAGS, 0);
	write_file(r->dir, "/boot/vmlinuz", k, ksize);
	free(k);
	if (!spec->no_initrd) {
		uint8_t *i = malloc(INITRD_SIZE);

		assert_non_null(i);
		for (size_t n = 0; n < INITRD_SIZE; n++)
			i[n] = (uint8_t)(n * 13 + 1);
		write_file(r->dir, "/boot/initrd.img", i, INITRD_SIZE);
		free(i);
	}
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void root_remove(Root *r)
{
	assert_int_equal(nftw(r->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

/* ---- what a crash kernel would see ---- */

/* Host pointer of physical range [pa, pa+len) in the recorded segments, or NULL. */
static uint8_t *phys(const Call *c, uint64_t pa, uint64_t len)
{
	for (size_t i = 0; i < c->n; i++) {
		uint64_t mem = (uint64_t)(uintptr_t)c->seg[i].mem;

		if (pa >= mem && pa + len <= mem + c->seg[i].memsz)
			return c->copy[i] + (pa - mem);
	}
	return NULL;
}

static const struct kexec_segment *seg_at(const Call *c, uint64_t pa)
{
	for (size_t i = 0; i < c->n; i++)
		if ((uint64_t)(uintptr_t)c->seg[i].mem == pa)
			return &c->seg[i];
	return NULL;
}

/* Runs the purgatory's own verify routine, compiled freestanding, on the recorded segments:
 * a copy of the purgatory segment is made executable, its region addresses rewritten from
 * physical to host pointers, and purgatory_verify() called. Returns what it returns. */
static int run_purgatory_verify(const Call *c)
{
	const uint8_t *purg = phys(c, c->entry, purgatory_blob_size);
	PurgatoryParams p;
	uint8_t *code;
	int r;

	assert_non_null(purg);
	memcpy(&p, purg + PURGATORY_PARAMS_OFFSET, sizeof(p));
	assert_true(p.n_regions <= PURGATORY_MAX_REGIONS);
	for (uint32_t i = 0; i < p.n_regions; i++) {
		uint8_t *h = phys(c, p.regions[i].start, p.regions[i].len);

		assert_non_null(h);
		/* Never the purgatory itself: it is patched on every load. */
		assert_false(p.regions[i].start >= c->entry && p.regions[i].start < c->entry + purgatory_memsz);
		p.regions[i].start = (uint64_t)(uintptr_t)h;
	}
	code = mmap(NULL, purgatory_memsz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(code != MAP_FAILED);
	memcpy(code, purg, purgatory_blob_size);
	memcpy(code + PURGATORY_PARAMS_OFFSET, &p, sizeof(p));
	assert_int_equal(mprotect(code, purgatory_memsz, PROT_READ | PROT_EXEC), 0);
	r = ((int (*)(void))(void *)(code + purgatory_verify_offset))();
	munmap(code, purgatory_memsz);
	return r;
}

static PurgatoryParams params_of(const Call *c)
{
	PurgatoryParams p;

	memcpy(&p, phys(c, c->entry, purgatory_blob_size) + PURGATORY_PARAMS_OFFSET, sizeof(p));
	return p;
}

/* ---- request helpers ---- */

typedef struct Env {
	Root root;
	Fake fake;
	KexecOps ops;
	Config cfg;
	Topology topo;
	size_t capacity;
	uint8_t *header;
	size_t header_used;
	Loader *loader;
} Env;

static void env_topology(Env *e, const char *fixture)
{
	_cleanup_(iomem_freep) Iomem *m = NULL;
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/proc/iomem", getenv("FIXTURES"), fixture);
	f = fopen(path, "re");
	assert_non_null(f);
	assert_int_equal(iomem_parse_stream(f, path, &m, NULL), 0);
	fclose(f);
	for (size_t i = 0; i < m->n_entries; i++)
		if (streq(m->entries[i].name, "Crash kernel"))
			e->topo.crash[e->topo.n_crash++] = (Range){ m->entries[i].start, m->entries[i].end };
}

/* A header-shaped buffer: only its bytes matter to the loader. */
static void env_header(Env *e, size_t phdrs, uint8_t seed)
{
	e->header_used = 64 + 56 * phdrs;
	memset(e->header, 0, e->capacity);
	memcpy(e->header, "\177ELF", 4);
	for (size_t i = 4; i < e->header_used; i++)
		e->header[i] = (uint8_t)(i * seed + seed);
}

static void env_setup(Env *e, const RootSpec *spec)
{
	SegmentsOptions o = {};

	*e = (Env){};
	root_make(&e->root, spec);
	e->ops = (KexecOps){ .kexec_load = fake_kexec_load, .kexec_file_load = no_file_load, .userdata = &e->fake };
	config_init(&e->cfg);
	e->cfg.kernel = strdup("/boot/vmlinuz");
	e->cfg.initrd = spec->no_initrd ? NULL : strdup("/boot/initrd.img");
	e->cfg.command_line = strdup(USER_CMDLINE);
	env_topology(e, spec->fixture);
	e->capacity = elfcorehdr_capacity(MAX_PHDRS);
	assert_int_equal(e->capacity, ALIGN_UP(64 + 56 * MAX_PHDRS, PAGE));
	e->header = malloc(e->capacity);
	assert_non_null(e->header);
	env_header(e, 7, 3);
	assert_int_equal(loader_segments_new_with(e->root.dir, &e->cfg, &e->ops, &o, &e->loader), 0);
}

static int env_load(Env *e, LoadResult *res)
{
	LoadRequest req = {
		.topology = &e->topo, .header = e->header, .header_used = e->header_used,
		.header_capacity = e->capacity, .reason = "test",
	};

	*res = (LoadResult){};
	return e->loader->vtable->load(e->loader, &req, res);
}

static void env_teardown(Env *e)
{
	if (e->loader)
		e->loader->vtable->free(e->loader);
	call_clear(&e->fake.last);
	free(e->header);
	config_done(&e->cfg);
	root_remove(&e->root);
}

/* The checks every successful load must pass, whatever the machine. */
static void check_load(const Env *e, const Range *main_region)
{
	const Call *c = &e->fake.last;
	const struct kexec_segment *hdr;
	uint64_t prev_end = 0;

	assert_int_equal(c->flags, KEXEC_ON_CRASH | KEXEC_ARCH_X86_64);
	assert_true(c->n >= 4 && c->n <= 16);
	for (size_t i = 0; i < c->n; i++) {
		uint64_t mem = (uint64_t)(uintptr_t)c->seg[i].mem, end = mem + c->seg[i].memsz;

		assert_int_equal(mem % PAGE, 0);
		assert_int_equal(c->seg[i].memsz % PAGE, 0);
		assert_true(c->seg[i].memsz > 0);
		assert_true(mem >= main_region->start && end - 1 <= main_region->end);
		assert_true(mem >= prev_end); /* ascending, no overlap */
		prev_end = end;
	}
	/* The entry point is the purgatory segment. */
	assert_non_null(seg_at(c, c->entry));
	assert_int_equal(seg_at(c, c->entry)->bufsz, purgatory_blob_size);
	/* The header: top of the region, full capacity reserved, only the used bytes copied. */
	hdr = seg_at(c, main_region->end + 1 - e->capacity);
	assert_non_null(hdr);
	assert_int_equal(hdr->memsz, e->capacity);
	assert_int_equal(hdr->bufsz, e->header_used);
	assert_memory_equal(phys(c, (uint64_t)(uintptr_t)hdr->mem, e->header_used), e->header, e->header_used);
	/* And the real purgatory accepts what the loader built. */
	assert_int_equal(run_purgatory_verify(c), 0);
}

static const uint8_t *zero_page(const Call *c)
{
	PurgatoryParams p = params_of(c);
	const uint8_t *bp = phys(c, p.boot_params, BP_SIZE);

	assert_non_null(bp);
	return bp;
}

static const char *cmdline_of(const Call *c)
{
	const uint8_t *bp = zero_page(c);
	uint64_t ptr = get_le32(bp + HDR_CMD_LINE_PTR) | (uint64_t)get_le32(bp + BP_EXT_CMD_LINE_PTR) << 32;

	return (const char *)phys(c, ptr, 1);
}

static size_t e820_of(const Call *c, E820Entry *out, size_t max)
{
	const uint8_t *bp = zero_page(c);
	size_t n = bp[BP_E820_ENTRIES];

	assert_true(n <= max);
	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = bp + BP_E820_TABLE + i * E820_ENTRY_SIZE;

		out[i] = (E820Entry){ get_le64(p), get_le64(p + 8), get_le32(p + 16) };
	}
	return n;
}

static bool e820_has(const E820Entry *e, size_t n, uint64_t addr, uint64_t size, uint32_t type)
{
	for (size_t i = 0; i < n; i++)
		if (e[i].addr == addr && e[i].size == size && e[i].type == type)
			return true;
	return false;
}

/* ---- tests ---- */

static const Range BIOS_CRASH = { 0x2f000000, 0x3effffff };

static void test_bios_load(void **state)
{
	Env e;
	LoadResult res;
	const Call *c = &e.fake.last;
	RootSpec spec = { .fixture = "segments-bios" };
	uint64_t hdr;
	PurgatoryParams p;
	E820Entry map[128];
	const uint8_t *bp;
	char expect[128];
	size_t n;

	env_setup(&e, &spec);
	assert_int_equal(env_load(&e, &res), 0);
	print_message("# %s\n", res.detail);
	check_load(&e, &BIOS_CRASH);
	hdr = BIOS_CRASH.end + 1 - e.capacity;

	/* Five segments: kernel at the first 2 MiB boundary, initrd, purgatory, boot_params, header. */
	assert_int_equal(c->n, 5);
	assert_int_equal((uintptr_t)c->seg[0].mem, 0x2f000000);
	assert_int_equal(c->seg[0].memsz, FAKE_INIT_SIZE);
	assert_int_equal(c->seg[0].bufsz, KERNEL_SIZE);
	assert_int_equal((uintptr_t)c->seg[1].mem, 0x2f000000 + FAKE_INIT_SIZE);
	assert_int_equal(c->seg[1].bufsz, INITRD_SIZE);

	p = params_of(c);
	assert_int_equal(p.kernel_entry, 0x2f000000 + 0x200);
	assert_int_equal(p.n_regions, 4); /* kernel, initrd, boot_params, header last */
	assert_int_equal(p.regions[3].start, hdr);
	assert_int_equal(p.regions[3].len, e.header_used);
	assert_int_equal(p.serial_port, 0);

	/* Command line: elfcorehdr= first, then the configured one; no RSDP known here. */
	snprintf(expect, sizeof(expect), "elfcorehdr=0x%" PRIx64 " " USER_CMDLINE " acpi_no_memhotplug", hdr);
	assert_string_equal(cmdline_of(c), expect);

	bp = zero_page(c);
	assert_int_equal(bp[HDR_TYPE_OF_LOADER], 0xff);
	assert_int_equal(get_le32(bp + HDR_HEADER), HDR_MAGIC);
	assert_int_equal(bp[BP_SENTINEL], 0);
	assert_int_equal(get_le32(bp + HDR_RAMDISK_IMAGE), 0x2f000000 + FAKE_INIT_SIZE);
	assert_int_equal(get_le32(bp + HDR_RAMDISK_SIZE), INITRD_SIZE);
	assert_int_equal(get_le32(bp + BP_EXT_RAMDISK_IMAGE), 0);
	assert_int_equal(get_le64(bp + HDR_SETUP_DATA), 0);
	assert_int_equal(get_le32(bp + BP_EFI_INFO + BP_EFI_MEMMAP_SIZE), 0);

	/* e820: low RAM, the reserved ranges, the crash region minus the header. */
	n = e820_of(c, map, 128);
	assert_true(e820_has(map, n, 0x1000, 0x9ec00, E820_RAM));
	assert_true(e820_has(map, n, 0x0, 0x1000, E820_RESERVED));
	assert_true(e820_has(map, n, 0x9fc00, 0x400, E820_RESERVED));
	assert_true(e820_has(map, n, 0xf0000, 0x10000, E820_RESERVED));
	assert_true(e820_has(map, n, 0x3ffe0000, 0x20000, E820_RESERVED));
	assert_true(e820_has(map, n, 0xfffc0000, 0x40000, E820_RESERVED));
	assert_true(e820_has(map, n, 0x2f000000, hdr - 0x2f000000, E820_RAM));
	assert_int_equal(n, 7);
	for (size_t i = 0; i < n; i++) {
		/* Nothing of the header is usable memory, nothing outside the region but low 1 MiB. */
		if (map[i].type == E820_RAM) {
			assert_true(map[i].addr + map[i].size <= hdr || map[i].addr >= hdr + e.capacity);
			assert_true(map[i].addr + map[i].size <= 0x100000 || map[i].addr >= BIOS_CRASH.start);
		}
		if (i)
			assert_true(map[i].addr >= map[i - 1].addr);
	}
	env_teardown(&e);
}

/* The plan-only entry point shows what the next load submits, and the load reuses it. */
static void test_plan_is_what_loads(void **state)
{
	static const char *const names[] = { "kernel", "initrd", "purgatory", "boot_params", "elfcorehdr" };
	Env e;
	LoadResult res;
	const Call *c = &e.fake.last;
	RootSpec spec = { .fixture = "segments-bios" };
	SegmentsPlan p, untouched = { .n_segs = 99 };
	SegmentsStats st;
	Topology none = {};
	Diag d = {};

	env_setup(&e, &spec);
	assert_int_equal(loader_segments_plan(e.loader, &e.topo, e.capacity, &p, &d), 0);
	assert_int_equal(e.fake.calls, 0); /* planning loads nothing */
	assert_int_equal(p.n_segs, 5);
	assert_int_equal(p.header_seg, 4);
	assert_int_equal(p.crash.start, BIOS_CRASH.start);
	assert_int_equal(p.segs[4].mem, BIOS_CRASH.end + 1 - e.capacity);
	assert_int_equal(p.segs[4].memsz, e.capacity);
	assert_int_equal(p.segs[4].bufsz, 0);
	assert_int_equal(p.kernel_entry, 0x2f000000 + 0x200);
	assert_int_equal(env_load(&e, &res), 0);
	for (size_t i = 0; i < p.n_segs; i++) {
		assert_string_equal(p.segs[i].what, names[i]);
		assert_int_equal(p.segs[i].mem, (uintptr_t)c->seg[i].mem);
		assert_int_equal(p.segs[i].memsz, c->seg[i].memsz);
		if (i != p.header_seg)
			assert_int_equal(p.segs[i].bufsz, c->seg[i].bufsz);
	}
	assert_int_equal(c->n, p.n_segs);
	assert_int_equal(c->entry, p.entry);
	assert_int_equal(loader_segments_stats(e.loader, &st), 0);
	assert_int_equal(st.plans, 1); /* the load kept the plan */
	assert_int_equal(st.loads, 1);

	/* Refused, *ret untouched: no crash region, a capacity that is no page multiple. */
	assert_int_equal(loader_segments_plan(e.loader, &none, e.capacity, &untouched, &d), -EADDRNOTAVAIL);
	assert_int_equal(loader_segments_plan(e.loader, &e.topo, e.capacity + 1, &untouched, &d), -EINVAL);
	assert_int_equal(untouched.n_segs, 99);
	env_teardown(&e);
}

static void test_reload_hashes_only_the_header(void **state)
{
	Env e;
	LoadResult res;
	RootSpec spec = { .fixture = "segments-bios" };
	SegmentsStats st;
	PurgatoryParams p1, p2;
	Call first;
	size_t bp_size;
	char want[256];

	env_setup(&e, &spec);
	assert_int_equal(env_load(&e, &res), 0);
	assert_int_equal(loader_segments_stats(e.loader, &st), 0);
	assert_int_equal(st.plans, 1);
	bp_size = e.fake.last.seg[3].bufsz;
	assert_int_equal(st.hashed_last, KERNEL_SIZE + INITRD_SIZE + bp_size + e.header_used);
	p1 = params_of(&e.fake.last);
	first = e.fake.last;
	e.fake.last = (Call){}; /* keep the first call's copies */

	/* After "hotplug": a bigger header with other contents. */
	env_header(&e, 9, 5);
	assert_int_equal(env_load(&e, &res), 0);
	assert_int_equal(loader_segments_stats(e.loader, &st), 0);
	assert_int_equal(st.plans, 1);
	assert_int_equal(st.loads, 2);
	assert_int_equal(st.hashed_last, e.header_used);
	/* The detail: the segments, where the header went and how full it is, what was hashed
	 * (no note: a BIOS boot passes nothing of EFI on). */
	snprintf(want, sizeof(want), ": %lu segments, elfcorehdr at 0x%" PRIx64 " (%zu of %zu bytes), %zu bytes hashed",
		 (unsigned long)e.fake.last.n, st.header_addr, e.header_used, e.capacity, e.header_used);
	assert_true(strncmp(res.detail, "kexec_load of ", 14) == 0);
	assert_true(strlen(res.detail) > strlen(want));
	assert_string_equal(res.detail + strlen(res.detail) - strlen(want), want);
	check_load(&e, &BIOS_CRASH);
	p2 = params_of(&e.fake.last);

	/* Same segments, same places; only the header bytes and the digest differ. */
	assert_int_equal(e.fake.last.n, first.n);
	assert_int_equal(e.fake.last.entry, first.entry);
	for (size_t i = 0; i < first.n; i++) {
		assert_ptr_equal(e.fake.last.seg[i].mem, first.seg[i].mem);
		assert_int_equal(e.fake.last.seg[i].memsz, first.seg[i].memsz);
		if (i != 2 && i != 4)
			assert_memory_equal(e.fake.last.copy[i], first.copy[i], first.seg[i].bufsz);
	}
	assert_memory_not_equal(p1.digest, p2.digest, sizeof(p1.digest));
	assert_int_equal(p2.regions[3].len, e.header_used);
	assert_int_equal(p1.kernel_entry, p2.kernel_entry);

	call_clear(&first);
	env_teardown(&e);
}

static void test_capacity_change_replans(void **state)
{
	Env e;
	LoadResult res;
	RootSpec spec = { .fixture = "segments-bios" };
	SegmentsStats st;
	size_t old = 0;

	env_setup(&e, &spec);
	assert_int_equal(env_load(&e, &res), 0);
	assert_int_equal(loader_segments_stats(e.loader, &st), 0);
	old = st.header_addr;
	free(e.header);
	e.capacity = elfcorehdr_capacity(20000);
	e.header = malloc(e.capacity);
	env_header(&e, 11, 9);
	assert_int_equal(env_load(&e, &res), 0);
	assert_int_equal(loader_segments_stats(e.loader, &st), 0);
	assert_int_equal(st.plans, 2);
	assert_int_equal(st.header_addr, BIOS_CRASH.end + 1 - e.capacity);
	assert_true(st.header_addr < old);
	check_load(&e, &BIOS_CRASH);
	env_teardown(&e);
}

static void test_corrupted_digest_is_refused(void **state)
{
	Env e;
	LoadResult res;
	RootSpec spec = { .fixture = "segments-bios" };
	SegmentsOptions o = { .serial_port = 0x3f8, .corrupt_digest = true };
	Loader *bad;

	env_setup(&e, &spec);
	assert_int_equal(loader_segments_new_with(e.root.dir, &e.cfg, &e.ops, &o, &bad), 0);
	e.loader->vtable->free(e.loader);
	e.loader = bad;
	assert_int_equal(env_load(&e, &res), 0);
	assert_int_equal(params_of(&e.fake.last).serial_port, 0x3f8);
	/* serial output needs port I/O: clear it before running the routine in user space */
	{
		PurgatoryParams p = params_of(&e.fake.last);
		uint8_t *purg = phys(&e.fake.last, e.fake.last.entry, purgatory_blob_size);

		p.serial_port = 0;
		memcpy(purg + PURGATORY_PARAMS_OFFSET, &p, sizeof(p));
	}
	assert_int_not_equal(run_purgatory_verify(&e.fake.last), 0);
	env_teardown(&e);
}

/* A byte of the kernel changed after loading (the dying kernel scribbled on it). */
static void test_corrupted_segment_is_refused(void **state)
{
	Env e;
	LoadResult res;
	RootSpec spec = { .fixture = "segments-bios" };

	env_setup(&e, &spec);
	assert_int_equal(env_load(&e, &res), 0);
	assert_int_equal(run_purgatory_verify(&e.fake.last), 0);
	e.fake.last.copy[0][0x1234] ^= 0x40;
	assert_int_not_equal(run_purgatory_verify(&e.fake.last), 0);
	e.fake.last.copy[0][0x1234] ^= 0x40;
	e.fake.last.copy[4][10] ^= 0x01; /* the header */
	assert_int_not_equal(run_purgatory_verify(&e.fake.last), 0);
	env_teardown(&e);
}

static void make_efi_boot_params(uint8_t bp[BP_SIZE])
{
	memset(bp, 0, BP_SIZE);
	bp[BP_SCREEN_INFO + 0x0f] = 0x70; /* orig_video_isVGA: EFI framebuffer */
	put_le32(bp + BP_EFI_INFO + BP_EFI_LOADER_SIGNATURE, 0x34364c45); /* "EL64" */
	put_le32(bp + BP_EFI_INFO + BP_EFI_SYSTAB, 0x7f9ee018);
	put_le32(bp + BP_EFI_INFO + BP_EFI_MEMDESC_SIZE, 48);
	put_le32(bp + BP_EFI_INFO + BP_EFI_MEMDESC_VERSION, 1);
	put_le32(bp + BP_EFI_INFO + BP_EFI_MEMMAP, 0x7e000000);
	put_le32(bp + BP_EFI_INFO + BP_EFI_MEMMAP_SIZE, 48 * 40);
	bp[BP_SECURE_BOOT] = 1;
	put_le32(bp + HDR_HARDWARE_SUBARCH, 0);
}

static void test_efi_high_low(void **state)
{
	static const Range high = { 0x260000000ULL, 0x27fffffffULL };
	static const Range low = { 0x6e000000, 0x7dffffff };
	uint8_t running[BP_SIZE];
	RootSpec spec = { .fixture = "segments-efi", .boot_params = running };
	Env e;
	LoadResult res;
	const Call *c;
	const uint8_t *bp, *sd, *map;
	uint64_t hdr, sd_addr, map_addr;
	E820Entry e820[128];
	char expect[160];
	size_t n;

	make_efi_boot_params(running);
	env_setup(&e, &spec);
	assert_int_equal(env_load(&e, &res), 0);
	print_message("# %s\n", res.detail);
	c = &e.fake.last;
	check_load(&e, &high); /* everything in crashk_res, the high region */
	hdr = high.end + 1 - e.capacity;

	/* RSDP from systab ACPI20 (boot_params had none): on the command line and in the zero page. */
	snprintf(expect, sizeof(expect), "elfcorehdr=0x%" PRIx64 " " USER_CMDLINE " acpi_no_memhotplug acpi_rsdp=0x7fb7e014", hdr);
	assert_string_equal(cmdline_of(c), expect);
	bp = zero_page(c);
	assert_int_equal(get_le64(bp + BP_ACPI_RSDP_ADDR), 0x7fb7e014);
	assert_int_equal(bp[BP_SCREEN_INFO + 0x0f], 0x70);
	assert_int_equal(bp[BP_SECURE_BOOT], 1);
	/* Above 4 GiB: the ext_ halves carry the high bits. */
	assert_int_equal(get_le32(bp + BP_EXT_CMD_LINE_PTR), 2);
	assert_int_equal(get_le32(bp + BP_EXT_RAMDISK_IMAGE), 2);

	/* EFI: the running kernel's system table, our copy of the runtime map in numeric order. */
	assert_int_equal(get_le32(bp + BP_EFI_INFO + BP_EFI_LOADER_SIGNATURE), 0x34364c45);
	assert_int_equal(get_le32(bp + BP_EFI_INFO + BP_EFI_SYSTAB), 0x7f9ee018);
	assert_int_equal(get_le32(bp + BP_EFI_INFO + BP_EFI_MEMDESC_SIZE), EFI_MEMDESC_SIZE);
	assert_int_equal(get_le32(bp + BP_EFI_INFO + BP_EFI_MEMMAP_SIZE), 4 * EFI_MEMDESC_SIZE);
	map_addr = get_le32(bp + BP_EFI_INFO + BP_EFI_MEMMAP) |
		   (uint64_t)get_le32(bp + BP_EFI_INFO + BP_EFI_MEMMAP_HI) << 32;
	map = phys(c, map_addr, 4 * EFI_MEMDESC_SIZE);
	assert_non_null(map);
	assert_int_equal(get_le32(map), 5);
	assert_int_equal(get_le64(map + 8), 0x7e8ef000);
	assert_int_equal(get_le64(map + 16), 0xfffffffeff600000ULL);
	assert_int_equal(get_le64(map + 24), 0x80);
	assert_int_equal(get_le32(map + 3 * EFI_MEMDESC_SIZE), 11); /* entry "10" last */
	assert_int_equal(get_le64(map + 3 * EFI_MEMDESC_SIZE + 32), 0x8000000000000001ULL);

	sd_addr = get_le64(bp + HDR_SETUP_DATA);
	sd = phys(c, sd_addr, SETUP_DATA_HDR_SIZE + EFI_SETUP_DATA_SIZE);
	assert_non_null(sd);
	assert_int_equal(get_le64(sd), 0); /* last in the list */
	assert_int_equal(get_le32(sd + 8), SETUP_EFI);
	assert_int_equal(get_le32(sd + 12), EFI_SETUP_DATA_SIZE);
	assert_int_equal(get_le64(sd + 16), 0x7f9e8f98);     /* fw_vendor */
	assert_int_equal(get_le64(sd + 16 + 16), 0x7f9eea98); /* tables */
	assert_int_equal(get_le64(sd + 16 + 24), 0x7f9cb000); /* smbios (not SMBIOS3) */

	/* e820: the low crash region whole, the high one minus the header, ACPI typed. */
	n = e820_of(c, e820, 128);
	assert_true(e820_has(e820, n, low.start, low.end - low.start + 1, E820_RAM));
	assert_true(e820_has(e820, n, high.start, hdr - high.start, E820_RAM));
	assert_true(e820_has(e820, n, 0x7eb6f000, 0x10000, E820_ACPI));
	assert_true(e820_has(e820, n, 0x7eb7f000, 0x80000, E820_NVS));
	assert_true(e820_has(e820, n, 0xb0000000, 0x10000000, E820_RESERVED)); /* nested under MMCONFIG */
	assert_true(e820_has(e820, n, 0x1000, 0x9f000, E820_RAM));
	assert_true(e820_has(e820, n, 0x100000, 0x700000, E820_RAM) == false); /* above 1 MiB: not ours */
	assert_true(e820_has(e820, n, 0xa0000, 0x60000, E820_RESERVED));
	env_teardown(&e);
}

static void test_no_initrd(void **state)
{
	RootSpec spec = { .fixture = "segments-bios", .no_initrd = true };
	Env e;
	LoadResult res;
	const uint8_t *bp;

	env_setup(&e, &spec);
	assert_int_equal(env_load(&e, &res), 0);
	check_load(&e, &BIOS_CRASH);
	assert_int_equal(e.fake.last.n, 4);
	assert_int_equal(params_of(&e.fake.last).n_regions, 3);
	bp = zero_page(&e.fake.last);
	assert_int_equal(get_le32(bp + HDR_RAMDISK_IMAGE), 0);
	assert_int_equal(get_le32(bp + HDR_RAMDISK_SIZE), 0);
	env_teardown(&e);
}

static void test_lockdown_eperm(void **state)
{
	RootSpec spec = { .fixture = "segments-bios" };
	Env e;
	LoadResult res;

	env_setup(&e, &spec);
	e.fake.fail_errno = EPERM;
	assert_int_equal(env_load(&e, &res), -EPERM);
	assert_non_null(strstr(res.detail, "lockdown"));
	assert_non_null(strstr(res.detail, "Loader=file"));
	/* Nothing is kept half-done: the next attempt works once allowed. */
	e.fake.fail_errno = 0;
	assert_int_equal(env_load(&e, &res), 0);
	check_load(&e, &BIOS_CRASH);
	env_teardown(&e);
}

static void test_probe(void **state)
{
	RootSpec locked = { .fixture = "segments-bios", .lockdown = "none [integrity] confidentiality\n" };
	RootSpec open = { .fixture = "segments-bios", .lockdown = "[none] integrity confidentiality\n" };
	RootSpec bad = { .fixture = "segments-bios", .bad_kernel = true };
	Config c;
	Root r;
	char why[256] = "";

	config_init(&c);
	c.kernel = strdup("/boot/vmlinuz");
	c.initrd = strdup("/boot/initrd.img");

	root_make(&r, &locked);
	assert_int_equal(loader_segments_vtable.probe(r.dir, &c, why, sizeof(why)), -EPERM);
	assert_non_null(strstr(why, "integrity"));
	root_remove(&r);

	root_make(&r, &open);
	assert_int_equal(loader_segments_vtable.probe(r.dir, &c, why, sizeof(why)), 0);
	root_remove(&r);

	root_make(&r, &bad);
	assert_int_equal(loader_segments_vtable.probe(r.dir, &c, why, sizeof(why)), -ENOEXEC);
	assert_non_null(strstr(why, "XLF_KERNEL_64"));
	root_remove(&r);
	config_done(&c);
}

static void test_region_too_small(void **state)
{
	RootSpec spec = { .fixture = "segments-bios" };
	Env e;
	LoadResult res;

	env_setup(&e, &spec);
	/* 26 MiB region: the 24 MiB kernel and the rest fit, the 2 MiB kept free does not. */
	e.topo.crash[0] = (Range){ 0x3d600000, 0x3effffff };
	assert_int_equal(env_load(&e, &res), -ENOSPC);
	print_message("# %s\n", res.detail);
	assert_non_null(strstr(res.detail, "crash region"));
	/* Sizes as everywhere else (format_bytes()), not truncated to whole KiB or MiB. */
	assert_non_null(strstr(res.detail, "only 1.5 MiB left free in 0x3d600000-0x3effffff; the kernel needs about 2 MiB"));
	assert_int_equal(e.fake.calls, 0);
	env_teardown(&e);
}

static void test_cmdline(void **state)
{
	char *s = NULL;
	Diag d = {};
	char longer[2100];

	assert_int_equal(x86_crash_cmdline(0x3ef00000, "quiet", 0, 2047, &s, &d), 0);
	assert_string_equal(s, "elfcorehdr=0x3ef00000 quiet");
	free(s);
	/* The user's own acpi_rsdp= wins over ours. */
	assert_int_equal(x86_crash_cmdline(0x1000, "acpi_rsdp=0xe0000 x", 0xf59d0, 2047, &s, &d), 0);
	assert_string_equal(s, "elfcorehdr=0x1000 acpi_rsdp=0xe0000 x");
	free(s);
	assert_int_equal(x86_crash_cmdline(0x1000, "a noacpi_rsdp=1", 0xf59d0, 2047, &s, &d), 0);
	assert_string_equal(s, "elfcorehdr=0x1000 a noacpi_rsdp=1 acpi_rsdp=0xf59d0");
	free(s);
	assert_int_equal(x86_crash_cmdline(0x1000, "x elfcorehdr=0x5000", 0, 2047, &s, &d), -EINVAL);
	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	assert_int_equal(x86_crash_cmdline(0x1000, longer, 0, 2047, &s, &d), -E2BIG);
}

/* x86_crash_e820 on its own: nesting, clipping of low RAM, sliver pieces dropped. */
static void test_e820_rules(void **state)
{
	static const char iomem[] =
		"00000000-00000fff : Reserved\n"
		"00001000-0009fbff : System RAM\n"
		"000f0000-000fffff : Reserved\n"
		"  000f0000-000fffff : Reserved\n"
		"00200000-3fffffff : System RAM\n"
		"  20000000-2fffffff : Crash kernel\n"
		"40000000-4000ffff : ACPI Tables\n"
		"40010000-4001ffff : ACPI Non-volatile Storage\n"
		"50000000-5fffffff : PCI MMCONFIG\n"
		"  50000000-5fffffff : reserved\n";
	_cleanup_(iomem_freep) Iomem *m = NULL;
	E820Entry *e = NULL;
	Range crash[1] = { { 0x20000000, 0x2fffffff } };
	FILE *f = fmemopen((void *)iomem, sizeof(iomem) - 1, "r");
	size_t n;

	assert_non_null(f);
	assert_int_equal(iomem_parse_stream(f, "iomem", &m, NULL), 0);
	fclose(f);

	/* Header right at the start of the region: no sliver of RAM before it. */
	assert_int_equal(x86_crash_e820(m, crash, 1, 0, 0x20000000, 0x1000, &e, &n, NULL), 0);
	assert_int_equal(n, 7);
	assert_true(e820_has(e, n, 0x0, 0x1000, E820_RESERVED));
	assert_true(e820_has(e, n, 0x1000, 0x9ec00, E820_RAM));
	assert_true(e820_has(e, n, 0xf0000, 0x10000, E820_RESERVED)); /* once, not twice */
	assert_true(e820_has(e, n, 0x20001000, 0xffff000, E820_RAM));
	assert_true(e820_has(e, n, 0x40000000, 0x10000, E820_ACPI));
	assert_true(e820_has(e, n, 0x40010000, 0x10000, E820_NVS));
	assert_true(e820_has(e, n, 0x50000000, 0x10000000, E820_RESERVED));
	free(e);

	/* Exclusion outside the region. */
	assert_int_equal(x86_crash_e820(m, crash, 1, 0, 0x10000000, 0x1000, &e, &n, NULL), -EINVAL);
}

static void test_zeropage_e820_ext(void **state)
{
	size_t ksize, size;
	uint8_t *k = fake_bzimage(KERNEL_SIZE, &ksize), *buf = NULL;
	E820Entry map[200];
	BzImage b;
	ZeroPageInput in;
	const uint8_t *sd;

	assert_int_equal(bzimage_parse(k, ksize, "k", &b, NULL), 0);
	for (size_t i = 0; i < 200; i++)
		map[i] = (E820Entry){ 0x100000000ULL + i * 0x200000, 0x100000, i % 2 ? E820_RAM : E820_RESERVED };
	in = (ZeroPageInput){ .image = &b, .e820 = map, .n_e820 = 200, .cmdline = "elfcorehdr=0x1000 x" };
	assert_int_equal(x86_zeropage_build(&in, 0x7000000, &buf, &size, NULL), 0);
	assert_int_equal(buf[BP_E820_ENTRIES], BP_E820_MAX);
	sd = buf + (get_le64(buf + HDR_SETUP_DATA) - 0x7000000);
	assert_int_equal(get_le32(sd + 8), SETUP_E820_EXT);
	assert_int_equal(get_le32(sd + 12), 72 * E820_ENTRY_SIZE);
	assert_int_equal(get_le64(sd + SETUP_DATA_HDR_SIZE), map[128].addr);
	assert_int_equal(get_le32(sd + SETUP_DATA_HDR_SIZE + 71 * E820_ENTRY_SIZE + 16), map[199].type);
	assert_string_equal((const char *)buf + ZEROPAGE_CMDLINE_OFFSET, "elfcorehdr=0x1000 x");
	free(buf);
	assert_int_equal(x86_zeropage_build(&in, 0x7000010, &buf, &size, NULL), -EINVAL);
	free(k);
}

/* x86_layout on its own: alignment, pref_address floor, the 4 GiB rule. */
static void test_layout_rules(void **state)
{
	static const Range high = { 0x260000000ULL, 0x27fffffffULL };
	static const Range low_start = { 0x200000, 0x101fffff }; /* starts below pref_address */
	size_t ksize;
	uint8_t *k = fake_bzimage(KERNEL_SIZE, &ksize);
	X86Layout l;
	BzImage b;
	Diag d = {};

	assert_int_equal(bzimage_parse(k, ksize, "k", &b, NULL), 0);
	assert_int_equal(x86_layout(&high, &b, INITRD_SIZE, 20000, 9000, 0x71000, &l, &d), 0);
	assert_int_equal(l.kernel, high.start);
	assert_int_equal(l.header, high.end + 1 - 0x71000);
	assert_int_equal(l.boot_params_memsz, 3 * PAGE);
	assert_int_equal(l.purgatory + l.purgatory_memsz, l.boot_params);
	/* A kernel must not run below LOAD_PHYSICAL_ADDR: it would move itself there. */
	assert_int_equal(x86_layout(&low_start, &b, INITRD_SIZE, 20000, 9000, 0x71000, &l, &d), 0);
	assert_int_equal(l.kernel, b.pref_address);
	/* Without XLF_CAN_BE_LOADED_ABOVE_4G the high region is refused. */
	b.xloadflags &= (uint16_t)~XLF_CAN_BE_LOADED_ABOVE_4G;
	assert_int_equal(x86_layout(&high, &b, INITRD_SIZE, 20000, 9000, 0x71000, &l, &d), -ENOSPC);
	assert_non_null(strstr(d.reason, "4 GiB"));
	/* Unaligned capacity is a caller bug. */
	assert_int_equal(x86_layout(&low_start, &b, 0, 20000, 9000, 0x71001, &l, &d), -EINVAL);
	free(k);
}

static void test_systab_parse(void **state)
{
	static const char text[] = "ACPI=0xe0000\nSMBIOS3=0x7000\nSMBIOS=0x6000\nBOOTINFO=0x0\n";
	static const char bad[] = "ACPI20=7fb7e014\n";
	uint64_t acpi = 1, smbios = 1;
	Diag d = {};
	FILE *f;

	f = fmemopen((void *)text, sizeof(text) - 1, "r");
	assert_int_equal(x86_efi_systab_parse_stream(f, "systab", &acpi, &smbios, &d), 0);
	fclose(f);
	assert_int_equal(acpi, 0xe0000);
	assert_int_equal(smbios, 0x6000);
	f = fmemopen((void *)bad, sizeof(bad) - 1, "r");
	assert_int_equal(x86_efi_systab_parse_stream(f, "systab", &acpi, &smbios, &d), -EINVAL);
	assert_int_equal(d.line, 1);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bios_load),
		cmocka_unit_test(test_plan_is_what_loads),
		cmocka_unit_test(test_reload_hashes_only_the_header),
		cmocka_unit_test(test_capacity_change_replans),
		cmocka_unit_test(test_corrupted_digest_is_refused),
		cmocka_unit_test(test_corrupted_segment_is_refused),
		cmocka_unit_test(test_efi_high_low),
		cmocka_unit_test(test_no_initrd),
		cmocka_unit_test(test_lockdown_eperm),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_region_too_small),
		cmocka_unit_test(test_cmdline),
		cmocka_unit_test(test_e820_rules),
		cmocka_unit_test(test_zeropage_e820_ext),
		cmocka_unit_test(test_layout_rules),
		cmocka_unit_test(test_systab_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
