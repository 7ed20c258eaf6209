/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Loader registry and what every loader shares: errno meanings, file and command line
 * resolution, held kernel and initrd files, the kexec_crash_loaded probe. */
#include <elf.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arch-rules.h"
#include "kdump-tools.h"
#include "loader-internal.h"
#include "path.h"
#include "trust.h"

/* Loaders of one architecture: lib/<arch>/meson.build defines CHP_LOADER_SEGMENTS as the name
 * of its Loader=segments vtable where it has one. */
#ifdef CHP_LOADER_SEGMENTS
extern const LoaderVtable CHP_LOADER_SEGMENTS;
#endif

static const LoaderVtable *const vtables[_LOADER_MAX] = {
	[LOADER_KERNEL] = &loader_kernel_vtable,
#ifdef CHP_LOADER_SEGMENTS
	[LOADER_SEGMENTS] = &CHP_LOADER_SEGMENTS,
#endif
	[LOADER_FILE] = &loader_file_vtable,
	[LOADER_KEXEC_TOOLS] = &loader_kexec_tools_vtable,
	[LOADER_DRY_RUN] = &loader_dry_run_vtable,
};

const LoaderVtable *loader_vtable_for(LoaderKind k)
{
	if ((int)k < 0 || k >= _LOADER_MAX)
		return NULL;
	return vtables[k];
}

int loader_unavailable(LoaderKind k, char *why, size_t why_size)
{
	if (k == LOADER_SEGMENTS)
		snprintf(why, why_size, "Loader=segments is x86_64 and arm64 only (it builds the architecture's boot "
			 "image and purgatory); this build is %s: use Loader=auto, file or kexec-tools",
			 arch_native()->name);
	else
		snprintf(why, why_size, "not available in this build");
	return -EOPNOTSUPP;
}

/* Cheapest first: the kernel updating its own header costs nothing; segments rewrite only the
 * header; file reloads the whole image but needs no userspace header; kexec-tools forks.
 * arm64 (CHP_AUTO_FILE_FIRST, lib/arm64/meson.build) tries file before segments: where its
 * kernel has kexec_file_load, the kernel's own loader handles the Image and device tree
 * (fresh seeds, its own placement); segments is what works where it has not (Debian 12), and
 * the one before kexec-tools, whose arm64 header is wrong there (README: arm64). */
static const LoaderKind auto_order[] = {
	LOADER_KERNEL,
#ifdef CHP_AUTO_FILE_FIRST
	LOADER_FILE,
	LOADER_SEGMENTS,
#else
	LOADER_SEGMENTS,
	LOADER_FILE,
#endif
	LOADER_KEXEC_TOOLS,
};

const LoaderKind *loader_auto_order(size_t *ret_n)
{
	*ret_n = ELEMENTSOF(auto_order);
	return auto_order;
}

static const struct {
	int err;
	const char *meaning;
} meanings[] = {
	{ EPERM, "kexec load refused (lockdown, kexec_load_disabled, load limit reached or no CAP_SYS_BOOT)" },
	{ EADDRNOTAVAIL, "crash kernel region too small (or no crashkernel= reservation)" },
	{ EBUSY, "kexec lock held (another load, or the kernel updating its header)" },
	{ EINVAL, "load rejected as invalid (unknown flag for this kernel, command line too long, or not a regular file)" },
	{ ENOEXEC, "kernel image not recognised (not a 64-bit bzImage the kernel can load)" },
	{ ENOMEM, "the kernel ran out of memory while loading" },
	{ EBADF, "kernel or initrd not open for reading" },
	{ ETXTBSY, "kernel or initrd is open for writing somewhere" },
	{ EFBIG, "kernel or initrd larger than the kernel accepts" },
	{ EKEYREJECTED, "signature rejected (Secure Boot or KEXEC_SIG_FORCE needs a signed kernel)" },
	{ ENOKEY, "no key to verify the kernel's signature" },
	{ EBADMSG, "kernel signature malformed" },
	{ ELIBBAD, "kernel signature check failed" },
	{ ENOPKG, "kernel signature check unavailable" },
	{ ENOSYS, "kexec syscall not available (kernel without CONFIG_KEXEC or CONFIG_KEXEC_FILE, or filtered)" },
	{ EINTR, "interrupted, worth retrying" },
	{ ENOSPC, "capacity exceeded: the header has no room for this topology" },
	{ ENOENT, "a file the load needs is missing" },
	{ EOPNOTSUPP, "not available on this machine" },
	{ ETIMEDOUT, "the load took longer than LoadTimeoutSec= and was killed" },
	{ ECANCELED, "stopped: the daemon is shutting down (SIGTERM or SIGINT)" },
};

