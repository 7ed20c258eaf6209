/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mkbzimage FILE KERNEL-BYTES: writes the synthetic bzImage of bzimage-fixture.h, for tests of
 * crash-hotplugctl that need a kernel Loader=segments can plan with. */
#include "bzimage-fixture.h"
#include "util.h"

int main(int argc, char *argv[])
{
	_cleanup_(freep) uint8_t *k = NULL;
	_cleanup_(fclosep) FILE *f = NULL;
	size_t size;

	if (argc != 3) {
		fprintf(stderr, "usage: mkbzimage FILE KERNEL-BYTES\n");
		return 2;
	}
	k = fake_bzimage(strtoul(argv[2], NULL, 0), &size);
	f = fopen(argv[1], "we");
	if (!f || fwrite(k, 1, size, f) != size || fflush(f) != 0) {
		perror(argv[1]);
		return 1;
	}
	return 0;
}
