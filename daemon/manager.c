/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Event → debounce → snapshot → compare → build → load → snapshot again. Everything runs
 * on one sd-event loop; when nothing happens, no source is armed and the process sleeps. */
#include <inttypes.h>
#include <signal.h>
#include <sys/stat.h>
#include <systemd/sd-event.h>
#include <time.h>

#include "bytes.h"
#include "debounce.h"
#include "elfcorehdr.h"
#include "loaded-record.h"
#include "log.h"
#include "manager.h"
#include "metrics.h"
#include "reload.h"
#include "status.h"
#include "watch.h"

/* Timer slack the daemon accepts: none to speak of. The debounce timer's slack is added to
 * every burst's time to protected again (sd-event's default would be 250 ms); the timers are
 * one-shot and rare, so coalescing their wakeups would save nothing. */
#define TIMER_ACCURACY_USEC 1ULL

/* While pending, status.json is rewritten for further events at most this often: a burst of
 * thousands of events must not become thousands of file writes. */
#define PENDING_PUBLISH_USEC 500000ULL

/* The snapshot and header are made this long after the last event of a burst, ahead of its
 * check, so that the check only loads: protected again QuietPeriodSec plus the load after the
 * last event. Any later event discards them, and the check's rescan after the load catches
 * a change that came without one. Not for quiet periods under twice this. */
#define PREPARE_DELAY_USEC 100000ULL

/* The "reloading" state is published this long before the quiet period ends, so that the
 * load's system call follows its end at once instead of after status.json, metrics.prom and
 * STATUS= (milliseconds; tens under emulation, the kernel preempting the daemon for PID 1):
 * twice the slowest recent publish, at least ANNOUNCE_LEAD_MIN_USEC, at most a tenth of the
 * quiet period and ANNOUNCE_LEAD_MAX_USEC. The old crash kernel is still loaded meanwhile,
 * as it was while pending (a state that is not counted as protected either); an event in
 * between takes it back to pending. */
#define ANNOUNCE_LEAD_MIN_USEC 1000ULL
#define ANNOUNCE_LEAD_MAX_USEC 50000ULL

/* Our header for one topology, built and validated into Manager.header: what load() needs
 * from it. Made at the check, or ahead of it while a burst is pending (Manager.prepared). */
typedef struct HeaderBuild {
	int r;                 /* 0, ELFCOREHDR_OVER_CAPACITY, or -errno */
	size_t used;
	unsigned max_phdrs;
	const char *rejected;  /* why loaders must not get it (NULL: they may) */
	char invalid[256];     /* elfcorehdr_validate()'s reason, rejected may point here */
} HeaderBuild;

struct Manager {
	char *root, *config_path, *runtime_dir;
	MonitorKind monitor_kind;
	int loader_override;
	const KexecOps *ops;

	sd_event *event;
	Config *config;
	Monitor *monitor;
	FileWatch *file_watch;
	const Loader *watched_loader; /* whose files file_watch follows */
	KmsgWatch *kmsg_watch;

	Debounce debounce;
	sd_event_source *debounce_timer;
	uint64_t last_event_usec;    /* CLOCK_BOOTTIME of the latest uevent */
	uint64_t burst_last_usec;    /* ... of the burst being handled, 0 for other checks */
	const char *trigger;         /* why the running check runs: "start", "events", "retry", ... */
	sd_event_source *retry_timer;
	ReloadBudget budget;          /* spacing and rate of load attempts */
	sd_event_source *budget_timer; /* a load waits for the budget */

	ElfcorehdrBuilder *builder;
	void *header;
	size_t header_capacity;

	LoaderKind chain[_LOADER_MAX];
	size_t n_chain;
	size_t active;               /* index in chain of the loader to use */
	unsigned attempt;            /* transient failures of chain[active] in a row */
	unsigned unprotected_retries;
	Loader *loaders[_LOADER_MAX];
	char inputs[_LOADER_MAX][65]; /* loaded_record_inputs() when loaders[k] took its inputs; "" unknown */

	bool loaded_known;           /* loaded_fp describes the loaded header */
	uint64_t loaded_fp;
	Topology *loaded;            /* for the human diff of the next reload */
	bool force_reload;
	bool last_was_load;          /* the last success was a kexec load (not the kernel's check) */
	bool raced;                  /* the topology moved during our own load: a kernel update may be lost */
	bool kmap_warned;            /* the guessed-kernel-map warning was logged */
	size_t loaded_capacity;      /* phdrs the loaded header holds when the kernel sized it, else 0 */

	Status status;
	bool status_write_failed, metrics_write_failed;
	DaemonState published_state;  /* the state status.json holds */
	uint64_t state_since_boot;    /* CLOCK_BOOTTIME when it was entered */
	uint64_t unprotected_done;    /* time not protected, in the states before it */
	DaemonState pending_from;     /* state pending: the protecting state it left */
	uint64_t pending_published;   /* CLOCK_BOOTTIME of its last publish */
	sd_event_source *pending_timer; /* publishes the events that came after it */
	uint64_t event_seq;           /* uevents so far: a preparation is good while it is unchanged */
	sd_event_source *prepare_timer;
	Topology *prepared;           /* snapshot taken ahead of the burst's check, or NULL */
	uint64_t prepared_seq;        /* event_seq when it was taken */
	HeaderBuild prepared_build;   /* its header, in m->header */
	char pending_diff[200];       /* state pending: what the preparation found changed, "" unknown */
	sd_event_source *announce_timer;
	int announced;                /* the LoaderKind "reloading" was published for ahead of the check, -1 */
	uint64_t publish_slowest_usec; /* the slowest recent publish, decaying by 1/8 per publish */
};