const char *loader_explain_errno(int err, char *buf, size_t size)
{
	const char *name;

	if (err < 0)
		err = -err;
	name = strerrorname_np(err);
	for (size_t i = 0; i < ELEMENTSOF(meanings); i++)
		if (meanings[i].err == err) {
			snprintf(buf, size, "%s: %s", name, meanings[i].meaning);
			return buf;
		}
	snprintf(buf, size, "%s: %s", name ? name : "E?", strerror(err));
	return buf;
}

bool loader_error_is_transient(int err)
{
	if (err < 0)
		err = -err;
	return err == EBUSY || err == EINTR || err == EAGAIN || err == ENOMEM;
}

int loader_crash_loaded(const char *root)
{
	char buf[16];
	int r;

	r = path_read_line(root, "/sys/kernel/kexec_crash_loaded", buf, sizeof(buf), NULL);
	if (r < 0)
		return r;
	if (streq(buf, "1"))
		return 1;
	if (streq(buf, "0"))
		return 0;
	return -EINVAL;
}

static bool regular_file_under(const char *root, const char *path)
{
	char full[PATH_MAX];
	struct stat st;

	return path_join(root, path, full, sizeof(full)) == 0 && stat(full, &st) == 0 && S_ISREG(st.st_mode);
}

/* trust_check_path() of a kernel or initrd: 0, or -EPERM (or -errno) with why. */
static int untrusted(const char *root, const char *what, const char *path, char *why, size_t why_size)
{
	Diag d = {};
	int r;

	r = trust_check_path(root, path, &d);
	if (r < 0)
		snprintf(why, why_size, "%s %s refused: %s %s", what, path, d.file, d.reason);
	return r;
}

/* kdump_tools_load() with a failure in why. */
static int kdump_tools(const char *root, KdumpTools *kt, char *why, size_t why_size)
{
	char buf[PATH_MAX + 600];
	Diag d = {};
	int r;

	r = kdump_tools_load(root, kt, &d);
	if (r < 0)
		snprintf(why, why_size, "%s", diag_format(&d, buf, sizeof(buf)));
	return r;
}

/* One of kdump-tools' values (NULL when unset), or -EINVAL with why when it needs a shell. */
static int kdump_tools_use(const KdumpToolsVar *var, const char *key, const char *instead, const char **ret,
			   char *why, size_t why_size)
{
	char buf[PATH_MAX + 600];
	Diag d = {};
	int r;

	r = kdump_tools_value(var, key, instead, ret, &d);
	if (r < 0)
		snprintf(why, why_size, "%s", diag_format(&d, buf, sizeof(buf)));
	return r;
}

int loader_resolve_kernel(const char *root, const Config *c, const char *release, char *buf, size_t size,
			  char *why, size_t why_size)
{
	_cleanup_(kdump_tools_done) KdumpTools kt = {};
	const char *from = " (Kernel= unset)", *kdump_kernel = NULL;
	char path[PATH_MAX];
	int n, r;

	if (!c->kernel) {
		r = kdump_tools(root, &kt, why, why_size);
		if (r >= 0 && kt.present)
			r = kdump_tools_use(&kt.kernel, "KDUMP_KERNEL", "Kernel", &kdump_kernel, why, why_size);
		if (r < 0)
			return r;
	}
	if (c->kernel) {
		n = snprintf(path, sizeof(path), "%s", c->kernel);
		from = "";
	} else if (kdump_kernel) {
		n = snprintf(path, sizeof(path), "%s", kdump_kernel);
		from = " (KDUMP_KERNEL in " KDUMP_TOOLS_DEFAULTS ")";
	} else
		n = snprintf(path, sizeof(path), "/boot/vmlinuz-%s", release);
	if (n < 0 || (size_t)n >= sizeof(path) || (size_t)n >= size)
		return -ENAMETOOLONG;
	if (!regular_file_under(root, path)) {
		snprintf(why, why_size, "kernel %s%s not found", path, from);
		return -ENOENT;
	}
	memcpy(buf, path, (size_t)n + 1);
	r = untrusted(root, "kernel", path, why, why_size);
	if (r < 0)
		return r;
	return 0;
}

