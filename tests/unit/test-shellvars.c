/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shell defaults files read as sh assigns them, and refused where only a shell could tell. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "shellvars.h"

static void parse_ok(const char *text, ShellVars *v)
{
	Diag d = {};
	int r = shellvars_parse(text, strlen(text), "defaults", v, &d);

	if (r < 0)
		print_message("# %s:%u: %s\n", d.file, d.line, d.reason);
	assert_int_equal(r, 0);
}

static void assert_var(const ShellVars *v, const char *name, const char *value, unsigned line)
{
	const ShellVar *s = shellvars_get(v, name);

	assert_non_null(s);
	if (value)
		assert_string_equal(s->value, value);
	else
		assert_null(s->value);
	assert_int_equal(s->line, line);
}

static void test_plain_and_quoted(void **state)
{
	_cleanup_(shellvars_done) ShellVars v = {};

	(void)state;
	parse_ok("# comment\n"
		 "USE_KDUMP=1\n"
		 "  KDUMP_KERNEL=/var/lib/kdump/vmlinuz   # trailing comment\n"
		 "KDUMP_COREDIR=\"/var/crash\"\n"
		 "A='single $HOME `x`'\n"
		 "B=\"escaped \\\" \\$ \\\\ \\n kept\"\n"
		 "C=un\\ quoted\\\n"
		 "continued\n"
		 "export D=1 E=two; F=\"multi\n"
		 "line\"\n"
		 "export G\n"
		 "H=a#b\n"
		 "EMPTY=\n"
		 "USE_KDUMP=0\n",
		 &v);
	assert_var(&v, "KDUMP_KERNEL", "/var/lib/kdump/vmlinuz", 3);
	assert_var(&v, "KDUMP_COREDIR", "/var/crash", 4);
	assert_var(&v, "A", "single $HOME `x`", 5);
	assert_var(&v, "B", "escaped \" $ \\ \\n kept", 6);
	assert_var(&v, "C", "un quotedcontinued", 7);
	assert_var(&v, "D", "1", 9);
	assert_var(&v, "E", "two", 9);
	assert_var(&v, "F", "multi\nline", 9);
	assert_var(&v, "H", "a#b", 12);
	assert_var(&v, "EMPTY", "", 13);
	assert_var(&v, "USE_KDUMP", "0", 14); /* the last assignment wins */
	assert_null(shellvars_get(&v, "G"));   /* exported, never assigned */
	assert_null(shellvars_get(&v, "NOPE"));
}

/* Expansions are flagged, never evaluated: the value is unknown. */
static void test_expansions(void **state)
{
	_cleanup_(shellvars_done) ShellVars v = {};

	(void)state;
	parse_ok("A=$HOME/x\nB=\"${X:-y}\"\nC=~/z\nD=a~b\nE=/a:~/b\nF='x':~\nG=a:b~\nH=\"a:~\"\n", &v);
	assert_var(&v, "A", NULL, 1);
	assert_var(&v, "B", NULL, 2);
	assert_var(&v, "C", NULL, 3);
	assert_var(&v, "D", "a~b", 4);
	/* sh expands a tilde after '=' and after every unquoted ':' of an assignment */
	assert_var(&v, "E", NULL, 5);
	assert_var(&v, "F", NULL, 6);
	assert_var(&v, "G", "a:b~", 7);
	assert_var(&v, "H", "a:~", 8);
}

static void assert_refused_n(const char *text, size_t size, unsigned line, const char *reason)
{
	ShellVars v = {};
	Diag d = {};

	assert_int_equal(shellvars_parse(text, size, "defaults", &v, &d), -EINVAL);
	print_message("# %s:%u: %s\n", d.file, d.line, d.reason);
	assert_string_equal(d.file, "defaults");
	assert_int_equal(d.line, line);
	assert_non_null(strstr(d.reason, reason));
	assert_null(v.vars);
}

static void assert_refused(const char *text, unsigned line, const char *reason)
{
	assert_refused_n(text, strlen(text), line, reason);
}

/* Anything that is more than an assignment could change the variables in ways only a shell
 * knows: refused with the line. */
static void test_refused(void **state)
{
	(void)state;
	assert_refused("A=1\nif [ -e /x ]; then A=2; fi\n", 2, "not a plain assignment (\"if [ -e /x ]; then A=2; fi\")");
	assert_refused("A=1 some-command\n", 1, "not a plain assignment");
	assert_refused(". /etc/other\n", 1, "not a plain assignment");
	assert_refused("A=$(uname -r)\n", 1, "command substitution");
	assert_refused("A=`uname -r`\n", 1, "command substitution");
	assert_refused("A=x|y\n", 1, "'|' makes this more than an assignment");
	assert_refused("\nA=\"open\n\n", 2, "unterminated \" quote");
	assert_refused("A='open\n", 1, "unterminated ' quote");
	assert_refused_n("A=1\nB=2\0C=3\n", 10, 2, "NUL byte");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_and_quoted),
		cmocka_unit_test(test_expansions),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests_name("shellvars", tests, NULL, NULL);
}
