/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Loader "kernel": the running kernel updates the loaded crash kernel's header on hotplug
 * itself (CONFIG_CRASH_HOTPLUG, crash_hotplug reads 1). Loading anything would only open a
 * window without a crash kernel, so this loader never loads: "load" guards the kernel's
 * update. It checks that the kernel still does the job, that it reported nothing on
 * /dev/kmsg, that no hotplug raced a load, that no memory was removed (the kernel's update
 * gets removal wrong) and that its header has room. Any of those failing makes the caller
 * repair: a reload with another loader gives the kernel a fresh image and header. */
#include <inttypes.h>

#include "elfcorehdr.h"
#include "bytes.h"
#include "loader-internal.h"
#include "path.h"

typedef struct KernelLoader {
	Loader base;
	char *root;
	char failure[200]; /* last "crash hp:" error from /dev/kmsg, "" for none */
} KernelLoader;

static const char *const crash_hotplug_files[] = {
	"/sys/devices/system/cpu/crash_hotplug",
	"/sys/devices/system/memory/crash_hotplug",
};

static int kernel_probe(const char *root, const Config *c, char *why, size_t why_size)
{
	unsigned found = 0;

	for (size_t i = 0; i < ELEMENTSOF(crash_hotplug_files); i++) {
		char buf[16];
		int r;

		r = path_read_line(root, crash_hotplug_files[i], buf, sizeof(buf), NULL);
		if (r == -ENOENT) /* no memory (or CPU) hotplug in this kernel: nothing to update */
			continue;
		if (r < 0) {
			snprintf(why, why_size, "cannot read %s: %s", crash_hotplug_files[i], strerror(-r));
			return r;
		}
		if (!streq(buf, "1")) {
			snprintf(why, why_size,
				 "%s reads %s: the kernel does not update the loaded header (no crash kernel "
				 "loaded, or loaded without hotplug support)",
				 crash_hotplug_files[i], buf);
			return -EOPNOTSUPP;
		}
		found++;
	}
	if (found == 0) {
		snprintf(why, why_size, "no crash_hotplug file: kernel without CONFIG_CRASH_HOTPLUG");
		return -EOPNOTSUPP;
	}
	return 0;
}

static Loader *kernel_free(Loader *l)
{
	KernelLoader *k = (KernelLoader *)l;

	if (!k)
		return NULL;
	free(k->root);
	free(k);
	return NULL;
}

static int kernel_new(const char *root, const Config *c, const KexecOps *ops, Loader **ret)
{
	KernelLoader *k;

	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->base.vtable = &loader_kernel_vtable;
	k->root = strdup(root ? root : "/");
	if (!k->root) {
		free(k);
		return -ENOMEM;
	}
	*ret = &k->base;
	return 0;
}

size_t loader_kernel_phdrs_needed(const Topology *t)
{
	/* From 6.6 the kernel writes a PT_NOTE for every possible CPU (a CPU coming online then
	 * needs no update), then VMCOREINFO, the kernel text and one PT_LOAD per RAM range. */
	return (size_t)t->n_possible + 1 + 1 + t->n_ram;
}

int loader_kernel_room(const char *root, const Topology *t, size_t *ret_needed, int *ret_capacity)
{
	int cap = loader_kernel_capacity(root);
	size_t needed = t ? loader_kernel_phdrs_needed(t) : 0;

	*ret_needed = needed;
	*ret_capacity = cap;
	return cap > 0 && needed > (size_t)cap ? -ENOSPC : 0;
}

/* The guard: 0 when the kernel's own update of its header can be trusted for the change from
 * req->previous to req->topology, else -errno with the reason in res->detail. */
