/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shell defaults files (/etc/default/kdump-tools) read as plain assignments. */
#include "fuzz.h"
#include "shellvars.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_(shellvars_done) ShellVars v = {};
	Diag d;

	if (shellvars_parse((const char *)data, size, "fuzz", &v, &d) < 0) {
		if (d.line == 0 || !d.reason[0])
			abort(); /* every refusal names its line and why */
		return 0;
	}
	/* Names are sh names, lines ascend, and the lookup finds the last of each name. */
	for (size_t i = 0; i < v.n_vars; i++) {
		const char *n = v.vars[i].name;

		if (!n[0] || (n[0] >= '0' && n[0] <= '9') || strspn(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
								   "0123456789_") != strlen(n))
			abort();
		if (i > 0 && v.vars[i].line < v.vars[i - 1].line)
			abort();
		if (shellvars_get(&v, n)->line < v.vars[i].line)
			abort();
	}
	return 0;
}
