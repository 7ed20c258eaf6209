/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Loader "file": kexec_file_load(2) with KEXEC_FILE_ON_CRASH. The kernel builds its own
 * header; ours only decides that a reload is needed. Kernel and initrd are opened once and
 * kept: the kernel reads them from offset 0 whatever the file position, so a reload is one
 * syscall with nothing to prepare. There is no unload before the load: the syscall replaces
 * the image itself, and that one call is the whole window without a crash kernel. It frees
 * the loaded image before it parses the new kernel, though, so a kernel it cannot load would
 * leave none: on x86_64 the kernel is checked as a bzImage first and refused here instead. */
#include <sys/mman.h>

#include "loader-internal.h"

#ifdef CHP_BZIMAGE
#include "x86/bzimage.h"
#endif

typedef struct FileLoader {
	Loader base;
	const KexecOps *ops;
	char *root;
	char *cmdline;
	HeldFile kernel, initrd; /* initrd.path NULL: load without one */
} FileLoader;

static int file_probe(const char *root, const Config *c, char *why, size_t why_size)
{
	LoaderInputs in;
	int r;

	r = loader_probe_crash_region(root, why, why_size);
	if (r < 0)
		return r;
	return loader_resolve_inputs(root, c, false, &in, why, why_size);
}

static Loader *file_free(Loader *l)
{
	FileLoader *f = (FileLoader *)l;

	if (!f)
		return NULL;
	held_file_done(&f->kernel);
	held_file_done(&f->initrd);
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

/* Opens kernel and initrd (NULL: none) and lets the held ones go; on any failure the old ones
 * stay. The paths may be the held ones' own: the new files hold copies before the old go. */
static int file_reopen(FileLoader *f, const char *kernel, const char *initrd)
{
	HeldFile k = HELD_FILE_NONE, i = HELD_FILE_NONE;
	int r;

	r = held_file_open(f->root, kernel, &k, NULL);
	if (r < 0)
		return r;
	if (initrd) {
		r = held_file_open(f->root, initrd, &i, NULL);
		if (r < 0) {
			held_file_done(&k);
			return r;
		}
	}
	held_file_done(&f->kernel);
	held_file_done(&f->initrd);
	f->kernel = k;
	f->initrd = i;
	return 0;
}

/* A flag no kernel knows: the syscall, where it exists, refuses it (EINVAL, or EPERM
 * before that without CAP_SYS_BOOT) and does nothing; without CONFIG_KEXEC_FILE (Debian
 * 12's arm64 kernel) the syscall is sys_ni_syscall: ENOSYS. */
#define FILE_PROBE_FLAG (1UL << 30)

int loader_file_syscall_exists(const KexecOps *ops)
{
	if (ops->kexec_file_load(ops->userdata, -1, -1, 0, NULL, FILE_PROBE_FLAG) < 0 && errno == ENOSYS)
		return -ENOSYS;
	return 0;
}

static int file_new(const char *root, const Config *c, const KexecOps *ops, Loader **ret)
{
	_cleanup_(file_freep) FileLoader *f = NULL;
	_cleanup_(loader_inputs_done) LoaderInputs in = {};
	char why[256];
	int r;

	/* Not in probe(), which has no ops: new() is where Loader=auto first meets the kernel. */
	r = loader_file_syscall_exists(ops);
	if (r < 0)
		return r;

	r = loader_resolve_inputs(root, c, true, &in, why, sizeof(why));
	if (r < 0)
		return r;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->base.vtable = &loader_file_vtable;
	f->ops = ops;
	f->kernel = f->initrd = HELD_FILE_NONE;
	f->cmdline = TAKE_PTR(in.cmdline);
	f->root = strdup(root ? root : "/");
	if (!f->root)
		return -ENOMEM;
	r = file_reopen(f, in.kernel, in.initrd[0] ? in.initrd : NULL);
	if (r < 0)
		return r;
	*ret = &TAKE_PTR(f)->base;
	return 0;
}

static int file_refresh(Loader *l)
{
	FileLoader *f = (FileLoader *)l;

	return file_reopen(f, f->kernel.path, f->initrd.path);
}

static const char *file_file(Loader *l, size_t i)
{
	FileLoader *f = (FileLoader *)l;

	return loader_kernel_initrd_file(f->kernel.path, f->initrd.path, i);
}

/* 0 if the held kernel is an image kexec_file_load can load (x86_64: a 64-bit relocatable
 * bzImage), -ENOEXEC (or -errno from reading it) with d saying why. */
static int file_check_kernel(const FileLoader *f, Diag *d)
{
#ifdef CHP_BZIMAGE /* lib/x86/meson.build: bzimage.c is built */
	BzImage b;
	struct stat st;
	void *p;
	int r;

	if (fstat(f->kernel.fd, &st) < 0)
		return diag_set(d, errno, f->kernel.path, 0, "cannot stat: %s", strerror(errno));
	if (st.st_size == 0)
		return diag_set(d, ENOEXEC, f->kernel.path, 0, "is empty: not a bzImage");
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, f->kernel.fd, 0);
	if (p == MAP_FAILED)
		return diag_set(d, errno, f->kernel.path, 0, "cannot map: %s", strerror(errno));
	r = bzimage_parse(p, (size_t)st.st_size, f->kernel.path, &b, d);
	(void)munmap(p, (size_t)st.st_size);
	return r;
#else
	return 0;
#endif
}

static int file_load(Loader *l, const LoadRequest *req, LoadResult *res)
{
	FileLoader *f = (FileLoader *)l;
	unsigned long flags = KEXEC_FILE_ON_CRASH;
	uint64_t start = loader_now_usec(), t0;
	Diag d = {};
	long r;
	int cap;

	/* The daemon reopens on inotify; this catches what it could not see (a change while
	 * it was not running, a filesystem without inotify). */
	if (held_file_changed(f->root, &f->kernel) || held_file_changed(f->root, &f->initrd))
		(void)file_refresh(l);
	if (f->initrd.fd < 0)
		flags |= KEXEC_FILE_NO_INITRAMFS;
	/* What the kernel would read is what is checked: the held inodes themselves. */
	if (held_file_trusted(&f->kernel, &d) < 0 || held_file_trusted(&f->initrd, &d) < 0) {
		loader_set_detail(res, "refusing to load: %s %s (chown root: and chmod go-w it)", d.file, d.reason);
		return -EPERM;
	}
	r = file_check_kernel(f, &d);
	if (r < 0) {
		loader_set_detail(res, "refusing to load %s: %s; the crash kernel loaded before is kept", d.file,
				  d.reason);
		return (int)r;
	}

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