static uint64_t now_usec(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static const char *loader_name(LoaderKind k)
{
	const LoaderVtable *vt = loader_vtable_for(k);

	return vt ? vt->name : loader_kind_to_string(k);
}

/* A diff on one line, first changes only: "+512 MiB RAM at 0x140000000; +cpu3; and 7 more". */
static void summarize_reason(const char *diff, char *buf, size_t size)
{
	size_t used = 0, shown = 0, total = 0;
	const char *p = diff;

	buf[0] = '\0';
	while (p && *p) {
		const char *nl = strchrnul(p, '\n');
		size_t len = (size_t)(nl - p);

		if (len > 0) {
			total++;
			if (shown < 4 && used + len + 3 < size) {
				used += (size_t)snprintf(buf + used, size - used, "%s%.*s", shown ? "; " : "", (int)len, p);
				shown++;
			}
		}
		p = *nl ? nl + 1 : nl;
	}
	if (total > shown && used + 24 < size)
		snprintf(buf + used, size - used, "; and %zu more", total - shown);
}

static bool state_protects(DaemonState s)
{
	return s == STATE_PROTECTED || s == STATE_KERNEL_MANAGED;
}

/* A state change since the last publish: when it happened, and the time not protected. */
static void note_state(Manager *m)
{
	uint64_t now = now_usec(CLOCK_BOOTTIME);

	if (m->status.state != m->published_state) {
		if (!state_protects(m->published_state))
			m->unprotected_done += now - m->state_since_boot;
		m->published_state = m->status.state;
		m->state_since_boot = now;
		m->status.state_since_usec = now_usec(CLOCK_REALTIME);
	}
	m->status.unprotected_usec = m->unprotected_done + (state_protects(m->status.state) ? 0 : now - m->state_since_boot);
}

/* STATUS=, status.json and metrics.prom: at every state change and after every check. */
static void publish(Manager *m, const char *detail)
{
	uint64_t start = now_usec(CLOCK_BOOTTIME), took;
	StatusRecord rec;
	int r;

	note_state(m);
	status_format_message(&m->status, detail);
	notify("STATUS=%s", m->status.message);
	status_to_record(&m->status, &rec);
	r = status_write(m->runtime_dir, &rec);
	if (r < 0 && !m->status_write_failed)
		log_warning("cannot write %s/status.json: %s", m->runtime_dir, strerror(-r));
	m->status_write_failed = r < 0;
	r = metrics_write(m->runtime_dir, &rec);
	if (r < 0 && !m->metrics_write_failed)
		log_warning("cannot write %s/metrics.prom: %s", m->runtime_dir, strerror(-r));
	m->metrics_write_failed = r < 0;
	took = now_usec(CLOCK_BOOTTIME) - start;
	m->publish_slowest_usec -= m->publish_slowest_usec / 8;
	if (took > m->publish_slowest_usec)
		m->publish_slowest_usec = took;
}

static void set_state(Manager *m, DaemonState s, const char *detail)
{
	m->status.state = s;
	publish(m, detail);
}

static void free_loaders(Manager *m)
{
	m->watched_loader = NULL;
	for (size_t i = 0; i < _LOADER_MAX; i++) {
		if (m->loaders[i])
			m->loaders[i] = m->loaders[i]->vtable->free(m->loaders[i]);
		m->inputs[i][0] = '\0';
	}
}

/* The digest of what loaders[k] loads, taken when it resolved its inputs (at setup, and when
 * it reopened changed files): what loaded.json must describe, not what the files on disk say
 * later (an edited /etc/default/kdump-tools is not what a running loader loads). */
static void note_inputs(Manager *m, LoaderKind k)
{
	if (k == LOADER_KERNEL || k == LOADER_DRY_RUN ||
	    loaded_record_inputs(m->root, m->config, k, m->inputs[k]) < 0)
		m->inputs[k][0] = '\0';
}

/* A reload is known to be needed: what loaded.json says is loaded must not be kept by a
 * restart that comes before the reload does. */
static void need_reload(Manager *m)
{
	m->force_reload = true;
	loaded_record_remove(m->runtime_dir);
}

static void on_config_warning(void *userdata, const char *file, unsigned line, const char *msg)
{
	if (line > 0)
		log_warning("%s:%u: %s", file, line, msg);
	else
		log_warning("%s: %s", file, msg);
}

static int load_config(Manager *m, Config **ret)
{
	_cleanup_(config_freep) Config *c = NULL;
	Diag d = { 0 };
	char where[PATH_MAX + 600];
	int r;

	r = config_load(m->root, m->config_path, on_config_warning, m, &c, &d);
	if (r < 0) {
		log_full(LOG_ERR, MSGID_CONFIG_REJECTED, NULL, "%s", diag_format(&d, where, sizeof(where)));
		/* The same line for status.json, shortened to its field if need be. */
		(void)diag_format(&d, m->status.config_error, sizeof(m->status.config_error));
		return r;
	}
	if (m->loader_override >= 0)
		c->loader = (LoaderKind)m->loader_override;
	/* DryRunOutput follows --runtime-dir unless set. */
	if (!c->dry_run_output && asprintf(&c->dry_run_output, "%s/dry-run", m->runtime_dir) < 0) {
		c->dry_run_output = NULL;
		return -ENOMEM;
	}
	*ret = TAKE_PTR(c);
	return 0;
}

/* The loaders tried from now on, best first. */
static void reset_chain(Manager *m)
{
	free_loaders(m);
	m->n_chain = reload_chain(m->config->loader, m->chain);
	m->active = 0;
	m->attempt = 0;
	m->status.loader = m->n_chain > 0 ? loader_name(m->chain[0]) : "none";
}

/* The loader of kind k, made on first use. -errno with why when it cannot work here. */
static int get_loader(Manager *m, LoaderKind k, Loader **ret, char *why, size_t why_size)
{
	const LoaderVtable *vt = loader_vtable_for(k);
	int r;

	if (!vt)
		return loader_unavailable(k, why, why_size);
	if (!m->loaders[k]) {
		r = vt->probe(m->root, m->config, why, why_size);
		if (r < 0)
			return r;
		r = vt->new(m->root, m->config, m->ops, &m->loaders[k]);
		if (r < 0) {
			char meaning[160];

			snprintf(why, why_size, "cannot set up: %s", loader_explain_errno(r, meaning, sizeof(meaning)));
			return r;
		}
		note_inputs(m, k);
	}
	*ret = m->loaders[k];
	return 0;
}

static void on_files_changed(void *userdata, const char *path)
{
	Manager *m = userdata;

	for (size_t i = 0; i < _LOADER_MAX; i++) {
		Loader *l = m->loaders[i];
		int r;

		if (!l || !l->vtable->refresh)
			continue;
		r = l->vtable->refresh(l);
		if (r == -EPERM)
			log_error("%s changed and is refused: it, or a directory on the way to it, is not owned by root "
				  "or is writable by group or others (crash-hotplugctl check names it); the next load "
				  "uses the copy held open, if that is still root's alone", path);
		else if (r < 0)
			log_warning("%s changed but cannot be reopened (%s): the next load uses the copy held open",
				    path, strerror(-r));
		else {
			log_info("%s changed on disk: reopened, the next reload uses it", path);
			note_inputs(m, (LoaderKind)i);
		}
	}
}

static void on_kmsg_failure(void *userdata, const char *msg);

/* Watch the files the loader l loads from, unless already watching l's. */
static void update_file_watch(Manager *m, Loader *l)
{
	const char *paths[WATCH_MAX_FILES];
	size_t n = 0;
	int r;

	if (l == m->watched_loader)
		return;
	m->file_watch = file_watch_free(m->file_watch);
	m->watched_loader = l;
	if (!l || !l->vtable->file)
		return;
	for (const char *p; n < WATCH_MAX_FILES && (p = l->vtable->file(l, n)); n++)
		paths[n] = p;
	if (n == 0)
		return;
	r = file_watch_new(m->event, m->root, paths, n, on_files_changed, m, &m->file_watch);
	if (r < 0)
		log_warning("cannot watch the kernel and initrd for changes: %s", strerror(-r));
}

/* Watch what the active loader depends on: its files, or the kernel's log. */
static void update_watches(Manager *m)
{
	LoaderKind k = m->chain[m->active];
	int r;

	update_file_watch(m, m->loaders[k]);
	if (k == LOADER_KERNEL && m->status.state == STATE_KERNEL_MANAGED) {
		if (!m->kmsg_watch) {
			r = kmsg_watch_new(m->event, m->root, on_kmsg_failure, m, &m->kmsg_watch);
			if (r < 0)
				log_notice("cannot follow the kernel log for crash header failures: %s", strerror(-r));
		}
	} else
		m->kmsg_watch = kmsg_watch_free(m->kmsg_watch);
}

static void arm_timer(Manager *m, sd_event_source **s, uint64_t when, sd_event_time_handler_t cb,
		      const char *description)
{
	int r;

	if (!*s) {
		r = sd_event_add_time(m->event, s, CLOCK_BOOTTIME, when, TIMER_ACCURACY_USEC, cb, m);
		if (r < 0) {
			log_error("cannot arm the %s timer: %s", description, strerror(-r));
			return;
		}
		(void)sd_event_source_set_description(*s, description);
	} else
		(void)sd_event_source_set_time(*s, when);
	/* One-shot: after it fires it is off, so an idle daemon has no timer at all. */
	(void)sd_event_source_set_enabled(*s, SD_EVENT_ONESHOT);
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata);
static int on_budget(sd_event_source *s, uint64_t usec, void *userdata);

static void schedule_retry(Manager *m, uint64_t delay)
{
	arm_timer(m, &m->retry_timer, now_usec(CLOCK_BOOTTIME) + delay, on_retry, "reload-retry");
}

static void note_topology(Manager *m, const Topology *t)
{
	m->status.cpus = t->n_cpus;
	m->status.ram_ranges = t->n_ram;
	m->status.ram_bytes = topology_ram_bytes(t);
	/* The kernel's own header lists every possible CPU; ours the present ones. */
	m->status.phdrs_used = m->status.state == STATE_KERNEL_MANAGED ? loader_kernel_phdrs_needed(t)
									: elfcorehdr_phdrs_needed(t);
	/* The kernel's own header (kernel, file loaders) has the kernel's capacity, not ours. */
	m->status.max_phdrs = m->loaded_capacity ? m->loaded_capacity : config_max_phdrs(m->config, t->n_possible);
	m->status.kernel_map = t->kmap.from_kcore ? "kcore" : "guessed";
	if (!t->kmap.from_kcore && !m->kmap_warned) {
		/* A KASLR kernel's direct map and text move at boot: guessed addresses make
		 * makedumpfile and crash translate wrongly. Loud, once. */
		log_warning("/proc/kcore cannot be read: the header's virtual addresses are GUESSED (PAGE_OFFSET "
			    "0x%" PRIx64 ", text at 0x%" PRIx64 "), wrong under KASLR; give the daemon CAP_SYS_RAWIO "
			    "and access to /proc/kcore",
			    t->kmap.page_offset, t->kmap.text_vaddr);
		m->kmap_warned = true;
	} else if (t->kmap.from_kcore)
		m->kmap_warned = false;
}

/* Makes the header buffer fit the capacity for t. */
static int prepare_header(Manager *m, const Topology *t, unsigned *ret_max)
{
	unsigned max_phdrs = config_max_phdrs(m->config, t->n_possible);
	size_t cap = elfcorehdr_capacity(max_phdrs);

	if (cap == 0)
		return -EINVAL;
	if (cap != m->header_capacity) {
		void *p = malloc(cap);

		if (!p)
			return -ENOMEM;
		free(m->header);
		m->header = p;
		m->header_capacity = cap;
	}
	*ret_max = max_phdrs;
	return 0;
}

static int kind_index(const Manager *m, LoaderKind k)
{
	for (size_t i = 0; i < m->n_chain; i++)
		if (m->chain[i] == k)
			return (int)i;
	return -1;
}

static void enter_kernel_managed(Manager *m, const char *detail)
{
	if (m->status.state != STATE_KERNEL_MANAGED)
		log_full(LOG_NOTICE, MSGID_KERNEL_HANDLES_HOTPLUG, "CRASH_HOTPLUGD_LOADER=kernel",
			 "the kernel updates the crash kernel's header on hotplug itself (%s): guarding its updates "
			 "(memory removal, dropped updates and capacity are repaired by a reload)",
			 detail);
	m->status.loader = "kernel";
	m->status.state = STATE_KERNEL_MANAGED;
}

/* After our own load: does the kernel keep this image's header current (crash_hotplug reads
 * 1: a kexec_file_load image), with room for t in the header it reserved? */
static bool kernel_can_take_over(Manager *m, const Topology *t)
{
	char unused[256];
	size_t needed;
	int cap;

	if (loader_kernel_vtable.probe(m->root, m->config, unused, sizeof(unused)) < 0)
		return false;
	if (loader_kernel_room(m->root, t, &needed, &cap) == -ENOSPC) {
		log_notice("the kernel would update this image's header, but its %d program headers cannot hold "
			   "%zu: crash-hotplugd keeps reloading itself",
			   cap, needed);
		return false;
	}
	return true;
}

/* Remembers what is loaded now for the next start (loaded-record.h). A kernel check
 * keeps the record of the load it guards, with the topology the kernel's header now has. */
static void remember_loaded(Manager *m, LoaderKind kind, uint64_t fp)
{
	LoadedRecord rec = {};
	int r;

	if (kind == LOADER_DRY_RUN)
		return;
	if (kind == LOADER_KERNEL) {
		if (loaded_record_read(m->runtime_dir, &rec) < 0)
			return; /* not loaded by us: nothing to guard across a restart */
	} else {
		rec.loader = kind;
		rec.realtime_usec = now_usec(CLOCK_REALTIME);
		if (!m->inputs[kind][0]) {
			loaded_record_remove(m->runtime_dir);
			return;
		}
		memcpy(rec.inputs, m->inputs[kind], sizeof(rec.inputs));
		loaded_record_boot_id(m->root, rec.boot_id);
	}
	rec.kernel_managed = m->status.state == STATE_KERNEL_MANAGED;
	rec.fingerprint = fp;
	rec.capacity = m->loaded_capacity;
	r = loaded_record_write(m->runtime_dir, &rec);
	if (r < 0)
		log_warning("cannot write %s/" LOADED_RECORD_NAME " (%s): the next start reloads", m->runtime_dir,
			    strerror(-r));
}

/* What is loaded is no longer known (a failed load frees the old image). */
static void forget_loaded(Manager *m)
{
	m->loaded_known = false;
	loaded_record_remove(m->runtime_dir);
}

/* At start: the crash kernel the previous run loaded is still right (same boot, inputs,
 * topology, and the kernel has it): keep it instead of a reload, a window without one. */
static bool restore_loaded(Manager *m, int crash_loaded)
{
	_cleanup_(topology_freep) Topology *t = NULL;
	char boot_id[40], why[256], ago[32];
	LoadedRecord rec;
	uint64_t now;
	const char *mismatch = NULL;
	int ki, kk = kind_index(m, LOADER_KERNEL);
	Loader *l;
	Diag d = {};

	if (crash_loaded != 1 || loaded_record_read(m->runtime_dir, &rec) < 0)
		return false;
	loaded_record_boot_id(m->root, boot_id);
	ki = kind_index(m, rec.loader);
	if (!streq(boot_id, rec.boot_id))
		mismatch = "written in another boot";
	else if (ki < 0 || (rec.kernel_managed && kk < 0))
		mismatch = "its loader is not in Loader='s chain now";
	else if (get_loader(m, rec.loader, &l, why, sizeof(why)) < 0)
		mismatch = why;
	/* The digest the loader took when it resolved its inputs: what a reload now would load. */
	else if (!streq(m->inputs[rec.loader], rec.inputs))
		mismatch = "the kernel, initrd, command line or MaxPhdrs= changed";
	else if (topology_read(m->root, &t, &d) < 0 || topology_fingerprint(t) != rec.fingerprint)
		mismatch = "the topology changed";
	if (mismatch) {
		log_info("not keeping the crash kernel the previous run loaded: %s", mismatch);
		loaded_record_remove(m->runtime_dir);
		return false;
	}
	m->loaded_known = true;
	m->loaded_fp = m->status.fingerprint = rec.fingerprint;
	m->loaded_capacity = rec.capacity;
	m->loaded = TAKE_PTR(t);
	m->last_was_load = false;
	m->active = (size_t)(rec.kernel_managed ? kk : ki);
	m->status.loader = loader_name(rec.loader);
	if (rec.kernel_managed)
		enter_kernel_managed(m, "as the previous run left it");
	else
		m->status.state = STATE_PROTECTED;
	now = now_usec(CLOCK_REALTIME);
	snprintf(ago, sizeof(ago), "%" PRIu64 " s", now > rec.realtime_usec ? (now - rec.realtime_usec) / 1000000 : 0);
	log_info("keeping the crash kernel the previous run loaded with %s %s ago: same boot, kernel, initrd, "
		 "command line and topology (fingerprint %016" PRIx64 "), so no reload",
		 loader_name(rec.loader), ago, rec.fingerprint);
	note_topology(m, m->loaded);
	update_watches(m);
	return true;
}

/* A load (or the kernel's check) succeeded for t. */
static void loaded(Manager *m, LoaderKind kind, Topology **t, uint64_t fp, const LoadResult *res,
		   const char *reason)
{
	m->attempt = 0;
	m->unprotected_retries = 0;
	m->force_reload = false;
	m->raced = false;
	m->last_was_load = kind != LOADER_KERNEL;
	m->loaded_known = true;
	m->loaded_fp = fp;
	m->status.fingerprint = fp;
	m->status.loader = loader_name(kind);
	m->loaded_capacity = res->phdrs_capacity;
	if (res->phdrs_capacity > 0)
		m->status.max_phdrs = res->phdrs_capacity;
	topology_free(m->loaded);
	m->loaded = TAKE_PTR(*t);

	if (kind == LOADER_KERNEL)
		enter_kernel_managed(m, res->detail);
	else {
		uint64_t done = now_usec(CLOCK_BOOTTIME);
		char fields[256], bytes[32], why[320], trigger[48];
		int ki;

		m->status.reloads++;
		m->status.reloads_by[kind]++;
		m->status.last_reload_realtime_usec = now_usec(CLOCK_REALTIME);
		m->status.last_reload_syscall_usec = res->syscall_usec;
		m->status.last_event_to_reload_usec = m->burst_last_usec ? done - m->burst_last_usec : 0;
		/* The dry-run plan loads nothing: never "protected". */
		m->status.state = kind == LOADER_DRY_RUN ? STATE_DRY_RUN : STATE_PROTECTED;
		format_bytes(m->status.ram_bytes, bytes, sizeof(bytes));
		summarize_reason(reason, why, sizeof(why));
		if (m->burst_last_usec)
			snprintf(trigger, sizeof(trigger), "after %u events", m->status.last_burst_events);
		else
			snprintf(trigger, sizeof(trigger), "%s", m->trigger ? m->trigger : "on request");
		snprintf(fields, sizeof(fields),
			 "CRASH_HOTPLUGD_LOADER=%s\nCRASH_HOTPLUGD_EVENTS=%u\nCRASH_HOTPLUGD_SYSCALL_USEC=%" PRIu64
			 "\nCRASH_HOTPLUGD_EVENT_TO_RELOAD_USEC=%" PRIu64 "\nCRASH_HOTPLUGD_FINGERPRINT=%016" PRIx64,
			 m->status.loader, m->status.last_burst_events, res->syscall_usec,
			 m->status.last_event_to_reload_usec, fp);
		log_full(LOG_INFO, MSGID_RELOADED, fields,
			 "reloaded with %s %s: %zu CPUs, %zu RAM ranges (%s); load %" PRIu64 " us (syscall %" PRIu64
			 " us), %" PRIu64 " us after the last event%s%s",
			 m->status.loader, trigger, m->status.cpus, m->status.ram_ranges, bytes, res->total_usec,
			 res->syscall_usec, m->status.last_event_to_reload_usec, why[0] ? "; changes: " : "", why);

		/* kexec_file_load images let the kernel keep the header current (crash_hotplug
		 * turns 1): from now on it does the work and reloading would only open windows. */
		ki = kind_index(m, LOADER_KERNEL);
		if (ki >= 0 && (size_t)ki < m->active && kernel_can_take_over(m, m->loaded)) {
			m->active = (size_t)ki;
			enter_kernel_managed(m, "after our load");
		}
	}
	remember_loaded(m, kind, fp);
	update_watches(m);
	publish(m, NULL);
}

static void fall_back(Manager *m, LoaderKind from, const char *why, bool after_failure)
{
	m->active++;
	m->attempt = 0;
	while (m->active < m->n_chain && !loader_vtable_for(m->chain[m->active]))
		m->active++;
	if (m->active >= m->n_chain)
		return;
	if (after_failure)
		log_full(LOG_WARNING, MSGID_FALLBACK, NULL, "falling back from loader %s to %s: %s", loader_name(from),
			 loader_name(m->chain[m->active]), why);
	else
		log_info("loader %s not usable (%s): trying %s", loader_name(from), why,
			 loader_name(m->chain[m->active]));
	m->status.loader = loader_name(m->chain[m->active]);
}

static void unprotected(Manager *m, const char *last_error)
{
	uint64_t delay;
	char detail[512];
	int loaded_now;

	m->active = 0;
	m->attempt = 0;
	forget_loaded(m);
	m->unprotected_retries++;
	delay = reload_unprotected_delay_usec(m->unprotected_retries);
	loaded_now = loader_crash_loaded(m->root);
	snprintf(detail, sizeof(detail), "%s; %s; retrying in %" PRIu64 " s and on the next event", last_error,
		 loaded_now == 1 ? "an older crash kernel is still loaded" : "no crash kernel is loaded",
		 delay / 1000000);
	m->status.state = STATE_UNPROTECTED;
	log_full(LOG_CRIT, MSGID_UNPROTECTED, NULL, "UNPROTECTED: no loader could load a crash kernel: %s", detail);
	update_watches(m);
	publish(m, detail);
	schedule_retry(m, delay);
}

/* The kernel's own header cannot be trusted (r from the kernel loader): say why and pick
 * the loader that repairs it best. */
static void kernel_refused(Manager *m, int r, const char *detail, const char *fields)
{
	LoaderKind next;

	if (r == -ENOSPC) {
		/* Its reservation is fixed at load: only a header of our own (MaxPhdrs) has room. */
		log_full(LOG_ERR, MSGID_CAPACITY_EXCEEDED, fields, "%s", detail);
		(void)reload_chain_prefer(m->chain, m->n_chain, m->active, LOADER_SEGMENTS);
		return;
	}
	if (r == -EOPNOTSUPP) {
		/* crash_hotplug reads 0: unloaded, or replaced by a kexec_load image. */
		log_full(LOG_WARNING, MSGID_RELOAD_FAILED, fields, "%s", detail);
		return;
	}
	/* kexec_file_load: the kernel builds a fresh header from the current memory and keeps
	 * updating it for the additions it gets right. */
	(void)reload_chain_prefer(m->chain, m->n_chain, m->active, LOADER_FILE);
	next = m->active + 1 < m->n_chain ? m->chain[m->active + 1] : LOADER_KERNEL;
	m->status.repairs++;
	snprintf(m->status.last_repair, sizeof(m->status.last_repair), "%s", detail);
	log_full(LOG_WARNING, MSGID_KERNEL_REPAIR, fields,
		 "repairing the crash kernel's header (repair %" PRIu64 "): %s; reloading with %s",
		 m->status.repairs, detail, next == LOADER_KERNEL ? "nothing (no other loader)" : loader_name(next));
}

/* Our header for t into m->header, validated: never load what crash-hotplugctl show would
 * reject (a hostile or broken /sys value, a crash_notes address that wraps, RAM beyond the
 * direct map, stops here). Quiet: ahead of the check nothing is said yet. */
static void build_header(Manager *m, const Topology *t, HeaderBuild *b)
{
	*b = (HeaderBuild){ 0 };
	b->r = prepare_header(m, t, &b->max_phdrs);
	if (b->r == 0)
		b->r = elfcorehdr_builder_build(m->builder, t, b->max_phdrs, m->header, m->header_capacity, &b->used);
	if (b->r == ELFCOREHDR_OVER_CAPACITY)
		b->rejected = "capacity exceeded (MaxPhdrs=)";
	else if (b->r == 0 && elfcorehdr_validate(m->header, m->header_capacity, NULL, b->invalid, sizeof(b->invalid)) < 0) {
		b->r = -EINVAL;
		b->rejected = b->invalid;
	}
}

/* Why loaders that need our header cannot have it, in the journal, at the check that hits it. */
static void say_header_problem(const Topology *t, const HeaderBuild *b)
{
	char fields[128];

	if (b->r == ELFCOREHDR_OVER_CAPACITY) {
		snprintf(fields, sizeof(fields), "CRASH_HOTPLUGD_PHDRS_NEEDED=%zu\nCRASH_HOTPLUGD_MAX_PHDRS=%u",
			 elfcorehdr_phdrs_needed(t), b->max_phdrs);
		log_full(LOG_ERR, MSGID_CAPACITY_EXCEEDED, fields,
			 "capacity exceeded: the topology needs %zu program headers, MaxPhdrs= allows %u; loaders "
			 "that need our header cannot load",
			 elfcorehdr_phdrs_needed(t), b->max_phdrs);
	} else if (b->rejected)
		log_full(LOG_ERR, MSGID_RELOAD_FAILED, NULL,
			 "refusing the header built from this topology: %s; only loaders that build their own "
			 "header may load",
			 b->rejected);
	else if (b->r < 0)
		log_error("building the header: %s", strerror(-b->r));
}

/* Loads t with the active loader, retrying and falling back as the policy says; its header
 * built now or, when b is given, ahead of time; announced: the loader on_announce() published
 * "reloading" for (-1: none), whose first attempt then goes straight to its system call.
 * 0 when loaded; -EAGAIN when a retry is scheduled; -EIO when nothing worked. */
static int load(Manager *m, Topology **t, uint64_t fp, HeaderBuild *b, int announced)
{
	_cleanup_(freep) char *reason = NULL;
	char last_error[320] = "no loader available", fields[128];
	HeaderBuild fresh;
	int r;

	if (!b) {
		build_header(m, *t, &fresh);
		b = &fresh;
	}
	if (b->r != 0)
		say_header_problem(*t, b);
	if (topology_diff(m->loaded, *t, &reason) < 0)
		reason = NULL;

	LoadRequest req = {
		.topology = *t,
		.header = b->r == 0 ? m->header : NULL,
		.header_used = b->used,
		.header_capacity = m->header_capacity,
		.reason = reason,
		.previous = m->loaded_known ? m->loaded : NULL,
		.raced = m->raced,
		.header_rejected = b->rejected,
	};

	while (m->active < m->n_chain) {
		LoaderKind kind = m->chain[m->active];
		LoadResult res = { 0 };
		bool published = (int)kind == announced; /* the first attempt only */
		char why[256];
		Loader *l;

		announced = -1;

		r = get_loader(m, kind, &l, why, sizeof(why));
		if (r < 0) {
			snprintf(last_error, sizeof(last_error), "%s: %s", loader_name(kind), why);
			fall_back(m, kind, why, false);
			continue;
		}
		if (kind != LOADER_KERNEL) {
			m->status.loader = loader_name(kind);
			/* Each attempt is a window and one of kexec_load_limit_panic's loads; dry-run
			 * loads nothing. */
			if (kind != LOADER_DRY_RUN) {
				uint64_t now = now_usec(CLOCK_BOOTTIME), when = reload_budget_wait(&m->budget, now);

				if (when) {
					char detail[200];

					snprintf(detail, sizeof(detail),
						 "next load in %" PRIu64 " ms (loads start at least %llu ms apart, at "
						 "most %u in a row, then one per %llu s)",
						 (when - now) / 1000, RELOAD_MIN_SPACING_USEC / 1000, RELOAD_BURST,
						 RELOAD_REFILL_USEC / 1000000);
					log_debug("%s", detail);
					set_state(m, STATE_RELOADING, detail);
					arm_timer(m, &m->budget_timer, when, on_budget, "reload-budget");
					return -EAGAIN;
				}
				reload_budget_spend(&m->budget, now);
			}
			if (published)
				m->status.state = STATE_RELOADING; /* as on_announce() published it */
			else
				set_state(m, STATE_RELOADING, NULL);
		}
		r = l->vtable->load(l, &req, &res);
		if (r >= 0) {
			loaded(m, kind, t, fp, &res, reason);
			return 0;
		}
		if (r == -ECANCELED) { /* SIGTERM or SIGINT is pending: no retry, no fallback */
			forget_loaded(m);
			log_notice("reload with %s stopped: %s", loader_name(kind), res.detail);
			set_state(m, STATE_UNPROTECTED, res.detail);
			return r;
		}

		snprintf(last_error, sizeof(last_error), "%s: %s", loader_name(kind), res.detail);
		snprintf(fields, sizeof(fields), "CRASH_HOTPLUGD_LOADER=%s\nERRNO=%d", loader_name(kind), -r);
		if (kind == LOADER_KERNEL) {
			kernel_refused(m, r, res.detail, fields);
			need_reload(m);
			if (m->status.state == STATE_KERNEL_MANAGED)
				m->status.state = STATE_RELOADING;
			/* A repair has said why already: no second warning for the same thing. */
			fall_back(m, kind, res.detail, r == -ENOSPC || r == -EOPNOTSUPP);
			continue;
		}
		m->status.failures++;
		status_count_failure(&m->status, kind, -r);
		/* The kernel frees the loaded crash image before it loads the new one: after a failed
		 * load, loaded_fp no longer describes what is loaded, and a topology back at loaded_fp
		 * must still reload rather than skip (and cancel the retry). */
		forget_loaded(m);
		if (loader_error_is_transient(r) && m->attempt + 1 < RELOAD_MAX_ATTEMPTS) {
			uint64_t delay = reload_retry_delay_usec(++m->attempt);
			char detail[320 + 64];

			log_full(LOG_WARNING, MSGID_RELOAD_FAILED, fields,
				 "reload with %s failed (attempt %u of %u): %s; retrying in %" PRIu64 " ms",
				 loader_name(kind), m->attempt, RELOAD_MAX_ATTEMPTS, res.detail, delay / 1000);
			snprintf(detail, sizeof(detail), "attempt %u failed (%s), retrying", m->attempt, res.detail);
			set_state(m, STATE_RELOADING, detail);
			schedule_retry(m, delay);
			return -EAGAIN;
		}
		log_full(LOG_ERR, MSGID_RELOAD_FAILED, fields, "reload with %s failed: %s", loader_name(kind),
			 res.detail);
		fall_back(m, kind, res.detail, true);
	}
	unprotected(m, last_error);
	return -EIO;
}

/* A "reloading" published ahead of the check no longer holds (an event moved the quiet
 * period; the check runs, and may find nothing to load; the daemon stops): back to pending,
 * which the caller publishes or leaves. The loader it was published for, or -1. */
static int unannounce(Manager *m)
{
	int was = m->status.state == STATE_RELOADING ? m->announced : -1;

	if (was >= 0)
		m->status.state = STATE_PENDING;
	m->announced = -1;
	return was;
}

/* How long before the quiet period's end "reloading" is published; 0: not ahead of time. */
static uint64_t announce_lead(const Manager *m)
{
	uint64_t most = m->debounce.quiet_usec / 10, lead = 2 * m->publish_slowest_usec;

	if (most > ANNOUNCE_LEAD_MAX_USEC)
		most = ANNOUNCE_LEAD_MAX_USEC;
	if (most < ANNOUNCE_LEAD_MIN_USEC)
		return 0;
	if (lead < ANNOUNCE_LEAD_MIN_USEC)
		lead = ANNOUNCE_LEAD_MIN_USEC;
	return lead < most ? lead : most;
}

/* The loader the next check starts with when it loads something (not the kernel's check,
 * not a dry run), or -1: what "reloading" can be published ahead for. */
static int announce_loader(const Manager *m)
{
	LoaderKind k = m->active < m->n_chain ? m->chain[m->active] : LOADER_KERNEL;

	return k == LOADER_KERNEL || k == LOADER_DRY_RUN ? -1 : (int)k;
}

/* The quiet period ends within announce_lead(): publish "reloading" now when the check will
 * load (pending, a loader that loads, the reload budget allows it then), so that nothing but
 * the load is left for the check. */
static int on_announce(sd_event_source *s, uint64_t usec, void *userdata)
{
	Manager *m = userdata;
	int k = announce_loader(m);
	char detail[128];

	if (k < 0 || m->status.state != STATE_PENDING || debounce_idle(&m->debounce) ||
	    reload_budget_wait(&m->budget, m->debounce.deadline_usec))
		return 0;
	snprintf(detail, sizeof(detail), "the quiet period ends in %" PRIu64 " ms, the load follows",
		 m->debounce.deadline_usec > usec ? (m->debounce.deadline_usec - usec + 999) / 1000 : 0);
	m->status.loader = loader_name((LoaderKind)k);
	m->announced = k;
	set_state(m, STATE_RELOADING, detail);
	return 0;
}

static void drop_prepared(Manager *m)
{
	if (m->prepare_timer)
		(void)sd_event_source_set_enabled(m->prepare_timer, SD_EVENT_OFF);
	m->prepared = topology_free(m->prepared);
}

/* Pending ends when its burst is checked (or anything else checks first): the state goes back
 * to the protecting one it left, which the check then confirms or replaces. */
static void leave_pending(Manager *m)
{
	if (m->status.state == STATE_PENDING)
		m->status.state = m->pending_from;
	if (m->pending_timer)
		(void)sd_event_source_set_enabled(m->pending_timer, SD_EVENT_OFF);
	m->status.pending_events = 0;
	m->status.pending_since_usec = m->status.reload_due_usec = 0;
	m->pending_diff[0] = '\0';
}

/* Snapshot, decide, load; again while the topology moved during the load. */
static void check(Manager *m)
{
	/* A snapshot and header made ahead of this check are good while no event came since;
	 * any other check builds into m->header itself, so the preparation goes either way. */
	_cleanup_(topology_freep) Topology *prepared = m->prepared_seq == m->event_seq ? TAKE_PTR(m->prepared) : NULL;
	bool built = prepared != NULL;
	int announced = unannounce(m);

	drop_prepared(m);
	leave_pending(m);
	if (m->retry_timer)
		(void)sd_event_source_set_enabled(m->retry_timer, SD_EVENT_OFF);
	if (m->budget_timer)
		(void)sd_event_source_set_enabled(m->budget_timer, SD_EVENT_OFF);
	if (m->announce_timer)
		(void)sd_event_source_set_enabled(m->announce_timer, SD_EVENT_OFF);

	for (unsigned round = 0; round < RELOAD_MAX_ROUNDS; round++) {
		_cleanup_(topology_freep) Topology *t = NULL;
		char where[PATH_MAX + 600];
		Diag d = { 0 };
		uint64_t fp;
		int r;

		if (round == 0 && prepared) {
			t = TAKE_PTR(prepared);
			r = 0;
		} else
			r = topology_read(m->root, &t, &d);
		if (r < 0) {
			/* Nothing to build from; what is loaded stays loaded. */
			log_error("reading the topology: %s", diag_format(&d, where, sizeof(where)));
			m->unprotected_retries++;
			schedule_retry(m, reload_unprotected_delay_usec(m->unprotected_retries));
			/* Nothing loaded by us yet: say so rather than "starting" forever. */
			if (m->status.state == STATE_STARTING)
				m->status.state = STATE_UNPROTECTED;
			publish(m, m->status.state == STATE_UNPROTECTED ? "cannot read the topology" : NULL);
			return;
		}
		note_topology(m, t);
		fp = topology_fingerprint(t);
		if (reload_decide(m->loaded_known, m->loaded_fp, fp, m->force_reload) == RELOAD_SKIP) {
			if (round == 0)
				log_debug("topology unchanged (fingerprint %016" PRIx64 "): nothing to reload", fp);
			else
				log_debug("rescan after the load: topology unchanged");
			publish(m, NULL);
			return;
		}
		/* A change seen right after our own load may have come while it held the kexec
		 * lock, when the kernel skips its update: the guard must not trust it. */
		if (round > 0 && m->last_was_load)
			m->raced = true; /* until a load or check succeeds, also across a deferral */
		if (load(m, &t, fp, round == 0 && built ? &m->prepared_build : NULL, round == 0 ? announced : -1) < 0)
			return;
		/* Later rounds are the rescan after the load; burst_last_usec stays, so the figure
		 * published is the time from the burst to a header that is right again. */
		m->trigger = "as the topology changed during the load";
	}
	/* Still moving: the uevents of whatever is moving it bring us back. */
	log_notice("topology changed during each of %u reloads: waiting for it to settle", RELOAD_MAX_ROUNDS);
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata)
{
	Manager *m = userdata;

	m->burst_last_usec = 0;
	m->trigger = "on retry";
	check(m);
	return 0;
}

/* A load that waited for the budget: the burst it belongs to stays the one measured. */
static int on_budget(sd_event_source *s, uint64_t usec, void *userdata)
{
	Manager *m = userdata;

	m->trigger = "after waiting for the reload rate limit";
	check(m);
	return 0;
}

static int on_debounce(sd_event_source *s, uint64_t usec, void *userdata)
{
	Manager *m = userdata;
	uint64_t now = now_usec(CLOCK_BOOTTIME);
	unsigned events = 0;

	if (!debounce_fire(&m->debounce, now, &events)) {
		if (!debounce_idle(&m->debounce))
			arm_timer(m, &m->debounce_timer, m->debounce.deadline_usec, on_debounce, "debounce");
		return 0;
	}
	m->status.last_burst_events = events;
	m->burst_last_usec = m->last_event_usec;
	m->trigger = "after events";
	check(m);
	return 0;
}

/* The human half of the pending state: when the burst's check is due. */
static const char *pending_detail(Manager *m, uint64_t now, char *buf, size_t size)
{
	uint64_t due = m->debounce.deadline_usec > now ? m->debounce.deadline_usec - now : 0;

	snprintf(buf, size, "%s%s%s%s in %" PRIu64 ".%01" PRIu64 " s", m->pending_diff[0] ? "changed since the load: " : "",
		 m->pending_diff, m->pending_diff[0] ? "; " : "",
		 m->pending_from == STATE_KERNEL_MANAGED ? "the kernel's own update is checked" : "the reload is due",
		 due / 1000000, due / 100000 % 10);
	return buf;
}

static int on_pending_publish(sd_event_source *s, uint64_t usec, void *userdata)
{
	Manager *m = userdata;
	char detail[320];

	if (m->status.state == STATE_PENDING) {
		m->pending_published = usec;
		publish(m, pending_detail(m, now_usec(CLOCK_BOOTTIME), detail, sizeof(detail)));
	}
	return 0;
}

/* The burst has been quiet for PREPARE_DELAY_USEC: snapshot and build now, so that its check
 * only loads. A snapshot that matches what is loaded ends pending at once (the events changed
 * nothing the header describes); one that does not says what changed. */
static int on_prepare(sd_event_source *s, uint64_t usec, void *userdata)
{
	Manager *m = userdata;
	_cleanup_(topology_freep) Topology *t = NULL;
	_cleanup_(freep) char *diff = NULL;
	char detail[320];
	Diag d = { 0 };
	uint64_t fp;

	if (debounce_idle(&m->debounce))
		return 0;
	m->prepared = topology_free(m->prepared);
	if (topology_read(m->root, &t, &d) < 0)
		return 0; /* the check reads again and says why */
	fp = topology_fingerprint(t);
	if (m->loaded_known && fp == m->loaded_fp && !m->force_reload) {
		if (m->status.state == STATE_PENDING) {
			leave_pending(m);
			publish(m, NULL);
		}
		return 0;
	}
	build_header(m, t, &m->prepared_build);
	if (m->status.state == STATE_PENDING && topology_diff(m->loaded, t, &diff) >= 0 && diff) {
		summarize_reason(diff, m->pending_diff, sizeof(m->pending_diff));
		publish(m, pending_detail(m, now_usec(CLOCK_BOOTTIME), detail, sizeof(detail)));
		m->pending_published = usec;
	}
	m->prepared = TAKE_PTR(t);
	m->prepared_seq = m->event_seq;
	return 0;
}

/* Counts an event into the current burst and moves the one debounce timer. An event that may
 * change what the loaded header must describe (stales) turns a protecting state into
 * pending until the burst is checked. */
static void burst_event(Manager *m, bool stales)
{
	/* Both clocks at the event: reload_due is the deadline on the wall clock, and the work
	 * in between (timers, a publish) must not move it later than the deadline itself. */
	uint64_t now = now_usec(CLOCK_BOOTTIME), real = now_usec(CLOCK_REALTIME), due, lead;
	char detail[320];

	m->last_event_usec = now;
	m->event_seq++;
	if (unannounce(m) >= 0)
		m->pending_published = 0; /* say at once that the reload is not starting yet */
	due = debounce_event(&m->debounce, now);
	arm_timer(m, &m->debounce_timer, due, on_debounce, "debounce");
	lead = announce_lead(m);
	if (lead && due > now + lead && announce_loader(m) >= 0) /* on_announce() asks again */
		arm_timer(m, &m->announce_timer, due - lead, on_announce, "announce");
	if (m->debounce.quiet_usec >= 2 * PREPARE_DELAY_USEC && due > now + PREPARE_DELAY_USEC)
		arm_timer(m, &m->prepare_timer, now + PREPARE_DELAY_USEC, on_prepare, "prepare");
	m->pending_diff[0] = '\0'; /* what a preparation found no longer holds */
	if (m->status.state == STATE_PENDING) {
		m->status.pending_events++;
		m->status.reload_due_usec = real + (due - now);
		if (now - m->pending_published >= PENDING_PUBLISH_USEC) {
			m->pending_published = now;
			publish(m, pending_detail(m, now, detail, sizeof(detail)));
		} else /* the count of the burst's tail is published too, just later */
			arm_timer(m, &m->pending_timer, m->pending_published + PENDING_PUBLISH_USEC, on_pending_publish,
				  "pending-publish");
		return;
	}
	if (!stales || !state_protects(m->status.state))
		return;
	m->pending_from = m->status.state;
	m->pending_published = now;
	m->status.pending_events = 1;
	m->status.pending_since_usec = real;
	m->status.reload_due_usec = real + (due - now);
	set_state(m, STATE_PENDING, pending_detail(m, now, detail, sizeof(detail)));
}

/* What can make the loaded header wrong before the burst is checked: anything, when the
 * header is ours; when the kernel keeps its own, only memory going away (its update for a
 * removal keeps the range) or lost events. */
static bool event_stales(const Manager *m, bool lost, const char *action, const char *subsystem)
{
	if (lost || m->status.state != STATE_KERNEL_MANAGED)
		return true;
	return streq(subsystem, "memory") && (streq(action, "remove") || streq(action, "offline"));
}

static void on_uevent(void *userdata, bool lost, const char *action, const char *subsystem, const char *sysname)
{
	Manager *m = userdata;

	m->status.events_total++;
	if (!lost)
		log_debug("uevent %s %s %s", action, subsystem, sysname);
	/* A lost event needs nothing special: every check rescans everything anyway. */
	burst_event(m, event_stales(m, lost, action, subsystem));
}

static void on_kmsg_failure(void *userdata, const char *msg)
{
	Manager *m = userdata;
	Loader *k = m->loaders[LOADER_KERNEL];

	log_full(LOG_ERR, MSGID_RELOAD_FAILED, "CRASH_HOTPLUGD_LOADER=kernel",
		 "the kernel reported a failure updating the crash kernel's header: %s", msg);
	loader_kernel_note_failure(k, msg);
	need_reload(m);
	burst_event(m, true); /* the kernel's header missed an update */
}

/* What changes the loaded image, as opposed to timing: these need a reload. */
static bool load_settings_differ(const Config *a, const Config *b)
{
	const char *sa[] = { a->kernel, a->initrd, a->command_line, config_dry_run_output(a) };
	const char *sb[] = { b->kernel, b->initrd, b->command_line, config_dry_run_output(b) };

	if (a->loader != b->loader || a->max_phdrs != b->max_phdrs ||
	    a->capture_memory_hotplug != b->capture_memory_hotplug)
		return true;
	for (size_t i = 0; i < ELEMENTSOF(sa); i++)
		if (!!sa[i] != !!sb[i] || (sa[i] && !streq(sa[i], sb[i])))
			return true;
	return false;
}

static void notify_ready(Manager **m)
{
	if (*m)
		notify("READY=1\nSTATUS=%s", (*m)->status.message);
}

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	/* READY=1 on every way out, or systemctl reload waits for its timeout. */
	_cleanup_(notify_ready) Manager *m = userdata;
	_cleanup_(config_freep) Config *c = NULL;
	bool reload;

	notify("RELOADING=1\nMONOTONIC_USEC=%" PRIu64 "\nSTATUS=reloading the configuration",
	       now_usec(CLOCK_MONOTONIC));
	log_info("SIGHUP: reloading the configuration");
	if (load_config(m, &c) < 0) {
		log_error("keeping the previous configuration");
		publish(m, NULL); /* status.json shows why until a good one is read */
		return 0;
	}
	m->status.config_error[0] = '\0';
	reload = load_settings_differ(m->config, c);
	config_free(m->config);
	m->config = TAKE_PTR(c);
	/* A burst in progress keeps its start; new periods apply from the next event. */
	debounce_set_periods(&m->debounce, m->config->quiet_usec, m->config->max_delay_usec);
	if (reload) {
		log_info("loader settings changed: reloading the crash kernel with them");
		reset_chain(m);
		need_reload(m);
	}
	m->burst_last_usec = 0;
	m->trigger = "after a configuration change";
	drop_prepared(m); /* made with the previous settings */
	check(m);
	return 0;
}