int loader_resolve_initrd(const char *root, const Config *c, const char *release, char *buf, size_t size,
			  char *why, size_t why_size)
{
	/* kdump-tools (Debian), kdump-utils (Fedora/RHEL) and the plain initrd, in that order:
	 * a dedicated kdump initrd is small and made for the crash kernel. */
	static const char *const patterns[] = {
		"/var/lib/kdump/initrd.img-%s",
		"/boot/initramfs-%skdump.img",
		"/boot/initrd.img-%s",
		"/boot/initramfs-%s.img",
	};
	_cleanup_(kdump_tools_done) KdumpTools kt = {};
	const char *chosen = c->initrd, *from = "";
	char path[PATH_MAX];
	int r;

	buf[0] = '\0';
	/* kdump-tools' initrd goes with its kernel: a Kernel= of the admin's own takes the
	 * release's initrd search below, never an initrd built for another kernel. */
	if (!chosen && !c->kernel) {
		r = kdump_tools(root, &kt, why, why_size);
		if (r < 0)
			return r;
	}
	if (!chosen && kt.present) {
		const char *kernel = NULL;

		/* kdump-config's rules: KDUMP_INITRD goes with KDUMP_KERNEL (none without it);
		 * with no KDUMP_KERNEL, the release's plain initrd if there is one. */
		r = kdump_tools_use(&kt.kernel, "KDUMP_KERNEL", "Kernel", &kernel, why, why_size);
		if (r >= 0 && kernel)
			r = kdump_tools_use(&kt.initrd, "KDUMP_INITRD", "Initrd", &chosen, why, why_size);
		if (r < 0)
			return r;
		from = " (KDUMP_INITRD in " KDUMP_TOOLS_DEFAULTS ")";
		if (kernel && !chosen) {
			snprintf(why, why_size, "no initrd: KDUMP_KERNEL is set and KDUMP_INITRD is not, in " KDUMP_TOOLS_DEFAULTS);
			return 0;
		}
		if (!kernel) {
			if (snprintf(path, sizeof(path), "/boot/initrd.img-%s", release) >= (int)sizeof(path))
				return -ENAMETOOLONG;
			if (!regular_file_under(root, path)) {
				snprintf(why, why_size, "no initrd: %s does not exist (kdump-tools' choice without KDUMP_KERNEL)",
					 path);
				return 0;
			}
			chosen = path;
		}
	}
	if (chosen) {
		if (strlen(chosen) >= size)
			return -ENAMETOOLONG;
		if (!regular_file_under(root, chosen)) {
			snprintf(why, why_size, "initrd %s%s not found", chosen, from);
			return -ENOENT;
		}
		memmove(buf, chosen, strlen(chosen) + 1);
		r = untrusted(root, "initrd", buf, why, why_size);
		if (r < 0)
			return r;
		return 0;
	}
	for (size_t i = 0; i < ELEMENTSOF(patterns); i++) {
		int n;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		n = snprintf(path, sizeof(path), patterns[i], release);
#pragma GCC diagnostic pop
		if (n < 0 || (size_t)n >= sizeof(path) || (size_t)n >= size)
			continue;
		if (regular_file_under(root, path)) {
			/* Found but untrusted: refused, not passed over for the next pattern (the
			 * admin must hear of it, and a lower choice is not what they installed). */
			memcpy(buf, path, (size_t)n + 1);
			return untrusted(root, "initrd", path, why, why_size);
		}
	}
	snprintf(why, why_size, "no initrd: Initrd= unset and no kdump initrd for %s found", release);
	return 0;
}

