/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The file-reading layer (lib/path.h) and every reader on it, on a copy of the small-vm
 * fixture tree with one file replaced: a FIFO (with and without a writer), /dev/zero, a
 * socket, a directory, a file over its cap, a dangling or looping drop-in symlink. Each read
 * must fail at once naming the file; an alarm turns a blocking read into a failure instead of
 * a hang. argv[1], when given, is crash-hotplugd-test: an unreadable configuration must make
 * it exit with status 6 (bad configuration), promptly.
 */
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "config.h"
#include "cpulist.h"
#include "../../daemon/ctl-status.h" /* crash-hotplugctl's reader, built into this test */
#include "iomem.h"
#include "kcore.h"
#include "path.h"
#include "topology.h"
#include "../emulated.h"

/* Far more than any of these reads needs; a reader that blocks trips it. */
#define READ_TIMEOUT_SEC 10

static const char *daemon_path; /* argv[1] */

typedef struct Tree {
	char root[PATH_MAX];
} Tree;

static void on_alarm(int sig)
{
	static const char msg[] = "Bail out! a read blocked (a FIFO or a device was not refused)\n";

	(void)sig;
	(void)!write(STDOUT_FILENO, msg, sizeof(msg) - 1);
	_exit(EXIT_FAILURE);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

/* A fresh copy of tests/fixtures/small-vm per test, and the alarm armed. */
static int tree_setup(void **state)
{
	const char *fixtures = getenv("FIXTURES");
	_cleanup_(freep) char *cmd = NULL;
	Tree *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	snprintf(t->root, sizeof(t->root), "%s/chp-readfile-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(t->root) ||
	    asprintf(&cmd, "cp -R '%s/small-vm/.' '%s'", fixtures ? fixtures : "tests/fixtures", t->root) < 0 ||
	    system(cmd) != 0) {
		free(t);
		return -1;
	}
	*state = t;
	signal(SIGALRM, on_alarm);
	alarm(READ_TIMEOUT_SEC);
	return 0;
}

static int tree_teardown(void **state)
{
	Tree *t = *state;

	alarm(0);
	nftw(t->root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	return 0;
}

static const char *at(const Tree *t, const char *rel, char *buf, size_t size)
{
	assert_int_equal(path_join(t->root, rel, buf, size), 0);
	return buf;
}

static void mkdirs(const Tree *t, const char *rel)
{
	_cleanup_(freep) char *cmd = NULL;
	char full[PATH_MAX];

	assert_true(asprintf(&cmd, "mkdir -p '%s'", at(t, rel, full, sizeof(full))) > 0);
	assert_int_equal(system(cmd), 0);
}

/* The directories of the main file and of /etc's and /run's drop-ins. */
static void mkdirs_config(const Tree *t)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", CONFIG_MAIN_FILE);
	*strrchr(dir, '/') = '\0';
	mkdirs(t, dir);
	mkdirs(t, "/etc/" CONFIG_DROPIN_DIR_NAME);
	mkdirs(t, "/run/" CONFIG_DROPIN_DIR_NAME);
}

static void put_fifo(const Tree *t, const char *rel)
{
	char full[PATH_MAX];

	at(t, rel, full, sizeof(full));
	(void)unlink(full);
	assert_int_equal(mkfifo(full, 0600), 0);
}

static void put_nothing(const Tree *t, const char *rel)
{
	char full[PATH_MAX];

	assert_int_equal(unlink(at(t, rel, full, sizeof(full))), 0);
}

static void put_symlink(const Tree *t, const char *rel, const char *target)
{
	char full[PATH_MAX];

	at(t, rel, full, sizeof(full));
	(void)unlink(full);
	assert_int_equal(symlink(target, full), 0);
}

static void put_text(const Tree *t, const char *rel, const char *text)
{
	_cleanup_(fclosep) FILE *f = NULL;
	char full[PATH_MAX];

	(void)unlink(at(t, rel, full, sizeof(full))); /* never write into a FIFO left there */
	f = fopen(full, "we");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
}

/* A file of exactly size bytes: lines of '#' (a comment in every format here), then '\n'. */
static void put_filler(const Tree *t, const char *rel, size_t size)
{
	_cleanup_(fclosep) FILE *f = NULL;
	char full[PATH_MAX];

	(void)unlink(at(t, rel, full, sizeof(full))); /* never write into a FIFO left there */
	f = fopen(full, "we");
	assert_non_null(f);
	for (size_t i = 0; i < size; i++)
		assert_int_equal(fputc(i % 64 == 63 || i + 1 == size ? '\n' : '#', f) != EOF, 1);
}

static void assert_diag(const Diag *d, const char *file, const char *reason_start)
{
	if (!streq(d->file, file) || !startswith(d->reason, reason_start))
		fail_msg("diag \"%s: %s\", expected \"%s: %s...\"", d->file, d->reason, file, reason_start);
}

/* ---- the layer itself ------------------------------------------------------------------ */

static void test_layer_regular_and_caps(void **state)
{
	const Tree *t = *state;
	_cleanup_(freep) char *buf = NULL;
	size_t size = 99;
	Diag d = {};

	put_filler(t, "/exact", 4096);
	assert_int_equal(path_read_file(t->root, "/exact", 4096, 0, &buf, &size, &d), 0);
	assert_int_equal(size, 4096);
	assert_int_equal(buf[4095], '\n');
	assert_int_equal(buf[4096], '\0');
	free(buf);
	buf = NULL;

	/* One byte over: refused, nothing handed out. */
	assert_int_equal(path_read_file(t->root, "/exact", 4095, 0, &buf, &size, &d), -EFBIG);
	assert_null(buf);
	assert_diag(&d, "/exact", "larger than 4095 bytes");

	put_text(t, "/empty", "");
	assert_int_equal(path_read_file(t->root, "/empty", 1, 0, &buf, &size, &d), 0);
	assert_int_equal(size, 0);
	assert_string_equal(buf, "");

	assert_int_equal(path_read_file(t->root, "/missing", 4096, 0, &buf, &size, &d), -ENOENT);
	assert_diag(&d, "/missing", "cannot open: ");
	assert_int_equal(path_read_file(t->root, "/proc", 4096, 0, &buf, &size, &d), -EISDIR);
	assert_diag(&d, "/proc", "is a directory");
}

static void test_layer_special_files(void **state)
{
	const Tree *t = *state;
	_cleanup_(closep) int sock = -1, writer = -1;
	_cleanup_(freep) char *buf = NULL;
	_cleanup_(fclosep) FILE *f = NULL;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char full[PATH_MAX];
	size_t size;
	Diag d = {};

	put_fifo(t, "/fifo");
	assert_int_equal(path_read_file(t->root, "/fifo", 4096, 0, &buf, &size, &d), -EINVAL);
	assert_diag(&d, "/fifo", "not a regular file (FIFO)");
	/* With a writer that never writes: a plain read would wait for it forever. */
	writer = open(at(t, "/fifo", full, sizeof(full)), O_RDWR | O_CLOEXEC);
	assert_true(writer >= 0);
	assert_int_equal(path_read_file(t->root, "/fifo", 4096, 0, &buf, &size, &d), -EINVAL);
	assert_diag(&d, "/fifo", "not a regular file (FIFO)");

	put_symlink(t, "/zero", "/dev/zero");
	assert_int_equal(path_read_file(t->root, "/zero", 4096, 0, &buf, &size, &d), -EINVAL);
	assert_diag(&d, "/zero", "not a regular file (character device)");

	/* /dev/null only where the caller accepts it (the config's masking idiom). */
	put_symlink(t, "/null", "/dev/null");
	assert_int_equal(path_read_file(t->root, "/null", 4096, 0, &buf, &size, &d), -EINVAL);
	assert_diag(&d, "/null", "not a regular file (character device)");
	assert_int_equal(path_read_file(t->root, "/null", 4096, PATH_READ_DEV_NULL, &buf, &size, &d), 0);
	assert_int_equal(size, 0);

	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(sock >= 0);
	at(t, "/sock", full, sizeof(full));
	if (strlen(full) < sizeof(sa.sun_path)) {
		memcpy(sa.sun_path, full, strlen(full) + 1);
		assert_int_equal(bind(sock, (struct sockaddr *)&sa, sizeof(sa)), 0);
		assert_int_equal(path_open_stream(t->root, "/sock", 4096, 0, &f, &d), -EINVAL);
		assert_diag(&d, "/sock", "not a regular file (socket)");
	}

	/* path_fopen() is on the layer too. */
	errno = 0;
	assert_null(path_fopen(t->root, "/fifo", "re"));
	assert_int_equal(errno, EINVAL);
	assert_null(path_fopen(t->root, "/proc/iomem", "w"));
	assert_int_equal(errno, EINVAL);
	f = path_fopen(t->root, "/proc/iomem", "re");
	assert_non_null(f);
}

/* What is refused is never opened: a writer waiting in open() for a reader stays waiting. */
static void test_layer_never_opens(void **state)
{
	const Tree *t = *state;
	_cleanup_(freep) char *buf = NULL;
	char full[PATH_MAX];
	size_t size;
	Diag d = {};
	pid_t writer;
	int status, fd;

	put_fifo(t, "/fifo");
	at(t, "/fifo", full, sizeof(full));
	writer = fork();
	assert_true(writer >= 0);
	if (writer == 0)
		_exit(open(full, O_WRONLY | O_CLOEXEC) >= 0 ? 0 : 1); /* blocks until a reader opens */
	nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000 * 1000 }, NULL);
	assert_int_equal(path_read_file(t->root, "/fifo", 4096, 0, &buf, &size, &d), -EINVAL);
	nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
	assert_int_equal(waitpid(writer, &status, WNOHANG), 0);
	/* Now a real reader releases it. */
	fd = open(full, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(waitpid(writer, &status, 0), writer);
	close(fd);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_layer_read_line(void **state)
{
	const Tree *t = *state;
	char buf[16];
	Diag d = {};

	put_text(t, "/v", "1f\nignored\n");
	assert_int_equal(path_read_line(t->root, "/v", buf, sizeof(buf), &d), 0);
	assert_string_equal(buf, "1f");
	put_text(t, "/v", "0123456789abcdef\n");
	assert_int_equal(path_read_line(t->root, "/v", buf, sizeof(buf), &d), -EFBIG);
	assert_diag(&d, "/v", "line longer than 15 bytes");
	put_text(t, "/v", "\n");
	assert_int_equal(path_read_line(t->root, "/v", buf, sizeof(buf), &d), -ENODATA);
	put_filler(t, "/v", READ_CAP_VALUE + 1);
	assert_int_equal(path_read_line(t->root, "/v", buf, sizeof(buf), &d), -EFBIG);
	assert_diag(&d, "/v", "larger than 4096 bytes");
	put_fifo(t, "/v");
	assert_int_equal(path_read_line(t->root, "/v", buf, sizeof(buf), &d), -EINVAL);
	assert_diag(&d, "/v", "not a regular file (FIFO)");
}

/* ---- the snapshot's files -------------------------------------------------------------- */

/* topology_read() on the tree fails with code, naming file. */
static void assert_topology_fails(const Tree *t, int code, const char *file, const char *reason_start)
{
	_cleanup_(topology_freep) Topology *topo = NULL;
	Diag d = {};

	assert_int_equal(topology_read(t->root, &topo, &d), code);
	assert_null(topo);
	assert_diag(&d, file, reason_start);
}

static void test_tree_reads(void **state)
{
	_cleanup_(topology_freep) Topology *topo = NULL;
	const Tree *t = *state;
	Diag d = {};

	/* The untouched copy reads: the failures below are the replaced file's. */
	assert_int_equal(topology_read(t->root, &topo, &d), 0);
	assert_true(topo->kmap.from_kcore);
}

static void test_iomem_fifo(void **state)
{
	_cleanup_(iomem_freep) Iomem *m = NULL;
	const Tree *t = *state;
	Diag d = {};

	put_fifo(t, "/proc/iomem");
	assert_int_equal(iomem_parse_file(t->root, &m, &d), -EINVAL);
	assert_diag(&d, "/proc/iomem", "not a regular file (FIFO)");
	assert_topology_fails(t, -EINVAL, "/proc/iomem", "not a regular file (FIFO)");
}

static void test_iomem_dev_zero(void **state)
{
	_cleanup_(iomem_freep) Iomem *m = NULL;
	const Tree *t = *state;
	Diag d = {};

	put_symlink(t, "/proc/iomem", "/dev/zero");
	assert_int_equal(iomem_parse_file(t->root, &m, &d), -EINVAL);
	assert_diag(&d, "/proc/iomem", "not a regular file (character device)");
}

static void test_iomem_too_large(void **state)
{
	_cleanup_(iomem_freep) Iomem *m = NULL;
	_cleanup_(fclosep) FILE *f = NULL;
	const Tree *t = *state;
	char full[PATH_MAX];
	Diag d = {};
	size_t size = 0;

	/* Valid iomem, sibling after sibling, just over the cap: well-formed is not enough. */
	f = fopen(at(t, "/proc/iomem", full, sizeof(full)), "we");
	assert_non_null(f);
	for (uint64_t a = 0; size <= READ_CAP_IOMEM; a += 0x1000) {
		int n = fprintf(f, "%08" PRIx64 "-%08" PRIx64 " : System RAM\n", a, a + 0xfff);

		assert_true(n > 0);
		size += (size_t)n;
	}
	fclose(TAKE_PTR(f));
	assert_int_equal(iomem_parse_file(t->root, &m, &d), -EFBIG);
	assert_diag(&d, "/proc/iomem", "larger than 4194304 bytes");
}

static void test_cpulist_fifo(void **state)
{
	_cleanup_(cpulist_freep) CpuList *l = NULL;
	const Tree *t = *state;
	Diag d = {};

	put_fifo(t, "/sys/devices/system/cpu/present");
	assert_int_equal(cpulist_parse_file(t->root, "/sys/devices/system/cpu/present", &l, &d), -EINVAL);
	assert_diag(&d, "/sys/devices/system/cpu/present", "not a regular file (FIFO)");
	assert_topology_fails(t, -EINVAL, "/sys/devices/system/cpu/present", "not a regular file (FIFO)");

	put_symlink(t, "/sys/devices/system/cpu/online", "/dev/zero");
	assert_int_equal(cpulist_parse_file(t->root, "/sys/devices/system/cpu/online", &l, &d), -EINVAL);
	assert_diag(&d, "/sys/devices/system/cpu/online", "not a regular file (character device)");
}

static void test_crash_notes_fifo(void **state)
{
	const Tree *t = *state;

	put_fifo(t, "/sys/devices/system/cpu/cpu1/crash_notes");
	assert_topology_fails(t, -EINVAL, "/sys/devices/system/cpu/cpu1/crash_notes", "not a regular file (FIFO)");
}

static void test_value_files(void **state)
{
	const Tree *t = *state;
	char full[PATH_MAX];
	_cleanup_(fclosep) FILE *f = NULL;

	/* A valid first line followed by junk past the cap: the cap is on the file. */
	f = fopen(at(t, "/sys/devices/system/cpu/cpu0/crash_notes_size", full, sizeof(full)), "ae");
	assert_non_null(f);
	for (unsigned i = 0; i < READ_CAP_VALUE; i++)
		fputc('x', f);
	fclose(TAKE_PTR(f));
	assert_topology_fails(t, -EFBIG, "/sys/devices/system/cpu/cpu0/crash_notes_size", "larger than 4096 bytes");

	put_text(t, "/sys/devices/system/cpu/cpu0/crash_notes_size", "368\n");
	put_fifo(t, "/sys/kernel/vmcoreinfo");
	assert_topology_fails(t, -EINVAL, "/sys/kernel/vmcoreinfo", "not a regular file (FIFO)");

	put_text(t, "/sys/kernel/vmcoreinfo", "0x000000003fd1d000 1024\n");
	put_fifo(t, "/sys/devices/system/memory/block_size_bytes");
	assert_topology_fails(t, -EINVAL, "/sys/devices/system/memory/block_size_bytes", "not a regular file (FIFO)");
}

static void test_kcore_fifo(void **state)
{
	const Tree *t = *state;
	KernelMap km;
	Diag d = {};

	/* Not "cannot open": no fallback to guessed addresses, an error. */
	put_fifo(t, "/proc/kcore");
	assert_int_equal(kcore_parse_file(t->root, &km, &d), -EINVAL);
	assert_diag(&d, "/proc/kcore", "not a regular file (FIFO)");
	assert_topology_fails(t, -EINVAL, "/proc/kcore", "not a regular file (FIFO)");

	put_symlink(t, "/proc/kcore", "/dev/zero");
	assert_int_equal(kcore_parse_file(t->root, &km, &d), -EINVAL);
	assert_diag(&d, "/proc/kcore", "not a regular file (character device)");
}

/* ---- configuration --------------------------------------------------------------------- */

static void assert_config_fails(const Tree *t, const char *path, int code, const char *file, const char *reason_start)
{
	Config *c = NULL;
	Diag d = {};

	assert_int_equal(config_load(t->root, path, NULL, NULL, &c, &d), code);
	assert_null(c);
	assert_diag(&d, file, reason_start);
}

static void test_config_fifo(void **state)
{
	const Tree *t = *state;
	char full[PATH_MAX];

	mkdirs_config(t);
	put_fifo(t, CONFIG_MAIN_FILE);
	assert_config_fails(t, NULL, -EINVAL, CONFIG_MAIN_FILE, "not a regular file (FIFO)");
	/* A file the user named is read the same way. */
	at(t, CONFIG_MAIN_FILE, full, sizeof(full));
	assert_config_fails(t, full, -EINVAL, full, "not a regular file (FIFO)");

	put_text(t, CONFIG_MAIN_FILE, "[Daemon]\n");
	put_fifo(t, "/run/crash-hotplugd.conf.d/50-fifo.conf");
	assert_config_fails(t, NULL, -EINVAL, "/run/crash-hotplugd.conf.d/50-fifo.conf", "not a regular file (FIFO)");
}

static void test_config_dev_zero(void **state)
{
	const Tree *t = *state;

	mkdirs_config(t);
	put_symlink(t, CONFIG_MAIN_FILE, "/dev/zero");
	assert_config_fails(t, NULL, -EINVAL, CONFIG_MAIN_FILE, "not a regular file (character device)");
	put_text(t, CONFIG_MAIN_FILE, "");
	put_symlink(t, "/etc/crash-hotplugd.conf.d/10-zero.conf", "/dev/zero");
	assert_config_fails(t, NULL, -EINVAL, "/etc/crash-hotplugd.conf.d/10-zero.conf",
			    "not a regular file (character device)");
}

static void test_config_too_large(void **state)
{
	_cleanup_(config_freep) Config *c = NULL;
	const Tree *t = *state;
	Diag d = {};

	mkdirs_config(t);
	put_filler(t, CONFIG_MAIN_FILE, READ_CAP_CONFIG);
	assert_int_equal(config_load(t->root, NULL, NULL, NULL, &c, &d), 0);
	put_filler(t, "/etc/crash-hotplugd.conf.d/20-big.conf", READ_CAP_CONFIG + 1);
	assert_config_fails(t, NULL, -EFBIG, "/etc/crash-hotplugd.conf.d/20-big.conf", "larger than 1048576 bytes");
}

static void test_config_broken_symlinks(void **state)
{
	const Tree *t = *state;

	/* The /usr/lib file must not apply in place of the /etc one the admin broke. */
	mkdirs_config(t);
	mkdirs(t, "/usr/lib/crash-hotplugd.conf.d");
	put_text(t, "/usr/lib/crash-hotplugd.conf.d/50-vendor.conf", "[Daemon]\nMaxPhdrs=3000\n");
	put_symlink(t, "/etc/crash-hotplugd.conf.d/50-vendor.conf", "/etc/local/50-vendor.conf");
	assert_config_fails(t, NULL, -ENOENT, "/etc/crash-hotplugd.conf.d/50-vendor.conf",
			    "dangling symlink to /etc/local/50-vendor.conf");

	put_symlink(t, "/etc/crash-hotplugd.conf.d/50-vendor.conf", "50-vendor.conf");
	assert_config_fails(t, NULL, -ELOOP, "/etc/crash-hotplugd.conf.d/50-vendor.conf", "symlink loop");

	put_symlink(t, "/etc/crash-hotplugd.conf.d/50-vendor.conf", "60-other.conf");
	put_symlink(t, "/etc/crash-hotplugd.conf.d/60-other.conf", "50-vendor.conf");
	assert_config_fails(t, NULL, -ELOOP, "/etc/crash-hotplugd.conf.d/50-vendor.conf", "symlink loop");
	put_nothing(t, "/etc/crash-hotplugd.conf.d/60-other.conf");

	/* The main file too: a dangling link is not "no file, defaults". */
	put_symlink(t, "/etc/crash-hotplugd.conf.d/50-vendor.conf", "/dev/null");
	put_symlink(t, CONFIG_MAIN_FILE, "/nonexistent/crash-hotplugd.conf");
	assert_config_fails(t, NULL, -ENOENT, CONFIG_MAIN_FILE, "dangling symlink to /nonexistent");
}

static void test_config_dev_null_masks(void **state)
{
	_cleanup_(config_freep) Config *c = NULL;
	const Tree *t = *state;
	Diag d = {};

	mkdirs_config(t);
	mkdirs(t, "/usr/lib/crash-hotplugd.conf.d");
	put_text(t, "/usr/lib/crash-hotplugd.conf.d/50-vendor.conf", "[Daemon]\nMaxPhdrs=3000\n");
	put_symlink(t, "/run/crash-hotplugd.conf.d/50-vendor.conf", "/dev/null");
	/* The main file as /dev/null reads as empty: the defaults. */
	put_symlink(t, CONFIG_MAIN_FILE, "/dev/null");
	assert_int_equal(config_load(t->root, NULL, NULL, NULL, &c, &d), 0);
	assert_int_equal(c->max_phdrs, 0);
}

/* ---- trust: what root reads must be root's alone --------------------------------------- */

static void chmod_at(const Tree *t, const char *rel, mode_t mode)
{
	char full[PATH_MAX];

	assert_int_equal(chmod(at(t, rel, full, sizeof(full)), mode), 0);
}

/* A drop-in anyone can write, setting Kernel= to a file in /tmp: refused, naming it and why. */
static void test_config_untrusted_dropin(void **state)
{
	_cleanup_(config_freep) Config *c = NULL;
	const Tree *t = *state;
	char full[PATH_MAX];
	Diag d = {};

	umask(022);
	mkdirs_config(t);
	put_text(t, CONFIG_MAIN_FILE, "[Daemon]\n");
	put_text(t, "/etc/crash-hotplugd.conf.d/50-evil.conf", "[Daemon]\nKernel=/tmp/x\n");
	assert_int_equal(config_load(t->root, NULL, NULL, NULL, &c, &d), 0);
	assert_string_equal(c->kernel, "/tmp/x"); /* a root-owned 0644 file is fine */
	c = config_free(c);

	chmod_at(t, "/etc/crash-hotplugd.conf.d/50-evil.conf", 0666);
	assert_config_fails(t, NULL, -EPERM, "/etc/crash-hotplugd.conf.d/50-evil.conf",
			    "is writable by group and others (mode 0666)");
	chmod_at(t, "/etc/crash-hotplugd.conf.d/50-evil.conf", 0620);
	assert_config_fails(t, NULL, -EPERM, "/etc/crash-hotplugd.conf.d/50-evil.conf",
			    "is writable by group (mode 0620)");
	chmod_at(t, "/etc/crash-hotplugd.conf.d/50-evil.conf", 0644);
	assert_int_equal(chown(at(t, "/etc/crash-hotplugd.conf.d/50-evil.conf", full, sizeof(full)), 1000, 1000), 0);
	assert_config_fails(t, NULL, -EPERM, "/etc/crash-hotplugd.conf.d/50-evil.conf",
			    "is owned by uid 1000, not root (mode 0644)");
	assert_int_equal(chown(full, 0, 0), 0);

	/* The directory holding it: sticky and world-writable like /tmp is not trusted. */
	chmod_at(t, "/etc/crash-hotplugd.conf.d", 01777);
	assert_config_fails(t, NULL, -EPERM, "/etc/crash-hotplugd.conf.d",
			    "is writable by group and others (mode 1777) (a directory), sticky is not enough");
	chmod_at(t, "/etc/crash-hotplugd.conf.d", 0755);
	/* Further up, and the main file. */
	chmod_at(t, "/etc", 0777);
	assert_config_fails(t, NULL, -EPERM, "/etc", "is writable by group and others (mode 0777)");
	chmod_at(t, "/etc", 0755);
	chmod_at(t, CONFIG_MAIN_FILE, 0646);
	assert_config_fails(t, NULL, -EPERM, CONFIG_MAIN_FILE, "is writable by others (mode 0646)");
	/* A file named with --config: it and its directory. */
	assert_config_fails(t, at(t, CONFIG_MAIN_FILE, full, sizeof(full)), -EPERM, full,
			    "is writable by others (mode 0646)");
	chmod_at(t, CONFIG_MAIN_FILE, 0644);

	/* A trusted link into an untrusted directory: the target's directories count too. */
	mkdirs(t, "/var/tmp/evil");
	chmod_at(t, "/var/tmp/evil", 0777);
	put_text(t, "/var/tmp/evil/60.conf", "[Daemon]\nKernel=/tmp/x\n");
	put_nothing(t, "/etc/crash-hotplugd.conf.d/50-evil.conf");
	put_symlink(t, "/etc/crash-hotplugd.conf.d/60.conf", "../../var/tmp/evil/60.conf");
	assert_config_fails(t, NULL, -EPERM, "/var/tmp/evil", "is writable by group and others (mode 0777)");

	/* A mask in an untrusted directory: removing it would change what applies. */
	put_symlink(t, "/etc/crash-hotplugd.conf.d/60.conf", "/dev/null");
	assert_int_equal(config_load(t->root, NULL, NULL, NULL, &c, &d), 0);
	c = config_free(c);
	chmod_at(t, "/etc/crash-hotplugd.conf.d", 0757);
	assert_config_fails(t, NULL, -EPERM, "/etc/crash-hotplugd.conf.d", "is writable by others (mode 0757)");
}

/* ---- status.json ----------------------------------------------------------------------- */

static void test_status_json(void **state)
{
	const Tree *t = *state;
	char full[PATH_MAX], reason[256];
	CtlStatus s;

	at(t, "/status.json", full, sizeof(full));
	put_fifo(t, "/status.json");
	assert_int_equal(ctl_status_read(full, &s, reason, sizeof(reason)), -EINVAL);
	assert_string_equal(reason, "not a regular file (FIFO)");
	put_symlink(t, "/status.json", "/dev/zero");
	assert_int_equal(ctl_status_read(full, &s, reason, sizeof(reason)), -EINVAL);
	assert_string_equal(reason, "not a regular file (character device)");
	put_filler(t, "/status.json", READ_CAP_STATUS + 1);
	assert_int_equal(ctl_status_read(full, &s, reason, sizeof(reason)), -EFBIG);
	assert_string_equal(reason, "larger than 65536 bytes");
}

/* ---- the daemon ------------------------------------------------------------------------ */

static bool elapsed(const struct timespec *start, unsigned msec)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000 >= (long)msec;
}

