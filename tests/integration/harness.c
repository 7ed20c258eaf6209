/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../unit/bzimage-fixture.h"
#include "harness.h"

extern char **environ;

#define SMALL_VM "small-vm"

uint64_t harness_now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void harness_sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

unsigned harness_scale(void)
{
	const char *s = getenv("HARNESS_TIME_SCALE");
	int v = s ? atoi(s) : 1;

	return v > 0 ? (unsigned)v : 1;
}

static bool write_sysctl(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, value, strlen(value)) == (ssize_t)strlen(value);
	close(fd);
	return ok;
}

bool harness_init_process(int argc, char **argv)
{
	const char *pre = getenv("LD_PRELOAD");
	uid_t uid = getuid();
	gid_t gid = getgid();
	char map[64];

	/* umockdev works through its preload; run by hand, re-execute with it. argv[0], not
	 * /proc/self/exe: under valgrind the latter is valgrind itself. */
	if (!pre || !strstr(pre, "libumockdev-preload")) {
		char *v = g_strdup_printf("libumockdev-preload.so.0%s%s", pre ? ":" : "", pre ? pre : "");

		setenv("LD_PRELOAD", v, 1);
		g_free(v);
		execvp(argv[0], argv);
		perror("re-executing with the umockdev preload");
		exit(99);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* Each queued uevent is one datagram on the daemon's socket, and net.unix.max_dgram_qlen
	 * (10) is per network namespace: in a private one it can be raised without touching the
	 * machine. As root directly; as a user through a user namespace. */
	if (unshare(CLONE_NEWNET) < 0) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
			return false;
		write_sysctl("/proc/self/setgroups", "deny");
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
		write_sysctl("/proc/self/uid_map", map);
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
		write_sysctl("/proc/self/gid_map", map);
	}
	return write_sysctl("/proc/sys/net/unix/max_dgram_qlen", "16384");
}

static void mkdir_parents(const char *path)
{
	char *dir = g_path_get_dirname(path);

	g_mkdir_with_parents(dir, 0755);
	g_free(dir);
}

/* rel under the root with size bytes of data (-1: a string). */
static void write_data(Harness *h, const char *rel, const char *data, gssize size)
{
	char *p = g_build_filename(h->root, rel, NULL);
	GError *err = NULL;

	mkdir_parents(p);
	if (!g_file_set_contents(p, data, size, &err)) {
		fprintf(stderr, "writing %s: %s\n", p, err->message);
		abort();
	}
	g_free(p);
}

void harness_write(Harness *h, const char *rel, const char *content)
{
	write_data(h, rel, content, -1);
}

static char *fixture_read(const char *rel)
{
	const char *dir = getenv("FIXTURES");
	char *p, *text = NULL;
	gsize len;

	p = g_build_filename(dir ? dir : "tests/fixtures", SMALL_VM, rel, NULL);
	if (!g_file_get_contents(p, &text, &len, NULL)) {
		fprintf(stderr, "missing fixture %s (set FIXTURES)\n", p);
		abort();
	}
	g_free(p);
	return text;
}

static void copy_fixture(Harness *h, const char *rel)
{
	char *text = fixture_read(rel);

	harness_write(h, rel, text);
	g_free(text);
}

/* kcore is binary: copied byte for byte. */
static void copy_fixture_binary(Harness *h, const char *rel)
{
	const char *dir = getenv("FIXTURES");
	char *src = g_build_filename(dir ? dir : "tests/fixtures", SMALL_VM, rel, NULL);
	char *dst = g_build_filename(h->root, rel, NULL);
	gchar *data = NULL;
	gsize len = 0;

	mkdir_parents(dst);
	if (!g_file_get_contents(src, &data, &len, NULL) || !g_file_set_contents(dst, data, (gssize)len, NULL)) {
		fprintf(stderr, "copying %s\n", src);
		abort();
	}
	g_free(data);
	g_free(src);
	g_free(dst);
}

