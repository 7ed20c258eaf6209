/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "kcore.h"
#include "x86/crash-rules.h"

#define NO_PADDR UINT64_MAX
#define PAGE_OFFSET 0xffff9a8d40000000ULL
#define TEXT_VADDR 0xffffffff9ae00000ULL

typedef struct Load {
	uint64_t vaddr, paddr, size;
} Load;

/* A kcore as fs/proc/kcore.c lays it out: Ehdr, PT_NOTE, one PT_LOAD per kclist entry. */
typedef struct Image {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[16];
} Image;

static const Load typical[] = {
	{ 0xffffffffff600000ULL, NO_PADDR, 0x1000 },          /* vsyscall */
	{ TEXT_VADDR, 0xc800000, 0x3430000 },                 /* _text.._end */
	{ 0xffffffffc0000000ULL, NO_PADDR, 0x3f000000 },      /* modules */
	{ 0xffffb0f8c0000000ULL, NO_PADDR, 0x1fffffffffffULL }, /* vmalloc */
	{ PAGE_OFFSET + 0x1000, 0x1000, 0x9e000 },            /* RAM */
	{ 0xffffd7a540000000ULL, NO_PADDR, 0x3000 },          /* vmemmap */
	{ PAGE_OFFSET + 0x100000, 0x100000, 0x3fee0000 },     /* RAM */
};

static size_t build(Image *img, const Load *loads, size_t n)
{
	memset(img, 0, sizeof(*img));
	memcpy(img->eh.e_ident, ELFMAG, SELFMAG);
	img->eh.e_ident[EI_CLASS] = ELFCLASS64;
	img->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	img->eh.e_ident[EI_VERSION] = EV_CURRENT;
	img->eh.e_type = ET_CORE;
	img->eh.e_machine = EM_X86_64;
	img->eh.e_version = EV_CURRENT;
	img->eh.e_phoff = sizeof(Elf64_Ehdr);
	img->eh.e_ehsize = sizeof(Elf64_Ehdr);
	img->eh.e_phentsize = sizeof(Elf64_Phdr);
	img->eh.e_phnum = (uint16_t)(n + 1);
	img->ph[0] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = 64 + 56 * (n + 1), .p_filesz = 0x2ad8 };
	for (size_t i = 0; i < n; i++)
		img->ph[i + 1] = (Elf64_Phdr){
			.p_type = PT_LOAD,
			.p_flags = PF_R | PF_W | PF_X,
			.p_offset = loads[i].vaddr - PAGE_OFFSET + 0x4000,
			.p_vaddr = loads[i].vaddr,
			.p_paddr = loads[i].paddr,
			.p_filesz = loads[i].size,
			.p_memsz = loads[i].size,
			.p_align = 4096,
		};
	return sizeof(Elf64_Ehdr) + (n + 1) * sizeof(Elf64_Phdr);
}

static int parse(const void *buf, size_t size, KernelMap *km, Diag *d)
{
	_cleanup_(fclosep) FILE *f = NULL;

	f = fmemopen((void *)buf, size, "r");
	assert_non_null(f);
	return kcore_parse_stream(f, "kcore", km, d);
}

static void test_typical(void **state)
{
	Image img;
	size_t size = build(&img, typical, ELEMENTSOF(typical));
	KernelMap km = {};
	Diag d = {};

	assert_int_equal(parse(&img, size, &km, &d), 0);
	assert_true(km.from_kcore);
	assert_int_equal(km.page_offset, PAGE_OFFSET);
	assert_int_equal(km.text_vaddr, TEXT_VADDR);
	assert_int_equal(km.text_paddr, 0xc800000);
	assert_int_equal(km.text_size, 0x3430000);
}

/* Without KASLR (KERNEL_IMAGE_SIZE 512 MiB) modules start inside the first GiB above
 * __START_KERNEL_map; they have no physical address and must not count as text. */
static void test_modules_below_1g(void **state)
{
	const Load loads[] = {
		{ 0xffffffff81000000ULL, 0x1000000, 0x2000000 },
		{ 0xffffffffa0000000ULL, NO_PADDR, 0x5f000000 },
		{ X86_DEFAULT_PAGE_OFFSET + 0x100000, 0x100000, 0x1000000 },
	};
	Image img;
	size_t size = build(&img, loads, ELEMENTSOF(loads));
	KernelMap km = {};

	assert_int_equal(parse(&img, size, &km, NULL), 0);
	assert_int_equal(km.text_vaddr, 0xffffffff81000000ULL);
	assert_int_equal(km.page_offset, X86_DEFAULT_PAGE_OFFSET);
}

