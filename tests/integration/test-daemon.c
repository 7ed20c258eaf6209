/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The real daemon (its test build: kexec calls faked, faults scripted with --fault) against
 * a umockdev test bed, receiving real uevents through its udev monitor. */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdio.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <glib.h>

#include "elfcorehdr.h"
#include "harness.h"
#include "../proc-scan.h"
#include "../unit/bzimage-fixture.h"
#include "topology.h"

static bool paced; /* true when the uevent queue could not be raised: send in small groups */

/* Quiet period and cap in ms, scaled for slow runs (valgrind). */
static char *timing(unsigned quiet_ms, unsigned max_ms)
{
	unsigned s = harness_scale();

	return g_strdup_printf("QuietPeriodSec=%ums\nMaxDelaySec=%ums\n", quiet_ms * s, max_ms * s);
}

static void dry_run_config(Harness *h, unsigned quiet_ms, unsigned max_ms)
{
	char *t = timing(quiet_ms, max_ms);
	char *body = g_strdup_printf("Loader=dry-run\n%sDryRunOutput=%s\nCommandLine=console=ttyS0\n", t, h->out_dir);

	harness_config(h, body);
	g_free(body);
	g_free(t);
}

static void file_config(Harness *h, const char *loader)
{
	char *t = timing(200, 2000);
	char *body = g_strdup_printf("Loader=%s\n%sKernel=/boot/vmlinuz-test\nInitrd=/boot/initrd.img-test\n"
				     "CommandLine=console=ttyS0\n",
				     loader, t);

	harness_config(h, body);
	g_free(body);
	g_free(t);
}

static void send_burst(Harness *h, const char *action, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		harness_uevent(h, h->memory[i % h->n_memory], action);
		if (paced && i % 8 == 7)
			harness_sleep_ms(20 * harness_scale());
	}
}

static uint64_t status_of(Harness *h, const char *key)
{
	uint64_t v = 0;

	assert_true(harness_status(h, key, &v));
	return v;
}

static int setup(void **state)
{
	Harness *h = g_new0(Harness, 1);

	harness_setup(h);
	*state = h;
	return 0;
}

static int teardown(void **state)
{
	harness_teardown(*state);
	g_free(*state);
	return 0;
}

/* The header the daemon wrote must be exactly what the library builds for the tree as it is
 * after the burst. */
static void assert_header_matches_tree(Harness *h)
{
	_cleanup_(topology_freep) Topology *t = NULL;
	char *path = g_build_filename(h->out_dir, "elfcorehdr", NULL), *written = NULL;
	unsigned max_phdrs;
	size_t used = 0, cap;
	gsize len = 0;
	void *expect;
	Diag d = { 0 };
	ElfcorehdrInfo info;

	assert_int_equal(topology_read(h->root, &t, &d), 0);
	max_phdrs = 2 + 8192 + t->n_possible;
	cap = elfcorehdr_capacity(max_phdrs);
	expect = calloc(1, cap);
	assert_non_null(expect);
	assert_int_equal(elfcorehdr_build(t, max_phdrs, expect, cap, &used), 0);
	assert_true(g_file_get_contents(path, &written, &len, NULL));
	assert_int_equal(len, cap);
	assert_memory_equal(written, expect, cap);
	assert_int_equal(elfcorehdr_validate(written, len, &info, NULL, 0), 0);
	assert_int_equal(info.n_loads, 1 + t->n_ram);
	assert_int_equal(info.n_notes, 1 + t->n_cpus);
	free(expect);
	g_free(written);
	g_free(path);
}

static void test_burst_gives_one_reload(void **state)
{
	Harness *h = *state;
	uint64_t before_events;

	for (unsigned i = 0; i < 200; i++)
		harness_add_memory(h, 32 + i);
	dry_run_config(h, 500, 60000);
	assert_true(harness_start(h, NULL));
	assert_true(harness_wait_status(h, "reloads", 1, 10000)); /* LoadOnStart */
	before_events = status_of(h, "events_total");

	/* 200 memory blocks come online; the RAM appears in iomem half way through. */
	send_burst(h, "online", 100);
	harness_add_ram(h);
	harness_add_ram(h);
	send_burst(h, "online", 100);

	assert_true(harness_wait_status(h, "reloads", 2, 10000));
	harness_sleep_ms(800 * harness_scale()); /* no second reload may follow */
	assert_int_equal(status_of(h, "reloads"), 2);
	assert_int_equal(status_of(h, "last_burst_events"), 200);
	assert_int_equal(status_of(h, "events_total") - before_events, 200);
	assert_int_equal(status_of(h, "ram_ranges"), 4);
	assert_header_matches_tree(h);
	assert_true(harness_log_contains(h, "reloaded with dry-run after 200 events"));
	assert_int_equal(harness_stop(h), 0);
}

static void test_spaced_events_reload_each(void **state)
{
	Harness *h = *state;
	const char *mem = harness_add_memory(h, 40);

	dry_run_config(h, 200, 5000);
	assert_true(harness_start(h, NULL));
	assert_true(harness_wait_status(h, "reloads", 1, 10000));
	for (unsigned i = 0; i < 3; i++) {
		/* The daemon rescans after each load: change the tree only once that is done. */
		assert_true(harness_wait_log(h, "rescan after the load", 1 + i, 10000));
		harness_add_ram(h);
		harness_uevent(h, mem, "online");
		assert_true(harness_wait_status(h, "reloads", 2 + i, 10000));
		assert_int_equal(status_of(h, "last_burst_events"), 1);
	}
	assert_int_equal(status_of(h, "ram_ranges"), 5);
	assert_header_matches_tree(h);
	assert_int_equal(harness_stop(h), 0);
}

