/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Loader "dry-run": loads nothing. Writes the header exactly as the segments loader would
 * place it (the whole fixed-capacity buffer) to DryRunOutput/elfcorehdr and what a real load
 * would do, and why, to DryRunOutput/plan. Both are replaced atomically, so a reader (a test,
 * an admin) never sees half of one. DryRunOutput is an output path, not under the root; it
 * must be a real directory (not a symlink) owned by root and writable by nobody else, and the
 * files are created in it with O_NOFOLLOW and renamed into place (loader_write_atomic_at()). */
#include <inttypes.h>
#include <sys/stat.h>

#include "elfcorehdr.h"
#include "loader-internal.h"
#include "trust.h"

typedef struct DryRunLoader {
	Loader base;
	char *root;
	char *dir;
	char *cmdline;
	char kernel[PATH_MAX]; /* what the file loader would use, or "" with why_kernel */
	char initrd[PATH_MAX];
	char why_kernel[256];
	unsigned loads;
} DryRunLoader;

static int dry_run_probe(const char *root, const Config *c, char *why, size_t why_size)
{
	const char *out = config_dry_run_output(c);

	if (!out || !*out) {
		snprintf(why, why_size, "DryRunOutput= is not set");
		return -EINVAL;
	}
	return 0;
}

static Loader *dry_run_free(Loader *l)
{
	DryRunLoader *d = (DryRunLoader *)l;

	if (!d)
		return NULL;
	free(d->cmdline);
	free(d->dir);
	free(d->root);
	free(d);
	return NULL;
}

static void dry_run_freep(DryRunLoader **d)
{
	if (*d)
		dry_run_free(&(*d)->base);
}

static int dry_run_new(const char *root, const Config *c, const KexecOps *ops, Loader **ret)
{
	_cleanup_(dry_run_freep) DryRunLoader *d = NULL;
	char why[256];
	struct utsname u;
	int r;

	r = dry_run_probe(root, c, why, sizeof(why));
	if (r < 0)
		return r;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->base.vtable = &loader_dry_run_vtable;
	d->root = strdup(root ? root : "/");
	d->dir = strdup(config_dry_run_output(c));
	if (!d->root || !d->dir)
		return -ENOMEM;
	/* The plan names what a real load would take; missing files are part of the plan, not
	 * a reason to refuse a dry run. */
	if (loader_resolve_kernel(root, c, loader_release(&u), d->kernel, sizeof(d->kernel), d->why_kernel,
				  sizeof(d->why_kernel)) < 0)
		d->kernel[0] = '\0';
	if (loader_resolve_initrd(root, c, loader_release(&u), d->initrd, sizeof(d->initrd), why, sizeof(why)) < 0)
		d->initrd[0] = '\0';
	if (loader_command_line(root, c, &d->cmdline, why, sizeof(why)) < 0)
		d->cmdline = NULL;
	*ret = &TAKE_PTR(d)->base;
	return 0;
}

static int write_plan(DryRunLoader *d, const LoadRequest *req, int dfd)
{
	_cleanup_(freep) char *text = NULL;
	size_t size = 0;
	FILE *f;
	int r;

	f = open_memstream(&text, &size);
	if (!f)
		return -ENOMEM;
	fprintf(f, "load: %u\n", d->loads);
	/* One change per line, indented under the key, so the plan stays line-oriented. */
	fputs("reason:", f);
	if (!req->reason || !*req->reason)
		fputs(" (none given)", f);
	for (const char *p = req->reason; p && *p;) {
		const char *nl = strchrnul(p, '\n');

		if (nl > p)
			fprintf(f, "\n  %.*s", (int)(nl - p), p);
		p = *nl ? nl + 1 : nl;
	}
	fputc('\n', f);
	if (req->topology) {
		fprintf(f, "cpus: %zu\n", req->topology->n_cpus);
		fprintf(f, "ram_ranges: %zu\n", req->topology->n_ram);
		fprintf(f, "ram_bytes: %" PRIu64 "\n", topology_ram_bytes(req->topology));
		fprintf(f, "phdrs: %zu\n", elfcorehdr_phdrs_needed(req->topology));
		fprintf(f, "fingerprint: %016" PRIx64 "\n", topology_fingerprint(req->topology));
	}
	fprintf(f, "header_bytes: %zu of %zu\n", req->header_used, req->header_capacity);
	if (d->kernel[0])
		fprintf(f, "would load: kexec_file_load(KEXEC_FILE_ON_CRASH) kernel=%s initrd=%s\n", d->kernel,
			d->initrd[0] ? d->initrd : "(none)");
	else
		fprintf(f, "would load: nothing with kexec_file_load: %s\n", d->why_kernel);
	fprintf(f, "command line: %s\n", d->cmdline ? d->cmdline : "(unresolved)");
	if (fclose(f) != 0)
		return -ENOMEM;
	r = loader_write_atomic_at(dfd, "plan", text, size, 0644);
	return r;
}

static int dry_run_load(Loader *l, const LoadRequest *req, LoadResult *res)
{
	DryRunLoader *d = (DryRunLoader *)l;
	_cleanup_(closep) int dfd = -1;
	Diag diag = {};
	uint64_t start = loader_now_usec(), t0;
	int r;

	if (!req->header)
		return loader_fail(res, req->header_rejected ? EINVAL : ENOSPC, "dry-run: no header to write%s%s",
				   req->header_rejected ? ": " : "", req->header_rejected ? req->header_rejected : "");
	/* mkdir() does not follow a symlink; trust_open_dir() refuses one, and a directory
	 * anyone but root can write: root's files are never written through someone else's
	 * link or into someone else's directory. */
	if (mkdir(d->dir, 0755) < 0 && errno != EEXIST)
		return loader_fail(res, errno, "dry-run: creating %s", d->dir);
	r = trust_open_dir(d->dir, &dfd, &diag);
	if (r < 0) {
		loader_set_detail(res, "dry-run: DryRunOutput=%s refused: %s", d->dir, diag.reason);
		return r;
	}

	d->loads++;
	/* The header first: whoever waits for a new plan then finds the matching header. */
	t0 = loader_now_usec();
	r = loader_write_atomic_at(dfd, "elfcorehdr", req->header, req->header_capacity, 0644);
	res->syscall_usec = loader_now_usec() - t0;
	if (r < 0)
		return loader_fail(res, -r, "dry-run: writing %s/elfcorehdr", d->dir);
	r = write_plan(d, req, dfd);
	if (r < 0)
		return loader_fail(res, -r, "dry-run: writing %s/plan", d->dir);
	res->total_usec = loader_now_usec() - start;
	loader_set_detail(res, "dry run: header and plan written to %s", d->dir);
	return 0;
}

const LoaderVtable loader_dry_run_vtable = {
	.name = "dry-run",
	.probe = dry_run_probe,
	.new = dry_run_new,
	.load = dry_run_load,
	.free = dry_run_free,
};
