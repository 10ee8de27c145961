/*
 * Test-and-test-and-set spinlocks with owner tracking.
 * The hosted build (SQUALL_HOSTED, one thread) uses the same code with the
 * interrupt flag faked.
 */
#include <kernel/spinlock.h>
#include <kernel/percpu.h>
#include <kernel/panic.h>

#ifdef SQUALL_HOSTED
uint64_t local_irq_save(void) { return 0; }
void local_irq_restore(uint64_t flags) { (void)flags; }
static inline void relax(void) { }
#else
#include <kernel/arch/x86/x86.h>

uint64_t local_irq_save(void)
{
	uint64_t f = read_rflags();

	cli();
	return f;
}

void local_irq_restore(uint64_t flags)
{
	if (flags & RFLAGS_IF)
		sti();
}

static inline void relax(void) { cpu_relax(); }
#endif

void spin_lock(struct spinlock *l)
{
	int me = (int)smp_processor_id();

	if (l->locked && l->owner == me)
		panic("spin_lock: recursive acquire of '%s' on cpu%d", l->name, me);
	for (;;) {
		if (!__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
			break;
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			relax();
	}
	l->owner = me;
}

void spin_unlock(struct spinlock *l)
{
	if (!l->locked || l->owner != (int)smp_processor_id())
		panic("spin_unlock: '%s' not held by cpu%u", l->name, smp_processor_id());
	l->owner = -1;
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

int spin_is_held_by_me(const struct spinlock *l)
{
	return l->locked && l->owner == (int)smp_processor_id();
}
