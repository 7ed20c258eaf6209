/* SPDX-License-Identifier: GPL-2.0-or-later */
/* x86_64's Loader=segments (lib/loader-segments.h): bzImage, boot_params with the e820 map,
 * and the purgatory (purgatory/) that checks a SHA-256 over kernel, initrd, boot_params and
 * header before it jumps. The SHA-256 state over everything but the header is computed once
 * per plan and reused, so a reload hashes nothing but the header. */
#pragma once

#include "../loader-segments.h"
