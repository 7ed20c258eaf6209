/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Watches that tell the daemon its inputs changed outside uevents: the kernel and initrd
 * files the loader holds (inotify, plus the mount table for /boot being (re)mounted), and
 * the kernel's own "crash hp:" failures on /dev/kmsg. */
#pragma once

#include <systemd/sd-event.h>

#include "util.h"

#define WATCH_MAX_FILES 4

/* One of the watched files was replaced, rewritten, or the filesystem under it changed. */
typedef void (*files_changed_fn)(void *userdata, const char *path);

typedef struct FileWatch FileWatch;

/* Watches the directories of paths[0..n) (root-relative, joined with root) and the mount
 * table. Directories that do not exist are skipped (watched again after a mount change). */
int file_watch_new(sd_event *e, const char *root, const char *const *paths, size_t n, files_changed_fn cb,
		   void *userdata, FileWatch **ret);
FileWatch *file_watch_free(FileWatch *w);
DEFINE_TRIVIAL_CLEANUP_FUNC(FileWatch *, file_watch_free);

/* A "crash hp:" error the kernel logged while updating the loaded header. */
typedef void (*kmsg_failure_fn)(void *userdata, const char *msg);

typedef struct KmsgWatch KmsgWatch;

/* Follows <root>/dev/kmsg from its current end. -ENOENT/-EACCES when it cannot be read. */
int kmsg_watch_new(sd_event *e, const char *root, kmsg_failure_fn cb, void *userdata, KmsgWatch **ret);
KmsgWatch *kmsg_watch_free(KmsgWatch *k);
DEFINE_TRIVIAL_CLEANUP_FUNC(KmsgWatch *, kmsg_watch_free);