static void add_cpu(Harness *h, unsigned n)
{
	char rel[128], name[64], *notes, *size;

	snprintf(rel, sizeof(rel), "sys/devices/system/cpu/cpu%u/crash_notes", n);
	notes = fixture_read(rel);
	snprintf(rel, sizeof(rel), "sys/devices/system/cpu/cpu%u/crash_notes_size", n);
	size = fixture_read(rel);
	g_strchomp(notes);
	g_strchomp(size);
	snprintf(name, sizeof(name), "system/cpu/cpu%u", n);
	/* TAGS is what our udev rule would set; the daemon checks it in userspace. */
	g_free(umockdev_testbed_add_device(h->tb, "cpu", name, NULL, "crash_notes", notes, "crash_notes_size", size,
					   "online", "1", NULL, "TAGS", ":crash-hotplugd:", NULL));
	g_free(notes);
	g_free(size);
}

void harness_setup(Harness *h)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memset(h, 0, sizeof(*h));
	h->pid = -1;
	h->notify_fd = -1;
	/* The test bed first: sockets made before it would be real netlink ones. */
	h->tb = umockdev_testbed_new();
	h->root = umockdev_testbed_get_root_dir(h->tb);
	h->conf = g_build_filename(h->root, "test", "crash-hotplugd.conf", NULL);
	h->run_dir = g_build_filename(h->root, "test", "run", NULL);
	h->out_dir = g_build_filename(h->root, "test", "out", NULL);
	h->log = g_build_filename(h->root, "test", "daemon.log", NULL);
	h->notify_path = g_build_filename(h->root, "test", "notify", NULL);

	copy_fixture(h, "proc/iomem");
	copy_fixture_binary(h, "proc/kcore");
	copy_fixture(h, "sys/kernel/vmcoreinfo");
	copy_fixture(h, "sys/devices/system/cpu/possible");
	copy_fixture(h, "sys/devices/system/cpu/present");
	copy_fixture(h, "sys/devices/system/cpu/online");
	copy_fixture(h, "sys/devices/system/memory/block_size_bytes");
	harness_write(h, "proc/cmdline", "BOOT_IMAGE=/vmlinuz root=/dev/vda crashkernel=256M quiet\n");
	harness_write(h, "sys/kernel/kexec_crash_loaded", "0\n");
	harness_write(h, "sys/kernel/kexec_crash_size", "268435456\n");
	harness_write(h, "sys/devices/system/cpu/crash_hotplug", "0\n");
	harness_write(h, "sys/devices/system/memory/crash_hotplug", "0\n");
	{
		/* A synthetic bzImage: Loader=file refuses anything else before its (faked) load. */
		size_t size;
		uint8_t *k = fake_bzimage(4096, &size);

		write_data(h, "boot/vmlinuz-test", (const char *)k, (gssize)size);
		free(k);
	}
	harness_write(h, "boot/initrd.img-test", "not really an initrd\n");
	add_cpu(h, 0);
	add_cpu(h, 1);

	/* A fake kexec for the kexec-tools loader's probe (the test build never runs it). */
	harness_write(h, "test/bin/kexec", "#!/bin/sh\nexit 0\n");
	{
		char *kexec = g_build_filename(h->root, "test", "bin", "kexec", NULL);
		char *bin = g_build_filename(h->root, "test", "bin", NULL);
		const char *path = getenv("PATH");

		chmod(kexec, 0755);
		h->path_env = g_strdup_printf("PATH=%s:%s", bin, path ? path : "/usr/bin:/bin");
		g_free(kexec);
		g_free(bin);
	}

	h->notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", h->notify_path);
	if (h->notify_fd < 0 || bind(h->notify_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("notify socket");
		abort();
	}
}

void harness_teardown(Harness *h)
{
	static unsigned n;
	const char *keep = getenv("HARNESS_LOG_DIR");

	/* For debugging a failure afterwards: the test bed (and the log) is deleted below. */
	if (keep) {
		char *text = NULL, *dst = g_strdup_printf("%s/daemon-%u.log", keep, ++n);

		if (g_file_get_contents(h->log, &text, NULL, NULL))
			g_file_set_contents(dst, text, -1, NULL);
		g_free(text);
		g_free(dst);
	}
	if (h->pid > 0) {
		kill(h->pid, SIGKILL);
		waitpid(h->pid, NULL, 0);
	}
	if (h->notify_fd >= 0)
		close(h->notify_fd);
	for (unsigned i = 0; i < h->n_memory; i++)
		g_free(h->memory[i]);
	g_free(h->path_env);
	g_free(h->notify_path);
	g_free(h->log);
	g_free(h->out_dir);
	g_free(h->run_dir);
	g_free(h->conf);
	g_free(h->root);
	g_object_unref(h->tb); /* removes the test bed directory */
}

