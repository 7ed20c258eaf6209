/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <ctype.h>

#include "config.h"

#define SEC 1000000ULL
#define MS 1000ULL

typedef struct Warnings {
	unsigned n;
	char last[1024]; /* "file:line: message" of the last one */
} Warnings;

static void collect_warning(void *userdata, const char *file, unsigned line, const char *msg)
{
	Warnings *w = userdata;

	w->n++;
	snprintf(w->last, sizeof(w->last), "%s:%u: %s", file, line, msg);
}

/* Parses text as one file named "test.conf" into c (initialized by the caller). */
static int parse_text(Config *c, const char *text, Warnings *w, Diag *d)
{
	_cleanup_(fclosep) FILE *f = fmemopen((void *)text, strlen(text), "r");

	assert_non_null(f);
	return config_parse_stream(c, f, "test.conf", collect_warning, w, d);
}

static const char *fixture(const char *name, char *buf, size_t size)
{
	const char *dir = getenv("FIXTURES");

	if (!dir)
		dir = "tests/fixtures"; /* run by hand from the source tree */
	snprintf(buf, size, "%s/%s", dir, name);
	return buf;
}

static void test_defaults(void **state)
{
	Config c;

	config_init(&c);
	assert_int_equal(c.max_phdrs, 0);
	assert_int_equal(c.quiet_usec, 1 * SEC);
	assert_int_equal(c.max_delay_usec, 10 * SEC);
	assert_int_equal(c.loader, LOADER_AUTO);
	assert_null(c.kernel);
	assert_null(c.initrd);
	assert_null(c.command_line);
	assert_true(c.load_on_start);
	assert_null(config_dry_run_output(&c)); /* the daemon's default: RUNTIME_DIR/dry-run */
	/* 2 + CONFIG_CRASH_MAX_MEMORY_RANGES + possible CPUs, capped below PN_XNUM. */
	assert_int_equal(config_max_phdrs(&c, 4), 2 + 8192 + 4);
	assert_int_equal(config_max_phdrs(&c, 100000), 65534);
	c.max_phdrs = 300;
	assert_int_equal(config_max_phdrs(&c, 4), 300);
	config_done(&c);
}

static void test_every_key(void **state)
{
	Config c;
	Warnings w = {};
	Diag d = {};

	config_init(&c);
	assert_int_equal(parse_text(&c,
				    "# comment\n"
				    "; other comment\n"
				    "\n"
				    "[Daemon]\n"
				    "MaxPhdrs = 65534\n"
				    "QuietPeriodSec=500ms\n"
				    "MaxDelaySec=2.5\n"
				    "Loader=kexec-tools\n"
				    "Kernel=/boot/vmlinuz-crash\n"
				    "Initrd=/boot/initrd-crash\n"
				    "CommandLine=root=/dev/vda1 console=ttyS0 irqpoll nr_cpus=1\n"
				    "LoadOnStart=false\n"
				    "DryRunOutput=/run/x/plan\n",
				    &w, &d),
			 0);
	assert_int_equal(w.n, 0);
	assert_int_equal(c.max_phdrs, 65534);
	assert_int_equal(c.quiet_usec, 500 * MS);
	assert_int_equal(c.max_delay_usec, 2500 * MS);
	assert_int_equal(c.loader, LOADER_KEXEC_TOOLS);
	assert_string_equal(c.kernel, "/boot/vmlinuz-crash");
	assert_string_equal(c.initrd, "/boot/initrd-crash");
	assert_string_equal(c.command_line, "root=/dev/vda1 console=ttyS0 irqpoll nr_cpus=1");
	assert_false(c.load_on_start);
	assert_string_equal(config_dry_run_output(&c), "/run/x/plan");

	/* An empty value restores each default. */
	assert_int_equal(parse_text(&c,
				    "[Daemon]\nMaxPhdrs=\nQuietPeriodSec=\nMaxDelaySec=\nLoader=\nKernel=\n"
				    "Initrd=\nCommandLine=\nLoadOnStart=\nDryRunOutput=\n",
				    &w, &d),
			 0);
	assert_int_equal(c.max_phdrs, 0);
	assert_int_equal(c.quiet_usec, 1 * SEC);
	assert_int_equal(c.max_delay_usec, 10 * SEC);
	assert_int_equal(c.loader, LOADER_AUTO);
	assert_null(c.kernel);
	assert_null(c.initrd);
	assert_null(c.command_line);
	assert_true(c.load_on_start);
	assert_null(c.dry_run_output);
	config_done(&c);
}