static void pause_briefly(void)
{
	nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000 * 1000 }, NULL);
}

/* Starts the test build of the daemon on the tree (fake kexec calls, kernel uevents), its
 * stderr into <root>/daemon.err. */
static pid_t spawn_daemon(const Tree *t)
{
	char root_arg[PATH_MAX + 8], run_arg[PATH_MAX + 32], err_path[PATH_MAX];
	pid_t pid;

	snprintf(root_arg, sizeof(root_arg), "--root=%s", t->root);
	snprintf(run_arg, sizeof(run_arg), "--runtime-dir=%s/run/chp", t->root);
	at(t, "/daemon.err", err_path, sizeof(err_path));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

		if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
			_exit(127);
		execl(daemon_path, daemon_path, root_arg, run_arg, "--log-target=console", "--loader=dry-run",
		      "--monitor=kernel", (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* The daemon's output so far. */
static const char *daemon_log(const Tree *t, char *buf, size_t size)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	fd = open(at(t, "/daemon.err", path, sizeof(path)), O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, buf, size - 1) : -1;
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* Its exit status within msec; killed (and the test failed) if it is still running. */
static int wait_exit(const Tree *t, pid_t pid, unsigned msec, const char *why)
{
	struct timespec start;
	char log[8192];
	int status;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (elapsed(&start, msec)) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			fail_msg("the daemon is still running after %u ms: %s\n%s", msec, why,
				 daemon_log(t, log, sizeof(log)));
		}
		pause_briefly();
	}
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* Waits up to msec for text in the daemon's output. */
static void wait_log(const Tree *t, pid_t pid, const char *text, unsigned msec)
{
	struct timespec start;
	char log[8192];

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!strstr(daemon_log(t, log, sizeof(log)), text)) {
		if (elapsed(&start, msec)) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			fail_msg("no \"%s\" from the daemon within %u ms:\n%s", text, msec, log);
		}
		pause_briefly();
	}
}