/* e_phoff other than 64 is legal ELF: the parser seeks. */
static void test_phdrs_elsewhere(void **state)
{
	unsigned char buf[sizeof(Image) + 64] = {};
	Image img;
	size_t size = build(&img, typical, ELEMENTSOF(typical));
	KernelMap km = {};

	img.eh.e_phoff = 128;
	memcpy(buf, &img.eh, sizeof(img.eh));
	memcpy(buf + 128, img.ph, size - sizeof(img.eh));
	assert_int_equal(parse(buf, size + 64, &km, NULL), 0);
	assert_int_equal(km.page_offset, PAGE_OFFSET);
}

typedef void (*Mutate)(Image *img);

static void bad_magic(Image *img) { img->eh.e_ident[EI_MAG1] = 'X'; }
static void bad_class(Image *img) { img->eh.e_ident[EI_CLASS] = ELFCLASS32; }
static void bad_data(Image *img) { img->eh.e_ident[EI_DATA] = ELFDATA2MSB; }
static void bad_type(Image *img) { img->eh.e_type = ET_EXEC; }
static void bad_machine(Image *img) { img->eh.e_machine = EM_PPC64; }
static void bad_phentsize(Image *img) { img->eh.e_phentsize = 32; }
static void bad_phnum0(Image *img) { img->eh.e_phnum = 0; }
static void bad_xnum(Image *img) { img->eh.e_phnum = PN_XNUM; }
static void bad_phoff(Image *img) { img->eh.e_phoff = 8; }
static void more_phdrs(Image *img) { img->eh.e_phnum += 2; }
static void no_text(Image *img) { img->ph[2].p_paddr = NO_PADDR; }
static void empty_text(Image *img) { img->ph[2].p_memsz = 0; }
static void no_ram(Image *img) { img->ph[5].p_paddr = img->ph[7].p_paddr = NO_PADDR; }
static void two_texts(Image *img) { img->ph[3].p_vaddr = 0xffffffffa0000000ULL; img->ph[3].p_paddr = 0x2000000; }
static void ram_disagrees(Image *img) { img->ph[7].p_vaddr += 0x40000000; }
static void ram_underflow(Image *img) { img->ph[5].p_vaddr = 0x1000; img->ph[5].p_paddr = 0x2000; }

static void test_bad(void **state)
{
	static const struct {
		Mutate mutate;
		const char *reason;
	} cases[] = {
		{ bad_magic, "not an ELF file" },
		{ bad_class, "not a 64-bit little-endian ELF file" },
		{ bad_data, "not a 64-bit little-endian ELF file" },
		{ bad_type, "not an ELF core file (e_type 2)" },
		{ bad_machine, "not a core of a supported architecture (e_machine 21)" },
		{ bad_phentsize, "e_phentsize 32, expected 56" },
		{ bad_phnum0, "unsupported program header count 0" },
		{ bad_xnum, "unsupported program header count 65535" },
		{ bad_phoff, "program headers overlap the ELF header (e_phoff 8)" },
		{ more_phdrs, "truncated: 10 program headers announced" },
		{ no_text, "no kernel text segment (vaddr at or above 0xffffffff80000000)" },
		{ empty_text, "kernel text segment is empty" },
		{ no_ram, "no RAM segment with a physical address" },
		{ two_texts, "two kernel text segments (program headers 2 and 3)" },
		{ ram_disagrees, "program header 7: PAGE_OFFSET 0xffff9a8d80000000 differs from 0xffff9a8d40000000" },
		{ ram_underflow, "program header 5: virtual address 0x1000 below physical 0x2000" },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		Image img;
		size_t size = build(&img, typical, ELEMENTSOF(typical));
		KernelMap km = { .page_offset = 77 };
		Diag d = {};

		cases[i].mutate(&img);
		print_message("# %s\n", cases[i].reason);
		assert_int_equal(parse(&img, size, &km, &d), -EINVAL);
		assert_int_equal(km.page_offset, 77);
		assert_string_equal(d.file, "kcore");
		assert_string_equal(d.reason, cases[i].reason);
	}
}

static void test_short(void **state)
{
	KernelMap km = {};
	Diag d = {};

	assert_int_equal(parse("\x7f" "ELF", 4, &km, &d), -EINVAL);
	assert_string_equal(d.reason, "shorter than an ELF header");
}

static void test_fallback(void **state)
{
	KernelMap km;

	/* "Kernel code" 0c800000-..., "Kernel bss" ...-0f3fffff: size to the page after bss. */
	x86_kernel_map_guess(0xc800000, 0xf3fffff, &km);
	assert_false(km.from_kcore);
	assert_int_equal(km.page_offset, X86_DEFAULT_PAGE_OFFSET);
	assert_int_equal(km.text_vaddr, 0xffffffff81000000ULL);
	assert_int_equal(km.text_paddr, 0xc800000);
	assert_int_equal(km.text_size, 0x2c00000);

	x86_kernel_map_guess(0x1000000, 0x3c57ffe, &km);
	assert_int_equal(km.text_size, 0x2c58000);
}

