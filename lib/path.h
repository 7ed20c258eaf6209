/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every file lib/ reads lives under a root directory ("/" in production, a fixture tree in
 * tests), and every read goes through this layer: look at the file through an O_PATH
 * descriptor (symlinks are followed: sysfs and /etc hold legitimate ones) and refuse anything
 * but a regular file before opening it, then open it with O_RDONLY|O_NONBLOCK|O_CLOEXEC|
 * O_NOCTTY, fstat it again (same inode, still regular), and read at most a per-file cap. So
 * a FIFO cannot block the daemon, a device is never opened (/dev/zero cannot stream
 * gigabytes into memory, a watchdog device is not armed), and an oversized regular file is
 * an error naming the file instead of an allocation failure. /proc and /sys files are regular
 * files (their st_size is 0 or 4096, never the real length, so the caps are read limits, not
 * checks of st_size).
 */
#pragma once

#include <sys/stat.h>

#include "diag.h"

/* Read caps (bytes), one per kind of file. A file with more bytes than its cap is -EFBIG,
 * "larger than N bytes", with the file named. */

/* /proc/iomem: a virtio-mem guest with 20,000 lines prints about 1 MiB; 4x that. */
#define READ_CAP_IOMEM (4u << 20)
/* The main configuration file and each drop-in: a config is a few hundred bytes. */
#define READ_CAP_CONFIG (1u << 20)
/* cpu/{possible,present,online}: sysfs prints them into one page; 64 KiB leaves room for
 * 64 KiB pages. */
#define READ_CAP_CPULIST (64u << 10)
/* One-line sysfs and procfs values (crash_notes, crash_notes_size, vmcoreinfo,
 * block_size_bytes, kexec_crash_loaded, lockdown, ...): at most one 4 KiB page. */
#define READ_CAP_VALUE 4096u
/* The daemon's own status.json, about 1 KiB. */
#define READ_CAP_STATUS (64u << 10)
/* /proc/kcore is not read through path_read_file(): its st_size is the size of the kernel's
 * address space. kcore_parse_file() reads its ELF header and program headers only, bounded by
 * the header itself: 64 + 65534 * 56 bytes, about 3.5 MiB. */

typedef enum PathReadFlags {
	/* /dev/null (the character device 1:3, what a symlink to it reaches) is accepted and
	 * reads as empty: systemd's idiom for masking a configuration file. */
	PATH_READ_DEV_NULL = 1 << 0,
	/* The file is one the root daemon trusts (configuration, kernel, initrd): the opened
	 * file (its fstat, so nothing is swapped in between) and every directory from the root
	 * down to it must be owned by root and not writable by group or others, see trust.h;
	 * else -EPERM, d naming the element and why. /dev/null as a mask is exempt itself. */
	PATH_READ_TRUSTED = 1 << 1,
} PathReadFlags;

/* Writes root + path into buf ("/" or NULL root gives path unchanged). -ENAMETOOLONG if it does not fit. */
int path_join(const char *root, const char *path, char *buf, size_t size);

/* Opens path under root (root NULL: path as given) as described above and returns the fd in
 * *ret_fd (and its fstat in *ret_st, which may be NULL). Never blocks. Errors, with d naming
 * path: -ENOENT/-EACCES/-ELOOP/... "cannot open: <strerror>", -EISDIR "is a directory",
 * -EINVAL "not a regular file (FIFO)" (or character device, block device, socket), -EAGAIN
 * "replaced while being opened" (another inode between the look and the open); with
 * PATH_READ_TRUSTED, -EPERM "<element> is writable by group and others (mode 0666)" and the like. */
int path_open_regular(const char *root, const char *path, PathReadFlags flags, int *ret_fd, struct stat *ret_st,
		      Diag *d);

/* Reads fd to its end, at most cap (> 0) bytes, into a new NUL-terminated buffer (*ret, the
 * caller frees; *ret_size excludes the NUL). name is for d. -EFBIG "larger than <cap> bytes"
 * (reading stops at cap + 1 bytes), -EAGAIN "reading would block", -EIO/... "read error",
 * -ENOMEM. */
int path_read_fd(int fd, const char *name, size_t cap, char **ret, size_t *ret_size, Diag *d);

/* path_open_regular() + path_read_fd(): the whole file under root, at most cap bytes. */
int path_read_file(const char *root, const char *path, size_t cap, PathReadFlags flags, char **ret, size_t *ret_size,
		   Diag *d);

/* path_read_file(), then the bytes as a read-only stdio stream for the *_parse_stream()
 * parsers (the stream owns them: fclose() frees everything). Same errors. */
int path_open_stream(const char *root, const char *path, size_t cap, PathReadFlags flags, FILE **ret, Diag *d);

/* fopen() of path under root through path_open_regular(): a FIFO or a device is refused
 * (errno EINVAL), nothing blocks. mode must be "r" or "re" (else EINVAL). The caller's reads
 * are not capped: prefer path_read_file(). NULL with errno set on failure. */
FILE *path_fopen(const char *root, const char *path, const char *mode);

/* Reads the one-line file path under root (at most READ_CAP_VALUE bytes, through
 * path_read_file()) and copies its first line into buf without the newline; what follows the
 * first newline is ignored. Errors (diag names the file): those of path_read_file(), -EFBIG
 * if the line does not fit in buf, -EINVAL for a NUL byte in it, -ENODATA if empty. */
int path_read_line(const char *root, const char *path, char *buf, size_t size, Diag *d);
