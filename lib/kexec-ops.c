/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The real kexec syscalls and process spawning behind KexecOps. glibc has no wrappers for
 * kexec_load/kexec_file_load, so they go through syscall(2). */
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "loader.h"

extern char **environ;

/* After SIGTERM to the group on a cancel, how long kexec gets before SIGKILL: it dies at
 * once unless it is inside a syscall, and the daemon must stop within about a second. */
#define RUN_TERM_GRACE_USEC (500 * 1000ULL)
/* After SIGKILL, how long to wait for the child to be reapable. A task stuck in D state
 * does not die before its syscall returns; the daemon does not wait for that forever. */
#define RUN_KILL_WAIT_USEC (2000 * 1000ULL)
/* Without a pidfd (kernel before 5.3, or filtered): how often waitpid(WNOHANG) looks. */
#define RUN_POLL_USEC (10 * 1000ULL)

static long real_kexec_load(void *userdata, unsigned long entry, unsigned long nr_segments,
			    struct kexec_segment *segments, unsigned long flags)
{
	return syscall(SYS_kexec_load, entry, nr_segments, segments, flags);
}

static long real_kexec_file_load(void *userdata, int kernel_fd, int initrd_fd, unsigned long cmdline_len,
				 const char *cmdline, unsigned long flags)
{
#ifdef SYS_kexec_file_load
	return syscall(SYS_kexec_file_load, kernel_fd, initrd_fd, cmdline_len, cmdline, flags);
#else
	errno = ENOSYS;
	return -1;
#endif
}

static uint64_t mono_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* name as execvp(3) would find it, but never in the working directory (an empty PATH entry),
 * into buf: the child then only calls execve(). */
static int find_program(const char *name, char *buf, size_t size)
{
	const char *path = getenv("PATH"), *p, *end;

	if (strchr(name, '/')) {
		if (strlen(name) >= size)
			return -ENAMETOOLONG;
		strcpy(buf, name);
		return access(buf, X_OK) < 0 ? negative_errno() : 0;
	}
	if (!path || !*path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (p = path; *p; p = *end ? end + 1 : end) {
		size_t len;
		int n;

		end = strchrnul(p, ':');
		len = (size_t)(end - p);
		if (len == 0)
			continue;
		n = snprintf(buf, size, "%.*s/%s", (int)len, p, name);
		if (n > 0 && (size_t)n < size && access(buf, X_OK) == 0)
			return 0;
	}
	return -ENOENT;
}

/* The child, between fork() and execve(): async-signal-safe calls only. */
_Noreturn static void child_exec(const char *program, char *const argv[], pid_t parent)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;

	/* Its own process group, so one kill() reaches whatever kexec starts. */
	(void)setpgid(0, 0);
	/* The kernel kills it if the daemon dies, SIGKILL included. The daemon may have died
	 * before this line: then the parent is no longer the one that forked. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(127);
	/* The daemon blocks the signals its event loop handles, and may ignore some: kexec gets
	 * neither. Handlers are reset by execve() itself. */
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	execve(program, argv, environ);
	_exit(127);
}

typedef struct Child {
	pid_t pid;
	int pidfd; /* -1: poll waitpid() instead */
	int sigfd; /* SIGTERM and SIGINT */
} Child;

enum {
	CHILD_EXITED,
	CHILD_TIMEOUT,
	CHILD_SIGNAL, /* SIGTERM or SIGINT is pending */
};

/* Whether the child has exited, without reaping it: while it is a zombie its pid (and so its
 * process group id) cannot be reused, which keeps kill(-pid) safe. */