/* CommandLine=, or the default made from /proc/cmdline. */
static int base_command_line(const char *root, const Config *c, char **ret, char *why, size_t why_size)
{
	_cleanup_(fclosep) FILE *f = NULL;
	_cleanup_(freep) char *line = NULL;
	_cleanup_(kdump_tools_done) KdumpTools kt = {};
	const char *append = CONFIG_DEFAULT_APPEND, *kdump_cmdline = NULL;
	size_t cap = 0;
	ssize_t n;
	char *s;
	int r;

	if (c->command_line) {
		s = strdup(c->command_line);
		if (!s)
			return -ENOMEM;
		*ret = s;
		return 0;
	}
	r = kdump_tools(root, &kt, why, why_size);
	if (r < 0)
		return r;
	if (kt.present) {
		/* kdump-config: KDUMP_CMDLINE or the filtered /proc/cmdline, then the append list
		 * (its default when unset or empty), which names the unit that saves the dump. */
		r = kdump_tools_use(&kt.cmdline, "KDUMP_CMDLINE", "CommandLine", &kdump_cmdline, why, why_size);
		if (r >= 0)
			r = kdump_tools_use(&kt.cmdline_append, "KDUMP_CMDLINE_APPEND", "CommandLine", &append, why,
					    why_size);
		if (r < 0)
			return r;
		if (!append)
			append = KDUMP_TOOLS_DEFAULT_APPEND;
		if (kdump_cmdline) {
			if (asprintf(&s, "%s %s", kdump_cmdline, append) < 0)
				return -ENOMEM;
			*ret = s;
			return 0;
		}
	}
	/* /proc/cmdline can be long (up to COMMAND_LINE_SIZE, 2 KiB or more): getline, not a
	 * fixed buffer. */
	f = path_fopen(root, "/proc/cmdline", "re");
	if (!f) {
		snprintf(why, why_size, "CommandLine= unset and /proc/cmdline unreadable: %s", strerror(errno));
		return negative_errno();
	}
	n = getline(&line, &cap, f);
	if (n < 0) {
		snprintf(why, why_size, "CommandLine= unset and /proc/cmdline empty");
		return -ENODATA;
	}
	if (n > 0 && line[n - 1] == '\n')
		line[n - 1] = '\0';
	return config_base_cmdline(line, append, ret);
}

int loader_command_line(const char *root, const Config *c, char **ret, char *why, size_t why_size)
{
	_cleanup_(freep) char *base = NULL;
	int r;

	r = base_command_line(root, c, &base, why, why_size);
	if (r < 0)
		return r;
	if (c->capture_memory_hotplug) {
		*ret = TAKE_PTR(base);
		return 0;
	}
	r = config_capture_cmdline(base, ret);
	if (r == -E2BIG)
		snprintf(why, why_size, "the command line with " CONFIG_CAPTURE_NO_HOTPLUG " is longer than %u bytes",
			 CONFIG_MAX_COMMAND_LINE);
	else if (r == -EINVAL)
		snprintf(why, why_size, "the command line has an unterminated quote");
	return r;
}

int loader_resolve_inputs(const char *root, const Config *c, bool cmdline, LoaderInputs *ret, char *why,
			  size_t why_size)
{
	_cleanup_(loader_inputs_done) LoaderInputs in = {};
	struct utsname u;
	const char *release = loader_release(&u);
	int r;

	r = loader_resolve_kernel(root, c, release, in.kernel, sizeof(in.kernel), why, why_size);
	if (r < 0)
		return r;
	/* in.initrd "": a load without an initrd. */
	r = loader_resolve_initrd(root, c, release, in.initrd, sizeof(in.initrd), why, why_size);
	if (r < 0)
		return r;
	if (cmdline) {
		r = loader_command_line(root, c, &in.cmdline, why, why_size);
		if (r < 0)
			return r;
	}
	*ret = in;
	in.cmdline = NULL; /* now ret's */
	return 0;
}

void loader_inputs_done(LoaderInputs *in)
{
	free(in->cmdline);
	in->cmdline = NULL;
}

int held_file_open(const char *root, const char *path, HeldFile *ret, Diag *d)
{
	_cleanup_(closep) int fd = -1;
	struct stat st;
	char *p;
	int r;

	/* Through the file-reading layer: a FIFO or device named as Kernel= or Initrd= is an
	 * error at once instead of an open that blocks the loop, and a file (or a directory on
	 * the way to it) that anyone but root can write is refused, never loaded. */
	r = path_open_regular(root, path, PATH_READ_TRUSTED, &fd, &st, d);
	if (r < 0)
		return r;
	p = strdup(path);
	if (!p)
		return -ENOMEM;
	*ret = (HeldFile){ .path = p, .fd = TAKE_FD(fd), .st = st };
	return 0;
}

