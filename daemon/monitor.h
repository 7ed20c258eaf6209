/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The event source: cpu and memory uevents from udev (or straight from the kernel). */
#pragma once

#include <systemd/sd-event.h>

#include "util.h"

#define MONITOR_TAG "crash-hotplugd" /* set by 90-crash-hotplugd.rules */

typedef enum MonitorKind {
	MONITOR_UDEV,   /* udevd's events: after rules ran, tagged by ours */
	MONITOR_KERNEL, /* raw kernel uevents, for systems without udevd */
} MonitorKind;

int monitor_kind_from_string(const char *s); /* MonitorKind or -EINVAL */
const char *monitor_kind_to_string(MonitorKind k);

/* A relevant event (cpu or memory; add, remove, online or offline). lost is true when the
 * socket overflowed (ENOBUFS): events were dropped, so everything must be rescanned; action,
 * subsystem and sysname are then NULL. */
typedef void (*monitor_event_fn)(void *userdata, bool lost, const char *action, const char *subsystem,
				 const char *sysname);

typedef struct Monitor Monitor;

/* Creates the netlink monitor and attaches it to e. Events arrive from now on. */
int monitor_new(sd_event *e, MonitorKind kind, monitor_event_fn cb, void *userdata, Monitor **ret);
Monitor *monitor_free(Monitor *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Monitor *, monitor_free);