static bool child_exited(const Child *c)
{
	siginfo_t si = { 0 };

	if (waitid(P_PID, (id_t)c->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
		return errno == ECHILD; /* reaped by someone else: nothing left to wait for */
	return si.si_pid == c->pid;
}

/* Waits until the child exits, deadline (CLOCK_MONOTONIC) passes or, with signals, SIGTERM or
 * SIGINT is pending. The child's exit wins over the other two. */
static int child_wait(const Child *c, uint64_t deadline, bool signals)
{
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = c->sigfd, .events = POLLIN },
			{ .fd = c->pidfd, .events = POLLIN },
		};
		uint64_t now = mono_usec(), left;
		int r;

		if (child_exited(c))
			return CHILD_EXITED;
		if (now >= deadline)
			return CHILD_TIMEOUT;
		left = deadline - now;
		if (c->pidfd < 0 && left > RUN_POLL_USEC)
			left = RUN_POLL_USEC;
		/* Only polled, never read: the signal stays pending for the daemon's own loop. */
		r = poll(signals ? p : p + 1, signals ? 2 : 1, (int)((left + 999) / 1000));
		if (r < 0 && errno != EINTR)
			return negative_errno();
		if (signals && (p[0].revents & POLLIN) && !child_exited(c))
			return CHILD_SIGNAL;
	}
}

/* Kills what is left of the group (kexec is normally alone in it), then reaps the child.
 * Returns its wait status, or -ETIME if it did not die within RUN_KILL_WAIT_USEC: stuck in
 * the kernel, it is left as it is, a zombie once it dies. */
static int child_finish(Child *c)
{
	int status;

	(void)kill(-c->pid, SIGKILL);
	if (child_wait(c, mono_usec() + RUN_KILL_WAIT_USEC, false) != CHILD_EXITED)
		return -ETIME;
	for (;;) {
		if (waitpid(c->pid, &status, 0) == c->pid)
			return status;
		if (errno != EINTR)
			return negative_errno();
	}
}

static int real_run(void *userdata, char *const argv[], uint64_t timeout_usec)
{
	_cleanup_(closep) int sigfd = -1, pidfd = -1;
	uint64_t deadline = mono_usec() + timeout_usec;
	char program[PATH_MAX];
	struct pollfd p;
	sigset_t stop;
	pid_t parent = getpid(), pid;
	Child c;
	int r, status;

	if (!argv || !argv[0] || timeout_usec == 0)
		return -EINVAL;
	r = find_program(argv[0], program, sizeof(program));
	if (r < 0)
		return r;
	/* A signalfd sees a signal only while it is blocked, as the daemon's are (sd-event's
	 * signalfd); where SIGTERM is not blocked it takes its normal action instead, and
	 * PR_SET_PDEATHSIG then kills the child. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigfd = signalfd(-1, &stop, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0)
		return negative_errno();
	/* Stopping already: do not start what would be killed at once. */
	p = (struct pollfd){ .fd = sigfd, .events = POLLIN };
	if (poll(&p, 1, 0) > 0)
		return -ECANCELED;

	/* fork(), not posix_spawn(): PR_SET_PDEATHSIG must be set in the child. The daemon is
	 * small and the child execs at once. */
	pid = fork();
	if (pid < 0)
		return negative_errno();
	if (pid == 0)
		child_exec(program, argv, parent);
	/* Also here: kill(-pid) below must find the group even before the child ran. EACCES once
	 * it has exec'd: it did it itself then. */
	(void)setpgid(pid, pid);
	pidfd = pidfd_open(pid, 0); /* any failure: waitpid(WNOHANG) every RUN_POLL_USEC */
	c = (Child){ .pid = pid, .pidfd = pidfd, .sigfd = sigfd };

	r = child_wait(&c, deadline, true);
	if (r == CHILD_SIGNAL) {
		/* A moment to exit on its own terms; kexec has no handler and dies at once. */
		(void)kill(-pid, SIGTERM);
		(void)child_wait(&c, mono_usec() + RUN_TERM_GRACE_USEC, false);
	}
	status = child_finish(&c);
	if (r == CHILD_SIGNAL)
		return -ECANCELED;
	if (r == CHILD_TIMEOUT)
		return -ETIMEDOUT;
	if (r < 0)
		return r;
	if (status < 0)
		return status;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	/* Killed: report it like a shell does, so it is never mistaken for success. */
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

const KexecOps kexec_ops_real = {
	.kexec_load = real_kexec_load,
	.kexec_file_load = real_kexec_file_load,
	.run = real_run,
};
