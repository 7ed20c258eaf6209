/* SPDX-License-Identifier: GPL-2.0-or-later */
/* crash-hotplugctl's reader of the daemon's status.json: any bytes, never a crash. */
#include "../../daemon/ctl-status.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_(freep) char *text = NULL;
	_cleanup_(fclosep) FILE *out = NULL;
	CtlStatus s, again;
	size_t len = 0;

	if (ctl_status_parse((const char *)data, size, &s, NULL, 0) < 0)
		return 0;
	if (s.pid <= 0 || !memchr(s.state, 0, sizeof(s.state)) || !memchr(s.message, 0, sizeof(s.message)))
		abort();
	/* What it accepts, it prints as JSON it accepts again, unchanged. */
	out = open_memstream(&text, &len);
	if (!out)
		return 0;
	ctl_status_print_json(&s, &(StatusJsonVerdict){ .reason = "fuzz", .kernel_loaded = -1 }, out);
	if (fflush(out) != 0)
		return 0;
	if (ctl_status_parse(text, len, &again, NULL, 0) < 0 || memcmp(&s, &again, sizeof(s)) != 0)
		abort();
	return 0;
}
