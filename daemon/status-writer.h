/* SPDX-License-Identifier: GPL-2.0-or-later */
/* status.json, metrics.prom and STATUS= sent from a thread of their own, for the one publish
 * that stands between the end of a quiet period and the load's system call ("reloading"):
 * the load starts without waiting for two file writes and a message to the service manager
 * (3-9 ms in a TCG guest, measured), and the files still say "reloading" while a load runs
 * long or hangs, which writing them after the call would not. The thread is made once, at
 * start (making one per load cost 1-7 ms of the same path), and sleeps between loads. Every
 * other publish is done in place, after waiting for a background one still running, so the
 * files and STATUS= never go back to an older state. */
#pragma once

#include <pthread.h>
#include <stdbool.h>

#include "status-json.h"

typedef struct StatusWriter {
	pthread_mutex_t lock;
	pthread_cond_t cond;  /* queued, done, stop changed */
	pthread_t thread;
	bool running;         /* the thread exists: else status_writer_start() writes in place */
	bool queued;          /* rec waits for the thread */
	bool writing;         /* the thread is writing rec */
	bool unreported;      /* the results of the last write not yet taken by a wait */
	bool stop;
	const char *dir;      /* the runtime directory, alive as long as the writer */
	StatusRecord rec;     /* a copy: the thread never reads the manager's state */
	int status_r, metrics_r;
} StatusWriter;

/* Starts the thread (all signals blocked in it: they stay with the main thread's signalfd).
 * Without one (-errno) the writer still works, in place. */
int status_writer_init(StatusWriter *w, const char *dir);

/* Stops and joins the thread after the write it has; the results are dropped. */
void status_writer_done(StatusWriter *w);

/* Writes rec (status_write(), metrics_write()) and sends its message as STATUS=, on the
 * thread, or before returning when there is none: the files are never left unwritten. The
 * caller has taken the previous write's results (status_writer_wait()). */
void status_writer_start(StatusWriter *w, const StatusRecord *rec);

/* Waits for the last write to finish. false when there is none whose results were not
 * taken yet; else true, with the results of its two writes (0 or -errno) in *status_r and
 * *metrics_r. */
bool status_writer_wait(StatusWriter *w, int *status_r, int *metrics_r);
