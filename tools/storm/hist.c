/*
 * Log-linear latency histogram; see hist.h for the layout.
 *
 * Index of v >= 2 * HIST_SUB: with e = floor(log2 v) and s = e - HIST_SUB_BITS,
 * v >> s lies in [HIST_SUB, 2 * HIST_SUB), so idx = s * HIST_SUB + (v >> s)
 * continues exactly where the linear part [0, 2 * HIST_SUB) stops, and each
 * octave gets HIST_SUB buckets of width 2^s.
 */
#include "hist.h"

#include <string.h>

void hist_init(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

unsigned int hist_index(uint64_t v)
{
	unsigned int e, s;

	if (v < 2 * HIST_SUB)
		return (unsigned int)v;
	if (v >> HIST_MAX_BITS)
		return HIST_BUCKETS - 1;
	e = 63 - (unsigned int)__builtin_clzll(v);
	s = e - HIST_SUB_BITS;
	return s * HIST_SUB + (unsigned int)(v >> s);
}

uint64_t hist_bucket_lo(unsigned int idx)
{
	unsigned int s;

	if (idx < 2 * HIST_SUB)
		return idx;
	s = idx / HIST_SUB - 1;
	return (uint64_t)(idx - s * HIST_SUB) << s;
}

uint64_t hist_bucket_hi(unsigned int idx)
{
	if (idx < 2 * HIST_SUB)
		return idx;
	return hist_bucket_lo(idx) + (1ull << (idx / HIST_SUB - 1)) - 1;
}

void hist_record(struct hist *h, uint64_t v)
{
	h->b[hist_index(v)]++;
	h->count++;
	h->sum += v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

void hist_merge(struct hist *dst, const struct hist *src)
{
	unsigned int i;

	if (!src->count)
		return;
	for (i = 0; i < HIST_BUCKETS; i++)
		dst->b[i] += src->b[i];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t hist_percentile(const struct hist *h, double p)
{
	uint64_t rank, seen = 0, v;
	double x;
	unsigned int i;

	if (!h->count)
		return 0;
	if (!(p > 0))		/* also catches NaN */
		return h->min;
	if (p >= 100)
		return h->max;
	/* The sample of rank ceil(p% * n), counting from 1 (no libm). */
	x = p / 100.0 * (double)h->count;
	rank = (uint64_t)x;
	if ((double)rank < x)
		rank++;
	if (rank < 1)
		rank = 1;
	if (rank > h->count)
		rank = h->count;
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank)
			break;
	}
	v = hist_bucket_hi(i < HIST_BUCKETS ? i : HIST_BUCKETS - 1);
	if (v > h->max)
		v = h->max;
	if (v < h->min)
		v = h->min;
	return v;
}

double hist_mean(const struct hist *h)
{
	return h->count ? (double)h->sum / (double)h->count : 0.0;
}
