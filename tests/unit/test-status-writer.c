/* SPDX-License-Identifier: GPL-2.0-or-later */
/* daemon/status-writer.c: the publish before a load writes its files on the writer's thread,
 * so the caller (the load) goes on before the write is done; without a thread the write is
 * done at once; the results reach whoever waits, once. Linked with --wrap=status_write (held
 * until the test lets it go) and --wrap=pthread_create (made to fail on demand). */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../daemon/status-writer.h"
#include "../../daemon/status.h"

int __real_status_write(const char *dir, const StatusRecord *r);
int __wrap_status_write(const char *dir, const StatusRecord *r);
int __real_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *), void *arg);
int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *), void *arg);

static int gate[2] = { -1, -1 }; /* status_write waits for a byte on gate[0] when held */
static bool hold, no_threads;

int __wrap_status_write(const char *dir, const StatusRecord *r)
{
	struct pollfd p = { .fd = gate[0], .events = POLLIN };
	char c;

	/* At most 2 s: a writer that runs on the caller's thread must fail the test, not hang it. */
	if (hold && poll(&p, 1, 2000) == 1)
		assert_int_equal(read(gate[0], &c, 1), 1);
	return __real_status_write(dir, r);
}

int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *), void *arg)
{
	if (no_threads)
		return EAGAIN;
	return __real_pthread_create(t, a, fn, arg);
}

typedef struct Fixture {
	char dir[PATH_MAX], status[PATH_MAX + 16], metrics[PATH_MAX + 16], notify[PATH_MAX + 16];
	StatusRecord rec;
} Fixture;

static int setup(void **state)
{
	Fixture *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	umask(022);
	snprintf(f->dir, sizeof(f->dir), "%s/test-status-writer-XXXXXX", tmp && *tmp ? tmp : P_tmpdir);
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->status, sizeof(f->status), "%s/status.json", f->dir);
	snprintf(f->metrics, sizeof(f->metrics), "%s/metrics.prom", f->dir);
	snprintf(f->notify, sizeof(f->notify), "%s/notify", f->dir);
	f->rec = (StatusRecord){ .pid = 42, .state = "reloading", .loader = "segments",
				 .message = "reloading with segments" };
	assert_int_equal(pipe(gate), 0);
	hold = no_threads = false;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	Fixture *f = *state;

	unlink(f->status);
	unlink(f->metrics);
	unlink(f->notify);
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(rmdir(f->dir), 0);
	close(gate[0]);
	close(gate[1]);
	free(f);
	return 0;
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static bool file_has(const char *path, const char *what)
{
	char buf[8192];
	FILE *fp = fopen(path, "re");
	size_t n;

	assert_non_null(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	return strstr(buf, what) != NULL;
}

/* A service manager's socket, as NOTIFY_SOCKET names it. */
static int fake_manager(const Fixture *f)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	assert_true(strlen(f->notify) < sizeof(sa.sun_path));
	strcpy(sa.sun_path, f->notify);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(setenv("NOTIFY_SOCKET", f->notify, 1), 0);
	return fd;
}

/* The caller is back while status_write() has not even started writing, and STATUS= goes
 * out after the files; the one thread does every load's write. */
static void test_start_does_not_wait_for_the_write(void **state)
{
	Fixture *f = *state;
	int status_r = 1, metrics_r = 1;
	StatusWriter w;
	int manager = fake_manager(f);
	char msg[256];
	ssize_t n;

	assert_int_equal(status_writer_init(&w, f->dir), 0);
	hold = true;
	status_writer_start(&w, &f->rec);
	assert_false(exists(f->status));
	assert_false(exists(f->metrics));
	assert_int_equal(recv(manager, msg, sizeof(msg), 0), -1);
	assert_int_equal(errno, EAGAIN);
	f->rec.pid = 7; /* the thread writes its own copy */
	assert_int_equal(write(gate[1], "x", 1), 1);
	assert_true(status_writer_wait(&w, &status_r, &metrics_r));
	assert_int_equal(status_r, 0);
	assert_int_equal(metrics_r, 0);
	assert_true(file_has(f->status, "\"state\":\"reloading\""));
	assert_true(file_has(f->status, "\"pid\":42"));
	assert_true(file_has(f->metrics, "state=\"reloading\""));
	n = recv(manager, msg, sizeof(msg) - 1, 0);
	assert_true(n > 0);
	msg[n] = '\0';
	assert_string_equal(msg, "STATUS=reloading with segments");
	close(manager);
	/* Taken once. */
	assert_false(status_writer_wait(&w, &status_r, &metrics_r));
	/* The next load's write, on the same thread. */
	hold = false;
	status_writer_start(&w, &f->rec);
	assert_true(status_writer_wait(&w, &status_r, &metrics_r));
	assert_true(file_has(f->status, "\"pid\":7"));
	status_writer_done(&w);
}

/* No thread: written before start returns, the results still reported by the wait. */
static void test_without_a_thread_writes_at_once(void **state)
{
	Fixture *f = *state;
	StatusWriter w;
	int status_r = 1, metrics_r = 1;

	no_threads = true;
	assert_int_equal(status_writer_init(&w, f->dir), -EAGAIN);
	status_writer_start(&w, &f->rec);
	assert_true(exists(f->status));
	assert_true(exists(f->metrics));
	assert_true(status_writer_wait(&w, &status_r, &metrics_r));
	assert_int_equal(status_r, 0);
	assert_int_equal(metrics_r, 0);
	assert_false(status_writer_wait(&w, &status_r, &metrics_r));
	status_writer_done(&w);
}

/* A directory that is not there: both failures come back to the waiter. */
static void test_errors_reach_the_waiter(void **state)
{
	Fixture *f = *state;
	StatusWriter w;
	char missing[PATH_MAX + 16];
	int status_r = 0, metrics_r = 0;

	snprintf(missing, sizeof(missing), "%s/missing", f->dir);
	assert_int_equal(status_writer_init(&w, missing), 0);
	status_writer_start(&w, &f->rec);
	assert_true(status_writer_wait(&w, &status_r, &metrics_r));
	assert_int_equal(status_r, -ENOENT);
	assert_int_equal(metrics_r, -ENOENT);
	status_writer_done(&w);
}

/* Stopping with nothing to write, and twice started and stopped: nothing hangs or leaks. */
static void test_done_when_idle(void **state)
{
	Fixture *f = *state;

	for (int i = 0; i < 2; i++) {
		StatusWriter w;

		assert_int_equal(status_writer_init(&w, f->dir), 0);
		status_writer_done(&w);
	}
	assert_false(exists(f->status));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_start_does_not_wait_for_the_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_without_a_thread_writes_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_reach_the_waiter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_done_when_idle, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