static void test_time_spellings(void **state)
{
	static const struct {
		const char *text;
		uint64_t usec;
	} ok[] = {
		{ "1", 1 * SEC },       { "1.5", 1500 * MS }, { "500ms", 500 * MS }, { "2s", 2 * SEC },
		{ "0", 0 },             { "250 us", 250 },    { "1min", 60 * SEC },  { ".25", 250 * MS },
		{ "3sec", 3 * SEC },    { "20msec", 20 * MS }, { "0.0000001", 0 },   { "3600", 3600 * SEC },
		{ "1.0000009s", 1 * SEC },
	};
	static const char *const bad[] = {
		"", "-1", "1h", "s", "1.5.2", "1 s x", "3601", "61min", "99999999999999999999999",
		"0x10", "1e3", ".",
	};

	for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
		char text[128];
		Config c;
		Diag d = {};

		config_init(&c);
		snprintf(text, sizeof(text), "[Daemon]\nQuietPeriodSec=%s\n", ok[i].text);
		assert_int_equal(parse_text(&c, text, NULL, &d), 0);
		assert_int_equal(c.quiet_usec, ok[i].usec);
		config_done(&c);
	}
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		char text[128];
		Config c;
		Diag d = {};

		config_init(&c);
		snprintf(text, sizeof(text), "[Daemon]\nMaxDelaySec=%s\n", bad[i]);
		/* The empty string is the reset, not an error. */
		if (!*bad[i]) {
			assert_int_equal(parse_text(&c, text, NULL, &d), 0);
			continue;
		}
		assert_int_equal(parse_text(&c, text, NULL, &d), -EINVAL);
		assert_int_equal(d.line, 2);
		assert_true(startswith(d.reason, "MaxDelaySec="));
		config_done(&c);
	}
}

static void test_bools_and_loaders(void **state)
{
	static const char *const yes[] = { "yes", "true", "1", "on", "YES" }, *const no[] = { "no", "false", "0", "off" };
	Config c;
	Diag d = {};
	char text[128];

	config_init(&c);
	for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
		c.load_on_start = false;
		snprintf(text, sizeof(text), "[Daemon]\nLoadOnStart=%s\n", yes[i]);
		assert_int_equal(parse_text(&c, text, NULL, &d), 0);
		assert_true(c.load_on_start);
	}
	for (size_t i = 0; i < ELEMENTSOF(no); i++) {
		c.load_on_start = true;
		snprintf(text, sizeof(text), "[Daemon]\nLoadOnStart=%s\n", no[i]);
		assert_int_equal(parse_text(&c, text, NULL, &d), 0);
		assert_false(c.load_on_start);
	}
	assert_int_equal(parse_text(&c, "[Daemon]\nLoadOnStart=maybe\n", NULL, &d), -EINVAL);

	for (int k = 0; k < _LOADER_MAX; k++) {
		snprintf(text, sizeof(text), "[Daemon]\nLoader=%s\n", loader_kind_to_string((LoaderKind)k));
		assert_int_equal(parse_text(&c, text, NULL, &d), 0);
		assert_int_equal(c.loader, k);
		assert_int_equal(loader_kind_from_string(loader_kind_to_string((LoaderKind)k)), k);
	}
	assert_int_equal(loader_kind_from_string("Kernel"), -EINVAL);
	assert_int_equal(loader_kind_from_string(NULL), -EINVAL);
	assert_null(loader_kind_to_string(_LOADER_MAX));
	assert_int_equal(parse_text(&c, "[Daemon]\nLoader=kexec\n", NULL, &d), -EINVAL);
	assert_string_equal(d.reason, "Loader=kexec: expected auto, kernel, segments, file, kexec-tools or dry-run");
	config_done(&c);
}