void harness_config(Harness *h, const char *body)
{
	char *text = g_strdup_printf("[Daemon]\n%s", body);
	char *rel = g_build_filename("test", "crash-hotplugd.conf", NULL);

	harness_write(h, rel, text);
	g_free(rel);
	g_free(text);
}

const char *harness_add_memory(Harness *h, unsigned n)
{
	char name[64];

	if (h->n_memory >= HARNESS_MAX_MEMORY)
		abort();
	snprintf(name, sizeof(name), "system/memory/memory%u", n);
	h->memory[h->n_memory] = umockdev_testbed_add_device(h->tb, "memory", name, NULL, "state", "online",
							     "online", "1", NULL, "TAGS", ":crash-hotplugd:", NULL);
	return h->memory[h->n_memory++];
}

void harness_add_ram(Harness *h)
{
	char *path = g_build_filename(h->root, "proc", "iomem", NULL);
	uint64_t start = 0x200000000ULL + (uint64_t)h->n_ram_added * 0x10000000ULL;
	FILE *f = fopen(path, "ae");

	/* Above everything in the fixture, ascending, with a gap so each stays its own range. */
	if (!f || fprintf(f, "%llx-%llx : System RAM\n", (unsigned long long)start,
			  (unsigned long long)(start + 0x8000000ULL - 1)) < 0 || fclose(f) != 0) {
		perror("appending to iomem");
		abort();
	}
	h->n_ram_added++;
	g_free(path);
}

void harness_remove_ram(Harness *h)
{
	char *path = g_build_filename(h->root, "proc", "iomem", NULL);
	gchar *text = NULL;
	gsize len = 0;
	char *last;

	if (h->n_ram_added == 0 || !g_file_get_contents(path, &text, &len, NULL) || len < 2)
		abort();
	/* The last line is the range harness_add_ram() appended last. */
	text[len - 1] = '\0';
	last = strrchr(text, '\n');
	if (!last)
		abort();
	last[1] = '\0';
	if (!g_file_set_contents(path, text, -1, NULL))
		abort();
	h->n_ram_added--;
	g_free(text);
	g_free(path);
}

void harness_uevent(Harness *h, const char *syspath, const char *action)
{
	umockdev_testbed_uevent(h->tb, syspath, action);
}

static void drain_notify(Harness *h)
{
	char buf[4096];
	ssize_t n;

	while ((n = recv(h->notify_fd, buf, sizeof(buf) - 1, 0)) > 0) {
		size_t used = strlen(h->notified);

		buf[n] = '\0';
		if (used + (size_t)n + 2 < sizeof(h->notified)) {
			memcpy(h->notified + used, buf, (size_t)n);
			h->notified[used + (size_t)n] = '\n';
			h->notified[used + (size_t)n + 1] = '\0';
		}
	}
}

static bool daemon_alive(Harness *h)
{
	int status;

	if (h->pid <= 0)
		return false;
	if (waitpid(h->pid, &status, WNOHANG) == h->pid) {
		fprintf(stderr, "daemon exited early (status 0x%x)\n", status);
		h->pid = -1;
		return false;
	}
	return true;
}

bool harness_wait_notify(Harness *h, size_t after, const char *needle, int timeout_ms)
{
	uint64_t deadline = harness_now_usec() + (uint64_t)timeout_ms * 1000u * harness_scale();

	for (;;) {
		struct pollfd p = { .fd = h->notify_fd, .events = POLLIN };

		drain_notify(h);
		if (strlen(h->notified) > after && strstr(h->notified + after, needle))
			return true;
		if (harness_now_usec() > deadline || !daemon_alive(h)) {
			fprintf(stderr, "no '%s' from the daemon; notifications so far:\n%s\n", needle, h->notified);
			harness_dump_log(h);
			return false;
		}
		poll(&p, 1, 50);
	}
}

