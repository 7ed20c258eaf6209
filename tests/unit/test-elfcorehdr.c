/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dirent.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "config.h"
#include "elfcorehdr.h"
#include "fixture-read.h"

#define PAGE_OFFSET_L4 0xffff888000000000ULL
#define TEXT_VADDR 0xffffffff9a000000ULL /* a KASLR-shifted _text */

/* A topology made by hand: n_cpus notes 4 KiB apart, n_ram 128 MiB ranges 256 MiB apart
 * starting at 1 MiB, a 4132-byte VMCOREINFO and a 32 MiB kernel text. */
static Topology *make_topology(size_t n_cpus, size_t n_ram)
{
	Topology *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	t->arch = &arch_rules_x86_64; /* the values below are an x86_64 machine's, on any host */
	t->cpus = calloc(n_cpus ? n_cpus : 1, sizeof(*t->cpus));
	t->ram = calloc(n_ram ? n_ram : 1, sizeof(*t->ram));
	assert_non_null(t->cpus);
	assert_non_null(t->ram);
	t->n_cpus = n_cpus;
	t->n_possible = (unsigned)n_cpus;
	t->n_online = (unsigned)n_cpus;
	for (size_t i = 0; i < n_cpus; i++)
		t->cpus[i] = (CpuNote){ .cpu = (unsigned)i, .addr = 0x23fc00000ULL + i * 0x1000, .size = 0x170 };
	t->n_ram = n_ram;
	for (size_t i = 0; i < n_ram; i++) {
		t->ram[i].start = 0x100000ULL + i * 0x10000000ULL;
		t->ram[i].end = t->ram[i].start + 0x8000000ULL - 1;
	}
	t->vmcoreinfo_addr = 0x1b3e000;
	t->vmcoreinfo_size = 0x1024;
	t->kmap = (KernelMap){
		.page_offset = PAGE_OFFSET_L4,
		.text_vaddr = TEXT_VADDR,
		.text_paddr = 0x19000000,
		.text_size = 0x2000000,
		.from_kcore = true,
	};
	return t;
}

static void free_topology(Topology *t)
{
	free(t->cpus);
	free(t->ram);
	free(t);
}

static void free_topologyp(Topology **t)
{
	if (*t)
		free_topology(*t);
}

/* Builds t with max_phdrs into a fresh buffer of the right capacity. */
static void *build(const Topology *t, unsigned max_phdrs, size_t *ret_size, size_t *ret_used)
{
	size_t cap = elfcorehdr_capacity(max_phdrs);
	void *buf = malloc(cap);

	assert_non_null(buf);
	memset(buf, 0xa5, cap); /* the tail must come back zeroed */
	assert_int_equal(elfcorehdr_build(t, max_phdrs, buf, cap, ret_used), 0);
	*ret_size = cap;
	return buf;
}

