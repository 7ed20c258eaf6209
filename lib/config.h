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

/* CHP_SYSCONFDIR: meson's prefix/sysconfdir, where conf/meson.build installs the file (-D from
 * the top-level meson.build; /etc for prefix=/usr). */
#ifndef CHP_SYSCONFDIR
#define CHP_SYSCONFDIR "/etc"
#endif
#define CONFIG_MAIN_FILE CHP_SYSCONFDIR "/crash-hotplugd.conf" /* under the root */
#define CONFIG_DROPIN_DIR_NAME "crash-hotplugd.conf.d"
#define CONFIG_DEFAULT_QUIET_USEC (1 * 1000000ULL)
#define CONFIG_DEFAULT_MAX_DELAY_USEC (10 * 1000000ULL)
#define CONFIG_MAX_TIME_USEC (3600 * 1000000ULL) /* longer waits leave the machine unprotected too long */
#define CONFIG_DEFAULT_LOAD_TIMEOUT_USEC (60 * 1000000ULL) /* LoadTimeoutSec: kexec-tools' kexec is killed after */
#define CONFIG_MIN_PHDRS 4u /* one CPU note, VMCOREINFO, kernel text, one RAM range */
#define CONFIG_DEFAULT_MEMORY_RANGES 8192u /* the kernel's CONFIG_CRASH_MAX_MEMORY_RANGES default */
/* x86_64 boot protocol: cmdline_size is 2047 and bzImage64_load() keeps 30 bytes for the
 * "elfcorehdr=0x... " it prepends, plus the terminating NUL. */
#define CONFIG_MAX_COMMAND_LINE 2016u
/* What keeps the capture kernel from hot-adding memory: its ACPI memory hotplug driver would
 * add every enabled DIMM (its e820 lacks them) with the memmap placed on that DIMM, over
 * the pages being dumped. */
#define CONFIG_CAPTURE_NO_HOTPLUG "acpi_no_memhotplug"

typedef struct Config {
	unsigned max_phdrs;       /* 0 = default: 2 + 8192 + possible CPUs, resolved by config_max_phdrs() */
	uint64_t quiet_usec;      /* QuietPeriodSec, default 1 s */
	uint64_t max_delay_usec;  /* MaxDelaySec, default 10 s */
	LoaderKind loader;        /* default auto */
	char *kernel;             /* default /boot/vmlinuz-$(uname -r) resolved by the daemon; NULL here */
	char *initrd;             /* NULL: look for the distribution's kdump initrd */
	char *command_line;       /* NULL: derived from /proc/cmdline, see config_default_cmdline() */
	bool load_on_start;       /* default yes */
	bool capture_memory_hotplug; /* default no: the capture command line gets CONFIG_CAPTURE_NO_HOTPLUG */
	char *dry_run_output;     /* NULL: unset; the daemon then uses RUNTIME_DIR/dry-run */
	uint64_t load_timeout_usec; /* LoadTimeoutSec, default 60 s, at least 1 s */
} Config;

/* Callback for warnings (unknown keys, unknown sections): file:line and a message. */
typedef void (*config_warn_fn)(void *userdata, const char *file, unsigned line, const char *msg);

/* Fills defaults. */
void config_init(Config *c);
void config_done(Config *c);

/* Parses one file's stream into c (assignments override; an empty value restores the
 * default). Format: "[Daemon]" section, "Key=value" lines, "#" or ";" comment lines, blank
 * lines; one assignment per line (no continuation). Unknown keys, unknown sections and
 * assignments outside a section are warnings (warn may be NULL). Bad value: -EINVAL with
 * d = file:line and "Key=value: reason"; a line that is none of the above, a NUL byte or a
 * line over 64 KiB: -EINVAL. -ENOMEM, -EIO. On error c holds the assignments made so far. */
int config_parse_stream(Config *c, FILE *f, const char *name, config_warn_fn warn, void *userdata, Diag *d);

/* Loads the whole configuration under root: the main file, then drop-ins from /etc, /run,
 * /usr/local/lib, /usr/lib crash-hotplugd.conf.d/\*.conf, sorted by file name, a name in a
 * higher directory masking the same name in lower ones (a symlink to /dev/null masks a file
 * away); the last assignment wins. Main file: path as given (not under root, it names a file
 * the user chose; missing is -ENOENT), or CONFIG_MAIN_FILE under root when path is NULL
 * (missing is fine: the defaults apply). Files are named in diagnostics by their path under
 * root. Every file is read through path_open_stream(): it must be a regular file (or
 * /dev/null, read as empty) of at most READ_CAP_CONFIG (1 MiB); a FIFO, a device: -EINVAL,
 * larger: -EFBIG. A symlink that cannot be followed (dangling: -ENOENT, a loop: -ELOOP) is an
 * error naming it, in a drop-in directory and as the main file, never skipped: the
 * same-named file below it would silently apply. On error *ret is untouched and d says
 * where. */
int config_load(const char *root, const char *path, config_warn_fn warn, void *userdata, Config **ret, Diag *d);

Config *config_free(Config *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(Config *, config_free);

/* MaxPhdrs to use: the configured value, or 2 + 8192 + n_possible capped at 65534. */
unsigned config_max_phdrs(const Config *c, unsigned n_possible);

/* DryRunOutput, or NULL when unset (the default depends on the caller's runtime directory). */
const char *config_dry_run_output(const Config *c);

/* Default crash command line from the running one (/proc/cmdline text, trailing newline
 * allowed). Drops what must not reach the crash kernel: crashkernel= (it would reserve memory
 * again), elfcorehdr= (a stale one would override the kernel's), BOOT_IMAGE= and initrd= (the
 * boot loader's, not ours), hugepages=, hugepagesz=, default_hugepagesz=, cma=, hugetlb_cma=,
 * slub_debug, log_buf_len=, swiotlb= (they eat the small crash reservation, as kdump-utils'
 * KDUMP_COMMANDLINE_REMOVE says), abm= (kdump-config drops it), and nr_cpus=, maxcpus=,
 * irqpoll, reset_devices (appended below, never twice); everything else (root=, console=,
 * quiet, ...) stays. Then appends CONFIG_DEFAULT_APPEND, the capture options kdump-tools
 * appends too. Parameter names compare with '-'
 * and '_' equal, as the kernel does; double-quoted values stay whole. Caller frees.
 * -E2BIG when the result exceeds CONFIG_MAX_COMMAND_LINE, -EINVAL on an unterminated quote,
 * -ENOMEM. */
int config_default_cmdline(const char *proc_cmdline, char **ret);
#define CONFIG_DEFAULT_APPEND "irqpoll nr_cpus=1 reset_devices"

/* config_default_cmdline() with append (may be "") in place of CONFIG_DEFAULT_APPEND: the
 * base for a distribution's own append list (kdump-tools' KDUMP_CMDLINE_APPEND). */
int config_base_cmdline(const char *proc_cmdline, const char *append, char **ret);

/* The capture kernel's command line made safe for memory hotplug (unless
 * CaptureMemoryHotplug=yes): cmdline without memhp_default_state= (an onlining policy such
 * as online_movable would online what the capture kernel finds), memory_hotplug.* and
 * acpi_no_memhotplug, then CONFIG_CAPTURE_NO_HOTPLUG appended once. Same tokenizing and
 * errors as config_default_cmdline(). Caller frees. */
int config_capture_cmdline(const char *cmdline, char **ret);
