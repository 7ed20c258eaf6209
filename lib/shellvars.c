/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Plain sh assignments read as sh would assign them; see shellvars.h for what is refused. */
#include <stdarg.h>

#include "shellvars.h"

typedef struct Cursor {
	const char *p, *end;
	unsigned line;
	const char *name;
	Diag *d;
} Cursor;

typedef struct Buf {
	char *s;
	size_t n, cap;
} Buf;

static int buf_push(Buf *b, char ch)
{
	if (b->n + 1 >= b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		char *s = realloc(b->s, cap);

		if (!s)
			return -ENOMEM;
		b->s = s;
		b->cap = cap;
	}
	b->s[b->n++] = ch;
	b->s[b->n] = '\0';
	return 0;
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static bool is_name_start(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '_';
}

static bool is_name_char(char ch)
{
	return is_name_start(ch) || (ch >= '0' && ch <= '9');
}

static int refuse(Cursor *c, unsigned line, const char *fmt, ...) _printf_(3, 4);
static int refuse(Cursor *c, unsigned line, const char *fmt, ...)
{
	char reason[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return diag_set(c->d, EINVAL, c->name, line, "%s", reason);
}

/* A single-quoted string, the cursor on its opening quote: every byte literal. */
static int read_single_quoted(Cursor *c, Buf *b)
{
	unsigned opened = c->line;
	int r;

	for (c->p++; c->p < c->end && *c->p != '\''; c->p++) {
		if (*c->p == '\n')
			c->line++;
		r = buf_push(b, *c->p);
		if (r < 0)
			return r;
	}
	if (c->p == c->end)
		return refuse(c, opened, "unterminated ' quote");
	c->p++;
	return 0;
}

/* A double-quoted string: backslash escapes only $ ` " \ and the newline (a continuation);
 * an unescaped $ or ` is an expansion. */
static int read_double_quoted(Cursor *c, Buf *b, bool *expansion)
{
	unsigned opened = c->line;
	int r;

	for (c->p++; c->p < c->end && *c->p != '"'; c->p++) {
		if (*c->p == '\\' && c->p + 1 < c->end && strchr("$`\"\\\n", c->p[1])) {
			c->p++;
			if (*c->p == '\n') {
				c->line++;
				continue;
			}
		} else if (*c->p == '$' || *c->p == '`')
			*expansion = true;
		else if (*c->p == '\n')
			c->line++;
		r = buf_push(b, *c->p);
		if (r < 0)
			return r;
	}
	if (c->p == c->end)
		return refuse(c, opened, "unterminated \" quote");
	c->p++;
	return 0;
}

/*
 * The value after NAME=, up to an unquoted blank, newline or ';'. A tilde starts an expansion
 * where sh would expand it in an assignment: first in the value, or right after an unquoted
 * ':' (PATH-like lists).
 */
static int read_value(Cursor *c, Buf *b, bool *expansion)
{
	bool first = true;
	int r;

	while (c->p < c->end && !is_blank(*c->p) && *c->p != '\n' && *c->p != ';') {
		char ch = *c->p;

		if (ch == '\'')
			r = read_single_quoted(c, b);
		else if (ch == '"')
			r = read_double_quoted(c, b, expansion);
		else if (ch == '\\') {
			c->p++;
			if (c->p < c->end && *c->p == '\n') {
				c->p++;
				c->line++;
				continue;
			}
			/* A backslash at the very end of the file stays, as sh keeps it. */
			r = buf_push(b, c->p < c->end ? *c->p++ : '\\');
		} else if (ch == '`' || (ch == '$' && c->p + 1 < c->end && c->p[1] == '('))
			return refuse(c, c->line, "a command substitution: crash-hotplugd does not run the file");
		else if (strchr("|&<>()", ch))
			return refuse(c, c->line, "'%c' makes this more than an assignment: crash-hotplugd reads "
				      "plain assignments only and does not run the file", ch);
		else {
			if (ch == '$' || (ch == '~' && first))
				*expansion = true;
			r = buf_push(b, ch);
			c->p++;
		}
		if (r < 0)
			return r;
		first = ch == ':';
	}
	return 0;
}

static int add_var(ShellVars *v, const char *name, size_t name_len, Buf *value, bool expansion, unsigned line)
{
	ShellVar *vars = reallocarray(v->vars, v->n_vars + 1, sizeof(*vars));
	char *n;

	if (!vars)
		return -ENOMEM;
	v->vars = vars;
	n = strndup(name, name_len);
	if (!n)
		return -ENOMEM;
	vars[v->n_vars++] = (ShellVar){
		.name = n,
		.value = expansion ? NULL : TAKE_PTR(value->s),
		.line = line,
	};
	if (!expansion && !vars[v->n_vars - 1].value) {
		/* An empty value: the buffer never grew. */
		vars[v->n_vars - 1].value = strdup("");
		if (!vars[v->n_vars - 1].value)
			return -ENOMEM;
	}
	free(value->s);
	*value = (Buf){};
	return 0;
}

int shellvars_parse(const char *text, size_t size, const char *name, ShellVars *ret, Diag *d)
{
	_cleanup_(shellvars_done) ShellVars v = {};
	Cursor c = { .p = text, .end = text + size, .line = 1, .name = name, .d = d };
	const char *nul = memchr(text, '\0', size);
	bool after_export = false;
	int r;

	if (nul) {
		c.end = nul;
		for (const char *q = text; q < nul; q++)
			c.line += *q == '\n';
		return refuse(&c, c.line, "a NUL byte: not a text file");
	}
	while (c.p < c.end) {
		const char *word = c.p;
		unsigned line = c.line;
		size_t n = 0;

		if (is_blank(*c.p)) {
			c.p++;
			continue;
		}
		if (*c.p == '\n' || *c.p == ';') {
			c.line += *c.p == '\n';
			after_export = false;
			c.p++;
			continue;
		}
		if (*c.p == '#') {
			while (c.p < c.end && *c.p != '\n')
				c.p++;
			continue;
		}
		if (*c.p == '\\' && c.p + 1 < c.end && c.p[1] == '\n') {
			c.p += 2;
			c.line++;
			continue;
		}
		while (word + n < c.end && is_name_char(word[n]))
			n++;
		if (n > 0 && is_name_start(word[0]) && word + n < c.end && word[n] == '=') {
			_cleanup_(freep) char *unused = NULL;
			Buf value = {};
			bool expansion = false;

			c.p = word + n + 1;
			r = read_value(&c, &value, &expansion);
			if (r >= 0)
				r = add_var(&v, word, n, &value, expansion, line);
			unused = value.s;
			if (r < 0)
				return r;
			continue;
		}
		bool ends = word + n == c.end || is_blank(word[n]) || word[n] == '\n' || word[n] == ';';

		if (n == 6 && ends && strncmp(word, "export", 6) == 0) {
			after_export = true;
			c.p = word + n;
			continue;
		}
		if (after_export && n > 0 && is_name_start(word[0]) && ends) {
			c.p = word + n; /* "export NAME": marks it, assigns nothing */
			continue;
		}
		while (word + n < c.end && word[n] != '\n' && n < 40)
			n++;
		return refuse(&c, line, "not a plain assignment (\"%.*s\"): crash-hotplugd reads assignments only "
			      "and does not run the file", (int)n, word);
	}
	*ret = v;
	v = (ShellVars){};
	return 0;
}

const ShellVar *shellvars_get(const ShellVars *v, const char *name)
{
	for (size_t i = v->n_vars; i > 0; i--)
		if (streq(v->vars[i - 1].name, name))
			return &v->vars[i - 1];
	return NULL;
}

void shellvars_done(ShellVars *v)
{
	for (size_t i = 0; i < v->n_vars; i++) {
		free(v->vars[i].name);
		free(v->vars[i].value);
	}
	free(v->vars);
	*v = (ShellVars){};
}