/* Reads buf back through libelf and checks every field against t, as the kernel sets it. */
static void check_with_libelf(const void *buf, size_t size, const Topology *t)
{
	size_t n = elfcorehdr_phdrs_needed(t), phnum = 0, i = 0;
	GElf_Ehdr eh;
	GElf_Phdr ph;
	Elf *e;

	assert_int_not_equal(elf_version(EV_CURRENT), EV_NONE);
	e = elf_memory((char *)buf, size);
	assert_non_null(e);
	assert_int_equal(elf_kind(e), ELF_K_ELF);
	assert_non_null(gelf_getehdr(e, &eh));
	assert_memory_equal(eh.e_ident, ELFMAG, SELFMAG);
	assert_int_equal(eh.e_ident[EI_CLASS], ELFCLASS64);
	assert_int_equal(eh.e_ident[EI_DATA], ELFDATA2LSB);
	assert_int_equal(eh.e_ident[EI_VERSION], EV_CURRENT);
	assert_int_equal(eh.e_ident[EI_OSABI], ELFOSABI_NONE);
	for (unsigned k = EI_ABIVERSION; k < EI_NIDENT; k++)
		assert_int_equal(eh.e_ident[k], 0);
	assert_int_equal(eh.e_type, ET_CORE);
	assert_int_equal(eh.e_machine, (t->arch ? t->arch : arch_native())->e_machine);
	assert_int_equal(eh.e_version, EV_CURRENT);
	assert_int_equal(eh.e_entry, 0);
	assert_int_equal(eh.e_phoff, 64);
	assert_int_equal(eh.e_shoff, 0);
	assert_int_equal(eh.e_flags, 0);
	assert_int_equal(eh.e_ehsize, 64);
	assert_int_equal(eh.e_phentsize, 56);
	assert_int_equal(eh.e_phnum, n);
	assert_int_equal(eh.e_shentsize, 0);
	assert_int_equal(eh.e_shnum, 0);
	assert_int_equal(eh.e_shstrndx, 0);
	assert_int_equal(elf_getphdrnum(e, &phnum), 0);
	assert_int_equal(phnum, n);

	for (size_t c = 0; c < t->n_cpus; c++, i++) {
		assert_non_null(gelf_getphdr(e, (int)i, &ph));
		assert_int_equal(ph.p_type, PT_NOTE);
		assert_int_equal(ph.p_flags, 0);
		assert_int_equal(ph.p_offset, t->cpus[c].addr);
		assert_int_equal(ph.p_paddr, t->cpus[c].addr);
		assert_int_equal(ph.p_vaddr, 0);
		assert_int_equal(ph.p_filesz, t->cpus[c].size);
		assert_int_equal(ph.p_memsz, t->cpus[c].size);
		assert_int_equal(ph.p_align, 0);
	}
	assert_non_null(gelf_getphdr(e, (int)i++, &ph));
	assert_int_equal(ph.p_type, PT_NOTE);
	assert_int_equal(ph.p_offset, t->vmcoreinfo_addr);
	assert_int_equal(ph.p_paddr, t->vmcoreinfo_addr);
	assert_int_equal(ph.p_memsz, t->vmcoreinfo_size);
	assert_int_equal(ph.p_vaddr, 0);

	assert_non_null(gelf_getphdr(e, (int)i++, &ph));
	assert_int_equal(ph.p_type, PT_LOAD);
	assert_int_equal(ph.p_flags, PF_R | PF_W | PF_X);
	assert_int_equal(ph.p_offset, t->kmap.text_paddr);
	assert_int_equal(ph.p_paddr, t->kmap.text_paddr);
	assert_int_equal(ph.p_vaddr, t->kmap.text_vaddr);
	assert_int_equal(ph.p_filesz, t->kmap.text_size);
	assert_int_equal(ph.p_memsz, t->kmap.text_size);
	assert_int_equal(ph.p_align, 0);

	for (size_t r = 0; r < t->n_ram; r++, i++) {
		assert_non_null(gelf_getphdr(e, (int)i, &ph));
		assert_int_equal(ph.p_type, PT_LOAD);
		assert_int_equal(ph.p_flags, PF_R | PF_W | PF_X);
		assert_int_equal(ph.p_offset, t->ram[r].start);
		assert_int_equal(ph.p_paddr, t->ram[r].start);
		assert_int_equal(ph.p_vaddr, t->kmap.page_offset + t->ram[r].start);
		assert_int_equal(ph.p_filesz, t->ram[r].end - t->ram[r].start + 1);
		assert_int_equal(ph.p_memsz, t->ram[r].end - t->ram[r].start + 1);
		assert_int_equal(ph.p_align, 0);
	}
	assert_null(gelf_getphdr(e, (int)i, &ph));
	elf_end(e);
}

typedef struct ReadelfPhdr {
	char type[16];
	uint64_t offset, vaddr, paddr, filesz, memsz;
	char flags[8];
} ReadelfPhdr;

typedef struct Readelf {
	char type[64], machine[64];
	unsigned long phoff, phentsize, phnum, phnum_real, shnum;
	ReadelfPhdr *phdrs;
	size_t n_phdrs;
	unsigned warnings; /* lines readelf printed about problems */
} Readelf;

static void readelf_done(Readelf *r)
{
	free(r->phdrs);
}

static bool have_readelf(void)
{
	return system("readelf --version >/dev/null 2>&1") == 0;
}

static const char *field_value(const char *line, const char *label)
{
	const char *p = strstr(line, label);

	if (!p)
		return NULL;
	p += strlen(label);
	while (*p == ' ')
		p++;
	return p;
}

/* Runs binutils readelf -h -l on a copy of buf (a memfd the child inherits, passed as
 * /dev/fd/N: a temporary file without a path on disk) and parses what it prints. */
