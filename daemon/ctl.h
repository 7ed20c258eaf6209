/* SPDX-License-Identifier: GPL-2.0-or-later */
/* crash-hotplugctl: what its command files share. */
#pragma once

#include "config.h"
#include "status-json.h"

/* Exit codes, documented in --help and crash-hotplugctl(8); scripts rely on them. */
enum {
	CTL_EXIT_OK = 0,
	CTL_EXIT_FAILURE = 1,       /* the operation failed: unreadable system files, I/O, signal */
	CTL_EXIT_USAGE = 2,         /* bad command line */
	CTL_EXIT_CONFIG = 3,        /* the configuration is invalid */
	CTL_EXIT_NOT_PROTECTED = 3, /* status: the daemon runs, but does not protect the machine (yet) */
	CTL_EXIT_OVER_CAPACITY = 4, /* show/header: the topology needs more program headers than MaxPhdrs */
	CTL_EXIT_PROBLEMS = 5,      /* check: something keeps crash-hotplugd from protecting this machine */
	CTL_EXIT_NOT_RUNNING = 6,   /* status/reload: no running daemon */
};

typedef enum CtlFormat {
	CTL_FORMAT_TEXT,
	CTL_FORMAT_JSON,
	CTL_FORMAT_PROMETHEUS, /* status: the metrics the daemon writes to metrics.prom */
} CtlFormat;

typedef struct CtlArgs {
	const char *root;        /* --root, NULL for "/" */
	const char *config;      /* --config, NULL for the default files under root */
	const char *output;      /* header -o */
	const char *runtime_dir; /* --runtime-dir */
	bool json;               /* --json, or --format=json */
	CtlFormat format;
} CtlArgs;

/* Loads the configuration as the daemon would, printing warnings and the error to stderr.
 * CTL_EXIT_OK with *ret set, or CTL_EXIT_CONFIG with, if ret_diag is not NULL, the error in
 * *ret_diag and its -errno in *ret_err (-EPERM: a file or directory is not root's alone). */
int ctl_load_config(const CtlArgs *a, Config **ret, Diag *ret_diag, int *ret_err);

/* The daemon's status.json under a->runtime_dir into *s and whether its pid is the daemon
 * that wrote it (*running); CTL_EXIT_OK, or CTL_EXIT_NOT_RUNNING (no file) / CTL_EXIT_FAILURE
 * (unreadable, malformed) with why filled (printable text); nothing is printed. */
int ctl_daemon_read(const CtlArgs *a, StatusRecord *s, bool *running, char *why, size_t why_size);

/* `crash-hotplugctl check`: returns an exit code. */
int ctl_check(const CtlArgs *a);

/* "16.0 GiB", "512 MiB", "4 KiB", "100 B". */
const char *ctl_format_bytes(uint64_t bytes, char *buf, size_t size);
