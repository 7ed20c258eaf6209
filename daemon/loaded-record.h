/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RUNTIME_DIR/loaded.json: what the daemon last loaded, kept across its restarts (the unit
 * preserves the runtime directory on restart, a reboot clears it) so that a restart (a
 * package upgrade, systemctl restart) does not reload a crash kernel that is still right:
 * every reload is a window without one. The record is trusted only when it was written in
 * this boot, for the same inputs (loader, kernel and initrd files by identity, command line,
 * MaxPhdrs=) and the same topology fingerprint, and the kernel still has a crash kernel
 * loaded; otherwise the daemon loads as at any start.
 */
#pragma once

#include "config.h"
#include "util.h"

#define LOADED_RECORD_NAME "loaded.json"
#define LOADED_RECORD_CAP 4096u

typedef struct LoadedRecord {
	LoaderKind loader;      /* the loader that loaded (file, segments, kexec-tools) */
	bool kernel_managed;    /* since then the kernel keeps the header current, guarded */
	uint64_t fingerprint;   /* topology_fingerprint() of what the header describes */
	uint64_t capacity;      /* phdrs of a kernel-sized header, 0 for ours */
	char inputs[65];        /* loaded_record_inputs() */
	char boot_id[40];
	uint64_t realtime_usec; /* when loaded */
} LoadedRecord;

/* A digest (hex) of what a load by kind takes from root and c: the kernel and initrd by path
 * and identity (device, inode, size, mtime), the command line, the loader, MaxPhdrs=. -errno
 * when the inputs cannot be resolved (the load would fail the same way). */
int loaded_record_inputs(const char *root, const Config *c, LoaderKind kind, char ret[65]);

/* /proc/sys/kernel/random/boot_id under root, "" when unreadable. */
void loaded_record_boot_id(const char *root, char ret[40]);

/* Writes the record atomically (0600) in runtime_dir. 0 or -errno. */
int loaded_record_write(const char *runtime_dir, const LoadedRecord *r);

/* Reads it: -ENOENT when there is none, -EINVAL when it is not one of ours (not a regular
 * file of this user's, writable only by it, or not the JSON written above). */
int loaded_record_read(const char *runtime_dir, LoadedRecord *ret);

/* Removes it (nothing loaded is known any more); a missing file is fine. */
void loaded_record_remove(const char *runtime_dir);