static void run_readelf(const void *buf, size_t size, Readelf *out)
{
	_cleanup_(closep) int fd = memfd_create("elfcorehdr-test", 0); /* inherited by readelf */
	_cleanup_(freep) char *line = NULL;
	char cmd[128];
	size_t cap = 0, phdr_cap = 0;
	FILE *p;

	*out = (Readelf){};
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, size), (ssize_t)size);
	snprintf(cmd, sizeof(cmd), "readelf -W -h -l /dev/fd/%d 2>&1", fd);
	p = popen(cmd, "r");
	assert_non_null(p);

	while (getline(&line, &cap, p) >= 0) {
		const char *v;
		ReadelfPhdr ph = {};
		int n;

		if (startswith(line, "readelf:"))
			out->warnings++;
		else if ((v = field_value(line, "  Type:")))
			sscanf(v, "%63[^\n]", out->type);
		else if ((v = field_value(line, "  Machine:")))
			sscanf(v, "%63[^\n]", out->machine);
		else if ((v = field_value(line, "Start of program headers:")))
			out->phoff = strtoul(v, NULL, 0);
		else if ((v = field_value(line, "Size of program headers:")))
			out->phentsize = strtoul(v, NULL, 0);
		else if ((v = field_value(line, "Number of program headers:"))) {
			/* "65535 (70000)" when extended numbering is in use. */
			out->phnum = out->phnum_real = strtoul(v, NULL, 0);
			if ((v = strchr(v, '(')))
				out->phnum_real = strtoul(v + 1, NULL, 0);
		} else if ((v = field_value(line, "Number of section headers:")))
			out->shnum = strtoul(v, NULL, 0);
		else if (sscanf(line, " %15s 0x%" SCNx64 " 0x%" SCNx64 " 0x%" SCNx64 " 0x%" SCNx64 " 0x%" SCNx64 " %n",
				ph.type, &ph.offset, &ph.vaddr, &ph.paddr, &ph.filesz, &ph.memsz, &n) == 6) {
			/* The flags column is blank for the notes: "R", "W", "E" letters or nothing before the align. */
			sscanf(line + n, "%7[RWE ]", ph.flags);
			for (char *f = ph.flags + strlen(ph.flags); f > ph.flags && f[-1] == ' ';)
				*--f = '\0';
			if (out->n_phdrs == phdr_cap) {
				phdr_cap = phdr_cap ? phdr_cap * 2 : 64;
				out->phdrs = reallocarray(out->phdrs, phdr_cap, sizeof(*out->phdrs));
				assert_non_null(out->phdrs);
			}
			out->phdrs[out->n_phdrs++] = ph;
		}
	}
	assert_int_equal(pclose(p), 0);
}

/* The independent reader's view must match t entry for entry. */
static void check_with_readelf(const void *buf, size_t size, const Topology *t)
{
	Readelf r;
	size_t n = elfcorehdr_phdrs_needed(t), i = 0;

	if (!have_readelf()) {
		print_message("# readelf (binutils) not installed: independent check skipped\n");
		return;
	}
	run_readelf(buf, size, &r);
	assert_int_equal(r.warnings, 0);
	assert_true(startswith(r.type, "CORE"));
	assert_non_null(strstr(r.machine, (t->arch ? t->arch : arch_native())->e_machine == EM_AARCH64 ? "AArch64" : "X86-64"));
	assert_int_equal(r.phoff, 64);
	assert_int_equal(r.phentsize, 56);
	assert_int_equal(r.phnum, n);
	assert_int_equal(r.phnum_real, n);
	assert_int_equal(r.shnum, 0);
	assert_int_equal(r.n_phdrs, n);

	for (size_t c = 0; c < t->n_cpus; c++, i++) {
		assert_string_equal(r.phdrs[i].type, "NOTE");
		assert_int_equal(r.phdrs[i].paddr, t->cpus[c].addr);
		assert_int_equal(r.phdrs[i].offset, t->cpus[c].addr);
		assert_int_equal(r.phdrs[i].memsz, t->cpus[c].size);
		assert_string_equal(r.phdrs[i].flags, "");
	}
	assert_string_equal(r.phdrs[i].type, "NOTE");
	assert_int_equal(r.phdrs[i++].paddr, t->vmcoreinfo_addr);
	assert_string_equal(r.phdrs[i].type, "LOAD");
	assert_int_equal(r.phdrs[i].vaddr, t->kmap.text_vaddr);
	assert_int_equal(r.phdrs[i].paddr, t->kmap.text_paddr);
	assert_int_equal(r.phdrs[i].filesz, t->kmap.text_size);
	assert_string_equal(r.phdrs[i++].flags, "RWE");
	for (size_t k = 0; k < t->n_ram; k++, i++) {
		assert_string_equal(r.phdrs[i].type, "LOAD");
		assert_int_equal(r.phdrs[i].offset, t->ram[k].start);
		assert_int_equal(r.phdrs[i].paddr, t->ram[k].start);
		assert_int_equal(r.phdrs[i].vaddr, t->kmap.page_offset + t->ram[k].start);
		assert_int_equal(r.phdrs[i].memsz, t->ram[k].end - t->ram[k].start + 1);
		assert_int_equal(r.phdrs[i].filesz, r.phdrs[i].memsz);
		assert_string_equal(r.phdrs[i].flags, "RWE");
	}
	readelf_done(&r);
}

static void check_tail_zero(const void *buf, size_t used, size_t size)
{
	for (size_t i = used; i < size; i++)
		if (((const uint8_t *)buf)[i] != 0)
			fail_msg("byte %zu after the ELF data is 0x%02x", i, ((const uint8_t *)buf)[i]);
}

