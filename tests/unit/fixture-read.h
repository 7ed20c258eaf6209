/* SPDX-License-Identifier: GPL-2.0-or-later */
/* topology_read() of a fixture tree. A tree says its architecture through proc/kcore's
 * e_machine, as a live /proc does; a tree without a kcore has a file "arch" ("x86_64",
 * "arm64") instead, for the tests only: the daemon would take the build's own. */
#pragma once

#include <limits.h>

#include "path.h"
#include "topology.h"

static inline int fixture_topology_read(const char *root, Topology **ret, Diag *d)
{
	char name[32];
	const ArchRules *arch;

	if (path_read_line(root, "/arch", name, sizeof(name), NULL) < 0)
		return topology_read(root, ret, d);
	arch = arch_by_name(name);
	if (!arch)
		return diag_set(d, EINVAL, "/arch", 1, "unknown architecture \"%s\"", name);
	return topology_read_arch(root, arch, ret, d);
}
