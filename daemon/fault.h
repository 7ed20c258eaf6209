/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test builds only (crash-hotplugd-test): a KexecOps that never touches the kernel. Every
 * call succeeds unless a scripted fault says otherwise, so the integration tests exercise the
 * daemon's retry and fallback paths without root, a crash region or a real kexec. */
#pragma once

#include "loader.h"

typedef struct FaultOps FaultOps;

/* spec: comma-separated OP:RESULT[*COUNT]. OP is file_load, load or run; RESULT an errno
 * name (EBUSY, ENOMEM, EPERM, ...) for the syscalls, an exit status for run, or "hang" for
 * run: a real process group that ignores SIGTERM and never exits is run in kexec's place
 * through kexec_ops_real.run (so its timeout and its SIGTERM/SIGINT handling apply). COUNT
 * calls fail that way (no COUNT: every call), in the order given; later calls succeed. ""
 * or NULL: no faults. -EINVAL on a bad spec. */
int fault_ops_new(const char *spec, FaultOps **ret);
FaultOps *fault_ops_free(FaultOps *f);
DEFINE_TRIVIAL_CLEANUP_FUNC(FaultOps *, fault_ops_free);

const KexecOps *fault_ops_get(FaultOps *f);

/* At every faked kexec_load or kexec_file_load, append to record_path one line "OP
 * CALL_USEC STATE STATE_SINCE": the call's CLOCK_REALTIME, and the "state" and "state_since"
 * that status_path holds at that moment ("-" and 0 when it cannot be read), so that a test
 * sees what the daemon had published when the window began. 0 or -ENOMEM. */
int fault_ops_record(FaultOps *f, const char *record_path, const char *status_path);
