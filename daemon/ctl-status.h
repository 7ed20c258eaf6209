/* SPDX-License-Identifier: GPL-2.0-or-later */
/* crash-hotplugctl's reader of the daemon's status.json: one flat JSON object, read strictly
 * enough to never trust it and loosely enough that keys added later are skipped. */
#pragma once

#include "status-json.h"

/* What status.json holds (status-json.h: one reader and writer for daemon and tool). */
typedef StatusRecord CtlStatus;

/* status_json_parse(): text[0..len) (no NUL needed), strictly (see status-json.h). 0, or
 * -EINVAL with reason filled; *ret is untouched on error. */
int ctl_status_parse(const char *text, size_t len, CtlStatus *ret, char *reason, size_t reason_size);

/* Reads (lib/path.h: never blocks) and parses a regular file of at most READ_CAP_STATUS
 * (64 KiB): -ENOENT/-EACCES/... from opening, -EFBIG, -EINVAL (not a regular file, or
 * malformed); reason is filled on every error but -ENOMEM. */
int ctl_status_read(const char *path, CtlStatus *ret, char *reason, size_t reason_size);

/* The same object as JSON on out, plus v (status-json.h: the caller's check of the pid and
 * of the kernel); start_time only when known. s NULL: only "running", "protected" and
 * "reason" (no status file). 0 or -ENOMEM/-EIO. */
int ctl_status_print_json(const CtlStatus *s, const StatusJsonVerdict *v, FILE *out);

/* s made safe for a terminal into buf: C0 controls, DEL, the C1 controls U+0080..U+009F and
 * bytes that are not UTF-8 become \xNN (each byte), a backslash "\\"; other UTF-8 is copied.
 * Cut at a whole character or escape when buf is short; CTL_ESCAPED_SIZE(strlen(s)) never is.
 * Returns buf. */
#define CTL_ESCAPED_SIZE(len) (4 * (len) + 1)
const char *ctl_escape(const char *s, char *buf, size_t size);

/* ---- is status.json's pid the daemon that wrote it? ---------------------------------- */

/* What the check needs of /proc/PID/stat and /proc/PID/status. */
typedef struct CtlProc {
	char comm[64];       /* as the kernel shows it, at most 63 bytes */
	char state;          /* R, S, D, Z, X, ... */
	uint64_t start_time; /* clock ticks after boot */
	uint64_t uid[4];     /* real, effective, saved, filesystem */
} CtlProc;

/* Parses a /proc/PID/stat line (text[0..len), no NUL needed) into p->comm, state, start_time:
 * comm is what lies between the first '(' and the last ')', the fields after that are counted
 * from the last ')' (a name may hold spaces and parentheses). 0 or -EINVAL; p untouched on
 * error. */
int ctl_proc_parse_stat(const char *text, size_t len, CtlProc *p);

/* Parses the "Uid:" line of /proc/PID/status into p->uid: 0 or -EINVAL (no such line, not four
 * numbers); p untouched on error. */
int ctl_proc_parse_status(const char *text, size_t len, CtlProc *p);

typedef enum CtlPidCheck {
	CTL_PID_DAEMON,     /* live, every uid 0, named crash-hotplugd, started when the file says */
	CTL_PID_GONE,       /* exited (a zombie) */
	CTL_PID_OTHER,      /* another program */
	CTL_PID_NOT_ROOT,   /* named crash-hotplugd, but some uid is not 0 */
	CTL_PID_UNVERIFIED, /* the file has no start_time: nothing proves the pid is still ours */
	CTL_PID_REUSED,     /* started at another time than the daemon that wrote the file */
} CtlPidCheck;

/* Judges p, read from /proc/<s->pid>, against s and the daemon's name, in the order above (so
 * the most telling reason wins: an unverifiable pid of another user is NOT_ROOT). */
CtlPidCheck ctl_pid_check(const CtlStatus *s, const CtlProc *p, const char *daemon_name);
