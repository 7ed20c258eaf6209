/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one way sizes are written for people, in the daemon's messages, the journal, status and
 * every crash-hotplugctl output: the same size always reads the same. */
#pragma once

#include "util.h"

/* bytes in the largest binary unit (B, KiB, MiB, GiB, TiB, PiB) it reaches: a whole number when
 * it is an exact multiple of that unit ("512 MiB", "1 GiB", "100 B"), else rounded to one
 * decimal ("766.9 MiB", "15.9 MiB"): a decimal point always means "rounded". A value that
 * rounds up to 1024 of a unit is written in the next ("1.0 GiB"). Returns buf. */
const char *format_bytes(uint64_t bytes, char *buf, size_t size);
