/*
 * The per-CPU tick and the reschedule IPI. The local APIC timer fires at
 * HZ on every CPU: jiffies (CPU 0), the timer wheel, the time slice.
 * A RESCHEDULE IPI only needs its EOI: the waker already set
 * need_resched, and the interrupt exit path (trap.c) acts on it.
 */
#include <kernel/arch/x86/apic.h>
#include <kernel/arch/x86/trap.h>
#include <kernel/arch/x86/vectors.h>
#include <kernel/percpu.h>
#include <kernel/profile.h>
#include <kernel/sched.h>
#include <kernel/timer.h>

static void local_timer_interrupt(struct trapframe *tf)
{
	/* Idle means the idle loop itself, not softirq work it runs for the CPU. */
	int idle = current->tid == this_cpu()->idle_tid &&
		   !(this_cpu()->preempt_count & SOFTIRQ_MASK);

	profile_tick(tf->rip, (tf->cs & 3) == 3, idle);
	lapic_eoi();
	timer_tick();
	sched_tick();
}

static void reschedule_interrupt(struct trapframe *tf)
{
	(void)tf;
	lapic_eoi();
}

/* Every CPU, once its scheduler and timer base exist. */
void tick_init_cpu(void)
{
	trap_set_handler(LOCAL_TIMER_VECTOR, local_timer_interrupt);
	trap_set_handler(RESCHEDULE_VECTOR, reschedule_interrupt);
	lapic_timer_start(HZ, LOCAL_TIMER_VECTOR);
}
