/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tests of a cross build run under meson's exe_wrapper (qemu-user, see cross/). */
#pragma once

#include <stdlib.h>

/* The exe_wrapper meson runs this test through ("qemu-aarch64 -L ..."), or NULL natively.
 * Under it, /proc/self and process groups are the emulator's: tests of those skip, saying so. */
static inline const char *test_exe_wrapper(void)
{
	const char *w = getenv("MESON_EXE_WRAPPER");

	return w && *w ? w : NULL;
}