static int on_exit_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	Manager *m = userdata;

	/* Never unload: a crash kernel that is loaded stays useful after we are gone. */
	log_info("%s: stopping; the crash kernel stays loaded", strsignal((int)si->ssi_signo));
	(void)unannounce(m); /* the load had not started: what is loaded is the pending header */
	if (m->status.state == STATE_RELOADING) /* a retry or a rate-limited load was due */
		set_state(m, STATE_UNPROTECTED, "stopped before the reload was done");
	else if (m->status.state == STATE_PENDING) {
		unsigned n = m->status.pending_events;
		char detail[128];

		leave_pending(m);
		snprintf(detail, sizeof(detail), "stopped with %u event%s not yet in the loaded header", n,
			 n == 1 ? "" : "s");
		set_state(m, STATE_UNPROTECTED, detail);
	}
	notify("STOPPING=1");
	return sd_event_exit(m->event, 0);
}

static int mkdir_p(const char *path, mode_t mode)
{
	_cleanup_(freep) char *p = strdup(path);

	if (!p)
		return -ENOMEM;
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			if (mkdir(p, mode) < 0 && errno != EEXIST)
				return negative_errno();
			*s = '/';
		}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return negative_errno();
	return 0;
}

Manager *manager_free(Manager *m)
{
	if (!m)
		return NULL;
	sd_event_source_disable_unref(m->debounce_timer);
	sd_event_source_disable_unref(m->announce_timer);
	sd_event_source_disable_unref(m->pending_timer);
	sd_event_source_disable_unref(m->prepare_timer);
	topology_free(m->prepared);
	sd_event_source_disable_unref(m->retry_timer);
	sd_event_source_disable_unref(m->budget_timer);
	monitor_free(m->monitor);
	file_watch_free(m->file_watch);
	kmsg_watch_free(m->kmsg_watch);
	free_loaders(m);
	topology_free(m->loaded);
	elfcorehdr_builder_free(m->builder);
	free(m->header);
	config_free(m->config);
	sd_event_unref(m->event);
	free(m->root);
	free(m->config_path);
	free(m->runtime_dir);
	free(m);
	return NULL;
}

