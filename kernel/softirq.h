/*
 * Softirqs, as Linux's kernel/softirq.c: deferred work raised from
 * interrupt handlers, run on the same CPU on interrupt exit with
 * interrupts enabled, under Linux's budget (MAX_SOFTIRQ_RESTART rounds
 * or MAX_SOFTIRQ_TIME); what is left goes to that CPU's ksoftirqd thread.
 *
 * Pending bits are per CPU ([o], changed with interrupts off). A softirq
 * raised on a CPU runs on that CPU.
 */
#ifndef SQUALL_SOFTIRQ_H
#define SQUALL_SOFTIRQ_H

#include <stdint.h>

enum {
	TIMER_SOFTIRQ,
	NET_TX_SOFTIRQ,
	NET_RX_SOFTIRQ,
	TASKLET_SOFTIRQ,	/* spare; used by the selftests */
	NR_SOFTIRQS
};

void open_softirq(int nr, void (*action)(void));
void raise_softirq(int nr);		/* any context */
void raise_softirq_irqoff(int nr);	/* interrupts already off */
uint32_t local_softirq_pending(void);
void do_softirq(void);			/* run what is pending, if not in interrupt */

void irq_enter(void);			/* around hard interrupt handlers */
void irq_exit(void);

void softirq_init_cpu(unsigned int cpu);	/* starts ksoftirqd/cpu; scheduler must run */

/* Per-CPU counters for stats: softirqs run on @cpu by number, and handed to ksoftirqd. */
uint64_t softirq_count(unsigned int cpu, int nr);
uint64_t softirq_deferred(unsigned int cpu);

#endif
