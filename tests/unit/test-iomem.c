/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "iomem.h"
#include "topology.h"

/* Parses text through the stream entry point, as the daemon's file wrapper and the fuzzer do. */
static int parse(const char *text, Iomem **ret, Diag *d)
{
	_cleanup_(fclosep) FILE *f = NULL;

	f = fmemopen((void *)text, strlen(text), "r");
	assert_non_null(f);
	return iomem_parse_stream(f, "iomem", ret, d);
}

static const char SAMPLE[] =
	"00000000-00000fff : Reserved\n"
	"00001000-0009fbff : System RAM\n"
	"000f0000-000fffff : Reserved\n"
	"  000f0000-000fffff : System ROM\n"
	"00100000-3ffdffff : System RAM\n"
	"  0c800000-0d601c96 : Kernel code\n"
	"  0ee2e000-0f3fffff : Kernel bss\n"
	"  2f000000-3effffff : Crash kernel\n"
	"b0000000-bfffffff : PCI MMCONFIG 0000 [bus 00-ff]\n"
	"  b0000000-bfffffff : Reserved\n"
	"100000000-17fffffff : virtio0\n"
	"  100000000-13fffffff : System RAM (virtio_mem)\n"
	"6080000000-707fffffff : CXL Window 0\n"
	"  6080000000-707fffffff : region0\n"
	"    6080000000-707fffffff : dax0.0\n"
	"      6080000000-707fffffff : System RAM (kmem)\n"
	"38000000000-3bfffffffff : PCI Bus 0000:00\n";

static void test_sample(void **state)
{
	_cleanup_(iomem_freep) Iomem *m = NULL;
	Diag d = {};
	const IomemEntry *e;

	assert_int_equal(parse(SAMPLE, &m, &d), 0);
	assert_int_equal(m->n_entries, 17);

	e = &m->entries[4];
	assert_string_equal(e->name, "System RAM");
	assert_int_equal(e->start, 0x100000);
	assert_int_equal(e->end, 0x3ffdffff);
	assert_int_equal(e->depth, 0);
	assert_int_equal(e->line, 5);

	/* Names keep their spaces, brackets and colons. */
	assert_string_equal(m->entries[8].name, "PCI MMCONFIG 0000 [bus 00-ff]");
	assert_string_equal(m->entries[11].name, "System RAM (virtio_mem)");
	assert_int_equal(m->entries[11].depth, 1);
	assert_string_equal(m->entries[15].name, "System RAM (kmem)");
	assert_int_equal(m->entries[15].depth, 3);
	assert_int_equal(m->entries[15].start, 0x6080000000ULL);
	assert_string_equal(m->entries[16].name, "PCI Bus 0000:00");
	assert_int_equal(m->entries[16].end, 0x3bfffffffffULL);

	e = iomem_find(m, "Kernel code");
	assert_non_null(e);
	assert_int_equal(e->start, 0xc800000);
	e = iomem_find(m, "Kernel bss");
	assert_non_null(e);
	assert_int_equal(e->end, 0xf3fffff);
	assert_null(iomem_find(m, "Kernel"));
}

static void test_crash_kernel_high_and_low(void **state)
{
	static const char text[] =
		"00100000-5a3fefff : System RAM\n"
		"  4a000000-59ffffff : Crash kernel\n"
		"100000000-303fffffff : System RAM\n"
		"  2ff0000000-300fffffff : Crash kernel\n";
	_cleanup_(iomem_freep) Iomem *m = NULL;
	unsigned n = 0;

	assert_int_equal(parse(text, &m, NULL), 0);
	for (size_t i = 0; i < m->n_entries; i++)
		if (streq(m->entries[i].name, "Crash kernel")) {
			assert_int_equal(m->entries[i].depth, 1);
			n++;
		}
	assert_int_equal(n, 2);
	assert_int_equal(m->entries[3].start, 0x2ff0000000ULL);
}

static void test_full_64bit_range(void **state)
{
	_cleanup_(iomem_freep) Iomem *m = NULL;

	assert_int_equal(parse("0000000000000000-ffffffffffffffff : PCI mem\n"
			       "  FFFFFFFFFFFFF000-FFFFFFFFFFFFFFFF : top\n", &m, NULL), 0);
	assert_int_equal(m->entries[0].end, UINT64_MAX);
	assert_int_equal(m->entries[1].start, 0xfffffffffffff000ULL);
}

static void test_is_system_ram(void **state)
{
	assert_true(iomem_is_system_ram("System RAM"));
	assert_true(iomem_is_system_ram("System RAM (virtio_mem)"));
	assert_true(iomem_is_system_ram("System RAM (kmem)"));
	assert_false(iomem_is_system_ram("System RAMx"));
	assert_false(iomem_is_system_ram("System RAM ()"));
	assert_false(iomem_is_system_ram("System RAM (kmem"));
	assert_false(iomem_is_system_ram("System RAM(kmem)"));
	assert_false(iomem_is_system_ram("system ram"));
	assert_false(iomem_is_system_ram("Kernel code"));
	assert_false(iomem_is_system_ram(""));
}

