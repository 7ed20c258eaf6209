/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vmcore-check: check the dump the capture kernel sees (guest, kdump kernel).
 *
 *   vmcore-check [-f FILE] [-n NONCE -m MARKS] [-c CPUS] [-e START-END]... [-x START-END]...
 *                [-o OFFSET] [-t VADDR:PADDR]
 *   vmcore-check --kcore FILE
 *
 *   -f FILE        the dump (default /proc/vmcore)
 *   -n NONCE -m N  N pages were stamped by memmark with NONCE: every one must be found in a
 *                  PT_LOAD at exactly the physical address written in it
 *   -c CPUS        expected number of NT_PRSTATUS notes (CPUs online at the panic)
 *   -e START-END   a physical range (hexadecimal, end exclusive) that the PT_LOADs must cover
 *   -x START-END   a removed physical range that no PT_LOAD may touch
 *   -o OFFSET      the first kernel's direct-map offset (hexadecimal, p_vaddr - p_paddr of
 *                  its RAM, from --kcore): every RAM PT_LOAD must have p_vaddr - p_paddr ==
 *                  OFFSET (KASLR moves the direct map)
 *   -t VADDR:PADDR the first kernel's text (hexadecimal, from --kcore): the kernel text
 *                  PT_LOAD must have this p_vaddr and p_paddr (KASLR moves both)
 *
 *   --kcore FILE   instead, in the running first kernel: read the program headers of FILE
 *                  (/proc/kcore) with plain pread, print every PT_LOAD, and print the
 *                  direct-map offset of its RAM segments (p_vaddr below the kernel text
 *                  mapping, p_paddr valid; p_paddr is -1 for vmalloc, modules and the like),
 *                  which must all agree, and the kernel text segment's p_vaddr and p_paddr
 *                  (p_vaddr in [0xffffffff80000000, +1 GiB); on arm64 the segment with a
 *                  physical address in [0xffff800000000000, 0xfffffc0000000000)), as
 *                  "KCORE-JSON {...}"
 *
 * Prints the program headers and notes, one "CHECK name PASS|FAIL detail" line per check,
 * a "VMCORE-JSON {...}" line with the figures and "VMCORE-CHECK PASS" or "VMCORE-CHECK FAIL".
 * Exit status: 0 if every check held, 1 if one failed, 2 on usage or read errors.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <elf.h>
#include <fcntl.h>
#include <gelf.h>
#include <getopt.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "mark.h"

#define PAGE 4096UL
#define MAX_RANGES 256
#define MAP_CHUNK (64UL << 20)
#if defined(__aarch64__)
/* arm64 (VA_BITS 48 or 52, Linux 6.1: arch/arm64/include/asm/memory.h): the linear map ends
 * at 0xffff800000000000; above it, below the vmemmap at 0xfffffc0000000000, the one segment
 * with a physical address is the kernel image (KASLR moves it anywhere in vmalloc space). */
#define KTEXT_VADDR UINT64_C(0xffff800000000000)
#define KTEXT_SPAN UINT64_C(0x7c0000000000)
/* Without KASLR: PAGE_OFFSET 0xffff000000000000 at PHYS_OFFSET (0x40000000 on QEMU's
 * -M virt), the image at KIMAGE_VADDR. */
#define DIRECT_MAP_NOKASLR (UINT64_C(0xffff000000000000) - UINT64_C(0x40000000))
#define TEXT_NOKASLR UINT64_C(0xffff800008000000)
#else
/* Program headers with a virtual address in the kernel text mapping (__START_KERNEL_map)
 * describe the kernel image, which the RAM ranges list again. */
#define KTEXT_VADDR UINT64_C(0xffffffff80000000)
#define KTEXT_SPAN (UINT64_C(1) << 30)
/* Where x86-64 Linux puts the direct map and the kernel text without KASLR. */
#define DIRECT_MAP_NOKASLR UINT64_C(0xffff888000000000)
#define TEXT_NOKASLR UINT64_C(0xffffffff81000000)
#endif
#if defined(__aarch64__)
#define EM_NATIVE EM_AARCH64
#else
#define EM_NATIVE EM_X86_64
#endif
/* /proc/kcore's p_paddr for segments that are not RAM. */
#define NO_PADDR UINT64_MAX

