/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "topology.h"
#include "fixture-read.h"

#define MiB (1ULL << 20)

static void topology_clear(Topology *t)
{
	free(t->ram);
	free(t->cpus);
	*t = (Topology){};
}

/* RAM of an iomem text, as the x86_64 kernel's prepare_elf_headers() would see it. */
static int ram_of(const char *text, Topology *t, Diag *d)
{
	_cleanup_(iomem_freep) Iomem *m = NULL;
	_cleanup_(fclosep) FILE *f = NULL;

	f = fmemopen((void *)text, strlen(text), "r");
	assert_non_null(f);
	assert_int_equal(iomem_parse_stream(f, "iomem", &m, d), 0);
	if (!t->arch)
		t->arch = &arch_rules_x86_64; /* on every host: these cases are x86_64 machines */
	return topology_ram_from_iomem(m, t, d);
}

static Topology *make(const Range *ram, size_t n_ram, const unsigned *cpus, size_t n_cpus)
{
	Topology *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	t->ram = calloc(n_ram ? n_ram : 1, sizeof(Range));
	t->cpus = calloc(n_cpus ? n_cpus : 1, sizeof(CpuNote));
	assert_non_null(t->ram);
	assert_non_null(t->cpus);
	memcpy(t->ram, ram, n_ram * sizeof(Range));
	t->n_ram = n_ram;
	for (size_t i = 0; i < n_cpus; i++)
		t->cpus[i] = (CpuNote){ .cpu = cpus[i], .addr = 0x3fa1d8c0 + cpus[i] * 0x40000ULL, .size = 368 };
	t->n_cpus = n_cpus;
	t->vmcoreinfo_addr = 0x3fd1d000;
	t->vmcoreinfo_size = 0x1024;
	t->kmap = (KernelMap){ .page_offset = 0xffff9a8d40000000ULL, .text_vaddr = 0xffffffff9ae00000ULL,
				.text_paddr = 0xc800000, .text_size = 0x3430000, .from_kcore = true };
	return t;
}

static const Range base_ram[] = { { 0x100000, 0x2effffff }, { 0x3f000000, 0x3ffdffff } };
static const unsigned base_cpus[] = { 0, 1 };

static void assert_diff(const Topology *a, const Topology *b, const char *want)
{
	_cleanup_(freep) char *diff = NULL;

	assert_int_equal(topology_diff(a, b, &diff), 0);
	assert_string_equal(diff, want);
}

static void test_fingerprint_and_equal(void **state)
{
	_cleanup_(topology_freep) Topology *a = make(base_ram, 2, base_cpus, 2);
	_cleanup_(topology_freep) Topology *b = make(base_ram, 2, base_cpus, 2);

	assert_true(topology_equal(a, b));
	assert_int_equal(topology_fingerprint(a), topology_fingerprint(b));
	/* Fields that do not reach the header do not count. */
	b->n_online = 1;
	b->block_size = 128 * MiB;
	assert_true(topology_equal(a, b));
	assert_int_equal(topology_fingerprint(a), topology_fingerprint(b));

	b->ram[1].end++;
	assert_false(topology_equal(a, b));
	assert_int_not_equal(topology_fingerprint(a), topology_fingerprint(b));
	b->ram[1].end--;

	b->cpus[1].addr += 8;
	assert_false(topology_equal(a, b));
	assert_int_not_equal(topology_fingerprint(a), topology_fingerprint(b));
	b->cpus[1].addr -= 8;

	b->kmap.page_offset += 1ULL << 30;
	assert_false(topology_equal(a, b));
	assert_int_not_equal(topology_fingerprint(a), topology_fingerprint(b));
	b->kmap.page_offset -= 1ULL << 30;

	b->vmcoreinfo_size = 0x2024;
	assert_false(topology_equal(a, b));
	assert_int_not_equal(topology_fingerprint(a), topology_fingerprint(b));
}

