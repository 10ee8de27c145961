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

/* Mask every IOAPIC pin (devices use MSI-X); from the MADT. */
void ioapic_init(void);

#endif
