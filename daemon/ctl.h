/* SPDX-License-Identifier: GPL-2.0-or-later */
/* crash-hotplugctl: what its command files share. */
#pragma once

#include "bytes.h"
#include "config.h"
#include "elfcorehdr.h"
#include "status-json.h"
#include "topology.h"

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
	CTL_EXIT_WARNINGS = 7,      /* check: nothing fails, but some lines are warnings */
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
 * CTL_EXIT_OK with *ret set, or CTL_EXIT_CONFIG. */
int ctl_load_config(const CtlArgs *a, Config **ret);

/* A config_warn_fn: "warning: FILE:LINE: MSG" on stderr. */
void ctl_print_config_warning(void *userdata, const char *file, unsigned line, const char *msg);

/* Config, topology and header as the daemon would make them. */
typedef struct CtlSnapshot {
	Config *config;
	Topology *topology;
	unsigned max_phdrs;
	size_t needed, capacity, used;
	void *header;     /* capacity bytes, NULL when over capacity */
	ElfcorehdrInfo info;
} CtlSnapshot;

/* Fills s (zeroed by the caller) as show, header and plan see the machine, saying what went
 * wrong on stderr: CTL_EXIT_OK, CTL_EXIT_OVER_CAPACITY (s->header NULL, the rest set),
 * CTL_EXIT_CONFIG or CTL_EXIT_FAILURE. ctl_snapshot_done() frees what it holds, in every case. */
int ctl_snapshot_take(const CtlArgs *a, CtlSnapshot *s);
void ctl_snapshot_done(CtlSnapshot *s);

/* The daemon's status.json under a->runtime_dir into *s and whether its pid is the daemon
 * that wrote it (*running); CTL_EXIT_OK, or CTL_EXIT_NOT_RUNNING (no file) / CTL_EXIT_FAILURE
 * (unreadable, malformed) with why filled (printable text); nothing is printed. */
int ctl_daemon_read(const CtlArgs *a, StatusRecord *s, bool *running, char *why, size_t why_size);

/* `crash-hotplugctl check`: returns an exit code. */
int ctl_check(const CtlArgs *a);

/* `crash-hotplugctl plan`: what a load would do now, without loading; an exit code. */
int ctl_plan(const CtlArgs *a);
/* The loader the daemon would use under root with c (the first of its chain whose probe
 * passes, as `plan` shows); _LOADER_MAX when none can. */
LoaderKind ctl_plan_loader(const char *root, const Config *c);

/* The crash kernel reservation kdump-utils recommends for ram_bytes of RAM on x86_64, in MiB;
 * 0 below 2 GiB (no recommendation). */
uint64_t ctl_recommended_crash_mib(uint64_t ram_bytes);
