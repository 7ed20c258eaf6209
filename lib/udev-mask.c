/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Masking the distributions' per-event reload rules while the daemon runs; see udev-mask.h. */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "loader-internal.h"
#include "path.h"
#include "udev-mask.h"

const UdevMaskRule udev_mask_rules[] = {
	{ "50-kdump-tools.rules", "kdump-tools (Debian, Ubuntu)" },
	{ "98-kexec.rules", "kdump-utils (Fedora, RHEL, CentOS)" },
	{},
};

/* Where packages install rules (Debian's kdump-tools uses /lib, merged into /usr/lib on
 * Debian 12) and the admin's directory, which a mask in /run cannot override. */
static const char *const installed_dirs[] = { "/usr/lib/udev/rules.d", "/lib/udev/rules.d" };
#define ADMIN_DIR "/etc/udev/rules.d"

const char *udev_rule_state_to_string(UdevRuleState s)
{
	static const char *const names[] = {
		[UDEV_RULE_ABSENT] = "absent",
		[UDEV_RULE_ACTIVE] = "active",
		[UDEV_RULE_MASKED] = "masked",
		[UDEV_RULE_MASKED_ADMIN] = "overridden",
	};

	return s < ELEMENTSOF(names) ? names[s] : "unknown";
}

static bool exists_under(const char *root, const char *dir, const char *name, char *ret_path)
{
	char rel[PATH_MAX], full[PATH_MAX];

	if (snprintf(rel, sizeof(rel), "%s/%s", dir, name) >= (int)sizeof(rel) ||
	    path_join(root, rel, full, sizeof(full)) < 0 || access(full, F_OK) < 0)
		return false;
	if (ret_path)
		snprintf(ret_path, PATH_MAX, "%s", rel);
	return true;
}

/* 1 if the file starts with UDEV_MASK_MARK (the daemon's), 0 if not, -errno. Never follows a
 * symlink: a mask is a plain file. */
static int is_ours_at(int dfd, const char *name)
{
	_cleanup_(closep) int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	char buf[sizeof(UDEV_MASK_MARK)];
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return errno == ELOOP ? 0 : negative_errno();
	if (fstat(fd, &st) < 0)
		return negative_errno();
	if (!S_ISREG(st.st_mode))
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return negative_errno();
	return (size_t)n == sizeof(buf) - 1 && memcmp(buf, UDEV_MASK_MARK, sizeof(buf) - 1) == 0;
}

static int is_ours(const char *root, const char *rel)
{
	char full[PATH_MAX];

	if (path_join(root, rel, full, sizeof(full)) < 0)
		return -ENAMETOOLONG;
	return is_ours_at(AT_FDCWD, full);
}

UdevRuleState udev_rule_state(const char *root, const char *name, char *ret_where)
{
	char installed[PATH_MAX] = "", over[PATH_MAX];
	bool found = false;

	for (size_t i = 0; i < ELEMENTSOF(installed_dirs) && !found; i++)
		found = exists_under(root, installed_dirs[i], name, installed);
	if (!found)
		return UDEV_RULE_ABSENT;
	if (exists_under(root, ADMIN_DIR, name, over)) {
		if (ret_where)
			snprintf(ret_where, PATH_MAX, "%s", over);
		return UDEV_RULE_MASKED_ADMIN;
	}
	if (exists_under(root, UDEV_MASK_DIR, name, over)) {
		bool ours = is_ours(root, over) > 0;

		if (ret_where)
			snprintf(ret_where, PATH_MAX, "%s", ours ? installed : over);
		return ours ? UDEV_RULE_MASKED : UDEV_RULE_MASKED_ADMIN;
	}
	if (ret_where)
		snprintf(ret_where, PATH_MAX, "%s", installed);
	return UDEV_RULE_ACTIVE;
}

/* Opens UDEV_MASK_DIR under root, creating it (and /run/udev) when create is set. */
static int open_mask_dir(const char *root, bool create, int *ret, Diag *d)
{
	char full[PATH_MAX], *slash;

	if (path_join(root, UDEV_MASK_DIR, full, sizeof(full)) < 0)
		return diag_set(d, ENAMETOOLONG, UDEV_MASK_DIR, 0, "path too long");
	if (create) {
		/* Each missing component of UDEV_MASK_DIR under the root ("/run" exists). */
		for (slash = full + strlen(full) - strlen(UDEV_MASK_DIR) + 1; (slash = strchr(slash, '/')); slash++) {
			*slash = '\0';
			if (mkdir(full, 0755) < 0 && errno != EEXIST)
				return diag_set(d, errno, UDEV_MASK_DIR, 0, "cannot create %s: %s", full, strerror(errno));
			*slash = '/';
		}
		if (mkdir(full, 0755) < 0 && errno != EEXIST)
			return diag_set(d, errno, UDEV_MASK_DIR, 0, "cannot create: %s", strerror(errno));
	}
	*ret = open(full, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*ret < 0)
		return errno == ENOENT && !create ? -ENOENT
						   : diag_set(d, errno, UDEV_MASK_DIR, 0, "cannot open: %s", strerror(errno));
	return 0;
}

int udev_mask_apply(const char *root, unsigned *ret_n, Diag *d)
{
	static const char text[] = UDEV_MASK_MARK "\n"
		"# The daemon reloads the crash kernel once per burst of CPU and memory events; the rule\n"
		"# this file masks would reload it again per event. Removed when the daemon stops.\n";
	_cleanup_(closep) int dfd = -1;
	unsigned n = 0;
	int r;

	*ret_n = 0;
	for (const UdevMaskRule *rule = udev_mask_rules; rule->name; rule++) {
		if (udev_rule_state(root, rule->name, NULL) != UDEV_RULE_ACTIVE)
			continue;
		if (dfd < 0) {
			r = open_mask_dir(root, true, &dfd, d);
			if (r < 0)
				return r;
		}
		r = loader_write_atomic_at(dfd, rule->name, text, sizeof(text) - 1, 0644);
		if (r < 0)
			return diag_set(d, -r, UDEV_MASK_DIR, 0, "cannot write %s: %s", rule->name, strerror(-r));
		n++;
	}
	*ret_n = n;
	return 0;
}

int udev_mask_release(const char *root, unsigned *ret_n, Diag *d)
{
	_cleanup_(closep) int dfd = -1;
	unsigned n = 0;
	int r;

	*ret_n = 0;
	r = open_mask_dir(root, false, &dfd, d);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	for (const UdevMaskRule *rule = udev_mask_rules; rule->name; rule++) {
		r = is_ours_at(dfd, rule->name);
		if (r == -ENOENT || r == 0)
			continue;
		if (r < 0)
			return diag_set(d, -r, UDEV_MASK_DIR, 0, "cannot read %s: %s", rule->name, strerror(-r));
		if (unlinkat(dfd, rule->name, 0) < 0 && errno != ENOENT)
			return diag_set(d, errno, UDEV_MASK_DIR, 0, "cannot remove %s: %s", rule->name, strerror(errno));
		n++;
	}
	*ret_n = n;
	return 0;
}