static void assert_daemon_refuses(const Tree *t, const char *message)
{
	char log[8192];

	assert_int_equal(wait_exit(t, spawn_daemon(t), 2000, "blocked on its configuration"), 6);
	if (!strstr(daemon_log(t, log, sizeof(log)), message))
		fail_msg("no \"%s\" in the daemon's output:\n%s", message, log);
}

/* Exit status 6 (bad configuration, RestartPreventExitStatus=6), not 1 or a hang. */
static void test_daemon_exit_status(void **state)
{
	const Tree *t = *state;

	if (!daemon_path)
		skip();
	mkdirs_config(t);
	put_fifo(t, CONFIG_MAIN_FILE);
	assert_daemon_refuses(t, CONFIG_MAIN_FILE ": not a regular file (FIFO)");
	put_symlink(t, CONFIG_MAIN_FILE, "/dev/zero");
	assert_daemon_refuses(t, CONFIG_MAIN_FILE ": not a regular file (character device)");
	put_filler(t, CONFIG_MAIN_FILE, READ_CAP_CONFIG + 1);
	assert_daemon_refuses(t, CONFIG_MAIN_FILE ": larger than 1048576 bytes");
	put_text(t, CONFIG_MAIN_FILE, "[Daemon]\n");
	put_fifo(t, "/etc/crash-hotplugd.conf.d/10-fifo.conf");
	assert_daemon_refuses(t, "/etc/crash-hotplugd.conf.d/10-fifo.conf: not a regular file (FIFO)");
	put_symlink(t, "/etc/crash-hotplugd.conf.d/10-fifo.conf", "/gone");
	assert_daemon_refuses(t, "/etc/crash-hotplugd.conf.d/10-fifo.conf: dangling symlink to /gone");
}