static void test_max_phdrs_limits(void **state)
{
	Config c;
	Diag d = {};
	char buf[1024];

	config_init(&c);
	assert_int_equal(parse_text(&c, "[Daemon]\nMaxPhdrs=4\n", NULL, &d), 0);
	assert_int_equal(c.max_phdrs, 4);
	assert_int_equal(parse_text(&c, "[Daemon]\nMaxPhdrs=3\n", NULL, &d), -EINVAL);
	/* PN_XNUM itself and above: the kdump kernel's /proc/vmcore could not read it. */
	assert_int_equal(parse_text(&c, "[Daemon]\n\nMaxPhdrs=65535\n", NULL, &d), -EINVAL);
	assert_string_equal(d.file, "test.conf");
	assert_int_equal(d.line, 3);
	assert_non_null(strstr(d.reason, "MaxPhdrs=65535: above 65534"));
	assert_non_null(strstr(d.reason, "extended numbering"));
	assert_string_equal(diag_format(&d, buf, sizeof(buf)),
			    "test.conf:3: MaxPhdrs=65535: above 65534: /proc/vmcore has no ELF extended numbering "
			    "(PN_XNUM), the crash kernel could not read a larger header");
	assert_int_equal(parse_text(&c, "[Daemon]\nMaxPhdrs=99999999999999999999\n", NULL, &d), -EINVAL);
	assert_int_equal(parse_text(&c, "[Daemon]\nMaxPhdrs=-5\n", NULL, &d), -EINVAL);
	assert_int_equal(parse_text(&c, "[Daemon]\nMaxPhdrs=12k\n", NULL, &d), -EINVAL);
	assert_int_equal(c.max_phdrs, 4); /* failed assignments change nothing */
	config_done(&c);
}

static void test_strings(void **state)
{
	_cleanup_(freep) char *long_line = NULL;
	Config c;
	Diag d = {};

	config_init(&c);
	assert_int_equal(parse_text(&c, "[Daemon]\nKernel=vmlinuz\n", NULL, &d), -EINVAL);
	assert_string_equal(d.reason, "Kernel=vmlinuz: not an absolute path");
	assert_int_equal(parse_text(&c, "[Daemon]\nInitrd=boot/initrd\n", NULL, &d), -EINVAL);
	assert_int_equal(parse_text(&c, "[Daemon]\nDryRunOutput=out\n", NULL, &d), -EINVAL);
	assert_int_equal(parse_text(&c, "[Daemon]\nCommandLine=a\x01 b\n", NULL, &d), -EINVAL);
	assert_int_equal(parse_text(&c, "[Daemon]\nCommandLine=  spaced out  \n", NULL, &d), 0);
	assert_string_equal(c.command_line, "spaced out");
	/* Kernel= replaced twice: the first copy must be freed (ASan would tell). */
	assert_int_equal(parse_text(&c, "[Daemon]\nKernel=/a\nKernel=/b\n", NULL, &d), 0);
	assert_string_equal(c.kernel, "/b");

	long_line = malloc(strlen("[Daemon]\nCommandLine=") + 2100 + 2);
	assert_non_null(long_line);
	strcpy(long_line, "[Daemon]\nCommandLine=");
	memset(long_line + strlen(long_line), 'x', 2017);
	strcpy(long_line + strlen("[Daemon]\nCommandLine=") + 2017, "\n");
	assert_int_equal(parse_text(&c, long_line, NULL, &d), -EINVAL);
	assert_non_null(strstr(d.reason, "more than 2016"));
	config_done(&c);
}

static void test_syntax(void **state)
{
	Config c;
	Warnings w = {};
	Diag d = {};

	config_init(&c);
	/* CRLF, a byte order mark, indentation and trailing blanks are all accepted. */
	assert_int_equal(parse_text(&c, "\xef\xbb\xbf[Daemon]\r\n  MaxPhdrs=100  \r\n\t# note\r\n", &w, &d), 0);
	assert_int_equal(c.max_phdrs, 100);
	assert_int_equal(w.n, 0);

	assert_int_equal(parse_text(&c, "[Daemon]\nMaxPhdrs 100\n", &w, &d), -EINVAL);
	assert_int_equal(d.line, 2);
	assert_non_null(strstr(d.reason, "expected Key=value"));
	assert_int_equal(parse_text(&c, "[Daemon\n", &w, &d), -EINVAL);
	assert_int_equal(parse_text(&c, "[]\n", &w, &d), -EINVAL);
	assert_int_equal(parse_text(&c, "[Daemon]\n=5\n", &w, &d), -EINVAL);

	/* Keys outside a section and in unknown sections are warnings, not errors. */
	w = (Warnings){};
	assert_int_equal(parse_text(&c, "Loader=file\n[Other]\nLoader=file\n[Daemon]\nBogus=1\n", &w, &d), 0);
	assert_int_equal(c.loader, LOADER_AUTO);
	assert_int_equal(w.n, 3);
	assert_string_equal(w.last, "test.conf:5: Unknown key Bogus= in section [Daemon], ignoring.");
	config_done(&c);
}

