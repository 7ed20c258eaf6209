/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Replays inputs through a libFuzzer harness without libFuzzer, so `meson test` keeps every
 * corpus file (seeds and past crashers) passing under the sanitizers of the build. Generic:
 * link it with any harness. Arguments are files or directories (every regular file inside,
 * sorted, dot files skipped). Exits non-zero when there is nothing to replay, so a mistyped
 * corpus path cannot pass silently; a harness failure aborts.
 */
#include <dirent.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "util.h"

static int replay_file(const char *path)
{
	_cleanup_(fclosep) FILE *f = NULL;
	_cleanup_(freep) uint8_t *buf = NULL;
	struct stat st;
	size_t size;

	f = fopen(path, "re");
	if (!f || fstat(fileno(f), &st) < 0)
		return negative_errno();
	size = (size_t)st.st_size;
	/* Exactly size bytes, so that ASan sees any read past the input. */
	buf = malloc(size > 0 ? size : 1);
	if (!buf)
		return -ENOMEM;
	if (fread(buf, 1, size, f) != size)
		return -EIO;
	LLVMFuzzerTestOneInput(buf, size);
	return 0;
}

static int replay_dir(const char *dir, unsigned *count)
{
	struct dirent **names = NULL;
	int n, r = 0;

	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0)
		return negative_errno();
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX];
		struct stat st;

		if (r == 0 && names[i]->d_name[0] != '.' &&
		    snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name) < (int)sizeof(path) &&
		    stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			r = replay_file(path);
			if (r < 0)
				fprintf(stderr, "%s: %s\n", path, strerror(-r));
			else
				(*count)++;
		}
		free(names[i]);
	}
	free(names);
	return r;
}

int main(int argc, char **argv)
{
	unsigned count = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		int r;

		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			return EXIT_FAILURE;
		}
		if (S_ISDIR(st.st_mode))
			r = replay_dir(argv[i], &count);
		else if ((r = replay_file(argv[i])) == 0)
			count++;
		if (r < 0) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(-r));
			return EXIT_FAILURE;
		}
	}
	if (count == 0) {
		fprintf(stderr, "no inputs to replay\n");
		return EXIT_FAILURE;
	}
	printf("%u inputs replayed\n", count);
	return EXIT_SUCCESS;
}
