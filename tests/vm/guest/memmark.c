/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memmark: stamp locked pages with their own physical address (guest, first kernel).
 *
 *   memmark -n NONCE -m MIB [-r START-END]...
 *
 * Allocates MIB MiB of anonymous memory with transparent huge pages off, locks it,
 * looks up each page's frame in /proc/self/pagemap (needs CAP_SYS_ADMIN) and writes a
 * struct mark (mark.h) at the start of every page.  User pages come from the highest
 * zone first, so with memhp_default_state=online_movable they land in hot-added memory.
 *
 * The work is done by a child that stays resident, holding the pages, until it is
 * killed or the machine panics; the parent prints the report and exits with 0 once
 * the child has stamped every page (1 on failure):
 *
 *   MEMMARK pages=N hot=H moved=M minpa=0x... maxpa=0x... nonce=0x...
 *   MEMMARK-READY pid=PID
 *
 * "hot" counts pages inside the -r ranges (hexadecimal, end exclusive).  "moved"
 * counts pages whose frame changed between stamping and a second pagemap pass.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mark.h"

#define PAGE 4096UL
#define PM_PRESENT (UINT64_C(1) << 63)
#define PM_PFN_MASK ((UINT64_C(1) << 55) - 1)
#define MAX_RANGES 64

static void usage(void)
{
	fprintf(stderr, "usage: memmark -n NONCE -m MIB [-r START-END]...\n");
	exit(2);
}

/* Reads the frames of npages pages starting at addr; 0 for a page not present. */
static int read_frames(int pm, const void *addr, size_t npages, uint64_t *pfn)
{
	const size_t chunk = 4096;
	uint64_t ent[4096];
	size_t first = (uintptr_t)addr / PAGE;

	for (size_t done = 0; done < npages;) {
		size_t n = npages - done < chunk ? npages - done : chunk;
		ssize_t r = pread(pm, ent, n * sizeof(ent[0]), (off_t)((first + done) * sizeof(ent[0])));
		if (r != (ssize_t)(n * sizeof(ent[0])))
			return -1;
		for (size_t i = 0; i < n; i++)
			pfn[done + i] = (ent[i] & PM_PRESENT) ? (ent[i] & PM_PFN_MASK) : 0;
		done += n;
	}
	return 0;
}

