/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SHA-256 (FIPS 180-4). One implementation for two users: lib/ (digests of the crash kernel's
 * segments at load time) and the purgatory (the same digest recomputed just before the crash
 * kernel starts). That is why this header and sha256.c use nothing beyond <stddef.h> and
 * <stdint.h>: the purgatory build is freestanding, without libc. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32u
#define SHA256_BLOCK_SIZE 64u

/* Plain data, copyable by assignment: the segments loader keeps the state after every segment
 * but the header and finishes a copy of it on each reload. */
typedef struct Sha256 {
	uint32_t h[8];
	uint64_t bytes;                     /* total length fed so far */
	uint8_t block[SHA256_BLOCK_SIZE];   /* partial block, block_len bytes valid */
	uint32_t block_len;
} Sha256;

void sha256_init(Sha256 *s);
/* Feeds len bytes; any split of the input into calls gives the same digest. */
void sha256_update(Sha256 *s, const void *data, size_t len);
/* Writes the digest. s is finished afterwards: init it again before reuse. */
void sha256_final(Sha256 *s, uint8_t out[SHA256_DIGEST_SIZE]);
/* One-shot convenience. */
void sha256(const void *data, size_t len, uint8_t out[SHA256_DIGEST_SIZE]);
