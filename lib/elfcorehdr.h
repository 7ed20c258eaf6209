/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The crash kernel's ELF core header, built with libelf into a buffer of fixed capacity. */
#pragma once

#include "topology.h"

#define ELFCOREHDR_MAX_PHDRS 65534u /* /proc/vmcore has no PN_XNUM extended numbering */
#define ELFCOREHDR_ALIGN 4096u

/* Positive outcome the caller must handle: the topology needs more phdrs than max_phdrs. */
#define ELFCOREHDR_OVER_CAPACITY 1

/* Bytes of the fixed segment: sizeof(Elf64_Ehdr) + max_phdrs * sizeof(Elf64_Phdr), page aligned. */
size_t elfcorehdr_capacity(unsigned max_phdrs);

/* Program headers the topology needs: n_cpus + 1 (VMCOREINFO) + 1 (kernel text) + n_ram. */
size_t elfcorehdr_phdrs_needed(const Topology *t);

/* Builds the header for t into buf (buf_size must be elfcorehdr_capacity(max_phdrs)).
 * Order: one PT_NOTE per CPU, VMCOREINFO PT_NOTE, kernel text PT_LOAD, one PT_LOAD per RAM
 * range (p_vaddr = page_offset + paddr). The unused tail is zeroed. *ret_used = bytes of ELF
 * data. Returns 0, ELFCOREHDR_OVER_CAPACITY (buf untouched), -EINVAL (max_phdrs out of range,
 * wrong buf_size), -ENOMEM/-EIO (libelf). */
int elfcorehdr_build(const Topology *t, unsigned max_phdrs, void *buf, size_t buf_size, size_t *ret_used);

typedef struct ElfcorehdrInfo {
	size_t n_phdrs, n_notes, n_loads;
	size_t used;           /* bytes of ELF data */
	uint64_t ram_bytes;    /* sum of PT_LOAD sizes after the kernel text one */
} ElfcorehdrInfo;

/* Validates a header as /proc/vmcore would and more: magic, ELFCLASS64, LSB, ET_CORE,
 * EM_X86_64, e_ehsize/e_phentsize, e_phnum in 1..65534, the phdrs inside size, notes
 * before loads, RAM loads ascending and not overlapping, p_offset == p_paddr, sizes
 * non-zero. Uses libelf. -EINVAL with reason (may be NULL) filled. */
int elfcorehdr_validate(const void *buf, size_t size, ElfcorehdrInfo *ret, char *reason, size_t reason_size);