static void test_capacity(void **state)
{
	assert_int_equal(elfcorehdr_capacity(0), 0);
	assert_int_equal(elfcorehdr_capacity(1), 4096);
	assert_int_equal(elfcorehdr_capacity(72), 4096); /* 64 + 72 * 56 = 4096 exactly */
	assert_int_equal(elfcorehdr_capacity(73), 8192);
	assert_int_equal(elfcorehdr_capacity(2 + 8192 + 8192), 921600);
	assert_int_equal(elfcorehdr_capacity(65534), 3670016);
	assert_int_equal(elfcorehdr_capacity(65535), 0);
	assert_int_equal(elfcorehdr_capacity(UINT32_MAX), 0);
}

static void test_small_header(void **state)
{
	_cleanup_(free_topologyp) Topology *t = make_topology(4, 3);
	_cleanup_(freep) void *buf = NULL;
	ElfcorehdrInfo info;
	size_t size, used = 0;
	char reason[256];

	assert_int_equal(elfcorehdr_phdrs_needed(t), 4 + 1 + 1 + 3);
	buf = build(t, 16, &size, &used);
	assert_int_equal(size, 4096);
	assert_int_equal(used, 64 + 9 * 56);
	check_tail_zero(buf, used, size);
	check_with_libelf(buf, size, t);
	check_with_readelf(buf, size, t);

	assert_int_equal(elfcorehdr_validate(buf, size, &info, reason, sizeof(reason)), 0);
	assert_string_equal(reason, "");
	assert_int_equal(info.n_phdrs, 9);
	assert_int_equal(info.n_notes, 5);
	assert_int_equal(info.n_loads, 4);
	assert_int_equal(info.used, used);
	assert_int_equal(info.ram_bytes, 3 * 0x8000000ULL);
	assert_int_equal(info.page_offset, PAGE_OFFSET_L4);
	/* Exactly the ELF data validates too (what `crash-hotplugctl` may read from a file). */
	assert_int_equal(elfcorehdr_validate(buf, used, NULL, NULL, 0), 0);
}

static void test_no_ram(void **state)
{
	_cleanup_(free_topologyp) Topology *t = make_topology(1, 0);
	_cleanup_(freep) void *buf = NULL;
	ElfcorehdrInfo info;
	size_t size, used;

	buf = build(t, 4, &size, &used);
	check_with_libelf(buf, size, t);
	assert_int_equal(elfcorehdr_validate(buf, size, &info, NULL, 0), 0);
	assert_int_equal(info.ram_bytes, 0);
	assert_int_equal(info.n_loads, 1);
}

static void test_over_capacity(void **state)
{
	_cleanup_(free_topologyp) Topology *t = make_topology(8, 100);
	size_t cap = elfcorehdr_capacity(109), used = 12345;
	_cleanup_(freep) uint8_t *buf = malloc(cap);

	assert_non_null(buf);
	/* 8 + 2 + 100 = 110 needed. */
	memset(buf, 0x5a, cap);
	assert_int_equal(elfcorehdr_build(t, 109, buf, cap, &used), ELFCOREHDR_OVER_CAPACITY);
	assert_int_equal(used, 12345);
	for (size_t i = 0; i < cap; i++)
		assert_int_equal(buf[i], 0x5a); /* never a truncated header */

	/* Exactly full is fine. */
	free(buf);
	cap = elfcorehdr_capacity(110);
	buf = malloc(cap);
	assert_non_null(buf);
	assert_int_equal(elfcorehdr_build(t, 110, buf, cap, &used), 0);
	assert_int_equal(used, 64 + 110 * 56);
	assert_int_equal(elfcorehdr_validate(buf, cap, NULL, NULL, 0), 0);
}

static void test_bad_arguments(void **state)
{
	_cleanup_(free_topologyp) Topology *t = make_topology(1, 1);
	uint8_t buf[8192];
	size_t used;

	assert_int_equal(elfcorehdr_build(t, 0, buf, 4096, &used), -EINVAL);
	assert_int_equal(elfcorehdr_build(t, 65535, buf, 4096, &used), -EINVAL);
	assert_int_equal(elfcorehdr_build(t, 16, buf, 8192, &used), -EINVAL);
	assert_int_equal(elfcorehdr_build(t, 16, buf, 4095, &used), -EINVAL);
}

