/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The daemon's one object: configuration, event loop, monitor, debounce timer, loaders and
 * the state it publishes. */
#pragma once

#include "loader.h"
#include "monitor.h"

typedef struct ManagerOptions {
	const char *root;        /* "/" in production */
	const char *config_path; /* NULL: /etc/crash-hotplugd.conf under root, plus drop-ins */
	const char *runtime_dir; /* status.json goes here */
	MonitorKind monitor;
	int loader_override;     /* LoaderKind from --loader, or -1 */
	const KexecOps *ops;     /* kexec_ops_real, or the test build's fakes */
} ManagerOptions;

typedef struct Manager Manager;

/* Positive outcome of manager_new(): the configuration is bad (already logged, file:line). */
#define MANAGER_BAD_CONFIG 1

/* Loads the configuration: 0, MANAGER_BAD_CONFIG (*ret untouched), or -errno. */
int manager_new(const ManagerOptions *o, Manager **ret);
Manager *manager_free(Manager *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Manager *, manager_free);

/* Signals, watchdog, the uevent monitor, then the first load (LoadOnStart) and READY=1. A
 * failed first load is not an error: the daemon reports UNPROTECTED and keeps trying. */
int manager_start(Manager *m);

/* Runs the event loop until SIGTERM/SIGINT; returns the exit code. */
int manager_run(Manager *m);
