/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `crash-hotplugctl plan`: what a load would do now, without loading. The loader is chosen
 * the daemon's way (reload.h's chain, each loader's own probe), the header is the one the
 * daemon would build, and for Loader=segments the segments come from the loader's own
 * planning code (loader_segments_plan(), x86_64 and arm64 builds: CHP_LOADER_SEGMENTS). Reads
 * files only; calls no kexec. */
#include <inttypes.h>
#include <sys/stat.h>

#include "ctl.h"
#include "json-util.h"
#include "loader-internal.h"
#include "loader-segments.h" /* its types; its functions only with CHP_LOADER_SEGMENTS */
#include "path.h"
#include "reload.h"

/* One loader of the chain, as its probe judged it. */
typedef struct PlanTry {
	LoaderKind kind;
	int r; /* the probe's 0 or -errno */
	char why[512];
} PlanTry;

typedef struct Plan {
	const CtlSnapshot *snap;
	LoaderKind configured, chosen; /* chosen: _LOADER_MAX when none can work */
	PlanTry tries[_LOADER_MAX];
	size_t n_tries;
	LoaderInputs in;       /* kernel, initrd, command line; in_r < 0: why_inputs */
	int in_r;
	char why_inputs[512];
	uint64_t kernel_bytes, initrd_bytes;
	bool have_segments;    /* Loader=segments: segs below, else seg_r and seg_why */
	SegmentsPlan segs;
	int seg_r;
	char seg_why[sizeof(((Diag *)0)->file) + sizeof(((Diag *)0)->reason) + 16];
} Plan;

static void plan_done(Plan *p)
{
	loader_inputs_done(&p->in);
}

/* The daemon's choice: the first loader of the chain whose probe passes. */
static void plan_choose(Plan *p, const char *root, const Config *c)
{
	LoaderKind chain[_LOADER_MAX];
	size_t n = reload_chain(c->loader, chain);

	p->configured = c->loader;
	p->chosen = _LOADER_MAX;
	for (size_t i = 0; i < n; i++) {
		const LoaderVtable *vt = loader_vtable_for(chain[i]);
		PlanTry *t = &p->tries[p->n_tries++];

		t->kind = chain[i];
		if (!vt) {
			t->r = loader_unavailable(chain[i], t->why, sizeof(t->why));
			continue;
		}
		t->r = vt->probe(root, c, t->why, sizeof(t->why));
		if (t->r == 0) {
			p->chosen = chain[i];
			break;
		}
	}
}

LoaderKind ctl_plan_loader(const char *root, const Config *c)
{
	Plan p = {};

	plan_choose(&p, root, c);
	return p.chosen;
}

static uint64_t file_size(const char *root, const char *path)
{
	char full[PATH_MAX];
	struct stat st;

	if (!path[0] || path_join(root, path, full, sizeof(full)) < 0 || stat(full, &st) < 0)
		return 0;
	return (uint64_t)st.st_size;
}

/* Loader=segments: its plan for this topology and capacity, from the loader itself. Never
 * chosen where the build has no segments loader (plan_choose()). */
static void plan_segments(Plan *p, const CtlArgs *a, const Config *c)
{
#ifdef CHP_LOADER_SEGMENTS
	Loader *l = NULL;
	Diag d = {};

	if (p->in_r < 0) { /* what new() would fail on, said better */
		p->seg_r = p->in_r;
		snprintf(p->seg_why, sizeof(p->seg_why), "%s", p->why_inputs);
		return;
	}
	p->seg_r = loader_segments_new_with(a->root, c, &kexec_ops_real, NULL, &l);
	if (p->seg_r < 0) {
		snprintf(p->seg_why, sizeof(p->seg_why), "cannot read the kernel or initrd: %s", strerror(-p->seg_r));
		return;
	}
	p->seg_r = loader_segments_plan(l, p->snap->topology, p->snap->capacity, &p->segs, &d);
	if (p->seg_r < 0)
		diag_format(&d, p->seg_why, sizeof(p->seg_why));
	else
		p->have_segments = true;
	l->vtable->free(l);
#else
	p->seg_r = loader_unavailable(LOADER_SEGMENTS, p->seg_why, sizeof(p->seg_why));
#endif
}