static void test_nul_byte(void **state)
{
	static const char text[] = "[Daemon]\nMaxPhdrs=10\0junk\n";
	_cleanup_(fclosep) FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");
	Config c;
	Diag d = {};

	config_init(&c);
	assert_non_null(f);
	assert_int_equal(config_parse_stream(&c, f, "nul.conf", NULL, NULL, &d), -EINVAL);
	assert_int_equal(d.line, 2);
	config_done(&c);
}

static void test_load_masking(void **state)
{
	_cleanup_(config_freep) Config *c = NULL;
	Warnings w = {};
	Diag d = {};
	char root[PATH_MAX];

	assert_int_equal(config_load(fixture("config-masking", root, sizeof(root)), NULL, collect_warning, &w, &c, &d), 0);
	assert_int_equal(w.n, 0);
	assert_int_equal(c->loader, LOADER_FILE);        /* main file; the masked drop-in's kexec-tools never read */
	assert_int_equal(c->max_phdrs, 2000);            /* /etc copy of 50-capacity.conf, not /usr/lib's 3000 */
	assert_int_equal(c->quiet_usec, 250 * MS);       /* /run masks /usr/lib */
	assert_false(c->load_on_start);                  /* /usr/local/lib, nothing masks it */
}

static void test_load_ordering(void **state)
{
	_cleanup_(config_freep) Config *c = NULL;
	Diag d = {};
	char root[PATH_MAX];

	assert_int_equal(config_load(fixture("config-ordering", root, sizeof(root)), NULL, NULL, NULL, &c, &d), 0);
	/* main, then 10 (/usr/lib), 20 (/etc), 25 (/run), 30 (/usr/local/lib): names decide, not dirs. */
	assert_int_equal(c->max_delay_usec, 4500 * MS);
	assert_string_equal(c->kernel, "/boot/from-20");
	assert_null(c->initrd); /* set by 10, reset by 25 */
}

static void test_load_last_wins(void **state)
{
	_cleanup_(config_freep) Config *c = NULL;
	Diag d = {};
	char root[PATH_MAX];

	assert_int_equal(config_load(fixture("config-last-wins", root, sizeof(root)), NULL, NULL, NULL, &c, &d), 0);
	assert_int_equal(c->loader, LOADER_DRY_RUN);
	assert_int_equal(c->quiet_usec, 1500 * MS);
	assert_string_equal(c->dry_run_output, "/var/lib/crash-hotplugd/two");
}

static void test_load_bad_value(void **state)
{
	Config *c = (Config *)0x1; /* must stay untouched */
	Diag d = {};
	char root[PATH_MAX], msg[1024];

	assert_int_equal(config_load(fixture("config-bad-value", root, sizeof(root)), NULL, NULL, NULL, &c, &d), -EINVAL);
	assert_ptr_equal(c, (Config *)0x1);
	assert_string_equal(d.file, "/etc/crash-hotplugd.conf.d/10-capacity.conf");
	assert_int_equal(d.line, 3);
	diag_format(&d, msg, sizeof(msg));
	assert_true(startswith(msg, "/etc/crash-hotplugd.conf.d/10-capacity.conf:3: MaxPhdrs=70000: above 65534"));
}