static pid_t spawn(Harness *h, const char *const *extra)
{
	const char *daemon = getenv("CRASH_HOTPLUGD");
	char *root_arg = g_strdup_printf("--root=%s", h->root);
	char *conf_arg = g_strdup_printf("--config=%s", h->conf);
	char *run_arg = g_strdup_printf("--runtime-dir=%s", h->run_dir);
	char *notify = g_strdup_printf("NOTIFY_SOCKET=%s", h->notify_path);
	const char *level = getenv("HARNESS_LOG_LEVEL");
	char *log_level = g_strdup_printf("--log-level=%s", level ? level : "debug");
	const char *argv[32];
	char **envp;
	size_t n = 0, ne = 0;
	posix_spawn_file_actions_t fa;
	pid_t pid = -1;

	if (!daemon) {
		fprintf(stderr, "CRASH_HOTPLUGD is not set (the crash-hotplugd-test binary)\n");
		abort();
	}
	argv[n++] = daemon;
	argv[n++] = root_arg;
	argv[n++] = conf_arg;
	argv[n++] = run_arg;
	argv[n++] = "--log-target=console";
	/* Debug by default (one line per uevent, for diagnosis); benchmarks ask for less. */
	argv[n++] = log_level;
	for (; extra && *extra && n < 31; extra++)
		argv[n++] = *extra;
	argv[n] = NULL;

	for (char **e = environ; *e; e++)
		ne++;
	envp = g_new0(char *, ne + 4);
	ne = 0;
	for (char **e = environ; *e; e++)
		if (!g_str_has_prefix(*e, "NOTIFY_SOCKET=") && !g_str_has_prefix(*e, "PATH=") &&
		    !g_str_has_prefix(*e, "JOURNAL_STREAM=") && !g_str_has_prefix(*e, "ASAN_OPTIONS="))
			envp[ne++] = *e;
	/* The test driver cannot use LeakSanitizer (umockdev's worker thread), the daemon can. */
	envp[ne++] = (char *)"ASAN_OPTIONS=detect_leaks=1:abort_on_error=1";
	envp[ne++] = notify;
	envp[ne++] = h->path_env;

	mkdir_parents(h->log);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, h->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
	posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO, STDOUT_FILENO);
	if (posix_spawn(&pid, daemon, &fa, NULL, (char *const *)argv, envp) != 0) {
		perror("spawning the daemon");
		pid = -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	g_free(envp);
	g_free(log_level);
	g_free(notify);
	g_free(run_arg);
	g_free(conf_arg);
	g_free(root_arg);
	return pid;
}

bool harness_start(Harness *h, const char *const *extra)
{
	h->notified[0] = '\0';
	h->pid = spawn(h, extra);
	if (h->pid < 0)
		return false;
	return harness_wait_notify(h, 0, "READY=1", 20000);
}

int harness_run_to_exit(Harness *h, const char *const *extra)
{
	pid_t pid = spawn(h, extra);
	int status;

	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void harness_signal(Harness *h, int sig)
{
	if (h->pid > 0)
		kill(h->pid, sig);
}

int harness_stop(Harness *h)
{
	int status;

	if (h->pid <= 0)
		return -1;
	kill(h->pid, SIGTERM);
	if (waitpid(h->pid, &status, 0) != h->pid)
		return -1;
	h->pid = -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "daemon exit status 0x%x\n", status);
		harness_dump_log(h);
		return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	}
	return 0;
}

static char *read_status(Harness *h)
{
	char *p = g_build_filename(h->run_dir, "status.json", NULL), *text = NULL;

	if (!g_file_get_contents(p, &text, NULL, NULL))
		text = NULL;
	g_free(p);
	return text;
}

bool harness_status(Harness *h, const char *key, uint64_t *ret)
{
	char *text = read_status(h), *needle, *at;
	bool ok = false;

	if (!text)
		return false;
	needle = g_strdup_printf("\"%s\":", key);
	at = strstr(text, needle);
	if (at) {
		*ret = g_ascii_strtoull(at + strlen(needle), NULL, 10);
		ok = true;
	}
	g_free(needle);
	g_free(text);
	return ok;
}

