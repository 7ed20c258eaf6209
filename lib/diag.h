/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where and why a parse failed: lib/ does not log, it fills one of these for the caller. */
#pragma once

#include <limits.h>

#include "util.h"

typedef struct Diag {
	char file[PATH_MAX]; /* the file as the user knows it, e.g. "/proc/iomem" or the fixture path */
	unsigned line;       /* 1-based; 0 when the problem is not tied to a line */
	char reason[512];
} Diag;

/* Records file:line:reason in d (d may be NULL). Returns -code (code is a positive errno). */
int diag_set(Diag *d, int code, const char *file, unsigned line, const char *fmt, ...) _printf_(5, 6);

/* "file:line: reason" (or "file: reason" when line is 0) into buf; returns buf. */
const char *diag_format(const Diag *d, char *buf, size_t size);