static void test_load_unknown_key(void **state)
{
	_cleanup_(config_freep) Config *c = NULL;
	Warnings w = {};
	Diag d = {};
	char root[PATH_MAX];

	assert_int_equal(config_load(fixture("config-unknown-key", root, sizeof(root)), NULL, collect_warning, &w, &c, &d), 0);
	/* ReloadHarder=, [Future], and Loader= before [Daemon] in the drop-in. */
	assert_int_equal(w.n, 3);
	assert_string_equal(w.last,
			    "/usr/lib/crash-hotplugd.conf.d/10-vendor.conf:1: Loader= outside of a section, ignoring (put it under [Daemon]).");
	assert_int_equal(c->max_phdrs, 4096);
	assert_int_equal(c->loader, LOADER_KERNEL);
}

static void test_load_explicit_and_missing(void **state)
{
	_cleanup_(config_freep) Config *c = NULL, *c2 = NULL;
	Config *untouched = NULL;
	Diag d = {};
	char root[PATH_MAX], main_file[PATH_MAX];

	/* No file at all: the defaults. */
	assert_int_equal(config_load(fixture("config-does-not-exist", root, sizeof(root)), NULL, NULL, NULL, &c, &d), 0);
	assert_int_equal(c->loader, LOADER_AUTO);
	assert_int_equal(c->max_phdrs, 0);

	/* A file the user named must exist; it is not under root, the drop-ins are. */
	assert_int_equal(config_load(root, "/nonexistent/crash-hotplugd.conf", NULL, NULL, &untouched, &d), -ENOENT);
	assert_null(untouched);
	assert_string_equal(d.file, "/nonexistent/crash-hotplugd.conf");

	fixture("config-last-wins/etc/crash-hotplugd.conf", main_file, sizeof(main_file));
	assert_int_equal(config_load(fixture("config-masking", root, sizeof(root)), main_file, NULL, NULL, &c2, &d), 0);
	assert_int_equal(c2->loader, LOADER_DRY_RUN); /* from the named file */
	assert_int_equal(c2->max_phdrs, 2000);        /* from the root's drop-ins */
}

/* The shipped file is all comments: it must parse without a warning and change nothing. */
static void test_shipped_file(void **state)
{
	_cleanup_(fclosep) FILE *f = NULL;
	Warnings w = {};
	Config c;
	Diag d = {};
	char path[PATH_MAX];

	f = fopen(fixture("../../conf/crash-hotplugd.conf", path, sizeof(path)), "re");
	assert_non_null(f);
	config_init(&c);
	assert_int_equal(config_parse_stream(&c, f, path, collect_warning, &w, &d), 0);
	assert_int_equal(w.n, 0);
	assert_int_equal(c.max_phdrs, 0);
	assert_int_equal(c.quiet_usec, 1 * SEC);
	assert_int_equal(c.loader, LOADER_AUTO);
	assert_null(c.kernel);
	config_done(&c);

	/* Uncommenting every key as shown gives the defaults again. */
	{
		_cleanup_(freep) char *text = NULL, *line = NULL;
		_cleanup_(fclosep) FILE *g = NULL;
		size_t len = 0, cap = 0;
		FILE *out;

		rewind(f);
		out = open_memstream(&text, &len);
		assert_non_null(out);
		while (getline(&line, &cap, f) >= 0)
			fputs(line[0] == '#' && isupper((unsigned char)line[1]) ? line + 1 : line, out);
		assert_int_equal(fclose(out), 0);
		g = fmemopen(text, len, "r");
		assert_non_null(g);
		config_init(&c);
		assert_int_equal(config_parse_stream(&c, g, "uncommented", collect_warning, &w, &d), 0);
		assert_int_equal(w.n, 0);
		assert_int_equal(c.max_phdrs, 0);
		assert_int_equal(c.quiet_usec, 1 * SEC);
		assert_int_equal(c.max_delay_usec, 10 * SEC);
		assert_int_equal(c.loader, LOADER_AUTO);
		assert_true(c.load_on_start);
		/* The daemon's default with its default runtime directory. */
		assert_string_equal(config_dry_run_output(&c), "/run/crash-hotplugd/dry-run");
		config_done(&c);
	}
}