int manager_new(const ManagerOptions *o, Manager **ret)
{
	_cleanup_(manager_freep) Manager *m = NULL;
	int r;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->root = strdup(o->root ? o->root : "/");
	m->runtime_dir = strdup(o->runtime_dir);
	m->config_path = o->config_path ? strdup(o->config_path) : NULL;
	if (!m->root || !m->runtime_dir || (o->config_path && !m->config_path))
		return -ENOMEM;
	m->monitor_kind = o->monitor;
	m->loader_override = o->loader_override;
	m->ops = o->ops;
	m->status.state = m->published_state = STATE_STARTING;
	m->announced = -1;
	m->status.loader = "none";
	m->state_since_boot = now_usec(CLOCK_BOOTTIME);
	m->status.state_since_usec = now_usec(CLOCK_REALTIME);
	m->status.start_time = status_self_start_time(); /* once: every publish writes it */

	r = load_config(m, &m->config);
	if (r < 0)
		return r == -ENOMEM ? r : MANAGER_BAD_CONFIG;
	debounce_init(&m->debounce, m->config->quiet_usec, m->config->max_delay_usec);
	reload_budget_init(&m->budget);
	reset_chain(m);
	r = elfcorehdr_builder_new(&m->builder);
	if (r < 0)
		return r;
	r = sd_event_default(&m->event);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(m);
	return 0;
}