/* The largest header /proc/vmcore can read: e_phnum 65534, never PN_XNUM. */
static void test_pn_xnum_limit(void **state)
{
	_cleanup_(free_topologyp) Topology *t = make_topology(30, 65534 - 32);
	_cleanup_(free_topologyp) Topology *t2 = make_topology(31, 65534 - 32);
	_cleanup_(freep) void *buf = NULL;
	size_t cap = elfcorehdr_capacity(ELFCOREHDR_MAX_PHDRS), size, used;
	ElfcorehdrInfo info;
	char reason[256];

	/* The hand-made ranges are 256 MiB apart: 65502 of them still fit in 2^64. */
	assert_int_equal(elfcorehdr_phdrs_needed(t), 65534);
	buf = build(t, ELFCOREHDR_MAX_PHDRS, &size, &used);
	assert_int_equal(size, cap);
	assert_int_equal(used, 64 + 65534 * 56);
	check_tail_zero(buf, used, size);
	check_with_libelf(buf, size, t);
	check_with_readelf(buf, size, t);
	assert_int_equal(elfcorehdr_validate(buf, size, &info, reason, sizeof(reason)), 0);
	assert_int_equal(info.n_phdrs, 65534);

	/* One more CPU: 65535 would need PN_XNUM; the builder refuses rather than truncates. */
	assert_int_equal(elfcorehdr_phdrs_needed(t2), 65535);
	assert_int_equal(elfcorehdr_build(t2, ELFCOREHDR_MAX_PHDRS, buf, cap, &used), ELFCOREHDR_OVER_CAPACITY);

	/* A header that does use extended numbering is rejected by the validator. */
	((Elf64_Ehdr *)buf)->e_phnum = PN_XNUM;
	assert_int_equal(elfcorehdr_validate(buf, size, NULL, reason, sizeof(reason)), -EINVAL);
	assert_non_null(strstr(reason, "e_phnum 65535"));
}

/* One builder, one buffer: a smaller header after a larger one leaves no stale phdrs. */
static void test_builder_reuse(void **state)
{
	_cleanup_(elfcorehdr_builder_freep) ElfcorehdrBuilder *b = NULL;
	_cleanup_(free_topologyp) Topology *big = make_topology(64, 2000);
	_cleanup_(free_topologyp) Topology *small = make_topology(2, 5);
	size_t cap = elfcorehdr_capacity(4096), used;
	_cleanup_(freep) void *buf = malloc(cap);

	assert_non_null(buf);
	assert_int_equal(elfcorehdr_builder_new(&b), 0);
	for (int round = 0; round < 3; round++) {
		assert_int_equal(elfcorehdr_builder_build(b, big, 4096, buf, cap, &used), 0);
		assert_int_equal(used, 64 + 2066 * 56);
		check_with_libelf(buf, cap, big);
		assert_int_equal(elfcorehdr_builder_build(b, small, 4096, buf, cap, &used), 0);
		assert_int_equal(used, 64 + 9 * 56);
		check_tail_zero(buf, used, cap);
		check_with_libelf(buf, cap, small);
		assert_int_equal(elfcorehdr_validate(buf, cap, NULL, NULL, 0), 0);
	}
}

typedef void (*corrupt_fn)(uint8_t *buf);

static Elf64_Ehdr *ehdr(uint8_t *buf)
{
	return (Elf64_Ehdr *)buf;
}

/* Phdr i of the 2-CPU, 3-range header: 0-1 CPU notes, 2 VMCOREINFO, 3 text, 4-6 RAM. */
static Elf64_Phdr *phdr(uint8_t *buf, size_t i)
{
	return (Elf64_Phdr *)(buf + 64) + i;
}

