/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The crash kernel's ELF core header, built with libelf into a buffer of fixed capacity. */
#pragma once

#include "topology.h"

#define ELFCOREHDR_MAX_PHDRS 65534u /* /proc/vmcore has no PN_XNUM extended numbering */
#define ELFCOREHDR_ALIGN 4096u

/* Positive outcome the caller must handle: the topology needs more phdrs than max_phdrs. */
#define ELFCOREHDR_OVER_CAPACITY 1

/* Bytes of the fixed segment: sizeof(Elf64_Ehdr) + max_phdrs * sizeof(Elf64_Phdr), page
 * aligned. 0 when max_phdrs is 0 or above ELFCOREHDR_MAX_PHDRS. */
size_t elfcorehdr_capacity(unsigned max_phdrs);

/* Program headers the topology needs: n_cpus + 1 (VMCOREINFO) + 1 (kernel text) + n_ram. */
size_t elfcorehdr_phdrs_needed(const Topology *t);

/* Holds what a build reuses (libelf writes through a file descriptor: one memfd, kept), so a
 * daemon rebuilding after every burst pays no set-up cost. */
typedef struct ElfcorehdrBuilder ElfcorehdrBuilder;

/* -ENOMEM, or the memfd_create()/libelf error. */
int elfcorehdr_builder_new(ElfcorehdrBuilder **ret);
ElfcorehdrBuilder *elfcorehdr_builder_free(ElfcorehdrBuilder *b);
DEFINE_TRIVIAL_CLEANUP_FUNC(ElfcorehdrBuilder *, elfcorehdr_builder_free);

/* Builds the header for t into buf (buf_size must be elfcorehdr_capacity(max_phdrs)), with
 * e_machine of t->arch (NULL: arch_native()). Order: one PT_NOTE per CPU, VMCOREINFO PT_NOTE, kernel text PT_LOAD, one PT_LOAD per RAM
 * range (p_vaddr = page_offset + paddr). The unused tail is zeroed. *ret_used = bytes of ELF
 * data. The topology's values are written as they are: elfcorehdr_validate() is the check.
 * Returns 0, ELFCOREHDR_OVER_CAPACITY (buf untouched), -EINVAL (max_phdrs out of range,
 * wrong buf_size), -ENOMEM/-EIO (libelf, memfd). */
int elfcorehdr_builder_build(ElfcorehdrBuilder *b, const Topology *t, unsigned max_phdrs, void *buf,
			     size_t buf_size, size_t *ret_used);

/* The same with a builder made and freed for this one call. */
int elfcorehdr_build(const Topology *t, unsigned max_phdrs, void *buf, size_t buf_size, size_t *ret_used);

typedef struct ElfcorehdrInfo {
	size_t n_phdrs, n_notes, n_loads;
	size_t used;           /* bytes of ELF data */
	uint64_t ram_bytes;    /* sum of PT_LOAD sizes after the kernel text one */
	uint64_t page_offset;  /* p_vaddr - p_paddr of the RAM loads (0 when there are none) */
	const char *arch;      /* ArchRules.name of e_machine */
} ElfcorehdrInfo;

/* Validates a header as /proc/vmcore would and more: magic, ELFCLASS64, LSB, EV_CURRENT,
 * ET_CORE, e_machine of a known architecture (arch_by_machine(), whose rules the rest is
 * checked by), e_ehsize/e_phentsize, e_phoff right after the ELF header, no sections,
 * e_phnum in 1..65534, the phdrs inside size, only PT_NOTE and PT_LOAD, notes before loads,
 * at least the VMCOREINFO note and the kernel text load (at or above the architecture's
 * text_vaddr_min), notes
 * with p_vaddr 0 and no flags, loads RWX, p_offset == p_paddr, p_filesz == p_memsz, sizes
 * non-zero, no range wrapping past 2^64 (physical or virtual), RAM below the architecture's max_phys, RAM loads ascending, not overlapping and with one
 * p_vaddr - p_paddr (makedumpfile derives PAGE_OFFSET from it), the bytes after the phdrs
 * (up to size) zero. Uses libelf. 0 with *ret filled (ret may be NULL); -EINVAL with reason
 * (may be NULL) filled; -ENOMEM. */
int elfcorehdr_validate(const void *buf, size_t size, ElfcorehdrInfo *ret, char *reason, size_t reason_size);