static void test_diff(void **state)
{
	static const Range dimm[] = {
		{ 0x100000, 0x2effffff }, { 0x3f000000, 0x3ffdffff }, { 0x100000000ULL, 0x11fffffffULL },
	};
	/* virtio-mem plugs eight 128 MiB blocks at 0x140000000, kept as separate ranges. */
	Range vmem[2 + 8];
	static const unsigned cpus3[] = { 0, 1, 3 };
	static const unsigned cpus0[] = { 0 };
	_cleanup_(topology_freep) Topology *a = make(base_ram, 2, base_cpus, 2);
	_cleanup_(topology_freep) Topology *b = make(dimm, 3, cpus3, 3);
	_cleanup_(topology_freep) Topology *c = NULL, *e = NULL, *g = NULL;

	assert_diff(a, a, "");
	assert_diff(a, b, "+512 MiB RAM at 0x100000000\n+cpu3\n");
	assert_diff(b, a, "-512 MiB RAM at 0x100000000\n-cpu3\n");

	memcpy(vmem, base_ram, sizeof(base_ram));
	for (unsigned i = 0; i < 8; i++)
		vmem[2 + i] = (Range){ 0x140000000ULL + i * 128 * MiB, 0x140000000ULL + (i + 1) * 128 * MiB - 1 };
	c = make(vmem, ELEMENTSOF(vmem), cpus0, 1);
	assert_diff(a, c, "+1 GiB RAM at 0x140000000\n-cpu1\n");

	/* Shrinking the crash region: RAM grows at its edge; the header changes. */
	e = make(base_ram, 2, base_cpus, 2);
	e->ram[1].start = 0x3e000000;
	assert_diff(a, e, "+16 MiB RAM at 0x3e000000\n");

	/* Same bytes, different split: still a different header. */
	g = make((const Range[]){ { 0x100000, 0x1fffffff }, { 0x20000000, 0x2effffff }, { 0x3f000000, 0x3ffdffff } },
		 3, base_cpus, 2);
	assert_diff(a, g, "~RAM regrouped: 2 ranges -> 3 ranges\n");

	g->ram[0] = base_ram[0];
	g->ram[1] = base_ram[1];
	g->n_ram = 2;
	g->cpus[1].addr = 0x3fa9d8c0;
	g->vmcoreinfo_addr = 0x3fd2d000;
	g->kmap.text_vaddr = 0xffffffff81000000ULL;
	g->kmap.page_offset = 0xffff888000000000ULL;
	assert_diff(a, g,
		    "~cpu1 notes 0x3fa5d8c0 size 368 -> 0x3fa9d8c0 size 368\n"
		    "~vmcoreinfo moved 0x3fd1d000 size 4132 -> 0x3fd2d000 size 4132\n"
		    "~kernel text 0xffffffff9ae00000 paddr 0xc800000 size 54722560 -> "
		    "0xffffffff81000000 paddr 0xc800000 size 54722560\n"
		    "~PAGE_OFFSET 0xffff9a8d40000000 -> 0xffff888000000000\n");
}

static void test_diff_from_nothing(void **state)
{
	_cleanup_(topology_freep) Topology *a = make(base_ram, 2, base_cpus, 2);

	assert_diff(NULL, a,
		    "+751 MiB RAM at 0x100000\n"
		    "+15.9 MiB RAM at 0x3f000000\n"
		    "+cpu0\n"
		    "+cpu1\n"
		    "+vmcoreinfo 0x3fd1d000 size 4132\n"
		    "+kernel text 0xffffffff9ae00000 paddr 0xc800000 size 54722560\n"
		    "+PAGE_OFFSET 0xffff9a8d40000000\n");
}

static void test_read_missing_root(void **state)
{
	Topology *t = NULL;
	Diag d = {};

	assert_int_equal(topology_read("/nonexistent-root", &t, &d), -ENOENT);
	assert_null(t);
	assert_string_equal(d.file, "/proc/iomem");
}

static char *read_text(int dirfd, const char *name)
{
	_cleanup_(fclosep) FILE *f = NULL;
	_cleanup_(freep) char *buf = NULL;
	int fd;
	size_t size = 0;
	ssize_t n;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	f = fdopen(fd, "re");
	assert_non_null(f);
	n = getdelim(&buf, &size, '\0', f);
	assert_true(n >= 0);
	return TAKE_PTR(buf);
}

/* Reports the first differing line instead of two dumps of thousands of lines. */
static void assert_same_text(const char *got, const char *want, const char *what)
{
	unsigned line = 1;

	for (const char *g = got, *w = want;; g++, w++) {
		if (*g != *w) {
			const char *gl = g, *wl = w;

			while (gl > got && gl[-1] != '\n')
				gl--;
			while (wl > want && wl[-1] != '\n')
				wl--;
			print_error("%s:%u: got \"%.*s\", want \"%.*s\"\n", what, line,
				    (int)strcspn(gl, "\n"), gl, (int)strcspn(wl, "\n"), wl);
			fail();
		}
		if (*g == '\0')
			return;
		if (*g == '\n')
			line++;
	}
}

