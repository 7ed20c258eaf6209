/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "path.h"

int path_join(const char *root, const char *path, char *buf, size_t size)
{
	int n;

	if (!root || !*root || streq(root, "/"))
		n = snprintf(buf, size, "%s", path);
	else
		n = snprintf(buf, size, "%s%s%s", root, path[0] == '/' ? "" : "/", path);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

FILE *path_fopen(const char *root, const char *path, const char *mode)
{
	char full[PATH_MAX];
	int r = path_join(root, path, full, sizeof(full));

	if (r < 0) {
		errno = -r;
		return NULL;
	}
	return fopen(full, mode);
}

int path_read_line(const char *root, const char *path, char *buf, size_t size, Diag *d)
{
	_cleanup_(fclosep) FILE *f = NULL;
	size_t len;

	f = path_fopen(root, path, "re");
	if (!f)
		return diag_set(d, errno, path, 0, "cannot open: %s", strerror(errno));
	if (!fgets(buf, (int)size, f)) {
		if (ferror(f))
			return diag_set(d, EIO, path, 0, "read error");
		return diag_set(d, ENODATA, path, 1, "file is empty");
	}
	len = strlen(buf);
	if (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	else if (!feof(f) && fgetc(f) != EOF)
		return diag_set(d, EFBIG, path, 1, "line longer than %zu bytes", size - 1);
	if (len == 0)
		return diag_set(d, ENODATA, path, 1, "file is empty");
	return 0;
}
