/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <sys/sysmacros.h>

#include "path.h"
#include "trust.h"

/* The first allocation of path_read_fd(): one page holds every sysfs value. */
#define READ_CHUNK 4096u

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

static const char *file_type_name(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "FIFO";
	if (S_ISCHR(mode))
		return "character device";
	if (S_ISBLK(mode))
		return "block device";
	if (S_ISSOCK(mode))
		return "socket";
	return "unknown file type";
}

static bool is_dev_null(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == makedev(1, 3);
}

/* Regular, or /dev/null where flags allow it; else the diag. */
static int check_type(const struct stat *st, const char *path, PathReadFlags flags, Diag *d)
{
	if (S_ISREG(st->st_mode) || ((flags & PATH_READ_DEV_NULL) && is_dev_null(st)))
		return 0;
	if (S_ISDIR(st->st_mode))
		return diag_set(d, EISDIR, path, 0, "is a directory");
	return diag_set(d, EINVAL, path, 0, "not a regular file (%s)", file_type_name(st->st_mode));
}

int path_open_regular(const char *root, const char *path, PathReadFlags flags, int *ret_fd, struct stat *ret_st,
		      Diag *d)
{
	_cleanup_(closep) int pfd = -1, fd = -1;
	char full[PATH_MAX];
	struct stat st, st2;
	int r;

	r = path_join(root, path, full, sizeof(full));
	if (r < 0)
		return diag_set(d, -r, path, 0, "path too long under the root");
	/* Look before opening: an O_PATH descriptor reaches no driver, and opening a device
	 * can do something (a watchdog arms, a tape rewinds, a FIFO's writer is released). */
	pfd = open(full, O_PATH | O_CLOEXEC);
	if (pfd < 0)
		return diag_set(d, errno, path, 0, "cannot open: %s", strerror(errno));
	if (fstat(pfd, &st) < 0)
		return diag_set(d, errno, path, 0, "cannot stat: %s", strerror(errno));
	r = check_type(&st, path, flags, d);
	if (r < 0)
		return r;
	/* O_NONBLOCK: should a FIFO be put there in between, the open returns at once instead of
	 * waiting for a writer (and the check below refuses it); on a regular file the flag
	 * changes nothing. O_NOCTTY: a terminal never becomes ours. */
	fd = open(full, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return diag_set(d, errno, path, 0, "cannot open: %s", strerror(errno));
	if (fstat(fd, &st2) < 0)
		return diag_set(d, errno, path, 0, "cannot stat: %s", strerror(errno));
	if (st2.st_dev != st.st_dev || st2.st_ino != st.st_ino)
		return diag_set(d, EAGAIN, path, 0, "replaced while being opened");
	r = check_type(&st2, path, flags, d);
	if (r < 0)
		return r;
	if (flags & PATH_READ_TRUSTED) {
		/* The file on the descriptor just opened, then the directories to it. */
		if (!is_dev_null(&st2)) {
			r = trust_check_stat(&st2, path, d);
			if (r < 0)
				return r;
		}
		r = trust_check_parents(root, path, d);
		if (r < 0)
			return r;
	}
	if (ret_st)
		*ret_st = st2;
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int path_read_fd(int fd, const char *name, size_t cap, char **ret, size_t *ret_size, Diag *d)
{
	_cleanup_(freep) char *buf = NULL;
	/* One byte past the cap tells "exactly cap bytes" from "larger". */
	size_t limit = cap + 1, alloc = 0, len = 0;

	if (cap == 0 || cap > SIZE_MAX / 4)
		return -EINVAL;
	for (;;) {
		ssize_t n;

		if (len == alloc) {
			size_t want = alloc ? alloc * 2 : READ_CHUNK;
			char *nbuf;

			if (alloc == limit)
				break;
			if (want > limit)
				want = limit;
			/* +1 for the NUL: a file of exactly cap bytes still gets its terminator. */
			nbuf = realloc(buf, want + 1);
			if (!nbuf)
				return -ENOMEM;
			buf = nbuf;
			alloc = want;
		}
		n = read(fd, buf + len, alloc - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return diag_set(d, EAGAIN, name, 0, "reading would block");
			return diag_set(d, errno, name, 0, "read error: %s", strerror(errno));
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > cap)
		return diag_set(d, EFBIG, name, 0, "larger than %zu bytes", cap);
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	*ret_size = len;
	return 0;
}

int path_read_file(const char *root, const char *path, size_t cap, PathReadFlags flags, char **ret, size_t *ret_size,
		   Diag *d)
{
	_cleanup_(closep) int fd = -1;
	int r;

	r = path_open_regular(root, path, flags, &fd, NULL, d);
	if (r < 0)
		return r;
	return path_read_fd(fd, path, cap, ret, ret_size, d);
}

/* A read-only stream over a buffer it owns (fmemopen() neither owns its buffer nor takes an
 * empty one). */
typedef struct MemReader {
	char *data;
	size_t size, pos;
} MemReader;

static ssize_t mem_reader_read(void *cookie, char *buf, size_t size)
{
	MemReader *m = cookie;
	size_t n = m->size - m->pos < size ? m->size - m->pos : size;

	memcpy(buf, m->data + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}

static int mem_reader_close(void *cookie)
{
	MemReader *m = cookie;

	free(m->data);
	free(m);
	return 0;
}

int path_open_stream(const char *root, const char *path, size_t cap, PathReadFlags flags, FILE **ret, Diag *d)
{
	static const cookie_io_functions_t io = { .read = mem_reader_read, .close = mem_reader_close };
	_cleanup_(freep) MemReader *m = NULL;
	_cleanup_(freep) char *data = NULL;
	size_t size;
	FILE *f;
	int r;

	r = path_read_file(root, path, cap, flags, &data, &size, d);
	if (r < 0)
		return r;
	m = malloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	*m = (MemReader){ .data = data, .size = size };
	f = fopencookie(m, "r", io);
	if (!f)
		return -ENOMEM;
	m = NULL;
	data = NULL; /* both the stream's now */
	*ret = f;
	return 0;
}

FILE *path_fopen(const char *root, const char *path, const char *mode)
{
	_cleanup_(closep) int fd = -1;
	FILE *f;
	int r;

	if (!streq(mode, "r") && !streq(mode, "re")) {
		errno = EINVAL;
		return NULL;
	}
	r = path_open_regular(root, path, 0, &fd, NULL, NULL);
	if (r < 0) {
		errno = -r;
		return NULL;
	}
	f = fdopen(fd, "r");
	if (f)
		fd = -1; /* the stream's now */
	return f;
}

int path_read_line(const char *root, const char *path, char *buf, size_t size, Diag *d)
{
	_cleanup_(freep) char *data = NULL;
	size_t n, len;
	const char *nl;
	int r;

	r = path_read_file(root, path, READ_CAP_VALUE, 0, &data, &n, d);
	if (r < 0)
		return r;
	nl = memchr(data, '\n', n);
	len = nl ? (size_t)(nl - data) : n;
	if (memchr(data, '\0', len))
		return diag_set(d, EINVAL, path, 1, "NUL byte in the line");
	if (len == 0)
		return diag_set(d, ENODATA, path, 1, "file is empty");
	if (len >= size)
		return diag_set(d, EFBIG, path, 1, "line longer than %zu bytes", size - 1);
	memcpy(buf, data, len);
	buf[len] = '\0';
	return 0;
}