static void check_case(const char *fixtures, const char *name)
{
	_cleanup_(topology_freep) Topology *t = NULL, *again = NULL;
	_cleanup_(freep) char *want_topo = NULL, *want_err = NULL, *got = NULL;
	_cleanup_(closep) int dirfd = -1;
	char root[PATH_MAX], what[PATH_MAX + 32], msg[PATH_MAX + 600];
	size_t size = 0;
	Diag d = {};
	FILE *f;
	int r;

	snprintf(root, sizeof(root), "%s/%s", fixtures, name);
	dirfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dirfd >= 0);
	want_topo = read_text(dirfd, "expected-topology.txt");
	want_err = read_text(dirfd, "expected-error.txt");
	print_message("# fixture %s\n", name);
	/* Exactly one expectation per case. */
	assert_true(!!want_topo != !!want_err);

	r = fixture_topology_read(root, &t, &d);
	if (want_err) {
		assert_true(r < 0);
		assert_null(t);
		diag_format(&d, msg, sizeof(msg));
		strcat(msg, "\n");
		snprintf(what, sizeof(what), "%s/expected-error.txt", name);
		assert_same_text(msg, want_err, what);
		return;
	}
	if (r < 0)
		print_error("%s: %s\n", name, diag_format(&d, msg, sizeof(msg)));
	assert_int_equal(r, 0);

	f = open_memstream(&got, &size);
	assert_non_null(f);
	assert_int_equal(topology_format(t, f), 0);
	assert_int_equal(fclose(f), 0);
	snprintf(what, sizeof(what), "%s/expected-topology.txt", name);
	assert_same_text(got, want_topo, what);

	/* A second read of the same tree is the same snapshot. */
	assert_int_equal(fixture_topology_read(root, &again, &d), 0);
	assert_true(topology_equal(t, again));
	assert_int_equal(topology_fingerprint(t), topology_fingerprint(again));
}

/* Other tests keep their own trees here too (config-*, segments-*): a topology case is a
 * directory holding expected-topology.txt or expected-error.txt. */
static bool is_topology_case(const char *fixtures, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s/expected-topology.txt", fixtures, name);
	if (access(path, F_OK) == 0)
		return true;
	snprintf(path, sizeof(path), "%s/%s/expected-error.txt", fixtures, name);
	return access(path, F_OK) == 0;
}

static void assert_ram(const Topology *t, const Range *want, size_t n)
{
	assert_int_equal(t->n_ram, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(t->ram[i].start, want[i].start);
		assert_int_equal(t->ram[i].end, want[i].end);
	}
}

static void test_low_1m_and_crash_split(void **state)
{
	static const char text[] =
		"00000000-00000fff : Reserved\n"
		"00001000-0009fbff : System RAM\n"
		"00100000-3ffdffff : System RAM\n"
		"  0c800000-0d601c96 : Kernel code\n"
		"  2f000000-3effffff : Crash kernel\n"
		"3ffe0000-3fffffff : Reserved\n";
	static const Range want[] = { { 0x100000, 0x2effffff }, { 0x3f000000, 0x3ffdffff } };
	Topology t = {};

	assert_int_equal(ram_of(text, &t, NULL), 0);
	assert_ram(&t, want, ELEMENTSOF(want));
	assert_int_equal(t.n_crash, 1);
	assert_int_equal(t.crash[0].start, 0x2f000000);
	assert_int_equal(topology_ram_bytes(&t), 0x2ef00000 + 0xfe0000);
	topology_clear(&t);
}

static void test_range_across_1m(void **state)
{
	static const Range want[] = { { 0x100000, 0x3fffffff } };
	Topology t = {};

	assert_int_equal(ram_of("00000000-3fffffff : System RAM\n", &t, NULL), 0);
	assert_ram(&t, want, ELEMENTSOF(want));
	topology_clear(&t);
}

