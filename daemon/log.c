/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The daemon's one piece of process-wide state besides the event loop: where logs go. */
#include <stdarg.h>
#include <sys/uio.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

#include "log.h"

static struct {
	bool journal;
	int max_level;
} log_state = { .max_level = LOG_INFO };

int log_target_from_string(const char *s)
{
	if (streq(s, "auto"))
		return LOG_TARGET_AUTO;
	if (streq(s, "console"))
		return LOG_TARGET_CONSOLE;
	if (streq(s, "journal"))
		return LOG_TARGET_JOURNAL;
	return -EINVAL;
}

int log_level_from_string(const char *s)
{
	static const char *const names[] = {
		[LOG_ERR] = "err", [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
		[LOG_INFO] = "info", [LOG_DEBUG] = "debug",
	};

	for (size_t i = 0; i < ELEMENTSOF(names); i++)
		if (names[i] && streq(names[i], s))
			return (int)i;
	return -EINVAL;
}

void log_setup(LogTarget target, int max_level)
{
	if (target == LOG_TARGET_AUTO)
		log_state.journal = getenv("JOURNAL_STREAM") != NULL;
	else
		log_state.journal = target == LOG_TARGET_JOURNAL;
	log_state.max_level = max_level;
}

static void log_to_journal(int prio, const char *message_id, const char *fields, const char *message)
{
	_cleanup_(freep) char *msg = NULL, *pri = NULL, *id = NULL, *copy = NULL;
	struct iovec iov[32];
	size_t n = 0;
	char *line, *save = NULL;

	if (asprintf(&msg, "MESSAGE=%s", message) < 0 || asprintf(&pri, "PRIORITY=%d", prio) < 0)
		return;
	iov[n++] = (struct iovec){ msg, strlen(msg) };
	iov[n++] = (struct iovec){ pri, strlen(pri) };
	iov[n++] = (struct iovec){ (char *)"SYSLOG_IDENTIFIER=crash-hotplugd", 32 };
	if (message_id) {
		if (asprintf(&id, "MESSAGE_ID=%s", message_id) < 0)
			return;
		iov[n++] = (struct iovec){ id, strlen(id) };
	}
	if (fields) {
		copy = strdup(fields);
		if (!copy)
			return;
		for (line = strtok_r(copy, "\n", &save); line && n < ELEMENTSOF(iov); line = strtok_r(NULL, "\n", &save))
			iov[n++] = (struct iovec){ line, strlen(line) };
	}
	/* The journal may be gone (shutdown): fall back so nothing is silently lost. */
	if (sd_journal_sendv(iov, (int)n) < 0)
		fprintf(stderr, "<%d>crash-hotplugd: %s\n", prio, message);
}

void log_full(int prio, const char *message_id, const char *fields, const char *fmt, ...)
{
	static const char *const labels[] = {
		[LOG_EMERG] = "emergency: ", [LOG_ALERT] = "alert: ", [LOG_CRIT] = "CRITICAL: ",
		[LOG_ERR] = "error: ", [LOG_WARNING] = "warning: ", [LOG_NOTICE] = "",
		[LOG_INFO] = "", [LOG_DEBUG] = "debug: ",
	};
	char message[2048];
	int saved = errno;
	va_list ap;

	if (prio > log_state.max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	if (log_state.journal)
		log_to_journal(prio, message_id, fields, message);
	else
		fprintf(stderr, "crash-hotplugd: %s%s\n", labels[prio & 7], message);
	errno = saved;
}

void notify(const char *fmt, ...)
{
	_cleanup_(freep) char *s = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r >= 0)
		(void)sd_notify(0, s);
}
