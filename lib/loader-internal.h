/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers the loaders share; not part of the loader interface. */
#pragma once

#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>

#include "diag.h"
#include "loader.h"

static inline uint64_t loader_now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* uname -r: the release whose kernel and initrd the defaults name. */
static inline const char *loader_release(struct utsname *u)
{
	return uname(u) == 0 ? u->release : "unknown";
}

/* Kernel=, Initrd= and CommandLine= as they apply to this machine. */
typedef struct LoaderInputs {
	char kernel[PATH_MAX]; /* root-relative */
	char initrd[PATH_MAX]; /* root-relative; "" to load without one */
	char *cmdline;         /* NULL unless asked for; freed by loader_inputs_done() */
} LoaderInputs;

/* loader_resolve_kernel() and loader_resolve_initrd() for uname -r, and with cmdline also
 * loader_command_line(). An Initrd= that is set must exist; unset with no default found, initrd
 * is "". 0, or -errno (-ENOENT: a file is missing) with why; ret is untouched on failure. */
int loader_resolve_inputs(const char *root, const Config *c, bool cmdline, LoaderInputs *ret, char *why,
			  size_t why_size);

void loader_inputs_done(LoaderInputs *in);

/* LoaderVtable.file for a loader that reads a kernel and an optional initrd (NULL or "": none). */
static inline const char *loader_kernel_initrd_file(const char *kernel, const char *initrd, size_t i)
{
	if (i == 0)
		return kernel;
	if (i == 1 && initrd && *initrd)
		return initrd;
	return NULL;
}

/* A kernel or initrd a loader keeps, with what fstat(2) said when it was opened, so that a
 * replaced or rewritten file is noticed even where the daemon's inotify saw nothing. Both
 * HELD_FILE_NONE and a zeroed HeldFile hold nothing. */
typedef struct HeldFile {
	char *path;     /* root-relative; NULL: no file (fd is then unused) */
	int fd;         /* read-only, or -1 once closed by a loader that keeps the bytes instead */
	struct stat st; /* at open */
} HeldFile;

#define HELD_FILE_NONE ((HeldFile){ .fd = -1 })

/* Opens root + path read-only into *ret (untouched on failure): the kernel refuses a file open
 * for writing anywhere (ETXTBSY), and O_CLOEXEC keeps it out of a spawned kexec. -EINVAL if it
 * is not a regular file, -EPERM if it or a directory on the way is not root's alone
 * (PATH_READ_TRUSTED), else -errno; d (may be NULL) says which step failed. */
int held_file_open(const char *root, const char *path, HeldFile *ret, Diag *d);

/* 0 if the held file (its descriptor: the inode that would be loaded) is still root's alone:
 * a chmod after the open would let others rewrite what is loaded. -EPERM with d, or -errno. */
int held_file_trusted(const HeldFile *h, Diag *d);

/* Closes the fd (if still open) and frees the path; h is HELD_FILE_NONE afterwards. */
void held_file_done(HeldFile *h);

/* True if h->path now names something other than what was opened: a package update renamed a
 * new file over it, or rewrote it in place. False without a file, and for one that is gone:
 * the held copy is then the best there is. */
bool held_file_changed(const char *root, const HeldFile *h);

/* A kernel or initrd read whole into memory (Loader=segments): the contents stay for the
 * loader's lifetime, so a reload does not depend on the files still being there (a package
 * upgrade removes the old kernel). file.path NULL: none; its fd is closed once read. */
typedef struct HeldImage {
	HeldFile file;
	uint8_t *data;
	size_t size;
} HeldImage;

/* Largest kernel or initrd held_image_read() takes. */
#define HELD_IMAGE_MAX_SIZE (2ULL << 30)

/* held_file_open() of root + path, then all of it into *ret (untouched on failure). -EFBIG
 * (empty or above HELD_IMAGE_MAX_SIZE), -EIO (it shrank while read) or held_file_open()'s
 * errors, with d. */
int held_image_read(const char *root, const char *path, HeldImage *ret, Diag *d);

void held_image_done(HeldImage *h);

/* 0 if kexec_load(2) is allowed as far as files tell: no kernel lockdown, and
 * kernel.kexec_load_disabled 0 (or unreadable). -EPERM with why otherwise; instead is what
 * to use then, appended to the lockdown reason ("use Loader=file"), or NULL. */
int loader_probe_kexec_load(const char *root, const char *instead, char *why, size_t why_size);

/* res->detail = the formatted text, cut to fit (paths can be long; the detail is a summary). */
void loader_set_detail(LoadResult *res, const char *fmt, ...) _printf_(2, 3);

/* Fills res->detail with "<what>: <errno meaning>" and returns -err (err positive). */
int loader_fail(LoadResult *res, int err, const char *fmt, ...) _printf_(3, 4);

/* loader_write_atomic_at() into path's directory (not under any root: an output the admin
 * chose), opened with trust_open_dir(): a directory that is a symlink, is not owned by root
 * or is writable by group or others is refused (-ELOOP, -EPERM) and nothing is written. d
 * (may be NULL) names the directory or file and says why. */
int loader_write_atomic(const char *path, const void *data, size_t size, mode_t mode, Diag *d);

/* 0 if a crash kernel region is reserved (kexec_crash_size > 0); -EADDRNOTAVAIL if it is 0,
 * -EOPNOTSUPP without kdump support; why says which. */
int loader_probe_crash_region(const char *root, char *why, size_t why_size);

