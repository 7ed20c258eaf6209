/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A fake kexec_load for the segments loaders' tests (x86_64's and arm64's): it records a deep
 * copy of what it was given, as the kernel would copy it (bufsz bytes, zero up to memsz), or
 * fails with fail_errno. Include after <cmocka.h>. */
#pragma once

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"

typedef struct Call {
	unsigned long entry, flags, n;
	struct kexec_segment seg[16];
	uint8_t *copy[16];
} Call;

typedef struct Fake {
	unsigned calls;
	int fail_errno;
	Call last;
} Fake;

static void call_clear(Call *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->copy[i]);
	*c = (Call){};
}

static long fake_kexec_load(void *userdata, unsigned long entry, unsigned long nr, struct kexec_segment *segs,
			    unsigned long flags)
{
	Fake *f = userdata;

	f->calls++;
	if (f->fail_errno) {
		errno = f->fail_errno;
		return -1;
	}
	call_clear(&f->last);
	assert_true(nr <= 16);
	f->last.entry = entry;
	f->last.flags = flags;
	f->last.n = nr;
	for (size_t i = 0; i < nr; i++) {
		f->last.seg[i] = segs[i];
		/* The kernel copies bufsz bytes and zero-fills up to memsz. */
		f->last.copy[i] = calloc(1, segs[i].memsz);
		assert_non_null(f->last.copy[i]);
		assert_true(segs[i].bufsz <= segs[i].memsz);
		memcpy(f->last.copy[i], segs[i].buf, segs[i].bufsz);
	}
	return 0;
}

static long no_file_load(void *userdata, int k, int i, unsigned long len, const char *cmd, unsigned long flags)
{
	errno = ENOSYS;
	return -1;
}
