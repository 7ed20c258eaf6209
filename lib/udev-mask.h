/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Distribution udev rules that reload the crash kernel on every CPU or memory event
 * (Debian kdump-tools' 50-kdump-tools.rules runs kdump-config try-reload per event,
 * kdump-utils' 98-kexec.rules kdumpctl through its throttler) would reload over the daemon's
 * own loads, once per event. While the daemon runs they are masked the way udev lets an admin
 * mask a rule: a file of the same name in a directory of higher priority. /run/udev/rules.d
 * is above /usr/lib and /lib (where packages install) and below /etc (the admin's), and is
 * gone at reboot, so the masks are reversible: written before the daemon starts, removed
 * after it stops (the unit's ExecStartPre= and ExecStopPost=, so a crash of the daemon
 * gives the rules back too). A mask is recognised by its first line, UDEV_MASK_MARK: a file
 * an admin put there is never touched.
 */
#pragma once

#include "diag.h"

#define UDEV_MASK_DIR "/run/udev/rules.d" /* under the root */
#define UDEV_MASK_MARK "# crash-hotplugd: masks the packaged rule of this name while the daemon runs"

typedef struct UdevMaskRule {
	const char *name;    /* the rules file name */
	const char *tooling; /* who ships it */
} UdevMaskRule;

/* The rules masked, NULL-name terminated. */
extern const UdevMaskRule udev_mask_rules[];

typedef enum UdevRuleState {
	UDEV_RULE_ABSENT,        /* not installed */
	UDEV_RULE_ACTIVE,        /* installed, nothing masks it */
	UDEV_RULE_MASKED,        /* masked by the daemon's file */
	UDEV_RULE_MASKED_ADMIN,  /* a same-name file of someone else's in /run or /etc */
} UdevRuleState;

const char *udev_rule_state_to_string(UdevRuleState s);

/* The state of rule name under root. ret_where (may be NULL, PATH_MAX) gets the installed
 * file (ACTIVE, MASKED) or the overriding one (MASKED_ADMIN). */
UdevRuleState udev_rule_state(const char *root, const char *name, char *ret_where);

/* Masks every installed rule of udev_mask_rules that is ACTIVE, creating UDEV_MASK_DIR
 * (0755) if needed; each file is written atomically, mode 0644. *ret_n counts the masks
 * written (0 when nothing is installed). -errno with d naming the file. */
int udev_mask_apply(const char *root, unsigned *ret_n, Diag *d);

/* Removes the daemon's masks (files starting with UDEV_MASK_MARK) and nothing else. *ret_n
 * counts them. A missing directory is 0. */
int udev_mask_release(const char *root, unsigned *ret_n, Diag *d);
