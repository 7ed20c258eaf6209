/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /proc/iomem is printed by kernel/resource.c r_show() as
 *     "%*s%0*llx-%0*llx : %s\n"  (2 spaces per level, at least 8 hex digits, lowercase)
 * in pre-order of the resource tree. Siblings are sorted and never overlap, children lie
 * inside their parent. Anything else means the file is not what we think it is, so every
 * deviation is an error with its line: a crash header built from a misread tree would
 * silently drop memory from the dump.
 */
#include <ctype.h>
#include <inttypes.h>

#include "iomem.h"
#include "kvalues.h"
#include "path.h"

/* The kernel stops indenting at MAX_IORES_LEVEL (5): deeper entries are printed at level 5. */
#define IOMEM_PRINT_MAX_DEPTH 5u
/* Resource names are short driver strings; a longer line is not iomem. */
#define IOMEM_MAX_LINE 4096

Iomem *iomem_free(Iomem *m)
{
	if (!m)
		return NULL;
	for (size_t i = 0; i < m->n_entries; i++)
		free(m->entries[i].name);
	free(m->entries);
	free(m);
	return NULL;
}

bool iomem_is_system_ram(const char *name)
{
	size_t len;

	/* The kernel walks IORESOURCE_SYSTEM_RAM|IORESOURCE_BUSY resources; their names are
	 * "System RAM" and "System RAM (<driver>)" (virtio_mem, kmem, ...). */
	if (!startswith(name, "System RAM"))
		return false;
	name += strlen("System RAM");
	if (*name == '\0')
		return true;
	len = strlen(name);
	return len > 3 && name[0] == ' ' && name[1] == '(' && name[len - 1] == ')';
}

const IomemEntry *iomem_find(const Iomem *m, const char *name)
{
	for (size_t i = 0; i < m->n_entries; i++)
		if (streq(m->entries[i].name, name))
			return &m->entries[i];
	return NULL;
}

typedef struct Parser {
	const char *name;
	Iomem *m;
	size_t cap;
	size_t *chain; /* chain[k]: index of the last entry at depth k on the current path */
	size_t chain_len, chain_cap;
} Parser;

static int chain_push(Parser *ps, size_t idx)
{
	if (ps->chain_len == ps->chain_cap) {
		size_t ncap = ps->chain_cap ? ps->chain_cap * 2 : 16;
		size_t *n = reallocarray(ps->chain, ncap, sizeof(*n));

		if (!n)
			return -ENOMEM;
		ps->chain = n;
		ps->chain_cap = ncap;
	}
	ps->chain[ps->chain_len++] = idx;
	return 0;
}

static bool contains(const IomemEntry *outer, uint64_t start, uint64_t end)
{
	return outer->start <= start && end <= outer->end;
}

/* Places an entry printed at indentation level printed_depth into the tree: checks it
 * against its parent and its previous sibling and returns its real depth. */
static int place(Parser *ps, unsigned printed_depth, uint64_t start, uint64_t end, unsigned line,
		 unsigned *ret_depth, Diag *d)
{
	const IomemEntry *e = ps->m->entries;
	size_t h = ps->chain_len, r = printed_depth;

	if (h == 0 && printed_depth > 0)
		return diag_set(d, EINVAL, ps->name, line, "bad indentation: the first entry is indented");
	if (printed_depth > h)
		return diag_set(d, EINVAL, ps->name, line,
				"bad indentation: level %u follows level %zu (at most one level deeper)",
				printed_depth, h - 1);

	if (printed_depth == IOMEM_PRINT_MAX_DEPTH) {
		/* Pre-order output: the deepest open entry that contains this one is its
		 * parent. Siblings never overlap, so containment cannot be a sibling. */
		r = h;
		while (r > IOMEM_PRINT_MAX_DEPTH && !contains(&e[ps->chain[r - 1]], start, end))
			r--;
	}

	if (r > 0) {
		const IomemEntry *parent = &e[ps->chain[r - 1]];

		if (!contains(parent, start, end))
			return diag_set(d, EINVAL, ps->name, line,
					"%" PRIx64 "-%" PRIx64 " lies outside its parent %" PRIx64 "-%" PRIx64 " (line %u)",
					start, end, parent->start, parent->end, parent->line);
	}
	if (r < h) {
		const IomemEntry *prev = &e[ps->chain[r]];

		if (start <= prev->end && prev->start <= end)
			return diag_set(d, EINVAL, ps->name, line,
					"%" PRIx64 "-%" PRIx64 " overlaps its sibling %" PRIx64 "-%" PRIx64 " (line %u)",
					start, end, prev->start, prev->end, prev->line);
		if (start < prev->start)
			return diag_set(d, EINVAL, ps->name, line,
					"%" PRIx64 "-%" PRIx64 " is out of order: below its previous sibling %" PRIx64 "-%" PRIx64 " (line %u)",
					start, end, prev->start, prev->end, prev->line);
	}
	ps->chain_len = r;
	*ret_depth = (unsigned)r;
	return 0;
}