static const char *kind_name(LoaderKind k)
{
	return k < _LOADER_MAX ? loader_kind_to_string(k) : "none";
}

/* What the chosen loader does with the plan, one sentence. */
static const char *plan_action(const Plan *p)
{
	switch (p->chosen) {
	case LOADER_KERNEL:
		return "nothing is loaded now: the kernel keeps the loaded image's header current; crash-hotplugd "
		       "guards it and repairs with a kexec_file_load reload";
	case LOADER_SEGMENTS:
		return "kexec_load(2) of the segments below, the header at a fixed address";
	case LOADER_FILE:
		return "kexec_file_load(2) of kernel and initrd with the command line; the kernel builds its own header";
	case LOADER_KEXEC_TOOLS:
		return "kexec -p (kexec-tools) with kernel, initrd and command line";
	case LOADER_DRY_RUN:
		return "the header and this plan written to DryRunOutput; nothing is loaded";
	default:
		return "nothing can be loaded: no loader works here";
	}
}

/* Loader=auto's order in this build ("kernel, segments, file, kexec-tools" on x86_64). */
static const char *auto_order_text(char *buf, size_t size)
{
	LoaderKind chain[_LOADER_MAX];
	size_t n = reload_chain(LOADER_AUTO, chain), len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && len < size; i++) {
		int w = snprintf(buf + len, size - len, "%s%s", i ? ", " : "", loader_kind_to_string(chain[i]));

		if (w < 0)
			break;
		len += (size_t)w;
	}
	return buf;
}

static void print_text(const Plan *p)
{
	const CtlSnapshot *s = p->snap;
	const Topology *t = s->topology;
	char sz[32], sz2[32], order[128];

	printf("Loader:       %s (Loader=%s%s%s%s)\n", kind_name(p->chosen), loader_kind_to_string(p->configured),
	       p->configured == LOADER_AUTO ? ": the first in the order " : "",
	       p->configured == LOADER_AUTO ? auto_order_text(order, sizeof(order)) : "",
	       p->configured == LOADER_AUTO ? " that works here"
	       : p->configured == LOADER_KERNEL ? "; repairs use the loaders after it" : "");
	for (size_t i = 0; i < p->n_tries; i++)
		printf("  %-12s %s\n", loader_kind_to_string(p->tries[i].kind),
		       p->tries[i].r == 0 ? "works here: chosen" : p->tries[i].why);
	printf("  Does:       %s\n", plan_action(p));
	if (p->in_r < 0)
		printf("Files:        %s\n", p->why_inputs);
	else {
		printf("Kernel:       %s (%s)\n", p->in.kernel, format_bytes(p->kernel_bytes, sz, sizeof(sz)));
		if (p->in.initrd[0])
			printf("Initrd:       %s (%s)\n", p->in.initrd, format_bytes(p->initrd_bytes, sz, sizeof(sz)));
		else
			printf("Initrd:       none\n");
		printf("Command line: %s\n", p->in.cmdline);
	}
	if (!s->header)
		printf("Header:       does not fit: %zu program headers needed, MaxPhdrs=%u; nothing would be loaded\n",
		       s->needed, s->max_phdrs);
	else
		printf("Header:       %zu of %u program headers: %zu CPU notes, 1 VMCOREINFO, 1 kernel text, %zu RAM "
		       "(%s); %zu of %zu bytes\n",
		       s->needed, s->max_phdrs, t->n_cpus, t->n_ram, format_bytes(topology_ram_bytes(t), sz, sizeof(sz)),
		       s->used, s->capacity);
	if (p->chosen != LOADER_SEGMENTS)
		return;
	if (!p->have_segments) {
		printf("Segments:     cannot be planned: %s\n", p->seg_why);
		return;
	}
	printf("Segments:     %zu in the crash region 0x%" PRIx64 "-0x%" PRIx64 " (%s), entry 0x%" PRIx64
	       " (purgatory), kernel entry 0x%" PRIx64 "\n",
	       p->segs.n_segs, p->segs.crash.start, p->segs.crash.end,
	       format_bytes(p->segs.crash.end - p->segs.crash.start + 1, sz, sizeof(sz)), p->segs.entry,
	       p->segs.kernel_entry);
	printf("  %-12s  %-18s  %-18s  %12s  %12s\n", "what", "start", "end", "memsz", "bytes");
	for (size_t i = 0; i < p->segs.n_segs; i++) {
		const SegmentsPlanSegment *g = &p->segs.segs[i];
		uint64_t bytes = i == p->segs.header_seg ? s->used : g->bufsz;

		printf("  %-12s  0x%016" PRIx64 "  0x%016" PRIx64 "  %12s  %12s\n", g->what, g->mem, g->mem + g->memsz - 1,
		       format_bytes(g->memsz, sz, sizeof(sz)), format_bytes(bytes, sz2, sizeof(sz2)));
	}
	if (p->segs.note[0])
		printf("  Note:       %s\n", p->segs.note);
}