static int stamp(uint64_t nonce, size_t mib, const struct range *rg, size_t nrg, FILE *report)
{
	size_t npages = mib * (1024 * 1024 / PAGE);
	size_t len = npages * PAGE;
	uint64_t *pfn, *pfn2;
	uint64_t hot = 0, moved = 0, minpa = UINT64_MAX, maxpa = 0;
	unsigned char *buf;
	int pm;

	buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		fprintf(report, "MEMMARK-ERROR mmap: %s\n", strerror(errno));
		return -1;
	}
	/* Before the first fault: no huge pages, which compaction or khugepaged could
	 * split or move. */
	if (madvise(buf, len, MADV_NOHUGEPAGE) < 0) {
		fprintf(report, "MEMMARK-ERROR madvise: %s\n", strerror(errno));
		return -1;
	}
	if (mlock(buf, len) < 0) {
		fprintf(report, "MEMMARK-ERROR mlock: %s\n", strerror(errno));
		return -1;
	}
	pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (pm < 0) {
		fprintf(report, "MEMMARK-ERROR /proc/self/pagemap: %s\n", strerror(errno));
		return -1;
	}
	pfn = calloc(npages, sizeof(*pfn));
	pfn2 = calloc(npages, sizeof(*pfn2));
	if (!pfn || !pfn2) {
		fprintf(report, "MEMMARK-ERROR out of memory\n");
		return -1;
	}
	if (read_frames(pm, buf, npages, pfn) < 0) {
		fprintf(report, "MEMMARK-ERROR reading pagemap: %s\n", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < npages; i++) {
		struct mark m;

		if (pfn[i] == 0) {
			fprintf(report, "MEMMARK-ERROR page %zu has no frame (not root?)\n", i);
			return -1;
		}
		memset(&m, 0, sizeof(m));
		memcpy(m.magic, MARK_MAGIC, sizeof(MARK_MAGIC));
		m.nonce = nonce;
		m.paddr = pfn[i] * PAGE;
		m.index = i;
		m.check = mark_check(&m);
		memcpy(buf + i * PAGE, &m, sizeof(m));
		if (m.paddr < minpa)
			minpa = m.paddr;
		if (m.paddr > maxpa)
			maxpa = m.paddr;
		for (size_t r = 0; r < nrg; r++)
			if (m.paddr >= rg[r].start && m.paddr + PAGE <= rg[r].end) {
				hot++;
				break;
			}
	}
	if (read_frames(pm, buf, npages, pfn2) < 0) {
		fprintf(report, "MEMMARK-ERROR reading pagemap: %s\n", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < npages; i++)
		if (pfn2[i] != pfn[i])
			moved++;
	close(pm);
	free(pfn2);
	free(pfn);
	fprintf(report, "MEMMARK pages=%zu hot=%" PRIu64 " moved=%" PRIu64 " minpa=0x%" PRIx64
		" maxpa=0x%" PRIx64 " nonce=0x%" PRIx64 "\n",
		npages, hot, moved, minpa, maxpa, nonce);
	return moved ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct range rg[MAX_RANGES];
	size_t nrg = 0;
	uint64_t nonce = 0, mib = 0;
	bool have_nonce = false;
	int fds[2], opt, status;
	pid_t pid;

	while ((opt = getopt(argc, argv, "n:m:r:")) != -1) {
		switch (opt) {
		case 'n':
			if (parse_u64(optarg, 16, &nonce))
				usage();
			have_nonce = true;
			break;
		case 'm':
			if (parse_u64(optarg, 10, &mib) || mib == 0 || mib > 65536)
				usage();
			break;
		case 'r':
			if (nrg == MAX_RANGES || parse_range(optarg, &rg[nrg]))
				usage();
			nrg++;
			break;
		default:
			usage();
		}
	}
	if (!have_nonce || mib == 0 || optind != argc)
		usage();

	if (pipe2(fds, O_CLOEXEC) < 0) {
		perror("memmark: pipe");
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		perror("memmark: fork");
		return 1;
	}
	if (pid == 0) {
		/* The child stamps, reports through the pipe, then holds the pages. */
		FILE *report;
		int devnull, r;

		close(fds[0]);
		setsid();
		report = fdopen(fds[1], "w");
		if (!report)
			_exit(1);
		r = stamp(nonce, (size_t)mib, rg, nrg, report);
		if (r == 0)
			fprintf(report, "MEMMARK-READY pid=%d\n", (int)getpid());
		fclose(report);
		if (r < 0)
			_exit(1);
		devnull = open("/dev/null", O_RDWR);
		if (devnull >= 0) {
			dup2(devnull, STDIN_FILENO);
			dup2(devnull, STDOUT_FILENO);
			dup2(devnull, STDERR_FILENO);
			if (devnull > STDERR_FILENO)
				close(devnull);
		}
		for (;;)
			pause();
	}

	close(fds[1]);
	{
		char line[512];
		bool ready = false;
		FILE *in = fdopen(fds[0], "r");

		if (!in) {
			perror("memmark: fdopen");
			return 1;
		}
		while (fgets(line, sizeof(line), in)) {
			fputs(line, stdout);
			if (strncmp(line, "MEMMARK-READY", 13) == 0)
				ready = true;
		}
		fclose(in);
		fflush(stdout);
		if (ready)
			return 0;
	}
	/* The child failed: collect it. */
	if (waitpid(pid, &status, 0) < 0)
		perror("memmark: waitpid");
	return 1;
}