/* The kernel stops indenting at level 5: deeper entries come out at level 5 and are put
 * back under the deepest open entry containing them. */
static void test_depth_beyond_five(void **state)
{
	static const char text[] =
		"38000000000-3bfffffffff : L0\n"
		"  38000000000-380ffffffff : L1\n"
		"    38000000000-380ffffffff : L2\n"
		"      38000000000-380ffffffff : L3\n"
		"        38000000000-3807fffffff : L4\n"
		"          38000000000-3803fffffff : L5\n"
		"          38000000000-38000ffffff : L6\n"
		"          38000000000-38000ffffff : L7\n"
		"          38001000000-38001ffffff : L6b\n"
		"          38040000000-3807fffffff : L5b\n"
		"        38080000000-380bfffffff : L4b\n";
	static const unsigned depth[] = { 0, 1, 2, 3, 4, 5, 6, 7, 6, 5, 4 };
	_cleanup_(iomem_freep) Iomem *m = NULL;
	Diag d = {};

	assert_int_equal(parse(text, &m, &d), 0);
	assert_int_equal(m->n_entries, ELEMENTSOF(depth));
	for (size_t i = 0; i < ELEMENTSOF(depth); i++)
		assert_int_equal(m->entries[i].depth, depth[i]);
}

typedef struct BadCase {
	const char *text;
	int error;
	unsigned line;
	const char *reason;
} BadCase;

static const BadCase bad_cases[] = {
	{ "00000000-00000fff : Reserved\n00001000-0009fbff : System R", EINVAL, 2,
	  "truncated line (no newline at end of file)" },
	{ "00100000-3ffd", EINVAL, 1, "truncated line (no newline at end of file)" },
	{ "00100000-3ffd\n", EINVAL, 1, "expected \" : \" after the address range" },
	{ "00100000-3ffdffff System RAM\n", EINVAL, 1, "expected \" : \" after the address range" },
	{ "00100000-3ffdffff :System RAM\n", EINVAL, 1, "expected \" : \" after the address range" },
	{ "3ffe0000-3ffdffff : Reserved\n", EINVAL, 1, "reversed range: start 3ffe0000 > end 3ffdffff" },
	{ "00100000-3ffdffff : System RAM\n3ffd0000-3fffffff : Reserved\n", EINVAL, 2,
	  "3ffd0000-3fffffff overlaps its sibling 100000-3ffdffff (line 1)" },
	{ "40000000-4fffffff : A\n00100000-3ffdffff : B\n", EINVAL, 2,
	  "100000-3ffdffff is out of order: below its previous sibling 40000000-4fffffff (line 1)" },
	{ "00100000-3ffdffff : System RAM\n  2f000000-4effffff : Crash kernel\n", EINVAL, 2,
	  "2f000000-4effffff lies outside its parent 100000-3ffdffff (line 1)" },
	{ "00100000-3ffdffff : System RAM\n  00000000-000fffff : Kernel code\n", EINVAL, 2,
	  "0-fffff lies outside its parent 100000-3ffdffff (line 1)" },
	{ "0010z000-3ffdffff : System RAM\n", EINVAL, 1, "bad start address: 'z' is not a hex digit" },
	{ "00100000-3ffdfxff : System RAM\n", EINVAL, 1, "bad end address: 'x' is not a hex digit" },
	{ "-3ffdffff : System RAM\n", EINVAL, 1, "bad start address: not a hex number" },
	{ "00100000- : System RAM\n", EINVAL, 1, "bad end address: not a hex number" },
	{ "00100000+3ffdffff : System RAM\n", EINVAL, 1, "expected '-' after the start address" },
	{ "00000000000000000-1 : X\n", EINVAL, 1, "bad start address: more than 16 hex digits" },
	{ "0-10000000000000000 : X\n", EINVAL, 1, "bad end address: more than 16 hex digits" },
	{ "  00100000-3ffdffff : System RAM\n", EINVAL, 1, "bad indentation: the first entry is indented" },
	{ "00100000-3ffdffff : System RAM\n    0c800000-0d601c96 : Kernel code\n", EINVAL, 2,
	  "bad indentation: level 2 follows level 0 (at most one level deeper)" },
	{ "00100000-3ffdffff : System RAM\n   0c800000-0d601c96 : Kernel code\n", EINVAL, 2,
	  "bad indentation: 3 spaces (must be 2 per level)" },
	{ "00100000-3ffdffff : System RAM\n\t0c800000-0d601c96 : Kernel code\n", EINVAL, 2,
	  "bad indentation: only spaces are allowed" },
	{ "0-f : a\n  0-f : b\n    0-f : c\n      0-f : d\n        0-f : e\n          0-f : f\n            0-f : g\n",
	  EINVAL, 7, "bad indentation: level 6 (the kernel indents at most 5 levels)" },
	{ "00100000-3ffdffff : System RAM\n\n", EINVAL, 2, "empty line" },
	{ "00100000-3ffdffff : System RAM\r\n", EINVAL, 1, "control character in the name" },
	{ "00000000-00000000 : Reserved\n00000000-00000000 : System RAM\n", EACCES, 2,
	  "addresses hidden (all shown as 0): run as root" },
	{ "00000000-00000000 : Reserved\n  00000000-00000000 : System ROM\n", EACCES, 2,
	  "addresses hidden (all shown as 0): run as root" },
};

