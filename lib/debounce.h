/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Burst coalescing as pure arithmetic: the caller passes the clock, the loop owns the timer. */
#pragma once

#include "util.h"

typedef struct Debounce {
	uint64_t quiet_usec;     /* each event pushes the deadline to now + quiet */
	uint64_t max_delay_usec; /* but never later than first event + max_delay */
	uint64_t first_usec;     /* first event of the current burst, 0 when idle */
	uint64_t deadline_usec;  /* when to fire, 0 when idle */
	unsigned events;         /* events in the current burst */
} Debounce;

void debounce_init(Debounce *b, uint64_t quiet_usec, uint64_t max_delay_usec);

/* Changes the periods; a burst in progress keeps its start and current deadline, the new
 * periods apply from its next event. */
void debounce_set_periods(Debounce *b, uint64_t quiet_usec, uint64_t max_delay_usec);

/* Records an event at now; returns the (possibly moved) deadline to arm the timer for. */
uint64_t debounce_event(Debounce *b, uint64_t now_usec);

/* The timer fired at now: true if the burst is due (then *ret_events is its size and the
 * debouncer is idle again), false if it fired early (re-arm at b->deadline_usec). */
bool debounce_fire(Debounce *b, uint64_t now_usec, unsigned *ret_events);

static inline bool debounce_idle(const Debounce *b)
{
	return b->deadline_usec == 0;
}
