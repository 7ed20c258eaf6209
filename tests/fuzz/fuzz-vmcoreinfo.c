/* SPDX-License-Identifier: GPL-2.0-or-later */
/* /sys/kernel/vmcoreinfo through its stream entry point; the same bytes then go through the
 * other one-value parsers (crash_notes, crash_notes_size, block_size_bytes). */
#include "fuzz.h"
#include "kvalues.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_(fclosep) FILE *f = NULL;
	_cleanup_(freep) char *s = NULL;
	uint64_t addr, len, v;
	Diag d;

	if (size == 0 || size > 4096) /* fmemopen() refuses an empty buffer */
		return 0;
	f = fmemopen((void *)data, size, "r");
	if (f && kvalue_parse_vmcoreinfo_stream(f, "fuzz", &addr, &len, &d) == 0 &&
	    (addr == 0 || len == 0 || addr + len - 1 < addr))
		abort();

	s = strndup((const char *)data, size);
	if (!s)
		return 0;
	(void) kvalue_parse_crash_notes(s, "fuzz", &v, &d);
	(void) kvalue_parse_crash_notes_size(s, "fuzz", &v, &d);
	if (kvalue_parse_block_size(s, "fuzz", &v, &d) == 0 && (v == 0 || (v & (v - 1)) != 0))
		abort();
	return 0;
}
