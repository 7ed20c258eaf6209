/* SPDX-License-Identifier: GPL-2.0-or-later */
/* crash-hotplugctl's reader of the daemon's status.json: one flat JSON object, read strictly
 * enough to never trust it and loosely enough that keys added later are skipped. */
#pragma once

#include "util.h"

typedef struct CtlStatus {
	int64_t pid;
	char state[32];   /* starting, protected, reloading, unprotected, kernel-managed */
	char loader[32];
	uint64_t reloads, failures, events_total, last_burst_events;
	uint64_t last_reload_realtime_usec, last_reload_syscall_usec, last_event_to_reload_usec;
	uint64_t cpus, ram_ranges, ram_bytes, phdrs_used, max_phdrs;
	uint64_t fingerprint; /* written as a 16-digit hex string */
	uint64_t repairs;     /* reloads that repaired the kernel's own header */
	char last_repair[256];
	char kernel_map[16];  /* kcore or guessed */
	char message[704];
} CtlStatus;

/* Parses text[0..len) (no NUL needed). Integers must be non-negative and fit 64 bits; strings
 * longer than their field, nesting deeper than 16, trailing data, a missing "pid" (> 0) or
 * "state" are errors. Keys not listed above are skipped whatever their value. 0, or -EINVAL
 * with reason filled; *ret is untouched on error. */
int ctl_status_parse(const char *text, size_t len, CtlStatus *ret, char *reason, size_t reason_size);

/* Reads and parses a file of at most 64 KiB: -ENOENT/-EACCES/... from opening, -EFBIG,
 * -EINVAL (reason filled). */
int ctl_status_read(const char *path, CtlStatus *ret, char *reason, size_t reason_size);

/* The same object as JSON on out, plus "running" (the caller's check of the pid). */
void ctl_status_print_json(const CtlStatus *s, bool running, FILE *out);

/* A JSON string literal for s (quotes included), escaping what JSON requires. */
void ctl_json_string(FILE *out, const char *s);