static int kernel_guard(KernelLoader *k, const LoadRequest *req, LoadResult *res)
{
	uint64_t removed = 0;
	Range first = { 0, 0 };
	int r;

	if (req->raced) {
		loader_set_detail(res, "a hotplug raced a kexec load: the kernel may have skipped its update");
		return -ESTALE;
	}
	if (!req->previous) {
		/* Loaded by someone else (or before a failure): a removal before now would still
		 * be in it, and the header cannot be read back to rule that out. */
		loader_set_detail(res, "the header was loaded before crash-hotplugd knew the topology: a memory "
				       "removal since then would still be in it");
		return -ESTALE;
	}
	r = topology_ram_removed(req->previous, req->topology, &removed, &first);
	if (r < 0)
		return loader_fail(res, -r, "comparing RAM before and after the change");
	if (removed > 0) {
		char sz[32];

		/* The kernel rewrites its header at MEM_OFFLINE, while the "System RAM" resource
		 * still exists, and never after the resource is released: removed memory stays. */
		loader_set_detail(res,
				  "memory removed (%s, first at 0x%" PRIx64 "): the kernel keeps removed memory in "
				  "its header",
				  format_bytes(removed, sz, sizeof(sz)), first.start);
		return -ESTALE;
	}
	return 0;
}

static int kernel_load(Loader *l, const LoadRequest *req, LoadResult *res)
{
	KernelLoader *k = (KernelLoader *)l;
	uint64_t start = loader_now_usec();
	char why[256];
	size_t needed;
	int r, cap;

	/* First: while another load holds the kexec lock, crash_hotplug reads 0 (and says so
	 * on kmsg too), but the reason to repair is the kernel's own report. */
	if (k->failure[0]) {
		/* Any "crash hp:" line: a dropped update (kexec lock busy), no room, no segment. */
		loader_set_detail(res, "the kernel reported on its header update: \"%s\"", k->failure);
		k->failure[0] = '\0';
		return -EIO;
	}
	r = kernel_probe(k->root, NULL, why, sizeof(why));
	if (r < 0) {
		loader_set_detail(res, "%s", why);
		return r;
	}
	r = loader_kernel_room(k->root, req->topology, &needed, &cap);
	res->phdrs_capacity = cap > 0 ? (size_t)cap : 0;
	res->total_usec = loader_now_usec() - start;
	if (r == -ENOSPC) {
		snprintf(res->detail, sizeof(res->detail),
			 "capacity exceeded: the kernel's header needs %zu program headers (one per possible CPU), "
			 "it reserved %d",
			 needed, cap);
		return -ENOSPC;
	}
	r = kernel_guard(k, req, res);
	if (r < 0)
		return r;
	if (cap > 0)
		snprintf(res->detail, sizeof(res->detail),
			 "the kernel updates its header itself (%zu of %d program headers used)", needed, cap);
	else
		loader_set_detail(res, "the kernel updates its header itself");
	return 0;
}

int loader_kernel_parse_kmsg(const char *record, size_t len, char *msg, size_t msg_size)
{
	static const char prefix[] = "crash hp: ";
	const char *semi, *text, *end, *p;
	unsigned long pri;
	char *num_end;

	semi = memchr(record, ';', len);
	if (!semi || semi == record)
		return -EINVAL;
	/* "PRI,SEQ,TS,FLAGS": only the priority matters; its low 3 bits are the level. */
	errno = 0;
	pri = strtoul(record, &num_end, 10);
	if (errno != 0 || num_end == record || (*num_end != ',' && num_end != semi))
		return -EINVAL;
	/* The rest of the prefix is SEQ, TS and FLAGS ("-", "c", "+"): printable, no spaces. */
	for (p = num_end; p < semi; p++)
		if (*p <= ' ' || *p > '~')
			return -EINVAL;
	text = semi + 1;
	end = memchr(text, '\n', len - (size_t)(text - record));
	if (!end)
		end = record + len;
	(void)pri; /* every level: the dropped-update notice is info */
	if ((size_t)(end - text) < sizeof(prefix) - 1 || memcmp(text, prefix, sizeof(prefix) - 1) != 0)
		return 0;
	text += sizeof(prefix) - 1;
	snprintf(msg, msg_size, "%.*s", (int)(end - text), text);
	return 1;
}

void loader_kernel_note_failure(Loader *l, const char *msg)
{
	KernelLoader *k = (KernelLoader *)l;

	if (!l || l->vtable != &loader_kernel_vtable)
		return;
	snprintf(k->failure, sizeof(k->failure), "%s", msg && *msg ? msg : "unknown failure");
}

const LoaderVtable loader_kernel_vtable = {
	.name = "kernel",
	.probe = kernel_probe,
	.new = kernel_new,
	.load = kernel_load,
	.free = kernel_free,
};
