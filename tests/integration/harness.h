/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Runs the real crash-hotplugd binary against a umockdev test bed: a fake /sys and
 * /proc/iomem (the daemon's --root is the test bed's root) and real uevents delivered to the
 * daemon's udev monitor. Shared by the integration tests and the daemon benchmark. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <umockdev.h>

#define HARNESS_MAX_MEMORY 4096

typedef struct Harness {
	UMockdevTestbed *tb;
	char *root;       /* the test bed's root: --root, and where the daemon's files live */
	char *conf;       /* root/test/crash-hotplugd.conf */
	char *run_dir;    /* root/test/run: --runtime-dir (status.json) */
	char *out_dir;    /* root/test/out: DryRunOutput */
	char *log;        /* root/test/daemon.log: the daemon's stderr */
	char *notify_path;
	int notify_fd;
	char notified[65536]; /* every sd_notify message so far, one per line */
	pid_t pid;
	char *path_env;   /* PATH for the daemon (a fake kexec first) */
	char *memory[HARNESS_MAX_MEMORY];
	unsigned n_memory;
	unsigned n_ram_added;
} Harness;

/* Call first in main(): makes sure the umockdev preload is active (re-executing argv[0] with
 * it if not) and, where possible, moves into a private network namespace with a long
 * AF_UNIX datagram queue, so bursts of hundreds of uevents are not dropped. Returns true if
 * the queue could be raised (else callers must pace their bursts). */
bool harness_init_process(int argc, char **argv);

/* Timing multiplier for slow runs (valgrind sets HARNESS_TIME_SCALE). */
unsigned harness_scale(void);

/* A fresh test bed with the small-vm fixture: 2 CPUs (tagged for the daemon), iomem, kcore,
 * vmcoreinfo, a crash region, no crash kernel loaded, kernel without crash hotplug. */
void harness_setup(Harness *h);
void harness_teardown(Harness *h);

/* Writes (replacing) root/rel, creating directories. */
void harness_write(Harness *h, const char *rel, const char *content);
/* The configuration file, "[Daemon]\n" + body. */
void harness_config(Harness *h, const char *body);

/* Adds memory block device memoryN (tagged); returns its sysfs path (owned by h). */
const char *harness_add_memory(Harness *h, unsigned n);
/* Appends a hot-added 128 MiB "System RAM" range to proc/iomem (a new one each call). */
void harness_add_ram(Harness *h);
/* Removes the range harness_add_ram() added last from iomem. */
void harness_remove_ram(Harness *h);

/* Sends a uevent for a device (the daemon receives it before this returns). */
void harness_uevent(Harness *h, const char *syspath, const char *action);

/* Starts the daemon (extra arguments after the harness's own, NULL-terminated) and waits
 * for READY=1. Returns false if it exited or timed out (its log is printed). */
bool harness_start(Harness *h, const char *const *extra);
/* Starts it and waits for it to exit; returns the exit status (or -1). */
int harness_run_to_exit(Harness *h, const char *const *extra);
/* SIGTERM, then its exit status (0 expected; valgrind errors make it 33). */
int harness_stop(Harness *h);
void harness_signal(Harness *h, int sig);

/* Waits for a sd_notify message containing needle that arrives after `after` bytes of
 * h->notified; returns true if seen. */
bool harness_wait_notify(Harness *h, size_t after, const char *needle, int timeout_ms);

/* A number from status.json; false if absent or unreadable. */
bool harness_status(Harness *h, const char *key, uint64_t *ret);
/* A string from status.json (no escapes in it) into buf; false if absent or unreadable. */
bool harness_status_string(Harness *h, const char *key, char *buf, size_t size);
/* status.json's "state" into buf. */
bool harness_status_state(Harness *h, char *buf, size_t size);
/* Waits until status.json has key >= value. */
bool harness_wait_status(Harness *h, const char *key, uint64_t value, int timeout_ms);
bool harness_wait_state(Harness *h, const char *state, int timeout_ms);
/* Waits until the string key of status.json holds needle. */
bool harness_wait_status_string(Harness *h, const char *key, const char *needle, int timeout_ms);

bool harness_log_contains(Harness *h, const char *needle);
/* Waits until the log holds needle at least n times. */
bool harness_wait_log(Harness *h, const char *needle, unsigned n, int timeout_ms);
void harness_dump_log(Harness *h);

uint64_t harness_now_usec(void);
void harness_sleep_ms(unsigned ms);
