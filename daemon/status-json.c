/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>

#include "json-util.h"
#include "status-json.h"

/* The top-level object and 16 levels inside it. */
#define MAX_DEPTH 17

static const char *const state_names[_STATE_MAX] = {
	[STATE_STARTING] = "starting",
	[STATE_PROTECTED] = "protected",
	[STATE_RELOADING] = "reloading",
	[STATE_UNPROTECTED] = "unprotected",
	[STATE_KERNEL_MANAGED] = "kernel-managed",
	[STATE_DRY_RUN] = "dry-run",
	[STATE_PENDING] = "pending",
};

const char *daemon_state_to_string(DaemonState s)
{
	return s < _STATE_MAX ? state_names[s] : "unknown";
}

int daemon_state_from_string(const char *s)
{
	for (size_t i = 0; i < _STATE_MAX; i++)
		if (streq(s, state_names[i]))
			return (int)i;
	return -EINVAL;
}

bool daemon_state_is_protected(const char *state)
{
	return streq(state, "protected") || streq(state, "kernel-managed");
}

static void json_tokener_freep(json_tokener **t)
{
	if (*t)
		json_tokener_free(*t);
}

/* ---- writing -------------------------------------------------------------------------- */

static json_object *new_uint(uint64_t v)
{
	return json_object_new_uint64(v);
}

/* o as text and a newline into a new string. */
static int to_string(json_object *o, char **ret, size_t *ret_len)
{
	const char *text;
	size_t len;

	text = json_text(o, &len);
	if (!text)
		return -ENOMEM;
	*ret = malloc(len + 2);
	if (!*ret)
		return -ENOMEM;
	memcpy(*ret, text, len);
	(*ret)[len] = '\n';
	(*ret)[len + 1] = '\0';
	*ret_len = len + 1;
	return 0;
}

static bool add_verdict(json_object *o, bool running, bool protected, const char *reason)
{
	return json_add(o, "running", json_object_new_boolean(running)) &&
	       json_add(o, "protected", json_object_new_boolean(protected)) &&
	       (!reason || json_add(o, "reason", json_object_new_string(reason)));
}

/* What the kernel says of the daemon's claim: "kernel_loaded" when known, "warning". */
static bool add_kernel_verdict(json_object *o, const StatusJsonVerdict *v)
{
	return (v->kernel_loaded < 0 || json_add(o, "kernel_loaded", json_object_new_boolean(v->kernel_loaded))) &&
	       (!v->warning || json_add(o, "warning", json_object_new_string(v->warning)));
}

int status_json_format_absent(const char *reason, char **ret, size_t *ret_len)
{
	_cleanup_(json_putp) json_object *o = json_object_new_object();

	if (!o || !add_verdict(o, false, false, reason))
		return -ENOMEM;
	return to_string(o, ret, ret_len);
}

/* {"file": 3, ...} and {"file": {"EBUSY": 2}, ...} into o. */
static int add_tables(json_object *o, const StatusRecord *s)
{
	_cleanup_(json_putp) json_object *by_loader = json_object_new_object(), *by_reason = json_object_new_object();

	if (!by_loader || !by_reason)
		return -ENOMEM;
	for (size_t i = 0; i < s->n_reloads_by && i < STATUS_MAX_LOADERS; i++)
		if (!json_add(by_loader, s->reloads_by[i].loader, new_uint(s->reloads_by[i].count)))
			return -ENOMEM;
	for (size_t i = 0; i < s->n_failures_by && i < STATUS_MAX_FAILURE_KINDS; i++) {
		json_object *per = NULL;

		if (!json_object_object_get_ex(by_reason, s->failures_by[i].loader, &per)) {
			per = json_object_new_object();
			if (!json_add(by_reason, s->failures_by[i].loader, per))
				return -ENOMEM;
		}
		if (!json_add(per, s->failures_by[i].reason, new_uint(s->failures_by[i].count)))
			return -ENOMEM;
	}
	if (!json_add(o, "reloads_by_loader", TAKE_PTR(by_loader)) || !json_add(o, "failures_by_reason", TAKE_PTR(by_reason)))
		return -ENOMEM;
	return 0;
}

