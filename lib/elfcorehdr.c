/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <sys/mman.h>

#include "arch-rules.h"
#include "elfcorehdr.h"

struct ElfcorehdrBuilder {
	int fd; /* memfd libelf writes the image to; its pages stay allocated between builds */
};

static void elf_endp(Elf **e)
{
	if (*e)
		elf_end(*e);
}

/* libelf reports its own error codes, not errno; only a failed allocation maps cleanly. */
static int libelf_errno(void)
{
	return errno == ENOMEM ? -ENOMEM : -EIO;
}

size_t elfcorehdr_capacity(unsigned max_phdrs)
{
	if (max_phdrs == 0 || max_phdrs > ELFCOREHDR_MAX_PHDRS)
		return 0;
	return ALIGN_UP(sizeof(Elf64_Ehdr) + (size_t)max_phdrs * sizeof(Elf64_Phdr), (size_t)ELFCOREHDR_ALIGN);
}

size_t elfcorehdr_phdrs_needed(const Topology *t)
{
	return t->n_cpus + 1 + 1 + t->n_ram;
}

int elfcorehdr_builder_new(ElfcorehdrBuilder **ret)
{
	_cleanup_(freep) ElfcorehdrBuilder *b = NULL;

	/* Process-wide in libelf and idempotent: every entry point that uses libelf calls it. */
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EIO;

	b = malloc(sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->fd = memfd_create("elfcorehdr", MFD_CLOEXEC);
	if (b->fd < 0)
		return negative_errno();
	*ret = TAKE_PTR(b);
	return 0;
}

ElfcorehdrBuilder *elfcorehdr_builder_free(ElfcorehdrBuilder *b)
{
	if (!b)
		return NULL;
	closep(&b->fd);
	free(b);
	return NULL;
}

static bool put_phdr(Elf *e, size_t *i, uint32_t type, uint32_t flags, uint64_t paddr, uint64_t vaddr,
		     uint64_t size)
{
	GElf_Phdr ph = {
		.p_type = type,
		.p_flags = flags,
		/* The kernel describes old memory by physical address: /proc/vmcore reads p_offset. */
		.p_offset = paddr,
		.p_paddr = paddr,
		.p_vaddr = vaddr,
		.p_filesz = size,
		.p_memsz = size,
		.p_align = 0,
	};

	return gelf_update_phdr(e, (int)(*i)++, &ph) != 0;
}

/* Writes the ELF image of t into the memfd; returns its size or a negative errno. */
static ssize_t write_image(int fd, const Topology *t, size_t n_phdrs)
{
	_cleanup_(elf_endp) Elf *e = NULL;
	const uint32_t rwx = PF_R | PF_W | PF_X;
	GElf_Ehdr eh;
	size_t i = 0;
	int64_t size;

	e = elf_begin(fd, ELF_C_WRITE, NULL);
	if (!e)
		return libelf_errno();
	if (!gelf_newehdr(e, ELFCLASS64) || !gelf_getehdr(e, &eh))
		return libelf_errno();

	/* crash_prepare_elf64_headers() starts from a zeroed buffer: every field not set
	 * here stays 0 (e_entry, e_flags, e_shoff, e_shnum, e_shentsize, e_shstrndx). */
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_ident[EI_OSABI] = ELFOSABI_NONE;
	eh.e_type = ET_CORE;
	eh.e_machine = (t->arch ? t->arch : arch_native())->e_machine;
	eh.e_version = EV_CURRENT;
	eh.e_ehsize = sizeof(Elf64_Ehdr);
	if (!gelf_update_ehdr(e, &eh))
		return libelf_errno();

	/* Sets e_phnum and e_phentsize; elf_update() puts the table right after the ELF header. */
	if (!gelf_newphdr(e, n_phdrs))
		return libelf_errno();

	for (size_t c = 0; c < t->n_cpus; c++)
		if (!put_phdr(e, &i, PT_NOTE, 0, t->cpus[c].addr, 0, t->cpus[c].size))
			return libelf_errno();
	if (!put_phdr(e, &i, PT_NOTE, 0, t->vmcoreinfo_addr, 0, t->vmcoreinfo_size))
		return libelf_errno();
	/* The kernel's own text mapping comes first among the loads: crash and makedumpfile
	 * find _text there even though the RAM range holding it is listed again below. */
	if (!put_phdr(e, &i, PT_LOAD, rwx, t->kmap.text_paddr, t->kmap.text_vaddr, t->kmap.text_size))
		return libelf_errno();
	for (size_t r = 0; r < t->n_ram; r++)
		if (!put_phdr(e, &i, PT_LOAD, rwx, t->ram[r].start, t->kmap.page_offset + t->ram[r].start,
			      t->ram[r].end - t->ram[r].start + 1))
			return libelf_errno();

	size = elf_update(e, ELF_C_WRITE);
	if (size < 0)
		return libelf_errno();
	if ((uint64_t)size != sizeof(Elf64_Ehdr) + n_phdrs * sizeof(Elf64_Phdr))
		return -EIO; /* libelf laid it out differently from the kernel: never hand that out */
	return (ssize_t)size;
}

static int read_all(int fd, void *buf, size_t size)
{
	size_t done = 0;

	while (done < size) {
		ssize_t n = pread(fd, (uint8_t *)buf + done, size - done, (off_t)done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		if (n == 0)
			return -EIO;
		done += (size_t)n;
	}
	return 0;
}

int elfcorehdr_builder_build(ElfcorehdrBuilder *b, const Topology *t, unsigned max_phdrs, void *buf,
			     size_t buf_size, size_t *ret_used)
{
	size_t capacity = elfcorehdr_capacity(max_phdrs), needed;
	ssize_t size;
	int r;

	if (capacity == 0 || buf_size != capacity)
		return -EINVAL;
	needed = elfcorehdr_phdrs_needed(t);
	if (needed > max_phdrs)
		return ELFCOREHDR_OVER_CAPACITY; /* a truncated header would silently lose memory */

	size = write_image(b->fd, t, needed);
	if (size < 0)
		return (int)size;
	r = read_all(b->fd, buf, (size_t)size);
	if (r < 0)
		return r;
	/* The segment keeps its size across reloads; stale phdrs past e_phnum must not survive. */
	memset((uint8_t *)buf + size, 0, buf_size - (size_t)size);
	if (ret_used)
		*ret_used = (size_t)size;
	return 0;
}

int elfcorehdr_build(const Topology *t, unsigned max_phdrs, void *buf, size_t buf_size, size_t *ret_used)
{
	_cleanup_(elfcorehdr_builder_freep) ElfcorehdrBuilder *b = NULL;
	size_t capacity = elfcorehdr_capacity(max_phdrs);
	int r;

	/* Argument and capacity errors must not depend on whether a memfd could be made. */
	if (capacity == 0 || buf_size != capacity)
		return -EINVAL;
	if (elfcorehdr_phdrs_needed(t) > max_phdrs)
		return ELFCOREHDR_OVER_CAPACITY;

	r = elfcorehdr_builder_new(&b);
	if (r < 0)
		return r;
	return elfcorehdr_builder_build(b, t, max_phdrs, buf, buf_size, ret_used);
}

_printf_(3, 4) static int invalid(char *reason, size_t reason_size, const char *fmt, ...)
{
	if (reason && reason_size > 0) {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(reason, reason_size, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int check_ehdr(const Elf64_Ehdr *eh, size_t size, const ArchRules **ret_arch, char *reason, size_t rs)
{
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return invalid(reason, rs, "no ELF magic");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return invalid(reason, rs, "EI_CLASS %u, expected ELFCLASS64", eh->e_ident[EI_CLASS]);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return invalid(reason, rs, "EI_DATA %u, expected little endian", eh->e_ident[EI_DATA]);
	if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return invalid(reason, rs, "ELF version %u/%u, expected %u", eh->e_ident[EI_VERSION],
			       eh->e_version, EV_CURRENT);
	if (eh->e_type != ET_CORE)
		return invalid(reason, rs, "e_type %u, expected ET_CORE", eh->e_type);
	*ret_arch = arch_by_machine(eh->e_machine);
	if (!*ret_arch)
		return invalid(reason, rs, "e_machine %u, expected EM_X86_64 or EM_AARCH64", eh->e_machine);
	if (eh->e_ehsize != sizeof(Elf64_Ehdr) || eh->e_phentsize != sizeof(Elf64_Phdr))
		return invalid(reason, rs, "e_ehsize %u / e_phentsize %u, expected %zu / %zu", eh->e_ehsize,
			       eh->e_phentsize, sizeof(Elf64_Ehdr), sizeof(Elf64_Phdr));
	if (eh->e_phoff != sizeof(Elf64_Ehdr))
		return invalid(reason, rs, "e_phoff %llu, expected %zu", (unsigned long long)eh->e_phoff,
			       sizeof(Elf64_Ehdr));
	/* Sections would mean PN_XNUM or something that is not a crash header. */
	if (eh->e_shoff != 0 || eh->e_shnum != 0 || eh->e_shentsize != 0 || eh->e_shstrndx != 0)
		return invalid(reason, rs, "has section headers (e_shoff %llu, e_shnum %u, e_shentsize %u, e_shstrndx %u)",
			       (unsigned long long)eh->e_shoff, eh->e_shnum, eh->e_shentsize, eh->e_shstrndx);
	/* /proc/vmcore reads e_phnum as is: PN_XNUM would be taken for 65535 entries. */
	if (eh->e_phnum == 0 || eh->e_phnum > ELFCOREHDR_MAX_PHDRS)
		return invalid(reason, rs, "e_phnum %u, expected 1..%u", eh->e_phnum, ELFCOREHDR_MAX_PHDRS);
	if (sizeof(Elf64_Ehdr) + (size_t)eh->e_phnum * sizeof(Elf64_Phdr) > size)
		return invalid(reason, rs, "%u program headers do not fit in %zu bytes", eh->e_phnum, size);
	return 0;
}

static int check_phdrs(const ArchRules *arch, const Elf64_Phdr *ph, size_t n, ElfcorehdrInfo *info, char *reason,
		       size_t rs)
{
	const uint32_t rwx = PF_R | PF_W | PF_X;
	uint64_t prev_end = 0;
	bool have_ram = false;

	for (size_t i = 0; i < n; i++) {
		const Elf64_Phdr *p = &ph[i];

		if (p->p_type != PT_NOTE && p->p_type != PT_LOAD)
			return invalid(reason, rs, "phdr %zu: type 0x%x is neither PT_NOTE nor PT_LOAD", i, p->p_type);
		if (p->p_offset != p->p_paddr)
			return invalid(reason, rs, "phdr %zu: p_offset 0x%llx differs from p_paddr 0x%llx", i,
				       (unsigned long long)p->p_offset, (unsigned long long)p->p_paddr);
		if (p->p_filesz != p->p_memsz || p->p_memsz == 0)
			return invalid(reason, rs, "phdr %zu: p_filesz 0x%llx / p_memsz 0x%llx, expected equal, non-zero",
				       i, (unsigned long long)p->p_filesz, (unsigned long long)p->p_memsz);
		if (p->p_paddr + (p->p_memsz - 1) < p->p_paddr)
			return invalid(reason, rs, "phdr %zu: 0x%llx + 0x%llx wraps past 2^64", i,
				       (unsigned long long)p->p_paddr, (unsigned long long)p->p_memsz);
		if (p->p_align != 0)
			return invalid(reason, rs, "phdr %zu: p_align %llu, expected 0", i, (unsigned long long)p->p_align);

		if (p->p_type == PT_NOTE) {
			if (info->n_loads > 0)
				return invalid(reason, rs, "phdr %zu: PT_NOTE after a PT_LOAD", i);
			if (p->p_vaddr != 0 || p->p_flags != 0)
				return invalid(reason, rs, "phdr %zu: PT_NOTE with p_vaddr 0x%llx, p_flags 0x%x, expected 0",
					       i, (unsigned long long)p->p_vaddr, p->p_flags);
			info->n_notes++;
			continue;
		}

		if (info->n_notes == 0)
			return invalid(reason, rs, "phdr %zu: PT_LOAD before any PT_NOTE (VMCOREINFO is missing)", i);
		if (p->p_flags != rwx)
			return invalid(reason, rs, "phdr %zu: PT_LOAD flags 0x%x, expected RWX", i, p->p_flags);
		if (info->n_loads++ == 0) {
			if (p->p_vaddr < arch->text_vaddr_min)
				return invalid(reason, rs, "phdr %zu: kernel text p_vaddr 0x%llx is below %s's kernel image area 0x%llx",
					       i, (unsigned long long)p->p_vaddr, arch->name,
					       (unsigned long long)arch->text_vaddr_min);
			continue;
		}

		/* The linear map holds at most the architecture's physical address space (52 bits
		 * on both); beyond it, or where p_vaddr wraps, a dump reader translates into nothing. */
		if (p->p_paddr + (p->p_memsz - 1) >= arch->max_phys)
			return invalid(reason, rs, "phdr %zu: RAM 0x%llx-0x%llx beyond the %d-bit physical address space "
				       "the direct map can hold", i, (unsigned long long)p->p_paddr,
				       (unsigned long long)(p->p_paddr + p->p_memsz - 1), __builtin_ctzll(arch->max_phys));
		if (p->p_vaddr + (p->p_memsz - 1) < p->p_vaddr)
			return invalid(reason, rs, "phdr %zu: p_vaddr 0x%llx + 0x%llx wraps past 2^64", i,
				       (unsigned long long)p->p_vaddr, (unsigned long long)p->p_memsz);
		if (have_ram && p->p_paddr <= prev_end)
			return invalid(reason, rs, "phdr %zu: RAM at 0x%llx is not above the previous range ending at 0x%llx",
				       i, (unsigned long long)p->p_paddr, (unsigned long long)prev_end);
		if (!have_ram)
			info->page_offset = p->p_vaddr - p->p_paddr;
		else if (p->p_vaddr - p->p_paddr != info->page_offset)
			return invalid(reason, rs, "phdr %zu: p_vaddr - p_paddr 0x%llx differs from the first RAM load's 0x%llx",
				       i, (unsigned long long)(p->p_vaddr - p->p_paddr),
				       (unsigned long long)info->page_offset);
		have_ram = true;
		prev_end = p->p_paddr + p->p_memsz - 1;
		info->ram_bytes += p->p_memsz;
	}
	if (info->n_notes < 1 || info->n_loads < 1)
		return invalid(reason, rs, "%zu notes and %zu loads: the VMCOREINFO note and the kernel text load are required",
			       info->n_notes, info->n_loads);
	return 0;
}

/* Zero iff the first byte is and every byte equals its successor: one memcmp(), which libc
 * vectorizes, instead of a byte loop over up to 3.5 MiB. */
static bool all_zero(const uint8_t *p, size_t n)
{
	return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

int elfcorehdr_validate(const void *buf, size_t size, ElfcorehdrInfo *ret, char *reason, size_t reason_size)
{
	_cleanup_(elf_endp) Elf *e = NULL;
	ElfcorehdrInfo info = {};
	const ArchRules *arch = NULL;
	const Elf64_Ehdr *eh;
	const Elf64_Phdr *ph;
	int r;

	if (reason && reason_size > 0)
		reason[0] = '\0';
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EIO;
	if (!buf || size < sizeof(Elf64_Ehdr))
		return invalid(reason, reason_size, "%zu bytes, shorter than an ELF header", size);

	/* Read-only descriptor: libelf neither writes to nor frees the image. */
	e = elf_memory((char *)buf, size);
	if (!e)
		return libelf_errno();
	if (elf_kind(e) != ELF_K_ELF)
		return invalid(reason, reason_size, "no ELF magic");
	if (gelf_getclass(e) != ELFCLASS64)
		return invalid(reason, reason_size, "not ELFCLASS64");

	/* Native class and byte order: libelf hands out the image's own tables, no copying,
	 * which keeps a 16k-entry header well under a millisecond. */
	eh = elf64_getehdr(e);
	if (!eh)
		return invalid(reason, reason_size, "unreadable ELF header: %s", elf_errmsg(-1));
	r = check_ehdr(eh, size, &arch, reason, reason_size);
	if (r < 0)
		return r;
	ph = elf64_getphdr(e);
	if (!ph)
		return invalid(reason, reason_size, "unreadable program headers: %s", elf_errmsg(-1));

	info.n_phdrs = eh->e_phnum;
	info.used = sizeof(Elf64_Ehdr) + info.n_phdrs * sizeof(Elf64_Phdr);
	info.arch = arch->name;
	r = check_phdrs(arch, ph, info.n_phdrs, &info, reason, reason_size);
	if (r < 0)
		return r;

	/* A fixed-capacity segment carries zeros after the table; anything else is stale data. */
	if (!all_zero((const uint8_t *)buf + info.used, size - info.used)) {
		size_t off = info.used;

		while (((const uint8_t *)buf)[off] == 0)
			off++;
		return invalid(reason, reason_size, "non-zero byte at offset %zu, after the program headers", off);
	}

	if (ret)
		*ret = info;
	return 0;
}