static void test_stream_reloads_at_max_delay(void **state)
{
	Harness *h = *state;
	unsigned s = harness_scale(), sent = 0;
	const char *mem = harness_add_memory(h, 40);
	uint64_t start, reloads = 0, reloaded_at = 0;

	dry_run_config(h, 400, 1000);
	assert_true(harness_start(h, NULL));
	assert_true(harness_wait_status(h, "reloads", 1, 10000));
	harness_add_ram(h);
	/* An event every 100 ms for 3 s: the quiet period never passes. */
	start = harness_now_usec();
	while (harness_now_usec() - start < 3000000ULL * s) {
		harness_uevent(h, mem, "online");
		sent++;
		if (!reloaded_at && harness_status(h, "reloads", &reloads) && reloads >= 2)
			reloaded_at = harness_now_usec() - start;
		harness_sleep_ms(100 * s);
	}
	assert_true(reloaded_at > 0);                      /* during the stream */
	assert_true(reloaded_at >= 900000ULL * s);         /* not before MaxDelay */
	assert_true(reloaded_at < 2500000ULL * s);         /* but soon after it */
	assert_true(status_of(h, "last_burst_events") < sent);
	assert_int_equal(harness_stop(h), 0);
}

static void kernel_mode_setup(Harness *h, const char *hdr_size)
{
	char *t = timing(200, 2000);
	char *body = g_strdup_printf("Loader=auto\n%sKernel=/boot/vmlinuz-test\nCommandLine=console=ttyS0\n", t);

	harness_write(h, "sys/devices/system/cpu/crash_hotplug", "1\n");
	harness_write(h, "sys/devices/system/memory/crash_hotplug", "1\n");
	harness_write(h, "sys/kernel/kexec_crash_loaded", "1\n");
	harness_write(h, "sys/kernel/crash_elfcorehdr_size", hdr_size);
	harness_config(h, body);
	g_free(body);
	g_free(t);
}

/* The kernel updates its own header (crash_hotplug 1): the daemon guards it. It repairs once
 * at start (whoever loaded the image, a removal before then cannot be ruled out), reloads
 * nothing for added memory, and repairs after memory is removed. */
static void test_kernel_mode_guard(void **state)
{
	Harness *h = *state;
	char st[32];

	for (unsigned i = 0; i < 8; i++)
		harness_add_memory(h, 32 + i);
	kernel_mode_setup(h, "459200\n"); /* 8200 phdrs */
	assert_true(harness_start(h, NULL));
	assert_true(harness_wait_state(h, "kernel-managed", 5000));
	assert_int_equal(status_of(h, "reloads"), 1);
	assert_int_equal(status_of(h, "repairs"), 1);
	assert_true(harness_log_contains(h, "before crash-hotplugd knew the topology"));
	assert_true(harness_log_contains(h, "reloading with file"));

	harness_add_ram(h);
	send_burst(h, "online", 8);
	assert_true(harness_wait_status(h, "last_burst_events", 8, 10000));
	assert_int_equal(status_of(h, "reloads"), 1);
	assert_int_equal(status_of(h, "repairs"), 1);
	assert_int_equal(status_of(h, "max_phdrs"), 8200);
	assert_int_equal(status_of(h, "ram_ranges"), 3);
	assert_true(harness_status_state(h, st, sizeof(st)));
	assert_string_equal(st, "kernel-managed");
	assert_true(harness_log_contains(h, "guarding its updates"));

	/* Removal: the kernel's header keeps the range; the daemon repairs with file. */
	harness_remove_ram(h);
	send_burst(h, "offline", 4);
	assert_true(harness_wait_status(h, "repairs", 2, 10000));
	assert_true(harness_wait_state(h, "kernel-managed", 5000));
	assert_int_equal(status_of(h, "reloads"), 2);
	assert_int_equal(status_of(h, "ram_ranges"), 2);
	assert_true(harness_log_contains(h, "memory removed (128 MiB, first at 0x200000000)"));
	assert_true(harness_log_contains(h, "repair 2"));
	assert_int_equal(harness_stop(h), 0);
}

/* A dropped update: the kernel prints "crash hp: kexec_trylock() failed ..." at info level
 * when a kexec load holds the lock during a hotplug. A FIFO stands in for /dev/kmsg. */
