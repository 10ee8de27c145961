/*
 * Open-loop arrival schedule and the even split of totals over threads;
 * see pace.h. Doubles are exact enough here: 10^10 arrivals at periods of
 * up to 10^12 ns stay below 2^53 ns.
 */
#include "pace.h"


void pacer_init(struct pacer *p, double rate, unsigned int k, unsigned int nthreads,
		uint64_t t0)
{
	double global = 1e9 / rate;

	p->t0 = t0;
	p->period = global * nthreads;
	p->phase = global * k;
}

uint64_t pacer_due_at(const struct pacer *p, uint64_t i)
{
	return p->t0 + (uint64_t)(p->phase + (double)i * p->period);
}

uint64_t pacer_due(const struct pacer *p, uint64_t now)
{
	double since;
	uint64_t n;

	if (now < p->t0)
		return 0;
	since = (double)(now - p->t0) - p->phase;
	if (since < 0)
		return 0;
	n = (uint64_t)(since / p->period) + 1;	/* since >= 0: truncation floors */
	/*
	 * Keep due() and due_at() consistent despite rounding: arrival n-1
	 * must not be later than now, and arrival n must be.
	 */
	while (n > 0 && pacer_due_at(p, n - 1) > now)
		n--;
	while (pacer_due_at(p, n) <= now)
		n++;
	return n;
}

uint64_t share_of(uint64_t total, unsigned int k, unsigned int n)
{
	if (!n)
		return 0;
	return total / n + (k < total % n ? 1 : 0);
}
