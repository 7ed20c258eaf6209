/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A scratch root directory for the cmocka tests that read files under a root (header only:
 * each test is its own executable). */
#pragma once

#include <sys/stat.h>

#include "path.h"

/* Writes size bytes of data as rel under root, creating the directories on the way (0755). */
static inline void scratch_put_data(const char *root, const char *rel, const void *data, size_t size)
{
	char path[PATH_MAX], *slash;
	FILE *fp;

	assert_int_equal(path_join(root, rel, path, sizeof(path)), 0);
	for (slash = path + strlen(root) + 1; (slash = strchr(slash, '/')); slash++) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	fp = fopen(path, "we");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, size, fp), size);
	assert_int_equal(fclose(fp), 0);
}

/* Writes text as rel under root (see scratch_put_data()). */
static inline void scratch_put(const char *root, const char *rel, const char *text)
{
	scratch_put_data(root, rel, text, strlen(text));
}
