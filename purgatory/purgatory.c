/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The purgatory's C half: check the crash kernel's memory before it runs. Freestanding: no
 * libc, no SSE (relocate_kernel leaves CR4.OSFXSR clear), no absolute addresses. */
#include "purgatory.h"
#include "sha256.h"

/* The loader finds and patches this at PURGATORY_PARAMS_OFFSET (placed by purgatory.lds). */
__attribute__((section(".data.params"), used)) PurgatoryParams purgatory_params = {
	.magic = PURGATORY_MAGIC,
	.version = PURGATORY_VERSION,
	.size = sizeof(PurgatoryParams),
};

_Static_assert(offsetof(PurgatoryParams, magic) == PP_MAGIC, "PP_MAGIC");
_Static_assert(offsetof(PurgatoryParams, version) == PP_VERSION, "PP_VERSION");
_Static_assert(offsetof(PurgatoryParams, size) == PP_SIZE, "PP_SIZE");
_Static_assert(offsetof(PurgatoryParams, kernel_entry) == PP_KERNEL_ENTRY, "PP_KERNEL_ENTRY");
_Static_assert(offsetof(PurgatoryParams, boot_params) == PP_BOOT_PARAMS, "PP_BOOT_PARAMS");
_Static_assert(offsetof(PurgatoryParams, n_regions) == PP_N_REGIONS, "PP_N_REGIONS");
_Static_assert(offsetof(PurgatoryParams, serial_port) == PP_SERIAL_PORT, "PP_SERIAL_PORT");
_Static_assert(offsetof(PurgatoryParams, digest) == PP_DIGEST, "PP_DIGEST");
_Static_assert(offsetof(PurgatoryParams, regions) == PP_REGIONS, "PP_REGIONS");
_Static_assert(sizeof(PurgatoryParams) == PP_STRUCT_SIZE, "PP_STRUCT_SIZE");

int purgatory_verify(void);

/* The compiler may turn loops or struct copies into calls to these even when freestanding. */
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

void *memcpy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	if (d < s)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;

	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x < *y ? -1 : 1;
	return 0;
}

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* Polled 8250 output on the UART the dead kernel already programmed. Bounded wait: a missing
 * or wedged UART must not keep the crash kernel from booting. */
static void serial_putc(uint16_t port, char c)
{
	unsigned spin;

	for (spin = 0; spin < 100000 && !(inb(port + 5) & 0x20); spin++)
		__asm__ volatile("pause");
	outb(port, (uint8_t)c);
}

static void say(const char *s)
{
	uint16_t port = purgatory_params.serial_port;

	if (!port)
		return;
	for (; *s; s++) {
		if (*s == '\n')
			serial_putc(port, '\r');
		serial_putc(port, *s);
	}
}

/* 0 when every region hashes to the loader's digest. */
int purgatory_verify(void)
{
	const PurgatoryParams *p = &purgatory_params;
	uint8_t digest[SHA256_DIGEST_SIZE];
	Sha256 s;
	uint32_t i;

	say("crash-hotplugd purgatory: checking segments\n");
	if (p->magic != PURGATORY_MAGIC || p->n_regions > PURGATORY_MAX_REGIONS) {
		say("crash-hotplugd purgatory: bad parameters, refusing to boot\n");
		return -1;
	}
	sha256_init(&s);
	for (i = 0; i < p->n_regions; i++)
		sha256_update(&s, (const void *)(uintptr_t)p->regions[i].start, p->regions[i].len);
	sha256_final(&s, digest);
	if (memcmp(digest, p->digest, sizeof(digest)) != 0) {
		say("crash-hotplugd purgatory: SHA-256 mismatch, crash kernel corrupted, refusing to boot\n");
		return -1;
	}
	say("crash-hotplugd purgatory: SHA-256 ok, starting the crash kernel\n");
	return 0;
}
