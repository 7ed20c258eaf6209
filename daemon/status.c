/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <inttypes.h>

#include "bytes.h"
#include "loader-internal.h"
#include "status.h"

void status_format_message(Status *s, const char *detail)
{
	char bytes[32], what[128];

	format_bytes(s->ram_bytes, bytes, sizeof(bytes));
	snprintf(what, sizeof(what), "%zu CPUs, %zu RAM ranges (%s)", s->cpus, s->ram_ranges, bytes);
	switch (s->state) {
	case STATE_PROTECTED:
		if (s->reloads > 0)
			snprintf(s->message, sizeof(s->message),
				 "protected: %s, reloaded with %s in %" PRIu64 " ms after %u events", what, s->loader,
				 s->last_reload_syscall_usec / 1000, s->last_burst_events);
		else
			snprintf(s->message, sizeof(s->message), "protected: %s, crash kernel loaded before us", what);
		break;
	case STATE_KERNEL_MANAGED:
		if (s->repairs > 0)
			snprintf(s->message, sizeof(s->message),
				 "kernel-managed: %s, %zu of %zu program headers; the kernel updates the header, "
				 "guarded (%" PRIu64 " repairs, last: %s)",
				 what, s->phdrs_used, s->max_phdrs, s->repairs, s->last_repair);
		else
			snprintf(s->message, sizeof(s->message),
				 "kernel-managed: %s, %zu of %zu program headers; the kernel updates the header, "
				 "guarded",
				 what, s->phdrs_used, s->max_phdrs);
		break;
	case STATE_DRY_RUN:
		snprintf(s->message, sizeof(s->message),
			 "dry-run: the plan says nothing is loaded (Loader=dry-run); planned for %s, %zu of %zu "
			 "program headers",
			 what, s->phdrs_used, s->max_phdrs);
		break;
	case STATE_RELOADING:
		snprintf(s->message, sizeof(s->message), "reloading with %s: %s%s%s", s->loader, what,
			 detail ? ": " : "", detail ? detail : "");
		break;
	case STATE_UNPROTECTED:
		if (s->cpus == 0) /* no snapshot yet: nothing to describe */
			snprintf(s->message, sizeof(s->message), "UNPROTECTED: %s", detail ? detail : "no crash kernel");
		else
			snprintf(s->message, sizeof(s->message), "UNPROTECTED: no crash kernel matches %s%s%s", what,
				 detail ? ": " : "", detail ? detail : "");
		break;
	case STATE_PENDING:
		snprintf(s->message, sizeof(s->message),
			 "pending: %u event%s not yet in the loaded header (%s): a panic now may leave what they "
			 "changed out of the dump%s%s",
			 s->pending_events, s->pending_events == 1 ? "" : "s", what, detail ? "; " : "",
			 detail ? detail : "");
		break;
	default:
		snprintf(s->message, sizeof(s->message), "starting");
		break;
	}
}

/* Field 22 of /proc/self/stat, counted from the last ')' (the name before it may hold spaces
 * and parentheses). */
uint64_t status_self_start_time(void)
{
	_cleanup_(closep) int fd = -1;
	char buf[1024], *p, *end;
	ssize_t n;
	uint64_t v;

	fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return 0;
	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	/* ") S ppid ...": the space before field 3, then before each field up to 22. */
	for (int field = 3; p && field <= 22; field++)
		p = strchr(p + 1, ' ');
	if (!p || p[1] < '0' || p[1] > '9')
		return 0;
	errno = 0;
	v = strtoull(p + 1, &end, 10);
	if (errno != 0 || (*end != ' ' && *end != '\n' && *end != '\0'))
		return 0;
	return v;
}

void status_count_failure(Status *s, LoaderKind loader, int error)
{
	size_t i;

	for (i = 0; i < s->n_failures_by; i++)
		if (s->failures_by[i].loader == loader && s->failures_by[i].error == error)
			break;
	if (i == s->n_failures_by) {
		if (i == STATUS_MAX_FAILURE_KINDS) /* full: the last kind takes the rest */
			i--;
		else
			s->failures_by[s->n_failures_by++] = (StatusFailureCount){ .loader = loader, .error = error };
	}
	s->failures_by[i].count++;
}

static void set_string(char *buf, size_t size, const char *s)
{
	snprintf(buf, size, "%s", s ? s : "");
}

void status_to_record(const Status *s, StatusRecord *ret)
{
	StatusRecord r = {
		.pid = (int64_t)getpid(),
		.state_since_usec = s->state_since_usec,
		.unprotected_usec = s->unprotected_usec,
		.reloads = s->reloads,
		.failures = s->failures,
		.events_total = s->events_total,
		.last_burst_events = s->last_burst_events,
		.last_reload_realtime_usec = s->last_reload_realtime_usec,
		.last_reload_syscall_usec = s->last_reload_syscall_usec,
		.last_event_to_reload_usec = s->last_event_to_reload_usec,
		.cpus = s->cpus,
		.ram_ranges = s->ram_ranges,
		.ram_bytes = s->ram_bytes,
		.phdrs_used = s->phdrs_used,
		.max_phdrs = s->max_phdrs,
		.fingerprint = s->fingerprint,
		.repairs = s->repairs,
		.pending_events = s->pending_events,
		.pending_since_usec = s->pending_since_usec,
		.reload_due_usec = s->reload_due_usec,
	};

	r.start_time = s->start_time;
	set_string(r.state, sizeof(r.state), daemon_state_to_string(s->state));
	set_string(r.loader, sizeof(r.loader), s->loader ? s->loader : "none");
	set_string(r.kernel_map, sizeof(r.kernel_map), s->kernel_map ? s->kernel_map : "unknown");
	set_string(r.last_repair, sizeof(r.last_repair), s->last_repair);
	set_string(r.config_error, sizeof(r.config_error), s->config_error);
	set_string(r.message, sizeof(r.message), s->message);
	/* Every loader that loads (kernel never does), 0 included: a counter is there from the start. */
	for (LoaderKind k = LOADER_SEGMENTS; k < _LOADER_MAX && r.n_reloads_by < STATUS_MAX_LOADERS; k++) {
		if (!loader_vtable_for(k))
			continue;
		set_string(r.reloads_by[r.n_reloads_by].loader, sizeof(r.reloads_by[0].loader), loader_kind_to_string(k));
		r.reloads_by[r.n_reloads_by++].count = s->reloads_by[k];
	}
	for (size_t i = 0; i < s->n_failures_by; i++) {
		const char *name = strerrorname_np(s->failures_by[i].error);

		set_string(r.failures_by[i].loader, sizeof(r.failures_by[0].loader),
			   loader_kind_to_string(s->failures_by[i].loader));
		if (name)
			set_string(r.failures_by[i].reason, sizeof(r.failures_by[0].reason), name);
		else
			snprintf(r.failures_by[i].reason, sizeof(r.failures_by[0].reason), "errno%d", s->failures_by[i].error);
		r.failures_by[i].count = s->failures_by[i].count;
	}
	r.n_failures_by = s->n_failures_by;
	*ret = r;
}

int status_write(const char *dir, const StatusRecord *r)
{
	_cleanup_(freep) char *text = NULL, *path = NULL;
	size_t size = 0;
	int ret;

	ret = status_json_format(r, NULL, &text, &size);
	if (ret < 0)
		return ret;
	if (asprintf(&path, "%s/status.json", dir) < 0)
		return -ENOMEM;
	return loader_write_atomic(path, text, size, 0644, NULL);
}