static void test_bad_input(void **state)
{
	for (size_t i = 0; i < ELEMENTSOF(bad_cases); i++) {
		const BadCase *c = &bad_cases[i];
		Iomem *m = (Iomem *)0x1; /* must stay untouched on failure */
		Diag d = {};

		print_message("# case %zu: %s\n", i, c->reason);
		assert_int_equal(parse(c->text, &m, &d), -c->error);
		assert_ptr_equal(m, (Iomem *)0x1);
		assert_string_equal(d.file, "iomem");
		assert_int_equal(d.line, c->line);
		assert_string_equal(d.reason, c->reason);
	}
}

static void test_nul_byte(void **state)
{
	static const char text[] = "00100000-3ffdffff : System\0RAM\n";
	_cleanup_(fclosep) FILE *f = NULL;
	Iomem *m = NULL;
	Diag d = {};

	f = fmemopen((void *)text, sizeof(text) - 1, "r");
	assert_non_null(f);
	assert_int_equal(iomem_parse_stream(f, "iomem", &m, &d), -EINVAL);
	assert_string_equal(d.reason, "NUL byte in line");
	assert_null(m);
}

static void test_empty(void **state)
{
	_cleanup_(fclosep) FILE *f = NULL;
	Iomem *m = NULL;
	Diag d = {};

	f = fopen("/dev/null", "re");
	assert_non_null(f);
	assert_int_equal(iomem_parse_stream(f, "iomem", &m, &d), -ENODATA);
	assert_int_equal(d.line, 0);
	assert_string_equal(d.reason, "file is empty");
	assert_null(m);
}

static void test_long_line(void **state)
{
	_cleanup_(freep) char *text = NULL;
	Iomem *m = NULL;
	Diag d = {};

	text = malloc(10000);
	assert_non_null(text);
	strcpy(text, "00100000-3ffdffff : ");
	memset(text + strlen(text), 'x', 5000);
	strcpy(text + 20 + 5000, "\n");
	assert_int_equal(parse(text, &m, &d), -EINVAL);
	assert_string_equal(d.reason, "line longer than 4096 bytes");
}

/* kexec-tools stops at 32768 ranges without a word: every line must come through. */
static void test_more_lines_than_kexec_tools(void **state)
{
	_cleanup_(iomem_freep) Iomem *m = NULL;
	_cleanup_(freep) char *text = NULL;
	_cleanup_(freep) Range *ram = NULL;
	Topology t = {};
	size_t size = 0, n = 45000;
	FILE *f;

	f = open_memstream(&text, &size);
	assert_non_null(f);
	/* 64 KiB RAM ranges, every tenth line a child of the range before it: 40500 ranges. */
	for (size_t i = 0; i < n; i++) {
		unsigned long long s = 0x100000000ULL + i * 0x20000;

		if (i % 10 == 9)
			fprintf(f, "  %llx-%llx : Kernel data\n", s - 0x20000, s - 0x20000 + 0xfff);
		else
			fprintf(f, "%llx-%llx : System RAM\n", s, s + 0xffff);
	}
	assert_int_equal(fclose(f), 0);

	assert_int_equal(parse(text, &m, NULL), 0);
	assert_int_equal(m->n_entries, n);
	assert_int_equal(m->entries[n - 1].line, n);
	assert_int_equal(m->entries[n - 1].depth, 1);
	assert_int_equal(m->entries[n - 2].start, 0x100000000ULL + (n - 2) * 0x20000);

	assert_int_equal(topology_ram_from_iomem(m, &t, NULL), 0);
	ram = t.ram;
	assert_int_equal(t.n_ram, n - n / 10);
	assert_true(t.n_ram > 40000);
	assert_int_equal(ram[t.n_ram - 1].start, 0x100000000ULL + (n - 2) * 0x20000);
}

static void test_parse_file(void **state)
{
	_cleanup_(iomem_freep) Iomem *m = NULL;
	const char *fixtures = getenv("FIXTURES");
	char root[PATH_MAX];
	Diag d = {};

	assert_int_equal(iomem_parse_file("/nonexistent-root", &m, &d), -ENOENT);
	assert_string_equal(d.file, "/proc/iomem");
	assert_int_equal(d.line, 0);

	if (!fixtures)
		skip();
	snprintf(root, sizeof(root), "%s/small-vm", fixtures);
	assert_int_equal(iomem_parse_file(root, &m, &d), 0);
	assert_int_equal(m->n_entries, 27);
	assert_non_null(iomem_find(m, "Crash kernel"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample),
		cmocka_unit_test(test_crash_kernel_high_and_low),
		cmocka_unit_test(test_full_64bit_range),
		cmocka_unit_test(test_is_system_ram),
		cmocka_unit_test(test_depth_beyond_five),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_more_lines_than_kexec_tools),
		cmocka_unit_test(test_parse_file),
	};
	return cmocka_run_group_tests_name("iomem", tests, NULL, NULL);
}
