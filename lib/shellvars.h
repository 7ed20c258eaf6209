/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a shell "defaults" file (/etc/default/kdump-tools) without running it. Such files
 * are sourced by sh; nearly all of them are plain assignments, which this reads exactly as
 * sh assigns them: quoting ('...', "...", backslash), line continuations, several
 * assignments per line or after "export", comments. What would need a shell to evaluate is
 * never guessed at: a value with an expansion ($VAR, $(cmd), `cmd`, a leading ~) is reported
 * as such (value NULL), and a line that is not an assignment (a command, if/fi, a pipe) is
 * an error naming the line, because whatever it does to the variables cannot be known.
 */
#pragma once

#include "diag.h"

typedef struct ShellVar {
	char *name;
	char *value;   /* NULL: the value needs a shell expansion */
	unsigned line; /* of the assignment's first character */
} ShellVar;

typedef struct ShellVars {
	ShellVar *vars; /* in file order; a name assigned twice appears twice */
	size_t n_vars;
} ShellVars;

/* Parses text (size bytes, NUL bytes refused) named name in diagnostics into *ret. -EINVAL
 * with d = name:line and the reason for a line that is not a plain assignment, an unterminated
 * quote, or a NUL byte; -ENOMEM. On error *ret is untouched. */
int shellvars_parse(const char *text, size_t size, const char *name, ShellVars *ret, Diag *d);

/* The last assignment of name, or NULL when the file never assigns it. */
const ShellVar *shellvars_get(const ShellVars *v, const char *name);

void shellvars_done(ShellVars *v);
