/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Loader "file": kexec_file_load(2) with KEXEC_FILE_ON_CRASH. The kernel builds its own
 * header; ours only decides that a reload is needed. Kernel and initrd are opened once and
 * kept: the kernel reads them from offset 0 whatever the file position, so a reload is one
 * syscall with nothing to prepare. There is no unload before the load: the syscall replaces
 * the image itself, and that one call is the whole window without a crash kernel. */
#include <fcntl.h>
#include <sys/stat.h>

#include "loader-internal.h"
#include "path.h"

typedef struct HeldFile {
	char path[PATH_MAX]; /* root-relative; "" for no file */
	int fd;
	struct stat st;      /* at open: to notice a replaced or rewritten file */
} HeldFile;

typedef struct FileLoader {
	Loader base;
	const KexecOps *ops;
	char *root;
	char *cmdline;
	HeldFile kernel, initrd;
} FileLoader;

static void held_close(HeldFile *h)
{
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
}

/* Opens path under root read-only. The kernel refuses a file open for writing anywhere
 * (ETXTBSY), so O_RDONLY matters; O_CLOEXEC keeps it out of a spawned kexec. */
static int held_open(const char *root, const char *path, HeldFile *ret)
{
	char full[PATH_MAX];
	struct stat st;
	int fd, r;

	r = path_join(root, path, full, sizeof(full));
	if (r < 0)
		return r;
	fd = open(full, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return negative_errno();
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		r = S_ISREG(st.st_mode) ? negative_errno() : -EINVAL;
		close(fd);
		return r;
	}
	snprintf(ret->path, sizeof(ret->path), "%s", path);
	ret->fd = fd;
	ret->st = st;
	return 0;
}

/* True if the path now names something other than what the fd holds: a package update
 * renamed a new file over it, or rewrote it in place. */
static bool held_changed(const char *root, const HeldFile *h)
{
	char full[PATH_MAX];
	struct stat st;

	if (h->fd < 0 || path_join(root, h->path, full, sizeof(full)) < 0 || stat(full, &st) < 0)
		return false; /* gone: the held copy is the best there is */
	return st.st_dev != h->st.st_dev || st.st_ino != h->st.st_ino || st.st_size != h->st.st_size ||
	       st.st_mtim.tv_sec != h->st.st_mtim.tv_sec || st.st_mtim.tv_nsec != h->st.st_mtim.tv_nsec;
}

static int file_probe(const char *root, const Config *c, char *why, size_t why_size)
{
	char kernel[PATH_MAX], initrd[PATH_MAX];
	struct utsname u;
	int r;

	r = loader_probe_crash_region(root, why, why_size);
	if (r < 0)
		return r;
	r = loader_resolve_kernel(root, c, loader_release(&u), kernel, sizeof(kernel), why, why_size);
	if (r < 0)
		return r;
	r = loader_resolve_initrd(root, c, loader_release(&u), initrd, sizeof(initrd), why, why_size);
	if (r < 0 && c->initrd)
		return r;
	return 0;
}

static Loader *file_free(Loader *l)
{
	FileLoader *f = (FileLoader *)l;

	if (!f)
		return NULL;
	held_close(&f->kernel);
	held_close(&f->initrd);
	free(f->cmdline);
	free(f->root);
	free(f);
	return NULL;
}

static void file_freep(FileLoader **f)
{
	if (*f)
		file_free(&(*f)->base);
}

/* Opens the current files; on any failure the old ones stay. */
static int file_reopen(FileLoader *f, const char *kernel, const char *initrd)
{
	HeldFile k = { .fd = -1 }, i = { .fd = -1 };
	int r;

	r = held_open(f->root, kernel, &k);
	if (r < 0)
		return r;
	if (initrd && *initrd) {
		r = held_open(f->root, initrd, &i);
		if (r < 0) {
			held_close(&k);
			return r;
		}
	}
	held_close(&f->kernel);
	held_close(&f->initrd);
	f->kernel = k;
	f->initrd = i;
	return 0;
}

