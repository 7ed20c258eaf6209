/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One small interface for every way of (re)loading the crash kernel. The raw syscalls sit
 * behind KexecOps so tests inject faults (EBUSY, ENOMEM, EPERM) without root or a kernel. */
#pragma once

#include <linux/kexec.h>
#include <sys/types.h>

#include "config.h"
#include "topology.h"

typedef struct KexecOps {
	/* Same arguments and return convention as the syscalls: -1 with errno set on failure. */
	long (*kexec_load)(void *userdata, unsigned long entry, unsigned long nr_segments,
			   struct kexec_segment *segments, unsigned long flags);
	long (*kexec_file_load)(void *userdata, int kernel_fd, int initrd_fd, unsigned long cmdline_len,
				const char *cmdline, unsigned long flags);
	/* Runs argv (kexec-tools; argv[0] searched in PATH) in a process group of its own and
	 * waits at most timeout_usec (> 0) for it. Returns its exit status (128 + the signal if
	 * a signal killed it); -ETIMEDOUT when the time ran out; -ECANCELED when SIGTERM or
	 * SIGINT is pending (already at the call: nothing is run). Such a signal, blocked by a
	 * caller that takes it from its event loop's signalfd, is not consumed: it stays pending
	 * for that loop. On every return the group is killed (on a cancel SIGTERM first, SIGKILL
	 * half a second later) and the child reaped, unless SIGKILL cannot end it within 2 s. The
	 * child has PR_SET_PDEATHSIG(SIGKILL): it dies with the caller, however the caller dies.
	 * Other -errno: it could not be run. */
	int (*run)(void *userdata, char *const argv[], uint64_t timeout_usec);
	void *userdata;
} KexecOps;

/* The real syscalls, and fork + execve for run. */
extern const KexecOps kexec_ops_real;

typedef struct LoadRequest {
	const Topology *topology;
	const void *header;     /* elfcorehdr buffer of the fixed capacity */
	size_t header_used;     /* bytes of ELF data in it */
	size_t header_capacity; /* elfcorehdr_capacity(MaxPhdrs) */
	const char *reason;     /* human: "+512 MiB RAM at 0x140000000; +cpu3" */
	/* "kernel": what its header held after the last load or check (NULL: unknown), and
	 * whether the change may have raced a kexec load, which makes the kernel skip its update. */
	const Topology *previous;
	bool raced;
	/* header is NULL when it could not be built or elfcorehdr_validate() rejected it: why
	 * (NULL when it fit and was valid). Loaders that submit our header refuse then. */
	const char *header_rejected;
} LoadRequest;

typedef struct LoadResult {
	uint64_t syscall_usec;  /* time inside the load syscall (the window without a crash kernel) */
	uint64_t total_usec;    /* whole load, preparation included */
	size_t phdrs_capacity;  /* program headers the loaded header can hold, 0 if it is ours */
	char detail[256];       /* what failed and what it means here, or what was done */
} LoadResult;

typedef struct Loader Loader;

typedef struct LoaderVtable {
	const char *name; /* as in Loader= */
	/* 0 if this loader can work on this machine (root-relative probes), else -errno and why. */
	int (*probe)(const char *root, const Config *c, char *why, size_t why_size);
	int (*new)(const char *root, const Config *c, const KexecOps *ops, Loader **ret);
	/* Loads (or, for "kernel", checks). 0 on success, -errno with res->detail on failure. */
	int (*load)(Loader *l, const LoadRequest *req, LoadResult *res);
	Loader *(*free)(Loader *l);
	/* Optional (NULL: the loader holds no files). The files it loads from may have changed
	 * on disk: reopen them now. On failure the old ones stay in use and -errno is returned. */
	int (*refresh)(Loader *l);
	/* Optional: the i-th file (root-relative path) the loader reads at load time, NULL past
	 * the last; the daemon watches their directories to call refresh(). */
	const char *(*file)(Loader *l, size_t i);
} LoaderVtable;

/* Every loader embeds this first. */
struct Loader {
	const LoaderVtable *vtable;
};

extern const LoaderVtable loader_kernel_vtable;
extern const LoaderVtable loader_file_vtable;
extern const LoaderVtable loader_kexec_tools_vtable;
extern const LoaderVtable loader_dry_run_vtable;

/* The vtable for k, NULL when this build has none: LOADER_AUTO, and a loader of another
 * architecture ("segments" is x86_64's: lib/x86/). */
const LoaderVtable *loader_vtable_for(LoaderKind k);

/* Why this build has no vtable for k, in why (for Loader=segments outside x86_64: what to use
 * instead). Returns -EOPNOTSUPP. */
int loader_unavailable(LoaderKind k, char *why, size_t why_size);

/* "file": 0 if kexec_file_load exists in the running kernel, -ENOSYS if not (a kernel built
 * without CONFIG_KEXEC_FILE, such as Debian 12's arm64 one). One harmless call through ops
 * with a flag no kernel accepts; anything but ENOSYS (EINVAL, EPERM) means it exists. */
