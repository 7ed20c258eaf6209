/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The marker page layout shared by memmark (writes it in the first kernel) and
 * vmcore-check (looks for it in /proc/vmcore in the capture kernel). */
#pragma once

#include <stdint.h>

#define MARK_MAGIC "CHP-VMTEST-MARK"   /* 15 characters + NUL = 16 bytes */

struct mark {
	char magic[16];     /* MARK_MAGIC */
	uint64_t nonce;     /* chosen per run, so stale marks of older runs never count */
	uint64_t paddr;     /* physical address of this page, from /proc/self/pagemap */
	uint64_t index;     /* page index inside memmark's buffer */
	uint64_t check;     /* nonce ^ paddr ^ index ^ MARK_CHECK_XOR */
};

#define MARK_CHECK_XOR UINT64_C(0x5a5aa5a5c3c33c3c)

static inline uint64_t mark_check(const struct mark *m)
{
	return m->nonce ^ m->paddr ^ m->index ^ MARK_CHECK_XOR;
}
