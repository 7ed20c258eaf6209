/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the crash header looks like on one architecture: the rules its kernel and its
 * kexec-tools follow for the RAM ranges, the kernel text mapping and the ELF machine. One
 * ArchRules per architecture, in lib/<arch>/crash-rules.c. Every build carries all of them
 * (pure tables and functions: a test on any host can check any architecture's rules), and
 * arch_native() is the one meson chose by host_machine.cpu_family(). A snapshot takes the
 * rules of the kernel that wrote its /proc (kcore's e_machine), so a fixture tree of another
 * architecture reads as that architecture.
 */
#pragma once

#include "iomem.h"
#include "kcore.h"

/* What a /proc/kcore PT_LOAD with a physical address is. */
typedef enum KcoreSegment {
	KCORE_SEGMENT_OTHER, /* neither (ignored) */
	KCORE_SEGMENT_RAM,   /* the linear (direct) map of RAM */
	KCORE_SEGMENT_TEXT,  /* the kernel image, _text.._end */
} KcoreSegment;

typedef struct ArchRules {
	const char *name;   /* Debian's name: "x86_64" (amd64), "arm64" */
	uint16_t e_machine; /* of the header and of /proc/kcore: EM_X86_64, EM_AARCH64 */
	/* RAM below this physical address never goes into the header (x86_64: the low 1 MiB,
	 * always reserved); 0: none. */
	uint64_t ram_floor;
	/* Whether an iomem entry of this name is RAM the header describes. */
	bool (*is_ram)(const char *name);
	/* Debian 12's kexec-tools (2.0.25) builds a header without driver-managed RAM ("System
	 * RAM (virtio_mem)", "(kmem)") on this architecture: a dump through Loader=kexec-tools
	 * misses it (check warns). */
	bool kexec_tools_drops_driver_managed;
	/* Highest physical address + 1 any RAM load may reach, and the lowest kernel text
	 * virtual address (elfcorehdr_validate()). */
	uint64_t max_phys;
	uint64_t text_vaddr_min;
	/* _text's virtual address without KASLR (what the fallback assumes). */
	uint64_t text_vaddr_unrandomised;
	/* VA bits the kernel runs with, from the lowest virtual address of a kcore RAM segment
	 * (NULL: not needed by this architecture's rules; KernelMap.va_bits stays 0). */
	unsigned (*va_bits)(uint64_t lowest_ram_vaddr);
	/* Classifies a kcore PT_LOAD that has a physical address; va_bits as found above. */
	KcoreSegment (*kcore_segment)(uint64_t vaddr, unsigned va_bits);
	/* The kernel map without /proc/kcore (lockdown, no CAP_SYS_RAWIO), from iomem alone:
	 * right only without KASLR. 0, or -errno with d set. */
	int (*kernel_map_fallback)(const Iomem *m, KernelMap *ret, Diag *d);
	/* Optional: extra "key value" lines for topology_format() (NULL: none). */
	void (*format_kernel_map)(const KernelMap *k, FILE *out);
} ArchRules;

extern const ArchRules arch_rules_x86_64;
extern const ArchRules arch_rules_arm64;

/* This build's architecture. */
const ArchRules *arch_native(void);

/* The rules for a Debian architecture name ("x86_64" or "amd64", "arm64" or "aarch64"), or
 * for an ELF e_machine; NULL when this build knows none. */
const ArchRules *arch_by_name(const char *name);
const ArchRules *arch_by_machine(uint16_t e_machine);
