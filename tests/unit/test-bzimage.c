/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <sys/stat.h>

#include "bzimage-fixture.h"
#include "x86/bzimage.h"

#define KSIZE 0x10000u

static void test_synthetic_image(void **state)
{
	size_t size;
	uint8_t *p = fake_bzimage(KSIZE, &size);
	BzImage b;
	Diag d = {};

	assert_int_equal(bzimage_parse(p, size, "vmlinuz", &b, &d), 0);
	assert_int_equal(b.version, 0x020f);
	assert_int_equal(b.setup_size, FAKE_SETUP_SIZE);
	assert_ptr_equal(b.kernel, p + FAKE_SETUP_SIZE);
	assert_int_equal(b.kernel_size, KSIZE);
	assert_int_equal(b.header_end, 0x26c);
	assert_int_equal(b.kernel_alignment, 0x200000);
	assert_int_equal(b.init_size, FAKE_INIT_SIZE);
	assert_int_equal(b.cmdline_size, 2047);
	assert_int_equal(b.pref_address, 0x1000000);
	assert_true(b.xloadflags & XLF_KERNEL_64);
	/* init_size dominates a small kernel; a kernel larger than init_size dominates it. */
	assert_int_equal(bzimage_load_size(&b), FAKE_INIT_SIZE);
	b.init_size = 100;
	assert_int_equal(bzimage_load_size(&b), KSIZE);
	free(p);
}

typedef struct Broken {
	const char *what;
	size_t offset;   /* field to overwrite */
	unsigned width;  /* 1, 2 or 4 bytes */
	uint32_t value;
	const char *reason; /* substring of the diagnostic */
} Broken;

static const Broken broken[] = {
	{ "no boot flag", HDR_BOOT_FLAG, 2, 0, "0xAA55" },
	{ "no HdrS", HDR_HEADER, 4, 0x12345678, "HdrS" },
	{ "protocol 2.11", HDR_VERSION, 2, 0x020b, "older than 2.12" },
	{ "32-bit only", HDR_XLOADFLAGS, 2, 0x0, "XLF_KERNEL_64" },
	{ "not relocatable", HDR_RELOCATABLE_KERNEL, 1, 0, "not relocatable" },
	{ "alignment not a power of two", HDR_KERNEL_ALIGNMENT, 4, 0x300000, "power of two" },
	{ "alignment below a page", HDR_KERNEL_ALIGNMENT, 4, 0x800, "power of two" },
	{ "no init_size", HDR_INIT_SIZE, 4, 0, "init_size" },
	{ "no cmdline_size", HDR_CMDLINE_SIZE, 4, 0, "cmdline_size" },
	{ "setup past the end", HDR_SETUP_SECTS, 1, 200, "outside" },
	{ "header too short", HDR_JUMP + 1, 1, 0x10, "setup header length" },
	{ "header past boot_params fields", HDR_JUMP + 1, 1, 0xa0, "setup header length" },
	{ "truncated kernel", HDR_SYSSIZE, 4, KSIZE / 16 + 1, "truncated" },
	{ "unaligned pref_address", HDR_PREF_ADDRESS, 4, 0x1000010, "pref_address" },
};

static void test_broken_images(void **state)
{
	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		const Broken *x = &broken[i];
		size_t size;
		uint8_t *p = fake_bzimage(KSIZE, &size);
		BzImage b;
		Diag d = {};

		if (x->width == 1)
			p[x->offset] = (uint8_t)x->value;
		else if (x->width == 2)
			put_le16(p + x->offset, (uint16_t)x->value);
		else
			put_le32(p + x->offset, x->value);
		print_message("# %s\n", x->what);
		assert_int_equal(bzimage_parse(p, size, "vmlinuz", &b, &d), -ENOEXEC);
		assert_string_equal(d.file, "vmlinuz");
		if (!strstr(d.reason, x->reason))
			fail_msg("%s: reason \"%s\" lacks \"%s\"", x->what, d.reason, x->reason);
		free(p);
	}
}

static void test_too_short(void **state)
{
	size_t size;
	uint8_t *p = fake_bzimage(KSIZE, &size);
	BzImage b;
	Diag d = {};

	assert_int_equal(bzimage_parse(p, 0x200, "vmlinuz", &b, &d), -ENOEXEC);
	assert_non_null(strstr(d.reason, "too short"));
	/* Exactly the setup part, no kernel at all. */
	assert_int_equal(bzimage_parse(p, FAKE_SETUP_SIZE, "vmlinuz", &b, &d), -ENOEXEC);
	free(p);
}

/* setup_sects == 0 means 4 (boot.rst). */
static void test_setup_sects_zero_means_four(void **state)
{
	size_t size;
	uint8_t *p = fake_bzimage(KSIZE, &size);
	BzImage b;

	p[HDR_SETUP_SECTS] = 0;
	put_le32(p + HDR_SYSSIZE, (KSIZE - 512) / 16); /* one sector of the kernel moved to setup */
	assert_int_equal(bzimage_parse(p, size, "vmlinuz", &b, NULL), 0);
	assert_int_equal(b.setup_size, 5 * 512);
	free(p);
}

/* A real distribution kernel, when one is given: CRASH_HOTPLUGD_TEST_BZIMAGE=/path/to/vmlinuz. */
static void test_real_bzimage(void **state)
{
	const char *path = getenv("CRASH_HOTPLUGD_TEST_BZIMAGE");
	uint8_t *buf;
	struct stat st;
	FILE *f;
	BzImage b;
	Diag d = {};

	if (!path || !*path) {
		/* Not cmocka's skip(): its "not ok # SKIP" line counts as a failure in meson's TAP
		 * parser. The line below shows in the test log instead. */
		print_message("# SKIP real bzImage: set CRASH_HOTPLUGD_TEST_BZIMAGE=/path/to/vmlinuz to parse one\n");
		return;
	}
	f = fopen(path, "re");
	assert_non_null(f);
	assert_int_equal(fstat(fileno(f), &st), 0);
	buf = malloc((size_t)st.st_size);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)st.st_size, f), (size_t)st.st_size);
	fclose(f);
	if (bzimage_parse(buf, (size_t)st.st_size, path, &b, &d) < 0)
		fail_msg("%s: %s", path, d.reason);
	print_message("# %s: protocol %x, %zu setup bytes, %zu kernel bytes, init_size 0x%x, align 0x%x, "
		      "xloadflags 0x%x, pref 0x%llx, cmdline_size %u\n",
		      path, b.version, b.setup_size, b.kernel_size, b.init_size, b.kernel_alignment, b.xloadflags,
		      (unsigned long long)b.pref_address, b.cmdline_size);
	assert_true(b.version >= BZIMAGE_MIN_VERSION);
	assert_true(b.init_size >= b.kernel_size);
	/* The 64-bit entry point is inside the protected-mode part. */
	assert_true(b.kernel_size > KERNEL_ENTRY64_OFFSET);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_synthetic_image),
		cmocka_unit_test(test_broken_images),
		cmocka_unit_test(test_too_short),
		cmocka_unit_test(test_setup_sects_zero_means_four),
		cmocka_unit_test(test_real_bzimage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
