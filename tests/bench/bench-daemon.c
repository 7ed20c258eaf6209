/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The installed daemon binary (Loader=dry-run) under a umockdev test bed, fed bursts of
 * memory uevents: event-to-reload latency, reloads per burst, daemon CPU time per burst,
 * wakeups while idle, resident memory. Prints figures; asserts nothing about time.
 *
 *   BENCH_IDLE_SEC=N  idle measurement length (default 60)
 *   BENCH_RUNS=N      bursts per size (default 5; 3 for the largest) */
#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define QUIET_MS 100

/* Nanoseconds the daemon has run on a CPU (/proc/PID/schedstat, first field). */
static uint64_t cpu_ns(pid_t pid)
{
	char path[64], *text = NULL;
	uint64_t v = 0;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	if (g_file_get_contents(path, &text, NULL, NULL))
		v = g_ascii_strtoull(text, NULL, 10);
	g_free(text);
	return v;
}

/* A "Key:  value" number from /proc/PID/status. */
static uint64_t proc_status(pid_t pid, const char *key)
{
	char path[64], *text = NULL, *at;
	uint64_t v = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (g_file_get_contents(path, &text, NULL, NULL) && (at = strstr(text, key)))
		v = g_ascii_strtoull(at + strlen(key) + 1, NULL, 10);
	g_free(text);
	return v;
}

static uint64_t wakeups(pid_t pid)
{
	return proc_status(pid, "voluntary_ctxt_switches:") + proc_status(pid, "nonvoluntary_ctxt_switches:");
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	static const unsigned sizes[] = { 1, 16, 256, 3840 };
	const char *idle_env = getenv("BENCH_IDLE_SEC"), *runs_env = getenv("BENCH_RUNS");
	unsigned idle_sec = idle_env ? (unsigned)atoi(idle_env) : 60;
	unsigned runs_default = runs_env ? (unsigned)atoi(runs_env) : 5;
	bool paced;
	Harness h;
	char *body;
	uint64_t w0, w1;

	setenv("HARNESS_LOG_LEVEL", "info", 1);
	paced = !harness_init_process(argc, argv);
	harness_setup(&h);
	for (unsigned i = 0; i < sizes[G_N_ELEMENTS(sizes) - 1]; i++)
		harness_add_memory(&h, 32 + i);
	body = g_strdup_printf("Loader=dry-run\nQuietPeriodSec=%ums\nMaxDelaySec=60s\nDryRunOutput=%s\n"
			       "CommandLine=console=ttyS0\n",
			       QUIET_MS, h.out_dir);
	harness_config(&h, body);
	g_free(body);
	if (!harness_start(&h, NULL) || !harness_wait_status(&h, "reloads", 1, 10000)) {
		fprintf(stderr, "daemon did not start\n");
		harness_teardown(&h);
		return 1;
	}
	printf("crash-hotplugd benchmark: Loader=dry-run, QuietPeriodSec=%u ms, umockdev uevents%s\n", QUIET_MS,
	       paced ? " (PACED: uevent queue could not be raised)" : "");
	printf("%-7s %5s %14s %14s %14s %10s %12s\n", "burst", "runs", "event->reload", "minus quiet",
	       "send time", "reloads", "daemon CPU");

	for (size_t s = 0; s < G_N_ELEMENTS(sizes); s++) {
		unsigned n = sizes[s], runs = n >= 1000 && runs_default > 3 ? 3 : runs_default;
		uint64_t lat[16], cpu[16], send[16], extra_reloads = 0, events_ok = 0;

		if (runs > 16)
			runs = 16;
		for (unsigned r = 0; r < runs; r++) {
			uint64_t reloads0 = 0, reloads1 = 0, v = 0, c0, t0;

			harness_status(&h, "reloads", &reloads0);
			c0 = cpu_ns(h.pid);
			harness_add_ram(&h); /* each burst changes the topology once */
			t0 = harness_now_usec();
			for (unsigned i = 0; i < n; i++) {
				harness_uevent(&h, h.memory[i], "online");
				if (paced && i % 8 == 7)
					harness_sleep_ms(5);
			}
			send[r] = harness_now_usec() - t0;
			harness_wait_status(&h, "reloads", reloads0 + 1, 30000);
			/* Let the rescan finish and show that no second reload follows. */
			harness_sleep_ms(QUIET_MS * 3);
			harness_status(&h, "reloads", &reloads1);
			extra_reloads += reloads1 - reloads0 - 1;
			harness_status(&h, "last_event_to_reload_usec", &lat[r]);
			if (harness_status(&h, "last_burst_events", &v) && v == n)
				events_ok++;
			cpu[r] = cpu_ns(h.pid) - c0;
		}
		uint64_t l = median(lat, runs);
		printf("%-7u %5u %11.1f ms %11.2f ms %11.1f ms %10.2f %9.2f ms%s\n", n, runs, (double)l / 1000.0,
		       ((double)l - QUIET_MS * 1000.0) / 1000.0, (double)median(send, runs) / 1000.0,
		       1.0 + (double)extra_reloads / runs, (double)median(cpu, runs) / 1e6,
		       events_ok == runs ? "" : "  (some events not coalesced into one burst)");
	}

	printf("idle: measuring wakeups for %u s ...\n", idle_sec);
	fflush(stdout);
	w0 = wakeups(h.pid);
	harness_sleep_ms(idle_sec * 1000);
	w1 = wakeups(h.pid);
	printf("idle wakeups over %u s: %" PRIu64 " (target 0)\n", idle_sec, w1 - w0);
	/* Here the daemon also carries umockdev's preload library; RssAnon is its own memory. */
	printf("RSS: %" PRIu64 " KiB (peak %" PRIu64 " KiB, anonymous %" PRIu64
	       " KiB; target <= 4096 KiB; includes the umockdev preload)\n",
	       proc_status(h.pid, "VmRSS:"), proc_status(h.pid, "VmHWM:"), proc_status(h.pid, "RssAnon:"));
	fflush(stdout);
	harness_stop(&h);
	harness_teardown(&h);
	return 0;
}
