/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The file-reading layer (lib/path.h) on a real file: the input's first two bytes pick the cap
 * (1..65536), the rest (up to 8 MiB) is written to a temporary file and read back through
 * path_read_file(), path_open_stream() and path_read_line(). Past the cap every read must be
 * -EFBIG, within it the bytes must come back exactly. libFuzzer's inputs stop at 4 KiB unless
 * told: run it with -max_len=8388610 to cross the caps with big files.
 */
#include <fcntl.h>

#include "fuzz.h"
#include "path.h"

#define MAX_FILE (8u << 20)

static char dir[PATH_MAX]; /* one temporary directory per process */

static void remove_dir(void)
{
	char file[PATH_MAX + 8];

	snprintf(file, sizeof(file), "%s/input", dir);
	(void)unlink(file);
	(void)rmdir(dir);
}

static void write_file(const uint8_t *data, size_t size)
{
	char file[PATH_MAX + 8];
	_cleanup_(closep) int fd = -1;

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "%s/fuzz-readfile-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		if (!mkdtemp(dir))
			abort();
		atexit(remove_dir);
	}
	snprintf(file, sizeof(file), "%s/input", dir);
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	for (size_t done = 0; fd >= 0 && done < size;) {
		ssize_t n = write(fd, data + done, size - done);

		if (n <= 0)
			abort();
		done += (size_t)n;
	}
	if (fd < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_(freep) char *buf = NULL, *copy = NULL;
	_cleanup_(fclosep) FILE *f = NULL;
	size_t cap, n, len = 0;
	char line[64];
	const uint8_t *body = data + 2, *nl;
	Diag d = {};
	int r;

	if (size < 2 || size - 2 > MAX_FILE)
		return 0;
	cap = 1 + (size_t)(data[0] | data[1] << 8);
	n = size - 2;
	write_file(body, n);

	r = path_read_file(dir, "/input", cap, 0, &buf, &len, &d);
	if (n > cap ? r != -EFBIG || buf || !startswith(d.reason, "larger than")
		    : r != 0 || len != n || memcmp(buf, body, n) != 0 || buf[n] != '\0')
		abort();

	r = path_open_stream(dir, "/input", cap, 0, &f, &d);
	if (n > cap ? r != -EFBIG || f : r != 0 || !f)
		abort();
	if (f) {
		copy = malloc(n + 1);
		if (!copy || fread(copy, 1, n + 1, f) != n || memcmp(copy, body, n) != 0)
			abort();
	}

	/* The first line, as path_read_line() must return it when it fits. */
	nl = memchr(body, '\n', n);
	len = nl ? (size_t)(nl - body) : n;
	r = path_read_line(dir, "/input", line, sizeof(line), &d);
	if (r == 0 && (n > READ_CAP_VALUE || len == 0 || len >= sizeof(line) || memcmp(line, body, len) != 0 ||
		       line[len] != '\0'))
		abort();
	if (r < 0 && n <= READ_CAP_VALUE && len > 0 && len < sizeof(line) && !memchr(body, '\0', len))
		abort();
	return 0;
}
