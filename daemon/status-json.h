/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RUNTIME_DIR/status.json, written by the daemon and read by crash-hotplugctl, in one place
 * (json-c both ways): one object whose keys never change meaning, keys added later skipped
 * by older readers. StatusRecord is what the file holds. */
#pragma once

#include "util.h"

/* The daemon's states, as status.json and the metrics name them. */
typedef enum DaemonState {
	STATE_STARTING,
	STATE_PROTECTED,
	STATE_RELOADING,
	STATE_UNPROTECTED,
	STATE_KERNEL_MANAGED,
	STATE_DRY_RUN,      /* Loader=dry-run: the plan is written, nothing is loaded */
	STATE_PENDING,      /* a crash kernel is loaded, but events since pending_since may not be
			     * in its header: a panic now may save an incomplete dump */
	_STATE_MAX,
} DaemonState;

/* "protected", "kernel-managed", ...; "unknown" out of range. */
const char *daemon_state_to_string(DaemonState s);
/* The DaemonState named s, or -EINVAL. */
int daemon_state_from_string(const char *s);
/* A crash kernel that fits the topology is loaded: protected, or kernel-managed (the
 * kernel keeps its own header current, the daemon checked it). */
bool daemon_state_is_protected(const char *state);

#define STATUS_MAX_LOADERS 8
#define STATUS_MAX_FAILURE_KINDS 32

typedef struct StatusRecord {
	int64_t pid;
	uint64_t start_time; /* of pid, in clock ticks after boot (field 22 of /proc/PID/stat); 0 when
			      * the file has none (a daemon before start_time): pid cannot be verified */
	char state[32];   /* daemon_state_to_string() */
	char loader[32];
	uint64_t state_since_usec;   /* CLOCK_REALTIME of the last state change, 0 unknown */
	uint64_t unprotected_usec;   /* time in states other than protected/kernel-managed, up to the write */
	uint64_t reloads, failures, events_total, last_burst_events;
	uint64_t last_reload_realtime_usec, last_reload_syscall_usec, last_event_to_reload_usec;
	uint64_t cpus, ram_ranges, ram_bytes, phdrs_used, max_phdrs;
	uint64_t fingerprint; /* written as a 16-digit hex string */
	uint64_t repairs;     /* reloads that repaired the kernel's own header */
	uint64_t pending_events;     /* events of the burst being debounced (state pending), else 0 */
	uint64_t pending_since_usec; /* CLOCK_REALTIME of that burst's first event, 0 when none */
	uint64_t reload_due_usec;    /* CLOCK_REALTIME when its check is due, 0 when none */
	char last_repair[256];
	char kernel_map[16];  /* kcore or guessed */
	char config_error[512]; /* the last SIGHUP's configuration was refused (file:line: reason), the
				 * previous one kept; "" when the last reload of it was good */
	char message[704];
	/* "reloads_by_loader": {"file": 3, ...} */
	struct {
		char loader[32];
		uint64_t count;
	} reloads_by[STATUS_MAX_LOADERS];
	size_t n_reloads_by;
	/* "failures_by_reason": {"file": {"EBUSY": 2}, ...}, reason an errno name */
	struct {
		char loader[32];
		char reason[32];
		uint64_t count;
	} failures_by[STATUS_MAX_FAILURE_KINDS];
	size_t n_failures_by;
} StatusRecord;

/* What crash-hotplugctl adds to the object: its check of the pid and of the kernel. */
typedef struct StatusJsonVerdict {
	bool running;       /* the pid is the daemon that wrote the file */
	const char *reason; /* why not, or NULL */
	int kernel_loaded;  /* /sys/kernel/kexec_crash_loaded: 1, 0, or -1 unknown */
	const char *warning; /* the daemon's state and the kernel disagree: what, or NULL */
} StatusJsonVerdict;

/* s as one JSON object and a newline into a new string (*ret, its length in *ret_len);
 * start_time only when known. With v (crash-hotplugctl): "running", "protected" (running,
 * a protecting state, and the kernel not saying that nothing is loaded), "reason" (when
 * v->reason), "kernel_loaded" (when known) and "warning" (when v->warning) after pid and
 * start_time. 0 or -ENOMEM. */
int status_json_format(const StatusRecord *s, const StatusJsonVerdict *v, char **ret, size_t *ret_len);

/* {"running":false,"protected":false,"reason":REASON} and a newline, for no status file. */
int status_json_format_absent(const char *reason, char **ret, size_t *ret_len);

/* Parses text[0..len) (no NUL needed). Integers must be non-negative and fit 64 bits (the
 * largest, 2^64-1, is refused too: json-c saturates at it); strings longer than their field,
 * strings holding a NUL, nesting deeper than 16, trailing data, a missing "pid" (> 0) or
 * "state", more table entries than the record holds are errors. Other keys are skipped
 * whatever their value. 0, or -EINVAL with reason filled (-ENOMEM); *ret is untouched on
 * error. */
int status_json_parse(const char *text, size_t len, StatusRecord *ret, char *reason, size_t reason_size);
