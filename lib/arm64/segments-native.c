/* SPDX-License-Identifier: GPL-2.0-or-later */
/* On arm64 builds, Loader=segments is arm64's: the names lib/loader-segments.h declares. */
#include "loader-segments.h"

int loader_segments_new_with(const char *root, const Config *c, const KexecOps *ops, const SegmentsOptions *o,
			     Loader **ret)
{
	return arm64_segments_new_with(root, c, ops, o, ret);
}

int loader_segments_stats(const Loader *l, SegmentsStats *ret)
{
	return arm64_segments_stats(l, ret);
}

int loader_segments_plan(Loader *l, const Topology *t, size_t header_capacity, SegmentsPlan *ret, Diag *d)
{
	return arm64_segments_plan(l, t, header_capacity, ret, d);
}