int held_file_trusted(const HeldFile *h, Diag *d)
{
	struct stat st;

	if (!h->path || h->fd < 0)
		return 0;
	if (fstat(h->fd, &st) < 0)
		return diag_set(d, errno, h->path, 0, "cannot stat: %s", strerror(errno));
	return trust_check_stat(&st, h->path, d);
}

void held_file_done(HeldFile *h)
{
	if (h->path && h->fd >= 0)
		close(h->fd);
	free(h->path);
	*h = HELD_FILE_NONE;
}

bool held_file_changed(const char *root, const HeldFile *h)
{
	char full[PATH_MAX];
	struct stat st;

	if (!h->path || path_join(root, h->path, full, sizeof(full)) < 0 || stat(full, &st) < 0)
		return false;
	return st.st_dev != h->st.st_dev || st.st_ino != h->st.st_ino || st.st_size != h->st.st_size ||
	       st.st_mtim.tv_sec != h->st.st_mtim.tv_sec || st.st_mtim.tv_nsec != h->st.st_mtim.tv_nsec;
}

int held_image_read(const char *root, const char *path, HeldImage *ret, Diag *d)
{
	_cleanup_(held_file_done) HeldFile f = HELD_FILE_NONE;
	_cleanup_(freep) uint8_t *buf = NULL;
	size_t done = 0;
	int r;

	r = held_file_open(root, path, &f, d);
	if (r < 0)
		return r;
	if (f.st.st_size <= 0 || (uint64_t)f.st.st_size > HELD_IMAGE_MAX_SIZE)
		return diag_set(d, EFBIG, path, 0, "size %jd is out of range", (intmax_t)f.st.st_size);
	buf = malloc((size_t)f.st.st_size);
	if (!buf)
		return -ENOMEM;
	while (done < (size_t)f.st.st_size) {
		ssize_t n = read(f.fd, buf + done, (size_t)f.st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return diag_set(d, errno, path, 0, "read error: %s", strerror(errno));
		if (n == 0)
			return diag_set(d, EIO, path, 0, "file shrank while reading");
		done += (size_t)n;
	}
	close(TAKE_FD(f.fd)); /* the bytes are what is held, not the file */
	*ret = (HeldImage){ .file = f, .data = TAKE_PTR(buf), .size = done };
	f = HELD_FILE_NONE; /* the path is ret's now */
	return 0;
}

void held_image_done(HeldImage *h)
{
	held_file_done(&h->file);
	free(h->data);
	h->data = NULL;
	h->size = 0;
}

/* "[none] integrity confidentiality": the bracketed word is the active level. */
static int lockdown_level(const char *root, char *level, size_t size)
{
	char buf[128];
	const char *a, *b;

	if (path_read_line(root, "/sys/kernel/security/lockdown", buf, sizeof(buf), NULL) < 0)
		return -ENOENT;
	a = strchr(buf, '[');
	b = a ? strchr(a, ']') : NULL;
	if (!b)
		return -EINVAL;
	snprintf(level, size, "%.*s", (int)(b - a - 1), a + 1);
	return 0;
}

int loader_probe_kexec_load(const char *root, const char *instead, char *why, size_t why_size)
{
	char level[32], buf[32];

	if (lockdown_level(root, level, sizeof(level)) == 0 && !streq(level, "none")) {
		snprintf(why, why_size, "kernel lockdown \"%s\" forbids kexec_load%s%s%s", level, instead ? " (" : "",
			 instead ? instead : "", instead ? ")" : "");
		return -EPERM;
	}
	if (path_read_line(root, "/proc/sys/kernel/kexec_load_disabled", buf, sizeof(buf), NULL) == 0 &&
	    !streq(buf, "0")) {
		snprintf(why, why_size, "kernel.kexec_load_disabled=%s forbids kexec_load", buf);
		return -EPERM;
	}
	return 0;
}

int loader_fail(LoadResult *res, int err, const char *fmt, ...)
{
	char what[160], meaning[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(res->detail, sizeof(res->detail), "%s: %s", what, loader_explain_errno(err, meaning, sizeof(meaning)));
	return -err;
}

int loader_write_atomic_at(int dfd, const char *name, const void *data, size_t size, mode_t mode)
{
	_cleanup_(closep) int fd = -1;
	const char *p = data;
	char tmp[NAME_MAX + 1];
	int r;

	/* A fresh name each try, created O_EXCL|O_NOFOLLOW: nothing already there (a file, a
	 * link) is ever opened, and the mode is 0600 until the data is complete. So the name
	 * needs to be unique, not secret: the pid and the clock, not getrandom(), which at boot
	 * waits for the kernel's random pool (a second in a guest, longer on old kernels). */
	for (unsigned tries = 0;; tries++) {
		struct timespec ts;
		uint64_t tag;

		(void)clock_gettime(CLOCK_MONOTONIC, &ts);
		tag = ((uint64_t)getpid() << 40) ^ ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec) ^ tries;
		if (snprintf(tmp, sizeof(tmp), ".%.200s.%016" PRIx64, name, tag) >= (int)sizeof(tmp))
			return -ENAMETOOLONG;
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
		if (fd >= 0)
			break;
		if (errno != EEXIST || tries >= 16)
			return negative_errno();
	}
	while (size > 0) {
		ssize_t n = write(fd, p, size);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = negative_errno();
			goto fail;
		}
		p += n;
		size -= (size_t)n;
	}
	/* renameat() replaces the name itself: were it a symlink, the link goes, its target
	 * is never written. */
	if (fchmod(fd, mode) < 0 || renameat(dfd, tmp, dfd, name) < 0) {
		r = negative_errno();
		goto fail;
	}
	return 0;
fail:
	(void)unlinkat(dfd, tmp, 0);
	return r;
}

