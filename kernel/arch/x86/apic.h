/*
 * Local APIC (xAPIC through MMIO, or x2APIC through MSRs when the CPU has
 * it: TCG in QEMU 7.2 does not, hardware KVM does) and the I/O APIC.
 */
#ifndef SQUALL_APIC_H
#define SQUALL_APIC_H

#include <stdint.h>

void lapic_init(void);		/* boot CPU: choose xAPIC/x2APIC, then lapic_init_cpu() */
void lapic_init_cpu(void);	/* every CPU: enable, spurious vector, TPR 0, mask LINT/LVT */
uint32_t lapic_id(void);	/* this CPU's APIC id */
void lapic_eoi(void);		/* end of interrupt; from interrupt handlers */
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);
void lapic_send_init_sipi(uint32_t apic_id, uint8_t page);	/* AP start-up */

/*
 * Start this CPU's LAPIC timer in periodic mode at @hz on @vector, its
 * rate calibrated against the TSC (the first call calibrates; others reuse it).
 */
void lapic_timer_start(unsigned int hz, uint8_t vector);
/* Stop this CPU's LAPIC timer (masked, count 0). An interrupt already
 * pending is still delivered once interrupts are on. */
void lapic_timer_stop(void);

/*
 * This CPU's timer set-up, so a test can borrow the timer and give it back.
 * Restoring restarts the count: a periodic timer begins a new period, and a
 * one-shot that had already fired fires again.
 */
struct lapic_timer_state {
	uint32_t lvt, divide, initial;
};
void lapic_timer_save(struct lapic_timer_state *s);
void lapic_timer_restore(const struct lapic_timer_state *s);

/* 1 if lapic_init() chose x2APIC mode (MSRs), 0 for xAPIC (MMIO). */
int x2apic_enabled(void);

/* Counters, all CPUs together. [a] */
extern unsigned long lapic_error_count;		/* ERROR_APIC_VECTOR interrupts */
extern unsigned long lapic_spurious_count;	/* SPURIOUS_APIC_VECTOR interrupts */
extern unsigned long lapic_icr_stuck_count;	/* IPIs sent although the ICR stayed busy */

/* Mask every IOAPIC pin (devices use MSI-X); from the MADT. */
void ioapic_init(void);

#endif
