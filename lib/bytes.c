/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>

#include "bytes.h"

const char *format_bytes(uint64_t bytes, char *buf, size_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	unsigned u = 0;
	uint64_t unit = 1, tenths;

	while (u + 1 < ELEMENTSOF(units) && bytes / unit >= 1024) {
		unit *= 1024;
		u++;
	}
	if (bytes % unit == 0) {
		snprintf(buf, size, "%" PRIu64 " %s", bytes / unit, units[u]);
		return buf;
	}
	/* Rounded to the nearest tenth, in integers: no double rounding, no locale. */
	tenths = (bytes / unit) * 10 + ((bytes % unit) * 10 + unit / 2) / unit;
	if (tenths >= 10240 && u + 1 < ELEMENTSOF(units)) {
		unit *= 1024;
		u++;
		tenths = (bytes / unit) * 10 + ((bytes % unit) * 10 + unit / 2) / unit;
	}
	snprintf(buf, size, "%" PRIu64 ".%" PRIu64 " %s", tenths / 10, tenths % 10, units[u]);
	return buf;
}