/* The reported freeze: a FIFO drop-in at SIGHUP blocked the event loop, and SIGTERM (handled
 * by that loop) was never seen. Now: an error, the old configuration kept, SIGTERM works. */
static void test_daemon_sighup_fifo(void **state)
{
	const Tree *t = *state;
	_cleanup_(freep) char *conf = NULL;
	pid_t pid;

	if (!daemon_path)
		skip();
	mkdirs_config(t);
	assert_true(asprintf(&conf, "[Daemon]\nLoader=dry-run\nLoadOnStart=no\nDryRunOutput=%s/dry-run\n", t->root) > 0);
	put_text(t, CONFIG_MAIN_FILE, conf);
	pid = spawn_daemon(t);
	wait_log(t, pid, "listening to kernel uevents", 3000);

	put_fifo(t, "/run/crash-hotplugd.conf.d/10-fifo.conf");
	assert_int_equal(kill(pid, SIGHUP), 0);
	wait_log(t, pid, "/run/crash-hotplugd.conf.d/10-fifo.conf: not a regular file (FIFO)", 2000);
	wait_log(t, pid, "keeping the previous configuration", 1000);
	assert_int_equal(kill(pid, SIGTERM), 0);
	assert_int_equal(wait_exit(t, pid, 2000, "SIGTERM not handled"), 0);
}