static void test_file(void **state)
{
	const char *fixtures = getenv("FIXTURES");
	char root[PATH_MAX];
	KernelMap km = {};
	Diag d = {};

	assert_int_equal(kcore_parse_file("/nonexistent-root", &km, &d), -ENOENT);
	assert_string_equal(d.file, "/proc/kcore");

	if (!fixtures)
		skip();
	snprintf(root, sizeof(root), "%s/small-vm", fixtures);
	assert_int_equal(kcore_parse_file(root, &km, &d), 0);
	assert_int_equal(km.page_offset, PAGE_OFFSET);
	assert_int_equal(km.text_vaddr, TEXT_VADDR);
	/* The generated over-capacity kcore has more than 2000 program headers. */
	snprintf(root, sizeof(root), "%s/over-capacity", fixtures);
	assert_int_equal(kcore_parse_file(root, &km, &d), 0);
	assert_int_equal(km.page_offset, X86_DEFAULT_PAGE_OFFSET);
}

/* arm64, from a real Debian 12 guest (tests/fixtures/arm64-qemu-virt): text above PAGE_END,
 * one linear-map RAM entry, vmalloc/modules/vmemmap without a physical address. */
static const Load arm64_virt[] = {
	{ 0xffffb40dc8e00000ULL, 0x40200000, 0x2010000 },         /* _text.._end */
	{ 0xffff800008000000ULL, NO_PADDR, 0x7bffe8000000ULL },   /* vmalloc */
	{ 0xffff800000000000ULL, NO_PADDR, 0x8000000 },           /* modules */
	{ 0xffff000000000000ULL, 0x40000000, 0x80000000 },        /* RAM */
	{ 0xfffffc0000000000ULL, NO_PADDR, 0x2000000 },           /* vmemmap */
};

static void test_arm64(void **state)
{
	const char *fixtures = getenv("FIXTURES");
	char root[PATH_MAX];
	Image img;
	size_t size = build(&img, arm64_virt, ELEMENTSOF(arm64_virt));
	KernelMap km = {};
	Diag d = {};

	img.eh.e_machine = EM_AARCH64;
	assert_int_equal(parse(&img, size, &km, &d), 0);
	assert_int_equal(km.va_bits, 48);
	/* p_vaddr - p_paddr = PAGE_OFFSET - PHYS_OFFSET = 0xffff000000000000 - 0x40000000 */
	assert_int_equal(km.page_offset, 0xfffeffffc0000000ULL);
	assert_int_equal(km.text_vaddr, 0xffffb40dc8e00000ULL);
	assert_int_equal(km.text_paddr, 0x40200000);
	assert_int_equal(km.text_size, 0x2010000);

	/* The same layout for 39-bit VA: the linear map at -2^39, PAGE_END at -2^38. */
	{
		const Load va39[] = {
			{ 0xffffffc008000000ULL + 0x1a00000, 0x40200000, 0x2010000 },
			{ 0xffffff8000000000ULL, 0x40000000, 0x80000000 },
			{ 0xffffff8080000000ULL, 0xc0000000, 0x20000000 },
		};

		size = build(&img, va39, ELEMENTSOF(va39));
		img.eh.e_machine = EM_AARCH64;
		assert_int_equal(parse(&img, size, &km, &d), 0);
		assert_int_equal(km.va_bits, 39);
		assert_int_equal(km.text_paddr, 0x40200000);
		assert_int_equal(km.page_offset, 0xffffff8000000000ULL - 0x40000000);
	}

	/* A lowest mapped address with 31 leading ones would be a 33-bit VA space, which no
	 * arm64 kernel has (ARM64_VA_BITS is 36 to 52): refused, not guessed. */
	{
		const Load odd[] = {
			{ 0xffffffff9ae00000ULL, 0xc800000, 0x3430000 },
			{ 0xffffffff80000000ULL - 0x100000000ULL, 0x100000, 0x3fee0000 },
		};

		size = build(&img, odd, ELEMENTSOF(odd));
		img.eh.e_machine = EM_AARCH64;
		assert_int_equal(parse(&img, size, &km, &d), -EINVAL);
		assert_string_equal(d.reason, "lowest mapped address 0xfffffffe80000000 is in no arm64 linear map");
	}

	if (!fixtures)
		skip();
	snprintf(root, sizeof(root), "%s/arm64-qemu-virt-virtio-mem", fixtures);
	assert_int_equal(kcore_parse_file(root, &km, &d), 0);
	/* virtio-mem's 512 MiB at 0xc0000000 are a second RAM entry with the same offset. */
	assert_int_equal(km.page_offset, 0xfffeffffc0000000ULL);
	assert_int_equal(km.text_vaddr, 0xffffb3c66e800000ULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_typical),
		cmocka_unit_test(test_modules_below_1g),
		cmocka_unit_test(test_phdrs_elsewhere),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_short),
		cmocka_unit_test(test_fallback),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_arm64),
	};
	return cmocka_run_group_tests_name("kcore", tests, NULL, NULL);
}