static int parse_line(Parser *ps, char *buf, size_t len, unsigned line, Diag *d)
{
	const char *p = buf, *why = NULL;
	IomemEntry *prev = ps->m->n_entries > 0 ? &ps->m->entries[ps->m->n_entries - 1] : NULL;
	uint64_t start, end;
	unsigned spaces = 0, depth = 0;
	char *name;
	int r;

	if (len == 0 || buf[len - 1] != '\n')
		return diag_set(d, EINVAL, ps->name, line, "truncated line (no newline at end of file)");
	buf[--len] = '\0';
	if (strlen(buf) != len)
		return diag_set(d, EINVAL, ps->name, line, "NUL byte in line");
	if (len == 0)
		return diag_set(d, EINVAL, ps->name, line, "empty line");

	while (*p == ' ')
		p++, spaces++;
	if (*p == '\t' || *p == '\v' || *p == '\f' || *p == '\r')
		return diag_set(d, EINVAL, ps->name, line, "bad indentation: only spaces are allowed");
	if (spaces % 2 != 0)
		return diag_set(d, EINVAL, ps->name, line, "bad indentation: %u spaces (must be 2 per level)", spaces);
	if (spaces / 2 > IOMEM_PRINT_MAX_DEPTH)
		return diag_set(d, EINVAL, ps->name, line,
				"bad indentation: level %u (the kernel indents at most %u levels)",
				spaces / 2, IOMEM_PRINT_MAX_DEPTH);

	r = kvalue_scan_hex(&p, &start, &why);
	if (r < 0)
		return diag_set(d, EINVAL, ps->name, line, "bad start address: %s", why);
	if (isalnum((unsigned char)*p))
		return diag_set(d, EINVAL, ps->name, line, "bad start address: '%c' is not a hex digit", *p);
	if (*p != '-')
		return diag_set(d, EINVAL, ps->name, line, "expected '-' after the start address");
	p++;
	r = kvalue_scan_hex(&p, &end, &why);
	if (r < 0)
		return diag_set(d, EINVAL, ps->name, line, "bad end address: %s", why);
	if (isalnum((unsigned char)*p))
		return diag_set(d, EINVAL, ps->name, line, "bad end address: '%c' is not a hex digit", *p);
	if (!startswith(p, " : "))
		return diag_set(d, EINVAL, ps->name, line, "expected \" : \" after the address range");
	p += 3;
	for (const char *c = p; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return diag_set(d, EINVAL, ps->name, line, "control character in the name");

	/* Without CAP_SYS_ADMIN the kernel prints every range as 0-0 (since 4.6): nothing
	 * in such a file can be used, and the structure checks below would misreport it. */
	if (start == 0 && end == 0 && prev && prev->start == 0 && prev->end == 0)
		return diag_set(d, EACCES, ps->name, line, "addresses hidden (all shown as 0): run as root");

	if (start > end)
		return diag_set(d, EINVAL, ps->name, line,
				"reversed range: start %" PRIx64 " > end %" PRIx64, start, end);

	r = place(ps, spaces / 2, start, end, line, &depth, d);
	if (r < 0)
		return r;

	name = strdup(p);
	if (!name)
		return -ENOMEM;
	if (ps->m->n_entries == ps->cap) {
		size_t ncap = ps->cap ? ps->cap * 2 : 64;
		IomemEntry *n = reallocarray(ps->m->entries, ncap, sizeof(*n));

		if (!n) {
			free(name);
			return -ENOMEM;
		}
		ps->m->entries = n;
		ps->cap = ncap;
	}
	ps->m->entries[ps->m->n_entries] = (IomemEntry){
		.start = start,
		.end = end,
		.depth = depth,
		.line = line,
		.name = name,
	};
	return chain_push(ps, ps->m->n_entries++);
}

int iomem_parse_stream(FILE *f, const char *name, Iomem **ret, Diag *d)
{
	_cleanup_(iomem_freep) Iomem *m = NULL;
	_cleanup_(freep) char *buf = NULL;
	size_t bufsize = 0;
	unsigned line = 0;
	Parser ps = { .name = name };
	int r = 0;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	ps.m = m;

	for (;;) {
		ssize_t n;

		errno = 0;
		n = getline(&buf, &bufsize, f);
		if (n < 0) {
			if (errno == ENOMEM)
				r = -ENOMEM;
			else if (ferror(f))
				r = diag_set(d, errno > 0 ? errno : EIO, name, line + 1, "read error: %s",
					     strerror(errno > 0 ? errno : EIO));
			break;
		}
		line++;
		if (n > IOMEM_MAX_LINE) {
			r = diag_set(d, EINVAL, name, line, "line longer than %d bytes", IOMEM_MAX_LINE);
			break;
		}
		r = parse_line(&ps, buf, (size_t)n, line, d);
		if (r < 0)
			break;
	}
	free(ps.chain);
	if (r < 0)
		return r;
	if (m->n_entries == 0)
		return diag_set(d, ENODATA, name, 0, "file is empty");
	*ret = TAKE_PTR(m);
	return 0;
}

int iomem_parse_file(const char *root, Iomem **ret, Diag *d)
{
	_cleanup_(fclosep) FILE *f = NULL;
	int r;

	r = path_open_stream(root, "/proc/iomem", READ_CAP_IOMEM, 0, &f, d);
	if (r < 0)
		return r;
	return iomem_parse_stream(f, "/proc/iomem", ret, d);
}