int main(int argc, char *argv[])
{
#define T(f) cmocka_unit_test_setup_teardown(f, tree_setup, tree_teardown)
	const struct CMUnitTest tests[] = {
		T(test_layer_regular_and_caps),
		T(test_layer_special_files),
		T(test_layer_never_opens),
		T(test_layer_read_line),
		T(test_tree_reads),
		T(test_iomem_fifo),
		T(test_iomem_dev_zero),
		T(test_iomem_too_large),
		T(test_cpulist_fifo),
		T(test_crash_notes_fifo),
		T(test_value_files),
		T(test_kcore_fifo),
		T(test_config_fifo),
		T(test_config_dev_zero),
		T(test_config_too_large),
		T(test_config_broken_symlinks),
		T(test_config_dev_null_masks),
		T(test_config_untrusted_dropin),
		T(test_status_json),
		T(test_daemon_exit_status),
		T(test_daemon_sighup_fifo),
	};
#undef T

	if (argc > 1)
		daemon_path = argv[1];
	/* Seen under qemu-aarch64 7.2: a case that must refuse a FIFO blocked instead, and the
	 * emulator did not end on SIGTERM. Not investigated; native builds run them all. */
	if (test_exe_wrapper()) {
		printf("1..0 # SKIP under %s the FIFO and device cases block\n", test_exe_wrapper());
		return 0;
	}
	return cmocka_run_group_tests_name("readfile", tests, NULL, NULL);
}
