/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <signal.h>

#include "metrics.h"
#include "status-writer.h"
#include "status.h"

static void *write_both(void *userdata)
{
	StatusWriter *w = userdata;

	w->status_r = status_write(w->dir, &w->rec);
	w->metrics_r = metrics_write(w->dir, &w->rec);
	return NULL;
}

void status_writer_start(StatusWriter *w, const char *dir, const StatusRecord *rec)
{
	sigset_t all, old;

	assert(!w->busy && !w->unreported);
	w->dir = dir;
	w->rec = *rec;
	w->unreported = true;
	/* Signals stay with the main thread's signalfd: the thread starts with all blocked. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	w->busy = pthread_create(&w->thread, NULL, write_both, w) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!w->busy)
		(void)write_both(w);
}

bool status_writer_wait(StatusWriter *w, int *status_r, int *metrics_r)
{
	if (w->busy) {
		(void)pthread_join(w->thread, NULL);
		w->busy = false;
	}
	if (!w->unreported)
		return false;
	w->unreported = false;
	*status_r = w->status_r;
	*metrics_r = w->metrics_r;
	return true;
}
