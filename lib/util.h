/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers shared by lib/, daemon/ and tests: cleanup attributes, TAKE_PTR. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _warn_unused_ __attribute__((warn_unused_result))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))

/* Hand a pointer (or fd) out of a cleanup scope: returns the value, leaves NULL (-1) behind. */
#define TAKE_PTR(p)                        \
	({                                 \
		__typeof__(p) _p_ = (p);   \
		(p) = NULL;                \
		_p_;                       \
	})
#define TAKE_FD(fd)                        \
	({                                 \
		int _fd_ = (fd);           \
		(fd) = -1;                 \
		_fd_;                      \
	})

/* Defines name##p(type **), calling func on a non-NULL pointer: for _cleanup_(). */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)          \
	static inline void func##p(type *p)               \
	{                                                 \
		if (*p)                                   \
			func(*p);                         \
	}

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static inline bool streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static inline bool startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* errno as a negative return value, never 0 (for paths where errno may be unset). */
static inline int negative_errno(void)
{
	return errno > 0 ? -errno : -EIO;
}
