/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>

#include "diag.h"

int diag_set(Diag *d, int code, const char *file, unsigned line, const char *fmt, ...)
{
	if (d) {
		va_list ap;

		snprintf(d->file, sizeof(d->file), "%s", file ? file : "");
		d->line = line;
		va_start(ap, fmt);
		vsnprintf(d->reason, sizeof(d->reason), fmt, ap);
		va_end(ap);
	}
	return -code;
}

const char *diag_format(const Diag *d, char *buf, size_t size)
{
	if (d->line > 0)
		snprintf(buf, size, "%s:%u: %s", d->file, d->line, d->reason);
	else
		snprintf(buf, size, "%s: %s", d->file, d->reason);
	return buf;
}