static void c_magic(uint8_t *b) { b[1] = 'X'; }
static void c_class(uint8_t *b) { b[EI_CLASS] = ELFCLASS32; }
static void c_data(uint8_t *b) { b[EI_DATA] = ELFDATA2MSB; }
static void c_version(uint8_t *b) { ehdr(b)->e_version = 2; }
static void c_type(uint8_t *b) { ehdr(b)->e_type = ET_EXEC; }
static void c_machine(uint8_t *b) { ehdr(b)->e_machine = EM_PPC64; }
static void c_phentsize(uint8_t *b) { ehdr(b)->e_phentsize = 32; }
static void c_phoff(uint8_t *b) { ehdr(b)->e_phoff = 128; }
static void c_phnum_zero(uint8_t *b) { ehdr(b)->e_phnum = 0; }
static void c_phnum_big(uint8_t *b) { ehdr(b)->e_phnum = 100; }
static void c_sections(uint8_t *b) { ehdr(b)->e_shnum = 1; }
static void c_type_phdr(uint8_t *b) { phdr(b, 4)->p_type = PT_DYNAMIC; }
static void c_offset(uint8_t *b) { phdr(b, 5)->p_offset += 0x1000; }
static void c_sizes(uint8_t *b) { phdr(b, 0)->p_filesz = 0x100; }
static void c_zero_size(uint8_t *b) { phdr(b, 1)->p_filesz = phdr(b, 1)->p_memsz = 0; }
static void c_align(uint8_t *b) { phdr(b, 6)->p_align = 4096; }
static void c_note_after_load(uint8_t *b)
{
	Elf64_Phdr tmp = *phdr(b, 2);

	*phdr(b, 2) = *phdr(b, 3);
	*phdr(b, 3) = tmp;
}
static void c_note_vaddr(uint8_t *b) { phdr(b, 2)->p_vaddr = 0xffff; }
static void c_load_flags(uint8_t *b) { phdr(b, 5)->p_flags = PF_R; }
static void c_text_vaddr(uint8_t *b) { phdr(b, 3)->p_vaddr = PAGE_OFFSET_L4 + phdr(b, 3)->p_paddr; }
static void c_descending(uint8_t *b)
{
	Elf64_Phdr tmp = *phdr(b, 5);

	*phdr(b, 5) = *phdr(b, 6);
	*phdr(b, 6) = tmp;
}
static void c_overlap(uint8_t *b)
{
	phdr(b, 5)->p_filesz = phdr(b, 5)->p_memsz = phdr(b, 6)->p_paddr - phdr(b, 5)->p_paddr + 1;
}
static void c_page_offset(uint8_t *b) { phdr(b, 6)->p_vaddr += 0x40000000; }
static void c_wrap(uint8_t *b)
{
	phdr(b, 6)->p_paddr = phdr(b, 6)->p_offset = UINT64_MAX - 0xfff;
	phdr(b, 6)->p_vaddr = PAGE_OFFSET_L4 + phdr(b, 6)->p_paddr;
	phdr(b, 6)->p_filesz = phdr(b, 6)->p_memsz = 0x2000;
}
static void c_high_ram(uint8_t *b)
{
	/* At 2^63 both checks on p_vaddr - p_paddr agree (modulo 2^64): only the bound stops it. */
	phdr(b, 6)->p_paddr = phdr(b, 6)->p_offset = 1ULL << 63;
	phdr(b, 6)->p_vaddr = PAGE_OFFSET_L4 + phdr(b, 6)->p_paddr;
}
static void c_vaddr_wrap(uint8_t *b) { phdr(b, 4)->p_vaddr = UINT64_MAX - 0xfff; }
static void c_no_loads(uint8_t *b)
{
	ehdr(b)->e_phnum = 3;
	memset(phdr(b, 3), 0, 4 * sizeof(Elf64_Phdr));
}
static void c_tail(uint8_t *b) { b[3000] = 1; }

static void test_validate_rejects(void **state)
{
	static const struct {
		corrupt_fn corrupt;
		const char *reason; /* a substring of what the validator says */
	} cases[] = {
		{ c_magic, "no ELF magic" },
		{ c_class, "ELFCLASS64" },
		{ c_data, "little endian" },
		{ c_version, "ELF version" },
		{ c_type, "ET_CORE" },
		{ c_machine, "EM_X86_64" },
		{ c_phentsize, "e_phentsize 32" },
		{ c_phoff, "e_phoff 128" },
		{ c_phnum_zero, "e_phnum 0" },
		{ c_phnum_big, "do not fit" },
		{ c_sections, "section headers" },
		{ c_type_phdr, "phdr 4: type 0x2" },
		{ c_offset, "phdr 5: p_offset" },
		{ c_sizes, "phdr 0: p_filesz" },
		{ c_zero_size, "phdr 1: p_filesz 0x0" },
		{ c_align, "phdr 6: p_align" },
		{ c_note_after_load, "phdr 3: PT_NOTE after a PT_LOAD" },
		{ c_note_vaddr, "phdr 2: PT_NOTE with p_vaddr" },
		{ c_load_flags, "phdr 5: PT_LOAD flags" },
		{ c_text_vaddr, "below x86_64's kernel image area" },
		{ c_descending, "phdr 6: RAM at" },
		{ c_overlap, "phdr 6: RAM at" },
		{ c_page_offset, "phdr 6: p_vaddr - p_paddr" },
		{ c_wrap, "wraps" },
		{ c_high_ram, "phdr 6: RAM 0x8000000000000000-0x8000000007ffffff beyond the 52-bit" },
		{ c_vaddr_wrap, "phdr 4: p_vaddr 0xfffffffffffff000" },
		{ c_no_loads, "kernel text load are required" },
		{ c_tail, "non-zero byte at offset 3000" },
	};
	_cleanup_(free_topologyp) Topology *t = make_topology(2, 3);
	_cleanup_(freep) uint8_t *good = NULL;
	size_t size, used;

	good = build(t, 16, &size, &used);
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_(freep) uint8_t *bad = malloc(size);
		char reason[256];

		assert_non_null(bad);
		memcpy(bad, good, size);
		cases[i].corrupt(bad);
		assert_int_equal(elfcorehdr_validate(bad, size, NULL, reason, sizeof(reason)), -EINVAL);
		if (!strstr(reason, cases[i].reason))
			fail_msg("case %zu: \"%s\" does not say \"%s\"", i, reason, cases[i].reason);
	}

	/* Short buffers: less than an ELF header, and phdrs cut off. */
	assert_int_equal(elfcorehdr_validate(good, 10, NULL, NULL, 0), -EINVAL);
	assert_int_equal(elfcorehdr_validate(good, used - 1, NULL, NULL, 0), -EINVAL);
	assert_int_equal(elfcorehdr_validate(NULL, 0, NULL, NULL, 0), -EINVAL);
}