static void test_crash_trims_and_drops(void **state)
{
	static const char text[] =
		/* crash region at the start of a range, at its end, and covering one whole */
		"10000000-1fffffff : System RAM\n"
		"  10000000-13ffffff : Crash kernel\n"
		"20000000-2fffffff : System RAM\n"
		"  2c000000-2fffffff : Crash kernel\n"
		"30000000-30ffffff : System RAM\n"
		"  30000000-30ffffff : Crash kernel\n"
		"31000000-31ffffff : System RAM\n";
	static const Range want[] = {
		{ 0x14000000, 0x1fffffff }, { 0x20000000, 0x2bffffff }, { 0x31000000, 0x31ffffff },
	};
	Topology t = {};

	assert_int_equal(ram_of(text, &t, NULL), 0);
	assert_ram(&t, want, ELEMENTSOF(want));
	assert_int_equal(t.n_crash, 3);
	topology_clear(&t);
}

/* RAM below non-RAM parents (virtio-mem, dax kmem) counts; RAM-typed children of RAM
 * ("Kernel code") do not count twice; adjacent ranges stay separate, as in the kernel. */
static void test_nesting_and_adjacency(void **state)
{
	static const char text[] =
		"00100000-3fffffff : System RAM\n"
		"  01000000-01ffffff : Kernel code\n"
		"100000000-13fffffff : System RAM\n"
		"140000000-17fffffff : System RAM\n"
		"180000000-97fffffff : virtio0\n"
		"  180000000-1bfffffff : System RAM (virtio_mem)\n"
		"  200000000-23fffffff : System RAM (virtio_mem)\n"
		"6080000000-707fffffff : CXL Window 0\n"
		"  6080000000-707fffffff : region0\n"
		"    6080000000-707fffffff : dax0.0\n"
		"      6080000000-707fffffff : System RAM (kmem)\n"
		"7080000000-787fffffff : Persistent Memory (legacy)\n";
	static const Range want[] = {
		{ 0x100000, 0x3fffffff },
		{ 0x100000000ULL, 0x13fffffffULL },
		{ 0x140000000ULL, 0x17fffffffULL },
		{ 0x180000000ULL, 0x1bfffffffULL },
		{ 0x200000000ULL, 0x23fffffffULL },
		{ 0x6080000000ULL, 0x707fffffffULL },
	};
	Topology t = {};

	assert_int_equal(ram_of(text, &t, NULL), 0);
	assert_ram(&t, want, ELEMENTSOF(want));
	assert_int_equal(t.n_crash, 0);
	topology_clear(&t);
}

static void test_too_many_crash_regions(void **state)
{
	_cleanup_(freep) char *text = NULL;
	size_t size = 0;
	Topology t = {};
	Diag d = {};
	FILE *f;

	f = open_memstream(&text, &size);
	assert_non_null(f);
	fprintf(f, "00100000-3fffffff : System RAM\n");
	for (unsigned i = 0; i <= TOPOLOGY_MAX_CRASH_REGIONS; i++)
		fprintf(f, "  %08x-%08x : Crash kernel\n", 0x1000000 * (i + 1), 0x1000000 * (i + 1) + 0xfffff);
	assert_int_equal(fclose(f), 0);

	assert_int_equal(ram_of(text, &t, &d), -E2BIG);
	assert_null(t.ram);
	assert_string_equal(d.file, "/proc/iomem");
	assert_int_equal(d.line, 10);
	assert_string_equal(d.reason, "more than 8 \"Crash kernel\" regions");
}

/* A small topology built in memory for the fingerprint and diff tests. */
/* arm64 (the kernel's rules): the iomem of a real QEMU virt guest with 512 MiB of virtio-mem
 * plugged (tests/fixtures/arm64-qemu-virt-virtio-mem). No low-memory floor, the crash region
 * cut out, driver-managed "System RAM (virtio_mem)" and "(kmem)" in the header (the memory
 * the user hot-added must be in the dump), and counted apart for check's kexec-tools warning. */
