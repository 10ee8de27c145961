/*
 * Test-and-test-and-set spinlocks with per-class statistics and optional
 * lock-order checking; see spinlock.h. Portable: the hosted build (one
 * CPU, SQUALL_HOSTED) runs the same code with interrupts and cycles faked.
 */
#include <kernel/spinlock.h>
#include <kernel/percpu.h>
#include <kernel/panic.h>
#include <kernel/params.h>
#include <stddef.h>

#ifdef SQUALL_HOSTED
uint64_t local_irq_save(void) { return 0; }
void local_irq_restore(uint64_t flags) { (void)flags; }
static inline void relax(void) { }
static inline uint64_t cycles(void) { return 0; }
void preempt_check_resched(void) { }
#else
#include <kernel/arch/x86/x86.h>
#include <kernel/printk.h>
#include <kernel/backtrace.h>

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
static inline uint64_t cycles(void) { return rdtsc(); }
void preempt_check_resched(void);	/* kernel/sched.c */
#endif

static struct lock_class *classes[MAX_LOCK_CLASSES];	/* [a] slot 0 unused */
static unsigned int nr_classes = 1;			/* [a] */

static unsigned int class_id(struct lock_class *cls)
{
	unsigned int id, want;

	if (!cls)
		return 0;
	id = __atomic_load_n(&cls->id, __ATOMIC_ACQUIRE);
	if (id)
		return id;
	want = __atomic_fetch_add(&nr_classes, 1, __ATOMIC_RELAXED);
	if (want >= MAX_LOCK_CLASSES)
		want = 0;	/* table full: counted with the unclassified */
	/* Two CPUs may race to register one class: the first id wins. */
	if (__atomic_compare_exchange_n(&cls->id, &id, want ? want : MAX_LOCK_CLASSES,
					0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		if (want)
			__atomic_store_n(&classes[want], cls, __ATOMIC_RELEASE);
		id = want ? want : MAX_LOCK_CLASSES;
	}
	return id == MAX_LOCK_CLASSES ? 0 : id;
}

/* ---- lockdep: which class was held while which was taken ---- */

int lockdep_enabled;
static uint64_t lock_order[MAX_LOCK_CLASSES];	/* [a] bit b of [a]: a held while taking b */

#ifndef SQUALL_HOSTED
static const char *set_lockdep(const char *val)
{
	if (val && (val[0] == '0' || val[0] == '1') && !val[1]) {
		lockdep_enabled = val[0] == '1';
		return NULL;
	}
	return "must be 0 or 1";
}
KERNEL_PARAM("lockdep", set_lockdep, "lockdep=0|1: check lock nesting order");
#endif

static void lockdep_panic(const char *held, const char *taking)
{
	panic("lockdep: taking '%s' while holding '%s', but '%s' was taken while "
	      "holding '%s' before: possible deadlock", taking, held, held, taking);
}
void (*lockdep_report_hook)(const char *held, const char *taking) = lockdep_panic;

static const char *class_name(unsigned int id)
{
	return id && classes[id] ? classes[id]->name : "(unclassified)";
}

static void lockdep_acquire(unsigned int id)
{
	struct percpu *c = this_cpu();

	for (int i = 0; i < c->lockdep_depth; i++) {
		unsigned int h = c->lockdep_held[i];

		if (h == id || !h || !id)
			continue;
		if (__atomic_load_n(&lock_order[id], __ATOMIC_RELAXED) & (1ULL << h))
			lockdep_report_hook(class_name(h), class_name(id));
		__atomic_or_fetch(&lock_order[h], 1ULL << id, __ATOMIC_RELAXED);
	}
	if (c->lockdep_depth < LOCKDEP_MAX_HELD)
		c->lockdep_held[c->lockdep_depth++] = (uint8_t)id;
}

static void lockdep_release(unsigned int id)
{
	struct percpu *c = this_cpu();

	for (int i = c->lockdep_depth - 1; i >= 0; i--) {
		if (c->lockdep_held[i] == id) {
			for (; i + 1 < c->lockdep_depth; i++)
				c->lockdep_held[i] = c->lockdep_held[i + 1];
			c->lockdep_depth--;
			return;
		}
	}
}

/* ---- the lock itself ---- */

void spin_lock_init(struct spinlock *l, struct lock_class *cls)
{
	*l = (struct spinlock)SPINLOCK_INIT(cls);
}

void preempt_disable(void)
{
	this_cpu()->preempt_count++;
	__asm__ volatile("" ::: "memory");
}

void preempt_enable(void)
{
	__asm__ volatile("" ::: "memory");
	if (--this_cpu()->preempt_count == 0)
		preempt_check_resched();
}

static void lock_acquired(struct spinlock *l, unsigned int me)
{
	l->owner = (int)me;
}

void spin_lock(struct spinlock *l)
{
	unsigned int me = smp_processor_id(), id = class_id(l->cls);
	struct lock_stat *st = &this_cpu()->lockstat[id];
	uint64_t t0;

	if (l->locked && l->owner == (int)me)
		panic("spin_lock: recursive acquire of '%s' on cpu%u", class_name(id), me);
	preempt_disable();
	if (lockdep_enabled)
		lockdep_acquire(id);
	st->acquired++;
	if (!__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		lock_acquired(l, me);
		return;
	}
	t0 = cycles();
	do {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			relax();
	} while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE));
	st->contended++;
	st->spin_cycles += cycles() - t0;
	lock_acquired(l, me);
}

int spin_trylock(struct spinlock *l)
{
	unsigned int me = smp_processor_id(), id = class_id(l->cls);

	preempt_disable();
	if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		preempt_enable();
		return 0;
	}
	if (lockdep_enabled)
		lockdep_acquire(id);
	this_cpu()->lockstat[id].acquired++;
	lock_acquired(l, me);
	return 1;
}

void spin_unlock(struct spinlock *l)
{
	if (!l->locked || l->owner != (int)smp_processor_id())
		panic("spin_unlock: '%s' not held by cpu%u", l->cls ? l->cls->name : "?",
		      smp_processor_id());
	if (lockdep_enabled)
		lockdep_release(class_id(l->cls));
	l->owner = -1;
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	preempt_enable();
}

int spin_is_held_by_me(const struct spinlock *l)
{
	return l->locked && l->owner == (int)smp_processor_id();
}

void lockstat_read(struct lock_class *cls, struct lock_stat *sum)
{
	unsigned int id = class_id(cls);

	*sum = (struct lock_stat){ 0 };
	for (unsigned int c = 0; c < NR_CPUS; c++) {
		sum->acquired += percpu_area[c].lockstat[id].acquired;
		sum->contended += percpu_area[c].lockstat[id].contended;
		sum->spin_cycles += percpu_area[c].lockstat[id].spin_cycles;
	}
}

unsigned int lock_classes_used(struct lock_class **out, unsigned int max)
{
	unsigned int n = 0, top = __atomic_load_n(&nr_classes, __ATOMIC_ACQUIRE);

	for (unsigned int i = 1; i < top && i < MAX_LOCK_CLASSES && n < max; i++) {
		struct lock_class *c = __atomic_load_n(&classes[i], __ATOMIC_ACQUIRE);

		if (c)
			out[n++] = c;
	}
	return n;
}