bool harness_status_string(Harness *h, const char *key, char *buf, size_t size)
{
	char *text = read_status(h), *needle, *at, *end;
	bool ok = false;

	if (!text)
		return false;
	needle = g_strdup_printf("\"%s\":\"", key);
	at = strstr(text, needle);
	if (at) {
		at += strlen(needle);
		end = strchr(at, '"');
		if (end) {
			snprintf(buf, size, "%.*s", (int)(end - at), at);
			ok = true;
		}
	}
	g_free(needle);
	g_free(text);
	return ok;
}

bool harness_status_state(Harness *h, char *buf, size_t size)
{
	return harness_status_string(h, "state", buf, size);
}

bool harness_wait_status(Harness *h, const char *key, uint64_t value, int timeout_ms)
{
	uint64_t deadline = harness_now_usec() + (uint64_t)timeout_ms * 1000u * harness_scale(), v = 0;

	for (;;) {
		if (harness_status(h, key, &v) && v >= value)
			return true;
		if (harness_now_usec() > deadline || !daemon_alive(h)) {
			fprintf(stderr, "status %s reached %llu, wanted %llu\n", key, (unsigned long long)v,
				(unsigned long long)value);
			harness_dump_log(h);
			return false;
		}
		harness_sleep_ms(10);
	}
}

bool harness_wait_state(Harness *h, const char *state, int timeout_ms)
{
	uint64_t deadline = harness_now_usec() + (uint64_t)timeout_ms * 1000u * harness_scale();
	char cur[64] = "";

	for (;;) {
		if (harness_status_state(h, cur, sizeof(cur)) && strcmp(cur, state) == 0)
			return true;
		if (harness_now_usec() > deadline || !daemon_alive(h)) {
			fprintf(stderr, "state is '%s', wanted '%s'\n", cur, state);
			harness_dump_log(h);
			return false;
		}
		harness_sleep_ms(10);
	}
}

bool harness_wait_status_string(Harness *h, const char *key, const char *needle, int timeout_ms)
{
	uint64_t deadline = harness_now_usec() + (uint64_t)timeout_ms * 1000u * harness_scale();
	char cur[1024] = "";

	for (;;) {
		if (harness_status_string(h, key, cur, sizeof(cur)) && strstr(cur, needle))
			return true;
		if (harness_now_usec() > deadline || !daemon_alive(h)) {
			fprintf(stderr, "status %s is '%s', wanted it to hold '%s'\n", key, cur, needle);
			harness_dump_log(h);
			return false;
		}
		harness_sleep_ms(10);
	}
}

bool harness_log_contains(Harness *h, const char *needle)
{
	char *text = NULL;
	bool found;

	if (!g_file_get_contents(h->log, &text, NULL, NULL))
		return false;
	found = strstr(text, needle) != NULL;
	g_free(text);
	return found;
}

static unsigned log_count(Harness *h, const char *needle)
{
	char *text = NULL;
	unsigned n = 0;

	if (g_file_get_contents(h->log, &text, NULL, NULL))
		for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
			n++;
	g_free(text);
	return n;
}

bool harness_wait_log(Harness *h, const char *needle, unsigned n, int timeout_ms)
{
	uint64_t deadline = harness_now_usec() + (uint64_t)timeout_ms * 1000u * harness_scale();

	for (;;) {
		unsigned have = log_count(h, needle);

		if (have >= n)
			return true;
		if (harness_now_usec() > deadline || !daemon_alive(h)) {
			fprintf(stderr, "'%s' logged %u times, wanted %u\n", needle, have, n);
			harness_dump_log(h);
			return false;
		}
		harness_sleep_ms(10);
	}
}

void harness_dump_log(Harness *h)
{
	char *text = NULL;

	if (g_file_get_contents(h->log, &text, NULL, NULL))
		fprintf(stderr, "---- daemon log ----\n%s---- end ----\n", text);
	g_free(text);
}
