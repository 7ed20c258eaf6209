/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel prints cpumasks as lists with cpumap_print_to_pagebuf(true, ...): ascending
 * decimal numbers and "a-b" ranges separated by commas, then a newline; an empty mask is
 * just the newline (cpu/offline on a machine with every CPU online). We accept exactly
 * that, so that a mix-up of files or a corrupted value is an error, not a wrong CPU set.
 */
#include "cpulist.h"
#include "path.h"

/* sysfs attributes are at most one page; a cpulist file bigger than this is not one. The
 * same bound as READ_CAP_CPULIST, which cpulist_parse_file() reads with. */
#define CPULIST_MAX_FILE 65536
_Static_assert(CPULIST_MAX_FILE == READ_CAP_CPULIST, "one cap for cpulist files");

CpuList *cpulist_free(CpuList *l)
{
	if (!l)
		return NULL;
	free(l->cpus);
	free(l);
	return NULL;
}

bool cpulist_contains(const CpuList *l, unsigned cpu)
{
	size_t lo = 0, hi = l->n_cpus;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (l->cpus[mid] == cpu)
			return true;
		if (l->cpus[mid] < cpu)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Decimal number at *p, at most CPULIST_MAX_CPU. */
static int parse_cpu(const char **p, unsigned *ret, const char *name, unsigned line, Diag *d)
{
	const char *s = *p;
	unsigned long v = 0;

	if (*s < '0' || *s > '9')
		return diag_set(d, EINVAL, name, line, "expected a CPU number at \"%.16s\"", s);
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > CPULIST_MAX_CPU)
			return diag_set(d, EINVAL, name, line, "CPU number above %u", CPULIST_MAX_CPU);
	}
	*p = s;
	*ret = (unsigned)v;
	return 0;
}

int cpulist_parse(const char *s, const char *name, unsigned line, CpuList **ret, Diag *d)
{
	_cleanup_(cpulist_freep) CpuList *l = NULL;
	size_t cap = 0;
	bool first = true;
	unsigned next_min = 0; /* lowest number the next item may start at */
	const char *p = s;

	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;

	while (*p && *p != '\n') {
		unsigned a, b;
		int r;

		if (!first) {
			if (*p != ',')
				return diag_set(d, EINVAL, name, line, "expected ',' at \"%.16s\"", p);
			p++;
		}
		r = parse_cpu(&p, &a, name, line, d);
		if (r < 0)
			return r;
		b = a;
		if (*p == '-') {
			p++;
			r = parse_cpu(&p, &b, name, line, d);
			if (r < 0)
				return r;
			if (b < a)
				return diag_set(d, EINVAL, name, line, "reversed range %u-%u", a, b);
		}
		if (!first && a < next_min)
			return diag_set(d, EINVAL, name, line,
					"CPU %u overlaps or precedes an earlier entry (the list must ascend)", a);

		if (l->n_cpus + (b - a) + 1 > cap) {
			size_t ncap = cap ? cap : 16;
			unsigned *n;

			while (ncap < l->n_cpus + (b - a) + 1)
				ncap *= 2;
			n = reallocarray(l->cpus, ncap, sizeof(*n));
			if (!n)
				return -ENOMEM;
			l->cpus = n;
			cap = ncap;
		}
		for (unsigned c = a;; c++) {
			l->cpus[l->n_cpus++] = c;
			if (c == b)
				break;
		}
		next_min = b + 1;
		first = false;
	}
	if (*p == '\n')
		p++;
	if (*p != '\0')
		return diag_set(d, EINVAL, name, line, "unexpected text after the list");
	*ret = TAKE_PTR(l);
	return 0;
}

int cpulist_parse_stream(FILE *f, const char *name, CpuList **ret, Diag *d)
{
	_cleanup_(freep) char *buf = NULL;
	size_t len;

	buf = malloc(CPULIST_MAX_FILE + 1);
	if (!buf)
		return -ENOMEM;
	len = fread(buf, 1, CPULIST_MAX_FILE + 1, f);
	if (ferror(f))
		return diag_set(d, EIO, name, 0, "read error");
	if (len > CPULIST_MAX_FILE)
		return diag_set(d, EFBIG, name, 0, "larger than %d bytes", CPULIST_MAX_FILE);
	/* The kernel always writes the newline, even for an empty list: zero bytes means
	 * the file is not what it claims to be. */
	if (len == 0)
		return diag_set(d, ENODATA, name, 0, "file is empty");
	if (memchr(buf, '\0', len))
		return diag_set(d, EINVAL, name, 1, "NUL byte in the file");
	buf[len] = '\0';
	return cpulist_parse(buf, name, 1, ret, d);
}

int cpulist_parse_file(const char *root, const char *path, CpuList **ret, Diag *d)
{
	_cleanup_(fclosep) FILE *f = NULL;
	int r;

	r = path_open_stream(root, path, READ_CAP_CPULIST, 0, &f, d);
	if (r < 0)
		return r;
	return cpulist_parse_stream(f, path, ret, d);
}