static void closedirp_(DIR **d)
{
	if (*d)
		closedir(*d);
}

/* Every fixture tree the parsers can read gives a header that validates and that readelf
 * reads back as the topology says. Broken trees are the parsers' tests, not ours. */
static void test_fixture_trees(void **state)
{
	const char *dir = getenv("FIXTURES");
	_cleanup_(closedirp_) DIR *dh = NULL;
	struct dirent *de;
	unsigned built = 0;

	if (!dir)
		dir = "tests/fixtures";
	dh = opendir(dir);
	assert_non_null(dh);
	while ((de = readdir(dh))) {
		_cleanup_(topology_freep) Topology *t = NULL;
		_cleanup_(freep) void *buf = NULL;
		char root[PATH_MAX], iomem[PATH_MAX + 16], reason[256];
		struct stat st;
		unsigned max;
		size_t cap, used;
		Diag d = {};
		int r;

		if (de->d_name[0] == '.')
			continue;
		snprintf(root, sizeof(root), "%s/%s", dir, de->d_name);
		snprintf(iomem, sizeof(iomem), "%s/proc/iomem", root);
		if (stat(iomem, &st) < 0)
			continue;
		if (fixture_topology_read(root, &t, &d) < 0)
			continue;

		max = config_max_phdrs(NULL, t->n_possible);
		cap = elfcorehdr_capacity(max);
		buf = malloc(cap);
		assert_non_null(buf);
		r = elfcorehdr_build(t, max, buf, cap, &used);
		if (elfcorehdr_phdrs_needed(t) > max) {
			assert_int_equal(r, ELFCOREHDR_OVER_CAPACITY);
			continue;
		}
		assert_int_equal(r, 0);
		if (elfcorehdr_validate(buf, cap, NULL, reason, sizeof(reason)) < 0)
			fail_msg("%s: %s", de->d_name, reason);
		check_with_libelf(buf, cap, t);
		check_with_readelf(buf, cap, t);
		print_message("# %s: %zu phdrs, %zu bytes of %zu\n", de->d_name, elfcorehdr_phdrs_needed(t), used, cap);
		built++;
	}
	closedir(TAKE_PTR(dh)); /* skip() jumps past the cleanup */
	if (built == 0) {
		print_message("# no fixture tree under %s that topology_read() accepts\n", dir);
		skip();
	}
}

/* The fixture with more RAM ranges than a small MaxPhdrs: refused one short, exact fit works. */
static void test_fixture_over_capacity(void **state)
{
	_cleanup_(topology_freep) Topology *t = NULL;
	_cleanup_(freep) uint8_t *buf = NULL;
	const char *dir = getenv("FIXTURES");
	char root[PATH_MAX];
	size_t need, cap, used = 0;
	Diag d = {};

	snprintf(root, sizeof(root), "%s/over-capacity", dir ? dir : "tests/fixtures");
	if (topology_read(root, &t, &d) < 0) {
		print_message("# %s: %s\n", root, d.reason);
		skip();
	}
	need = elfcorehdr_phdrs_needed(t);
	assert_true(need > 1000);
	cap = elfcorehdr_capacity((unsigned)need - 1);
	buf = malloc(elfcorehdr_capacity((unsigned)need));
	assert_non_null(buf);
	memset(buf, 0x77, cap);
	assert_int_equal(elfcorehdr_build(t, (unsigned)need - 1, buf, cap, &used), ELFCOREHDR_OVER_CAPACITY);
	for (size_t i = 0; i < cap; i++)
		assert_int_equal(buf[i], 0x77);

	cap = elfcorehdr_capacity((unsigned)need);
	assert_int_equal(elfcorehdr_build(t, (unsigned)need, buf, cap, &used), 0);
	assert_int_equal(used, 64 + need * 56);
	assert_int_equal(elfcorehdr_validate(buf, cap, NULL, NULL, 0), 0);
	check_with_libelf(buf, cap, t);
	check_with_readelf(buf, cap, t);
}

/* arm64 from a real Debian 12 guest: EM_AARCH64, the crash region cut out of RAM, virtio-mem
 * RAM in (the kernel's rule since 5.16, not kexec-tools' omission), p_vaddr = __va(paddr) =
 * paddr - PHYS_OFFSET + PAGE_OFFSET. */
