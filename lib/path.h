/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Every file lib/ reads lives under a root directory ("/" in production, a fixture tree in tests). */
#pragma once

#include "diag.h"

/* Writes root + path into buf ("/" or NULL root gives path unchanged). -ENAMETOOLONG if it does not fit. */
int path_join(const char *root, const char *path, char *buf, size_t size);

/* fopen() of path under root; NULL with errno set on failure. */
FILE *path_fopen(const char *root, const char *path, const char *mode);

/* Reads the whole (small, one-line) file path under root into buf without the trailing newline.
 * Fails with -ENOENT/-EACCES/... (diag names the file), -EFBIG if it does not fit, -ENODATA if empty. */
int path_read_line(const char *root, const char *path, char *buf, size_t size, Diag *d);
