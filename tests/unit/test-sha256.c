/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"

static void hex(const uint8_t *d, char out[65])
{
	for (unsigned i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void check(const void *data, size_t len, const char *expected)
{
	uint8_t d[SHA256_DIGEST_SIZE];
	char h[65];

	sha256(data, len, d);
	hex(d, h);
	assert_string_equal(h, expected);
}

/* FIPS 180-2 appendix B and the NIST example vectors. */
static void test_fips_vectors(void **state)
{
	check("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
	      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	check("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	      112, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

/* One million 'a' (FIPS 180-2 B.3), fed in odd-sized pieces to cross block boundaries. */
static void test_million_a_in_pieces(void **state)
{
	static const size_t pieces[] = { 1, 63, 64, 65, 127, 1000, 4093 };
	uint8_t buf[4096], d[SHA256_DIGEST_SIZE];
	size_t left = 1000000, i = 0;
	char h[65];
	Sha256 s;

	memset(buf, 'a', sizeof(buf));
	sha256_init(&s);
	while (left) {
		size_t n = pieces[i++ % (sizeof(pieces) / sizeof(pieces[0]))];

		if (n > left)
			n = left;
		sha256_update(&s, buf, n);
		left -= n;
	}
	sha256_final(&s, d);
	hex(d, h);
	assert_string_equal(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* The loader's trick: a copy of the state after a prefix, finished over different tails, gives
 * the digests of prefix+tail; and every length around the padding edge (55, 56, 63, 64). */
static void test_state_copy_and_padding_edges(void **state)
{
	uint8_t data[200], a[SHA256_DIGEST_SIZE], b[SHA256_DIGEST_SIZE];
	Sha256 prefix, s;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	for (size_t cut = 0; cut <= 130; cut++) {
		sha256_init(&prefix);
		sha256_update(&prefix, data, cut);
		for (size_t tail = 0; tail <= 70 && cut + tail <= sizeof(data); tail += 7) {
			s = prefix;
			sha256_update(&s, data + cut, tail);
			sha256_final(&s, a);
			sha256(data, cut + tail, b);
			assert_memory_equal(a, b, sizeof(a));
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fips_vectors),
		cmocka_unit_test(test_million_a_in_pieces),
		cmocka_unit_test(test_state_copy_and_padding_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
