/*
 * Wait queues, as Linux's include/linux/wait.h: a head with a lock and a
 * list of entries; each entry has a wake function (default: wake its
 * task). Exclusive entries are added at the tail, and __wake_up() with
 * nr_exclusive = 1 wakes every non-exclusive waiter and at most one
 * exclusive one (__wake_up_common), which is what keeps accept() from
 * waking a herd.
 *
 * Locking: wq->lock (irqsave: wakeups may come from interrupt or softirq
 * context) guards the list and every entry on it.
 *
 * The thundering-herd meter: a waiter woken whose condition is still
 * false counts one spurious wakeup on its CPU (wait_spurious_read()).
 */
#ifndef SQUALL_WAIT_H
#define SQUALL_WAIT_H

#include <stdint.h>
#include <kernel/list.h>
#include <kernel/spinlock.h>

struct wait_queue_entry;
typedef int (*wait_queue_func_t)(struct wait_queue_entry *wq_entry, unsigned int mode,
				 int flags, void *key);

#define WQ_FLAG_EXCLUSIVE 0x01

struct wait_queue_entry {
	unsigned int flags;
	void *private;			/* the waiting task, for default_wake_function */
	wait_queue_func_t func;
	struct list_head entry;
};

struct wait_queue_head {
	struct spinlock lock;
	struct list_head head;
};

void init_waitqueue_head(struct wait_queue_head *wq);
void init_waitqueue_entry(struct wait_queue_entry *e, void *task);
void init_waitqueue_func_entry(struct wait_queue_entry *e, wait_queue_func_t func);

void add_wait_queue(struct wait_queue_head *wq, struct wait_queue_entry *e);
void add_wait_queue_exclusive(struct wait_queue_head *wq, struct wait_queue_entry *e);
void remove_wait_queue(struct wait_queue_head *wq, struct wait_queue_entry *e);

/* Wakes waiters: all non-exclusive ones and up to @nr_exclusive exclusive ones (0 = all). */
void __wake_up(struct wait_queue_head *wq, unsigned int mode, int nr_exclusive, void *key);
/* The same with wq->lock already held by the caller. */
void __wake_up_locked(struct wait_queue_head *wq, unsigned int mode, int nr_exclusive, void *key);
#define wake_up(wq) __wake_up(wq, 3, 1, NULL)		/* TASK_NORMAL */
#define wake_up_all(wq) __wake_up(wq, 3, 0, NULL)
#define wake_up_interruptible(wq) __wake_up(wq, 1, 1, NULL)

int default_wake_function(struct wait_queue_entry *e, unsigned int mode, int flags, void *key);
/* Wakes, then takes the entry off the queue (so a second wakeup skips it). */
int autoremove_wake_function(struct wait_queue_entry *e, unsigned int mode, int flags, void *key);

/* The sleeping side (kernel only: they need the scheduler). */
void prepare_to_wait(struct wait_queue_head *wq, struct wait_queue_entry *e, int state);
void prepare_to_wait_exclusive(struct wait_queue_head *wq, struct wait_queue_entry *e, int state);
void finish_wait(struct wait_queue_head *wq, struct wait_queue_entry *e);

void wait_count_spurious(void);
uint64_t wait_spurious_read(void);	/* summed over CPUs */

/*
 * Sleep until @cond is true (uninterruptible). Each wakeup that finds the
 * condition still false is counted as spurious.
 */
#define wait_event(wq, cond)                                                  \
	do {                                                                  \
		struct wait_queue_entry __we;                                 \
		int __woken = 0;                                              \
		init_waitqueue_entry(&__we, current);                         \
		__we.func = autoremove_wake_function;                         \
		for (;;) {                                                    \
			prepare_to_wait(wq, &__we, TASK_UNINTERRUPTIBLE);     \
			if (cond)                                             \
				break;                                        \
			if (__woken)                                          \
				wait_count_spurious();                        \
			schedule();                                           \
			__woken = 1;                                          \
		}                                                             \
		finish_wait(wq, &__we);                                       \
	} while (0)

#endif
