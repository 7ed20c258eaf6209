/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kexec-syscall-timer.so: LD_PRELOAD under kexec-tools, which makes its load syscalls through
 * syscall(3). Times kexec_load and kexec_file_load (CLOCK_MONOTONIC around the real call) and
 * appends one line per call to the file named by CHP_KEXEC_SYSCALL_LOG:
 *
 *   kexec_load|kexec_file_load <return value> <errno> <microseconds>
 *
 * reload-bench uses it to measure the window without a crash kernel inside `kexec -p` and
 * `kexec -s -p`, the same window the daemon's loaders measure around their own syscall.
 * Every other system call goes straight through. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

typedef long (*syscall_fn)(long nr, ...);

static long long now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

long syscall(long nr, ...)
{
	static syscall_fn real;
	const char *log;
	long a[6], r;
	long long t0, t1;
	va_list ap;
	int e, fd;

	/* Like glibc's own syscall(): six argument registers, whatever the call uses. */
	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (!real) {
		void *sym = dlsym(RTLD_NEXT, "syscall");

		if (!sym) {
			errno = ENOSYS;
			return -1;
		}
		*(void **)&real = sym;
	}
	if (nr != SYS_kexec_load && nr != SYS_kexec_file_load)
		return real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);

	t0 = now_usec();
	r = real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	t1 = now_usec();
	e = errno;
	log = getenv("CHP_KEXEC_SYSCALL_LOG");
	if (log && *log) {
		fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (fd >= 0) {
			dprintf(fd, "%s %ld %d %lld\n", nr == SYS_kexec_load ? "kexec_load" : "kexec_file_load", r,
				r < 0 ? e : 0, t1 - t0);
			close(fd);
		}
	}
	errno = e;
	return r;
}
