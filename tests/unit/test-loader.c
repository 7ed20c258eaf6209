/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Loaders against a scratch root and a recording KexecOps: no root, no kexec. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

#include "elfcorehdr.h"
#include "loader.h"
#include "path.h"
#include "scratch-root.h"
#include "../proc-scan.h"
#include "../emulated.h"
#include "bzimage-fixture.h"

typedef struct Recorder {
	unsigned file_loads, runs, probes;
	int fail_errno;          /* for kexec_file_load, 0 = succeed */
	int probe_errno;         /* for the existence probe (kernel_fd -1), 0 = EINVAL as a kernel */
	int run_status[4];       /* exit statuses (or -errno) of successive runs */
	uint64_t run_timeout[4]; /* the time each run was given */
	ino_t kernel_ino;
	int kernel_fd, initrd_fd;
	unsigned long flags, cmdline_len;
	char cmdline[256];
	char argv[4][512];       /* runs, joined with spaces */
} Recorder;

static long rec_file_load(void *userdata, int kernel_fd, int initrd_fd, unsigned long cmdline_len,
			  const char *cmdline, unsigned long flags)
{
	Recorder *r = userdata;
	struct stat st;

	if (kernel_fd < 0) { /* loader_file_syscall_exists() */
		r->probes++;
		errno = r->probe_errno ? r->probe_errno : EINVAL;
		return -1;
	}
	r->file_loads++;
	r->kernel_fd = kernel_fd;
	r->initrd_fd = initrd_fd;
	r->flags = flags;
	r->cmdline_len = cmdline_len;
	snprintf(r->cmdline, sizeof(r->cmdline), "%s", cmdline);
	if (fstat(kernel_fd, &st) == 0)
		r->kernel_ino = st.st_ino;
	if (r->fail_errno) {
		errno = r->fail_errno;
		return -1;
	}
	return 0;
}

static int rec_run(void *userdata, char *const argv[], uint64_t timeout_usec)
{
	Recorder *r = userdata;
	unsigned i = r->runs++;

	if (i < 4) {
		r->run_timeout[i] = timeout_usec;
		r->argv[i][0] = '\0';
		for (char *const *a = argv; *a; a++) {
			strncat(r->argv[i], *a, sizeof(r->argv[i]) - strlen(r->argv[i]) - 2);
			strcat(r->argv[i], " ");
		}
		return r->run_status[i];
	}
	return 0;
}

typedef struct Fixture {
	char root[PATH_MAX - 64]; /* leaves room for the paths built under it */
	Recorder rec;
	KexecOps ops;
	Config c;
} Fixture;

static void put_data(Fixture *f, const char *rel, const void *data, size_t size)
{
	scratch_put_data(f->root, rel, data, size);
}

static void put(Fixture *f, const char *rel, const char *text)
{
	put_data(f, rel, text, strlen(text));
}

/* A kernel the file loader accepts: a synthetic bzImage (bzimage-fixture.h). */
static void put_kernel(Fixture *f, const char *rel)
{
	size_t size;
	uint8_t *k = fake_bzimage(4096, &size);

	put_data(f, rel, k, size);
	free(k);
}

