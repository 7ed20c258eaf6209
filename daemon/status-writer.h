/* SPDX-License-Identifier: GPL-2.0-or-later */
/* status.json and metrics.prom written on a thread of their own, for the one publish that
 * stands between the end of a quiet period and the load's system call ("reloading"): the
 * load starts without waiting for two file writes (2-11 ms in a TCG guest), and the files
 * still say "reloading" while a load runs long or hangs, which writing them after the call
 * would not. Every other publish writes in place, after waiting for a background write
 * still running, so the files never go back to an older state. */
#pragma once

#include <pthread.h>
#include <stdbool.h>

#include "status-json.h"

typedef struct StatusWriter {
	pthread_t thread;
	bool busy;         /* a thread was started and not yet joined */
	bool unreported;   /* the results of the last write not yet taken by a wait */
	const char *dir;   /* the runtime directory, alive as long as the writer */
	StatusRecord rec;  /* a copy: the thread never reads the manager's state */
	int status_r, metrics_r;
} StatusWriter;

/* Writes rec into dir (status_write(), metrics_write()) in the background. When no thread
 * can be started it writes before returning: the files are never left unwritten. The caller
 * has taken the previous write's results (status_writer_wait()). */
void status_writer_start(StatusWriter *w, const char *dir, const StatusRecord *rec);

/* Waits for the last write to finish. false when there is none whose results were not
 * taken yet; else true, with the results of its two writes (0 or -errno) in *status_r and
 * *metrics_r. */
bool status_writer_wait(StatusWriter *w, int *status_r, int *metrics_r);