int loader_write_atomic(const char *path, const void *data, size_t size, mode_t mode, Diag *d)
{
	_cleanup_(closep) int dfd = -1;
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/'), *name;
	int r;

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if ((size_t)(slash - path) >= sizeof(dir))
		return diag_set(d, ENAMETOOLONG, path, 0, "path too long");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	name = slash ? slash + 1 : path;
	if (!*name || streq(name, ".") || streq(name, ".."))
		return diag_set(d, EINVAL, path, 0, "not a file name");
	r = trust_open_dir(dir, &dfd, d);
	if (r < 0)
		return r;
	r = loader_write_atomic_at(dfd, name, data, size, mode);
	if (r < 0)
		return diag_set(d, -r, path, 0, "cannot write: %s", strerror(-r));
	return 0;
}

int loader_probe_crash_region(const char *root, char *why, size_t why_size)
{
	char buf[32];
	int r;

	/* Read under the kexec lock: EBUSY means a load is running, which proves a region. */
	r = path_read_line(root, "/sys/kernel/kexec_crash_size", buf, sizeof(buf), NULL);
	if (r == -EBUSY)
		return 0;
	if (r == -ENOENT) {
		snprintf(why, why_size, "kernel without kdump support (no /sys/kernel/kexec_crash_size)");
		return -EOPNOTSUPP;
	}
	if (r < 0) {
		snprintf(why, why_size, "cannot read /sys/kernel/kexec_crash_size: %s", strerror(-r));
		return r;
	}
	if (streq(buf, "0")) {
		snprintf(why, why_size, "no memory reserved for a crash kernel (boot with crashkernel=)");
		return -EADDRNOTAVAIL;
	}
	return 0;
}

int loader_kernel_capacity(const char *root)
{
	char buf[32], *end;
	unsigned long long v;
	int r;

	r = path_read_line(root, "/sys/kernel/crash_elfcorehdr_size", buf, sizeof(buf), NULL);
	if (r < 0)
		return r;
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (errno != 0 || *end != '\0' || end == buf)
		return -EINVAL;
	/* The kernel's figure counts program headers only, not the 64-byte ELF header. */
	v /= sizeof(Elf64_Phdr);
	return v > INT_MAX ? INT_MAX : (int)v;
}

void loader_set_detail(LoadResult *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(res->detail, sizeof(res->detail), fmt, ap);
	va_end(ap);
}
