/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /proc/kcore is an ELF core file of the running kernel (fs/proc/kcore.c). Its program headers
 * are all we need, and all we read: one PT_NOTE, then one PT_LOAD per kclist entry, where
 * KCORE_RAM entries carry p_paddr = __pa(vaddr), the KCORE_TEXT entry p_paddr =
 * __pa_symbol(_text), and every other entry (vmalloc, vmemmap, modules, vsyscall) p_paddr = -1.
 * So the linear map's offset (randomised by KASLR) is p_vaddr - p_paddr of any RAM entry, and
 * the text entry is the kernel's own _text.._end mapping. Where each lies in the virtual
 * address space is the architecture's (ArchRules.kcore_segment()).
 */
#include <elf.h>
#include <endian.h>
#include <inttypes.h>

#include "arch-rules.h"
#include "kcore.h"
#include "path.h"

/* p_paddr of entries without a physical address (vmalloc, vmemmap, modules, vsyscall). */
#define KCORE_NO_PADDR UINT64_MAX

static int read_exact(FILE *f, void *buf, size_t size)
{
	if (fread(buf, 1, size, f) == size)
		return 0;
	return ferror(f) ? -EIO : -ENODATA;
}

int kcore_parse_stream(FILE *f, const char *name, KernelMap *ret, Diag *d)
{
	_cleanup_(freep) Elf64_Phdr *phdrs = NULL;
	const ArchRules *arch;
	Elf64_Ehdr eh;
	uint64_t phoff, page_offset = 0, lowest = UINT64_MAX;
	unsigned phnum, n_ram = 0, n_text = 0, text_index = 0;
	KernelMap km = { .from_kcore = true };
	int r;

	r = read_exact(f, &eh, sizeof(eh));
	if (r == -EIO)
		return diag_set(d, EIO, name, 0, "read error");
	if (r < 0)
		return diag_set(d, EINVAL, name, 0, "shorter than an ELF header");
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
		return diag_set(d, EINVAL, name, 0, "not an ELF file");
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return diag_set(d, EINVAL, name, 0, "not a 64-bit little-endian ELF file");
	if (le16toh(eh.e_type) != ET_CORE)
		return diag_set(d, EINVAL, name, 0, "not an ELF core file (e_type %u)", le16toh(eh.e_type));
	arch = arch_by_machine(le16toh(eh.e_machine));
	if (!arch)
		return diag_set(d, EINVAL, name, 0, "not a core of a supported architecture (e_machine %u)",
				le16toh(eh.e_machine));
	if (le16toh(eh.e_phentsize) != sizeof(Elf64_Phdr))
		return diag_set(d, EINVAL, name, 0, "e_phentsize %u, expected %zu",
				le16toh(eh.e_phentsize), sizeof(Elf64_Phdr));
	phnum = le16toh(eh.e_phnum);
	phoff = le64toh(eh.e_phoff);
	if (phnum == 0 || phnum == PN_XNUM)
		return diag_set(d, EINVAL, name, 0, "unsupported program header count %u", phnum);
	if (phoff < sizeof(eh))
		return diag_set(d, EINVAL, name, 0, "program headers overlap the ELF header (e_phoff %" PRIu64 ")", phoff);
	/* kcore puts them right after the ELF header; seek only if not, so pipes work too. */
	if (phoff != sizeof(eh) && fseeko(f, (off_t)phoff, SEEK_SET) < 0)
		return diag_set(d, errno, name, 0, "cannot seek to the program headers: %s", strerror(errno));

	/* One read of the whole table: nothing after it (notes, then memory) is touched. */
	phdrs = calloc(phnum, sizeof(*phdrs));
	if (!phdrs)
		return -ENOMEM;
	r = read_exact(f, phdrs, phnum * sizeof(*phdrs));
	if (r == -EIO)
		return diag_set(d, EIO, name, 0, "read error");
	if (r < 0)
		return diag_set(d, EINVAL, name, 0, "truncated: %u program headers announced", phnum);

	/* The lowest mapped address with a physical one is in the linear map on every
	 * architecture we know; arm64 reads its VA_BITS from it. */
	for (unsigned i = 0; i < phnum; i++)
		if (le32toh(phdrs[i].p_type) == PT_LOAD && le64toh(phdrs[i].p_paddr) != KCORE_NO_PADDR &&
		    le64toh(phdrs[i].p_vaddr) < lowest)
			lowest = le64toh(phdrs[i].p_vaddr);
	if (arch->va_bits && lowest != UINT64_MAX) {
		km.va_bits = arch->va_bits(lowest);
		if (km.va_bits == 0)
			return diag_set(d, EINVAL, name, 0, "lowest mapped address %#" PRIx64 " is in no %s linear map",
					lowest, arch->name);
	}

	for (unsigned i = 0; i < phnum; i++) {
		const Elf64_Phdr *ph = &phdrs[i];
		uint64_t vaddr, paddr, size;

		if (le32toh(ph->p_type) != PT_LOAD)
			continue;
		vaddr = le64toh(ph->p_vaddr);
		paddr = le64toh(ph->p_paddr);
		size = le64toh(ph->p_memsz);
		if (paddr == KCORE_NO_PADDR)
			continue;

		switch (arch->kcore_segment(vaddr, km.va_bits)) {
		case KCORE_SEGMENT_TEXT:
			if (n_text++ > 0)
				return diag_set(d, EINVAL, name, 0,
						"two kernel text segments (program headers %u and %u)", text_index, i);
			if (size == 0)
				return diag_set(d, EINVAL, name, 0, "kernel text segment is empty");
			km.text_vaddr = vaddr;
			km.text_paddr = paddr;
			km.text_size = size;
			text_index = i;
			break;
		case KCORE_SEGMENT_RAM:
			if (vaddr < paddr)
				return diag_set(d, EINVAL, name, 0,
						"program header %u: virtual address %#" PRIx64 " below physical %#" PRIx64,
						i, vaddr, paddr);
			/* The linear map is one offset: entries that disagree mean the file is not
			 * a kcore we understand, and a guess would corrupt p_vaddr. */
			if (n_ram > 0 && vaddr - paddr != page_offset)
				return diag_set(d, EINVAL, name, 0,
						"program header %u: PAGE_OFFSET %#" PRIx64 " differs from %#" PRIx64,
						i, vaddr - paddr, page_offset);
			page_offset = vaddr - paddr;
			n_ram++;
			break;
		case KCORE_SEGMENT_OTHER:
			break;
		}
	}

	if (n_text == 0)
		return diag_set(d, EINVAL, name, 0, "no kernel text segment (vaddr at or above %#" PRIx64 ")",
				arch->text_vaddr_min);
	if (n_ram == 0)
		return diag_set(d, EINVAL, name, 0, "no RAM segment with a physical address");
	km.page_offset = page_offset;
	*ret = km;
	return 0;
}

