/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>

#include "ctl-status.h"
#include "path.h"

#define MAX_DEPTH 16

typedef struct Cursor {
	const char *start, *p, *end;
	char *reason;
	size_t reason_size;
} Cursor;

_printf_(2, 3) static int fail(Cursor *c, const char *fmt, ...)
{
	if (c->reason && c->reason_size > 0) {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(c->reason, c->reason_size, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static void skip_ws(Cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static bool next_is(Cursor *c, char ch)
{
	skip_ws(c);
	return c->p < c->end && *c->p == ch;
}

static int expect(Cursor *c, char ch)
{
	if (!next_is(c, ch))
		return fail(c, "expected '%c' at byte %zu", ch, (size_t)(c->p - c->start));
	c->p++;
	return 0;
}

static int hex4(Cursor *c, unsigned *ret)
{
	unsigned v = 0;

	if (c->end - c->p < 4)
		return fail(c, "truncated \\u escape");
	for (int i = 0; i < 4; i++) {
		char h = *c->p++;

		v <<= 4;
		if (h >= '0' && h <= '9')
			v |= (unsigned)(h - '0');
		else if (h >= 'a' && h <= 'f')
			v |= (unsigned)(h - 'a' + 10);
		else if (h >= 'A' && h <= 'F')
			v |= (unsigned)(h - 'A' + 10);
		else
			return fail(c, "bad \\u escape");
	}
	*ret = v;
	return 0;
}

/* Appends a code point as UTF-8; false when buf is full. */
static bool put_utf8(char *buf, size_t size, size_t *len, unsigned cp)
{
	char tmp[4];
	size_t n;

	if (cp < 0x80) {
		tmp[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		tmp[0] = (char)(0xc0 | (cp >> 6));
		tmp[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		tmp[0] = (char)(0xe0 | (cp >> 12));
		tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		tmp[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		tmp[0] = (char)(0xf0 | (cp >> 18));
		tmp[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		tmp[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		tmp[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	if (*len + n >= size)
		return false;
	memcpy(buf + *len, tmp, n);
	*len += n;
	return true;
}

/* A JSON string into buf (NUL-terminated); buf NULL just skips it. */
static int parse_string(Cursor *c, char *buf, size_t size)
{
	size_t len = 0;

	if (expect(c, '"') < 0)
		return -EINVAL;
	while (c->p < c->end && *c->p != '"') {
		unsigned cp = (unsigned char)*c->p++;

		if (cp < 0x20)
			return fail(c, "control character in a string");
		if (cp == '\\') {
			if (c->p >= c->end)
				break;
			switch (*c->p++) {
			case '"': cp = '"'; break;
			case '\\': cp = '\\'; break;
			case '/': cp = '/'; break;
			case 'b': cp = '\b'; break;
			case 'f': cp = '\f'; break;
			case 'n': cp = '\n'; break;
			case 'r': cp = '\r'; break;
			case 't': cp = '\t'; break;
			case 'u': {
				unsigned lo;

				if (hex4(c, &cp) < 0)
					return -EINVAL;
				if (cp >= 0xdc00 && cp <= 0xdfff)
					return fail(c, "lone low surrogate");
				if (cp >= 0xd800 && cp <= 0xdbff) {
					if (c->end - c->p < 2 || c->p[0] != '\\' || c->p[1] != 'u')
						return fail(c, "high surrogate without its pair");
					c->p += 2;
					if (hex4(c, &lo) < 0)
						return -EINVAL;
					if (lo < 0xdc00 || lo > 0xdfff)
						return fail(c, "bad surrogate pair");
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				}
				if (cp == 0)
					return fail(c, "NUL in a string");
				break;
			}
			default:
				return fail(c, "bad escape in a string");
			}
			if (buf && !put_utf8(buf, size, &len, cp))
				return fail(c, "string longer than %zu bytes", size - 1);
			continue;
		}
		/* Raw bytes (UTF-8 included) are copied as they are. */
		if (buf) {
			if (len + 1 >= size)
				return fail(c, "string longer than %zu bytes", size - 1);
			buf[len++] = (char)cp;
		}
	}
	if (c->p >= c->end)
		return fail(c, "unterminated string");
	c->p++;
	if (buf)
		buf[len] = '\0';
	return 0;
}

static int parse_uint(Cursor *c, uint64_t *ret)
{
	uint64_t v = 0;
	const char *start;

	skip_ws(c);
	start = c->p;
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		unsigned digit = (unsigned)(*c->p - '0');

		if (v > (UINT64_MAX - digit) / 10)
			return fail(c, "number does not fit 64 bits");
		v = v * 10 + digit;
		c->p++;
	}
	if (c->p == start)
		return fail(c, "expected a non-negative integer");
	if (c->p < c->end && (*c->p == '.' || *c->p == 'e' || *c->p == 'E'))
		return fail(c, "expected an integer, got a fraction or exponent");
	*ret = v;
	return 0;
}

static int skip_literal(Cursor *c, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
		return fail(c, "unexpected character '%c'", *c->p);
	c->p += n;
	return 0;
}

/* Any JSON value, for keys this reader does not know (added by a newer daemon). */
static int skip_value(Cursor *c, unsigned depth)
{
	if (depth > MAX_DEPTH)
		return fail(c, "nested deeper than %d", MAX_DEPTH);
	skip_ws(c);
	if (c->p >= c->end)
		return fail(c, "truncated");
	switch (*c->p) {
	case '"':
		return parse_string(c, NULL, 0);
	case '{':
	case '[': {
		char close = *c->p == '{' ? '}' : ']';
		bool object = close == '}';

		c->p++;
		if (next_is(c, close)) {
			c->p++;
			return 0;
		}
		for (;;) {
			if (object && (parse_string(c, NULL, 0) < 0 || expect(c, ':') < 0))
				return -EINVAL;
			if (skip_value(c, depth + 1) < 0)
				return -EINVAL;
			if (next_is(c, ',')) {
				c->p++;
				continue;
			}
			return expect(c, close);
		}
	}
	case 't':
		return skip_literal(c, "true");
	case 'f':
		return skip_literal(c, "false");
	case 'n':
		return skip_literal(c, "null");
	default: {
		uint64_t ignored;

		if (*c->p == '-')
			c->p++;
		if (parse_uint(c, &ignored) < 0) {
			/* Fractions and exponents are fine in a value we do not read. */
			while (c->p < c->end && strchr("0123456789.eE+-", *c->p))
				c->p++;
			return 0;
		}
		return 0;
	}
	}
}

enum { F_UINT, F_STRING, F_HEX };

#define U(name) { #name, F_UINT, offsetof(CtlStatus, name), 0 }
#define S(name) { #name, F_STRING, offsetof(CtlStatus, name), sizeof(((CtlStatus *)0)->name) }
static const struct {
	const char *key;
	int type;
	size_t offset, size;
} fields[] = {
	S(state), S(loader), S(message), S(last_repair), S(kernel_map),
	U(reloads), U(repairs), U(failures), U(events_total), U(last_burst_events), U(last_reload_realtime_usec),
	U(last_reload_syscall_usec), U(last_event_to_reload_usec), U(cpus), U(ram_ranges), U(ram_bytes),
	U(phdrs_used), U(max_phdrs),
	{ "fingerprint", F_HEX, offsetof(CtlStatus, fingerprint), 0 },
};
#undef U
#undef S

static int parse_field(Cursor *c, const char *key, CtlStatus *s, bool *have_pid, bool *have_state)
{
	if (streq(key, "pid")) {
		uint64_t v;

		if (parse_uint(c, &v) < 0)
			return -EINVAL;
		if (v == 0 || v > INT32_MAX)
			return fail(c, "pid %" PRIu64 " out of range", v);
		s->pid = (int64_t)v;
		*have_pid = true;
		return 0;
	}
	if (streq(key, "start_time"))
		return parse_uint(c, &s->start_time);
	for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
		char *field = (char *)s + fields[i].offset;

		if (!streq(key, fields[i].key))
			continue;
		switch (fields[i].type) {
		case F_UINT:
			return parse_uint(c, (uint64_t *)field);
		case F_STRING:
			/* A repeated key leaves nothing of its longer first value behind the NUL. */
			memset(field, 0, fields[i].size);
			if (parse_string(c, field, fields[i].size) < 0)
				return -EINVAL;
			if (streq(key, "state"))
				*have_state = true;
			return 0;
		default: {
			char hex[32], *end;

			if (parse_string(c, hex, sizeof(hex)) < 0)
				return -EINVAL;
			errno = 0;
			*(uint64_t *)field = strtoull(hex, &end, 16);
			if (!*hex || *end || errno != 0 || hex[0] == '-' || hex[0] == '+' || hex[0] == ' ')
				return fail(c, "fingerprint \"%s\" is not a 64-bit hex number", hex);
			return 0;
		}
		}
	}
	return skip_value(c, 1);
}

int ctl_status_parse(const char *text, size_t len, CtlStatus *ret, char *reason, size_t reason_size)
{
	Cursor c = { .start = text, .p = text, .end = text + len, .reason = reason, .reason_size = reason_size };
	CtlStatus s = {};
	bool have_pid = false, have_state = false;

	if (reason && reason_size > 0)
		reason[0] = '\0';
	if (expect(&c, '{') < 0)
		return -EINVAL;
	if (next_is(&c, '}'))
		c.p++;
	else
		for (;;) {
			char key[64];

			if (parse_string(&c, key, sizeof(key)) < 0 || expect(&c, ':') < 0)
				return -EINVAL;
			if (parse_field(&c, key, &s, &have_pid, &have_state) < 0)
				return -EINVAL;
			if (next_is(&c, ',')) {
				c.p++;
				continue;
			}
			if (expect(&c, '}') < 0)
				return -EINVAL;
			break;
		}
	skip_ws(&c);
	if (c.p != c.end)
		return fail(&c, "data after the object");
	if (!have_pid || !have_state)
		return fail(&c, "\"pid\" or \"state\" missing");
	*ret = s;
	return 0;
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

void ctl_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

void ctl_status_print_json(const CtlStatus *s, bool running, FILE *out)
{
	fprintf(out, "{\"pid\":%" PRId64, s->pid);
	if (s->start_time > 0)
		fprintf(out, ",\"start_time\":%" PRIu64, s->start_time);
	fprintf(out, ",\"running\":%s,\"state\":", running ? "true" : "false");
	ctl_json_string(out, s->state);
	fputs(",\"loader\":", out);
	ctl_json_string(out, s->loader);
	for (size_t i = 0; i < ELEMENTSOF(fields); i++)
		if (fields[i].type == F_UINT)
			fprintf(out, ",\"%s\":%" PRIu64, fields[i].key, *(const uint64_t *)((const char *)s + fields[i].offset));
	fputs(",\"kernel_map\":", out);
	ctl_json_string(out, s->kernel_map);
	fputs(",\"last_repair\":", out);
	ctl_json_string(out, s->last_repair);
	fprintf(out, ",\"fingerprint\":\"%016" PRIx64 "\",\"message\":", s->fingerprint);
	ctl_json_string(out, s->message);
	fputs("}\n", out);
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