static void test_arm64_header(void **state)
{
	_cleanup_(topology_freep) Topology *t = NULL, *v = NULL;
	_cleanup_(freep) uint8_t *buf = NULL;
	const char *dir = getenv("FIXTURES");
	const Elf64_Phdr *ph;
	ElfcorehdrInfo info = {};
	char root[PATH_MAX], reason[256];
	size_t size, used;
	Diag d = {};

	if (!dir)
		skip();
	snprintf(root, sizeof(root), "%s/arm64-qemu-virt", dir);
	assert_int_equal(topology_read(root, &t, &d), 0);
	buf = build(t, 64, &size, &used);
	check_with_libelf(buf, size, t);
	check_with_readelf(buf, size, t);
	assert_int_equal(((const Elf64_Ehdr *)buf)->e_machine, EM_AARCH64);
	assert_int_equal(elfcorehdr_validate(buf, size, &info, reason, sizeof(reason)), 0);
	assert_string_equal(info.arch, "arm64");
	assert_int_equal(info.n_notes, 3);
	assert_int_equal(info.n_loads, 3);

	ph = (const Elf64_Phdr *)(buf + sizeof(Elf64_Ehdr));
	assert_int_equal(ph[0].p_paddr, 0xbfba7600); /* cpu0's crash_notes */
	assert_int_equal(ph[0].p_memsz, 424);
	assert_int_equal(ph[3].p_vaddr, 0xffffb40dc8e00000ULL); /* _text */
	assert_int_equal(ph[3].p_paddr, 0x40200000);
	assert_int_equal(ph[3].p_memsz, 0x2010000);
	/* RAM below and above "Crash kernel" a9a00000-b99fffff, nothing of it. */
	assert_int_equal(ph[4].p_paddr, 0x40000000);
	assert_int_equal(ph[4].p_vaddr, 0xffff000000000000ULL);
	assert_int_equal(ph[4].p_memsz, 0xa9a00000 - 0x40000000);
	assert_int_equal(ph[5].p_paddr, 0xb9a00000);
	assert_int_equal(ph[5].p_vaddr, 0xffff000079a00000ULL);
	assert_int_equal(ph[5].p_paddr + ph[5].p_memsz, 0xc0000000);

	/* With 512 MiB of virtio-mem plugged at 0xc0000000 the header has it as one more PT_LOAD,
	 * at its linear map address. */
	snprintf(root, sizeof(root), "%s/arm64-qemu-virt-virtio-mem", dir);
	assert_int_equal(topology_read(root, &v, &d), 0);
	assert_int_equal(v->n_ram, t->n_ram + 1);
	assert_int_equal(topology_ram_bytes(v), topology_ram_bytes(t) + 0x20000000);
	{
		_cleanup_(freep) uint8_t *vbuf = NULL;
		size_t vsize, vused;
		const Elf64_Phdr *vph;

		vbuf = build(v, 64, &vsize, &vused);
		assert_int_equal(((const Elf64_Ehdr *)vbuf)->e_machine, EM_AARCH64);
		assert_int_equal(elfcorehdr_validate(vbuf, vsize, &info, reason, sizeof(reason)), 0);
		assert_int_equal(info.n_loads, 4);
		vph = (const Elf64_Phdr *)(vbuf + sizeof(Elf64_Ehdr));
		assert_int_equal(vph[6].p_type, PT_LOAD);
		assert_int_equal(vph[6].p_paddr, 0xc0000000);
		assert_int_equal(vph[6].p_memsz, 0x20000000);
		assert_int_equal(vph[6].p_vaddr, 0xffff000080000000ULL);
	}

	/* arm64's bounds: the text must be above PAGE_END. */
	((Elf64_Phdr *)(buf + sizeof(Elf64_Ehdr)))[3].p_vaddr = 0xffff000000200000ULL;
	assert_int_equal(elfcorehdr_validate(buf, size, NULL, reason, sizeof(reason)), -EINVAL);
	assert_string_equal(reason, "phdr 3: kernel text p_vaddr 0xffff000000200000 is below arm64's kernel image area "
				    "0xffff800000000000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capacity),
		cmocka_unit_test(test_small_header),
		cmocka_unit_test(test_no_ram),
		cmocka_unit_test(test_over_capacity),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_pn_xnum_limit),
		cmocka_unit_test(test_builder_reuse),
		cmocka_unit_test(test_validate_rejects),
		cmocka_unit_test(test_fixture_trees),
		cmocka_unit_test(test_fixture_over_capacity),
		cmocka_unit_test(test_arm64_header),
	};
	return cmocka_run_group_tests_name("elfcorehdr", tests, NULL, NULL);
}
