/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Loader "kexec-tools": runs `kexec -s -p` (kexec_file_load, allowed under lockdown) and, if
 * that fails, `kexec -p` (kexec_load, kexec-tools builds its own header). For architectures
 * and set-ups the native loaders do not cover. kexec's exit status carries no errno, so a
 * failure is reported as EIO with the status. Both runs together get LoadTimeoutSec=: a kexec
 * still running then is killed (ETIMEDOUT), and one running when SIGTERM or SIGINT arrives is
 * stopped (ECANCELED), so a hung kexec never holds the daemon's loop for longer. */
#include <inttypes.h>
#include <sys/stat.h>

#include "loader-internal.h"
#include "path.h"
#include "trust.h"

typedef struct KexecToolsLoader {
	Loader base;
	const KexecOps *ops;
	char *root;
	LoaderInputs in;
	uint64_t timeout_usec; /* LoadTimeoutSec= when the loader was set up */
} KexecToolsLoader;

/* kexec must be found the way KexecOps.run will find it (empty PATH entries skipped). */
static bool kexec_in_path(void)
{
	const char *path = getenv("PATH");
	_cleanup_(freep) char *copy = NULL;
	char *dir, *save = NULL;

	copy = strdup(path && *path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	if (!copy)
		return false;
	for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char full[PATH_MAX];

		if (snprintf(full, sizeof(full), "%s/kexec", dir) < (int)sizeof(full) && access(full, X_OK) == 0)
			return true;
	}
	return false;
}

static int kexec_tools_probe(const char *root, const Config *c, char *why, size_t why_size)
{
	LoaderInputs in;
	int r;

	if (!kexec_in_path()) {
		snprintf(why, why_size, "kexec (kexec-tools) not found in PATH");
		return -ENOENT;
	}
	r = loader_probe_crash_region(root, why, why_size);
	if (r < 0)
		return r;
	/* The same resolution new() does, so a missing Initrd= fails here and auto moves on. */
	return loader_resolve_inputs(root, c, false, &in, why, why_size);
}

static Loader *kexec_tools_free(Loader *l)
{
	KexecToolsLoader *k = (KexecToolsLoader *)l;

	if (!k)
		return NULL;
	loader_inputs_done(&k->in);
	free(k->root);
	free(k);
	return NULL;
}

static void kexec_tools_freep(KexecToolsLoader **k)
{
	if (*k)
		kexec_tools_free(&(*k)->base);
}

static int kexec_tools_new(const char *root, const Config *c, const KexecOps *ops, Loader **ret)
{
	_cleanup_(kexec_tools_freep) KexecToolsLoader *k = NULL;
	char why[256];
	int r;

	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->base.vtable = &loader_kexec_tools_vtable;
	k->ops = ops;
	k->root = strdup(root ? root : "/");
	if (!k->root)
		return -ENOMEM;
	k->timeout_usec = c->load_timeout_usec > 0 ? c->load_timeout_usec : CONFIG_DEFAULT_LOAD_TIMEOUT_USEC;
	r = loader_resolve_inputs(root, c, true, &k->in, why, sizeof(why));
	if (r < 0)
		return r;
	*ret = &TAKE_PTR(k)->base;
	return 0;
}

static const char *kexec_tools_file(Loader *l, size_t i)
{
	KexecToolsLoader *k = (KexecToolsLoader *)l;

	return loader_kernel_initrd_file(k->in.kernel, k->in.initrd, i);
}

static int kexec_tools_load(Loader *l, const LoadRequest *req, LoadResult *res)
{
	KexecToolsLoader *k = (KexecToolsLoader *)l;
	_cleanup_(freep) char *initrd_arg = NULL, *append_arg = NULL;
	char kernel[PATH_MAX], initrd[PATH_MAX];
	uint64_t start = loader_now_usec();
	char *argv[8];
	Diag d = {};
	size_t n;
	int r = 0;

	if (path_join(k->root, k->in.kernel, kernel, sizeof(kernel)) < 0 ||
	    (k->in.initrd[0] && path_join(k->root, k->in.initrd, initrd, sizeof(initrd)) < 0))
		return loader_fail(res, ENAMETOOLONG, "kexec-tools");
	/* kexec opens the files by name at each load: check them (and their directories) each
	 * time, as they are now. */
	r = trust_check_path(k->root, k->in.kernel, &d);
	if (r >= 0 && k->in.initrd[0])
		r = trust_check_path(k->root, k->in.initrd, &d);
	if (r == -EPERM) {
		loader_set_detail(res, "refusing to load: %s %s (chown root: and chmod go-w it)", d.file, d.reason);
		return r;
	}
	if (r < 0) { /* gone from disk, or unreadable: kexec could not open it either */
		loader_set_detail(res, "cannot load: %s %s", d.file, d.reason);
		return r;
	}
	if (asprintf(&append_arg, "--append=%s", k->in.cmdline) < 0 ||
	    (k->in.initrd[0] && asprintf(&initrd_arg, "--initrd=%s", initrd) < 0))
		return loader_fail(res, ENOMEM, "kexec-tools");

	/* -s first: kexec_file_load works under lockdown and lets the kernel keep its own header
	 * current; plain -p (kexec_load) for kernels or images that need it. */
	for (int file_syscall = 1; file_syscall >= 0; file_syscall--) {
		n = 0;
		argv[n++] = (char *)"kexec";
		if (file_syscall)
			argv[n++] = (char *)"-s";
		argv[n++] = (char *)"-p";
		argv[n++] = kernel;
		if (initrd_arg)
			argv[n++] = initrd_arg;
		argv[n++] = append_arg;
		argv[n] = NULL;

		uint64_t t0 = loader_now_usec();
		if (t0 - start >= k->timeout_usec) {
			r = -ETIMEDOUT; /* the first run failed, but only just in time */
			break;
		}
		r = k->ops->run(k->ops->userdata, argv, k->timeout_usec - (t0 - start));
		res->syscall_usec = loader_now_usec() - t0;
		if (r == 0) {
			res->total_usec = loader_now_usec() - start;
			loader_set_detail(res, "kexec %s-p %s%s%s", file_syscall ? "-s " : "",
				 k->in.kernel, k->in.initrd[0] ? " --initrd=" : "", k->in.initrd);
			return 0;
		}
		if (r < 0) /* not run, killed or stopped: the other variant would fare no better */
			break;
	}
	res->total_usec = loader_now_usec() - start;
	if (r == -ETIMEDOUT) {
		bool whole = k->timeout_usec % 1000000 == 0;

		loader_set_detail(res, "kexec did not finish within %" PRIu64 " %s: killed (LoadTimeoutSec=)",
				  whole ? k->timeout_usec / 1000000 : k->timeout_usec / 1000, whole ? "s" : "ms");
		return r;
	}
	if (r == -ECANCELED) {
		/* kexec may have been killed before, during or after its syscall. */
		loader_set_detail(res, "kexec stopped: the daemon is stopping; %s",
				  loader_crash_loaded(k->root) == 1 ? "a crash kernel is loaded (the old or the new)"
								     : "no crash kernel is loaded");
		return r;
	}
	if (r < 0)
		return loader_fail(res, -r, "running kexec");
	loader_set_detail(res, "kexec -p exited with status %d (see its messages above)", r);
	return -EIO;
}

const LoaderVtable loader_kexec_tools_vtable = {
	.name = "kexec-tools",
	.probe = kexec_tools_probe,
	.new = kexec_tools_new,
	.load = kexec_tools_load,
	.free = kexec_tools_free,
	.file = kexec_tools_file,
};
