/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "debounce.h"

void debounce_set_periods(Debounce *b, uint64_t quiet_usec, uint64_t max_delay_usec)
{
	b->quiet_usec = quiet_usec;
	/* A cap below the quiet period would make the quiet period meaningless. */
	b->max_delay_usec = max_delay_usec < quiet_usec ? quiet_usec : max_delay_usec;
}

void debounce_init(Debounce *b, uint64_t quiet_usec, uint64_t max_delay_usec)
{
	*b = (Debounce){ 0 };
	debounce_set_periods(b, quiet_usec, max_delay_usec);
}

uint64_t debounce_event(Debounce *b, uint64_t now_usec)
{
	uint64_t cap;

	if (b->events == 0)
		b->first_usec = now_usec;
	b->events++;

	cap = b->first_usec + b->max_delay_usec;
	b->deadline_usec = now_usec + b->quiet_usec;
	if (b->deadline_usec > cap)
		b->deadline_usec = cap;
	/* 0 means idle; a clock at 0 cannot be told apart, so never hand out 0. */
	if (b->deadline_usec == 0)
		b->deadline_usec = 1;
	return b->deadline_usec;
}

bool debounce_fire(Debounce *b, uint64_t now_usec, unsigned *ret_events)
{
	if (b->deadline_usec == 0 || now_usec < b->deadline_usec)
		return false;
	if (ret_events)
		*ret_events = b->events;
	b->events = 0;
	b->first_usec = 0;
	b->deadline_usec = 0;
	return true;
}
