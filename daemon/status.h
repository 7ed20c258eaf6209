/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the daemon publishes: RUNTIME_DIR/status.json (read by crash-hotplugctl and the VM
 * tests; a flat object whose keys never change meaning) and the STATUS= line. */
#pragma once

#include "config.h" /* LoaderKind */
#include "status-json.h"

typedef struct StatusFailureCount {
	LoaderKind loader;
	int error;       /* positive errno */
	uint64_t count;
} StatusFailureCount;

typedef struct Status {
	DaemonState state;
	const char *loader;              /* the loader in use (last that worked, or the next to try) */
	uint64_t reloads;                /* crash kernel loads that succeeded (the kernel loader never loads) */
	uint64_t failures;               /* load attempts that failed */
	uint64_t reloads_by[_LOADER_MAX]; /* reloads, by the loader that did them */
	StatusFailureCount failures_by[STATUS_MAX_FAILURE_KINDS]; /* failures, by loader and errno */
	size_t n_failures_by;
	uint64_t state_since_usec;       /* CLOCK_REALTIME of the last state change */
	uint64_t unprotected_usec;       /* time not protected (not protected/kernel-managed), up to now */
	uint64_t events_total;           /* relevant uevents received (an overflow counts as one) */
	unsigned last_burst_events;      /* events coalesced into the last check */
	uint64_t last_reload_realtime_usec;
	uint64_t last_reload_syscall_usec;
	uint64_t last_event_to_reload_usec; /* last event of the burst to the load's return */
	size_t cpus, ram_ranges;
	uint64_t ram_bytes;
	size_t phdrs_used, max_phdrs;
	uint64_t fingerprint;            /* of the topology last loaded (or checked, kernel mode) */
	uint64_t repairs;                /* reloads because the kernel's own update could not be trusted */
	unsigned pending_events;         /* state pending: events of the burst not yet checked */
	uint64_t pending_since_usec;     /* CLOCK_REALTIME of its first event, 0 when not pending */
	uint64_t reload_due_usec;        /* CLOCK_REALTIME when the debouncer fires, 0 when not pending */
	char last_repair[256];           /* why the last repair happened, "" for none */
	const char *kernel_map;          /* "kcore", or "guessed" (PAGE_OFFSET/text without /proc/kcore) */
	char config_error[512];          /* why the last configuration reload was refused, "" when it was not */
	char message[640];               /* human status line, also sent as STATUS= */
	uint64_t start_time;             /* status_self_start_time(), read once: it never changes */
} Status;

/* This process's start time (field 22 of /proc/self/stat, clock ticks after boot), or 0 when
 * /proc cannot tell: status.json then leaves it out, and crash-hotplugctl says it cannot
 * verify the pid. */
uint64_t status_self_start_time(void);

/* The human line for s->state and counters into s->message: "protected: 4 CPUs, 37 RAM
 * ranges (6.0 GiB), reloaded with file in 38 ms after 16 events". detail (may be NULL) is
 * appended for unprotected/reloading states. */
void status_format_message(Status *s, const char *detail);

/* Counts a failed load of loader with error (positive errno) into s->failures_by; the last
 * slot takes what does not fit. */
void status_count_failure(Status *s, LoaderKind loader, int error);

/* s as status.json holds it, with this process's pid and s->start_time ("start_time", left
 * out when 0), by which crash-hotplugctl tells the daemon from a process that reuses the
 * pid. */
void status_to_record(const Status *s, StatusRecord *ret);

/* Writes r to dir/status.json atomically (temporary file + rename). 0 or -errno. */
int status_write(const char *dir, const StatusRecord *r);
