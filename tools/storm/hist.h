/*
 * Latency histogram with log-linear buckets (the HdrHistogram layout):
 * values below 2 * HIST_SUB are exact, above that each power of two is
 * split into HIST_SUB equal buckets, so any reported value is within
 * 1/HIST_SUB (1.6 %) of the truth at every scale, in fixed memory.
 *
 * Values are nanoseconds. Anything at or above 2^HIST_MAX_BITS ns (about
 * 18 minutes) lands in the last bucket; min, max and sum stay exact.
 * A histogram is owned by one thread; merge copies after the fact.
 */
#ifndef STORM_HIST_H
#define STORM_HIST_H

#include <stdint.h>

#define HIST_SUB_BITS	6
#define HIST_SUB	(1u << HIST_SUB_BITS)
#define HIST_MAX_BITS	40
#define HIST_BUCKETS	((HIST_MAX_BITS - HIST_SUB_BITS + 1) * HIST_SUB)

struct hist {
	uint64_t count;
	uint64_t sum;		/* of recorded values, for the mean */
	uint64_t min;		/* UINT64_MAX while empty */
	uint64_t max;
	uint64_t b[HIST_BUCKETS];
};

void hist_init(struct hist *h);
void hist_record(struct hist *h, uint64_t v);
void hist_merge(struct hist *dst, const struct hist *src);

/* Bucket arithmetic, exposed for the unit tests. */
unsigned int hist_index(uint64_t v);
uint64_t hist_bucket_lo(unsigned int idx);
uint64_t hist_bucket_hi(unsigned int idx);

/*
 * The value at percentile @p (0..100): the highest value in the bucket
 * that holds the ceil(p% * count)-th smallest sample, clamped to
 * [min, max] so p0 and p100 are exact. 0 for an empty histogram.
 */
uint64_t hist_percentile(const struct hist *h, double p);
double hist_mean(const struct hist *h);

#endif