static void test_kernel_mode_kmsg_notice(void **state)
{
	static const char rec[] = "6,1200,5000000,-;crash hp: kexec_trylock() failed, kdump image may be inaccurate\n";
	static const char other[] = "6,1201,5000001,-;EXT4-fs (vda1): mounted filesystem\n";
	Harness *h = *state;
	char *dev = g_build_filename(h->root, "dev", NULL);
	char *fifo = g_build_filename(dev, "kmsg", NULL);
	int fd;

	assert_int_equal(g_mkdir_with_parents(dev, 0755), 0);
	(void)unlink(fifo);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	/* Read-write: the FIFO always has a writer, so the daemon never sees a hang-up. */
	fd = open(fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	assert_true(fd >= 0);
	kernel_mode_setup(h, "459200\n");
	assert_true(harness_start(h, NULL));
	assert_true(harness_wait_state(h, "kernel-managed", 5000));
	assert_int_equal(status_of(h, "repairs"), 1);

	/* Another message is no reason; the notice at info level is. */
	assert_int_equal(write(fd, other, sizeof(other) - 1), (ssize_t)sizeof(other) - 1);
	harness_sleep_ms(300 * harness_scale());
	assert_int_equal(write(fd, rec, sizeof(rec) - 1), (ssize_t)sizeof(rec) - 1);
	assert_true(harness_wait_status(h, "repairs", 2, 10000));
	assert_true(harness_wait_state(h, "kernel-managed", 5000));
	assert_int_equal(status_of(h, "reloads"), 2);
	assert_true(harness_log_contains(h, "the kernel reported on its header update: \"kexec_trylock() failed"));
	assert_int_equal(harness_stop(h), 0);
	close(fd);
	g_free(fifo);
	g_free(dev);
}

static void test_kernel_capacity_exceeded_falls_back(void **state)
{
	Harness *h = *state;

	/* The test kernel is a bzImage segments would load: its load fails here, so that file
	 * is the next to try. */
	const char *const args[] = { "--fault=load:ENOEXEC", NULL };

	/* 5 phdrs: the kernel's header needs possible CPUs + 2 + RAM ranges, more. */
	kernel_mode_setup(h, "280\n");
	assert_true(harness_start(h, args));
	/* The kernel's header cannot hold the topology: a full reload, segments preferred (its
	 * header is ours, MaxPhdrs), then file. */
	assert_true(harness_wait_status(h, "reloads", 1, 5000));
	assert_true(harness_log_contains(h, "capacity exceeded"));
	assert_true(harness_log_contains(h, "one per possible CPU"));
	assert_true(harness_log_contains(h, "falling back from loader kernel to segments"));
	assert_true(harness_log_contains(h, "reloaded with file"));
	/* And the kernel does not take over a header it has no room in. */
	assert_true(harness_log_contains(h, "crash-hotplugd keeps reloading itself"));
	assert_true(harness_wait_state(h, "protected", 5000));
	assert_int_equal(harness_stop(h), 0);
}

/* Waits until a file of the runtime directory (status.json's neighbour metrics.prom) holds
 * needle: the daemon writes it right after status.json, so a reader can come in between. */
static bool wait_run_file(Harness *h, const char *name, const char *needle, int timeout_ms)
{
	char *path = g_build_filename(h->run_dir, name, NULL);
	uint64_t deadline = harness_now_usec() + (uint64_t)timeout_ms * 1000u * harness_scale();
	bool found = false;

	for (;;) {
		char *text = NULL;

		if (g_file_get_contents(path, &text, NULL, NULL))
			found = strstr(text, needle) != NULL;
		g_free(text);
		if (found || harness_now_usec() > deadline)
			break;
		harness_sleep_ms(10);
	}
	if (!found)
		fprintf(stderr, "%s never held '%s'\n", path, needle);
	g_free(path);
	return found;
}

static void pending_config(Harness *h, const char *loader, unsigned quiet_ms)
{
	char *t = timing(quiet_ms, 60000);
	char *body = g_strdup_printf("Loader=%s\n%sKernel=/boot/vmlinuz-test\nInitrd=/boot/initrd.img-test\n"
				     "CommandLine=console=ttyS0\n",
				     loader, t);

	harness_config(h, body);
	g_free(body);
	g_free(t);
}

/* The daemon with Loader=file and a quiet period of quiet_ms, protected after its load at start. */
static void start_protected(Harness *h, unsigned quiet_ms)
{
	pending_config(h, "file", quiet_ms);
	assert_true(harness_start(h, NULL));
	assert_true(harness_wait_status(h, "reloads", 1, 10000));
	assert_true(harness_wait_state(h, "protected", 5000));
}

/* While a burst is debounced the loaded header may lack what the events brought: a panic
 * then saves an incomplete dump. The daemon must not say "protected" then, but "pending",
 * with when the burst began and when the reload is due, until the reload. */
static void test_quiet_period_is_pending(void **state)
{
	Harness *h = *state;
	const char *mem = harness_add_memory(h, 40);
	uint64_t since = 0, due = 0, events = 0;
	char msg[640];

	start_protected(h, 2500);

	harness_add_ram(h);
	harness_uevent(h, mem, "online");
	assert_true(harness_wait_state(h, "pending", 1000));
	assert_true(harness_status(h, "pending_events", &events));
	assert_int_equal(events, 1);
	assert_true(wait_run_file(h, "metrics.prom", "\ncrash_hotplugd_pending_events 1\n", 1000));
	/* Two more right after: status.json is rewritten at most twice a second while pending,
	 * but the count of the burst's tail gets there. */
	harness_uevent(h, mem, "online");
	harness_uevent(h, mem, "online");
	assert_true(harness_wait_status(h, "pending_events", 3, 1000));
	assert_true(harness_status(h, "pending_since", &since));
	assert_true(harness_status(h, "reload_due", &due));
	assert_true(since > 0);
	assert_true(due >= since + 2400000ULL * harness_scale());
	assert_true(harness_status_string(h, "message", msg, sizeof(msg)));
	assert_non_null(strstr(msg, "pending: 3 events not yet in the loaded header"));
	assert_non_null(strstr(msg, "a panic now may leave"));
	assert_true(wait_run_file(h, "metrics.prom", "crash_hotplugd_state{state=\"pending\"} 1\n", 1000));
	assert_true(wait_run_file(h, "metrics.prom", "\ncrash_hotplugd_protected 0\n", 1000));
	assert_int_equal(status_of(h, "reloads"), 1);

	assert_true(harness_wait_status(h, "reloads", 2, 10000));
	assert_true(harness_wait_state(h, "protected", 5000));
	assert_int_equal(status_of(h, "pending_events"), 0);
	assert_int_equal(status_of(h, "pending_since"), 0);
	assert_true(wait_run_file(h, "metrics.prom", "\ncrash_hotplugd_protected 1\n", 1000));
	assert_int_equal(harness_stop(h), 0);
}

/* The "reloading" status goes out before the quiet period ends, not after it, so that the
 * load's system call follows the end at once (the status files and STATUS= take milliseconds,
 * tens under emulation, that every reload would otherwise wait): at the call, status.json says
 * reloading, entered before the reload was due, and the call is not early. */
static void test_reloading_published_before_the_quiet_period_ends(void **state)
{
	Harness *h = *state;
	const char *mem = harness_add_memory(h, 40);
	g_autofree char *record = g_build_filename(h->root, "test", "kexec-calls", NULL);
	g_autofree char *arg = g_strdup_printf("--fault-record=%s", record), *text = NULL;
	g_auto(GStrv) lines = NULL;
	const char *const args[] = { arg, NULL };
	char op[32], st[32];
	uint64_t due = 0, call = 0, since = 0;
	guint n;

	pending_config(h, "file", 2500);
	assert_true(harness_start(h, args));
	assert_true(harness_wait_status(h, "reloads", 1, 10000));
	assert_true(harness_wait_state(h, "protected", 5000));

	harness_add_ram(h);
	harness_uevent(h, mem, "online");
	assert_true(harness_wait_state(h, "pending", 1000));
	assert_true(harness_status(h, "reload_due", &due));
	assert_true(harness_wait_status(h, "reloads", 2, 10000));

	assert_true(g_file_get_contents(record, &text, NULL, NULL));
	lines = g_strsplit(g_strstrip(text), "\n", -1);
	n = g_strv_length(lines);
	assert_int_equal(n, 2); /* the load at start, the burst's */
	assert_int_equal(sscanf(lines[1], "%31s %" SCNu64 " %31s %" SCNu64, op, &call, st, &since), 4);
	assert_string_equal(op, "file_load");
	assert_string_equal(st, "reloading");
	if (since >= due)
		fail_msg("the reloading state was entered %" PRIu64 " us after the reload was due, %" PRIu64
			 " us before the call", since - due, call > since ? call - since : 0);
	/* reload_due is the deadline read on two clocks at once: a few microseconds either way. */
	if (call + 1000 < due)
		fail_msg("the load started %" PRIu64 " us before the reload was due", due - call);
	assert_int_equal(harness_stop(h), 0);
}

/* The snapshot and header are made 100 ms after a burst's last event, ahead of its check:
 * pending then says what changed, or ends at once when nothing did; a change that came
 * without an event after that snapshot is caught by the rescan after the load. */
static void test_prepared_ahead_of_check(void **state)
{
	Harness *h = *state;
	const char *mem = harness_add_memory(h, 40);
	uint64_t t0;

	start_protected(h, 2500);

	harness_add_ram(h);
	harness_uevent(h, mem, "online");
	assert_true(harness_wait_status_string(h, "message", "changed since the load: +128 MiB RAM at 0x", 1000));
	assert_int_equal(status_of(h, "reloads"), 1);
	harness_add_ram(h); /* no event for this one */
	assert_true(harness_wait_status(h, "reloads", 3, 10000));
	assert_int_equal(status_of(h, "ram_ranges"), 4);
	assert_true(harness_wait_state(h, "protected", 5000));

	/* Nothing changed: protected again long before the 2.5 s quiet period is over. */
	assert_true(harness_wait_log(h, "rescan after the load", 2, 10000));
	t0 = harness_now_usec();
	harness_uevent(h, mem, "offline");
	harness_uevent(h, mem, "online");
	assert_true(harness_wait_state(h, "pending", 1000));
	assert_true(harness_wait_state(h, "protected", 1000));
	assert_true(harness_now_usec() - t0 < 2000000ULL * harness_scale());
	assert_true(harness_wait_log(h, "nothing to reload", 1, 10000)); /* the check still runs, loads nothing */
	assert_int_equal(status_of(h, "reloads"), 3);
	assert_int_equal(harness_stop(h), 0);
}

/* With the kernel updating its own header, added memory is in it at once: no "pending". Its
 * update for removed memory is wrong until the daemon repairs it: "pending" until then. */
static void test_kernel_mode_pending_on_removal(void **state)
{
	Harness *h = *state;
	const char *mem = harness_add_memory(h, 40);
	char st[32];

	kernel_mode_setup(h, "459200\n");
	pending_config(h, "auto", 1500);
	assert_true(harness_start(h, NULL));
	assert_true(harness_wait_state(h, "kernel-managed", 5000));

	harness_add_ram(h);
	harness_uevent(h, mem, "online");
	harness_sleep_ms(300 * harness_scale());
	assert_true(harness_status_state(h, st, sizeof(st)));
	assert_string_equal(st, "kernel-managed");
	assert_int_equal(status_of(h, "pending_events"), 0);
	assert_true(harness_wait_status(h, "last_burst_events", 1, 10000));

	harness_remove_ram(h);
	harness_uevent(h, mem, "offline");
	assert_true(harness_wait_state(h, "pending", 1000));
	assert_true(harness_wait_status(h, "repairs", 2, 10000));
	assert_true(harness_wait_state(h, "kernel-managed", 5000));
	assert_int_equal(status_of(h, "pending_events"), 0);
	assert_int_equal(harness_stop(h), 0);
}

/* A crash_notes address whose note would wrap past 2^64: `show` rejects the header, so the
 * daemon must not load it (dry-run, the only loader here, submits our header). */
static void test_invalid_header_not_loaded(void **state)
{
	Harness *h = *state;

	harness_write(h, "sys/devices/system/cpu/cpu1/crash_notes", "ffffffffffffff00\n");
	dry_run_config(h, 200, 2000);
	assert_true(harness_start(h, NULL));
	assert_true(harness_wait_state(h, "unprotected", 5000));
	assert_int_equal(status_of(h, "reloads"), 0);
	assert_true(harness_log_contains(h, "refusing the header built from this topology"));
	assert_true(harness_log_contains(h, "wraps past 2^64"));
	assert_true(harness_log_contains(h, "dry-run: no header to write: phdr 1"));
	assert_int_equal(harness_stop(h), 0);
}

static void test_unchanged_topology_no_reload(void **state)
{
	Harness *h = *state;

	for (unsigned i = 0; i < 20; i++)
		harness_add_memory(h, 32 + i);
	dry_run_config(h, 200, 5000);
	assert_true(harness_start(h, NULL));
	assert_true(harness_wait_status(h, "reloads", 1, 10000));
	send_burst(h, "offline", 10);
	send_burst(h, "online", 10);
	assert_true(harness_wait_status(h, "last_burst_events", 20, 10000));
	assert_int_equal(status_of(h, "reloads"), 1);
	assert_true(harness_log_contains(h, "nothing to reload"));
	assert_int_equal(harness_stop(h), 0);
}

/* QuietPeriodSec=0 with MaxDelaySec=0 is valid: without a budget, every change of a storm
 * was its own load (958 of 1,000), each a window without a crash kernel. */
static void test_storm_rate_limited(void **state)
{
	Harness *h = *state;
	const char *mem = harness_add_memory(h, 40);
	char *body = g_strdup("Loader=file\nQuietPeriodSec=0\nMaxDelaySec=0\nKernel=/boot/vmlinuz-test\n"
			      "Initrd=/boot/initrd.img-test\nCommandLine=console=ttyS0\n");
	uint64_t reloads = 0, start;

	harness_config(h, body);
	assert_true(harness_start(h, NULL));
	assert_true(harness_wait_status(h, "reloads", 1, 10000));
	start = harness_now_usec();
	/* 60 changes over about 1.2 s, each one its own new RAM range. */
	for (unsigned i = 0; i < 60; i++) {
		harness_add_ram(h);
		harness_uevent(h, mem, "online");
		harness_sleep_ms(20);
	}
	/* The last state is loaded, after the storm, within the spacing. */
	assert_true(harness_wait_status(h, "ram_ranges", 2 + 60, 10000));
	assert_true(harness_wait_state(h, "protected", 5000));
	assert_true(harness_status(h, "reloads", &reloads));
	print_message("# %" PRIu64 " loads for 60 changes in %.1f s\n", reloads - 1,
		      (double)(harness_now_usec() - start) / 1e6);
	/* At least a second apart: 1.2 s of storm plus the final load leave room for a few. */
	assert_true(reloads - 1 >= 1);
	assert_true(reloads - 1 <= 4);
	assert_int_equal(harness_stop(h), 0);
	g_free(body);
}

static void test_ebusy_retried(void **state)
{
	Harness *h = *state;
	const char *const args[] = { "--fault=file_load:EBUSY*2", NULL };

	file_config(h, "file");
	assert_true(harness_start(h, args));
	assert_true(harness_wait_status(h, "reloads", 1, 10000));
	assert_int_equal(status_of(h, "failures"), 2);
	assert_true(harness_wait_state(h, "protected", 1000));
	assert_true(harness_log_contains(h, "EBUSY: kexec lock held"));
	assert_true(harness_log_contains(h, "attempt 2 of 5"));
	assert_true(harness_log_contains(h, "reloaded with file"));
	assert_int_equal(harness_stop(h), 0);
}

/* A load that fails may have freed the loaded image: when the topology goes back to what was
 * loaded before the retry runs, the retry must still load, not skip as "unchanged". */
static void test_failed_load_then_topology_back_reloads(void **state)
{
	Harness *h = *state;
	const char *const args[] = { "--fault=file_load:ENOMEM*2", NULL };
	const char *mem = harness_add_memory(h, 40);
	char *path = g_build_filename(h->root, "proc", "iomem", NULL), *before = NULL;

	/* Nothing loaded at start: the crash kernel kdump loaded is trusted for the topology now. */
	harness_config(h, "Loader=file\nLoadOnStart=no\nKernel=/boot/vmlinuz-test\nInitrd=/boot/initrd.img-test\n"
			  "CommandLine=console=ttyS0\n");
	harness_write(h, "sys/kernel/kexec_crash_loaded", "1\n");
	assert_true(g_file_get_contents(path, &before, NULL, NULL));
	assert_true(harness_start(h, args));
	assert_true(harness_wait_state(h, "protected", 5000));
	assert_int_equal(status_of(h, "reloads"), 0);

	harness_add_ram(h);
	harness_uevent(h, mem, "online");
	assert_true(harness_wait_log(h, "attempt 1 of 5", 1, 10000));
	harness_write(h, "proc/iomem", before); /* the RAM goes away again */
	assert_true(harness_wait_status(h, "reloads", 1, 10000));
	assert_true(harness_wait_state(h, "protected", 2000));
	assert_int_equal(status_of(h, "failures"), 2);
	assert_int_equal(harness_stop(h), 0);
	g_free(before);
	g_free(path);
}

static void test_enomem_falls_back(void **state)
{
	Harness *h = *state;
	const char *const args[] = { "--fault=load:ENOEXEC,file_load:ENOMEM", NULL };
	char *text = NULL, *path;

	file_config(h, "auto");
	assert_true(harness_start(h, args));
	/* segments fails once (ENOEXEC is not retried); file 5 times with backoff (0.1 + 0.2 +
	 * 0.4 + 0.8 s), then kexec-tools. */
	assert_true(harness_wait_status(h, "reloads", 1, 10000));
	assert_int_equal(status_of(h, "failures"), 6);
	assert_true(harness_log_contains(h, "ENOMEM"));
	assert_true(harness_log_contains(h, "falling back from loader file to kexec-tools"));
	assert_true(harness_log_contains(h, "reloaded with kexec-tools"));
	path = g_build_filename(h->run_dir, "status.json", NULL);
	assert_true(g_file_get_contents(path, &text, NULL, NULL));
	assert_non_null(strstr(text, "\"loader\":\"kexec-tools\""));
	assert_int_equal(harness_stop(h), 0);
	g_free(text);
	g_free(path);
}

static void test_eperm_unprotected(void **state)
{
	Harness *h = *state;
	const char *const args[] = { "--fault=load:ENOEXEC,file_load:EPERM,run:1", NULL };
	const char *mem = harness_add_memory(h, 40);
	char *text = NULL, *path;

	file_config(h, "auto");
	assert_true(harness_start(h, args));
	assert_true(harness_wait_state(h, "unprotected", 5000));
	/* Neither ENOEXEC nor EPERM is retried: one failure each of segments, file and
	 * kexec-tools. */
	assert_int_equal(status_of(h, "failures"), 3);
	assert_int_equal(status_of(h, "reloads"), 0);
	assert_true(harness_log_contains(h, "EPERM: kexec load refused"));
	assert_true(harness_log_contains(h, "CRITICAL: UNPROTECTED"));
	assert_true(harness_wait_notify(h, 0, "STATUS=UNPROTECTED", 1000));
	path = g_build_filename(h->run_dir, "status.json", NULL);
	assert_true(g_file_get_contents(path, &text, NULL, NULL));
	assert_non_null(strstr(text, "\"message\":\"UNPROTECTED"));
	/* It keeps trying on the next event. */
	harness_uevent(h, mem, "online");
	assert_true(harness_wait_status(h, "failures", 5, 10000));
	assert_int_equal(harness_stop(h), 0);
	g_free(text);
	g_free(path);
}

static void test_kernel_file_replaced_is_reopened(void **state)
{
	Harness *h = *state;
	char *tmp = g_build_filename(h->root, "boot", "vmlinuz-test.dpkg-new", NULL);
	char *dst = g_build_filename(h->root, "boot", "vmlinuz-test", NULL);

	file_config(h, "file");
	assert_true(harness_start(h, NULL));
	assert_true(harness_wait_status(h, "reloads", 1, 10000));
	/* What a package manager does: write a new file beside it, rename it over. */
	assert_true(g_file_set_contents(tmp, "a newer kernel", -1, NULL));
	assert_int_equal(rename(tmp, dst), 0);
	assert_true(harness_wait_log(h, "/boot/vmlinuz-test changed on disk: reopened", 1, 5000));
	assert_int_equal(harness_stop(h), 0);
	g_free(dst);
	g_free(tmp);
}

/* A restart (a package upgrade) keeps a crash kernel that is still right instead of
 * reloading it; anything that changed while the daemon was down still reloads. */
static void test_restart_keeps_what_is_loaded(void **state)
{
	Harness *h = *state;
	char *tmp = g_build_filename(h->root, "boot", "vmlinuz-test.dpkg-new", NULL);
	char *dst = g_build_filename(h->root, "boot", "vmlinuz-test", NULL);
	uint8_t *k;
	size_t size;

	file_config(h, "file");
	/* The fake kexec calls load nothing: the kernel's flag says what a real load would. */
	harness_write(h, "sys/kernel/kexec_crash_loaded", "1\n");
	assert_true(harness_start(h, NULL));
	assert_true(harness_wait_status(h, "reloads", 1, 10000));
	assert_int_equal(harness_stop(h), 0);

	assert_true(harness_start(h, NULL));
	assert_true(harness_wait_log(h, "keeping the crash kernel the previous run loaded with file", 1, 10000));
	assert_true(harness_wait_state(h, "protected", 5000));
	harness_sleep_ms(300 * harness_scale());
	assert_int_equal(status_of(h, "reloads"), 0);
	assert_int_equal(harness_stop(h), 0);

	/* The kernel was upgraded while the daemon was stopped (a bzImage: Loader=file refuses
	 * anything else). */
	k = fake_bzimage(8192, &size);
	assert_true(g_file_set_contents(tmp, (const char *)k, (gssize)size, NULL));
	free(k);
	assert_int_equal(rename(tmp, dst), 0);
	assert_true(harness_start(h, NULL));
	assert_true(harness_wait_log(h, "not keeping the crash kernel the previous run loaded: the kernel, initrd", 1,
				     10000));
	assert_true(harness_wait_status(h, "reloads", 1, 10000));
	assert_int_equal(harness_stop(h), 0);

	/* Memory came while it was stopped. */
	harness_add_ram(h);
	assert_true(harness_start(h, NULL));
	assert_true(harness_wait_log(h, "not keeping the crash kernel the previous run loaded: the topology changed", 1,
				     10000));
	assert_true(harness_wait_status(h, "reloads", 1, 10000));
	assert_int_equal(harness_stop(h), 0);

	/* Nothing is loaded any more (kexec -p -u while it was stopped). */
	harness_write(h, "sys/kernel/kexec_crash_loaded", "0\n");
	assert_true(harness_start(h, NULL));
	assert_true(harness_wait_status(h, "reloads", 1, 10000));
	assert_int_equal(harness_stop(h), 0);
	g_free(dst);
	g_free(tmp);
}

/* loaded.json describes what the loader loaded, not what the files say later: a
 * /etc/default/kdump-tools edited while the daemon runs (its loader keeps the command line it
 * took) must make the next start reload, even after a hotplug reload in between. */
static void test_restart_after_kdump_tools_edit_reloads(void **state)
{
	Harness *h = *state;
	char *t = timing(200, 2000);
	char *body = g_strdup_printf("Loader=file\n%sKernel=/boot/vmlinuz-test\nInitrd=/boot/initrd.img-test\n", t);
	const char *mem = harness_add_memory(h, 40);

	harness_config(h, body);
	harness_write(h, "etc/default/kdump-tools", "KDUMP_CMDLINE=\"root=/dev/first\"\n");
	harness_write(h, "sys/kernel/kexec_crash_loaded", "1\n");
	assert_true(harness_start(h, NULL));
	assert_true(harness_wait_status(h, "reloads", 1, 10000));
	assert_true(harness_wait_log(h, "rescan after the load", 1, 10000));
	harness_write(h, "etc/default/kdump-tools", "KDUMP_CMDLINE=\"root=/dev/second\"\n");
	harness_add_ram(h);
	harness_uevent(h, mem, "online");
	assert_true(harness_wait_status(h, "reloads", 2, 10000));
	assert_int_equal(harness_stop(h), 0);

	assert_true(harness_start(h, NULL));
	assert_true(harness_wait_log(h, "not keeping the crash kernel the previous run loaded: the kernel, initrd", 1,
				     10000));
	assert_true(harness_wait_status(h, "reloads", 1, 10000));
	assert_int_equal(harness_stop(h), 0);
	g_free(body);
	g_free(t);
}

static void test_bad_config_at_start(void **state)
{
	Harness *h = *state;

	harness_config(h, "Loader=dry-run\nQuietPeriodSec=banana\n");
	assert_int_equal(harness_run_to_exit(h, NULL), 6);
	/* The config file is "[Daemon]" (line 1), Loader (2), QuietPeriodSec (3). */
	assert_true(harness_log_contains(h, "crash-hotplugd.conf:3:"));
	assert_true(harness_log_contains(h, "QuietPeriodSec"));
}

static void test_bad_config_on_sighup(void **state)
{
	Harness *h = *state;
	size_t mark;
	char *out2 = g_build_filename(h->root, "test", "out2", NULL), *body, *plan;
	const char *mem = harness_add_memory(h, 40);
	char err[512], cur[32], *old_plan;

	dry_run_config(h, 200, 2000);
	assert_true(harness_start(h, NULL));
	assert_true(harness_wait_status(h, "reloads", 1, 10000));

	harness_config(h, "Loader=dry-run\nMaxPhdrs=-3\n");
	mark = strlen(h->notified);
	harness_signal(h, SIGHUP);
	assert_true(harness_wait_notify(h, mark, "RELOADING=1", 5000));
	assert_true(harness_wait_notify(h, mark, "READY=1", 5000));
	assert_true(harness_log_contains(h, "crash-hotplugd.conf:3:")); /* [Daemon], Loader=, MaxPhdrs= */
	assert_true(harness_log_contains(h, "keeping the previous configuration"));
	assert_int_equal(status_of(h, "reloads"), 1);
	/* status.json says why, and the daemon goes on as it was. */
	assert_true(harness_status_string(h, "config_error", err, sizeof(err)));
	assert_non_null(strstr(err, "crash-hotplugd.conf:3:"));
	assert_true(harness_status_state(h, cur, sizeof(cur)));
	assert_string_equal(cur, "dry-run");

	/* The previous configuration is the one in force: a hotplug reloads into its output
	 * directory (the refused file names none, which would be the runtime directory's). */
	old_plan = g_build_filename(h->out_dir, "plan", NULL);
	assert_int_equal(unlink(old_plan), 0);
	assert_true(harness_wait_log(h, "rescan after the load", 1, 10000));
	harness_add_ram(h);
	harness_uevent(h, mem, "online");
	assert_true(harness_wait_status(h, "reloads", 2, 5000));
	assert_true(g_file_test(old_plan, G_FILE_TEST_EXISTS));

	/* A good change still applies: a new output directory means a reload into it, and the
	 * refusal is cleared. */
	body = g_strdup_printf("Loader=dry-run\nDryRunOutput=%s\nCommandLine=console=ttyS0\n", out2);
	harness_config(h, body);
	mark = strlen(h->notified);
	harness_signal(h, SIGHUP);
	assert_true(harness_wait_notify(h, mark, "READY=1", 5000));
	assert_true(harness_wait_status(h, "reloads", 3, 5000));
	plan = g_build_filename(out2, "plan", NULL);
	assert_true(g_file_test(plan, G_FILE_TEST_EXISTS));
	assert_true(harness_status_string(h, "config_error", err, sizeof(err)));
	assert_string_equal(err, "");
	mark = strlen(h->notified);
	assert_int_equal(harness_stop(h), 0);
	assert_true(harness_wait_notify(h, mark, "STOPPING=1", 1000));
	g_free(old_plan);
	g_free(plan);
	g_free(body);
	g_free(out2);
}

/* ---- a kexec that hangs (--fault=run:hang: a real shell and two children, all ignoring
 * SIGTERM, in place of kexec) */

#define MAX_PROCS 8192

/* /proc/<pid>/stat of every process; the caller frees. */
static ProcInfo *list_processes(size_t *ret_n)
{
	ProcInfo *ps = g_new(ProcInfo, MAX_PROCS);

	*ret_n = proc_list(ps, MAX_PROCS);
	return ps;
}

/* Waits until neither pid nor anything in its group runs. */
static bool gone(pid_t pid, int timeout_ms)
{
	uint64_t deadline = harness_now_usec() + (uint64_t)timeout_ms * 1000u * harness_scale();

	while (proc_alive(pid) || proc_live_in_group(pid) > 0) {
		if (harness_now_usec() > deadline)
			return false;
		harness_sleep_ms(10);
	}
	return true;
}

static pid_t hang_pid = -1; /* the daemon's hanging child, for teardown_hang */

/* Waits for the daemon's child running the hang, with its two children; returns its pid. */
static pid_t wait_hang(Harness *h, int timeout_ms)
{
	uint64_t deadline = harness_now_usec() + (uint64_t)timeout_ms * 1000u * harness_scale();

	while (hang_pid < 0 && harness_now_usec() < deadline) {
		size_t n;
		ProcInfo *ps = list_processes(&n);

		for (size_t i = 0; i < n && hang_pid < 0; i++) {
			unsigned kids = 0;

			if (ps[i].ppid != h->pid || ps[i].state == 'Z')
				continue;
			for (size_t j = 0; j < n; j++)
				kids += ps[j].ppid == ps[i].pid && ps[j].state != 'Z';
			if (kids == 2)
				hang_pid = ps[i].pid;
		}
		g_free(ps);
		if (hang_pid < 0)
			harness_sleep_ms(10);
	}
	return hang_pid;
}

/* After a failed test, nothing of the hang may stay behind: its children, its group (never
 * ours), itself. */
static int teardown_hang(void **state)
{
	if (hang_pid > 0) {
		size_t n;
		ProcInfo *ps = list_processes(&n);

		for (size_t i = 0; i < n; i++)
			if (ps[i].ppid == hang_pid || (ps[i].pgrp == hang_pid && hang_pid != getpgrp()))
				kill(ps[i].pid, SIGKILL);
		kill(hang_pid, SIGKILL);
		g_free(ps);
		hang_pid = -1;
	}
	return teardown(state);
}

/* Waits up to timeout_ms (scaled) for the daemon to exit: its exit status, -1 if it did not. */
static int wait_exit(Harness *h, int timeout_ms)
{
	uint64_t deadline = harness_now_usec() + (uint64_t)timeout_ms * 1000u * harness_scale();
	int status;

	while (harness_now_usec() < deadline) {
		if (waitpid(h->pid, &status, WNOHANG) == h->pid) {
			h->pid = -1;
			if (!WIFEXITED(status))
				harness_dump_log(h);
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
		harness_sleep_ms(2);
	}
	harness_dump_log(h);
	return -1;
}

/* kexec-tools, no load at start (kdump's crash kernel is trusted), then a hotplug makes it
 * load; --fault=run:hang makes that kexec hang. */
static pid_t start_hung_kexec(Harness *h, const char *fault, const char *extra)
{
	const char *const args[] = { fault, NULL };
	const char *mem = harness_add_memory(h, 40);
	char *t = timing(100, 1000);
	char *body = g_strdup_printf("Loader=kexec-tools\nLoadOnStart=no\n%sKernel=/boot/vmlinuz-test\n"
				     "Initrd=/boot/initrd.img-test\nCommandLine=console=ttyS0\n%s",
				     t, extra);

	harness_config(h, body);
	harness_write(h, "sys/kernel/kexec_crash_loaded", "1\n");
	g_free(body);
	g_free(t);
	assert_true(harness_start(h, args));
	assert_true(harness_wait_state(h, "protected", 5000));
	harness_add_ram(h);
	harness_uevent(h, mem, "online");
	assert_true(harness_wait_state(h, "reloading", 5000));
	return wait_hang(h, 5000);
}

/* Issue 13: SIGTERM while kexec hangs. The daemon kills kexec's process group and exits at
 * once, and status.json does not stay at "reloading". */
static void test_hung_kexec_sigterm(void **state)
{
	Harness *h = *state;
	pid_t hang = start_hung_kexec(h, "--fault=run:hang", "");
	uint64_t t0, took;
	bool own_group;
	char st[32];

	assert_true(hang > 0);
	own_group = getpgid(hang) == hang && hang != getpgrp();
	t0 = harness_now_usec();
	harness_signal(h, SIGTERM);
	assert_int_equal(wait_exit(h, 5000), 0);
	took = harness_now_usec() - t0;
	print_message("# the daemon exited %" PRIu64 " ms after SIGTERM (kexec hung, deaf to SIGTERM)\n",
		      took / 1000);
	assert_true(took < 1000000ULL * harness_scale());
	/* kexec ran in a group of its own, and nothing of it is left. */
	assert_true(own_group);
	assert_true(gone(hang, 1000));
	assert_true(harness_status_state(h, st, sizeof(st)));
	assert_string_not_equal(st, "reloading");
	assert_string_equal(st, "unprotected");
	assert_true(harness_log_contains(h, "kexec stopped: the daemon is stopping"));
	assert_false(harness_log_contains(h, "UNPROTECTED: no loader")); /* a stop, not a failure */
	assert_true(harness_log_contains(h, "stopping; the crash kernel stays loaded"));
}

/* LoadTimeoutSec=: the hung kexec is killed, the failure says so, and the next event loads. */
static void test_hung_kexec_timeout(void **state)
{
	Harness *h = *state;
	pid_t hang = start_hung_kexec(h, "--fault=run:hang*1", "LoadTimeoutSec=1\n");
	const char *mem = h->memory[0];
	uint64_t t0, took;

	assert_true(hang > 0);
	t0 = harness_now_usec();
	assert_true(harness_wait_state(h, "unprotected", 5000));
	took = harness_now_usec() - t0;
	print_message("# unprotected %" PRIu64 " ms after the hung kexec was seen (LoadTimeoutSec=1)\n",
		      took / 1000);
	assert_true(took < 1500000ULL * harness_scale());
	assert_true(gone(hang, 1000));
	assert_true(harness_log_contains(h, "kexec did not finish within 1 s: killed"));
	assert_int_equal(status_of(h, "failures"), 1);

	/* Not stuck: the next event loads (the fault hangs once). */
	harness_uevent(h, mem, "online");
	assert_true(harness_wait_status(h, "reloads", 1, 10000));
	assert_true(harness_wait_state(h, "protected", 5000));
	assert_int_equal(harness_stop(h), 0);
}

/* SIGKILL cannot be handled: PR_SET_PDEATHSIG has the kernel kill the daemon's child, kexec,
 * when the daemon dies. (Children of kexec's own, which kexec-tools does not make, are left to
 * systemd, whose KillMode=control-group stops what remains in the cgroup.) */
static void test_hung_kexec_daemon_killed(void **state)
{
	Harness *h = *state;
	pid_t hang = start_hung_kexec(h, "--fault=run:hang", "");
	int status;

	assert_true(hang > 0);
	harness_signal(h, SIGKILL);
	assert_int_equal(waitpid(h->pid, &status, 0), h->pid);
	h->pid = -1;
	for (unsigned i = 0; i < 100 && proc_alive(hang); i++)
		harness_sleep_ms(10);
	assert_false(proc_alive(hang));
}

/* Stopped while a retry is due (EBUSY, and loads at least 1 s apart): status.json must not
 * say "reloading" after the daemon is gone. */
static void test_sigterm_during_retry_not_reloading(void **state)
{
	Harness *h = *state;
	const char *const args[] = { "--fault=file_load:EBUSY", NULL };
	char st[32];

	file_config(h, "file");
	assert_true(harness_start(h, args));
	assert_true(harness_wait_log(h, "attempt 1 of 5", 1, 5000));
	assert_true(harness_status_state(h, st, sizeof(st)));
	assert_string_equal(st, "reloading");
	assert_int_equal(harness_stop(h), 0);
	assert_true(harness_status_state(h, st, sizeof(st)));
	assert_string_equal(st, "unprotected");
	assert_true(harness_wait_notify(h, 0, "stopped before the reload was done", 1000));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_burst_gives_one_reload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_keeps_what_is_loaded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_after_kdump_tools_edit_reloads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spaced_events_reload_each, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_reloads_at_max_delay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_mode_guard, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quiet_period_is_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_mode_pending_on_removal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prepared_ahead_of_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_header_not_loaded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_storm_rate_limited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_mode_kmsg_notice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_capacity_exceeded_falls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unchanged_topology_no_reload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reloading_published_before_the_quiet_period_ends, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ebusy_retried, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_load_then_topology_back_reloads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enomem_falls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eperm_unprotected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_file_replaced_is_reopened, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_config_at_start, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_config_on_sighup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hung_kexec_sigterm, setup, teardown_hang),
		cmocka_unit_test_setup_teardown(test_hung_kexec_timeout, setup, teardown_hang),
		cmocka_unit_test_setup_teardown(test_hung_kexec_daemon_killed, setup, teardown_hang),
		cmocka_unit_test_setup_teardown(test_sigterm_during_retry_not_reloading, setup, teardown),
	};

	paced = !harness_init_process(argc, argv);
	if (paced)
		fprintf(stderr, "cannot raise net.unix.max_dgram_qlen here: pacing bursts\n");
	return cmocka_run_group_tests_name("daemon", tests, NULL, NULL);
}
