/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>

#include "loader-internal.h"
#include "metrics.h"

#define PREFIX "crash_hotplugd_"

static void family(FILE *out, const char *name, const char *type, const char *help)
{
	/* HELP text escapes backslash and newline; ours hold neither. */
	fprintf(out, "# HELP " PREFIX "%s %s\n# TYPE " PREFIX "%s %s\n", name, help, name, type);
}

/* A label value: backslash, double quote and line feed escaped, as the format says. */
static void label_value(FILE *out, const char *v)
{
	fputc('"', out);
	for (; *v; v++)
		switch (*v) {
		case '\\':
			fputs("\\\\", out);
			break;
		case '"':
			fputs("\\\"", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		default:
			fputc(*v, out);
		}
	fputc('"', out);
}

static void sample(FILE *out, const char *name, uint64_t v)
{
	fprintf(out, PREFIX "%s %" PRIu64 "\n", name, v);
}

/* Microseconds as seconds, exactly: "12.034567". */
static void sample_seconds(FILE *out, const char *name, uint64_t usec)
{
	fprintf(out, PREFIX "%s %" PRIu64 ".%06" PRIu64 "\n", name, usec / 1000000, usec % 1000000);
}

/* A family of one unlabelled sample: its HELP, TYPE and value. */
static void metric(FILE *out, const char *name, const char *type, const char *help, uint64_t v)
{
	family(out, name, type, help);
	sample(out, name, v);
}

/* The same for a value in microseconds, written as seconds. */
static void metric_seconds(FILE *out, const char *name, const char *type, const char *help, uint64_t usec)
{
	family(out, name, type, help);
	sample_seconds(out, name, usec);
}

static void protected_family(FILE *out, bool protected)
{
	metric(out, "protected", "gauge",
	       "1 when a crash kernel that matches the topology is loaded (state protected or kernel-managed); 0 while "
	       "events are pending (a panic then may save an incomplete dump).", protected);
}

int metrics_format(const StatusRecord *s, FILE *out)
{
	bool known = daemon_state_from_string(s->state) >= 0;

	protected_family(out, daemon_state_is_protected(s->state));

	family(out, "state", "gauge", "The daemon's state: 1 for the current one, 0 for the others.");
	for (DaemonState i = 0; i < _STATE_MAX; i++) {
		fputs(PREFIX "state{state=", out);
		label_value(out, daemon_state_to_string(i));
		fprintf(out, "} %d\n", streq(s->state, daemon_state_to_string(i)));
	}
	if (!known) { /* a state this build does not know (a newer daemon's file) */
		fputs(PREFIX "state{state=", out);
		label_value(out, s->state);
		fputs("} 1\n", out);
	}

	family(out, "reloads_total", "counter", "Crash kernel loads that succeeded, by loader.");
	for (size_t i = 0; i < s->n_reloads_by && i < STATUS_MAX_LOADERS; i++) {
		fputs(PREFIX "reloads_total{loader=", out);
		label_value(out, s->reloads_by[i].loader);
		fprintf(out, "} %" PRIu64 "\n", s->reloads_by[i].count);
	}

	family(out, "reload_failures_total", "counter", "Crash kernel load attempts that failed, by loader and errno name.");
	for (size_t i = 0; i < s->n_failures_by && i < STATUS_MAX_FAILURE_KINDS; i++) {
		fputs(PREFIX "reload_failures_total{loader=", out);
		label_value(out, s->failures_by[i].loader);
		fputs(",reason=", out);
		label_value(out, s->failures_by[i].reason);
		fprintf(out, "} %" PRIu64 "\n", s->failures_by[i].count);
	}

	metric(out, "repairs_total", "counter",
	       "Reloads because the kernel's own update of the crash kernel's header could not be trusted.", s->repairs);
	metric(out, "events_total", "counter", "CPU and memory uevents received (an overflow of the queue counts as one).",
	       s->events_total);
	metric_seconds(out, "last_reload_timestamp_seconds", "gauge",
		       "When the last successful load returned (Unix time), 0 for none.", s->last_reload_realtime_usec);
	metric_seconds(out, "last_reload_window_seconds", "gauge",
		       "How long the last load syscall took: the window without a crash kernel.",
		       s->last_reload_syscall_usec);
	metric_seconds(out, "unprotected_seconds_total", "counter",
		       "Time the daemon spent in states other than protected and kernel-managed, up to its last write.",
		       s->unprotected_usec);
	metric(out, "phdrs_used", "gauge", "Program headers the crash kernel's header needs for the topology.",
	       s->phdrs_used);
	metric(out, "phdrs_capacity", "gauge", "Program headers the loaded header has room for.", s->max_phdrs);
	metric(out, "pending_events", "gauge",
	       "Events of the burst being debounced that the loaded header may lack (state pending), else 0.",
	       s->pending_events);
	metric_seconds(out, "pending_since_timestamp_seconds", "gauge",
		       "When that burst's first event came (Unix time), 0 when nothing is pending.",
		       s->pending_since_usec);
	metric(out, "kernel_managed", "gauge", "1 when the kernel updates the header itself and the daemon guards it.",
	       streq(s->state, "kernel-managed"));
	return ferror(out) ? -EIO : 0;
}

int metrics_format_not_running(FILE *out)
{
	protected_family(out, false);
	return ferror(out) ? -EIO : 0;
}

int metrics_write(const char *dir, const StatusRecord *s)
{
	_cleanup_(freep) char *text = NULL, *path = NULL;
	size_t size = 0;
	FILE *f;
	int r;

	f = open_memstream(&text, &size);
	if (!f)
		return -ENOMEM;
	r = metrics_format(s, f);
	if (fclose(f) != 0 || r < 0)
		return -ENOMEM;
	if (asprintf(&path, "%s/metrics.prom", dir) < 0)
		return -ENOMEM;
	/* The temporary file is metrics.prom.XXXXXX: the collector reads *.prom only. */
	return loader_write_atomic(path, text, size, 0644, NULL);
}