static int setup(void **state)
{
	Fixture *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	umask(022); /* the trust checks refuse group- and world-writable files */
	snprintf(f->root, sizeof(f->root), "%s/test-loader-XXXXXX", tmp && *tmp ? tmp : P_tmpdir);
	assert_non_null(mkdtemp(f->root));
	put_kernel(f, "/boot/vmlinuz-t");
	put(f, "/boot/initrd-t", "initrd");
	put(f, "/proc/cmdline", "BOOT_IMAGE=/vmlinuz root=/dev/sda1 crashkernel=256M quiet\n");
	put(f, "/sys/kernel/kexec_crash_size", "268435456\n");
	put(f, "/sys/kernel/kexec_crash_loaded", "0\n");
	f->ops = (KexecOps){ .kexec_file_load = rec_file_load, .run = rec_run, .userdata = &f->rec };
	config_init(&f->c);
	f->c.kernel = strdup("/boot/vmlinuz-t");
	f->c.initrd = strdup("/boot/initrd-t");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	Fixture *f = *state;
	char cmd[PATH_MAX + 16];

	config_done(&f->c);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void test_errno_meanings(void **state)
{
	char buf[256];

	assert_string_equal(loader_explain_errno(-EBUSY, buf, sizeof(buf)),
			    "EBUSY: kexec lock held (another load, or the kernel updating its header)");
	assert_non_null(strstr(loader_explain_errno(EPERM, buf, sizeof(buf)), "EPERM: kexec load refused (lockdown"));
	assert_non_null(strstr(loader_explain_errno(EADDRNOTAVAIL, buf, sizeof(buf)), "crash kernel region too small"));
	assert_non_null(strstr(loader_explain_errno(EXDEV, buf, sizeof(buf)), "EXDEV: "));
	assert_non_null(strstr(loader_explain_errno(-ETIMEDOUT, buf, sizeof(buf)), "ETIMEDOUT: the load took longer"));
	assert_non_null(strstr(loader_explain_errno(-ECANCELED, buf, sizeof(buf)), "ECANCELED: stopped"));
	assert_false(loader_error_is_transient(-ETIMEDOUT));
	assert_false(loader_error_is_transient(-ECANCELED));
	assert_true(loader_error_is_transient(-EBUSY));
	assert_true(loader_error_is_transient(ENOMEM));
	assert_true(loader_error_is_transient(-EINTR));
	assert_false(loader_error_is_transient(-EPERM));
	assert_false(loader_error_is_transient(-EADDRNOTAVAIL));
}

static void test_registry(void **state)
{
	size_t n;
	const LoaderKind *order = loader_auto_order(&n);

	assert_int_equal(n, 4);
	assert_int_equal(order[0], LOADER_KERNEL);
	/* arm64 tries kexec_file_load first where its kernel has it, then its own segments loader
	 * (the only one that gets the header right on Debian 12), kexec-tools last. */
	if (arch_native() == &arch_rules_arm64) {
		assert_int_equal(order[1], LOADER_FILE);
		assert_int_equal(order[2], LOADER_SEGMENTS);
	} else {
		assert_int_equal(order[1], LOADER_SEGMENTS);
		assert_int_equal(order[2], LOADER_FILE);
	}
	assert_int_equal(order[3], LOADER_KEXEC_TOOLS);
	assert_ptr_equal(loader_vtable_for(LOADER_FILE), &loader_file_vtable);
	assert_string_equal(loader_vtable_for(LOADER_DRY_RUN)->name, "dry-run");
	assert_null(loader_vtable_for(LOADER_AUTO));
	assert_null(loader_vtable_for(_LOADER_MAX));
	/* Loader=segments is x86_64's (lib/x86/) and arm64's (lib/arm64/): both builds have one. */
	assert_non_null(loader_vtable_for(LOADER_SEGMENTS));
	assert_string_equal(loader_vtable_for(LOADER_SEGMENTS)->name, "segments");
	/* What the daemon and crash-hotplugctl plan would say in a build without one. */
	{
		char why[256];

		assert_int_equal(loader_unavailable(LOADER_SEGMENTS, why, sizeof(why)), -EOPNOTSUPP);
		assert_non_null(strstr(why, "Loader=segments is x86_64 and arm64 only"));
		assert_non_null(strstr(why, arch_native()->name));
		assert_int_equal(loader_unavailable(LOADER_AUTO, why, sizeof(why)), -EOPNOTSUPP);
		assert_string_equal(why, "not available in this build");
	}
}

/* A kernel without CONFIG_KEXEC_FILE (Debian 12's arm64): "file" cannot be set up, so
 * Loader=auto goes on to kexec-tools; where the syscall exists, one probe, no load. */
static void test_file_loader_needs_the_syscall(void **state)
{
	Fixture *f = *state;
	Loader *l = NULL;

	f->rec.probe_errno = ENOSYS;
	assert_int_equal(loader_file_syscall_exists(&f->ops), -ENOSYS);
	assert_int_equal(loader_file_vtable.new(f->root, &f->c, &f->ops, &l), -ENOSYS);
	assert_null(l);
	f->rec.probe_errno = EPERM; /* not root: it exists, the load will say EPERM */
	assert_int_equal(loader_file_syscall_exists(&f->ops), 0);
	f->rec.probe_errno = 0;
	assert_int_equal(loader_file_vtable.new(f->root, &f->c, &f->ops, &l), 0);
	assert_int_equal(f->rec.file_loads, 0);
	assert_int_equal(f->rec.probes, 4);
	l->vtable->free(l);
}

static void test_kmsg(void **state)
{
	char msg[128];
	const char *fail = "3,1234,5678901,-;crash hp: kexec_trylock() failed, elfcorehdr may be inaccurate\n";
	const char *info = "7,1235,5678902,-;crash hp: hp_action 1, cpu 3\n";
	const char *dropped = "6,1237,5678904,-;crash hp: kexec_trylock() failed, kdump image may be inaccurate\n";
	const char *other = "3,1236,5678903,-;EXT4-fs error\n SUBSYSTEM=block\n";
	const char *sized = "4,1,2,c;crash hp: update elfcorehdr elfsz 9000 > memsz 8192";

	assert_int_equal(loader_kernel_parse_kmsg(fail, strlen(fail), msg, sizeof(msg)), 1);
	assert_string_equal(msg, "kexec_trylock() failed, elfcorehdr may be inaccurate");
	/* Every level: the kernel's dropped-update notice is printed at info. */
	assert_int_equal(loader_kernel_parse_kmsg(info, strlen(info), msg, sizeof(msg)), 1);
	assert_string_equal(msg, "hp_action 1, cpu 3");
	assert_int_equal(loader_kernel_parse_kmsg(dropped, strlen(dropped), msg, sizeof(msg)), 1);
	assert_string_equal(msg, "kexec_trylock() failed, kdump image may be inaccurate");
	assert_int_equal(loader_kernel_parse_kmsg(other, strlen(other), msg, sizeof(msg)), 0);
	assert_int_equal(loader_kernel_parse_kmsg(sized, strlen(sized), msg, sizeof(msg)), 1);
	assert_string_equal(msg, "update elfcorehdr elfsz 9000 > memsz 8192");
	assert_int_equal(loader_kernel_parse_kmsg("garbage", 7, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(loader_kernel_parse_kmsg(";x", 2, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(loader_kernel_parse_kmsg("3x;crash hp: y", 14, msg, sizeof(msg)), -EINVAL);
}

static void test_file_loader_keeps_fds(void **state)
{
	Fixture *f = *state;
	LoadRequest req = { 0 };
	LoadResult res = { 0 };
	char why[256], path[PATH_MAX], newpath[PATH_MAX];
	Loader *l = NULL;
	int first_fd;
	ino_t first_ino;

	assert_int_equal(loader_file_vtable.probe(f->root, &f->c, why, sizeof(why)), 0);
	assert_int_equal(loader_file_vtable.new(f->root, &f->c, &f->ops, &l), 0);
	assert_string_equal(loader_file_vtable.file(l, 0), "/boot/vmlinuz-t");
	assert_string_equal(loader_file_vtable.file(l, 1), "/boot/initrd-t");
	assert_null(loader_file_vtable.file(l, 2));

	assert_int_equal(l->vtable->load(l, &req, &res), 0);
	assert_int_equal(f->rec.flags, KEXEC_FILE_ON_CRASH);
	assert_true(f->rec.initrd_fd >= 0);
	/* The default command line: boot loader and crashkernel= dropped, kdump options added. */
	assert_null(strstr(f->rec.cmdline, "crashkernel="));
	assert_null(strstr(f->rec.cmdline, "BOOT_IMAGE"));
	assert_non_null(strstr(f->rec.cmdline, "root=/dev/sda1"));
	assert_int_equal(f->rec.cmdline_len, strlen(f->rec.cmdline) + 1);
	first_fd = f->rec.kernel_fd;
	first_ino = f->rec.kernel_ino;

	/* A reload reuses the same open file: nothing is reopened or re-read. */
	assert_int_equal(l->vtable->load(l, &req, &res), 0);
	assert_int_equal(f->rec.kernel_fd, first_fd);

	/* A package update renames a new kernel over the old one: the next load notices. */
	put_kernel(f, "/boot/vmlinuz-t.new");
	path_join(f->root, "/boot/vmlinuz-t", path, sizeof(path));
	path_join(f->root, "/boot/vmlinuz-t.new", newpath, sizeof(newpath));
	assert_int_equal(rename(newpath, path), 0);
	assert_int_equal(l->vtable->load(l, &req, &res), 0);
	assert_int_not_equal(f->rec.kernel_ino, first_ino);
	assert_int_equal(f->rec.file_loads, 3);

#if defined(__x86_64__)
	/* Something that is not a kernel renamed over it is refused before the syscall: the
	 * kernel would free the loaded crash kernel first and be left with none. */
	put(f, "/boot/vmlinuz-t.new", "not a kernel, 8 MiB of noise in real life");
	assert_int_equal(rename(newpath, path), 0);
	assert_int_equal(l->vtable->load(l, &req, &res), -ENOEXEC);
	assert_int_equal(f->rec.file_loads, 3);
	assert_non_null(strstr(res.detail, "refusing to load /boot/vmlinuz-t: "));
	assert_non_null(strstr(res.detail, "the crash kernel loaded before is kept"));
	put_kernel(f, "/boot/vmlinuz-t.new");
	assert_int_equal(rename(newpath, path), 0);
	assert_int_equal(l->vtable->load(l, &req, &res), 0);
	assert_int_equal(f->rec.file_loads, 4);
#endif

	/* Failures carry what the errno means. */
	f->rec.fail_errno = EADDRNOTAVAIL;
	assert_int_equal(l->vtable->load(l, &req, &res), -EADDRNOTAVAIL);
	assert_non_null(strstr(res.detail, "crash kernel region too small"));
	assert_int_equal(l->vtable->refresh(l), 0);
	l->vtable->free(l);
}

static void test_file_loader_without_initrd(void **state)
{
	Fixture *f = *state;
	LoadRequest req = { 0 };
	LoadResult res = { 0 };
	Loader *l = NULL;
	char why[256];

	free(f->c.initrd);
	f->c.initrd = NULL; /* no default initrd exists for this release in the scratch root */
	assert_int_equal(loader_file_vtable.new(f->root, &f->c, &f->ops, &l), 0);
	assert_int_equal(l->vtable->load(l, &req, &res), 0);
	assert_int_equal(f->rec.initrd_fd, -1);
	assert_int_equal(f->rec.flags, KEXEC_FILE_ON_CRASH | KEXEC_FILE_NO_INITRAMFS);
	l->vtable->free(l);

	/* An Initrd= that does not exist is an error, not a silent load without one. */
	f->c.initrd = strdup("/boot/missing");
	assert_int_equal(loader_file_vtable.probe(f->root, &f->c, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "/boot/missing"));
	put(f, "/sys/kernel/kexec_crash_size", "0\n");
	assert_int_equal(loader_file_vtable.probe(f->root, &f->c, why, sizeof(why)), -EADDRNOTAVAIL);
}

/* Kernel= naming a FIFO: refused at once, never an open that blocks the daemon's loop. */
static void test_file_loader_refuses_fifo(void **state)
{
	Fixture *f = *state;
	char path[PATH_MAX];
	Loader *l = NULL;

	assert_int_equal(path_join(f->root, "/boot/vmlinuz-fifo", path, sizeof(path)), 0);
	assert_int_equal(mkfifo(path, 0600), 0);
	free(f->c.kernel);
	f->c.kernel = strdup("/boot/vmlinuz-fifo");
	alarm(10); /* a regression blocks in open(): fail instead of hanging */
	assert_true(loader_file_vtable.new(f->root, &f->c, &f->ops, &l) < 0);
	alarm(0);
	assert_null(l);
}

static void chmod_at(Fixture *f, const char *rel, mode_t mode)
{
	char path[PATH_MAX];

	assert_int_equal(path_join(f->root, rel, path, sizeof(path)), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* A Kernel= or Initrd= anyone but root can write (or that sits in such a directory) is never
 * loaded: the loader is not set up, and one set up before refuses to load once it is. */
static void test_file_loader_refuses_untrusted(void **state)
{
	Fixture *f = *state;
	LoadRequest req = { 0 };
	LoadResult res = { 0 };
	char why[256], path[PATH_MAX], target[PATH_MAX];
	Loader *l = NULL;

	chmod_at(f, "/boot/vmlinuz-t", 0666);
	assert_int_equal(loader_file_vtable.probe(f->root, &f->c, why, sizeof(why)), -EPERM);
	assert_string_equal(why, "kernel /boot/vmlinuz-t refused: /boot/vmlinuz-t is writable by group and others "
				 "(mode 0666)");
	assert_int_equal(loader_file_vtable.new(f->root, &f->c, &f->ops, &l), -EPERM);
	assert_null(l);
	chmod_at(f, "/boot/vmlinuz-t", 0644);

	chmod_at(f, "/boot", 0777);
	assert_int_equal(loader_file_vtable.probe(f->root, &f->c, why, sizeof(why)), -EPERM);
	assert_non_null(strstr(why, "/boot is writable by group and others (mode 0777)"));
	assert_int_equal(loader_file_vtable.new(f->root, &f->c, &f->ops, &l), -EPERM);
	chmod_at(f, "/boot", 0755);

	chmod_at(f, "/boot/initrd-t", 0664);
	assert_int_equal(loader_file_vtable.probe(f->root, &f->c, why, sizeof(why)), -EPERM);
	assert_non_null(strstr(why, "initrd /boot/initrd-t refused: /boot/initrd-t is writable by group (mode 0664)"));
	chmod_at(f, "/boot/initrd-t", 0644);

	/* A link to a kernel in a directory anyone can write. */
	put(f, "/home/user/vmlinuz", "user's kernel");
	chmod_at(f, "/home/user", 0777);
	assert_int_equal(path_join(f->root, "/boot/vmlinuz-link", path, sizeof(path)), 0);
	assert_int_equal(path_join(f->root, "/home/user/vmlinuz", target, sizeof(target)), 0);
	assert_int_equal(symlink(target, path), 0);
	free(f->c.kernel);
	f->c.kernel = strdup("/boot/vmlinuz-link");
	assert_int_equal(loader_file_vtable.probe(f->root, &f->c, why, sizeof(why)), -EPERM);
	assert_non_null(strstr(why, "/home/user is writable by group and others (mode 0777)"));
	free(f->c.kernel);
	f->c.kernel = strdup("/boot/vmlinuz-t");

	/* Opened while trusted, then made writable: the next load refuses, loudly. */
	assert_int_equal(loader_file_vtable.new(f->root, &f->c, &f->ops, &l), 0);
	assert_int_equal(l->vtable->load(l, &req, &res), 0);
	assert_int_equal(f->rec.file_loads, 1);
	chmod_at(f, "/boot/vmlinuz-t", 0666);
	assert_int_equal(l->vtable->load(l, &req, &res), -EPERM);
	assert_string_equal(res.detail, "refusing to load: /boot/vmlinuz-t is writable by group and others (mode 0666) "
					"(chown root: and chmod go-w it)");
	/* The inotify path: a reopen refuses too, the held file stays and is still refused. */
	assert_int_equal(l->vtable->refresh(l), -EPERM);
	assert_int_equal(l->vtable->load(l, &req, &res), -EPERM);
	assert_int_equal(f->rec.file_loads, 1);
	chmod_at(f, "/boot/vmlinuz-t", 0644);
	assert_int_equal(l->vtable->refresh(l), 0);
	assert_int_equal(l->vtable->load(l, &req, &res), 0);
	assert_int_equal(f->rec.file_loads, 2);
	l->vtable->free(l);

	/* kexec-tools opens by name at each load: checked at each load. */
	assert_int_equal(loader_kexec_tools_vtable.new(f->root, &f->c, &f->ops, &l), 0);
	chmod_at(f, "/boot", 0775);
	assert_int_equal(l->vtable->load(l, &req, &res), -EPERM);
	assert_non_null(strstr(res.detail, "/boot is writable by group (mode 0775)"));
	assert_int_equal(f->rec.runs, 0);
	chmod_at(f, "/boot", 0755);
	l->vtable->free(l);
}

/* Debian's kdump-tools installed: with Kernel=, Initrd= and CommandLine= unset, the daemon
 * loads what kdump-config would, with the capture command line that saves the dump. */
static void test_kdump_tools_defaults(void **state)
{
	Fixture *f = *state;
	_cleanup_(freep) char *cmdline = NULL;
	char buf[PATH_MAX], why[512] = "", path[PATH_MAX];

	free(f->c.kernel);
	free(f->c.initrd);
	f->c.kernel = f->c.initrd = NULL;
	put(f, "/var/lib/kdump/initrd.img-t", "kdump initrd");
	assert_int_equal(path_join(f->root, "/var/lib/kdump/vmlinuz", path, sizeof(path)), 0);
	/* kdump-tools' kernel hook links it to /boot/vmlinuz-<release>; relative here, under the root. */
	assert_int_equal(symlink("../../../boot/vmlinuz-t", path), 0);
	put(f, "/etc/default/kdump-tools", "USE_KDUMP=1\n"
					   "KDUMP_KERNEL=/var/lib/kdump/vmlinuz\n"
					   "KDUMP_INITRD=/var/lib/kdump/initrd.img-t\n"
					   "KDUMP_COREDIR=\"/var/crash\"\n");
	assert_int_equal(loader_resolve_kernel(f->root, &f->c, "t", buf, sizeof(buf), why, sizeof(why)), 0);
	assert_string_equal(buf, "/var/lib/kdump/vmlinuz");
	assert_int_equal(loader_resolve_initrd(f->root, &f->c, "t", buf, sizeof(buf), why, sizeof(why)), 0);
	assert_string_equal(buf, "/var/lib/kdump/initrd.img-t");
	/* kdump-config's base (crashkernel= gone; BOOT_IMAGE= too, as ours) and its default append. */
	assert_int_equal(loader_command_line(f->root, &f->c, &cmdline, why, sizeof(why)), 0);
	assert_string_equal(cmdline, "root=/dev/sda1 quiet reset_devices systemd.unit=kdump-tools-dump.service nr_cpus=1 "
				     "irqpoll usbcore.nousb acpi_no_memhotplug");
	free(TAKE_PTR(cmdline));

	/* KDUMP_CMDLINE replaces /proc/cmdline; KDUMP_CMDLINE_APPEND the default append. */
	put(f, "/etc/default/kdump-tools", "KDUMP_CMDLINE='root=/dev/vda console=ttyS0'\n"
					   "KDUMP_CMDLINE_APPEND=\"nr_cpus=1 systemd.unit=kdump-tools-dump.service\"\n");
	assert_int_equal(loader_command_line(f->root, &f->c, &cmdline, why, sizeof(why)), 0);
	assert_string_equal(cmdline, "root=/dev/vda console=ttyS0 nr_cpus=1 systemd.unit=kdump-tools-dump.service "
				     "acpi_no_memhotplug");
	free(TAKE_PTR(cmdline));
	/* Without KDUMP_KERNEL: the release's kernel and plain initrd, as kdump-config. */
	assert_int_equal(loader_resolve_kernel(f->root, &f->c, "t", buf, sizeof(buf), why, sizeof(why)), 0);
	assert_string_equal(buf, "/boot/vmlinuz-t");
	assert_int_equal(loader_resolve_initrd(f->root, &f->c, "t", buf, sizeof(buf), why, sizeof(why)), 0);
	assert_string_equal(buf, "");
	assert_non_null(strstr(why, "no initrd: /boot/initrd.img-t does not exist"));
	put(f, "/boot/initrd.img-t", "initrd");
	assert_int_equal(loader_resolve_initrd(f->root, &f->c, "t", buf, sizeof(buf), why, sizeof(why)), 0);
	assert_string_equal(buf, "/boot/initrd.img-t");

	/* Our own keys win. */
	f->c.kernel = strdup("/boot/vmlinuz-t");
	f->c.command_line = strdup("root=/dev/mine");
	put(f, "/etc/default/kdump-tools", "KDUMP_KERNEL=$NOT_KNOWN\n");
	assert_int_equal(loader_resolve_kernel(f->root, &f->c, "t", buf, sizeof(buf), why, sizeof(why)), 0);
	assert_int_equal(loader_command_line(f->root, &f->c, &cmdline, why, sizeof(why)), 0);
	assert_string_equal(cmdline, "root=/dev/mine acpi_no_memhotplug");
	/* kdump-tools' initrd goes with its kernel only: with a Kernel= of our own, never. */
	put(f, "/var/lib/kdump/initrd-for-its-kernel", "kdump initrd");
	put(f, "/etc/default/kdump-tools", "KDUMP_KERNEL=/var/lib/kdump/vmlinuz\n"
					   "KDUMP_INITRD=/var/lib/kdump/initrd-for-its-kernel\n");
	assert_int_equal(loader_resolve_initrd(f->root, &f->c, "t", buf, sizeof(buf), why, sizeof(why)), 0);
	assert_string_equal(buf, "/var/lib/kdump/initrd.img-t"); /* the release's, by the usual search */
	put(f, "/etc/default/kdump-tools", "KDUMP_KERNEL=$NOT_KNOWN\n");
	free(TAKE_PTR(cmdline));
	free(f->c.kernel);
	free(f->c.command_line);
	f->c.kernel = f->c.command_line = NULL;

	/* A value only a shell could know: refused, naming the file and line and what to set. */
	assert_int_equal(loader_resolve_kernel(f->root, &f->c, "t", buf, sizeof(buf), why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "/etc/default/kdump-tools:1: KDUMP_KERNEL needs a shell expansion, which crash-hotplugd "
				 "does not evaluate: set Kernel= in crash-hotplugd.conf, or write the value out");
	put(f, "/etc/default/kdump-tools", "KDUMP_CMDLINE_APPEND=\"$EXTRA nr_cpus=1\"\n");
	assert_int_equal(loader_command_line(f->root, &f->c, &cmdline, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "KDUMP_CMDLINE_APPEND needs a shell expansion"));
	put(f, "/etc/default/kdump-tools", "[ -e /x ] && KDUMP_KERNEL=/x\n");
	assert_int_equal(loader_resolve_kernel(f->root, &f->c, "t", buf, sizeof(buf), why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "/etc/default/kdump-tools:1: not a plain assignment"));

	/* KDUMP_INITRD that does not exist: an error (kdump-config fails too), not a load without. */
	put(f, "/etc/default/kdump-tools", "KDUMP_KERNEL=/boot/vmlinuz-t\nKDUMP_INITRD=/var/lib/kdump/gone\n");
	assert_int_equal(loader_resolve_initrd(f->root, &f->c, "t", buf, sizeof(buf), why, sizeof(why)), -ENOENT);
	assert_string_equal(why, "initrd /var/lib/kdump/gone (KDUMP_INITRD in /etc/default/kdump-tools) not found");
	put(f, "/etc/default/kdump-tools", "KDUMP_KERNEL=/boot/vmlinuz-t\n");
	assert_int_equal(loader_resolve_initrd(f->root, &f->c, "t", buf, sizeof(buf), why, sizeof(why)), 0);
	assert_string_equal(buf, "");

	/* The file decides what root loads: anyone else able to write it is refused. */
	chmod_at(f, "/etc/default/kdump-tools", 0666);
	assert_int_equal(loader_resolve_kernel(f->root, &f->c, "t", buf, sizeof(buf), why, sizeof(why)), -EPERM);
	assert_non_null(strstr(why, "/etc/default/kdump-tools"));
	assert_non_null(strstr(why, "writable by group and others"));
}

/* A default initrd that is found but untrusted refuses the load: loading without it would
 * boot a capture kernel that cannot mount anything. */
static void test_untrusted_default_initrd_refuses_load(void **state)
{
	Fixture *f = *state;
	struct utsname u;
	char rel[PATH_MAX];
	Loader *l = NULL;

	assert_int_equal(uname(&u), 0);
	free(f->c.initrd);
	f->c.initrd = NULL;
	snprintf(rel, sizeof(rel), "/boot/initrd.img-%s", u.release);
	put(f, rel, "initrd");
	chmod_at(f, rel, 0664);
	assert_int_equal(loader_file_vtable.new(f->root, &f->c, &f->ops, &l), -EPERM);
	assert_null(l);
	chmod_at(f, rel, 0644);
	assert_int_equal(loader_file_vtable.new(f->root, &f->c, &f->ops, &l), 0);
	l->vtable->free(l);
}

static void test_kexec_tools_falls_back_to_kexec_load(void **state)
{
	Fixture *f = *state;
	LoadRequest req = { 0 };
	LoadResult res = { 0 };
	Loader *l = NULL;

	assert_int_equal(loader_kexec_tools_vtable.new(f->root, &f->c, &f->ops, &l), 0);
	f->rec.run_status[0] = 1; /* kexec -s fails, plain kexec -p works */
	assert_int_equal(l->vtable->load(l, &req, &res), 0);
	assert_int_equal(f->rec.runs, 2);
	assert_non_null(strstr(f->rec.argv[0], "kexec -s -p "));
	assert_non_null(strstr(f->rec.argv[0], "/boot/vmlinuz-t --initrd="));
	assert_non_null(strstr(f->rec.argv[0], "--append="));
	assert_non_null(strstr(f->rec.argv[1], "kexec -p "));
	f->rec.run_status[2] = 1;
	f->rec.run_status[3] = 2;
	assert_int_equal(l->vtable->load(l, &req, &res), -EIO);
	assert_non_null(strstr(res.detail, "status 2"));

	/* A kernel deleted while the daemon runs: kexec is not run, and the detail says the file
	 * is gone, not that it is someone else's. */
	{
		char path[PATH_MAX];

		assert_int_equal(path_join(f->root, "/boot/vmlinuz-t", path, sizeof(path)), 0);
		assert_int_equal(unlink(path), 0);
	}
	assert_int_equal(l->vtable->load(l, &req, &res), -ENOENT);
	assert_int_equal(f->rec.runs, 4);
	assert_non_null(strstr(res.detail, "cannot load: /boot/vmlinuz-t"));
	assert_null(strstr(res.detail, "chown"));
	l->vtable->free(l);
}

static void test_kexec_tools_timeout_and_cancel(void **state)
{
	Fixture *f = *state;
	LoadRequest req = { 0 };
	LoadResult res = { 0 };
	Loader *l = NULL;

	/* Both runs share LoadTimeoutSec=: the second gets what the first left. */
	f->c.load_timeout_usec = 5000000;
	assert_int_equal(loader_kexec_tools_vtable.new(f->root, &f->c, &f->ops, &l), 0);
	f->rec.run_status[0] = 1;
	assert_int_equal(l->vtable->load(l, &req, &res), 0);
	assert_int_equal(f->rec.runs, 2);
	assert_true(f->rec.run_timeout[0] > 4000000 && f->rec.run_timeout[0] <= 5000000);
	assert_true(f->rec.run_timeout[1] > 4000000 && f->rec.run_timeout[1] <= f->rec.run_timeout[0]);
	l->vtable->free(l);

	/* A kexec killed for taking too long is not run again as plain kexec -p. */
	memset(&f->rec, 0, sizeof(f->rec));
	config_done(&f->c);
	config_init(&f->c);
	f->c.kernel = strdup("/boot/vmlinuz-t");
	assert_int_equal(loader_kexec_tools_vtable.new(f->root, &f->c, &f->ops, &l), 0);
	f->rec.run_status[0] = -ETIMEDOUT;
	assert_int_equal(l->vtable->load(l, &req, &res), -ETIMEDOUT);
	assert_int_equal(f->rec.runs, 1);
	assert_int_equal(f->rec.run_timeout[0] <= 60000000 && f->rec.run_timeout[0] > 59000000, 1);
	assert_string_equal(res.detail, "kexec did not finish within 60 s: killed (LoadTimeoutSec=)");

	/* Stopped by SIGTERM: one run, and the detail says why. */
	f->rec.run_status[1] = -ECANCELED;
	assert_int_equal(l->vtable->load(l, &req, &res), -ECANCELED);
	assert_int_equal(f->rec.runs, 2);
	assert_non_null(strstr(res.detail, "kexec stopped: the daemon is stopping"));
	assert_non_null(strstr(res.detail, "no crash kernel is loaded"));
	l->vtable->free(l);
}

static void test_load_timeout_key(void **state)
{
	static const struct {
		const char *text;
		int r;
		uint64_t usec;
	} cases[] = {
		{ "", 0, 60000000 },
		{ "LoadTimeoutSec=5\n", 0, 5000000 },
		{ "LoadTimeoutSec=1.5min\n", 0, 90000000 },
		{ "LoadTimeoutSec=5\nLoadTimeoutSec=\n", 0, 60000000 },
		{ "LoadTimeoutSec=500ms\n", -EINVAL, 0 },
		{ "LoadTimeoutSec=0\n", -EINVAL, 0 },
		{ "LoadTimeoutSec=soon\n", -EINVAL, 0 },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		char text[128];
		Config c;
		Diag d = { 0 };
		FILE *fp;

		snprintf(text, sizeof(text), "[Daemon]\n%s", cases[i].text);
		fp = fmemopen(text, strlen(text), "r");
		assert_non_null(fp);
		config_init(&c);
		assert_int_equal(config_parse_stream(&c, fp, "t.conf", NULL, NULL, &d), cases[i].r);
		if (cases[i].r == 0)
			assert_int_equal(c.load_timeout_usec, cases[i].usec);
		fclose(fp);
		config_done(&c);
	}
}

/* The real spawn (kexec_ops_real.run) with /bin/sh standing in for kexec. */

static uint64_t mono_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static bool group_gone(pid_t pgid, unsigned ms)
{
	uint64_t deadline = mono_usec() + ms * 1000ULL;

	while (proc_live_in_group(pgid) > 0) {
		if (mono_usec() > deadline)
			return false;
		usleep(10000);
	}
	return true;
}

/* The shell's pid, which is its process group's id, from the file it wrote. */
static pid_t read_pid(const char *path)
{
	FILE *fp = fopen(path, "re");
	int pid = -1;

	if (fp) {
		if (fscanf(fp, "%d", &pid) != 1)
			pid = -1;
		fclose(fp);
	}
	return pid;
}

/* A shell writing its pid to $0, then hanging with a child, both deaf to SIGTERM. */
#define HANG_SCRIPT "echo $$ >\"$0\"; trap '' TERM; sleep 1000 & sleep 1000; wait"

static void test_run_exit_status(void **state)
{
	Fixture *f = *state;
	char pidfile[PATH_MAX];
	char *exit3[] = { (char *)"sh", (char *)"-c", (char *)"exit 3", NULL }; /* found in PATH */
	char *killed[] = { (char *)"/bin/sh", (char *)"-c", (char *)"kill -KILL $$", NULL };
	char *missing[] = { (char *)"no-such-kexec-anywhere", NULL };
	char *leaves[] = { (char *)"/bin/sh", (char *)"-c", (char *)"sleep 1000 & echo $! >\"$0\"", pidfile, NULL };
	pid_t left;

	if (test_exe_wrapper()) {
		print_message("# under %s the child's process group and pidfd are the emulator's: SKIP\n", test_exe_wrapper());
		return; /* not skip(): cmocka 1.1's TAP says "not ok # SKIP", which meson counts as failed */
	}
	snprintf(pidfile, sizeof(pidfile), "%s/leaves.pid", f->root);
	assert_int_equal(kexec_ops_real.run(NULL, exit3, 10000000), 3);
	assert_int_equal(kexec_ops_real.run(NULL, killed, 10000000), 128 + SIGKILL);
	assert_int_equal(kexec_ops_real.run(NULL, missing, 10000000), -ENOENT);
	/* It exits and leaves a child behind in its group: the child is killed too. */
	assert_int_equal(kexec_ops_real.run(NULL, leaves, 10000000), 0);
	left = read_pid(pidfile);
	assert_true(left > 1);
	for (unsigned i = 0; i < 200 && proc_alive(left); i++)
		usleep(10000);
	assert_false(proc_alive(left));
}

static void test_run_timeout_kills_group(void **state)
{
	Fixture *f = *state;
	char pidfile[PATH_MAX];
	char *hang[] = { (char *)"/bin/sh", (char *)"-c", (char *)HANG_SCRIPT, pidfile, NULL };
	uint64_t t0, took;
	pid_t pgid;

	if (test_exe_wrapper()) {
		print_message("# under %s the child's process group and pidfd are the emulator's: SKIP\n", test_exe_wrapper());
		return; /* not skip(): cmocka 1.1's TAP says "not ok # SKIP", which meson counts as failed */
	}
	snprintf(pidfile, sizeof(pidfile), "%s/hang.pid", f->root);
	t0 = mono_usec();
	assert_int_equal(kexec_ops_real.run(NULL, hang, 300000), -ETIMEDOUT);
	took = mono_usec() - t0;
	print_message("# run returned %" PRIu64 " ms after it started (timeout 300 ms)\n", took / 1000);
	assert_true(took >= 300000);
	assert_true(took < 1300000); /* SIGKILL at once: no grace period on a timeout */
	pgid = read_pid(pidfile);
	assert_true(pgid > 1);
	assert_int_not_equal(pgid, getpgrp()); /* a group of its own */
	assert_true(group_gone(pgid, 2000));
}

static void sigterm_after_200ms(pid_t parent)
{
	struct timespec ts = { 0, 200 * 1000000L };

	nanosleep(&ts, NULL);
	kill(parent, SIGTERM);
	_exit(0);
}

static void test_run_sigterm_cancels(void **state)
{
	Fixture *f = *state;
	char pidfile[PATH_MAX];
	char *hang[] = { (char *)"/bin/sh", (char *)"-c", (char *)HANG_SCRIPT, pidfile, NULL };
	struct timespec zero = { 0, 0 };
	sigset_t term, old, pending;
	uint64_t t0, took;
	pid_t helper, pgid;

	if (test_exe_wrapper()) {
		print_message("# under %s the child's process group and pidfd are the emulator's: SKIP\n", test_exe_wrapper());
		return; /* not skip(): cmocka 1.1's TAP says "not ok # SKIP", which meson counts as failed */
	}
	/* What the daemon does: SIGTERM blocked, for sd-event's signalfd. */
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	assert_int_equal(sigprocmask(SIG_BLOCK, &term, &old), 0);
	snprintf(pidfile, sizeof(pidfile), "%s/hang.pid", f->root);

	helper = fork();
	assert_true(helper >= 0);
	if (helper == 0)
		sigterm_after_200ms(getppid());
	t0 = mono_usec();
	assert_int_equal(kexec_ops_real.run(NULL, hang, 30000000), -ECANCELED);
	took = mono_usec() - t0;
	print_message("# run returned %" PRIu64 " ms after it started (SIGTERM at 200 ms)\n", took / 1000);
	assert_true(took < 1200000); /* 200 ms, a grace period for SIGTERM, then SIGKILL */
	assert_int_equal(waitpid(helper, NULL, 0), helper);
	pgid = read_pid(pidfile);
	assert_true(pgid > 1);
	assert_true(group_gone(pgid, 2000));
	/* The signal is the caller's: still pending, not consumed. */
	assert_int_equal(sigpending(&pending), 0);
	assert_true(sigismember(&pending, SIGTERM));
	assert_int_equal(sigtimedwait(&term, NULL, &zero), SIGTERM);

	/* Pending before the call: nothing is started. */
	unlink(pidfile);
	assert_int_equal(kill(getpid(), SIGTERM), 0);
	assert_int_equal(kexec_ops_real.run(NULL, hang, 30000000), -ECANCELED);
	assert_int_equal(access(pidfile, F_OK), -1);
	assert_int_equal(sigtimedwait(&term, NULL, &zero), SIGTERM);
	assert_int_equal(sigprocmask(SIG_SETMASK, &old, NULL), 0);
}

/* Without a pidfd (kernels before 5.3, or a seccomp filter) run polls waitpid(WNOHANG): made
 * to happen here by leaving one free file descriptor, which the signalfd takes. */
static void test_run_without_pidfd(void **state)
{
	Fixture *f = *state;
	char pidfile[PATH_MAX];
	char *hang[] = { (char *)"/bin/sh", (char *)"-c", (char *)HANG_SCRIPT, pidfile, NULL };
	char *exit3[] = { (char *)"/bin/sh", (char *)"-c", (char *)"sleep 0.1; exit 3", NULL };
	struct rlimit old, low;
	int fds[64], n = 0, r1, r2;
	pid_t pgid;

	if (test_exe_wrapper()) {
		print_message("# under %s the child's process group and pidfd are the emulator's: SKIP\n", test_exe_wrapper());
		return; /* not skip(): cmocka 1.1's TAP says "not ok # SKIP", which meson counts as failed */
	}
	snprintf(pidfile, sizeof(pidfile), "%s/hang.pid", f->root);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = 64;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	while (n < 64 && (fds[n] = fcntl(0, F_DUPFD_CLOEXEC, 0)) >= 0)
		n++;
	assert_true(n > 0 && n < 64);
	close(fds[--n]); /* one left: for the signalfd, none for pidfd_open */
	r1 = kexec_ops_real.run(NULL, exit3, 10000000);
	r2 = kexec_ops_real.run(NULL, hang, 300000);
	while (n > 0)
		close(fds[--n]);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_int_equal(r1, 3);
	assert_int_equal(r2, -ETIMEDOUT);
	pgid = read_pid(pidfile);
	assert_true(pgid > 1);
	assert_true(group_gone(pgid, 2000));
}

static void test_kernel_loader(void **state)
{
	Fixture *f = *state;
	Range before_ram[] = { { 0x100000, 0x7fffffff }, { 0x100000000, 0x13fffffff } };
	Range after_ram[] = { { 0x100000, 0x7fffffff }, { 0x100000000, 0x17fffffff } };
	Range shrunk_ram[] = { { 0x100000, 0x7fffffff }, { 0x100000000, 0x137ffffff } };
	Topology before = { .ram = before_ram, .n_ram = 2, .n_cpus = 2, .n_possible = 4 };
	Topology t = { .ram = after_ram, .n_ram = 2, .n_cpus = 2, .n_possible = 4 };
	LoadRequest req = { .topology = &t, .previous = &before };
	LoadResult res = { 0 };
	Loader *l = NULL;
	char why[256];

	assert_int_equal(loader_kernel_vtable.probe(f->root, &f->c, why, sizeof(why)), -EOPNOTSUPP);
	put(f, "/sys/devices/system/cpu/crash_hotplug", "0\n");
	assert_int_equal(loader_kernel_vtable.probe(f->root, &f->c, why, sizeof(why)), -EOPNOTSUPP);
	assert_non_null(strstr(why, "reads 0"));
	put(f, "/sys/devices/system/cpu/crash_hotplug", "1\n");
	put(f, "/sys/devices/system/memory/crash_hotplug", "1\n");
	put(f, "/sys/kernel/crash_elfcorehdr_size", "448\n"); /* 8 phdrs */
	assert_int_equal(loader_kernel_vtable.probe(f->root, &f->c, why, sizeof(why)), 0);
	assert_int_equal(loader_kernel_vtable.new(f->root, &f->c, &f->ops, &l), 0);

	/* Added memory: the kernel's update is right. 4 possible CPUs (not the 2 present) +
	 * VMCOREINFO + text + 2 RAM = 8 fit. */
	assert_int_equal(loader_kernel_phdrs_needed(&t), 8);
	assert_int_equal(l->vtable->load(l, &req, &res), 0);
	assert_int_equal(res.phdrs_capacity, 8);
	assert_non_null(strstr(res.detail, "8 of 8"));
	t.n_possible = 5;
	assert_int_equal(l->vtable->load(l, &req, &res), -ENOSPC);
	assert_non_null(strstr(res.detail, "possible CPU"));
	t.n_possible = 4;

	/* Removed memory stays in the kernel's header: repair. */
	t.ram = shrunk_ram;
	assert_int_equal(l->vtable->load(l, &req, &res), -ESTALE);
	assert_non_null(strstr(res.detail, "memory removed (128 MiB, first at 0x138000000)"));
	t.ram = after_ram;

	/* Unknown history (loaded before us), a race with a load, a "crash hp:" message. */
	req.previous = NULL;
	assert_int_equal(l->vtable->load(l, &req, &res), -ESTALE);
	assert_non_null(strstr(res.detail, "before crash-hotplugd knew"));
	req.previous = &before;
	req.raced = true;
	assert_int_equal(l->vtable->load(l, &req, &res), -ESTALE);
	assert_non_null(strstr(res.detail, "raced"));
	req.raced = false;
	loader_kernel_note_failure(l, "kexec_trylock() failed, kdump image may be inaccurate");
	assert_int_equal(l->vtable->load(l, &req, &res), -EIO);
	assert_non_null(strstr(res.detail, "kexec_trylock() failed"));
	assert_int_equal(l->vtable->load(l, &req, &res), 0); /* reported once */
	/* Another process's load holds the lock: crash_hotplug reads 0, the report still counts. */
	put(f, "/sys/devices/system/cpu/crash_hotplug", "0\n");
	loader_kernel_note_failure(l, "kexec_trylock() failed, kdump image may be inaccurate");
	assert_int_equal(l->vtable->load(l, &req, &res), -EIO);
	assert_int_equal(l->vtable->load(l, &req, &res), -EOPNOTSUPP);
	put(f, "/sys/devices/system/cpu/crash_hotplug", "1\n");
	assert_int_equal(f->rec.file_loads + f->rec.runs, 0); /* never loads */
	l->vtable->free(l);
}

static void test_dry_run_writes_header_and_plan(void **state)
{
	Fixture *f = *state;
	char out[PATH_MAX], path[PATH_MAX + 16], buf[8192];
	unsigned char header[8192];
	Range ram = { 0x100000, 0x3fffffff };
	CpuNote cpu = { 0, 0x3fa1d8c0, 368 };
	Topology t = { .ram = &ram, .n_ram = 1, .cpus = &cpu, .n_cpus = 1 };
	LoadRequest req = { .topology = &t, .header = header, .header_used = 120, .header_capacity = sizeof(header),
			    .reason = "+cpu1\n+512 MiB RAM at 0x140000000" };
	LoadResult res = { 0 };
	Loader *l = NULL;
	struct stat st;
	FILE *fp;
	size_t n;

	memset(header, 0xab, sizeof(header));
	snprintf(out, sizeof(out), "%s/out", f->root);
	f->c.dry_run_output = strdup(out);
	assert_int_equal(loader_dry_run_vtable.new(f->root, &f->c, &f->ops, &l), 0);
	assert_int_equal(l->vtable->load(l, &req, &res), 0);
	snprintf(path, sizeof(path), "%s/elfcorehdr", out);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, sizeof(header)); /* the whole fixed-capacity buffer */
	snprintf(path, sizeof(path), "%s/plan", out);
	fp = fopen(path, "re");
	assert_non_null(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	assert_non_null(strstr(buf, "load: 1\n"));
	assert_non_null(strstr(buf, "reason:\n  +cpu1\n  +512 MiB RAM at 0x140000000\n"));
	assert_non_null(strstr(buf, "kernel=/boot/vmlinuz-t initrd=/boot/initrd-t"));
	/* No header (over capacity): nothing to write, and it says so. */
	req.header = NULL;
	assert_int_equal(l->vtable->load(l, &req, &res), -ENOSPC);
	assert_int_equal(f->rec.file_loads + f->rec.runs, 0);
	l->vtable->free(l);
}

static void read_all(const char *path, char *buf, size_t size)
{
	FILE *fp = fopen(path, "re");
	size_t n;

	assert_non_null(fp);
	n = fread(buf, 1, size - 1, fp);
	buf[n] = '\0';
	fclose(fp);
}

/* DryRunOutput that is a symlink to another directory: nothing is written through it (root's
 * 0600 file there stays as it was); a directory someone else can write is refused too. */
static void test_dry_run_refuses_untrusted_output(void **state)
{
	Fixture *f = *state;
	char out[PATH_MAX], target[PATH_MAX], path[PATH_MAX + 16], buf[64];
	unsigned char header[4096];
	Range ram = { 0x100000, 0x3fffffff };
	CpuNote cpu = { 0, 0x3fa1d8c0, 368 };
	Topology t = { .ram = &ram, .n_ram = 1, .cpus = &cpu, .n_cpus = 1 };
	LoadRequest req = { .topology = &t, .header = header, .header_used = 120, .header_capacity = sizeof(header),
			    .reason = "test" };
	LoadResult res = { 0 };
	Loader *l = NULL;
	struct stat st;
	DIR *dh;
	int fd, entries = 0;

	memset(header, 0xab, sizeof(header));
	snprintf(target, sizeof(target), "%s/secret", f->root);
	assert_int_equal(mkdir(target, 0700), 0);
	snprintf(path, sizeof(path), "%s/elfcorehdr", target);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "root's own\n", 11), 11);
	close(fd);
	snprintf(out, sizeof(out), "%s/out", f->root);
	assert_int_equal(symlink(target, out), 0);
	f->c.dry_run_output = strdup(out);

	assert_int_equal(loader_dry_run_vtable.new(f->root, &f->c, &f->ops, &l), 0);
	assert_int_equal(l->vtable->load(l, &req, &res), -ELOOP);
	assert_non_null(strstr(res.detail, "refused: is a symlink"));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	read_all(path, buf, sizeof(buf));
	assert_string_equal(buf, "root's own\n");
	dh = opendir(target);
	assert_non_null(dh);
	for (struct dirent *de; (de = readdir(dh));)
		entries += de->d_name[0] != '.';
	closedir(dh);
	assert_int_equal(entries, 1); /* no plan, no temporary file either */

	/* A real directory anyone can write, or someone else's: refused. */
	assert_int_equal(unlink(out), 0);
	assert_int_equal(mkdir(out, 0755), 0);
	assert_int_equal(chmod(out, 01777), 0);
	assert_int_equal(l->vtable->load(l, &req, &res), -EPERM);
	assert_non_null(strstr(res.detail, "is writable by group and others (mode 1777)"));
	assert_int_equal(chmod(out, 0755), 0);
	assert_int_equal(chown(out, 1000, 1000), 0);
	assert_int_equal(l->vtable->load(l, &req, &res), -EPERM);
	assert_non_null(strstr(res.detail, "is owned by uid 1000, not root"));
	assert_int_equal(chown(out, 0, 0), 0);

	/* A link planted at a file's name in a trusted directory is replaced, not followed. */
	snprintf(path, sizeof(path), "%s/elfcorehdr", out);
	snprintf(target, sizeof(target), "%s/secret/elfcorehdr", f->root);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(l->vtable->load(l, &req, &res), 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, sizeof(header));
	read_all(target, buf, sizeof(buf));
	assert_string_equal(buf, "root's own\n");
	assert_int_equal(f->rec.file_loads + f->rec.runs, 0);
	l->vtable->free(l);
}

/* Linked with --wrap=getrandom: a call that would wait for the kernel's random pool. At boot,
 * before the pool is ready (about a second in a guest with no hardware RNG, minutes on older
 * kernels), such a call stalls the daemon's first status write and everything behind it. */
static unsigned blocking_getrandom_calls;
ssize_t __real_getrandom(void *buf, size_t n, unsigned flags);
ssize_t __wrap_getrandom(void *buf, size_t n, unsigned flags);
ssize_t __wrap_getrandom(void *buf, size_t n, unsigned flags)
{
	if (!(flags & (GRND_NONBLOCK | GRND_INSECURE)))
		blocking_getrandom_calls++;
	return __real_getrandom(buf, n, flags | GRND_NONBLOCK);
}

static void test_write_atomic_never_waits_for_entropy(void **state)
{
	Fixture *f = *state;
	char path[PATH_MAX + 16], buf[16];
	int dfd = open(f->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	assert_true(dfd >= 0);
	blocking_getrandom_calls = 0;
	for (int i = 0; i < 3; i++)
		assert_int_equal(loader_write_atomic_at(dfd, "status.json", "{}\n", 3, 0644), 0);
	close(dfd);
	snprintf(path, sizeof(path), "%s/status.json", f->root);
	assert_int_equal(blocking_getrandom_calls, 0);
	read_all(path, buf, sizeof(buf));
	assert_string_equal(buf, "{}\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errno_meanings),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_kmsg),
		cmocka_unit_test_setup_teardown(test_file_loader_keeps_fds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_loader_needs_the_syscall, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_loader_without_initrd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_loader_refuses_fifo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_loader_refuses_untrusted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kdump_tools_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_untrusted_default_initrd_refuses_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kexec_tools_falls_back_to_kexec_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kexec_tools_timeout_and_cancel, setup, teardown),
		cmocka_unit_test(test_load_timeout_key),
		cmocka_unit_test_setup_teardown(test_run_exit_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_timeout_kills_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_sigterm_cancels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_without_pidfd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_loader, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dry_run_writes_header_and_plan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_atomic_never_waits_for_entropy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dry_run_refuses_untrusted_output, setup, teardown),
	};

	return cmocka_run_group_tests_name("loader", tests, NULL, NULL);
}