static int file_new(const char *root, const Config *c, const KexecOps *ops, Loader **ret)
{
	_cleanup_(file_freep) FileLoader *f = NULL;
	char kernel[PATH_MAX], initrd[PATH_MAX] = "", why[256];
	struct utsname u;
	bool have_initrd;
	int r;

	r = loader_resolve_kernel(root, c, loader_release(&u), kernel, sizeof(kernel), why, sizeof(why));
	if (r < 0)
		return r;
	r = loader_resolve_initrd(root, c, loader_release(&u), initrd, sizeof(initrd), why, sizeof(why));
	if (r < 0 && c->initrd)
		return r;
	have_initrd = r >= 0;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->base.vtable = &loader_file_vtable;
	f->ops = ops;
	f->kernel.fd = f->initrd.fd = -1;
	f->root = strdup(root ? root : "/");
	if (!f->root)
		return -ENOMEM;
	r = loader_command_line(root, c, &f->cmdline, why, sizeof(why));
	if (r < 0)
		return r;
	r = file_reopen(f, kernel, have_initrd ? initrd : NULL);
	if (r < 0)
		return r;
	*ret = &TAKE_PTR(f)->base;
	return 0;
}

static int file_refresh(Loader *l)
{
	FileLoader *f = (FileLoader *)l;
	char kernel[PATH_MAX], initrd[PATH_MAX];

	/* Copies: file_reopen() overwrites the HeldFiles the paths live in. */
	snprintf(kernel, sizeof(kernel), "%s", f->kernel.path);
	snprintf(initrd, sizeof(initrd), "%s", f->initrd.fd >= 0 ? f->initrd.path : "");
	return file_reopen(f, kernel, initrd);
}

static const char *file_file(Loader *l, size_t i)
{
	FileLoader *f = (FileLoader *)l;

	if (i == 0)
		return f->kernel.path;
	if (i == 1 && f->initrd.fd >= 0)
		return f->initrd.path;
	return NULL;
}

static int file_load(Loader *l, const LoadRequest *req, LoadResult *res)
{
	FileLoader *f = (FileLoader *)l;
	unsigned long flags = KEXEC_FILE_ON_CRASH;
	uint64_t start = loader_now_usec(), t0;
	long r;
	int cap;

	/* The daemon reopens on inotify; this catches what it could not see (a change while
	 * it was not running, a filesystem without inotify). */
	if (held_changed(f->root, &f->kernel) || held_changed(f->root, &f->initrd))
		(void)file_refresh(l);
	if (f->initrd.fd < 0)
		flags |= KEXEC_FILE_NO_INITRAMFS;

	t0 = loader_now_usec();
	/* cmdline_len counts the NUL: the kernel rejects an unterminated command line. */
	r = f->ops->kexec_file_load(f->ops->userdata, f->kernel.fd, f->initrd.fd, strlen(f->cmdline) + 1,
				    f->cmdline, flags);
	res->syscall_usec = loader_now_usec() - t0;
	res->total_usec = loader_now_usec() - start;
	if (r < 0)
		return loader_fail(res, errno > 0 ? errno : EIO, "kexec_file_load of %s", f->kernel.path);
	cap = loader_kernel_capacity(f->root);
	res->phdrs_capacity = cap > 0 ? (size_t)cap : 0;
	loader_set_detail(res, "kexec_file_load of %s%s%s", f->kernel.path,
		 f->initrd.fd >= 0 ? " with " : " without initrd", f->initrd.fd >= 0 ? f->initrd.path : "");
	return 0;
}

const LoaderVtable loader_file_vtable = {
	.name = "file",
	.probe = file_probe,
	.new = file_new,
	.load = file_load,
	.free = file_free,
	.refresh = file_refresh,
	.file = file_file,
};
