/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tests that kill process groups check what is left through /proc: shared by the unit and
 * integration tests (header only: they are separate executables). */
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

typedef struct ProcInfo {
	pid_t pid, ppid, pgrp;
	char state;
} ProcInfo;

/* /proc/<name>/stat into *ret: true if it could be read and parsed. */
static inline bool proc_stat(const char *name, ProcInfo *ret)
{
	char path[300], buf[512], *p;
	ProcInfo pi = { 0 };
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/stat", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return false;
	buf[len] = '\0';
	pi.pid = atoi(buf);
	p = strrchr(buf, ')'); /* the command name may hold anything */
	if (!p || sscanf(p + 1, " %c %d %d", &pi.state, &pi.ppid, &pi.pgrp) != 3)
		return false;
	*ret = pi;
	return true;
}

/* Up to max processes into ps; returns how many. */
static inline size_t proc_list(ProcInfo *ps, size_t max)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	size_t n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max)
		if (de->d_name[0] >= '0' && de->d_name[0] <= '9' && proc_stat(de->d_name, &ps[n]))
			n++;
	closedir(d);
	return n;
}

/* pid runs (exists and is not a zombie). */
static inline bool proc_alive(pid_t pid)
{
	char name[32];
	ProcInfo pi;

	snprintf(name, sizeof(name), "%d", (int)pid);
	return proc_stat(name, &pi) && pi.state != 'Z';
}

/* Members of process group pgrp that still run. Zombies do not count: a killed child of a
 * killed shell waits for init to reap it. */
static inline unsigned proc_live_in_group(pid_t pgrp)
{
	static ProcInfo ps[8192];
	size_t n = proc_list(ps, sizeof(ps) / sizeof(ps[0]));
	unsigned live = 0;

	for (size_t i = 0; i < n; i++)
		live += ps[i].pgrp == pgrp && ps[i].state != 'Z';
	return live;
}