/* {"path": ..., "bytes": N}, or null (NULL) without a file. */
static int add_file(json_object *o, const char *key, const char *path, uint64_t bytes)
{
	json_object *f;

	if (!path[0])
		return json_object_object_add(o, key, NULL) < 0 ? -ENOMEM : 0;
	f = json_object_new_object();
	if (!json_add(o, key, f) || !json_add(f, "path", json_object_new_string(path)) ||
	    !json_add(f, "bytes", json_object_new_uint64(bytes)))
		return -ENOMEM;
	return 0;
}

static int add_segments(json_object *o, const Plan *p)
{
	json_object *segs = json_object_new_array();

	if (!json_add(o, "segments", segs) || !json_add(o, "entry", json_new_hex(p->segs.entry)) ||
	    !json_add(o, "kernel_entry", json_new_hex(p->segs.kernel_entry)) ||
	    !json_add(o, "crash_region", json_object_new_object()))
		return -ENOMEM;
	{
		json_object *crash = json_object_object_get(o, "crash_region");

		if (!json_add(crash, "start", json_new_hex(p->segs.crash.start)) ||
		    !json_add(crash, "end", json_new_hex(p->segs.crash.end)))
			return -ENOMEM;
	}
	for (size_t i = 0; i < p->segs.n_segs; i++) {
		const SegmentsPlanSegment *g = &p->segs.segs[i];
		json_object *seg = json_object_new_object();

		if (!json_append(segs, seg) || !json_add(seg, "what", json_object_new_string(g->what)) ||
		    !json_add(seg, "mem", json_new_hex(g->mem)) || !json_add(seg, "memsz", json_object_new_uint64(g->memsz)) ||
		    !json_add(seg, "bufsz", json_object_new_uint64(i == p->segs.header_seg ? p->snap->used : g->bufsz)))
			return -ENOMEM;
	}
	return 0;
}

