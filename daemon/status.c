/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <inttypes.h>

#include "loader-internal.h"
#include "status.h"

static const char *const state_names[_STATE_MAX] = {
	[STATE_STARTING] = "starting",
	[STATE_PROTECTED] = "protected",
	[STATE_RELOADING] = "reloading",
	[STATE_UNPROTECTED] = "unprotected",
	[STATE_KERNEL_MANAGED] = "kernel-managed",
};

const char *daemon_state_to_string(DaemonState s)
{
	return s < _STATE_MAX ? state_names[s] : "unknown";
}

static void format_bytes(uint64_t b, char *buf, size_t size)
{
	if (b >= (1ULL << 30))
		snprintf(buf, size, "%.1f GiB", (double)b / (double)(1ULL << 30));
	else
		snprintf(buf, size, "%" PRIu64 " MiB", b >> 20);
}

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
	default:
		snprintf(s->message, sizeof(s->message), "starting");
		break;
	}
}

/* JSON string escaping for the one free-text field. */
static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* This process's start time in clock ticks after boot: field 22 of /proc/self/stat, counted
 * from the last ')' (the name before it may hold spaces and parentheses). 0 or -errno. */
static int self_start_time(uint64_t *ret)
{
	_cleanup_(closep) int fd = -1;
	char buf[1024], *p, *end;
	ssize_t n;
	uint64_t v;

	fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return negative_errno();
	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return negative_errno();
	buf[n] = '\0';
	p = strrchr(buf, ')');
	/* ") S ppid ...": the space before field 3, then before each field up to 22. */
	for (int field = 3; p && field <= 22; field++)
		p = strchr(p + 1, ' ');
	if (!p || p[1] < '0' || p[1] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(p + 1, &end, 10);
	if (errno != 0 || (*end != ' ' && *end != '\n' && *end != '\0'))
		return -EINVAL;
	*ret = v;
	return 0;
}

int status_write(const char *dir, const Status *s)
{
	_cleanup_(freep) char *text = NULL, *path = NULL;
	uint64_t start_time;
	size_t size = 0;
	FILE *f;

	f = open_memstream(&text, &size);
	if (!f)
		return -ENOMEM;
	/* The pid with its start time: together they name this process for the whole uptime, so
	 * crash-hotplugctl never trusts (or signals) whatever reuses the pid after we exit. Left
	 * out if /proc cannot tell: crash-hotplugctl then says it cannot verify the pid. */
	fprintf(f, "{\"pid\":%d,", (int)getpid());
	if (self_start_time(&start_time) >= 0)
		fprintf(f, "\"start_time\":%" PRIu64 ",", start_time);
	fprintf(f,
		"\"state\":\"%s\",\"loader\":\"%s\",\"reloads\":%" PRIu64 ",\"failures\":%" PRIu64
		",\"events_total\":%" PRIu64 ",\"last_burst_events\":%u,\"last_reload_realtime_usec\":%" PRIu64
		",\"last_reload_syscall_usec\":%" PRIu64 ",\"last_event_to_reload_usec\":%" PRIu64
		",\"cpus\":%zu,\"ram_ranges\":%zu,\"ram_bytes\":%" PRIu64 ",\"phdrs_used\":%zu,\"max_phdrs\":%zu"
		",\"repairs\":%" PRIu64 ",\"kernel_map\":\"%s\",\"fingerprint\":\"%016" PRIx64 "\",\"last_repair\":",
		daemon_state_to_string(s->state), s->loader ? s->loader : "none", s->reloads,
		s->failures, s->events_total, s->last_burst_events, s->last_reload_realtime_usec,
		s->last_reload_syscall_usec, s->last_event_to_reload_usec, s->cpus, s->ram_ranges, s->ram_bytes,
		s->phdrs_used, s->max_phdrs, s->repairs, s->kernel_map ? s->kernel_map : "unknown", s->fingerprint);
	json_string(f, s->last_repair);
	fputs(",\"message\":", f);
	json_string(f, s->message);
	fputs("}\n", f);
	if (fclose(f) != 0)
		return -ENOMEM;
	if (asprintf(&path, "%s/status.json", dir) < 0)
		return -ENOMEM;
	return loader_write_atomic(path, text, size, 0644, NULL);
}
