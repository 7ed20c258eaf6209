/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Trust checks on what the root daemon loads and writes, as sshd and sudo check their own
 * files: every file it reads its configuration from, every kernel and initrd it loads, and
 * every directory on the way to them must be owned by root (uid 0) and writable by nobody
 * else (no group or other write bit). A sticky world-writable directory such as /tmp is not
 * trusted: anyone can create the next name in it. Symbolic links are followed the way
 * open(2) follows them: the directories of the path as written and those of its resolved
 * target are both checked (a link's own mode means nothing; the directory holding it does).
 *
 * The walk starts at the root directory (the root itself included, its parents not: in
 * production the root is "/", in tests a fixture tree whose location is the test's
 * business). A target that a symlink leads outside the root is checked from "/".
 */
#pragma once

#include <sys/stat.h>

#include "diag.h"

/* 0 if st (the element named name) is owned by uid 0 and has no group or other write bit;
 * else -EPERM with d = name and why ("is writable by group and others (mode 0666)", "is
 * owned by uid 1000, not root (mode 0644)"). */
int trust_check_stat(const struct stat *st, const char *name, Diag *d);

/* Checks root + path and every directory from the root down to it (see above); root NULL
 * means path is a file named as it is (a --config argument): then the walk starts at its
 * directory. Diagnostics name elements by their path under the root. 0, -EPERM (untrusted,
 * d says which element and why), or -errno when an element cannot be looked at. */
int trust_check_path(const char *root, const char *path, Diag *d);

/* trust_check_path() without the last element: the directories only. For a caller that
 * checks the file itself on the descriptor it opened (fstat), so that nothing can be
 * swapped in between. */
int trust_check_parents(const char *root, const char *path, Diag *d);

/* Opens the output directory path (not under any root: an output the admin chose) with
 * O_DIRECTORY|O_NOFOLLOW: a symlink as its last component is refused (-ELOOP), as is a
 * directory not owned by root or writable by group or others (-EPERM). *ret_fd is
 * O_CLOEXEC; d names path and says why. */
int trust_open_dir(const char *path, int *ret_fd, Diag *d);
