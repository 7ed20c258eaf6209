/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The configuration through its stream entry point; the same bytes as a /proc/cmdline. */
#include "config.h"
#include "fuzz.h"

static void count_warning(void *userdata, const char *file, unsigned line, const char *msg)
{
	if (!file || !msg || line == 0)
		abort();
	(*(unsigned *)userdata)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_(fclosep) FILE *f = NULL;
	_cleanup_(freep) char *text = NULL, *cmdline = NULL;
	unsigned warnings = 0;
	Config c;
	Diag d;

	if (size == 0) /* fmemopen() refuses an empty buffer; the empty file has a unit test */
		return 0;
	config_init(&c);
	f = fmemopen((void *)data, size, "r");
	/* Whatever a parse accepts stays inside the documented limits. */
	if (f && config_parse_stream(&c, f, "fuzz", count_warning, &warnings, &d) == 0 &&
	    (c.max_phdrs > 65534 || (c.max_phdrs && c.max_phdrs < CONFIG_MIN_PHDRS) ||
	     c.quiet_usec > CONFIG_MAX_TIME_USEC || c.max_delay_usec > CONFIG_MAX_TIME_USEC ||
	     (unsigned)c.loader >= _LOADER_MAX || (c.kernel && c.kernel[0] != '/') ||
	     (c.command_line && strlen(c.command_line) > CONFIG_MAX_COMMAND_LINE)))
		abort();
	config_done(&c);

	text = strndup((const char *)data, size);
	if (text && config_default_cmdline(text, &cmdline) == 0 && strlen(cmdline) > CONFIG_MAX_COMMAND_LINE)
		abort();
	return 0;
}
