/*
 * Timers, as Linux's kernel/timer.c (the 2.6 cascading wheel the seeds
 * describe): each CPU has a timer base with five vectors of lists. tv1
 * holds the next 256 jiffies one list per jiffy; tv2..tv5 hold ever
 * coarser ranges (64 lists each) and are cascaded down as time reaches
 * them. Adding, deleting and expiring are O(1) per timer.
 *
 * jiffies counts ticks at HZ (kernel parameter hz=, default 250), advanced
 * by CPU 0's tick. A timer's function runs in TIMER_SOFTIRQ on the CPU
 * whose base holds it, which is the CPU that last armed it unless it is
 * pinned (TIMER_PINNED).
 *
 * Locking: base->lock guards the base's lists and every timer on them;
 * timer functions run without it. del_timer_sync() waits for a running
 * function to finish: never call it from that function, nor while holding
 * a lock the function takes.
 */
#ifndef SQUALL_TIMER_H
#define SQUALL_TIMER_H

#include <stdint.h>
#include <kernel/list.h>
#include <kernel/spinlock.h>

#define TVN_BITS 6
#define TVR_BITS 8
#define TVN_SIZE (1 << TVN_BITS)
#define TVR_SIZE (1 << TVR_BITS)

#define TIMER_PINNED 0x1	/* stay on the CPU given to timer_setup_on() */

struct timer_base;

struct timer_list {
	struct list_head entry;		/* [base->lock] empty when not pending */
	uint64_t expires;		/* [base->lock] in jiffies */
	void (*function)(struct timer_list *t);
	unsigned int flags;		/* [I] TIMER_* */
	struct timer_base *base;	/* [a] where it is, or was last armed */
};

struct timer_base {
	struct spinlock lock;
	struct timer_list *running_timer;	/* [lock] */
	uint64_t timer_jiffies;			/* [lock] next jiffy to process */
	unsigned int nr_pending;		/* [lock] */
	struct list_head tv1[TVR_SIZE];
	struct list_head tv2[TVN_SIZE], tv3[TVN_SIZE], tv4[TVN_SIZE], tv5[TVN_SIZE];
};

extern volatile uint64_t jiffies;
extern unsigned int HZ;

#define time_after(a, b) ((int64_t)((b) - (a)) < 0)
#define time_after_eq(a, b) ((int64_t)((a) - (b)) >= 0)
#define time_before(a, b) time_after(b, a)

void timer_base_init(struct timer_base *base, uint64_t now);
void timer_setup(struct timer_list *t, void (*fn)(struct timer_list *), unsigned int flags);

/* Arm (or re-arm) @t for @expires; returns 1 if it was pending. */
int mod_timer(struct timer_list *t, uint64_t expires);
/* Disarm; returns 1 if it was pending. Does not wait for a running function. */
int del_timer(struct timer_list *t);
/* Disarm and wait until its function is not running anywhere. */
int del_timer_sync(struct timer_list *t);
static inline int timer_pending(const struct timer_list *t)
{
	return !list_empty(&t->entry);
}

/* Expire everything due up to @now on @base (the TIMER_SOFTIRQ action calls it). */
void __run_timers(struct timer_base *base, uint64_t now);

/* The base timers armed here go to: this CPU's (kernel), a test's (hosted). */
struct timer_base *timer_this_base(void);
/* Pin @t to @base (tests, or a CPU's own base). */
void timer_setup_on(struct timer_list *t, void (*fn)(struct timer_list *), struct timer_base *base);

uint64_t msecs_to_jiffies(uint64_t ms);

/* Kernel: per-CPU bases, the TIMER_SOFTIRQ, the tick. */
void timers_init_cpu(unsigned int cpu);
void timer_tick(void);			/* every CPU's local timer interrupt */
/*
 * Sleep for @timeout jiffies or until woken; returns the jiffies left. As
 * Linux's, the caller sets the task state first (prepare_to_wait or
 * schedule_timeout_interruptible); with TASK_RUNNING it returns at once.
 */
int64_t schedule_timeout(int64_t timeout);
int64_t schedule_timeout_interruptible(int64_t timeout);	/* sets the state itself */

#endif
