/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <libgen.h>
#include <libmount.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include "loader.h"
#include "log.h"
#include "path.h"
#include "watch.h"

typedef struct WatchedFile {
	FileWatch *owner;
	char path[PATH_MAX]; /* root-relative, as the loader names it */
	char dir[PATH_MAX];  /* full directory path */
	char name[NAME_MAX + 1];
	dev_t dev;           /* identity of dir when the watch was made: a mount over it changes it */
	ino_t ino;
	sd_event_source *source;
} WatchedFile;

struct FileWatch {
	sd_event *event;
	files_changed_fn cb;
	void *userdata;
	WatchedFile files[WATCH_MAX_FILES];
	size_t n_files;
	struct libmnt_monitor *mounts;
	sd_event_source *mount_source;
};

static int on_dir_event(sd_event_source *s, const struct inotify_event *ev, void *userdata)
{
	WatchedFile *f = userdata;

	if (ev->len > 0 && streq(ev->name, f->name)) {
		log_debug("%s changed on disk", f->path);
		f->owner->cb(f->owner->userdata, f->path);
	}
	return 0;
}

/* (Re)watches f's directory if it is not watched yet or is now another directory (a
 * filesystem mounted over it). Returns true if the watch changed. */
static bool watched_file_refresh(FileWatch *w, WatchedFile *f)
{
	struct stat st;
	int r;

	if (stat(f->dir, &st) < 0) {
		f->source = sd_event_source_disable_unref(f->source);
		return false;
	}
	if (f->source && st.st_dev == f->dev && st.st_ino == f->ino)
		return false;
	f->source = sd_event_source_disable_unref(f->source);
	/* IN_CLOSE_WRITE: rewritten in place; IN_MOVED_TO: a package manager renamed a new file
	 * over it. Creation alone is not enough: the content is not there yet. */
	r = sd_event_add_inotify(w->event, &f->source, f->dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_ONLYDIR,
				 on_dir_event, f);
	if (r < 0) {
		log_warning("cannot watch %s for changes: %s", f->dir, strerror(-r));
		return false;
	}
	(void)sd_event_source_set_description(f->source, "loader-file-watch");
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	return true;
}

static int on_mount_change(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	FileWatch *w = userdata;

	/* Drain: the monitor reports each change once. */
	while (mnt_monitor_next_change(w->mounts, NULL, NULL) == 0)
		;
	for (size_t i = 0; i < w->n_files; i++)
		if (watched_file_refresh(w, &w->files[i])) {
			log_info("filesystem holding %s changed (mounted or remounted)", w->files[i].path);
			w->cb(w->userdata, w->files[i].path);
		}
	return 0;
}

FileWatch *file_watch_free(FileWatch *w)
{
	if (!w)
		return NULL;
	for (size_t i = 0; i < w->n_files; i++)
		sd_event_source_disable_unref(w->files[i].source);
	sd_event_source_disable_unref(w->mount_source);
	mnt_unref_monitor(w->mounts);
	sd_event_unref(w->event);
	free(w);
	return NULL;
}

int file_watch_new(sd_event *e, const char *root, const char *const *paths, size_t n, files_changed_fn cb,
		   void *userdata, FileWatch **ret)
{
	_cleanup_(file_watch_freep) FileWatch *w = NULL;
	int r;

	if (n > WATCH_MAX_FILES)
		return -E2BIG;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->event = sd_event_ref(e);
	w->cb = cb;
	w->userdata = userdata;
	for (size_t i = 0; i < n; i++) {
		WatchedFile *f = &w->files[w->n_files];
		char full[PATH_MAX], copy_dir[PATH_MAX], copy_base[PATH_MAX];

		r = path_join(root, paths[i], full, sizeof(full));
		if (r < 0)
			return r;
		snprintf(copy_dir, sizeof(copy_dir), "%s", full);
		snprintf(copy_base, sizeof(copy_base), "%s", full);
		f->owner = w;
		snprintf(f->path, sizeof(f->path), "%s", paths[i]);
		snprintf(f->dir, sizeof(f->dir), "%s", dirname(copy_dir));
		snprintf(f->name, sizeof(f->name), "%s", basename(copy_base));
		w->n_files++;
		(void)watched_file_refresh(w, f);
	}

	/* /boot is often its own filesystem, mounted late or remounted: the inotify watch on the
	 * directory underneath would then see nothing. */
	w->mounts = mnt_new_monitor();
	if (!w->mounts)
		return -ENOMEM;
	r = mnt_monitor_enable_kernel(w->mounts, 1);
	if (r < 0)
		return r;
	r = mnt_monitor_get_fd(w->mounts);
	if (r < 0)
		return r;
	r = sd_event_add_io(e, &w->mount_source, r, EPOLLIN, on_mount_change, w);
	if (r < 0)
		return r;
	(void)sd_event_source_set_description(w->mount_source, "mount-monitor");
	*ret = TAKE_PTR(w);
	return 0;
}

struct KmsgWatch {
	int fd;
	sd_event_source *source;
	kmsg_failure_fn cb;
	void *userdata;
};

static int on_kmsg(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	KmsgWatch *k = userdata;
	char record[8192], msg[256];

	/* One record per read(); stop when drained. */
	for (unsigned i = 0; i < 1024; i++) {
		ssize_t n = read(fd, record, sizeof(record) - 1);

		if (n < 0) {
			if (errno == EPIPE) /* overwritten before we read it: continue with the next */
				continue;
			if (errno != EAGAIN && errno != EINTR)
				log_debug("reading kmsg: %s", strerror(errno));
			break;
		}
		if (n == 0)
			break;
		record[n] = '\0';
		if (loader_kernel_parse_kmsg(record, (size_t)n, msg, sizeof(msg)) == 1)
			k->cb(k->userdata, msg);
	}
	return 0;
}

KmsgWatch *kmsg_watch_free(KmsgWatch *k)
{
	if (!k)
		return NULL;
	sd_event_source_disable_unref(k->source);
	if (k->fd >= 0)
		close(k->fd);
	free(k);
	return NULL;
}

int kmsg_watch_new(sd_event *e, const char *root, kmsg_failure_fn cb, void *userdata, KmsgWatch **ret)
{
	_cleanup_(kmsg_watch_freep) KmsgWatch *k = NULL;
	char full[PATH_MAX];
	int r;

	r = path_join(root, "/dev/kmsg", full, sizeof(full));
	if (r < 0)
		return r;
	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->cb = cb;
	k->userdata = userdata;
	k->fd = open(full, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (k->fd < 0)
		return negative_errno();
	/* Only what the kernel says from now on: old failures were before our check. */
	(void)lseek(k->fd, 0, SEEK_END);
	r = sd_event_add_io(e, &k->source, k->fd, EPOLLIN, on_kmsg, k);
	if (r < 0)
		return r;
	(void)sd_event_source_set_description(k->source, "kmsg");
	*ret = TAKE_PTR(k);
	return 0;
}
