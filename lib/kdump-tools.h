/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What Debian's kdump-tools would load, read from its defaults file the way kdump-config
 * (kdump-tools 1.8, Debian 12) computes it, so that the daemon loads the same kernel, initrd
 * and capture command line (which runs kdump-tools-dump.service to save the dump) unless the
 * daemon's own config says otherwise. kdump-config sources the file; it is read here with
 * shellvars.h, which never runs it.
 *
 * kdump-config's rules (locate_kdump_kernel(), kdump_load()):
 * - KDUMP_KERNEL set: that kernel (it must exist), and KDUMP_INITRD if set (it must exist),
 *   else no initrd. Unset: /boot/vmlinuz-$(uname -r) and /boot/initrd.img-$(uname -r) if it
 *   exists. Debian's default file sets /var/lib/kdump/vmlinuz and initrd.img, symlinks its
 *   kernel hook points at the release's kernel and at the small initrd it builds for it.
 * - Command line: KDUMP_CMDLINE if set, else /proc/cmdline without crashkernel=, hugepages=,
 *   hugepagesz=, abm=; then " " and KDUMP_CMDLINE_APPEND, whose default (unset or empty,
 *   sh's ${VAR:=default}) is KDUMP_TOOLS_DEFAULT_APPEND.
 * One deliberate difference: the filtered /proc/cmdline drops what the daemon's default drops
 * too (config_default_cmdline(): elfcorehdr=, BOOT_IMAGE=, initrd=, the options that eat the
 * small reservation, nr_cpus=/maxcpus=/irqpoll/reset_devices, which the append list sets),
 * a superset of kdump-config's crashkernel=, hugepages=, hugepagesz=, abm=. KDUMP_INITRD is
 * taken only with kdump-tools' kernel (Kernel= unset), as kdump-config pairs them.
 */
#pragma once

#include "diag.h"

#define KDUMP_TOOLS_DEFAULTS "/etc/default/kdump-tools" /* under the root */
#define KDUMP_TOOLS_DEFAULT_APPEND \
	"reset_devices systemd.unit=kdump-tools-dump.service nr_cpus=1 irqpoll usbcore.nousb"
/* What makes the capture kernel save the dump the Debian way. */
#define KDUMP_TOOLS_DUMP_UNIT "systemd.unit=kdump-tools-dump.service"
/* The file is a few hundred bytes; this is the config files' cap. */
#define READ_CAP_KDUMP_TOOLS (1u << 20)

typedef struct KdumpToolsVar {
	char *value;   /* NULL when unset or set to "" (kdump-config tests -n/-z) */
	unsigned line; /* of the last assignment, 0 when never assigned */
	bool expands;  /* the value needs a shell expansion: it cannot be known without running the file */
} KdumpToolsVar;

typedef struct KdumpTools {
	bool present; /* the defaults file exists */
	KdumpToolsVar kernel, initrd, cmdline, cmdline_append;
} KdumpTools;

/* Reads KDUMP_TOOLS_DEFAULTS under root into *ret. Missing: 0 with ret->present false. The file
 * decides what the root daemon loads, so it is read as a trusted file (path.h): not root's alone
 * is -EPERM; not a regular file, over the cap, not plain assignments (shellvars.h) -EINVAL or
 * -EFBIG; d names the file (and line). */
int kdump_tools_load(const char *root, KdumpTools *ret, Diag *d);

/* var's value for use, or -EINVAL with d = file:line when it needs a shell expansion (key
 * names the variable, instead names the crash-hotplugd.conf key that would replace it).
 * *ret is NULL when unset or empty. */
int kdump_tools_value(const KdumpToolsVar *var, const char *key, const char *instead, const char **ret, Diag *d);

void kdump_tools_done(KdumpTools *k);