int status_json_format(const StatusRecord *s, const StatusJsonVerdict *v, char **ret, size_t *ret_len)
{
	_cleanup_(json_putp) json_object *o = json_object_new_object();
	const struct {
		const char *key;
		uint64_t value;
	} counters[] = {
		{ "state_since", s->state_since_usec },
		{ "unprotected_usec", s->unprotected_usec },
		{ "reloads", s->reloads },
		{ "failures", s->failures },
		{ "events_total", s->events_total },
		{ "last_burst_events", s->last_burst_events },
		{ "last_reload_realtime_usec", s->last_reload_realtime_usec },
		{ "last_reload_syscall_usec", s->last_reload_syscall_usec },
		{ "last_event_to_reload_usec", s->last_event_to_reload_usec },
		{ "cpus", s->cpus },
		{ "ram_ranges", s->ram_ranges },
		{ "ram_bytes", s->ram_bytes },
		{ "phdrs_used", s->phdrs_used },
		{ "max_phdrs", s->max_phdrs },
		{ "repairs", s->repairs },
		{ "pending_events", s->pending_events },
		{ "pending_since", s->pending_since_usec },
		{ "reload_due", s->reload_due_usec },
	};
	char fingerprint[17];
	bool ok;

	if (!o)
		return -ENOMEM;
	/* The pid with its start time: together they name the daemon for the whole uptime. */
	ok = json_add(o, "pid", json_object_new_int64(s->pid));
	if (ok && s->start_time > 0)
		ok = json_add(o, "start_time", new_uint(s->start_time));
	if (ok && v)
		ok = add_verdict(o, v->running, v->running && daemon_state_is_protected(s->state) && v->kernel_loaded != 0,
				 v->reason) &&
		     add_kernel_verdict(o, v);
	ok = ok && json_add(o, "state", json_object_new_string(s->state));
	ok = ok && json_add(o, "loader", json_object_new_string(s->loader));
	for (size_t i = 0; ok && i < ELEMENTSOF(counters); i++)
		ok = json_add(o, counters[i].key, new_uint(counters[i].value));
	snprintf(fingerprint, sizeof(fingerprint), "%016" PRIx64, s->fingerprint);
	ok = ok && json_add(o, "kernel_map", json_object_new_string(s->kernel_map));
	ok = ok && json_add(o, "fingerprint", json_object_new_string(fingerprint));
	ok = ok && json_add(o, "last_repair", json_object_new_string(s->last_repair));
	ok = ok && json_add(o, "config_error", json_object_new_string(s->config_error));
	ok = ok && json_add(o, "message", json_object_new_string(s->message));
	if (!ok || add_tables(o, s) < 0)
		return -ENOMEM;
	return to_string(o, ret, ret_len);
}

/* ---- reading -------------------------------------------------------------------------- */

typedef struct Reason {
	char *buf;
	size_t size;
} Reason;

