/*
 * Open-loop pacing: a fixed arrival schedule that does not wait for the
 * target. Arrival i of a thread is due at
 *
 *	t0 + phase + i * period
 *
 * and its latency is measured from that intended time, not from when the
 * thread got round to it. A slow response therefore delays nothing else and
 * shows up in the latency it caused (the coordinated-omission correction
 * of wrk2). Threads share one global rate: with T threads each runs at
 * rate / T, offset by one global period per thread so that the merged
 * arrivals are evenly spaced.
 *
 * Time is always a parameter (nanoseconds, any monotonic origin), so the
 * unit tests drive the schedule with a fake clock.
 */
#ifndef STORM_PACE_H
#define STORM_PACE_H

#include <stdint.h>

struct pacer {
	uint64_t t0;		/* when arrival 0 of thread 0 is due */
	double phase;		/* this thread's offset from t0, ns */
	double period;		/* between this thread's arrivals, ns */
};

/* Thread @k of @nthreads sharing @rate arrivals per second, from @t0. */
void pacer_init(struct pacer *p, double rate, unsigned int k, unsigned int nthreads,
		uint64_t t0);

/* The intended time of arrival @i. */
uint64_t pacer_due_at(const struct pacer *p, uint64_t i);

/* How many arrivals (0, 1, ...) are due at or before @now. */
uint64_t pacer_due(const struct pacer *p, uint64_t now);

/*
 * Share @k of @total split over @n parts as evenly as possible (the first
 * total % n parts get one more). Used for --count, --connections and the
 * hold target.
 */
uint64_t share_of(uint64_t total, unsigned int k, unsigned int n);

#endif
