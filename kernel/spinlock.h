/*
 * Spinlocks and interrupt masking.
 *
 * spin_lock_irqsave() is the only variant for now: every lock in issue-2
 * code may be taken with interrupts on. Locks remember the owning CPU so a
 * recursive acquire is caught (panic naming the lock) instead of hanging, as
 * xv6's acquire() does.
 */
#ifndef SQUALL_SPINLOCK_H
#define SQUALL_SPINLOCK_H

#include <stdint.h>

struct spinlock {
	volatile uint32_t locked;
	int owner;		/* CPU holding it, -1 when free (debug aid) */
	const char *name;
};

#define SPINLOCK_INIT(n) { .locked = 0, .owner = -1, .name = (n) }

uint64_t local_irq_save(void);
void local_irq_restore(uint64_t flags);

void spin_lock(struct spinlock *l);
void spin_unlock(struct spinlock *l);
int spin_is_held_by_me(const struct spinlock *l);

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

#endif