struct load {
	uint64_t off, paddr, vaddr, filesz;
	bool ktext;
};

static int failures;

static void usage(void)
{
	fprintf(stderr, "usage: vmcore-check [-f FILE] [-n NONCE -m MARKS] [-c CPUS] "
			"[-e START-END]... [-x START-END]... [-o OFFSET] [-t VADDR:PADDR]\n"
			"       vmcore-check --kcore FILE\n");
	exit(2);
}

static void check(const char *name, bool ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void check(const char *name, bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("CHECK %s %s ", name, ok ? "PASS" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!ok)
		failures++;
}

static int cmp_range(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Is [r.start, r.end) inside the union of the sorted, merged ranges cov? */
static bool covered(const struct range *cov, size_t n, struct range r)
{
	for (size_t i = 0; i < n; i++)
		if (cov[i].start <= r.start && r.end <= cov[i].end)
			return true;
	return false;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct scan {
	uint64_t pages, marks, valid, mismatched, stale, duplicate, unreadable;
};

/* Looks at the first bytes of every page of one PT_LOAD for a mark. A load that cannot be
 * mapped (an offset past what off_t holds: Debian 12's kexec-tools gives the arm64 text
 * segment a size near 2^64, and /proc/vmcore places every load after it beyond reach) is
 * counted as unreadable and named: the dump is broken, which is a finding, not a reason to
 * stop. */
static int scan_load(int fd, const struct load *l, uint64_t nonce, struct scan *s)
{
	uint64_t first = (l->paddr + PAGE - 1) & ~(PAGE - 1);
	uint64_t end = (l->paddr + l->filesz) & ~(PAGE - 1);

	for (uint64_t pa = first; pa < end;) {
		uint64_t n = end - pa < MAP_CHUNK ? end - pa : MAP_CHUNK;
		uint64_t foff = l->off + (pa - l->paddr);
		uint64_t aoff = foff & ~(PAGE - 1);
		size_t delta = (size_t)(foff - aoff);
		unsigned char *map;

		map = aoff > (uint64_t)INT64_MAX ? MAP_FAILED :
			mmap(NULL, n + delta, PROT_READ, MAP_SHARED, fd, (off_t)aoff);
		if (map == MAP_FAILED) {
			printf("UNREADABLE-LOAD paddr=0x%" PRIx64 " off=0x%" PRIx64 ": %s\n", l->paddr, l->off,
			       aoff > (uint64_t)INT64_MAX ? "offset beyond off_t" : strerror(errno));
			s->unreadable++;
			return 0;
		}
		for (uint64_t o = 0; o < n; o += PAGE) {
			const unsigned char *p = map + delta + o;
			struct mark m;

			s->pages++;
			if (memcmp(p, MARK_MAGIC, sizeof(MARK_MAGIC)) != 0)
				continue;
			memcpy(&m, p, sizeof(m));
			if (mark_check(&m) != m.check)
				continue;
			s->marks++;
			if (m.nonce != nonce)
				s->stale++;
			else if (m.paddr != pa + o) {
				/* Where the copy is and whose page it claims to be: a page the
				 * first kernel migrated leaves its old frame, still stamped,
				 * behind, so "valid" alone cannot tell a move from a copy. */
				if (s->mismatched++ < 8)
					printf("MARK-MISMATCH at=0x%" PRIx64 " claims=0x%" PRIx64
					       " index=%" PRIu64 " load=0x%" PRIx64 "\n", pa + o, m.paddr,
					       m.index, l->paddr);
			}
			else
				s->valid++;
		}
		munmap(map, n + delta);
		pa += n;
	}
	return 0;
}

static int read_full(int fd, void *buf, size_t len, off_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t r = pread(fd, (char *)buf + done, len - done, off + (off_t)done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		done += (size_t)r;
	}
	return 0;
}

/* --kcore: the running kernel's direct-map offset and text placement, read from the
 * program headers of /proc/kcore without libelf (its st_size is the whole address space). */
static int kcore_mode(const char *path)
{
	Elf64_Ehdr eh;
	Elf64_Phdr *ph;
	uint64_t offset = 0, text_vaddr = 0, text_paddr = 0;
	unsigned ram = 0, disagree = 0, text = 0, other = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "vmcore-check: %s: %s\n", path, strerror(errno));
		return 2;
	}
	if (read_full(fd, &eh, sizeof(eh), 0) < 0 || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 || eh.e_phnum == PN_XNUM) {
		fprintf(stderr, "vmcore-check: %s: not a 64-bit little-endian ELF core with program headers\n",
			path);
		close(fd);
		return 2;
	}
	ph = calloc(eh.e_phnum, sizeof(*ph));
	if (!ph || read_full(fd, ph, (size_t)eh.e_phnum * sizeof(*ph), (off_t)eh.e_phoff) < 0) {
		fprintf(stderr, "vmcore-check: %s: cannot read %u program headers\n", path, eh.e_phnum);
		close(fd);
		free(ph);
		return 2;
	}
	close(fd);
	printf("KCORE %s type=%u machine=%u phnum=%u\n", path, eh.e_type, eh.e_machine, eh.e_phnum);
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		const Elf64_Phdr *p = &ph[i];
		const char *kind;

		if (p->p_type != PT_LOAD)
			continue;
		if (p->p_paddr == NO_PADDR) {
			kind = "no-paddr";
			other++;
		} else if (p->p_vaddr >= KTEXT_VADDR && p->p_vaddr - KTEXT_VADDR < KTEXT_SPAN) {
			kind = "text";
			if (text++ == 0) {
				text_vaddr = p->p_vaddr;
				text_paddr = p->p_paddr;
			}
		} else if (p->p_vaddr < KTEXT_VADDR) {
			uint64_t o = p->p_vaddr - p->p_paddr;

			kind = "ram";
			if (ram++ == 0)
				offset = o;
			else if (o != offset)
				disagree++;
		} else {
			kind = "other";
			other++;
		}
		printf("KCORE-LOAD %2u vaddr=0x%016" PRIx64 " paddr=", i, p->p_vaddr);
		if (p->p_paddr == NO_PADDR)
			printf("-");
		else
			printf("0x%09" PRIx64, p->p_paddr);
		printf(" size=%" PRIu64 "K %s", p->p_memsz >> 10, kind);
		if (!strcmp(kind, "ram"))
			printf(" offset=0x%016" PRIx64, p->p_vaddr - p->p_paddr);
		putchar('\n');
	}
	free(ph);
	check("kcore-direct-map", ram > 0 && disagree == 0, "ram_loads=%u disagreeing=%u offset=0x%016" PRIx64,
	      ram, disagree, offset);
	check("kcore-text", text == 1, "text_loads=%u vaddr=0x%016" PRIx64 " paddr=0x%" PRIx64, text,
	      text_vaddr, text_paddr);
	printf("KCORE-JSON {\"ram_loads\":%u,\"ram_disagreeing\":%u,\"direct_map_offset\":\"0x%" PRIx64
	       "\",\"text_loads\":%u,\"text_vaddr\":\"0x%" PRIx64 "\",\"text_paddr\":\"0x%" PRIx64
	       "\",\"other_loads\":%u,\"kaslr\":%s,\"failures\":%d}\n",
	       ram, disagree, offset, text, text_vaddr, text_paddr, other,
	       (offset != DIRECT_MAP_NOKASLR || text_vaddr != TEXT_NOKASLR) ? "true" : "false", failures);
	printf("KCORE-CHECK %s\n", failures ? "FAIL" : "PASS");
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"kcore", required_argument, NULL, 'K'},
		{NULL, 0, NULL, 0},
	};
	const char *path = "/proc/vmcore";
	struct range expect[MAX_RANGES], removed[MAX_RANGES], cov[MAX_RANGES];
	size_t nexpect = 0, nremoved = 0, ncov = 0, nloads = 0, phnum = 0;
	uint64_t nonce = 0, marks = 0, cpus = 0;
	bool have_nonce = false, have_marks = false, have_cpus = false;
	bool have_offset = false, have_text = false;
	uint64_t dm_offset = 0, want_text_vaddr = 0, want_text_paddr = 0;
	uint64_t text_vaddr = 0, text_paddr = 0;
	unsigned dm_loads = 0, dm_mismatched = 0;
	unsigned notes_phdrs = 0, prstatus = 0, vmcoreinfo = 0, ktext = 0, other_notes = 0;
	uint64_t total = 0, max_end = 0;
	struct load *loads;
	struct scan sc = {0};
	double t0 = now(), scan_secs = 0;
	int fd, opt;
	Elf *e;

	while ((opt = getopt_long(argc, argv, "f:n:m:c:e:x:o:t:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'K':
			if (optind != argc)
				usage();
			return kcore_mode(optarg);
		case 'o':
			if (parse_u64(optarg, 16, &dm_offset))
				usage();
			have_offset = true;
			break;
		case 't':
			if (parse_hex_pair(optarg, ':', &want_text_vaddr, &want_text_paddr))
				usage();
			have_text = true;
			break;
		case 'f':
			path = optarg;
			break;
		case 'n':
			if (parse_u64(optarg, 16, &nonce))
				usage();
			have_nonce = true;
			break;
		case 'm':
			if (parse_u64(optarg, 10, &marks))
				usage();
			have_marks = true;
			break;
		case 'c':
			if (parse_u64(optarg, 10, &cpus))
				usage();
			have_cpus = true;
			break;
		case 'e':
			if (nexpect == MAX_RANGES || parse_range(optarg, &expect[nexpect]))
				usage();
			nexpect++;
			break;
		case 'x':
			if (nremoved == MAX_RANGES || parse_range(optarg, &removed[nremoved]))
				usage();
			nremoved++;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || have_nonce != have_marks)
		usage();

	if (elf_version(EV_CURRENT) == EV_NONE) {
		fprintf(stderr, "vmcore-check: libelf: %s\n", elf_errmsg(-1));
		return 2;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "vmcore-check: %s: %s\n", path, strerror(errno));
		return 2;
	}
	/* ELF_C_READ reads on demand with pread: the dump is as large as the old RAM. */
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF || elf_getphdrnum(e, &phnum) < 0) {
		fprintf(stderr, "vmcore-check: %s: not an ELF file: %s\n", path, elf_errmsg(-1));
		return 2;
	}
	{
		GElf_Ehdr eh;

		if (!gelf_getehdr(e, &eh)) {
			fprintf(stderr, "vmcore-check: %s: %s\n", path, elf_errmsg(-1));
			return 2;
		}
		printf("VMCORE %s type=%u machine=%u phnum=%zu\n", path, eh.e_type, eh.e_machine, phnum);
		check("elf-header", eh.e_type == ET_CORE && eh.e_machine == EM_NATIVE &&
		      gelf_getclass(e) == ELFCLASS64, "type=%u machine=%u", eh.e_type, eh.e_machine);
	}
	loads = calloc(phnum ? phnum : 1, sizeof(*loads));
	if (!loads)
		return 2;

	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e, (int)i, &ph)) {
			fprintf(stderr, "vmcore-check: phdr %zu: %s\n", i, elf_errmsg(-1));
			return 2;
		}
		if (ph.p_type == PT_NOTE) {
			Elf_Data *d;
			GElf_Nhdr nh;
			size_t off = 0, name_off, desc_off;

			notes_phdrs++;
			printf("PHDR %2zu NOTE off=0x%" PRIx64 " size=0x%" PRIx64 "\n", i, ph.p_offset, ph.p_filesz);
			d = elf_getdata_rawchunk(e, (int64_t)ph.p_offset, ph.p_filesz, ELF_T_NHDR);
			if (!d) {
				fprintf(stderr, "vmcore-check: notes: %s\n", elf_errmsg(-1));
				return 2;
			}
			while (off < d->d_size && (off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
				const char *name = (const char *)d->d_buf + name_off;

				if (nh.n_namesz == 5 && memcmp(name, "CORE", 5) == 0 && nh.n_type == NT_PRSTATUS) {
					int32_t pid = -1;

					/* struct elf_prstatus: pr_pid follows pr_info (12), pr_cursig (2),
					 * padding (2), pr_sigpend (8) and pr_sighold (8). */
					if (nh.n_descsz >= 36)
						memcpy(&pid, (const char *)d->d_buf + desc_off + 32, sizeof(pid));
					printf("NOTE PRSTATUS #%u pid=%d\n", prstatus, pid);
					prstatus++;
				} else if (nh.n_namesz == 11 && memcmp(name, "VMCOREINFO", 11) == 0) {
					const char *desc = (const char *)d->d_buf + desc_off;
					const char *ct = memmem(desc, nh.n_descsz, "CRASHTIME=", 10);

					vmcoreinfo++;
					if (ct) {
						int len = 0;

						while (ct + 10 + len < desc + nh.n_descsz && ct[10 + len] != '\n')
							len++;
						printf("NOTE VMCOREINFO size=%u CRASHTIME=%.*s\n", nh.n_descsz, len, ct + 10);
					} else {
						printf("NOTE VMCOREINFO size=%u\n", nh.n_descsz);
					}
				} else {
					other_notes++;
				}
			}
		} else if (ph.p_type == PT_LOAD) {
			struct load *l = &loads[nloads++];

			l->off = ph.p_offset;
			l->paddr = ph.p_paddr;
			l->vaddr = ph.p_vaddr;
			l->filesz = ph.p_filesz;
			l->ktext = ph.p_vaddr >= KTEXT_VADDR;
			printf("PHDR %2zu LOAD off=0x%09" PRIx64 " paddr=0x%09" PRIx64 " end=0x%09" PRIx64
			       " vaddr=0x%" PRIx64 " size=%" PRIu64 "K%s\n", i, ph.p_offset, ph.p_paddr,
			       ph.p_paddr + ph.p_memsz, ph.p_vaddr, ph.p_memsz >> 10,
			       l->ktext ? " (kernel text)" : "");
			if (l->ktext) {
				if (ktext++ == 0) {
					text_vaddr = ph.p_vaddr;
					text_paddr = ph.p_paddr;
				}
				continue;
			}
			dm_loads++;
			if (have_offset && ph.p_vaddr - ph.p_paddr != dm_offset) {
				if (dm_mismatched++ < 8)
					printf("KASLR-MISMATCH LOAD paddr=0x%" PRIx64 " vaddr=0x%" PRIx64
					       " offset=0x%" PRIx64 " expected=0x%" PRIx64 "\n", ph.p_paddr,
					       ph.p_vaddr, ph.p_vaddr - ph.p_paddr, dm_offset);
			}
			total += ph.p_memsz;
			if (ph.p_paddr + ph.p_memsz > max_end)
				max_end = ph.p_paddr + ph.p_memsz;
			if (ncov < MAX_RANGES) {
				cov[ncov].start = ph.p_paddr;
				cov[ncov].end = ph.p_paddr + ph.p_memsz;
				ncov++;
			}
		} else {
			printf("PHDR %2zu type=0x%x\n", i, ph.p_type);
		}
	}

	/* Merge the RAM ranges so that a range split over adjacent PT_LOADs counts as covered. */
	qsort(cov, ncov, sizeof(cov[0]), cmp_range);
	{
		size_t m = 0;

		for (size_t i = 0; i < ncov; i++) {
			if (m && cov[i].start <= cov[m - 1].end) {
				if (cov[i].end > cov[m - 1].end)
					cov[m - 1].end = cov[i].end;
			} else {
				cov[m++] = cov[i];
			}
		}
		ncov = m;
	}

	check("one-note-phdr", notes_phdrs == 1, "note_phdrs=%u", notes_phdrs);
	check("vmcoreinfo", vmcoreinfo == 1, "vmcoreinfo_notes=%u", vmcoreinfo);
	check("kernel-text-load", ktext == 1, "kernel_text_loads=%u", ktext);
	if (have_offset)
		check("kaslr-direct-map", dm_loads > 0 && dm_mismatched == 0,
		      "ram_loads=%u mismatched=%u offset=0x%016" PRIx64, dm_loads, dm_mismatched, dm_offset);
	if (have_text)
		check("kaslr-text", ktext == 1 && text_vaddr == want_text_vaddr && text_paddr == want_text_paddr,
		      "vaddr=0x%016" PRIx64 " paddr=0x%" PRIx64 " expected vaddr=0x%016" PRIx64 " paddr=0x%" PRIx64,
		      text_vaddr, text_paddr, want_text_vaddr, want_text_paddr);
	if (have_cpus)
		check("prstatus", prstatus == cpus, "prstatus=%u expected=%" PRIu64, prstatus, cpus);

	for (size_t i = 0; i < nexpect; i++)
		check("covered", covered(cov, ncov, expect[i]), "0x%" PRIx64 "-0x%" PRIx64,
		      expect[i].start, expect[i].end);
	for (size_t i = 0; i < nremoved; i++) {
		bool touched = false;

		for (size_t j = 0; j < nloads; j++) {
			const struct load *l = &loads[j];

			if (!l->ktext && l->paddr < removed[i].end && removed[i].start < l->paddr + l->filesz) {
				touched = true;
				printf("REMOVED-RANGE-IN-LOAD 0x%" PRIx64 "-0x%" PRIx64 " in LOAD 0x%" PRIx64
				       "-0x%" PRIx64 "\n", removed[i].start, removed[i].end, l->paddr,
				       l->paddr + l->filesz);
			}
		}
		check("removed-absent", !touched, "0x%" PRIx64 "-0x%" PRIx64, removed[i].start,
		      removed[i].end);
	}

	if (have_marks) {
		double t = now();

		for (size_t j = 0; j < nloads; j++)
			if (!loads[j].ktext)
				scan_load(fd, &loads[j], nonce, &sc);
		scan_secs = now() - t;
		printf("SCAN pages=%" PRIu64 " marks=%" PRIu64 " valid=%" PRIu64 " mismatched=%" PRIu64
		       " stale=%" PRIu64 " secs=%.2f\n", sc.pages, sc.marks, sc.valid, sc.mismatched,
		       sc.stale, scan_secs);
		check("loads-readable", sc.unreadable == 0, "unreadable=%" PRIu64, sc.unreadable);
		check("marks-found", sc.valid == marks, "found=%" PRIu64 " expected=%" PRIu64, sc.valid, marks);
		check("marks-at-paddr", sc.mismatched == 0, "mismatched=%" PRIu64, sc.mismatched);
	}

	printf("VMCORE-JSON {\"phnum\":%zu,\"loads\":%zu,\"ram_bytes\":%" PRIu64 ",\"max_paddr_end\":%" PRIu64
	       ",\"prstatus\":%u,\"vmcoreinfo\":%u,\"other_notes\":%u,\"pages_scanned\":%" PRIu64
	       ",\"marks_valid\":%" PRIu64 ",\"marks_expected\":%" PRIu64 ",\"marks_mismatched\":%" PRIu64
	       ",\"scan_secs\":%.3f,\"text_vaddr\":\"0x%" PRIx64 "\",\"text_paddr\":\"0x%" PRIx64
	       "\",\"kaslr_direct_map_loads\":%u,\"kaslr_direct_map_mismatched\":%u"
	       ",\"kaslr_direct_map_checked\":%d,\"kaslr_text_checked\":%d,\"kaslr_text_ok\":%d"
	       ",\"secs\":%.3f,\"failures\":%d}\n",
	       phnum, nloads, total, max_end, prstatus, vmcoreinfo, other_notes, sc.pages, sc.valid,
	       marks, sc.mismatched, scan_secs, text_vaddr, text_paddr, dm_loads, dm_mismatched,
	       have_offset, have_text,
	       have_text && ktext == 1 && text_vaddr == want_text_vaddr && text_paddr == want_text_paddr,
	       now() - t0, failures);
	printf("VMCORE-CHECK %s\n", failures ? "FAIL" : "PASS");
	elf_end(e);
	close(fd);
	free(loads);
	return failures ? 1 : 0;
}
