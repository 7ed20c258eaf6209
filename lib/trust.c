/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>

#include "path.h"
#include "trust.h"

int trust_check_stat(const struct stat *st, const char *name, Diag *d)
{
	unsigned mode = (unsigned)(st->st_mode & 07777);
	const char *kind = S_ISDIR(st->st_mode) ? " (a directory)" : "";

	if (st->st_uid != 0)
		return diag_set(d, EPERM, name, 0, "is owned by uid %u, not root (mode %04o)%s", (unsigned)st->st_uid,
				mode, kind);
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		const char *who = (st->st_mode & S_IWGRP) && (st->st_mode & S_IWOTH) ? "group and others"
				  : (st->st_mode & S_IWGRP)			       ? "group"
										       : "others";

		return diag_set(d, EPERM, name, 0, "is writable by %s (mode %04o)%s%s", who, mode, kind,
				S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX) ? ", sticky is not enough" : "");
	}
	return 0;
}

/* stat(2)s real (a path on this machine) and checks it, naming it name. */
static int check_one(const char *real, const char *name, Diag *d)
{
	struct stat st;

	if (stat(real, &st) < 0)
		return diag_set(d, errno, name, 0, "cannot stat: %s", strerror(errno));
	return trust_check_stat(&st, name, d);
}

/* Checks base (a real directory, named base_name) unless skip_base, then each prefix of base +
 * rel component by component, the last one only if last. Names are base_name + the prefix. */
static int walk(const char *base, const char *base_name, bool skip_base, const char *rel, bool last, Diag *d)
{
	char real[PATH_MAX], name[PATH_MAX];
	size_t rl, nl;
	const char *p = rel;
	int r;

	if (!skip_base) {
		r = check_one(base, base_name, d);
		if (r < 0)
			return r;
	}
	rl = (size_t)snprintf(real, sizeof(real), "%s", streq(base, "/") ? "" : base);
	nl = (size_t)snprintf(name, sizeof(name), "%s", streq(base_name, "/") ? "" : base_name);
	while (*p) {
		const char *end;
		size_t len;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		end = strchrnul(p, '/');
		len = (size_t)(end - p);
		while (*end == '/')
			end++;
		if (!*end && !last)
			break;
		if (rl + 1 + len >= sizeof(real) || nl + 1 + len >= sizeof(name))
			return diag_set(d, ENAMETOOLONG, rel, 0, "path too long");
		real[rl++] = '/';
		memcpy(real + rl, p, len);
		rl += len;
		real[rl] = '\0';
		name[nl++] = '/';
		memcpy(name + nl, p, len);
		nl += len;
		name[nl] = '\0';
		r = check_one(real, name, d);
		if (r < 0)
			return r;
		p = end;
	}
	return 0;
}

/* The walk for root + path; root NULL: path's own directory is the root. */
static int check_path(const char *root, const char *path, bool last, Diag *d)
{
	char root_real[PATH_MAX], full[PATH_MAX], real[PATH_MAX], dir[PATH_MAX];
	const char *rel = path, *base_name = "/";
	size_t n;
	int r;

	if (!root) {
		/* A file named as it is: its directory is where the walk starts. */
		const char *slash = strrchr(path, '/');

		if (!slash)
			snprintf(dir, sizeof(dir), ".");
		else if (slash == path)
			snprintf(dir, sizeof(dir), "/");
		else
			snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
		root = base_name = dir;
		rel = slash ? slash + 1 : path;
	}
	if (!realpath(root, root_real))
		return diag_set(d, errno, root, 0, "cannot resolve the root: %s", strerror(errno));
	r = path_join(root_real, rel, full, sizeof(full));
	if (r < 0)
		return diag_set(d, -r, path, 0, "path too long under the root");

	/* The path as written: every directory open(2) passes through by these names, each
	 * followed if a symlink (whoever can write the directory holding a name can change
	 * what it leads to). Named under the root ("/" for the root itself), or as given. */
	r = walk(root_real, base_name, false, rel, last, d);
	if (r < 0)
		return r;
	/* The resolved target: the directories its canonical path goes through. */
	if (!realpath(full, real)) {
		if (errno == ENOENT && !last)
			return 0; /* the caller opens it and reports that */
		return diag_set(d, errno, path, 0, "cannot resolve: %s", strerror(errno));
	}
	n = strlen(root_real);
	if (streq(root_real, "/"))
		return walk("/", "/", true, real, last, d);
	if (strncmp(real, root_real, n) == 0 && (real[n] == '/' || real[n] == '\0'))
		return walk(root_real, base_name, true, real + n, last, d);
	/* Outside the root: all of it, from "/", named as it is. */
	return walk("/", "/", false, real, last, d);
}

int trust_check_path(const char *root, const char *path, Diag *d)
{
	return check_path(root, path, true, d);
}

int trust_check_parents(const char *root, const char *path, Diag *d)
{
	return check_path(root, path, false, d);
}

int trust_open_dir(const char *path, int *ret_fd, Diag *d)
{
	_cleanup_(closep) int fd = -1;
	struct stat st;
	int r;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		struct stat lst;

		if ((errno == ELOOP || errno == ENOTDIR) && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode))
			return diag_set(d, ELOOP, path, 0,
					"is a symlink: output is written only into a real directory, not through a link");
		return diag_set(d, errno, path, 0, "cannot open directory: %s", strerror(errno));
	}
	if (fstat(fd, &st) < 0)
		return diag_set(d, errno, path, 0, "cannot stat: %s", strerror(errno));
	r = trust_check_stat(&st, path, d);
	if (r < 0)
		return r;
	*ret_fd = TAKE_FD(fd);
	return 0;
}