static void test_default_cmdline(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-amd64 root=UUID=1234 ro quiet crashkernel=256M\n",
		  "root=UUID=1234 ro quiet irqpoll nr_cpus=1 reset_devices" },
		{ "root=/dev/vda1 console=ttyS0,115200 crashkernel=512M,high crashkernel=128M,low hugepages=512 "
		  "hugepagesz=2M default_hugepagesz=2M elfcorehdr=0x7f000000 nr_cpus=4 maxcpus=2 irqpoll "
		  "reset_devices log-buf-len=16M slub_debug=FZ swiotlb=65536 cma=64M hugetlb_cma=2G",
		  "root=/dev/vda1 console=ttyS0,115200 irqpoll nr_cpus=1 reset_devices" },
		{ "", "irqpoll nr_cpus=1 reset_devices" },
		{ "  initrd=\\initrd.img   dyndbg=\"file foo.c +p\" \t init=/sbin/init  ",
		  "dyndbg=\"file foo.c +p\" init=/sbin/init irqpoll nr_cpus=1 reset_devices" },
		/* Names that only start like a dropped one stay. */
		{ "crashkernelx=1 hugepages_extra cmaa=1", "crashkernelx=1 hugepages_extra cmaa=1 irqpoll nr_cpus=1 reset_devices" },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_(freep) char *out = NULL;

		assert_int_equal(config_default_cmdline(cases[i].in, &out), 0);
		assert_string_equal(out, cases[i].out);
	}
}

static void test_capture_cmdline(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "root=/dev/vda1 irqpoll", "root=/dev/vda1 irqpoll acpi_no_memhotplug" },
		/* An onlining policy and the module's options go, ours comes once. */
		{ "memhp_default_state=online_movable root=/dev/vda1 memory_hotplug.memmap_on_memory=1 "
		  "acpi_no_memhotplug memory-hotplug.online_policy=auto-movable",
		  "root=/dev/vda1 acpi_no_memhotplug" },
		{ "", "acpi_no_memhotplug" },
		/* Only whole names: these stay. */
		{ "memhp_default_statex=1 memory_hotplugx=1 memory_hotplug.",
		  "memhp_default_statex=1 memory_hotplugx=1 memory_hotplug. acpi_no_memhotplug" },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_(freep) char *out = NULL;

		assert_int_equal(config_capture_cmdline(cases[i].in, &out), 0);
		assert_string_equal(out, cases[i].out);
	}
}

static void test_capture_memory_hotplug_key(void **state)
{
	static const char yes[] = "[Daemon]\nCaptureMemoryHotplug=yes\n";
	static const char bad[] = "[Daemon]\nCaptureMemoryHotplug=maybe\n";
	_cleanup_(config_done) Config c;
	Diag d = { 0 };
	FILE *f;

	config_init(&c);
	assert_false(c.capture_memory_hotplug);
	f = fmemopen((char *)yes, strlen(yes), "r");
	assert_int_equal(config_parse_stream(&c, f, "t.conf", NULL, NULL, &d), 0);
	fclose(f);
	assert_true(c.capture_memory_hotplug);
	f = fmemopen((char *)bad, strlen(bad), "r");
	assert_int_equal(config_parse_stream(&c, f, "t.conf", NULL, NULL, &d), -EINVAL);
	fclose(f);
	assert_non_null(strstr(d.reason, "CaptureMemoryHotplug=maybe"));
}

static void test_default_cmdline_errors(void **state)
{
	_cleanup_(freep) char *big = NULL;
	char *out = NULL;

	assert_int_equal(config_default_cmdline("root=/dev/sda1 dyndbg=\"unterminated", &out), -EINVAL);
	assert_null(out);
	big = malloc(3000);
	assert_non_null(big);
	memset(big, 'a', 2999);
	big[2999] = '\0';
	assert_int_equal(config_default_cmdline(big, &out), -E2BIG);
	assert_null(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_time_spellings),
		cmocka_unit_test(test_bools_and_loaders),
		cmocka_unit_test(test_max_phdrs_limits),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_load_masking),
		cmocka_unit_test(test_load_ordering),
		cmocka_unit_test(test_load_last_wins),
		cmocka_unit_test(test_load_bad_value),
		cmocka_unit_test(test_load_unknown_key),
		cmocka_unit_test(test_load_explicit_and_missing),
		cmocka_unit_test(test_shipped_file),
		cmocka_unit_test(test_default_cmdline),
		cmocka_unit_test(test_capture_cmdline),
		cmocka_unit_test(test_capture_memory_hotplug_key),
		cmocka_unit_test(test_default_cmdline_errors),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
