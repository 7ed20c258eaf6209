/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The marker page layout shared by memmark (writes it in the first kernel) and
 * vmcore-check (looks for it in /proc/vmcore in the capture kernel), and the argument
 * parsing both need. */
#pragma once

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

/* A physical range as given on the command line: "START-END" in hex, START < END. */
struct range {
	uint64_t start, end;
};

static int parse_u64(const char *s, int base, uint64_t *ret)
{
	char *end;

	errno = 0;
	unsigned long long v = strtoull(s, &end, base);
	if (errno || end == s || *end)
		return -1;
	*ret = v;
	return 0;
}

/* "A<sep>B", both hexadecimal: 0, or -1 if s is not that. */
static int parse_hex_pair(const char *s, char sep, uint64_t *a, uint64_t *b)
{
	char buf[64];
	char *mid;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	mid = strchr(buf, sep);
	if (!mid)
		return -1;
	*mid = '\0';
	return parse_u64(buf, 16, a) || parse_u64(mid + 1, 16, b) ? -1 : 0;
}

static int parse_range(const char *s, struct range *r)
{
	if (parse_hex_pair(s, '-', &r->start, &r->end) || r->end <= r->start)
		return -1;
	return 0;
}
