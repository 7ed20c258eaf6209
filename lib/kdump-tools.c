/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Debian kdump-tools' defaults file, read as kdump-config reads it; see kdump-tools.h. */
#include "kdump-tools.h"
#include "path.h"
#include "shellvars.h"

static int take(const ShellVars *v, const char *name, KdumpToolsVar *ret)
{
	const ShellVar *s = shellvars_get(v, name);

	*ret = (KdumpToolsVar){};
	if (!s)
		return 0;
	ret->line = s->line;
	ret->expands = !s->value;
	if (s->value && s->value[0]) {
		ret->value = strdup(s->value);
		if (!ret->value)
			return -ENOMEM;
	}
	return 0;
}

int kdump_tools_load(const char *root, KdumpTools *ret, Diag *d)
{
	_cleanup_(kdump_tools_done) KdumpTools k = {};
	_cleanup_(shellvars_done) ShellVars v = {};
	_cleanup_(freep) char *text = NULL;
	size_t size = 0;
	int r;

	r = path_read_file(root, KDUMP_TOOLS_DEFAULTS, READ_CAP_KDUMP_TOOLS, PATH_READ_TRUSTED, &text, &size, d);
	if (r == -ENOENT) {
		*ret = (KdumpTools){};
		return 0;
	}
	if (r < 0)
		return r;
	r = shellvars_parse(text, size, KDUMP_TOOLS_DEFAULTS, &v, d);
	if (r < 0)
		return r;
	k.present = true;
	if ((r = take(&v, "KDUMP_KERNEL", &k.kernel)) < 0 || (r = take(&v, "KDUMP_INITRD", &k.initrd)) < 0 ||
	    (r = take(&v, "KDUMP_CMDLINE", &k.cmdline)) < 0 ||
	    (r = take(&v, "KDUMP_CMDLINE_APPEND", &k.cmdline_append)) < 0)
		return r;
	*ret = k;
	k = (KdumpTools){};
	return 0;
}

int kdump_tools_value(const KdumpToolsVar *var, const char *key, const char *instead, const char **ret, Diag *d)
{
	if (var->expands)
		return diag_set(d, EINVAL, KDUMP_TOOLS_DEFAULTS, var->line,
				"%s needs a shell expansion, which crash-hotplugd does not evaluate: set %s= in "
				"crash-hotplugd.conf, or write the value out",
				key, instead);
	*ret = var->value;
	return 0;
}

void kdump_tools_done(KdumpTools *k)
{
	free(k->kernel.value);
	free(k->initrd.value);
	free(k->cmdline.value);
	free(k->cmdline_append.value);
	*k = (KdumpTools){};
}