static int print_json(const Plan *p)
{
	_cleanup_(json_putp) json_object *o = json_object_new_object(), *tries = json_object_new_array(),
					 *hdr = json_object_new_object();
	const CtlSnapshot *s = p->snap;

	/* o takes a reference of tries and hdr; the cleanup drops ours. */
	if (!o || !tries || !hdr || !json_add(o, "loader", json_object_new_string(kind_name(p->chosen))) ||
	    !json_add(o, "configured", json_object_new_string(loader_kind_to_string(p->configured))) ||
	    !json_add(o, "does", json_object_new_string(plan_action(p))) ||
	    !json_add(o, "tried", json_object_get(tries)) || !json_add(o, "header", json_object_get(hdr)))
		return -ENOMEM;
	for (size_t i = 0; i < p->n_tries; i++) {
		json_object *t = json_object_new_object();

		if (!json_append(tries, t) ||
		    !json_add(t, "loader", json_object_new_string(loader_kind_to_string(p->tries[i].kind))) ||
		    !json_add(t, "works", json_object_new_boolean(p->tries[i].r == 0)) ||
		    (p->tries[i].r != 0 && !json_add(t, "why", json_object_new_string(p->tries[i].why))))
			return -ENOMEM;
	}
	if (p->in_r < 0) {
		if (!json_add(o, "files_error", json_object_new_string(p->why_inputs)))
			return -ENOMEM;
	} else if (add_file(o, "kernel", p->in.kernel, p->kernel_bytes) < 0 ||
		   add_file(o, "initrd", p->in.initrd, p->initrd_bytes) < 0 ||
		   !json_add(o, "cmdline", json_object_new_string(p->in.cmdline)))
		return -ENOMEM;
	if (!json_add(hdr, "fits", json_object_new_boolean(s->header != NULL)) ||
	    !json_add(hdr, "max_phdrs", json_object_new_uint64(s->max_phdrs)) ||
	    !json_add(hdr, "phdrs", json_object_new_uint64(s->needed)) ||
	    !json_add(hdr, "cpu_notes", json_object_new_uint64(s->topology->n_cpus)) ||
	    !json_add(hdr, "vmcoreinfo", json_object_new_uint64(1)) ||
	    !json_add(hdr, "kernel_text", json_object_new_uint64(1)) ||
	    !json_add(hdr, "ram", json_object_new_uint64(s->topology->n_ram)) ||
	    !json_add(hdr, "capacity_bytes", json_object_new_uint64(s->capacity)) ||
	    (s->header && !json_add(hdr, "used_bytes", json_object_new_uint64(s->used))))
		return -ENOMEM;
	if (p->chosen == LOADER_SEGMENTS) {
		if (p->have_segments ? add_segments(o, p) < 0
				     : !json_add(o, "segments_error", json_object_new_string(p->seg_why)))
			return -ENOMEM;
	}
	return json_print(o, stdout);
}

int ctl_plan(const CtlArgs *a)
{
	_cleanup_(ctl_snapshot_done) CtlSnapshot s = {};
	_cleanup_(plan_done) Plan p = { .snap = &s };
	int r, exit_code;

	r = ctl_snapshot_take(a, &s);
	if (r != CTL_EXIT_OK && r != CTL_EXIT_OVER_CAPACITY)
		return r;
	exit_code = r;
	/* As the daemon: DryRunOutput unset means its runtime directory's dry-run. */
	if (!s.config->dry_run_output && asprintf(&s.config->dry_run_output, "%s/dry-run", a->runtime_dir) < 0) {
		s.config->dry_run_output = NULL;
		return CTL_EXIT_FAILURE;
	}
	plan_choose(&p, a->root, s.config);
	p.in_r = loader_resolve_inputs(a->root, s.config, true, &p.in, p.why_inputs, sizeof(p.why_inputs));
	if (p.in_r == 0) {
		p.kernel_bytes = file_size(a->root, p.in.kernel);
		p.initrd_bytes = file_size(a->root, p.in.initrd);
	}
	if (p.chosen == LOADER_SEGMENTS && s.header)
		plan_segments(&p, a, s.config);
	else if (p.chosen == LOADER_SEGMENTS)
		snprintf(p.seg_why, sizeof(p.seg_why), "the header does not fit MaxPhdrs=%u", s.max_phdrs);

	if (a->json) {
		if (print_json(&p) < 0)
			return CTL_EXIT_FAILURE;
	} else
		print_text(&p);
	if (exit_code == CTL_EXIT_OK && (p.chosen == _LOADER_MAX || (p.chosen == LOADER_SEGMENTS && !p.have_segments)))
		exit_code = CTL_EXIT_PROBLEMS;
	return fflush(stdout) == 0 ? exit_code : CTL_EXIT_FAILURE;
}
