/*
 * The tick profiler (Linux's kernel/profile.c, `profile=`): with
 * `profile=1` every CPU's timer tick records where it interrupted, and
 * GET /profile on the stats endpoint (or the console at app exit) lists the
 * kernel functions that took the most ticks, and the user and idle shares.
 *
 * A tick only lands where interrupts are enabled, so time spent with them
 * off (irqsave sections, parts of softirq processing) is charged to where
 * they came back on, as with Linux's timer-based profile.
 *
 * Locking: the hit counters are atomic (any CPU's tick, irq context); the
 * report reads them racily.
 */
#ifndef SQUALL_PROFILE_H
#define SQUALL_PROFILE_H

#include <stdint.h>
#include <kernel/ksym.h>

#define PROF_SHIFT 4		/* one counter per 16 bytes of kernel text */

struct profile_entry {
	const char *name;	/* a kernel function, or "?" for text without a symbol */
	uint64_t hits;
};

/*
 * Portable: fold @nbuckets counters of (text at @base, 1 << PROF_SHIFT
 * bytes each) into functions of @t, the @max hottest into @out, hottest
 * first. Returns how many it wrote; *@total gets the sum of every counter
 * as read (each is read once, so the entries never exceed it).
 */
unsigned int profile_fold(const struct ksym_table *t, uint64_t base, const uint32_t *counts,
			  unsigned int nbuckets, struct profile_entry *out, unsigned int max,
			  uint64_t *total);

struct seq_buf;
#ifndef SQUALL_HOSTED
int profile_enabled(void);
void profile_init(void);	/* the counters, before the ticks start (process context) */
/* The timer tick (irq context): where it interrupted. */
void profile_tick(uint64_t rip, int user_mode, int idle);
/* The report: totals, then the @top hottest functions. */
void profile_show(struct seq_buf *s, unsigned int top);
#endif

#endif