static void test_arm64_ram(void **state)
{
	static const char iomem[] =
		"09000000-09000fff : pl011@9000000\n"
		"40000000-bfffffff : System RAM\n"
		"  40210000-4185ffff : Kernel code\n"
		"  41eb0000-4220ffff : Kernel data\n"
		"  a9a00000-b99fffff : Crash kernel\n"
		"  bfbfc000-bfffffff : reserved\n"
		"c0000000-13fffffff : virtio1\n"
		"  c0000000-dfffffff : System RAM (virtio_mem)\n"
		"140000000-17fffffff : reserved\n"
		"180000000-1bfffffff : System RAM\n"
		"1c0000000-1ffffffff : dax0.0\n"
		"  1c0000000-1ffffffff : System RAM (kmem)\n";
	static const Range want[] = { { 0x40000000, 0xa99fffff }, { 0xb9a00000, 0xbfffffff }, { 0xc0000000, 0xdfffffff },
				      { 0x180000000, 0x1bfffffff }, { 0x1c0000000, 0x1ffffffff } };
	Topology t = { .arch = &arch_rules_arm64 };

	assert_int_equal(ram_of(iomem, &t, NULL), 0);
	assert_ram(&t, want, ELEMENTSOF(want));
	assert_int_equal(t.n_crash, 1);
	assert_int_equal(t.crash[0].start, 0xa9a00000);
	assert_int_equal(t.ram_driver_managed, 0x20000000 + 0x40000000);
	topology_clear(&t);

	/* x86_64's rules, unchanged: the low 1 MiB floor (nothing here) and every variant. */
	t.arch = &arch_rules_x86_64;
	assert_int_equal(ram_of(iomem, &t, NULL), 0);
	assert_ram(&t, want, ELEMENTSOF(want));
	assert_int_equal(t.ram_driver_managed, 0x20000000 + 0x40000000);
	topology_clear(&t);
}

/* A snapshot follows the architecture its kcore names, whatever the build's own; a tree
 * without kcore can be read by any architecture's rules. */
static void test_arch_from_kcore(void **state)
{
	_cleanup_(topology_freep) Topology *t = NULL, *x = NULL;
	const char *fixtures = getenv("FIXTURES");
	char root[PATH_MAX];
	Diag d = {};

	if (!fixtures)
		skip();
	snprintf(root, sizeof(root), "%s/arm64-qemu-virt", fixtures);
	assert_int_equal(topology_read(root, &t, &d), 0);
	assert_ptr_equal(t->arch, &arch_rules_arm64);
	assert_int_equal(t->kmap.va_bits, 48);
	/* __va(0x40000000) with PHYS_OFFSET 0x40000000: PAGE_OFFSET itself. */
	assert_int_equal(t->kmap.page_offset + 0x40000000, 0xffff000000000000ULL);
	assert_int_equal(t->kmap.text_vaddr - t->kmap.text_paddr, 0xffffb40d88c00000ULL); /* kimage_voffset */
	/* Forcing other rules on a tree whose kcore says arm64 is an error, not a mix. */
	assert_int_equal(topology_read_arch(root, &arch_rules_x86_64, &x, &d), -EINVAL);
	assert_string_equal(d.reason, "is an arm64 core, the snapshot follows x86_64 rules");
}

static void test_fixtures(void **state)
{
	const char *fixtures = getenv("FIXTURES");
	struct dirent **names = NULL;
	unsigned good = 0, broken = 0;
	int n;

	if (!fixtures) {
		print_message("# FIXTURES is not set (run through meson test)\n");
		skip();
	}
	n = scandir(fixtures, &names, NULL, alphasort);
	assert_true(n >= 0);
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;

		if (name[0] == '.' || names[i]->d_type == DT_REG) {
			/* not a tree */
		} else if (is_topology_case(fixtures, name)) {
			check_case(fixtures, name);
			if (startswith(name, "broken-"))
				broken++;
			else
				good++;
		} else
			print_message("# %s: no expected-topology.txt or expected-error.txt, not a topology case\n", name);
		free(names[i]);
	}
	free(names);
	print_message("# %u valid and %u broken fixture trees checked\n", good, broken);
	assert_true(good >= 6);
	assert_true(broken >= 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_low_1m_and_crash_split),
		cmocka_unit_test(test_range_across_1m),
		cmocka_unit_test(test_crash_trims_and_drops),
		cmocka_unit_test(test_nesting_and_adjacency),
		cmocka_unit_test(test_too_many_crash_regions),
		cmocka_unit_test(test_fingerprint_and_equal),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_diff_from_nothing),
		cmocka_unit_test(test_read_missing_root),
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_arm64_ram),
		cmocka_unit_test(test_arch_from_kcore),
	};
	return cmocka_run_group_tests_name("topology", tests, NULL, NULL);
}
