/* SPDX-License-Identifier: GPL-2.0-or-later */
/* /etc/crash-hotplugd.conf plus crash-hotplugd.conf.d/ drop-ins, systemd semantics. */
#pragma once

#include "diag.h"

typedef enum LoaderKind {
	LOADER_AUTO,
	LOADER_KERNEL,
	LOADER_SEGMENTS,
	LOADER_FILE,
	LOADER_KEXEC_TOOLS,
	LOADER_DRY_RUN,
	_LOADER_MAX,
} LoaderKind;

const char *loader_kind_to_string(LoaderKind k);
int loader_kind_from_string(const char *s); /* LoaderKind or -EINVAL */

typedef struct Config {
	unsigned max_phdrs;       /* 0 = default: 2 + 8192 + possible CPUs, resolved by config_max_phdrs() */
	uint64_t quiet_usec;      /* QuietPeriodSec, default 1 s */
	uint64_t max_delay_usec;  /* MaxDelaySec, default 10 s */
	LoaderKind loader;        /* default auto */
	char *kernel;             /* default /boot/vmlinuz-$(uname -r) resolved by the daemon; NULL here */
	char *initrd;             /* NULL: look for the distribution's kdump initrd */
	char *command_line;       /* NULL: derived from /proc/cmdline, see config_default_cmdline() */
	bool load_on_start;       /* default yes */
	char *dry_run_output;     /* default /run/crash-hotplugd/dry-run */
} Config;

/* Callback for warnings (unknown keys, unknown sections): file:line and a message. */
typedef void (*config_warn_fn)(void *userdata, const char *file, unsigned line, const char *msg);

/* Fills defaults. */
void config_init(Config *c);
void config_done(Config *c);

/* Parses one file's stream into c (assignments override). Bad value: -EINVAL with
 * d = file:line and "Key=value: reason". */
int config_parse_stream(Config *c, FILE *f, const char *name, config_warn_fn warn, void *userdata, Diag *d);

/* Loads the whole configuration under root: main file (path, or /etc/crash-hotplugd.conf when
 * NULL; a missing main file is fine) and drop-ins from /etc, /run, /usr/local/lib, /usr/lib
 * crash-hotplugd.conf.d/*.conf, sorted by name, same name masks lower dirs. On error *ret is
 * untouched. */
int config_load(const char *root, const char *path, config_warn_fn warn, void *userdata, Config **ret, Diag *d);

Config *config_free(Config *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(Config *, config_free);

/* MaxPhdrs to use: the configured value, or 2 + 8192 + n_possible. */
unsigned config_max_phdrs(const Config *c, unsigned n_possible);

/* Default crash command line from the running one (/proc/cmdline text): drops crashkernel=,
 * BOOT_IMAGE=, initrd=, root-less options that break kdump (quiet stays), then appends
 * "irqpoll nr_cpus=1 reset_devices" as kdump-tools does. Caller frees. */
int config_default_cmdline(const char *proc_cmdline, char **ret);
