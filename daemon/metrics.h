/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The daemon's state as Prometheus metrics, in the text exposition format (0.0.4) that
 * node_exporter's textfile collector reads: written by the daemon to RUNTIME_DIR/metrics.prom
 * at each state change, printed by `crash-hotplugctl status --format=prometheus` from
 * status.json. One formatter for both. */
#pragma once

#include "status-json.h"

/* Every crash_hotplugd_* family of s, with HELP and TYPE lines, on out. Label values are
 * escaped as the format requires (backslash, double quote, newline). No timestamps (the
 * textfile collector refuses them). 0 or -EIO. */
int metrics_format(const StatusRecord *s, FILE *out);

/* Like metrics_format() with only crash_hotplugd_protected 0: for a daemon that is not
 * running. 0 or -EIO. */
int metrics_format_not_running(FILE *out);

/* metrics_format(s) into dir/metrics.prom, atomically (a temporary file in dir that does not
 * end in .prom, then rename), mode 0644. 0 or -errno. */
int metrics_write(const char *dir, const StatusRecord *s);
