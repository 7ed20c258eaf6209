/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logging (journal with structured fields, or plain lines on stderr) and sd_notify. */
#pragma once

#include <syslog.h>

#include "util.h"

/* Stable MESSAGE_IDs; systemd/crash-hotplugd.catalog explains each. Never change one. */
#define MSGID_RELOADED "a3e7e01a2ec64e3380fd298e01c8ac9e"
#define MSGID_RELOAD_FAILED "a4b888c643f445218a02fa5344dd8e59"
#define MSGID_FALLBACK "6b5180a33dac42129cfaa8f2802f13d0"
#define MSGID_CAPACITY_EXCEEDED "b80c4cdd3de845b4bebc54af2b5bb588"
#define MSGID_KERNEL_HANDLES_HOTPLUG "4788410261b347f8a89859e9dc5a7ae8"
#define MSGID_KERNEL_REPAIR "d2aaa660162544139b0089b50545a108"
#define MSGID_UNPROTECTED "4d57ced3acd94d4388bc3418dbc78940"
#define MSGID_CONFIG_REJECTED "fb4fb444c33d456fbb5154e5248b008f"

typedef enum LogTarget {
	LOG_TARGET_AUTO,
	LOG_TARGET_CONSOLE,
	LOG_TARGET_JOURNAL,
} LogTarget;

int log_target_from_string(const char *s); /* LogTarget or -EINVAL */
int log_level_from_string(const char *s);  /* LOG_ERR..LOG_DEBUG or -EINVAL */

/* auto: the journal when systemd started us with stderr on the journal (JOURNAL_STREAM),
 * else the console. Messages above max_level are dropped. */
void log_setup(LogTarget target, int max_level);

/* One log entry. message_id may be NULL; fields may be NULL or "KEY=value" lines separated
 * by '\n' (journal only: the console shows the message). */
void log_full(int prio, const char *message_id, const char *fields, const char *fmt, ...) _printf_(4, 5);

#define log_debug(...) log_full(LOG_DEBUG, NULL, NULL, __VA_ARGS__)
#define log_info(...) log_full(LOG_INFO, NULL, NULL, __VA_ARGS__)
#define log_notice(...) log_full(LOG_NOTICE, NULL, NULL, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, NULL, NULL, __VA_ARGS__)
#define log_error(...) log_full(LOG_ERR, NULL, NULL, __VA_ARGS__)

/* sd_notify() with a formatted state string; failures are not interesting (not under
 * systemd, or it went away). */
void notify(const char *fmt, ...) _printf_(1, 2);
