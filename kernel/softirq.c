/*
 * Softirqs; see softirq.h. __do_softirq follows Linux: take the pending
 * bits with interrupts off, clear them, run the actions with interrupts
 * on, and go round again while more were raised, at most
 * MAX_SOFTIRQ_RESTART times and MAX_SOFTIRQ_TIME long; then wake
 * ksoftirqd so process context gets the CPU back.
 */
#include <kernel/softirq.h>
#include <kernel/sched.h>
#include <kernel/panic.h>
#include <kernel/time.h>
#include <kernel/arch/x86/x86.h>
#include <stdio.h>

#define MAX_SOFTIRQ_RESTART 10
#define MAX_SOFTIRQ_TIME_NS 2000000	/* 2 ms, as Linux */

static void (*softirq_vec[NR_SOFTIRQS])(void);	/* [I] set during init */

struct softirq_cpu {
	uint32_t pending;		/* [o] irqs off */
	struct task *ksoftirqd;		/* [I] */
	uint64_t count[NR_SOFTIRQS];	/* [o] */
	uint64_t deferred;		/* [o] times the budget ran out */
} __attribute__((aligned(64)));

static struct softirq_cpu softirq_cpus[NR_CPUS];	/* per-CPU */

static struct softirq_cpu *this_sc(void) { return &softirq_cpus[smp_processor_id()]; }

void open_softirq(int nr, void (*action)(void))
{
	softirq_vec[nr] = action;
}

uint32_t local_softirq_pending(void)
{
	return __atomic_load_n(&this_sc()->pending, __ATOMIC_RELAXED);
}

static void wakeup_softirqd(void)
{
	struct task *t = this_sc()->ksoftirqd;

	if (t && t->state != TASK_RUNNING)
		wake_up_process(t);
}

void raise_softirq_irqoff(int nr)
{
	this_sc()->pending |= 1u << nr;
	/* Outside interrupt context nobody runs irq_exit soon: hand it over. */
	if (!in_interrupt())
		wakeup_softirqd();
}

void raise_softirq(int nr)
{
	uint64_t f = local_irq_save();

	raise_softirq_irqoff(nr);
	local_irq_restore(f);
}

/* Interrupts off on entry and exit. */
static void __do_softirq(void)
{
	struct softirq_cpu *sc = this_sc();
	uint64_t start = ktime_ns(), t0 = rdtsc();
	int restart = MAX_SOFTIRQ_RESTART;
	uint32_t pending;

	this_cpu()->preempt_count += SOFTIRQ_OFFSET;
	while ((pending = sc->pending)) {
		sc->pending = 0;
		sti();
		for (int nr = 0; pending; nr++, pending >>= 1) {
			if ((pending & 1) && softirq_vec[nr]) {
				softirq_vec[nr]();
				sc->count[nr]++;
			}
		}
		cli();
		if (!sc->pending)
			break;
		if (--restart == 0 || ktime_ns() - start > MAX_SOFTIRQ_TIME_NS) {
			sc->deferred++;
			wakeup_softirqd();
			break;
		}
	}
	this_cpu()->preempt_count -= SOFTIRQ_OFFSET;
	t0 = rdtsc() - t0;
	this_cpu()->softirq_cycles += t0;
	if (current->tid == this_cpu()->idle_tid)	/* an idle CPU's packet work is still work */
		this_cpu()->softirq_idle_cycles += t0;
}

void do_softirq(void)
{
	uint64_t f;

	if (in_interrupt())
		return;
	f = local_irq_save();
	if (this_sc()->pending)
		__do_softirq();
	local_irq_restore(f);
}

void irq_enter(void)
{
	this_cpu()->preempt_count += HARDIRQ_OFFSET;
}

/* Interrupts off: the hard interrupt is done; run softirqs it raised. */
void irq_exit(void)
{
	this_cpu()->preempt_count -= HARDIRQ_OFFSET;
	if (!in_interrupt() && this_sc()->pending)
		__do_softirq();
}

static int ksoftirqd(void *arg)
{
	(void)arg;
	for (;;) {
		__atomic_store_n(&current->state, TASK_INTERRUPTIBLE, __ATOMIC_SEQ_CST);
		if (!local_softirq_pending()) {
			schedule();
			continue;
		}
		__atomic_store_n(&current->state, TASK_RUNNING, __ATOMIC_SEQ_CST);
		do_softirq();
		preempt_check_resched();
	}
	return 0;
}

void softirq_init_cpu(unsigned int cpu)
{
	char name[TASK_COMM_LEN];

	snprintf(name, sizeof(name), "ksoftirqd/%u", cpu);
	softirq_cpus[cpu].ksoftirqd = kthread_create(ksoftirqd, NULL, name, (int)cpu);
	if (!softirq_cpus[cpu].ksoftirqd)
		panic("softirq_init_cpu: cannot start %s", name);
}

uint64_t softirq_count(unsigned int cpu, int nr)
{
	return softirq_cpus[cpu].count[nr];
}

uint64_t softirq_deferred(unsigned int cpu)
{
	return softirq_cpus[cpu].deferred;
}
