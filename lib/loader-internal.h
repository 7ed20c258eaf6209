/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers the loaders share; not part of the loader interface. */
#pragma once

#include <sys/utsname.h>
#include <time.h>

#include "loader.h"

static inline uint64_t loader_now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* uname -r: the release whose kernel and initrd the defaults name. */
static inline const char *loader_release(struct utsname *u)
{
	return uname(u) == 0 ? u->release : "unknown";
}

/* res->detail = the formatted text, cut to fit (paths can be long; the detail is a summary). */
void loader_set_detail(LoadResult *res, const char *fmt, ...) _printf_(2, 3);

/* Fills res->detail with "<what>: <errno meaning>" and returns -err (err positive). */
int loader_fail(LoadResult *res, int err, const char *fmt, ...) _printf_(3, 4);

/* Writes size bytes to path (not under any root: an output the admin chose) through a
 * temporary file in the same directory and rename(2), so readers see the old or the new
 * file, never a partial one. mode is the new file's mode. */
int loader_write_atomic(const char *path, const void *data, size_t size, mode_t mode);

/* 0 if a crash kernel region is reserved (kexec_crash_size > 0); -EADDRNOTAVAIL if it is 0,
 * -EOPNOTSUPP without kdump support; why says which. */
int loader_probe_crash_region(const char *root, char *why, size_t why_size);

/* Program headers the kernel reserved for its own header (crash_elfcorehdr_size / 56), or
 * -errno (-ENOENT: kernel without CONFIG_CRASH_HOTPLUG). */
int loader_kernel_capacity(const char *root);
