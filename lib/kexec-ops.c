/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The real kexec syscalls and process spawning behind KexecOps. glibc has no wrappers for
 * kexec_load/kexec_file_load, so they go through syscall(2). */
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "loader.h"

extern char **environ;

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

static int real_run(void *userdata, char *const argv[])
{
	posix_spawnattr_t attr;
	sigset_t none, all;
	pid_t pid;
	int r, status;

	/* The daemon blocks the signals its event loop handles; the child must not inherit
	 * that mask, nor handlers. */
	sigemptyset(&none);
	sigfillset(&all);
	r = posix_spawnattr_init(&attr);
	if (r != 0)
		return -r;
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	/* posix_spawnp: no fork()ed copy of the daemon's address space, and kexec is found
	 * through PATH (/usr/sbin under systemd, /sbin in minimal guests). */
	r = posix_spawnp(&pid, argv[0], NULL, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	if (r != 0)
		return -r;
	for (;;) {
		if (waitpid(pid, &status, 0) >= 0)
			break;
		if (errno != EINTR)
			return negative_errno();
	}
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