int manager_start(Manager *m)
{
	int r, crash_loaded;

	r = mkdir_p(m->runtime_dir, 0755);
	if (r < 0) {
		log_error("cannot create %s: %s", m->runtime_dir, strerror(-r));
		return r;
	}
	/* PROCMASK: sd-event blocks the signals itself, in this thread only. */
	r = sd_event_add_signal(m->event, NULL, SIGTERM | SD_EVENT_SIGNAL_PROCMASK, on_exit_signal, m);
	if (r >= 0)
		r = sd_event_add_signal(m->event, NULL, SIGINT | SD_EVENT_SIGNAL_PROCMASK, on_exit_signal, m);
	if (r >= 0)
		r = sd_event_add_signal(m->event, NULL, SIGHUP | SD_EVENT_SIGNAL_PROCMASK, on_sighup, m);
	if (r < 0) {
		log_error("cannot handle signals: %s", strerror(-r));
		return r;
	}
	(void)sd_event_set_watchdog(m->event, true);

	/* The monitor before the first snapshot: a change between the two then still arrives
	 * as an event instead of being missed. */
	r = monitor_new(m->event, m->monitor_kind, on_uevent, m, &m->monitor);
	if (r < 0) {
		log_error("cannot listen to %s uevents: %s", monitor_kind_to_string(m->monitor_kind), strerror(-r));
		return r;
	}
	if (m->monitor_kind == MONITOR_UDEV && access("/run/udev/control", F_OK) < 0)
		log_warning("udevd does not seem to run (no /run/udev/control): udev events may never arrive; "
			    "use --monitor=kernel on systems without udevd");
	log_info("listening to %s uevents for cpu and memory; loader %s, quiet period %" PRIu64
		 " ms, at most %" PRIu64 " ms",
		 monitor_kind_to_string(m->monitor_kind), loader_kind_to_string(m->config->loader),
		 m->config->quiet_usec / 1000, m->config->max_delay_usec / 1000);

	crash_loaded = loader_crash_loaded(m->root);
	if (m->config->load_on_start && restore_loaded(m, crash_loaded)) {
		/* A restart (package upgrade): what is loaded is ours and still right. A change
		 * from here on reloads as usual. */
		m->trigger = "at start";
		check(m);
	} else if (m->config->load_on_start) {
		/* We cannot read back a header someone else loaded: treat it as stale, once. */
		m->force_reload = true;
		m->trigger = "at start";
		check(m);
	} else {
		_cleanup_(topology_freep) Topology *t = NULL;
		Diag d = { 0 };

		if (topology_read(m->root, &t, &d) >= 0) {
			note_topology(m, t);
			if (crash_loaded == 1) {
				/* LoadOnStart=no: trust what kdump loaded until the topology changes. */
				m->loaded_known = true;
				m->loaded_fp = m->status.fingerprint = topology_fingerprint(t);
				m->loaded = TAKE_PTR(t);
			}
		}
		if (m->n_chain > 0 && m->chain[m->active] == LOADER_DRY_RUN)
			set_state(m, STATE_DRY_RUN, NULL); /* whatever is loaded, the plan loads nothing */
		else
			set_state(m, crash_loaded == 1 ? STATE_PROTECTED : STATE_UNPROTECTED,
				  crash_loaded == 1 ? NULL : "LoadOnStart=no and no crash kernel loaded yet");
	}
	notify("READY=1\nSTATUS=%s", m->status.message);
	return 0;
}

int manager_run(Manager *m)
{
	int r = sd_event_loop(m->event);

	if (r < 0) {
		log_error("event loop failed: %s", strerror(-r));
		return EXIT_FAILURE;
	}
	return r;
}
