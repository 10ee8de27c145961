/*
 * Spinlocks, lock classes and preemption/interrupt masking.
 *
 * Every lock belongs to a class (Linux lockdep's notion: all socket locks
 * share one class). Each CPU counts, per class, acquisitions, contended
 * acquisitions and TSC cycles spent spinning (struct lock_stat, per-CPU, so
 * counting costs no shared cache line). lockstat_read() sums them.
 *
 * A lock remembers its owner CPU: a recursive acquire panics, naming the
 * lock. With `lockdep=1` on the command line, the order in which classes
 * nest is recorded and an inversion (A then B here, B then A before) is
 * reported with a backtrace instead of deadlocking later. Only direct
 * pairs are checked, not longer cycles.
 *
 * Holding a spinlock disables preemption (preempt_count); the _irqsave
 * variants also mask interrupts on this CPU. A lock taken from interrupt
 * context must always be taken with _irqsave elsewhere.
 */
#ifndef SQUALL_SPINLOCK_H
#define SQUALL_SPINLOCK_H

#include <stdint.h>

#define MAX_LOCK_CLASSES 64	/* id 0 collects unclassified locks and overflow */

struct lock_class {
	const char *name;	/* [I] */
	unsigned int id;	/* [a] assigned on first use, 0 = not yet */
};

struct lock_stat {		/* per CPU, per class: [o] */
	uint64_t acquired;
	uint64_t contended;
	uint64_t spin_cycles;
};

struct spinlock {
	volatile uint32_t locked;
	int owner;			/* CPU holding it, -1 free; debug aid */
	struct lock_class *cls;		/* [I] */
};

#define DEFINE_LOCK_CLASS(var, nm) struct lock_class var = { .name = (nm), .id = 0 }
#define SPINLOCK_INIT(clsp) { .locked = 0, .owner = -1, .cls = (clsp) }
/* A file-scope lock with a class of its own, named after the variable. */
#define DEFINE_SPINLOCK(var)                                                 \
	static struct lock_class var##_class = { .name = #var, .id = 0 };    \
	static struct spinlock var = SPINLOCK_INIT(&var##_class)

void spin_lock_init(struct spinlock *l, struct lock_class *cls);
void spin_lock(struct spinlock *l);
int spin_trylock(struct spinlock *l);	/* 1 if taken */
void spin_unlock(struct spinlock *l);
int spin_is_held_by_me(const struct spinlock *l);

uint64_t local_irq_save(void);
void local_irq_restore(uint64_t flags);

static inline uint64_t spin_lock_irqsave(struct spinlock *l)
{
	uint64_t f = local_irq_save();

	spin_lock(l);
	return f;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, uint64_t f)
{
	spin_unlock(l);
	local_irq_restore(f);
}

/* Preemption (kernel/sched.c reschedules when the count drops to 0). */
void preempt_disable(void);
void preempt_enable(void);

/* Sum of every CPU's counters for @cls. */
void lockstat_read(struct lock_class *cls, struct lock_stat *sum);
/* Every class that has been used: for reports (stats endpoint, power-off). */
unsigned int lock_classes_used(struct lock_class **out, unsigned int max);

/* Lock-order checking; a report calls lockdep_report_hook (default: panic). */
extern int lockdep_enabled;
extern void (*lockdep_report_hook)(const char *held, const char *taking);

#endif