int loader_file_syscall_exists(const KexecOps *ops);

/* The order Loader=auto tries, best first: kernel, segments, file, kexec-tools (arm64: kernel,
 * file, segments, kexec-tools). Kinds without a vtable are in the list; callers skip them. */
const LoaderKind *loader_auto_order(size_t *ret_n);

/* What err (positive or negative errno) means for a crash kernel load, one line such as
 * "EBUSY: kexec lock held (another load, or the kernel updating the header)". Falls back to
 * "<NAME>: strerror" for errnos with no kexec meaning. Returns buf. */
const char *loader_explain_errno(int err, char *buf, size_t size);

/* EBUSY, EINTR, EAGAIN, ENOMEM: the same loader may well succeed a moment later. */
bool loader_error_is_transient(int err);

/* Writes size bytes as name in the directory dfd through a temporary file created there with
 * O_CREAT|O_EXCL|O_NOFOLLOW (a name unique to the process and the moment, mode 0600 while
 * written) and renameat(2), so readers see the old or the new file, never a partial one, and
 * nothing already at either
 * name (a symlink planted there) is followed. mode is the new file's mode. 0 or -errno. */
int loader_write_atomic_at(int dfd, const char *name, const void *data, size_t size, mode_t mode);

/* Reads <root>/sys/kernel/kexec_crash_loaded: 1 loaded, 0 not, -errno (-ENOENT: kernel
 * without CONFIG_CRASH_DUMP). */
int loader_crash_loaded(const char *root);

/* Resolves Kernel= and Initrd= into root-relative paths; release is uname -r. Unset, they
 * are what Debian's kdump-tools would load when its defaults file exists (kdump-tools.h:
 * KDUMP_KERNEL, KDUMP_INITRD, as kdump-config chooses), else /boot/vmlinuz-<release> and
 * the first that exists of the kdump-tools, kdump-utils and plain initrd names for
 * <release>. Initrd: 0 with buf "" when the plan is a load without one (why says why);
 * -ENOENT when a configured one (Initrd= or KDUMP_INITRD) is missing. Kernel: -ENOENT when
 * the file is missing. why names what was tried; -EINVAL: the kdump-tools file is unreadable
 * as plain assignments, or a value it sets needs a shell expansion.
 * -EPERM: the file found is not trusted (trust.h: it or a directory on the way is not owned by
 * root or is writable by group or others); why says which element and why, and buf holds the
 * path found (for a report), though nothing may load it. */
int loader_resolve_kernel(const char *root, const Config *c, const char *release, char *buf, size_t size,
			  char *why, size_t why_size);
int loader_resolve_initrd(const char *root, const Config *c, const char *release, char *buf, size_t size,
			  char *why, size_t why_size);

/* The crash kernel's command line: CommandLine= or, unset, config_default_cmdline() of
 * <root>/proc/cmdline, or where kdump-tools' defaults file exists, kdump-config's own
 * (KDUMP_CMDLINE or that filtered /proc/cmdline, then KDUMP_CMDLINE_APPEND or its default,
 * which runs kdump-tools-dump.service in the capture kernel); then, unless CaptureMemoryHotplug=yes, config_capture_cmdline()
 * (acpi_no_memhotplug, no onlining policy). Caller frees. */
int loader_command_line(const char *root, const Config *c, char **ret, char *why, size_t why_size);

/* "kernel" loader: one /dev/kmsg record ("PRI,SEQ,TS,FLAGS;text"): 1 if the kernel said
 * something about updating the header ("crash hp: " at any level, since the dropped-update
 * notice "kexec_trylock() failed" is printed at info; msg gets the text), 0 if not, -EINVAL if
 * the record is malformed. */
int loader_kernel_parse_kmsg(const char *record, size_t len, char *msg, size_t msg_size);

/* Program headers the kernel's own header needs for t (6.6+): a note per possible CPU,
 * VMCOREINFO, kernel text, RAM ranges. */
size_t loader_kernel_phdrs_needed(const Topology *t);

/* Program headers the kernel reserved for its own header (<root>/sys/kernel/
 * crash_elfcorehdr_size / 56), or -errno (-ENOENT: kernel without CONFIG_CRASH_HOTPLUG). */
int loader_kernel_capacity(const char *root);

/* Whether the kernel's own header has room for t: -ENOSPC if loader_kernel_phdrs_needed(t)
 * (into *ret_needed) exceeds loader_kernel_capacity() (into *ret_capacity, -errno when
 * unknown), else 0 (also when the capacity cannot be read). */
int loader_kernel_room(const char *root, const Topology *t, size_t *ret_needed, int *ret_capacity);

/* "kernel" loader: remember a failure read from /dev/kmsg; the next load() reports it (and
 * fails with -EIO) so the caller can reload with another loader. */
void loader_kernel_note_failure(Loader *l, const char *msg);
