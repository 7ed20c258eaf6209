/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One /dev/kmsg record, as read(2) hands it over, through the "kernel" loader's parser. */
#include "fuzz.h"
#include "loader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char msg[64]; /* smaller than the daemon's, so long messages are cut */
	int r;

	memset(msg, 'x', sizeof(msg));
	r = loader_kernel_parse_kmsg((const char *)data, size, msg, sizeof(msg));
	if (r != 0 && r != 1 && r != -EINVAL)
		abort();
	/* A failure found is one line of text, terminated, from this record. */
	if (r == 1 && (!memchr(msg, '\0', sizeof(msg)) || strchr(msg, '\n') ||
		       !memmem(data, size, msg, strlen(msg))))
		abort();
	return 0;
}
