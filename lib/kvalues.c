/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One-value sysfs files, each with the format its kernel show() function prints. They are
 * parsed exactly: "1024" means 0x1024 in /sys/kernel/vmcoreinfo but 1024 in crash_notes_size,
 * so accepting a neighbour's format would silently give a wrong header.
 */
#include <inttypes.h>

#include "kvalues.h"

/* A one-line value file is a few dozen bytes; more means it is some other file. */
#define KVALUE_MAX_LINE 256

int kvalue_scan_hex(const char **p, uint64_t *ret, const char **why)
{
	const char *s = *p;
	uint64_t v = 0;
	unsigned n = 0;

	for (;; s++, n++) {
		unsigned digit;

		if (*s >= '0' && *s <= '9')
			digit = (unsigned)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			digit = (unsigned)(*s - 'a' + 10);
		else if (*s >= 'A' && *s <= 'F')
			digit = (unsigned)(*s - 'A' + 10);
		else
			break;
		if (n == 16) {
			*why = "more than 16 hex digits";
			return -ERANGE;
		}
		v = v << 4 | digit;
	}
	if (n == 0) {
		*why = "not a hex number";
		return -EINVAL;
	}
	*p = s;
	*ret = v;
	return 0;
}

/* The value may end with one newline, as sysfs prints it; nothing else may follow. */
static bool at_end(const char *p)
{
	return p[0] == '\0' || (p[0] == '\n' && p[1] == '\0');
}

static int parse_plain_hex(const char *s, const char *name, const char *what, uint64_t *ret, Diag *d)
{
	const char *p = s, *why = NULL;
	uint64_t v;

	if (at_end(s))
		return diag_set(d, ENODATA, name, 1, "empty %s", what);
	if (startswith(s, "0x") || startswith(s, "0X"))
		return diag_set(d, EINVAL, name, 1, "%s: unexpected \"0x\" (the kernel prints bare hex)", what);
	if (kvalue_scan_hex(&p, &v, &why) < 0)
		return diag_set(d, EINVAL, name, 1, "%s: %s", what, why);
	if (!at_end(p))
		return diag_set(d, EINVAL, name, 1, "%s: unexpected text after the hex number", what);
	*ret = v;
	return 0;
}

int kvalue_parse_crash_notes(const char *s, const char *name, uint64_t *ret, Diag *d)
{
	uint64_t v;
	int r;

	r = parse_plain_hex(s, name, "crash_notes address", &v, d);
	if (r < 0)
		return r;
	/* 0 is what a kernel without per-cpu crash notes would have: no registers to dump. */
	if (v == 0)
		return diag_set(d, EINVAL, name, 1, "crash_notes address is 0");
	*ret = v;
	return 0;
}

int kvalue_parse_crash_notes_size(const char *s, const char *name, uint64_t *ret, Diag *d)
{
	const char *p = s;
	uint64_t v = 0;

	if (at_end(s))
		return diag_set(d, ENODATA, name, 1, "empty crash_notes_size");
	if (*p < '0' || *p > '9')
		return diag_set(d, EINVAL, name, 1, "crash_notes_size: not a decimal number");
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned digit = (unsigned)(*p - '0');

		if (v > (UINT64_MAX - digit) / 10)
			return diag_set(d, EINVAL, name, 1, "crash_notes_size: number too large");
		v = v * 10 + digit;
	}
	if (!at_end(p))
		return diag_set(d, EINVAL, name, 1, "crash_notes_size: unexpected text after the number");
	if (v == 0)
		return diag_set(d, EINVAL, name, 1, "crash_notes_size is 0");
	*ret = v;
	return 0;
}

int kvalue_parse_vmcoreinfo(const char *s, const char *name, uint64_t *ret_addr, uint64_t *ret_size, Diag *d)
{
	const char *p = s, *why = NULL;
	uint64_t addr, size;

	/* vmcoreinfo_show(): "%pa %x\n", i.e. "0x" + zero-padded address, then bare hex. */
	if (at_end(s))
		return diag_set(d, ENODATA, name, 1, "empty vmcoreinfo");
	if (!startswith(p, "0x"))
		return diag_set(d, EINVAL, name, 1, "expected \"0x<address> <size in hex>\"");
	p += 2;
	if (kvalue_scan_hex(&p, &addr, &why) < 0)
		return diag_set(d, EINVAL, name, 1, "vmcoreinfo address: %s", why);
	if (*p != ' ')
		return diag_set(d, EINVAL, name, 1, "expected one space after the vmcoreinfo address");
	p++;
	if (startswith(p, "0x") || startswith(p, "0X"))
		return diag_set(d, EINVAL, name, 1, "vmcoreinfo size: unexpected \"0x\" (the kernel prints bare hex)");
	if (kvalue_scan_hex(&p, &size, &why) < 0)
		return diag_set(d, EINVAL, name, 1, "vmcoreinfo size: %s", why);
	if (!at_end(p))
		return diag_set(d, EINVAL, name, 1, "unexpected text after the vmcoreinfo size");
	if (addr == 0 || size == 0)
		return diag_set(d, EINVAL, name, 1, "vmcoreinfo address or size is 0");
	if (addr + size - 1 < addr)
		return diag_set(d, EINVAL, name, 1, "vmcoreinfo note wraps around the address space");
	*ret_addr = addr;
	*ret_size = size;
	return 0;
}

int kvalue_parse_block_size(const char *s, const char *name, uint64_t *ret, Diag *d)
{
	uint64_t v;
	int r;

	r = parse_plain_hex(s, name, "block_size_bytes", &v, d);
	if (r < 0)
		return r;
	if (v == 0 || (v & (v - 1)) != 0)
		return diag_set(d, EINVAL, name, 1, "block_size_bytes 0x%" PRIx64 " is not a power of two", v);
	*ret = v;
	return 0;
}

int kvalue_parse_vmcoreinfo_stream(FILE *f, const char *name, uint64_t *ret_addr, uint64_t *ret_size, Diag *d)
{
	char buf[KVALUE_MAX_LINE + 2];
	size_t len;

	len = fread(buf, 1, sizeof(buf) - 1, f);
	if (ferror(f))
		return diag_set(d, EIO, name, 0, "read error");
	if (len == 0)
		return diag_set(d, ENODATA, name, 0, "file is empty");
	if (len > KVALUE_MAX_LINE)
		return diag_set(d, EFBIG, name, 1, "longer than %d bytes", KVALUE_MAX_LINE);
	if (memchr(buf, '\0', len))
		return diag_set(d, EINVAL, name, 1, "NUL byte in the file");
	buf[len] = '\0';
	return kvalue_parse_vmcoreinfo(buf, name, ret_addr, ret_size, d);
}
