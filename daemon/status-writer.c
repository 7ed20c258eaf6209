/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <errno.h>
#include <signal.h>

#include "log.h"
#include "metrics.h"
#include "status-writer.h"
#include "status.h"

static void write_all(StatusWriter *w, const StatusRecord *rec, int *status_r, int *metrics_r)
{
	*status_r = status_write(w->dir, rec);
	*metrics_r = metrics_write(w->dir, rec);
	notify("STATUS=%s", rec->message);
}

static void *writer_main(void *userdata)
{
	StatusWriter *w = userdata;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		int status_r, metrics_r;

		while (!w->queued && !w->stop)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->stop)
			break;
		w->queued = false;
		w->writing = true;
		pthread_mutex_unlock(&w->lock);
		/* rec is not touched by anyone else while writing: start() waits for it. */
		write_all(w, &w->rec, &status_r, &metrics_r);
		pthread_mutex_lock(&w->lock);
		w->status_r = status_r;
		w->metrics_r = metrics_r;
		w->writing = false;
		pthread_cond_broadcast(&w->cond);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int status_writer_init(StatusWriter *w, const char *dir)
{
	sigset_t all, old;
	int r;

	*w = (StatusWriter){ .dir = dir };
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&w->thread, NULL, writer_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	w->running = r == 0;
	return -r;
}

void status_writer_done(StatusWriter *w)
{
	if (w->running) {
		pthread_mutex_lock(&w->lock);
		w->stop = true;
		pthread_cond_broadcast(&w->cond);
		pthread_mutex_unlock(&w->lock);
		(void)pthread_join(w->thread, NULL);
		w->running = false;
	}
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
}

void status_writer_start(StatusWriter *w, const StatusRecord *rec)
{
	assert(!w->queued && !w->writing && !w->unreported);
	w->unreported = true;
	if (!w->running) {
		write_all(w, rec, &w->status_r, &w->metrics_r);
		return;
	}
	pthread_mutex_lock(&w->lock);
	w->rec = *rec;
	w->queued = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

bool status_writer_wait(StatusWriter *w, int *status_r, int *metrics_r)
{
	if (!w->unreported)
		return false;
	if (w->running) {
		pthread_mutex_lock(&w->lock);
		while (w->queued || w->writing)
			pthread_cond_wait(&w->cond, &w->lock);
		pthread_mutex_unlock(&w->lock);
	}
	w->unreported = false;
	*status_r = w->status_r;
	*metrics_r = w->metrics_r;
	return true;
}
