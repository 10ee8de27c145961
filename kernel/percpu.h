/*
 * Per-CPU data. Each CPU owns one struct percpu, reached only through
 * this_cpu() (GS-relative on x86: the area's first word points to itself).
 * Fields tagged [o] are owned by that CPU: read and written only by it, with
 * interrupts off or from its own interrupt context. [I]: set once before the
 * CPU runs C code that reads it, immutable after.
 */
#ifndef SQUALL_PERCPU_H
#define SQUALL_PERCPU_H

#include <stdint.h>
#include <kernel/spinlock.h>

#define NR_CPUS 64
#define LOCKDEP_MAX_HELD 16

struct _reent;
struct task;

struct percpu {
	struct percpu *self;	/* [I] must stay first: this_cpu() loads %gs:0 */
	uint64_t kstack_top;	/* [o] current task's kernel stack top (SYSCALL entry) */
	uint64_t user_rsp;	/* [o] scratch: user rsp during SYSCALL entry */
	unsigned int cpu;	/* [I] dense CPU number, 0 = boot CPU */
	uint32_t apic_id;	/* [I] local APIC id, from the MADT */
	struct task *curr;	/* [o] the task running on this CPU */
	volatile int need_resched;	/* [a] set by wakers and the tick, cleared by schedule() */
	uint64_t wakeups_spurious;	/* [o] woken with nothing to do (wait.h) */
	uint64_t softirq_cycles;	/* [o] TSC cycles in softirq handlers */
	uint64_t softirq_idle_cycles;	/* [o] the part of them that interrupted the idle task */
	int idle_tid;			/* [I] tid of this CPU's idle task */
	int preempt_count;	/* [o] >0: no preemption (spinlocks held, ...) */
	int lockdep_depth;	/* [o] classes held, for lockdep=1 */
	uint8_t lockdep_held[LOCKDEP_MAX_HELD];	/* [o] their ids */
	struct lock_stat lockstat[MAX_LOCK_CLASSES];	/* [o] read racily by lockstat_read */
};

extern struct percpu percpu_area[NR_CPUS];

#ifdef SQUALL_HOSTED
static inline struct percpu *this_cpu(void) { return &percpu_area[0]; }
#else
static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	__asm__ volatile("mov %%gs:0, %0" : "=r"(p));
	return p;
}
#endif

static inline unsigned int smp_processor_id(void) { return this_cpu()->cpu; }

/* Point GS at CPU @cpu's area; runs on that CPU before anything reads it. */
void percpu_init_cpu(unsigned int cpu);

#endif