_printf_(2, 3) static int fail(Reason *why, const char *fmt, ...)
{
	if (why->buf && why->size > 0) {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(why->buf, why->size, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int get_uint(json_object *v, const char *key, uint64_t *ret, Reason *why)
{
	uint64_t u;

	if (!json_object_is_type(v, json_type_int))
		return fail(why, "\"%s\": expected a non-negative integer", key);
	if (json_object_get_int64(v) < 0)
		return fail(why, "\"%s\": negative", key);
	u = json_object_get_uint64(v);
	if (u == UINT64_MAX)
		return fail(why, "\"%s\": number does not fit 64 bits", key);
	*ret = u;
	return 0;
}

/* A string of at most size - 1 bytes, no NUL inside, into buf. */
static int copy_string(const char *s, size_t len, const char *key, char *buf, size_t size, Reason *why)
{
	if (memchr(s, '\0', len))
		return fail(why, "\"%s\": NUL in a string", key);
	if (len >= size)
		return fail(why, "\"%s\": string longer than %zu bytes", key, size - 1);
	memcpy(buf, s, len);
	buf[len] = '\0';
	return 0;
}

static int get_string(json_object *v, const char *key, char *buf, size_t size, Reason *why)
{
	if (!json_object_is_type(v, json_type_string))
		return fail(why, "\"%s\": expected a string", key);
	return copy_string(json_object_get_string(v), (size_t)json_object_get_string_len(v), key, buf, size, why);
}

static int get_fingerprint(json_object *v, uint64_t *ret, Reason *why)
{
	char hex[32], *end;
	uint64_t u;

	if (get_string(v, "fingerprint", hex, sizeof(hex), why) < 0)
		return -EINVAL;
	errno = 0;
	u = strtoull(hex, &end, 16);
	if (!*hex || *end || errno != 0 || hex[0] == '-' || hex[0] == '+' || hex[0] == ' ')
		return fail(why, "fingerprint \"%s\" is not a 64-bit hex number", hex);
	*ret = u;
	return 0;
}

static int get_reloads_by(json_object *v, StatusRecord *s, Reason *why)
{
	if (!json_object_is_type(v, json_type_object))
		return fail(why, "\"reloads_by_loader\": expected an object");
	json_object_object_foreach(v, loader, count) {
		size_t i = s->n_reloads_by;

		if (i >= STATUS_MAX_LOADERS)
			return fail(why, "\"reloads_by_loader\": more than %d loaders", STATUS_MAX_LOADERS);
		if (copy_string(loader, strlen(loader), "reloads_by_loader", s->reloads_by[i].loader,
				sizeof(s->reloads_by[i].loader), why) < 0 ||
		    get_uint(count, "reloads_by_loader", &s->reloads_by[i].count, why) < 0)
			return -EINVAL;
		s->n_reloads_by++;
	}
	return 0;
}

static int get_failures_by(json_object *v, StatusRecord *s, Reason *why)
{
	if (!json_object_is_type(v, json_type_object))
		return fail(why, "\"failures_by_reason\": expected an object");
	json_object_object_foreach(v, loader, reasons) {
		if (!json_object_is_type(reasons, json_type_object))
			return fail(why, "\"failures_by_reason\": expected an object per loader");
		json_object_object_foreach(reasons, reason, count) {
			size_t i = s->n_failures_by;

			if (i >= STATUS_MAX_FAILURE_KINDS)
				return fail(why, "\"failures_by_reason\": more than %d entries", STATUS_MAX_FAILURE_KINDS);
			if (copy_string(loader, strlen(loader), "failures_by_reason", s->failures_by[i].loader,
					sizeof(s->failures_by[i].loader), why) < 0 ||
			    copy_string(reason, strlen(reason), "failures_by_reason", s->failures_by[i].reason,
					sizeof(s->failures_by[i].reason), why) < 0 ||
			    get_uint(count, "failures_by_reason", &s->failures_by[i].count, why) < 0)
				return -EINVAL;
			s->n_failures_by++;
		}
	}
	return 0;
}

#define U(name, key) { key, offsetof(StatusRecord, name), 0 }
#define S(name) { #name, offsetof(StatusRecord, name), sizeof(((StatusRecord *)0)->name) }
static const struct {
	const char *key;
	size_t offset, size; /* size 0: an integer */
} fields[] = {
	S(state), S(loader), S(message), S(last_repair), S(kernel_map), S(config_error),
	U(start_time, "start_time"), U(state_since_usec, "state_since"), U(unprotected_usec, "unprotected_usec"),
	U(reloads, "reloads"), U(repairs, "repairs"), U(failures, "failures"), U(events_total, "events_total"),
	U(last_burst_events, "last_burst_events"), U(last_reload_realtime_usec, "last_reload_realtime_usec"),
	U(last_reload_syscall_usec, "last_reload_syscall_usec"),
	U(last_event_to_reload_usec, "last_event_to_reload_usec"), U(cpus, "cpus"), U(ram_ranges, "ram_ranges"),
	U(ram_bytes, "ram_bytes"), U(phdrs_used, "phdrs_used"), U(max_phdrs, "max_phdrs"),
	U(pending_events, "pending_events"), U(pending_since_usec, "pending_since"), U(reload_due_usec, "reload_due"),
};
#undef U
#undef S

static int get_fields(json_object *o, StatusRecord *s, Reason *why)
{
	json_object *v;
	uint64_t pid;

	if (!json_object_object_get_ex(o, "pid", &v) || !json_object_object_get_ex(o, "state", NULL))
		return fail(why, "\"pid\" or \"state\" missing");
	if (get_uint(v, "pid", &pid, why) < 0)
		return -EINVAL;
	if (pid == 0 || pid > INT32_MAX)
		return fail(why, "pid %" PRIu64 " out of range", pid);
	s->pid = (int64_t)pid;
	for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
		char *field = (char *)s + fields[i].offset;
		int r;

		if (!json_object_object_get_ex(o, fields[i].key, &v))
			continue;
		if (fields[i].size)
			r = get_string(v, fields[i].key, field, fields[i].size, why);
		else
			r = get_uint(v, fields[i].key, (uint64_t *)field, why);
		if (r < 0)
			return r;
	}
	if (json_object_object_get_ex(o, "fingerprint", &v) && get_fingerprint(v, &s->fingerprint, why) < 0)
		return -EINVAL;
	if (json_object_object_get_ex(o, "reloads_by_loader", &v) && get_reloads_by(v, s, why) < 0)
		return -EINVAL;
	if (json_object_object_get_ex(o, "failures_by_reason", &v) && get_failures_by(v, s, why) < 0)
		return -EINVAL;
	return 0;
}

int status_json_parse(const char *text, size_t len, StatusRecord *ret, char *reason, size_t reason_size)
{
	_cleanup_(json_tokener_freep) json_tokener *tok = NULL;
	_cleanup_(json_putp) json_object *o = NULL;
	Reason why = { reason, reason_size };
	enum json_tokener_error e;
	StatusRecord s = {};
	size_t end;

	if (reason && reason_size > 0)
		reason[0] = '\0';
	if (len > INT_MAX)
		return fail(&why, "larger than %d bytes", INT_MAX);
	tok = json_tokener_new_ex(MAX_DEPTH);
	if (!tok)
		return -ENOMEM;
	/* Strict: no trailing commas, no single quotes, no raw control characters in strings. */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, text, (int)len);
	e = json_tokener_get_error(tok);
	if (e == json_tokener_continue)
		return fail(&why, "truncated");
	if (!o || e != json_tokener_success)
		return fail(&why, "%s at byte %zu", json_tokener_error_desc(e), json_tokener_get_parse_end(tok));
	end = json_tokener_get_parse_end(tok);
	for (; end < len; end++)
		if (!strchr(" \t\r\n", text[end]) || text[end] == '\0')
			return fail(&why, "data after the object at byte %zu", end);
	if (!json_object_is_type(o, json_type_object))
		return fail(&why, "not an object");
	if (get_fields(o, &s, &why) < 0)
		return -EINVAL;
	*ret = s;
	return 0;
}
