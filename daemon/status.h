/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the daemon publishes: RUNTIME_DIR/status.json (read by crash-hotplugctl and the VM
 * tests; a flat object whose keys never change meaning) and the STATUS= line. */
#pragma once

#include "util.h"

typedef enum DaemonState {
	STATE_STARTING,
	STATE_PROTECTED,
	STATE_RELOADING,
	STATE_UNPROTECTED,
	STATE_KERNEL_MANAGED,
	_STATE_MAX,
} DaemonState;

const char *daemon_state_to_string(DaemonState s);

typedef struct Status {
	DaemonState state;
	const char *loader;              /* the loader in use (last that worked, or the next to try) */
	uint64_t reloads;                /* crash kernel loads that succeeded (the kernel loader never loads) */
	uint64_t failures;               /* load attempts that failed */
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
	char last_repair[256];           /* why the last repair happened, "" for none */
	const char *kernel_map;          /* "kcore", or "guessed" (PAGE_OFFSET/text without /proc/kcore) */
	char message[640];               /* human status line, also sent as STATUS= */
} Status;

/* The human line for s->state and counters into s->message: "protected: 4 CPUs, 37 RAM
 * ranges (6.0 GiB), reloaded with file in 38 ms after 16 events". detail (may be NULL) is
 * appended for unprotected/reloading states. */
void status_format_message(Status *s, const char *detail);

/* Writes dir/status.json atomically (temporary file + rename), with this process's pid and,
 * when /proc/self/stat tells it, its start time ("start_time", clock ticks after boot), by
 * which crash-hotplugctl tells the daemon from a process that reuses the pid. */
int status_write(const char *dir, const Status *s);
