/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <inttypes.h>

#include "ctl-status.h"
#include "path.h"

int ctl_status_parse(const char *text, size_t len, CtlStatus *ret, char *reason, size_t reason_size)
{
	return status_json_parse(text, len, ret, reason, reason_size);
}

int ctl_status_read(const char *path, CtlStatus *ret, char *reason, size_t reason_size)
{
	_cleanup_(freep) char *buf = NULL;
	Diag d = {};
	size_t len;
	int r;

	/* A regular file only, opened without blocking: a FIFO in its place must not hang
	 * crash-hotplugctl, /dev/zero must not fill its memory. */
	r = path_read_file(NULL, path, READ_CAP_STATUS, 0, &buf, &len, &d);
	if (r < 0) {
		if (reason && reason_size > 0)
			snprintf(reason, reason_size, "%s", d.reason);
		return r;
	}
	return ctl_status_parse(buf, len, ret, reason, reason_size);
}

int ctl_status_print_json(const CtlStatus *s, const StatusJsonVerdict *v, FILE *out)
{
	_cleanup_(freep) char *text = NULL;
	size_t len;
	int r;

	r = s ? status_json_format(s, v, &text, &len) : status_json_format_absent(v->reason, &text, &len);
	if (r < 0)
		return r;
	return fwrite(text, 1, len, out) == len ? 0 : -EIO;
}

/* Length of the UTF-8 character at s (2 to 4 bytes) when it is well formed (shortest form, no
 * surrogate, at most U+10FFFF) and not a C1 control; 0 otherwise. Stops at a NUL. */
static size_t utf8_printable_length(const unsigned char *s)
{
	size_t n;
	unsigned cp;

	if (s[0] < 0xc2 || s[0] > 0xf4) /* ASCII, a continuation byte, an overlong or too big lead */
		return 0;
	n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	cp = s[0] & (0x7fu >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	if (cp <= 0x9f) /* U+0080..U+009F: CSI, OSC and the rest, for terminals that honour them */
		return 0;
	return n;
}

const char *ctl_escape(const char *s, char *buf, size_t size)
{
	size_t len = 0;

	if (size == 0)
		return buf;
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		char piece[5];
		size_t n;

		if (*p == '\\') {
			memcpy(piece, "\\\\", 2);
			n = 2;
			p++;
		} else if (*p >= 0x20 && *p < 0x7f) {
			piece[0] = (char)*p++;
			n = 1;
		} else if ((n = utf8_printable_length(p)) > 0) {
			memcpy(piece, p, n);
			p += n;
		} else {
			snprintf(piece, sizeof(piece), "\\x%02x", *p++);
			n = 4;
		}
		if (len + n >= size)
			break;
		memcpy(buf + len, piece, n);
		len += n;
	}
	buf[len] = '\0';
	return buf;
}

/* One unsigned decimal at *p (< end), moving *p past it: 0 or -EINVAL. */
static int parse_decimal(const char **p, const char *end, uint64_t *ret)
{
	const char *start = *p;
	uint64_t v = 0;

	for (; *p < end && **p >= '0' && **p <= '9'; (*p)++) {
		unsigned digit = (unsigned)(**p - '0');

		if (v > (UINT64_MAX - digit) / 10)
			return -EINVAL;
		v = v * 10 + digit;
	}
	if (*p == start)
		return -EINVAL;
	*ret = v;
	return 0;
}

int ctl_proc_parse_stat(const char *text, size_t len, CtlProc *p)
{
	const char *end = text + len, *open = memchr(text, '(', len), *close = memrchr(text, ')', len), *q;
	uint64_t start_time;
	size_t comm_len;
	char state;

	if (!open || !close || close < open)
		return -EINVAL;
	comm_len = (size_t)(close - open - 1);
	if (comm_len >= sizeof(p->comm) || memchr(open + 1, '\0', comm_len))
		return -EINVAL;
	/* "pid (comm) S ppid pgrp ...": one space before each field, field 3 is the state. */
	q = close + 1;
	if (end - q < 3 || q[0] != ' ' || q[2] != ' ')
		return -EINVAL;
	state = q[1];
	q += 2;
	/* Fields 4 to 21 (some negative, like nice), then field 22. */
	for (int field = 4; field < 22; field++) {
		const char *start = ++q;

		while (q < end && *q != ' ' && *q != '\n')
			q++;
		if (q == start || q >= end || *q != ' ')
			return -EINVAL;
	}
	q++;
	if (parse_decimal(&q, end, &start_time) < 0 || (q < end && *q != ' ' && *q != '\n'))
		return -EINVAL;
	memcpy(p->comm, open + 1, comm_len);
	p->comm[comm_len] = '\0';
	p->state = state;
	p->start_time = start_time;
	return 0;
}

int ctl_proc_parse_status(const char *text, size_t len, CtlProc *p)
{
	const char *end = text + len;

	for (const char *line = text; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line)), *eol = nl ? nl : end, *q;
		uint64_t uid[ELEMENTSOF(p->uid)];

		if (eol - line < 4 || memcmp(line, "Uid:", 4) != 0) {
			if (!nl)
				break;
			line = nl + 1;
			continue;
		}
		/* "Uid:\t0\t0\t0\t0": real, effective, saved, filesystem. */
		q = line + 4;
		for (size_t i = 0; i < ELEMENTSOF(uid); i++) {
			const char *start = q;

			while (q < eol && (*q == '\t' || *q == ' '))
				q++;
			if (q == start || parse_decimal(&q, eol, &uid[i]) < 0)
				return -EINVAL;
		}
		while (q < eol && (*q == '\t' || *q == ' '))
			q++;
		if (q != eol)
			return -EINVAL;
		memcpy(p->uid, uid, sizeof(uid));
		return 0;
	}
	return -EINVAL;
}

CtlPidCheck ctl_pid_check(const CtlStatus *s, const CtlProc *p, const char *daemon_name)
{
	/* A zombie keeps its name until reaped, but has exited. */
	if (p->state == 'Z' || p->state == 'X' || p->state == 'x')
		return CTL_PID_GONE;
	if (!streq(p->comm, daemon_name))
		return CTL_PID_OTHER;
	/* Anyone can name a program crash-hotplugd; only root runs the daemon. */
	for (size_t i = 0; i < ELEMENTSOF(p->uid); i++)
		if (p->uid[i] != 0)
			return CTL_PID_NOT_ROOT;
	/* pid and start time name one process for the whole uptime; the pid alone is reused. */
	if (s->start_time == 0)
		return CTL_PID_UNVERIFIED;
	if (p->start_time != s->start_time)
		return CTL_PID_REUSED;
	return CTL_PID_DAEMON;
}