int kcore_parse_file(const char *root, KernelMap *ret, Diag *d)
{
	_cleanup_(fclosep) FILE *f = NULL;
	_cleanup_(closep) int fd = -1;
	int r;

	/* A regular file, opened without blocking; not path_read_file(): only the headers are
	 * read, and they bound themselves (64 + 65534 * 56 bytes at most). */
	r = path_open_regular(root, "/proc/kcore", 0, &fd, NULL, d);
	if (r < 0)
		return r;
	f = fdopen(fd, "r");
	if (!f)
		return diag_set(d, errno, "/proc/kcore", 0, "cannot open: %s", strerror(errno));
	fd = -1; /* the stream's now */
	/* Unbuffered: stdio would read ahead a whole buffer, past the headers into memory. */
	if (setvbuf(f, NULL, _IONBF, 0) != 0)
		return diag_set(d, EIO, "/proc/kcore", 0, "cannot disable buffering");
	return kcore_parse_stream(f, "/proc/kcore", ret, d);
}

const ArchRules *kcore_arch(const char *root)
{
	_cleanup_(closep) int fd = -1;
	Elf64_Ehdr eh;

	if (path_open_regular(root, "/proc/kcore", 0, &fd, NULL, NULL) < 0)
		return NULL;
	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
		return NULL;
	return arch_by_machine(le16toh(eh.e_machine));
}
